"""Units merged from smaller ones, without the false holes that gaps between them leave.

Real boundaries do not fit: neighbours leave gaps between them (the 2009 set of
Vietnam's communes has 32.089). Merged into a larger unit (the old communes into a
2025 commune, the communes into a district or a province on the web map), a gap
wholly inside the new unit becomes a hole that the source does not have. A hole of
the merged unit is kept only when the source explains it:

- the merged units' own polygons have a hole there (half its area or more lies in
  their interior rings: a lake, an enclave that the source cut out), or
- a unit outside the merged ones (``others``) reaches into it (an enclave of
  another district, surrounded by several communes of this one);

any other hole is a gap between the source's boundaries, and is filled.
Used by :mod:`ntmgis.monitoring.crosswalk` and the web map's
districts and provinces (:mod:`ntmgis.outputs.webmap.levels`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["dissolve_units", "fill_false_holes", "source_holes"]


def source_holes(geoms: Any) -> shapely.Geometry | None:
    """The union of the interior rings of ``geoms`` (polygons), or None when they have none."""
    geoms = np.asarray(list(geoms), dtype=object)
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]
    with_holes = parts[shapely.get_num_interior_rings(parts) > 0]
    rings = [shapely.Polygon(r) for p in with_holes for r in p.interiors]
    return shapely.union_all(rings) if rings else None


def fill_false_holes(merged: shapely.Geometry, geoms: Any, *,
                     others: Any = None) -> shapely.Geometry:
    """``merged`` (the union of ``geoms``) with only the holes its source explains.

    Parameters
    ----------
    merged : shapely geometry
        The union of ``geoms`` (``shapely.union_all`` or, for a valid coverage,
        ``shapely.coverage_union_all``).
    geoms : sequence of shapely geometries
        The units merged.
    others : sequence of shapely geometries, optional
        Units that are not part of ``merged`` near it (those of other merged units):
        a hole one of them reaches into is kept.

    Returns
    -------
    shapely.MultiPolygon
        The polygons of ``merged`` (other parts dropped), each keeping the interior
        rings the source explains (see the module's docstring).
    """
    polys = shapely.get_parts(merged)
    polys = polys[shapely.get_type_id(polys) == 3]
    if not (shapely.get_num_interior_rings(polys) > 0).any():
        return shapely.MultiPolygon(list(polys))
    real = source_holes(geoms)
    # every interior ring of every polygon at once (a country's districts have hundreds)
    n_in = shapely.get_num_interior_rings(polys)
    owner = np.repeat(np.arange(len(polys)), n_in)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(n_in) - n_in, n_in)
    rings = shapely.get_interior_ring(polys[owner], nth)
    holes = shapely.polygons(rings)
    explained = np.zeros(len(holes), dtype=bool)
    if real is not None:
        explained = shapely.area(shapely.intersection(holes, real)) >= 0.5 * shapely.area(holes)
    other = np.asarray(list(others), dtype=object) if others is not None else None
    if other is not None and len(other) and not explained.all():
        todo = np.flatnonzero(~explained)
        h, o = shapely.STRtree(other).query(holes[todo], predicate="intersects")
        reach = shapely.area(shapely.intersection(holes[todo[h]], other[o])) > 0
        explained[todo[h[reach]]] = True
    parts = [shapely.Polygon(poly.exterior, list(rings[(owner == k) & explained]))
             for k, poly in enumerate(polys)]
    return shapely.MultiPolygon(parts)


def dissolve_units(geoms: Any, *, others: Any = None) -> shapely.Geometry:
    """The union of ``geoms`` without the false holes left by gaps between them.

    See :func:`fill_false_holes` (``others``: the units of other merged units).
    """
    geoms = np.asarray(list(geoms), dtype=object)
    return fill_false_holes(shapely.union_all(geoms), geoms, others=others)
