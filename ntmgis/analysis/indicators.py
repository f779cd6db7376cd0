"""Indicator questions: who misses an indicator and by how much, who is closest to NTM.

:func:`indicator_gaps` lists the communes not meeting one indicator with the
distance still missing; :func:`closest_to_recognition` ranks the communes not yet
recognised by what they still miss (criteria, then indicators and their
distances; without indicator values, by criteria alone); :func:`income_target`
reports the plan's income target (``[plan] income_factor`` times the 2020 income
per head) from the indicator values. They read the ``indicator_status`` layer
(``docs/CONTRACT.md``) written when the workspace has indicator values, and
follow the criteria set the data was built with (the workspace's ``[criteria]
commune_set``; its ``tcNN`` columns in ``commune_status``), so they work the same
on the 19 criteria of 2021-2025 and the 10 of 2026-2030.

:func:`check_indicator` checks an indicator key typed by a user;
:func:`indicator_table` and :func:`describe_indicators` give what ``ntmgis query``
prints (headings and numbers in the user's language, ``1.234,5``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.analysis.query_data import QueryData, load_data, message, pick_year
from ntmgis.core.criteria import (
    COMMUNE_CRITERIA,
    CriteriaSet,
    available_sets,
    load_criteria_set,
)
from ntmgis.core.errors import DataError, OptionError
from ntmgis.core.i18n import catalog, fmt_number
from ntmgis.core.text import fold, is_missing
from ntmgis.monitoring.indicators import criteria_set_for

__all__ = ["indicator_gaps", "closest_to_recognition", "income_target", "check_indicator",
           "indicator_keys", "indicator_table", "describe_indicators"]

_MSG: dict[str, tuple[str, str]] = {
    "no_indicators": (
        "chưa có số liệu chỉ tiêu (lớp indicator_status); khai báo [tables.indicator_values] "
        "rồi chạy lại 'ntmgis build --overwrite'",
        "there are no indicator values (layer indicator_status); declare "
        "[tables.indicator_values] and run 'ntmgis build --overwrite' again"),
    "bad_indicator": ("chỉ tiêu '{value}' không có số liệu; các chỉ tiêu có: {expected}",
                      "indicator '{value}' has no values; indicators present: {expected}"),
    "no_income": ("không tìm thấy chỉ tiêu thu nhập bình quân đầu người trong số liệu",
                  "no indicator of income per head among the values"),
    "no_factor": ("chưa kê khai [plan] income_factor (ví dụ 1.5) và chưa cho hệ số (--factor)",
                  "[plan] income_factor is not set (e.g. 1.5) and no factor was given "
                  "(--factor)"),
    "unknown_indicator": ("--indicator {value}: chỉ tiêu '{value}' không có số liệu; các chỉ "
                          "tiêu có: {expected}",
                          "--indicator {value}: indicator '{value}' has no values; indicators "
                          "present: {expected}"),
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


def _metadata_set(data: Any, q: QueryData) -> str | None:
    """The key of the criteria set recorded in the ``metadata`` layer, if any."""
    meta = None
    if isinstance(data, Mapping):
        meta = data.get("metadata")
    elif not isinstance(data, (QueryData, str)) and hasattr(data, "metadata"):
        meta = data.metadata
    if meta is None and q.gpkg is not None:
        meta = q.get("metadata", required=False, geometry=False)
    if meta is None or "key" not in meta or "value" not in meta:
        return None
    got = dict(zip(meta["key"].astype(str), meta["value"], strict=False)).get("criteria_set")
    return None if is_missing(got) else str(got)


def _criteria_set(q: QueryData, criteria_set: CriteriaSet | str | None = None,
                  data: Any = None) -> CriteriaSet | None:
    """The commune criteria set of the data.

    Given, else the workspace's (``[criteria] commune_set``, a shipped key or a
    ``.toml`` of the workspace), else the one the ``metadata`` layer names when
    ntmgis ships it; None when unknown (the ``tcNN`` columns then stand alone).
    """
    if isinstance(criteria_set, CriteriaSet):
        return criteria_set
    if criteria_set and not str(criteria_set).lower().endswith(".toml"):
        return load_criteria_set(str(criteria_set), lang=q.lang)
    if q.workspace is not None:
        return criteria_set_for(q.workspace, lang=q.lang)
    key = _metadata_set(data, q) if data is not None else None
    return load_criteria_set(key, lang=q.lang) if key in available_sets() else None


def _criteria_keys(status: pd.DataFrame, cset: CriteriaSet | None) -> list[str]:
    """The criteria columns of ``commune_status`` (``tc01`` ...), in number order.

    The layer's own columns are what the data were built with; a column the set
    does not have and no row fills (written by an older build) is left out.
    """
    cols = sorted((str(c) for c in status.columns if re.fullmatch(r"tc\d+", str(c))),
                  key=lambda c: int(c[2:]))
    if cset is not None:
        own = set(cset.keys)
        cols = [c for c in cols
                if c in own or pd.to_numeric(status[c], errors="coerce").notna().any()]
    return cols


def _criterion_name(number: int, cset: CriteriaSet | None, lang: str) -> str:
    """A criterion's name from the set, else from the 19 criteria of 2021-2025."""
    for s in (cset, COMMUNE_CRITERIA):
        if s is not None and number in s.numbers:
            return s.get(number).name(lang)
    return f"TC{number}"


def _key(indicator: Any) -> str:
    """An indicator key as typed: ``" 17,1 "`` is ``"17.1"`` (decimal comma)."""
    return str(indicator).strip().replace(",", ".")


def _num(x: Any, lang: str) -> str:
    """A value with up to two decimals, trailing zeros dropped (``6,5``; ``1.234``)."""
    if is_missing(x):
        return "–"
    text = fmt_number(float(x), lang, 2)
    return text.rstrip("0").rstrip(",.")


def _geometry(q: QueryData, codes: pd.Series) -> gpd.GeoSeries:
    units = q.get("communes", required=False)
    if units is None:
        return gpd.GeoSeries([None] * len(codes), crs=None)
    geo = dict(zip(units["code"], units.geometry, strict=False))
    return gpd.GeoSeries(codes.map(geo).to_numpy(), crs=units.crs)


def indicator_keys(data: Any, /, *, lang: str = "vi") -> list[str]:
    """The indicators with values in the data, in the order of the layer.

    Raises
    ------
    DataError
        When there are no indicator values (no ``indicator_status`` layer): the
        message says to declare ``[tables.indicator_values]`` and build again.
    """
    q = load_data(data, lang=lang)
    st = _status(data, q)
    return list(dict.fromkeys(st["indicator"].astype(str)))


def check_indicator(data: Any, /, indicator: str, *, lang: str = "vi") -> str:
    """Check an indicator key a user typed (``--indicator``) and return it normalised.

    Raises
    ------
    DataError
        When there are no indicator values at all (exit code 1: the data).
    OptionError
        When ``indicator`` has no values, listing those that have (exit code 2).
    """
    keys = indicator_keys(data, lang=lang)
    key = _key(indicator)
    if key not in keys:
        raise OptionError(_m("unknown_indicator", lang, value=key, expected=", ".join(keys)))
    return key


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
    key = _key(indicator)
    rows = st[st["indicator"].astype(str) == key]
    if rows.empty:
        present = ", ".join(dict.fromkeys(st["indicator"].astype(str)))
        raise DataError(_m("bad_indicator", lang, value=key, expected=present or "–"),
                        value=key, expected=present)
    year = pick_year(rows["year"], year, lang)
    g = rows[(pd.to_numeric(rows["year"]) == year) & (pd.to_numeric(rows["met"]) == 0)]
    g = g.assign(_d=pd.to_numeric(g["distance"]).fillna(np.inf))
    g = g.sort_values(["_d", "code"], kind="stable").drop(columns="_d").reset_index(drop=True)
    cset = _criteria_set(q, criteria_set, data)
    try:
        name = cset.indicator(key).name(lang) if cset else ""
    except ValueError:  # not an indicator of the set (or it changed): the key is shown
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
    judged = rows[pd.to_numeric(rows["year"]) == year]["code"].nunique()
    res.attrs.update(query="indicator_gaps", indicator=key, year=year, indicator_name=name,
                     communes=int(judged))
    return res


def closest_to_recognition(data: Any, /, year: int | None = None, *,
                           criteria_set: CriteriaSet | str | None = None,
                           lang: str = "vi") -> gpd.GeoDataFrame:
    """Communes not yet recognised, ranked by what they still miss.

    Ranked by the number of criteria not met, then of criteria unknown, then of
    indicators not met, then by the sum of their relative distances (distance
    over threshold). Works from the criteria alone when the workspace has no
    indicator values. The criteria are those the data were built with: the
    ``tcNN`` columns of ``commune_status`` (19 for 2021-2025, 10 for the set of
    Decision 51/2025), named from ``criteria_set`` (default the workspace's).

    Returns
    -------
    GeoDataFrame
        ``rank``, ``code``, ``name``, ``year``, ``criteria_met``,
        ``criteria_total``, ``criteria_unmet`` (count), ``criteria_unknown``,
        ``unmet`` ("10;17"), ``unmet_names``, ``indicators_unmet`` (count),
        ``indicator_gaps`` ("10: thiếu 3,5 triệu đồng/người/năm; 17.2"),
        ``relative_gap`` and the commune's geometry; ``attrs["criteria_set"]``
        is the set's key (None when unknown).
    """
    q = load_data(data, lang=lang)
    status = q.get("commune_status", geometry=False)
    year = pick_year(status["year"], year, lang)
    cset = _criteria_set(q, criteria_set, data)
    keys = _criteria_keys(status, cset)
    st = status[pd.to_numeric(status["year"]) == year].copy()
    st = st[~st["ntm"].astype(bool)] if "ntm" in st else st
    vals = st[keys].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    nums = np.array([int(k[2:]) for k in keys], dtype=int)
    names = {int(n): _criterion_name(int(n), cset, lang) for n in nums}
    unmet_mask = vals == 0
    out = pd.DataFrame({
        "code": st["code"].astype(str).to_numpy(), "name": st["name"].to_numpy(),
        "year": year,
        "criteria_met": np.nansum(vals == 1, axis=1).astype(int),
        "criteria_total": len(keys),
        "criteria_unmet": unmet_mask.sum(axis=1).astype(int),
        "criteria_unknown": np.isnan(vals).sum(axis=1).astype(int),
        "unmet": [";".join(map(str, nums[r])) for r in unmet_mask],
        "unmet_names": ["; ".join(names[int(n)] for n in nums[r]) for r in unmet_mask],
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
        text = [(f"{r['indicator']}: " + _m("missing", lang, distance=_num(r["_d"], lang),
                                            unit=r["unit"]).strip())
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
                     with_indicators=ind is not None, criteria_total=len(keys),
                     criteria_set=cset.key if cset is not None else None)
    return res


def _income_key(st: pd.DataFrame, cset: CriteriaSet | None) -> str | None:
    """The indicator of income per head.

    By name among the set's indicators ("Thu nhập ..."), else the one indicator
    with values of the set's criterion named "Thu nhập" (the 19 criteria's
    number 10 when the set is unknown), else the one whose unit is money per
    head ("triệu đồng/người/năm").
    """
    present = set(st["indicator"].astype(str))
    if cset is not None:
        for i in cset.indicators:
            if i.key in present and "thu nhap" in fold(i.name_vi) and i.kind == "numeric":
                return i.key
    crit = [c.number for c in (cset or COMMUNE_CRITERIA) if fold(c.name_vi) == "thu nhap"]
    for rows in (st[pd.to_numeric(st["criterion"], errors="coerce").isin(crit)],
                 st[[("dong/nguoi" in fold(str(u)).replace(" ", "")) for u in st["unit"]]]):
        keys = list(dict.fromkeys(rows["indicator"].astype(str)))
        if len(keys) == 1:
            return keys[0]
    return None


def income_target(data: Any, /, year: int | None = None, *, factor: float | None = None,
                  indicator: str | None = None, base_year: int | None = None,
                  lang: str = "vi") -> gpd.GeoDataFrame:
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
    GeoDataFrame
        ``code``, ``name``, ``base_year``, ``base`` (income of 2020),
        ``target`` (base × factor), ``year``, ``value``, ``ratio`` (value /
        base), ``reached`` (bool, null without both values) and the commune's
        geometry, sorted by code; ``attrs["factor"]``, ``attrs["reached"]``
        (count), ``attrs["communes"]``, ``attrs["unit"]``.

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
    key = _key(indicator) if indicator else _income_key(st, _criteria_set(q, None, data))
    rows = st[st["indicator"].astype(str) == key] if key else st.iloc[:0]
    if rows.empty:
        raise DataError(_m("no_income", lang))
    if base_year is None:
        base_year = q.workspace.years[0] - 1 if q.workspace else INCOME_BASE_YEAR
    yrs = pd.to_numeric(rows["year"])
    base = rows[yrs == base_year].drop_duplicates("code").set_index("code")
    if base.empty:
        raise DataError(_m("no_base", lang, base=base_year))
    year = pick_year(yrs[yrs > base_year], year, lang)
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
    units = rows["unit"].dropna().astype(str)
    res = gpd.GeoDataFrame(out, geometry=_geometry(q, out["code"]).to_numpy(),
                           crs=q.crs if len(out) else None)
    res.attrs.update(query="income_target", factor=float(factor), indicator=key,
                     year=year, base_year=base_year,
                     reached=int(out["reached"].sum()), communes=len(out),
                     unit=units.iloc[0] if len(units) else "")
    return res


# -- what the terminal shows ----------------------------------------------------------

_HEAD: dict[str, tuple[str, str]] = {
    "rank": ("Hạng", "Rank"), "code": ("Mã xã", "Code"), "name": ("Xã", "Commune"),
    "value": ("Giá trị", "Value"), "requirement": ("Ngưỡng", "Threshold"),
    "unit": ("Đơn vị", "Unit"), "distance": ("Còn thiếu", "Short by"),
    "threshold_source": ("Nguồn ngưỡng", "Threshold source"),
    "criteria": ("Tiêu chí đạt", "Criteria met"),
    "unmet": ("Tiêu chí chưa đạt", "Criteria not met"),
    "indicator_gaps": ("Chỉ tiêu chưa đạt (còn thiếu)", "Indicators not met (short by)"),
    "base": ("Thu nhập {base_year}", "Income {base_year}"),
    "target": ("Mục tiêu (×{factor})", "Target (×{factor})"),
    "now": ("Thu nhập {year}", "Income {year}"),
    "ratio": ("So với năm {base_year} (lần)", "Times {base_year}"),
    "reached": ("Đạt mục tiêu", "Target reached"),
    "unknown": ("{n} chưa rõ", "{n} unknown"),
    "yes": ("Có", "yes"), "no": ("Không", "no"),
}


def _h(key: str, lang: str, **kw: Any) -> str:
    return _HEAD[key][1 if lang == "en" else 0].format(**kw)


def _text(x: Any) -> str:
    return "–" if is_missing(x) or str(x) == "" else str(x)


def _unmet_cell(numbers: Any, names: Any) -> str:
    """``"13. Tổ chức sản xuất; 14. ..."`` from ``unmet`` and ``unmet_names``."""
    nums = [n for n in str(numbers if not is_missing(numbers) else "").split(";") if n]
    labels = [n for n in str(names if not is_missing(names) else "").split("; ") if n]
    if not nums:
        return "–"
    if len(nums) != len(labels):
        return "; ".join(nums)
    return "; ".join(f"{n}. {label}" for n, label in zip(nums, labels, strict=True))


def indicator_table(result: pd.DataFrame, *, lang: str = "vi") -> pd.DataFrame:
    """The rows ``ntmgis query`` prints for an indicator query, as text.

    Headings in ``lang``; numbers the Vietnamese way (``1.234,5``) or the
    English way; missing values an en dash.
    """
    kind = result.attrs.get("query")
    a = result.attrs
    cols: dict[str, list[str]] = {}
    if kind == "indicator_gaps":
        cols[_h("code", lang)] = [_text(v) for v in result["code"]]
        cols[_h("name", lang)] = [_text(v) for v in result["name"]]
        cols[_h("value", lang)] = [_num(v, lang) for v in result["value"]]
        cols[_h("requirement", lang)] = [
            _text(r) if not is_missing(r) and str(r) else _num(t, lang)
            for r, t in zip(result["requirement"], result["threshold"], strict=True)]
        cols[_h("unit", lang)] = [_text(v) for v in result["unit"]]
        cols[_h("distance", lang)] = [_num(v, lang) for v in result["distance"]]
        cols[_h("threshold_source", lang)] = [_text(v) for v in result["threshold_source"]]
    elif kind == "closest_to_recognition":
        cols[_h("rank", lang)] = [str(int(v)) for v in result["rank"]]
        cols[_h("code", lang)] = [_text(v) for v in result["code"]]
        cols[_h("name", lang)] = [_text(v) for v in result["name"]]
        cols[_h("criteria", lang)] = [
            f"{int(m)}/{int(n)}" + (f" ({_h('unknown', lang, n=int(u))})" if u else "")
            for m, n, u in zip(result["criteria_met"], result["criteria_total"],
                               result["criteria_unknown"], strict=True)]
        cols[_h("unmet", lang)] = [_unmet_cell(n, m) for n, m in
                                   zip(result["unmet"], result["unmet_names"], strict=True)]
        if a.get("with_indicators"):
            cols[_h("indicator_gaps", lang)] = [_text(v) for v in result["indicator_gaps"]]
    elif kind == "income_target":
        fac = _num(a.get("factor"), lang)
        base_year = int(result["base_year"].iloc[0]) if len(result) else ""
        year = int(result["year"].iloc[0]) if len(result) else ""
        cols[_h("code", lang)] = [_text(v) for v in result["code"]]
        cols[_h("name", lang)] = [_text(v) for v in result["name"]]
        cols[_h("base", lang, base_year=base_year)] = [_num(v, lang) for v in result["base"]]
        cols[_h("target", lang, factor=fac)] = [_num(v, lang) for v in result["target"]]
        cols[_h("now", lang, year=year)] = [_num(v, lang) for v in result["value"]]
        cols[_h("ratio", lang, base_year=base_year)] = [_num(v, lang) for v in result["ratio"]]
        cols[_h("reached", lang)] = ["–" if is_missing(v) else _h("yes" if v else "no", lang)
                                     for v in result["reached"]]
    else:
        raise ValueError(f"not an indicator query result: {kind!r}")
    return pd.DataFrame(cols, index=range(len(result)))


def describe_indicators(result: pd.DataFrame, *, lang: str = "vi") -> str:
    """The one-line summary printed above :func:`indicator_table`."""
    a = result.attrs
    kind = a.get("query")
    en = lang == "en"
    if kind == "indicator_gaps":
        name = f" ({a['indicator_name']})" if a.get("indicator_name") else ""
        n, of, year = len(result), a.get("communes", len(result)), a.get("year")
        if en:
            return (f"Indicator {a.get('indicator')}{name}: {n} of {of} communes with values "
                    f"below the threshold in {year}")
        return (f"Chỉ tiêu {a.get('indicator')}{name}: {n}/{of} xã có số liệu chưa đạt "
                f"năm {year}")
    if kind == "closest_to_recognition":
        n, total, year = len(result), a.get("criteria_total"), a.get("year")
        if en:
            how = (f"by {total} criteria and their indicators" if a.get("with_indicators")
                   else f"by {total} criteria alone (no indicator values)")
            return f"Closest to recognition in {year}: {n} communes not yet recognised, {how}"
        how = (f"theo {total} tiêu chí và các chỉ tiêu" if a.get("with_indicators")
               else f"chỉ theo {total} tiêu chí (chưa có số liệu chỉ tiêu)")
        return f"Xã gần đạt chuẩn nông thôn mới nhất năm {year}: {n} xã chưa đạt chuẩn, {how}"
    if kind == "income_target":
        fac = _num(a.get("factor"), lang)
        base = int(result["base_year"].iloc[0]) if len(result) else "–"
        year = int(result["year"].iloc[0]) if len(result) else "–"
        unit = f" ({a['unit']})" if a.get("unit") else ""
        if en:
            return (f"Income target: {fac} × {base}; {a.get('reached')} of "
                    f"{a.get('communes')} communes reached it in {year}{unit}")
        return (f"Mục tiêu thu nhập: gấp {fac} lần năm {base}; {a.get('reached')}/"
                f"{a.get('communes')} xã đạt năm {year}{unit}")
    raise ValueError(f"not an indicator query result: {kind!r}")
