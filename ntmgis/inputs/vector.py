"""Vector layers as offices have them, with their CRS checked and text made NFC.

GeoPackage, Shapefile (with or without ``.prj``; DBF in UTF-8, cp1258, TCVN3 or VNI),
MapInfo TAB, GeoJSON; the CRS checked, text made NFC.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from ntmgis.core.i18n import label
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.workspace import (
    LayerConfig,
    Workspace,
    is_database_url,
)
from ntmgis.inputs.columns import (
    ROW,
    add_messages,
    input_text,
    map_columns,
    report,
    row_ranges,
)
from ntmgis.inputs.legacy_text import decode_error_reason, fix_text, legacy_table
from ntmgis.inputs.tables import read_database

VECTOR_SUFFIXES = (".gpkg", ".shp", ".tab", ".geojson", ".json", ".fgb", ".kml", ".gml")


# Vietnam's extent with a margin, lon/lat: a layer outside it has a wrong CRS.
VN_BOUNDS = (101.0, 7.5, 110.5, 24.0)

# GeoJSON files above this size are not read a second time to look for NUL escapes.
NUL_SCAN_MAX_BYTES = 256 * 1024 * 1024

# The shapes each layer may hold (shapely type ids): communes are areas, roads lines.
# Villages and facilities may be points or areas (their representative point is used).
_POINT, _LINE, _AREA = (0, 4), (1, 2, 5), (3, 6)
GEOMETRY_KINDS: dict[str, tuple[int, ...]] = {
    "communes": _AREA,
    "villages": _POINT + _AREA,
    "facilities": _POINT + _AREA,
    "roads": _LINE,
    "project_geometry": _LINE + _AREA,
}
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}

add_messages({
    "no_geometry": (
        "đối tượng {value} không có hình học{why}; {count} trên {total} đối tượng của lớp "
        "như vậy (dòng {rows}){hint}. Đối tượng này sẽ không có trên bản đồ",
        "feature {value} has no geometry{why}; {count} of {total} features of the layer are "
        "so (rows {rows}){hint}. It would be missing from the map",
    ),
    "no_geometry.expected": ("hình học có tọa độ hữu hạn", "a geometry with finite coordinates"),
    "why_nan": (" (tọa độ NaN hoặc vô hạn)", " (NaN or infinite coordinates)"),
    "hint_shp": ("; tệp .shp có vẻ bị cắt cụt (chép hoặc nén thiếu): lấy lại tệp gốc",
                 "; the .shp looks truncated (copied or zipped incompletely): take the "
                 "original again"),
    "geometry_type": (
        "lớp {layer} cần {wanted}, nhưng {count} trên {total} đối tượng là {found} (dòng "
        "{rows}); các đối tượng này không dùng được",
        "the {layer} layer needs {wanted}, but {count} of {total} features are {found} (rows "
        "{rows}); they cannot be used",
    ),
    "geometry_type.expected": ("{wanted}", "{wanted}"),
    "project_points": (
        "lớp hình học dự án ([layers.project_geometry]) có {count} điểm (dòng {rows}), không "
        "phải đường hay vùng: các dự án này được định vị bằng điểm và không có trong lớp "
        "\"Tuyến công trình\" của bản đồ",
        "the project geometry layer ([layers.project_geometry]) holds {count} points (rows "
        "{rows}), not lines or areas: these projects are located by the point and are not in "
        "the map's \"Project lines\" layer",
    ),
    "project_points.expected": ("đường (tuyến đường, kênh) hoặc vùng",
                                "lines (roads, canals) or areas"),
    "want_area": ("vùng (Polygon)", "areas (Polygon)"),
    "want_line": ("đường (LineString)", "lines (LineString)"),
    "want_point_area": ("điểm hoặc vùng", "points or areas"),
    "want_line_area": ("đường hoặc vùng", "lines or areas"),
})

_WANTED = {_AREA: "want_area", _LINE: "want_line", _POINT + _AREA: "want_point_area",
           _LINE + _AREA: "want_line_area"}




def _layer_name(name: str, lang: str) -> str:
    """A configured layer as users read it: its name in words, then its key in ntmgis.toml."""
    return f"{label('layer', name, lang)} ([layers.{name}])"

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
        return check_geometries(gpd.GeoDataFrame(gdf, geometry="geometry"), cfg, log)
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
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, UnicodeDecodeError):
            # A legacy DBF read as UTF-8: say which encoding its words fit, and where.
            reason = decode_error_reason(exc, log.lang, path=path,
                                         section=f"layers.{cfg.name}" if cfg.encoding else "area")
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=reason)
        return None
    gdf[ROW] = np.arange(1, len(gdf) + 1)
    if path.suffix.lower() in (".geojson", ".json"):
        gdf = _restore_nul_text(gdf, path, log)
    if kw.get("encoding") == "latin1":
        gdf = legacy_table(gdf, encoding)
    else:
        gdf = fix_text(gdf, path, log)
    gdf = resolve_crs(gdf, cfg.crs, ws, path, log)
    gdf = map_columns(gdf, cfg.fields, required, optional, path=path, log=log, context=cfg.name)
    return check_geometries(gpd.GeoDataFrame(gdf, geometry="geometry"), cfg, log)



def _restore_nul_text(gdf: gpd.GeoDataFrame, path: Path, log: IssueLog) -> gpd.GeoDataFrame:
    r"""Text that GDAL cut at a NUL (``\u0000`` in GeoJSON), read whole, each one reported.

    GDAL ends a string at its first NUL, so "Bản\u0000 1-2" arrives as "Bản". The
    file is read again with :mod:`json` only when it holds such an escape.
    """
    if path.stat().st_size > NUL_SCAN_MAX_BYTES:
        return gdf
    raw = path.read_bytes()
    if b"\\u0000" not in raw:
        return gdf
    try:
        features = json.loads(raw.decode("utf-8-sig")).get("features", [])
    except (ValueError, AttributeError):
        return gdf
    if len(features) != len(gdf):
        return gdf
    for i, feat in enumerate(features):
        for key, value in ((feat or {}).get("properties") or {}).items():
            if isinstance(value, str) and "\x00" in value and key in gdf.columns:
                fixed = value.replace("\x00", "")
                report(log, "warning", "nul_byte", "nul_byte", file=path, row=i + 1,
                       column=key, value=value.replace("\x00", "\\0"), fixed=fixed)
                gdf.iloc[i, gdf.columns.get_loc(key)] = fixed
    return gdf



def check_geometries(gdf: gpd.GeoDataFrame, cfg: LayerConfig, log: IssueLog
                     ) -> gpd.GeoDataFrame:
    """Report features without a usable geometry and shapes the layer cannot hold.

    A feature with no geometry, an empty one or NaN / infinite coordinates is an
    error per feature (a truncated ``.shp`` reads as many such features; NaN
    coordinates would be written as ``POINT EMPTY``); its geometry becomes None
    so that later checks skip it. Communes that are not areas, roads that are
    not lines, villages that are lines are errors; points in ``project_geometry``
    are a warning (they are used, but are not lines on the map).

    Returns
    -------
    GeoDataFrame
        ``gdf`` with unusable geometries set to None.
    """
    n = len(gdf)
    if not n:
        return gdf
    path, lang = cfg.path, log.lang
    geoms = gdf.geometry.to_numpy()
    none = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(n, dtype=bool)
    bad[owner[~np.isfinite(coords).all(axis=1)]] = True
    bad &= ~none
    ident = next((c for c in ("code", "project_id", "facility_id", "road_id") if c in gdf), None)
    rows = gdf[ROW].to_numpy()
    lost = np.flatnonzero(none | bad)
    if len(lost):
        truncated = str(path).lower().endswith(".shp") and none.sum() > 0
        hint = input_text("hint_shp", lang) if truncated else ""
        where = row_ranges(rows[lost])
        for i in lost:
            value = gdf[ident].iloc[i] if ident else int(rows[i])
            report(log, "error", "empty_geometry", "no_geometry", file=path, row=int(rows[i]),
                   column="geometry", value=value, count=len(lost), total=n, rows=where,
                   why=input_text("why_nan", lang) if bad[i] else "", hint=hint)
        geoms = geoms.copy()
        geoms[lost] = None
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    allowed = GEOMETRY_KINDS.get(cfg.name)
    if allowed is None:
        return gdf
    kinds = shapely.get_type_id(geoms)
    odd = (kinds >= 0) & ~np.isin(kinds, allowed)
    if not odd.any():
        return gdf
    if cfg.name == "project_geometry" and np.isin(kinds[odd], _POINT).all():
        idx = np.flatnonzero(odd)
        report(log, "warning", "geometry_type", "project_points", file=path,
               row=int(rows[idx[0]]), column="geometry", value=_TYPE_NAMES[int(kinds[idx[0]])],
               count=len(idx), rows=row_ranges(rows[idx]))
        return gdf
    idx = np.flatnonzero(odd)
    found = ", ".join(sorted({_TYPE_NAMES.get(int(k), str(k)) for k in kinds[idx]}))
    wanted = input_text(_WANTED[allowed], lang)
    report(log, "error", "geometry_type", "geometry_type", file=path, row=int(rows[idx[0]]),
           column="geometry", value=found, layer=_layer_name(cfg.name, lang), wanted=wanted,
           count=len(idx), total=n, found=found, rows=row_ranges(rows[idx]))
    geoms = geoms.copy()
    geoms[idx] = None
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))

