"""The overview page: communes by criteria met, NTM communes, summary against the plan."""

from __future__ import annotations

import ntmgis.outputs.appendix._style as st
from ntmgis.core.i18n import fmt_number, fmt_percent
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
    _rep_points,
)
from ntmgis.outputs.appendix._text import tr

__all__ = ["page_overview"]


def page_overview(ctx: Context, n: int) -> Page:
    """Communes by criteria-met class, NTM communes marked, summary against the plan."""
    d, lang, ws = ctx.data, ctx.lang, ctx.ws
    page = ctx.new_page(n, tr("title_overview", lang))
    frame = _district_frame(ctx, page)
    status = d.status
    cls = dict(zip(status["code"], status["band"], strict=True))
    colors = {c: st.fill(d.band_colors.get(k, st.MET_COLORS[""])) for c, k in cls.items()}
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
        status) else len(d.cset)
    met = {c: f"{int(m)}/{total}"
           for c, m in zip(status["code"], status["criteria_met"], strict=True)}
    _commune_labels(ctx, frame, placer, second_line=met, avoid_star=ntm_codes)

    # panel: legend
    y = _locator(ctx, page, PX, PTOP - 42, 60, 42)
    y = page.heading(PX, y, tr("legend", lang))
    counts = status["band"].value_counts()
    entries: list[tuple] = [("heading", tr("criteria_met", lang))]
    for k, color in d.band_colors.items():
        color = st.fill(color)
        if counts.get(k, 0):
            entries.append(("patch", f"{d.band_label(k, lang)}: "
                            f"{tr('communes_in_class', lang, n=int(counts[k]))}",
                            dict(fc=color, ec="#4d4d4d")))
    if ntm_codes:
        entries.append(("marker", tr("ntm_marker", lang),
                        dict(marker="*", ms=9, mfc="#ffd700", mec="#5a4a00", mew=0.6)))
    entries += base_entries
    entries.append(("note", _label_note(lang, total)))
    y = page.legend(PX, y, entries, width=PW)

    # panel: summary against the plan
    y = page.heading(PX, y - 1, ctx.summary_title())
    rows, fills = _summary_rows(ctx)
    y = page.table(PX, y, [(tr("tbl_indicator", lang), 44, "left"),
                           (tr("tbl_result", lang, year=d.year), 24, "right"),
                           (tr("tbl_plan", lang, year=ws.plan_year), 30, "right")],
                   rows, fills=fills, size=6.4, row_h=3.9)
    y = plan_key(page, PX, y, fills, lang)
    # panel: communes, criteria met, class
    if len(d.status) > MAX_TABLE_ROWS:  # a province or country: no room for the table
        page.lines_of_text(PX, y - 1, [tr("too_many_rows", lang, n=len(d.status))], size=6.6)
        return page
    y = page.heading(PX, y - 1, tr("by_commune", lang))
    rows, fills = [], []
    for name, n_met, k in zip(status["name"], status["criteria_met"], status["band"], strict=True):
        rows.append([str(name), f"{int(n_met)}/{total}", d.band_label(k, lang)])
        fills.append([None, None, st.tint(d.band_colors.get(k, '#dddddd'))])
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
    min_c = plan.min_criteria or d.cset.bands[-1]  # the plan's floor, else the lowest band
    below = int((status["criteria_met"] < min_c).sum())
    vil = d.villages[d.villages["commune_code"].isin(set(status["code"]))]
    v_total = len(vil)
    v_ntm = int(vil["ntm"].sum())
    plan_avg = (sum(d.targets.values()) / n) if (n and len(d.targets) == len(
        d.cset)) else None

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
    ok, bad = st.PLAN_MET, st.PLAN_SHORT

    def judge(target, reached: bool) -> str | None:  # no plan figure: nothing to judge
        return None if target is None else (ok if reached else bad)

    v_known = bool(len(vil)) and bool(vil["ntm_known"].any()) if "ntm_known" in vil else True
    if not v_known:  # no village status at all: not "0 villages", but no data
        rows[3][1] = tr("no_data", lang)
    fills = [
        [None, judge(plan.ntm_communes, n_ntm >= (plan.ntm_communes or 0)), None],
        [None, judge(plan_avg, plan_avg is not None and avg >= plan_avg - 1e-9), None],
        [None, judge(plan.min_criteria, below == 0), None],
        [None, judge(plan.ntm_villages if v_known else None,
                     v_ntm >= (plan.ntm_villages or 0)), None],
    ]
    return rows, fills


def plan_key(page, x: float, y: float, fills, lang: str) -> float:
    """The key of the summary's cell colours (only those used); returns the y below it."""
    used = {c for row in fills for c in row if c}
    entries = [("patch", tr(key, lang), dict(fc=color, ec="#8a8a8a", lw=0.3))
               for color, key in ((st.PLAN_MET, "plan_reached"), (st.PLAN_SHORT, "plan_short"))
               if color in used]
    if not entries:
        return y
    return page.legend(x, y + 1.0, entries, width=98, size=6.0, columns=2)
