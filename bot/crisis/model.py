"""The trained crisis classifier next to the rules: hashed character n-grams and words of a
message, scored by a multinomial logistic regression. Pure; no I/O beyond reading its file.

Why a model: the rules of knowledge/crisis.yaml catch the wordings someone wrote down; a
message in danger is often worded in a way nobody listed. The model learned from a few
thousand messages (:mod:`bot.crisis.train` trains it) and generalises over wording, typos and
script: it reads the same loose keys as the rules (:func:`bot.text.norm.loose_keys`:
Cyrillic also in Latin letters, Arabizi digits, no diacritics), cut into character n-grams
and words, each hashed (``zlib.crc32``, stable across runs) into one of ``2**bits`` buckets.

The file (``knowledge/crisis_model.bin``) is ``MAGIC``, the length of a JSON header (4 bytes,
big-endian), the header (feature settings, classes, per-class scale and bias, the hash of the
training data), then the zlib-compressed weights: one int8 per bucket and class, class by
class. The weights stay int8 in memory (``2**bits`` bytes per class).
"""

from __future__ import annotations

import array
import bisect
import json
import math
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.text.norm import CYRILLIC_MARK, clauses, consonants, loose_keys

MAGIC = b"LOTSE-CRISIS-MODEL-1\n"
# Index 0 is "no danger"; the others are CrisisKind values, in their order.
CLASSES = ("none", "violence", "threat", "suicide", "medical", "child")
_WORD_CACHE_MAX = 16_384


class ModelError(ValueError):
    """A model file that cannot be used (missing, damaged, other settings or classes)."""


@dataclass(frozen=True)
class Features:
    """How a message becomes features; recorded in the model file so both sides agree."""

    bits: int = 17  # 2**bits buckets per class
    char_min: int = 4  # character n-grams of each word's key, padded with "<" and ">"
    char_max: int = 5
    words: bool = True  # each word's key, and its consonants (Arabizi, Finglish vowels vary)
    bigrams: bool = True  # two words in a row
    # A longer message is read by its first and last characters: the cost stays bounded
    # (the rules still read all of it).
    head: int = 400
    tail: int = 200
    # A message with fewer features than this counts as if it had this many: a few words are
    # little evidence, so a short message stays nearer to the prior ("I bet she knows").
    floor: int = 100


def _bucket(feature: str, mask: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) & mask


def word_keys(word: str) -> list[str]:
    """The keys a word is read by: its loose keys (Cyrillic in Latin letters), sorted."""
    return sorted({k.lstrip(CYRILLIC_MARK) for k in loose_keys(word)} - {""})


class Featurizer:
    """Turns text into bucket indices (with repetition: a feature seen twice counts twice)."""

    def __init__(self, settings: Features) -> None:
        self.settings = settings
        self._mask = (1 << settings.bits) - 1
        self._cache: dict[str, tuple[tuple[int, ...], str]] = {}

    def word(self, word: str, *, keep: bool = True) -> tuple[tuple[int, ...], str]:
        """One word's bucket indices and its first key (cached unless not ``keep``)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        s, mask = self.settings, self._mask
        keys = word_keys(word)
        found: list[int] = []
        for key in keys:
            padded = f"<{key}>"
            for n in range(s.char_min, s.char_max + 1):
                found.extend(_bucket(padded[i : i + n], mask) for i in range(len(padded) - n + 1))
            if s.words:
                found.append(_bucket("w " + key, mask))
                skeleton = consonants(key)
                if skeleton:
                    found.append(_bucket("s " + skeleton, mask))
        result = (tuple(found), keys[0] if keys else "")
        if keep:
            if len(self._cache) >= _WORD_CACHE_MAX:
                self._cache.clear()
            self._cache[word] = result
        return result

    def __call__(self, text: str) -> list[int]:
        """The bucket indices of ``text`` (its head and tail when long)."""
        s = self.settings
        if len(text) > s.head + s.tail:
            text = text[: s.head] + "\n" + text[-s.tail :]
        found: list[int] = []
        for words in clauses(text):
            previous = ""
            for word in words:
                buckets, key = self.word(word)
                found.extend(buckets)
                if s.bigrams and previous and key:
                    found.append(_bucket(f"b {previous} {key}", self._mask))
                previous = key
        return found


@dataclass(frozen=True)
class Header:
    """What the file says about itself: settings, classes, training data, scales, biases."""

    features: Features
    classes: tuple[str, ...]
    data_hash: str
    examples: int
    scales: tuple[float, ...]
    biases: tuple[float, ...]

    def to_json(self) -> bytes:
        """The header as compact, stable JSON."""
        data = asdict(self)
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Header:
        """Read a header; raises ModelError when a field is missing or of the wrong type."""
        try:
            data = json.loads(raw.decode("utf-8"))
            return cls(
                features=Features(**data["features"]),
                classes=tuple(str(c) for c in data["classes"]),
                data_hash=str(data["data_hash"]),
                examples=int(data["examples"]),
                scales=tuple(float(x) for x in data["scales"]),
                biases=tuple(float(x) for x in data["biases"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"unreadable header ({exc})") from exc


class CrisisModel:
    """Probabilities of "no danger" and of each kind of danger for a message."""

    def __init__(self, header: Header, weights: Sequence[array.array[int]]) -> None:
        self.header = header
        self.featurize = Featurizer(header.features)
        self.weights = list(weights)
        self._scales = header.scales
        self._biases = header.biases
        self._sums: dict[str, tuple[int, tuple[int, ...], str]] = {}

    @classmethod
    def from_bytes(cls, raw: bytes) -> CrisisModel:
        """Read a model; raises ModelError when the bytes are not a usable model."""
        if not raw.startswith(MAGIC):
            raise ModelError("not a Lotse crisis model (wrong start)")
        at = len(MAGIC)
        if len(raw) < at + 4:
            raise ModelError("truncated header")
        (size,) = struct.unpack(">I", raw[at : at + 4])
        header = Header.from_json(raw[at + 4 : at + 4 + size])
        if header.classes != CLASSES:
            raise ModelError(f"classes {list(header.classes)}, expected {list(CLASSES)}")
        n = len(CLASSES)
        if len(header.scales) != n or len(header.biases) != n:
            raise ModelError(f"expected {n} scales and biases")
        if not 8 <= header.features.bits <= 22:
            raise ModelError(f"bits {header.features.bits} out of range 8-22")
        try:
            payload = zlib.decompress(raw[at + 4 + size :])
        except zlib.error as exc:
            raise ModelError(f"damaged weights ({exc})") from exc
        buckets = 1 << header.features.bits
        if len(payload) != n * buckets:
            raise ModelError(f"{len(payload)} weight bytes, expected {n * buckets}")
        weights = []
        for c in range(n):
            column = array.array("b")
            column.frombytes(payload[c * buckets : (c + 1) * buckets])
            weights.append(column)
        return cls(header, weights)

    @classmethod
    def load(cls, path: Path) -> CrisisModel:
        """Read the model file at ``path``; raises ModelError (naming the problem)."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read it ({exc.strerror})") from exc
        return cls.from_bytes(raw)

    def probabilities(self, text: str) -> list[float]:
        """The probability of each class of :data:`CLASSES` for ``text`` (they sum to 1).

        The same as summing the weights of ``self.featurize(text)``, read word by word: each
        word's sums are kept (:meth:`_word_sums`), never its features, so that the cache of a
        long-running bot holds a few numbers per word.
        """
        f = self.header.features
        if len(text) > f.head + f.tail:
            text = text[: f.head] + "\n" + text[-f.tail :]
        found, totals = 0, [0] * len(CLASSES)
        for _, count, sums in self._words(text):
            found += count
            for c, value in enumerate(sums):
                totals[c] += value
        return self._softmax(found, totals)

    def _softmax(self, found: int, totals: Sequence[int]) -> list[float]:
        """The probabilities for ``found`` features whose weights sum to ``totals``."""
        if found <= 0:
            return [1.0] + [0.0] * (len(CLASSES) - 1)
        norm = 1 / math.sqrt(max(found, self.header.features.floor))
        logits = [
            bias + scale * norm * total
            for total, scale, bias in zip(totals, self._scales, self._biases, strict=True)
        ]
        return softmax(logits)

    def _words(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """Each word of ``text``: its length, its number of features and each class's weight
        over them (with the pair it makes with the word before)."""
        f = self.header.features
        mask = (1 << f.bits) - 1
        for words in clauses(text):
            previous = ""
            for word in words:
                found, sums, key = self._word_sums(word)
                if f.bigrams and previous and key:
                    pair = _bucket(f"b {previous} {key}", mask)
                    sums = tuple(
                        s + column[pair] for s, column in zip(sums, self.weights, strict=True)
                    )
                    found += 1
                previous = key
                yield len(word), found, sums

    def forget(self) -> None:
        """Empty the caches (what reading words never seen before costs)."""
        self._sums.clear()
        self.featurize = Featurizer(self.header.features)

    def _word_sums(self, word: str) -> tuple[int, tuple[int, ...], str]:
        """A word's number of features, each class's weight over them, and its key."""
        cached = self._sums.get(word)
        if cached is None:
            buckets, key = self.featurize.word(word, keep=False)
            sums = tuple(sum(map(column.__getitem__, buckets)) for column in self.weights)
            cached = (len(buckets), sums, key)
            if len(self._sums) >= _WORD_CACHE_MAX:
                self._sums.clear()
            self._sums[word] = cached
        return cached

    def most_dangerous(self, text: str, size: int = 0) -> list[float]:
        """The probabilities of the stretch of ``text`` most likely to signal danger.

        A message up to the model's length (:attr:`Features.head` + :attr:`Features.tail`
        characters) is read whole, as in :meth:`probabilities`. A longer one is read in
        windows of that length, each starting half a window after the previous one (and one
        ending with the message), so that a sentence of danger anywhere in a long letter is
        read among about as many words as the model learned from, not diluted by the rest.
        """
        f = self.header.features
        size = size or f.head + f.tail
        if len(text) <= size:
            return self.probabilities(text)
        n = len(CLASSES)
        # Running totals over the words: characters, features, and each class's weights.
        ends, counts = [0], [0]
        totals = [[0] for _ in range(n)]
        for length, found, sums in self._words(text):
            ends.append(ends[-1] + length + 1)
            counts.append(counts[-1] + found)
            for c in range(n):
                totals[c].append(totals[c][-1] + sums[c])
        last = len(ends) - 1
        starts = [*range(0, ends[-1] - size, size // 2), max(0, ends[-1] - size)]
        best: list[float] | None = None
        for at in starts:
            first = bisect.bisect_left(ends, at)  # the first word starting at or after it
            stop = bisect.bisect_right(ends, at + size) - 1  # words ending within the window
            stop = min(max(stop, first + 1), last)
            found = counts[stop] - counts[first]
            if found <= 0:
                continue
            probs = self._softmax(found, [totals[c][stop] - totals[c][first] for c in range(n)])
            if best is None or probs[0] < best[0]:
                best = probs
        return best or [1.0] + [0.0] * (n - 1)


def softmax(logits: Sequence[float]) -> list[float]:
    """Probabilities from scores (shifted by the largest, so nothing overflows)."""
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [e / total for e in exps]


def encode(header: Header, weights: Sequence[Sequence[int]]) -> bytes:
    """The file's bytes for a header and int8 weights (one sequence per class)."""
    head = header.to_json()
    payload = b"".join(array.array("b", column).tobytes() for column in weights)
    return MAGIC + struct.pack(">I", len(head)) + head + zlib.compress(payload, 9)
