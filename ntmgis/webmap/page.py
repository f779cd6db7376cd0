"""Assemble one self-contained HTML page: vendored libraries, data block, map script.

Nothing in the page refers to the network: Leaflet and Leaflet.markercluster
come from ``ntmgis/static/`` (see ``scripts/vendor-js.sh``), the images that
Leaflet's CSS names are inlined as data URIs, and the data sits in a
``<script type="application/json">`` block that the map script parses. User
strings are only ever set as text in the browser (``textContent``); the JSON
is additionally escaped so that no ``</script>`` or HTML can end the block.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from pathlib import Path

__all__ = ["STATIC_DIR", "APP_DIR", "assemble_page", "library_bytes", "to_json"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
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
    parts = []
    for key, value in data.items():
        if key in shared:
            if key not in cache:
                cache[key] = _dump(value)
            text = cache[key]
        else:
            text = _dump(value)
        parts.append(_dump(key) + ":" + text)
    return "{" + ",".join(parts) + "}"


def _dump(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def assemble_page(data: dict, *, title: str, lang: str, cache: dict[str, str] | None = None,
                  shared: frozenset[str] | set[str] = frozenset()) -> str:
    """The complete HTML page for ``data`` (the model read by ``app.js``).

    ``cache`` and ``shared`` are passed to :func:`to_json`.
    """
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
        '<script id="ntmgis-data" type="application/json">'
        f"{to_json(data, cache=cache, shared=shared)}</script>\n"
        f"<script>\n{app_js}\n</script>\n"
        "</body>\n</html>\n"
    )
