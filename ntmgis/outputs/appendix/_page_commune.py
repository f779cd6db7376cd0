"""The commune pages (one per commune): villages, projects, facilities, scorecard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_money, label
from ntmgis.outputs.appendix._carto import Page
from ntmgis.outputs.appendix._labels import LabelPlacer
from ntmgis.outputs.appendix._page_common import (
    MAP,
    PTOP,
    Context,
    _furniture,
    _inner_anchors,
    _locator,
    _project_symbols,
    _rep_points,
    commune_edges,
    communes_union,
    short_name,
)
from ntmgis.outputs.appendix._symbols import TRUE_PLACE, spread_symbols
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_commune", "missed_text"]


def page_commune(ctx: Context, n: int, code: str) -> Page:
    """Villages (NTM or not), projects, facilities, and the criteria scorecard (19, 10)."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    com = d.communes
    row = com[com["code"] == code].iloc[0]
    geom = row.geometry
    name = str(row["name"])
    page = ctx.new_page(n, tr("title_commune", lang, name=name.upper(), n=len(d.cset)))
    mw = 158.0
    frame = page.map_frame(MAP[0], MAP[1], mw, MAP[3], shapely.bounds(geom), margin=0.06)
    x0, x1, y0, y1 = frame.extent
    view = shapely.box(x0, y0, x1, y1)
    srow = d.status[d.status["code"] == code]
    cls = str(srow["band"].iloc[0]) if len(srow) else ""
    # neighbours on paper, this commune tinted by its class
    entries: list[tuple] = []
    frame.polygons([communes_union(ctx)], fc="#f4f4f0", ec="none",
                   lw=0, zorder=1)
    frame.polygons([geom], fc=st.PAPER_FILL, ec="none", lw=0, zorder=1.1)
    if ctx.hillshade is not None:
        frame.hillshade(ctx.hillshade)
    frame.veil(geom, alpha=0.55, zorder=2.5)
    frame.edges(commune_edges(ctx), ec="#8a8a8a", lw=0.4, zorder=3)
    frame.polygons([d.district], ec=st.BOUNDARY_DISTRICT["ec"], lw=st.BOUNDARY_DISTRICT["lw"],
                   zorder=3.1, ls=(0, (6, 1.5, 1, 1.5)))
    fl = st.FOCUS_LINE
    frame.polygons([geom], ec=fl["casing"], lw=fl["casing_lw"], alpha=fl["casing_alpha"],
                   zorder=3.25)
    frame.polygons([geom], ec=fl["color"], lw=fl["lw"], zorder=3.3)
    entries.append(("line", tr("this_commune", lang), dict(fl)))
    entries.append(("line", ctx.boundary_label(),
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
    # symbols at one place (a school, a project and a village at the village's point)
    # are moved apart, each on a thin leader from a dot at the true place
    prj, fac, vil, moved = spread_symbols(frame, [prj, fac, vil])
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
    known = vil["ntm_known"].to_numpy(bool) if "ntm_known" in vil else np.ones(len(vil), bool)
    for ntm, key in ((True, "village_ntm"), (False, "village_not"), (None, "village_unknown")):
        sel = vil[~known] if ntm is None else vil[known & (vil["ntm"] == ntm).to_numpy(bool)]
        if len(sel):
            frame.points(sel.geometry, **st.VILLAGE_STYLE[ntm], zorder=7)
            vil_entries.append(("marker", tr(key, lang), st.VILLAGE_STYLE[ntm]))
    if vil_entries:
        entries += [("heading", tr("villages", lang))] + vil_entries
    if moved:
        entries.append(("marker", tr("symbol_true_place", lang), TRUE_PLACE))
    # labels: furniture, symbols, then villages, then the commune and its neighbours
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    for g in (prj.geometry, fac.geometry if len(fac) else [], vil.geometry):
        placer.obstacle_points(shapely.get_coordinates(np.asarray(list(g), dtype=object)),
                               radius_pt=3.6)
    vxy = shapely.get_coordinates(np.asarray(list(vil.geometry), dtype=object))
    for (vx, vy), vname, ntm in zip(vxy, vil["name"], vil["ntm"], strict=True):
        for offset in (1.0, 2.2, 3.4):  # further out where symbols crowd the place
            if placer.place(vx, vy, str(vname), size=6.0, weight="bold" if ntm else "normal",
                            color="#1a1a1a", offset=offset):
                break
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
    facts, flag = [], ""
    if len(srow):
        r = srow.iloc[0]
        met = int(r["criteria_met"])
        total = int(r["criteria_total"]) if "criteria_total" in r else len(d.cset)
        facts.append(tr("com_met", lang, met=met, total=total,
                        ntm=tr("com_ntm_suffix", lang) if bool(r["ntm"]) else ""))
        tgt = _target_text(r, lang)
        if tgt:
            facts.append(tr("com_target", lang, year=ws.plan_year, target=tgt))
        flag = missed_text(r, d.year, ws.plan_year, lang)
    if len(vil) and not known.any():
        facts.append(tr("com_villages_unknown", lang, total=len(vil)))
    else:
        facts.append(tr("com_villages", lang, n=int(vil["ntm"].sum()), total=len(vil)))
    facts.append(tr("com_projects", lang, n=len(prj),
                    cap=fmt_money(float(prj["cap_total"].sum()), lang)))
    fx = px + loc_w + 3.0
    fy = top - 1.0
    if cls:
        page.box(fx, fy - 4.2, 4.0, 3.2, fc=st.fill(d.band_colors.get(cls, "#dddddd")),
                 ec="#4d4d4d", lw=0.3)
        page.text(fx + 5.5, fy - 2.6, d.band_label(cls, lang), size=6.6, va="center",
                  weight="bold")
        fy -= 5.5
    wrapped = []
    for f in facts:
        wrapped += _wrap(page, f, pw - loc_w - 3.0, 6.6)
    fy = page.lines_of_text(fx, fy, wrapped, size=6.6)
    late = d.late.get(code)
    if late:  # the roadmap's targets this commune is behind on ([tables.roadmap])
        flag = (flag + "\n" if flag else "") + tr("com_late", lang,
                                                   criteria=", ".join(map(str, late)))
    if len(srow) and flag:
        lines = [w for part in flag.split("\n") for w in _wrap(page, part, pw - loc_w - 3.0,
                                                                 6.6)]
        page.lines_of_text(fx, fy + 0.6, lines, size=6.6, weight="bold",
                           color=st.MISSED_COLOR)
    # scorecard
    y = page.heading(px, top - 41.0, tr("scorecard", lang, year=d.year, n=len(d.cset)))
    rows, fills = [], []
    hist = d.status_all[d.status_all["code"] == code].sort_values("year")
    for c in d.cset:
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


def missed_text(r, year: int, plan_year: int | None, lang: str) -> str:
    """The flag of a commune short of its target: missed in or after the plan year, else behind.

    Empty when the commune has no target or meets it.
    """
    def get(k):
        v = r.get(k) if hasattr(r, "get") else None
        return None if v is None or bool(pd.isna(v)) else v

    parts = []
    if get("target_ntm") is not None and bool(get("target_ntm")) and not bool(r["ntm"]):
        parts.append(tr("gap_ntm", lang))
    tc = get("target_criteria")
    met = int(r["criteria_met"])
    if tc is not None and met < int(tc):
        parts.append(tr("gap_criteria", lang, n=int(tc) - met))
    if not parts:
        return ""
    key = "com_missed" if plan_year is None or year >= int(plan_year) else "com_behind"
    return tr(key, lang, year=plan_year or year, gap=", ".join(parts))


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
