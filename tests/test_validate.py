"""The knowledge validator: one broken fixture per rule, exact problems; the real knowledge."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.knowledge.model import ERROR
from bot.knowledge.validate import phone_ok, validate
from bot.staff.cli import main as staff_main
from tests.conftest import MINI, REAL_KNOWLEDGE, TODAY

S, T, W = "services.yaml", "tree.yaml", "towns.yaml"
LONG_ID = "a_very_long_service_identifier"  # 30 characters, over the 24 allowed


def broken(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    """Copy the test knowledge, replace one text in one file, return the errors found."""
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = validate(folder, TODAY)
    prefix = str(folder) + "/"
    return [str(p).replace(prefix, "") for p in found if p.severity == ERROR]


NO_PHONE = "list a service with a phone that serves this town (local, county or national)"
NO_FALLBACK = "name a service with a phone (county-wide or national, and local ones per town)"

CASES = [
    # No dead ends (issue 12): each answer screen, for every town, offers a phone.
    pytest.param(
        T, "    services: [hilfetelefon, beratung_herten, haus_marl]",
        "    services: [beratung_herten]",
        [f"tree.yaml:14: gewalt: nothing to call for Marl: {NO_PHONE}"],
        id="town-without-a-phone",
    ),
    pytest.param(
        S, '    phone: "02366 99999"', "    email: info@example.org",
        [
            f"tree.yaml:21: pflege: nothing to call for any town: {NO_PHONE}",
            f"tree.yaml:26: event_alt: nothing to call for any town: {NO_PHONE}",
        ],
        id="screen-without-a-phone",
    ),
    pytest.param(
        T, "    fallback: [hilfetelefon]", "    fallback: [beratung_herten]",
        [
            "tree.yaml:2: start: fallback: nothing to call for people whose town is unknown, "
            f"Marl: {NO_FALLBACK}"
        ],
        id="fallback-without-a-phone",
    ),
    pytest.param(
        T, "    fallback: [beratung_herten, haus_marl, hilfetelefon]",
        "    fallback: [beratung_herten, hilfetelefon, hilfetelefn]",
        ["tree.yaml:7: frauen: fallback 3 points to unknown service 'hilfetelefn'"],
        id="unknown-fallback",
    ),
    pytest.param(
        T, "    services: [beratung_herten]\n    visible_until",
        "    visible_until",
        ["tree.yaml:26: event_alt: a dead end: no children and no services"],
        id="dead-end",
    ),
    pytest.param(
        T, "children: [gewalt]", "children: [gewalt, gewald]",
        ["tree.yaml:7: frauen: child 2 points to unknown node 'gewald'"],
        id="unknown-child",
    ),
    pytest.param(
        T, "services: [beratung_herten]\n  - id: event",
        "services: [beratung_hertn]\n  - id: event",
        [
            "tree.yaml:21: pflege: nothing to call for any town: list a service with a phone "
            "that serves this town (local, county or national)",
            "tree.yaml:21: pflege: service 1 points to unknown service 'beratung_hertn'",
        ],
        id="unknown-service",
    ),
    pytest.param(
        T, "children: [frauen, pflege, event_alt]", "children: [frauen, event_alt]",
        ["tree.yaml:21: pflege: unreachable: no path from 'start' leads here"],
        id="unreachable",
    ),
    pytest.param(
        T, "children: [gewalt]\n", "children: [gewalt]\n", [], id="valid-fixture"
    ),
    pytest.param(
        T, "    services: [hilfetelefon, beratung_herten, haus_marl]",
        "    services: [hilfetelefon, beratung_herten, haus_marl]\n    children: [frauen]",
        ["tree.yaml:7: frauen: cycle: frauen -> gewalt -> frauen"],
        id="cycle",
    ),
    pytest.param(
        T, "  - id: pflege", "  - id: gewalt",
        [
            "tree.yaml:2: start: child 2 points to unknown node 'pflege'",
            "tree.yaml:21: gewalt: duplicate id (first at tree.yaml:14)",
        ],
        id="duplicate-node",
    ),
    pytest.param(
        S, "id: haus_marl", f"id: {LONG_ID}",
        [
            f"services.yaml:28: {LONG_ID}: service id must be a lowercase slug of [a-z0-9_], "
            "at most 24 characters",
            "tree.yaml:7: frauen: fallback 2 points to unknown service 'haus_marl'",
            "tree.yaml:14: gewalt: service 3 points to unknown service 'haus_marl'",
        ],
        id="id-too-long",
    ),
    pytest.param(
        S, 'phone: "02365 12345"', 'phone: "0236 5"',
        ["services.yaml:28: haus_marl: phone number '0236 5' does not parse as a German number"],
        id="bad-phone",
    ),
    pytest.param(
        S, "sources: [https://example.org/marl]", "sources: [example.org/marl]",
        ["services.yaml:28: haus_marl: source 'example.org/marl' is not an http(s) address"],
        id="bad-url",
    ),
    pytest.param(
        S, "    hide_address: true",
        '    hide_address: true\n    address: {street: A 1, postcode: "45770", town: Marl}',
        ["services.yaml:28: haus_marl: hide_address is set: remove the address and coordinates"],
        id="shelter-address",
    ),
    pytest.param(
        S, "towns: [marl]", "towns: [mal]",
        ["services.yaml:28: haus_marl: unknown town 'mal'"],
        id="unknown-town",
    ),
    pytest.param(
        S, "    verified: 2026-11-01\n    verified_how: provider",
        "    verified_how: provider",
        ["services.yaml:28: haus_marl: 'verified' is required"],
        id="no-verified-date",
    ),
    pytest.param(
        S, "    status: confirmed\n    verified: 2026-11-01\n    verified_how: provider",
        "    status: sure\n    verified: 2026-11-01\n    verified_how: provider",
        ["services.yaml:28: haus_marl: status must be one of confirmed, partial, not 'sure'"],
        id="bad-status",
    ),
    pytest.param(
        S, "    phone: \"02365 12345\"", "    phnoe: \"02365 12345\"",
        [
            "services.yaml:31: haus_marl: unknown field 'phnoe' in a service (allowed: address, "
            "area, cost, email, for_whom, geo, hide_address, hours, id, languages, name, note, "
            "offers, phone, reported, sources, status, towns, unverified, verified, verified_how, "
            "website)"
        ],
        id="unknown-field",
    ),
    pytest.param(
        T, "title: Pflege\n", "title: " + "Pflege " * 7 + "\n",
        ["tree.yaml:21: pflege: title has 48 characters (at most 40)"],
        id="label-length",
    ),
    pytest.param(
        T, "text: Pflege für Angehörige.", "text: " + "x" * 3501,
        ["tree.yaml:21: pflege: text has 3501 characters (at most 3500)"],
        id="message-length",
    ),
    pytest.param(
        W, "id: marl", f"id: {'m' * 45}",
        [
            "services.yaml:28: haus_marl: unknown town 'marl'",
            f"towns.yaml:4: {'m' * 45}: town id must be a lowercase slug of "
            "[a-z0-9_], at most 14 characters",
            "tree.yaml:14: gewalt: button for service 'beratung_herten' needs 72 bytes "
            "(Telegram allows 64): shorten the node, service or town id",
            "tree.yaml:14: gewalt: button for service 'haus_marl' needs 66 bytes "
            "(Telegram allows 64): shorten the node, service or town id",
            "tree.yaml:14: gewalt: button for service 'hilfetelefon' needs 69 bytes "
            "(Telegram allows 64): shorten the node, service or town id",
        ],
        id="payload-budget",
    ),
    pytest.param(
        T, "    women: true\n  - id: pflege", "    women: true\n  - id: pflege\n   bad: [",
        [
            "tree.yaml:22: -: not valid YAML: did not find expected '-' indicator"
        ],
        id="malformed-yaml",
    ),
    pytest.param(
        S, "languages: [de, ar, tr]", "languages: [de, arabisch]",
        ["services.yaml:2: hilfetelefon: unknown language code 'arabisch'"],
        id="language-code",
    ),
    pytest.param(
        S, "    cost: kostenlos\n", "    cost: kostenlos\n    cost: gratis\n",
        ["services.yaml:6: -: key 'cost' appears twice (first on line 5)"],
        id="duplicate-key",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_each_rule_reports_exactly_its_problem(
    tmp_path: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    assert broken(tmp_path, file, old, new) == expected


def test_stale_verification_is_a_warning_not_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    shutil.copytree(MINI, folder)
    path = folder / S
    path.write_text(path.read_text().replace("verified: 2026-11-01", "verified: 2024-05-02", 1))
    problems = validate(folder, TODAY)
    stale = [p for p in problems if "more than a year ago" in p.message]
    assert [(p.id, p.severity) for p in stale] == [("hilfetelefon", "warning")]


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    shutil.copytree(MINI, folder)
    (folder / T).unlink()
    problems = [str(p).replace(str(folder) + "/", "") for p in validate(folder, TODAY)]
    assert "tree.yaml:0: -: file is missing (expected a list under 'nodes:')" in problems


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("110", True),
        ("112", True),
        ("116 016", True),
        ("116 117", True),
        ("0800 1110111", True),
        ("02361 53-2024", True),
        ("+49 2361 532024", True),
        ("0236", False),
        ("12345", False),
        ("call us", False),
    ],
)
def test_phone_numbers(phone: str, ok: bool) -> None:
    assert phone_ok(phone) is ok


def test_real_knowledge_has_no_errors() -> None:
    errors = [str(p) for p in validate(REAL_KNOWLEDGE, TODAY) if p.severity == ERROR]
    assert errors == []


def test_validate_command_prints_problems_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    shutil.copytree(MINI, folder)
    path = folder / T
    path.write_text(path.read_text().replace("children: [gewalt]", "children: [gewald]"))
    out = io.StringIO()
    code = staff_main(["validate", "--knowledge", str(folder)], {"knowledge": str(folder)}, out)
    assert code == 1
    text = out.getvalue()
    assert f"{folder}/tree.yaml:7: frauen: child 1 points to unknown node 'gewald'" in text
    assert "2 error(s)" in text  # the unknown child, and gewalt is now unreachable
