"""Each reader on the formats offices really have."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, normalise_code, parse_number
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import LayerConfig, load_workspace
from ntmgis.inputs import load_inputs, read_vector
from ntmgis.inputs.encodings import encode_tcvn3, encode_vni
from ntmgis.inputs.projects import read_projects

NAMES = ["Xã Mường Tè", "Xã Nậm Khao", "Xã Tà Tổng"]
CRS = "EPSG:9205"
REF_LL = (102.811225, 22.375023)
REF_TM3 = (480364.213, 2475197.252)


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with their hat/horn/breve, tones combining."""
    out, base, tones = [], "", ""
    for ch in unicodedata.normalize("NFD", text) + "\x00":
        if unicodedata.combining(ch) and ch in _TONES:
            tones += ch
        elif unicodedata.combining(ch):
            base += ch
        else:
            if base:
                out.append(unicodedata.normalize("NFC", base) + tones)
            base, tones = ch, ""
    return "".join(out).encode("cp1258")


def _points(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"MaXa": ["03445", "03457", "03463"][:n], "TenXa": NAMES[:n]},
        geometry=[shapely.Point(470000 + 1000 * i, 2480000) for i in range(n)], crs=CRS)


def _read(ws_dir: Path, path: Path, **cfg) -> tuple[gpd.GeoDataFrame, IssueLog]:
    ws = load_workspace(ws_dir)
    log = IssueLog(root=ws.root)
    layer = LayerConfig(name="villages", path=path, fields={"code": "MaXa", "name": "TenXa"},
                        **cfg)
    gdf = read_vector(layer, ws, log, required=("code", "name"))
    return gdf, log


@pytest.mark.parametrize("driver,suffix", [("GPKG", ".gpkg"), ("GeoJSON", ".geojson"),
                                           ("ESRI Shapefile", ".shp"), ("MapInfo File", ".tab")])
def test_vector_formats_read_with_names_and_crs(mini_ws, driver, suffix):
    path = mini_ws / f"layer{suffix}"
    _points().to_file(path, driver=driver, engine="pyogrio")
    # MapInfo stores VN-2000 / TM-3 with a WGS 84 datum: the layer's config names the CRS.
    gdf, log = _read(mini_ws, path, crs=CRS if suffix == ".tab" else None)
    assert log.errors == []
    assert list(gdf["name"]) == NAMES
    assert list(gdf["code"]) == ["03445", "03457", "03463"]
    assert gdf.crs.to_epsg() == 9205
    assert gdf.geometry.x.round(0).tolist() == [470000.0, 471000.0, 472000.0]


def _shapefile_with_bytes(path: Path, encoded: list[bytes]) -> None:
    # The DBF must hold exactly these bytes: write them as latin-1 characters.
    gdf = _points()
    gdf["TenXa"] = [b.decode("latin-1") for b in encoded]
    gdf.to_file(path, driver="ESRI Shapefile", engine="pyogrio", encoding="latin1")
    path.with_suffix(".cpg").unlink(missing_ok=True)


@pytest.mark.parametrize("encoding,encoder", [
    ("cp1258", lambda s: to_cp1258(s)),
    ("tcvn3", encode_tcvn3),
    ("vni", encode_vni),
])
def test_legacy_dbf_encodings_become_unicode_nfc(mini_ws, encoding, encoder):
    path = mini_ws / "legacy.shp"
    _shapefile_with_bytes(path, [encoder(n) for n in NAMES])
    gdf, log = _read(mini_ws, path, encoding=encoding)
    assert log.errors == []
    assert list(gdf["name"]) == NAMES
    assert all(unicodedata.is_normalized("NFC", n) for n in gdf["name"])


def test_shapefile_without_prj_takes_the_configured_crs_with_a_warning(mini_ws):
    path = mini_ws / "noprj.shp"
    _points().to_file(path, driver="ESRI Shapefile", engine="pyogrio")
    path.with_suffix(".prj").unlink()
    gdf, log = _read(mini_ws, path)
    assert gdf.crs is not None and gdf.crs.to_epsg() == 9205
    assert [i.check for i in log.warnings] == ["no_crs"]
    assert "EPSG:9205" in log.warnings[0].message


def test_parse_met_accepts_office_values():
    for v in ("Đạt", "đạt", "DAT", "x", "X", 1, "1", True, "có"):
        assert parse_met(v) == 1, v
    for v in ("Chưa đạt", "chua dat", "0", 0, "không", False):
        assert parse_met(v) == 0, v
    for v in (None, "", "  "):
        assert parse_met(v) is None
    with pytest.raises(ValueError):
        parse_met("có lẽ")


@pytest.mark.parametrize("text,expected", [
    ("608.989", 608989.0), ("76,9", 76.9), ("1.234,5", 1234.5), ("30.614", 30614.0),
    ("2.258", 2258.0), ("0", 0.0), ("1,234.5", 1234.5), ("12.5", 12.5), ("16,38", 16.38),
    (" 4.658 ", 4658.0), ("100%", 100.0), (608989, 608989.0), ("", None),
])
def test_vietnamese_number_formats(text, expected):
    assert parse_number(text) == expected


def test_codes_keep_or_regain_leading_zeros():
    assert normalise_code("03436") == "03436"
    assert normalise_code(3436, 5) == "03436"
    assert normalise_code(3436.0, 5) == "03436"
    assert normalise_code("3436", 5) == "03436"
    assert fold("Xã Pa ủ", strip_unit=True) == fold("Pa Ủ") == "pa u"
    assert fold("Kan Hồ") == "kan ho"


def _set_table(ws_dir: Path, section: str, body: str) -> None:
    toml = (ws_dir / "ntmgis.toml").read_text(encoding="utf-8")
    start = toml.index(f"[tables.{section}]")
    end = toml.find("\n[", start + 1)
    toml = toml[:start] + body.strip() + "\n" + (toml[end:] if end != -1 else "")
    (ws_dir / "ntmgis.toml").write_text(toml, encoding="utf-8")


def _statuses(ws_dir: Path) -> pd.DataFrame:
    ws = load_workspace(ws_dir)
    log = IssueLog(root=ws.root)
    inp = load_inputs(ws, log)
    assert log.errors == [], [i.format() for i in log.errors]
    return inp.commune_status.sort_values(["code", "year", "criterion"]).reset_index(drop=True)


def test_wide_excel_with_x_and_numbers_equals_wide_csv(mini_ws):
    reference = _statuses(mini_ws)
    df = pd.read_csv(mini_ws / "commune_status.csv", dtype=str)
    tc = [c for c in df.columns if c.startswith("TC")]
    # Office variants: "x" for met, blank-free 1/0 numbers, codes typed as numbers.
    df[tc[:10]] = df[tc[:10]].replace({"Đạt": "x", "Chưa đạt": "-"})
    df[tc[10:]] = df[tc[10:]].replace({"Đạt": 1, "Chưa đạt": 0})
    df = df.rename(columns={c: f"Tiêu chí {c[2:]}" for c in tc})
    df["MaXa"] = df["MaXa"].astype(int)  # Excel drops the leading zeros
    df.to_excel(mini_ws / "status.xlsx", sheet_name="TieuChi", index=False)
    _set_table(mini_ws, "commune_status", """
[tables.commune_status]
path = "status.xlsx"
sheet = "TieuChi"
form = "wide"
""")
    got = _statuses(mini_ws)
    pd.testing.assert_frame_equal(got[["code", "year", "criterion", "met"]],
                                  reference[["code", "year", "criterion", "met"]])


def test_long_form_with_semicolons_and_bom_equals_wide(mini_ws):
    reference = _statuses(mini_ws)
    rows = reference[["code", "year", "criterion", "met"]].copy()
    rows["met"] = rows["met"].map({1: "Đạt", 0: "Chưa đạt"})
    rows.columns = ["ma_xa", "nam", "tieu_chi", "ket_qua"]
    rows.to_csv(mini_ws / "long.csv", sep=";", index=False, encoding="utf-8-sig")
    _set_table(mini_ws, "commune_status", """
[tables.commune_status]
path = "long.csv"
form = "long"
""")
    got = _statuses(mini_ws)
    pd.testing.assert_frame_equal(got[["code", "year", "criterion", "met"]],
                                  reference[["code", "year", "criterion", "met"]])


def test_cp1258_csv_declared_in_the_workspace(mini_ws):
    text = (mini_ws / "projects.csv").read_text(encoding="utf-8")
    (mini_ws / "projects.csv").write_bytes(to_cp1258(text))
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    (mini_ws / "ntmgis.toml").write_text(toml.replace('encoding = "utf-8"', 'encoding = "cp1258"'),
                                         encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    inp = load_inputs(ws, log)
    assert log.errors == []
    assert inp.projects["name"].iloc[0] == "Trường học xã 1"
    assert inp.projects["status"].iloc[0] == "under_way"
    assert inp.projects["cap_integrated"].iloc[0] == 2500.5


def _projects_with_xy(ws_dir: Path, x: float, y: float, xy_crs: str) -> gpd.GeoDataFrame:
    df = pd.read_csv(ws_dir / "projects.csv", dtype=str)
    df = df.drop(columns=["kinh_do", "vi_do"])
    df["toa_do_x"] = f"{x:.3f}"
    df["toa_do_y"] = f"{y:.3f}"
    df.to_csv(ws_dir / "projects.csv", index=False)
    _set_table(ws_dir, "projects", f"""
[tables.projects]
path = "projects.csv"
xy_crs = "{xy_crs}"
""")
    ws = load_workspace(ws_dir)
    log = IssueLog(root=ws.root)
    # No area: the reference point lies 3 km south of the mini communes, and the test
    # is about the datum shift, not about the area check.
    return read_projects(ws, log, code_width=ws.code_width)


def test_lon_lat_are_moved_onto_vn2000_with_the_datum_shift():
    # The reference point of DOMAIN.md (PROJ, EPSG:6960 seven-parameter shift).
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(*REF_LL)
    assert x == pytest.approx(REF_TM3[0], abs=0.01)
    assert y == pytest.approx(REF_TM3[1], abs=0.01)


@pytest.mark.parametrize("xy_crs", ["EPSG:9205", "EPSG:3405"])
def test_project_locations_from_vn2000_xy(mini_ws, xy_crs):
    x, y = Transformer.from_crs("EPSG:4326", xy_crs, always_xy=True).transform(*REF_LL)
    got = _projects_with_xy(mini_ws, x, y, xy_crs)
    p = got.geometry.iloc[0]
    assert p.x == pytest.approx(REF_TM3[0], abs=0.05)
    assert p.y == pytest.approx(REF_TM3[1], abs=0.05)


def test_road_projects_take_their_line_geometry_by_project_id(mini_ws):
    line = shapely.LineString([(471000, 2481000), (473000, 2482000), (474000, 2484000)])
    gpd.GeoDataFrame({"ma_du_an": ["DA02"]}, geometry=[line], crs=CRS).to_file(
        mini_ws / "lines.gpkg", engine="pyogrio")
    toml = (mini_ws / "ntmgis.toml").read_text(encoding="utf-8")
    toml += '\n[layers.project_geometry]\npath = "lines.gpkg"\n'
    (mini_ws / "ntmgis.toml").write_text(toml, encoding="utf-8")
    ws = load_workspace(mini_ws)
    log = IssueLog(root=ws.root)
    inp = load_inputs(ws, log)
    geoms = dict(zip(inp.projects["project_id"], inp.projects.geometry, strict=True))
    assert geoms["DA02"].equals(line)
    assert geoms["DA01"].geom_type == "Point"
