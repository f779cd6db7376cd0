#!/usr/bin/env python3
"""Time the whole Mường Tè map appendix (PDF + 300-dpi PNG pages), as ``make demo`` makes it.

The sample workspace is copied into a temporary folder and built once; then the
appendix is rendered ``--repeat`` times in this process, and the median wall
time and the CPU time (all threads) of one render are printed.

Usage::

    python benchmarks/appendix_time.py                 # 3 runs, PDF + PNG, A4
    python benchmarks/appendix_time.py --repeat 5 --format pdf
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--format", default="pdf,png")
    ap.add_argument("--size", default="A4")
    ap.add_argument("--dpi", type=int, default=300)
    args = ap.parse_args()

    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.appendix import render_appendix
    from ntmgis.outputs.scaffold import init_workspace

    with tempfile.TemporaryDirectory(prefix="appendix-bench-") as tmp:
        root = init_workspace(Path(tmp) / "muong_te", sample=True)
        ws = load_workspace(root)
        build(ws, overwrite=True)
        walls, cpus = [], []
        for i in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            paths = render_appendix(ws, formats=args.format, size=args.size, dpi=args.dpi,
                                    overwrite=True)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            print(f"run {i + 1}: {walls[-1]:.1f} s wall, {cpus[-1]:.1f} s CPU", file=sys.stderr)
        pdf = [p for p in paths if p.suffix == ".pdf"]
        pngs = [p for p in paths if p.suffix == ".png"]
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"appendix ({args.format}, {args.size}, {args.dpi} dpi): "
              f"{len(pngs) or '-'} PNG pages, {len(pdf)} PDF, {size_mb:.1f} MB; "
              f"median of {args.repeat}: {statistics.median(walls):.1f} s wall, "
              f"{statistics.median(cpus):.1f} s CPU; cores {os.cpu_count()}, "
              f"load average {load:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
