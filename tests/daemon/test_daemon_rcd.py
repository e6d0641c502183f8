"""conf/rc.d/laggroam: rc.subr conventions, shellcheck, and every command it runs.

rc.subr exists only on FreeBSD, so the script is run here against a small
stand-in that dispatches the way run_rc_command does for ``start`` (precmd,
then ``$command $rc_flags $command_args``) and for custom ``${cmd}_cmd``
commands (freebsd-src libexec/rc/rc.subr run_rc_command).
"""

import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from daemonhelp import POLICY, REPO, WAIT, Daemon, running, wait_for

from laggroam.admin import install
from laggroam.admin.cli import build_parser
from laggroam.exitcodes import EX_CONFIG

SCRIPT = REPO / "conf" / "rc.d" / "laggroam"
SHELLCHECK = Path(sys.executable).parent / "shellcheck"
# daemon(8)'s options: shortopts "+cfHSp:P:ru:o:s:l:t:m:R:T:h" (freebsd-src
# usr.sbin/daemon/daemon.c).
DAEMON_FLAGS = set("cfHSr")
DAEMON_ARGS = set("pPuoslmtRT")

FAKE_RC_SUBR = """\
load_rc_config() { :; }
run_rc_command() {
	eval "_cmd=\\${${1}_cmd}"
	if [ -n "$_cmd" ]; then
		$_cmd
		return $?
	fi
	case "$1" in
	start)
		rc_flags="${laggroam_flags}"
		if [ -n "$start_precmd" ]; then $start_precmd || return 1; fi
		echo "$command $rc_flags $command_args"
		;;
	*) echo "unknown directive $1" >&2; return 1 ;;
	esac
}
"""


def text() -> str:
    return SCRIPT.read_text()


def test_shellcheck_as_sh() -> None:
    proc = subprocess.run(
        [str(SHELLCHECK), "-s", "sh", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


def test_rc_subr_conventions() -> None:
    lines = text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert "# PROVIDE: laggroam" in lines
    assert "# REQUIRE: NETWORKING devd syslogd" in lines
    assert "# KEYWORD: nojail shutdown" in lines
    assert ". /etc/rc.subr" in lines
    assert 'name="laggroam"' in lines
    assert 'rcvar="laggroam_enable"' in lines
    assert 'load_rc_config "$name"' in lines
    assert lines.index('load_rc_config "$name"') < lines.index(': "${laggroam_enable:=NO}"')
    assert any(line.startswith(': "${laggroam_config:=') for line in lines)
    assert lines[-1] == 'run_rc_command "$1"'
    assert 'pidfile="/var/run/${name}.pid"' in lines
    extra = next(line for line in lines if line.startswith("extra_commands="))
    assert set(extra.split("=")[1].strip('"').split()) == {"reload", "check", "resume"}


def daemon_argv(command_args: str) -> tuple[dict[str, str | None], list[str]]:
    """Split daemon(8)'s options from the command it runs, checking each option."""
    words = shlex.split(command_args)
    opts: dict[str, str | None] = {}
    while words and words[0].startswith("-"):
        flag = words.pop(0)[1:]
        assert len(flag) == 1 and flag in DAEMON_FLAGS | DAEMON_ARGS, flag
        opts[flag] = words.pop(0) if flag in DAEMON_ARGS else None
    return opts, words


def installed(tmp: Path) -> tuple[Path, Path]:
    """The rc.d script as installed under a prefix in ``tmp``, run against the fake rc.subr.

    Returns (script, child pidfile).  The fake laggroam command runs this checkout.
    """
    layout = install.Layout(prefix=str(tmp / "usr/local"))
    values = install.substitutions(layout, socket=str(tmp / "sock"))
    install.install(Path("/"), layout, values)
    prog = Path(layout.command)
    prog.parent.mkdir(parents=True, exist_ok=True)
    prog.write_text(f'#!/bin/sh\nexec {sys.executable} -m laggroam "$@"\n')
    prog.chmod(0o755)
    (tmp / "rc.subr").write_text(FAKE_RC_SUBR)
    (tmp / "var/run").mkdir(parents=True, exist_ok=True)
    script = Path(layout.rc_script)
    body = script.read_text().replace(". /etc/rc.subr", f". {tmp}/rc.subr")
    script.write_text(body.replace("/var/run/", f"{tmp}/var/run/"))
    return script, tmp / "var/run/laggroam.child.pid"


def rc(script: Path, command: str, policy: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "laggroam_config": str(policy), "laggroam_flags": "-x"}
    return subprocess.run(
        ["sh", str(script), command],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=env,
        cwd=REPO,
        check=False,
    )


def test_start_runs_the_daemon_verb_under_daemon8(base: Path) -> None:
    script, child_pidfile = installed(base)
    policy = base / "pol" / "laggroam.ini"
    policy.write_text(POLICY)
    proc = rc(script, "start", policy)
    assert proc.returncode == 0, proc.stderr
    command, args = proc.stdout.strip().split(" ", 1)
    assert command == "/usr/sbin/daemon"
    opts, argv = daemon_argv(args)
    assert opts["P"] == f"{base}/var/run/laggroam.pid"
    assert opts["p"] == str(child_pidfile)  # reload signals this one
    assert opts["T"] == "laggroam"
    assert "-x" not in args  # laggroam_flags are not daemon(8)'s
    assert argv[0] == f"{base}/usr/local/bin/laggroam"
    parsed = build_parser().parse_args(argv[1:])
    assert (parsed.command, parsed.config) == ("daemon", str(policy))
    assert not parsed.foreground  # logs to syslog, as the policy says

    # A bad policy stops "start" before daemon(8) runs.
    policy.write_text(POLICY.replace("proto = failover", "proto = x"))
    proc = rc(script, "start", policy)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert re.search(rf"{policy}:\d+: \[lagg0\] proto", proc.stderr)


def test_check_reload_and_resume_reach_the_daemon(base: Path) -> None:
    script, child_pidfile = installed(base)
    d = Daemon(base)
    assert rc(script, "check", d.policy_path).returncode == 0
    assert rc(script, "reload", d.policy_path).returncode == 1  # nothing runs yet

    with running(base) as daemon:
        daemon.wait_ready()
        (base / "sock").symlink_to(daemon.socket)  # where the installed hook sends
        child_pidfile.write_text(f"{daemon.pid}\n")

        proc = rc(script, "reload", daemon.policy_path)
        assert proc.returncode == 0, proc.stderr
        wait_for("the SIGHUP", lambda: "SIGHUP: reloading the policy" in daemon.log())

        n = len(daemon.journal())
        proc = rc(script, "resume", daemon.policy_path)
        assert proc.returncode == 0, proc.stderr
        records = daemon.wait_journal("the resume reconcile", lambda r: len(r) > n)
        assert records[-1]["events"] == ["RESUME"]

        daemon.policy_path.write_text(POLICY.replace("wpa = yes", "wpa = maybe"))
        proc = rc(script, "check", daemon.policy_path)
        assert proc.returncode == EX_CONFIG
        assert f"{daemon.policy_path}:" in proc.stderr
        # reload refuses a bad policy before signalling anything.
        assert rc(script, "reload", daemon.policy_path).returncode == 1
        daemon.signal(signal.SIGTERM)
        assert daemon.exit_code() == 0
