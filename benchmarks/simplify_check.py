#!/usr/bin/env python3
"""Coverage-aware simplification of commune boundaries, checked.

For the synthetic communes (``benchmarks/synth.py``; or any communes layer
with ``--layer``) and each tolerance, it compares

- ``shapely.coverage_simplify`` (GEOS CoverageSimplifier: shared edges are
  simplified once, so neighbours stay edge-matched), and
- per-geometry ``shapely.simplify`` (Douglas-Peucker on each polygon alone:
  what ``GeoSeries.simplify`` does, and what tears neighbours apart),

reporting the vertices kept, the largest deviation (Hausdorff distance per
commune, metres), ``shapely.coverage_is_valid``, the overlap area (sum of
areas minus the area of the union) and the gap area (holes in the union,
which the input does not have), plus the same checks after the
simplified coverage is transformed to WGS 84 and quantised (rounded to
``--decimals`` decimal degrees), as a web map would store it.

It also dissolves the communes into districts and provinces with
``coverage_union`` and simplifies those coverages at coarser tolerances,
for the levels of detail shown at national zoom.

Usage::

    python benchmarks/simplify_check.py                 # N = 1000
    python benchmarks/simplify_check.py --n 10000
    python benchmarks/simplify_check.py --layer /tmp/ntmgis-bench/country-1000/layers/communes.gpkg
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

__all__ = ["check_coverage", "check_tolerance"]


def check_coverage(simplified: np.ndarray, original_area: float | None = None
                   ) -> dict[str, Any]:
    """Validity, overlap and gap areas (m² or the layer's units²) of a polygon coverage."""
    t0 = time.perf_counter()
    valid_each = bool(shapely.is_valid(simplified).all())
    cov_valid = bool(shapely.coverage_is_valid(simplified))
    union = shapely.union_all(simplified)
    overlap = float(shapely.area(simplified).sum() - union.area)
    holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
    gap = float(sum(h.area for h in holes))
    out = {"valid": valid_each, "coverage_valid": cov_valid,
           "overlap_area": round(max(overlap, 0.0), 3), "gap_area": round(gap, 3),
           "gaps": len(holes), "parts": len(getattr(union, "geoms", [union])),
           "check_s": round(time.perf_counter() - t0, 2)}
    if original_area is not None:
        out["area_change"] = round(float(union.area - original_area), 1)
    return out


def check_tolerance(geoms: np.ndarray, tol: float, *, method: str) -> dict[str, Any]:
    """Simplify a coverage one way and measure deviation, vertices and coverage validity."""
    t0 = time.perf_counter()
    if method == "coverage":
        simp = shapely.coverage_simplify(geoms, tol)
    else:
        simp = shapely.simplify(geoms, tol, preserve_topology=True)
    secs = time.perf_counter() - t0
    dev = shapely.hausdorff_distance(geoms, simp)
    res = {"method": method, "tolerance": tol, "simplify_s": round(secs, 2),
           "vertices": int(shapely.get_num_coordinates(simp).sum()),
           "max_deviation": round(float(dev.max()), 2),
           "p95_deviation": round(float(np.percentile(dev, 95)), 2)}
    res.update(check_coverage(simp))
    return res, simp


def quantised_check(simp: np.ndarray, crs: str, decimals: int) -> dict[str, Any]:
    """Transform a simplified coverage to WGS 84, round coordinates, check it again."""
    from pyproj import Transformer

    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def fwd(c: np.ndarray) -> np.ndarray:
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.round(np.column_stack([x, y]), decimals)

    q = shapely.transform(simp, fwd)
    # Rounding can make repeated points; drop them as an encoder would.
    q = shapely.remove_repeated_points(q)
    res = check_coverage(q)
    back = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    qm = shapely.transform(q, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
    res["max_shift_m"] = round(float(shapely.hausdorff_distance(simp, qm).max()), 2)
    return res


def levels_check(geoms: np.ndarray, groups: dict[str, np.ndarray], tolerances: dict[str, float]
                 ) -> list[dict[str, Any]]:
    """Dissolve the communes by group (coverage union), simplify each level, check it."""
    out = []
    for level, lab in groups.items():
        t0 = time.perf_counter()
        order = np.argsort(lab, kind="stable")
        bounds = np.flatnonzero(np.diff(lab[order])) + 1
        parts = np.split(order, bounds)
        merged = np.array([shapely.coverage_union_all(geoms[p]) for p in parts], dtype=object)
        t_union = time.perf_counter() - t0
        tol = tolerances[level]
        res, _ = check_tolerance(merged, tol, method="coverage")
        res.update({"level": level, "units": len(merged), "union_s": round(t_union, 2),
                    "input_vertices": int(shapely.get_num_coordinates(merged).sum())})
        out.append(res)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="synthetic communes (default 1000)")
    ap.add_argument("--layer", type=Path, default=None,
                    help="check this communes layer instead (projected CRS in metres)")
    ap.add_argument("--tolerances", default="15,30,35,40,45,60,100",
                    help="coverage_simplify tolerances, metres")
    ap.add_argument("--decimals", type=int, default=5,
                    help="decimal degrees kept when quantising (5: ~1 m)")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args(argv)
    tolerances = [float(t) for t in args.tolerances.split(",")]
    if args.layer:
        import pyogrio

        names = [row[0] for row in pyogrio.list_layers(args.layer)]
        df = pyogrio.read_dataframe(args.layer,
                                    layer="communes" if "communes" in names else names[0])
        geoms = shapely.get_geometry(df.geometry.to_numpy(), 0)  # MultiPolygon of one part
        crs = df.crs.to_string()
        name = args.layer.stem
        groups = {k: np.unique(df[c].to_numpy(), return_inverse=True)[1]
                  for k, c in (("district", "district_gso_code"),
                               ("province", "province_gso_code")) if c in df}
    else:
        from synth import CRS, tessellate

        geoms, seeds, _ = tessellate(args.n)
        crs = CRS
        name = f"synthetic-{args.n}"
        from scipy.cluster.vq import kmeans2

        rng = np.random.default_rng(1)
        groups = {}
        k_d = max(1, args.n // 15)
        _, lab_d = kmeans2(seeds, k_d, minit="++", seed=rng) if k_d > 1 else (None,
                                                                              np.zeros(args.n, int))
        groups["district"] = np.unique(lab_d, return_inverse=True)[1]
        k_p = max(1, args.n // 165)
        _, lab_p = kmeans2(seeds, k_p, minit="++", seed=rng) if k_p > 1 else (None,
                                                                              np.zeros(args.n, int))
        groups["province"] = np.unique(lab_p, return_inverse=True)[1]
        # Offset into the projected CRS for the WGS 84 check.
        from pyproj import Transformer
        from synth import CENTRE_LONLAT

        x0, y0 = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(*CENTRE_LONLAT)
        geoms = shapely.transform(geoms, lambda c: c + np.array([x0, y0]))
    report: dict[str, Any] = {"input": name, "communes": len(geoms),
                              "vertices": int(shapely.get_num_coordinates(geoms).sum())}
    report["input_check"] = check_coverage(geoms)
    rows = []
    for tol in tolerances:
        for method in ("coverage", "per_geometry"):
            res, simp = check_tolerance(geoms, tol, method=method)
            if method == "coverage":
                res["wgs84_quantised"] = quantised_check(simp, crs, args.decimals)
            rows.append(res)
    report["tolerances"] = rows
    report["levels"] = levels_check(geoms, groups, {"district": 150.0, "province": 400.0})

    print(f"{name}: {report['communes']:,} communes, {report['vertices']:,} vertices; "
          f"input coverage valid: {report['input_check']['coverage_valid']}")
    head = ("method", "tol m", "vertices", "max dev m", "p95 dev m", "cov valid", "overlap m²",
            "gap m²", "WGS84+round valid", "s")
    print(" | ".join(head))
    for r in rows:
        q = r.get("wgs84_quantised", {})
        print(" | ".join(str(x) for x in (
            r["method"], r["tolerance"], f"{r['vertices']:,}", r["max_deviation"],
            r["p95_deviation"], r["coverage_valid"], round(r["overlap_area"]),
            round(r["gap_area"]), q.get("coverage_valid", "–"), r["simplify_s"])))
    for r in report["levels"]:
        print(f"{r['level']}: {r['units']} units, {r['input_vertices']:,} -> {r['vertices']:,} "
              f"vertices at {r['tolerance']} m, max deviation {r['max_deviation']} m, coverage "
              f"valid {r['coverage_valid']}, gaps {r['gap_area']} m², overlaps "
              f"{r['overlap_area']} m²")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"simplify-{name}.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
