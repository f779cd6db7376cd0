"""Issue 13 (map time): the national map's coverage, arcs and reading, made faster.

The shared-arc encoding is vectorised (it was a Python loop over every ring): its
output is checked against that loop, kept here as the reference. The reader of the
layers starts once the coverage is thinned (and cleaned, when whole), and the
communes' geometry is made while it reads: checked on small coverages and the sample.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box

from ntmgis.outputs.webmap import simplify as simplify_mod
from ntmgis.outputs.webmap.encode import _quantise, encode_polygon_arcs
from ntmgis.outputs.webmap.packed import Ragged

CRS = 3405  # VN-2000 / UTM 48N: metres


def _reference_arcs(geoms: np.ndarray) -> tuple[list, list]:
    """The shared arcs as the loop before the vectorised one made them (nested lists)."""
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    q = _quantise(coords)
    n = len(q)
    if n == 0:
        return [], [[] for _ in range(len(geoms))]
    start = np.ones(n, dtype=bool)
    start[1:] = coord_of[1:] != coord_of[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = coord_of[:-1] != coord_of[1:]
    same = np.zeros(n, dtype=bool)
    same[1:] = (q[1:] == q[:-1]).all(axis=1) & ~start[1:]
    keep = ~last & ~same
    q, coord_of = q[keep], coord_of[keep]
    key = (q[:, 0] << 32) | (q[:, 1] & 0xFFFFFFFF)
    uniq, vid = np.unique(key, return_inverse=True)
    vxy = np.zeros((len(uniq), 2), dtype=np.int64)
    vxy[vid] = q
    starts = np.flatnonzero(np.r_[True, coord_of[1:] != coord_of[:-1]])
    ends = np.r_[starts[1:], len(q)]
    nxt = np.arange(len(q)) + 1
    nxt[ends - 1] = starts
    lo, hi = np.minimum(vid, vid[nxt]), np.maximum(vid, vid[nxt])
    edges = np.unique((lo.astype(np.int64) << 32) | hi)
    degree = np.bincount(np.r_[edges >> 32, edges & 0xFFFFFFFF], minlength=len(uniq))
    junction = degree != 2
    arc_index: dict[tuple[int, int], int] = {}
    arcs: list[list[int]] = []
    ring_refs: dict[int, list[int]] = {}
    for r, s, e in zip(coord_of[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        ids = vid[s:e]
        cuts = np.flatnonzero(junction[ids])
        if len(cuts) == 0:
            cuts = np.array([int(np.argmin(ids))])
        c0 = int(cuts[0])
        rot = np.concatenate((ids[c0:], ids[:c0 + 1]))
        ids_l = rot.tolist()
        rel = (cuts - c0).tolist() + [len(ids)]
        refs = []
        for a, b in zip(rel[:-1], rel[1:], strict=True):
            k = arc_index.get((ids_l[a], ids_l[a + 1]))
            if k is not None:
                refs.append(k)
                continue
            k = arc_index.get((ids_l[b], ids_l[b - 1]))
            if k is not None:
                refs.append(~k)
                continue
            arc_index[ids_l[a], ids_l[a + 1]] = len(arcs)
            pts = vxy[rot[a:b + 1]]
            d = pts.copy()
            d[1:] -= pts[:-1]
            arcs.append(d.reshape(-1).tolist())
            refs.append(len(arcs) - 1)
        ring_refs[r] = refs
    polys: list[list] = [[] for _ in range(len(parts))]
    for r, p in enumerate(ring_of.tolist()):
        if r in ring_refs:
            polys[p].append(ring_refs[r])
    feats: list[list] = [[] for _ in range(len(geoms))]
    for poly, f in zip(polys, part_of.tolist(), strict=True):
        if poly:
            feats[f].append(poly)
    return arcs, feats


def _wiggly_grid(k: int, seed: int = 0, amp: float = 1 / 20) -> list[Polygon]:
    """k x k cells (in degrees, as the encoder gets them) whose shared edges wiggle alike."""
    rng = np.random.default_rng(seed)
    step = 0.01
    xs = np.arange(k + 1) * step + 104.0
    ys = np.arange(k + 1) * step + 20.0
    h = {}
    v = {}
    for i in range(k + 1):
        for j in range(k):
            off = rng.normal(0, step * amp, 9)
            off[0] = off[-1] = 0
            h[i, j] = np.column_stack([np.linspace(xs[j], xs[j + 1], 9), ys[i] + off])
            off = rng.normal(0, step * amp, 9)
            off[0] = off[-1] = 0
            v[i, j] = np.column_stack([xs[i] + off, np.linspace(ys[j], ys[j + 1], 9)])
    cells = []
    for i in range(k):
        for j in range(k):
            ring = np.vstack([h[i, j][:-1], v[j + 1, i][:-1], h[i + 1, j][::-1][:-1],
                              v[j, i][::-1]])
            cells.append(Polygon(ring))
    return cells


def _odd_coverage() -> np.ndarray:
    """Cells with a hole filled by an island, a duplicate, a multipolygon, an empty one."""
    cells = _wiggly_grid(4)
    hole = box(104.012, 20.012, 104.016, 20.016)
    holed = Polygon(cells[5].exterior.coords, [hole.exterior.coords])
    island = hole
    lone = box(104.2, 20.2, 104.21, 20.21)  # touches nothing: a ring with no junction
    multi = MultiPolygon([cells[0], box(104.3, 20.3, 104.31, 20.31)])
    # a ring with repeated vertices (dropped) and a needle of one vertex after rounding
    spiky = Polygon([(104.5, 20.5), (104.5, 20.5), (104.51, 20.5), (104.51, 20.51),
                     (104.5, 20.51)])
    return np.array([*cells[1:5], holed, *cells[6:], island, lone, multi, cells[3],
                     shapely.Polygon(), spiky], dtype=object)


@pytest.mark.parametrize("geoms", [
    pytest.param(lambda: np.array(_wiggly_grid(6, seed=3), dtype=object), id="grid"),
    pytest.param(_odd_coverage, id="holes-islands-duplicates"),
    pytest.param(lambda: np.array([box(104, 20, 104.01, 20.01)], dtype=object), id="one"),
])
def test_arcs_are_those_of_the_loop(geoms) -> None:
    values = geoms()
    arcs, feats = encode_polygon_arcs(values)
    ref_arcs, ref_feats = _reference_arcs(values)
    assert arcs.tolist() == ref_arcs
    assert feats.tolist() == ref_feats
    # the arrays keep their kinds and integer types (the page packs them by kind)
    assert arcs.kind == "c" and feats.kind == "i"
    assert arcs.values.dtype == np.int64 and feats.values.dtype == np.int64
    assert all(c.dtype == np.int64 for c in (*arcs.counts, *feats.counts))


def test_arcs_share_each_edge_once() -> None:
    cells = np.array(_wiggly_grid(5, seed=7), dtype=object)
    arcs, feats = encode_polygon_arcs(cells)
    refs = np.asarray(feats.values)
    used = np.where(refs < 0, ~refs, refs)
    # every arc used once (the outline) or twice (between two cells, once each way)
    counts = np.bincount(used, minlength=len(arcs))
    assert set(counts.tolist()) <= {1, 2}
    both = np.flatnonzero(counts == 2)
    assert len(both)
    for a in both.tolist():
        assert sorted((refs[used == a] >= 0).tolist()) == [False, True]


def _overlapping_cells(k: int) -> list[Polygon]:
    """k x k squares of 1 km, each 2 m too wide: overlaps everywhere (cleaned whole)."""
    return [box(500_000 + i * 1000, 2_000_000 + j * 1000, 500_000 + i * 1000 + 1002,
                2_000_000 + j * 1000 + 1002) for i in range(k) for j in range(k)]


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for name in ("clean_coverage", "_simplified"):
        real = getattr(simplify_mod, name)

        def spy(*a: object, _real: object = real, _name: str = name, **k: object) -> object:
            seen.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(simplify_mod, name, spy)
    return seen


@pytest.mark.parametrize("cells, first", [
    pytest.param(lambda: _overlapping_cells(15), ["clean_coverage", "ready", "_simplified"],
                 id="cleaned-whole"),
    pytest.param(lambda: [box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(6)],
                 ["ready", "_simplified"], id="valid"),
    pytest.param(lambda: [], ["ready"], id="empty"),
])
def test_ready_once_before_simplifying(monkeypatch: pytest.MonkeyPatch, cells,
                                       first: list[str]) -> None:
    import geopandas as gpd

    seen = _calls(monkeypatch)
    geo = gpd.GeoSeries(cells(), crs=CRS)
    plain = simplify_mod.simplify_coverage_parts(geo, 35.0)
    seen.clear()
    out = simplify_mod.simplify_coverage_parts(geo, 35.0, ready=lambda: seen.append("ready"))
    assert seen[:len(first)] == first
    assert seen.count("ready") == 1
    # the hook changes when the caller goes on, not the coverage
    assert out[1] == plain[1]
    assert np.array_equal(out[2], plain[2])
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(out[0].values, plain[0].values,
                                                               strict=True))


def test_read_for_maps_leaves_out_unused_columns(built_sample) -> None:
    from ntmgis.outputs.webmap.reading import SKIP_COLUMNS, load_monitoring_layers, read_for_maps

    ws, full = built_sample
    first = load_monitoring_layers(ws, only=("communes", "metadata"))
    made_with: list = []

    def then(coverage: simplify_mod.MapCoverage) -> str:
        made_with.append(coverage)
        return "made"

    layers, coverage, _roads, made = read_for_maps(ws, first, 35.0, then=then)
    assert made == "made" and made_with == [coverage]
    checked = 0
    for name, skipped in SKIP_COLUMNS.items():
        got, whole = getattr(layers, name, None), getattr(full, name, None)
        if got is None or whole is None or name == "roads":
            continue
        assert not set(skipped) & set(got.columns)
        kept = [c for c in whole.columns if c not in skipped and c != "geometry"]
        assert list(got.drop(columns="geometry", errors="ignore").columns) == kept
        assert got[kept].equals(whole[kept])
        checked += 1
    assert checked >= 4


def test_thinning_keeps_every_junction_and_shared_edge() -> None:
    """Each stretch between junctions thinned once: corners kept, neighbours still match."""
    cells = np.array([shapely.affinity.scale(c, 1e5, 1e5, origin=(104.0, 20.0))
                      for c in _wiggly_grid(5, seed=11, amp=1 / 200)], dtype=object)
    assert shapely.coverage_is_valid(cells)
    thin = simplify_mod.thin_coverage(cells, 3.0)
    before = int(shapely.get_num_coordinates(cells).sum())
    assert int(shapely.get_num_coordinates(thin).sum()) < before  # something was thinned
    assert shapely.coverage_is_valid(thin)
    # the grid's corners (where three or four cells meet, or two part ways on the
    # border) are in every cell that had them
    for c, t in zip(cells, thin, strict=True):
        pts = {tuple(p) for p in shapely.get_coordinates(c)}
        kept = {tuple(p) for p in shapely.get_coordinates(t)}
        corners = {p for p in pts
                   if sum(p in {tuple(q) for q in shapely.get_coordinates(o)} for o in cells) > 2}
        assert corners <= kept
    # each shared edge keeps the same vertices on both sides
    for i in range(len(cells)):
        for j in range(i + 1, len(cells)):
            if shapely.intersects(cells[i], cells[j]):
                a = {tuple(p) for p in shapely.get_coordinates(thin[i])}
                b = {tuple(p) for p in shapely.get_coordinates(thin[j])}
                shared = shapely.intersection(shapely.boundary(thin[i]), shapely.boundary(thin[j]))
                on = {tuple(p) for p in shapely.get_coordinates(shared)}
                assert on <= a and on <= b


def test_group_lines_on_arcs_made_once_and_as_before() -> None:
    from ntmgis.outputs.webmap.encode import encode_lines, lines_on_arcs
    from ntmgis.outputs.webmap.refs import by_reference, glines_on_arcs

    cells = np.array(_wiggly_grid(4, seed=5), dtype=object)
    arcs, _feats = encode_polygon_arcs(cells)
    outline = shapely.get_exterior_ring(shapely.union_all(cells[:8]))
    geom = encode_lines(np.array([shapely.multilinestrings([outline])], dtype=object))
    made = glines_on_arcs(geom, arcs)
    assert glines_on_arcs(geom, arcs) is made  # the same arrays: what was made
    plain = lines_on_arcs(geom, arcs)
    assert made.tolist() == plain.tolist() and made.kind == plain.kind
    page = {"communes": {"arcs": arcs}, "glines": {"n": 2, "geom": geom}}
    out = by_reference("glines", page["glines"], page)
    assert out["ga"] is made and "geom" not in out
    other = Ragged(geom.values.copy(), [c.copy() for c in geom.counts], geom.kind)
    again = glines_on_arcs(other, arcs)  # other arrays (equal ones): made again
    assert again is not made and again.tolist() == made.tolist()
    # the cache keeps no map's arrays alive: an entry goes with its lines
    import gc

    from ntmgis.outputs.webmap import refs

    key = id(other)
    assert key in refs._ON_ARCS
    del other, again
    gc.collect()
    assert key not in refs._ON_ARCS
