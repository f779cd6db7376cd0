"""Issue 13: the national web map's speed and size fixes, checked on small inputs."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import browser
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon

from ntmgis.outputs.webmap.blocks import CAPITAL_DECIMALS, _project_block, simplify_lines
from ntmgis.outputs.webmap.encode import simplify_coverage, simplify_coverage_parts
from ntmgis.outputs.webmap.page import _deflate_chunk, gzip_text
from ntmgis.outputs.webmap.text123 import decode123

chromium_browser = browser.chromium_browser
open_page = browser.open_page

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
    assert zlib.decompress(decode123(second), 31).decode() == "".join(texts[:2]) + ',"c":22}'


# ------------------------------------------------------------ packed bytes (issue 13)
def test_packed_arrays_round_trip() -> None:
    from ntmgis.outputs.webmap.packed import Numbers, Ragged, pack_int_list, pack_numbered, unpack

    rng = np.random.default_rng(7)
    coords = Ragged(rng.integers(-10**7, 10**7, 40), [np.array([2, 0, 1]), np.array([1, 2, 1]),
                                                     np.array([10, 10, 12, 8])], "c")
    assert unpack(coords.pack(), "c") == coords.tolist()
    assert coords[0][1][0] == coords.tolist()[0][1][0] and coords[1] == []
    # coordinates are delta-encoded along the layer: neighbouring lines cost little
    near = Ragged(np.tile([10_250_000, 2_210_000, 3, -4], 500), [np.full(500, 4)], "c")
    assert len(near.pack()) < 500 * 4 * 2
    amounts = Numbers(np.array([19_868.4, 0.0, np.nan, 0.1, 1_234.6, -5.0]), 1, width=3)
    by_row = Numbers(np.tile([143.0, 17.0, 2676.0], 200), 1, width=3)  # a fixed split
    assert unpack(by_row.pack(), "n") == by_row.tolist()
    assert unpack(amounts.pack(), "n") == [[19_868.4, 0, None], [0.1, 1_234.6, -5]]
    for v in ([0, 0, 1, 5, 5, 9] * 20, [[2], [2, 5], []] * 30, [1, None, 3] * 30):
        p = pack_int_list(v)
        assert p is not None and unpack(p.pack(), "n" if isinstance(p, Numbers) else p.kind) == v
    assert pack_int_list(["a"] * 100) is None and pack_int_list([True] * 100) is None
    prefix, width, numbers = pack_numbered([f"DA{i:06d}" for i in range(1, 101)])
    assert (prefix, width) == ("DA", 6) and numbers.tolist() == list(range(1, 101))
    assert pack_numbered(["x1", "x22"] * 40) is None
    # whole numbers are written without the decimals they were given (the same numbers back)
    whole = Numbers(np.array([1200.0, 30.0, np.nan, -7.0] * 30), 1, width=4)
    assert unpack(whole.pack(), "n") == whole.tolist() == [[1200, 30, None, -7]] * 30
    assert len(whole.pack()) < len(Numbers(whole.values + 0.1, 1, width=4).pack())
    # sorted indexes as deltas, years drawn apart as they are: whichever deflates smaller
    years = rng.integers(2021, 2026, 5000).tolist()
    assert pack_int_list(years).kind == "a" and unpack(pack_int_list(years).pack(), "a") == years
    index = np.sort(rng.integers(0, 10**6, 5000)).tolist()
    assert pack_int_list(index).kind == "d" and unpack(pack_int_list(index).pack(), "d") == index


def test_lines_are_packed_as_second_differences_where_smaller() -> None:
    """A smooth line's steps are stored less the step before; points are not."""
    from ntmgis.outputs.webmap.packed import Ragged, unpack, unvarint_planes

    rng = np.random.default_rng(3)
    lines, lens = [], []
    for _ in range(300):  # curving lines: each step turns a little from the last one
        n = int(rng.integers(1, 40))
        angle = np.cumsum(rng.normal(0, 0.15, n)) + rng.uniform(0, 7)
        step = np.column_stack([np.cos(angle), np.sin(angle)]) * rng.uniform(300, 900)
        pts = np.round(np.cumsum(step, axis=0)).astype(np.int64) + rng.integers(-10**6, 10**6, 2)
        d = pts.copy()
        d[1:] -= pts[:-1]
        lines.append(d.reshape(-1))
        lens.append(2 * n)
    smooth = Ragged(np.concatenate(lines), [np.array(lens)], "c")
    points = Ragged(rng.integers(-500, 500, 2000), [], "c")
    for r, second in ((smooth, True), (points, False)):
        blob = r.pack()
        assert (int(unvarint_planes(blob)[0][0]) >> 3 == 1) is second
        assert unpack(blob, "c") == r.tolist()
    # against the plain layer deltas (what was packed before)
    plain = smooth._pack(smooth._layer_deltas(), 0)
    assert len(zlib.compress(smooth.pack())) < 0.97 * len(zlib.compress(plain))
    # lists of one and two pairs, and empty ones, between longer ones
    odd = Ragged(rng.integers(-99, 99, 24), [np.array([2, 0, 4, 6, 0, 12])], "c")
    second = odd._pack(odd._second_differences(odd._layer_deltas()), 1)
    assert unpack(second, "c") == odd.tolist()


def test_text7_round_trips_without_markup() -> None:
    import os

    from ntmgis.outputs.webmap.text7 import clean_cut, decode7, encode7

    for n in (*range(0, 30), 1001, 100_003):
        data = os.urandom(n)
        text = encode7(data)
        assert not set("<>&\0\r") & set(text)
        assert decode7(text) == data
        cut = clean_cut(data, n)
        assert encode7(data[:cut]) + encode7(data[cut:]) == text
    worst = bytes([0] * 50 + [60] * 33 + [13, 38, 62] * 20)
    assert decode7(encode7(worst)) == worst
    big = os.urandom(70_000)
    assert len(encode7(big).encode("utf-8")) <= len(big) * 8 // 7 + 2


def test_text123_round_trips_as_ascii_without_markup() -> None:
    import os

    from ntmgis.outputs.webmap.text123 import clean_cut, decode123, encode123

    for n in (*range(0, 30), 1001, 100_003):
        data = os.urandom(n)
        text = encode123(data)
        assert text.isascii() and not set("<>&\0\r") & set(text)
        assert decode123(text) == data
        # 6 bytes in 7 characters, a last group of m bytes in m + 1
        assert len(text) == n // 6 * 7 + (n % 6 + 1 if n % 6 else 0)
        cut = clean_cut(data, n - 1)
        assert encode123(data[:cut]) + encode123(data[cut:]) == text
    for worst in (bytes([255] * 60), bytes([0] * 60), bytes([60, 13, 38, 62] * 20)):
        assert decode123(encode123(worst)) == worst
    with pytest.raises(ValueError):
        decode123("abc<def")


def test_long_names_are_lazy_json_texts_that_read_back() -> None:
    """Long lists and strings leave the record's JSON (kind j) and read back the same."""
    from ntmgis.outputs.webmap.page import _records, read_records

    names = [f"Xã Tân Phước {i}" for i in range(3000)]
    data = {"communes": {"name": names, "k": 3, "st": {"2025": {"b": "A" * 20_000}}},
            "small": ["a", "b"]}
    stream = b"".join(rec for _, rec in _records(data, {}, frozenset()))
    # the record's JSON keeps a reference (kind j), not the names
    first_json = stream[4:4 + int.from_bytes(stream[:4], "little")]
    assert b"Ph\xc6\xb0\xe1\xbb\x9bc" not in first_json and b'"j"]' in first_json
    assert read_records(stream) == data


def test_lines_on_arcs_round_trip() -> None:
    from shapely.geometry import box

    from ntmgis.outputs.webmap.encode import (
        encode_lines,
        encode_polygon_arcs,
        lines_from_arcs,
        lines_on_arcs,
    )
    from ntmgis.outputs.webmap.packed import unpack

    a = box(102.0, 22.0, 102.1, 22.1)
    b = Polygon([(102.1, 22.0), (102.2, 22.0), (102.2, 22.1), (102.15, 22.12), (102.1, 22.1)])
    c = Polygon([(102.0, 21.9), (102.2, 21.9), (102.2, 22.0), (102.1, 22.0), (102.0, 22.0)])
    geoms = shapely.segmentize(np.array([a, b, c], dtype=object), 0.005)
    arcs, _feats = encode_polygon_arcs(geoms)
    outline = shapely.coverage_union_all(geoms[:2]).exterior
    stray = LineString([(0, 0), (1, 1)])  # on no arc: kept as it is
    lines = encode_lines(np.array([shapely.multilinestrings(
        [outline, geoms[2].exterior, stray])], dtype=object))[0]
    on = lines_on_arcs(lines, arcs)
    assert len(on.values) < len(lines.values) / 10
    assert lines_from_arcs(unpack(on.pack(), "i"), arcs.tolist()) == lines.tolist()


@pytest.fixture(scope="module")
def small_country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 irregular synthetic communes, maps written compressed (as a country's)."""
    import sys

    import ntmgis.outputs.webmap.page as page_mod
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.webmap import render_maps

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    folder = tmp_path_factory.mktemp("irregular") / "country-120"
    synth.make_country(120, folder, shape="irregular")
    ws = load_workspace(folder)
    build(ws, overwrite=True)
    mp = pytest.MonkeyPatch()
    mp.setattr(page_mod, "COMPRESS_MIN_BYTES", 0)
    # most lists and strings as JSON texts read when first used (a country's names are)
    mp.setattr(page_mod, "LAZY_MIN_CHARS", 200)
    # the block in many pieces (a country's is in about 10)
    mp.setattr(page_mod, "GZ_PIECE_CHARS", 7 * 2**10)
    try:
        paths = render_maps(ws, overwrite=True, level_of_detail=True)
    finally:
        mp.undo()
    return paths[0]


def test_references_round_trip(small_country: Path) -> None:
    from ntmgis.outputs.webmap.page import GZ_TYPE, assemble_page, read_data_block

    text = small_country.read_text(encoding="utf-8")
    assert f'type="{GZ_TYPE}"' in text
    data = read_data_block(text)
    # project names spell out their village, commune and district: stored by reference
    names = data["projects"]["name"]
    assert any(data["communes"]["name"][c][1:] in n
               for n, c in zip(names, data["projects"]["commune"], strict=True))
    assert not any(m in n for n in names for m in "\x01\x02\x03\x04\x05\x06")
    assert "geom" in data["glines"] and "ga" not in data["glines"]
    again = assemble_page(data, title="x", lang="vi", compress=True)
    assert read_data_block(again) == data
    plain = assemble_page(data, title="x", lang="vi", compress=False)
    assert len(again.encode()) < 0.6 * len(plain.encode())


def test_compressed_page_carries_its_code_compressed(small_country: Path) -> None:
    """The libraries, map script and styles of a compressed page are the plain page's."""
    from ntmgis.outputs.webmap.page import CODE_TYPE, _app, _libraries, read_code

    text = small_country.read_text(encoding="utf-8")
    css, libs, app = read_code(text)
    assert (css, libs, app) == (f"{_libraries()[0]}\n{_app()[0]}", _libraries()[1], _app()[1])
    code = text[text.index(f'type="{CODE_TYPE}">'):]
    code = code[:code.index("</script>")]
    assert len(code) < 0.4 * (len(css) + len(libs) + len(app))
    # nothing of it is written as it is: one small boot script, then the data block's pieces
    assert "markerClusterGroup" not in text and "<style" not in text
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert max(len(s) for s in scripts) < 12_000 and "ntmgisBoot" in scripts[0]


@pytest.mark.browser
def test_browser_reads_what_python_reads(small_country: Path, open_page: object) -> None:
    from ntmgis.outputs.webmap.page import read_data_block

    data = read_data_block(small_country.read_text(encoding="utf-8"))
    page, errors, failed = open_page(small_country)
    got = page.evaluate("""() => {
        function plain(v) {
            if (ArrayBuffer.isView(v)) return Array.from(v);
            if (Array.isArray(v)) return v.map(plain);
            if (v && typeof v === 'object') {
                const o = {};
                for (const k of Object.keys(v)) o[k] = plain(v[k]);
                return o;
            }
            return v;
        }
        const D = window.ntmgis.data;
        return plain({communes: D.communes, glines: D.glines, admin: D.admin, cstat: D.cstat,
                      villages: D.villages, plines: D.plines, roads: D.roads.geom,
                      facilities: D.facilities.xy, fnames: D.facilities.name,
                      projects: D.projects});
    }""")
    for key in ("communes", "glines", "admin", "villages", "plines", "cstat"):
        assert got[key] == data[key], key
    assert got["roads"] == data["roads"]["geom"]
    assert got["facilities"] == data["facilities"]["xy"]
    assert got["fnames"] == data["facilities"]["name"]
    for key, value in data["projects"].items():
        if key not in ("cat", "status"):  # enumerations: decoded by app.js
            assert got["projects"][key] == value, key
    assert errors == [] and failed == []


@pytest.mark.browser
def test_group_lines_drawn_as_leaflet_draws_them(small_country: Path, open_page: object) -> None:
    """The district lines (GroupLines, from the arcs) give Leaflet's own path at each zoom."""
    page, errors, failed = open_page(small_country)
    got = page.evaluate("""() => {
        const map = window.ntmgis.map, D = window.ntmgis.data, S = 100000;
        let g = null;
        map.eachLayer(l => { if (l.options && l.options.className === 'ntm-glines') g = l; });
        const lines = D.glines.geom.map(f => {
            const out = []; let x = 0, y = 0;
            for (let i = 0; i < f.length; i += 2) {
                x += f[i]; y += f[i + 1]; out.push(L.latLng(y / S, x / S));
            }
            return out;
        });
        const ref = L.polyline(lines, Object.assign({}, g.options, {className: 'ref'})).addTo(map);
        const same = [];
        const key = l => JSON.stringify(l._parts.map(p => p.map(q => [q.x, q.y])));
        for (const z of [map.getZoom(), map.getZoom() + 1.75, map.getZoom() + 4]) {
            map.setZoom(z, {animate: false});
            same.push([key(g) === key(ref), g._parts.length, key(g).length]);
        }
        same.push([g.getBounds().equals(ref.getBounds()), 0, 0]);
        ref.remove();
        return same;
    }""")
    assert all(ok for ok, _, _ in got), got
    assert got[0][1] > 0 and got[0][2] > 100
    assert errors == [] and failed == []


@pytest.mark.browser
def test_compressed_pieces_inflate_without_a_worker(small_country: Path,
                                                    open_page: object) -> None:
    """A browser that cannot start the worker inflates the pieces itself: the same map."""
    text = small_country.read_text(encoding="utf-8")
    # the block comes in pieces after the map script, each handed over by the script after it
    assert text.count("<script>ntmgisFeed()</script>") >= 3
    assert text.index("ntmgisFeed(true)") > text.index('id="ntmgis-data"')
    counts = []
    # no worker; one that cannot be made; one that fails once started
    broken = ("window.Worker = (function (W) { return function () { return new W("
              "URL.createObjectURL(new Blob(['throw 1']))); }; })(window.Worker);")
    for init in (None, "window.Worker = function () { throw new Error('no workers'); };",
                 "delete window.Worker;", broken):
        page, errors, failed = open_page(small_country, init_script=init)
        counts.append(page.evaluate("JSON.stringify(window.ntmgis.counts)"))
        assert errors == [] and failed == [], init
    assert len(set(counts)) == 1 and '"communes"' in counts[0]


@pytest.mark.browser
def test_xss_name_in_a_compressed_page_shows_as_text(tmp_path: Path, open_page: object,
                                                     build_sample: object, xss: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A name read from a lazy JSON text of a compressed block is still only text."""
    import ntmgis.outputs.webmap.page as page_mod
    from ntmgis.outputs.webmap import render_maps

    ws = build_sample(tmp_path / "ws", project_name=xss)
    monkeypatch.setattr(page_mod, "COMPRESS_MIN_BYTES", 0)
    monkeypatch.setattr(page_mod, "LAZY_MIN_CHARS", 50)
    paths = render_maps(ws, overwrite=True)
    assert f'type="{page_mod.GZ_TYPE}"' in paths[0].read_text(encoding="utf-8")
    page, errors, failed = open_page(paths[0])
    browser.check_name_is_text(page, xss, errors, failed)
