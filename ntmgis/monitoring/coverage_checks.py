"""Overlaps and gaps between communes, the costly geometric checks of ``validate`` and ``build``.

On a whole country of surveyed boundaries that do not fit (the irregular
benchmark shape: 10.000 communes, 4,8 million vertices) these checks are
most of ``build``'s checking time: the union that finds the gaps alone is
about 15 s of CPU. They only ever give warnings, so ``build`` runs them in a
second thread (GEOS releases Python's lock) while it computes and writes the
layers, and logs what they found before it returns; ``validate`` runs them
in place. Either way the same warnings are logged.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["MIN_AREA_M2", "CoverageFindings", "coverage_gaps", "find_coverage_faults",
           "overlaps"]

# Overlaps and gaps smaller than this are digitising noise, not worth a line.
MIN_AREA_M2 = 1000.0


def overlaps(communes: gpd.GeoDataFrame, min_area: float = MIN_AREA_M2) -> pd.DataFrame:
    """Pairs of communes that overlap by more than ``min_area`` m², with the area in m².

    Uses a spatial index, so it is fast for a whole country.
    """
    geoms = communes.geometry.to_numpy()
    if len(geoms) > 1 and shapely.coverage_is_valid(geoms):
        # Edge-matched, non-overlapping communes (the usual case): nothing to intersect.
        return pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=object),
                             "area_m2": pd.Series([], dtype=float)})
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # Neighbours touch along their edges; only pairs whose interiors meet overlap.
    inner = shapely.relate_pattern(geoms[left], geoms[right], "2********")
    left, right = left[inner], right[inner]
    inter = shapely.intersection(geoms[left], geoms[right])
    area = shapely.area(inter)
    big = area > min_area
    return pd.DataFrame({"a": communes["code"].to_numpy()[left[big]],
                         "b": communes["code"].to_numpy()[right[big]],
                         "area_m2": area[big]})


def coverage_gaps(communes: gpd.GeoDataFrame, *, coverage: bool = False) -> list[shapely.Geometry]:
    """Holes in the union of the communes (gaps between neighbours) larger than 1.000 m².

    With ``coverage`` (the communes do not overlap) the much faster coverage
    union is used; it is only correct for a coverage.
    """
    geoms = communes.geometry.to_numpy()
    union = shapely.coverage_union_all(geoms) if coverage else shapely.union_all(geoms)
    holes = []
    for poly in getattr(union, "geoms", [union]):
        for ring in poly.interiors:
            hole = shapely.Polygon(ring)
            if hole.area > MIN_AREA_M2:
                holes.append(hole)
    return holes


class CoverageFindings:
    """The overlaps and gaps of a communes layer, found now or in a second thread.

    Call :meth:`result` for them: it waits for the thread if there is one.
    """

    def __init__(self, compute: Callable[[], tuple[pd.DataFrame, list[shapely.Geometry]]],
                 background: bool) -> None:
        self._pool = None
        if background:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ntmgis-coverage")
            self._future = self._pool.submit(compute)
        else:
            self._value = compute()

    def result(self) -> tuple[pd.DataFrame, list[shapely.Geometry]]:
        """``(overlaps, gaps)``: the pairs with their area in m², and the gap polygons."""
        if self._pool is not None:
            try:
                self._value = self._future.result()
            finally:
                self._pool.shutdown()
                self._pool = None
        return self._value


def find_coverage_faults(communes: gpd.GeoDataFrame, *, background: bool = False
                         ) -> CoverageFindings:
    """Find the overlaps (any area) and the gaps (> 1.000 m²) of valid, non-empty communes.

    Parameters
    ----------
    communes : GeoDataFrame
        With a ``code`` column; every geometry valid and not empty.
    background : bool
        Work in a second thread. The thread works on its own copy of the
        geometries, so that the caller may go on using (and preparing) them.
    """
    if not background:
        return CoverageFindings(lambda: _faults(communes), background=False)
    # A deep copy: shapely.prepare on the caller's geometries must not race the thread.
    copy = shapely.transform(communes.geometry.to_numpy(), lambda xy: xy)
    own = gpd.GeoDataFrame({"code": communes["code"].to_numpy(dtype=object)},
                           geometry=np.asarray(copy), crs=communes.crs)
    return CoverageFindings(lambda: _faults(own), background=True)


def _faults(communes: gpd.GeoDataFrame) -> tuple[pd.DataFrame, list[shapely.Geometry]]:
    ov = overlaps(communes, min_area=0.0)
    return ov, coverage_gaps(communes, coverage=ov.empty)
