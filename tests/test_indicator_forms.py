"""The Excel form for indicator values: written with units and checks, read back as it is.

The workspace is the mini one with the test criteria set (tests/data/indicators/set.toml:
indicator 10 in million VND, 11 and 17.1 in %, 17.2 yes/no), as tests/test_indicators.py
makes it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ntmgis.core.criteria import COMMUNE_CRITERIA, criteria_set_from_dict
from ntmgis.core.errors import DataError, OutputExistsError, ValidationFailed
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs.forms import FILE_NAMES, HELP_SHEET, form_kind, read_form
from ntmgis.inputs.indicators import read_indicator_values
from ntmgis.inputs.load import load_inputs, workspace_criteria_set
from ntmgis.monitoring.build import build
from ntmgis.monitoring.compute import compute_layers
from ntmgis.outputs.forms import write_template, write_templates, write_workspace_templates

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "indicators"
FORM = FILE_NAMES["indicator_values"]


@pytest.fixture
def cset():
    return criteria_set_from_dict(tomllib.loads((DATA / "set.toml").read_text("utf-8")))


def _workspace(root: Path, values: str | None = None):
    """The mini workspace on the test set; ``values`` names its indicator table."""
    shutil.copy(DATA / "set.toml", root)
    cfg = (root / "ntmgis.toml").read_text("utf-8")
    cfg += '\n[criteria]\ncommune_set = "set.toml"\n'
    if values:
        cfg += f'\n[tables.indicator_values]\npath = "{values}"\n'
    (root / "ntmgis.toml").write_text(cfg, "utf-8")
    return load_workspace(root)


@pytest.fixture(scope="module")
def _form_root(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    # Written once for the module (a few seconds each time); each test gets its own copy.
    root = shutil.copytree(ROOT / "tests" / "data" / "mini",
                           tmp_path_factory.mktemp("form") / "mini",
                           ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*"))
    paths = write_workspace_templates(_workspace(root), folder=root / "forms")
    return root, paths


@pytest.fixture
def form(_form_root, tmp_path):
    """The indicator form written for the mini workspace into forms/, and the workspace
    (this test's own copy of both)."""
    src, written = _form_root
    root = shutil.copytree(src, tmp_path / "mini")
    paths = {kind: root / p.relative_to(src) for kind, p in written.items()}
    return paths, load_workspace(root)


def _fill(path: Path, cells: dict[str, object], formats: dict[str, str] | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    sheet = wb["ChiTieu"]
    for ref, v in cells.items():
        sheet[ref] = v
    for ref, fmt in (formats or {}).items():
        sheet[ref].number_format = fmt
    wb.save(path)


def _read(ws_root: Path, lang: str = "vi"):
    ws = load_workspace(ws_root)
    log = IssueLog(root=ws.root, lang=lang)
    return read_indicator_values(ws, log, workspace_criteria_set(ws)), log


# Rows 4-6 are 2024 (communes 00001, 00002, 00003), rows 7-9 are 2025; columns D-G are
# the indicators 10, 11, 17.1 and 17.2.
GOOD = {"D7": 46, "E7": 5.5, "F7": 80, "G7": "Đạt",
        "D8": 44, "E8": "7", "G8": "chưa đạt",
        "D5": 38.5,
        "A12": "00001", "B12": "Xã Một", "C12": 2023, "D12": 30}  # the base year, added


def test_the_form_has_a_column_per_indicator_with_unit_and_checks(form):
    paths, _ = form
    assert list(paths) == ["commune_status", "indicator_values", "projects"]
    path = paths["indicator_values"]
    assert path.name == FORM and form_kind(path) == "indicator_values"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["HuongDan", "ChiTieu", "DanhMuc"]
    assert wb.active.title == "ChiTieu" and wb["DanhMuc"].sheet_state == "hidden"
    ws = wb["ChiTieu"]
    assert ws["A1"].value == "BIỂU SỐ LIỆU CÁC CHỈ TIÊU NÔNG THÔN MỚI CỦA CÁC XÃ"
    headings = [ws.cell(row=2, column=j).value for j in range(1, 8)]
    assert headings == [
        "Mã xã", "Tên xã", "Năm",
        "10. Thu nhập bình quân đầu người khu vực nông thôn (triệu đồng/người/năm)",
        "11. Tỷ lệ nghèo đa chiều (%)",
        "17.1. Tỷ lệ hộ được sử dụng nước sạch (%)",
        "17.2. Cơ sở sản xuất kinh doanh bảo đảm quy định về bảo vệ môi trường",
    ]
    assert [ws.cell(row=3, column=j).value for j in range(1, 8)] == \
        ["code", "name", "year", "ct10", "ct11", "ct17.1", "ct17.2"]
    # one row per commune and year, codes as text, like the criteria form
    rows = [tuple(ws.cell(row=r, column=j).value for j in (1, 2, 3)) for r in range(4, 10)]
    assert rows == [("00001", "Xã Một", 2024), ("00002", "Xã Hai", 2024),
                    ("00003", "Xã Ba", 2024), ("00001", "Xã Một", 2025),
                    ("00002", "Xã Hai", 2025), ("00003", "Xã Ba", 2025)]
    assert ws["A4"].number_format == "@" and ws["A10"].value is None
    checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    amount, share, yes_no, year = checks["D4:D209"], checks["E4:F209"], checks["G4:G209"], \
        checks["C4:C209"]
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThanOrEqual",
                                                               "0")
    assert (share.type, share.operator, share.formula1, share.formula2) == \
        ("decimal", "between", "0", "100")
    assert (yes_no.type, yes_no.formula1) == ("list", "DanhMuc!$C$2:$C$3")
    assert [wb["DanhMuc"]["C2"].value, wb["DanhMuc"]["C3"].value] == ["Đạt", "Chưa đạt"]
    # the year before the first is the plan's base year (income of 2020 for 2021-2025)
    assert (year.type, year.formula1, year.formula2) == ("whole", "2023", "2025")
    assert all(dv.errorStyle == "stop" and dv.error for dv in (amount, share, yes_no))
    assert "0 đến 100" in share.error and "không âm" in amount.error
    help_text = "\n".join(str(c.value) for row in wb[HELP_SHEET].iter_rows() for c in row
                          if c.value is not None)
    assert "Tỷ lệ nghèo đa chiều — đơn vị: %; nhập số từ 0 đến 100" in help_text
    assert ("Thu nhập bình quân đầu người khu vực nông thôn — đơn vị: triệu đồng/người/năm; "
            "nhập số không âm (≥ 0)") in help_text
    assert "chọn Đạt hoặc Chưa đạt" in help_text and "năm 2023" in help_text
    assert "từ 2023 đến 2025" in help_text and "ChiTieu!F12" in help_text


def test_the_form_prints_like_the_others(form):
    wb = openpyxl.load_workbook(form[0]["indicator_values"])
    for sheet in (wb["ChiTieu"], wb[HELP_SHEET]):
        ps = sheet.page_setup
        assert ps.orientation == "landscape" and int(ps.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(ps.fitToWidth) == 1
        assert sheet["A1"].font.name == "Times New Roman"
    ws = wb["ChiTieu"]
    assert ws.print_title_rows == "$2:$3" and ws.print_title_cols == "$A:$C"
    assert ws.freeze_panes == "D4"
    assert ws.cell(row=4, column=5).font.name == "Times New Roman"
    # the longest heading (70 characters in a column of width 20) is not cut
    assert ws.row_dimensions[2].height >= 15 * 5


def test_english_headings(mini_ws):
    ws = _workspace(mini_ws)
    paths = write_workspace_templates(ws, folder=mini_ws / "en", lang="en")
    sheet = openpyxl.load_workbook(paths["indicator_values"])["ChiTieu"]
    assert sheet["D2"].value == "10. Rural income per head (triệu đồng/người/năm)"
    assert sheet["G2"].value == "17.2. Businesses meeting environmental rules"
    help_text = " ".join(str(c.value) for row in
                         openpyxl.load_workbook(paths["indicator_values"])[HELP_SHEET]
                         .iter_rows() for c in row if c.value is not None)
    assert "Multidimensional poverty rate — unit: %; enter a number from 0 to 100" in help_text


def test_filled_form_is_read_as_a_wide_table(form):
    paths, ws = form
    path = paths["indicator_values"]
    _fill(path, {**GOOD, "F8": 0.9}, formats={"F8": "0%"})  # "90%" typed: 90
    _workspace_values(ws.root, f"forms/{FORM}")
    got, log = _read(ws.root)
    assert log.issues == []
    table = {(r["code"], r["year"], r["indicator"]): (r["value"], r["met"], r["_row"],
                                                       r["_column"])
             for r in got.to_dict("records")}
    assert {k: v[0] for k, v in table.items() if k[2] != "17.2"} == {
        ("00001", 2023, "10"): 30.0, ("00001", 2025, "10"): 46.0, ("00001", 2025, "11"): 5.5,
        ("00001", 2025, "17.1"): 80.0, ("00002", 2024, "10"): 38.5,
        ("00002", 2025, "10"): 44.0, ("00002", 2025, "11"): 7.0, ("00002", 2025, "17.1"): 90.0}
    assert {k: v[1] for k, v in table.items() if k[2] == "17.2"} == \
        {("00001", 2025, "17.2"): 1, ("00002", 2025, "17.2"): 0}
    assert table[("00001", 2023, "10")][2:] == (12, "ct10")  # the sheet's row, the key
    # the same values as a wide CSV of the same cells
    csv = ws.root / "values.csv"
    csv.write_text("ma_xa;nam;10;11;CT 17.1;17.2\n00001;2023;30;;;\n00002;2024;38,5;;;\n"
                   "00001;2025;46;5,5;80;Đạt\n00002;2025;44;7;90;chưa đạt\n", "utf-8")
    _workspace_values(ws.root, "values.csv", form="wide")
    wide, log = _read(ws.root)
    assert log.issues == []
    cols = ["code", "year", "indicator", "value", "met"]
    pd.testing.assert_frame_equal(got[cols], wide[cols])


def _workspace_values(root: Path, values: str, form: str | None = None) -> None:
    """Point ``[tables.indicator_values]`` of the workspace at ``values``."""
    cfg = (root / "ntmgis.toml").read_text("utf-8").split("\n[tables.indicator_values]")[0]
    cfg += f'\n[tables.indicator_values]\npath = "{values}"\n'
    if form:
        cfg += f'form = "{form}"\n'
    (root / "ntmgis.toml").write_text(cfg, "utf-8")


def test_filled_form_values_are_judged(form):
    paths, ws = form
    _fill(paths["indicator_values"], GOOD)
    _workspace_values(ws.root, f"forms/{FORM}")
    log = IssueLog(root=ws.root)
    layers = compute_layers(load_inputs(load_workspace(ws.root), log), log=log)
    assert not log.errors, [i.format() for i in log.errors]
    st = layers.indicator_status.set_index(["code", "year", "indicator"])
    # 2025 class A: income at least 45, poverty at most 13 %
    assert (st.loc[("00001", 2025, "10"), "met"], st.loc[("00001", 2025, "10"), "value"]) == \
        (1, 46.0)
    assert (st.loc[("00002", 2025, "10"), "met"], st.loc[("00002", 2025, "10"), "distance"]) \
        == (0, 1.0)
    assert st.loc[("00002", 2024, "10"), "distance"] == 6.5
    assert st.loc[("00001", 2025, "11"), "met"] == 1
    assert st.loc[("00001", 2025, "17.2"), "met"] == 1
    assert st.loc[("00002", 2025, "17.2"), "met"] == 0
    assert ("00001", 2023, "10") in st.index  # the base year is kept


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_bad_cells_are_errors_naming_sheet_and_cell(form, lang):
    paths, ws = form
    _fill(paths["indicator_values"],
          {**GOOD, "E9": 140, "D9": "hai", "D6": -5, "G9": "có lẽ", "F9": "80%"})
    _workspace_values(ws.root, f"forms/{FORM}")
    got, log = _read(ws.root, lang)
    found = {(i.severity, i.check, i.file, i.row, i.column, i.value): i for i in log.issues}
    file = f"forms/{FORM}"
    share = found[("error", "share_range", file, 9, "ct11", "140")]
    amount = found[("error", "negative", file, 6, "ct10", "-5")]
    text = found[("error", "not_a_number", file, 9, "ct10", "hai")]
    yes_no = found[("error", "bad_status_value", file, 9, "ct17.2", "có lẽ")]
    assert len(log.issues) == 4  # "80%" typed as text is a share of 80, no error
    assert got.set_index(["code", "year", "indicator"]).loc[("00003", 2025, "17.1"),
                                                            "value"] == 80.0
    if lang == "vi":
        assert share.message == "ChiTieu!E9: tỷ lệ 140 ngoài khoảng 0-100%"
        assert share.expected == "một tỷ lệ từ 0 đến 100"
        assert amount.message == "ChiTieu!D6: số âm -5 cho chỉ tiêu 10 (triệu đồng/người/năm)"
    else:
        assert share.message == "ChiTieu!E9: share 140 is outside 0-100%"
        assert amount.expected == "a number ≥ 0"
    assert text.message.startswith("ChiTieu!D9: ") and "hai" in text.message
    assert yes_no.message.startswith("ChiTieu!G9: ") and yes_no.expected
    # the build stops, naming the form
    with pytest.raises(ValidationFailed, match=FORM):
        build(load_workspace(ws.root))


def test_read_form_reads_the_indicator_form_strictly(form, cset):
    paths, ws = form
    path = paths["indicator_values"]
    _fill(path, GOOD)
    df = read_form(path, "indicator_values", criteria_set=cset, code_width=5, years=ws.years)
    assert list(df.columns) == ["code", "name", "year", "ct10", "ct11", "ct17.1", "ct17.2"]
    row = df[(df["code"] == "00001") & (df["year"] == 2025)].iloc[0]
    assert (row["ct10"], row["ct11"], row["ct17.1"], row["ct17.2"]) == (46.0, 5.5, 80.0, 1)
    assert str(df["ct17.2"].dtype) == "Int64" and df["ct10"].dtype == "float64"
    assert 2023 in set(df["year"])  # the base year
    _fill(path, {"E9": 140})
    with pytest.raises(DataError, match=r"^ChiTieu!E9: 140 ") as err:
        read_form(path, "indicator_values", criteria_set=cset)
    assert (err.value.row, err.value.column, err.value.value) == (9, "ct11", 140)
    _fill(path, {"E9": None, "G3": "ct99"})
    with pytest.raises(DataError, match=r"^ChiTieu!G3: .*'ct99'.*test-set"):
        read_form(path, "indicator_values", criteria_set=cset)


def test_another_form_is_not_read_as_indicator_values(form):
    paths, ws = form
    _workspace_values(ws.root, f"forms/{paths['commune_status'].name}")
    got, log = _read(ws.root, "en")
    assert got is None
    assert [(i.check, i.value) for i in log.errors] == [("form", "commune_status")]
    assert "not the indicator values form" in log.errors[0].message


def test_deterministic_and_never_overwritten(mini_ws, cset):
    communes = pd.DataFrame({"code": ["00001", "00002"], "name": ["=HYPERLINK(\"x\")", "Xã"]})
    a = write_templates(mini_ws / "a", communes=communes, criteria_set=cset, years=[2025])
    b = write_templates(mini_ws / "b", communes=communes, criteria_set=cset, years=[2025])
    assert a["indicator_values"].read_bytes() == b["indicator_values"].read_bytes()
    sheet = openpyxl.load_workbook(a["indicator_values"])["ChiTieu"]
    assert sheet["B4"].value == "=HYPERLINK(\"x\")" and sheet["B4"].data_type == "s"
    before = a["indicator_values"].read_bytes()
    with pytest.raises(OutputExistsError):
        write_template(a["indicator_values"], "indicator_values", communes=communes.iloc[:1],
                       criteria_set=cset)
    assert a["indicator_values"].read_bytes() == before
    write_template(a["indicator_values"], "indicator_values", communes=communes.iloc[:1],
                   criteria_set=cset, overwrite=True)
    assert a["indicator_values"].read_bytes() != before
    with pytest.raises(ValueError, match="no indicators"):
        write_template(mini_ws / "x.xlsx", "indicator_values", criteria_set=COMMUNE_CRITERIA)


def test_the_sample_set_has_no_indicators_and_its_forms_are_unchanged(tmp_path):
    """QĐ 318 as shipped has no indicators: no indicator form, the three forms byte for byte
    as the sample's manifest pins them."""
    from click.testing import CliRunner

    from ntmgis.cli import main

    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    shutil.copy(ROOT / "ntmgis.toml", ws_dir)
    shutil.copytree(ROOT / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    res = CliRunner().invoke(main, ["forms", "-w", str(ws_dir)])
    assert res.exit_code == 0, res.output
    assert FORM not in res.output
    assert "Không ghi biểu số liệu chỉ tiêu: bộ tiêu chí 'qd318-2022' chưa có chỉ tiêu" \
        in res.output
    folder = ws_dir / "templates"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(FILE_NAMES[k] for k in ("commune_status", "village_status",
                                                   "projects"))
    manifest = json.loads((ROOT / "tests" / "data" / "golden" / "sample_manifest.json")
                          .read_text("utf-8"))
    for name in names:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest == manifest[f"templates/{name}"], name
    en = CliRunner().invoke(main, ["forms", "-w", str(ws_dir), "-o", str(tmp_path / "en"),
                                   "--lang", "en"])
    assert "No indicator values form: the criteria set 'qd318-2022' has no indicators" \
        in en.output


def test_the_form_prints_with_libreoffice(form, tmp_path):
    """LibreOffice prints the indicator form on A4 landscape: instructions on one page, the
    form on one page (four indicators, one page across)."""
    import subprocess

    soffice, pdfinfo = shutil.which("soffice"), shutil.which("pdfinfo")
    if not soffice or not pdfinfo:
        pytest.skip("LibreOffice (soffice) and poppler (pdfinfo) are not installed")
    path = form[0]["indicator_values"]
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=240)
    info = subprocess.run([pdfinfo, str(out / (path.stem + ".pdf"))], check=True,
                          capture_output=True, text=True).stdout
    pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
    size = next(ln for ln in info.splitlines() if ln.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4]) and pages == 2
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out / (path.stem + ".pdf")), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "HƯỚNG DẪN ĐIỀN BIỂU" in text and "Tỷ lệ nghèo đa chiều" in text
