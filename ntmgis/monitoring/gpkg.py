"""The monitoring GeoPackage: its layers, and the one writer and reader of the file.

Every output and analysis reads ``monitoring.gpkg`` through this module
(:func:`read_layers` for all of it, :func:`read_layer` for one layer,
:func:`list_layers` for what is there), so a change of format is made once.
The layers and their columns are listed in ``docs/CONTRACT.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from ntmgis.core.criteria import (
    COMMUNE_CRITERIA,
    DEFAULT_SET,
    CriteriaSet,
    available_sets,
    load_criteria_set,
)
from ntmgis.core.errors import WorkspaceError
from ntmgis.core.gdal_env import pinned_gpkg_date
from ntmgis.core.i18n import catalog, t
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.inputs.load import layer_criteria_set, workspace_criteria_set

__all__ = ["MonitoringLayers", "LAYER_ORDER", "LEGACY_COLUMNS", "write_gpkg", "list_layers",
           "read_layer", "read_layers", "layers_criteria_set", "metadata_criteria_set",
           "criteria_set_named", "summary_total", "summary_groups"]

_m = catalog({
    "other_set": (
        "tệp giám sát được lập với bộ tiêu chí '{key}', thư mục dữ liệu dùng '{ws_key}'; hãy "
        "chạy lại ntmgis build",
        "the monitoring file was built with the criteria set '{key}', the workspace uses "
        "'{ws_key}'; run ntmgis build again"),
})


@dataclass
class MonitoringLayers:
    """The monitoring layers, one attribute per GeoPackage layer (see docs/CONTRACT.md)."""

    communes: gpd.GeoDataFrame
    commune_status: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame | None
    village_status: gpd.GeoDataFrame | None
    projects: gpd.GeoDataFrame | None
    project_lines: gpd.GeoDataFrame | None
    facilities: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None
    commune_criteria: pd.DataFrame
    village_criteria_set: pd.DataFrame | None
    district_summary: pd.DataFrame
    district_overview: pd.DataFrame
    plan_targets: pd.DataFrame | None
    funding_by_source: pd.DataFrame | None
    funding_by_commune: pd.DataFrame | None
    funding_by_criterion: pd.DataFrame | None
    metadata: pd.DataFrame
    # The communes of the two-level structure (since 1 July 2025), when the
    # workspace declares a crosswalk: see ntmgis.monitoring.crosswalk.
    communes_2025: gpd.GeoDataFrame | None = None
    commune_status_2025: gpd.GeoDataFrame | None = None
    commune_criteria_2025: pd.DataFrame | None = None
    # Indicator values judged against their thresholds (ntmgis.monitoring.indicators),
    # only when the workspace has indicator values.
    indicator_status: pd.DataFrame | None = None

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """``(name, frame)`` for each layer that exists, in the written order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None]

    def meta(self, key: str, default: str = "") -> str:
        """A value of the ``metadata`` table."""
        m = dict(zip(self.metadata["key"], self.metadata["value"], strict=True))
        return m.get(key, default)


LAYER_ORDER = tuple(f.name for f in fields(MonitoringLayers))


def layers_criteria_set(layers: MonitoringLayers, ws: Workspace | None = None, *,
                        lang: str = "vi") -> CriteriaSet:
    """The commune criteria set the layers were built on (their ``tcNN`` columns, bands).

    The ``metadata`` key ``criteria_set`` names it; a file without one was built on
    Decision 318/QĐ-TTg (:data:`~ntmgis.core.criteria.COMMUNE_CRITERIA`). A set the
    workspace reads from its own ``.toml`` is found through ``ws``.

    Raises
    ------
    WorkspaceError
        When the file names a set that is neither shipped nor the workspace's.
    """
    # (a hand-made layers object may have no metadata: it is then QĐ 318's)
    return metadata_criteria_set(getattr(layers, "metadata", None), ws, lang=lang)


def metadata_criteria_set(metadata: pd.DataFrame | None, ws: Workspace | None = None, *,
                          lang: str = "vi") -> CriteriaSet:
    """The commune set a ``metadata`` table (``key``, ``value``) names.

    See :func:`layers_criteria_set`.
    """
    key = ""
    if metadata is not None and len(metadata):
        key = dict(zip(metadata["key"], metadata["value"], strict=True)).get("criteria_set", "")
    return criteria_set_named(key, ws, lang=lang)


def criteria_set_named(key: str | None, ws: Workspace | None = None, *,
                       lang: str = "vi") -> CriteriaSet:
    """The commune set a GeoPackage's ``metadata`` names (``criteria_set``; empty: QĐ 318).

    See :func:`layers_criteria_set`, which reads the key from the layers.
    """
    key = str(key or "").strip()
    if not key or key == DEFAULT_SET:
        return COMMUNE_CRITERIA
    if isinstance(ws, Workspace):
        own = workspace_criteria_set(ws, lang=lang)
        if own.key == key:
            return layer_criteria_set(own)
    if key in available_sets():
        return layer_criteria_set(load_criteria_set(key, lang=lang))
    raise WorkspaceError(_m("other_set", lang, key=key, ws_key=getattr(ws, "commune_set", "?")),
                         path=getattr(ws, "output_gpkg", None))


def write_gpkg(layers: MonitoringLayers, path: Path, *, data_date: str = "") -> None:
    """Write every layer into a new GeoPackage at ``path`` (which must not exist)."""
    # GDAL stamps gpkg_contents.last_change with the clock unless told otherwise.
    with pinned_gpkg_date(data_date):
        for name, frame in layers.items():
            kw: dict[str, Any] = {}
            if isinstance(frame, gpd.GeoDataFrame):
                kinds = set(frame.geometry.geom_type.dropna())
                if len(kinds) == 1:
                    kw["geometry_type"] = kinds.pop()
            if not path.exists():
                # GeoPackage 1.2 opens in every QGIS and GDAL still in use in offices.
                kw["dataset_options"] = {"VERSION": "1.2"}
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                    append=path.exists(), **kw)


def summary_total(frame: pd.DataFrame) -> pd.DataFrame:
    """The area's rows of ``district_summary`` or ``district_overview`` (not a group's).

    With more than one group the total's rows have an empty ``group_code``; with one
    (or in files built before the grouping) every row is the total's.
    """
    if "group_code" not in frame.columns:
        return frame
    empty = frame["group_code"].isna() | (frame["group_code"].astype(str) == "")
    return frame[empty].reset_index(drop=True) if empty.any() else frame


def summary_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The groups' rows of ``district_summary`` or ``district_overview`` (empty with one)."""
    if "group_code" not in frame.columns:
        return frame.iloc[0:0]
    empty = frame["group_code"].isna() | (frame["group_code"].astype(str) == "")
    return frame[~empty].reset_index(drop=True) if empty.any() else frame.iloc[0:0]


#: Columns renamed since earlier versions of the contract, per layer: old name -> new name.
#: GeoPackages built before the rename are read as if built now.
LEGACY_COLUMNS: dict[str, dict[str, str]] = {
    "commune_status": {"class": "band"},
    "commune_status_2025": {"class": "band"},
    "district_summary": {"target_2025": "target"},
}


def _upgrade(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    renames = {old: new for old, new in LEGACY_COLUMNS.get(name, {}).items()
               if old in frame.columns and new not in frame.columns}
    return frame.rename(columns=renames) if renames else frame


def list_layers(path: str | Path) -> dict[str, str | None]:
    """The layers of a GeoPackage, name to geometry type (None for a table), in file order."""
    return {str(name): (None if gtype is None else str(gtype))
            for name, gtype in pyogrio.list_layers(path)}


def read_layer(path: str | Path, name: str, *, geometry: bool = True,
               columns: list[str] | tuple[str, ...] | None = None
               ) -> pd.DataFrame | gpd.GeoDataFrame | None:
    """Read one layer, or return None when the file has no layer ``name``.

    Parameters
    ----------
    path : path
        The GeoPackage.
    name : str
        The layer.
    geometry : bool
        Read the geometry (a GeoDataFrame); False gives a DataFrame of attributes.
    columns : sequence of str, optional
        Only these columns; names the layer lacks are left out, not an error.
    """
    if name not in list_layers(path):
        return None
    if columns is not None:
        present = set(pyogrio.read_info(path, layer=name)["fields"])
        legacy = {new: old for old, new in LEGACY_COLUMNS.get(name, {}).items()}
        columns = [c if c in present else legacy[c] for c in columns
                   if c in present or legacy.get(c) in present]
    frame = pyogrio.read_dataframe(path, layer=name, read_geometry=geometry, columns=columns)
    return _upgrade(name, frame)


def read_layers(ws: Workspace | str | Path, *, path: str | Path | None = None,
                lang: str = "vi", only: Iterable[str] | None = None,
                attributes_only: Iterable[str] = (),
                skip_columns: Mapping[str, Iterable[str]] | None = None) -> MonitoringLayers:
    """Read the monitoring GeoPackage written by :func:`build`.

    Parameters
    ----------
    ws : Workspace or path
        The workspace.
    path : path, optional
        Another GeoPackage than the workspace's.
    lang : {"vi", "en"}
        Language of the error message.
    only : iterable of str, optional
        Read only these layers (the others are None): a reader that needs a few
        layers of a national file does not pay for the rest.
    attributes_only : iterable of str
        Layers read without their geometry (a DataFrame): ``commune_status`` repeats
        each commune's polygon once per year, which a reader that has ``communes``
        need not decode again.
    skip_columns : mapping, optional
        Layer -> columns not to read (names the layer lacks are ignored).

    Raises
    ------
    FileNotFoundError
        When the GeoPackage has not been built yet (the message says to run build).
    """
    if not isinstance(ws, Workspace):
        ws = load_workspace(ws)
    gpkg = Path(path) if path else ws.output_gpkg
    if not gpkg.exists():
        raise FileNotFoundError(t("not_built", lang, path=gpkg))
    present = set(list_layers(gpkg))
    wanted = set(LAYER_ORDER if only is None else only)
    bare = set(attributes_only)
    out = {}
    for name in LAYER_ORDER:
        if name not in present or name not in wanted:
            out[name] = None
            continue
        columns = None
        if skip_columns and name in skip_columns:
            skip = set(skip_columns[name])
            columns = [c for c in pyogrio.read_info(gpkg, layer=name)["fields"]
                       if c not in skip]
        frame = _upgrade(name, pyogrio.read_dataframe(gpkg, layer=name, columns=columns,
                                                      read_geometry=name not in bare))
        if "geometry" not in frame or frame.geometry.isna().all() and name not in (
                "communes", "commune_status"):
            frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        out[name] = frame
    return MonitoringLayers(**out)
