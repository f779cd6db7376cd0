"""The web map of a large area: compressed data block, level of detail, lazy layers.

A synthetic country of 150 communes (``benchmarks/synth.py``) with level of
detail forced on and the data block compressed whatever its size, so that
the path taken at national scale is tested in a few seconds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import browser
import pytest

import ntmgis.outputs.webmap.page as page_mod
from ntmgis.outputs.webmap import render_maps
from ntmgis.outputs.webmap.page import read_data_block

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

chromium_browser = browser.chromium_browser
open_page = browser.open_page

GZ_BLOCK = re.compile(r'<script id="ntmgis-data" type="application/x-ntmgis-gz123">(.*?)</script>',
                      re.S)


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """150 synthetic communes built, their layers, and maps with compressed data."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.gpkg import read_layers

    folder = tmp_path_factory.mktemp("national") / "country-150"
    synth.make_country(150, folder)
    ws = load_workspace(folder)
    build(ws, overwrite=True)
    layers = read_layers(ws)
    mp = pytest.MonkeyPatch()
    mp.setattr(page_mod, "COMPRESS_MIN_BYTES", 0)
    try:
        paths = render_maps(ws, layers=layers, overwrite=True, level_of_detail=True)
    finally:
        mp.undo()
    return ws, layers, paths


def test_compressed_block_round_trips_and_is_deterministic(country: tuple,
                                                           tmp_path: Path) -> None:
    ws, layers, paths = country
    text = paths[0].read_text(encoding="utf-8")
    block = GZ_BLOCK.search(text)
    assert block is not None, "the data block is not compressed"
    # nothing in the ASCII text can end the <script> element or start markup
    assert block.group(1).isascii() and not set("<>&") & set(block.group(1))
    data = read_data_block(text)
    assert len(data["communes"]["code"]) == len(layers.communes)
    assert len(data["villages"]["code"]) == len(layers.villages)
    assert sorted(data["projects"]["id"]) == sorted(layers.projects["project_id"])
    # the same data written plain gives the same model
    plain = page_mod.assemble_page(data, title="x", lang="vi", compress=False)
    assert read_data_block(plain) == data
    # compressed again (cache of shared parts or not): the same bytes
    again = [page_mod.assemble_page(data, title="x", lang="vi", compress=True)
             for _ in range(2)]
    assert again[0] == again[1] and read_data_block(again[0]) == data
    cache: dict = {}
    cached = [page_mod.assemble_page(data, title="x", lang="vi", compress=True, cache=cache,
                                     shared=set(data) - {"projects"}) for _ in range(2)]
    assert cached[0] == cached[1] and read_data_block(cached[0]) == data
    json_block = re.search(r'type="application/json">(.*?)</script>', plain, re.S).group(1)
    assert len(block.group(1)) < 0.5 * len(json_block.encode())
    # a second run of render_maps writes the same bytes
    import dataclasses

    ws2 = dataclasses.replace(ws, maps_dir=tmp_path / "maps") \
        if dataclasses.is_dataclass(ws) else ws
    mp = pytest.MonkeyPatch()
    mp.setattr(page_mod, "COMPRESS_MIN_BYTES", 0)
    try:
        paths2 = render_maps(ws2, layers=layers, overwrite=True, level_of_detail=True)
    finally:
        mp.undo()
    for a, b in zip(paths, paths2, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def _check_view(page: object) -> dict[str, int]:
    """Every commune (label point), village, project and facility in the view is built."""
    res = page.evaluate("""() => {
        const N = window.ntmgis, D = N.data, b = N.map.getBounds(), S = 100000;
        function inView(flat) {
            let x = 0, y = 0; const out = [];
            for (let i = 0; i < flat.length; i += 2) {
                x += flat[i]; y += flat[i + 1];
                if (b.contains([y / S, x / S])) out.push(i / 2);
            }
            return out;
        }
        return {communes: [inView(D.communes.lab), N.built('communes')],
                villages: [inView(D.villages.xy), N.built('villages')],
                projects: [inView(D.projects.xy), N.built('projects')],
                facilities: [inView(D.facilities.xy), N.built('facilities')]};
    }""")
    out = {}
    for name, (inside, built) in res.items():
        assert inside, f"no {name} in the view"
        assert set(inside) <= set(built), name
        out[name] = len(built)
    return out


@pytest.mark.browser
def test_compressed_map_renders_offline(country: tuple, open_page: object) -> None:
    ws, layers, paths = country
    page, errors, failed = open_page(paths[0])
    # the browser inflated the same data as Python reads
    data = read_data_block(paths[0].read_text(encoding="utf-8"))
    assert page.evaluate("window.ntmgis.data.communes.code") == data["communes"]["code"]
    assert page.evaluate("window.ntmgis.data.projects.name") == data["projects"]["name"]
    # opens on the largest units; nothing finer built yet
    level = page.evaluate("window.ntmgis.level()")
    assert level in ("province", "district")
    col = "province_code" if level == "province" else "district_code"
    assert page.locator(f"path.ntm-unit-{level}").count() == layers.communes[col].nunique()
    counts = page.evaluate("window.ntmgis.counts")
    assert counts["communes"] == 0 and counts["villages"] == 0 and counts["projects"] == 0
    assert counts["project_lines"] == 0
    assert page.locator(".ntm-facility").count() == 0
    # zoomed in to the communes: communes, villages, projects, project lines and roads
    zoom = page.evaluate("window.ntmgis.data.admin.zoom")
    # (a statement, not the map: Playwright would serialise the whole map object)
    page.evaluate(f"window.ntmgis.map.setZoom({zoom['commune'] + 0.5}, {{animate: false}}); 0")
    assert page.evaluate("window.ntmgis.level()") == "commune"
    # communes first (issue 11): their names, no village dot or cluster over them yet
    counts = page.evaluate("window.ntmgis.counts")
    assert counts["communes"] > 0 and counts["villages"] == 0 and counts["projects"] == 0
    assert page.locator(".ntm-label:not(.ntm-label-hidden)").count() > 0
    # one zoom further, communes, villages, projects and facilities are built around the
    # view: every one in it
    page.evaluate(f"window.ntmgis.map.setZoom({zoom['commune'] + 1.5}, {{animate: false}}); 0")
    page.locator('input[data-layer="facilities"]').check()
    seen = _check_view(page)
    # elsewhere: more are built as the map moves there
    south_west = page.evaluate("window.ntmgis.data.bounds[0]")
    page.evaluate(f"window.ntmgis.map.panTo({south_west}, {{animate: false}}); 0")
    after = _check_view(page)
    for name in ("communes", "villages", "projects", "facilities"):
        assert after[name] >= seen[name]
    counts = page.evaluate("window.ntmgis.counts")
    assert 0 < counts["communes"] <= len(layers.communes)
    assert page.locator("path.ntm-commune").count() == counts["communes"]
    assert 0 < counts["villages"] <= len(layers.villages)
    assert 0 < counts["projects"] <= len(layers.projects)
    assert 0 < counts["project_lines"] <= len(layers.project_lines)
    n_roads = page.evaluate("""() => { let n = 0;
        window.ntmgis.map.eachLayer(l => { if (l.options && l.options.pane === 'roads'
            && l.getLatLngs) n += 1; }); return n; }""")
    assert n_roads == len(page.evaluate("window.ntmgis.built('roads')")) > 0
    # the legends count every feature of the area, built or not
    legend = {(i["layer"], i["key"]): i["count"] for i in page.evaluate("window.ntmgis.legend")}
    assert sum(v for (lay, _k), v in legend.items() if lay == "villages") == len(layers.villages)
    lines_by_status = sum(v for (lay, _k), v in legend.items() if lay == "project_lines")
    assert lines_by_status == len(layers.project_lines)
    # search (index built on the first search) finds a project and opens its card
    pr = layers.projects.sort_values("project_id").iloc[3]
    page.fill(".ntm-search input", pr["name"])
    page.locator(".ntm-results li", has_text=pr["name"]).first.click()
    card = page.locator(".ntm-projectcard")
    card.wait_for()
    assert pr["project_id"] in card.text_content()
    assert errors == [] and failed == []


@pytest.mark.browser
def test_compressed_map_without_decompression_says_so(country: tuple,
                                                      chromium_browser: object) -> None:
    ws, layers, paths = country
    context = chromium_browser.new_context(service_workers="block")
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:", "blob:", "about:")) else r.abort())
        context.add_init_script("delete window.DecompressionStream;")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(paths[0].resolve().as_uri(), wait_until="load")
        msg = page.locator("#map .ntm-error")
        msg.wait_for()
        assert "Chrome 80" in msg.text_content()
        assert msg.text_content().startswith("Trình duyệt")
        assert page.evaluate("window.ntmgis === undefined")
        assert errors == []
    finally:
        context.close()
