"""The "irregular" shape of the synthetic country: data that does not flatter the tool.

``benchmarks/synth.py`` writes a regular country: equal communes, shared
edges that match vertex for vertex, two-syllable names, whole-million
amounts, roads of nine vertices. Real data is not like that (issue 13). This
module writes the same kind of workspace (same files, columns and
``ntmgis.toml``) with the irregularity of real data:

- **uneven communes**: the seeds of the Voronoi cells are drawn with a
  density that follows a smooth log-area field (a north-south trend plus
  noise, lognormal areas): a mountain commune in the north is about 100 times
  a delta commune in the south (the field is relative to the country's
  extent, so even a small country spans it);
- **surveyed boundaries**: every Voronoi edge gets a vertex every 40-80 m
  (midpoint displacement, the number of levels by edge length), so a big
  commune has a long, dense boundary;
- **a coverage with gaps and overlaps**: about a third of the shared edges
  are drawn differently by the two neighbours (one side bulges by a few
  metres to 150 m, into the neighbour or away from it: lens-shaped overlaps
  and gaps, some wider than the web map's 35 m cleaning), and a few wards are
  degenerate triangles of 0,003 km² lying on top of a neighbour (their real
  area went to the neighbour, as in the public 2009 set);
- **the real sample boundaries**: the 14 real units of Mường Tè
  (``layers/communes.geojson``: coarse 1:250 000 polygons with their real
  overlaps and gaps and their real names) are copied, rotated, mirrored and
  scaled into the mountain part of the country (one copy per 2.000
  communes, at least one from N = 100); the Voronoi cells around a copy are
  cut along its outline, so its neighbours meet it as the real data meets
  itself;
- **names of real length**: commune, village, district and province names
  from real syllable inventories (ethnic-minority syllables in the
  mountains, Kinh ones in the plains), with "Bản", "Thôn", "Ấp", "Tổ dân
  phố" by region; project names as investment lists write them ("Nâng cấp,
  mở rộng đường giao thông từ trung tâm xã … đến bản …, huyện …");
- **amounts with full precision**: capital in million VND with three
  decimals ("19.868,437"), each project's split between sources drawn per
  project, the plan's funding still equal to the list's totals (kept exact in
  thousand VND);
- **roads with surveyed vertex density**: a vertex every 10-30 m with about
  1 m of jitter (village tracks, commune-district roads, the district tree);
  road projects use these lines.

Everything is seeded: the same arguments give the same bytes. Use
``synth.make_country(n, folder, shape="irregular")`` or
``python benchmarks/synth.py N FOLDER --shape irregular``.
"""

from __future__ import annotations

import os
import shutil
import time
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import synth as S
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay, Voronoi, cKDTree

__all__ = ["make_irregular_country", "irregular_tessellation", "REAL_COMMUNES"]

REAL_COMMUNES = Path(__file__).resolve().parents[1] / "layers" / "communes.geojson"
REAL_MEAN_AREA_M2 = 2679e6 / 14
DEGENERATE_AREA_M2 = 3000.0  # "a 0,003 km² triangle"

# Syllables of real place names (GSO lists): ethnic-minority names of the northern
# mountains and the Central Highlands, and Sino-Vietnamese (Kinh) names of the plains.
ETHNIC = (
    "Nậm Pa Phìn Sì Mù Lò Xà Ma Huổi Pắc Hô Tà Nhóm Bum Ka Thu Vàng Kan Mường Pờ Gióng Khao "
    "Lăng Lùng Chà Tả Seo Tổng Nưa Hồ Cả Sử Vệ Lếch Phăng Sín Chải Xìn Pá Khoang Nặm Hua Bó "
    "Khau Pù Nà Pác Cốc Lủng Tủng Chiềng Noong Phiêng Co Sam Kha Púng Luông Sáng Ngài Thàng "
    "Dền Sung Lử Mí Giàng Vần Chư Ea Krông Đắk Buôn Ia Xá Phình Khổ Sủng Mần Quản Xín Mần "
    "Nghiêm Phạ Lũm Tè Ún Lay Hum Cang Pắn Khẻo Nọi Thẳm Pịa Phung Páo Lao"
).split()
KINH = (
    "Tân Phú Hòa Bình An Đông Tây Nam Bắc Trung Hưng Thạnh Lộc Phước Quang Thái Yên Long Hải "
    "Sơn Thủy Lâm Cẩm Đức Nghĩa Hiệp Vĩnh Xuân Hồng Châu Khánh Minh Thành Quảng Hợp Thịnh Tiến "
    "Lập Đạo Kiều Nhân Lợi Mỹ Hậu Thượng Điền Hương Trường Giang Tường Phong Định Hiếu Thuận "
    "Nguyên Quý Đồng Tâm Kim Liên Hoàng Cường Thắng Toàn Tú Dương Ninh Khê Lạc Tràng Uyên Vinh "
    "Tịnh Thới Hội Phụng Triệu Hoằng Diễn Nghi Kỳ Cát Tuy Hàm Ngọc Bảo Gia Lương Chánh Khương"
).split()
SUFFIX = ("Thượng", "Hạ", "Trong", "Ngoài", "1", "2", "3", "A", "B", "Mới")
CROPS = ("chè Shan tuyết", "quế", "mắc ca", "lúa chất lượng cao", "cà phê", "thảo quả",
         "cây ăn quả có múi", "dược liệu dưới tán rừng")


def _nfc(a: np.ndarray) -> np.ndarray:
    return np.array([unicodedata.normalize("NFC", s) for s in a.tolist()], dtype=object)


# --------------------------------------------------------------------------- the field

class _Field:
    """Log-area field over the country: ``log(area / mean area)`` is trend + noise.

    Coordinates are taken relative to the ellipse's semi-axes (``u = x/a``,
    ``v = y/b``), so the same gradient spans a small and a large country.
    """

    def __init__(self, a: float, b: float, rng: np.random.Generator) -> None:
        self.a, self.b = a, b
        k = 7
        self.freq = rng.uniform(1.0, 4.5, k)
        self.dir = rng.uniform(0, 2 * np.pi, k)
        self.phase = rng.uniform(0, 2 * np.pi, k)

    def log_area(self, xy: np.ndarray) -> np.ndarray:
        u, v = xy[:, 0] / self.a, xy[:, 1] / self.b
        noise = np.zeros(len(xy))
        for f, d, p in zip(self.freq, self.dir, self.phase, strict=True):
            noise += np.sin(f * (np.cos(d) * u * 2 + np.sin(d) * v) + p)
        noise /= np.sqrt(len(self.freq) / 2)
        # mountains in the north and west, the delta in the south: exp(2*2.3) ~ 100x
        return 2.3 * np.clip(v, -1.1, 1.1) - 0.35 * u + 0.45 * noise


def _seeds(n_total: int, rng: np.random.Generator, field_rng: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray, _Field, float, float]:
    """Variable-density seeds sorted by the lobed-ellipse radius; field; semi-axes a, b."""
    a = np.sqrt(n_total * S.COMMUNE_AREA_M2 / (np.pi * S.ASPECT))
    b = S.ASPECT * a
    field = _Field(a, b, field_rng)
    # density of seeds ~ exp(-L); A0 so that the ellipse holds about n_total seeds
    gx, gy = np.meshgrid(np.linspace(-a, a, 61), np.linspace(-b, b, 61))
    g = np.column_stack([gx.ravel(), gy.ravel()])
    inside = (g[:, 0] / a) ** 2 + (g[:, 1] / b) ** 2 <= 1
    lg = field.log_area(g[inside])
    a0 = S.COMMUNE_AREA_M2 * np.mean(np.exp(-lg))  # area where L = 0
    half_w, half_h = 1.45 * a, 1.45 * b
    box = np.column_stack([np.linspace(-half_w, half_w, 80).repeat(80),
                           np.tile(np.linspace(-half_h, half_h, 80), 80)])
    lmin = field.log_area(box).min()
    fine = a0 * np.exp(lmin) * 0.9  # candidate cell area: thinning probability <= 1
    s = np.sqrt(2 * fine / np.sqrt(3))
    h_step = s * np.sqrt(3) / 2
    rows = np.arange(-np.ceil(half_h / h_step), np.ceil(half_h / h_step) + 1)
    cols = np.arange(-np.ceil(half_w / s), np.ceil(half_w / s) + 1)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    pts = np.column_stack([((cc + 0.5 * (rr % 2)) * s).ravel(), (rr * s * np.sqrt(3) / 2).ravel()])
    pts += rng.uniform(-0.45 * s, 0.45 * s, size=pts.shape)
    la = field.log_area(pts)
    keep = rng.random(len(pts)) < fine / (a0 * np.exp(la))
    pts, la = pts[keep], la[keep]
    # a hard core: no two seeds closer than 0,5 of the local spacing (fewer slivers)
    prio = rng.random(len(pts))
    for _ in range(3):
        tree = cKDTree(pts)
        d, j = tree.query(pts, k=6)
        local = 0.5 * np.sqrt(a0 * np.exp(la))
        clash = (d[:, 1:] < local[:, None]) & (prio[j[:, 1:]] > prio[:, None])
        drop = clash.any(axis=1)
        if not drop.any():
            break
        pts, la, prio = pts[~drop], la[~drop], prio[~drop]
    theta = np.arctan2(pts[:, 1] / b, pts[:, 0] / a)
    lobes = 1 + 0.12 * np.sin(3 * theta + 0.7) + 0.07 * np.sin(5 * theta + 2.1)
    r = np.hypot(pts[:, 0] / a, pts[:, 1] / b) / lobes
    order = np.lexsort((pts[:, 0], r))
    return pts[order], r[order], field, a, b


# --------------------------------------------------------------------------- real units

def _real_units() -> gpd.GeoDataFrame:
    real = gpd.read_file(REAL_COMMUNES).to_crs(S.CRS)
    c = shapely.centroid(shapely.union_all(real.geometry.values))
    real["geometry"] = shapely.transform(real.geometry.values,
                                         lambda xy: xy - [c.x, c.y])
    return real


def _fill(g: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(g)
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(parts)))


def _place_copy(real: gpd.GeoDataFrame, xy: np.ndarray, scale: float, angle: float,
                mirror: bool) -> np.ndarray:
    c, s = np.cos(angle) * scale, np.sin(angle) * scale
    m = np.array([[c, -s], [s, c]])
    if mirror:
        m = m @ np.array([[-1.0, 0.0], [0.0, 1.0]])
    return shapely.transform(real.geometry.values, lambda p: np.round(p @ m.T + xy, 3))


# --------------------------------------------------------------------------- tessellation

def irregular_tessellation(n: int, *, seed: int = 20251231, copies: int | None = None
                           ) -> dict:
    """Uneven, surveyed-looking communes with gaps, overlaps and real units.

    Returns a dict: ``polys`` (n Polygons, local metres), ``seeds`` (a point
    inside each), ``log_area`` (the field at the seed), ``real`` (index into
    the 14 real units or -1), ``degenerate`` (bool), ``names`` (real names or
    ""), ``types`` (real unit types or "").
    """
    rng = np.random.default_rng(seed + 17)
    pts, r, field, a, b = _seeds(n, rng, np.random.default_rng(seed + 18))
    real = _real_units()
    k_real = len(real)
    if copies is None:
        copies = 0 if n < 100 else max(1, int(round(n / 2000)))
    copies = min(copies, max(0, (n - 20) // k_real))
    la_all = field.log_area(pts)
    # copies go to the mountains (highest log-area), well inside, apart from each other
    foot, copy_geoms = [], []
    if copies:
        cand = np.flatnonzero(r[:n] < 0.7)
        cand = cand[np.argsort(-la_all[cand], kind="stable")]
        max_scale = np.sqrt(0.15 * n * S.COMMUNE_AREA_M2 / (copies * k_real * REAL_MEAN_AREA_M2))
        diam = 2 * np.sqrt(k_real * REAL_MEAN_AREA_M2 / np.pi)
        chosen: list[int] = []
        for i in cand:
            if all(np.hypot(*(pts[i] - pts[j])) > 1.6 * diam for j in chosen):
                chosen.append(i)
            if len(chosen) == copies:
                break
        for i in chosen:
            local = S.COMMUNE_AREA_M2 * np.exp(la_all[i])
            scale = float(np.clip(np.sqrt(local / REAL_MEAN_AREA_M2), 0.35,
                                  min(1.25, max_scale)))
            g = _place_copy(real, pts[i], scale, rng.uniform(0, 2 * np.pi), rng.random() < 0.5)
            copy_geoms.append(g)
            foot.append(_fill(shapely.union_all(g)))
    n_vor = n - k_real * len(copy_geoms)
    if foot:
        fp = shapely.union_all(foot)
        shapely.prepare(fp)
        out = ~shapely.contains_xy(fp, pts[:, 0], pts[:, 1])
        pts, r = pts[out], r[out]
    if len(pts) < n_vor + 50:
        raise RuntimeError("too few candidate seeds; widen the margin")
    vor = Voronoi(pts)
    rp = vor.ridge_points
    rv = np.asarray(vor.ridge_vertices)
    keep = (rp < n_vor).any(axis=1)
    rp, rv = rp[keep], rv[keep]
    if (rv < 0).any():
        raise RuntimeError("an inner Voronoi cell is unbounded; widen the ghost margin")
    rp = np.sort(rp, axis=1)
    order = np.lexsort((rp[:, 1], rp[:, 0]))
    rp, rv = rp[order], rv[order]
    p0, p1 = vor.vertices[rv[:, 0]], vor.vertices[rv[:, 1]]
    chord = np.hypot(*(p1 - p0).T)
    # a vertex every 40-80 m: levels by edge length
    levels = np.clip(np.ceil(np.log2(np.maximum(chord, 1.0) / 60.0)), 2, 10).astype(int)
    edges: list[np.ndarray | None] = [None] * len(rp)
    for lv in np.unique(levels):
        sel = np.flatnonzero(levels == lv)
        w = S._wiggle(p0[sel], p1[sel], int(lv), 0.1, rng)
        for j, e in zip(sel.tolist(), w, strict=True):
            edges[j] = e
    # gaps and overlaps: one side of some shared edges bulges (ends fixed)
    both_real = (rp < n_vor).all(axis=1)
    pert = both_real & (rng.random(len(rp)) < 0.35)
    side = rng.integers(0, 2, len(rp))
    amp = np.exp(rng.normal(np.log(12.0), 0.9, len(rp)))
    big = rng.random(len(rp)) < 0.04
    amp[big] = rng.uniform(40, 150, big.sum())
    amp = np.minimum(amp, 0.08 * chord) * rng.choice([-1.0, 1.0], len(rp))
    unit_n = np.column_stack([-(p1 - p0)[:, 1], (p1 - p0)[:, 0]]) / np.maximum(chord, 1e-9)[:, None]

    def side_coords(j: int, s: int, perturbed: bool) -> np.ndarray:
        e = edges[j]
        if perturbed and pert[j] and side[j] == s:
            t = np.linspace(0, 1, len(e))
            e = e + unit_n[j] * (amp[j] * np.sin(np.pi * t))[:, None]
        return e

    cell = np.concatenate([rp[:, 0], rp[:, 1]])
    ridge = np.concatenate([np.arange(len(rp))] * 2)
    sidx = np.concatenate([np.zeros(len(rp), int), np.ones(len(rp), int)])
    isreal = cell < n_vor
    cell, ridge, sidx = cell[isreal], ridge[isreal], sidx[isreal]
    va = vor.vertices[rv[ridge, 0]] - pts[cell]
    vb = vor.vertices[rv[ridge, 1]] - pts[cell]
    mid = (va + vb) / 2
    ang = np.arctan2(mid[:, 1], mid[:, 0])
    rev = (va[:, 0] * vb[:, 1] - va[:, 1] * vb[:, 0]) < 0
    o = np.lexsort((ang, cell))
    cell, ridge, sidx, rev = cell[o], ridge[o], sidx[o], rev[o]

    def build(perturbed: bool, cells: np.ndarray | None = None) -> np.ndarray:
        m = np.ones(len(cell), bool) if cells is None else np.isin(cell, cells)
        parts, owner = [], []
        for c, j, s, rv_ in zip(cell[m].tolist(), ridge[m].tolist(), sidx[m].tolist(),
                                rev[m].tolist(), strict=True):
            e = side_coords(j, s, perturbed)
            e = e[::-1] if rv_ else e
            parts.append(e[:-1])
            owner.append(np.full(len(e) - 1, c))
        coords = np.round(np.concatenate(parts), 3)
        own = np.concatenate(owner)
        rings = shapely.linearrings(coords, indices=np.unique(own, return_inverse=True)[1])
        return shapely.polygons(rings)

    def largest_valid(g: shapely.Geometry) -> shapely.Geometry:
        parts = shapely.get_parts(shapely.make_valid(g))
        parts = parts[shapely.get_type_id(parts) == 3]
        return parts[np.argmax(shapely.area(parts))]

    polys = build(True)
    bad = np.flatnonzero(~shapely.is_valid(polys))
    if len(bad):  # a bulge crossed another edge of the cell: draw that cell unperturbed
        polys[bad] = build(False, bad)
        for i in np.flatnonzero(~shapely.is_valid(polys)).tolist():
            polys[i] = largest_valid(polys[i])
    seeds = pts[:n_vor].copy()
    # cut the Voronoi cells along the copies' outlines; stray pieces join a neighbour
    if foot:
        tree = shapely.STRtree(polys)
        hit = np.unique(tree.query(fp, predicate="intersects"))
        leftovers = []
        for i in hit.tolist():
            d = shapely.difference(polys[i], fp)
            parts = shapely.get_parts(d)
            parts = parts[shapely.area(parts) > 1.0]
            if not len(parts):
                continue
            k = int(np.argmax(shapely.area(parts)))
            polys[i] = parts[k]
            leftovers += [p for q, p in enumerate(parts) if q != k]
        for piece in leftovers:
            near = tree.query(shapely.buffer(piece, 2.0), predicate="intersects")
            if not len(near):
                continue
            touch = shapely.area(shapely.intersection(polys[near], shapely.buffer(piece, 2.0)))
            j = int(near[np.argmax(touch)])
            u = shapely.union(polys[j], piece)
            if u.geom_type == "Polygon":
                polys[j] = u
        for i in np.flatnonzero(~shapely.is_valid(polys)).tolist():
            polys[i] = largest_valid(polys[i])
        seeds = np.where(shapely.contains_xy(polys, seeds[:, 0], seeds[:, 1])[:, None], seeds,
                         shapely.get_coordinates(shapely.point_on_surface(polys)))
    # degenerate wards: a few small cells give their area to a neighbour and become
    # 0,003 km² triangles lying on it
    degenerate = np.zeros(n_vor, bool)
    if n_vor >= 50:
        n_deg = max(1, n_vor // 3000)
        area = shapely.area(polys)
        tree = shapely.STRtree(polys)
        cand = np.flatnonzero(r[:n_vor] < 0.85)
        small = cand[area[cand] <= np.quantile(area[cand], 0.1)]
        small = small[rng.permutation(len(small))]
        for i in small.tolist():
            if n_deg == 0:
                break
            near = tree.query(polys[i], predicate="intersects")
            near = near[(near != i) & ~degenerate[near]]
            if not len(near):
                continue
            touch = shapely.area(shapely.intersection(polys[near], shapely.buffer(polys[i], 2.0)))
            j = int(near[np.argmax(touch)])
            u = shapely.union(polys[j], polys[i])
            if u.geom_type != "Polygon" or degenerate[j]:
                continue
            polys[j] = u
            x, y = seeds[i]
            side_m = np.sqrt(2 * DEGENERATE_AREA_M2 / 0.6)
            tri = [(x, y), (x + side_m, y), (x, y + 0.6 * side_m)]
            polys[i] = shapely.Polygon(np.round(tri, 3))
            seeds[i] = shapely.get_coordinates(shapely.centroid(polys[i]))[0]
            degenerate[i] = True
            n_deg -= 1
    la = field.log_area(seeds)
    names = np.full(n_vor, "", dtype=object)
    types = np.full(n_vor, "", dtype=object)
    realix = np.full(n_vor, -1)
    for g in copy_geoms:
        polys = np.concatenate([polys, g])
        cen = shapely.get_coordinates(shapely.point_on_surface(g))
        seeds = np.vstack([seeds, cen])
        la = np.concatenate([la, field.log_area(cen)])
        names = np.concatenate([names, real["name"].to_numpy(dtype=object)])
        types = np.concatenate([types, real["unit_type"].to_numpy(dtype=object)])
        realix = np.concatenate([realix, np.arange(k_real)])
        degenerate = np.concatenate([degenerate, np.zeros(k_real, bool)])
    return {"polys": polys, "seeds": seeds, "log_area": la, "real": realix,
            "degenerate": degenerate, "names": names, "types": types, "a": a, "b": b}


# --------------------------------------------------------------------------- names

def _syllables(rng: np.random.Generator, la: np.ndarray) -> np.ndarray:
    """Place names of 2-3 syllables; ethnic-minority syllables where the land is high."""
    n = len(la)
    eth = np.array(ETHNIC, dtype=object)
    kinh = np.array(KINH, dtype=object)
    p_eth = np.clip((la + 0.3) / 1.6, 0.03, 0.95)
    use_eth = rng.random((n, 3)) < p_eth[:, None]
    i = rng.integers(0, 1 << 30, (n, 3))
    syl = np.where(use_eth, eth[i % len(eth)], kinh[i % len(kinh)])
    k = np.where(rng.random(n) < 0.16, 3, 2)
    out = syl[:, 0] + " " + syl[:, 1]
    out = np.where(k == 3, out + " " + syl[:, 2], out)
    suf = rng.random(n) < 0.08
    out[suf] = out[suf] + " " + np.array(SUFFIX, dtype=object)[rng.integers(0, len(SUFFIX),
                                                                           suf.sum())]
    return _nfc(out)


def _vn_amount(k: np.ndarray) -> list[str]:
    """Thousand VND as million VND with three decimals: 19868437 -> "19.868,437"."""
    k = np.asarray(k, dtype=np.int64)
    out = []
    for v in k.tolist():
        if v == 0:
            out.append("0")
        else:
            out.append(f"{v // 1000:,}".replace(",", ".") + f",{v % 1000:03d}")
    return out


# --------------------------------------------------------------------------- roads

def _surveyed_lines(a: np.ndarray, b: np.ndarray, rng: np.random.Generator,
                    amp: float = 0.12) -> np.ndarray:
    """Winding lines from a to b with a vertex every 10-30 m and ~1 m of jitter."""
    coarse = S._wiggle(a, b, 3, amp, rng)  # (R, 9, 2)
    seg = np.hypot(*np.moveaxis(np.diff(coarse, axis=1), -1, 0))  # (R, 8)
    cum = np.concatenate([np.zeros((len(seg), 1)), np.cumsum(seg, axis=1)], axis=1)
    length = cum[:, -1]
    spacing = rng.uniform(10.0, 30.0, len(seg))
    npt = np.maximum(2, np.ceil(length / spacing).astype(np.int64) + 1)
    idx = np.repeat(np.arange(len(seg)), npt)
    start = np.concatenate([[0], np.cumsum(npt)[:-1]])
    j = np.arange(len(idx)) - np.repeat(start, npt)
    d = j / (npt[idx] - 1) * length[idx]
    out = np.empty((len(idx), 2))
    step = 2_000_000
    for s0 in range(0, len(idx), step):
        sl = slice(s0, s0 + step)
        ii, dd = idx[sl], d[sl]
        k = np.minimum((cum[ii, 1:] < dd[:, None]).sum(axis=1), 7)
        t = (dd - cum[ii, k]) / np.maximum(seg[ii, k], 1e-9)
        out[sl] = coarse[ii, k] + t[:, None] * (coarse[ii, k + 1] - coarse[ii, k])
    interior = (j > 0) & (j < npt[idx] - 1)
    out[interior] += rng.normal(0.0, 1.0, (int(interior.sum()), 2))
    return shapely.linestrings(np.round(out, 2), indices=idx)


# --------------------------------------------------------------------------- projects

def _project_names(cat: np.ndarray, vname: np.ndarray, cname: np.ndarray, dname: np.ndarray,
                   other_v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Project names as investment lists write them (60-130 characters)."""
    pick = rng.integers(0, 3, len(cat))
    crop = np.array(CROPS, dtype=object)[rng.integers(0, len(CROPS), len(cat))]
    xa = np.array([c.split(" ", 1)[1] if c.startswith("Xã ") else c for c in cname.tolist()],
                  dtype=object)
    t = {
        "road": ("Nâng cấp, mở rộng đường giao thông từ trung tâm xã {x} đến {v}, {h}",
                 "Cứng hóa đường giao thông nội {v}, xã {x} (giai đoạn 2)",
                 "Xây dựng đường liên bản từ {v} đến {w}, xã {x}, {h}"),
        "irrigation": ("Kiên cố hóa kênh mương nội đồng {v}, xã {x}",
                       "Sửa chữa, nâng cấp công trình thủy lợi đầu mối {v}, xã {x}, {h}",
                       "Xây dựng trạm bơm và kênh tưới tiêu {v}"),
        "electricity": ("Cấp điện sinh hoạt cho các hộ dân chưa có điện lưới {v}, xã {x}",
                        "Cải tạo lưới điện hạ áp sau trạm biến áp {v}",
                        "Xây dựng đường dây 0,4 kV và trạm biến áp {v}, xã {x}"),
        "school": ("Xây dựng phòng học, nhà công vụ giáo viên trường mầm non xã {x} (điểm "
                   "{v})", "Nâng cấp trường tiểu học và trung học cơ sở xã {x}",
                   "Xây dựng bếp ăn bán trú, nhà vệ sinh điểm trường {v}"),
        "culture": ("Xây dựng nhà văn hóa kết hợp khu thể thao {v}, xã {x}",
                    "Sửa chữa nhà văn hóa {v}", "Xây dựng nhà văn hóa trung tâm xã {x}, {h}"),
        "market": ("Xây dựng chợ trung tâm xã {x}", "Cải tạo, nâng cấp chợ nông thôn xã {x}, {h}",
                   "Xây dựng chợ phiên {v}, xã {x}"),
        "telecom": ("Nâng cấp điểm bưu điện văn hóa xã {x}",
                    "Xây dựng hệ thống truyền thanh không dây xã {x}, {h}",
                    "Phủ sóng di động và internet {v}"),
        "housing": ("Hỗ trợ xóa nhà tạm, nhà dột nát cho hộ nghèo {v}, xã {x}",
                    "Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo xã {x}",
                    "Sắp xếp, ổn định dân cư {v}"),
        "production": ("Hỗ trợ phát triển sản xuất, mô hình trồng {c} tại {v}, xã {x}",
                       "Dự án liên kết chuỗi giá trị {c} xã {x}, {h}",
                       "Hỗ trợ giống, vật tư trồng {c} cho các hộ {v}"),
        "water": ("Cấp nước sinh hoạt tập trung {v}, xã {x}",
                  "Sửa chữa, nâng cấp công trình nước sinh hoạt {v}",
                  "Xây dựng bể chứa và đường ống dẫn nước {v} đến {w}"),
        "health": ("Cải tạo, nâng cấp trạm y tế xã {x}", "Xây dựng trạm y tế xã {x}, {h}",
                   "Mua sắm trang thiết bị trạm y tế xã {x}"),
        "environment": ("Xây dựng điểm thu gom, xử lý rác thải sinh hoạt {v}, xã {x}",
                        "Xây dựng nghĩa trang nhân dân xã {x}", "Xây dựng lò đốt rác {v}"),
        "other": ("Lập, điều chỉnh quy hoạch chung xây dựng xã {x} giai đoạn 2021-2030, tầm "
                  "nhìn đến năm 2045", "Đào tạo, bồi dưỡng cán bộ làm công tác xây dựng nông "
                  "thôn mới xã {x}", "Hỗ trợ xây dựng mô hình xã nông thôn mới kiểu mẫu {x}"),
    }
    v_low = np.array([v[0].lower() + v[1:] if v else v for v in vname.tolist()], dtype=object)
    w_low = np.array([v[0].lower() + v[1:] if v else v for v in other_v.tolist()], dtype=object)
    h_low = np.array([h[0].lower() + h[1:] for h in dname.tolist()], dtype=object)
    out = [t[c][k].format(x=x, v=v, w=w, h=h, c=cr) for c, k, x, v, w, h, cr in zip(
        cat.tolist(), pick.tolist(), xa.tolist(), v_low.tolist(), w_low.tolist(),
        h_low.tolist(), crop.tolist(), strict=True)]
    return _nfc(np.array(out, dtype=object))


# --------------------------------------------------------------------------- the workspace

def make_irregular_country(n: int, folder: str | Path, *, seed: int = 20251231,
                           villages_per_commune: float = 8.0,
                           projects_per_commune: float = 15.0,
                           village_status_form: str = "wide", elevation_cell_m: float = 1000.0,
                           overwrite: bool = False) -> S.Country:
    """Write the irregular synthetic country of ``n`` communes (see the module docstring)."""
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
    rng = np.random.default_rng(seed + 2)
    os.environ["OGR_CURRENT_DATE"] = S.DATA_DATE + "T00:00:00Z"

    t = irregular_tessellation(n, seed=seed)
    polys, seeds, la = t["polys"], t["seeds"], t["log_area"]
    to_proj = Transformer.from_crs("EPSG:4326", S.CRS, always_xy=True)
    x0, y0 = to_proj.transform(*S.CENTRE_LONLAT)
    off = np.array([x0, y0])
    polys = shapely.transform(polys, lambda c: np.round(c + off, 3))
    seeds = seeds + off

    dist = S._group(seeds, S.COMMUNES_PER_DISTRICT, rng)
    d_xy = np.column_stack([np.bincount(dist, seeds[:, 0]) / np.bincount(dist),
                            np.bincount(dist, seeds[:, 1]) / np.bincount(dist)])
    prov_of_d = S._group(d_xy, S.DISTRICTS_PER_PROVINCE, rng)
    prov_of_d = S._order_codes(prov_of_d, d_xy)
    d_rank = np.empty(len(d_xy), dtype=int)
    d_rank[np.lexsort((d_xy[:, 0], -d_xy[:, 1], prov_of_d))] = np.arange(len(d_xy))
    dist = d_rank[dist]
    prov_of_d = prov_of_d[np.argsort(d_rank)]
    d_xy = d_xy[np.argsort(d_rank)]
    prov = prov_of_d[dist]
    n_d, n_p = len(d_xy), prov.max() + 1
    corder = np.lexsort((seeds[:, 0], -seeds[:, 1], dist, prov))
    polys, seeds, dist, prov, la = (polys[corder], seeds[corder], dist[corder], prov[corder],
                                    la[corder])
    realix, degenerate = t["real"][corder], t["degenerate"][corder]
    rnames, rtypes = t["names"][corder], t["types"][corder]
    step = 3 if 3 * n < 99999 else 1
    ccode = np.array([f"{step * i + 1:05d}" for i in range(n)], dtype=object)
    dcode = np.array([f"{i + 1:03d}" for i in range(n_d)], dtype=object)
    pcode = np.array([f"{i + 1:02d}" for i in range(n_p)], dtype=object)
    d_la = np.bincount(dist, la, n_d) / np.bincount(dist, minlength=n_d)
    p_la = np.bincount(prov, la, n_p) / np.bincount(prov, minlength=n_p)
    dname = _nfc("Huyện " + _syllables(rng, d_la))
    pname = _nfc("Tỉnh " + _syllables(rng, p_la))
    dd = np.hypot(*(seeds - d_xy[dist]).T)
    dd[degenerate] = np.inf
    town_idx = pd.Series(dd).groupby(dist).idxmin().to_numpy()
    township = np.zeros(n, dtype=bool)
    township[town_idx] = True
    township |= rtypes == "thị trấn"
    township &= ~degenerate
    outside = township | degenerate
    base = _syllables(rng, la)
    cname = np.where(township, "Thị trấn " + base, "Xã " + base)
    cname = np.where(degenerate, "Phường " + base, cname)
    utype = np.where(township, "thị trấn", np.where(degenerate, "phường", "xã"))
    isreal = realix >= 0
    cname[isreal] = rnames[isreal]
    utype[isreal] = rtypes[isreal]
    cname = _nfc(cname)
    utype = _nfc(utype.astype(object))
    township = utype == "thị trấn"
    outside = township | (utype == "phường")

    # villages: more in big communes, one in a degenerate ward
    area_km2 = shapely.area(polys) / 1e6
    nv = np.clip(np.round(rng.normal(villages_per_commune, 1.6, n)
                          + 1.5 * np.clip(np.log(np.maximum(area_km2, 1e-3) / 33.0), -2, 2)),
                 3, 16).astype(int)
    nv[degenerate] = 1
    v_comm, v_xy = _sample_in(polys, nv, rng)
    v_xy = np.round(v_xy, 1)
    v_serial = pd.Series(v_comm).groupby(v_comm).cumcount().to_numpy() + 1
    vcode = ccode[v_comm] + np.char.zfill(v_serial.astype(str), 2).astype(object)
    v_la = la[v_comm]
    vbase = _syllables(rng, v_la)
    south = seeds[v_comm, 1] < np.quantile(seeds[:, 1], 0.25)
    prefix = np.where(v_la > 0.4, "Bản ", np.where(south, "Ấp ", "Thôn "))
    vname = (prefix + vbase).astype(object)
    town_v = township[v_comm] | degenerate[v_comm]
    vname[town_v] = np.array([f"Tổ dân phố số {k}" for k in v_serial[town_v].tolist()],
                             dtype=object)
    vname = _nfc(vname)
    vpop = rng.integers(120, 1800, len(v_comm))
    cpop = np.bincount(v_comm, vpop, n).astype(int) + np.where(township, 4000, 0)
    first_v = np.r_[0, np.cumsum(nv)[:-1]]
    centre_xy = v_xy[first_v]

    communes = gpd.GeoDataFrame({
        "gso_code": ccode, "name": cname, "unit_type": utype,
        "district_gso_code": dcode[dist], "district_name": dname[dist],
        "province_gso_code": pcode[prov], "province_name": pname[prov],
        "population": cpop,
    }, geometry=polys, crs=S.CRS)
    S._write_gpkg(communes, layers / "communes.gpkg", "communes")
    villages = gpd.GeoDataFrame({
        "ma_ban": vcode, "ten_ban": vname, "ma_xa": ccode[v_comm], "dan_so": vpop,
    }, geometry=shapely.points(v_xy), crs=S.CRS)
    S._write_gpkg(villages, layers / "villages.gpkg", "villages")

    # roads with surveyed vertex density
    t_of_d = pd.Series(np.where(township, 0, 1) + np.where(degenerate, 2, 0)).groupby(
        dist).idxmin().to_numpy()
    d_centre = centre_xy[t_of_d]
    not_centre = np.ones(len(v_comm), dtype=bool)
    not_centre[first_v] = False
    vt_a, vt_b = v_xy[not_centre], centre_xy[v_comm[not_centre]]
    cc_mask = ~township & ~degenerate
    cd_a, cd_b = centre_xy[cc_mask], d_centre[dist[cc_mask]]
    if n_d >= 3:
        tri = Delaunay(d_centre)
        e = np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                       tri.simplices[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
        w = np.hypot(*(d_centre[e[:, 0]] - d_centre[e[:, 1]]).T)
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
    rgeom = _surveyed_lines(seg_a, seg_b, rng)
    rid = np.array([f"D{i + 1:06d}" for i in range(len(rgeom))], dtype=object)
    rlabel = {"village_track": "Đường giao thông nông thôn", "district": "Đường huyện ĐH.",
              "provincial": "Đường tỉnh ĐT."}
    rname = _nfc(np.array([f"{rlabel[c]}{i + 1}" if c != "village_track"
                           else f"{rlabel[c]} {i + 1}" for i, c in enumerate(rclass)],
                          dtype=object))
    roads = gpd.GeoDataFrame({"ma_duong": rid, "ten": rname, "cap_duong": rclass},
                             geometry=rgeom, crs=S.CRS)
    S._write_gpkg(roads, layers / "roads.gpkg", "roads")
    track_of_v = np.full(len(v_comm), -1)
    has_track = np.flatnonzero(not_centre)[good[:len(vt_a)]]
    track_of_v[has_track] = np.arange(len(has_track))

    # facilities
    inner = ~degenerate[v_comm]
    fc = first_v[~degenerate]
    nc = np.flatnonzero(not_centre & inner)
    fac_v = np.concatenate([fc, fc, fc[::2], nc[::3], nc[1::2]])
    ftype = np.array(["health_station"] * len(fc) + ["school"] * len(fc)
                     + ["market"] * len(fc[::2]) + ["school"] * len(nc[::3])
                     + ["cultural_house"] * len(nc[1::2]), dtype=object)
    fprefix = {"health_station": "YT", "school": "TH", "market": "CH", "cultural_house": "VH"}
    flabel = {"health_station": "Trạm y tế", "school": "Trường Phổ thông dân tộc bán trú "
              "Tiểu học và THCS", "market": "Chợ trung tâm", "cultural_house": "Nhà văn hóa"}
    fo = np.lexsort((ftype, fac_v))
    fac_v, ftype = fac_v[fo], ftype[fo]
    fid = np.array([f"{fprefix[t]}-{vcode[v]}" for t, v in zip(ftype, fac_v, strict=True)],
                   dtype=object)
    fname = _nfc(np.array([f"{flabel[t]} {cname[v_comm[v]] if t != 'cultural_house' else vname[v]}"
                           for t, v in zip(ftype, fac_v, strict=True)], dtype=object))
    angle = rng.uniform(0, 2 * np.pi, len(fac_v))
    f_xy = np.round(v_xy[fac_v] + 60 * np.column_stack([np.cos(angle), np.sin(angle)]), 1)
    facilities = gpd.GeoDataFrame({
        "ma_cs": fid, "ten": fname, "loai": ftype, "ma_xa": ccode[v_comm[fac_v]],
        "ma_ban": vcode[fac_v]}, geometry=shapely.points(f_xy), crs=S.CRS)
    S._write_gpkg(facilities, layers / "facilities.gpkg", "facilities")

    # criteria status (programme communes: not townships, not wards)
    prog = np.flatnonzero(~outside)
    rel = (seeds - seeds.mean(axis=0)) / max(float(np.ptp(seeds, axis=0).max()), 1.0)
    swing = 0.22 * np.sin(9.0 * rel[:, 1] + 0.5) + 0.12 * np.cos(11.0 * rel[:, 0] + 4.0 * rel[:, 1])
    swing -= 0.08 * np.clip(la, -2, 2)  # the mountains lag behind
    start = np.linspace(0.85, 0.2, S.N_CRITERIA)[rng.permutation(S.N_CRITERIA)]
    cstart = np.clip(start[None, :] + swing[prog, None], 0.02, 0.98)
    cmet = S._status(rng, len(prog), S.N_CRITERIA, cstart)
    words = np.array(["Chưa đạt", "Đạt"], dtype=object)
    rows = len(prog) * len(S.YEARS)
    cs = pd.DataFrame({
        "MaXa": np.repeat(ccode[prog], len(S.YEARS)),
        "TenXa": np.repeat(cname[prog], len(S.YEARS)), "Nam": np.tile(S.YEARS, len(prog))})
    flat = cmet.reshape(rows, S.N_CRITERIA)
    for k in range(S.N_CRITERIA):
        cs[f"TC{k + 1}"] = words[flat[:, k]]
    cs = cs.sort_values(["Nam", "MaXa"], kind="stable")
    cs.to_csv(layers / "commune_status.csv", index=False, encoding="utf-8-sig")
    vstart = np.clip(np.linspace(0.8, 0.3, S.N_VILLAGE_CRITERIA)[None, :]
                     + swing[v_comm, None], 0.02, 0.98)
    vmet = S._status(rng, len(v_comm), S.N_VILLAGE_CRITERIA, vstart)
    if village_status_form == "wide":
        vs = pd.DataFrame({"ma_ban": np.repeat(vcode, len(S.YEARS)),
                           "nam": np.tile(S.YEARS, len(v_comm))})
        vflat = vmet.reshape(-1, S.N_VILLAGE_CRITERIA)
        for k in range(S.N_VILLAGE_CRITERIA):
            vs[f"TC{k + 1}"] = words[vflat[:, k]]
    else:
        vs = pd.DataFrame({
            "ma_ban": np.repeat(vcode, len(S.YEARS) * S.N_VILLAGE_CRITERIA),
            "nam": np.tile(np.repeat(S.YEARS, S.N_VILLAGE_CRITERIA), len(v_comm)),
            "tieu_chi": np.tile(np.arange(1, S.N_VILLAGE_CRITERIA + 1),
                                len(v_comm) * len(S.YEARS)),
            "ket_qua": words[vmet.ravel()]})
    vs.to_csv(layers / "village_status.csv", index=False, encoding="utf-8")
    pd.DataFrame(S.VILLAGE_CRITERIA, columns=["number", "name_vi", "name_en"]).to_csv(
        layers / "village_criteria.csv", index=False, encoding="utf-8")

    # projects
    npj = np.clip(np.round(rng.normal(projects_per_commune, 3.5, n)), 4, 34).astype(int)
    npj[outside] = 0
    p_comm = np.repeat(np.arange(n), npj)
    p_rank = pd.Series(p_comm).groupby(p_comm).cumcount().to_numpy()
    n_road = np.round(npj / 5).astype(int)
    p_v = first_v[p_comm] + (rng.integers(0, 1 << 30, len(p_comm)) % nv[p_comm])
    p_w = first_v[p_comm] + (rng.integers(0, 1 << 30, len(p_comm)) % nv[p_comm])
    is_road = (p_rank < n_road[p_comm]) & (track_of_v[p_v] >= 0)
    cat_i = rng.integers(0, len(S.CATEGORIES), len(p_comm))
    cat_key = np.array([c[0] for c in S.CATEGORIES], dtype=object)[cat_i]
    cat_crit = np.array([c[1] for c in S.CATEGORIES])[cat_i]
    cat_key[is_road] = "road"
    cat_crit[is_road] = 2
    second = rng.random(len(p_comm)) < 0.25
    crit2 = rng.integers(1, S.N_CRITERIA + 1, len(p_comm))
    crit_txt = np.where(second & (crit2 != cat_crit),
                        np.char.add(np.char.add(np.minimum(cat_crit, crit2).astype(str), ";"),
                                    np.maximum(cat_crit, crit2).astype(str)),
                        cat_crit.astype(str)).astype(object)
    pid = np.array([f"DA{i + 1:06d}" for i in range(len(p_comm))], dtype=object)
    pname = _project_names(cat_key, vname[p_v], cname[p_comm], dname[dist[p_comm]],
                           vname[p_w], rng)
    y_start = rng.integers(S.YEARS[0], S.YEARS[-1] + 1, len(p_comm))
    y_end = np.minimum(y_start + rng.integers(0, 3, len(p_comm)), S.YEARS[-1])
    st_draw = rng.random(len(p_comm))
    status = np.where(y_end < S.YEARS[-1], "finished",
                      np.where(st_draw < 0.5, "under_way",
                               np.where(st_draw < 0.8, "finished", "preparing"))).astype(object)
    # capital in thousand VND (million VND with three decimals), split per project
    total_k = np.maximum(np.round(np.exp(rng.normal(7.4, 1.1, len(p_comm))) * 1000), 50_000
                         ).astype(np.int64)
    w = S.SOURCE_SHARES[None, :] * rng.gamma(2.0, 1.0, (len(p_comm), len(S.SOURCE_SHARES)))
    w[:, 3] = np.where(rng.random(len(p_comm)) < 0.05, rng.uniform(0.05, 0.3, len(p_comm)), 0)
    w /= w.sum(axis=1, keepdims=True)
    split = np.floor(total_k[:, None] * w).astype(np.int64)
    split[:, 2] += total_k - split.sum(axis=1)
    disb_share = np.where(status == "finished", rng.uniform(0.97, 1.0, len(p_comm)),
                          np.where(status == "under_way", rng.uniform(0.2, 0.8, len(p_comm)),
                                   0.0))
    disbursed = np.floor(total_k * disb_share).astype(np.int64)
    ang = rng.uniform(0, 2 * np.pi, len(p_comm))
    rad = rng.uniform(20, 120, len(p_comm))
    p_xy = v_xy[p_v] + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
    out = ~shapely.contains_xy(polys[p_comm], p_xy[:, 0], p_xy[:, 1])
    p_xy[out] = v_xy[p_v[out]]
    lon, lat = Transformer.from_crs(S.CRS, "EPSG:4326", always_xy=True).transform(
        p_xy[:, 0], p_xy[:, 1])
    lon_txt = np.where(is_road, "", np.char.mod("%.6f", lon)).astype(object)
    lat_txt = np.where(is_road, "", np.char.mod("%.6f", lat)).astype(object)
    projects = pd.DataFrame({
        "ma_du_an": pid, "ten_du_an": pname, "loai": cat_key, "ma_xa": ccode[p_comm],
        "ma_ban": vcode[p_v], "tieu_chi": crit_txt, "nam_bat_dau": y_start,
        "nam_ket_thuc": y_end, "tinh_trang": status, "kinh_do": lon_txt, "vi_do": lat_txt})
    for j, col in enumerate(S.SOURCE_COLUMNS):
        projects[col] = _vn_amount(split[:, j])
    projects["da_giai_ngan"] = _vn_amount(disbursed)
    projects.to_csv(layers / "projects.csv", index=False, encoding="utf-8")
    lines = gpd.GeoDataFrame({"ma_du_an": pid[is_road]},
                             geometry=rgeom[track_of_v[p_v[is_road]]], crs=S.CRS)
    S._write_gpkg(lines, layers / "project_lines.gpkg", "project_lines")
    totals = split.sum(axis=0)
    pd.DataFrame({"nguon_von": S.SOURCE_LABELS, "ke_hoach": _vn_amount(totals)}).to_csv(
        layers / "plan_funding.csv", index=False, encoding="utf-8")

    from ntmgis.core.criteria import COMMUNE_CRITERIA

    met25 = cmet[:, -1].sum(axis=0)
    target = np.minimum(len(prog), np.round(met25 + 0.1 * (len(prog) - met25))).astype(int)
    pd.DataFrame({
        "tieu_chi": np.arange(1, S.N_CRITERIA + 1),
        "ten_tieu_chi": [COMMUNE_CRITERIA.get(k).name_vi for k in range(1, S.N_CRITERIA + 1)],
        "so_xa_dat": target,
        "ty_le": [f"{100 * t / max(len(prog), 1):.1f}%".replace(".", ",") for t in target],
    }).to_csv(layers / "plan_targets.csv", index=False, encoding="utf-8")
    n25 = cmet[:, -1].sum(axis=1)
    tgt_ntm = (n25 >= 17).astype(int)
    pd.DataFrame({"code": ccode[prog], "target_ntm": tgt_ntm,
                  "target_criteria": np.where(tgt_ntm == 1, 19, np.minimum(19, n25 + 1))}
                 ).to_csv(layers / "commune_targets.csv", index=False, encoding="utf-8")

    S._elevation(layers / "elevation.tif", communes.total_bounds, elevation_cell_m, rng)
    ntm_villages = int((vmet[:, -1].sum(axis=1) == S.N_VILLAGE_CRITERIA).sum())
    (folder / "ntmgis.toml").write_text(S.TOML.format(
        n=n, n_txt=f"{n:,}".replace(",", "."), crs=S.CRS, date=S.DATA_DATE, y0=S.YEARS[0],
        y1=S.YEARS[-1], ntm_target=max(int(tgt_ntm.sum()), 1), ntm_villages=max(ntm_villages, 1),
        villages=len(v_comm),
        village_status_cfg=S.VILLAGE_WIDE_CFG if village_status_form == "wide"
        else S.VILLAGE_LONG_CFG).replace("# A synthetic country", "# An irregular synthetic "
                                         "country", 1), encoding="utf-8")
    (folder / "README.md").write_text(
        "Irregular synthetic country written by benchmarks/synth.py --shape irregular "
        "(benchmarks/synth_irregular.py); every feature is made up except the copies of the "
        "14 real Mường Tè units (layers/communes.geojson, see layers/SOURCES.md), which are "
        "moved, rotated and scaled.\n", encoding="utf-8")
    return S.Country(
        folder=str(folder), communes=n, districts=int(n_d), provinces=int(n_p),
        villages=len(v_comm), projects=len(p_comm), road_projects=int(is_road.sum()),
        facilities=len(fac_v), roads=len(rgeom),
        vertices=int(shapely.get_num_coordinates(polys).sum()),
        seconds=round(time.perf_counter() - t0, 2))


def _sample_in(polys: np.ndarray, counts: np.ndarray, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:
    """``counts[i]`` random points inside each polygon; more tries for the ragged ones."""
    owners, xys = [], []
    need = counts.copy()
    b = shapely.bounds(polys)
    shapely.prepare(polys)
    for tries in (48, 400, 4000):
        todo = np.flatnonzero(need > 0)
        if not len(todo):
            break
        owner = np.repeat(todo, tries)
        x = rng.uniform(b[owner, 0], b[owner, 2])
        y = rng.uniform(b[owner, 1], b[owner, 3])
        inside = shapely.contains_xy(polys[owner], x, y)
        owner, x, y = owner[inside], x[inside], y[inside]
        rank = pd.Series(owner).groupby(owner).cumcount().to_numpy()
        keep = rank < need[owner]
        owner, x, y = owner[keep], x[keep], y[keep]
        owners.append(owner)
        xys.append(np.column_stack([x, y]))
        need -= np.bincount(owner, minlength=len(polys))
    if (need > 0).any():
        raise RuntimeError("rejection sampling found too few points")
    owner = np.concatenate(owners)
    xy = np.vstack(xys)
    o = np.argsort(owner, kind="stable")
    return owner[o], xy[o]
