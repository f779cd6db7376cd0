"""Issue 13: the national web map's speed and size fixes, checked on small inputs."""

from __future__ import annotations

import zlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

from ntmgis.outputs.webmap.blocks import CAPITAL_DECIMALS, _project_block, simplify_lines
from ntmgis.outputs.webmap.encode import simplify_coverage, simplify_coverage_parts
from ntmgis.outputs.webmap.page import _deflate_chunk, gzip_text
from ntmgis.outputs.webmap.text7 import decode7

CRS = 3405  # VN-2000 / UTM 48N: metres


def _wiggly(p0: tuple[float, float], p1: tuple[float, float], n: int, amp: float,
            seed: int) -> np.ndarray:
    """A surveyed-looking edge from p0 to p1 (ends fixed)."""
    t = np.linspace(0.0, 1.0, n)
    x = p0[0] + (p1[0] - p0[0]) * t
    y = p0[1] + (p1[1] - p0[1]) * t
    rng = np.random.default_rng(seed)
    off = rng.normal(0, amp, n)
    off[0] = off[-1] = 0.0
    nx, ny = -(p1[1] - p0[1]), p1[0] - p0[0]
    norm = np.hypot(nx, ny)
    return np.column_stack([x + off * nx / norm, y + off * ny / norm])


def _grid(k: int = 4, size: float = 5_000.0) -> list[Polygon]:
    """k x k squares with wiggly shared edges (the same coordinates both sides)."""
    origin = np.array([500_000.0, 2_000_000.0])
    h: dict = {}
    v: dict = {}
    for i in range(k + 1):
        for j in range(k):
            a = origin + (j * size, i * size)
            b = origin + ((j + 1) * size, i * size)
            h[i, j] = _wiggly(tuple(a), tuple(b), 120, 4.0, 1000 * i + j)
            a = origin + (i * size, j * size)
            b = origin + (i * size, (j + 1) * size)
            v[i, j] = _wiggly(tuple(a), tuple(b), 120, 4.0, 7000 + 1000 * i + j)
    polys = []
    for i in range(k):
        for j in range(k):
            ring = np.vstack([h[i, j][:-1], v[j + 1, i][:-1], h[i + 1, j][::-1][:-1],
                              v[j, i][::-1]])
            polys.append(shapely.make_valid(Polygon(ring)))
    return polys


def test_a_degenerate_ward_is_drawn_on_its_own() -> None:
    polys = _grid()
    # a 0,003 km2 triangle lying on top of commune 5, and a commune pushed 8 m into
    # its neighbour (an overlap): not a valid coverage
    c = shapely.centroid(polys[5])
    tri = Polygon([(c.x, c.y), (c.x + 80, c.y), (c.x, c.y + 75)])
    assert abs(tri.area - 3_000) < 100
    polys[6] = shapely.buffer(polys[6], 8.0, join_style="mitre")
    geo = gpd.GeoSeries([*polys, tri], crs=CRS)
    assert not shapely.coverage_is_valid(geo.values)
    out, valid, alone = simplify_coverage_parts(geo, 35.0)
    assert alone.tolist() == [False] * len(polys) + [True]
    # the others stay a coverage: shared edges are drawn once (arcs)
    assert valid
    assert shapely.coverage_is_valid(out.values[~alone])
    assert not shapely.is_empty(out.values).any()
    # within 30 m of the source, the triangle too
    for a, b in zip(out.values, geo.values, strict=True):
        assert shapely.hausdorff_distance(a, b) <= 30.0
    # no gap: the communes merge into one polygon without holes
    union = shapely.coverage_union_all(out.values[~alone])
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    # the public function gives the same polygons and flag
    out2, valid2 = simplify_coverage(geo, 35.0)
    assert valid2 and all(shapely.equals_exact(a, b, 0) for a, b in
                          zip(out.values, out2.values, strict=True))


def test_a_valid_coverage_is_not_cleaned() -> None:
    geo = gpd.GeoSeries(_grid(3), crs=CRS)
    out, valid, alone = simplify_coverage_parts(geo, 35.0)
    assert valid and not alone.any()
    assert shapely.coverage_is_valid(out.values)
    assert shapely.get_num_coordinates(out.values).sum() < \
        shapely.get_num_coordinates(geo.values).sum() / 2
    # merged units from a checked coverage: simplified without a check
    merged = gpd.GeoSeries([shapely.coverage_union_all(out.values[:3]),
                            shapely.coverage_union_all(out.values[3:])], crs=CRS)
    units, uvalid, ualone = simplify_coverage_parts(merged, 150.0, assume_valid=True)
    assert uvalid and not ualone.any()
    assert shapely.coverage_is_valid(units.values)


def test_lines_are_simplified_for_the_web() -> None:
    dense = LineString(_wiggly((500_000, 2_000_000), (503_000, 2_001_000), 200, 1.0, 3))
    short = LineString([(500_000, 2_000_000), (500_001, 2_000_000)])
    geo = gpd.GeoSeries([dense, short], crs=CRS)
    out = simplify_lines(geo, 15.0)
    assert shapely.get_num_coordinates(out.values[0]) < 20
    assert shapely.hausdorff_distance(out.values[0], dense) <= 15.0
    # the ends of every line are kept; nothing vanishes
    for a, b in zip(out.values, geo.values, strict=True):
        assert shapely.get_point(a, 0).equals(shapely.get_point(b, 0))
        assert shapely.get_point(a, -1).equals(shapely.get_point(b, -1))


def _projects() -> tuple[pd.DataFrame, np.ndarray, gpd.GeoDataFrame]:
    from ntmgis.core.vocabulary import FUNDING_SOURCES

    n = 4
    df = pd.DataFrame({
        "project_id": [f"P{i}" for i in range(n)],
        "name": ["a", "b", "c", "d"], "category": "roads", "commune_code": "00001",
        "criteria": ["2", "2;5", "5", ""], "year_start": 2021, "year_end": 2023,
        "status": "finished", "disbursed": [1.04, 19_868.437, None, 0.06],
    })
    for j, s in enumerate(FUNDING_SOURCES):
        df[f"cap_{s}"] = [19_868.437 * (j + 1), 0.049, np.nan, 1234.55]
    xy = shapely.points(np.array([[103.0, 22.0], [103.1, 22.1], [103.2, 22.2],
                                  [103.3, 22.3]]))
    line = LineString(_wiggly((500_000, 2_000_000), (502_000, 2_000_500), 150, 1.0, 5))
    lines = gpd.GeoDataFrame({"project_id": ["P1"]}, geometry=[line], crs=CRS)
    return df, xy, lines


def test_amounts_are_quantised_and_lines_simplified() -> None:
    df, xy, lines = _projects()
    assert CAPITAL_DECIMALS == 1
    block, plines = _project_block(df, xy, lines, {"00001": 0}, [2021, 2022], {},
                                   metric=lines.crs, line_tolerance=15.0)
    assert block["cap"][0][0] == 19_868.4 and block["cap"][0][1] == 39_736.9
    assert block["cap"][1][0] == 0  # 49.000 VND: under 0,05 million
    assert block["cap"][2][0] is None
    assert block["disb"] == [1, 19_868.4, None, 0.1]
    assert plines["p"] == [1]
    n_vertices = len(plines["geom"][0][0]) // 2
    assert 2 <= n_vertices < 20
    _full, raw_lines = _project_block(df, xy, lines, {"00001": 0}, [2021, 2022], {})
    assert len(raw_lines["geom"][0][0]) // 2 == 150


def test_shared_prefix_is_encoded_once() -> None:
    texts = ['{"a":' + "[1,2,3]" * 500, ',"b":"' + "x" * 777 + '"', ',"c":1}']
    pieces = [_deflate_chunk(t, 6) for t in texts]
    raws = [p[0] for p in pieces]
    chunks = [p[1] for p in pieces]
    plain = gzip_text(chunks, raws)
    cache: dict = {}
    first = gzip_text(chunks, raws, cache=cache, n_shared=2)
    assert first == plain
    other = [_deflate_chunk(',"c":22}', 6)]
    second = gzip_text(chunks[:2] + [other[0][1]], raws[:2] + [other[0][0]], cache=cache,
                         n_shared=2)
    assert len(cache) == 1
    assert second == gzip_text(chunks[:2] + [other[0][1]], raws[:2] + [other[0][0]])
    assert zlib.decompress(decode7(second), 31).decode() == "".join(texts[:2]) + ',"c":22}'
