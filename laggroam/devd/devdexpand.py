"""``$name`` in devd.conf strings, expanded as devd expands it (sbin/devd/devd.cc).

devd expands a ``match`` regex when it parses it (``match::match``) and an
action when it runs it (``action::do_action``, values shell-quoted); both
go through ``expand_one``, one function here that the parser (``devdconf``)
and the matcher (``devdmatch``) share.
"""

from collections.abc import Callable

from laggroam.devd.devdlex import ALPHA, ID_CHARS


def shell_quote(value: str) -> str:
    """``$'...'`` with ``'`` and ``\\`` backslash-escaped (devd.cc ``shell_quote``)."""
    return "$'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def expand_string(src: str, lookup: Callable[[str], str], *, quote: bool) -> str:
    """Expand ``$name`` like devd.cc ``expand_one``; ``quote`` shell-quotes values (actions).

    ``$$`` -> ``$``; ``$(`` passes through up to the ``)`` that brings devd's count,
    which starts at 1 and counts that first ``(``, back to 0; ``$`` before anything but a
    letter, ``_``, ``-`` or ``*`` passes through (``${x}``, ``$1``, ``$ ``); otherwise
    the name is that character and every following ``[A-Za-z0-9_-]``, so ``$subsystem-up``
    is the variable ``subsystem-up``.  A ``$`` at the very end is kept: devd appends the
    string's NUL after it and reads past the end (undefined behaviour), and everything it
    reads there is cut off again by that NUL when the result is used as a C string.
    """
    out: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        j = src.find("$", i)
        if j < 0:
            out.append(src[i:])
            break
        out.append(src[i:j])
        i = j + 1
        if i >= n:
            out.append("$")
            break
        c = src[i]
        if c == "$":
            out.append("$")
            i += 1
        elif c == "(":
            # devd.cc expand_one starts its count at 1 and then counts the
            # "(" it stands on, so "$(cmd)" needs a second ")" to close:
            # "$(cmd) $var" passes through whole, $var unexpanded, to the
            # next unmatched ")" or the end of the string.
            out.append("$")
            depth = 1
            while depth > 0 and i < n:
                ch = src[i]
                if ch == ")":
                    depth -= 1
                elif ch == "(":
                    depth += 1
                out.append(ch)
                i += 1
        elif c not in ALPHA and c not in "_-*":
            out.append("$" + c)
            i += 1
        else:
            start = i
            i += 1
            while i < n and src[i] in ID_CHARS:
                i += 1
            value = lookup(src[start:i])
            out.append(shell_quote(value) if quote else value)
    return "".join(out)
