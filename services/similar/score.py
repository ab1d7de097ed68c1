"""One score in [0, 1] per candidate, with the reasons a maintainer reads.

    Item(id, title, body, title_vec, body_vec, signatures, codes, attachment_text)
    rank(query, candidates, *, k=5) -> list[Match(id, score, reasons, likely_duplicate)]
    LIKELY_DUPLICATE                  the score from which a match is flagged as a duplicate
    features(query, candidate) -> dict[str, float]      what the re-ranker weighs

How a score is made (a logistic re-ranker whose weights and threshold were fitted on the
training half of tests/similar/data only, by `python -m bench similar --fit`; they live in
assets/reranker.json):

- the model's cosine of the titles, of the descriptions, and of title and description
  together, weighed separately (a bare title against a long description says less);
- lexical overlap of the titles;
- strong evidence for: a shared crash signature (the intake's fingerprint of a stack trace;
  on its own it makes a likely duplicate, SIGNATURE_FLOOR), a shared error code or
  identifier (ERR_CONNECTION_REFUSED, ORA-00942; an HTTP status counts less);
- evidence against: the titles name different values of one facet (Safari / Firefox,
  member / billing contact, upload / download, CSV / PDF: see facets.py), different
  numbers (by value, "2GB" is "2 GB"; none of one title's written anywhere in the other
  issue; HTTP statuses are codes, not numbers), different crash signatures or error codes,
  one title negated and not the other, the same words the other way round ("to A instead of
  B" / "to B instead of A", "from A to B" / "from B to A"). A facet conflict or a negation
  counts the more, the more alike the two titles read otherwise (conflict_parallel,
  negation_parallel): a near-opposite is a parallel title with one thing changed.

Without a model (no vectors on the query) the same evidence is weighed with the lexical
similarity in place of the cosines, with weights fitted for that case ("lexical" mode): the
integrator labels such results as the fallback.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import facets as fc
from . import lexical

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

WEIGHTS_FILE = Path(__file__).parent / "assets" / "reranker.json"

_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|cant|won't|doesn't|don't|isn't|aren't|didn't|wasn't|"
    r"unable|fails?|failed|failing|nothing|nobody|none|without|missing|broken|ignores?|"
    r"ignored|lost|loses)\b"
)


@dataclass(frozen=True)
class Item:
    """An issue as the scorer sees it: the query (a draft or an issue being triaged) or a
    candidate. Vectors come from `embed_item`; leave them None for the lexical fallback.
    `signatures`: crash fingerprints (the intake's); `codes`: None to extract them from the
    texts here; `attachment_text`: text read from its files (OCR, logs), searched for codes."""

    id: int | str | None
    title: str
    body: str = ""
    title_vec: np.ndarray | None = None
    body_vec: np.ndarray | None = None  # None when the body is empty
    signatures: frozenset[str] = frozenset()
    codes: frozenset[str] | None = None
    attachment_text: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def all_codes(self) -> frozenset[str]:
        if "codes" not in self._cache:
            found = self.codes
            if found is None:
                found = fc.extract_codes(f"{self.title}\n{self.body}")
            self._cache["codes"] = found
            self._cache["attachment_codes"] = fc.extract_codes(self.attachment_text) - found
        return frozenset(self._cache["codes"] | self._cache["attachment_codes"])

    def attachment_codes(self) -> frozenset[str]:
        self.all_codes()
        return frozenset(self._cache["attachment_codes"])

    def title_facets(self) -> dict[str, frozenset[str]]:
        if "facets" not in self._cache:
            self._cache["facets"] = fc.facets(self.title)
        return dict(self._cache["facets"])

    def text_facets(self) -> dict[str, frozenset[str]]:
        if "text_facets" not in self._cache:
            from .text import prepare_body

            self._cache["text_facets"] = fc.facets(f"{self.title}\n{prepare_body(self.body)}")
        return dict(self._cache["text_facets"])

    def title_terms(self) -> frozenset[str]:
        if "terms" not in self._cache:
            self._cache["terms"] = frozenset(lexical.terms(self.title))
        return frozenset(self._cache["terms"])

    def title_numbers(self) -> frozenset[str]:
        """The values of the numbers in the title ("2 GB" -> "2", "99 %" -> "99"), leaving
        out HTTP statuses and numbered error codes (compared as codes)."""
        if "numbers" not in self._cache:
            self._cache["numbers"] = _values(fc.numbers(self.title)) - _code_numbers(
                self.all_codes()
            )
        return frozenset(self._cache["numbers"])

    def text_numbers(self) -> frozenset[str]:
        """The values of the numbers in the title and the description."""
        if "text_numbers" not in self._cache:
            from .text import prepare_body

            self._cache["text_numbers"] = _values(
                fc.numbers(f"{self.title}\n{prepare_body(self.body)}")
            )
        return frozenset(self._cache["text_numbers"])

    def title_sides(self) -> tuple[frozenset[str], frozenset[str]] | None:
        if "sides" not in self._cache:
            self._cache["sides"] = _sides(self.title)
        return self._cache["sides"]

    def profile(self) -> lexical.Profile:
        if "profile" not in self._cache:
            self._cache["profile"] = lexical.Profile(self.title)
        return self._cache["profile"]

    def body_profile(self) -> lexical.Profile:
        """The description's profile, kept: a query's is compared with every candidate."""
        if "body_profile" not in self._cache:
            self._cache["body_profile"] = lexical.Profile(self.body)
        return self._cache["body_profile"]

    def full_profile(self) -> lexical.Profile:
        if "full_profile" not in self._cache:
            self._cache["full_profile"] = lexical.Profile(f"{self.title}\n{self.body}")
        return self._cache["full_profile"]

    def combined_vec(self) -> np.ndarray | None:
        """The vector the index searches: title and description together."""
        if "combined" not in self._cache:
            self._cache["combined"] = (
                None if self.title_vec is None else search_vector(self.title_vec, self.body_vec)
            )
        return self._cache["combined"]


Candidate = Item


_DIRECTED = (
    re.compile(r"^(?P<a>.+?)\b(?:instead of|rather than)\b(?P<b>.+)$"),
    re.compile(r"\bfrom\b(?P<a>.+?)\b(?:to|into)\b(?P<b>.+)$"),
)


def _sides(title: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The two sides of a directed title ("emails go to A instead of B": A's words, B's)."""
    text = lexical.normalise(title)
    for pattern in _DIRECTED:
        m = pattern.search(text)
        if m:
            return frozenset(lexical.terms(m["a"])), frozenset(lexical.terms(m["b"]))
    return None


def _reversed(a: Item, b: Item) -> bool:
    """Two directed titles whose sides are swapped ("sent to the owner instead of the
    billing contact" / "sent to the billing contact instead of the owner")."""
    sa, sb = a.title_sides(), b.title_sides()
    if sa is None or sb is None:
        return False
    crossed = len(sa[0] & sb[1]) + len(sa[1] & sb[0])
    straight = len(sa[0] & sb[0]) + len(sa[1] & sb[1])
    return bool(sa[0] & sb[1]) and bool(sa[1] & sb[0]) and crossed > straight


def _values(numbers: frozenset[str]) -> frozenset[str]:
    return frozenset(n.split(" ", 1)[0] for n in numbers)


def _code_numbers(codes: frozenset[str]) -> frozenset[str]:
    return frozenset(c.rsplit(" ", 1)[1] for c in codes if c.startswith(("HTTP ", "ERROR ")))


@dataclass(frozen=True)
class Match:
    id: int | str | None
    score: float  # in [0, 1]
    reasons: tuple[str, ...]  # for people: "same crash signature", "different browser: ..."
    likely_duplicate: bool


def search_vector(title_vec: np.ndarray, body_vec: np.ndarray | None) -> np.ndarray:
    """The one vector per issue the index holds: the normalised sum of the title's and the
    description's vectors (the title's alone when there is no description)."""
    import numpy as np

    v = np.asarray(title_vec, dtype=np.float32)
    if body_vec is not None:
        v = v + np.asarray(body_vec, dtype=np.float32)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _cos(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None:
        return None
    import numpy as np

    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.dot(a, b) / (na * nb)) if na and nb else 0.0


def _substitution(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two titles that say the same except for one or two words on each side ("... for
    German customers" / "... for Austrian customers"): after the lexical normalisation has
    joined synonyms, the swapped words are what tells the issues apart."""
    shared = a & b
    only_a, only_b = a - b, b - a
    return (
        len(shared) >= 2
        and 1 <= len(only_a) <= 2
        and 1 <= len(only_b) <= 2
        and len(shared) >= 0.5 * min(len(a), len(b))
    )


def _swapped_words(title: str, others: frozenset[str]) -> list[str]:
    """The words of `title` whose normalised term the other title lacks, as written
    (negations left out: they have their own feature)."""
    words = []
    for word in lexical.normalise(title).split():
        term = lexical.terms(word)
        if term and term[0] not in others and term[0] != "not":
            words.append(word.strip(".,;:!?()\"'"))
    return words


class Phrases:
    """Vectors of short phrases (the swapped words), computed with the model once each."""

    def __init__(self, embedder: Any, size: int = 4096) -> None:
        self._embedder = embedder
        self._cache: dict[str, Any] = {}
        self._size = size

    def vectors(self, *phrases: str) -> list[Any]:
        missing = [p for p in dict.fromkeys(phrases) if p not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self._size:
                self._cache.clear()
            for phrase, vec in zip(missing, self._embedder.embed(missing), strict=True):
                self._cache[phrase] = vec
        return [self._cache[p] for p in phrases]

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors(a, b)
        return _cos(va, vb) or 0.0


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(lexical.normalise(text)))


# Negation proper, without the words that only say something goes wrong ("fails",
# "broken", "lost"): "is never sent" against "is sent twice" is a different issue;
# "names are broken" against "names are garbled" is not.
_STRICT_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|cant|won't|doesn't|don't|isn't|aren't|didn't|wasn't|"
    r"unable|nothing|nobody|none)\b"
)


def _strictly_negated(text: str) -> bool:
    return bool(_STRICT_NEGATION.search(lexical.normalise(text)))


FEATURES = (
    "title",  # cosine of the titles (lexical mode: lexical similarity of the titles)
    "body",  # cosine of the descriptions; the combined cosine when either has none
    "combined",  # cosine of the search vectors (lexical mode: of title + description)
    "lexical",  # lexical similarity of the titles
    "facet_conflicts",  # facets named with different values in the titles (count, max 2)
    "action_conflicts",  # opposite actions in the titles (upload / download)
    "number_conflict",  # both titles have numbers, none of either in the other's text
    "negation_mismatch",  # one title negated, the other not
    "substitution",  # parallel titles with one or two words swapped for others
    "swap_distance",  # 1 - cosine of the swapped words (0 without a swap or a model)
    "facet_conflicts_text",  # facets with different values in title + description (max 2)
    "same_signature",
    "different_signature",  # both have crash signatures, none shared
    "same_code",  # a shared error code or identifier (not an HTTP status)
    "same_status",  # a shared HTTP status only
    "different_code",  # both name specific codes, none shared
    "conflict_parallel",  # a facet or action conflict, times the titles' lexical similarity
    "negation_parallel",  # a strict negation mismatch, times the titles' lexical similarity
    "reversed",  # "A instead of B" / "B instead of A", "from A to B" / "from B to A"
)


def features(
    query: Item, candidate: Item, *, mode: str | None = None, phrases: Phrases | None = None
) -> dict[str, float]:
    """The evidence about one pair, as numbers (see FEATURES). `mode`: "model" or
    "lexical" (default: "model" when both have vectors). `phrases` (the model) lets a swap
    of words be judged: synonyms the normalisation missed are close, "project" and
    "workspace" are not."""
    mode = mode or (
        "model" if query.title_vec is not None and candidate.title_vec is not None else "lexical"
    )
    lex_title = query.profile().similarity(candidate.profile())
    if mode == "model":
        title = _cos(query.title_vec, candidate.title_vec) or 0.0
        combined = _cos(query.combined_vec(), candidate.combined_vec()) or 0.0
        body = _cos(query.body_vec, candidate.body_vec)
    else:
        title = lex_title
        combined = query.full_profile().similarity(candidate.full_profile())
        body = None
        if query.body.strip() and candidate.body.strip():
            # The candidate's is made here and let go: thousands of cached candidates would
            # each hold one more profile.
            body = query.body_profile().similarity(lexical.Profile(candidate.body))
    f: dict[str, float] = {
        "title": title,
        "body": combined if body is None else body,
        "combined": combined,
        "lexical": lex_title,
    }
    fa, fb = query.title_facets(), candidate.title_facets()
    clashes = fc.conflicts(fa, fb)
    actions = sum(1 for c in clashes if c.startswith("action:"))
    f["facet_conflicts"] = float(min(2, len(clashes) - actions))
    f["action_conflicts"] = float(min(1, actions))
    na, nb = query.title_numbers(), candidate.title_numbers()
    # Numbers that differ: "iOS 17" / "iOS 16", "over 10 pages" / "over 100 tasks", unless
    # one title's number is written anywhere in the other issue (its description).
    f["number_conflict"] = float(
        bool(na and nb) and not (na & candidate.text_numbers()) and not (nb & query.text_numbers())
    )
    f["negation_mismatch"] = float(_negated(query.title) != _negated(candidate.title))
    ta, tb = query.title_terms(), candidate.title_terms()
    swapped = _substitution(ta, tb)
    f["substitution"] = float(swapped)
    f["swap_distance"] = 0.0
    if swapped and phrases is not None and mode == "model":
        wa, wb = _swapped_words(query.title, tb), _swapped_words(candidate.title, ta)
        if wa and wb:  # the swapped words as phrases: "due" / "start", "project" / "workspace"
            f["swap_distance"] = max(0.0, 1.0 - phrases.similarity(" ".join(wa), " ".join(wb)))
    text_clashes = fc.conflicts(query.text_facets(), candidate.text_facets())
    f["facet_conflicts_text"] = float(min(2, len(text_clashes)))
    sa, sb = query.signatures, candidate.signatures
    f["same_signature"] = float(bool(sa & sb))
    f["different_signature"] = float(bool(sa and sb and not (sa & sb)))
    ca, cb = query.all_codes(), candidate.all_codes()
    shared = ca & cb
    specific_a = {c for c in ca if not fc.is_generic_code(c)}
    specific_b = {c for c in cb if not fc.is_generic_code(c)}
    f["same_code"] = float(any(not fc.is_generic_code(c) for c in shared))
    f["same_status"] = float(bool(shared) and not f["same_code"])
    f["different_code"] = float(bool(specific_a and specific_b and not (specific_a & specific_b)))
    f["reversed"] = float(_reversed(query, candidate))
    f["conflict_parallel"] = float(bool(clashes)) * lex_title
    # One title negated, the other neither negated nor saying that something goes wrong,
    # and otherwise alike: "account never locks ..." / "account locked after ...".
    strict_a, strict_b = _strictly_negated(query.title), _strictly_negated(candidate.title)
    f["negation_parallel"] = lex_title * float(
        f["negation_mismatch"] == 1.0 and strict_a != strict_b
    )
    return f


# A shared crash signature (the same exception type raised through the same application
# frames) is the same crash: such a match is a likely duplicate even when the two reports
# describe it in unrelated words ("App won't open" / "crashes on startup after 5.3").
SIGNATURE_FLOOR = 0.95


@dataclass(frozen=True)
class Reranker:
    """A logistic model over FEATURES: score = sigmoid(bias + sum(weight * feature))."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def score(self, f: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in f.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold}


@lru_cache(maxsize=1)
def rerankers() -> dict[str, Reranker]:
    """The fitted re-rankers by mode ("model", "lexical")."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return {
        mode: Reranker(
            weights={k: float(v) for k, v in spec["weights"].items()},
            bias=float(spec["bias"]),
            threshold=float(spec["threshold"]),
        )
        for mode, spec in data["modes"].items()
    }


def threshold(mode: str = "model") -> float:
    """The score from which a match is a likely duplicate, for a mode."""
    return rerankers()[mode].threshold


def reasons(query: Item, candidate: Item, f: dict[str, float], mode: str) -> tuple[str, ...]:
    """Why the two look alike (first) and what tells them apart, in words."""
    out: list[str] = []
    if f["same_signature"]:
        out.append("same crash signature")
    shared = sorted(query.all_codes() & candidate.all_codes())
    attachment = query.attachment_codes() | candidate.attachment_codes()
    for code in shared[:3]:
        kind = "HTTP status" if fc.is_generic_code(code) else "error code"
        label = code.removeprefix("HTTP ") if fc.is_generic_code(code) else code
        where = " (in an attachment's text)" if code in attachment else ""
        out.append(f"same {kind} {label}{where}")
    high = 0.75 if mode == "model" else 0.5
    if f["title"] >= high:
        out.append("similar title")
    if f["body"] >= high and (query.body.strip() and candidate.body.strip()):
        out.append("similar description")
    if not out and f["combined"] >= high - 0.1:
        out.append("similar wording" if mode == "lexical" else "similar topic")
    for clash in fc.conflicts(query.title_facets(), candidate.title_facets()):
        out.append(f"but a different {clash}")
    if f["different_signature"]:
        out.append("but a different crash signature")
    if f["different_code"]:
        out.append("but different error codes")
    if f["reversed"]:
        out.append("but the other way round")
    return tuple(out)


def rank(
    query: Item,
    candidates: Iterable[Item],
    *,
    k: int = 5,
    mode: str | None = None,
    embedder: Any = None,
) -> list[Match]:
    """The `k` best candidates for `query`, best first, each with a score in [0, 1], its
    reasons and whether it passes LIKELY_DUPLICATE. `mode` defaults to "model" when the
    query has vectors (candidates without vectors are then scored lexically), else
    "lexical". Give it the index's top 20 or so: it reads every candidate it is given.
    `embedder` (the loaded model, or a `Phrases` of it) judges swapped words; without it
    that evidence is missing and scores are a little less sure."""
    models = rerankers()
    phrases = embedder if isinstance(embedder, Phrases) or embedder is None else Phrases(embedder)
    mode = mode or ("model" if query.title_vec is not None else "lexical")
    scored: list[Match] = []
    for candidate in candidates:
        pair_mode = mode if (mode == "lexical" or candidate.title_vec is not None) else "lexical"
        f = features(query, candidate, mode=pair_mode, phrases=phrases)
        model = models[pair_mode]
        score = model.score(f)
        if f["same_signature"]:  # the same crash, whatever the words: enough on its own
            score = max(score, SIGNATURE_FLOOR)
        scored.append(
            Match(
                id=candidate.id,
                score=round(score, 4),
                reasons=reasons(query, candidate, f, pair_mode),
                likely_duplicate=score >= model.threshold,
            )
        )
    scored.sort(key=lambda m: -m.score)
    return scored[:k]


# How each feature may count: +1 only for, -1 only against (a fit that wants the other sign
# gets 0: the training set is too small to teach that, say, lexical *dis*similarity is
# evidence of a duplicate). Strong evidence too rare in any labelled set to be learnt is
# given its weight here: a shared crash signature or error code all but settles it. (With
# the penalty on standardised features a rare 0/1 feature would otherwise get a weight from
# a handful of pairs: a shared HTTP status more than a shared error code.)
SIGNS = {
    "title": 1,
    "body": 1,
    "combined": 1,
    "lexical": 1,
    "facet_conflicts": -1,
    "action_conflicts": -1,
    "number_conflict": -1,
    "negation_mismatch": -1,
    "substitution": -1,
    "swap_distance": -1,
    "facet_conflicts_text": -1,
    "same_signature": 1,
    "different_signature": -1,
    "same_code": 1,
    "same_status": 1,
    "different_code": -1,
    "conflict_parallel": -1,
    "negation_parallel": -1,
    "reversed": -1,
}
PRIORS = {
    "same_signature": 7.0,
    "same_code": 5.0,  # about 0.2 of the combined cosine at its fitted weight (~25)
    "same_status": 2.0,  # a shared HTTP status: weaker than a code (many issues share a 500)
    "different_signature": -2.0,
    "reversed": -6.0,  # the same words the other way round: all but settles it
}


def fit_reranker(
    rows: Sequence[dict[str, float]], labels: Sequence[int], *, l2: float = 1.0
) -> tuple[dict[str, float], float]:
    """Logistic regression by Newton's method with an L2 penalty (not on the bias; `l2` per
    unit of a feature's variance, as on standardised features), under SIGNS, with PRIORS
    fixed: the weights and bias for FEATURES. Used by the benchmark's --fit on the training
    half."""
    import numpy as np

    x_all = np.array([[row[name] for name in FEATURES] for row in rows], dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    fixed = np.array([PRIORS.get(name, 0.0) for name in FEATURES])
    offset = x_all @ fixed
    free = [i for i, name in enumerate(FEATURES) if name not in PRIORS]
    while True:
        x = np.hstack([x_all[:, free], np.ones((len(x_all), 1))])
        w = np.zeros(x.shape[1])
        # the penalty on standardised features: a cosine that varies by 0.1 between pairs
        # needs a larger weight than a 0/1 feature to say as much, and is not held back
        penalty = l2 * np.append(np.maximum(x_all[:, free].var(axis=0), 1e-3), 0.0)
        for _ in range(100):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + offset, -30, 30)))
            grad = x.T @ (p - y) + penalty * w
            hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
            step = np.linalg.solve(hess, grad)
            w -= step
            if float(np.abs(step).max()) < 1e-8:
                break
        wrong = [i for i, v in zip(free, w[:-1], strict=True) if v * SIGNS[FEATURES[i]] < 0]
        if not wrong:
            break
        worst = max(wrong, key=lambda i: abs(w[free.index(i)]))
        free.remove(worst)  # fixed at 0
    weights = dict.fromkeys(FEATURES, 0.0)
    weights.update({name: PRIORS[name] for name in PRIORS})
    weights.update({FEATURES[i]: round(float(v), 4) for i, v in zip(free, w[:-1], strict=True)})
    return weights, round(float(w[-1]), 4)
