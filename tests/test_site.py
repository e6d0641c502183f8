"""The site: where a host's files and programs are, read from DIR/site.ini."""

from pathlib import Path

import pytest
from laggroam_sim import site as sim_site

from laggroam.admin import cli
from laggroam.core.programs import Programs
from laggroam.edge.site import SITE_FILE, Site, SiteError
from laggroam.exitcodes import EX_CONFIG, EX_NOINPUT


def _site_dir(tmp_path: Path, text: str) -> Path:
    (tmp_path / "root").mkdir(exist_ok=True)
    (tmp_path / SITE_FILE).write_text(text)
    return tmp_path


def test_the_real_site_is_freebsds_root_and_programs() -> None:
    real = Site.real()
    assert real.root == Path("/")
    assert real.programs == Programs()
    assert real.path("/var/db/laggroam") == Path("/var/db/laggroam")


def test_relative_paths_are_the_site_directorys(tmp_path: Path) -> None:
    text = "[site]\nroot = root\n[programs]\nifconfig = bin/ifconfig\npath = bin:/usr/bin\n"
    site = Site.load(_site_dir(tmp_path, text))
    base = tmp_path.resolve()
    assert site.root == base / "root"
    assert site.programs.ifconfig == str(base / "bin/ifconfig")
    assert site.programs.path == f"{base / 'bin'}:/usr/bin"
    # what the file does not name is FreeBSD's; the pidfiles are under the root
    assert site.programs.service == Programs().service
    assert site.programs.root == str(base / "root")
    assert site.path("/var/run/laggroam.sock") == base / "root/var/run/laggroam.sock"


def test_the_simulators_site_file_reads_back_as_its_site(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    sim_site.write(tmp_path)
    assert Site.load(tmp_path) == sim_site.site_of(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[programs]\nps = bin/ps\n", "site.ini:1: [site] needs root"),
        ("[site]\nroot = root\n[programs]\npss = bin/ps\n", "site.ini:4: unknown key 'pss'"),
        ("[site]\nroot = root\n\n[extra]\n", "site.ini:4: unknown section [extra]"),
        ("[site]\nroot = nowhere\n", "site.ini:2: root "),
        ("[site]\nroot = root\nroot = root\n", "site.ini:3: duplicate key 'root'"),
        ("[site]\nroot = root\n[programs]\nps =\n", "site.ini:4: ps is empty"),
        ("[site]\nroot = root\n[programs]\npath = bin::/bin\n", "site.ini:4: path 'bin::/bin'"),
        ("root = root\n", "site.ini:1: 'root = root' comes before any [section] header"),
    ],
)
def test_a_bad_site_file_is_one_line_at_its_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SiteError) as caught:
        Site.load(_site_dir(tmp_path, text))
    problem = str(caught.value)
    assert "\n" not in problem
    assert problem.startswith(str(tmp_path.resolve() / SITE_FILE))
    assert message in problem, problem


def test_the_command_reports_a_bad_or_missing_site_and_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--site", str(tmp_path), "status"]) == EX_NOINPUT
    assert (
        f"laggroam: {tmp_path.resolve() / SITE_FILE}: no site file here" in capsys.readouterr().err
    )
    _site_dir(tmp_path, "[site]\nroot = root\n[programs]\nifconfg = bin/ifconfig\n")
    assert cli.main(["status", "--sim", str(tmp_path)]) == EX_CONFIG
    err = capsys.readouterr().err
    assert err.startswith(f"laggroam: {tmp_path.resolve() / SITE_FILE}:4: unknown key 'ifconfg'")
    assert err.count("\n") == 1


def test_the_man_page_names_every_program_a_site_file_may_give() -> None:
    from laggroam.edge.site import PROGRAM_KEYS

    page = (Path(__file__).resolve().parents[1] / "man" / "laggroam.8").read_text()
    item = page.split(".It Fl -site Ar dir , Fl -sim Ar dir\n", 1)[1].split("\n.It ", 1)[0]
    named = {
        w.strip(",;")
        for line in item.splitlines()
        if line.startswith(".Li ")
        for w in line.split()[1:]
    }
    assert set(PROGRAM_KEYS) <= named, set(PROGRAM_KEYS) - named
