"""Colours and symbols of the HTML maps (colour-blind-safe palettes).

Commune classes use ColorBrewer's RdYlBu (4 classes, marked colour-blind
safe); status, change and result categories use the Okabe-Ito palette.
"""

from __future__ import annotations

__all__ = [
    "CLASS_COLORS",
    "MET_COLORS",
    "CHANGE_COLORS",
    "STATUS_COLORS",
    "VILLAGE_COLORS",
    "CATEGORY_SHAPES",
    "FACILITY_LETTERS",
    "ROAD_STYLES",
    "OKABE_ITO",
    "OUTSIDE_COLOR",
]

CLASS_COLORS = {"ntm": "#2c7bb6", "15-18": "#abd9e9", "10-14": "#fdae61", "lt10": "#d7191c"}
MET_COLORS = {"1": "#2c7bb6", "0": "#d7191c", "": "#787878", "partial": "#abd9e9"}
CHANGE_COLORS = {"gained": "#0072B2", "lost": "#D55E00", "both": "#F0E442", "none": "#c6c6c6"}
# status symbols and lines sit on the commune classes: none of them is a light blue or an
# orange (tests/test_webmap_cartography.py checks the distances, also for colour-blind eyes)
STATUS_COLORS = {"preparing": "#F0E442", "under_way": "#CC79A7", "finished": "#009E73"}
# villages sit on top of the choropleth: black / white / grey read on every class colour
VILLAGE_COLORS = {"1": "#1a1a1a", "0": "#ffffff", "": "#9e9e9e"}
OUTSIDE_COLOR = "#f7f7f7"  # communes not in the programme
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")

# project symbol by category (shapes drawn by app.js)
CATEGORY_SHAPES = {
    "road": "square",
    "irrigation": "tri_down",
    "electricity": "star",
    "school": "triangle",
    "culture": "pentagon",
    "market": "diamond",
    "telecom": "hexagon",
    "housing": "house",
    "production": "circle",
    "water": "drop",
    "health": "plus",
    "environment": "tri_right",
    "other": "cross",
}

FACILITY_LETTERS = {
    "vi": {"school": "T", "health_station": "Y", "cultural_house": "V", "market": "C"},
    "en": {"school": "S", "health_station": "H", "cultural_house": "C", "market": "M"},
}

# road class -> (colour, weight)
ROAD_STYLES = {
    "provincial": ("#7f2704", 3.0),
    "district": ("#e6550d", 2.2),
    "commune": ("#6b6b6b", 1.5),
    "village_track": ("#8c8c8c", 1.0),
}
