"""The programme's repeated words, defined once: funding sources, met / not met, urban units.

Readers of status tables and of filled forms, the layers, the maps and the
forms all use these, so a word an office writes is read the same everywhere.
"""

from __future__ import annotations

from typing import Any

from ntmgis.core.text import fold, is_missing

__all__ = ["FUNDING_SOURCES", "MET_WORDS", "NOT_MET_WORDS", "URBAN_PREFIXES", "parse_met",
           "is_urban_unit", "is_illustrative"]

#: The plan's funding sources (Biểu 05), in its order; capital columns are ``cap_<source>``.
FUNDING_SOURCES = ("central", "local", "integrated", "credit", "mobilised", "community")

#: What offices write for "met" and "not met", folded (no accents, lower case).
MET_WORDS = frozenset({"dat", "x", "1", "co", "yes", "y", "true", "met", "dat chuan", "v", "✓",
                       "✔", "1.0"})
NOT_MET_WORDS = frozenset({"chua dat", "khong dat", "0", "khong", "no", "n", "false", "not met",
                           "-", "0.0", "chua"})

#: Unit types outside the NTM programme (townships and wards), folded: a type that starts
#: with one of these ("Thị trấn", "Phường 1") is urban.
URBAN_PREFIXES = ("thi tran", "phuong")


def parse_met(value: Any) -> int | None:
    """Read a criteria cell: "Đạt", "x", 1, True -> 1; "Chưa đạt", 0 -> 0; empty -> None.

    Raises
    ------
    ValueError
        For anything else (the caller reports file, row and column).
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return int(value)
        raise ValueError(value)
    key = fold(str(value))
    if key in MET_WORDS:
        return 1
    if key in NOT_MET_WORDS:
        return 0
    raise ValueError(value)


def is_urban_unit(unit_type: Any) -> bool:
    """Whether a unit of this type (``"Thị trấn"``, ``"Phường"``) is outside the programme."""
    return not is_missing(unit_type) and fold(str(unit_type)).startswith(URBAN_PREFIXES)


def is_illustrative(ws: Any) -> bool:
    """Whether the workspace says its data are illustrative ("minh họa", "illustrative").

    Its village set's names or its plan's name say so (the samples'); every output that
    shows the data says so too (report, web maps, indicator maps).
    """
    if ws is None:
        return False
    names = (getattr(ws, "village_set_name", ""), getattr(ws, "village_set_name_en", ""),
             getattr(getattr(ws, "plan", None), "name", ""))
    return any("minh hoa" in fold(str(n or "")) or "illustrative" in str(n or "").lower()
               for n in names)
