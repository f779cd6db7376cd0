"""The relief resampled once per map layout, and embedded once per PDF.

At 300 dpi, resampling the hillshade onto the page is the largest single cost of
drawing a district map (about 0.12 s a page). The overview, every criterion page
and the investment page show the same relief crop in the same frame, so the
resampled pixels are the same: they are kept and reused while the inputs match.
A relief enlarged for the raster (every commune page's own crop) is resampled by
Pillow in bytes rather than by matplotlib in floats (:func:`upsampled`): about a
third of the time, within 3 levels of matplotlib's pixels.

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
from matplotlib import _path
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_pdf import Name, Op, PdfFile, PdfPages, Verbatim, pdfRepr
from matplotlib.image import AxesImage

__all__ = ["CachedAxesImage", "cache_resampling", "clear_cache", "SharedImagesPdfPages",
           "upsampled"]

# A few full-resolution map images (tens of MB each at 300 dpi): enough for the
# district frame shared by most pages, small enough to keep memory flat.
_MAX_ENTRIES = 3
_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
# A path written with more bytes of operators than this is shared between the PDF's pages.
_SHARE_PATH_BYTES = 16_384
# Decimals of a point in the PDF's path coordinates (matplotlib writes six).
_PDF_DECIMALS = 2


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
            hit = upsampled(self, magnification)
            if hit is None:
                hit = super().make_image(renderer, magnification, unsampled)
            _CACHE[key] = hit
            while len(_CACHE) > _MAX_ENTRIES:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
        return hit


def upsampled(im: AxesImage, magnification: float = 1.0) -> tuple | None:
    """``im.make_image`` for a raster of an 8-bit RGBA image enlarged bilinearly, or None.

    matplotlib turns the bytes into float32, premultiplies them by their alpha,
    resamples the whole frame (a 300-dpi map frame is 4-5 million pixels) in float,
    divides again and converts back to bytes: about 0,2 s a relief image, a fifth of a
    100-commune atlas page's CPU. Pillow enlarges the premultiplied bytes with the same
    bilinear weights (pixel centres, edges repeated) in about 0,07 s: alpha within 2
    levels of matplotlib's, the colour as it shows over the map within 3 (rounding in
    bytes rather than floats; tested), and the frame's size, place and transform are
    matplotlib's own (:func:`_frame`).

    Returns None (matplotlib resamples) for anything else: another dtype or
    interpolation, a mask, an alpha, a turned or mirrored image, or an image
    shrunk in either direction, where matplotlib's filter differs from Pillow's.
    """
    from PIL import Image

    A = im._A  # imshow keeps a masked array, without a mask for plain pixels
    if (not isinstance(A, np.ndarray) or np.ma.getmask(A) is not np.ma.nomask
            or A.dtype != np.uint8 or A.ndim != 3 or A.shape[2] != 4
            or im.get_interpolation() != "bilinear" or im.get_alpha() is not None):
        return None
    frame = _frame(im, magnification)
    if frame is None:
        return None
    (h, w), x0, y0, t = frame
    (a, b, c), (d, e, f) = t.inverted().get_matrix()[:2]
    if b != 0 or d != 0 or not 0 < a <= 1 or not 0 < abs(e) <= 1:
        return None
    pad = 2  # the frame reaches up to a pixel beyond the image: its edge pixels repeat
    top, bottom = f + pad, f + e * h + pad
    box = (c + pad, min(top, bottom), c + a * w + pad, max(top, bottom))
    if box[0] < 0 or box[1] < 0 or box[2] > A.shape[1] + 2 * pad \
            or box[3] > A.shape[0] + 2 * pad:
        return None  # (not met: the frame is the image's, rounded to whole pixels)
    # an (h, w, 4) uint8 array is an RGBA image; RGBa: its colours premultiplied by alpha
    src = Image.fromarray(np.pad(np.ma.getdata(A), ((pad, pad), (pad, pad), (0, 0)),
                                 mode="edge")).convert("RGBa")
    out = np.asarray(src.resize((w, h), Image.Resampling.BILINEAR, box=box).convert("RGBA"))
    if e < 0:  # output rows upwards from the frame's bottom, the image's downwards
        out = np.ascontiguousarray(out[::-1])
    return out, x0, y0, t


def _frame(im: AxesImage, magnification: float) -> tuple | None:
    """The output size, corner and image-to-pixel transform of ``im.make_image``.

    As matplotlib 3.11's ``AxesImage.make_image`` and ``_ImageBase._make_image``
    compute them (rounded to whole pixels); None where it draws nothing.
    """
    from matplotlib.transforms import Affine2D, Bbox, IdentityTransform, TransformedBbox

    A = im._A
    x1, x2, y1, y2 = im.get_extent()
    in_bbox = Bbox(np.array([[x1, y1], [x2, y2]]))
    out_bbox = TransformedBbox(in_bbox, im.get_transform())
    clip = ((im.get_clip_box() or im.axes.bbox) if im.get_clip_on()
            else im.get_figure(root=True).bbox)
    clipped = Bbox.intersection(out_bbox, clip)
    if clipped is None:
        return None
    e = clipped.extents * magnification
    box = Bbox.from_extents([np.floor(e[0] + 0.5), np.ceil(e[1] - 0.5 - 1e-8),
                             np.floor(e[2] + 0.5 + 1e-8), np.ceil(e[3] - 0.5)])
    if box.width == 0 or box.height == 0:
        return None
    t0 = (Affine2D().translate(0, -A.shape[0]).scale(1, -1) if im.origin == "upper"
          else IdentityTransform())
    t0 += (Affine2D().scale(in_bbox.width / A.shape[1], in_bbox.height / A.shape[0])
           .translate(in_bbox.x0, in_bbox.y0) + im.get_transform())
    t = t0 + Affine2D().scale(magnification).translate(-box.x0, -box.y0)
    return (int(box.height), int(box.width)), box.x0 / magnification, \
        box.y0 / magnification, t


def cache_resampling(im: AxesImage) -> AxesImage:
    """Make ``im`` (made by ``imshow``) reuse resampled pixels; returns it.

    Only the class changes, so every property ``imshow`` set stays as it was.
    """
    if type(im) is AxesImage:
        im.__class__ = CachedAxesImage
    return im


class _SharedImagesPdfFile(PdfFile):
    """A :class:`~matplotlib.backends.backend_pdf.PdfFile` with one object per image or long path.

    Images, and paths of more than :data:`_SHARE_PATH_BYTES` of drawing operators
    drawn a second time (the outlines of a thousand communes, the same on the
    overview, every criterion page and the investment page), are written once, as
    an image or a form object, and each further page that shows them refers to it.
    A form draws with the colours, line width, dashes and clipping in force where
    the page calls it, so the page looks the same. Objects are named in the order
    first met, so the bytes repeat run after run.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._by_content: dict[tuple, str] = {}
        self._forms: dict[bytes, tuple] = {}  # digest -> (name, object, operators, box)
        self._pending: list | None = None  # a long path waiting for its painting operator
        self._seen: set[bytes] = set()  # digests of the long paths drawn so far
        # a text's operators after its placement, by text (see _rc._pdf_text)
        self.text_cache: dict[tuple, bytes] = {}

    @staticmethod
    def pathOperations(path, transform, clip=None, simplify=None, sketch=None):  # noqa: N802
        """A path's operators, as matplotlib writes them but with two decimals of a point.

        matplotlib writes six (a millionth of a point); two are 0,0035 mm on paper,
        far below what print shows, and numbers that short compress well: a map of
        1.000 communes (outlines, fills, the halos of its labels) weighs half as much.
        """
        return [Verbatim(_path.convert_to_string(
            path, transform, clip, simplify, sketch, _PDF_DECIMALS,
            [Op.moveto.value, Op.lineto.value, b"", Op.curveto.value, Op.closepath.value],
            True))]

    def path_commands(self, path, transform, clip=False, sketch=None) -> list:
        """A path's operators as matplotlib's ``PdfFile.writePath`` makes them."""
        if clip:
            clip = (0.0, 0.0, self.width * 72, self.height * 72)
            simplify = path.should_simplify
        else:
            clip = None
            simplify = False
        return self.pathOperations(path, transform, clip, simplify=simplify, sketch=sketch)

    def writePath(self, path, transform, clip=False, sketch=None):  # noqa: N802
        """As matplotlib writes a path, but a long one waits to become a form."""
        cmds = self.path_commands(path, transform, clip, sketch)
        if len(cmds) == 1 and len(cmds[0].pdfRepr()) >= _SHARE_PATH_BYTES:
            self._flush_pending()
            self._pending = cmds
        else:
            self.output(*cmds)

    def output(self, *data):
        """Write ``data``; the painting operator of a long path paints it through its form."""
        if self._pending is not None:
            if len(data) == 1 and isinstance(data[0], Op):
                ops = self._pending[0].pdfRepr() + b"\n" + pdfRepr(data[0]) + b"\n"
                key = hashlib.blake2b(ops, digest_size=16).digest()
                if key in self._forms or key in self._seen:  # drawn before: share it
                    self._pending = None
                    super().output(self._form(key, ops), Op.use_xobject)
                    return
                self._seen.add(key)  # a path drawn once stays in its page
            self._flush_pending()
        super().output(*data)

    def _flush_pending(self) -> None:
        if self._pending is not None:
            cmds, self._pending = self._pending, None
            super().output(*cmds)

    def endStream(self):  # noqa: N802 - matplotlib's name
        """End the current stream (a page's drawing), a waiting path written first."""
        if self.currentstream is not None:
            self._flush_pending()
        super().endStream()

    def _form(self, key: bytes, ops: bytes) -> Name:
        """The name of the form object that draws ``ops`` (digest ``key``; made once)."""
        hit = self._forms.get(key)
        if hit is None:
            name = Name(f"NtmPath{len(self._forms)}")
            box = [0, 0, self.width * 72, self.height * 72]
            hit = self._forms[key] = (name, self.reserveObject("shared path"), ops, box)
        return hit[0]

    def writeObject(self, object, contents):  # noqa: N802, A002 - matplotlib's names
        """Write an object; the file's table of external objects lists the forms too."""
        if object is self.XObjectObject:
            contents = {**contents, **{name: ob for name, ob, _, _ in self._forms.values()}}
        super().writeObject(object, contents)

    def writeImages(self):  # noqa: N802 - matplotlib's name
        """Write the images, then the forms of the long paths."""
        super().writeImages()
        for _, ob, ops, box in self._forms.values():
            self.outputStream(ob, ops, extra={"Type": Name("XObject"), "Subtype": Name("Form"),
                                              "BBox": box})

    def imageObject(self, image):  # noqa: N802 - matplotlib's name
        """The name of the image object of ``image``'s pixels (made when first met)."""
        return self.image_named(_digest(image), image)

    def image_named(self, key: tuple, image) -> Name:
        """The name of the image object of ``image``, whose digest is ``key``."""
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
