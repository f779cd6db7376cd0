"""The investment page: capital by commune as circles, and by source against the plan."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
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
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_investment"]


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
