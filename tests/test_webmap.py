"""Web maps without a browser: encoding, hillshade, determinism, safety, size, CLI."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import LineString, Point, Polygon, box

from ntmgis.core.errors import OutputExistsError, WorkspaceError
from ntmgis.outputs.webmap import ResultLayer, render_maps, render_result_map
from ntmgis.outputs.webmap.encode import (
    SCALE,
    encode_geometries,
    encode_lines,
    encode_points,
    encode_polygon_arcs,
    encode_polygons,
    simplify_coverage,
)
from ntmgis.outputs.webmap.hillshade import hillshade, render_hillshade
from ntmgis.outputs.webmap.page import library_bytes, to_json


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, build_sample: object) -> object:
    return build_sample(tmp_path_factory.mktemp("ws"))


def _decode(flat: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / SCALE


# ---------------------------------------------------------------- encoding
def test_encode_polygons_round_trip_and_shared_edges() -> None:
    # two squares sharing an edge, one with a hole, plus a multipolygon
    a = Polygon([(102.0, 22.0), (102.1, 22.0), (102.1, 22.1), (102.0, 22.1)],
                [[(102.02, 22.02), (102.04, 22.02), (102.04, 22.04)]])
    b = box(102.1, 22.0, 102.2, 22.1)
    c = shapely.MultiPolygon([box(103, 22, 103.01, 22.01), box(103.02, 22, 103.03, 22.01)])
    enc = encode_polygons(np.array([a, b, c], dtype=object))
    assert [len(f) for f in enc] == [1, 1, 2]
    assert len(enc[0][0]) == 2  # shell and hole
    shell = _decode(enc[0][0][0])
    expected = np.asarray(a.exterior.coords)[:-1]  # closing vertex dropped
    np.testing.assert_allclose(shell, expected, atol=0.5 / SCALE)
    # the shared edge x = 102.1 has bit-identical vertices in both features
    xa = {tuple(p) for p in np.round(_decode(enc[0][0][0]) * SCALE).astype(int).tolist()}
    xb = {tuple(p) for p in np.round(_decode(enc[1][0][0]) * SCALE).astype(int).tolist()}
    assert {(10210000, 2200000), (10210000, 2210000)} <= xa & xb


def test_encode_lines_points_mixed() -> None:
    lines = encode_lines(np.array([LineString([(1, 1), (1.00001, 1), (1.00001, 1.5)]),
                                   shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])],
                                  dtype=object))
    assert len(lines[0]) == 1 and len(lines[1]) == 2
    np.testing.assert_allclose(_decode(lines[0][0])[-1], [1.00001, 1.5])
    pts = encode_points(np.array([Point(102.5, 22.3), Point(102.50002, 22.29999)], dtype=object))
    np.testing.assert_allclose(_decode(pts), [[102.5, 22.3], [102.50002, 22.29999]])
    mixed = encode_geometries(np.array([Point(1, 2), LineString([(0, 0), (1, 1)]), box(0, 0, 1, 1)],
                                       dtype=object))
    assert [m[0] for m in mixed] == ["P", "L", "A"]
    assert mixed[0][1] == [100000, 200000]


def test_simplify_coverage_keeps_coverage_valid() -> None:
    # a wiggly shared boundary between two polygons (metric CRS)
    xs = np.linspace(0, 10_000, 400)
    wiggle = [(x, 5_000 + 20 * np.sin(x / 37.0)) for x in xs]
    south = Polygon([(0, 0), (10_000, 0)] + wiggle[::-1])
    north = Polygon(wiggle + [(10_000, 10_000), (0, 10_000)])
    geo = gpd.GeoSeries([south, north], crs=9205)
    assert shapely.coverage_is_valid(geo.values)
    simple, valid = simplify_coverage(geo, 45.0)
    assert valid
    assert shapely.get_num_coordinates(simple.values).sum() < shapely.get_num_coordinates(
        geo.values).sum() / 2
    dev = max(shapely.hausdorff_distance(a, b) for a, b in zip(geo.values, simple.values,
                                                                strict=True))
    assert dev <= 30.0
    assert shapely.union_all(simple.values).area == pytest.approx(10_000 * 10_000, rel=1e-9)
    # an invalid coverage (overlapping neighbours) is cleaned first, then simplified
    bad = gpd.GeoSeries([box(0, 0, 5_010, 5_000), box(5_000, 0, 10_000, 5_000),
                         box(0, 5_010, 10_000, 10_000)], crs=9205)
    assert not shapely.coverage_is_valid(bad.values)
    fixed, ok = simplify_coverage(bad, 45.0)
    assert ok and shapely.coverage_is_valid(fixed.values)
    # the overlap went to one side only: the areas add up to the union's
    union = shapely.union_all(fixed.values).area
    assert sum(g.area for g in fixed.values) == pytest.approx(union, rel=1e-9)
    assert union == pytest.approx(shapely.union_all(bad.values).area, rel=1e-9)
    assert len(fixed) == 3 and not fixed.is_empty.any()


def test_to_json_escapes_script_end() -> None:
    text = to_json({"name": "</script><script>alert(1)</script>&\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>&\u2028"
    # the cached form (shared parts serialised once) gives the same text
    cache: dict[str, str] = {}
    data = {"a": [1, 2.5, None], "b": {"x": "<b>"}, "c": "Mường Tè"}
    for _ in range(2):
        assert to_json(data, cache=cache, shared={"a", "b"}) == to_json(data)
    assert set(cache) == {"a", "b"}


# ---------------------------------------------------------------- hillshade
def test_hillshade_lights_north_west_slopes() -> None:
    y, x = np.mgrid[0:50, 0:50].astype(float)
    # a ridge: west slope faces west (lit by a NW sun), east slope faces east (shaded)
    elev = 1000 - 30 * np.abs(x - 25)
    hs = hillshade(elev, xres=100, yres=100)
    assert hs[25, 10] > hs[25, 40] + 0.2
    flat = hillshade(np.full((5, 5), 500.0), xres=100, yres=100)
    np.testing.assert_allclose(flat, np.sin(np.radians(45)))


def test_render_hillshade_bounds_and_png(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    path = tmp_path / "dem.tif"
    data = (np.add.outer(np.arange(60), np.arange(80)) * 5.0).astype("float32")
    with rasterio.open(path, "w", driver="GTiff", width=80, height=60, count=1,
                       dtype="float32", crs="EPSG:9205",
                       transform=Affine(150, 0, 450_000, 0, -150, 2_480_000)) as dst:
        dst.write(data, 1)
    hs = render_hillshade(path)
    assert hs.image.startswith(b"\xff\xd8") and hs.mime == "image/jpeg"
    assert render_hillshade(path, image_format="png").image.startswith(b"\x89PNG")
    (s, w), (n, e) = hs.bounds
    assert 102.4 < w < e < 102.7 and 22.2 < s < n < 22.45
    assert hs.data_uri.startswith("data:image/jpeg;base64,")
    assert render_hillshade(path).image == hs.image  # deterministic


# ---------------------------------------------------------------- monitoring maps
def test_render_maps_files_size_offline_deterministic(built: object) -> None:
    paths = render_maps(built, overwrite=True)
    names = [p.relative_to(built.maps_dir).as_posix() for p in paths]
    assert names[0] == "index.html" and names[-1] == "list.html"
    assert names[1:-1] == [f"criteria/tc{n:02d}.html" for n in range(1, 20)]
    index = paths[0].read_bytes()
    assert len(index) < 1_000_000, f"overview is {len(index)} bytes"
    text = index.decode("utf-8")
    # nothing refers to the network: no external scripts, stylesheets or images
    # (inside the inlined code, the browser tests check that nothing is requested)
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", text, flags=re.S)
    assert markup.count("<script") == 0 and "<link" in markup
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text)
    assert "sourceMappingURL" not in text
    assert "Leaflet" in text and "markerClusterGroup" in text
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    again = render_maps(built, overwrite=True)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in again] == digests
    listing = paths[-1].read_text(encoding="utf-8")
    for n in range(1, 20):
        assert f'href="criteria/tc{n:02d}.html"' in listing
    # the list page's figures are the district summary's
    from ntmgis.monitoring.gpkg import read_layers

    summary = read_layers(built).district_summary
    summary = summary[summary["year"] == max(built.years)].sort_values("criterion")
    rows = re.findall(r'<td class="n">(\d+)/(\d+)</td><td class="n">([\d,]+%)</td>', listing)
    assert [(int(a), int(b)) for a, b, _ in rows] == list(
        zip(summary["communes_met"], summary["communes_total"], strict=True))
    assert "31/12/2025" in listing
    assert library_bytes() > 150_000


def test_render_maps_refuses_to_overwrite(built: object) -> None:
    render_maps(built, overwrite=True)
    index = Path(built.maps_dir) / "index.html"
    before = index.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite"):
        render_maps(built, year=2023)
    assert index.read_bytes() == before


def test_render_maps_bad_year_and_unbuilt(tmp_path: Path, built: object,
                                          copy_sample: object) -> None:
    with pytest.raises(ValueError, match="2019"):
        render_maps(built, overwrite=True, year=2019)
    from ntmgis.core.workspace import load_workspace

    ws = load_workspace(copy_sample(tmp_path / "unbuilt"))
    with pytest.raises(WorkspaceError, match="build"):
        render_maps(ws)


def test_cli_map(built: object) -> None:
    from ntmgis.cli.map import command as cli_command

    runner = CliRunner()
    res = runner.invoke(cli_command, ["-w", str(built.root), "--overwrite", "--lang", "en",
                                      "--no-online-tiles"])
    assert res.exit_code == 0, res.output
    assert "index.html" in res.output
    html = (Path(built.maps_dir) / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "tile.openstreetmap.org" not in html
    res = runner.invoke(cli_command, ["-w", str(built.root)])
    assert res.exit_code == 4
    assert "--overwrite" in res.output
    res = runner.invoke(cli_command, ["-w", str(built.root), "--overwrite", "--year", "1999"])
    assert res.exit_code == 2 and "1999" in res.output  # a bad option value: wrong usage
    # registered in the ntmgis command group
    from ntmgis.cli import main

    assert main.get_command(None, "map") is cli_command


def test_result_map_escapes_and_is_deterministic(tmp_path: Path, xss: str) -> None:
    gdf = gpd.GeoDataFrame(
        {"name": [xss, "Bản Nậm Củm"], "kind": ["a", "b"], "value": [1234.5, 2.0]},
        geometry=[Point(480_000, 2_475_000), Point(481_000, 2_476_000)], crs=9205)
    out = render_result_map([ResultLayer(gdf, "Điểm", category="kind")], tmp_path / "r.html",
                            title="Kết quả <b>", lang="vi")
    text = out.read_text(encoding="utf-8")
    assert xss not in text
    assert "<title>Kết quả &lt;b&gt;</title>" in text
    data = json.loads(re.search(r'<script id="ntmgis-data" type="application/json">(.*?)</script>',
                                text).group(1))
    layer = data["result_layers"][0]
    assert layer["title"] == [xss, "Bản Nậm Củm"]
    assert layer["rows"][0][2] == "1.234,5"
    with pytest.raises(OutputExistsError):
        render_result_map({"x": gdf}, out, title="t")
    again = render_result_map([ResultLayer(gdf, "Điểm", category="kind")], tmp_path / "r2.html",
                              title="Kết quả <b>", lang="vi")
    assert again.read_bytes() == out.read_bytes()
    with pytest.raises(KeyError, match="nope"):
        render_result_map([ResultLayer(gdf, "x", category="nope")], tmp_path / "r3.html",
                          title="t")


def test_hillshade_overlay_lines_up(tmp_path: Path) -> None:
    """A plateau's lit west edge and shaded east edge fall where their lat/lon says."""
    rasterio = pytest.importorskip("rasterio")
    import io

    from affine import Affine
    from PIL import Image
    from pyproj import Transformer

    cell = 150.0
    x0, y0 = 440_000.0, 2_500_000.0  # top-left corner (EPSG:9205)
    # a flat-topped pyramid: 10-cell ramps (about 30 degrees with the hillshade's
    # exaggeration) from column/row 150 to 160 and 240 to 250
    rows, cols = np.mgrid[0:400, 0:400]
    inward = np.minimum.reduce([cols - 150, 250 - cols, rows - 150, 250 - rows])
    elev = (500.0 + 40.0 * np.clip(inward, 0, 10)).astype("float32")
    path = tmp_path / "plateau.tif"
    with rasterio.open(path, "w", driver="GTiff", width=400, height=400, count=1,
                       dtype="float32", crs="EPSG:9205",
                       transform=Affine(cell, 0, x0, 0, -cell, y0)) as dst:
        dst.write(elev, 1)
    hs = render_hillshade(path, image_format="png")
    img = np.asarray(Image.open(io.BytesIO(hs.image)).convert("L"), dtype=float)
    (s, w), (n, e) = hs.bounds
    to_ll = Transformer.from_crs(9205, 4326, always_xy=True)
    merc = Transformer.from_crs(4326, 3857, always_xy=True)

    def pixel(x: float, y: float) -> tuple[int, int]:
        lon, lat = to_ll.transform(x, y)
        mx, my = merc.transform(lon, lat)
        mw, mn = merc.transform(w, n)
        me, ms = merc.transform(e, s)
        col = (mx - mw) / (me - mw) * img.shape[1]
        row = (mn - my) / (mn - ms) * img.shape[0]
        return int(row), int(col)

    mid_y = y0 - 200 * cell
    west = pixel(x0 + 155 * cell, mid_y)  # middle of the west ramp (faces the sun)
    east = pixel(x0 + 245 * cell, mid_y)  # middle of the east ramp (in the shade)
    flat = pixel(x0 + 50 * cell, mid_y)
    level = img[flat]
    assert img[west] > level + 20
    assert img[east] < level - 40
    # the lit and the shaded columns span the ramps' predicted extent within 2 pixels
    line = img[west[0]]
    inner = np.arange(len(line))
    inner = (inner > 10) & (inner < len(line) - 10)  # the raster's own edge is shaded too
    lit = np.flatnonzero((line > level + 10) & inner)
    dark = np.flatnonzero((line < level - 10) & inner)
    assert abs(lit.min() - pixel(x0 + 150 * cell, mid_y)[1]) <= 2
    assert abs(lit.max() - pixel(x0 + 160 * cell, mid_y)[1]) <= 2
    assert abs(dark.min() - pixel(x0 + 240 * cell, mid_y)[1]) <= 2
    assert abs(dark.max() - pixel(x0 + 250 * cell, mid_y)[1]) <= 2


def _ring_from_arcs(refs: list[int], arcs: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for n, r in enumerate(refs):
        pts = np.cumsum(np.asarray(arcs[r if r >= 0 else ~r]).reshape(-1, 2), axis=0)
        pts = pts if r >= 0 else pts[::-1]
        out.extend(pts.tolist() if n == 0 else pts[1:].tolist())
    return out[:-1]


def test_shared_arcs_round_trip_and_share() -> None:
    # three communes: two side by side, one with an enclave (a hole filled by the fourth)
    a = box(102.0, 22.0, 102.1, 22.1)
    b = Polygon([(102.1, 22.0), (102.2, 22.0), (102.2, 22.1), (102.15, 22.12), (102.1, 22.1)])
    hole = [(102.03, 22.03), (102.03, 22.06), (102.06, 22.06), (102.06, 22.03)]
    c = Polygon([(102.0, 21.9), (102.2, 21.9), (102.2, 22.0), (102.1, 22.0), (102.0, 22.0)])
    a = Polygon(a.exterior.coords, [hole])
    d = Polygon(hole)
    # long shared edges (many vertices), as surveyed boundaries have
    geoms = shapely.segmentize(np.array([a, b, c, d], dtype=object), 0.005)
    arcs, feats = encode_polygon_arcs(geoms)
    plain = encode_polygons(geoms)
    for pf, af in zip(plain, feats, strict=True):
        for pp, ap in zip(pf, af, strict=True):
            for pr, ar in zip(pp, ap, strict=True):
                want = np.cumsum(np.asarray(pr).reshape(-1, 2), axis=0).tolist()
                got = _ring_from_arcs(ar, arcs)
                i = got.index(want[0])
                assert got[i:] + got[:i] == want  # the same ring, from another start
    # the shared stretches are stored once: fewer vertices than ring by ring
    n_arc = sum(len(x) for x in arcs) // 2
    n_plain = sum(len(r) for f in plain for p in f for r in p) // 2
    assert n_arc < n_plain
    # the enclave's ring and the hole use the same arc, in opposite directions
    assert set(map(abs, [~r if r < 0 else r for r in feats[3][0][0]])) <= \
        {~r if r < 0 else r for r in feats[0][0][1]}
