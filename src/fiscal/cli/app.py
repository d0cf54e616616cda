"""The `fiscal` command line: parses options, calls :mod:`fiscal.api`, renders the result.

It computes nothing itself: each command is a call or two of the Python API, then
printing. Heavy libraries (numpy, pandas, pydantic, xlsxwriter) are imported inside
the commands that need them, so ``fiscal --help`` (drawn by typer with rich) and shell
completion start fast.

Conventions every command follows: ``--help`` shows examples; a command that prints a
table takes ``--json`` (exact numbers, for scripts); commands that write or check take
``--quiet``; colour is off when ``NO_COLOR`` is set or the output is not a terminal.

The commands live in modules by audience (:mod:`~fiscal.cli.budget`,
:mod:`~fiscal.cli.maintainers`, :mod:`~fiscal.cli.auditors`, :mod:`~fiscal.cli.staff`),
sharing the options and checks of :mod:`~fiscal.cli.options`; this module is the Typer
app, the order of its commands and the entry point. Exit codes are listed in
``EXIT_CODES`` (:mod:`fiscal.cli.options`).
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from fiscal import __version__
from fiscal.cli import auditors, budget, maintainers, staff
from fiscal.cli.options import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USER_ERROR
from fiscal.errors import UserError

if TYPE_CHECKING:
    from typer._click import Context


class FiscalGroup(TyperGroup):
    """The ``fiscal`` command: typer's, with shell completion for the shell named after
    ``--show-completion`` or ``--install-completion``."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Typer's argument parsing, after writing the completion script for a shell named."""
        # typer's completion flags guess the shell from the parent process and ignore a
        # name after them, so `fiscal --show-completion bash` fails ("Shell  not
        # supported.") where no shell started fiscal, e.g. in CI. A name given is the shell.
        if len(args) > 1 and args[0] in COMPLETION_FLAGS and not args[1].startswith("-"):
            flag = next(p for p in self.params if args[0] in p.opts)
            if flag.callback is not None:
                flag.callback(ctx, flag, args[1])  # typer's: writes the script, then exits
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Context) -> object:
        """Run the command; a reader that stops reading (``fiscal project | head -3``) is
        a success, said nowhere: click would exit 1, and a pipeline under ``set -o
        pipefail`` would fail for a table that was read as far as wanted."""
        import errno

        try:
            return super().invoke(ctx)
        except OSError as exc:
            if not isinstance(exc, BrokenPipeError) and exc.errno != errno.EPIPE:
                raise
            _quiet_closed_pipe()
            raise typer.Exit(0) from None


def _quiet_closed_pipe() -> None:
    """Point standard output (and error, if closed too) at the null device, so the flush
    at exit does not fail again with "Exception ignored ... BrokenPipeError"."""
    import os

    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(null, stream.fileno())
    os.close(null)


COMPLETION_FLAGS = ("--show-completion", "--install-completion")

app = typer.Typer(
    name="fiscal",
    help="Fiscal decentralisation and investment-agreement calculator: project every "
    "region's budget from versioned YAML rules into an Excel workbook.",
    epilog="Start with [bold]fiscal project[/] (the bundled Korean rules and 2025 inputs). "
    "Every command has examples in its --help; tables print as JSON with --json. "
    "Shell completion: [bold]fiscal --install-completion[/]. Guides: docs/quickstart.md. "
    "Exit codes: 0 ok, 1 user error, 2 usage error, 3 rules changed (diff), "
    "4 mismatch (verify), 70 bug, 130 interrupted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=FiscalGroup,
    # typer converts each option's value with pydantic unless it is a bool already; its own
    # flags default to None, so `fiscal project --help` would import pydantic just to read
    # None as "not given". False says the same, and is a bool.
    context_settings={
        "default_map": {"help": False, "install_completion": False, "show_completion": False}
    },
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fiscal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Fiscal decentralisation and investment-agreement calculator."""


# The commands, in the order ``fiscal --help`` lists them.
for _command in (
    budget.project,
    budget.compare,
    budget.explain,
    budget.sweep,
    budget.synth,
    budget.agreements,
    maintainers.validate,
    maintainers.schema,
    auditors.diff,
    auditors.history,
    auditors.verify,
    staff.template,
):
    app.command()(_command)
app.command("import")(staff.import_)


_INTERRUPTED: list[int] = []


def _stop_signals() -> list[int]:
    """Ctrl-C (SIGINT), a kill (SIGTERM) and a closed terminal (SIGHUP, where it exists)."""
    import signal

    found: list[int] = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):
        found.append(signal.SIGHUP)
    return found


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C, a kill or a closed terminal: stop the run cleanly, whatever it is doing.

    The exception unwinds the command, so an unfinished file or folder is dropped
    (:mod:`fiscal.files.atomic`); a second signal is ignored until that is done.
    """
    import signal

    _INTERRUPTED.append(signum)
    for number in _stop_signals():
        signal.signal(number, signal.SIG_IGN)
    raise KeyboardInterrupt


def _no_color_when_set() -> None:
    """fiscal turns colour off when ``NO_COLOR`` is set at all, as :func:`render.console`
    reads it; rich, which draws typer's help and usage errors, only when it is not empty."""
    import os

    if os.environ.get("NO_COLOR") == "":
        os.environ["NO_COLOR"] = "1"


def main() -> None:
    """Entry point: run the app, turning user errors into messages and bugs into a log."""
    import signal

    _INTERRUPTED.clear()
    before = {}
    with contextlib.suppress(ValueError):  # only the main thread may; a test may call main()
        for number in _stop_signals():
            before[number] = signal.signal(number, _interrupt)
    try:
        _run()
    finally:  # for a caller that runs main() in its own process, as the tests do
        for number, handler in before.items() if not _INTERRUPTED else ():
            signal.signal(number, handler)


def _stdout_is_null() -> bool:
    """Whether standard output is the null device (rich points it there on a closed pipe)."""
    import os

    try:
        here, null = os.fstat(sys.stdout.fileno()), os.stat(os.devnull)
    except (OSError, ValueError, AttributeError):
        return False
    return (here.st_dev, here.st_ino) == (null.st_dev, null.st_ino)


def _run() -> None:
    _no_color_when_set()
    null_before = _stdout_is_null()
    try:
        try:
            app(prog_name="fiscal")
        except SystemExit as exc:
            # typer turns Ctrl-C into a silent exit 130; say what happened.
            if _INTERRUPTED:
                raise KeyboardInterrupt from None
            # rich meets a closed pipe by pointing standard output at the null device and
            # exiting 1; the reader simply stopped reading (`| head`), which is a success.
            if exc.code == 1 and not null_before and _stdout_is_null():
                raise SystemExit(0) from None
            raise
    except UserError as exc:
        from fiscal.cli import render

        render.problems(exc.problems)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        print("fiscal: interrupted; no file was left half-written.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception:  # a bug: keep the traceback out of the user's way, but keep it
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile(
            "w", prefix="fiscal-crash-", suffix=".log", delete=False, encoding="utf-8"
        ) as log:
            traceback.print_exc(file=log)
        print(
            f"fiscal: internal error (this is a bug in fiscal {__version__}); "
            f"the traceback is in {log.name}",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
