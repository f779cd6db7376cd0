"""Cost-distance over terrain on synthetic rasters whose answers are known by hand."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import LineString

from ntmgis.analysis.terrain import (
    NODATA,
    WALK_FLAT_KMH,
    Elevation,
    cost_distance,
    rasterize_road_speeds,
    read_elevation,
    slope,
    tobler_kmh,
    write_minutes,
)
from ntmgis.core.errors import CRSError, DataError, OutputExistsError, WorkspaceError

CELL = 100.0
X0, Y0 = 500_000.0, 2_480_000.0  # upper-left corner, EPSG:9205


def _elev(z: np.ndarray) -> Elevation:
    from rasterio.crs import CRS

    return Elevation(z=z.astype("float64"), transform=Affine(CELL, 0, X0, 0, -CELL, Y0),
                     crs=CRS.from_epsg(9205))


def _centre(row: float, col: float) -> tuple[float, float]:
    return X0 + (col + 0.5) * CELL, Y0 - (row + 0.5) * CELL


def test_tobler_values():
    assert tobler_kmh(-0.05) == pytest.approx(6.0)
    assert WALK_FLAT_KMH == pytest.approx(6 * np.exp(-0.175))
    assert tobler_kmh(0.2) == pytest.approx(6 * np.exp(-3.5 * 0.25))
    # Anisotropic: a 10 % descent is faster than a 10 % climb.
    assert tobler_kmh(-0.1) > tobler_kmh(0.1)


def test_flat_raster_minutes_equal_straight_distance_over_speed():
    n = 41
    elev = _elev(np.zeros((n, n)))
    fac = np.array([_centre(20, 20)])
    res = cost_distance(elev, fac)
    rows, cols = np.mgrid[0:n, 0:n]
    straight_m = np.hypot(rows - 20, cols - 20) * CELL
    expected = straight_m / 1000 / WALK_FLAT_KMH * 60
    one_cell_min = CELL / 1000 / WALK_FLAT_KMH * 60
    err = res.minutes - expected
    # Never shorter than the straight line, and at most one cell's time longer
    # (16-neighbour paths: at most 2.7 % longer; here up to 28 cells away).
    assert err.min() >= -1e-9
    assert err.max() <= one_cell_min
    assert np.all(err <= 0.0275 * expected + 1e-9)
    # Along the axes and diagonals the grid path is exact.
    assert res.minutes[20, 40] == pytest.approx(20 * one_cell_min)
    assert res.minutes[0, 0] == pytest.approx(np.hypot(20, 20) * one_cell_min)
    assert res.minutes[20, 20] == 0
    assert (res.nearest == 0).all()


def test_two_facilities_nearest_and_sampling():
    elev = _elev(np.zeros((5, 30)))
    fac = np.array([_centre(2, 2), _centre(2, 27)])
    res = cost_distance(elev, fac)
    mins, nearest = res.sample(np.array([_centre(2, 5), _centre(2, 20), (0.0, 0.0)]))
    one = CELL / 1000 / WALK_FLAT_KMH * 60
    assert nearest.tolist() == [0, 1, -1]
    assert mins[0] == pytest.approx(3 * one)
    assert mins[1] == pytest.approx(7 * one)
    assert np.isnan(mins[2])  # outside the raster


def test_slope_plane():
    rows, cols = np.mgrid[0:10, 0:10]
    elev = _elev(cols * 10.0)  # rises 10 m per 100 m cell eastwards: 10 %
    s = slope(elev)
    assert np.allclose(s, 0.1)


def test_anisotropy_uphill_slower_than_downhill():
    # A plane rising 20 m per 100 m cell eastwards (20 %).
    rows, cols = np.mgrid[0:3, 0:21]
    elev = _elev(cols * 20.0)
    west, east = _centre(1, 0), _centre(1, 20)
    up = cost_distance(elev, np.array([east])).sample(np.array([west]))[0][0]
    down = cost_distance(elev, np.array([west])).sample(np.array([east]))[0][0]
    dist_km = 20 * CELL / 1000
    # From the village in the west walking up to a facility in the east ...
    assert up == pytest.approx(dist_km / tobler_kmh(0.2) * 60)
    # ... and down from the east to one in the west.
    assert down == pytest.approx(dist_km / tobler_kmh(-0.2) * 60)
    assert up > down


def test_road_is_faster_and_used():
    n = 21
    elev = _elev(np.zeros((n, n)))
    road = gpd.GeoDataFrame(
        {"road_class": ["district"]},
        geometry=[LineString([_centre(10, 0), _centre(10, 20)])], crs="EPSG:9205",
    )
    kmh = rasterize_road_speeds(road, elev, speeds={"district": 30.0})
    assert (kmh[10] == 30.0).all()
    assert kmh[0].max() == 0
    fac = np.array([_centre(10, 0)])
    with_road = cost_distance(elev, fac, road_kmh=kmh).sample(np.array([_centre(10, 20)]))[0][0]
    assert with_road == pytest.approx(20 * CELL / 1000 / 30.0 * 60)
    without = cost_distance(elev, fac).sample(np.array([_centre(10, 20)]))[0][0]
    assert without == pytest.approx(20 * CELL / 1000 / WALK_FLAT_KMH * 60)


def test_fastest_road_class_wins_where_roads_meet():
    elev = _elev(np.zeros((5, 5)))
    roads = gpd.GeoDataFrame(
        {"road_class": ["provincial", "village_track"]},
        geometry=[LineString([_centre(2, 0), _centre(2, 4)]),
                  LineString([_centre(0, 2), _centre(4, 2)])], crs="EPSG:9205",
    )
    kmh = rasterize_road_speeds(roads, elev)
    assert kmh[2, 2] == 35.0 and kmh[0, 2] == 8.0


def test_nodata_blocks_paths():
    z = np.zeros((3, 9))
    z[:, 4] = np.nan  # a wall without elevation
    res = cost_distance(_elev(z), np.array([_centre(1, 0)]))
    assert np.isnan(res.minutes[:, 5:]).all()
    assert (res.nearest[:, 5:] == -1).all()
    assert np.isfinite(res.minutes[:, :4]).all()


def test_no_facility_on_raster():
    with pytest.raises(DataError, match="không có cơ sở"):
        cost_distance(_elev(np.zeros((3, 3))), np.array([(0.0, 0.0)]))


def _write_dem(path, z, crs="EPSG:9205", transform=None):
    with rasterio.open(path, "w", driver="GTiff", width=z.shape[1], height=z.shape[0],
                       count=1, dtype="float32", crs=crs, nodata=-32768,
                       transform=transform or Affine(CELL, 0, X0, 0, -CELL, Y0)) as dst:
        dst.write(z.astype("float32"), 1)


def test_read_elevation_errors(tmp_path):
    with pytest.raises(WorkspaceError, match="Không tìm thấy tệp độ cao"):
        read_elevation(tmp_path / "none.tif")
    p = tmp_path / "geo.tif"
    _write_dem(p, np.zeros((3, 3)), crs="EPSG:4326", transform=Affine(0.01, 0, 102, 0, -0.01, 22))
    with pytest.raises(CRSError, match="hệ tọa độ phẳng"):
        read_elevation(p)


def test_write_minutes_deterministic_and_atomic(tmp_path):
    z = np.full((6, 8), 300.0)
    z[0, 0] = -32768  # nodata
    dem = tmp_path / "dem.tif"
    _write_dem(dem, z)
    elev = read_elevation(dem)
    assert np.isnan(elev.z[0, 0])
    res = cost_distance(elev, np.array([_centre(3, 4)]))
    a, b = tmp_path / "a.tif", tmp_path / "b.tif"
    write_minutes(res, a)
    write_minutes(res, b)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    with pytest.raises(OutputExistsError):
        write_minutes(res, a)
    with rasterio.open(a) as src:
        assert src.profile["compress"].lower() == "deflate"
        assert src.nodata == NODATA
        data = src.read(1)
    assert data[0, 0] == NODATA
    assert data[3, 4] == 0
    assert data[3, 6] == pytest.approx(2 * CELL / 1000 / WALK_FLAT_KMH * 60, rel=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tif", "b.tif", "dem.tif"]


def test_knight_moves_do_not_jump_between_parallel_roads():
    # Two east-west roads two rows apart, joined only at the west end by a north-south one.
    elev = _elev(np.zeros((5, 21)))
    roads = gpd.GeoDataFrame(
        {"road_class": ["provincial"] * 3},
        geometry=[LineString([_centre(0, 0), _centre(0, 20)]),
                  LineString([_centre(2, 0), _centre(2, 20)]),
                  LineString([_centre(0, 0), _centre(2, 0)])], crs="EPSG:9205")
    kmh = rasterize_road_speeds(roads, elev, speeds={"provincial": 60.0})
    assert kmh[1, 10] == 0
    res = cost_distance(elev, np.array([_centre(0, 20)]), road_kmh=kmh)
    got = res.sample(np.array([_centre(2, 20)]))[0][0]
    walk_across = 2 * CELL / 1000 / WALK_FLAT_KMH * 60          # 2.4 min on foot
    by_road = (20 + 2 + 20) * CELL / 1000 / 60.0 * 60             # 4.2 min round the loop
    assert got == pytest.approx(min(walk_across, by_road))
    # Nothing is faster than the road at 60 km/h over the 200 m gap: no road-speed jump.
    assert got > 2 * CELL / 1000 / 60.0 * 60 + 1e-9


def test_facilities_off_the_raster_are_reported():
    from ntmgis.core.errors import DataWarning

    with pytest.warns(DataWarning, match="1 cơ sở nằm ngoài bản đồ độ cao"):
        cost_distance(_elev(np.zeros((3, 3))), np.array([_centre(1, 1), (0.0, 0.0)]))
