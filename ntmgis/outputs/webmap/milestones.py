"""The roadmap's milestones on the web maps: which targets are late, each year.

The plan dates its targets ("năm 2023 … 100% quy hoạch chung"); a map of 2023 should say
that criterion 1 is late, not only that 9 of 13 communes meet it. Judged with
:mod:`ntmgis.monitoring.milestones` at the end of each year of the workspace, as the
report does ("Tiến độ so với lộ trình").
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.i18n import fmt_number
from ntmgis.core.periods import Period, parse_period
from ntmgis.monitoring.gpkg import MonitoringLayers
from ntmgis.monitoring.milestones import commune_milestones, judge_milestones, milestone_label
from ntmgis.outputs.report_programme import read_programme

__all__ = ["map_milestones", "milestone_summary_text"]


def _status(layers: MonitoringLayers, codes: list[str]) -> pd.DataFrame:
    cc = pd.DataFrame(layers.commune_criteria).drop(columns="geometry", errors="ignore")
    return cc[cc["code"].astype(str).isin(set(codes))].reset_index(drop=True)


def map_milestones(ws: Any, layers: MonitoringLayers, cset: CriteriaSet,
                   moments: list[Period], commune_index: dict[str, int], *,
                   criteria: tuple[int, ...] | None = None,
                   lang: str = "vi") -> dict | None:
    """The ``milestones`` block of the maps; None when the workspace has no roadmap.

    ``moments``: one per year of the maps (its end), keyed by its year; a period's map
    has the period in its year's place.

    Returns
    -------
    dict or None
        ``{"late": {year: {commune index: [criteria]}}, "area": {year: {criterion:
        [status, status label, communes meeting, communes needed, due label]}}}``:
        per year, each commune's criteria that are late against a target that names
        it (or needs every commune), and for each criterion the district-wide target
        that matters that year (due that year, else the next, else the last one due).
    """
    table = getattr(ws, "table", None)  # hand-made layers come with a bare namespace
    if table is None or table("roadmap") is None:
        return None
    if layers.commune_criteria is None or layers.commune_status is None:
        return None
    roadmap = read_programme(ws, cset, lang=lang).roadmap
    if roadmap is None or not len(roadmap):
        return None
    if criteria is not None:
        roadmap = roadmap[roadmap["criterion"].isin(list(criteria)).to_numpy(dtype=bool)]
    codes = sorted({str(c) for c in layers.commune_status["code"]})
    status = _status(layers, codes)
    if not codes or not len(roadmap) or not len(status):
        return None
    years = [p.year for p in moments]
    late: dict[str, dict[str, list[int]]] = {}
    per = commune_milestones(roadmap, status, at=moments, communes=codes, lang=lang)
    per = per[(per["status"] == "late").to_numpy(dtype=bool)]
    for y, code, crit in zip(per["at_year"], per["code"], per["criterion"], strict=True):
        i = commune_index.get(str(code))
        if i is None:
            continue
        row = late.setdefault(str(int(y)), {}).setdefault(str(i), [])
        if int(crit) not in row:
            row.append(int(crit))
    for rows in late.values():
        for v in rows.values():
            v.sort()
    area_rm = roadmap[(roadmap["scope"] == "area").to_numpy(dtype=bool)]
    area: dict[str, dict[str, list]] = {}
    if len(area_rm):
        judged = judge_milestones(area_rm, status, at=moments, communes=codes, lang=lang)
        for y in years:
            jy = judged[(judged["at_year"] == y).to_numpy(dtype=bool)]
            for crit, g in jy.groupby("criterion", sort=True):
                r = _relevant(g, y)
                area.setdefault(str(y), {})[str(int(crit))] = [
                    r["status"], milestone_label(r["status"], lang),
                    None if pd.isna(r["value"]) else int(r["value"]),
                    None if pd.isna(r["target"]) else int(r["target"]),
                    _due_text(r["due"], lang)]
    return {"late": late, "area": area, "total": len(codes)}


def _due_text(due: Any, lang: str) -> str:
    """``2023`` as it is; a shorter period by its label (``Quý III/2025``)."""
    p = parse_period(due, lang=lang)
    return str(p.year) if p.kind == "year" else p.label(lang)


def _relevant(g: pd.DataFrame, year: int) -> dict:
    """The target of one criterion that a map of ``year`` shows (see :func:`map_milestones`)."""
    due = g["due_year"].astype(int)
    for pick in (g[(due == year).to_numpy()], g[(due > year).to_numpy()]):
        if len(pick):
            first = pick[pick["due_year"] == pick["due_year"].min()]
            return first.sort_values("target", ascending=False).iloc[0].to_dict()
    past = g[g["due_year"] == g["due_year"].max()]
    return past.sort_values("target", ascending=False).iloc[0].to_dict()


def milestone_summary_text(ms: dict | None, year: int, criterion: int | None,
                           strings: dict[str, str], lang: str) -> str:
    """The title block's roadmap words for ``year``: one criterion's target, or the late ones.

    Empty without a roadmap, or when nothing is due or late.
    """
    if not ms:
        return ""
    area = ms["area"].get(str(year), {})
    if criterion is not None:
        a = area.get(str(criterion))
        if a is None:
            return ""
        status, label, value, target, due = a
        text = strings["roadmap_target"].format(
            due=due, n=fmt_number(target, lang) if target is not None else "–",
            total=fmt_number(ms["total"], lang))
        text += f" – {label}"
        if value is not None:
            text += " (" + strings["roadmap_value"].format(
                n=fmt_number(value, lang), total=fmt_number(ms["total"], lang)) + ")"
        return text
    late = sorted(int(c) for c, a in area.items() if a[0] == "late")
    if not late:
        return ""
    return strings["roadmap_late"].format(criteria=", ".join(map(str, late)))
