"""The matplotlib settings every appendix page is drawn with, in one place.

Fixed settings make the output identical run after run, and on any machine with
the same matplotlib (its bundled DejaVu Sans covers Vietnamese fully). Both the
serial loop and every worker process apply them. Text metrics are shared by
the pages of a run (:func:`shared_text_metrics`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["RC", "shared_text_metrics", "share_text_metrics_for_life"]

RC = {
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


# Text metrics shared by every page of a run (see shared_text_metrics); bounded.
_METRICS: dict[tuple, tuple[float, float, float]] = {}
_MAX_METRICS = 50_000


def _metrics(renderer, text, fontprop, ismath, dpi):
    """``renderer.get_text_width_height_descent``, cached by renderer type, not instance.

    The metrics of a text depend on its string, font, size and dpi and on the
    renderer's kind (and on rcParams, fixed by :data:`RC` for the whole run), not
    on which page's renderer asks.
    """
    prop = fontprop.copy()  # FontProperties is mutable: key on a frozen copy
    key = (type(renderer), getattr(renderer, "dpi", None), text, prop, ismath, dpi)
    hit = _METRICS.get(key)
    if hit is None:
        if len(_METRICS) >= _MAX_METRICS:
            _METRICS.clear()
        hit = _METRICS[key] = renderer.get_text_width_height_descent(text, prop, ismath)
    return hit


@contextmanager
def shared_text_metrics() -> Iterator[None]:
    """Within the block, text metrics are computed once per run, not once per page.

    matplotlib caches them per renderer, and every page has its own renderers (a
    72-dpi one to place labels, the PDF's, the 300-dpi PNG's), so the legend, the
    frame and every commune name were measured again on each page: about a third
    of the time spent laying out text. The numbers are the same, so are the bytes.
    """
    import matplotlib.text as mtext

    real = getattr(mtext, "_get_text_metrics_with_cache", None)
    # nested (a worker has it for its whole life), or a matplotlib without this private
    # function: the pages are then drawn as they are, only slower
    if real is None or real is _metrics:
        yield
        return
    mtext._get_text_metrics_with_cache = _metrics
    try:
        yield
    finally:
        mtext._get_text_metrics_with_cache = real
        _METRICS.clear()


def share_text_metrics_for_life() -> None:
    """:func:`shared_text_metrics` for the rest of this process (a page-rendering worker)."""
    import matplotlib.text as mtext

    if hasattr(mtext, "_get_text_metrics_with_cache"):
        mtext._get_text_metrics_with_cache = _metrics
