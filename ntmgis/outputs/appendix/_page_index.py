"""The index of a split appendix: which file holds which pages, and where each commune is.

A split appendix (:mod:`ntmgis.outputs.appendix._split`) opens its area-wide PDF with
one or more index sheets: a table of the files (group, file name, number of pages,
the appendix's page numbers in it, communes) and an alphabetical list of the communes
with their group and page number, so that a planner holding a printed or mailed part
finds a commune without opening every file. The sheets are unnumbered (the appendix's
page numbers stay those of the whole, unsplit appendix); their number is fixed by
:func:`index_sheets` before anything is drawn, since the files' page counts include them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ntmgis.core.i18n import fmt_number
from ntmgis.outputs.appendix._carto import MM_PER_PT, Page
from ntmgis.outputs.appendix._notes import crs_note, report_line
from ntmgis.outputs.appendix._text import tr

__all__ = ["IndexFile", "IndexPlan", "Sheet", "index_sheets", "page_index", "page_ranges"]

# Design layout of a sheet (mm on the A4 design sheet, as the other pages).
_TOP, _BOTTOM, _X, _W = 182.0, 18.0, 12.0, 273.0
_HEAD = 7.5 * MM_PER_PT + 1.8  # a heading's height (Page.heading)
_INTRO = 7.0 * MM_PER_PT * 1.45 + 1.0  # one line of text (Page.lines_of_text)
_FILE_ROW, _COM_ROW = 4.0, 3.4
_COLS, _COL_GAP = 4, 3.0
# Columns of the table of files: (message key, width mm, alignment).
_FILE_COLS = (("ix_col_no", 8.0, "center"), ("ix_col_file", 92.0, "left"),
              ("ix_col_part", 82.0, "left"), ("ix_col_count", 17.0, "center"),
              ("ix_col_numbers", 56.0, "left"), ("ix_col_communes", 18.0, "center"))


@dataclass(frozen=True)
class IndexFile:
    """One file of a split appendix, as the index lists it."""

    file: str  # the PDF's name
    part: str  # the group's name; empty for the area-wide file
    pages: int  # pages in the file (the index sheets included)
    numbers: tuple[int, ...]  # the appendix's page numbers in it
    communes: int  # commune pages in it


@dataclass(frozen=True)
class IndexPlan:
    """What the index sheets list; kept in ``AppendixData.extra["index"]``."""

    files: tuple[IndexFile, ...]
    # (commune's name, its group's name, page number), in alphabetical order
    communes: tuple[tuple[str, str, int], ...]
    sheets: int


@dataclass(frozen=True)
class Sheet:
    """What one index sheet holds: rows [a, b) of each list, and where the communes start."""

    files: tuple[int, int]
    communes: tuple[int, int]
    commune_top: float  # y (design mm) of the communes' heading


def index_sheets(n_files: int, n_communes: int) -> list[Sheet]:
    """How the files' table and the communes' list flow over index sheets (at least one).

    The files come first, one table row each, on as many sheets as they need; the
    communes follow in ``_COLS`` ruled columns, wherever there is room for at
    least three rows a column.
    """
    sheets: list[Sheet] = []
    f = c = 0
    while True:
        y = _TOP - _INTRO if not sheets else _TOP
        files = (f, f)
        if f < n_files:
            room = int((y - _HEAD - _BOTTOM - _FILE_ROW * 1.15 - 2.0) // _FILE_ROW)
            take = min(n_files - f, max(room, 1))
            files = (f, f + take)
            f += take
            y -= _HEAD + _FILE_ROW * 1.15 + take * _FILE_ROW + 4.0
        communes = (c, c)
        if f >= n_files and c < n_communes:
            per_col = _rows_per_column(y)
            if per_col >= 3:
                take = min(n_communes - c, per_col * _COLS)
                communes = (c, c + take)
                c += take
        sheets.append(Sheet(files, communes, y))
        if f >= n_files and c >= n_communes:
            return sheets


def _rows_per_column(top: float) -> int:
    return int((top - _HEAD - _BOTTOM - _COM_ROW * 1.15 - 2.0) // _COM_ROW)


def page_ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 20, 34, 35]`` -> ``"1–3, 20, 34–35"``."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)


def page_index(ctx, plan: IndexPlan, k: int) -> Page:
    """Index sheet ``k`` (0-based) of ``plan``: files, then the communes A to Z."""
    lang = ctx.lang
    sheets = index_sheets(len(plan.files), len(plan.communes))
    sheet = sheets[k]
    page = Page(ctx.size, lang)
    label = (tr("ix_page", lang) if len(sheets) == 1
             else tr("ix_page_k", lang, k=k + 1, n=len(sheets)))
    page.frame(title=tr("ix_title", lang), subtitle=ctx.subtitle(), page_label=label,
               source=ctx.source(), note=crs_note(ctx.ws.crs, lang),
               ref=report_line(ctx.ws, lang))
    y = _TOP
    if k == 0:
        total = sum(f.pages for f in plan.files)
        y = page.lines_of_text(_X, y, [tr("ix_intro", lang, files=len(plan.files),
                                          pages=fmt_number(total, lang))], size=7.0)
    a, b = sheet.files
    if b > a:
        y = page.heading(_X, y, tr("ix_files", lang))
        rows = []
        for i in range(a, b):
            f = plan.files[i]
            rows.append([str(i + 1), f.file, f.part or tr("ix_area_part", lang),
                         fmt_number(f.pages, lang), page_ranges(f.numbers) or "–",
                         fmt_number(f.communes, lang) if f.communes else ""])
        page.table(_X, y, [(tr(key, lang), w, al) for key, w, al in _FILE_COLS], rows,
                   size=6.4, row_h=_FILE_ROW)
    a, b = sheet.communes
    if b > a:
        y = page.heading(_X, sheet.commune_top, tr("ix_communes", lang))
        per_col = -(-(b - a) // _COLS)  # balanced columns
        width = (_W - (_COLS - 1) * _COL_GAP) / _COLS
        cols = [(tr("col_commune", lang), width * 0.46, "left"),
                (tr("ix_col_group", lang), width * 0.36, "left"),
                (tr("ix_col_page", lang), width * 0.18, "right")]
        for j in range(_COLS):
            chunk = plan.communes[a + j * per_col:min(b, a + (j + 1) * per_col)]
            if not chunk:
                break
            page.table(_X + j * (width + _COL_GAP), y, cols,
                       [[name, group, str(n)] for name, group, n in chunk],
                       size=6.0, row_h=_COM_ROW)
    return page
