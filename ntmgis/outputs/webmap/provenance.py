"""What every map says about its data: source, attribution, illustrative notice.

The source line, the boundaries' attribution and, when the workspace says so, that
its figures are illustrative:

- **Source line**: ``[appendix] source`` of ``ntmgis.toml`` (the line the appendix
  prints at the foot of its pages), else "data of the workspace <area>".
- **Attribution** of the commune boundaries: the licence of the boundary file as
  recorded in a ``SOURCES.md`` next to it (a Markdown table with the columns
  ``file``, ``source`` and ``licence``, as the sample's ``layers/SOURCES.md``), e.g.
  "censusVN2009 R package (MIT, © 2017 Marc Choisy)".
- **Illustrative notice**: the same rule as the report's note and the indicator map
  (the village set's or the plan's name says "minh họa" / "illustrative").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ntmgis.core.i18n import catalog
from ntmgis.core.vocabulary import is_illustrative

__all__ = ["map_notes"]

_M = catalog({
    "source": ("Nguồn: {src}", "Source: {src}"),
    "source_default": ("số liệu của bộ dữ liệu {area}", "data of the {area} data set"),
    "boundaries": ("Ranh giới xã: {src}", "Commune boundaries: {src}"),
    "illustrative": ("Số liệu minh họa, không phải số liệu thật",
                     "Illustrative data, not real figures"),
})


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def boundary_attribution(ws: Any) -> str:
    """"<source> (<licence>)" of the communes file from a ``SOURCES.md`` beside it, or ""."""
    layer = (getattr(ws, "layers", None) or {}).get("communes")
    path = getattr(layer, "path", None)
    if path is None:
        return ""
    path = Path(str(path))
    sources = path.parent / "SOURCES.md"
    if not sources.is_file():
        return ""
    try:
        lines = sources.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    head: list[str] | None = None
    for line in lines:
        if not line.lstrip().startswith("|"):
            head = None
            continue
        cells = _cells(line)
        if head is None:
            head = [c.lower() for c in cells]
            continue
        if "file" not in head or "licence" not in head and "license" not in head:
            continue
        name = cells[head.index("file")].strip("`") if len(cells) == len(head) else ""
        if name != path.name:
            continue
        lic = cells[head.index("licence" if "licence" in head else "license")]
        src = cells[head.index("source")] if "source" in head else ""
        src = re.split(r"\s*[(,;]", src, maxsplit=1)[0].strip()
        return f"{src} ({lic})" if src and lic else (src or lic)
    return ""


def map_notes(ws: Any, lang: str) -> dict[str, str]:
    """The map's notes: ``source``, ``attribution`` and ``illustrative`` ("" when none)."""
    if ws is None:
        return {"source": "", "attribution": "", "illustrative": ""}
    raw = getattr(ws, "raw", None)
    conf = raw.get("appendix", {}) if isinstance(raw, dict) else {}
    src = str(conf.get("source") or "") or _M("source_default", lang,
                                                  area=str(getattr(ws, "name", "") or ""))
    att = boundary_attribution(ws)
    return {
        "source": _M("source", lang, src=src),
        "attribution": _M("boundaries", lang, src=att) if att else "",
        "illustrative": _M("illustrative", lang) if is_illustrative(ws) else "",
    }
