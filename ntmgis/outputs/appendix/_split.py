"""A large appendix in several PDFs: the area-wide pages, then one file per group of communes.

At 1.000 communes one PDF held 955 pages and weighed 2,6 GB: too big to mail or print
(issue 13). Above :data:`SPLIT_ABOVE` pages, when the communes fall into groups
(districts, or the workspace's own ``[area] group_by``), the appendix is written as

* the area-wide PDF, under the appendix's usual name: the index sheets
  (:mod:`ntmgis.outputs.appendix._page_index`) then the overview, criteria,
  investment and progress pages;
* one PDF per group with its communes' pages, named after the group
  (``phu-luc-ban-do-2025-huyen-muong-te.pdf``).

Together they hold the same pages as the unsplit appendix, with the same page
numbers, plus the index; the PNGs stay one per page in the same folder (the index
sheets as page ``00``). A smaller appendix, or one without groups, is one PDF as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ntmgis.core.text import slug
from ntmgis.outputs.appendix._page_common import short_name
from ntmgis.outputs.appendix._page_index import IndexFile, IndexPlan, index_sheets
from ntmgis.outputs.appendix._text import SPLIT_ABOVE, tr

__all__ = ["SPLIT_ABOVE", "Part", "plan_split", "part_files", "index_plan"]

#: An appendix of more pages than this is split by group (``--split-above``).


@dataclass(frozen=True)
class Part:
    """One PDF of a split appendix: its group (none for the area-wide file) and pages."""

    code: str  # the group's code; empty for the area-wide file
    name: str  # the group's name; empty for the area-wide file
    pages: tuple[tuple[int, int, str], ...]  # (index in the plan, page number, page slug)
    communes: tuple[str, ...]  # codes of the communes whose pages it holds, in page order


def plan_split(chosen: Sequence[tuple[int, int, str]], kinds: Sequence[str],
               commune_of: Mapping[int, str], groups: Sequence[tuple], split_above: int | None,
               lang: str) -> list[Part] | None:
    """The files of the appendix when it is split; ``None`` when it stays one PDF.

    Parameters
    ----------
    chosen : sequence of (plan index, page number, page slug)
        The pages to write, in page order.
    kinds : sequence of str
        The kind of each page of the plan (``"communes"``...), by plan index.
    commune_of : mapping
        Plan index of a commune page -> the commune's code.
    groups : sequence of Group
        The communes' groups (:func:`ntmgis.outputs.group_outlines.group_outlines`).
    split_above : int or None
        Split when there are more pages than this; ``None``: never.
    lang : {"vi", "en"}
        Language of the name of a part for communes that belong to no group.

    Returns
    -------
    list of Part or None
        The area-wide part first (it may hold no page but the index), then one part
        per group in the groups' order, then communes without a group, if any.
    """
    if split_above is None or len(chosen) <= split_above or len(groups) < 2:
        return None
    communes = [c for c in chosen if kinds[c[0]] == "communes"]
    if not communes:
        return None
    group_of = {code: g for g in groups for code in g[3]}
    area = Part("", "", tuple(c for c in chosen if kinds[c[0]] != "communes"), ())
    by_group: dict[str, list[tuple[int, int, str]]] = {}
    for c in communes:
        g = group_of.get(commune_of[c[0]])
        by_group.setdefault(g[0] if g is not None else "", []).append(c)
    parts = [area]
    for code, name, *_ in [*groups, ("", tr("ix_no_group", lang), None, ())]:
        pages = by_group.get(code)
        if pages:
            parts.append(Part(code, name, tuple(pages),
                              tuple(commune_of[p[0]] for p in pages)))
    return parts


def part_files(main: Path, parts: Sequence[Part]) -> list[Path]:
    """The PDF of each part: ``main`` for the area-wide one, ``<main>-<group slug>.pdf`` else.

    A group's slug comes from its name ("Huyện Mường Tè" -> ``huyen-muong-te``); two
    groups of the same name (or a name without letters) add their code.
    """
    stems = [slug(p.name) or slug(p.code) or "nhom" for p in parts[1:]]
    seen: dict[str, int] = {}
    for s in stems:
        seen[s] = seen.get(s, 0) + 1
    out = [main]
    for p, s in zip(parts[1:], stems, strict=True):
        if seen[s] > 1 and p.code:
            s = f"{s}-{slug(p.code)}"
        out.append(main.with_name(f"{main.stem}-{s}{main.suffix}"))
    return out


def index_plan(parts: Sequence[Part], files: Sequence[Path],
               names: Mapping[str, str]) -> IndexPlan:
    """What the index sheets list: every file, and every commune's group and page.

    ``names`` maps a commune's code to its name. The communes are in alphabetical
    order of their name without "Xã" (unaccented, then as written, then by code).
    """
    communes = []
    for p in parts[1:]:
        for (_, number, _), code in zip(p.pages, p.communes, strict=True):
            name = short_name(names.get(code, code))
            communes.append(((slug(name), name, code), (name, p.name, number)))
    communes.sort(key=lambda e: e[0])
    n_sheets = len(index_sheets(len(parts), len(communes)))
    rows = []
    for i, (p, f) in enumerate(zip(parts, files, strict=True)):
        rows.append(IndexFile(file=f.name, part=p.name,
                              pages=len(p.pages) + (n_sheets if i == 0 else 0),
                              numbers=tuple(n for _, n, _ in p.pages),
                              communes=len(p.communes)))
    return IndexPlan(files=tuple(rows), communes=tuple(e[1] for e in communes),
                     sheets=n_sheets)
