"""Everything the appendix draws, read once from the monitoring GeoPackage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.bands import band_colors, band_labels
from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet
from ntmgis.core.errors import DataError, WorkspaceError
from ntmgis.core.i18n import t
from ntmgis.core.text import display_name
from ntmgis.core.vocabulary import FUNDING_SOURCES
from ntmgis.core.workspace import Workspace
from ntmgis.monitoring.gpkg import list_layers, metadata_criteria_set, read_layer
from ntmgis.outputs.appendix._programme import appendix_groups, late_criteria
from ntmgis.outputs.appendix._text import tr

__all__ = ["AppendixData", "load_data"]

_REQUIRED = {
    "communes": ["code", "name", "in_programme"],
    # and one column per criterion of the set the file was built on (tc01 ...)
    "commune_status": ["code", "name", "year", "criteria_met", "ntm", "band"],
    "villages": ["code", "name", "commune_code"],
    "village_status": ["code", "year", "ntm"],
    "projects": ["project_id", "name", "commune_code", "criteria", "status", "cap_total"],
    "project_lines": ["project_id", "status"],
    "facilities": ["facility_id", "type", "commune_code"],
    "roads": ["road_class"],
    "plan_targets": ["criterion", "target_communes"],
    "funding_by_source": ["source", "plan", "projects_total"],
}
_OPTIONAL = {"villages", "projects", "project_lines", "facilities", "roads", "village_status",
             "plan_targets", "funding_by_source"}


@dataclass
class AppendixData:
    """The layers of one appendix, filtered to its year and in the workspace CRS."""

    workspace: Workspace
    year: int
    years: tuple[int, ...]
    communes: gpd.GeoDataFrame  # all units (township included), sorted by code
    status: gpd.GeoDataFrame  # commune_status of ``year``
    status_all: gpd.GeoDataFrame  # every year
    villages: gpd.GeoDataFrame  # with a boolean ``ntm`` of ``year``
    village_status: pd.DataFrame  # code, year, ntm
    projects: gpd.GeoDataFrame  # begun by ``year``; ``criteria_set`` is a frozenset
    project_lines: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    targets: dict[int, int]  # criterion -> communes to meet it by the plan year
    funding: pd.DataFrame  # source, plan, projects_total
    district: shapely.Geometry
    province: gpd.GeoDataFrame | None = None
    source_text: str | None = None
    extra: dict = field(default_factory=dict)
    cset: CriteriaSet = COMMUNE_CRITERIA  # the commune set the layers were built on
    # groups of communes (a province's districts), when more than one; see _programme
    groups: list = field(default_factory=list)
    late: dict = field(default_factory=dict)  # code -> criteria behind the roadmap in ``year``

    @property
    def band_colors(self) -> dict[str, str]:
        """Band key -> colour, best first (:mod:`ntmgis.core.bands`)."""
        return band_colors(self.cset)

    def band_label(self, key: str, lang: str) -> str:
        """The label of band ``key`` ("15 - 18 tiêu chí", "8 - 9 tiêu chí")."""
        return band_labels(self.cset, lang).get(str(key), str(key))

    @property
    def programme_codes(self) -> list[str]:
        """Codes of the communes in the programme, sorted."""
        return sorted(self.status["code"])

    def commune_name(self, code: str) -> str:
        """Name of commune ``code``."""
        row = self.communes.loc[self.communes["code"] == code, "name"]
        return str(row.iloc[0]) if len(row) else code


def _read(gpkg: Path, layer: str, present: set[str], lang: str,
          cset: CriteriaSet = COMMUNE_CRITERIA) -> pd.DataFrame | None:
    if layer not in present:
        if layer in _OPTIONAL:
            return None
        raise DataError(tr("missing_layer", lang, path=gpkg, layer=layer), path=gpkg)
    df = read_layer(gpkg, layer)
    need = [*_REQUIRED.get(layer, []), *(cset.keys if layer == "commune_status" else ())]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(tr("missing_columns", lang, path=gpkg, layer=layer,
                           columns=", ".join(missing)), path=gpkg, column=missing[0])
    return df


def _codes(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None).map(lambda v: None if v is None else str(v))


def _as_gdf(df: pd.DataFrame | None, crs: str, layer: str = "") -> gpd.GeoDataFrame:
    if df is None:  # an optional layer the workspace does not have: empty, same columns
        cols = {c: pd.Series([], dtype=object) for c in _REQUIRED.get(layer, [])}
        return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    if not isinstance(df, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df), crs=crs), crs=crs)
    if df.crs is None:
        return df.set_crs(crs)
    if not df.crs.equals(crs):
        return df.to_crs(crs)
    return df


def _bool(s: pd.Series) -> pd.Series:
    return s.map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)


def load_data(workspace: Workspace, *, year: int | None, lang: str) -> AppendixData:
    """Read the monitoring layers of ``workspace`` for the appendix of ``year``.

    Raises
    ------
    WorkspaceError
        When the monitoring GeoPackage has not been built.
    DataError
        When a layer or column is missing, or ``year`` is not in the data.
    """
    gpkg = Path(workspace.output_gpkg)
    if not gpkg.is_file():
        raise WorkspaceError(t("not_built", lang, path=gpkg), path=gpkg)
    present = set(list_layers(gpkg))
    crs = workspace.crs
    meta = read_layer(gpkg, "metadata", geometry=False) if "metadata" in present else None
    cset = metadata_criteria_set(meta, workspace, lang=lang)
    rd = {name: _read(gpkg, name, present, lang, cset) for name in _REQUIRED}

    communes = _as_gdf(rd["communes"], crs, "communes")
    communes["code"] = _codes(communes["code"])
    communes["in_programme"] = _bool(communes["in_programme"])
    communes = communes.sort_values("code", kind="stable").reset_index(drop=True)
    # names as displayed ("Xã Pa ủ" of the GSO list shows as "Xã Pa Ủ"); codes stay the key
    communes["name"] = communes["name"].map(display_name)

    status_all = _as_gdf(rd["commune_status"], crs, "commune_status")
    status_all["code"] = _codes(status_all["code"])
    status_all["year"] = status_all["year"].astype(int)
    status_all["ntm"] = _bool(status_all["ntm"])
    if "name" in status_all:
        status_all["name"] = status_all["name"].map(display_name)
    years = tuple(sorted(int(y) for y in status_all["year"].unique()))
    if not years:
        raise DataError(tr("no_communes", lang, path=gpkg, layer="commune_status"), path=gpkg)
    if year is None:
        year = years[-1]
    if int(year) not in years:
        raise DataError(tr("bad_year", lang, year=year, years=", ".join(map(str, years))),
                        path=gpkg, column="year", value=year)
    year = int(year)
    # commune_status carries geometry; fall back on the communes' when it does not
    geom_by_code = dict(zip(communes["code"], communes.geometry, strict=True))
    if status_all.geometry.isna().all():
        status_all = status_all.set_geometry(
            gpd.GeoSeries(status_all["code"].map(geom_by_code), crs=crs))
    status_all = status_all.sort_values(["code", "year"], kind="stable").reset_index(drop=True)
    status = status_all[status_all["year"] == year].reset_index(drop=True)
    groups = appendix_groups(workspace, communes, lang)
    if groups:  # commune pages (and lists) grouped, by group then code
        rank = {c: i for i, g in enumerate(groups) for c in g[3]}
        status = status.assign(_g=status["code"].map(rank).fillna(len(groups))).sort_values(
            ["_g", "code"], kind="stable").drop(columns="_g").reset_index(drop=True)

    villages = _as_gdf(rd["villages"], crs, "villages")
    if "name" in villages:
        villages["name"] = villages["name"].map(display_name)
    for c in ("code", "commune_code"):
        villages[c] = _codes(villages[c])
    vs = rd["village_status"]
    if vs is not None and len(vs):
        vs = pd.DataFrame(vs.drop(columns="geometry", errors="ignore"))
        vs["code"] = _codes(vs["code"])
        vs["year"] = vs["year"].astype(int)
        vs["ntm"] = _bool(vs["ntm"])
        vs = vs[["code", "year", "ntm"]]
        now = vs[vs["year"] == year]
        ntm_now = dict(zip(now["code"], now["ntm"], strict=True))
    else:
        vs = pd.DataFrame({"code": [], "year": [], "ntm": []})
        ntm_now = {}
    villages["ntm"] = villages["code"].map(lambda c: bool(ntm_now.get(c, False)))
    # a village without a status row for the year is not "not NTM": its status is unknown
    villages["ntm_known"] = villages["code"].map(lambda c: c in ntm_now).astype(bool)
    villages = villages.sort_values("code", kind="stable").reset_index(drop=True)

    projects = _as_gdf(rd["projects"], crs, "projects")
    projects["project_id"] = _codes(projects["project_id"])
    projects["commune_code"] = _codes(projects["commune_code"])
    if "year_start" in projects.columns:
        ys = pd.to_numeric(projects["year_start"], errors="coerce")
        projects = projects[ys.isna() | (ys <= year)]
    projects = projects.copy()
    projects["criteria_set"] = projects["criteria"].map(_parse_criteria)
    projects["cap_total"] = pd.to_numeric(projects["cap_total"], errors="coerce").fillna(0.0)
    projects = projects.sort_values("project_id", kind="stable").reset_index(drop=True)

    lines = _as_gdf(rd["project_lines"], crs, "project_lines")
    if len(lines):
        lines["project_id"] = _codes(lines["project_id"])
        lines = lines[lines["project_id"].isin(set(projects["project_id"]))]
        lines = lines.sort_values("project_id", kind="stable").reset_index(drop=True)
    facilities = _as_gdf(rd["facilities"], crs, "facilities")
    if len(facilities):
        facilities["commune_code"] = _codes(facilities["commune_code"])
        facilities = facilities.sort_values("facility_id", kind="stable").reset_index(drop=True)
    roads = _as_gdf(rd["roads"], crs, "roads")

    targets: dict[int, int] = {}
    pt = rd["plan_targets"]
    if pt is not None:
        for c, v in zip(pt["criterion"], pt["target_communes"], strict=True):
            if v is not None and v == v:
                targets[int(c)] = int(v)
    funding = rd["funding_by_source"]
    if funding is None:
        funding = pd.DataFrame({"source": list(FUNDING_SOURCES), "plan": np.nan,
                                "projects_total": [float(projects.get(f"cap_{s}", pd.Series(
                                    dtype=float)).sum()) for s in FUNDING_SOURCES]})
    funding = pd.DataFrame(funding.drop(columns="geometry", errors="ignore"))

    district = _outline(np.asarray(communes.geometry.values))

    conf = workspace.raw.get("appendix", {}) if isinstance(workspace.raw, dict) else {}
    province = None
    if conf.get("province_outline"):
        ppath = workspace.root / str(conf["province_outline"])
        if not ppath.is_file():
            raise WorkspaceError(t("file_missing", lang, path=ppath), path=ppath)
        province = gpd.read_file(ppath)
        province = province.set_crs(crs) if province.crs is None else province.to_crs(crs)
    return AppendixData(
        workspace=workspace, year=year, years=years, communes=communes, status=status,
        status_all=status_all, villages=villages, village_status=vs, projects=projects,
        project_lines=lines, facilities=facilities, roads=roads, targets=targets,
        funding=funding, district=district, province=province,
        source_text=conf.get("source"), cset=cset, groups=groups,
        late=late_criteria(workspace, gpkg, status_all, cset, year, lang)
        if "commune_criteria" in present else {},
    )


def _outline(geoms: np.ndarray) -> shapely.Geometry:
    """The district outline: the union of its units.

    Slivers and holes that coarse neighbouring boundaries leave between them are
    dropped.
    """
    union = shapely.union_all(shapely.make_valid(geoms))
    parts = shapely.get_parts(union)
    parts = parts[shapely.get_type_id(parts) == 3]
    if len(parts) == 0:
        return union
    areas = shapely.area(parts)
    keep = parts[areas >= areas.max() * 0.01]
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(keep)))


def _parse_criteria(value: object) -> frozenset[int]:
    if value is None or value != value:
        return frozenset()
    out = set()
    for part in str(value).replace(",", ";").split(";"):
        part = part.strip()
        if part.isdigit():
            out.add(int(part))
    return frozenset(out)
