"""The map of one indicator's value against its threshold (``ntmgis map --indicator``)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import browser
import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.errors import DataError, OptionError, OutputExistsError
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.build import build
from ntmgis.monitoring.gpkg import read_layer
from ntmgis.outputs.webmap.indicator_map import (
    FAIL_COLORS,
    NO_DATA_COLOR,
    PASS_COLORS,
    classify,
    write_indicator_map,
)
from ntmgis.outputs.webmap.page import read_data_block

chromium_browser = browser.chromium_browser
open_page = browser.open_page

DATA = Path(__file__).resolve().parent / "data" / "indicators"
THRESHOLD_VI = "Ngưỡng ≥ 45 triệu đồng/người/năm"
UNIT = " triệu đồng/người/năm"


def _workspace(root: Path, values: str = "values_mini.csv", *, extra: str = "",
               names: dict[str, str] | None = None):
    """The mini workspace with the test criteria set and ``values`` (as tests/test_indicators.py).

    The mini workspace's tables of the 19 criteria (status, projects, plan) are left
    out: the test set has criteria 10, 11 and 17 only, and the map needs none of them.
    ``names`` renames communes (by code).
    """
    for f in DATA.iterdir():
        shutil.copy(f, root)
    cfg = (root / "ntmgis.toml").read_text("utf-8")
    for table in ("commune_status", "projects", "plan_targets", "plan_funding"):
        cfg = re.sub(rf'\[tables\.{table}\]\npath = "[^"]+"\n(form = "wide"\n)?', "", cfg)
    if names:
        gj = json.loads((root / "communes.geojson").read_text("utf-8"))
        for feat in gj["features"]:
            p = feat["properties"]
            p["ten_xa"] = names.get(p["ma_xa"], p["ten_xa"])
        (root / "communes.geojson").write_text(json.dumps(gj, ensure_ascii=False), "utf-8")
    cfg += f'\n[criteria]\ncommune_set = "set.toml"\n{extra}\n'
    cfg += f'\n[tables.indicator_values]\npath = "{values}"\nform = "long"\n'
    (root / "ntmgis.toml").write_text(cfg, "utf-8")
    return load_workspace(root)


@pytest.fixture
def built(mini_ws, xss):
    """Built, with 1.234,5 for Xã Hai in 2024 and a name that would run a script."""
    text = (DATA / "values_mini.csv").read_text("utf-8")
    (mini_ws / "values_map.csv").write_text(text + '00002,2024,10,"1.234,5",\n', "utf-8")
    ws = _workspace(mini_ws, "values_map.csv", names={"00003": f"Xã Ba {xss}"})
    build(ws)
    return ws


def _data(path: Path) -> dict:
    return read_data_block(path.read_text("utf-8"))


# -- the file ------------------------------------------------------------------------

def test_the_map_is_one_offline_file_with_threshold_and_vietnamese_numbers(built, xss):
    path = write_indicator_map(built, "10")
    assert path == built.maps_dir / "indicator_10_2025.html" and path.is_file()
    text = path.read_text("utf-8")
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", text, flags=re.S)
    assert markup.count("<script") == 0
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text)
    assert xss not in text and "<img" not in text  # escaped inside the data block
    assert write_indicator_map(built, "10", overwrite=True).read_text("utf-8") == text
    d = _data(path)
    assert d["title"] == ("Chỉ tiêu 10: Thu nhập bình quân đầu người khu vực nông thôn "
                          "– năm 2025")
    assert THRESHOLD_VI in d["subtitle"] and "Đạt: 1/2 xã có số liệu" in d["subtitle"]
    assert "gần ngưỡng nhất: Xã Hai (còn thiếu 1 triệu đồng/người/năm)" in d["subtitle"]
    assert "Nguồn: " in d["subtitle"] and "thử, vùng A, từ 2024" in d["subtitle"]
    assert "minh họa" not in d["subtitle"]
    (rl,) = d["result_layers"]
    assert rl["name"] == THRESHOLD_VI
    cats = {k: (lab, col) for k, lab, col in rl["cats"]}
    got = {t.split(":")[0]: cats[rl["cats"][c][0]] for t, c in
           zip(rl["title"], rl["cat_of"], strict=True)}
    # 44 fails, 46 passes: one class on each side of 45, Xã Ba without a value
    assert got["Xã Hai"] == (f"dưới 45{UNIT} (chưa đạt)", FAIL_COLORS[1][0])
    assert got["Xã Một"] == (f"từ 45{UNIT} trở lên (đạt)", PASS_COLORS[1][0])
    assert got[f"Xã Ba {xss}"] == ("Không có số liệu", NO_DATA_COLOR)
    row = dict(zip(rl["fields"], rl["rows"][rl["title"].index(
        "Xã Hai: 44 triệu đồng/người/năm")], strict=True))
    assert row == {"Mã xã": "00002", "Năm": "2025", "Giá trị": "44 triệu đồng/người/năm",
                   "Ngưỡng": "≥ 45 triệu đồng/người/năm", "Kết quả": "Chưa đạt",
                   "Khoảng cách đến ngưỡng": "còn thiếu 1 triệu đồng/người/năm",
                   "Nhóm/vùng áp ngưỡng": "Vùng A", "Nguồn ngưỡng": "thử, vùng A, từ 2024"}


def test_earlier_year_and_thousands(built):
    d = _data(write_indicator_map(built, "10", year=2024))
    assert d["title"].endswith("– năm 2024")
    rl = d["result_layers"][0]
    assert "Xã Hai: 1.234,5 triệu đồng/người/năm" in rl["title"]
    assert "Xã Một: 38,5 triệu đồng/người/năm" in rl["title"]
    labels = [c[1] for c in rl["cats"]]
    # distances 6,5 short and 1.189,5 over: classes of 500 a side
    assert labels == [f"dưới 45{UNIT} (chưa đạt)", f"từ 1.045{UNIT} trở lên (đạt)",
                      "Không có số liệu"]
    row = dict(zip(rl["fields"], rl["rows"][rl["title"].index(
        "Xã Hai: 1.234,5 triệu đồng/người/năm")], strict=True))
    assert row["Khoảng cách đến ngưỡng"] == "vượt 1.189,5 triệu đồng/người/năm"


def test_at_most_indicator_in_english(built):
    d = _data(write_indicator_map(built, "11", lang="en"))
    assert d["title"] == "Indicator 11: Multidimensional poverty rate – 2025"
    rl = d["result_layers"][0]
    assert rl["name"] == "Threshold ≤ 13%"
    assert [c[1] for c in rl["cats"]] == ["over 11% to 13% (met)", "9% or less (met)", "No data"]
    assert "Met: 2 of 2 communes with values" in d["subtitle"]
    assert rl["fields"][:5] == ["Commune code", "Year", "Value", "Threshold", "Result"]


def test_thresholds_by_region_classify_by_distance(mini_ws):
    ws = _workspace(mini_ws)
    build(ws)
    # Xã Hai in region B (>= 60): the layer as a communes layer with a group column
    # gives it (the row is rewritten here so that only the map is under test).
    st = read_layer(ws.output_gpkg, "indicator_status", geometry=False)
    row = (st["code"] == "00002") & (st["year"] == 2025) & (st["indicator"] == "10")
    st.loc[row, ["class", "threshold", "requirement", "threshold_source", "met", "distance"]] = [
        "vung_b", 60.0, "≥60", "thử, vùng B", 0, 16.0]
    pyogrio.write_dataframe(st, ws.output_gpkg, layer="indicator_status", driver="GPKG",
                            layer_options={"OVERWRITE": "YES"})
    d = _data(write_indicator_map(ws, "10"))
    rl = d["result_layers"][0]
    assert rl["name"] == ("Theo khoảng cách đến ngưỡng của từng xã; "
                          "ngưỡng: Vùng A ≥ 45 triệu đồng/người/năm; "
                          "Vùng B ≥ 60 triệu đồng/người/năm")
    by_name = {t.split(":")[0]: rl["cats"][c][1] for t, c in
               zip(rl["title"], rl["cat_of"], strict=True)}
    # 44 against 60 is 16 short, 46 against 45 is 1 over: classes of 10, one met
    assert by_name == {"Xã Hai": f"còn thiếu trên 10{UNIT}", "Xã Một": "Đạt",
                       "Xã Ba": "Không có số liệu"}
    assert "Ngưỡng ≥" not in d["subtitle"] and "gần ngưỡng nhất: Xã Hai" in d["subtitle"]


def test_values_without_a_threshold_are_graded_alone(mini_ws):
    text = (DATA / "values_mini.csv").read_text("utf-8")
    text = text.replace("00001,2025,17.1,,Đạt", "00001,2025,17.1,80,Đạt").replace(
        "00003,2025,17.1,,Đạt", "00003,2025,17.1,95,Đạt")
    (mini_ws / "values_plain.csv").write_text(text, "utf-8")
    ws = _workspace(mini_ws, "values_plain.csv")
    build(ws)
    d = _data(write_indicator_map(ws, "17.1"))  # the set has no threshold for 17.1
    rl = d["result_layers"][0]
    assert rl["name"] == "Giá trị (chưa có ngưỡng để so sánh)"
    by_name = {t.split(":")[0]: rl["cats"][c][1] for t, c in
               zip(rl["title"], rl["cat_of"], strict=True)}
    assert by_name == {"Xã Một": "từ 80% đến dưới 85%", "Xã Ba": "từ 95% trở lên",
                       "Xã Hai": "Không có số liệu"}
    row = dict(zip(rl["fields"], rl["rows"][0], strict=True))
    assert (row["Giá trị"], row["Ngưỡng"], row["Kết quả"]) == ("80%", "", "Đạt")
    assert "Ngưỡng" not in d["subtitle"] and "Đạt:" not in d["subtitle"]


def test_illustrative_workspace_says_so(mini_ws):
    ws = _workspace(mini_ws, extra='village_set_name = "Bộ tiêu chí bản (minh họa)"')
    build(ws)
    assert "Số liệu minh họa" in _data(write_indicator_map(ws, "10"))["subtitle"]
    assert "Illustrative data" in _data(write_indicator_map(
        ws, "10", lang="en", path=ws.maps_dir / "en.html"))["subtitle"]


def test_classes_split_exactly_at_the_threshold():
    classes, idx = classify(np.array([0.0, 1e-12, 0.5, 5.0, 5.0001, 12.0, -0.5, -2.0, -3.0]),
                            scale=45)
    # a third of the largest distance (4) made round: 5
    assert [(c.side, c.lo, c.hi) for c in classes] == [
        ("fail", 10, np.inf), ("fail", 5, 10), ("fail", 0, 5), ("pass", 0, np.inf)]
    # 0 is met; (0, 5] is the nearest failing class; 12 is in the open one
    assert idx.tolist() == [3, 3, 2, 2, 1, 0, 3, 3, 3]
    assert [c.color for c in classes] == [*FAIL_COLORS[3], PASS_COLORS[1][0]]
    # never finer than a tenth of the threshold's order: 1 for 45, however close
    classes, idx = classify(np.array([0.2, -0.1]), scale=45)
    assert [(c.lo, c.hi) for c in classes] == [(0, np.inf), (0, np.inf)]
    assert idx.tolist() == [0, 1]


# -- errors and the command line -----------------------------------------------------

def test_yes_no_unknown_and_empty_indicators_are_clear_errors(built):
    with pytest.raises(OptionError, match=r"17\.2.*10 \(2023–2025\); 11 \(2025\)"):
        write_indicator_map(built, "17.2")
    with pytest.raises(OptionError, match=r"'99'.*10 \(2023–2025\); 11 \(2025\)"):
        write_indicator_map(built, "99")
    with pytest.raises(DataError, match=r"'17\.1'.*10 \(2023–2025\)"):
        write_indicator_map(built, "17.1")  # numeric, but no value at all
    with pytest.raises(OptionError, match="2023–2025"):
        write_indicator_map(built, "10", year=2030)


def test_no_indicator_values_is_a_data_error(mini_ws):
    ws = _workspace(mini_ws)
    text = (mini_ws / "ntmgis.toml").read_text("utf-8").split("[tables.indicator_values]")[0]
    (mini_ws / "ntmgis.toml").write_text(text, "utf-8")
    ws = load_workspace(mini_ws)
    build(ws)
    with pytest.raises(DataError, match="indicator_values"):
        write_indicator_map(ws, "10")


def test_cli_map_indicator(built):
    runner = CliRunner()
    args = ["map", "-w", str(built.root), "--indicator", "10"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "indicator_10_2025.html" in res.output
    res = runner.invoke(main, args)
    assert res.exit_code == 4 and "--overwrite" in res.output
    with pytest.raises(OutputExistsError):
        write_indicator_map(built, "10")
    res = runner.invoke(main, [*args, "--overwrite", "--year", "2024", "--lang", "en"])
    assert res.exit_code == 0 and "indicator_10_2024.html" in res.output
    # wrong usage (exit 2): a yes/no indicator, an unknown one, a year without values
    for bad, said in ((["--indicator", "17.2"], "10 (2023–2025); 11 (2025)"),
                      (["--indicator", "99"], "10 (2023–2025); 11 (2025)"),
                      (["--indicator", "10", "--year", "2030"], "2023–2025")):
        res = runner.invoke(main, ["map", "-w", str(built.root), *bad])
        assert res.exit_code == 2, res.output
        assert said in res.output and "Traceback" not in res.output
    # no value at all for a numeric indicator: the data (exit 1)
    res = runner.invoke(main, ["map", "-w", str(built.root), "--indicator", "17.1"])
    assert res.exit_code == 1 and "17.1" in res.output


# -- in a real browser -----------------------------------------------------------------

@pytest.fixture(autouse=True)
def _browser_required(request):
    """Where CI sets NTMGIS_REQUIRE_BROWSER=1, a missing Chromium or Playwright fails."""
    if "open_page" not in request.fixturenames or \
            os.environ.get("NTMGIS_REQUIRE_BROWSER") != "1":
        return
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("Playwright required (NTMGIS_REQUIRE_BROWSER=1) but not installed")
    if not (Path(browser.CHROMIUM).exists() or shutil.which(browser.CHROMIUM)):
        pytest.fail(f"Chromium required (NTMGIS_REQUIRE_BROWSER=1), not found: {browser.CHROMIUM}")


def _center(page, i: int) -> tuple[float, float]:
    box = page.locator("path.ntm-result-0").nth(i).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_map_in_chromium(built, open_page, lang, xss):
    path = write_indicator_map(built, "10", lang=lang)
    page, errors, failed = open_page(path)
    assert page.evaluate("window.ntmgis.counts.result0") == 3
    assert page.locator("path.ntm-result-0").count() == 3
    title = page.locator(".ntm-title h1").text_content()
    assert title.startswith("Chỉ tiêu 10: Thu nhập" if lang == "vi" else "Indicator 10: Rural")
    threshold = THRESHOLD_VI if lang == "vi" else "Threshold ≥ 45 triệu đồng/người/năm"
    assert threshold in page.locator(".ntm-legend").text_content()
    legend = {i["label"]: i["count"] for i in page.evaluate("window.ntmgis.legend")}
    unmet, met, nodata = ((f"dưới 45{UNIT} (chưa đạt)", f"từ 45{UNIT} trở lên (đạt)",
                           "Không có số liệu") if lang == "vi" else
                          (f"under 45{UNIT} (not met)", f"45{UNIT} or more (met)", "No data"))
    assert legend[unmet] == 1 and legend[met] == 1 and legend[nodata] == 1
    fills = page.eval_on_selector_all("path.ntm-result-0",
                                      "els => els.map(e => e.getAttribute('fill'))")
    assert fills == [PASS_COLORS[1][0], FAIL_COLORS[1][0], NO_DATA_COLOR]  # by code
    # hovering a commune names it with its value; clicking shows value and threshold
    x, y = _center(page, 1)
    page.mouse.move(x, y)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5_000)
    assert tip.text_content() == "Xã Hai: 44 triệu đồng/người/năm"
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.text_content()
    assert "44 triệu đồng/người/năm" in text and "≥ 45 triệu đồng/người/năm" in text
    assert ("còn thiếu 1 triệu đồng/người/năm" if lang == "vi" else
            "1 triệu đồng/người/năm short") in text
    assert ("Chưa đạt" if lang == "vi" else "Not met") in text
    assert "thử, vùng A, từ 2024" in text
    # the name that would run a script is only text
    x, y = _center(page, 2)
    page.mouse.click(x, y)
    page.locator(".leaflet-popup-content h3", has_text="onerror").wait_for(timeout=5_000)
    assert page.locator(".leaflet-popup img").count() == 0
    assert errors == [] and failed == []
