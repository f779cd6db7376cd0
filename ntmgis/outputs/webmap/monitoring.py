"""The monitoring maps: overview, one map per criterion, and the list page.

The monitoring layers are turned once into a compact model (geometry once,
attributes per year as short strings, style keys precomputed) and each page
takes the parts it needs; the layers' data blocks are built in
:mod:`ntmgis.outputs.webmap.blocks`. See ``docs/webmap.md``.
"""

from __future__ import annotations

import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core import palette as styles
from ntmgis.core.bands import band_styles
from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, check_lang, fmt_number, labels, t
from ntmgis.core.periods import Period, parse_period
from ntmgis.core.progress import Progress, as_progress
from ntmgis.core.safe_write import atomic_set, check_output_paths, require_writable
from ntmgis.core.text import slug
from ntmgis.core.vocabulary import FUNDING_SOURCES
from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.gpkg import layers_criteria_set
from ntmgis.outputs.report_programme import OFFICE_DIR, workspace_office
from ntmgis.outputs.webmap.blocks import (
    _commune_block,
    _enum,
    _num,
    _pack_flags,
    _project_block,
    _s,
    _strs,
    _village_block,
    commune_shapes,
    last_year_ended,
    met_arrays,
    village_criteria_names,
)
from ntmgis.outputs.webmap.encode import encode_points, latlon_bounds, to_wgs84
from ntmgis.outputs.webmap.group_lines import group_lines
from ntmgis.outputs.webmap.levels import admin_levels, mask_polygons, unit_shapes
from ntmgis.outputs.webmap.list_page import list_page
from ntmgis.outputs.webmap.milestones import map_milestones, milestone_summary_text
from ntmgis.outputs.webmap.packed import Ragged
from ntmgis.outputs.webmap.page import assemble_page
from ntmgis.outputs.webmap.period import period_info, period_layers
from ntmgis.outputs.webmap.provenance import map_notes
from ntmgis.outputs.webmap.reading import (
    ROAD_SIMPLIFY_M,
    load_monitoring_layers,
    read_for_maps,
    roads_block,
)
from ntmgis.outputs.webmap.refs import glines_on_arcs
from ntmgis.outputs.webmap.simplify import MapCoverage, map_coverage, release_memory
from ntmgis.outputs.webmap.strings import map_strings

__all__ = ["render_maps", "load_monitoring_layers", "SIMPLIFY_TOLERANCE_M"]

# coverage_simplify tolerance (m): deviations stay below ~30 m, invisible at the opening zoom
SIMPLIFY_TOLERANCE_M = 35.0
# above this many communes the map draws provinces, then districts, then communes by zoom
LOD_MIN_COMMUNES = 300
#: The folder of ``maps/`` holding one set of maps per reporting period (``map --period``).
PERIOD_DIR = "ky"

_m = catalog({
    "office_none": ("{office} không chủ trì, phối hợp tiêu chí nào: không có bản đồ để vẽ",
                    "{office} leads or supports no criterion: there is no map to draw"),
    "step_model": ("Chuẩn bị bản đồ (đơn giản hóa ranh giới, mã hóa các lớp)",
                   "Preparing the maps (simplifying boundaries, encoding the layers)"),
}, t)
TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": "© OpenStreetMap contributors",
}


def _get(layers: Any, name: str) -> Any:
    """A layer of ``layers`` or None (optional layers may be absent)."""
    return getattr(layers, name, None)


@dataclass
class _Base:
    """The page-independent part of the model (computed once for all pages)."""

    common: dict
    packed: dict  # the parts of `common` as written into the pages
    commune_index: dict[str, int]
    years: list[int]
    coverage_valid: bool
    cset: CriteriaSet  # the commune criteria set the layers were built on
    # per year, the communes' criteria as an (n, k) array of b"1"/b"0"/b"-", b"." for
    # no row (the summaries of the 20 pages count from it)
    met: dict[str, np.ndarray]


def _base_model(ws: Any, layers: Any, *, lang: str, online_tiles: bool,
                level_of_detail: bool | None = None, years: list[int] | None = None,
                period: tuple[Period, Any] | None = None,
                coverage: MapCoverage | None = None, road_block: dict | None = None,
                made: tuple[tuple[dict, Any], list] | None = None) -> _Base:
    # made: _coverage_shapes(coverage), already made (while the layers were read)
    if coverage is None:
        coverage = map_coverage(ws, _get(layers, "communes"), SIMPLIFY_TOLERANCE_M, lang=lang)
    communes = coverage.communes
    lod = bool(level_of_detail or (level_of_detail is None and len(communes) > LOD_MIN_COMMUNES))
    geo, valid, alone = coverage.simplified
    # GEOS and PROJ let go of Python's lock: the communes' and units' geometry, the
    # bounds and the group lines are made in a second thread while this one builds the
    # other blocks; each is made as it would be alone, so the bytes do not depend on the
    # timing. The warning filter is set here, once: filters are global, a thread's own
    # would race.
    with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=1) as pool:
        warnings.simplefilter("ignore", RuntimeWarning)
        if made is None:
            shapes = pool.submit(commune_shapes, communes, geo, valid)
        else:
            shapes = _done(made[0])
        units = pool.submit(unit_shapes, communes, geo, alone=alone if valid else None) \
            if lod else None
        bounds = pool.submit(_bounds, communes) if made is None else _done(made[1])
        glines = pool.submit(_group_lines, communes, geo, ws, lang, valid, shapes)
        return _model(ws, layers, coverage, lang=lang, online_tiles=online_tiles, years=years,
                      period=period, road_block=road_block, shapes=shapes, units=units,
                      bounds=bounds, glines=glines)


def _group_lines(communes: gpd.GeoDataFrame, geo: gpd.GeoSeries, ws: Any, lang: str,
                 valid: bool, shapes: Future) -> dict | None:
    """:func:`group_lines`, and the lines as references to the communes' arcs (refs.py).

    Both made in the model's second thread: the page's assembly then finds the
    references made (:func:`~.refs.glines_on_arcs`).
    """
    glines = group_lines(communes, geo, ws, lang=lang, strings=map_strings(lang), valid=valid)
    arcs = shapes.result()[0].get("arcs")
    if glines is not None and isinstance(arcs, Ragged) and isinstance(glines["geom"], Ragged) \
            and glines["geom"].kind == "c":
        glines_on_arcs(glines["geom"], arcs)
    return glines


def _done(value: Any) -> Future:
    """A future already holding ``value``."""
    f: Future = Future()
    f.set_result(value)
    return f


def _coverage_shapes(coverage: MapCoverage) -> tuple[tuple[dict, Any], list]:
    """The communes' encoded geometry (:func:`commune_shapes`) and the map's bounds.

    Made by :func:`read_for_maps` in its main thread once the coverage is simplified,
    while its second thread is still reading the layers: GEOS and PROJ let go of
    Python's lock, and the thread of the other blocks has that much less to do.
    """
    geo, valid, _alone = coverage.simplified
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return commune_shapes(coverage.communes, geo, valid), _bounds(coverage.communes)


def _bounds(communes: gpd.GeoDataFrame) -> list:
    """The map's bounds (lat/lon) from the communes' convex hulls.

    The extreme vertices of the communes are among those of their convex hulls (a
    few per commune: not the whole boundaries reprojected).
    """
    return latlon_bounds(to_wgs84(gpd.GeoSeries(shapely.convex_hull(communes.geometry.values),
                                                crs=communes.crs)))


def _model(ws: Any, layers: Any, coverage: MapCoverage, *, lang: str, online_tiles: bool,
           years: list[int] | None, period: tuple[Period, Any] | None,
           road_block: dict | None, shapes: Future, units: Future | None, bounds: Future,
           glines: Future) -> _Base:
    """:func:`_base_model`, the geometry coming from the futures made beside it."""
    communes = coverage.communes
    metric = communes.crs
    years = years or [int(y) for y in ws.years]
    cset = layers_criteria_set(layers, ws, lang=lang)
    cindex = {c: i for i, c in enumerate(_strs(communes["code"]))}
    vnames = village_criteria_names(ws, layers, lang)
    vblock = _village_block(_get(layers, "villages"), _get(layers, "village_status"), cindex,
                            years, vnames)
    projects = _get(layers, "projects")
    if projects is None:
        projects = gpd.GeoDataFrame({c: [] for c in ("project_id", "name", "category",
                                                      "commune_code", "criteria", "year_start",
                                                      "year_end", "status")},
                                    geometry=[], crs=communes.crs)
    projects = projects[projects.geometry.notna() & ~projects.geometry.is_empty]
    projects = projects.sort_values("project_id").reset_index(drop=True)
    for s in FUNDING_SOURCES:
        if f"cap_{s}" not in projects:
            projects[f"cap_{s}"] = 0.0
    # optional columns of the contract that a hand-made layer may lack
    for col, default in (("criteria", ""), ("year_start", np.nan), ("year_end", np.nan),
                         ("status", ""), ("category", "other"), ("commune_code", "")):
        if col not in projects:
            projects[col] = default
    pxy = to_wgs84(projects).values if len(projects) else np.empty(0, dtype=object)
    # every project once, shared by all pages: a criterion map keeps those serving
    # its criterion in the browser (app.js, ``pfilter``), so the block is built,
    # serialised and compressed once instead of once per page
    pblock, plines_block = _project_block(projects, np.asarray(pxy, dtype=object),
                                          _get(layers, "project_lines"), cindex, years,
                                          {c: i for i, c in enumerate(vblock["code"])},
                                          metric=metric, line_tolerance=ROAD_SIMPLIFY_M)
    facilities = _get(layers, "facilities")
    fblock: dict = {"name": [], "type": [], "xy": []}
    if facilities is not None and len(facilities):
        f = facilities[facilities.geometry.notna() & ~facilities.geometry.is_empty]
        f = f.sort_values("facility_id") if "facility_id" in f else f
        fblock = {"name": _strs(f.get("name", pd.Series("", f.index))),
                  "type": _enum(f.get("type", pd.Series("", f.index))),
                  "xy": encode_points(to_wgs84(f).values)}
    rblock = road_block if road_block is not None else roads_block(_get(layers, "roads"),
                                                                    metric)
    cblock, cstat, valid, cgeo, alone = _commune_block(communes, _get(layers, "commune_status"),
                                                       years, SIMPLIFY_TOLERANCE_M, cset,
                                                       simplified=coverage.simplified,
                                                       shapes=shapes.result())
    admin = None
    unit_geoms: dict[str, gpd.GeoSeries] = {}
    if units is not None:
        pcom = np.array([cindex.get(c, -1) for c in _strs(projects["commune_code"])],
                        dtype=np.int64)
        pcap = projects[[f"cap_{s}" for s in FUNDING_SOURCES]].apply(
            pd.to_numeric, errors="coerce").fillna(0.0).sum(axis=1).to_numpy(dtype="float64")
        admin = admin_levels(communes, cgeo, cstat, len(cset), vblock, pcom, pcap,
                             bands=tuple(cset.bands), alone=alone if valid else None,
                             unit_geoms=unit_geoms, shapes=units.result())

    hill = None
    if getattr(ws, "elevation", None) is not None and Path(ws.elevation).exists():
        from ntmgis.outputs.webmap.hillshade import render_hillshade

        mask = gpd.GeoSeries(mask_polygons(cgeo, unit_geoms), crs=communes.crs).to_crs(3857)
        hs = render_hillshade(ws.elevation, mask_geoms=mask.values)
        hill = {"src": hs.data_uri, "bounds": hs.bounds}

    targets = {}
    pt = _get(layers, "plan_targets")
    if pt is not None and len(pt):
        for n, v in zip(pt["criterion"], pt["target_communes"], strict=True):
            if _num(v, 0) is not None:
                targets[str(int(n))] = _num(v, 0)

    band_colors, band_labels = band_styles(cset, lang)
    strings = map_strings(lang)
    glines = glines.result()
    moments = [Period.of_year(y) for y in years]
    if period is not None:  # the period stands in its year's place
        moments[-1] = period[0]
    miles = map_milestones(ws, layers, cset, moments, cindex, lang=lang)
    common = {
        "lang": lang,
        "T": strings,
        "labels": {**{k: labels(k, lang) for k in ("status", "category", "facility",
                                                   "road_class", "source")},
                   "class": band_labels},
        "styles": {
            "class": band_colors, "met": styles.MET_COLORS,
            "change": styles.CHANGE_COLORS, "status": styles.STATUS_COLORS,
            "village": styles.VILLAGE_COLORS, "outside": styles.OUTSIDE_COLOR,
            "shapes": styles.CATEGORY_SHAPES,
            "facility": styles.FACILITY_LETTERS["en" if lang == "en" else "vi"],
            "roads": styles.ROAD_STYLES,
        },
        "area": _s(ws.name),
        # a province's own workspace names itself once ("Tỉnh Lai Châu", not twice)
        "province": "" if _s(getattr(ws, "province", "")).strip().casefold()
        == _s(ws.name).strip().casefold() else _s(getattr(ws, "province", "")),
        "data_date": _s(getattr(ws, "data_date", "")),
        "years": years,
        "plan_year": int(getattr(ws, "plan_year", years[-1])),
        "plan_ntm": _num(getattr(getattr(ws, "plan", None), "ntm_communes", None), 0),
        "notes": map_notes(ws, lang),
        "bounds": bounds.result(),
        "hill": hill,
        "tiles": TILES if online_tiles else None,
        "criteria": [[c.number, c.name(lang), c.group] for c in cset],
        # a set without sections (QĐ 51 as recorded) shows its own name over its criteria
        "groups": [[g, (en if lang == "en" else vi) or cset.name(lang),
                    [c.number for c in cs]] for g, vi, en, cs in cset.groups()],
        "targets": targets,
        "sources": list(FUNDING_SOURCES),
        "communes": cblock,
        "cstat": cstat,
        "admin": admin,
        "villages": vblock,
        "facilities": fblock,
        "roads": rblock,
    }
    # only a workspace of several groups, or with a roadmap, carries these
    if glines is not None:
        common["glines"] = glines
    if miles is not None:
        common["milestones"] = miles
    if period is not None:
        common["period"] = period_info(period[0], period[1], lang)
    # what the pages carry: the per-year criteria strings packed (the raw ones stay
    # in `common` for the summaries computed here)
    n_c, k_c = len(cblock["code"]), len(cset)
    if period is not None:  # villages and projects are kept by year: the last one ended
        last_year_ended(vblock, pblock, projects, period[0].year)
    packed = {
        "cstat": {y: {**v, "m": _pack_flags(v["m"], n_c, k_c)} for y, v in cstat.items()},
        "villages": {**vblock, "st": {y: _pack_flags(v, len(vblock["code"]), vblock["k"])
                                      for y, v in vblock["st"].items()}},
        "projects": pblock,
        "plines": plines_block,
    }
    return _Base(common=common, packed=packed, commune_index=cindex, years=years,
                 coverage_valid=valid, cset=cset, met=met_arrays(cstat, n_c, k_c))


def _page_model(base: _Base, *, year: int, criterion: int | None = None,
                title: str) -> dict:
    """The data of one page: the shared model (projects included) and the page's own keys.

    Every page carries all the projects (shared, compressed once); a criterion
    page names its criterion in ``pfilter`` and app.js keeps the projects that
    serve it.
    """
    data = dict(base.common)
    data.update(base.packed)
    data["summary"] = _summaries(base, criterion)
    if criterion is not None and data.get("admin"):
        # per unit and year the communes meeting the criterion, apart from the
        # shared admin block (app.js puts them back as ``mk``)
        data["admk"] = _admin_for_criterion(base, data["admin"], criterion)
    data.update({
        "kind": "criterion" if criterion else "overview",
        "criterion": criterion,
        "title": title,
        "year": year,
        "pfilter": criterion,
    })
    return data


def _met_rows(base: _Base, year: int) -> list[str]:
    """The criteria strings of the communes with a status row in ``year``."""
    m = base.common["cstat"].get(str(year), {"m": ""})["m"]
    k = len(base.cset)
    rows = [m[i:i + k] for i in range(0, len(m), k)]
    return [r for r in rows if not r.startswith(".")]


def _admin_for_criterion(base: _Base, admin: dict, criterion: int) -> list[dict]:
    """Per level, per year: the number of communes of each unit meeting ``criterion``."""
    k = len(base.cset)
    pos = base.cset.numbers.index(criterion)
    n = len(base.commune_index)
    levels = []
    for lv in admin["levels"]:
        unit_of = np.asarray(lv["cu"], dtype=np.int64)
        per_year = {}
        for y in lv["y"]:
            arr = base.met.get(y)
            if arr is not None and arr.shape == (n, k):
                met = arr[:, pos] == b"1"
            else:
                met = np.zeros(n, dtype=bool)
            per_year[y] = np.bincount(unit_of, weights=met,
                                      minlength=len(lv["code"])).astype(int).tolist()
        levels.append(per_year)
    return levels


def _summaries(base: _Base, criterion: int | None) -> dict[str, str]:
    """The title block's line per year: NTM communes and average, or one criterion's count."""
    T = base.common["T"]
    lang = base.common["lang"]
    out = {}

    def vs_plan(x: str) -> str:
        return "(" + T["vs_plan"].format(year=base.common["plan_year"], x=x) + ")"

    k = len(base.cset)
    for y in base.years:
        arr = base.met.get(str(y))
        # the communes with a status row that year, a column per criterion: met or not
        ones = (arr[arr[:, 0] != b"."] == b"1") if arr is not None and k \
            else np.zeros((0, k), dtype=bool)
        n = len(ones)
        if criterion is None:
            ntm = int(ones.all(axis=1).sum())
            text = T["ntm_communes"].format(n=fmt_number(ntm, lang), total=fmt_number(n, lang))
            plan_ntm = base.common.get("plan_ntm")
            if plan_ntm is not None and n:
                text += " " + vs_plan(f"{fmt_number(plan_ntm, lang)}/{fmt_number(n, lang)}")
            if n:
                avg = int(ones.sum()) / n
                text += " · " + T["avg_criteria"].format(x=fmt_number(avg, lang, 2))
                tg = base.common["targets"]
                if all(str(c) in tg for c in base.cset.numbers):
                    # the plan's criteria met per commune: its targets summed over the criteria
                    text += " " + vs_plan(fmt_number(
                        sum(tg[str(c)] for c in base.cset.numbers) / n, lang, 2))
        else:
            pos = base.cset.numbers.index(criterion)
            met = int(ones[:, pos].sum())
            text = T["communes_met"].format(met=fmt_number(met, lang),
                                            total=fmt_number(n, lang))
            target = base.common["targets"].get(str(criterion))
            if target is not None:
                text += " · " + T["communes_target"].format(year=base.common["plan_year"],
                                                            n=fmt_number(target, lang))
        road = milestone_summary_text(base.common.get("milestones"), y, criterion, T, lang)
        out[str(y)] = text + (" · " + road if road else "")
    return out


def _resolve_workspace(workspace: Any, lang: str) -> Any:
    if isinstance(workspace, (str, Path)):
        return load_workspace(workspace)
    return workspace


def render_maps(workspace: Any, *, lang: str = "vi", overwrite: bool = False,
                year: int | None = None, online_tiles: bool = True,
                layers: Any = None, level_of_detail: bool | None = None,
                office: str | None = None, period: str | Period | None = None,
                progress: Progress | None = None) -> list[Path]:
    """Render the overview, one map per criterion and the list page into ``maps/``.

    Parameters
    ----------
    workspace : Workspace or path
        The workspace (``ntmgis.core.workspace.load_workspace``) or its folder.
    lang : {"vi", "en"}
        Language of the maps.
    overwrite : bool
        Replace existing maps; without it an existing map raises
        :class:`~ntmgis.core.errors.OutputExistsError` before anything is written.
        The pages are replaced all together, or not at all
        (:func:`ntmgis.core.safe_write.atomic_set`).
    year : int, optional
        The year the maps open on (default: the latest year of the workspace).
    online_tiles : bool
        Offer an OpenStreetMap layer that the user can switch on (off at opening).
    layers : MonitoringLayers, optional
        Already read monitoring layers (default: read ``monitoring.gpkg``).
    level_of_detail : bool, optional
        Draw provinces, then districts, then communes as the user zooms in,
        with villages and projects from the communes' zoom on (default: when
        there are more than ``LOD_MIN_COMMUNES`` communes).

    period : str or Period, optional
        ``2025-Q3``, ``2025-6T``, ``2025-9T``, ``2025-T10``: the maps open on the
        period, shown in its year's place as known at its end (change since the
        previous period of the same kind, the day last reported); later years are
        left out (:mod:`ntmgis.outputs.webmap.period`). A year is the same as ``year``.
    office : str, optional
        An office's name or code in ``[tables.offices]``: only the maps of the criteria
        it leads or supports, and their list, in ``maps/co-quan/<office>/`` (no
        overview: it counts every criterion).
    progress : Progress, optional
        Told each step and each page written (:class:`ntmgis.core.progress.Progress`);
        the maps are the same with or without it.

    Returns
    -------
    list of Path
        ``maps/index.html``, ``maps/criteria/tc01.html`` ... (one per criterion of
        the layers' set: ``tc19.html`` for QĐ 318, ``tc10.html`` for QĐ 51),
        ``maps/list.html``; with ``office``, ``maps/co-quan/<office>/criteria/tcNN.html``
        for its criteria and ``maps/co-quan/<office>/list.html``. With a ``period``
        shorter than a year, the same names under ``<maps>/ky/<period>/``.

    Raises
    ------
    OptionError
        A year outside the workspace's, an unknown office (the message lists them), no
        offices table, or an office with no criteria (exit 2).
    """
    check_lang(lang)
    bar = as_progress(progress)
    ws = _resolve_workspace(workspace, lang)
    years = [int(y) for y in ws.years]
    per = parse_period(period, lang=lang) if period is not None else None
    if per is not None and per.kind == "year":  # yearly data work as they are
        year, per = per.year, None
    if per is not None:
        year = per.year
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise OptionError(t("year_range", lang, value=year, lo=years[0], hi=years[-1]))
    year = int(year)
    check_output_paths(ws, lang)
    maps_dir = Path(ws.maps_dir)
    coverage = rblock = made = None
    own = layers is None
    if own:  # first: the set it was built on names the criterion maps
        bar.step(_m("step_read", lang))
        layers = load_monitoring_layers(ws, lang=lang, only=("communes", "metadata"))
    cset = layers_criteria_set(layers, ws, lang=lang)
    chosen, office_name = list(cset), None
    if office is not None:  # before anything is drawn: an unknown office is a quick error
        office_name, numbers = workspace_office(ws, office, cset, lang=lang)
        if not numbers:
            raise OptionError(_m("office_none", lang, office=office_name))
        chosen = [c for c in cset if c.number in numbers]
        maps_dir = maps_dir / OFFICE_DIR / slug(office_name)
    if per is not None:
        maps_dir = maps_dir / PERIOD_DIR / per.key
    targets = [] if office_name else [maps_dir / "index.html"]
    targets += [maps_dir / "criteria" / f"{c.key}.html" for c in chosen]
    targets.append(maps_dir / "list.html")
    for p in targets:  # refuse before anything is drawn
        require_writable(p, overwrite, lang, ws=ws)
    bar.step(_m("step_model", lang))
    if own:  # the coverage is made while the other layers are read (reading.py)
        layers, coverage, rblock, made = read_for_maps(
            ws, layers, SIMPLIFY_TOLERANCE_M, lang=lang,
            history=True if per is not None else None, then=_coverage_shapes)
    at = None
    if per is not None:  # the years before the period, then the period in its year's place
        layers, vals = period_layers(layers, cset, per, lang=lang)
        years, at = [y for y in years if y <= per.year], (per, vals)
    base = _base_model(ws, layers, lang=lang, online_tiles=online_tiles,
                       level_of_detail=level_of_detail, years=years, period=at,
                       coverage=coverage, road_block=rblock, made=made)
    coverage = rblock = made = None
    # the model holds what the pages need: the layers read here (hundreds of MB for
    # the whole country) are freed before the pages are serialised
    layers = None
    release_memory()
    T = base.common["T"]

    pages: list[tuple[Path, str, dict]] = []
    if office_name is None:
        title = f"{T['overview']} – {base.common['area']}"
        pages.append((targets[0], title, _page_model(base, year=year, title=T["overview"])))
    for c, path in zip(chosen, targets[-1 - len(chosen):-1], strict=True):
        ctitle = T["criterion_title"].format(n=c.number, name=c.name(lang))
        if office_name:
            ctitle += f" · {office_name}"
        pages.append((path, f"{ctitle} – {base.common['area']}",
                      _page_model(base, year=year, criterion=c.number, title=ctitle)))
    # the pages share most of their data: serialise it once
    shared = set(base.common) | set(base.packed)
    cache: dict[str, str] = {}
    # The set is written into a temporary folder and swapped in when every page is
    # there: an interrupted run leaves the previous set whole, never a mix of two
    # (of two languages, say) that link to each other.
    bar.begin(len(targets), "pages")
    with atomic_set(targets, overwrite=overwrite, lang=lang, ws=ws) as staging:
        for path, page_title, data in pages:
            bar.step(data["title"])
            text = assemble_page(data, title=page_title, lang=lang, cache=cache, shared=shared)
            staging.path(path).write_text(text, encoding="utf-8")
            bar.advance()
        bar.step(T["all_maps"])
        staging.path(targets[-1]).write_text(
            list_page(base.common, _met_rows(base, year), year=year, lang=lang, office=office_name,
                       criteria=[c.number for c in chosen]), encoding="utf-8")
        bar.advance()
    return targets
