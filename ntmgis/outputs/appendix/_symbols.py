"""Point symbols that would sit on one another, moved apart (commune pages).

A school, a health station, a project and a village recorded at the village's point
would print as one blot. :func:`spread_symbols` moves them apart just enough (by the
repulsion of :mod:`ntmgis.outputs.appendix._spread`), draws a thin leader from each moved
symbol to a small dot at its true place, and returns the layers with the moved points.
"""

from __future__ import annotations

import numpy as np
import shapely

from ntmgis.outputs.appendix._spread import relax

__all__ = ["spread_symbols", "TRUE_PLACE", "SYMBOL_RADIUS_MM", "SYMBOL_GAP_MM"]

# A symbol is about 2 mm across (5.2-6.6 pt): apart by its size and a hair.
SYMBOL_RADIUS_MM = 1.4
SYMBOL_GAP_MM = 0.4
# The dot at the true place of a moved symbol.
TRUE_PLACE = {"marker": "o", "ms": 1.7, "mfc": "#1a1a1a", "mec": "#1a1a1a", "mew": 0.2}


def spread_symbols(frame, layers: list) -> tuple:
    """``layers`` (GeoDataFrames of points) with overlapping symbols moved apart.

    Returns the layers (copies when a point moved) followed by whether any moved.
    """
    owners, xy = [], []
    for k, df in enumerate(layers):
        for j, g in enumerate(df.geometry if len(df) else []):
            if g is not None and not shapely.is_empty(g) and shapely.get_type_id(g) == 0:
                owners.append((k, j))
                xy.append((g.x, g.y))
    if len(xy) < 2:
        return (*layers, False)
    xy = np.asarray(xy, dtype=float)
    unit = frame.mm(1.0)
    pos, _ = relax(xy, np.full(len(xy), SYMBOL_RADIUS_MM * unit), gap=SYMBOL_GAP_MM * unit,
                   pull=0.05)
    shift = np.hypot(*(pos - xy).T)
    moved = shift > 0.25 * unit
    if not moved.any():
        return (*layers, False)
    out = [df.copy() for df in layers]
    for k, df in enumerate(out):
        idx = [i for i, (kk, _) in enumerate(owners) if kk == k]
        if not idx:
            continue
        geoms = list(df.geometry)
        for i in idx:
            geoms[owners[i][1]] = shapely.Point(pos[i]) if moved[i] else geoms[owners[i][1]]
        out[k] = df.set_geometry(np.asarray(geoms, dtype=object), crs=df.crs)
    segs = [np.array([xy[i], pos[i]]) for i in np.flatnonzero(moved)]
    from matplotlib.collections import LineCollection

    frame.ax.add_artist(LineCollection(segs, colors="#333333",
                                       linewidths=frame.page.pt(0.45), zorder=5.8))
    true = np.unique(xy[moved], axis=0)
    frame.ax.plot(true[:, 0], true[:, 1], linestyle="none", marker=TRUE_PLACE["marker"],
                  markersize=frame.page.pt(TRUE_PLACE["ms"]), markerfacecolor=TRUE_PLACE["mfc"],
                  markeredgecolor=TRUE_PLACE["mec"],
                  markeredgewidth=frame.page.pt(TRUE_PLACE["mew"]), zorder=5.9)
    return (*out, True)
