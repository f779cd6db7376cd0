"""Outputs are safe to open and never destroy what they were made from (issue 12, items 6-7).

* every CSV and XLSX writer neutralises a name that a spreadsheet would run as a
  formula, and the Excel forms read such a name back exactly;
* no output path may be an input of the workspace, even with ``--overwrite``;
* the web-map set is replaced all together or not at all; temporary files of a
  killed run are removed by the next; two builds of one workspace cannot run at once.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.errors import (
    DataWarning,
    OutputExistsError,
    OutputIsInputError,
    WorkspaceBusyError,
    WorkspaceError,
)
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.safe_write import (
    LOCK_NAME,
    atomic_output,
    atomic_set,
    check_output_paths,
    refuse_input,
    remove_stale_temps,
    workspace_lock,
)
from ntmgis.core.spreadsheet import csv_cell, csv_frame, is_formula_like
from ntmgis.core.workspace import load_workspace

MINI = Path(__file__).resolve().parent / "data" / "mini"
HYPERLINK = '=HYPERLINK("http://example.invalid/","Xã Một")'
DDE = "=cmd|' /C calc'!A0"


def _sha(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(scope="module")
def evil_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini workspace with formula-like names (a commune, a project), built once."""
    from ntmgis.monitoring.build import build

    ws = Path(shutil.copytree(MINI, tmp_path_factory.mktemp("evil") / "mini"))
    for name in ("communes.geojson", "commune_status.csv"):
        p = ws / name
        text = p.read_text(encoding="utf-8")
        # JSON needs its quotes escaped, CSV a quoted field
        new = HYPERLINK.replace('"', '\\"') if name.endswith("json") else \
            '"' + HYPERLINK.replace('"', '""') + '"'
        p.write_text(text.replace("Xã Một", new), encoding="utf-8")
    pr = ws / "projects.csv"
    pr.write_text(pr.read_text(encoding="utf-8").replace("Trường học xã 1", "@SUM(1+1)*cmd"),
                  encoding="utf-8")
    build(load_workspace(ws), overwrite=True)
    return ws


@pytest.fixture
def built(evil_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built workspace, for tests that write into it."""
    return Path(shutil.copytree(evil_built, tmp_path / "ws"))


# ------------------------------------------------------------- item 6: CSV


@pytest.mark.parametrize(("text", "live"), [
    ("=1+1", True), (HYPERLINK, True), (DDE, True), ("+cmd", True), ("-2+3", True),
    ("@SUM(A1)", True), ("\t=1", True), ("\r=1", True), ("=", True), ("-5 ", True),
    ("-5", False), ("-12,5", False), ("-1.234,5", False), ("+84", False), ("-1e5", False),
    ("-", False), ("+", False), ("Bản Nà", False), ("", False), ("5-3", False),
])
def test_which_text_a_spreadsheet_would_run(text, live):
    assert is_formula_like(text) is live
    assert csv_cell(text) == ("'" + text if live else text)


def test_csv_frame_quotes_text_and_leaves_numbers_alone():
    df = pd.DataFrame({"name": [HYPERLINK, "-5", "Bản Nà", None],
                       "gap": [-1, -2, 3, 4], "share": [-0.5, 0.1, 0.2, None],
                       "=head": pd.array(["@x", "y", None, "z"], dtype="string")})
    out = csv_frame(df)
    assert list(out["name"][:3]) == ["'" + HYPERLINK, "-5", "Bản Nà"]
    assert pd.isna(out["name"].iloc[3]) and out["name"].dtype == df["name"].dtype
    assert out["gap"].dtype == df["gap"].dtype and list(out["gap"]) == [-1, -2, 3, 4]
    assert out["share"].equals(df["share"])
    assert list(out.columns) == ["name", "gap", "share", "'=head"]
    assert out["'=head"].dtype == df["=head"].dtype and out["'=head"].iloc[0] == "'@x"
    assert df["name"].iloc[0] == HYPERLINK  # the caller's frame is untouched


def test_query_csv_and_summary_csv_are_neutralised(built, monkeypatch):
    """``query projects --csv``, ``query gaps --csv --summary-csv``: the safe writer."""
    import ntmgis.analysis.results as results

    seen: list[Path] = []
    real = results.write_csv

    def spy(result, path, **kw):
        seen.append(Path(path))
        return real(result, path, **kw)

    monkeypatch.setattr(results, "write_csv", spy)
    runner = CliRunner()
    res = runner.invoke(main, ["query", "projects", "-w", str(built), "--csv",
                               str(built / "p.csv")])
    assert res.exit_code == 0, res.output
    rows = _read_csv(built / "p.csv")
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert "'@SUM(1+1)*cmd" in names and "@SUM(1+1)*cmd" not in names
    res = runner.invoke(main, ["query", "gaps", "-w", str(built), "--year", "2024",
                               "--csv", str(built / "g.csv"), "--summary-csv",
                               str(built / "s.csv")])
    assert res.exit_code == 0, res.output
    cells = [c for r in _read_csv(built / "g.csv") for c in r]
    assert "'" + HYPERLINK in cells and HYPERLINK not in cells
    assert built / "s.csv" in seen  # --summary-csv goes through results.write_csv
    assert not any(c.startswith(("=", "@")) for r in _read_csv(built / "s.csv") for c in r)


def test_validation_csv_is_neutralised(tmp_path):
    log = IssueLog()
    log.error("unknown_code", "issue_text", file="projects.csv", row=2, column="ma_xa",
              value=DDE, text="x")
    log.warning("name_mismatch", "issue_text", file="communes.geojson", row=3,
                column="ten_xa", value="-12,5", text="y")
    log.write_csv(tmp_path / "validation.csv")
    rows = _read_csv(tmp_path / "validation.csv")
    values = [r[rows[0].index("value")] for r in rows[1:]]
    assert values == ["'" + DDE, "-12,5"]


def test_report_csvs_are_neutralised(tmp_path):
    from ntmgis.outputs.report import PlanReport, write_report

    frame = pd.DataFrame({"Tên": [HYPERLINK, "Xã Hai"], "Số xã": [-1, 2]})
    rep = PlanReport(title="t", criteria=frame, headline=frame.copy(), funding=frame.copy())
    write_report(rep, tmp_path / "reports")
    for name in ("criteria.csv", "targets.csv", "funding.csv"):
        rows = _read_csv(tmp_path / "reports" / name)
        assert rows[1] == ["'" + HYPERLINK, "-1"] and rows[2] == ["Xã Hai", "2"]


# ------------------------------------------------------------ item 6: XLSX


def _formula_cells(path: Path) -> list[tuple[str, str, str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [(s.title, c.coordinate, str(c.value)) for s in wb.worksheets
            for row in s.iter_rows() for c in row if c.data_type == "f"]


def test_forms_store_formula_names_as_text_and_read_them_back(tmp_path):
    from openpyxl import load_workbook

    from ntmgis.core.criteria import village_set_from_rows
    from ntmgis.inputs.forms import read_form
    from ntmgis.outputs.forms import write_templates

    names = [HYPERLINK, "+cmd", "-5", "@SUM(A1)", DDE]
    communes = pd.DataFrame({"code": [f"0000{i}" for i in range(1, 6)], "name": names})
    villages = pd.DataFrame({"code": ["0000101", "0000102"], "name": ["=1+1", "-Bản"],
                             "commune_code": ["00001", "00002"]})
    vset = village_set_from_rows([{"number": 1, "name_vi": "Điện", "name_en": "Power"}],
                                 key="village", name_vi="Bộ bản", name_en="Village set")
    paths = write_templates(tmp_path, communes=communes, villages=villages, village_set=vset,
                            years=[2025])
    back = read_form(paths["commune_status"], "commune_status", years=[2025])
    assert list(back["name"]) == names
    vback = read_form(paths["village_status"], "village_status", years=[2025])
    assert list(vback["name"]) == ["=1+1", "-Bản"]
    assert list(vback["commune_name"]) == [HYPERLINK, "+cmd"]
    # the names are string cells with the quote prefix (text when a person edits them)
    sheet = load_workbook(paths["commune_status"])["TieuChi"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HYPERLINK]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    # no formula anywhere but the form's own row total of Biểu 04
    for kind, p in paths.items():
        found = _formula_cells(p)
        if kind == "projects":
            assert found and all(v.startswith("=IF(COUNT(") for _, _, v in found)
        else:
            assert found == []


def test_forms_replace_control_characters_and_say_so(tmp_path):
    from ntmgis.inputs.forms import read_form
    from ntmgis.outputs.forms import write_template

    communes = pd.DataFrame({"code": ["00001", "00002"], "name": ["Bản\x01\x02Nà", "Xã\x1fHai"]})
    path = tmp_path / "xa.xlsx"
    with pytest.warns(DataWarning, match=r"2 ô có ký tự điều khiển.*Bản\\x01"):
        write_template(path, "commune_status", communes=communes, years=[2025])
    back = read_form(path, "commune_status", years=[2025])
    assert list(back["name"]) == ["Bản Nà", "Xã Hai"]
    with pytest.warns(DataWarning, match="2 cells held control characters"):
        write_template(path, "commune_status", communes=communes, years=[2025], lang="en",
                       overwrite=True)


# ----------------------------------------------- item 7: outputs never clobber inputs


def test_build_onto_an_input_is_refused_and_the_input_kept(built):
    from ntmgis.monitoring.build import build

    ws = load_workspace(built)
    before = _sha(built)
    for name in ("villages.geojson", "ntmgis.toml", "projects.csv"):
        with pytest.raises(OutputIsInputError, match=name):
            build(ws, output=built / name, overwrite=True)
    with pytest.raises(OutputIsInputError, match="input of the workspace"):
        build(ws, output=built / "sub" / ".." / "communes.geojson", overwrite=True, lang="en")
    assert _sha(built) == before
    assert not (built / LOCK_NAME).exists()


@pytest.mark.parametrize("args", [
    ["query", "projects", "--csv", "{ws}/projects.csv", "--overwrite"],
    ["query", "gaps", "--map", "{ws}/ntmgis.toml", "--overwrite"],
    ["query", "gaps", "--geojson", "{ws}/communes.geojson", "--overwrite"],
    ["validate", "--csv", "{ws}/commune_status.csv", "--overwrite"],  # no ws passed down
], ids=["query-csv", "query-map", "query-geojson", "validate-csv"])
def test_query_outputs_onto_inputs_are_refused(built, args):
    before = _sha(built)
    argv = [a.replace("{ws}", str(built)) for a in args] + ["-w", str(built)]
    res = CliRunner().invoke(main, argv)
    assert res.exit_code == 2, res.output
    assert "dữ liệu đầu vào" in res.output and "Traceback" not in res.output
    assert _sha(built) == before


def test_shapefile_sidecars_and_other_spellings_are_inputs(tmp_path):
    ws_dir = Path(shutil.copytree(MINI, tmp_path / "ws"))
    toml = ws_dir / "ntmgis.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'path = "villages.geojson"', 'path = "shp/villages.shp"'), encoding="utf-8")
    ws = load_workspace(ws_dir)
    for name in ("shp/villages.dbf", "shp/villages.prj", "shp/VILLAGES.shx", "./ntmgis.toml"):
        with pytest.raises(OutputIsInputError):
            refuse_input(ws_dir / name, ws)
    for name in ("shp/villages.csv", "shp/villages.html", "villages.dbf"):
        assert refuse_input(ws_dir / name, ws) == ws_dir / name
    # without the workspace, the one holding the path is asked (its ntmgis.toml found above it)
    with pytest.raises(OutputIsInputError):
        refuse_input(ws_dir / "shp" / "villages.dbf")
    os.link(ws_dir / "projects.csv", ws_dir / "hard_link.csv")
    with pytest.raises(OutputIsInputError):
        refuse_input(ws_dir / "hard_link.csv", ws)


def test_output_paths_outside_the_workspace_need_the_key(tmp_path):
    ws_dir = Path(shutil.copytree(MINI, tmp_path / "ws"))
    toml = ws_dir / "ntmgis.toml"
    base = toml.read_text(encoding="utf-8")
    toml.write_text(base + '\n[output]\nreports = "../shared/reports"\n', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"\[output\] reports = \.\./shared/reports"):
        check_output_paths(load_workspace(ws_dir))
    toml.write_text(base + '\n[output]\nreports = "../shared/reports"\noutside_workspace = true\n',
                    encoding="utf-8")
    check_output_paths(load_workspace(ws_dir))
    toml.write_text(base + '\n[output]\nmaps = "out/maps"\n', encoding="utf-8")
    check_output_paths(load_workspace(ws_dir))  # inside: nothing to say


# ------------------------------------------------ item 7: the map set, temporaries


def test_interrupted_map_run_leaves_the_previous_set(built, monkeypatch):
    import ntmgis.outputs.webmap.monitoring as mon

    ws = load_workspace(built)
    paths = mon.render_maps(ws, overwrite=True)
    before = {p: p.read_bytes() for p in paths}
    real, calls = mon.assemble_page, []

    def failing(*args, **kw):
        calls.append(1)
        if len(calls) == 5:  # the fifth page of twenty-one
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(mon, "assemble_page", failing)
    with pytest.raises(KeyboardInterrupt):
        mon.render_maps(ws, overwrite=True, lang="en")
    assert {p: p.read_bytes() for p in paths} == before
    leftovers = [p for p in Path(ws.maps_dir).rglob(".*")]
    assert leftovers == []
    monkeypatch.setattr(mon, "assemble_page", real)
    english = mon.render_maps(ws, overwrite=True, lang="en")
    assert all('lang="en"' in p.read_text(encoding="utf-8") for p in english)


def test_atomic_set_puts_the_old_set_back_when_a_rename_fails(tmp_path, monkeypatch):
    import ntmgis.core.safe_write as sw

    targets = [tmp_path / "a.html", tmp_path / "sub" / "b.html", tmp_path / "c.html"]
    for p in targets:
        p.parent.mkdir(exist_ok=True)
        p.write_text("old " + p.name, encoding="utf-8")
    real, n = os.replace, []

    def flaky(src, dst):
        n.append(1)
        if len(n) == 4:  # after a.html is swapped, while b.html is
            raise OSError("disk gone")
        return real(src, dst)

    monkeypatch.setattr(sw.os, "replace", flaky)
    with pytest.raises(OSError, match="disk gone"), atomic_set(targets, overwrite=True) as st:
        for p in targets:
            st.path(p).write_text("new " + p.name, encoding="utf-8")
    monkeypatch.setattr(sw.os, "replace", real)
    assert [p.read_text(encoding="utf-8") for p in targets] == [
        "old a.html", "old b.html", "old c.html"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(OutputExistsError):  # refused before anything is staged
        with atomic_set(targets) as st:
            pass


def test_stale_temporaries_are_removed_by_the_next_run(tmp_path):
    dead, mine = _dead_pid(), os.getpid()
    old = 1_000_000_000  # 2001: long past the age limit of names without a process id
    stale = [
        tmp_path / f".monitoring.ntmgis-{dead}-abcd1234.tmp.gpkg",
        tmp_path / f".monitoring.ntmgis-{dead}-abcd1234.tmp.gpkg-journal",
        tmp_path / ".monitoring.k2j3h4g5.gpkg.tmp.gpkg",  # older ntmgis, killed long ago
        tmp_path / ".appendix-q1w2e3r4",
        tmp_path / f".ntmgis-set-{dead}-zxcvbnm1",
    ]
    kept = [
        tmp_path / f".monitoring.ntmgis-{mine}-abcd1234.tmp.gpkg",  # a run under way
        tmp_path / ".monitoring.a1b2c3d4.gpkg.tmp.gpkg",  # recent: its writer may still run
        tmp_path / ".hidden_notes.txt",
        tmp_path / "monitoring.gpkg",
    ]
    for p in stale + kept:
        if p.name.startswith((".appendix-", ".ntmgis-set-")):
            p.mkdir()
            (p / "page.png").write_bytes(b"x")
        else:
            p.write_bytes(b"x")
    for p in stale[2:4]:
        os.utime(p, (old, old))
    with atomic_output(tmp_path / "gaps.csv") as tmp:
        tmp.write_text("a\n", encoding="utf-8")
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert remove_stale_temps(tmp_path) == []


def test_build_removes_what_a_killed_build_left(built):
    from ntmgis.monitoring.build import build

    layers = built / "layers"
    left = layers / f".monitoring.ntmgis-{_dead_pid()}-abcd1234.tmp.gpkg"
    left.write_bytes(b"half a GeoPackage")
    build(load_workspace(built), overwrite=True)
    assert sorted(p.name for p in layers.iterdir()) == ["monitoring.gpkg"]


# ------------------------------------------------------------- item 7: the lock


def test_a_second_build_is_refused_while_the_first_holds_the_lock(built):
    from ntmgis.monitoring.build import build

    ws = load_workspace(built)
    gpkg = built / "layers" / "monitoring.gpkg"
    before = gpkg.read_bytes()
    with workspace_lock(ws) as lock:
        assert lock.read_text(encoding="utf-8").split("\n")[0] == str(os.getpid())
        with pytest.raises(WorkspaceBusyError, match=f"tiến trình {os.getpid()}"):
            build(ws, overwrite=True)
        res = CliRunner().invoke(main, ["build", "-w", str(built), "--overwrite",
                                        "--lang", "en"])
        assert res.exit_code == 3, res.output
        assert f"process {os.getpid()}" in res.output and LOCK_NAME in res.output
        res = CliRunner().invoke(main, ["query", "gaps", "-w", str(built), "--gpkg",
                                        "--csv", str(built / "g.csv")])
        assert res.exit_code == 3 and "đang được một lệnh khác ghi" in res.output
        assert not (built / "g.csv").exists()  # refused before any output is written
    assert gpkg.read_bytes() == before
    assert not (built / LOCK_NAME).exists()
    build(ws, overwrite=True)  # released: the next build runs


def test_a_lock_left_by_a_killed_build_is_taken_over(built):
    from ntmgis.monitoring.build import build

    (built / LOCK_NAME).write_text(f"{_dead_pid()}\nhost\n2026-01-01T00:00:00\n",
                                   encoding="utf-8")
    build(load_workspace(built), overwrite=True)
    assert not (built / LOCK_NAME).exists()
