"""The floors of the house (docs/architecture.md): a package imports only packages of its own floor or of a lower
one, and no two packages import each other, even through others (no package-level cycle, same floor included).

The scan reads every `.py` file of every product package with `ast`: `import x`, `from x import y`, at the top
of a module or inside a function. A product package (a top-level folder with an `__init__.py`) missing from FLOORS
fails the test: place a new package on a floor here and in docs/architecture.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest floor first. Keep in step with docs/architecture.md.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("core",),  # errors, settings, JSON, scalars, staleness rule
    ("cypher", "engines", "geo"),  # query files, local engines, pure places and distances
    ("graph",),  # driver, transactions, streams, tombstones (change feed), FHIR id scheme
    ("search",),  # index, sync, orientation, territory reads
    ("accounts", "loaders"),  # users, tokens, audit; reference data loaders
    ("capacity", "quality", "fhir_api", "crisis", "emergency", "fei"),  # capacity and tension, data quality, FHIR
    # facade; crisis modules: plan blanc (SSE), emergency activity, adverse-event forms
    ("web",),  # Flask app, pages, /api/v1
    ("ror",),  # the roof: command line, demo
)
FLOOR = {package: level for level, packages in enumerate(FLOORS) for package in packages}
NOT_PRODUCT = {"tests", "bench", "docs", "data"}


@dataclass(frozen=True)
class Import:
    source: str  # importing package
    target: str  # imported package
    where: str  # "path:line"


def product_packages(root: Path = ROOT) -> set[str]:
    return {p.parent.name for p in root.glob("*/__init__.py") if p.parent.name not in NOT_PRODUCT}


def imports_of(path: Path, source: str, packages: set[str], root: Path = ROOT) -> list[Import]:
    """Every import of another product package in one file, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside their package
        for name in names:
            target = name.split(".")[0]
            if target in packages and target != source:
                found.append(Import(source, target, f"{path.relative_to(root)}:{node.lineno}"))
    return found


def scan(root: Path = ROOT) -> list[Import]:
    packages = product_packages(root)
    return [imp for package in sorted(packages) for path in sorted((root / package).rglob("*.py"))
            for imp in imports_of(path, package, packages, root)]


def upward(imports: list[Import]) -> list[str]:
    return [f"{imp.where}: {imp.source} (floor {FLOOR[imp.source]}) imports {imp.target} (floor {FLOOR[imp.target]})"
            for imp in imports if FLOOR[imp.target] > FLOOR[imp.source]]


def cycles(imports: list[Import]) -> list[str]:
    """Package-level cycles: for each edge a -> b from which a can be reached again, the path back and the line."""
    graph: dict[str, dict[str, str]] = {}
    for imp in imports:
        graph.setdefault(imp.source, {}).setdefault(imp.target, imp.where)

    def path_between(start: str, goal: str) -> list[str] | None:
        seen, stack = {start}, [[start]]
        while stack:
            trail = stack.pop()
            for nxt in sorted(graph.get(trail[-1], {})):
                if nxt == goal:
                    return [*trail, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append([*trail, nxt])
        return None

    found = []
    for source, targets in sorted(graph.items()):
        for target, where in sorted(targets.items()):
            back = path_between(target, source)
            if back:
                found.append(f"{where}: {source} imports {target}, and {' -> '.join(back)} imports it back")
    return found


def test_every_product_package_has_a_floor():
    missing = sorted(product_packages() - set(FLOOR))
    assert not missing, f"packages without a floor (add them to FLOORS and docs/architecture.md): {missing}"
    gone = sorted(set(FLOOR) - product_packages())
    assert not gone, f"FLOORS names packages that no longer exist: {gone}"


def test_no_import_goes_up_a_floor():
    problems = upward([imp for imp in scan() if imp.source in FLOOR and imp.target in FLOOR])
    assert not problems, "imports going up a floor:\n" + "\n".join(problems)


def test_no_package_level_cycle():
    problems = cycles(scan())
    assert not problems, "package-level import cycles:\n" + "\n".join(problems)


# The checks themselves, on a small made-up tree: a test that cannot fail is a defect.


@pytest.fixture
def house(tmp_path):
    def make(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return make


def test_an_upward_import_inside_a_function_is_found_with_its_line(house):
    root = house({"core/__init__.py": "", "core/a.py": "import os\n\n\ndef f():\n    from web.app import x\n",
                  "web/__init__.py": "", "web/app.py": "import core.a\nx = 1\n"})
    assert upward(scan(root)) == ["core/a.py:5: core (floor 0) imports web (floor 6)"]


def test_plain_import_statements_count_too(house):
    root = house({"graph/__init__.py": "", "graph/m.py": "import search.client as c, os\n",
                  "search/__init__.py": ""})
    assert upward(scan(root)) == ["graph/m.py:1: graph (floor 2) imports search (floor 3)"]


def test_a_cycle_between_packages_of_one_floor_is_found(house):
    root = house({"capacity/__init__.py": "", "capacity/a.py": "from quality import b\n",
                  "quality/__init__.py": "", "quality/b.py": "\n\nfrom capacity.a import c\n"})
    imports = scan(root)
    assert upward(imports) == []
    assert cycles(imports) == [
        "capacity/a.py:1: capacity imports quality, and quality -> capacity imports it back",
        "quality/b.py:3: quality imports capacity, and capacity -> quality imports it back",
    ]


def test_a_new_package_is_noticed(house):
    root = house({"core/__init__.py": "", "rostering/__init__.py": "", "tests/__init__.py": ""})
    assert product_packages(root) - set(FLOOR) == {"rostering"}
