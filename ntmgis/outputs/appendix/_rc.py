"""The matplotlib settings every appendix page is drawn with, in one place.

Fixed settings make the output identical run after run, and on any machine with
the same matplotlib (its bundled DejaVu Sans covers Vietnamese fully). Both the
serial loop and every worker process apply them. Text metrics are shared by
the pages of a run (:func:`shared_text_metrics`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

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


# Text layouts shared by every page of a run (see _layout); bounded.
_LAYOUTS: dict[tuple, tuple] = {}
_MAX_LAYOUTS = 50_000
_REAL: dict[str, object] = {}  # matplotlib's own functions, while ours stand in
# what a text's layout depends on besides its font, dpi and renderer (see _layout)
_LAYOUT_ATTRS = ("_text", "_parse_math", "_rotation", "_horizontalalignment",
                 "_verticalalignment", "_multialignment", "_linespacing", "_rotation_mode",
                 "_wrap", "_transform_rotates_text", "_fontproperties")


def _layout(text, renderer):
    """``Text._get_layout``, cached by what the layout depends on, not by the text object.

    A layout (the text's box and its lines, relative to its anchor) depends on the
    string, font, size, alignment, rotation, line spacing and dpi and on the
    renderer's kind (and on rcParams, fixed for the run), not on where the text
    is or on which page: a legend, a frame, a table header or a commune's name
    is laid out once per run instead of once per page and per output (PDF, PNG).
    Texts that wrap, use TeX or turn with their transform are laid out as before.
    """
    real = _REAL["layout"]
    if text._wrap or text.get_usetex() or text._transform_rotates_text:
        return real(text, renderer)
    key = (type(renderer), text.get_figure(root=True).dpi, text._text, text._parse_math,
           text._fontproperties, text._rotation, text._horizontalalignment,
           text._verticalalignment, text._multialignment, text._linespacing,
           text._rotation_mode)
    hit = _LAYOUTS.get(key)
    if hit is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.clear()
        bbox, lines, corner = real(text, renderer)
        # the key holds a frozen copy of the font: FontProperties is mutable
        key = key[:4] + (text._fontproperties.copy(),) + key[5:]
        hit = _LAYOUTS[key] = (bbox.frozen(), lines, corner)
    bbox, lines, corner = hit
    return bbox.frozen(), list(lines), corner  # callers get their own box and list


# Glyph layouts (shaping) of strings, by font, size and dpi (see _agg_text, _pdf_layout)
_GLYPHS: dict[tuple, list] = {}
_PDF_SIZES: dict[int, float] = {}  # id of a font -> the size the PDF writer just set
_IN_PDF_TEXT = [False]  # whether the PDF writer's draw_text is running


class _Item(NamedTuple):
    """A shaped glyph, copied: matplotlib's items read the font's current state."""

    ft_object: Any
    char: str
    glyph_index: int
    x: float
    y: float
    prev_kern: float


def _glyphs(key: tuple, shape) -> list:
    """The glyph layout of ``key``, shaped by ``shape()`` the first time in the run.

    Each item is copied as it comes (a layout item's fields are read from the font,
    which the next string's shaping changes).
    """
    try:
        hit = _GLYPHS.get(key)
    except TypeError:  # font features given as a list: not cached
        return list(shape())
    if hit is None:
        if len(_GLYPHS) >= _MAX_LAYOUTS:
            _GLYPHS.clear()
        from matplotlib.font_manager import FontProperties

        # a font's properties are mutable: key on a copy
        key = tuple(k.copy() if isinstance(k, FontProperties) else k for k in key)
        hit = _GLYPHS[key] = [_Item(i.ft_object, i.char, i.glyph_index, i.x, i.y, i.prev_kern)
                              for i in shape()]
    return hit


def _agg_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
    """``RendererAgg.draw_text`` with the string's glyph layout shaped once per run.

    Shaping a string (libraqm) is about a sixth of drawing a text at 300 dpi; the
    glyphs are drawn as matplotlib draws them, from the same layout, and each
    glyph's bitmap is rasterised once per run (:func:`_draw_glyphs`).
    """
    if ismath:
        return _REAL["agg_text"](self, gc, x, y, s, prop, angle, ismath, mtext)
    from matplotlib.backends.backend_agg import get_hinting_flag

    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    flags = get_hinting_flag()
    size = prop.get_size_in_points()

    def shape():  # finding the font is a fifth of the work: only when not shaped yet
        font = self._prepare_font(prop)
        return font._layout(s, flags=flags, features=features, language=language)

    items = _glyphs(("agg", prop, self.dpi, s, flags, features, language), shape)
    if "render_glyph" not in _REAL:  # another matplotlib: its own glyph loop
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle,
            ((item.ft_object, size, item.glyph_index, 0, 1, item.x, item.y) for item in items),
            [])
        return None
    _draw_glyphs(self, gc, x, y, angle, size, flags, items)
    return None


# Rasterised glyphs shared by every page of a run (see _draw_glyphs); bounded.
_BITMAPS: dict[tuple, tuple] = {}
_MAX_BITMAPS = 200_000


def _draw_glyphs(renderer, gc, x, y, angle, size, flags, items) -> None:
    """Draw glyphs as ``RendererAgg._draw_text_glyphs_and_boxes`` does, rasterised once per run.

    matplotlib places a glyph by handing FreeType its position in 1/64 of a pixel and
    rasterising it there, every time. A glyph's bitmap depends only on the font, size,
    dpi, rotation, hinting and the position's fraction of a pixel (64 x 64 steps): moved
    by whole pixels, the same outline gives the same bitmap, moved by as many pixels.
    So each bitmap is rasterised at its fraction once and drawn where it belongs:
    the same pixels (the sample's labels, cells and legends reuse about 5 glyphs in 6).
    """
    import math

    import numpy as np
    from matplotlib.ft2font import RenderMode

    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    # as matplotlib computes it (no slant, no extension)
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]
              ).round().astype(int)
    rotation = tuple(matrix.ravel().tolist())
    antialiased = bool(gc.get_antialiased())
    mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
    height, dpi = renderer.height, renderer.dpi
    bottom = int(height)
    draw = renderer._renderer.draw_text_image
    for item in items:
        dx, dy = item.x, item.y  # dy is upwards; so is FreeType's y
        px = round(0x40 * (x + dx * cos - dy * sin))
        py = round(0x40 * (height - y + dx * sin + dy * cos))
        key = (item.ft_object, size, dpi, item.glyph_index, rotation, px & 63, py & 63,
               flags, antialiased)
        hit = _BITMAPS.get(key)
        if hit is None:
            font = item.ft_object
            font.set_size(size, dpi)
            font._set_transform(matrix, [px & 63, py & 63])
            bitmap = _REAL["render_glyph"](font, item.glyph_index, flags, mode)
            buffer = bitmap.buffer
            if not antialiased:
                buffer *= 0xff
            if len(_BITMAPS) >= _MAX_BITMAPS:
                _BITMAPS.clear()
            hit = _BITMAPS[key] = (buffer, bitmap.left, bitmap.top)
        buffer, left, top = hit
        # whole pixels move the bitmap (>> floors, as FreeType does, below zero too);
        # draw_text_image's y is downwards and the bitmap's bottom side
        draw(buffer, left + (px >> 6), bottom - (top + (py >> 6)) + buffer.shape[0], 0, gc)


def _pdf_shaped_text(self, *args, **kwargs):
    """``RendererPdf.draw_text``, during which :func:`_pdf_layout` knows the font's size.

    Other users of the same font objects (text drawn as paths: the labels' halos) set
    other sizes and need the glyph each item loads: they are shaped as before.
    """
    _PDF_SIZES.clear()
    _IN_PDF_TEXT[0] = True
    try:
        return _REAL["pdf_text"](self, *args, **kwargs)
    finally:
        _IN_PDF_TEXT[0] = False
        _PDF_SIZES.clear()


def _pdf_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
    """``RendererPdf.draw_text``, a text's operators written once per PDF and then copied.

    matplotlib writes a text as: its colours, ``q``, the matrix that puts it at
    (x, y) and turns it, then its font, glyphs and kerning, ``Q``. Only the matrix
    depends on where the text is: the rest depends on the string, font, size and
    angle, and on the PDF file (its font names and glyph subsets, fixed once a
    glyph is met in the file). So in a PDF that keeps a ``text_cache`` (the
    appendix's), the rest is kept, by text, the first time, and written again as
    it was for the same text elsewhere: the same bytes (the sample's map labels,
    table cells and legends repeat page after page). Math text, links and
    matplotlib's 14 core fonts are written as before.
    """
    import math

    import matplotlib as mpl
    from matplotlib.backends.backend_pdf import Op, _fill, pdfRepr

    record = getattr(self.file, "record_text", None)
    if record is not None:  # a worker's page: the parent writes the text (see _record)
        return record(self, gc, x, y, s, prop, angle, ismath, mtext)
    cache = getattr(self.file, "text_cache", None)
    if (cache is None or ismath or gc.get_url() is not None
            or mpl.rcParams["pdf.use14corefonts"]):
        return _pdf_shaped_text(self, gc, x, y, s, prop, angle, ismath, mtext)
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    key = (s, prop, angle, features, language, mpl.rcParams["pdf.fonttype"])
    try:
        hit = cache.get(key)
    except TypeError:  # font features given as a list: not cached
        return _pdf_shaped_text(self, gc, x, y, s, prop, angle, ismath, mtext)
    self.check_gc(gc, gc._rgb)  # the colours first, as matplotlib does (then no change)
    a = math.radians(angle)
    place = (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), x, y, Op.concat_matrix)
    if hit is not None:
        self.file.output(Op.gsave)
        self.file.output(*place)
        self.file.write(hit)
        return None
    written: list[bytes] = []
    write = self.file.write

    def keep(data) -> None:
        written.append(bytes(data))
        write(data)

    self.file.write = keep
    try:
        _pdf_shaped_text(self, gc, x, y, s, prop, angle, ismath, mtext)
    finally:
        del self.file.write
    data = b"".join(written)
    head = (_fill([pdfRepr(Op.gsave)]) + b"\n" + _fill([pdfRepr(v) for v in place]) + b"\n")
    if data.startswith(head):  # else (another matplotlib): not kept
        key = (s, prop.copy(), *key[2:])  # FontProperties is mutable: key on a copy
        cache[key] = data[len(head):]
    return None


def _pdf_font(self, prop):
    """The PDF writer's ``_get_font_ttf``, noting the size it sets (for :func:`_pdf_layout`)."""
    font = _REAL["pdf_font"](self, prop)
    if _IN_PDF_TEXT[0]:  # (it also measures texts, outside draw_text)
        _PDF_SIZES[id(font)] = prop.get_size_in_points()
    return font


def _pdf_layout(string, font, *, features=None, language=None):
    """``_text_helpers.layout`` in the PDF writer's ``draw_text``, shaped once per run.

    The PDF writer only reads the items (glyph, position, kerning); it does not use
    the glyph that shaping leaves loaded in the font.
    """
    real = _REAL["pdf_layout"]
    size = _PDF_SIZES.get(id(font))
    if size is None:  # not within the PDF writer's draw_text
        return real(string, font, features=features, language=language)
    return _glyphs(("pdf", font.fname, font.face_index, size, string, features, language),
                   lambda: real(string, font, features=features, language=language))


# Outlines of texts drawn as paths (the labels' halos), by text (see _text_path); bounded.
_PATHS: dict[tuple, tuple] = {}


def _text_path(self, prop, s, ismath=False, *, features=None, language=None):
    """``TextToPath.get_text_path``, each text's outline made once per run.

    A label's halo is its text drawn as a path, so its glyphs' outlines are loaded and
    assembled again on every page and in every output (PDF, PNG). The outline depends
    on the string, the font and the converter's fixed scale, not on where or on which
    page it is drawn. The vertices come back as one array (matplotlib's ``Path``
    makes one of its list of rows anyway: the same numbers), a copy for each caller.
    """
    import numpy as np
    from matplotlib.path import Path

    real = _REAL["text_path"]
    if ismath:
        return real(self, prop, s, ismath, features=features, language=language)
    key = (prop, s, features, language, self.FONT_SCALE, self.DPI)
    try:
        hit = _PATHS.get(key)
    except TypeError:  # font features given as a list: not cached
        return real(self, prop, s, ismath, features=features, language=language)
    if hit is None:
        verts, codes = real(self, prop, s, ismath, features=features, language=language)
        if len(_PATHS) >= _MAX_LAYOUTS:
            _PATHS.clear()
        hit = (np.asarray(verts, dtype=float).reshape(-1, 2),
               np.asarray(codes, dtype=Path.code_type))
        _PATHS[(prop.copy(), *key[1:])] = hit
    return hit[0].copy(), hit[1].copy()


# Tables of a font that a PDF viewer never reads: the text is already laid out (shaped,
# kerned) and placed glyph by glyph in the page's stream, from the full font. Leaving
# them out of the embedded subsets makes closing a PDF faster (DejaVu's kerning table
# alone was most of the 1,1 s its six subsets took) and the file smaller.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "kern")


def _glyphs_subset(fontfile, glyphs):
    """``_backend_pdf_ps.get_glyphs_subset`` without the layout tables (:data:`_LAYOUT_TABLES`).

    matplotlib 3.11's function with the same options otherwise (the glyphs' numbering,
    outlines, widths and names are the same), those tables added to the dropped ones.
    """
    from fontTools import subset
    from matplotlib.backends._backend_pdf_ps import SubsetResults

    options = subset.Options(glyph_names=True, recommended_glyphs=True)
    options.drop_tables += [*_MPL_DROPPED, *_LAYOUT_TABLES]
    options.font_number = fontfile.face_index
    font = subset.load_font(fontfile, options)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=glyphs)
    subsetter.subset(font)
    return SubsetResults(font, subsetter.glyph_index_map)._as_cm()


# the tables matplotlib 3.11 leaves out of a subset (FontForge's and Apple's own, bitmaps)
_MPL_DROPPED = ("FFTM", "PfEd", "BDF", "meta", "MERG", "TSIV", "Zapf", "bdat", "bloc", "cidg",
                "fdsc", "feat", "fmtx", "fond", "just", "kerx", "ltag", "morx", "trak", "xref")


def _install() -> bool:
    """Put the shared metrics and layouts in matplotlib's place; False if already there.

    Without the private functions (another matplotlib), the pages are drawn as they
    are, only slower.
    """
    import matplotlib.text as mtext

    if mtext.Text._get_layout is _layout:
        return False
    if hasattr(mtext, "_get_text_metrics_with_cache"):
        _REAL["metrics"] = mtext._get_text_metrics_with_cache
        mtext._get_text_metrics_with_cache = _metrics
    probe = mtext.Text()
    if hasattr(mtext.Text, "_get_layout") and all(
            hasattr(probe, a) for a in _LAYOUT_ATTRS):
        _REAL["layout"] = mtext.Text._get_layout
        mtext.Text._get_layout = _layout
    import matplotlib._text_helpers as helpers
    from matplotlib.backends import _backend_pdf_ps, backend_agg
    from matplotlib.ft2font import FT2Font

    agg = backend_agg.RendererAgg
    if all(hasattr(agg, a) for a in ("_prepare_font", "_draw_text_glyphs_and_boxes")) and \
            hasattr(FT2Font, "_layout") and hasattr(backend_agg, "get_hinting_flag"):
        _REAL["agg_text"] = agg.draw_text
        agg.draw_text = _agg_text
        if hasattr(FT2Font, "_render_glyph") and hasattr(FT2Font, "_set_transform"):
            _REAL["render_glyph"] = FT2Font._render_glyph
    from matplotlib.textpath import TextToPath

    if hasattr(TextToPath, "get_text_path"):
        _REAL["text_path"] = TextToPath.get_text_path
        TextToPath.get_text_path = _text_path
    base = _backend_pdf_ps.RendererPDFPSBase
    if hasattr(base, "_get_font_ttf") and hasattr(helpers, "layout"):
        from matplotlib.backends.backend_pdf import RendererPdf

        _REAL["pdf_font"], _REAL["pdf_layout"] = base._get_font_ttf, helpers.layout
        _REAL["pdf_text"] = RendererPdf.draw_text
        base._get_font_ttf, helpers.layout = _pdf_font, _pdf_layout
        RendererPdf.draw_text = _pdf_text
    if hasattr(_backend_pdf_ps, "get_glyphs_subset") and \
            hasattr(_backend_pdf_ps, "SubsetResults"):
        _REAL["subset"] = _backend_pdf_ps.get_glyphs_subset
        _backend_pdf_ps.get_glyphs_subset = _glyphs_subset
    return True


def _uninstall() -> None:
    import matplotlib.text as mtext

    if "metrics" in _REAL:
        mtext._get_text_metrics_with_cache = _REAL.pop("metrics")
    if "layout" in _REAL:
        mtext.Text._get_layout = _REAL.pop("layout")
    if "agg_text" in _REAL:
        from matplotlib.backends import backend_agg

        backend_agg.RendererAgg.draw_text = _REAL.pop("agg_text")
        _REAL.pop("render_glyph", None)
    if "text_path" in _REAL:
        from matplotlib.textpath import TextToPath

        TextToPath.get_text_path = _REAL.pop("text_path")
    if "pdf_font" in _REAL:
        import matplotlib._text_helpers as helpers
        from matplotlib.backends import _backend_pdf_ps
        from matplotlib.backends.backend_pdf import RendererPdf

        _backend_pdf_ps.RendererPDFPSBase._get_font_ttf = _REAL.pop("pdf_font")
        helpers.layout = _REAL.pop("pdf_layout")
        RendererPdf.draw_text = _REAL.pop("pdf_text")
    if "subset" in _REAL:
        from matplotlib.backends import _backend_pdf_ps

        _backend_pdf_ps.get_glyphs_subset = _REAL.pop("subset")
    _METRICS.clear()
    _LAYOUTS.clear()
    _GLYPHS.clear()
    _BITMAPS.clear()
    _PATHS.clear()
    _PDF_SIZES.clear()


@contextmanager
def shared_text_metrics() -> Iterator[None]:
    """Within the block, text metrics are computed once per run, not once per page.

    matplotlib caches them per renderer, and every page has its own renderers (a
    72-dpi one to place labels, the PDF's, the 300-dpi PNG's), so the legend, the
    frame and every commune name were measured again on each page: about a third
    of the time spent laying out text. The numbers are the same, so are the bytes.
    """
    # nested (a worker has it for its whole life): the outer one undoes it
    if not _install():
        yield
        return
    try:
        yield
    finally:
        _uninstall()


def share_text_metrics_for_life() -> None:
    """:func:`shared_text_metrics` for the rest of this process (a page-rendering worker)."""
    _install()
