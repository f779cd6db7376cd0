"""The 2025 communes: dissolving old units and re-aggregating the monitoring."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from ntmgis.core.errors import DataError
from ntmgis.monitoring.crosswalk import aggregate, match_units, read_crosswalk, status_label

ROOT = Path(__file__).resolve().parents[1]
CRS = "EPSG:9205"
VALIDATORS = (Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"),
              Path("/usr/share/doc/python3-gdal/examples/validate_gpkg.py"))


def _box(i: int, width: float = 1000.0) -> shapely.MultiPolygon:
    x0 = 480000 + 2000 * i
    return shapely.MultiPolygon([shapely.box(x0, 2470000, x0 + width, 2471000)])


@pytest.fixture()
def small():
    """Four old units: A+B -> new N1 (9001), township T + D -> new N2 (9002)."""
    communes = gpd.GeoDataFrame(
        {
            "code": ["00001", "00002", "00003", "00004"],
            "name": ["Xã Pa ủ", "Xã Mường Tè", "Thị trấn Mường Tè", "Xã Bum Tở"],
            "unit_type": ["xã", "xã", "thị trấn", "xã"],
            "in_programme": [True, True, False, True],
            "population": pd.array([100, 300, 50, None], dtype="Int64"),
        },
        # A is 1 km², B 3 km² (wider box), T 1 km², D 1 km²
        geometry=[_box(0), shapely.MultiPolygon([shapely.box(481000, 2470000, 484000,
                                                            2471000)]), _box(3), _box(4)],
        crs=CRS,
    )
    rows = []
    for code, tc01, tc02, tc03 in (("00001", 1, 1, None), ("00002", 0, 1, 0),
                                   ("00004", 1, 0, 1)):
        rows.append({"code": code, "year": 2025, "tc01": tc01, "tc02": tc02, "tc03": tc03,
                     "ntm": False})
    status = pd.DataFrame(rows)
    for c in ("tc01", "tc02", "tc03"):
        status[c] = status[c].astype("Int64")
    crosswalk = pd.DataFrame({
        "old_district_name": ["Huyện Mường Tè"] * 4,
        "old_ward_code": ["66093", "131629", "197165", "262701"],  # not the layer's codes
        "old_ward_name": ["Xã Pa Ủ", "xã mường tè", "Thị Trấn Mường Tè", "Xã Bum Tở"],
        "new_ward_code": ["9001", "9001", "9002", "9002"],
        "new_ward_name": ["Xã Pa Ủ", "Xã Pa Ủ", "Xã Bum Tở", "Xã Bum Tở"],
    })
    return {"communes": communes, "commune_status": status}, crosswalk


def _criteria_set():
    from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet

    return CriteriaSet("three", "ba", "three", COMMUNE_CRITERIA.criteria[:3])


def test_small_aggregation_by_hand(small):
    layers, crosswalk = small
    out = aggregate(layers, crosswalk, criteria_set=_criteria_set())
    c = out.communes_2025
    assert c["code"].tolist() == ["9001", "9002"]
    assert c["name"].tolist() == ["Xã Pa Ủ", "Xã Bum Tở"]
    assert c["old_codes"].tolist() == ["00001;00002", "00003;00004"]
    assert c["old_names"].tolist() == ["Xã Pa ủ; Xã Mường Tè", "Thị trấn Mường Tè; Xã Bum Tở"]
    assert c["units"].tolist() == [2, 2] and c["units_in_programme"].tolist() == [2, 1]
    assert c["population"].tolist() == [400, 50]
    assert c["population_complete"].tolist() == [True, False]
    # A and B touch: one polygon of 4 km²; T and D stay two parts
    assert c["area_km2"].tolist() == [4.0, 2.0]
    assert shapely.get_num_geometries(np.asarray(c.geometry.values)).tolist() == [1, 2]
    assert c.crs == CRS

    s = out.commune_status_2025.set_index("code")
    n1, n2 = s.loc["9001"], s.loc["9002"]
    # tc01: A met, B not -> mixed; 1 of 2 units, 100/400 people, 1/4 of the area
    assert (n1["tc01"], n1["tc01_n"], n1["tc01_pop"], n1["tc01_area"]) == ("mixed", 1, 0.25,
                                                                             0.25)
    assert (n1["tc02"], n1["tc02_n"], n1["tc02_pop"], n1["tc02_area"]) == ("met", 2, 1.0, 1.0)
    # tc03: A unknown, B not met -> not met among the units with data
    assert (n1["tc03"], n1["tc03_n"]) == ("not_met", 0)
    assert (n1["criteria_met_all"], n1["criteria_met_any"], n1["criteria_mixed"]) == (1, 2, 1)
    # bands of this set of 3 criteria (CriteriaSet.band, bounds 3, 3, 2): A meets 2 ("2-2"),
    # B 1 ("lt2")
    assert n1["band"] == "mixed" and n1["unit_classes"] == "2-2;lt2"
    # N2: only D has data (the township is outside the programme); population incomplete
    assert (n2["units"], n2["units_in_programme"], n2["units_with_data"]) == (2, 1, 1)
    assert n2["tc01"] == "met" and np.isnan(n2["tc01_pop"]) and n2["tc01_area"] == 0.5
    assert n2["band"] == "2-2" and n2["ntm_status"] == "not_ntm"

    long = out.commune_criteria_2025
    assert len(long) == 6
    row = long[(long["code"] == "9001") & (long["criterion"] == 1)].iloc[0]
    assert (row["units_with_data"], row["units_met"], row["status"]) == (2, 1, "mixed")
    assert status_label("mixed") == "Không đồng nhất"
    assert status_label("mixed", "en") == "Mixed"
    assert status_label(None) == "Chưa có số liệu"


def test_names_match_tolerantly_but_not_ambiguously(small):
    layers, crosswalk = small
    cw = read_crosswalk_frame(crosswalk)
    codes = match_units(layers["communes"], cw)
    assert codes.tolist() == ["00001", "00002", "00003", "00004"]
    bare = cw.copy()
    bare.loc[1, "old_name"] = "Mường Tè"  # both "Xã Mường Tè" and "Thị trấn Mường Tè"
    with pytest.raises(DataError, match=r"dòng 3: 'Mường Tè' khớp với nhiều xã"):
        match_units(layers["communes"], bare)
    short = cw.copy()
    short.loc[0, "old_name"] = "Pa U"  # no unit word, no accents: still unique
    assert match_units(layers["communes"], short).tolist()[0] == "00001"


def read_crosswalk_frame(crosswalk: pd.DataFrame) -> pd.DataFrame:
    from ntmgis.monitoring.crosswalk import _canonical

    return _canonical(crosswalk, fields=None, path="x.csv", lang="vi")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda cw: cw.assign(old_ward_name=cw["old_ward_name"].replace("Xã Bum Tở",
                                                                         "Xã Bum Tờ Mới")),
         r"row 5: old unit 'Xã Bum Tờ Mới' is not in the communes layer"),
        (lambda cw: cw.iloc[:3], r"does not cover these units: 00004 Xã Bum Tở"),
        (lambda cw: pd.concat([cw, cw.iloc[[0]]], ignore_index=True),
         r"old unit 00001 \(Xã Pa ủ\) appears in rows 2 and 6"),
        (lambda cw: cw.drop(columns="new_ward_code"), r"column new_code is missing"),
        (lambda cw: cw.assign(new_ward_name=["Xã A", "Xã B", "Xã C", "Xã C"]),
         r"new code 9001 has several names"),
    ],
)
def test_crosswalk_errors(small, edit, message):
    layers, crosswalk = small
    with pytest.raises(DataError, match=message):
        aggregate(layers, edit(crosswalk), criteria_set=_criteria_set(), lang="en")


def test_rows_of_other_districts_are_ignored(small):
    layers, crosswalk = small
    other = pd.DataFrame({"old_district_name": ["Huyện Nậm Nhùn"],
                          "old_ward_code": ["1"], "old_ward_name": ["Xã Hua Bum"],
                          "new_ward_code": ["8733"], "new_ward_name": ["Xã Hua Bum"]})
    layers["communes"]["district_name"] = "Huyện Mường Tè"
    out = aggregate(layers, pd.concat([crosswalk, other], ignore_index=True),
                    criteria_set=_criteria_set())
    assert out.communes_2025["code"].tolist() == ["9001", "9002"]


def test_codes_only_crosswalk(small):
    layers, crosswalk = small
    cw = crosswalk.drop(columns="old_ward_name").assign(
        old_ward_code=["00001", "00002", "00003", "00099"])
    with pytest.raises(DataError, match="row 5: old unit '00099'"):
        aggregate(layers, cw, criteria_set=_criteria_set(), lang="en")


def test_codes_are_used_when_they_are_the_layers_codes(small):
    layers, crosswalk = small
    cw = crosswalk.assign(old_ward_code=["00001", "00002", "00003", "00004"],
                          old_ward_name=["?", "?", "?", "?"])
    out = aggregate(layers, cw, criteria_set=_criteria_set())
    assert out.communes_2025["old_codes"].tolist() == ["00001;00002", "00003;00004"]


@pytest.fixture(scope="module")
def sample_layers(tmp_path_factory):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.gpkg import read_layers

    ws_dir = tmp_path_factory.mktemp("ws")
    shutil.copy(ROOT / "ntmgis.toml", ws_dir)
    shutil.copytree(ROOT / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    ws = load_workspace(ws_dir)
    build(ws, overwrite=True)
    return ws, read_layers(ws)


def test_sample_muong_te_2025(sample_layers, tmp_path):
    ws, layers = sample_layers
    cw_path = ROOT / "layers" / "merger_2025.csv"
    out = aggregate(layers, read_crosswalk(cw_path))
    c = out.communes_2025.set_index("code")
    assert len(c) == 8
    assert c.loc["9501", "old_codes"] == "03433;03454;03469"  # township + Bum Tở + Kan Hồ
    assert c.loc["1053", "old_names"] == "Xã Tá Bạ; Xã Pa ủ"
    assert c.loc["9757", "old_codes"] == "03445;03457"
    # Tá Bạ and Vàng San have no 2009 population: no population share for their communes
    assert not c.loc["1053", "population_complete"]
    assert c["units"].sum() == 14
    geoms = dict(zip(layers.communes["code"], layers.communes.geometry.values, strict=True))
    for code, old_codes in c["old_codes"].items():
        parts = [geoms[o] for o in old_codes.split(";")]
        union = shapely.union_all(parts).area / 1e6
        # the union, with the thin gaps between old units inside the new one closed
        filled = shapely.union_all([shapely.Polygon(p.exterior) for p in shapely.get_parts(
            shapely.union_all(parts))]).area / 1e6
        assert union - 0.001 <= c.loc[code, "area_km2"] <= filled + 0.001

    # independent check of one criterion against the old units' own rows
    st = layers.commune_status
    members = {k: v.split(";") for k, v in c["old_codes"].items()}
    s25 = out.commune_status_2025
    for _, row in s25.iterrows():
        old = st[(st["code"].isin(members[row["code"]])) & (st["year"] == row["year"])]
        met = int((old["tc05"] == 1).sum())
        assert row["tc05_n"] == met
        expected = ("met" if met == len(old) else "not_met" if met == 0 else "mixed")
        assert row["tc05"] == expected
        if row["criteria_mixed"]:
            assert row["band"] == "mixed"
    assert (s25["band"] == "mixed").any()  # the sample has merged units that disagree
    assert set(s25["year"]) == set(ws.years)
    assert s25.loc[s25["code"] == "1053", "tc01_pop"].isna().all()

    # ntmgis build wrote the same 2025 layers into the GeoPackage, styled them for
    # QGIS, and the file still passes GDAL's validation
    gpkg = ws.output_gpkg
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert {"communes_2025", "commune_status_2025"} <= set(styles["f_table_name"])
    back = pyogrio.read_dataframe(gpkg, layer="commune_status_2025")
    assert back["code"].tolist() == s25["code"].tolist()
    assert back["tc05"].tolist() == s25["tc05"].tolist()
    validator = next((p for p in VALIDATORS if p.is_file()), None)
    if validator is not None:  # GDAL's validate_gpkg.py (Debian python3-gdal)
        import importlib.util

        spec = importlib.util.spec_from_file_location("gdal_validate_gpkg", validator)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        assert mod.check(str(gpkg), abort_at_first_error=False, extra_checks=True,
                         warning_as_error=True) == []


def test_aggregate_workspace(sample_layers, tmp_path):
    import dataclasses

    from ntmgis.monitoring.crosswalk import aggregate_workspace

    ws, layers = sample_layers
    out = aggregate_workspace(ws, layers)
    assert [n for n, _ in out.items()] == ["communes_2025", "commune_status_2025",
                                           "commune_criteria_2025"]
    assert len(out.communes_2025) == 8
    no_cw = dataclasses.replace(ws, tables={k: v for k, v in ws.tables.items()
                                            if k != "crosswalk_2025"})
    assert aggregate_workspace(no_cw, layers) is None
    gone = dataclasses.replace(ws.tables["crosswalk_2025"], path=tmp_path / "none.csv")
    missing = dataclasses.replace(ws, tables={**ws.tables, "crosswalk_2025": gone})
    with pytest.raises(DataError, match="none.csv"):
        aggregate_workspace(missing, layers)


def _unexplained_rings(new_geoms, old_geoms) -> list[float]:
    """Areas (m²) of the new units' interior rings the old units' own holes do not explain."""
    import numpy as np
    import shapely

    rings = [shapely.Polygon(r) for g in old_geoms for p in shapely.get_parts(g)
             for r in p.interiors]
    real = shapely.union_all(rings) if rings else None
    out = []
    for g in new_geoms:
        for p in shapely.get_parts(np.asarray([g], dtype=object)):
            for r in p.interiors:
                hole = shapely.Polygon(r)
                if real is None or shapely.intersection(hole, real).area < 0.5 * hole.area:
                    out.append(hole.area)
    return out


def test_dissolved_communes_have_no_false_holes(built_sample):
    """Gaps between the old units inside a new commune are closed (issue 14: 15 thin holes)."""
    from pathlib import Path

    import geopandas as gpd

    ws, layers = built_sample
    old = layers.communes.to_crs(ws.crs).geometry.values
    assert layers.communes_2025 is not None
    assert _unexplained_rings(layers.communes_2025.to_crs(ws.crs).geometry.values, old) == []
    repo = Path(__file__).resolve().parents[1]
    new = gpd.read_file(repo / "sample_2026" / "layers" / "communes.geojson").to_crs(ws.crs)
    assert _unexplained_rings(new.geometry.values, old) == []


def test_dissolve_keeps_real_holes_and_closes_gaps():
    import shapely
    from shapely.geometry import box

    from ntmgis.monitoring.crosswalk import dissolve_units

    # two old units with a 1 m gap between them, closed by a third above and below: the
    # gap is a thin false hole; the left unit has a real hole (an enclave of another unit)
    left = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))
    right = box(101, 0, 200, 100)
    top, bottom = box(0, 100, 200, 110), box(0, -10, 200, 0)
    plain = shapely.union_all([left, right, top, bottom])
    assert len(shapely.get_parts(plain)[0].interiors) == 2  # the gap and the enclave
    out = dissolve_units([left, right, top, bottom])
    rings = [shapely.Polygon(r) for p in shapely.get_parts(out) for r in p.interiors]
    assert len(rings) == 1 and rings[0].equals(box(40, 40, 60, 60))
    # an unexplained hole another new unit reaches into is kept too
    gap_unit = box(100.2, 10, 100.8, 90)
    out = dissolve_units([left.union(box(40, 40, 60, 60)), right, top, bottom],
                         others=[gap_unit])
    assert sum(len(p.interiors) for p in shapely.get_parts(out)) == 1
