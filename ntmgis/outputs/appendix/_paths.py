"""Geometries as matplotlib paths, and texts added without a clip path.

Shared by the page furniture (:mod:`ntmgis.outputs.appendix._carto`) and the
labels (:mod:`ntmgis.outputs.appendix._labels`).
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

__all__ = ["geoms_to_path", "add_text", "unique_edges", "line_segments"]


def geoms_to_path(geoms) -> MplPath | None:
    """One compound matplotlib path of (multi)polygons, holes included (vectorised)."""
    geoms = [g for g in np.asarray(geoms, dtype=object).ravel()
             if g is not None and not shapely.is_empty(g)]
    if not geoms:
        return None
    polys = shapely.get_parts(np.asarray(geoms, dtype=object))
    polys = polys[shapely.get_type_id(polys) == 3]
    if len(polys) == 0:
        return None
    # exterior and interior rings, in polygon order
    all_rings = []
    for p in polys:
        all_rings.append(shapely.get_exterior_ring(p))
        n = shapely.get_num_interior_rings(p)
        all_rings.extend(shapely.get_interior_ring(p, i) for i in range(n))
    verts, codes = [], []
    for ring in all_rings:
        xy = shapely.get_coordinates(ring)
        if len(xy) < 3:
            continue
        c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
        c[0] = MplPath.MOVETO
        c[-1] = MplPath.CLOSEPOLY
        verts.append(xy)
        codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def add_text(ax, x: float, y: float, s: str, **kw) -> Text:
    """``ax.text(x, y, s, **kw)`` for a text that is not clipped, made faster.

    ``Axes.text`` gives every text the axes' clip path even when it draws unclipped
    (``clip_on=False``, the default of ``Axes.text``): a fifth of the time spent
    building a page with a hundred texts. The text is the same, and so is its output.
    """
    if kw.get("clip_on", False):
        return ax.text(x, y, s, **kw)
    t = Text(x, y, text=s, **{"verticalalignment": "baseline",
                              "horizontalalignment": "left", "transform": ax.transData,
                              "clip_on": False, **kw})
    ax._add_text(t)
    return t


def unique_edges(polygons) -> np.ndarray:
    """The boundaries of ``polygons`` as lines, an edge two polygons share once.

    A commune's outline drawn ring by ring draws every shared edge twice: twice the
    vertices in the PDF and twice the stroking.
    """
    rings = shapely.boundary(np.asarray([g for g in polygons if g is not None], dtype=object))
    if len(rings) == 0:
        return np.asarray([], dtype=object)
    merged = shapely.line_merge(shapely.union_all(rings))
    return shapely.get_parts(merged)


def line_segments(geoms) -> list[np.ndarray]:
    """Coordinate arrays of every line part of ``geoms`` (for a LineCollection)."""
    geoms = np.asarray([g for g in geoms if g is not None], dtype=object)
    if len(geoms) == 0:
        return []
    parts = shapely.get_parts(geoms)
    parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    return [shapely.get_coordinates(p) for p in parts]
