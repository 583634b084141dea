"""Crisis detection: does a message signal acute danger, and how sure are we? Pure; no I/O.

What counts lives in ``knowledge/crisis.yaml`` (schema and examples: knowledge/README.md):
*concepts* (words of one meaning in every language: "hit", "child", "kill", "goodbye"),
and *rules* that combine them ("child" and "hit" → a child in danger, sure). Every
language's terms are checked whatever language the user chose: people in panic write as
they can, and mix languages; short terms and negation words only in the languages the
message is written in (:mod:`bot.crisis.language`).

Words are compared by loose keys (:func:`bot.text.norm.loose_keys`) that forgive how people
type on a phone: no case or diacritics, Cyrillic in Latin letters ("ubyu" is "убью"),
Arabizi digits ("3" for ع, "7" for ح, "5" for خ), Bulgarian chat digits ("4" for ч, "6" for
ш, "q" for я), German umlauts as ae/oe/ue, w/v, j/y/i, doubled letters; terms are compiled
by :mod:`bot.crisis.terms`. A negatable concept does not count when a negation word stands
up to :data:`NEGATION_WINDOW` words before it in the same clause.

A false alarm costs one extra screen; a miss can cost a life: where unsure, the rules give
the one line of numbers on top of the normal answer rather than nothing.

Next to the rules reads a trained model (:mod:`bot.crisis.model`, thresholds under
``model:`` in crisis.yaml). It catches wordings nobody listed. The answer is graded:

- a sure rule → the emergency screen (unless the model's probability of danger is below
  ``calm``: then the one line; never for a medical emergency or suicide, nor for violence or
  a threat by someone in the first person, :func:`steady_rule`);
- an unsure rule → the one line of that kind's numbers, or the emergency screen when the
  model is at least ``sure`` sure of danger, or nothing when its probability of danger is
  below ``quiet`` ("this waiting is killing me");
- no rule, the model at least ``line`` sure of danger → the one line of the model's kind;
- otherwise nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.crisis.grade import ACUTE, Found, combine, routine_medical, steady_rule
from bot.crisis.language import SCRIPTS, Negation, scope, script
from bot.crisis.model import CLASSES, CrisisModel
from bot.crisis.terms import (
    SKELETON_LANGS,
    Term,
    TermIndex,
    join_persian_prefixes,
    match_rest,
)
from bot.knowledge.model import (
    Crisis,
    CrisisKind,
    CrisisModelFile,
    CrisisSignal,
    Knowledge,
)
from bot.text.norm import clauses

NEGATION_WINDOW = 3
# Telegram's longest message: a longer text is read up to here (the bot answers "too long").
READ_MAX = 4096
# Terms of fewer letters ("on", "ev", "man") count only in messages of their own language
# and its neighbours; in another script than the user's language they count all the same:
# "زوج" in a message of a German user is Arabic.
SHORT_MIN = 4
# Everyday words of another language a clause needs before a term of the user's own language
# is read as that language's word (:meth:`CrisisDetector._everyday_elsewhere`).
OWN_EVIDENCE = 2
# A grown-up's age next to a child word ("mein sohn ist 40", "my daughter (35)", up to one
# word between) makes the "child" an adult: the concept ADULT, as "erwachsen" would.
ADULT, CHILD = "adult", "child"
ADULT_AGE, OLDEST, AGE_NEAR = 18, 120, 2
# The writer as the one hit: "me" as an object ("mich", "me", "меня", "beni") in the same
# clause up to one word after a hitting word ("er schlägt mich", "he beats me") or up to three
# words before it ("maz mnie bije", "er hat mich gestern wieder geschlagen") is the concept
# HIT_ME. "we have 2 kids and he beats me" is violence against the mother, not a child hit.
HIT, OBJECT_ME, HIT_ME = "hit", "object_me", "hit_me"
HIT_ME_AFTER, HIT_ME_BEFORE = 2, 4
# Where a sentence ends (clause marks of bot.text.norm.clauses): a "none:" concept counts only
# in the sentences of a rule's own concepts.
_SENTENCE = re.compile(r"[.!?;\n\r…؟؛]+")


@dataclass(frozen=True)
class Span:
    """Where a concept was found: the clause, and its first word and the word after it (as
    counted over the whole message), and the sentence."""

    clause: int
    start: int
    end: int
    sentence: int = 0


@dataclass(frozen=True)
class Reading:
    """The concepts a message mentions (with the words that first showed each) and where."""

    words: dict[str, str]
    spans: dict[str, list[Span]]
    sentences: tuple[str, ...] = ()

    def sentences_of(self, names: Iterable[str]) -> frozenset[int]:
        """The sentences where any of the concepts ``names`` stands."""
        return frozenset(s.sentence for n in names for s in self.spans.get(n, ()))

    def in_order(self, names: Iterable[str]) -> bool:
        """Do the concepts ``names`` stand in this order in one clause ("opa schlägt meinen
        sohn": elder, hit, child)?"""
        wanted = list(names)
        ends = [(span.clause, span.end) for span in self.spans.get(wanted[0], ())]
        for name in wanted[1:]:
            ends = [
                (span.clause, span.end)
                for span in self.spans.get(name, ())
                if any(c == span.clause and end <= span.start for c, end in ends)
            ]
        return bool(ends)


@dataclass(frozen=True)
class Assessment:
    """Everything that decided a message: the rule (if one held), what the model read (the
    probability of danger and the likeliest kind), and the signal they give together."""

    found: Found | None
    danger: float
    kind: CrisisKind | None
    signal: CrisisSignal | None


class CrisisDetector:
    """Recognises messages that signal acute danger, in any of the knowledge's languages."""

    def __init__(self, crisis: Crisis, model: CrisisModel | None = None) -> None:
        self.crisis = crisis
        self.model = model
        self.settings: CrisisModelFile | None = crisis.model if model else None
        self._terms = TermIndex()
        self._negatable = {c.name for c in crisis.concepts.values() if c.negatable}
        self._rules = [
            (rule, frozenset(rule.all), frozenset(rule.any), frozenset(rule.none))
            for rule in crisis.rules
        ]
        self._negation = Negation(crisis.negation, crisis.negation_ends)
        self._adult_age = ADULT in crisis.concepts and CHILD in crisis.concepts
        self._hit_me = {HIT, OBJECT_ME, HIT_ME} <= crisis.concepts.keys()
        for concept in crisis.concepts.values():
            for lang, terms in concept.terms.items():
                for text in terms:
                    self._terms.add(concept.name, lang, text)
        for words in crisis.not_typos.values():
            for word in words:
                self._terms.add_not_typo(word)
        self._terms.done()

    @classmethod
    def build(cls, knowledge: Knowledge) -> CrisisDetector:
        """Compile the concepts and rules of ``knowledge`` (knowledge/crisis.yaml) and load
        the model it names (raises ModelError when that file cannot be used)."""
        named = knowledge.crisis.model
        return cls(knowledge.crisis, CrisisModel.load(named.path) if named else None)

    def concepts(self, text: str, lang: str = "de") -> dict[str, str]:
        """The concepts ``text`` (written by a user of ``lang``) mentions, with their words."""
        return self.read(text, lang).words

    def read(self, text: str, lang: str = "de") -> Reading:
        """The concepts ``text`` (written by a user of ``lang``) mentions: their words, and
        where each was found."""
        seen: dict[str, str] = {}
        spans: dict[str, list[Span]] = {}
        near = scope(lang)
        own_script = SCRIPTS.get(lang, "latn")
        skeleton = lang in SKELETON_LANGS
        ages: list[tuple[int, int]] = []  # (where, age): "mein sohn ist 40", "daughter (35)"
        offset = 0
        sentences = tuple(part for part in _SENTENCE.split(text) if clauses(part))
        numbered = [(at, clause) for at, part in enumerate(sentences) for clause in clauses(part)]
        for number, (sentence, clause) in enumerate(numbered):
            words = join_persian_prefixes(clause)
            patterns = [self._terms.lookup(w, skeleton=skeleton, langs=near) for w in words]
            negation, negated = self._negation.reach(words, lang, NEGATION_WINDOW)
            found: list[tuple[Term, int, int]] = []
            for start, ids in enumerate(patterns):
                for ident in ids:
                    for term in self._terms.by_first.get(ident, ()):
                        end = match_rest(term.patterns, patterns, start, negation)
                        if end is not None:
                            found.append((term, start, end))
            excepted = {
                (term.concept, at)
                for term, start, end in found
                if term.exception
                for at in range(start, end)
            }
            for term, start, end in found:
                if term.exception:
                    continue
                if (
                    term.letters < SHORT_MIN
                    and term.lang not in near
                    and script(words[start]) in ("latn", own_script)
                ):
                    continue
                if any((term.concept, at) in excepted for at in range(start, end)):
                    continue
                if term.concept in self._negatable and negated[start]:
                    continue
                if self._everyday_elsewhere(words, start, end, term.lang, lang):
                    continue
                spans.setdefault(term.concept, []).append(
                    Span(number, offset + start, offset + end, sentence)
                )
                seen.setdefault(term.concept, " ".join(words[start:end]))
            ages += [
                (offset + at, int(word))
                for at, word in enumerate(words)
                if word.isdecimal() and len(word) <= len(str(OLDEST))
            ]
            offset += len(words)
        if self._adult_age and ADULT not in seen:
            for at, age in ages:
                if ADULT_AGE <= age <= OLDEST and any(
                    span.start - AGE_NEAR <= at < span.end + AGE_NEAR
                    for span in spans.get(CHILD, ())
                ):
                    seen[ADULT] = str(age)
                    break
        if self._hit_me and HIT in seen and OBJECT_ME in seen:
            for hit in spans[HIT]:
                if any(
                    me.clause == hit.clause
                    and me.start < hit.end + HIT_ME_AFTER
                    and hit.start < me.end + HIT_ME_BEFORE
                    for me in spans[OBJECT_ME]
                ):
                    seen.setdefault(HIT_ME, seen[HIT])
                    spans.setdefault(HIT_ME, []).append(hit)
                    break
        return Reading(seen, spans, sentences)

    def _everyday_elsewhere(
        self, words: list[str], start: int, end: int, term_lang: str, lang: str
    ) -> bool:
        """Is a one-word term of another language an everyday word of the language the
        clause is written in (English "since" is not Polish "sińce", bruises; Turkish "hiç",
        never, is not English "hits"; German "doch" is not Russian "дочь", daughter)?

        A term of the user's own languages needs a clause that shows the other language
        twice: Kurdish "mala" (the house of) in "werin mala min ji bo cejnê" is no Polish
        "mała" (a little girl), even for a Polish user, nor "bila" (let) Russian "била" (she
        beat) for a Russian one."""
        if end - start != 1:
            return False
        mine = term_lang in scope(lang)
        own = scope(term_lang)
        langs = self._negation.everyday_in(words[start]) - own
        if not langs:
            return False
        if not mine and not langs.isdisjoint(scope(lang)):
            return True
        # Other words of the clause show it is written in such a language, unless they are
        # everyday words of the term's or the user's language too ("so" and "am" are English
        # and German).
        neither = own | scope(lang)
        evidence = 0
        for at, word in enumerate(words):
            if at != start:
                also = self._negation.everyday_in(word)
                if not also.isdisjoint(langs) and also.isdisjoint(neither):
                    evidence += 1
        return evidence >= (OWN_EVIDENCE if mine else 1)

    def explain(self, text: str, lang: str = "de") -> Found | None:
        """The rule that decides ``text`` and the concepts it saw, or None."""
        reading = self.read(text, lang)
        seen = reading.words
        if not seen:
            return None
        present = seen.keys()
        first: Found | None = None
        for rule, needed, one_of, none_of in self._rules:
            if (
                needed <= present
                and (not one_of or not one_of.isdisjoint(present))
                and not (rule.unless_order and reading.in_order(rule.unless_order))
            ):
                # A "none:" concept counts only in the sentences of the rule's own concepts
                # (those of ``all``, else of ``any``): "we have an appointment tomorrow. my
                # dad fell and is not responding".
                where = reading.sentences_of(needed or one_of & present)
                blocking = {n for n in none_of & present if reading.sentences_of([n]) & where}
                if blocking and not (rule.sure and routine_medical(rule, blocking)):
                    continue
                if blocking and ACUTE.isdisjoint(present):
                    # A sure medical rule in a routine frame (a duration, a doctor to find):
                    # the one line (112, 116 117), never nothing; with an urgent word (now,
                    # at once, not responding) the screen.
                    rule = replace(rule, sure=False)
                found = Found(rule, seen, tuple(reading.sentences[at] for at in sorted(where)))
                if rule.sure:
                    return found
                first = first or found
        return first

    def assess(self, text: str, lang: str = "de") -> Assessment:
        """The rule and the model on ``text``, and the signal they give together.

        The rules read all of it (up to :data:`READ_MAX` characters), the model its most
        dangerous stretch (:meth:`CrisisModel.most_dangerous`)."""
        text = text[:READ_MAX]
        found = self.explain(text, lang)
        rule = CrisisSignal(found.rule.kind, found.rule.sure) if found else None
        if self.model is None or self.settings is None:
            return Assessment(found, 0.0, None, rule)
        probs = self.model.most_dangerous(text)
        features = self.model.header.features
        if found is not None and len(text) > features.head + features.tail:
            # A long letter: the rule's own sentences, each read alone, may be far more
            # dangerous than any stretch of the letter around them (a heart attack told after
            # a page on a Pflegegrad); the rule is graded by the most dangerous of them all.
            near = min(map(self.model.probabilities, found.sentences), key=lambda p: p[0])
            probs = near if near[0] < probs[0] else probs
        danger = 1 - probs[0]
        best = max(range(1, len(CLASSES)), key=probs.__getitem__)
        kind = CrisisKind(CLASSES[best])
        steady = found is not None and found.rule.sure and steady_rule(found)
        share = probs[best] / danger if danger > 0 else 0.0
        signal = combine(rule, danger, kind, self.settings, steady=steady, kind_share=share)
        return Assessment(found, danger, kind, signal)

    def detect(self, text: str, lang: str, *, note: bool = False) -> CrisisSignal | None:
        """The kind of acute danger ``text`` signals and whether it is sure, or None.

        Args:
            text: the user's message, in any language and script.
            lang: the user's language: every language's terms count, short ones and
                negation words only in the languages the message is written in.
            note: a note typed after 👎. Notes are complaints ("nobody answers the phone",
                "niemand geht ans telefon"), which the model reads near "nobody would miss
                me": where no rule holds, the model gives the line only from ``sure`` on
                (a note with any signal is not stored, and the staff lose the complaint).
        """
        return self.judge(text, lang, note=note)[0]

    def keeps(self, text: str, lang: str, *, note: bool = False) -> bool:
        """May ``text`` be stored for the staff: a note after 👎 (``note``), the words of an
        unmet need or of a search answered with 👎?

        Not when it gives any signal, nor when the model reads danger in it that the answer
        did not show: a note from ``line`` on (a note is answered with the line only from
        ``sure`` on), an unmet need or a search from ``quiet`` on. A missed farewell ("wrote
        letters for my kids today") must not wait in the database, where staff outputs show
        it and a checked phone's owner could learn of it.
        """
        return self.judge(text, lang, note=note)[1]

    def judge(
        self, text: str, lang: str, *, note: bool = False
    ) -> tuple[CrisisSignal | None, bool]:
        """What :meth:`detect` and :meth:`keeps` say, from one reading of ``text``: the
        engine answers and decides what may be stored at once, never reading a text twice."""
        assessed = self.assess(text, lang)
        signal = self._graded(assessed, note=note)
        if signal is not None or self.model is None or self.settings is None:
            return signal, signal is None
        at = self.settings
        floor = at.line if note or not at.quiet else min(at.quiet, at.line)
        return None, assessed.danger < floor

    def _graded(self, assessed: Assessment, *, note: bool) -> CrisisSignal | None:
        signal = assessed.signal
        if note and assessed.found is None and signal is not None and self.settings:
            return signal if assessed.danger >= self.settings.sure else None
        return signal
