"""Compact, deterministic geometry encoding for the HTML maps.

Coordinates are stored in EPSG:4326 as integers of ``1 / SCALE`` degrees
(1e-5 degree is about 1 m), delta-encoded along each ring or line, so that
a vertex costs a few characters of JSON instead of about twenty. The browser
decodes them in ``app.js`` (``decodeLine``). The encoders return
:class:`~ntmgis.outputs.webmap.packed.Ragged` (numpy arrays that read as the
nested lists), which a compressed page stores as bytes (``packed.py``).

Everything is vectorised with shapely 2: one ``get_coordinates`` call for a
whole layer, then numpy to quantise, delta-encode and split.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ntmgis.outputs.webmap.packed import Ragged

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
                 drop_closing: bool) -> tuple[np.ndarray, np.ndarray]:
    """Quantise, drop repeated vertices, delta-encode per group.

    Returns the flat deltas (the first pair of each group absolute) and the
    number of integers in each group.
    """
    if n_groups == 0:
        return np.empty(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
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
    return flat, np.bincount(group, minlength=n_groups) * 2


def encode_polygons(geoms: np.ndarray) -> Ragged:
    """Encode (multi)polygons: feature -> polygons -> rings -> flat delta ints.

    ``geoms`` are shapely geometries in EPSG:4326. Rings are not closed
    (the first vertex is not repeated) and repeated vertices are removed.
    The result reads as those nested lists (:class:`~ntmgis.outputs.webmap.packed.Ragged`).
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    flat, per_ring = _delta_split(coords, coord_of, len(rings), drop_closing=True)
    return Ragged(flat, [np.bincount(part_of, minlength=len(geoms)),
                         np.bincount(ring_of, minlength=len(parts)), per_ring], "c")


def encode_lines(geoms: np.ndarray) -> Ragged:
    """Encode (multi)linestrings: feature -> parts -> flat delta ints (a :class:`Ragged`)."""
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    coords, coord_of = shapely.get_coordinates(parts, return_index=True)
    flat, per_part = _delta_split(coords, coord_of, len(parts), drop_closing=False)
    return Ragged(flat, [np.bincount(part_of, minlength=len(geoms)), per_part], "c")


def encode_points(geoms: np.ndarray) -> Ragged:
    """Encode points as one flat delta-encoded list ``[x0, y0, dx1, dy1, ...]``.

    Missing or empty points are not allowed here (filter them first).
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return Ragged(np.empty(0, dtype=np.int64), [], "c")
    xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    if np.isnan(xy).any():
        raise ValueError("encode_points got an empty or missing point")
    q = _quantise(xy)
    d = q.copy()
    d[1:] -= q[:-1]
    return Ragged(d.reshape(-1), [], "c")


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


def encode_polygon_arcs(geoms: np.ndarray) -> tuple[Ragged, Ragged]:
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
        units; ``features``: feature -> polygons -> rings -> arc references
        (both :class:`~ntmgis.outputs.webmap.packed.Ragged`, read as those lists).
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    q = _quantise(coords)
    n = len(q)
    if n == 0:
        return (Ragged(np.empty(0, dtype=np.int64), [np.zeros(0, dtype=np.int64)], "c"),
                Ragged(np.empty(0, dtype=np.int64), [np.zeros(len(geoms), dtype=np.int64),
                                                      np.zeros(0, dtype=np.int64),
                                                      np.zeros(0, dtype=np.int64)], "i"))
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
    # each undirected edge once, as one int64 (a 1-D unique: `axis=0` sorts rows slowly)
    lo, hi = np.minimum(vid, vid[nxt]), np.maximum(vid, vid[nxt])
    # (sorted and compared: numpy's hashed unique takes five times as long here)
    edges = np.sort((lo.astype(np.int64) << 32) | hi)
    edges = edges[np.r_[True, edges[1:] != edges[:-1]]]
    degree = np.bincount(np.r_[edges >> 32, edges & 0xFFFFFFFF], minlength=len(uniq))
    junction = degree != 2

    # An arc runs from a junction through vertices of two neighbours to the next
    # junction, so its first (directed) edge names it: an arc met again starts with
    # the same edge, or ends with it reversed (walked backwards). Each ring is walked
    # from its first junction (a ring with none from its lowest vertex) and cut at
    # every junction; the pieces are numbered in the order the rings meet them.
    rlen = ends - starts
    nr = len(starts)
    rid = np.repeat(np.arange(nr), rlen)  # the ring (among those kept) of each vertex
    pos = np.arange(len(q)) - np.repeat(starts, rlen)
    cut = junction[vid]
    has = np.bincount(rid, weights=cut, minlength=nr) > 0
    if not has.all():  # a ring that meets no other boundary: cut at its lowest vertex
        low = np.minimum.reduceat(vid, starts)
        lone = ~has[rid] & (vid == low[rid])
        first_low = np.zeros(len(q), dtype=bool)
        hit = np.flatnonzero(lone)
        first_low[hit[np.r_[True, rid[hit][1:] != rid[hit][:-1]]]] = True
        cut |= first_low
    cuts = np.flatnonzero(cut)
    c0 = np.zeros(nr, dtype=np.int64)
    firsts = np.r_[True, rid[cuts][1:] != rid[cuts][:-1]]
    c0[rid[cuts][firsts]] = pos[cuts][firsts]
    # the walk: each ring from its first cut, and back to it (its length + 1)
    wlen = rlen + 1
    wring = np.repeat(np.arange(nr), wlen)
    wstart = np.cumsum(wlen) - wlen
    wpos = np.arange(int(wlen.sum())) - np.repeat(wstart, wlen)
    walk = vid[np.repeat(starts, wlen) + (np.repeat(c0, wlen) + wpos) % np.repeat(rlen, wlen)]
    # the pieces: from each cut to the next one (the last to the walk's end)
    wcut = cut[np.repeat(starts, wlen) + (np.repeat(c0, wlen) + wpos) % np.repeat(rlen, wlen)]
    wcut[wstart + rlen] = False
    a = np.flatnonzero(wcut)
    b = np.r_[a[1:], 0]
    last = np.r_[wring[a][1:] != wring[a][:-1], True]
    b[last] = (wstart + rlen)[wring[a][last]]
    fwd = (walk[a] << 32) | walk[a + 1]
    bwd = (walk[b] << 32) | walk[b - 1]
    # a piece and the same arc walked backwards: the smaller of the two names both
    name = np.minimum(fwd, bwd)
    _, first, which = np.unique(name, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    arc_of = rank[which]
    new_arc = np.sort(first)  # the pieces that make an arc, in the order the arcs are made
    refs = np.where(fwd == fwd[first][which], arc_of, ~arc_of)
    n_pts = b[new_arc] - a[new_arc] + 1
    at = np.repeat(a[new_arc] - np.cumsum(n_pts) + n_pts, n_pts) + np.arange(int(n_pts.sum()))
    pts = vxy[walk[at]]
    d = pts.copy()
    d[1:] -= pts[:-1]
    d[np.cumsum(n_pts) - n_pts] = pts[np.cumsum(n_pts) - n_pts]
    arc_ragged = Ragged(d.reshape(-1), [2 * n_pts.astype(np.int64)], "c")
    # rings -> polygons -> features, leaving out the rings with no vertex left and
    # the polygons with no ring left
    kept_ring = np.zeros(len(rings), dtype=bool)
    kept_ring[coord_of[starts]] = True
    part_rings = np.bincount(ring_of[kept_ring], minlength=len(parts))
    kept_part = part_rings > 0
    n_polys = np.bincount(part_of[kept_part], minlength=len(geoms)).astype(np.int64)
    n_refs = np.bincount(wring[a], minlength=nr).astype(np.int64)
    return arc_ragged, Ragged(refs.astype(np.int64), [n_polys,
                                                       part_rings[kept_part].astype(np.int64),
                                                       n_refs], "i")


def _absolute_parts(r: Ragged) -> tuple[np.ndarray, np.ndarray]:
    """Absolute x/y pairs of a coordinate :class:`Ragged` and the pairs in each innermost list."""
    pairs = r.values.reshape(-1, 2)
    leaf = r.counts[-1] // 2 if r.counts else np.array([len(pairs)], dtype=np.int64)
    cs = np.cumsum(pairs, axis=0)
    ends = np.cumsum(leaf)
    before = np.zeros((len(leaf), 2), dtype=np.int64)
    inner = (ends - leaf) > 0
    before[inner] = cs[(ends - leaf)[inner] - 1]
    return cs - np.repeat(before, leaf, axis=0), leaf


def lines_on_arcs(lines: Ragged, arcs: Ragged) -> Ragged:
    """Lines that follow shared arcs (group outlines on the communes' arcs) as arc references.

    Each innermost list of ``lines`` (a line, first pair absolute) becomes
    ``[s, ref, ref, ...]``: the arcs (``~i`` backwards) that draw it, a
    closed line being rotated to start at an arc's end and ``s`` saying by
    how many vertices to turn it back; a line the arcs do not draw stays as
    it was after ``-1``. :func:`lines_from_arcs` gives back the lines.
    """
    if not lines.counts or not len(arcs):
        return Ragged(lines.values, lines.counts, "i")
    apts, alen = _absolute_parts(arcs)
    akey = (apts[:, 0] << 32) | (apts[:, 1] & 0xFFFFFFFF)
    aend = np.cumsum(alen)
    astart = aend - alen
    by_start: dict[int, list[int]] = {}
    for a, k in enumerate(akey[astart].tolist()):
        by_start.setdefault(k, []).append(a)
    for a, k in enumerate(akey[aend - 1].tolist()):
        by_start.setdefault(k, []).append(~a)
    lpts, llen = _absolute_parts(lines)
    lkey = (lpts[:, 0] << 32) | (lpts[:, 1] & 0xFFFFFFFF)
    out: list[np.ndarray] = []
    lend = np.cumsum(llen)
    for s0, e0 in zip((lend - llen).tolist(), lend.tolist(), strict=True):
        keys = lkey[s0:e0]
        refs = _walk_arcs(keys, akey, astart, aend, by_start)
        if refs is None:
            flat = lines.values[2 * s0:2 * e0]
            out.append(np.r_[-1, flat])
        else:
            out.append(np.asarray(refs, dtype=np.int64))
    counts = [*lines.counts[:-1], np.array([len(o) for o in out], dtype=np.int64)]
    values = np.concatenate(out) if out else np.empty(0, dtype=np.int64)
    return Ragged(values, counts, "i")


def _walk_arcs(keys: np.ndarray, akey: np.ndarray, astart: np.ndarray, aend: np.ndarray,
               by_start: dict[int, list[int]]) -> list[int] | None:
    """``[shift, refs...]`` drawing the vertex keys ``keys`` with arcs, or None."""
    n = len(keys)
    if n < 2:
        return None
    closed = keys[0] == keys[-1]
    shift = 0
    if closed:  # start at a vertex where an arc starts or ends
        ring = keys[:-1]
        hits = [i for i, k in enumerate(ring.tolist()) if k in by_start][:1]
        if not hits:
            return None
        shift = hits[0]
        keys = np.r_[ring[shift:], ring[:shift], ring[shift]]
    refs = [shift]
    p = 0
    while p < n - 1:
        for a in by_start.get(int(keys[p]), ()):
            seq = akey[astart[a]:aend[a]] if a >= 0 else akey[astart[~a]:aend[~a]][::-1]
            m = len(seq)
            if m >= 2 and p + m <= n and np.array_equal(keys[p:p + m], seq):
                refs.append(a)
                p += m - 1
                break
        else:
            return None
    return refs


def lines_from_arcs(refs: list, arcs: list) -> list:
    """The lines of :func:`lines_on_arcs` back, as nested lists (``arcs`` as lists too)."""
    if refs and isinstance(refs[0], int):
        if refs[0] < 0:
            return refs[1:]
        shift, parts = refs[0], refs[1:]
        pts: list[list[int]] = []
        for n, r in enumerate(parts):
            a = np.cumsum(np.asarray(arcs[r if r >= 0 else ~r], dtype=np.int64).reshape(-1, 2),
                          axis=0).tolist()
            a = a if r >= 0 else a[::-1]
            pts.extend(a if n == 0 else a[1:])
        if shift:
            ring = pts[:-1]
            ring = ring[-shift:] + ring[:-shift]
            pts = [*ring, ring[0]]
        xy = np.asarray(pts, dtype=np.int64)
        d = xy.copy()
        d[1:] -= xy[:-1]
        return d.reshape(-1).tolist()
    return [lines_from_arcs(r, arcs) for r in refs]
