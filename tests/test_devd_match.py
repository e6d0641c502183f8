"""Which rule devd runs: priorities, first match, inversion, anchoring, media-type, explain."""

from collections.abc import Mapping

import pytest

from laggroam.devd.devdconf import Config, load_config, parse_text
from laggroam.devd.devdline import DevdEvent, parse_event
from laggroam.devd.devdmatch import (
    EreError,
    compile_ere,
    explain,
    find_rule,
    find_rule_excluding,
    lint,
    media_matches,
    render_explanation,
    rule_commands,
)

MEDIA: Mapping[str, str] = {"em0": "Ethernet", "wlan0": "802.11", "lagg0": "Ethernet"}


def media_of(ifname: str) -> str | None:
    return MEDIA.get(ifname)


def cfg(*texts: str) -> Config:
    files = [parse_text(t, f"/etc/devd/{n}.conf") for n, t in enumerate(texts)]
    variables: dict[str, str] = {}
    for f in files:
        variables.update(f.sets)
    return Config(tuple(files), variables)


def ev(line: str) -> DevdEvent:
    return parse_event(line, timestamp="1.000000")


def ran(config: Config, line: str) -> str | None:
    rule = find_rule(config, ev(line), media_of)
    if rule is None:
        return None
    return rule.actions[0].command if rule.actions else "(no action)"


LINK_UP_EM0 = "!system=IFNET subsystem=em0 type=LINK_UP"


def test_highest_priority_wins_regardless_of_file_order() -> None:
    c = cfg(
        'notify 0 { match "system" "IFNET"; action "low"; };\n'
        'notify 100 { match "system" "IFNET"; action "high"; };\n'
        'notify 50 { match "system" "IFNET"; action "mid"; };\n'
    )
    assert ran(c, LINK_UP_EM0) == "high"


def test_ties_keep_parse_order_across_files() -> None:
    first = 'notify 0 { match "type" "LINK_UP"; action "first"; };\n'
    second = 'notify 0 { match "type" "LINK_UP"; action "second"; };\n'
    assert ran(cfg(first, second), LINK_UP_EM0) == "first"
    assert ran(cfg(second, first), LINK_UP_EM0) == "second"


def test_first_match_wins_and_later_matches_do_not_run() -> None:
    c = cfg(
        'notify 0 { match "type" "LINK_DOWN"; action "down"; };\n'
        'notify 0 { match "type" "LINK_UP"; action "one"; };\n'
        'notify 0 { match "type" "LINK_UP"; action "two"; };\n'
    )
    assert ran(c, LINK_UP_EM0) == "one"
    expl = explain(c, ev(LINK_UP_EM0), media_of)
    assert [(rc.matched, rc.reached) for rc in expl.candidates] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    assert expl.commands == ("one",)


def test_a_matching_rule_without_action_stops_the_search() -> None:
    c = cfg(
        'detach 100 { device-name "ed50"; };\n'
        'detach 0 { device-name "ed[0-9]+"; action "stop $device-name"; };\n'
    )
    rule = find_rule(c, ev("-ed50 at port=0x300 on isa0"), media_of)
    assert rule is not None and rule.priority == 100 and rule.actions == ()
    expl = explain(c, ev("-ed50 at port=0x300 on isa0"), media_of)
    assert expl.commands == ()
    assert "matches but has no action; devd runs nothing" in render_explanation(expl)
    assert ran(c, "-ed51 at port=0x300 on isa0") == "stop $device-name"


def test_event_kinds_use_their_own_rule_lists() -> None:
    c = cfg(
        'attach 0 { action "attach"; };\ndetach 0 { action "detach"; };\n'
        'nomatch 0 { action "nomatch"; };\nnotify 0 { action "notify"; };\n'
    )
    assert ran(c, "+em0 at on pci0") == "attach"
    assert ran(c, "-em0 at on pci0") == "detach"
    assert ran(c, "? at vendor=1 on pci0") == "nomatch"
    assert ran(c, "!system=X") == "notify"


def test_nomatch_rule_on_bus() -> None:
    c = cfg(
        'nomatch 10 { match "bus" "uhub[0-9]+"; action "logger Unknown USB device: $vendor"; };\n'
    )
    event = ev("? at port=1 vendor=0x1234 product=0x5678 on uhub0")
    rule = find_rule(c, event, media_of)
    assert rule is not None
    assert rule_commands(c, rule, event) == ("logger Unknown USB device: $'0x1234'",)
    assert find_rule(c, ev("? at vendor=0x1234 on pci0"), media_of) is None


def test_inversion() -> None:
    c = cfg('notify 0 { match "subsystem" "!(usbus|wlan)[0-9]+"; action "start"; };\n')
    assert ran(c, "!system=IFNET subsystem=ue0 type=ATTACH") == "start"
    assert ran(c, "!system=IFNET subsystem=wlan0 type=ATTACH") is None
    assert ran(c, "!system=IFNET subsystem=usbus3 type=ATTACH") is None
    assert ran(c, "!system=IFNET subsystem=wlan0x type=ATTACH") == "start"


def test_inversion_on_a_missing_variable_matches() -> None:
    c = cfg('notify 0 { match "cdev" "!ums[0-9]+"; action "no cdev"; };\n')
    assert ran(c, LINK_UP_EM0) == "no cdev"


def test_missing_variables_are_the_empty_string() -> None:
    c = cfg(
        'notify 1 { match "vendor" "0x[0-9]+"; action "vendor"; };\n'
        'notify 0 { match "vendor" "()"; action "empty"; };\n'
    )
    assert ran(c, LINK_UP_EM0) == "empty"
    assert ran(c, "!system=USB vendor=0x12") == "vendor"
    assert ran(c, "!system=USB vendor=x") is None


def test_regexes_are_anchored() -> None:
    c = cfg('notify 0 { match "subsystem" "em[0-9]"; action "em"; };\n')
    assert ran(c, LINK_UP_EM0) == "em"
    assert ran(c, "!subsystem=em10") is None
    assert ran(c, "!subsystem=xem0") is None
    assert ran(c, "!subsystem=em0\n") == "em"  # devd strips the record's newline


def test_top_level_alternation_is_only_anchored_at_its_ends() -> None:
    # devd builds "^" + "em0|wlan0" + "$" = "^em0|wlan0$"
    c = cfg('notify 0 { match "subsystem" "em0|wlan0"; action "x"; };\n')
    assert ran(c, "!subsystem=em0.extra") == "x"
    assert ran(c, "!subsystem=my-wlan0") == "x"
    assert ran(c, "!subsystem=em1") is None


def test_dollar_anchor_does_not_match_before_a_newline() -> None:
    c = cfg('notify 0 { match "v" "a"; action "x"; };\n')
    assert ran(c, '!v="a\n"') is None  # Python's plain "$" would have matched


def test_matching_is_case_insensitive() -> None:
    c = cfg('notify 0 { match "system" "ifnet"; match "type" "Link_Up"; action "x"; };\n')
    assert ran(c, LINK_UP_EM0) == "x"
    assert ran(c, "!system=IfNeT type=link_up") == "x"


def test_set_variables_expand_in_regexes_and_are_visible_at_match_time() -> None:
    c = cfg(
        'options { set wifi-driver-regex "(iwn|iwlwifi|rtwn)[0-9]+"; };\n'
        'attach 0 { device-name "$wifi-driver-regex"; '
        'action "pccard_ether $device-name startchildren $wifi-driver-regex"; };\n'
    )
    event = ev("+iwlwifi0 at slot=0 on pci2")
    rule = find_rule(c, event, media_of)
    assert rule is not None
    assert rule_commands(c, rule, event) == (
        "pccard_ether $'iwlwifi0' startchildren $'(iwn|iwlwifi|rtwn)[0-9]+'",
    )
    assert find_rule(c, ev("+em0 at slot=0 on pci2"), media_of) is None


def test_event_variables_shadow_set_variables() -> None:
    c = cfg('options { set x "from-set"; };\nnotify 0 { match "x" "from-event"; action "a"; };\n')
    assert ran(c, "!x=from-event") == "a"
    assert ran(c, "!y=1") is None  # x falls back to the set value


MEDIA_RULES = (
    'notify 3 { match "type" "LINK_UP"; media-type "ethernet"; action "ether"; };\n'
    'notify 2 { match "type" "LINK_UP"; media-type "802.11"; action "wifi"; };\n'
    'notify 1 { match "type" "LINK_UP"; media-type "unknown"; action "unknown"; };\n'
)


@pytest.mark.parametrize(
    ("ifname", "expected"),
    [("em0", "ether"), ("lagg0", "ether"), ("wlan0", "wifi"), ("lo0", "unknown")],
)
def test_media_type(ifname: str, expected: str) -> None:
    assert ran(cfg(MEDIA_RULES), f"!system=IFNET subsystem={ifname} type=LINK_UP") == expected


def test_media_type_names_are_case_insensitive_and_unknown_names_act_as_unknown() -> None:
    c = cfg(
        'notify 1 { media-type "ETHERNET"; action "ether"; };\n'
        'notify 0 { media-type "Tokenring"; action "tokenring"; };\n'
    )
    assert ran(c, "!subsystem=em0") == "ether"
    assert ran(c, "!subsystem=wlan0") is None
    assert ran(c, "!subsystem=nothere0") == "tokenring"  # no longer in devd: like "unknown"


def test_media_type_asks_device_name_first_then_subsystem() -> None:
    asked: list[str] = []

    def recording(ifname: str) -> str | None:
        asked.append(ifname)
        return MEDIA.get(ifname)

    c = cfg('attach 0 { media-type "ethernet"; action "a"; };\n')
    assert find_rule(c, ev("+em0 at on pci0"), recording) is not None
    c2 = cfg('notify 0 { media-type "ethernet"; action "n"; };\n')
    assert find_rule(c2, ev("!subsystem=em0"), recording) is not None
    assert find_rule(c2, ev("!system=X"), recording) is None  # no name: ioctl fails
    assert asked == ["em0", "em0"]


def test_media_type_is_not_asked_after_a_failed_match() -> None:
    asked: list[str] = []

    def recording(ifname: str) -> str | None:
        asked.append(ifname)
        return "Ethernet"

    c = cfg('notify 0 { match "type" "LINK_UP"; media-type "ethernet"; action "a"; };\n')
    assert find_rule(c, ev("!subsystem=em0 type=LINK_DOWN"), recording) is None
    assert asked == []


def test_media_type_name_is_truncated_like_strlcpy_into_ifm_name() -> None:
    asked: list[str] = []

    def recording(ifname: str) -> str | None:
        asked.append(ifname)
        return None

    ok, _ = media_matches("unknown", "averyveryverylongname0", recording)
    assert ok and asked == ["averyveryverylo"]


def test_find_rule_excluding_chains_to_the_shadowed_rule() -> None:
    stock = 'notify 0 { match "type" "LINK_UP"; media-type "ethernet"; action "dhclient"; };\n'
    hook = 'notify 100 { match "system" "IFNET"; match "type" "LINK_UP"; action "hook"; };\n'
    c = cfg(stock, hook)
    event = ev(LINK_UP_EM0)
    assert ran(c, LINK_UP_EM0) == "hook"
    shadowed = find_rule_excluding(c, event, media_of, ["/etc/devd/1.conf"])
    assert shadowed is not None and shadowed.path == "/etc/devd/0.conf"
    assert (
        find_rule_excluding(
            c, ev("!system=IFNET subsystem=lo0 type=LINK_UP"), media_of, ["/etc/devd/1.conf"]
        )
        is None
    )


def test_invalid_regex_never_matches_and_inverted_always_does() -> None:
    c = cfg(
        'notify 1 { match "a" "x**"; action "bad"; };\n'
        'notify 0 { match "a" "!x**"; action "inverted bad"; };\n'
    )
    assert ran(c, "!a=x") == "inverted bad"
    expl = explain(c, ev("!a=x"), media_of)
    assert "does not compile (REG_BADRPT" in expl.candidates[0].checks[0].detail


def test_explain_lists_candidates_with_reasons() -> None:
    c = load_config([])
    assert explain(c, ev(LINK_UP_EM0), media_of).candidates == ()
    c = cfg(
        'notify 100 { match "system" "IFNET"; match "type" "LINK_DOWN"; action "down"; };\n'
        'notify 0 { match "system" "IFNET"; match "type" "LINK_UP"; media-type "ethernet";\n'
        '  action "service dhclient quietstart $subsystem"; action "logger up"; };\n'
    )
    expl = explain(c, ev(LINK_UP_EM0), media_of)
    first, second = expl.candidates
    assert [ck.outcome for ck in first.checks] == ["matched", "failed", "action"]
    assert first.checks[1].value == "LINK_UP"
    assert first.checks[1].detail == "type='LINK_UP' does not match ^LINK_DOWN$"
    assert [ck.outcome for ck in second.checks] == [
        "matched",
        "matched",
        "matched",
        "action",
        "action",
    ]
    assert second.checks[2].detail == "em0 has media type Ethernet; rule wants ethernet"
    assert expl.chosen is second.rule
    assert expl.commands == ("service dhclient quietstart $'em0'", "logger up")
    text = render_explanation(expl)
    assert "  1. /etc/devd/0.conf:1: notify 100: does not match" in text
    assert "  2. /etc/devd/0.conf:2: notify 0: MATCHES -> devd runs this rule" in text
    assert text.endswith(
        "result: /etc/devd/0.conf:2 runs, each via /bin/sh -c:\n"
        "  service dhclient quietstart $'em0'\n  logger up"
    )


def test_explain_marks_unreached_rules_and_untested_statements() -> None:
    c = cfg(
        'notify 1 { match "system" "IFNET"; action "a"; };\n'
        'notify 0 { match "system" "ACPI"; match "subsystem" "Suspend"; action "b"; };\n'
    )
    expl = explain(c, ev(LINK_UP_EM0), media_of)
    assert expl.candidates[1].reached is False
    assert [ck.outcome for ck in expl.candidates[1].checks] == ["failed", "not tested", "action"]
    assert "2. /etc/devd/0.conf:2: notify 0: not reached" in render_explanation(expl)
    none = explain(c, ev("!system=kern"), media_of)
    assert none.chosen is None
    assert render_explanation(none).endswith("result: no rule matches; devd does nothing")


# --- the ERE translation -----------------------------------------------------------------


def _m(pattern: str, value: str) -> bool:
    return compile_ere(pattern).search(value.encode()) is not None


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("^[[:alpha:]]+[[:digit:]]$", ["em0", "WLAN9"], ["em", "e0m", "em00"]),
        ("^[[:upper:]]$", ["A", "a"], ["0"]),  # REG_ICASE applies to classes too
        ("^[]a]+$", ["]a]"], ["b"]),
        ("^[^]a]$", ["b"], ["]", "a", "A"]),
        ("^[a-]$", ["a", "-"], ["b"]),
        ("^[[.-.]x]$", ["-", "x"], ["y"]),
        ("^[[=e=]]$", ["e", "E"], ["f"]),
        ("^a.c$", ["abc", "a\nc"], ["ac"]),
        ("^[^x]$", ["\n"], ["x"]),
        ("^\\d$", ["d"], ["1"]),  # a backslash makes any character literal
        ("^\\.$", ["."], ["x"]),
        ("^a{2,3}$", ["aa", "aaa"], ["a", "aaaa"]),
        ("^a{2}$", ["aa"], ["aaa"]),
        ("^a{2,}$", ["aaaaa"], ["a"]),
        ("^a{,2}$", ["a{,2}"], ["aa"]),  # "{" not followed by a digit is literal
        ("^{x$", ["{x"], []),
        ("^(ab|cd)+$", ["abcdab"], ["abc"]),
        ("^()x$", ["x"], []),
        ("^[[:<:]]em0[[:>:]]$", ["em0"], []),
        ("^.$", ["a"], ["é"]),  # C locale: "é" is two bytes
        ("^..$", ["é"], []),
        ("^a$|^b$", ["a", "B"], ["ab"]),
        ("^a^b$", [], ["ab", "a^b"]),
    ],
)
def test_ere_semantics(pattern: str, yes: list[str], no: list[str]) -> None:
    for value in yes:
        assert _m(pattern, value), (pattern, value)
    for value in no:
        assert not _m(pattern, value), (pattern, value)


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("a**", "REG_BADRPT"),
        ("*a", "REG_BADRPT"),
        ("a|*b", "REG_BADRPT"),
        ("(?i)a", "REG_BADRPT"),  # no Python-only syntax: "(?" is a bad repetition
        ("a*?", "REG_BADRPT"),  # no lazy quantifiers either
        ("^*", "REG_BADRPT"),
        ("a{1}{2}", "REG_BADRPT"),
        ("{1}", "REG_BADRPT"),
        ("a|", "REG_EMPTY"),
        ("|a", "REG_EMPTY"),
        ("(|a)", "REG_EMPTY"),
        ("(a", "REG_EPAREN"),
        ("a)", "REG_EPAREN"),
        ("[a", "REG_EBRACK"),
        ("[z-a]", "REG_ERANGE"),
        ("[--z]", "REG_ERANGE"),
        ("[[:nope:]]", "REG_ECTYPE"),
        ("[[:alpha]", "REG_ECTYPE"),
        ("a{3,2}", "REG_BADBR"),
        ("a{256}", "REG_BADBR"),
        ("a{1,x}", "REG_BADBR"),
        ("a{1", "REG_EBRACE"),
        ("a\\", "REG_EESCAPE"),
        ("[[.space.]]", "REG_ECOLLATE"),
    ],
)
def test_ere_errors(pattern: str, code: str) -> None:
    with pytest.raises(EreError) as info:
        compile_ere(pattern)
    assert info.value.code == code


def test_dollar_repetition_is_accepted_like_regcomp() -> None:
    assert _m("^a$*$", "a")


def test_lint_reports_what_devd_accepts_silently() -> None:
    c = cfg(
        'notify -1 {\n match "a" "x**";\n media-type "Tokenring";\n media-type "802.11";\n'
        ' action "a"; };\n'
    )
    assert lint(c) == (
        "/etc/devd/0.conf:1: stray character '-' ignored (flex default rule)",
        "/etc/devd/0.conf:2: regex ^x**$ does not compile (REG_BADRPT: repetition of a "
        "repetition); devd never matches it",
        "/etc/devd/0.conf:3: media-type 'Tokenring' is not one devd knows (Ethernet, 802.11, "
        "ATM, unknown); it acts as 'unknown'",
    )
