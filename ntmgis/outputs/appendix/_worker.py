"""Drawing one appendix page: the work a page-rendering process (or the serial loop) does.

A worker process gets the run's :class:`~ntmgis.outputs.appendix._pages.Context`
once (:func:`init_worker`), then pages by number (:func:`render_page`): it builds
the page, draws its PDF page into a record (:mod:`._record`; the parent replays the
records in page order into one file), and draws and writes the page's PNG itself.

This module imports matplotlib and the page builders at import time on purpose:
a fork server preloads it once, and every worker forked from it starts ready.
"""

from __future__ import annotations

import pickle
import signal
import struct
import time
import warnings
import zlib
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ntmgis.core.version import __version__
from ntmgis.outputs.appendix._carto import Page
from ntmgis.outputs.appendix._pages import Context, plan_pages
from ntmgis.outputs.appendix._rc import RC, share_text_metrics_for_life
from ntmgis.outputs.appendix._record import record_page

__all__ = ["init_worker", "render_page", "load_figure", "draw_png", "png_bytes", "write_png",
           "Portable"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# zlib level 2: 1 gives files 4 % larger for 8 % less time, 3 files 4 % smaller for 30 % more
_PNG_LEVEL = 2
_IDAT_SIZE = 1 << 20  # bytes of compressed data per IDAT chunk

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
    share_text_metrics_for_life()
    _STATE["ctx"] = ctx
    _STATE["pages"] = plan_pages(ctx)
    _STATE["sent"] = set()  # digests of the images sent to the parent (see _record)


def render_page(index: int, number: int, png: str | None, dpi: int,
                want_pdf: bool) -> tuple[tuple[str, Any] | None, float]:
    """Build page ``index`` of the plan as page ``number``; write its PNG to ``png``.

    Returns
    -------
    ((str, object) or None, float)
        What the parent needs for the PDF: ``("page", record)``, the page drawn for
        the PDF (:func:`~ntmgis.outputs.appendix._record.record_page`), or, for a
        page a record cannot hold, ``("figure", bytes)``, the pickled figure; and
        the CPU seconds this page took in this process.
    """
    c0 = time.process_time()
    try:
        page = _STATE["pages"][index][2](number)
        pdf = None
        if want_pdf:
            # before the PNG changes its size, dpi and smoothing: what the PDF must show
            record = record_page(page.fig, _STATE["sent"])
            # (a figure drawn once more writes the same page: savefig restores its state)
            pdf = ("page", record) if record is not None else (
                "figure", pickle.dumps(page.fig, protocol=pickle.HIGHEST_PROTOCOL))
        if png is not None:
            write_png(draw_png(page, dpi), Path(png), dpi)
    except Exception as exc:  # noqa: BLE001 - re-raised, made portable if it must be
        raise _portable(exc) from None
    return pdf, time.process_time() - c0


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


def draw_png(page: Page, dpi: int) -> np.ndarray:
    """Draw ``page`` at ``dpi``; its RGBA pixels, (rows, columns, 4) (the figure is changed).

    The array is a view of the renderer's buffer: it keeps the buffer alive, not the figure.
    """
    for im in page.images:  # smooth relief pixels in the raster output
        im.set_interpolation("bilinear")
    # whole pixels, rounded (A4 at 300 dpi: 3508 x 2480, not truncated)
    w_in, h_in = page.fig.get_size_inches()
    page.fig.set_size_inches(round(w_in * dpi) / dpi, round(h_in * dpi) / dpi)
    page.fig.set_dpi(dpi)
    page.fig.canvas.draw()
    return np.asarray(page.fig.canvas.buffer_rgba())


def png_bytes(rgba: np.ndarray, dpi: int) -> list[bytes]:
    """The chunks of an 8-bit RGB PNG of ``rgba``'s colours (alpha dropped), in file order.

    Written here rather than by Pillow, for speed: Pillow tries the five PNG filters
    on every row and keeps the best, which costs more than the compression itself
    (0,35 s a 300-dpi A4 page at zlib level 3). Every row here uses the "Up" filter
    (a map is mostly flat colour: the difference from the row above is mostly
    zeros), computed by numpy, then zlib level 2: about 0,17 s a page for a file
    the size of Pillow's (1,95 MB against 1,92 MB on the sample). The pixels are
    the same, only their encoding changed; fixed settings give the same bytes.
    """
    h, w = rgba.shape[:2]
    # Pillow drops the alpha channel about twice as fast as a strided numpy copy
    rgb = np.asarray(Image.fromarray(rgba).convert("RGB")).reshape(h, 3 * w)
    raw = np.empty((h, 3 * w + 1), dtype=np.uint8)
    raw[:, 0] = 2  # filter type "Up" (the first row's "above" is zeros)
    raw[0, 1:] = rgb[0]
    np.subtract(rgb[1:], rgb[:-1], out=raw[1:, 1:])  # wraps modulo 256, as PNG wants
    data = zlib.compress(raw, _PNG_LEVEL)
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre, rounded as Pillow does
    software = b"Software\0" + f"ntmgis {__version__}".encode("latin-1")
    chunks = [_PNG_SIGNATURE,
              _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)),
              _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
              _chunk(b"tEXt", software)]
    view = memoryview(data)
    chunks += [_chunk(b"IDAT", view[i:i + _IDAT_SIZE])
               for i in range(0, max(len(data), 1), _IDAT_SIZE)]
    chunks.append(_chunk(b"IEND", b""))
    return chunks


def _chunk(tag: bytes, data) -> bytes:
    """A PNG chunk: length, type, data, CRC of type and data."""
    crc = zlib.crc32(data, zlib.crc32(tag))
    return struct.pack(">I", len(data)) + tag + bytes(data) + struct.pack(">I", crc)


def write_png(rgba: np.ndarray, path: Path, dpi: int) -> None:
    """Write ``rgba``'s colours as an RGB PNG with fixed settings (the same bytes every run)."""
    chunks = png_bytes(rgba, dpi)
    try:
        with open(path, "wb") as f:
            f.writelines(chunks)
    except OSError as exc:  # a full disk is reported without the file's name
        if exc.filename is None:
            exc.filename = str(path)
        raise
