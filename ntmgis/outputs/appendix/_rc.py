"""The matplotlib settings every appendix page is drawn with, in one place.

Fixed settings make the output identical run after run, and on any machine with
the same matplotlib (its bundled DejaVu Sans covers Vietnamese fully). Both the
serial loop and every worker process apply them.
"""

from __future__ import annotations

__all__ = ["RC"]

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
