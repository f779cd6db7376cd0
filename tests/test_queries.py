"""Query functions on the synthetic world of query_world.py (answers known by hand)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from query_world import P, straight_line, world

from ntmgis.analysis.terrain import WALK_FLAT_KMH
from ntmgis.core.errors import CriteriaError, DataError, OutputExistsError, WorkspaceError
from ntmgis.queries import (
    access,
    describe,
    find_place,
    gap_summary,
    gaps,
    misplaced,
    projects,
    result_table,
    write_csv,
    write_geojson,
    write_gpkg_layer,
)

DISTRICT_KMH = 25.0


@pytest.fixture
def w(tmp_path):
    return world(tmp_path)


def _rows(df, key):
    return df.set_index(key)


# ---------------------------------------------------------------- gaps

def test_commune_gaps_all_criteria(w):
    g = gaps(w, year=2025)
    got = [(r.criterion, r.commune_code, r.gap_status, r.project_ids, r.capital)
           for r in g.itertuples()]
    assert got == [
        (5, "03901", "addressed", "P1", 901.0),      # P1 under way
        (5, "03902", "unaddressed", "", 0.0),        # P2 finished in 2024: not after 2025
        (15, "03901", "addressed", "P3", 300.0),     # P3 preparing
    ]
    # Bình's school project was finished in 2024, and the criterion is still not met.
    assert g["finished_ids"].tolist() == ["", "P2", ""]
    # tc10 of Bình is unknown: not a gap. Geometry is the commune's.
    assert g.crs == "EPSG:9205" and g.geometry.iloc[1].equals(w["communes"].geometry.iloc[1])


def test_commune_gaps_earlier_year_counts_projects_finished_later(w):
    g = gaps(w, criterion=5, year=2023)
    assert g["gap_status"].tolist() == ["addressed", "addressed"]
    assert g["project_ids"].tolist() == ["P1", "P2"]
    assert g["project_status"].tolist() == ["under_way", "finished"]
    assert g["capital"].tolist() == [901.0, 701.0]


def test_gap_summary_counts_every_criterion(w):
    s = gap_summary(gaps(w, year=2025))
    assert len(s) == 19
    five = s.set_index("criterion").loc[5]
    assert (five.gaps, five.addressed, five.unaddressed, five.capital) == (2, 1, 1, 901.0)
    assert s.set_index("criterion").loc[1, "gaps"] == 0
    one = gap_summary(gaps(w, criterion=5, year=2025))
    assert one["criterion"].tolist() == [5] and one["unaddressed"].tolist() == [1]


def test_default_year_is_latest(w):
    assert gaps(w, criterion=5).attrs["year"] == 2025


def test_village_gaps_decided_by_declared_commune(w):
    g = gaps(w, level="village", year=2025)
    got = [(r.criterion, r.village_code, r.commune_code, r.commune_criteria, r.gap_status)
           for r in g.itertuples()]
    assert got == [
        (1, "0390102", "03901", "2", "addressed"),   # P4 (road, under way) in bản Hai
        (1, "0390202", "03902", "2", "unaddressed"),
        (2, "0390201", "03902", "4", "unaddressed"),  # P6 is in bản Bốn, not bản Ba
        (3, "0390202", "03902", "", "unaddressed"),   # no commune criterion of that name
    ]
    # Bản Bốn lies in the overlap of An and Bình; it is Bình's, as declared.
    assert g.loc[1, "commune_name"] == "Xã Bình"
    s = gap_summary(g)
    assert s.set_index("criterion").loc[1, "population_unaddressed"] == 0  # unknown population
    assert s.set_index("criterion").loc[2, "population_unaddressed"] == 300


def test_village_links_from_the_criteria_table(w):
    w["village_links"] = {3: (6, 16)}
    g = gaps(w, level="village", criterion=3)
    assert g["commune_criteria"].tolist() == ["6;16"]


def test_gap_errors(w):
    with pytest.raises(CriteriaError, match="tiêu chí 20"):
        gaps(w, criterion=20)
    with pytest.raises(CriteriaError, match="tiêu chí 4"):
        gaps(w, criterion=4, level="village")
    with pytest.raises(DataError, match="không có số liệu năm 2024; các năm có: 2023, 2025"):
        gaps(w, year=2024)
    with pytest.raises(DataError, match="no data for year 2024"):
        gaps(w, year=2024, lang="en")
    with pytest.raises(DataError, match="cấp 'district'"):
        gaps(w, level="district")


# ---------------------------------------------------------------- access

def test_access_straight_is_geodesic_metres(w):
    a = _rows(access(w, to="health_station", max_km=5), "village_code")
    # 1 000 m of grid on TM-3 (scale 0.9999 near the central meridian) ~ 1 000.1 m.
    assert a.loc["0390101", "distance_km"] == pytest.approx(1.0, rel=2e-4)
    assert a.loc["0390102", "distance_km"] == pytest.approx(math.hypot(8.9, 1.0), rel=2e-4)
    assert a.loc["0390201", "facility_id"] == "H2"
    assert a.loc["0390202", "facility_id"] == "H1"
    assert a["gap"].tolist() == [False, True, False, True]
    res = access(w, to="health_station", max_km=5)
    assert res.attrs["gaps"] == 2 and res.attrs["gap_population"] == 200


def test_access_straight_in_degrees_is_still_metres():
    # One degree of longitude on the equator is 111 319.49 m on WGS 84, not "1".
    v = gpd.GeoDataFrame({"code": ["1"], "name": ["v"], "commune_code": ["c"]},
                         geometry=[P(0, 0)], crs="EPSG:9205").to_crs(4326)
    v["geometry"] = gpd.points_from_xy([0.0], [0.0])
    f = gpd.GeoDataFrame({"facility_id": ["F"], "name": ["f"], "type": ["school"]},
                         geometry=gpd.points_from_xy([1.0], [0.0]), crs=4326)
    a = access({"villages": v, "facilities": f}, to="school")
    assert a["distance_km"].iloc[0] == pytest.approx(111.31949, abs=1e-3)


def test_access_by_road(w):
    a = _rows(access(w, to="health_station", by="road", max_minutes=30), "village_code")
    assert a.loc["0390101", "distance_km"] == pytest.approx(1.0)
    assert a.loc["0390101", "minutes"] == pytest.approx(1.0 / DISTRICT_KMH * 60, abs=0.05)
    # Bản Hai: 1 km walked to the road, then 8.9 km of district road to H1.
    assert a.loc["0390102", "distance_km"] == pytest.approx(9.9)
    walk = 1.0 / WALK_FLAT_KMH * 60
    assert a.loc["0390102", "minutes"] == pytest.approx(walk + 8.9 / DISTRICT_KMH * 60, abs=0.05)
    assert a.loc["0390102", "offroad_m"] == pytest.approx(1000)
    assert a.loc["0390202", "distance_km"] == pytest.approx(11.9)
    assert a["gap"].tolist() == [False, True, False, True]


def test_access_by_terrain_flat_with_road(w, tmp_path):
    out = tmp_path / "minutes.tif"
    a = _rows(access(w, to="health_station", by="terrain", max_minutes=60, raster_out=out),
              "village_code")
    assert out.is_file()
    assert a.loc["0390101", "minutes"] == pytest.approx(1.0 / DISTRICT_KMH * 60, abs=0.05)
    assert a.loc["0390201", "minutes"] == pytest.approx(4.0 / DISTRICT_KMH * 60, abs=0.05)
    # Bản Hai: 1 km off the road. The best continuous path walks at an angle to the road
    # (Snell's law): 8.9 km / 25 km/h + 1 km * sqrt(1/v_walk^2 - 1/v_road^2).
    best = 8.9 / DISTRICT_KMH * 60 + 60 * math.sqrt(1 / WALK_FLAT_KMH**2 - 1 / DISTRICT_KMH**2)
    straight_down = 8.9 / DISTRICT_KMH * 60 + 1.0 / WALK_FLAT_KMH * 60
    assert best - 0.05 <= a.loc["0390102", "minutes"] <= straight_down + 0.05
    assert a.loc["0390102", "facility_id"] == "H1"
    assert not a["gap"].any()


def test_access_by_terrain_flat_without_roads_equals_straight_over_speed(w):
    del w["roads"]
    a = access(w, to="health_station", by="terrain")
    s = access(w, to="health_station", by="straight")
    straight_min = s["distance_km"].to_numpy() / WALK_FLAT_KMH * 60
    one_cell = 0.1 / WALK_FLAT_KMH * 60
    err = a["minutes"].to_numpy() - straight_min
    assert np.all(err >= -one_cell)
    # 16-neighbour grid paths are at most 2.7 % longer than the straight line.
    assert np.all(err <= np.maximum(one_cell, 0.0275 * straight_min))
    assert a["minutes"].iloc[0] == pytest.approx(1.0 / WALK_FLAT_KMH * 60, abs=0.05)
    assert a["gap"].isna().all()


def test_access_errors(w):
    with pytest.raises(DataError, match="loại cơ sở 'hospital' không có; dùng một trong: school"):
        access(w, to="hospital")
    with pytest.raises(DataError, match="không có cơ sở loại 'market'"):
        access(w, to="market")
    with pytest.raises(DataError, match="cách tính 'air'"):
        access(w, by="air")
    with pytest.raises(DataError, match="--max-km hoặc --max-minutes"):
        access(w, max_km=1, max_minutes=1)
    with pytest.raises(DataError, match="đường chim bay"):
        access(w, max_minutes=10)
    with pytest.raises(DataError, match="số phút"):
        access(w, by="terrain", max_km=10)
    no_roads = {k: v for k, v in w.items() if k != "roads"}
    with pytest.raises(WorkspaceError, match=r"không có lớp đường giao thông \(\[layers.roads\]"):
        access(no_roads, by="road")
    with pytest.raises(WorkspaceError, match="no roads layer"):
        access(no_roads, by="road", lang="en")
    no_dem = {k: v for k, v in w.items() if k != "elevation"}
    with pytest.raises(WorkspaceError, match=r"không có bản đồ độ cao \(\[terrain\] elevation"):
        access(no_dem, by="terrain")


# ---------------------------------------------------------------- misplaced

def test_misplaced_just_outside_and_far_from_village(w):
    m = misplaced(w)
    assert m["project_id"].tolist() == ["P5", "P7"]
    p5 = m.iloc[0]
    # 5 m east of An's edge, inside Bình.
    assert p5.outside_commune and p5.dist_commune_m == pytest.approx(5.0)
    assert p5.located_commune_code == "03902" and p5.located_commune_name == "Xã Bình"
    p7 = m.iloc[1]
    assert not p7.outside_commune and p7.far_from_village
    assert p7.dist_village_m == pytest.approx(4000, rel=2e-4)
    # P6 lies in the overlap of An and Bình and is declared Bình: not misplaced.
    assert "P6" not in set(m["project_id"])
    assert misplaced(w, max_village_m=5000)["project_id"].tolist() == ["P5"]


def test_misplaced_overlap_lists_both_communes_and_unknown_code(w):
    prj = w["projects"]
    prj.loc[prj["project_id"] == "P6", "commune_code"] = "03999"
    m = misplaced(w).set_index("project_id")
    assert m.loc["P6", "unknown_commune"]
    assert m.loc["P6", "located_commune_code"] == "03901;03902"


def test_line_project_crossing_the_edge_is_not_outside(w):
    w["project_lines"] = gpd.GeoDataFrame(
        {"project_id": ["P5"]}, geometry=[straight_line(9_000, 8_000, 10_005, 8_000)],
        crs="EPSG:9205")
    assert "P5" not in set(misplaced(w)["project_id"])


# ---------------------------------------------------------------- projects

def _ids(df):
    return df["project_id"].tolist()


def test_project_filters(w):
    assert _ids(projects(w, criterion=5)) == ["P1", "P2"]
    assert _ids(projects(w, commune="Bình")) == ["P2", "P6"]
    assert _ids(projects(w, commune="03901", status="Đang thực hiện")) == ["P1", "P4"]
    assert _ids(projects(w, village="Bản Bốn")) == ["P6"]
    assert _ids(projects(w, category=["school", "Y tế"])) == ["P1", "P2", "P3"]
    assert _ids(projects(w, year=2023)) == ["P2", "P5", "P7"]
    assert _ids(projects(w, source="community")) == ["P1", "P2"]
    assert _ids(projects(w, source="cong dong dan cu dong gop")) == ["P1", "P2"]
    assert _ids(projects(w)) == [f"P{i}" for i in range(1, 8)]


def test_projects_near_a_place(w):
    near = projects(w, near="Bản Một", within_km=1.2)
    assert _ids(near) == ["P1", "P3"]
    assert near["distance_km"].iloc[0] == pytest.approx(math.hypot(0.95, 0.45), rel=2e-4)
    # From a commune: 0 inside, so everything in Bình (overlap included).
    assert _ids(projects(w, near="Xã Bình", within_km=0.1)) == ["P2", "P4", "P5", "P6"]


def test_project_filter_errors(w):
    with pytest.raises(DataError, match="--within-km"):
        projects(w, near="Bản Một")
    with pytest.raises(DataError, match="không tìm thấy 'Xã Nào'"):
        projects(w, commune="Xã Nào")
    with pytest.raises(DataError, match="status 'done'"):
        projects(w, status="done")
    with pytest.raises(CriteriaError):
        projects(w, criterion=0)
    w["villages"].loc[0, "name"] = "Bản An"
    with pytest.raises(DataError, match="ứng với nhiều nơi: 03901 Xã An; 0390101 Bản An"):
        find_place(w, "An")
    assert find_place(w, "Xã An").kind == "commune"
    assert find_place(w, "ban an").code == "0390101"


# ---------------------------------------------------------------- presentation and files

def test_result_table_vietnamese_and_english(w):
    g = gaps(w, criterion=5, year=2023)
    vi = result_table(g)
    assert list(vi.columns)[:4] == ["TC", "Tiêu chí", "Mã xã", "Xã"]
    assert vi["Vốn (triệu đồng)"].tolist() == ["901", "701"]
    assert vi["Tình trạng"].tolist() == ["Đang thực hiện", "Hoàn thành"]
    assert vi["Kết luận"].tolist() == ["Đã có dự án", "Đã có dự án"]
    en = result_table(g, lang="en")
    assert en["Status"].tolist() == ["Under way", "Finished"]
    a = access(w, to="health_station", by="road", max_minutes=30)
    t = result_table(a)
    assert t["Khoảng cách (km)"].tolist()[1] == "9,90"
    assert t["Vượt ngưỡng"].tolist() == ["Không", "Có", "Không", "Có"]
    assert t["Dân số"].tolist()[3] == "–"
    assert describe(a) == "2 bản cách trạm y tế quá 30 phút (theo đường bộ); dân số 200"
    assert describe(a, lang="en").startswith("2 villages beyond 30 minutes")


def test_write_csv_and_geojson(w, tmp_path):
    a = access(w, to="health_station", max_km=5)
    p = write_csv(a, tmp_path / "a.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(p, encoding="utf-8-sig", dtype={"village_code": str})
    assert back["village_code"].tolist()[0] == "0390101"
    assert back["lon"].between(102, 104).all() and back["lat"].between(22, 23).all()
    with pytest.raises(OutputExistsError):
        write_csv(a, p)
    gj = write_geojson(a, tmp_path / "a.geojson")
    back = gpd.read_file(gj)
    assert back.crs.to_epsg() == 4326 and back["gap"].tolist() == [False, True, False, True]


def test_write_gpkg_layer_refuses_monitoring_layers(w, tmp_path):
    gpkg = tmp_path / "m.gpkg"
    w["communes"].to_file(gpkg, layer="communes")
    m = misplaced(w)
    write_gpkg_layer(m, gpkg, "query_misplaced")
    with pytest.raises(OutputExistsError):
        write_gpkg_layer(m, gpkg, "query_misplaced")
    with pytest.raises(DataError, match="communes"):
        write_gpkg_layer(m, gpkg, "communes", overwrite=True)
    assert gpd.read_file(gpkg, layer="query_misplaced")["project_id"].tolist() == ["P5", "P7"]
    with pytest.raises(WorkspaceError):
        write_gpkg_layer(m, tmp_path / "none.gpkg", "x")


def test_road_speeds_option(w):
    slow = access(w, to="health_station", by="road", speeds={"district": 10.0})
    assert slow["minutes"].iloc[0] == pytest.approx(6.0)


def _map_layers(path):
    import json
    import re

    text = path.read_text(encoding="utf-8")
    data = re.search(r'<script id="ntmgis-data" type="application/json">(.*?)</script>', text)
    return json.loads(data.group(1))["result_layers"]


def test_result_maps_one_feature_per_unit_and_escaped(w, tmp_path):
    from ntmgis.queries import result_map

    g = gaps(w, year=2025)  # three gaps in two communes
    layers = _map_layers(result_map(g, tmp_path / "g.html", data=w))
    assert len(layers[0]["rows"]) == 2
    assert layers[0]["title"] == ["Xã An", "Xã Bình"]
    assert "5. Trường học" in layers[0]["rows"][1]
    w["villages"].loc[0, "name"] = "<img src=x onerror=alert(1)>"
    a = access(w, to="health_station", by="terrain", max_minutes=10,
               raster_out=tmp_path / "m.tif")
    out = result_map(a, tmp_path / "a.html", data=w)
    assert "<img src=x" not in out.read_text(encoding="utf-8")
    names = [lay["name"] for lay in _map_layers(out)]
    assert names == ["Thời gian đến cơ sở", "Bản", "Trạm y tế"]
    one = gaps(w, criterion=5, year=2025)
    assert len(_map_layers(result_map(one, tmp_path / "one.html", data=w))[0]["rows"]) == 2


def test_village_off_the_raster_is_a_gap_with_a_warning(w):
    from ntmgis.core.errors import DataWarning

    w["villages"].loc[2, "geometry"] = P(25_000, 5_050)  # east of the raster
    with pytest.warns(DataWarning, match="1 bản nằm ngoài bản đồ độ cao"):
        a = access(w, to="health_station", by="terrain", max_minutes=600)
    assert a["gap"].tolist() == [False, False, True, False]
    assert pd.isna(a["facility_id"].iloc[2]) and np.isnan(a["minutes"].iloc[2])


def test_road_and_project_maps_carry_their_context(w, tmp_path):
    from ntmgis.queries import result_map

    a = access(w, to="health_station", by="road", max_km=5)
    names = [lay["name"] for lay in _map_layers(result_map(a, tmp_path / "r.html", data=w))]
    assert names == ["Đường", "Bản", "Trạm y tế"]
    p = projects(w, near="Bản Một", within_km=1.2)
    layers = _map_layers(result_map(p, tmp_path / "p.html", data=w))
    assert [lay["name"] for lay in layers] == ["Bản Một", "Dự án"]
    assert len(layers[1]["rows"]) == 2


def test_world_is_what_the_docstring_says():
    w = world()
    a, b = w["communes"].geometry
    assert a.intersection(b).area == 200 * 10_000
    v = w["villages"].set_index("code").geometry
    assert a.contains(v["0390102"]) and b.contains(v["0390102"])
    assert a.contains(v["0390202"]) and b.contains(v["0390202"])
