"""A large appendix split by group (issue 13): files, index sheet, refusal, capital by group."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pdf_text
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from ntmgis.cli import main
from ntmgis.core.errors import OptionError
from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix import render_appendix
from ntmgis.outputs.appendix._data import load_data
from ntmgis.outputs.appendix._page_common import Context, short_name
from ntmgis.outputs.appendix._page_index import index_sheets, page_ranges
from ntmgis.outputs.appendix._split import SPLIT_ABOVE, Part, part_files, plan_split

GROUPS = (("901", "Huyện Một"), ("902", "Huyện Hai"), ("903", "Huyện Ba"))


_texts = pdf_text.page_texts


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def province_copy(province, tmp_path_factory):
    """The built ``province`` workspace (3 districts) copied, so its outputs are this file's."""
    ws, _ = province
    root = tmp_path_factory.mktemp("split") / "lai_chau"
    root.mkdir()
    shutil.copy(ws.config_path, root / "ntmgis.toml")
    shutil.copytree(Path(ws.root) / "layers", root / "layers")
    return load_workspace(root)


def test_cli_splits_by_district_with_an_index(province_copy):
    """13 commune pages above a threshold of 10: an index file and one PDF per district."""
    ws = province_copy
    out = Path(ws.maps_dir) / "appendix"
    args = ["appendix", "-w", str(ws.root), "--pages", "communes", "--format", "pdf,png",
            "--dpi", "20", "--split-above", "10", "-j", "1"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    main_pdf = out / "phu-luc-ban-do-2025-communes.pdf"
    pdfs = [main_pdf] + [out / f"phu-luc-ban-do-2025-communes-huyen-{s}.pdf"
                         for s in ("mot", "hai", "ba")]
    assert sorted(out.glob("*.pdf")) == sorted(pdfs)
    assert "chia thành 4 tệp PDF" in res.output
    for p in pdfs:  # the summary lists every file written
        assert str(p) in res.output

    data = load_data(ws, year=2025, lang="vi")
    paged = set(data.status["code"])  # communes with a page (the township has none)
    groups = {g[0]: [c for c in g[3] if c in paged] for g in data.groups}
    assert sorted(groups) == ["901", "902", "903"]
    counts = [len(PdfReader(p).pages) for p in pdfs]
    assert counts == [1] + [len(groups[c]) for c, _ in GROUPS]  # index, then districts
    assert sum(counts) == 13 + 1  # the same pages as unsplit, plus the index
    # the run's figures (benchmarks/appendix_time.py) count every file's pages, not the last's
    from ntmgis.outputs.appendix._render import LAST_RUN

    assert LAST_RUN.pages == sum(counts) and LAST_RUN.workers == 1
    assert LAST_RUN.wall > 0 and LAST_RUN.cpu_total > 0

    # every group file holds its own communes' pages, numbered as in the whole appendix
    first = 1 + len(data.cset) + 1  # overview, criteria, then the communes
    number = first
    for (code, name), pdf in zip(GROUPS, pdfs[1:], strict=True):
        texts = _texts(pdf)
        names = {str(n) for c, n in zip(data.communes["code"], data.communes["name"],
                                        strict=True) if c in groups[code]}
        for t in texts:
            assert f"Phụ lục bản đồ số {number}" in t
            number += 1
        assert all(any(short_name(n).upper() in t for t in texts) for n in names), name
        assert PdfReader(pdf).metadata["/Title"].startswith(f"Phụ lục bản đồ - {name} - ")
    assert number == first + 13

    index = _texts(main_pdf)[0]
    assert "MỤC LỤC PHỤ LỤC BẢN ĐỒ" in index and "Mục lục" in index
    assert "Phụ lục gồm 4 tệp PDF, tổng cộng 14 trang" in index
    for p in pdfs:
        assert p.name in index
    for _, name in GROUPS:
        assert name in index
    assert f"{first}–{first + len(groups['901']) - 1}" in index  # the first file's pages
    for n in data.status["name"]:  # a planner finds every commune in the index
        assert short_name(n) in index

    # PNGs: still one per page, the index sheet as page 00
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 14 and pngs[0].name == "phu-luc-00-muc-luc-1.png"

    # refusing to overwrite names the files, and writes nothing
    before = {p.name: _sha(p) for p in out.iterdir()}
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 4
    assert f"18 tệp đã có trong {out}" in res.output and "--overwrite" in res.output
    assert all(p.name in res.output for p in pdfs) and "và 10 tệp khác" in res.output
    assert {p.name: _sha(p) for p in out.iterdir()} == before

    # the same bytes again, whatever the number of processes
    res = CliRunner().invoke(main, [*args[:-2], "-j", "2", "--overwrite", "--format", "pdf"])
    assert res.exit_code == 0, res.output
    assert {p.name: _sha(p) for p in out.glob("*.pdf")} == {
        k: v for k, v in before.items() if k.endswith(".pdf")}

    # one PDF again (--no-split): last run's district files go, a user's own file stays
    mine = out / "phu-luc-ban-do-2025-communes-ghi-chu.pdf"
    mine.write_bytes(b"%PDF-1.4 notes")
    res = CliRunner().invoke(main, [*args[:-4], "--no-split", "--overwrite", "--format", "pdf"])
    assert res.exit_code == 0, res.output
    assert sorted(out.glob("*.pdf")) == sorted([main_pdf, mine])
    assert len(PdfReader(main_pdf).pages) == 13 and mine.read_bytes() == b"%PDF-1.4 notes"


def test_not_split_below_the_threshold_or_when_asked(province_copy, tmp_path):
    """--no-split and a bad threshold; the plan stays one PDF without groups or pages."""
    res = CliRunner().invoke(main, ["appendix", "-w", str(province_copy.root),
                                    "--split-above", "-1"])
    assert res.exit_code == 2
    with pytest.raises(OptionError, match="từ 0"):
        render_appendix(province_copy, split_above=-3)
    groups = [("901", "A", None, ("1", "2")), ("902", "B", None, ("3",))]
    kinds = ["overview", "communes", "communes", "communes", "investment"]
    commune_of = {1: "1", 2: "2", 3: "3"}
    chosen = [(i, i + 1, f"p{i}") for i in range(5)]
    assert plan_split(chosen, kinds, commune_of, groups, 5, "vi") is None  # 5 pages, not > 5
    assert plan_split(chosen, kinds, commune_of, groups, None, "vi") is None
    assert plan_split(chosen, kinds, commune_of, groups[:1], 0, "vi") is None  # one group
    assert plan_split(chosen[:1] + chosen[4:], kinds, commune_of, groups, 0, "vi") is None
    parts = plan_split(chosen, kinds, commune_of, groups, 0, "vi")
    assert [(p.code, [c[1] for c in p.pages], p.communes) for p in parts] == [
        ("", [1, 5], ()), ("901", [2, 3], ("1", "2")), ("902", [4], ("3",))]
    # a commune of no group gets its own file; two groups of one name are told by code
    parts = plan_split(chosen, kinds, {1: "1", 2: "2", 3: "9"}, groups, 0, "en")
    assert parts[-1].name == "Communes in no group" and parts[-1].communes == ("9",)
    same = [Part("", "", (), ()), Part("01", "Huyện Tân Phú", (), ()),
            Part("02", "Huyện Tân Phú", (), ()), Part("03", "Quận 1", (), ())]
    assert [p.name for p in part_files(tmp_path / "a-2025.pdf", same)] == [
        "a-2025.pdf", "a-2025-huyen-tan-phu-01.pdf", "a-2025-huyen-tan-phu-02.pdf",
        "a-2025-quan-1.pdf"]
    assert SPLIT_ABOVE == 100  # the sample's 35 pages stay one PDF


def test_index_sheets_flow_and_ranges():
    """A country's index: every file and commune listed once, over as many sheets as needed."""
    assert page_ranges([1, 2, 3, 20, 34, 35]) == "1–3, 20, 34–35"
    assert len(index_sheets(4, 13)) == 1
    for n_files, n_communes in ((4, 13), (68, 1000), (3, 400), (120, 0)):
        sheets = index_sheets(n_files, n_communes)
        files = [i for s in sheets for i in range(*s.files)]
        communes = [i for s in sheets for i in range(*s.communes)]
        assert files == list(range(n_files)) and communes == list(range(n_communes))
    assert len(index_sheets(68, 1000)) <= 8


def test_capital_by_group_when_circles_would_overlap(province_copy, monkeypatch):
    """The rule on synthetic circles, then the page: per commune at the sample's scale."""
    from matplotlib.text import Text

    import ntmgis.outputs.appendix._page_investment as inv

    # three discs touching in a row, one far away: 3 of 4 overlap a neighbour
    xy = np.array([[0.0, 0.0], [1.5, 0.0], [3.0, 0.0], [100.0, 100.0]])
    assert inv.overlap_share(xy, np.ones(4)) == 0.75
    assert inv.overlap_share(xy, np.full(4, 0.7)) == 0.0  # 1,4 apart: no overlap
    assert inv.overlap_share(xy[:1], np.ones(1)) == 0.0

    class Frame:  # 1 design mm = 1 map unit
        def mm(self, v):
            return v

    grid = np.array([[x, y] for x in range(10) for y in range(10)], dtype=float)
    caps = np.linspace(1, 100, 100)
    assert inv.by_group(Frame(), grid * 5.0, caps, 3)  # 5 mm apart, circles up to 8 mm
    assert not inv.by_group(Frame(), grid * 40.0, caps, 3)  # 40 mm apart: room for each
    assert not inv.by_group(Frame(), grid * 5.0, caps, 1)  # no groups: nothing to sum by

    data = load_data(province_copy, year=2025, lang="vi")
    ctx = Context(data=data, lang="vi", size="A4", hillshade=None)

    def texts():
        page = inv.page_investment(ctx, 34)
        return " ".join(t.get_text() for t in page.fig.findobj(Text))

    monkeypatch.setattr(inv, "AGGREGATE_SHARE", -1.0)  # as if the circles overlapped
    text = texts()
    assert "Tổng vốn theo huyện (triệu đồng)" in text and "THEO HUYỆN" in text
    assert all(name in text for _, name in GROUPS)
    assert "Tổng vốn theo xã" not in text


def test_group_outlines_are_lines_that_simplify_the_same_in_a_worker(province_copy):
    """A page worker gets the groups pickled (WKB, which has no rings): same drawing."""
    import pickle

    import shapely

    data = load_data(province_copy, year=None, lang="vi")
    outlines = [g[2] for g in data.groups]
    assert len(outlines) == len(GROUPS)
    for outline in outlines:
        kinds = {p.geom_type for p in shapely.get_parts(outline)}
        assert kinds == {"LineString"}, kinds
    copy = pickle.loads(pickle.dumps(outlines))
    for tol in (5.0, 50.0):
        here = shapely.simplify(np.asarray(outlines, dtype=object), tol, preserve_topology=True)
        there = shapely.simplify(np.asarray(copy, dtype=object), tol, preserve_topology=True)
        assert shapely.to_wkb(here).tolist() == shapely.to_wkb(there).tolist()

