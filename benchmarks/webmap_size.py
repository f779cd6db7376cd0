"""Size of the ntmgis overview map against geopandas.explore() of the same features.

Usage::

    .venv/bin/python benchmarks/webmap_size.py [WORKSPACE] [--year 2025]

WORKSPACE defaults to a temporary built copy of the sample workspace. The
script renders ``maps/index.html`` with ``ntmgis.outputs.webmap.render_maps`` and
writes ``explore.html`` with ``geopandas.explore()`` of the same communes
(with that year's criteria status), villages (with their status) and
projects, then prints the sizes:

- total: the whole file;
- libraries: Leaflet and markercluster inlined by ntmgis (explore() loads its
  libraries from CDNs, so it has none inlined and does not work offline); in a
  page with a compressed data block, the libraries, map script and styles
  compressed together (``page._code_text``);
- hillshade: the inlined background image (explore() has no background
  offline);
- data: the JSON data block without the hillshade (geometry, attributes of
  every year, labels), compared with the whole explore() file, whose
  libraries are not inlined (CDN links);
- map script: ntmgis's own script and styles (the same in every map) plus
  the page markup; "data + script" is reported too.

With ``--render N`` the overview is also opened N times in a fresh headless
Chromium with the network off (``benchmarks/run.py``'s ``measure_render``:
from navigation to ``window.ntmgis.ready`` plus two animation frames, and the
used JS heap) and the median is printed; ``--no-explore`` skips the
``explore()`` baseline (slow at national scale).

``--breakdown HTML`` prints the bytes of a compressed page by block as the
page stores them (JSON text and packed arrays, see ``packed_breakdown``).

Results go to benchmarks/out/webmap_size.json as well.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _built_sample(tmp: Path) -> Path:
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    shutil.copy(REPO / "ntmgis.toml", tmp / "ntmgis.toml")
    shutil.copytree(REPO / "layers", tmp / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*"))
    build(load_workspace(tmp), overwrite=True)
    return tmp


def explore_html(layers: object, year: int, path: Path) -> int:
    """Write geopandas.explore() of communes, villages and projects for ``year``."""
    communes = layers.communes.drop(columns=["projects", "villages"], errors="ignore")
    st = layers.commune_status
    st = st[st["year"] == year].drop(columns=["geometry", "name"], errors="ignore")
    communes = communes.merge(st, on="code", how="left")
    communes["band"] = communes["band"].fillna("outside")
    vs = layers.village_status
    vs = vs[vs["year"] == year].drop(columns=["geometry", "name", "commune_code"],
                                     errors="ignore")
    villages = layers.villages.merge(vs, on="code", how="left")
    projects = layers.projects
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = communes.explore(column="band", tiles="OpenStreetMap")
        villages.explore(m=m, column="ntm", marker_type="circle_marker")
        projects.explore(m=m, column="status")
        m.save(str(path))
    return path.stat().st_size


# names the compressed page gives its references (ntmgis/outputs/webmap/refs.py): counted
# with the leaves they stand for
_REF_LEAVES = {"nt": "name", "nc": "name", "xv": "xy", "ga": "geom"}


def packed_breakdown(html: str) -> dict[str, dict[str, int]]:
    """Bytes of a compressed overview by block, as the page stores them.

    Each leaf (``communes.arcs``, ``projects.cap``, ...) is its JSON text in
    the records plus the packed bytes it refers to (``page._record``); the
    leaves of a block (``run.BLOCKS``) are deflated together at level 6 and
    counted at 7/6 (text123; a page written before it, text7: 8/7).
    ``{block: {"raw": bytes, "packed": bytes}}``.
    """
    import zlib

    sys.path.insert(0, str(REPO / "benchmarks"))
    from run import BLOCKS, _block_of

    from ntmgis.outputs.webmap.page import GZ7_TYPE, data_block_text, split_records
    from ntmgis.outputs.webmap.text7 import decode7
    from ntmgis.outputs.webmap.text123 import decode123

    kind, block = data_block_text(html)
    if kind == "application/json":
        raise SystemExit("the page's data block is not compressed")
    old = kind == GZ7_TYPE
    decode, (num, den) = (decode7, (8, 7)) if old else (decode123, (7, 6))
    texts, blob = split_records(zlib.decompress(decode(block), 31))
    parts: dict[str, list[bytes]] = {b: [] for b in BLOCKS}

    def strip(x: object, path: tuple[str, ...], out: list[bytes]) -> object:
        if isinstance(x, dict):
            if len(x) == 1 and "$r" in x:
                off, size, kind = x["$r"]
                if kind == "j":  # a JSON text of its own (names...), with its own references
                    inner = strip(json.loads(blob[off:off + size]), path, out)
                    out.append(json.dumps(inner, ensure_ascii=False,
                                          separators=(",", ":")).encode())
                else:
                    out.append(blob[off:off + size])
                return 0
            return {k: strip(v, path, out) for k, v in x.items()}
        if isinstance(x, list):
            return [strip(v, path, out) for v in x]
        return x

    def walk(x: object, path: tuple[str, ...]) -> None:
        if isinstance(x, dict) and not (len(x) == 1 and "$r" in x) and len(path) < 2:
            for k, v in x.items():
                walk(v, (*path, _REF_LEAVES.get(str(k), str(k))))
            return
        out: list[bytes] = []
        text = json.dumps(strip(x, path, out), ensure_ascii=False, separators=(",", ":"))
        parts[_block_of(path)].extend([text.encode(), *out])

    walk(json.loads(b"".join(texts)), ())
    result = {}
    for b, chunks in parts.items():
        if chunks:
            raw = b"".join(chunks)
            result[b] = {"raw": len(raw), "packed": len(zlib.compress(raw, 6)) * num // den}
    page = len(html.encode()) - len(block.encode())
    result["page (libraries, script)"] = {"raw": page, "packed": page}
    return result


def print_breakdown(path: Path) -> dict:
    """Print :func:`packed_breakdown` of the page at ``path`` (MiB)."""
    html = path.read_text(encoding="utf-8")
    res = packed_breakdown(html)
    mib = 2**20
    for b, v in res.items():
        print(f"{b:28}{v['packed'] / mib:8.2f} MiB ({v['raw'] / mib:.2f} raw)")
    print(f"{'sum of blocks':28}{sum(v['packed'] for v in res.values()) / mib:8.2f} MiB; "
          f"page {len(html.encode()) / mib:.2f} MiB")
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workspace", nargs="?", type=Path)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--render", type=int, default=0, metavar="N",
                    help="open the overview N times in headless Chromium (median)")
    ap.add_argument("--no-explore", action="store_true", help="skip the explore() baseline")
    ap.add_argument("--breakdown", type=Path, metavar="HTML",
                    help="only print the bytes by block of this compressed page")
    args = ap.parse_args(argv)
    if args.breakdown:
        return print_breakdown(args.breakdown)

    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.gpkg import read_layers
    from ntmgis.outputs.webmap import render_maps
    from ntmgis.outputs.webmap.page import library_bytes

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        root = args.workspace or _built_sample(tmp)
        ws = load_workspace(root)
        year = args.year or max(ws.years)
        layers = read_layers(ws)
        out = tmp / "out"
        out.mkdir()
        # render into a scratch folder so that the workspace's maps/ stays as it is
        ws_out = type(ws)(**{**ws.__dict__, "maps_dir": out / "maps"}) \
            if hasattr(ws, "__dataclass_fields__") else ws
        paths = render_maps(ws_out, layers=layers, year=year, overwrite=True)
        html = paths[0].read_text(encoding="utf-8")
        total = len(html.encode())
        from ntmgis.outputs.webmap.page import data_block_text, read_data_block

        block = data_block_text(html)[1]
        hill_src = (read_data_block(html).get("hill") or {}).get("src", "")
        # the hillshade's share of a compressed block is not known: counted as data there
        compressed = 'type="application/json"' not in html
        hill = 0 if compressed else len(hill_src.encode())
        data_json = len(block.encode()) - hill
        # a compressed page's libraries, map script and styles are compressed too (page.py)
        code = re.search(r'<script id="ntmgis-code"[^>]*>(.*?)</script>', html, re.S)
        libs = library_bytes() if code is None else len(code.group(1).encode())
        script = total - libs - hill - data_json
        renders = []
        if args.render:
            sys.path.insert(0, str(REPO / "benchmarks"))
            from run import measure_render

            renders = [measure_render(paths[0], wait_for="window.ntmgis && window.ntmgis.ready",
                                      bound=120) for _ in range(args.render)]
        explore = None if args.no_explore else explore_html(layers, year, out / "explore.html")
        n = {"communes": len(layers.communes), "villages": len(layers.villages),
             "projects": len(layers.projects)}

    result = {
        "year": year, "features": n,
        "ntmgis_total": total, "ntmgis_libraries": libs, "ntmgis_hillshade": hill,
        "ntmgis_data": data_json, "ntmgis_script_and_markup": script,
        "explore_total": explore,
        "ratio_explore_to_ntmgis_data": round(explore / data_json, 2) if explore else None,
        "ratio_explore_to_ntmgis_data_and_script": round(explore / (data_json + script), 2)
        if explore else None,
        "renders": renders,
    }
    kb = 1024
    print(f"features: {n['communes']} communes, {n['villages']} villages, "
          f"{n['projects']} projects; year {year}")
    print(f"{'':34}{'bytes':>10}{'KiB':>9}")
    rows = [
        ("ntmgis index.html, total", total),
        ("  inlined libraries" if not compressed
         else "  libraries, map script, styles (gzip, text123)", libs),
        ("  inlined hillshade", hill),
        ("  data block (gzip, text123; with the hillshade)" if compressed
         else "  data (JSON, all years)", data_json),
        ("  map script, styles, markup" if not compressed
         else "  boot script, markup", script),
        ("geopandas.explore() (CDN, online)", explore),
    ]
    for name, v in rows:
        if v is not None:
            print(f"{name:34}{v:>10}{v / kb:>9.1f}")
    if explore:
        print(f"explore() / ntmgis data: {explore / data_json:.1f}x (target >= 3x); "
              f"explore() / (data + map script): {explore / (data_json + script):.1f}x")
    print(f"overview total {'<' if total < 1_000_000 else '>='} 1 MB "
          f"({total / 1e6:.2f} MB, {'compressed' if compressed else 'plain'} data block)")
    if renders:
        done = sorted(r["seconds"] for r in renders if r.get("finished"))
        heaps = sorted(r["heap_mb"] for r in renders if r.get("finished"))
        import os

        print("first render (s):", [r.get("seconds") for r in renders],
              f"median {done[len(done) // 2] if done else None}; JS heap (MB): "
              f"{heaps[len(heaps) // 2] if heaps else None}; "
              f"load average {os.getloadavg()[0]:.1f}")
    outdir = REPO / "benchmarks" / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "webmap_size.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
