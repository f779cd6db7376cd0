"""Issue 13: the communes are cleaned where the coverage is not valid, a part at a time.

``shapely.coverage_clean`` of a whole country (10.000 communes of surveyed
boundaries) takes about a gigabyte inside GEOS; ``ntmgis map`` cleans only the
communes with an invalid edge and their neighbours, in compact parts each seen
with its neighbours, and checks the whole result.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box

from ntmgis.outputs.webmap.simplify import (
    _to_clean,
    clean_coverage,
    simplify_coverage_parts,
    thin_coverage,
)

CRS = 3405  # VN-2000 / UTM 48N: metres
X0, Y0 = 500_000.0, 2_000_000.0
SIZE = 2_000.0


def _grid(k: int) -> np.ndarray:
    """k x k squares with a vertex every 100 m on every side (shared edges match)."""
    polys = []
    for i in range(k):
        for j in range(k):
            square = box(X0 + i * SIZE, Y0 + j * SIZE, X0 + (i + 1) * SIZE, Y0 + (j + 1) * SIZE)
            polys.append(shapely.segmentize(square, 100.0))
    return np.asarray(polys, dtype=object)


def test_one_bad_place_is_cleaned_there_only() -> None:
    k = 8
    polys = _grid(k)
    assert shapely.coverage_is_valid(polys)
    bad = 3 * k + 4  # pushed 8 m into its four neighbours: overlaps there only
    polys[bad] = shapely.buffer(polys[bad], 8.0, join_style="mitre")
    assert not shapely.coverage_is_valid(polys)
    where = _to_clean(polys, 35.0)
    # the commune with invalid edges, its neighbours and theirs that touch them: not
    # the whole grid
    assert where[bad] and where.sum() < k * k / 2
    assert {bad - 1, bad + 1, bad - k, bad + k} <= set(np.flatnonzero(where).tolist())
    cleaned = clean_coverage(polys, 35.0, where=where)
    assert shapely.coverage_is_valid(cleaned)
    # the others are returned as they are (the same objects)
    assert all(cleaned[i] is polys[i] for i in np.flatnonzero(~where))
    # the cleaned communes are where they were: the pushed one back within its 8 m
    # (8 m times the square root of 2 at its mitred corners)
    for i in np.flatnonzero(where):
        assert shapely.hausdorff_distance(cleaned[i], polys[i]) <= 8.0 * 2 ** 0.5 + 1e-6
    # the map's path: valid, nothing drawn on its own, within 30 m of the source
    out, valid, alone = simplify_coverage_parts(gpd.GeoSeries(polys, crs=CRS), 35.0)
    assert valid and not alone.any()
    assert shapely.coverage_is_valid(out.values)
    assert max(shapely.hausdorff_distance(a, b) for a, b in zip(out.values, polys,
                                                                   strict=True)) <= 30.0
    # a commune far from the bad one is simplified as in the valid grid
    ref, ref_valid, _ = simplify_coverage_parts(gpd.GeoSeries(_grid(k), crs=CRS), 35.0)
    assert ref_valid
    assert shapely.equals_exact(out.values[0], ref.values[0], 0)


def test_cleaning_in_parts_matches_cleaning_at_once() -> None:
    k = 8
    # every commune pushed 3 m into its neighbours: overlaps everywhere
    polys = shapely.buffer(_grid(k), 3.0, join_style="mitre")
    assert not shapely.coverage_is_valid(polys)
    whole = shapely.coverage_clean(polys, gap_width=35.0)
    parts = clean_coverage(polys, 35.0, size=10)  # 7 parts of 8 or 10 communes
    assert shapely.coverage_is_valid(parts)
    assert not shapely.is_empty(parts).any()
    # the same polygons, but for a strip of overlap that two neighbours border
    # equally (a tie: either may get it, 6 m wide)
    dist = shapely.hausdorff_distance(parts, whole)
    assert float(dist.max()) <= 6.0 + 1e-6 and (dist < 1e-6).sum() > k * k / 2
    # the union has no hole and no overlap: the parts' seams match
    union = shapely.coverage_union_all(parts)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert abs(union.area - shapely.area(parts).sum()) < 1e-3
    # deterministic
    again = clean_coverage(polys, 35.0, size=10)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(parts, again, strict=True))


def test_the_hillshade_mask_takes_the_coarsest_level_finer_than_its_pixels() -> None:
    from ntmgis.outputs.webmap.levels import mask_polygons

    communes = gpd.GeoSeries(list(_grid(4)), crs=CRS)  # 8 km wide
    units = {"province": gpd.GeoSeries([shapely.union_all(communes.values)], crs=CRS),
             "district": gpd.GeoSeries(list(communes.values[:2]), crs=CRS)}
    # 8 km over 720 pixels: a quarter pixel is 2,8 m, finer than any level's tolerance
    assert len(mask_polygons(communes, units)) == len(communes)
    # over 4 pixels (500 m a quarter): the provinces (400 m) are fine enough
    assert len(mask_polygons(communes, units, pixels=4)) == 1
    # over 12 pixels (167 m): the districts (150 m), not the provinces
    assert len(mask_polygons(communes, units, pixels=12)) == 2
    # without levels (a small workspace): the communes
    assert len(mask_polygons(communes, {}, pixels=4)) == len(communes)


def test_reading_beside_the_coverage_or_after_it_gives_the_same_maps(tmp_path, build_sample,
                                                                     monkeypatch):
    """The layers read in a second thread, or after a whole cleaning: the same pages."""
    from ntmgis.outputs.webmap import reading
    from ntmgis.outputs.webmap.monitoring import render_maps

    ws = build_sample(tmp_path / "w")
    beside = {p.name: p.read_bytes() for p in render_maps(ws, overwrite=True)}
    calls = []

    def whole(values):  # as a country whose first communes already fail
        calls.append(len(values))
        return True

    monkeypatch.setattr(reading, "probe_fails", whole)
    after = {p.name: p.read_bytes() for p in render_maps(ws, overwrite=True)}
    assert calls == [14]  # the sample's 14 units, in code order
    assert len(beside) == 21 and after == beside


def _wiggly_grid(k: int, n: int = 80, amp: float = 3.0) -> np.ndarray:
    """k x k squares of 2 km whose shared edges wiggle (the same points on both sides)."""
    rng = np.random.default_rng(7)

    def edge(p0: tuple[float, float], p1: tuple[float, float]) -> np.ndarray:
        t = np.linspace(0.0, 1.0, n)[:, None]
        pts = np.asarray(p0) + (np.asarray(p1) - np.asarray(p0)) * t
        off = rng.normal(0.0, amp, (n, 2))
        off[0] = off[-1] = 0.0
        return pts + off

    h = {(i, j): edge((X0 + j * SIZE, Y0 + i * SIZE), (X0 + (j + 1) * SIZE, Y0 + i * SIZE))
         for i in range(k + 1) for j in range(k)}
    v = {(i, j): edge((X0 + i * SIZE, Y0 + j * SIZE), (X0 + i * SIZE, Y0 + (j + 1) * SIZE))
         for i in range(k + 1) for j in range(k)}
    polys = []
    for i in range(k):
        for j in range(k):
            ring = np.vstack([h[i, j][:-1], v[j + 1, i][:-1], h[i + 1, j][::-1][:-1],
                              v[j, i][::-1]])
            polys.append(shapely.Polygon(ring))
    return np.asarray(polys, dtype=object)


def test_thinning_keeps_shared_edges_shared() -> None:
    polys = _wiggly_grid(4)
    assert shapely.is_valid(polys).all() and shapely.coverage_is_valid(polys)
    thin = thin_coverage(polys, 5.0)
    # each stretch between junctions simplified once: still a valid coverage, far
    # fewer points, every polygon within the tolerance of its input
    assert shapely.is_valid(thin).all() and shapely.coverage_is_valid(thin)
    before, after = (int(shapely.get_num_coordinates(g).sum()) for g in (polys, thin))
    assert after < before / 2
    assert float(shapely.hausdorff_distance(thin, polys).max()) <= 5.0 + 1e-9
    # the two sides of a shared edge keep the same points: squares 0 and 1 (one above
    # the other) share the edge y = Y0 + SIZE
    pts = [{tuple(p) for p in shapely.get_coordinates(thin[i])
            if abs(p[1] - (Y0 + SIZE)) < 4 * 3.0 and X0 < p[0] < X0 + SIZE} for i in (0, 4)]
    assert len(pts[0]) > 2 and pts[0] == pts[1]
    # no point is moved or made: the points kept are points of the input
    src = {tuple(p) for p in shapely.get_coordinates(polys)}
    assert {tuple(p) for p in shapely.get_coordinates(thin)} <= src
    # the four corners of the grid and every junction are kept
    for corner in ((X0, Y0), (X0 + 4 * SIZE, Y0 + 4 * SIZE), (X0 + SIZE, Y0 + SIZE)):
        assert corner in {tuple(p) for p in shapely.get_coordinates(thin)}
    # deterministic; nothing but polygons is touched
    again = thin_coverage(polys, 5.0)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(thin, again, strict=True))
    mixed = np.concatenate([polys[:3], [None, shapely.Polygon()]])
    out = thin_coverage(mixed, 5.0)
    assert out[3] is None and out[4].is_empty
    # (the three squares alone have other junctions than in the whole grid)
    assert shapely.coverage_is_valid(out[:3])


def test_a_thinned_country_is_cleaned_and_simplified_as_before(monkeypatch) -> None:
    """The map's path with thinning on: valid, within 30 m of the source."""
    from ntmgis.outputs.webmap import simplify

    polys = _wiggly_grid(6)
    bad = 2 * 6 + 3  # pushed 8 m into its neighbours: overlaps there
    polys[bad] = shapely.buffer(polys[bad], 8.0, join_style="mitre")
    assert not shapely.coverage_is_valid(polys)
    geo = gpd.GeoSeries(polys, crs=CRS)
    plain, plain_valid, _ = simplify_coverage_parts(geo, 35.0)
    monkeypatch.setattr(simplify, "THIN_MIN_VERTICES", 0)
    out, valid, alone = simplify_coverage_parts(geo, 35.0)
    assert valid and plain_valid and not alone.any()
    assert shapely.coverage_is_valid(out.values)
    dist = shapely.hausdorff_distance(out.values, polys)
    assert float(dist.max()) <= 30.0
    # as close to the source as without thinning, give or take the thinning's 8,75 m
    assert float(dist.max()) <= float(shapely.hausdorff_distance(plain.values, polys).max()) \
        + 35.0 * simplify.THIN_SHARE
