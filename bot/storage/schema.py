"""The database schema: one ordered list of migrations, in SQL that SQLite and PostgreSQL
both run. No I/O here.

Each entry moves the schema from version i to i + 1; never edit a released entry, add one
at the end (on a rebase conflict, renumber yours after what landed). Portable SQL only:
TEXT, INTEGER, BIGINT; no AUTOINCREMENT, no SQLite-only functions or PRAGMAs; upserts as
``INSERT ... ON CONFLICT (...) DO UPDATE`` with the table's own columns qualified by the
table name. The backends keep the version: SQLite in ``PRAGMA user_version``, PostgreSQL in
the table ``lotse_schema``.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE preferences (
        user_key TEXT PRIMARY KEY,
        lang TEXT NOT NULL,
        updated_on TEXT NOT NULL
    );
    """,
    # 2: anonymous feedback. No column may ever hold who said something (DESIGN.md §7).
    """
    CREATE TABLE ratings (
        day TEXT NOT NULL,
        node_id TEXT NOT NULL,
        service_id TEXT,
        topic TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        lang TEXT NOT NULL,
        town TEXT
    );
    CREATE INDEX ratings_day ON ratings (day);
    CREATE INDEX ratings_node_day ON ratings (node_id, day);
    CREATE TABLE comments (
        day TEXT NOT NULL,
        node_id TEXT NOT NULL,
        service_id TEXT,
        topic TEXT NOT NULL,
        lang TEXT NOT NULL,
        town TEXT,
        text TEXT NOT NULL
    );
    CREATE INDEX comments_day ON comments (day);
    CREATE TABLE needs (
        day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('none_fits', 'no_result')),
        node_id TEXT,
        topic TEXT,
        query TEXT,
        lang TEXT NOT NULL,
        town TEXT
    );
    CREATE INDEX needs_day ON needs (day);
    """,
    # 3: the span of message ids "erase this chat" deletes (bot/tg/erase.py). Keyed by an HMAC
    # of the chat id, never the id; a row expires 48 hours after the chat was last active.
    # (BIGINT was INTEGER when this shipped for SQLite, where both are the same type; the
    # seconds since 1970 outgrow PostgreSQL's INTEGER in 2038.)
    """
    CREATE TABLE chat_spans (
        chat_key TEXT PRIMARY KEY,
        low BIGINT NOT NULL,
        high BIGINT NOT NULL,
        seen BIGINT NOT NULL
    );
    CREATE INDEX chat_spans_seen ON chat_spans (seen);
    """,
    # 4: one row per chat for the conversation between two updates (bot/storage/state.py):
    # the span "erase this chat" deletes (moved here from chat_spans), the place to return
    # to, the note expected after a thumbs-down, the feedback count of the hour. Keyed by an
    # HMAC of the chat id, never the id; times to the hour, except the note's expiry.
    """
    CREATE TABLE chat_state (
        chat_key TEXT PRIMARY KEY,
        low BIGINT,
        high BIGINT,
        seen BIGINT NOT NULL,
        place TEXT,
        pending TEXT,
        pending_until BIGINT,
        feedback_hour BIGINT,
        feedback_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX chat_state_seen ON chat_state (seen);
    INSERT INTO chat_state (chat_key, low, high, seen)
        SELECT chat_key, low, high, seen FROM chat_spans;
    DROP TABLE chat_spans;
    """,
    # 5: translation reviews and service checks done in Telegram (bot/storage/review.py).
    # Reviewers and staff are not users: their Telegram ids are kept for the audit trail
    # (README, privacy). review_stamp changes with every write, so each worker notices with
    # one read of one row; review_pending is what a person's next message is for (2 hours).
    """
    CREATE TABLE reviews (
        lang TEXT NOT NULL,
        domain TEXT NOT NULL,
        entry TEXT NOT NULL,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('approved', 'corrected')),
        reviewer BIGINT NOT NULL,
        day TEXT NOT NULL,
        applied TEXT,
        PRIMARY KEY (lang, domain, entry)
    );
    CREATE TABLE service_reports (
        service_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('checked', 'wrong', 'gone')),
        note TEXT,
        staff BIGINT NOT NULL,
        day TEXT NOT NULL,
        applied TEXT
    );
    CREATE INDEX service_reports_service ON service_reports (service_id);
    CREATE TABLE review_pending (
        person BIGINT PRIMARY KEY,
        kind TEXT NOT NULL,
        lang TEXT NOT NULL,
        domain TEXT NOT NULL,
        entry TEXT NOT NULL,
        since BIGINT NOT NULL
    );
    CREATE TABLE review_stamp (id INTEGER PRIMARY KEY, stamp TEXT NOT NULL);
    """,
    # 6: usage as daily totals (bot/conversation/usage.py adds to them; no user key, no time
    # finer than the day), and searches that ended in 👎 or "none fits" (scrubbed text and
    # topic only). Both are read by the staff report, whose grouped reads the covering
    # indexes serve in group order (bot/storage/reports.py).
    """
    CREATE TABLE usage_daily (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        item TEXT NOT NULL,
        total BIGINT NOT NULL,
        PRIMARY KEY (day, kind, item)
    );
    CREATE TABLE weak_answers (
        day TEXT NOT NULL,
        query TEXT NOT NULL,
        topic TEXT NOT NULL,
        node_id TEXT NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('unhelpful', 'none_fits'))
    );
    CREATE INDEX weak_answers_day ON weak_answers (day);
    CREATE INDEX ratings_report ON ratings (node_id, service_id, lang, town, topic, day, helpful);
    CREATE INDEX needs_report ON needs (kind, node_id, topic, lang, town, day);
    CREATE INDEX needs_queries ON needs (kind, query, day);
    """,
    # 7: the search a later 👎 or "none fits" may be about (bot/conversation/weak.py): the
    # scrubbed search text and the nodes its results offered, with an expiry (100 minutes),
    # so that a weak answer is counted by any worker and after a restart. Cleared when used,
    # on erase and forget, and by housekeeping (every ten minutes) at that expiry.
    """
    ALTER TABLE chat_state ADD COLUMN search TEXT;
    ALTER TABLE chat_state ADD COLUMN search_until BIGINT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
