"""Shared fixtures: temporary copies of the sample and of the small test workspace.

Test modules never import each other (nor this file): what several of them need
is a fixture here. Plain helper modules that are not tests (browser.py,
qgis_check.py) may be imported.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import run_once

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


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Every output of the sample, built ONCE per test run and shared by all workers.

    ``scripts/sample_manifest.py`` runs its commands (``ntmgis init --sample``, ``validate``,
    ``build``, ``report``, ``map``, ``appendix``, ``forms``, the queries; one interpreter for
    them all, see ``build_sample(one_process=True)``) in a folder every pytest-xdist
    worker sees (``tests/run_once.py``). Returns ``SimpleNamespace(root=<the workspace>,
    manifest={path: sha256})``, the hashes taken right after the commands ran.
    Read-only use: the manifest test, the appendix tests (the sample's 35-page appendix
    is rendered once, not once per test file).
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_manifest",
                                                  REPO / "scripts" / "sample_manifest.py")
    sm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sm)

    def build(folder: Path) -> dict:
        # The commands in one interpreter: the same bytes, 20 s of CPU less (64 -> 44 s).
        ws = sm.build_sample(folder, python=sys.executable, one_process=True)
        return sm.manifest_of(ws)

    folder, manifest = run_once.once(tmp_path_factory, "sample-outputs", build)
    return SimpleNamespace(root=folder / "sample", manifest=manifest)


XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def xss() -> str:
    """A name that would run a script if some output put it into HTML unescaped."""
    return XSS


def _copy_repo_sample(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "ntmgis.toml", dest / "ntmgis.toml")
    shutil.copytree(REPO / "layers", dest / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*"))
    return dest


@pytest.fixture(scope="session")
def copy_sample() -> Callable[[Path], Path]:
    """Factory: ``copy_sample(dest)`` copies the repository's sample workspace
    (``ntmgis.toml`` and ``layers/``, without its output) to ``dest``, unbuilt."""
    return _copy_repo_sample


@pytest.fixture(scope="session")
def build_sample() -> Callable[..., object]:
    """Factory: ``build_sample(dest, *, project_name=None)`` copies the repository's
    sample workspace to ``dest``, optionally renames its first project, builds it
    and returns the loaded workspace (one the test may write into)."""

    def _build(dest: Path, *, project_name: str | None = None) -> object:
        from ntmgis.core.workspace import load_workspace
        from ntmgis.monitoring.build import build

        _copy_repo_sample(dest)
        if project_name is not None:
            import csv

            path = dest / "layers" / "projects.csv"
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            col = rows[0].index("ten_du_an")
            rows[1][col] = project_name
            with open(path, "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows(rows)
        ws = load_workspace(dest)
        build(ws, overwrite=True)
        return ws

    return _build


PSEUDO_DISTRICTS = (("901", "Huyện Một"), ("902", "Huyện Hai"), ("903", "Huyện Ba"))


@pytest.fixture(scope="session")
def built_country(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], object]:
    """``built_country(n)``: a ``benchmarks/synth.py`` country of ``n`` communes, built.

    Built once per size and test process (the workspace is shared: tests read it and
    draw pages from it, they do not write into it).
    """
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    made: dict[int, object] = {}

    def get(n: int) -> object:
        if n not in made:
            synth = pytest.importorskip("benchmarks.synth")
            root = tmp_path_factory.mktemp(f"country{n}") / f"c{n}"
            synth.make_country(n, root)
            ws = load_workspace(root)
            build(ws, overwrite=True)
            made[n] = ws
        return made[n]

    return get


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory):
    """A province-wide workspace of several districts, built once: ``(workspace, layers)``.

    The sample's real boundaries, its communes split by code into the three
    ``PSEUDO_DISTRICTS`` (``district_gso_code``/``district_name``) and into two clusters
    (column ``cluster``: "Cụm A", "Cụm B"); the area is renamed "Tỉnh Lai Châu" and the
    2025 crosswalk (which names the real district) is left out.
    """
    import json
    import re

    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.monitoring.gpkg import read_layers

    root = _copy_repo_sample(tmp_path_factory.mktemp("province") / "lai_chau")
    path = root / "layers" / "communes.geojson"
    gj = json.loads(path.read_text(encoding="utf-8"))
    feats = sorted(gj["features"], key=lambda f: f["properties"]["gso_code"])
    for i, f in enumerate(feats):
        code, name = PSEUDO_DISTRICTS[i * len(PSEUDO_DISTRICTS) // len(feats)]
        f["properties"].update(district_gso_code=code, district_name=name,
                               cluster="Cụm " + ("A" if i % 2 else "B"))
    path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    toml = root / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name = "Huyện Mường Tè"$', 'name = "Tỉnh Lai Châu"', text, count=1)
    text = text.replace('[tables.crosswalk_2025]', '[tables.crosswalk_unused]')
    text = text.replace('path = "layers/merger_2025.csv"\n', '')
    text = text.replace('[tables.crosswalk_unused]\n', '')
    toml.write_text(text, encoding="utf-8")
    ws = load_workspace(root)
    build(ws, overwrite=True)
    return ws, read_layers(ws)


# -- the order of the test files, for pytest-xdist -------------------------------------------
# `make test` runs `pytest -n auto --dist loadfile`: each file goes whole to one worker, the
# next file to the first worker that is nearly idle. xdist hands out the files with the
# most tests first, which left the slowest files (the sample's outputs: 2 tests, a minute)
# for the end, with one worker idle while the other finished them. The slowest files go
# first instead (longest first, the rest after in collection order), and the file that
# builds the shared sample outputs goes first of all, so that the files that read them
# later do not wait for them. Rough seconds on an idle 2-core machine (pytest
# --durations); a stale entry only costs balance, never a result.
SLOW_FILES = (
    "test_sample_manifest.py",  # builds sample_outputs (~60 s), read by the appendix tests
    "test_benchmarks_smoke.py",  # ~70 s
    "test_appendix_split.py",  # ~60 s
    "test_map_programme.py",  # ~60 s
    "test_appendix.py",  # ~60 s
    "test_progress.py",  # ~50 s
    "test_report_formats.py",  # ~40 s
    "test_appendix_cartography.py",  # ~35 s
    "test_appendix_parallel.py",  # ~35 s
    "test_webmap_browser.py",  # ~35 s
    "test_webmap_cartography.py",  # ~30 s
    "test_appendix_workers.py",  # ~25 s
    "test_bad_inputs.py",  # ~25 s
    "test_report_programme.py",  # ~20 s
    "test_webmap_speed.py",  # ~20 s
    "test_forms.py",  # ~15 s
    "test_appendix_weight.py",  # ~15 s
    "test_notebooks_office.py",  # ~15 s
    "test_queries_cli.py",  # ~15 s
    "test_webmap.py",  # ~13 s
    "test_architecture.py",  # ~13 s
)


def pytest_configure(config: pytest.Config) -> None:
    """Let pytest-xdist hand out the files in collection order (see ``SLOW_FILES``)."""
    if getattr(config.option, "loadscopereorder", False):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of ``SLOW_FILES`` first, in that order; a file's own tests keep theirs."""
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
