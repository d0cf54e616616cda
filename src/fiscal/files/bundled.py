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
    """The bundled Korean ruleset (``rules/korea``): the default when no rules folder is named."""
    return _bundled("rules", "korea")


def default_inputs() -> Path:
    """The bundled 2025 example inputs (``examples/korea-2025``): the default inputs folder."""
    return _bundled("examples", "korea-2025")


def bundled_folder(path: Path) -> Path | None:
    """The bundled folder (ruleset or example inputs) that ``path`` is or lies in, if any.

    What fiscal ships is never a place to write: an import there would change the
    installed package (or, in a checkout, the examples every user starts from).
    """
    try:
        resolved = path.resolve()
    except OSError:
        return None
    for folder in (default_rules(), default_inputs()):
        if resolved.is_relative_to(folder.resolve()):
            return folder
    return None
