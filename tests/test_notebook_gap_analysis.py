"""The planner's notebook runs top to bottom on a fresh copy of the sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "gap_analysis.ipynb"


@pytest.mark.slow
def test_gap_analysis_notebook_runs(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    from ntmgis.outputs.scaffold import init_workspace
    from ntmgis.queries import describe, gaps

    ws = init_workspace(tmp_path / "mt", sample=True)
    work = tmp_path / "nb"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    nb = nbformat.read(work / NOTEBOOK.name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "commit the notebook without outputs"
    monkeypatch.setenv("NTMGIS_WORKSPACE", str(ws))
    # The kernel's warnings must not become errors of the test run.
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code), "every step shows something"
    expected = describe(gaps(ws, criterion=5, year=2025))
    assert expected in text
    assert "Huyện Mường Tè" in text
    maps = ws / "maps"
    for name in ("nb_access_health_terrain.html", "nb_access_health_terrain.tif",
                 "nb_gaps_tc05.html"):
        assert (maps / name).stat().st_size > 0
    # Step 5 ranks the communes by the population beyond an hour from a health station.
    from ntmgis.queries import access

    far = access(ws, to="health_station", by="terrain", max_minutes=60)
    worst = far[far["gap"]].groupby("commune_name")["population"].sum().idxmax()
    plan_cell = next(c for c in code if c.source.startswith("far = "))
    plan_output = str(plan_cell.outputs[0]["data"]["text/plain"])
    assert worst in plan_output.splitlines()[1]
