"""Cell readers shared by the table readers: integers, codes with their leading zeros, enums."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.i18n import enum_keys, label
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, is_missing, normalise_code, parse_number
from ntmgis.core.workspace import (
    Workspace,
)
from ntmgis.inputs.columns import ROW, source_column
from ntmgis.inputs.legacy_text import per_unique


def int_cell(df: pd.DataFrame, canon: str, log: IssueLog, path: Path, *, lo: int | None = None,
              hi: int | None = None, key: str = "not_a_number") -> pd.Series:
    """Column ``canon`` as nullable integers; each bad cell logged with its row (then empty)."""
    def one(v: Any) -> tuple[int | None, str | None]:
        try:
            x = parse_number(v)
        except ValueError:
            return None, "not_a_number"
        if x is not None and (not float(x).is_integer()
                              or (lo is not None and not lo <= x <= hi)):
            return None, key
        return (None if x is None else int(x)), None

    res, _ = per_unique(df[canon], one)
    rows, cells = df[ROW].to_numpy(), df[canon].to_numpy(dtype=object)
    for i in np.flatnonzero(np.array([r[1] is not None for r in res], dtype=bool)):
        err = res[i][1]
        if err == "not_a_number":
            log.error("not_a_number", "not_a_number", file=path, row=rows[i],
                      column=source_column(df, canon), value=cells[i])
        else:
            log.error(err, err, file=path, row=rows[i], column=source_column(df, canon),
                      value=cells[i], lo=lo, hi=hi)
    return pd.Series([r[0] for r in res], index=df.index, dtype="Int64")



_PLAIN_CODE = re.compile(r"[0-9A-Za-z_\-/]+")
_DIGITS = re.compile("[0-9]+")


def code_cells(df: pd.DataFrame, canon: str, ws: Workspace, log: IssueLog, path: Path,
               width: int | None) -> pd.Series:
    """Column ``canon`` as code strings, leading zeros restored to ``width`` (and logged)."""
    def one(v: Any) -> tuple[str | None, bool]:
        code = normalise_code(v)
        fixed = normalise_code(v, width)
        return fixed, code is not None and fixed != code

    vals = df[canon].to_numpy(dtype=object)
    # Codes already as they should be (ASCII letters and digits, no zeros to restore) are
    # kept as they are, at once: a national list has a distinct code on every row.
    same = _plain_text(vals, _PLAIN_CODE)
    if width:
        same &= ~(_plain_text(vals, _DIGITS) & (_lengths(vals) < width))
    out = vals.copy()
    lost = np.zeros(len(vals), dtype=bool)
    rest = np.flatnonzero(~same)
    if len(rest):
        res, _ = per_unique(vals[rest], one)
        out[rest] = [r[0] for r in res]
        lost[rest] = [r[1] for r in res]
    rows, cells = df[ROW].to_numpy(), df[canon].to_numpy(dtype=object)
    for i in np.flatnonzero(lost):
        log.warning("code_lost_zero", "code_lost_zero", file=path, row=rows[i],
                    column=source_column(df, canon), value=cells[i], fixed=out[i])
    return pd.Series(out, index=df.index, dtype=object)



# Numbers written plainly, parsed at once (see number_cells): with a decimal comma,
# "1250", "62,071" and "19.868,437" (dots between thousands); with a decimal point,
# "1250" and "62.071".
_PLAIN_NUMBER = {
    ",": re.compile(r"[0-9]+(?:,[0-9]+)?|[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"),
    ".": re.compile(r"[0-9]+(?:\.[0-9]+)?"),
}


def number_cells(cells: Any, decimal: str = ",") -> tuple[np.ndarray, np.ndarray]:
    """Each cell by :func:`~ntmgis.core.text.parse_number`, and where it is not a number.

    The same as ``per_unique(cells, lambda v: parse_number(v, decimal=decimal))``, but
    the cells written plainly are parsed at once: amounts with three decimals are
    distinct on nearly every row of a national investment list.
    """
    vals = np.asarray(cells, dtype=object)
    plain = _plain_text(vals, _PLAIN_NUMBER[decimal])
    res = np.empty(len(vals), dtype=object)
    bad = np.zeros(len(vals), dtype=bool)
    if plain.any():
        text = pd.Series(vals[plain], dtype=object)
        if decimal == ",":  # parse_number's reading of these forms
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        res[plain] = text.astype(float).tolist()
    rest = np.flatnonzero(~plain)
    if len(rest):
        res[rest], bad[rest] = per_unique(vals[rest], lambda v: parse_number(v, decimal=decimal))
    return res, bad


def _plain_text(vals: np.ndarray, pattern: re.Pattern) -> np.ndarray:
    """Which cells are strings matching ``pattern`` entirely (False for anything else)."""
    match = pattern.fullmatch
    # a plain loop: pandas' str.fullmatch costs several times as much per cell
    return np.fromiter((isinstance(v, str) and match(v) is not None for v in vals),
                       dtype=bool, count=len(vals))


def _lengths(vals: np.ndarray) -> np.ndarray:
    """The length of each string cell (0 for anything else)."""
    return np.fromiter((len(v) if isinstance(v, str) else 0 for v in vals), dtype=np.int64,
                       count=len(vals))


def enum_value(value: Any, kind: str) -> str | None:
    """Map a key or a label in either language (accent-tolerant) onto an enum key."""
    if is_missing(value):
        return None
    k = fold(str(value)).replace(" ", "_")
    keys = enum_keys(kind)
    if k in keys:
        return k
    for key in keys:
        for lang in ("vi", "en"):
            if fold(label(kind, key, lang)).replace(" ", "_") == k:
                return key
    return None
