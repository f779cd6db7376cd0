"""The spatial queries (``ntmgis.queries``): the public, stable names.

The queries live in :mod:`ntmgis.analysis`; this module only gathers the
names users and notebooks call, so that ``from ntmgis.queries import gaps``
keeps working whatever the analysis package's inner layout.
"""

from __future__ import annotations

from ntmgis.analysis.queries import (
    ACCESS_MODES,
    FACILITY_TYPES,
    Place,
    QueryData,
    access,
    describe,
    find_place,
    gap_summary,
    gaps,
    heading,
    load_data,
    misplaced,
    projects,
    result_map,
    result_table,
    write_csv,
    write_geojson,
    write_gpkg_layer,
)

__all__ = [
    "ACCESS_MODES",
    "FACILITY_TYPES",
    "Place",
    "QueryData",
    "access",
    "describe",
    "find_place",
    "gap_summary",
    "gaps",
    "heading",
    "load_data",
    "misplaced",
    "projects",
    "result_map",
    "result_table",
    "write_csv",
    "write_geojson",
    "write_gpkg_layer",
]
