"""Reading any file within the size limit is bounded work (bench/parse.py times it): one
read, suggestions once per distinct key, limits on sections, lines and problems; and the
daemon goes on serving while it validates."""

import threading
from pathlib import Path

import pytest

from laggroam.config import policy, policyread, policyvalues
from laggroam.config.policy import PolicyErrors, loads

LAGG = "[lagg0]\nports = em0 wlan0\n"


def messages(text: str) -> list[tuple[int, str]]:
    with pytest.raises(PolicyErrors) as info:
        loads(text, "t.ini")
    return [(e.line, e.message) for e in info.value.errors]


def test_every_kind_of_read_problem_is_found_in_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = []
    real = policyread._PolicyParser.read_file

    def counted(self: policyread._PolicyParser, *args: object, **kwargs: object) -> None:
        reads.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(policyread._PolicyParser, "read_file", counted)
    text = "early = 1\n" + LAGG + "ports = em1\n[lagg0]\n[wlan0\nparent = iwn0\n" * 3 + "junk\n"
    found = messages(text)
    assert reads == [1]
    assert (1, "'early = 1' comes before any [section] header") in found
    assert (4, "duplicate key 'ports' in [lagg0] (first at line 3)") in found
    assert (5, "duplicate section [lagg0] (first at line 2)") in found
    assert (6, "cannot parse '[wlan0': a section header needs a closing ']'") in found
    assert found[-1] == (
        len(text.splitlines()),
        "cannot parse 'junk': expected 'key = value', a [section] header or a comment",
    )


def test_a_suggestion_is_computed_once_per_distinct_key(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = policyvalues.closest

    def counted(word: str, choices: object) -> str | None:
        calls.append(word)
        return real(word, choices)  # type: ignore[arg-type]

    monkeypatch.setattr(policyvalues, "closest", counted)
    policy._unknown_key_hint.cache_clear()
    text = "".join(f"[lagg{i}]\nports = em{i}\nprots = x\n" for i in range(150))
    found = messages(text)
    assert len(found) == 150
    assert all("did you mean" in m for _, m in found)
    assert calls.count("prots") <= 4  # once per kind of section, not once per section


def test_a_huge_ports_list_is_refused_before_each_port_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = []
    real = policy.ifname_problem
    monkeypatch.setattr(policy, "ifname_problem", lambda n: checked.append(n) or real(n))
    found = messages("[lagg0]\nports =" + "".join(f" e{i}" for i in range(50_000)) + "\n")
    assert found == [(2, "[lagg0] ports: 50000 ports; lagg(4) takes at most 32")]
    assert len(checked) <= 1  # the section name; list.count() was once run for each port


def test_more_sections_than_any_policy_stop_the_reader() -> None:
    text = "".join(f"[lagg{i}]\nports = em{i}\n" for i in range(600))
    assert messages(text) == [(1025, "more than 512 sections; not a policy")]


def test_more_lines_than_any_policy_stop_the_reader() -> None:
    text = LAGG + "ether = keep\n" + "  x\n" * 10_001
    found = messages(text)
    assert found == [(found[0][0], "more than 10000 lines; not a policy")]


def test_a_flood_of_problems_stops_the_reader_with_a_count() -> None:
    found = messages(LAGG + "".join(f"junk{i}\n" for i in range(5000)))
    assert found[-1] == (found[-1][0], f"{1000 - 200 + 1} more problems")


def test_blank_and_comment_runs_keep_the_files_line_numbers() -> None:
    text = LAGG + "\n\n# a\n; b\n\n" + "proto = nope\n"
    assert messages(text)[0][0] == 8


def test_the_daemon_serves_while_it_validates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from laggroam_sim.site import site_of

    from laggroam.daemon import loop as daemon_mod
    from laggroam.daemon import reload as reload_mod
    from laggroam.edge.site import Site
    from laggroam.edge.system import System

    path = tmp_path / "laggroam.ini"
    path.write_text(LAGG)
    site = Site(tmp_path, site_of(tmp_path).programs)
    d = daemon_mod.Daemon(path, policy.load(path), System(site.programs), site)
    release = threading.Event()
    finished = threading.Event()
    real = policy.load

    def slow(*args: object, **kwargs: object) -> policy.Policy:
        release.wait(timeout=60)
        finished.set()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reload_mod.policy_mod, "load", slow)
    d.reload.start(requested=True)  # returns while the validation still runs
    assert d.reload.loading and not finished.is_set()
    d.reload.start()  # asked again meanwhile: runs after this one
    assert d.reload.load_again == "changed"
    release.set()
    kind, value = d.posted.get(timeout=60)
    assert kind == "loaded"
    d._on_loaded(value)
    assert d.reload.loading  # the second reload has started
    d.posted.get(timeout=60)
