"""The progress page: communes by class for each year up to the appendix's year."""

from __future__ import annotations

import shapely

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_number
from ntmgis.outputs.appendix._carto import Page, _true_north_angle, nice_scale
from ntmgis.outputs.appendix._data import AppendixData
from ntmgis.outputs.appendix._page_common import Context, _rep_points
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_progress"]


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
    for i, year in enumerate(years):
        col, row = i % cols, i // cols
        x = 12.0 + col * cw + 2.0
        ytop = 182.0 - row * ch
        fr = page.map_frame(x, ytop - ch + 1.5, mw, mh, b, scale=scale)
        st_y = d.status_all[d.status_all["year"] == year]
        cls = dict(zip(st_y["code"], st_y["band"], strict=True))
        geoms = list(com.geometry[inprog])
        fr.fill_by(geoms, [st.fill(d.band_colors.get(cls.get(c), st.MET_COLORS[""]))
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
