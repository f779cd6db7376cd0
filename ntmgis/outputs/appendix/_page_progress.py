"""The progress page: communes by class for each year up to the appendix's year."""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.backends.backend_pdf import Op
from matplotlib.patches import PathPatch
from matplotlib.transforms import Affine2D, IdentityTransform

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_number
from ntmgis.outputs.appendix._carto import (
    _DETAIL_MM,
    MM_PER_PT,
    Page,
    _true_north_angle,
    nice_scale,
)
from ntmgis.outputs.appendix._data import AppendixData
from ntmgis.outputs.appendix._labels import LabelPlacer, _pdf_renderer
from ntmgis.outputs.appendix._page_common import (
    MAX_FORCED_LABELS,
    Context,
    _rep_points,
    class_areas,
    map_layers,
    short_name,
)
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_progress", "MapPlacedPatch"]

# The small maps' labels: size (design points) and white halo (points).
_LABEL_SIZE, _LABEL_HALO = 4.4, 1.2


def page_progress(ctx: Context, n: int) -> Page:
    """Small multiples: communes by class for every year up to the appendix's year."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    years = _progress_years(d)
    period = _period(years)
    page = ctx.new_page(n, tr("title_progress", lang, period=period),
                        tr("subtitle_range", lang, district=ws.name, province=ws.province,
                           period=period))
    cols, rows_n = 3, 2
    cw, ch = (285.0 - 12.0) / cols, (183.0 - 17.0) / rows_n
    b = shapely.bounds(d.district)
    mw, mh = cw - 4.0, ch - 8.0
    phys = max((b[2] - b[0]) / (mw * page.s / 1000), (b[3] - b[1]) / (mh * page.s / 1000))
    scale = nice_scale(phys * 1.02)
    com = d.communes
    inprog = com["in_programme"].to_numpy(bool)
    summary = []
    shared: dict = {}  # the first small map's coordinates (see MapPlacedPatch)
    named = _nameable(page, com, scale) if len(com) > MAX_FORCED_LABELS else None
    layers = map_layers(ctx, _DETAIL_MM * page.s / 1000.0 * scale)
    for i, year in enumerate(years):
        col, row = i % cols, i // cols
        x = 12.0 + col * cw + 2.0
        ytop = 182.0 - row * ch
        fr = page.map_frame(x, ytop - ch + 1.5, mw, mh, b, scale=scale)
        st_y = d.status_all[d.status_all["year"] == year]
        cls = dict(zip(st_y["code"], st_y["band"], strict=True))
        fills = class_areas(layers, [st.fill(d.band_colors.get(cls.get(c), st.MET_COLORS[""]))
                                     for c in com["code"][inprog]])
        # in the maps' own coordinates, like the outlines: the whole area is drawn once
        MapPlacedPatch.drawn_by(fr, shared, lambda fr=fr, fills=fills: fr.fill_by(
            *fills, ec="none", lw=0, zorder=1))
        if (~inprog).any():
            o = st.OUT_OF_PROGRAMME
            fr.polygons(com.geometry[~inprog], fc=o["fc"], ec=o["ec"], hatch=o["hatch"],
                        lw=0.3, zorder=1)
        if ctx.hillshade is not None:
            fr.hillshade(ctx.hillshade)
        # the same outlines on every map: written once into the PDF (MapPlacedPatch)
        MapPlacedPatch.drawn_by(fr, shared, lambda fr=fr: fr.edges(
            layers.edges, ec=st.BOUNDARY_COMMUNE["ec"], lw=0.35, zorder=3))
        MapPlacedPatch.drawn_by(fr, shared, lambda fr=fr: fr.polygons(
            [d.district], ec=st.BOUNDARY_DISTRICT["ec"], lw=1.0, zorder=3.2))
        ntm_codes = set(st_y.loc[st_y["ntm"], "code"])
        if ntm_codes:
            xy = _rep_points(com[com["code"].isin(ntm_codes)].geometry)
            fr.ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="*",
                       markersize=page.pt(7), markerfacecolor="#ffd700",
                       markeredgecolor="#5a4a00", markeredgewidth=page.pt(0.5), zorder=7)
        _small_labels(fr, com, inprog, _rep_points(com[com["code"].isin(ntm_codes)].geometry)
                      if ntm_codes else None, only=named)
        n_ntm = len(ntm_codes)
        avg = float(st_y["criteria_met"].mean()) if len(st_y) else float("nan")
        below = int((st_y["criteria_met"] < (ws.plan.min_criteria or d.cset.bands[-1])).sum())
        vs = d.village_status
        v_ntm = int(vs.loc[vs["year"] == year, "ntm"].sum()) if len(vs) else None
        summary.append((str(year), n_ntm, len(st_y), avg, below, v_ntm))
        page.text(x, ytop - 1.5, str(year), size=10, weight="bold", va="top")
        page.text(x + 14, ytop - 2.1, tr("prog_year", lang, ntm=n_ntm,
                                          avg=fmt_number(avg, lang, 2)), size=6.8, va="top")
    # sixth cell: legend, table, scale bar, north arrow
    x = 12.0 + 2 * cw + 2.0
    y = 183.0 - ch - 2.0
    y = page.heading(x, y, tr("legend", lang))
    entries: list[tuple] = []
    for k, color in d.band_colors.items():
        entries.append(("patch", d.band_label(k, lang), dict(fc=st.fill(color),
                                                              ec="#4d4d4d")))
    entries.append(("marker", tr("ntm_marker", lang),
                    dict(marker="*", ms=7, mfc="#ffd700", mec="#5a4a00", mew=0.5)))
    if (~inprog).any():
        entries.append(("patch", tr("not_in_programme", lang), dict(st.OUT_OF_PROGRAMME)))
    y_leg = page.legend(x, y, entries, width=cw * 0.7, size=6.2)
    page.north_arrow(x + cw - 10.0, y - 9.0, tr("north", lang),
                     angle=_true_north_angle(ws.crs, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2),
                     size=8.0)
    min_c = ws.plan.min_criteria or d.cset.bands[-1]
    v_total = int(d.villages["commune_code"].isin(set(d.status["code"])).sum())
    rows = [[yr, f"{a}/{t}", fmt_number(avg, lang, 2), str(bl),
             "–" if v is None else f"{v}/{v_total}"] for yr, a, t, avg, bl, v in summary]
    plan_row = _plan_row(ctx, len(d.status), v_total)
    if plan_row:
        rows.append(plan_row)
    y = page.table(x, y_leg - 1.0, [(tr("col_year", lang), 13, "left"),
                                     (tr("col_ntm", lang), 14, "right"),
                                     (tr("col_avg", lang), 18, "right"),
                                     (tr("col_below", lang, n=min_c), 19, "right"),
                                     (tr("col_ntm_villages", lang), 22, "right")],
                   rows, size=6.2, row_h=3.6, bold_rows=[len(rows) - 1] if plan_row else [])
    if plan_row:
        y = page.lines_of_text(x, y + 0.8, [tr("plan_row_note", lang, year=ws.plan_year)],
                               size=5.6, style="italic", color="#444444")
    page.scale_bar(x + 2.0, y - 6.0, scale, cw * 0.45, lang,
                   scale_text=tr("same_scale", lang, d=fmt_number(scale, lang)),
                   background=False)
    return page


def _progress_years(d: AppendixData) -> list[int]:
    """The years the progress page shows: up to the appendix's year, at most five."""
    return [y for y in d.years if y <= d.year][-5:]


def _period(years: list[int]) -> str:
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def _plan_row(ctx: Context, n: int, v_total: int) -> list[str] | None:
    """The plan's row ("KH 2025"): what the plan asks for by its year; None without a plan."""
    d, lang, plan = ctx.data, ctx.lang, ctx.ws.plan
    if ctx.ws.plan_year is None or (plan.ntm_communes is None and plan.ntm_villages is None
                                    and not plan.min_criteria and not d.targets):
        return None
    avg = (sum(d.targets.values()) / n) if (n and len(d.targets) == len(d.cset)) else None
    return [tr("plan_row", lang, year=ctx.ws.plan_year),
            f"{plan.ntm_communes}/{n}" if plan.ntm_communes is not None else "–",
            fmt_number(avg, lang, 2) if avg is not None else "–",
            "0" if plan.min_criteria else "–",
            (f"{plan.ntm_villages}/{plan.villages_total or v_total}"
             if plan.ntm_villages is not None else "–")]


def _small_labels(fr, com, inprog, stars=None, only: np.ndarray | None = None) -> int:
    """Commune names on a small map, off one another and the stars; returns how many.

    ``only``: the units that may be named (all when None), each then centred on its
    representative point.
    """
    placer = LabelPlacer(fr)
    if stars is not None:
        placer.obstacle_points(stars, radius_pt=3.2)
    xy = _rep_points(com.geometry)
    order = np.argsort(-com.geometry.area.to_numpy(), kind="stable")
    placed = 0
    for i in order:
        kw = dict(size=_LABEL_SIZE, weight="normal", style="normal" if inprog[i] else "italic",
                  color="#222222", halo=_LABEL_HALO)
        if only is None:
            placed += placer.place(xy[i, 0], xy[i, 1], short_name(com["name"].iloc[i]),
                                   area=True, **kw)
        elif only[i]:
            placed += placer.place_inside(xy[i:i + 1], short_name(com["name"].iloc[i]),
                                          force=False, **kw)
    return placed


def _nameable(page: Page, com, scale: int) -> np.ndarray:
    """Which units' names fit inside them on a small map at ``1:scale`` (halo included).

    With more units than :data:`MAX_FORCED_LABELS`, a small map names only these,
    centred: a thousand communes are 2-3 mm on a 9-cm map, and names pushed off
    their unit (around it, or beyond the area's edge) say nothing about the unit
    but cover the colours the map is for, and weigh most of the page.
    """
    geoms = com.geometry.to_numpy()
    unit = page.s / 1000.0 * scale  # map units per design mm
    pad = 2 * _LABEL_HALO * MM_PER_PT
    h = (_LABEL_SIZE * 1.2 * MM_PER_PT + pad) * unit
    names = [short_name(n) for n in com["name"]]
    inprog = com["in_programme"].to_numpy(bool)
    # measured only where the unit is at least as wide as any name of that many letters
    # (a quarter of an em each: narrower than DejaVu Sans's narrowest) and as tall
    b = shapely.bounds(geoms)
    least = (np.array([len(n) for n in names]) * 0.25 * _LABEL_SIZE * MM_PER_PT + pad) * unit
    out = np.zeros(len(geoms), dtype=bool)
    maybe = np.flatnonzero((b[:, 2] - b[:, 0] >= least) & (b[:, 3] - b[:, 1] >= h))
    if len(maybe) == 0:
        return out
    xy = _rep_points(geoms[maybe])
    w = np.array([(page.text_width_mm(names[i], _LABEL_SIZE, "normal",
                                      "normal" if inprog[i] else "italic") + pad) * unit
                  for i in maybe])
    boxes = shapely.box(xy[:, 0] - w / 2, xy[:, 1] - h / 2, xy[:, 0] + w / 2, xy[:, 1] + h / 2)
    out[maybe] = shapely.covers(geoms[maybe], boxes)
    return out


class MapPlacedPatch(PathPatch):
    """A path patch written into a PDF in its map's own coordinates, moved into place.

    The small maps of the progress page show the same communes at the same scale,
    each at its own place on the page: written in page coordinates, their
    outlines are five different paths. Written in the first map's coordinates
    (the map's lower left corner at 0, 0) and moved by a translation, they are
    the same operators on every map, which the PDF writer keeps once, as a form
    object. The raster drawing is the patch's own, and so is a PDF drawing at
    another scale than the first map's.
    """

    _shared: dict

    @classmethod
    def drawn_by(cls, frame, shared: dict, draw) -> None:
        """Call ``draw()``; the path patches it adds to ``frame`` become these.

        ``shared`` (one dict a page) keeps the first map's coordinates.
        """
        before = len(frame.ax.patches)
        draw()
        for patch in frame.ax.patches[before:]:
            if type(patch) is PathPatch:
                patch.__class__ = cls
                patch._shared = shared

    def draw(self, renderer) -> None:
        """Draw the patch: in a PDF, the path in map coordinates inside a translation."""
        pdf = _pdf_renderer(renderer)
        if pdf is None or self.get_hatch() is not None:
            return super().draw(renderer)
        shared, box = self._shared, self.axes.bbox
        origin = (box.x0, box.y0)

        def draw_path(gc, path, transform, rgb_face=None):
            m = transform.get_affine().get_matrix()
            # every map in the first map's coordinates: exactly the same numbers
            local = shared.setdefault("local", Affine2D(np.array(
                [[m[0, 0], m[0, 1], m[0, 2] - origin[0]], [m[1, 0], m[1, 1], m[1, 2] - origin[1]],
                 [0.0, 0.0, 1.0]])))
            lm = local.get_matrix()
            if not np.allclose(m[:2, :2], lm[:2, :2], rtol=1e-9, atol=0.0):  # another scale
                return type(pdf).draw_path(pdf, gc, path, transform, rgb_face)
            dx, dy = m[0, 2] - lm[0, 2], m[1, 2] - lm[1, 2]
            pdf.check_gc(gc, rgb_face)  # colour, width and the map's clip, on the page
            pdf.file.output(Op.gsave, 1, 0, 0, 1, dx, dy, Op.concat_matrix)
            # simplified as matplotlib would (lines only: filled paths are drawn whole)
            clean = path.cleaned(transform=local,
                                 simplify=path.should_simplify and rgb_face is None)
            pdf.file.writePath(clean, IdentityTransform(), False, gc.get_sketch_params())
            pdf.file.output(pdf.gc.paint())
            pdf.file.output(Op.grestore)
            return None

        pdf.draw_path = draw_path  # this patch's drawing only
        try:
            super().draw(renderer)
        finally:
            del pdf.draw_path
        return None
