"""ntmgis: monitoring Vietnam's New Rural Development programme (nông thôn mới) on maps.

The small public API::

    import ntmgis
    ws = ntmgis.load_workspace(".")
    issues = ntmgis.validate(ws)           # an IssueLog: .errors, .warnings
    gpkg = ntmgis.build(ws, overwrite=True)
    layers = ntmgis.read_layers(ws)        # MonitoringLayers, one frame per layer
    rep = ntmgis.plan_report(ws)
"""

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, Criterion, get_criterion  # noqa: E402
from ntmgis.core.errors import (  # noqa: E402
    CRSError,
    DataError,
    NtmgisError,
    NtmgisWarning,
    OutputExistsError,
    ValidationFailed,
    WorkspaceError,
)
from ntmgis.core.version import __version__  # noqa: E402
from ntmgis.core.workspace import Workspace, load_workspace  # noqa: E402
from ntmgis.monitoring.build import build  # noqa: E402
from ntmgis.monitoring.checks import validate  # noqa: E402
from ntmgis.monitoring.gpkg import MonitoringLayers, read_layers  # noqa: E402
from ntmgis.outputs.report import plan_report  # noqa: E402
from ntmgis.outputs.scaffold import init_workspace  # noqa: E402

__all__ = [
    "__version__",
    "COMMUNE_CRITERIA",
    "CriteriaSet",
    "Criterion",
    "get_criterion",
    "Workspace",
    "load_workspace",
    "init_workspace",
    "validate",
    "build",
    "read_layers",
    "MonitoringLayers",
    "plan_report",
    "NtmgisError",
    "WorkspaceError",
    "DataError",
    "CRSError",
    "OutputExistsError",
    "ValidationFailed",
    "NtmgisWarning",
    "folium_map",
    "queries",
]


def __getattr__(name: str) -> object:
    # folium (and jinja2) load only when a notebook asks for a folium map, and the
    # queries (scipy's graphs, rasterio) only when asked for.
    if name == "folium_map":
        from ntmgis.outputs.folium_map import folium_map

        return folium_map
    if name == "queries":
        import ntmgis.queries

        return ntmgis.queries
    raise AttributeError(f"module 'ntmgis' has no attribute {name!r}")
