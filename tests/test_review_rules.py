"""Review and verification rules without Telegram: which corrections may reach users, what
comes first, and that services.yaml changes only where staff said something."""

from __future__ import annotations

import argparse
import difflib
import io
import shutil
from pathlib import Path

import pytest

from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.knowledge.model import Knowledge
from bot.review.apply import ReportKind, ServiceReport, apply_checks
from bot.review.checks import check_correction
from bot.review.queue import EMERGENCY, Check, emergency_ids, review_entries, services_to_check
from tests.conftest import REAL_KNOWLEDGE, TODAY

SOURCE = "*Pflegegeld* im Monat:\n- Pflegegrad 2: 347 €\n- Pflegegrad 3: 1.497 €\nRuf 116 016 an."
GOOD_TR = "*Bakım parası* aylık:\n- Derece 2: 347 €\n- Derece 3: 1.497 €\n116 016'yı arayın."


@pytest.mark.parametrize(
    ("correction", "lang", "reason"),
    [
        (GOOD_TR, "tr", None),
        (GOOD_TR.replace("347", "374"), "tr", "number_lost"),  # digits swapped
        (GOOD_TR.replace("116 016", "116 061"), "tr", "number_lost"),
        (GOOD_TR.replace("1.497", "1,497"), "tr", "number_lost"),  # a decimal comma in Turkish
        (GOOD_TR + " 0800 123", "tr", "number_added"),
        (GOOD_TR.replace("*Bakım parası*", "Bakım parası"), "tr", "bold"),
        (GOOD_TR.replace("- Derece 2", "Derece 2"), "tr", "list"),
        (GOOD_TR + " https://evil.example", "tr", "link"),
        (GOOD_TR + " @fake_helpline", "tr", "link"),
        (GOOD_TR + " " + "a" * 3500, "tr", "too_long"),
        ("   ", "tr", "empty"),
        # Arabic-Indic digits and the Arabic thousands separator are the same numbers.
        ("*مال*\n- ٢: ٣٤٧ €\n- ٣: ١٬٤٩٧ €\n١١٦ ٠١٦", "ar", None),
    ],
)
def test_a_correction_keeps_numbers_markup_and_adds_no_link(
    correction: str, lang: str, reason: str | None
) -> None:
    refusal = check_correction(SOURCE, correction, lang, key="node:pflege_geld:text")
    assert (refusal.reason if refusal else None) == reason


@pytest.mark.parametrize("bad", ["Merhaba {nme}", "Merhaba", "Merhaba {name} {", "{0} {name}"])
def test_an_interface_correction_keeps_its_placeholders(bad: str) -> None:
    refusal = check_correction("Hello {name}", bad, "tr", key="Hello {name}", source_lang="en")
    assert refusal is not None
    assert refusal.reason == "placeholder"
    assert check_correction("Hello {name}", "Merhaba {name}", "tr", source_lang="en") is None


def test_emergency_texts_come_first(real: Knowledge, catalogs: Catalogs) -> None:
    entries = review_entries(real, catalogs, "tr")
    first_content = next(e for e in entries if e.domain == "knowledge")
    nodes, services = emergency_ids(real)
    assert first_content.tier == EMERGENCY
    assert first_content.key.split(":")[1] in nodes | services
    keywords = [i for i, e in enumerate(entries) if e.key.endswith(":keywords")]
    assert min(keywords) > max(i for i, e in enumerate(entries) if e.tier == EMERGENCY)


def test_services_never_checked_come_first_then_the_oldest(real: Knowledge) -> None:
    order = services_to_check(real, {})
    first = order[0].id
    checked = services_to_check(real, {first: Check(TODAY)})
    assert checked[0].id != first
    assert checked[-1].id == first  # checked with the provider today: last in line
    assert checked[-1].verified_how == "provider"
    reported = services_to_check(real, {first: Check(None, 1)})
    assert first not in [s.id for s in reported]  # waits for the editor, not for a check
    dates = [s.verified for s in order if s.verified_how != "provider"]
    assert dates == sorted(dates)  # type: ignore[type-var]


def test_verify_apply_changes_only_that_service_and_keeps_the_file_valid(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, folder)
    path = folder / "services.yaml"
    before = path.read_text(encoding="utf-8")
    day = TODAY
    reports = [
        ServiceReport("notruf_110", ReportKind.CHECKED, 7, day),
        ServiceReport("hilfetelefon_frauen", ReportKind.WRONG, 7, day, 'Hours "24/7"\nmissing'),
        ServiceReport("hilfetelefon_frauen", ReportKind.GONE, 7, day),
    ]
    after, outcome = apply_checks(before, reports, {7: "Maria"})
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-    verified: 2026-11-27",
        "-    verified_how: source",
        "+    verified: 2026-11-30",
        "+    verified_how: provider",
        "+    reported:",
        '+      - "2026-11-30, Maria: this service no longer exists"',
        '+      - "2026-11-30, Maria: Hours \\"24/7\\" missing"',
    ]
    assert outcome.skipped == []
    # Idempotent: applying again changes nothing.
    assert apply_checks(after, reports, {7: "Maria"})[0] == after
    path.write_text(after, encoding="utf-8")
    knowledge, _ = load_knowledge(folder, TODAY)
    assert knowledge.services["notruf_110"].verified_how == "provider"
    assert len(knowledge.services["hilfetelefon_frauen"].reported) == 2


def test_apply_ends_with_the_validate_and_translations_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file the apply wrote that fails ``validate`` (or ``translations``) fails the command."""
    from bot.review import cli as review_cli
    from bot.staff import cli as staff_cli

    ran: list[str] = []

    def fake(name: str, code: int) -> object:
        def run(args: object, out: io.StringIO) -> int:
            ran.append(name)
            out.write(f"{name} output\n")
            return code

        return run

    monkeypatch.setattr(staff_cli, "cmd_validate", fake("validate", 1))
    monkeypatch.setattr(staff_cli, "cmd_translations", fake("translations", 0))
    out = io.StringIO()
    args = argparse.Namespace(knowledge="k", locales="l")
    assert review_cli._checks(args, out) == 1
    assert ran == ["validate", "translations"]
    assert "validate output" in out.getvalue()
    monkeypatch.setattr(staff_cli, "cmd_validate", fake("validate", 0))
    assert review_cli._checks(args, io.StringIO()) == 0


async def test_services_users_open_most_come_first_among_equals(
    real: Knowledge, tmp_path: Path
) -> None:
    """'Then the most viewed': /verify reads the card openings from the usage totals."""
    import datetime as dt

    from bot.review.queue import view_counts
    from bot.storage import Storage

    order = services_to_check(real, {})
    first = order[0]
    # The last service that ties with the first on how and when it was checked.
    last = [
        s for s in order if (s.verified_how, s.verified) == (first.verified_how, first.verified)
    ][-1]
    assert last.id != first.id
    store = await Storage.open(tmp_path / "lotse.sqlite3", "test-salt")
    try:
        day = dt.date(2026, 11, 30).isoformat()
        await store.add_usage({(day, "card", last.id): 7, (day, "screen", last.id): 100})
        rows = await store.usage_totals(day, day)
    finally:
        await store.close()
    views = view_counts(rows, ["card"])
    assert views == {last.id: 7}
    assert services_to_check(real, {}, views=views)[0].id == last.id
