"""What every page of the map appendix shares.

The :class:`Context` of a run, the layout of the design sheet, and the map
pieces several pages draw: base layers, furniture, locator, project symbols,
commune labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_number, label
from ntmgis.core.version import __version__
from ntmgis.outputs.appendix._carto import (
    _DETAIL_MM,
    _DISSOLVE_ABOVE,
    Hillshade,
    MapFrame,
    Page,
    unique_edges,
)
from ntmgis.outputs.appendix._data import AppendixData
from ntmgis.outputs.appendix._labels import LabelPlacer
from ntmgis.outputs.appendix._notes import area_kind, crs_note, report_line
from ntmgis.outputs.appendix._paths import line_segments
from ntmgis.outputs.appendix._text import fmt_date, tr

__all__ = ["Context", "short_name", "commune_edges", "communes_union", "MapLayers",
           "map_layers", "class_areas", "MAP", "PX", "PW", "PTOP", "MAX_TABLE_ROWS",
           "MAX_FORCED_LABELS"]

# Tables by commune are left out above this many communes (national-scale runs).
MAX_TABLE_ROWS = 30
# Labels of every unit are forced onto the map up to this many units.
MAX_FORCED_LABELS = 60
# Lines of more vertices than this are drawn as one path (see _lines): at two decimals,
# about the 16 KB of operators from which the PDF writer shares a path between pages.
_ONE_PATH_VERTICES = 1_000
# A hole in a map's whole area smaller than this square (mm of paper) is not drawn.
_SPECK_MM = 0.3

# Design layout (mm on an A4 landscape sheet)
MAP = (12.0, 18.0, 170.0, 164.0)
PX, PW, PTOP = 187.0, 98.0, 182.0


@dataclass
class Context:
    """What every page needs: the data, language, paper size, relief."""

    data: AppendixData
    lang: str
    size: str
    hillshade: Hillshade | None

    @property
    def ws(self):
        """The workspace."""
        return self.data.workspace

    def subtitle(self) -> str:
        """District, province, year; a province's workspace names itself once."""
        name, province = self.ws.name, self.ws.province
        if not province or province.strip().casefold() == (name or "").strip().casefold():
            return tr("subtitle_one", self.lang, area=name, year=self.data.year)
        return tr("subtitle", self.lang, district=name, province=province,
                  year=self.data.year)

    def source(self) -> str:
        """The data-source line."""
        src = self.data.source_text or tr(
            "source_default" if self.hillshade is not None else "source_default_flat",
            self.lang, area=self.ws.name, version=__version__)
        return tr("source", self.lang, source=src, date=fmt_date(self.ws.data_date, self.lang))

    def new_page(self, n: int, title: str, subtitle: str | None = None) -> Page:
        """A page with its frame drawn: the report it is attached to, source, CRS."""
        page = Page(self.size, self.lang)
        page.frame(title=title, subtitle=subtitle or self.subtitle(),
                   page_label=tr("page_no", self.lang, n=n), source=self.source(),
                   note=crs_note(self.ws.crs, self.lang), ref=report_line(self.ws, self.lang))
        return page

    def boundary_label(self) -> str:
        """"Ranh giới huyện" for a district, else the area's own kind ("Ranh giới khu vực")."""
        vi, en, district = area_kind(self.ws)
        if district and vi == "huyện":
            return tr("district_boundary", self.lang)
        kind = vi if self.lang != "en" else en.capitalize()
        return tr("area_boundary", self.lang, kind=kind)

    def group_boundary_label(self) -> str:
        """"Ranh giới huyện", or "Ranh giới <group_label>" for the workspace's own groups."""
        if self.ws.group_label:
            return tr("area_boundary", self.lang, kind=self.ws.group_label.lower())
        return tr("district_boundary", self.lang)

    def summary_title(self) -> str:
        """"TỔNG HỢP TOÀN HUYỆN", or the area's own kind ("TỔNG HỢP TOÀN KHU VỰC")."""
        vi, en, _ = area_kind(self.ws)
        return tr("summary", self.lang, kind=(en if self.lang == "en" else vi).upper())


def short_name(name: str) -> str:
    """Map label of a unit: without "Xã"; "TT." for a township."""
    s = str(name)
    for prefix, repl in (("Thị trấn ", "TT. "), ("Xã ", ""), ("xã ", "")):
        if s.startswith(prefix):
            return repl + s[len(prefix):]
    return s


def _rep_points(geoms) -> np.ndarray:
    pts = shapely.point_on_surface(np.asarray(list(geoms), dtype=object))
    return shapely.get_coordinates(pts)


# -- shared map pieces ---------------------------------------------------------------------
def commune_edges(ctx: Context) -> np.ndarray:
    """The communes' boundaries, each shared edge once; computed once per process."""
    edges = ctx.data.extra.get("commune_edges")
    if edges is None:
        edges = ctx.data.extra["commune_edges"] = unique_edges(ctx.data.communes.geometry.values)
    return edges


def communes_union(ctx: Context) -> shapely.Geometry:
    """All the communes as one geometry (the neighbours' tint); computed once per process."""
    union = ctx.data.extra.get("communes_union")
    if union is None:
        union = ctx.data.extra["communes_union"] = shapely.union_all(
            ctx.data.communes.geometry.to_numpy())
    return union


@dataclass(frozen=True)
class MapLayers:
    """The units in the programme and the communes' boundaries, as a map draws them.

    ``whole``: all the units as one area (None for few units); ``exact``: whether
    the units are a valid coverage (neighbours share their edges exactly).
    """

    areas: np.ndarray
    edges: np.ndarray
    whole: shapely.Geometry | None = None
    exact: bool = False


def map_layers(ctx: Context, tol: float) -> MapLayers:
    """The layers of a map that draws detail down to ``tol`` map units.

    With many units they are simplified once per process and tolerance (0,02 mm of
    the paper of the pages' maps, which share their scale), not on each page; a
    valid coverage stays one (``coverage_simplify``: neighbours keep one shared
    edge, which :func:`class_areas` merges exactly). Few units are returned whole.
    """
    com = ctx.data.communes
    geoms = com.geometry[com["in_programme"].to_numpy(bool)].to_numpy()
    if len(geoms) <= _DISSOLVE_ABOVE:
        return MapLayers(geoms, commune_edges(ctx))
    key = f"map_layers {tol!r}"
    hit = ctx.data.extra.get(key)
    if hit is None:
        edges = shapely.simplify(commune_edges(ctx), tol, preserve_topology=True)
        exact = _is_coverage(ctx)
        if exact:
            areas = shapely.coverage_simplify(geoms, tol)
            whole = shapely.coverage_union_all(areas)
        else:  # gaps and overlaps: each unit on its own, the whole as their union
            areas = shapely.simplify(geoms, tol, preserve_topology=True)
            whole = shapely.union_all(areas)
        # holes too small to print (the slivers between units simplified one by one: 2.200
        # in a country of surveyed boundaries) are filled; their outlines were most of it
        whole = _without_holes(whole, (_SPECK_MM / _DETAIL_MM * tol) ** 2)
        hit = ctx.data.extra[key] = MapLayers(areas, edges, whole, exact)
    return hit


def class_areas(layers: MapLayers, colors: list[str]) -> tuple[list, list]:
    """(areas, their colours) of ``layers.areas`` filled by ``colors``, to draw in order.

    With many units, the class with the longest outlines is drawn as the whole
    area, first, and the other classes over it: its outlines are not written at
    all, and the whole area is the same path on every page (written once into the
    PDF). Units of a valid coverage are merged by class, edge for edge
    (``coverage_union_all``: fast and exact): the units of one class drawn
    together lose the edges between them (the boundary lines draw them). Else
    each unit is its own area (the map frame merges large plain fills).
    """
    if layers.whole is None:
        return list(layers.areas), colors
    arr = np.asarray(colors)
    classes = list(dict.fromkeys(colors))
    if layers.exact:
        parts = [shapely.coverage_union_all(layers.areas[arr == c]) for c in classes]
        size = shapely.get_num_coordinates(np.asarray(parts, dtype=object))
        base = int(np.argmax(size))
        rest = [k for k in range(len(classes)) if k != base]
        return ([layers.whole] + [parts[k] for k in rest],
                [classes[base]] + [classes[k] for k in rest])
    n = shapely.get_num_coordinates(layers.areas)
    base = int(np.argmax([n[arr == c].sum() for c in classes]))
    keep = arr != classes[base]
    return ([layers.whole, *layers.areas[keep]], [classes[base], *arr[keep].tolist()])


def _without_holes(geom: shapely.Geometry, min_area: float) -> shapely.Geometry:
    """``geom`` without its holes smaller than ``min_area``."""
    polys = []
    for p in shapely.get_parts(geom):
        if shapely.get_type_id(p) != 3:
            continue
        holes = [r for r in p.interiors if shapely.Polygon(r).area >= min_area]
        polys.append(shapely.Polygon(p.exterior, holes))
    return shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _is_coverage(ctx: Context) -> bool:
    """Whether the communes form a valid polygonal coverage; checked once per process."""
    ok = ctx.data.extra.get("communes_coverage")
    if ok is None:
        geoms = ctx.data.communes.geometry.to_numpy()
        ok = ctx.data.extra["communes_coverage"] = bool(shapely.coverage_is_valid(geoms))
    return ok


def _lines(frame: MapFrame, geoms, *, color: str, lw: float, zorder: float, ls="-") -> None:
    """Lines as :meth:`MapFrame.lines` draws them; long ones as one path, not a collection.

    A long path that a page draws twice (a road and its casing) or every page
    draws (the roads, the districts' boundaries of a country) is written once into
    the PDF, which it can only be as one path. Short ones (less than about the
    16 KB of operators from which the PDF writer shares a path) stay a collection:
    the same pixels as before.
    """
    segs = line_segments(frame._detail(geoms, ls))
    if sum(len(s) for s in segs) < _ONE_PATH_VERTICES:
        frame.lines(geoms, color=color, lw=lw, zorder=zorder, ls=ls)
        return
    xy = np.concatenate(segs)
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    codes[np.cumsum([0] + [len(s) for s in segs[:-1]])] = MplPath.MOVETO
    frame.ax.add_artist(PathPatch(MplPath(xy, codes), facecolor="none", edgecolor=color,
                                  linewidth=frame.page.pt(lw), linestyle=ls, zorder=zorder,
                                  joinstyle="round", capstyle="round"))


def _base(ctx: Context, frame: MapFrame, colors: dict[str, str] | None) -> list[tuple]:
    """Commune fills (or paper), township hatched, relief, boundaries; legend entries."""
    d, lang = ctx.data, ctx.lang
    com = d.communes
    inprog = com["in_programme"].to_numpy(bool)
    entries: list[tuple] = []
    layers = map_layers(ctx, frame.mm(_DETAIL_MM))
    nodata = st.fill(st.MET_COLORS[""])
    fills = ([st.PAPER_FILL] * len(layers.areas) if colors is None
             else [colors.get(c, nodata) for c in com["code"][inprog]])
    frame.fill_by(*class_areas(layers, fills), ec="none", lw=0, zorder=1)
    if (~inprog).any():
        o = st.OUT_OF_PROGRAMME
        frame.polygons(com.geometry[~inprog], fc=o["fc"], ec=o["ec"], hatch=o["hatch"],
                       lw=0.3, zorder=1)
        entries.append(("patch", tr("not_in_programme", lang), dict(o)))
    if ctx.hillshade is not None:
        frame.hillshade(ctx.hillshade)
    frame.edges(layers.edges, ec=st.BOUNDARY_COMMUNE["ec"], lw=st.BOUNDARY_COMMUNE["lw"],
                zorder=3)
    frame.polygons([d.district], ec=st.BOUNDARY_DISTRICT["ec"],
                   lw=st.BOUNDARY_DISTRICT["lw"], zorder=3.2, ls=(0, (6, 1.5, 1, 1.5)))
    entries.append(("line", ctx.boundary_label(),
                    dict(color=st.BOUNDARY_DISTRICT["ec"], lw=st.BOUNDARY_DISTRICT["lw"],
                         ls=(0, (6, 1.5, 1, 1.5)))))
    if d.groups:  # a province: where each district (group) ends
        _lines(frame, [g[2] for g in d.groups], color=st.BOUNDARY_GROUP["ec"],
                  lw=st.BOUNDARY_GROUP["lw"], zorder=3.1, ls=(0, (4, 1.5)))
        entries.append(("line", ctx.group_boundary_label(),
                        dict(color=st.BOUNDARY_GROUP["ec"], lw=st.BOUNDARY_GROUP["lw"],
                             ls=(0, (4, 1.5)))))
    entries.append(("line", tr("commune_boundary", lang),
                    dict(color=st.BOUNDARY_COMMUNE["ec"], lw=st.BOUNDARY_COMMUNE["lw"])))
    # main roads for orientation (provincial and district roads only)
    if len(d.roads):
        classes = d.roads["road_class"].astype(str).to_numpy()
        for k in ("provincial", "district"):
            sel = d.roads.geometry[classes == k]
            if len(sel):
                sty = st.MAIN_ROAD_STYLE[k]
                _lines(frame, sel, color=sty["casing"], lw=sty["casing_lw"], zorder=3.4)
                _lines(frame, sel, color=sty["color"], lw=sty["lw"], zorder=3.5)
                entries.append(("line", label("road_class", k, lang), dict(sty)))
    if ctx.hillshade is not None:
        entries.append(("patch", tr("relief", lang), dict(fc="#b5b5b5", ec="#888888")))
    return entries


def _furniture(ctx: Context, frame: MapFrame, placer: LabelPlacer | None = None) -> None:
    """Scale bar, north arrow (and keep labels off them)."""
    lang = ctx.lang
    frame.scale_bar(lang, scale_text=tr("scale", lang, d=fmt_number(frame.scale, lang)))
    frame.north_arrow(tr("north", lang), crs=ctx.ws.crs)
    if placer is not None:
        x, y, w, h = frame.rect
        placer.obstacle_rect_mm(x + 2, y + 2, w * 0.28 + 12, 14)
        placer.obstacle_rect_mm(x + w - 16, y + h - 24, 16, 24)


def _locator(ctx: Context, page: Page, x: float, y: float, w: float, h: float, *,
             highlight=None, extent=None) -> float:
    """A locator inset; the commune in the district, or the district in the province.

    Returns the y below it (``y + h`` unchanged when there is nothing to locate).
    """
    d, lang = ctx.data, ctx.lang
    if highlight is None and d.province is None:
        return y + h
    top = page.heading(x, y + h, tr("locator", lang), size=6.8)
    inset_h = top - y
    geoms = d.province.geometry if highlight is None else d.communes.geometry
    b = shapely.total_bounds(np.asarray(list(geoms), dtype=object))
    fr = page.map_frame(x, y, w, inset_h, b, margin=0.05, border=True)
    fr.polygons(geoms, fc="#f2f2f2", ec="#9a9a9a", lw=0.3, zorder=1)
    if highlight is None:
        fr.polygons([d.district], fc="#c2185b", ec="#7a1f5c", lw=0.5, zorder=2)
    else:
        fr.polygons([d.district], ec="#555555", lw=0.6, zorder=2)
        fr.polygons([highlight], fc="#c2185b", ec="#7a1f5c", lw=0.5, zorder=3)
    return y - 2.0


def _project_symbols(ctx: Context, frame: MapFrame, projects, lines) -> list[tuple]:
    """Project routes and diamonds by status; legend entries of what is drawn."""
    lang = ctx.lang
    entries: list[tuple] = []
    if len(lines):
        frame.lines(lines.geometry, color="white", lw=st.PROJECT_LINE["lw"] + 1.2, zorder=4.4)
        frame.lines(lines.geometry, color=st.PROJECT_LINE["color"], lw=st.PROJECT_LINE["lw"],
                    zorder=4.5)
    present = [s for s in st.STATUS_STYLE if (projects["status"] == s).any()] if len(
        projects) else []
    for s in present:
        sel = projects[projects["status"] == s]
        frame.points(sel.geometry, **st.STATUS_STYLE[s], zorder=6)
        entries.append(("marker", label("status", s, lang), st.STATUS_STYLE[s]))
    other = projects[~projects["status"].isin(list(st.STATUS_STYLE))] if len(projects) else []
    if len(other):
        sty = dict(st.STATUS_STYLE["preparing"], mfc="#cccccc")
        frame.points(other.geometry, **sty, zorder=6)
        entries.append(("marker", label("met", "", lang), sty))
    if entries:
        entries.insert(0, ("heading", tr("projects_by_status", lang)))
    if len(lines):
        entries.append(("line", tr("project_line", lang),
                        dict(color=st.PROJECT_LINE["color"], lw=st.PROJECT_LINE["lw"])))
    return entries


def _commune_labels(ctx: Context, frame: MapFrame, placer: LabelPlacer, *,
                    second_line: dict[str, str] | None = None, avoid_star: set[str] = frozenset(),
                    size: float = 6.6) -> None:
    """Label every unit at a point inside it; names first, no collisions."""
    com = ctx.data.communes
    xy, inner = _label_anchors(ctx)
    force = len(com) <= MAX_FORCED_LABELS
    if not force:  # a province: smaller names, so that most units keep theirs
        size = max(4.6, size * math.sqrt(MAX_FORCED_LABELS / len(com)))
    codes, names = com["code"].to_numpy(), com["name"].to_numpy()
    in_programme = com["in_programme"].to_numpy(bool)
    # biggest units first: they have the most room to move their label
    order = np.argsort(-com.geometry.area.to_numpy(), kind="stable")
    for i in order:
        code, name = codes[i], names[i]
        text = short_name(name)
        if second_line and code in second_line:
            text += "\n" + second_line[code]
        inprog = bool(in_programme[i])
        if code in avoid_star:
            placer.place(xy[i, 0], xy[i, 1], text, size=size, weight="bold", force=force,
                         offset=1.8)
        else:  # inside the unit: at its point, else the nearest free place within it
            kw = dict(size=size if inprog else size * 0.9, weight="bold" if inprog else "normal",
                      style="normal" if inprog else "italic")
            if not placer.place_inside(inner[i], text, force=force, **kw) and "\n" in text:
                placer.place_inside(inner[i], short_name(name), force=False, **kw)  # name only


def _label_anchors(ctx: Context) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each unit's representative point and inner anchors (7 x 7 grid); once per process.

    The same on every page that labels the units (the overview, each criterion page).
    """
    hit = ctx.data.extra.get("label_anchors")
    if hit is None:
        geoms = ctx.data.communes.geometry.to_numpy()
        hit = ctx.data.extra["label_anchors"] = (_rep_points(geoms),
                                                 [_inner_anchors(g, 7) for g in geoms])
    return hit


def _inner_anchors(geom, n: int = 9) -> np.ndarray:
    """Points inside ``geom`` on an n x n grid, nearest its representative point first."""
    cx, cy = _rep_points([geom])[0]
    x0, y0, x1, y1 = shapely.bounds(geom)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    inside = pts[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])]
    order = np.argsort(np.hypot(inside[:, 0] - cx, inside[:, 1] - cy), kind="stable")
    return np.vstack([[cx, cy], inside[order]])


def _district_frame(ctx: Context, page: Page) -> MapFrame:
    b = shapely.bounds(ctx.data.district)
    return page.map_frame(*MAP, b, margin=0.04)
