"""The programme above the commune and on the maps (issue 14).

``--group-by`` on ``build`` and ``report`` (and ``[area] group_by``), the group lines on
the web maps, the roadmap's milestones on the maps, ``map --office``.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import browser
import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.monitoring.gpkg import layers_criteria_set, read_layers, summary_groups

# the shared headless-Chromium fixtures (tests/browser.py)
chromium_browser = browser.chromium_browser
open_page = browser.open_page


@pytest.fixture
def province_copy(province, tmp_path):
    """A private copy of the built province workspace (tests here write into it)."""
    ws, _ = province
    return shutil.copytree(ws.root, tmp_path / "lai_chau")


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_group_by_a_cluster_column(province_copy):
    r = _run("report", "-w", str(province_copy), "--group-by", "cluster", "--overwrite")
    assert r.exit_code == 0, r.output
    groups = pd.read_csv(province_copy / "reports" / "groups.csv", encoding="utf-8-sig",
                         dtype={"group_code": str})
    assert list(groups["group_name"]) == ["Cụm A", "Cụm B", "Toàn tỉnh Lai Châu"]
    assert groups["communes_total"].iloc[:2].sum() == groups["communes_total"].iloc[-1] == 13
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    # a cluster is not a district: the neutral heading, unless the user names one
    assert "Kết quả theo nhóm xã năm 2025" in md and "| Nhóm xã |" in md
    r = _run("report", "-w", str(province_copy), "--group-by", "cluster",
             "--group-label", "Cụm xã", "--overwrite")
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert r.exit_code == 0 and "Kết quả theo cụm xã năm 2025" in md


def test_build_group_by_and_the_workspace_key(province_copy):
    r = _run("build", "-w", str(province_copy), "--group-by", "cluster", "--overwrite")
    assert r.exit_code == 0, r.output
    from ntmgis.core.workspace import load_workspace

    layers = read_layers(load_workspace(province_copy))
    assert sorted(set(summary_groups(layers.district_overview)["group_name"])) == [
        "Cụm A", "Cụm B"]
    # the communes carry the user's grouping so that the maps can draw it
    assert sorted(set(layers.communes["group_code"])) == ["Cụm A", "Cụm B"]
    # the same from the workspace file
    toml = province_copy / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "[area]\n", '[area]\ngroup_by = "cluster"\ngroup_label = "Cụm xã"\n', 1)
    toml.write_text(text, encoding="utf-8")
    r = _run("report", "-w", str(province_copy), "--overwrite")
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert r.exit_code == 0 and "| Cụm A |" in md and "Kết quả theo cụm xã" in md


@pytest.mark.parametrize("lang,words", [("vi", "lớp xã không có cột này"),
                                        ("en", "the communes layer has no such column")])
def test_unknown_group_column_is_a_clear_error(province_copy, lang, words):
    for cmd in ("build", "report"):
        r = _run(cmd, "-w", str(province_copy), "--group-by", "cum_xa", "--lang", lang,
                 "--overwrite")
        assert r.exit_code == 2, r.output
        assert "cum_xa" in r.output and words in r.output and "Traceback" not in r.output
        assert "_row" not in r.output  # internal columns are not offered


# --------------------------------------------------------------- milestones on the maps
@pytest.fixture(scope="module")
def sample_maps(tmp_path_factory, build_sample):
    """The sample built in a private copy, with its maps in Vietnamese and English."""
    from ntmgis.outputs.webmap import render_maps

    ws = build_sample(tmp_path_factory.mktemp("maps") / "muong_te")
    vi = render_maps(ws, overwrite=True)
    en_ws = build_sample(tmp_path_factory.mktemp("maps_en") / "muong_te")
    en = render_maps(en_ws, overwrite=True, lang="en")
    return ws, read_layers(ws), vi, en


def _data(path):
    from ntmgis.outputs.webmap.page import read_data_block

    return read_data_block(path.read_text(encoding="utf-8"))


def test_criterion_1_is_late_in_2023_on_its_map(sample_maps):
    ws, layers, vi, en = sample_maps
    tc01 = next(p for p in vi if p.name == "tc01.html")
    summary = _data(tc01)["summary"]
    # the plan: "năm 2023 … 100% quy hoạch chung"; the sample has 9 of 13 that year
    assert summary["2023"].endswith("Lộ trình đến 2023: 13/13 xã – Chậm tiến độ (đạt 9/13)")
    assert "Lộ trình đến 2022: 3/13 xã – Đúng tiến độ" in summary["2022"]
    assert "Đạt muộn" in summary["2025"]
    overview = _data(vi[0])["summary"]
    assert overview["2023"].endswith("Chậm so với lộ trình: tiêu chí 1")
    assert "lộ trình" not in overview["2021"]
    en_sum = _data(next(p for p in en if p.name == "tc01.html"))["summary"]
    assert en_sum["2023"].endswith("Roadmap to 2023: 13/13 communes – Late (9/13 met)")


def test_the_late_communes_are_those_not_meeting_it(sample_maps):
    ws, layers, vi, _ = sample_maps
    d = _data(vi[0])
    late = d["milestones"]["late"]["2023"]
    codes = d["communes"]["code"]
    with_1 = {codes[int(i)] for i, crits in late.items() if 1 in crits}
    st = layers.commune_status
    st = st[(st["year"] == 2023).to_numpy()]
    assert with_1 == set(st.loc[(st["tc01"] == 0).to_numpy(), "code"]) and len(with_1) == 4
    assert "2021" not in late or not any(1 in c for c in late["2021"].values())


def test_no_roadmap_no_milestones(tmp_path, build_sample):
    from ntmgis.outputs.webmap import render_maps

    ws = build_sample(tmp_path / "ws")
    toml = ws.config_path
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '[tables.roadmap]', '[tables.unused_roadmap]').replace(
        'path = "layers/roadmap.csv"\n', '').replace('[tables.unused_roadmap]\n', ''),
        encoding="utf-8")
    from ntmgis.core.workspace import load_workspace

    paths = render_maps(load_workspace(ws.root), overwrite=True)
    d = _data(paths[1])
    assert "milestones" not in d and "Lộ trình" not in d["summary"]["2023"]


@pytest.mark.browser
def test_commune_card_says_which_criteria_are_late(sample_maps, open_page):
    ws, layers, vi, _ = sample_maps
    tc01 = next(p for p in vi if p.name == "tc01.html")
    page, errors, failed = open_page(tc01)
    page.select_option(".ntm-year-select", "2023")
    assert page.locator(".ntm-summary").text_content().endswith("Chậm tiến độ (đạt 9/13)")
    late = page.evaluate("window.ntmgis.data.milestones.late['2023']")
    i = int(next(k for k, v in late.items() if 1 in v))
    pt = page.evaluate(f"window.ntmgis.communePoint({i})")
    page.locator(f"path.ntm-commune-{i}").dispatch_event(
        "click", {"clientX": pt["x"], "clientY": pt["y"], "bubbles": True})
    line = page.locator(".ntm-scorecard .ntm-late")
    line.wait_for()
    assert line.text_content().startswith("Chậm so với lộ trình: tiêu chí 1")
    assert line.get_attribute("data-late").split(",")[0] == "1"
    page.evaluate("window.ntmgis.map.closePopup(); 0")
    # Leaflet fades a closed popup out before it leaves the page (200 ms)
    page.locator(".ntm-scorecard").wait_for(state="detached")
    page.select_option(".ntm-year-select", "2021")  # not yet due in 2021: no line
    page.locator(f"path.ntm-commune-{i}").dispatch_event(
        "click", {"clientX": pt["x"], "clientY": pt["y"], "bubbles": True})
    page.locator(".ntm-scorecard").wait_for()
    assert page.locator(".ntm-scorecard .ntm-late").count() == 0
    assert errors == [] and failed == []


@pytest.mark.browser
def test_district_lines_on_a_province_map(province_copy, open_page):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.outputs.webmap import render_maps

    paths = render_maps(load_workspace(province_copy), overwrite=True)
    d = _data(paths[0])
    assert d["glines"]["names"] == ["Huyện Một", "Huyện Hai", "Huyện Ba"]
    page, errors, failed = open_page(paths[0], width=1366)
    assert page.locator("path.ntm-glines").count() == 1
    dash = page.eval_on_selector("path.ntm-glines", "e => e.getAttribute('stroke-dasharray')")
    assert dash and dash.replace(",", " ").split()[:2] == ["10", "4"]
    items = page.evaluate("window.ntmgis.legend")
    assert {"layer": "group_lines", "key": "group", "label": "Ranh giới huyện",
            "count": 3} in items
    assert errors == [] and failed == []


def test_one_district_draws_no_group_lines(sample_maps):
    _, _, vi, _ = sample_maps
    assert "glines" not in _data(vi[0])


def test_cluster_lines_take_the_groups_name(province_copy):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.outputs.webmap import render_maps

    toml = province_copy / "ntmgis.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[area]\n", '[area]\ngroup_by = "cluster"\ngroup_label = "Cụm xã"\n', 1),
        encoding="utf-8")
    assert _run("build", "-w", str(province_copy), "--overwrite").exit_code == 0
    paths = render_maps(load_workspace(province_copy), overwrite=True)
    g = _data(paths[0])["glines"]
    assert g["title"] == "Ranh giới cụm xã" and g["names"] == ["Cụm A", "Cụm B"]


# --------------------------------------------------------------- map --office
def test_map_office_draws_only_its_criteria(sample_maps):
    ws = sample_maps[0]
    r = _run("map", "-w", str(ws.root), "--office", "Phòng Văn hóa - Thông tin")
    assert r.exit_code == 0, r.output
    folder = ws.root / "maps" / "co-quan" / "phong-van-hoa-thong-tin"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    # the sample's (illustrative) table: the office leads or supports criteria 6, 8 and 16
    assert written == ["criteria/tc06.html", "criteria/tc08.html", "criteria/tc16.html",
                       "list.html"]
    d = _data(folder / "criteria" / "tc16.html")
    assert d["title"] == "Tiêu chí 16: Văn hóa · Phòng Văn hóa - Thông tin"
    listing = (folder / "list.html").read_text(encoding="utf-8")
    assert "Cơ quan: Phòng Văn hóa - Thông tin" in listing
    assert listing.count('href="criteria/') == 3 and 'href="index.html"' not in listing
    # by its code too, and the whole set is still there untouched
    r = _run("map", "-w", str(ws.root), "--office", "vhtt", "--overwrite")
    assert r.exit_code == 0 and (ws.root / "maps" / "criteria" / "tc01.html").exists()


@pytest.mark.parametrize("lang,words", [("vi", "không có cơ quan"), ("en", "no office")])
def test_map_unknown_office(sample_maps, lang, words):
    ws = sample_maps[0]
    r = _run("map", "-w", str(ws.root), "--office", "Phòng Không Có", "--lang", lang)
    assert r.exit_code == 2 and words in r.output.lower() and "Traceback" not in r.output
    assert not (ws.root / "maps" / "co-quan" / "phong-khong-co").exists()


def test_names_display_capitalised_on_the_map(sample_maps):
    """Issue 11: the GSO list's "Xã Pa ủ" shows as "Xã Pa Ủ"; the code stays the key."""
    d = _data(sample_maps[2][0])
    names = dict(zip(d["communes"]["code"], d["communes"]["name"], strict=True))
    assert names["03442"] == "Xã Pa Ủ" and "Xã Pa ủ" not in d["communes"]["name"]
    assert names["03433"] == "Thị trấn Mường Tè"  # the unit word keeps its own case


# --------------------------------------------------------------- map --period
def test_map_period_shows_what_was_known_at_its_end(sample_maps):
    ws, layers, _, _ = sample_maps
    r = _run("map", "-w", str(ws.root), "--period", "2025-Q3")
    assert r.exit_code == 0, r.output
    folder = ws.root / "maps" / "ky" / "2025-Q3"
    assert (folder / "index.html").exists() and (folder / "criteria" / "tc19.html").exists()
    d = _data(folder / "index.html")
    assert d["period"] == {"slot": "2025", "key": "2025-Q3", "label": "Quý III/2025",
                           "end": "2025-09-30", "previous": "Quý II/2025",
                           "reported": "2024-12-31"}
    # yearly data: a year stands for its 31/12, so on 30/09/2025 the latest is 2024's
    assert d["cstat"]["2025"]["m"] == d["cstat"]["2024"]["m"]
    assert d["years"] == [2021, 2022, 2023, 2024, 2025] and d["year"] == 2025
    assert not any(d["cstat"]["2025"]["g"]) and not any(d["cstat"]["2025"]["l"])
    # villages and projects, kept by year: the last year ended
    assert d["villages"]["st"]["2025"] == d["villages"]["st"]["2024"]
    assert d["projects"]["st"]["2025"] == d["projects"]["st"]["2024"]


def test_map_period_a_year_is_the_year(sample_maps):
    ws = sample_maps[0]
    r = _run("map", "-w", str(ws.root), "--period", "2024", "--overwrite")
    assert r.exit_code == 0 and "ky" not in r.output
    d = _data(ws.root / "maps" / "index.html")
    assert d["year"] == 2024 and "period" not in d
    r = _run("map", "-w", str(ws.root), "--period", "2024", "--year", "2024")
    assert r.exit_code == 2 and "--year" in r.output and "--period" in r.output
    r = _run("map", "-w", str(ws.root), "--period", "2025-Q5")
    assert r.exit_code == 2 and "2025-Q3 (quý III)" in r.output


def test_period_layers_take_dated_reports(built_sample):
    """Reports dated within the year: Q3 sees the August report, Q2 does not."""
    from ntmgis.core.periods import parse_period
    from ntmgis.outputs.webmap.period import period_info, period_layers

    ws, layers = built_sample
    cc = pd.DataFrame(layers.commune_criteria).drop(columns="geometry", errors="ignore")
    cc = cc[cc["year"] <= 2024].copy()
    cc["date"] = cc["year"].astype(str) + "-12-31"
    code = "03436"
    was = cc[(cc["code"] == code) & (cc["year"] == 2024) & (cc["met"] == 0)]
    crit = int(was["criterion"].iloc[0])
    extra = pd.DataFrame({"code": [code], "year": [2025], "criterion": [crit], "met": [1],
                          "date": ["2025-08-15"]})
    cc = pd.concat([cc, extra], ignore_index=True).drop(columns="year")
    dated = replace(layers, commune_criteria=cc)
    cset = layers_criteria_set(dated, ws)
    q3, vals = period_layers(dated, cset, parse_period("2025-Q3"))
    row = q3.commune_status[(q3.commune_status["year"] == 2025).to_numpy()
                            & (q3.commune_status["code"] == code).to_numpy()].iloc[0]
    key = cset.get(crit).key
    assert row[key] == 1 and row["gained"] == str(crit) and row["lost"] == ""
    info = period_info(parse_period("2025-Q3"), vals, "vi")
    assert info["reported"] == "2025-08-15"
    q2, _ = period_layers(dated, cset, parse_period("2025-Q2"))
    row2 = q2.commune_status[(q2.commune_status["year"] == 2025).to_numpy()
                             & (q2.commune_status["code"] == code).to_numpy()].iloc[0]
    assert row2[key] == 0 and row2["criteria_met"] == row["criteria_met"] - 1


@pytest.mark.browser
def test_period_map_title_in_the_browser(sample_maps, open_page):
    ws = sample_maps[0]
    folder = ws.root / "maps" / "ky" / "2025-9T"
    assert _run("map", "-w", str(ws.root), "--period", "2025-9T").exit_code == 0
    page, errors, failed = open_page(folder / "criteria" / "tc01.html")
    title = page.locator(".ntm-title").text_content()
    assert "9 tháng năm 2025" in title and "số liệu đến ngày 30/09/2025" in title
    assert "báo cáo gần nhất 31/12/2024" in title
    opts = page.eval_on_selector_all(".ntm-year-select option", "os => os.map(o => o.text)")
    assert opts == ["2021", "2022", "2023", "2024", "9 tháng năm 2025"]
    page.select_option(".ntm-year-select", "2023")
    assert "Năm 2023" in page.locator(".ntm-title").text_content()
    assert errors == [] and failed == []


# --------------------------------------------------------------- query gaps by group
def test_query_gaps_summary_per_group(province_copy, tmp_path):
    out = tmp_path / "gaps.csv"
    r = _run("query", "gaps", "-w", str(province_copy), "--year", "2025", "--summary-csv",
             str(out))
    assert r.exit_code == 0, r.output
    s = pd.read_csv(out, encoding="utf-8-sig", dtype={"group_code": str})
    total = s[s["group_code"].isna()]
    groups = s[s["group_code"].notna()]
    assert list(groups["group_code"].unique()) == ["901", "902", "903"]
    assert len(total) == 19 and len(groups) == 3 * 19  # every group, gaps or not
    per = groups.groupby("criterion")[["gaps", "unaddressed"]].sum()
    assert (per.to_numpy() == total.set_index("criterion")[["gaps", "unaddressed"]]
            .loc[per.index].to_numpy()).all()
    r = _run("query", "gaps", "-w", str(province_copy), "--year", "2025", "--group-by",
             "cluster", "--summary-csv", str(out), "--overwrite")
    assert r.exit_code == 2 and "build --group-by cluster" in r.output  # built by district


def test_query_gaps_one_district_has_no_group_columns(built_sample):
    from ntmgis.analysis.gaps import gap_summary, gaps

    ws, _ = built_sample
    rows = gaps(ws, year=2025)
    assert "group_code" not in rows and "group_code" not in gap_summary(rows)


def test_province_map_names_the_area_once(province_copy):
    from ntmgis.core.workspace import load_workspace
    from ntmgis.outputs.webmap import render_maps

    paths = render_maps(load_workspace(province_copy), overwrite=True)
    d = _data(paths[0])
    assert d["area"] == "Tỉnh Lai Châu" and d["province"] == ""
    listing = paths[-1].read_text(encoding="utf-8")
    assert "Tỉnh Lai Châu, Tỉnh Lai Châu" not in listing and "<p>Tỉnh Lai Châu · " in listing


@pytest.mark.parametrize("args", [
    ("map", "--indicator", "10", "--office", "VHTT"),
    ("map", "--indicator", "10", "--period", "2025-Q3"),
    ("query", "gaps", "--indicator", "10", "--group-by", "cluster"),
])
def test_options_an_indicator_map_or_query_would_ignore_are_refused(sample_maps, args):
    ws = sample_maps[0]
    r = _run(*args, "-w", str(ws.root))
    assert r.exit_code == 2 and "--indicator không dùng cùng" in r.output
