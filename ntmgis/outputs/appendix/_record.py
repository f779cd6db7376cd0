"""A page's PDF drawing done in a worker, replayed into the one PDF by the parent.

Pickling a whole figure to the parent, which unpickled it and drew it again into
the PDF, made the parent a serial bottleneck (0,1 s to unpickle and 0,2 s to draw
a page of a 100-commune atlas, against 1,3 s of worker CPU a page: on two cores
three processes shared them). Here the worker draws the page with matplotlib's PDF
renderer into a :class:`RecordingPdfFile`, which keeps, in order, what the renderer
wrote into the page's content stream:

* bytes that depend only on the page (paths, colours, clipping, transforms);
* each call that names a resource of the file (a transparency state, a hatch, an
  image, a marker): names are numbered in the order the file first meets them, so
  the parent must make them, in the same order the serial loop does;
* each output that uses such a name, with the name left as a :class:`Sym`;
* a long path (``_imagecache``: shared as a form once drawn twice in the file);
* each text, after its colours: its glyph codes and fonts depend on the glyphs the
  file met before (matplotlib numbers the glyphs beyond a font's first subset as
  met), so the parent writes it with its own text cache (mostly a copy).

:func:`replay_page` makes the same calls on the parent's file in the same order, so
the PDF is byte for byte the one the serial loop writes (tested). What a recording
cannot hold (links, math text, a path collection's shared template, shadings, soft
masks, matplotlib's 14 core fonts) raises :class:`Unrecordable`; the worker then
sends the pickled figure, drawn in the parent as before.
"""

from __future__ import annotations

import copy
from io import BytesIO
from typing import Any

import numpy as np
from matplotlib.backends.backend_pdf import (
    Op,
    PdfFile,
    PdfPages,
    RendererPdf,
    Verbatim,
    pdfRepr,
)

from ntmgis.outputs.appendix._imagecache import (
    _SHARE_PATH_BYTES,
    _digest,
    _SharedImagesPdfFile,
)

__all__ = ["Sym", "Unrecordable", "RecordingPdfFile", "record_page", "replay_page",
           "PageRecord"]


class Unrecordable(Exception):
    """The page draws something a recording does not hold: send the figure instead."""


class Sym:
    """A resource of the file, named by the parent when the record is replayed."""

    __slots__ = ("kind", "args")

    def __init__(self, kind: str, args: tuple) -> None:
        self.kind = kind
        self.args = args

    def __getstate__(self) -> tuple:
        return (self.kind, self.args)

    def __setstate__(self, state: tuple) -> None:
        self.kind, self.args = state


#: A recorded page: (width, height in inches, items). An item is bytes, or
#: ("name", Sym), ("out", output data: operators, Syms and the rest written out),
#: ("pending", a long path's operators) or
#: ("text", (x, y, string, font, angle, features, language, rgb)). Nothing in it
#: refers to the figure: it is drawn again (the PNG) before the record is sent.
PageRecord = tuple[float, float, list]


class RecordingPdfFile(_SharedImagesPdfFile):
    """A PDF file that records a page's content stream instead of writing it.

    ``sent`` holds the digests of the images this process has already sent to the
    parent: an image's pixels travel once per worker, later pages name it by digest.
    """

    def __init__(self, sent: set) -> None:
        self._recording = False  # within a page's content stream (the file writes at once)
        super().__init__(BytesIO())
        self.items: list = []
        self._buf: list[bytes] = []
        self._sent = sent
        self.new_sent: list = []
        # after a long path, outputs go to the parent's output(), which paints it
        self._after_pending = False

    # -- the content stream ------------------------------------------------------------
    def newPage(self, width, height) -> None:  # noqa: N802 - matplotlib's name
        """Start the page; its first operators are the parent's own ``newPage``'s."""
        super().newPage(width, height)
        self._buf.clear()
        self._recording = True

    def endStream(self) -> None:  # noqa: N802 - matplotlib's name
        """End the page: what follows (its length object) is the throwaway file's."""
        self._recording = False
        super().endStream()

    def write(self, data) -> None:
        """Keep the page's bytes (outside its stream: the throwaway file's own objects)."""
        if self._recording:
            self._buf.append(bytes(data))
        else:
            self.fh.write(data)

    def _item(self, item: tuple) -> None:
        if self._buf:
            self.items.append(b"".join(self._buf))
            self._buf.clear()
        self.items.append(item)

    def take(self) -> list:
        """The page's items, its last bytes included."""
        if self._buf:
            self.items.append(b"".join(self._buf))
            self._buf.clear()
        return self.items

    def output(self, *data) -> None:
        """Write ``data``, or record it when it names a resource or may paint a long path."""
        if self._after_pending or any(type(d) is Sym for d in data):
            self._after_pending = False
            # written out now: a clip box or colour is a live object that the PNG's
            # drawing, before the record leaves this process, changes
            self._item(("out", tuple(d if type(d) is Sym or isinstance(d, Op)
                                     else Verbatim(pdfRepr(d)) for d in data)))
        else:
            PdfFile.output(self, *data)

    def writePath(self, path, transform, clip=False, sketch=None) -> None:  # noqa: N802
        """As the shared-images file writes a path; a long one is recorded for the parent."""
        cmds = self.path_commands(path, transform, clip, sketch)
        if len(cmds) == 1 and len(ops := cmds[0].pdfRepr()) >= _SHARE_PATH_BYTES:
            self._item(("pending", ops))
            self._after_pending = True
        else:
            self.output(*cmds)

    def record_text(self, renderer, gc, x, y, s, prop, angle, ismath, mtext) -> None:
        """A text: its colours written here, the rest by the parent (see the module)."""
        import matplotlib as mpl

        if ismath or gc.get_url() is not None or mpl.rcParams["pdf.use14corefonts"]:
            raise Unrecordable("text")
        renderer.check_gc(gc, gc._rgb)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        self._item(("text", (x, y, s, prop.copy(), angle, features, language,
                             tuple(gc._rgb))))
        self._after_pending = False  # the parent's text goes through its output()

    # -- resources: named by the parent ------------------------------------------------
    def _name(self, kind: str, args: tuple) -> Sym:
        sym = Sym(kind, args)
        self._item(("name", sym))
        return sym

    def alphaState(self, alpha):  # noqa: N802 - matplotlib's name
        """A transparency state, named by the parent."""
        return self._name("alpha", (tuple(alpha),))

    def hatchPattern(self, hatch_style):  # noqa: N802 - matplotlib's name
        """A hatch pattern, named by the parent."""
        edge, face, hatch, lw = hatch_style  # copied: colours may be arrays, changed later
        return self._name("hatch", ((None if edge is None else tuple(edge),
                                     None if face is None else tuple(face), hatch, lw),))

    def imageObject(self, image):  # noqa: N802 - matplotlib's name
        """An image, named by the parent; its pixels sent the first time this process meets it."""
        key = _digest(image)
        data = None
        if key not in self._sent and key not in self.new_sent:
            data = np.array(image, copy=True)
            self.new_sent.append(key)
        return self._name("image", (key, data))

    def markerObject(self, path, trans, fill, stroke, lw, joinstyle,  # noqa: N802
                     capstyle):
        """A marker, named (and made) by the parent."""
        return self._name("marker", (copy.deepcopy(path), trans.frozen(), fill, stroke, lw,
                                     joinstyle, capstyle))

    def _unrecordable(self, *args, **kwargs):
        raise Unrecordable("resource")

    fontName = _unrecordable  # noqa: N815 - texts are written by the parent
    dviFontName = _unrecordable  # noqa: N815
    pathCollectionObject = _unrecordable  # noqa: N815
    addGouraudTriangles = _unrecordable  # noqa: N815
    _soft_mask_state = _unrecordable
    newTextnote = _unrecordable  # noqa: N815


class _RecordingPages(PdfPages):
    """``PdfPages`` over a :class:`RecordingPdfFile`, so ``savefig`` draws a page into it."""

    def __init__(self, sent: set) -> None:
        super().__init__(BytesIO())
        self._file = RecordingPdfFile(sent)


def record_page(fig, sent: set) -> PageRecord | None:
    """``fig``'s PDF page as a record (see the module), or None if it cannot be recorded.

    ``sent``: digests of the images this process sent with earlier records; updated
    only when the record is made.
    """
    pages = _RecordingPages(sent)
    file = pages._file
    try:
        pages.savefig(fig)
    except Unrecordable:
        return None
    if any(annots for _, annots in file._annotations):
        return None  # links on the page: the parent draws it
    sent.update(file.new_sent)
    return (file.width, file.height, file.take())


class _TextGC:
    """What the PDF writer reads from a graphics context once a text's colours are set."""

    def __init__(self, rgb: tuple) -> None:
        self._rgb = rgb

    def get_url(self) -> None:
        return None


class _TextOptions:
    """What the PDF writer reads from a text artist: its font features and language."""

    def __init__(self, features: Any, language: Any) -> None:
        self._features = features
        self._language = language

    def get_fontfeatures(self) -> Any:
        return self._features

    def get_language(self) -> Any:
        return self._language


def _no_check_gc(*args, **kwargs) -> None:
    """The colours of a replayed text were written by the worker."""


def replay_page(file: _SharedImagesPdfFile, record: PageRecord, images: dict) -> None:
    """Write a recorded page into ``file``: the calls the serial loop makes, in its order.

    ``images`` maps an image's digest to its pixels (filled from the records as they
    come: a worker sends an image once, with the first of its pages that shows it).
    """
    width, height, items = record
    file.newPage(width, height)  # the renderer's last state was recorded: then the end
    renderer = RendererPdf(file, 72, height, width)
    renderer.check_gc = _no_check_gc
    names: dict[int, Any] = {}
    write, output = file.write, file.output
    for item in items:
        if type(item) is bytes:
            write(item)
            continue
        kind, arg = item
        if kind == "out":
            output(*[names[id(d)] if type(d) is Sym else d for d in arg])
        elif kind == "name":
            names[id(arg)] = _resolve(file, arg, images)
        elif kind == "text":
            x, y, s, prop, angle, features, language, rgb = arg
            RendererPdf.draw_text(renderer, _TextGC(rgb), x, y, s, prop, angle, False,
                                  _TextOptions(features, language))
        elif kind == "pending":  # as the shared-images file's writePath
            file._flush_pending()
            file._pending = [Verbatim(arg)]
        else:  # pragma: no cover - a record of another version
            raise ValueError(f"unknown page record item {kind!r}")
    file.endStream()


def _resolve(file: _SharedImagesPdfFile, sym: Sym, images: dict):
    """The parent's name for ``sym``, made by the file's own naming call."""
    if sym.kind == "alpha":
        return file.alphaState(*sym.args)
    if sym.kind == "hatch":
        return file.hatchPattern(*sym.args)
    if sym.kind == "image":
        key, data = sym.args
        if data is not None:
            images.setdefault(key, data)
        return file.image_named(key, images[key])
    if sym.kind == "marker":
        return file.markerObject(*sym.args)
    raise ValueError(f"unknown resource {sym.kind!r}")  # pragma: no cover
