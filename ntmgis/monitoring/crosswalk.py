"""The communes of 1 July 2025: old units dissolved into the new ones, monitoring re-aggregated.

Since 1 July 2025 Vietnam has two administrative levels and merged communes;
the 2021-2025 monitoring was recorded on the old units. :func:`aggregate`
takes the monitoring layers and a crosswalk (old unit -> new commune) and
returns:

``communes_2025``
    the new communes' boundaries, dissolved from the old units, with the old
    units' codes and names, population and area;
``commune_status_2025``
    one row per new commune and year: for every criterion, how many old units
    met it, their share of the population and of the area, and a status that
    is ``met`` or ``not_met`` only when all old units with data agree and
    ``mixed`` (*không đồng nhất*) otherwise;
``commune_criteria_2025``
    the same per criterion in long form (for tables and the appendix).

Columns are listed in ``docs/office-tools.md``. Old units are matched to the
crosswalk by code when the crosswalk's codes are the workspace's codes, else by
name, accent- and case-tolerantly (``Thị Trấn Mường Tè`` = ``Thị trấn Mường
Tè``, ``Xã Pa Ủ`` = ``Xã Pa ủ``), with the unit word ("Xã", "Thị trấn")
dropped only where that leaves no ambiguity (``Xã Mường Tè`` and ``Thị trấn
Mường Tè`` both become "Mường Tè").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet
from ntmgis.core.errors import DataError
from ntmgis.core.i18n import catalog, check_lang, t
from ntmgis.core.text import fold, is_missing, nfc, normalise_code
from ntmgis.monitoring.dissolve import dissolve_units
from ntmgis.monitoring.gpkg import MonitoringLayers, layers_criteria_set

__all__ = [
    "Layers2025",
    "STATUS_2025",
    "aggregate",
    "aggregate_workspace",
    "dissolve_units",
    "read_crosswalk",
    "status_label",
    "match_units",
]

#: Per-criterion status of a new commune, with its labels (vi, en).
STATUS_2025 = {
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "mixed": ("Không đồng nhất", "Mixed"),
}
_NO_DATA = ("Chưa có số liệu", "No data")

_MSG = {
    "missing_column": (
        "bảng chuyển đổi {path}: thiếu cột {column} (có các cột: {available})",
        "crosswalk {path}: column {column} is missing (columns present: {available})",
    ),
    "unmatched": (
        "bảng chuyển đổi {path}, dòng {row}: không tìm thấy đơn vị cũ '{name}' trong lớp xã",
        "crosswalk {path}, row {row}: old unit '{name}' is not in the communes layer",
    ),
    "ambiguous": (
        "bảng chuyển đổi {path}, dòng {row}: '{name}' khớp với nhiều xã ({candidates}); "
        "ghi đủ tên (\"Xã ...\", \"Thị trấn ...\") hoặc dùng mã",
        "crosswalk {path}, row {row}: '{name}' matches several units ({candidates}); "
        "write the full name (\"Xã ...\", \"Thị trấn ...\") or use codes",
    ),
    "twice": (
        "bảng chuyển đổi {path}: đơn vị cũ {code} ({name}) xuất hiện ở dòng {first} và {row}",
        "crosswalk {path}: old unit {code} ({name}) appears in rows {first} and {row}",
    ),
    "uncovered": (
        "bảng chuyển đổi {path} không có các đơn vị: {units}",
        "crosswalk {path} does not cover these units: {units}",
    ),
    "new_name": (
        "bảng chuyển đổi {path}: mã xã mới {code} có nhiều tên ({names})",
        "crosswalk {path}: new code {code} has several names ({names})",
    ),
    "empty": ("bảng chuyển đổi {path}, dòng {row}: ô trống ở cột {column}",
              "crosswalk {path}, row {row}: empty cell in column {column}"),
}


_m = catalog(_MSG)


def status_label(value: object, lang: str = "vi") -> str:
    """Label of a ``commune_status_2025`` criterion status (``"mixed"`` -> "Không đồng nhất")."""
    pair = STATUS_2025.get(str(value)) if not is_missing(value) else _NO_DATA
    if pair is None:
        return str(value)
    return pair[1] if lang == "en" else pair[0]


@dataclass
class Layers2025:
    """The 2025 layers returned by :func:`aggregate` (see ``docs/office-tools.md``)."""

    communes_2025: gpd.GeoDataFrame
    commune_status_2025: gpd.GeoDataFrame
    commune_criteria_2025: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """``(name, frame)`` pairs in the order to write them."""
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]


# Canonical crosswalk columns and the names seen in files (folded, "_" for spaces).
_CROSSWALK_ALIASES = {
    "old_code": ("old_code", "ma_cu", "old_ward_code", "ma_xa_cu", "old_commune_code"),
    "old_name": ("old_name", "ten_cu", "old_ward_name", "ten_xa_cu", "old_commune_name"),
    "old_district": ("old_district", "old_district_name", "huyen_cu", "ten_huyen_cu"),
    "new_code": ("new_code", "ma_moi", "new_ward_code", "ma_xa_moi", "new_commune_code"),
    "new_name": ("new_name", "ten_moi", "new_ward_name", "ten_xa_moi", "new_commune_name"),
    "new_province_code": ("new_province_code", "ma_tinh_moi"),
}


def _key(col: object) -> str:
    return fold(str(col)).replace(" ", "_").replace("-", "_")


def read_crosswalk(path: str | Path, *, fields: Mapping[str, str] | None = None,
                   lang: str = "vi") -> pd.DataFrame:
    """Read a crosswalk CSV (or Excel) into canonical columns, all as text.

    Parameters
    ----------
    path : str or Path
        The file, e.g. ``merger_2025.csv`` with ``old_ward_name``,
        ``new_ward_code``, ``new_ward_name``.
    fields : mapping, optional
        Canonical name -> column name, for columns with other names.
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    DataFrame
        Columns ``old_code`` (if present), ``old_name``, ``old_district`` (if
        present), ``new_code``, ``new_name``, ``new_province_code`` (if
        present); texts in NFC, codes as strings.
    """
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        raw = pd.read_excel(p, dtype=str)
    else:
        raw = pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return _canonical(raw, fields=fields, path=p, lang=lang)


def _canonical(raw: pd.DataFrame, *, fields: Mapping[str, str] | None, path: object,
               lang: str) -> pd.DataFrame:
    fields = dict(fields or {})
    by_key = {_key(c): c for c in raw.columns}
    out = {}
    for canon, aliases in _CROSSWALK_ALIASES.items():
        col = fields.get(canon)
        if col is None:
            col = next((by_key[a] for a in (canon, *aliases) if a in by_key), None)
        if col is None or col not in raw.columns:
            if canon in ("old_name", "new_code", "new_name") and not (
                    canon == "old_name" and "old_code" in out):
                raise DataError(_m("missing_column", lang, path=path, column=canon,
                                   available=", ".join(map(str, raw.columns))),
                                path=str(path), column=canon)
            continue
        values = raw[col].astype(object).where(raw[col].notna(), None)
        if canon.endswith("code"):
            out[canon] = [normalise_code(v) for v in values]
        else:
            out[canon] = [None if is_missing(v) else nfc(str(v)) for v in values]
    df = pd.DataFrame(out, index=raw.index)
    for canon in ("new_code", "new_name"):
        empty = df[canon].map(is_missing)
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 2
            raise DataError(_m("empty", lang, path=path, row=row, column=canon),
                            path=str(path), row=row, column=canon)
    return df


def match_units(communes: pd.DataFrame, crosswalk: pd.DataFrame, *, path: object = "",
                lang: str = "vi") -> pd.Series:
    """The workspace code of each crosswalk row's old unit (index of ``crosswalk``).

    Codes are used when every crosswalk ``old_code`` is a code of ``communes``;
    otherwise names: first the whole folded name ("xa pa u"), then the name
    without its unit word ("pa u") where that is unique. Rows whose
    ``old_district`` names a district the communes layer does not have are
    another area's rows and map to None.

    Raises
    ------
    DataError
        A row matches no unit or several, or a unit appears twice; the message
        names the crosswalk row (as a spreadsheet row number) and the name.
    """
    codes = communes["code"].astype(str).tolist()
    names = [nfc(str(n)) for n in communes["name"]]
    if "old_code" in crosswalk and crosswalk["old_code"].notna().all() and \
            set(crosswalk["old_code"]) <= set(codes):
        matched = pd.Series(crosswalk["old_code"].tolist(), index=crosswalk.index, dtype=object)
    elif "old_name" not in crosswalk:
        known = set(codes)
        for row_no, code in enumerate(crosswalk["old_code"], start=2):
            if code not in known:
                raise DataError(_m("unmatched", lang, path=path, row=row_no, name=code),
                                path=str(path), row=row_no, column="old_code", value=code)
        raise AssertionError("unreachable")  # pragma: no cover
    else:
        full: dict[str, list[int]] = {}
        short: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            full.setdefault(fold(n), []).append(i)
            short.setdefault(fold(n, strip_unit=True), []).append(i)
        districts = None
        if "old_district" in crosswalk and "district_name" in communes:
            districts = {fold(str(d)) for d in communes["district_name"] if not is_missing(d)}
        out: list[str | None] = []
        for row_no, r in enumerate(crosswalk.to_dict("records"), start=2):
            name = r["old_name"]
            if districts is not None and not is_missing(r.get("old_district")) and \
                    fold(str(r["old_district"])) not in districts:
                out.append(None)  # a unit of another district (province-wide crosswalk)
                continue
            if is_missing(name):
                raise DataError(_m("empty", lang, path=path, row=row_no, column="old_name"),
                                path=str(path), row=row_no, column="old_name")
            hits = full.get(fold(name), [])
            if not hits:
                hits = short.get(fold(name, strip_unit=True), [])
            if len(hits) > 1:
                raise DataError(_m("ambiguous", lang, path=path, row=row_no, name=name,
                                   candidates=", ".join(names[i] for i in hits)),
                                path=str(path), row=row_no, column="old_name", value=name)
            if not hits:
                raise DataError(_m("unmatched", lang, path=path, row=row_no, name=name),
                                path=str(path), row=row_no, column="old_name", value=name)
            out.append(codes[hits[0]])
        matched = pd.Series(out, index=crosswalk.index, dtype=object)
    first: dict[str, int] = {}
    for row_no, code in enumerate(matched, start=2):
        if code is None:
            continue
        if code in first:
            name = names[codes.index(code)]
            raise DataError(_m("twice", lang, path=path, code=code, name=name,
                               first=first[code], row=row_no), path=str(path), row=row_no)
        first[code] = row_no
    return matched


def _as_mapping(layers: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(layers) and not isinstance(layers, type):
        return {f.name: getattr(layers, f.name) for f in dataclasses.fields(layers)}
    if isinstance(layers, Mapping):
        return dict(layers)
    raise TypeError(f"layers must be MonitoringLayers or a mapping, got {type(layers).__name__}")


def _sort_key(code: str) -> tuple[int, str]:
    s = str(code)
    return (len(s), s) if s.isdigit() else (10**6, s)


def _multi(geoms: np.ndarray) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    single = shapely.get_type_id(out) == 3
    if single.any():
        out[single] = [shapely.MultiPolygon([g]) for g in out[single]]
    return out


def aggregate(
    layers: Any,
    crosswalk: pd.DataFrame | str | Path,
    *,
    criteria_set: CriteriaSet = COMMUNE_CRITERIA,
    fields: Mapping[str, str] | None = None,
    lang: str = "vi",
) -> Layers2025:
    """Dissolve the old units into the 2025 communes and re-aggregate the monitoring.

    Parameters
    ----------
    layers : MonitoringLayers or mapping
        Needs ``communes`` (GeoDataFrame with ``code``, ``name``,
        ``in_programme``, ``population``) and ``commune_status`` (``code``,
        ``year``, ``tc01`` ... and ``ntm``), as ``ntmgis build`` writes them.
    crosswalk : DataFrame or path
        Old unit -> new commune: ``old_name`` (or ``old_code`` with the
        workspace's codes), ``new_code``, ``new_name``, optionally
        ``old_district`` and ``new_province_code``. Column names as in
        ``merger_2025.csv`` (``old_ward_name`` ...) are recognised; a path is
        read with :func:`read_crosswalk`.
    criteria_set : CriteriaSet
        The commune criteria (default: the 19 of Decision 318/QĐ-TTg).
    fields : mapping, optional
        Canonical crosswalk column -> column name, when it has other names.
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    Layers2025
        ``communes_2025``, ``commune_status_2025`` and ``commune_criteria_2025``
        in the communes' CRS, rows sorted by new code (and year, criterion).

    Raises
    ------
    DataError
        The crosswalk misses a column, names a unit that is not in the
        communes layer (or several), lists a unit twice, gives one new code
        two names, or leaves a unit of the layer out.
    """
    check_lang(lang)
    lay = _as_mapping(layers)
    communes = lay.get("communes")
    status = lay.get("commune_status")
    if not isinstance(communes, gpd.GeoDataFrame) or status is None:
        raise ValueError("aggregate needs the 'communes' and 'commune_status' layers")
    path: object = "crosswalk"
    if isinstance(crosswalk, (str, Path)):
        path = crosswalk
        cw = read_crosswalk(crosswalk, fields=fields, lang=lang)
    else:
        cw = _canonical(crosswalk, fields=fields, path=path, lang=lang)

    matched = match_units(communes, cw, path=path, lang=lang)
    cw = cw.assign(unit_code=matched.to_numpy())
    cw = cw[cw["unit_code"].notna()]
    uncovered = sorted(set(communes["code"].astype(str)) - set(cw["unit_code"]))
    if uncovered:
        names = dict(zip(communes["code"].astype(str), communes["name"], strict=True))
        raise DataError(_m("uncovered", lang, path=path,
                           units=", ".join(f"{c} {names[c]}" for c in uncovered)),
                        path=str(path))
    for code, group in cw.groupby("new_code", sort=True):
        names_here = sorted(set(group["new_name"]), key=str)
        if len({fold(n) for n in names_here}) > 1:
            raise DataError(_m("new_name", lang, path=path, code=code,
                               names=", ".join(names_here)), path=str(path))

    # --- the old units, with the new commune each went to ---------------------------------
    units = communes.copy()
    units["code"] = units["code"].astype(str)
    new_of = dict(zip(cw["unit_code"], cw["new_code"], strict=True))
    name_of = dict(zip(cw["new_code"], cw["new_name"], strict=False))
    prov_of = (dict(zip(cw["new_code"], cw["new_province_code"], strict=False))
               if "new_province_code" in cw else {})
    units["new_code"] = units["code"].map(new_of)
    area_crs = units.crs
    if area_crs is not None and area_crs.is_geographic:
        area_crs = units.estimate_utm_crs()
    area_geoms = units.geometry.to_crs(area_crs) if area_crs != units.crs else units.geometry
    units["unit_area"] = shapely.area(np.asarray(area_geoms.values, dtype=object)) / 1e6
    pop = pd.to_numeric(units["population"], errors="coerce") if "population" in units \
        else pd.Series(np.nan, index=units.index)
    units["unit_pop"] = pop.astype("float64")
    in_prog = units["in_programme"].astype("boolean").fillna(False).astype(bool) \
        if "in_programme" in units else pd.Series(True, index=units.index)
    units["in_prog"] = in_prog
    units = units.iloc[sorted(range(len(units)), key=lambda i: units["code"].iloc[i])]

    grouped = units.groupby("new_code", sort=False)
    new_codes = sorted(grouped.groups, key=_sort_key)
    # one union per new commune, over index groups (no scan of the layer per commune)
    all_geoms = np.asarray(units.geometry.values, dtype=object)
    positions = grouped.indices
    # gaps between the old units wholly inside a new one are closed (no false holes)
    tree = shapely.STRtree(all_geoms)

    def near(pos: np.ndarray) -> np.ndarray:  # the other units within the group's extent
        box = shapely.box(*shapely.total_bounds(all_geoms[pos]))
        return all_geoms[np.setdiff1d(tree.query(box), pos)]

    geom = _multi(np.array([dissolve_units(all_geoms[positions[c]],
                                           others=near(positions[c]))
                            for c in new_codes], dtype=object))
    agg = grouped.agg(
        units=("code", "size"),
        units_in_programme=("in_prog", "sum"),
        old_codes=("code", lambda s: ";".join(s)),
        old_names=("name", lambda s: "; ".join(nfc(str(n)) for n in s)),
        population=("unit_pop", lambda s: s.sum(min_count=1)),
        population_known=("unit_pop", "count"),
    ).reindex(new_codes)
    merged_area = shapely.area(
        np.asarray(gpd.GeoSeries(geom, crs=units.crs).to_crs(area_crs).values, dtype=object)
        if area_crs != units.crs else geom) / 1e6
    communes_2025 = gpd.GeoDataFrame(
        {
            "code": new_codes,
            "name": [name_of[c] for c in new_codes],
            "province_code": [prov_of.get(c) for c in new_codes],
            "old_codes": agg["old_codes"].to_numpy(),
            "old_names": agg["old_names"].to_numpy(),
            "units": agg["units"].astype("int64").to_numpy(),
            "units_in_programme": agg["units_in_programme"].astype("int64").to_numpy(),
            "population": pd.array(
                [None if np.isnan(v) else int(round(v)) for v in agg["population"]],
                dtype="Int64"),
            "population_complete": (agg["population_known"] == agg["units"]).to_numpy(),
            "area_km2": np.round(merged_area, 3),
        },
        geometry=geom, crs=units.crs,
    )

    # --- the monitoring, per new commune, year and criterion -------------------------------
    keys = [c.key for c in criteria_set if c.key in status.columns]
    numbers = {c.key: c.number for c in criteria_set}
    st = pd.DataFrame(status.drop(columns="geometry", errors="ignore"))
    st = st.assign(code=st["code"].astype(str))
    st = st[st["code"].isin(set(units["code"]))]
    long = st.melt(id_vars=["code", "year"], value_vars=keys, var_name="key", value_name="met")
    long["met"] = pd.to_numeric(long["met"], errors="coerce").astype("float64")
    long = long.merge(units[["code", "new_code", "unit_pop", "unit_area"]], on="code")
    long["is_met"] = long["met"] == 1
    long["known"] = long["met"].notna()
    long["pop_met"] = np.where(long["is_met"], long["unit_pop"].fillna(0.0), 0.0)
    long["area_met"] = np.where(long["is_met"], long["unit_area"], 0.0)
    g = long.groupby(["new_code", "year", "key"], sort=False).agg(
        units_with_data=("known", "sum"), units_met=("is_met", "sum"),
        pop_met=("pop_met", "sum"), area_met=("area_met", "sum"),
    ).reset_index()
    denom = units.groupby("new_code").agg(pop_all=("unit_pop", lambda s: s.sum(min_count=1)),
                                          area_all=("unit_area", "sum"),
                                          units=("code", "size"))
    g = g.merge(denom, left_on="new_code", right_index=True)
    # A population share needs every old unit's population: a unit without one could
    # hold most of the people, so the share is left empty rather than guessed.
    complete = g["new_code"].map(communes_2025.set_index("code")["population_complete"])
    g["pop_share"] = np.where(complete.astype(bool) & (g["pop_all"] > 0),
                              g["pop_met"] / g["pop_all"], np.nan)
    g["area_share"] = g["area_met"] / g["area_all"]
    g["status"] = np.select(
        [g["units_with_data"] == 0, g["units_met"] == g["units_with_data"], g["units_met"] == 0],
        [None, "met", "not_met"], default="mixed").astype(object)
    g.loc[g["units_with_data"] == 0, "status"] = None
    g["criterion"] = g["key"].map(numbers).astype("int64")
    g["code"] = g["new_code"]
    g = g.sort_values(["code", "year", "criterion"],
                      key=lambda s: s.map(_sort_key) if s.name == "code" else s)
    criteria_long = pd.DataFrame({
        "code": g["code"].to_numpy(),
        "name": g["code"].map(name_of).to_numpy(),
        "year": g["year"].astype("int64").to_numpy(),
        "criterion": g["criterion"].to_numpy(),
        "units": g["units"].astype("int64").to_numpy(),
        "units_with_data": g["units_with_data"].astype("int64").to_numpy(),
        "units_met": g["units_met"].astype("int64").to_numpy(),
        "pop_share": g["pop_share"].round(4).to_numpy(),
        "area_share": g["area_share"].round(4).to_numpy(),
        "status": g["status"].to_numpy(),
    })

    # wide, one row per new commune and year
    unit_rows = st.merge(units[["code", "new_code"]], on="code")
    if "ntm" in unit_rows:
        ntm_b = unit_rows["ntm"].astype("boolean").fillna(False).astype(bool)
    else:
        ntm_b = pd.Series(False, index=unit_rows.index)
    met_n = (unit_rows[keys].apply(pd.to_numeric, errors="coerce").astype("float64") == 1
             ).sum(axis=1)
    unit_class = [criteria_set.band(int(n)) for n in met_n]
    unit_rows = unit_rows.assign(ntm_b=ntm_b, unit_class=unit_class)
    per_year = unit_rows.groupby(["new_code", "year"], sort=False).agg(
        units_with_data=("code", "size"), ntm_units=("ntm_b", "sum"),
        classes=("unit_class", lambda s: ";".join(sorted(set(s)))),
    ).reset_index()
    wide = per_year.rename(columns={"new_code": "code"})
    wide = wide.sort_values(["code", "year"],
                            key=lambda s: s.map(_sort_key) if s.name == "code" else s)
    wide = wide.reset_index(drop=True)
    idx = pd.MultiIndex.from_frame(wide[["code", "year"]])
    piv = criteria_long.set_index(["code", "year", "criterion"])
    cols: dict[str, Any] = {
        "code": wide["code"].to_numpy(),
        "name": wide["code"].map(name_of).to_numpy(),
        "year": wide["year"].astype("int64").to_numpy(),
        "units": wide["code"].map(communes_2025.set_index("code")["units"]).astype("int64")
        .to_numpy(),
        "units_in_programme": wide["code"].map(
            communes_2025.set_index("code")["units_in_programme"]).astype("int64").to_numpy(),
        "units_with_data": wide["units_with_data"].astype("int64").to_numpy(),
        "ntm_units": wide["ntm_units"].astype("int64").to_numpy(),
    }
    statuses = []
    for key in keys:
        n = numbers[key]
        sub = piv.xs(n, level="criterion").reindex(idx)
        cols[key] = sub["status"].to_numpy(dtype=object)
        cols[f"{key}_n"] = sub["units_met"].fillna(0).astype("int64").to_numpy()
        cols[f"{key}_pop"] = sub["pop_share"].to_numpy(dtype="float64")
        cols[f"{key}_area"] = sub["area_share"].to_numpy(dtype="float64")
        statuses.append(cols[key])
    smat = np.array(statuses, dtype=object).T if statuses else np.empty((len(wide), 0), object)
    met_all = (smat == "met").sum(axis=1)
    mixed = (smat == "mixed").sum(axis=1)
    cols["criteria_met_all"] = met_all.astype("int64")
    cols["criteria_met_any"] = (met_all + mixed).astype("int64")
    cols["criteria_mixed"] = mixed.astype("int64")
    cols["criteria_met_none"] = (smat == "not_met").sum(axis=1).astype("int64")
    cols["criteria_total"] = np.full(len(wide), len(criteria_set), dtype="int64")
    ntm_units = cols["ntm_units"]
    with_data = cols["units_with_data"]
    cols["ntm_status"] = np.where(ntm_units == with_data, "ntm",
                                  np.where(ntm_units == 0, "not_ntm", "mixed")).astype(object)
    # One class only where the old units agree on every criterion; "mixed" otherwise,
    # with the old units' own classes alongside.
    cols["band"] = np.array(
        [("mixed" if mx else criteria_set.band(int(m)))
         for m, mx in zip(met_all, mixed, strict=True)], dtype=object)
    cols["unit_classes"] = wide["classes"].to_numpy(dtype=object)
    geom_of = dict(zip(communes_2025["code"], communes_2025.geometry.values, strict=True))
    commune_status_2025 = gpd.GeoDataFrame(
        cols, geometry=np.array([geom_of[c] for c in cols["code"]], dtype=object),
        crs=units.crs)
    return Layers2025(communes_2025=communes_2025,
                      commune_status_2025=commune_status_2025,
                      commune_criteria_2025=criteria_long)


def aggregate_workspace(workspace: Any, layers: Any, *, lang: str = "vi") -> Layers2025 | None:
    """The 2025 layers of a workspace, or None when it declares no crosswalk.

    Reads ``[tables.crosswalk_2025]`` (its ``path`` and optional ``fields``)
    and calls :func:`aggregate`; ``ntmgis build`` writes the result into the
    GeoPackage beside the other layers.

    Parameters
    ----------
    workspace : Workspace
        The loaded workspace.
    layers : MonitoringLayers or mapping
        The monitoring layers just computed (``communes``, ``commune_status``).
    lang : {"vi", "en"}
        Language of messages.
    """
    cfg = workspace.table("crosswalk_2025")
    if cfg is None:
        return None
    if not Path(cfg.path).is_file():
        raise DataError(t("file_missing", lang, path=cfg.path), path=cfg.path)
    cw = read_crosswalk(cfg.path, fields=cfg.fields or None, lang=lang)
    cset = (layers_criteria_set(layers, workspace, lang=lang)
            if isinstance(layers, MonitoringLayers) else COMMUNE_CRITERIA)
    return aggregate(layers, cw, criteria_set=cset, lang=lang)
