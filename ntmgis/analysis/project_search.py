"""Searching the investment list: :func:`find_projects`, and named places (:func:`find_place`).

:func:`find_projects` filters the projects by criterion, place, status,
category, year, funding source and distance to a place named by code or name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.analysis.distances import geodesic_m, to_metric, work_crs
from ntmgis.analysis.query_data import load_data, message, parse_numbers
from ntmgis.core.errors import DataError
from ntmgis.core.i18n import catalog, enum_keys, labels
from ntmgis.core.text import fold, nfc
from ntmgis.monitoring.gpkg import metadata_criteria_set

__all__ = ["find_projects", "find_place", "Place"]

# Messages of this module: key -> (Vietnamese, English).
_MSG: dict[str, tuple[str, str]] = {
    "unknown_place": (
        "không tìm thấy '{value}' trong {where}",
        "'{value}' was not found in {where}",
    ),
    "ambiguous_place": (
        "'{value}' ứng với nhiều nơi: {matches}; ghi mã để chọn một",
        "'{value}' matches several places: {matches}; give a code to pick one",
    ),
    "near_needs_km": (
        "--near cần đi kèm --within-km (và ngược lại)",
        "--near needs --within-km (and the other way round)",
    ),
}

_m = catalog(_MSG, message)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def _enum_value(kind: str, value: str, what: str, lang: str) -> str:
    """An enum key from a key or a label in either language (accents optional)."""
    keys = enum_keys(kind)
    v = fold(str(value))
    for k in keys:
        if v in (fold(k), fold(labels(kind, "vi")[k]), fold(labels(kind, "en")[k])):
            return k
    raise DataError(_m("bad_value", lang, what=what, value=value, expected=", ".join(keys)),
                    value=value, expected=", ".join(keys))


@dataclass(frozen=True)
class Place:
    """A named place found by :func:`find_place`."""

    kind: str  # "commune", "village", "facility"
    code: str
    name: str
    geometry: Any
    crs: Any


def find_place(data: Any, name: str, *, kinds: tuple[str, ...] = ("commune", "village",
                                                                  "facility"),
               lang: str = "vi") -> Place:
    """Find a commune, village or facility by code or name (accents optional).

    An exact name ("Xã Mường Tè") wins over a name without its unit word
    ("Mường Tè", which also names the township).

    Raises
    ------
    DataError
        When nothing matches, or several places do (the message lists them).
    """
    q = load_data(data, lang=lang)
    layer = {"commune": ("communes", "code"), "village": ("villages", "code"),
             "facility": ("facilities", "facility_id")}
    want = nfc(str(name))
    tiers: list[list[Place]] = [[], [], []]
    for kind in kinds:
        df = q.get(layer[kind][0], required=False)
        if df is None:
            continue
        codes = df[layer[kind][1]].astype(str).to_numpy()
        names = df["name"].astype(str).to_numpy()
        for code, nm, geom in zip(codes, names, df.geometry.to_numpy(), strict=True):
            tier = (0 if code == want else
                    1 if fold(nm) == fold(want) else
                    2 if fold(nm, strip_unit=True) == fold(want, strip_unit=True) else None)
            if tier is not None:
                tiers[tier].append(Place(kind, code, nm, geom, df.crs))
    for found in tiers:
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listing = "; ".join(f"{p.code} {p.name}" for p in found[:10])
            raise DataError(_m("ambiguous_place", lang, value=name, matches=listing), value=name)
    where = ", ".join(layer[k][0] for k in kinds)
    raise DataError(_m("unknown_place", lang, value=name, where=where), value=name)


def find_projects(data: Any, /, *, criterion: int | None = None, commune: str | None = None,
             village: str | None = None, status: str | Iterable[str] | None = None,
             category: str | Iterable[str] | None = None, year: int | None = None,
             source: str | Iterable[str] | None = None, near: str | None = None,
             within_km: float | None = None, lang: str = "vi") -> gpd.GeoDataFrame:
    """Projects of the investment list matching every filter given.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`.
    criterion : int, optional
        Serving this commune criterion (a number of the layers' set: 1-19 for QĐ 318).
    commune, village : str, optional
        Declared in this commune / village (code or name).
    status, category : str or list of str, optional
        Keys or labels ("under_way", "Đang thực hiện"); several values are
        alternatives.
    year : int, optional
        Running in that year (start year <= year <= end year).
    source : str or list of str, optional
        Funded by this source (``central``, ``local``, ``integrated``,
        ``credit``, ``mobilised``, ``community``): ``cap_<source>`` > 0.
    near : str, optional
        A commune, village or facility (code or name); with ``within_km``,
        keeps projects within that distance (geodesic from a point; from the
        edge of a commune, 0 inside). Adds a ``distance_km`` column.
    within_km : float, optional
        See ``near``.
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    GeoDataFrame
        The matching rows of the ``projects`` layer, sorted by ``project_id``.
    """
    q = load_data(data, lang=lang)
    if (near is None) != (within_km is None):
        raise DataError(_m("near_needs_km", lang))
    if within_km is not None and not within_km >= 0:
        raise DataError(_m("negative_limit", lang, value=within_km), value=within_km)
    prj = q.get("projects").sort_values("project_id", kind="stable").reset_index(drop=True)
    keep = np.ones(len(prj), dtype=bool)
    if criterion is not None:
        cset = metadata_criteria_set(q.get("metadata", required=False, geometry=False),
                                     q.workspace, lang=lang)
        n = cset.get(int(criterion)).number
        keep &= prj["criteria"].map(lambda v: n in parse_numbers(v)).to_numpy(dtype=bool)
    if commune is not None:
        code = find_place(q, commune, kinds=("commune",), lang=lang).code
        keep &= (prj["commune_code"] == code).fillna(False).to_numpy(dtype=bool)
    if village is not None:
        code = find_place(q, village, kinds=("village",), lang=lang).code
        keep &= (prj["village_code"] == code).fillna(False).to_numpy(dtype=bool)
    if status is not None:
        keys = [_enum_value("status", s, "status", lang) for s in _as_list(status)]
        keep &= prj["status"].isin(keys).to_numpy(dtype=bool)
    if category is not None:
        keys = [_enum_value("category", c, "category", lang) for c in _as_list(category)]
        keep &= prj["category"].isin(keys).to_numpy(dtype=bool)
    if year is not None:
        ys = pd.to_numeric(prj["year_start"], errors="coerce")
        ye = pd.to_numeric(prj["year_end"], errors="coerce").fillna(ys)
        keep &= ((ys <= int(year)) & (ye >= int(year))).fillna(False).to_numpy(dtype=bool)
    if source is not None:
        srcs = [_enum_value("source", s, "source", lang) for s in _as_list(source)]
        any_src = np.zeros(len(prj), dtype=bool)
        for s in srcs:
            col = f"cap_{s}"
            if col in prj:
                any_src |= (pd.to_numeric(prj[col], errors="coerce") > 0).fillna(False).to_numpy()
        keep &= any_src
    dist_km = None
    if near is not None:
        place = find_place(q, near, lang=lang)
        n_p = len(prj)
        pgeo = gpd.GeoSeries([place.geometry] * n_p, crs=place.crs)
        if shapely.get_type_id(place.geometry) == 0:
            dist_km = geodesic_m(gpd.GeoSeries(prj.geometry.to_numpy(), crs=prj.crs), pgeo)
        else:
            crs = work_crs(q)
            a = to_metric(gpd.GeoDataFrame(geometry=prj.geometry.reset_index(drop=True)), crs)
            b = to_metric(gpd.GeoDataFrame(geometry=pgeo), crs)
            dist_km = np.asarray(shapely.distance(a.geometry.to_numpy(), b.geometry.to_numpy()),
                                 dtype=float)
        dist_km = dist_km / 1000.0
        keep &= np.nan_to_num(dist_km, nan=np.inf) <= within_km
    out = prj[keep].copy()
    if dist_km is not None:
        out["distance_km"] = np.round(dist_km[keep], 3)
    out = out.reset_index(drop=True)
    out.attrs.update(query="projects", near=near, within_km=within_km)
    return out
