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

from ntmgis.outputs.group_outlines import group_outlines, is_district_grouping
from ntmgis.outputs.webmap.encode import encode_lines, to_wgs84

__all__ = ["group_lines"]


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
    groups = group_outlines(communes, geoms.values, ws, lang=lang, coverage=valid)
    if not groups:
        return None
    # Each group's outline whole, shared edges twice: noding the outlines into one
    # network breaks where two groups' simplified edges differ by centimetres (a
    # source with gaps) into dozens of slivers; an opaque line drawn twice looks once.
    lines = shapely.multilinestrings(shapely.get_parts([g[2] for g in groups]))
    label = getattr(ws, "group_label", None)
    title_key = "district_lines" if is_district_grouping(communes, ws) and not label \
        else "group_lines"
    title = strings[title_key].format(group=(label or "").lower())
    return {"title": title, "n": len(groups), "names": [g[1] for g in groups],
            "geom": encode_lines(to_wgs84(gpd.GeoSeries([lines], crs=geoms.crs)).values)[0]}
