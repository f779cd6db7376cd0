"""Print-ready map appendix ("Phụ lục bản đồ"): one PDF with every page and one PNG per page.

Pages: the overview (communes by criteria met, against the plan), one page per
criterion of the layers' set (19 for QĐ 318, 10 for QĐ 51), one page per commune,
investment, and progress over the years. Above ``split_above`` pages (100) an
appendix whose communes fall into groups is split: the area-wide pages, after an
index, in one PDF and each group's commune pages in its own
(:mod:`ntmgis.outputs.appendix._split`).
Library entry point: :func:`render_appendix`; CLI: ``ntmgis appendix``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ntmgis.core.errors import OptionError, OutputExistsError
from ntmgis.core.i18n import check_lang, t
from ntmgis.core.safe_write import atomic_set, check_output_paths, refuse_input
from ntmgis.core.text import slug
from ntmgis.core.version import __version__
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.outputs.appendix._rc import RC
from ntmgis.outputs.appendix._style import CLASS_COLORS
from ntmgis.outputs.appendix._text import PAGE_KINDS, SPLIT_ABOVE, tr
from ntmgis.outputs.report_programme import OFFICE_DIR, workspace_office

__all__ = ["render_appendix", "appendix_paths", "summary_lines", "CLASS_COLORS", "SIZES",
           "FORMATS", "PAGE_KINDS", "SPLIT_ABOVE"]

SIZES = ("A4", "A3")
FORMATS = ("pdf", "png")

# The settings every page is drawn with (kept under this name for callers and tests).
_RC = RC


def _prefix(lang: str, size: str) -> str:
    base = "map-appendix" if lang == "en" else "phu-luc"
    return base if size == "A4" else f"{base}-{size.lower()}"


def _pdf_name(lang: str, size: str, year: int, kinds: Sequence[str] = ()) -> str:
    base = "map-appendix" if lang == "en" else "phu-luc-ban-do"
    part = "" if not kinds or set(kinds) == set(PAGE_KINDS) else "-" + "-".join(kinds)
    return f"{base}-{year}{'' if size == 'A4' else '-' + size.lower()}{part}.pdf"


def _check_pages(pages: Sequence[str] | str | None, lang: str) -> tuple[str, ...]:
    if pages is None:
        return PAGE_KINDS
    if isinstance(pages, str):
        pages = [p for p in pages.split(",") if p.strip()]
    kinds = [str(p).strip().lower() for p in pages]
    for k in kinds:
        if k not in PAGE_KINDS:
            raise OptionError(tr("bad_pages", lang, kind=k, kinds=", ".join(PAGE_KINDS)))
    if not kinds:
        raise OptionError(tr("bad_pages", lang, kind="", kinds=", ".join(PAGE_KINDS)))
    return tuple(k for k in PAGE_KINDS if k in kinds)


def _check_options(size: str, formats: Sequence[str] | str, lang: str) -> tuple[str, tuple]:
    check_lang(lang)
    size_u = str(size).upper()
    if size_u not in SIZES:
        raise OptionError(tr("bad_size", lang, size=size))
    if isinstance(formats, str):
        formats = [f for f in formats.split(",") if f.strip()]
    fmts = []
    for f in formats:
        f = str(f).strip().lower()
        if f not in FORMATS:
            raise OptionError(tr("bad_format", lang, fmt=f))
        if f not in fmts:
            fmts.append(f)
    if not fmts:
        raise OptionError(tr("bad_format", lang, fmt=""))
    return size_u, tuple(fmts)


def appendix_paths(out_dir: Path, slugs: Sequence[str], *, year: int, size: str, lang: str,
                   formats: Sequence[str], numbers: Sequence[int] | None = None,
                   kinds: Sequence[str] = (), total: int | None = None) -> list[Path]:
    """The files an appendix writes: the PDF first, then the PNGs in page order.

    ``numbers`` are the pages' numbers in the whole appendix (of ``total`` pages)
    when only some kinds of page are rendered.
    """
    numbers = list(numbers) if numbers is not None else list(range(1, len(slugs) + 1))
    width = max(2, len(str(total or len(slugs))))
    out = []
    if "pdf" in formats:
        out.append(out_dir / _pdf_name(lang, size, year, kinds))
    if "png" in formats:
        out += [out_dir / f"{_prefix(lang, size)}-{n:0{width}d}-{slug}.png"
                for n, slug in zip(numbers, slugs, strict=True)]
    return out


def render_appendix(
    workspace: Workspace | str | Path,
    *,
    year: int | None = None,
    size: str = "A4",
    formats: Sequence[str] | str = ("pdf", "png"),
    lang: str = "vi",
    overwrite: bool = False,
    dpi: int = 300,
    pages: Sequence[str] | str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    office: str | None = None,
    split_above: int | None = SPLIT_ABOVE,
) -> list[Path]:
    """Render the map appendix of a workspace into ``maps/appendix/``.

    Parameters
    ----------
    workspace : Workspace or path
        A loaded workspace or its folder; ``ntmgis build`` must have written
        its monitoring GeoPackage.
    year : int, optional
        The year the maps show; the latest year in the data by default.
    size : {"A4", "A3"}
        Paper size; pages are landscape.
    formats : sequence of {"pdf", "png"} or a comma-separated string
        ``pdf``: one file with every page; ``png``: one image per page.
    lang : {"vi", "en"}
        Language of every text on the maps.
    overwrite : bool
        Replace existing files; without it an existing output is an error.
    dpi : int
        Resolution of the PNG pages (300 for print).
    pages : sequence of str or a comma-separated string, optional
        Only these kinds of page: ``overview``, ``criteria``, ``communes``,
        ``investment``, ``progress`` (all by default). Pages keep their numbers
        in the whole appendix; the PDF's name then ends with the kinds.
    workers : int, optional
        Processes that render pages at once: 1 renders in this process; by
        default the ``NTMGIS_WORKERS`` environment variable, else one per core.
        The files are the same bytes whatever the number.
    progress : bool, optional
        Show a progress bar naming each page on standard error; by default only
        when standard error is a terminal.
    office : str, optional
        An office's name or code in ``[tables.offices]``: only the pages of the
        criteria it leads or supports (criterion pages unless ``pages`` says
        otherwise), into ``maps/co-quan/<office>/appendix/``.
    split_above : int or None
        When more pages than this are written (100 by default; 0: always) and the
        communes fall into groups (districts, or ``[area] group_by``), the PDF is
        split: index sheets and the area-wide pages under the usual name, and each
        group's commune pages in ``<name>-<group>.pdf``. ``None``: one PDF always.

    Returns
    -------
    list of Path
        The files written: the PDF (the area-wide one, then one per group, when
        split) first, then the PNGs in page order (their names sort in page order;
        the index sheets are page ``00``).

    Raises
    ------
    OutputExistsError
        An output exists and ``overwrite`` is false (nothing is written); the
        message names the existing files.
    WorkspaceError
        The monitoring layers have not been built.
    DataError
        A layer or column is missing, or ``year`` is not in the data.
    ValueError
        An unknown ``size``, ``format``, ``lang`` or kind of page, or ``workers`` < 1.
    concurrent.futures.process.BrokenProcessPool
        A page-rendering process died (killed, out of memory); nothing is written.

    Notes
    -----
    The same inputs give byte-identical files: PDF dates are left out, fonts
    (DejaVu Sans, bundled with matplotlib) are embedded as TrueType subsets,
    and nothing random is drawn. Pages are first written to a temporary folder
    beside the outputs and moved into place only when all succeeded. In
    parallel, workers build the pages, draw their PDF pages and write the PNGs,
    while this process writes the PDFs in page order from the drawn pages (see
    :mod:`ntmgis.outputs.appendix._render`).
    """
    from ntmgis.core.progress import wants_progress
    from ntmgis.outputs.appendix._carto import Hillshade
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_names, plan_pages
    from ntmgis.outputs.appendix._render import job_for, render_jobs, resolve_workers

    size, fmts = _check_options(size, formats, lang)
    kinds = _check_pages(pages, lang)
    n_workers = resolve_workers(workers, lang)
    if split_above is not None and int(split_above) < 0:
        raise OptionError(tr("bad_split", lang, n=split_above))
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace, lang=lang)
    check_output_paths(ws, lang)
    data = load_data(ws, year=year, lang=lang)
    hs = None
    if ws.elevation is not None and Path(ws.elevation).is_file():
        hs = Hillshade.from_raster(Path(ws.elevation), ws.crs, data.district)
    ctx = Context(data=data, lang=lang, size=size, hillshade=hs)
    every = plan_pages(ctx)
    names = page_names(ctx)
    out_dir = Path(ws.maps_dir) / "appendix"
    mine: set[int] | None = None
    if office is not None:  # an office's own atlas: its criteria, in its own folder
        name, numbers = workspace_office(ws, office, data.cset, lang=lang)
        if not numbers:
            raise OptionError(tr("office_none", lang, office=name))
        mine = set(numbers)
        kinds = kinds if pages is not None else ("criteria",)
        out_dir = Path(ws.maps_dir) / OFFICE_DIR / slug(name) / "appendix"
    # criterion pages come right after the overview, in the set's order
    crit_of = {i: c.number for i, c in enumerate(data.cset, start=1)}
    chosen = [(i, n, s) for i, (n, (kind, s, _)) in enumerate(enumerate(every, 1))
              if kind in kinds and (mine is None or kind != "criteria" or crit_of[i] in mine)]
    total = len(every)  # pages of the whole appendix, the index sheets not counted
    files = _split_files(ctx, every, chosen, fmts, split_above, out_dir, size, kinds)
    if files is not None:  # the index sheets are now in the plan
        every, names = plan_pages(ctx), page_names(ctx)
        chosen = [(i, 0, s) for i, (kind, s, _) in enumerate(every) if kind == "index"] + chosen
    targets = appendix_paths(out_dir, [c[2] for c in chosen], year=data.year, size=size,
                             lang=lang, formats=fmts, numbers=[c[1] for c in chosen],
                             kinds=kinds, total=total)
    pngs = [p for p in targets if p.suffix == ".png"]
    png_of = dict(zip([c[0] for c in chosen], pngs, strict=True)) if pngs else {}
    if files is None:  # one PDF of every chosen page
        files = [(targets[0] if "pdf" in fmts else None, chosen, "")]
    else:  # the PDFs first, then the PNGs in page order
        targets = [f[0] for f in files] + pngs
    _refuse_existing(targets, overwrite, lang, ws)  # before any work is done
    # Pages go to a temporary folder (removed by the next run if this one is killed)
    # and are swapped in together when every one is written.
    with atomic_set(targets, overwrite=overwrite, lang=lang, ws=ws) as staging:
        tmp = staging.path(targets[0]).parent
        jobs = [job_for(ctx, [(i, n) for i, n, _ in pages], [names[i] for i, _, _ in pages],
                        tmp / pdf.name if pdf is not None else None,
                        [tmp / png_of[i].name for i, _, _ in pages] if png_of else None,
                        dpi, _pdf_metadata(ws, data.year, lang, part), lang)
                for pdf, pages, part in files]  # a split appendix: a job per PDF
        # one run, so that a pool of workers renders every file's pages
        render_jobs(jobs, n_workers, wants_progress() if progress is None else progress)
    if "png" in fmts and kinds == PAGE_KINDS:
        _remove_stale(out_dir, targets, _prefix(lang, size))
    if overwrite and "pdf" in fmts and len(files) == 1 and data.groups:
        _remove_stale_parts(targets[0], data.groups, lang)
    return targets


def _remove_stale_parts(main: Path, groups: Sequence[tuple], lang: str) -> None:
    """Remove the district PDFs an earlier, split run of this appendix wrote beside ``main``.

    Only the names a split of these groups would write are removed (the file of each
    group, and of communes without one), so no file that ntmgis did not write is touched;
    without this, an unsplit run would leave last time's district files to be mistaken
    for this year's.
    """
    from ntmgis.outputs.appendix._split import Part, part_files

    parts = [Part("", "", (), ()), *(Part(g[0], g[1], (), ()) for g in groups),
             Part("", tr("ix_no_group", lang), (), ())]
    for f in part_files(main, parts)[1:]:
        if f.is_file():
            f.unlink()


def _split_files(ctx, every: list, chosen: list, fmts: Sequence[str], split_above: int | None,
                 out_dir: Path, size: str, kinds: Sequence[str]) -> list | None:
    """(PDF, its pages, its group's name) of each file of a split appendix, else None.

    When split, the index is put in ``ctx.data.extra`` (its sheets join the plan).
    """
    from ntmgis.outputs.appendix._pages import commune_pages
    from ntmgis.outputs.appendix._split import index_plan, part_files, plan_split

    if "pdf" not in fmts:
        return None
    data, lang = ctx.data, ctx.lang
    parts = plan_split(chosen, [e[0] for e in every], commune_pages(ctx), data.groups,
                       split_above, lang)
    if parts is None:
        return None
    pdfs = part_files(out_dir / _pdf_name(lang, size, data.year, kinds), parts)
    plan = index_plan(parts, pdfs, dict(zip(data.communes["code"], data.communes["name"],
                                                         strict=True)))
    data.extra["index"] = plan
    first = len(every)  # the index sheets' plan indices, once added
    sheets = [(first + k, 0, "") for k in range(plan.sheets)]
    return [(pdf, [*sheets, *p.pages] if i == 0 else list(p.pages), p.name)
            for i, (pdf, p) in enumerate(zip(pdfs, parts, strict=True))]


def _refuse_existing(targets: Sequence[Path], overwrite: bool, lang: str,
                     ws: Workspace) -> None:
    """Refuse an input among ``targets`` and, without ``overwrite``, name the existing ones."""
    for p in targets:
        refuse_input(p, ws, lang)
    existing = [p for p in targets if p.exists()]
    if overwrite or not existing:
        return
    if len(existing) == 1:
        raise OutputExistsError(t("output_exists", lang, path=existing[0]))
    # the PDFs first (a split appendix's files), then the PNG pages; the folder once
    existing.sort(key=lambda p: p.suffix != ".pdf")
    shown = [p.name for p in existing[:8]]
    if len(existing) > 8:
        shown.append(tr("and_more", lang, n=len(existing) - 8))
    raise OutputExistsError(tr("outputs_exist", lang, n=len(existing), folder=existing[0].parent,
                               paths=", ".join(shown)))


def _pdf_metadata(ws: Workspace, year: int, lang: str, part: str = "") -> dict:
    """The PDF's document information; no dates, so that the bytes repeat."""
    return {
        "Title": f"{tr('appendix_title', lang)} - {part + ' - ' if part else ''}{ws.name} - {year}",
        "Author": ws.name,
        "Subject": ws.province,
        "Creator": f"ntmgis {__version__}",
        "CreationDate": None,
        "ModDate": None,
    }


def _remove_stale(out_dir: Path, targets: list[Path], prefix: str) -> None:
    """Remove PNG pages of an earlier, longer appendix of the same kind."""
    pat = re.compile(rf"^{re.escape(prefix)}-\d{{2,}}-[a-z0-9-]+\.png$")
    keep = {p.name for p in targets}
    for f in sorted(out_dir.iterdir()):
        if f.is_file() and pat.match(f.name) and f.name not in keep:
            f.unlink()


def summary_lines(paths: list[Path], lang: str) -> list[str]:
    """One line per PDF written and one for the PNG pages, in the user's language."""
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    pngs = [p for p in paths if p.suffix == ".png"]
    lines = [tr("written_split", lang, n=len(pdfs), name=pdfs[0].name)] if len(pdfs) > 1 else []
    lines += [tr("written_pdf", lang, path=p) for p in pdfs]
    if pngs:
        lines.append(tr("written_pngs", lang, n=len(pngs), path=pngs[0].parent))
    return lines
