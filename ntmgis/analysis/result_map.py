"""Query results drawn as offline HTML maps (with :mod:`ntmgis.outputs.webmap`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.analysis.formatting import (
    _GAP_LABELS,
    _TABLE_COLUMNS,
    _fmt,
    _table_kind,
    describe,
    heading,
)
from ntmgis.analysis.project_search import find_place
from ntmgis.analysis.query_data import load_data
from ntmgis.analysis.terrain import NODATA
from ntmgis.core.i18n import label
from ntmgis.core.i18n import labels as enum_labels
from ntmgis.outputs.webmap import ResultLayer, render_result_map

__all__ = ["result_map"]


def _minutes_bands(raster: Path, limit: float | None, lang: str) -> gpd.GeoDataFrame:
    """Polygons of travel-time bands from the minutes GeoTIFF (for the map)."""
    import rasterio
    from rasterio.features import shapes

    edges = ([0, limit / 2, limit, 2 * limit] if limit else [0, 30, 60, 120])
    with rasterio.open(raster) as src:
        m = src.read(1)
        transform, crs = src.transform, src.crs
        cell = abs(transform.a)
    valid = m != NODATA
    band = np.zeros(m.shape, dtype="int32")
    for i, e in enumerate(edges[1:], start=1):
        band[valid & (m > e)] = i
    band[~valid] = -1
    geoms, vals = [], []
    for geom, val in shapes(band, mask=valid, transform=transform):
        geoms.append(shapely.geometry.shape(geom))
        vals.append(int(val))
    unit = "min" if lang == "en" else "phút"

    def text(i: int) -> str:
        lo = edges[i]
        if i + 1 < len(edges):
            return f"{lo:g}–{edges[i + 1]:g} {unit}"
        return f"> {lo:g} {unit}"

    gdf = gpd.GeoDataFrame({"band": [text(v) for v in vals], "_order": vals},
                           geometry=geoms, crs=crs)
    gdf = gdf.dissolve(by=["_order", "band"], as_index=False).sort_values("_order")
    gdf["geometry"] = gdf.geometry.simplify(cell / 2)
    return gdf[["band", "geometry"]].reset_index(drop=True)


_PER_UNIT_LABELS = (
    {"unaddressed_criteria": "Tiêu chí chưa có dự án", "addressed_criteria": "Tiêu chí đã có dự án",
     "gaps": "Số tiêu chí chưa đạt"},
    {"unaddressed_criteria": "Unaddressed criteria", "addressed_criteria": "Addressed criteria",
     "gaps": "Criteria not met"},
)


def _gaps_per_unit(result: pd.DataFrame, unit: str, lang: str) -> gpd.GeoDataFrame:
    """One row per commune (village) of a gaps result, with its criteria listed."""
    names = ["commune_name"] if unit == "commune_code" else [
        "village_name", "commune_name", "population"]
    df = result.sort_values([unit, "criterion"], kind="stable")

    def crits(status: str):
        return lambda g: "; ".join(f"{c}. {n}" for c, n, s in zip(
            g["criterion"], g["criterion_name"], g["gap_status"], strict=True) if s == status)

    grouped = df.groupby(unit, sort=True)
    per = pd.DataFrame({
        **{c: grouped[c].first() for c in names},
        "gaps": grouped.size(),
        "unaddressed_criteria": grouped[["criterion", "criterion_name", "gap_status"]].apply(
            crits("unaddressed")),
        "addressed_criteria": grouped[["criterion", "criterion_name", "gap_status"]].apply(
            crits("addressed")),
    })
    per["gap_status"] = np.where(per["unaddressed_criteria"] != "", "unaddressed", "addressed")
    geom = grouped["geometry"].first() if "geometry" in df else None
    return gpd.GeoDataFrame(per.reset_index(), geometry=geom.to_numpy(), crs=result.crs)


def _map_title(result: pd.DataFrame, lang: str) -> str:
    a = result.attrs
    en = lang == "en"
    kind = a.get("query")
    if kind == "gaps":
        unit = ("Villages" if en else "Bản") if a.get("level") == "village" else (
            "Communes" if en else "Xã")
        crit = a.get("criteria") or []
        names = a.get("criteria_names") or {}
        if len(crit) == 1:
            c = crit[0]
            return (f"{unit} not meeting criterion {c} ({names.get(c, '')}) in {a.get('year')}"
                    if en else f"{unit} chưa đạt tiêu chí {c} ({names.get(c, '')}) năm "
                               f"{a.get('year')}")
        return (f"{unit} not meeting criteria in {a.get('year')}" if en else
                f"{unit} chưa đạt tiêu chí năm {a.get('year')}")
    if kind == "access":
        fac = label("facility", a["to"], lang)
        mode = {"straight": ("đường chim bay", "straight line"),
                "road": ("theo đường bộ", "along roads"),
                "terrain": ("theo địa hình", "over terrain")}[a["by"]][1 if en else 0]
        return f"Access to {fac.lower()}s, {mode}" if en else f"Tiếp cận {fac.lower()} {mode}"
    if kind == "misplaced":
        return "Misplaced projects" if en else "Dự án nằm sai vị trí"
    return "Projects" if en else "Danh mục dự án"


def result_map(result: pd.DataFrame, path: str | Path, *, data: Any = None,
               lang: str = "vi", overwrite: bool = False, title: str | None = None,
               online_tiles: bool = True) -> Path:
    """Draw a query result as an offline HTML map with the web-map renderer.

    Parameters
    ----------
    result : GeoDataFrame
        The result of :func:`~ntmgis.analysis.gaps.gaps`,
        :func:`~ntmgis.analysis.access.access`, :func:`~ntmgis.analysis.misplaced.misplaced`
        or :func:`~ntmgis.analysis.project_search.find_projects`.
    path : path
        The ``.html`` file.
    data : workspace, path, QueryData or layers, optional
        Adds context: the facilities for ``access`` (and the travel-time
        bands of a terrain raster), commune boundaries and hillshade from
        the workspace.
    lang, overwrite, title, online_tiles
        As in :func:`ntmgis.outputs.webmap.render_result_map`.
    """
    q = load_data(data, lang=lang) if data is not None else None
    kind = result.attrs.get("query")
    en = lang == "en"
    labels_of = {c: heading(c, lang) for c in result.columns}
    fields = [c for c in (_TABLE_COLUMNS.get(_table_kind(result)) or []) if c in result.columns]
    shown = result.copy()
    for c in ("status", "category"):
        if c in shown:
            shown[c] = [_fmt(c, v, lang) for v in shown[c]]
    if "project_status" in shown:
        shown["project_status"] = [_fmt("project_status", v, lang)
                                   for v in shown["project_status"]]
    layers: list = []
    if kind == "gaps" and len(result.attrs.get("criteria") or []) > 1:
        # Several criteria: one feature per unit, listing its criteria (stacked
        # polygons would hide each other's popups).
        village = result.attrs.get("level") == "village"
        unit = "village_code" if village else "commune_code"
        per = _gaps_per_unit(result, unit, lang)
        layers.append(ResultLayer(
            per, ("Bản chưa đạt" if not en else "Villages with gaps") if village else
            ("Xã chưa đạt" if not en else "Communes with gaps"),
            category="gap_status", colors={"addressed": "#009E73", "unaddressed": "#D55E00"},
            labels={"addressed": "Mọi tiêu chí chưa đạt đã có dự án" if not en else
                    "Every gap addressed",
                    "unaddressed": "Còn tiêu chí chưa có dự án" if not en else
                    "Some gaps unaddressed"},
            fields=[c for c in per.columns if c not in ("geometry", "gap_status")],
            field_labels=labels_of | _PER_UNIT_LABELS[1 if en else 0],
            title_field="village_name" if village else "commune_name", fill_opacity=0.45))
    elif kind == "gaps":
        village = result.attrs.get("level") == "village"
        layers.append(ResultLayer(
            shown, ("Bản chưa đạt" if not en else "Villages with gaps") if village else
            ("Xã chưa đạt" if not en else "Communes with gaps"),
            category="gap_status", colors={"addressed": "#009E73", "unaddressed": "#D55E00"},
            labels={k: v[1 if en else 0] for k, v in _GAP_LABELS.items()},
            fields=fields, field_labels=labels_of,
            title_field="village_name" if village else "commune_name", fill_opacity=0.45))
    elif kind == "access":
        a = result.attrs
        roads = q.get("roads", required=False) if q is not None and a["by"] == "road" else None
        if roads is not None and len(roads):
            rl = enum_labels("road_class", lang)
            layers.append(ResultLayer(
                roads[["road_id", "name", "road_class", "geometry"]].assign(
                    road_class=roads["road_class"].map(lambda k: rl.get(k, k))),
                "Đường" if not en else "Roads", category="road_class",
                colors={rl["provincial"]: "#D55E00", rl["district"]: "#E69F00",
                        rl["commune"]: "#56B4E9", rl["village_track"]: "#999999"},
                field_labels={"road_id": "Mã" if not en else "Id",
                              "name": heading("name", lang),
                              "road_class": "Cấp đường" if not en else "Class"},
                title_field="name"))
        if a.get("raster"):
            bands = _minutes_bands(Path(a["raster"]), a.get("max_minutes"), lang)
            com = q.get("communes", required=False) if q is not None else None
            if com is not None and len(com):
                area = shapely.union_all(com.to_crs(bands.crs).geometry.to_numpy())
                bands = bands.assign(geometry=bands.geometry.intersection(area))
                bands = bands[~bands.geometry.is_empty].reset_index(drop=True)
            layers.append(ResultLayer(
                bands, "Thời gian đến cơ sở" if not en else "Travel time",
                category="band", colors=dict(zip(bands["band"], (
                    "#1a9850", "#91cf60", "#fee08b", "#d73027"), strict=False)),
                fields=["band"], field_labels={"band": heading("minutes", lang)},
                title_field="band", fill_opacity=0.35))
        if a.get("max_km") is None and a.get("max_minutes") is None:
            layers.append(ResultLayer(shown, "Bản" if not en else "Villages",
                                      fields=fields, field_labels=labels_of,
                                      title_field="village_name", color="#E69F00"))
        else:
            shown["_class"] = np.where(result["gap"].fillna(True).astype(bool), "beyond",
                                       "within")
            layers.append(ResultLayer(
                shown, "Bản" if not en else "Villages", category="_class",
                colors={"beyond": "#D55E00", "within": "#009E73"},
                labels={"beyond": "Vượt ngưỡng" if not en else "Beyond the threshold",
                        "within": "Trong ngưỡng" if not en else "Within the threshold"},
                fields=fields, field_labels=labels_of, title_field="village_name", radius=7))
        if q is not None:
            fac = q.get("facilities", required=False)
            if fac is not None:
                fac = fac[fac["type"] == a["to"]][["facility_id", "name", "geometry"]]
                from ntmgis.core.i18n import label

                layers.append(ResultLayer(fac, label("facility", a["to"], lang),
                                          color="#0072B2", radius=8,
                                          field_labels=labels_of | {
                                              "facility_id": heading("facility_id", lang),
                                              "name": heading("name", lang)}))
    elif kind == "misplaced":
        shown["_class"] = np.where(result["outside_commune"], "outside",
                                   np.where(result["unknown_commune"], "unknown", "far"))
        layers.append(ResultLayer(
            shown, "Dự án sai vị trí" if not en else "Misplaced projects", category="_class",
            colors={"outside": "#D55E00", "far": "#E69F00", "unknown": "#CC79A7"},
            labels={"outside": "Ngoài xã đã kê khai" if not en else "Outside its commune",
                    "far": "Xa bản đã kê khai" if not en else "Far from its village",
                    "unknown": "Mã xã lạ" if not en else "Unknown commune"},
            fields=fields, field_labels=labels_of, title_field="name", radius=7))
    else:
        near = result.attrs.get("near")
        if near is not None and q is not None:
            place = find_place(q, near, lang=lang)
            layers.append(ResultLayer(
                gpd.GeoDataFrame({"name": [place.name], "code": [place.code]},
                                 geometry=[place.geometry], crs=place.crs),
                place.name, color="#CC79A7", radius=9, fill_opacity=0.1,
                field_labels={"name": heading("name", lang), "code": "Mã" if not en else "Code"}))
        layers.append(ResultLayer(
            shown, "Dự án" if not en else "Projects", category="status" if len(shown) else None,
            fields=fields, field_labels=labels_of, title_field="name", radius=7))
    ws = q.workspace if q is not None else None
    return render_result_map(layers, path, title=title or _map_title(result, lang),
                             lang=lang, overwrite=overwrite, workspace=ws,
                             subtitle=describe(result, lang=lang), online_tiles=online_tiles)
