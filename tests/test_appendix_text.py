"""Texts drawn from the run's caches (glyph bitmaps, PDF text operators) are matplotlib's own."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib import patheffects
from matplotlib.backends import _backend_pdf_ps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ntmgis.outputs.appendix import _rc
from ntmgis.outputs.appendix._imagecache import SharedImagesPdfPages
from ntmgis.outputs.appendix._rc import RC, shared_text_metrics

WORDS = ["Mường Tè", "Thu Lũm", "Ka Lăng", "Pa Vệ Sử", "Nậm Khao (12/19)", "TỔNG HỢP"]


def _figure(shift: float) -> Figure:
    """The same words at many fractions of a pixel, some off the canvas, some turned."""
    fig = Figure(figsize=(3, 2), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for i in range(48):
        s = WORDS[i % len(WORDS)]
        x, y = -0.05 + 0.0213 * i + shift, 0.02 * i + shift / 3
        kw = dict(fontsize=5 + (i % 3), rotation=30 * (i % 4 == 3),
                  color=("#333333", "#aa0000")[i % 2], weight=("normal", "bold")[i % 5 == 0])
        if i % 7 == 0:
            kw["path_effects"] = [patheffects.withStroke(linewidth=1.5, foreground="white")]
        ax.text(x, y, s, **kw)
    return fig


def _pixels(shift: float) -> np.ndarray:
    fig = _figure(shift)
    fig.set_dpi(300)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _pdf(shifts) -> tuple[bytes, int]:
    """A PDF of one page per shift, and how many texts its cache kept."""
    buf = io.BytesIO()
    with SharedImagesPdfPages(buf, metadata={"CreationDate": None}) as pdf:
        for shift in shifts:
            pdf.savefig(_figure(shift))
        kept = len(pdf._file.text_cache)
    return buf.getvalue(), kept


def test_cached_glyph_bitmaps_are_the_same_pixels() -> None:
    """Bitmaps rasterised once and moved by whole pixels draw what matplotlib draws."""
    shifts = (0.0, 0.00137, 0.0051)
    with matplotlib.rc_context(RC):
        plain = [_pixels(s) for s in shifts]
        with shared_text_metrics():
            cached = [_pixels(s) for s in shifts]
            assert _rc._BITMAPS  # the bitmaps were shared
    for a, b in zip(plain, cached, strict=True):
        assert a.any() and np.array_equal(a, b)


def test_pdf_text_operators_copied_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text met again in the PDF is copied from the first one: the file is the same."""
    # fonts subset as in a run on both sides (the subsets: test_appendix_weight.py)
    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", _rc._glyphs_subset)
    shifts = (0.0, 0.013, 0.0031)
    with matplotlib.rc_context(RC):
        plain, kept_plain = _pdf(shifts)
        with shared_text_metrics():
            cached, kept = _pdf(shifts)
    assert kept_plain == 0  # outside a run matplotlib writes every text itself
    assert 0 < kept < 48 * len(shifts)  # texts were kept, repeats were copied
    assert cached == plain
