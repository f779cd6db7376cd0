"""Groups of communes above the commune (districts, former districts, clusters) as outlines.

The web maps draw the group lines from the communes' simplified coverage, the appendix
from the communes themselves; both take the grouping the same way: the ``group_code``
the built layers carry for a grouping of the user's own (``[area] group_by``), else the
district (:func:`ntmgis.monitoring.compute.commune_groups`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from ntmgis.monitoring.compute import commune_groups

__all__ = ["Group", "group_outlines", "is_district_grouping"]

_DISTRICT = ("district_code", "district_name")

#: A group: code, name, its outer rings (one MultiLineString) and its communes' codes.
Group = tuple[str, str, shapely.Geometry, tuple[str, ...]]


def _grouping(communes: pd.DataFrame, ws: Any) -> str | None:
    # a duck-typed workspace of hand-made layers may lack the grouping keys
    by = "group_code" if "group_code" in communes else getattr(ws, "group_by", None)
    if by is not None and by not in communes and by not in _DISTRICT:
        return None  # a grouping column the built layers do not carry: the district
    return by


def is_district_grouping(communes: pd.DataFrame, ws: Any) -> bool:
    """Whether the groups of :func:`group_outlines` are districts (not the user's own)."""
    return _grouping(communes, ws) in (None, *_DISTRICT)


def group_outlines(communes: pd.DataFrame, geoms: Any, ws: Any, *, lang: str = "vi",
                   coverage: bool = False) -> list[Group]:
    """The groups of ``communes`` sorted by code, with their outer rings.

    Parameters
    ----------
    communes : DataFrame
        The communes layer (``code`` and the grouping columns).
    geoms : array-like of shapely geometries
        The communes' geometries in the same order (simplified, for a web map).
    ws : Workspace
        For ``[area] group_by`` and the district's code and name.
    lang : {"vi", "en"}
        Language of the error for a grouping column the layer lacks.
    coverage : bool
        ``geoms`` form a valid coverage: the faster coverage union.

    Returns
    -------
    list of Group
        Empty with fewer than two groups. Outer rings only: a gap between communes
        inside a group is no boundary, and an enclave of another group is drawn by
        that group's own outline.
    """
    groups = commune_groups(communes, _grouping(communes, ws), getattr(ws, "district_code", ""),
                            getattr(ws, "name", ""), lang)
    keys = [groups[str(c)] for c in communes["code"]]
    distinct = sorted({k for k in keys if k[0]})
    if len(distinct) < 2:
        return []
    geoms = np.asarray(list(geoms), dtype=object)
    codes = np.asarray([str(c) for c in communes["code"]], dtype=object)
    out = []
    for g in distinct:
        mask = np.array([k == g for k in keys], dtype=bool)
        union = shapely.coverage_union_all(geoms[mask]) if coverage else \
            shapely.union_all(geoms[mask])
        rings = shapely.get_exterior_ring(shapely.get_parts(union))
        # as lines, not rings: WKB has no rings, so a page worker's pickled copy held
        # lines, and GEOS simplifies a ring from another start (the appendix's bytes
        # differed between 1 and 2 workers)
        xy, part = shapely.get_coordinates(rings, return_index=True)
        lines = shapely.linestrings(xy, indices=part)
        out.append((g[0], g[1], shapely.multilinestrings(lines), tuple(codes[mask])))
    return out
