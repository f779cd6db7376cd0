"""ntmgis.outputs.folium_map: the monitoring layers as a folium map in the house style."""

from __future__ import annotations

import dataclasses

import folium
import pytest

from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import label
from ntmgis.core.palette import CLASS_COLORS, MET_COLORS, OUTSIDE_COLOR, STATUS_COLORS
from ntmgis.outputs.folium_map import feature_groups, folium_map, map_legend, pin_ids


def _geojson(group: folium.FeatureGroup) -> folium.GeoJson:
    (gj,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    return gj


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def _fill(gj: folium.GeoJson, code: str) -> str:
    (f,) = [f for f in gj.data["features"] if f["properties"]["code"] == code]
    return gj.style_function(f)["fillColor"]


def _status(layers, year: int):
    st = layers.commune_status
    return st[st["year"] == year].set_index("code")


def test_year_classes(built_sample):
    _, layers = built_sample
    m = folium_map(layers, year=2025)
    assert isinstance(m, folium.Map)
    groups = _groups(m)
    assert [g.layer_name for g in groups] == ["Xã", "Bản", "Dự án"]
    communes = _geojson(groups[0])
    assert len(communes.data["features"]) == len(layers.communes)
    st = _status(layers, 2025)
    classes = set()
    for code, row in st.iterrows():
        assert _fill(communes, code) == CLASS_COLORS[row["band"]], code
        classes.add(row["band"])
    assert classes >= {"ntm", "15-18", "10-14"}  # the sample has several classes
    assert _fill(communes, "03445") == CLASS_COLORS["ntm"]  # Xã Mường Tè, all 19 met
    assert _fill(communes, "03448") == CLASS_COLORS["10-14"]  # Xã Pa Vệ Sử, 14
    # the township is not in the programme
    assert _fill(communes, "03433") == OUTSIDE_COLOR
    villages = _geojson(groups[1])
    assert len(villages.data["features"]) == len(layers.villages)
    projects = _geojson(groups[2])
    assert len(projects.data["features"]) == len(layers.projects)
    assert {projects.style_function(f)["fillColor"] for f in projects.data["features"]} \
        <= set(STATUS_COLORS.values())
    html = m.get_root().render()
    assert "Chú giải" in html
    for k in CLASS_COLORS:
        assert label("class", k, "vi") in html
    assert "Thị trấn (không xét xã NTM)" in html
    assert "Năm 2025" in html
    # names travel in the page's GeoJSON (JSON-escaped, non-ASCII as \\u escapes)
    (f,) = [f for f in communes.data["features"] if f["properties"]["code"] == "03445"]
    assert f["properties"]["tooltip"] == "Xã Mường Tè – " + label("class", "ntm", "vi")
    assert "Số tiêu chí đạt</th><td>19/19" in f["properties"]["popup"]
    assert "X\\u00e3 M\\u01b0\\u1eddng T\\u00e8" in html
    assert "tile.openstreetmap" not in html  # no base tiles by default


def test_criterion_met(built_sample):
    _, layers = built_sample
    m = folium_map(layers, year=2025, criterion=5)
    groups = _groups(m)
    communes = _geojson(groups[0])
    assert len(communes.data["features"]) == len(layers.communes)
    st = _status(layers, 2025)
    assert set(st["tc05"]) == {0, 1}
    for code, row in st.iterrows():
        assert _fill(communes, code) == MET_COLORS[str(int(row["tc05"]))], code
    assert _fill(communes, "03436") == MET_COLORS["0"]  # Xã Thu Lũm: TC5 not met in 2025
    assert _fill(communes, "03440") == MET_COLORS["1"]  # Xã Tá Bạ: met
    # only the projects serving criterion 5
    projects = _geojson(groups[2])
    serving = layers.projects["criteria"].fillna("").map(
        lambda s: "5" in str(s).split(";"))
    assert len(projects.data["features"]) == int(serving.sum()) > 0
    html = m.get_root().render()
    assert "Tiêu chí 5: Trường học – Năm 2025" in html
    assert "Đạt (" in html and "Chưa đạt (" in html
    assert "phục vụ tiêu chí 5" in html


def test_english(built_sample):
    _, layers = built_sample
    html = folium_map(layers, year=2025, criterion=5, lang="en").get_root().render()
    assert "Legend: Criterion 5: Schools – Year 2025" in html
    assert "Met (" in html and "Not met (" in html and "Not in the programme" in html
    html = folium_map(layers, year=2023, lang="en").get_root().render()
    assert "Criteria met – Year 2023" in html
    assert "Recognised NTM (19 criteria)" in html
    assert "Chú giải" not in html


def test_names_escaped(built_sample):
    _, layers = built_sample
    bad = "Xã <script>alert('ntm')</script> & <b>Bản</b>"
    communes = layers.communes.copy()
    communes.loc[communes["code"] == "03436", "name"] = bad
    projects = layers.projects.copy()
    projects.loc[projects.index[0], "name"] = bad
    villages = layers.villages.copy()
    villages.loc[villages.index[0], "name"] = bad
    evil = dataclasses.replace(layers, communes=communes, projects=projects,
                               villages=villages)
    m = folium_map(evil, year=2025)
    html = m.get_root().render()
    assert "<script>alert" not in html
    assert "<b>Bản</b>" not in html
    feats = _geojson(_groups(m)[0]).data["features"]
    (f,) = [f for f in feats if f["properties"]["code"] == "03436"]
    escaped = "Xã &lt;script&gt;alert(&#x27;ntm&#x27;)&lt;/script&gt; &amp; &lt;b&gt;Bản&lt;/b&gt;"
    assert f["properties"]["tooltip"].startswith(escaped)
    assert escaped in f["properties"]["popup"]
    # inside the page's script the JSON escapes <, > and & once more
    assert "\\u0026lt;script\\u0026gt;alert(\\u0026#x27;ntm" in html


def test_deterministic(built_sample):
    _, layers = built_sample
    a = folium_map(layers, year=2025, criterion=5).get_root().render()
    b = folium_map(layers, year=2025, criterion=5).get_root().render()
    assert a == b
    assert "map_ntm0" in a
    # without pinning, folium's random ids differ
    c = folium_map(layers, year=2025, deterministic=False).get_root().render()
    d = folium_map(layers, year=2025, deterministic=False).get_root().render()
    assert c != d


def test_compose_and_workspace(built_sample):
    ws, layers = built_sample
    groups = feature_groups(ws, year=2024, criterion=2, villages=False, projects=False)
    assert len(groups) == 1
    m = folium.Map(tiles=None)
    for g in groups:
        g.add_to(m)
    map_legend(layers, year=2024, criterion=2, villages=False, projects=False).add_to(m)
    pin_ids(m.get_root(), prefix="mine")
    html = m.get_root().render()
    assert "Tiêu chí 2: Giao thông – Năm 2024" in html
    assert "_mine0" in html


def test_bad_options(built_sample):
    _, layers = built_sample
    with pytest.raises(OptionError, match="1999"):
        folium_map(layers, year=1999)
    with pytest.raises(OptionError, match="20"):
        folium_map(layers, criterion=20)
    with pytest.raises(OptionError):
        folium_map(layers, lang="fr")
