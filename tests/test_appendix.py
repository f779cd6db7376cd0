"""The print-ready map appendix: pages, text layer, fonts, PNG size, determinism, looks."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from ntmgis.core.criteria import COMMUNE_CRITERIA
from ntmgis.core.errors import DataError, OutputExistsError, WorkspaceError
from ntmgis.core.i18n import fmt_number
from ntmgis.core.text import display_name
from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix import CLASS_COLORS, render_appendix

DATA = Path(__file__).resolve().parent / "data"
REF = DATA / "appendix"
MM_PER_INCH = 25.4


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _page_texts(pdf: Path) -> list[str]:
    """Text of every page: pdftotext when installed (as users would check), else pypdf."""
    n = len(PdfReader(pdf).pages)
    if shutil.which("pdftotext"):
        out = []
        for i in range(1, n + 1):
            res = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf),
                                  "-"], capture_output=True, text=True, check=True)
            out.append(_nfc(res.stdout))
        return out
    return [_nfc(p.extract_text() or "") for p in PdfReader(pdf).pages]


def _n_images(pdf: Path) -> int:
    xobjects = PdfReader(pdf).pages[0]["/Resources"].get("/XObject", {})
    return sum(1 for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image")


def _build(ws_dir: Path):
    from ntmgis.monitoring.build import build

    ws = load_workspace(ws_dir)
    build(ws, overwrite=True)
    return ws


@pytest.fixture(scope="module")
def sample(sample_outputs):
    """The Mường Tè sample, built and its whole appendix rendered (PDF + 300-dpi PNGs) by
    ``ntmgis appendix``, once per test run (tests/conftest.py::sample_outputs; read only).

    ``(workspace, [the PDF, the PNGs in name order])``: what ``render_appendix`` returns
    (tests/test_appendix.py::test_some_kinds_of_page_keep_their_numbers holds that order).
    """
    ws = load_workspace(sample_outputs.root)
    out = ws.maps_dir / "appendix"
    return ws, [out / "phu-luc-ban-do-2025.pdf", *sorted(out.glob("*.png"))]


@pytest.fixture()
def mini(tmp_path: Path):
    """The small test workspace (three square communes; no elevation, roads, facilities)."""
    dst = shutil.copytree(DATA / "mini", tmp_path / "mini")
    return _build(dst)


def _layer(ws, name):
    return pyogrio.read_dataframe(ws.output_gpkg, layer=name)


# -- the sample appendix -------------------------------------------------------------------
@pytest.mark.slow
def test_page_count_and_file_names(sample):
    ws, paths = sample
    status = _layer(ws, "commune_status")
    n_communes = status["code"].nunique()
    assert n_communes == 13
    expected = 1 + len(COMMUNE_CRITERIA) + n_communes + 1 + 1
    pdf, pngs = paths[0], paths[1:]
    assert pdf.suffix == ".pdf" and pdf.parent == ws.maps_dir / "appendix"
    assert len(PdfReader(pdf).pages) == expected == 35
    assert len(pngs) == expected
    # names sort in page order and say what the page is
    assert [p.name for p in pngs] == sorted(p.name for p in pngs)
    assert pngs[0].name == "phu-luc-01-tong-quan.png"
    assert pngs[1].name == "phu-luc-02-tc01-quy-hoach.png"
    assert pngs[20].name.startswith("phu-luc-21-xa-")
    assert pngs[-1].name == "phu-luc-35-tien-do-2021-2025.png"
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    # nothing else (no temporary folder) is left beside the outputs
    assert sorted(p.name for p in (ws.maps_dir / "appendix").iterdir()) == sorted(
        p.name for p in paths)


@pytest.mark.slow
def test_text_layer_names_and_counts(sample):
    ws, paths = sample
    texts = _page_texts(paths[0])
    communes = _layer(ws, "communes")
    status = _layer(ws, "commune_status")
    latest = status[status["year"] == status["year"].max()].sort_values("code")
    # every commune's name, with its diacritics, on the overview and on its own page
    for name in latest["name"]:
        name = display_name(_nfc(name))  # as displayed: "Xã Pa ủ" of the GSO list is "Xã Pa Ủ"
        assert name in texts[0], name
        assert any(name.upper() in t for t in texts[20:33]), name
    assert "Thị trấn Mường Tè" in _nfc(" ".join(communes["name"]))
    assert "TT. Mường Tè" in texts[0]
    for t in texts:
        assert "Phụ lục bản đồ số" in t
        assert "Huyện Mường Tè" in t
    for i, t in enumerate(texts, 1):
        assert f"Phụ lục bản đồ số {i}" in t
    # overview: NTM communes and the average, against the plan
    n = len(latest)
    n_ntm = int(latest["ntm"].astype(bool).sum())
    avg = fmt_number(float(latest["criteria_met"].mean()), "vi", 2)
    assert f"{n_ntm}/{n}" in texts[0]
    assert avg in texts[0]
    assert "4/13 (30,8%)" in texts[0]  # the plan's target
    assert "16,38" in texts[0]  # the plan's average criteria per commune
    # a criterion page gives the count against the plan's target
    targets = _layer(ws, "plan_targets").set_index("criterion")["target_communes"]
    for c in COMMUNE_CRITERIA:
        met = int((latest[c.key] == 1).sum())
        page = texts[c.number]
        assert f"TIÊU CHÍ SỐ {c.number}: {c.name_vi.upper()}" in page
        assert f"{met}/{n}" in page, c.key
        assert f"{int(targets[c.number])} xã" in page
    # a commune page: its scorecard lists the 19 criteria
    page = texts[20]
    for c in COMMUNE_CRITERIA:
        assert c.name_vi in page
    # the investment page: the plan's total by source
    assert "608.989" in texts[33]
    assert "2021" in texts[34] and "2025" in texts[34]


@pytest.mark.slow
def test_fonts_embedded_and_metadata_fixed(sample):
    _, paths = sample
    reader = PdfReader(paths[0])
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            desc_font = font["/DescendantFonts"][0].get_object() if (
                "/DescendantFonts" in font) else font
            descriptor = desc_font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            assert "DejaVuSans" in str(font["/BaseFont"])
            seen += 1
    assert seen > 0
    meta = reader.metadata
    assert "/CreationDate" not in meta and "/ModDate" not in meta
    assert meta["/Title"] == "Phụ lục bản đồ - Huyện Mường Tè - 2025"


@pytest.mark.slow
def test_pngs_are_300_dpi_a4(sample):
    _, paths = sample
    for p in paths[1:]:
        with Image.open(p) as im:
            assert im.size == (3508, 2480), p.name  # A4 landscape at 300 dpi
            assert [round(v) for v in im.info["dpi"]] == [300, 300]
            assert im.mode == "RGB"


@pytest.mark.slow
def test_refuses_to_overwrite_and_leaves_files(sample):
    ws, paths = sample
    before = {p: p.stat().st_mtime_ns for p in paths}
    with pytest.raises(OutputExistsError, match="--overwrite"):
        render_appendix(ws)
    assert {p: p.stat().st_mtime_ns for p in paths} == before


@pytest.mark.slow
def test_labels_do_not_collide(sample):
    """The overview's commune labels (greedy placement) do not overlap one another."""
    from matplotlib.text import Text

    from ntmgis.outputs.appendix._carto import Hillshade
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_commune, page_overview

    ws, _ = sample
    data = load_data(ws, year=None, lang="vi")
    ctx = Context(data=data, lang="vi", size="A4",
                  hillshade=Hillshade.from_raster(ws.elevation, ws.crs, data.district))
    page = page_overview(ctx, 1)
    ax = [a for a in page.fig.axes if a is not page.ov][0]
    r = page.renderer
    labels = [t for t in ax.texts if isinstance(t, Text) and not t.get_path_effects()]
    assert len(labels) == 14  # 13 communes and the township
    boxes = [t.get_window_extent(r) for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    # every commune page: no overlaps, and every village of the commune is named
    villages = _layer(ws, "villages")
    for code in data.programme_codes:
        cpage = page_commune(ctx, 21, code)
        cax = [a for a in cpage.fig.axes if a is not cpage.ov][0]
        texts = [t for t in cax.texts if not t.get_path_effects()]
        cboxes = [t.get_window_extent(cpage.renderer) for t in texts]
        for i in range(len(cboxes)):
            for j in range(i + 1, len(cboxes)):
                assert not cboxes[i].overlaps(cboxes[j]), (code, texts[i].get_text(),
                                                           texts[j].get_text())
        names = {t.get_text() for t in texts}
        mine = villages.loc[villages["commune_code"] == code, "name"]
        assert set(mine) <= names, (code, set(mine) - names)
    # the map is at the round scale its scale bar states, in metres of EPSG:9205
    x0, x1 = ax.get_xlim()
    width_m_paper = ax.get_window_extent(r).width / page.fig.dpi * MM_PER_INCH / 1000
    scale = (x1 - x0) / width_m_paper
    assert scale == pytest.approx(500_000, rel=1e-6)
    assert any(t.get_text() == "Tỷ lệ 1:500.000" for t in page.ov.texts)


# -- small workspace: options, determinism, English, looks ---------------------------------
def test_minimal_layers_every_page(mini):
    """No elevation, roads or facilities: still every page.

    That the bytes repeat is checked by ``test_relief_and_deterministic_png`` (twice in
    one process) and by the sample's manifest (a whole appendix, in another process),
    not by rendering these 25 pages a second time.
    """
    first = render_appendix(mini, formats="pdf")
    assert [p.name for p in first] == ["phu-luc-ban-do-2025.pdf"]
    assert len(PdfReader(first[0]).pages) == 1 + 19 + 3 + 1 + 1
    assert "Nền địa hình" not in _page_texts(first[0])[0]  # no relief, no legend entry
    assert _n_images(first[0]) == 0


def test_relief_and_deterministic_png(mini):
    """With an elevation raster: relief drawn and named; PDF and PNG bytes repeat."""
    import rasterio
    from rasterio.transform import Affine

    y, x = np.mgrid[0:60, 0:170]
    z = 400 + 900 * np.exp(-((x - 60.0) ** 2 + (y - 30.0) ** 2) / 500.0) + 3.0 * x
    with rasterio.open(mini.root / "dem.tif", "w", driver="GTiff", width=170, height=60,
                       count=1, dtype="float32", crs="EPSG:9205",
                       transform=Affine(100, 0, 469500, 0, -100, 2485500)) as dst:
        dst.write(z.astype("float32"), 1)
    cfg = mini.config_path
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[terrain]\nelevation = "dem.tif"\n',
                   encoding="utf-8")
    ws = load_workspace(mini.root)
    first = render_appendix(ws, pages="overview,communes", dpi=30)
    blobs = [p.read_bytes() for p in first]
    assert "Nền địa hình (bóng đổ)" in _page_texts(first[0])[0]
    assert _n_images(first[0]) > 0  # the relief
    again = render_appendix(ws, pages="overview,communes", dpi=30, overwrite=True)
    assert [p.read_bytes() for p in again] == blobs


def test_bad_options(mini):
    with pytest.raises(DataError, match="2019"):
        render_appendix(mini, year=2019, formats="pdf")
    with pytest.raises(ValueError, match="A5"):
        render_appendix(mini, size="A5")
    with pytest.raises(ValueError, match="svg"):
        render_appendix(mini, formats="pdf,svg")
    with pytest.raises(ValueError, match="fr"):
        render_appendix(mini, lang="fr")
    assert not (mini.maps_dir / "appendix").exists()


def test_some_kinds_of_page_keep_their_numbers(mini):
    paths = render_appendix(mini, pages="communes", formats="pdf,png", dpi=20)
    assert [p.name for p in paths] == [
        "phu-luc-ban-do-2025-communes.pdf", "phu-luc-21-xa-mot.png", "phu-luc-22-xa-hai.png",
        "phu-luc-23-xa-ba.png"]
    # nothing else (no temporary folder) is left beside the outputs
    assert sorted(p.name for p in paths) == sorted(
        p.name for p in (mini.maps_dir / "appendix").iterdir())
    text = _page_texts(paths[0])
    assert len(text) == 3
    assert "Phụ lục bản đồ số 21" in text[0] and "XÃ MỘT" in text[0]
    assert "Phụ lục bản đồ số 23" in text[2]
    with pytest.raises(ValueError, match="villages"):
        render_appendix(mini, pages="overview,villages")


def test_province_locator_and_source_from_config(mini):
    """[appendix] province_outline gives district pages a locator; source replaces the footer."""
    import geopandas as gpd
    import shapely

    communes = gpd.read_file(mini.root / "communes.geojson")
    province = shapely.box(*communes.total_bounds).buffer(20_000)
    gpd.GeoDataFrame({"name": ["Tỉnh Lai Châu"]}, geometry=[province],
                     crs=communes.crs).to_file(mini.root / "province.gpkg")
    cfg = mini.config_path
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[appendix]\n'
                   'province_outline = "province.gpkg"\n'
                   'source = "Phòng Nông nghiệp huyện Thử"\n', encoding="utf-8")
    ws = load_workspace(mini.root)
    paths = render_appendix(ws, pages="overview", formats="pdf")
    text = _page_texts(paths[0])[0]
    assert "Sơ đồ vị trí" in text
    assert "Nguồn: Phòng Nông nghiệp huyện Thử. Số liệu đến ngày 31/12/2025." in " ".join(
        text.split())
    # without it, district pages have no locator (commune pages always have one)
    plain = render_appendix(mini, pages="overview,communes", formats="pdf", overwrite=True)
    texts = _page_texts(plain[0])
    assert "Sơ đồ vị trí" not in texts[0] and "Sơ đồ vị trí" in texts[1]


def test_bare_workspace_without_villages_projects_or_plan(tmp_path: Path):
    """Only communes and their status: every page still renders, keys list what is drawn."""
    import re

    dst = shutil.copytree(DATA / "mini", tmp_path / "bare")
    cfg = dst / "ntmgis.toml"
    text = cfg.read_text(encoding="utf-8")
    for sect in ("tables.projects", "tables.plan_targets", "tables.plan_funding",
                 "layers.villages"):
        text = re.sub(r"\n\[" + re.escape(sect) + r"\][^\[]*", "\n", text)
    cfg.write_text(text, encoding="utf-8")
    ws = _build(dst)
    paths = render_appendix(ws, formats="pdf")
    texts = _page_texts(paths[0])
    assert len(texts) == 25
    assert "Dự án (theo tình trạng)" not in " ".join(texts)  # no projects, no such key
    assert "Tổng vốn theo xã" not in texts[23]  # no circles, no circle key
    assert "Bản đạt chuẩn NTM: 0/0" in texts[20]


def test_not_built_is_a_clear_error(tmp_path: Path):
    dst = shutil.copytree(DATA / "mini", tmp_path / "mini")
    with pytest.raises(WorkspaceError, match="ntmgis build"):
        render_appendix(dst)
    assert not (dst / "maps").exists()


def test_cli_year_english_a3(mini):
    """The command: prints the path, refuses to overwrite, --year/--lang/--size/--format."""
    from ntmgis.cli import main

    runner = CliRunner()
    # one page is enough to see the path printed and the refusal (the whole A3 appendix
    # is drawn below)
    args = ["appendix", "-w", str(mini.root), "--format", "pdf", "--pages", "overview"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert str(mini.maps_dir / "appendix" / "phu-luc-ban-do-2025-overview.pdf") in res.output
    res = runner.invoke(main, args)
    assert res.exit_code == 4
    assert "--overwrite" in res.output

    out = mini.maps_dir / "appendix"
    stale = out / "map-appendix-a3-99-commune-old.png"  # from an earlier, longer appendix
    stale.write_bytes(b"old")
    mine = out / "notes.txt"  # a user's own file is never touched
    mine.write_text("x")
    res = runner.invoke(main, ["appendix", "-w", str(mini.root), "--overwrite", "--lang", "en",
                               "--year", "2024", "--size", "A3", "--format", "pdf,png",
                               "--dpi", "40"])
    assert res.exit_code == 0, res.output
    assert "map-appendix-2024-a3.pdf" in res.output and "25 PNG" in res.output
    assert not stale.exists() and mine.read_text() == "x"
    pdf = out / "map-appendix-2024-a3.pdf"
    pngs = sorted(out.glob("map-appendix-a3-*.png"))
    assert pngs[0].name == "map-appendix-a3-01-overview.png"
    assert pngs[5].name == "map-appendix-a3-06-criterion-05-schools.png"
    assert pngs[-1].name == "map-appendix-a3-25-progress-2024.png"  # years up to --year
    text = _page_texts(pdf)
    assert "LEGEND" in text[0] and "Map appendix no. 1" in text[0] and "2024" in text[0]
    assert "CRITERION 5: SCHOOLS" in text[5]
    page = PdfReader(pdf).pages[0]
    w_mm = float(page.mediabox.width) / 72 * MM_PER_INCH
    h_mm = float(page.mediabox.height) / 72 * MM_PER_INCH
    assert (round(w_mm), round(h_mm)) == (420, 297)
    with Image.open(pngs[0]) as im:
        w, h = im.size
        assert (round(w / 40 * MM_PER_INCH), round(h / 40 * MM_PER_INCH)) == (420, 297)
        assert [round(v) for v in im.info["dpi"]] == [40, 40]


def test_overview_matches_reference_without_text(mini, tmp_path: Path):
    """The overview page drawn without text matches the committed reference image."""
    import matplotlib
    from matplotlib.testing.compare import compare_images
    from matplotlib.text import Text

    from ntmgis.outputs.appendix import _RC
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_overview

    data = load_data(mini, year=None, lang="vi")
    with matplotlib.rc_context(_RC):
        page = page_overview(Context(data=data, lang="vi", size="A4", hillshade=None), 1)
        for t in page.fig.findobj(Text):
            t.set_visible(False)
        actual = tmp_path / "overview-notext.png"
        page.fig.savefig(actual, dpi=40)
    expected = REF / "overview-notext.png"
    if os.environ.get("NTMGIS_REGENERATE_REFERENCE"):
        REF.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, expected)
    assert compare_images(str(expected), str(actual), tol=2.0) is None


# -- pieces --------------------------------------------------------------------------------
def test_palette_is_the_web_maps():
    from ntmgis.core import palette as styles
    from ntmgis.outputs.appendix import _style

    assert CLASS_COLORS == styles.CLASS_COLORS
    for key, color in _style.MET_COLORS.items():  # met, not met, no data
        assert styles.MET_COLORS[key] == color
    assert _style.STATUS_COLORS == styles.STATUS_COLORS


def test_font_covers_vietnamese():
    """Every Vietnamese letter (and every character of the appendix's messages) has a glyph."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from ntmgis.outputs.appendix._text import MESSAGES

    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    text = letters + letters.upper() + "".join(v + e for v, e in MESSAGES.values())
    text += "".join(c.name_vi for c in COMMUNE_CRITERIA)
    for weight in ("normal", "bold"):
        for style in ("normal", "italic"):
            path = font_manager.findfont(font_manager.FontProperties(
                family="DejaVu Sans", weight=weight, style=style), fallback_to_default=False)
            cmap = FT2Font(path).get_charmap()
            missing = sorted({c for c in _nfc(text) if c.strip() and ord(c) not in cmap})
            assert not missing, (path, missing)


def test_nice_scale_and_bar():
    from ntmgis.outputs.appendix._carto import _nice_length_km, nice_scale

    assert nice_scale(410_000) == 500_000
    assert nice_scale(100_000) == 100_000
    assert nice_scale(123_456) == 150_000
    assert nice_scale(8_100) == 10_000
    assert _nice_length_km(27.0) == (25.0, 5)
    assert _nice_length_km(13.0) == (10.0, 5)
    assert _nice_length_km(4.2) == (2.5, 5)


def test_hillshade_lights_north_west_and_clips(tmp_path: Path):
    import rasterio
    import shapely
    from rasterio.transform import Affine

    from ntmgis.outputs.appendix._carto import Hillshade

    y, x = np.mgrid[0:81, 0:81]
    z = 500 + 800 * np.exp(-((x - 40.0) ** 2 + (y - 40.0) ** 2) / 300.0)
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=81, height=81, count=1,
                       dtype="float32", crs="EPSG:9205",
                       transform=Affine(100, 0, 400000, 0, -100, 2500000)) as dst:
        dst.write(z.astype("float32"), 1)
    area = shapely.box(400000, 2500000 - 6000, 400000 + 8100, 2500000)  # top 60 rows
    hs = Hillshade.from_raster(path, "EPSG:9205", area, finest=100)
    img, bounds, cell = hs.levels[0]
    assert cell == 100
    # north-west flank lit (white, translucent), south-east flank in shadow (black)
    nw, se = img[30, 30], img[50, 50]
    assert tuple(nw[:3]) == (255, 255, 255) and nw[3] > 0
    assert tuple(se[:3]) == (0, 0, 0) and se[3] > 0
    # outside the area: transparent
    assert img[75, 40, 3] == 0
