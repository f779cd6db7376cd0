"""Build: joins, layers, determinism, atomic writes."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from ntmgis.core.errors import OutputExistsError, ValidationFailed
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.build import build
from ntmgis.monitoring.gpkg import LAYER_ORDER, read_layers

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_sample_has_every_layer(built_sample):
    ws, layers = built_sample
    # The sample has no indicator values, so no indicator layer (and its
    # GeoPackage stays byte-identical to the manifest).
    assert [name for name, _ in layers.items()] == [
        n for n in LAYER_ORDER if n != "indicator_status"]
    assert layers.indicator_status is None
    assert len(layers.communes) == 14
    township = layers.communes.set_index("code").loc["03433"]
    assert not township["in_programme"]
    assert layers.communes["in_programme"].sum() == 13
    assert len(layers.commune_status) == 13 * 5
    assert len(layers.villages) == 101
    assert len(layers.village_status) == 101 * 5
    assert layers.villages["commune_code"].nunique() == 13


def test_commune_status_counts_and_classes(built_sample):
    _, layers = built_sample
    cs = layers.commune_status
    keys = [f"tc{n:02d}" for n in range(1, 20)]
    assert (cs[keys].sum(axis=1) == cs["criteria_met"]).all()
    assert (cs["ntm"] == (cs["criteria_met"] == 19)).all()
    assert set(cs.loc[cs["ntm"], "band"]) == {"ntm"}
    assert set(cs.loc[cs["criteria_met"] < 10, "band"]) <= {"lt10"}
    y25 = cs[cs["year"] == 2025]
    assert y25["ntm"].sum() == 3
    assert y25["criteria_met"].min() >= 10
    assert y25["target_ntm"].sum() == 4


def test_gained_and_lost_follow_the_previous_year(built_sample):
    _, layers = built_sample
    cs = layers.commune_status.set_index(["code", "year"])
    for (code, year), row in cs.iterrows():
        if year == 2021:
            assert row["gained"] == "" and row["lost"] == ""
            continue
        prev = cs.loc[(code, year - 1)]
        gained = [n for n in range(1, 20) if row[f"tc{n:02d}"] == 1 and prev[f"tc{n:02d}"] == 0]
        lost = [n for n in range(1, 20) if row[f"tc{n:02d}"] == 0 and prev[f"tc{n:02d}"] == 1]
        assert row["gained"] == ";".join(map(str, gained))
        assert row["lost"] == ";".join(map(str, lost))
    assert (cs["lost"] != "").sum() >= 2  # the sample has criteria lost again


def test_projects_joined_and_funding_equals_the_plan(built_sample):
    ws, layers = built_sample
    p = layers.projects
    listed = pd.read_csv(ws.table("projects").path, dtype=str)
    assert len(p) == len(listed) and p.geometry.notna().all()
    assert len(layers.project_lines) == (p["geom_kind"] == "line").sum() == (
        listed["loai"] == "road").sum()
    misplaced = p[~p["in_declared_commune"]]
    assert list(misplaced["commune_code"]) == ["03457"]
    assert list(misplaced["located_commune_code"]) == ["03454"]
    fs = layers.funding_by_source.set_index("source")
    assert fs.loc["central", "projects_total"] == 30614
    assert fs.loc["integrated", "projects_total"] == 567945
    assert fs["projects_total"].sum() == 608989
    assert (fs["difference"] == 0).all()
    assert layers.funding_by_commune["cap_total"].sum() == 608989
    fk = layers.funding_by_criterion.set_index("criterion")
    assert fk.loc[2, "cap_total"] == p.loc[p["criteria"].str.split(";").map(
        lambda c: "2" in c), "cap_total"].sum()
    assert "Giao thông" in set(p.loc[p["category"] == "road", "criteria_names"])


def test_district_summary_against_targets(built_sample):
    _, layers = built_sample
    ds = layers.district_summary
    s25 = ds[ds["year"] == 2025].set_index("criterion")
    assert s25.loc[5, "target"] == 10
    assert s25.loc[5, "communes_met"] == 9
    assert s25.loc[5, "gap"] == 1
    assert s25["target"].sum() == 213
    assert list(layers.plan_targets["target_share_text"])[4] == "76,9%"


def test_geopackage_opens_in_gdal_with_every_layer(built_sample):
    ws, _ = built_sample
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (gdal-bin) is not installed")
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-q", str(ws.output_gpkg)],
                         capture_output=True, text=True, check=True).stdout
    # "1: communes (Multi Polygon)", "11: commune_criteria (None)": exact names only
    # (a substring test would let "communes" pass on "communes_2025")
    listed = [re.fullmatch(r"\d+: (\S+)(?: \(.*\))?", line) for line in out.splitlines()
              if line.strip()]
    assert all(listed), out
    names = [m.group(1) for m in listed]
    assert len(names) == len(set(names)), names
    # every monitoring layer, plus the QGIS styles table, and nothing else
    # (no indicator_status: the sample has no indicator values)
    assert set(names) == set(LAYER_ORDER) - {"indicator_status"} | {"layer_styles"}, (
        sorted(set(LAYER_ORDER) - set(names)), sorted(set(names) - set(LAYER_ORDER)))


def test_build_is_byte_identical(mini_ws, tmp_path):
    ws = load_workspace(mini_ws)
    a = build(ws, output=tmp_path / "a.gpkg")
    b = build(ws, output=tmp_path / "b.gpkg")
    assert _sha(a) == _sha(b)


def test_mini_commune_status_matches_golden(mini_ws):
    ws = load_workspace(mini_ws)
    build(ws)
    got = read_layers(ws).commune_status
    golden = gpd.read_file(GOLDEN / "mini_commune_status.geojson").set_crs(ws.crs,
                                                                           allow_override=True)
    got = got[golden.columns]
    for col in ("target_ntm", "target_criteria"):  # all null here; null types differ
        got[col] = got[col].astype(float)
        golden[col] = golden[col].astype(float)
    assert_geodataframe_equal(got, golden, check_dtype=False, check_less_precise=True)


def test_refuses_to_overwrite_and_keeps_previous_output_on_bad_data(mini_ws):
    ws = load_workspace(mini_ws)
    out = build(ws)
    before = _sha(out)
    with pytest.raises(OutputExistsError):
        build(ws)
    csv = (mini_ws / "projects.csv").read_text(encoding="utf-8")
    (mini_ws / "projects.csv").write_text(csv.replace("00002,", "09999,", 1), encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        build(ws, overwrite=True)
    assert "09999" in str(exc.value)
    assert any(i.check == "unknown_code" for i in exc.value.issues)
    assert _sha(out) == before
    assert sorted(p.name for p in mini_ws.iterdir() if "tmp" in p.name) == []


def test_village_in_an_overlap_belongs_to_its_declared_commune(mini_ws):
    # Commune 00001 grows 1 km into 00002; a village of 00002 sits in the overlap.
    import json

    path = mini_ws / "communes.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    g = shapely.geometry.shape(doc["features"][0]["geometry"])
    doc["features"][0]["geometry"] = shapely.geometry.mapping(
        shapely.box(*g.bounds[:2], g.bounds[2] + 1000, g.bounds[3]))
    path.write_text(json.dumps(doc), encoding="utf-8")
    vpath = mini_ws / "villages.geojson"
    vdoc = json.loads(vpath.read_text(encoding="utf-8"))
    v = next(f for f in vdoc["features"] if f["properties"]["ma_ban"] == "0000201")
    v["geometry"]["coordinates"] = [g.bounds[2] + 500, 2482000.0]
    vpath.write_text(json.dumps(vdoc), encoding="utf-8")
    ws = load_workspace(mini_ws)
    build(ws)
    villages = read_layers(ws).villages.set_index("code")
    assert villages.loc["0000201", "commune_code"] == "00002"
    assert villages.loc["0000201", "located_commune_code"] == "00002"
    assert bool(villages.loc["0000201", "in_declared_commune"])


def test_an_assumed_crs_is_never_silent(mini_ws):
    import geopandas as gpd

    from ntmgis.core.errors import CRSWarning

    gdf = gpd.read_file(mini_ws / "villages.geojson")
    gdf.to_file(mini_ws / "villages.shp", driver="ESRI Shapefile", engine="pyogrio")
    (mini_ws / "villages.prj").unlink()
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    (mini_ws / "ntmgis.toml").write_text(
        toml.replace('path = "villages.geojson"', 'path = "villages.shp"'), encoding="utf-8")
    with pytest.warns(CRSWarning, match="EPSG:9205"):
        build(load_workspace(mini_ws))
