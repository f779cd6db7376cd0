"""Polygons simplified as a coverage for the web maps: shared edges stay shared.

The communes are cleaned (``shapely.coverage_clean``: overlaps and narrow
gaps between neighbours removed, shared edges snapped together) and
simplified together (``shapely.coverage_simplify``), so neighbours keep
exactly the same edges at every zoom and the page can store each edge once
(:func:`ntmgis.outputs.webmap.encode.encode_polygon_arcs`). The monitoring
layers themselves are never changed.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.i18n import catalog, t

__all__ = ["MapCoverage", "map_coverage", "probe_fails", "release_memory",
           "simplify_coverage", "simplify_coverage_parts", "thin_coverage"]

_m = catalog({
    "communes_empty": ("{path}: lớp 'communes' (ranh giới xã) trống: không có gì để vẽ",
                       "{path}: the 'communes' layer is empty: there is nothing to draw"),
    "communes_no_crs": ("{path}: lớp 'communes' không có hệ tọa độ; chạy lại 'ntmgis build'",
                        "{path}: the 'communes' layer has no CRS; run 'ntmgis build' again"),
}, t)

# polygons checked first, in map order (codes: neighbours), before the whole coverage
PROBE = 500


def probe_fails(values: np.ndarray) -> bool:
    """True when the first ``PROBE`` polygons (a quarter, at most) are not a valid coverage.

    Part of a valid coverage is a valid coverage, so a part that is not shows
    that the whole is not (real boundaries fail within a few hundred communes):
    the whole is then cleaned without being checked first.
    """
    probe = min(PROBE, len(values) // 4)
    return probe >= PROBE // 10 and not shapely.coverage_is_valid(values[:probe])


# Cleaning in parts: ``coverage_clean`` of a whole country takes a gigabyte inside
# GEOS (10.000 communes of surveyed boundaries); cleaned a part at a time, each with
# the neighbours that touch it, it takes a few hundred MB and the same time.
CHUNK = 1000
# GEOS' own snapping distance for coverage_clean (the input's diameter / 1e8): given
# explicitly, so that every part snaps as the whole country would
SNAP_FACTOR = 1e8


def _snapping_distance(values: np.ndarray) -> float:
    x0, y0, x1, y1 = shapely.total_bounds(values)
    return float(np.hypot(x1 - x0, y1 - y0)) / SNAP_FACTOR


def _parts(idx: np.ndarray, xy: np.ndarray, size: int) -> list[np.ndarray]:
    """``idx`` split in halves along the longer side of their centres, down to ``size``."""
    if len(idx) <= size:
        return [idx]
    sub = xy[idx]
    axis = int(np.ptp(sub[:, 1]) > np.ptp(sub[:, 0]))
    order = idx[np.argsort(sub[:, axis], kind="stable")]
    half = len(order) // 2
    return _parts(order[:half], xy, size) + _parts(order[half:], xy, size)


def _neighbours(tree: shapely.STRtree, values: np.ndarray, sel: np.ndarray,
                distance: float) -> np.ndarray:
    """``sel`` (a mask) with the polygons within ``distance`` of one it holds."""
    out = sel.copy()
    _, near = tree.query(values[sel], predicate="dwithin", distance=distance)
    out[near] = True
    return out


def clean_coverage(values: np.ndarray, gap_width: float, *, where: np.ndarray | None = None,
                   size: int = CHUNK) -> np.ndarray:
    """``shapely.coverage_clean`` a part at a time, and only where ``where`` says.

    Parameters
    ----------
    values : numpy.ndarray of polygons
        The coverage (metric CRS).
    gap_width : float
        ``coverage_clean``'s ``gap_width``.
    where : numpy.ndarray of bool, optional
        The polygons to clean (default: all); the others are returned as they are.
    size : int
        Polygons cleaned together at most (plus their neighbours).

    Returns
    -------
    numpy.ndarray
        The cleaned polygons (empty where cleaning emptied one), in the order of ``values``.

    Notes
    -----
    The polygons to clean are split into compact parts (halves of halves of their
    centres); each part is cleaned with the polygons within ``gap_width`` of it,
    so that every overlap and narrow gap it has is seen whole, and only the part's
    own polygons are kept. The snapping distance is the whole coverage's. The
    caller checks the result (``coverage_is_valid``) and cleans the whole coverage
    at once when a seam between parts does not match.
    """
    out = values.copy()
    todo = np.ones(len(values), dtype=bool) if where is None else np.asarray(where, bool)
    if not todo.any():
        return out
    if todo.all() and len(values) <= size:  # one part: the whole at once
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return shapely.coverage_clean(values, gap_width=gap_width)
    snap = _snapping_distance(values)
    tree = shapely.STRtree(values)
    centre = shapely.centroid(values)
    xy = np.column_stack([shapely.get_x(centre), shapely.get_y(centre)])
    jobs = []
    for core in _parts(np.flatnonzero(todo), xy, size):
        sel = np.zeros(len(values), dtype=bool)
        sel[core] = True
        jobs.append((core, np.flatnonzero(_neighbours(tree, values, sel, max(gap_width, snap)))))

    def one(job: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        core, idx = job
        cleaned = shapely.coverage_clean(values[idx], gap_width=gap_width, snapping_distance=snap)
        return cleaned[np.searchsorted(idx, core)]

    # GEOS lets go of Python's lock while it cleans, so the parts are cleaned on the
    # machine's cores at once (threads: no copy of the coverage); each part's result
    # is its own, whatever the order, so the bytes are those of one core. The warning
    # filter is set here, once: filters are global, a thread's own would race.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with ThreadPoolExecutor(max_workers=min(len(jobs), _cores())) as pool:
            for (core, _idx), got in zip(jobs, pool.map(one, jobs), strict=True):
                out[core] = got
    return out


# Thinning before the coverage is cleaned and simplified: every stretch of boundary
# between two junctions loses, once for both communes it separates, the vertices
# within THIN_SHARE of the tolerance of its Douglas-Peucker line. The country's
# surveyed boundaries (a vertex every 40-80 m) keep a third of their vertices at 35 m
# x 0,25; coverage_clean and coverage_simplify then take a half to a quarter of the
# time, and the simplified boundaries are as far from the source as before (the
# largest distance 28,2 m against 28,6 m at N = 10.000). Below THIN_MIN_VERTICES the
# coverage is simplified as it is (a district: nothing to gain).
THIN_SHARE = 0.25
THIN_MIN_VERTICES = 100_000


def _vertex_ids(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One id per distinct point of ``xy`` (n, 2), the order grouping equal points.

    Also where each group starts in that order; int32 arrays (a country's 5 million
    points). Points are grouped by a hash of their bits, checked: sorted when two
    points share one.
    """
    h = (xy[:, 0] + 0.0).view(np.int64) * np.int64(1_000_003)  # + 0.0: -0.0 is 0.0
    h ^= (xy[:, 1] + 0.0).view(np.int64)
    order = np.argsort(h).astype(np.int32)
    h = h[order]
    new = np.ones(len(h), dtype=bool)
    new[1:] = h[1:] != h[:-1]
    del h
    a, b = order[:-1][~new[1:]], order[1:][~new[1:]]
    if (xy[a, 0] != xy[b, 0]).any() or (xy[a, 1] != xy[b, 1]).any():  # one hash, two points
        order = np.lexsort((xy[:, 1], xy[:, 0])).astype(np.int32)
        new[1:] = (xy[order[1:], 0] != xy[order[:-1], 0]) | (xy[order[1:], 1] !=
                                                              xy[order[:-1], 1])
    vid = np.empty(len(order), dtype=np.int32)
    vid[order] = np.cumsum(new, dtype=np.int32) - 1
    return vid, order, new


def _stretch_keep(xy: np.ndarray, ring: np.ndarray, start: np.ndarray, size: np.ndarray,
                  tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's vertex id, and per id whether the thinning keeps it.

    ``xy`` holds the rings' points without their closing one; ``ring`` says whose,
    ``start``/``size`` where each ring's are (see :func:`thin_coverage`).
    """
    vid, order, new = _vertex_ids(xy)
    at = np.arange(len(xy), dtype=np.int32)
    pos = at - start[ring]
    nb = vid[np.where(pos == 0, (start + size - 1)[ring], at - 1)]
    nb2 = vid[np.where(pos == size[ring] - 1, start[ring], at + 1)]
    lo, hi = np.minimum(nb, nb2), np.maximum(nb, nb2)
    del nb, nb2, at
    # junctions: on three rings or more, a spike, or neighbours that differ between rings
    keep = np.bincount(vid) > 2
    keep[vid[lo == hi]] = True
    # a point's two neighbours as one number, read once in the points' sorted order
    # (four reads of lo and hi at random places took longer than the sort)
    pair = ((lo.astype(np.int64) << 32) | hi)[order]
    del lo, hi
    keep[vid[order[1:][~new[1:] & (pair[1:] != pair[:-1])]]] = True
    del pair, order, new
    node = keep[vid]
    has_node = np.bincount(ring, weights=node, minlength=len(size)) > 0
    keep[vid[~has_node[ring]]] = True  # a ring with no junction: as it is
    # the rings with a junction, each walked from its first junction, cut at every one
    nodes = np.flatnonzero(node)
    firsts = np.ones(len(nodes), dtype=bool)
    firsts[1:] = ring[nodes][1:] != ring[nodes][:-1]
    first = np.zeros(len(size), dtype=np.int32)
    first[ring[nodes][firsts]] = pos[nodes][firsts]
    del nodes, firsts
    sel = np.flatnonzero(has_node[ring])
    rs = ring[sel]
    walk = (start[rs] + (first[rs] + pos[sel]) % size[rs]).astype(np.int32)
    del sel, rs, pos
    cs = np.flatnonzero(node[walk])  # where each stretch starts in the walk
    del node
    nc = len(cs)
    clen = np.diff(np.append(cs, len(walk)))
    newring = np.ones(nc, dtype=bool)
    newring[1:] = ring[walk[cs]][1:] != ring[walk[cs]][:-1]
    ring_first = np.maximum.accumulate(np.where(newring, np.arange(nc), 0))
    # a stretch ends on the next one's start, the last of a ring on the ring's first
    end = np.where(np.append(~newring[1:], False), walk[np.minimum(cs + clen, len(walk) - 1)],
                   walk[cs[ring_first]])
    full = np.insert(walk, cs + clen, end)
    del walk, end, newring, ring_first
    st = cs + np.arange(nc)
    en = st + clen
    f0, f1, b0, b1 = vid[full[st]], vid[full[st + 1]], vid[full[en]], vid[full[en - 1]]
    # a stretch is known by its smaller (end, next vertex) pair, whichever way it is walked
    fwd = (f0 < b0) | ((f0 == b0) & (f1 <= b1))
    k0, k1 = np.where(fwd, f0, b0), np.where(fwd, f1, b1)
    korder = np.lexsort((k1, k0))
    once = np.ones(nc, dtype=bool)
    once[1:] = (k0[korder][1:] != k0[korder][:-1]) | (k1[korder][1:] != k1[korder][:-1])
    rep = np.sort(korder[once])
    loop = f0 == b0
    keep[vid[full[np.repeat(loop, clen + 1)]]] = True  # a stretch closing on itself
    rep = rep[(clen[rep] >= 2) & ~loop[rep]]
    first_elem = np.concatenate([[0], np.cumsum(clen + 1)])
    # a million points at a time: the lines with their z take 50 bytes a point
    for batch in np.array_split(rep, -(-int((clen[rep] + 1).sum()) // 1_000_000)):
        n = clen[batch] + 1
        occ = full[np.repeat(first_elem[batch] - np.cumsum(n) + n, n) + np.arange(n.sum())]
        # the vertex's place rides along as z: the kept vertices say which they are
        lines = shapely.linestrings(np.column_stack([xy[occ], occ.astype(np.float64)]),
                                    indices=np.repeat(np.arange(len(batch)), n))
        del occ
        simple = shapely.simplify(lines, tolerance, preserve_topology=False)
        del lines
        keep[vid[shapely.get_coordinates(simple, include_z=True)[:, 2].astype(np.int64)]] = True
    return vid, keep


def thin_coverage(values: np.ndarray, tolerance: float, *, rounds: int = 3) -> np.ndarray:
    """Polygons with each boundary stretch between junctions Douglas-Peucker simplified once.

    Parameters
    ----------
    values : numpy.ndarray of polygons
        Polygons and multipolygons (metric CRS), a coverage or nearly one.
    tolerance : float
        Douglas-Peucker tolerance of each stretch (CRS units).
    rounds : int
        Tries at making every polygon valid (below).

    Returns
    -------
    numpy.ndarray
        The polygons, each within ``tolerance`` of its input; ``values`` itself when
        they could not all be made valid.

    Notes
    -----
    A vertex is a junction when its rings do not all pass through it between the same
    two neighbours (three communes meet there, or two part ways), or it is on more
    than two rings. A stretch from one junction to the next is the same points in
    both rings that follow it, in opposite directions: it is simplified once and both
    keep the same vertices, so edges that matched still match (a valid coverage stays
    one unless two stretches come within ``tolerance`` and cross: the caller checks)
    and coverage_clean sees no new slivers. The ends of every stretch are kept; a
    ring with no junction, a stretch that closes on itself and a ring that would keep
    fewer than three vertices keep all theirs. A polygon made invalid keeps all its
    vertices, and so its neighbours along them (``rounds`` times, then the input is
    returned). The result depends only on the polygons and their order.
    """
    values = np.asarray(values, dtype=object)
    kind = shapely.get_type_id(values)
    areal = ((kind == shapely.GeometryType.POLYGON) | (kind == shapely.GeometryType.MULTIPOLYGON)
             ) & ~shapely.is_empty(values)
    if not areal.all():  # anything else (none, empty) stays as it is
        out = values.copy()
        if areal.any():
            out[areal] = thin_coverage(values[areal], tolerance, rounds=rounds)
        return out
    parts, pidx = shapely.get_parts(values, return_index=True)
    rings, ridx = shapely.get_rings(parts, return_index=True)
    del parts
    part_off = np.concatenate([[0], np.cumsum(np.bincount(ridx, minlength=len(pidx)))])
    geom_off = np.concatenate([[0], np.cumsum(np.bincount(pidx, minlength=len(values)))])
    poly_of_ring = pidx[ridx].astype(np.int32)
    del pidx, ridx
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    n_rings = len(rings)
    del rings
    if not len(coords):
        return values
    size = np.bincount(ring, minlength=n_rings).astype(np.int32) - 1
    open_ = np.ones(len(coords), dtype=bool)
    open_[np.cumsum(size + 1) - 1] = False  # each ring's closing point
    xy, ring = coords[open_], ring[open_].astype(np.int32)
    del coords, open_
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int32)
    vid, kept_v = _stretch_keep(xy, ring, start, size, tolerance)
    was_polygon = kind == shapely.GeometryType.POLYGON
    for _ in range(rounds + 1):
        keep = kept_v[vid]
        nk = np.bincount(ring, weights=keep, minlength=n_rings).astype(np.int64)
        if (nk < 3).any():  # a ring that would collapse keeps its points
            kept_v[vid[(nk < 3)[ring]]] = True
            continue
        kx = xy[keep]
        rstart = np.concatenate([[0], np.cumsum(nk)[:-1]])
        ring_xy = np.insert(kx, rstart + nk, kx[rstart], axis=0)  # closed again
        del kx
        ring_off = np.concatenate([[0], np.cumsum(nk + 1)])
        multi = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, ring_xy,
                                          (ring_off, part_off, geom_off))
        del ring_xy
        out = np.where(was_polygon, shapely.get_geometry(multi, 0), multi)
        # made invalid: a polygon that lost points (one that kept all is its input)
        bad = ~shapely.is_valid(out)
        bad &= np.bincount(poly_of_ring[ring], weights=~keep, minlength=len(values)) > 0
        if not bad.any():
            return out
        kept_v[vid[bad[poly_of_ring][ring]]] = True
    return values


def _cores() -> int:
    """The CPU cores this process may use (at most 4: each part cleaned holds memory)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 4))


def simplify_coverage(geoms: gpd.GeoSeries, tolerance: float) -> tuple[gpd.GeoSeries, bool]:
    """Simplify polygons as a coverage, so neighbours keep exactly shared edges.

    Parameters
    ----------
    geoms : geopandas.GeoSeries
        Polygons in a metric CRS (the workspace CRS).
    tolerance : float
        ``shapely.coverage_simplify`` tolerance in CRS units (metres);
        0 only checks (and cleans, see below).

    Returns
    -------
    (geopandas.GeoSeries, bool)
        The simplified polygons and whether they form a valid coverage
        (``shapely.coverage_is_valid``), the polygons drawn on their own
        (see below) left out of the check.

    Notes
    -----
    See :func:`simplify_coverage_parts`, which also says which polygons were
    drawn on their own.
    """
    geo, valid, _alone = simplify_coverage_parts(geoms, tolerance)
    return geo, valid


def _simplified(values: np.ndarray, alone: np.ndarray, tolerance: float
                ) -> tuple[np.ndarray, np.ndarray, bool]:
    """The polygons simplified (those of ``alone`` each on its own, the others as a coverage).

    Returns the polygons, the coverage part (``~alone``) and whether one of its
    polygons simplified to nothing (it then keeps its input shape).
    """
    if tolerance <= 0 or not hasattr(shapely, "coverage_simplify"):  # shapely < 2.1
        return values, values[~alone], False
    out = values.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        simplified = shapely.coverage_simplify(values[~alone], tolerance)
        if alone.any():
            own = shapely.simplify(values[alone], tolerance, preserve_topology=True)
            bad = shapely.is_empty(own) | shapely.is_missing(own) | ~shapely.is_valid(own)
            out[alone] = np.where(bad, values[alone], own)
    # Never drop a feature: a polygon simplified to nothing keeps its input shape.
    empty = shapely.is_empty(simplified) | shapely.is_missing(simplified)
    simplified = np.where(empty, values[~alone], simplified)
    out[~alone] = simplified
    return out, simplified, bool(empty.any())


def _to_clean(values: np.ndarray, gap_width: float) -> np.ndarray:
    """The polygons with an invalid edge (``coverage_invalid_edges``) and their neighbours."""
    edges = shapely.coverage_invalid_edges(values)
    bad = ~(shapely.is_empty(edges) | shapely.is_missing(edges))
    if not bad.any():
        return bad
    return _neighbours(shapely.STRtree(values), values, bad, max(gap_width, 0.0))


def simplify_coverage_parts(geoms: gpd.GeoSeries, tolerance: float, *,
                            assume_valid: bool = False,
                            ready: Callable[[], None] | None = None
                            ) -> tuple[gpd.GeoSeries, bool, np.ndarray]:
    # assume_valid: merged from a checked coverage, neither checked nor cleaned (the
    # flag returned is then True); ready: see the Notes
    """:func:`simplify_coverage`, also returning the polygons simplified on their own.

    Real boundaries often are not a valid coverage: neighbours' shared edges
    do not have the same vertices, with slivers of gap and overlap between
    them (``ntmgis validate`` reports these). Simplifying them as they are
    would open more gaps, so they are first cleaned for display with
    ``shapely.coverage_clean`` (overlaps given to the neighbour with the
    longest shared border, gaps narrower than ``tolerance`` closed, edges
    snapped together; shapely >= 2.2). A polygon that cleaning empties (a
    ward the source reduced to a sliver lying on its neighbour) is kept as
    it is and simplified on its own, outside the coverage: it is drawn over
    its neighbour and does not stop the others from sharing their edges
    (``alone`` marks it). The monitoring layers themselves are never changed.

    What is checked, and cleaned: when the first ``PROBE`` polygons already
    fail, everything is cleaned (:func:`clean_coverage`, a part at a time).
    Otherwise the polygons are simplified as they are and the result checked
    (``coverage_is_valid`` of the simplified coverage: fewer vertices than the
    input; a valid coverage stays one under ``coverage_simplify``, which GEOS
    guarantees); when it is not valid, only the polygons with an invalid edge
    (``coverage_invalid_edges``) and their neighbours are cleaned. A cleaned
    coverage is checked once more after simplification; if the seams between
    the parts cleaned do not match, the whole is cleaned at once. If cleaning
    is not available, the input is returned unsimplified with the flag false.
    ``assume_valid`` skips the checks (polygons merged from an already cleaned
    coverage). A large coverage (``THIN_MIN_VERTICES``) is first thinned
    (:func:`thin_coverage` at ``THIN_SHARE`` of the tolerance): each stretch of
    boundary between junctions once, so that shared edges stay shared.

    ``ready``, when given, is called once (before the function returns, unless it
    raises): when what is left to do is GEOS' alone (simplifying, checking, cleaning
    only where the coverage is not valid), which lets go of Python's lock and holds
    little memory, or, when everything is to be cleaned, once that cleaning is done
    (it takes a gigabyte for a country). The caller starts its other work then.
    """
    values = geoms.values
    alone = np.zeros(len(values), dtype=bool)
    if len(values) == 0:
        if ready is not None:
            ready()
        return geoms, True, alone
    values = np.asarray(values, dtype=object)
    if not assume_valid and tolerance > 0 and \
            int(shapely.get_num_coordinates(values).sum()) >= THIN_MIN_VERTICES:
        values = thin_coverage(values, tolerance * THIN_SHARE)

    def result(out: np.ndarray, valid: bool, alone: np.ndarray
               ) -> tuple[gpd.GeoSeries, bool, np.ndarray]:
        return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs), valid, alone

    gap = max(tolerance, 0.0)
    where = None
    whole = not assume_valid and probe_fails(values)
    if whole:  # cleaned whole first, before the caller goes on
        cleaned = clean_coverage(values, gap) if getattr(shapely, "coverage_clean",
                                                         None) is not None else None
    if ready is not None:
        ready()
    if assume_valid or not whole:
        out, simplified, emptied = _simplified(values, alone, tolerance)
        if assume_valid and not emptied:
            return result(out, True, alone)
        if shapely.coverage_is_valid(simplified):
            return result(out, True, alone)
        if assume_valid:  # pragma: no cover - a polygon kept its shape and broke the coverage
            return result(out, False, alone)
        out = simplified = None  # not kept while cleaning
    if getattr(shapely, "coverage_clean", None) is None:  # shapely < 2.2
        return result(values, False, alone)
    if not whole:  # clean only where the coverage is not valid
        where = _to_clean(values, gap)
    for n, part in enumerate((where, None) if where is not None else (None,)):
        if not (whole and n == 0):  # the whole was cleaned above
            cleaned = clean_coverage(values, gap, where=part)
        alone = shapely.is_empty(cleaned) | shapely.is_missing(cleaned)
        out, simplified, _emptied = _simplified(np.where(alone, values, cleaned), alone,
                                                tolerance)
        valid = bool(shapely.coverage_is_valid(simplified))
        if valid:
            break
    if not valid and len(values) > CHUNK:  # the seams between parts did not match
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            cleaned = shapely.coverage_clean(values, gap_width=gap)
        alone = shapely.is_empty(cleaned) | shapely.is_missing(cleaned)
        out, simplified, _emptied = _simplified(np.where(alone, values, cleaned), alone,
                                                tolerance)
        valid = bool(shapely.coverage_is_valid(simplified))
    return result(out, valid, alone)


@dataclass
class MapCoverage:
    """The communes in map order in a metric CRS, and their simplified coverage."""

    communes: gpd.GeoDataFrame
    simplified: tuple[gpd.GeoSeries, bool, np.ndarray]  # simplify_coverage_parts' result


def map_coverage(ws: Any, communes: gpd.GeoDataFrame | None, tolerance: float, *,
                 lang: str = "vi", ready: Callable[[], None] | None = None) -> MapCoverage:
    """Sort the communes by code, put them in a metric CRS and simplify them as a coverage.

    ``tolerance`` in metres; ``ws`` names the GeoPackage in the errors, in ``lang``;
    ``ready`` as in :func:`simplify_coverage_parts` (not called when this raises).

    Raises
    ------
    WorkspaceError
        When the layer is empty or has no CRS.
    """
    if communes is None or not len(communes):
        raise WorkspaceError(_m("communes_empty", lang, path=ws.output_gpkg),
                             path=ws.output_gpkg)
    communes = communes.sort_values("code").reset_index(drop=True)
    if communes.crs is None:
        raise WorkspaceError(_m("communes_no_crs", lang, path=ws.output_gpkg),
                             path=ws.output_gpkg)
    # simplification tolerances are metres: work in a metric CRS
    metric = communes.crs if not communes.crs.is_geographic else communes.estimate_utm_crs()
    communes = communes.to_crs(metric)
    return MapCoverage(communes, simplify_coverage_parts(communes.geometry, tolerance,
                                                         ready=ready))


def release_memory() -> None:
    """Give the heap freed so far back to the system (glibc; elsewhere nothing).

    Cleaning a national coverage takes about a gigabyte of small blocks that
    Python's later large arrays would not reuse: returned now, they do not add
    to the peak of what follows.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
