"""What keeps the atlas fast and light: shared text layouts, shared paths, lean map vertices."""

from __future__ import annotations

import io
import re
import zlib

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from ntmgis.outputs.appendix._carto import MapFrame, Page
from ntmgis.outputs.appendix._imagecache import _SHARE_PATH_BYTES, SharedImagesPdfPages
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


def test_shared_text_layouts_draw_the_same_bytes() -> None:
    """Layouts and glyph shaping shared by the pages of a run change no byte of PDF or pixels."""
    with matplotlib.rc_context(RC):
        plain = _outputs()
        with shared_text_metrics():
            first, again = _outputs(), _outputs()  # the second one from the caches
        after = _outputs()
    assert first == plain
    assert again == plain
    assert after == plain  # matplotlib's own functions are back


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
