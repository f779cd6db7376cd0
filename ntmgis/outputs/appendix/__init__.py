"""Print-ready map appendix ("Phụ lục bản đồ"): one PDF with every page and one PNG per page.

Pages: the overview (communes by criteria met, against the plan), one page per
criterion of the layers' set (19 for QĐ 318, 10 for QĐ 51), one page per commune,
investment, and progress over the years.
Library entry point: :func:`render_appendix`; CLI: ``ntmgis appendix``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import check_lang
from ntmgis.core.safe_write import atomic_set, check_output_paths, require_writable
from ntmgis.core.version import __version__
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.outputs.appendix._style import CLASS_COLORS
from ntmgis.outputs.appendix._text import PAGE_KINDS, tr

__all__ = ["render_appendix", "appendix_paths", "summary_lines", "CLASS_COLORS", "SIZES",
           "FORMATS", "PAGE_KINDS"]

SIZES = ("A4", "A3")
FORMATS = ("pdf", "png")

# Fixed settings that make output identical run after run, and on any machine
# with the same matplotlib (its bundled DejaVu Sans covers Vietnamese fully).
_RC = {
    "pdf.fonttype": 42,  # embed TrueType subsets: text stays text, searchable, copyable
    "pdf.compression": 6,
    "svg.hashsalt": "ntmgis",
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["DejaVu Sans"],
    "hatch.linewidth": 0.4,
    "hatch.color": "#9a9a9a",
    "axes.unicode_minus": False,
    "text.usetex": False,
    "path.simplify": True,
}


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

    Returns
    -------
    list of Path
        The files written: the PDF first, then the PNGs in page order (their
        names sort in page order).

    Raises
    ------
    OutputExistsError
        An output exists and ``overwrite`` is false (nothing is written).
    WorkspaceError
        The monitoring layers have not been built.
    DataError
        A layer or column is missing, or ``year`` is not in the data.
    ValueError
        An unknown ``size``, ``format``, ``lang`` or kind of page.

    Notes
    -----
    The same inputs give byte-identical files: PDF dates are left out, fonts
    (DejaVu Sans, bundled with matplotlib) are embedded as TrueType subsets,
    and nothing random is drawn. Pages are first written to a temporary folder
    beside the outputs and moved into place only when all succeeded.
    """
    from ntmgis.outputs.appendix._carto import Hillshade
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, plan_pages

    size, fmts = _check_options(size, formats, lang)
    kinds = _check_pages(pages, lang)
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace, lang=lang)
    check_output_paths(ws, lang)
    data = load_data(ws, year=year, lang=lang)
    hs = None
    if ws.elevation is not None and Path(ws.elevation).is_file():
        hs = Hillshade.from_raster(Path(ws.elevation), ws.crs, data.district)
    ctx = Context(data=data, lang=lang, size=size, hillshade=hs)
    every = plan_pages(ctx)
    chosen = [(n, slug, build) for n, (kind, slug, build) in enumerate(every, 1)
              if kind in kinds]
    out_dir = Path(ws.maps_dir) / "appendix"
    targets = appendix_paths(out_dir, [c[1] for c in chosen], year=data.year, size=size,
                             lang=lang, formats=fmts, numbers=[c[0] for c in chosen],
                             kinds=kinds, total=len(every))
    for p in targets:  # refuse before any work is done
        require_writable(p, overwrite, lang, ws=ws)
    # Pages go to a temporary folder (removed by the next run if this one is killed)
    # and are swapped in together when every one is written.
    with atomic_set(targets, overwrite=overwrite, lang=lang, ws=ws) as staging:
        _render_all(chosen, staging.path(targets[0]).parent, targets, fmts, dpi, data.year,
                    ws, lang)
    if "png" in fmts and kinds == PAGE_KINDS:
        _remove_stale(out_dir, targets, _prefix(lang, size))
    return targets


def _render_all(pages, tmp: Path, targets: list[Path], fmts, dpi: int, year: int,
                ws: Workspace, lang: str) -> None:
    """Build each page once; write it to the PDF, then draw it at ``dpi`` for its PNG.

    PNG compression runs in a worker thread (zlib releases the GIL) while the
    next page is drawn, so two cores are used without a second process.
    """
    from concurrent.futures import ThreadPoolExecutor

    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages

    pngs = [p for p in targets if p.suffix == ".png"]
    meta = {
        "Title": f"{tr('appendix_title', lang)} - {ws.name} - {year}",
        "Author": ws.name,
        "Subject": ws.province,
        "Creator": f"ntmgis {__version__}",
        "CreationDate": None,
        "ModDate": None,
    }
    pending: list = []
    with matplotlib.rc_context(_RC), ThreadPoolExecutor(max_workers=1) as pool:
        pdf = PdfPages(tmp / targets[0].name, metadata=meta) if "pdf" in fmts else None
        try:
            for i, (number, _, build) in enumerate(pages):
                page = build(number)
                if pdf is not None:
                    pdf.savefig(page.fig)
                if pngs:
                    for im in page.images:  # smooth relief pixels in the raster output
                        im.set_interpolation("bilinear")
                    # whole pixels, rounded (A4 at 300 dpi: 3508 x 2480, not truncated)
                    w_in, h_in = page.fig.get_size_inches()
                    page.fig.set_size_inches(round(w_in * dpi) / dpi, round(h_in * dpi) / dpi)
                    page.fig.set_dpi(dpi)
                    page.fig.canvas.draw()
                    rgb = np.asarray(page.fig.canvas.buffer_rgba())[..., :3].copy()
                    while len(pending) >= 2:  # bound memory: at most two pages waiting
                        pending.pop(0).result()
                    pending.append(pool.submit(_write_png, rgb, tmp / pngs[i].name, dpi))
                del page  # figures are not kept: memory stays at one page
            for f in pending:
                f.result()
        finally:
            if pdf is not None:
                pdf.close()


def _write_png(rgb, path: Path, dpi: int) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", f"ntmgis {__version__}")
    Image.fromarray(rgb).save(path, format="png", dpi=(dpi, dpi), pnginfo=info,
                              compress_level=6)


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
    lines = [tr("written_pdf", lang, path=p) for p in pdfs]
    if pngs:
        lines.append(tr("written_pngs", lang, n=len(pngs), path=pngs[0].parent))
    return lines
