"""Every bad knowledge file gets one clear problem naming file and line (issue 11, 10 and 13).

From ``validate``, at start-up (``load_knowledge`` raises KnowledgeError) and on reload
(the last good knowledge stays): never a traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import time
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.loader import MAX_FILE_BYTES
from bot.knowledge.validate import validate
from bot.staff.cli import main as staff_main
from tests.conftest import MINI, TODAY

BAD: dict[str, tuple[bytes, str]] = {
    "impossible date": (
        b"services:\n  - id: x\n    verified: 2026-02-30\n",
        r"services\.yaml:3: -: .*impossible date '2026-02-30'.*YYYY-MM-DD",
    ),
    "not UTF-8": (
        "services:\n  - id: x\n    name: Caf\xe9\n".encode("latin-1"),
        r"services\.yaml:3: -: not UTF-8 text \(byte 0xe9\); save the file as UTF-8",
    ),
    "list as a key": (
        b"services:\n  - id: x\n    ? [a, b]\n    : c\n",
        r"services\.yaml:3: -: .*a list or mapping cannot be a key",
    ),
    "deep nesting": (
        b"services:\n  - id: x\n    note: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        r"services\.yaml:3: -: nested more than 100 levels deep",
    ),
    "too big": (
        b"services:\n" + b"  - id: x\n" * (MAX_FILE_BYTES // 10 + 1),
        r"services\.yaml:0: -: file is [\d,]+ bytes, over the limit of 2,000,000",
    ),
}


def _copy_with(tmp_path: Path, content: bytes) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    (folder / "services.yaml").write_bytes(content)
    return folder


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_names_file_and_line_and_what_to_do(tmp_path: Path, case: str) -> None:
    content, pattern = BAD[case]
    folder = _copy_with(tmp_path, content)
    started = time.perf_counter()
    problems = validate(folder, TODAY)
    assert time.perf_counter() - started < 10
    shown = [str(p) for p in problems]
    assert any(re.search(pattern, line) for line in shown), shown
    out = io.StringIO()
    assert staff_main(["validate", "--knowledge", str(folder)], {"knowledge": ""}, out) == 1
    assert "Traceback" not in out.getvalue()


@pytest.mark.parametrize("case", sorted(BAD))
def test_start_up_refuses_with_one_clear_error(tmp_path: Path, case: str) -> None:
    content, pattern = BAD[case]
    folder = _copy_with(tmp_path, content)
    with pytest.raises(KnowledgeError, match=pattern):
        load_knowledge(folder, dt.date(2026, 11, 27))


async def test_reload_keeps_the_last_good_knowledge_and_names_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.config import Settings
    from bot.runtime import build_core
    from bot.tg.handlers import Lotse
    from tests.conftest import REAL_LOCALES

    folder = _copy_with(tmp_path, (MINI / "services.yaml").read_bytes())
    settings = Settings(knowledge_dir=folder, locales_dir=REAL_LOCALES)
    core = build_core(settings)
    lotse = Lotse(core.engine, settings=settings, knowledge=core.knowledge)
    (folder / "services.yaml").write_bytes(BAD["impossible date"][0])
    assert await lotse.reload() is False
    assert lotse.engine is core.engine
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert re.search(BAD["impossible date"][1], logged), logged
    assert all(r.exc_info is None for r in caplog.records)
