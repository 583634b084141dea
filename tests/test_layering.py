"""The folders are the layers (DESIGN.md §2): the core never reaches a shell, the database or
Telegram, and only ``bot.tg`` talks to Telegram.

Imports are read from the source (also those inside functions), followed through every
``bot`` module they reach, so a lazy import cannot hide a dependency; two subprocess checks
confirm it for what is really loaded.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# The pure core: synchronous, no I/O beyond reading its files, no Telegram, no database.
CORE = ("bot.knowledge", "bot.i18n", "bot.engine", "bot.search", "bot.crisis", "bot.text")
# What the core may never load, directly or through another bot module.
NOT_IN_CORE = ("telegram", "aiosqlite", "asyncpg", "PIL", "httpx")
CORE_MUST_NOT_REACH = (
    "bot.storage",
    "bot.conversation",
    "bot.tg",
    "bot.console",
    "bot.staff",
    "bot.runtime",
    "bot.config",
)
# bot/ at the top level: wiring only. Everything else lives in a package named for its layer.
WIRING = {"__init__", "__main__", "config", "logs", "salts", "errors", "runtime"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in BOT.rglob("*.py")}


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (never run)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


@functools.cache
def imports_of(module: str) -> frozenset[str]:
    """Every module ``module``'s source imports when run, at the top or inside a function."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # "from bot.engine import payloads" imports the module bot.engine.payloads
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules())
    return frozenset(found)


def reached(module: str) -> set[str]:
    """Every module loaded by importing ``module``: bot modules followed, others as named."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in modules():
            todo.extend(imports_of(current))
            # Importing a.b.c runs a/__init__ and a/b/__init__ first.
            parts = current.split(".")
            todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return seen


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


CORE_MODULES = sorted(m for m in modules() if within(m, CORE))


def test_the_core_is_found() -> None:
    assert {"bot.engine.flow", "bot.i18n.languages", "bot.text.norm"} <= set(CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_reaches_no_shell_database_or_telegram(module: str) -> None:
    loaded = reached(module)
    assert not [m for m in loaded if within(m, NOT_IN_CORE)], module
    assert not [m for m in loaded if within(m, CORE_MUST_NOT_REACH)], module


def test_the_language_list_is_a_leaf() -> None:
    assert not [m for m in imports_of("bot.i18n.languages") if m.startswith("bot")]


def test_catalogs_do_not_import_the_knowledge_they_translate() -> None:
    # validate uses the language list; the catalogs importing the knowledge back was a cycle.
    assert not [m for m in reached("bot.i18n") if within(m, ("bot.knowledge",))]


@pytest.mark.parametrize(
    "package", ["bot.conversation", "bot.storage", "bot.staff", "bot.console", "bot.runtime"]
)
def test_only_the_telegram_shell_imports_telegram(package: str) -> None:
    for module in [m for m in modules() if within(m, (package,))]:
        assert not [m for m in reached(module) if within(m, ("telegram",))], module


def test_the_telegram_shell_does_not_draw_staff_charts() -> None:
    # Pillow and blocking SQLite belong to the staff tools; the wiring hands tg a digest.
    for module in [m for m in modules() if within(m, ("bot.tg",))]:
        assert not [m for m in imports_of(module) if within(m, ("bot.staff",))], module


def test_top_level_of_bot_is_wiring_only() -> None:
    top = {p.stem for p in BOT.glob("*.py")}
    assert top - WIRING == set()


def test_what_is_really_loaded_agrees() -> None:
    code = (
        f"import sys, {', '.join(CORE_MODULES)}\n"
        f"print(sorted(m for m in {NOT_IN_CORE!r} if m in sys.modules))\n"
        "import bot.runtime, bot.staff.cli\n"
        "print('telegram' in sys.modules)\n"
        "import bot.tg.app\n"
        "print('PIL' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["[]", "False", "False"]


def test_the_telegram_shell_does_import_telegram() -> None:
    code = "import sys, bot.tg.app; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "True"
