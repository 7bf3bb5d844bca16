"""The package's layers hold and its import graph has no cycle (docs/DATAFLOW.md, "Layers").

The contracts are declared in pyproject.toml ([tool.importlinter]) and checked by import-linter's
own `lint-imports`; a copy of the package with one upward import shows the check can fail.
The cycle check walks grimp's graph (import-linter's), function-level imports included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reasoning_suite"


def _lint(package_parent: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the project's contracts over the package found in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=package_parent, env=env, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout and "BROKEN" not in proc.stdout


@pytest.mark.parametrize("module, line, broken", [
    # core above the tasks it should sit under (the defect of issue 16)
    ("core/aggregate.py", "from reasoning_suite.harness_tasks import registry as _up", "core is not allowed to import"),
    # the trainers reaching for the test-model builder
    ("trainers/sft_data.py", "from reasoning_suite import tiny_model as _up", "trainers is not allowed to import"),
    # one executor importing the other
    ("study/slurm.py", "from reasoning_suite.study import runner as _up", "study executors import the plan"),
    # the hub loaders' cycle back through the registry's data module
    ("harness_tasks/data.py", "from reasoning_suite.harness_tasks import registry as _up",
     "No cycles are allowed in reasoning_suite.harness_tasks"),
])
def test_an_upward_import_breaks_a_contract(tmp_path, module, line, broken):
    shutil.copytree(PACKAGE, tmp_path / "reasoning_suite", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    target = tmp_path / "reasoning_suite" / module
    target.write_text(target.read_text() + f"\n\ndef _upward():\n    {line}\n\n    return _up\n")
    proc = _lint(tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert broken in proc.stdout.replace("\n", " "), proc.stdout[-3000:]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (or a module importing itself)."""
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for start in adj:  # Tarjan, iteratively (no recursion limit on long chains)
        if start in index:
            continue
        work = [(start, iter(adj[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(adj.get(w, []))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in adj[v]:
                    out.append(sorted(comp))
    return out


def test_the_import_graph_has_no_cycle():
    """Not only between siblings (the acyclic_siblings contract): a package's __init__ and its
    own modules, or a lazy import inside a function, count too."""
    sys_path = sys.path[:]
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("reasoning_suite", cache_dir=None)
    finally:
        sys.path[:] = sys_path
    assert len(graph.modules) > 50
    assert _cycles(graph) == []
    graph.add_import(importer="reasoning_suite.core.aggregate", imported="reasoning_suite.harness_tasks.registry")
    assert any("reasoning_suite.core.aggregate" in c for c in _cycles(graph))  # the check can fail
