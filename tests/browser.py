"""Headless Chromium for tests of HTML output, with the network off.

Make the fixtures visible in a test module (plain assignments keep ruff's
F811 quiet where a test takes the fixture as an argument)::

    import browser

    chromium_browser = browser.chromium_browser
    open_page = browser.open_page

    def test_map(open_page, tmp_path):
        page, errors, failed = open_page(tmp_path / "map.html")
        assert not errors and not failed

``open_page(path, *, width=1280, height=800, wait_for="window.ntmgis && window.ntmgis.ready")``
opens a local file in a fresh browser context in which every request that
is not ``file:`` or ``data:`` is aborted and recorded, and returns
``(page, console_errors, failed_requests)``: the Playwright page, the
console errors and uncaught exceptions (strings), and the failed or
blocked requests (URLs, with the failure). Both lists keep filling while
the test goes on, so check them at the end of the test too.

Chromium is Debian's ``/usr/bin/chromium`` (``CHROMIUM`` overrides it);
tests are skipped with a reason where it or Playwright is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_browser", "open_page"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


_SHARED: dict[str, object] = {}


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """One headless Chromium for the test session.

    Each test module that imports this fixture gets its own (session-scoped)
    copy of it; they share the one browser, since Playwright's sync API
    cannot run twice at once.
    """
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        _missing("playwright is not installed (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        # A loaded 2-core CI machine can take longer than Playwright's 30 s default.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS, timeout=120_000)
        _SHARED["browser"] = browser
        try:
            yield browser
        finally:
            _SHARED.pop("browser", None)
            browser.close()


@pytest.fixture
def open_page(chromium_browser: object) -> Iterator[Callable[..., tuple]]:
    """Factory: open a local HTML file with the network blocked; see the module docstring."""
    contexts = []

    def _open(path: str | Path, *, width: int = 1280, height: int = 800,
              wait_for: str | None = "window.ntmgis && window.ntmgis.ready",
              timeout_ms: int = 20_000, init_script: str | None = None) -> tuple:
        context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                               service_workers="block")
        contexts.append(context)
        if init_script:  # run before the page's own scripts (e.g. to take a feature away)
            context.add_init_script(init_script)
        errors: list[str] = []
        failed: list[str] = []

        def route(r: object) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            else:
                failed.append(f"blocked: {url}")
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.on("requestfailed",
                lambda req: failed.append(f"failed: {req.url} ({req.failure})")
                if not any(f.endswith(req.url) for f in failed) else None)
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        if wait_for:
            page.wait_for_function(wait_for, timeout=timeout_ms)
        return page, errors, failed

    yield _open
    for c in contexts:
        c.close()


def _missing(reason: str) -> None:
    """Skip a browser test on a developer's machine; fail it where CI requires the browser.

    ``.ci/run`` sets ``NTMGIS_REQUIRE_BROWSER=1``: there the web maps must be tested
    in a real Chromium, never skipped.
    """
    if os.environ.get("NTMGIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NTMGIS_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def check_name_is_text(page: object, name: str, errors: list, failed: list) -> None:
    """Search for the hostile project ``name`` (``<img src=x onerror=...>``), open its
    card and check that it shows as text: no element made of it, no request for ``x``.

    An ``<img src=x>`` parsed anywhere (even detached) fetches "x" at once and its
    onerror would open an alert: once the map has settled and a frame has gone by,
    no such request was made and no dialog opened (it would be in ``errors``).
    """
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.fill(".ntm-search input", "img src")
    item = page.locator(".ntm-results li", has_text="onerror")
    assert item.count() == 1
    item.click()
    card = page.locator(".ntm-projectcard")
    card.wait_for()
    assert card.locator(".ntm-project-name").text_content() == name
    assert page.locator(".leaflet-popup img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert [u for u in requested if u.rsplit("/", 1)[-1] == "x"] == []
    assert errors == [] and failed == []
