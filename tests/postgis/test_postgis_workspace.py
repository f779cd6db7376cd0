"""A workspace reading its inputs from PostGIS, and ``build --store`` (real server)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs.postgis import read_postgis_layer
from ntmgis.monitoring.build import build
from ntmgis.monitoring.gpkg import read_layers
from ntmgis.outputs.postgis_store import write_postgis

pytestmark = pytest.mark.postgis


def test_villages_and_projects_read_from_postgis_equal_the_files(mini_ws, postgis_url):
    ws = load_workspace(mini_ws)
    build(ws)
    expected = read_layers(ws)
    villages = gpd.read_file(mini_ws / "villages.geojson")
    projects = pd.read_csv(mini_ws / "projects.csv", dtype=str)
    write_postgis({"villages": villages, "projects": projects}, postgis_url,
                  schema="mini_inputs", overwrite=True, styles=False)
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    toml = toml.replace('path = "villages.geojson"',
                        f'path = "{postgis_url}"\nlayer = "mini_inputs.villages"')
    toml = toml.replace('path = "projects.csv"',
                        f'path = "{postgis_url}"\nlayer = "SELECT * FROM mini_inputs.projects"')
    (mini_ws / "ntmgis.toml").write_text(toml, encoding="utf-8")
    (mini_ws / "villages.geojson").unlink()
    (mini_ws / "projects.csv").unlink()
    ws = load_workspace(mini_ws)
    build(ws, overwrite=True)
    got = read_layers(ws)
    cols = ["code", "name", "commune_code", "in_declared_commune"]
    pd.testing.assert_frame_equal(pd.DataFrame(got.villages[cols]),
                                  pd.DataFrame(expected.villages[cols]))
    assert got.villages.geometry.geom_equals_exact(expected.villages.geometry, 0.01).all()
    pd.testing.assert_frame_equal(got.funding_by_source, expected.funding_by_source)


def test_unreachable_database_is_an_issue_not_a_crash(mini_ws):
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    toml = toml.replace('path = "villages.geojson"',
                        'path = "postgresql://nobody@127.0.0.1:1/none"\nlayer = "x.villages"')
    (mini_ws / "ntmgis.toml").write_text(toml, encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", "-w", str(mini_ws)])
    assert res.exit_code == 1
    assert "postgresql://nobody@127.0.0.1:1/none" in res.output


def test_build_store_writes_the_layers_into_postgis(mini_ws, postgis_url):
    res = CliRunner().invoke(main, ["build", "-w", str(mini_ws), "--store", postgis_url,
                                    "--schema", "mini_store"])
    assert res.exit_code == 0, res.output
    ws = load_workspace(mini_ws)
    expected = read_layers(ws).commune_status
    got = read_postgis_layer(postgis_url, "mini_store.commune_status")
    assert sorted(zip(got["code"], got["year"], strict=True)) == sorted(
        zip(expected["code"], expected["year"], strict=True))
    assert list(got.sort_values(["code", "year"])["criteria_met"]) == list(
        expected.sort_values(["code", "year"])["criteria_met"])
