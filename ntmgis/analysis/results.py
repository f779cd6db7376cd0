"""Writing query results: CSV, GeoJSON, a layer of the monitoring GeoPackage, and all at once.

:func:`write_outputs` checks that every output asked for can be written,
then writes them (the ``--csv`` / ``--geojson`` / ``--gpkg`` / ``--map``
options of ``ntmgis query``). The terminal table and summary are in
:mod:`ntmgis.analysis.formatting`, the HTML map in
:mod:`ntmgis.analysis.result_map`.

No output may be an input of the workspace (:func:`ntmgis.core.safe_write.require_writable`),
and text that a spreadsheet would run as a formula is neutralised in CSV
(:mod:`ntmgis.core.spreadsheet`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.analysis.query_data import message
from ntmgis.analysis.result_map import result_map
from ntmgis.core.errors import DataError, OutputExistsError, WorkspaceError
from ntmgis.core.gdal_env import pinned_gpkg_date
from ntmgis.core.i18n import t as _t
from ntmgis.core.safe_write import (
    atomic_output,
    check_output_paths,
    refuse_input,
    remove_stale_temps,
    require_writable,
    workspace_lock,
)
from ntmgis.core.spreadsheet import csv_frame
from ntmgis.core.workspace import Workspace
from ntmgis.monitoring.gpkg import LAYER_ORDER, list_layers

__all__ = ["write_csv", "write_geojson", "write_gpkg_layer", "write_outputs"]

_m = message


def _for_file(result: pd.DataFrame) -> pd.DataFrame:
    """Plain dtypes for writers: nullable integers/booleans as object where missing."""
    out = result.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        if isinstance(out[c].dtype, (pd.BooleanDtype, pd.Int64Dtype)) and out[c].isna().any():
            out[c] = out[c].astype(object).where(out[c].notna(), None)
        elif isinstance(out[c].dtype, (pd.BooleanDtype, pd.Int64Dtype)):
            out[c] = out[c].astype(bool if isinstance(out[c].dtype, pd.BooleanDtype) else int)
    return out


def write_csv(result: pd.DataFrame, path: str | Path, *, overwrite: bool = False,
              lang: str = "vi", ws: Workspace | None = None) -> Path:
    """Write a result as CSV (UTF-8 with BOM for Excel; points get ``lon``/``lat``).

    Column names are the canonical ones (as in the Python result); geometry
    is written as WGS 84 ``lon``/``lat`` for points and left out otherwise.
    A text cell that would open as a formula (``=HYPERLINK(…)``) gets a
    leading ``'`` (:func:`ntmgis.core.spreadsheet.csv_frame`); numbers are
    written as they are. ``path`` must not be an input of ``ws`` nor of the
    workspace whose folder holds it.
    """
    df = pd.DataFrame(result.drop(columns="geometry", errors="ignore"))
    if isinstance(result, gpd.GeoDataFrame) and len(result):
        geo = result.geometry
        pts = geo.notna() & (geo.geom_type == "Point")
        if pts.all() and result.crs is not None:
            ll = geo.to_crs(4326)
            df["lon"] = np.round(ll.x.to_numpy(), 6)
            df["lat"] = np.round(ll.y.to_numpy(), 6)
    df = csv_frame(df)
    with atomic_output(path, overwrite=overwrite, lang=lang, ws=ws) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_geojson(result: gpd.GeoDataFrame, path: str | Path, *, overwrite: bool = False,
                  lang: str = "vi", ws: Workspace | None = None) -> Path:
    """Write a result as GeoJSON (RFC 7946, WGS 84, 7 decimals)."""
    import pyogrio

    gdf = _for_file(result)
    gdf = gdf.to_crs(4326) if gdf.crs is not None else gdf
    with atomic_output(path, overwrite=overwrite, lang=lang, ws=ws) as tmp:
        pyogrio.write_dataframe(gdf, tmp, driver="GeoJSON",
                                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7,
                                               "WRITE_NAME": "NO"})
    return Path(path)


def write_gpkg_layer(result: pd.DataFrame, gpkg: str | Path, layer: str, *,
                     overwrite: bool = False, lang: str = "vi", date: str = "") -> Path:
    """Add ``result`` as layer ``layer`` to an existing GeoPackage, atomically.

    The GeoPackage is copied beside itself, the layer written into the copy,
    and the copy renamed over the original: readers never see a half-written
    file, and a failure leaves the original as it was.

    Raises
    ------
    OutputExistsError
        When the layer exists and ``overwrite`` is false.
    DataError
        When ``layer`` is one of the monitoring layers (never replaced).
    """
    import shutil
    import tempfile

    import pyogrio

    target = Path(gpkg)
    if not target.is_file():
        raise WorkspaceError(_t("not_built", lang, path=target), path=target)
    if layer in LAYER_ORDER:  # the monitoring layers are never replaced
        raise DataError(_m("bad_value", lang, what="layer", value=layer,
                           expected="query_…"), value=layer)
    refuse_input(target, None, lang)
    if layer in list_layers(target) and not overwrite:
        raise OutputExistsError(_t("output_exists", lang, path=f"{target} ({layer})"))
    remove_stale_temps(target.parent)
    # the process id in the name lets a later run remove the copy if this one is killed
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.ntmgis-{os.getpid()}-",
                                    suffix=".tmp.gpkg", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(target, tmp)
        frame = _for_file(result)
        kw = {}
        if isinstance(frame, gpd.GeoDataFrame):
            kinds = set(frame.geometry.geom_type.dropna())
            if len(kinds) == 1:
                kw["geometry_type"] = kinds.pop()
        with pinned_gpkg_date(date):
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG", **kw)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return target


def write_outputs(result: pd.DataFrame, ws: Any, name: str, *, csv: str | Path | None = None,
                  geojson: str | Path | None = None, gpkg_layer: str | None = None,
                  map_path: str | Path | None = None, overwrite: bool = False,
                  data: Any = None, lang: str = "vi") -> list[str]:
    """Check that every output asked for can be written, then write them all.

    Nothing is written when one of them cannot be (it exists and ``overwrite``
    is false, or its folder is missing).

    Parameters
    ----------
    result : DataFrame
        A query result.
    ws : Workspace
        Its workspace: the GeoPackage of ``gpkg_layer``, the folder of ``map_path=""``.
    name : str
        The default name of the layer and of the map (``query_...``).
    csv, geojson : path, optional
        See :func:`write_csv` and :func:`write_geojson`.
    gpkg_layer : str, optional
        Add the result to ``ws.output_gpkg`` as this layer (``""``: ``name``);
        see :func:`write_gpkg_layer`.
    map_path : path, optional
        An HTML map there (``""``: ``<maps>/<name>.html``); see
        :func:`ntmgis.analysis.result_map.result_map`.
    data : workspace, path, QueryData or layers, optional
        The context of the map (default: the workspace).
    overwrite : bool
        Replace existing files and layers.
    lang : {"vi", "en"}
        Language of the map and of error messages.

    Returns
    -------
    list of str
        What was written, in the order above (a layer as ``"<gpkg> (<layer>)"``).

    Raises
    ------
    OutputExistsError
        When an output exists and ``overwrite`` is false.
    OutputIsInputError
        When an output is an input of the workspace (even with ``overwrite``).
    WorkspaceError
        A default output folder of ``[output]`` is outside the workspace (see
        :func:`ntmgis.core.safe_write.check_output_paths`).
    WorkspaceBusyError
        ``gpkg_layer`` was asked for while another command writes the GeoPackage.
    """
    wsp = ws if isinstance(ws, Workspace) else None
    if wsp is not None and (map_path == "" or gpkg_layer is not None):
        check_output_paths(wsp, lang)  # only the configured places are checked
    map_target = None
    if map_path is not None:
        map_target = Path(map_path) if map_path else Path(ws.maps_dir) / f"{name}.html"
    layer = None if gpkg_layer is None else (gpkg_layer or name)
    for p in (csv, geojson, map_target):
        if p is not None:
            require_writable(p, overwrite, lang, ws=wsp)
    if layer is not None:
        gpkg = refuse_input(ws.output_gpkg, wsp, lang)
        if gpkg.is_file() and layer in list_layers(gpkg) and not overwrite:
            raise OutputExistsError(_t("output_exists", lang, path=f"{gpkg} ({layer})"))
    written: list[str] = []
    with contextlib.ExitStack() as stack:
        if layer is not None and wsp is not None:
            # A build replacing the GeoPackage meanwhile would lose the layer (or the
            # build its file); taken before any output so that a refusal writes nothing.
            stack.enter_context(workspace_lock(wsp, lang))
        if csv is not None:
            written.append(str(write_csv(result, csv, overwrite=overwrite, lang=lang, ws=wsp)))
        if geojson is not None:
            written.append(str(write_geojson(result, geojson, overwrite=overwrite, lang=lang,
                                             ws=wsp)))
        if layer is not None:
            gp = write_gpkg_layer(result, ws.output_gpkg, layer, overwrite=overwrite,
                                  lang=lang, date=ws.data_date)
            written.append(f"{gp} ({layer})")
    if map_target is not None:
        written.append(str(result_map(result, map_target, data=data if data is not None else ws,
                                      lang=lang, overwrite=overwrite)))
    return written
