"""A small synthetic world following docs/CONTRACT.md, with answers known by hand.

A helper module (not a test module) shared by the query tests.

Two communes side by side, overlapping in a 200 m strip (x 9 800-10 000 m):

    A 03901 "Xã An"   x 0-10 000     B 03902 "Xã Bình" x 9 800-20 000   (y 0-10 000)

Villages: V1 (2 050, 5 050) in A; V2 (9 950, 6 050) in the overlap, declared A;
V3 (15 050, 5 050) in B; V4 (9 950, 2 050) in the overlap, declared B.
Health stations H1 (1 050, 5 050) in A, H2 (19 050, 5 050) in B; school S1 in A.
One district road along y = 5 050 from x = 50 to 19 950. A flat elevation raster,
100 m cells. All coordinates are offsets from (480 000, 2 470 000) in EPSG:9205.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, box

from ntmgis.core.criteria import CriteriaSet, Criterion

X0, Y0 = 480_000.0, 2_470_000.0
CRS = "EPSG:9205"


def P(x, y):
    return Point(X0 + x, Y0 + y)


COMMUNE_A = MultiPolygon([box(X0, Y0, X0 + 10_000, Y0 + 10_000)])
COMMUNE_B = MultiPolygon([box(X0 + 9_800, Y0, X0 + 20_000, Y0 + 10_000)])

VILLAGE_SET = CriteriaSet("village", "Bộ tiêu chí bản (thử)", "Village set (test)", (
    Criterion(1, "Giao thông", "Transport", prefix="vc"),
    Criterion(2, "Điện", "Electricity", prefix="vc"),
    Criterion(3, "Nhà văn hóa bản", "Cultural house", prefix="vc"),
))


def _commune_status():
    rows = []
    fails = {  # (code, year) -> criteria not met
        ("03901", 2023): {5, 15}, ("03901", 2025): {5, 15},
        ("03902", 2023): {5}, ("03902", 2025): {5},
    }
    for (code, year), bad in fails.items():
        r = {"code": code, "name": {"03901": "Xã An", "03902": "Xã Bình"}[code], "year": year}
        for n in range(1, 20):
            r[f"tc{n:02d}"] = 0 if n in bad else 1
        r["tc10"] = None if code == "03902" else r["tc10"]  # unknown: not a gap
        rows.append(r)
    df = pd.DataFrame(rows)
    df["tc10"] = df["tc10"].astype("Int64")
    geom = [COMMUNE_A if c == "03901" else COMMUNE_B for c in df["code"]]
    return gpd.GeoDataFrame(df, geometry=geom, crs=CRS)


def _village_status(villages):
    fails = {"0390102": {1}, "0390202": {1, 3}, "0390201": {2}}
    rows = []
    for _, v in villages.iterrows():
        r = {"code": v["code"], "name": v["name"], "commune_code": v["commune_code"],
             "year": 2025}
        for n in (1, 2, 3):
            r[f"vc{n:02d}"] = 0 if n in fails.get(v["code"], ()) else 1
        rows.append(r)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=villages.geometry.to_numpy(), crs=CRS)


def _project(pid, name, category, commune, village, criteria, ys, ye, status, cap, geom):
    return {"project_id": pid, "name": name, "category": category, "commune_code": commune,
            "commune_name": {"03901": "Xã An", "03902": "Xã Bình"}.get(commune, ""),
            "village_code": village, "criteria": criteria, "year_start": ys, "year_end": ye,
            "status": status, "cap_central": cap, "cap_local": 0.0, "cap_integrated": 0.0,
            "cap_credit": 0.0, "cap_mobilised": 0.0, "cap_community": 1.0 if cap > 500 else 0.0,
            "cap_total": cap + (1.0 if cap > 500 else 0.0), "disbursed": 0.0,
            "geometry": geom}


def world(tmp_path=None):
    """The layers as a mapping for the query functions (elevation written to tmp_path)."""
    communes = gpd.GeoDataFrame(
        {"code": ["03901", "03902"], "name": ["Xã An", "Xã Bình"],
         "unit_type": ["xã", "xã"], "in_programme": [True, True]},
        geometry=[COMMUNE_A, COMMUNE_B], crs=CRS)
    villages = gpd.GeoDataFrame(
        {"code": ["0390101", "0390102", "0390201", "0390202"],
         "name": ["Bản Một", "Bản Hai", "Bản Ba", "Bản Bốn"],
         "commune_code": ["03901", "03901", "03902", "03902"],
         "commune_name": ["Xã An", "Xã An", "Xã Bình", "Xã Bình"],
         "population": pd.array([500, 200, 300, None], dtype="Int64")},
        geometry=[P(2_050, 5_050), P(9_950, 6_050), P(15_050, 5_050), P(9_950, 2_050)],
        crs=CRS)
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["H1", "H2", "S1"], "name": ["Trạm y tế An", "Trạm y tế Bình",
                                                     "Trường An"],
         "type": ["health_station", "health_station", "school"],
         "commune_code": ["03901", "03902", "03901"], "village_code": [None, None, None]},
        geometry=[P(1_050, 5_050), P(19_050, 5_050), P(3_050, 5_050)], crs=CRS)
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1"], "name": ["Đường huyện"], "road_class": ["district"]},
        geometry=[MultiLineString([[(X0 + 50, Y0 + 5_050), (X0 + 19_950, Y0 + 5_050)]])],
        crs=CRS)
    prj = pd.DataFrame([
        _project("P1", "Trường An", "school", "03901", None, "5", 2024, 2026, "under_way",
                 900.0, P(3_000, 5_500)),
        _project("P2", "Trường Bình", "school", "03902", None, "5;14", 2022, 2024, "finished",
                 700.0, P(15_000, 5_500)),
        _project("P3", "Trạm y tế An", "health", "03901", None, "15", 2026, 2027, "preparing",
                 300.0, P(1_000, 5_200)),
        _project("P4", "Đường bản Hai", "road", "03901", "0390102", "2", 2025, 2026,
                 "under_way", 400.0, P(9_950, 6_000)),
        _project("P5", "Chợ An", "market", "03901", None, "7", 2023, 2023, "finished",
                 100.0, P(10_005, 8_000)),
        _project("P6", "Điện bản Bốn", "electricity", "03902", "0390202", "4", 2021, 2022,
                 "finished", 200.0, P(9_900, 3_000)),
        _project("P7", "Nhà văn hóa bản Một", "culture", "03901", "0390101", "6;16", 2023,
                 2024, "finished", 150.0, P(6_050, 5_050)),
    ])
    projects = gpd.GeoDataFrame(prj, geometry="geometry", crs=CRS)
    data = {
        "communes": communes,
        "commune_status": _commune_status(),
        "villages": villages,
        "village_status": _village_status(villages),
        "facilities": facilities,
        "roads": roads,
        "projects": projects,
        "village_set": VILLAGE_SET,
        "village_links": {},
    }
    if tmp_path is not None:
        data["elevation"] = write_flat_dem(tmp_path / "dem.tif")
    return data


def write_flat_dem(path, value=500.0):
    z = np.full((100, 200), value, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=200, height=100, count=1,
                       dtype="float32", crs=CRS, nodata=-9999,
                       transform=Affine(100.0, 0, X0, 0, -100.0, Y0 + 10_000)) as dst:
        dst.write(z, 1)
    return path


def straight_line(x1, y1, x2, y2):
    return LineString([(X0 + x1, Y0 + y1), (X0 + x2, Y0 + y2)])

