"""Similar and duplicate issues: quality on the labelled sets, speed and memory.

    python -m bench similar                 the tables (train and held-out separately)
    python -m bench similar --fit           refit the re-rankers on the TRAINING half only and
                                            write services/similar/assets/reranker.json
    python -m bench similar --model-dir D   use the model in D (default: prepared into a
                                            temporary directory from the installed package)
    python -m bench similar-cv              K-fold cross-validation of the re-rankers within
                                            the training half (bench/similar_cv.py): what to
                                            develop features against, never the held-out half

Quality, for each split (tests/similar/data/{train,heldout}.json), for three methods:
the model with the re-ranker, the model alone (cosine of the search vectors, its threshold
fitted on train), and the lexical fallback. The alarm is "the best match scores at least the
threshold": it is right when the query is a duplicate and the best match is its original.
Precision = right alarms / alarms; recall = right alarms / duplicate queries; recall@5 =
duplicate queries whose original is among the five best. Held-out queries are searched among
the held-out issues plus the training issues (more distractors, nothing of held-out seen).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import percentile
from services.similar import index as vindex
from services.similar import lexical, model, score, text

DATA = Path(__file__).resolve().parent.parent / "tests" / "similar" / "data"
SHORTLIST = 20  # candidates the index hands to the re-ranker
FIT_SHORTLIST = 5  # the re-ranker learns from each training query's closest candidates
FIT_L2 = 0.3  # on standardised features (score.fit_reranker); chosen by bench similar-cv


@dataclass
class Split:
    name: str
    issues: list[score.Item]
    queries: list[score.Item]
    truth: dict[Any, Any]  # query id -> original id or None


def load_split(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data["issues"], data["queries"]


def items(embedder: model.Embedder | None, rows: list[dict[str, Any]]) -> list[score.Item]:
    vecs: list[tuple[Any, Any]] = [(None, None)] * len(rows)
    if embedder is not None:
        vecs = text.embed_items(embedder, [(r["title"], r.get("body", "")) for r in rows])
    return [
        score.Item(
            id=r["id"],
            title=r["title"],
            body=r.get("body", ""),
            title_vec=tv,
            body_vec=bv,
            signatures=frozenset(r.get("signatures", ())),
        )
        for r, (tv, bv) in zip(rows, vecs, strict=True)
    ]


def build(embedder: model.Embedder | None, name: str, extra: list[dict[str, Any]]) -> Split:
    issues, queries = load_split(name)
    return Split(
        name,
        items(embedder, issues + extra),
        items(embedder, queries),
        {q["id"]: q["duplicate_of"] for q in queries},
    )


def shortlist_model(split: Split) -> dict[Any, list[score.Item]]:
    by_row = {n: it for n, it in enumerate(split.issues)}
    idx = vindex.VectorIndex(model.DIMENSION)
    for n, it in enumerate(split.issues):
        idx.add(n, it.combined_vec())  # type: ignore[arg-type]
    return {
        q.id: [by_row[i] for i, _ in idx.search(q.combined_vec(), SHORTLIST)]  # type: ignore[arg-type]
        for q in split.queries
    }


def shortlist_lexical(split: Split) -> dict[Any, list[score.Item]]:
    idx = lexical.LexicalIndex()
    for n, it in enumerate(split.issues):
        idx.add(n, f"{it.title}\n{it.body}")
    return {
        q.id: [split.issues[i] for i, _ in idx.search(f"{q.title}\n{q.body}", SHORTLIST)]
        for q in split.queries
    }


def outcomes(
    split: Split, ranked: dict[Any, list[tuple[Any, float]]]
) -> list[tuple[float, bool, bool, bool]]:
    """Per query: (best score, best is the original, is a duplicate, original in top 5)."""
    out = []
    for q in split.queries:
        rows = ranked[q.id]
        truth = split.truth[q.id]
        best_score, best_id = (rows[0][1], rows[0][0]) if rows else (0.0, None)
        top5 = [i for i, _ in rows[:5]]
        out.append(
            (best_score, truth is not None and best_id == truth, truth is not None, truth in top5)
        )
    return out


def alarm(rows: list[tuple[float, bool, bool, bool]], threshold: float) -> tuple[float, float]:
    alarms = [r for r in rows if r[0] >= threshold]
    right = sum(1 for r in alarms if r[1])
    dups = sum(1 for r in rows if r[2])
    return (right / len(alarms) if alarms else 1.0), (right / dups if dups else 0.0)


def recall_at_5(rows: list[tuple[float, bool, bool, bool]]) -> float:
    dups = [r for r in rows if r[2]]
    return sum(1 for r in dups if r[3]) / len(dups)


def best_threshold(rows: list[tuple[float, bool, bool, bool]]) -> float:
    """The threshold with the best F1 of the alarm (precision counted twice as much as
    recall on ties: F0.5 breaks them), on the rows given (the training half)."""
    best: tuple[float, float, float] = (-1.0, -1.0, 1.0)
    for t in sorted({r[0] for r in rows}):
        p, r = alarm(rows, t)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        if (f1, f05) > best[:2]:
            best = (f1, f05, t)
    return best[2]


def rank_reranked(
    split: Split, lists: dict[Any, list[score.Item]], mode: str, phrases: score.Phrases | None
) -> dict[Any, Any]:
    return {
        q.id: [
            (m.id, m.score)
            for m in score.rank(q, lists[q.id], k=SHORTLIST, mode=mode, embedder=phrases)
        ]
        for q in split.queries
    }


def rank_cosine(split: Split, lists: dict[Any, list[score.Item]]) -> dict[Any, Any]:
    out = {}
    for q in split.queries:
        qv = q.combined_vec()
        pairs = [(c.id, float(np.dot(qv, c.combined_vec()))) for c in lists[q.id]]  # type: ignore[arg-type]
        out[q.id] = sorted(pairs, key=lambda p: -p[1])
    return out


def fit(train: Split, train_lex: Split, phrases: score.Phrases) -> None:
    """Fit both re-rankers and their thresholds on the training half; write the weights."""
    data: dict[str, Any] = {
        "about": "Fitted by `python -m bench similar --fit` on tests/similar/data/train.json "
        "only (logistic regression on each query's 5 closest candidates, L2 0.3 on "
        "standardised features; "
        "threshold: best F1 of the alarm on train).",
        "modes": {},
    }
    for mode, split, lists in (
        ("model", train, shortlist_model(train)),
        ("lexical", train_lex, shortlist_lexical(train_lex)),
    ):
        rows, labels = [], []
        for q in split.queries:
            for c in lists[q.id][:FIT_SHORTLIST]:
                rows.append(score.features(q, c, mode=mode, phrases=phrases))
                labels.append(int(c.id == split.truth[q.id]))
        weights, bias = score.fit_reranker(rows, labels, l2=FIT_L2)
        data["modes"][mode] = {"weights": weights, "bias": bias, "threshold": 0.5}
        score.WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        score.rerankers.cache_clear()
        t = best_threshold(outcomes(split, rank_reranked(split, lists, mode, phrases)))
        data["modes"][mode]["threshold"] = round(t - 1e-4, 4)
        score.WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        score.rerankers.cache_clear()
        print(f"{mode}: bias {bias}, threshold {t:.4f}, weights {weights}")


def quality(splits: list[tuple[Split, Split]], phrases: score.Phrases) -> None:
    print("## Duplicate alarm and recall@5\n")
    print(
        f"Thresholds: model+re-ranker {score.threshold('model'):.3f}, "
        f"lexical {score.threshold('lexical'):.3f} (fitted on train).\n"
    )
    train_model, _ = splits[0]
    cos_threshold = best_threshold(
        outcomes(train_model, rank_cosine(train_model, shortlist_model(train_model)))
    )
    print(
        "| split | method | queries (dup / not) | issues | alarm precision | alarm recall "
        "| recall@5 |"
    )
    print("|---|---|---|---|---|---|---|")
    for with_model, lexical_only in splits:
        lists = shortlist_model(with_model)
        methods = [
            (
                "model + re-ranker",
                outcomes(with_model, rank_reranked(with_model, lists, "model", phrases)),
                score.threshold("model"),
            ),
            (
                "model alone (cosine)",
                outcomes(with_model, rank_cosine(with_model, lists)),
                cos_threshold,
            ),
            (
                "lexical fallback",
                outcomes(
                    lexical_only,
                    rank_reranked(lexical_only, shortlist_lexical(lexical_only), "lexical", None),
                ),
                score.threshold("lexical"),
            ),
        ]
        dups = sum(1 for v in with_model.truth.values() if v is not None)
        for name, rows, t in methods:
            p, r = alarm(rows, t)
            print(
                f"| {with_model.name} | {name} | {len(rows)} ({dups} / {len(rows) - dups}) | "
                f"{len(with_model.issues)} | {p:.3f} | {r:.3f} | {recall_at_5(rows):.3f} |"
            )
    print(f"\nModel alone: threshold {cos_threshold:.3f} on the cosine (fitted on train).\n")


def p50_p95(seconds: list[float]) -> str:
    return f"{percentile(seconds, 50) * 1000:.1f} / {percentile(seconds, 95) * 1000:.1f} ms"


def speed(embedder: model.Embedder, rows: int) -> None:
    issues, queries = load_split("train")
    titles = [r["title"] for r in issues + queries]
    titles = (titles * (1000 // len(titles) + 1))[:1000]
    embedder.embed(titles[:32])
    start = time.perf_counter()
    embedder.embed(titles)
    rate = len(titles) / (time.perf_counter() - start)
    print("## Speed and memory\n")
    print("| what | value |\n|---|---|")
    print(f"| embedding throughput (1,000 titles, batches of 32) | {rate:,.0f} titles/s |")

    rng = np.random.default_rng(7)
    build_start = time.perf_counter()
    vecs = rng.standard_normal((rows, model.DIMENSION), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = vindex.VectorIndex.from_vectors(
        model.DIMENSION, ((i, vecs[i]) for i in range(rows)), count=rows
    )
    build_s = time.perf_counter() - build_start
    qs = rng.standard_normal((200, model.DIMENSION), dtype=np.float32)
    times, filtered, small = [], [], []
    allowed = set(range(0, rows, 2))
    own = set(range(0, rows, 500))  # a reporter's 200 issues
    for q in qs:
        t0 = time.perf_counter()
        idx.search(q, 5)
        times.append(time.perf_counter() - t0)
    for q in qs[:50]:
        t0 = time.perf_counter()
        idx.search(q, 5, allowed=allowed)
        filtered.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        idx.search(q, 5, allowed=own)
        small.append(time.perf_counter() - t0)
    print(f"| index of {rows:,} rows: built from stored vectors | {build_s:.1f} s |")
    print(f"| top-5 over {rows:,} rows, p50 / p95 | {p50_p95(times)} |")
    print(
        f"| top-5 with an allowed-ids filter of {len(allowed):,} ids, p50 / p95 | "
        f"{p50_p95(filtered)} |"
    )
    print(
        f"| top-5 among {len(own)} allowed ids (a reporter's own), p50 / p95 | {p50_p95(small)} |"
    )
    print(f"| index memory at {rows:,} rows | {idx.memory_bytes() / 2**20:.1f} MiB |")

    words = sorted({w for t in titles for w in t.split()})
    texts = [" ".join(rng.choice(words, size=int(rng.integers(5, 10)))) for _ in range(rows)]
    t0 = time.perf_counter()
    lex = lexical.LexicalIndex()
    for i, t in enumerate(texts):
        lex.add(i, t)
    lex_build = time.perf_counter() - t0
    lex_times = []
    for t in titles[:100]:
        t0 = time.perf_counter()
        lex.search(t, 20)
        lex_times.append(time.perf_counter() - t0)
    print(f"| lexical fallback: index of {rows:,} titles built | {lex_build:.1f} s |")
    print(f"| lexical fallback: top-20 over {rows:,} titles, p50 / p95 | {p50_p95(lex_times)} |")

    split = build(embedder, "train", [])
    lists = shortlist_model(split)
    rank_times = []
    phrases = score.Phrases(embedder)  # one per process, as the app keeps it; empty here
    for q in split.queries[:100]:
        fresh = [
            score.Item(c.id, c.title, c.body, c.title_vec, c.body_vec, c.signatures)
            for c in lists[q.id]
        ]
        t0 = time.perf_counter()
        score.rank(q, fresh, k=5, embedder=phrases)
        rank_times.append(time.perf_counter() - t0)
    print(
        f"| re-rank of {SHORTLIST} candidates (features, swapped words embedded, reasons), "
        "p50 / p95 | "
        f"{p50_p95(rank_times)} |"
    )
    t0 = time.perf_counter()
    for _ in range(20):
        text.embed_item(
            embedder,
            "Export to CSV fails for large projects",
            "It spins and then says export failed.",
        )
    print(
        f"| embedding one draft (title + description) | "
        f"{(time.perf_counter() - t0) / 20 * 1000:.1f} ms |"
    )
    print(
        f"\nModel: {embedder.model_id}, {model.MODEL_SIZE / 1e6:.1f} MB; "
        f"mean of {len(times)} searches {statistics.mean(times) * 1000:.1f} ms."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the re-rankers on train")
    parser.add_argument("--model-dir", type=Path, help="a prepared model directory")
    parser.add_argument("--rows", type=int, default=100_000, help="index size for latency")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--split", choices=("both", "train"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.model_dir or model.prepare_model(Path(tmp) / "model")
        embedder = model.load_model(directory)
        train_issues, _ = load_split("train")
        train = build(embedder, "train", [])
        train_lex = build(None, "train", [])
        phrases = score.Phrases(embedder)
        if args.fit:
            fit(train, train_lex, phrases)
        splits = [(train, train_lex)]
        if args.split == "both":
            splits.append(
                (build(embedder, "heldout", train_issues), build(None, "heldout", train_issues))
            )
        quality(splits, phrases)
        if not args.no_speed:
            speed(embedder, args.rows)


if __name__ == "__main__":
    main()
