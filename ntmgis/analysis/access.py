"""Access: each village's nearest facility of a type, and the distance or time to it.

Three ways of measuring (:data:`ACCESS_MODES`): geodesic km in a straight
line, km / minutes along the road network (:mod:`ntmgis.analysis.network`),
minutes over the terrain (:mod:`ntmgis.analysis.terrain`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.analysis.distances import geodesic_m, to_metric, work_crs
from ntmgis.analysis.query_data import QueryData, load_data, message
from ntmgis.analysis.terrain import ROAD_SPEEDS_KMH
from ntmgis.core.errors import DataError, DataWarning, WorkspaceError
from ntmgis.core.i18n import catalog, enum_keys, labels, t
from ntmgis.core.progress import Progress, as_progress

__all__ = ["access", "ACCESS_MODES", "FACILITY_TYPES"]

ACCESS_MODES = ("straight", "road", "terrain")
FACILITY_TYPES = tuple(enum_keys("facility"))

# Messages of this module: key -> (Vietnamese, English).
_MSG: dict[str, tuple[str, str]] = {
    "no_roads": (
        "thư mục dữ liệu không có lớp đường giao thông ([layers.roads] trong ntmgis.toml); "
        "cần đường để tính theo đường bộ (--by road)",
        "the workspace has no roads layer ([layers.roads] in ntmgis.toml); "
        "'--by road' needs roads",
    ),
    "no_elevation": (
        "thư mục dữ liệu không có bản đồ độ cao ([terrain] elevation trong ntmgis.toml); "
        "cần độ cao để tính theo địa hình (--by terrain)",
        "the workspace has no elevation raster ([terrain] elevation in ntmgis.toml); "
        "'--by terrain' needs one",
    ),
    "bad_facility": (
        "loại cơ sở '{value}' không có; dùng một trong: {expected}",
        "facility type '{value}' is unknown; use one of: {expected}",
    ),
    "no_facility": (
        "không có cơ sở loại '{value}' ({label}) trong lớp cơ sở",
        "the facilities layer has no facility of type '{value}' ({label})",
    ),
    "bad_mode": (
        "cách tính '{value}' không có; dùng một trong: {expected}",
        "mode '{value}' is unknown; use one of: {expected}",
    ),
    "two_limits": (
        "chỉ dùng một ngưỡng: --max-km hoặc --max-minutes",
        "give one threshold only: --max-km or --max-minutes",
    ),
    "minutes_straight": (
        "khoảng cách đường chim bay không có thời gian; dùng --max-km, "
        "hoặc --by road / --by terrain với --max-minutes",
        "straight-line distance has no time; use --max-km, or --by road / --by terrain "
        "with --max-minutes",
    ),
    "km_terrain": (
        "cách tính theo địa hình cho ra số phút; dùng --max-minutes",
        "terrain mode measures minutes; use --max-minutes",
    ),
    # the steps a progress bar names
    "step_nearest": ("Tìm cơ sở gần nhất", "Finding the nearest facility"),
    "step_network": ("Dựng mạng đường", "Building the road network"),
    "step_routes": ("Tìm đường ngắn nhất tới cơ sở", "Finding the shortest routes"),
    "step_elevation": ("Đọc bản đồ độ cao", "Reading the elevation raster"),
    "step_roads": ("Đưa đường vào lưới độ cao", "Burning the roads into the grid"),
    "step_raster": ("Ghi bản đồ số phút", "Writing the minutes raster"),
}

_m = catalog(_MSG, message)


def _step(key: str, lang: str) -> str:
    """A step's name: this module's, else a shared one (``step_read``)."""
    return _m(key, lang) if key in _MSG else t(key, lang)


def _road_speeds(q: QueryData, speeds: Mapping[str, float] | None) -> dict[str, float] | None:
    if speeds is not None:
        return {**ROAD_SPEEDS_KMH, **speeds}
    cfg = (q.workspace.raw.get("terrain", {}) if q.workspace else {}).get("road_speeds_kmh")
    return {**ROAD_SPEEDS_KMH, **{k: float(v) for k, v in cfg.items()}} if cfg else None


def access(data: Any, /, *, to: str = "health_station", by: str = "straight",
           max_km: float | None = None, max_minutes: float | None = None,
           raster_out: str | Path | None = None, overwrite: bool = False,
           speeds: Mapping[str, float] | None = None,
           lang: str = "vi", progress: Progress | None = None) -> gpd.GeoDataFrame:
    """Each village's nearest facility of a type, and the distance or time to it.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`; ``terrain`` also needs the workspace's
        elevation raster (or ``elevation`` in a mapping).
    to : str
        Facility type: ``school``, ``health_station``, ``cultural_house``,
        ``market``.
    by : {"straight", "road", "terrain"}
        ``straight``: geodesic distance (km). ``road``: along the road
        network (km of the shortest route, minutes of the fastest; off-road
        legs walked at 5,04 km/h). ``terrain``: minutes over the elevation
        raster (Tobler's hiking function, roads faster by class;
        :mod:`ntmgis.analysis.terrain`).
    max_km, max_minutes : float, optional
        The threshold beyond which a village is a gap (one of them).
    raster_out : path, optional
        For ``terrain``: write the minutes raster as a GeoTIFF there.
    overwrite : bool
        Replace an existing ``raster_out``.
    speeds : mapping, optional
        km/h by road class (default :data:`ntmgis.analysis.terrain.ROAD_SPEEDS_KMH`,
        or ``[terrain] road_speeds_kmh`` in ``ntmgis.toml``).
    lang : {"vi", "en"}
        Language of error messages.
    progress : Progress, optional
        Told each step (reading, the graph move by move, the search...)
        (:class:`ntmgis.core.progress.Progress`); the result is the same without it.

    Returns
    -------
    GeoDataFrame
        One row per village (point geometry), sorted by code:
        ``village_code``, ``village_name``, ``commune_code``,
        ``commune_name``, ``population``, ``facility_id``, ``facility_name``,
        ``distance_km`` (straight, road), ``minutes`` (road, terrain),
        ``offroad_m`` (road), ``gap`` (beyond the threshold, or unreachable;
        null without a threshold). ``attrs`` holds the mode, threshold,
        number of gaps, their population and the raster path.

    Raises
    ------
    DataError
        Unknown facility type or mode, no facility of the type, contradictory
        thresholds.
    WorkspaceError
        ``road`` without roads, ``terrain`` without an elevation raster.
    """
    if to not in FACILITY_TYPES:
        raise DataError(_m("bad_facility", lang, value=to, expected=", ".join(FACILITY_TYPES)),
                        value=to, expected=", ".join(FACILITY_TYPES))
    if by not in ACCESS_MODES:
        raise DataError(_m("bad_mode", lang, value=by, expected=", ".join(ACCESS_MODES)),
                        value=by, expected=", ".join(ACCESS_MODES))
    if max_km is not None and max_minutes is not None:
        raise DataError(_m("two_limits", lang))
    for lim in (max_km, max_minutes):
        if lim is not None and not lim > 0:
            raise DataError(_m("negative_limit", lang, value=lim), value=lim)
    if by == "straight" and max_minutes is not None:
        raise DataError(_m("minutes_straight", lang))
    if by == "terrain" and max_km is not None:
        raise DataError(_m("km_terrain", lang))
    bar = as_progress(progress)
    bar.step(_step("step_read", lang))
    q = load_data(data, lang=lang)
    roads = q.get("roads", required=False)
    if by == "road" and (roads is None or len(roads) == 0):
        raise WorkspaceError(_m("no_roads", lang))
    if by == "terrain" and q.elevation is None:
        raise WorkspaceError(_m("no_elevation", lang))
    vill = q.get("villages")
    fac = q.get("facilities")
    fac = fac[(fac["type"] == to) & fac.geometry.notna() & ~fac.geometry.is_empty]
    fac = fac.sort_values("facility_id", kind="stable").reset_index(drop=True)
    if fac.empty:
        raise DataError(_m("no_facility", lang, value=to, label=labels("facility", lang)[to]),
                        value=to)
    vill = vill.sort_values("code", kind="stable").reset_index(drop=True)
    crs = work_crs(q)
    v_m, f_m = to_metric(vill, crs), to_metric(fac, crs)
    n = len(vill)
    km = np.full(n, np.nan)
    minutes = np.full(n, np.nan)
    offroad = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    has_pt = (v_m.geometry.notna() & ~v_m.geometry.is_empty).to_numpy()
    raster_path = None
    if by == "straight":
        bar.step(_step("step_nearest", lang))
        tree = shapely.STRtree(f_m.geometry.to_numpy())
        # Nearest in the metric CRS, then the geodesic distance of that pair.
        (oi, fi) = tree.query_nearest(v_m.geometry.to_numpy()[has_pt], all_matches=False)
        idx = np.flatnonzero(has_pt)[oi]
        nearest[idx] = fi
        km[idx] = geodesic_m(gpd.GeoSeries(vill.geometry.to_numpy()[idx], crs=vill.crs),
                              gpd.GeoSeries(fac.geometry.to_numpy()[fi], crs=fac.crs)) / 1000
    elif by == "road":
        from ntmgis.analysis.network import build_road_graph, nearest_by_road

        bar.step(_step("step_network", lang))
        graph = build_road_graph(to_metric(roads, crs), speeds=_road_speeds(q, speeds), lang=lang)
        bar.step(_step("step_routes", lang))
        res = nearest_by_road(graph, v_m.geometry.to_numpy()[has_pt], f_m.geometry.to_numpy())
        idx = np.flatnonzero(has_pt)
        km[idx] = np.where(np.isfinite(res.km), res.km, np.nan)
        minutes[idx] = np.where(np.isfinite(res.minutes), res.minutes, np.nan)
        offroad[idx] = res.offroad_m
        nearest[idx] = res.nearest_km if max_km is not None else res.nearest_minutes
    else:
        from ntmgis.analysis.terrain import (
            cost_distance,
            rasterize_road_speeds,
            read_elevation,
            write_minutes,
        )

        bar.step(_step("step_elevation", lang))
        elev = read_elevation(q.elevation, lang=lang)
        road_kmh = None
        if roads is not None and len(roads):
            bar.step(_step("step_roads", lang))
            road_kmh = rasterize_road_speeds(roads, elev, speeds=_road_speeds(q, speeds))
        f_e = fac.to_crs(elev.crs)
        res = cost_distance(elev, shapely.get_coordinates(f_e.geometry.to_numpy()),
                            road_kmh=road_kmh, lang=lang, progress=bar)
        v_e = vill.to_crs(elev.crs)
        idx = np.flatnonzero(has_pt)
        mins, near = res.sample(shapely.get_coordinates(v_e.geometry.to_numpy()[has_pt]))
        minutes[idx] = mins
        nearest[idx] = near
        lost = int(np.isnan(mins).sum())
        if lost:
            import warnings

            warnings.warn(
                f"{lost} bản nằm ngoài bản đồ độ cao hoặc không đi tới được cơ sở nào / "
                f"{lost} villages lie off the elevation raster or cannot reach any facility",
                DataWarning, stacklevel=2)
        if raster_out is not None:
            bar.step(_step("step_raster", lang))
            raster_path = write_minutes(res, raster_out, overwrite=overwrite, lang=lang)
    has_fac = nearest >= 0
    out = pd.DataFrame({
        "village_code": vill["code"].to_numpy(),
        "village_name": vill["name"].to_numpy(),
        "commune_code": vill["commune_code"].to_numpy(),
        "commune_name": (vill["commune_name"] if "commune_name" in vill
                         else vill["commune_code"]).to_numpy(),
        "population": pd.array(pd.to_numeric(vill.get("population", pd.Series(np.nan,
                               index=vill.index)), errors="coerce"), dtype="Int64"),
        "facility_id": np.where(has_fac, fac["facility_id"].to_numpy()[np.clip(nearest, 0, None)],
                                None),
        "facility_name": np.where(has_fac, fac["name"].to_numpy()[np.clip(nearest, 0, None)],
                                  None),
    })
    if by in ("straight", "road"):
        out["distance_km"] = np.round(km, 3)
    if by in ("road", "terrain"):
        out["minutes"] = np.round(minutes, 1)
    if by == "road":
        out["offroad_m"] = np.round(offroad, 1)
    limit = max_km if max_km is not None else max_minutes
    if limit is not None:
        # Compare the values as reported (rounded), so that the table never shows
        # "60,0 minutes" beyond a 60-minute threshold.
        value = out["distance_km"] if max_km is not None else out["minutes"]
        out["gap"] = ~(value.to_numpy() <= limit)  # NaN (unreachable) is a gap
    else:
        out["gap"] = pd.array([pd.NA] * n, dtype="boolean")
    result = gpd.GeoDataFrame(out, geometry=vill.geometry.to_numpy(), crs=vill.crs)
    gap_rows = result[result["gap"].fillna(False).astype(bool)]
    result.attrs.update(
        query="access", to=to, by=by, max_km=max_km, max_minutes=max_minutes,
        unit="km" if max_km is not None or by == "straight" else "minutes",
        gaps=int(len(gap_rows)),
        gap_population=int(pd.to_numeric(gap_rows["population"]).fillna(0).sum()),
        raster=str(raster_path) if raster_path else None,
    )
    return result

