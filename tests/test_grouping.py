"""Grouping above the commune (issue 14): a province-wide workspace of several districts.

Built from the sample's real boundaries, its communes split into three pseudo-districts.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ntmgis.core.issue_log import IssueLog
from ntmgis.inputs.load import load_inputs
from ntmgis.monitoring.compute import compute_layers
from ntmgis.monitoring.gpkg import summary_groups, summary_total
from ntmgis.outputs.report import plan_report, write_report

# the province fixture (tests/conftest.py) splits the sample into these districts
PSEUDO = (("901", "Huyện Một"), ("902", "Huyện Hai"), ("903", "Huyện Ba"))


def test_summaries_have_a_row_per_group_and_the_total(province):
    ws, layers = province
    ds, ov = layers.district_summary, layers.district_overview
    assert {"group_code", "group_name"} <= set(ds.columns) <= set(ds.columns)
    total, groups = summary_total(ov), summary_groups(ov)
    assert sorted(set(groups["group_name"])) == sorted(n for _, n in PSEUDO)
    for year, g in groups.groupby("year"):
        t = total[total["year"] == year].iloc[0]
        for col in ("communes_total", "ntm_communes", "criteria_sum", "below_10"):
            assert g[col].sum() == t[col]
    st, sg = summary_total(ds), summary_groups(ds)
    assert len(st) == len(ws.years) * 19 and len(sg) == 3 * len(st)
    met = sg.groupby(["year", "criterion"])["communes_met"].sum()
    assert (met.to_numpy() == st.set_index(["year", "criterion"])["communes_met"]
            .loc[met.index].to_numpy()).all()
    assert sg["target"].isna().all() and st["target"].notna().any()


def test_report_has_the_per_district_table(province, tmp_path):
    ws, layers = province
    rep = plan_report(ws, layers=layers)
    assert rep.title.count("Lai Châu") == 1  # not "Tỉnh Lai Châu, Tỉnh Lai Châu"
    sec = next(s for s in rep.sections if s.key == "groups")
    names = list(sec.frame["Huyện"])
    assert names == [n for _, n in PSEUDO] + ["Toàn tỉnh Lai Châu"]  # by code, then total
    assert sum(sec.data["communes_total"][:3]) == sec.data["communes_total"].iloc[-1]
    paths = write_report(rep, tmp_path / "r")
    md = paths[0].read_text(encoding="utf-8")
    assert "Kết quả theo huyện năm 2025" in md and "| Huyện Hai |" in md
    csv = pd.read_csv(tmp_path / "r" / "groups.csv", encoding="utf-8-sig", dtype={
        "group_code": str})
    assert list(csv["group_code"][:3]) == ["901", "902", "903"]
    assert csv["group_code"].isna().iloc[-1] and csv["ntm_communes"].iloc[-1] == sum(
        csv["ntm_communes"][:3])


def test_group_by_another_column(province):
    ws, _ = province
    layers = compute_layers(load_inputs(ws, IssueLog(root=ws.root)), group_by="district_name")
    assert len(summary_groups(layers.district_overview)["group_name"].unique()) == 3


def test_one_district_has_no_group_table(built_sample):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    assert not any(s.key == "groups" for s in rep.sections)
    assert set(layers.district_summary["group_name"]) == {"Huyện Mường Tè"}
    assert rep.title.count("Lai Châu") == 1


def test_word_and_excel_have_the_per_district_table(province, tmp_path):
    import openpyxl

    docx = pytest.importorskip("docx")
    from ntmgis.outputs.report_docx import DOCX_NAME, write_report_formats
    from ntmgis.outputs.report_xlsx import XLSX_NAME

    ws, layers = province
    rep = plan_report(ws, layers=layers)
    write_report_formats(ws, rep, tmp_path, "docx,xlsx")
    doc = docx.Document(str(tmp_path / DOCX_NAME))
    heads = [t.rows[0].cells[0].text.strip() for t in doc.tables]
    assert "Huyện" in heads
    table = doc.tables[heads.index("Huyện")]
    assert [r.cells[0].text.strip() for r in table.rows][1:] == [
        "Huyện Một", "Huyện Hai", "Huyện Ba", "Toàn tỉnh Lai Châu"]
    wb = openpyxl.load_workbook(tmp_path / XLSX_NAME)
    assert any(any(c.value == "Huyện Hai" for row in sh.iter_rows() for c in row)
               for sh in wb.worksheets)
