"""Vector layers as offices have them, with their CRS checked and text made NFC.

GeoPackage, Shapefile (with or without ``.prj``; DBF in UTF-8, cp1258, TCVN3 or VNI),
MapInfo TAB, GeoJSON; the CRS checked, text made NFC.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
from pyproj import Transformer

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import (
    LayerConfig,
    Workspace,
    is_database_url,
)
from ntmgis.inputs.columns import ROW, map_columns
from ntmgis.inputs.legacy_text import fix_text, legacy_table
from ntmgis.inputs.tables import read_database

VECTOR_SUFFIXES = (".gpkg", ".shp", ".tab", ".geojson", ".json", ".fgb", ".kml", ".gml")


# Vietnam's extent with a margin, lon/lat: a layer outside it has a wrong CRS.
VN_BOUNDS = (101.0, 7.5, 110.5, 24.0)



def resolve_crs(gdf: gpd.GeoDataFrame, cfg_crs: str | None, ws: Workspace, path: Path,
                 log: IssueLog) -> gpd.GeoDataFrame:
    """Set a missing CRS from the configuration (with a warning) and check the bounds."""
    if cfg_crs:
        gdf = gdf.set_crs(cfg_crs, allow_override=True)
    elif gdf.crs is None:
        if ws.assume_crs:
            gdf = gdf.set_crs(ws.assume_crs)
            log.warning("no_crs", "no_crs", file=path, crs=ws.assume_crs)
        else:
            log.error("no_crs", "no_crs_error", file=path)
            return gdf
    if len(gdf) and not gdf.geometry.is_empty.all():
        try:
            # The layer's box, densified, is enough to tell a wrong CRS (no full transform).
            b = np.array(Transformer.from_crs(gdf.crs, "EPSG:4326", always_xy=True)
                         .transform_bounds(*gdf.total_bounds, densify_pts=21))
        except Exception:  # noqa: BLE001 - any PROJ failure means the CRS does not fit
            b = np.array([np.inf] * 4)
        if not (np.isfinite(b).all() and b[0] >= VN_BOUNDS[0] and b[1] >= VN_BOUNDS[1]
                and b[2] <= VN_BOUNDS[2] and b[3] <= VN_BOUNDS[3]):
            raw = gdf.total_bounds
            log.error("crs_mismatch", "crs_mismatch", file=path, value=gdf.crs.to_string(),
                      crs=gdf.crs.to_string(),
                      bounds=", ".join(f"{v:.6g}" for v in raw))
    return gdf



def read_vector(cfg: LayerConfig, ws: Workspace, log: IssueLog, *,
                required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
                ) -> gpd.GeoDataFrame | None:
    """Read a vector layer and map its columns; None when it cannot be read.

    Parameters
    ----------
    cfg : LayerConfig
        The layer's configuration (path, layer name, fields, CRS, encoding).
    ws : Workspace
        Supplies the assumed CRS and the legacy encoding.
    log : IssueLog
        Receives missing files, missing columns, CRS problems.
    required, optional : tuple of str
        Canonical columns to map.
    """
    path = cfg.path
    if is_database_url(path):
        gdf = read_database(path, cfg.layer, log)
        if gdf is None:
            return None
        gdf[ROW] = np.arange(1, len(gdf) + 1)
        gdf = fix_text(gdf, path, log)
        gdf = resolve_crs(gdf, cfg.crs, ws, path, log)
        gdf = map_columns(gdf, cfg.fields, required, optional, path=path, log=log,
                          context=cfg.name)
        return gpd.GeoDataFrame(gdf, geometry="geometry")
    if not path.exists():
        log.error("file_missing", "file_missing", file=path, path=log._rel(path))
        return None
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        log.error("format", "unsupported_format", file=path, path=log._rel(path),
                  ext=path.suffix, expected=", ".join(VECTOR_SUFFIXES))
        return None
    encoding = (cfg.encoding or ws.encoding).lower()
    kw: dict[str, Any] = {}
    if path.suffix.lower() == ".shp" and encoding not in ("utf-8", "utf8"):
        # Read the DBF bytes as latin-1 (lossless) and decode them ourselves: GDAL
        # knows neither TCVN3 nor VNI.
        kw["encoding"] = "latin1"
    elif path.suffix.lower() == ".shp":
        kw["encoding"] = "utf-8"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = pyogrio.read_dataframe(path, layer=cfg.layer, **kw)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=str(exc).splitlines()[0])
        return None
    gdf[ROW] = np.arange(1, len(gdf) + 1)
    if kw.get("encoding") == "latin1":
        gdf = legacy_table(gdf, encoding)
    else:
        gdf = fix_text(gdf, path, log)
    gdf = resolve_crs(gdf, cfg.crs, ws, path, log)
    gdf = map_columns(gdf, cfg.fields, required, optional, path=path, log=log, context=cfg.name)
    return gpd.GeoDataFrame(gdf, geometry="geometry")
