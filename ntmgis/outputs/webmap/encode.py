"""Compact, deterministic geometry encoding for the HTML maps.

Coordinates are stored in EPSG:4326 as integers of ``1 / SCALE`` degrees
(1e-5 degree is about 1 m), delta-encoded along each ring or line, so that
a vertex costs a few characters of JSON instead of about twenty. The browser
decodes them in ``app.js`` (``decodeRing``).

Everything is vectorised with shapely 2: one ``get_coordinates`` call for a
whole layer, then numpy to quantise, delta-encode and split.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

# moved to their own module (issue 13); still importable from here
from ntmgis.outputs.webmap.simplify import simplify_coverage, simplify_coverage_parts

__all__ = [
    "SCALE",
    "simplify_coverage",
    "simplify_coverage_parts",
    "to_wgs84",
    "encode_polygons",
    "encode_polygon_arcs",
    "encode_lines",
    "encode_points",
    "encode_geometries",
    "latlon_bounds",
]

SCALE = 100_000  # 1e-5 degree per unit, about 1.1 m of latitude


def to_wgs84(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoSeries:
    """The geometry of ``gdf`` in EPSG:4326 (refuses a layer without a CRS)."""
    geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if geo.crs is None:
        raise ValueError("a layer for the web map has no CRS; set one (e.g. EPSG:9205) first")
    return geo.to_crs(4326)


def _quantise(coords: np.ndarray) -> np.ndarray:
    return np.round(coords * SCALE).astype(np.int64)


def _delta_split(coords: np.ndarray, group: np.ndarray, n_groups: int,
                 drop_closing: bool) -> list[list[int]]:
    """Quantise, drop repeated vertices, delta-encode per group, split into lists."""
    if n_groups == 0:
        return []
    q = _quantise(coords)
    if len(q):
        start = np.ones(len(q), dtype=bool)
        start[1:] = group[1:] != group[:-1]
        if drop_closing:
            # the last vertex of a ring repeats the first: Leaflet closes rings itself
            last = np.ones(len(q), dtype=bool)
            last[:-1] = group[:-1] != group[1:]
            keep = ~last
        else:
            keep = np.ones(len(q), dtype=bool)
        same = np.zeros(len(q), dtype=bool)
        same[1:] = (q[1:] == q[:-1]).all(axis=1) & ~start[1:]
        keep &= ~same
        q, group = q[keep], group[keep]
        start = np.ones(len(q), dtype=bool)
        start[1:] = group[1:] != group[:-1]
        d = q.copy()
        d[1:] -= q[:-1]
        d[start] = q[start]
        flat = d.reshape(-1)
    else:
        flat = np.empty(0, dtype=np.int64)
    counts = np.bincount(group, minlength=n_groups) * 2
    out = np.split(flat, np.cumsum(counts)[:-1])
    return [a.tolist() for a in out]


def encode_polygons(geoms: np.ndarray) -> list[list[list[list[int]]]]:
    """Encode (multi)polygons: feature -> polygons -> rings -> flat delta ints.

    ``geoms`` are shapely geometries in EPSG:4326. Rings are not closed
    (the first vertex is not repeated) and repeated vertices are removed.
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    ring_lists = _delta_split(coords, coord_of, len(rings), drop_closing=True)
    polys: list[list[list[int]]] = [[] for _ in range(len(parts))]
    for r, p in zip(ring_lists, ring_of.tolist(), strict=True):
        polys[p].append(r)
    feats: list[list] = [[] for _ in range(len(geoms))]
    for poly, f in zip(polys, part_of.tolist(), strict=True):
        feats[f].append(poly)
    return feats


def encode_lines(geoms: np.ndarray) -> list[list[list[int]]]:
    """Encode (multi)linestrings: feature -> parts -> flat delta ints."""
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    coords, coord_of = shapely.get_coordinates(parts, return_index=True)
    part_lists = _delta_split(coords, coord_of, len(parts), drop_closing=False)
    feats: list[list] = [[] for _ in range(len(geoms))]
    for line, f in zip(part_lists, part_of.tolist(), strict=True):
        feats[f].append(line)
    return feats


def encode_points(geoms: np.ndarray) -> list[int]:
    """Encode points as one flat delta-encoded list ``[x0, y0, dx1, dy1, ...]``.

    Missing or empty points are not allowed here (filter them first).
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return []
    xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    if np.isnan(xy).any():
        raise ValueError("encode_points got an empty or missing point")
    q = _quantise(xy)
    d = q.copy()
    d[1:] -= q[:-1]
    return d.reshape(-1).tolist()


def encode_geometries(geoms: np.ndarray) -> list[list]:
    """Encode mixed geometries as ``[kind, coords]`` (``"P"`` point, ``"L"`` line, ``"A"`` area).

    A point is ``[x, y]`` (absolute), lines and areas as in
    :func:`encode_lines` and :func:`encode_polygons`. Multi-points become
    their parts' first point's representative (their centroid).
    """
    geoms = np.asarray(geoms, dtype=object)
    tid = shapely.get_type_id(geoms)
    out: list[list] = [["P", []] for _ in range(len(geoms))]
    pts = np.isin(tid, (0, 4))
    lines = np.isin(tid, (1, 2, 5))
    areas = np.isin(tid, (3, 6))
    if pts.any():
        p = geoms[pts]
        p = np.where(tid[pts] == 4, shapely.centroid(p), p)
        q = _quantise(np.column_stack([shapely.get_x(p), shapely.get_y(p)]))
        for i, xy in zip(np.flatnonzero(pts).tolist(), q.tolist(), strict=True):
            out[i] = ["P", xy]
    if lines.any():
        for i, enc in zip(np.flatnonzero(lines).tolist(), encode_lines(geoms[lines]), strict=True):
            out[i] = ["L", enc]
    if areas.any():
        enc_areas = encode_polygons(geoms[areas])
        for i, enc in zip(np.flatnonzero(areas).tolist(), enc_areas, strict=True):
            out[i] = ["A", enc]
    return out


def latlon_bounds(geoms: gpd.GeoSeries) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of EPSG:4326 geometries, rounded to 1e-5."""
    x0, y0, x1, y1 = (float(v) for v in geoms.total_bounds)
    return [[round(y0, 5), round(x0, 5)], [round(y1, 5), round(x1, 5)]]


def encode_polygon_arcs(geoms: np.ndarray) -> tuple[list[list[int]], list[list]]:
    """Shared-arc (TopoJSON-like) encoding of a polygon coverage in EPSG:4326.

    Every boundary stretch between two junctions (vertices with other than
    two neighbours) is stored once, as a delta-encoded arc; rings are lists
    of arc references, ``i`` or ``~i`` (``-i - 1``) for arc ``i`` walked
    backwards. Neighbouring communes thus share their common edge instead of
    storing it twice. Meant for a valid coverage (shared vertices identical
    after rounding); anything else still round-trips, only with less sharing.

    Returns
    -------
    (arcs, features)
        ``arcs``: flat delta lists ``[x0, y0, dx1, dy1, ...]`` in 1e-5 degree
        units; ``features``: feature -> polygons -> rings -> arc references.
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    q = _quantise(coords)
    n = len(q)
    if n == 0:
        return [], [[] for _ in range(len(geoms))]
    start = np.ones(n, dtype=bool)
    start[1:] = coord_of[1:] != coord_of[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = coord_of[:-1] != coord_of[1:]
    same = np.zeros(n, dtype=bool)
    same[1:] = (q[1:] == q[:-1]).all(axis=1) & ~start[1:]
    keep = ~last & ~same  # no closing vertex, no repeated vertex
    q, coord_of = q[keep], coord_of[keep]
    key = (q[:, 0] << 32) | (q[:, 1] & 0xFFFFFFFF)
    uniq, vid = np.unique(key, return_inverse=True)
    vxy = np.zeros((len(uniq), 2), dtype=np.int64)
    vxy[vid] = q
    starts = np.flatnonzero(np.r_[True, coord_of[1:] != coord_of[:-1]])
    ends = np.r_[starts[1:], len(q)]
    nxt = np.arange(len(q)) + 1
    nxt[ends - 1] = starts
    edges = np.unique(np.sort(np.column_stack([vid, vid[nxt]]), axis=1), axis=0)
    degree = np.bincount(edges.ravel(), minlength=len(uniq))
    junction = degree != 2

    arc_index: dict[tuple[int, ...], int] = {}
    arcs: list[list[int]] = []
    ring_refs: dict[int, list[int]] = {}
    for r, s, e in zip(coord_of[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        ids = vid[s:e]
        cuts = np.flatnonzero(junction[ids])
        if len(cuts) == 0:  # a ring that meets no other boundary: cut at its lowest vertex
            cuts = np.array([int(np.argmin(ids))])
        rot = np.r_[ids[cuts[0]:], ids[:cuts[0]], ids[cuts[0]]]
        rel = np.r_[cuts - cuts[0], len(ids)]
        refs = []
        for a, b in zip(rel[:-1].tolist(), rel[1:].tolist(), strict=True):
            seq = tuple(rot[a:b + 1].tolist())
            if seq in arc_index:
                refs.append(arc_index[seq])
                continue
            rev = seq[::-1]
            if rev in arc_index:
                refs.append(~arc_index[rev])
                continue
            arc_index[seq] = len(arcs)
            pts = vxy[list(seq)]
            d = pts.copy()
            d[1:] -= pts[:-1]
            arcs.append(d.reshape(-1).tolist())
            refs.append(arc_index[seq])
        ring_refs[r] = refs
    polys: list[list] = [[] for _ in range(len(parts))]
    for r, p in enumerate(ring_of.tolist()):
        if r in ring_refs:
            polys[p].append(ring_refs[r])
    feats: list[list] = [[] for _ in range(len(geoms))]
    for poly, f in zip(polys, part_of.tolist(), strict=True):
        if poly:
            feats[f].append(poly)
    return arcs, feats
