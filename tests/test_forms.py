"""Excel templates: written, filled in as an office would, and read back without loss."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ntmgis.core.criteria import COMMUNE_CRITERIA, village_set_from_rows
from ntmgis.core.errors import DataError, OutputExistsError
from ntmgis.inputs.forms import FILE_NAMES, HELP_SHEET, SHEET_NAMES, form_kind, read_form
from ntmgis.outputs.forms import write_templates

COMMUNES = pd.DataFrame({
    "code": ["03433", "03436", "03439", "03442"],
    "name": ["Thị trấn Mường Tè", "Xã Thu Lũm", "Xã Ka Lăng", "Xã Pa ủ"],
    "in_programme": [False, True, True, True],
})
VILLAGES = pd.DataFrame({
    "code": ["0343601", "0343602", "0343901"],
    "name": ["Bản Ma Lù Thàng", "Bản Pa Thắng", "Bản Ka Lăng"],
    "commune_code": ["03436", "03436", "03439"],
})
VILLAGE_SET = village_set_from_rows(
    [{"number": 1, "name_vi": "Giao thông", "name_en": "Transport"},
     {"number": 2, "name_vi": "Điện", "name_en": "Electricity"},
     {"number": 3, "name_vi": "Nhà văn hóa", "name_en": "Cultural house"}],
    key="lai-chau-demo", name_vi="Bộ tiêu chí bản (minh họa)",
)


@pytest.fixture(scope="module")
def _written(tmp_path_factory):
    # Written once for the module (about a second each time); each test gets its own copy.
    return write_templates(tmp_path_factory.mktemp("forms") / "bieu", communes=COMMUNES,
                           villages=VILLAGES, village_set=VILLAGE_SET, years=[2024, 2025])


@pytest.fixture()
def templates(_written, tmp_path):
    """The three templates for ``COMMUNES``/``VILLAGES``: this test's own copies."""
    folder = tmp_path / "bieu"
    folder.mkdir()
    return {kind: Path(shutil.copy2(path, folder / path.name)) for kind, path in _written.items()}


def _keys(ws):
    return {ws.cell(row=3, column=j).value: j for j in range(1, ws.max_column + 1)}


def test_templates_layout(templates):
    assert set(templates) == {"commune_status", "village_status", "projects"}
    wb = openpyxl.load_workbook(templates["commune_status"])
    assert wb.sheetnames == ["HuongDan", "TieuChi", "DanhMuc"]
    assert wb["DanhMuc"].sheet_state == "hidden"
    ws = wb["TieuChi"]
    assert wb.active.title == "TieuChi"
    assert ws.freeze_panes == "D4"
    assert ws["A2"].value == "Mã xã" and ws["C2"].value == "Năm"
    assert ws["D2"].value == "TC1. Quy hoạch" and ws["V2"].value == "TC19. Quốc phòng và An ninh"
    # the township is not in the programme: 3 communes x 2 years, codes as text
    codes = [ws.cell(row=r, column=1).value for r in range(4, 10)]
    assert codes == ["03436", "03439", "03442"] * 2
    assert all(ws.cell(row=r, column=1).number_format == "@" for r in range(4, 10))
    assert [ws.cell(row=r, column=3).value for r in (4, 7)] == [2024, 2025]
    # one drop-down over every criterion cell, Đạt / Chưa đạt
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert str(lists[0].sqref) == "D4:V209"
    assert [wb["DanhMuc"]["C2"].value, wb["DanhMuc"]["C3"].value] == ["Đạt", "Chưa đạt"]
    years = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert str(years[0].sqref) == "C4:C209"
    help_text = " ".join(str(c.value) for row in wb["HuongDan"].iter_rows() for c in row
                         if c.value)
    assert "giữ số 0 ở đầu" in help_text and "TieuChi!F12" in help_text

    wb = openpyxl.load_workbook(templates["projects"])
    ws = wb["DuAn"]
    keys = _keys(ws)
    assert ws.freeze_panes == "C4"
    assert ws.cell(row=2, column=keys["cap_central"]).value == "Ngân sách Trung ương"
    by_type = {}
    for dv in ws.data_validations.dataValidation:
        by_type.setdefault(dv.type, []).append(dv)
    formulas = {dv.formula1 for dv in by_type["list"]}
    assert formulas == {"DanhMuc!$D$2:$D$14", "DanhMuc!$E$2:$E$4", "DanhMuc!$F$2:$F$20",
                        "DanhMuc!$G$2:$G$4"}
    decimal_cols = " ".join(str(dv.sqref) for dv in by_type["decimal"])
    assert decimal_cols.split() == ["L4:Q203", "S4:S203", "T4:T203", "U4:U203"]  # money, lon, lat
    assert wb["DanhMuc"]["E2"].value == "Chuẩn bị đầu tư"
    assert wb["DanhMuc"]["F6"].value == "5 - Trường học"

    ws = openpyxl.load_workbook(templates["village_status"])["TieuChiBan"]
    rows = [[ws.cell(row=r, column=j).value for j in range(1, 6)] for r in (4, 6)]
    assert rows == [["0343601", "Bản Ma Lù Thàng", "03436", "Xã Thu Lũm", 2024],
                    ["0343901", "Bản Ka Lăng", "03439", "Xã Ka Lăng", 2024]]
    assert ws.cell(row=2, column=6).value == "TC1. Giao thông"


def test_templates_in_english(tmp_path):
    paths = write_templates(tmp_path, communes=COMMUNES, lang="en")
    ws = openpyxl.load_workbook(paths["projects"])["DuAn"]
    assert ws["B2"].value == "Project"
    assert openpyxl.load_workbook(paths["commune_status"])["TieuChi"]["D2"].value == \
        "TC1. Planning"


def test_templates_are_deterministic(tmp_path):
    a = write_templates(tmp_path / "a", communes=COMMUNES, villages=VILLAGES,
                        village_set=VILLAGE_SET)
    b = write_templates(tmp_path / "b", communes=COMMUNES, villages=VILLAGES,
                        village_set=VILLAGE_SET)
    for kind in a:
        assert a[kind].read_bytes() == b[kind].read_bytes(), kind


def test_refuses_to_overwrite(tmp_path):
    write_templates(tmp_path, communes=COMMUNES)
    before = (tmp_path / FILE_NAMES["projects"]).read_bytes()
    with pytest.raises(OutputExistsError):
        write_templates(tmp_path, communes=COMMUNES.iloc[:2])
    assert (tmp_path / FILE_NAMES["projects"]).read_bytes() == before
    write_templates(tmp_path, communes=COMMUNES.iloc[:2], overwrite=True)
    assert (tmp_path / FILE_NAMES["projects"]).read_bytes() != before


def test_commune_status_round_trip(templates, tmp_path):
    rng = np.random.default_rng(7)
    path = templates["commune_status"]
    wb = openpyxl.load_workbook(path)
    ws = wb["TieuChi"]
    expected = []
    for r in range(4, 10):
        code, name, year = (ws.cell(row=r, column=j).value for j in (1, 2, 3))
        row = {"code": code, "name": name, "year": year}
        for n in range(1, 20):
            v = rng.choice([1, 0, None], p=[0.6, 0.3, 0.1])
            row[f"tc{n:02d}"] = v
            ws.cell(row=r, column=3 + n, value={1: "Đạt", 0: "Chưa đạt", None: None}[v])
        expected.append(row)
    # what offices also type: x, 1, 0, lower case, decomposed Unicode (NFD)
    ws["D4"] = "x"
    expected[0]["tc01"] = 1
    ws["E4"] = 0
    expected[0]["tc02"] = 0
    ws["F4"] = unicodedata.normalize("NFD", "chưa đạt")
    expected[0]["tc03"] = 0
    ws["B5"] = unicodedata.normalize("NFD", "Xã Ka Lăng")
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    got = read_form(filled, "commune_status")
    want = pd.DataFrame(expected)
    for c in [f"tc{n:02d}" for n in range(1, 20)] + ["year"]:
        want[c] = pd.array(want[c], dtype="Int64")
    pd.testing.assert_frame_equal(got, want)
    assert got.loc[1, "name"] == unicodedata.normalize("NFC", "Xã Ka Lăng")
    assert form_kind(filled) == "commune_status"
    assert form_kind(templates["projects"]) == "projects"


def test_rows_keep_their_sheet_numbers_after_a_blank_row(templates, tmp_path):
    """A row left blank is skipped, yet later rows are still named by Excel's row number."""
    from types import SimpleNamespace

    from ntmgis.core.issue_log import IssueLog
    from ntmgis.inputs.columns import ROW
    from ntmgis.inputs.tables import read_filled_form

    path = templates["commune_status"]
    wb = openpyxl.load_workbook(path)
    ws = wb["TieuChi"]
    for j in range(1, ws.max_column + 1):
        ws.cell(row=5, column=j).value = None  # the office cleared one line
    filled = tmp_path / "blank-row.xlsx"
    wb.save(filled)

    got = read_form(filled, "commune_status")
    assert got.attrs["sheet_rows"] == [4, 6, 7, 8, 9]
    table = read_filled_form(filled, "commune_status",
                             SimpleNamespace(code_width=5, years=[2024, 2025]),
                             IssueLog(root=tmp_path))
    assert table[ROW].tolist() == [4, 6, 7, 8, 9]
    assert table["code"].tolist() == got["code"].tolist()
    assert "sheet_rows" not in table.attrs


def test_village_status_round_trip(templates, tmp_path):
    wb = openpyxl.load_workbook(templates["village_status"])
    ws = wb["TieuChiBan"]
    ws["F4"], ws["G4"], ws["H4"] = "Đạt", "Chưa đạt", None
    ws["F9"] = "Đạt"
    wb.save(tmp_path / "v.xlsx")
    got = read_form(tmp_path / "v.xlsx", "village_status")
    assert list(got.columns) == ["code", "name", "commune_code", "commune_name", "year",
                                 "vc01", "vc02", "vc03"]
    assert len(got) == 6
    assert got.loc[0, ["vc01", "vc02"]].tolist() == [1, 0]
    assert got["vc03"].isna().all()
    assert got.loc[5, "code"] == "0343901" and got.loc[5, "vc01"] == 1


PROJECTS = [
    {"project_id": "DA001", "name": "Nâng cấp đường liên xã Thu Lũm - Ka Lăng",
     "category": "road", "commune_code": "03436", "commune_name": "Xã Thu Lũm",
     "village_code": None, "village_name": None, "criteria": "2", "year_start": 2022,
     "year_end": 2024, "status": "finished", "cap_central": 772.0, "cap_local": 99.0,
     "cap_integrated": 21.473, "cap_credit": 0.0, "cap_mobilised": 0.0,
     "cap_community": 148.0, "disbursed": 22.492, "lon": np.nan, "lat": np.nan,
     "note": None},
    {"project_id": "DA002", "name": "Trường mầm non bản Pa Thắng",
     "category": "school", "commune_code": "03436", "commune_name": "Xã Thu Lũm",
     "village_code": "0343602", "village_name": "Bản Pa Thắng", "criteria": "5;14",
     "year_start": 2023, "year_end": 2025, "status": "under_way", "cap_central": 1234.5,
     "cap_local": np.nan, "cap_integrated": 0.0, "cap_credit": 0.0, "cap_mobilised": 10.0,
     "cap_community": 0.125, "disbursed": 600.0, "lon": 102.811225, "lat": 22.375023,
     "note": "Vốn \"lồng ghép\" <b>chưa</b> về"},
]


def _fill_projects(path, rows, tmp_path, edits=None):
    wb = openpyxl.load_workbook(path)
    ws = wb["DuAn"]
    keys = _keys(ws)
    from ntmgis.core.i18n import label

    for i, row in enumerate(rows):
        r = 4 + i
        for k, v in row.items():
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if k in ("category", "status"):
                v = label(k, v, "vi")
            if k == "criteria" and ";" not in v:
                v = f"{v} - {COMMUNE_CRITERIA.get(int(v)).name_vi}"  # picked from the list
            ws.cell(row=r, column=keys[k], value=v)
    for (r, k), v in (edits or {}).items():
        ws.cell(row=r, column=keys[k]).value = v
    out = tmp_path / "projects_filled.xlsx"
    wb.save(out)
    return out


def test_projects_round_trip(templates, tmp_path):
    filled = _fill_projects(templates["projects"], PROJECTS, tmp_path)
    got = read_form(filled, "projects")
    want = pd.DataFrame(PROJECTS)
    for c in ("year_start", "year_end"):
        want[c] = pd.array(want[c], dtype="Int64")
    pd.testing.assert_frame_equal(got, want)


def test_projects_accept_office_spellings(templates, tmp_path):
    filled = _fill_projects(templates["projects"], PROJECTS, tmp_path, edits={
        (4, "criteria"): "2, 5",
        (4, "status"): "hoàn thành",
        (4, "category"): "Road",
        (5, "cap_central"): "1.234,5",
        (5, "year_end"): "2025",
        (5, "commune_code"): 3436,  # Excel turned the code into a number
    })
    got = read_form(filled, "projects", code_width=5)
    assert got.loc[0, ["criteria", "status", "category"]].tolist() == ["2;5", "finished", "road"]
    assert got.loc[1, "cap_central"] == 1234.5
    assert got.loc[1, "year_end"] == 2025
    assert got.loc[1, "commune_code"] == "03436"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({(5, "cap_local"): "nhiều"}, r"^DuAn!M5: 'nhiều' không phải là số"),
        ({(4, "cap_credit"): -3}, r"^DuAn!O4: số âm -3"),
        ({(4, "year_start"): 22}, r"^DuAn!I4: '22' không phải năm"),
        ({(4, "status"): "xong"}, r"^DuAn!K4: giá trị 'xong' không hợp lệ"),
        ({(5, "criteria"): "5;20"}, r"^DuAn!H5: '5;20' không phải danh sách tiêu chí"),
        ({(5, "commune_code"): 3436}, r"^DuAn!D5: mã '3436' là số"),
        ({(5, "lat"): 122.3}, r"^DuAn!U5: 122.3 ngoài khoảng"),
        ({(5, "project_id"): "DA001"}, r"^DuAn!A5: DA001 bị trùng với dòng 4"),
        ({(5, "name"): None}, r"^DuAn!B5: ô trống"),
    ],
)
def test_projects_bad_cells_name_sheet_and_cell(templates, tmp_path, edit, message):
    filled = _fill_projects(templates["projects"], PROJECTS, tmp_path, edits=edit)
    with pytest.raises(DataError, match=message) as info:
        read_form(filled, "projects")
    assert info.value.path == str(filled)
    assert info.value.row == next(iter(edit))[0]


def test_commune_status_bad_cells(templates, tmp_path):
    wb = openpyxl.load_workbook(templates["commune_status"])
    ws = wb["TieuChi"]
    ws["F12"] = None
    ws["A12"], ws["C12"], ws["F12"] = "03436", 2025, "đạt rồi"  # a new row, a bad value
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(DataError, match=r"^TieuChi!F12: giá trị 'đạt rồi' không hiểu được"):
        read_form(tmp_path / "bad.xlsx", "commune_status")
    with pytest.raises(DataError, match=r"^TieuChi!F12: value 'đạt rồi' not understood"):
        read_form(tmp_path / "bad.xlsx", "commune_status", lang="en")
    ws["F12"] = "Đạt"
    wb.save(tmp_path / "dup.xlsx")
    with pytest.raises(DataError, match=r"^TieuChi!A12: 03436 / 2025 bị trùng với dòng 7"):
        read_form(tmp_path / "dup.xlsx", "commune_status")
    ws["A12"], ws["C12"] = "03445", 2031
    wb.save(tmp_path / "year.xlsx")
    with pytest.raises(DataError, match=r"^TieuChi!C12: year 2031 outside 2021-2025"):
        read_form(tmp_path / "year.xlsx", "commune_status", years=range(2021, 2026), lang="en")


def test_wrong_file_or_kind(templates, tmp_path):
    with pytest.raises(DataError, match="'projects'"):
        read_form(templates["commune_status"], "projects")
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "MaXa"
    wb.save(plain)
    assert form_kind(plain) is None
    with pytest.raises(DataError, match="không phải biểu mẫu ntmgis"):
        read_form(plain, "commune_status")
    # a deleted key in row 3 is reported
    wb = openpyxl.load_workbook(templates["commune_status"])
    wb["TieuChi"]["E3"] = None
    wb.save(tmp_path / "nokey.xlsx")
    got = read_form(tmp_path / "nokey.xlsx", "commune_status")
    assert "tc02" not in got.columns  # criteria columns are what the form has
    wb["TieuChi"]["C3"] = None
    wb.save(tmp_path / "noyear.xlsx")
    with pytest.raises(DataError, match="TieuChi!A3: .*'year'"):
        read_form(tmp_path / "noyear.xlsx", "commune_status")


def _sample_copy(tmp_path):
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    shutil.copy(root / "ntmgis.toml", ws_dir)
    shutil.copytree(root / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    return ws_dir


def test_cli_forms_for_the_sample_and_a_full_round_trip(tmp_path):
    from click.testing import CliRunner

    from ntmgis.cli import main

    ws_dir = _sample_copy(tmp_path)
    res = CliRunner().invoke(main, ["forms", "-w", str(ws_dir)])
    assert res.exit_code == 0, res.output
    assert "bieu_tieu_chi_xa.xlsx" in res.output
    again = CliRunner().invoke(main, ["forms", "-w", str(ws_dir), "--lang", "en"])
    assert again.exit_code == 4 and "add --overwrite" in again.output

    # fill the commune form with the sample's own status table and read it back
    csv = pd.read_csv(ws_dir / "layers" / "commune_status.csv", dtype=str,
                      encoding="utf-8-sig")
    path = ws_dir / "templates" / FILE_NAMES["commune_status"]
    wb = openpyxl.load_workbook(path)
    ws = wb["TieuChi"]
    where = {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
             for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    assert len(where) == len(csv) == 65  # 13 communes in the programme x 5 years
    for rec in csv.to_dict("records"):
        r = where[(rec["MaXa"], int(rec["Nam"]))]
        for n in range(1, 20):
            ws.cell(row=r, column=3 + n, value=rec[f"TC{n}"])
    wb.save(path)
    got = read_form(path, "commune_status").sort_values(["code", "year"])
    want = csv.sort_values(["MaXa", "Nam"])
    assert got["code"].tolist() == want["MaXa"].tolist()
    assert got["name"].tolist() == want["TenXa"].tolist()
    for n in range(1, 20):
        assert got[f"tc{n:02d}"].tolist() == [1 if v == "Đạt" else 0 for v in want[f"TC{n}"]]
    # the village form lists the sample's 101 villages for each year
    vil = read_form(ws_dir / "templates" / FILE_NAMES["village_status"], "village_status")
    assert vil["code"].nunique() == 101 and len(vil) == 505
    assert vil["code"].str.len().eq(7).all()


def test_forms_print_on_a4_landscape(templates):
    """Print area, A4 landscape fitted to width, repeated headings and key columns, a font,
    rows tall enough for stacked accents, and years the check allows (issue 14)."""
    for kind, path in templates.items():
        wb = openpyxl.load_workbook(path)
        for ws in (wb[SHEET_NAMES[kind]], wb[HELP_SHEET]):
            ps = ws.page_setup
            assert ws.print_area, (kind, ws.title)
            assert ps.orientation == "landscape" and int(ps.paperSize) == 9  # A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ps.fitToWidth) == 1
            assert ws["A1"].font.name == "Times New Roman"
            assert ws.row_dimensions[1].height >= 24  # "BIỂU", not "BIÊU"
        main = wb[SHEET_NAMES[kind]]
        assert main.print_title_rows == "$2:$3"
        keys = "$A:$B" if kind == "projects" else ("$A:$C" if kind == "commune_status"
                                                   else "$A:$E")
        assert main.print_title_cols == keys, (kind, main.print_title_cols)
        assert main.cell(row=4, column=1).font.name == "Times New Roman"
        assert main.cell(row=4, column=2).font.name == "Times New Roman"
        assert main.row_dimensions[4].height >= 18
        assert main.cell(row=2, column=1).font.name == "Times New Roman"
        # the instructions' years are the years the sheet's check allows
        years = [dv for dv in main.data_validations.dataValidation if dv.type == "whole"]
        assert years and (years[0].formula1, years[0].formula2) == ("2024", "2025")
        help_text = " ".join(str(c.value) for row in wb[HELP_SHEET].iter_rows() for c in row
                             if c.value is not None)
        assert "2024 đến 2025" in help_text


def test_forms_print_with_libreoffice(templates, tmp_path):
    """LibreOffice prints each workbook on A4 landscape: instructions on one page, the form
    fitted to the width on one page (two pages in all), the title whole."""
    import shutil
    import subprocess

    soffice, pdfinfo = shutil.which("soffice"), shutil.which("pdfinfo")
    if not soffice or not pdfinfo:
        pytest.skip("LibreOffice (soffice) and poppler (pdfinfo) are not installed")
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(out),
                    *(str(p) for p in templates.values())],
                   check=True, capture_output=True, timeout=240)
    for path in templates.values():
        pdf = out / (path.stem + ".pdf")
        info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True,
                              text=True).stdout
        pages = int(next(ln.split()[-1] for ln in info.splitlines()
                         if ln.startswith("Pages:")))
        size = next(ln for ln in info.splitlines() if ln.startswith("Page size:")).split()
        assert float(size[2]) > float(size[4]), (path.name, size)  # landscape
        assert pages == 2, (path.name, pages)
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                  capture_output=True, text=True).stdout
            assert "HƯỚNG DẪN ĐIỀN BIỂU" in text
