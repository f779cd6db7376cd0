"""The report as the programme is run: reporting periods, offices and roadmap milestones.

On a built copy of the sample (which declares ``[tables.offices]`` and
``[tables.roadmap]``): ``--period 2025-Q3`` in Markdown and Word (read back with
python-docx), ``--office`` limiting every table to the office's criteria (checked
against ``layers/offices.csv`` itself), ``--by-office``, criterion 1 late in 2023,
``query gaps --office``, and the exit code 2 of a bad period or an unknown office.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.checks import validate
from ntmgis.outputs.report import plan_report

REPO = Path(__file__).resolve().parents[1]
VHTT = "Phòng Văn hóa - Thông tin"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _office_criteria_from_file(office: str) -> set[int]:
    """The criteria ``office`` leads or supports, read from the sample's CSV by hand."""
    out = set()
    for row in _read_csv(REPO / "layers" / "offices.csv"):
        names = [row["co_quan_chu_tri"], *row["co_quan_phoi_hop"].split(";")]
        if office in {n.strip() for n in names}:
            out.add(int(row["tieu_chi"]))
    return out


def _md_tables(text: str) -> dict[str, list[list[str]]]:
    """Each Markdown table under its ``## heading``: header row first."""
    out: dict[str, list[list[str]]] = {}
    head = None
    for line in text.splitlines():
        if line.startswith("## "):
            head = line[3:]
            out[head] = []
        elif line.startswith("|") and head and not line.startswith("|---"):
            out[head].append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return out


def _run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def q3(built_sample, tmp_path_factory):
    """``ntmgis report --period 2025-Q3 --format md,docx,xlsx`` of the built sample."""
    ws, _ = built_sample
    out = tmp_path_factory.mktemp("q3")
    res = _run("report", "-w", str(ws.root), "-o", str(out), "--period", "2025-Q3",
               "--format", "md,docx,xlsx")
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def vhtt(built_sample, tmp_path_factory):
    """``ntmgis report --office "Phòng Văn hóa - Thông tin"`` in every format."""
    ws, _ = built_sample
    out = tmp_path_factory.mktemp("vhtt")
    res = _run("report", "-w", str(ws.root), "-o", str(out), "--office", VHTT,
               "--format", "md,docx,xlsx")
    assert res.exit_code == 0, res.output
    return out


# ---- periods ----

def test_period_in_markdown_and_csv(built_sample, q3):
    _, layers = built_sample
    md = (q3 / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert md.splitlines()[0] == ("# Kết quả thực hiện so với kế hoạch: Huyện Mường Tè, "
                                  "Tỉnh Lai Châu (Quý III/2025)")
    assert "Kỳ báo cáo: Quý III/2025, số liệu biết đến ngày 30/09/2025" in md
    crit = _md_tables(md)["Số xã đạt từng tiêu chí"]
    assert crit[0][:6] == ["Tiêu chí", "Tên tiêu chí", "Số xã đạt (Quý III/2025)",
                           "Quý II/2025", "Thay đổi", "Số liệu đến ngày"]
    # Yearly data: at 30/9/2025 the latest assessment is 2024's (31/12/2024).
    ds = layers.district_summary
    met24 = dict(zip(ds.loc[ds.year == 2024, "criterion"], ds.loc[ds.year == 2024,
                                                                   "communes_met"], strict=True))
    for row in crit[1:]:
        assert int(row[2]) == met24[int(row[0])] and row[5] == "31/12/2024" and row[4] == "0"
    head = {r[0]: r for r in _md_tables(md)["Chỉ tiêu chủ yếu"][1:]}
    ov = layers.district_overview.set_index("year")
    assert head["Xã đạt chuẩn NTM"][1].startswith(f"{int(ov.loc[2024, 'ntm_communes'])}/13")
    # The CSV carries plain machine numbers and ISO dates.
    rows = _read_csv(q3 / "criteria.csv")
    assert rows[0]["period"] == "2025-Q3" and rows[0]["previous_period"] == "2025-Q2"
    assert rows[0]["reported"] == "2024-12-31" and rows[0]["target_share"] == "1.0"
    avg = {r["indicator"]: r for r in _read_csv(q3 / "targets.csv")}["avg"]
    assert re.fullmatch(r"\d+\.\d+", avg["value"])


def test_period_in_word(q3):
    docx = pytest.importorskip("docx")
    doc = docx.Document(str(q3 / "plan_vs_actual.docx"))
    body = [p.text for p in doc.paragraphs]
    assert any("(Quý III/2025)" in t for t in body)
    assert "Số liệu tính đến ngày 30/09/2025." in body
    heads = [[c.text for c in t.rows[0].cells] for t in doc.tables[1:-1]]
    assert heads[1][:3] == ["Tiêu chí", "Tên tiêu chí", "Số xã đạt (Quý III/2025)"]
    roadmap = [t for t in doc.tables if "Mục tiêu" in [c.text for c in t.rows[0].cells]]
    assert len(roadmap) == 1 and "Quý III/2025" in [c.text for c in roadmap[0].rows[0].cells]
    # The map of the last year known at the period's end, as a figure.
    assert len(doc.inline_shapes) == 1
    assert any(t.startswith("Hình 1. ") and "2024" in t for t in body)
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1[-1] == "IV. TIẾN ĐỘ SO VỚI LỘ TRÌNH"


def test_a_year_is_its_31_december(built_sample):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers, period="2025")
    ds = layers.district_summary.set_index(["year", "criterion"])["communes_met"]
    data = rep.csv_data["criteria"]
    for r in data.itertuples():
        assert r.communes_met == ds[(2025, r.criterion)]
        assert r.communes_met_previous == ds[(2024, r.criterion)]
        assert r.change == ds[(2025, r.criterion)] - ds[(2024, r.criterion)]
        assert r.reported == "2025-12-31" and r.previous_period == "2024"
    assert rep.title.endswith("(Năm 2025)")


def test_bad_period_exits_2_with_the_accepted_forms(built_sample, tmp_path):
    ws, _ = built_sample
    res = _run("report", "-w", str(ws.root), "-o", str(tmp_path), "--period", "2025-Q5")
    assert res.exit_code == 2
    for form in ("2025-Q3", "2025-6T", "2025-9T", "2025-T10"):
        assert form in res.output
    assert not any(tmp_path.iterdir())


# ---- offices ----

def test_office_limits_every_table(vhtt):
    mine = _office_criteria_from_file(VHTT)
    assert mine == {6, 8, 16}
    md = (vhtt / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert md.splitlines()[0].endswith(f"– {VHTT}")
    tables = _md_tables(md)
    assert "Chỉ tiêu chủ yếu" not in tables and "Nguồn vốn" not in tables
    assert len(tables) == 4
    for head, rows in tables.items():
        assert rows[0][0] == "Tiêu chí", head
        assert {int(r[0]) for r in rows[1:]} == mine, head
    roles = {r[0]: r[2] for r in tables[f"Cơ quan: {VHTT}"][1:]}
    assert roles == {"6": "Chủ trì", "8": "Chủ trì", "16": "Chủ trì"}
    names = sorted(p.name for p in vhtt.iterdir())
    assert "targets.csv" not in names and "funding.csv" not in names
    for name in ("criteria.csv", "milestones.csv", "offices.csv",
                 "funding_by_criterion.csv"):
        rows = _read_csv(vhtt / name)
        key = "Tiêu chí" if name == "criteria.csv" else "criterion"
        assert {int(r[key]) for r in rows} == mine, name


def test_office_in_word_and_excel(vhtt):
    docx = pytest.importorskip("docx")
    import openpyxl

    mine = {"6", "8", "16"}
    doc = docx.Document(str(vhtt / "plan_vs_actual.docx"))
    data = doc.tables[1:-1]  # between the header block and the signature block
    assert len(data) == 4
    for t in data:
        assert {" ".join(r.cells[0].text.split()) for r in t.rows[1:]} == mine
    wb = openpyxl.load_workbook(vhtt / "plan_vs_actual.xlsx")
    assert len(wb.sheetnames) == 5
    for name in wb.sheetnames[1:]:
        assert {str(r[0].value) for r in wb[name].iter_rows(min_row=2)} == mine, name


def test_one_section_per_office(built_sample, tmp_path):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers, by_office=True)
    offices = [s for s in rep.sections if s.key.startswith("office:")]
    in_file = []
    for row in _read_csv(REPO / "layers" / "offices.csv"):
        for n in [row["co_quan_chu_tri"], *row["co_quan_phoi_hop"].split(";")]:
            if n.strip() and n.strip() not in in_file:
                in_file.append(n.strip())
    assert [s.key[len("office:"):] for s in offices] == in_file
    for s in offices:
        name = s.key[len("office:"):]
        assert set(s.data["criterion"]) == _office_criteria_from_file(name), name
    assert len(rep.criteria) == 19  # --by-office alone filters nothing


def test_unknown_office_exits_2_listing_the_offices(built_sample, tmp_path):
    ws, _ = built_sample
    for args in (["report", "-o", str(tmp_path / "r")], ["query", "gaps"]):
        res = _run(*args, "-w", str(ws.root), "--office", "Phòng Ngoại giao")
        assert res.exit_code == 2, res.output
        out = " ".join(res.output.split())
        assert "Phòng Ngoại giao" in out and f"{VHTT} (VHTT)" in out


def test_query_gaps_by_office(built_sample, tmp_path):
    ws, _ = built_sample
    res = _run("query", "gaps", "-w", str(ws.root), "--year", "2024", "--office", "VHTT",
               "--csv", str(tmp_path / "g.csv"), "--summary-csv", str(tmp_path / "s.csv"))
    assert res.exit_code == 0, res.output
    res = _run("query", "gaps", "-w", str(ws.root), "--year", "2024",
               "--csv", str(tmp_path / "all.csv"))
    assert res.exit_code == 0, res.output
    mine = _office_criteria_from_file(VHTT)
    rows = _read_csv(tmp_path / "g.csv")
    every = [r for r in _read_csv(tmp_path / "all.csv") if int(r["criterion"]) in mine]
    assert rows and rows == every
    assert {int(r["criterion"]) for r in _read_csv(tmp_path / "s.csv")} == mine


# ---- milestones ----

def test_criterion_1_is_late_in_2023(built_sample, tmp_path):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    md_rows = [s for s in rep.sections if s.key == "milestones"][0].frame
    c1 = md_rows[(md_rows["Tiêu chí"] == 1) & (md_rows["Hạn"] == "Năm 2023")].iloc[0]
    assert c1["2023"] == "Chậm tiến độ (9/13)" and c1["2022"].startswith("Chưa đến hạn")
    assert c1["2025"].startswith("Đạt muộn") and "III.1" in c1["Nguồn"]
    res = _run("report", "-w", str(ws.root), "-o", str(tmp_path))
    assert res.exit_code == 0, res.output
    md = (tmp_path / "plan_vs_actual.md").read_text(encoding="utf-8")
    table = _md_tables(md)["Tiến độ so với lộ trình"]
    head = table[0]
    row = next(r for r in table if r[0] == "1" and r[3] == "Năm 2023")
    assert dict(zip(head, row, strict=True))["2023"] == "Chậm tiến độ (9/13)"
    rows = _read_csv(tmp_path / "milestones.csv")
    late = [r for r in rows if (r["criterion"], r["due"], r["at"]) == ("1", "2023", "2023")]
    assert [(r["status"], r["value"], r["target"]) for r in late] == [("late", "9", "13")]
    en = plan_report(ws, layers=layers, lang="en")
    miles = [s for s in en.sections if s.key == "milestones"][0].frame
    assert (miles["2023"] == "Late (9/13)").sum() == 1


def test_milestones_up_to_the_period(built_sample):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers, period="2024-6T")
    frame = [s for s in rep.sections if s.key == "milestones"][0].frame
    assert list(frame.columns[4:-1]) == ["2021", "2022", "2023", "6 tháng đầu năm 2024"]


# ---- validation ----

def test_validate_reports_the_programme_tables(tmp_path, copy_sample):
    root = copy_sample(tmp_path / "ws")
    with open(root / "layers" / "roadmap.csv", "a", encoding="utf-8") as f:
        f.write("5,Trường học,2024,99999,,,dat,x,y\n2,Giao thông,2024,,14,,dat,x,y\n")
    with open(root / "layers" / "offices.csv", "a", encoding="utf-8") as f:
        f.write("25,Không có,Phòng Y tế,YT,,,x\n")
    log = validate(load_workspace(root), lang="en")
    got = {(Path(i.file).name if i.file else None, i.check, i.row, i.column, str(i.value))
           for i in log.errors}
    assert ("roadmap.csv", "unknown_code", 22, "ma_xa", "99999") in got
    assert ("roadmap.csv", "roadmap_target", 23, "so_xa", "14") in got
    assert ("offices.csv", "criterion_range", 21, "tieu_chi", "25") in got


def test_bad_roadmap_row_stops_the_report_rather_than_vanish(tmp_path, copy_sample):
    """A roadmap row with an error would be left out of the report and maps: exit 1."""
    from click.testing import CliRunner

    from ntmgis.cli import main

    root = copy_sample(tmp_path / "ws")
    path = root / "layers" / "roadmap.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",2022,", ",2022-Q7,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["report", "-w", str(root), "-o", str(tmp_path / "r")])
    assert res.exit_code == 1 and "2022-Q7" in res.output and "roadmap.csv" in res.output
    assert not (tmp_path / "r").exists()
