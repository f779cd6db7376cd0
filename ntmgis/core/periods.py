"""Reporting periods: the year, quarter, 6 and 9 months, month and day offices report for.

The plan asks for reports "hàng tháng, quý, 06 tháng, 9 tháng, năm" (section VIII).
A :class:`Period` is parsed from what a user types (``2025``, ``2025-Q3``, ``2025-6T``,
``2025-9T``, ``2025-T10``, ``2025-10-31``), knows its first and last day, its label in
Vietnamese and English and the previous period of the same kind.

:func:`values_at` answers "what was known at the end of a period": for each key of a
long table whose rows carry a year, a period or a date, the latest value reported on or
before the period's last day, the value at the end of the previous period of the same
kind (for "change since") and the day each was reported. A year means 31/12 of that
year, so yearly tables keep working as they are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.errors import DataError, OptionError
from ntmgis.core.i18n import catalog
from ntmgis.core.text import is_missing, nfc
from ntmgis.core.workspace import YEAR_RANGE

__all__ = ["Period", "PeriodError", "KINDS", "parse_period", "accepted_forms", "period_end",
           "end_dates", "values_at"]

#: The kinds of period, shortest last: ``year``, ``nine_months`` (1/1 to 30/9),
#: ``six_months`` (1/1 to 30/6), ``quarter``, ``month``, ``day``.
KINDS = ("year", "nine_months", "six_months", "quarter", "month", "day")

_ROMAN = ("", "I", "II", "III", "IV")
_MONTHS_EN = tuple(calendar.month_name)

_MSG = {
    "bad": ("kỳ báo cáo '{value}' không đọc được; các dạng hợp lệ: {forms}",
            "reporting period '{value}' cannot be read; accepted forms: {forms}"),
    "range": ("năm {year} của kỳ '{value}' ngoài khoảng {lo}–{hi}",
              "year {year} of period '{value}' is outside {lo}-{hi}"),
    "forms": ("2025 (năm), 2025-Q3 (quý III), 2025-6T (6 tháng đầu năm), 2025-9T (9 tháng), "
              "2025-T10 (tháng 10), 2025-10-31 hoặc 31/10/2025 (một ngày)",
              "2025 (year), 2025-Q3 (third quarter), 2025-6T (first 6 months), 2025-9T "
              "(first 9 months), 2025-T10 (October), 2025-10-31 or 31/10/2025 (a day)"),
    "cell": ("cột '{column}'{row}: {reason}", "column '{column}'{row}: {reason}"),
    "row": (", dòng {row}", ", row {row}"),
    "no_when": ("bảng cần cột năm (year), kỳ (period) hoặc ngày (date)",
                "the table needs a year, period or date column"),
    "year": ("Năm {y}", "Year {y}"),
    "quarter": ("Quý {r}/{y}", "Q{n} {y}"),
    "six_months": ("6 tháng đầu năm {y}", "First 6 months of {y}"),
    "nine_months": ("9 tháng năm {y}", "First 9 months of {y}"),
    "month": ("Tháng {n}/{y}", "{month} {y}"),
    "day": ("Ngày {d:%d/%m/%Y}", "{d.day} {month} {y}"),
}
_m = catalog(_MSG)


class PeriodError(OptionError):
    """A period that cannot be read; ``value`` is what was given, ``forms`` the accepted ones."""

    def __init__(self, message: str, *, value: Any = None, forms: str = "") -> None:
        super().__init__(message)
        self.value = value
        self.forms = forms


def accepted_forms(lang: str = "vi") -> str:
    """The forms :func:`parse_period` accepts, as a sentence in ``lang``."""
    return _m("forms", lang)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. Build it with :func:`parse_period` (or the constructors below).

    Attributes
    ----------
    end : datetime.date
        The last day (first field: periods sort by their end, then their start).
    start : datetime.date
        The first day.
    kind : str
        One of :data:`KINDS`.
    """

    end: dt.date
    start: dt.date
    kind: str

    # ---- constructors ----
    @classmethod
    def of_year(cls, year: int) -> Period:
        """The calendar year ``year``."""
        return cls(dt.date(year, 12, 31), dt.date(year, 1, 1), "year")

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        """Quarter ``quarter`` (1-4) of ``year``."""
        last = quarter * 3
        return cls(dt.date(year, last, calendar.monthrange(year, last)[1]),
                   dt.date(year, last - 2, 1), "quarter")

    @classmethod
    def of_months(cls, year: int, months: int) -> Period:
        """The first 6 or 9 months of ``year`` (``6T``, ``9T``)."""
        kind = {6: "six_months", 9: "nine_months"}[months]
        return cls(dt.date(year, months, 30), dt.date(year, 1, 1), kind)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        """Month ``month`` of ``year``."""
        return cls(dt.date(year, month, calendar.monthrange(year, month)[1]),
                   dt.date(year, month, 1), "month")

    @classmethod
    def of_day(cls, day: dt.date) -> Period:
        """A single day (a report's date)."""
        return cls(day, day, "day")

    # ---- what it is ----
    @property
    def year(self) -> int:
        """The year the period lies in."""
        return self.end.year

    @property
    def number(self) -> int:
        """The quarter (1-4), the month (1-12), or the months counted (6, 9); else 0."""
        return {"quarter": (self.end.month + 2) // 3, "month": self.end.month,
                "six_months": 6, "nine_months": 9}.get(self.kind, 0)

    @property
    def key(self) -> str:
        """The canonical text, which :func:`parse_period` reads back.

        ``2025``, ``2025-Q3``, ``2025-6T``, ``2025-9T``, ``2025-T10``, ``2025-10-31``.
        """
        y = self.year
        return {"year": f"{y}", "quarter": f"{y}-Q{self.number}", "six_months": f"{y}-6T",
                "nine_months": f"{y}-9T", "month": f"{y}-T{self.number}",
                "day": self.end.isoformat()}[self.kind]

    def __str__(self) -> str:
        return self.key

    def label(self, lang: str = "vi") -> str:
        """The period's name in ``lang``.

        ``Quý III/2025``, ``6 tháng đầu năm 2025``, ``Tháng 10/2025``, ``Năm 2025`` (vi);
        ``Q3 2025``, ``First 6 months of 2025``, ``October 2025``, ``Year 2025`` (en).
        """
        n = self.number
        return _m(self.kind, lang, y=self.year, n=n, r=_ROMAN[n] if self.kind == "quarter"
                  else "", month=_MONTHS_EN[self.end.month], d=self.end)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` lies within the period (both ends included)."""
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind before this one.

        The quarter or month before; the same 6 or 9 months, or the same day, of the year
        before (29 February becomes 28 February); the year before.
        """
        y = self.year
        if self.kind == "year":
            return Period.of_year(y - 1)
        if self.kind == "quarter":
            q = self.number
            return Period.of_quarter(y - 1, 4) if q == 1 else Period.of_quarter(y, q - 1)
        if self.kind == "month":
            m = self.number
            return Period.of_month(y - 1, 12) if m == 1 else Period.of_month(y, m - 1)
        if self.kind in ("six_months", "nine_months"):
            return Period.of_months(y - 1, self.number)
        day = self.end
        return Period.of_day(day.replace(year=y - 1, day=min(
            day.day, calendar.monthrange(y - 1, day.month)[1])))


_FORMS = (
    (re.compile(r"^(\d{4})$"), lambda y: Period.of_year(y)),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), lambda y, q: Period.of_quarter(y, q)),
    (re.compile(r"^Q([1-4])[-/]?(\d{4})$"), lambda q, y: Period.of_quarter(y, q)),
    (re.compile(r"^(\d{4})-?([69])(?:T|M|TH)$"), lambda y, n: Period.of_months(y, n)),
    (re.compile(r"^(\d{4})-?H1$"), lambda y: Period.of_months(y, 6)),
    (re.compile(r"^(\d{4})-?[TM](\d{1,2})$"), lambda y, m: Period.of_month(y, m)),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda y, m: Period.of_month(y, m)),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:T00:00(?::00)?)?$"),
     lambda y, m, d: Period.of_day(dt.date(y, m, d))),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$"),
     lambda d, m, y: Period.of_day(dt.date(y, m, d))),
)


def _bad(value: Any, lang: str) -> PeriodError:
    forms = accepted_forms(lang)
    return PeriodError(_m("bad", lang, value=value, forms=forms), value=value, forms=forms)


def parse_period(value: Any, *, lang: str = "vi") -> Period:
    """Read a period from text, a year, a date or a :class:`Period`.

    Parameters
    ----------
    value : str, int, datetime.date or Period
        ``"2025"`` or ``2025`` (the year), ``"2025-Q3"`` (a quarter; ``Q3/2025`` too),
        ``"2025-6T"`` / ``"2025-9T"`` (the first 6 or 9 months; ``6M``, ``9M``, ``H1``
        too), ``"2025-T10"`` (a month; ``2025-10``, ``2025-M10`` too), an ISO date
        ``"2025-10-31"`` or ``"31/10/2025"`` (a day). Case and spaces do not matter.
    lang : {"vi", "en"}
        Language of the error message.

    Raises
    ------
    PeriodError
        An :class:`~ntmgis.core.errors.OptionError` naming the value and listing the
        accepted forms, when the text is none of these or its year is outside
        :data:`~ntmgis.core.workspace.YEAR_RANGE`.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, dt.datetime | pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.date):
        p = Period.of_day(value)
    elif isinstance(value, bool) or is_missing(value):
        raise _bad(value, lang)
    elif isinstance(value, int | np.integer) or (isinstance(value, float | np.floating)
                                                 and float(value).is_integer()):
        p = _from_text(str(int(value)), value, lang)
    else:
        p = _from_text(re.sub(r"\s+", "", nfc(str(value))).upper(), value, lang)
    if not YEAR_RANGE[0] <= p.year <= YEAR_RANGE[1]:
        raise PeriodError(_m("range", lang, year=p.year, value=value, lo=YEAR_RANGE[0],
                             hi=YEAR_RANGE[1]), value=value, forms=accepted_forms(lang))
    return p


def _from_text(text: str, value: Any, lang: str) -> Period:
    for rx, make in _FORMS:
        if m := rx.match(text):
            try:
                return make(*(int(g) for g in m.groups()))
            except ValueError:  # month 13, 31 February
                raise _bad(value, lang) from None
    raise _bad(value, lang)


def period_end(value: Any, *, lang: str = "vi") -> dt.date:
    """The day a value reported for ``value`` (a year, period or date) stands for: its end."""
    return parse_period(value, lang=lang).end


def end_dates(cells: pd.Series, *, lang: str = "vi", column: str | None = None,
              rows: Sequence[int] | None = None) -> pd.Series:
    """Each cell's period end as a ``datetime64`` day (empty cells stay NaT).

    Raises
    ------
    DataError
        At the first cell that is not a year, a period or a date, naming its column, its
        row (``rows``: the spreadsheet's row numbers, else the position + 2) and value.
    """
    column = column or str(cells.name)
    memo: dict[Any, Any] = {}
    out = []
    for i, v in enumerate(cells.tolist()):
        if is_missing(v):
            out.append(pd.NaT)
            continue
        k = (type(v), v)
        if k not in memo:
            try:
                memo[k] = pd.Timestamp(period_end(v, lang=lang))
            except PeriodError as exc:
                row = int(rows[i]) if rows is not None else i + 2
                raise DataError(_m("cell", lang, column=column, row=_m("row", lang, row=row),
                                   reason=str(exc)), row=row, column=column, value=v,
                                expected=exc.forms) from None
        out.append(memo[k])
    return pd.Series(pd.to_datetime(out), index=cells.index, dtype="datetime64[ns]")


def _when_column(df: pd.DataFrame, when: str | None, lang: str) -> str:
    if when is not None:
        return when
    for c in ("date", "period", "year"):
        if c in df.columns:
            return c
    raise OptionError(_m("no_when", lang))


def values_at(table: pd.DataFrame, period: Any, *, keys: Sequence[str],
              value: str | Sequence[str] = "value", when: str | None = None,
              lang: str = "vi") -> pd.DataFrame:
    """For each key, the latest value known at the end of ``period`` and at the previous one.

    Parameters
    ----------
    table : DataFrame
        Long form: ``keys`` columns, the ``value`` column(s) and a ``when`` column.
    period : Period or str or int
        The reporting period (anything :func:`parse_period` reads).
    keys : sequence of str
        Columns that identify one series (``["code", "criterion"]``).
    value : str or sequence of str
        The value column(s) to carry.
    when : str, optional
        The column saying when each row was reported: a year (31/12 of it), a period
        (its last day) or a date. Default: ``date``, else ``period``, else ``year``.
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    DataFrame
        One row per key with a value reported on or before the period's end, sorted by
        the keys: the keys, each value column, ``reported`` (the day that value stands
        for), ``previous_<value>`` and ``previous_reported`` (the same at the end of
        :meth:`Period.previous`; empty when nothing was known then) and, for numeric
        values, ``change_<value>`` (value minus previous). With a single value column
        the names are ``value`` / ``previous_value`` / ``change``. Rows reported for the
        same day: the last one in the table wins. A row whose value columns are all
        empty reports nothing: the value known before it stands (as in
        :mod:`ntmgis.monitoring.milestones`).

    Raises
    ------
    PeriodError
        ``period`` cannot be read.
    DataError
        A cell of ``when`` is not a year, period or date (its row and column named; the
        ``_row`` column, when present, gives the spreadsheet's row numbers).
    """
    p = parse_period(period, lang=lang)
    prev = p.previous()
    values = [value] if isinstance(value, str) else list(value)
    col = _when_column(table, when, lang)
    keys = list(keys)
    rows = table["_row"].tolist() if "_row" in table.columns else None
    df = table[keys + values].copy()
    df["reported"] = end_dates(table[col], lang=lang, column=col, rows=rows).to_numpy()
    df["_order"] = np.arange(len(df))
    # A row whose values are all empty reports nothing: it must not hide what an
    # earlier report said (the milestones carry the last known value the same way).
    said = df[values].notna().any(axis=1)
    df = df[df["reported"].notna() & said].sort_values(["reported", "_order"], kind="stable")

    def latest(until: dt.date) -> pd.DataFrame:
        known = df[df["reported"] <= pd.Timestamp(until)]
        return known.groupby(keys, dropna=False).tail(1).set_index(keys).sort_index()

    now, before = latest(p.end), latest(prev.end)
    out = now[values + ["reported"]].copy()
    single = len(values) == 1 and values[0] == "value"
    for v in values:
        pv = before[v].reindex(out.index)
        out[f"previous_{v}"] = pv
        if pd.api.types.is_numeric_dtype(out[v]) and not pd.api.types.is_bool_dtype(out[v]):
            change = pd.to_numeric(out[v], errors="coerce") - pd.to_numeric(pv, errors="coerce")
            out["change" if single else f"change_{v}"] = change
    out["previous_reported"] = before["reported"].reindex(out.index)
    out = out.reset_index()
    out.attrs["period"] = p.key
    out.attrs["previous"] = prev.key
    return out
