"""Self-contained, offline HTML monitoring maps (``ntmgis map``).

:func:`render_maps` writes the overview, one map per criterion and a list
page for a workspace; :func:`render_result_map` draws arbitrary result
layers (used by ``ntmgis query ... --map``). See ``docs/webmap.md``.
"""

from __future__ import annotations

from ntmgis.outputs.webmap.monitoring import render_maps
from ntmgis.outputs.webmap.result import ResultLayer, render_result_map

__all__ = ["render_maps", "render_result_map", "ResultLayer"]
