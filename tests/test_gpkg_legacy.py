"""GeoPackages built before a column was renamed are read with today's names."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import box

from ntmgis.monitoring.gpkg import LEGACY_COLUMNS, read_layer


def _old_gpkg(path: Path) -> Path:
    status = gpd.GeoDataFrame({"code": ["00001"], "year": [2025], "class": ["15-18"]},
                              geometry=[box(0, 0, 1, 1)], crs="EPSG:9205")
    pyogrio.write_dataframe(status, path, layer="commune_status", driver="GPKG")
    summary = pd.DataFrame({"year": [2025], "criterion": [5], "target_2025": [10]})
    pyogrio.write_dataframe(summary, path, layer="district_summary", driver="GPKG", append=True)
    return path


def test_old_column_names_are_read_as_new(tmp_path: Path) -> None:
    gpkg = _old_gpkg(tmp_path / "old.gpkg")
    status = read_layer(gpkg, "commune_status")
    assert "band" in status and "class" not in status
    assert status["band"].tolist() == ["15-18"]
    summary = read_layer(gpkg, "district_summary", geometry=False)
    assert summary["target"].tolist() == [10] and "target_2025" not in summary


def test_asking_for_a_new_column_finds_the_old_one(tmp_path: Path) -> None:
    gpkg = _old_gpkg(tmp_path / "old.gpkg")
    status = read_layer(gpkg, "commune_status", geometry=False, columns=["code", "band"])
    assert list(status.columns) == ["code", "band"]


def test_every_renamed_column_names_a_contract_layer() -> None:
    from ntmgis.monitoring.gpkg import LAYER_ORDER

    assert set(LEGACY_COLUMNS) <= set(LAYER_ORDER)
