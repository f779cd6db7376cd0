#!/usr/bin/env python3
"""Time the map appendix (PDF + 300-dpi PNG pages) of the sample and of a synthetic province.

Each workspace (``--workspaces``: ``sample`` is the Mường Tè sample, a number N a
synthetic country of N communes made by ``synth.py``, anything else the folder of
a built workspace) is copied or made in a temporary folder and built once. Then:

1. CPU per page **per format** (``--formats``: PDF only, PNG only, both), rendered
   in this process (``workers=1``): the CPU of the run (this process and its PNG
   thread) divided by the pages;
2. wall time of the default formats with each number of worker processes in
   ``--workers``, in the same run so that the machine's load is alike; every
   setting must write the same bytes.

For each run it prints wall, CPU, CPU per page and the PDF's MB per page, and how
the work was shared: the setup before the first page (data, relief; in this
process), the pages' CPU in this process (the PDF, in parallel) and in the workers.

Usage::

    python benchmarks/appendix_time.py                    # sample and 100 communes
    python benchmarks/appendix_time.py --workspaces sample --formats pdf,png --workers 1
    python benchmarks/appendix_time.py --workspaces sample --formats pdf,png --workers 1 \\
        --profile /tmp/appendix.prof

``--profile`` writes a cProfile (thread CPU time, so a loaded machine does not
inflate it) of the first render; with ``png`` the PNG files are compressed in a
second thread that the profile does not see (``write_png`` in a thread pool).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _workspace(spec: str, tmp: Path):
    """A built workspace for ``spec`` (sample, a number of communes, or a folder)."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.scaffold import init_workspace

    if spec == "sample":
        root = init_workspace(tmp / "muong_te", sample=True)
    elif spec.isdigit():
        sys.path.insert(0, str(HERE))
        from synth import make_country

        root = tmp / f"country-{spec}"
        make_country(int(spec), root)
    else:
        root = tmp / Path(spec).name
        shutil.copytree(spec, root)
    ws = load_workspace(root)
    if not spec.isdigit() or not (root / "layers" / "monitoring.gpkg").exists():
        build(ws, overwrite=True)
    return ws


def _render(ws, fmt: str, workers: int, args, profile: str | None):
    from ntmgis.outputs.appendix import render_appendix
    from ntmgis.outputs.appendix._render import LAST_RUN

    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile(time.thread_time)
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    paths = render_appendix(ws, formats=fmt, size=args.size, dpi=args.dpi, pages=args.pages,
                            overwrite=True, workers=workers, progress=False)
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    # how the work was shared: before the pages (data, relief), the parent, the workers
    setup = (time.perf_counter() - t0 - LAST_RUN.wall, time.process_time() - c0
             - LAST_RUN.cpu_parent)
    print(f"  setup {setup[0]:.1f} s wall, {setup[1]:.1f} s CPU; pages: parent "
          f"{LAST_RUN.cpu_parent:.1f} s CPU"
          + (f", workers {sum(LAST_RUN.cpu_pages):.1f} s CPU" if workers > 1 else ""),
          flush=True)
    return paths, LAST_RUN.wall, LAST_RUN.cpu_total, LAST_RUN.pages


def _line(name: str, fmt: str, workers: int, walls, cpus, pages: int, paths) -> str:
    pdf = [p for p in paths if p.suffix == ".pdf"]
    pngs = [p for p in paths if p.suffix == ".png"]
    cpu = statistics.median(cpus)
    parts = [f"{name}: {fmt:<8} workers {workers}: {pages} pages, "
             f"{statistics.median(walls):6.1f} s wall, {cpu:6.1f} s CPU, "
             f"{cpu / max(pages, 1):.2f} s CPU/page"]
    if pdf:  # a split atlas: its files together (the pages counted are all of theirs)
        mb = sum(p.stat().st_size for p in pdf) / 1e6
        files = f" in {len(pdf)} files" if len(pdf) > 1 else ""
        parts.append(f"PDF {mb:.1f} MB{files} ({mb / max(pages, 1):.3f} MB/page)")
    if pngs:
        mb = sum(p.stat().st_size for p in pngs) / 1e6
        parts.append(f"PNG {mb / len(pngs):.2f} MB/page")
    return "; ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspaces", default="sample,100",
                    help="comma-separated: sample, a number of communes (synth.py), a folder")
    ap.add_argument("--formats", default="pdf;png;pdf,png",
                    help="semicolon-separated format settings timed in one process")
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                    help="comma-separated numbers of worker processes for the wall time")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--size", default="A4")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--pages", default=None, help="only these kinds of page")
    ap.add_argument("--profile", default=None,
                    help="write a cProfile (thread CPU) of the first render here")
    args = ap.parse_args()

    settings = list(dict.fromkeys(int(w) for w in args.workers.split(",") if w.strip()))
    formats = [f.strip() for f in args.formats.split(";") if f.strip()]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"appendix ({args.size}, {args.dpi} dpi); cores {os.cpu_count()}, "
          f"load average {load:.1f} at start")
    same = True
    profile = args.profile
    with tempfile.TemporaryDirectory(prefix="appendix-bench-") as tmp:
        for spec in [s.strip() for s in args.workspaces.split(",") if s.strip()]:
            ws = _workspace(spec, Path(tmp))
            name = "sample" if spec == "sample" else (
                f"{spec} communes" if spec.isdigit() else Path(spec).name)
            default = "pdf,png"
            # per format, in this process; the default formats are timed with the workers
            for fmt in formats:
                runs = list(settings) if fmt == default else [1]
                digests = {}
                for workers in runs:
                    walls, cpus = [], []
                    for _ in range(args.repeat):
                        paths, wall, cpu, pages = _render(ws, fmt, workers, args, profile)
                        profile = None
                        walls.append(wall)
                        cpus.append(cpu)
                    digests[workers] = _digest(paths)
                    print(_line(name, fmt, workers, walls, cpus, pages, paths), flush=True)
                if len(set(digests.values())) > 1:
                    same = False
                    print(f"  BYTES DIFFER between numbers of workers: {digests}")
    print("same bytes with every number of workers" if same else "BYTES DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
