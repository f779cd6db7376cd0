#!/usr/bin/env python3
"""Time the whole Mường Tè map appendix (PDF + 300-dpi PNG pages), serial and parallel.

The sample workspace is copied into a temporary folder and built once; then the
appendix is rendered ``--repeat`` times with each number of worker processes in
``--workers`` (``1`` renders in this process), in the same run so that the
machine's load is alike. For each it prints the median wall time, the CPU time of
one render (this process, its PNG thread and every worker's pages) and the CPU
time per page, and checks that every setting wrote the same bytes.

Usage::

    python benchmarks/appendix_time.py                    # workers 1 and one per core, 3 runs
    python benchmarks/appendix_time.py --repeat 1 --workers 1,2,4 --format pdf
    python benchmarks/appendix_time.py --profile prof.out --workers 1 --repeat 1
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
from pathlib import Path


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--format", default="pdf,png")
    ap.add_argument("--size", default="A4")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--pages", default=None, help="only these kinds of page")
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                    help="comma-separated numbers of worker processes to compare")
    ap.add_argument("--profile", default=None,
                    help="write a cProfile of the first render here (use with --workers 1)")
    args = ap.parse_args()

    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.appendix import render_appendix
    from ntmgis.outputs.appendix._render import LAST_RUN
    from ntmgis.outputs.scaffold import init_workspace

    settings = list(dict.fromkeys(int(w) for w in args.workers.split(",") if w.strip()))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"appendix ({args.format}, {args.size}, {args.dpi} dpi); cores {os.cpu_count()}, "
          f"load average {load:.1f} at start")
    digests = {}
    with tempfile.TemporaryDirectory(prefix="appendix-bench-") as tmp:
        root = init_workspace(Path(tmp) / "muong_te", sample=True)
        ws = load_workspace(root)
        build(ws, overwrite=True)
        for workers in settings:
            walls, cpus = [], []
            for i in range(args.repeat):
                prof = None
                if args.profile and i == 0 and workers == settings[0]:
                    import cProfile

                    prof = cProfile.Profile()
                    prof.enable()
                paths = render_appendix(ws, formats=args.format, size=args.size, dpi=args.dpi,
                                        pages=args.pages, overwrite=True, workers=workers,
                                        progress=False)
                if prof is not None:
                    prof.disable()
                    prof.dump_stats(args.profile)
                walls.append(LAST_RUN.wall)
                cpus.append(LAST_RUN.cpu_total)
                print(f"  workers {workers}, run {i + 1}: {walls[-1]:.1f} s wall, "
                      f"{cpus[-1]:.1f} s CPU", file=sys.stderr)
            digests[workers] = _digest(paths)
            pages = LAST_RUN.pages
            pngs = [p for p in paths if p.suffix == ".png"]
            size_mb = sum(p.stat().st_size for p in paths) / 1e6
            cpu = statistics.median(cpus)
            print(f"workers {workers} ({LAST_RUN.workers} used): {pages} pages, "
                  f"{len(pngs) or '-'} PNG, {size_mb:.1f} MB; median of {args.repeat}: "
                  f"{statistics.median(walls):.1f} s wall, {cpu:.1f} s CPU, "
                  f"{cpu / max(pages, 1):.2f} s CPU per page; bytes {digests[workers]}")
    same = len(set(digests.values())) == 1
    print("same bytes with every number of workers" if same else
          f"BYTES DIFFER between settings: {digests}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
