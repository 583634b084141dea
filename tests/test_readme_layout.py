"""README's layout section names every folder of the repository and every module of ``bot/``,
so a newcomer finds each one where the README says (and a new module cannot go unmentioned)."""

from __future__ import annotations

import re

import pytest

from bot.config import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
BLOCK = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split("\n## Layout\n", 1)[1]
LAYOUT = BLOCK.split("```", 2)[1]
PACKAGES = sorted(p.name for p in BOT.iterdir() if (p / "__init__.py").is_file())


def entry(package: str) -> str:
    """The text of ``bot/<package>/``'s entry: up to the next line that names another path."""
    start = LAYOUT.index(f"\nbot/{package}/")
    rest = LAYOUT[start + 1 :]
    following = re.search(r"\n(?:[a-z]|\.ci)", rest)
    return rest[: following.start()] if following else rest


def test_every_package_is_there() -> None:
    named = set(re.findall(r"^bot/(\w+)/", LAYOUT, flags=re.MULTILINE))
    assert named == set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_of_a_package_is_named_in_its_entry(package: str) -> None:
    text = entry(package)
    modules = sorted(p.stem for p in (BOT / package).glob("*.py") if p.stem != "__init__")
    assert [m for m in modules if not re.search(rf"\b{m}\b", text)] == []


def test_every_top_level_module_and_folder_is_there() -> None:
    modules = {f"bot/{p.name}" for p in BOT.glob("*.py") if p.stem != "__init__"}
    assert {m for m in modules if m not in LAYOUT} == set()
    folders = {
        p.name
        for p in PROJECT_ROOT.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and not p.name.endswith(".egg-info")
        and p.name not in {"bot", "var", "__pycache__"}
    }
    listed = re.compile(r"(?:^|  )([a-z]+)/", flags=re.MULTILINE)
    assert folders - set(listed.findall(LAYOUT)) == set()
