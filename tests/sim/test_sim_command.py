"""``laggroam-sim``: the simulator's own command (demo and the host's verbs)."""

import subprocess
import sys
from pathlib import Path

import pytest
from laggroam_sim.command import main

COMMAND = Path(sys.executable).with_name("laggroam-sim")
LAGGROAM = Path(sys.executable).with_name("laggroam")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_demo_and_the_verbs(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["help"], ["--help"]):
        code, out, _ = run(argv, capsys)
        assert code == 0, argv
        for verb in ("demo [--dir DIR]", "init laptop", "plug IF", "install-laggroam"):
            assert verb in out, (argv, verb)
    code, out, _ = run([], capsys)
    assert code == 64 and "laggroam-sim --dir DIR VERB" in out


def test_a_verb_needs_the_hosts_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show"], capsys)
    assert (code, out) == (64, "")
    assert err == "laggroam-sim: show needs --dir DIR (laggroam-sim help lists the verbs)\n"


def test_demo_dir_that_is_a_file_is_one_line_and_73(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "passwd"
    afile.write_text("root:*:0:0::/root:/bin/sh\n")
    for argv in (["demo", "--dir", str(afile)], ["--dir", str(afile), "demo"]):
        code, out, err = run(argv, capsys)
        assert (code, out) == (73, ""), argv
        assert err == f"laggroam-sim: --dir {afile}: not a directory\n"
    assert afile.read_text() == "root:*:0:0::/root:/bin/sh\n"


def test_a_bad_demo_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["demo", "--stp"], capsys)
    assert code == 64
    assert "laggroam-sim: unrecognized arguments: --stp" in err


def test_the_installed_command_builds_a_host_laggroam_acts_on_as_a_site(tmp_path: Path) -> None:
    def ok(argv: list[str]) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, (argv, proc.stderr)
        return proc.stdout

    ok([str(COMMAND), "--dir", str(tmp_path), "init", "laptop"])
    assert (tmp_path / "site.ini").is_file()
    assert "lagg0: flags=" in ok([str(COMMAND), "--dir", str(tmp_path), "show"])
    status = ok([str(LAGGROAM), "--site", str(tmp_path), "status"])
    assert "lagg0" in status and "em0" in status
