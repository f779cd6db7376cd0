"""Excel forms for the office to fill in (``ntmgis forms``, ``ntmgis init``).

:func:`write_templates` writes three or four workbooks, in Vietnamese by default:

* ``bieu_tieu_chi_xa.xlsx``, sheet ``TieuChi``: commune criteria status in
  wide form, one row per commune and year, one column per criterion with a
  drop-down of "Đạt / Chưa đạt";
* ``bieu_tieu_chi_ban.xlsx``, sheet ``TieuChiBan``: the same for villages
  (bản) and the village criteria set;
* ``bieu_04_danh_muc_du_an.xlsx``, sheet ``DuAn``: the investment list
  (Biểu 04) with capital by source, drop-downs for category, status and
  criteria, and number and year validation;
* ``bieu_chi_tieu_xa.xlsx``, sheet ``ChiTieu``: indicator values, one row per
  commune and year, one column per indicator of the commune set, with its
  unit and checks (shares 0-100, amounts ≥ 0, yes/no as Đạt / Chưa đạt);
  written only when the set has indicators (see
  :mod:`ntmgis.outputs.forms_indicators`).

Each workbook has a title row, a heading row and a row of column keys (row
3, which the reader uses, so columns may be moved), frozen panes, a sheet of
instructions (``HuongDan``) and a hidden sheet of lists (``DanhMuc``) that
also marks the file as an ntmgis form. Codes are written as text so that
Excel keeps their leading zeros. The layout and the reader of filled forms
are in :mod:`ntmgis.inputs.forms`; fonts, print setup and the byte-for-byte
save in :mod:`ntmgis.outputs.forms_layout`.

Names come from the office's files, so every text cell is written with
:func:`ntmgis.core.spreadsheet.set_text`: a name such as ``=HYPERLINK(…)`` is
stored as text (it reads back exactly, never runs), and control characters,
which the XLSX format cannot hold, are replaced by spaces with one
:class:`~ntmgis.core.errors.DataWarning` per workbook. The only formulas are
the form's own (the row total of Biểu 04).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, village_set_from_rows
from ntmgis.core.i18n import check_lang, enum_keys, label, labels
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.core.spreadsheet import XlsxCleaner, set_text
from ntmgis.core.text import nfc
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
from ntmgis.inputs.load import commune_criteria_set, load_inputs, workspace_criteria_set
from ntmgis.monitoring.gpkg import read_layer
from ntmgis.outputs import forms_indicators as indicator_form
from ntmgis.outputs.forms_layout import (
    BLANK_ROWS,
    FONT_NAME,
    FONT_SIZE,
    HELP_LINE,
    PRINTED_BLANK_ROWS,
    TITLE_HEIGHT,
    landscape,
    print_setup,
    save_deterministic,
    write_header,
    write_rows,
)

__all__ = ["FILE_NAMES", "write_templates", "write_template", "write_workspace_templates",
           "year_range"]

DEFAULT_YEARS = tuple(range(2021, 2026))


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
    indicator_set: CriteriaSet | None = None,
) -> dict[str, Path]:
    """Write the Excel templates into ``folder``.

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
    indicator_set : CriteriaSet, optional
        The set whose indicators the indicator form lists (default:
        ``criteria_set``). The form is written only when it has indicators; the
        shipped QĐ 318 and QĐ 51 sets have none.

    Returns
    -------
    dict of str to Path
        Form kind (``commune_status``, ``village_status``, ``indicator_values``,
        ``projects``) to file, in that order; the kinds not written left out.

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
    iset = indicator_set if indicator_set is not None else criteria_set
    kinds = ["commune_status"] + (["village_status"] if village_set is not None else [])
    kinds += (["indicator_values"] if iset.indicators else []) + ["projects"]
    for k in kinds:  # check them all before writing any
        require_writable(folder / FILE_NAMES[k], overwrite, lang, ws=ws)
    out = {}
    for k in kinds:
        out[k] = write_template(
            folder / FILE_NAMES[k], k, communes=communes, villages=villages,
            criteria_set={"village_status": village_set, "indicator_values": iset}.get(
                k, criteria_set),
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
    ``commune_status`` and ``projects``, the village set for ``village_status``,
    a set with indicators for ``indicator_values`` (which also accepts the year
    before ``years``, the plan's base year).
    """
    from openpyxl import Workbook

    check_lang(lang)
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, got {kind!r}")
    years = tuple(int(y) for y in (years or DEFAULT_YEARS))
    indicators = kind == "indicator_values"
    if indicators and not criteria_set.indicators:
        raise ValueError(f"the criteria set {criteria_set.key!r} has no indicators")
    # the years the sheet's check, the instructions and the readers accept
    accepted = indicator_form.accepted_years(years) if indicators else years
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
    write_header(sheet, kind, cols, lang, clean,
                 heading_height=indicator_form.heading_height(cols) if indicators else 60)

    rows: list[dict[str, Any]] = []
    if kind in ("commune_status", "indicator_values"):
        rows = [{"code": c, "name": n, "year": y} for y in years
                for c, n in zip(cm["code"], cm["name"], strict=True)]
    elif kind == "village_status":
        rows = [dict(r._asdict(), year=y) for y in years
                for r in vl[["code", "name", "commune_code", "commune_name"]]
                .itertuples(index=False)]
    last = FIRST_ROW + len(rows) + BLANK_ROWS - 1
    write_rows(sheet, cols, rows, clean)
    _add_validation(sheet, cols, kind, lang, criteria_set, accepted, len(cm), last)
    print_setup(sheet, cols, kind, last_row=FIRST_ROW + len(rows) + PRINTED_BLANK_ROWS - 1,
                font_to=last)
    if indicators:
        sheet.page_setup.fitToWidth = indicator_form.pages_across(cols)
    help_ws = wb.create_sheet(HELP_SHEET, 0)
    _write_help(help_ws, kind, lang, criteria_set, accepted, clean)
    wb.active = 1
    lists.sheet_state = "hidden"
    path = Path(path)
    with atomic_output(path, overwrite=overwrite, lang=lang, ws=ws) as tmp:
        save_deterministic(wb, tmp)
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
               "coord:lat": lat, **indicator_form.validations(lang)}
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
    elif kind == "indicator_values":
        lines += indicator_form.help_lines(cset, lang, base_year=min(years))
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
    if kind == "indicator_values":  # each indicator with its unit and accepted values
        for key, text, strong in indicator_form.help_list(cset, lang):
            put(r, key, text, bold if strong else font)
            r += 1
    else:
        put(r, None, f"{form_text('help_criteria_list', lang)}: "
            f"{cset.name_en if lang == 'en' else cset.name_vi}", bold)
        r += 1
        for c in cset:
            put(r, f"TC{c.number}", c.name(lang))
            r += 1
    landscape(ws, f"A1:B{r - 1}")
    # the instructions on one page, unless a long list of indicators would be shrunk unreadable
    ws.page_setup.fitToHeight = 1 if r <= 45 else 0


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
    written when the workspace has a village criteria set; the indicator form
    when its commune set (``[criteria] commune_set``, a shipped key or a
    ``.toml`` file) has indicators, which the shipped sets do not yet.

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
                           overwrite=overwrite, ws=ws,
                           indicator_set=workspace_criteria_set(ws, lang=lang))

