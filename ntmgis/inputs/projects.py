"""The investment list (Biểu 04): projects with capital by source.

Projects are located from lon/lat, from VN-2000 X/Y, or from line/polygon geometry joined by id.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ntmgis.core.criteria import COMMUNE_CRITERIA
from ntmgis.core.i18n import labels
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import normalise_code, parse_number
from ntmgis.core.workspace import (
    Workspace,
)
from ntmgis.inputs.cells import code_cells, enum_value, int_cell
from ntmgis.inputs.columns import ROW, map_columns, source_column
from ntmgis.inputs.legacy_text import per_unique
from ntmgis.inputs.tables import read_table
from ntmgis.inputs.vector import read_vector

_PROJECT_REQUIRED = ("project_id", "name", "commune_code", "criteria", "year_start", "year_end",
                     "status")


_PROJECT_OPTIONAL = ("category", "village_code", "cap_central", "cap_local", "cap_integrated",
                     "cap_credit", "cap_mobilised", "cap_community", "disbursed", "lon", "lat",
                     "x", "y", "commune_name", "village_name")


CAP_COLUMNS = ("cap_central", "cap_local", "cap_integrated", "cap_credit", "cap_mobilised",
               "cap_community")



def read_projects(ws: Workspace, log: IssueLog, *, code_width: int | None,
                  area: shapely.STRtree | None = None) -> gpd.GeoDataFrame | None:
    """The investment list (Biểu 04) with locations, in the workspace CRS.

    Locations come, in this order, from the ``project_geometry`` layer (joined
    by project id: roads are lines), from lon/lat columns (WGS 84), or from
    X/Y columns in ``xy_crs`` (VN-2000 TM-3 or UTM; PROJ applies the EPSG:6960
    datum shift). Swapped lon/lat is detected against the area and reported.
    """
    cfg = ws.table("projects")
    if cfg is None:
        return None
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    df = map_columns(df, cfg.fields, _PROJECT_REQUIRED, _PROJECT_OPTIONAL, path=path, log=log,
                     context="projects")
    if not set(_PROJECT_REQUIRED) <= set(df.columns):
        return None
    out = pd.DataFrame({"project_id": [normalise_code(v) for v in df["project_id"]],
                        "name": df["name"].to_numpy(dtype=object), ROW: df[ROW]})
    out["commune_code"] = code_cells(df, "commune_code", ws, log, path, code_width)
    out["village_code"] = (code_cells(df, "village_code", ws, log, path, None)
                           if "village_code" in df else None)
    pids = out["project_id"]
    first = out.groupby("project_id", sort=False)[ROW].transform("first")
    for i in np.flatnonzero(pids.isna().to_numpy() | pids.duplicated().to_numpy()):
        pid, row = pids.iloc[i], out[ROW].iloc[i]
        if pid is None:
            log.error("missing_value", "missing_value", file=path, row=row,
                      column=source_column(df, "project_id"))
        else:
            log.error("duplicate_code", "duplicate_code", file=path, row=row,
                      column=source_column(df, "project_id"), value=pid, first=first.iloc[i])
    # Category and status accept keys or labels in either language.
    for canon, kind in (("category", "category"), ("status", "status")):
        cells = df[canon] if canon in df else pd.Series([None] * len(df), index=df.index)
        keys, _ = per_unique(cells, lambda v, kind=kind: enum_value(v, kind))
        blank = cells.isna().to_numpy() if canon == "category" else np.zeros(len(df), bool)
        for i in np.flatnonzero(pd.isna(keys) & ~blank):
            log.error("bad_enum", "bad_enum", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i],
                      expected=", ".join(labels(kind, log.lang).values()))
        if canon == "category":
            keys[pd.isna(keys)] = "other"
        out[canon] = keys

    def criteria_list(v: Any) -> str:
        nums = [int(m) for m in re.findall(r"\d+", str(v or ""))]
        ok = sorted({n for n in nums if n in COMMUNE_CRITERIA.numbers})
        if len(ok) < len(set(nums)) or not nums:
            raise ValueError(v)
        return ";".join(map(str, ok))

    crit, bad = per_unique(df["criteria"], criteria_list)
    for i in np.flatnonzero(bad):
        v = df["criteria"].iloc[i]
        log.error("criterion_range", "criterion_range", file=path, row=df[ROW].iloc[i],
                  column=source_column(df, "criteria"), value=v, lo=1, hi=19)
        nums = [int(m) for m in re.findall(r"\d+", str(v or ""))]
        crit[i] = ";".join(map(str, sorted({n for n in nums if n in COMMUNE_CRITERIA.numbers})))
    out["criteria"] = crit
    lo_y, hi_y = ws.years[0] - 10, ws.years[-1] + 10
    out["year_start"] = int_cell(df, "year_start", log, path, lo=lo_y, hi=hi_y, key="year_range")
    out["year_end"] = int_cell(df, "year_end", log, path, lo=lo_y, hi=hi_y, key="year_range")
    order = (out["year_start"] > out["year_end"]).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(order):
        s, e = out["year_start"].iloc[i], out["year_end"].iloc[i]
        log.error("year_order", "year_order", file=path, row=out[ROW].iloc[i],
                  column=source_column(df, "year_start"), value=s, start=s, end=e)
    for canon in (*CAP_COLUMNS, "disbursed"):
        cells = df[canon] if canon in df else pd.Series([None] * len(df), index=df.index)
        vals, bad = per_unique(cells, lambda v: parse_number(v, decimal=ws.decimal))
        for i in np.flatnonzero(bad):
            log.error("not_a_number", "not_a_number", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i])
        x = pd.to_numeric(pd.Series(vals), errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(x < 0):
            log.error("negative", "negative", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i])
        out[canon] = np.where(np.isnan(x) | (x < 0), 0.0, x)
    out["cap_total"] = out[list(CAP_COLUMNS)].sum(axis=1)
    out["geometry"] = _project_locations(df, out, ws, log, area)
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=ws.crs)
    gdf.attrs["path"] = str(path)
    gdf.attrs["source_columns"] = df.attrs.get("source_columns", {})
    return gdf



def _in_area(area: shapely.STRtree | None, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which lon/lat points fall in the area (the communes' boxes with ~2 km of slack)."""
    if area is None:
        return np.ones(len(lon), dtype=bool)
    hit = np.zeros(len(lon), dtype=bool)
    idx, _ = area.query(shapely.points(lon, lat), predicate="intersects")
    hit[idx] = True
    return hit



def _project_locations(df: pd.DataFrame, out: pd.DataFrame, ws: Workspace, log: IssueLog,
                       area: shapely.STRtree | None) -> np.ndarray:
    path = ws.table("projects").path
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    cfg = ws.layer("project_geometry")
    if cfg is not None:
        layer = read_vector(cfg, ws, log, required=("project_id",))
        if layer is not None and "project_id" in layer:
            layer = layer.to_crs(ws.crs)
            ids = pd.Series(per_unique(layer["project_id"], normalise_code)[0])
            geo = layer.geometry.to_numpy()
            rep = ids.duplicated(keep=False).to_numpy()
            merged = pd.Series(geo[~rep], index=ids[~rep].to_numpy(), dtype=object)
            if rep.any():  # one project drawn as several lines: their union
                extra = gpd.GeoSeries(geo[rep], index=ids[rep].to_numpy()).groupby(
                    level=0).agg(lambda g: shapely.union_all(g.to_numpy()))
                merged = pd.concat([merged, pd.Series(extra.to_numpy(), index=extra.index,
                                                      dtype=object)])
            geoms = out["project_id"].map(merged).to_numpy(dtype=object).copy()
            geoms[pd.isna(geoms)] = None
    rows = out[ROW].to_numpy()

    def coords(canon: str) -> np.ndarray:
        vals = np.full(n, np.nan)
        if canon not in df:
            return vals
        cells = df[canon]
        # As _coord, for the whole column: no spaces; a lone "," is the decimal mark.
        txt = pd.Series(cells.to_numpy(dtype=object), dtype="string").str.replace(
            " ", "", regex=False).str.strip()
        comma = (txt.str.contains(",", regex=False)
                 & ~txt.str.contains(".", regex=False)).fillna(False)
        txt = txt.where(~comma, txt.str.replace(",", ".", regex=False))
        num = pd.to_numeric(txt, errors="coerce")
        bad = (txt.notna() & (txt != "") & num.isna()).to_numpy(dtype=bool)
        for i in np.flatnonzero(bad):
            log.error("not_a_number", "not_a_number", file=path, row=int(rows[i]),
                      column=source_column(df, canon), value=cells.iloc[i])
        vals[:] = num.to_numpy(dtype=float, na_value=np.nan)
        return vals

    lon, lat, x, y = coords("lon"), coords("lat"), coords("x"), coords("y")
    need = np.array([g is None for g in geoms])
    has_ll = need & ~np.isnan(lon) & ~np.isnan(lat)
    has_xy = need & ~has_ll & ~np.isnan(x) & ~np.isnan(y)
    ll = np.flatnonzero(has_ll)
    inside = _in_area(area, lon[ll], lat[ll])
    swapped = ~inside & _in_area(area, lat[ll], lon[ll])
    col = source_column(df, "lon")
    for k in np.flatnonzero(swapped):
        i = ll[k]
        log.error("latlon_swapped", "latlon_swapped", file=path, row=int(rows[i]), column=col,
                  value=f"{lon[i]}, {lat[i]}", lon=lon[i], lat=lat[i])
        lon[i], lat[i] = lat[i], lon[i]
    for k in np.flatnonzero(~inside & ~swapped):
        i = ll[k]
        log.error("out_of_area", "out_of_area", file=path, row=int(rows[i]), column=col,
                  value=f"{lon[i]}, {lat[i]}", x=lon[i], y=lat[i])
        has_ll[i] = False
    ll = np.flatnonzero(has_ll)
    if len(ll):
        tx, ty = Transformer.from_crs("EPSG:4326", ws.crs, always_xy=True).transform(
            lon[ll], lat[ll])
        geoms[ll] = shapely.points(tx, ty)
    xy = np.flatnonzero(has_xy)
    if len(xy):
        xy_crs = ws.table("projects").xy_crs or ws.crs
        tx, ty = Transformer.from_crs(xy_crs, ws.crs, always_xy=True).transform(x[xy], y[xy])
        geoms[xy] = shapely.points(tx, ty)
    for i in np.flatnonzero(need & ~has_ll & ~has_xy & np.isnan(lon) & np.isnan(x)):
        log.error("no_location", "no_location", file=path, row=int(rows[i]),
                  column=col if "lon" in df else "")
    return geoms
