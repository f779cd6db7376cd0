"""What keeps the atlas fast and light: shared text layouts, shared paths, lean map vertices."""

from __future__ import annotations

import io
import pickle
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import shapely
from fontTools.ttLib import TTFont
from matplotlib import patheffects
from matplotlib.backends import _backend_pdf_ps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from pypdf import PdfReader

from ntmgis.outputs.appendix import _rc
from ntmgis.outputs.appendix._carto import MapFrame, Page, clear_views
from ntmgis.outputs.appendix._imagecache import _SHARE_PATH_BYTES, SharedImagesPdfPages
from ntmgis.outputs.appendix._labels import HaloText
from ntmgis.outputs.appendix._page_common import short_name
from ntmgis.outputs.appendix._page_progress import MapPlacedPatch
from ntmgis.outputs.appendix._paths import geoms_to_path, unique_edges
from ntmgis.outputs.appendix._rc import RC, shared_text_metrics

NAMES = ["Mường Tè", "Thu Lũm", "Ka Lăng", "Pa Vệ Sử", "Nậm Khao\n(12/19)", "Mường Tè"]


def _texts_figure() -> Figure:
    """Texts as the atlas draws them: Vietnamese, haloed, two lines, turned, repeated."""
    fig = Figure(figsize=(4, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for i, s in enumerate(NAMES):
        kw = dict(fontsize=6 + i, ha="center", va="center", rotation=15 * (i % 2))
        ax.text(0.5, 0.1 + 0.15 * i, s, color="white", path_effects=[
            patheffects.Stroke(linewidth=2, foreground="white")], **kw)
        ax.text(0.5, 0.1 + 0.15 * i, s, weight="bold" if i % 2 else "normal", **kw)
    return fig


def _outputs() -> tuple[bytes, bytes]:
    """The PDF and the 100-dpi raster of :func:`_texts_figure`."""
    pdf = io.BytesIO()
    _texts_figure().savefig(pdf, format="pdf", metadata={"CreationDate": None})
    fig = _texts_figure()
    fig.set_dpi(100)
    fig.canvas.draw()
    return pdf.getvalue(), bytes(np.asarray(fig.canvas.buffer_rgba()))


def test_shared_text_layouts_draw_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layouts and glyph shaping shared by the pages of a run change no byte of PDF or pixels."""
    # the fonts subset as the appendix subsets them outside the block too: this test is
    # about the texts (the subsets have their own test below)
    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", _rc._glyphs_subset)
    with matplotlib.rc_context(RC):
        plain = _outputs()
        with shared_text_metrics():
            first, again = _outputs(), _outputs()  # the second one from the caches
        after = _outputs()
    assert first == plain
    assert again == plain
    assert after == plain  # matplotlib's own functions are back


def _fonts(pdf: bytes) -> list[TTFont]:
    """The TrueType fonts embedded in ``pdf``, in file order."""
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            desc = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            out.append(TTFont(io.BytesIO(desc["/FontFile2"].get_object().get_data())))
    return out


def test_embedded_fonts_leave_out_the_layout_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The appendix's font subsets: matplotlib's glyphs, outlines and widths, no layout tables.

    The texts are shaped and kerned from the full font before they are written, so a
    PDF viewer never reads GSUB, GPOS, GDEF or kern: leaving them out makes closing a
    PDF about 0,6 s faster (six subsets of DejaVu Sans) and the file smaller.
    """
    with matplotlib.rc_context(RC):
        plain = _outputs()[0]
        with shared_text_metrics():
            ours = _outputs()[0]
    old, new = _fonts(plain), _fonts(ours)
    assert len(old) == len(new) >= 2  # regular and bold, a subset or more each
    assert all("GSUB" in a and "GPOS" in a for a in old)  # matplotlib's subsets keep them
    for a, b in zip(old, new, strict=True):
        assert not set(_rc._LAYOUT_TABLES) & set(b.keys())
        assert set(a.keys()) - set(b.keys()) == set(_rc._LAYOUT_TABLES) & set(a.keys())
        assert a.getGlyphOrder() == b.getGlyphOrder()
        assert {g: a["hmtx"][g] for g in a.getGlyphOrder()} == \
            {g: b["hmtx"][g] for g in b.getGlyphOrder()}
        ga, gb = a["glyf"], b["glyf"]
        for g in a.getGlyphOrder():
            assert ga[g].getCoordinates(ga)[0] == gb[g].getCoordinates(gb)[0], g
    texts = [[p.extract_text() for p in PdfReader(io.BytesIO(d)).pages] for d in (plain, ours)]
    assert texts[0] == texts[1] and "Mường Tè" in texts[0][0]
    assert len(ours) < len(plain)


def _streams(pdf: bytes) -> list[bytes]:
    return [zlib.decompress(m.group(1))
            for m in re.finditer(rb"stream\n(.*?)\nendstream", pdf, re.S)]


def test_a_long_path_drawn_again_is_one_form_object() -> None:
    """The second and third pages call the first page's long outline; a short one stays inline."""
    t = np.linspace(0, 2 * np.pi, 3000, endpoint=False)
    ring = np.column_stack([0.5 + 0.4 * np.cos(t) * (1 + 0.1 * np.sin(40 * t)),
                            0.5 + 0.4 * np.sin(t)])
    long_path = geoms_to_path([shapely.Polygon(ring)])
    short_path = geoms_to_path([shapely.box(0.1, 0.1, 0.2, 0.2)])
    buf = io.BytesIO()
    with matplotlib.rc_context(RC), SharedImagesPdfPages(buf, metadata={
            "CreationDate": None}) as pdf:
        for color in ("#aa0000", "#00aa00", "#0000aa"):
            fig = Figure(figsize=(3, 3))
            ax = fig.add_axes((0, 0, 1, 1))
            ax.add_artist(PathPatch(long_path, facecolor="none", edgecolor=color, lw=0.4))
            ax.add_artist(PathPatch(short_path, facecolor=color, edgecolor="none"))
            pdf.savefig(fig)
    data = buf.getvalue()
    streams = _streams(data)
    pages = [s for s in streams if b" re\n" in s or b"rg" in s or b"RG" in s]
    calls = [s for s in streams if b"/NtmPath0 Do" in s]
    forms = [s for s in streams if s.endswith(b"\nS\n") and s.count(b" l\n") > 1000]
    assert len(calls) == 2  # pages 2 and 3
    assert len(forms) == 1  # the outline's operators, once, with their painting operator
    inline = [s for s in pages if s.count(b" l\n") > 1000]
    assert len(inline) == 1 and forms[0][:-2] in inline[0]  # page 1 draws it itself
    assert len(forms[0]) >= _SHARE_PATH_BYTES
    assert data.count(b"/Subtype /Form") == 1
    for s in calls:  # each page keeps its own colour, set before the call
        assert s.count(b" l\n") < 50 and b"RG" in s


def test_unique_edges_draw_a_shared_edge_once() -> None:
    """Two squares side by side: seven unit edges, not eight."""
    lines = unique_edges([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    assert abs(float(shapely.length(lines).sum()) - 7.0) < 1e-9


def test_map_fills_dissolved_and_pdf_paths_on_the_paper_grid() -> None:
    """A plain fill of many units is one area; PDF paths have at most two decimals of a point."""
    page = Page("A4")
    fr = page.map_frame(12, 18, 170, 164, (0, 0, 30_000, 30_000))
    assert isinstance(fr, MapFrame)
    cells = [shapely.box(x * 1000.0 + 0.123, y * 1000.0 + 0.456, x * 1000.0 + 1000.123,
                         y * 1000.0 + 1000.456) for x in range(20) for y in range(10)]
    fr.polygons(cells, fc="#cccccc", ec="none", lw=0)
    path = fr.ax.patches[-1].get_path()
    assert (path.codes == path.MOVETO).sum() == 1  # 200 squares, one ring
    fr.polygons(cells[:3], ec="#333333", lw=0.4)
    buf = io.BytesIO()
    with matplotlib.rc_context(RC), SharedImagesPdfPages(buf, metadata={
            "CreationDate": None}) as pdf:
        pdf.savefig(page.fig)
    ops = b"".join(_streams(buf.getvalue()))
    coords = re.findall(rb"^([-\d. ]+) [ml]$", ops, re.M)
    assert len(coords) > 20
    decimals = [len(v.split(b".")[1]) for c in coords for v in c.split() if b"." in v]
    assert decimals and max(decimals) <= 2


def test_a_layer_cut_for_the_same_frame_is_reused_within_a_run() -> None:
    """The locator of every commune page: the province's communes cut and simplified once."""
    communes = [shapely.Point(x * 700.0, y * 500.0).buffer(400.0, 64)
                for x in range(12) for y in range(9)]
    clear_views()
    frames = [Page("A4").map_frame(140, 20, 50, 40, (0, 0, 8000, 4000)) for _ in range(2)]
    first = frames[0]._in_view(communes)
    again = frames[1]._in_view(list(communes))  # another page, the same layer and frame
    assert again is first
    assert shapely.get_num_coordinates(first).sum() < shapely.get_num_coordinates(
        np.asarray(communes)).sum()  # cut and simplified, not the layer as it was
    other = Page("A4").map_frame(140, 20, 50, 40, (0, 0, 4000, 4000))._in_view(communes)
    assert other is not first  # another extent: cut again
    clear_views()
    fresh = frames[1]._in_view(communes)
    assert fresh is not first
    assert all(a.equals_exact(b, 0) for a, b in zip(fresh, first, strict=True))


# -- labels' halos: the label's own text in a PDF, the stroke path effect in pixels -------------
def _halo_figure(as_text: bool) -> Figure:
    """Haloed labels: halos as :class:`HaloText`, or as texts with a stroke path effect."""
    fig = Figure(figsize=(4, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for i, s in enumerate(NAMES):
        kw = dict(fontsize=6 + i, ha="center", va="center", transform=ax.transData,
                  weight="bold" if i % 2 else "normal")
        y = 0.1 + 0.15 * i
        if as_text:
            ax._add_text(HaloText(0.5, y, s, halo=2.0, color="white", **kw))
        else:
            ax.text(0.5, y, s, color="white", path_effects=[
                patheffects.Stroke(linewidth=2.0, foreground="white")], **kw)
        ax.text(0.5, y, s, color="#1a1a1a", **kw)
    return fig


def _pdf(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(RC), SharedImagesPdfPages(buf, metadata={
            "CreationDate": None}) as pdf:
        pdf.savefig(fig)
    return buf.getvalue()


def _page_ops(pdf: bytes) -> bytes:
    """The drawing operators of a one-page PDF."""
    return PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()


def _pixels(fig: Figure) -> bytes:
    with matplotlib.rc_context(RC):
        fig.set_dpi(100)
        fig.canvas.draw()
        return bytes(np.asarray(fig.canvas.buffer_rgba()))


def test_halo_is_the_labels_text_in_a_pdf_and_the_same_pixels_in_a_png(tmp_path: Path) -> None:
    """A halo is written as text (fill and stroke, a few bytes), not as glyph outlines."""
    assert _pixels(_halo_figure(True)) == _pixels(_halo_figure(False))
    as_text, as_paths = _pdf(_halo_figure(True)), _pdf(_halo_figure(False))
    ops_text, ops_paths = _page_ops(as_text), _page_ops(as_paths)
    assert ops_paths.count(b" c\n") > 200  # the baseline: every glyph's curves, per halo
    assert ops_text.count(b" c\n") == 0
    lines = sum(s.count("\n") + 1 for s in NAMES)  # a halo per line of text
    assert ops_text.count(b"2 Tr") == lines and ops_text.count(b"0 Tr") == lines
    assert ops_text.count(b"/ActualText ()") == lines  # copied or searched: once
    assert len(ops_text) * 3 < len(ops_paths)
    # a figure sent between processes (pickled) writes the same bytes
    assert _pdf(pickle.loads(pickle.dumps(_halo_figure(True)))) == as_text
    if shutil.which("pdftotext"):  # each label found once, as without halos as text
        texts = []
        for name, data in (("text", as_text), ("paths", as_paths)):
            (tmp_path / f"{name}.pdf").write_bytes(data)
            texts.append(subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"],
                                        capture_output=True, text=True, check=True).stdout)
        assert texts[0].split() == texts[1].split()
        assert texts[0].count("Mường Tè") == 2  # two labels of that name, each once


# -- the small maps of the progress page: one outline, written once --------------------------
def test_small_maps_write_their_shared_outline_once_each_in_its_place() -> None:
    """Three maps of the same area: the outline is one form, moved onto each map."""
    t = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    ring = np.column_stack([5000 + 4000 * np.cos(t) * (1 + 0.1 * np.sin(400 * t)),
                            5000 + 4000 * np.sin(t)])
    area = shapely.Polygon(ring)
    page = Page("A4")
    shared: dict = {}
    frames = [page.map_frame(12 + 90 * k, 40 + 7 * k, 80, 70, area.bounds, scale=200_000)
              for k in range(3)]
    for fr in frames:
        MapPlacedPatch.drawn_by(fr, shared, lambda fr=fr: fr.polygons(
            [area], ec="#333333", lw=0.4))
    assert all(type(fr.ax.patches[-1]) is MapPlacedPatch for fr in frames)
    data = _pdf(page.fig)
    assert data.count(b"/Subtype /Form") == 1
    page_ops = _page_ops(data)
    form = next(s for s in _streams(data) if s.endswith(b"\nS\n") and s.count(b" l\n") > 1000)
    moves = [tuple(map(float, m)) for m in re.findall(
        rb"q 1 0 0 1 ([-\d.]+) ([-\d.]+) cm\n", page_ops)]
    assert len(moves) == 3 and page_ops.count(b"/NtmPath0 Do") == 2  # the first draws it
    x0, y0 = map(float, re.match(rb"([-\d.]+) ([-\d.]+) m", form).groups())
    for fr, (dx, dy) in zip(frames, moves, strict=True):
        # the outline's first vertex, moved by the map's translation, is where the map has it
        shown = fr.ax.transData.transform(fr.ax.patches[-1].get_path().vertices[:1])[0]
        assert abs(x0 + dx - shown[0]) < 0.02 and abs(y0 + dy - shown[1]) < 0.02


def test_small_maps_draw_the_same_pixels_as_plain_patches() -> None:
    """The raster page is drawn by the patches themselves: same pixels."""
    def draw(adopt: bool) -> bytes:
        page = Page("A4")
        shared: dict = {}
        area = shapely.box(0, 0, 8000, 6000).buffer(900)
        for k in range(2):
            fr = page.map_frame(12 + 90 * k, 40, 80, 70, area.bounds, scale=200_000)
            if adopt:
                MapPlacedPatch.drawn_by(fr, shared, lambda fr=fr: fr.polygons(
                    [area], ec="#333333", lw=0.4))
            else:
                fr.polygons([area], ec="#333333", lw=0.4)
        return _pixels(page.fig)

    assert draw(True) == draw(False)


# -- a country of many communes: every page light, the same maps ------------------------------
def _weights(pdf: bytes) -> list[float]:
    """MB of each page: its drawing, plus its share of each form or image it calls."""
    reader = PdfReader(io.BytesIO(pdf))
    ops = [p.get_contents().get_data() for p in reader.pages]
    calls = [set(re.findall(rb"/(\w+) Do", o)) for o in ops]
    xobjects = reader.pages[0]["/Resources"]["/XObject"].get_object()
    size = {k[1:].encode(): len(v.get_object()._data) for k, v in xobjects.items()}
    users = {n: sum(n in c for c in calls) for n in size}
    return [(len(p["/Contents"].get_object()._data)
             + sum(size[n] / users[n] for n in c if n in size)) / 1e6
            for p, c in zip(reader.pages, calls, strict=True)]


@pytest.mark.slow
def test_a_country_of_many_communes_has_light_pages_and_readable_small_maps(
        built_country) -> None:
    """200 communes: halos as text, class fills merged, small maps named only where names fit."""
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_overview, page_progress

    ws = built_country(200)
    data = load_data(ws, year=None, lang="vi")
    ctx = Context(data=data, lang="vi", size="A4", hillshade=None)
    with matplotlib.rc_context(RC):
        pages = [page_overview(ctx, 1), page_progress(ctx, 2)]
        buf = io.BytesIO()
        with SharedImagesPdfPages(buf, metadata={"CreationDate": None}) as pdf:
            for page in pages:
                pdf.savefig(page.fig)
    data_pdf = buf.getvalue()
    assert max(_weights(data_pdf)) <= 0.3  # issue 13's target
    reader = PdfReader(io.BytesIO(data_pdf))
    overview, progress = (p.get_contents().get_data() for p in reader.pages)
    labels = [t for t in pages[0].fig.axes[1].texts if isinstance(t, HaloText)]
    assert len(labels) >= 30
    assert overview.count(b"2 Tr") >= len(labels)  # halos as text ...
    assert overview.count(b" c\n") < 50  # ... not as glyph outlines
    # the five small maps: their outlines (and the whole area) drawn once, called by the others
    forms = re.findall(rb"/(NtmPath\d+) Do", progress)
    assert any(forms.count(f) >= 4 for f in set(forms))
    com = data.communes
    classes = data.status_all.groupby("year")["band"].nunique()
    maps = [ax for ax in pages[1].fig.axes[1:] if ax.patches]
    assert len(maps) == len([y for y in data.years if y <= data.year][-5:])
    for ax in maps:
        fills = [p for p in ax.patches if p.get_zorder() == 1 and p.get_facecolor()[3] > 0]
        assert len(fills) <= classes.max() + 1  # a few areas, not 200 units
        # names only where they fit inside their unit, centred on it
        shapes = {short_name(n): g for n, g in zip(com["name"], com.geometry, strict=True)}
        inv = ax.transData.inverted()
        for t in ax.texts:
            if isinstance(t, HaloText):
                continue
            box = inv.transform(t.get_window_extent(pages[1].renderer).get_points())
            assert shapes[t.get_text()].covers(shapely.box(*box.ravel())), t.get_text()
