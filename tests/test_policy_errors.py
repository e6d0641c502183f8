"""Bad policies: each is refused with exactly the expected problem at the expected line."""

import pytest

from laggroam.config.policy import MAX_ERRORS, PolicyError, PolicyErrors, loads

LAGG = "[lagg0]\nports = em0 wlan0\n"
WLAN = "[wlan0]\nparent = iwn0\n"


def errors_of(text: str | bytes) -> list[PolicyError]:
    with pytest.raises(PolicyErrors) as info:
        loads(text, "test.ini")
    return list(info.value.errors)


# (id, policy text, line, fragment of the message); each policy has exactly one problem.
BAD: list[tuple[str, str | bytes, int, str]] = [
    # --- the file as a whole
    ("empty", "", 1, "no lagg section"),
    ("comments-only", "# nothing\n; here\n", 1, "no lagg section"),
    ("daemon-only", "[daemon]\ndebounce = 1s\n", 1, "no lagg section"),
    ("non-utf8", b"[lagg0]\nports = em0\n# caf\xe9\n", 3, "not UTF-8: invalid byte 0xe9"),
    ("control-char", LAGG + "proto = fail\x07over\n", 3, "control character U+0007"),
    ("lone-cr", LAGG + "dhcp = yes\rno\n", 3, "control character U+000D"),
    # --- syntax, as configparser reports it
    ("key-before-header", "ports = em0\n" + LAGG, 1, "comes before any [section] header"),
    ("no-delimiter", LAGG + "dhcp yes\n", 3, "cannot parse 'dhcp yes'"),
    (
        "unclosed-header",
        LAGG + "[wlan0\nparent = iwn0\n",
        3,
        "'[wlan0': a section header needs a closing ']'",
    ),
    ("missing-key", LAGG + "= yes\n", 3, "missing key before '='"),
    ("text-after-header", "[lagg0] failover\nports = em0\n", 1, "unexpected 'failover' after"),
    (
        "continuation-after-comment",
        "[lagg0]\nports = em0\n# the spare\n    wlan0\n",
        4,
        "a blank or comment line ends a continued value",
    ),
    ("duplicate-section", LAGG + "[lagg0]\nports = em1\n", 3, "duplicate section [lagg0] (first"),
    ("duplicate-key", LAGG + "ports = em1\n", 3, "duplicate key 'ports' in [lagg0] (first at"),
    ("duplicate-key-case", LAGG + "PORTS = em1\n", 3, "duplicate key 'ports'"),
    # --- sections
    ("default-section", LAGG + "[DEFAULT]\nproto = lacp\n", 3, "unknown section [DEFAULT]"),
    ("unknown-section", LAGG + "[global]\nverbose = yes\n", 3, "unknown section [global]"),
    ("daemon-typo", LAGG + "[deamon]\ndebounce = 1s\n", 3, "did you mean 'daemon'?"),
    ("daemon-case", LAGG + "[Daemon]\ndebounce = 1s\n", 3, "did you mean 'daemon'?"),
    ("port-typo", LAGG + "[lagg1]\nport = em1\n", 3, "did you mean 'ports' instead of 'port'?"),
    ("both-kinds", LAGG + "[wlan0]\nparent = iwn0\nports = em1\n", 5, "[wlan0] ports: a section"),
    ("bad-section-name", "[lagg-0]\nports = em0\n", 1, "[lagg-0] is not an interface name"),
    ("long-section-name", "[lagg012345678901]\nports = em0\n", 1, "longer than 15 characters"),
    # --- keys
    ("lagg-key-typo", LAGG + "prto = lacp\n", 3, "unknown key 'prto' in a lagg section; did you"),
    ("daemon-key-typo", LAGG + "[daemon]\ndebunce = 1s\n", 4, "did you mean 'debounce'?"),
    ("wlan-key-typo", LAGG + WLAN + "wpa_cnf = /etc/w.conf\n", 5, "did you mean 'wpa_conf'?"),
    ("wlan-key-in-lagg", LAGG + "wpa = yes\n", 3, "it belongs in a wlan section"),
    (
        "daemon-key-typo-in-lagg",
        LAGG + "debunce = 1s\n",
        3,
        "'debounce', which belongs in [daemon]",
    ),
    ("daemon-key-in-lagg", LAGG + "interval = 10s\n", 3, "it belongs in [daemon]"),
    ("lagg-key-in-daemon", LAGG + "[daemon]\nproto = lacp\n", 4, "'proto' in [daemon]"),
    ("empty-value", LAGG + "proto =\n", 3, "[lagg0] proto: empty value"),
    ("empty-ports", "[lagg0]\nports =\n", 2, "[lagg0] ports: empty value"),
    # --- [lagg] values
    ("bad-port-name", "[lagg0]\nports = em0 wl@n0\n", 2, "invalid interface name 'wl@n0'"),
    ("long-port-name", "[lagg0]\nports = em0123456789abcdef\n", 2, "longer than 15"),
    ("port-twice", "[lagg0]\nports = em0 wlan0 em0\n", 2, "em0 is listed twice"),
    ("port-in-two-laggs", LAGG + "[lagg1]\nports = em1 em0\n", 4, "em0 is already a port of lagg0"),
    ("lagg-in-itself", "[lagg0]\nports = em0 lagg0\n", 2, "lagg0 cannot be a port of itself"),
    ("lagg-in-lagg", LAGG + "[lagg1]\nports = lagg0\n", 4, "does not stack laggs"),
    (
        "too-many-ports",
        "[lagg0]\nports = " + " ".join(f"em{i}" for i in range(33)) + "\n",
        2,
        "33 ports; lagg(4) takes at most 32",
    ),
    ("proto-typo", LAGG + "proto = failovr\n", 3, "did you mean 'failover'?"),
    ("proto-fec", LAGG + "proto = fec\n", 3, "'fec' is not one of failover, lacp"),
    (
        "ether-not-a-port",
        LAGG + "ether = em1\n",
        3,
        "em1 is not a port of lagg0 (ports: em0 wlan0)",
    ),
    ("ether-short-mac", LAGG + "ether = 00:11:22:33:44\n", 3, "is not a MAC address"),
    ("ether-bad-hex", LAGG + "ether = 00:11:22:33:44:gg\n", 3, "is not a MAC address"),
    ("ether-multicast", LAGG + "ether = 01:00:5e:00:00:01\n", 3, "multicast or broadcast"),
    ("ether-broadcast", LAGG + "ether = ff:ff:ff:ff:ff:ff\n", 3, "multicast or broadcast"),
    ("ether-zero", LAGG + "ether = 00:00:00:00:00:00\n", 3, "all-zero"),
    ("ether-two-words", LAGG + "ether = em0 wlan0\n", 3, "is not a single word"),
    ("ether-junk", LAGG + "ether = wl@n0\n", 3, "not a port, a MAC address or 'keep'"),
    ("dhcp-not-bool", LAGG + "dhcp = maybe\n", 3, "'maybe' is not a boolean"),
    ("renew-typo", LAGG + "renew_dhcp = on-failure\n", 3, "did you mean 'on-failover'?"),
    ("renew-without-dhcp", LAGG + "dhcp = no\nrenew_dhcp = on-link-up\n", 4, "needs dhcp = yes"),
    ("hold-no-unit", LAGG + "failback_hold = 5\n", 3, "has no unit; write 5ms, 5s or 5m"),
    ("hold-hours", LAGG + "failback_hold = 1h\n", 3, "unknown unit 'h'"),
    ("hold-negative", LAGG + "failback_hold = -1s\n", 3, "is not a duration"),
    ("hold-too-long", LAGG + "failback_hold = 1441m\n", 3, "longer than a day"),
    # --- [daemon] values
    ("socket-relative", LAGG + "[daemon]\nsocket = run/l.sock\n", 4, "not an absolute path"),
    ("socket-dir", LAGG + "[daemon]\nsocket = /var/run/\n", 4, "names a directory"),
    ("socket-too-long", LAGG + "[daemon]\nsocket = /" + "s" * 103 + "\n", 4, "longer than 103"),
    ("state-dir-space", LAGG + "[daemon]\nstate_dir = /var/db/x y\n", 4, "not a single word"),
    ("log-target", LAGG + "[daemon]\nlog = file\n", 4, "'file' is not one of syslog, stderr"),
    ("log-level", LAGG + "[daemon]\nlog_level = warn\n", 4, "did you mean 'warning'?"),
    ("interval-tiny", LAGG + "[daemon]\ninterval = 500ms\n", 4, "0 (off) or at least 1s"),
    ("group-colon", LAGG + "[daemon]\ngroup = wh:eel\n", 4, "not a valid group name"),
    ("group-dollar-inside", LAGG + "[daemon]\ngroup = a$b\n", 4, "not a valid group name"),
    ("group-dash", LAGG + "[daemon]\ngroup = -wheel\n", 4, "not a valid group name"),
    (
        "max-delay-short",
        LAGG + "[daemon]\ndebounce = 2s\nmax_delay = 1s\n",
        5,
        "max_delay (1s) is shorter than debounce (2s)",
    ),
    ("debounce-above-max", LAGG + "[daemon]\ndebounce = 6s\n", 4, "shorter than debounce (6s)"),
    # --- [wlan] values
    ("parent-bad", LAGG + "[wlan0]\nparent = iwn 0\n", 4, "invalid interface name 'iwn 0'"),
    ("parent-is-port", LAGG + "[wlan0]\nparent = em0\n", 4, "em0 is a port of lagg0 (line 1)"),
    ("parent-is-lagg", LAGG + "[wlan0]\nparent = lagg0\n", 4, "lagg0 is a lagg, not a radio"),
    (
        "parent-is-wlan",
        "[lagg0]\nports = em0\n" + WLAN + "[wlan1]\nparent = wlan0\n",
        6,
        "is a wlan",
    ),
    ("wpa-not-bool", LAGG + WLAN + "wpa = sure\n", 5, "'sure' is not a boolean"),
    ("wpa-conf-relative", LAGG + WLAN + "wpa_conf = wpa.conf\n", 5, "not an absolute path"),
    ("restart-unknown", LAGG + WLAN + "restart_wpa = on-boot\n", 5, "'on-boot' is not one of"),
    ("restart-none-and", LAGG + WLAN + "restart_wpa = none on-attach\n", 5, "'none' alone"),
    ("restart-twice", LAGG + WLAN + "restart_wpa = on-stuck on-stuck\n", 5, "listed twice"),
    ("stuck-zero", LAGG + WLAN + "stuck_after = 0\n", 5, "must be longer than 0"),
    ("create-semicolon", LAGG + WLAN + "create_args = country FR;reboot\n", 5, "has ';'"),
    ("create-dollar", LAGG + WLAN + "create_args = $(reboot)\n", 5, "has '$'"),
    ("create-quote", LAGG + WLAN + "create_args = ssid 'my net'\n", 5, 'has "\'"'),
    ("create-wlandev", LAGG + WLAN + "create_args = wlandev ath0\n", 5, "'wlandev' comes from"),
    # --- what each interface is
    ("wlan-named-lagg", LAGG + WLAN + "[lagg1]\nparent = iwm0\n", 5, "its name is that of a lagg"),
    ("wlan-named-loop", LAGG + WLAN + "[lo1]\nparent = iwm0\n", 5, "that of the loopback"),
    ("port-loopback", "[lagg0]\nports = lo0 em0\n", 2, "lo0 is the loopback"),
    ("port-loopback-2", "[lagg0]\nports = em0 lo3\n", 2, "lo3 is the loopback"),
    ("parent-loopback", LAGG + "[wlan0]\nparent = lo0\n", 4, "lo0 is the loopback"),
    ("parent-lagg-like", LAGG + "[wlan0]\nparent = lagg7\n", 4, "lagg7 is a lagg"),
    ("parent-wlan-like", LAGG + "[wlan0]\nparent = wlan5\n", 4, "wlan5 is a wlan"),
    ("lacp-wireless", LAGG + "proto = lacp\n" + WLAN, 3, "lacp cannot take the wireless"),
    ("lb-wireless", LAGG + "proto = loadbalance\n" + WLAN, 3, "loadbalance cannot take"),
    ("rr-wireless", LAGG + "proto = roundrobin\n" + WLAN, 3, "roundrobin cannot take"),
    ("bc-wireless", LAGG + "proto = broadcast\n" + WLAN, 3, "broadcast cannot take"),
    ("lacp-wlan-unlisted", "[lagg0]\nports = em0 wlan1\nproto = lacp\n", 3, "wireless port wlan1"),
    ("ports-and-parent", "[lagg0]\nports = em0 wlan0\nparent = iwn0\n", 3, "not both"),
    ("parent-and-ports", WLAN + "ports = em0\n" + LAGG.replace("lagg0", "lagg1"), 3, "not both"),
    ("header-no-bracket-only", "[lagg0\nports = em0\n", 1, "needs a closing ']'"),
    ("dup-key-before-header", "ports = a\nports = b\n" + LAGG, 1, "before any [section]"),
]


def test_no_placeholder_name_leaks_into_a_message() -> None:
    texts = [b[1] for b in BAD] + ["ports = a\nports = b\n[lagg0\nports = em0\nports = e\n"]
    for text in texts:
        for error in errors_of(text):
            assert "\0" not in error.message and "ignored" not in error.message, error


def test_failover_and_none_take_a_wireless_port() -> None:
    for proto in ("failover", "none"):
        assert loads(LAGG + f"proto = {proto}\n" + WLAN).laggs[0].proto == proto


@pytest.mark.parametrize(
    ("text", "line", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_policy_is_refused_at_its_line(text: str | bytes, line: int, fragment: str) -> None:
    errors = errors_of(text)
    assert [(e.line, fragment in e.message) for e in errors] == [(line, True)], errors
    assert str(errors[0]).startswith(f"test.ini:{line}: ")


def test_the_table_is_large_and_its_ids_unique() -> None:
    assert len(BAD) >= 45
    assert len({b[0] for b in BAD}) == len(BAD)


def test_every_problem_is_reported_in_one_go_in_line_order() -> None:
    text = (
        "[lagg0]\n"  # 1
        "ports = em0 wlan0\n"  # 2
        "proto = lacpp\n"  # 3
        "ports = em1\n"  # 4: duplicate key
        "[daemon]\n"  # 5
        "debunce = 1s\n"  # 6
        "log = file\n"  # 7
        "[lagg0]\n"  # 8: duplicate section
        "ports = em2\n"  # 9
        "[wlan0]\n"  # 10
        "parent = em0\n"  # 11
        "stuck_after = 5\n"  # 12
        "garbage\n"  # 13
    )
    errors = errors_of(text)
    assert [e.line for e in errors] == [3, 4, 6, 7, 8, 11, 12, 13]
    assert "did you mean 'lacp'?" in errors[0].message
    assert "(first at line 2)" in errors[1].message
    assert "(first at line 1)" in errors[4].message


def test_several_problems_on_one_section_are_all_kept() -> None:
    errors = errors_of("[lagg0]\nports = em0\ndhcp = perhaps\nfailback_hold = soon\n")
    assert [e.line for e in errors] == [3, 4]


def test_duplicates_after_a_duplicate_are_still_found() -> None:
    text = LAGG + "ports = a\nports = b\n[lagg0]\nports = c\n[lagg0]\nports = d\n"
    assert [e.line for e in errors_of(text)] == [3, 4, 5, 7]


def test_long_names_are_cut_short_in_messages() -> None:
    name = "x" * 5000
    errors = errors_of(LAGG + f"[{name}]\n{name} = 1\n")
    assert [e.line for e in errors] == [3]
    assert len(errors[0].message) < 200
    assert "[xxxxxxxxxx" in errors[0].message and "...]" in errors[0].message


def test_errors_str_lists_one_per_line() -> None:
    with pytest.raises(PolicyErrors) as info:
        loads(LAGG + "dhcp = x\nproto = y\n", "/etc/p.ini")
    assert str(info.value).splitlines() == [
        "/etc/p.ini:3: [lagg0] dhcp: 'x' is not a boolean; use yes or no",
        "/etc/p.ini:4: [lagg0] proto: 'y' is not one of failover, lacp, loadbalance, "
        "roundrobin, broadcast, none",
    ]


def test_error_fields() -> None:
    error = errors_of("")[0]
    assert (error.path, error.line) == ("test.ini", 1)
    assert error.message.startswith("no lagg section")
    assert str(error) == f"test.ini:1: {error.message}"


def test_a_flood_of_problems_is_cut_short() -> None:
    text = LAGG + "".join(f"junk{i}\n" for i in range(MAX_ERRORS + 50))
    errors = errors_of(text)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1].message == "50 more problems"


def test_endless_duplicates_are_all_found_in_one_read() -> None:
    text = LAGG + "".join(f"ports = em{i}\n" for i in range(150))
    errors = errors_of(text)
    assert [e.line for e in errors] == list(range(3, 153))
    assert all(e.message == "duplicate key 'ports' in [lagg0] (first at line 2)" for e in errors)


def test_huge_text_is_refused_at_line_1() -> None:
    text = LAGG + "#" * (1 << 20)
    errors = errors_of(text)
    assert [(e.line, e.message) for e in errors] == [
        (1, "file is larger than 1048576 bytes; not a policy")
    ]
    assert [e.line for e in errors_of(text.encode())] == [1]


def test_non_utf8_reports_the_first_bad_byte() -> None:
    errors = errors_of(b"[lagg0]\nports = em0\n\n\n# \xc3\x28\n\xff\n")
    assert [(e.line, e.message) for e in errors] == [(5, "not UTF-8: invalid byte 0xc3")]
