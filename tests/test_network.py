"""Road graph on hand-drawn networks whose shortest paths are known."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from ntmgis.analysis.network import build_road_graph, nearest_by_road
from ntmgis.analysis.terrain import WALK_FLAT_KMH
from ntmgis.core.errors import DataError

SPEEDS = {"provincial": 60.0, "district": 30.0, "commune": 20.0, "village_track": 10.0}


def _roads(*items):
    return gpd.GeoDataFrame(
        {"road_class": [c for c, _ in items]},
        geometry=[LineString(c) if not isinstance(c, MultiLineString) else c for _, c in items],
        crs="EPSG:9205",
    )


def _walk_min(m):
    return m / 1000 / WALK_FLAT_KMH * 60


def test_known_shortest_and_fastest_paths():
    roads = _roads(
        ("village_track", [(0, 0), (1000, 0)]),
        ("village_track", [(1000, 0), (1000, 1000)]),
        ("provincial", [(0, 0), (0, 2000), (1000, 2000), (1000, 1000)]),
    )
    g = build_road_graph(roads, speeds=SPEEDS)
    res = nearest_by_road(g, np.array([Point(0, -10)]), np.array([Point(1020, 1000)]))
    # Shortest: the two tracks (2 km) plus the legs 10 m and 20 m.
    assert res.km[0] == pytest.approx(2.03)
    # Fastest: the provincial road, 4 km at 60 km/h, plus 30 m walked.
    assert res.minutes[0] == pytest.approx(4.0 + _walk_min(30))
    assert res.offroad_m[0] == pytest.approx(10)
    assert res.nearest_km[0] == 0 and res.nearest_minutes[0] == 0


def test_crossing_roads_are_noded():
    roads = _roads(
        ("district", [(-1000, 0), (1000, 0)]),
        ("district", [(0, -1000), (0, 1000)]),
    )
    g = build_road_graph(roads, speeds=SPEEDS)
    assert g.n_nodes == 5 and len(g.pieces) == 4
    res = nearest_by_road(g, np.array([Point(-1000, 5)]), np.array([Point(5, 1000)]))
    assert res.km[0] == pytest.approx(2.01)
    assert res.minutes[0] == pytest.approx(2.0 / 30 * 60 + _walk_min(10))


def test_line_ends_snapped_within_tolerance():
    roads = _roads(
        ("commune", [(0, 0), (1000, 0)]),
        ("commune", [(1003, 0), (1003, 1000)]),
    )
    near = build_road_graph(roads, speeds=SPEEDS, snap_m=5)
    apart = build_road_graph(roads, speeds=SPEEDS, snap_m=1)
    o, d = np.array([Point(0, 0)]), np.array([Point(1003, 1000)])
    assert nearest_by_road(near, o, d).km[0] == pytest.approx(2.0, abs=0.005)
    assert np.isinf(nearest_by_road(apart, o, d).km[0])


def test_same_piece_goes_straight_along_it():
    g = build_road_graph(_roads(("district", [(0, 0), (1000, 0)])), speeds=SPEEDS)
    res = nearest_by_road(g, np.array([Point(100, 5)]), np.array([Point(400, -5)]))
    assert res.km[0] == pytest.approx(0.31)


def test_nearest_facility_by_road_and_direct_walk():
    roads = _roads(
        ("district", [(-1000, 0), (3000, 0)]),
        ("district", [(-200, 300), (200, 300)]),  # an island: not joined to the first road
    )
    g = build_road_graph(roads, speeds=SPEEDS)
    villages = np.array([Point(0, -10)])
    facilities = np.array([Point(0, 310), Point(2000, -10)])
    res = nearest_by_road(g, villages, facilities)
    # Along roads only the second facility can be reached.
    assert res.nearest_km[0] == 1
    assert res.km[0] == pytest.approx(2.02)
    # Walking 320 m straight to the first is faster than the road trip.
    assert res.nearest_minutes[0] == 0
    assert res.minutes[0] == pytest.approx(_walk_min(320))


def test_class_of_overlapping_roads_is_the_fastest_and_multilines_work():
    roads = _roads(
        ("village_track", [(0, 0), (1000, 0)]),
        ("provincial", MultiLineString([[(0, 0), (1000, 0)], [(1000, 0), (2000, 0)]])),
    )
    g = build_road_graph(roads, speeds=SPEEDS)
    assert set(g.road_class) == {"provincial"}
    res = nearest_by_road(g, np.array([Point(0, 0)]), np.array([Point(2000, 0)]))
    assert res.minutes[0] == pytest.approx(2.0)


def test_no_roads_error():
    empty = gpd.GeoDataFrame({"road_class": []}, geometry=[], crs="EPSG:9205")
    with pytest.raises(DataError, match="không có đường"):
        build_road_graph(empty)
