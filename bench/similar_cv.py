"""Similar issues: K-fold cross-validation of the re-rankers WITHIN the training half.

    python -m bench similar-cv [--folds 5] [--repeats 3] [--model-dir D]

The held-out half is never read. The training queries are split into K folds (stratified:
duplicates and non-duplicates spread evenly, shuffled with a fixed seed per repeat); for each
fold the re-ranker is fitted, as `python -m bench similar --fit` fits it, on the queries of the
other folds, its threshold chosen on them (best F1 of the alarm), and the fold's queries are
ranked and alarmed with it. The table pools the folds' outcomes (and averages the repeats):
the honest number to develop the features against, rather than train fitted on itself.
AP: the average precision of the alarm (queries ordered by their best score), which does not
depend on the threshold. `--drop a,b` zeroes features (an ablation); `--errors` lists the
wrong alarms and missed duplicates of the first repeat (training queries only).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path
from typing import Any

from bench import similar as sb
from services.similar import model, score


def _pair_features(
    split: sb.Split, lists: dict[Any, list[score.Item]], mode: str, phrases: score.Phrases | None
) -> dict[Any, list[tuple[Any, dict[str, float]]]]:
    return {
        q.id: [(c.id, score.features(q, c, mode=mode, phrases=phrases)) for c in lists[q.id]]
        for q in split.queries
    }


def _ranked(
    feats: dict[Any, list[tuple[Any, dict[str, float]]]], ids: list[Any], rr: score.Reranker
) -> dict[Any, list[tuple[Any, float]]]:
    out = {}
    for qid in ids:
        rows = []
        for cid, f in feats[qid]:
            s = rr.score(f)
            if f["same_signature"]:
                s = max(s, score.SIGNATURE_FLOOR)
            rows.append((cid, round(s, 4)))
        rows.sort(key=lambda r: -r[1])
        out[qid] = rows
    return out


def _sub(split: sb.Split, ids: list[Any]) -> sb.Split:
    keep = set(ids)
    return sb.Split(
        split.name,
        split.issues,
        [q for q in split.queries if q.id in keep],
        {k: v for k, v in split.truth.items() if k in keep},
    )


def folds(split: sb.Split, k: int, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    dups = [q.id for q in split.queries if split.truth[q.id] is not None]
    others = [q.id for q in split.queries if split.truth[q.id] is None]
    rng.shuffle(dups)
    rng.shuffle(others)
    out: list[list[Any]] = [[] for _ in range(k)]
    for n, qid in enumerate(dups + others):
        out[n % k].append(qid)
    return out


def fit_on(
    split: sb.Split,
    feats: dict[Any, list[tuple[Any, dict[str, float]]]],
    ids: list[Any],
    l2: float = sb.FIT_L2,
    shortlist: int = sb.FIT_SHORTLIST,
) -> score.Reranker:
    """The re-ranker fitted, as --fit fits it, on the queries `ids` (threshold 0.5)."""
    rows, labels = [], []
    for qid in ids:
        for cid, f in feats[qid][:shortlist]:
            rows.append(f)
            labels.append(int(cid == split.truth[qid]))
    weights, bias = score.fit_reranker(rows, labels, l2=l2)
    return score.Reranker(weights, bias, 0.5)


def out_of_fold(
    split: sb.Split,
    feats: dict[Any, list[tuple[Any, dict[str, float]]]],
    k: int,
    seeds: range,
    l2: float = sb.FIT_L2,
    shortlist: int = sb.FIT_SHORTLIST,
) -> list[tuple[float, bool, bool, bool]]:
    """Each query of `split` scored by re-rankers that did not see it (K folds, once per
    seed): the outcomes from which a threshold for unseen queries is chosen."""
    rows = []
    for seed in seeds:
        for fold in folds(split, k, seed):
            rest = [q.id for q in split.queries if q.id not in set(fold)]
            rr = fit_on(split, feats, rest, l2, shortlist)
            rows += sb.outcomes(_sub(split, fold), _ranked(feats, fold, rr))
    return rows


def cross_validate(
    split: sb.Split,
    feats: dict[Any, list[tuple[Any, dict[str, float]]]],
    k: int,
    seed: int,
    l2: float = sb.FIT_L2,
    shortlist: int = sb.FIT_SHORTLIST,
    inner: int = 0,
) -> list[tuple[float, bool, bool, bool, bool, Any, Any]]:
    """Pooled per-query outcomes of the K folds: (score, right, dup, in top 5, alarmed,
    query id, best candidate's id). The threshold of each fold: best F1 on the other folds'
    queries as scored by the fold's re-ranker (inner 0), or as scored out-of-fold by an
    inner cross-validation of `inner` folds over them (how --fit chooses it)."""
    pooled = []
    for fold in folds(split, k, seed):
        train_ids = [q.id for q in split.queries if q.id not in set(fold)]
        rr = fit_on(split, feats, train_ids, l2, shortlist)
        if inner:
            fit_rows = out_of_fold(_sub(split, train_ids), feats, inner, range(2), l2, shortlist)
        else:
            fit_rows = sb.outcomes(_sub(split, train_ids), _ranked(feats, train_ids, rr))
        t = sb.best_threshold(fit_rows) - 1e-4
        held = _sub(split, fold)
        ranked = _ranked(feats, fold, rr)
        test_rows = sb.outcomes(held, ranked)
        pooled += [
            (*r, r[0] >= t, q.id, ranked[q.id][0][0])
            for q, r in zip(held.queries, test_rows, strict=True)
        ]
    return pooled


def average_precision(pooled: list[tuple[float, bool, bool, bool, bool, Any, Any]]) -> float:
    """Of the alarm, threshold-free: queries by their best score, a right best match a hit."""
    dups = sum(1 for r in pooled if r[2])
    hits, total = 0, 0.0
    for n, r in enumerate(sorted(pooled, key=lambda r: -r[0]), 1):
        if r[1]:
            hits += 1
            total += hits / n
    return total / dups


def summary(
    pooled: list[tuple[float, bool, bool, bool, bool, Any, Any]],
) -> tuple[float, float, float]:
    alarms = [r for r in pooled if r[4]]
    right = sum(1 for r in alarms if r[1])
    dups = sum(1 for r in pooled if r[2])
    top5 = sum(1 for r in pooled if r[2] and r[3])
    return (right / len(alarms) if alarms else 1.0), right / dups, top5 / dups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--l2", type=float, default=sb.FIT_L2)
    parser.add_argument("--model-dir", type=Path, help="a prepared model directory")
    parser.add_argument("--fit-shortlist", type=int, default=sb.FIT_SHORTLIST)
    parser.add_argument("--inner", type=int, default=0, help="threshold by inner CV")
    parser.add_argument("--drop", default="", help="features to zero (comma-separated)")
    parser.add_argument("--errors", action="store_true", help="list the wrong alarms (train)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.model_dir or model.prepare_model(Path(tmp) / "model")
        embedder = model.load_model(directory)
        phrases = score.Phrases(embedder)
        train = sb.build(embedder, "train", [])
        train_lex = sb.build(None, "train", [])
        print(f"## Cross-validation within train ({args.folds} folds x {args.repeats})\n")
        print(
            "| method | alarm precision | alarm recall | F1 | recall@5 | AP |\n"
            "|---|---|---|---|---|---|"
        )
        for name, split, lists, mode, ph in (
            ("model + re-ranker", train, sb.shortlist_model(train), "model", phrases),
            ("lexical fallback", train_lex, sb.shortlist_lexical(train_lex), "lexical", None),
        ):
            feats = _pair_features(split, lists, mode, ph)
            for dropped in filter(None, args.drop.split(",")):
                for pairs in feats.values():
                    for _, f in pairs:
                        f[dropped] = 0.0
            ps, rs, r5s, aps = [], [], [], []
            for rep in range(args.repeats):
                pooled = cross_validate(
                    split,
                    feats,
                    args.folds,
                    seed=rep,
                    l2=args.l2,
                    shortlist=args.fit_shortlist,
                    inner=args.inner,
                )
                p, r, r5 = summary(pooled)
                ps.append(p)
                rs.append(r)
                r5s.append(r5)
                aps.append(average_precision(pooled))
                if args.errors and rep == 0:
                    _errors(split, pooled, feats, args.folds)
            p, r, r5 = (sum(v) / len(v) for v in (ps, rs, r5s))
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            ap = sum(aps) / len(aps)
            print(f"| {name} | {p:.3f} | {r:.3f} | {f1:.3f} | {r5:.3f} | {ap:.3f} |")


def _errors(
    split: sb.Split,
    pooled: list[tuple[float, bool, bool, bool, bool, Any, Any]],
    feats: dict[Any, list[tuple[Any, dict[str, float]]]],
    k: int,
) -> None:
    # pooled rows follow the fold order; recompute it to know which query each row is
    by_id = {q.id: q for q in split.queries}
    issues = {i.id: i for i in split.issues}
    for r in pooled:
        qid = r[5]
        fp = r[4] and not r[1]
        fn = r[2] and not (r[4] and r[1])
        if fp or fn:
            q = by_id[qid]
            truth = split.truth[qid]
            print(f"{'FP' if fp else 'FN'} {r[0]:.3f} {q.title!r}  truth={truth}")
            if truth is not None:
                print(f"      orig: {issues[truth].title!r}")
                f = dict(feats[qid]).get(truth)
                if f:
                    print("      ", {k: round(v, 2) for k, v in f.items() if v})
            best = next(cf for cf in feats[qid] if cf[0] == r[6])
            print(f"      near: {issues[best[0]].title!r}")
            print("      ", {k: round(v, 2) for k, v in best[1].items() if v})


if __name__ == "__main__":
    main()
