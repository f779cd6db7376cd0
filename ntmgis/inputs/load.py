"""Every input of a workspace, read once: :func:`load_inputs` returns :class:`Inputs`.

Every reader reports problems into an :class:`~ntmgis.core.issue_log.IssueLog` with
file, row, column and value, and keeps going so that one run lists them all.
Rows are numbered as a spreadsheet user sees them: header = row 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from ntmgis.core.criteria import (
    COMMUNE_CRITERIA,
    DEFAULT_SET,
    CriteriaSet,
    available_sets,
    criteria_set_from_dict,
    load_criteria_set,
    village_set_from_rows,
)
from ntmgis.core.errors import CriteriaError, WorkspaceError
from ntmgis.core.i18n import enum_keys, labels, t
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, normalise_code, parse_number
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import (
    TableConfig,
    Workspace,
)
from ntmgis.inputs.cells import code_cells, enum_value, int_cell
from ntmgis.inputs.columns import (
    ROW,
    add_messages,
    map_columns,
    report,
    row_ranges,
    source_column,
)
from ntmgis.inputs.columns import input_text as t_input
from ntmgis.inputs.legacy_text import per_unique
from ntmgis.inputs.offices import read_workspace_offices
from ntmgis.inputs.projects import read_projects
from ntmgis.inputs.roadmap import read_workspace_roadmap
from ntmgis.inputs.status import read_status
from ntmgis.inputs.tables import read_table
from ntmgis.inputs.vector import read_vector

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

add_messages({
    "commune_set_unknown": (
        "[criteria] commune_set = \"{value}\" không phải bộ tiêu chí có sẵn ({sets}) hay tệp "
        ".toml",
        "[criteria] commune_set = \"{value}\" is neither a shipped criteria set ({sets}) nor "
        "a .toml file"),
    "crs_geographic": (
        "hệ tọa độ làm việc {value} tính bằng độ, không phải mét: khoảng cách, diện tích chồng "
        "lấn và khoảng hở, khoảng cách dự án - bản sẽ sai và các kiểm tra này im lặng. Khai "
        "[area] crs là một hệ phẳng tính bằng mét, ví dụ VN-2000 / TM-3 của tỉnh (EPSG:9205 "
        "… 9218) hoặc UTM 48N (EPSG:32648)",
        "the working CRS {value} is in degrees, not metres: distances, overlap and gap areas and "
        "project-village distances would be wrong and those checks silent. Set [area] crs to a "
        "projected CRS in metres, e.g. the province's VN-2000 / TM-3 (EPSG:9205 … 9218) or "
        "UTM 48N (EPSG:32648)",
    ),
    "crs_geographic.expected": ("hệ tọa độ phẳng tính bằng mét", "a projected CRS in metres"),
    "crs_unknown": ("hệ tọa độ làm việc '{value}' không hợp lệ: {reason}",
                    "the working CRS '{value}' is not valid: {reason}"),
    "crs_unknown.expected": ("một mã EPSG, ví dụ EPSG:9205", "an EPSG code such as EPSG:9205"),
    "no_name": (
        "{unit} mã {value} không có tên ({count} đối tượng như vậy, dòng {rows}); bản đồ, báo "
        "cáo và thông báo sẽ chỉ ghi mã",
        "{unit} {value} has no name ({count} such features, rows {rows}); maps, reports and "
        "messages will show its code only",
    ),
    "no_name.expected": ("tên của đơn vị", "the unit's name"),
    "unit_communes": ("xã", "commune"),
    "unit_villages": ("bản", "village"),
})


def check_working_crs(ws: Workspace, log: IssueLog) -> bool:
    """Refuse a working CRS in degrees (or one PROJ does not know); True when it is usable.

    Every check that measures (overlaps, gaps, distances to a commune or a village)
    works in the workspace CRS; in degrees they measure nothing and stay quiet.
    """
    try:
        crs = CRS.from_user_input(ws.crs)
    except CRSError as exc:
        report(log, "error", "crs_geographic", "crs_unknown", file=ws.config_path, column="crs",
               value=ws.crs, reason=str(exc).splitlines()[0])
        return False
    if crs.is_geographic or not crs.is_projected:
        report(log, "error", "crs_geographic", "crs_geographic", file=ws.config_path,
               column="crs", value=ws.crs)
        return False
    return True


def _report_unnamed(gdf: gpd.GeoDataFrame, name: str, path: object, log: IssueLog) -> None:
    """Warn about units without a name (national boundaries have some); they print as codes."""
    names = gdf["name"]
    blank = (names.isna() | names.astype("string").str.strip().eq("")).fillna(True)
    idx = np.flatnonzero(blank.to_numpy(dtype=bool))
    if not len(idx):
        return
    rows = gdf[ROW].to_numpy()
    unit = t_input(f"unit_{name}", log.lang)
    for i in idx:
        report(log, "warning", "missing_value", "no_name", file=path, row=int(rows[i]),
               column=source_column(gdf, "name"), value=gdf["code"].iloc[i], unit=unit,
               count=len(idx), rows=row_ranges(rows[idx]))
    gdf.loc[blank.to_numpy(dtype=bool), "name"] = None


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


def commune_criteria_set(ws: Workspace, *, lang: str = "vi") -> CriteriaSet:
    """The commune criteria set the workspace's layers are built on.

    The workspace's set (:func:`workspace_criteria_set`) as :func:`layer_criteria_set`
    takes it: Decision 318/QĐ-TTg's 19 criteria (:data:`~ntmgis.core.criteria.
    COMMUNE_CRITERIA`, under the names the outputs print) for that set or a part of
    it, the set itself otherwise (QĐ 51's 10).

    Raises
    ------
    WorkspaceError
        For an unknown key or a file that cannot be read as a criteria set.
    """
    return layer_criteria_set(workspace_criteria_set(ws, lang=lang))


def layer_criteria_set(cset: CriteriaSet) -> CriteriaSet:
    """The set monitoring layers are built on, for a workspace's set ``cset``.

    :data:`~ntmgis.core.criteria.COMMUNE_CRITERIA` when every criterion of ``cset``
    is one of QĐ 318's (same number and name: the shipped file, or a province's
    file with the indicators of some of them), else ``cset`` itself.
    """
    try:
        if all(fold(COMMUNE_CRITERIA.get(c.number).name_vi) == fold(c.name_vi)
               for c in cset):
            return COMMUNE_CRITERIA
    except CriteriaError:
        pass
    return cset


def workspace_criteria_set(ws: Workspace, *, lang: str = "vi") -> CriteriaSet:
    """The commune set ``[criteria] commune_set`` names, as it is written.

    The default key gives :data:`~ntmgis.core.criteria.COMMUNE_CRITERIA`; another
    shipped key is read with :func:`~ntmgis.core.criteria.load_criteria_set`, a
    ``.toml`` path (relative to the workspace) from that file. The same rule as
    :func:`ntmgis.monitoring.indicators.criteria_set_for`, whose set (with its
    indicators) judges indicator values.

    Raises
    ------
    WorkspaceError
        For an unknown key or a file that cannot be read as a criteria set.
    """
    key = ws.commune_set
    if key == DEFAULT_SET:
        return COMMUNE_CRITERIA
    if not key.lower().endswith(".toml"):
        if key not in available_sets():
            raise WorkspaceError(t_input("commune_set_unknown", lang, value=key,
                                         sets=", ".join(available_sets()))
                                 + f" ({ws.config_path})", path=ws.config_path)
        return load_criteria_set(key, lang=lang)
    path = Path(key) if Path(key).is_absolute() else ws.root / key
    try:
        return criteria_set_from_dict(tomllib.loads(path.read_text(encoding="utf-8")),
                                      lang=lang)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, CriteriaError) as exc:
        raise WorkspaceError(t("workspace_bad", lang, path=path, reason=exc),
                             path=path) from exc


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
    # The commune criteria set the status was read with (``[criteria] commune_set``).
    commune_set: CriteriaSet = COMMUNE_CRITERIA
    # Who leads and who supports each criterion (``[tables.offices]``,
    # :func:`ntmgis.inputs.offices.read_offices`); None when not declared.
    offices: pd.DataFrame | None = None
    # Targets per year (``[tables.roadmap]``, :func:`ntmgis.inputs.roadmap.read_roadmap`);
    # None when not declared.
    roadmap: pd.DataFrame | None = None



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
            gdf[canon] = code_cells(gdf, canon, ws, log, cfg.path,
                                width if canon == "commune_code" or name == "communes" else None)
    for canon in ("village_code", "facility_id", "road_id"):
        if canon in gdf:
            gdf[canon] = per_unique(gdf[canon], normalise_code)[0]
    if name in ("communes", "villages") and "name" in gdf and "code" in gdf:
        _report_unnamed(gdf, name, cfg.path, log)
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



def _read_targets(ws: Workspace, log: IssueLog, cset: CriteriaSet) -> pd.DataFrame | None:
    got = _read_mapped(ws, "plan_targets", log, ("criterion", "target_communes"),
                       ("name_vi", "target_share_text"))
    if got is None:
        return None
    cfg, df = got
    df["criterion"] = int_cell(df, "criterion", log, cfg.path, lo=min(cset.numbers),
                                hi=max(cset.numbers), key="criterion_range")
    df["target_communes"] = int_cell(df, "target_communes", log, cfg.path)
    return df



def _read_funding(ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    got = _read_mapped(ws, "plan_funding", log, ("source", "plan"))
    if got is None:
        return None
    cfg, df = got
    keys, plans = [], []
    for v, p, row in zip(df["source"], df["plan"], df[ROW], strict=True):
        k = enum_value(v, "source")
        if k is None:
            log.error("bad_enum", "bad_enum", file=cfg.path, row=row,
                      column=source_column(df, "source"), value=v,
                      expected=", ".join(labels("source", log.lang).values()))
        try:
            x = parse_number(p, decimal=ws.decimal)
        except ValueError:
            log.error("not_a_number", "not_a_number", file=cfg.path, row=row,
                      column=source_column(df, "plan"), value=p)
            x = None
        keys.append(k)
        plans.append(x)
    return pd.DataFrame({"source": keys, "plan": plans, ROW: df[ROW]}).dropna(subset=["source"])



def _read_commune_targets(ws: Workspace, log: IssueLog, width: int | None,
                          n_criteria: int = 19) -> pd.DataFrame | None:
    got = _read_mapped(ws, "commune_targets", log, ("code",), ("target_ntm", "target_criteria"))
    if got is None:
        return None
    cfg, df = got
    df["code"] = code_cells(df, "code", ws, log, cfg.path, width)
    if "target_ntm" in df:
        vals = []
        for v, row in zip(df["target_ntm"], df[ROW], strict=True):
            try:
                vals.append(parse_met(v))
            except ValueError:
                vals.append(None)
                log.error("bad_status_value", "bad_status_value", file=cfg.path, row=row,
                          column=source_column(df, "target_ntm"), value=v)
        df["target_ntm"] = pd.array(vals, dtype="Int64")
    if "target_criteria" in df:
        df["target_criteria"] = int_cell(df, "target_criteria", log, cfg.path, lo=0,
                                          hi=n_criteria, key="criterion_range")
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
    check_working_crs(ws, log)
    optional = ("unit_type", "district_code", "district_name", "province_code",
                "province_name", "population", "in_programme", "group")
    # the column grouping communes ([area] group_by: a former district, a cluster) is kept
    # under its own name; a column ntmgis already knows is kept anyway
    extra = (ws.group_by,) if ws.group_by and ws.group_by not in optional else ()
    communes = _read_layer_checked(ws, "communes", log, ("code", "name"), optional + extra,
                                   width)
    area = None
    placed = (communes[communes.geometry.notna() & ~communes.geometry.is_empty]
              if communes is not None else None)
    if placed is not None and len(placed) and placed.crs is not None:
        # Boxes of the communes with ~2 km of slack, in degrees: enough to tell a
        # swapped lon/lat (hundreds of km away) from a point just over a boundary.
        # Only the convex hulls are reprojected (a twentieth of a surveyed boundary's
        # vertices): over a commune, lon/lat are so near linear in the projected
        # coordinates that the extremes sit on the hull, to far less than the slack.
        b = placed.geometry.convex_hull.to_crs("EPSG:4326").bounds.to_numpy()
        area = shapely.STRtree(shapely.box(b[:, 0] - 0.02, b[:, 1] - 0.02, b[:, 2] + 0.02,
                                           b[:, 3] + 0.02))
    villages = _read_layer_checked(ws, "villages", log, ("code", "name", "commune_code"),
                                   ("population",), width)
    facilities = _read_layer_checked(ws, "facilities", log, ("facility_id", "name", "type"),
                                     ("commune_code", "village_code"), width)
    if facilities is not None:
        ftypes, _ = per_unique(facilities["type"], lambda v: enum_value(v, "facility"))
        for i in np.flatnonzero(pd.isna(ftypes)):
            log.error("bad_enum", "bad_enum", file=ws.layer("facilities").path,
                      row=facilities[ROW].iloc[i], column=source_column(facilities, "type"),
                      value=facilities["type"].iloc[i], expected=", ".join(enum_keys("facility")))
        facilities["type"] = ftypes
    roads = _read_layer_checked(ws, "roads", log, ("road_id",), ("name", "road_class"), width)
    if roads is not None and "road_class" in roads:
        roads["road_class"] = per_unique(
            roads["road_class"], lambda v: enum_value(v, "road_class") or "village_track")[0]
    cset = commune_criteria_set(ws, lang=log.lang)
    cs_cfg = ws.table("commune_status")
    commune_status = (read_status(cs_cfg, ws, log, cset, code_width=width)
                      if cs_cfg else None)
    village_set = read_criteria_set(ws, log)
    vs_cfg = ws.table("village_status")
    village_status = None
    if vs_cfg is not None and village_set is not None:
        village_status = read_status(vs_cfg, ws, log, village_set, code_width=None)
    projects = read_projects(ws, log, code_width=width, area=area, criteria_set=cset)
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
        plan_targets=_read_targets(ws, log, cset),
        plan_funding=_read_funding(ws, log),
        commune_targets=_read_commune_targets(ws, log, width, len(cset)),
        commune_set=cset,
        offices=read_workspace_offices(ws, log, cset),
        roadmap=read_workspace_roadmap(ws, log, cset),
    )
