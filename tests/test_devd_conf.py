"""devd.conf parsing with the grammar of token.l/parse.y and devd.cc's parse-time semantics."""

import os
from pathlib import Path

import pytest

from laggroam.devd.devdconf import (
    Action,
    DevdConfError,
    Match,
    MediaType,
    load_config,
    load_devd,
    parse_text,
)


def _error(text: str, path: str = "f.conf") -> DevdConfError:
    with pytest.raises(DevdConfError) as info:
        parse_text(text, path)
    return info.value


def test_full_grammar() -> None:
    cf = parse_text(
        "options {\n"
        '\tdirectory "/etc/devd";\n'
        '\tdirectory "/usr/local/etc/devd";\n'
        '\tpid-file "/var/run/devd.pid";\n'
        '\tset my-re "(em|igb)[0-9]+";\n'
        "};\n"
        "notify 10 {\n"
        '\tmatch "system" "IFNET";\n'
        '\tmedia-type "ethernet";\n'
        '\taction "logger $subsystem";\n'
        "};\n"
        'attach 5 { device-name "$my-re"; class "net"; subdevice "!x";\n'
        '\taction "a"; action "b"; };\n',
        "/etc/devd.conf",
    )
    assert cf.directories == ("/etc/devd", "/usr/local/etc/devd")
    assert cf.pid_file == "/var/run/devd.pid"
    assert cf.sets == (("my-re", "(em|igb)[0-9]+"),)
    notify, attach = cf.rules
    assert (notify.kind, notify.priority, notify.line) == ("notify", 10, 7)
    assert notify.where == "/etc/devd.conf:7"
    assert notify.statements == (
        Match("match", "system", "IFNET", False, "^IFNET$", 8),
        MediaType("ethernet", 9),
        Action("logger $subsystem", 10),
    )
    assert (attach.kind, attach.priority, attach.line) == ("attach", 5, 12)
    assert attach.tests == (
        Match("device-name", "device-name", "$my-re", False, "^(em|igb)[0-9]+$", 12),
        Match("class", "class", "net", False, "^net$", 12),
        Match("subdevice", "subdevice", "!x", True, "^x$", 12),
    )
    assert [a.command for a in attach.actions] == ["a", "b"]
    assert cf.warnings == ()


def test_all_three_comment_kinds() -> None:
    cf = parse_text(
        "# hash comment notify 1 { };\n"
        "// slash comment notify 2 { };\n"
        "/* block comment\n"
        '   notify 3 { match "a" "b"; };\n'
        "*/ notify 4 { # trailing\n"
        '  action "x"; // more\n'
        "}; /* one */ /* two */\n"
        'notify 5 { action "y"; };\n'
    )
    assert [(r.priority, r.line) for r in cf.rules] == [(4, 5), (5, 8)]


def test_block_comment_ends_at_the_first_terminator() -> None:
    cf = parse_text('/* a */ notify 1 { action "x"; }; /* b */\n')
    assert [r.priority for r in cf.rules] == [1]


def test_hash_comment_on_a_last_line_without_newline_is_not_a_comment() -> None:
    # flex's "#.*$" needs a newline after it; "#" then falls to the default rule and
    # the comment's words are lexed as tokens.
    assert parse_text('notify 1 { action "x"; };\n# done\n').rules
    err = _error('notify 1 { action "x"; };\n# done')
    assert (err.line, str(err)) == (
        2,
        "f.conf:2: syntax error: 'done', expected options, attach, detach, nomatch or notify",
    )


def test_unterminated_block_comment_is_lexed_as_tokens() -> None:
    cf = parse_text('/* notify 1 { action "x"; };\n', "u.conf")
    assert [r.priority for r in cf.rules] == [1]
    assert cf.warnings == (
        "u.conf:1: stray character '/' ignored (flex default rule)",
        "u.conf:1: stray character '*' ignored (flex default rule)",
    )


def test_string_continuation_drops_backslash_newline_and_blanks() -> None:
    cf = parse_text('options { set re "(ath|\\\n\t\t  iwn)[0-9]+"; };\n')
    assert cf.sets == (("re", "(ath|iwn)[0-9]+"),)


def test_continuation_right_before_the_closing_quote_keeps_the_quote() -> None:
    # token.l's loop copies yytext[len+1] -- the closing quote -- after the skip.
    cf = parse_text('options { set v "ab\\\n   "; };\n')
    assert cf.sets == (("v", 'ab"'),)


def test_backslashes_are_otherwise_kept() -> None:
    cf = parse_text('notify 0 { action "echo \\n \\\\ \\t"; };\n')
    assert cf.rules[0].actions[0].command == "echo \\n \\\\ \\t"


def test_strings_may_span_lines_and_count_them() -> None:
    cf = parse_text('notify 0 {\n action "a\nb";\n match "x"\n "y"; };\n')
    action, match = cf.rules[0].statements
    assert isinstance(action, Action) and action.command == "a\nb"
    assert isinstance(match, Match) and match.line == 4  # line after the string's newline


def test_stray_characters_are_ignored_with_a_warning() -> None:
    cf = parse_text('notify -5 {\r\n\tmatch "a" "b";\r\n};\r\n', "x.conf")
    assert cf.rules[0].priority == 5
    assert cf.warnings == (
        "x.conf:1: stray character '-' ignored (flex default rule)",
        "x.conf:1: stray character '\\r' ignored (flex default rule)",
        "x.conf:2: stray character '\\r' ignored (flex default rule)",
        "x.conf:3: stray character '\\r' ignored (flex default rule)",
    )


def test_number_is_atoi() -> None:
    cf = parse_text(
        'notify 007 { action "a"; }; notify 4294967297 { action "b"; };\n'
        'notify 2147483648 { action "c"; };\n'
    )
    assert [r.priority for r in cf.rules] == [7, 1, -2147483648]


def test_keyword_prefixes_are_identifiers() -> None:
    cf = parse_text('options { set notify0 "a"; set settings "b"; set media-types "c"; };\n')
    assert dict(cf.sets) == {"notify0": "a", "settings": "b", "media-types": "c"}


def test_empty_file_and_empty_blocks() -> None:
    assert parse_text("").rules == ()
    assert parse_text("# nothing\n").rules == ()
    cf = parse_text('nomatch 0 {\n#\taction "logger x";\n};\nnotify 1 { };\n')
    assert cf.rules == ()  # parse.y accepts "{ }" blocks and adds no rule


def test_rule_without_action_is_kept() -> None:
    cf = parse_text('detach 100 {\n\tdevice-name "ed50";\n};\n')
    assert len(cf.rules) == 1 and cf.rules[0].actions == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # a missing ";" is noticed at the next token, on the next line
        (
            'notify 0 {\n\tmatch "a" "b"\n\taction "x";\n};\n',
            3,
            "syntax error: 'action', expected ';'",
        ),
        # unexpected end of file: devd's lineno has counted every newline
        (
            'notify 0 {\n\tmatch "a" "b";\n',
            3,
            "syntax error: end of file, expected match, device-name, media-type, class, "
            "subdevice, action or '}'",
        ),
        ('notify 0 { action ""; };\n', 1, "syntax error: ';', expected a \"string\""),
        ("notify { };\n", 1, "syntax error: '{', expected a priority number"),
        ("options { };\n", 1, "syntax error: '}', expected directory, pid-file or set"),
        ('options { set match "x"; };\n', 1, "syntax error: 'match', expected a variable name"),
        ('options { set 1x "x"; };\n', 1, "syntax error: '1', expected a variable name"),
        ('notify 0 { match "a"; };\n', 1, "syntax error: ';', expected a \"string\""),
        (
            'notify 0 { bogus "a"; };\n',
            1,
            "syntax error: 'bogus', expected match, device-name, "
            "media-type, class, subdevice, action or '}'",
        ),
        (
            'notify 0 { action "a"; }\nnotify 1 { action "b"; };\n',
            2,
            "syntax error: 'notify', expected ';'",
        ),
        (
            '\n\n/* a\nb */ options { directory "/x"; } ;\n\nfoo\n',
            6,
            "syntax error: 'foo', expected options, attach, detach, nomatch or notify",
        ),
        ('notify 0 { action "multi\nline\nstring" x; };\n', 3, "syntax error: 'x', expected ';'"),
    ],
)
def test_syntax_errors_with_devd_line_numbers(text: str, line: int, message: str) -> None:
    err = _error(text, "/usr/local/etc/devd/bad.conf")
    assert err.path == "/usr/local/etc/devd/bad.conf"
    assert err.line == line
    assert err.message == message
    assert str(err) == f"/usr/local/etc/devd/bad.conf:{line}: {message}"


def test_set_variables_are_expanded_at_parse_time_only_from_earlier_sets() -> None:
    cf = parse_text(
        'notify 0 { match "a" "$re"; };\n'
        'options { set re "x+"; };\n'
        'notify 0 { match "a" "$re"; match "b" "!$re|y"; match "c" "$re-x$unset"; };\n'
    )
    first, second = cf.rules
    assert first.tests[0].regex == "^$"  # type: ignore[union-attr]
    regexes = [(m.regex, m.inverted) for m in second.tests]  # type: ignore[union-attr]
    # "$re-x" names the variable "re-x" ("-" is a name character): unset, so empty
    assert regexes == [("^x+$", False), ("^x+|y$", True), ("^$", False)]


def test_set_values_from_earlier_files_and_inversion_marker_only_at_start() -> None:
    base = parse_text('options { set d "iwn"; };\n')
    cf = parse_text('attach 0 { device-name "$d[0-9]"; match "x" "a!b"; };\n', "b", dict(base.sets))
    assert [m.regex for m in cf.rules[0].tests] == ["^iwn[0-9]$", "^a!b$"]  # type: ignore[union-attr]


def test_set_values_are_stored_raw_and_not_rescanned() -> None:
    cf = parse_text('options { set a "x"; set b "$a|$$"; };\nnotify 0 { match "v" "$b"; };\n')
    assert cf.sets == (("a", "x"), ("b", "$a|$$"))
    assert cf.rules[0].tests[0].regex == "^$a|$$$"  # type: ignore[union-attr]


def test_dollar_forms_in_regexes() -> None:
    cf = parse_text('notify 0 { match "a" "x$$y$(z)${w}$1$"; };\n')
    assert cf.rules[0].tests[0].regex == "^x$y$(z)${w}$1$$"  # type: ignore[union-attr]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_load_config_orders_files_and_threads_set_variables(tmp_path: Path) -> None:
    main = _write(
        tmp_path / "devd.conf", 'options { set drv "iwn"; };\nnotify 0 { action "m"; };\n'
    )
    d = tmp_path / "devd"
    _write(d / "b.conf", 'attach 0 { device-name "$drv[0-9]+"; action "b"; };\n')
    _write(d / "a.conf", 'notify 0 { action "a"; };\n')
    _write(d / ".hidden.conf", 'notify 0 { action "h"; };\n')
    _write(d / "skip.txt", "this is not parsed {")
    _write(d / "a.conf.orig", "nor this {")
    cfg = load_config([main, d], order="sorted")
    assert [Path(f.path).name for f in cfg.files] == [
        "devd.conf",
        ".hidden.conf",
        "a.conf",
        "b.conf",
    ]
    assert [r.actions[0].command for r in cfg.rules("notify")] == ["m", "h", "a"]
    assert cfg.rules("attach")[0].tests[0].regex == "^iwn[0-9]+$"  # type: ignore[union-attr]
    readdir = load_config([main, d])
    assert [Path(f.path).name for f in readdir.files[1:]] == [
        e.name for e in os.scandir(d) if e.name.endswith(".conf")
    ]


def test_rules_sorted_by_priority_stable_across_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.conf", 'notify 0 { action "a0"; }; notify 5 { action "a5"; };\n')
    b = _write(tmp_path / "b.conf", 'notify 5 { action "b5"; }; notify 0 { action "b0"; };\n')
    cfg = load_config([a, b])
    assert [r.actions[0].command for r in cfg.rules("notify")] == ["a5", "b5", "a0", "b0"]
    assert [r.order for r in cfg.rules("notify")] == [1, 2, 0, 3]
    assert cfg.rules("attach") == ()


def test_load_devd_follows_directories_under_a_root(tmp_path: Path) -> None:
    _write(
        tmp_path / "etc/devd.conf",
        'options { directory "/etc/devd"; directory "/nonexistent"; '
        'directory "/usr/local/etc/devd"; };\nnotify 0 { action "main"; };\n',
    )
    _write(tmp_path / "etc/devd/dhclient.conf", 'notify 0 { action "dhclient"; };\n')
    _write(tmp_path / "usr/local/etc/devd/laggroam.conf", 'notify 100 { action "hook"; };\n')
    cfg = load_devd(tmp_path / "etc/devd.conf", root=tmp_path)
    assert [r.actions[0].command for r in cfg.rules("notify")] == ["hook", "main", "dhclient"]
    assert cfg.files[-1].path == str(tmp_path / "usr/local/etc/devd/laggroam.conf")


def test_error_in_any_file_names_that_file(tmp_path: Path) -> None:
    good = _write(tmp_path / "devd.conf", 'notify 0 { action "a"; };\n')
    bad = _write(tmp_path / "d" / "bad.conf", "\n\nnotify 0 {\n")
    with pytest.raises(DevdConfError) as info:
        load_config([good, tmp_path / "d"])
    assert (
        str(info.value)
        == f"{bad}:4: syntax error: end of file, expected match, device-name, media-type, "
        "class, subdevice, action or '}'"
    )


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DevdConfError) as info:
        load_config([tmp_path / "nope.conf"])
    assert info.value.line is None
    assert (
        str(info.value)
        == f"{tmp_path / 'nope.conf'}: cannot open config file: No such file or directory"
    )


def test_non_utf8_bytes_are_accepted_like_devd(tmp_path: Path) -> None:
    path = tmp_path / "x.conf"
    path.write_bytes(b'notify 0 { action "echo \xff"; };\n')
    cfg = load_config([path])
    assert os.fsencode(cfg.rules("notify")[0].actions[0].command) == b"echo \xff"
