"""Polygons simplified as a coverage for the web maps: shared edges stay shared.

The communes are cleaned (``shapely.coverage_clean``: overlaps and narrow
gaps between neighbours removed, shared edges snapped together) and
simplified together (``shapely.coverage_simplify``), so neighbours keep
exactly the same edges at every zoom and the page can store each edge once
(:func:`ntmgis.outputs.webmap.encode.encode_polygon_arcs`). The monitoring
layers themselves are never changed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ntmgis.core.errors import WorkspaceError

__all__ = ["MapCoverage", "map_coverage", "release_memory", "simplify_coverage",
           "simplify_coverage_parts"]

# polygons checked first, in map order (codes: neighbours), before the whole coverage
PROBE = 500


def _is_coverage(values: np.ndarray) -> bool:
    """``shapely.coverage_is_valid``, answered from the first polygons when they fail.

    Part of a valid coverage is a valid coverage, so a part that is not shows
    that the whole is not (real boundaries fail within a few hundred communes):
    the check of the whole (3 s for 10.000 communes of surveyed boundaries) is
    made only when it can say yes.
    """
    if len(values) > 2 * PROBE and not shapely.coverage_is_valid(values[:PROBE]):
        return False
    return bool(shapely.coverage_is_valid(values))


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
    (``alone`` marks it). Validity is checked on the input; when it had to
    be cleaned, once more on the simplified coverage without those polygons
    (a valid coverage stays one under ``coverage_simplify``, which GEOS
    guarantees, so it is not checked again). If cleaning is not available, the
    input is returned unsimplified with the flag false. ``assume_valid``
    skips the first check (polygons merged from an already cleaned
    coverage). The monitoring layers themselves are never changed.
    """
    values = geoms.values
    alone = np.zeros(len(values), dtype=bool)
    if len(values) == 0:
        return geoms, True, alone
    values = np.asarray(values, dtype=object)
    cleaned_here = False
    if not assume_valid and not _is_coverage(values):
        cleaned_here = True
        clean = getattr(shapely, "coverage_clean", None)
        if clean is None:
            return geoms, False, alone
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            cleaned = clean(values, gap_width=max(tolerance, 0.0))
        if len(cleaned) != len(values):  # pragma: no cover - defensive
            return geoms, False, alone
        alone = shapely.is_empty(cleaned) | shapely.is_missing(cleaned)
        values = np.where(alone, values, cleaned)
    if tolerance <= 0 or not hasattr(shapely, "coverage_simplify"):  # shapely < 2.1
        valid = bool(shapely.coverage_is_valid(values[~alone]))
        return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs), valid, alone
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
    valid = True if not (cleaned_here or empty.any()) \
        else bool(shapely.coverage_is_valid(simplified))
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs), valid, alone


@dataclass
class MapCoverage:
    """The communes in map order in a metric CRS, and their simplified coverage."""

    communes: gpd.GeoDataFrame
    simplified: tuple[gpd.GeoSeries, bool, np.ndarray]  # simplify_coverage_parts' result


def map_coverage(ws: Any, communes: gpd.GeoDataFrame | None, tolerance: float) -> MapCoverage:
    """Sort the communes by code, put them in a metric CRS and simplify them as a coverage.

    ``tolerance`` in metres; ``ws`` names the GeoPackage in the errors.

    Raises
    ------
    WorkspaceError
        When the layer is empty or has no CRS.
    """
    if communes is None or not len(communes):
        raise WorkspaceError(f"{ws.output_gpkg}: the 'communes' layer is empty",
                             path=ws.output_gpkg)
    communes = communes.sort_values("code").reset_index(drop=True)
    if communes.crs is None:
        raise WorkspaceError(f"{ws.output_gpkg}: the 'communes' layer has no CRS",
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
