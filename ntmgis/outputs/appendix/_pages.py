"""The pages of the map appendix, in order.

Overview, one per criterion of the set (19, 10), one per commune, investment, progress. Each builder
returns a :class:`~ntmgis.outputs.appendix._carto.Page`; the builders are in
``_page_<kind>`` modules and share :mod:`ntmgis.outputs.appendix._page_common`.
A split appendix (:mod:`ntmgis.outputs.appendix._split`) adds its index sheets at the
end of the plan (kind ``"index"``); they are written first, in the area-wide PDF.
"""

from __future__ import annotations

from collections.abc import Callable

from ntmgis.core.text import slug
from ntmgis.outputs.appendix._carto import Page
from ntmgis.outputs.appendix._page_common import Context, short_name
from ntmgis.outputs.appendix._page_commune import page_commune
from ntmgis.outputs.appendix._page_criterion import page_criterion
from ntmgis.outputs.appendix._page_index import page_index
from ntmgis.outputs.appendix._page_investment import page_investment
from ntmgis.outputs.appendix._page_overview import page_overview
from ntmgis.outputs.appendix._page_progress import _period, _progress_years, page_progress
from ntmgis.outputs.appendix._text import PAGE_KINDS, tr

__all__ = ["Context", "plan_pages", "page_names", "commune_pages", "PAGE_KINDS",
           "page_overview", "page_criterion", "page_commune", "page_investment",
           "page_progress"]


def plan_pages(ctx: Context) -> list[tuple[str, str, Callable[[int], Page]]]:
    """(kind, slug, builder(page_number)) of every page, in order."""
    lang = ctx.lang
    en = lang == "en"
    pages: list[tuple[str, str, Callable[[int], Page]]] = [
        ("overview", "overview" if en else "tong-quan", lambda n: page_overview(ctx, n))]
    for c in ctx.data.cset:
        key = f"{'criterion-' if en else 'tc'}{c.number:02d}-{slug(c.name(lang))}"
        pages.append(("criteria", key, lambda n, num=c.number: page_criterion(ctx, n, num)))
    for code, name in zip(ctx.data.status["code"], ctx.data.status["name"], strict=True):
        key = f"{'commune' if en else 'xa'}-{slug(short_name(name))}"
        pages.append(("communes", key, lambda n, code=code: page_commune(ctx, n, code)))
    pages.append(("investment", "investment" if en else "von-dau-tu",
                  lambda n: page_investment(ctx, n)))
    pages.append(("progress",
                  f"{'progress' if en else 'tien-do'}-{_period(_progress_years(ctx.data))}",
                  lambda n: page_progress(ctx, n)))
    plan = ctx.data.extra.get("index")
    for k in range(plan.sheets if plan is not None else 0):
        pages.append(("index", f"{'index' if en else 'muc-luc'}-{k + 1}",
                      lambda n, k=k: page_index(ctx, plan, k)))
    return pages


def commune_pages(ctx: Context) -> dict[int, str]:
    """Index in :func:`plan_pages` of each commune page -> the commune's code."""
    first = 1 + len(ctx.data.cset)
    return {first + i: str(code) for i, code in enumerate(ctx.data.status["code"])}


def page_names(ctx: Context) -> list[str]:
    """A short human name of every page, in the order of :func:`plan_pages` (for progress)."""
    lang = ctx.lang
    names = [tr("page_overview", lang)]
    names += [tr("page_criterion", lang, n=c.number, name=c.name(lang)) for c in ctx.data.cset]
    names += [str(name) for name in ctx.data.status["name"]]
    names.append(tr("page_investment", lang))
    names.append(tr("page_progress", lang, period=_period(_progress_years(ctx.data))))
    plan = ctx.data.extra.get("index")
    names += [tr("ix_page", lang)] * (plan.sheets if plan is not None else 0)
    return names
