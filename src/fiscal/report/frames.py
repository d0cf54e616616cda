"""Tables as pandas DataFrames, for notebooks and scripts.

The only module that imports pandas: :mod:`fiscal.api` calls it when a DataFrame is
asked for, so neither the command line nor ``import fiscal`` pays for pandas. Money
columns (``*_krw``) stay exact ``int64`` won; an empty cell in a number column becomes
a missing value (``<NA>`` for money and years, ``NaN`` for ratios). A column that mixes
won and ratios (the rows of a diff's impact, told apart by ``unit``) keeps each value
as it is, in an ``object`` column, rather than turn won into floats.
"""

from __future__ import annotations

import pandas as pd

from fiscal.report.table import Cell, Kind, Table


def frame(table: Table) -> pd.DataFrame:
    """The table's rows under its column names, each column typed by what it holds."""
    data = {
        column.name: _column([row[i] for row in table.rows], column.kind)
        for i, column in enumerate(table.columns)
    }
    out = pd.DataFrame(data, columns=[c.name for c in table.columns])
    out.attrs["name"] = table.name
    return out


def _column(values: list[Cell], kind: Kind) -> pd.Series:
    if kind in ("won", "year"):
        if any(isinstance(v, float) for v in values):
            return pd.Series([None if v == "" else v for v in values], dtype="object")
        if any(v == "" for v in values):
            return pd.Series([None if v == "" else v for v in values], dtype="Int64")
        return pd.Series(values, dtype="int64")
    if kind in ("ratio", "share"):
        return pd.Series([None if v == "" else v for v in values], dtype="float64")
    return pd.Series([str(v) for v in values], dtype="str")
