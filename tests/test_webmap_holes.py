"""Issue 13: districts and provinces drawn from communes have no holes their source lacks.

Real communes do not fit: a gap between neighbours wider than the cleaning
(35 m) survives ``coverage_clean`` and, merged into a district, becomes a hole
inside it. The web map fills such holes and keeps those the source has: a
commune's own hole, an enclave of another district.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, box

from ntmgis.outputs.webmap.levels import admin_levels
from ntmgis.outputs.webmap.monitoring import SIMPLIFY_TOLERANCE_M
from ntmgis.outputs.webmap.simplify import simplify_coverage_parts

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

CRS = 3405  # VN-2000 / UTM 48N: metres
X0, Y0 = 500_000.0, 2_000_000.0


def _levels(communes: gpd.GeoDataFrame) -> dict:
    """The web map's provinces and districts, from the communes as ``ntmgis map`` draws them."""
    geo, valid, alone = simplify_coverage_parts(communes.geometry, SIMPLIFY_TOLERANCE_M)
    return admin_levels(communes, geo, {}, 19, {}, np.zeros(0, dtype=np.int64),
                        np.zeros(0), alone=alone if valid else None)


def _holes(level: dict) -> int:
    """Interior rings of a level's encoded units (feature -> polygons -> rings)."""
    return sum(len(poly) - 1 for feat in level["geom"] for poly in feat)


def _by_level(out: dict) -> dict[str, dict]:
    return {lv["level"]: lv for lv in out["levels"]}


def _merged_holes(communes: gpd.GeoDataFrame, column: str) -> int:
    """Holes of each unit merged from the cleaned communes as before the fix."""
    geo, _valid, alone = simplify_coverage_parts(communes.geometry, SIMPLIFY_TOLERANCE_M)
    n = 0
    for _, idx in communes.groupby(column).indices.items():
        keep = idx[~alone[idx]]
        merged = shapely.coverage_union_all(geo.values[keep])
        n += int(shapely.get_num_interior_rings(shapely.get_parts(merged)).sum())
    return n


def _square(i: int, j: int, size: float = 5_000.0) -> Polygon:
    return box(X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size)


def _hand_made() -> gpd.GeoDataFrame:
    """Two districts of one province, with a false hole and two true ones.

    District A: the 3 x 3 squares of columns 0-2 except the centre (1, 1), which is
    a commune of district B (an enclave: a true hole of A); the top-left commune
    stops 80 m short of its right neighbour along 3 km, leaving a gap wider than
    the cleaning between A's communes (a false hole once merged).
    District B: the centre and columns 3-4; commune (4, 1) has a lake, a hole of
    its own that no commune covers (a true hole of B and of the province).
    """
    rows = []
    for i in range(5):
        for j in range(3):
            poly = _square(i, j)
            if (i, j) == (0, 2):  # the top-left commune gives up an 80 m strip
                poly = poly.difference(box(X0 + 4_920, Y0 + 11_000, X0 + 5_000, Y0 + 14_000))
            if (i, j) == (4, 1):
                lake = box(X0 + 21_000, Y0 + 6_000, X0 + 23_000, Y0 + 8_000)
                poly = poly.difference(lake)
            district = "B" if i >= 3 or (i, j) == (1, 1) else "A"
            rows.append({"code": f"{i}{j}", "name": f"Xã {i}{j}", "district_code": district,
                         "district_name": f"Huyện {district}", "province_code": "P",
                         "province_name": "Tỉnh P", "geometry": poly})
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=CRS)


def test_a_gap_inside_a_district_is_filled_and_true_holes_stay() -> None:
    communes = _hand_made()
    # before: the 80 m strip survives cleaning and is a hole of district A
    assert _merged_holes(communes, "district_code") == 3  # strip, enclave, lake
    levels = _by_level(_levels(communes))
    district, province = levels["district"], levels["province"]
    assert district["code"] == ["A", "B"]
    rings = {code: [len(poly) - 1 for poly in feat]
             for code, feat in zip(district["code"], district["geom"], strict=True)}
    assert rings == {"A": [1], "B": [0, 1]} or rings == {"A": [1], "B": [1, 0]}
    # the province has only the lake: the enclave is its own, the gap is filled
    assert _holes(province) == 1
    # the hole kept in A is the enclave, not the strip: the enclave's size (25 km2)
    geo = _decoded(district, 0)
    assert len(geo.interiors) == 1
    hole_area = shapely.area(shapely.Polygon(geo.interiors[0]))
    assert 24.5e6 < hole_area < 25.5e6


def _decoded(level: dict, unit: int, *, whole: bool = False) -> shapely.Geometry:
    """A level's unit back in the metric CRS (its largest polygon, or all with ``whole``)."""
    polys = []
    for poly in level["geom"][unit]:
        rings = []
        for flat in poly:
            xy = np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / 1e5
            rings.append(xy)
        polys.append(Polygon(rings[0], rings[1:]))
    geo = gpd.GeoSeries(polys, crs=4326).to_crs(CRS)
    return shapely.union_all(geo.values) if whole else max(geo.values, key=lambda g: g.area)


def test_synthetic_gaps_leave_no_holes(tmp_path: Path) -> None:
    # the irregular shape's neighbours bulge 40-150 m apart on 4 % of their edges
    synth.make_country(120, tmp_path / "c", shape="irregular")
    communes = gpd.read_file(tmp_path / "c" / "layers" / "communes.gpkg").rename(columns={
        "gso_code": "code", "district_gso_code": "district_code",
        "province_gso_code": "province_code"})
    communes = communes.sort_values("code").reset_index(drop=True)
    before = _merged_holes(communes, "district_code")
    assert before > 0
    levels = _by_level(_levels(communes))
    # the synthetic communes have no holes of their own: no unit keeps one
    parts = shapely.get_parts(communes.geometry.values)
    assert shapely.get_num_interior_rings(parts).sum() == 0
    assert _holes(levels["district"]) == 0
    assert _holes(levels["province"]) == 0
    # every commune's area is still drawn: the districts cover the communes' union
    union = shapely.union_all(communes.geometry.values)
    districts = gpd.GeoSeries([_decoded(levels["district"], u, whole=True)
                               for u in range(len(levels["district"]["code"]))], crs=CRS)
    assert shapely.area(shapely.difference(union, districts.union_all())) < 0.01 * union.area
