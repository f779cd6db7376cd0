"""Colours and symbols of the appendix.

The class, criterion and status palettes are the web map's, so that both show
the same classes in the same colours.
"""

from __future__ import annotations

from ntmgis.core import palette as _palette

__all__ = ["CLASS_COLORS", "MET_COLORS", "STATUS_COLORS", "OUT_OF_PROGRAMME", "STATUS_STYLE",
           "FACILITY_STYLE", "ROAD_STYLE", "PROJECT_LINE", "VILLAGE_STYLE", "tint", "fill"]

# Commune class and criterion result: the web map's colour-blind-safe palettes
# (ColorBrewer RdYlBu; ntmgis.core.palette), so that the printed appendix and the
# HTML maps show the same classes in the same colours. A test keeps them equal.
CLASS_COLORS = dict(_palette.CLASS_COLORS)
MET_COLORS = {k: _palette.MET_COLORS[k] for k in ("1", "0", "")}
# Project status: Okabe-Ito, as on the web map.
STATUS_COLORS = dict(_palette.STATUS_COLORS)
# Units outside the programme (the township): light grey with hatching.
OUT_OF_PROGRAMME = {"fc": "#eeeeee", "ec": "#9a9a9a", "hatch": "/////"}
BOUNDARY_COMMUNE = {"ec": "#4d4d4d", "lw": 0.45}
BOUNDARY_DISTRICT = {"ec": "#7a1f5c", "lw": 1.6}
# lines between districts (groups) inside a province: darker than communes, finer than the area
BOUNDARY_GROUP = {"ec": "#262626", "lw": 1.0}
PAPER_FILL = "#f6f3ea"

# Projects: a diamond whose fill tells the status.
STATUS_STYLE = {
    k: {"marker": "D", "mfc": c, "mec": "#1a1a1a", "ms": 5.2, "mew": 0.6}
    for k, c in STATUS_COLORS.items()
}
PROJECT_LINE = {"color": "#08519c", "lw": 1.8}
FACILITY_STYLE = {
    "school": {"marker": "s", "mfc": "#6a3d9a", "mec": "white", "ms": 5.6, "mew": 0.5},
    "health_station": {"marker": "P", "mfc": "#c51b7d", "mec": "white", "ms": 6.6, "mew": 0.5},
    "cultural_house": {"marker": "^", "mfc": "#8c510a", "mec": "white", "ms": 6.4, "mew": 0.5},
    "market": {"marker": "h", "mfc": "#b35806", "mec": "white", "ms": 6.4, "mew": 0.5},
}
FACILITY_OTHER = {"marker": "o", "mfc": "#636363", "mec": "white", "ms": 4.5, "mew": 0.5}
ROAD_STYLE = {
    "provincial": {"color": "#b2182b", "lw": 1.5, "ls": "-"},
    "district": {"color": "#e08214", "lw": 1.1, "ls": "-"},
    "commune": {"color": "#6b6b6b", "lw": 0.7, "ls": "-"},
    "village_track": {"color": "#8c8c8c", "lw": 0.5, "ls": (0, (3, 2))},
}
# On district maps, main roads are thin cased lines, unlike the boundaries.
MAIN_ROAD_STYLE = {
    "provincial": {"color": "#b2182b", "lw": 1.0, "casing": "white", "casing_lw": 1.9},
    "district": {"color": "#8c510a", "lw": 0.7, "casing": "white", "casing_lw": 1.5},
}
# Villages: black (NTM) / white (not yet), as on the web map.
VILLAGE_STYLE = {
    True: {"marker": "o", "mfc": "#1a1a1a", "mec": "white", "ms": 5.6, "mew": 0.6},
    False: {"marker": "o", "mfc": "white", "mec": "#1a1a1a", "ms": 5.2, "mew": 0.9},
    None: {"marker": "o", "mfc": _palette.VILLAGE_COLORS[""], "mec": "#4d4d4d", "ms": 5.2,
           "mew": 0.6},  # no data
}
# A commune that missed (or is behind) its target: dark orange, bold, with a warning sign.
MISSED_COLOR = "#a63603"
# Result against the plan in summary tables: blue (reached) / orange (short), apart under
# every colour-vision deficiency (no red-green pair), each named in a key under the table.
PLAN_MET = "#b5d1e5"
PLAN_SHORT = "#f5c099"
INVEST_CIRCLE = {"fc": "#de7b2c", "ec": "#7f2704"}
# The commune a page is about: a dark line on a translucent amber ribbon.
FOCUS_LINE = {"color": "#3a3a3a", "lw": 1.1, "casing": "#f5a300", "casing_lw": 4.5,
              "casing_alpha": 0.55}


# The web map fills communes at 62 % opacity over a light base: print the same tones.
FILL_OPACITY = 0.62


def fill(color: str) -> str:
    """The printed area fill of a palette colour (as the web map shows it)."""
    return tint(color, 1.0 - FILL_OPACITY)


def tint(color: str, amount: float = 0.6) -> str:
    """``color`` mixed with white (``amount`` of white), for table cells under text."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    mix = [c + (1.0 - c) * amount for c in (r, g, b)]
    return "#" + "".join(f"{round(c * 255):02x}" for c in mix)
