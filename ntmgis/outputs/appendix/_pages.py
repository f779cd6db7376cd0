"""The pages of the map appendix.

Overview, 19 criteria, one per commune, investment, progress. Each builder
returns a :class:`~ntmgis.outputs.appendix._carto.Page`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from matplotlib.patches import Circle

from ntmgis.core.criteria import COMMUNE_CRITERIA, get_criterion
from ntmgis.core.i18n import fmt_money, fmt_number, fmt_percent, label
from ntmgis.core.text import fold
from ntmgis.core.version import __version__
from ntmgis.outputs.appendix import _style as st
from ntmgis.outputs.appendix._carto import (
    MM_PER_PT,
    Hillshade,
    LabelPlacer,
    MapFrame,
    Page,
    _true_north_angle,
    circles,
)
from ntmgis.outputs.appendix._data import SOURCE_KEYS, AppendixData
from ntmgis.outputs.appendix._text import PAGE_KINDS, fmt_date, tr

__all__ = ["Context", "plan_pages", "PAGE_KINDS"]

# Tables by commune are left out above this many communes (national-scale runs).
MAX_TABLE_ROWS = 30
# Labels of every unit are forced onto the map up to this many units.
MAX_FORCED_LABELS = 60

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
        """District, province, year."""
        return tr("subtitle", self.lang, district=self.ws.name, province=self.ws.province,
                  year=self.data.year)

    def source(self) -> str:
        """The data-source line."""
        src = self.data.source_text or tr(
            "source_default" if self.hillshade is not None else "source_default_flat",
            self.lang, area=self.ws.name, version=__version__)
        return tr("source", self.lang, source=src, date=fmt_date(self.ws.data_date, self.lang))

    def new_page(self, n: int, title: str, subtitle: str | None = None) -> Page:
        """A page with its frame drawn."""
        page = Page(self.size, self.lang)
        page.frame(title=title, subtitle=subtitle or self.subtitle(),
                   page_label=tr("page_no", self.lang, n=n), source=self.source())
        return page


def short_name(name: str) -> str:
    """Map label of a unit: without "Xã"; "TT." for a township."""
    s = str(name)
    for prefix, repl in (("Thị trấn ", "TT. "), ("Xã ", ""), ("xã ", "")):
        if s.startswith(prefix):
            return repl + s[len(prefix):]
    return s


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in fold(text))
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _rep_points(geoms) -> np.ndarray:
    pts = shapely.point_on_surface(np.asarray(list(geoms), dtype=object))
    return shapely.get_coordinates(pts)


# -- shared map pieces ---------------------------------------------------------------------
def _base(ctx: Context, frame: MapFrame, colors: dict[str, str] | None) -> list[tuple]:
    """Commune fills (or paper), township hatched, relief, boundaries; legend entries."""
    d, lang = ctx.data, ctx.lang
    com = d.communes
    inprog = com["in_programme"].to_numpy(bool)
    entries: list[tuple] = []
    if colors is None:
        frame.polygons(com.geometry[inprog], fc=st.PAPER_FILL, ec="none", lw=0, zorder=1)
    else:
        geoms = list(com.geometry[inprog])
        nodata = st.fill(st.MET_COLORS[""])
        frame.fill_by(geoms, [colors.get(c, nodata) for c in com["code"][inprog]],
                      ec="none", lw=0, zorder=1)
    if (~inprog).any():
        o = st.OUT_OF_PROGRAMME
        frame.polygons(com.geometry[~inprog], fc=o["fc"], ec=o["ec"], hatch=o["hatch"],
                       lw=0.3, zorder=1)
        entries.append(("patch", tr("not_in_programme", lang), dict(o)))
    if ctx.hillshade is not None:
        frame.hillshade(ctx.hillshade)
    frame.polygons(com.geometry, ec=st.BOUNDARY_COMMUNE["ec"], lw=st.BOUNDARY_COMMUNE["lw"],
                   zorder=3)
    frame.polygons([d.district], ec=st.BOUNDARY_DISTRICT["ec"],
                   lw=st.BOUNDARY_DISTRICT["lw"], zorder=3.2, ls=(0, (6, 1.5, 1, 1.5)))
    entries.append(("line", tr("district_boundary", lang),
                    dict(color=st.BOUNDARY_DISTRICT["ec"], lw=st.BOUNDARY_DISTRICT["lw"],
                         ls=(0, (6, 1.5, 1, 1.5)))))
    entries.append(("line", tr("commune_boundary", lang),
                    dict(color=st.BOUNDARY_COMMUNE["ec"], lw=st.BOUNDARY_COMMUNE["lw"])))
    # main roads for orientation (provincial and district roads only)
    if len(d.roads):
        classes = d.roads["road_class"].astype(str).to_numpy()
        for k in ("provincial", "district"):
            sel = d.roads.geometry[classes == k]
            if len(sel):
                sty = st.MAIN_ROAD_STYLE[k]
                frame.lines(sel, color=sty["casing"], lw=sty["casing_lw"], zorder=3.4)
                frame.lines(sel, color=sty["color"], lw=sty["lw"], zorder=3.5)
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
    xy = _rep_points(com.geometry)
    force = len(com) <= MAX_FORCED_LABELS
    # biggest units first: they have the most room to move their label
    order = np.argsort(-com.geometry.area.to_numpy(), kind="stable")
    for i in order:
        code, name = com["code"].iloc[i], com["name"].iloc[i]
        text = short_name(name)
        if second_line and code in second_line:
            text += "\n" + second_line[code]
        inprog = bool(com["in_programme"].iloc[i])
        if code in avoid_star:
            placer.place(xy[i, 0], xy[i, 1], text, size=size, weight="bold", force=force,
                         offset=1.8)
        else:
            placer.place(xy[i, 0], xy[i, 1], text, size=size if inprog else size * 0.9,
                         area=True, force=force, weight="bold" if inprog else "normal",
                         style="normal" if inprog else "italic")


def _district_frame(ctx: Context, page: Page) -> MapFrame:
    b = shapely.bounds(ctx.data.district)
    return page.map_frame(*MAP, b, margin=0.04)


# -- page 1: overview ----------------------------------------------------------------------
def page_overview(ctx: Context, n: int) -> Page:
    """Communes by criteria-met class, NTM communes marked, summary against the plan."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    page = ctx.new_page(n, tr("title_overview", lang))
    frame = _district_frame(ctx, page)
    status = d.status
    cls = dict(zip(status["code"], status["class"], strict=True))
    colors = {c: st.fill(st.CLASS_COLORS.get(k, st.MET_COLORS[""])) for c, k in cls.items()}
    base_entries = _base(ctx, frame, colors)
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    ntm_codes = set(status.loc[status["ntm"], "code"])
    if ntm_codes:
        sel = d.communes[d.communes["code"].isin(ntm_codes)]
        xy = _rep_points(sel.geometry)
        frame.ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="*",
                      markersize=page.pt(11), markerfacecolor="#ffd700",
                      markeredgecolor="#5a4a00", markeredgewidth=page.pt(0.6), zorder=7)
        placer.obstacle_points(xy, radius_pt=5.5)
    total = int(status["criteria_total"].iloc[0]) if "criteria_total" in status and len(
        status) else len(COMMUNE_CRITERIA)
    met = {c: f"{int(m)}/{total}"
           for c, m in zip(status["code"], status["criteria_met"], strict=True)}
    _commune_labels(ctx, frame, placer, second_line=met, avoid_star=ntm_codes)

    # panel: legend
    y = _locator(ctx, page, PX, PTOP - 42, 60, 42)
    y = page.heading(PX, y, tr("legend", lang))
    counts = status["class"].value_counts()
    entries: list[tuple] = [("heading", tr("criteria_met", lang))]
    for k, color in st.CLASS_COLORS.items():
        color = st.fill(color)
        if counts.get(k, 0):
            entries.append(("patch", f"{label('class', k, lang)}: "
                            f"{tr('communes_in_class', lang, n=int(counts[k]))}",
                            dict(fc=color, ec="#4d4d4d")))
    if ntm_codes:
        entries.append(("marker", tr("ntm_marker", lang),
                        dict(marker="*", ms=9, mfc="#ffd700", mec="#5a4a00", mew=0.6)))
    entries += base_entries
    entries.append(("note", _label_note(lang, total)))
    y = page.legend(PX, y, entries, width=PW)

    # panel: summary against the plan
    y = page.heading(PX, y - 1, tr("summary", lang))
    rows, fills = _summary_rows(ctx)
    y = page.table(PX, y, [(tr("tbl_indicator", lang), 44, "left"),
                           (tr("tbl_result", lang, year=d.year), 24, "right"),
                           (tr("tbl_plan", lang, year=ws.plan_year), 30, "right")],
                   rows, fills=fills, size=6.4, row_h=3.9)
    # panel: communes, criteria met, class
    if len(d.status) > MAX_TABLE_ROWS:  # a province or country: no room for the table
        page.lines_of_text(PX, y - 1, [tr("too_many_rows", lang, n=len(d.status))], size=6.6)
        return page
    y = page.heading(PX, y - 1, tr("by_commune", lang))
    rows, fills = [], []
    for name, n_met, k in zip(status["name"], status["criteria_met"], status["class"], strict=True):
        rows.append([str(name), f"{int(n_met)}/{total}", label("class", k, lang)])
        fills.append([None, None, st.tint(st.CLASS_COLORS.get(k, '#dddddd'))])
    avail = y - 19.0
    row_h = min(3.5, avail / (len(rows) + 1.2))
    page.table(PX, y, [(tr("col_commune", lang), 36, "left"),
                       (tr("criteria_met", lang), 22, "center"),
                       (tr("col_result", lang), 40, "left")], rows, fills=fills,
               size=min(6.2, row_h / 3.5 * 6.2), row_h=row_h)
    return page


def _label_note(lang: str, total: int) -> str:
    if lang == "en":
        return f"Labels: commune, criteria met/{total}"
    return f"Nhãn: tên xã, số tiêu chí đạt/{total}"


def _summary_rows(ctx: Context) -> tuple[list[list[str]], list[list[str | None]]]:
    d, lang, plan = ctx.data, ctx.lang, ctx.ws.plan
    status = d.status
    n = len(status)
    n_ntm = int(status["ntm"].sum())
    avg = float(status["criteria_met"].mean()) if n else float("nan")
    min_c = plan.min_criteria or 10
    below = int((status["criteria_met"] < min_c).sum())
    vil = d.villages[d.villages["commune_code"].isin(set(status["code"]))]
    v_total = len(vil)
    v_ntm = int(vil["ntm"].sum())
    plan_avg = (sum(d.targets.values()) / n) if (n and len(d.targets) == len(
        COMMUNE_CRITERIA)) else None

    def share(a, b):
        return f" ({fmt_percent(a / b, lang)})" if b else ""

    rows = [
        [tr("row_ntm", lang), f"{n_ntm}/{n}",
         (f"{plan.ntm_communes}/{n}{share(plan.ntm_communes, n)}"
          if plan.ntm_communes is not None else "–")],
        [tr("row_avg", lang), fmt_number(avg, lang, 2),
         fmt_number(plan_avg, lang, 2) if plan_avg is not None else "–"],
        [tr("row_below", lang, n=min_c), str(below), "0" if plan.min_criteria else "–"],
        [tr("row_villages", lang), f"{v_ntm}/{v_total}",
         (f"{plan.ntm_villages}/{plan.villages_total or v_total}"
          f"{share(plan.ntm_villages, plan.villages_total or v_total)}"
          if plan.ntm_villages is not None else "–")],
    ]
    ok, bad = "#d9f0d3", "#fde0d0"
    fills = [
        [None, ok if plan.ntm_communes is not None and n_ntm >= plan.ntm_communes else bad, None],
        [None, ok if plan_avg is not None and avg >= plan_avg - 1e-9 else bad, None],
        [None, ok if below == 0 else bad, None],
        [None, ok if plan.ntm_villages is not None and v_ntm >= plan.ntm_villages else bad,
         None],
    ]
    return rows, fills


# -- pages 2-20: one per criterion ---------------------------------------------------------
def page_criterion(ctx: Context, n: int, number: int) -> Page:
    """Met / not met by commune, the projects that serve the criterion, count vs target."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    crit = get_criterion(number)
    page = ctx.new_page(n, tr("title_criterion", lang, n=number, name=crit.name(lang).upper()))
    frame = _district_frame(ctx, page)
    status = d.status
    vals = status[crit.key]
    key = {c: ("" if v is None or v != v else str(int(v)))
           for c, v in zip(status["code"], vals, strict=True)}
    colors = {c: st.fill(st.MET_COLORS[k]) for c, k in key.items()}
    base_entries = _base(ctx, frame, colors)
    serves = np.fromiter((number in c for c in d.projects["criteria_set"]), dtype=bool,
                         count=len(d.projects))
    projects = d.projects.loc[serves]
    lines = d.project_lines[d.project_lines["project_id"].isin(set(projects["project_id"]))]
    proj_entries = _project_symbols(ctx, frame, projects, lines)
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    placer.obstacle_points(shapely.get_coordinates(np.asarray(list(projects.geometry),
                                                              dtype=object)), radius_pt=3.2)
    _commune_labels(ctx, frame, placer)

    # panel: key figures
    total = len(status)
    n_met = sum(1 for v in key.values() if v == "1")
    target = d.targets.get(number)
    y = _locator(ctx, page, PX, PTOP - 42, 60, 42)
    lines_txt = [tr("crit_met", lang, year=d.year, met=n_met, total=total,
                    share=fmt_percent(n_met / total if total else float("nan"), lang))]
    if target is not None:
        lines_txt.append(tr("crit_target", lang, year=ws.plan_year, target=target,
                            share=fmt_percent(target / total if total else float("nan"), lang)))
        lines_txt.append(tr("crit_gap", lang, gap=target - n_met) if target > n_met
                         else tr("crit_reached", lang))
    lines_txt.append(tr("crit_projects", lang, n=len(projects),
                        cap=fmt_money(float(projects["cap_total"].sum()), lang)))
    y = page.lines_of_text(PX, y, lines_txt, size=7.2, width=PW)
    y = page.heading(PX, y - 1, tr("legend", lang))
    entries: list[tuple] = [("heading", tr("criterion_result", lang))]
    present = set(key.values())
    for k in ("1", "0", ""):
        if k in present:
            entries.append(("patch", label("met", k, lang), dict(fc=st.fill(st.MET_COLORS[k]),
                                                                 ec="#4d4d4d")))
    entries += base_entries + proj_entries
    y = page.legend(PX, y, entries, width=PW, columns=1 if len(entries) <= 11 else 2)
    # panel: by commune
    if len(d.status) > MAX_TABLE_ROWS:  # a province or country: no room for the table
        page.lines_of_text(PX, y - 1, [tr("too_many_rows", lang, n=len(d.status))], size=6.6)
        return page
    y = page.heading(PX, y - 1, tr("by_commune", lang))
    rows, fills = [], []
    by_c = projects.groupby("commune_code")["cap_total"].agg(["count", "sum"])
    for code, name in zip(status["code"], status["name"], strict=True):
        cnt = int(by_c["count"].get(code, 0))
        cap = float(by_c["sum"].get(code, 0.0))
        rows.append([str(name), label("met", key[code], lang), str(cnt),
                     fmt_money(cap, lang) if cnt else "–"])
        fills.append([None, st.tint(st.MET_COLORS[key[code]]), None, None])
    rows.append([tr("total", lang), f"{n_met}/{total}", str(len(projects)),
                 fmt_money(float(projects["cap_total"].sum()), lang)])
    fills.append([None, None, None, None])
    avail = y - 19.0
    row_h = min(3.6, avail / (len(rows) + 1.2))
    page.table(PX, y, [(tr("col_commune", lang), 36, "left"), (tr("col_result", lang), 20,
                                                                  "center"),
                       (tr("col_projects", lang), 14, "right"),
                       (tr("col_capital", lang), 28, "right")], rows, fills=fills,
               size=min(6.2, row_h / 3.6 * 6.2), row_h=row_h, bold_rows=[len(rows) - 1])
    return page


# -- pages: one per commune ----------------------------------------------------------------
def page_commune(ctx: Context, n: int, code: str) -> Page:
    """Villages (NTM or not), projects, facilities, and the 19-criteria scorecard."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    com = d.communes
    row = com[com["code"] == code].iloc[0]
    geom = row.geometry
    name = str(row["name"])
    page = ctx.new_page(n, tr("title_commune", lang, name=name.upper()))
    mw = 158.0
    frame = page.map_frame(MAP[0], MAP[1], mw, MAP[3], shapely.bounds(geom), margin=0.06)
    x0, x1, y0, y1 = frame.extent
    view = shapely.box(x0, y0, x1, y1)
    srow = d.status[d.status["code"] == code]
    cls = str(srow["class"].iloc[0]) if len(srow) else ""
    # neighbours on paper, this commune tinted by its class
    entries: list[tuple] = []
    frame.polygons([shapely.union_all(com.geometry.to_numpy())], fc="#f4f4f0", ec="none",
                   lw=0, zorder=1)
    frame.polygons([geom], fc=st.PAPER_FILL, ec="none", lw=0, zorder=1.1)
    if ctx.hillshade is not None:
        frame.hillshade(ctx.hillshade)
    frame.veil(geom, alpha=0.55, zorder=2.5)
    frame.polygons(com.geometry, ec="#8a8a8a", lw=0.4, zorder=3)
    frame.polygons([d.district], ec=st.BOUNDARY_DISTRICT["ec"], lw=st.BOUNDARY_DISTRICT["lw"],
                   zorder=3.1, ls=(0, (6, 1.5, 1, 1.5)))
    fl = st.FOCUS_LINE
    frame.polygons([geom], ec=fl["casing"], lw=fl["casing_lw"], alpha=fl["casing_alpha"],
                   zorder=3.25)
    frame.polygons([geom], ec=fl["color"], lw=fl["lw"], zorder=3.3)
    entries.append(("line", tr("this_commune", lang), dict(fl)))
    entries.append(("line", tr("district_boundary", lang),
                    dict(color=st.BOUNDARY_DISTRICT["ec"], lw=st.BOUNDARY_DISTRICT["lw"],
                         ls=(0, (6, 1.5, 1, 1.5)))))
    entries.append(("patch", tr("neighbour", lang), dict(fc="#f8f8f6", ec="#8a8a8a")))
    if ctx.hillshade is not None:
        entries.append(("patch", tr("relief", lang), dict(fc="#b5b5b5", ec="#888888")))
    # roads in view
    if len(d.roads):
        clipped = shapely.clip_by_rect(np.asarray(list(d.roads.geometry), dtype=object),
                                       x0, y0, x1, y1)
        keep = ~shapely.is_empty(clipped)
        classes = d.roads["road_class"].astype(str).to_numpy()
        road_entries = []
        for k, sty in st.ROAD_STYLE.items():
            sel = clipped[keep & (classes == k)]
            if len(sel):
                frame.lines(sel, color=sty["color"], lw=sty["lw"], ls=sty["ls"], zorder=4)
                road_entries.append(("line", label("road_class", k, lang), dict(sty)))
        if road_entries:
            entries += [("heading", tr("roads", lang))] + road_entries
    # villages
    vil = d.villages[d.villages["commune_code"] == code]
    fac = d.facilities[d.facilities["commune_code"] == code] if len(d.facilities) else \
        d.facilities
    prj = d.projects[d.projects["commune_code"] == code]
    lines = d.project_lines[d.project_lines["project_id"].isin(set(prj["project_id"]))]
    entries += _project_symbols(ctx, frame, prj, lines)
    fac_entries = []
    if len(fac):
        types = fac["type"].astype(str).to_numpy()
        for k, sty in st.FACILITY_STYLE.items():
            sel = fac[types == k]
            if len(sel):
                frame.points(sel.geometry, **sty, zorder=6.5)
                fac_entries.append(("marker", label("facility", k, lang), sty))
        other = fac[~np.isin(types, list(st.FACILITY_STYLE))]
        if len(other):
            frame.points(other.geometry, **st.FACILITY_OTHER, zorder=6.5)
            fac_entries.append(("marker", label("category", "other", lang), st.FACILITY_OTHER))
    if fac_entries:
        entries += [("heading", tr("facilities", lang))] + fac_entries
    vil_entries = []
    for ntm in (True, False):
        sel = vil[vil["ntm"] == ntm]
        if len(sel):
            frame.points(sel.geometry, **st.VILLAGE_STYLE[ntm], zorder=7)
            vil_entries.append(("marker", tr("village_ntm" if ntm else "village_not", lang),
                                st.VILLAGE_STYLE[ntm]))
    if vil_entries:
        entries += [("heading", tr("villages", lang))] + vil_entries
    # labels: furniture, symbols, then villages, then the commune and its neighbours
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    for g in (prj.geometry, fac.geometry if len(fac) else [], vil.geometry):
        placer.obstacle_points(shapely.get_coordinates(np.asarray(list(g), dtype=object)),
                               radius_pt=3.6)
    vxy = shapely.get_coordinates(np.asarray(list(vil.geometry), dtype=object))
    for (vx, vy), vname, ntm in zip(vxy, vil["name"], vil["ntm"], strict=True):
        placer.place(vx, vy, str(vname), size=6.0, weight="bold" if ntm else "normal",
                     color="#1a1a1a")
    placer.place_inside(_inner_anchors(geom), short_name(name).upper(), size=9.0,
                        weight="bold", color="#7a1f5c", halo=2.2)
    others = com[com["code"] != code]
    inview = shapely.intersection(np.asarray(list(others.geometry), dtype=object), view)
    for g, oname in zip(inview, others["name"], strict=True):
        if shapely.is_empty(g) or shapely.area(g) < (x1 - x0) * (y1 - y0) * 0.01:
            continue
        px, py = _rep_points([g])[0]
        placer.place(px, py, short_name(oname), size=6.2, area=True, style="italic",
                     color="#666666")

    # panel
    pw = 285.0 - (MAP[0] + mw + 5.0)
    px = MAP[0] + mw + 5.0
    top = PTOP
    loc_w = 44.0
    _locator(ctx, page, px, top - 38, loc_w, 38, highlight=geom)
    facts = []
    if len(srow):
        r = srow.iloc[0]
        met = int(r["criteria_met"])
        total = int(r["criteria_total"]) if "criteria_total" in r else len(COMMUNE_CRITERIA)
        facts.append(tr("com_met", lang, met=met, total=total,
                        ntm=tr("com_ntm_suffix", lang) if bool(r["ntm"]) else ""))
        tgt = _target_text(r, lang)
        if tgt:
            facts.append(tr("com_target", lang, year=ws.plan_year, target=tgt))
    facts.append(tr("com_villages", lang, n=int(vil["ntm"].sum()), total=len(vil)))
    facts.append(tr("com_projects", lang, n=len(prj),
                    cap=fmt_money(float(prj["cap_total"].sum()), lang)))
    fx = px + loc_w + 3.0
    fy = top - 1.0
    if cls:
        page.box(fx, fy - 4.2, 4.0, 3.2, fc=st.fill(st.CLASS_COLORS.get(cls, "#dddddd")),
                 ec="#4d4d4d", lw=0.3)
        page.text(fx + 5.5, fy - 2.6, label("class", cls, lang), size=6.6, va="center",
                  weight="bold")
        fy -= 5.5
    wrapped = []
    for f in facts:
        wrapped += _wrap(page, f, pw - loc_w - 3.0, 6.6)
    page.lines_of_text(fx, fy, wrapped, size=6.6)
    # scorecard
    y = page.heading(px, top - 41.0, tr("scorecard", lang, year=d.year))
    rows, fills = [], []
    hist = d.status_all[d.status_all["code"] == code].sort_values("year")
    for c in COMMUNE_CRITERIA:
        v = srow[c.key].iloc[0] if len(srow) else None
        k = "" if v is None or v != v else str(int(v))
        since = _met_since(hist, c.key, d.year) if k == "1" else None
        rows.append([str(c.number), c.name(lang), label("met", k, lang),
                     str(since) if since else "–"])
        fills.append([None, None, st.tint(st.MET_COLORS[k]), None])
    y = page.table(px, y, [(tr("col_no", lang), 6, "right"),
                           (tr("col_criterion", lang), pw - 6 - 17 - 13, "left"),
                           (tr("col_result", lang), 17, "center"),
                           (tr("col_since", lang), 13, "center")],
                   rows, fills=fills, size=5.9, row_h=3.25)
    y = page.heading(px, y, tr("legend", lang), size=7.0)
    page.legend(px, y, entries, width=pw, size=6.0, columns=2)
    return page


def _inner_anchors(geom, n: int = 9) -> np.ndarray:
    """Points inside ``geom`` on an n x n grid, nearest its representative point first."""
    cx, cy = _rep_points([geom])[0]
    x0, y0, x1, y1 = shapely.bounds(geom)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    inside = pts[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])]
    order = np.argsort(np.hypot(inside[:, 0] - cx, inside[:, 1] - cy), kind="stable")
    return np.vstack([[cx, cy], inside[order]])


def _target_text(r, lang: str) -> str:
    tn = r.get("target_ntm") if hasattr(r, "get") else None
    if tn is not None and tn == tn and bool(tn):
        return tr("target_ntm", lang)
    tc = r.get("target_criteria") if hasattr(r, "get") else None
    if tc is not None and tc == tc:
        return tr("target_criteria", lang, n=int(tc))
    return ""


def _met_since(hist, key: str, year: int) -> int | None:
    """First year of the unbroken run of 'met' that reaches ``year``."""
    since = None
    for y, v in zip(hist["year"], hist[key], strict=True):
        if y > year:
            break
        if v is not None and v == v and int(v) == 1:
            since = since or int(y)
        else:
            since = None
    return since


def _wrap(page: Page, text: str, width: float, size: float) -> list[str]:
    words, out, cur = text.split(" "), [], ""
    for w in words:
        cand = f"{cur} {w}".strip()
        if cur and page.text_width_mm(cand, size) > width:
            out.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        out.append(cur)
    return out


# -- investment page -----------------------------------------------------------------------
def page_investment(ctx: Context, n: int) -> Page:
    """Capital by commune as proportional circles, and by source against the plan."""
    d, lang = ctx.data, ctx.lang
    page = ctx.new_page(n, tr("title_investment", lang))
    frame = _district_frame(ctx, page)
    base_entries = _base(ctx, frame, None)
    prj = d.projects
    by_c = prj.groupby("commune_code")["cap_total"].agg(["count", "sum"])
    com = d.communes
    xy = _rep_points(com.geometry)
    caps = np.array([float(by_c["sum"].get(c, 0.0)) for c in com["code"]])
    vmax = float(caps.max()) if len(caps) and caps.max() > 0 else 1.0
    rmax = 8.0  # design mm for the largest commune
    radii = rmax * np.sqrt(caps / vmax)
    has = caps > 0
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    if has.any():
        circles(frame, xy[has], radii[has], fc=st.INVEST_CIRCLE["fc"], ec="white", lw=0.8,
                alpha=0.85, zorder=6)
    for i in np.argsort(-caps, kind="stable"):
        text = short_name(com["name"].iloc[i])
        if caps[i] > 0:
            text += "\n" + fmt_number(caps[i], lang)
        # labels go beside the circle when there is room, else on it
        r_pt = radii[i] / MM_PER_PT / 1.0 + 2
        placed = False
        for dx, dy, ha, va in ((r_pt, 0, "left", "center"), (-r_pt, 0, "right", "center"),
                               (0, r_pt, "center", "bottom"), (0, -r_pt, "center", "top")):
            t, bb, kw = placer._make(xy[i, 0], xy[i, 1], text, dx, dy, ha, va, dict(
                fontsize=page.pt(6.2), fontweight="bold", fontstyle="normal", color="#222222"),
                1.6)
            if placer._fits(bb):
                placer._add(xy[i, 0], xy[i, 1], text, bb, kw, 1.6)
                placed = True
                break
        if not placed:
            placer.place(xy[i, 0], xy[i, 1], text, size=6.2, area=True,
                         force=len(com) <= MAX_FORCED_LABELS,
                         weight="bold")
    # panel
    y = _locator(ctx, page, PX, PTOP - 42, 60, 42)
    y = page.heading(PX, y, tr("legend", lang))
    if has.any():  # the circles' key only when circles are drawn
        y = page.lines_of_text(PX, y, [tr("cap_by_commune", lang)], size=6.8)
        y = _circle_legend(page, PX, y, vmax, rmax, lang)
    y = page.legend(PX, y, base_entries, width=PW)
    # by source
    y = page.heading(PX, y - 1, tr("cap_by_source", lang))
    f = d.funding.set_index("source")
    rows = []
    tot_plan, tot_list = 0.0, 0.0
    for s in SOURCE_KEYS:
        if s not in f.index:
            continue
        plan_v = f.loc[s, "plan"]
        # the projects begun by the appendix's year, as on the map
        col = f"cap_{s}"
        list_v = (float(pd.to_numeric(prj[col], errors="coerce").fillna(0).sum())
                  if col in prj.columns else f.loc[s, "projects_total"])
        tot_plan += float(plan_v) if plan_v == plan_v else 0.0
        tot_list += float(list_v) if list_v == list_v else 0.0
        rows.append([label("source", s, lang), fmt_money(_num(plan_v), lang),
                     fmt_money(_num(list_v), lang)])
    any_plan = bool(pd.to_numeric(f["plan"], errors="coerce").notna().any()) if len(f) else False
    rows.append([tr("total", lang), fmt_money(tot_plan if any_plan else None, lang),
                 fmt_money(tot_list, lang)])
    cols = [(tr("col_source", lang), 50, "left"), (tr("col_plan", lang), 24, "right"),
            (tr("col_list", lang, year=d.year), 24, "right")]
    y = page.table(PX, y, cols, rows, size=6.2, row_h=3.6, bold_rows=[len(rows) - 1])
    # by commune
    if len(d.status) > MAX_TABLE_ROWS:  # a province or country: no room for the table
        page.lines_of_text(PX, y - 1, [tr("too_many_rows", lang, n=len(d.status))], size=6.6)
        return page
    y = page.heading(PX, y - 1, tr("by_commune", lang))
    rows = []
    for code, name in zip(com["code"], com["name"], strict=True):
        cnt = int(by_c["count"].get(code, 0))
        if not cnt and not bool(com.loc[com["code"] == code, "in_programme"].iloc[0]):
            continue
        rows.append([str(name), str(cnt), fmt_money(float(by_c["sum"].get(code, 0.0)), lang)])
    rows.append([tr("total", lang), str(len(prj)), fmt_money(float(prj["cap_total"].sum()),
                                                             lang)])
    avail = y - 19.0
    row_h = min(3.5, avail / (len(rows) + 1.2))
    page.table(PX, y, [(tr("col_commune", lang), 50, "left"),
                       (tr("col_projects", lang), 20, "right"),
                       (tr("col_capital", lang), 28, "right")], rows,
               size=min(6.2, row_h / 3.5 * 6.2), row_h=row_h, bold_rows=[len(rows) - 1])
    return page


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _nice_below(v: float) -> float:
    """The largest 1-2-5 x 10^k number not above ``v``."""
    k = 10 ** math.floor(math.log10(v))
    for m in (5, 2, 1):
        if m * k <= v:
            return m * k
    return k


def _circle_legend(page: Page, x: float, y: float, vmax: float, rmax: float,
                   lang: str) -> float:
    """Nested reference circles for round values; returns the y below them."""
    big = _nice_below(vmax) if vmax > 0 else 1.0
    values = [big, _nice_below(big / 3.5), _nice_below(big / 12)]
    cx = x + rmax + 1
    base = y - 2 * rmax - 1
    for v in values:
        r = rmax * math.sqrt(v / vmax)
        page.ov.add_artist(Circle((cx, base + r), r, facecolor=st.INVEST_CIRCLE["fc"],
                                  edgecolor="white", alpha=0.85, linewidth=page.pt(0.8)))
        page.ov.add_artist(Circle((cx, base + r), r, facecolor="none",
                                  edgecolor="#7f2704", linewidth=page.pt(0.3)))
        page.line([cx, cx + rmax + 4], [base + 2 * r, base + 2 * r], lw=0.3, color="#555555")
        page.text(cx + rmax + 5, base + 2 * r, fmt_number(v, lang), size=6.0, va="center")
    return base - 3.0


# -- progress page -------------------------------------------------------------------------
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
    from ntmgis.outputs.appendix._carto import nice_scale

    scale = nice_scale(phys * 1.02)
    com = d.communes
    inprog = com["in_programme"].to_numpy(bool)
    summary = []
    for i, year in enumerate(years):
        col, row = i % cols, i // cols
        x = 12.0 + col * cw + 2.0
        ytop = 182.0 - row * ch
        fr = page.map_frame(x, ytop - ch + 1.5, mw, mh, b, scale=scale)
        st_y = d.status_all[d.status_all["year"] == year]
        cls = dict(zip(st_y["code"], st_y["class"], strict=True))
        geoms = list(com.geometry[inprog])
        fr.fill_by(geoms, [st.fill(st.CLASS_COLORS.get(cls.get(c), st.MET_COLORS[""]))
                           for c in com["code"][inprog]], ec="none", lw=0, zorder=1)
        if (~inprog).any():
            o = st.OUT_OF_PROGRAMME
            fr.polygons(com.geometry[~inprog], fc=o["fc"], ec=o["ec"], hatch=o["hatch"],
                        lw=0.3, zorder=1)
        if ctx.hillshade is not None:
            fr.hillshade(ctx.hillshade)
        fr.polygons(com.geometry, ec=st.BOUNDARY_COMMUNE["ec"], lw=0.35, zorder=3)
        fr.polygons([d.district], ec=st.BOUNDARY_DISTRICT["ec"], lw=1.0, zorder=3.2)
        ntm_codes = set(st_y.loc[st_y["ntm"], "code"])
        if ntm_codes:
            xy = _rep_points(com[com["code"].isin(ntm_codes)].geometry)
            fr.ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="*",
                       markersize=page.pt(7), markerfacecolor="#ffd700",
                       markeredgecolor="#5a4a00", markeredgewidth=page.pt(0.5), zorder=7)
        n_ntm = len(ntm_codes)
        avg = float(st_y["criteria_met"].mean()) if len(st_y) else float("nan")
        below = int((st_y["criteria_met"] < (ws.plan.min_criteria or 10)).sum())
        vs = d.village_status
        v_ntm = int(vs.loc[vs["year"] == year, "ntm"].sum()) if len(vs) else 0
        summary.append((year, n_ntm, len(st_y), avg, below, v_ntm))
        page.text(x, ytop - 1.5, str(year), size=10, weight="bold", va="top")
        page.text(x + 14, ytop - 2.1, tr("prog_year", lang, ntm=n_ntm,
                                          avg=fmt_number(avg, lang, 2)), size=6.8, va="top")
    # sixth cell: legend, table, scale bar, north arrow
    x = 12.0 + 2 * cw + 2.0
    y = 183.0 - ch - 2.0
    y = page.heading(x, y, tr("legend", lang))
    entries: list[tuple] = []
    for k, color in st.CLASS_COLORS.items():
        entries.append(("patch", label("class", k, lang), dict(fc=st.fill(color),
                                                              ec="#4d4d4d")))
    entries.append(("marker", tr("ntm_marker", lang),
                    dict(marker="*", ms=7, mfc="#ffd700", mec="#5a4a00", mew=0.5)))
    if (~inprog).any():
        entries.append(("patch", tr("not_in_programme", lang), dict(st.OUT_OF_PROGRAMME)))
    y_leg = page.legend(x, y, entries, width=cw * 0.7, size=6.2)
    page.north_arrow(x + cw - 10.0, y - 9.0, tr("north", lang),
                     angle=_true_north_angle(ws.crs, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2),
                     size=8.0)
    min_c = ws.plan.min_criteria or 10
    rows = [[str(yr), f"{a}/{t}", fmt_number(avg, lang, 2), str(bl), str(v)]
            for yr, a, t, avg, bl, v in summary]
    y = page.table(x, y_leg - 1.0, [(tr("col_year", lang), 11, "left"),
                                     (tr("col_ntm", lang), 14, "right"),
                                     (tr("col_avg", lang), 20, "right"),
                                     (tr("col_below", lang, n=min_c), 21, "right"),
                                     (tr("col_ntm_villages", lang), 19, "right")],
                   rows, size=6.2, row_h=3.6)
    page.scale_bar(x + 2.0, y - 6.0, scale, cw * 0.45, lang,
                   scale_text=tr("same_scale", lang, d=fmt_number(scale, lang)),
                   background=False)
    return page


def _progress_years(d: AppendixData) -> list[int]:
    """The years the progress page shows: up to the appendix's year, at most five."""
    return [y for y in d.years if y <= d.year][-5:]


def _period(years: list[int]) -> str:
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


# -- the page list -------------------------------------------------------------------------
def plan_pages(ctx: Context) -> list[tuple[str, str, Callable[[int], Page]]]:
    """(kind, slug, builder(page_number)) of every page, in order."""
    lang = ctx.lang
    en = lang == "en"
    pages: list[tuple[str, str, Callable[[int], Page]]] = [
        ("overview", "overview" if en else "tong-quan", lambda n: page_overview(ctx, n))]
    for c in COMMUNE_CRITERIA:
        slug = f"{'criterion-' if en else 'tc'}{c.number:02d}-{_slug(c.name(lang))}"
        pages.append(("criteria", slug, lambda n, num=c.number: page_criterion(ctx, n, num)))
    for code, name in zip(ctx.data.status["code"], ctx.data.status["name"], strict=True):
        slug = f"{'commune' if en else 'xa'}-{_slug(short_name(name))}"
        pages.append(("communes", slug, lambda n, code=code: page_commune(ctx, n, code)))
    pages.append(("investment", "investment" if en else "von-dau-tu",
                  lambda n: page_investment(ctx, n)))
    pages.append(("progress",
                  f"{'progress' if en else 'tien-do'}-{_period(_progress_years(ctx.data))}",
                  lambda n: page_progress(ctx, n)))
    return pages
