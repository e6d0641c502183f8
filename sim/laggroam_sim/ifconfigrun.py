"""What one run of the ifconfig stand-in printed and returned.

Apart from ifconfig_cmd so that the inet6 words (ipv6cmds), which ifconfig
hands the rest of its line, fill it without importing ifconfig back.
"""


class Result:
    """What a stand-in run printed and returned."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.status = 0
        self.wrote = False

    def fail(self, message: str, status: int = 1) -> "Result":
        self.err.append(f"ifconfig: {message}\n")
        self.status = status
        return self
