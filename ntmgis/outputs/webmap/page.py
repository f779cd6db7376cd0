"""Assemble one self-contained HTML page: vendored libraries, data block, map script.

Nothing in the page refers to the network: Leaflet and Leaflet.markercluster
come from ``ntmgis/outputs/webmap/static/`` (see ``scripts/vendor-js.sh``), the images that
Leaflet's CSS names are inlined as data URIs, and the data sits in a
``<script type="application/json">`` block that the map script parses. User
strings are only ever set as text in the browser (``textContent``); the JSON
is additionally escaped so that no ``</script>`` or HTML can end the block.

A large data block (a province or the whole country) is written gzip
compressed instead, in a ``<script type="application/x-ntmgis-gz123">`` block:
the gzip bytes as ASCII text, six bytes in seven characters (:mod:`.text123`: no
``<``, ``>``, ``&``, NUL or CR, so nothing in it can end the element), which
``app.js`` decodes and inflates with the browser's own
``DecompressionStream`` (no library, no network).
The gzip header carries no time stamp, so the output stays deterministic.
What is compressed is a sequence of records, one per top-level key (see
:func:`_record`): the key's JSON text and, after it, the bytes of its packed
arrays (geometry, amounts: :mod:`ntmgis.outputs.webmap.packed`), which
``app.js`` reads into typed arrays without parsing them as JSON text.

A page with a compressed block has its libraries, map script and styles
compressed too (290 KB as they are, 100 KB so: :func:`_code_text`), in a
``<script id="ntmgis-code" type="application/x-ntmgis-code123">`` element; the
small ``boot.js``, the one script written as it is, inflates them and the data
block (no network, ``file://`` too) and hands the data to ``app.js``. A page with
plain JSON data (a district) has them inlined as they are.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ntmgis.outputs.webmap.packed import (
    Numbers,
    Ragged,
    pack_int_list,
    pack_numbered,
    unpack,
)
from ntmgis.outputs.webmap.refs import by_reference, restore
from ntmgis.outputs.webmap.text7 import decode7
from ntmgis.outputs.webmap.text123 import clean_cut, decode123, encode123

__all__ = ["STATIC_DIR", "APP_DIR", "COMPRESS_MIN_BYTES", "assemble_page", "library_bytes",
           "to_json", "gzip_text", "read_data_block", "data_block_text", "read_code", "GZ_TYPE",
           "CODE_TYPE"]

# the type of a compressed data block: gzip (of the records, see _record) as text123
GZ_TYPE = "application/x-ntmgis-gz123"
# the type that pages written before text123 have (text7): still read by read_data_block
GZ7_TYPE = "application/x-ntmgis-gz7"
_PLAIN = '<script id="ntmgis-data" type="application/json">'
# data blocks from this size on (bytes of the records, see _record: JSON text with the
# arrays packed, about half the plain JSON) are written compressed
COMPRESS_MIN_BYTES = 1_000_000
# zlib levels: 6 for the parts the pages share (compressed once; 9 is 1,2 % smaller
# but 3 times slower: 9 s against 3 s at N = 10.000) and for each page's own part
GZ_LEVEL_SHARED = 6
GZ_LEVEL_PAGE = 6

STATIC_DIR = Path(__file__).resolve().parent / "static"
APP_DIR = Path(__file__).resolve().parent

_LIB_JS = ("leaflet.js", "leaflet.markercluster.js")
_LIB_CSS = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")


@functools.cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _inline_css_images(css: str) -> str:
    def repl(m: re.Match) -> str:
        img = STATIC_DIR / "images" / m.group(1)
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", repl, css)


@functools.cache
def _libraries() -> tuple[str, str]:
    css = "\n".join(_inline_css_images(_read(STATIC_DIR / n)) for n in _LIB_CSS)
    js = "\n".join(_read(STATIC_DIR / n) for n in _LIB_JS)
    return css, js


def compact_js(text: str) -> str:
    """Drop comments and indentation of our own map script (not a general minifier).

    ``app.js`` is written for this: no template literals or multi-line strings,
    comments only as whole lines (``//``) or a leading ``/* ... */`` block.
    """
    if text.startswith("/*"):
        text = text[text.index("*/") + 2:]
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@functools.cache
def _app() -> tuple[str, str]:
    css = "\n".join(line.strip() for line in _read(APP_DIR / "app.css").splitlines()
                    if line.strip())
    return css, compact_js(_read(APP_DIR / "app.js"))


# the type of the element that holds the libraries, the map script and the styles of a page
# with a compressed data block, compressed the same way (gzip as text123; boot.js reads it)
CODE_TYPE = "application/x-ntmgis-code123"
# zlib level of that code: compressed once per process (0,1 s), the same in every page
GZ_LEVEL_CODE = 9


@functools.cache
def _boot() -> str:
    return compact_js(_read(APP_DIR / "boot.js"))


@functools.cache
def _code_text() -> str:
    """The styles, the libraries and the map script, NUL-separated, as gzip in text123.

    ``boot.js`` inflates it, adds the styles and runs each script in order (as
    the plain page runs its inlined ones): the libraries and ``app.js`` are 290 KB
    as they are and 100 KB so, in every compressed page.
    """
    css, js = _libraries()
    app_css, app_js = _app()
    parts = [f"{css}\n{app_css}", js, app_js]
    if any("\0" in p for p in parts):
        raise ValueError("a NUL character in the inlined code")
    raw = "\0".join(parts).encode("utf-8")
    c = zlib.compressobj(GZ_LEVEL_CODE, zlib.DEFLATED, -15, 9)
    body = c.compress(raw) + c.flush(zlib.Z_FINISH)
    return encode123(b"".join([_GZ_HEADER, body,
                               struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)]))


def read_code(page_html: str) -> tuple[str, str, str]:
    """The styles, the libraries and the map script of a page (compressed or not)."""
    m = re.search(f'<script id="ntmgis-code" type="{CODE_TYPE}">(.*?)</script>', page_html, re.S)
    if m is None:
        raise ValueError("no compressed code in the page")
    css, libs, app = zlib.decompress(decode123(m.group(1)), 31).decode("utf-8").split("\0")
    return css, libs, app


def library_bytes() -> int:
    """Size in bytes of the inlined libraries (for the size benchmark)."""
    css, js = _libraries()
    return len(css.encode()) + len(js.encode())


_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def to_json(data: object, *, cache: dict[str, str] | None = None,
            shared: frozenset[str] | set[str] = frozenset()) -> str:
    """Compact, deterministic JSON that is safe inside a ``<script>`` element.

    With ``cache``, the values of the top-level keys in ``shared`` are
    serialised once and reused (the 19 criterion maps share most of their
    data); the text is the same as without it.
    """
    if cache is None or not isinstance(data, dict):
        return _dump(data)
    return "".join(text for _, text in _pieces(data, cache, shared))


def _pieces(data: dict, cache: dict, shared: frozenset[str] | set[str]
            ) -> Iterator[tuple[str | None, str]]:
    """The JSON text of ``data`` in pieces: ``(cache key or None, text)``."""
    for n, (key, value) in enumerate(data.items()):
        text = ("{" if n == 0 else ",") + _dump(key) + ":"
        if key in shared:
            if key not in cache:
                cache[key] = _dump(value)
            yield text[0] + key, text + cache[key]
        else:
            yield None, text + _dump(value)
    yield None, "}" if data else "{}"


_GZ_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def gzip_text(chunks: list[bytes], raw: list[bytes], *, cache: dict | None = None,
              n_shared: int = 0) -> str:
    """A gzip member made of raw-deflate ``chunks``, written as text (:mod:`.text123`).

    Parameters
    ----------
    chunks : list of bytes
        Raw deflate data, each chunk ending with a full flush (no final
        block); they are independent, so cached ones can be reused.
    raw : list of bytes
        The uncompressed bytes of all chunks in order (for CRC-32 and size).
    cache : dict, optional
        Keeps the text, CRC-32 and size of the header and the first
        ``n_shared`` chunks (the same bytes in every page of a set): each
        page then encodes only its own part. The text is the same as without it.
    n_shared : int
        How many leading chunks ``cache`` may keep (the cache holds the
        prefix of one set of chunks: pass the same ones each time).

    Returns
    -------
    str
        The gzip bytes as ASCII (7 characters for 6 bytes),
        without ``<``, ``>``, ``&``, NUL and CR; the header has no file name
        and time stamp 0, so the same input gives the same text.
    """
    end = zlib.compressobj(GZ_LEVEL_PAGE, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    key = ("\0text123", n_shared, tuple(len(c) for c in chunks[:n_shared]))
    if cache is not None and key in cache:
        text, tail, crc, size = cache[key]
    else:
        crc = 0
        size = 0
        for b in raw[:n_shared]:
            crc = zlib.crc32(b, crc)
            size += len(b)
        prefix = b"".join([_GZ_HEADER, *chunks[:n_shared]])
        cut = clean_cut(prefix, len(prefix))
        text, tail = encode123(prefix[:cut]), prefix[cut:]
        if cache is not None:
            cache[key] = (text, tail, crc, size)
    for b in raw[n_shared:]:
        crc = zlib.crc32(b, crc)
        size += len(b)
    rest = b"".join([tail, *chunks[n_shared:], end,
                     struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)])
    return text + encode123(rest)


def _deflate_chunk(text: str | bytes, level: int) -> tuple[bytes, bytes]:
    """Raw deflate of ``text`` ending in a full flush: independent of other chunks."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    return raw, c.compress(raw) + c.flush(zlib.Z_FULL_FLUSH)


def _record(text: str, value: object, binpos: int) -> bytes:
    """One record of a compressed data block: ``text`` + the JSON of ``value`` and its bytes.

    ``[4 bytes: n][n bytes of JSON text][4 bytes: m][m bytes]`` (little-endian
    lengths): the packed arrays of ``value`` (:class:`Ragged`,
    :class:`Numbers`) are not in the JSON but in the bytes after it, the JSON
    holding ``{"$r": [offset, length, kind]}`` in their place; offsets count
    from the start of all the records' bytes taken together (``binpos`` is
    where this record's bytes start).
    """
    blobs: list[bytes] = []
    size = 0

    def ref(o: object) -> object:
        nonlocal size
        if isinstance(o, Numbers):
            kind = "n"
        elif isinstance(o, Ragged):
            kind = o.kind
        else:
            raise TypeError(f"{type(o).__name__} is not JSON serialisable")
        blob = o.pack()
        blobs.append(blob)
        size += len(blob)
        return {"$r": [binpos + size - len(blob), len(blob), kind]}

    def lazy(o: _Lazy) -> object:
        # its packed arrays first (they take the places after those before), then its text
        nonlocal size
        blob = _dump(o.value, default=default).encode("utf-8")
        blobs.append(blob)
        size += len(blob)
        return {"$r": [binpos + size - len(blob), len(blob), "j"]}

    def default(o: object) -> object:
        return lazy(o) if isinstance(o, _Lazy) else ref(o)

    raw = (text + _dump(_lazy_leaves(_pack_lists(value)), default=default)).encode("utf-8") \
        if value is not _NO_VALUE else text.encode("utf-8")
    return b"".join([struct.pack("<I", len(raw)), raw, struct.pack("<I", size), *blobs])


# A long list or string (names, statuses: JSON text) is written after the record's JSON as
# a text of its own (kind "j"), which app.js parses when it is first read: a country's
# 12 MB of names and statuses are not shown at its opening zoom, and JSON.parse of all of
# them took longer than drawing it. From this many characters of JSON text on.
LAZY_MIN_CHARS = 16_384


class _Lazy:
    """A value written as a JSON text of its own in the record's bytes (kind ``"j"``)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _lazy_leaves(value: object) -> object:
    """``value`` (a dict) with its long lists and strings, at any depth of dicts, as :class:`_Lazy`.

    Dicts stay in the record's JSON (their keys are looked at before anything is drawn);
    the size is judged on the list's items without the packed arrays, which are bytes anyway.
    """
    if type(value) is not dict or "$s" in value:
        return value
    out = {}
    for k, v in value.items():
        if type(v) is dict:
            out[k] = _lazy_leaves(v)
        elif type(v) is str and len(v) >= LAZY_MIN_CHARS:
            out[k] = _Lazy(v)
        elif type(v) is list and len(v) >= 64 and _text_size(v, LAZY_MIN_CHARS) >= LAZY_MIN_CHARS:
            out[k] = _Lazy(v)
        else:
            out[k] = v
    return out


def _text_size(v: list, enough: int) -> int:
    """About how many characters of JSON ``v`` takes, counting up to ``enough``."""
    n = 0
    for x in v:
        t = type(x)
        if t is str:
            n += len(x) + 3
        elif t is int or t is float:
            n += 4
        elif t is list:
            n += _text_size(x, enough - n)
        elif x is None:
            n += 5
        if n >= enough:
            break
    return n


_NO_VALUE = object()
# integer lists from this length on are packed too (indexes, years, populations)
PACK_MIN_ITEMS = 64


def _pack_lists(value: object) -> object:
    """``value`` with its long lists of integers packed (:func:`packed.pack_int_list`)."""
    if type(value) is dict:
        return {k: _pack_lists(v) for k, v in value.items()}
    if type(value) is list:
        if len(value) >= PACK_MIN_ITEMS:
            packed = pack_int_list(value)
            if packed is not None:
                return packed
            numbered = pack_numbered(value)
            if numbered is not None:  # "DA000123", "0000101": prefix, width, numbers
                return {"$s": [numbered[0], numbered[1], numbered[2]]}
        if any(type(x) in (dict, list) for x in value):
            return [_pack_lists(x) for x in value]
    return value


def _records(data: dict, cache: dict, shared: frozenset[str] | set[str]
             ) -> Iterator[tuple[object, bytes]]:
    """The records of ``data`` (see :func:`_record`): ``(cache key or None, bytes)``.

    A shared key's record is made once per position of its bytes (the shared
    keys come first, so that is once).
    """
    binpos = 0
    items = list(data.items()) if isinstance(data, dict) else [(None, data)]
    for n, (key, value) in enumerate(items):
        text = "" if key is None else ("{" if n == 0 else ",") + _dump(key) + ":"
        ck = ("\0rec", key, binpos) if key in shared else None
        if ck is not None and ck in cache:
            rec = cache[ck]
        else:
            rec = _record(text, by_reference(key, value, data), binpos)
            if ck is not None:
                cache[ck] = rec
        (jlen,) = struct.unpack_from("<I", rec, 0)
        binpos += len(rec) - 8 - jlen
        yield ck, rec
    if isinstance(data, dict):
        yield None, _record("}" if data else "{}", _NO_VALUE, binpos)


def _data_block(data: dict, cache: dict | None, shared: frozenset[str] | set[str],
                compress: bool | None) -> str:
    """The ``<script>`` element holding ``data`` (plain JSON or compressed records)."""
    cache = {} if cache is None else cache
    records = None
    if compress is None:
        records = list(_records(data, cache, shared))
        compress = sum(len(r) for _, r in records) >= COMPRESS_MIN_BYTES
    if not compress:
        pieces = list(_pieces(data, cache, shared)) if isinstance(data, dict) else [
            (None, _dump(data))]
        return _PLAIN + "".join(t for _, t in pieces) + "</script>"
    if records is None:
        records = list(_records(data, cache, shared))
    gz_cache = cache.setdefault("\0gz", {})
    raws, chunks = [], []
    for ck, rec in records:
        if ck is not None and ck in gz_cache:
            raw, chunk = gz_cache[ck]
        else:
            raw, chunk = _deflate_chunk(rec, GZ_LEVEL_PAGE if ck is None else GZ_LEVEL_SHARED)
            if ck is not None:
                gz_cache[ck] = (raw, chunk)
        raws.append(raw)
        chunks.append(chunk)
    # the leading shared records are the same bytes in every page: encoded once
    n_shared = 0
    while n_shared < len(records) and records[n_shared][0] is not None:
        n_shared += 1
    text = gzip_text(chunks, raws, cache=gz_cache, n_shared=n_shared)
    # in pieces, each handed by the script after it to app.js (a worker inflates it while
    # the browser reads the next); the first one keeps the id
    parts = []
    for n, at in enumerate(range(0, len(text), GZ_PIECE_CHARS)):
        ident = ' id="ntmgis-data"' if n == 0 else ""
        parts.append(f'<script{ident} type="{GZ_TYPE}">{text[at:at + GZ_PIECE_CHARS]}</script>\n'
                     f"<script>{_FEED}()</script>")
    return "\n".join([*parts, f"<script>{_FEED}(true)</script>"])


# characters of a piece of a compressed block (a multiple of 7: whole text123 groups)
GZ_PIECE_CHARS = 7 * 2**17
# the function of app.js that takes each piece (the script element just before the call)
_FEED = "ntmgisFeed"
_BLOCK = re.compile(
    r'<script(?: id="ntmgis-data")? type="(application/[a-z0-9.-]+)">(.*?)</script>', re.S)


def data_block_text(page_html: str) -> tuple[str, str]:
    """The type and the text of a page's data block (its pieces joined, when compressed)."""
    pieces = _BLOCK.findall(page_html)
    if not pieces or "ntmgis-data" not in page_html:
        raise ValueError("no ntmgis data block in the page")
    kind = pieces[0][0]
    if kind == "application/json":
        return kind, pieces[0][1]
    return kind, "".join(t for k, t in pieces if k == kind)


def split_records(stream: bytes) -> tuple[list[bytes], bytes]:
    """A decompressed record stream (see :func:`_record`) as its JSON texts and one blob.

    Each record is a length-prefixed JSON text then its length-prefixed packed bytes;
    the ``$r`` references in the texts are offsets into the joined bytes.
    """
    texts, bins = [], []
    pos = 0
    while pos < len(stream):
        (n,) = struct.unpack_from("<I", stream, pos)
        texts.append(stream[pos + 4:pos + 4 + n])
        pos += 4 + n
        (m,) = struct.unpack_from("<I", stream, pos)
        bins.append(stream[pos + 4:pos + 4 + m])
        pos += 4 + m
    return texts, b"".join(bins)


def read_records(stream: bytes) -> object:
    """The data of a decompressed record stream (see :func:`_record`), arrays as lists."""
    texts, blob = split_records(stream)

    def hook(obj: dict) -> object:
        if len(obj) == 1 and "$s" in obj:
            prefix, width, numbers = obj["$s"]
            return [f"{prefix}{k:0{width}d}" for k in numbers]
        ref = obj.get("$r") if len(obj) == 1 else None
        if ref is None:
            return obj
        off, size, kind = ref
        if kind == "j":  # a value written as a JSON text of its own (see _lazy_leaves)
            return json.loads(bytes(blob[off:off + size]).decode("utf-8"), object_hook=hook)
        return unpack(memoryview(blob)[off:off + size], kind)

    return restore(json.loads(b"".join(texts).decode("utf-8"), object_hook=hook))


def read_data_block(page_html: str) -> object:
    """The data of a page written by :func:`assemble_page` (plain or compressed).

    For tests and tools that look inside a map; packed arrays come back as
    the nested lists they stand for.
    """
    kind, text = data_block_text(page_html)
    if kind == "application/json":
        return json.loads(text)
    decode = decode7 if kind == GZ7_TYPE else decode123
    return read_records(zlib.decompress(decode(text), 31))


def _as_lists(o: object) -> object:
    if isinstance(o, Ragged | Numbers):
        return o.tolist()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def _dump(value: object, default: Callable[[object], object] = _as_lists) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=default)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def assemble_page(data: dict, *, title: str, lang: str, cache: dict | None = None,
                  shared: frozenset[str] | set[str] = frozenset(),
                  compress: bool | None = None) -> str:
    """The complete HTML page for ``data`` (the model read by ``app.js``).

    ``cache`` and ``shared`` are passed to :func:`to_json` (the cache also
    keeps the compressed form of the shared parts). ``compress``: write the
    data gzip compressed (default: when its JSON is at least
    ``COMPRESS_MIN_BYTES``).
    """
    block = _data_block(data, cache, shared, compress)
    if not block.startswith(_PLAIN):
        # a compressed block: the code is compressed too, and read by the boot script
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<link rel="icon" href="data:,">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            '<div id="map" role="application"></div>\n'
            f'<script id="ntmgis-code" type="{CODE_TYPE}">{_code_text()}</script>\n'
            f"<script>\n{_boot()}\n</script>\n{block}\n"
            "</body>\n</html>\n"
        )
    css, js = _libraries()
    app_css, app_js = _app()
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{css}\n{app_css}\n</style>\n</head>\n<body>\n"
        '<div id="map" role="application"></div>\n'
        f"<script>\n{js}\n</script>\n"
        # plain JSON is read by the map script after it
        f"{block}\n<script>\n{app_js}\n</script>\n"
        "</body>\n</html>\n"
    )
