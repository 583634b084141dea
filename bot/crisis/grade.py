"""How the rules' signal and the model's danger make one answer. Pure; no I/O.

:func:`combine` grades (the screen, the one line, or nothing: see :mod:`bot.crisis.detector`),
:func:`steady_rule` says which sure rules the model may never calm, :func:`routine_medical`
which medical rule a routine frame turns into the line; :class:`Found` is why a message got
a signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.model import CrisisKind, CrisisModelFile, CrisisRule, CrisisSignal

# Sure rules the model's calm never turns into the one line (:func:`steady_rule`): medical
# emergencies and suicide (a wish to die seldom names a pronoun: "chciałbym umrzeć", "хочу
# умереть"); violence in the first person (the concept "me"); threats in the first person by
# someone ("person").
ALWAYS_STEADY = frozenset({CrisisKind.MEDICAL, CrisisKind.SUICIDE})
# ... except a suicide rule without the writer ("me") that speaks of the past or of a topic:
# "my mother took an overdose last year and survived, is there family counselling?" ("mama will
# nicht mehr leben" is now: never calmed).
AT_A_DISTANCE = frozenset({"past", "about_topic"})
STEADY_FIRST_PERSON = frozenset({CrisisKind.VIOLENCE})
FIRST_PERSON, SOMEONE = "me", "person"
# A sure medical rule in a routine frame (a duration, which doctor) gives the line; with an
# acute word (it is happening) the screen all the same (:func:`routine_medical`).
ROUTINE = "routine"
ACUTE = frozenset({"urgent", "no_answer", "unconscious"})  # not "now": it holds "hat einen"
# An unsure rule the model makes sure takes the model's kind when the model gives it this
# share of its danger (:func:`combine`).
MODEL_KIND_SURE = 0.8


@dataclass(frozen=True)
class Found:
    """Why a message got a signal: the rule that held and the concepts it saw (with words),
    and the sentences where the rule's own concepts stand."""

    rule: CrisisRule
    concepts: dict[str, str]
    sentences: tuple[str, ...] = ()


def routine_medical(rule: CrisisRule, blocking: set[str]) -> bool:
    """Is ``rule`` a medical one held back only by a routine frame ("chest pain when he climbs
    stairs, which cardiologist?", "for weeks")?"""
    return rule.kind is CrisisKind.MEDICAL and blocking == {ROUTINE}


def steady_rule(found: Found) -> bool:
    """Is this sure rule one that the model's ``calm`` may never turn into the one line?

    Calm is for danger words used about a subject, a film, a joke ("is a forced marriage
    valid? for a school project"). It must not overrule the writer saying that she herself is
    hit or is threatened by someone ("is there counselling in marl, my husband beats me": the
    model, reading a request for a service, is calm), nor a wish to die (often without a
    pronoun: "chciałbym umrzeć"), nor a medical emergency ("she fell and does not answer",
    asked with a question about Pflegegrad): the model reads such messages as the harmless
    questions around them. Only a suicide rule that speaks of the past or of a topic, and
    not of the writer, may be calmed: "my mother took an overdose last year". A
    threat needs the person too: "this waiting is killing me" is no one's threat.
    """
    kind, seen = found.rule.kind, found.concepts
    if kind is CrisisKind.SUICIDE and FIRST_PERSON not in seen:
        return AT_A_DISTANCE.isdisjoint(seen)
    if kind in ALWAYS_STEADY:
        return True
    if FIRST_PERSON not in seen:
        return False
    return kind in STEADY_FIRST_PERSON or (kind is CrisisKind.THREAT and SOMEONE in seen)


def combine(
    rule: CrisisSignal | None,
    danger: float,
    kind: CrisisKind,
    at: CrisisModelFile,
    *,
    steady: bool = False,
    kind_share: float = 0.0,
) -> CrisisSignal | None:
    """The graded answer of the rules and the model (see the module's docstring); a
    ``steady`` sure rule (:func:`steady_rule`) is never calmed.

    An unsure rule the model makes sure takes the model's kind when the model gives that
    kind at least :data:`MODEL_KIND_SURE` of its danger (``kind_share``): the rule only
    guessed ("balcon" reads as a fall from a height), the model read the whole message (a
    burned child locked out on the balcony: the child screen, with 110, not TelefonSeelsorge).
    """
    if rule is not None and rule.sure:
        return CrisisSignal(rule.kind, sure=False) if danger < at.calm and not steady else rule
    if rule is not None:
        if danger >= at.sure:
            sure_kind = kind if kind_share >= MODEL_KIND_SURE else rule.kind
            return CrisisSignal(sure_kind, sure=True)
        return None if danger < at.quiet else rule
    return CrisisSignal(kind, sure=False) if danger >= at.line else None
