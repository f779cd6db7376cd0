#!/usr/bin/env python3
"""Generate the illustrative parts of the Mường Tè sample workspace in ``layers/``.

Real: the commune boundaries and codes (copied from ../shared/data/muong_te,
see layers/SOURCES.md). Illustrative, generated here deterministically from a
fixed seed: villages (bản), facilities, roads, the elevation raster, criteria
status 2021-2025 (commune and village), the village criteria set, the
investment list (whose totals by source equal the plan's exactly) and the
communes the district targets for NTM by 2025. The plan's own targets
(Biểu 01) and funding (Biểu 05) are copied from the plan.

Run: ``python scripts/make_sample.py`` (rewrites the files in layers/).
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from scipy.ndimage import gaussian_filter
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "muong_te"
OUT = ROOT / "layers"
CRS = "EPSG:9205"
SEED = 20211231

sys.path.insert(0, str(ROOT))
from ntmgis.core.criteria import COMMUNE_CRITERIA  # noqa: E402

# Villages per commune: 101 bản in the 13 communes (plan: 18 bản = 17,8%).
VILLAGES_PER_COMMUNE = {
    "03436": 6, "03439": 8, "03440": 6, "03442": 9, "03445": 8, "03448": 8, "03451": 9,
    "03454": 7, "03457": 6, "03463": 11, "03466": 8, "03467": 6, "03469": 9,
}
TOWNSHIP = "03433"
# Communes the sample's district aims to bring to NTM by 2025 (4 of 13, as the plan).
TARGET_NTM = ("03445", "03454", "03466", "03469")
# Plan Biểu 01: communes meeting each criterion by 2025.
TARGETS = [13, 13, 13, 13, 10, 12, 13, 13, 13, 4, 4, 13, 12, 10, 11, 13, 7, 13, 13]
TARGET_SHARES = ["100%", "100%", "100%", "100%", "76,9%", "92,3%", "100%", "100%", "100%",
                 "30,8%", "30,8%", "100%", "92,3%", "76,9%", "84,6%", "100%", "53,8%",
                 "100%", "100%"]
FUNDING = [  # Biểu 05, million VND, written as the plan writes them
    ("Ngân sách Trung ương", "30.614"),
    ("Ngân sách địa phương", "3.514"),
    ("Vốn lồng ghép", "567.945"),
    ("Vốn tín dụng", "0"),
    ("Vốn huy động", "2.258"),
    ("Cộng đồng dân cư đóng góp", "4.658"),
]
SOURCES = ["central", "local", "integrated", "credit", "mobilised", "community"]
SOURCE_TOTALS = [30614, 3514, 567945, 0, 2258, 4658]

# (number, name_vi, name_en, the commune criteria whose projects serve it)
VILLAGE_CRITERIA = [
    (1, "Giao thông", "Transport", "2"),
    (2, "Điện", "Electricity", "4"),
    (3, "Nhà văn hóa và khu thể thao bản", "Cultural house and sports ground", "6;16"),
    (4, "Thông tin và truyền thông", "Information and communications", "8"),
    (5, "Nhà ở dân cư", "Residential housing", "9"),
    (6, "Thu nhập", "Income", "10;13"),
    (7, "Hộ nghèo", "Poor households", "11"),
    (8, "Giáo dục - Y tế - Văn hóa", "Education, health and culture", "14;15;16"),
    (9, "Môi trường và an toàn thực phẩm", "Environment and food safety", "17"),
    (10, "Hệ thống chính trị và an ninh trật tự", "Political system and security", "18;19"),
]

SYL1 = ["Nậm", "Pa", "Phìn", "Sì", "Mù", "Lò", "Xà", "Ma", "Huổi", "Pắc", "Hô", "Tà", "Nhóm",
        "Cò", "Pờ", "Ví", "Là", "Seo", "Mé", "Xe", "Chang", "Hạt", "Ló", "Thèm"]
SYL2 = ["Pục", "Tết", "Củm", "Khò", "Hồ", "Thàng", "Xí", "Lùng", "Cấu", "Sang", "Chà", "Hạ",
        "Bó", "Cáng", "Chải", "Gióng", "Hay", "Na", "Xá", "Pố", "Lếch", "Mạ", "Khao", "Pé"]

# category -> (criteria served, size range in million VND, source mix)
CATEGORY = {
    "road": ("2", (8000, 25000), {"integrated": .9, "central": .07, "local": .01,
                                  "community": .02}),
    "irrigation": ("3", (2000, 8000), {"integrated": .85, "central": .12, "local": .03}),
    "electricity": ("4", (3000, 12000), {"integrated": .95, "central": .05}),
    "school": ("5;14", (3000, 9000), {"integrated": .8, "central": .15, "local": .05}),
    "health": ("15", (2000, 5000), {"integrated": .8, "central": .2}),
    "culture": ("6;16", (400, 1200), {"central": .6, "local": .1, "community": .3}),
    "market": ("7", (1500, 4000), {"central": .5, "mobilised": .5}),
    "telecom": ("8", (500, 1500), {"mobilised": .8, "central": .2}),
    "housing": ("9", (500, 2000), {"integrated": .6, "community": .4}),
    "production": ("10;13", (300, 1500), {"central": .5, "mobilised": .3, "community": .2}),
    "water": ("17", (800, 2500), {"integrated": .7, "central": .3}),
    "other": ("1", (300, 600), {"central": .8, "local": .2}),
}


def short_name(full: str) -> str:
    """'Xã Ka Lăng' -> 'Ka Lăng'."""
    for p in ("Thị trấn ", "Xã "):
        if full.startswith(p):
            return full[len(p):]
    return full


def ban(name: str) -> str:
    """'Bản Nậm Pục' inside a sentence: 'bản Nậm Pục'."""
    return "bản " + name.removeprefix("Bản ")


def make_elevation(communes: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple:
    """Mountain terrain of the real range (~300-3.000 m), high in the north-west."""
    cell = 100.0
    minx, miny, maxx, maxy = communes.total_bounds
    x0, y1 = np.floor(minx / 1000) * 1000 - 3000, np.ceil(maxy / 1000) * 1000 + 3000
    x1, y0 = np.ceil(maxx / 1000) * 1000 + 3000, np.floor(miny / 1000) * 1000 - 3000
    w, h = int((x1 - x0) / cell), int((y1 - y0) / cell)
    noise = np.zeros((h, w))
    for sigma, amp in ((60, 1.0), (25, 0.55), (10, 0.3), (4, 0.12), (1.5, 0.05)):
        f = gaussian_filter(rng.standard_normal((h, w)), sigma)
        noise += amp * f / f.std()
    xs = x0 + (np.arange(w) + 0.5) * cell
    ys = y1 - (np.arange(h) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)
    # Regional trend: the Đà valley near the township (south-east) is lowest,
    # the border ranges (Pu Si Lung, north-west) highest.
    low = np.array([482000.0, 2470000.0])
    trend = np.hypot(gx - low[0], gy - low[1]) / 60000.0
    # Main rivers carve valleys: Đà river from the north-west to the south-east,
    # and a tributary from the west.
    rivers = [
        shapely.LineString([(432000, 2515000), (450000, 2500000), (462000, 2488000),
                            (472000, 2480000), (482000, 2472000), (497000, 2455000)]),
        shapely.LineString([(430000, 2468000), (450000, 2475000), (468000, 2480000)]),
        shapely.LineString([(470000, 2520000), (468000, 2500000), (462000, 2488000)]),
    ]
    pts = shapely.points(gx.ravel(), gy.ravel())
    d = np.min([shapely.distance(r, pts) for r in rivers], axis=0).reshape(h, w)
    valley = 1.0 - 0.75 * np.exp(-((d / 2500.0) ** 2))
    z = (0.9 * trend + 0.35 * noise + 0.8) * valley
    z = (z - z.min()) / (z.max() - z.min())
    elev = 290.0 + z**1.3 * 2790.0
    transform = from_origin(x0, y1, cell, cell)
    return elev.astype("int16"), transform


def sample_elev(elev: np.ndarray, transform, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    col = ((x - transform.c) / transform.a).astype(int)
    row = ((y - transform.f) / transform.e).astype(int)
    return elev[np.clip(row, 0, elev.shape[0] - 1), np.clip(col, 0, elev.shape[1] - 1)]


def place_villages(communes, elev, transform, rng) -> gpd.GeoDataFrame:
    """Villages inside their commune (outside the overlaps), mostly in valleys."""
    rows = []
    used_names: set[str] = set()
    geoms = communes.set_index("gso_code").geometry
    for code, n in VILLAGES_PER_COMMUNE.items():
        others = shapely.union_all([g for c, g in geoms.items() if c != code])
        area = geoms[code].difference(others).buffer(-400)
        minx, miny, maxx, maxy = area.bounds
        cand_x = rng.uniform(minx, maxx, 4000)
        cand_y = rng.uniform(miny, maxy, 4000)
        inside = shapely.contains_xy(area, cand_x, cand_y)
        cand_x, cand_y = cand_x[inside], cand_y[inside]
        z = sample_elev(elev, transform, cand_x, cand_y).astype(float)
        weight = np.exp(-(z - z.min()) / 350.0)
        order = rng.choice(len(cand_x), size=len(cand_x), replace=False, p=weight / weight.sum())
        chosen: list[tuple[float, float]] = []
        for i in order:
            p = (cand_x[i], cand_y[i])
            if all(np.hypot(p[0] - q[0], p[1] - q[1]) > 1800 for q in chosen):
                chosen.append(p)
            if len(chosen) == n:
                break
        # The first village is the commune centre: the lowest of the chosen.
        chosen.sort(key=lambda p: sample_elev(elev, transform, np.array([p[0]]),
                                              np.array([p[1]]))[0])
        for k, (x, y) in enumerate(chosen, start=1):
            while True:
                name = f"{rng.choice(SYL1)} {rng.choice(SYL2)}"
                if name not in used_names:
                    used_names.add(name)
                    break
            rows.append({
                "ma_ban": f"{code}{k:02d}",
                "ten_ban": f"Bản {name}",
                "ma_xa": code,
                "dan_so": int(rng.integers(180, 900)),
                "trung_tam_xa": int(k == 1),
                "geometry": shapely.Point(round(x, 1), round(y, 1)),
            })
    return gpd.GeoDataFrame(rows, crs=CRS)


def wiggle(a, b, rng, parts: int = 4) -> shapely.LineString:
    """A road between a and b that bends like a mountain road, ends kept exact."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    v = b - a
    n = np.array([-v[1], v[0]]) / (np.hypot(*v) or 1.0)
    pts = [tuple(a)]
    for t in np.linspace(0, 1, parts + 1)[1:-1]:
        off = rng.normal(0, 0.08) * np.hypot(*v)
        pts.append(tuple(np.round(a + t * v + off * n, 1)))
    pts.append(tuple(b))
    return shapely.LineString(pts)


def make_roads(villages, township_pt, communes, rng) -> gpd.GeoDataFrame:
    """A connected network: a backbone between commune centres, then tracks to each bản."""
    cnames = dict(zip(communes.gso_code, communes.name.map(short_name), strict=True))
    centres = villages[villages.trung_tam_xa == 1]
    nodes = [("thị trấn Mường Tè", township_pt)] + [
        (f"xã {cnames[c]}", p) for c, p in zip(centres.ma_xa, centres.geometry, strict=True)]
    xy = np.array([[p.x, p.y] for _, p in nodes])
    mst = minimum_spanning_tree(cdist(xy, xy)).tocoo()
    rows = []
    for i, j in sorted(zip(mst.row.tolist(), mst.col.tolist(), strict=True)):
        if 0 in (i, j):
            name = f"Đường tỉnh 131 ({nodes[0][0]} - {nodes[i or j][0]})"
            cls = "provincial"
        else:
            name = f"Đường liên xã {nodes[i][0].removeprefix('xã ')} - " \
                   f"{nodes[j][0].removeprefix('xã ')}"
            cls = "district"
        rows.append((wiggle(xy[i], xy[j], rng), cls, name))
    for code, grp in villages.groupby("ma_xa", sort=True):
        grp = grp.sort_values("ma_ban")
        xy = np.array([[p.x, p.y] for p in grp.geometry])
        mst = minimum_spanning_tree(cdist(xy, xy)).tocoo()
        centre = int(np.flatnonzero(grp.trung_tam_xa.to_numpy() == 1)[0])
        for i, j in sorted(zip(mst.row.tolist(), mst.col.tolist(), strict=True)):
            if centre in (i, j):
                cls = "commune"
                name = f"Đường từ trung tâm xã {cnames[code]} đến " \
                       f"{ban(grp.ten_ban.iloc[i + j - centre])}"
            else:
                cls = "village_track"
                name = f"Đường {ban(grp.ten_ban.iloc[i])} - {ban(grp.ten_ban.iloc[j])}"
            rows.append((wiggle(xy[i], xy[j], rng, 5), cls, name))
    return gpd.GeoDataFrame(
        {
            "ma_duong": [f"D{k:03d}" for k in range(1, len(rows) + 1)],
            "ten": [n for _, _, n in rows],
            "cap_duong": [c for _, c, _ in rows],
            "geometry": [g for g, _, _ in rows],
        },
        crs=CRS,
    )


def make_facilities(villages, township_pt, communes, rng) -> gpd.GeoDataFrame:
    names = dict(zip(communes.gso_code, communes.name.map(short_name), strict=True))
    rows = []

    def add(fid, name, typ, code, vcode, p, dx=150.0):
        ang = rng.uniform(0, 2 * np.pi)
        rows.append({"ma_cs": fid, "ten": name, "loai": typ, "ma_xa": code, "ma_ban": vcode,
                     "geometry": shapely.Point(round(p.x + dx * np.cos(ang), 1),
                                               round(p.y + dx * np.sin(ang), 1))})

    add("YT-03433", "Trung tâm Y tế huyện Mường Tè", "health_station", TOWNSHIP, None,
        township_pt)
    add("CH-03433", "Chợ trung tâm huyện Mường Tè", "market", TOWNSHIP, None, township_pt, 300)
    add("TH-03433", "Trường THPT Mường Tè", "school", TOWNSHIP, None, township_pt, 450)
    market_communes = {"03445", "03466", "03454", "03463", "03439"}
    # Two remote communes have no health station of their own yet (a real gap
    # that the access query should find).
    no_station = {"03440", "03451"}
    for v in villages.itertuples():
        cname = names[v.ma_xa]
        bname = v.ten_ban.removeprefix("Bản ")
        if v.trung_tam_xa:
            if v.ma_xa not in no_station:
                add(f"YT-{v.ma_xa}", f"Trạm y tế xã {cname}", "health_station", v.ma_xa,
                    v.ma_ban, v.geometry)
            add(f"TH-{v.ma_xa}", f"Trường PTDTBT TH&THCS xã {cname}", "school", v.ma_xa,
                v.ma_ban, v.geometry, 250)
            if v.ma_xa in market_communes:
                add(f"CH-{v.ma_xa}", f"Chợ trung tâm xã {cname}", "market", v.ma_xa, v.ma_ban,
                    v.geometry, 200)
        elif rng.random() < 0.3:
            add(f"DT-{v.ma_ban}", f"Điểm trường bản {bname}", "school", v.ma_xa, v.ma_ban,
                v.geometry)
        if rng.random() < 0.45 or v.trung_tam_xa:
            add(f"VH-{v.ma_ban}", f"Nhà văn hóa bản {bname}", "cultural_house", v.ma_xa,
                v.ma_ban, v.geometry, 80)
    return gpd.GeoDataFrame(rows, crs=CRS).sort_values("ma_cs", ignore_index=True)


def commune_status(codes: list[str], rng) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Criteria met (13 x 19) per year; 2025 close to, but short of, the plan's targets."""
    n = len(codes)
    target = np.ones((n, 19), dtype=int)
    others = [i for i, c in enumerate(codes) if c not in TARGET_NTM]
    for k, tgt in enumerate(TARGETS):
        missing = n - tgt
        if missing:
            # Spread the shortfall over the non-target communes, deterministically.
            idx = rng.choice(others, size=missing, replace=False)
            target[idx, k] = 0
    assert (target.sum(axis=0) == np.array(TARGETS)).all()
    status = {2025: target.copy()}
    s25 = status[2025]
    # Real life falls short: one target commune misses environment (17), one
    # commune misses schools (5), another health (15).
    s25[codes.index("03469"), 16] = 0
    ones5 = [i for i in others if s25[i, 4] == 1]
    s25[ones5[0], 4] = 0
    ones15 = [i for i in others if s25[i, 14] == 1]
    s25[ones15[-1], 14] = 0
    for year in (2024, 2023, 2022, 2021):
        prev = status[year + 1].copy()
        for i in range(n):
            # Mường Tè commune was recognised in 2023 and Bum Nưa in 2024: they keep theirs.
            if (codes[i] == "03445" and year >= 2023) or (codes[i] == "03466" and year == 2024):
                continue
            met = [k for k in np.flatnonzero(prev[i]) if k not in (17, 18)]
            drop = rng.choice(met, size=min(len(met), int(rng.integers(1, 4))), replace=False)
            prev[i, drop] = 0
        status[year] = prev
    # A few criteria were met and then lost again the next year (a flood took a
    # road, a school lost its standard), to exercise the "criteria lost" view.
    for year, code, k in ((2022, "03448", 2), (2023, "03442", 8), (2023, "03436", 13)):
        i = codes.index(code)
        status[year][i, k] = 1
        status[year + 1][i, k] = 0
    return status, target


def village_status(villages, rng) -> dict[int, np.ndarray]:
    n, m = len(villages), len(VILLAGE_CRITERIA)
    good = villages.ma_xa.isin(TARGET_NTM).to_numpy()
    score = rng.random(n) + 0.5 * good
    ntm25 = np.argsort(-score, kind="stable")[:16]  # 16 NTM bản, the plan aims at 18
    s = (rng.random((n, m)) < 0.55 + 0.25 * good[:, None]).astype(int)
    s[ntm25] = 1
    others = np.setdiff1d(np.arange(n), ntm25)
    full = others[s[others].all(axis=1)]
    s[full, rng.integers(0, m, size=len(full))] = 0  # not NTM: at least one criterion short
    status = {2025: s}
    for year in (2024, 2023, 2022, 2021):
        prev = status[year + 1].copy()
        drop = rng.random((n, m)) < 0.12
        prev[drop] = 0
        status[year] = prev
    return status


def allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to weights summing exactly to total (largest remainder)."""
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=int)
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(int)
    rest = total - out.sum()
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))
    out[order[:rest]] += 1
    return out


def make_projects(villages, roads, communes, status25, codes, rng):
    names = dict(zip(communes.gso_code, communes.name.map(short_name), strict=True))
    vill = villages.set_index("ma_ban")
    plan = []  # (category, commune, village or None, road id or None)
    road_ids = roads[roads.cap_duong.isin(["commune", "district"])].copy()
    for code in codes:
        vs = villages[villages.ma_xa == code].sort_values("ma_ban")
        centre = vs[vs.trung_tam_xa == 1].ma_ban.iloc[0]
        in_commune = road_ids[road_ids.ma_duong.isin(
            roads.ma_duong[roads.geometry.representative_point().within(
                communes.set_index("gso_code").geometry[code])])]
        for rid in in_commune.ma_duong.iloc[:2]:
            plan.append(("road", code, None, rid))
        plan.append(("irrigation", code, vs.ma_ban.iloc[int(rng.integers(len(vs)))], None))
        plan.append(("culture", code, vs.ma_ban.iloc[-1], None))
        if rng.random() < 0.6:
            plan.append(("electricity", code, vs.ma_ban.iloc[int(rng.integers(len(vs)))], None))
        if rng.random() < 0.4:
            plan.append(("production", code, None, None))
    fail5 = [codes[i] for i in np.flatnonzero(status25[:, 4] == 0)]
    for code in fail5[: (len(fail5) + 1) // 2]:  # half the school gaps have a project
        plan.append(("school", code, None, None))
    for code in ("03440", "03451", "03463"):
        plan.append(("health", code, None, None))
    for code in ("03466", "03454", "03463"):
        plan.append(("market", code, None, None))
    for code in ("03445", "03469", "03466", "03448"):
        plan.append(("water", code, None, None))
    for code in ("03442", "03457"):
        plan.append(("housing", code, None, None))
    for code in ("03451", "03436"):
        plan.append(("telecom", code, None, None))
    for code in ("03440", "03467"):
        plan.append(("other", code, None, None))

    rows, lines = [], []
    weights = {s: np.zeros(len(plan)) for s in SOURCES}
    for k, (cat, code, vcode, rid) in enumerate(plan, start=1):
        crit, (lo, hi), mix = CATEGORY[cat]
        size = rng.uniform(lo, hi)
        for s, share in mix.items():
            weights[s][k - 1] = size * share
        vs = villages[villages.ma_xa == code].sort_values("ma_ban")
        centre = vs[vs.trung_tam_xa == 1].iloc[0]
        cname = names[code]
        if vcode is None and cat not in ("other", "production", "road"):
            vcode = centre.ma_ban
        bname = ban(vill.ten_ban[vcode]) if vcode else ""
        road_name = roads.set_index("ma_duong").ten[rid] if rid else ""
        title = {
            "road": f"Nâng cấp {road_name[:1].lower()}{road_name[1:]}",
            "irrigation": f"Thủy lợi {bname}, xã {cname}",
            "culture": f"Nhà văn hóa {bname}, xã {cname}",
            "electricity": f"Cấp điện sinh hoạt {bname}, xã {cname}",
            "production": f"Hỗ trợ phát triển sản xuất chuỗi giá trị quế, xã {cname}",
            "school": f"Trường PTDTBT TH&THCS xã {cname}: xây 6 phòng học, nhà bán trú",
            "health": f"Trạm y tế xã {cname}",
            "market": f"Chợ trung tâm xã {cname}",
            "water": f"Cấp nước sinh hoạt tập trung {bname}, xã {cname}",
            "housing": f"Hỗ trợ xóa nhà tạm, nhà dột nát xã {cname}",
            "telecom": f"Trạm BTS và điểm bưu điện văn hóa xã {cname}",
            "other": f"Lập quy hoạch chung xây dựng xã {cname}",
        }[cat]
        start = int(rng.integers(2021, 2026))
        end = min(2025, start + int(rng.integers(0, 3)))
        if end < 2025:
            status = "finished"
        else:
            status = ["finished", "under_way", "under_way", "preparing"][int(rng.integers(4))]
            if status == "preparing":
                start = end = 2025
        if cat == "school":
            # The school gaps of 2025: one project under way, one being prepared,
            # so that the gap query shows addressed and unaddressed communes.
            n_school = sum(1 for r in rows if r["loai"] == "school")
            start, end, status = ((2024, 2025, "under_way"), (2025, 2025, "preparing"))[
                min(n_school, 1)]
        lon = lat = None
        if rid is None:
            if vcode:
                p = vill.geometry[vcode]
            else:
                p = centre.geometry
            ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(80, 300)
            lon, lat = p.x + dist * np.cos(ang), p.y + dist * np.sin(ang)
        pid = f"DA{k:03d}"
        if rid is not None:
            lines.append({"ma_du_an": pid,
                          "geometry": roads.set_index("ma_duong").geometry[rid]})
        rows.append({"ma_du_an": pid, "ten_du_an": title, "loai": cat, "ma_xa": code,
                     "ma_ban": vcode or "", "tieu_chi": crit, "nam_bat_dau": start,
                     "nam_ket_thuc": end, "tinh_trang": status, "x": lon, "y": lat})
    caps = {s: allocate(weights[s], tot) for s, tot in zip(SOURCES, SOURCE_TOTALS, strict=True)}
    df = pd.DataFrame(rows)
    # A realistic mistake: the GPS point of one cultural house was taken in the
    # neighbouring commune (validate and `query misplaced` report it).
    bad = df.index[(df.loai == "culture") & (df.ma_xa == "03457")][0]
    nb = communes.set_index("gso_code").geometry["03454"].representative_point()
    df.loc[bad, ["x", "y"]] = [nb.x, nb.y]
    tr = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    has = df.x.notna()
    lon, lat = tr.transform(df.x[has].to_numpy(float), df.y[has].to_numpy(float))
    df["kinh_do"] = ""
    df["vi_do"] = ""
    df.loc[has, "kinh_do"] = [f"{v:.6f}" for v in lon]
    df.loc[has, "vi_do"] = [f"{v:.6f}" for v in lat]
    cols = {"central": "ns_trung_uong", "local": "ns_dia_phuong", "integrated": "von_long_ghep",
            "credit": "von_tin_dung", "mobilised": "von_huy_dong", "community": "cong_dong"}
    for s in SOURCES:
        df[cols[s]] = caps[s]
    total = sum(caps[s] for s in SOURCES)
    share = np.where(df.tinh_trang == "finished", 1.0,
                     np.where(df.tinh_trang == "under_way", 0.55, 0.0))
    df["da_giai_ngan"] = np.round(total * share).astype(int)
    # Money is written the Vietnamese way, as in the plan ("30.614").
    for c in [*cols.values(), "da_giai_ngan"]:
        df[c] = [f"{v:,}".replace(",", ".") for v in df[c]]
    df = df.drop(columns=["x", "y"])
    lines_gdf = gpd.GeoDataFrame(lines, crs=CRS)
    return df, lines_gdf


def met_text(v: int) -> str:
    return "Đạt" if v else "Chưa đạt"


def main() -> None:
    # Pin GDAL's gpkg_contents.last_change so that reruns give identical files.
    os.environ["OGR_CURRENT_DATE"] = "2025-12-31T00:00:00Z"
    rng = np.random.default_rng(SEED)
    OUT.mkdir(exist_ok=True)
    for name in ("communes.geojson", "merger_2025.csv"):
        shutil.copyfile(SHARED / name, OUT / name)
    communes = gpd.read_file(OUT / "communes.geojson").to_crs(CRS)
    codes = sorted(VILLAGES_PER_COMMUNE)
    township_pt = communes.set_index("gso_code").geometry[TOWNSHIP].representative_point()

    elev, transform = make_elevation(communes, rng)
    profile = {"driver": "GTiff", "dtype": "int16", "width": elev.shape[1],
               "height": elev.shape[0], "count": 1, "crs": CRS, "transform": transform,
               "compress": "deflate", "predictor": 2, "tiled": True, "blockxsize": 256,
               "blockysize": 256, "nodata": -32768}
    with rasterio.open(OUT / "elevation.tif", "w", **profile) as dst:
        dst.write(elev, 1)
        dst.update_tags(TIFFTAG_DATETIME="2025:12:31 00:00:00",
                        SOURCE="ntmgis scripts/make_sample.py (illustrative)")

    villages = place_villages(communes, elev, transform, rng)
    roads = make_roads(villages, township_pt, communes, rng)
    facilities = make_facilities(villages, township_pt, communes, rng)
    for gdf, name in ((villages.drop(columns="trung_tam_xa"), "villages"),
                      (facilities, "facilities"), (roads, "roads")):
        path = OUT / f"{name}.gpkg"
        path.unlink(missing_ok=True)
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio", metadata={})

    status, target = commune_status(codes, rng)
    cname = dict(zip(communes.gso_code, communes.name, strict=True))
    with open(OUT / "commune_status.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["MaXa", "TenXa", "Nam"] + [f"TC{n}" for n in range(1, 20)])
        for year in sorted(status):
            for i, code in enumerate(codes):
                w.writerow([code, cname[code], year] + [met_text(v) for v in status[year][i]])

    vstatus = village_status(villages, rng)
    with open(OUT / "village_status.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ma_ban", "nam", "tieu_chi", "ket_qua"])
        for year in sorted(vstatus):
            for i, vcode in enumerate(villages.ma_ban):
                for k in range(len(VILLAGE_CRITERIA)):
                    w.writerow([vcode, year, k + 1, met_text(vstatus[year][i, k])])
    pd.DataFrame(VILLAGE_CRITERIA, columns=["number", "name_vi", "name_en",
                                            "commune_criteria"]).to_csv(
        OUT / "village_criteria.csv", index=False)

    projects, lines = make_projects(villages, roads, communes, status[2025], codes, rng)
    projects.to_csv(OUT / "projects.csv", index=False, encoding="utf-8")
    path = OUT / "project_lines.gpkg"
    path.unlink(missing_ok=True)
    lines.to_file(path, layer="project_lines", driver="GPKG", engine="pyogrio", metadata={})

    with open(OUT / "plan_targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["tieu_chi", "ten_tieu_chi", "so_xa_dat", "ty_le"])
        for c, tgt, share in zip(COMMUNE_CRITERIA, TARGETS, TARGET_SHARES, strict=True):
            w.writerow([c.number, c.name_vi, tgt, share])
    with open(OUT / "plan_funding.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["nguon_von", "ke_hoach"])
        w.writerows(FUNDING)
    with open(OUT / "commune_targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "target_ntm", "target_criteria"])
        for i, code in enumerate(codes):
            w.writerow([code, int(code in TARGET_NTM), int(target[i].sum())])
    print(f"sample written to {OUT}")


if __name__ == "__main__":
    main()
