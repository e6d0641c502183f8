"""One intake for an event: the socket, ``--devd`` and ``--event`` give the same typed value."""

import shutil
from pathlib import Path

import pytest

from laggroam.core.event import Event
from laggroam.core.host import Host, Interface
from laggroam.devd import chain
from laggroam.devd.hookclient import frame
from laggroam.devd.intake import Intake, IntakeError, Source, take_in
from laggroam.devd.protocol import decode

# devd quotes expansions as $'...', which FreeBSD's sh reads and dash does not.
BASH = shutil.which("bash") or "/bin/sh"
DOWN = "!system=IFNET subsystem=em0 type=LINK_DOWN"


def test_a_hooks_line_is_one_value_with_its_event_devd_split_and_hook() -> None:
    intake = take_in(DOWN, Source.HOOK)
    assert intake.event == Event("LINK_DOWN", "em0")
    assert intake.devd is not None and intake.devd.get("subsystem") == "em0"
    assert intake.hook_class == "link"
    assert intake.text == DOWN


def test_the_socket_and_the_one_shot_take_a_line_in_alike() -> None:
    by_socket = decode(frame(DOWN))
    by_one_shot = take_in(DOWN, Source.DEVD)
    assert by_socket.event == by_one_shot.event and by_socket.hook_class == "link"
    assert by_socket.devd is not None and by_one_shot.devd is not None
    assert by_socket.devd.line == by_one_shot.devd.line


def test_a_line_no_hook_forwards_is_refused_from_the_socket_only() -> None:
    line = "!system=IFNET subsystem=em0 type=ADDR_ADD address=10.0.0.5"
    with pytest.raises(IntakeError, match="not an event laggroam's hooks forward"):
        take_in(line, Source.HOOK)
    # ``apply --devd`` run by root takes any line devd would run a rule for.
    intake = take_in(line, Source.DEVD)
    assert intake.event is None and intake.hook_class is None and intake.devd is not None


def test_event_text_has_no_devd_part() -> None:
    intake = take_in("link_down em0", Source.EVENT)
    assert intake == Intake(Event("LINK_DOWN", "em0"))
    assert intake.text == "LINK_DOWN em0"


@pytest.mark.parametrize(
    ("text", "source", "fragment"),
    [
        ("LINK_DOWN em0", Source.DEVD, "not one of '!'"),
        (DOWN, Source.EVENT, "expected 'KIND [INTERFACE]'"),
        ("+iwn0", Source.DEVD, "has no space"),
        ("LINK_DOWN em0;x", Source.EVENT, "invalid interface name"),
    ],
)
def test_bad_input_is_one_line_naming_the_problem(text: str, source: Source, fragment: str) -> None:
    with pytest.raises(IntakeError) as exc:
        take_in(text, source)
    assert fragment in str(exc.value) and "\n" not in str(exc.value)


def test_a_batch_reads_devd_conf_once_and_observes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "etc" / "devd.conf"
    conf.parent.mkdir(parents=True)
    out = tmp_path / "ran"
    conf.write_text(
        "notify 0 {\n"
        '\tmatch "system" "IFNET";\n'
        '\tmatch "type" "LINK_UP";\n'
        '\tmedia-type "ethernet";\n'
        f'\taction "echo $subsystem >> {out}";\n'
        "};\n"
    )
    loads: list[Path | None] = []
    real_load = chain.load

    def counting_load(root: Path | None = None, **kw: object) -> object:
        loads.append(root)
        return real_load(root)

    monkeypatch.setattr(chain, "load", counting_load)
    observed: list[int] = []

    def observe() -> Host:
        observed.append(1)
        media = "Ethernet autoselect (1000baseT)"
        return Host((Interface("em0", media=media), Interface("em1", media=media)))

    stock = chain.StockRules(observe, root=tmp_path, sh=BASH, path="/bin:/usr/bin", vm_guest=None)
    # A daemon batch chains its policy's events before the reconcile and the others after.
    for name in ("em0", "em1"):
        devd = take_in(f"!system=IFNET subsystem={name} type=LINK_UP", Source.HOOK).devd
        assert devd is not None
        stock.run([devd])
    assert out.read_text().split() == ["em0", "em1"]
    assert len(loads) == 1 and len(observed) == 1
