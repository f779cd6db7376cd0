"""Write the 2026 sample workspace (sample_2026/): Mường Tè's 8 communes since 1 July 2025.

The boundaries are the real 2013 boundaries of the 14 old units (layers/communes.geojson,
see layers/SOURCES.md) dissolved through the merger table (layers/merger_2025.csv). The
new communes carry their real GSO codes (PyPI ``vietnam-provinces`` 2025.10.1,
``data/nested-divisions.json``, province 12). Villages, facilities, roads and elevation are
the illustrative ones of the 2021-2025 sample, re-attached to the new communes. The
criteria status for 2026 is ILLUSTRATIVE, derived without randomness from the sample's
(also illustrative) 2025 status of the old units (:data:`RELATED`, :func:`commune_status`).
There are no indicator values: qd51-2025.toml records no indicators (its annex could not
be read, ntmgis/core/criteria_sets/SOURCES.md).

Run: ``python scripts/make_sample_2026.py`` (deterministic: the same files every time).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from ntmgis.core.gdal_env import pinned_gpkg_date
from ntmgis.monitoring.crosswalk import dissolve_units

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "layers"
OUT = ROOT / "sample_2026"
CRS = "EPSG:9205"

# New commune -> its GSO code since 1 July 2025 (vietnam-provinces 2025.10.1).
NEW_CODES = {
    "Xã Bum Tở": "03433",
    "Xã Thu Lũm": "03439",
    "Xã Pa Ủ": "03442",
    "Xã Mường Tè": "03445",
    "Xã Mù Cả": "03451",
    "Xã Hua Bum": "03460",
    "Xã Tà Tổng": "03463",
    "Xã Bum Nưa": "03466",
}
# Old unit's name as the merger table writes it -> the GSO code in layers/communes.geojson.
OLD_NAME_FIX = {"Xã Pa Ủ": "Xã Pa ủ", "Thị Trấn Mường Tè": "Thị trấn Mường Tè"}
# The sample's own correspondence between a criterion of Decision 51/2025/QĐ-TTg and
# the criteria of Decision 318/QĐ-TTg whose subject it takes up, read from the criteria's
# names only (the annex of Decision 51 could not be read). It is NOT an official
# mapping: it only makes the illustrative 2026 status follow the illustrative 2025 one.
RELATED = {
    1: (1,),                        # Quy hoạch <- Quy hoạch
    2: (2, 3, 4, 5, 6, 7, 8, 9),    # Hạ tầng kinh tế - xã hội <- the infrastructure group
    3: (10, 13),                    # Phát triển kinh tế nông thôn <- Thu nhập; Tổ chức sản xuất
    4: (12, 14),                    # Đào tạo nguồn nhân lực <- Lao động; Giáo dục và Đào tạo
    5: (14, 15, 16),                # Văn hóa, giáo dục, y tế <- Giáo dục; Y tế; Văn hóa
    6: (11,),                       # Giảm nghèo và an sinh xã hội <- Nghèo đa chiều
    7: (8,),                        # Khoa học công nghệ và chuyển đổi số <- Thông tin và TT
    8: (17,),                       # Môi trường và cảnh quan <- Môi trường và ATTP
    9: (18,),                       # Hệ thống chính trị và hành chính công <- Hệ thống CT
    10: (18, 19),                   # Tiếp cận pháp luật, an ninh, quốc phòng <- 18; 19
}
STATUS_YEAR = 2026
BASE_YEAR = 2025
MET, UNMET = "Đạt", "Chưa đạt"

def crosswalk() -> dict[str, str]:
    """Old GSO code -> new GSO code, through the merger table's names."""
    old = gpd.read_file(SRC / "communes.geojson")
    code_of = dict(zip(old["name"], old["gso_code"]))
    table = pd.read_csv(SRC / "merger_2025.csv", dtype=str)
    out = {}
    for _, row in table.iterrows():
        name = OLD_NAME_FIX.get(row["old_ward_name"], row["old_ward_name"])
        out[code_of[name]] = NEW_CODES[row["new_ward_name"]]
    if set(out) != set(old["gso_code"]):
        sys.exit("the merger table does not cover every old unit")
    return out


def communes(xwalk: dict[str, str]) -> gpd.GeoDataFrame:
    """The 8 new communes, dissolved in the working CRS."""
    old = gpd.read_file(SRC / "communes.geojson").to_crs(CRS)
    old["new_code"] = old["gso_code"].map(xwalk)
    names = {v: k for k, v in NEW_CODES.items()}
    rows = []
    for code, group in old.groupby("new_code", sort=True):
        # gaps between the old units wholly inside a new commune are closed, real holes kept
        geom = dissolve_units(group.geometry.values,
                              others=old[old["new_code"] != code].geometry.values)
        rows.append({
            "ma_xa": code,
            "ten_xa": names[code],
            "ma_xa_cu": ";".join(sorted(group["gso_code"])),
            "ten_xa_cu": "; ".join(group.sort_values("gso_code")["name"]),
            "nhom": "nhom3",
            "geometry": geom,
        })
    gdf = gpd.GeoDataFrame(rows, crs=CRS)
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 0.01)
    return gdf


def reattach(path: Path, xwalk: dict[str, str]) -> gpd.GeoDataFrame:
    """A layer of the 2021-2025 sample with its commune codes moved to the new communes."""
    gdf = gpd.read_file(path)
    gdf["ma_xa"] = gdf["ma_xa"].map(xwalk)
    return gdf


def commune_status(xwalk: dict[str, str]) -> list[list[str]]:
    """The illustrative 2026 rows (MaXa, TenXa, Nam, TC1 ... TC10), sorted by code.

    A new commune meets criterion k in 2026 when, over its old units with a 2025 row
    in the 2021-2025 sample and the criteria ``RELATED[k]``, strictly more than half of
    the (old unit, criterion) pairs were met in 2025, and not met otherwise.
    """
    with open(SRC / "commune_status.csv", encoding="utf-8-sig", newline="") as f:
        base = [r for r in csv.DictReader(f) if int(r["Nam"]) == BASE_YEAR]
    names = {v: k for k, v in NEW_CODES.items()}
    rows = []
    for code in sorted(names):
        olds = [r for r in base if xwalk[r["MaXa"]] == code]
        if not olds:
            sys.exit(f"no 2025 status for the old units of {code}")
        cells = []
        for k in sorted(RELATED):
            pairs = [r[f"TC{n}"] == MET for r in olds for n in RELATED[k]]
            cells.append(MET if 2 * sum(pairs) > len(pairs) else UNMET)
        rows.append([code, names[code], str(STATUS_YEAR), *cells])
    return rows


def main() -> None:
    """Write every file of sample_2026/layers."""
    xwalk = crosswalk()
    layers = OUT / "layers"
    layers.mkdir(parents=True, exist_ok=True)
    path = layers / "communes.geojson"
    path.unlink(missing_ok=True)
    communes(xwalk).to_crs("EPSG:4326").to_file(path, driver="GeoJSON",
                                                 COORDINATE_PRECISION=7)
    for name in ("villages", "facilities"):
        path = layers / f"{name}.gpkg"
        path.unlink(missing_ok=True)
        with pinned_gpkg_date("2026-02-15"):
            reattach(SRC / f"{name}.gpkg", xwalk).to_file(path, layer=name, driver="GPKG",
                                                           engine="pyogrio", metadata={})
    shutil.copyfile(SRC / "roads.gpkg", layers / "roads.gpkg")
    shutil.copyfile(SRC / "elevation.tif", layers / "elevation.tif")
    with open(layers / "crosswalk_2025.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ma_xa_cu", "ma_xa_moi"])
        for old, new in sorted(xwalk.items()):
            w.writerow([old, new])
    with open(layers / "commune_status.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["MaXa", "TenXa", "Nam", *(f"TC{k}" for k in sorted(RELATED))])
        w.writerows(commune_status(xwalk))


if __name__ == "__main__":
    main()
