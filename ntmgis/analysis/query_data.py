"""The monitoring data a query reads: :class:`QueryData` and :func:`load_data`.

Every query (:mod:`~ntmgis.analysis.gaps`, :mod:`~ntmgis.analysis.access`,
:mod:`~ntmgis.analysis.misplaced`, :mod:`~ntmgis.analysis.project_search`)
takes the monitoring layers as a workspace, its path, a :class:`QueryData`,
an object with one attribute per contract layer (such as
``ntmgis.monitoring.gpkg.read_layers(ws)``) or a ``{layer: frame}`` mapping;
:func:`load_data` turns any of them into a :class:`QueryData`, which reads the
layers it is asked for from ``monitoring.gpkg`` through
:mod:`ntmgis.monitoring.gpkg` (the one reader of that file) on first use.

Also here: the messages the queries share (:data:`message`) and two helpers
of several queries, :func:`parse_numbers` and :func:`grouped_join`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet, village_set_from_rows
from ntmgis.core.errors import DataError, WorkspaceError
from ntmgis.core.i18n import catalog
from ntmgis.core.i18n import t as _t
from ntmgis.core.text import fold, is_missing, nfc
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.monitoring.gpkg import read_layer

__all__ = ["QueryData", "load_data", "message", "parse_numbers", "grouped_join", "pick_year"]

# Messages shared by the query modules: key -> (Vietnamese, English). Each
# query module's own catalog falls back on this one.
_MSG: dict[str, tuple[str, str]] = {
    "no_layer": (
        "{path} không có lớp '{layer}'; chạy lại 'ntmgis build --overwrite'",
        "{path} has no layer '{layer}'; run 'ntmgis build --overwrite' again",
    ),
    "no_data_layer": (
        "thiếu lớp '{layer}' trong dữ liệu đưa vào truy vấn",
        "the data given to the query has no layer '{layer}'",
    ),
    "negative_limit": ("ngưỡng phải là số dương (có {value})",
                       "the threshold must be positive (got {value})"),
    "bad_value": (
        "{what} '{value}' không có; dùng một trong: {expected}",
        "{what} '{value}' is unknown; use one of: {expected}",
    ),
    "bad_year": ("không có số liệu năm {value}; các năm có: {expected}",
                 "no data for year {value}; years present: {expected}"),
}


#: The shared messages of the queries (``message("negative_limit", lang, value=x)``).
message = catalog(_MSG)
_m = message

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
        # The status layers repeat their unit's geometry every year: read the
        # attributes only and take the geometry from the unit layer when needed.
        geometry = geometry and name not in ("commune_status", "village_status")
        frame = read_layer(self.gpkg, name, geometry=geometry, columns=columns)
        return None if frame is None else _normalise(frame)

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
            links[int(r["number"])] = tuple(parse_numbers(r["commune_criteria"]))
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
        table = read_layer(gpkg, "village_criteria_set")
    vset, links = (_village_set_from_frame(table, ws) if table is not None
                   else _village_set_from_table(ws) if ws is not None else (None, {}))
    if isinstance(data, Mapping) and "village_set" in data:
        vset = data["village_set"]
        links = dict(data.get("village_links", {}))
    return QueryData(frames=frames, workspace=ws, gpkg=gpkg,
                     elevation=Path(elevation) if elevation else None,
                     village_set=vset, village_links=links, lang=lang)


# --------------------------------------------------------------------------------------
# Helpers shared by the queries
# --------------------------------------------------------------------------------------

def parse_numbers(value: Any) -> list[int]:
    """Criterion numbers in a cell such as ``"2;5"`` (blanks and junk ignored)."""
    if is_missing(value):
        return []
    out = []
    for part in str(value).replace(",", ";").split(";"):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


def grouped_join(frame: pd.DataFrame, keys: list[str],
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


def pick_year(years: Any, year: int | None, lang: str = "vi") -> int:
    """``year`` if the data have it, else the latest year present when ``year`` is None.

    Raises
    ------
    DataError
        When there are no years, or ``year`` is not among them (the message lists them).
    """
    ys = sorted({int(y) for y in years if not is_missing(y)})
    if not ys:
        raise DataError(message("bad_year", lang, value=year, expected="–"))
    if year is None:
        return ys[-1]
    if int(year) not in ys:
        present = ", ".join(map(str, ys))
        raise DataError(message("bad_year", lang, value=year, expected=present),
                        value=year, expected=present)
    return int(year)
