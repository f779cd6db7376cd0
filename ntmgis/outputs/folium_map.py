"""The monitoring layers as a :mod:`folium` map, in ntmgis's house style.

For notebook users who want a Leaflet map they can extend with folium's own
tools. The classes and colours are those of ntmgis's web map
(:mod:`ntmgis.outputs.webmap`): communes by the band of criteria met in a year
(``ntm``, ``15-18``, ``10-14``, ``lt10`` for the 19 criteria of QĐ 318; ``ntm``, ``8-9``,
``5-7``, ``lt5`` for the 10 of QĐ 51) or, for one criterion, met / not met;
villages black (NTM) or white (not yet); projects by their status in that year.
Every text comes from ntmgis's labels, Vietnamese by default.

::

    from ntmgis.outputs.folium_map import folium_map
    m = folium_map(ws, year=2025, criterion=5)        # a folium.Map
    m.save("tc05_2025.html")

Building the map needs no network. By default (``tiles=None``) the map has no
base tiles; pass ``tiles="OpenStreetMap"`` (or any folium tiles) for a base
map, which the browser then loads from the internet. As with every folium map,
the saved page loads Leaflet itself from a CDN; for maps that work fully
offline use ``ntmgis map`` (:func:`ntmgis.outputs.webmap.render_maps`).

Texts taken from the data (commune, village and project names) are
HTML-escaped before they reach a tooltip or a popup.

folium names every element with a random id; :func:`folium_map` replaces them
with sequential ids (:func:`pin_ids`), so the same data gives byte-identical
HTML. Call :func:`pin_ids` yourself on a map composed with
:func:`feature_groups`.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element
from folium.template import Template

from ntmgis.core.i18n import fmt_number
from ntmgis.outputs.folium_model import (
    COMMUNE_STYLE,
    OUTSIDE_OPACITY,
    PROJECT_RADIUS,
    VILLAGE_RADIUS,
    Layer,
    Model,
    build_model,
)
from ntmgis.outputs.webmap.strings import map_strings

__all__ = ["folium_map", "feature_groups", "map_legend", "pin_ids", "Legend"]


def _styler(colors: Mapping[str, str], base: Mapping[str, object],
            *, outside: bool = False) -> Callable[[dict], dict]:
    def style(feature: dict) -> dict:
        key = feature["properties"]["key"]
        s = {**base, "fillColor": colors[key]}
        if outside and key == "outside":
            s["fillOpacity"] = OUTSIDE_OPACITY
        return s

    return style


def _group(layer: Layer, *, points: str | None) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name=layer.name, overlay=True, control=True, show=True)
    data = {"type": "FeatureCollection", "features": layer.features}
    kw: dict[str, Any] = {}
    if points == "village":
        kw["marker"] = folium.CircleMarker(radius=VILLAGE_RADIUS, fill=True)
        style = _styler(layer.colors, {"color": "#222222", "weight": 1.2, "fillOpacity": 1.0})
    elif points == "project":
        kw["marker"] = folium.CircleMarker(radius=PROJECT_RADIUS, fill=True)
        style = _styler(layer.colors, {"color": "#1a1a1a", "weight": 1.0, "fillOpacity": 0.9})
    else:
        style = _styler(layer.colors, COMMUNE_STYLE, outside=True)
    folium.GeoJson(
        data, name=layer.name, style_function=style,
        # the properties are escaped HTML built here: shown as they are
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=360),
        **kw,
    ).add_to(fg)
    return fg


def feature_groups(layers: Any, *, year: int | None = None, criterion: int | None = None,
                   lang: str = "vi", villages: bool = True,
                   projects: bool = True) -> list[folium.FeatureGroup]:
    """The monitoring layers as folium feature groups, to compose a map of your own.

    Parameters
    ----------
    layers : MonitoringLayers, Workspace, str or Path
        The monitoring layers (:func:`ntmgis.read_layers`), or a built workspace
        (object or folder) to read them from.
    year : int, optional
        The year shown; any year of ``commune_status`` (default: the latest).
    criterion : int, optional
        Colour communes by whether they meet this criterion (a number of the layers'
        set: 1-19 for QĐ 318, 1-10 for QĐ 51) and draw only
        the projects serving it; default: communes by the band of criteria met.
    lang : {"vi", "en"}
        Language of the layer names, tooltips and popups.
    villages, projects : bool
        Include the villages (NTM or not in ``year``) and the projects (by
        their status in ``year``).

    Returns
    -------
    list of folium.FeatureGroup
        Communes, then villages, then projects (those asked for and present),
        each holding one :class:`folium.GeoJson` whose features carry
        ``properties["key"]`` (the legend class) and escaped ``tooltip`` and
        ``popup`` HTML. Their element ids are folium's random ones; see
        :func:`pin_ids`.

    Raises
    ------
    OptionError
        If ``year`` or ``criterion`` is not in the data.
    WorkspaceError
        If a workspace is given whose ``monitoring.gpkg`` has not been built.

    Examples
    --------
    >>> m = folium.Map(tiles=None)                                # doctest: +SKIP
    >>> for fg in feature_groups(layers, year=2025, criterion=5): # doctest: +SKIP
    ...     fg.add_to(m)
    >>> map_legend(layers, year=2025, criterion=5).add_to(m)      # doctest: +SKIP
    """
    model = build_model(layers, year=year, criterion=criterion, lang=lang, villages=villages,
                   projects=projects)
    return _groups(model)


def _groups(model: Model) -> list[folium.FeatureGroup]:
    out = [_group(model.communes, points=None)]
    if model.villages is not None:
        out.append(_group(model.villages, points="village"))
    if model.projects is not None:
        out.append(_group(model.projects, points="project"))
    return out


class Legend(folium.MacroElement):
    """A fixed legend box in the lower right corner of a folium map.

    Parameters
    ----------
    body : str
        The legend's inner HTML (already escaped).
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .ntm-legend {position: fixed; bottom: 24px; right: 10px; z-index: 1000;
            background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
            box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 sans-serif;
            max-width: 260px;}
          .ntm-legend h4 {margin: 0 0 4px; font-size: 13px;}
          .ntm-legend h5 {margin: 6px 0 2px; font-size: 12px;}
          .ntm-legend i {display: inline-block; width: 14px; height: 11px;
            margin-right: 5px; vertical-align: -1px; border: 1px solid #777;}
          .ntm-legend i.dot {border-radius: 50%; width: 10px; height: 10px;}
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="ntm-legend" id="{{ this.get_name() }}">{{ this.body }}</div>
        {% endmacro %}
    """)

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body


def _legend(model: Model) -> Legend:
    T = map_strings(model.lang)

    def section(title: str, layer: Layer, dot: bool) -> str:
        items = "".join(
            f"<div><i class='{'dot' if dot else 'box'}' style='background:{e.color}'></i>"
            f"{html.escape(e.text)} ({fmt_number(e.count, model.lang)})</div>"
            for e in layer.entries)
        return f"<h5>{html.escape(title)}</h5>{items}"

    body = f"<h4>{html.escape(T['legend'])}: {html.escape(model.title)}</h4>"
    body += section(T["communes"], model.communes, dot=False)
    if model.villages is not None:
        body += section(model.villages.name, model.villages, dot=True)
    if model.projects is not None:
        body += section(model.projects.name, model.projects, dot=True)
    return Legend(body)


def map_legend(layers: Any, *, year: int | None = None, criterion: int | None = None,
               lang: str = "vi", villages: bool = True, projects: bool = True) -> Legend:
    """The legend matching :func:`feature_groups` called with the same arguments.

    Parameters are those of :func:`feature_groups`.

    Returns
    -------
    Legend
        A :class:`folium.MacroElement`; ``.add_to(m)`` puts it on a map. Each
        class shows its colour, its label and how many features have it.
    """
    return _legend(build_model(layers, year=year, criterion=criterion, lang=lang,
                          villages=villages, projects=projects))


def pin_ids(element: Element, prefix: str = "ntm") -> Element:
    """Replace folium's random element ids by sequential ones, in place.

    folium names each element ``<kind>_<uuid4 hex>`` in the generated script,
    so two renders of the same map differ. After this call they are
    ``<kind>_<prefix>0001`` ... in tree order, and the HTML is reproducible.
    Give two maps shown in one page different prefixes.

    Parameters
    ----------
    element : branca Element
        Usually the map's figure (``m.get_root()``) or the map itself.
    prefix : str
        Start of every id.

    Returns
    -------
    Element
        ``element``, for chaining.
    """
    counter = [0]
    seen: set[int] = set()

    def visit(el: Element) -> None:
        if id(el) in seen:
            return
        seen.add(id(el))
        counter[0] += 1
        el._id = f"{prefix}{counter[0]:04d}"
        for attr in ("header", "html", "script"):  # Figure and Popup keep these apart
            sub = getattr(el, attr, None)
            if isinstance(sub, Element):
                visit(sub)
        children = getattr(el, "_children", None)
        if not children:
            return
        items = list(children.items())
        renamed: OrderedDict[str, Element] = OrderedDict()
        for key, child in items:
            auto = key == child.get_name()  # keyed by its name, not by a fixed key
            visit(child)
            renamed[child.get_name() if auto else key] = child
        el._children = renamed

    visit(element)
    return element


def folium_map(layers: Any, *, year: int | None = None, criterion: int | None = None,
               lang: str = "vi", villages: bool = True, projects: bool = True,
               tiles: str | None = None, legend: bool = True,
               layer_control: bool = True, deterministic: bool = True) -> folium.Map:
    """A folium map of the monitoring layers in ntmgis's house style.

    Parameters
    ----------
    layers : MonitoringLayers, Workspace, str or Path
        The monitoring layers (:func:`ntmgis.read_layers`), or a built workspace
        (object or folder) to read them from.
    year : int, optional
        The year shown; any year of ``commune_status`` (default: the latest).
    criterion : int, optional
        Colour communes met / not met for this criterion (a number of the layers'
        set: 1-19 for QĐ 318, 1-10 for QĐ 51) and draw only the projects serving it.
        Default: communes by the band of criteria met (NTM, 15-18, 10-14, below 10
        for QĐ 318; NTM, 8-9, 5-7, below 5 for QĐ 51), as on the overview web map.
    lang : {"vi", "en"}
        Language of every text (Vietnamese by default).
    villages, projects : bool
        Draw the villages and the projects.
    tiles : str, optional
        folium base tiles, e.g. ``"OpenStreetMap"`` (loaded by the browser from
        the internet). Default ``None``: no base map, nothing fetched.
    legend : bool
        Add the legend (lower right).
    layer_control : bool
        Add folium's layer switcher.
    deterministic : bool
        Pin the element ids (:func:`pin_ids`), so the same input renders the
        same HTML.

    Returns
    -------
    folium.Map
        Fitted to the communes; ``m.save("map.html")`` writes it, and in a
        notebook it displays itself.

    Raises
    ------
    OptionError
        If ``year`` or ``criterion`` is not in the data, or ``lang`` is unknown.
    WorkspaceError
        If a workspace is given whose ``monitoring.gpkg`` has not been built.

    Examples
    --------
    >>> m = folium_map(ntmgis.read_layers(ws), year=2025, criterion=5)  # doctest: +SKIP
    >>> m.save("tc05_2025.html")                                        # doctest: +SKIP
    """
    model = build_model(layers, year=year, criterion=criterion, lang=lang, villages=villages,
                   projects=projects)
    bounds = _bounds(model.communes.features)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=10, tiles=tiles, control_scale=True)
    for fg in _groups(model):
        fg.add_to(m)
    if legend:
        _legend(model).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    if deterministic:
        pin_ids(m.get_root())
    return m


def _bounds(features: list[dict]) -> list[list[float]]:
    """[[south, west], [north, east]] of GeoJSON features (Vietnam's box when empty)."""
    if not features:
        return [[8.2, 102.1], [23.4, 109.5]]
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    w, s, e, n = shapely.total_bounds(np.array(geoms, dtype=object))
    return [[float(s), float(w)], [float(n), float(e)]]
