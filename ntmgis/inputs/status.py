"""Criteria status tables, long or wide.

Long: one row per unit, year, criterion; wide: one column per criterion, values such as
"Đạt", "Chưa đạt", "x", 1/0).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.periods import accepted_forms, period_end
from ntmgis.core.text import is_missing
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import (
    TableConfig,
    Workspace,
)
from ntmgis.inputs.cells import code_cells, int_cell
from ntmgis.inputs.columns import (
    ROW,
    add_messages,
    column_key,
    map_columns,
    report,
    row_ranges,
    source_column,
)
from ntmgis.inputs.legacy_text import per_unique
from ntmgis.inputs.tables import read_table

#: What an empty criterion cell means, as ``blank = "..."`` in ``[tables.commune_status]``
#: or ``[tables.village_status]`` declares it; not declared, it means "unknown".
BLANK_MEANINGS = ("unknown", "not_met")

#: Undeclared blanks above this share of the criterion cells are worth a warning: an
#: office that ticks "x" for met and leaves not-met blank would otherwise see "no data"
#: everywhere and gap queries would miss those communes.
BLANK_WARN_SHARE = 0.1

add_messages({
    "bad_period": ("'{value}' không phải ngày hay kỳ báo cáo",
                   "'{value}' is not a date or reporting period"),
    "bad_period.expected": ("{expected}", "{expected}"),
    "period_range": ("ngày/kỳ '{value}' có năm ngoài khoảng {lo}-{hi}",
                     "date/period '{value}' has a year outside {lo}-{hi}"),
    "year_mismatch": ("kỳ '{value}' không thuộc năm {year} ghi ở cột năm",
                      "period '{value}' is not in the year {year} of the year column"),
    "no_when": ("dòng không có năm, ngày hay kỳ báo cáo", "the row has no year, date or period"),
    "missing_criterion": (
        "bảng dạng rộng thiếu cột của tiêu chí {missing}: cả {rows} dòng không có số liệu "
        "các tiêu chí này (tính là chưa có số liệu)",
        "the wide table has no column for criteria {missing}: all {rows} rows lack data for "
        "them (counted as no data)",
    ),
    "missing_criterion.expected": ("một cột cho mỗi tiêu chí ({expected})",
                                   "one column per criterion ({expected})"),
    "blank_cells": (
        "{count} trong {total} ô tiêu chí để trống (dòng {rows}); ô trống đang được hiểu là "
        "“chưa có số liệu”. Nếu đơn vị chỉ đánh dấu tiêu chí đạt và để trống tiêu chí chưa "
        "đạt, khai báo blank = \"not_met\" trong [tables.{table}] của ntmgis.toml; nếu ô trống "
        "đúng là chưa có số liệu, khai báo blank = \"unknown\" để tắt cảnh báo này",
        "{count} of {total} criterion cells are blank (rows {rows}); blanks are read as "
        "“no data”. If the office ticks met criteria and leaves not-met ones blank, declare "
        "blank = \"not_met\" in [tables.{table}] of ntmgis.toml; if blanks really are no data, "
        "declare blank = \"unknown\" to silence this warning",
    ),
    "blank_cells.expected": ("khai báo ý nghĩa của ô trống (blank = \"not_met\" hoặc "
                             "\"unknown\")",
                             "the meaning of a blank declared (blank = \"not_met\" or "
                             "\"unknown\")"),
    "bad_blank": (
        "[tables.{table}] blank = '{value}' không hợp lệ; dùng \"not_met\" (ô trống là chưa "
        "đạt) hoặc \"unknown\" (ô trống là chưa có số liệu)",
        "[tables.{table}] blank = '{value}' is not valid; use \"not_met\" (a blank is not "
        "met) or \"unknown\" (a blank is no data)",
    ),
    "bad_blank.expected": ("not_met hoặc unknown", "not_met or unknown"),
})


def _blank_meaning(cfg: TableConfig, ws: Workspace, log: IssueLog) -> str | None:
    """The declared meaning of an empty criterion cell, or None when not declared."""
    value = cfg.options.get("blank")
    if value is None:
        return None
    if value not in BLANK_MEANINGS:
        report(log, "error", "bad_option", "bad_blank", file=ws.config_path, column="blank",
               value=value, table=cfg.name)
        return None
    return str(value)


def _apply_blank(mets: np.ndarray, cells: pd.Series, meaning: str | None) -> np.ndarray:
    """``mets`` with empty cells read as ``meaning`` (0 for "not_met", else left unknown)."""
    blank = cells.isna().to_numpy(dtype=bool)
    if meaning == "not_met":
        mets = mets.copy()
        mets[blank] = 0
    return mets


def _warn_blanks(blank_rows: np.ndarray, first_column: str, total: int, cfg: TableConfig,
                 meaning: str | None, log: IssueLog) -> None:
    """Warn when many criterion cells are blank and the workspace did not say what that means."""
    count = len(blank_rows)
    if meaning is not None or not total or count / total < BLANK_WARN_SHARE:
        return
    rows = np.unique(blank_rows)
    report(log, "warning", "blank_cells", "blank_cells", file=cfg.path, row=int(rows[0]),
           column=first_column, value=count, count=count, total=total,
           rows=row_ranges(rows), table=cfg.name)


def read_status(cfg: TableConfig, ws: Workspace, log: IssueLog, cset: CriteriaSet,
                *, code_width: int | None) -> pd.DataFrame | None:
    """Criteria status in long form: ``code, year, criterion, met, _row, _column``.

    Wide tables (``form = "wide"``) have one column per criterion, found by the
    ``criterion_columns`` pattern (``"TC{n}"``) or by names such as ``TC5``,
    ``tc05``, ``Tiêu chí 5``; a criterion of the set without its column is an error.

    An empty criterion cell means what the table's ``blank`` option declares:
    ``"unknown"`` (no data, the default) or ``"not_met"``. Undeclared blanks in
    more than :data:`BLANK_WARN_SHARE` of the cells are a warning naming the rows.
    """
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    meaning = _blank_meaning(cfg, ws, log)
    lo_y, hi_y = ws.years[0], ws.years[-1]
    numbers = set(cset.numbers)
    if cfg.form == "wide":
        base = map_columns(df, cfg.fields, ("code",), ("year", "date", "period", "name"),
                           path=path, log=log, context=cfg.name)
        if "code" not in base or not _has_when(base, path, log):
            return None
        pattern = cfg.options.get("criterion_columns")
        crit_cols: dict[str, int] = {}
        if pattern:
            rx = re.compile("^" + re.escape(column_key(pattern)).replace(r"\{n\}", r"0*(\d+)")
                            + "$")
        else:
            rx = re.compile(r"^(?:tc|tieuchi|tchi|vc|criterion|c)0*(\d+)$")
        for c in df.columns:
            m = rx.match(column_key(c))
            if m:
                crit_cols[c] = int(m.group(1))
        if not crit_cols:
            log.error("missing_column", "missing_column", file=path,
                      column=pattern or "TC1..TC19", configured=pattern or "TC{n}",
                      available=", ".join(map(str, df.columns[:-1])), expected="TC1..TC19")
            return None
        for c, n in crit_cols.items():
            if n not in numbers:
                log.error("criterion_range", "criterion_range", file=path, column=c, value=n,
                          lo=min(numbers), hi=max(numbers))
        missing = sorted(numbers - set(crit_cols.values()))
        if missing:
            names = [(pattern or "TC{n}").replace("{n}", str(n)) for n in missing]
            report(log, "error", "missing_column", "missing_criterion", file=path,
                   column=names[0], value=", ".join(names), missing=", ".join(names),
                   rows=len(df), expected=f"{min(numbers)}..{max(numbers)}")
        codes = code_cells(base, "code", ws, log, path, code_width)
        years, dates = _when(base, log, path, lo_y, hi_y, log.lang)
        parts = []
        blank_rows: list[np.ndarray] = []
        first_blank_col = ""
        for c, n in crit_cols.items():
            if n not in numbers:
                continue
            mets, bad = per_unique(df[c], parse_met)
            for i in np.flatnonzero(bad):
                log.error("bad_status_value", "bad_status_value", file=path,
                          row=df[ROW].iloc[i], column=c, value=df[c].iloc[i])
            empty = df[c].isna().to_numpy(dtype=bool)
            if empty.any():
                blank_rows.append(df[ROW].to_numpy()[empty])
                first_blank_col = first_blank_col or c
            mets = _apply_blank(mets, df[c], meaning)
            parts.append(pd.DataFrame({"code": codes, "year": years,
                                       "criterion": pd.array([n] * len(df), dtype="Int64"),
                                       "met": pd.array(mets, dtype="Int64"), ROW: df[ROW],
                                       "_column": c, "date": dates}))
        rows_blank = np.concatenate(blank_rows) if blank_rows else np.array([], dtype=int)
        _warn_blanks(rows_blank, first_blank_col, len(df) * len(parts), cfg, meaning, log)
        long = pd.concat(parts, ignore_index=True)
        if "name" in base:
            long["name"] = np.tile(base["name"].to_numpy(dtype=object), len(parts))
    else:
        base = map_columns(df, cfg.fields, ("code", "criterion", "met"),
                           ("year", "date", "period", "name"), path=path, log=log,
                           context=cfg.name)
        if not {"code", "criterion", "met"} <= set(base.columns) \
                or not _has_when(base, path, log):
            return None
        mets, bad = per_unique(base["met"], parse_met)
        for i in np.flatnonzero(bad):
            log.error("bad_status_value", "bad_status_value", file=path, row=base[ROW].iloc[i],
                      column=source_column(base, "met"), value=base["met"].iloc[i])
        empty = base["met"].isna().to_numpy(dtype=bool)
        _warn_blanks(base[ROW].to_numpy()[empty], source_column(base, "met"), len(base), cfg,
                     meaning, log)
        mets = _apply_blank(mets, base["met"], meaning)

        def crit_number(v: Any) -> int:
            m = re.search(r"\d+", str(v or ""))
            n = int(m.group()) if m else None
            if n not in numbers:
                raise ValueError(v)
            return n

        crit, bad = per_unique(base["criterion"], crit_number)
        for i in np.flatnonzero(bad):
            log.error("criterion_range", "criterion_range", file=path, row=base[ROW].iloc[i],
                      column=source_column(base, "criterion"), value=base["criterion"].iloc[i],
                      lo=min(numbers), hi=max(numbers))
        years, dates = _when(base, log, path, lo_y, hi_y, log.lang)
        long = pd.DataFrame({
            "code": code_cells(base, "code", ws, log, path, code_width),
            "year": years, "date": dates,
            "criterion": pd.array(crit, dtype="Int64"),
            "met": pd.array(mets, dtype="Int64"),
            ROW: base[ROW],
            "_column": source_column(base, "met"),
        })
        if "name" in base:
            long["name"] = base["name"].to_numpy(dtype=object)
    if not long["date"].notna().any():
        long = long.drop(columns="date")  # yearly data: as they always were
    else:  # with reports by day, a row with only a year stands for its 31/12
        long["date"] = long["date"].where(long["date"].notna(),
                                          long["year"].astype("string") + "-12-31")
    long.attrs["path"] = str(path)
    return long


def _has_when(base: pd.DataFrame, path: Any, log: IssueLog) -> bool:
    """Whether the table says when each row was reported (a year, a date or a period)."""
    if {"year", "date", "period"} & set(base.columns):
        return True
    log.error("missing_column", "missing_column", file=path, column="year",
              configured="year / date / period", expected="year, date, period",
              available=", ".join(str(c) for c in base.attrs.get("source_columns", {}).values()))
    return False


def _when(base: pd.DataFrame, log: IssueLog, path: Any, lo: int, hi: int,
          lang: str) -> tuple[pd.Series, pd.Series]:
    """Each row's year and, for a row reported by date or period, the day it stands for.

    Offices report by month, quarter, 6 and 9 months (the plan's section VIII): a
    ``date`` (``2025-09-30``, ``30/09/2025``) or ``period`` (``2025-Q3``, ``2025-9T``)
    column gives the day a row stands for, as an ISO date, and its year. A row with only
    a year gets no date (a year stands for its 31/12). A cell that is no date or period
    is an error naming row, column and value, with the accepted forms.
    """
    n = len(base)
    years = (int_cell(base, "year", log, path, lo=lo, hi=hi, key="year_range")
             if "year" in base else pd.Series([pd.NA] * n, index=base.index, dtype="Int64"))
    year_of = years.to_numpy(dtype="float64", na_value=np.nan)
    dates = np.full(n, None, dtype=object)
    given = np.zeros(n, dtype=bool)  # a cell was there (a bad one is reported once)
    rows = base[ROW].to_numpy()
    for col in ("date", "period"):
        if col not in base:
            continue
        cells = base[col].to_numpy(dtype=object)
        todo = (dates == None) & ~np.array([is_missing(v) for v in cells], dtype=bool)  # noqa: E711
        given |= todo
        # a monthly table repeats few days: each distinct cell is parsed once
        days, bad = per_unique(np.where(todo, cells, None), lambda v: period_end(v, lang=lang))
        column = source_column(base, col)
        for i in np.flatnonzero(todo & bad):
            report(log, "error", "bad_period", "bad_period", file=path, row=rows[i],
                   column=column, value=cells[i], expected=accepted_forms(lang))
        ok = todo & ~bad
        dy = np.array([d.year if d is not None else 0 for d in days], dtype=float)
        out_of_range = ok & ((dy < lo) | (dy > hi))
        for i in np.flatnonzero(out_of_range):
            report(log, "error", "year_range", "period_range", file=path, row=rows[i],
                   column=column, value=cells[i], lo=lo, hi=hi)
        ok &= ~out_of_range
        mismatch = ok & ~np.isnan(year_of) & (year_of != dy)
        for i in np.flatnonzero(mismatch):
            report(log, "error", "year_mismatch", "year_mismatch", file=path, row=rows[i],
                   column=column, value=cells[i], year=int(year_of[i]))
        dates[ok] = [d.isoformat() for d in days[ok]]
        fill = ok & np.isnan(year_of)
        year_of[fill] = dy[fill]
    years = pd.Series(pd.array([None if np.isnan(y) else int(y) for y in year_of],
                               dtype="Int64"), index=base.index)
    dates = pd.Series(dates, index=base.index, dtype=object)
    for i in np.flatnonzero(years.isna().to_numpy() & dates.isna().to_numpy() & ~given):
        if "year" not in base:  # neither a year nor a date: the row cannot be placed
            report(log, "error", "missing_value", "no_when", file=path, row=rows[i],
                   column=source_column(base, "date" if "date" in base else "period"),
                   value="")
    return years, dates
