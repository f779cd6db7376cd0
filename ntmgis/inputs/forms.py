"""Filled ntmgis Excel forms: their layout, and a strict reader for them.

The forms themselves are written by :mod:`ntmgis.outputs.forms`; this module
owns what both sides agree on (sheet names, the marker, the column keys of
row 3, the kinds of value) and reads a filled form back. The indicator form
(one column per indicator, keys ``ct10``, ``ct17.1`` ...) is also read cell by
cell (:func:`form_grid`) by :mod:`ntmgis.inputs.indicators`, which reports
every bad cell as it does a wide table's.

:func:`read_form` reads a filled template back into a table with ntmgis's
canonical column names; a cell that cannot be read raises
:class:`~ntmgis.core.errors.DataError` naming the sheet and cell (``TieuChi!F12``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, Indicator
from ntmgis.core.errors import DataError
from ntmgis.core.i18n import catalog, check_lang, enum_keys, label, labels, t
from ntmgis.core.text import fold, is_missing, nfc, parse_number
from ntmgis.core.vocabulary import parse_met

__all__ = [
    "FORM_KINDS",
    "FILE_NAMES",
    "SHEET_NAMES",
    "INDICATOR_PREFIX",
    "FormColumn",
    "form_columns",
    "form_grid",
    "form_kind",
    "indicator_column",
    "indicator_key_of",
    "read_form",
]

FORM_KINDS = ("commune_status", "village_status", "projects", "indicator_values")
FILE_NAMES = {
    "commune_status": "bieu_tieu_chi_xa.xlsx",
    "village_status": "bieu_tieu_chi_ban.xlsx",
    "projects": "bieu_04_danh_muc_du_an.xlsx",
    "indicator_values": "bieu_chi_tieu_xa.xlsx",
}
SHEET_NAMES = {"commune_status": "TieuChi", "village_status": "TieuChiBan", "projects": "DuAn",
               "indicator_values": "ChiTieu"}
#: Row-3 key of an indicator column: ``ct`` and the indicator's key (``ct17.1``), text
#: that no one mistakes for a number (a bare "17.1" would be one in Excel).
INDICATOR_PREFIX = "ct"
_INDICATOR_KEY = re.compile(INDICATOR_PREFIX + r"(\d+(?:\.\d+)*)")
LIST_SHEET = "DanhMuc"
HELP_SHEET = "HuongDan"
MARKER = "ntmgis-form"
FORM_VERSION = 1
HEADER_ROWS = 3  # title, headings, column keys
FIRST_ROW = HEADER_ROWS + 1
# Longitude/latitude of Vietnam, for the project coordinates.
LON_RANGE = (102.0, 110.0)
LAT_RANGE = (8.0, 24.0)

_MSG = {
    "title_commune_status": ("BIỂU TÌNH HÌNH ĐẠT TIÊU CHÍ NÔNG THÔN MỚI CỦA CÁC XÃ",
                             "COMMUNES' STATUS ON THE NEW RURAL DEVELOPMENT CRITERIA"),
    "title_village_status": ("BIỂU TÌNH HÌNH ĐẠT TIÊU CHÍ NÔNG THÔN MỚI CỦA CÁC BẢN",
                             "VILLAGES' STATUS ON THE VILLAGE CRITERIA"),
    "title_projects": ("BIỂU 04. DANH MỤC DỰ ÁN, CÔNG TRÌNH ĐẦU TƯ (ĐVT: triệu đồng)",
                       "FORM 04. LIST OF INVESTMENT PROJECTS (million VND)"),
    "title_indicator_values": ("BIỂU SỐ LIỆU CÁC CHỈ TIÊU NÔNG THÔN MỚI CỦA CÁC XÃ",
                               "COMMUNES' VALUES OF THE NEW RURAL DEVELOPMENT INDICATORS"),
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
    "unknown_indicator_key": ("cột '{key}' không phải chỉ tiêu của bộ {set}",
                              "column '{key}' is not an indicator of the set {set}"),
    "duplicate_row": ("{what} bị trùng với dòng {first}", "{what} repeats row {first}"),
}


#: The forms' own words, shared by the writer and the reader.
form_text = catalog(_MSG)


@dataclass(frozen=True)
class FormColumn:
    """A column of a form: its key (row 3), heading, kind of value and width."""

    key: str
    heading: str
    # code | text | year | met | money | enum:<kind> | criteria | coord:<lon|lat> | total,
    # and for indicators share (0-100) | amount (>= 0) | raw (read as typed, no set to check)
    kind: str
    width: float = 12.0
    required: bool = False


def form_columns(kind: str, lang: str, cset: CriteriaSet) -> list[FormColumn]:
    """The columns of a form of ``kind``, in sheet order, with headings in ``lang``."""
    if kind in ("commune_status", "indicator_values"):  # one row per commune and year
        cols = [
            FormColumn("code", form_text("code", lang), "code", 10, True),
            FormColumn("name", form_text("name", lang), "text", 18),
            FormColumn("year", form_text("year", lang), "year", 8, True),
        ]
    elif kind == "village_status":
        cols = [
            FormColumn("code", form_text("village_code", lang), "code", 11, True),
            FormColumn("name", form_text("village_name", lang), "text", 18),
            FormColumn("commune_code", form_text("code", lang), "code", 10),
            FormColumn("commune_name", form_text("name", lang), "text", 16),
            FormColumn("year", form_text("year", lang), "year", 8, True),
        ]
    else:
        cols = [
            FormColumn("project_id", form_text("project_id", lang), "id", 10, True),
            FormColumn("name", form_text("project_name", lang), "text", 40, True),
            FormColumn("category", form_text("category", lang), "enum:category", 18),
            FormColumn("commune_code", form_text("code", lang), "code", 10),
            FormColumn("commune_name", form_text("name", lang), "text", 16),
            FormColumn("village_code", form_text("village_code", lang), "code", 11),
            FormColumn("village_name", form_text("village_name", lang), "text", 16),
            FormColumn("criteria", form_text("criteria", lang), "criteria", 22),
            FormColumn("year_start", form_text("year_start", lang), "year", 10),
            FormColumn("year_end", form_text("year_end", lang), "year", 10),
            FormColumn("status", form_text("status", lang), "enum:status", 16),
        ]
        cols += [FormColumn(f"cap_{s}", label("source", s, lang), "money", 14)
                 for s in enum_keys("source")]
        cols += [
            FormColumn("cap_total", form_text("cap_total", lang), "total", 14),
            FormColumn("disbursed", form_text("disbursed", lang), "money", 14),
            FormColumn("lon", form_text("lon", lang), "coord:lon", 12),
            FormColumn("lat", form_text("lat", lang), "coord:lat", 12),
            FormColumn("note", form_text("note", lang), "text", 24),
        ]
        return cols
    if kind == "indicator_values":
        return cols + [indicator_column(ind, lang) for ind in cset.indicators]
    for c in cset:
        cols.append(FormColumn(c.key, f"TC{c.number}. {c.name(lang)}", "met", 11))
    return cols


def indicator_column(ind: Indicator, lang: str) -> FormColumn:
    """The indicator form's column of ``ind``: key ``ct<key>``, heading ``<key>. <name> (<unit>)``.

    Its kind is the check the form and the readers apply: ``met`` (a drop-down of
    Đạt / Chưa đạt) for yes/no indicators, ``share`` (0-100) for a unit of "%",
    ``amount`` (a number ≥ 0) for any other numeric unit, the same rule as
    :func:`ntmgis.inputs.indicators.read_indicator_values`.
    """
    heading = f"{ind.key}. {ind.name(lang)}" + (f" ({ind.unit})" if ind.unit.strip() else "")
    kind = "met" if ind.kind == "yes_no" else ("share" if ind.is_share else "amount")
    return FormColumn(f"{INDICATOR_PREFIX}{ind.key}", heading, kind, 20)


def indicator_key_of(column_key: Any) -> str | None:
    """The indicator key of an indicator form's column key: ``"ct17.1"`` -> ``"17.1"``."""
    m = _INDICATOR_KEY.fullmatch(str(column_key).strip()) if column_key is not None else None
    return m.group(1) if m else None


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


def form_grid(path: str | Path, kind: str, *, lang: str = "vi") -> list[list[Any]]:
    """The values (not formulas) of a filled form's sheet, row by row, as Excel shows them.

    In the indicator form a number shown as a percentage ("85%" typed, 0.85
    stored) is read as the number shown, 85: its shares are on a 0-100 scale.

    Raises
    ------
    DataError
        The file is missing, is another kind of ntmgis form, or is no form.
    """
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise DataError(t("file_missing", lang, path=path), path=path)
    sheet = SHEET_NAMES[kind]
    found = form_kind(path)
    if found is not None and found != kind:
        raise DataError(form_text("wrong_kind", lang, path=path, found=found, kind=kind), path=path)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if found is None or sheet not in wb.sheetnames:
            raise DataError(form_text("not_a_form", lang, path=path, kind=kind, sheet=sheet),
                            path=path)
        if kind != "indicator_values":
            return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
        return [[_shown(c) for c in r] for r in wb[sheet].iter_rows()]
    finally:
        wb.close()


def _shown(cell: Any) -> Any:
    """A cell's value as shown: a number in a percent format times 100 (0.85 -> 85)."""
    v = cell.value
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in fmt:
        return round(v * 100, 10)  # 0.855 * 100 is 85.49999999999999
    return v


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
    kind : {"commune_status", "village_status", "projects", "indicator_values"}
        Which form it must be.
    criteria_set : CriteriaSet, optional
        Used to check criterion numbers in the investment list (default: the
        19 commune criteria). The criteria columns of the status forms are
        taken from the form itself (``tc01`` ... / ``vc01`` ...). For the
        indicator form, the set whose indicators the ``ct`` columns must be
        (shares 0-100, amounts ≥ 0, yes/no as Đạt / Chưa đạt); without it
        they are returned as typed.
    code_width : int, optional
        Width of commune codes: a commune code that Excel turned into a number
        (``3436``) gets its leading zeros back. Without it such a cell is an error.
    years : sequence of int, optional
        Accepted years (default: any year from 1990 to 2100); the indicator form
        also accepts the year before the first (the plan's base year).
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
        ``disbursed``, ``lon``, ``lat`` (floats, NaN when empty), ``note``;
        ``indicator_values``: ``code``, ``name``, ``year``, ``ct10`` ...
        (floats, or nullable integers 1/0 for yes/no indicators).
        Codes are strings; texts are Unicode NFC; rows keep the sheet's
        order; rows left entirely empty are skipped (``attrs["sheet_rows"]``: Excel's rows).

    Raises
    ------
    DataError
        A cell cannot be read, a required cell is empty or a key repeats;
        the message starts with the cell reference, e.g. ``TieuChi!F12: ...``.
    """
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, got {kind!r}")
    path = Path(path)
    sheet = SHEET_NAMES[kind]
    grid = form_grid(path, kind, lang=lang)
    rd = _Reader(path, sheet, lang)
    keys_row = grid[HEADER_ROWS - 1] if len(grid) >= HEADER_ROWS else []
    col_of: dict[str, int] = {}
    for j, v in enumerate(keys_row):
        if isinstance(v, str) and v.strip():
            col_of.setdefault(v.strip(), j)
    cset = criteria_set or COMMUNE_CRITERIA
    spec = {c.key: c for c in form_columns(kind, lang, cset)}
    if kind == "indicator_values":
        spec = {k: c for k, c in spec.items() if indicator_key_of(k) is None}
        spec.update(_indicator_spec(rd, col_of, criteria_set))
    elif kind != "projects":
        prefix = "tc" if kind == "commune_status" else "vc"
        crit_keys = sorted((k for k in col_of if re.fullmatch(prefix + r"\d{2,3}", k)),
                           key=lambda k: int(k[2:]))
        spec = {k: c for k, c in spec.items() if c.kind != "met"}
        for k in crit_keys:
            spec[k] = FormColumn(k, k, "met")
    if kind == "projects":
        spec.pop("cap_total")
    for key, c in spec.items():
        if key not in col_of and (c.required or c.kind == "met" or kind == "projects"):
            raise rd.error(f"A{HEADER_ROWS}", HEADER_ROWS, key, None,
                           form_text("missing_key", lang, row=HEADER_ROWS, key=key))
    lo, hi = (min(years), max(years)) if years else (1990, 2100)
    if kind == "indicator_values" and years:
        lo -= 1  # the base year of the plan's targets (income of 2020), as the form allows
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
                           form_text("duplicate_row", lang, what=" / ".join(map(str, key)),
                              first=seen[key]))
        seen[key] = i
        for k in data:
            data[k].append(parsed[k])
    df = _to_frame(data, spec)
    df.attrs["sheet_rows"] = list(seen.values())  # kept rows, in order (blank ones skipped)
    return df


def _indicator_spec(rd: _Reader, col_of: dict[str, int],
                    cset: CriteriaSet | None) -> dict[str, FormColumn]:
    """The indicator columns the form has (row 3), checked as ``cset`` says when given."""
    from openpyxl.utils import get_column_letter

    known = {i.key: i for i in cset.indicators} if cset is not None else {}
    out = {}
    for k, j in col_of.items():
        if (key := indicator_key_of(k)) is None:
            continue
        if cset is None:
            out[k] = FormColumn(k, k, "raw")
        elif key in known:
            out[k] = indicator_column(known[key], rd.lang)
        else:
            raise rd.error(f"{get_column_letter(j + 1)}{HEADER_ROWS}", HEADER_ROWS, k, k,
                           form_text("unknown_indicator_key", rd.lang, key=k, set=cset.key))
    return out


def _to_frame(data: dict[str, list[Any]], spec: dict[str, FormColumn]) -> pd.DataFrame:
    out = {}
    for k, values in data.items():
        kind = spec[k].kind
        if kind in ("year", "met"):
            out[k] = pd.array(values, dtype="Int64")
        elif kind in ("money", "share", "amount") or kind.startswith("coord"):
            out[k] = np.array([np.nan if v is None else v for v in values], dtype="float64")
        else:
            # pandas' own inference: object in pandas 2, the string dtype in pandas 3
            out[k] = pd.Series(values) if values else pd.Series(values, dtype=object)
    return pd.DataFrame(out)


def _parse_cell(rd: _Reader, cell: str, row: int, col: FormColumn, v: Any, *, lo: int, hi: int,
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
            raise err(form_text("code_number", lang, value=v))
        if isinstance(v, (int, float)):
            if isinstance(v, float) and not v.is_integer():
                raise err(form_text("code_number", lang, value=v))
            s = str(int(v))
            is_commune = col.key == "commune_code" or rd.sheet in (
                SHEET_NAMES["commune_status"], SHEET_NAMES["indicator_values"])
            if is_commune and code_width:
                return s.zfill(code_width)
            raise err(form_text("code_number", lang, value=s))
        return nfc(str(v))
    if kind == "year":
        y = _as_int(v)
        if y is None or y < 1000 or y > 9999:
            raise err(form_text("bad_year", lang, value=v))
        if not lo <= y <= hi:
            raise err(t("year_range", lang, value=y, lo=lo, hi=hi))
        return y
    if kind == "met":
        try:
            return parse_met(v)  # the words the status tables accept, too
        except ValueError:
            raise err(t("bad_status_value", lang, value=v)) from None
    if kind == "raw":
        return nfc(v) if isinstance(v, str) else v
    if kind in ("money", "share", "amount") or kind.startswith("coord"):
        if isinstance(v, bool):
            raise err(t("not_a_number", lang, value=v))
        try:
            x = parse_number(v, decimal=",")
        except ValueError:
            raise err(t("not_a_number", lang, value=v)) from None
        if x is None:
            return None
        if kind in ("money", "amount") and x < 0:
            raise err(t("negative", lang, value=v))
        if kind == "share" and not 0 <= x <= 100:
            raise err(form_text("bad_range", lang, value=v, lo=0, hi=100))
        if kind.startswith("coord"):
            a, b = LON_RANGE if kind == "coord:lon" else LAT_RANGE
            if not a <= x <= b:
                raise err(form_text("bad_range", lang, value=v, lo=a, hi=b))
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
            raise err(form_text("bad_criteria", lang, value=v, lo=min(cset.numbers),
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

