"""Starting fast: ``--help`` is complete, fits the terminal and loads nothing heavy; shell
completion writes the script of the shell it is asked for."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

import fiscal.cli.app as cli
from tests.conftest import REPO, run_fiscal

HEAVY = (
    "pandas",
    "numpy",
    "numpy_financial",
    "openpyxl",
    "xlsxwriter",
    "pydantic",
    "rich",
    "fiscal.api",
    "fiscal.engine",
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;\d+)*m")
MARKUP = re.compile(r"\[/?(?:bold|dim|italic|underline|red|green|yellow|cyan)?\]")


def _group() -> Any:
    return typer.main.get_command(cli.app)


def _pages() -> list[tuple[str, ...]]:
    return [(), *((name,) for name in _group().commands)]


def _help(*args: str, columns: int = 200) -> str:
    done = CliRunner().invoke(cli.app, [*args, "--help"], env={"COLUMNS": str(columns)})
    assert done.exit_code == 0, done.output
    return done.output


def _flat(text: str) -> str:
    """The words of a help page or a help text, without boxes, markup or line breaks."""
    return " ".join(MARKUP.sub("", text).translate(BOXES).split())


BOXES = str.maketrans(dict.fromkeys("╭╮╰╯│─", " "))


def _loaded(*args: str) -> set[str]:
    """The heavy modules a real ``fiscal ARGS`` process has imported when it exits."""
    code = (
        "import sys\n"
        f"sys.argv = ['fiscal', *{list(args)!r}]\n"
        "from fiscal.cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED=' + ','.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("LOADED="))
    modules = set(line.removeprefix("LOADED=").split(","))
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


# --- what the help says ------------------------------------------------------------------------


def test_help_lists_every_command_with_the_first_paragraph_of_its_help() -> None:
    page = _flat(_help())
    for name, command in _group().commands.items():
        summary = _flat(command.help.split("\n\n")[0])
        assert f"{name} {summary}" in page, name
    for option in ("--version", "--install-completion", "--show-completion", "--help"):
        assert option in page
    assert "Exit codes: 0 ok, 1 user error" in page


@pytest.mark.parametrize("name", sorted(_group().commands))
def test_command_help_shows_every_argument_and_option_with_its_help_and_default(
    name: str,
) -> None:
    command = _group().commands[name]
    output = _help(name)
    page = _flat(output)
    assert _flat(command.help) in page  # the description and its examples
    assert not MARKUP.search(output), "rich markup shown as text"
    for param in command.params:
        is_option = param.opts[0].startswith("-")
        for shown in param.opts if is_option else [param.metavar or param.name]:
            assert shown in page, f"fiscal {name}: {shown}"
        if param.help:
            assert _flat(param.help) in page, f"fiscal {name}: help of {param.name}"
        default = param.default
        if default not in (None, False, ()) and not callable(default):
            assert f"[default: {default}]" in page, f"fiscal {name}: default of {param.name}"
        if param.required:
            assert "[required]" in page


@pytest.mark.parametrize("columns", [50, 80, 100])
def test_help_fits_the_terminal_and_its_panels_are_closed(columns: int) -> None:
    for page in _pages():
        lines = _help(*page, columns=columns).splitlines()
        for line in lines:
            # Width in terminal cells: a Korean character (억) takes two.
            assert cell_len(line) <= columns, f"fiscal {' '.join(page)} --help: {line!r}"
            if line and line[0] in "╭│╰":
                assert cell_len(line) == columns and line[-1] in "╮│╯", line


def test_no_arguments_shows_the_help_and_exits_with_a_usage_error() -> None:
    done = run_fiscal()
    assert done.returncode == 2
    assert "Usage: fiscal [OPTIONS] COMMAND [ARGS]..." in done.stdout
    assert "validate" in done.stdout


# --- on a terminal -----------------------------------------------------------------------------


def _on_a_terminal(*args: str, **env: str) -> str:
    """What ``fiscal ARGS`` prints on a (pseudo-)terminal."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ |= {"PYTHONPATH": str(REPO / "src"), "COLUMNS": "120", "TERM": "xterm", **env}
    pid, fd = pty.fork()
    if pid == 0:  # the child: fiscal, on the terminal
        os.execve(sys.executable, [sys.executable, "-m", "fiscal", *args], environ)
    out = b""
    with contextlib.suppress(OSError):  # the terminal closes when fiscal exits
        while chunk := os.read(fd, 65536):
            out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8").replace("\r\n", "\n")


def test_help_on_a_terminal_is_in_colour_and_says_the_same() -> None:
    shown = _on_a_terminal("project", "--help")
    assert COLOUR.search(shown)
    text = ANSI.sub("", shown)
    assert "╭─ Options" in text
    assert _flat(text) == _flat(run_fiscal("project", "--help").stdout)


def test_no_color_leaves_the_help_without_colour_on_a_terminal() -> None:
    shown = _on_a_terminal("--help", NO_COLOR="")
    assert not COLOUR.search(shown)
    assert "Commands" in shown


# --- what starting costs -----------------------------------------------------------------------


@pytest.mark.parametrize("args", [*((*page, "--help") for page in _pages()), ()])
def test_help_loads_no_heavy_library_but_rich(args: tuple[str, ...]) -> None:
    """typer draws help pages with rich; nothing else heavy is loaded for them."""
    loaded = _loaded(*args)
    assert {m for m in loaded if m.split(".")[0] != "rich"} == set()


def test_version_loads_no_heavy_library() -> None:
    assert _loaded("--version") == set()


def test_validate_loads_no_workbook_dataframe_or_terminal_library() -> None:
    loaded = {m.split(".")[0] for m in _loaded("validate")}
    assert not loaded & {"pandas", "openpyxl", "xlsxwriter", "numpy_financial", "rich"}


# --- shell completion --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "script"),
    [
        ("bash", "complete -o default -F _fiscal_completion fiscal"),
        ("zsh", "#compdef fiscal"),
        ("fish", "complete --command fiscal"),
    ],
)
def test_show_completion_writes_the_script_of_the_shell_named(shell: str, script: str) -> None:
    """Whatever shell started fiscal (or none, as in CI): the one named is the one written."""
    done = run_fiscal("--show-completion", shell)
    assert done.returncode == 0, done.stderr
    assert script in done.stdout


def test_show_completion_for_an_unknown_shell_says_so() -> None:
    done = run_fiscal("--show-completion", "tcsh")
    assert done.returncode == 1
    assert "Shell tcsh not supported." in done.stderr
