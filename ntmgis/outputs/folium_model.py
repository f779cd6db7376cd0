"""What a folium map of the monitoring layers shows: features, colours and legend entries.

:mod:`ntmgis.outputs.folium_map` draws this model with folium; the model itself
needs no folium. Texts taken from the data are HTML-escaped here, before they
reach a tooltip or a popup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.core import palette
from ntmgis.core.bands import band_styles
from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.errors import CriteriaError, OptionError, WorkspaceError
from ntmgis.core.i18n import check_lang, fmt_money, fmt_number, label, t
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.monitoring.gpkg import metadata_criteria_set, read_layers
from ntmgis.outputs.webmap.strings import map_strings

# the web map's drawing (ntmgis/outputs/webmap/app.js)
COMMUNE_STYLE = {"color": "#555555", "weight": 0.8, "fillOpacity": 0.62}
OUTSIDE_OPACITY = 0.35
VILLAGE_RADIUS = 4.5
PROJECT_RADIUS = 6.0
STATUS_RANK = {"preparing": 0, "under_way": 1, "finished": 2}
RANK_STATUS = ("preparing", "under_way", "finished")
COORD_DECIMALS = 6  # ~0.1 m: smaller pages, same drawing


@dataclass(frozen=True)
class Entry:
    """One legend line: class key, text, colour and how many features have it."""

    key: str
    text: str
    color: str
    count: int


@dataclass(frozen=True)
class Layer:
    """One layer of the map: its name, GeoJSON features, colours and legend entries."""

    name: str
    features: list[dict]
    colors: dict[str, str]
    entries: list[Entry]


@dataclass(frozen=True)
class Model:
    """What one map shows: its year, criterion, title and the three layers."""

    year: int
    criterion: int | None
    lang: str
    title: str
    communes: Layer
    villages: Layer | None
    projects: Layer | None


# --------------------------------------------------------------------- input


def _layers_of(source: Any, lang: str) -> Any:
    """MonitoringLayers from MonitoringLayers, a Workspace or a workspace folder."""
    if hasattr(source, "commune_status") and hasattr(source, "communes"):
        return source
    if isinstance(source, (str, Path)):
        source = load_workspace(source)
    gpkg = Path(source.output_gpkg)
    if not gpkg.exists():
        raise WorkspaceError(t("not_built", lang, path=gpkg), path=gpkg)

    return read_layers(source)


def _years_of(status: pd.DataFrame) -> list[int]:
    return sorted({int(y) for y in status["year"].dropna()}) if len(status) else []


def _check_year(year: int | None, years: list[int], lang: str) -> int:
    if not years:
        raise OptionError(t("year_range", lang, value=year, lo="–", hi="–"))
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise OptionError(t("year_range", lang, value=year, lo=years[0], hi=years[-1]))
    return int(year)


def _criteria_set(layers: Any, source: Any, lang: str) -> CriteriaSet:
    """The commune set the layers were built on (their ``metadata``; QĐ 318 by default)."""
    ws = load_workspace(source) if isinstance(source, (str, Path)) else (
        source if isinstance(source, Workspace) else None)
    return metadata_criteria_set(getattr(layers, "metadata", None), ws, lang=lang)


def _check_criterion(criterion: int | None, status: pd.DataFrame, lang: str,
                     cset: CriteriaSet) -> int | None:
    if criterion is None:
        return None
    numbers = cset.numbers
    try:
        key = cset.get(int(criterion)).key
    except (CriteriaError, TypeError, ValueError):
        key = None
    if key is None or key not in status.columns:
        raise OptionError(t("criterion_range", lang, value=criterion, lo=min(numbers),
                            hi=max(numbers)))
    return int(criterion)


# ----------------------------------------------------------------- features


def text_of(v: object) -> str:
    """A cell as text ("" for null)."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def _int(v: object) -> int | None:
    """An integer, or None for a missing or unreadable value."""
    try:
        if v is None or pd.isna(v):
            return None
    except (TypeError, ValueError):
        return None
    return int(v)


def escaped(v: object) -> str:
    """HTML-escaped text of a cell (names come from users' files)."""
    return html.escape(text_of(v), quote=True)


def _row(name: str, value: str) -> str:
    """A popup line; both parts must already be escaped."""
    return f"<tr><th style='text-align:left;padding-right:6px'>{name}</th><td>{value}</td></tr>"


def _card(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(_row(html.escape(k), v) for k, v in rows)
    return (f"<div class='ntm-card'><b>{title}</b>"
            f"<table style='font-size:12px;margin-top:3px'>{body}</table></div>")


def geojson_geometry(geom: Any) -> dict | None:
    """A geometry as a GeoJSON mapping with rounded coordinates, or None when empty."""
    if geom is None or geom.is_empty:
        return None
    geom = shapely.transform(geom, lambda c: np.round(c, COORD_DECIMALS))
    return shapely.geometry.mapping(geom)


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return frame.to_crs("EPSG:4326") if frame.crs is not None else frame


def make_feature(fid: str, key: str, tip: str, popup: str, geom: dict, **props: object) -> dict:
    """A GeoJSON feature with the class key, tooltip and popup (already escaped)."""
    return {"type": "Feature", "id": fid,
            "properties": {"code": fid, "key": key, "tooltip": tip, "popup": popup, **props},
            "geometry": geom}


def _legend_entries(colors: dict[str, str], texts: dict[str, str], features: list[dict],
             always: tuple[str, ...] = ()) -> list[Entry]:
    counts: dict[str, int] = {}
    for f in features:
        counts[f["properties"]["key"]] = counts.get(f["properties"]["key"], 0) + 1
    return [Entry(k, texts[k], colors[k], counts.get(k, 0)) for k in colors
            if counts.get(k, 0) or k in always]


def _commune_layer(layers: Any, year: int, criterion: int | None, lang: str,
                   cset: CriteriaSet) -> Layer:
    T = map_strings(lang)
    communes = _to_wgs84(layers.communes)
    status = pd.DataFrame(layers.commune_status.drop(columns="geometry", errors="ignore"))
    status = status[status["year"].astype(int) == year]
    by_code = {str(r["code"]): r for _, r in status.iterrows()}
    band_colors, band_labels = band_styles(cset, lang)
    if criterion is None:
        colors = {**band_colors, "nodata": palette.MET_COLORS[""],
                  "outside": palette.OUTSIDE_COLOR}
        texts = dict(band_labels)
    else:
        colors = {"1": palette.MET_COLORS["1"], "0": palette.MET_COLORS["0"],
                  "nodata": palette.MET_COLORS[""], "outside": palette.OUTSIDE_COLOR}
        texts = {"1": label("met", "1", lang), "0": label("met", "0", lang)}
    texts.update({"nodata": T["no_data"], "outside": T["not_in_programme"]})
    ckey = cset.get(criterion).key if criterion is not None else None
    in_prog = (communes["in_programme"] if "in_programme" in communes
               else pd.Series(True, index=communes.index))
    features = []
    for (_, c), prog in zip(communes.iterrows(), in_prog.fillna(False), strict=True):
        code = text_of(c["code"])
        geom = geojson_geometry(c.geometry)
        if geom is None:
            continue
        st = by_code.get(code)
        rows: list[tuple[str, str]] = []
        if not bool(prog):
            key = "outside"
            rows.append((T["status"], html.escape(T["not_in_programme"])))
        elif st is None:
            key = "nodata"
        else:
            met, total = _int(st.get("criteria_met")), _int(st.get("criteria_total"))
            if criterion is None:
                key = text_of(st.get("band"))
                key = key if key in band_colors else "nodata"
            else:
                v = _int(st.get(ckey))
                key = "nodata" if v is None else str(v)
            if met is not None:
                rows.append((T["criteria_met"],
                             f"{fmt_number(met, lang)}/{fmt_number(total, lang)}"))
            if criterion is not None:
                cname = T["criterion_title"].format(
                    n=criterion, name=cset.get(criterion).name(lang))
                rows.append((cname, html.escape(texts[key])))
            else:
                rows.append((T["status"], html.escape(
                    T["ntm_yes"] if bool(st.get("ntm")) else T["ntm_no"])))
        if key == "nodata" and prog:
            rows.append((T["status"], html.escape(T["no_data"])))
        for col, name in (("villages", T["villages"]), ("projects", T["projects"]),
                          ("population", T["population"])):
            n = _int(c.get(col))
            if n is not None:
                rows.append((name, fmt_number(n, lang)))
        name = escaped(c.get("name"))
        tip = f"{name} – {html.escape(texts[key])}"
        popup = _card(f"{name} ({T['year']} {year})", rows)
        features.append(make_feature(code, key, tip, popup, geom))
    return Layer(T["communes"], features, colors,
                  _legend_entries(colors, texts, features, always=tuple(
                      k for k in colors if k not in ("nodata", "outside"))))


def _village_layer(layers: Any, year: int, lang: str) -> Layer | None:
    villages = getattr(layers, "villages", None)
    if villages is None or not len(villages):
        return None
    T = map_strings(lang)
    v = _to_wgs84(villages)
    vstatus = getattr(layers, "village_status", None)
    by_code: dict[str, Any] = {}
    if vstatus is not None and len(vstatus):
        st = pd.DataFrame(vstatus.drop(columns="geometry", errors="ignore"))
        st = st[st["year"].astype(int) == year]
        by_code = {str(r["code"]): r for _, r in st.iterrows()}
    colors = {"1": palette.VILLAGE_COLORS["1"], "0": palette.VILLAGE_COLORS["0"],
              "nodata": palette.VILLAGE_COLORS[""]}
    texts = {"1": T["village_ntm"], "0": T["village_not"], "nodata": T["no_data"]}
    features = []
    for _, r in v.iterrows():
        code = text_of(r["code"])
        st = by_code.get(code)
        rows = [(T["commune"], escaped(r.get("commune_name")))]
        if st is None:
            key = "nodata"
        else:
            met, total = _int(st.get("criteria_met")), _int(st.get("criteria_total"))
            ntm = st.get("ntm") if "ntm" in st else (met is not None and met == total)
            key = "1" if bool(ntm) else "0"
            if met is not None:
                rows.append((T["village_criteria"],
                             f"{fmt_number(met, lang)}/{fmt_number(total, lang)}"))
        rows.append((T["status"], html.escape(texts[key])))
        n = _int(r.get("population"))
        if n is not None:
            rows.append((T["population"], fmt_number(n, lang)))
        name = escaped(r.get("name"))
        features.append(make_feature(code, key, name, _card(f"{name} ({T['year']} {year})", rows),
                                 geojson_geometry(r.geometry)))
    return Layer(T["villages"], features, colors, _legend_entries(colors, texts, features))


def _criteria_list(v: object) -> list[int]:
    return [int(x) for x in text_of(v).replace(",", ";").split(";") if x.strip().isdigit()]


def status_in(status: object, start: object, end: object, year: int) -> str:
    """A project's status in ``year`` from its start/end years (as the web map does)."""
    rank = STATUS_RANK.get(text_of(status), 1)
    ys, ye = _int(start), _int(end)
    by_year = 0 if ys is not None and year < ys else (2 if ye is not None and year >= ye else 1)
    return RANK_STATUS[min(rank, by_year)]


def _project_layer(layers: Any, year: int, criterion: int | None, lang: str) -> Layer | None:
    projects = getattr(layers, "projects", None)
    if projects is None or not len(projects):
        return None
    T = map_strings(lang)
    p = _to_wgs84(projects)
    if criterion is not None:
        p = p[p["criteria"].map(lambda s: criterion in _criteria_list(s))]
    colors = dict(palette.STATUS_COLORS)
    texts = {k: label("status", k, lang) for k in colors}
    features = []
    for _, r in p.iterrows():
        key = status_in(r.get("status"), r.get("year_start"), r.get("year_end"), year)
        ys, ye = _int(r.get("year_start")), _int(r.get("year_end"))
        rows = [
            (T["category"], html.escape(label("category", text_of(r.get("category")) or "other",
                                              lang))),
            (T["location"], escaped(r.get("commune_name"))),
            (T["criteria_served"], html.escape(", ".join(
                str(n) for n in _criteria_list(r.get("criteria"))))),
            (T["years"], "–".join(str(y) for y in dict.fromkeys((ys, ye)) if y is not None)),
            (T["status"], html.escape(texts[key])),
            (T["funding_total"], f"{fmt_money(_num(r.get('cap_total')), lang)} "
                                 f"{html.escape(T['million'])}"),
        ]
        name = escaped(r.get("name"))
        pid = text_of(r.get("project_id"))
        features.append(make_feature(pid, key, name, _card(name, rows),
                                     geojson_geometry(r.geometry)))
    layer_name = T["projects"]
    if criterion is not None:
        layer_name += " (" + T["serving"].format(n=criterion) + ")"
    return Layer(layer_name, features, colors, _legend_entries(colors, texts, features))


def _num(v: object) -> float | None:
    try:
        return None if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return None


def build_model(source: Any, *, year: int | None, criterion: int | None, lang: str,
                villages: bool, projects: bool) -> Model:
    """Check the options and build the :class:`Model` of the map (see ``folium_map``)."""
    check_lang(lang)
    layers = _layers_of(source, lang)
    status = layers.commune_status
    year = _check_year(year, _years_of(status), lang)
    cset = _criteria_set(layers, source, lang)
    criterion = _check_criterion(criterion, status, lang, cset)
    T = map_strings(lang)
    if criterion is None:
        title = f"{T['view_count']} – {T['year']} {year}"
    else:
        title = (T["criterion_title"].format(n=criterion,
                                             name=cset.get(criterion).name(lang))
                 + f" – {T['year']} {year}")
    return Model(
        year=year, criterion=criterion, lang=lang, title=title,
        communes=_commune_layer(layers, year, criterion, lang, cset),
        villages=_village_layer(layers, year, lang) if villages else None,
        projects=_project_layer(layers, year, criterion, lang) if projects else None,
    )


# ------------------------------------------------------------------- folium
