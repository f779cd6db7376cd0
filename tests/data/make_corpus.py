#!/usr/bin/env python3
"""Write the small test workspace ``mini/`` and the corpus of bad inputs ``bad/<case>/``.

``mini`` is three 5 km square communes in VN-2000 / TM-3 103-00 near Mường Tè,
two villages each, a few projects. Each bad case is a folder of files that
replace mini's, plus ``expect.toml`` naming the check, severity, file, row and
column that ``ntmgis validate`` must report. Run from anywhere; rewrites both.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
MINI = HERE / "mini"
BAD = HERE / "bad"
CRS = "EPSG:9205"
X0, Y0, S = 470000.0, 2480000.0, 5000.0
TO_LL = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

TOML = """\
[area]
name = "Huyện Thử"
province = "Tỉnh Lai Châu"
crs = "EPSG:9205"
assume_crs = "EPSG:9205"
encoding = "utf-8"
years = [2024, 2025]
code_width = 5
data_date = "2025-12-31"

[plan]
year = 2025
ntm_communes = 1
ntm_villages = 2
villages_total = 6
min_criteria = 10

[layers.communes]
path = "communes.geojson"
[layers.communes.fields]
code = "ma_xa"
name = "ten_xa"

[layers.villages]
path = "villages.geojson"

[tables.commune_status]
path = "commune_status.csv"
form = "wide"

[tables.projects]
path = "projects.csv"

[tables.plan_targets]
path = "plan_targets.csv"

[tables.plan_funding]
path = "plan_funding.csv"
"""

COMMUNES = [("00001", "Xã Một", 0), ("00002", "Xã Hai", 1), ("00003", "Xã Ba", 2)]


def square(i: int, dx: float = 0.0, size: float = S) -> shapely.Polygon:
    return shapely.box(X0 + i * S + dx, Y0, X0 + i * S + dx + size, Y0 + S)


def write_geojson(path: Path, rows: list[dict], crs: str = CRS) -> None:
    feats = [{"type": "Feature", "properties": {k: v for k, v in r.items() if k != "geometry"},
              "geometry": shapely.geometry.mapping(r["geometry"])} for r in rows]
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name",
                   "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}},
           "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def communes_rows(geoms=None) -> list[dict]:
    return [{"ma_xa": c, "ten_xa": n, "geometry": (geoms or {}).get(c, square(i))}
            for c, n, i in COMMUNES]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def status_rows(year_override=None, value_override=None) -> tuple[list[str], list[list]]:
    header = ["MaXa", "TenXa", "Nam"] + [f"TC{n}" for n in range(1, 20)]
    rows = []
    for year in (2024, 2025):
        for k, (c, n, _) in enumerate(COMMUNES):
            vals = ["Đạt"] * 19 if (k == 0 and year == 2025) else (
                ["Đạt"] * 12 + ["Chưa đạt"] * 7)
            rows.append([c, n, year] + vals)
    if year_override:
        rows[0][2] = year_override
    if value_override:
        rows[0][3] = value_override
    return header, rows


PROJECT_HEADER = ["ma_du_an", "ten_du_an", "loai", "ma_xa", "ma_ban", "tieu_chi",
                  "nam_bat_dau", "nam_ket_thuc", "tinh_trang", "kinh_do", "vi_do",
                  "ns_trung_uong", "von_long_ghep"]


def ll(x: float, y: float) -> tuple[str, str]:
    lon, lat = TO_LL.transform(x, y)
    return f"{lon:.6f}", f"{lat:.6f}"


def project_rows() -> list[list]:
    rows = []
    for k, (c, _, i) in enumerate(COMMUNES):
        lon, lat = ll(X0 + i * S + 2500, Y0 + 2500)
        rows.append([f"DA{k + 1:02d}", f"Trường học xã {k + 1}", "Trường học", c, f"{c}01", "5;14",
                     2024, 2025, "Đang thực hiện", lon, lat, "1.000", "2.500,5"])
    return rows


def write_mini() -> None:
    if MINI.exists():
        shutil.rmtree(MINI)
    MINI.mkdir(parents=True)
    (MINI / "ntmgis.toml").write_text(TOML, encoding="utf-8")
    write_geojson(MINI / "communes.geojson", communes_rows())
    villages = []
    for c, _, i in COMMUNES:
        for j in (1, 2):
            villages.append({"ma_ban": f"{c}0{j}", "ten_ban": f"Bản {c[-1]}-{j}", "ma_xa": c,
                             "dan_so": 300 + j,
                             "geometry": shapely.Point(X0 + i * S + 1500 * j, Y0 + 2000)})
    write_geojson(MINI / "villages.geojson", villages)
    write_csv(MINI / "commune_status.csv", *status_rows())
    write_csv(MINI / "projects.csv", PROJECT_HEADER, project_rows())
    write_csv(MINI / "plan_targets.csv", ["tieu_chi", "so_xa_dat"],
              [[n, 3 if n != 10 else 1] for n in range(1, 20)])
    write_csv(MINI / "plan_funding.csv", ["nguon_von", "ke_hoach"],
              [["Ngân sách Trung ương", "3.000"], ["Vốn lồng ghép", "7.501,5"]])


def case(name: str, expect: dict, files: dict[str, object]) -> None:
    d = BAD / name
    if d.exists():  # only this case's folder: bad/ also holds cases written by hand
        shutil.rmtree(d)
    d.mkdir(parents=True)
    lines = [f'{k} = {json.dumps(v, ensure_ascii=False)}' for k, v in expect.items()]
    (d / "expect.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for fname, writer in files.items():
        writer(d / fname)


def projects_with(mutate) -> callable:
    def w(path: Path) -> None:
        rows = project_rows()
        header = list(PROJECT_HEADER)
        header, rows = mutate(header, rows) or (header, rows)
        write_csv(path, header, rows)
    return w


def write_bad() -> None:
    # Never wipe bad/: the in_, cfg_, enc_, out_ and cli_ cases were written
    # by hand (and by the trust work) and are not regenerated here.
    BAD.mkdir(exist_ok=True)
    E, W = "error", "warning"

    def set_cell(row, col, value):
        def m(header, rows):
            rows[row][header.index(col)] = value
            return header, rows
        return m

    case("missing_file", {"check": "file_missing", "severity": E, "file": "villages.geojson"},
         {"ntmgis.toml": lambda p: p.write_text(TOML, encoding="utf-8"),
          "_delete": lambda p: p.write_text("villages.geojson\n", encoding="utf-8")})
    case("unreadable_file", {"check": "file_unreadable", "severity": E,
                             "file": "villages.geojson"},
         {"villages.geojson": lambda p: p.write_text("{not json", encoding="utf-8")})
    case("missing_column", {"check": "missing_column", "severity": E, "file": "projects.csv",
                            "column": "name"},
         {"projects.csv": projects_with(lambda h, r: (
             [c for c in h if c != "ten_du_an"], [x[:1] + x[2:] for x in r]))})
    case("unknown_code", {"check": "unknown_code", "severity": E, "file": "projects.csv",
                          "row": 3, "column": "ma_xa", "value": "09999"},
         {"projects.csv": projects_with(set_cell(1, "ma_xa", "09999"))})
    case("duplicate_code", {"check": "duplicate_code", "severity": E, "file": "projects.csv",
                            "row": 3, "column": "ma_du_an", "value": "DA01"},
         {"projects.csv": projects_with(set_cell(1, "ma_du_an", "DA01"))})
    case("lost_leading_zero", {"check": "code_lost_zero", "severity": W, "file": "projects.csv",
                               "row": 2, "column": "ma_xa", "value": "1"},
         {"projects.csv": projects_with(set_cell(0, "ma_xa", "1"))})
    case("invalid_geometry", {"check": "invalid_geometry", "severity": E,
                              "file": "communes.geojson", "row": 2, "value": "00002"},
         {"communes.geojson": lambda p: write_geojson(p, communes_rows({"00002": shapely.Polygon(
             [(X0 + S, Y0), (X0 + 2 * S, Y0 + S), (X0 + 2 * S, Y0), (X0 + S, Y0 + S)])}))})
    case("overlap", {"check": "overlap", "severity": W, "file": "communes.geojson",
                     "value": "00001/00002"},
         {"communes.geojson": lambda p: write_geojson(p, communes_rows(
             {"00001": square(0, size=S + 200)}))})
    case("gap", {"check": "gap", "severity": W, "file": "communes.geojson"},
         {"communes.geojson": lambda p: write_geojson(p, communes_rows(
             {"00002": square(1).difference(shapely.box(X0 + S + 1000, Y0 + 1000,
                                                        X0 + S + 1100, Y0 + 1100))
              .buffer(0)}) + [])})
    case("outside_commune", {"check": "outside_commune", "severity": W, "file": "projects.csv",
                             "row": 2, "column": "ma_xa", "value": "DA01"},
         {"projects.csv": projects_with(lambda h, r: (h, [
             r[0][:9] + list(ll(X0 + S + 2500, Y0 + 2500)) + r[0][11:]] + r[1:]))})
    case("latlon_swapped", {"check": "latlon_swapped", "severity": E, "file": "projects.csv",
                            "row": 2, "column": "kinh_do"},
         {"projects.csv": projects_with(lambda h, r: (h, [
             r[0][:9] + [r[0][10], r[0][9]] + r[0][11:]] + r[1:]))})
    case("out_of_area", {"check": "out_of_area", "severity": E, "file": "projects.csv", "row": 2},
         {"projects.csv": projects_with(lambda h, r: (h, [
             r[0][:9] + ["105.800000", "21.000000"] + r[0][11:]] + r[1:]))})
    case("crs_mismatch", {"check": "crs_mismatch", "severity": E, "file": "villages.geojson"},
         {"villages.geojson": lambda p: write_geojson(p, [
             {"ma_ban": "0000101", "ten_ban": "Bản A", "ma_xa": "00001",
              "geometry": shapely.Point(102.8, 22.4)}])})
    case("year_out_of_range", {"check": "year_range", "severity": E,
                               "file": "commune_status.csv", "row": 2, "column": "Nam",
                               "value": "2030"},
         {"commune_status.csv": lambda p: write_csv(p, *status_rows(year_override=2030))})
    case("bad_status_value", {"check": "bad_status_value", "severity": E,
                              "file": "commune_status.csv", "row": 2, "column": "TC1",
                              "value": "có lẽ"},
         {"commune_status.csv": lambda p: write_csv(p, *status_rows(value_override="có lẽ"))})
    case("criterion_out_of_range", {"check": "criterion_range", "severity": E,
                                    "file": "projects.csv", "row": 2, "column": "tieu_chi",
                                    "value": "5;20"},
         {"projects.csv": projects_with(set_cell(0, "tieu_chi", "5;20"))})
    case("capital_not_numeric", {"check": "not_a_number", "severity": E, "file": "projects.csv",
                                 "row": 4, "column": "von_long_ghep", "value": "hai tỷ"},
         {"projects.csv": projects_with(set_cell(2, "von_long_ghep", "hai tỷ"))})
    case("capital_negative", {"check": "negative", "severity": E, "file": "projects.csv",
                              "row": 2, "column": "ns_trung_uong", "value": "-5"},
         {"projects.csv": projects_with(set_cell(0, "ns_trung_uong", "-5"))})
    case("funding_total", {"check": "funding_total", "severity": W, "file": "projects.csv",
                           "column": "cap_central"},
         {"plan_funding.csv": lambda p: write_csv(p, ["nguon_von", "ke_hoach"], [
             ["Ngân sách Trung ương", "3.100"], ["Vốn lồng ghép", "7.501,5"]])})
    case("bad_status_enum", {"check": "bad_enum", "severity": E, "file": "projects.csv",
                             "row": 3, "column": "tinh_trang", "value": "xong rồi?"},
         {"projects.csv": projects_with(set_cell(1, "tinh_trang", "xong rồi?"))})
    case("year_order", {"check": "year_order", "severity": E, "file": "projects.csv", "row": 2},
         {"projects.csv": projects_with(set_cell(0, "nam_bat_dau", "2026"))})
    case("no_location", {"check": "no_location", "severity": E, "file": "projects.csv", "row": 2},
         {"projects.csv": projects_with(lambda h, r: (h, [
             r[0][:9] + ["", ""] + r[0][11:]] + r[1:]))})
    case("unknown_village", {"check": "unknown_code", "severity": E, "file": "projects.csv",
                             "row": 2, "column": "ma_ban", "value": "0000199"},
         {"projects.csv": projects_with(set_cell(0, "ma_ban", "0000199"))})

    def shp_no_prj(p: Path) -> None:
        gdf = gpd.GeoDataFrame({"ma_ban": ["0000101"], "ten_ban": ["Bản A"], "ma_xa": ["00001"]},
                               geometry=[shapely.Point(X0 + 1000, Y0 + 1000)], crs=CRS)
        gdf.to_file(p, driver="ESRI Shapefile", engine="pyogrio", encoding="utf-8")
        p.with_suffix(".prj").unlink()

    case("no_crs", {"check": "no_crs", "severity": E, "file": "villages.shp",
                    "config": "no_assume_crs"},
         {"villages.shp": shp_no_prj})
    case("legacy_encoding_undeclared", {"check": "legacy_encoding", "severity": W,
                                        "file": "projects.csv", "row": 0},
         {"projects.csv": projects_with(set_cell(0, "ten_du_an", "Tr\u00adêng häc x· Mét"))})


if __name__ == "__main__":
    os.environ["OGR_CURRENT_DATE"] = "2025-12-31T00:00:00Z"
    write_mini()
    write_bad()
    print("written", MINI, BAD)
