#!/usr/bin/env python3
"""The naive baseline: ``geopandas.explore()`` of the communes, villages and projects.

What an analyst would write first: the latest year's commune status coloured
by class, the villages, and the projects coloured by status, each one
``explore()`` call onto the same folium map, saved as one HTML file. folium
turns each categorical ``style_function`` into a JavaScript ``switch`` with
one ``case`` per feature, and embeds every coordinate at full precision.

Usage: ``python benchmarks/naive.py WORKSPACE OUT.html`` (after ``ntmgis build``).
Needs ``mapclassify`` (geopandas' explore() imports it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import pyogrio

__all__ = ["explore_map"]


def explore_map(workspace: str | Path, out: str | Path) -> dict:
    """Write the explore() map of a built workspace; return sizes and feature counts."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ntmgis.core.workspace import load_workspace

    ws = load_workspace(workspace)
    gpkg = ws.output_gpkg
    t0 = time.perf_counter()
    cs = pyogrio.read_dataframe(gpkg, layer="commune_status")
    cs = cs[cs["year"] == cs["year"].max()]
    villages = pyogrio.read_dataframe(gpkg, layer="villages")
    projects = pyogrio.read_dataframe(gpkg, layer="projects")
    m = gpd.GeoDataFrame(cs).explore(column="band", tooltip=["code", "name", "criteria_met"])
    villages.explore(m=m, color="black", tooltip=["code", "name"])
    projects.explore(m=m, column="status", tooltip=["project_id", "name", "cap_total"])
    m.save(str(out))
    return {"seconds": round(time.perf_counter() - t0, 2), "bytes": Path(out).stat().st_size,
            "communes": len(cs), "villages": len(villages), "projects": len(projects)}


if __name__ == "__main__":
    import json

    print(json.dumps(explore_map(sys.argv[1], sys.argv[2])))
