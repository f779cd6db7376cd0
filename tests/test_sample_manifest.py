"""The sample's outputs are byte-identical to the committed manifest.

A change that moves code must not change a single output byte; a change that
means to (a contract change, a dependency upgrade) regenerates the manifest with
``python scripts/sample_manifest.py --write`` and says why in its commit.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("sample_manifest",
                                                  ROOT / "scripts" / "sample_manifest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_sample_outputs_match_manifest(sample_outputs) -> None:
    # The outputs are built once per run (tests/conftest.py::sample_outputs, by this
    # script's build_sample) and shared with the appendix tests; the hashes compared are
    # the ones taken right after the commands ran.
    sm = _script()
    expected = json.loads(sm.MANIFEST.read_text(encoding="utf-8"))
    actual = sample_outputs.manifest
    # Every kind of output the sample produces is covered, not only what happened to be built.
    for kind in ("layers/monitoring.gpkg", "maps/index.html", "maps/list.html",
                 "maps/appendix/phu-luc-ban-do-2025.pdf", "templates/bieu_tieu_chi_xa.xlsx",
                 "reports/plan_vs_actual.md", "queries/gaps.csv", "validation.csv"):
        assert kind in expected, kind
    assert sum(n.startswith("maps/criteria/") for n in expected) == 19
    assert sm.compare(expected, actual) == []


def test_compare_reports_each_kind_of_difference() -> None:
    sm = _script()
    diff = sm.compare({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert diff == ["changed: b", "missing: c", "new:     d"]
