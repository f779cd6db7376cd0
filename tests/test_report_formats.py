"""The report in the office's own formats: Word (.docx) and Excel (.xlsx), read back.

Read back with python-docx and openpyxl (layout, figures, types), written twice
(same bytes), through the command line (formats, refusal to overwrite), and
opened by LibreOffice headless, as an office would, converted to PDF. CI sets
``NTMGIS_REQUIRE_LIBREOFFICE=1`` (.ci/run): there a missing LibreOffice is a
failure, not a skip (``bash scripts/install-system-deps.sh`` installs it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.outputs.report import plan_report
from ntmgis.outputs.report_docx import DOCX_NAME, parse_formats, write_report_formats
from ntmgis.outputs.report_xlsx import XLSX_NAME, typed_cell

docx = pytest.importorskip("docx", reason="python-docx not installed (pip install -e .)")


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def written(built_sample, tmp_path_factory):
    """Reports of the built sample in both languages: ``{lang: (folder, PlanReport)}``."""
    ws, layers = built_sample
    out = {}
    for lang in ("vi", "en"):
        d = tmp_path_factory.mktemp(f"report_{lang}")
        rep = plan_report(ws, layers=layers, lang=lang)
        write_report_formats(ws, rep, d, "docx,xlsx")
        out[lang] = (d, rep)
    return out


def _tables(document) -> dict[str, list[list[str]]]:
    """Each table of the document by its first header cell (the first table of that
    header: the roadmap's table after the criteria's also starts "Tiêu chí"), cells as
    plain text."""
    out: dict[str, list[list[str]]] = {}
    for t in document.tables:
        out.setdefault(_norm(t.rows[0].cells[0].text),
                       [[_norm(c.text) for c in r.cells] for r in t.rows])
    return out


def _row(table: list[list[str]], first: str) -> dict[str, str]:
    head = table[0]
    row = next(r for r in table if r[0] == first)
    return dict(zip(head, row, strict=True))


def test_word_layout_as_an_administrative_report(written):
    d, rep = written["vi"]
    doc = docx.Document(str(d / DOCX_NAME))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert sec.page_width < sec.page_height  # portrait
    # Stored in twentieths of a point: millimetres to within 0.01 mm.
    margins = [m.mm for m in (sec.top_margin, sec.bottom_margin, sec.left_margin,
                              sec.right_margin)]
    assert margins == pytest.approx([20, 20, 30, 15], abs=0.01)
    for style in ("Normal", "Heading 1", "Heading 2", "Caption"):
        assert doc.styles[style].font.name == "Times New Roman", style
    assert doc.styles["Normal"].font.size.pt == 14
    # Every run that names a font names Times New Roman.
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs} - {None}
    assert fonts <= {"Times New Roman"}
    header = _norm(" ".join(c.text for c in doc.tables[0]._cells))
    for text in ("UBND HUYỆN MƯỜNG TÈ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Số: …/BC-…", "Mường Tè, ngày … tháng … năm 20…"):
        assert text in header
    body = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in body and rep.title in body
    assert any("minh họa" in t for t in body)  # the sample's illustrative-data sentence
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    # IV: the roadmap's milestones (the sample declares [tables.roadmap]).
    assert [h.split(".")[0] for h in h1] == ["I", "II", "III", "IV"]
    assert h1[0] == "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU"
    assert [h.split(".")[0] for h in h2] == ["1", "2"]
    assert "2025" in h2[1]
    # A core property dated by the data, not the clock.
    assert doc.core_properties.created.replace(tzinfo=None) == dt.datetime(2025, 12, 31)


def test_word_tables_hold_the_plan_figures(written):
    d, _ = written["vi"]
    doc = docx.Document(str(d / DOCX_NAME))
    tables = _tables(doc)
    head = _row(tables["Chỉ tiêu"], "Xã đạt chuẩn NTM")
    assert head["Mục tiêu 2025"] == "4/13 = 30,8%"
    assert _row(tables["Chỉ tiêu"], "Bình quân tiêu chí/xã")["Mục tiêu 2025"] == "16,38"
    assert _row(tables["Chỉ tiêu"], "Bản đạt chuẩn NTM")["Mục tiêu 2025"] == "18/101 = 17,8%"
    crit = _row(tables["Tiêu chí"], "5")
    assert (crit["Tên tiêu chí"], crit["Tỷ lệ so với kế hoạch (%)"], crit["Mục tiêu 2025"]) == (
        "Trường học", "76,9%", "10")
    total = _row(tables["Nguồn vốn"], "Tổng")
    assert total["Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == "608.989"
    central = _row(tables["Nguồn vốn"], "Ngân sách Trung ương")
    assert central["Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == "30.614"
    # Each data table's header row repeats on every page; no row splits across pages.
    for t in doc.tables[1:4]:
        tr = t.rows[0]._tr
        assert tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    # The map of the year, as a figure with its caption and alternative text.
    assert len(doc.inline_shapes) == 1
    blob = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    part = doc.part.related_parts[blob]
    assert part.content_type == "image/png" and part.blob[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc.inline_shapes[0].width.mm == pytest.approx(165, abs=0.5)
    caps = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Hình 1. ") and "2025" in c for c in caps)
    assert [c.split(".")[0] for c in caps if c.startswith("Bảng")] == [
        "Bảng 1", "Bảng 2", "Bảng 3", "Bảng 4"]


def test_excel_cells_are_typed(written):
    import openpyxl

    d, _ = written["vi"]
    wb = openpyxl.load_workbook(d / XLSX_NAME)
    assert wb.sheetnames == ["Thông tin", "Chỉ tiêu chủ yếu", "Tiêu chí", "Nguồn vốn",
                             "Lộ trình"]
    info = [c.value for c in wb["Thông tin"]["B"]]
    assert any(v and "minh họa" in v for v in info)
    crit = wb["Tiêu chí"]
    head = [c.value for c in crit[1]]
    assert head[:3] == ["Tiêu chí", "Tên tiêu chí", "2021"]
    assert all(c.font.bold for c in crit[1]) and crit.freeze_panes == "C2"
    row5 = {h: c for h, c in zip(head, crit[6], strict=True)}
    assert row5["Tiêu chí"].value == 5 and row5["Tên tiêu chí"].value == "Trường học"
    assert row5["Mục tiêu 2025"].value == 10 and row5["Mục tiêu 2025"].data_type == "n"
    assert row5["Tỷ lệ so với kế hoạch (%)"].value == pytest.approx(0.769)
    assert row5["Tỷ lệ so với kế hoạch (%)"].number_format == "0.0%"
    assert row5["Mục tiêu 2025"].number_format == "#,##0"
    fund = wb["Nguồn vốn"]
    rows = {r[0].value: r for r in fund.iter_rows(min_row=2)}
    assert rows["Tổng"][1].value == 608989 and rows["Tổng"][1].number_format == "#,##0"
    assert rows["Ngân sách Trung ương"][1].value == 30614
    head_sheet = wb["Chỉ tiêu chủ yếu"]
    hrows = {r[0].value: r for r in head_sheet.iter_rows(min_row=2)}
    target = [c.value for c in head_sheet[1]].index("Mục tiêu 2025")
    assert hrows["Bình quân tiêu chí/xã"][target].value == pytest.approx(16.38)
    assert hrows["Bình quân tiêu chí/xã"][target].number_format == "#,##0.00"
    assert hrows["Tổng số tiêu chí đạt"][target].value == 213
    assert hrows["Xã đạt chuẩn NTM"][target].value == "4/13 = 30,8%"  # as the plan writes it
    for sh in wb.worksheets[1:]:
        ps = sh.page_setup
        assert (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight) == (
            "landscape", 9, 1, 0)
        assert sh.sheet_properties.pageSetUpPr.fitToPage
        assert sh.print_title_rows == "$1:$1"
        assert all(c.font.name == "Times New Roman" for c in sh[1])
        assert all(sh.column_dimensions[c].width >= 5 for c in "ABC")
    assert crit.column_dimensions["B"].width >= 30  # the criteria's names


def test_typed_cells_keep_codes_and_read_each_language():
    assert typed_cell("02491", "vi") == ("02491", None)
    assert typed_cell("608.989", "vi") == (608989, "#,##0")
    assert typed_cell("608,989", "en") == (608989, "#,##0")
    assert typed_cell("1.234,5", "vi") == (1234.5, "#,##0.0")
    assert typed_cell("16.38", "en") == (16.38, "#,##0.00")
    assert typed_cell("-5", "vi") == (-5, "#,##0")
    assert typed_cell("100%", "vi") == (1.0, "0%")
    assert typed_cell("–", "vi") == (None, None)
    assert typed_cell("4/13 = 30,8%", "vi") == ("4/13 = 30,8%", None)
    assert typed_cell("=1+1", "vi") == ("=1+1", None)


def test_names_never_become_formulas(built_sample, tmp_path):
    import openpyxl

    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    evil = '=HYPERLINK("http://x.invalid","Bản Nà")'
    crit = rep.criteria.copy()
    crit.loc[0, "Tên tiêu chí"] = evil
    rep = dataclasses.replace(rep, criteria=crit)
    write_report_formats(ws, rep, tmp_path, "xlsx,docx")
    cell = openpyxl.load_workbook(tmp_path / XLSX_NAME)["Tiêu chí"]["B2"]
    assert (cell.value, cell.data_type) == (evil, "s")
    doc = docx.Document(str(tmp_path / DOCX_NAME))
    assert _tables(doc)["Tiêu chí"][1][1] == evil


def test_english(written):
    import openpyxl

    d, rep = written["en"]
    doc = docx.Document(str(d / DOCX_NAME))
    text = _norm(" ".join(c.text for c in doc.tables[0]._cells))
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text and "No.: …/BC-…" in text
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["I. HEADLINE TARGETS", "II. RESULTS BY CRITERION", "III. FUNDING",
                  "IV. PROGRESS AGAINST THE ROADMAP"]
    tables = _tables(doc)
    assert _row(tables["Indicator"], "Communes recognised NTM")["Target 2025"] == "4/13 = 30.8%"
    assert _row(tables["Source"], "Total")["Plan: expected funding need (million VND)"] == "608,989"
    assert any("illustrative" in p.text for p in doc.paragraphs)
    assert any(p.text.startswith("Figure 1. ") for p in doc.paragraphs)
    wb = openpyxl.load_workbook(d / XLSX_NAME)
    assert wb.sheetnames == ["About", "Headline targets", "Criteria", "Funding", "Roadmap"]
    rows = {r[0].value: r for r in wb["Funding"].iter_rows(min_row=2)}
    assert rows["Total"][1].value == 608989
    crit = {r[0].value: r for r in wb["Criteria"].iter_rows(min_row=2)}
    assert crit[5][1].value == "Schools"


def test_same_inputs_same_bytes(built_sample, written, tmp_path):
    ws, layers = built_sample
    time.sleep(1.1)  # a clock-dated zip entry or property would now differ
    rep = plan_report(ws, layers=layers, lang="vi")
    t0 = time.perf_counter()
    write_report_formats(ws, rep, tmp_path, ("docx", "xlsx"))
    assert time.perf_counter() - t0 < 60
    first = written["vi"][0]
    for name in (DOCX_NAME, XLSX_NAME):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name


def test_formats_parse():
    assert parse_formats("docx,xlsx,md") == ("md", "docx", "xlsx")
    assert parse_formats(None) == ("md",)
    assert parse_formats(" DOCX ") == ("docx",)
    from ntmgis.core.errors import OptionError

    with pytest.raises(OptionError, match="pdf"):
        parse_formats("docx,pdf")
    with pytest.raises(OptionError):
        parse_formats(",")


def test_cli_formats_and_refusal_to_overwrite(built_sample, tmp_path):
    ws, _ = built_sample
    runner = CliRunner()
    out = tmp_path / "r"
    args = ["report", "-w", str(ws.root), "-o", str(out)]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "criteria.csv", "funding.csv", "milestones.csv", "plan_vs_actual.md", "targets.csv"]
    res = runner.invoke(main, [*args, "--format", "docx,xlsx"])
    assert res.exit_code == 0, res.output
    assert (out / DOCX_NAME).is_file() and (out / XLSX_NAME).is_file()
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    res = runner.invoke(main, [*args, "--format", "docx,xlsx,md"])
    assert res.exit_code == 4, res.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    res = runner.invoke(main, [*args, "--format", "xlsx", "--overwrite"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, [*args, "--format", "pdf"])
    assert res.exit_code == 2 and "pdf" in res.output


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        why = ("LibreOffice not installed (bash scripts/install-system-deps.sh installs "
               "libreoffice-writer-nogui and libreoffice-calc-nogui)")
        # CI installs it through scripts/install-system-deps.sh and must never skip.
        if os.environ.get("NTMGIS_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return exe


def _pdf_text(pdf: Path) -> str:
    res = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True, timeout=60)
    return res.stdout


def _pdf_size(pdf: Path) -> tuple[float, float]:
    """Width and height (points) of the PDF's first page."""
    res = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60)
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("Page size"))
    w, _, h = line.split(":", 1)[1].split()[:3]
    return float(w), float(h)


@pytest.mark.slow
def test_libreoffice_opens_and_prints_them(written, tmp_path):
    exe = _soffice()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (poppler-utils)")
    d, rep = written["vi"]
    profile = (tmp_path / "lo-profile").as_uri()  # never the user's own LibreOffice profile
    for name, kind in ((DOCX_NAME, "docx"), (XLSX_NAME, "xlsx")):
        outdir = tmp_path / kind
        res = subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless",
                              "--convert-to", "pdf", "--outdir", str(outdir), str(d / name)],
                             capture_output=True, text=True, timeout=240, check=False)
        pdf = outdir / (Path(name).stem + ".pdf")
        assert res.returncode == 0 and pdf.is_file(), res.stderr[-2000:] + res.stdout[-500:]
        text = _norm(_pdf_text(pdf))
        assert "Kết quả thực hiện so với kế hoạch" in text, kind
        assert "Huyện Mường Tè" in text
        if kind == "docx":
            assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
            assert "608.989" in text and "4/13 =" in text
            assert _pdf_size(pdf) == pytest.approx((595.3, 841.9), abs=0.5)  # A4 portrait
        else:
            assert "Trường học" in text and "Vốn lồng ghép" in text
            assert _pdf_size(pdf) == pytest.approx((841.9, 595.3), abs=0.5)  # A4 landscape


def test_unbuilt_workspace_gets_a_report_without_map(mini_ws, tmp_path):
    from ntmgis.core.workspace import load_workspace

    ws = load_workspace(mini_ws)
    rep = plan_report(ws)
    paths = write_report_formats(ws, rep, tmp_path, "docx,xlsx")
    assert [p.name for p in paths] == [DOCX_NAME, XLSX_NAME]
    doc = docx.Document(str(paths[0]))
    assert len(doc.inline_shapes) == 0
    assert any("ntmgis build" in p.text for p in doc.paragraphs)
    assert not ws.output_gpkg.exists()  # nothing was built
