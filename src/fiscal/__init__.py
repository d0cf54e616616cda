"""fiscal: a fiscal decentralisation and investment-agreement calculator.

Rules live in versioned YAML (``rules/korea/`` is the bundled Korean default); the
engine projects each region's budget year by year in whole won; the shell writes
Excel workbooks that say exactly which rules, inputs and version made them.

From Python::

    import fiscal
    result = fiscal.project(fiscal.load_rules(), fiscal.load_inputs())
    result.summary      # a pandas DataFrame
    fiscal.diff("HEAD~1", "HEAD", rules="rules/korea")

The names below come from :mod:`fiscal.api` and are imported on first use, so that
``fiscal --help`` starts without numpy, pandas or pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fiscal.version import __version__

__all__ = [
    "ComparisonResult",
    "ProjectionResult",
    "RuleDiff",
    "UserError",
    "__version__",
    "diff",
    "load_inputs",
    "load_rules",
    "project",
]
_API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from fiscal.api import (
        ComparisonResult,
        ProjectionResult,
        RuleDiff,
        UserError,
        diff,
        load_inputs,
        load_rules,
        project,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        from fiscal import api

        return getattr(api, name)
    raise AttributeError(f"module 'fiscal' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
