"""Level of detail for large areas: provinces and districts drawn instead of communes.

For a province or the whole country the map opens far out, where thousands
of communes are specks; it then draws provinces, then districts, then
communes as the user zooms in (thresholds from the units' median size), each
coloured by the average number of criteria its communes meet, with per-year
aggregates computed here once. Villages and projects are shown from the
communes' zoom on; above it they are counted in the units' popups.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core import palette as styles
from ntmgis.monitoring.dissolve import fill_false_holes
from ntmgis.outputs.webmap.encode import encode_polygons, to_wgs84
from ntmgis.outputs.webmap.simplify import simplify_coverage_parts

__all__ = ["LEVELS", "admin_levels", "mask_polygons", "readable_zoom", "unit_shapes"]

# (level, code column, name column, simplification tolerance in metres)
LEVELS = (
    ("province", "province_code", "province_name", 400.0),
    ("district", "district_code", "district_name", 150.0),
)
READABLE_PX = 28  # a unit is worth drawing when its typical width reaches this many pixels


def readable_zoom(areas_m2: np.ndarray, lat: float) -> float:
    """Web Mercator zoom at which a unit of median area is ``READABLE_PX`` pixels wide."""
    side = math.sqrt(float(np.median(areas_m2))) if len(areas_m2) else 1.0
    mpp = side / READABLE_PX  # metres per pixel wanted
    return round(math.log2(156_543.033 * math.cos(math.radians(lat)) / mpp), 2)


def _class_of_average(avg: np.ndarray, has: np.ndarray, total: int,
                      bands: tuple[int, ...] | None = None) -> str:
    """One character per unit: the index of its band (all met, then each lower bound).

    ``bands`` are the set's lower bounds best first (:attr:`CriteriaSet.bands
    <ntmgis.core.criteria.CriteriaSet.bands>`); without them those of the 19 criteria.
    """
    bounds = tuple(bands) if bands else (19, 15, 10)
    if len(bounds) != len(styles.CLASS_COLORS) - 1:
        raise ValueError(f"{len(bounds)} band bounds for {len(styles.CLASS_COLORS)} colours")
    idx = np.full(len(avg), len(bounds), dtype=np.int64)
    for j in range(len(bounds) - 1, 0, -1):  # from the lowest bound up
        idx = np.where(avg >= bounds[j], j, idx)
    idx = np.where(avg >= total, 0, idx)
    return "".join(np.where(has, idx.astype(str), "-").tolist())


class _LazyTree:
    """An STRtree of the communes, built the first time a unit has a hole to explain."""

    def __init__(self, geoms: np.ndarray) -> None:
        self.geoms = geoms
        self._tree: shapely.STRtree | None = None

    def query(self, geom: shapely.Geometry) -> np.ndarray:
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree.query(geom)


def _without_false_holes(merged: shapely.Geometry, parts: np.ndarray, idx: np.ndarray,
                         gvals: np.ndarray, tree: _LazyTree) -> shapely.Geometry:
    """A unit merged from its communes, with only the holes its source explains.

    A gap between communes wider than the cleaning (35 m) is left by
    ``coverage_clean``; wholly inside a district it would be drawn as a hole the
    source does not have. :func:`ntmgis.monitoring.dissolve.fill_false_holes`
    keeps a hole that the communes' own polygons have, or that a commune of
    another unit reaches into (an enclave), and fills the others.
    """
    polys = shapely.get_parts(merged)
    if not (shapely.get_num_interior_rings(polys) > 0).any():
        return merged
    near = np.setdiff1d(tree.query(shapely.envelope(merged)), idx)
    return fill_false_holes(merged, parts, others=gvals[near])


def _merged(parts: list[np.ndarray]) -> np.ndarray:
    """Each unit's communes merged (``shapely.coverage_union_all``), all in one call.

    One call for all the units (their communes side by side in the rows of one array,
    None where a unit has fewer) lets go of Python's lock once: unit by unit, the
    thread waited for the lock after each of a country's 700 units while the other
    thread built the pages' blocks. The same union as unit by unit.
    """
    m = len(parts)
    width = max((len(p) for p in parts), default=0)
    table = np.full((m, max(width, 1)), None, dtype=object)
    for u, p in enumerate(parts):
        table[u, :len(p)] = p
    try:
        return np.asarray(shapely.coverage_union_all(table, axis=1), dtype=object).reshape(m)
    except shapely.errors.GEOSException:  # pragma: no cover - invalid coverage: unit by unit
        out = np.empty(m, dtype=object)
        for u, p in enumerate(parts):
            try:
                out[u] = shapely.coverage_union_all(p)
            except shapely.errors.GEOSException:
                out[u] = shapely.union_all(p)
        return out


def _level_codes(communes: gpd.GeoDataFrame, code_col: str) -> pd.Series:
    """Each commune's unit at a level (its ``code_col``; empty when the layer lacks it)."""
    if code_col in communes:
        return communes[code_col].astype(str).fillna("")
    return pd.Series([""] * len(communes), index=communes.index)


def unit_shapes(communes: gpd.GeoDataFrame, geoms: gpd.GeoSeries, *,
                alone: np.ndarray | None = None) -> list[tuple]:
    """Each level's units (``LEVELS``) merged from the communes and simplified.

    The geometry half of :func:`admin_levels` (GEOS and PROJ: a second thread can
    make it while the first builds the other blocks); same parameters.

    Returns
    -------
    list of tuple
        Per level: the unit codes (sorted), the unit of each commune, the units'
        simplified polygons (metric CRS) and their encoded geometry.
    """
    n = len(communes)
    gvals = np.asarray(geoms.values, dtype=object)
    tree = _LazyTree(gvals)
    in_cov = np.ones(n, dtype=bool) if alone is None else ~np.asarray(alone, dtype=bool)
    out = []
    for _level, code_col, _name_col, tol in LEVELS:
        uniq, unit_of = np.unique(_level_codes(communes, code_col).to_numpy(dtype=str),
                                  return_inverse=True)
        m = len(uniq)
        order = np.argsort(unit_of, kind="stable")
        bounds = np.searchsorted(unit_of[order], np.arange(m + 1))
        members = [order[bounds[u]:bounds[u + 1]] for u in range(m)]
        parts = [gvals[idx[in_cov[idx]]] if in_cov[idx].any() else gvals[idx]
                 for idx in members]
        merged = _merged(parts)
        # only a unit with a hole is looked at on its own (the others are as merged)
        holed = np.zeros(m, dtype=bool)
        pieces, owner = shapely.get_parts(merged, return_index=True)
        holed[owner[shapely.get_num_interior_rings(pieces) > 0]] = True
        polys = [_without_false_holes(merged[u], parts[u], members[u], gvals, tree)
                 if holed[u] else merged[u] for u in range(m)]
        unit_geo = gpd.GeoSeries(polys, crs=geoms.crs)
        unit_geo, _valid, _alone = simplify_coverage_parts(unit_geo, tol,
                                                           assume_valid=alone is not None)
        out.append((uniq, unit_of, unit_geo, encode_polygons(to_wgs84(unit_geo).values)))
    return out


def admin_levels(communes: gpd.GeoDataFrame, geoms: gpd.GeoSeries, cstat: dict[str, dict],
                 n_criteria: int, villages: dict, project_commune: np.ndarray,
                 project_capital: np.ndarray, *, bands: tuple[int, ...] | None = None,
                 alone: np.ndarray | None = None,
                 unit_geoms: dict[str, gpd.GeoSeries] | None = None,
                 shapes: list[tuple] | None = None) -> dict:
    """Provinces and districts with per-year aggregates, and the zooms that switch levels.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The communes in map order, with the code/name columns of ``LEVELS``.
    geoms : geopandas.GeoSeries
        Their (cleaned, simplified) polygons in the metric workspace CRS.
    cstat : dict
        Per year ``{"m": one string of n_criteria characters per commune}``.
    n_criteria : int
        Criteria per commune (19 for QĐ 318, 10 for QĐ 51).
    villages : dict
        The village block (``commune`` index per village, ``st`` per year, ``k``).
    project_commune, project_capital : numpy.ndarray
        Commune index and total capital of every project.
    bands : tuple of int, optional
        The set's band bounds, best first (default: those of the 19 criteria).
    alone : numpy.ndarray of bool, optional
        Given when ``geoms`` are a valid coverage once the communes marked
        here (drawn on their own: emptied by cleaning) are left out: the
        units are then merged from the others and simplified without being
        checked or cleaned again. Without it they are checked (and cleaned).
    unit_geoms : dict, optional
        Filled with each level's simplified polygons (metric CRS), by level name:
        the hillshade's mask of a whole country is drawn from the provinces
        instead of ten thousand communes.
    shapes : list of tuple, optional
        :func:`unit_shapes` of the same communes, already made (default: made here).

    Returns
    -------
    dict
        ``{"zoom": {"district": z, "commune": z}, "levels": [...]}``; each level
        has ``level``, ``code``, ``name``, ``geom``, ``cu`` (unit of each
        commune), ``n`` (communes), ``vil``, ``prj`` and ``cap``, and per year
        ``y``: ``c`` (class of the average, one character per unit), ``has``
        (communes with data), ``ntm``, ``avg`` (x100), ``vntm`` (NTM villages),
        ``g``/``l`` (communes that gained / lost criteria).
    """
    n = len(communes)
    centre = gpd.GeoSeries([shapely.box(*geoms.total_bounds).centroid], crs=geoms.crs)
    lat = float(to_wgs84(centre).y.iloc[0])
    out: dict = {"levels": [], "zoom": {}}
    # per commune and year: has data, criteria met, NTM
    years = sorted(cstat)
    met = {}
    for y in years:
        s = cstat[y]["m"]
        arr = np.frombuffer(s.encode("ascii"), dtype="S1").reshape(n, n_criteria) \
            if len(s) == n * n_criteria else np.full((n, n_criteria), b".")
        has = arr[:, 0] != b"."
        count = (arr == b"1").sum(axis=1)
        gained = np.array([bool(x) for x in cstat[y].get("g", [""] * n)], dtype=bool)
        lost = np.array([bool(x) for x in cstat[y].get("l", [""] * n)], dtype=bool)
        met[y] = (has, count, has & (count == n_criteria), has & gained, has & lost)
    vcom = np.asarray(villages.get("commune", []), dtype=np.int64)
    vk = int(villages.get("k", 0) or 0)
    vntm = {}
    for y in years:
        s = villages.get("st", {}).get(y, "")
        if vk and len(s) == len(vcom) * vk:
            arr = np.frombuffer(s.encode("ascii"), dtype="S1").reshape(len(vcom), vk)
            vntm[y] = (arr != b".")[:, 0] & (arr == b"1").all(axis=1)
        else:
            vntm[y] = np.zeros(len(vcom), dtype=bool)
    areas = []
    if shapes is None:
        shapes = unit_shapes(communes, geoms, alone=alone)
    for (level, code_col, name_col, _tol), (uniq, unit_of, unit_geo, encoded) in zip(
            LEVELS, shapes, strict=True):
        names = communes[name_col].astype(str).fillna("") if name_col in communes \
            else _level_codes(communes, code_col)
        m = len(uniq)
        areas.append(shapely.area(unit_geo.values))
        if unit_geoms is not None:
            unit_geoms[level] = unit_geo
        first = np.zeros(m, dtype=np.int64)
        first[unit_of[::-1]] = np.arange(n)[::-1]
        block = {
            "level": level,
            "code": uniq.tolist(),
            "name": [str(names.iloc[i]) for i in first],
            "geom": encoded,
            "cu": unit_of.tolist(),  # unit of every commune
            "n": np.bincount(unit_of, minlength=m).tolist(),
            "vil": np.bincount(unit_of[vcom[vcom >= 0]], minlength=m).tolist()
            if len(vcom) else [0] * m,
            "prj": np.bincount(unit_of[project_commune[project_commune >= 0]],
                               minlength=m).tolist() if len(project_commune) else [0] * m,
            "cap": np.round(np.bincount(unit_of[project_commune[project_commune >= 0]],
                                        weights=project_capital[project_commune >= 0],
                                        minlength=m), 1).tolist()
            if len(project_commune) else [0.0] * m,
            "y": {},
        }
        for y in years:
            has, count, ntm, gained, lost = met[y]
            nh = np.bincount(unit_of, weights=has, minlength=m)
            tot = np.bincount(unit_of, weights=np.where(has, count, 0), minlength=m)
            avg = np.divide(tot, nh, out=np.zeros(m), where=nh > 0)
            vn = vntm[y]
            vcount = np.bincount(unit_of[vcom[(vcom >= 0) & vn]], minlength=m) \
                if len(vcom) else np.zeros(m, dtype=int)
            block["y"][y] = {
                "c": _class_of_average(avg, nh > 0, n_criteria, bands),
                "ntm": np.bincount(unit_of, weights=ntm, minlength=m).astype(int).tolist(),
                "has": nh.astype(int).tolist(),
                "avg": np.round(avg * 100).astype(int).tolist(),
                "vntm": vcount.astype(int).tolist(),
                "g": np.bincount(unit_of, weights=gained, minlength=m).astype(int).tolist(),
                "l": np.bincount(unit_of, weights=lost, minlength=m).astype(int).tolist(),
            }
        out["levels"].append(block)
    commune_areas = shapely.area(geoms.values)
    z_commune = readable_zoom(commune_areas, lat)
    z_district = readable_zoom(areas[1], lat)
    out["zoom"] = {"district": min(z_district, z_commune), "commune": z_commune}
    return out


def mask_polygons(cgeo: gpd.GeoSeries, unit_geoms: dict[str, gpd.GeoSeries], *,
                  pixels: int = 720) -> np.ndarray:
    """The area's polygons for the hillshade's mask: the coarsest finer than its pixels.

    The mask is drawn at a quarter of a hillshade pixel (``pixels`` on the longer
    side: ``render_hillshade``'s ``max_size``); the provinces (districts) simplified
    for the map are that fine for a whole country, and reprojecting and simplifying
    them costs a fraction of the 10.000 communes (1,3 million vertices). Otherwise
    (no levels, or units coarser than that) the communes.
    """
    x0, y0, x1, y1 = cgeo.total_bounds
    quarter_px = max(x1 - x0, y1 - y0) / pixels / 4
    for level, _code, _name, tol in LEVELS:  # the coarsest first
        if level in unit_geoms and tol <= quarter_px:
            return np.asarray(unit_geoms[level].values, dtype=object)
    return np.asarray(cgeo.values, dtype=object)
