"""Opening a workbook to write: the options every workbook `fiscal` writes shares.

- Text is text: xlsxwriter is told never to turn a string into a formula, a number or
  a link, so a name or title that starts with ``=``, ``+``, ``-`` or ``@`` (from a rule
  file, a scenario or an imported template) cannot run in a spreadsheet program.
  Writers still call ``write_string`` for every text cell; these options are the
  second lock.
- Reproducible: the document's timestamp is fixed unless the run was stamped, and the
  workbook is assembled in memory, so its zip entries carry xlsxwriter's fixed date
  (1980-01-01) whatever the clock or time zone. Two runs with the same rules, inputs
  and options write the same bytes.
- Nothing left behind: in memory, xlsxwriter makes no temporary files of its own, so
  a run killed while writing leaves nothing in the temporary folder either (the
  destination is handled by :func:`fiscal.files.atomic.write_atomic`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from fiscal.report.table import FIXED_TIME

OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}


def new_workbook(path: Path, properties: dict[str, str], created: datetime | None = None) -> Any:
    """An xlsxwriter workbook at ``path`` with ``properties`` (title, author, ...) and the
    document timestamp ``created`` (default: the fixed date of an unstamped run)."""
    book = xlsxwriter.Workbook(str(path), OPTIONS)
    book.set_properties({**properties, "created": created or FIXED_TIME})
    return book
