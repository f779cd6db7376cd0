"""Self-contained, offline HTML monitoring maps (``ntmgis map``).

:func:`render_maps` writes the overview, one map per criterion and a list
page for a workspace; :func:`render_result_map` draws arbitrary result
layers (used by ``ntmgis query ... --map``). See ``docs/webmap.md``.
"""

from __future__ import annotations

from .monitoring import render_maps
from .result import ResultLayer, render_result_map

__all__ = ["render_maps", "render_result_map", "ResultLayer", "cli_command"]


def __getattr__(name: str) -> object:
    # the click command is imported lazily so that the library does not need click loaded
    if name == "cli_command":
        from .cli import cli_command

        return cli_command
    raise AttributeError(name)
