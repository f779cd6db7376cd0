#!/usr/bin/env python3
"""National-scale benchmarks: time, peak memory, HTML size and render cost for N communes.

For each size N (default 13, 150, 1000; ``--sizes 10000`` by hand) the script
writes a synthetic country (``benchmarks/synth.py``) into ``--workdir``,
then runs each ``ntmgis`` command in its own subprocess, ``--repeat`` times,
and records the median wall time and the peak resident memory of that
subprocess (``ru_maxrss`` from ``os.wait4``):

``validate``, ``build``, ``map`` (when the web map is installed), ``appendix``
(overview page only, when the appendix offers such an option; otherwise
skipped with a note), ``query gaps`` (all criteria) and ``query access --by
straight`` (all villages).

It then opens the overview map (``maps/index.html``) in headless Chromium
with the network off and measures the first full render (navigation start
until ``window.ntmgis.ready`` and two animation frames) and the JS heap
(CDP ``Runtime.getHeapUsage``). In the same run, the naive baseline
(``benchmarks/naive.py``: ``geopandas.explore()`` of the same communes,
villages and projects) is written and opened the same way, with Leaflet
served from ``ntmgis/outputs/webmap/static`` instead of the CDN; a render that does not
finish within ``--bound`` seconds is reported as "> bound".

Each size is measured on the data shapes of ``--shapes`` (default both):
``regular`` (``synth.py``: equal communes, exact tiling, short names) and
``irregular`` (``synth_irregular.py``: uneven communes, gaps and overlaps,
copies of the real Mường Tè units, names of real length, amounts with three
decimals, surveyed roads). The overview's size is also broken down by block
(commune boundaries, names, amounts, projects, project lines, roads, ...):
the JSON bytes of each block and its size compressed alone (deflate, times
5/4 for the base-85 text), so that one can see where the bytes go.

Results: a table on stdout, ``benchmarks/out/results-<N>.json`` (regular) and
``results-irregular-<N>.json`` (gitignored) and, with ``--record``, the
tables in ``benchmarks/README.md`` rebuilt from every results file in the
folder.

Usage::

    python benchmarks/run.py                       # 13, 150, 1000; both shapes
    python benchmarks/run.py --sizes 10000 --repeat 1 --shapes irregular --record
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
README = HERE / "README.md"
STATIC = ROOT / "ntmgis" / "outputs" / "webmap" / "static"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
READY = "window.ntmgis && window.ntmgis.ready"
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"
# Targets at N = 10.000: issue 6, then issue 13 (tighter: overview, render, map).
# Sizes and memory are in MiB (2**20 bytes), written "MB" as the issues' own figures
# were; the overview's 10 MB is also checked in decimal megabytes (html_dec), so that
# the target holds whichever the reader means.
TARGETS = {"build_s": 60, "build_mb": 4096, "gaps_s": 5, "access_s": 10, "html_mb": 10,
           "html_dec": 10, "render_s": 1.5, "heap_mb": 600, "map_s": 20, "map_mb": 1536}
TARGET_ISSUE = {"build_s": 6, "build_mb": 6, "gaps_s": 6, "access_s": 6, "html_mb": 13,
                "html_dec": 13, "render_s": 13, "heap_mb": 6, "map_s": 13, "map_mb": 13}
SHAPES = ("regular", "irregular")

sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- processes

# Forks and execs the command from a small process, so that the child's ru_maxrss
# (which Linux carries over from the forking process) is not the benchmark's own.
_WRAPPER = """import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_maxrss} {time.perf_counter() - t0} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv: list[str], *, cwd: Path, log: Path, timeout: float = 3600.0
                 ) -> dict[str, Any]:
    """Run a command; return wall and CPU seconds, peak RSS (MB) and exit code of that process.

    The command runs in a new session under a small Python wrapper that forks it and
    reads its ``ru_maxrss`` with ``os.wait4``; on timeout the whole session is killed.
    """
    import signal
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    fd, stat_path = tempfile.mkstemp(prefix="ntmgis-bench-", suffix=".txt")
    os.close(fd)
    try:
        with open(log, "ab") as out:
            out.write(("$ " + " ".join(argv) + "\n").encode())
            out.flush()
            proc = subprocess.Popen([sys.executable, "-S", "-c", _WRAPPER, stat_path, *argv],
                                    cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout)
                killed = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc = proc.wait()
                killed = True
        raw = Path(stat_path).read_text().split()
    finally:
        Path(stat_path).unlink(missing_ok=True)
    maxrss_kb, seconds, cpu = (float(v) for v in raw) if len(raw) == 3 else (None,) * 3
    return {"seconds": None if seconds is None else round(seconds, 3),
            "cpu_s": None if cpu is None else round(cpu, 3),
            "peak_mb": None if maxrss_kb is None else round(maxrss_kb / 1024, 1),
            "rc": rc, "timed_out": killed}


def _help(cmd: list[str], cwd: Path) -> str | None:
    return _help_text(tuple(cmd), cwd.parent)


@functools.cache
def _help_text(cmd: tuple[str, ...], cwd: Path) -> str | None:
    # Once per command in a run of several sizes or shapes (their workspaces share a
    # parent): each probe is a Python start and an import of ntmgis (about 1,5 s), and
    # neither the code nor a command's options change during the run.
    r = subprocess.run([sys.executable, "-m", "ntmgis", *cmd, "--help"], cwd=cwd,
                       capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return r.stdout if r.returncode == 0 else None


def plan_steps(ws: Path, only: set[str] | None = None
               ) -> tuple[list[tuple[str, list[str]]], dict[str, str]]:
    """The ntmgis commands to time, and notes on those skipped.

    With ``only``, the commands not asked for are neither probed nor timed (``build``
    always runs).
    """
    steps = [("validate", ["validate", "--overwrite"]), ("build", ["build", "--overwrite"])]
    notes: dict[str, str] = {}
    if only is None or "map" in only:
        if _help(["map"], ws) is None:
            notes["map"] = "ntmgis map is not installed"
        else:
            steps.append(("map", ["map", "--overwrite"]))
    if only is None or "appendix" in only:
        app_help = _help(["appendix"], ws)
        opt = next((o for o in ("--pages", "--page", "--only") if o in (app_help or "")), None)
        if app_help is None:
            notes["appendix"] = "ntmgis appendix is not installed"
        elif opt is None:
            notes["appendix"] = ("appendix has no overview-only option "
                                 "(--pages/--page/--only); skipped")
        else:
            steps.append(("appendix", ["appendix", "--overwrite", opt, "overview",
                                       "--format", "pdf"]))
    if only is None or {"gaps", "access"} & only:
        if _help(["query", "gaps"], ws) is None:
            notes["gaps"] = notes["access"] = "ntmgis query is not installed"
        else:
            steps.append(("gaps", ["query", "gaps"]))
            steps.append(("access", ["query", "access", "--by", "straight"]))
    return steps, notes


# --------------------------------------------------------------------------- browser

def _route_handler(failed: list[str]):
    leaflet = {"leaflet.js": ("application/javascript", STATIC / "leaflet.js"),
               "leaflet.css": ("text/css", STATIC / "leaflet.css")}

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
            return
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if "leaflet@" in url and name in leaflet and leaflet[name][1].exists():
            ctype, path = leaflet[name]
            r.fulfill(status=200, content_type=ctype, body=path.read_bytes())
            return
        failed.append(url)
        r.abort()

    return route


def measure_render(html: Path, *, wait_for: str | None, bound: float,
                   screenshot: Path | None = None) -> dict[str, Any]:
    """Open a local HTML file in a fresh headless Chromium with the network off.

    Returns the seconds from navigation to ready (the ``wait_for`` expression,
    or the load event) plus two animation frames, the used JS heap (MB) and
    the blocked requests; ``finished`` is false when ``bound`` was exceeded.

    Runs in a thread of its own: a process that already drives Chromium with
    Playwright's sync API (a test session) owns an event loop in its main thread,
    and a second sync Playwright there refuses to start.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_measure_render, html, wait_for=wait_for, bound=bound,
                           screenshot=screenshot).result()


def _measure_render(html: Path, *, wait_for: str | None, bound: float,
                    screenshot: Path | None = None) -> dict[str, Any]:
    from playwright.sync_api import Error as PwError
    from playwright.sync_api import sync_playwright

    res: dict[str, Any] = {"finished": False, "seconds": None, "heap_mb": None,
                           "blocked": 0, "errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 800},
                                      service_workers="block")
            failed: list[str] = []
            ctx.route("**/*", _route_handler(failed))
            page = ctx.new_page()
            page.on("pageerror", lambda e: res["errors"].append(str(e)[:200]))
            cdp = ctx.new_cdp_session(page)
            t0 = time.perf_counter()
            try:
                page.goto(html.resolve().as_uri(), wait_until="load", timeout=bound * 1000)
                left = max(1.0, bound - (time.perf_counter() - t0))
                if wait_for:
                    page.wait_for_function(wait_for, timeout=left * 1000, polling=50)
                page.evaluate("() => new Promise(r => requestAnimationFrame("
                              "() => requestAnimationFrame(r)))")
                res["seconds"] = round(time.perf_counter() - t0, 3)
                res["nav_ms"] = round(page.evaluate("performance.now()"))
                res["finished"] = True
                heap = cdp.send("Runtime.getHeapUsage")
                res["heap_mb"] = round(heap["usedSize"] / 2**20, 1)
                if screenshot is not None:
                    page.screenshot(path=str(screenshot))
            except PwError as exc:
                res["error"] = str(exc).splitlines()[0][:200]
            res["blocked"] = len(failed)
        finally:
            browser.close()
    return res


# --------------------------------------------------------------------------- one size

def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def workspace_name(n: int, shape: str = "regular") -> str:
    """``country-<N>`` (regular, as before) or ``country-<shape>-<N>``."""
    return f"country-{n}" if shape == "regular" else f"country-{shape}-{n}"


def bench_size(n: int, *, workdir: Path, repeat: int, browser_repeat: int, bound: float,
               browser: bool, baseline: bool, only: set[str] | None,
               screenshot: Path | None = None, shape: str = "regular") -> dict[str, Any]:
    """Generate the country of n communes and measure every step; the results dict."""
    from synth import make_country

    ws = workdir / workspace_name(n, shape)
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"run-{workspace_name(n, shape)}.log"
    log.write_text("")
    stamp = ws / ".synth.json"
    t0 = time.perf_counter()
    if stamp.exists():
        country = json.loads(stamp.read_text())
    else:
        from dataclasses import asdict

        country = asdict(make_country(n, ws, overwrite=True, shape=shape))
        stamp.write_text(json.dumps(country))
    result: dict[str, Any] = {"n": n, "shape": shape, "country": country,
                              "generate_s": round(time.perf_counter() - t0, 2),
                              "repeat": repeat, "steps": {}, "notes": {}}
    steps, notes = plan_steps(ws, only)
    result["notes"].update(notes)
    for name, args in steps:
        if only and name not in only and name != "build":
            continue
        runs = [run_measured([sys.executable, "-m", "ntmgis", *args], cwd=ws, log=log)
                for _ in range(repeat)]
        ok = [r for r in runs if r["rc"] == 0]
        # validate exits 1 when the data has errors; the synthetic country has none.
        result["steps"][name] = {
            "seconds": _median([r["seconds"] for r in ok]),
            "cpu_s": _median([r["cpu_s"] for r in ok]),
            "peak_mb": max((r["peak_mb"] for r in ok), default=None),
            "runs": runs}
        if not ok:
            result["notes"][name] = f"failed (exit {runs[0]['rc']}); see {log}"
        print(f"  N={n} {name}: {result['steps'][name]['seconds']} s, "
              f"{result['steps'][name]['peak_mb']} MB", file=sys.stderr)
    index = ws / "maps" / "index.html"
    if index.exists():
        result["html_bytes"] = index.stat().st_size
        result["maps_bytes"] = sum(p.stat().st_size for p in (ws / "maps").rglob("*.html"))
        try:
            result["html_blocks"] = html_breakdown(index)
        except Exception as exc:  # a changed page layout must not lose the run
            result["notes"]["html_blocks"] = f"breakdown failed: {exc!r}"[:200]
    if browser and index.exists():
        renders = [measure_render(index, wait_for=READY, bound=bound,
                                  screenshot=screenshot if i == 0 else None)
                   for i in range(browser_repeat)]
        fin = [r for r in renders if r["finished"]]
        result["render"] = {"seconds": _median([r["seconds"] for r in fin]),
                            "heap_mb": _median([r["heap_mb"] for r in fin]),
                            "finished": len(fin) == len(renders), "runs": renders}
        print(f"  N={n} render: {result['render']['seconds']} s, "
              f"{result['render']['heap_mb']} MB heap", file=sys.stderr)
    if baseline and importlib.util.find_spec("mapclassify") is None:
        result["notes"]["baseline"] = ("skipped: geopandas.explore() needs mapclassify "
                                       "(pip install mapclassify)")
        baseline = False
    if baseline:
        naive = ws / "maps" / "naive_explore.html"
        r = run_measured([sys.executable, str(HERE / "naive.py"), str(ws), str(naive)],
                         cwd=ws, log=log)
        base: dict[str, Any] = {"write_s": r["seconds"], "write_peak_mb": r["peak_mb"]}
        if r["rc"] == 0 and naive.exists():
            base["html_bytes"] = naive.stat().st_size
            if browser:
                rr = measure_render(naive, wait_for=None, bound=bound)
                base["render"] = rr
                base["render_s"] = rr["seconds"] if rr["finished"] else None
                base["heap_mb"] = rr["heap_mb"]
        else:
            result["notes"]["baseline"] = f"explore() failed (exit {r['rc']}); see {log}"
        result["baseline"] = base
        print(f"  N={n} explore(): {base.get('html_bytes')} bytes, "
              f"render {base.get('render_s')} s", file=sys.stderr)
    result["bound_s"] = bound
    return result


# --------------------------------------------------------------------------- where the bytes go

# The blocks of issue 13, in table order; a leaf of the data block goes to the first
# rule that matches its key path.
BLOCKS = ("commune boundaries", "district/province", "names", "amounts", "projects (other)",
          "project lines", "roads", "villages, facilities", "criteria status", "hillshade",
          "other data", "page (libraries, script)")


def _block_of(path: tuple[str, ...]) -> str:
    head, last = path[0], path[-1]
    if last in ("name", "vname", "names"):
        return "names"
    if head == "communes" and last in ("arcs", "geom", "lab"):
        return "commune boundaries"
    if head in ("admin", "levels"):
        return "district/province"
    if head == "projects" and last in ("cap", "disb"):
        return "amounts"
    if head == "projects" and len(path) > 1 and path[1] == "st":
        return "criteria status"
    if head == "projects":
        return "projects (other)"
    if head == "plines":
        return "project lines"
    if head == "roads":
        return "roads"
    if head in ("villages", "facilities"):
        return "criteria status" if len(path) > 1 and path[1] == "st" else "villages, facilities"
    if head == "cstat":
        return "criteria status"
    if head == "hill":
        return "hillshade"
    return "other data"


def html_breakdown(index: Path) -> dict[str, Any]:
    """Bytes of the overview page by block: JSON bytes and compressed alone.

    Returns ``{"blocks": {name: {"json": bytes, "packed": bytes}}, "paths": {...},
    "html": bytes, "data_block": bytes}``. ``json`` is the block's data as JSON
    (packed arrays unpacked); ``packed`` is the block as the page stores it (its
    JSON records and packed bytes deflated alone at level 6, times 7/6 for the
    text123 characters: ``webmap_size.packed_breakdown``), or for a page with a
    plain JSON block its JSON deflated alone times 5/4. Summed over the blocks it
    is a little more than the real data block, which is compressed as one stream.
    """
    import zlib

    from ntmgis.outputs.webmap.page import data_block_text, read_data_block

    text = index.read_text(encoding="utf-8")
    data = read_data_block(text)
    kind, block = data_block_text(text)
    data_len = len(block.encode())
    leaves: dict[tuple[str, ...], bytes] = {}

    def walk(obj: Any, path: tuple[str, ...]) -> None:
        if isinstance(obj, dict) and obj and len(path) < 3:
            for k, v in obj.items():
                walk(v, (*path, str(k)))
        elif path:
            leaves[path] = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()

    walk(data, ())
    blocks: dict[str, dict[str, int]] = {b: {"json": 0, "packed": 0} for b in BLOCKS}
    joined: dict[str, list[bytes]] = {b: [] for b in BLOCKS}
    for path, raw in leaves.items():
        b = _block_of(path)
        blocks[b]["json"] += len(raw)
        joined[b].append(raw)
    for b, parts in joined.items():
        if parts:
            blocks[b]["packed"] = round(len(zlib.compress(b",".join(parts), 6)) * 5 / 4)
    page = len(text.encode()) - data_len
    blocks["page (libraries, script)"] = {"json": page, "packed": page}
    if kind != "application/json":
        # a packed page (binary arrays, text123): count each block as the page stores it
        from webmap_size import packed_breakdown

        for b, v in packed_breakdown(text).items():
            blocks.setdefault(b, {"json": 0, "packed": 0})["packed"] = v["packed"]
    top = sorted(leaves.items(), key=lambda kv: -len(kv[1]))[:12]
    return {"blocks": {b: v for b, v in blocks.items() if v["json"]},
            "paths": {".".join(p): len(raw) for p, raw in top},
            "html": len(text.encode()), "data_block": data_len,
            "compressed": kind != "application/json"}


# --------------------------------------------------------------------------- tables

def _fmt(v: Any, unit: str = "", nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{nd}f}{unit}"
    return f"{v:,}{unit}"


def _mb(b: int | None) -> float | None:
    return None if b is None else round(b / 2**20, 2)


def summary_row(r: dict[str, Any]) -> dict[str, str]:
    """One table row (strings) of a results dict."""
    st = r.get("steps", {})

    def step(name: str) -> str:
        s = st.get(name)
        if not s or s.get("seconds") is None:
            return "skipped" if name in r.get("notes", {}) else "–"
        cpu = f" (cpu {s['cpu_s']:.1f})" if s.get("cpu_s") is not None else ""
        return f"{s['seconds']:.2f} s{cpu} / {s['peak_mb']:.0f} MB"

    html_mb = _mb(r.get("html_bytes"))
    rend = r.get("render", {})
    base = r.get("baseline", {})
    base_mb = _mb(base.get("html_bytes"))
    bound = r.get("bound_s", 120)
    if base.get("render_s") is not None:
        base_render = f"{base['render_s']:.2f} s"
    elif base.get("render"):
        base_render = f"> {bound:.0f} s"
    else:
        base_render = "–"
    size_ratio = (f"{base_mb / html_mb:.1f}×" if base_mb and html_mb else "–")
    if rend.get("seconds") and base.get("render_s"):
        render_ratio = f"{base['render_s'] / rend['seconds']:.1f}×"
    elif rend.get("seconds") and base.get("render"):
        render_ratio = f"> {bound / rend['seconds']:.0f}×"
    else:
        render_ratio = "–"
    c = r["country"]
    return {
        "N": f"{r['n']:,}", "shape": r.get("shape", "regular"),
        "villages": f"{c['villages']:,}", "projects": f"{c['projects']:,}",
        "validate": step("validate"), "build": step("build"), "map": step("map"),
        "appendix": step("appendix"), "query gaps": step("gaps"),
        "access straight": step("access"),
        "overview HTML": _fmt(html_mb, " MB", 2),
        "render": _fmt(rend.get("seconds"), " s", 2),
        "JS heap": _fmt(rend.get("heap_mb"), " MB", 0),
        "explore() HTML": _fmt(base_mb, " MB", 1), "explore() render": base_render,
        "explore() heap": _fmt(base.get("heap_mb"), " MB", 0),
        "size ratio": size_ratio, "render ratio": render_ratio,
    }


_VN = str.maketrans({",": ".", ".": ","})


def vn(text: str) -> str:
    """Numbers written the Vietnamese way, as in the rest of the docs: 1.234,5."""
    return text.translate(_VN)


def markdown_table(results: list[dict[str, Any]]) -> str:
    """The results table in Markdown, one row per N (Vietnamese number format)."""
    rows = [summary_row(r) for r in sorted(results, key=_order)]
    if not rows:
        return "(no results yet)\n"
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(vn(row[h]) for h in head) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _order(r: dict[str, Any]) -> tuple[int, int]:
    shape = r.get("shape", "regular")
    return r["n"], SHAPES.index(shape) if shape in SHAPES else len(SHAPES)


def blocks_table(results: list[dict[str, Any]]) -> str:
    """Where the overview's bytes go, one column per result (N and shape)."""
    rs = [r for r in sorted(results, key=_order) if r.get("html_blocks")]
    if not rs:
        return ""
    head = ["block"] + [vn(f"N = {r['n']:,} {r.get('shape', 'regular')}") for r in rs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b in BLOCKS:
        cells = []
        for r in rs:
            v = r["html_blocks"]["blocks"].get(b)
            cells.append("–" if v is None else vn(
                f"{v['packed'] / 2**20:.2f} MB ({v['json'] / 2**20:.2f})"))
        if any(c != "–" for c in cells):
            lines.append(f"| {b} | " + " | ".join(cells) + " |")
    lines.append("| **whole page** | " + " | ".join(
        vn(f"**{r['html_blocks']['html'] / 2**20:.2f} MB**") for r in rs) + " |")
    return "\n".join(lines) + "\n"


def targets_table(r: dict[str, Any]) -> str:
    """Targets of issues 6 and 13 against one result (meant for N = 10.000), with the margin."""
    st = r.get("steps", {})
    cpu = {"build_s": st.get("build", {}).get("cpu_s"), "gaps_s": st.get("gaps", {}).get("cpu_s"),
           "access_s": st.get("access", {}).get("cpu_s"), "map_s": st.get("map", {}).get("cpu_s")}
    got = {
        "map_s": st.get("map", {}).get("seconds"),
        "map_mb": st.get("map", {}).get("peak_mb"),
        "build_s": st.get("build", {}).get("seconds"),
        "build_mb": st.get("build", {}).get("peak_mb"),
        "gaps_s": st.get("gaps", {}).get("seconds"),
        "access_s": st.get("access", {}).get("seconds"),
        "html_mb": _mb(r.get("html_bytes")),
        "html_dec": None if r.get("html_bytes") is None else round(r["html_bytes"] / 1e6, 2),
        "render_s": r.get("render", {}).get("seconds"),
        "heap_mb": r.get("render", {}).get("heap_mb"),
    }
    names = {"build_s": "build time (s)", "build_mb": "build peak memory (MB)",
             "gaps_s": "query gaps (s)", "access_s": "query access --by straight (s)",
             "html_mb": "overview HTML (MiB)", "html_dec": "overview HTML (10⁶ bytes)",
             "render_s": "first render (s)",
             "heap_mb": "JS heap (MB)", "map_s": "`ntmgis map` time (s)",
             "map_mb": "`ntmgis map` peak memory (MB)"}
    shape = r.get("shape", "regular")
    lines = [vn(f"| target at N = {r['n']:,} ") + f"({shape} shape) | issue | limit | measured "
             "| CPU s | verdict |", "|---|---|---|---|---|---|"]
    for k, limit in TARGETS.items():
        v = got[k]
        if v is None:
            verdict = "not measured"
        elif v <= limit:
            verdict = f"met ({v / limit:.0%} of the limit)"
        else:
            verdict = f"MISSED by {v - limit:,.1f} ({v / limit:.1f}× the limit)"
            if cpu.get(k) is not None and cpu[k] <= limit:
                verdict += "; met in CPU time (the machine was loaded)"
        lines.append(vn(f"| {names[k]} | {TARGET_ISSUE[k]} | {limit:,} | {_fmt(v, '', 2)} "
                        f"| {_fmt(cpu.get(k), '', 1)} | {verdict} |"))
    return "\n".join(lines) + "\n"


def load_results(folder: Path) -> list[dict[str, Any]]:
    """Every ``results-<N>.json`` and ``results-<shape>-<N>.json`` in a folder."""
    return [json.loads(p.read_text()) for p in sorted(folder.glob("results-*.json"))]


def record(results: list[dict[str, Any]], readme: Path = README) -> None:
    """Rewrite the results section of benchmarks/README.md."""
    machine = results[-1].get("machine", {}) if results else {}
    dates = sorted({r["date"][:10] for r in results if r.get("date")})
    loads = [r["load"][0] for r in results if r.get("load")]
    when = f" on {', '.join(dates)}" if dates else ""
    load = (f"; load average {vn(f'{min(loads):.1f}')}-{vn(f'{max(loads):.1f}')} at the end "
            "of the runs (the machine was shared with other jobs: wall times include waiting "
            "for the CPU, compare the CPU seconds)" if loads else "")
    reps = sorted({r.get("repeat", 1) for r in results})
    runs = ("one run per step" if reps == [1] else
            f"medians of {'/'.join(map(str, reps))} runs per step")
    code = sorted({r["machine"]["git"] for r in results if r.get("machine", {}).get("git")})
    code = f"; code: {', '.join(code)}" if code else ""
    body = [MARK_START, "",
            f"Measured{when}: {machine.get('cpus', '?')} CPUs, {machine.get('platform', '?')}, "
            f"Python {machine.get('python', '?')}, shapely {machine.get('shapely', '?')}, "
            f"Chromium {machine.get('chromium', '?')}{code}; {runs} (render: median of the "
            f"browser runs){load}. Sizes and memory are in MiB (2^20 bytes), written MB; "
            "the overview's target is also checked in millions of bytes." if results else "",
            "", markdown_table(results)]
    if results:
        body += ["", "Where the overview's bytes go (each block as the page stores it, its "
                 "records and packed arrays deflated alone, times 7/6 for the text123 characters; "
                 "in brackets the block as JSON, arrays unpacked):",
                 "", blocks_table(results)]
    for shape in SHAPES:
        of_shape = [r for r in results if r.get("shape", "regular") == shape]
        if of_shape:
            body += ["", targets_table(max(of_shape, key=lambda r: r["n"]))]
    notes = sorted({f"{k}: {v}" for r in results for k, v in r.get("notes", {}).items()})
    if notes:
        body += ["", "Notes:", *[f"- {n}" for n in notes]]
    body += ["", MARK_END]
    text = readme.read_text(encoding="utf-8") if readme.exists() else f"{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    pre, rest = text.split(MARK_START, 1)
    post = rest.split(MARK_END, 1)[1] if MARK_END in rest else "\n"
    readme.write_text(pre + "\n".join(body) + post, encoding="utf-8")


def machine_info() -> dict[str, Any]:
    """CPUs, platform and library versions for the record."""
    import shapely

    info = {"cpus": os.cpu_count(), "platform": platform.platform(terse=True),
            "python": platform.python_version(), "shapely": shapely.__version__}
    try:  # the code measured: commit, and whether ntmgis/ had uncommitted changes
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=20).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "ntmgis"], cwd=ROOT,
                               capture_output=True, text=True, timeout=20).stdout.strip()
        if head:
            info["git"] = head + (" with uncommitted changes in ntmgis/" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        r = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20)
        import re

        m = re.search(r"\d+(?:\.\d+){2,3}", r.stdout) if r.returncode == 0 else None
        info["chromium"] = m.group() if m else "?"
    except (OSError, subprocess.SubprocessError):
        info["chromium"] = "?"
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="13,150,1000",
                    help="comma-separated commune counts (default 13,150,1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per step (median reported)")
    ap.add_argument("--browser-repeat", type=int, default=3, help="renders per map")
    ap.add_argument("--bound", type=float, default=120.0,
                    help="seconds after which a render counts as not finished")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/ntmgis-bench"),
                    help="where the synthetic workspaces are written (reused if present)")
    ap.add_argument("--out", type=Path, default=OUT, help="folder of results-<N>.json")
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help="comma-separated data shapes (regular, irregular; default both)")
    ap.add_argument("--steps", default=None,
                    help="only these steps (comma-separated: validate,map,appendix,gaps,"
                         "access; build always runs)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium renders")
    ap.add_argument("--no-baseline", action="store_true", help="skip geopandas.explore()")
    ap.add_argument("--fresh", action="store_true", help="regenerate the workspaces")
    ap.add_argument("--record", action="store_true",
                    help="rewrite the results table in benchmarks/README.md")
    ap.add_argument("--screenshot", action="store_true",
                    help="save the overview's first render as <out>/overview-<N>.png")
    ap.add_argument("--record-only", action="store_true",
                    help="only rebuild the README table from the results files in --out")
    args = ap.parse_args(argv)
    if args.record_only:
        results = load_results(args.out)
        print(markdown_table(results))
        record(results)
        print(f"recorded in {README}")
        return 0
    sys.path.insert(0, str(HERE))
    sizes = [int(s.replace(".", "").replace("_", "")) for s in args.sizes.split(",") if s]
    args.out.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    results = []
    shapes = [s for s in args.shapes.split(",") if s]
    for s in shapes:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r} (choose from {', '.join(SHAPES)})")
    for n in sizes:
        for shape in shapes:
            name = workspace_name(n, shape)
            if args.fresh:
                import shutil

                shutil.rmtree(args.workdir / name, ignore_errors=True)
            print(f"N = {n:,} ({shape})", file=sys.stderr)
            r = bench_size(n, workdir=args.workdir, repeat=args.repeat,
                           browser_repeat=args.browser_repeat, bound=args.bound,
                           browser=not args.no_browser, baseline=not args.no_baseline,
                           only=set(args.steps.split(",")) if args.steps else None,
                           screenshot=(args.out / f"overview-{name[8:]}.png"
                                       if args.screenshot else None), shape=shape)
            r["machine"] = machine
            r["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            r["load"] = [round(x, 2) for x in os.getloadavg()]
            (args.out / f"results-{name[8:]}.json").write_text(
                json.dumps(r, indent=1, ensure_ascii=False))
            results.append(r)
    print(markdown_table(results))
    print(blocks_table(results))
    for shape in shapes:
        of_shape = [r for r in results if r.get("shape", "regular") == shape]
        if of_shape:
            print(targets_table(max(of_shape, key=lambda r: r["n"])))
    for r in results:
        for k, v in r.get("notes", {}).items():
            print(f"note (N={r['n']}): {k}: {v}")
    if args.record:
        record(load_results(args.out))
        print(f"recorded in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
