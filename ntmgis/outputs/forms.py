"""Excel forms for the office to fill in (``ntmgis forms``, ``ntmgis init``).

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
Excel keeps their leading zeros. The layout and the reader of filled forms
are in :mod:`ntmgis.inputs.forms`.

Names come from the office's files, so every text cell is written with
:func:`ntmgis.core.spreadsheet.set_text`: a name such as ``=HYPERLINK(…)`` is
stored as text (it reads back exactly, never runs), and control characters,
which the XLSX format cannot hold, are replaced by spaces with one
:class:`~ntmgis.core.errors.DataWarning` per workbook. The only formulas are
the form's own (the row total of Biểu 04).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, village_set_from_rows
from ntmgis.core.i18n import check_lang, enum_keys, label, labels
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.core.spreadsheet import XlsxCleaner, set_text
from ntmgis.core.text import is_missing, nfc
from ntmgis.core.vocabulary import is_urban_unit
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.inputs.forms import (
    FILE_NAMES,
    FIRST_ROW,
    FORM_KINDS,
    FORM_VERSION,
    HELP_SHEET,
    LAT_RANGE,
    LIST_SHEET,
    LON_RANGE,
    MARKER,
    SHEET_NAMES,
    FormColumn,
    form_columns,
    form_text,
)
from ntmgis.inputs.load import commune_criteria_set, load_inputs
from ntmgis.monitoring.gpkg import read_layer

__all__ = ["FILE_NAMES", "write_templates", "write_template", "write_workspace_templates",
           "year_range"]

BLANK_ROWS = 200  # validated empty rows below the pre-filled ones
DEFAULT_YEARS = tuple(range(2021, 2026))
# Million VND: always a decimal part, so that "772,0" (vi) cannot be read as 772 000.
MONEY_FORMAT = "#,##0.0##"
#: The font offices use, set on every cell (no serif fallback on another computer).
FONT_NAME = "Times New Roman"
FONT_SIZE = 11
#: Row heights (points) that leave room for stacked Vietnamese accents ("BIỂU", "Ữ").
TITLE_HEIGHT, KEY_HEIGHT, ROW_HEIGHT, HELP_LINE = 27.0, 15.0, 19.5, 16.5
#: Blank rows printed below the pre-filled ones (the form may be filled in by hand).
PRINTED_BLANK_ROWS = 20
# A fixed date for the workbook properties and zip entries: same input, same bytes.
_FIXED_DATE = _dt.datetime(2025, 1, 1, 0, 0, 0)


def year_range(years: Sequence[int]) -> tuple[int, int]:
    """The years the form accepts (the instructions, the sheet's check and the reader).

    :func:`ntmgis.inputs.forms.read_form` with the workspace's years accepts the same.
    """
    return min(years), max(years)


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
    ws: Workspace | None = None,
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
    ws : Workspace, optional
        The workspace the forms are for: no template may replace one of its
        inputs (nor one of the workspace holding ``folder``), even with ``overwrite``.

    Returns
    -------
    dict of str to Path
        Form kind (``commune_status``, ``village_status``, ``projects``) to file.

    Raises
    ------
    OutputExistsError
        A template exists and ``overwrite`` is false (nothing is written then).
    OutputIsInputError
        A template would replace an input (a filled form the workspace reads).

    Warns
    -----
    DataWarning
        A name held control characters, replaced by spaces.
    """
    check_lang(lang)
    folder = Path(folder)
    kinds = ["commune_status"] + (["village_status"] if village_set is not None else [])
    kinds.append("projects")
    for k in kinds:  # check them all before writing any
        require_writable(folder / FILE_NAMES[k], overwrite, lang, ws=ws)
    out = {}
    for k in kinds:
        out[k] = write_template(
            folder / FILE_NAMES[k], k, communes=communes, villages=villages,
            criteria_set=village_set if k == "village_status" else criteria_set,
            years=years, lang=lang, overwrite=overwrite, ws=ws,
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
    ws: Workspace | None = None,
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

    cols = form_columns(kind, lang, criteria_set)
    clean = XlsxCleaner(Path(path).name, lang)
    wb = Workbook()
    sheet = wb.active
    sheet.title = SHEET_NAMES[kind]
    lists = wb.create_sheet(LIST_SHEET)
    _write_lists(lists, kind, lang, criteria_set, cm, clean)
    _write_header(sheet, kind, cols, lang, clean)

    rows: list[dict[str, Any]] = []
    if kind == "commune_status":
        rows = [{"code": c, "name": n, "year": y} for y in years
                for c, n in zip(cm["code"], cm["name"], strict=True)]
    elif kind == "village_status":
        rows = [dict(r._asdict(), year=y) for y in years
                for r in vl[["code", "name", "commune_code", "commune_name"]]
                .itertuples(index=False)]
    last = FIRST_ROW + len(rows) + BLANK_ROWS - 1
    _write_rows(sheet, cols, rows, clean)
    _add_validation(sheet, cols, kind, lang, criteria_set, years, len(cm), last)
    _print_setup(sheet, cols, kind, last_row=FIRST_ROW + len(rows) + PRINTED_BLANK_ROWS - 1,
                 font_to=last)
    help_ws = wb.create_sheet(HELP_SHEET, 0)
    _write_help(help_ws, kind, lang, criteria_set, years, clean)
    wb.active = 1
    lists.sheet_state = "hidden"
    path = Path(path)
    with atomic_output(path, overwrite=overwrite, lang=lang, ws=ws) as tmp:
        _save_deterministic(wb, tmp)
    clean.warn()
    return path


def _write_lists(ws: Any, kind: str, lang: str, cset: CriteriaSet, cm: pd.DataFrame,
                 clean: XlsxCleaner) -> None:
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
            set_text(ws[f"{col}{i}"], v, clean)


def _write_header(ws: Any, kind: str, cols: list[FormColumn], lang: str,
                  clean: XlsxCleaner) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws["A1"] = form_text(f"title_{kind}", lang)
    ws["A1"].font = Font(name=FONT_NAME, bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(len(cols), 12))
    thin = Side(style="thin", color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(cols, start=1):
        h = set_text(ws.cell(row=2, column=j), c.heading, clean)
        h.font = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
        h.fill = fill
        h.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        h.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        k = ws.cell(row=3, column=j, value=c.key)
        k.font = Font(name=FONT_NAME, italic=True, size=8, color="808080")
        k.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = c.width
    ws.row_dimensions[1].height = TITLE_HEIGHT
    ws.row_dimensions[2].height = 60
    ws.row_dimensions[3].height = KEY_HEIGHT
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=_key_columns(cols, kind) + 1)
    ws.sheet_view.zoomScale = 100


def _key_columns(cols: list[FormColumn], kind: str) -> int:
    """How many columns on the left identify a row (codes, names, year): frozen, reprinted."""
    first_data = next(j for j, c in enumerate(cols, start=1) if c.kind != "code"
                      and c.key not in ("name", "village_name", "commune_name", "year"))
    return 2 if kind == "projects" else first_data - 1


def _landscape(ws: Any, print_area: str) -> None:
    """A4 landscape, fitted to the page's width (as many pages down as needed)."""
    ws.print_area = print_area
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3


def _print_setup(ws: Any, cols: list[FormColumn], kind: str, *, last_row: int,
                 font_to: int) -> None:
    """Print area, A4 landscape fitted to width, heading rows and key columns on each page.

    Also the font on every cell of the form and rows tall enough for stacked accents.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    last_col = get_column_letter(len(cols))
    _landscape(ws, f"A1:{last_col}{last_row}")
    ws.print_title_rows = f"2:{FIRST_ROW - 1}"
    ws.print_title_cols = f"A:{get_column_letter(_key_columns(cols, kind))}"
    font = Font(name=FONT_NAME, size=FONT_SIZE)
    for r in range(FIRST_ROW, font_to + 1):
        ws.row_dimensions[r].height = ROW_HEIGHT
        for j in range(1, len(cols) + 1):
            ws.cell(row=r, column=j).font = font


def _write_rows(ws: Any, cols: list[FormColumn], rows: list[dict[str, Any]],
               clean: XlsxCleaner) -> None:
    from openpyxl.utils import get_column_letter

    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        for j, c in enumerate(cols, start=1):
            v = row.get(c.key)
            if v is not None and not is_missing(v):
                cell = ws.cell(row=r, column=j)
                if c.kind == "year":
                    cell.value = int(v)
                else:
                    set_text(cell, str(v), clean)  # a name, never a formula
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


def _add_validation(ws: Any, cols: list[FormColumn], kind: str, lang: str, cset: CriteriaSet,
                    years: tuple[int, ...], n_communes: int, last: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    en = lang == "en"
    met = DataValidation(type="list", formula1=f"{LIST_SHEET}!$C$2:$C$3", allow_blank=True,
                         showErrorMessage=True, errorStyle="stop",
                         errorTitle="Not met / met" if en else "Đạt / Chưa đạt",
                         error="Pick Đạt or Chưa đạt" if en else "Chọn Đạt hoặc Chưa đạt")
    lo, hi = year_range(years)
    year = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                          allow_blank=True, showErrorMessage=True,
                          error=form_text("help_years", lang, lo=lo, hi=hi))
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                           allow_blank=True, showErrorMessage=True,
                           error=form_text("help_money", lang))
    n_cat, n_status = len(enum_keys("category")), len(enum_keys("status"))
    category = DataValidation(type="list", formula1=f"{LIST_SHEET}!$D$2:$D${n_cat + 1}",
                              allow_blank=True, showErrorMessage=True,
                              error=form_text("help_enums", lang))
    status = DataValidation(type="list", formula1=f"{LIST_SHEET}!$E$2:$E${n_status + 1}",
                            allow_blank=True, showErrorMessage=True,
                            error=form_text("help_enums", lang))
    # A warning, not a stop: several criteria are typed as "2;5".
    criteria = DataValidation(type="list", formula1=f"{LIST_SHEET}!$F$2:$F${len(cset) + 1}",
                              allow_blank=True, showErrorMessage=True, errorStyle="warning",
                              error=form_text("help_criteria", lang))
    lon = DataValidation(type="decimal", operator="between", formula1=str(LON_RANGE[0]),
                         formula2=str(LON_RANGE[1]), allow_blank=True, showErrorMessage=True,
                         error=form_text("help_coords", lang))
    lat = DataValidation(type="decimal", operator="between", formula1=str(LAT_RANGE[0]),
                         formula2=str(LAT_RANGE[1]), allow_blank=True, showErrorMessage=True,
                         error=form_text("help_coords", lang))
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
                years: tuple[int, ...], clean: XlsxCleaner) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = SHEET_NAMES[kind]
    lines = [form_text("help_rows", lang, sheet=sheet, first=FIRST_ROW),
             form_text("help_codes", lang)]
    if kind == "projects":
        lines += [form_text("help_enums", lang), form_text("help_criteria", lang),
                  form_text("help_money", lang), form_text("help_coords", lang)]
    else:
        lines.append(form_text("help_status", lang))
    lines += [form_text("help_years", lang, lo=year_range(years)[0], hi=year_range(years)[1]),
              form_text("help_errors", lang, sheet=sheet)]
    font, bold = Font(name=FONT_NAME, size=FONT_SIZE), Font(name=FONT_NAME, size=FONT_SIZE,
                                                            bold=True)
    ws["A1"] = form_text("help_title", lang)
    ws["A1"].font = Font(name=FONT_NAME, bold=True, size=13)
    ws.merge_cells("A1:B1")  # the title never cut at the first column's edge
    ws.row_dimensions[1].height = TITLE_HEIGHT
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 110
    chars = 100  # characters of a line of column B (Times New Roman 11, width 110)

    def put(r: int, key: object, text: str, f: Any = font) -> None:
        a = ws.cell(row=r, column=1, value=key)
        a.font, a.alignment = font, Alignment(vertical="top")
        cell = set_text(ws.cell(row=r, column=2), text, clean)
        cell.font, cell.alignment = f, Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = HELP_LINE * max(1, -(-len(text) // chars)) + 3

    r = 3
    for i, line in enumerate(lines, start=1):
        put(r, i, line)
        r += 1
    r += 1
    put(r, None, f"{form_text('help_criteria_list', lang)}: "
        f"{cset.name_en if lang == 'en' else cset.name_vi}", bold)
    r += 1
    for c in cset:
        put(r, f"TC{c.number}", c.name(lang))
        r += 1
    _landscape(ws, f"A1:B{r - 1}")
    ws.page_setup.fitToHeight = 1  # the instructions on one page


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
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    lang = lang or ws.language
    communes = villages = None
    village_set = None
    if ws.output_gpkg.is_file():
        communes = read_layer(ws.output_gpkg, "communes", geometry=False)
        villages = read_layer(ws.output_gpkg, "villages", geometry=False)
        rows = read_layer(ws.output_gpkg, "village_criteria_set", geometry=False)
        if rows is not None:
            village_set = village_set_from_rows(
                rows.to_dict("records"), key="village", name_vi=ws.village_set_name,
                name_en=ws.village_set_name_en)
    else:
        inp = load_inputs(ws, IssueLog(lang=lang, root=ws.root))
        if inp.communes is not None:
            communes = pd.DataFrame(inp.communes.drop(columns="geometry", errors="ignore"))
            if "in_programme" not in communes and "unit_type" in communes:
                communes["in_programme"] = [not is_urban_unit(u)
                                            for u in communes["unit_type"]]
        if inp.villages is not None:
            villages = pd.DataFrame(inp.villages.drop(columns="geometry", errors="ignore"))
        village_set = inp.village_set
    folder = Path(folder) if folder is not None else ws.root / "templates"
    return write_templates(folder, communes=communes, villages=villages,
                           criteria_set=commune_criteria_set(ws, lang=lang),
                           village_set=village_set, years=ws.years, lang=lang,
                           overwrite=overwrite, ws=ws)

