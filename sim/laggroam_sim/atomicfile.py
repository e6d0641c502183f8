"""Writing a file of the simulated host so that readers see the old or the new one."""

import os
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file.

    A rename: atomic against a crashed process.  Not fsynced: a simulated host
    need not survive a power cut of the machine running it, and the stand-ins
    write the state at every command.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
