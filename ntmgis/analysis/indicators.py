"""Indicator questions: who misses an indicator and by how much, who is closest to NTM.

:func:`indicator_gaps` lists the communes not meeting one indicator with the
distance still missing; :func:`closest_to_recognition` ranks the communes not yet
recognised by what they still miss (criteria, then indicators and their
distances; without indicator values, by criteria alone); :func:`income_target`
reports the plan's income target (``[plan] income_factor`` times the 2020 income
per head) from the indicator values. They read the ``indicator_status`` layer
(``docs/CONTRACT.md``) written when the workspace has indicator values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.analysis.query_data import QueryData, load_data, message
from ntmgis.core.criteria import COMMUNE_CRITERIA, DEFAULT_SET, CriteriaSet, load_criteria_set
from ntmgis.core.errors import DataError
from ntmgis.core.i18n import catalog, fmt_number
from ntmgis.core.text import fold, is_missing
from ntmgis.monitoring.indicators import criteria_set_for

__all__ = ["indicator_gaps", "closest_to_recognition", "income_target"]

_MSG: dict[str, tuple[str, str]] = {
    "no_indicators": (
        "chưa có số liệu chỉ tiêu (lớp indicator_status); khai [tables.indicator_values] "
        "rồi chạy lại 'ntmgis build --overwrite'",
        "there are no indicator values (layer indicator_status); declare "
        "[tables.indicator_values] and run 'ntmgis build --overwrite' again"),
    "bad_indicator": ("chỉ tiêu '{value}' không có số liệu; các chỉ tiêu có: {expected}",
                      "indicator '{value}' has no values; indicators present: {expected}"),
    "bad_year": ("không có số liệu năm {value}; các năm có: {expected}",
                 "no data for year {value}; years present: {expected}"),
    "no_income": ("không tìm thấy chỉ tiêu thu nhập bình quân đầu người trong số liệu",
                  "no indicator of income per head among the values"),
    "no_factor": ("chưa khai [plan] income_factor (ví dụ 1.5)",
                  "[plan] income_factor is not set (e.g. 1.5)"),
    "no_base": ("không có số liệu thu nhập năm {base} (năm gốc)",
                "no income values for {base} (the base year)"),
    "missing": ("thiếu {distance} {unit}", "{distance} {unit} short"),
}

_m = catalog(_MSG, message)

#: The year the plan's income target is measured against when there is no workspace
#: (the year before the plan's first: 2020 for 2021-2025).
INCOME_BASE_YEAR = 2020


def _status(data: Any, q: QueryData, *, required: bool = True) -> pd.DataFrame | None:
    """The ``indicator_status`` layer: given in memory, or read from the GeoPackage."""
    frame = None
    if isinstance(data, Mapping):
        frame = data.get("indicator_status")
    elif not isinstance(data, (QueryData, str)) and hasattr(data, "indicator_status"):
        frame = data.indicator_status
    if frame is None:
        frame = q.frames.get("indicator_status")
    if frame is None and q.gpkg is not None:
        frame = q.get("indicator_status", required=False, geometry=False)
    if frame is None and required:
        raise DataError(_m("no_indicators", q.lang))
    if frame is not None:
        frame = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
        frame["code"] = frame["code"].astype(str)
    return frame


def _criteria_set(q: QueryData, criteria_set: CriteriaSet | str | None) -> CriteriaSet | None:
    """The set for indicator names: given, the workspace's, else the default (if shipped)."""
    if isinstance(criteria_set, CriteriaSet):
        return criteria_set
    key = criteria_set or (q.workspace.commune_set if q.workspace else DEFAULT_SET)
    if str(key).endswith(".toml"):
        return criteria_set_for(q.workspace, lang=q.lang) if q.workspace else None
    return load_criteria_set(str(key), lang=q.lang)


def _pick_year(years: pd.Series, year: int | None, lang: str) -> int:
    ys = sorted({int(y) for y in years if not is_missing(y)})
    if not ys:
        raise DataError(_m("bad_year", lang, value=year, expected="–"))
    if year is None:
        return ys[-1]
    if int(year) not in ys:
        raise DataError(_m("bad_year", lang, value=year, expected=", ".join(map(str, ys))),
                        value=year, expected=", ".join(map(str, ys)))
    return int(year)


def _geometry(q: QueryData, codes: pd.Series) -> gpd.GeoSeries:
    units = q.get("communes", required=False)
    if units is None:
        return gpd.GeoSeries([None] * len(codes), crs=None)
    geo = dict(zip(units["code"], units.geometry, strict=False))
    return gpd.GeoSeries(codes.map(geo).to_numpy(), crs=units.crs)


def indicator_gaps(data: Any, /, indicator: str, year: int | None = None, *,
                   criteria_set: CriteriaSet | str | None = None,
                   lang: str = "vi") -> gpd.GeoDataFrame:
    """Communes not meeting ``indicator`` in ``year``, closest to the threshold first.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`; a mapping or layers
        object may carry ``indicator_status``.
    indicator : str
        The indicator key ("10", "17.1").
    year : int, optional
        Default: the latest year with values of that indicator.
    criteria_set : CriteriaSet or str, optional
        For the indicator's name; default the workspace's set.
    lang : {"vi", "en"}
        Language of names and messages.

    Returns
    -------
    GeoDataFrame
        ``year``, ``indicator``, ``indicator_name``, ``criterion``, ``code``,
        ``name``, ``class``, ``value``, ``threshold``, ``requirement``, ``unit``,
        ``distance`` (still missing, in the unit; empty where only the
        reported result is known), ``threshold_source``, ``judged_by`` and the
        commune's geometry; sorted by distance (smallest first, unknown last),
        then code.

    Raises
    ------
    DataError
        When there are no indicator values, none for ``indicator``, or none for ``year``.
    """
    q = load_data(data, lang=lang)
    st = _status(data, q)
    key = str(indicator).strip()
    rows = st[st["indicator"].astype(str) == key]
    if rows.empty:
        present = ", ".join(dict.fromkeys(st["indicator"].astype(str)))
        raise DataError(_m("bad_indicator", lang, value=key, expected=present or "–"),
                        value=key, expected=present)
    year = _pick_year(rows["year"], year, lang)
    g = rows[(pd.to_numeric(rows["year"]) == year) & (pd.to_numeric(rows["met"]) == 0)]
    g = g.assign(_d=pd.to_numeric(g["distance"]).fillna(np.inf))
    g = g.sort_values(["_d", "code"], kind="stable").drop(columns="_d").reset_index(drop=True)
    cset = _criteria_set(q, criteria_set)
    try:
        name = cset.indicator(key).name(lang) if cset else ""
    except ValueError:  # the set changed since the build: the key is still shown
        name = ""
    out = pd.DataFrame({
        "year": year, "indicator": key, "indicator_name": name,
        "criterion": g["criterion"].astype(int).to_numpy(), "code": g["code"].to_numpy(),
        "name": g["name"].to_numpy(), "class": g["class"].to_numpy(),
        "value": pd.to_numeric(g["value"]).to_numpy(dtype=float),
        "threshold": pd.to_numeric(g["threshold"]).to_numpy(dtype=float),
        "requirement": g["requirement"].to_numpy(), "unit": g["unit"].to_numpy(),
        "distance": pd.to_numeric(g["distance"]).to_numpy(dtype=float),
        "threshold_source": g["threshold_source"].to_numpy(),
        "judged_by": g["judged_by"].to_numpy(),
    })
    res = gpd.GeoDataFrame(out, geometry=_geometry(q, out["code"]).to_numpy(),
                           crs=q.crs if len(out) else None)
    res.attrs.update(query="indicator_gaps", indicator=key, year=year)
    return res


def closest_to_recognition(data: Any, /, year: int | None = None, *,
                           lang: str = "vi") -> gpd.GeoDataFrame:
    """Communes not yet recognised, ranked by what they still miss.

    Ranked by the number of criteria not met, then of criteria unknown, then of
    indicators not met, then by the sum of their relative distances (distance
    over threshold). Works from the criteria alone when the workspace has no
    indicator values.

    Returns
    -------
    GeoDataFrame
        ``rank``, ``code``, ``name``, ``year``, ``criteria_met``,
        ``criteria_total``, ``criteria_unmet`` (count), ``criteria_unknown``,
        ``unmet`` ("10;17"), ``unmet_names``, ``indicators_unmet`` (count),
        ``indicator_gaps`` ("10: thiếu 3,5 triệu đồng/người/năm; 17.2"),
        ``relative_gap`` and the commune's geometry.
    """
    q = load_data(data, lang=lang)
    status = q.get("commune_status", geometry=False)
    year = _pick_year(status["year"], year, lang)
    st = status[pd.to_numeric(status["year"]) == year].copy()
    st = st[~st["ntm"].astype(bool)] if "ntm" in st else st
    keys = [c.key for c in COMMUNE_CRITERIA if c.key in st]
    vals = st[keys].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    nums = np.array([int(k[2:]) for k in keys])
    unmet_mask = vals == 0
    out = pd.DataFrame({
        "code": st["code"].astype(str).to_numpy(), "name": st["name"].to_numpy(),
        "year": year,
        "criteria_met": np.nansum(vals == 1, axis=1).astype(int),
        "criteria_total": len(keys),
        "criteria_unmet": unmet_mask.sum(axis=1).astype(int),
        "criteria_unknown": np.isnan(vals).sum(axis=1).astype(int),
        "unmet": [";".join(map(str, nums[r])) for r in unmet_mask],
        "unmet_names": ["; ".join(COMMUNE_CRITERIA.get(int(n)).name(lang) for n in nums[r])
                        for r in unmet_mask],
    })
    ind = _status(data, q, required=False)
    out["indicators_unmet"] = 0
    out["indicator_gaps"] = ""
    out["relative_gap"] = 0.0
    if ind is not None:
        miss = ind[(pd.to_numeric(ind["year"]) == year) & (pd.to_numeric(ind["met"]) == 0)]
        miss = miss.assign(_d=pd.to_numeric(miss["distance"]),
                           _t=pd.to_numeric(miss["threshold"]).abs())
        miss = miss.assign(_r=(miss["_d"] / miss["_t"].where(miss["_t"] > 0)).fillna(0.0))
        text = [(f"{r['indicator']}: " + _m("missing", lang, distance=fmt_number(
            r["_d"], lang, 2).rstrip("0").rstrip(",."), unit=r["unit"]).strip())
            if not is_missing(r["_d"]) else str(r["indicator"]) for _, r in miss.iterrows()]
        miss = miss.assign(_text=text)
        agg = miss.groupby("code", sort=False).agg(
            indicators_unmet=("indicator", "size"), relative_gap=("_r", "sum"),
            indicator_gaps=("_text", "; ".join))
        idx = out["code"]
        out["indicators_unmet"] = idx.map(agg["indicators_unmet"]).fillna(0).astype(int)
        out["indicator_gaps"] = idx.map(agg["indicator_gaps"]).fillna("").astype(str)
        out["relative_gap"] = idx.map(agg["relative_gap"]).fillna(0.0).astype(float)
    out = out.sort_values(["criteria_unmet", "criteria_unknown", "indicators_unmet",
                           "relative_gap", "code"], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    res = gpd.GeoDataFrame(out, geometry=_geometry(q, out["code"]).to_numpy(),
                           crs=q.crs if len(out) else None)
    res.attrs.update(query="closest_to_recognition", year=year,
                     with_indicators=ind is not None)
    return res


def _income_key(st: pd.DataFrame, cset: CriteriaSet | None) -> str | None:
    """The indicator of income per head: by name in the set, else the criterion "Thu nhập"."""
    present = set(st["indicator"].astype(str))
    if cset is not None:
        for i in cset.indicators:
            if i.key in present and "thu nhap" in fold(i.name_vi) and i.kind == "numeric":
                return i.key
    crit = [c.number for c in COMMUNE_CRITERIA if fold(c.name_vi) == "thu nhap"]
    rows = st[st["criterion"].isin(crit)]
    keys = list(dict.fromkeys(rows["indicator"].astype(str)))
    return keys[0] if len(keys) == 1 else None


def income_target(data: Any, /, year: int | None = None, *, factor: float | None = None,
                  indicator: str | None = None, base_year: int | None = None,
                  lang: str = "vi") -> pd.DataFrame:
    """The plan's income target per commune: ``factor`` × the income per head of 2020.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`.
    year : int, optional
        The year compared with the target; default the latest with income values.
    factor : float, optional
        Default the workspace's ``[plan] income_factor`` (1.5 for Mường Tè).
    indicator : str, optional
        The income indicator's key; default found by name ("Thu nhập ...").
    base_year : int, optional
        Default the year before the workspace's first (2020 for 2021-2025).
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``base_year``, ``base`` (income of 2020),
        ``target`` (base × factor), ``year``, ``value``, ``ratio`` (value /
        base), ``reached`` (bool, null without both values), sorted by code;
        ``attrs["factor"]``, ``attrs["reached"]`` (count), ``attrs["communes"]``.

    Raises
    ------
    DataError
        Without indicator values, an income indicator, a factor, or 2020 values.
    """
    q = load_data(data, lang=lang)
    st = _status(data, q)
    if factor is None:
        factor = q.workspace.plan.income_factor if q.workspace else None
    if factor is None:
        raise DataError(_m("no_factor", lang))
    key = indicator or _income_key(st, _criteria_set(q, None) if q.workspace else None)
    rows = st[st["indicator"].astype(str) == str(key)] if key else st.iloc[:0]
    if rows.empty:
        raise DataError(_m("no_income", lang))
    if base_year is None:
        base_year = q.workspace.years[0] - 1 if q.workspace else INCOME_BASE_YEAR
    yrs = pd.to_numeric(rows["year"])
    base = rows[yrs == base_year].drop_duplicates("code").set_index("code")
    if base.empty:
        raise DataError(_m("no_base", lang, base=base_year))
    year = _pick_year(yrs[yrs > base_year], year, lang)
    now = rows[yrs == year].drop_duplicates("code").set_index("code")
    codes = sorted(set(base.index) | set(now.index))
    b = pd.to_numeric(base["value"]).reindex(codes).to_numpy(dtype=float)
    v = pd.to_numeric(now["value"]).reindex(codes).to_numpy(dtype=float)
    names = pd.concat([base["name"], now["name"]])
    names = names[~names.index.duplicated()]
    target = b * float(factor)
    both = ~np.isnan(b) & ~np.isnan(v)
    out = pd.DataFrame({
        "code": codes, "name": names.reindex(codes).to_numpy(),
        "base_year": base_year, "base": b, "target": target, "year": year,
        "value": v, "ratio": np.where(both, v / np.where(b > 0, b, np.nan), np.nan),
        "reached": pd.array([bool(x >= tg) if ok else None
                             for x, tg, ok in zip(v, target, both, strict=True)],
                            dtype="boolean"),
    })
    out.attrs.update(query="income_target", factor=float(factor), indicator=key,
                     reached=int(out["reached"].sum()), communes=len(out))
    return out
