"""The investment page: capital by commune as circles, and by source against the plan.

A province or a country has too many communes for a circle each: when the communes'
circles would overlap (:func:`by_group`), one circle per group (district) shows the
group's total instead, and the table lists the groups.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from matplotlib.patches import Circle

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_money, fmt_number, label
from ntmgis.core.vocabulary import FUNDING_SOURCES
from ntmgis.outputs.appendix._carto import MM_PER_PT, Page, circles
from ntmgis.outputs.appendix._labels import LabelPlacer
from ntmgis.outputs.appendix._page_common import (
    MAX_FORCED_LABELS,
    MAX_TABLE_ROWS,
    PTOP,
    PW,
    PX,
    Context,
    _base,
    _district_frame,
    _furniture,
    _locator,
    _rep_points,
    short_name,
)
from ntmgis.outputs.appendix._spread import relax
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_investment", "key_values", "by_group", "overlap_share", "AGGREGATE_SHARE"]


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
    labels = [short_name(name) for name in com["name"]]
    grouped = by_group(frame, xy, caps, len(d.groups))
    if grouped:  # one circle per group, at a point inside it, with the group's total
        labels = [str(g[1]) for g in d.groups]
        xy = _rep_points([shapely.union_all(np.asarray(list(
            com.geometry[com["code"].isin(set(g[3]))]), dtype=object)) for g in d.groups])
        caps = np.array([float(sum(by_c["sum"].get(c, 0.0) for c in g[3])) for g in d.groups])
    vmax = float(caps.max()) if len(caps) and caps.max() > 0 else 1.0
    has = caps > 0
    rmax, cxy = _place_circles(frame, xy, caps, vmax, d.district)
    radii = rmax * np.sqrt(caps / vmax)
    placer = LabelPlacer(frame)
    _furniture(ctx, frame, placer)
    if has.any():
        circles(frame, cxy[has], radii[has], fc=st.INVEST_CIRCLE["fc"], ec="white", lw=0.8,
                alpha=0.85, zorder=6)
        placer.obstacle_circles(cxy[has], radii[has] + 0.4)
    for i in np.argsort(-caps, kind="stable"):
        text = labels[i]
        if caps[i] > 0:
            text += "\n" + fmt_number(caps[i], lang)
        # labels go beside the circle (never on another one), else inside the commune
        r_pt = radii[i] / MM_PER_PT + 3.0
        placed = False
        for k in (1.0, 1.7):
            for dx, dy, ha, va in _AROUND:
                ex, ey = dx * (r_pt * k), dy * (r_pt * k)
                t, bb, kw = placer._make(cxy[i, 0], cxy[i, 1], text, ex, ey, ha, va, dict(
                    fontsize=page.pt(6.2), fontweight="bold", fontstyle="normal",
                    color="#222222"), 1.6)
                if placer._fits(bb):
                    placer._add(cxy[i, 0], cxy[i, 1], text, bb, kw, 1.6)
                    placed = True
                    break
            if placed:
                break
        if not placed:
            placer.place(xy[i, 0], xy[i, 1], text, size=6.2, area=True,
                         force=len(labels) <= MAX_FORCED_LABELS and caps[i] <= 0,
                         weight="bold")
    # panel
    y = _locator(ctx, page, PX, PTOP - 42, 60, 42)
    y = page.heading(PX, y, tr("legend", lang))
    if has.any():  # the circles' key only when circles are drawn
        if grouped:
            kind = _group_kind(ctx)
            y = page.lines_of_text(PX, y, [tr("cap_by_group", lang, kind=kind),
                                           tr("cap_by_group_note", lang, kind=kind)],
                                   size=6.8, width=PW)
        else:
            y = page.lines_of_text(PX, y, [tr("cap_by_commune", lang)], size=6.8)
        y = _circle_legend(page, PX, y, vmax, rmax, lang, vmin=float(caps[has].min()))
    y = page.legend(PX, y, base_entries, width=PW)
    # by source
    y = page.heading(PX, y - 1, tr("cap_by_source", lang))
    f = d.funding.set_index("source")
    rows = []
    tot_plan, tot_list = 0.0, 0.0
    for s in FUNDING_SOURCES:
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
    if grouped and len(d.groups) <= MAX_TABLE_ROWS:  # by group, as the map
        _group_table(ctx, page, y, by_c)
        return page
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
        cap = float(by_c["sum"].get(code, 0.0))
        rows.append([str(name), fmt_number(cnt, lang), fmt_money(cap, lang)])
    total = float(prj["cap_total"].sum())
    rows.append([tr("total", lang), fmt_number(len(prj), lang), fmt_money(total, lang)])
    avail = y - 19.0
    row_h = min(3.5, avail / (len(rows) + 1.2))
    page.table(PX, y, [(tr("col_commune", lang), 50, "left"),
                       (tr("col_projects", lang), 20, "right"),
                       (tr("col_capital", lang), 28, "right")], rows,
               size=min(6.2, row_h / 3.5 * 6.2), row_h=row_h, bold_rows=[len(rows) - 1])
    return page


def _group_kind(ctx: Context) -> str:
    """What a group is called in a sentence: "huyện" / "district", or ``[area] group_label``."""
    if ctx.ws.group_label:
        return str(ctx.ws.group_label).lower()
    return "district" if ctx.lang == "en" else "huyện"


def _group_table(ctx: Context, page: Page, y: float, by_c: pd.DataFrame) -> None:
    """The projects and capital of each group, and the total."""
    d, lang = ctx.data, ctx.lang
    y = page.heading(PX, y - 1, tr("by_group", lang, kind=_group_kind(ctx).upper()))
    rows = []
    for _, name, _, codes in d.groups:
        rows.append([str(name), fmt_number(int(sum(by_c["count"].get(c, 0) for c in codes)), lang),
                     fmt_money(float(sum(by_c["sum"].get(c, 0.0) for c in codes)), lang)])
    rows.append([tr("total", lang), fmt_number(len(d.projects), lang),
                 fmt_money(float(d.projects["cap_total"].sum()), lang)])
    row_h = min(3.5, (y - 19.0) / (len(rows) + 1.2))
    page.table(PX, y, [(tr("col_group", lang), 50, "left"),
                       (tr("col_projects", lang), 20, "right"),
                       (tr("col_capital", lang), 28, "right")], rows,
               size=min(6.2, row_h / 3.5 * 6.2), row_h=row_h, bold_rows=[len(rows) - 1])


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


# Label positions around a circle: right, left, above, below, then the diagonals.
_AROUND = ((1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
           (0, -1, "center", "top"), (0.72, 0.72, "left", "bottom"),
           (-0.72, 0.72, "right", "bottom"), (0.72, -0.72, "left", "top"),
           (-0.72, -0.72, "right", "top"))
RMAX = 8.0  # design mm of the largest circle, before it is scaled down to fit


def _place_circles(frame, xy: np.ndarray, caps: np.ndarray, vmax: float,
                   area) -> tuple[float, np.ndarray]:
    """(largest radius in design mm, centres): no two circles overlap, all in ``area``.

    Circles are pushed apart from their communes' points; when they cannot all fit,
    every one is scaled down by a tenth and the push starts again.
    """
    has = caps > 0
    out = np.asarray(xy, dtype=float).copy()
    if not has.any():
        return RMAX, out
    unit = frame.mm(1.0)
    # the circles together cover at most a quarter of the area (a province: smaller)
    area = shapely.simplify(area, 0.25 * unit)
    total = float(np.sum(caps[has] / vmax)) * math.pi * unit**2
    rmax = min(RMAX, math.sqrt(0.25 * shapely.area(area) / total)) if total > 0 else RMAX
    best = None
    for _ in range(14):
        radii = rmax * np.sqrt(caps[has] / vmax) * unit
        pos, ok = relax(out[has], radii, gap=0.5 * unit, area=area)
        best = (rmax, pos)
        if ok:
            break
        rmax *= 0.9
    rmax, pos = best
    out[has] = pos
    return rmax, out


# The rule for one circle per group (issue 13: "the capital circles merge into one blob").
# Each commune's circle is put at its commune at the page's design size (the largest
# RMAX mm: read at a glance, room for a label). When more than this share of the circles
# would then overlap another, making room (:func:`_place_circles` shrinks them to cover a
# quarter of the map, then pushes them apart) leaves specks too small to read or carry
# a label, and the map reads as one blob; the page sums them by group instead. Measured
# on A4: Mường Tè's 13 communes (circles cover 19 % of the map) 0 % overlap; synthetic
# provinces (benchmarks/synth.py) of 150 and 1.000 communes 100 % (circles would cover
# 290 % and 1.275 % of the map; drawn per commune the largest shrank to 2,4 and 1,1 mm).
AGGREGATE_SHARE = 0.5


def overlap_share(xy: np.ndarray, radii: np.ndarray) -> float:
    """The share of discs (centres ``xy``, ``radii``) that overlap at least one other."""
    xy = np.asarray(xy, dtype=float)
    radii = np.asarray(radii, dtype=float)
    n = len(xy)
    if n < 2:
        return 0.0
    pts = shapely.points(xy)
    # candidate pairs from a tree (a country has 10.000 circles), then the exact test
    left, right = shapely.STRtree(pts).query(pts, predicate="dwithin",
                                             distance=2.0 * float(radii.max()))
    keep = left < right
    left, right = left[keep], right[keep]
    hit = np.hypot(*(xy[left] - xy[right]).T) < radii[left] + radii[right]
    touched = np.zeros(n, dtype=bool)
    touched[left[hit]] = True
    touched[right[hit]] = True
    return float(touched.mean())


def by_group(frame, xy: np.ndarray, caps: np.ndarray, n_groups: int) -> bool:
    """Whether the page draws one circle per group: see :data:`AGGREGATE_SHARE`.

    Never with fewer than two groups, or fewer than two communes with capital.
    """
    has = np.asarray(caps, dtype=float) > 0
    if n_groups < 2 or has.sum() < 2:
        return False
    caps = np.asarray(caps, dtype=float)
    radii = RMAX * np.sqrt(caps[has] / float(caps.max())) * frame.mm(1.0)
    return overlap_share(np.asarray(xy)[has], radii) > AGGREGATE_SHARE


def key_values(vmin: float, vmax: float) -> list[float]:
    """Round values for the size key between ``vmin`` and ``vmax`` (three or four).

    19 098 - 61 321 -> 20 000, 40 000, 60 000: the largest 1-2-2.5-5 step giving three.
    """
    if vmax <= 0:
        return [1.0]
    vmin = max(min(vmin, vmax), 0.0)
    k = math.floor(math.log10(vmax))
    if vmax - vmin < vmax * 0.25:  # one size, or nearly: one round value below the largest
        return [_nice_below(vmax)]
    for kk in range(k, k - 4, -1):
        for m in (5, 2.5, 2, 1):
            step = m * 10**kk
            lo = math.ceil(vmin / step - 1e-9) * step
            vals = [lo + i * step for i in range(int((vmax - lo) / step + 1e-9) + 1)]
            vals = [v for v in vals if v > 0]
            if len(vals) >= 3:
                return vals if len(vals) <= 4 else vals[len(vals) % 2::2]
    return [_nice_below(vmax)]


def _nice_below(v: float) -> float:
    """The largest 1-2-5 x 10^k number not above ``v``."""
    k = 10 ** math.floor(math.log10(v))
    for m in (5, 2, 1):
        if m * k <= v:
            return m * k
    return k


def _circle_legend(page: Page, x: float, y: float, vmax: float, rmax: float,
                   lang: str, vmin: float | None = None) -> float:
    """Nested reference circles for round values spanning the data; returns the y below."""
    values = sorted(key_values(vmax if vmin is None else vmin, vmax), reverse=True)
    big = max(rmax * math.sqrt(values[0] / vmax), 2.0)
    cx = x + big + 1
    base = y - 2 * big - 1
    last_ty = None
    for v in values:
        r = rmax * math.sqrt(v / vmax)
        page.ov.add_artist(Circle((cx, base + r), r, facecolor=st.INVEST_CIRCLE["fc"],
                                  edgecolor="white", alpha=0.85, linewidth=page.pt(0.8)))
        page.ov.add_artist(Circle((cx, base + r), r, facecolor="none",
                                  edgecolor="#7f2704", linewidth=page.pt(0.3)))
        ty = base + 2 * r
        if last_ty is not None:  # keep the values' labels apart on small circles
            ty = min(ty, last_ty - 2.6)
        page.line([cx, cx + big + 3, cx + big + 4], [base + 2 * r, base + 2 * r, ty],
                  lw=0.3, color="#555555")
        page.text(cx + big + 5, ty, fmt_number(v, lang), size=6.0, va="center")
        last_ty = ty
    return min(base, (last_ty or base) - 1.5) - 3.0
