"""The report as an office writes it: a Word (.docx) administrative report.

Layout after the rules for administrative documents, Appendix I of Nghị định
30/2020/NĐ-CP on clerical work ("công tác văn thư"): A4 portrait; margins top
and bottom 20-25 mm, left 30-35 mm, right 15-20 mm; Times New Roman (Unicode,
TCVN 6909:2001), black; body text 13-14 pt; the national motto block
("Quốc hiệu và Tiêu ngữ") opposite the issuing body; "Số: …/BC-…"; place and
date in italics; the kind of document ("BÁO CÁO") and its summary in bold;
page numbers centred at the top, not on the first page. The decree's own text
could not be read from here: these values are those that Vietnamese sources
quoting its Appendix I give (e.g. giaoan.link, amvietnam.com, "căn lề chuẩn
theo Nghị định 30"), and what offices use.

Only what the workspace knows is filled in: the area and province, the plan's
name, the data date. The issuing office, the document number, the date of
signing, the recipients and the signatory are left as dotted blanks for the
office to fill.

Sections: I. headline targets, II. criteria (table, then the overview map of
the year from the map appendix as a figure), III. funding; tables by period
and by office (issue 14) follow as further sections through ``extra``.

Same inputs, same bytes: core properties and zip entries are dated with the
workspace's ``data_date`` and the map is drawn with the appendix's fixed
settings.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ntmgis.core.i18n import catalog
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.core.version import __version__
from ntmgis.core.workspace import Workspace
from ntmgis.outputs.report import PlanReport, area_name, write_report
from ntmgis.outputs.report_xlsx import (
    FORMATS,
    XLSX_NAME,
    ReportTable,
    cell_text,
    fixed_time,
    fixed_zip,
    parse_formats,
    report_tables,
    typed_cell,
    workbook_bytes,
)

__all__ = ["FORMATS", "DOCX_NAME", "parse_formats", "docx_bytes", "overview_png",
           "write_report_formats"]

DOCX_NAME = "plan_vs_actual.docx"
FONT = "Times New Roman"
# Millimetres: A4 portrait and the decree's margins (the smaller right margin leaves
# 165 mm for the tables).
PAGE_W, PAGE_H = 210, 297
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]
BODY_PT, TABLE_PT, SMALL_TABLE_PT = 14, 12, 11
# The map's resolution: an A4 landscape page at 165 mm wide is ~280 dpi on paper.
MAP_DPI = 150

_T = catalog({
    "body": ("UBND {area}", "People's Committee of {area}"),
    "issuer": ("……………………", "……………………"),
    "nation": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIETNAM"),
    "motto": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
    "number": ("Số: …/BC-…", "No.: …/BC-…"),
    "place_date": ("{place}, ngày … tháng … năm 20…", "{place}, date … month … 20…"),
    "kind": ("BÁO CÁO", "REPORT"),
    "plan": ("Căn cứ {plan}.", "Under the {plan}."),
    "data_date": ("Số liệu tính đến ngày {date}.", "Figures as of {date}."),
    "h_head": ("Kết quả thực hiện các chỉ tiêu chủ yếu", "Headline targets"),
    "h_criteria": ("Kết quả thực hiện các tiêu chí", "Results by criterion"),
    "h_fund": ("Nguồn vốn thực hiện", "Funding"),
    "table": ("Bảng {n}. {title}", "Table {n}. {title}"),
    "map": ("Bản đồ các xã theo số tiêu chí đạt năm {year}",
            "Map of communes by criteria met, {year}"),
    "figure": ("Hình {n}. {title} ({area})", "Figure {n}. {title} ({area})"),
    "no_map": ("Chưa có bản đồ: lớp giám sát chưa được xây dựng (chạy ntmgis build).",
               "No map: the monitoring layers have not been built (run ntmgis build)."),
    "recipients": ("Nơi nhận:", "Recipients:"),
    "recipient": ("- ……………;", "- ……………;"),
    "archive": ("- Lưu: VT.", "- Archive."),
    "signer": ("……………………", "……………………"),
    "sign_hint": ("(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)"),
    "made": ("Lập bằng ntmgis {version}", "Made with ntmgis {version}"),
})

_COMPOUND = re.compile(r"(\d+/\d+) = (\S+%)")
def _roman(n: int) -> str:
    """``n`` in Roman numerals (section headings of an administrative report: I, II … XIV)."""
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                       (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                       (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += sym * count
    return out
_PREFIXES = ("thành phố ", "thị xã ", "huyện ", "quận ", "tỉnh ", "xã ", "phường ",
             "thị trấn ", "city ", "district ", "province ", "commune ")


def _place(name: str) -> str:
    """The place of "Mường Tè, ngày …": the area's name without its kind of unit."""
    low = name.lower()
    for p in _PREFIXES:
        if low.startswith(p) and len(name) > len(p):
            return name[len(p):].strip()
    return name.strip()


def _date_text(ws: Workspace, lang: str) -> str:
    """The workspace's data date as the language writes it (as given when not ISO)."""
    raw = str(ws.data_date).strip()
    try:
        d = _dt.date.fromisoformat(raw[:10])
    except ValueError:
        return raw
    return d.isoformat() if lang == "en" else d.strftime("%d/%m/%Y")


# -- low-level formatting (python-docx has no API for these) ----------------------------
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _fonts(rpr: Any, name: str = FONT, lang: str | None = None) -> None:
    """Set every script's font of ``rpr`` to ``name``; theme fonts would win otherwise."""
    from docx.oxml import OxmlElement

    rfonts = rpr.find(_qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(_qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(_qn(attr), name)
    if lang:
        el = rpr.find(_qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(_qn("w:val"), lang)
        el.set(_qn("w:eastAsia"), lang)


def _style(doc: Any, name: str, size: float, *, bold: bool = False, italic: bool = False,
           align: int | None = None, before: float = 0, after: float = 0,
           spacing: float = 1.0) -> None:
    from docx.shared import Pt, RGBColor

    st = doc.styles[name]
    st.font.size, st.font.bold, st.font.italic = Pt(size), bold, italic
    st.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(st.element.get_or_add_rPr())
    pf = st.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(before), Pt(after), spacing
    if align is not None:
        pf.alignment = align


def _setup(doc: Any, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W), Mm(PAGE_H)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    sec.header_distance = sec.footer_distance = Mm(10)
    defaults = doc.styles.element.find(_qn("w:docDefaults"))
    _fonts(defaults.find(_qn("w:rPrDefault")).find(_qn("w:rPr")),
           lang="en-US" if lang == "en" else "vi-VN")
    _style(doc, "Normal", BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, spacing=1.15)
    _style(doc, "Heading 1", BODY_PT, bold=True, before=12, after=6)
    _style(doc, "Heading 2", BODY_PT, bold=True, before=6, after=6)
    _style(doc, "Caption", TABLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
           after=4)
    _style(doc, "Header", 13, align=WD_ALIGN_PARAGRAPH.CENTER)
    for name in ("Heading 1", "Heading 2"):
        doc.styles[name].paragraph_format.first_line_indent = Mm(10)
    doc.styles["Normal"].paragraph_format.first_line_indent = Mm(10)
    # Page numbers centred at the top, none on the first page (the decree's rule).
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.style = doc.styles["Header"]
    _field(p, "PAGE")


def _field(paragraph: Any, instr: str) -> None:
    from docx.oxml import OxmlElement

    fld = OxmlElement("w:fldSimple")
    fld.set(_qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _para(container: Any, text: str = "", *, size: float | None = None, bold: bool = False,
          italic: bool = False, underline: bool = False, align: int | None = None,
          indent: bool = False, style: str | None = None) -> Any:
    from docx.shared import Pt

    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if underline:
            run.underline = True
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.paragraph_format.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = 0
    return p


def _rule(cell: Any, width_mm: float, cell_mm: float) -> None:
    """A short centred line under a heading line (a paragraph's bottom border)."""
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    p = cell.add_paragraph()
    bdr = OxmlElement("w:pBdr")  # first: python-docx then puts spacing and ind after it
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(_qn(k), v)
    bdr.append(bottom)
    p._p.get_or_add_pPr().append(bdr)
    pf = p.paragraph_format
    pf.first_line_indent = 0
    pf.left_indent = pf.right_indent = Mm(max((cell_mm - width_mm) / 2, 0))
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(2), Pt(2)


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement

    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(_qn("w:val"), "nil")
        borders.append(el)
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _widths(table: Any, widths_mm: Sequence[float]) -> None:
    from docx.shared import Mm

    table.autofit = False
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def _row_flags(row: Any, *, header: bool) -> None:
    """Rows never split across pages; the header row repeats on each page."""
    from docx.oxml import OxmlElement

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement

    shd = OxmlElement("w:shd")
    for k, v in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shd.set(_qn(k), v)
    cell._tc.get_or_add_tcPr().append(shd)


# -- the document's parts ----------------------------------------------------------------
def _header_block(doc: Any, ws: Workspace, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH as AL

    left_mm, right_mm = 62.0, TEXT_W - 62.0
    tbl = doc.add_table(rows=2, cols=2)
    _no_borders(tbl)
    _widths(tbl, (left_mm, right_mm))
    body, nation = tbl.cell(0, 0), tbl.cell(0, 1)
    body.paragraphs[0].text = _T("body", lang, area=ws.name.upper() if lang != "en"
                                  else ws.name)
    body.paragraphs[0].paragraph_format.first_line_indent = 0
    body.paragraphs[0].alignment = AL.CENTER
    # The issuing office: the workspace does not know it, the office writes it in.
    _para(body, _T("issuer", lang), bold=True, align=AL.CENTER)
    _rule(body, 20, left_mm)
    p = nation.paragraphs[0]
    p.paragraph_format.first_line_indent = 0
    p.alignment = AL.CENTER
    p.add_run(_T("nation", lang)).bold = True
    _para(nation, _T("motto", lang), size=14, bold=True, align=AL.CENTER)
    _rule(nation, 58, right_mm)
    num = tbl.cell(1, 0).paragraphs[0]
    num.text = _T("number", lang)
    num.alignment = AL.CENTER
    num.paragraph_format.first_line_indent = 0
    date = tbl.cell(1, 1).paragraphs[0]
    date.add_run(_T("place_date", lang, place=_place(ws.name))).italic = True
    date.alignment = AL.CENTER
    date.paragraph_format.first_line_indent = 0
    for row in tbl.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                par.style = doc.styles["Header"]


def _title(doc: Any, rep: PlanReport) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH as AL
    from docx.shared import Pt

    p = _para(doc, _T("kind", rep.lang), bold=True, align=AL.CENTER)
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.keep_with_next = True
    _para(doc, rep.title, bold=True, align=AL.CENTER)
    _rule(doc, 40, TEXT_W)


def _lines(text: str) -> list[str]:
    """A cell's lines: the plan's "4/13 = 30,8%" always breaks after "=" (columns alike)."""
    m = _COMPOUND.fullmatch(text)
    return [f"{m.group(1)} =", m.group(2)] if m else [text]


def _col_widths(table: ReportTable, lang: str, size_pt: float) -> list[float]:
    """Column widths (mm) filling the text width: figures never wrap, names may."""
    em = size_pt * 0.3528 * 0.5  # mm per character: Times New Roman averages half an em
    pad = 4.5  # the cell's left and right margins (1.9 mm each) and a little room
    frame = table.frame
    mins, wants = [], []
    for j, col in enumerate(frame.columns):
        lines = [ln for v in frame.iloc[:, j] for ln in _lines(cell_text(v, lang))]
        head = max((len(w) for w in str(col).split()), default=1) * 1.1  # bold
        word = max((len(w) for ln in lines for w in ln.split()), default=1)
        line = max((len(ln) for ln in lines), default=1)
        mins.append(max(head, word) * em + pad)
        wants.append(max(head, line) * em + pad)
    if sum(wants) <= TEXT_W:
        return [w * TEXT_W / sum(wants) for w in wants]
    if sum(mins) >= TEXT_W:
        return [w * TEXT_W / sum(mins) for w in mins]
    room = (TEXT_W - sum(mins)) / sum(w - m for w, m in zip(wants, mins, strict=True))
    return [m + (w - m) * room for w, m in zip(wants, mins, strict=True)]


def _table(doc: Any, table: ReportTable, n: int, lang: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH as AL
    from docx.shared import Pt

    frame = table.frame
    cap = _para(doc, _T("table", lang, n=n, title=table.title), style="Caption")
    cap.paragraph_format.keep_with_next = True
    pt = TABLE_PT if frame.shape[1] <= 6 else SMALL_TABLE_PT
    size = Pt(pt)
    tbl = doc.add_table(rows=len(frame) + 1, cols=frame.shape[1])
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(tbl, _col_widths(table, lang, pt))
    rows = [[str(c) for c in frame.columns],
            *[[v for v in r] for r in frame.itertuples(index=False)]]
    for i, (row, values) in enumerate(zip(tbl.rows, rows, strict=True)):
        _row_flags(row, header=i == 0)
        for j, (cell, v) in enumerate(zip(row.cells, values, strict=True)):
            text = v if i == 0 else cell_text(v, lang)
            p = cell.paragraphs[0]
            pf = p.paragraph_format
            pf.first_line_indent, pf.space_before, pf.space_after = 0, Pt(2), Pt(2)
            pf.line_spacing = 1.0
            run = p.add_run()
            run.font.size = size
            for k, line in enumerate(_lines(text) if i else [text]):
                if k:
                    run.add_break()
                run.add_text(line)
            if i == 0:
                run.bold = True
                p.alignment = AL.CENTER
                _shade(cell, "E7E6E6")
            elif text == "–":
                p.alignment = AL.CENTER
            elif j < table.key_columns:  # a row's name; its number (criterion) centred
                p.alignment = AL.LEFT if isinstance(v, str) else AL.CENTER
            else:
                p.alignment = AL.LEFT if isinstance(typed_cell(v, lang)[0], str) else AL.RIGHT


def _figure(doc: Any, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH as AL
    from docx.shared import Mm

    p = _para(doc, align=AL.CENTER)
    p.paragraph_format.keep_with_next = True
    run = p.add_run()
    shape = run.add_picture(io.BytesIO(png), width=Mm(TEXT_W))
    shape._inline.docPr.set("descr", caption)  # alternative text for screen readers
    cap = _para(doc, caption, style="Caption")
    cap.runs[0].italic = True


def _closing(doc: Any, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH as AL
    from docx.shared import Pt

    tbl = doc.add_table(rows=1, cols=2)
    _no_borders(tbl)
    _widths(tbl, (TEXT_W / 2, TEXT_W / 2))
    left, right = tbl.cell(0, 0), tbl.cell(0, 1)
    p = left.paragraphs[0]
    p.paragraph_format.first_line_indent = 0
    r = p.add_run(_T("recipients", lang))
    r.bold = r.italic = True
    r.font.size = Pt(12)
    for key in ("recipient", "archive"):
        _para(left, _T(key, lang), size=11)
    p = right.paragraphs[0]
    p.paragraph_format.first_line_indent = 0
    p.alignment = AL.CENTER
    p.add_run(_T("signer", lang)).bold = True
    _para(right, _T("sign_hint", lang), italic=True, size=12, align=AL.CENTER)


def overview_png(ws: Workspace, lang: str = "vi", *, year: int | None = None,
                 dpi: int = MAP_DPI) -> tuple[bytes, int] | None:
    """The map appendix's overview page of ``year`` as PNG bytes, and the year drawn.

    None when the monitoring layers have not been built (the report itself can be
    computed without them). Drawn with the appendix's fixed settings: the same
    layers give the same pixels.
    """
    if not Path(ws.output_gpkg).is_file():
        return None
    import matplotlib
    import numpy as np
    from PIL import Image

    from ntmgis.outputs.appendix import _RC
    from ntmgis.outputs.appendix._carto import Hillshade
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_overview

    data = load_data(ws, year=year, lang=lang)
    hs = None
    if ws.elevation is not None and Path(ws.elevation).is_file():
        hs = Hillshade.from_raster(Path(ws.elevation), ws.crs, data.district)
    ctx = Context(data=data, lang=lang, size="A4", hillshade=hs)
    with matplotlib.rc_context(_RC):
        page = page_overview(ctx, 1)
        for im in page.images:
            im.set_interpolation("bilinear")
        w_in, h_in = page.fig.get_size_inches()
        page.fig.set_size_inches(round(w_in * dpi) / dpi, round(h_in * dpi) / dpi)
        page.fig.set_dpi(dpi)
        page.fig.canvas.draw()
        rgb = np.asarray(page.fig.canvas.buffer_rgba())[..., :3].copy()
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="png", dpi=(dpi, dpi), compress_level=6)
    return out.getvalue(), int(data.year)


def docx_bytes(ws: Workspace, rep: PlanReport, *, extra: Sequence[ReportTable] = (),
               year: int | None = None) -> bytes:
    """The Word report of ``rep`` as bytes (see the module's notes)."""
    from docx import Document

    lang = rep.lang
    doc = Document()
    _setup(doc, lang)
    _header_block(doc, ws, lang)
    _title(doc, rep)
    if ws.plan.name:
        _para(doc, _T("plan", lang, plan=ws.plan.name), indent=True)
    if rep.as_of or ws.data_date:  # a period's end, else the workspace's data date
        _para(doc, _T("data_date", lang, date=rep.as_of or _date_text(ws, lang)), indent=True)
    for note in rep.notes:  # the sample's figures are illustrative: said before any table
        _para(doc, note, italic=True, indent=True)
    tables = report_tables(rep, extra)
    heads = {"headline": "h_head", "criteria": "h_criteria", "funding": "h_fund"}
    n_table = n_fig = 0
    for i, table in enumerate(tables):
        title = _T(heads[table.key], lang) if table.key in heads else table.title
        doc.add_paragraph(f"{_roman(i + 1)}. {title.upper()}",
                          style="Heading 1")
        if table.key != "criteria":
            n_table += 1
            _table(doc, table, n_table, lang)
            continue
        # II. criteria: 1. the table, 2. the map of the year.
        doc.add_paragraph(f"1. {table.title}", style="Heading 2")
        n_table += 1
        _table(doc, table, n_table, lang)
        drawn = overview_png(ws, lang, year=year)
        map_year = drawn[1] if drawn else (year or max(ws.years))
        doc.add_paragraph(f"2. {_T('map', lang, year=map_year)}", style="Heading 2")
        if drawn is None:
            _para(doc, _T("no_map", lang), italic=True, indent=True)
        else:
            n_fig += 1
            _figure(doc, drawn[0], _T("figure", lang, n=n_fig,
                                      title=_T("map", lang, year=map_year),
                                      area=area_name(ws)))
    _para(doc)
    _closing(doc, lang)
    when = fixed_time(ws)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "ntmgis"
    cp.title, cp.subject = rep.title, area_name(ws)
    cp.comments = _T("made", lang, version=__version__)
    cp.language = "en-US" if lang == "en" else "vi-VN"
    cp.created = cp.modified = cp.last_printed = when
    cp.revision = 1
    _drop_thumbnail(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), when)


def _drop_thumbnail(doc: Any) -> None:
    """Remove the template's thumbnail (a blank page file browsers would show)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    rels = doc.part.package.rels
    for rid in [k for k, r in rels.items() if r.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def write_report_formats(ws: Workspace, rep: PlanReport, out_dir: Path,
                         formats: str | Sequence[str] | None = ("md",), *,
                         overwrite: bool = False, extra: Sequence[ReportTable] = (),
                         year: int | None = None) -> list[Path]:
    """Write the report in each of ``formats`` into ``out_dir``; returns the files.

    ``md`` writes what ``ntmgis report`` always wrote (:func:`write_report`:
    plan_vs_actual.md and three CSVs), ``docx`` plan_vs_actual.docx, ``xlsx``
    plan_vs_actual.xlsx. ``extra`` tables (by period, by office) are added to the
    Word and Excel files; ``year`` is the map's year (the latest by default).

    Every file is checked before any is written, and the Word and Excel files are
    made in memory first: an existing output (without ``overwrite``) or a failure
    leaves the folder as it was.

    Raises
    ------
    OptionError
        An unknown format (exit 2).
    OutputExistsError
        An output exists and ``overwrite`` is false (exit 4).
    """
    fmts = parse_formats(formats, rep.lang)
    year = year if year is not None else rep.map_year  # a period's: the last year known
    out_dir = Path(out_dir)
    targets = {"docx": out_dir / DOCX_NAME, "xlsx": out_dir / XLSX_NAME}
    for f in fmts:
        if f in targets:
            require_writable(targets[f], overwrite, rep.lang, ws=ws)
    made = {}
    if "docx" in fmts:
        made["docx"] = docx_bytes(ws, rep, extra=extra, year=year)
    if "xlsx" in fmts:
        made["xlsx"] = workbook_bytes(ws, rep, report_tables(rep, extra), targets["xlsx"])
    paths: list[Path] = []
    if "md" in fmts:
        paths += write_report(rep, out_dir, overwrite=overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    for f, data in made.items():
        with atomic_output(targets[f], overwrite=overwrite, lang=rep.lang, ws=ws) as tmp:
            tmp.write_bytes(data)
        paths.append(targets[f])
    rep.paths = paths
    return paths
