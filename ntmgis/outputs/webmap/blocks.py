"""The data blocks of the monitoring maps, and the compact encodings they use.

Communes (geometry once, criteria per year as strings), villages, projects
and their routes, each turned into the JSON block that ``app.js`` reads;
with the helpers that pack them (enumerations, criteria flags six to a
character, rounded numbers). Built by :mod:`ntmgis.outputs.webmap.monitoring`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, band_keys
from ntmgis.core.text import display_name
from ntmgis.core.vocabulary import FUNDING_SOURCES
from ntmgis.outputs.webmap.encode import (
    encode_lines,
    encode_points,
    encode_polygon_arcs,
    encode_polygons,
    simplify_coverage_parts,
    to_wgs84,
)
from ntmgis.outputs.webmap.packed import Numbers

__all__ = ["STATUS_RANK", "RANK_STATUS"]

STATUS_RANK = {"preparing": 0, "under_way": 1, "finished": 2}
RANK_STATUS = ("preparing", "under_way", "finished")


def _s(v: object) -> str:
    """A user string for JSON ("" for missing)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    return str(v)


def _strs(values: Any) -> list[str]:
    """Vectorised :func:`_s`: user strings of a column ("" for missing)."""
    col = pd.Series(np.asarray(values, dtype=object), dtype=object)
    out = col.astype(str).to_numpy(dtype=object)
    out[col.isna().to_numpy()] = ""
    return out.tolist()


def _per_value(values: Any, func: Any) -> list:
    """``[func(v) for v in values]``, ``func`` called once per distinct value.

    Names, criteria lists and gained/lost lists repeat across hundreds of
    thousands of rows (the whole country): worked out once each.
    """
    cache: dict = {}
    out = []
    # a plain list: iterating a pandas column yields its values one slow call each
    for v in values.tolist() if hasattr(values, "tolist") else values:
        try:
            r = cache[v]
        except KeyError:
            r = cache[v] = func(v)
        except TypeError:  # unhashable
            r = func(v)
        out.append(r)
    return out


def _num(v: object, decimals: int = 3) -> float | int | None:
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(f):
        return None
    f = round(f, decimals)
    return int(f) if f.is_integer() else f


def _nums(values: Any, decimals: int = 3) -> list[float | int | None]:
    """Vectorised :func:`_num`: rounded numbers, integers where whole, None for missing."""
    arr = np.round(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(
        dtype="float64"), decimals)
    out = arr.astype(object)
    whole = ~np.isnan(arr) & (arr == np.floor(arr))
    out[whole] = arr[whole].astype(np.int64).astype(object)
    out[np.isnan(arr)] = None
    return out.tolist()


def _rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """Floats rounded as :func:`_num` rounds them (NaN stays NaN)."""
    return np.round(np.asarray(values, dtype="float64"), decimals)


def _met_chars(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One character per criterion and row: b'1' met, b'0' not met, b'-' unknown.

    Returns an (rows, len(cols)) array of single bytes.
    """
    if not len(frame):
        return np.empty((0, len(cols)), dtype="S1")
    # a column missing from the layer is unknown for every row (keeps positions fixed)
    vals = frame.reindex(columns=cols).apply(pd.to_numeric, errors="coerce").to_numpy(
        dtype="float64")
    return np.where(np.isnan(vals), b"-", np.where(vals > 0, b"1", b"0")).astype("S1")


def _met_text(n: int, rows: np.ndarray, chars: np.ndarray, k: int) -> str:
    """``k`` characters per unit of ``n``: those of ``chars`` at ``rows``, "." for no row."""
    out = np.full((n, k), b".", dtype="S1")
    if len(rows) and k:
        out[rows] = chars
    return out.tobytes().decode("ascii")


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _enum(values: Any) -> dict | list[str]:
    """Enumeration values as ``{"k": keys, "s": one character per value}`` (app.js decodes).

    More than 64 distinct values stay a plain list.
    """
    strings = _strs(values)
    keys = sorted(set(strings))
    if len(keys) > len(_B64):
        return strings
    pos = {k: _B64[i] for i, k in enumerate(keys)}
    return {"k": keys, "s": "".join(pos[v] for v in strings)}


def _pack_flags(raw: str, n: int, k: int) -> dict:
    """Criteria strings (``k`` characters per unit) packed six criteria to a character.

    ``{"b": w characters per unit (base 64, first criterion in the highest
    bit), "x": {unit: raw string or None}}`` where ``x`` holds the units with
    an unknown value (``-``) as they are and those without a row as None.
    app.js (``unpackFlags``) gives back the ``k``-character string.
    """
    if n == 0 or k == 0 or len(raw) != n * k:
        return {"b": "", "x": {}}
    arr = np.frombuffer(raw.encode("ascii"), dtype="S1").reshape(n, k)
    w = -(-k // 6)
    bits = np.zeros((n, w * 6), dtype=np.int64)
    bits[:, :k] = arr == b"1"
    vals = (bits.reshape(n, w, 6) << np.arange(5, -1, -1)).sum(axis=2)
    packed = "".join(np.array(list(_B64))[vals].ravel().tolist())
    missing = arr[:, 0] == b"."
    unknown = (arr == b"-").any(axis=1) & ~missing
    x: dict[str, str | None] = {}
    for i in np.flatnonzero(missing | unknown).tolist():
        x[str(i)] = None if missing[i] else raw[i * k:(i + 1) * k]
    return {"b": packed, "x": x}


def _joined_list(v: object) -> str:
    """The numbers of a list cell joined by ";" ("3; 7" -> "3;7")."""
    return ";".join(str(x) for x in _parse_list(v))


def _parse_list(v: object) -> list[int]:
    s = _s(v)
    out = []
    for part in s.replace(",", ";").split(";"):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


def _commune_block(communes: gpd.GeoDataFrame, status: pd.DataFrame | None,
                   years: list[int], tolerance: float,
                   cset: CriteriaSet = COMMUNE_CRITERIA, *,
                   simplified: tuple | None = None, shapes: tuple | None = None
                   ) -> tuple[dict, dict, bool, gpd.GeoSeries, np.ndarray]:
    # simplified: simplify_coverage_parts' result when the caller made it first;
    # shapes: commune_shapes' of it, made meanwhile in another thread
    geo, valid, alone = simplified if simplified is not None else \
        simplify_coverage_parts(communes.geometry, tolerance)
    geom, labels = shapes if shapes is not None else commune_shapes(communes, geo, valid)
    codes = _strs(communes["code"])
    prog = communes["in_programme"] if "in_programme" in communes else pd.Series(True,
                                                                                 communes.index)
    block = {
        "code": codes,
        # the source's spelling stays the key (code); names show capitalised ("Pa Ủ")
        "name": _per_value(communes["name"], lambda n: _s(display_name(n))),
        "prog": [1 if bool(p) else 0 for p in prog.fillna(False)],
        # Python's round (to the decimal written), as before: np.round differs on halves
        "pop": [_num(p, 0) for p in communes.get("population",
                                                  pd.Series(None, communes.index)).tolist()],
        "area": [_num(a, 1) for a in communes.get("area_km2",
                                                   pd.Series(None, communes.index)).tolist()],
        "tntm": [None] * len(codes),
        "tcrit": [None] * len(codes),
        "lab": labels,
    }
    block.update(geom)
    index = {c: i for i, c in enumerate(codes)}
    keys = list(cset.keys)
    cstat: dict[str, dict] = {}
    if status is not None and len(status):
        st = pd.DataFrame(status.drop(columns="geometry", errors="ignore"))
        st["code"] = st["code"].astype(str)
        st["_i"] = st["code"].map(index)
        st = st[st["_i"].notna()]
        st["_i"] = st["_i"].astype(int)
        for col, key in (("target_ntm", "tntm"), ("target_criteria", "tcrit")):
            if col in st:
                first = st.dropna(subset=[col]).drop_duplicates("_i")
                for i, v in zip(first["_i"], first[col], strict=True):
                    block[key][i] = int(bool(v)) if key == "tntm" else _num(v, 0)
        class_idx = {k: str(j) for j, k in enumerate(band_keys(tuple(cset.bands)))}
        for y in years:
            rows = st[st["year"].astype(int) == y]
            at = rows["_i"].to_numpy(dtype=np.int64)
            c = np.full(len(codes), "-", dtype=object)
            g = np.full(len(codes), "", dtype=object)
            lo = np.full(len(codes), "", dtype=object)
            c[at] = _per_value(rows.get("band", pd.Series("", rows.index)),
                               lambda b: class_idx.get(_s(b), "-"))
            g[at] = _per_value(rows.get("gained", pd.Series("", rows.index)), _joined_list)
            lo[at] = _per_value(rows.get("lost", pd.Series("", rows.index)), _joined_list)
            # one string per year: a character per criterion (19, 10) and commune, "."
            # for no row
            cstat[str(y)] = {"m": _met_text(len(codes), at, _met_chars(rows, keys), len(keys)),
                             "c": "".join(c.tolist()), "g": g.tolist(), "l": lo.tolist()}
    return block, cstat, valid, geo, alone


def commune_shapes(communes: gpd.GeoDataFrame, geo: gpd.GeoSeries, valid: bool
                   ) -> tuple[dict, Any]:
    """The communes' encoded geometry (``arcs`` and ``geom``, or ``geom``) and label points.

    ``geo``: the simplified polygons (metric CRS), ``valid``: whether they form a
    coverage (then stored as shared arcs). The geometry half of the commune block:
    PROJ and GEOS, made in a second thread while the first builds the others.
    """
    geo84 = to_wgs84(geo)
    labels = encode_points(to_wgs84(gpd.GeoSeries(
        shapely.point_on_surface(communes.geometry.values), crs=communes.crs)).values)
    if valid:  # a valid coverage: shared edges stored once (arcs)
        arcs, geom = encode_polygon_arcs(geo84.values)
        return {"arcs": arcs, "geom": geom}, labels
    return {"geom": encode_polygons(geo84.values)}, labels


def _village_block(villages: gpd.GeoDataFrame | None, vstatus: pd.DataFrame | None,
                   commune_index: dict[str, int], years: list[int],
                   vnames: list[str]) -> dict:
    if villages is None or not len(villages):
        return {"code": [], "name": [], "commune": [], "xy": [], "st": {}, "k": 0,
                "crit": vnames}
    v = villages[villages.geometry.notna() & ~villages.geometry.is_empty]
    pts = to_wgs84(v)
    codes = _strs(v["code"])
    vindex = {c: i for i, c in enumerate(codes)}
    block = {
        "code": codes,
        "name": _per_value(v["name"], lambda n: _s(display_name(n))),
        "commune": [commune_index.get(c, -1) for c in _strs(v["commune_code"])],
        "pop": _nums(v.get("population", pd.Series(None, v.index)), 0),
        "xy": encode_points(pts.values),
        "crit": vnames,
        "st": {},
        "k": 0,
    }
    if vstatus is not None and len(vstatus):
        st = pd.DataFrame(vstatus.drop(columns="geometry", errors="ignore"))
        st["_i"] = st["code"].astype(str).map(vindex)
        st = st[st["_i"].notna()]
        st["_i"] = st["_i"].astype(int)
        vcols = sorted(c for c in st.columns if c.startswith("vc") and c[2:].isdigit())
        block["k"] = len(vcols)
        for y in years:
            rows = st[st["year"].astype(int) == y]
            # one string per year: k characters per village, "." for no row
            block["st"][str(y)] = _met_text(len(codes), rows["_i"].to_numpy(dtype=np.int64),
                                            _met_chars(rows, vcols), len(vcols))
    return block


def _status_by_year(projects: pd.DataFrame, years: list[int]) -> dict[str, str]:
    """Status of each project in each year, one digit per project (0/1/2 = RANK_STATUS)."""
    rank = projects["status"].map(STATUS_RANK).fillna(1).astype(int).to_numpy()
    ys = pd.to_numeric(projects["year_start"], errors="coerce").to_numpy(dtype="float64")
    ye = pd.to_numeric(projects["year_end"], errors="coerce").to_numpy(dtype="float64")
    out = {}
    for y in years:
        by_year = np.where(np.isnan(ys) | (y >= ys), np.where(~np.isnan(ye) & (y >= ye), 2, 1), 0)
        r = np.minimum(rank, by_year)
        out[str(y)] = "".join(r.astype(str).tolist())
    return out


# capital and disbursement in million VND, to 0,1 million (100.000 VND): the
# precision of the plans' tables (one decimal of a million); more digits cost
# bytes and are not read on a map
CAPITAL_DECIMALS = 1


def simplify_lines(geoms: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """Lines simplified for the web (Douglas-Peucker in the metric CRS, no topology kept).

    ``preserve_topology=False`` is 2-3 times faster and keeps the ends of
    every line; a line that would vanish keeps its input shape.
    """
    vals = geoms.values
    simple = shapely.simplify(vals, tolerance, preserve_topology=False)
    bad = shapely.is_empty(simple) | shapely.is_missing(simple)
    return gpd.GeoSeries(np.where(bad, vals, simple), index=geoms.index, crs=geoms.crs)


def _project_block(projects: pd.DataFrame, xy: np.ndarray, plines: gpd.GeoDataFrame | None,
                   commune_index: dict[str, int], years: list[int],
                   village_index: dict[str, int], *, metric: Any = None,
                   line_tolerance: float = 0.0) -> tuple[dict, dict]:
    # the village as an index into the village layer; its name only where it has none there
    vcodes = projects.get("village_code", pd.Series("", projects.index))
    vnames = projects.get("village_name", pd.Series("", projects.index))
    vi = [village_index.get(c, -1) if c else -1 for c in _strs(vcodes)]
    vname = {str(k): n for k, (i, n) in enumerate(zip(vi, _strs(vnames), strict=True))
             if i < 0 and n}
    capcols = projects[[f"cap_{s}" for s in FUNDING_SOURCES]]
    # one row of the sources' amounts per project (packed column by column in the page)
    caps = Numbers(_rounded(capcols.apply(pd.to_numeric, errors="coerce").to_numpy(
        dtype="float64"), CAPITAL_DECIMALS).reshape(-1), CAPITAL_DECIMALS,
        width=len(FUNDING_SOURCES))
    block = {
        "id": _strs(projects["project_id"]),
        "name": _strs(projects["name"]),
        "cat": _enum(projects["category"]),
        "commune": [commune_index.get(c, -1) for c in _strs(projects["commune_code"])],
        "vi": vi,
        "vname": vname,
        # a list per project (not shared between projects with the same criteria)
        "crit": [list(x) for x in _per_value(projects["criteria"], _parse_list)],
        "ys": _nums(projects["year_start"], 0),
        "ye": _nums(projects["year_end"], 0),
        "status": _enum(projects["status"]),
        "cap": caps,
        "disb": Numbers(_rounded(pd.to_numeric(
            projects.get("disbursed", pd.Series(None, projects.index, dtype="float64")),
            errors="coerce").to_numpy(dtype="float64"), CAPITAL_DECIMALS), CAPITAL_DECIMALS),
        "xy": encode_points(xy),
        "st": _status_by_year(projects, years) if len(projects) else {str(y): "" for y in years},
    }
    lines = {"p": [], "geom": []}
    if plines is not None and len(plines):
        pos = {pid: i for i, pid in enumerate(block["id"])}
        pl = plines[plines["project_id"].astype(str).isin(pos)]
        pl = pl[pl.geometry.notna() & ~pl.geometry.is_empty]
        if len(pl):
            geo = pl.geometry
            if line_tolerance > 0 and pl.crs is not None:
                geo = simplify_lines(geo.to_crs(metric) if metric is not None else geo,
                                     line_tolerance)
            lines = {"p": [pos[str(p)] for p in pl["project_id"]],
                     "geom": encode_lines(to_wgs84(geo).values)}
    return block, lines


def met_arrays(cstat: dict, n: int, k: int) -> dict[str, np.ndarray]:
    """Per year the criteria strings of ``cstat`` as an (n, k) array of single bytes."""
    out = {}
    for y, v in cstat.items():
        m = v["m"]
        out[y] = (np.frombuffer(m.encode("ascii"), dtype="S1").reshape(n, k)
                  if len(m) == n * k and k else np.full((n, k), b"."))
    return out


def last_year_ended(vblock: dict, pblock: dict, projects: Any, year: int) -> None:
    """Villages' and projects' status in ``year``'s slot: the year before (a period's map)."""
    slot, prev = str(year), str(year - 1)
    if vblock["st"]:
        vblock["st"][slot] = vblock["st"].get(prev, "." * (len(vblock["code"]) * vblock["k"]))
    if len(projects):
        pblock["st"][slot] = pblock["st"].get(prev) or _status_by_year(projects, [year - 1])[prev]


def village_criteria_names(ws: Any, layers: Any, lang: str) -> list[str]:
    """The village criteria's names in ``lang``, in the order of the ``vcNN`` columns.

    From the layers' village criteria set, else the workspace's ``village_criteria``
    table; a column without a name keeps its own.
    """
    vs = getattr(layers, "village_status", None)
    cols = sorted(c for c in (vs.columns if vs is not None else [])
                  if c.startswith("vc") and c[2:].isdigit())
    names = {}
    vset = getattr(layers, "village_criteria_set", None)
    table = ws.table("village_criteria") if hasattr(ws, "table") else None
    if vset is not None and len(vset):
        col = "name_en" if lang == "en" and "name_en" in vset else "name_vi"
        for n, name in zip(vset["number"], vset[col], strict=True):
            names[f"vc{int(n):02d}"] = _s(name) or _s(vset.get("name_vi", [""])[0])
    elif table is not None and Path(table.path).exists():
        try:
            df = pd.read_csv(table.path, dtype=str)
            col = "name_en" if lang == "en" and "name_en" in df else "name_vi"
            for n, name in zip(df["number"], df[col], strict=True):
                names[f"vc{int(n):02d}"] = _s(name)
        except (KeyError, ValueError, OSError):
            names = {}
    return [names.get(c, c) for c in cols]
