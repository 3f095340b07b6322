"""The package imports downward only: no module imports one that imports it back, counting the
imports inside functions (a circle there is a circle all the same, only later)."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "corridor_sim"


def import_graph() -> nx.DiGraph:
    """Module -> the project's modules it imports, anywhere in its text."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    graph = nx.DiGraph()
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph.add_edges_from((name, t) for t in targets if t in modules and t != name)
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = import_graph()
    assert graph.number_of_edges() > 100  # the graph was read
    circles = [sorted(group) for group in nx.strongly_connected_components(graph) if len(group) > 1]
    assert circles == []


def test_the_scenario_and_the_model_import_nothing_of_the_layers_above_them():
    graph = import_graph()
    above = ("corridor_sim.results", "corridor_sim.experiment", "corridor_sim.cli", "corridor_sim.plots",
             "corridor_sim.report", "corridor_sim.demo", "corridor_sim.calibrate", "corridor_sim.measures",
             "corridor_sim.replicate", "corridor_sim.executors")
    wrong = [(a, b) for a, b in graph.edges if a.startswith("corridor_sim.model") and b.startswith(above)]
    wrong += [(a, b) for a, b in graph.edges
              if a.startswith("corridor_sim.scenario") and b.startswith(("corridor_sim.model", *above))]
    assert wrong == []
