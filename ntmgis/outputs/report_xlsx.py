"""The report as an Excel workbook: one sheet per table, numbers as numbers.

:class:`~ntmgis.outputs.report.PlanReport` holds its cells formatted for
reading ("608.989", "16,38", "76,9%"). A workbook must let an office add up a
column, so each cell is typed back from the report's own language
(:func:`typed_cell`): numbers become numbers with a number format
(``#,##0``, ``#,##0.00``, ``0.0%``: Excel and LibreOffice show them with the
reader's separators, 608.989 on a Vietnamese computer); the plan's compound
figures ("4/13 = 30,8%") stay text as the plan writes them; codes keep their
leading zeros as text; the key columns (criterion, indicator, source) are
never reinterpreted. Text reaches the cells only through
:func:`ntmgis.core.spreadsheet.set_text`, so a name from an office's file is
never a live formula.

The tables of a report are listed once, by :func:`report_tables`, for this
workbook and the Word report alike (with :func:`parse_formats` and
:func:`cell_text`, what both writers share): tables by period and by office
(issue 14) join through its ``extra`` argument.

Same inputs, same bytes: the workbook's dates and its zip entries' dates are
the workspace's ``data_date`` (:func:`fixed_time`).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, fmt_money, fmt_number
from ntmgis.core.spreadsheet import XlsxCleaner, set_text
from ntmgis.core.version import __version__
from ntmgis.core.workspace import Workspace
from ntmgis.outputs.report import PlanReport, area_name

__all__ = ["FORMATS", "ReportTable", "report_tables", "parse_formats", "cell_text",
           "typed_cell", "fixed_time", "fixed_zip", "workbook_bytes", "XLSX_NAME"]

XLSX_NAME = "plan_vs_actual.xlsx"
FONT = "Times New Roman"

#: ``md`` is today's report: plan_vs_actual.md and its CSVs.
FORMATS = ("md", "docx", "xlsx")

_T = catalog({
    "bad_format": ("--format: định dạng '{fmt}' không hợp lệ; chọn trong: {choices}",
                   "--format: format '{fmt}' is not valid; use some of: {choices}"),
    "t_head": ("Chỉ tiêu chủ yếu", "Headline targets"),
    "t_criteria": ("Số xã đạt từng tiêu chí", "Communes meeting each criterion"),
    "t_fund": ("Nguồn vốn", "Funding by source"),
    "s_head": ("Chỉ tiêu chủ yếu", "Headline targets"),
    "s_criteria": ("Tiêu chí", "Criteria"),
    "s_fund": ("Nguồn vốn", "Funding"),
    "s_info": ("Thông tin", "About"),
    "i_title": ("Báo cáo", "Report"),
    "i_area": ("Địa bàn", "Area"),
    "i_plan": ("Kế hoạch", "Plan"),
    "i_date": ("Số liệu đến ngày", "Data as of"),
    "i_note": ("Ghi chú", "Note"),
    "i_sheets": ("Các bảng", "Tables"),
    "i_made": ("Lập bằng", "Made with"),
})

#: A sheet name may not hold these, nor be longer than 31 characters (Excel's rules).
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
#: A code: digits with a leading zero ("02491"), kept as text.
_CODE = re.compile(r"0\d+")
_PLACEHOLDERS = {"", "–", "-", "—"}


@dataclass(frozen=True)
class ReportTable:
    """One table of a report, as both writers show it.

    Attributes
    ----------
    key : str
        A stable name (``headline``, ``criteria``, ``funding``; later ``offices``,
        ``periods``).
    title : str
        Heading in the report's language.
    sheet : str
        Name of its worksheet (at most 31 characters, unique in the workbook).
    frame : DataFrame
        The cells, formatted or raw numbers.
    key_columns : int
        Leading columns that name a row (criterion and its name, indicator,
        source): written as given, never turned into numbers, frozen on screen
        and repeated on every printed page.
    """

    key: str
    title: str
    sheet: str
    frame: pd.DataFrame
    key_columns: int = 1


def report_tables(rep: PlanReport, extra: Sequence[ReportTable] = ()) -> list[ReportTable]:
    """The tables of ``rep`` in the report's order, its sections, then ``extra``.

    The sections are milestones, offices and funding by criterion. A table without
    columns (an office's report has no headline) is left out.
    """
    lang = rep.lang
    tables = [
        ReportTable("headline", _T("t_head", lang), _T("s_head", lang), rep.headline, 1),
        ReportTable("criteria", _T("t_criteria", lang), _T("s_criteria", lang), rep.criteria,
                    2),
        ReportTable("funding", _T("t_fund", lang), _T("s_fund", lang), rep.funding, 1),
    ]
    tables += [ReportTable(s.key, s.title, s.sheet, s.frame, s.key_columns)
               for s in getattr(rep, "sections", ())]
    return [t for t in tables + list(extra) if len(t.frame.columns)]


def parse_formats(formats: str | Sequence[str] | None, lang: str = "vi") -> tuple[str, ...]:
    """The formats asked for (``"docx,xlsx,md"``), in :data:`FORMATS` order.

    Raises
    ------
    OptionError
        An unknown format (exit 2), or none at all.
    """
    if formats is None:
        return ("md",)
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    asked = [str(f).strip().lower().lstrip(".") for f in items if str(f).strip()]
    for f in asked or [""]:
        if f not in FORMATS:
            raise OptionError(_T("bad_format", lang, fmt=f, choices=", ".join(FORMATS)))
    return tuple(f for f in FORMATS if f in asked)


def cell_text(value: Any, lang: str = "vi") -> str:
    """A report cell as text to read: numbers formatted the language's way, "–" for none."""
    if _is_missing(value):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return fmt_number(int(value), lang)
    try:
        return fmt_money(float(value), lang)
    except (TypeError, ValueError):
        return str(value)


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _number_pattern(lang: str) -> re.Pattern:
    th, dec = (",", r"\.") if lang == "en" else (r"\.", ",")
    return re.compile(rf"(-?)(\d{{1,3}}(?:{th}\d{{3}})+|\d+)(?:{dec}(\d+))?(%?)")


_PATTERNS = {lang: _number_pattern(lang) for lang in ("vi", "en")}


def _decimals_format(decimals: int, percent: bool = False) -> str:
    frac = "." + "0" * decimals if decimals else ""
    return f"0{frac}%" if percent else f"#,##0{frac}"


def typed_cell(value: Any, lang: str = "vi") -> tuple[Any, str | None]:
    """The value a workbook cell gets for a report cell, and its number format.

    ``"608.989"`` (vi) or ``"608,989"`` (en) gives ``(608989, "#,##0")``;
    ``"16,38"`` gives ``(16.38, "#,##0.00")``; ``"76,9%"`` gives
    ``(0.769, "0.0%")``; a placeholder ("–") gives ``(None, None)``; anything
    else, codes with a leading zero among them, stays text with no format.
    """
    if _is_missing(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return int(value), "#,##0"
    if isinstance(value, float) or (hasattr(value, "dtype") and "float" in str(value.dtype)):
        x = float(value)
        return (int(x), "#,##0") if x.is_integer() else (x, "#,##0.0##")
    if not isinstance(value, str):
        return str(value), None
    s = value.strip()
    if s in _PLACEHOLDERS:
        return None, None
    if _CODE.fullmatch(s):
        return value, None
    m = _PATTERNS["en" if lang == "en" else "vi"].fullmatch(s)
    if m is None:
        return value, None
    sign, whole, frac, pct = m.groups()
    whole = re.sub(r"\D", "", whole)
    x = float(f"{sign}{whole}.{frac}") if frac else int(f"{sign}{whole}")
    decimals = len(frac or "")
    if pct:
        return round(x / 100, decimals + 2), _decimals_format(decimals, percent=True)
    return x, _decimals_format(decimals)


def fixed_time(ws: Workspace) -> _dt.datetime:
    """The date written into a report's files: the workspace's ``data_date``.

    Without one (or an unreadable one), the 31 December of its last year: the
    same inputs always give the same bytes.
    """
    try:
        d = _dt.date.fromisoformat(str(ws.data_date).strip()[:10])
    except ValueError:
        d = _dt.date(max(ws.years) if ws.years else 2025, 12, 31)
    return _dt.datetime(max(d.year, 1980), d.month, d.day)


def fixed_zip(data: bytes, when: _dt.datetime) -> bytes:
    """``data`` (a zip: .docx, .xlsx) rewritten with every entry dated ``when``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name).strip()[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        suffix = f" ({n})"
        out, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(out.lower())
    return out


def _width(header: str, values: Sequence[Any]) -> float:
    """Characters: the longest value, or the header on at most two lines (it wraps)."""
    longest = max((len(str(v)) for v in values if not _is_missing(v)), default=4)
    words = max((len(w) for w in header.split()), default=4)
    return float(min(max(longest, words, math.ceil(len(header) / 2)) + 2, 48))


def _table_sheet(wb: Any, table: ReportTable, lang: str, clean: XlsxCleaner,
                 used: set[str]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    sh = wb.create_sheet(_sheet_name(table.sheet, used))
    frame = table.frame
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body, bold = Font(name=FONT, size=12), Font(name=FONT, size=12, bold=True)
    for j, col in enumerate(frame.columns, start=1):
        cell = set_text(sh.cell(row=1, column=j), str(col), clean)
        cell.font = bold
        cell.fill = PatternFill("solid", start_color="E7E6E6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            cell = sh.cell(row=i, column=j)
            if j <= table.key_columns:  # names a row: as given (ints stay ints)
                value, fmt = (None, None) if _is_missing(v) else (
                    (v, None) if isinstance(v, str) else typed_cell(v, lang))
            else:
                value, fmt = typed_cell(v, lang)
            if isinstance(value, str):
                set_text(cell, value, clean)
                cell.number_format = "@"
            else:
                cell.value = value
                if fmt:
                    cell.number_format = fmt
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cell.alignment = Alignment(horizontal="right" if numeric else "left",
                                       vertical="center", wrap_text=not numeric)
            cell.font, cell.border = body, border
    for j, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        sh.column_dimensions[letter].width = _width(str(col), frame.iloc[:, j - 1].tolist())
    # Two lines of 12 pt with stacked Vietnamese accents (Ấ, Ở) need room.
    sh.row_dimensions[1].height = 36
    sh.freeze_panes = sh.cell(row=2, column=min(table.key_columns, frame.shape[1]) + 1)
    _print_setup(sh, f"A:{get_column_letter(max(table.key_columns, 1))}")
    sh.print_options.gridLines = False
    # "&" starts a header code in Excel ("NN&PTNT" would print the page number): doubled
    sh.oddHeader.center.text = table.title.replace("&", "&&")
    sh.oddFooter.center.text = "&P / &N"


def _print_setup(sh: Any, key_cols: str | None) -> None:
    sh.page_setup.paperSize = sh.PAPERSIZE_A4
    sh.page_setup.orientation = "landscape"
    sh.page_setup.fitToWidth = 1
    sh.page_setup.fitToHeight = 0
    sh.sheet_properties.pageSetUpPr.fitToPage = True
    sh.print_title_rows = "1:1"
    if key_cols:
        sh.print_title_cols = key_cols
    sh.page_margins.left = sh.page_margins.right = 0.6
    sh.page_margins.top = sh.page_margins.bottom = 0.75


def _info_sheet(wb: Any, ws: Workspace, rep: PlanReport, tables: Sequence[ReportTable],
                clean: XlsxCleaner) -> None:
    from openpyxl.styles import Alignment, Font

    lang = rep.lang
    sh = wb.active
    sh.title = _T("s_info", lang)
    rows = [(_T("i_title", lang), rep.title),
            (_T("i_area", lang), area_name(ws))]
    if ws.plan.name:
        rows.append((_T("i_plan", lang), ws.plan.name))
    if ws.data_date:
        rows.append((_T("i_date", lang), str(ws.data_date)))
    rows += [(_T("i_note", lang), n) for n in rep.notes]
    rows += [(_T("i_sheets", lang), t.title) for t in tables]
    rows.append((_T("i_made", lang), f"ntmgis {__version__}"))
    for i, (k, v) in enumerate(rows, start=1):
        set_text(sh.cell(row=i, column=1), k, clean).font = Font(name=FONT, size=12, bold=True)
        c = set_text(sh.cell(row=i, column=2), v, clean)
        c.font = Font(name=FONT, size=12, bold=(i == 1))
        c.alignment = Alignment(wrap_text=True, vertical="top")
    sh.column_dimensions["A"].width = 22
    sh.column_dimensions["B"].width = 100
    _print_setup(sh, None)
    sh.print_title_rows = None


def workbook_bytes(ws: Workspace, rep: PlanReport, tables: Sequence[ReportTable],
                   path: Path | str = XLSX_NAME) -> bytes:
    """The workbook of ``tables`` as bytes (fixed dates: same inputs, same bytes)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    clean = XlsxCleaner(path, rep.lang)
    wb = Workbook()
    _info_sheet(wb, ws, rep, tables, clean)
    used = {wb.active.title.lower()}
    for table in tables:
        _table_sheet(wb, table, rep.lang, clean, used)
    when = fixed_time(ws)
    props = wb.properties
    props.creator = props.lastModifiedBy = "ntmgis"
    props.title = rep.title
    props.language = rep.lang
    props.created = props.modified = when
    buf = io.BytesIO()
    # ExcelWriter, not wb.save(): save() stamps "modified" with the clock.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    clean.warn(stacklevel=3)
    return fixed_zip(buf.getvalue(), when)
