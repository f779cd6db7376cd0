"""The programme above the commune and on the maps (issue 14).

``--group-by`` on ``build`` and ``report`` (and ``[area] group_by``), the group lines on
the web maps, the roadmap's milestones on the maps, ``map --office``.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.monitoring.gpkg import read_layers, summary_groups


@pytest.fixture
def province_copy(province, tmp_path):
    """A private copy of the built province workspace (tests here write into it)."""
    ws, _ = province
    return shutil.copytree(ws.root, tmp_path / "lai_chau")


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_group_by_a_cluster_column(province_copy):
    r = _run("report", "-w", str(province_copy), "--group-by", "cluster", "--overwrite")
    assert r.exit_code == 0, r.output
    groups = pd.read_csv(province_copy / "reports" / "groups.csv", encoding="utf-8-sig",
                         dtype={"group_code": str})
    assert list(groups["group_name"]) == ["Cụm A", "Cụm B", "Toàn tỉnh Lai Châu"]
    assert groups["communes_total"].iloc[:2].sum() == groups["communes_total"].iloc[-1] == 13
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    # a cluster is not a district: the neutral heading, unless the user names one
    assert "Kết quả theo nhóm xã năm 2025" in md and "| Nhóm xã |" in md
    r = _run("report", "-w", str(province_copy), "--group-by", "cluster",
             "--group-label", "Cụm xã", "--overwrite")
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert r.exit_code == 0 and "Kết quả theo cụm xã năm 2025" in md


def test_build_group_by_and_the_workspace_key(province_copy):
    r = _run("build", "-w", str(province_copy), "--group-by", "cluster", "--overwrite")
    assert r.exit_code == 0, r.output
    from ntmgis.core.workspace import load_workspace

    layers = read_layers(load_workspace(province_copy))
    assert sorted(set(summary_groups(layers.district_overview)["group_name"])) == [
        "Cụm A", "Cụm B"]
    # the communes carry the user's grouping so that the maps can draw it
    assert sorted(set(layers.communes["group_code"])) == ["Cụm A", "Cụm B"]
    # the same from the workspace file
    toml = province_copy / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "[area]\n", '[area]\ngroup_by = "cluster"\ngroup_label = "Cụm xã"\n', 1)
    toml.write_text(text, encoding="utf-8")
    r = _run("report", "-w", str(province_copy), "--overwrite")
    md = (province_copy / "reports" / "plan_vs_actual.md").read_text(encoding="utf-8")
    assert r.exit_code == 0 and "| Cụm A |" in md and "Kết quả theo cụm xã" in md


@pytest.mark.parametrize("lang,words", [("vi", "lớp xã không có cột này"),
                                        ("en", "the communes layer has no such column")])
def test_unknown_group_column_is_a_clear_error(province_copy, lang, words):
    for cmd in ("build", "report"):
        r = _run(cmd, "-w", str(province_copy), "--group-by", "cum_xa", "--lang", lang,
                 "--overwrite")
        assert r.exit_code == 2, r.output
        assert "cum_xa" in r.output and words in r.output and "Traceback" not in r.output
        assert "_row" not in r.output  # internal columns are not offered
