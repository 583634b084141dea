"""/review and /verify end to end: the real Application against the fake Bot API, then the
apply commands on copies of locales/ and knowledge/.

A reviewer approves one text, corrects one (with markup, which users must see escaped) and
has one correction with a link refused; a user in that language sees the correction at
once; ``review apply`` changes exactly those entries. Staff check a service, a user sees
"Checked with the service on …", ``verify apply`` changes exactly that service.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.config import Reviewer
from bot.engine import payloads as pl
from bot.engine.flow import Engine
from bot.i18n import Catalogs
from bot.knowledge.model import Knowledge
from bot.review import cli as review_cli
from bot.review import screens as rs
from bot.review.queue import pending, review_entries, services_to_check
from bot.runtime import Core
from bot.staff.cli import main as staff_main
from tests.conftest import REAL_KNOWLEDGE, REAL_LOCALES
from tests.fakes import FakeUser
from tests.fakes.harness import lotse as running

REVIEWER, STAFF, STRANGER, READER = 111, 333, 555, 2001
PEOPLE: dict[str, Any] = {
    "reviewers": {REVIEWER: Reviewer("Aylin", ("tr",))},
    "staff_ids": frozenset({STAFF}),
    "staff_names": {STAFF: "Maria"},
}


@pytest.fixture
def core(real: Knowledge, catalogs: Catalogs, engine: Engine) -> Iterator[Core]:
    """The session's engine (no second start-up); the verdicts installed are taken out again."""
    yield Core(real, catalogs, engine, ())
    catalogs.overrides = {}
    engine.checks.clear()


def buttons(user: FakeUser, prefix: str) -> list[str]:
    """The callback data of the newest message's buttons that start with ``prefix``."""
    message = [m for m in user.bot_messages if m.inline_keyboard][-1]
    return [
        b["callback_data"]
        for row in message.inline_keyboard
        for b in row
        if b.get("callback_data", "").startswith(prefix)
    ]


async def press(user: FakeUser, prefix: str) -> None:
    message = [m for m in user.bot_messages if m.inline_keyboard][-1]
    await user.press_data(message, buttons(user, prefix)[0])


def text(user: FakeUser) -> str:
    return user.last_bot_message.text or ""


def entries_changed(before: str, after: str) -> set[str | None]:
    """The msgctxt of every catalog entry whose text, comments or flags differ."""
    old, new = (
        {m.context: (m.string, m.user_comments, sorted(m.flags)) for m in read_po(io.StringIO(x))}
        for x in (before, after)
    )
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


async def test_review_three_entries_and_apply(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch, today: dt.date
) -> None:
    todo = pending(review_entries(core.knowledge, core.catalogs, "tr"), {})
    first, second, third = todo[:3]
    total = len(review_entries(core.knowledge, core.catalogs, "tr"))
    t = core.catalogs.translator("tr")
    assert (first.key, second.key) == ("node:notfall:text", "node:notfall:title")
    async with running(tmp_path, core, **PEOPLE) as bot:
        aylin = bot.server.user(REVIEWER, "Aylin", language_code="tr")
        await aylin.send("/review")
        assert rs.progress(t, "tr", 0, total, 0) in text(aylin)  # "Türkçe: 0 / 470 …"
        assert first.source[:40] in text(aylin)
        # 1. The emergency screen's text is corrected: markup typed by the reviewer.
        await press(aylin, "rv:ed:")
        corrected = "<b>DİKKAT</b> <i>x</i> " + first.current
        await aylin.send(corrected)
        assert second.source in text(aylin)  # saved; the next entry follows
        # 2. Its title is approved as it is.
        await press(aylin, "rv:ok:")
        assert third.source[:30] in text(aylin)
        # 3. A correction with a link is refused, with the reason; the next try is taken.
        await press(aylin, "rv:ed:")
        await aylin.send(third.current + " https://evil.example/help")
        refusal = text(aylin)
        assert "❌" in refusal
        assert (
            t("it adds a link, an e-mail address or an @name the source does not have.") in refusal
        )
        assert buttons(aylin, "rv:sk:")  # skip or try again
        await aylin.send(third.current + " ")
        assert "✅" in text(aylin)
        assert rs.progress(t, "tr", 3, total, 3) in text(aylin)

        # A Turkish user sees the correction at once, markup as plain characters.
        reader = bot.server.user(READER, "Elif", language_code="tr")
        await reader.send("/start")
        menu = reader.last_bot_message
        await reader.press_data(menu, pl.node("notfall"))
        shown = next(m for m in reader.bot_messages if m.message_id == menu.message_id)
        assert "<b>DİKKAT</b> <i>x</i>" in (shown.text or "")
        assert not any(e["type"] == "text_link" for e in shown.entities or [])

    # review apply writes exactly those three entries into the Turkish catalog.
    locales = tmp_path / "locales"
    shutil.copytree(REAL_LOCALES, locales)
    po = locales / "tr" / "LC_MESSAGES" / "knowledge.po"
    before = po.read_text(encoding="utf-8")
    out = io.StringIO()
    args = ["review", "apply", "--db", str(tmp_path / "lotse.sqlite3"), "--locales", str(locales)]
    defaults = {"knowledge": str(REAL_KNOWLEDGE), "people": '{"111": "Aylin"}'}
    checked: list[
        str
    ] = []  # the closing checks: spied here (seconds), tested in test_review_rules

    def spy(args: Any, out: Any) -> int:
        checked.append(args.locales)
        return 0

    monkeypatch.setattr(review_cli, "_checks", spy)
    assert await asyncio.to_thread(staff_main, args, defaults, out) == 0, out.getvalue()
    assert checked == [str(locales)]
    after = po.read_text(encoding="utf-8")
    # Exactly those three entries changed: the draft mark gave way to the reviewer and day.
    assert entries_changed(before, after) == {first.key, second.key, third.key}
    diff = changed_lines(before, after)
    assert diff.count(f"+# reviewed: Aylin, {today.isoformat()}") == 3
    assert sum(line.startswith("-# draft") for line in diff) == 3
    assert any("DİKKAT" in line for line in diff)
    assert "3 translation(s) written" in out.getvalue()
    # Idempotent.
    assert await asyncio.to_thread(staff_main, args, defaults, io.StringIO()) == 0
    assert po.read_text(encoding="utf-8") == after
    other = locales / "ar" / "LC_MESSAGES" / "knowledge.po"
    assert (
        other.read_bytes() == (REAL_LOCALES / "ar" / "LC_MESSAGES" / "knowledge.po").read_bytes()
    )


async def test_verify_a_service_and_apply(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch, today: dt.date
) -> None:
    service = services_to_check(core.knowledge, {}, "herten")[0]
    node = next(n.id for n in core.knowledge.walk() if service.id in n.services)
    async with running(tmp_path, core, **PEOPLE) as bot:
        maria = bot.server.user(STAFF, "Maria", language_code="de")
        await maria.send("/verify Herten")
        session = text(maria) if maria.last_bot_message.kind != "contact" else ""
        assert maria.last_bot_message.kind == "contact"  # tap to call
        assert any("Herten" in (m.text or "") for m in maria.bot_messages)
        await press(maria, "vf:ok:")
        assert any(f"{today:%d.%m.%Y}" in (m.text or "") for m in maria.bot_messages[-3:]), session
        reader = bot.server.user(READER, "Ayşe", language_code="de")
        await reader.send("/start")
        menu = reader.last_bot_message
        await reader.press_data(menu, pl.service(service.id, node, "herten"))
        card = next(m for m in reader.bot_messages if m.message_id == menu.message_id)
        line = core.catalogs.translator("de")(
            "Checked with the service on {date}.", date=f"{today:%d.%m.%Y}"
        )
        assert line in (card.text or "")

    folder = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, folder)
    yaml_path = folder / "services.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    out = io.StringIO()
    args = ["verify", "apply", "--db", str(tmp_path / "lotse.sqlite3"), "--knowledge", str(folder)]
    # The closing checks are those of review apply (tested there); they take seconds.
    monkeypatch.setattr(review_cli, "_checks", lambda args, out: 0)
    people = {"knowledge": str(folder), "people": "{}"}
    assert await asyncio.to_thread(staff_main, args, people, out) == 0, out.getvalue()
    after = yaml_path.read_text(encoding="utf-8")
    diff = changed_lines(before, after)
    assert f"+    verified: {today.isoformat()}" in diff
    assert "+    verified_how: provider" in diff
    assert len([d for d in diff if d.startswith("+")]) <= 3
    block = before.split(f"- id: {service.id}\n", 1)[1].split("- id:", 1)[0]
    for line in diff:
        assert line[1:] in block or line.startswith("+"), line
    assert await asyncio.to_thread(staff_main, args, people, io.StringIO()) == 0
    assert yaml_path.read_text(encoding="utf-8") == after


async def test_staff_note_what_is_wrong_and_what_is_gone(
    tmp_path: Path, core: Core, today: dt.date
) -> None:
    """✏️ takes the next message (and only that one) as a note for the editor; 🚫 reports the
    service gone; both are stored for ``verify apply``."""
    by_ref = {rs.service_ref(sid): sid for sid in core.knowledge.services}
    t = core.catalogs.translator("de")
    async with running(tmp_path, core, **PEOPLE) as bot:
        maria = bot.server.user(STAFF, "Maria", language_code="de")
        await maria.send("/verify Herten")
        wrong = by_ref[buttons(maria, "vf:wr:")[0].split(":")[2]]
        await press(maria, "vf:wr:")
        asked = "What is wrong? Your next message goes to the content editor; users do not see it."
        assert text(maria) == t(asked)
        await maria.send("Die Nummer  ist\nnicht mehr vergeben")
        noted = [m.text or "" for m in maria.bot_messages[-3:]]
        assert any(t("Noted for the content editor.") in m for m in noted), noted
        shown = [m for m in maria.bot_messages if m.inline_keyboard][-1]
        gone_data = buttons(maria, "vf:gn:")[0]
        gone = by_ref[gone_data.split(":")[2]]
        assert gone != wrong  # the next service is shown
        # The note is taken: a text is an ordinary search again.
        await maria.send("Pflegeberatung")
        assert buttons(maria, "n:pflege")
        await maria.press_data(shown, gone_data)
        rows = bot.rows("SELECT service_id, kind, note, staff, day FROM service_reports")
    day = today.isoformat()
    assert sorted(rows, key=str) == sorted(
        [
            (wrong, "wrong", "Die Nummer ist nicht mehr vergeben", STAFF, day),
            (gone, "gone", "", STAFF, day),
        ],
        key=str,
    )


@pytest.mark.parametrize("command", ["/review", "/verify"])
async def test_anyone_else_gets_the_unknown_command_reply(
    tmp_path: Path,
    core: Core,
    command: str,
) -> None:
    async with running(tmp_path, core, **PEOPLE) as bot:
        stranger = bot.server.user(STRANGER, "X", language_code="de")
        await stranger.send("/nosuchcommand")
        unknown = text(stranger)
        await stranger.send(command)
        assert text(stranger) == unknown
        # A reviewer or staff member in a group: nothing at all.
        group = bot.server.user(REVIEWER if command == "/review" else STAFF, chat_type="group")
        await group.send(command)
        assert group.bot_messages == []
