"""Excel forms: templates for the office to fill in, and a strict reader for them.

:func:`write_templates` writes three workbooks, in Vietnamese by default:

* ``bieu_tieu_chi_xa.xlsx``, sheet ``TieuChi``: commune criteria status in
  wide form, one row per commune and year, one column per criterion with a
  drop-down of "Đạt / Chưa đạt";
* ``bieu_tieu_chi_ban.xlsx``, sheet ``TieuChiBan``: the same for villages
  (bản) and the village criteria set;
* ``bieu_04_danh_muc_du_an.xlsx``, sheet ``DuAn``: the investment list
  (Biểu 04) with capital by source, drop-downs for category, status and
  criteria, and number and year validation.

Each workbook has a title row, a heading row and a row of column keys (row
3, which the reader uses, so columns may be moved), frozen panes, a sheet of
instructions (``HuongDan``) and a hidden sheet of lists (``DanhMuc``) that
also marks the file as an ntmgis form. Codes are written as text so that
Excel keeps their leading zeros.

:func:`read_form` reads a filled template back into a table with ntmgis's
canonical column names; a cell that cannot be read raises
:class:`~ntmgis.errors.DataError` naming the sheet and cell (``TieuChi!F12``).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .criteria import COMMUNE_CRITERIA, CriteriaSet
from .errors import DataError
from .i18n import catalog, check_lang, enum_keys, label, labels, t
from .io_utils import atomic_output, require_writable
from .text import fold, is_missing, nfc, parse_number

__all__ = [
    "FORM_KINDS",
    "FILE_NAMES",
    "SHEET_NAMES",
    "write_templates",
    "write_template",
    "read_form",
    "form_kind",
    "write_workspace_templates",
    "cli_command",
]

FORM_KINDS = ("commune_status", "village_status", "projects")
FILE_NAMES = {
    "commune_status": "bieu_tieu_chi_xa.xlsx",
    "village_status": "bieu_tieu_chi_ban.xlsx",
    "projects": "bieu_04_danh_muc_du_an.xlsx",
}
SHEET_NAMES = {"commune_status": "TieuChi", "village_status": "TieuChiBan", "projects": "DuAn"}
LIST_SHEET = "DanhMuc"
HELP_SHEET = "HuongDan"
MARKER = "ntmgis-form"
FORM_VERSION = 1
HEADER_ROWS = 3  # title, headings, column keys
FIRST_ROW = HEADER_ROWS + 1
BLANK_ROWS = 200  # validated empty rows below the pre-filled ones
DEFAULT_YEARS = tuple(range(2021, 2026))
# Longitude/latitude of Vietnam, for the project coordinates.
LON_RANGE = (102.0, 110.0)
LAT_RANGE = (8.0, 24.0)
# Million VND: always a decimal part, so that "772,0" (vi) cannot be read as 772 000.
MONEY_FORMAT = "#,##0.0##"
# A fixed date for the workbook properties and zip entries: same input, same bytes.
_FIXED_DATE = _dt.datetime(2025, 1, 1, 0, 0, 0)

_MSG = {
    "title_commune_status": ("BIỂU TÌNH HÌNH ĐẠT TIÊU CHÍ NÔNG THÔN MỚI CỦA CÁC XÃ",
                             "COMMUNES' STATUS ON THE NEW RURAL DEVELOPMENT CRITERIA"),
    "title_village_status": ("BIỂU TÌNH HÌNH ĐẠT TIÊU CHÍ NÔNG THÔN MỚI CỦA CÁC BẢN",
                             "VILLAGES' STATUS ON THE VILLAGE CRITERIA"),
    "title_projects": ("BIỂU 04. DANH MỤC DỰ ÁN, CÔNG TRÌNH ĐẦU TƯ (ĐVT: triệu đồng)",
                       "FORM 04. LIST OF INVESTMENT PROJECTS (million VND)"),
    "code": ("Mã xã", "Commune code"),
    "name": ("Tên xã", "Commune"),
    "village_code": ("Mã bản", "Village code"),
    "village_name": ("Tên bản", "Village"),
    "year": ("Năm", "Year"),
    "project_id": ("Mã dự án", "Project id"),
    "project_name": ("Tên dự án, công trình", "Project"),
    "category": ("Loại công trình", "Category"),
    "criteria": ("Tiêu chí phục vụ", "Criteria served"),
    "year_start": ("Năm khởi công", "Start year"),
    "year_end": ("Năm hoàn thành", "End year"),
    "status": ("Tình trạng", "Status"),
    "cap_total": ("Tổng vốn", "Total capital"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
    "lon": ("Kinh độ (WGS 84)", "Longitude (WGS 84)"),
    "lat": ("Vĩ độ (WGS 84)", "Latitude (WGS 84)"),
    "note": ("Ghi chú", "Note"),
    "keys_note": ("mã cột (không sửa dòng này)", "column keys (do not edit this row)"),
    "help_title": ("HƯỚNG DẪN ĐIỀN BIỂU", "HOW TO FILL IN THIS FORM"),
    "help_rows": (
        "Điền số liệu vào trang '{sheet}' từ dòng {first}. Không sửa dòng 1-3: dòng 3 là mã "
        "cột để phần mềm đọc (có thể đổi thứ tự cột, không đổi mã).",
        "Fill in sheet '{sheet}' from row {first}. Do not edit rows 1-3: row 3 holds the "
        "column keys the software reads (columns may be moved, keys must stay).",
    ),
    "help_codes": (
        "Mã xã, mã bản là văn bản: giữ số 0 ở đầu (ví dụ 03436), không đổi ô sang dạng số.",
        "Commune and village codes are text: keep the leading zero (e.g. 03436); do not "
        "turn the cells into numbers.",
    ),
    "help_status": (
        "Mỗi ô tiêu chí: chọn 'Đạt' hoặc 'Chưa đạt' trong danh sách; để trống nếu chưa có số "
        "liệu (cũng nhận x = Đạt, 1 = Đạt, 0 = Chưa đạt).",
        "Each criterion cell: pick 'Đạt' (met) or 'Chưa đạt' (not met) from the list; leave "
        "it empty when unknown (x and 1 also mean met, 0 not met).",
    ),
    "help_years": ("Năm: số bốn chữ số từ {lo} đến {hi}.",
                   "Years: four-digit numbers from {lo} to {hi}."),
    "help_money": (
        "Vốn và giải ngân ghi bằng triệu đồng, là số không âm; cột Tổng vốn tự cộng, không "
        "cần điền.",
        "Capital and disbursement in million VND, non-negative numbers; the total column "
        "adds itself up.",
    ),
    "help_criteria": (
        "Tiêu chí phục vụ: chọn một tiêu chí trong danh sách, hoặc ghi nhiều số cách nhau "
        "bằng dấu chấm phẩy, ví dụ 2;5.",
        "Criteria served: pick one from the list, or type several numbers separated by "
        "semicolons, e.g. 2;5.",
    ),
    "help_enums": ("Loại công trình và tình trạng: chọn trong danh sách.",
                   "Category and status: pick from the list."),
    "help_coords": (
        "Kinh độ, vĩ độ (WGS 84, độ thập phân) của công trình dạng điểm; công trình dạng tuyến "
        "có thể để trống.",
        "Longitude and latitude (WGS 84, decimal degrees) of point projects; line projects "
        "may leave them empty.",
    ),
    "help_errors": (
        "Khi đọc biểu, ô sai được báo kèm tên trang và ô, ví dụ {sheet}!F12.",
        "When the form is read, a wrong cell is reported with its sheet and cell, e.g. "
        "{sheet}!F12.",
    ),
    "help_criteria_list": ("Danh sách tiêu chí", "The criteria"),
    "not_a_form": (
        "{path} không phải biểu mẫu ntmgis loại '{kind}' (thiếu trang {sheet} hoặc mã biểu)",
        "{path} is not an ntmgis '{kind}' form (sheet {sheet} or the form marker is missing)",
    ),
    "wrong_kind": ("{path} là biểu '{found}', không phải '{kind}'",
                   "{path} is a '{found}' form, not '{kind}'"),
    "missing_key": (
        "không có cột mang mã '{key}' ở dòng {row}",
        "no column with key '{key}' in row {row}",
    ),
    "code_number": (
        "mã '{value}' là số nên có thể đã mất số 0 ở đầu; định dạng ô là văn bản (Text)",
        "code '{value}' is a number and may have lost its leading zero; format the cell as Text",
    ),
    "bad_year": ("'{value}' không phải năm (cần số có bốn chữ số)",
                 "'{value}' is not a year (expected a four-digit number)"),
    "bad_criteria": (
        "'{value}' không phải danh sách tiêu chí (ví dụ 2;5); có số ngoài {lo}-{hi}",
        "'{value}' is not a list of criteria (e.g. 2;5) or has numbers outside {lo}-{hi}",
    ),
    "bad_range": ("{value} ngoài khoảng {lo} - {hi}", "{value} is outside {lo} - {hi}"),
    "duplicate_row": ("{what} bị trùng với dòng {first}", "{what} repeats row {first}"),
    "unknown_template_code": ("mã '{value}' không có trong danh sách {what}",
                              "code '{value}' is not in the list of {what}"),
}


_m = catalog(_MSG)


@dataclass(frozen=True)
class _Col:
    """A column of a form: its key (row 3), heading, kind of value and width."""

    key: str
    heading: str
    kind: str  # code | text | year | met | money | enum:<kind> | criteria | coord:<lon|lat> | total
    width: float = 12.0
    required: bool = False


def _columns(kind: str, lang: str, cset: CriteriaSet) -> list[_Col]:
    if kind == "commune_status":
        cols = [
            _Col("code", _m("code", lang), "code", 10, True),
            _Col("name", _m("name", lang), "text", 18),
            _Col("year", _m("year", lang), "year", 8, True),
        ]
    elif kind == "village_status":
        cols = [
            _Col("code", _m("village_code", lang), "code", 11, True),
            _Col("name", _m("village_name", lang), "text", 18),
            _Col("commune_code", _m("code", lang), "code", 10),
            _Col("commune_name", _m("name", lang), "text", 16),
            _Col("year", _m("year", lang), "year", 8, True),
        ]
    else:
        cols = [
            _Col("project_id", _m("project_id", lang), "id", 10, True),
            _Col("name", _m("project_name", lang), "text", 40, True),
            _Col("category", _m("category", lang), "enum:category", 18),
            _Col("commune_code", _m("code", lang), "code", 10),
            _Col("commune_name", _m("name", lang), "text", 16),
            _Col("village_code", _m("village_code", lang), "code", 11),
            _Col("village_name", _m("village_name", lang), "text", 16),
            _Col("criteria", _m("criteria", lang), "criteria", 22),
            _Col("year_start", _m("year_start", lang), "year", 10),
            _Col("year_end", _m("year_end", lang), "year", 10),
            _Col("status", _m("status", lang), "enum:status", 16),
        ]
        cols += [_Col(f"cap_{s}", label("source", s, lang), "money", 14)
                 for s in enum_keys("source")]
        cols += [
            _Col("cap_total", _m("cap_total", lang), "total", 14),
            _Col("disbursed", _m("disbursed", lang), "money", 14),
            _Col("lon", _m("lon", lang), "coord:lon", 12),
            _Col("lat", _m("lat", lang), "coord:lat", 12),
            _Col("note", _m("note", lang), "text", 24),
        ]
        return cols
    for c in cset:
        cols.append(_Col(c.key, f"TC{c.number}. {c.name(lang)}", "met", 11))
    return cols


def _met_labels(lang: str) -> tuple[str, str]:
    # Vietnamese labels in both languages: they are the values offices write.
    return label("met", "1", "vi"), label("met", "0", "vi")


def _criterion_choice(c: Any, lang: str) -> str:
    return f"{c.number} - {c.name(lang)}"


def _frame(obj: Any, columns: Sequence[str]) -> pd.DataFrame:
    """Make a DataFrame with ``columns`` (missing ones empty) from a frame, records or None."""
    if obj is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    df = pd.DataFrame(obj).copy()
    for c in columns:
        if c not in df.columns:
            df[c] = None
    return df[list(columns)]


def write_templates(
    folder: str | Path,
    *,
    communes: Any = None,
    villages: Any = None,
    criteria_set: CriteriaSet = COMMUNE_CRITERIA,
    village_set: CriteriaSet | None = None,
    years: Sequence[int] | None = None,
    lang: str = "vi",
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the three Excel templates into ``folder``.

    Parameters
    ----------
    folder : str or Path
        Where to write (created if needed).
    communes : DataFrame or records, optional
        Communes to pre-fill, with ``code`` and ``name`` (codes as text; a
        ``in_programme`` column, if present, keeps only communes in the
        programme). Rows are written in the given order.
    villages : DataFrame or records, optional
        Villages to pre-fill, with ``code``, ``name``, ``commune_code`` and
        optionally ``commune_name`` (taken from ``communes`` when absent).
    criteria_set : CriteriaSet
        The commune set (default: Decision 318/QĐ-TTg's 19 criteria).
    village_set : CriteriaSet, optional
        The village set; without it the village template is not written.
    years : sequence of int, optional
        Years to pre-fill (one row per unit and year); default 2021-2025.
    lang : {"vi", "en"}
        Language of headings and instructions. The status values stay
        "Đạt / Chưa đạt", which the reader also accepts in English.
    overwrite : bool
        Replace existing templates.

    Returns
    -------
    dict of str to Path
        Form kind (``commune_status``, ``village_status``, ``projects``) to file.

    Raises
    ------
    OutputExistsError
        A template exists and ``overwrite`` is false (nothing is written then).
    """
    check_lang(lang)
    folder = Path(folder)
    kinds = ["commune_status"] + (["village_status"] if village_set is not None else [])
    kinds.append("projects")
    for k in kinds:  # check them all before writing any
        require_writable(folder / FILE_NAMES[k], overwrite, lang)
    out = {}
    for k in kinds:
        out[k] = write_template(
            folder / FILE_NAMES[k], k, communes=communes, villages=villages,
            criteria_set=village_set if k == "village_status" else criteria_set,
            years=years, lang=lang, overwrite=overwrite,
        )
    return out


def write_template(
    path: str | Path,
    kind: str,
    *,
    communes: Any = None,
    villages: Any = None,
    criteria_set: CriteriaSet = COMMUNE_CRITERIA,
    years: Sequence[int] | None = None,
    lang: str = "vi",
    overwrite: bool = False,
) -> Path:
    """Write one template (see :func:`write_templates`) to ``path``.

    ``criteria_set`` is the set of the form: the commune set for
    ``commune_status`` and ``projects``, the village set for ``village_status``.
    """
    from openpyxl import Workbook

    check_lang(lang)
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, got {kind!r}")
    years = tuple(int(y) for y in (years or DEFAULT_YEARS))
    cm = _frame(communes, ["code", "name", "in_programme"])
    if cm["in_programme"].notna().any():
        cm = cm[cm["in_programme"].fillna(False).astype(bool)]
    cm = cm[["code", "name"]].map(nfc)
    vl = _frame(villages, ["code", "name", "commune_code", "commune_name"]).map(nfc)
    if vl["commune_name"].isna().any() and len(cm):
        names = dict(zip(cm["code"], cm["name"], strict=True))
        vl["commune_name"] = vl["commune_name"].fillna(vl["commune_code"].map(names))

    cols = _columns(kind, lang, criteria_set)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAMES[kind]
    lists = wb.create_sheet(LIST_SHEET)
    _write_lists(lists, kind, lang, criteria_set, cm)
    _write_header(ws, kind, cols, lang)

    rows: list[dict[str, Any]] = []
    if kind == "commune_status":
        rows = [{"code": c, "name": n, "year": y} for y in years
                for c, n in zip(cm["code"], cm["name"], strict=True)]
    elif kind == "village_status":
        rows = [dict(r._asdict(), year=y) for y in years
                for r in vl[["code", "name", "commune_code", "commune_name"]]
                .itertuples(index=False)]
    last = FIRST_ROW + len(rows) + BLANK_ROWS - 1
    _write_rows(ws, cols, rows)
    _add_validation(ws, cols, kind, lang, criteria_set, years, len(cm), last)
    help_ws = wb.create_sheet(HELP_SHEET, 0)
    _write_help(help_ws, kind, lang, criteria_set, years)
    wb.active = 1
    lists.sheet_state = "hidden"
    path = Path(path)
    with atomic_output(path, overwrite=overwrite, lang=lang) as tmp:
        _save_deterministic(wb, tmp)
    return path


def _write_lists(ws: Any, kind: str, lang: str, cset: CriteriaSet, cm: pd.DataFrame) -> None:
    ws["A1"], ws["B1"] = MARKER, kind
    ws["A2"], ws["B2"] = "version", FORM_VERSION
    ws["A3"], ws["B3"] = "lang", lang
    columns = {
        "C": ["met"] + list(_met_labels(lang)),
        "D": ["category"] + list(labels("category", lang).values()),
        "E": ["status"] + list(labels("status", lang).values()),
        "F": ["criteria"] + [_criterion_choice(c, lang) for c in cset],
        "G": ["commune_code"] + [str(c) for c in cm["code"]],
        "H": ["commune_name"] + [str(n) for n in cm["name"]],
    }
    for col, values in columns.items():
        for i, v in enumerate(values, start=1):
            ws[f"{col}{i}"] = v


def _write_header(ws: Any, kind: str, cols: list[_Col], lang: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws["A1"] = _m(f"title_{kind}", lang)
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(len(cols), 12))
    thin = Side(style="thin", color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(cols, start=1):
        h = ws.cell(row=2, column=j, value=c.heading)
        h.font = Font(bold=True)
        h.fill = fill
        h.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        h.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        k = ws.cell(row=3, column=j, value=c.key)
        k.font = Font(italic=True, size=8, color="808080")
        k.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = c.width
    ws.row_dimensions[2].height = 60
    first_data = next(j for j, c in enumerate(cols, start=1) if c.kind != "code"
                      and c.key not in ("name", "village_name", "commune_name", "year"))
    n_frozen = 2 if kind == "projects" else first_data - 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=n_frozen + 1)
    ws.sheet_view.zoomScale = 100


def _write_rows(ws: Any, cols: list[_Col], rows: list[dict[str, Any]]) -> None:
    from openpyxl.utils import get_column_letter

    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        for j, c in enumerate(cols, start=1):
            v = row.get(c.key)
            if v is not None and not is_missing(v):
                ws.cell(row=r, column=j, value=int(v) if c.kind == "year" else str(v))
    last = FIRST_ROW + len(rows) + BLANK_ROWS - 1
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if c.kind in ("code", "id"):
            for r in range(FIRST_ROW, last + 1):
                ws[f"{letter}{r}"].number_format = "@"
        elif c.kind in ("money", "total"):
            for r in range(FIRST_ROW, last + 1):
                ws[f"{letter}{r}"].number_format = MONEY_FORMAT
        if c.kind == "total":
            money = [get_column_letter(k) for k, cc in enumerate(cols, start=1)
                     if cc.key.startswith("cap_") and cc.kind == "money"]
            for r in range(FIRST_ROW, last + 1):
                ws[f"{letter}{r}"] = (
                    f'=IF(COUNT({money[0]}{r}:{money[-1]}{r})=0,"",'
                    f"SUM({money[0]}{r}:{money[-1]}{r}))"
                )


def _add_validation(ws: Any, cols: list[_Col], kind: str, lang: str, cset: CriteriaSet,
                    years: tuple[int, ...], n_communes: int, last: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    en = lang == "en"
    met = DataValidation(type="list", formula1=f"{LIST_SHEET}!$C$2:$C$3", allow_blank=True,
                         showErrorMessage=True, errorStyle="stop",
                         errorTitle="Not met / met" if en else "Đạt / Chưa đạt",
                         error="Pick Đạt or Chưa đạt" if en else "Chọn Đạt hoặc Chưa đạt")
    lo, hi = min(years) - 10, max(years) + 10
    year = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                          allow_blank=True, showErrorMessage=True,
                          error=_m("help_years", lang, lo=lo, hi=hi))
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                           allow_blank=True, showErrorMessage=True,
                           error=_m("help_money", lang))
    n_cat, n_status = len(enum_keys("category")), len(enum_keys("status"))
    category = DataValidation(type="list", formula1=f"{LIST_SHEET}!$D$2:$D${n_cat + 1}",
                              allow_blank=True, showErrorMessage=True,
                              error=_m("help_enums", lang))
    status = DataValidation(type="list", formula1=f"{LIST_SHEET}!$E$2:$E${n_status + 1}",
                            allow_blank=True, showErrorMessage=True,
                            error=_m("help_enums", lang))
    # A warning, not a stop: several criteria are typed as "2;5".
    criteria = DataValidation(type="list", formula1=f"{LIST_SHEET}!$F$2:$F${len(cset) + 1}",
                              allow_blank=True, showErrorMessage=True, errorStyle="warning",
                              error=_m("help_criteria", lang))
    lon = DataValidation(type="decimal", operator="between", formula1=str(LON_RANGE[0]),
                         formula2=str(LON_RANGE[1]), allow_blank=True, showErrorMessage=True,
                         error=_m("help_coords", lang))
    lat = DataValidation(type="decimal", operator="between", formula1=str(LAT_RANGE[0]),
                         formula2=str(LAT_RANGE[1]), allow_blank=True, showErrorMessage=True,
                         error=_m("help_coords", lang))
    commune = None
    if n_communes and kind == "projects":
        commune = DataValidation(type="list", formula1=f"{LIST_SHEET}!$G$2:$G${n_communes + 1}",
                                 allow_blank=True, showErrorMessage=True, errorStyle="warning")
    by_kind = {"met": met, "year": year, "money": money, "enum:category": category,
               "enum:status": status, "criteria": criteria, "coord:lon": lon,
               "coord:lat": lat}
    used: list[tuple[Any, list[int]]] = []
    for j, c in enumerate(cols, start=1):
        dv = by_kind.get(c.kind)
        if c.key == "commune_code" and commune is not None:
            dv = commune
        if dv is None:
            continue
        for known, columns in used:
            if known is dv:
                columns.append(j)
                break
        else:
            used.append((dv, [j]))
    for dv, columns in used:
        # neighbouring columns form one rectangle (D4:V209, not 19 ranges)
        start = prev = columns[0]
        for j in [*columns[1:], None]:
            if j is not None and j == prev + 1:
                prev = j
                continue
            first, last_col = get_column_letter(start), get_column_letter(prev)
            dv.add(f"{first}{FIRST_ROW}:{last_col}{last}")
            if j is not None:
                start = prev = j
        ws.add_data_validation(dv)


def _write_help(ws: Any, kind: str, lang: str, cset: CriteriaSet,
                years: tuple[int, ...]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = SHEET_NAMES[kind]
    lines = [_m("help_rows", lang, sheet=sheet, first=FIRST_ROW), _m("help_codes", lang)]
    if kind == "projects":
        lines += [_m("help_enums", lang), _m("help_criteria", lang), _m("help_money", lang),
                  _m("help_coords", lang)]
    else:
        lines.append(_m("help_status", lang))
    lines += [_m("help_years", lang, lo=min(years), hi=max(years)),
              _m("help_errors", lang, sheet=sheet)]
    ws["A1"] = _m("help_title", lang)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 100
    r = 3
    for i, line in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=i)
        cell = ws.cell(row=r, column=2, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        r += 1
    r += 1
    ws.cell(row=r, column=2, value=f"{_m('help_criteria_list', lang)}: "
            f"{cset.name_en if lang == 'en' else cset.name_vi}").font = Font(bold=True)
    r += 1
    for c in cset:
        ws.cell(row=r, column=1, value=f"TC{c.number}")
        ws.cell(row=r, column=2, value=c.name(lang))
        r += 1


def _save_deterministic(wb: Any, path: Path) -> None:
    """Save ``wb`` with fixed timestamps, so the same input gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = "ntmgis"
    wb.properties.lastModifiedBy = "ntmgis"
    wb.properties.created = _FIXED_DATE
    wb.properties.modified = _FIXED_DATE
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))


# ---------------------------------------------------------------------------------------
# Reading


def form_kind(path: str | Path) -> str | None:
    """Tell which kind of ntmgis form ``path`` is (``"commune_status"`` ...), or None.

    Lets a reader of workspace tables hand ntmgis templates to :func:`read_form`.
    """
    from openpyxl import load_workbook

    p = Path(path)
    if p.suffix.lower() not in (".xlsx", ".xlsm") or not p.is_file():
        return None
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None
    try:
        if LIST_SHEET not in wb.sheetnames:
            return None
        ws = wb[LIST_SHEET]
        a1, b1 = (ws.cell(row=1, column=1).value, ws.cell(row=1, column=2).value)
        return str(b1) if a1 == MARKER and b1 in FORM_KINDS else None
    finally:
        wb.close()


class _Reader:
    """Reads cells of one sheet with errors that name the sheet and cell."""

    def __init__(self, path: Path, sheet: str, lang: str) -> None:
        self.path, self.sheet, self.lang = path, sheet, lang

    def error(self, cell: str, row: int, key: str, value: Any, reason: str) -> DataError:
        return DataError(f"{self.sheet}!{cell}: {reason}", path=self.path, row=row,
                         column=key, value=value)


def read_form(
    path: str | Path,
    kind: str,
    *,
    criteria_set: CriteriaSet | None = None,
    code_width: int | None = None,
    years: Sequence[int] | None = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """Read a filled ntmgis template back into a table.

    Parameters
    ----------
    path : str or Path
        The workbook (written by :func:`write_templates`, then filled in).
    kind : {"commune_status", "village_status", "projects"}
        Which form it must be.
    criteria_set : CriteriaSet, optional
        Used to check criterion numbers in the investment list (default: the
        19 commune criteria). The criteria columns of the status forms are
        taken from the form itself (``tc01`` ... / ``vc01`` ...).
    code_width : int, optional
        Width of commune codes: a commune code that Excel turned into a number
        (``3436``) gets its leading zeros back. Without it such a cell is an error.
    years : sequence of int, optional
        Accepted years (default: any year from 1990 to 2100).
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    DataFrame
        ``commune_status``: ``code``, ``name``, ``year``, ``tc01`` ...
        (nullable integers, 1 met, 0 not met, missing unknown);
        ``village_status``: ``code``, ``name``, ``commune_code``,
        ``commune_name``, ``year``, ``vc01`` ...;
        ``projects``: ``project_id``, ``name``, ``category`` and ``status``
        (enum keys), ``commune_code``, ``commune_name``, ``village_code``,
        ``village_name``, ``criteria`` (``"2;5"``), ``year_start``,
        ``year_end`` (nullable integers), ``cap_central`` ... ``cap_community``,
        ``disbursed``, ``lon``, ``lat`` (floats, NaN when empty), ``note``.
        Codes are strings; texts are Unicode NFC; rows keep the sheet's
        order; rows left entirely empty are skipped.

    Raises
    ------
    DataError
        A cell cannot be read, a required cell is empty or a key repeats;
        the message starts with the cell reference, e.g. ``TieuChi!F12: ...``.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, got {kind!r}")
    path = Path(path)
    if not path.is_file():
        raise DataError(t("file_missing", lang, path=path), path=path)
    sheet = SHEET_NAMES[kind]
    found = form_kind(path)
    if found is not None and found != kind:
        raise DataError(_m("wrong_kind", lang, path=path, found=found, kind=kind), path=path)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if found is None or sheet not in wb.sheetnames:
            raise DataError(_m("not_a_form", lang, path=path, kind=kind, sheet=sheet),
                            path=path)
        grid = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    rd = _Reader(path, sheet, lang)
    keys_row = grid[HEADER_ROWS - 1] if len(grid) >= HEADER_ROWS else []
    col_of: dict[str, int] = {}
    for j, v in enumerate(keys_row):
        if isinstance(v, str) and v.strip():
            col_of.setdefault(v.strip(), j)
    cset = criteria_set or COMMUNE_CRITERIA
    spec = {c.key: c for c in _columns(kind, lang, cset)}
    if kind != "projects":
        prefix = "tc" if kind == "commune_status" else "vc"
        crit_keys = sorted((k for k in col_of if re.fullmatch(prefix + r"\d{2,3}", k)),
                           key=lambda k: int(k[2:]))
        spec = {k: c for k, c in spec.items() if c.kind != "met"}
        for k in crit_keys:
            spec[k] = _Col(k, k, "met")
    if kind == "projects":
        spec.pop("cap_total")
    for key, c in spec.items():
        if key not in col_of and (c.required or c.kind == "met" or kind == "projects"):
            raise rd.error(f"A{HEADER_ROWS}", HEADER_ROWS, key, None,
                           _m("missing_key", lang, row=HEADER_ROWS, key=key))
    lo, hi = (min(years), max(years)) if years else (1990, 2100)
    data: dict[str, list[Any]] = {k: [] for k in spec if k in col_of}
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(grid[HEADER_ROWS:], start=FIRST_ROW):
        values = {k: (raw[col_of[k]] if col_of[k] < len(raw) else None) for k in data}
        if all(is_missing(v) for k, v in values.items() if spec[k].kind != "total"):
            continue
        parsed: dict[str, Any] = {}
        for k, v in values.items():
            cell = f"{get_column_letter(col_of[k] + 1)}{i}"
            parsed[k] = _parse_cell(rd, cell, i, spec[k], v, lo=lo, hi=hi, cset=cset,
                                    code_width=code_width)
        for k, c in spec.items():
            if c.required and k in parsed and parsed[k] is None:
                cell = f"{get_column_letter(col_of[k] + 1)}{i}"
                raise rd.error(cell, i, k, None, t("missing_value", lang))
        ident = (("project_id",) if kind == "projects" else ("code", "year"))
        key = tuple(parsed[k] for k in ident)
        if key in seen:
            cell = f"{get_column_letter(col_of[ident[0]] + 1)}{i}"
            raise rd.error(cell, i, ident[0], key,
                           _m("duplicate_row", lang, what=" / ".join(map(str, key)),
                              first=seen[key]))
        seen[key] = i
        for k in data:
            data[k].append(parsed[k])
    return _to_frame(data, spec)


def _to_frame(data: dict[str, list[Any]], spec: dict[str, _Col]) -> pd.DataFrame:
    out = {}
    for k, values in data.items():
        kind = spec[k].kind
        if kind in ("year", "met"):
            out[k] = pd.array(values, dtype="Int64")
        elif kind in ("money",) or kind.startswith("coord"):
            out[k] = np.array([np.nan if v is None else v for v in values], dtype="float64")
        else:
            # pandas' own inference: object in pandas 2, the string dtype in pandas 3
            out[k] = pd.Series(values) if values else pd.Series(values, dtype=object)
    return pd.DataFrame(out)


_MET_TRUE = {"dat", "x", "1", "met", "yes", "co", "true", "v"}
_MET_FALSE = {"chua dat", "khong dat", "0", "not met", "no", "khong", "false", "-"}


def _parse_cell(rd: _Reader, cell: str, row: int, col: _Col, v: Any, *, lo: int, hi: int,
                cset: CriteriaSet, code_width: int | None) -> Any:
    lang = rd.lang

    def err(reason: str) -> DataError:
        return rd.error(cell, row, col.key, v, reason)

    if is_missing(v):
        return None
    kind = col.kind
    if kind == "text":
        return nfc(str(v))
    if kind == "id":
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return nfc(str(v))
    if kind == "code":
        if isinstance(v, bool):
            raise err(_m("code_number", lang, value=v))
        if isinstance(v, (int, float)):
            if isinstance(v, float) and not v.is_integer():
                raise err(_m("code_number", lang, value=v))
            s = str(int(v))
            is_commune = col.key == "commune_code" or rd.sheet == SHEET_NAMES["commune_status"]
            if is_commune and code_width:
                return s.zfill(code_width)
            raise err(_m("code_number", lang, value=s))
        return nfc(str(v))
    if kind == "year":
        y = _as_int(v)
        if y is None or y < 1000 or y > 9999:
            raise err(_m("bad_year", lang, value=v))
        if not lo <= y <= hi:
            raise err(t("year_range", lang, value=y, lo=lo, hi=hi))
        return y
    if kind == "met":
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, (int, float)) and v in (0, 1):
            return int(v)
        f = fold(str(v))
        if f in _MET_TRUE:
            return 1
        if f in _MET_FALSE:
            return 0
        raise err(t("bad_status_value", lang, value=v))
    if kind == "money" or kind.startswith("coord"):
        if isinstance(v, bool):
            raise err(t("not_a_number", lang, value=v))
        try:
            x = parse_number(v, decimal=",")
        except ValueError:
            raise err(t("not_a_number", lang, value=v)) from None
        if x is None:
            return None
        if kind == "money" and x < 0:
            raise err(t("negative", lang, value=v))
        if kind.startswith("coord"):
            a, b = LON_RANGE if kind == "coord:lon" else LAT_RANGE
            if not a <= x <= b:
                raise err(_m("bad_range", lang, value=v, lo=a, hi=b))
        return float(x)
    if kind.startswith("enum:"):
        enum = kind.split(":", 1)[1]
        f = fold(str(v))
        for key in enum_keys(enum):
            if f in (fold(key), fold(label(enum, key, "vi")), fold(label(enum, key, "en"))):
                return key
        expected = " / ".join(labels(enum, lang).values())
        raise err(t("bad_enum", lang, value=v, expected=expected))
    if kind == "criteria":
        nums = _parse_criteria(v, cset)
        if nums is None:
            raise err(_m("bad_criteria", lang, value=v, lo=min(cset.numbers),
                         hi=max(cset.numbers)))
        return ";".join(str(n) for n in nums)
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover


def _as_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    s = str(v).strip()
    if s.endswith(".0"):
        s = s[:-2]
    return int(s) if s.isdigit() else None


_CHOICE = re.compile(r"^\s*(\d{1,3})\s*[-–:.]\s*\D")


def _parse_criteria(v: Any, cset: CriteriaSet) -> list[int] | None:
    """``"2;5"``, ``"2, 5"``, ``5``, ``"5 - Trường học"`` -> sorted criterion numbers."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not v.is_integer():
            return None
        nums = [int(v)]
    else:
        s = nfc(str(v))
        m = _CHOICE.match(s)
        if m:
            nums = [int(m.group(1))]
        else:
            parts = [p for p in re.split(r"[;,\s]+", s) if p]
            if not parts or not all(p.isdigit() for p in parts):
                return None
            nums = [int(p) for p in parts]
    valid = set(cset.numbers)
    if any(n not in valid for n in nums):
        return None
    return sorted(set(nums))


# ---------------------------------------------------------------------------------------
# Workspace and command line

_URBAN = ("thi tran", "phuong")


def write_workspace_templates(
    workspace: Any,
    *,
    folder: str | Path | None = None,
    overwrite: bool = False,
    lang: str | None = None,
) -> dict[str, Path]:
    """Write the templates for a workspace, pre-filled with its communes and villages.

    Units come from the built GeoPackage when there is one (``in_programme``
    as the build decided it), else from the workspace's input layers
    (townships and wards left out of the commune form). The village form is
    written when the workspace has a village criteria set.

    Parameters
    ----------
    workspace : Workspace or path
        The workspace.
    folder : path, optional
        Default: ``templates/`` in the workspace.
    overwrite : bool
        Replace existing templates.
    lang : {"vi", "en"}, optional
        Default: the workspace's language.

    Returns
    -------
    dict of str to Path
        As :func:`write_templates`.
    """
    from .workspace import Workspace, load_workspace

    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    lang = lang or ws.language
    communes = villages = None
    village_set = None
    if ws.output_gpkg.is_file():
        import pyogrio

        from .criteria import village_set_from_rows

        present = {n for n, _ in pyogrio.list_layers(ws.output_gpkg)}
        communes = pyogrio.read_dataframe(ws.output_gpkg, layer="communes",
                                          read_geometry=False)
        if "villages" in present:
            villages = pyogrio.read_dataframe(ws.output_gpkg, layer="villages",
                                              read_geometry=False)
        if "village_criteria_set" in present:
            rows = pyogrio.read_dataframe(ws.output_gpkg, layer="village_criteria_set",
                                          read_geometry=False)
            village_set = village_set_from_rows(
                rows.to_dict("records"), key="village", name_vi=ws.village_set_name,
                name_en=ws.village_set_name_en)
    else:
        from .issues import IssueLog
        from .sources import load_inputs

        inp = load_inputs(ws, IssueLog(lang=lang, root=ws.root))
        if inp.communes is not None:
            communes = pd.DataFrame(inp.communes.drop(columns="geometry", errors="ignore"))
            if "in_programme" not in communes and "unit_type" in communes:
                communes["in_programme"] = [
                    not any(fold(str(u)).startswith(x) for x in _URBAN)
                    for u in communes["unit_type"]]
        if inp.villages is not None:
            villages = pd.DataFrame(inp.villages.drop(columns="geometry", errors="ignore"))
        village_set = inp.village_set
    folder = Path(folder) if folder is not None else ws.root / "templates"
    return write_templates(folder, communes=communes, villages=villages,
                           village_set=village_set, years=ws.years, lang=lang,
                           overwrite=overwrite)


def _command() -> Any:
    import click

    from ._options import lang_option, overwrite_option, workspace_option

    @click.command(name="forms")
    @workspace_option
    @click.option("-o", "--output", "output", default=None,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Thư mục ghi biểu (mặc định: templates/) / output folder.")
    @overwrite_option
    @lang_option
    def forms(workspace: str, output: Path | None, overwrite: bool,
              lang: str | None) -> None:
        """Ghi biểu mẫu Excel để điền số liệu / write the Excel forms to fill in.

        Biểu tiêu chí xã, tiêu chí bản và danh mục dự án (Biểu 04), điền sẵn mã và tên
        xã, bản của vùng làm việc.
        """
        from .cli import handle_errors

        @handle_errors
        def run(lang: str | None = None) -> None:
            paths = write_workspace_templates(workspace, folder=output, overwrite=overwrite,
                                              lang=lang)
            for p in paths.values():
                click.echo(t("written", lang or "vi", path=p))

        run(lang=lang)

    return forms


#: ``ntmgis forms``, registered by ntmgis.cli.
cli_command = _command()
