"""Drawing one appendix page: the work a page-rendering process (or the serial loop) does.

A worker process gets the run's :class:`~ntmgis.outputs.appendix._pages.Context`
once (:func:`init_worker`), then pages by number (:func:`render_page`): it builds
the page, keeps a pickled copy of the figure for the PDF (written by the parent,
in page order, into one file), and draws and writes the page's PNG itself.

This module imports matplotlib and the page builders at import time on purpose:
a fork server preloads it once, and every worker forked from it starts ready.
"""

from __future__ import annotations

import pickle
import signal
import time
import warnings
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ntmgis.core.version import __version__
from ntmgis.outputs.appendix._carto import Page
from ntmgis.outputs.appendix._pages import Context, plan_pages
from ntmgis.outputs.appendix._rc import RC

__all__ = ["init_worker", "render_page", "load_figure", "draw_png", "write_png", "Portable"]

# The worker's run: the context and the page builders (set by init_worker).
_STATE: dict[str, Any] = {}


class Portable(Exception):
    """An error of a page that could not travel between processes as it was.

    Carries the original's type name and message, so the parent can still say what
    went wrong.
    """


def init_worker(ctx: Context, rc: dict[str, Any]) -> None:
    """Set up a page-rendering process: the parent's matplotlib settings, then :data:`RC`.

    Ctrl-C is left to the parent, which stops the pool: without this every worker
    would print its own traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with warnings.catch_warnings():  # a deprecated key in the parent's settings
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(rc)
    # RC is applied for the worker's whole life, as the serial loop's rc_context does
    matplotlib.rcParams.update(RC)
    _STATE["ctx"] = ctx
    _STATE["pages"] = plan_pages(ctx)


def render_page(index: int, number: int, png: str | None, dpi: int,
                want_figure: bool) -> tuple[bytes | None, float]:
    """Build page ``index`` of the plan as page ``number``; write its PNG to ``png``.

    Returns
    -------
    (bytes or None, float)
        The pickled figure as it was before the PNG was drawn (for the PDF), and
        the CPU seconds this page took in this process.
    """
    c0 = time.process_time()
    try:
        page = _STATE["pages"][index][2](number)
        # before the PNG changes its size, dpi and smoothing: what the PDF must show
        blob = pickle.dumps(page.fig, protocol=pickle.HIGHEST_PROTOCOL) if want_figure else None
        if png is not None:
            write_png(draw_png(page, dpi), Path(png), dpi)
    except Exception as exc:  # noqa: BLE001 - re-raised, made portable if it must be
        raise _portable(exc) from None
    return blob, time.process_time() - c0


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling (ntmgis's errors do), else a :class:`Portable` copy."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure means it cannot travel
        return Portable(f"{type(exc).__name__}: {exc}")
    return exc


def load_figure(blob: bytes) -> Figure:
    """A figure pickled by :func:`render_page`.

    The garbage collector is paused while the many small objects of a figure are
    made: otherwise it walks the whole heap several times per page.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(blob)  # noqa: S301 - bytes from our own worker process
    finally:
        if enabled:
            gc.enable()


def draw_png(page: Page, dpi: int) -> Image.Image:
    """Draw ``page`` at ``dpi`` and return its RGB pixels (the figure is changed)."""
    for im in page.images:  # smooth relief pixels in the raster output
        im.set_interpolation("bilinear")
    # whole pixels, rounded (A4 at 300 dpi: 3508 x 2480, not truncated)
    w_in, h_in = page.fig.get_size_inches()
    page.fig.set_size_inches(round(w_in * dpi) / dpi, round(h_in * dpi) / dpi)
    page.fig.set_dpi(dpi)
    page.fig.canvas.draw()
    # Pillow drops the alpha channel about twice as fast as a strided numpy copy
    return Image.fromarray(np.asarray(page.fig.canvas.buffer_rgba())).convert("RGB")


def write_png(rgb: Image.Image, path: Path, dpi: int) -> None:
    """Write RGB pixels as a PNG with fixed settings (the same bytes every run)."""
    info = PngInfo()
    info.add_text("Software", f"ntmgis {__version__}")
    # zlib level 3, not 6: half the encoding time (0,34 s instead of 0,67 s a 300-dpi A4
    # page, the largest single cost of the atlas) for files about 12 % larger
    try:
        rgb.save(path, format="png", dpi=(dpi, dpi), pnginfo=info, compress_level=3)
    except OSError as exc:  # Pillow reports a full disk without the file's name
        if exc.filename is None:
            exc.filename = str(path)
        raise
