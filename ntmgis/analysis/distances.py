"""Distances shared by the queries: the metric working CRS and geodesic distances.

Point-to-point distances are geodesic (WGS 84 ellipsoid, pyproj); distances to
polygons and lines are measured in the metric working CRS (for the sample,
VN-2000 / TM-3 103-00, whose scale error in Mường Tè is below 0,02 %).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ntmgis.analysis.query_data import QueryData

__all__ = ["to_metric", "work_crs", "geodesic_m"]


def to_metric(gdf: gpd.GeoDataFrame, crs=None) -> gpd.GeoDataFrame:
    """``gdf`` in a metric CRS: ``crs`` if given, its own if projected, else local UTM."""
    if crs is not None:
        return gdf.to_crs(crs) if gdf.crs != crs else gdf
    if gdf.crs is None or gdf.crs.is_projected:
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def work_crs(q: QueryData):
    """The metric CRS distances are measured in: the data's if projected, else local UTM."""
    crs = q.crs
    if crs is None:
        return None
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    if c.is_projected:
        return c
    vill = q.get("villages", required=False)
    base = vill if isinstance(vill, gpd.GeoDataFrame) and len(vill) else q.get("communes")
    return base.estimate_utm_crs()


def geodesic_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> np.ndarray:
    """Geodesic distance in metres between aligned points.

    NaN where either is missing, empty or not a point.
    """
    from pyproj import Geod

    out = np.full(len(a), np.nan)
    av = np.asarray(a.to_crs(4326).to_numpy(), dtype=object)
    bv = np.asarray(b.to_crs(4326).to_numpy(), dtype=object)
    ok = (shapely.get_type_id(av) == 0) & (shapely.get_type_id(bv) == 0)
    if ok.any():
        ok[ok] = ~(shapely.is_empty(av[ok]) | shapely.is_empty(bv[ok]))
    if ok.any():
        pa = shapely.get_coordinates(av[ok])
        pb = shapely.get_coordinates(bv[ok])
        _, _, d = Geod(ellps="WGS84").inv(pa[:, 0], pa[:, 1], pb[:, 0], pb[:, 1])
        out[ok] = d
    return out
