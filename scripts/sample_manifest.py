"""Build every output of the sample and record (or check) the sha256 of each file.

The manifest ``tests/data/golden/sample_manifest.json`` is the proof that a
change which should not change outputs did not: the GeoPackage, every HTML
map (Vietnamese and English), the appendix PDF and PNG pages, the Excel
forms, the report files, validation.csv and the query CSVs and GeoJSON.

It drives the command line only (``python -m ntmgis``), so it measures what
a user gets whatever the code's layout. The test suite runs the same commands in
one interpreter (``build_sample(one_process=True)``, tests/conftest.py) and
compares with the manifest written here from a fresh process per command.

Usage::

    python scripts/sample_manifest.py            # check: exit 1 and list the differences
    python scripts/sample_manifest.py --write    # regenerate the manifest

Regenerate only when a change means to alter outputs (a contract change, a new
feature, or a dependency upgrade that changes bytes): say why in the commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tests" / "data" / "golden" / "sample_manifest.json"

#: The commands, in order, run inside a fresh copy of the sample. Each must exit 0.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("validate", "--csv", "validation.csv"),
    ("build",),
    ("report",),
    ("report", "--lang", "en", "-o", "reports/en"),
    ("map",),
    ("appendix",),
    ("forms",),
    ("query", "gaps", "--year", "2025", "--csv", "queries/gaps.csv",
     "--summary-csv", "queries/gaps_summary.csv", "--geojson", "queries/gaps.geojson",
     "--map", "queries/gaps.html"),
    ("query", "gaps", "--level", "village", "--csv", "queries/gaps_village.csv"),
    ("query", "access", "--to", "health_station", "--by", "straight",
     "--csv", "queries/access_straight.csv"),
    ("query", "access", "--to", "school", "--by", "road", "--csv", "queries/access_road.csv"),
    ("query", "access", "--to", "health_station", "--by", "terrain", "--max-minutes", "60",
     "--csv", "queries/access_terrain.csv", "--raster", "queries/access_terrain.tif"),
    ("query", "misplaced", "--csv", "queries/misplaced.csv"),
    ("query", "projects", "--criterion", "5", "--csv", "queries/projects_c5.csv"),
    ("query", "projects", "--near", "Bản Seo Pé", "--within-km", "5",
     "--csv", "queries/projects_near.csv"),
)

#: What the manifest ignores: nothing a user keeps, only this script's logs.
_SKIP = {"commands.log"}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _steps(ws: Path) -> list[tuple[str, ...]]:
    return [("init", "--sample", str(ws))] + [(*a, "-w", str(ws)) for a in COMMANDS]


def build_sample(workdir: Path, python: str = sys.executable, *,
                 one_process: bool = False) -> Path:
    """Copy the sample into ``workdir/sample`` and run every command of :data:`COMMANDS`.

    Each command runs in a fresh ``python -m ntmgis``, as a user runs it. With
    ``one_process`` they all run one after the other in a single interpreter (the test
    suite's way: 15 interpreter starts fewer, about 17 s of CPU); the manifest is always
    written from fresh processes, so state carried from one command to the next would
    show as a difference, never be recorded.
    """
    ws = workdir / "sample"
    env = dict(os.environ, PYTHONHASHSEED="0", NO_COLOR="1", COLUMNS="120")
    log = workdir / "commands.log"
    steps = _steps(ws)
    with open(log, "w", encoding="utf-8") as out:
        if one_process:
            runs = [([python, str(Path(__file__).resolve()), "--one-process", str(ws)],
                     "the commands in one process")]
        else:
            runs = [([python, "-m", "ntmgis", *a], f"`ntmgis {' '.join(a)}`") for a in steps]
        for i, (argv, what) in enumerate(runs):
            if i == 1:
                (ws / "queries").mkdir()
            proc = subprocess.run(argv, cwd=ws if i else workdir,
                                  env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"sample_manifest: {what} exited "
                                 f"{proc.returncode}; see {log}")
    return ws


def _one_process(ws: Path) -> int:
    """Run :func:`_steps` here, each as ``python -m ntmgis`` would (its own directory)."""
    from ntmgis.cli import main as cli

    for i, args in enumerate(_steps(ws)):
        os.chdir(ws if i else ws.parent)
        if i == 1:
            (ws / "queries").mkdir()
        try:
            cli.main(list(args), prog_name="ntmgis")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        if code != 0:
            print(f"sample_manifest: `ntmgis {' '.join(args)}` exited {code}", flush=True)
            return code
    return 0


def manifest_of(ws: Path) -> dict[str, str]:
    """Return ``{relative posix path: sha256}`` of every file in the workspace, sorted."""
    files = sorted(p for p in ws.rglob("*") if p.is_file() and p.name not in _SKIP)
    return {p.relative_to(ws).as_posix(): _sha256(p) for p in files}


def compare(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Return one line per file that is missing, new or different."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            lines.append(f"missing: {name}")
        elif name not in expected:
            lines.append(f"new:     {name}")
        elif expected[name] != actual[name]:
            lines.append(f"changed: {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Check the sample's outputs against the manifest, or rewrite it with ``--write``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the manifest")
    ap.add_argument("--keep", type=Path, default=None,
                    help="build in this folder (kept) instead of a temporary one")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--one-process", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one_process is not None:  # build_sample(one_process=True) runs this
        return _one_process(args.one_process)
    with tempfile.TemporaryDirectory(prefix="ntmgis-manifest-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        actual = manifest_of(build_sample(work))
    if args.write:
        args.manifest.parent.mkdir(parents=True, exist_ok=True)
        args.manifest.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
        print(f"sample_manifest: wrote {len(actual)} hashes to {args.manifest}")
        return 0
    expected = json.loads(args.manifest.read_text(encoding="utf-8"))
    diff = compare(expected, actual)
    for line in diff:
        print(line)
    print(f"sample_manifest: {len(actual)} files, {len(diff)} differ from {args.manifest.name}")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
