"""Where gaps in the service data meet demand. Staff layer; pure.

A service has a gap when people cannot call it (no phone), nobody checked it with the
provider, or its entry was not verified for over 12 months. ``rank_gaps`` lists each such
service once per town it serves, ranked within the town by how often users opened its
card, so staff fix first what most people see. A check staff confirmed in Telegram
(/verify) counts at once, as it does on users' cards, before ``verify apply`` writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.cards import checked
from bot.knowledge.model import Area, Knowledge, Service, VerifiedHow

STALE_AFTER = dt.timedelta(days=365)
COUNTY = "Ganzer Kreis"
BEYOND = "Überregional"
NO_PHONE = "keine Telefonnummer"
NOT_WITH_PROVIDER = "nicht beim Anbieter geprüft"
STALE = "über 12 Monate nicht geprüft"
NEVER = "nie geprüft"


@dataclass(frozen=True)
class Gap:
    """One service with missing or old data, in one town, and how often it was opened."""

    town: str
    service_id: str
    name: str
    reasons: tuple[str, ...]
    opens: int


def reasons(service: Service, today: dt.date) -> tuple[str, ...]:
    """What is missing or old about a service's entry (empty: nothing)."""
    found = []
    if not service.phone:
        found.append(NO_PHONE)
    if service.verified_how != VerifiedHow.PROVIDER:
        found.append(NOT_WITH_PROVIDER)
    if service.verified is None:
        found.append(NEVER)
    elif today - service.verified > STALE_AFTER:
        found.append(STALE)
    return tuple(found)


def _places(service: Service, towns: Mapping[str, str]) -> list[str]:
    if service.area == Area.TOWN and service.towns:
        return [towns.get(t, t) for t in service.towns]
    return [COUNTY if service.area == Area.COUNTY else BEYOND]


def rank_gaps(
    knowledge: Knowledge,
    opens: Mapping[str, int],
    today: dt.date,
    checks: Mapping[str, dt.date] | None = None,
) -> list[Gap]:
    """Every service with a gap, per town (county-wide and beyond first), most opened first.

    ``checks``: service id -> the day staff checked it with the provider in Telegram, not
    yet written into the YAML; such a service counts as checked that day.
    """
    towns = {k: t.name for k, t in knowledge.towns.items()}
    checks = checks or {}
    gaps = [
        Gap(place, service.id, service.name, why, opens.get(service.id, 0))
        for service in knowledge.services.values()
        if (why := reasons(checked(service, checks.get(service.id)), today))
        for place in _places(service, towns)
    ]
    order = {COUNTY: 0, BEYOND: 1}
    return sorted(
        gaps,
        key=lambda g: (order.get(g.town, 2), g.town.casefold(), -g.opens, g.name.casefold()),
    )
