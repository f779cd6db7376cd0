"""The layout rules, checked on the import graph (function-local imports included).

- Packages follow the data path: core < inputs < monitoring < outputs < analysis < cli.
  A module imports only from its own package or a lower one. (analysis sits above
  outputs because a query may draw its result with the web map's writer; outputs
  never import analysis.)
- ``ntmgis/__init__.py``, ``ntmgis/queries.py`` and ``ntmgis/__main__.py`` are the
  public face: nothing inside the packages imports them.
- No import cycles between modules.
- Only ``ntmgis/cli/`` imports click; the library runs without loading it.
- No Python file over 600 lines.

See docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "ntmgis"
RANK = {"core": 0, "inputs": 1, "monitoring": 2, "outputs": 3, "analysis": 4, "cli": 5}
FACADE = {"ntmgis", "ntmgis.queries", "ntmgis.__main__"}
CLI_ONLY = ("click", "rich_click")
MAX_LINES = 600


def module_sources(pkg: Path = PKG) -> dict[str, str]:
    """``{dotted module name: source}`` for every .py file of the package."""
    out = {}
    for f in sorted(pkg.rglob("*.py")):
        parts = list(f.relative_to(pkg.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f.read_text(encoding="utf-8")
    return out


def imports_of(name: str, source: str, is_package: bool) -> list[str]:
    """Every module name ``source`` imports, anywhere in the file, made absolute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append(prefix)
            found += [f"{prefix}.{a.name}" for a in node.names]
    return found


def import_graph(sources: dict[str, str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Module -> ntmgis modules it imports, and module -> outside packages it imports."""
    graph: dict[str, set[str]] = {m: set() for m in sources}
    outside: dict[str, set[str]] = {m: set() for m in sources}
    for m, src in sources.items():
        is_package = m == "ntmgis" or (PKG / "/".join(m.split(".")[1:]) / "__init__.py").is_file()
        for target in imports_of(m, src, is_package):
            if target.split(".")[0] != "ntmgis":
                outside[m].add(target.split(".")[0])
                continue
            t = target
            while t and t not in sources:
                t = t.rpartition(".")[0]
            if t and t != m:
                graph[m].add(t)
    return graph, outside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_of(module: str) -> str | None:
    """The package a module belongs to (``core`` ...), or None for the public face."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def violations(sources: dict[str, str]) -> list[str]:
    """Every broken rule, one line each (empty when the layout is kept)."""
    graph, outside = import_graph(sources)
    problems = [f"cycle: {' -> '.join(c)}" for c in cycles(graph)]
    for m in sorted(sources):
        lm = layer_of(m)
        if lm is None and m not in FACADE:
            problems.append(f"{m}: a module outside the layered packages")
        if lm != "cli" and outside[m] & set(CLI_ONLY):
            problems.append(f"{m} imports click: only ntmgis/cli/ may")
        for t in sorted(graph[m]):
            lt = layer_of(t)
            if lm is None:
                continue  # the public face may gather from anywhere
            if lt is None:
                problems.append(f"{m} imports {t}, the public face: import the module instead")
            elif RANK[lt] > RANK[lm]:
                problems.append(f"{m} ({lm}) imports {t} ({lt}), a higher package")
        n = sources[m].count("\n") + 1
        if n > MAX_LINES:
            problems.append(f"{m}: {n} lines, over {MAX_LINES}")
    return problems


def test_the_layout_is_kept() -> None:
    assert violations(module_sources()) == []


def test_every_package_of_the_data_path_exists() -> None:
    for package in RANK:
        assert (PKG / package / "__init__.py").is_file(), package


@pytest.mark.parametrize("package", ["monitoring", "inputs", "core", "outputs"])
def test_click_outside_cli_is_caught(package: str) -> None:
    sources = module_sources()
    sources[f"ntmgis.{package}.checks_extra"] = "import click\n"
    assert any("imports click" in v for v in violations(sources))


def test_function_local_upward_import_is_caught() -> None:
    sources = module_sources()
    sources["ntmgis.core.extra"] = "def f():\n    from ntmgis.outputs.report import plan_report\n"
    assert ["ntmgis.core.extra (core) imports ntmgis.outputs.report (outputs), "
            "a higher package"] == violations(sources)


def test_cycle_is_caught() -> None:
    sources = module_sources()
    sources["ntmgis.core.a"] = "from ntmgis.core import b\n"
    sources["ntmgis.core.b"] = "def f():\n    import ntmgis.core.a\n"
    assert "cycle: ntmgis.core.a -> ntmgis.core.b" in violations(sources)


def test_plain_import_reaches_the_queries() -> None:
    code = "import ntmgis; print(ntmgis.queries.gaps.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "gaps"


def test_the_library_does_not_load_click() -> None:
    code = ("import sys, ntmgis, ntmgis.queries, ntmgis.outputs.appendix, ntmgis.outputs.webmap,"
            " ntmgis.outputs.postgis_store, ntmgis.outputs.forms; print('click' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api_keeps_working() -> None:
    import ntmgis
    import ntmgis.queries as q

    for name in ("load_workspace", "validate", "build", "read_layers", "plan_report",
                 "init_workspace", "MonitoringLayers", "folium_map"):
        assert callable(getattr(ntmgis, name)), name
    for name in ("gaps", "access", "misplaced", "projects", "gap_summary", "load_data"):
        assert callable(getattr(q, name)), name
