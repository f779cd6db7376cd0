"""The maps in real headless Chromium with the network off."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import browser
import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from ntmgis.core.criteria import commune_class
from ntmgis.core.i18n import fmt_money, fmt_number
from ntmgis.outputs.webmap import ResultLayer, render_maps, render_result_map

pytestmark = pytest.mark.browser
# the shared headless-Chromium fixtures (tests/browser.py)
chromium_browser = browser.chromium_browser
open_page = browser.open_page

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, build_sample: object) -> tuple:
    """The sample workspace built, its layers, and its maps in Vietnamese."""
    from ntmgis.monitoring.gpkg import read_layers

    ws = build_sample(tmp_path_factory.mktemp("ws"))
    paths = render_maps(ws, overwrite=True)
    return ws, read_layers(ws), paths


def _legend(page: object) -> dict[tuple[str, str], int]:
    items = page.evaluate("window.ntmgis.legend")
    dom = page.eval_on_selector_all(
        ".ntm-legend-item",
        "els => els.map(e => [e.dataset.layer, e.dataset.key, e.dataset.count,"
        " e.querySelector('.ntm-legend-count').textContent])")
    # the drawn legend is the same as the exposed one, and its numbers are formatted
    assert [(d[0], d[1], int(d[2])) for d in dom] == [(i["layer"], i["key"], i["count"])
                                                      for i in items]
    assert all(d[3] == fmt_number(int(d[2])) for d in dom)
    return {(i["layer"], i["key"]): i["count"] for i in items}


def _settle(page: object) -> None:
    """Wait until the map has stopped moving.

    Leaflet starts a zoom animation on the next animation frame, so two frames
    go by first; then no zoom or pan animation may be running.
    """
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function("""() => { const m = window.ntmgis.map;
        return !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress); }""",
                           timeout=10_000)


def _fills(page: object) -> list[str]:
    return page.eval_on_selector_all("path.ntm-commune",
                                     "els => els.map(e => e.getAttribute('fill'))")


def _status(layers: object, year: int) -> object:
    st = layers.commune_status
    return st[st["year"] == year]


def test_overview_draws_every_feature_offline(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    counts = page.evaluate("window.ntmgis.counts")
    n_projects = int((layers.projects.geometry.notna() & ~layers.projects.geometry.is_empty).sum())
    assert counts["communes"] == len(layers.communes)
    assert counts["villages"] == len(layers.villages)
    assert counts["projects"] == n_projects
    assert counts["project_lines"] == len(layers.project_lines)
    # what is in the DOM: one SVG path per commune, one circle per village
    assert page.locator("path.ntm-commune").count() == len(layers.communes)
    assert page.locator("path.ntm-village").count() == len(layers.villages)
    # every project is either a visible marker or inside a visible cluster
    drawn = page.evaluate("""() => {
        const L = window.L; let n = 0;
        window.ntmgis.map.eachLayer(l => {
            if (l instanceof L.MarkerCluster) n += l.getChildCount();
            else if (l instanceof L.Marker && l.options.icon.options.className === 'ntm-project'
                     && !(l.__parent && l.__parent._zoom >= 0 && l.__parent._icon)) n += 1;
        });
        return n; }""")
    assert drawn == n_projects
    assert page.locator(".ntm-title h1").text_content() == "Bản đồ tổng quan nông thôn mới"
    assert "31/12/2025" in page.locator(".ntm-year").text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webmap-overview.png"))
    assert errors == [] and failed == []


def test_legend_matches_layers(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    year = max(ws.years)
    legend = _legend(page)
    st = _status(layers, year)
    classes = Counter(st["band"])
    for key in ("ntm", "15-18", "10-14", "lt10"):
        assert legend[("communes", key)] == classes.get(key, 0), key
    assert legend[("communes", "outside")] == int((~layers.communes["in_programme"]).sum())
    vs = layers.village_status[layers.village_status["year"] == year]
    assert legend[("villages", "1")] == int(vs["ntm"].sum())
    assert legend[("villages", "0")] == len(layers.villages) - int(vs["ntm"].sum())
    # latest year: the derived status is the recorded status
    status = Counter(layers.projects["status"])
    for key in ("preparing", "under_way", "finished"):
        assert legend[("projects", key)] == status.get(key, 0)
    cats = Counter(layers.projects["category"])
    for cat, n in cats.items():
        assert legend[("projects", f"cat:{cat}")] == n
    # size by capital: symbols differ in size and the legend says how
    assert len(set(page.evaluate("window.ntmgis.projectSizes()"))) == 1
    page.check('input[data-option="size"]')
    assert len(set(page.evaluate("window.ntmgis.projectSizes()"))) > 1
    top = fmt_money(round(float(layers.projects["cap_total"].max()), 3))
    assert top in page.locator(".ntm-legend-note").text_content()
    # hiding a layer removes its legend section
    page.uncheck('input[data-layer="villages"]')
    assert ("villages", "1") not in _legend(page)
    assert page.locator("path.ntm-village").count() == 0
    assert errors == [] and failed == []


def test_year_switch_recolours(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    first = min(ws.years)
    assert page.evaluate("window.ntmgis.state.year") == str(max(ws.years))
    before = _fills(page)
    page.select_option(".ntm-year-select", str(first))
    after = _fills(page)
    assert after != before
    st = _status(layers, first)
    legend = _legend(page)
    expected = Counter(st["band"])
    for key in ("ntm", "15-18", "10-14", "lt10"):
        assert legend[("communes", key)] == expected.get(key, 0)
    # colours follow the class of each commune in that year
    colours = page.evaluate("window.ntmgis.data.styles['class']")
    code_of = page.evaluate("window.ntmgis.data.communes.code")
    cls = dict(zip(st["code"], st["band"], strict=True))
    for code, fill in zip(code_of, after, strict=True):
        if code in cls:
            assert fill == colours[cls[code]]
    assert "Năm " + str(first) in page.locator(".ntm-year").text_content()
    # the title block's figures are the district overview's for that year
    ov = layers.district_overview.set_index("year").loc[first]
    summary = page.locator(".ntm-summary").text_content()
    assert f"{int(ov['ntm_communes'])}/{int(ov['communes_total'])}" in summary
    assert fmt_number(float(ov["avg_criteria"]), "vi", 2) in summary
    # projects not started yet in the first year are shown as preparing
    started = layers.projects["year_start"].astype(float) <= first
    assert legend[("projects", "preparing")] >= int((~started).sum())
    # every project symbol takes the colour of its status in that year
    status_colours = page.evaluate("window.ntmgis.data.styles.status")
    fills = page.evaluate("window.ntmgis.projectFills()")
    pr = layers.projects.sort_values("project_id")
    rank = {"preparing": 0, "under_way": 1, "finished": 2}
    names = list(rank)
    for (_, p), fill in zip(pr.iterrows(), fills, strict=True):
        by_year = 0 if first < p["year_start"] else (2 if first >= p["year_end"] else 1)
        assert fill == status_colours[names[min(rank[p["status"]], by_year)]]
    assert errors == [] and failed == []


def test_change_view(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    year = max(ws.years)
    page.check('input[name="ntm-view"][value="change"]')
    legend = _legend(page)
    st = _status(layers, year)
    g = st["gained"].fillna("").astype(str) != ""
    lo = st["lost"].fillna("").astype(str) != ""
    assert legend[("communes", "gained")] == int((g & ~lo).sum())
    assert legend[("communes", "lost")] == int((lo & ~g).sum())
    assert legend[("communes", "both")] == int((g & lo).sum())
    assert legend[("communes", "none")] == int((~g & ~lo).sum())
    page.select_option(".ntm-year-select", str(min(ws.years)))
    legend = _legend(page)
    assert legend[("communes", "first")] == len(st)
    assert errors == [] and failed == []


def test_commune_scorecard(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    year = max(ws.years)
    st = _status(layers, year).set_index("code")
    codes = page.evaluate("window.ntmgis.data.communes.code")
    checked = 0
    for i, code in enumerate(codes):
        if code not in st.index:
            continue
        pt = page.evaluate(f"window.ntmgis.communePoint({i})")
        page.locator(f"path.ntm-commune-{i}").dispatch_event(
            "click", {"clientX": pt["x"], "clientY": pt["y"], "bubbles": True})
        card = page.locator(f'.ntm-scorecard[data-commune="{code}"]')
        card.wait_for()
        met = int(st.loc[code, "criteria_met"])
        assert card.locator(".ntm-count").text_content() == f"{met}/19"
        assert card.locator("tr.is-met").count() == met
        assert card.locator("tr.ntm-group").count() == 5
        n_proj = int((layers.projects["commune_code"] == code).sum())
        assert f": {n_proj}" in card.locator("h4").text_content()
        if n_proj:
            total = layers.projects.loc[layers.projects["commune_code"] == code, "cap_total"].sum()
            shown = card.locator(".ntm-funding-total").text_content()
            assert shown == fmt_money(round(float(total), 3), "vi")
        page.evaluate("window.ntmgis.map.closePopup(); 0")
        checked += 1
        if checked == 3:
            break
    assert checked == 3
    # the popups' pan animations end before a point is looked for under the mouse
    page.wait_for_function("""() => { const m = window.ntmgis.map;
        return !document.querySelector('.leaflet-popup') && !m._animatingZoom
            && !(m._panAnim && m._panAnim._inProgress); }""")
    # and with the real mouse: a point of the commune's own polygon (not under a marker)
    i = next(i for i, c in enumerate(codes) if c in st.index)
    pt = page.evaluate(f"""() => {{
        const p = window.ntmgis.communePoint({i});
        for (let r = 0; r < 60; r += 4) for (let a = 0; a < 6.3; a += 0.5) {{
            const x = p.x + r * Math.cos(a), y = p.y + r * Math.sin(a);
            const el = document.elementFromPoint(x, y);
            if (el && el.classList.contains('ntm-commune-{i}')) return {{x, y}};
        }}
        return null; }}""")
    assert pt is not None
    page.mouse.click(pt["x"], pt["y"])
    card = page.locator(f'.ntm-scorecard[data-commune="{codes[i]}"]')
    card.wait_for()
    met = int(st.loc[codes[i], "criteria_met"])
    assert card.locator(".ntm-count").text_content() == f"{met}/19"
    assert errors == [] and failed == []


def test_criterion_map(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[5])  # criteria/tc05.html
    assert paths[5].name == "tc05.html"
    year = max(ws.years)
    st = _status(layers, year)
    legend = _legend(page)
    assert legend[("communes", "met")] == int((st["tc05"] == 1).sum())
    assert legend[("communes", "notmet")] == int((st["tc05"] == 0).sum())
    serving = layers.projects["criteria"].astype(str).map(
        lambda s: 5 in [int(x) for x in s.split(";") if x.strip().isdigit()])
    assert page.evaluate("window.ntmgis.counts.projects") == int(serving.sum())
    met = int((st["tc05"] == 1).sum())
    assert f"{met}/{len(st)}" in page.locator(".ntm-summary").text_content()
    # communes are coloured by tc05 alone
    met_colours = page.evaluate("window.ntmgis.data.styles.met")
    codes = page.evaluate("window.ntmgis.data.communes.code")
    tc05 = dict(zip(st["code"], st["tc05"], strict=True))
    for code, fill in zip(codes, _fills(page), strict=True):
        if code in tc05:
            assert fill == met_colours[str(int(tc05[code]))]
    assert errors == [] and failed == []


def test_search_and_project_card(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0])
    page.fill(".ntm-search input", "muong te")  # without accents
    hits = page.locator(".ntm-results li")
    assert hits.count() >= 1
    assert any("Mường Tè" in t for t in hits.all_text_contents())
    # a commune found opens its scorecard, a village its card, and they stay open
    commune = layers.communes.sort_values("code").iloc[1]
    page.fill(".ntm-search input", commune["name"])
    page.locator(".ntm-results li", has_text=commune["name"]).first.click()
    code = commune["code"]
    scorecard = page.locator(f'.ntm-scorecard[data-commune="{code}"]')
    scorecard.wait_for()
    _settle(page)
    assert scorecard.count() == 1
    village = layers.villages.sort_values("code").iloc[0]
    page.fill(".ntm-search input", village["name"])
    page.locator(".ntm-results li", has_text=village["name"]).first.click()
    page.locator(".ntm-villagecard h3").wait_for()
    _settle(page)
    assert page.locator(".ntm-villagecard h3").text_content() == village["name"]
    page.evaluate("window.ntmgis.map.closePopup(); 0")
    pr = layers.projects.sort_values("project_id").iloc[0]
    page.fill(".ntm-search input", pr["name"][:20])
    page.locator(".ntm-results li", has_text=pr["name"][:20]).first.click()
    card = page.locator(".ntm-projectcard")
    card.wait_for()
    assert card.locator(".ntm-project-name").text_content() == pr["name"]
    assert pr["project_id"] in card.text_content()
    assert pr["commune_name"] in card.text_content()
    with_village = layers.projects[layers.projects["village_name"].fillna("") != ""]
    if len(with_village):
        pv = with_village.sort_values("project_id").iloc[0]
        page.evaluate("window.ntmgis.map.closePopup(); 0")
        # Leaflet fades a closed popup out before it leaves the page (200 ms)
        page.locator(".ntm-projectcard").wait_for(state="detached")
        page.fill(".ntm-search input", pv["name"][:20])
        page.locator(".ntm-results li", has_text=pv["name"][:20]).first.click()
        page.locator(".ntm-projectcard").wait_for()
        assert pv["village_name"] in page.locator(".ntm-projectcard").text_content()
    assert errors == [] and failed == []


def test_xss_name_shows_as_text(tmp_path: Path, open_page: object, build_sample: object,
                                xss: str) -> None:
    ws = build_sample(tmp_path / "ws", project_name=xss)
    paths = render_maps(ws, overwrite=True)
    page, errors, failed = open_page(paths[0])
    browser.check_name_is_text(page, xss, errors, failed)


def test_english_map(tmp_path: Path, open_page: object, build_sample: object) -> None:
    ws = build_sample(tmp_path / "ws")
    paths = render_maps(ws, overwrite=True, lang="en", year=2023)
    page, errors, failed = open_page(paths[0])
    assert page.evaluate("window.ntmgis.state.year") == "2023"
    labels = page.locator(".ntm-legend-label").all_text_contents()
    assert "Recognised NTM (19 criteria)" in labels
    assert page.locator(".ntm-title h1").text_content() == "New rural development overview map"
    # an earlier year is that year's data, not the workspace's data date (issue 11)
    assert page.locator(".ntm-year").text_content() == "Year 2023 · Data for 2023"
    page.evaluate("window.ntmgis.setYear(2025)")
    assert "2025-12-31" in page.locator(".ntm-year").text_content()
    assert errors == [] and failed == []


def test_result_map_in_browser(tmp_path: Path, open_page: object) -> None:
    pts = gpd.GeoDataFrame({"name": ["A", "B", "C"], "gap": ["x", "y", "x"]},
                           geometry=[Point(480_000 + i * 900, 2_475_000) for i in range(3)],
                           crs=9205)
    polys = gpd.GeoDataFrame({"name": ["P"]}, geometry=[box(478_000, 2_473_000, 484_000,
                                                             2_478_000)], crs=9205)
    lines = gpd.GeoDataFrame({"name": ["R"]}, geometry=[LineString([(478_000, 2_473_000),
                                                                    (484_000, 2_478_000)])],
                             crs=9205)
    out = render_result_map([ResultLayer(polys, "Vùng"), ResultLayer(lines, "Đường"),
                             ResultLayer(pts, "Điểm", category="gap",
                                         labels={"x": "Thiếu", "y": "Đủ"})],
                            tmp_path / "r.html", title="Thử", lang="vi")
    page, errors, failed = open_page(out)
    counts = page.evaluate("window.ntmgis.counts")
    assert (counts["result0"], counts["result1"], counts["result2"]) == (1, 1, 3)
    legend = _legend(page)
    assert legend[("result2", "x")] == 2 and legend[("result2", "y")] == 1
    assert page.locator("path.ntm-result").count() == 5
    assert errors == [] and failed == []


def test_minimal_layers_render(tmp_path: Path, open_page: object) -> None:
    """Missing parts (no DEM, villages, lines, facilities, roads, targets, project years
    and criteria; communes in lon/lat) still make a map."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    communes = gpd.GeoDataFrame(
        {"code": ["00002", "00001"], "name": ["Xã Hai", "Xã <b>Một</b>"],
         "in_programme": [True, True]},
        geometry=[box(480_000, 2_470_000, 485_000, 2_475_000),
                  box(475_000, 2_470_000, 480_000, 2_475_000)], crs=9205).to_crs(4326)
    rows = []
    for year, met in ((2024, 1.0), (2025, np.nan)):
        for code in ("00001", "00002"):
            r = {"code": code, "year": year, "band": "15-18", "gained": "", "lost": ""}
            r.update({f"tc{n:02d}": (met if n == 5 else 1.0) for n in range(1, 20)})
            rows.append(r)
    status = pd.DataFrame(rows)
    projects = gpd.GeoDataFrame(
        {"project_id": ["P2", "P1"], "name": ["Đường <script>", "Trường"],
         "category": ["road", "unknown_kind"], "commune_code": ["00001", "99999"],
         "status": ["under_way", "finished"], "cap_central": [1.5, np.nan]},
        geometry=[Point(477_000, 2_472_000), None], crs=9205)
    layers = SimpleNamespace(communes=communes, commune_status=status, villages=None,
                             village_status=None, projects=projects, project_lines=None,
                             facilities=None, roads=None, plan_targets=None)
    ws = SimpleNamespace(name="Huyện Thử", province="Tỉnh Thử", data_date="2025-06-30",
                         years=(2024, 2025), plan_year=2025, maps_dir=tmp_path / "maps",
                         elevation=None, output_gpkg=tmp_path / "none.gpkg",
                         table=lambda name: None)
    paths = render_maps(ws, layers=layers, overwrite=True)
    page, errors, failed = open_page(paths[0])
    assert page.evaluate("window.ntmgis.counts") == {
        "communes": 2, "villages": 0, "projects": 1, "project_lines": 0, "facilities": 0,
        "roads": 0}
    legend = _legend(page)
    assert legend[("communes", "15-18")] == 2
    page.select_option(".ntm-year-select", "2024")
    assert _legend(page)[("communes", "15-18")] == 2
    page.locator("path.ntm-commune-0").dispatch_event("click", {"bubbles": True})
    assert page.locator(".ntm-scorecard h3").text_content() == "Xã <b>Một</b>"
    page.evaluate("window.ntmgis.map.closePopup(); 0")
    page, errors2, failed2 = open_page(paths[5])  # tc05: unknown in 2025
    assert _legend(page)[("communes", "nodata")] == 2
    assert errors == errors2 == [] and failed == failed2 == []


def test_small_screen_folds_panels(sample: tuple, open_page: object) -> None:
    ws, layers, paths = sample
    page, errors, failed = open_page(paths[0], width=400, height=700)
    legend = page.locator(".ntm-legend")
    assert "ntm-collapsed" in legend.get_attribute("class")
    assert not page.locator(".ntm-legend-item").first.is_visible()
    page.locator(".ntm-legend .ntm-panel-head").click()
    assert page.locator(".ntm-legend-item").first.is_visible()
    assert not page.locator(".ntm-year-select").is_visible()
    page.locator(".ntm-layers .ntm-panel-head").click()
    assert page.locator(".ntm-year-select").is_visible()
    assert errors == [] and failed == []


def _grid_layers(n: int = 8, size: float = 5_000.0) -> tuple:
    """n x n square communes in 2 provinces of 2 districts, with villages and projects."""
    from types import SimpleNamespace

    import pandas as pd

    rows, cols = np.divmod(np.arange(n * n), n)
    codes = [f"{i:05d}" for i in range(n * n)]
    x0, y0 = 440_000.0, 2_440_000.0
    communes = gpd.GeoDataFrame({
        "code": codes, "name": [f"Xã {i}" for i in range(n * n)],
        "in_programme": True,
        "district_code": [f"d{r // (n // 2)}{c // (n // 2)}" for r, c in zip(rows, cols,
                                                                          strict=True)],
        "district_name": [f"Huyện {r // (n // 2)}{c // (n // 2)}" for r, c in zip(rows, cols,
                                                                                strict=True)],
        "province_code": [f"p{c // (n // 2)}" for c in cols],
        "province_name": [f"Tỉnh {c // (n // 2)}" for c in cols],
    }, geometry=[box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
                 for r, c in zip(rows, cols, strict=True)], crs=9205)
    status = []
    for year in (2024, 2025):
        for i, code in enumerate(codes):
            met = 8 + (i * 7 + year) % 12  # 8 .. 19 criteria
            row = {"code": code, "year": year, "gained": "2" if (i + year) % 5 == 0 else "",
                   "lost": "", "band": commune_class(met)}
            row.update({f"tc{k:02d}": 1.0 if k <= met else 0.0 for k in range(1, 20)})
            status.append(row)
    centres = communes.geometry.centroid
    villages = gpd.GeoDataFrame({"code": [c + "01" for c in codes],
                                 "name": [f"Bản {i}" for i in range(n * n)],
                                 "commune_code": codes}, geometry=centres.values, crs=9205)
    vstatus = pd.DataFrame([{"code": c + "01", "year": y, "vc01": 1, "vc02": (i % 3 == 0) * 1}
                            for y in (2024, 2025) for i, c in enumerate(codes)])
    projects = gpd.GeoDataFrame({
        "project_id": [f"P{i:03d}" for i in range(n * n)],
        "name": [f"Dự án {i}" for i in range(n * n)], "category": "road",
        "commune_code": codes, "criteria": "2", "year_start": 2024, "year_end": 2025,
        "status": "finished", "cap_central": 10.0},
        geometry=centres.translate(300, 300).values, crs=9205)
    layers = SimpleNamespace(communes=communes, commune_status=pd.DataFrame(status),
                             villages=villages, village_status=vstatus, projects=projects,
                             project_lines=None, facilities=None, roads=None,
                             plan_targets=None)
    return layers


def test_level_of_detail(tmp_path: Path, open_page: object) -> None:
    from types import SimpleNamespace

    layers = _grid_layers()
    ws = SimpleNamespace(name="Vùng thử", province="", data_date="2025-12-31",
                         years=(2024, 2025), plan_year=2025, maps_dir=tmp_path / "maps",
                         elevation=None, output_gpkg=tmp_path / "none.gpkg",
                         table=lambda name: None)
    paths = render_maps(ws, layers=layers, overwrite=True, level_of_detail=True)
    page, errors, failed = open_page(paths[0])
    zoom = page.evaluate("window.ntmgis.data.admin.zoom")
    st = layers.commune_status[layers.commune_status["year"] == 2025]
    st = st.merge(layers.communes[["code", "district_code", "province_code"]], on="code")

    def expect(level_col: str) -> Counter:
        # a unit's class is the share of its communes that are NTM (issue 11: the
        # average number of criteria met gave every province nearly the same colour)
        met = st[[f"tc{k:02d}" for k in range(1, 20)]].sum(axis=1)
        share = (met == 19).groupby(st[level_col]).mean()
        return Counter("share75" if x >= 0.75 else "share50" if x >= 0.5 else
                       "share25" if x >= 0.25 else "share0" for x in share)

    for level, col, z in (("province", "province_code", zoom["district"] - 1),
                          ("district", "district_code", (zoom["district"] + zoom["commune"]) / 2)):
        page.evaluate(f"window.ntmgis.map.setZoom({z}, {{animate: false}}); 0")
        assert page.evaluate("window.ntmgis.level()") == level
        n_units = st[col].nunique()
        assert page.locator(f"path.ntm-unit-{level}").count() == n_units
        assert page.locator("path.ntm-commune").count() == 0
        legend = _legend(page)
        assert {k: v for (lay, k), v in legend.items() if lay == "communes" and v} == \
            dict(expect(col))
        # villages and projects wait for the communes' zoom
        assert ("villages", "0") not in legend and ("projects", "finished") not in legend
        assert page.locator(".ntm-legend-note").count() == 1
    # a district's card
    page.locator("path.ntm-unit-district-0").dispatch_event("click", {"bubbles": True})
    card = page.locator(".ntm-unitcard")
    card.wait_for()
    first = sorted(st["district_code"].unique())[0]
    sub = st[st["district_code"] == first]
    ntm = int((sub[[f"tc{k:02d}" for k in range(1, 20)]].sum(axis=1) == 19).sum())
    assert card.locator(".ntm-unit-ntm").text_content() == str(ntm)
    page.evaluate("window.ntmgis.map.closePopup(); 0")
    # zoomed in: communes first, with their names (issue 11), no villages or projects yet
    page.evaluate(f"window.ntmgis.map.setZoom({zoom['commune'] + 0.5}, {{animate: false}}); 0")
    assert page.evaluate("window.ntmgis.level()") == "commune"
    assert page.locator("path.ntm-commune").count() == len(layers.communes)
    legend = _legend(page)
    assert ("villages", "0") not in legend and ("projects", "finished") not in legend
    assert page.locator(".ntm-legend-note").text_content().startswith("Phóng to thêm")
    assert page.locator(".ntm-label").count() == len(layers.communes)
    # one zoom further: villages and projects
    page.evaluate(f"window.ntmgis.map.setZoom({zoom['commune'] + 1.5}, {{animate: false}}); 0")
    page.evaluate(f"window.ntmgis.map.fitBounds(window.ntmgis.data.bounds, "
                  f"{{maxZoom: {zoom['commune'] + 1.5}, animate: false}}); 0")
    legend = _legend(page)
    assert legend[("villages", "1")] + legend[("villages", "0")] == len(layers.villages)
    assert legend[("projects", "finished")] == len(layers.projects)
    assert errors == [] and failed == []
