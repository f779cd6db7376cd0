"""Errors a user can cause speak Vietnamese first, English when asked."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import pytest

from ntmgis.core.errors import WorkspaceError
from ntmgis.outputs.scaffold import init_workspace
from ntmgis.outputs.webmap.simplify import map_coverage


def test_an_unknown_sample_is_named_with_the_choices(tmp_path):
    with pytest.raises(WorkspaceError, match="Không có bộ dữ liệu mẫu 'xyz'; chọn một trong: "
                                             "2021-2025"):
        init_workspace(tmp_path / "w", sample="xyz")
    with pytest.raises(WorkspaceError, match="no sample 'xyz'; choose one of"):
        init_workspace(tmp_path / "w", sample="xyz", lang="en")
    assert not (tmp_path / "w").exists()  # refused before anything is written


def test_maps_of_an_empty_or_unprojected_communes_layer(tmp_path):
    ws = SimpleNamespace(output_gpkg=tmp_path / "monitoring.gpkg")
    empty = gpd.GeoDataFrame({"code": []}, geometry=[], crs=3405)
    with pytest.raises(WorkspaceError, match="lớp 'communes' \\(ranh giới xã\\) trống"):
        map_coverage(ws, empty, 35.0)
    with pytest.raises(WorkspaceError, match="the 'communes' layer is empty"):
        map_coverage(ws, empty, 35.0, lang="en")
    no_crs = gpd.GeoDataFrame({"code": ["01"]}, geometry=gpd.GeoSeries.from_wkt(
        ["POLYGON ((0 0, 1 0, 1 1, 0 0))"]))
    with pytest.raises(WorkspaceError, match="không có hệ tọa độ"):
        map_coverage(ws, no_crs, 35.0)
