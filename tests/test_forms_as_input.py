"""A filled ntmgis Excel form can be a workspace table as it is."""

from __future__ import annotations

import openpyxl
import pandas as pd

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs import load_inputs


def _status(ws_dir):
    ws = load_workspace(ws_dir)
    log = IssueLog(root=ws.root)
    inp = load_inputs(ws, log)
    return inp, log


def _fill_commune_form(path, reference: pd.DataFrame) -> None:
    wb = openpyxl.load_workbook(path)
    sheet = next(ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.max_row > 3
                 and any(str(c.value or "").startswith("tc") for c in ws[3]))
    keys = {str(c.value): c.column for c in sheet[3] if c.value}
    met = reference.set_index(["code", "year", "criterion"])["met"]
    for row in range(4, sheet.max_row + 1):
        code = sheet.cell(row=row, column=keys["code"]).value
        year = sheet.cell(row=row, column=keys["year"]).value
        if code is None or year is None:
            continue
        for n in range(1, 20):
            v = met.get((str(code), int(year), n))
            sheet.cell(row=row, column=keys[f"tc{n:02d}"]).value = (
                None if v is None or pd.isna(v) else ("Đạt" if v == 1 else "Chưa đạt"))
    wb.save(path)


def test_filled_commune_form_reads_like_the_csv(mini_ws):
    from ntmgis.outputs.forms import write_workspace_templates

    inp, _ = _status(mini_ws)
    reference = inp.commune_status
    paths = write_workspace_templates(load_workspace(mini_ws), folder=mini_ws / "forms")
    form = paths["commune_status"]
    _fill_commune_form(form, reference)
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    toml = toml.replace('path = "commune_status.csv"', f'path = "forms/{form.name}"')
    (mini_ws / "ntmgis.toml").write_text(toml, encoding="utf-8")
    got, log = _status(mini_ws)
    assert log.errors == [], [i.format() for i in log.errors]
    cols = ["code", "year", "criterion", "met"]
    a = got.commune_status[cols].sort_values(cols[:3]).reset_index(drop=True)
    b = reference[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a.astype({"year": "Int64"}), b.astype({"year": "Int64"}))
