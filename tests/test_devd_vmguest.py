"""devd's ``$vm_guest``: the ``kern.vm_guest`` sysctl, offered to every rule.

The stock hyperv.conf matches ``vm_guest "hv"`` (freebsd-src sbin/devd/hyperv.conf),
so a rule engine without the variable judges such rules wrongly, in ``devd explain``
and in chaining.
"""

from collections.abc import Sequence
from pathlib import Path

import pytest

from laggroam.admin.cli import main
from laggroam.core.programs import Programs
from laggroam.devd import chain, devdconf, devdmatch
from laggroam.devd.devdline import parse_event
from laggroam.edge.runner import Result
from laggroam.edge.system import System

HV_RULE = """\
notify 10 {
	match "system"		"ETHERNET";
	match "type"		"IFATTACH";
	match "vm_guest"	"hv";
	action "echo vf $subsystem $vm_guest";
};
"""
IFATTACH = "!system=ETHERNET subsystem=hn0 type=IFATTACH"


def _config(tmp_path: Path, text: str = HV_RULE) -> devdconf.Config:
    conf = tmp_path / "devd.conf"
    conf.write_text(text)
    return devdconf.load_config([conf])


def test_the_rule_matches_only_under_its_hypervisor(tmp_path: Path) -> None:
    config = _config(tmp_path)
    event = parse_event(IFATTACH)
    assert devdmatch.find_rule(config, event, lambda _: None) is None
    for guest, matches in (("hv", True), ("none", False), ("kvm", False)):
        rule = devdmatch.find_rule(chain.with_vm_guest(config, guest), event, lambda _: None)
        assert (rule is not None) == matches, guest
    hv = chain.with_vm_guest(config, "hv")
    rule = devdmatch.find_rule(hv, event, lambda _: None)
    assert rule is not None
    assert devdmatch.rule_commands(hv, rule, event) == ("echo vf $'hn0' $'hv'",)


def test_a_set_statement_overrides_it(tmp_path: Path) -> None:
    config = _config(tmp_path, 'options { set vm_guest "custom"; };\n' + HV_RULE)
    assert chain.with_vm_guest(config, "hv").variables["vm_guest"] == "custom"


def test_devd_explain_reads_or_is_told_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "devd.conf"
    conf.write_text(HV_RULE)
    base = ["devd", "explain", "--devd-conf", str(conf), IFATTACH, "--media", "hn0=ethernet"]
    assert main([*base, "--vm-guest", "hv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "  echo vf $'hn0' $'hv'"
    assert main(base) == 0  # another machine's event, no --vm-guest: unset
    assert "no rule matches" in capsys.readouterr().out
    assert main([*base, "--vm-guest", "hv;id"]) == 64
    assert "--vm-guest 'hv;id'" in capsys.readouterr().err


class _Sysctl:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.asked: list[list[str]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> Result:
        self.asked.append(list(argv))
        return self.result


@pytest.mark.parametrize(
    ("stdout", "status", "expected"),
    [("hv\n", 0, "hv"), ("none\n", 0, "none"), ("", 1, ""), ("$(reboot)\n", 0, "")],
)
def test_the_system_reads_kern_vm_guest(stdout: str, status: int, expected: str) -> None:
    fake = _Sysctl(Result(("/sbin/sysctl",), status, stdout))
    system = System(Programs(), runner=fake)
    assert system.vm_guest() == expected
    assert fake.asked == [["/sbin/sysctl", "-n", "kern.vm_guest"]]


def test_the_sysctl_is_asked_only_when_a_rule_names_the_variable(tmp_path: Path) -> None:
    """An event costs no ``sysctl kern.vm_guest`` where no rule needs it."""
    asked: list[str] = []

    def vm_guest() -> str:
        asked.append("kern.vm_guest")
        return "hv"

    (tmp_path / "etc").mkdir()
    conf = tmp_path / "etc" / "devd.conf"
    conf.write_text('notify 0 { match "system" "IFNET"; action "true $subsystem"; };\n')
    assert "vm_guest" not in chain.load(tmp_path, vm_guest=vm_guest).variables
    assert asked == []
    conf.write_text(HV_RULE)
    assert chain.load(tmp_path, vm_guest=vm_guest).variables["vm_guest"] == "hv"
    assert asked == ["kern.vm_guest"]
