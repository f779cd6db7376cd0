"""The lines between groups of communes (districts, former districts, clusters) on the maps.

A province-wide workspace groups its communes above the commune; a planner reading a
province map wants to see where one district ends. The lines are drawn from the
communes' simplified coverage (the same edges the communes are drawn with), and only
when there is more than one group.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

from ntmgis.monitoring.compute import commune_groups
from ntmgis.outputs.webmap.encode import encode_lines, to_wgs84

__all__ = ["group_lines"]

_DISTRICT = ("district_code", "district_name")


def group_lines(communes: gpd.GeoDataFrame, geoms: gpd.GeoSeries, ws: Any, *,
                lang: str, strings: dict[str, str], valid: bool) -> dict | None:
    """The group boundaries of ``communes`` as the map's ``glines`` block.

    Parameters
    ----------
    communes : GeoDataFrame
        The communes layer (sorted as the map's commune block).
    geoms : GeoSeries
        Their simplified geometries (metric CRS), in the same order.
    ws : Workspace
        For ``[area] group_by`` and ``group_label``.
    lang : {"vi", "en"}
        Language of the legend title.
    strings : dict
        The map's texts (``map_strings``): ``group_lines`` and ``district_lines``.
    valid : bool
        Whether ``geoms`` form a valid coverage (then the faster coverage union).

    Returns
    -------
    dict or None
        ``{"title", "n", "names", "geom"}``: the legend title, the number of groups,
        their names (sorted by code) and one encoded multi-line of the groups' outer
        rings; None with fewer than two groups.
    """
    # the layer carries the user's own grouping (group_code) when it is not the district
    # (a duck-typed workspace of hand-made layers may lack the grouping keys)
    label = getattr(ws, "group_label", None)
    by = "group_code" if "group_code" in communes else getattr(ws, "group_by", None)
    if by is not None and by not in communes and by not in _DISTRICT:
        by = None  # a grouping column the built layers do not carry: the district
    groups = commune_groups(communes, by, getattr(ws, "district_code", ""),
                            getattr(ws, "name", ""), lang)
    keys = [groups[str(c)] for c in communes["code"]]
    distinct = sorted({k for k in keys if k[0]})
    if len(distinct) < 2:
        return None
    outlines = []
    for g in distinct:
        parts = geoms.values[[k == g for k in keys]]
        union = shapely.coverage_union_all(parts) if valid else shapely.union_all(parts)
        # outer rings only: a gap between communes inside a group is not a line to draw,
        # and an enclave of another group is drawn by that group's own outline
        outlines.extend(shapely.get_exterior_ring(shapely.get_parts(union)))
    # Each group's outline whole, shared edges twice: noding the outlines into one
    # network breaks where two groups' simplified edges differ by centimetres (a
    # source with gaps) into dozens of slivers; an opaque line drawn twice looks once.
    lines = shapely.multilinestrings(outlines)
    title_key = "district_lines" if by in (None, *_DISTRICT) and not label else "group_lines"
    title = strings[title_key].format(group=(label or "").lower())
    return {"title": title, "n": len(distinct), "names": [n for _, n in distinct],
            "geom": encode_lines(to_wgs84(gpd.GeoSeries([lines], crs=geoms.crs)).values)[0]}
