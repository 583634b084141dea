"""SQLite's WAL is copied into the database file in the background, never by a commit.

A checkpoint (copying the WAL into the file, with an fsync) took 15-20 ms, and SQLite ran it
on the connection that happened to commit, holding up every statement queued behind it
(bot/storage/sqlite.py, CHECKPOINT_EVERY). The bot's connection must never checkpoint on its
own, and the background checkpoints must still happen, or the WAL grows without end.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.sqlite import CHECKPOINT_EVERY, SQLiteBackend

ROW = "x" * 500  # a few rows a page: the pages written are easy to see in the file's size


async def test_commits_never_checkpoint_and_the_background_does(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    backend = await SQLiteBackend.open(path)
    try:
        assert await backend.fetchall("PRAGMA wal_autocheckpoint") == [(0,)]
        await backend.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)")
        await backend.after_delete()  # start from an empty WAL
        empty = path.stat().st_size
        for n in range(CHECKPOINT_EVERY - 3):
            await backend.execute("INSERT INTO t VALUES (?, ?)", (n, ROW))
        # Hundreds of commits, and the file itself has not changed: all of it is in the WAL.
        assert path.stat().st_size == empty
        for n in range(CHECKPOINT_EVERY, CHECKPOINT_EVERY + 10):
            await backend.execute("INSERT INTO t VALUES (?, ?)", (n, ROW))
        assert backend._checkpoint is not None
        await backend._checkpoint
        assert path.stat().st_size > empty + (CHECKPOINT_EVERY - 3) * len(ROW)
        assert await backend.fetchall("SELECT COUNT(*) FROM t") == [(CHECKPOINT_EVERY + 7,)]
    finally:
        await backend.close()
