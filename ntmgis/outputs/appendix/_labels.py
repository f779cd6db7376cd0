"""Collision-free labels on an appendix map: :class:`LabelPlacer`, and their halos.

A label's white halo (:class:`HaloText`) is its own text stroked and filled in
white under it. Drawn as matplotlib draws a stroke path effect, each halo is the
outline of every glyph written out as a path: 1.000 communes' labels weighed 0,2
MB of the overview and 0,43 MB of the progress page. In a PDF the halo is the
same glyphs shown with text rendering mode 2 (fill, then stroke: what the path
effect paints), a few bytes a label; the raster pages keep the path effect.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_pdf import RendererPdf, Verbatim
from matplotlib.text import Text
from matplotlib.transforms import Bbox, ScaledTranslation

from ntmgis.outputs.appendix._carto import INK, MapFrame, add_text

__all__ = ["LabelPlacer", "HaloText"]

# Around a halo in a PDF: an empty replacement text (so that copying or searching the
# page finds each label once, not its halo too), and rendering mode 2 (fill, stroke).
_HALO_BEGIN = Verbatim(b"/Span <</ActualText ()>> BDC\n2 Tr")
_HALO_END = Verbatim(b"0 Tr\nEMC")


def _pdf_renderer(renderer) -> RendererPdf | None:
    """The PDF renderer behind ``renderer``, or None when it draws something else."""
    if isinstance(renderer, MixedModeRenderer):
        renderer = renderer._renderer
    return renderer if isinstance(renderer, RendererPdf) else None


class HaloText(Text):
    """A label's white halo: its text, stroked ``halo`` points wide (a stroke path effect).

    In a PDF the text is shown once with text rendering mode 2 (filled and stroked
    with the halo's colour and width, round joins: what the path effect paints)
    instead of the outline of every glyph written as a path.
    """

    def __init__(self, *args, halo: float, **kwargs) -> None:
        super().__init__(*args, path_effects=[patheffects.Stroke(
            linewidth=halo, foreground=kwargs.get("color", "white"))], **kwargs)
        self._halo = halo
        self._as_text = False

    def get_path_effects(self):
        """The stroke path effect; none while drawn as stroked PDF text."""
        return [] if self._as_text else super().get_path_effects()

    def draw(self, renderer) -> None:
        """Draw the halo: stroked text in a PDF, the stroke path effect elsewhere."""
        pdf = _pdf_renderer(renderer)
        if pdf is None:
            return super().draw(renderer)
        halo = self._halo

        def stroked(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            gc.set_linewidth(halo)
            pdf.check_gc(gc, gc._rgb)  # colour, width and join set before the mode
            pdf.file.output(_HALO_BEGIN)
            type(pdf).draw_text(pdf, gc, x, y, s, prop, angle, ismath, mtext)
            pdf.file.output(_HALO_END)

        self._as_text = True
        pdf.draw_text = stroked  # this text's drawing only
        try:
            super().draw(renderer)
        finally:
            del pdf.draw_text
            self._as_text = False
        return None

# The box of a centred label around its anchor, in pixels, by text, font and dpi: the
# same names are placed on every page of an atlas. Bounded.
_CENTRED: dict[tuple, np.ndarray] = {}
_MAX_CENTRED = 20_000


class LabelPlacer:
    """Greedy label placement.

    Each label takes the first candidate position that collides with nothing
    placed before it and stays inside the map.
    """

    POINT_CANDIDATES = ((4, 0, "left", "center"), (3, 3, "left", "bottom"),
                        (3, -3, "left", "top"), (-4, 0, "right", "center"),
                        (0, 4, "center", "bottom"), (0, -4, "center", "top"),
                        (-3, 3, "right", "bottom"), (-3, -3, "right", "top"))
    AREA_CANDIDATES = ((0, 0), (0, 7), (0, -7), (9, 0), (-9, 0), (7, 7), (-7, -7), (7, -7),
                       (-7, 7), (0, 14), (0, -14), (14, 0), (-14, 0))

    def __init__(self, frame: MapFrame) -> None:
        self.frame = frame
        self.page = frame.page
        self.ax = frame.ax
        self._boxes = np.empty((64, 4))  # x0, y0, x1, y1 of everything placed (pixels)
        self._n = 0
        self.ax_box = self.ax.get_window_extent(self.page.renderer)

    def _fits(self, bb: Bbox) -> bool:
        a = self.ax_box
        if bb.x0 < a.x0 + 2 or bb.x1 > a.x1 - 2 or bb.y0 < a.y0 + 2 or bb.y1 > a.y1 - 2:
            return False
        b = self._boxes[:self._n]
        hit = (b[:, 0] < bb.x1) & (b[:, 2] > bb.x0) & (b[:, 1] < bb.y1) & (b[:, 3] > bb.y0)
        return not hit.any()

    def _fit_many(self, boxes: np.ndarray) -> np.ndarray:
        """:meth:`_fits` of each box (rows of x0, y0, x1, y1), at once."""
        a = self.ax_box
        ok = ((boxes[:, 0] >= a.x0 + 2) & (boxes[:, 2] <= a.x1 - 2) & (boxes[:, 1] >= a.y0 + 2)
              & (boxes[:, 3] <= a.y1 - 2))
        b = self._boxes[:self._n]
        if len(b) and ok.any():
            hit = ((b[None, :, 0] < boxes[:, None, 2]) & (b[None, :, 2] > boxes[:, None, 0])
                   & (b[None, :, 1] < boxes[:, None, 3]) & (b[None, :, 3] > boxes[:, None, 1]))
            ok &= ~hit.any(axis=1)
        return ok

    def _push(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self._n == len(self._boxes):
            self._boxes = np.concatenate([self._boxes, np.empty_like(self._boxes)])
        self._boxes[self._n] = (x0, y0, x1, y1)
        self._n += 1

    @property
    def boxes(self) -> list[Bbox]:
        """Everything placed so far, as display-space boxes."""
        return [Bbox([[a, b], [c, d]]) for a, b, c, d in self._boxes[:self._n]]

    def obstacle_points(self, xy: np.ndarray, radius_pt: float = 2.5) -> None:
        """Keep labels off these points (markers)."""
        if len(xy) == 0:
            return
        d = self.ax.transData.transform(np.asarray(xy, dtype=float))
        r = self.page.pt(radius_pt) * self.page.fig.dpi / 72.0
        for px, py in d:
            self._push(px - r, py - r, px + r, py + r)

    def obstacle_circles(self, xy: np.ndarray, radii_mm: np.ndarray) -> None:
        """Keep labels off circles centred at ``xy`` (map units), radii in design mm."""
        if len(xy) == 0:
            return
        d = self.ax.transData.transform(np.asarray(xy, dtype=float))
        px = np.asarray(radii_mm, dtype=float) * self.page.s / 25.4 * self.page.fig.dpi
        for (cx, cy), r in zip(d, px, strict=True):
            self._push(cx - r, cy - r, cx + r, cy + r)

    def obstacle_rect_mm(self, x: float, y: float, w: float, h: float) -> None:
        """Keep labels off a design-mm rectangle of the page (scale bar, north arrow)."""
        t = self.page.ov.transData
        (x0, y0), (x1, y1) = t.transform([(x, y), (x + w, y + h)])
        self._push(x0, y0, x1, y1)

    def _kw(self, dx, dy, ha, va, props) -> dict:
        trans = self.ax.transData + ScaledTranslation(
            self.page.pt(dx) / 72.0, self.page.pt(dy) / 72.0, self.page.fig.dpi_scale_trans)
        return dict(ha=ha, va=va, transform=trans, zorder=8, clip_on=False,
                    multialignment="center", **props)

    def _make(self, x, y, text, dx, dy, ha, va, props, halo):
        kw = self._kw(dx, dy, ha, va, props)
        t = Text(x, y, text, **kw)
        t.set_figure(self.page.fig)
        bb = t.get_window_extent(self.page.renderer).expanded(1.04, 1.08)
        return t, bb, kw

    def place(self, x: float, y: float, text: str, *, size: float = 6.5, area: bool = False,
              force: bool = False, weight: str = "normal", style: str = "normal",
              color: str = INK, halo: float = 1.6, offset: float = 1.0) -> bool:
        """Place ``text`` near (x, y) (around it for an area's label); True if placed.

        ``offset`` scales the distance of point labels from their anchor (for
        large symbols).
        """
        props = dict(fontsize=self.page.pt(size), fontweight=weight, fontstyle=style,
                     color=color)
        # point labels: eight positions around the symbol, then the same a little further
        cands = ([(dx, dy, "center", "center") for dx, dy in self.AREA_CANDIDATES]
                 if area else [(dx * offset * k, dy * offset * k, ha, va) for k in (1.0, 2.4)
                               for dx, dy, ha, va in self.POINT_CANDIDATES])
        first = None
        for dx, dy, ha, va in cands:
            t, bb, kw = self._make(x, y, text, dx, dy, ha, va, props, halo)
            if first is None:
                first = (bb, kw)
            if self._fits(bb):
                self._add(x, y, text, bb, kw, halo)
                return True
        if force and first is not None:
            self._add(x, y, text, first[0], first[1], halo)
            return True
        return False

    def place_inside(self, anchors: np.ndarray, text: str, *, size: float = 6.5,
                     force: bool = True, weight: str = "normal", style: str = "normal",
                     color: str = INK, halo: float = 1.6) -> bool:
        """Centre ``text`` on the first of ``anchors`` where it collides with nothing."""
        props = dict(fontsize=self.page.pt(size), fontweight=weight, fontstyle=style,
                     color=color)
        xy = np.asarray(anchors, dtype=float).reshape(-1, 2)
        if len(xy) == 0:
            return False
        # The text is measured once per run: centred on an anchor, its box only moves
        # with the anchor (a crowded province tried ~30 anchors a label, on every page).
        d = self.ax.transData.transform(xy)
        key = (text, tuple(sorted(props.items())), self.page.fig.dpi)
        rel = _CENTRED.get(key)
        if rel is None:
            _, bb, _ = self._make(xy[0, 0], xy[0, 1], text, 0, 0, "center", "center", props,
                                  halo)
            rel = _CENTRED[key] = np.array([bb.x0, bb.y0, bb.x1, bb.y1]) - np.tile(d[0], 2)
            if len(_CENTRED) > _MAX_CENTRED:
                _CENTRED.clear()
        kw = self._kw(0, 0, "center", "center", props)
        boxes = np.tile(d, 2) + rel
        free = np.flatnonzero(self._fit_many(boxes))
        i = int(free[0]) if len(free) else (0 if force else -1)
        if i < 0:
            return False
        self._add(xy[i, 0], xy[i, 1], text, Bbox(boxes[i].reshape(2, 2)), kw, halo)
        return True

    def _add(self, x, y, text, bb, kw, halo):
        self._push(bb.x0, bb.y0, bb.x1, bb.y1)
        if halo:
            self.ax._add_text(HaloText(x, y, text, halo=self.page.pt(halo),
                                       **dict(kw, color="white")))
        add_text(self.ax, x, y, text, **kw)
