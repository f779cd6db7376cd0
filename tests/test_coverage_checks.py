"""Overlaps and gaps: `build` looks for them in a second thread, logs what `validate` logs."""

from __future__ import annotations

import threading

import pytest

from ntmgis.core.errors import ValidationFailed
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring import build as build_module
from ntmgis.monitoring.build import build
from ntmgis.monitoring.checks import validate

GEOMETRY_CHECKS = ("overlap", "gap")


def _geometry_issues(issues) -> list[tuple]:
    return sorted((i.check, i.value, i.message) for i in issues if i.check in GEOMETRY_CHECKS)


def test_build_logs_the_overlaps_and_gaps_validate_logs(sample_copy, tmp_path):
    ws = load_workspace(sample_copy)
    expected = _geometry_issues(validate(ws).issues)
    # the real boundaries of Mường Tè have both (see layers/SOURCES.md)
    assert {c for c, _, _ in expected} == set(GEOMETRY_CHECKS)
    log = IssueLog(lang="vi", root=ws.root)
    build(ws, output=tmp_path / "m.gpkg", log=log)
    assert _geometry_issues(log.issues) == expected
    assert not [t for t in threading.enumerate() if t.name.startswith("ntmgis-coverage")]


def test_a_failed_build_still_names_them_and_leaves_no_thread(sample_copy, tmp_path,
                                                                monkeypatch):
    ws = load_workspace(sample_copy)
    expected = _geometry_issues(validate(ws).issues)

    def broken(*args, **kwargs):
        raise MemoryError("machine ran out")

    monkeypatch.setattr(build_module, "compute_layers", broken)
    log = IssueLog(lang="vi", root=ws.root)
    with pytest.raises(MemoryError):
        build(ws, output=tmp_path / "m.gpkg", log=log)
    assert _geometry_issues(log.issues) == expected
    assert not (tmp_path / "m.gpkg").exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("ntmgis-coverage")]


def test_validation_failure_lists_them_too(mini_ws, tmp_path):
    # Commune 00001 grows into 00002 (an overlap warning) and a project names an unknown
    # commune (an error): the error report holds the warning as well.
    import json

    path = mini_ws / "communes.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    ring = data["features"][0]["geometry"]["coordinates"][0]
    xs = sorted({x for x, _ in ring})
    data["features"][0]["geometry"]["coordinates"][0] = [
        [x + 1000 if x == xs[-1] else x, y] for x, y in ring]
    path.write_text(json.dumps(data), encoding="utf-8")
    csv = (mini_ws / "projects.csv").read_text(encoding="utf-8")
    (mini_ws / "projects.csv").write_text(csv.replace("00002,", "09999,", 1), encoding="utf-8")
    ws = load_workspace(mini_ws)
    with pytest.raises(ValidationFailed) as exc:
        build(ws, output=tmp_path / "m.gpkg")
    assert any(i.check == "overlap" for i in exc.value.issues)
    assert any(i.check == "unknown_code" for i in exc.value.issues)
