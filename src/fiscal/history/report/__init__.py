"""A rule diff laid out for people and machines, one module per way it is shown.

- :mod:`~fiscal.history.report.tables`: plain-value tables and the diff workbook;
- :mod:`~fiscal.history.report.markdown`: a review comment for a pull request;
- :mod:`~fiscal.history.report.as_json`: every row and exact numbers, for CI;
- :mod:`~fiscal.history.report.terminal`: the same content as rich tables;
- :mod:`~fiscal.history.report.wording`: how changes and amounts are written in both
  the terminal and markdown.

The names below are the ones the API and the command line use.
"""

from fiscal.history.report.as_json import change_json, history_json, to_json
from fiscal.history.report.markdown import history_markdown, to_markdown
from fiscal.history.report.tables import (
    attribution_table,
    changes_table,
    diff_book,
    impact_table,
    provenance_rows,
)
from fiscal.history.report.terminal import history_rich, to_rich
from fiscal.history.report.wording import DEFAULT_TOP, versions_line

__all__ = [
    "DEFAULT_TOP",
    "attribution_table",
    "change_json",
    "changes_table",
    "diff_book",
    "history_json",
    "history_markdown",
    "history_rich",
    "impact_table",
    "provenance_rows",
    "to_json",
    "to_markdown",
    "to_rich",
    "versions_line",
]
