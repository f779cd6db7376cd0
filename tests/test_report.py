"""The report reproduces the plan's own figures exactly as the plan writes them."""

from __future__ import annotations

from ntmgis.outputs.report import plan_report, write_report


def test_targets_as_the_plan_writes_them(built_sample, tmp_path):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    crit = rep.criteria.set_index("Tiêu chí")
    assert crit["Mục tiêu 2025"].sum() == 213
    shares = dict(zip(crit.index, crit["Tỷ lệ so với kế hoạch (%)"], strict=True))
    assert shares[5] == shares[14] == "76,9%"
    assert shares[6] == shares[13] == "92,3%"
    assert shares[15] == "84,6%"
    assert shares[17] == "53,8%"
    assert shares[10] == shares[11] == "30,8%"
    head = rep.headline.set_index("Chỉ tiêu")["Mục tiêu 2025"]
    assert head["Xã đạt chuẩn NTM"] == "4/13 = 30,8%"
    assert head["Tổng số tiêu chí đạt"] == "213"
    assert head["Bình quân tiêu chí/xã"] == "16,38"
    assert head["Số xã dưới 10 tiêu chí"] == "0"
    assert head["Bản đạt chuẩn NTM"] == "18/101 = 17,8%"
    fund = rep.funding.set_index("Nguồn vốn")
    assert fund.loc["Tổng", "Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == "608.989"
    assert fund.loc["Ngân sách Trung ương",
                    "Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == "30.614"
    assert fund.loc["Vốn lồng ghép", "Danh mục dự án (triệu đồng)"] == "567.945"
    assert fund.loc["Vốn huy động", "Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == "2.258"


def test_actual_figures_follow_the_layers(built_sample):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    ov = layers.district_overview.set_index("year")
    head = rep.headline.set_index("Chỉ tiêu")
    n25 = int(ov.loc[2025, "ntm_communes"])
    assert head.loc["Xã đạt chuẩn NTM", "2025"] == f"{n25}/13 = " + (
        f"{n25 / 13 * 100:.1f}".replace(".", ",") + "%")
    crit = rep.criteria.set_index("Tiêu chí")
    ds = layers.district_summary
    for n in (1, 5, 17):
        assert crit.loc[n, "2025"] == ds[(ds.year == 2025) & (ds.criterion == n)][
            "communes_met"].iloc[0]


def test_files_markdown_and_csv(built_sample, tmp_path):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers)
    paths = write_report(rep, tmp_path / "reports")
    assert [p.name for p in paths] == ["plan_vs_actual.md", "criteria.csv", "targets.csv",
                                       "funding.csv", "milestones.csv"]  # + the roadmap
    md = paths[0].read_text(encoding="utf-8")
    for figure in ("4/13 = 30,8%", "16,38", "18/101 = 17,8%", "608.989", "76,9%", "53,8%"):
        assert figure in md
    assert "| Trường học |" in md
    csv = paths[1].read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("Tiêu chí,Tên tiêu chí,2021")


def test_english(built_sample):
    ws, layers = built_sample
    rep = plan_report(ws, layers=layers, lang="en")
    head = rep.headline.set_index("Indicator")["Target 2025"]
    assert head["Communes recognised NTM"] == "4/13 = 30.8%"
    assert head["Average criteria per commune"] == "16.38"
    fund = rep.funding.set_index("Source")
    assert fund.loc["Total", "Plan: expected funding need (million VND)"] == "608,989"
    assert rep.criteria.set_index("Criterion").loc[5, "Share of the plan's target (%)"] == "76.9%"


def test_csv_carries_machine_numbers(built_sample, tmp_path):
    """A computer set to English must read 30614 million VND, not thirty (issue 14)."""
    import pandas as pd

    ws, layers = built_sample
    paths = write_report(plan_report(ws, layers=layers), tmp_path / "r")
    by = {p.name: p for p in paths}
    raw = by["funding.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    text = raw.decode("utf-8-sig")
    assert "30614" in text and "608989" in text and "30.614" not in text
    fund = pd.read_csv(by["funding.csv"], encoding="utf-8-sig").set_index("Nguồn vốn")
    assert fund.loc["Ngân sách Trung ương",
                    "Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)"] == 30614
    crit = pd.read_csv(by["criteria.csv"], encoding="utf-8-sig").set_index("Tiêu chí")
    assert crit.loc[5, "Tỷ lệ so với kế hoạch (%)"] == 76.9
    assert "76,9" not in by["criteria.csv"].read_text(encoding="utf-8-sig")
    head = pd.read_csv(by["targets.csv"], encoding="utf-8-sig").set_index("Chỉ tiêu")
    assert head.loc["Bình quân tiêu chí/xã", "Mục tiêu 2025"] == 16.38
    assert head.loc["Xã đạt chuẩn NTM", "Mục tiêu 2025"] == 4
    assert head.loc["Xã đạt chuẩn NTM", "Trên tổng số"] == 13
    # the formatted figures stay in the Markdown
    md = by["plan_vs_actual.md"].read_text(encoding="utf-8")
    assert "30.614" in md and "76,9%" in md
