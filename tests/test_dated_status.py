"""Criteria status reported by date or period (issue 14): offices report by month,
quarter, 6 and 9 months; the year's status is its latest report and every report stays
for ``--period``."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.periods import parse_period
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.build import build
from ntmgis.monitoring.gpkg import read_layers
from ntmgis.outputs.report_programme import criteria_at


@pytest.fixture(scope="module")
def dated(tmp_path_factory, copy_sample, built_sample):
    """The sample with its status table by day: 31/12 of 2021-2024, then 30/06/2025 (the
    2024 values, one commune gaining criterion 5) and 31/12/2025 (the 2025 values)."""
    root = copy_sample(tmp_path_factory.mktemp("dated") / "ws")
    path = root / "layers" / "commune_status.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    y = head.index("Nam")
    by = {(r[0], r[y]): r for r in body}
    gainer = next(code for (code, year), r in by.items() if year == "2024"
                  and r[head.index("TC5")] == "Chưa đạt"
                  and by[(code, "2025")][head.index("TC5")] == "Đạt")
    out = []
    for r in body:
        out.append([*r[:y], f"31/12/{r[y]}", *r[y + 1:]])
        if r[y] == "2024":  # the 6-month report repeats 2024, with one gain
            mid = [*r[:y], "2025-6T", *r[y + 1:]]
            if r[0] == gainer:
                mid[head.index("TC5")] = "Đạt"
            out.append(mid)
    head[y] = "Ngay"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([head, *out])
    toml = root / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'(\[tables\.commune_status\.fields\][^\[]*?)year = "Nam"',
                  r'\1date = "Ngay"', text, count=1, flags=re.S)
    toml.write_text(text, encoding="utf-8")
    ws = load_workspace(root)
    build(ws, overwrite=True)
    return ws, read_layers(ws), gainer, built_sample[1]


def test_year_status_is_the_latest_report(dated):
    ws, layers, _, yearly = dated
    keep = ["code", "year", *[f"tc{n:02d}" for n in range(1, 20)], "criteria_met", "band"]
    a = pd.DataFrame(layers.commune_status)[keep].sort_values(["code", "year"])
    b = pd.DataFrame(yearly.commune_status)[keep].sort_values(["code", "year"])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False)
    cc = layers.commune_criteria
    assert "date" in cc and set(cc["date"]) >= {"2024-12-31", "2025-06-30", "2025-12-31"}


def test_period_sees_the_6_month_report(dated):
    ws, layers, gainer, yearly = dated
    q2 = criteria_at(layers, parse_period("2025-Q2")).set_index("criterion")
    st24 = yearly.commune_status[(yearly.commune_status["year"] == 2024).to_numpy()]
    assert q2.loc[5, "met"] == int((st24["tc05"] == 1).sum()) + 1
    assert q2.loc[5, "previous"] == int((st24["tc05"] == 1).sum())  # at the end of Q1
    assert str(q2.loc[5, "reported"])[:10] == "2025-06-30"


def test_map_period_shows_the_report_of_the_period(dated):
    from ntmgis.outputs.webmap.page import read_data_block

    ws, layers, gainer, _ = dated
    r = CliRunner().invoke(main, ["map", "-w", str(ws.root), "--period", "2025-Q3"])
    assert r.exit_code == 0, r.output
    d = read_data_block((ws.root / "maps" / "ky" / "2025-Q3" / "index.html")
                        .read_text(encoding="utf-8"))
    assert d["period"]["reported"] == "2025-06-30"
    tc05 = read_data_block((ws.root / "maps" / "ky" / "2025-Q3" / "criteria" / "tc05.html")
                           .read_text(encoding="utf-8"))["summary"]
    n24 = int(re.search(r"Số xã đạt: (\d+)/", tc05["2024"]).group(1))
    # at 30/09/2025 the 6-month report is the latest: one commune more than in 2024
    assert tc05["2025"].startswith(f"Số xã đạt: {n24 + 1}/13")


def test_bad_date_is_an_error_naming_row_and_column(tmp_path, copy_sample):
    root = copy_sample(tmp_path / "ws")
    path = root / "layers" / "commune_status.csv"
    text = path.read_text(encoding="utf-8-sig").replace("MaXa,TenXa,Nam,", "MaXa,TenXa,Ngay,",
                                                        1)
    lines = text.splitlines()
    lines[3] = lines[3].replace(",2021,", ",2021-13,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    toml = root / "ntmgis.toml"
    toml.write_text(re.sub(r'(\[tables\.commune_status\.fields\][^\[]*?)year = "Nam"',
                           r'\1date = "Ngay"', toml.read_text(encoding="utf-8"), count=1,
                           flags=re.S), encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", "-w", str(root), "--lang", "en"])
    assert r.exit_code == 1
    assert "Ngay" in r.output and "2021-13" in r.output and "Traceback" not in r.output
