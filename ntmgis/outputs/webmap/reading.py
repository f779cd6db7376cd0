"""What the maps read from ``monitoring.gpkg``, and the communes' coverage made meanwhile.

Simplifying (and cleaning) the coverage runs in GEOS, which lets go of Python's
lock: the roads and the other layers are read in a second thread while the main
thread simplifies (the national map's two longest steps, at once on two cores).
GDAL's reader holds the lock for a whole layer, so the reader starts only once
the coverage is thinned (numpy, which needs the lock between its steps: the two
took turns, one after the other, when they ran at once) and, when the coverage is
cleaned whole (its first communes already fail), once that cleaning is done and
its gigabyte given back (:func:`~.simplify.simplify_coverage_parts`' ``ready``).
Each thread computes what it computed before, so the maps are the same bytes. The
reading thread sets no warning filters (they are global to the process; the
coverage's own stay in the main thread).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.i18n import t
from ntmgis.monitoring.gpkg import read_layers
from ntmgis.outputs.webmap.blocks import _enum, simplify_lines
from ntmgis.outputs.webmap.encode import encode_lines, to_wgs84
from ntmgis.outputs.webmap.simplify import (
    MapCoverage,
    map_coverage,
    probe_fails,
    release_memory,
)

__all__ = ["MAP_LAYERS", "ROAD_SIMPLIFY_M", "load_monitoring_layers", "read_for_maps",
           "roads_block"]

# roads and project lines: Douglas-Peucker tolerance (m) of their lines on the web
ROAD_SIMPLIFY_M = 15.0
#: The layers of ``monitoring.gpkg`` the maps draw (the summaries and funding tables,
#: the 2025 communes and the indicators are not read).
MAP_LAYERS = ("communes", "commune_status", "villages", "village_status", "projects",
              "project_lines", "facilities", "roads", "commune_criteria",
              "village_criteria_set", "plan_targets", "metadata")
#: Read without geometry: the status layers repeat their commune's polygon (village's
#: point) once per year; the maps take it from ``communes`` (``villages``).
ATTRIBUTE_LAYERS = ("commune_status", "village_status")
#: Columns the maps do not use, in the layers where they cost most to read (400.000
#: village status rows, 140.000 projects for the whole country): the names repeat the
#: villages layer's, the projects' located commune and kind are the build's checks.
#: GDAL's reader holds Python's lock for a whole layer, stopping the thread that makes
#: the coverage meanwhile: every column left out is time taken off both threads.
SKIP_COLUMNS = {"village_status": ("name", "commune_code", "criteria_met", "criteria_total",
                                   "ntm"),
                "commune_status": ("name", "criteria_met", "criteria_total", "ntm"),
                "villages": ("commune_name", "in_declared_commune", "located_commune_code"),
                "projects": ("commune_name", "criteria_names", "cap_total", "geom_kind",
                             "in_declared_commune", "located_commune_code",
                             "dist_to_village_m"),
                "project_lines": ("name", "category", "status", "commune_code", "cap_total"),
                "facilities": ("commune_code", "village_code"),
                "roads": ("road_id", "name")}


def load_monitoring_layers(workspace: Any, *, lang: str = "vi",
                           history: bool | None = None,
                           only: tuple[str, ...] | None = None) -> Any:
    """Read the layers the maps draw (``MAP_LAYERS``) with ``ntmgis.monitoring.gpkg.read_layers``.

    The status layers come without geometry (``ATTRIBUTE_LAYERS``); the layers the
    maps do not draw are None. ``history``: read ``commune_criteria`` (each
    criterion's dated reports, for a period's maps and the roadmap's milestones;
    900.000 rows for the whole country); by default only when the workspace has a
    roadmap. ``only``: these of the layers alone.

    Raises
    ------
    WorkspaceError
        If ``monitoring.gpkg`` has not been built.
    """
    gpkg = Path(workspace.output_gpkg)
    if not gpkg.exists():
        raise WorkspaceError(t("not_built", lang, path=gpkg), path=gpkg)

    if history is None:
        table = getattr(workspace, "table", None)
        history = table is not None and table("roadmap") is not None
    names = MAP_LAYERS if only is None else only
    only = names if history else tuple(n for n in names if n != "commune_criteria")
    return read_layers(workspace, lang=lang, only=only, attributes_only=ATTRIBUTE_LAYERS,
                       skip_columns=SKIP_COLUMNS)


def roads_block(roads: gpd.GeoDataFrame | None, metric: Any) -> dict:
    """The roads simplified for the web (in ``metric``, at ``ROAD_SIMPLIFY_M``) and encoded."""
    if roads is None or not len(roads):
        return {"cls": [], "geom": []}
    r = roads[roads.geometry.notna() & ~roads.geometry.is_empty].to_crs(metric)
    simple = simplify_lines(r.geometry, ROAD_SIMPLIFY_M)
    return {"cls": _enum(r.get("road_class", pd.Series("", r.index))),
            "geom": encode_lines(to_wgs84(simple).values)}


def read_for_maps(ws: Any, first: Any, tolerance: float, *, lang: str = "vi",
                  history: bool | None = None,
                  then: Callable[[MapCoverage], Any] | None = None
                  ) -> tuple[Any, MapCoverage, dict, Any]:
    """The layers, the communes' coverage and the roads' block of ``render_maps``.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    first : MonitoringLayers
        ``communes`` and ``metadata``, already read (they name the criteria set).
    tolerance : float
        The coverage's simplification tolerance (m).
    lang : {"vi", "en"}
        Language of errors.
    history : bool, optional
        As :func:`load_monitoring_layers`.
    then : callable, optional
        Called with the coverage in this thread while the layers are still being read
        (work that lets go of Python's lock, as GEOS and PROJ do).

    Returns
    -------
    tuple
        Every layer the maps draw but the roads (the communes and metadata those
        of ``first``), the coverage (:func:`~.simplify.map_coverage`), the roads'
        block and what ``then`` returned (None without it).
    """
    communes = first.communes
    if communes is None or not len(communes) or communes.crs is None:
        map_coverage(ws, communes, tolerance, lang=lang)  # raises the workspace's error
    # the metric CRS map_coverage chooses, for the roads read meanwhile
    metric = communes.crs if not communes.crs.is_geographic else communes.estimate_utm_crs()

    def read_rest() -> tuple[Any, dict]:
        roads = load_monitoring_layers(ws, lang=lang, only=("roads",)).roads
        block = roads_block(roads, metric)
        del roads  # the country's 16 million road vertices, gone before the next layers
        # given back too: freed in this thread's own heap, they stayed held (300-700 MB)
        # while the other layers were read and the coverage's shapes made beside them
        release_memory()
        rest = load_monitoring_layers(ws, lang=lang, history=history,
                                      only=tuple(n for n in MAP_LAYERS if n not in (
                                          "communes", "metadata", "roads")))
        return rest, block

    # A coverage cleaned whole holds a gigabyte in GEOS for a country (two parts at
    # once, see clean_coverage): given back before the layers are read, or the peak is
    # both (2,1 GB against 1,2 for the irregular 10.000 communes).
    whole = probe_fails(np.asarray(communes.sort_values("code").geometry.values, dtype=object))
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading: list[Future] = []

        def ready() -> None:  # the coverage is thinned (and cleaned, when whole)
            if whole:
                release_memory()
            reading.append(pool.submit(read_rest))

        try:
            coverage = map_coverage(ws, communes, tolerance, lang=lang, ready=ready)
            made = then(coverage) if then is not None else None
        finally:
            # the reader ends (or fails) before anything is raised or returned
            results = [f.result() for f in reading]
    rest, rblock = results[0]
    release_memory()
    return replace(rest, communes=communes, metadata=first.metadata), coverage, rblock, made
