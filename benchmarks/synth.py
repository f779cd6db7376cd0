#!/usr/bin/env python3
"""A deterministic synthetic "country" of N communes, written as an ntmgis workspace.

The communes tile the country exactly: they are the Voronoi cells of a
jittered hexagonal lattice of seeds, and every shared edge is one polyline
(made wiggly by midpoint displacement, 2**levels segments per Voronoi edge)
used by both neighbours, so shared boundaries are bit-identical and there is
neither gap nor overlap. The seeds are the N lattice points nearest the
centre of a lobed ellipse around Vietnam's middle (lon 105,8, lat 16,5); the
next lattice points are "ghost" seeds that bound the outer cells, so the
country's border is made of the same kind of wiggly Voronoi edges. Everything
is computed with numpy/scipy/shapely array operations: 10.000 communes take a
few seconds to tessellate.

Communes are grouped into districts (about 15 communes) and provinces (about
11 districts) by nearest centre on coarser lattices; each district has one
township (thị trấn, outside the programme). Each commune gets about 8
villages (bản), 4-6 facilities, roads (village tracks to the commune centre,
commune centre to the district centre, a spanning tree between district
centres), about 15 projects of which a fifth are road lines, criteria status
for 2021-2025 (communes in wide form, villages in wide or long form), the
plan's funding equal to the investment list's totals, plan targets, commune
targets and a coarse elevation raster (1 km cells by default). The files
have the same formats and column names as the Mường Tè sample, so every
``ntmgis`` command runs on the folder unchanged.

Usage::

    python benchmarks/synth.py 1000 /tmp/country-1000
    python benchmarks/synth.py 10000 /tmp/country-10000 --overwrite

Library use: ``make_country(n, folder)`` returns a :class:`Country` summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from scipy.cluster.vq import kmeans2
from scipy.ndimage import gaussian_filter
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay, Voronoi

__all__ = ["make_country", "tessellate", "Country", "CRS", "YEARS", "SHAPES"]

SHAPES = ("regular", "irregular")

CRS = "EPSG:3405"  # VN-2000 / UTM zone 48N: one projected CRS for the whole country
CENTRE_LONLAT = (105.8, 16.5)
ASPECT = 3.0  # the country is three times taller than wide, like Vietnam's north-south extent
COMMUNE_AREA_M2 = 33e6  # ~331.000 km² / 10.000 communes
YEARS = (2021, 2022, 2023, 2024, 2025)
DATA_DATE = "2025-12-31"
COMMUNES_PER_DISTRICT = 15
DISTRICTS_PER_PROVINCE = 11
N_CRITERIA = 19
N_VILLAGE_CRITERIA = 10

SYL = ["Nậm", "Pa", "Phìn", "Sì", "Mù", "Lò", "Xà", "Ma", "Huổi", "Pắc", "Hô", "Tà", "Nhóm",
       "Bum", "Ka", "Thu", "Vàng", "Kan", "Mường", "Tân", "Phú", "Hòa", "Bình", "An", "Đông",
       "Tây", "Nam", "Bắc", "Trung", "Hưng", "Thạnh", "Lộc", "Phước", "Quang", "Thái", "Yên",
       "Long", "Hải", "Sơn", "Thủy", "Lâm", "Cẩm", "Đức", "Nghĩa", "Hiệp", "Vĩnh", "Xuân",
       "Hồng", "Châu", "Khánh", "Minh", "Thành", "Lũng", "Chà", "Tả", "Hạ", "Lùng", "Seo"]
SOURCES = ("central", "local", "integrated", "credit", "mobilised", "community")
SOURCE_LABELS = ("Ngân sách Trung ương", "Ngân sách địa phương", "Vốn lồng ghép",
                 "Vốn tín dụng", "Vốn huy động", "Cộng đồng dân cư đóng góp")
SOURCE_COLUMNS = ("ns_trung_uong", "ns_dia_phuong", "von_long_ghep", "von_tin_dung",
                  "von_huy_dong", "cong_dong")
# Share of each source in a project's capital (the Mường Tè plan: integrated capital dominates).
SOURCE_SHARES = np.array([0.05, 0.006, 0.93, 0.0, 0.004, 0.01])
# Non-road project categories with the criterion they serve and a name stem.
CATEGORIES = [
    ("irrigation", 3, "Kênh thủy lợi"), ("electricity", 4, "Lưới điện"),
    ("school", 5, "Trường mầm non"), ("culture", 6, "Nhà văn hóa"),
    ("market", 7, "Chợ"), ("telecom", 8, "Điểm bưu điện văn hóa"),
    ("housing", 9, "Hỗ trợ nhà ở"), ("production", 13, "Mô hình sản xuất"),
    ("water", 17, "Nước sinh hoạt"), ("health", 15, "Trạm y tế"),
    ("environment", 17, "Bãi rác"), ("other", 1, "Quy hoạch chung"),
]
VILLAGE_CRITERIA = [
    (1, "Giao thông", "Transport"), (2, "Điện", "Electricity"),
    (3, "Nhà văn hóa và khu thể thao bản", "Cultural house and sports ground"),
    (4, "Thông tin và truyền thông", "Information and communications"),
    (5, "Nhà ở dân cư", "Residential housing"), (6, "Thu nhập", "Income"),
    (7, "Hộ nghèo", "Poor households"),
    (8, "Giáo dục - Y tế - Văn hóa", "Education, health and culture"),
    (9, "Môi trường và an toàn thực phẩm", "Environment and food safety"),
    (10, "Hệ thống chính trị và an ninh trật tự", "Political system and security"),
]


@dataclass
class Country:
    """What :func:`make_country` wrote (counts, for tests and the benchmark table)."""

    folder: str
    communes: int
    districts: int
    provinces: int
    villages: int
    projects: int
    road_projects: int
    facilities: int
    roads: int
    vertices: int
    seconds: float


# --------------------------------------------------------------------------- geometry

def _lattice(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Jittered hexagonal seeds: the n real ones first, then ghosts; and the spacing."""
    s = np.sqrt(2 * COMMUNE_AREA_M2 / np.sqrt(3))  # hexagon area = sqrt(3)/2 s²
    a = np.sqrt(n * COMMUNE_AREA_M2 / (np.pi * ASPECT))  # semi-axes of the ellipse
    b = ASPECT * a
    half_w, half_h = 1.4 * a + 4 * s, 1.4 * b + 4 * s
    rows = np.arange(-np.ceil(half_h / (s * np.sqrt(3) / 2)),
                     np.ceil(half_h / (s * np.sqrt(3) / 2)) + 1)
    cols = np.arange(-np.ceil(half_w / s), np.ceil(half_w / s) + 1)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    x = (cc + 0.5 * (rr % 2)) * s
    y = rr * s * np.sqrt(3) / 2
    pts = np.column_stack([x.ravel(), y.ravel()])
    pts += rng.uniform(-0.22 * s, 0.22 * s, size=pts.shape)
    theta = np.arctan2(pts[:, 1] / b, pts[:, 0] / a)
    lobes = 1 + 0.12 * np.sin(3 * theta + 0.7) + 0.07 * np.sin(5 * theta + 2.1)
    r = np.hypot(pts[:, 0] / a, pts[:, 1] / b) / lobes
    order = np.lexsort((pts[:, 0], r))  # ties broken by x: deterministic
    return pts[order], r[order], s


def _wiggle(p0: np.ndarray, p1: np.ndarray, levels: int, amp: float,
            rng: np.random.Generator) -> np.ndarray:
    """Midpoint displacement of many segments at once: (R, 2**levels + 1, 2) points.

    Each level moves the new midpoints sideways by up to ``amp`` times their
    sub-segment's length, so a curve stays within a narrow lens around its
    segment (half-angle about atan(4 amp) at the ends): neighbouring edges of
    a Voronoi vertex do not cross.
    """
    pts = np.stack([p0, p1], axis=1)
    for _ in range(levels):
        seg = pts[:, 1:] - pts[:, :-1]
        normal = np.stack([-seg[..., 1], seg[..., 0]], axis=-1)
        u = rng.uniform(-amp, amp, size=seg.shape[:2])[..., None]
        mid = (pts[:, 1:] + pts[:, :-1]) / 2 + normal * u
        out = np.empty((pts.shape[0], 2 * pts.shape[1] - 1, 2))
        out[:, 0::2] = pts
        out[:, 1::2] = mid
        pts = out
    return pts


def tessellate(n: int, *, seed: int = 20251231, levels: int = 6, amp: float = 0.09
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """Commune polygons that tile the country exactly.

    Parameters
    ----------
    n : int
        Number of communes.
    seed : int
        Seed of the random generator (same seed, same polygons).
    levels : int
        Midpoint-displacement levels: each Voronoi edge gets ``2**levels``
        segments (6 gives about 380 vertices per commune).
    amp : float
        Sideways displacement as a fraction of the sub-segment length.

    Returns
    -------
    polygons : ndarray of shapely Polygon, shape (n,)
        In local metres around the country's centre.
    seeds : ndarray, shape (n, 2)
        The commune seeds (inside their polygon).
    spacing : float
        Lattice spacing, metres.
    """
    rng = np.random.default_rng(seed)
    pts, _r, s = _lattice(n, rng)
    vor = Voronoi(pts)
    rp = vor.ridge_points
    rv = np.asarray(vor.ridge_vertices)
    keep = (rp < n).any(axis=1)
    rp, rv = rp[keep], rv[keep]
    if (rv < 0).any():
        raise RuntimeError("an inner Voronoi cell is unbounded; widen the ghost margin")
    # Canonical ridge order (by seed pair) so the random wiggles do not depend on Qhull's order.
    rp = np.sort(rp, axis=1)
    order = np.lexsort((rp[:, 1], rp[:, 0]))
    rp, rv = rp[order], rv[order]
    edges = _wiggle(vor.vertices[rv[:, 0]], vor.vertices[rv[:, 1]], levels, amp, rng)
    k = edges.shape[1] - 1
    # One entry per (real cell, ridge); order ridges around each cell by angle (cells are convex).
    cell = np.concatenate([rp[:, 0], rp[:, 1]])
    ridge = np.concatenate([np.arange(len(rp))] * 2)
    real = cell < n
    cell, ridge = cell[real], ridge[real]
    a = vor.vertices[rv[ridge, 0]] - pts[cell]
    b = vor.vertices[rv[ridge, 1]] - pts[cell]
    mid = (a + b) / 2
    angle = np.arctan2(mid[:, 1], mid[:, 0])
    rev = (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) < 0  # make every ridge run counter-clockwise
    o = np.lexsort((angle, cell))
    cell, ridge, rev = cell[o], ridge[o], rev[o]
    idx = np.arange(k)
    take = np.where(rev[:, None], k - idx[None, :], idx[None, :])
    coords = edges[ridge[:, None], take].reshape(-1, 2)
    rings = shapely.linearrings(coords, indices=np.repeat(cell, k))
    polys = shapely.polygons(rings)
    return polys, pts[:n], s


# --------------------------------------------------------------------------- attributes

def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    syl = np.array(SYL, dtype=object)
    i = rng.integers(0, len(SYL), size=(n, 2))
    same = i[:, 0] == i[:, 1]
    i[same, 1] = (i[same, 1] + 7) % len(SYL)
    return syl[i[:, 0]] + " " + syl[i[:, 1]]


def _group(points: np.ndarray, per: float, rng: np.random.Generator) -> np.ndarray:
    """Cluster points into about ``len(points) / per`` compact groups (k-means); labels 0..k-1."""
    k = max(1, int(round(len(points) / per)))
    if k == 1:
        return np.zeros(len(points), dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "one of the clusters is empty": relabelled below
        _, lab = kmeans2(points, k, minit="++", iter=20, seed=rng)
    _, dense = np.unique(lab, return_inverse=True)
    return dense


def _order_codes(group: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Number groups north to south (then west to east) by their mean position: rank per label."""
    k = group.max() + 1
    cx = np.bincount(group, xy[:, 0], k) / np.bincount(group, minlength=k)
    cy = np.bincount(group, xy[:, 1], k) / np.bincount(group, minlength=k)
    rank = np.empty(k, dtype=int)
    rank[np.lexsort((cx, -cy))] = np.arange(k)
    return rank[group]


def _vn_int(values: np.ndarray) -> list[str]:
    """Integers written the Vietnamese way: 608989 -> "608.989"."""
    return [f"{v:,}".replace(",", ".") for v in np.asarray(values, dtype=np.int64).tolist()]


def _sample_in(polys: np.ndarray, counts: np.ndarray, rng: np.random.Generator,
               tries: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """``counts[i]`` random points inside each polygon (rejection sampling in the bounds)."""
    b = shapely.bounds(polys)
    owner = np.repeat(np.arange(len(polys)), tries)
    x = rng.uniform(b[owner, 0], b[owner, 2])
    y = rng.uniform(b[owner, 1], b[owner, 3])
    shapely.prepare(polys)
    inside = shapely.contains_xy(polys[owner], x, y)
    owner, x, y = owner[inside], x[inside], y[inside]
    rank = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    keep = rank < counts[owner]
    owner, x, y = owner[keep], x[keep], y[keep]
    if (np.bincount(owner, minlength=len(polys)) < counts).any():
        raise RuntimeError("rejection sampling found too few points; raise tries")
    return owner, np.column_stack([x, y])


def _status(rng: np.random.Generator, units: int, n_crit: int, start: np.ndarray
            ) -> np.ndarray:
    """Met (1) / not met (0) per unit, year and criterion; mostly gains, a few losses.

    ``start`` is the probability of meeting each criterion in the first year,
    per criterion ``(n_crit,)`` or per unit and criterion ``(units, n_crit)``.
    """
    met = np.empty((units, len(YEARS), n_crit), dtype=np.int8)
    met[:, 0] = rng.random((units, n_crit)) < np.broadcast_to(start, (units, n_crit))
    for y in range(1, len(YEARS)):
        gain = rng.random((units, n_crit)) < 0.16
        lose = rng.random((units, n_crit)) < 0.02
        met[:, y] = np.where(met[:, y - 1] == 1, ~lose, gain)
    return met


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG",
                            dataset_options={"VERSION": "1.2"})


TOML = """# A synthetic country for ntmgis's national-scale benchmarks (benchmarks/synth.py).
# Every feature is made up; {n} communes tiling a lobed ellipse in Vietnam's lon/lat range.
[area]
name = "Quốc gia tổng hợp ({n_txt} xã)"
province = "Toàn quốc"
province_code = "00"
district_code = "000"
crs = "{crs}"
assume_crs = "{crs}"
encoding = "utf-8"
decimal = ","
language = "vi"
data_date = "{date}"
years = [{y0}, {y1}]
code_width = 5

[plan]
name = "Kế hoạch tổng hợp (dữ liệu thử nghiệm quy mô toàn quốc)"
year = {y1}
ntm_communes = {ntm_target}
ntm_villages = {ntm_villages}
villages_total = {villages}
min_criteria = 10
income_factor = 1.5

[criteria]
village_set_name = "Bộ tiêu chí bản nông thôn mới (minh họa)"
village_set_name_en = "Village criteria set (illustrative)"

[layers.communes]
path = "layers/communes.gpkg"
[layers.communes.fields]
code = "gso_code"
name = "name"
unit_type = "unit_type"
district_code = "district_gso_code"
district_name = "district_name"
province_code = "province_gso_code"
province_name = "province_name"
population = "population"

[layers.villages]
path = "layers/villages.gpkg"
[layers.villages.fields]
code = "ma_ban"
name = "ten_ban"
commune_code = "ma_xa"
population = "dan_so"

[layers.facilities]
path = "layers/facilities.gpkg"
[layers.facilities.fields]
facility_id = "ma_cs"
name = "ten"
type = "loai"
commune_code = "ma_xa"
village_code = "ma_ban"

[layers.roads]
path = "layers/roads.gpkg"
[layers.roads.fields]
road_id = "ma_duong"
name = "ten"
road_class = "cap_duong"

[layers.project_geometry]
path = "layers/project_lines.gpkg"
[layers.project_geometry.fields]
project_id = "ma_du_an"

[tables.commune_status]
path = "layers/commune_status.csv"
form = "wide"
criterion_columns = "TC{{n}}"
[tables.commune_status.fields]
code = "MaXa"
name = "TenXa"
year = "Nam"

[tables.village_status]
path = "layers/village_status.csv"
{village_status_cfg}

[tables.village_criteria]
path = "layers/village_criteria.csv"

[tables.projects]
path = "layers/projects.csv"
[tables.projects.fields]
project_id = "ma_du_an"
name = "ten_du_an"
category = "loai"
commune_code = "ma_xa"
village_code = "ma_ban"
criteria = "tieu_chi"
year_start = "nam_bat_dau"
year_end = "nam_ket_thuc"
status = "tinh_trang"
cap_central = "ns_trung_uong"
cap_local = "ns_dia_phuong"
cap_integrated = "von_long_ghep"
cap_credit = "von_tin_dung"
cap_mobilised = "von_huy_dong"
cap_community = "cong_dong"
disbursed = "da_giai_ngan"
lon = "kinh_do"
lat = "vi_do"

[tables.plan_targets]
path = "layers/plan_targets.csv"

[tables.plan_funding]
path = "layers/plan_funding.csv"

[tables.commune_targets]
path = "layers/commune_targets.csv"

[terrain]
elevation = "layers/elevation.tif"

[checks]
village_distance_m = 5000

[output]
gpkg = "layers/monitoring.gpkg"
maps = "maps"
reports = "reports"
"""

VILLAGE_WIDE_CFG = """form = "wide"
criterion_columns = "TC{n}"
[tables.village_status.fields]
code = "ma_ban"
year = "nam\""""
VILLAGE_LONG_CFG = """form = "long"
[tables.village_status.fields]
code = "ma_ban"
year = "nam"
criterion = "tieu_chi"
met = "ket_qua\""""


def make_country(n: int, folder: str | Path, *, seed: int = 20251231, levels: int = 6,
                 villages_per_commune: float = 8.0, projects_per_commune: float = 15.0,
                 village_status_form: str = "wide", elevation_cell_m: float = 1000.0,
                 overwrite: bool = False, shape: str = "regular") -> Country:
    """Write a synthetic country of ``n`` communes as an ntmgis workspace in ``folder``.

    Parameters
    ----------
    n : int
        Number of communes (13, 150, 1000, 10000 in the benchmarks).
    folder : path
        Workspace folder to create (``ntmgis.toml`` and ``layers/``).
    seed : int
        Random seed: the same arguments give the same files.
    levels : int
        Midpoint-displacement levels of the boundaries (6: ~380 vertices per commune).
    villages_per_commune, projects_per_commune : float
        Mean counts (villages 5-11 per commune around 8, projects 10-20 around 15).
    village_status_form : {"wide", "long"}
        Village criteria status as one column per criterion, or one row per criterion.
    elevation_cell_m : float
        Cell size of the elevation raster.
    overwrite : bool
        Replace an existing folder.
    shape : {"regular", "irregular"}
        ``"regular"`` (this module: equal communes, exact tiling, short names,
        whole-million amounts) or ``"irregular"`` (``synth_irregular.py``:
        uneven communes, gaps and overlaps, copies of the real Mường Tè
        units, names of real length, amounts with three decimals, surveyed
        roads). ``levels`` applies to the regular shape only.

    Returns
    -------
    Country
        Counts of what was written.
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    if shape == "irregular":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from synth_irregular import make_irregular_country

        return make_irregular_country(
            n, folder, seed=seed, villages_per_commune=villages_per_commune,
            projects_per_commune=projects_per_commune, village_status_form=village_status_form,
            elevation_cell_m=elevation_cell_m, overwrite=overwrite)
    t0 = time.perf_counter()
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if village_status_form not in ("wide", "long"):
        raise ValueError("village_status_form must be 'wide' or 'long', "
                         f"got {village_status_form!r}")
    folder = Path(folder)
    if folder.exists():
        if not overwrite:
            raise FileExistsError(f"{folder} exists (use overwrite=True)")
        shutil.rmtree(folder)
    layers = folder / "layers"
    layers.mkdir(parents=True)
    rng = np.random.default_rng(seed + 1)
    os.environ["OGR_CURRENT_DATE"] = DATA_DATE + "T00:00:00Z"

    polys, seeds, spacing = tessellate(n, seed=seed, levels=levels)
    to_proj = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x0, y0 = to_proj.transform(*CENTRE_LONLAT)
    off = np.array([x0, y0])
    polys = shapely.transform(polys, lambda c: np.round(c + off, 3))
    seeds = seeds + off

    # Districts and provinces, codes north to south.
    dist = _group(seeds, COMMUNES_PER_DISTRICT, rng)
    d_xy = np.column_stack([np.bincount(dist, seeds[:, 0]) / np.bincount(dist),
                            np.bincount(dist, seeds[:, 1]) / np.bincount(dist)])
    prov_of_d = _group(d_xy, DISTRICTS_PER_PROVINCE, rng)
    prov_of_d = _order_codes(prov_of_d, d_xy)
    # District codes run province by province.
    d_rank = np.empty(len(d_xy), dtype=int)
    d_rank[np.lexsort((d_xy[:, 0], -d_xy[:, 1], prov_of_d))] = np.arange(len(d_xy))
    dist = d_rank[dist]
    prov_of_d = prov_of_d[np.argsort(d_rank)]
    d_xy = d_xy[np.argsort(d_rank)]
    prov = prov_of_d[dist]
    n_d, n_p = len(d_xy), prov.max() + 1
    # Communes: by province, district, north to south.
    corder = np.lexsort((seeds[:, 0], -seeds[:, 1], dist, prov))
    polys, seeds, dist, prov = polys[corder], seeds[corder], dist[corder], prov[corder]
    step = 3 if 3 * n < 99999 else 1
    ccode = np.array([f"{step * i + 1:05d}" for i in range(n)], dtype=object)
    dcode = np.array([f"{i + 1:03d}" for i in range(n_d)], dtype=object)
    pcode = np.array([f"{i + 1:02d}" for i in range(n_p)], dtype=object)
    dname = "Huyện " + _names(rng, n_d)
    pname = "Tỉnh " + _names(rng, n_p)
    # The commune nearest each district's centre is its township.
    dd = np.hypot(*(seeds - d_xy[dist]).T)
    town_idx = pd.Series(dd).groupby(dist).idxmin().to_numpy()
    township = np.zeros(n, dtype=bool)
    township[town_idx] = True
    base = _names(rng, n)
    cname = np.where(township, "Thị trấn " + base, "Xã " + base)
    utype = np.where(township, "thị trấn", "xã")

    # Villages.
    nv = np.clip(np.round(rng.normal(villages_per_commune, 1.6, n)), 3, 14).astype(int)
    v_comm, v_xy = _sample_in(polys, nv, rng)
    v_xy = np.round(v_xy, 1)
    v_serial = pd.Series(v_comm).groupby(v_comm).cumcount().to_numpy() + 1
    vcode = ccode[v_comm] + np.char.zfill(v_serial.astype(str), 2).astype(object)
    vname = "Bản " + _names(rng, len(v_comm))
    vpop = rng.integers(150, 1500, len(v_comm))
    cpop = np.bincount(v_comm, vpop, n).astype(int) + np.where(township, 4000, 0)
    first_v = np.r_[0, np.cumsum(nv)[:-1]]  # villages are grouped by commune, in order
    centre_xy = v_xy[first_v]  # a commune's first village is its centre

    communes = gpd.GeoDataFrame({
        "gso_code": ccode, "name": cname, "unit_type": utype,
        "district_gso_code": dcode[dist], "district_name": dname[dist],
        "province_gso_code": pcode[prov], "province_name": pname[prov],
        "population": cpop,
    }, geometry=polys, crs=CRS)
    _write_gpkg(communes, layers / "communes.gpkg", "communes")
    villages = gpd.GeoDataFrame({
        "ma_ban": vcode, "ten_ban": vname, "ma_xa": ccode[v_comm], "dan_so": vpop,
    }, geometry=shapely.points(v_xy), crs=CRS)
    _write_gpkg(villages, layers / "villages.gpkg", "villages")

    # Roads: village tracks to the commune centre, commune centre to the district
    # centre (its township's centre), and a spanning tree between district centres.
    d_centre = centre_xy[town_idx]  # town_idx is in district order (groupby)
    not_centre = np.ones(len(v_comm), dtype=bool)
    not_centre[first_v] = False
    vt_a, vt_b = v_xy[not_centre], centre_xy[v_comm[not_centre]]
    cc_mask = ~township
    cd_a, cd_b = centre_xy[cc_mask], d_centre[dist[cc_mask]]
    if n_d >= 3:
        tri = Delaunay(d_centre)
        e = np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                       tri.simplices[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
        w = np.hypot(*(d_centre[e[:, 0]] - d_centre[e[:, 1]]).T)
        from scipy.sparse import coo_matrix

        mst = minimum_spanning_tree(coo_matrix((w, (e[:, 0], e[:, 1])), shape=(n_d, n_d)))
        mi, mj = mst.nonzero()
    elif n_d == 2:
        mi, mj = np.array([0]), np.array([1])
    else:
        mi = mj = np.array([], dtype=int)
    pa, pb = d_centre[mi], d_centre[mj]
    seg_a = np.vstack([vt_a, cd_a, pa])
    seg_b = np.vstack([vt_b, cd_b, pb])
    rclass = np.array(["village_track"] * len(vt_a) + ["district"] * len(cd_a)
                      + ["provincial"] * len(pa), dtype=object)
    good = np.hypot(*(seg_a - seg_b).T) > 1.0
    seg_a, seg_b, rclass = seg_a[good], seg_b[good], rclass[good]
    rpts = np.round(_wiggle(seg_a, seg_b, 3, 0.06, rng), 1)
    rgeom = shapely.linestrings(rpts)
    rid = np.array([f"D{i + 1:06d}" for i in range(len(rgeom))], dtype=object)
    rlabel = {"village_track": "Đường bản", "district": "Đường huyện",
              "provincial": "Đường tỉnh"}
    rname = np.array([f"{rlabel[c]} {i + 1}" for i, c in enumerate(rclass)], dtype=object)
    roads = gpd.GeoDataFrame({"ma_duong": rid, "ten": rname, "cap_duong": rclass},
                             geometry=rgeom, crs=CRS)
    _write_gpkg(roads, layers / "roads.gpkg", "roads")
    # Village track geometry by village index (centres have none).
    track_of_v = np.full(len(v_comm), -1)
    has_track = np.flatnonzero(not_centre)[good[:len(vt_a)]]
    track_of_v[has_track] = np.arange(len(has_track))

    # Facilities: a health station and a school at the centre, a market at the centre
    # of every second commune, a school and a cultural house in some villages.
    fac_v = np.concatenate([first_v, first_v, first_v[::2],
                            np.flatnonzero(not_centre)[::3], np.flatnonzero(not_centre)[1::2]])
    ftype = np.array(["health_station"] * n + ["school"] * n + ["market"] * len(first_v[::2])
                     + ["school"] * len(np.flatnonzero(not_centre)[::3])
                     + ["cultural_house"] * len(np.flatnonzero(not_centre)[1::2]), dtype=object)
    fprefix = {"health_station": "YT", "school": "TH", "market": "CH", "cultural_house": "VH"}
    flabel = {"health_station": "Trạm y tế", "school": "Trường tiểu học", "market": "Chợ",
              "cultural_house": "Nhà văn hóa"}
    fo = np.lexsort((ftype, fac_v))
    fac_v, ftype = fac_v[fo], ftype[fo]
    fid = np.array([f"{fprefix[t]}-{vcode[v]}" for t, v in zip(ftype, fac_v, strict=True)],
                   dtype=object)
    fname = np.array([f"{flabel[t]} {vname[v]}" for t, v in zip(ftype, fac_v, strict=True)],
                     dtype=object)
    angle = rng.uniform(0, 2 * np.pi, len(fac_v))
    f_xy = np.round(v_xy[fac_v] + 60 * np.column_stack([np.cos(angle), np.sin(angle)]), 1)
    facilities = gpd.GeoDataFrame({
        "ma_cs": fid, "ten": fname, "loai": ftype, "ma_xa": ccode[v_comm[fac_v]],
        "ma_ban": vcode[fac_v]}, geometry=shapely.points(f_xy), crs=CRS)
    _write_gpkg(facilities, layers / "facilities.gpkg", "facilities")

    # Criteria status (communes in the programme: all but townships).
    prog = np.flatnonzero(~township)
    # Regions differ: a smooth north-south and east-west swing of the starting level,
    # so that provinces and districts do not all average out to the same class.
    rel = (seeds - seeds.mean(axis=0)) / max(float(np.ptp(seeds, axis=0).max()), 1.0)
    swing = 0.22 * np.sin(9.0 * rel[:, 1] + 0.5) + 0.12 * np.cos(11.0 * rel[:, 0] + 4.0 * rel[:, 1])
    start = np.linspace(0.85, 0.2, N_CRITERIA)[rng.permutation(N_CRITERIA)]
    cstart = np.clip(start[None, :] + swing[prog, None], 0.02, 0.98)
    cmet = _status(rng, len(prog), N_CRITERIA, cstart)
    words = np.array(["Chưa đạt", "Đạt"], dtype=object)
    rows = len(prog) * len(YEARS)
    cs = pd.DataFrame({
        "MaXa": np.repeat(ccode[prog], len(YEARS)), "TenXa": np.repeat(cname[prog], len(YEARS)),
        "Nam": np.tile(YEARS, len(prog))})
    flat = cmet.reshape(rows, N_CRITERIA)
    for k in range(N_CRITERIA):
        cs[f"TC{k + 1}"] = words[flat[:, k]]
    cs = cs.sort_values(["Nam", "MaXa"], kind="stable")
    cs.to_csv(layers / "commune_status.csv", index=False, encoding="utf-8-sig")
    vstart = np.clip(np.linspace(0.8, 0.3, N_VILLAGE_CRITERIA)[None, :]
                     + swing[v_comm, None], 0.02, 0.98)
    vmet = _status(rng, len(v_comm), N_VILLAGE_CRITERIA, vstart)
    if village_status_form == "wide":
        vs = pd.DataFrame({"ma_ban": np.repeat(vcode, len(YEARS)),
                           "nam": np.tile(YEARS, len(v_comm))})
        vflat = vmet.reshape(-1, N_VILLAGE_CRITERIA)
        for k in range(N_VILLAGE_CRITERIA):
            vs[f"TC{k + 1}"] = words[vflat[:, k]]
    else:
        vs = pd.DataFrame({
            "ma_ban": np.repeat(vcode, len(YEARS) * N_VILLAGE_CRITERIA),
            "nam": np.tile(np.repeat(YEARS, N_VILLAGE_CRITERIA), len(v_comm)),
            "tieu_chi": np.tile(np.arange(1, N_VILLAGE_CRITERIA + 1), len(v_comm) * len(YEARS)),
            "ket_qua": words[vmet.ravel()]})
    vs.to_csv(layers / "village_status.csv", index=False, encoding="utf-8")
    pd.DataFrame(VILLAGE_CRITERIA, columns=["number", "name_vi", "name_en"]).to_csv(
        layers / "village_criteria.csv", index=False, encoding="utf-8")

    # Projects: 10-20 per commune around 15, a fifth of them roads (village tracks upgraded).
    npj = np.clip(np.round(rng.normal(projects_per_commune, 2.5, n)), 5, 30).astype(int)
    npj[township] = 0
    p_comm = np.repeat(np.arange(n), npj)
    p_rank = pd.Series(p_comm).groupby(p_comm).cumcount().to_numpy()
    n_road = np.round(npj / 5).astype(int)
    # A commune's villages are v_start..v_start+nv; pick one per project.
    p_v = first_v[p_comm] + (rng.integers(0, 1 << 30, len(p_comm)) % nv[p_comm])
    is_road = (p_rank < n_road[p_comm]) & (track_of_v[p_v] >= 0)
    cat_i = rng.integers(0, len(CATEGORIES), len(p_comm))
    cat_key = np.array([c[0] for c in CATEGORIES], dtype=object)[cat_i]
    cat_crit = np.array([c[1] for c in CATEGORIES])[cat_i]
    cat_stem = np.array([c[2] for c in CATEGORIES], dtype=object)[cat_i]
    cat_key[is_road] = "road"
    cat_crit[is_road] = 2
    cat_stem[is_road] = "Đường giao thông"
    second = rng.random(len(p_comm)) < 0.25
    crit2 = rng.integers(1, N_CRITERIA + 1, len(p_comm))
    crit_txt = np.where(second & (crit2 != cat_crit),
                        np.char.add(np.char.add(np.minimum(cat_crit, crit2).astype(str), ";"),
                                    np.maximum(cat_crit, crit2).astype(str)),
                        cat_crit.astype(str)).astype(object)
    pid = np.array([f"DA{i + 1:06d}" for i in range(len(p_comm))], dtype=object)
    pname = cat_stem + " " + vname[p_v] + ", " + cname[p_comm]
    y_start = rng.integers(YEARS[0], YEARS[-1] + 1, len(p_comm))
    y_end = np.minimum(y_start + rng.integers(0, 3, len(p_comm)), YEARS[-1])
    st_draw = rng.random(len(p_comm))
    status = np.where(y_end < YEARS[-1], "finished",
                      np.where(st_draw < 0.5, "under_way",
                               np.where(st_draw < 0.8, "finished", "preparing"))).astype(object)
    total = np.maximum(np.round(np.exp(rng.normal(7.4, 0.9, len(p_comm)))), 50)
    split = np.floor(total[:, None] * SOURCE_SHARES[None, :]).astype(np.int64)
    split[:, 2] += (total.astype(np.int64) - split.sum(axis=1))  # remainder to integrated
    disb_share = np.where(status == "finished", 1.0,
                          np.where(status == "under_way", rng.uniform(0.2, 0.8, len(p_comm)),
                                   0.0))
    disbursed = np.round(total * disb_share).astype(np.int64)
    ang = rng.uniform(0, 2 * np.pi, len(p_comm))
    rad = rng.uniform(20, 120, len(p_comm))
    p_xy = v_xy[p_v] + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
    out = ~shapely.contains_xy(polys[p_comm], p_xy[:, 0], p_xy[:, 1])
    p_xy[out] = v_xy[p_v[out]]  # keep projects inside their commune
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(
        p_xy[:, 0], p_xy[:, 1])
    lon_txt = np.where(is_road, "", np.char.mod("%.6f", lon)).astype(object)
    lat_txt = np.where(is_road, "", np.char.mod("%.6f", lat)).astype(object)
    projects = pd.DataFrame({
        "ma_du_an": pid, "ten_du_an": pname, "loai": cat_key, "ma_xa": ccode[p_comm],
        "ma_ban": vcode[p_v], "tieu_chi": crit_txt, "nam_bat_dau": y_start,
        "nam_ket_thuc": y_end, "tinh_trang": status, "kinh_do": lon_txt, "vi_do": lat_txt})
    for j, col in enumerate(SOURCE_COLUMNS):
        projects[col] = _vn_int(split[:, j])
    projects["da_giai_ngan"] = _vn_int(disbursed)
    projects.to_csv(layers / "projects.csv", index=False, encoding="utf-8")
    lines = gpd.GeoDataFrame({"ma_du_an": pid[is_road]},
                             geometry=rgeom[track_of_v[p_v[is_road]]], crs=CRS)
    _write_gpkg(lines, layers / "project_lines.gpkg", "project_lines")
    totals = split.sum(axis=0)
    pd.DataFrame({"nguon_von": SOURCE_LABELS, "ke_hoach": _vn_int(totals)}).to_csv(
        layers / "plan_funding.csv", index=False, encoding="utf-8")

    # Plan targets (Biểu 01): a bit above the 2025 status; commune targets likewise.
    from ntmgis.core.criteria import COMMUNE_CRITERIA

    met25 = cmet[:, -1].sum(axis=0)
    target = np.minimum(len(prog), np.round(met25 + 0.1 * (len(prog) - met25))).astype(int)
    pd.DataFrame({
        "tieu_chi": np.arange(1, N_CRITERIA + 1),
        "ten_tieu_chi": [COMMUNE_CRITERIA.get(k).name_vi for k in range(1, N_CRITERIA + 1)],
        "so_xa_dat": target,
        "ty_le": [f"{100 * t / len(prog):.1f}%".replace(".", ",") for t in target],
    }).to_csv(layers / "plan_targets.csv", index=False, encoding="utf-8")
    n25 = cmet[:, -1].sum(axis=1)
    tgt_ntm = (n25 >= 17).astype(int)
    pd.DataFrame({"code": ccode[prog], "target_ntm": tgt_ntm,
                  "target_criteria": np.where(tgt_ntm == 1, 19, np.minimum(19, n25 + 1))}
                 ).to_csv(layers / "commune_targets.csv", index=False, encoding="utf-8")

    _elevation(layers / "elevation.tif", communes.total_bounds, elevation_cell_m, rng)
    ntm_villages = int((vmet[:, -1].sum(axis=1) == N_VILLAGE_CRITERIA).sum())
    (folder / "ntmgis.toml").write_text(TOML.format(
        n=n, n_txt=f"{n:,}".replace(",", "."), crs=CRS, date=DATA_DATE, y0=YEARS[0],
        y1=YEARS[-1], ntm_target=int(tgt_ntm.sum()), ntm_villages=max(ntm_villages, 1),
        villages=len(v_comm),
        village_status_cfg=VILLAGE_WIDE_CFG if village_status_form == "wide"
        else VILLAGE_LONG_CFG), encoding="utf-8")
    (folder / "README.md").write_text(
        "Synthetic country written by benchmarks/synth.py; every feature is made up.\n",
        encoding="utf-8")
    summary = Country(
        folder=str(folder), communes=n, districts=int(n_d), provinces=int(n_p),
        villages=len(v_comm), projects=len(p_comm), road_projects=int(is_road.sum()),
        facilities=len(fac_v), roads=len(rgeom),
        vertices=int(shapely.get_num_coordinates(polys).sum()),
        seconds=round(time.perf_counter() - t0, 2))
    return summary


def _elevation(path: Path, bounds: np.ndarray, cell: float, rng: np.random.Generator) -> None:
    """Smooth synthetic terrain (int16 metres, 0-3000) covering the country with a margin."""
    x0, y0 = np.floor(bounds[:2] / cell) * cell - 5 * cell
    x1, y1 = np.ceil(bounds[2:] / cell) * cell + 5 * cell
    w, h = int(round((x1 - x0) / cell)), int(round((y1 - y0) / cell))
    noise = gaussian_filter(rng.standard_normal((h, w)), sigma=max(2.0, 8000 / cell))
    fine = gaussian_filter(rng.standard_normal((h, w)), sigma=max(1.0, 2000 / cell))
    z = noise / (noise.std() or 1) + 0.3 * fine / (fine.std() or 1)
    # Higher to the north and west, like Vietnam.
    yy, xx = np.mgrid[0:h, 0:w]
    z = z + 1.5 * (1 - yy / max(h - 1, 1)) + 0.5 * (1 - xx / max(w - 1, 1))
    z = (z - z.min()) / (np.ptp(z) or 1)
    elev = np.round(50 + 2900 * z ** 1.6).astype(np.int16)
    profile = {"driver": "GTiff", "dtype": "int16", "nodata": -32768, "width": w, "height": h,
               "count": 1, "crs": CRS, "transform": Affine(cell, 0.0, x0, 0.0, -cell, y1),
               "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(elev, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of communes")
    ap.add_argument("folder", type=Path, help="workspace folder to write")
    ap.add_argument("--seed", type=int, default=20251231)
    ap.add_argument("--levels", type=int, default=6, help="boundary wiggle levels (6: ~380 "
                    "vertices per commune)")
    ap.add_argument("--village-status", choices=("wide", "long"), default="wide")
    ap.add_argument("--shape", choices=SHAPES, default="regular",
                    help="regular (exact tiling, short names) or irregular (real-data "
                         "irregularity: see synth_irregular.py)")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(argv)
    c = make_country(args.n, args.folder, seed=args.seed, levels=args.levels,
                     village_status_form=args.village_status, overwrite=args.overwrite,
                     shape=args.shape)
    print(json.dumps(asdict(c), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
