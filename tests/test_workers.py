"""Two webhook workers (real processes) on one PostgreSQL database behind a round-robin proxy:
every update goes to the other worker than the last, and the journeys still come out right."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from pathlib import Path

from tests.fakes import FakeBotApi, FakeUser
from tests.pgcluster import Cluster
from tests.workers import Workers, workers

NOW = 1_795_000_000
SALT = "w" * 24  # tests/workers.py's default
NOTE = "Ich brauche das auf Türkisch, ruf mich an: 0171 2345678"
NEUTRAL = "Lotse\nHilfe und Beratung im Kreis Recklinghausen, in Ihrer Sprache."


def chat_key(chat_id: int) -> str:
    """The key the workers store a chat under (HMAC of the id under their salt)."""
    return hmac.new(SALT.encode(), f"chat:{chat_id}".encode(), hashlib.sha256).hexdigest()


def last(user: FakeUser) -> str:
    return user.last_bot_message.text or ""


async def relatives_journey(user: FakeUser, run: Workers) -> None:
    """Ayşe: care for her father in Herten, 👎 on the Pflegegrad answer, then a note."""
    for step in (
        user.send("/start", wait=False),
        user.press("🧓 Pflege für Angehörige", wait=False),
        user.press("📋 Was ist ein Pflegegrad?", wait=False),
        user.press("Herten", wait=False),
    ):
        await step
        await run.deliver()
    assert "Ihre Stadt: Herten" in last(user)
    await user.press("👎 Nein", wait=False)
    await run.deliver()
    assert "Was hat gefehlt?" in last(user)
    await user.send(NOTE, wait=False)
    await run.deliver()
    assert "Danke! Ihre Notiz wurde ohne Ihren Namen gespeichert." in last(user)


async def womans_journey(user: FakeUser, run: Workers) -> None:
    """A woman under threat: the emergency numbers first, a shelter, then erase the chat."""
    for step in (
        user.send("/start", wait=False),
        user.press("👩 Hilfe für Frauen", wait=False),
        user.press("🛡️ Gewalt oder Bedrohung", wait=False),
    ):
        await step
        await run.deliver()
    assert "116 016" in last(user)
    await user.press("Recklinghausen", wait=False)
    await run.deliver()
    await user.send("mein Mann bedroht mich", wait=False)
    await run.deliver()
    # Typed danger: the emergency screen, whichever worker got it.
    assert "110" in last(user)
    assert "116 016" in last(user)
    assert len(user.messages) >= 4
    await user.send("/erase", wait=False)
    await run.deliver()


async def test_two_workers_alternating_updates_keep_every_promise(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    name = pg_cluster.database("workers")
    async with FakeBotApi(now=NOW, idle_quiet=0.1, idle_timeout=30) as server:
        async with workers(server, pg_cluster.url(name), tmp_path) as run:
            try:
                ayse = server.user(7001, "Ayşe", language_code="de")
                await relatives_journey(ayse, run)
                woman = server.user(7002, "L", language_code="de")
                await womans_journey(woman, run)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{run.output()}") from exc
            served = run.proxy.served_by
            # Every update went to the other worker than the one before it.
            assert all(a != b for a, b in itertools.pairwise(served)), served
            assert set(served) == {0, 1}
        # The erase: only the neutral screen is left of the woman's chat.
        assert [m.text for m in woman.messages] == [NEUTRAL]
        neutral_id = woman.messages[0].message_id
        assert server.rejected == []
    # The note is stored once, scrubbed, with its 👎; nothing of the erased chat remains.
    assert pg_cluster.psql("SELECT node_id, helpful, town FROM ratings", name) == (
        "pflegegrad|0|herten"
    )
    comments = pg_cluster.psql("SELECT text FROM comments", name).splitlines()
    assert comments == ["Ich brauche das auf Türkisch, ruf mich an: [Telefon]"]
    # Of the woman's chat, the database keeps only the neutral screen left after the erase:
    # no place to return to, no note expected, no span reaching back before it.
    erased = chat_key(woman.chat.id)
    row = pg_cluster.psql(
        f"SELECT low, high, place, pending FROM chat_state WHERE chat_key = '{erased}'", name
    )
    assert row in ("", f"{neutral_id}|{neutral_id}||"), row
    assert str(woman.chat.id) not in pg_cluster.psql("SELECT chat_key FROM chat_state", name)
