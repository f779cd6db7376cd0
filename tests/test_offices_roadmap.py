"""Offices (who runs which criterion), the roadmap's targets and their milestones (issue 14)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ntmgis.core.criteria import COMMUNE_CRITERIA
from ntmgis.core.errors import OptionError, WorkspaceError
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import TABLE_FIELDS, load_workspace
from ntmgis.inputs import offices as offices_mod
from ntmgis.inputs import roadmap as roadmap_mod
from ntmgis.inputs.load import load_inputs
from ntmgis.inputs.offices import (
    criterion_offices,
    find_office,
    office_assignments,
    office_criteria,
    office_list,
    read_workspace_offices,
)
from ntmgis.inputs.roadmap import read_workspace_roadmap
from ntmgis.monitoring.milestones import (
    STATUSES,
    commune_milestones,
    judge_milestones,
    milestone_label,
    milestone_summary,
    status_long,
)

DECLARE = ('\n[tables.offices]\npath = "layers/offices.csv"\n'
           '\n[tables.roadmap]\npath = "layers/roadmap.csv"\n')
VHTT = "Phòng Văn hóa - Thông tin"


def _undeclare(root: Path) -> None:
    """Drop the root ntmgis.toml's own [tables.offices] / [tables.roadmap] from a copy, so
    that each test declares them its own way."""
    path = root / "ntmgis.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tables\.(?:offices|roadmap)\]\n.*?(?=^\[)", "", text)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sample(tmp_path_factory, copy_sample):
    """The repository's sample with the two tables declared, read once."""
    root = copy_sample(tmp_path_factory.mktemp("offices") / "ws")
    _undeclare(root)
    with open(root / "ntmgis.toml", "a", encoding="utf-8") as f:
        f.write(DECLARE)
    ws = load_workspace(root)
    log = IssueLog(root=ws.root)
    offices = read_workspace_offices(ws, log, COMMUNE_CRITERIA)
    roadmap = read_workspace_roadmap(ws, log, COMMUNE_CRITERIA)
    status = load_inputs(ws, log).commune_status
    return ws, log, offices, roadmap, status


def _ws(tmp_path: Path, copy_sample, name: str, text: str, *, fields: str = "") -> tuple:
    """A sample copy whose table ``name`` is ``text`` (a CSV); its ws and an empty log."""
    root = copy_sample(tmp_path / "ws")
    _undeclare(root)
    (root / "layers" / f"{name}.csv").write_text(text, encoding="utf-8")
    with open(root / "ntmgis.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[tables.{name}]\npath = "layers/{name}.csv"\n{fields}')
    ws = load_workspace(root)
    return ws, IssueLog(root=ws.root, lang="en")


def _issues(log: IssueLog) -> list[tuple]:
    return [(i.severity, i.check, i.row, i.column, i.value) for i in log.sorted()]


# ---- the sample's tables ----

def test_the_sample_tables_read_without_issues(sample):
    _, log, offices, roadmap, _ = sample
    assert log.issues == []
    assert set(offices["criterion"]) == set(range(1, 20))
    assert (offices["role"] == "lead").sum() == 19
    # Every assignment says it is illustrative (Biểu 06 is not in the plan's text).
    assert offices["note"].str.contains("minh họa").all()
    names = set(offices["office"])
    for named in ("Phòng Nông nghiệp và PTNT", "Văn phòng Điều phối nông thôn mới",
                  "Phòng Tài chính - Kế hoạch", "Phòng Lao động - Thương binh và Xã hội",
                  "Phòng Dân tộc", VHTT):
        assert named in names
    assert len(roadmap) == 20 and roadmap["source"].str.contains("mục III").all()
    assert roadmap["text"].notna().all()


def test_the_sample_roadmap_quotes_the_plans_milestones(sample):
    roadmap = sample[3]
    c1 = roadmap[roadmap["criterion"] == 1]
    assert c1["due"].tolist() == ["2022", "2023"]
    assert c1["target_communes"].tolist()[0] == 3 and c1["target_share"].tolist()[1] == 1.0
    assert set(roadmap.loc[roadmap["kind"] == "duy_tri", "criterion"]) == {3, 7}
    assert (roadmap["scope"] == "area").all()
    plan = pd.read_csv(Path(__file__).resolve().parents[1] / "layers" / "plan_targets.csv")
    by_2025 = roadmap[(roadmap["due_year"] == 2025) & roadmap["target_communes"].notna()]
    for row in by_2025.itertuples():  # the 2025 counts are Biểu 01's
        assert plan.loc[plan["tieu_chi"] == row.criterion, "so_xa_dat"].item() == \
            row.target_communes


def test_the_root_workspace_declares_them():
    ws = load_workspace(Path(__file__).resolve().parents[1])
    assert ws.table("offices").path.name == "offices.csv"
    assert ws.table("roadmap").path.name == "roadmap.csv"


# ---- the office filter ----

@pytest.mark.parametrize("query", [
    VHTT, "phong van hoa thong tin", "PHÒNG VĂN HOÁ - THÔNG TIN", "VHTT", "vhtt",
    unicodedata.normalize("NFD", VHTT), "  Phòng  Văn hóa – Thông tin ".replace("–", "-"),
    "Văn hóa - Thông tin",
])
def test_the_office_filter_matches_names_and_codes(sample, query):
    offices = sample[2]
    assert find_office(offices, query) == VHTT
    assert office_criteria(offices, query) == (6, 8, 16)


def test_the_office_filter_by_role(sample):
    offices = sample[2]
    assert office_criteria(offices, "Trung tâm Văn hóa, Thể thao - Truyền thông",
                           roles=("lead",)) == ()
    assert office_criteria(offices, "TTVHTTTT", roles=("support",)) == (6, 8, 16)
    assert office_criteria(offices, "Phòng Tài chính - Kế hoạch") == (7, 13)
    rows = office_assignments(offices, "LDTBXH")
    assert set(zip(rows["criterion"], rows["role"], strict=True)) == {
        (9, "support"), (11, "lead"), (12, "lead")}
    with pytest.raises(OptionError, match="role 'boss'"):
        office_criteria(offices, VHTT, roles=("boss",), lang="en")


def test_the_office_filter_refuses_unknown_and_ambiguous_names(sample):
    offices = sample[2]
    with pytest.raises(OptionError, match="matches several offices") as amb:
        find_office(offices, "văn hóa", lang="en")
    assert VHTT in str(amb.value) and "Trung tâm Văn hóa" in str(amb.value)
    with pytest.raises(OptionError, match="no office 'Phòng Văn hoa Thong tinn'.*did you mean "
                                          f"'{VHTT}'") as unknown:
        find_office(offices, "Phòng Văn hoa Thong tinn", lang="en")
    assert "Phòng Dân tộc (DT)" in str(unknown.value)
    with pytest.raises(OptionError, match="không có cơ quan"):
        office_criteria(offices, "Sở Xây dựng")


def test_who_runs_a_criterion(sample):
    offices = sample[2]
    assert criterion_offices(offices, 11) == {
        "lead": "Phòng Lao động - Thương binh và Xã hội", "support": ["Phòng Dân tộc"]}
    table = office_list(offices).set_index("office")
    assert table.loc[VHTT, "lead"] == "6;8;16" and table.loc[VHTT, "office_code"] == "VHTT"


# ---- reading offices tables ----

def test_office_rows_by_indicator_english_names_and_spellings(tmp_path, copy_sample):
    text = ("criterion,indicator,lead,support,note\n"
            "Trường học,,Phòng Giáo dục và Đào tạo,Phòng Kinh tế - Hạ tầng,\n"
            "17,17.1,Phòng Tài nguyên và Môi trường,phòng y tế; PHÒNG NÔNG NGHIỆP,water\n"
            "17,,Phong Tai nguyen va Moi truong,,\n"
            "tc18,,Phòng Nội vụ,Phòng Tư pháp ;UBMTTQ;,\n")
    ws, log = _ws(tmp_path, copy_sample, "offices", text)
    out = read_workspace_offices(ws, log, COMMUNE_CRITERIA)
    assert out is not None
    # Criteria nobody leads are one warning naming them; nothing else.
    assert [(i.severity, i.check) for i in log.issues] == [("warning", "office_uncovered")]
    assert "1, 2, 3, 4" in log.issues[0].value
    assert criterion_offices(out, 17, "17.1") == {
        "lead": "Phòng Tài nguyên và Môi trường",
        "support": ["phòng y tế", "PHÒNG NÔNG NGHIỆP"]}
    # The unaccented spelling of row 4 is the same office, shown as first written.
    assert criterion_offices(out, 17)["lead"] == "Phòng Tài nguyên và Môi trường"
    assert criterion_offices(out, 17, "17.9")["lead"] == "Phòng Tài nguyên và Môi trường"
    assert criterion_offices(out, 18)["support"] == ["Phòng Tư pháp", "UBMTTQ"]
    assert office_criteria(out, "phong y te") == (17,)
    assert set(out["criterion"]) == {5, 17, 18}


def test_bad_office_rows_are_reported_with_row_column_and_value(tmp_path, copy_sample):
    text = ("tieu_chi,chi_tieu,co_quan_chu_tri,ma_chu_tri,co_quan_phoi_hop,ma_phoi_hop\n"
            "25,,Phòng Y tế,YT,,\n"                                  # 2: no such criterion
            "5,,,,,\n"                                               # 3: no lead
            "5,,Phòng Giáo dục và Đào tạo,GDDT,Phòng Y tế; Phòng Nội vụ,YT\n"  # 4: 1 code, 2
            "5,,Phòng Y tế,YT,,\n"                                   # 5: second lead of 5
            "6,7.1,Phòng Văn hóa - Thông tin,VHTT,,\n"               # 6: indicator of 7
            "8,,Phòng Văn hóa - Thông tin,GDDT,,\n"                  # 7: code of another
            "15,,Phòng Y tế,YT,Phòng Y tế,YT\n")                     # 8: leads and supports
    ws, log = _ws(tmp_path, copy_sample, "offices", text)
    out = read_workspace_offices(ws, log, COMMUNE_CRITERIA)
    got = _issues(log)
    assert ("error", "criterion_range", 2, "tieu_chi", "25") in got
    assert ("error", "missing_value", 3, "co_quan_chu_tri", "") in got
    assert ("error", "office_codes", 4, "ma_phoi_hop", "YT") in got
    assert ("error", "duplicate_lead", 5, "co_quan_chu_tri", "Phòng Y tế") in got
    assert ("error", "unknown_indicator", 6, "chi_tieu", "7.1") in got
    assert ("error", "duplicate_code", 7, "ma_chu_tri", "GDDT") in got
    assert ("warning", "office_lead_support", 8, "co_quan_phoi_hop", "Phòng Y tế") in got
    assert all(i.file == "layers/offices.csv" for i in log.issues)
    two = next(i for i in log.issues if i.check == "duplicate_lead")
    assert "row 4" in two.message and "Phòng Giáo dục và Đào tạo" in two.message
    assert criterion_offices(out, 5)["lead"] == "Phòng Giáo dục và Đào tạo"


def test_an_offices_table_without_its_columns(tmp_path, copy_sample):
    ws, log = _ws(tmp_path, copy_sample, "offices", "tieu_chi,don_vi\n1,Phòng Y tế\n")
    assert read_workspace_offices(ws, log, COMMUNE_CRITERIA) is None
    assert [(i.check, i.column) for i in log.issues] == [("missing_column", "lead")]
    assert "co_quan_chu_tri" in log.issues[0].expected


def test_configured_fields_and_excel(tmp_path, copy_sample):
    root = copy_sample(tmp_path / "ws")
    _undeclare(root)
    pd.DataFrame({"TC": [1, 2], "Đơn vị chủ trì": ["Phòng Kinh tế - Hạ tầng"] * 2}).to_excel(
        root / "layers" / "offices.xlsx", index=False, sheet_name="Biểu 06")
    with open(root / "ntmgis.toml", "a", encoding="utf-8") as f:
        f.write('\n[tables.offices]\npath = "layers/offices.xlsx"\nsheet = "Biểu 06"\n'
                '[tables.offices.fields]\nlead = "Đơn vị chủ trì"\n')
    ws = load_workspace(root)
    log = IssueLog(root=ws.root)
    out = read_workspace_offices(ws, log, COMMUNE_CRITERIA)
    assert out["office"].unique().tolist() == ["Phòng Kinh tế - Hạ tầng"]
    assert [i.check for i in log.errors] == []
    with open(root / "ntmgis.toml", "a", encoding="utf-8") as f:
        f.write('leed_code = "x"\n')
    with pytest.raises(WorkspaceError, match="leed_code.*did you mean 'lead_code'"):
        load_workspace(root, lang="en")


def test_the_workspace_knows_the_readers_fields():
    assert set(offices_mod.ALIASES) == TABLE_FIELDS["offices"]
    assert set(roadmap_mod.ALIASES) == TABLE_FIELDS["roadmap"]


# ---- reading roadmaps ----

def test_bad_roadmap_rows_are_reported_with_row_column_and_value(tmp_path, copy_sample):
    text = ("tieu_chi,nam,ma_xa,so_xa,ty_le,loai,tu_nam\n"
            "1,2025-Q5,,3,,dat,\n"        # 2: bad period
            "1,2024,,3,,giữ,\n"           # 3: bad kind
            "1,2024,03436,3,,dat,\n"      # 4: both a commune and a count
            "1,2024,,,,dat,\n"            # 5: no target
            "1,2024,,,150%,dat,\n"        # 6: share over 100%
            "1,2024,,2.5,,dat,\n"         # 7: count not whole
            "3,2023,,13,,duy trì,2024\n"  # 8: starts after it is due
            "20,2023,,13,,dat,\n"         # 9: no criterion 20
            "2,2025-6T,3436,,,Đạt,\n"     # 10: fine (code regains its zero)
            "2,2025-6T,03436,,,dat,\n")   # 11: repeats row 10
    ws, log = _ws(tmp_path, copy_sample, "roadmap", text)
    out = read_workspace_roadmap(ws, log, COMMUNE_CRITERIA)
    got = _issues(log)
    assert ("error", "bad_period", 2, "nam", "2025-Q5") in got
    assert ("error", "bad_enum", 3, "loai", "giữ") in got
    assert ("error", "roadmap_target", 4, "ma_xa", "03436") in got
    assert ("error", "roadmap_target", 5, "so_xa", None) in [g[:4] + (None,) for g in got]
    assert ("error", "not_a_number", 6, "ty_le", "150%") in got
    assert ("error", "not_a_number", 7, "so_xa", "2.5") in got
    assert ("error", "year_order", 8, "tu_nam", "2024") in got
    assert ("error", "criterion_range", 9, "tieu_chi", "20") in got
    assert ("warning", "roadmap_duplicate", 11, "tieu_chi", "2") in got
    bad_due = next(i for i in log.issues if i.check == "bad_period")
    assert "2025-Q3" in bad_due.message  # the accepted forms are listed
    assert out[["scope", "code", "criterion", "due", "due_year", "kind"]].values.tolist() == [
        ["commune", "03436", 2, "2025-6T", 2025, "dat"]]
    assert out["due_date"].tolist() == [pd.Timestamp("2025-06-30")]


def test_a_roadmap_without_a_due_column(tmp_path, copy_sample):
    ws, log = _ws(tmp_path, copy_sample, "roadmap", "tieu_chi,so_xa\n1,3\n")
    assert read_workspace_roadmap(ws, log, COMMUNE_CRITERIA) is None
    assert [(i.check, i.column) for i in log.issues] == [("missing_column", "due")]


# ---- milestones ----

def _judge(sample, **kw):
    _, _, _, roadmap, status = sample
    return judge_milestones(roadmap, status, **kw)


def test_criterion_1_is_late_in_2023(sample):
    judged = _judge(sample)
    c1 = judged[judged["criterion"] == 1].set_index(["due", "at"])
    # III.1: 3 communes planned by 2022 (9 had it: on track), all 13 by 2023 (9: late).
    assert c1.loc[("2022", "2021"), "status"] == "achieved_early"
    assert c1.loc[("2022", "2022"), "status"] == "on_track"
    assert c1.loc[("2023", "2022"), "status"] == "not_yet_due"
    late = c1.loc[("2023", "2023")]
    assert (late["status"], late["value"], late["target"]) == ("late", 9, 13)
    assert c1.loc[("2023", "2024"), "status"] == "late"  # 12/13 a year on
    assert c1.loc[("2023", "2025"), "status"] == "achieved_late"
    assert milestone_label("late") == "Chậm tiến độ" and milestone_label("late", "en") == "Late"


def test_criterion_1_late_per_commune_in_2023(sample):
    _, _, _, roadmap, status = sample
    cm = commune_milestones(roadmap, status, at=2023)
    c1 = cm[(cm["criterion"] == 1) & (cm["due"] == "2023")]
    assert len(c1) == 13 and c1["from_area"].all() and (c1["target"] == 1).all()
    late = set(c1.loc[c1["status"] == "late", "code"])
    s23 = status[(status["criterion"] == 1) & (status["year"] == 2023)]
    assert late == set(s23.loc[s23["met"] == 0, "code"]) and len(late) == 4
    # "10/13 by 2025" does not say which communes: not split per commune.
    assert 5 not in set(cm["criterion"]) and 2 in set(cm["criterion"])


def test_the_sample_in_2025_and_in_a_quarter(sample):
    judged = _judge(sample, at=2025).set_index("criterion")
    # Biểu 01 and the sample: income, poverty, schools... met; criterion 17 is 6 of 7.
    assert judged.loc[17, "status"] == "late" and judged.loc[17, "value"] == 6
    assert judged.loc[3, "status"] == "on_track"  # duy trì 100%: reached in 2025, not lost
    q3 = _judge(sample, at="2025-Q3")
    c1 = q3[(q3["criterion"] == 1) & (q3["due"] == "2023")].iloc[0]
    # Known at 30/9/2025: the 2024 assessment (12 of 13).
    assert (c1["status"], c1["value"], c1["reported"]) == ("late", 12,
                                                            pd.Timestamp("2024-12-31"))
    summary = milestone_summary(_judge(sample))
    assert summary.columns.tolist() == ["at", *STATUSES]
    assert summary.set_index("at").loc["2023", "late"] == 1


def test_the_wide_status_layer_gives_the_same_judgement(sample):
    _, _, _, roadmap, status = sample
    wide = status.pivot_table(index=["code", "year"], columns="criterion", values="met",
                              aggfunc="last").reset_index()
    wide.columns = [f"tc{c:02d}" if isinstance(c, int) else c for c in wide.columns]
    a = judge_milestones(roadmap, status)
    b = judge_milestones(roadmap, wide)
    pd.testing.assert_frame_equal(a, b)
    assert len(status_long(wide)) == len(status)


def _status(rows: dict[str, list]) -> pd.DataFrame:
    """Long status of criterion 9 from {code: [met in 2021, 2022, ...]}."""
    out = [{"code": c, "year": 2021 + i, "criterion": 9, "met": m}
           for c, mets in rows.items() for i, m in enumerate(mets)]
    return pd.DataFrame(out)


def _targets(*rows: dict) -> pd.DataFrame:
    base = {"scope": "area", "code": None, "criterion": 9, "kind": "dat",
            "target_communes": None, "target_share": None, "from_year": None, "source": None}
    out = []
    for i, r in enumerate(rows):
        row = {**base, "target_id": i + 2, **r}
        row["due"] = str(row["due_year"])
        row["due_date"] = pd.Timestamp(row["due_year"], 12, 31)
        out.append(row)
    return pd.DataFrame(out)


def test_met_then_lost_is_late_for_a_maintain_target():
    status = _status({"A": [1, 1, 0, 1, 1], "B": [0, 1, 1, 1, 1], "C": [0, 0, 0, 0, 0]})
    targets = _targets(
        {"scope": "commune", "code": "A", "kind": "duy_tri", "due_year": 2025},
        {"scope": "commune", "code": "A", "kind": "dat", "due_year": 2025},
        {"scope": "commune", "code": "B", "kind": "duy_tri", "due_year": 2025},
        {"scope": "commune", "code": "C", "kind": "duy_tri", "due_year": 2025},
        {"scope": "commune", "code": "C", "kind": "duy_tri", "due_year": 2025,
         "from_year": 2022},
        {"scope": "commune", "code": "Z", "kind": "dat", "due_year": 2025},
        {"kind": "duy_tri", "target_communes": 2, "due_year": 2025},
    )
    j = judge_milestones(targets, status)

    def at(target_id: int) -> list[str]:
        return j.loc[j["target_id"] == target_id, "status"].tolist()

    assert at(2) == ["on_track", "on_track", "late", "late", "late"]  # lost in 2023
    assert j.loc[(j["target_id"] == 2) & (j["at"] == "2025"), "lost"].item() == \
        pd.Timestamp("2023-12-31")
    assert at(3) == ["achieved_early", "achieved_early", "not_yet_due", "achieved_early",
                     "on_track"]  # reach it by 2025: a drop before is no lateness
    assert at(4) == ["not_yet_due", "on_track", "on_track", "on_track", "on_track"]
    assert at(5) == ["not_yet_due"] * 4 + ["late"]
    assert at(6) == ["not_yet_due"] + ["late"] * 4  # to hold from 2022: never did
    assert at(7) == ["no_data"] * 5  # no such commune in the status
    # Two communes kept: 1 in 2021, 2 in 2022 (A, B), 1 in 2023: lost.
    assert at(8) == ["not_yet_due", "on_track", "late", "late", "late"]


def test_due_and_reached_late_or_early_with_shares_and_periods():
    status = _status({"A": [0, 0, 1, 1, 1], "B": [0, 0, 0, 1, 1], "C": [None, 0, 0, 0, 1]})
    targets = _targets({"target_share": 2 / 3, "due_year": 2023},
                       {"target_communes": 3, "due_year": 2025})
    j = judge_milestones(targets, status, at=["2022", "2023-6T", 2023, "2024-Q1", 2025])
    got = j.pivot(index="at", columns="target_id", values="status")
    assert got[2].to_dict() == {"2022": "not_yet_due", "2023-6T": "not_yet_due",
                                "2023": "late", "2024-Q1": "late", "2025": "achieved_late"}
    assert got[3].to_dict() == {"2022": "not_yet_due", "2023-6T": "not_yet_due",
                                "2023": "not_yet_due", "2024-Q1": "not_yet_due",
                                "2025": "on_track"}
    assert j.loc[j["target_id"] == 2, "target"].unique().tolist() == [2]
    early = judge_milestones(_targets({"target_communes": 1, "due_year": 2025}), status,
                             at="2023-T12")
    assert early["status"].tolist() == ["achieved_early"]
    assert early["reached"].tolist() == [pd.Timestamp("2023-12-31")]
