"""The layout's rules, read from the source: which package may import which, where
Telegram and SQL may appear, no import cycles, small modules (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "coach"
MAX_LINES = 400

# what each part of coach/ may import from coach/ (besides itself)
ALLOWED = {
    "coach.storage": set(),
    "coach.flow": {"coach.storage"},
    "coach.core": {"coach.flow", "coach.storage"},
    "coach.features": {"coach.core", "coach.flow", "coach.storage"},
    "coach.config": {"coach.core"},
    "coach.wiring": {"coach.core", "coach.features", "coach.storage"},
    "coach.adapters.console": {"coach.core", "coach.config", "coach.wiring", "coach.storage"},
    "coach.adapters.telegram": {"coach.core", "coach.config", "coach.wiring",
                                "coach.storage", "coach.adapters.web"},
    "coach.adapters.web": {"coach.core", "coach.config", "coach.wiring", "coach.storage"},
}
TELEGRAM_ALLOWED = ("coach.adapters.telegram",)
SQL_PACKAGE = "coach.storage"
DB_METHODS = {"execute", "executemany", "executescript", "query", "atomic", "table_names",
              "enable_wal", "conn"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(CODE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (they never run)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            lines |= {n.lineno for child in node.body for n in ast.walk(child)}
    return lines


def imports(name: str, *, runtime_only: bool = False) -> set[str]:
    """The modules ``name`` imports (``from coach.x import y`` names module coach.x.y
    when that is a module, else coach.x)."""
    tree = TREES[name]
    skip = _type_checking_only(tree) if runtime_only else set()
    found = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else _relative(name, node)
            subs = {f"{base}.{a.name}" for a in node.names} & MODULES.keys()
            found |= subs or {base}
    return found


def _relative(name: str, node: ast.ImportFrom) -> str:
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}"


def part_of(name: str) -> str:
    return next((p for p in sorted(ALLOWED, key=len, reverse=True)
                 if name == p or name.startswith(p + ".")), "coach")


def layering_violations(modules=MODULES) -> list[str]:
    wrong = []
    for name in modules:
        own = part_of(name)
        for target in imports(name):
            if not target.startswith("coach.") or target == "coach":
                continue
            theirs = part_of(target)
            if theirs != own and theirs not in ALLOWED.get(own, set()):
                wrong.append(f"{name} imports {target}")
    return wrong


def telegram_violations() -> list[str]:
    return [f"{name} imports {target}" for name in MODULES
            if not name.startswith(TELEGRAM_ALLOWED)
            for target in imports(name) if target.split(".")[0] == "telegram"]


def sql_violations() -> list[str]:
    """Code outside storage that imports a database library or calls the database."""
    wrong = []
    for name, tree in TREES.items():
        if name == SQL_PACKAGE or name.startswith(SQL_PACKAGE + "."):
            continue
        for target in imports(name):
            if target.split(".")[0] in ("sqlite3", "sqlite_utils"):
                wrong.append(f"{name} imports {target}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in DB_METHODS and _is_db(node.value):
                wrong.append(f"{name}:{node.lineno} calls db.{node.attr}")
            if isinstance(node, ast.Subscript) and _is_db(node.value):
                wrong.append(f"{name}:{node.lineno} indexes the database")
    return wrong


def _is_db(node: ast.AST) -> bool:
    """``db``, ``self.db``, ``turn.db``, ``coach.db``: the database object."""
    return (isinstance(node, ast.Name) and node.id == "db") or (
        isinstance(node, ast.Attribute) and node.attr == "db")


def cycles() -> list[list[str]]:
    graph = {name: {t for t in imports(name, runtime_only=True) if t in MODULES}
             for name in MODULES}
    # a package's __init__ runs before its modules: importing a module imports its package
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_each_part_imports_only_the_parts_below_it():
    assert layering_violations() == []


def test_only_the_telegram_adapter_imports_telegram():
    assert telegram_violations() == []


def test_only_storage_runs_sql():
    assert sql_violations() == []


def test_there_are_no_import_cycles():
    assert cycles() == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)}: {lines} lines"


def test_every_package_says_what_it_holds():
    for name, tree in TREES.items():
        if MODULES[name].name == "__init__.py":
            assert ast.get_docstring(tree), f"{name} has no docstring"


def test_the_checks_see_a_violation(tmp_path):
    """The rules above catch what they are for (a core module that imports a feature,
    telegram and sqlite3, and runs SQL), so a passing run means something."""
    bad = "\n".join(("import sqlite3", "import telegram",
                     "from coach.features.team import feature", "",
                     "def f(db):", "    return db.execute('select 1')", ""))
    name = "coach.core.bad_example"
    TREES[name] = ast.parse(bad)
    MODULES[name] = tmp_path / "bad_example.py"
    MODULES[name].write_text(bad)
    try:
        assert "coach.core.bad_example imports coach.features.team.feature" in (
            layering_violations())
        assert "coach.core.bad_example imports telegram" in telegram_violations()
        assert {"coach.core.bad_example imports sqlite3",
                "coach.core.bad_example:6 calls db.execute"} <= set(sql_violations())
    finally:
        del TREES[name], MODULES[name]
