"""The lexical fallback, for when no model is installed: words and character trigrams.

    terms(text) -> list[str]               lower-cased, accents dropped, stop words out,
                                           light stemming, a few spelling variants joined
    trigrams(text) -> Counter[str]         character trigrams of the normalised words
    similarity(a, b, idf=None) -> float    in [0, 1]: word overlap and trigram cosine
    LexicalIndex                           add/remove/search over many texts with IDF weights

Pure Python. It finds reworded titles that share words or word stems ("Export fails for
large reports" / "exporting a large report fails"), not paraphrases that share no word
("can't sign in" / "login is broken" only through the joined variants); the model does that.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CURLY = "\u2019"  # the typographic apostrophe

_STOP_TEXT = """a an the and or but if then so of to in on at by for with from into onto over under
    about after before during when while where which who whom whose what this that these those
    is are was were be been being am do does did doing have has had having it its it's i me my
    we our you your he she they them their there here as than too very just also only again
    any some all each every both either neither such same other another more most much many
    can could would should will shall may might must get gets got getting seem seems seemed
    please thanks thank hi hello still now even really since because while via per up out"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Spellings and near-synonyms that mean the same in an issue title (joined to one term).
VARIANTS = {
    "can't": "not",
    "cannot": "not",
    "cant": "not",
    "won't": "not",
    "doesn't": "not",
    "don't": "not",
    "isn't": "not",
    "aren't": "not",
    "didn't": "not",
    "wasn't": "not",
    "unable": "not",
    "no": "not",
    "never": "not",
    "fail": "not",
    "fails": "not",
    "failed": "not",
    "failing": "not",
    "failure": "not",
    "login": "signin",
    "logon": "signin",
    "signon": "signin",
    "signup": "register",
    "registration": "register",
    "logout": "signout",
    "logoff": "signout",
    "crash": "crash",
    "crashes": "crash",
    "crashed": "crash",
    "crashing": "crash",
    "freeze": "hang",
    "freezes": "hang",
    "frozen": "hang",
    "hangs": "hang",
    "stuck": "hang",
    "slow": "slow",
    "slowly": "slow",
    "sluggish": "slow",
    "laggy": "slow",
    "lag": "slow",
    "email": "mail",
    "e-mail": "mail",
    "emails": "mail",
    "mails": "mail",
    "pic": "image",
    "picture": "image",
    "photo": "image",
    "img": "image",
    "pwd": "password",
    "passwd": "password",
    "app": "app",
    "application": "app",
    "doc": "document",
    "docs": "document",
    "pdfs": "pdf",
    "csvs": "csv",
    "delete": "remove",
    "deleted": "remove",
    "deleting": "remove",
    "removed": "remove",
    "wrong": "incorrect",
    "bad": "incorrect",
    "invalid": "incorrect",
    "blank": "empty",
    "missing": "empty",
}
_JOINED = {
    ("log", "in"): "signin",
    ("sign", "in"): "signin",
    ("log", "on"): "signin",
    ("sign", "up"): "register",
    ("log", "out"): "signout",
    ("sign", "out"): "signout",
    ("e", "mail"): "mail",
    ("set", "up"): "setup",
}

_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")


def normalise(text: str) -> str:
    """Lower case, accents dropped, curly apostrophes straightened."""
    text = text.lower()
    if text.isascii():  # nothing to decompose or drop (most texts: the quick way)
        return text
    text = unicodedata.normalize("NFKD", text.replace(_CURLY, "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix stripper (English): enough to join "exports"/"exporting"/"exported"."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]  # "dropped" -> "drop"
            return base
    return word


def terms(text: str) -> list[str]:
    """The words that carry meaning, normalised (see the module's description)."""
    words = _WORD.findall(normalise(text))
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair in _JOINED:
            out.append(_JOINED[pair])
            i += 2
            continue
        word = words[i]
        i += 1
        if word in VARIANTS:
            out.append(VARIANTS[word])
            continue
        word = word.replace("'", "")
        if word in STOP_WORDS or len(word) < 2:
            continue
        stemmed = stem(word)
        out.append(VARIANTS.get(stemmed, stemmed))
    return out


def trigrams(text: str) -> Counter[str]:
    """Character trigrams of each normalised word, padded (" ex", "exp", ..., "rt ")."""
    padded = [f" {w} " for w in _WORD.findall(normalise(text)) if w not in STOP_WORDS]
    return Counter(p[i : i + 3] for p in padded for i in range(len(p) - 2))


def _norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in weights.values()))


def _cosine(a: dict[str, float], b: dict[str, float], na: float, nb: float) -> float:
    """The cosine of two weightings, given their norms (`_norm`, kept with a profile)."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    return dot / (na * nb) if na and nb else 0.0


def _weights(
    items: Iterable[str] | Counter[str], idf: dict[str, float] | None, default: float
) -> dict[str, float]:
    counts = items if isinstance(items, Counter) else Counter(items)
    if idf is None:
        return {t: 1.0 + math.log(c) for t, c in counts.items()}
    return {t: (1.0 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}


class Profile:
    """A text prepared once for many comparisons: weighted terms and trigrams."""

    __slots__ = ("grams", "grams_norm", "words", "words_norm")

    def __init__(self, text: str, idf: dict[str, float] | None = None, default: float = 1.0):
        self.words = _weights(terms(text), idf, default)
        self.grams = _weights(trigrams(text), None, 1.0)
        self.words_norm, self.grams_norm = _norm(self.words), _norm(self.grams)

    def similarity(self, other: Profile) -> float:
        """0.6 * the cosine of the (IDF-weighted) terms + 0.4 * the trigram cosine."""
        words = _cosine(self.words, other.words, self.words_norm, other.words_norm)
        grams = _cosine(self.grams, other.grams, self.grams_norm, other.grams_norm)
        return 0.6 * words + 0.4 * grams


def similarity(a: str, b: str, idf: dict[str, float] | None = None) -> float:
    """How alike two texts read, in [0, 1] (1: the same words)."""
    return Profile(a, idf).similarity(Profile(b, idf))


PROFILES_KEPT = 2048


class LexicalIndex:
    """Texts by id, searched by `similarity` with IDF weights from the texts themselves.
    Candidates are the texts sharing at least one term or a rare trigram with the query
    (an inverted index), so a search reads a small part of a large index."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._profiles: dict[int, tuple[str, Profile]] = {}  # each with the text it is of
        self._df: Counter[str] = Counter()
        self._postings: dict[str, set[int]] = {}
        self._idf: dict[str, float] | None = None

    def __len__(self) -> int:
        return len(self._texts)

    def idf(self) -> dict[str, float]:
        """Inverse document frequencies, recomputed after a change. Cached profiles keep the
        weights they were made with until their text changes: with many texts, one more
        barely moves them."""
        if self._idf is None:
            n = max(1, len(self._texts))
            self._idf = {t: math.log((1 + n) / (1 + df)) + 1.0 for t, df in self._df.items()}
        return self._idf

    def add(self, issue_id: int, text: str) -> None:
        self.remove(issue_id)
        self._texts[issue_id] = text
        keys = set(terms(text))
        self._df.update(keys)
        for key in keys:
            self._postings.setdefault(key, set()).add(issue_id)
        self._profiles.pop(issue_id, None)
        self._idf = None

    update = add

    def remove(self, issue_id: int) -> bool:
        text = self._texts.pop(issue_id, None)
        if text is None:
            return False
        keys = set(terms(text))
        self._df.subtract(keys)
        for key in keys:
            posting = self._postings.get(key)
            if posting is not None:
                posting.discard(issue_id)
                if not posting:
                    del self._postings[key]
            if self._df[key] <= 0:
                del self._df[key]
        self._profiles.pop(issue_id, None)
        self._idf = None
        return True

    def search(
        self,
        text: str,
        k: int = 5,
        *,
        allowed: Collection[int] | None = None,
        exclude: Collection[int] = (),
        shortlist: int = 200,
    ) -> list[tuple[int, float]]:
        """The `k` texts most like `text`, best first, as (id, similarity). Only the
        `shortlist` texts sharing the most (IDF-weighted) terms with `text` are scored."""
        idf = self.idf()
        default = math.log(1 + max(1, len(self._texts))) + 1.0
        query = Profile(text, idf, default)
        # Gather candidates through the rarer terms first, weighing each hit by its IDF, and
        # score only the best `shortlist` of them: a common word ("not", "app") would
        # otherwise bring in a large part of the index.
        hits: dict[int, float] = {}
        common = max(1000, len(self._texts) // 10)
        for key in sorted(query.words, key=lambda t: len(self._postings.get(t, ()))):
            posting = self._postings.get(key)
            if not posting or (len(posting) > common and hits):
                continue
            weight = idf.get(key, default)
            for issue_id in posting:
                hits[issue_id] = hits.get(issue_id, 0.0) + weight
        allowed_set = set(allowed) if allowed is not None else None
        excluded = set(exclude)
        found = [
            i
            for i, _ in sorted(hits.items(), key=lambda kv: -kv[1])
            if i not in excluded and (allowed_set is None or i in allowed_set)
        ][: max(k, shortlist)]
        scored = [(i, query.similarity(self._profile(i, idf, default))) for i in found]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]

    def _profile(self, issue_id: int, idf: dict[str, float], default: float) -> Profile:
        """The text's profile, kept for the next search: the `PROFILES_KEPT` most recently
        used are (about 16 KB each, so keeping every issue's grew the process by that much
        per issue compared, without end: `python -m bench soak`)."""
        text = self._texts[issue_id]
        kept = self._profiles.pop(issue_id, None)  # and back in, as the newest
        # The text may have changed meanwhile (`add` in another thread): made anew then.
        profile = kept[1] if kept is not None and kept[0] is text else Profile(text, idf, default)
        self._profiles[issue_id] = (text, profile)
        while len(self._profiles) > PROFILES_KEPT:
            try:  # searches in other threads may be at it too
                del self._profiles[next(iter(self._profiles))]
            except (KeyError, RuntimeError, StopIteration):
                break
        return profile
