"""Maps of arbitrary result layers (e.g. ``ntmgis query ... --map``).

Same page, same offline libraries and same safety rules as the monitoring
maps; the layers are given as GeoDataFrames with an optional category
column that colours them and fills the legend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.core.i18n import check_lang, fmt_number
from ntmgis.core.palette import OKABE_ITO
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.outputs.webmap.encode import encode_geometries, latlon_bounds, to_wgs84
from ntmgis.outputs.webmap.monitoring import TILES
from ntmgis.outputs.webmap.page import assemble_page
from ntmgis.outputs.webmap.provenance import map_notes
from ntmgis.outputs.webmap.strings import map_strings

__all__ = ["ResultLayer", "render_result_map"]


@dataclass(frozen=True)
class ResultLayer:
    """One layer of a result map.

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        Features in any CRS (reprojected to EPSG:4326); points, lines and
        polygons may be mixed. Rows without geometry are left out.
    name : str
        Label in the layer panel and the legend.
    category : str, optional
        Column whose values colour the features; the legend lists each value
        with its count.
    colors : mapping, optional
        Category value -> CSS colour (default: Okabe-Ito palette by sorted value).
    labels : mapping, optional
        Category value -> legend label (default: the value).
    color : str
        Colour of every feature when there is no ``category``.
    fields : sequence of str, optional
        Columns shown in the popup (default: all except the geometry).
    field_labels : mapping, optional
        Column -> label in the popup.
    title_field : str, optional
        Column used as popup heading, tooltip and in the search box
        (default: ``name`` if the layer has it).
    group : str, optional
        Heading of the layer in the layer panel (default "Kết quả"/"Results").
    visible : bool
        Whether the layer is shown when the map opens.
    radius : float
        Radius of point symbols in pixels.
    fill_opacity : float
        Opacity of polygon fills (0 draws outlines only).
    """

    data: gpd.GeoDataFrame
    name: str
    category: str | None = None
    colors: Mapping[Any, str] | None = None
    labels: Mapping[Any, str] | None = None
    color: str = "#0072B2"
    fields: Sequence[str] | None = None
    field_labels: Mapping[str, str] | None = None
    title_field: str | None = None
    group: str | None = None
    visible: bool = True
    radius: float = 6.0
    fill_opacity: float = 0.55


def _cell(v: object, lang: str) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return ("Có" if v else "Không") if lang != "en" else ("yes" if v else "no")
    if isinstance(v, (int, np.integer)):
        return fmt_number(int(v), lang)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer():
            return fmt_number(f, lang)
        return fmt_number(f, lang, 2 if abs(f) < 1000 else 1)
    return str(v)


def _layer_data(layer: ResultLayer, lang: str) -> tuple[dict, gpd.GeoSeries]:
    gdf = layer.data
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"ResultLayer {layer.name!r}: data must be a GeoDataFrame, "
                        f"got {type(gdf).__name__}")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    geo = to_wgs84(gdf)
    fields = list(layer.fields) if layer.fields is not None else [
        c for c in gdf.columns if c != gdf.geometry.name]
    missing = [f for f in fields + ([layer.category] if layer.category else [])
               + ([layer.title_field] if layer.title_field else []) if f not in gdf.columns]
    if missing:
        raise KeyError(f"ResultLayer {layer.name!r}: no column {missing[0]!r}; "
                       f"columns: {[c for c in gdf.columns if c != gdf.geometry.name]}")
    flabels = layer.field_labels or {}
    title_field = layer.title_field or ("name" if "name" in gdf.columns else None)
    out: dict[str, Any] = {
        "name": layer.name,
        "group": layer.group,
        "visible": layer.visible,
        "color": layer.color,
        "radius": layer.radius,
        "fo": layer.fill_opacity,
        "geom": encode_geometries(geo.values),
        "fields": [str(flabels.get(f, f)) for f in fields],
        "rows": [[_cell(v, lang) for v in row] for row in
                 gdf[fields].astype(object).itertuples(index=False, name=None)],
        "title": [_cell(v, lang) for v in gdf[title_field]] if title_field else None,
    }
    if layer.category:
        values = gdf[layer.category].astype(object).where(gdf[layer.category].notna(), "")
        keys = sorted({str(v) for v in values})
        colors = {str(k): v for k, v in (layer.colors or {}).items()}
        labels = {str(k): str(v) for k, v in (layer.labels or {}).items()}
        cats = [[k, labels.get(k, k or "–"), colors.get(k, OKABE_ITO[i % len(OKABE_ITO)])]
                for i, k in enumerate(keys)]
        pos = {k: i for i, k in enumerate(keys)}
        out["cats"] = cats
        out["cat_of"] = [pos[str(v)] for v in values]
    return out, geo


def render_result_map(
    layers: Sequence[ResultLayer | gpd.GeoDataFrame] | Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    title: str,
    lang: str = "vi",
    overwrite: bool = False,
    workspace: Any = None,
    subtitle: str = "",
    online_tiles: bool = True,
) -> Path:
    """Write an offline HTML map of result layers.

    Parameters
    ----------
    layers : sequence of ResultLayer or GeoDataFrame, or mapping name -> GeoDataFrame
        The layers, drawn in order (later on top). A bare GeoDataFrame gets
        the name "Lớp N"/"Layer N" and default styling.
    path : str or Path
        The ``.html`` file to write.
    title : str
        Title of the map (title block and ``<title>``).
    lang : {"vi", "en"}
        Language of the map's texts and number formats.
    overwrite : bool
        Replace ``path`` if it exists (otherwise OutputExistsError).
    workspace : Workspace, optional
        Adds the hillshade of the workspace elevation, the commune boundaries
        (if ``monitoring.gpkg`` is built) and the area name and data date.
    subtitle : str
        A line under the title (e.g. the query that made the layers).
    online_tiles : bool
        Offer an OpenStreetMap layer that the user can switch on when online.

    Returns
    -------
    Path
        ``path``.
    """
    check_lang(lang)
    target = require_writable(path, overwrite, lang)
    T = map_strings(lang)
    if isinstance(layers, Mapping):
        items = [ResultLayer(g, str(n)) for n, g in layers.items()]
    else:
        items = [x if isinstance(x, ResultLayer) else
                 ResultLayer(x, f"{'Layer' if lang == 'en' else 'Lớp'} {i + 1}")
                 for i, x in enumerate(layers)]
    if not items:
        raise ValueError("render_result_map needs at least one layer")
    context: list[ResultLayer] = []
    hill = None
    area = province = data_date = ""
    if workspace is not None:
        area = str(getattr(workspace, "name", "") or "")
        province = str(getattr(workspace, "province", "") or "")
        data_date = str(getattr(workspace, "data_date", "") or "")
        gpkg = Path(getattr(workspace, "output_gpkg", "") or "")
        if gpkg.is_file():
            communes = gpd.read_file(gpkg, layer="communes")
            communes = communes.sort_values("code").reset_index(drop=True)
            context.append(ResultLayer(communes[["code", "name", "geometry"]], T["communes"],
                                       color="#ffffff", group=T["g_context"],
                                       title_field="name", fill_opacity=0.05))
        elev = getattr(workspace, "elevation", None)
        if elev is not None and Path(elev).is_file():
            from ntmgis.outputs.webmap.hillshade import render_hillshade

            hs = render_hillshade(elev)
            hill = {"src": hs.data_uri, "bounds": hs.bounds}
    encoded = []
    geos = []
    for layer in context + items:
        d, g = _layer_data(layer, lang)
        encoded.append(d)
        geos.append(g)
    allgeo = gpd.GeoSeries(pd.concat([g for g in geos if len(g)] or [geos[0]]), crs=4326)
    if not len(allgeo):
        raise ValueError("render_result_map: every layer is empty")

    data = {
        "kind": "result",
        "lang": lang,
        "T": T,
        "labels": {},
        "styles": {},
        "title": title,
        "subtitle": subtitle,
        "area": area,
        "province": province,
        "data_date": data_date,
        "notes": map_notes(workspace, lang),
        "bounds": latlon_bounds(allgeo),
        "hill": hill,
        "tiles": {**TILES} if online_tiles else None,
        "result_layers": encoded,
    }
    text = assemble_page(data, title=title, lang=lang)
    with atomic_output(target, overwrite=overwrite, lang=lang) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
