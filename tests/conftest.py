"""Shared fixtures: temporary copies of the sample and of the small test workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def copy_workspace(src: Path, dst: Path) -> Path:
    """Copy a workspace folder (never work on the committed files themselves)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*"))
    return dst


@pytest.fixture
def mini_ws(tmp_path: Path) -> Path:
    """A fresh copy of tests/data/mini: three square communes, six villages."""
    return copy_workspace(DATA / "mini", tmp_path / "mini")


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Mường Tè sample made with ``ntmgis init --sample`` (read-only use)."""
    from ntmgis.outputs.scaffold import init_workspace

    return init_workspace(tmp_path_factory.mktemp("sample") / "muong_te", sample=True)


@pytest.fixture(scope="session")
def built_sample(sample_copy: Path):
    """The sample built once per session: ``(workspace, MonitoringLayers)``."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.gpkg import read_layers

    ws = load_workspace(sample_copy)
    build(ws, overwrite=True)
    return ws, read_layers(ws)
