"""How the programme is run, on the appendix: groups of communes and the roadmap's milestones.

A province-wide appendix draws its districts (or the workspace's own groups, ``[area]
group_by``) and orders the commune pages by group; a commune page flags the criteria the
commune is behind the roadmap on (``[tables.roadmap]``, judged as the report and the web
maps judge it, :mod:`ntmgis.monitoring.milestones`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.periods import Period
from ntmgis.core.workspace import Workspace
from ntmgis.monitoring.gpkg import read_layer
from ntmgis.monitoring.milestones import commune_milestones
from ntmgis.outputs.group_outlines import Group, group_outlines
from ntmgis.outputs.report_programme import read_programme

__all__ = ["Group", "appendix_groups", "late_criteria"]


def appendix_groups(ws: Workspace, communes: gpd.GeoDataFrame, lang: str) -> list[Group]:
    """The groups of ``communes`` sorted by code; empty when there are fewer than two."""
    return group_outlines(communes, communes.geometry.values, ws, lang=lang)


def late_criteria(ws: Workspace, gpkg, status_all: pd.DataFrame, cset: CriteriaSet,
                  year: int, lang: str) -> dict[str, list[int]]:
    """Per commune, the criteria it is behind the roadmap on at the end of ``year``.

    Empty without a roadmap. A district-wide target that needs every commune counts for
    each commune (:func:`~ntmgis.monitoring.milestones.commune_milestones`).
    """
    if ws.table("roadmap") is None:
        return {}
    roadmap = read_programme(ws, cset, lang=lang).roadmap
    if roadmap is None or not len(roadmap):
        return {}
    codes = sorted({str(c) for c in status_all["code"]})
    cc = read_layer(gpkg, "commune_criteria", geometry=False)
    cc = cc[cc["code"].astype(str).isin(set(codes))].reset_index(drop=True)
    judged = commune_milestones(roadmap, cc, at=[Period.of_year(int(year))], communes=codes,
                                lang=lang)
    late = judged[(judged["status"] == "late").to_numpy(dtype=bool)]
    out: dict[str, list[int]] = {}
    for code, crit in zip(late["code"], late["criterion"], strict=True):
        row = out.setdefault(str(code), [])
        if int(crit) not in row:
            row.append(int(crit))
    return {k: sorted(v) for k, v in out.items()}
