"""The 2026 sample: 8 merged communes, Decision 51/2025/QĐ-TTg's 10 criteria, end to end.

``ntmgis init --sample-2026`` copies it; build, report, map and appendix then use the
workspace's criteria set (``[criteria] commune_set = "qd51-2025"``) everywhere: ten
status columns, bands from the set's size (``8-9``, ``5-7``, ``lt5``), the set's
criterion names in both languages, and nothing of the 19 criteria of 2021-2025.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ntmgis.core.criteria import load_criteria_set

CODES = ["03433", "03439", "03442", "03445", "03451", "03460", "03463", "03466"]
QD51 = load_criteria_set("qd51-2025")


@pytest.fixture(scope="module")
def built_2026(tmp_path_factory: pytest.TempPathFactory):
    """The 2026 sample copied with ``init_workspace(sample="2026")`` and built once."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.gpkg import read_layers
    from ntmgis.outputs.scaffold import init_workspace

    root = init_workspace(tmp_path_factory.mktemp("s2026") / "muong_te_2026", sample="2026")
    ws = load_workspace(root)
    build(ws)
    return ws, read_layers(ws)


def test_init_copies_the_2026_sample(tmp_path: Path) -> None:
    from ntmgis.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["init", "--sample-2026", str(tmp_path / "ws")])
    assert res.exit_code == 0, res.output
    layers = tmp_path / "ws" / "layers"
    for name in ("communes.geojson", "commune_status.csv", "SOURCES.md", "villages.gpkg"):
        assert (layers / name).is_file(), name
    assert not (layers / "monitoring.gpkg").exists()
    toml = (tmp_path / "ws" / "ntmgis.toml").read_text(encoding="utf-8")
    assert 'commune_set = "qd51-2025"' in toml and 'commune_group = "nhom3"' in toml
    assert "[tables.indicator_values]" not in toml.replace("# No [tables.indicator_values]", "")
    # the two samples are different workspaces: one flag at a time
    res = runner.invoke(main, ["init", "--sample", "--sample-2026", str(tmp_path / "both")])
    assert res.exit_code == 2


def test_the_2026_status_is_illustrative_and_has_ten_criteria() -> None:
    from ntmgis.outputs.scaffold import sample_root

    root = sample_root("2026")
    with open(root / "layers" / "commune_status.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["MaXa"] for r in rows] == CODES
    assert list(rows[0]) == ["MaXa", "TenXa", "Nam", *(f"TC{n}" for n in range(1, 11))]
    assert {r["Nam"] for r in rows} == {"2026"}
    sources = (root / "layers" / "SOURCES.md").read_text(encoding="utf-8")
    assert "illustrative" in sources and "strictly more than half" in sources
    assert "ILLUSTRATIVE" in (root / "ntmgis.toml").read_text(encoding="utf-8")


def test_build_has_ten_criteria_eight_communes_group_3(built_2026) -> None:
    _ws, layers = built_2026
    st = layers.commune_status
    assert list(st["code"]) == CODES  # text, leading zeros kept
    assert all(isinstance(c, str) for c in st["code"])
    tc = [c for c in st.columns if re.fullmatch(r"tc\d\d", c)]
    assert tc == [f"tc{n:02d}" for n in range(1, 11)]
    assert set(st["criteria_total"]) == {10}
    assert (st["criteria_met"] == st[tc].sum(axis=1)).all()
    assert set(st["year"]) == {2026}
    # bands of a set of 10: all met, 8-9, 5-7, below 5
    for met, band in zip(st["criteria_met"], st["band"], strict=True):
        assert band == QD51.band(int(met))
    assert set(st["band"]) <= {"ntm", "8-9", "5-7", "lt5"}
    ds = layers.district_summary
    assert list(ds["criterion"]) == list(range(1, 11))
    assert list(ds["name_vi"]) == [c.name_vi for c in QD51]
    assert list(ds["name_en"]) == [c.name_en for c in QD51]
    assert set(ds["communes_total"]) == {8}
    assert layers.meta("criteria_set") == "qd51-2025"
    assert layers.indicator_status is None  # qd51-2025 records no indicators
    assert list(layers.communes["code"]) == CODES


def test_report_reads_x_of_8(built_2026) -> None:
    from ntmgis.outputs.report import plan_report

    ws, layers = built_2026
    rep = plan_report(ws, layers=layers)
    assert len(rep.criteria) == 10
    assert list(rep.criteria["Tên tiêu chí"]) == [c.name_vi for c in QD51]
    assert all(0 <= int(v) <= 8 for v in rep.criteria["2026"])
    head = dict(zip(rep.headline["Chỉ tiêu"], rep.headline["2026"], strict=True))
    ntm = int(layers.commune_status["ntm"].sum())
    assert head["Xã đạt chuẩn NTM"].startswith(f"{ntm}/8 = ")
    assert "Số xã dưới 5 tiêu chí" in head  # the lowest band of 10, not "dưới 10"
    avg = float(head["Bình quân tiêu chí/xã"].replace(",", "."))
    assert 0 <= avg <= 10
    assert int(head["Tổng số tiêu chí đạt"]) == int(layers.commune_status["criteria_met"].sum())
    assert any("minh họa" in n for n in rep.notes)
    en = plan_report(ws, layers=layers, lang="en")
    assert list(en.criteria["Name"]) == [c.name_en for c in QD51]
    assert "Communes below 5 criteria" in set(en.headline["Indicator"])


def test_cli_report_writes_files(built_2026) -> None:
    from ntmgis.cli import main

    ws, _ = built_2026
    res = CliRunner().invoke(main, ["report", "-w", str(ws.root), "--overwrite"])
    assert res.exit_code == 0, res.output
    md = (ws.reports_dir / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert "Tiếp cận pháp luật và an ninh, quốc phòng" in md and "/8 = " in md
    assert "Quốc phòng và An ninh" not in md  # criterion 19 of 2021-2025


#: The parts of a page's data that are words (the rest is geometry and flags, where any
#: four characters may turn up by chance).
WORDS = ("T", "labels", "criteria", "groups", "title", "summary", "area", "targets")


def _page_texts(maps_dir: Path) -> dict[str, str]:
    """Every map page's markup (without its data block) and the words of its data."""
    from ntmgis.outputs.webmap.page import read_data_block, to_json

    out = {}
    for p in sorted(maps_dir.rglob("*.html")):
        text = p.read_text(encoding="utf-8")
        if p.name != "list.html":
            data = read_data_block(text)
            text = re.sub(r'<script id="ntmgis-data".*?</script>', "", text, flags=re.S)
            text = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", text, flags=re.S)
            text += to_json({k: data.get(k) for k in WORDS})
        out[p.relative_to(maps_dir).as_posix()] = text
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_maps_show_the_ten_criteria(built_2026, lang: str) -> None:
    from ntmgis.outputs.webmap import render_maps
    from ntmgis.outputs.webmap.page import read_data_block

    ws, layers = built_2026
    paths = render_maps(ws, lang=lang, overwrite=True, layers=layers)
    names = [p.relative_to(ws.maps_dir).as_posix() for p in paths]
    assert names == ["index.html", *(f"criteria/tc{n:02d}.html" for n in range(1, 11)),
                     "list.html"]
    data = read_data_block(paths[0].read_text(encoding="utf-8"))
    assert data["criteria"] == [[c.number, c.name(lang), c.group] for c in QD51]
    assert list(data["styles"]["class"]) == ["ntm", "8-9", "5-7", "lt5"]
    assert data["labels"]["class"]["lt5"] == ("Below 5 criteria" if lang == "en"
                                              else "Dưới 5 tiêu chí")
    # the criteria flags of each commune, six to a character: two characters for ten
    assert len(data["cstat"]["2026"]["m"]["b"]) == 8 * 2
    listing = paths[-1].read_text(encoding="utf-8")
    assert re.findall(r'href="criteria/(tc\d\d)\.html"', listing) == [
        f"tc{n:02d}" for n in range(1, 11)]
    rows = re.findall(r'<td class="n">(\d+)/(\d+)</td>', listing)
    assert len(rows) == 10 and {b for _, b in rows} == {"8"}
    for page, text in _page_texts(ws.maps_dir).items():
        for c in QD51:
            assert c.name(lang) in text, (page, c.number)
        for old in ("19 tiêu chí", "19 criteria", "15 - 18", "15-18", "10 - 14", "tc19",
                    "Quốc phòng và An ninh", "Defence and security"):
            assert old not in text, (page, old)


def test_appendix_pages_follow_the_set(built_2026) -> None:
    from ntmgis.outputs.appendix import render_appendix

    ws, _ = built_2026
    paths = render_appendix(ws, formats="png", dpi=25, overwrite=True,
                            pages="overview,criteria")
    names = [p.name for p in paths]
    assert len(names) == 11, names
    assert any("tc10-tiep-can-phap-luat" in n for n in names)
    assert not any("tc11" in n for n in names)


def test_forms_have_the_ten_criteria(built_2026, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from ntmgis.outputs.forms import write_workspace_templates

    ws, _ = built_2026
    paths = write_workspace_templates(ws, folder=tmp_path / "templates")
    wb = load_workbook(paths["commune_status"], read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(min_row=2, max_row=4, values_only=True)]
    wb.close()
    assert rows[1][3:] == [f"tc{n:02d}" for n in range(1, 11)]
    assert rows[0][-1] == "TC10. Tiếp cận pháp luật và an ninh, quốc phòng"
    assert rows[2][:3] == ["03433", "Xã Bum Tở", 2026]


def test_qgis_style_classes_follow_the_set(built_2026) -> None:
    """The GeoPackage's QGIS style of commune_status has the 10-criteria bands (issue 10)."""
    import sqlite3
    import xml.etree.ElementTree as ET

    ws, _ = built_2026
    with sqlite3.connect(ws.output_gpkg) as con:
        qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = "
                          "'commune_status'").fetchone()[0]
    root = ET.fromstring(qml.split("\n", 1)[1])
    labels = [r.get("label") for r in root.findall("./renderer-v2/rules/rule")]
    assert labels == ["Đạt chuẩn NTM (10 tiêu chí)", "8 - 9 tiêu chí", "5 - 7 tiêu chí",
                      "Dưới 5 tiêu chí"]
    filters = [r.get("filter") for r in root.findall("./renderer-v2/rules/rule")]
    assert filters[1] == "\"band\" = '8-9' AND \"year\" = maximum(\"year\")"
