"""The look of the Excel forms: headings, fonts, print setup, and saving them byte for byte.

Shared by every form :mod:`ntmgis.outputs.forms` writes (and by the indicator
form of :mod:`ntmgis.outputs.forms_indicators`), so that they print alike: A4
landscape fitted to the width, heading rows and key columns repeated on each
page, Times New Roman on every cell (no serif fallback on another computer),
rows tall enough for stacked Vietnamese accents. The same input gives the same
bytes (:func:`save_deterministic`), which the sample's manifest pins.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from pathlib import Path
from typing import Any

from ntmgis.core.spreadsheet import XlsxCleaner, set_text
from ntmgis.core.text import is_missing
from ntmgis.inputs.forms import FIRST_ROW, FormColumn, form_text

__all__ = ["BLANK_ROWS", "FONT_NAME", "FONT_SIZE", "HELP_LINE", "MONEY_FORMAT",
           "PRINTED_BLANK_ROWS", "TITLE_HEIGHT", "key_columns", "landscape", "print_setup",
           "save_deterministic", "write_header", "write_rows"]

BLANK_ROWS = 200  # validated empty rows below the pre-filled ones
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


def write_header(ws: Any, kind: str, cols: list[FormColumn], lang: str,
                 clean: XlsxCleaner, *, heading_height: float = 60) -> None:
    """Title (row 1), headings (row 2), column keys (row 3), widths and frozen panes.

    ``heading_height`` (points) is the height of the heading row: the indicator
    form's long headings need more than the criteria's.
    """
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
    ws.row_dimensions[2].height = heading_height
    ws.row_dimensions[3].height = KEY_HEIGHT
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=key_columns(cols, kind) + 1)
    ws.sheet_view.zoomScale = 100


def key_columns(cols: list[FormColumn], kind: str) -> int:
    """How many columns on the left identify a row (codes, names, year): frozen, reprinted."""
    first_data = next(j for j, c in enumerate(cols, start=1) if c.kind != "code"
                      and c.key not in ("name", "village_name", "commune_name", "year"))
    return 2 if kind == "projects" else first_data - 1


def landscape(ws: Any, print_area: str) -> None:
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


def print_setup(ws: Any, cols: list[FormColumn], kind: str, *, last_row: int,
                font_to: int) -> None:
    """Print area, A4 landscape fitted to width, heading rows and key columns on each page.

    Also the font on every cell of the form and rows tall enough for stacked accents.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    last_col = get_column_letter(len(cols))
    landscape(ws, f"A1:{last_col}{last_row}")
    ws.print_title_rows = f"2:{FIRST_ROW - 1}"
    ws.print_title_cols = f"A:{get_column_letter(key_columns(cols, kind))}"
    font = Font(name=FONT_NAME, size=FONT_SIZE)
    for r in range(FIRST_ROW, font_to + 1):
        ws.row_dimensions[r].height = ROW_HEIGHT
        for j in range(1, len(cols) + 1):
            ws.cell(row=r, column=j).font = font


def write_rows(ws: Any, cols: list[FormColumn], rows: list[dict[str, Any]],
              clean: XlsxCleaner) -> None:
    """The pre-filled rows, and the number formats of every row the form validates."""
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



def save_deterministic(wb: Any, path: Path) -> None:
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
