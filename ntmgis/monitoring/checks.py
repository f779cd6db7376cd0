"""``ntmgis validate``: every problem of a workspace's data, with where it is and what was expected.

The readers in :mod:`ntmgis.inputs` report per-cell problems (missing
columns, bad values, CRS); this module adds the checks across files: codes
that do not exist or repeat, invalid geometries, overlaps and gaps between
communes, points outside their declared commune, funding totals against the
plan. Errors make ``validate`` exit non-zero and stop ``build``; warnings do not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core.errors import DataError
from ntmgis.core.i18n import fmt_money, fmt_number, label
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.safe_write import atomic_output
from ntmgis.core.text import display_name, fold
from ntmgis.core.vocabulary import is_urban_unit
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.columns import ROW, add_messages, find_column, report
from ntmgis.inputs.load import Inputs, load_inputs
from ntmgis.inputs.roadmap import ALIASES as ROADMAP_ALIASES
from ntmgis.inputs.tables import read_table
from ntmgis.monitoring.coverage_checks import (
    MIN_AREA_M2,
    CoverageFindings,
    coverage_gaps,
    find_coverage_faults,
    overlaps,
)
from ntmgis.monitoring.crosswalk import aggregate

add_messages({
    "roadmap_too_many": ("mục tiêu {value} xã nhiều hơn số xã trong chương trình ({total})",
                         "a target of {value} communes is more than the communes in the "
                         "programme ({total})"),
    "roadmap_too_many.expected": ("tối đa {total} xã", "at most {total} communes"),
    "roadmap_not_in_programme": ("xã {value} không thuộc chương trình (thị trấn, hoặc không "
                                 "có trong bảng kết quả tiêu chí)",
                                 "commune {value} is not in the programme (a township, or "
                                 "not in the criteria status table)"),
    "roadmap_not_in_programme.expected": ("mã một xã trong chương trình",
                                          "the code of a commune in the programme"),
    "crosswalk": ("{reason}", "{reason}"),
    "crosswalk.expected": (
        "mỗi đơn vị của lớp xã có đúng một dòng trong bảng chuyển đổi, và ngược lại",
        "each unit of the communes layer on exactly one crosswalk row, and the reverse",
    ),
})

__all__ = ["validate", "check_inputs", "Located", "locate_points", "overlaps", "coverage_gaps"]


def _path(ws: Workspace, layer: str | None = None, table: str | None = None) -> Path | None:
    cfg = ws.layer(layer) if layer else ws.table(table)
    return cfg.path if cfg else None


def _duplicates(df: pd.DataFrame, col: str, path: Path | None, log: IssueLog,
                column: str) -> None:
    vals = df[col]
    missing = vals.isna().to_numpy()
    dup = vals.duplicated().to_numpy() & ~missing
    if not (missing.any() or dup.any()):
        return
    first = df.groupby(col, sort=False)[ROW].transform("first").to_numpy()
    rows = df[ROW].to_numpy()
    for i in np.flatnonzero(missing | dup):
        if missing[i]:
            log.error("missing_value", "missing_value", file=path, row=int(rows[i]),
                      column=column)
        else:
            log.error("duplicate_code", "duplicate_code", file=path, row=int(rows[i]),
                      column=column, value=vals.iloc[i], first=int(first[i]))


def _unit(code: object, names: dict) -> str:
    """``"Xã Một (00001)"``, or the code alone for a unit without a name (never ``nan (…)``).

    The name as displayed (``"Xã Pa ủ"`` reads ``"Xã Pa Ủ"``); the code is the key.
    """
    name = names.get(code)
    if name is None or (isinstance(name, float) and np.isnan(name)) or not str(name).strip():
        return str(code)
    return f"{display_name(name)} ({code})"


def _src(df: pd.DataFrame, canon: str) -> str:
    return df.attrs.get("source_columns", {}).get(canon, canon)


@dataclass
class Located:
    """Where points fall: the commune they lie in (preferring the declared one) and distances."""

    commune_code: np.ndarray  # the commune the point lies in, or None
    inside_declared: np.ndarray  # bool
    distance_m: np.ndarray  # distance to the declared commune (0 inside)


def locate_points(points: gpd.GeoSeries, declared: pd.Series,
                  communes: gpd.GeoDataFrame) -> Located:
    """Decide which commune each point lies in.

    A point in the overlap of two communes belongs to its declared commune (the
    real boundaries overlap by about 1,2 km²; the declaration settles it). For
    lines and polygons the representative point is used.
    """
    geoms = points.to_numpy()
    pts = shapely.point_on_surface(geoms)
    cgeoms = communes.geometry.to_numpy()
    shapely.prepare(cgeoms)  # many points per commune: prepared point-in-polygon
    codes = communes["code"].to_numpy(dtype=object)
    by_code = dict(zip(codes, cgeoms, strict=True))
    decl = declared.to_numpy(dtype=object)
    n = len(pts)
    located = np.empty(n, dtype=object)
    inside = np.zeros(n, dtype=bool)
    dist = np.full(n, np.nan)
    valid = ~shapely.is_missing(pts)
    decl_geom = np.array([by_code.get(c) for c in decl], dtype=object)
    has_decl = np.array([g is not None for g in decl_geom]) & valid
    inside[has_decl] = shapely.intersects(decl_geom[has_decl], pts[has_decl])
    dist[inside] = 0.0
    away = has_decl & ~inside  # distances only for the few points outside
    dist[away] = shapely.distance(decl_geom[away], geoms[away])
    located[inside] = decl[inside]
    rest = np.flatnonzero(valid & ~inside)
    if len(rest):
        tree = shapely.STRtree(cgeoms)
        pi, ci = tree.query(pts[rest], predicate="intersects")
        # First hit per point, by commune code order, so the result is deterministic.
        order = np.lexsort((codes[ci].astype(str), pi))
        seen = set()
        for k in order:
            if pi[k] not in seen:
                seen.add(pi[k])
                located[rest[pi[k]]] = codes[ci[k]]
    return Located(located, inside, dist)


def check_inputs(inp: Inputs, log: IssueLog, *, background: bool = False
                 ) -> Callable[[], None]:
    """The checks across files; readers have already checked cells.

    Parameters
    ----------
    inp : Inputs
        What :func:`~ntmgis.inputs.load.load_inputs` read.
    log : IssueLog
        Receives the issues.
    background : bool
        Look for overlaps and gaps between communes in a second thread. They only
        ever give warnings, so a caller that goes on (``build``) calls the returned
        function to log them, before it reports or returns. Without it they are
        logged in place.

    Returns
    -------
    callable
        Logs the overlaps and gaps (once; a no-op when they are already logged).
    """
    ws = inp.workspace
    communes = inp.communes
    cpath = _path(ws, layer="communes")
    ccodes: set[str] = set()
    finish: Callable[[], None] = _nothing
    if communes is not None:
        _duplicates(communes, "code", cpath, log, _src(communes, "code"))
        ccodes = {c for c in communes["code"] if c}
        geoms = communes.geometry.to_numpy()
        # The reader has reported missing and empty geometries (and set them to None).
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        valid = shapely.is_valid(geoms)
        invalid = ~empty & ~valid
        for i in np.flatnonzero(invalid):
            row, code = int(communes[ROW].iloc[i]), communes["code"].iloc[i]
            log.error("invalid_geometry", "invalid_geometry", file=cpath, row=row,
                      column="geometry", value=code, reason=shapely.is_valid_reason(geoms[i]))
        ok = communes[valid & ~empty]
        names = dict(zip(communes["code"], communes["name"], strict=True))
        found = find_coverage_faults(ok, background=background)
        # bound now: ``names`` is a different dict further down
        finish = _once(partial(_log_faults, found, names, cpath, ws, log))
        if not background:
            finish()
    cs = inp.commune_status
    if cs is not None and ccodes:
        path = _path(ws, table="commune_status")
        _unknown_codes(cs, "code", ccodes, path, log, where="communes")
        _duplicate_status(cs, path, log)
        if "name" in cs and communes is not None:
            # A unit without a name in the layer (the reader warned) has nothing to compare.
            names = {c: fold(n, strip_unit=True) for c, n in zip(communes["code"],
                                                                   communes["name"], strict=True)
                     if isinstance(n, str) and n.strip()}
            pairs = cs.drop_duplicates(["code", "name"])  # one check per distinct spelling
            for code, name, row in zip(pairs["code"], pairs["name"], pairs[ROW], strict=True):
                if code in names and name:
                    if fold(name, strip_unit=True) != names[code]:
                        log.warning("name_mismatch", "name_mismatch", file=path, row=int(row),
                                    column=_src(cs, "name"), value=name, code=code,
                                    expected=communes.loc[communes["code"] == code,
                                                          "name"].iloc[0])
    villages = inp.villages
    vcodes: set[str] = set()
    if villages is not None:
        vpath = _path(ws, layer="villages")
        _duplicates(villages, "code", vpath, log, _src(villages, "code"))
        vcodes = {c for c in villages["code"] if c}
        if ccodes:
            _unknown_codes(villages, "commune_code", ccodes, vpath, log, where="communes")
            # Villages without a geometry were reported by the reader; nothing to locate.
            inp.located["villages"] = _outside(villages[villages.geometry.notna()],
                                               "commune_code", communes, vpath, log)
    if inp.village_status is not None and vcodes:
        path = _path(ws, table="village_status")
        _unknown_codes(inp.village_status, "code", vcodes, path, log, where="villages")
        _duplicate_status(inp.village_status, path, log)
    fac = inp.facilities
    if fac is not None:
        fpath = _path(ws, layer="facilities")
        _duplicates(fac, "facility_id", fpath, log, _src(fac, "facility_id"))
        if ccodes and "commune_code" in fac:
            _unknown_codes(fac[fac["commune_code"].notna()], "commune_code", ccodes, fpath, log,
                           where="communes")
    pr = inp.projects
    if pr is not None:
        ppath = _path(ws, table="projects")
        if ccodes:
            _unknown_codes(pr, "commune_code", ccodes, ppath, log, where="communes")
            inp.located["projects"] = _outside(pr[pr.geometry.notna()], "commune_code",
                                               communes, ppath, log)
        if vcodes and "village_code" in pr:
            has_v = pr[pr["village_code"].notna()]
            _unknown_codes(has_v, "village_code", vcodes, ppath, log, where="villages")
            if villages is not None:
                _far_from_village(has_v[has_v["village_code"].isin(vcodes)], villages,
                                  ws.village_distance_m, ppath, log)
        if inp.plan_funding is not None:
            _funding_totals(pr, inp.plan_funding, ppath, log)
    if inp.roadmap is not None and communes is not None:
        _check_roadmap(inp, ccodes, log)
    if communes is not None:
        _check_crosswalk(ws, communes, log)
    if ws.elevation is not None:
        _check_elevation(ws.elevation, log)
    return finish


def _nothing() -> None:
    """Nothing left to log."""


def _once(f: Callable[[], None]) -> Callable[[], None]:
    """``f``, run on the first call only."""
    done = []

    def run() -> None:
        if not done:
            done.append(True)
            f()
    return run


def _log_faults(found: CoverageFindings, names: dict, cpath: Path | None, ws: Workspace,
                log: IssueLog) -> None:
    """Log the overlaps larger than 1.000 m² and the gaps, as warnings."""
    lang = log.lang
    ov, gaps = found.result()
    for a, b, area in ov[ov["area_m2"] > MIN_AREA_M2].itertuples(index=False):
        log.warning("overlap", "overlap", file=cpath, column="geometry", value=f"{a}/{b}",
                    a=_unit(a, names), b=_unit(b, names),
                    area=fmt_number(area / 1e6, lang, 3))
    for hole in gaps:
        c = hole.representative_point()
        log.warning("gap", "gap", file=cpath, column="geometry",
                    value=f"{c.x:.0f}, {c.y:.0f}", area=fmt_number(hole.area / 1e6, lang, 3),
                    where=f"{c.x:.0f}, {c.y:.0f} ({ws.crs})")


# Why an elevation raster cannot be read, in words a user can act on (vi, en).
_ELEVATION_UNREADABLE = (
    "tệp độ cao bị hỏng hoặc không đầy đủ (có thể do sao chép dở dang); sao chép lại tệp gốc",
    "the elevation file is damaged or incomplete (perhaps an interrupted copy); copy the "
    "original again",
)


def _check_elevation(path: Path, log: IssueLog) -> None:
    """Open the elevation raster and read a thumbnail and its last blocks.

    ``map`` and ``query access --by terrain`` read it whole; a file cut short
    opens fine and fails only where its data stop, so validate and build read
    the end of the file too (the cheapest read that finds a truncation) rather
    than let those commands be the first to find out.
    """
    if not Path(path).is_file():
        log.error("file_unreadable", "file_unreadable", file=path, path=path,
                  reason="không có tệp" if log.lang != "en" else "no such file")
        return
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    try:
        with rasterio.open(path) as src:
            src.read(1, out_shape=(min(src.height, 64), min(src.width, 64)))
            bh, bw = src.block_shapes[0]
            row0 = max(0, src.height - bh)
            src.read(1, window=Window(0, row0, src.width, src.height - row0))
    except RasterioError:
        log.error("file_unreadable", "file_unreadable", file=path, path=path,
                  reason=_ELEVATION_UNREADABLE[log.lang == "en"])


def _check_crosswalk(ws: Workspace, communes: gpd.GeoDataFrame, log: IssueLog) -> None:
    """Run the 2025 crosswalk as ``build`` does, so that validate reports what build would.

    The dissolve is done on the communes alone (no status): what can fail is the
    crosswalk against the layer (a unit missing, named twice, a code with two names).
    """
    cfg = ws.table("crosswalk_2025")
    if cfg is None:
        return
    if not Path(cfg.path).is_file():
        log.error("file_missing", "file_missing", file=cfg.path, path=log._rel(cfg.path))
        return
    units = communes[communes.geometry.notna()]
    if not len(units):
        return  # no commune to dissolve; the reader has said why
    status = pd.DataFrame({"code": pd.Series([], dtype=object),
                           "year": pd.Series([], dtype="Int64")})
    try:
        aggregate({"communes": units, "commune_status": status}, cfg.path,
                  fields=cfg.fields or None, lang=log.lang)
    except DataError as exc:
        report(log, "error", "crosswalk", "crosswalk", file=cfg.path, row=exc.row,
               column=exc.column, value=exc.value, reason=str(exc))


def _unknown_codes(df: pd.DataFrame, col: str, known: set[str], path: Path | None,
                   log: IssueLog, *, where: str) -> None:
    what = {"communes": {"vi": "lớp ranh giới xã", "en": "the communes layer"},
            "villages": {"vi": "lớp bản", "en": "the villages layer"}}[where][log.lang]
    vals = df[col]
    bad = df.loc[vals.notna() & ~vals.isin(known)].drop_duplicates(col)
    for code, row in zip(bad[col], bad[ROW], strict=True):
        log.error("unknown_code", "unknown_code", file=path, row=int(row),
                  column=_src(df, col), value=code, where=what)


def _roadmap_column(ws: Workspace, canon: str) -> str:
    """The roadmap file's own name of a column (the reader keeps only canonical names)."""
    cfg = ws.table("roadmap")
    cands = (cfg.fields[canon],) if canon in cfg.fields else ROADMAP_ALIASES[canon]
    df = read_table(cfg, ws, IssueLog())
    return (find_column([c for c in df.columns if c != ROW], cands) if df is not None
            else None) or cands[0]


def _check_roadmap(inp: Inputs, ccodes: set[str], log: IssueLog) -> None:
    """Roadmap targets against the communes: known codes, counts within the programme."""
    ws, rm = inp.workspace, inp.roadmap
    path = _path(ws, table="roadmap")
    communes = inp.communes
    if inp.commune_status is not None and len(inp.commune_status):
        programme = set(inp.commune_status["code"].dropna()) & ccodes
    else:
        urban = ({c for c, u in zip(communes["code"], communes["unit_type"], strict=True)
                  if is_urban_unit(u)} if "unit_type" in communes else set())
        programme = ccodes - urban
    own = rm[(rm["scope"] == "commune").to_numpy(dtype=bool)]
    if len(own):
        col = _roadmap_column(ws, "code")
        for code, row in zip(own["code"], own[ROW], strict=True):
            if code not in ccodes:
                log.error("unknown_code", "unknown_code", file=path, row=int(row), column=col,
                          value=code, where="lớp ranh giới xã" if log.lang != "en"
                          else "the communes layer")
            elif programme and code not in programme:
                report(log, "warning", "roadmap_target", "roadmap_not_in_programme",
                       file=path, row=int(row), column=col, value=code)
    counts = rm[rm["target_communes"].notna().to_numpy(dtype=bool)]
    too_many = counts[(counts["target_communes"] > len(programme)).to_numpy(dtype=bool)]
    if programme and len(too_many):
        col = _roadmap_column(ws, "target_communes")
        for n, row in zip(too_many["target_communes"], too_many[ROW], strict=True):
            report(log, "error", "roadmap_target", "roadmap_too_many", file=path, row=int(row),
                   column=col, value=int(n), total=len(programme))


def _duplicate_status(df: pd.DataFrame, path: Path | None, log: IssueLog) -> None:
    # reports by date: several a year are normal, the same day twice is not
    when = "date" if "date" in df.columns else "year"
    sub = df.dropna(subset=["code", "year", "criterion"])
    keys = ["code", when, "criterion"]
    dup = sub.duplicated(subset=keys, keep="first")
    if not dup.any():
        return
    first = sub.groupby(keys, sort=False)[ROW].transform("first")
    for (code, at, crit, row, col), f in zip(
            sub.loc[dup, [*keys, ROW, "_column"]].itertuples(index=False),
            first[dup], strict=True):
        log.error("duplicate_code", "duplicate_code", file=path, row=int(row), column=col,
                  value=f"{code}/{at}/TC{crit}", first=f)


def _outside(points: gpd.GeoDataFrame, col: str, communes: gpd.GeoDataFrame,
             path: Path | None, log: IssueLog) -> pd.DataFrame:
    """Report points outside their declared commune; return where each one lies."""
    idcol = "project_id" if "project_id" in points else "code"
    known = points[points[col].isin(set(communes["code"]))]
    if not len(known):
        return pd.DataFrame(columns=["located", "inside", "distance_m"])
    loc = locate_points(known.geometry, known[col], communes)
    names = dict(zip(communes["code"], communes["name"], strict=True))
    for i in np.flatnonzero(~loc.inside_declared):
        row = known[ROW].iloc[i]
        where = loc.commune_code[i]
        log.warning("outside_commune", "outside_commune", file=path, row=int(row),
                    column=_src(known, col), value=known[idcol].iloc[i],
                    declared=_unit(known[col].iloc[i], names),
                    distance=fmt_number(loc.distance_m[i], log.lang),
                    located=_unit(where, names) if where else "–")
    return pd.DataFrame({"located": loc.commune_code, "inside": loc.inside_declared,
                         "distance_m": loc.distance_m},
                        index=pd.Index(known[idcol].to_numpy(dtype=object)))


def _far_from_village(pr: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, limit: float,
                      path: Path | None, log: IssueLog) -> None:
    vgeom = dict(zip(villages["code"], villages.geometry, strict=True))
    target = np.array([vgeom[c] for c in pr["village_code"]], dtype=object)
    ok = pr.geometry.notna().to_numpy()
    dist = np.full(len(pr), np.nan)
    dist[ok] = shapely.distance(pr.geometry.to_numpy()[ok], target[ok])
    for i in np.flatnonzero(dist > limit):
        log.warning("village_far", "village_far", file=path, row=int(pr[ROW].iloc[i]),
                    column=_src(pr, "village_code"), value=pr["project_id"].iloc[i],
                    distance=fmt_number(dist[i], log.lang), limit=fmt_number(limit, log.lang))


def _funding_totals(pr: pd.DataFrame, funding: pd.DataFrame, path: Path | None,
                    log: IssueLog) -> None:
    for source, plan in zip(funding["source"], funding["plan"], strict=True):
        if plan is None or f"cap_{source}" not in pr:
            continue
        actual = float(pr[f"cap_{source}"].sum())
        if abs(actual - plan) > 0.5:
            log.warning("funding_total", "funding_total", file=path, column=f"cap_{source}",
                        value=fmt_money(actual, log.lang), source=label("source", source, log.lang),
                        actual=fmt_money(actual, log.lang), plan=fmt_money(plan, log.lang))


def validate(ws: Workspace, *, lang: str = "vi", csv_path: str | Path | None = None
             ) -> IssueLog:
    """Check every input of the workspace; return the list of issues.

    Parameters
    ----------
    ws : Workspace
        The workspace to check. Input files are only read.
    lang : {"vi", "en"}
        Language of the messages.
    csv_path : path, optional
        Also write the issues to this CSV.

    Returns
    -------
    IssueLog
        ``log.errors`` and ``log.warnings``; nothing is raised for bad data.
    """
    log = IssueLog(lang=lang, root=ws.root)
    inp = load_inputs(ws, log)
    check_inputs(inp, log)
    if csv_path is not None:
        with atomic_output(csv_path, overwrite=True, lang=lang) as tmp:
            log.write_csv(tmp)
    return log
