"""QGIS layer styles stored in the monitoring GeoPackage, matching the web map.

QGIS looks for a ``layer_styles`` table in a GeoPackage and applies the row
marked ``useAsDefault`` when a layer is added, so a planner who drags
``monitoring.gpkg`` into QGIS sees the same classes and colours as in the
HTML maps (``ntmgis.core.palette``):

* ``commune_status`` (and ``commune_status_2025``): communes by class, NTM /
  15-18 / 10-14 / below 10 criteria (and "mixed" for merged communes), for the
  latest year in the layer (a rule-based renderer with ``"year" =
  maximum("year")``, since the layer has one row per commune and year);
* ``communes`` (and ``communes_2025``): boundaries with names, communes
  outside the programme greyed;
* ``village_status``: NTM villages black, others white, latest year;
  ``villages``: grey points;
* ``projects`` and ``project_lines``: by status;
* ``facilities``: by type; ``roads``: by class.

Each style has a QML document (what QGIS reads) and an equivalent SLD 1.1
(for GeoServer and other tools). The table follows QGIS's own schema and
is registered in ``gpkg_contents`` as an attributes table, as QGIS does when
it saves a style, so the file still passes GDAL's GeoPackage validation.
Output is deterministic: ``update_time`` is taken from the GeoPackage's own
``last_change`` (the build pins it to the data date).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ntmgis.core import palette as styles
from ntmgis.core.bands import band_styles
from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet
from ntmgis.core.i18n import catalog, check_lang, label

__all__ = ["add_qgis_styles", "layer_style", "STYLED_LAYERS", "LayerStyle"]

QGIS_VERSION = "3.28.0-Firenze"  # the long-term release offices run; newer ones read it
OWNER = "ntmgis"
PX_TO_MM = 0.26  # one CSS pixel at 96 dpi, in millimetres

_MIXED_COLOR = "#cc79a7"  # merged communes whose old units differ (Okabe-Ito purple)
_NO_DATA_COLOR = "#bdbdbd"
_LINE_COLOR = "#4d4d4d"

_LABELS = {
    "mixed": ("Không đồng nhất (các xã cũ khác nhau)", "Mixed (old units differ)"),
    "village_ntm": ("Bản đạt chuẩn NTM", "NTM village"),
    "village_not": ("Bản chưa đạt chuẩn", "Not yet NTM"),
    "village": ("Bản", "Village"),
    "in_programme": ("Xã trong chương trình", "Commune in the programme"),
    "outside": ("Ngoài chương trình (thị trấn)", "Outside the programme (township)"),
    "other": ("Khác", "Other"),
    "latest": ("năm mới nhất", "latest year"),
    "no_gpkg": ("Không có GeoPackage {path}", "{path}: no such GeoPackage"),
    "not_gpkg": ("{path} không phải là GeoPackage (không có bảng gpkg_contents)",
                 "{path} is not a GeoPackage (no gpkg_contents table)"),
}


_t = catalog(_LABELS)


@dataclass(frozen=True)
class _Cat:
    """One category (or rule) of a style."""

    value: object  # attribute value (str, bool) or None for "everything else"
    label: str
    color: str  # "#rrggbb"
    shape: str = "circle"  # marker shape
    size: float = 2.6  # marker size or line width, mm
    outline: str = "#4d4d4d"
    alpha: int = 255  # fill opacity 0..255 (0: outline only)


@dataclass(frozen=True)
class LayerStyle:
    """A style of one layer: its QML and SLD documents and a short description."""

    layer: str
    geometry: str  # fill | line | marker
    attribute: str | None
    qml: str
    sld: str
    description: str


def _hex(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _rgba(color: str, alpha: int = 255) -> str:
    r, g, b = _hex(color)
    return f"{r},{g},{b},{alpha}"


def _opt(name: str, value: object) -> str:
    return f'<Option type="QString" name={quoteattr(name)} value={quoteattr(str(value))}/>'


_DDP = ('<data_defined_properties><Option type="Map"><Option type="QString" name="name" '
        'value=""/><Option name="properties"/><Option type="QString" name="type" '
        'value="collection"/></Option></data_defined_properties>')


def _symbol(name: str, geometry: str, cat: _Cat) -> str:
    fill_alpha = cat.alpha
    if geometry == "fill":
        opts = [("color", _rgba(cat.color, fill_alpha)), ("outline_color", _rgba(cat.outline)),
                ("outline_style", "solid"), ("outline_width", "0.4"),
                ("outline_width_unit", "MM"), ("style", "solid" if fill_alpha else "no"),
                ("joinstyle", "bevel"), ("offset", "0,0"), ("offset_unit", "MM")]
        cls, stype = "SimpleFill", "fill"
    elif geometry == "line":
        opts = [("line_color", _rgba(cat.color)), ("line_width", f"{cat.size:g}"),
                ("line_width_unit", "MM"), ("line_style", "solid"), ("capstyle", "round"),
                ("joinstyle", "round"), ("offset", "0"), ("offset_unit", "MM")]
        cls, stype = "SimpleLine", "line"
    else:
        opts = [("name", cat.shape), ("color", _rgba(cat.color)),
                ("outline_color", _rgba(cat.outline)), ("outline_style", "solid"),
                ("outline_width", "0.3"), ("outline_width_unit", "MM"),
                ("size", f"{cat.size:g}"), ("size_unit", "MM"), ("angle", "0"),
                ("joinstyle", "bevel"), ("offset", "0,0"), ("offset_unit", "MM"),
                ("scale_method", "diameter"), ("vertical_anchor_point", "1"),
                ("horizontal_anchor_point", "1")]
        cls, stype = "SimpleMarker", "marker"
    body = "".join(_opt(k, v) for k, v in opts)
    return (
        f'<symbol type="{stype}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0" is_animated="0" frame_rate="10">{_DDP}'
        f'<layer class="{cls}" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{body}</Option>{_DDP}</layer></symbol>'
    )


def _qgis_literal(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "'" + str(value).replace("'", "''") + "'"


def _field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _labeling(field: str, size: float = 8.0) -> str:
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(field)} isExpression="0" fontSize="{size:g}" '
        'fontSizeUnit="Point" fontFamily="DejaVu Sans" textColor="35,35,35,255" '
        'namedStyle="Regular" fontWeight="50" textOpacity="1" multilineHeight="1">'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="0.8"/></text-style>'
        '<text-format wrapChar="" multilineAlign="1" autoWrapLength="14"/>'
        '<placement placement="1" dist="0" priority="5" offsetType="0"/>'
        '<rendering obstacle="1" drawLabels="1" scaleVisibility="0" '
        'fontLimitPixelSize="0" displayAll="0" upsidedown="0" limitNumLabels="0"/>'
        "</settings></labeling>"
    )


def _qml(renderer: str, labels: str = "") -> str:
    on = "1" if labels else "0"
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling" '
        f'labelsEnabled="{on}">\n{renderer}\n{labels}\n'
        "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        "<layerOpacity>1</layerOpacity></qgis>\n"
    )


def _categorized(attribute: str, geometry: str, cats: Sequence[_Cat]) -> str:
    """A categorized renderer on a text attribute; a category of value None catches the rest."""
    rows, symbols = [], []
    for i, c in enumerate(cats):
        value = "" if c.value is None else str(c.value)
        rows.append(f'<category type="string" render="true" value={quoteattr(value)} '
                    f'symbol="{i}" label={quoteattr(c.label)}/>')
        symbols.append(_symbol(str(i), geometry, c))
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} forceraster="0" '
        f'symbollevels="0" enableorderby="0" referencescale="-1">'
        f'<categories>{"".join(rows)}</categories><symbols>{"".join(symbols)}</symbols>'
        "</renderer-v2>"
    )


def _filter(attribute: str, value: object) -> str:
    """A QGIS expression selecting ``attribute == value`` (booleans by truth)."""
    if isinstance(value, bool):
        return _field(attribute) if value else f"NOT {_field(attribute)}"
    return f"{_field(attribute)} = {_qgis_literal(value)}"


def _rules(attribute: str, geometry: str, cats: Sequence[_Cat], *, layer: str,
           latest_year: bool) -> str:
    """A rule-based renderer; with ``latest_year`` only the last year's rows are drawn."""
    rules, symbols = [], []
    for i, c in enumerate(cats):
        if c.value is None:
            flt = "ELSE"
        else:
            flt = _filter(attribute, c.value)
            if latest_year:
                flt += f' AND {_field("year")} = maximum({_field("year")})'
        key = f"{{ntmgis-{layer}-{i}}}"
        rules.append(f"<rule key={quoteattr(key)} filter={quoteattr(flt)} symbol=\"{i}\" "
                     f"label={quoteattr(c.label)}/>")
        symbols.append(_symbol(str(i), geometry, c))
    return (
        '<renderer-v2 type="RuleRenderer" forceraster="0" symbollevels="0" '
        'enableorderby="0" referencescale="-1">'
        f'<rules key="{{ntmgis-{layer}-root}}">{"".join(rules)}</rules>'
        f'<symbols>{"".join(symbols)}</symbols></renderer-v2>'
    )


# --- SLD -----------------------------------------------------------------------------------

_SLD_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<StyledLayerDescriptor version="1.1.0" '
    'xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" '
    'xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.opengis.net/sld '
    'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
)


def _sld_symbolizer(geometry: str, c: _Cat) -> str:
    fill_alpha = c.alpha
    def css(name: str, value: object) -> str:
        return f'<se:SvgParameter name="{name}">{escape(str(value))}</se:SvgParameter>'

    if geometry == "fill":
        fill = (f"<se:Fill>{css('fill', c.color)}"
                f"{css('fill-opacity', f'{fill_alpha / 255:g}')}</se:Fill>")
        return (f"<se:PolygonSymbolizer>{fill}<se:Stroke>{css('stroke', c.outline)}"
                f"{css('stroke-width', 1)}</se:Stroke></se:PolygonSymbolizer>")
    if geometry == "line":
        return (f"<se:LineSymbolizer><se:Stroke>{css('stroke', c.color)}"
                f"{css('stroke-width', round(c.size / PX_TO_MM, 1))}</se:Stroke>"
                "</se:LineSymbolizer>")
    wkn = {"triangle": "triangle", "square": "square", "diamond": "square", "star": "star",
           "cross": "cross", "cross2": "x"}.get(c.shape, "circle")
    return (f"<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>{wkn}"
            f"</se:WellKnownName><se:Fill>{css('fill', c.color)}</se:Fill>"
            f"<se:Stroke>{css('stroke', c.outline)}{css('stroke-width', 1)}</se:Stroke>"
            f"</se:Mark><se:Size>{round(c.size / PX_TO_MM)}</se:Size></se:Graphic>"
            "</se:PointSymbolizer>")


def _sld(layer: str, title: str, attribute: str | None, geometry: str,
         cats: Sequence[_Cat]) -> str:
    rules = []
    for c in cats:
        if attribute is None:
            flt = ""
        elif c.value is None:
            flt = "<se:ElseFilter/>"
        else:
            value = ("1" if c.value else "0") if isinstance(c.value, bool) else str(c.value)
            flt = (f"<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>{escape(attribute)}"
                   f"</ogc:PropertyName><ogc:Literal>{escape(value)}</ogc:Literal>"
                   "</ogc:PropertyIsEqualTo></ogc:Filter>")
        rules.append(f"<se:Rule><se:Name>{escape(c.label)}</se:Name><se:Description>"
                     f"<se:Title>{escape(c.label)}</se:Title></se:Description>{flt}"
                     f"{_sld_symbolizer(geometry, c)}</se:Rule>")
    return (f"{_SLD_HEAD}<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle>"
            f"<se:Name>{escape(layer)}</se:Name><se:Description><se:Title>{escape(title)}"
            f"</se:Title></se:Description><se:FeatureTypeStyle>{''.join(rules)}"
            "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n")


# --- the styles -----------------------------------------------------------------------------


def _palette() -> dict:
    """The web map's colours (one source of truth: ``ntmgis.core.palette``)."""
    return {
        "class": dict(styles.CLASS_COLORS),
        "status": dict(styles.STATUS_COLORS),
        "village": dict(styles.VILLAGE_COLORS),
        "outside": styles.OUTSIDE_COLOR,
        "roads": dict(styles.ROAD_STYLES),
        "okabe": tuple(styles.OKABE_ITO),
    }


_FACILITY_SHAPES = {"school": "triangle", "health_station": "cross_fill",
                    "cultural_house": "pentagon", "market": "diamond"}
_STATUS_SHAPES = {"preparing": "circle", "under_way": "circle", "finished": "circle"}

#: Layers that get a style, in the order written.
STYLED_LAYERS = ("communes", "commune_status", "villages", "village_status", "projects",
                 "project_lines", "facilities", "roads", "communes_2025",
                 "commune_status_2025")


def layer_style(layer: str, *, lang: str = "vi",
                cset: CriteriaSet | None = None) -> LayerStyle | None:
    """The style of ``layer`` (see :data:`STYLED_LAYERS`), or None for unstyled layers.

    Parameters
    ----------
    layer : str
        A monitoring layer name.
    lang : {"vi", "en"}
        Language of the legend labels.
    cset : CriteriaSet, optional
        The commune set the layers were built on: its bands class ``commune_status``
        (``8-9`` / ``5-7`` / ``lt5`` for the 10 criteria of QĐ 51; default QĐ 318's).

    Returns
    -------
    LayerStyle or None
        QML and SLD documents with the web map's classes and colours.
    """
    check_lang(lang)
    pal = _palette()
    if layer in ("commune_status", "commune_status_2025"):
        colors, names = band_styles(cset or COMMUNE_CRITERIA, lang)
        cats = [_Cat(k, names[k], colors[k]) for k in colors]
        if layer == "commune_status_2025":
            cats.append(_Cat("mixed", _t("mixed", lang), _MIXED_COLOR))
        title = f"{names['ntm'].split(' (')[0]} – {_t('latest', lang)}"
        qml = _qml(_rules("band", "fill", cats, layer=layer, latest_year=True),
                   _labeling("name"))
        return LayerStyle(layer, "fill", "band", qml, _sld(layer, title, "band", "fill", cats),
                          f"ntmgis: {title}")
    if layer in ("communes", "communes_2025"):
        if layer == "communes":
            # communes in the programme show only their outline, the township is greyed
            cats = [_Cat(True, _t("in_programme", lang), "#ffffff", outline=_LINE_COLOR,
                         alpha=0),
                    _Cat(False, _t("outside", lang), pal["outside"], outline=_LINE_COLOR)]
            attr: str | None = "in_programme"
            renderer = _rules("in_programme", "fill", cats, layer=layer, latest_year=False)
            sld = _sld(layer, cats[0].label, attr, "fill", cats)
        else:
            cats = [_Cat(None, layer, "#ffffff", outline=_LINE_COLOR, alpha=0)]
            attr = None
            renderer = ('<renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" '
                        'enableorderby="0" referencescale="-1"><symbols>'
                        f'{_symbol("0", "fill", cats[0])}</symbols>'
                        "</renderer-v2>")
            sld = _sld(layer, layer, None, "fill", cats)
        return LayerStyle(layer, "fill", attr, _qml(renderer, _labeling("name", 9)), sld,
                          f"ntmgis: {layer}")
    if layer == "village_status":
        v = pal["village"]
        cats = [_Cat(True, _t("village_ntm", lang), v["1"], size=2.4, outline="#000000"),
                _Cat(False, _t("village_not", lang), v["0"], size=2.4, outline="#000000")]
        return LayerStyle(layer, "marker", "ntm",
                          _qml(_rules("ntm", "marker", cats, layer=layer, latest_year=True)),
                          _sld(layer, _t("village_ntm", lang), "ntm", "marker", cats),
                          f"ntmgis: {_t('village_ntm', lang)} – {_t('latest', lang)}")
    if layer == "villages":
        c = _Cat(None, _t("village", lang), pal["village"][""], size=1.8, outline="#4d4d4d")
        renderer = ('<renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" '
                    'enableorderby="0" referencescale="-1"><symbols>'
                    f'{_symbol("0", "marker", c)}</symbols></renderer-v2>')
        return LayerStyle(layer, "marker", None, _qml(renderer),
                          _sld(layer, c.label, None, "marker", [c]), "ntmgis: villages")
    if layer in ("projects", "project_lines"):
        geometry = "marker" if layer == "projects" else "line"
        cats = [_Cat(k, label("status", k, lang), col, shape=_STATUS_SHAPES[k],
                     size=3.0 if geometry == "marker" else 1.2, outline="#1a1a1a")
                for k, col in pal["status"].items()]
        cats.append(_Cat(None, _t("other", lang), _NO_DATA_COLOR,
                         size=2.4 if geometry == "marker" else 0.8))
        return LayerStyle(layer, geometry, "status",
                          _qml(_categorized("status", geometry, cats)),
                          _sld(layer, label("status", "under_way", lang), "status", geometry,
                               cats), f"ntmgis: {layer} by status")
    if layer == "facilities":
        okabe = pal["okabe"]
        cats = [_Cat(k, label("facility", k, lang), okabe[i % len(okabe)],
                     shape=_FACILITY_SHAPES.get(k, "circle"), size=3.0, outline="#1a1a1a")
                for i, k in enumerate(_FACILITY_SHAPES)]
        return LayerStyle(layer, "marker", "type", _qml(_categorized("type", "marker", cats)),
                          _sld(layer, layer, "type", "marker", cats),
                          "ntmgis: facilities by type")
    if layer == "roads":
        cats = [_Cat(k, label("road_class", k, lang), col, size=round(w * PX_TO_MM, 2))
                for k, (col, w) in pal["roads"].items()]
        return LayerStyle(layer, "line", "road_class",
                          _qml(_categorized("road_class", "line", cats)),
                          _sld(layer, layer, "road_class", "line", cats),
                          "ntmgis: roads by class")
    return None


def _gpkg_layers(con: sqlite3.Connection) -> dict[str, str | None]:
    """Layer name -> geometry column (None for attribute tables) of a GeoPackage."""
    out: dict[str, str | None] = {}
    for (name,) in con.execute("SELECT table_name FROM gpkg_contents"):
        out[name] = None
    for name, col in con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"):
        out[name] = col
    return out


_DDL = (
    "CREATE TABLE layer_styles ("
    '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    '"update_time" DATETIME)'
)


def add_qgis_styles(gpkg_path: str | Path, *, lang: str = "vi",
                    cset: CriteriaSet | None = None) -> list[str]:
    """Write QGIS default styles for the monitoring layers into a GeoPackage.

    Creates (or refreshes the ntmgis rows of) the ``layer_styles`` table with
    one default style per styled layer present in the file. Call it on the
    temporary GeoPackage before it is renamed into place (``ntmgis build``
    does); it changes nothing else in the file.

    Parameters
    ----------
    gpkg_path : str or Path
        The GeoPackage, written by the build.
    lang : {"vi", "en"}
        Language of legend labels.
    cset : CriteriaSet, optional
        The commune set the layers were built on (its bands; default QĐ 318's).

    Returns
    -------
    list of str
        The layers that received a style, in the order written.

    Raises
    ------
    FileNotFoundError
        The GeoPackage does not exist.
    ValueError
        The file is not a GeoPackage (no ``gpkg_contents``).
    """
    check_lang(lang)
    path = Path(gpkg_path)
    if not path.is_file():
        raise FileNotFoundError(_t("no_gpkg", lang, path=path))
    con = sqlite3.connect(path)
    try:
        has_contents = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'"
        ).fetchone()
        if not has_contents:
            raise ValueError(_t("not_gpkg", lang, path=path))
        layers = _gpkg_layers(con)
        stamp = con.execute(
            "SELECT max(last_change) FROM gpkg_contents WHERE table_name != 'layer_styles'"
        ).fetchone()[0] or "2000-01-01T00:00:00Z"
        update_time = _gpkg_datetime(stamp)
        styled = []
        with con:
            # GeoPackage requirement 15: last_change is YYYY-MM-DDTHH:MM:SS.SSSZ. GDAL's
            # OGR_CURRENT_DATE is copied as given, so a pinned "...T00:00:00Z" would make
            # the file fail validation; normalise it (same instant, same bytes every run).
            for (table, change) in con.execute(
                    "SELECT table_name, last_change FROM gpkg_contents").fetchall():
                fixed = _gpkg_datetime(change)
                if fixed != change:
                    con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                                (fixed, table))
            exists = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'"
            ).fetchone()
            if not exists:
                con.execute(_DDL)
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)",
                    (update_time,),
                )
            else:
                con.execute("DELETE FROM layer_styles WHERE owner = ?", (OWNER,))
            for name in STYLED_LAYERS:
                if name not in layers or layers[name] is None:
                    continue
                style = layer_style(name, lang=lang, cset=cset)
                if style is None:  # pragma: no cover - every STYLED_LAYERS entry has one
                    continue
                con.execute(
                    "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (name,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, ?, '', ?)",
                    (name, layers[name], name, style.qml, style.sld, style.description,
                     OWNER, update_time),
                )
                styled.append(name)
    finally:
        con.close()
    return styled


def _gpkg_datetime(stamp: object) -> str:
    """Return GeoPackage DATETIME text (``YYYY-MM-DDTHH:MM:SS.SSSZ``) for a timestamp."""
    s = str(stamp).strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?Z?", s)
    if not m:
        return s  # leave what we do not understand; the validator will say so
    time = m.group(2) or "00:00:00"
    if len(time) == 5:
        time += ":00"
    frac = (m.group(3) or ".000")[:4].ljust(4, "0")
    return f"{m.group(1)}T{time}{frac}Z"
