"""The monitoring layers computed from the inputs: status by year, joins, summaries.

The layers and their columns are listed in ``docs/CONTRACT.md``. Rows are
sorted by code and year so that the same inputs give the same layers;
:mod:`ntmgis.monitoring.build` writes them.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.criteria import COMMUNE_CRITERIA, DEFAULT_SET, CriteriaSet
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, fmt_percent, label, t
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.safe_write import sha256_files
from ntmgis.core.version import __version__
from ntmgis.core.vocabulary import FUNDING_SOURCES as SOURCES
from ntmgis.core.vocabulary import is_urban_unit, parse_met
from ntmgis.inputs.load import Inputs
from ntmgis.inputs.projects import CAP_COLUMNS
from ntmgis.monitoring.checks import Located, locate_points
from ntmgis.monitoring.gpkg import MonitoringLayers
from ntmgis.monitoring.indicators import indicator_layers, merge_criteria
from ntmgis.monitoring.summaries import summaries

__all__ = ["commune_groups", "compute_layers"]

_m = catalog({
    "no_group_column": ("nhóm xã theo '{column}': lớp xã không có cột này (các cột: {columns})",
                        "grouping by '{column}': the communes layer has no such column "
                        "(columns: {columns})"),
})


def commune_groups(communes: pd.DataFrame, group_by: str | None = None,
                   default_code: str | None = None, default_name: str | None = None,
                   lang: str = "vi") -> dict[str, tuple[str, str]]:
    """Each commune's group above the commune: code -> (group code, group name).

    ``group_by`` names a column of the communes layer (a former district, a cluster);
    without it the district (``district_code``, named by ``district_name``). A commune
    without a value gets an empty group.
    """
    codes = list(communes["code"])

    def col(name: str) -> list[str]:
        if name not in communes:
            return [""] * len(codes)
        return ["" if v is None or v != v else str(v).strip() for v in communes[name]]

    if group_by is not None and group_by not in ("district_code", "district_name"):
        if group_by not in communes:
            cols = ", ".join(str(c) for c in communes.columns
                             if c != "geometry" and not str(c).startswith("_"))
            raise OptionError(_m("no_group_column", lang, column=group_by, columns=cols))
        vals = col(group_by)
        return {k: (v, v) for k, v in zip(codes, vals, strict=True)}
    gc, gn = col("district_code"), col("district_name")
    if not any(gc):
        gc = [default_code or ""] * len(codes)
    if not any(gn):
        gn = [default_name or ""] * len(codes)
    return {k: (a, b or a) for k, a, b in zip(codes, gc, gn, strict=True)}


def _multi(geoms: np.ndarray) -> np.ndarray:
    """Promote Polygon to MultiPolygon / LineString to MultiLineString (one type per layer)."""
    out = geoms.copy()
    kinds = shapely.get_type_id(out)
    poly = kinds == 3
    line = kinds == 1
    out[poly] = shapely.multipolygons(out[poly][:, None]) if poly.any() else out[poly]
    if line.any():
        out[line] = shapely.multilinestrings(out[line], indices=np.arange(int(line.sum())))
    return out


def _in_programme(communes: gpd.GeoDataFrame, status_codes: set[str] | None) -> np.ndarray:
    if "in_programme" in communes:
        return np.array([bool(parse_met(v)) for v in communes["in_programme"]])
    # Township-type units are outside the NTM programme unless the data says otherwise.
    urban = (np.array([is_urban_unit(u) for u in communes["unit_type"]], dtype=bool)
             if "unit_type" in communes else np.zeros(len(communes), bool))
    has = (communes["code"].isin(status_codes).to_numpy() if status_codes
           else np.ones(len(communes), bool))
    return ~urban & has


def _joined(mask: np.ndarray, nums: np.ndarray) -> np.ndarray:
    """Row-wise ";"-joined ``nums`` where ``mask`` is true, built once per distinct row pattern."""
    if mask.shape[1] > 62:
        return np.array([";".join(map(str, nums[r])) for r in mask], dtype=object)
    keys = mask.astype(np.int64) @ (np.int64(1) << np.arange(mask.shape[1], dtype=np.int64))
    uniq, inv = np.unique(keys, return_inverse=True)
    text = np.array([";".join(str(n) for k, n in enumerate(nums) if (int(u) >> k) & 1)
                     for u in uniq], dtype=object)
    return text[inv.ravel()]


def _wide_status(long: pd.DataFrame, units: pd.DataFrame, years: tuple[int, ...],
                 cset: CriteriaSet) -> pd.DataFrame:
    """One row per unit and year, one Int64 column per criterion (1/0/null)."""
    idx = pd.MultiIndex.from_product([units["code"].tolist(), list(years)],
                                     names=["code", "year"])
    sub = long.dropna(subset=["code", "year", "criterion"])
    sub = sub.drop_duplicates(subset=["code", "year", "criterion"], keep="first")
    wide = sub.pivot(index=["code", "year"], columns="criterion", values="met")
    wide = wide.reindex(index=idx, columns=list(cset.numbers))
    wide.columns = [cset.get(n).key for n in wide.columns]
    wide = wide.astype("Int64").reset_index()
    keys = list(cset.keys)
    vals = wide[keys].to_numpy(dtype="float64", na_value=np.nan)
    wide["criteria_met"] = np.nansum(vals == 1, axis=1).astype(int)
    wide["criteria_total"] = len(cset)
    wide["ntm"] = (vals == 1).all(axis=1)
    # Change since the previous year, criterion numbers joined with ";".
    prev = wide.groupby("code", sort=False)[keys].shift(1).to_numpy(dtype="float64",
                                                                      na_value=np.nan)
    nums = np.array(cset.numbers)
    gained = (vals == 1) & (prev == 0)
    lost = (vals == 0) & (prev == 1)
    wide["gained"] = _joined(gained, nums)
    wide["lost"] = _joined(lost, nums)
    return wide


def _located(inp: Inputs, name: str, ids: pd.Series, geoms: gpd.GeoSeries,
             declared: pd.Series, communes: gpd.GeoDataFrame) -> Located:
    """Where units lie: validation's answer when it covers them all, else computed."""
    cached = inp.located.get(name)
    if cached is not None and cached.index.is_unique and ids.isin(cached.index).all():
        c = cached.reindex(ids.to_numpy(dtype=object))
        return Located(c["located"].to_numpy(dtype=object), c["inside"].to_numpy(dtype=bool),
                       c["distance_m"].to_numpy(dtype=float))
    return locate_points(geoms, declared, communes)


def compute_layers(inp: Inputs, *, lang: str = "vi",
                   progress: Callable[[str], None] | None = None,
                   log: IssueLog | None = None, group_by: str | None = None
                   ) -> MonitoringLayers:
    """Join the inputs into the monitoring layers (no I/O but the indicator tables).

    Parameters
    ----------
    inp : Inputs
        What :func:`ntmgis.inputs.load.load_inputs` read; should have passed the checks.
    lang : {"vi", "en"}
        Language of the label columns (criteria names).
    progress : callable, optional
        Called with a short message at the start of each long step.
    log : IssueLog, optional
        Receives the indicators' warnings (a reported met its value contradicts,
        a criterion the indicators decide otherwise than the criteria table).
    group_by : str, optional
        The communes layer's column that groups communes above the commune (default: the
        district, ``district_code`` named by ``district_name``; after 2025 a former
        district or a cluster column; else the workspace's ``[area] group_by``).
        ``district_summary`` and ``district_overview`` get a row per group
        (``group_code``, ``group_name``) after the total's rows (group empty)
        when there is more than one group.

    Raises
    ------
    ValidationFailed
        When the indicator tables (read here unless ``inp`` carries
        ``indicator_values``) have errors and no ``log`` was given.
    """
    ws = inp.workspace
    years = ws.years
    # The workspace's commune set (``[criteria] commune_set``): its criteria are the
    # status columns, its size the bands.
    cset = getattr(inp, "commune_set", COMMUNE_CRITERIA)
    say = progress or (lambda _msg: None)
    say(t("step_join", lang))

    # Communes ------------------------------------------------------------
    c = inp.communes.sort_values("code", kind="stable").reset_index(drop=True)
    status_codes = set(inp.commune_status["code"].dropna()) if inp.commune_status is not None \
        else None
    communes = gpd.GeoDataFrame({
        "code": c["code"],
        "name": c["name"],
        "unit_type": c["unit_type"] if "unit_type" in c else "xã",
        "district_code": c["district_code"] if "district_code" in c else ws.district_code,
        "district_name": c["district_name"] if "district_name" in c else "",
        "province_code": c["province_code"] if "province_code" in c else ws.province_code,
        "province_name": c["province_name"] if "province_name" in c else ws.province,
        "in_programme": _in_programme(c, status_codes),
        "population": pd.array([None if v is None or v != v else int(float(v))
                                for v in (c["population"] if "population" in c
                                          else [None] * len(c))], dtype="Int64"),
        "area_km2": np.round(shapely.area(c.geometry.to_crs("EPSG:6933").to_numpy()) / 1e6, 3),
    }, geometry=_multi(c.geometry.to_numpy()), crs=ws.crs)
    cname = dict(zip(communes["code"], communes["name"], strict=True))
    prog = communes[communes["in_programme"]].reset_index(drop=True)

    # Commune status per year ----------------------------------------------
    cs = inp.commune_status if inp.commune_status is not None else pd.DataFrame(
        columns=["code", "year", "criterion", "met"])
    # Indicator values (only when the workspace has them: otherwise nothing changes).
    units = prog[["code", "name"]]
    if "group" in c:  # the communes layer's column mapped as ``group`` (commune group)
        units = units.assign(group=units["code"].map(dict(zip(c["code"], c["group"],
                                                               strict=True))))
    ind = indicator_layers(ws, units, log=log, values=getattr(inp, "indicator_values", None),
                           lang=lang)
    if ind is not None and ind.fills_commune_criteria():
        cs_cfg = ws.table("commune_status")
        cs = merge_criteria(cs, ind.criteria, log=log, path=cs_cfg.path if cs_cfg else None)
    # Reports by date or period (monthly, quarterly): the year's status is its latest
    # report; every report stays in commune_criteria (its ``date``) for ``--period``.
    dated = "date" in cs.columns
    if dated:  # rows merged from indicator values have only a year: its 31/12
        cs = cs.assign(date=cs["date"].where(cs["date"].notna(),
                                             cs["year"].astype("string") + "-12-31"))
        cs = cs.sort_values("date", ascending=False, kind="stable")
    wide = _wide_status(cs, prog, years, cset)
    wide["band"] = [cset.band(n) for n in wide["criteria_met"]]
    wide.loc[wide["ntm"], "band"] = "ntm"
    tgt = inp.commune_targets
    if tgt is not None:
        tmap = tgt.drop_duplicates("code").set_index("code")
        wide["target_ntm"] = (wide["code"].map(tmap["target_ntm"]).astype("boolean")
                              if "target_ntm" in tmap else pd.array([None] * len(wide),
                                                                    dtype="boolean"))
        wide["target_criteria"] = (wide["code"].map(tmap["target_criteria"]).astype("Int64")
                                   if "target_criteria" in tmap else pd.NA)
    else:
        wide["target_ntm"] = pd.array([None] * len(wide), dtype="boolean")
        wide["target_criteria"] = pd.array([None] * len(wide), dtype="Int64")
    wide.insert(1, "name", wide["code"].map(cname))
    geom_by_code = dict(zip(communes["code"], communes.geometry, strict=True))
    commune_status = gpd.GeoDataFrame(
        wide, geometry=[geom_by_code[k] for k in wide["code"]], crs=ws.crs)
    when = ["year", "date"] if dated else ["year"]
    commune_criteria = cs.loc[cs["code"].isin(set(prog["code"])) & cs["year"].notna()
                              & cs["criterion"].notna(), ["code", *when, "criterion", "met"]]
    commune_criteria = (commune_criteria.drop_duplicates(["code", when[-1], "criterion"])
                        .sort_values(["code", *when, "criterion"]).reset_index(drop=True))
    commune_criteria = commune_criteria.astype({"year": "int64", "criterion": "int64",
                                                "met": "Int64"})

    # Villages ---------------------------------------------------------------
    villages = village_status = vset_table = None
    vname: dict[str, str] = {}
    if inp.villages is not None:
        v = inp.villages.sort_values("code", kind="stable").reset_index(drop=True)
        loc = _located(inp, "villages", v["code"], v.geometry, v["commune_code"], communes)
        villages = gpd.GeoDataFrame({
            "code": v["code"], "name": v["name"], "commune_code": v["commune_code"],
            "commune_name": v["commune_code"].map(cname),
            "population": pd.array([None if x is None or x != x else int(float(x))
                                    for x in (v["population"] if "population" in v
                                              else [None] * len(v))], dtype="Int64"),
            "in_declared_commune": loc.inside_declared,
            "located_commune_code": loc.commune_code,
        }, geometry=shapely.point_on_surface(v.geometry.to_numpy()), crs=ws.crs)
        vname = dict(zip(villages["code"], villages["name"], strict=True))
        vs = inp.village_status
        vset = inp.village_set
        if vs is not None and vset is not None:
            vw = _wide_status(vs, villages, years, vset)
            vw = vw.drop(columns=["gained", "lost"])
            vw.insert(1, "name", vw["code"].map(vname))
            vw.insert(2, "commune_code", vw["code"].map(
                dict(zip(villages["code"], villages["commune_code"], strict=True))))
            vgeom = dict(zip(villages["code"], villages.geometry, strict=True))
            village_status = gpd.GeoDataFrame(vw, geometry=[vgeom[k] for k in vw["code"]],
                                              crs=ws.crs)
            vset_table = pd.DataFrame({
                "number": [cr.number for cr in vset], "key": [cr.key for cr in vset],
                "name_vi": [cr.name_vi for cr in vset], "name_en": [cr.name_en for cr in vset]})

    # Projects ---------------------------------------------------------------
    projects = project_lines = None
    if inp.projects is not None:
        p = inp.projects.sort_values("project_id", kind="stable").reset_index(drop=True)
        geoms = p.geometry.to_numpy()
        kinds = shapely.get_type_id(geoms)
        is_line = np.isin(kinds, (1, 2, 5))
        is_poly = np.isin(kinds, (3, 6))
        pts = geoms.copy()
        ok = ~shapely.is_missing(geoms)
        pts[is_line] = shapely.line_interpolate_point(
            shapely.line_merge(geoms[is_line]), 0.5, normalized=True)
        pts[is_poly] = shapely.point_on_surface(geoms[is_poly])
        loc = _located(inp, "projects", p["project_id"], gpd.GeoSeries(geoms, crs=ws.crs),
                       p["commune_code"], communes)
        dist_v = np.full(len(p), np.nan)
        if villages is not None and "village_code" in p:
            vgeom = dict(zip(villages["code"], villages.geometry, strict=True))
            target = np.array([vgeom.get(k) for k in p["village_code"]], dtype=object)
            has = ok & np.array([g is not None for g in target])
            dist_v[has] = np.round(shapely.distance(geoms[has], target[has]), 1)
        crit_names = [
            "; ".join(cset.get(int(n)).name(lang) for n in s.split(";") if n)
            for s in p["criteria"]]
        projects = gpd.GeoDataFrame({
            "project_id": p["project_id"], "name": p["name"], "category": p["category"],
            "commune_code": p["commune_code"], "commune_name": p["commune_code"].map(cname),
            "village_code": p["village_code"] if "village_code" in p else None,
            "village_name": (p["village_code"].map(vname) if "village_code" in p else None),
            "criteria": p["criteria"], "criteria_names": crit_names,
            "year_start": p["year_start"].astype("Int64"),
            "year_end": p["year_end"].astype("Int64"), "status": p["status"],
            **{col: p[col].astype(float) for col in (*CAP_COLUMNS, "cap_total", "disbursed")},
            "geom_kind": np.where(is_line, "line", np.where(is_poly, "polygon", "point")),
            "in_declared_commune": loc.inside_declared,
            "located_commune_code": loc.commune_code,
            "dist_to_village_m": dist_v,
        }, geometry=pts, crs=ws.crs)
        projects = projects[ok].reset_index(drop=True)
        if is_line.any():
            lp = p[is_line]
            project_lines = gpd.GeoDataFrame({
                "project_id": lp["project_id"].to_numpy(), "name": lp["name"].to_numpy(),
                "category": lp["category"].to_numpy(), "status": lp["status"].to_numpy(),
                "commune_code": lp["commune_code"].to_numpy(),
                "cap_total": lp["cap_total"].to_numpy(float),
            }, geometry=_multi(geoms[is_line]), crs=ws.crs)

    facilities = roads = None
    if inp.facilities is not None:
        f = inp.facilities.sort_values("facility_id", kind="stable").reset_index(drop=True)
        facilities = gpd.GeoDataFrame({
            "facility_id": f["facility_id"], "name": f["name"], "type": f["type"],
            "commune_code": f["commune_code"] if "commune_code" in f else None,
            "village_code": f["village_code"] if "village_code" in f else None,
        }, geometry=shapely.point_on_surface(f.geometry.to_numpy()), crs=ws.crs)
    if inp.roads is not None:
        r = inp.roads.sort_values("road_id", kind="stable").reset_index(drop=True)
        roads = gpd.GeoDataFrame({
            "road_id": r["road_id"], "name": r["name"] if "name" in r else "",
            "road_class": r["road_class"] if "road_class" in r else "village_track",
        }, geometry=_multi(r.geometry.to_numpy()), crs=ws.crs)

    # District summaries -------------------------------------------------------
    n_prog = len(prog)
    targets = {}
    share_text = {}
    if inp.plan_targets is not None:
        for row in inp.plan_targets.itertuples():
            if row.criterion is not pd.NA:
                targets[int(row.criterion)] = row.target_communes
                share_text[int(row.criterion)] = getattr(row, "target_share_text", None)
    # the command's --group-by, else the workspace's [area] group_by, else the district
    by = group_by if group_by is not None else ws.group_by
    groups = commune_groups(c, by, ws.district_code, ws.name, lang)
    if by not in (None, "district_code", "district_name"):
        # a grouping of the user's own (a cluster) travels with the communes, so that
        # the maps can draw its lines; grouped by district the layer is as it was
        communes["group_code"] = [groups[k][0] for k in communes["code"]]
        communes["group_name"] = [groups[k][1] for k in communes["code"]]
    prog_groups = {k: groups[k] for k in prog["code"]}
    district_summary, district_overview = summaries(
        wide, village_status, villages, cset, years, targets, prog_groups)
    plan_targets = None
    if targets:
        plan_targets = pd.DataFrame({
            "criterion": list(cset.numbers),
            "name_vi": [cr.name_vi for cr in cset],
            "target_communes": pd.array([targets.get(n) for n in cset.numbers],
                                        dtype="Int64"),
            "communes_total": n_prog,
            "target_share_text": [share_text.get(n) or (
                fmt_percent(targets[n] / n_prog, "vi") if targets.get(n) is not None and n_prog
                else None) for n in cset.numbers],
        })

    # Funding ------------------------------------------------------------------
    funding_by_source = funding_by_commune = funding_by_criterion = None
    if projects is not None:
        plan = {}
        if inp.plan_funding is not None:
            plan = dict(zip(inp.plan_funding["source"], inp.plan_funding["plan"], strict=True))
        funding_by_source = pd.DataFrame({
            "source": list(SOURCES),
            "name_vi": [label("source", s, "vi") for s in SOURCES],
            "name_en": [label("source", s, "en") for s in SOURCES],
            "plan": [plan.get(s) for s in SOURCES],
            "projects_total": [float(projects[f"cap_{s}"].sum()) for s in SOURCES],
        })
        funding_by_source["difference"] = (funding_by_source["projects_total"]
                                           - funding_by_source["plan"].astype(float))
        cap_cols = [f"cap_{s}" for s in SOURCES]
        g = projects.groupby("commune_code")
        fc = g[[*cap_cols, "cap_total", "disbursed"]].sum()
        fc["projects"] = g.size()
        fc = fc.reindex(communes["code"]).fillna(0).reset_index()
        fc = fc.rename(columns={"code": "commune_code"})
        fc.insert(1, "commune_name", fc["commune_code"].map(cname))
        fc["projects"] = fc["projects"].astype(int)
        funding_by_commune = fc
        ex = projects.assign(criterion=projects["criteria"].str.split(";")).explode("criterion")
        ex = ex[ex["criterion"].fillna("") != ""]
        ex["criterion"] = ex["criterion"].astype(int)
        gc = ex.groupby("criterion")
        fk = gc[[*cap_cols, "cap_total"]].sum()
        fk["projects"] = gc.size()
        fk = fk.reindex(list(cset.numbers)).fillna(0).reset_index()
        fk.insert(1, "name_vi", [cset.get(n).name_vi for n in fk["criterion"]])
        fk["projects"] = fk["projects"].astype(int)
        funding_by_criterion = fk
        communes["projects"] = communes["code"].map(g.size()).fillna(0).astype(int)
    else:
        communes["projects"] = 0
    communes["villages"] = (communes["code"].map(villages.groupby("commune_code").size())
                            .fillna(0).astype(int) if villages is not None else 0)

    metadata = pd.DataFrame({
        "key": ["area", "province", "crs", "data_date", "years", "ntmgis_version",
                "inputs_sha256", "village_set"],
        "value": [ws.name, ws.province, ws.crs, ws.data_date,
                  f"{years[0]}-{years[-1]}", __version__, sha256_files(ws.input_paths()),
                  ws.village_set_name],
    })
    indicator_status = None
    set_key = cset.key if cset.key != DEFAULT_SET else None
    if ind is not None:
        indicator_status = ind.status
        set_key = ind.criteria_set.key
    if set_key is not None:  # readers take QĐ 318 when the file names no set
        metadata = pd.concat([metadata, pd.DataFrame(
            {"key": ["criteria_set"], "value": [set_key]})], ignore_index=True)
    return MonitoringLayers(
        communes=communes, commune_status=commune_status, villages=villages,
        village_status=village_status, projects=projects, project_lines=project_lines,
        facilities=facilities, roads=roads, commune_criteria=commune_criteria,
        village_criteria_set=vset_table, district_summary=district_summary,
        district_overview=district_overview, plan_targets=plan_targets,
        funding_by_source=funding_by_source, funding_by_commune=funding_by_commune,
        funding_by_criterion=funding_by_criterion, metadata=metadata,
        indicator_status=indicator_status)
