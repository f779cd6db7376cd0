"""The overview and custom-map notebooks run top to bottom (executed, not just opened)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _execute(name: str, tmp_path: Path, monkeypatch) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    shutil.copy(ROOT / "ntmgis.toml", ws_dir)
    shutil.copytree(ROOT / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    monkeypatch.setenv("NTMGIS_WORKSPACE", str(ws_dir))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return nb


def _outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if kind in o.get("data", {})]


def test_overview_notebook(tmp_path, monkeypatch):
    nb = _execute("overview.ipynb", tmp_path, monkeypatch)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert len(_outputs(nb, "image/png")) == 2  # the two inline maps
    frames = " ".join(o["data"]["text/html"] for o in _outputs(nb, "text/html"))
    assert "Xã đạt chuẩn NTM" in frames  # the plan-against-actual table
    assert "Không đồng nhất" in frames  # the 2025 communes say when old units differ
    assert "<iframe srcdoc=" in frames  # the web map, inline
    assert (tmp_path / "ws" / "layers" / "monitoring.gpkg").is_file()
    assert (tmp_path / "ws" / "templates" / "bieu_tieu_chi_xa.xlsx").is_file()


def test_custom_map_notebook(tmp_path, monkeypatch):
    nb = _execute("custom_map.ipynb", tmp_path, monkeypatch)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert len(_outputs(nb, "image/png")) == 1
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.output_type == "stream")
    assert "công trình, tổng vốn" in text
    assert "cong_trinh_truong_hoc_giao_thong.png" in text and ".html" in text
