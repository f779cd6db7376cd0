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
