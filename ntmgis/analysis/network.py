"""The road network as a graph: distances and times along roads.

Road lines are noded (split where they cross, :func:`shapely.union_all`),
and line ends closer than ``snap_m`` are merged into one node, so that a
road digitised to end a little short of another still joins it. Each
noded piece becomes an undirected edge with its length and its travel
time at the speed of its road class.

Places (villages, facilities) are snapped to the nearest point of the
nearest road piece; that point becomes a node splitting the piece, and the
straight leg from the place to the road is walked at ``walk_kmh``. A
multi-source Dijkstra (``scipy.sparse.csgraph``) from all facilities of a
type then gives every village its nearest facility along the roads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ntmgis.analysis.terrain import ROAD_SPEEDS_KMH, WALK_FLAT_KMH
from ntmgis.core.errors import DataError

__all__ = ["RoadGraph", "RoadAccess", "build_road_graph", "nearest_by_road"]


@dataclass(frozen=True)
class RoadGraph:
    """Noded road pieces and their end nodes.

    Attributes
    ----------
    pieces : ndarray of LineString
        The road split at every crossing, in the roads' (metric) CRS.
    u, v : ndarray of int
        End nodes of each piece.
    length_m, minutes : ndarray of float
        Length and travel time of each piece.
    road_class : ndarray of str
        Class of each piece (the fastest where roads overlap).
    node_xy : ndarray, shape (n, 2)
        Node coordinates.
    crs : object
        The CRS of the coordinates.
    """

    pieces: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    minutes: np.ndarray
    road_class: np.ndarray
    node_xy: np.ndarray
    crs: object = None

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)


def _endpoint_nodes(pieces: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Merge line ends closer than ``snap_m``; return (u, v, node_xy)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    start = shapely.get_coordinates(shapely.get_point(pieces, 0))
    end = shapely.get_coordinates(shapely.get_point(pieces, -1))
    pts = np.vstack([start, end])
    # Identical coordinates first, then clusters within snap_m (single linkage).
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if snap_m > 0 and len(uniq) > 1:
        pairs = cKDTree(uniq).query_pairs(snap_m, output_type="ndarray")
        m = len(uniq)
        adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        _, label = connected_components(adj, directed=False)
        # Node coordinates: the mean of each cluster (deterministic order by label).
        counts = np.bincount(label)
        xy = np.column_stack([np.bincount(label, uniq[:, 0]) / counts,
                              np.bincount(label, uniq[:, 1]) / counts])
        node = label[inverse]
    else:
        xy, node = uniq, inverse
    n = len(pieces)
    return node[:n], node[n:], xy


def build_road_graph(roads, *, speeds: Mapping[str, float] | None = None,
                     snap_m: float = 5.0, lang: str = "vi") -> RoadGraph:
    """Build the road graph from road lines.

    Parameters
    ----------
    roads : GeoDataFrame
        (Multi)LineStrings with a ``road_class`` column, in a metric CRS.
    speeds : mapping, optional
        km/h by road class (default :data:`ntmgis.analysis.terrain.ROAD_SPEEDS_KMH`);
        unknown classes get the slowest speed.
    snap_m : float
        Line ends closer than this are joined.
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    RoadGraph

    Raises
    ------
    DataError
        When there are no road lines.
    """
    speeds = dict(ROAD_SPEEDS_KMH if speeds is None else speeds)
    geoms = np.asarray(roads.geometry.to_numpy()) if roads is not None else np.empty(0, object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else []
    if roads is None or not np.any(keep):
        raise DataError("lớp đường giao thông không có đường nào" if lang != "en"
                        else "the roads layer has no road lines")
    roads = roads[keep]
    lines = shapely.get_parts(roads.geometry.to_numpy())
    # Node the network where lines cross or touch (union_all splits at intersections).
    noded = shapely.get_parts(shapely.union_all(lines))
    noded = noded[shapely.get_type_id(noded) == 1]  # LineStrings only
    noded = noded[shapely.length(noded) > 0]
    # Class of each piece: the road lines it lies on (fastest class if several).
    slowest = min(speeds.values())
    road_kmh = roads["road_class"].map(speeds).astype("float64").fillna(slowest).to_numpy()
    part_owner = np.repeat(np.arange(len(roads)), shapely.get_num_geometries(
        roads.geometry.to_numpy()))
    tree = shapely.STRtree(lines)
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    piece_i, line_i = tree.query(mid, predicate="dwithin", distance=0.01)
    lost = np.setdiff1d(np.arange(len(noded)), piece_i)
    if len(lost):  # noding moved a piece by more than 1 cm: take the nearest line
        near_piece, near_line = tree.query_nearest(mid[lost], all_matches=False)
        piece_i = np.concatenate([piece_i, lost[near_piece]])
        line_i = np.concatenate([line_i, near_line])
    cand = pd.DataFrame({"piece": piece_i, "kmh": road_kmh[part_owner[line_i]],
                         "cls": roads["road_class"].astype(str).to_numpy()[part_owner[line_i]]})
    best = cand.sort_values(["piece", "kmh", "cls"], ascending=[True, False, True],
                            kind="stable").drop_duplicates("piece")
    best = best.set_index("piece").reindex(np.arange(len(noded)))
    kmh = best["kmh"].to_numpy(dtype="float64")
    u, v, node_xy = _endpoint_nodes(noded, snap_m)
    length = shapely.length(noded)
    return RoadGraph(
        pieces=noded, u=u, v=v, length_m=length,
        minutes=length / 1000.0 / kmh * 60.0,
        road_class=best["cls"].to_numpy(dtype=object), node_xy=node_xy, crs=roads.crs,
    )


@dataclass(frozen=True)
class RoadAccess:
    """Nearest destination along roads for each origin.

    Attributes
    ----------
    km, minutes : ndarray
        Shortest distance along roads (with the off-road legs at both ends),
        and the fastest time (roads at their class speed, legs walked; a direct
        walk is taken when it is faster). ``inf`` where no road path exists.
    nearest_km, nearest_minutes : ndarray of int
        Index of the destination reached by each (-1: none).
    offroad_m : ndarray
        Length of each origin's leg to the road.
    """

    km: np.ndarray
    minutes: np.ndarray
    nearest_km: np.ndarray
    nearest_minutes: np.ndarray
    offroad_m: np.ndarray


def _snap(graph: RoadGraph, pts: np.ndarray):
    """Nearest road piece, position along it and leg length for points ``pts``."""
    tree = shapely.STRtree(graph.pieces)
    idx, dist = tree.query_nearest(pts, all_matches=True, return_distance=True)
    # Ties: keep the lowest piece index, for determinism.
    order = np.lexsort((idx[1], idx[0]))
    pt_i, piece_i, dist = idx[0][order], idx[1][order], dist[order]
    first = np.r_[True, pt_i[1:] != pt_i[:-1]]
    piece = np.empty(len(pts), dtype=np.int64)
    leg = np.empty(len(pts))
    piece[pt_i[first]] = piece_i[first]
    leg[pt_i[first]] = dist[first]
    pos = shapely.line_locate_point(graph.pieces[piece], pts)
    return piece, pos, leg


#: Weight of zero-length edges (sparse sums would drop explicit zeros).
_TINY = 1e-12


def _csgraph(graph: RoadGraph, piece: np.ndarray, pos: np.ndarray, weight: np.ndarray,
             legs: tuple[np.ndarray, np.ndarray, np.ndarray]):
    """Sparse graph of the roads with snap points inserted as nodes.

    Snap point ``k`` becomes node ``graph.n_nodes + k`` splitting its piece at
    ``pos[k]``; ``weight`` is the cost of each whole piece (split in proportion
    to length). ``legs`` are extra edges ``(a, b, cost)``.
    """
    from scipy import sparse

    n0 = graph.n_nodes
    k = len(piece)
    length = graph.length_m
    stops = pd.DataFrame({
        "piece": np.concatenate([np.arange(len(length)), np.arange(len(length)), piece]),
        "pos": np.concatenate([np.zeros(len(length)), length, np.clip(pos, 0, length[piece])]),
        "node": np.concatenate([graph.u, graph.v, n0 + np.arange(k)]),
    }).sort_values(["piece", "pos", "node"], kind="stable")
    p = stops["piece"].to_numpy()
    s = stops["pos"].to_numpy()
    nd = stops["node"].to_numpy()
    same = p[1:] == p[:-1]
    a, b = nd[:-1][same], nd[1:][same]
    frac = (s[1:] - s[:-1])[same] / np.where(length[p[1:][same]] > 0, length[p[1:][same]], 1)
    w = frac * weight[p[1:][same]]
    a = np.concatenate([a, legs[0]])
    b = np.concatenate([b, legs[1]])
    w = np.maximum(np.concatenate([w, legs[2]]), _TINY)
    n = int(max(a.max(initial=0), b.max(initial=0))) + 1
    # Parallel edges between the same nodes: keep the cheapest (csr would add them up).
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    e = pd.DataFrame({"lo": lo, "hi": hi, "w": w}).groupby(["lo", "hi"], sort=True)["w"].min()
    lo = e.index.get_level_values(0).to_numpy()
    hi = e.index.get_level_values(1).to_numpy()
    keep = lo != hi
    return sparse.csr_matrix((e.to_numpy()[keep], (lo[keep], hi[keep])), shape=(n, n))


def nearest_by_road(graph: RoadGraph, origins: np.ndarray, destinations: np.ndarray, *,
                    walk_kmh: float = WALK_FLAT_KMH) -> RoadAccess:
    """Nearest destination along the road network from each origin.

    Parameters
    ----------
    graph : RoadGraph
        From :func:`build_road_graph`.
    origins, destinations : ndarray of Point
        Shapely points in the graph's CRS (villages; facilities of one type).
    walk_kmh : float
        Speed of the off-road legs (default: Tobler's speed on the flat,
        5,04 km/h).

    Returns
    -------
    RoadAccess
    """
    from scipy.sparse.csgraph import dijkstra

    origins = np.asarray(origins, dtype=object)
    destinations = np.asarray(destinations, dtype=object)
    n_o, n_d = len(origins), len(destinations)
    pts = np.concatenate([origins, destinations])
    piece, pos, leg = _snap(graph, pts)
    out = {}
    for name, weight, leg_cost in (
        ("km", graph.length_m / 1000.0, leg / 1000.0),
        ("minutes", graph.minutes, leg / 1000.0 / walk_kmh * 60.0),
    ):
        # Each destination hangs on its snap node by its off-road leg (a leaf node,
        # so no path passes through it): the search starts at these leaves.
        first_free = graph.n_nodes + n_o + n_d
        leaf = first_free + np.arange(n_d)
        snap_node = graph.n_nodes + n_o + np.arange(n_d)
        full = _csgraph(graph, piece, pos, weight, (snap_node, leaf, leg_cost[n_o:]))
        dist, _, src = dijkstra(full, directed=False, indices=leaf, min_only=True,
                                return_predecessors=True)
        o_node = graph.n_nodes + np.arange(n_o)
        cost = dist[o_node] + leg_cost[:n_o]
        which = np.where(np.isfinite(cost), src[o_node] - first_free, -1)
        out[name] = (cost, which)
    km, near_km = out["km"]
    minutes, near_min = out["minutes"]
    if n_d and n_o:
        # A direct walk (straight line, off the roads) when it is faster.
        tree = shapely.STRtree(destinations)
        (oi, di), d = tree.query_nearest(origins, all_matches=False, return_distance=True)
        walk = np.full(n_o, np.inf)
        walk_to = np.full(n_o, -1)
        walk[oi] = d / 1000.0 / walk_kmh * 60.0
        walk_to[oi] = di
        better = walk < minutes
        minutes = np.where(better, walk, minutes)
        near_min = np.where(better, walk_to, near_min)
    return RoadAccess(km=km, minutes=minutes, nearest_km=near_km.astype(np.int64),
                      nearest_minutes=near_min.astype(np.int64), offroad_m=leg[:n_o])
