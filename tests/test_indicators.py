"""Indicator values: the readers, the judgement against thresholds, the layer, the queries."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ntmgis.analysis.indicators import closest_to_recognition, income_target, indicator_gaps
from ntmgis.core.criteria import criteria_set_from_dict
from ntmgis.core.errors import DataError, ValidationFailed
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs.indicators import read_indicator_thresholds, read_indicator_values
from ntmgis.inputs.load import load_inputs
from ntmgis.monitoring.build import build
from ntmgis.monitoring.compute import compute_layers
from ntmgis.monitoring.gpkg import list_layers, read_layers
from ntmgis.monitoring.indicators import (
    STATUS_COLUMNS,
    criteria_from_indicators,
    evaluate_indicators,
    merge_criteria,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = Path(__file__).resolve().parent / "data" / "indicators"


@pytest.fixture
def cset():
    return criteria_set_from_dict(tomllib.loads((DATA / "set.toml").read_text("utf-8")))


def _workspace(root: Path, values: str | None, *, form: str = "long", extra: str = "",
               thresholds: bool = False):
    """The mini workspace using the test set, with ``values`` as its indicator table."""
    for f in DATA.iterdir():
        shutil.copy(f, root)
    cfg = (root / "ntmgis.toml").read_text("utf-8")
    cfg += f'\n[criteria]\ncommune_set = "set.toml"\n{extra}\n'
    if values:
        cfg += f'\n[tables.indicator_values]\npath = "{values}"\nform = "{form}"\n'
    if thresholds:
        cfg += '\n[tables.indicator_thresholds]\npath = "thresholds.csv"\n'
    (root / "ntmgis.toml").write_text(cfg, "utf-8")
    return load_workspace(root)


def _issues(log: IssueLog) -> set[tuple]:
    return {(i.severity, i.check, i.row, i.column, i.value) for i in log.issues}


# -- readers --------------------------------------------------------------------------

def test_long_values_with_bad_cells_are_reported_by_row(mini_ws, cset):
    ws = _workspace(mini_ws, "values_long.csv")
    log = IssueLog(root=ws.root)
    v = read_indicator_values(ws, log, cset)
    assert list(v.columns) == ["code", "year", "indicator", "value", "met", "_row", "_column"]
    row = v[(v["code"] == "00001") & (v["year"] == 2025)].set_index("indicator")
    assert row.loc["10", "value"] == 1234.5  # "1.234,5"
    assert row.loc["11", "value"] == 12.0 and row.loc["11", "met"] == 0
    assert row.loc["17.1", "met"] == 1 and row.loc["17.2", "met"] == 1  # yes/no "Đạt"
    assert v.loc[0, "code"] == "00001" and v.loc[0, "value"] == 38.5  # zero restored
    got = _issues(log)
    assert ("error", "not_a_number", 7, "GiaTri", "abc") in got
    assert ("error", "share_range", 8, "GiaTri", "140") in got
    assert ("error", "unknown_indicator", 9, "ChiTieu", "99.9") in got
    assert ("error", "negative", 10, "GiaTri", "-5") in got
    assert ("error", "year_range", 11, "Nam", "2026") in got
    assert ("warning", "code_lost_zero", 2, "MaXa", "1") in got
    assert all(i.expected and i.file == "values_long.csv" for i in log.issues)
    msg = {i.check: i.message for i in log.issues}
    assert msg["share_range"] == "tỷ lệ 140 ngoài khoảng 0-100%"
    assert msg["unknown_indicator"] == "chỉ tiêu '99.9' không có trong bộ test-set"


def test_wide_values_read_one_column_per_indicator(mini_ws, cset):
    ws = _workspace(mini_ws, "values_wide.csv", form="wide")
    log = IssueLog(root=ws.root, lang="en")
    v = read_indicator_values(ws, log, cset)
    got = {(r.code, r.indicator): (r.value, r.met) for r in v.itertuples()}
    assert got[("00001", "10")][0] == 46.0
    assert got[("00001", "11")][0] == 5.5
    assert got[("00002", "17.2")][1] == 0 and got[("00001", "17.2")][1] == 1
    assert got[("00003", "17.1")][0] == 80.0  # the column "CT 17.1"
    assert ("00003", "10") not in got and ("00003", "11") not in got
    issues = _issues(log)
    assert ("error", "unknown_indicator", None, "12.3", "12.3") in issues
    assert ("error", "not_a_number", 4, "10", "hai") in issues
    assert ("error", "share_range", 4, "11", "-1") in issues
    assert ("error", "bad_status_value", 4, "17.2", "có lẽ") in issues
    assert not any(i.column == "ghi chú" for i in log.issues)  # not an indicator column
    assert "is not in the set" in next(i.message for i in log.issues
                                       if i.check == "unknown_indicator")


def test_excel_wide_values_with_dates(mini_ws, cset):
    pd.DataFrame({
        "ma_xa": [1, 2], "ngay": pd.to_datetime(["2025-12-31", "2024-06-30"]),
        10: [46.25, 30], "CT 11": [5.5, 7], "17.2": ["Đạt", 0],
    }).to_excel(mini_ws / "values.xlsx", index=False)
    ws = _workspace(mini_ws, "values.xlsx", form="wide")
    log = IssueLog(root=ws.root)
    v = read_indicator_values(ws, log, cset)
    got = {(r.code, r.year, r.indicator): (r.value, r.met) for r in v.itertuples()}
    assert got[("00001", 2025, "10")][0] == 46.25 and got[("00002", 2024, "11")][0] == 7
    assert got[("00001", 2025, "17.2")][1] == 1 and got[("00002", 2024, "17.2")][1] == 0
    assert not log.errors


def test_province_thresholds_are_read_and_checked(mini_ws, cset):
    ws = _workspace(mini_ws, None, thresholds=True)
    log = IssueLog(root=ws.root)
    over = read_indicator_thresholds(ws, log, cset)
    assert list(over) == ["10"]
    (th,) = over["10"]
    assert (th.value, th.class_key, th.year, th.source) == (
        48.0, "vung_a", 2025, "QĐ của UBND tỉnh số 1/2025")
    assert {(i.check, i.row) for i in log.issues} == {
        ("not_a_number", 3), ("unknown_indicator", 4), ("bad_enum", 5)}
    assert cset.with_overrides(over).indicator("10").threshold_for("vung_a", 2025).value == 48


def test_no_table_means_no_values(mini_ws, cset):
    ws = load_workspace(mini_ws)
    assert read_indicator_values(ws, IssueLog(), cset) is None
    assert read_indicator_thresholds(ws, IssueLog(), cset) is None


# -- judging ---------------------------------------------------------------------------

def _values(rows):
    df = pd.DataFrame(rows, columns=["code", "year", "indicator", "value", "met"])
    df["value"] = df["value"].astype(float)
    df["met"] = pd.array(df["met"], dtype="Int64")
    df["year"] = df["year"].astype("Int64")
    return df


def test_values_are_judged_against_the_class_and_year(cset):
    v = _values([
        ("a", 2025, "10", 44.0, None),    # vung_a 2025: >= 45 -> not met, 1 short
        ("a", 2023, "10", 44.0, None),    # vung_a 2023: >= 40 -> met, 4 over
        ("b", 2025, "10", 59.0, None),    # vung_b: >= 60
        ("a", 2025, "11", 14.0, None),    # vung_a: <= 13 -> 1 too many
        ("b", 2025, "11", 5.0, None),     # generic <= 6 -> met
        ("a", 2025, "17.1", 10.0, 1),     # threshold missing: the report decides
        ("a", 2025, "17.2", None, 0),     # yes/no
        ("b", 2025, "17.2", None, None),  # nothing known
        ("a", 2021, "10", 44.0, None),    # before any threshold: unknown
    ])
    out = evaluate_indicators(v, cset, {"a": "vung_a", "b": "vung_b"}, names={"a": "Xã A"})
    assert tuple(out.columns) == STATUS_COLUMNS
    got = {(r.code, r.year, r.indicator): r for r in out.itertuples()}
    r = got[("a", 2025, "10")]
    assert (r.met, r.distance, r.threshold, r.requirement, r.judged_by) == (
        0, 1.0, 45.0, "≥45", "value")
    assert r.threshold_source == "thử, vùng A, từ 2024" and r.threshold_year == 2024
    assert r.name == "Xã A" and r.unit == "triệu đồng/người/năm"
    assert (got[("a", 2023, "10")].met, got[("a", 2023, "10")].distance) == (1, -4.0)
    assert (got[("b", 2025, "10")].met, got[("b", 2025, "10")].distance) == (0, 1.0)
    assert (got[("a", 2025, "11")].met, got[("a", 2025, "11")].distance) == (0, 1.0)
    assert got[("b", 2025, "11")].met == 1 and got[("b", 2025, "11")].threshold == 6.0
    r = got[("a", 2025, "17.1")]
    assert (r.met, r.judged_by) == (1, "report") and np.isnan(r.distance)
    assert got[("a", 2025, "17.2")].met == 0 and got[("a", 2025, "17.2")].requirement == "Đạt"
    r = got[("b", 2025, "17.2")]
    assert pd.isna(r.met) and r.judged_by == "none"
    r = got[("a", 2021, "10")]
    assert pd.isna(r.met) and np.isnan(r.threshold) and r.judged_by == "none"


def test_a_reported_result_the_value_contradicts_is_a_warning(cset):
    v = _values([("00001", 2025, "11", 12.0, 0), ("00001", 2025, "10", 46.0, 1)])
    v["_row"], v["_column"] = [4, 3], "GiaTri"
    v.attrs["path"] = "values.csv"
    log = IssueLog()
    out = evaluate_indicators(v, cset, "vung_a", names={"00001": "Xã Một"}, log=log)
    assert out.set_index("indicator").loc["11", "met"] == 1  # the value decides
    (w,) = log.issues
    assert (w.severity, w.check, w.row, w.file) == ("warning", "indicator_disagrees", 4,
                                                    "values.csv")
    for word in ("00001", "Xã Một", "11", "12", "≤13%", "Đạt", "Chưa đạt"):
        assert word in w.message


def test_criteria_follow_their_indicators(cset):
    v = _values([
        ("a", 2025, "10", 50.0, None), ("a", 2025, "17.1", None, 1),
        ("a", 2025, "17.2", None, 1),                          # 10 met, 17 met
        ("b", 2025, "10", 10.0, None), ("b", 2025, "17.1", None, 1),  # 10 not, 17 unknown
        ("c", 2025, "17.1", None, 0),                          # 17 not met
    ])
    crit = criteria_from_indicators(evaluate_indicators(v, cset, "vung_a"), cset)
    got = {(r.code, r.criterion): r.met for r in crit.itertuples()}
    assert got[("a", 10)] == 1 and got[("a", 17)] == 1
    assert got[("b", 10)] == 0 and pd.isna(got[("b", 17)])
    assert got[("c", 17)] == 0
    assert ("a", 11) not in got  # no value: not derived


def test_the_criteria_table_stands_and_indicators_fill_its_gaps():
    table = pd.DataFrame({"code": ["a", "a", "b"], "year": [2025, 2025, 2025],
                          "criterion": [10, 17, 10], "met": pd.array([1, None, 0],
                                                                     dtype="Int64")})
    derived = pd.DataFrame({"code": ["a", "a", "b", "c"], "year": [2025] * 4,
                            "criterion": [10, 17, 10, 10],
                            "met": pd.array([0, 1, 0, 1], dtype="Int64")})
    log = IssueLog()
    out = merge_criteria(table, derived, log=log)
    got = {(r.code, r.criterion): r.met for r in out.itertuples()}
    assert got == {("a", 10): 1, ("a", 17): 1, ("b", 10): 0, ("c", 10): 1}
    (w,) = log.issues
    assert w.check == "criterion_conflict" and "a" in w.message and "10" in w.message


# -- the layer -------------------------------------------------------------------------

def test_no_indicator_values_no_layer(mini_ws):
    ws = _workspace(mini_ws, None)
    build(ws)
    assert "indicator_status" not in list_layers(ws.output_gpkg)
    layers = read_layers(ws)
    assert layers.indicator_status is None
    assert "criteria_set" not in set(layers.metadata["key"])


def test_indicator_values_give_the_layer_and_fill_the_criteria(mini_ws):
    status = mini_ws / "commune_status.csv"
    lines = status.read_text("utf-8").splitlines()
    cells = lines[-1].split(",")
    cells[3 + 16] = ""  # Xã Ba 2025: criterion 17 not in the table
    lines[-1] = ",".join(cells)
    status.write_text("\n".join(lines) + "\n", "utf-8")
    ws = _workspace(mini_ws, "values_mini.csv")
    log = IssueLog(root=ws.root)
    layers = compute_layers(load_inputs(ws, log), log=log)
    st = layers.indicator_status
    assert tuple(st.columns) == STATUS_COLUMNS
    assert set(st["year"]) == {2023, 2024, 2025}  # the base year is kept
    one = st[(st["code"] == "00001") & (st["year"] == 2024)].iloc[0]
    assert (one["indicator"], one["met"], one["distance"]) == ("10", 0, 6.5)
    cs = layers.commune_status.set_index(["code", "year"])
    assert cs.loc[("00003", 2025), "tc17"] == 1  # filled from 17.1 and 17.2
    assert cs.loc[("00002", 2025), "tc10"] == 1  # the table's "Đạt" stands ...
    checks = {(i.check, i.severity) for i in log.issues}
    assert ("criterion_conflict", "warning") in checks  # ... against 44 < 45
    assert ("indicator_disagrees", "warning") in checks  # 00001: 12 % recorded "Chưa đạt"
    assert dict(zip(layers.metadata["key"], layers.metadata["value"],
                    strict=True))["criteria_set"] == "test-set"
    build(ws)
    assert list_layers(ws.output_gpkg)["indicator_status"] is None  # a table, no geometry
    back = read_layers(ws).indicator_status
    assert len(back) == len(st) and back["code"].tolist() == st["code"].tolist()


def test_commune_group_chooses_the_thresholds(mini_ws):
    ws = _workspace(mini_ws, "values_mini.csv", extra='commune_group = "Vùng B"')
    layers = compute_layers(load_inputs(ws, IssueLog()), log=IssueLog())
    st = layers.indicator_status
    assert set(st["class"]) == {"vung_b"}
    r = st[(st["code"] == "00001") & (st["year"] == 2025) & (st["indicator"] == "10")].iloc[0]
    assert (r["threshold"], r["met"], r["distance"]) == (60.0, 0, 14.0)


def test_bad_indicator_values_stop_the_build(mini_ws):
    ws = _workspace(mini_ws, "values_long.csv")
    with pytest.raises(ValidationFailed, match="values_long.csv"):
        build(ws)
    assert not ws.output_gpkg.exists()


# -- the queries -----------------------------------------------------------------------

@pytest.fixture
def built(mini_ws):
    ws = _workspace(mini_ws, "values_mini.csv")
    build(ws)
    return ws


def test_indicator_gaps_lists_who_misses_it_and_by_how_much(built):
    g = indicator_gaps(built, "10", 2025)
    assert g["code"].tolist() == ["00002"]
    assert (g.loc[0, "distance"], g.loc[0, "threshold"], g.loc[0, "value"]) == (1.0, 45.0, 44.0)
    assert g.loc[0, "indicator_name"] == "Thu nhập bình quân đầu người khu vực nông thôn"
    assert g.geometry.notna().all()
    assert indicator_gaps(built, "10", 2024)["distance"].tolist() == [6.5]
    with pytest.raises(DataError, match="'99'"):
        indicator_gaps(built, "99")
    with pytest.raises(DataError, match="2030"):
        indicator_gaps(built, "10", 2030)


def test_closest_to_recognition_ranks_by_criteria_then_indicators(built):
    r = closest_to_recognition(built, 2025)
    assert r.attrs["with_indicators"]
    assert "00001" not in set(r["code"])  # recognised in 2025
    assert r["rank"].tolist() == list(range(1, len(r) + 1))
    row = r.set_index("code").loc["00002"]
    assert row["criteria_unmet"] == 7 and row["indicators_unmet"] == 1
    assert row["indicator_gaps"] == "10: thiếu 1 triệu đồng/người/năm"
    assert row["unmet"] == "13;14;15;16;17;18;19"
    # Without indicator values: criteria alone.
    layers = read_layers(built)
    plain = closest_to_recognition({"commune_status": layers.commune_status,
                                    "communes": layers.communes}, 2025)
    assert not plain.attrs["with_indicators"]
    assert plain["indicators_unmet"].eq(0).all() and len(plain) == len(r)


def test_income_target_is_the_factor_over_the_base_year(built):
    out = income_target(built, factor=1.5)
    got = out.set_index("code")
    assert got.loc["00001", "base"] == 30 and got.loc["00001", "target"] == 45
    assert bool(got.loc["00001", "reached"]) and not bool(got.loc["00002", "reached"])
    assert got.loc["00002", "ratio"] == pytest.approx(44 / 30)
    assert out.attrs["reached"] == 1 and out.attrs["factor"] == 1.5
    assert out["base_year"].eq(2023).all()  # the year before the workspace's first
    with pytest.raises(DataError, match="income_factor"):
        income_target(built)  # the mini workspace's plan has no factor


def test_validate_side_reports_every_indicator_issue(mini_ws):
    from ntmgis.monitoring.indicators import check_indicators

    ws = _workspace(mini_ws, "values_mini.csv", thresholds=True)
    log = IssueLog(root=ws.root, lang="en")
    inp = load_inputs(ws, log)
    res = check_indicators(ws, inp.communes, inp.commune_status, log, lang="en")
    checks = {i.check for i in log.issues}
    assert {"indicator_disagrees", "criterion_conflict", "unknown_indicator",
            "bad_enum"} <= checks
    conflict = next(i for i in log.issues if i.check == "criterion_conflict")
    assert conflict.file == "commune_status.csv" and "the table is used" in conflict.message
    assert (conflict.row, conflict.column) == (2, "TC10")  # Xã Một 2024: 38,5 < 45, "Đạt"
    # The province's 48 for region A in 2025 is used.
    st = res.status
    r = st[(st["code"] == "00001") & (st["year"] == 2025) & (st["indicator"] == "10")].iloc[0]
    assert (r["threshold"], r["threshold_source"]) == (48.0, "QĐ của UBND tỉnh số 1/2025")


def test_values_without_a_criteria_table_make_the_criteria(mini_ws):
    (mini_ws / "commune_status.csv").unlink()
    text = (mini_ws / "ntmgis.toml").read_text("utf-8")
    (mini_ws / "ntmgis.toml").write_text(
        text.replace('[tables.commune_status]\npath = "commune_status.csv"\nform = "wide"\n', ""),
        "utf-8")
    ws = _workspace(mini_ws, "values_mini.csv")
    layers = compute_layers(load_inputs(ws, IssueLog()))
    cs = layers.commune_status.set_index(["code", "year"])
    assert cs.loc[("00001", 2025), "tc10"] == 1 and cs.loc[("00002", 2025), "tc10"] == 0
    assert cs.loc[("00003", 2025), "tc17"] == 1 and pd.isna(cs.loc[("00003", 2025), "tc10"])
    assert pd.isna(cs.loc[("00001", 2024), "tc01"])
    crit = layers.commune_criteria
    assert set(crit["criterion"]) == {10, 11, 17}


def test_an_unknown_set_in_the_workspace_is_a_configuration_error(mini_ws):
    from ntmgis.core.errors import WorkspaceError
    from ntmgis.monitoring.indicators import criteria_set_for

    ws = _workspace(mini_ws, None)
    assert criteria_set_for(ws).key == "test-set"
    text = (mini_ws / "ntmgis.toml").read_text("utf-8").replace('"set.toml"', '"qd999"')
    (mini_ws / "ntmgis.toml").write_text(text, "utf-8")
    with pytest.raises(WorkspaceError, match="qd318-2022, qd51-2025"):
        criteria_set_for(load_workspace(mini_ws))
    text = text.replace('"qd999"', '"missing.toml"')
    (mini_ws / "ntmgis.toml").write_text(text, "utf-8")
    with pytest.raises(WorkspaceError, match="missing.toml"):
        criteria_set_for(load_workspace(mini_ws))


def test_a_commune_group_the_set_lacks_is_a_warning(mini_ws):
    ws = _workspace(mini_ws, "values_mini.csv", extra='commune_group = "nhom3"')
    log = IssueLog(root=ws.root)
    st = compute_layers(load_inputs(ws, log), log=log).indicator_status
    assert set(st["class"]) == {"vung_a"}  # the set's default
    w = next(i for i in log.issues if i.column == "commune_group")
    assert (w.severity, w.file, w.value) == ("warning", "ntmgis.toml", "nhom3")
