"""Text that reaches a spreadsheet: never a live formula, never a character Excel refuses.

A place or project name comes from an office's files. Written as it is, a
name such as ``=HYPERLINK("http://…", "Bản Nà")`` or ``=cmd|' /C calc'!A0``
becomes a formula when the CSV is opened in Excel or LibreOffice (CSV or
formula injection). Every CSV writer of ntmgis passes its cells through
:func:`csv_cell` / :func:`csv_frame`, and every XLSX writer through
:func:`xlsx_value` / :func:`set_text`.

CSV, as OWASP recommends: a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a single quote in front
(``'=HYPERLINK(…)``), which spreadsheets show as text. Two kinds of cell are
left alone, because they cannot run anything and quoting them would change
data a person reads:

* numbers (numeric columns are never touched, and a text cell that is a plain
  number, ``-5``, ``-12,5``, ``+84``, ``-1.234,5``, opens as that number);
* a lone ``-`` or ``+``, the "nothing here" placeholder of many tables.

XLSX stores a text cell as text whatever it starts with; only openpyxl's
convenience of turning a ``str`` starting with ``=`` into a formula makes it
live. :func:`set_text` stores such text as a plain string cell with Excel's
"quote prefix" (the cell stays text when a person edits it), so the form
reads back the exact name. Characters the XLSX format cannot hold (ASCII
control characters other than tab, line feed and carriage return) are each
replaced by a space, with a :class:`~ntmgis.core.errors.DataWarning`.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import pandas as pd

from ntmgis.core.errors import DataWarning
from ntmgis.core.i18n import catalog

__all__ = ["FORMULA_STARTS", "csv_cell", "csv_frame", "is_formula_like", "set_text",
           "xlsx_value", "XlsxCleaner"]

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A plain decimal number as offices type it (either decimal mark, thousands
# grouped by "." "," or a space, an exponent): no function, no reference.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[., \u00a0\u202f]\d+)*|\d*[.,]\d+)(?:[eE][+-]?\d+)?%?")
# What openpyxl (and the XLSX format) refuses: C0 controls except tab, LF, CR.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]+")

_m = catalog({
    "control_chars": (
        "{path}: {n} ô có ký tự điều khiển (không ghi được vào Excel), đã thay bằng dấu cách; "
        "ví dụ {example}",
        "{path}: {n} cells held control characters (Excel cannot store them), replaced by "
        "spaces; e.g. {example}",
    ),
})


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see the module's notes)."""
    if not text or not text.startswith(FORMULA_STARTS):
        return False
    if text in ("-", "+"):
        return False
    return _NUMBER.fullmatch(text.strip()) is None or text != text.strip()


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that would be a formula gets a leading ``'``.

    Anything that is not a ``str`` (numbers, dates, None) is returned unchanged.
    """
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to write as CSV: :func:`csv_cell` on its text.

    Only text (object and string) columns are changed, and the column names;
    numeric, boolean and date columns are written as they are.
    """
    out = frame.copy()
    for c in out.columns:
        dtype = out[c].dtype
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            col = out[c]
            if col.map(lambda v: isinstance(v, str) and is_formula_like(v)).any():
                # a list, not Series.map, which would turn None into NaN
                out[c] = pd.Series([csv_cell(v) for v in col], index=col.index, dtype=dtype)
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


class XlsxCleaner:
    """Counts the cells whose control characters :func:`xlsx_value` replaced, to warn once.

    Parameters
    ----------
    path : str
        The workbook, named in the warning.
    lang : {"vi", "en"}
        Language of the warning.
    """

    def __init__(self, path: object = "", lang: str = "vi") -> None:
        self.path, self.lang = str(path), lang
        self.count = 0
        self.example = ""

    def clean(self, text: str) -> str:
        """``text`` with each run of control characters replaced by one space."""
        if not _ILLEGAL.search(text):
            return text
        self.count += 1
        if not self.example:
            self.example = repr(text)
        return _ILLEGAL.sub(" ", text)

    def warn(self, stacklevel: int = 3) -> None:
        """Issue one DataWarning if any cell was cleaned."""
        if self.count:
            warnings.warn(_m("control_chars", self.lang, path=self.path, n=self.count,
                             example=self.example), DataWarning, stacklevel=stacklevel)


def xlsx_value(value: Any, cleaner: XlsxCleaner | None = None) -> Any:
    """``value`` with the characters XLSX cannot hold replaced (text only)."""
    if isinstance(value, str):
        return (cleaner or XlsxCleaner()).clean(value)
    return value


def set_text(cell: Any, value: Any, cleaner: XlsxCleaner | None = None) -> Any:
    """Put ``value`` into an openpyxl ``cell`` as data, never as a formula.

    Text that a spreadsheet would read as a formula is stored as a string cell
    with the quote prefix; reading the file back gives ``value`` exactly (less
    any control characters, see :class:`XlsxCleaner`). Returns the cell.
    """
    v = xlsx_value(value, cleaner)
    cell.value = v
    if isinstance(v, str) and v.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl made "=…" a formula: it is a name
        cell.quotePrefix = True
    return cell
