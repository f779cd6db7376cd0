"""Travel time over mountain terrain: slope, Tobler's hiking function, cost-distance.

The elevation raster (``[terrain] elevation`` in ``ntmgis.toml``) becomes a
graph whose nodes are the raster cells and whose edges join each cell to its
16 neighbours (the 8 adjacent cells and the 8 "knight's move" cells). The
time of an edge is its length divided by a speed:

- on foot, Tobler's hiking function of the slope *of that move*,
  ``6 * exp(-3.5 * |dz/dx + 0.05|)`` km/h, so that going up and going down
  the same slope take different times (the function is anisotropic and the
  graph is directed; no isotropic approximation is made);
- on a road, the speed of the road class (both cells of the move on the
  rasterised road), or the walking speed if that is faster.

Minutes from every cell *to* the nearest facility are the shortest paths in
the reversed graph from all facilities at once (one multi-source Dijkstra,
``scipy.sparse.csgraph``), which also tells which facility is the nearest.
With 16 neighbours the length of a path on a flat grid is at most 2,7 %
longer than the straight line (8 neighbours: 8,2 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ntmgis.core.errors import CRSError, DataError, DataWarning, WorkspaceError
from ntmgis.core.i18n import catalog, t
from ntmgis.core.progress import Progress, as_progress
from ntmgis.core.safe_write import atomic_output

__all__ = [
    "ROAD_SPEEDS_KMH",
    "WALK_FLAT_KMH",
    "NODATA",
    "Elevation",
    "CostDistance",
    "tobler_kmh",
    "slope",
    "read_elevation",
    "rasterize_road_speeds",
    "cost_distance",
    "write_minutes",
]

#: Default speeds on roads, km/h, by road class: a motorbike on mountain roads
#: (the usual way to reach a health station in Mường Tè). Override them with
#: ``speeds=`` or ``[terrain] road_speeds_kmh`` in ``ntmgis.toml``.
ROAD_SPEEDS_KMH: dict[str, float] = {
    "provincial": 35.0,
    "district": 25.0,
    "commune": 15.0,
    "village_track": 8.0,
}

# The steps a progress bar names: key -> (Vietnamese, English).
_m = catalog({
    "step_graph": ("Dựng đồ thị di chuyển 16 hướng trên lưới độ cao",
                   "Building the 16-direction travel graph on the elevation grid"),
    "step_search": ("Tìm thời gian tới cơ sở gần nhất (Dijkstra)",
                    "Finding the time to the nearest facility (Dijkstra)"),
})

#: Nodata value of the minutes GeoTIFF (cells without elevation or unreachable).
NODATA = -9999.0

#: The 16 moves from a cell: (row step, column step).
_OFFSETS = (
    (0, 1), (1, 0), (0, -1), (-1, 0),
    (1, 1), (1, -1), (-1, 1), (-1, -1),
    (1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1),
)


def tobler_kmh(gradient: np.ndarray | float) -> np.ndarray | float:
    """Return the walking speed in km/h on a signed gradient ``dz/dx`` (Tobler's function).

    Parameters
    ----------
    gradient : array_like
        Rise over run in the direction of travel (positive uphill).

    Returns
    -------
    ndarray or float
        ``6 * exp(-3.5 * |gradient + 0.05|)``: 6 km/h on a gentle descent of
        5 %, 5,04 km/h on the flat, 2,5 km/h up a 20 % slope.
    """
    return 6.0 * np.exp(-3.5 * np.abs(np.asarray(gradient, dtype="float64") + 0.05))


#: Walking speed on the flat (Tobler, slope 0): 5,04 km/h.
WALK_FLAT_KMH = float(tobler_kmh(0.0))


@dataclass(frozen=True)
class Elevation:
    """An elevation raster in memory: heights in metres, NaN where there is no data."""

    z: np.ndarray
    transform: object  # affine.Affine
    crs: object  # rasterio.crs.CRS
    path: Path | None = None

    @property
    def cell_size(self) -> tuple[float, float]:
        """Cell width and height in CRS units (metres)."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns."""
        return self.z.shape


def read_elevation(path: str | Path, *, lang: str = "vi") -> Elevation:
    """Read a single-band elevation GeoTIFF in a projected (metric) CRS.

    Raises
    ------
    WorkspaceError
        When the file does not exist.
    DataError
        When it cannot be read (damaged or cut short).
    CRSError
        When the raster has no CRS or a geographic one (cells must be metres;
        reproject it first, e.g. ``gdalwarp -t_srs EPSG:9205``).
    """
    from rasterio.errors import RasterioError

    p = Path(path)
    if not p.is_file():
        msg = (f"Không tìm thấy tệp độ cao {p}" if lang != "en"
               else f"Elevation raster not found: {p}")
        raise WorkspaceError(msg, path=p)
    try:
        return _read_elevation(p, lang)
    except RasterioError as exc:
        # A file cut short (an interrupted copy or download) opens but fails on reading.
        raise DataError(t("file_unreadable", lang, path=p, reason=_UNREADABLE[lang == "en"]),
                        path=p, value=str(exc)) from exc


# Why an elevation raster cannot be read, in words a user can act on (vi, en).
_UNREADABLE = (
    "tệp độ cao bị hỏng hoặc không đầy đủ (có thể do sao chép dở dang); sao chép lại tệp gốc",
    "the elevation raster is damaged or incomplete (perhaps an interrupted copy); copy the "
    "original again",
)


def _read_elevation(p: Path, lang: str) -> Elevation:
    import rasterio

    with rasterio.open(p) as src:
        if src.crs is None or not src.crs.is_projected:
            msg = (
                f"{p}: tệp độ cao cần hệ tọa độ phẳng tính bằng mét (có {src.crs}); "
                "chuyển đổi trước, ví dụ gdalwarp -t_srs EPSG:9205"
                if lang != "en" else
                f"{p}: the elevation raster needs a projected CRS in metres (it has "
                f"{src.crs}); reproject it first, e.g. gdalwarp -t_srs EPSG:9205"
            )
            raise CRSError(msg, path=p, value=str(src.crs), expected="projected CRS")
        if abs(src.transform.b) > 0 or abs(src.transform.d) > 0:
            raise DataError(f"{p}: chưa hỗ trợ ảnh raster bị xoay; chuyển đổi trước bằng gdalwarp"
                            if lang != "en" else
                            f"{p}: rotated rasters are not supported; warp it first with gdalwarp",
                            path=p)
        z = src.read(1, masked=True).astype("float64").filled(np.nan)
        return Elevation(z=z, transform=src.transform, crs=src.crs, path=p)


def slope(elevation: Elevation) -> np.ndarray:
    """Steepest slope of each cell as rise over run (``tan`` of the slope angle).

    Central differences (``numpy.gradient``) with the raster's cell sizes;
    NaN where the elevation or a neighbour is missing.
    """
    dx, dy = elevation.cell_size
    gy, gx = np.gradient(elevation.z, dy, dx)
    return np.hypot(gx, gy)


def rasterize_road_speeds(roads, elevation: Elevation, *,
                          speeds: Mapping[str, float] | None = None) -> np.ndarray:
    """Burn roads into the elevation grid as a speed (km/h; 0 off the road).

    Every cell a road touches gets its class's speed (the fastest class wins
    where roads meet). Roads are reprojected to the raster's CRS.

    Parameters
    ----------
    roads : GeoDataFrame
        Lines with a ``road_class`` column (see the contract's enums).
    elevation : Elevation
        The grid to burn into.
    speeds : mapping, optional
        km/h by road class; default :data:`ROAD_SPEEDS_KMH`. Classes not in
        it are burned at the slowest given speed.
    """
    from rasterio.features import rasterize

    speeds = dict(ROAD_SPEEDS_KMH if speeds is None else speeds)
    out = np.zeros(elevation.shape, dtype="float64")
    if roads is None or len(roads) == 0:
        return out
    r = roads.to_crs(elevation.crs) if roads.crs is not None else roads
    slowest = min(speeds.values())
    kmh = r["road_class"].map(speeds).astype("float64").fillna(slowest).to_numpy()
    order = np.argsort(kmh, kind="stable")  # fastest burned last: it wins
    geoms = r.geometry.to_numpy()[order]
    keep = ~(np.equal(geoms, None))
    shapes = [(g, float(v)) for g, v in zip(geoms[keep], kmh[order][keep], strict=True)
              if not g.is_empty]
    if not shapes:
        return out
    return rasterize(shapes, out_shape=elevation.shape, transform=elevation.transform,
                     fill=0.0, all_touched=True, dtype="float64")


def _graph(z: np.ndarray, cell: tuple[float, float], road_kmh: np.ndarray | None, *,
           reverse: bool = False, progress: Progress | None = None):
    """Directed 16-neighbour graph of the grid; weights are minutes per move.

    With ``reverse`` the edge of the move a -> b goes from b to a (the graph in
    which a search from the facilities gives the times *to* them).

    The weights are first laid out as one slot per (cell, move) in a dense
    ``(cells, 16)`` array, in row order, so the CSR matrix is assembled
    directly (no COO copy, no sort): about 200 bytes per cell at the peak.
    ``progress`` is told each of the 16 moves laid out.
    """
    from scipy import sparse

    rows, cols = z.shape
    n = rows * cols
    k_moves = len(_OFFSETS)
    itype = np.int32 if n * 2 < 2**31 - 1 else np.int64
    valid = np.isfinite(z)
    slots = np.full((rows, cols, k_moves), np.nan)
    delta = np.empty(k_moves, dtype=np.int64)
    dx, dy = cell
    bar = as_progress(progress)
    for k, (dr, dc) in enumerate(_OFFSETS):
        delta[k] = dr * cols + dc
        r0, r1 = max(0, -dr), rows - max(0, dr)
        c0, c1 = max(0, -dc), cols - max(0, dc)
        if r1 <= r0 or c1 <= c0:
            bar.advance()
            continue
        a = (slice(r0, r1), slice(c0, c1))
        b = (slice(r0 + dr, r1 + dr), slice(c0 + dc, c1 + dc))
        ok = valid[a] & valid[b]
        on_road = None if road_kmh is None else np.minimum(road_kmh[a], road_kmh[b])
        if abs(dr) + abs(dc) == 3:
            # A knight's move crosses two more cells, e.g. (0,0)->(2,1) crosses (1,0) and
            # (1,1): both must have elevation, so that no move jumps over a hole, and
            # both must be on the road for the move to go at road speed (no jumping
            # from one road to a parallel one).
            mids = ((dr // 2, 0), (dr // 2, dc)) if abs(dr) == 2 else ((0, dc // 2), (dr, dc // 2))
            for mr, mc in mids:
                m = (slice(r0 + mr, r1 + mr), slice(c0 + mc, c1 + mc))
                ok &= valid[m]
                if on_road is not None:
                    on_road = np.minimum(on_road, road_kmh[m])
        dist_m = float(np.hypot(dr * dy, dc * dx))
        with np.errstate(invalid="ignore"):
            kmh = tobler_kmh((z[b] - z[a]) / dist_m)
        if on_road is not None:
            kmh = np.maximum(kmh, on_road)
        minutes = np.where(ok, dist_m / 1000.0 / kmh * 60.0, np.nan)
        # The edge is stored in the row of the cell it leaves: b in the reversed graph.
        slots[(*(b if reverse else a), k)] = minutes
        bar.advance()
    slots = slots.reshape(n, k_moves)
    present = ~np.isnan(slots)
    indptr = np.zeros(n + 1, dtype=itype)
    np.cumsum(present.sum(axis=1), out=indptr[1:])
    step = (-delta if reverse else delta).astype(itype)
    indices = (np.arange(n, dtype=itype)[:, None] + step[None, :])[present]
    data = slots[present]
    del slots, present
    return sparse.csr_matrix((data, indices, indptr), shape=(n, n))


@dataclass(frozen=True)
class CostDistance:
    """Result of :func:`cost_distance`.

    Attributes
    ----------
    minutes : ndarray
        Minutes from each cell to the nearest facility (NaN: no elevation or
        unreachable).
    nearest : ndarray
        Index (into the ``sources`` given) of that facility, -1 where none.
    elevation : Elevation
        The grid.
    """

    minutes: np.ndarray
    nearest: np.ndarray
    elevation: Elevation

    def cells(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and an inside-the-raster mask of points ``xy`` (raster CRS)."""
        inv = ~self.elevation.transform
        col, row = inv @ (xy[:, 0], xy[:, 1])
        row = np.floor(np.asarray(row)).astype(np.int64)
        col = np.floor(np.asarray(col)).astype(np.int64)
        rows, cols = self.elevation.shape
        inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        return row, col, inside

    def sample(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minutes and nearest-facility index at points ``xy`` (NaN / -1 outside)."""
        row, col, inside = self.cells(xy)
        minutes = np.full(len(xy), np.nan)
        nearest = np.full(len(xy), -1, dtype=np.int64)
        minutes[inside] = self.minutes[row[inside], col[inside]]
        nearest[inside] = self.nearest[row[inside], col[inside]]
        return minutes, nearest


def cost_distance(elevation: Elevation, sources_xy: np.ndarray, *,
                  road_kmh: np.ndarray | None = None, lang: str = "vi",
                  progress: Progress | None = None) -> CostDistance:
    """Minutes of travel from every cell to the nearest of ``sources_xy``.

    Parameters
    ----------
    elevation : Elevation
        Heights in metres on a projected grid.
    sources_xy : ndarray, shape (n, 2)
        Facility coordinates in the raster's CRS. Facilities outside the
        raster or on a cell without elevation are skipped.
    road_kmh : ndarray, optional
        Speed on each cell's road (see :func:`rasterize_road_speeds`).
    lang : {"vi", "en"}
        Language of the steps told to ``progress``.
    progress : Progress, optional
        Told the steps (the graph, move by move; the search)
        (:class:`ntmgis.core.progress.Progress`); the result is the same without it.

    Returns
    -------
    CostDistance

    Raises
    ------
    DataError
        When no facility lies on the raster.
    """
    from scipy.sparse.csgraph import dijkstra

    sources_xy = np.asarray(sources_xy, dtype="float64").reshape(-1, 2)
    holder = CostDistance(np.empty(0), np.empty(0), elevation)
    row, col, inside = holder.cells(sources_xy)
    rows, cols = elevation.shape
    ok = inside.copy()
    ok[inside] = np.isfinite(elevation.z[row[inside], col[inside]])
    if not ok.any():
        raise DataError(
            "không có cơ sở nào nằm trên bản đồ độ cao / no facility lies on the elevation raster",
            path=elevation.path,
        )
    if not ok.all():
        import warnings

        warnings.warn(
            f"{int((~ok).sum())} cơ sở nằm ngoài bản đồ độ cao (hoặc ô không có số liệu), "
            f"không được tính / {int((~ok).sum())} facilities lie off the elevation raster "
            "(or on cells without data) and are left out",
            DataWarning, stacklevel=2,
        )
    cell_ids = row[ok] * cols + col[ok]
    source_index = np.flatnonzero(ok)
    # Several facilities in one cell: the first (lowest index) represents it.
    cell_ids, first = np.unique(cell_ids, return_index=True)
    source_index = source_index[first]
    # Travel goes from a cell to a facility: search the reversed graph from the facilities.
    bar = as_progress(progress)
    bar.begin(len(_OFFSETS), "directions", what=_m("step_graph", lang))
    graph = _graph(elevation.z, elevation.cell_size, road_kmh, reverse=True, progress=bar)
    bar.step(_m("step_search", lang))  # one call into scipy: a step, not counted
    dist, _, src = dijkstra(graph, directed=True, indices=cell_ids,
                            min_only=True, return_predecessors=True)
    dist = dist.reshape(rows, cols)
    reach = np.isfinite(dist)
    minutes = np.where(reach, dist, np.nan)
    lookup = np.full(rows * cols, -1, dtype=np.int64)
    lookup[cell_ids] = source_index
    src = np.asarray(src).reshape(rows, cols)
    nearest = np.where(reach & (src >= 0), lookup[np.clip(src, 0, None)], -1)
    return CostDistance(minutes=minutes, nearest=nearest, elevation=elevation)


def write_minutes(result: CostDistance, path: str | Path, *, overwrite: bool = False,
                  lang: str = "vi") -> Path:
    """Write the minutes raster as a DEFLATE-compressed Float32 GeoTIFF.

    Written atomically (temporary file, then rename) and deterministically
    (no timestamps; the same inputs give the same bytes). Nodata is
    :data:`NODATA`.
    """
    import rasterio

    data = np.where(np.isfinite(result.minutes), result.minutes, NODATA).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": result.elevation.crs,
        "transform": result.elevation.transform,
        "nodata": NODATA,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    if data.shape[0] < 256 or data.shape[1] < 256:
        profile.update(tiled=False)
        profile.pop("blockxsize")
        profile.pop("blockysize")
    target = Path(path)
    with atomic_output(target, overwrite=overwrite, lang=lang) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(data, 1)
            dst.update_tags(1, units="minutes")
            dst.set_band_description(1, "minutes to the nearest facility")
    return target
