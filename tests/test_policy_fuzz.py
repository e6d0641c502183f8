"""Whatever the file holds, loads() returns a Policy or raises PolicyErrors, nothing else."""

from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.config.policy import MAX_ERRORS, Policy, PolicyErrors, loads

KEYS = [
    "ports", "proto", "ether", "dhcp", "renew_dhcp", "failback_hold", "parent", "wpa",
    "wpa_conf", "restart_wpa", "stuck_after", "create_args", "debounce", "socket", "state_dir",
    "log", "log_level", "interval", "group", "max_delay", "Ports", "bogus", "",
]  # fmt: skip
SECTIONS = ["lagg0", "lagg1", "wlan0", "wlan1", "daemon", "DEFAULT", "em0", "", "x y", "[a]"]
WORDS = [
    "em0", "wlan0", "wlan1", "iwn0", "lagg0", "failover", "lacp", "keep", "yes", "no", "0",
    "300ms", "5s", "2m", "on-failover", "on-attach", "none", "/var/run/x.sock",
    "00:11:22:33:44:55", "ff:ff:ff:ff:ff:ff", ";", "#", "=", ":", "[", "]", "\\", "\t", "$(x)",
]  # fmt: skip


def check(text: str | bytes) -> None:
    try:
        policy = loads(text, "fuzz.ini")
    except PolicyErrors as exc:
        assert 1 <= len(exc.errors) <= MAX_ERRORS + 1
        for error in exc.errors:
            assert error.path == "fuzz.ini"
            assert error.line >= 1
            assert error.message
            assert "\n" not in error.message
    else:
        assert isinstance(policy, Policy)
        assert policy.laggs


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    check(data)


line = st.one_of(
    st.sampled_from(SECTIONS).map(lambda name: f"[{name}]"),
    st.tuples(
        st.sampled_from(["", " ", "\t"]),
        st.sampled_from(KEYS),
        st.sampled_from([" = ", "=", ": ", " "]),
        st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
    ).map("".join),
    st.sampled_from(["", "# comment", "; comment", "   em1", "[", "]", "=", "\x00", "\r"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(line, max_size=30))
def test_ini_shaped_text(lines: list[str]) -> None:
    check("\n".join(lines))
