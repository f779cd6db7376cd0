"""Moving map symbols apart: proportional circles and point symbols that would overlap.

:func:`relax` pushes discs apart until none overlaps another (a simple, deterministic
repulsion: no random numbers, the same positions every run), pulling each gently back
to its true place and, when asked, keeping each wholly inside an area. The investment
page uses it for its circles (and scales them down when they cannot fit), commune
pages for facility, project and village symbols that sit at one place.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["relax", "overlaps", "outside"]

_GOLDEN = 2.399963229728653  # radians: spreads coincident symbols evenly around their place


def overlaps(xy: np.ndarray, radii: np.ndarray, gap: float = 0.0, tol: float = 1e-6) -> int:
    """How many pairs of discs (centres ``xy``, ``radii``) overlap (closer than ``gap``)."""
    n = len(xy)
    if n < 2:
        return 0
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    need = radii[:, None] + radii[None, :] + gap
    iu = np.triu_indices(n, 1)
    return int((d[iu] < need[iu] - tol).sum())


def outside(xy: np.ndarray, radii: np.ndarray, area, tol: float = 0.02) -> int:
    """How many discs are not wholly inside ``area`` (``tol``: a share of the radius)."""
    if area is None or len(xy) == 0:
        return 0
    pts = shapely.points(xy)
    inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    dist = shapely.distance(shapely.boundary(area), pts)
    return int((~inside | (dist < radii * (1 - tol))).sum())


def relax(xy: np.ndarray, radii: np.ndarray, *, gap: float = 0.0, area=None,
          pull: float = 0.03, iters: int = 400) -> tuple[np.ndarray, bool]:
    """Centres near ``xy`` at which no two discs overlap (and all lie inside ``area``).

    Returns the centres and whether every constraint holds. Discs at the same place
    are spread at golden-angle steps, so the result never depends on chance.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float).reshape(-1)
    n = len(xy)
    p = xy.copy()
    if n == 0:
        return p, True
    shrunk = None
    if area is not None:
        shrunk = shapely.buffer(np.full(n, area, dtype=object), -radii, quad_segs=4)
        if shapely.is_empty(shrunk).any():
            return p, False
        shapely.prepare(shrunk)
    i_idx, j_idx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    ang = _GOLDEN * (np.minimum(i_idx, j_idx) * 7 + np.maximum(i_idx, j_idx))
    sign = np.where(i_idx < j_idx, 1.0, -1.0)
    fallback = np.stack([np.cos(ang) * sign, np.sin(ang) * sign], axis=-1)
    need = (radii[:, None] + radii[None, :] + gap) * 1.002  # a hair more: no residual touch
    np.fill_diagonal(need, 0.0)
    scale = float(radii.max()) if radii.max() > 0 else 1.0
    for it in range(iters):
        d = p[:, None, :] - p[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        over = need - dist
        np.fill_diagonal(over, 0.0)
        over[over < 0] = 0.0
        unit = np.where((dist > scale * 1e-6)[..., None], d / np.maximum(dist, 1e-12)[..., None],
                        fallback)
        move = (unit * (over * 0.5)[..., None]).sum(axis=1)
        if it < iters * 0.7:  # pulled back to the true place, then free to settle
            move += (xy - p) * pull
        p = p + move
        if shrunk is not None:
            p = _into(p, shrunk)
        if over.max() <= scale * 1e-4 and it > 2:
            break
    ok = overlaps(p, radii, gap) == 0 and (area is None or outside(p, radii, area) == 0)
    return p, ok


def _into(p: np.ndarray, shrunk: np.ndarray) -> np.ndarray:
    """Each centre moved onto the nearest point of its own shrunk area when outside it."""
    inside = shapely.contains_xy(shrunk, p[:, 0], p[:, 1])
    if inside.all():
        return p
    out = p.copy()
    idx = np.flatnonzero(~inside)
    lines = shapely.shortest_line(shrunk[idx], shapely.points(p[idx]))
    out[idx] = shapely.get_coordinates(shapely.get_point(lines, 0))
    return out
