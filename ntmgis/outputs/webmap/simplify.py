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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.i18n import catalog, t

__all__ = ["MapCoverage", "map_coverage", "probe_fails", "release_memory",
           "simplify_coverage", "simplify_coverage_parts"]

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
                            assume_valid: bool = False
                            ) -> tuple[gpd.GeoSeries, bool, np.ndarray]:
    # assume_valid: merged from a checked coverage, neither checked nor cleaned (the
    # flag returned is then True)
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
    coverage).
    """
    values = geoms.values
    alone = np.zeros(len(values), dtype=bool)
    if len(values) == 0:
        return geoms, True, alone
    values = np.asarray(values, dtype=object)

    def result(out: np.ndarray, valid: bool, alone: np.ndarray
               ) -> tuple[gpd.GeoSeries, bool, np.ndarray]:
        return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs), valid, alone

    gap = max(tolerance, 0.0)
    where = None
    whole = not assume_valid and probe_fails(values)
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
    for part in (where, None) if where is not None else (None,):
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
                 lang: str = "vi") -> MapCoverage:
    """Sort the communes by code, put them in a metric CRS and simplify them as a coverage.

    ``tolerance`` in metres; ``ws`` names the GeoPackage in the errors, in ``lang``.

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
    return MapCoverage(communes, simplify_coverage_parts(communes.geometry, tolerance))


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
