"""A scripted week of realistic use through the conversation layer, then the staff report.

Run: ``.venv/bin/python -m benchmarks.staff_week [--db FILE] [--html FILE] [--xlsx FILE]``.
37 conversations over Monday 23 to Sunday 29 November 2026, in eight languages and six
towns, as the people of DESIGN.md §1 would have them (care for a parent, a woman in danger,
searches that find nothing, notes after 👎, searches whose answer gets 👎 or "none fits"),
are driven through ``bot.conversation`` (the layer both shells use) against the real
knowledge and catalogs, each on its own day; then the week's report is printed as staff
read it (``python -m bot feedback report``), with the time the week and the report took.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from bot.config import PROJECT_ROOT
from bot.conversation import Conversation, Who
from bot.engine.screens import Reply
from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.runtime import make_engine
from bot.staff.model import Filters
from bot.staff.report import build_report
from bot.staff.text import render_text
from bot.storage import Storage

# The week of the report, Monday to Sunday; each session's feedback is stamped with its day.
MONDAY = dt.date(2026, 11, 23)
LOADED = dt.date(2026, 11, 30)  # the knowledge as of the Monday after: verified dates up to it


@dataclass(frozen=True)
class Step:
    """One thing a person does: ``/cmd``, ``tap:<payload>``, ``rate:+``/``rate:-``, or text."""

    act: str


@dataclass(frozen=True)
class Session:
    """One person's conversation on one day of the week."""

    day: int  # 0 = Monday
    lang: str
    steps: tuple[str, ...]


def _pflege(topic: str, town: str, service: str, verdict: str, note: str = "") -> tuple[str, ...]:
    steps = ["/start", "tap:n:pflege", f"tap:n:{topic}", f"tap:n:{topic}:{town}"]
    steps += [f"tap:s:{service}:{topic}:{town}", f"rate:{verdict}"]
    return (*steps, note) if note else tuple(steps)


def _weak(query: str, node: str, town: str, note: str = "") -> tuple[str, ...]:
    """A search, its result opened for a town, 👎 (and a note): a weak answer."""
    steps = ("/start", query, f"tap:n:{node}:{town}", "rate:-")
    return (*steps, note) if note else steps


SESSIONS: tuple[Session, ...] = (
    # Monday
    Session(0, "tr", _pflege("pflege_demenz", "herten", "bip_herten", "+")),
    Session(0, "de", _pflege("pflege_zuhause", "recklinghausen", "bip_kreis", "+")),
    Session(0, "ar", ("/start", "زوجي يهددني بالقتل إذا تركته")),
    Session(0, "de", ("/start", "Kita Platz", "tap:m")),
    Session(0, "de", _weak("Pflegegrad beantragen", "pflegegrad", "marl", "Wartezeit beim MD")),
    Session(
        0,
        "de",
        _pflege(
            "pflege_demenz", "marl", "rathaus_marl", "-", "Kein BIP in Marl, keine Telefonnummer"
        ),
    ),
    # Tuesday
    Session(
        1,
        "uk",
        (
            "/start",
            "tap:n:migration",
            "tap:n:mig_beratung",
            "tap:n:mig_beratung:marl",
            "rate:-",
            "немає консультації українською",
        ),
    ),
    Session(1, "tr", _pflege("pflege_entlastung", "herten", "bip_herten", "+")),
    Session(
        1,
        "ru",
        (
            "/start",
            "tap:n:frauen",
            "tap:n:frauenberatung",
            "tap:n:frauenberatung:recklinghausen",
            "rate:+",
        ),
    ),
    Session(1, "de", ("/start", "kitaplatz")),
    Session(1, "de", _weak("pflegegrad beantragen", "pflegegrad", "gladbeck")),
    # Wednesday
    Session(
        2,
        "ar",
        (
            "/start",
            "tap:n:frauen",
            "tap:n:gewalt",
            "tap:n:gewalt:gladbeck",
            "rate:-",
            "لا يوجد بيت نساء في غلادبك",
        ),
    ),
    Session(2, "de", _pflege("pflegegrad", "dorsten", "bip_dorsten", "+")),
    Session(
        2,
        "pl",
        ("/start", "tap:n:pflege", "tap:n:pflege_finden", "tap:n:pflege_finden:dorsten", "rate:+"),
    ),
    Session(2, "fa", ("/start", "Wohnung")),
    Session(2, "tr", _weak("bakım derecesi başvurusu", "pflegegrad", "herten")),
    Session(
        2,
        "de",
        (
            "/start",
            "tap:n:andere_fragen",
            "tap:n:schulden",
            "rate:-",
            "Termin erst in drei Monaten",
        ),
    ),
    # Thursday
    Session(3, "tr", _pflege("pflege_geld", "herten", "bip_herten", "+")),
    Session(3, "de", _pflege("pflege_klinik", "castrop_rauxel", "bip_castrop", "+")),
    Session(3, "en", ("/start", "tap:n:migration", "tap:n:sprachmittler", "rate:+")),
    Session(3, "de", ("/start", "Kita-Platz")),
    Session(3, "de", _weak("Pflegegrad beantragen", "pflegegrad", "dorsten")),
    Session(
        3,
        "ar",
        (
            "/start",
            "tap:n:frauen",
            "tap:n:aufenthalt",
            "tap:n:aufenthalt:gladbeck",
            "rate:-",
            "أحتاج محامية تتكلم العربية",
        ),
    ),
    # Friday
    Session(4, "de", _pflege("pflege_vollmacht", "recklinghausen", "betreuungsstelle_re", "+")),
    Session(4, "ru", ("/start", "tap:n:gesundheit", "tap:n:arzt_notdienst", "rate:+")),
    Session(4, "tr", _pflege("pflege_demenz", "herten", "bip_herten", "+")),
    Session(4, "de", ("/start", "Zahnarzt am Wochenende", "tap:m")),
    Session(4, "de", _weak("Pflegegrad beantragen", "pflegegrad", "recklinghausen")),
    # Saturday
    Session(
        5,
        "de",
        ("/start", "tap:n:frauen", "tap:n:schwanger", "tap:n:schwanger:recklinghausen", "rate:+"),
    ),
    Session(
        5,
        "uk",
        (
            "/start",
            "tap:n:migration",
            "tap:n:ukraine",
            "tap:n:ukraine:marl",
            "rate:-",
            "Де вчити німецьку в Марлі?",
        ),
    ),
    Session(5, "de", ("/start", "KITA PLATZ")),
    Session(5, "de", _weak("Pflegegrad beantragen", "pflegegrad", "haltern_am_see")),
    Session(5, "de", ("/start", "Pflege", "tap:n:pflege", "tap:?:pflege")),
    # Sunday
    Session(6, "de", ("/start", "Tagespflege", "tap:n:pflege_zuhause", "tap:?:pflege_zuhause")),
    Session(6, "de", _pflege("pflege_selbsthilfe", "recklinghausen", "angehoerigen_cafe_re", "+")),
    Session(
        6,
        "tr",
        (
            "/start",
            "tap:n:pflege",
            "tap:n:pflege_beruf",
            "rate:-",
            "Çalışıyorum, akşam danışma yok",
        ),
    ),
    Session(
        6,
        "de",
        (
            "/start",
            "tap:n:frauen",
            "tap:n:frauen_gruppen",
            "tap:n:frauen_gruppen:gladbeck",
            "rate:+",
        ),
    ),
)


async def _turn(conversation: Conversation, who: Who, step: str, last: Reply | None) -> Reply:
    turn = await conversation.open(who)
    try:
        if step.startswith("/"):
            name, _, arg = step[1:].partition(" ")
            reply = await turn.command(name, arg or None)
        elif step.startswith("tap:"):
            reply = await turn.press(step[4:])
        elif step.startswith("rate:"):
            wanted = "+:" if step.endswith("+") else "-:"
            assert last is not None
            found = [
                b.payload
                for row in last.screen.buttons
                for b in row
                if b.payload and b.payload.startswith(wanted)
            ]
            if not found:
                print(f"no {wanted} button on {last.screen.place}", file=sys.stderr)
                return last
            reply = await turn.press(found[0])
        else:
            reply = await turn.text(step)
        return reply
    finally:
        await turn.close()


class Calendar:
    """The week's clock: the hour of the session being played (engine, conversation, store)."""

    def __init__(self) -> None:
        self.now = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def today(self) -> dt.date:
        """The session's day."""
        return self.now.date()


async def play(db: Path, sessions: Sequence[Session] = SESSIONS) -> int:
    """Drive the sessions through the conversation layer into ``db``; how many turns."""
    knowledge, _ = load_knowledge(PROJECT_ROOT / "knowledge", LOADED)
    catalogs = Catalogs.load(PROJECT_ROOT / "locales")
    calendar = Calendar()
    # One engine and one conversation, as in one bot process that runs all week.
    conversation = Conversation(make_engine(knowledge, catalogs, calendar.today), clock=calendar)
    store = conversation.storage = await Storage.open(db, "week" * 8)
    turns = 0
    try:
        # The storage stamps rows with today's date; here "today" is the session's day.
        with mock.patch("bot.storage.base.utc_today", calendar.today):
            for number, session in enumerate(sessions, start=1):
                day = MONDAY + dt.timedelta(days=session.day)
                calendar.now = dt.datetime.combine(day, dt.time(9 + number % 10), tzinfo=dt.UTC)
                who = Who(chat=10_000 + number, user=10_000 + number, hint=session.lang)
                last = None
                for step in session.steps:
                    last = await _turn(conversation, who, step, last)
                    turns += 1
            await conversation.flush()  # as when the bot stops
    finally:
        await store.close()
    return turns


def main(argv: list[str] | None = None) -> int:
    """Play the week, then print the week's report (and write the page and workbook)."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", type=Path, help="the database to fill (default: a temporary one)")
    args.add_argument("--html", type=Path, help="also write the HTML page here")
    args.add_argument("--xlsx", type=Path, help="also write the workbook here")
    args.add_argument("--min-group", type=int, default=5)
    options = args.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = options.db or Path(folder) / "week.sqlite3"
        started = time.perf_counter()
        turns = asyncio.run(play(db))
        played = time.perf_counter() - started
        knowledge, _ = load_knowledge(PROJECT_ROOT / "knowledge", LOADED)
        week = Filters(MONDAY, MONDAY + dt.timedelta(days=6))
        started = time.perf_counter()
        report = build_report(
            db, week, knowledge=knowledge, min_group=options.min_group, today=LOADED
        )
        built = time.perf_counter() - started
    print(render_text(report), end="")
    print(
        f"\n({len(SESSIONS)} conversations, {turns} turns through the conversation layer in "
        f"{played:.1f} s; the report in {built:.2f} s)"
    )
    if options.html:
        from bot.staff.page import render_html

        options.html.write_text(render_html(report), encoding="utf-8")
    if options.xlsx:
        from bot.staff.workbook import write_workbook

        write_workbook(report, options.xlsx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
