"""Appendix cartography (issue 11): what a planner pastes into a report unchanged.

Every page names its CRS and the report it is attached to; villages without status
are "no data"; a commune short of its target is flagged; symbols at one place are moved
apart; investment circles neither overlap nor leave the area nor cover labels, and their
key spans the data; the summary's colours have a key; the progress page has names, a
plan row and denominators; areas that are no district since 1 July 2025 are not called one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pdf_text
import pytest
import shapely
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgb

from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix import _RC, render_appendix
from ntmgis.outputs.appendix._carto import MM_PER_PT
from ntmgis.outputs.appendix._data import load_data
from ntmgis.outputs.appendix._notes import crs_note, report_line
from ntmgis.outputs.appendix._page_commune import missed_text
from ntmgis.outputs.appendix._page_investment import key_values
from ntmgis.outputs.appendix._pages import Context, page_commune, page_investment, page_progress
from ntmgis.outputs.appendix._spread import overlaps, relax
from ntmgis.outputs.appendix._symbols import SYMBOL_RADIUS_MM

CRS_NOTE = "Hệ tọa độ VN-2000, kinh tuyến trục 103°00′, múi chiếu 3° (EPSG:9205)"
BLANK_REF = "Kèm theo Báo cáo số ……/BC-UBND ngày ……/……/……"


_texts = pdf_text.page_texts


def _built(tmp_path_factory, sample):
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.scaffold import init_workspace

    root = init_workspace(tmp_path_factory.mktemp("carto") / "ws", sample=sample)
    ws = load_workspace(root)
    build(ws, overwrite=True)
    return ws


@pytest.fixture(scope="module")
def s25(sample_outputs):
    """The 2025 sample (a district), built, its appendix rendered as a PDF: the one
    ``ntmgis appendix`` rendered once per test run (tests/conftest.py; read only)."""
    ws = load_workspace(sample_outputs.root)
    pdf = ws.maps_dir / "appendix" / "phu-luc-ban-do-2025.pdf"
    ctx = Context(data=load_data(ws, year=None, lang="vi"), lang="vi", size="A4",
                  hillshade=None)
    return ws, pdf, _texts(pdf), ctx


@pytest.fixture(scope="module")
def s26(tmp_path_factory):
    """The 2026 sample (8 communes, no district, no village status), PDF rendered."""
    ws = _built(tmp_path_factory, "2026")
    pdf = render_appendix(ws, formats="pdf")[0]
    return ws, pdf, _texts(pdf)


# -- 1. every page: CRS, the report it is attached to, its issuing body ------------------
def test_every_page_names_its_crs_and_report(s25, s26) -> None:
    _, _, texts, _ = s25
    assert len(texts) == 35
    for i, t in enumerate(texts, 1):
        assert CRS_NOTE in t, i
        assert f"({BLANK_REF} của Ủy ban nhân dân huyện Mường Tè)" in t, i
    _, _, texts26 = s26
    assert len(texts26) == 21
    for t in texts26:  # an area that is no unit: its issuer is left blank, not guessed
        assert CRS_NOTE in t
        assert f"({BLANK_REF} của ……)" in t


def test_locator_is_so_do_vi_tri(s25) -> None:
    _, _, texts, ctx = s25
    communes = texts[20:33]  # overview, 19 criteria, then the 13 communes
    assert all("Sơ đồ vị trí" in t for t in communes)
    assert not any("\nVị trí\n" in t or t.lstrip().startswith("Vị trí ") for t in texts)


@pytest.mark.parametrize(("crs", "want"), [
    ("EPSG:9205", "Hệ tọa độ VN-2000, kinh tuyến trục 103°00′, múi chiếu 3° (EPSG:9205)"),
    ("EPSG:9210", "Hệ tọa độ VN-2000, kinh tuyến trục 105°45′, múi chiếu 3° (EPSG:9210)"),
    ("EPSG:3405", "Hệ tọa độ VN-2000, kinh tuyến trục 105°00′, múi chiếu 6° (EPSG:3405)"),
    ("EPSG:4326", "Hệ tọa độ WGS 84 (EPSG:4326)"),
])
def test_crs_note_is_read_from_the_crs(crs: str, want: str) -> None:
    assert crs_note(crs, "vi") == want
    assert "central meridian" in crs_note("EPSG:9205", "en")


def test_report_line_from_the_workspace_never_invented() -> None:
    def ws(name, **conf):
        return SimpleNamespace(name=name, raw={"appendix": conf} if conf else {})

    line = report_line(ws("Huyện Mường Tè"), "vi")
    assert line == f"({BLANK_REF} của Ủy ban nhân dân huyện Mường Tè)"
    assert not any(c.isdigit() for c in line)  # no number or date made up
    set_ = report_line(ws("Huyện Mường Tè", report_ref="125/BC-UBND", report_date="2025-12-20",
                          issuer="UBND huyện Mường Tè"), "vi")
    assert set_ == "(Kèm theo Báo cáo số 125/BC-UBND ngày 20/12/2025 của UBND huyện Mường Tè)"
    assert report_line(ws("Khu vực Mường Tè cũ (8 xã)"), "vi").endswith("của ……)")
    assert "People's Committee of Mường Tè district" in report_line(ws("Huyện Mường Tè"), "en")


# -- 2. villages without any status are "no data", not "not NTM" -----------------------------
def test_villages_without_status_are_no_data(s25, s26) -> None:
    _, _, texts26 = s26
    joined = "\n".join(texts26)
    assert "Bản chưa đạt chuẩn" not in joined
    assert "Bản (chưa có số liệu đạt chuẩn)" in joined
    assert "Bản đạt chuẩn NTM: chưa có số liệu" in joined
    overview = texts26[0]
    assert "chưa có số liệu" in overview.split("Bản đạt chuẩn NTM", 1)[1].splitlines()[0]
    # the 2025 sample has village status: its words are unchanged
    assert "Bản chưa đạt chuẩn" in "\n".join(s25[2])
    assert "chưa có số liệu đạt chuẩn" not in "\n".join(s25[2])


# -- 3. commune pages: target missed is flagged; stacked symbols moved apart --------------
def test_commune_that_missed_its_target_is_flagged(s25) -> None:
    _, _, texts, _ = s25
    by_name = {t.split("\n", 1)[0].split(":")[0].strip(): t for t in texts[20:33]}
    kan_ho = by_name["XÃ KAN HỒ"]
    assert "KHÔNG ĐẠT MỤC TIÊU 2025: chưa đạt chuẩn NTM" in " ".join(kan_ho.split())
    assert "MỤC TIÊU 2025" not in by_name["XÃ MƯỜNG TÈ"]  # NTM as planned
    assert "KHÔNG ĐẠT MỤC TIÊU 2025: còn thiếu 1 tiêu chí" in " ".join(
        by_name["XÃ THU LŨM"].split())
    row = {"ntm": False, "criteria_met": 16, "target_ntm": None, "target_criteria": 17}
    assert missed_text(row, 2023, 2025, "vi") == "⚠ Chưa đạt mục tiêu 2025: còn thiếu 1 tiêu chí"
    assert missed_text(dict(row, criteria_met=17), 2025, 2025, "vi") == ""


def _map_symbols(page) -> np.ndarray:
    """Display centres (points at 72 dpi) of the map's symbols (markers of 4 pt or more)."""
    ax = page.fig.axes[1]
    out = []
    for ln in ax.get_lines():
        if ln.get_marker() in (None, "None", "", " ") or ln.get_markersize() < 4:
            continue
        out.append(ax.transData.transform(np.column_stack(ln.get_data())))
    return np.vstack(out) if out else np.empty((0, 2))


def test_symbols_at_one_place_are_moved_apart(s25) -> None:
    _, _, _, ctx = s25
    need_pt = 2 * SYMBOL_RADIUS_MM / MM_PER_PT * 0.95
    with matplotlib.rc_context(_RC):
        for code in ctx.data.status["code"]:
            page = page_commune(ctx, 1, code)
            xy = _map_symbols(page)
            d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            d[np.diag_indices(len(xy))] = np.inf
            assert d.min() >= need_pt, (ctx.data.commune_name(code), d.min())


def test_relax_spreads_coincident_points_deterministically() -> None:
    xy = np.zeros((5, 2))
    r = np.ones(5)
    a, ok = relax(xy, r, gap=0.1)
    b, _ = relax(xy, r, gap=0.1)
    assert ok and overlaps(a, r, 0.1) == 0
    assert np.array_equal(a, b)
    # circles kept inside an area too small for them: reported, not silently wrong
    _, ok = relax(np.zeros((2, 2)), np.full(2, 3.0), area=shapely.box(-2, -2, 2, 2))
    assert not ok


# -- 4. investment: circles apart, inside, off the labels; the key spans the data -----------
def _circles(page):
    ax = page.fig.axes[1]
    coll = [c for c in ax.collections if isinstance(c, PatchCollection)]
    assert len(coll) == 1
    out = []
    for p in coll[0].get_paths():
        v = p.vertices
        out.append(((v[:, 0].max() + v[:, 0].min()) / 2, (v[:, 1].max() + v[:, 1].min()) / 2,
                    (v[:, 0].max() - v[:, 0].min()) / 2))
    return ax, np.array(out)


def test_investment_circles_do_not_overlap_spill_or_cover_labels(s25) -> None:
    _, _, texts, ctx = s25
    with matplotlib.rc_context(_RC):
        page = page_investment(ctx, 34)
        ax, c = _circles(page)
        assert len(c) == 13
        xy, r = c[:, :2], c[:, 2]
        assert overlaps(xy, r) == 0
        area = ctx.data.district
        assert shapely.contains_xy(area, xy[:, 0], xy[:, 1]).all()
        dist = shapely.distance(shapely.boundary(area), shapely.points(xy))
        assert (dist >= r * 0.98).all()
        renderer = page.renderer
        disp = ax.transData.transform(xy)
        rd = ax.transData.transform(xy + np.column_stack([r, np.zeros_like(r)]))[:, 0] - disp[:, 0]
        for t in ax.texts:
            bb = t.get_window_extent(renderer)
            nx = np.clip(disp[:, 0], bb.x0, bb.x1)
            ny = np.clip(disp[:, 1], bb.y0, bb.y1)
            hit = np.hypot(disp[:, 0] - nx, disp[:, 1] - ny) < rd
            assert not hit.any(), t.get_text()
    page_text = " ".join(texts[33].split())
    for v in ("20.000", "40.000", "60.000"):
        assert v in page_text
    assert key_values(19098, 61321) == [20000, 40000, 60000]
    assert key_values(120, 980) == [250, 500, 750]


# -- 5. overview: the summary's colours have a key and are colour-blind safe -----------------
def _simulate(rgb, kind: str) -> np.ndarray:
    """Machado et al. (2009) at full severity."""
    m = {"deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                    [-0.011820, 0.042940, 0.968881]],
         "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998]]}[kind]
    lin = np.where(np.asarray(rgb) <= 0.04045, np.asarray(rgb) / 12.92,
                   ((np.asarray(rgb) + 0.055) / 1.055) ** 2.4)
    return np.clip(np.asarray(m) @ lin, 0, 1)


def test_overview_summary_colours_have_a_key_and_no_red_green(s25) -> None:
    import ntmgis.outputs.appendix._style as st

    _, _, texts, _ = s25
    ov = " ".join(texts[0].split())
    assert "Đạt hoặc vượt kế hoạch" in ov and "Chưa đạt kế hoạch" in ov
    assert "4/13 (30,8%)" in ov
    a, b = to_rgb(st.PLAN_MET), to_rgb(st.PLAN_SHORT)
    for kind in ("deutan", "protan"):
        assert np.abs(_simulate(a, kind) - _simulate(b, kind)).sum() > 0.25, kind


# -- 6. progress: names on the small maps, a plan row, denominators ---------------------------
def test_progress_has_names_plan_row_and_denominators(s25) -> None:
    _, _, texts, ctx = s25
    t = " ".join(texts[34].split())
    assert "KH 2025 4/13 16,38 0 18/101" in t
    assert "2025 3/13 16,15 0 16/101" in t
    with matplotlib.rc_context(_RC):
        page = page_progress(ctx, 35)
    maps = [ax for ax in page.fig.axes[1:] if ax.texts]
    assert len(maps) == 5
    for ax in maps:  # halo + text per name: at least 10 of the 14 units named
        assert len(ax.texts) // 2 >= 10


# -- 7. an area that is no district is not called one ----------------------------------------
def test_area_wording_after_2025(s25, s26) -> None:
    t26 = "\n".join(s26[2])
    assert "Ranh giới huyện" not in t26 and "TOÀN HUYỆN" not in t26
    assert "Ranh giới khu vực" in t26 and "TỔNG HỢP TOÀN KHU VỰC" in s26[2][0]
    t25 = "\n".join(s25[2])
    assert "Ranh giới huyện" in t25 and "TỔNG HỢP TOÀN HUYỆN" in s25[2][0]


def test_pages_render_the_same_bytes_twice(s25, tmp_path: Path) -> None:
    # The investment page (circles, leaders, the most labels) twice in one process; every
    # page's bytes across runs and machines are held by the sample manifest
    # (tests/test_sample_manifest.py), so the commune pages need not be drawn twice here.
    # In a copy of the built sample: s25's workspace is shared, read only.
    src = s25[0]
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(src.config_path, root / "ntmgis.toml")
    shutil.copytree(src.root / "layers", root / "layers")
    ws = load_workspace(root)
    a = render_appendix(ws, formats="pdf", pages="investment", overwrite=True)[0]
    first = a.read_bytes()
    b = render_appendix(ws, formats="pdf", pages="investment", overwrite=True)[0]
    assert b.read_bytes() == first


# -- 5b. province scale: most units named, every name inside its unit -------------------------
def test_province_scale_labels_inside_their_communes(built_country) -> None:
    from ntmgis.outputs.appendix._pages import page_overview

    ws = built_country(100)
    data = load_data(ws, year=None, lang="vi")
    ctx = Context(data=data, lang="vi", size="A4", hillshade=None)
    with matplotlib.rc_context(_RC):
        page = page_overview(ctx, 1)
        ax = page.fig.axes[1]
        labels = [t for t in ax.texts if not t.get_path_effects()]
        boxes = [t.get_window_extent(page.renderer) for t in labels]
    assert len(labels) >= 60  # was about 45 of 100
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j])
    short = {n.removeprefix("Xã ").replace("Thị trấn ", "TT. "): g
             for n, g in zip(data.communes["name"], data.communes.geometry, strict=True)}
    for t in labels:
        x, y = t.get_position()
        name = t.get_text().split("\n")[0]
        assert shapely.contains_xy(short[name], x, y), name
