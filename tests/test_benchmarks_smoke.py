"""Smoke tests of the national-scale benchmarks: the synthetic country and a reduced run.

Sizes and loose bounds only; no timing assertions (the machine is shared).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

# The steps benchmarks/run.py times when every command is installed (plan_steps).
ALL_STEPS = ("validate", "build", "map", "appendix", "gaps", "access")


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> synth.Country:
    return synth.make_country(150, tmp_path_factory.mktemp("bench") / "country-150")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tessellation_tiles_exactly() -> None:
    polys, seeds, spacing = synth.tessellate(300)
    assert len(polys) == 300
    assert shapely.is_valid(polys).all()
    assert shapely.coverage_is_valid(polys)  # shared edges match vertex for vertex
    union = shapely.union_all(polys)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert shapely.area(polys).sum() == pytest.approx(union.area, rel=1e-9)
    # Surveyed-looking boundaries: a few hundred vertices per commune.
    nv = shapely.get_num_coordinates(polys)
    assert 200 <= np.median(nv) <= 600
    assert shapely.contains_xy(polys, seeds[:, 0], seeds[:, 1]).all()
    assert np.median(shapely.area(polys)) == pytest.approx(synth.COMMUNE_AREA_M2, rel=0.2)


def test_country_files_and_counts(country: synth.Country) -> None:
    layers = Path(country.folder) / "layers"
    com = pyogrio.read_dataframe(layers / "communes.gpkg")
    assert len(com) == 150 and com.crs.to_epsg() == 3405
    codes = com["gso_code"]
    assert codes.str.fullmatch(r"\d{5}").all() and codes.is_unique
    assert (com["unit_type"] == "thị trấn").sum() == country.districts
    assert com["district_gso_code"].nunique() == country.districts >= 5
    # Districts nest in provinces.
    assert (com.groupby("district_gso_code")["province_gso_code"].nunique() == 1).all()
    lon0, lat0, lon1, lat1 = com.to_crs(4326).total_bounds
    assert 102 < lon0 < lon1 < 110 and 8 < lat0 < lat1 < 23.5
    assert shapely.coverage_is_valid(com.geometry.to_numpy())
    vil = pyogrio.read_dataframe(layers / "villages.gpkg")
    assert 6 <= len(vil) / 150 <= 10
    assert vil["ma_ban"].is_unique and vil["ma_ban"].str.fullmatch(r"\d{7}").all()
    inside = com.set_index("gso_code").geometry.loc[vil["ma_xa"]].to_numpy()
    assert shapely.contains(inside, vil.geometry.to_numpy()).all()
    pr = pd.read_csv(layers / "projects.csv", dtype=str, keep_default_na=False)
    programme = 150 - country.districts
    assert 12 <= len(pr) / programme <= 18
    roads = (pr["loai"] == "road").sum()
    assert 0.15 <= roads / len(pr) <= 0.25
    lines = pyogrio.read_dataframe(layers / "project_lines.gpkg")
    assert set(lines["ma_du_an"]) == set(pr.loc[pr["loai"] == "road", "ma_du_an"])
    assert (pr.loc[pr["loai"] != "road", "kinh_do"] != "").all()
    # The plan's funding equals the investment list's totals, source by source.
    fund = pd.read_csv(layers / "plan_funding.csv", dtype=str)
    cols = ["ns_trung_uong", "ns_dia_phuong", "von_long_ghep", "von_tin_dung", "von_huy_dong",
            "cong_dong"]
    totals = [pr[c].str.replace(".", "", regex=False).astype(int).sum() for c in cols]
    assert [int(v.replace(".", "")) for v in fund["ke_hoach"]] == totals
    cs = pd.read_csv(layers / "commune_status.csv", dtype=str, encoding="utf-8-sig")
    assert len(cs) == programme * 5 and set(cs["Nam"]) == {"2021", "2022", "2023", "2024",
                                                             "2025"}
    vs = pd.read_csv(layers / "village_status.csv", dtype=str)
    assert len(vs) == len(vil) * 5
    import rasterio

    with rasterio.open(layers / "elevation.tif") as dem:
        assert dem.crs.to_epsg() == 3405 and dem.res == (1000.0, 1000.0)
        b = dem.bounds
        x0, y0, x1, y1 = com.total_bounds
        assert b.left <= x0 and b.bottom <= y0 and b.right >= x1 and b.top >= y1
        z = dem.read(1)
        assert 0 <= z.min() < z.max() <= 3000


def test_country_is_deterministic(country: synth.Country, tmp_path: Path) -> None:
    again = synth.make_country(150, tmp_path / "again")
    a, b = Path(country.folder), Path(again.folder)
    for name in ("ntmgis.toml", "layers/projects.csv", "layers/commune_status.csv",
                 "layers/village_status.csv", "layers/plan_funding.csv",
                 "layers/elevation.tif"):
        assert _sha(a / name) == _sha(b / name), name
    ga = pyogrio.read_dataframe(a / "layers/communes.gpkg").geometry.to_numpy()
    gb = pyogrio.read_dataframe(b / "layers/communes.gpkg").geometry.to_numpy()
    assert (shapely.to_wkb(ga) == shapely.to_wkb(gb)).all()


def test_country_validates_and_builds(country: synth.Country) -> None:
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.checks import validate
    from ntmgis.monitoring.gpkg import read_layers

    ws = load_workspace(country.folder)
    log = validate(ws)
    assert not log.errors, [i.format("en") for i in log.errors[:5]]
    build(ws, overwrite=True)
    lay = read_layers(ws)
    assert len(lay.communes) == 150
    assert lay.communes["district_code"].nunique() == country.districts
    assert len(lay.villages) == country.villages
    assert len(lay.projects) == country.projects
    assert len(lay.commune_status) == (150 - country.districts) * 5
    assert lay.funding_by_source["difference"].abs().max() < 0.5


def test_coverage_simplify_keeps_the_tiling() -> None:
    from simplify_check import check_tolerance

    polys, _, _ = synth.tessellate(150)
    res, simp = check_tolerance(polys, 35.0, method="coverage")
    assert res["coverage_valid"] and res["gap_area"] == 0 and res["overlap_area"] < 1.0
    assert res["max_deviation"] <= 30.0
    assert res["vertices"] < 0.5 * shapely.get_num_coordinates(polys).sum()
    naive, _ = check_tolerance(polys, 35.0, method="per_geometry")
    assert not naive["coverage_valid"] and naive["gap_area"] > 0


def test_record_rewrites_only_the_table(tmp_path: Path) -> None:
    import run

    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nintro\n\n<!-- results:start -->\nold\n"
                      "<!-- results:end -->\n\nafter\n", encoding="utf-8")
    result = {"n": 13, "repeat": 1, "bound_s": 120, "notes": {},
              "country": {"villages": 99, "projects": 150},
              "steps": {"build": {"seconds": 5.0, "cpu_s": 4.0, "peak_mb": 300.0}},
              "html_bytes": 300_000, "render": {"seconds": 0.5, "heap_mb": 10.0},
              "baseline": {"html_bytes": 450_000, "render_s": 0.8, "heap_mb": 9.0,
                           "render": {"finished": True}},
              "machine": {"cpus": 2}}
    run.record([result], readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nintro\n") and text.endswith("\nafter\n")
    assert "old" not in text and "| 13 | regular | 99 | 150 |" in text
    assert "5,00 s (cpu 4,0) / 300 MB" in text
    assert "1,6×" in text  # render ratio 0.8 / 0.5


# --------------------------------------------------------------------------- irregular shape

IRREGULAR_N = 120


@pytest.fixture(scope="module")
def irregular(tmp_path_factory: pytest.TempPathFactory) -> synth.Country:
    return synth.make_country(IRREGULAR_N, tmp_path_factory.mktemp("irr") / "a",
                              shape="irregular")


def test_irregular_is_deterministic(irregular: synth.Country, tmp_path: Path) -> None:
    again = synth.make_country(IRREGULAR_N, tmp_path / "b", shape="irregular")
    a, b = Path(irregular.folder), Path(again.folder)
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert "layers/communes.gpkg" in names and "layers/roads.gpkg" in names
    assert names == sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    for name in names:  # the same seed gives the same bytes, GeoPackages included
        assert _sha(a / name) == _sha(b / name), name


def test_irregular_has_the_irregularity_of_real_data(irregular: synth.Country) -> None:
    import re
    import unicodedata

    layers = Path(irregular.folder) / "layers"
    com = pyogrio.read_dataframe(layers / "communes.gpkg")
    assert len(com) == IRREGULAR_N and com.crs.to_epsg() == 3405
    geom = com.geometry.to_numpy()
    assert shapely.is_valid(geom).all()
    area = shapely.area(geom)
    # uneven communes: a mountain commune is ~100 times a delta commune (the degenerate
    # wards are left out of the ratio: they would make it meaningless)
    real_size = area[area > 0.1e6]
    assert real_size.max() / real_size.min() >= 50
    # a few degenerate wards: 0,003 km² triangles lying on a neighbour
    tiny = com[area < 0.01e6]
    assert len(tiny) >= 1 and (shapely.get_num_coordinates(tiny.geometry.to_numpy()) == 4).all()
    assert (tiny["unit_type"] == "phường").all()
    # the 14 real Mường Tè units are in, with their real names
    assert {"Xã Nậm Khao", "Xã Mù Cả", "Xã Tà Tổng", "Thị trấn Mường Tè"} <= set(com["name"])
    # a coverage with gaps and overlaps between neighbours
    assert not shapely.coverage_is_valid(geom)
    tree = shapely.STRtree(geom)
    i, j = tree.query(geom, predicate="intersects")
    pair = i < j
    overlap = shapely.area(shapely.intersection(geom[i[pair]], geom[j[pair]]))
    assert (overlap > 100.0).sum() >= 1
    union = shapely.union_all(geom)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    assert sum(h.area > 100.0 for h in holes) >= 1
    # surveyed boundaries: ~60 m between vertices, so a big commune has many
    nv = shapely.get_num_coordinates(geom)
    big = area > np.quantile(area, 0.9)
    assert np.median(nv[big]) > 2 * np.median(nv)

    def accented(s: str) -> bool:
        return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", s)) \
            or "đ" in s.lower()

    # names of real length with diacritics, in NFC
    pr = pd.read_csv(layers / "projects.csv", dtype=str, keep_default_na=False)
    names = pd.concat([com["name"], pr["ten_du_an"]])
    assert all(unicodedata.is_normalized("NFC", s) for s in names)
    long_acc = [s for s in names if len(s) >= 25 and accented(s)]
    assert len(long_acc) >= 0.5 * len(pr)
    assert pr["ten_du_an"].str.len().median() >= 45
    vil = pyogrio.read_dataframe(layers / "villages.gpkg")
    assert vil["ten_ban"].str.startswith(("Bản ", "Thôn ", "Ấp ", "Tổ dân phố ")).all()
    # amounts in million VND with three decimals ("19.868,437"), exact totals
    cols = ["ns_trung_uong", "ns_dia_phuong", "von_long_ghep", "von_tin_dung", "von_huy_dong",
            "cong_dong"]
    amount = re.compile(r"0|\d{1,3}(\.\d{3})*,\d{3}")
    for c in [*cols, "da_giai_ngan"]:
        assert pr[c].str.fullmatch(amount).all(), c
    assert (pr["von_long_ghep"].str.fullmatch(r".*,\d{3}")).all()
    assert (~pr["von_long_ghep"].str.endswith(",000")).mean() > 0.9

    def thousand(v: pd.Series) -> pd.Series:
        return v.str.replace(".", "", regex=False).str.replace(",", "", regex=False).astype(int)

    fund = pd.read_csv(layers / "plan_funding.csv", dtype=str)
    assert [int(thousand(pd.Series([v]))[0]) for v in fund["ke_hoach"]] == [
        int(thousand(pr[c]).sum()) for c in cols]
    # roads with surveyed vertex density: a vertex every 10-30 m
    roads = pyogrio.read_dataframe(layers / "roads.gpkg").geometry.to_numpy()
    spacing = shapely.length(roads) / (shapely.get_num_coordinates(roads) - 1)
    assert 10 <= np.median(spacing) <= 30
    lines = pyogrio.read_dataframe(layers / "project_lines.gpkg")
    assert set(lines["ma_du_an"]) == set(pr.loc[pr["loai"] == "road", "ma_du_an"])


def test_irregular_validates_without_errors(irregular: synth.Country) -> None:
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.checks import validate

    log = validate(load_workspace(irregular.folder))
    assert not log.errors, [i.format("en") for i in log.errors[:5]]
    # the overlaps are reported as warnings, as with the real sample
    assert log.warnings


@pytest.mark.slow
@pytest.mark.browser
def test_reduced_benchmark_end_to_end(tmp_path: Path) -> None:
    import run

    if not Path(run.CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {run.CHROMIUM}")
    pytest.importorskip("playwright")
    import importlib.util

    # geopandas.explore() needs mapclassify; without it the baseline is skipped with a note.
    has_baseline = importlib.util.find_spec("mapclassify") is not None
    out = tmp_path / "out"
    # The smallest sizes that prove the path (issue 13: a faster suite): every step and
    # explore() at 13 communes; the irregular shape at 120 (the smallest size with a
    # copy of the real Mường Tè units and a degenerate ward) with the targets' steps only.
    rc = run.main(["--sizes", "13", "--repeat", "1", "--browser-repeat", "1",
                   "--shapes", "regular",
                   "--workdir", str(tmp_path / "work"), "--out", str(out), "--bound", "90"])
    assert rc == 0
    # the irregular shape end to end: builds, maps, renders, answers the queries, and the
    # overview's bytes are broken down by block
    rc = run.main(["--sizes", str(IRREGULAR_N), "--repeat", "1", "--browser-repeat", "1",
                   "--shapes", "irregular", "--steps", "build,map,gaps,access",
                   "--no-baseline",
                   "--workdir", str(tmp_path / "work"), "--out", str(out), "--bound", "90"])
    assert rc == 0
    irr = json.loads((out / f"results-irregular-{IRREGULAR_N}.json").read_text())
    assert irr["shape"] == "irregular" and irr["country"]["communes"] == IRREGULAR_N
    # exactly the steps asked for (build always runs), none skipped
    assert sorted(irr["steps"]) == ["access", "build", "gaps", "map"], irr["notes"]
    assert all(x["rc"] == 0 for st in irr["steps"].values() for x in st["runs"])
    assert irr["render"]["finished"] and [x["blocked"] for x in irr["render"]["runs"]] == [0]
    blocks = irr["html_blocks"]["blocks"]
    assert {"commune boundaries", "names", "amounts", "project lines", "roads"} <= set(blocks)
    assert sum(v["json"] for v in blocks.values()) > 0.5 * irr["html_bytes"]
    r = json.loads((out / "results-13.json").read_text())
    assert r["country"]["communes"] == 13
    # every step of benchmarks/run.py:plan_steps ran (none skipped with a note)
    assert sorted(r["steps"]) == sorted(ALL_STEPS), r["notes"]
    assert not set(r["notes"]) & set(ALL_STEPS), r["notes"]
    for name, step in r["steps"].items():
        assert len(step["runs"]) == 1, name
        assert all(x["rc"] == 0 for x in step["runs"]), name
        assert 0 < step["peak_mb"] < 4096, name
    assert 0 < r["html_bytes"] < 15 * 2**20
    assert r["render"]["finished"] and r["render"]["heap_mb"] < 600
    # the map is self-contained: with the network off, nothing had to be blocked
    assert len(r["render"]["runs"]) == 1
    assert [x["blocked"] for x in r["render"]["runs"]] == [0]
    if has_baseline:
        base = r["baseline"]
        assert base["html_bytes"] > 0 and base["render"]["finished"]
        # The point of issue 6: the overview is smaller than explore() of the same data.
        assert r["html_bytes"] < base["html_bytes"]
    else:
        assert "mapclassify" in r["notes"]["baseline"]
