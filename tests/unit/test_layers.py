"""The import rules of the code base, checked by reading every module's imports.

Layer order (an import goes only downward or sideways within a layer):

    0 base      zwxx.errors, zwxx.types          exceptions and the types every stage passes on
    1 config    zwxx.config                      settings, roster, rules
    2 records   zwxx.records                     tables, store, read layer, CSV imports
    3 stages    zwxx.ingest, zwxx.classify, zwxx.scoring
    4 notify    zwxx.notify
    5 pipeline  zwxx.pipeline (and the app wiring: zwxx.app, zwxx.reports, ...)
    6 front     zwxx.cli, zwxx.scheduler, zwxx.demo, zwxx.web

Besides the order, no two modules may import each other, directly or around a circle, and
no two packages may either (``ingest`` and ``classify`` are siblings, not partners).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import zwxx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = {
    "zwxx": ROOT / "zwxx",
    "zwxx.config": ROOT / "config",
    "zwxx.records": ROOT / "records",
    "zwxx.ingest": ROOT / "ingest",
    "zwxx.classify": ROOT / "classify",
    "zwxx.scoring": ROOT / "scoring",
    "zwxx.notify": ROOT / "notify",
}

LAYERS: list[tuple[str, ...]] = [
    ("zwxx.errors", "zwxx.types"),
    ("zwxx.config",),
    ("zwxx.records",),
    ("zwxx.ingest", "zwxx.classify", "zwxx.scoring"),
    ("zwxx.notify",),
    ("zwxx.pipeline", "zwxx.app", "zwxx.reports", "zwxx.notifications", "zwxx.doctor"),
    (
        "zwxx.cli",
        "zwxx.scheduler",
        "zwxx.demo",
        "zwxx.web",
        "zwxx.__main__",
    ),
]


def _group(module: str) -> str:
    """The layer entry a module belongs to: the longest listed prefix."""
    best = ""
    for layer in LAYERS:
        for name in layer:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best = name
    return best


def _rank(module: str) -> int:
    if module == "zwxx":  # the namespace's own __init__: empty, at the bottom
        return 0
    group = _group(module)
    for i, layer in enumerate(LAYERS):
        if group in layer:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if "migrations" in parts:  # alembic scripts, loaded by path
                continue
            out[".".join([pkg, *parts])] = path
    return out


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """zwxx modules imported by ``module`` (at any depth, also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg_parts = module.split(".")
                if not is_pkg:
                    pkg_parts = pkg_parts[:-1]
                pkg_parts = pkg_parts[: len(pkg_parts) - (node.level - 1)]
                base = ".".join([*pkg_parts, *([base] if base else [])])
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        for name in names:
            # the longest known module the name resolves to
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module and name != "zwxx":
                found.add(name)
    # "from zwxx.x import y" also names the package zwxx.x: keep only the deepest
    return {n for n in found if not any(o.startswith(n + ".") for o in found)}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(m, p, known) for m, p in mods.items()}


def test_every_module_is_in_a_layer() -> None:
    for module in _modules():
        _rank(module)


def test_no_upward_import() -> None:
    bad = [
        f"{m} (layer {_rank(m)}) imports {t} (layer {_rank(t)})"
        for m, targets in _graph().items()
        for t in sorted(targets)
        if _rank(t) > _rank(m)
    ]
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    sys.setrecursionlimit(10000)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
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
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_between_modules() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_import_circle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for m, targets in _graph().items():
        src = _group(m)
        graph.setdefault(src, set()).update(_group(t) for t in targets if _group(t) != src)
    cycles = _cycles(graph)
    assert not cycles, "package circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_checker_sees_a_known_import() -> None:
    """Guard against a walker that finds nothing and so passes everything."""
    graph = _graph()
    assert "zwxx.errors" in graph["zwxx.config.settings"]
    assert zwxx.__name__ == "zwxx"
