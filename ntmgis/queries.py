"""The spatial queries (``ntmgis.queries``): the public, stable names.

The queries live in :mod:`ntmgis.analysis`, one module a concept; this
module only gathers the names users and notebooks call, so that
``from ntmgis.queries import gaps`` keeps working whatever the analysis
package's inner layout. ``projects`` is the former name of
:func:`find_projects`, kept for existing notebooks and scripts.
"""

from __future__ import annotations

from ntmgis.analysis.access import ACCESS_MODES, FACILITY_TYPES, access
from ntmgis.analysis.formatting import describe, heading, result_table
from ntmgis.analysis.gaps import gap_summary, gaps
from ntmgis.analysis.indicators import closest_to_recognition, income_target, indicator_gaps
from ntmgis.analysis.misplaced import misplaced
from ntmgis.analysis.project_search import Place, find_place, find_projects
from ntmgis.analysis.query_data import QueryData, load_data
from ntmgis.analysis.result_map import result_map
from ntmgis.analysis.results import write_csv, write_geojson, write_gpkg_layer, write_outputs

#: The former name of :func:`find_projects`.
projects = find_projects

__all__ = [
    "ACCESS_MODES",
    "FACILITY_TYPES",
    "Place",
    "QueryData",
    "access",
    "closest_to_recognition",
    "describe",
    "find_place",
    "find_projects",
    "gap_summary",
    "gaps",
    "heading",
    "income_target",
    "indicator_gaps",
    "load_data",
    "misplaced",
    "projects",
    "result_map",
    "result_table",
    "write_csv",
    "write_geojson",
    "write_gpkg_layer",
    "write_outputs",
]
