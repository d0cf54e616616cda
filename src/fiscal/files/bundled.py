"""Where the bundled Korean ruleset and example inputs live.

In a wheel they are package data under ``fiscal/_bundled``; in a checkout (or an
editable install) they are the repository's own ``rules/`` and ``examples/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def _bundled(*parts: str) -> Path:
    installed = _PACKAGE.joinpath("_bundled", *parts)
    if installed.exists():
        return installed
    return _PACKAGE.parent.parent.joinpath(*parts)


def default_rules() -> Path:
    return _bundled("rules", "korea")


def default_inputs() -> Path:
    return _bundled("examples", "korea-2025")
