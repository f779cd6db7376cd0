"""Page furniture of an atlas sheet.

Frame, map at a round scale, scale bar, north arrow, legend, tables, locator
inset and hillshade (the relief itself is :mod:`ntmgis.outputs.appendix._relief`,
collision-free labels are in :mod:`ntmgis.outputs.appendix._labels`).

Everything is laid out in millimetres of an A4 landscape design sheet
(297 x 210 mm); an A3 page is the same design scaled by ``s`` (fonts and line
widths included), so both sizes look alike.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from ntmgis.core.i18n import fmt_number
from ntmgis.outputs.appendix._imagecache import cache_resampling
from ntmgis.outputs.appendix._paths import add_text, geoms_to_path, line_segments, unique_edges
from ntmgis.outputs.appendix._relief import Hillshade

__all__ = ["PAPER", "Page", "MapFrame", "Hillshade", "nice_scale", "geoms_to_path",
           "unique_edges", "add_text"]  # the last three from ._paths

PAPER = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape, mm
DESIGN_W, DESIGN_H = PAPER["A4"]
MM_PER_PT = 25.4 / 72.0
INK = "#1a1a1a"
FRAME = "#333333"
# widths of texts at 10 pt in points, by (text, weight, style): measured once
_WIDTHS: dict[tuple[str, str, str], float] = {}
# paper beyond a map's edge within which geometries are kept whole (see MapFrame._in_view)
_VIEW_MARGIN_MM = 3.0
# detail finer than this (mm of paper) is not drawn (see MapFrame._in_view)
_DETAIL_MM = 0.02
# a plain fill of more polygons than this is drawn as their union (see MapFrame.polygons):
# the edges between units of one colour are half the vertices of a 1.000-commune map
_DISSOLVE_ABOVE = 150
# Layers cut to a frame and simplified (MapFrame._in_view), by the geometries'
# identities, the frame's extent and its scale; a few, reused within a run.
_VIEWS: OrderedDict[tuple, tuple] = OrderedDict()
_MAX_VIEWS = 8
_NICE = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0)


def clear_views() -> None:
    """Forget the layers cut and simplified for the frames (after a run)."""
    _VIEWS.clear()


def nice_scale(d_min: float) -> int:
    """The smallest round scale denominator (1, 1.5, 2, 2.5, 3, 4, 5, 7.5 x 10^k) >= ``d_min``."""
    k = math.floor(math.log10(d_min))
    for m in _NICE:
        d = m * 10**k
        if d >= d_min * (1 - 1e-9):
            return int(round(d))
    return int(10 ** (k + 1))  # pragma: no cover


def _nice_length_km(max_km: float) -> tuple[float, int]:
    """A round scale-bar length <= ``max_km`` and its number of segments."""
    k = math.floor(math.log10(max_km))
    best = (10**k, 5)
    for m, seg in ((1, 5), (2, 4), (2.5, 5), (5, 5)):
        if m * 10**k <= max_km:
            best = (m * 10**k, seg)
    return best


class Page:
    """One atlas sheet: a figure with an overlay axes in design millimetres."""

    def __init__(self, size: str = "A4", lang: str = "vi") -> None:
        w, h = PAPER[size]
        self.size, self.lang = size, lang
        self.s = w / DESIGN_W
        self.fig = Figure(figsize=(w / 25.4, h / 25.4), dpi=72)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        ov = self.fig.add_axes((0.0, 0.0, 1.0, 1.0), zorder=10)
        ov.set_xlim(0, DESIGN_W)
        ov.set_ylim(0, DESIGN_H)
        ov.set_axis_off()
        self.ov = ov
        self.images: list = []  # relief images: pixels as they are in PDF, smoothed in PNG

    # -- sizes ---------------------------------------------------------------------------
    def pt(self, points: float) -> float:
        """A design size in points at this page's scale."""
        return points * self.s

    def rect(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A design rectangle in mm as figure fractions."""
        return (x / DESIGN_W, y / DESIGN_H, w / DESIGN_W, h / DESIGN_H)

    def text_width_mm(self, text: str, size: float, weight: str = "normal",
                      style: str = "normal") -> float:
        """Width of ``text`` in design mm at font ``size`` (design points)."""
        key = (text, weight, style)
        w10 = _WIDTHS.get(key)
        if w10 is None:
            t = Text(0, 0, text, fontsize=10.0, fontweight=weight, fontstyle=style,
                     figure=self.fig)
            w10 = t.get_window_extent(self.renderer).width / self.fig.dpi * 72.0
            _WIDTHS[key] = w10
        return w10 * size / 10.0 * MM_PER_PT

    def fit_size(self, text: str, width_mm: float, size: float, minimum: float = 4.5,
                 weight: str = "normal") -> float:
        """The largest font size <= ``size`` at which ``text`` fits ``width_mm``."""
        w = self.text_width_mm(text, size, weight)
        if w <= width_mm:
            return size
        return max(minimum, size * width_mm / w * 0.98)

    # -- text ----------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: float = 7.0, **kw) -> Text:
        """Text at design mm (``size`` in design points)."""
        kw.setdefault("color", INK)
        return add_text(self.ov, x, y, s, fontsize=self.pt(size), **kw)

    def line(self, xs: Sequence[float], ys: Sequence[float], lw: float = 0.5, **kw) -> None:
        """A line in design mm."""
        kw.setdefault("color", FRAME)
        self.ov.add_line(Line2D(xs, ys, linewidth=self.pt(lw), solid_capstyle="butt", **kw))

    def box(self, x: float, y: float, w: float, h: float, *, fc="none", ec=FRAME,
            lw: float = 0.5, **kw) -> None:
        """A rectangle in design mm."""
        self.ov.add_artist(Rectangle((x, y), w, h, facecolor=fc, edgecolor=ec,
                                    linewidth=self.pt(lw), **kw))

    # -- the sheet -----------------------------------------------------------------------
    def frame(self, *, title: str, subtitle: str, page_label: str, source: str,
              note: str = "", ref: str = "") -> None:
        """Neat line, title band (``ref`` at its right), footer: source, ``note``, page no."""
        self.box(8, 8, DESIGN_W - 16, DESIGN_H - 16, lw=0.9)
        size = self.fit_size(title, DESIGN_W - 24, 12.5, minimum=8, weight="bold")
        self.text(12, 194.5, title, size=size, weight="bold", va="baseline")
        self.text(12, 188.5, subtitle, size=8.5, va="baseline", color="#444444")
        if ref:
            room = DESIGN_W - 24 - self.text_width_mm(subtitle, 8.5) - 8
            self.text(DESIGN_W - 12, 188.5, ref, size=self.fit_size(ref, room, 7.2, 4.5),
                      va="baseline", ha="right", style="italic", color="#333333")
        self.line([8, DESIGN_W - 8], [185, 185], lw=0.5)
        self.line([8, DESIGN_W - 8], [15, 15], lw=0.5)
        fs = self.fit_size(source, DESIGN_W - 80, 6.0 if not note else 5.6, minimum=4.5)
        self.text(12, 12.8 if note else 11.0, source, size=fs, va="center", color="#444444")
        if note:
            self.text(12, 9.9, note, size=self.fit_size(note, DESIGN_W - 80, 5.6, 4.5),
                      va="center", color="#444444")
        self.text(DESIGN_W - 12, 11.0, page_label, size=8, weight="bold", va="center",
                  ha="right")

    def heading(self, x: float, y: float, text: str, size: float = 7.5) -> float:
        """A panel heading; returns the y below it."""
        self.text(x, y, text, size=size, weight="bold", va="top")
        return y - size * MM_PER_PT - 1.8

    def lines_of_text(self, x: float, y: float, lines: Sequence[str], size: float = 7.0,
                      width: float | None = None, **kw) -> float:
        """Several lines of text from ``y`` down; returns the y below them."""
        step = size * MM_PER_PT * 1.45
        for line in lines:
            fs = self.fit_size(line, width, size) if width else size
            self.text(x, y, line, size=fs, va="top", **kw)
            y -= step
        return y - 1.0

    # -- legend --------------------------------------------------------------------------
    def legend(self, x: float, y: float, entries: Sequence[tuple], *, width: float = 95,
               size: float = 6.8, columns: int = 1) -> float:
        """Draw legend ``entries`` from (x, y) down; returns the y below the legend.

        An entry is ``("heading", text)``, ``("patch", text, props)``, ``("line", text,
        props)``, ``("marker", text, props)`` or ``("note", text)``. With several
        columns a heading stays with its entries.
        """
        row = max(3.6, size * MM_PER_PT * 1.75)
        col_w = width / columns
        blocks: list[list[tuple]] = []
        for e in entries:
            if e[0] == "heading" or not blocks:
                blocks.append([e])
            else:
                blocks[-1].append(e)
        # fill columns in order, moving on when a column holds its share of rows
        share = math.ceil(len(entries) / columns)
        cols: list[list[tuple]] = [[]]
        for blk in blocks:
            if cols[-1] and len(cols) < columns and len(cols[-1]) + len(blk) / 2 > share:
                cols.append([])
            cols[-1].extend(blk)
        y_min = y
        for ci, col in enumerate(cols):
            cx, cy = x + ci * col_w, y
            for entry in col:
                self._legend_entry(cx, cy, row, col_w, size, entry)
                cy -= row
            y_min = min(y_min, cy)
        return y_min - 1.5

    def _legend_entry(self, cx: float, cy: float, row: float, col_w: float, size: float,
                      entry: tuple) -> None:
        kind = entry[0]
        if kind == "heading":
            self.text(cx, cy - row / 2, entry[1], size=size, weight="bold", va="center")
            return
        if kind == "note":
            fs = self.fit_size(entry[1], col_w - 1, size * 0.92)
            self.text(cx, cy - row / 2, entry[1], size=fs, va="center", style="italic",
                      color="#444444")
            return
        text, props = entry[1], dict(entry[2])
        sx, sy, sw, sh = cx + 0.5, cy - row / 2, 6.0, row * 0.62
        if kind == "patch":
            self.ov.add_artist(Rectangle(
                (sx, sy - sh / 2), sw, sh, facecolor=props.get("fc", "none"),
                edgecolor=props.get("ec", FRAME), hatch=props.get("hatch"),
                linewidth=self.pt(props.get("lw", 0.5))))
        elif kind == "line":
            if props.get("casing"):
                self.ov.add_line(Line2D([sx, sx + sw], [sy, sy], color=props["casing"],
                                        linewidth=self.pt(props.get("casing_lw", 3.0)),
                                        alpha=props.get("casing_alpha"),
                                        solid_capstyle="butt"))
            self.ov.add_line(Line2D([sx, sx + sw], [sy, sy], color=props.get("color", INK),
                                    linewidth=self.pt(props.get("lw", 1.0)),
                                    linestyle=props.get("ls", "-"), solid_capstyle="butt"))
        elif kind == "marker":
            self.ov.add_line(Line2D(
                [sx + sw / 2], [sy], marker=props.get("marker", "o"), linestyle="none",
                markersize=self.pt(props.get("ms", 5)), markerfacecolor=props.get("mfc", INK),
                markeredgecolor=props.get("mec", INK),
                markeredgewidth=self.pt(props.get("mew", 0.5))))
        fs = self.fit_size(text, col_w - sw - 3.0, size)
        self.text(sx + sw + 2.0, sy, text, size=fs, va="center")

    # -- tables --------------------------------------------------------------------------
    def table(self, x: float, y: float, columns: Sequence[tuple[str, float, str]],
              rows: Sequence[Sequence[str]], *, size: float = 6.3, row_h: float = 3.5,
              fills: Sequence[Sequence[str | None]] | None = None,
              bold_rows: Sequence[int] = ()) -> float:
        """A ruled table from (x, y) down; ``columns`` are (header, width mm, align).

        Returns the y below the table.
        """
        widths = [c[1] for c in columns]
        total_w = sum(widths)
        head_h = row_h * 1.15
        self.box(x, y - head_h, total_w, head_h, fc="#e8e8e8", ec="none", lw=0)
        cx = x
        for (head, w, align) in columns:
            fs = self.fit_size(head, w - 1.2, size, weight="bold")
            tx = cx + 0.6 if align == "left" else (cx + w - 0.6 if align == "right"
                                                    else cx + w / 2)
            self.text(tx, y - head_h / 2, head, size=fs, weight="bold", ha=align, va="center")
            cx += w
        yy = y - head_h
        for i, row in enumerate(rows):
            cx = x
            weight = "bold" if i in bold_rows else "normal"
            for j, (cell, (_, w, align)) in enumerate(zip(row, columns, strict=True)):
                fill = fills[i][j] if fills is not None else None
                if fill:
                    self.box(cx + 0.15, yy - row_h + 0.15, w - 0.3, row_h - 0.3, fc=fill,
                             ec="none", lw=0)
                fs = self.fit_size(cell, w - 1.2, size, weight=weight)
                tx = cx + 0.6 if align == "left" else (cx + w - 0.6 if align == "right"
                                                        else cx + w / 2)
                self.text(tx, yy - row_h / 2, cell, size=fs, ha=align, va="center",
                          weight=weight)
                cx += w
            yy -= row_h
            self.line([x, x + total_w], [yy, yy], lw=0.2, color="#b0b0b0")
        self.line([x, x + total_w], [y, y], lw=0.6)
        self.line([x, x + total_w], [y - head_h, y - head_h], lw=0.4)
        self.line([x, x + total_w], [yy, yy], lw=0.6)
        return yy - 2.0

    def scale_bar(self, bx: float, by: float, scale: int, max_mm: float, lang: str, *,
                  scale_text: str = "", background: bool = True) -> float:
        """A segmented km scale bar at design (bx, by) no longer than ``max_mm``.

        Returns its length in design mm.
        """
        max_km = max_mm * self.s / 1e6 * scale
        length_km, nseg = _nice_length_km(max_km)
        bar_mm = length_km * 1e6 / scale / self.s
        if background:
            self.box(bx - 2.5, by - 5.0, bar_mm + 9.0, 11.0, fc="white", ec="#999999", lw=0.3,
                     alpha=0.85)
        seg = bar_mm / nseg
        for i in range(nseg):
            self.box(bx + i * seg, by, seg, 1.3, fc=INK if i % 2 == 0 else "white", ec=INK,
                     lw=0.3)
        ticks = [0, nseg] if nseg % 2 else [0, nseg // 2, nseg]
        for i in ticks:
            v = length_km * i / nseg
            txt = fmt_number(v, lang, 0 if float(v).is_integer() else 1)
            if i == nseg:
                txt += " km"
            self.text(bx + i * seg, by + 2.0, txt, size=5.5, ha="center", va="bottom")
        if scale_text:
            self.text(bx + bar_mm / 2, by - 1.2, scale_text, size=5.8, ha="center", va="top")
        return bar_mm

    def north_arrow(self, cx: float, cy: float, label: str, *, angle: float = 0.0,
                    size: float = 9.0) -> None:
        """A north arrow centred on design (cx, cy), turned clockwise by ``angle`` radians."""
        ca, sa = math.cos(angle), math.sin(angle)

        def rot(px, py):
            return (cx + px * ca + py * sa, cy - px * sa + py * ca)

        half = size / 2
        left = [rot(0, half), rot(-size * 0.28, -half), rot(0, -half * 0.45)]
        right = [rot(0, half), rot(size * 0.28, -half), rot(0, -half * 0.45)]
        self.ov.add_artist(Circle((cx, cy + 0.8), size * 0.68, facecolor="white",
                                 edgecolor="#999999", linewidth=self.pt(0.3), alpha=0.85))
        self.ov.add_artist(Polygon(left, closed=True, facecolor="white", edgecolor=INK,
                                  linewidth=self.pt(0.5)))
        self.ov.add_artist(Polygon(right, closed=True, facecolor=INK, edgecolor=INK,
                                  linewidth=self.pt(0.5)))
        tx, ty = rot(0, half + 0.6)
        self.text(tx, ty, label, size=7, weight="bold", ha="center", va="bottom")

    # -- maps ----------------------------------------------------------------------------
    def map_frame(self, x: float, y: float, w: float, h: float,
                  bounds: Sequence[float], *, margin: float = 0.04,
                  scale: int | None = None, border: bool = True) -> MapFrame:
        """A map axes in design mm showing ``bounds`` at a round scale, centred."""
        ax = self.fig.add_axes(self.rect(x, y, w, h), zorder=1)
        ax.set_axis_off()
        phys_w, phys_h = w * self.s / 1000.0, h * self.s / 1000.0  # metres of paper
        bx0, by0, bx1, by1 = bounds
        bw, bh = max(bx1 - bx0, 1.0), max(by1 - by0, 1.0)
        if scale is None:
            scale = nice_scale(max(bw / phys_w, bh / phys_h) * (1.0 + 2 * margin))
        cx, cy = (bx0 + bx1) / 2.0, (by0 + by1) / 2.0
        ew, eh = phys_w * scale, phys_h * scale
        ax.set_xlim(cx - ew / 2, cx + ew / 2)
        ax.set_ylim(cy - eh / 2, cy + eh / 2)
        ax.set_aspect("equal", adjustable="box")
        if border:
            self.box(x, y, w, h, lw=0.6)
        return MapFrame(self, ax, (x, y, w, h), scale)


@dataclass
class MapFrame:
    """A map axes on a page, at the round scale ``1:scale``."""

    page: Page
    ax: object
    rect: tuple[float, float, float, float]
    scale: int

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) in map units."""
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        return (x0, x1, y0, y1)

    def mm(self, design_mm: float) -> float:
        """Map units (metres) of ``design_mm`` on the page."""
        return design_mm * self.page.s / 1000.0 * self.scale

    def _in_view(self, geoms) -> np.ndarray:
        """``geoms`` cut to the map's extent and a margin, without detail finer than print.

        The axes hide what lies outside the map, but matplotlib still writes every
        vertex into the PDF and walks it when drawing: a commune page of a
        100-commune province carried every commune's outline. The margin (3 mm of
        paper) keeps the cut edges, and the line ends there, out of sight. Vertices
        closer than 0,02 mm of paper to the line through their neighbours are dropped
        (a 300-dpi pixel is 0,085 mm): a locator of 100 communes drew 38.000 of
        them into 6 cm. Dashed lines are left whole: their dashes count from the
        first vertex along the line's length.
        """
        arr = np.asarray([g for g in geoms if g is not None], dtype=object)
        if len(arr) == 0:
            return arr
        # the same layer in the same frame (a commune page's locator: the province's
        # communes, on every page) is cut and simplified once per run
        key = (tuple(map(id, arr)), tuple(self.extent), self.mm(1.0))
        hit = _VIEWS.get(key)
        if hit is not None:
            _VIEWS.move_to_end(key)
            return hit[1]
        x0, x1, y0, y1 = self.extent
        pad = self.mm(_VIEW_MARGIN_MM)
        rect = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        b = shapely.bounds(arr)
        inside = ((b[:, 0] >= rect[0]) & (b[:, 1] >= rect[1]) & (b[:, 2] <= rect[2])
                  & (b[:, 3] <= rect[3]))
        out = arr.copy()
        if not inside.all():
            out[~inside] = shapely.clip_by_rect(arr[~inside], *rect)
        out = shapely.simplify(out, self.mm(_DETAIL_MM), preserve_topology=True)
        _VIEWS[key] = (arr, out)  # arr keeps the geometries, so their ids, alive
        while len(_VIEWS) > _MAX_VIEWS:
            _VIEWS.popitem(last=False)
        return out

    def _detail(self, geoms, ls) -> np.ndarray:
        """:meth:`_in_view` for a solid line or fill; a dashed one only loses its fine detail.

        A dashed line is not cut (its dashes would restart at the cut), but detail
        finer than print is dropped from it as from the others: the outline of a
        1.000-commune area kept 22.000 vertices, 0,45 MB of every page.
        """
        if _solid(ls):
            return self._in_view(geoms)
        arr = np.asarray([g for g in geoms if g is not None], dtype=object)
        return shapely.simplify(arr, self.mm(_DETAIL_MM), preserve_topology=True)

    # -- layers --------------------------------------------------------------------------
    def polygons(self, geoms, *, fc="none", ec=FRAME, lw: float = 0.4, hatch=None,
                 zorder: float = 1, alpha: float | None = None, ls="-") -> None:
        """Draw (multi)polygons as one compound patch."""
        geoms = self._detail(geoms, ls)
        if (fc != "none" and ec == "none" and hatch is None and len(geoms) > _DISSOLVE_ABOVE):
            # a plain fill of many units: one area, without the edges inside it, unless
            # the units (simplified one by one) leave so many slivers that it is longer
            union = shapely.union_all(geoms)
            if shapely.get_num_coordinates(union) < shapely.get_num_coordinates(geoms).sum():
                geoms = [union]
        path = geoms_to_path(geoms)
        if path is None:
            return
        self.ax.add_artist(PathPatch(path, facecolor=fc, edgecolor=ec, hatch=hatch,
                                    linewidth=self.page.pt(lw), zorder=zorder, alpha=alpha,
                                    linestyle=ls, joinstyle="round"))

    def edges(self, lines, *, ec=FRAME, lw: float = 0.4, zorder: float = 3) -> None:
        """Draw boundary lines (each shared edge once, see ``unique_edges``) as one path.

        The same look as the outlines of the polygons, in half the vertices.
        """
        segs = line_segments(self._detail(lines, "-"))
        if not segs:
            return
        xy = np.concatenate(segs)
        codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
        codes[np.cumsum([0] + [len(s) for s in segs[:-1]])] = MplPath.MOVETO
        self.ax.add_artist(PathPatch(MplPath(xy, codes), facecolor="none", edgecolor=ec,
                                    linewidth=self.page.pt(lw), zorder=zorder,
                                    joinstyle="round", capstyle="round"))

    def fill_by(self, geoms, colors: Sequence[str], **kw) -> None:
        """Fill each polygon with its colour (grouped by colour, deterministic order)."""
        geoms = list(geoms)
        for color in dict.fromkeys(colors):
            sel = [g for g, c in zip(geoms, colors, strict=True) if c == color]
            self.polygons(sel, fc=color, **kw)

    def lines(self, geoms, *, color=INK, lw: float = 0.8, ls="-", zorder: float = 4,
              alpha: float | None = None) -> None:
        """Draw line geometries."""
        segs = line_segments(self._detail(geoms, ls))
        if segs:
            self.ax.add_artist(LineCollection(
                segs, colors=color, linewidths=self.page.pt(lw), linestyles=ls,
                zorder=zorder, alpha=alpha, capstyle="round", joinstyle="round"))

    def points(self, geoms, *, marker="o", ms: float = 4.0, mfc=INK, mec=INK,
               mew: float = 0.5, zorder: float = 5) -> None:
        """Draw point geometries."""
        xy = shapely.get_coordinates(np.asarray([g for g in geoms if g is not None],
                                                dtype=object))
        if len(xy):
            self.ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker=marker,
                         markersize=self.page.pt(ms), markerfacecolor=mfc,
                         markeredgecolor=mec, markeredgewidth=self.page.pt(mew),
                         zorder=zorder)

    def hillshade(self, hs: Hillshade | None, zorder: float = 2) -> None:
        """Draw the shaded relief cropped to this map (about 0.3 mm cells on paper)."""
        if hs is None:
            return
        x0, x1, y0, y1 = self.extent
        img, ext = hs.crop((x0, x1, y0, y1), max_cell=self.mm(0.3))
        if img.size:
            im = self.ax.imshow(img, extent=ext, origin="upper", interpolation="none",
                                zorder=zorder)
            self.page.images.append(cache_resampling(im))  # same crop, same frame: once
        # imshow resets the limits: put back the round-scale extent
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)

    def veil(self, keep: shapely.Geometry, alpha: float = 0.6, zorder: float = 3.5) -> None:
        """Whiten everything outside ``keep`` (focus on one unit)."""
        x0, x1, y0, y1 = self.extent
        outside = shapely.box(x0, y0, x1, y1).difference(keep)
        self.polygons([outside], fc="white", ec="none", lw=0, alpha=alpha, zorder=zorder)

    # -- furniture -----------------------------------------------------------------------
    def scale_bar(self, lang: str, *, scale_text: str = "") -> None:
        """A segmented scale bar in km at the lower left, the fraction under it."""
        x, y, w, _ = self.rect
        self.page.scale_bar(x + 5.0, y + 7.5, self.scale, w * 0.28, lang, scale_text=scale_text)

    def north_arrow(self, label: str, *, crs: str, size: float = 9.0) -> None:
        """A north arrow pointing to true north at the map centre, at the top right."""
        x, y, w, h = self.rect
        angle = _true_north_angle(crs, *self._centre())
        self.page.north_arrow(x + w - 8.0, y + h - 13.0, label, angle=angle, size=size)

    def _centre(self) -> tuple[float, float]:
        x0, x1, y0, y1 = self.extent
        return ((x0 + x1) / 2, (y0 + y1) / 2)


def _solid(ls) -> bool:
    """Whether a matplotlib line style draws a solid line."""
    return ls in ("-", "solid")


def _true_north_angle(crs: str, x: float, y: float) -> float:
    """Clockwise angle (radians) from grid north to true north at (x, y)."""
    try:
        to_geo, to_map = _transformers(crs)
        lon, lat = to_geo.transform(x, y)
        x2, y2 = to_map.transform(lon, lat + 0.05)
        return math.atan2(x2 - x, y2 - y)
    except Exception:  # noqa: BLE001 - a grid-north arrow is a safe fallback
        return 0.0


@functools.lru_cache(maxsize=8)
def _transformers(crs: str):
    """Map CRS -> WGS 84 and back (made once: about 30 ms each, every map has an arrow)."""
    from pyproj import Transformer

    return (Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", crs, always_xy=True))


def circles(frame: MapFrame, xy: np.ndarray, radii_mm: np.ndarray, *, fc, ec, lw=0.5,
            alpha=0.8, zorder: float = 5) -> None:
    """Proportional circles with radii in design mm, largest first."""
    order = np.argsort(-radii_mm, kind="stable")
    patches = [Circle((xy[i, 0], xy[i, 1]), frame.mm(radii_mm[i])) for i in order]
    frame.ax.add_artist(PatchCollection(patches, facecolor=fc, edgecolor=ec,
                                            linewidths=frame.page.pt(lw), alpha=alpha,
                                            zorder=zorder))
