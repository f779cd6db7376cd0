"""QGIS styles in the GeoPackage: QGIS's table schema, the web map's colours, GDAL validation."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from ntmgis.core import palette as web
from ntmgis.core.i18n import label
from ntmgis.monitoring.qgis_styles import STYLED_LAYERS, add_qgis_styles, layer_style

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR_PATHS = (
    Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"),
    Path("/usr/share/doc/python3-gdal/examples/validate_gpkg.py"),
)


def _validator():
    """GDAL's own GeoPackage validator (Debian package python3-gdal); it needs only sqlite3."""
    for p in VALIDATOR_PATHS:
        if p.is_file():
            spec = importlib.util.spec_from_file_location("gdal_validate_gpkg", p)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    pytest.skip("GDAL's validate_gpkg.py not found (install the Debian package python3-gdal)")


def _validate(path: Path) -> list:
    return _validator().check(str(path), abort_at_first_error=False, extra_checks=True,
                              warning_as_error=True)


@pytest.fixture(scope="module")
def sample_gpkg(tmp_path_factory):
    """The sample workspace built by ntmgis (which calls add_qgis_styles itself)."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    ws_dir = tmp_path_factory.mktemp("ws")
    shutil.copy(ROOT / "ntmgis.toml", ws_dir)
    shutil.copytree(ROOT / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    return build(load_workspace(ws_dir), overwrite=True)


def _tiny_gpkg(path: Path) -> Path:
    """A GeoPackage with a few contract layers, written as GDAL writes them."""
    poly = shapely.MultiPolygon([shapely.box(480000, 2470000, 481000, 2471000)])
    communes = gpd.GeoDataFrame({"code": ["03436"], "name": ["Xã Thu Lũm"],
                                 "in_programme": [True]}, geometry=[poly], crs="EPSG:9205")
    status = gpd.GeoDataFrame({"code": ["03436"] * 2, "year": [2024, 2025],
                               "band": ["10-14", "15-18"]}, geometry=[poly] * 2,
                              crs="EPSG:9205")
    roads = gpd.GeoDataFrame({"road_id": ["R1"], "road_class": ["district"]},
                             geometry=[shapely.MultiLineString([[(480000, 2470000),
                                                                 (481000, 2471000)]])],
                             crs="EPSG:9205")
    for name, frame in (("communes", communes), ("commune_status", status), ("roads", roads)):
        # GeoPackage 1.2, as ntmgis.monitoring.gpkg writes it
        kw = {} if path.exists() else {"dataset_options": {"VERSION": "1.2"}}
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists(),
                                **kw)
    return path


def test_sample_build_carries_styles_and_passes_gdal_validation(sample_gpkg):
    assert _validate(sample_gpkg) == []
    names = [n for n, _ in pyogrio.list_layers(sample_gpkg)]
    assert "layer_styles" in names
    table = pyogrio.read_dataframe(sample_gpkg, layer="layer_styles")
    present = [n for n in STYLED_LAYERS if n in names]
    assert table["f_table_name"].tolist() == present
    assert set(present) >= {"communes", "commune_status", "villages", "village_status",
                            "projects", "project_lines", "facilities", "roads"}
    assert table["f_geometry_column"].unique().tolist() == ["geom"]
    assert table["useAsDefault"].astype(bool).all()
    assert table["styleName"].tolist() == present
    # QGIS's column set, in QGIS's order
    con = sqlite3.connect(sample_gpkg)
    cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    con.close()
    assert cols == ["id", "f_table_catalog", "f_table_schema", "f_table_name",
                    "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault",
                    "description", "owner", "ui", "update_time"]
    out = subprocess.run(["ogrinfo", "-ro", "-q", str(sample_gpkg), "layer_styles"],
                         capture_output=True, text=True, check=False)
    if out.returncode == 0:  # gdal-bin present: GDAL's own reader sees the table too
        assert "styleQML" in out.stdout


def test_commune_classes_match_the_web_map():
    style = layer_style("commune_status")
    root = ET.fromstring(style.qml.split("\n", 1)[1])  # without the DOCTYPE line
    rules = root.findall("./renderer-v2/rules/rule")
    assert [r.get("label") for r in rules] == [label("class", k, "vi") for k in web.CLASS_COLORS]
    assert rules[0].get("filter") == "\"band\" = 'ntm' AND \"year\" = maximum(\"year\")"
    colours = {}
    for sym in root.findall("./renderer-v2/symbols/symbol"):
        value = sym.find("./layer/Option/Option[@name='color']").get("value")
        colours[sym.get("name")] = value
    for rule, (key, hexcol) in zip(rules, web.CLASS_COLORS.items(), strict=True):
        r, g, b = (int(hexcol[i:i + 2], 16) for i in (1, 3, 5))
        assert colours[rule.get("symbol")] == f"{r},{g},{b},255", key
    assert root.find("./labeling/settings/text-style").get("fieldName") == "name"
    en = layer_style("commune_status", lang="en")
    assert "Recognised NTM (19 criteria)" in en.qml


@pytest.mark.parametrize(
    ("layer", "attribute", "values", "palette"),
    [
        ("projects", "status", list(web.STATUS_COLORS), web.STATUS_COLORS),
        ("project_lines", "status", list(web.STATUS_COLORS), web.STATUS_COLORS),
        ("roads", "road_class", list(web.ROAD_STYLES),
         {k: c for k, (c, _) in web.ROAD_STYLES.items()}),
        ("facilities", "type", ["school", "health_station", "cultural_house", "market"], None),
    ],
)
def test_categorized_layers(layer, attribute, values, palette):
    style = layer_style(layer)
    root = ET.fromstring(style.qml.split("\n", 1)[1])
    renderer = root.find("./renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == attribute
    cats = renderer.findall("./categories/category")
    assert [c.get("value") for c in cats][: len(values)] == values
    if palette:
        for c in cats[: len(values)]:
            sym = renderer.find(f"./symbols/symbol[@name='{c.get('symbol')}']")
            key = "line_color" if sym.get("type") == "line" else "color"
            got = sym.find(f"./layer/Option/Option[@name='{key}']").get("value")
            hexcol = palette[c.get("value")]
            assert got == ",".join(str(int(hexcol[i:i + 2], 16)) for i in (1, 3, 5)) + ",255"


def test_villages_and_mixed_2025_class():
    vs = ET.fromstring(layer_style("village_status").qml.split("\n", 1)[1])
    filters = [r.get("filter") for r in vs.findall("./renderer-v2/rules/rule")]
    assert filters == ['"ntm" AND "year" = maximum("year")',
                       'NOT "ntm" AND "year" = maximum("year")']
    c25 = ET.fromstring(layer_style("commune_status_2025").qml.split("\n", 1)[1])
    labels = [r.get("label") for r in c25.findall("./renderer-v2/rules/rule")]
    assert labels[-1].startswith("Không đồng nhất")
    assert layer_style("metadata") is None


def test_sld_is_well_formed_xml():
    ns = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}
    for name in STYLED_LAYERS:
        root = ET.fromstring(layer_style(name).sld.encode())
        assert root.tag.endswith("StyledLayerDescriptor")
        assert root.findall(".//se:Rule", ns), name


def test_tiny_gpkg_deterministic_idempotent_and_valid(tmp_path, monkeypatch):
    monkeypatch.setenv("OGR_CURRENT_DATE", "2025-12-31T00:00:00.000Z")
    a = _tiny_gpkg(tmp_path / "a.gpkg")
    b = tmp_path / "b.gpkg"
    shutil.copy(a, b)
    assert add_qgis_styles(a) == ["communes", "commune_status", "roads"]
    assert add_qgis_styles(b) == ["communes", "commune_status", "roads"]
    assert a.read_bytes() == b.read_bytes()
    assert add_qgis_styles(a, lang="en") == ["communes", "commune_status", "roads"]
    table = pyogrio.read_dataframe(a, layer="layer_styles")
    assert len(table) == 3  # refreshed, not appended
    assert table["update_time"].astype(str).str.startswith("2025-12-31").all()
    assert _validate(a) == []


@pytest.mark.parametrize("lang,missing,plain", [
    ("vi", "Không có GeoPackage", "không phải là GeoPackage"),
    ("en", "no such GeoPackage", "is not a GeoPackage"),
])
def test_not_a_geopackage(tmp_path, lang, missing, plain):
    """Said in the user's language, naming the file."""
    with pytest.raises(FileNotFoundError, match=missing) as exc:
        add_qgis_styles(tmp_path / "none.gpkg", lang=lang)
    assert "none.gpkg" in str(exc.value)
    p = tmp_path / "plain.gpkg"
    sqlite3.connect(p).close()
    with pytest.raises(ValueError, match=plain) as exc:
        add_qgis_styles(p, lang=lang)
    assert "plain.gpkg" in str(exc.value)



def _qgis_check():
    spec = importlib.util.spec_from_file_location("qgis_check",
                                                  Path(__file__).with_name("qgis_check.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

def test_real_qgis_opens_the_geopackage_styled(sample_gpkg):
    names = [n for n, _ in pyogrio.list_layers(sample_gpkg) if n in STYLED_LAYERS]
    got = _qgis_check().run_qgis("ogr", str(sample_gpkg), *names)
    for name in names:
        assert got[name]["valid"] and got[name]["loaded"], name
    cs = got["commune_status"]
    assert cs["renderer"] == "RuleRenderer" and cs["label_field"] == "name"
    assert [c[2] for c in cs["classes"]] == list(web.CLASS_COLORS.values())
    assert [c[1] for c in cs["classes"]][0] == "Đạt chuẩn NTM (19 tiêu chí)"
    assert got["projects"]["renderer"] == "categorizedSymbol"
    assert [c[2] for c in got["projects"]["classes"]][:3] == \
        [c.lower() for c in web.STATUS_COLORS.values()]
