"""Spatial queries on infrastructure gaps: gaps, access, misplaced projects, project filters.

Every query is a function taking the monitoring layers (a workspace, its
path, a :class:`QueryData`, an object with one attribute per contract layer
such as ``ntmgis.monitoring.gpkg.read_layers(ws)``, or a ``{layer: frame}`` mapping)
and keyword-only options named as the command line's. Each returns a
(Geo)DataFrame sorted by code, so that outputs are deterministic; the
``ntmgis query`` commands (:mod:`ntmgis.cli.query`) print it and write it.

- :func:`gaps` / :func:`gap_summary`: communes (or villages) failing a
  criterion in a year, and whether a project serving it is planned, under way
  or finished after that year ("addressed") or not ("unaddressed").
- :func:`access`: each village's nearest facility of a type, in geodesic
  km, km / minutes along the roads, or minutes over the terrain.
- :func:`misplaced`: projects outside their declared commune or far from
  their declared village.
- :func:`projects`: the investment list filtered by criterion, place,
  status, category, year, funding source and distance to a named place.

Distances: point-to-point distances are geodesic (WGS 84 ellipsoid, pyproj);
distances to polygons and lines are measured in the metric working CRS (for
the sample, VN-2000 / TM-3 103-00, whose scale error in Mường Tè is below
0,02 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, Criterion, village_set_from_rows
from ntmgis.core.errors import CriteriaError, DataError, WorkspaceError
from ntmgis.core.i18n import catalog, enum_keys, labels
from ntmgis.core.i18n import t as _t
from ntmgis.core.text import fold, is_missing, nfc
from ntmgis.core.workspace import Workspace, load_workspace

__all__ = [
    "QueryData",
    "load_data",
    "gaps",
    "gap_summary",
    "access",
    "misplaced",
    "projects",
    "ACCESS_MODES",
    "FACILITY_TYPES",
]

ACCESS_MODES = ("straight", "road", "terrain")
FACILITY_TYPES = tuple(enum_keys("facility"))
#: Project statuses that still count as addressing a gap whatever their years.
_OPEN_STATUS = ("preparing", "under_way")

# Messages of this module: key -> (Vietnamese, English).
_MSG: dict[str, tuple[str, str]] = {
    "no_layer": (
        "{path} không có lớp '{layer}'; chạy lại 'ntmgis build --overwrite'",
        "{path} has no layer '{layer}'; run 'ntmgis build --overwrite' again",
    ),
    "no_data_layer": (
        "thiếu lớp '{layer}' trong dữ liệu đưa vào truy vấn",
        "the data given to the query has no layer '{layer}'",
    ),
    "no_roads": (
        "vùng làm việc không có lớp đường giao thông ([layers.roads] trong ntmgis.toml); "
        "cần đường để tính theo đường bộ (--by road)",
        "the workspace has no roads layer ([layers.roads] in ntmgis.toml); "
        "'--by road' needs roads",
    ),
    "no_elevation": (
        "vùng làm việc không có bản đồ độ cao ([terrain] elevation trong ntmgis.toml); "
        "cần độ cao để tính theo địa hình (--by terrain)",
        "the workspace has no elevation raster ([terrain] elevation in ntmgis.toml); "
        "'--by terrain' needs one",
    ),
    "bad_facility": (
        "loại cơ sở '{value}' không có; dùng một trong: {expected}",
        "facility type '{value}' is unknown; use one of: {expected}",
    ),
    "no_facility": (
        "không có cơ sở loại '{value}' ({label}) trong lớp cơ sở",
        "the facilities layer has no facility of type '{value}' ({label})",
    ),
    "bad_mode": (
        "cách tính '{value}' không có; dùng một trong: {expected}",
        "mode '{value}' is unknown; use one of: {expected}",
    ),
    "two_limits": (
        "chỉ dùng một ngưỡng: --max-km hoặc --max-minutes",
        "give one threshold only: --max-km or --max-minutes",
    ),
    "minutes_straight": (
        "khoảng cách đường chim bay không có thời gian; dùng --max-km, "
        "hoặc --by road / --by terrain với --max-minutes",
        "straight-line distance has no time; use --max-km, or --by road / --by terrain "
        "with --max-minutes",
    ),
    "km_terrain": (
        "cách tính theo địa hình cho ra số phút; dùng --max-minutes",
        "terrain mode measures minutes; use --max-minutes",
    ),
    "negative_limit": ("ngưỡng phải là số dương (có {value})",
                       "the threshold must be positive (got {value})"),
    "bad_level": ("cấp '{value}' không có; dùng commune (xã) hoặc village (bản)",
                  "level '{value}' is unknown; use commune or village"),
    "bad_year": (
        "không có số liệu năm {value}; các năm có: {expected}",
        "no data for year {value}; years present: {expected}",
    ),
    "no_village_set": (
        "vùng làm việc không có bộ tiêu chí bản (bảng village_status không có cột vcNN)",
        "the workspace has no village criteria set (village_status has no vcNN columns)",
    ),
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
    "bad_value": (
        "{what} '{value}' không có; dùng một trong: {expected}",
        "{what} '{value}' is unknown; use one of: {expected}",
    ),
}


_m = catalog(_MSG)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

_LAYERS = (
    "communes", "commune_status", "villages", "village_status", "projects",
    "project_lines", "facilities", "roads",
)


@dataclass
class QueryData:
    """The monitoring layers a query needs, loaded on first use.

    Build it with :func:`load_data`. ``frames`` holds layers already in
    memory; missing ones are read from ``gpkg`` (``layers/monitoring.gpkg``).
    """

    frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    workspace: Workspace | None = None
    gpkg: Path | None = None
    elevation: Path | None = None
    village_set: CriteriaSet | None = None
    village_links: dict[int, tuple[int, ...]] = field(default_factory=dict)
    lang: str = "vi"

    def get(self, name: str, *, required: bool = True, geometry: bool = True,
            columns: tuple[str, ...] | None = None) -> pd.DataFrame | None:
        """The layer ``name`` (a GeoDataFrame for spatial layers) or None.

        With ``geometry=False`` a layer not yet in memory is read without its
        geometry, and only ``columns`` if given (faster for large layers whose
        attributes are all that is needed).
        """
        if not geometry and name not in self.frames:
            key = f"{name}#attributes#{columns}"
            if key not in self.frames:
                self.frames[key] = self._read(name, geometry=False, columns=columns)
            frame = self.frames[key]
        else:
            if name not in self.frames:
                self.frames[name] = self._read(name)
            frame = self.frames[name]
        if frame is None and required:
            if self.gpkg is not None:
                raise WorkspaceError(_m("no_layer", self.lang, path=self.gpkg, layer=name),
                                     path=self.gpkg)
            raise DataError(_m("no_data_layer", self.lang, layer=name))
        return frame

    def _read(self, name: str, *, geometry: bool = True,
              columns: tuple[str, ...] | None = None) -> pd.DataFrame | None:
        if self.gpkg is None:
            return None
        import pyogrio

        if name not in {str(r[0]) for r in pyogrio.list_layers(self.gpkg)}:
            return None
        # The status layers repeat their unit's geometry every year: read the
        # attributes only and take the geometry from the unit layer when needed.
        geometry = geometry and name not in ("commune_status", "village_status")
        if columns is not None:
            present = set(pyogrio.read_info(self.gpkg, layer=name)["fields"])
            columns = [c for c in columns if c in present]
        frame = pyogrio.read_dataframe(self.gpkg, layer=name, read_geometry=geometry,
                                       columns=columns)
        return _normalise(frame)

    @property
    def crs(self):
        """The CRS of the spatial layers."""
        for name in ("villages", "communes", "projects", "facilities"):
            f = self.get(name, required=False)
            if isinstance(f, gpd.GeoDataFrame) and f.crs is not None:
                return f.crs
        return self.workspace.crs if self.workspace else None


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Codes as strings (leading zeros kept), Unicode NFC text."""
    for col in df.columns:
        if col == "geometry":
            continue
        if col.endswith("code") or col in ("project_id", "facility_id", "road_id"):
            raw = df[col]
            if pd.api.types.is_string_dtype(raw.dtype) and not raw.dtype == object:
                continue  # already text (read from the GeoPackage that build normalised)
            text = raw.astype(str).str.normalize("NFC").str.strip()
            df[col] = text.astype(object).where(raw.notna().to_numpy() & (text != ""), None)
    return df


def _village_set_from_table(ws: Workspace) -> tuple[CriteriaSet | None, dict[int, tuple]]:
    """The village criteria set and its links to commune criteria, from the workspace table.

    A column ``commune_criteria`` ("14;15;16") links a village criterion to
    the commune criteria whose projects address it; without it a village
    criterion is linked to the commune criterion of the same name.
    """
    cfg = ws.table("village_criteria")
    if cfg is None or not Path(cfg.path).is_file():
        return None, {}
    df = pd.read_csv(cfg.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return _village_set_from_frame(df, ws)


def _village_set_from_frame(df: pd.DataFrame, ws: Workspace | None
                            ) -> tuple[CriteriaSet | None, dict[int, tuple]]:
    """Read the village criteria set from a table.

    The table has ``number`` and ``name_vi`` (optionally ``name_en`` and
    ``commune_criteria``).
    """
    df = pd.DataFrame(df).drop(columns="geometry", errors="ignore")
    df.columns = [fold(c).replace(" ", "_") for c in df.columns]
    if "number" not in df or "name_vi" not in df:
        return None, {}
    rows = [{k: ("" if is_missing(v) else nfc(str(v))) for k, v in r.items()}
            for r in df.to_dict("records")]
    vset = village_set_from_rows(
        rows, key="village",
        name_vi=ws.village_set_name if ws else "Bộ tiêu chí bản",
        name_en=ws.village_set_name_en if ws else "Village criteria set")
    links = {}
    for r in rows:
        if "commune_criteria" in r and str(r["commune_criteria"]).strip():
            links[int(r["number"])] = tuple(_numbers(r["commune_criteria"]))
    return vset, links


def load_data(data: Any, *, lang: str = "vi") -> QueryData:
    """Normalise what a query was given into a :class:`QueryData`.

    Parameters
    ----------
    data : QueryData, Workspace, str, Path, mapping or layers object
        A workspace (or its folder): the layers are read from its
        ``monitoring.gpkg``; a mapping ``{"villages": gdf, ...}`` or an object
        with one attribute per layer (``ntmgis.monitoring.gpkg.read_layers``), with
        optionally ``workspace`` and ``elevation``.
    lang : {"vi", "en"}
        Language of error messages.

    Raises
    ------
    WorkspaceError
        When the workspace has not been built (no ``monitoring.gpkg``).
    """
    if isinstance(data, QueryData):
        data.lang = lang
        return data
    ws: Workspace | None = None
    frames: dict[str, Any] = {}
    elevation = None
    if isinstance(data, (str, Path)):
        ws = load_workspace(data, lang=lang)
    elif isinstance(data, Workspace):
        ws = data
    elif isinstance(data, Mapping):
        frames = {k: v for k, v in data.items() if k in _LAYERS}
        ws = data.get("workspace")
        elevation = data.get("elevation")
    else:
        frames = {k: getattr(data, k) for k in _LAYERS if getattr(data, k, None) is not None}
        ws = getattr(data, "workspace", None)
        elevation = getattr(data, "elevation", None)
    gpkg = None
    if ws is not None and not frames:
        gpkg = Path(ws.output_gpkg)
        if not gpkg.is_file():
            raise WorkspaceError(_t("not_built", lang, path=gpkg), path=gpkg)
    if ws is not None and elevation is None:
        elevation = ws.elevation
    frames = {k: _normalise(v.copy()) for k, v in frames.items()}
    table = getattr(data, "village_criteria_set", None)
    if table is None and gpkg is not None:
        import pyogrio

        if "village_criteria_set" in {str(r[0]) for r in pyogrio.list_layers(gpkg)}:
            table = pyogrio.read_dataframe(gpkg, layer="village_criteria_set")
    vset, links = (_village_set_from_frame(table, ws) if table is not None
                   else _village_set_from_table(ws) if ws is not None else (None, {}))
    if isinstance(data, Mapping) and "village_set" in data:
        vset = data["village_set"]
        links = dict(data.get("village_links", {}))
    return QueryData(frames=frames, workspace=ws, gpkg=gpkg,
                     elevation=Path(elevation) if elevation else None,
                     village_set=vset, village_links=links, lang=lang)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

def _numbers(value: Any) -> list[int]:
    """Criterion numbers in a cell such as ``"2;5"`` (blanks and junk ignored)."""
    if is_missing(value):
        return []
    out = []
    for part in str(value).replace(",", ";").split(";"):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


def _metric(gdf: gpd.GeoDataFrame, crs=None) -> gpd.GeoDataFrame:
    """``gdf`` in a metric CRS: ``crs`` if given, its own if projected, else local UTM."""
    if crs is not None:
        return gdf.to_crs(crs) if gdf.crs != crs else gdf
    if gdf.crs is None or gdf.crs.is_projected:
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def _work_crs(q: QueryData):
    crs = q.crs
    if crs is None:
        return None
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    if c.is_projected:
        return c
    vill = q.get("villages", required=False)
    base = vill if isinstance(vill, gpd.GeoDataFrame) and len(vill) else q.get("communes")
    return base.estimate_utm_crs()


def _geodesic_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> np.ndarray:
    """Geodesic distance in metres between aligned points.

    NaN where either is missing, empty or not a point.
    """
    from pyproj import Geod

    out = np.full(len(a), np.nan)
    av = np.asarray(a.to_crs(4326).to_numpy(), dtype=object)
    bv = np.asarray(b.to_crs(4326).to_numpy(), dtype=object)
    ok = (shapely.get_type_id(av) == 0) & (shapely.get_type_id(bv) == 0)
    if ok.any():
        ok[ok] = ~(shapely.is_empty(av[ok]) | shapely.is_empty(bv[ok]))
    if ok.any():
        pa = shapely.get_coordinates(av[ok])
        pb = shapely.get_coordinates(bv[ok])
        _, _, d = Geod(ellps="WGS84").inv(pa[:, 0], pa[:, 1], pb[:, 0], pb[:, 1])
        out[ok] = d
    return out


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


def _check_year(years: Iterable[int], year: int | None, lang: str) -> int:
    ys = sorted({int(y) for y in years if not is_missing(y)})
    if not ys:
        raise DataError(_m("bad_year", lang, value=year, expected="–"))
    if year is None:
        return ys[-1]
    if int(year) not in ys:
        raise DataError(_m("bad_year", lang, value=year, expected=", ".join(map(str, ys))),
                        value=year, expected=", ".join(map(str, ys)))
    return int(year)


def _criteria_long(status: pd.DataFrame, cset: CriteriaSet,
                   numbers: list[int]) -> pd.DataFrame:
    """Long form ``(row index, criterion, met)`` of the wide status columns."""
    parts = []
    for n in numbers:
        key = cset.get(n).key
        col = status[key] if key in status else pd.Series(np.nan, index=status.index)
        parts.append(pd.DataFrame({"_row": status.index, "criterion": n,
                                   "met": pd.to_numeric(col, errors="coerce").to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["_row", "criterion", "met"])
    return pd.concat(parts, ignore_index=True)


def _criteria_numbers(text: str) -> list[int]:
    """``"2;5"`` / ``"2, 5"`` -> ``[2, 5]``; tokens that are not numbers are left out."""
    out = []
    for token in text.replace(",", ";").split(";"):
        try:
            x = float(token.strip())
        except ValueError:
            continue
        if x == x:  # not NaN
            out.append(int(x))
    return out


def _projects_by_criterion(prj: pd.DataFrame) -> pd.DataFrame:
    """One row per project and commune criterion it serves.

    Each distinct criteria text is parsed once (a national list repeats a few
    dozen of them over 150.000 projects), then broadcast with numpy.
    """
    crit = prj["criteria"].astype(object).where(prj["criteria"].notna(), "").astype(str)
    codes, uniques = pd.factorize(crit.to_numpy(dtype=object))
    parsed = [_criteria_numbers(u) for u in uniques]
    lens = np.array([len(p) for p in parsed], dtype=np.int64)
    if not len(codes) or lens.sum() == 0:
        return prj.iloc[:0].assign(criterion=pd.Series(dtype=int))
    flat = np.fromiter((n for p in parsed for n in p), dtype=np.int64, count=int(lens.sum()))
    first = np.cumsum(lens) - lens
    counts = lens[codes]
    row = np.repeat(np.arange(len(prj)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    out = prj.iloc[row].copy()
    out["criterion"] = flat[np.repeat(first[codes], counts) + within]
    return out


def _addresses(prj: pd.DataFrame, year: int) -> pd.Series:
    """Whether a project is planned, under way, or finished after ``year``."""
    status = prj["status"].astype(object)
    end = pd.to_numeric(prj["year_end"], errors="coerce")
    open_ = status.isin(_OPEN_STATUS)
    finished_later = (status == "finished") & (end > year)
    unknown_later = status.isna() & (end > year)
    return (open_ | finished_later | unknown_later).fillna(False).astype(bool)


def _grouped_join(frame: pd.DataFrame, keys: list[str],
                  columns: dict[str, str]) -> pd.DataFrame:
    """Per group of ``keys``: the values of each column joined with ";" (in row order).

    Vectorised: the rows are sorted by the keys (stable), and ``np.add.reduceat``
    concatenates the strings of each run, so there is no Python call per group.
    """
    frame = frame.sort_values(keys, kind="stable")
    k = frame[keys].to_numpy(dtype=object)
    start = np.ones(len(frame), dtype=bool)
    if len(frame) > 1:
        start[1:] = (k[1:] != k[:-1]).any(axis=1)
    starts = np.flatnonzero(start)
    out = pd.DataFrame(k[starts], columns=keys)
    for name, col in columns.items():
        vals = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
        joined = np.add.reduceat((vals + ";").to_numpy(dtype=object), starts)
        out[name] = [j[:-1] for j in joined]
    out["_n"] = np.diff(np.r_[starts, len(frame)])
    return out


def _join_projects(g: pd.DataFrame, cand: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Aggregate candidate projects onto gap rows by ``keys``."""
    if len(cand):
        cand = cand.sort_values("project_id", kind="stable")
        agg = _grouped_join(cand, keys, {"project_ids": "project_id",
                                         "project_status": "status"})
        agg = agg.rename(columns={"_n": "projects"})
        cap = pd.to_numeric(cand["cap_total"], errors="coerce").fillna(0.0)
        capital = cap.groupby([cand[k] for k in keys], sort=False).sum().rename("capital")
        agg = agg.merge(capital.reset_index(), on=keys, how="left")
        g = g.merge(agg, on=keys, how="left")
    else:
        g = g.assign(projects=np.nan, project_ids=None, project_status=None, capital=np.nan)
    g["projects"] = g["projects"].fillna(0).astype(int)
    g["capital"] = g["capital"].fillna(0.0).astype(float)
    g["project_ids"] = g["project_ids"].fillna("").astype(str)
    g["project_status"] = g["project_status"].fillna("").astype(str)
    g["gap_status"] = np.where(g["projects"] > 0, "addressed", "unaddressed")
    return g


def _join_finished(g: pd.DataFrame, done: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add ``finished_ids``: projects serving the criterion finished by the year."""
    if len(done):
        ids = _grouped_join(done.sort_values("project_id", kind="stable"), keys,
                            {"finished_ids": "project_id"}).drop(columns="_n")
        g = g.merge(ids, on=keys, how="left")
    else:
        g = g.assign(finished_ids=None)
    g["finished_ids"] = g["finished_ids"].fillna("").astype(str)
    return g


# --------------------------------------------------------------------------------------
# gaps
# --------------------------------------------------------------------------------------

def gaps(data: Any, /, *, criterion: int | None = None, year: int | None = None,
         level: str = "commune", lang: str = "vi") -> gpd.GeoDataFrame:
    """Communes (or villages) failing a criterion in a year, and the projects addressing it.

    A gap is a commune (village) whose criterion is recorded as not met (0)
    in ``year``; unknown values are not gaps. It is "addressed" when a
    project in that commune (in that village) serving the criterion is
    preparing or under way, or finished after ``year``; a project finished
    by ``year`` did not close the gap and does not count.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`load_data`.
    criterion : int, optional
        Criterion number (1-19 for communes; the village set's numbers for
        villages). Default: every criterion.
    year : int, optional
        Default: the latest year in the data.
    level : {"commune", "village"}
        Commune criteria (Decision 318/QĐ-TTg) or the village criteria set.
        A village criterion is served by the projects of the commune
        criteria linked to it (the village criteria table's
        ``commune_criteria`` column, or the commune criterion of the same
        name).
    lang : {"vi", "en"}
        Language of the criterion names and of error messages.

    Returns
    -------
    GeoDataFrame
        One row per gap, sorted by criterion and code: ``year``, ``criterion``,
        ``criterion_name``, ``commune_code``, ``commune_name`` (villages also
        ``village_code``, ``village_name``, ``population``,
        ``commune_criteria``), ``projects`` (count), ``project_ids``,
        ``project_status``, ``capital`` (million VND), ``gap_status``
        ("addressed" / "unaddressed"), ``finished_ids`` (projects serving the
        criterion there that were finished by ``year``: the gap remains
        although a project was done) and the unit's geometry.
        ``attrs["criteria"]`` lists the criteria asked for.

    Raises
    ------
    CriteriaError
        For a criterion number not in the set.
    DataError
        For a year without data.
    """
    q = load_data(data, lang=lang)
    if level not in ("commune", "village"):
        raise DataError(_m("bad_level", lang, value=level), value=level)
    if level == "commune":
        cset = COMMUNE_CRITERIA
        status = q.get("commune_status")
        code_col = "code"
    else:
        status = q.get("village_status")
        cset = _village_set(q, status)
        code_col = "code"
    numbers = list(cset.numbers) if criterion is None else [cset.get(int(criterion)).number]
    year = _check_year(status["year"], year, lang)
    st = status[pd.to_numeric(status["year"], errors="coerce") == year]
    long = _criteria_long(st, cset, numbers)
    long = long[long["met"] == 0]
    rows = st.loc[long["_row"].to_numpy()].reset_index(drop=True)
    g = pd.DataFrame({
        "year": year,
        "criterion": long["criterion"].to_numpy(dtype=int),
        "criterion_name": [cset.get(n).name(lang) for n in long["criterion"]],
    })
    prj = q.get("projects", geometry=False, columns=(
        "project_id", "commune_code", "village_code", "criteria", "status", "year_end",
        "cap_total"))
    by_crit = _projects_by_criterion(pd.DataFrame(prj.drop(columns="geometry", errors="ignore")))
    addressing = _addresses(by_crit, year)
    # Projects serving the criterion that were finished by ``year`` and yet the gap remains.
    done = by_crit[~addressing & (by_crit["status"] == "finished")]
    by_crit = by_crit[addressing]
    if level == "commune":
        g["commune_code"] = rows[code_col].to_numpy()
        g["commune_name"] = rows["name"].to_numpy()
        g = _join_projects(g, by_crit, ["commune_code", "criterion"])
        g = _join_finished(g, done, ["commune_code", "criterion"])
        geom = _unit_geometry(q, rows, "communes", st)
        cols = ["year", "criterion", "criterion_name", "commune_code", "commune_name",
                "projects", "project_ids", "project_status", "capital", "gap_status",
                "finished_ids"]
        sort = ["criterion", "commune_code"]
    else:
        vill = q.get("villages", required=False)
        g["village_code"] = rows[code_col].to_numpy()
        g["village_name"] = rows["name"].to_numpy()
        g["commune_code"] = rows["commune_code"].to_numpy()
        names = {}
        if vill is not None:
            names = dict(zip(vill["code"], vill.get("commune_name", vill["commune_code"]),
                             strict=False))
        g["commune_name"] = g["village_code"].map(names)
        pop = {} if vill is None or "population" not in vill else dict(
            zip(vill["code"], vill["population"], strict=False))
        g["population"] = pd.array(g["village_code"].map(pop), dtype="Int64")
        links = _village_links(q, cset)
        g["commune_criteria"] = g["criterion"].map(lambda n: ";".join(map(str, links.get(n, ()))))
        # A village criterion is served by projects in the village serving a linked
        # commune criterion.
        link_rows = pd.DataFrame([(v, c) for v, cs in links.items() for c in cs],
                                 columns=["criterion", "commune_criterion"])
        def linked(frame: pd.DataFrame) -> pd.DataFrame:
            out = frame.rename(columns={"criterion": "commune_criterion"}).merge(
                link_rows, on="commune_criterion")
            return out.drop_duplicates(["project_id", "village_code", "criterion"])

        g = _join_projects(g, linked(by_crit), ["village_code", "criterion"])
        g = _join_finished(g, linked(done), ["village_code", "criterion"])
        geom = _unit_geometry(q, rows, "villages", st)
        cols = ["year", "criterion", "criterion_name", "village_code", "village_name",
                "commune_code", "commune_name", "population", "commune_criteria", "projects",
                "project_ids", "project_status", "capital", "gap_status", "finished_ids"]
        sort = ["criterion", "village_code"]
    out = gpd.GeoDataFrame(g[cols], geometry=geom.to_numpy(), crs=geom.crs)
    out = out.sort_values(sort, kind="stable").reset_index(drop=True)
    out.attrs.update(query="gaps", level=level, year=year, criteria=numbers,
                     criteria_names={n: cset.get(n).name(lang) for n in numbers})
    return out


def _village_set(q: QueryData, status: pd.DataFrame) -> CriteriaSet:
    if q.village_set is not None:
        return q.village_set
    nums = sorted(int(c[2:]) for c in status.columns if c.startswith("vc") and c[2:].isdigit())
    if not nums:
        raise CriteriaError(_m("no_village_set", q.lang))
    crits = tuple(Criterion(n, f"Tiêu chí {n}", f"Criterion {n}", prefix="vc") for n in nums)
    return CriteriaSet("village", "Bộ tiêu chí bản", "Village criteria", crits)


def _village_links(q: QueryData, vset: CriteriaSet) -> dict[int, tuple[int, ...]]:
    """Commune criteria serving each village criterion: configured, else by equal name."""
    by_name = {fold(c.name_vi): c.number for c in COMMUNE_CRITERIA}
    links = {}
    for c in vset:
        if c.number in q.village_links:
            links[c.number] = tuple(q.village_links[c.number])
        elif fold(c.name_vi) in by_name:
            links[c.number] = (by_name[fold(c.name_vi)],)
    return links


def _unit_geometry(q: QueryData, rows: pd.DataFrame, layer: str,
                   status: pd.DataFrame) -> gpd.GeoSeries:
    """Geometry of each gap row: the status layer's own, else the unit layer's by code."""
    if isinstance(status, gpd.GeoDataFrame) and status.geometry.notna().any():
        return gpd.GeoSeries(rows.geometry.to_numpy(), crs=status.crs)
    units = q.get(layer, required=False)
    if units is None:
        return gpd.GeoSeries([None] * len(rows), crs=q.crs)
    geo = dict(zip(units["code"], units.geometry, strict=False))
    return gpd.GeoSeries(rows["code"].map(geo).to_numpy(), crs=units.crs)


def gap_summary(gap_rows: pd.DataFrame, *, lang: str = "vi") -> pd.DataFrame:
    """District-level count per criterion of the gaps from :func:`gaps`.

    Parameters
    ----------
    gap_rows : DataFrame
        The result of :func:`gaps`; every criterion it was asked for gets a
        row, with zeros where there is no gap.
    lang : {"vi", "en"}
        Language of the criterion names.

    Returns
    -------
    DataFrame
        ``criterion``, ``criterion_name``, ``gaps``, ``addressed``,
        ``unaddressed``, ``capital`` (million VND of the addressing
        projects) and, for villages, ``population_unaddressed``.
    """
    numbers = gap_rows.attrs.get("criteria") or sorted(gap_rows["criterion"].unique())
    names = gap_rows.attrs.get("criteria_names") or dict(
        zip(gap_rows["criterion"], gap_rows["criterion_name"], strict=False))
    g = pd.DataFrame(gap_rows.drop(columns="geometry", errors="ignore"))
    g["_addr"] = g["gap_status"] == "addressed"
    g["_unaddr"] = ~g["_addr"]
    agg = {"gaps": ("gap_status", "size"), "addressed": ("_addr", "sum"),
           "unaddressed": ("_unaddr", "sum"), "capital": ("capital", "sum")}
    village = "population" in g
    if village:
        g["_pop_un"] = pd.to_numeric(g["population"], errors="coerce").where(g["_unaddr"])
        agg["population_unaddressed"] = ("_pop_un", "sum")
    s = g.groupby("criterion").agg(**agg) if len(g) else None
    out = pd.DataFrame({"criterion": [int(n) for n in numbers]})
    out["criterion_name"] = out["criterion"].map(lambda n: names.get(n, str(n)))
    if s is not None:
        out = out.merge(s.reset_index(), on="criterion", how="left")
    for col in ("gaps", "addressed", "unaddressed") + (
            ("population_unaddressed",) if village else ()):
        out[col] = (out[col] if col in out else 0)
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    out["capital"] = pd.to_numeric(out.get("capital", 0.0)).fillna(0.0).astype(float)
    cols = ["criterion", "criterion_name", "gaps", "addressed", "unaddressed", "capital"]
    if village:
        cols.append("population_unaddressed")
    out = out[cols]
    out.attrs.update(query="gap_summary", level=gap_rows.attrs.get("level"),
                     year=gap_rows.attrs.get("year"))
    return out


# --------------------------------------------------------------------------------------
# access
# --------------------------------------------------------------------------------------

def _road_speeds(q: QueryData, speeds: Mapping[str, float] | None) -> dict[str, float] | None:
    from ntmgis.analysis.terrain import ROAD_SPEEDS_KMH

    if speeds is not None:
        return {**ROAD_SPEEDS_KMH, **speeds}
    cfg = (q.workspace.raw.get("terrain", {}) if q.workspace else {}).get("road_speeds_kmh")
    return {**ROAD_SPEEDS_KMH, **{k: float(v) for k, v in cfg.items()}} if cfg else None


def access(data: Any, /, *, to: str = "health_station", by: str = "straight",
           max_km: float | None = None, max_minutes: float | None = None,
           raster_out: str | Path | None = None, overwrite: bool = False,
           speeds: Mapping[str, float] | None = None,
           lang: str = "vi") -> gpd.GeoDataFrame:
    """Each village's nearest facility of a type, and the distance or time to it.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`load_data`; ``terrain`` also needs the workspace's
        elevation raster (or ``elevation`` in a mapping).
    to : str
        Facility type: ``school``, ``health_station``, ``cultural_house``,
        ``market``.
    by : {"straight", "road", "terrain"}
        ``straight``: geodesic distance (km). ``road``: along the road
        network (km of the shortest route, minutes of the fastest; off-road
        legs walked at 5,04 km/h). ``terrain``: minutes over the elevation
        raster (Tobler's hiking function, roads faster by class;
        :mod:`ntmgis.analysis.terrain`).
    max_km, max_minutes : float, optional
        The threshold beyond which a village is a gap (one of them).
    raster_out : path, optional
        For ``terrain``: write the minutes raster as a GeoTIFF there.
    overwrite : bool
        Replace an existing ``raster_out``.
    speeds : mapping, optional
        km/h by road class (default :data:`ntmgis.analysis.terrain.ROAD_SPEEDS_KMH`,
        or ``[terrain] road_speeds_kmh`` in ``ntmgis.toml``).
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    GeoDataFrame
        One row per village (point geometry), sorted by code:
        ``village_code``, ``village_name``, ``commune_code``,
        ``commune_name``, ``population``, ``facility_id``, ``facility_name``,
        ``distance_km`` (straight, road), ``minutes`` (road, terrain),
        ``offroad_m`` (road), ``gap`` (beyond the threshold, or unreachable;
        null without a threshold). ``attrs`` holds the mode, threshold,
        number of gaps, their population and the raster path.

    Raises
    ------
    DataError
        Unknown facility type or mode, no facility of the type, contradictory
        thresholds.
    WorkspaceError
        ``road`` without roads, ``terrain`` without an elevation raster.
    """
    if to not in FACILITY_TYPES:
        raise DataError(_m("bad_facility", lang, value=to, expected=", ".join(FACILITY_TYPES)),
                        value=to, expected=", ".join(FACILITY_TYPES))
    if by not in ACCESS_MODES:
        raise DataError(_m("bad_mode", lang, value=by, expected=", ".join(ACCESS_MODES)),
                        value=by, expected=", ".join(ACCESS_MODES))
    if max_km is not None and max_minutes is not None:
        raise DataError(_m("two_limits", lang))
    for lim in (max_km, max_minutes):
        if lim is not None and not lim > 0:
            raise DataError(_m("negative_limit", lang, value=lim), value=lim)
    if by == "straight" and max_minutes is not None:
        raise DataError(_m("minutes_straight", lang))
    if by == "terrain" and max_km is not None:
        raise DataError(_m("km_terrain", lang))
    q = load_data(data, lang=lang)
    roads = q.get("roads", required=False)
    if by == "road" and (roads is None or len(roads) == 0):
        raise WorkspaceError(_m("no_roads", lang))
    if by == "terrain" and q.elevation is None:
        raise WorkspaceError(_m("no_elevation", lang))
    vill = q.get("villages")
    fac = q.get("facilities")
    fac = fac[(fac["type"] == to) & fac.geometry.notna() & ~fac.geometry.is_empty]
    fac = fac.sort_values("facility_id", kind="stable").reset_index(drop=True)
    if fac.empty:
        raise DataError(_m("no_facility", lang, value=to, label=labels("facility", lang)[to]),
                        value=to)
    vill = vill.sort_values("code", kind="stable").reset_index(drop=True)
    crs = _work_crs(q)
    v_m, f_m = _metric(vill, crs), _metric(fac, crs)
    n = len(vill)
    km = np.full(n, np.nan)
    minutes = np.full(n, np.nan)
    offroad = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    has_pt = (v_m.geometry.notna() & ~v_m.geometry.is_empty).to_numpy()
    raster_path = None
    if by == "straight":
        tree = shapely.STRtree(f_m.geometry.to_numpy())
        # Nearest in the metric CRS, then the geodesic distance of that pair.
        (oi, fi) = tree.query_nearest(v_m.geometry.to_numpy()[has_pt], all_matches=False)
        idx = np.flatnonzero(has_pt)[oi]
        nearest[idx] = fi
        km[idx] = _geodesic_m(gpd.GeoSeries(vill.geometry.to_numpy()[idx], crs=vill.crs),
                              gpd.GeoSeries(fac.geometry.to_numpy()[fi], crs=fac.crs)) / 1000
    elif by == "road":
        from ntmgis.analysis.network import build_road_graph, nearest_by_road

        graph = build_road_graph(_metric(roads, crs), speeds=_road_speeds(q, speeds), lang=lang)
        res = nearest_by_road(graph, v_m.geometry.to_numpy()[has_pt], f_m.geometry.to_numpy())
        idx = np.flatnonzero(has_pt)
        km[idx] = np.where(np.isfinite(res.km), res.km, np.nan)
        minutes[idx] = np.where(np.isfinite(res.minutes), res.minutes, np.nan)
        offroad[idx] = res.offroad_m
        nearest[idx] = res.nearest_km if max_km is not None else res.nearest_minutes
    else:
        from ntmgis.analysis.terrain import (
            cost_distance,
            rasterize_road_speeds,
            read_elevation,
            write_minutes,
        )

        elev = read_elevation(q.elevation, lang=lang)
        road_kmh = None
        if roads is not None and len(roads):
            road_kmh = rasterize_road_speeds(roads, elev, speeds=_road_speeds(q, speeds))
        f_e = fac.to_crs(elev.crs)
        res = cost_distance(elev, shapely.get_coordinates(f_e.geometry.to_numpy()),
                            road_kmh=road_kmh)
        v_e = vill.to_crs(elev.crs)
        idx = np.flatnonzero(has_pt)
        mins, near = res.sample(shapely.get_coordinates(v_e.geometry.to_numpy()[has_pt]))
        minutes[idx] = mins
        nearest[idx] = near
        lost = int(np.isnan(mins).sum())
        if lost:
            import warnings

            from ntmgis.core.errors import DataWarning

            warnings.warn(
                f"{lost} bản nằm ngoài bản đồ độ cao hoặc không đi tới được cơ sở nào / "
                f"{lost} villages lie off the elevation raster or cannot reach any facility",
                DataWarning, stacklevel=2)
        if raster_out is not None:
            raster_path = write_minutes(res, raster_out, overwrite=overwrite, lang=lang)
    has_fac = nearest >= 0
    out = pd.DataFrame({
        "village_code": vill["code"].to_numpy(),
        "village_name": vill["name"].to_numpy(),
        "commune_code": vill["commune_code"].to_numpy(),
        "commune_name": (vill["commune_name"] if "commune_name" in vill
                         else vill["commune_code"]).to_numpy(),
        "population": pd.array(pd.to_numeric(vill.get("population", pd.Series(np.nan,
                               index=vill.index)), errors="coerce"), dtype="Int64"),
        "facility_id": np.where(has_fac, fac["facility_id"].to_numpy()[np.clip(nearest, 0, None)],
                                None),
        "facility_name": np.where(has_fac, fac["name"].to_numpy()[np.clip(nearest, 0, None)],
                                  None),
    })
    if by in ("straight", "road"):
        out["distance_km"] = np.round(km, 3)
    if by in ("road", "terrain"):
        out["minutes"] = np.round(minutes, 1)
    if by == "road":
        out["offroad_m"] = np.round(offroad, 1)
    limit = max_km if max_km is not None else max_minutes
    if limit is not None:
        # Compare the values as reported (rounded), so that the table never shows
        # "60,0 minutes" beyond a 60-minute threshold.
        value = out["distance_km"] if max_km is not None else out["minutes"]
        out["gap"] = ~(value.to_numpy() <= limit)  # NaN (unreachable) is a gap
    else:
        out["gap"] = pd.array([pd.NA] * n, dtype="boolean")
    result = gpd.GeoDataFrame(out, geometry=vill.geometry.to_numpy(), crs=vill.crs)
    gap_rows = result[result["gap"].fillna(False).astype(bool)]
    result.attrs.update(
        query="access", to=to, by=by, max_km=max_km, max_minutes=max_minutes,
        unit="km" if max_km is not None or by == "straight" else "minutes",
        gaps=int(len(gap_rows)),
        gap_population=int(pd.to_numeric(gap_rows["population"]).fillna(0).sum()),
        raster=str(raster_path) if raster_path else None,
    )
    return result


# --------------------------------------------------------------------------------------
# misplaced
# --------------------------------------------------------------------------------------

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
        See :func:`load_data`.
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
    crs = _work_crs(q)
    geom = _metric(gpd.GeoDataFrame(geometry=_project_geometry(q, prj)), crs).geometry
    com = _metric(communes, crs)
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
    joined = _grouped_join(loc, ["i"], {"code": "code", "name": "name"}).set_index("i")
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
        dist_v = _geodesic_m(gpd.GeoSeries(prj.geometry.to_numpy(), crs=prj.crs), vpt)
        lines = ~is_pt & vpt.notna().to_numpy()
        if lines.any():
            vm = _metric(gpd.GeoDataFrame(geometry=vpt), crs).geometry.to_numpy()
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


# --------------------------------------------------------------------------------------
# projects
# --------------------------------------------------------------------------------------

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


def projects(data: Any, /, *, criterion: int | None = None, commune: str | None = None,
             village: str | None = None, status: str | Iterable[str] | None = None,
             category: str | Iterable[str] | None = None, year: int | None = None,
             source: str | Iterable[str] | None = None, near: str | None = None,
             within_km: float | None = None, lang: str = "vi") -> gpd.GeoDataFrame:
    """Projects of the investment list matching every filter given.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`load_data`.
    criterion : int, optional
        Serving this commune criterion (1-19).
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
        n = COMMUNE_CRITERIA.get(int(criterion)).number
        keep &= prj["criteria"].map(lambda v: n in _numbers(v)).to_numpy(dtype=bool)
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
            dist_km = _geodesic_m(gpd.GeoSeries(prj.geometry.to_numpy(), crs=prj.crs), pgeo)
        else:
            crs = _work_crs(q)
            a = _metric(gpd.GeoDataFrame(geometry=prj.geometry.reset_index(drop=True)), crs)
            b = _metric(gpd.GeoDataFrame(geometry=pgeo), crs)
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


# --------------------------------------------------------------------------------------
# Presentation and output: terminal tables, CSV / GeoJSON / GeoPackage, HTML maps
# --------------------------------------------------------------------------------------

#: Column headings: column -> (Vietnamese, English).
HEADINGS: dict[str, tuple[str, str]] = {
    "year": ("Năm", "Year"),
    "criterion": ("TC", "No."),
    "criterion_name": ("Tiêu chí", "Criterion"),
    "commune_code": ("Mã xã", "Commune code"),
    "commune_name": ("Xã", "Commune"),
    "village_code": ("Mã bản", "Village code"),
    "village_name": ("Bản", "Village"),
    "population": ("Dân số", "Population"),
    "commune_criteria": ("TC xã liên quan", "Commune criteria"),
    "projects": ("Số dự án", "Projects"),
    "project_ids": ("Dự án", "Projects"),
    "project_status": ("Tình trạng", "Status"),
    "capital": ("Vốn (triệu đồng)", "Capital (million VND)"),
    "gap_status": ("Kết luận", "Gap"),
    "finished_ids": ("Dự án đã xong, vẫn chưa đạt", "Finished, gap remains"),
    "gaps": ("Số nơi chưa đạt", "Gaps"),
    "addressed": ("Đã có dự án", "Addressed"),
    "unaddressed": ("Chưa có dự án", "Unaddressed"),
    "population_unaddressed": ("Dân số chưa có dự án", "Population unaddressed"),
    "facility_id": ("Mã cơ sở", "Facility id"),
    "facility_name": ("Cơ sở gần nhất", "Nearest facility"),
    "distance_km": ("Khoảng cách (km)", "Distance (km)"),
    "minutes": ("Thời gian (phút)", "Time (minutes)"),
    "offroad_m": ("Đi bộ ra đường (m)", "Walk to road (m)"),
    "gap": ("Vượt ngưỡng", "Beyond threshold"),
    "project_id": ("Mã dự án", "Project id"),
    "name": ("Tên", "Name"),
    "category": ("Loại", "Category"),
    "status": ("Tình trạng", "Status"),
    "located_commune_code": ("Mã xã thực tế", "Located in (code)"),
    "located_commune_name": ("Nằm trong xã", "Located in"),
    "dist_commune_m": ("Cách ranh giới xã (m)", "From commune edge (m)"),
    "dist_village_m": ("Cách bản (m)", "From village (m)"),
    "outside_commune": ("Ngoài xã", "Outside commune"),
    "far_from_village": ("Xa bản", "Far from village"),
    "unknown_commune": ("Mã xã lạ", "Unknown commune"),
    "criteria": ("Tiêu chí", "Criteria"),
    "year_start": ("Bắt đầu", "Start"),
    "year_end": ("Kết thúc", "End"),
    "cap_total": ("Tổng vốn (triệu đồng)", "Total (million VND)"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
}

_GAP_LABELS = {"addressed": ("Đã có dự án", "Addressed"),
               "unaddressed": ("Chưa có dự án", "Unaddressed")}

#: Columns shown in the terminal table of each query.
_TABLE_COLUMNS: dict[str, list[str]] = {
    "gaps-commune": ["criterion", "criterion_name", "commune_code", "commune_name",
                     "gap_status", "project_ids", "project_status", "capital",
                     "finished_ids"],
    "gaps-village": ["criterion", "criterion_name", "village_name", "commune_name",
                     "population", "commune_criteria", "gap_status", "project_ids",
                     "project_status", "capital", "finished_ids"],
    "gap_summary": ["criterion", "criterion_name", "gaps", "addressed", "unaddressed",
                    "capital", "population_unaddressed"],
    "access": ["village_code", "village_name", "commune_name", "population", "facility_name",
               "distance_km", "minutes", "offroad_m", "gap"],
    "misplaced": ["project_id", "name", "commune_name", "located_commune_name",
                  "dist_commune_m", "village_name", "dist_village_m"],
    "projects": ["project_id", "name", "commune_name", "village_name", "criteria",
                 "year_start", "year_end", "status", "cap_total", "distance_km"],
}

_DECIMALS = {"distance_km": 2, "minutes": 0, "offroad_m": 0, "dist_commune_m": 0,
             "dist_village_m": 0}


def heading(column: str, lang: str = "vi") -> str:
    """The heading of a result column in ``lang`` (the column name if unknown)."""
    pair = HEADINGS.get(column)
    return column if pair is None else (pair[1] if lang == "en" else pair[0])


def _fmt(column: str, value: Any, lang: str) -> str:
    from ntmgis.core.i18n import fmt_money, fmt_number, label

    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if column == "gap_status":
        return _GAP_LABELS[value][1 if lang == "en" else 0]
    if column in ("status", "category"):
        return label(column, value, lang)
    if column == "project_status":
        return "; ".join(label("status", s, lang) for s in str(value).split(";") if s)
    if isinstance(value, (bool, np.bool_)):
        return ("Có" if value else "Không") if lang != "en" else ("yes" if value else "no")
    if column in ("capital", "cap_total", "disbursed"):
        return fmt_money(float(value), lang)
    if column in ("year", "year_start", "year_end", "criterion"):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return fmt_number(int(value), lang)
    if isinstance(value, (float, np.floating)):
        return fmt_number(float(value), lang, _DECIMALS.get(column, 1))
    return str(value)


def _table_kind(result: pd.DataFrame) -> str:
    kind = result.attrs.get("query", "")
    if kind == "gaps":
        return f"gaps-{result.attrs.get('level', 'commune')}"
    return kind


def result_table(result: pd.DataFrame, *, lang: str = "vi",
                 columns: list[str] | None = None) -> pd.DataFrame:
    """The result as display strings with headings in ``lang`` (what the terminal shows).

    Numbers are formatted the Vietnamese way (1.234,5) or the English way,
    statuses and categories are labelled, missing values are an en dash.
    """
    cols = columns or _TABLE_COLUMNS.get(_table_kind(result)) or [
        c for c in result.columns if c != "geometry"]
    cols = [c for c in cols if c in result.columns]
    out = pd.DataFrame({heading(c, lang): [_fmt(c, v, lang) for v in result[c]] for c in cols})
    out.attrs = dict(result.attrs)
    return out


def describe(result: pd.DataFrame, *, lang: str = "vi") -> str:
    """A one-line summary of a result, for the terminal and the map subtitle."""
    from ntmgis.core.i18n import fmt_number, label

    kind = result.attrs.get("query")
    en = lang == "en"
    if kind == "gaps":
        unit = ("villages" if en else "bản") if result.attrs.get("level") == "village" else (
            "communes" if en else "xã")
        n_un = int((result["gap_status"] == "unaddressed").sum())
        year = result.attrs.get("year")
        if en:
            return (f"{len(result)} gaps ({unit} not meeting a criterion) in {year}; "
                    f"{n_un} without a project")
        return (f"{len(result)} trường hợp {unit} chưa đạt tiêu chí năm {year}; "
                f"{n_un} chưa có dự án")
    if kind == "access":
        a = result.attrs
        fac = label("facility", a["to"], lang)
        mode = {"straight": ("đường chim bay", "straight line"),
                "road": ("theo đường bộ", "along roads"),
                "terrain": ("theo địa hình", "over terrain")}[a["by"]][1 if en else 0]
        if a.get("max_km") is None and a.get("max_minutes") is None:
            return (f"Nearest {fac.lower()} from each village, {mode}" if en else
                    f"{fac} gần nhất của mỗi bản, {mode}")
        lim = (f"{fmt_number(a['max_km'], lang, 1)} km" if a.get("max_km") is not None
               else f"{fmt_number(a['max_minutes'], lang)} {'minutes' if en else 'phút'}")
        pop = fmt_number(a["gap_population"], lang)
        if en:
            return (f"{a['gaps']} villages beyond {lim} from a {fac.lower()} ({mode}); "
                    f"population {pop}")
        return f"{a['gaps']} bản cách {fac.lower()} quá {lim} ({mode}); dân số {pop}"
    if kind == "misplaced":
        lim = fmt_number(result.attrs.get("max_village_m", 0), lang)
        if en:
            return (f"{len(result)} of {result.attrs.get('checked')} projects outside their "
                    f"commune or over {lim} m from their village")
        return (f"{len(result)}/{result.attrs.get('checked')} dự án nằm ngoài xã đã khai "
                f"hoặc cách bản quá {lim} m")
    if kind == "projects":
        return f"{len(result)} projects" if en else f"{len(result)} dự án"
    return ""


def _gdal_date_env(date: str):
    """Context manager: GDAL stamps GeoPackage contents with ``date``, not the clock."""
    import contextlib
    import os

    @contextlib.contextmanager
    def env():
        old = os.environ.get("OGR_CURRENT_DATE")
        os.environ["OGR_CURRENT_DATE"] = (date or "2000-01-01") + "T00:00:00Z"
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("OGR_CURRENT_DATE", None)
            else:
                os.environ["OGR_CURRENT_DATE"] = old

    return env()


def _for_file(result: pd.DataFrame) -> pd.DataFrame:
    """Plain dtypes for writers: nullable integers/booleans as object where missing."""
    out = result.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        if isinstance(out[c].dtype, (pd.BooleanDtype, pd.Int64Dtype)) and out[c].isna().any():
            out[c] = out[c].astype(object).where(out[c].notna(), None)
        elif isinstance(out[c].dtype, (pd.BooleanDtype, pd.Int64Dtype)):
            out[c] = out[c].astype(bool if isinstance(out[c].dtype, pd.BooleanDtype) else int)
    return out


def write_csv(result: pd.DataFrame, path: str | Path, *, overwrite: bool = False,
              lang: str = "vi") -> Path:
    """Write a result as CSV (UTF-8 with BOM for Excel; points get ``lon``/``lat``).

    Column names are the canonical ones (as in the Python result); geometry
    is written as WGS 84 ``lon``/``lat`` for points and left out otherwise.
    """
    from ntmgis.core.safe_write import atomic_output

    df = pd.DataFrame(result.drop(columns="geometry", errors="ignore"))
    if isinstance(result, gpd.GeoDataFrame) and len(result):
        geo = result.geometry
        pts = geo.notna() & (geo.geom_type == "Point")
        if pts.all() and result.crs is not None:
            ll = geo.to_crs(4326)
            df["lon"] = np.round(ll.x.to_numpy(), 6)
            df["lat"] = np.round(ll.y.to_numpy(), 6)
    with atomic_output(path, overwrite=overwrite, lang=lang) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_geojson(result: gpd.GeoDataFrame, path: str | Path, *, overwrite: bool = False,
                  lang: str = "vi") -> Path:
    """Write a result as GeoJSON (RFC 7946, WGS 84, 7 decimals)."""
    import pyogrio

    from ntmgis.core.safe_write import atomic_output

    gdf = _for_file(result)
    gdf = gdf.to_crs(4326) if gdf.crs is not None else gdf
    with atomic_output(path, overwrite=overwrite, lang=lang) as tmp:
        pyogrio.write_dataframe(gdf, tmp, driver="GeoJSON",
                                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7,
                                               "WRITE_NAME": "NO"})
    return Path(path)


#: Layers of the monitoring GeoPackage that a query result may never replace.
_CONTRACT_LAYERS = (
    "communes", "commune_status", "villages", "village_status", "projects", "project_lines",
    "facilities", "roads", "commune_criteria", "village_criteria_set", "district_summary",
    "district_overview", "plan_targets", "funding_by_source", "funding_by_commune",
    "funding_by_criterion", "metadata",
)


def write_gpkg_layer(result: pd.DataFrame, gpkg: str | Path, layer: str, *,
                     overwrite: bool = False, lang: str = "vi", date: str = "") -> Path:
    """Add ``result`` as layer ``layer`` to an existing GeoPackage, atomically.

    The GeoPackage is copied beside itself, the layer written into the copy,
    and the copy renamed over the original: readers never see a half-written
    file, and a failure leaves the original as it was.

    Raises
    ------
    OutputExistsError
        When the layer exists and ``overwrite`` is false.
    DataError
        When ``layer`` is one of the monitoring layers (never replaced).
    """
    import os
    import shutil
    import tempfile

    import pyogrio

    from ntmgis.core.errors import OutputExistsError

    target = Path(gpkg)
    if not target.is_file():
        raise WorkspaceError(_t("not_built", lang, path=target), path=target)
    if layer in _CONTRACT_LAYERS:
        raise DataError(_m("bad_value", lang, what="layer", value=layer,
                           expected="query_…"), value=layer)
    present = {str(r[0]) for r in pyogrio.list_layers(target)}
    if layer in present and not overwrite:
        raise OutputExistsError(_t("output_exists", lang, path=f"{target} ({layer})"))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp.gpkg",
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(target, tmp)
        frame = _for_file(result)
        kw = {}
        if isinstance(frame, gpd.GeoDataFrame):
            kinds = set(frame.geometry.geom_type.dropna())
            if len(kinds) == 1:
                kw["geometry_type"] = kinds.pop()
        with _gdal_date_env(date):
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG", **kw)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return target


def _minutes_bands(raster: Path, limit: float | None, lang: str) -> gpd.GeoDataFrame:
    """Polygons of travel-time bands from the minutes GeoTIFF (for the map)."""
    import rasterio
    from rasterio.features import shapes

    from ntmgis.analysis.terrain import NODATA

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
    from ntmgis.core.i18n import label

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
        The result of :func:`gaps`, :func:`access`, :func:`misplaced` or
        :func:`projects`.
    path : path
        The ``.html`` file.
    data : workspace, path, QueryData or layers, optional
        Adds context: the facilities for ``access`` (and the travel-time
        bands of a terrain raster), commune boundaries and hillshade from
        the workspace.
    lang, overwrite, title, online_tiles
        As in :func:`ntmgis.outputs.webmap.render_result_map`.
    """
    try:
        from ntmgis.outputs.webmap import ResultLayer, render_result_map
    except ImportError as exc:  # pragma: no cover - the web-map package ships with ntmgis
        from ntmgis.core.errors import MissingDependencyError

        raise MissingDependencyError(
            "chưa có bộ vẽ bản đồ web (ntmgis.outputs.webmap) / the web-map renderer is missing"
        ) from exc
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
            from ntmgis.core.i18n import labels as enum_labels

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
            labels={"outside": "Ngoài xã đã khai" if not en else "Outside its commune",
                    "far": "Xa bản đã khai" if not en else "Far from its village",
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
