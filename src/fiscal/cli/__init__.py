"""The command line: the Typer app (:mod:`fiscal.cli.app`), its commands, terminal rendering, JSON.

Nothing below this package imports it; it calls :mod:`fiscal.api` and renders what comes back.
"""

from fiscal.cli.app import main

__all__ = ["main"]
