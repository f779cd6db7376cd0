"""The relief resampled once per map layout, and embedded once per PDF.

At 300 dpi, resampling the hillshade onto the page is the largest single cost of
drawing a district map (about 0.12 s a page). The overview, every criterion page
and the investment page show the same relief crop in the same frame, so the
resampled pixels are the same: they are kept and reused while the inputs match.

The key holds every input of matplotlib's ``_make_image``: the pixels (by
digest), the extent, the data-to-device transform, the clip box, the
magnification and the image's interpolation settings. Equal keys give equal
pixels, so the output bytes do not change. Only raster (Agg) drawing is cached:
the PDF backend embeds the unresampled image and names images by object
identity, so handing it a shared array could change the file.

In the PDF, matplotlib writes every image it is handed as its own image object,
at the end: the 20 district pages of the sample carried 20 copies of the same
relief crop (75 % of the file, 1/3 of the time spent closing it).
:class:`SharedImagesPdfPages` writes one image object per distinct image
(by content) that every page showing it refers to, each with its own placement.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_pdf import PdfFile, PdfPages
from matplotlib.image import AxesImage

__all__ = ["CachedAxesImage", "cache_resampling", "clear_cache", "SharedImagesPdfPages"]

# A few full-resolution map images (tens of MB each at 300 dpi): enough for the
# district frame shared by most pages, small enough to keep memory flat.
_MAX_ENTRIES = 3
_CACHE: OrderedDict[tuple, tuple] = OrderedDict()


def clear_cache() -> None:
    """Forget every resampled image (after a run, to give the memory back)."""
    _CACHE.clear()


def _digest(arr) -> tuple:
    data = np.ascontiguousarray(np.ma.getdata(arr))
    h = hashlib.blake2b(memoryview(data).cast("B"), digest_size=16)
    mask = np.ma.getmask(arr)
    if mask is not np.ma.nomask:
        h.update(np.ascontiguousarray(mask).tobytes())
    return (data.shape, data.dtype.str, mask is np.ma.nomask, h.hexdigest())


class CachedAxesImage(AxesImage):
    """An :class:`~matplotlib.image.AxesImage` whose raster resampling is memoised."""

    def _cache_key(self, renderer, magnification: float) -> tuple | None:
        trans = self.get_transform()
        if not isinstance(renderer, RendererAgg) or not trans.is_affine:
            return None
        fig_box = self.figure.bbox
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else fig_box
        alpha = self.get_alpha()
        if alpha is not None and not np.isscalar(alpha):
            return None  # an alpha array: rare, not worth hashing
        norm = self.norm
        return (_digest(self._A), tuple(float(v) for v in self.get_extent()),
                trans.get_affine().get_matrix().tobytes(), tuple(clip.bounds),
                tuple(fig_box.bounds), float(magnification),
                self.get_interpolation(), self.get_interpolation_stage(), alpha,
                self.get_resample(), self.get_filternorm(), self.get_filterrad(),
                self.origin, self.cmap.name, type(norm).__name__, norm.vmin, norm.vmax)

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        """As :meth:`AxesImage.make_image`, reusing the last result for equal inputs."""
        key = None if unsampled else self._cache_key(renderer, magnification)
        if key is None:
            return super().make_image(renderer, magnification, unsampled)
        hit = _CACHE.get(key)
        if hit is None:
            hit = super().make_image(renderer, magnification, unsampled)
            _CACHE[key] = hit
            while len(_CACHE) > _MAX_ENTRIES:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
        return hit


def cache_resampling(im: AxesImage) -> AxesImage:
    """Make ``im`` (made by ``imshow``) reuse resampled pixels; returns it.

    Only the class changes, so every property ``imshow`` set stays as it was.
    """
    if type(im) is AxesImage:
        im.__class__ = CachedAxesImage
    return im


class _SharedImagesPdfFile(PdfFile):
    """A :class:`~matplotlib.backends.backend_pdf.PdfFile` with one image object per content.

    Images are named in the order first met, so the bytes repeat run after run.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._by_content: dict[tuple, str] = {}

    def imageObject(self, image):  # noqa: N802 - matplotlib's name
        """The name of the image object of ``image``'s pixels (made when first met)."""
        key = _digest(image)
        name = self._by_content.get(key)
        if name is None:
            name = self._by_content[key] = super().imageObject(image)
        return name


class SharedImagesPdfPages(PdfPages):
    """:class:`~matplotlib.backends.backend_pdf.PdfPages` writing each distinct image once."""

    def _ensure_file(self):
        if self._file is None:
            self._file = _SharedImagesPdfFile(self._filename, metadata=self._metadata)
        return self._file
