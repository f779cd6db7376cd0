"""The map bands of a commune criteria set: their keys, colours and labels.

A set of N criteria has four bands, best first: all met (``ntm``), then one per lower
bound of :attr:`CriteriaSet.bands <ntmgis.core.criteria.CriteriaSet.bands>`
(``15-18``, ``10-14``, ``lt10`` for the 19 criteria of QĐ 318; ``8-9``, ``5-7``,
``lt5`` for the 10 of QĐ 51). The four house colours (:data:`ntmgis.core.palette.
CLASS_COLORS`) go to the bands in order; the 19-criteria set keeps its labels of
:mod:`ntmgis.core.i18n` word for word.
"""

from __future__ import annotations

from ntmgis.core import palette
from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet, band_keys
from ntmgis.core.i18n import catalog, labels

__all__ = ["band_colors", "band_labels", "band_styles"]

_m = catalog({
    "ntm": ("Đạt chuẩn NTM ({n} tiêu chí)", "Recognised NTM ({n} criteria)"),
    "range": ("{lo} - {hi} tiêu chí", "{lo}-{hi} criteria"),
    "below": ("Dưới {n} tiêu chí", "Below {n} criteria"),
})


def _is_qd318(cset: CriteriaSet) -> bool:
    return cset is COMMUNE_CRITERIA or tuple(cset.bands) == tuple(COMMUNE_CRITERIA.bands)


def band_colors(cset: CriteriaSet) -> dict[str, str]:
    """Band key -> colour, best band first."""
    if _is_qd318(cset):
        return dict(palette.CLASS_COLORS)
    keys = band_keys(tuple(cset.bands))
    return dict(zip(keys, palette.CLASS_COLORS.values(), strict=True))


def band_labels(cset: CriteriaSet, lang: str = "vi") -> dict[str, str]:
    """Band key -> label in ``lang`` ("8 - 9 tiêu chí"), best band first."""
    if _is_qd318(cset):
        return labels("class", lang)
    bounds = tuple(cset.bands)
    out = {"ntm": _m("ntm", lang, n=len(cset))}
    for upper, lower in zip(bounds, bounds[1:], strict=False):
        out[f"{lower}-{upper - 1}"] = _m("range", lang, lo=lower, hi=upper - 1)
    out[f"lt{bounds[-1]}"] = _m("below", lang, n=bounds[-1])
    return out


def band_styles(cset: CriteriaSet, lang: str = "vi") -> tuple[dict[str, str], dict[str, str]]:
    """``(colours, labels)`` of the set's bands, both keyed by band."""
    return band_colors(cset), band_labels(cset, lang)
