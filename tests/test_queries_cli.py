"""``ntmgis query`` on a built copy of the Mường Tè sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from browser import chromium_browser, open_page  # noqa: F401
from click.testing import CliRunner
from geopandas.testing import assert_geodataframe_equal

from ntmgis.cli import main


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample copied and built once for this module (copied again by tests that write)."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.scaffold import init_workspace

    root = init_workspace(tmp_path_factory.mktemp("qcli") / "mt", sample=True)
    build(load_workspace(root), overwrite=True)
    return root


@pytest.fixture
def ws(built, tmp_path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "mt"))


def run(*args: str, ok: bool = True):
    res = CliRunner().invoke(main, ["query", *args], catch_exceptions=False)
    if ok:
        assert res.exit_code == 0, res.output + res.stderr
    return res


def test_query_is_registered_with_help():
    for sub in ("gaps", "access", "misplaced", "projects"):
        assert run(sub, "--help").output.startswith("Cách dùng:")


def test_gaps_schools_2025_lists_failing_communes_and_their_projects(built):
    res = run("gaps", "--criterion", "5", "--year", "2025", "-w", str(built))
    # The answer straight from the input table (not from the monitoring layers).
    raw = pd.read_csv(built / "layers" / "commune_status.csv", dtype=str, encoding="utf-8-sig")
    failing = raw[(raw["Nam"] == "2025") & (raw["TC5"] == "Chưa đạt")]["TenXa"].tolist()
    assert failing, "the sample should have communes without the schools criterion"
    from ntmgis.core.text import display_name

    for name in failing:  # as displayed: the GSO's "Pa ủ" shows as "Pa Ủ"
        assert display_name(name) in res.output
    assert "Trường học" in res.output and "Tổng hợp toàn huyện" in res.output
    assert "Chưa có dự án" in res.output
    # The school projects of the list (criterion 5) are named beside their communes.
    prj = pd.read_csv(built / "layers" / "projects.csv", dtype=str)
    school = prj[prj["tieu_chi"].str.split(";").map(lambda c: "5" in c)]
    for pid, code in zip(school["ma_du_an"], school["ma_xa"], strict=True):
        name = raw.loc[raw["MaXa"] == code, "TenXa"].iloc[0]
        line = next(ln for ln in res.output.splitlines() if name in ln)
        assert pid in line


def test_gaps_english_headings_and_summary_csv(ws):
    res = run("gaps", "-w", str(ws), "--lang", "en", "--year", "2025", "--csv",
              str(ws / "g.csv"), "--summary-csv", str(ws / "s.csv"))
    assert "Criterion" in res.output and "District summary" in res.output
    s = pd.read_csv(ws / "s.csv", encoding="utf-8-sig")
    g = pd.read_csv(ws / "g.csv", encoding="utf-8-sig", dtype={"commune_code": str})
    assert len(s) == 19 and s["gaps"].sum() == len(g)
    assert g["commune_code"].str.len().eq(5).all()  # leading zeros kept


def test_access_terrain_writes_geotiff_and_map(ws, open_page):  # noqa: F811
    res = run("access", "--to", "health_station", "--by", "terrain", "--max-minutes", "60",
              "--map", "-w", str(ws), "--csv", str(ws / "a.csv"))
    tif = ws / "maps" / "query_access_health_station_terrain.tif"
    html = ws / "maps" / "query_access_health_station_terrain.html"
    assert tif.is_file() and html.is_file()
    a = pd.read_csv(ws / "a.csv", encoding="utf-8-sig", dtype={"village_code": str})
    # The per-village minutes are the GeoTIFF's values at the villages.
    vill = gpd.read_file(ws / "layers" / "monitoring.gpkg", layer="villages").sort_values("code")
    with rasterio.open(tif) as src:
        assert src.crs.to_epsg() == 9205
        xy = zip(vill.geometry.x, vill.geometry.y, strict=True)
        sampled = np.array([v[0] for v in src.sample(xy)])
    assert np.allclose(sampled, a["minutes"], atol=0.051)
    beyond = int((a["minutes"] > 60).sum())
    assert beyond == int(a["gap"].sum()) > 0
    assert f"{beyond} bản cách trạm y tế quá 60 phút" in res.output
    page, errors, failed = open_page(html)
    legend = page.evaluate("window.ntmgis.legend")
    counts = {e["label"]: e["count"] for e in legend}
    assert counts["Vượt ngưỡng"] == beyond
    fac = gpd.read_file(ws / "layers" / "monitoring.gpkg", layer="facilities")
    assert counts["Trạm y tế"] == int((fac["type"] == "health_station").sum())
    assert "Tiếp cận trạm y tế theo địa hình" in page.inner_text("body")
    assert not errors and not failed
    # Refuses to overwrite; --overwrite replaces with the same bytes.
    again = run("access", "--by", "terrain", "--max-minutes", "60", "-w", str(ws), ok=False)
    assert again.exit_code == 4 and "--overwrite" in again.stderr
    before = tif.read_bytes()
    run("access", "--by", "terrain", "--max-minutes", "60", "-w", str(ws), "--overwrite")
    assert tif.read_bytes() == before


def test_access_road_and_straight_outputs_are_deterministic(ws):
    for i in (1, 2):
        run("access", "--to", "school", "--by", "road", "--max-km", "3", "-w", str(ws),
            "--geojson", str(ws / f"r{i}.geojson"), "--csv", str(ws / f"r{i}.csv"))
    assert (ws / "r1.geojson").read_bytes() == (ws / "r2.geojson").read_bytes()
    assert (ws / "r1.csv").read_bytes() == (ws / "r2.csv").read_bytes()
    g = gpd.read_file(ws / "r1.geojson")
    assert g.crs.to_epsg() == 4326 and len(g) == 101
    assert {"distance_km", "minutes", "offroad_m", "gap"} <= set(g.columns)


def test_misplaced_added_to_the_geopackage_atomically(ws, built):
    gpkg = ws / "layers" / "monitoring.gpkg"
    communes_before = gpd.read_file(gpkg, layer="communes")
    # The build's own check: projects whose point is not in their declared commune
    # (the sample has a cultural house recorded in the wrong commune).
    prj = gpd.read_file(gpkg, layer="projects")
    outside = sorted(prj.loc[~prj["in_declared_commune"].astype(bool), "project_id"])
    assert outside
    res = run("misplaced", "-w", str(ws), "--gpkg")
    for pid in outside:
        assert pid in res.output
    layers = dict(pyogrio.list_layers(gpkg))
    assert "query_misplaced" in layers
    got = gpd.read_file(gpkg, layer="query_misplaced")
    assert sorted(got.loc[got["outside_commune"], "project_id"]) == outside
    assert_geodataframe_equal(gpd.read_file(gpkg, layer="communes"),
                              communes_before)
    assert not list(gpkg.parent.glob(".*tmp*"))
    # The same layer added to another copy gives the same bytes (no timestamps).
    other = Path(shutil.copytree(built, ws.parent / "other"))
    run("misplaced", "-w", str(other), "--gpkg")
    assert (other / "layers" / "monitoring.gpkg").read_bytes() == gpkg.read_bytes()
    again = run("misplaced", "-w", str(ws), "--gpkg", ok=False)
    assert again.exit_code == 4 and "query_misplaced" in again.stderr
    run("misplaced", "-w", str(ws), "--gpkg", "sai_vi_tri", "--max-village-m", "100")
    assert "sai_vi_tri" in dict(pyogrio.list_layers(gpkg))
    bad = run("misplaced", "-w", str(ws), "--gpkg", "communes", "--overwrite", ok=False)
    assert bad.exit_code == 1


def test_projects_filters_from_the_command_line(ws):
    raw = pd.read_csv(ws / "layers" / "projects.csv", dtype=str)
    school = raw[raw["tieu_chi"].str.split(";").map(lambda c: "5" in c)
                 & (raw["tinh_trang"] == "finished")]["ma_du_an"].tolist()
    res = run("projects", "-w", str(ws), "--criterion", "5", "--status", "finished")
    assert all(pid in res.output for pid in school)
    assert f"{len(school)} dự án" in res.output
    # Mù Cả is 03451; its health projects lie inside it (0 km from the commune).
    health = raw[(raw["loai"] == "health") & (raw["ma_xa"] == "03451")]["ma_du_an"].tolist()
    assert health
    res = run("projects", "-w", str(ws), "--near", "Xã Mù Cả", "--within-km", "0",
              "--category", "health", "--map", str(ws / "p.html"))
    assert all(pid in res.output for pid in health) and (ws / "p.html").is_file()


def test_errors_say_what_is_missing(ws):
    res = run("gaps", "--criterion", "20", "-w", str(ws), ok=False)
    assert res.exit_code == 2 and "tiêu chí 20" in res.stderr
    res = run("access", "--to", "hospital", "-w", str(ws), ok=False)
    assert res.exit_code == 2 and "loại cơ sở 'hospital'" in res.stderr
    toml = ws / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    cut = text.replace('[terrain]\nelevation = "layers/elevation.tif"\n', "")
    assert cut != text
    toml.write_text(cut, encoding="utf-8")
    res = run("access", "--by", "terrain", "-w", str(ws), ok=False)
    assert res.exit_code == 3 and "[terrain] elevation" in res.stderr
    toml.write_text(text.replace('elevation = "layers/elevation.tif"',
                                 'elevation = "layers/none.tif"'), encoding="utf-8")
    res = run("access", "--by", "terrain", "-w", str(ws), ok=False)
    assert res.exit_code == 3 and "none.tif" in res.stderr


def test_road_query_without_roads_layer(ws):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    toml = ws / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index("[layers.roads]")
    end = text.index("[layers.project_geometry]")
    toml.write_text(text[:start] + text[end:], encoding="utf-8")
    build(load_workspace(ws), overwrite=True)
    res = run("access", "--by", "road", "-w", str(ws), ok=False)
    assert res.exit_code == 3 and "[layers.roads]" in res.stderr


def test_layers_object_and_workspace_give_the_same_answers(built):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.gpkg import read_layers
    from ntmgis.queries import access, gaps

    ws = load_workspace(built)
    layers = read_layers(ws)
    assert_geodataframe_equal(gaps(layers, year=2025, level="village"),
                              gaps(ws, year=2025, level="village"))
    assert_geodataframe_equal(access(layers, by="road"), access(ws, by="road"))


def test_road_speeds_from_the_workspace(ws):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.queries import access

    base = access(load_workspace(ws), by="road")
    toml = ws / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace(
        '[terrain]\n', '[terrain]\nroad_speeds_kmh = { village_track = 4, commune = 7.5 }\n'),
        encoding="utf-8")
    slow = access(load_workspace(ws), by="road")
    assert (slow["minutes"] >= base["minutes"] - 1e-9).all()
    assert (slow["minutes"] > base["minutes"]).sum() > 10
    assert np.allclose(slow["distance_km"], base["distance_km"], equal_nan=True)


def test_limit_rows_in_the_terminal(ws):
    res = run("access", "-w", str(ws), "--limit", "3", "--csv", str(ws / "all.csv"))
    assert "… và 98 dòng nữa" in res.output
    assert len(pd.read_csv(ws / "all.csv", encoding="utf-8-sig")) == 101
    res = run("access", "-w", str(ws), "--limit", "0", "--lang", "en")
    assert "more rows" not in res.output and "Bản Seo Pé" in res.output
