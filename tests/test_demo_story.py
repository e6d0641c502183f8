"""The demo tells its story in the administrator's words: no "None", pasteable commands."""

from pathlib import Path

from hosts import em0, lagg0, laptop, port, with_interfaces, wlan0
from laggroam_sim.story import Story, Style, run_laggroam


def test_a_lagg_without_an_active_port_says_so() -> None:
    converged = Story._state(laptop())
    assert "primary em0 active em0" in converged
    down = with_interfaces(
        laptop(),
        em0(link=False),
        wlan0(link=False),
        lagg0(port("em0", "MASTER"), port("wlan0"), link=False),
    )
    text = Story._state(down)
    assert "no active port" in text
    assert "None" not in text


def test_commands_are_shown_as_they_can_be_pasted(tmp_path: Path) -> None:
    lines: list[str] = []
    story = Story(tmp_path, lines.append, Style(False))
    event = "!system=IFNET subsystem=em0 type=LINK_UP"
    (tmp_path / "d.conf").write_text('notify 0 { match "system" "IFNET"; action "true"; };\n')
    run_laggroam(
        story,
        "devd",
        "explain",
        "--devd-conf",
        "d.conf",
        event,
        "--media",
        "em0=ethernet",
        cwd=tmp_path,
        on_host=False,
    )
    assert (
        lines[0] == f"   $ laggroam devd explain --devd-conf d.conf '{event}' --media em0=ethernet"
    )
