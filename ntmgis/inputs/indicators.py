"""Indicator values and a province's thresholds, as offices keep them in tables.

``[tables.indicator_values]`` is long (``code``, ``year`` or ``date``, ``indicator``,
``value``, optional ``met``) or wide (``form = "wide"``: ``code``, ``year``, one column
per indicator key such as ``10`` or ``CT 17.1``). ``[tables.indicator_thresholds]``
holds the province's own thresholds (``indicator``, ``value``, optional ``class``,
``year``, ``source``), which win over the set's. Format: ``docs/CRITERIA_SETS.md``.

The table may also be a filled ntmgis indicator form (``ntmgis forms`` writes
``bieu_chi_tieu_xa.xlsx`` when the set has indicators): it is recognised by its
marker whatever ``form`` says, read as the wide table it is (columns ``code``,
``name``, ``year``, ``ct10``, ``ct17.1`` ...), and each issue's message starts
with the sheet and cell, ``ChiTieu!E7: ...``, its row being the sheet's.

The readers return canonical frames and log every bad cell (file, row, column,
value, expected) into an :class:`~ntmgis.core.issue_log.IssueLog`; they never judge
whether a value meets its threshold (that is :mod:`ntmgis.monitoring.indicators`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet, Indicator, Threshold
from ntmgis.core.errors import DataError
from ntmgis.core.i18n import catalog, t
from ntmgis.core.issue_log import ERROR, WARNING, Issue, IssueLog
from ntmgis.core.text import fold, is_missing, nfc, parse_number
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import TableConfig, Workspace, is_database_url
from ntmgis.inputs.cells import code_cells
from ntmgis.inputs.columns import ROW, column_key, find_column, map_columns, source_column
from ntmgis.inputs.forms import FIRST_ROW, HEADER_ROWS, SHEET_NAMES, form_grid, form_kind
from ntmgis.inputs.tables import read_table

__all__ = ["read_indicator_values", "read_indicator_thresholds", "indicator_key",
           "class_key", "VALUE_COLUMNS"]

#: Columns of the frame :func:`read_indicator_values` returns.
VALUE_COLUMNS = ("code", "year", "indicator", "value", "met", ROW, "_column")

# Names offices give the columns of these tables (the workspace's aliases know
# none of them); a ``fields`` mapping in ntmgis.toml wins over these.
_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "chi_tieu", "chitieu", "ma_chi_tieu", "ct"),
    "value": ("value", "gia_tri", "giatri", "so_lieu", "ket_qua_so"),
    "date": ("date", "ngay", "ngay_danh_gia", "thoi_diem"),
    "class": ("class", "nhom", "vung", "group", "nhom_xa"),
    "requirement_vi": ("requirement_vi", "yeu_cau", "chi_tieu_yeu_cau"),
}

_MSG: dict[str, tuple[str, str]] = {
    "unknown_indicator": ("chỉ tiêu '{value}' không có trong bộ {set}",
                          "indicator '{value}' is not in the set {set}"),
    "share_range": ("tỷ lệ {value} ngoài khoảng 0-100%", "share {value} is outside 0-100%"),
    "negative_value": ("số âm {value} cho chỉ tiêu {indicator} ({unit})",
                       "negative value {value} for indicator {indicator} ({unit})"),
    "bad_date": ("không đọc được năm từ '{value}'", "cannot read a year from '{value}'"),
    "no_year": ("cần cột năm (year) hoặc ngày (date)", "a year or a date column is needed"),
    "duplicate_value": (
        "chỉ tiêu {indicator} của xã {code} năm {year} khai hai lần (đã có ở dòng {first}); "
        "dùng dòng đầu",
        "indicator {indicator} of commune {code} in {year} is given twice (first at row "
        "{first}); the first is used"),
    "unknown_class": ("nhóm/vùng '{value}' không có trong bộ {set}",
                      "class '{value}' is not in the set {set}"),
    "no_threshold_value": ("ngưỡng của chỉ tiêu số {indicator} cần một số",
                           "the threshold of numeric indicator {indicator} needs a number"),
    "exp_indicator": ("một chỉ tiêu của bộ: {keys}", "an indicator of the set: {keys}"),
    "exp_share": ("một tỷ lệ từ 0 đến 100", "a share from 0 to 100"),
    "exp_positive": ("số không âm", "a number ≥ 0"),
    "exp_number": ("một số", "a number"),
    "exp_date": ("một ngày (31/12/2024) hoặc năm (2024)", "a date (31/12/2024) or a year (2024)"),
    "exp_year": ("năm từ {lo} đến {hi}", "a year from {lo} to {hi}"),
    "exp_class": ("một trong: {keys}", "one of: {keys}"),
    "exp_once": ("mỗi xã, năm, chỉ tiêu một dòng", "one row per commune, year and indicator"),
    "province_source": ("{file}, dòng {row} (ngưỡng của tỉnh)",
                        "{file}, row {row} (province threshold)"),
    "other_form": ("{path} là biểu '{found}', không phải biểu số liệu chỉ tiêu",
                   "{path} is a '{found}' form, not the indicator values form"),
    "exp_form": ("biểu chỉ tiêu (ntmgis forms) hoặc bảng dài/rộng",
                 "the indicator form (ntmgis forms) or a long or wide table"),
}

_m = catalog(_MSG, t)

_KEY = re.compile(r"(\d+(?:[.,]\d+)*)")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def _issue(log: IssueLog, severity: str, check: str, key: str, *, file: Path, row: Any = None,
           column: str = "", value: Any = None, expected: str = "", **kw: Any) -> None:
    """Record an issue whose message is this module's own (IssueLog.add knows only ``t``)."""
    msg = _m(key, log.lang, value=value, **kw)
    log.issues.append(Issue(severity, check, msg, log._rel(file),
                            None if row is None else int(row), column or "",
                            "" if value is None else str(value), expected))


def indicator_key(value: Any) -> str | None:
    """The indicator key in a cell or column name: ``"CT 17.1"`` -> ``"17.1"``."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    m = _KEY.search(str(value))
    return m.group(1).replace(",", ".") if m else None


def _fields(df: pd.DataFrame, cfg: TableConfig, wanted: tuple[str, ...]) -> dict[str, str]:
    """The configured fields, plus this module's aliases for the columns not configured."""
    fields = dict(cfg.fields)
    cols = [c for c in df.columns if c != ROW]
    for canon in wanted:
        if canon not in fields and canon in _ALIASES:
            hit = find_column(cols, _ALIASES[canon])
            if hit is not None:
                fields[canon] = hit
    return fields


def _years(base: pd.DataFrame, ws: Workspace, log: IssueLog, path: Path) -> pd.Series:
    """The year of each row, from ``year`` or else ``date``; bad cells logged, then empty.

    The year before the workspace's first is accepted too: the plan's baselines
    (income per head of 2020) are reported for it.
    """
    lo, hi = ws.years[0] - 1, ws.years[-1]
    col = "year" if "year" in base else "date"
    out: list[int | None] = []
    for v, row in zip(base[col], base[ROW].tolist(), strict=True):
        y = None
        if not is_missing(v):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                y = int(v) if float(v).is_integer() else None
            else:
                found = _YEAR.findall(str(v))
                y = int(found[0]) if len(found) == 1 else None
            if y is None:
                _issue(log, ERROR, "not_a_number", "bad_date", file=path, row=row,
                       column=source_column(base, col), value=v,
                       expected=_m("exp_date", log.lang))
            elif not lo <= y <= hi:
                log.error("year_range", "year_range", file=path, row=row,
                          column=source_column(base, col), value=v, lo=lo, hi=hi,
                          expected=_m("exp_year", log.lang, lo=lo, hi=hi))
                y = None
        out.append(y)
    return pd.Series(out, index=base.index, dtype="Int64")


def _cell(ind: Indicator, v: Any, decimal: str, log: IssueLog, path: Path, row: Any,
          column: str) -> tuple[float | None, int | None]:
    """``(value, met)`` of one cell of indicator ``ind``; a bad cell is logged and empty."""
    if is_missing(v):
        return None, None
    if ind.kind == "yes_no":
        try:
            return None, parse_met(v)
        except ValueError:
            log.error("bad_status_value", "bad_status_value", file=path, row=row,
                      column=column, value=v)
            return None, None
    try:
        x = parse_number(v, decimal=decimal)
    except ValueError:
        log.error("not_a_number", "not_a_number", file=path, row=row, column=column, value=v)
        return None, None
    if x is None:
        return None, None
    if ind.is_share and not 0 <= x <= 100:
        _issue(log, ERROR, "share_range", "share_range", file=path, row=row, column=column,
               value=v, expected=_m("exp_share", log.lang))
        return None, None
    if not ind.is_share and x < 0:
        _issue(log, ERROR, "negative", "negative_value", file=path, row=row, column=column,
               value=v, indicator=ind.key, unit=ind.unit or "–",
               expected=_m("exp_positive", log.lang))
        return None, None
    return x, None


def _expected_keys(cset: CriteriaSet, lang: str) -> str:
    keys = [i.key for i in cset.indicators]
    shown = ", ".join(keys[:12]) + (" …" if len(keys) > 12 else "")
    return _m("exp_indicator", lang, keys=shown or "–")


def read_indicator_values(ws: Workspace, log: IssueLog, cset: CriteriaSet
                          ) -> pd.DataFrame | None:
    """The workspace's indicator values in long form, or None when it declares none.

    Parameters
    ----------
    ws : Workspace
        Its ``[tables.indicator_values]`` is read (``form = "long"`` or ``"wide"``).
    log : IssueLog
        Receives every bad cell: values that are not numbers, unknown indicator
        keys, shares outside 0-100 (unit "%"), negative amounts, bad years,
        repeated rows.
    cset : CriteriaSet
        The set the keys belong to (``load_criteria_set(ws.commune_set)``).

    Returns
    -------
    DataFrame or None
        ``code`` (text, leading zeros restored to ``[area] code_width``),
        ``year`` (Int64), ``indicator`` (key), ``value`` (float or NaN),
        ``met`` (the reported met: Int64 1/0/NA), ``_row``, ``_column``; one row
        per commune, year and indicator (the first of repeated rows). From an
        indicator form, ``_row`` is the sheet's row and ``_column`` the column's
        key (``ct10``).
    """
    cfg = ws.table("indicator_values")
    if cfg is None:
        return None
    path = cfg.path
    known = {i.key: i for i in cset.indicators}
    kind = None if is_database_url(path) else form_kind(path)
    if kind is not None and kind != "indicator_values":
        _issue(log, ERROR, "form", "other_form", file=path, value=kind, path=log._rel(path),
               found=kind, expected=_m("exp_form", log.lang))
        return None
    if kind == "indicator_values":
        df = _form_table(cfg.path, log)
        if df is None:
            return None
        start = len(log.issues)
        # the form's own column names, whatever fields the table had before it was a form
        long = _wide(df, replace(cfg, form="wide", fields={}), ws, log, cset, known)
        _cite_cells(log, start, path, df.attrs["sheet"], df.attrs["letters"])
    else:
        df = read_table(cfg, ws, log)
        if df is None:
            return None
        if cfg.form == "wide":
            long = _wide(df, cfg, ws, log, cset, known)
        else:
            long = _long(df, cfg, ws, log, cset, known)
    if long is None:
        return None
    long = long.dropna(subset=["code", "year", "indicator"])
    dup = long.duplicated(["code", "year", "indicator"], keep="first")
    if dup.any():
        first = long[~dup].set_index(["code", "year", "indicator"])[ROW]
        for r in long[dup].to_dict("records"):
            k = (r["code"], r["year"], r["indicator"])
            _issue(log, WARNING, "duplicate_code", "duplicate_value", file=path,
                   row=r[ROW], column=r["_column"], value=r["indicator"], code=r["code"],
                   year=r["year"], indicator=r["indicator"], first=first.get(k),
                   expected=_m("exp_once", log.lang))
        long = long[~dup]
    order = {k: n for n, k in enumerate(known)}
    long = long.assign(_o=long["indicator"].map(order))
    long = long.sort_values(["code", "year", "_o"], kind="stable").drop(columns="_o")
    long = long.reset_index(drop=True)[list(VALUE_COLUMNS)]
    long.attrs["path"] = str(path)
    return long


def _form_table(path: Path, log: IssueLog) -> pd.DataFrame | None:
    """A filled indicator form as a wide table: columns by their row-3 keys, cells as typed.

    ``_row`` is the sheet's row; rows left entirely empty are skipped. The frame's
    ``attrs`` hold the sheet's name and each column's letter, for the messages.
    """
    from openpyxl.utils import get_column_letter

    try:
        grid = form_grid(path, "indicator_values", lang=log.lang)
    except DataError as exc:
        log.error("form", "file_unreadable", file=path, path=log._rel(path), reason=str(exc))
        return None
    keys = grid[HEADER_ROWS - 1] if len(grid) >= HEADER_ROWS else []
    col_of: dict[str, int] = {}
    for j, v in enumerate(keys):
        if isinstance(v, str) and v.strip():
            col_of.setdefault(nfc(v.strip()), j)  # the first of repeated keys, as read_form
    data: dict[str, list[Any]] = {k: [] for k in col_of}
    rows = []
    for i, raw in enumerate(grid[HEADER_ROWS:], start=FIRST_ROW):
        cells = {k: (raw[j] if j < len(raw) else None) for k, j in col_of.items()}
        if all(is_missing(v) for v in cells.values()):
            continue
        for k, v in cells.items():
            data[k].append(nfc(v) if isinstance(v, str) else v)
        rows.append(i)
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    df[ROW] = np.array(rows, dtype="int64")
    df.attrs.update(path=str(path), sheet=SHEET_NAMES["indicator_values"],
                    letters={k: get_column_letter(j + 1) for k, j in col_of.items()})
    return df


def _cite_cells(log: IssueLog, start: int, path: Path, sheet: str,
                letters: dict[str, str]) -> None:
    """Start the messages of the form's issues (from ``start`` on) with their cell.

    ``ChiTieu!E7: tỷ lệ 140 ngoài khoảng 0-100%``; an issue about a whole column
    (an unknown indicator) names the column's key in row 3.
    """
    where = log._rel(path)
    for n in range(start, len(log.issues)):
        issue = log.issues[n]
        letter = letters.get(issue.column)
        if issue.file != where or letter is None:
            continue
        row = HEADER_ROWS if issue.row is None else issue.row
        log.issues[n] = replace(issue, message=f"{sheet}!{letter}{row}: {issue.message}")


def _long(df: pd.DataFrame, cfg: TableConfig, ws: Workspace, log: IssueLog,
          cset: CriteriaSet, known: dict[str, Indicator]) -> pd.DataFrame | None:
    path = cfg.path
    fields = _fields(df, cfg, ("indicator", "value", "date"))
    base = map_columns(df, fields, ("code", "indicator"), ("year", "date", "value", "met"),
                       path=path, log=log, context=cfg.name)
    if not {"code", "indicator"} <= set(base.columns):
        return None
    if "year" not in base and "date" not in base:
        _issue(log, ERROR, "missing_column", "no_year", file=path, column="year",
               expected="year / nam / date / ngay")
        return None
    codes = code_cells(base, "code", ws, log, path, ws.code_width)
    years = _years(base, ws, log, path)
    keys, values, mets = [], [], []
    vcol = source_column(base, "value")
    mcol = source_column(base, "met")
    for i, row in enumerate(base[ROW].tolist()):
        key = indicator_key(base["indicator"].iat[i])
        ind = known.get(key) if key else None
        if ind is None:
            if not is_missing(base["indicator"].iat[i]):
                _issue(log, ERROR, "unknown_indicator", "unknown_indicator", file=path, row=row,
                       column=source_column(base, "indicator"), value=base["indicator"].iat[i],
                       set=cset.key, expected=_expected_keys(cset, log.lang))
            keys.append(None)
            values.append(None)
            mets.append(None)
            continue
        x, met = (_cell(ind, base["value"].iat[i], ws.decimal, log, path, row, vcol)
                  if "value" in base else (None, None))
        if "met" in base and not is_missing(base["met"].iat[i]):
            try:
                met = parse_met(base["met"].iat[i])
            except ValueError:
                log.error("bad_status_value", "bad_status_value", file=path, row=row,
                          column=mcol, value=base["met"].iat[i])
        keys.append(ind.key)
        values.append(x)
        mets.append(met)
    return pd.DataFrame({
        "code": codes, "year": years, "indicator": pd.Series(keys, dtype=object),
        "value": np.array([np.nan if x is None else x for x in values], dtype=float),
        "met": pd.array(mets, dtype="Int64"), ROW: base[ROW].to_numpy(),
        "_column": vcol if "value" in base else mcol,
    })


def _wide(df: pd.DataFrame, cfg: TableConfig, ws: Workspace, log: IssueLog,
          cset: CriteriaSet, known: dict[str, Indicator]) -> pd.DataFrame | None:
    path = cfg.path
    fields = _fields(df, cfg, ("date",))
    base = map_columns(df, fields, ("code",), ("year", "date", "name"), path=path, log=log,
                       context=cfg.name)
    if "code" not in base:
        return None
    if "year" not in base and "date" not in base:
        _issue(log, ERROR, "missing_column", "no_year", file=path, column="year",
               expected="year / nam / date / ngay")
        return None
    used = set(base.attrs.get("source_columns", {}).values())
    cols: dict[str, Indicator] = {}
    for c in df.columns:
        if c == ROW or c in used:
            continue
        # A column named by digits ("10", "CT 17.1", "chỉ tiêu 2.1") is an indicator;
        # others ("ghi chú", the commune's name) are not read.
        if not re.fullmatch(r"(?:ct|chitieu|indicator)?\d+(?:[.,]\d+)*", column_key(c)):
            continue
        key = indicator_key(c)
        if key in known:
            cols[c] = known[key]
        else:
            _issue(log, ERROR, "unknown_indicator", "unknown_indicator", file=path, column=c,
                   value=c, set=cset.key, expected=_expected_keys(cset, log.lang))
    if not cols:
        log.error("missing_column", "missing_column", file=path, column="10, 2.1, …",
                  configured="10, 2.1, …", available=", ".join(map(str, df.columns[:-1])),
                  expected=_expected_keys(cset, log.lang))
        return None
    codes = code_cells(base, "code", ws, log, path, ws.code_width)
    years = _years(base, ws, log, path)
    rows = df[ROW].to_numpy()
    parts = []
    for c, ind in cols.items():
        cells = [_cell(ind, v, ws.decimal, log, path, int(r), c)
                 for v, r in zip(df[c].to_numpy(dtype=object), rows, strict=True)]
        parts.append(pd.DataFrame({
            "code": codes.to_numpy(dtype=object), "year": years.array,
            "indicator": ind.key,
            "value": np.array([np.nan if x is None else x for x, _ in cells], dtype=float),
            "met": pd.array([m for _, m in cells], dtype="Int64"), ROW: rows, "_column": c,
        }))
    long = pd.concat(parts, ignore_index=True)
    # An empty cell says nothing: keep only what was reported.
    return long[long["value"].notna() | long["met"].notna()]


def class_key(value: Any, cset: CriteriaSet) -> str | None:
    """The class a cell names: its key, its name in either language, or a group digit."""
    if is_missing(value):
        return None
    k = fold(str(value)).replace(" ", "")
    for c in cset.classes:
        if k in (fold(c.key).replace(" ", ""), fold(c.name_vi).replace(" ", ""),
                 fold(c.name_en).replace(" ", "")):
            return c.key
    digits = [c.key for c in cset.classes if k.isdigit() and c.key.endswith(k)]
    return digits[0] if len(digits) == 1 else None


def read_indicator_thresholds(ws: Workspace, log: IssueLog, cset: CriteriaSet
                              ) -> dict[str, tuple[Threshold, ...]] | None:
    """The province's own thresholds, indicator key -> rows; None when there is no table.

    Columns ``indicator``, ``value`` (a number; may be empty for yes/no
    indicators), and optionally ``class`` (a class key or name of the set),
    ``year`` (from this year on), ``source``, ``requirement_vi``. A row
    without a source is cited as the table's file and row. Pass the result to
    :meth:`~ntmgis.core.criteria.CriteriaSet.with_overrides`.
    """
    cfg = ws.table("indicator_thresholds")
    if cfg is None:
        return None
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    fields = _fields(df, cfg, ("indicator", "value", "class", "requirement_vi"))
    base = map_columns(df, fields, ("indicator",),
                       ("value", "class", "year", "source", "requirement_vi"),
                       path=path, log=log, context=cfg.name)
    if "indicator" not in base:
        return None
    known = {i.key: i for i in cset.indicators}
    out: dict[str, list[Threshold]] = {}
    for r in base.to_dict("records"):
        row = r[ROW]
        ind = known.get(indicator_key(r["indicator"]) or "")
        if ind is None:
            _issue(log, ERROR, "unknown_indicator", "unknown_indicator", file=path, row=row,
                   column=source_column(base, "indicator"), value=r["indicator"], set=cset.key,
                   expected=_expected_keys(cset, log.lang))
            continue
        value = None
        if not is_missing(r.get("value")):
            value, _ = _cell(ind, r["value"], ws.decimal, log, path, row,
                             source_column(base, "value"))
            if value is None and ind.kind == "numeric":
                continue
        elif ind.kind == "numeric":
            _issue(log, ERROR, "missing_value", "no_threshold_value", file=path, row=row,
                   column=source_column(base, "value"), indicator=ind.key,
                   expected=_m("exp_number", log.lang))
            continue
        cls = None
        if not is_missing(r.get("class")):
            cls = class_key(r["class"], cset)
            if cls is None:
                _issue(log, ERROR, "bad_enum", "unknown_class", file=path, row=row,
                       column=source_column(base, "class"), value=r["class"], set=cset.key,
                       expected=_m("exp_class", log.lang,
                                   keys=", ".join(cset.class_keys()) or "–"))
                continue
        year = None
        if not is_missing(r.get("year")):
            found = _YEAR.findall(str(r["year"]))
            if len(found) != 1:
                log.error("not_a_number", "not_a_number", file=path, row=row,
                          column=source_column(base, "year"), value=r["year"])
                continue
            year = int(found[0])
        source = r.get("source")
        if is_missing(source):
            source = _m("province_source", log.lang, file=path.name, row=row)
        req = r.get("requirement_vi")
        if is_missing(req):
            sign = "≤" if ind.direction == "at_most" else "≥"
            req = "" if value is None else f"{sign}{value:g}"
        out.setdefault(ind.key, []).append(Threshold(
            value=value, requirement_vi=str(req), requirement_en=str(req),
            class_key=cls, year=year, source=str(source)))
    return {k: tuple(v) for k, v in out.items()}
