"""Inputs that were accepted silently (issue 12): what the readers now make of them.

The corpus (tests/data/bad/in_*) checks that each one is reported; these tests check
what is read: blanks with a declared meaning, swapped X/Y put back, absurd capital left
out of the totals, NUL bytes removed, row numbers as a spreadsheet shows them, and the
first thing a new office runs (``ntmgis init DIR`` then ``ntmgis validate``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from ntmgis.cli import main
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs import load_inputs
from ntmgis.inputs.columns import row_ranges
from ntmgis.monitoring.checks import validate

CRS = "EPSG:9205"


def _toml_replace(ws_dir: Path, old: str, new: str) -> None:
    path = ws_dir / "ntmgis.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _ticks_only(ws_dir: Path) -> None:
    """The mini status table as an office that ticks "x" for met and leaves the rest blank."""
    path = ws_dir / "commune_status.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    crit = [c for c in df.columns if c.startswith("TC")]
    df[crit] = df[crit].replace({"Đạt": "x", "Chưa đạt": ""})
    df.to_csv(path, index=False)


def test_new_workspace_validates_without_a_traceback(tmp_path):
    ws = tmp_path / "office"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(ws)]).exit_code == 0
    result = runner.invoke(main, ["validate", "-w", str(ws), "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    # The empty workspace lacks its communes layer (an error) and has no data rows yet.
    assert result.exit_code == 1
    assert "communes.shp" in result.output
    assert "projects.csv row 1: the table has no data rows" in result.output


@pytest.mark.parametrize(("blank", "met", "warned"), [
    (None, None, True), ("unknown", None, False), ("not_met", 0, False)])
def test_blank_status_cells_mean_what_the_workspace_declares(mini_ws, blank, met, warned):
    _ticks_only(mini_ws)
    if blank:
        _toml_replace(mini_ws, 'form = "wide"', f'form = "wide"\nblank = "{blank}"')
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    status = load_inputs(ws, log).commune_status
    cell = status[(status["code"] == "00001") & (status["year"] == 2024)
                  & (status["criterion"] == 13)]
    got = cell["met"].iloc[0]
    assert (pd.isna(got) if met is None else got == met)
    ticked = status[(status["code"] == "00001") & (status["year"] == 2024)
                    & (status["criterion"] == 1)]
    assert ticked["met"].iloc[0] == 1
    blanks = [i for i in log.issues if i.check == "blank_cells"]
    assert bool(blanks) == warned
    if warned:
        # 35 blank cells of 4 rows x 19 criteria: counted, rows named, the key to declare it.
        assert blanks[0].value == "35"
        assert "2–4, 6–7" in blanks[0].message
        assert 'blank = "not_met"' in blanks[0].message
    assert log.errors == []


def test_few_blank_cells_are_not_worth_a_warning(mini_ws):
    path = mini_ws / "commune_status.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "TC19"] = ""  # one cell of 114: a genuine unknown
    df.to_csv(path, index=False)
    log = validate(load_workspace(mini_ws))
    assert [i for i in log.issues if i.check == "blank_cells"] == []


def test_swapped_vn2000_xy_is_put_back_in_its_commune(mini_ws):
    df = pd.read_csv(mini_ws / "projects.csv", dtype=str, keep_default_na=False)
    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x, y = tr.transform(df["kinh_do"].astype(float).to_numpy(),
                        df["vi_do"].astype(float).to_numpy())
    # Northing in X, easting in Y, as surveyors write them, for every row.
    df = df.drop(columns=["kinh_do", "vi_do"]).assign(X=[f"{v:.1f}" for v in y],
                                                       Y=[f"{v:.1f}" for v in x])
    df.to_csv(mini_ws / "projects.csv", index=False)
    _toml_replace(mini_ws, 'path = "projects.csv"', 'path = "projects.csv"\nxy_crs = "EPSG:9205"')
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    inp = load_inputs(ws, log)
    assert [i.check for i in log.errors] == ["xy_swapped"] * 3
    assert [i.row for i in log.errors] == [2, 3, 4]
    got = inp.projects.geometry.to_numpy()
    assert np.allclose(shapely.get_x(got), x, atol=0.1)
    assert np.allclose(shapely.get_y(got), y, atol=0.1)
    # Nothing is left 2.733 km away: every project lies in its declared commune.
    assert not [i for i in log.issues if i.check == "outside_commune"]


@pytest.mark.parametrize("value", ["inf", "1e308", "-inf"])
def test_absurd_capital_is_reported_and_kept_out_of_the_totals(mini_ws, value):
    df = pd.read_csv(mini_ws / "projects.csv", dtype=str, keep_default_na=False)
    df.loc[1, "ns_trung_uong"] = value
    df.to_csv(mini_ws / "projects.csv", index=False)
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    pr = load_inputs(ws, log).projects
    assert np.isfinite(pr["cap_total"]).all()
    assert pr["cap_central"].iloc[1] == 0.0
    hit = [i for i in log.errors if i.column == "ns_trung_uong"]
    assert [(i.row, i.value) for i in hit] == [(3, value)]


def test_nul_byte_is_removed_so_the_name_is_not_cut(mini_ws):
    path = mini_ws / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Trường học xã 2", "Trường học\x00 xã 2"), encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    pr = load_inputs(ws, log).projects
    assert pr["name"].iloc[1] == "Trường học xã 2"
    (issue,) = [i for i in log.issues if i.check == "nul_byte"]
    assert (issue.severity, issue.row, issue.column) == ("warning", 3, "ten_du_an")


def test_rows_keep_their_spreadsheet_numbers_after_blank_lines(mini_ws):
    path = mini_ws / "projects.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # A blank line and a line of empty cells after the header, then the data.
    path.write_text("\n".join([lines[0], "", ",,,", *lines[1:]]) + "\n", encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    pr = load_inputs(ws, log).projects
    assert pr["_row"].tolist() == [4, 5, 6]
    assert log.errors == []


def test_production_without_location_is_a_warning_a_school_an_error(mini_ws):
    df = pd.read_csv(mini_ws / "projects.csv", dtype=str, keep_default_na=False)
    df.loc[0, "loai"] = "Phát triển sản xuất"
    df.loc[[0, 1], ["kinh_do", "vi_do"]] = ""
    df.to_csv(mini_ws / "projects.csv", index=False)
    log = validate(load_workspace(mini_ws), lang="en")
    got = {(i.row, i.severity) for i in log.issues if i.check == "no_location"}
    assert got == {(2, "warning"), (3, "error")}
    warn = next(i for i in log.warnings if i.check == "no_location")
    assert "not on the map" in warn.message


def test_commune_without_a_name_prints_its_code_not_nan(mini_ws):
    import geopandas as gpd

    g = gpd.read_file(mini_ws / "communes.geojson")
    g.loc[1, "ten_xa"] = None
    g.to_file(mini_ws / "communes.geojson")
    # A project of commune 00002 placed in commune 00001: the message names both.
    path = mini_ws / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "102.783309,22.440942", "102.734732,22.440870"), encoding="utf-8")
    log = validate(load_workspace(mini_ws), lang="en")
    text = " ".join(i.message for i in log.issues)
    assert "nan" not in text and "None" not in text
    outside = next(i for i in log.issues if i.check == "outside_commune")
    assert "(00002)" in outside.message


def test_build_fails_where_validate_reports_the_crosswalk(mini_ws):
    (mini_ws / "merger_2025.csv").write_text(
        "old_name,new_code,new_name\nXã Một,9001,Xã Mới\nXã Hai,9001,Xã Mới\n"
        "Xã Bốn,9002,Xã Khác\n", encoding="utf-8")
    _toml_replace(mini_ws, "[tables.projects]",
                  '[tables.crosswalk_2025]\npath = "merger_2025.csv"\n\n[tables.projects]')
    log = validate(load_workspace(mini_ws), lang="en")
    (issue,) = [i for i in log.errors if i.check == "crosswalk"]
    assert (issue.row, issue.value) == (4, "Xã Bốn")
    result = CliRunner().invoke(main, ["build", "-w", str(mini_ws), "--lang", "en"])
    assert result.exit_code == 1
    assert "Xã Bốn" in result.output


def test_row_ranges_read_as_a_person_writes_them():
    assert row_ranges([2, 3, 4, 5, 9, 12, 13]) == "2–5, 9, 12–13"
    assert row_ranges(range(2, 200, 2), limit=2) == "2, 4, … (+97)"


def test_trailing_separators_keep_cells_in_their_columns(mini_ws):
    # Some exports end data lines (not the header) with a separator: the cells must not
    # shift into the next column, nor the file be refused.
    path = mini_ws / "projects.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *(f"{ln}," for ln in lines[1:])]) + "\n",
                    encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    pr = load_inputs(ws, log).projects
    assert log.errors == []
    assert pr["project_id"].tolist() == ["DA01", "DA02", "DA03"]
    assert pr["cap_integrated"].tolist() == [2500.5] * 3


def test_geojson_name_with_nul_is_read_whole(mini_ws):
    path = mini_ws / "villages.geojson"
    path.write_text(path.read_text(encoding="utf-8").replace('"Bản 1-2"', '"Bản\\u0000 1-2"'),
                    encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    villages = load_inputs(ws, log).villages
    assert villages["name"].iloc[1] == "Bản 1-2"  # GDAL alone reads "Bản"
    (issue,) = [i for i in log.issues if i.check == "nul_byte"]
    assert (issue.row, issue.column) == (2, "ten_ban")


def test_a_truncated_elevation_raster_is_a_data_error_in_the_map(tmp_path):
    """map draws the hillshade from the whole raster: a file cut short names itself."""
    from ntmgis.core.errors import DataError
    from ntmgis.outputs.webmap.hillshade import render_hillshade

    src = Path(__file__).resolve().parent / "data" / "bad" / "in_elevation_truncated"
    with pytest.raises(DataError, match="elevation.tif"):
        render_hillshade(src / "elevation.tif")
