"""Readers for what offices really have.

Vector layers: GeoPackage, Shapefile (with or without ``.prj``; DBF in UTF-8,
cp1258, TCVN3 or VNI), MapInfo TAB, GeoJSON. Tables: CSV (any delimiter,
UTF-8 with or without BOM, or a legacy encoding) and Excel. Criteria status
in long form (one row per unit, year, criterion) or wide form (one column per
criterion, values such as "Đạt", "Chưa đạt", "x", 1/0). Project locations
from lon/lat, from VN-2000 X/Y, or from line/polygon geometry joined by id.

Every reader reports problems into an :class:`~ntmgis.core.issue_log.IssueLog` with
file, row, column and value, and keeps going so that one run lists them all.
Rows are numbered as a spreadsheet user sees them: header = row 1.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, village_set_from_rows
from ntmgis.core.errors import CRSError, DataError, WorkspaceError
from ntmgis.core.i18n import enum_keys, label, labels, t
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, is_missing, nfc, normalise_code, parse_number
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import (
    CONTEXT_ALIASES,
    FIELD_ALIASES,
    LayerConfig,
    TableConfig,
    Workspace,
    is_database_url,
)
from ntmgis.inputs.encodings import fix_legacy_text, looks_like_legacy

__all__ = [
    "read_vector",
    "read_table",

    "read_status",
    "read_projects",
    "read_criteria_set",
    "load_inputs",
    "Inputs",
    "VECTOR_SUFFIXES",
    "TABLE_SUFFIXES",
]

VECTOR_SUFFIXES = (".gpkg", ".shp", ".tab", ".geojson", ".json", ".fgb", ".kml", ".gml")
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
# Vietnam's extent with a margin, lon/lat: a layer outside it has a wrong CRS.
VN_BOUNDS = (101.0, 7.5, 110.5, 24.0)
ROW = "_row"


def _colkey(name: str) -> str:
    return re.sub(r"[\s_\-./()]+", "", fold(str(name)))


def _find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    keys = {_colkey(c): c for c in reversed(columns)}
    for cand in candidates:
        hit = keys.get(_colkey(cand))
        if hit is not None:
            return hit
    return None


def map_columns(df: pd.DataFrame, fields: dict[str, str], required: tuple[str, ...],
                optional: tuple[str, ...], *, path: Path, log: IssueLog,
                context: str = "") -> pd.DataFrame:
    """Rename the user's columns to canonical names; report required ones that are missing.

    A configured name is looked up first (case-, accent- and underscore-
    insensitively), then the usual aliases of :data:`FIELD_ALIASES` (those of
    ``context``, e.g. "villages", first). Configured fields claim their
    columns before any alias is tried, and references to other units
    (``commune_code``) before the unit's own ``code``.
    """
    cols = [c for c in df.columns if c not in (ROW, "geometry")]
    rename: dict[str, str] = {}
    taken: set[str] = {fields[c] for c in required + optional if fields.get(c)}
    ctx = CONTEXT_ALIASES.get(context, {})
    wanted = sorted(required + optional,
                    key=lambda c: (not fields.get(c), c not in ("commune_code", "village_code",
                                                                 "commune_name", "village_name")))
    for canon in wanted:
        configured = fields.get(canon)
        if configured:
            taken.discard(configured)
        cands = (configured,) if configured else ctx.get(
            canon, (canon, *FIELD_ALIASES.get(canon, ())))
        hit = _find_column([c for c in cols if c not in taken], cands)
        if hit is None:
            if canon in required:
                log.error("missing_column", "missing_column", file=path, column=configured or canon,
                          expected=", ".join(dict.fromkeys(cands[:5])),
                          configured=configured or " / ".join(dict.fromkeys(cands[:5])),
                          available=", ".join(map(str, cols)))
            continue
        taken.add(hit)
        rename[hit] = canon
    out = df.rename(columns=rename)
    out.attrs["source_columns"] = {v: k for k, v in rename.items()}
    out.attrs["path"] = str(path)
    keep = [c for c in out.columns if c in rename.values() or c in (ROW, "geometry")]
    return out[keep].copy()


def _src_col(df: pd.DataFrame, canon: str) -> str:
    return df.attrs.get("source_columns", {}).get(canon, canon)


def _per_unique(values: Any, func: Any) -> tuple[np.ndarray, np.ndarray]:
    """Apply a pure per-cell function once per distinct value and broadcast the results.

    Offices' columns repeat few values ("Đạt", years, a commune's code), so
    this turns millions of Python calls into a few. Returns the results
    (object array; None where ``func`` raised ValueError) and a mask of the
    cells where it raised, for the caller to report row by row.
    """
    vals = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(vals, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(vals)  # missing -> -1
        uniques = list(uniques) + [None]
    else:  # mixed types: factorize would merge 1, 1.0 and True
        codes, uniques = np.arange(len(vals)), list(vals)
    res = np.empty(len(uniques), dtype=object)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        try:
            res[i] = func(u)
        except ValueError:
            res[i], bad[i] = None, True
    return res[codes], bad[codes]


def _fix_text(df: pd.DataFrame, path: Path, log: IssueLog) -> pd.DataFrame:
    """NFC every text column, trim spaces; warn once when text looks like TCVN3/VNI."""
    warned = False
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        vals = s.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(vals, skipna=True) != "string":
            is_str = np.array([isinstance(v, str) for v in vals], dtype=bool)
            if not is_str.any():
                continue
            vals = vals.copy()
            vals[is_str] = [nfc(v) for v in vals[is_str]]
        else:
            # All text (or missing): normalise each distinct value once.
            fixed, _ = _per_unique(vals, nfc)
            missing = pd.isna(vals)
            fixed[missing] = vals[missing]
            vals = fixed
            is_str = ~missing
        df[col] = pd.Series(vals, index=df.index, dtype=object)
        if not warned:
            # A sample is enough to notice an undeclared legacy encoding.
            for v in vals[is_str][:200]:
                guess = looks_like_legacy(v)
                if guess:
                    log.warning("legacy_encoding", "legacy_encoding", file=path, column=col,
                                value=v, guess=guess)
                    warned = True
                    break
    return df


def _resolve_crs(gdf: gpd.GeoDataFrame, cfg_crs: str | None, ws: Workspace, path: Path,
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
        gdf = _read_database(path, cfg.layer, log)
        if gdf is None:
            return None
        gdf[ROW] = np.arange(1, len(gdf) + 1)
        gdf = _fix_text(gdf, path, log)
        gdf = _resolve_crs(gdf, cfg.crs, ws, path, log)
        gdf = map_columns(gdf, cfg.fields, required, optional, path=path, log=log,
                          context=cfg.name)
        return gpd.GeoDataFrame(gdf, geometry="geometry")
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
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=str(exc).splitlines()[0])
        return None
    gdf[ROW] = np.arange(1, len(gdf) + 1)
    if kw.get("encoding") == "latin1":
        gdf = _legacy_table(gdf, encoding)
    else:
        gdf = _fix_text(gdf, path, log)
    gdf = _resolve_crs(gdf, cfg.crs, ws, path, log)
    gdf = map_columns(gdf, cfg.fields, required, optional, path=path, log=log, context=cfg.name)
    return gpd.GeoDataFrame(gdf, geometry="geometry")


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_table(cfg: TableConfig, ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    """Read a CSV or Excel table with every cell as text (codes keep their zeros)."""
    path = cfg.path
    if is_database_url(path):
        df = _read_database(path, cfg.options.get("layer"), log)
        if df is None:
            return None
        df = pd.DataFrame(df.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        df[ROW] = df.index + 2
        return _fix_text(df, path, log)
    if not path.exists():
        log.error("file_missing", "file_missing", file=path, path=log._rel(path))
        return None
    suffix = path.suffix.lower()
    encoding = (cfg.encoding or ws.encoding).lower()
    kind = _form_kind(path)
    if kind is not None:
        return _read_filled_form(path, kind, ws, log)
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, sheet_name=cfg.sheet or 0, dtype=str,
                               keep_default_na=False)
            encoding = "utf-8"
        elif suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            if encoding in ("utf-8", "utf8"):
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    # Offices' exports are often cp1258 while the workspace says UTF-8.
                    text = raw.decode("cp1258")
                    log.warning("legacy_encoding", "legacy_encoding", file=path,
                                value=text[:20], guess="cp1258")
            else:
                try:
                    # Valid UTF-8 with accents is never legacy text by accident.
                    text = raw.decode("utf-8-sig")
                    encoding = "utf-8"
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
            import io

            df = pd.read_csv(io.StringIO(text), sep=_sniff_delimiter(text[:4096]), dtype=str,
                             keep_default_na=False, skipinitialspace=True)
        else:
            log.error("format", "unsupported_format", file=path, path=log._rel(path),
                      ext=suffix, expected=", ".join(TABLE_SUFFIXES))
            return None
    except Exception as exc:  # noqa: BLE001 - parsers raise many kinds
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None
    df.columns = [nfc(str(c)) for c in df.columns]
    df = df.replace("", None)
    df = df.dropna(how="all").reset_index(drop=True) if len(df) else df
    df[ROW] = df.index + 2
    if encoding in ("utf-8", "utf8"):
        df = _fix_text(df, path, log)
    else:
        df = _legacy_table(df, encoding)
    df.attrs["path"] = str(path)
    return df


def _read_database(url: str, layer: str | None, log: IssueLog) -> pd.DataFrame | None:
    """A PostGIS table, view or query (see ntmgis.outputs.postgis_store); problems become issues."""
    from ntmgis.inputs.postgis import read_postgis_layer

    if not layer:
        log.error("file_unreadable", "file_unreadable", file=url, path=url,
                  reason="layer = \"schema.table\" or a SELECT query is required")
        return None
    try:
        return read_postgis_layer(url, layer, lang=log.lang)
    except (DataError, ConnectionError, OSError, ImportError, ValueError) as exc:
        log.error("file_unreadable", "file_unreadable", file=url, path=url,
                  reason=str(exc).splitlines()[0])
        return None


def _form_kind(path: Path) -> str | None:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from ntmgis.inputs.forms import form_kind

    return form_kind(path)


def _read_filled_form(path: Path, kind: str, ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    """An ntmgis Excel form, read strictly by ntmgis.outputs.forms (errors name sheet and cell)."""
    from ntmgis.inputs.forms import HEADER_ROWS, read_form

    try:
        df = read_form(path, kind, code_width=ws.code_width, years=ws.years, lang=log.lang)
    except DataError as exc:
        log.error("form", "file_unreadable", file=path, path=log._rel(path), row=exc.row,
                  column=exc.column, value=exc.value, reason=str(exc))
        return None
    df = df.reset_index(drop=True)
    # The forms have header rows (labels, then column keys) before the data.
    df[ROW] = df.index + HEADER_ROWS + 1
    for col in df.columns:
        if col != ROW and df[col].dtype.kind in "iufb":
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df.attrs["path"] = str(path)
    return df


def _legacy_value(v: str, encoding: str) -> str:
    """Decode a legacy cell that was read as latin-1; cells that are really UTF-8 stay so."""
    try:
        raw = v.encode("latin-1")
    except UnicodeEncodeError:
        return nfc(v)
    if max(raw, default=0) >= 0x80:
        try:
            return nfc(raw.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return nfc(fix_legacy_text(v, encoding))


def _legacy_table(df: pd.DataFrame, encoding: str) -> pd.DataFrame:
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        df[col] = [_legacy_value(v, encoding) if isinstance(v, str) else v for v in df[col]]
    df.columns = [_legacy_value(str(c), encoding) if c not in (ROW, "geometry") else c
                  for c in df.columns]
    return df


def _int_cell(df: pd.DataFrame, canon: str, log: IssueLog, path: Path, *, lo: int | None = None,
              hi: int | None = None, key: str = "not_a_number") -> pd.Series:
    def one(v: Any) -> tuple[int | None, str | None]:
        try:
            x = parse_number(v)
        except ValueError:
            return None, "not_a_number"
        if x is not None and (not float(x).is_integer()
                              or (lo is not None and not lo <= x <= hi)):
            return None, key
        return (None if x is None else int(x)), None

    res, _ = _per_unique(df[canon], one)
    rows, cells = df[ROW].to_numpy(), df[canon].to_numpy(dtype=object)
    for i in np.flatnonzero(np.array([r[1] is not None for r in res], dtype=bool)):
        err = res[i][1]
        if err == "not_a_number":
            log.error("not_a_number", "not_a_number", file=path, row=rows[i],
                      column=_src_col(df, canon), value=cells[i])
        else:
            log.error(err, err, file=path, row=rows[i], column=_src_col(df, canon),
                      value=cells[i], lo=lo, hi=hi)
    return pd.Series([r[0] for r in res], index=df.index, dtype="Int64")


def _codes(df: pd.DataFrame, canon: str, ws: Workspace, log: IssueLog, path: Path,
           width: int | None) -> pd.Series:
    def one(v: Any) -> tuple[str | None, bool]:
        code = normalise_code(v)
        fixed = normalise_code(v, width)
        return fixed, code is not None and fixed != code

    res, _ = _per_unique(df[canon], one)
    out = np.array([r[0] for r in res], dtype=object)
    lost = np.array([r[1] for r in res], dtype=bool)
    rows, cells = df[ROW].to_numpy(), df[canon].to_numpy(dtype=object)
    for i in np.flatnonzero(lost):
        log.warning("code_lost_zero", "code_lost_zero", file=path, row=rows[i],
                    column=_src_col(df, canon), value=cells[i], fixed=out[i])
    return pd.Series(out, index=df.index, dtype=object)


def read_status(cfg: TableConfig, ws: Workspace, log: IssueLog, cset: CriteriaSet,
                *, code_width: int | None) -> pd.DataFrame | None:
    """Criteria status in long form: ``code, year, criterion, met, _row, _column``.

    Wide tables (``form = "wide"``) have one column per criterion, found by the
    ``criterion_columns`` pattern (``"TC{n}"``) or by names such as ``TC5``,
    ``tc05``, ``Tiêu chí 5``.
    """
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    lo_y, hi_y = ws.years[0], ws.years[-1]
    numbers = set(cset.numbers)
    if cfg.form == "wide":
        base = map_columns(df, cfg.fields, ("code", "year"), ("name",), path=path, log=log,
                           context=cfg.name)
        if "code" not in base or "year" not in base:
            return None
        pattern = cfg.options.get("criterion_columns")
        crit_cols: dict[str, int] = {}
        if pattern:
            rx = re.compile("^" + re.escape(_colkey(pattern)).replace(r"\{n\}", r"0*(\d+)") + "$")
        else:
            rx = re.compile(r"^(?:tc|tieuchi|tchi|vc|criterion|c)0*(\d+)$")
        for c in df.columns:
            m = rx.match(_colkey(c))
            if m:
                crit_cols[c] = int(m.group(1))
        if not crit_cols:
            log.error("missing_column", "missing_column", file=path,
                      column=pattern or "TC1..TC19", configured=pattern or "TC{n}",
                      available=", ".join(map(str, df.columns[:-1])), expected="TC1..TC19")
            return None
        for c, n in crit_cols.items():
            if n not in numbers:
                log.error("criterion_range", "criterion_range", file=path, column=c, value=n,
                          lo=min(numbers), hi=max(numbers))
        codes = _codes(base, "code", ws, log, path, code_width)
        years = _int_cell(base, "year", log, path, lo=lo_y, hi=hi_y, key="year_range")
        parts = []
        for c, n in crit_cols.items():
            if n not in numbers:
                continue
            mets, bad = _per_unique(df[c], parse_met)
            for i in np.flatnonzero(bad):
                log.error("bad_status_value", "bad_status_value", file=path,
                          row=df[ROW].iloc[i], column=c, value=df[c].iloc[i])
            parts.append(pd.DataFrame({"code": codes, "year": years,
                                       "criterion": pd.array([n] * len(df), dtype="Int64"),
                                       "met": pd.array(mets, dtype="Int64"), ROW: df[ROW],
                                       "_column": c}))
        long = pd.concat(parts, ignore_index=True)
        if "name" in base:
            long["name"] = np.tile(base["name"].to_numpy(dtype=object), len(parts))
    else:
        base = map_columns(df, cfg.fields, ("code", "year", "criterion", "met"), ("name",),
                           path=path, log=log, context=cfg.name)
        if not {"code", "year", "criterion", "met"} <= set(base.columns):
            return None
        mets, bad = _per_unique(base["met"], parse_met)
        for i in np.flatnonzero(bad):
            log.error("bad_status_value", "bad_status_value", file=path, row=base[ROW].iloc[i],
                      column=_src_col(base, "met"), value=base["met"].iloc[i])

        def crit_number(v: Any) -> int:
            m = re.search(r"\d+", str(v or ""))
            n = int(m.group()) if m else None
            if n not in numbers:
                raise ValueError(v)
            return n

        crit, bad = _per_unique(base["criterion"], crit_number)
        for i in np.flatnonzero(bad):
            log.error("criterion_range", "criterion_range", file=path, row=base[ROW].iloc[i],
                      column=_src_col(base, "criterion"), value=base["criterion"].iloc[i],
                      lo=min(numbers), hi=max(numbers))
        long = pd.DataFrame({
            "code": _codes(base, "code", ws, log, path, code_width),
            "year": _int_cell(base, "year", log, path, lo=lo_y, hi=hi_y, key="year_range"),
            "criterion": pd.array(crit, dtype="Int64"),
            "met": pd.array(mets, dtype="Int64"),
            ROW: base[ROW],
            "_column": _src_col(base, "met"),
        })
        if "name" in base:
            long["name"] = base["name"].to_numpy(dtype=object)
    long.attrs["path"] = str(path)
    return long


def _enum(value: Any, kind: str) -> str | None:
    """Map a key or a label in either language (accent-tolerant) onto an enum key."""
    if is_missing(value):
        return None
    k = fold(str(value)).replace(" ", "_")
    keys = enum_keys(kind)
    if k in keys:
        return k
    for key in keys:
        for lang in ("vi", "en"):
            if fold(label(kind, key, lang)).replace(" ", "_") == k:
                return key
    return None


_PROJECT_REQUIRED = ("project_id", "name", "commune_code", "criteria", "year_start", "year_end",
                     "status")
_PROJECT_OPTIONAL = ("category", "village_code", "cap_central", "cap_local", "cap_integrated",
                     "cap_credit", "cap_mobilised", "cap_community", "disbursed", "lon", "lat",
                     "x", "y", "commune_name", "village_name")
CAP_COLUMNS = ("cap_central", "cap_local", "cap_integrated", "cap_credit", "cap_mobilised",
               "cap_community")


def _coord(v: Any) -> float | None:
    # Coordinates never carry thousands separators, so "102.811" is a decimal.
    if is_missing(v):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip().replace(" ", "")
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    return float(s)


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
    out["commune_code"] = _codes(df, "commune_code", ws, log, path, code_width)
    out["village_code"] = (_codes(df, "village_code", ws, log, path, None)
                           if "village_code" in df else None)
    pids = out["project_id"]
    first = out.groupby("project_id", sort=False)[ROW].transform("first")
    for i in np.flatnonzero(pids.isna().to_numpy() | pids.duplicated().to_numpy()):
        pid, row = pids.iloc[i], out[ROW].iloc[i]
        if pid is None:
            log.error("missing_value", "missing_value", file=path, row=row,
                      column=_src_col(df, "project_id"))
        else:
            log.error("duplicate_code", "duplicate_code", file=path, row=row,
                      column=_src_col(df, "project_id"), value=pid, first=first.iloc[i])
    # Category and status accept keys or labels in either language.
    for canon, kind in (("category", "category"), ("status", "status")):
        cells = df[canon] if canon in df else pd.Series([None] * len(df), index=df.index)
        keys, _ = _per_unique(cells, lambda v, kind=kind: _enum(v, kind))
        blank = cells.isna().to_numpy() if canon == "category" else np.zeros(len(df), bool)
        for i in np.flatnonzero(pd.isna(keys) & ~blank):
            log.error("bad_enum", "bad_enum", file=path, row=df[ROW].iloc[i],
                      column=_src_col(df, canon), value=cells.iloc[i],
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

    crit, bad = _per_unique(df["criteria"], criteria_list)
    for i in np.flatnonzero(bad):
        v = df["criteria"].iloc[i]
        log.error("criterion_range", "criterion_range", file=path, row=df[ROW].iloc[i],
                  column=_src_col(df, "criteria"), value=v, lo=1, hi=19)
        nums = [int(m) for m in re.findall(r"\d+", str(v or ""))]
        crit[i] = ";".join(map(str, sorted({n for n in nums if n in COMMUNE_CRITERIA.numbers})))
    out["criteria"] = crit
    lo_y, hi_y = ws.years[0] - 10, ws.years[-1] + 10
    out["year_start"] = _int_cell(df, "year_start", log, path, lo=lo_y, hi=hi_y, key="year_range")
    out["year_end"] = _int_cell(df, "year_end", log, path, lo=lo_y, hi=hi_y, key="year_range")
    order = (out["year_start"] > out["year_end"]).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(order):
        s, e = out["year_start"].iloc[i], out["year_end"].iloc[i]
        log.error("year_order", "year_order", file=path, row=out[ROW].iloc[i],
                  column=_src_col(df, "year_start"), value=s, start=s, end=e)
    for canon in (*CAP_COLUMNS, "disbursed"):
        cells = df[canon] if canon in df else pd.Series([None] * len(df), index=df.index)
        vals, bad = _per_unique(cells, lambda v: parse_number(v, decimal=ws.decimal))
        for i in np.flatnonzero(bad):
            log.error("not_a_number", "not_a_number", file=path, row=df[ROW].iloc[i],
                      column=_src_col(df, canon), value=cells.iloc[i])
        x = pd.to_numeric(pd.Series(vals), errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(x < 0):
            log.error("negative", "negative", file=path, row=df[ROW].iloc[i],
                      column=_src_col(df, canon), value=cells.iloc[i])
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
            ids = pd.Series(_per_unique(layer["project_id"], normalise_code)[0])
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
                      column=_src_col(df, canon), value=cells.iloc[i])
        vals[:] = num.to_numpy(dtype=float, na_value=np.nan)
        return vals

    lon, lat, x, y = coords("lon"), coords("lat"), coords("x"), coords("y")
    need = np.array([g is None for g in geoms])
    has_ll = need & ~np.isnan(lon) & ~np.isnan(lat)
    has_xy = need & ~has_ll & ~np.isnan(x) & ~np.isnan(y)
    ll = np.flatnonzero(has_ll)
    inside = _in_area(area, lon[ll], lat[ll])
    swapped = ~inside & _in_area(area, lat[ll], lon[ll])
    col = _src_col(df, "lon")
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


def read_criteria_set(ws: Workspace, log: IssueLog) -> CriteriaSet | None:
    """The village criteria set the workspace configures (None when it has none)."""
    got = _read_mapped(ws, "village_criteria", log, ("number", "name_vi"), ("name_en",))
    if got is None:
        return None
    cfg, df = got
    try:
        return village_set_from_rows(df.to_dict("records"), key="village",
                                     name_vi=ws.village_set_name, name_en=ws.village_set_name_en)
    except Exception as exc:  # noqa: BLE001
        log.error("criteria_set", "workspace_bad", file=cfg.path, path=cfg.path, reason=exc)
        return None


@dataclass
class Inputs:
    """Everything read from a workspace, normalised, in the workspace CRS."""

    workspace: Workspace
    communes: gpd.GeoDataFrame | None
    villages: gpd.GeoDataFrame | None
    facilities: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None
    projects: gpd.GeoDataFrame | None
    commune_status: pd.DataFrame | None
    village_status: pd.DataFrame | None
    village_set: CriteriaSet | None
    plan_targets: pd.DataFrame | None
    plan_funding: pd.DataFrame | None
    commune_targets: pd.DataFrame | None
    # Where validation found villages and projects to lie, by code / project id
    # (columns located, inside, distance_m), so that the build need not redo it.
    located: dict[str, pd.DataFrame] = field(default_factory=dict)


def _read_layer_checked(ws: Workspace, name: str, log: IssueLog, required: tuple[str, ...],
                        optional: tuple[str, ...], width: int | None) -> gpd.GeoDataFrame | None:
    cfg = ws.layer(name)
    if cfg is None:
        return None
    gdf = read_vector(cfg, ws, log, required=required, optional=optional)
    if gdf is None or not set(required) <= set(gdf.columns):
        return None
    if gdf.crs is not None:
        gdf = gdf.to_crs(ws.crs)
    for canon in ("code", "commune_code"):
        if canon in gdf:
            gdf[canon] = _codes(gdf, canon, ws, log, cfg.path,
                                width if canon == "commune_code" or name == "communes" else None)
    for canon in ("village_code", "facility_id", "road_id"):
        if canon in gdf:
            gdf[canon] = _per_unique(gdf[canon], normalise_code)[0]
    return gdf


def _read_mapped(ws: Workspace, name: str, log: IssueLog, required: tuple[str, ...],
                 optional: tuple[str, ...] = ()) -> tuple[TableConfig, pd.DataFrame] | None:
    """A configured table with canonical columns; None if absent or a required column lacks."""
    cfg = ws.table(name)
    if cfg is None:
        return None
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    df = map_columns(df, cfg.fields, required, optional, path=cfg.path, log=log, context=name)
    if not set(required) <= set(df.columns):
        return None
    return cfg, df


def _read_targets(ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    got = _read_mapped(ws, "plan_targets", log, ("criterion", "target_communes"),
                       ("name_vi", "target_share_text"))
    if got is None:
        return None
    cfg, df = got
    df["criterion"] = _int_cell(df, "criterion", log, cfg.path, lo=1, hi=19,
                                key="criterion_range")
    df["target_communes"] = _int_cell(df, "target_communes", log, cfg.path)
    return df


def _read_funding(ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    got = _read_mapped(ws, "plan_funding", log, ("source", "plan"))
    if got is None:
        return None
    cfg, df = got
    keys, plans = [], []
    for v, p, row in zip(df["source"], df["plan"], df[ROW], strict=True):
        k = _enum(v, "source")
        if k is None:
            log.error("bad_enum", "bad_enum", file=cfg.path, row=row,
                      column=_src_col(df, "source"), value=v,
                      expected=", ".join(labels("source", log.lang).values()))
        try:
            x = parse_number(p, decimal=ws.decimal)
        except ValueError:
            log.error("not_a_number", "not_a_number", file=cfg.path, row=row,
                      column=_src_col(df, "plan"), value=p)
            x = None
        keys.append(k)
        plans.append(x)
    return pd.DataFrame({"source": keys, "plan": plans, ROW: df[ROW]}).dropna(subset=["source"])


def _read_commune_targets(ws: Workspace, log: IssueLog, width: int | None) -> pd.DataFrame | None:
    got = _read_mapped(ws, "commune_targets", log, ("code",), ("target_ntm", "target_criteria"))
    if got is None:
        return None
    cfg, df = got
    df["code"] = _codes(df, "code", ws, log, cfg.path, width)
    if "target_ntm" in df:
        vals = []
        for v, row in zip(df["target_ntm"], df[ROW], strict=True):
            try:
                vals.append(parse_met(v))
            except ValueError:
                vals.append(None)
                log.error("bad_status_value", "bad_status_value", file=cfg.path, row=row,
                          column=_src_col(df, "target_ntm"), value=v)
        df["target_ntm"] = pd.array(vals, dtype="Int64")
    if "target_criteria" in df:
        df["target_criteria"] = _int_cell(df, "target_criteria", log, cfg.path, lo=0, hi=19,
                                          key="criterion_range")
    return df


def load_inputs(ws: Workspace, log: IssueLog) -> Inputs:
    """Read every input of the workspace, reporting problems into ``log``.

    Raises
    ------
    WorkspaceError
        When the workspace has no communes layer at all.
    """
    if ws.layer("communes") is None:
        raise WorkspaceError(
            t("workspace_key", log.lang, path=ws.config_path, section="layers.communes",
              key="path"), path=ws.config_path)
    width = ws.code_width
    communes = _read_layer_checked(
        ws, "communes", log, ("code", "name"),
        ("unit_type", "district_code", "district_name", "province_code", "province_name",
         "population", "in_programme"), width)
    area = None
    if communes is not None and len(communes) and communes.crs is not None:
        # Boxes of the communes with ~2 km of slack, in degrees: enough to tell a
        # swapped lon/lat (hundreds of km away) from a point just over a boundary.
        b = communes.to_crs("EPSG:4326").bounds.to_numpy()
        area = shapely.STRtree(shapely.box(b[:, 0] - 0.02, b[:, 1] - 0.02, b[:, 2] + 0.02,
                                           b[:, 3] + 0.02))
    villages = _read_layer_checked(ws, "villages", log, ("code", "name", "commune_code"),
                                   ("population",), width)
    facilities = _read_layer_checked(ws, "facilities", log, ("facility_id", "name", "type"),
                                     ("commune_code", "village_code"), width)
    if facilities is not None:
        ftypes, _ = _per_unique(facilities["type"], lambda v: _enum(v, "facility"))
        for i in np.flatnonzero(pd.isna(ftypes)):
            log.error("bad_enum", "bad_enum", file=ws.layer("facilities").path,
                      row=facilities[ROW].iloc[i], column=_src_col(facilities, "type"),
                      value=facilities["type"].iloc[i], expected=", ".join(enum_keys("facility")))
        facilities["type"] = ftypes
    roads = _read_layer_checked(ws, "roads", log, ("road_id",), ("name", "road_class"), width)
    if roads is not None and "road_class" in roads:
        roads["road_class"] = _per_unique(
            roads["road_class"], lambda v: _enum(v, "road_class") or "village_track")[0]
    cs_cfg = ws.table("commune_status")
    commune_status = (read_status(cs_cfg, ws, log, COMMUNE_CRITERIA, code_width=width)
                      if cs_cfg else None)
    village_set = read_criteria_set(ws, log)
    vs_cfg = ws.table("village_status")
    village_status = None
    if vs_cfg is not None and village_set is not None:
        village_status = read_status(vs_cfg, ws, log, village_set, code_width=None)
    projects = read_projects(ws, log, code_width=width, area=area)
    return Inputs(
        workspace=ws,
        communes=communes,
        villages=villages,
        facilities=facilities,
        roads=roads,
        projects=projects,
        commune_status=commune_status,
        village_status=village_status,
        village_set=village_set,
        plan_targets=_read_targets(ws, log),
        plan_funding=_read_funding(ws, log),
        commune_targets=_read_commune_targets(ws, log, width),
    )


def assume_crs_checked(crs: str, lang: str = "vi") -> CRS:
    """Parse a CRS string from the configuration, raising CRSError with the value."""
    try:
        return CRS.from_user_input(crs)
    except ProjCRSError as exc:
        raise CRSError(t("workspace_bad", lang, path="ntmgis.toml", reason=f"crs = {crs!r}"),
                       value=crs) from exc


_ = DataError  # re-exported for readers' callers that catch it from here
