"""Misplaced projects: outside their declared commune, or far from their declared village."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.analysis.distances import geodesic_m, to_metric, work_crs
from ntmgis.analysis.query_data import QueryData, grouped_join, load_data, message
from ntmgis.core.errors import DataError

__all__ = ["misplaced"]

_m = message


def _project_geometry(q: QueryData, prj: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A project's geometry: its line (project_lines) if it has one, else its point."""
    geom = prj.geometry.copy()
    lines = q.get("project_lines", required=False)
    if isinstance(lines, gpd.GeoDataFrame) and len(lines):
        lines = lines.to_crs(prj.crs) if lines.crs != prj.crs else lines
        by_id = dict(zip(lines["project_id"], lines.geometry, strict=False))
        line = prj["project_id"].map(by_id)
        use = line.notna().to_numpy()
        geom = gpd.GeoSeries(np.where(use, line.to_numpy(), geom.to_numpy()), crs=prj.crs,
                             index=prj.index)
    return geom


def misplaced(data: Any, /, *, max_village_m: float | None = None,
              lang: str = "vi") -> gpd.GeoDataFrame:
    """Projects outside their declared commune, or farther than a distance from their village.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`.
    max_village_m : float, optional
        Distance beyond which a project is too far from its declared village
        (default: ``[checks] village_distance_m`` of the workspace, else 3000 m).
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    GeoDataFrame
        The misplaced projects sorted by id: ``project_id``, ``name``,
        ``category``, ``status``, ``commune_code``, ``commune_name`` (declared),
        ``located_commune_code`` / ``located_commune_name`` (where it lies;
        ";" between two codes in an overlap), ``dist_commune_m`` (to the
        declared commune's edge; 0 inside), ``village_code``,
        ``village_name``, ``dist_village_m`` (geodesic for points),
        ``outside_commune``, ``far_from_village``, ``unknown_commune``
        (the declared code is not a commune), and the project's geometry (a
        line project's line). Projects without a location are left out.
    """
    q = load_data(data, lang=lang)
    if max_village_m is None:
        max_village_m = q.workspace.village_distance_m if q.workspace else 3000.0
    if not max_village_m > 0:
        raise DataError(_m("negative_limit", lang, value=max_village_m), value=max_village_m)
    prj = q.get("projects")
    prj = prj[prj.geometry.notna() & ~prj.geometry.is_empty].sort_values(
        "project_id", kind="stable").reset_index(drop=True)
    communes = q.get("communes")
    crs = work_crs(q)
    geom = to_metric(gpd.GeoDataFrame(geometry=_project_geometry(q, prj)), crs).geometry
    com = to_metric(communes, crs)
    com_geom = dict(zip(com["code"], com.geometry, strict=False))
    com_name = dict(zip(com["code"], com["name"], strict=False))
    declared = prj["commune_code"].map(com_geom)
    known = declared.notna().to_numpy()
    dist_c = np.full(len(prj), np.nan)
    if known.any():
        dist_c[known] = shapely.distance(geom.to_numpy()[known], declared.to_numpy()[known])
    # Where each project lies (several codes in an overlap of communes).
    pi, ci = shapely.STRtree(com.geometry.to_numpy()).query(geom.to_numpy(),
                                                             predicate="intersects")
    loc = pd.DataFrame({"i": pi, "code": com["code"].to_numpy()[ci],
                        "name": com["name"].to_numpy()[ci]}).sort_values(["i", "code"])
    joined = grouped_join(loc, ["i"], {"code": "code", "name": "name"}).set_index("i")
    located = joined["code"].reindex(range(len(prj)))
    located_name = joined["name"].str.replace(";", "; ", regex=False).reindex(range(len(prj)))
    # Distance to the declared village (geodesic for points; metric CRS for lines).
    vill = q.get("villages", required=False)
    dist_v = np.full(len(prj), np.nan)
    vname = pd.Series([None] * len(prj), dtype=object)
    if vill is not None and "village_code" in prj:
        vgeo = dict(zip(vill["code"], vill.geometry, strict=False))
        vname = prj["village_code"].map(dict(zip(vill["code"], vill["name"], strict=False)))
        vpt = gpd.GeoSeries(prj["village_code"].map(vgeo).to_numpy(), crs=vill.crs)
        is_pt = (shapely.get_type_id(prj.geometry.to_numpy()) == 0) & (
            geom.geom_type.to_numpy() == "Point")
        dist_v = geodesic_m(gpd.GeoSeries(prj.geometry.to_numpy(), crs=prj.crs), vpt)
        lines = ~is_pt & vpt.notna().to_numpy()
        if lines.any():
            vm = to_metric(gpd.GeoDataFrame(geometry=vpt), crs).geometry.to_numpy()
            dist_v[lines] = shapely.distance(geom.to_numpy()[lines], vm[lines])
    out = pd.DataFrame({
        "project_id": prj["project_id"].to_numpy(),
        "name": prj["name"].to_numpy(),
        "category": prj["category"].to_numpy(),
        "status": prj["status"].to_numpy(),
        "commune_code": prj["commune_code"].to_numpy(),
        "commune_name": prj["commune_code"].map(com_name).to_numpy(),
        "located_commune_code": located.to_numpy(),
        "located_commune_name": located_name.fillna("").to_numpy(),
        "dist_commune_m": np.round(dist_c, 1),
        "village_code": prj.get("village_code", pd.Series([None] * len(prj))).to_numpy(),
        "village_name": vname.to_numpy(),
        "dist_village_m": np.round(dist_v, 1),
    })
    out["outside_commune"] = out["dist_commune_m"] > 0
    out["far_from_village"] = out["dist_village_m"] > max_village_m
    out["unknown_commune"] = ~known
    keep = (out["outside_commune"] | out["far_from_village"] | out["unknown_commune"]).to_numpy()
    result = gpd.GeoDataFrame(out[keep].reset_index(drop=True),
                              geometry=geom.to_numpy()[keep], crs=crs).to_crs(prj.crs)
    result.attrs.update(query="misplaced", max_village_m=float(max_village_m),
                        checked=int(len(prj)))
    return result

