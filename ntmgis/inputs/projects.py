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

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet
from ntmgis.core.i18n import label, labels
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import normalise_code
from ntmgis.core.workspace import (
    Workspace,
)
from ntmgis.inputs.cells import code_cells, enum_value, int_cell, number_cells
from ntmgis.inputs.columns import ROW, add_messages, map_columns, report, source_column
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

#: Kinds of project that are not built in one place (support to production or to
#: households' housing, other): without coordinates they are a warning, not an error.
NO_SINGLE_PLACE = ("production", "housing", "other")

#: Capital is in million VND; the whole programme's five years are about 2·10⁸ of
#: them, so one project above this is a typing or export error (1e308, 9.99e99).
MAX_CAPITAL = 1e8

add_messages({
    "xy_swapped": (
        "X và Y có vẻ bị đổi chỗ ({x}, {y}): X đang là tọa độ Bắc (northing), Y là tọa độ "
        "Đông (easting), như cách ghi của trắc địa; đổi lại thì nằm trong vùng. Đổi tên hai "
        "cột, hoặc khai báo [tables.projects.fields] x = \"{ycol}\", y = \"{xcol}\"",
        "X and Y look swapped ({x}, {y}): X holds the northing and Y the easting, as "
        "surveyors write them; swapped back they fall in the area. Rename the two columns, "
        "or declare [tables.projects.fields] x = \"{ycol}\", y = \"{xcol}\"",
    ),
    "xy_swapped.expected": ("X là tọa độ Đông (easting), Y là tọa độ Bắc (northing)",
                            "X the easting, Y the northing"),
    "xy_out_of_area": (
        "tọa độ X/Y ({x}, {y}) trong hệ {crs} nằm ngoài địa bàn; dự án không được "
        "định vị",
        "X/Y coordinates ({x}, {y}) in {crs} lie outside the workspace area; the project is "
        "not located",
    ),
    "xy_out_of_area.expected": ("tọa độ trong địa bàn",
                                "coordinates inside the workspace's area"),
    "no_location_soft": (
        "dự án loại '{category}' không có vị trí (thiếu tọa độ và hình học); loại này thường "
        "không ở một chỗ nên chỉ cảnh báo, nhưng dự án không có trên bản đồ và lớp projects",
        "project of kind '{category}' has no location (no coordinates and no geometry); this "
        "kind often has no single place, so it is a warning, but the project is not on the "
        "map nor in the projects layer",
    ),
    "no_location_hard": (
        "dự án loại '{category}' không có vị trí (thiếu tọa độ và hình học); công trình loại "
        "này được xây ở một nơi cụ thể: ghi kinh độ/vĩ độ, X/Y, hoặc vẽ nó trong lớp "
        "project_geometry",
        "project of kind '{category}' has no location (no coordinates and no geometry); works "
        "of this kind are built somewhere: give lon/lat, X/Y, or draw it in the "
        "project_geometry layer",
    ),
    "no_location_soft.expected": ("tọa độ hoặc hình học theo mã dự án",
                                  "coordinates, or a geometry joined by project id"),
    "no_location_hard.expected": ("tọa độ hoặc hình học theo mã dự án",
                                  "coordinates, or a geometry joined by project id"),
    "too_large": (
        "số vốn {value} không hợp lý (đơn vị triệu đồng; cả Chương trình chỉ khoảng "
        "200.000.000); kiểm tra ô này",
        "capital {value} is not plausible (in million VND; the whole programme is about "
        "200,000,000); check this cell",
    ),
    "too_large.expected": ("một số tiền (triệu đồng) dưới {limit}",
                           "an amount (million VND) below {limit}"),
})



def read_projects(ws: Workspace, log: IssueLog, *, code_width: int | None,
                  area: shapely.STRtree | None = None,
                  criteria_set: CriteriaSet = COMMUNE_CRITERIA) -> gpd.GeoDataFrame | None:
    """The investment list (Biểu 04) with locations, in the workspace CRS.

    Locations come, in this order, from the ``project_geometry`` layer (joined
    by project id: roads are lines), from lon/lat columns (WGS 84), or from
    X/Y columns in ``xy_crs`` (VN-2000 TM-3 or UTM; PROJ applies the EPSG:6960
    datum shift). Swapped lon/lat is detected against the area and reported. The
    criteria a project serves are numbers of ``criteria_set`` (the workspace's).
    """
    numbers = set(criteria_set.numbers)
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
        ok = sorted({n for n in nums if n in numbers})
        if len(ok) < len(set(nums)) or not nums:
            raise ValueError(v)
        return ";".join(map(str, ok))

    crit, bad = per_unique(df["criteria"], criteria_list)
    for i in np.flatnonzero(bad):
        v = df["criteria"].iloc[i]
        log.error("criterion_range", "criterion_range", file=path, row=df[ROW].iloc[i],
                  column=source_column(df, "criteria"), value=v, lo=min(numbers),
                  hi=max(numbers))
        nums = [int(m) for m in re.findall(r"\d+", str(v or ""))]
        crit[i] = ";".join(map(str, sorted({n for n in nums if n in numbers})))
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
        vals, bad_text = number_cells(cells, decimal=ws.decimal)
        for i in np.flatnonzero(bad_text):
            log.error("not_a_number", "not_a_number", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i])
        x = pd.to_numeric(pd.Series(vals), errors="coerce").to_numpy(dtype=float)
        # "nan" written in a cell parses as a float NaN: not a number, not a blank.
        for i in np.flatnonzero(np.isnan(x) & cells.notna().to_numpy(dtype=bool)
                                & ~np.asarray(bad_text, dtype=bool)):
            log.error("not_a_number", "not_a_number", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i])
        for i in np.flatnonzero(x < 0):
            log.error("negative", "negative", file=path, row=df[ROW].iloc[i],
                      column=source_column(df, canon), value=cells.iloc[i])
        # "inf", "1e308": one such cell makes every total infinite (or overflow to it).
        huge = x >= MAX_CAPITAL
        for i in np.flatnonzero(huge):
            report(log, "error", "too_large", "too_large", file=path, row=int(df[ROW].iloc[i]),
                   column=source_column(df, canon), value=cells.iloc[i],
                   limit=f"{MAX_CAPITAL:,.0f}")
        out[canon] = np.where(np.isnan(x) | (x < 0) | huge, 0.0, x)
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



def _check_xy(df: pd.DataFrame, x: np.ndarray, y: np.ndarray, xy: np.ndarray, xy_crs: str,
              rows: np.ndarray, path: Any, log: IssueLog, area: shapely.STRtree | None,
              has_xy: np.ndarray, dropped: np.ndarray) -> None:
    """Swap back X/Y written as surveyors do (X = northing), drop points outside the area.

    Works in place on ``x``, ``y`` (swapped where detected), ``has_xy`` and ``dropped``
    (False / True for points outside the area either way, already reported), as
    lon/lat swaps are handled.
    """
    if area is None:
        return
    to_ll = Transformer.from_crs(xy_crs, "EPSG:4326", always_xy=True)
    with np.errstate(all="ignore"):
        lon, lat = to_ll.transform(x[xy], y[xy])
        slon, slat = to_ll.transform(y[xy], x[xy])
    lon, lat, slon, slat = (np.nan_to_num(np.asarray(a, dtype=float), nan=999.0,
                                          posinf=999.0, neginf=999.0)
                            for a in (lon, lat, slon, slat))
    inside = _in_area(area, lon, lat)
    swapped = ~inside & _in_area(area, slon, slat)
    xcol, ycol = source_column(df, "x"), source_column(df, "y")
    for k in np.flatnonzero(swapped):
        i = xy[k]
        report(log, "error", "xy_swapped", "xy_swapped", file=path, row=int(rows[i]),
               column=xcol, value=f"{x[i]:.10g}, {y[i]:.10g}", x=f"{x[i]:.10g}",
               y=f"{y[i]:.10g}", xcol=xcol, ycol=ycol)
        x[i], y[i] = y[i], x[i]
    for k in np.flatnonzero(~inside & ~swapped):
        i = xy[k]
        report(log, "error", "out_of_area", "xy_out_of_area", file=path, row=int(rows[i]),
               column=xcol, value=f"{x[i]:.10g}, {y[i]:.10g}", x=f"{x[i]:.10g}",
               y=f"{y[i]:.10g}", crs=xy_crs)
        has_xy[i] = False
        dropped[i] = True



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
    need = np.array([g is None for g in geoms], dtype=bool)
    dropped = np.zeros(n, dtype=bool)  # reported already as out of the area
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
        dropped[i] = True
    ll = np.flatnonzero(has_ll)
    if len(ll):
        tx, ty = Transformer.from_crs("EPSG:4326", ws.crs, always_xy=True).transform(
            lon[ll], lat[ll])
        geoms[ll] = shapely.points(tx, ty)
    xy = np.flatnonzero(has_xy)
    if len(xy):
        xy_crs = ws.table("projects").xy_crs or ws.crs
        x, y = x.copy(), y.copy()
        _check_xy(df, x, y, xy, xy_crs, rows, path, log, area, has_xy, dropped)
        xy = np.flatnonzero(has_xy)
        tx, ty = Transformer.from_crs(xy_crs, ws.crs, always_xy=True).transform(x[xy], y[xy])
        geoms[xy] = shapely.points(tx, ty)
    cats = out["category"].to_numpy(dtype=object)
    # Also a lon without its lat, or an X without its Y: half a location is none.
    for i in np.flatnonzero(need & ~has_ll & ~has_xy & ~dropped):
        soft = cats[i] in NO_SINGLE_PLACE
        report(log, "warning" if soft else "error", "no_location",
               "no_location_soft" if soft else "no_location_hard", file=path, row=int(rows[i]),
               column=col if "lon" in df else "", value=out["project_id"].iloc[i],
               category=label("category", cats[i], log.lang))
    return geoms
