"""The criterion pages (one per criterion): met / not met by commune and the projects."""

from __future__ import annotations

import numpy as np
import shapely

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_money, fmt_percent, label
from ntmgis.outputs.appendix._carto import Page
from ntmgis.outputs.appendix._labels import LabelPlacer
from ntmgis.outputs.appendix._page_common import (
    MAX_TABLE_ROWS,
    PTOP,
    PW,
    PX,
    Context,
    _base,
    _commune_labels,
    _district_frame,
    _furniture,
    _locator,
    _project_symbols,
)
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_criterion"]


def page_criterion(ctx: Context, n: int, number: int) -> Page:
    """Met / not met by commune, the projects that serve the criterion, count vs target."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    crit = d.cset.get(number)
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
