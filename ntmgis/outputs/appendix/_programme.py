"""How the programme is run, on the appendix: groups of communes and the roadmap's milestones.

A province-wide appendix draws its districts (or the workspace's own groups, ``[area]
group_by``) and orders the commune pages by group; a commune page flags the criteria the
commune is behind the roadmap on (``[tables.roadmap]``, judged as the report and the web
maps judge it, :mod:`ntmgis.monitoring.milestones`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.periods import Period
from ntmgis.core.workspace import Workspace
from ntmgis.monitoring.compute import commune_groups
from ntmgis.monitoring.gpkg import read_layer
from ntmgis.monitoring.milestones import commune_milestones
from ntmgis.outputs.report_programme import read_programme

__all__ = ["Group", "appendix_groups", "late_criteria"]

_DISTRICT = ("district_code", "district_name")

#: A group of communes: code, name, its outer rings (one geometry) and its communes.
Group = tuple[str, str, shapely.Geometry, tuple[str, ...]]


def appendix_groups(ws: Workspace, communes: gpd.GeoDataFrame, lang: str) -> list[Group]:
    """The groups of ``communes`` sorted by code; empty when there are fewer than two.

    The communes layer carries ``group_code`` when the workspace grouped by a column of its
    own; else the district (``district_code``, named by ``district_name``).
    """
    by = "group_code" if "group_code" in communes else ws.group_by
    if by is not None and by not in communes and by not in _DISTRICT:
        by = None  # a column the built layers do not carry: the district
    groups = commune_groups(communes, by, ws.district_code, ws.name, lang)
    keys = [groups[str(c)] for c in communes["code"]]
    distinct = sorted({k for k in keys if k[0]})
    if len(distinct) < 2:
        return []
    out = []
    for code, name in distinct:
        mask = [k == (code, name) for k in keys]
        union = shapely.union_all(communes.geometry.values[mask])
        # outer rings only: slivers between communes inside a group are no boundary
        rings = shapely.get_exterior_ring(shapely.get_parts(union))
        members = tuple(str(c) for c, m in zip(communes["code"], mask, strict=True) if m)
        out.append((code, name, shapely.multilinestrings(rings), members))
    return out


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
