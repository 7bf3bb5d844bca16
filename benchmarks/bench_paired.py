"""Benchmark the paired comparisons (`analysis.paired.compare`) against a naive per-replicate loop.

    .venv/bin/python benchmarks/bench_paired.py [--runs 10 --tasks 18 --docs 1000 --replicates 1000]
                                                [--naive-replicates 20] [--quick]

A synthetic tidy table (seeded): `--runs` runs × `--tasks` tasks (four categories, tasks of
unequal size around `--docs` documents, one clustered task whose documents share contexts
five at a time), every run compared against the first (runs − 1 pairs), `--replicates`
bootstrap replicates and sign flips, rule score. The vectorised path is the package's
`paired.compare` on the whole table.

Baseline, measured in the same run: the same statistics written as a plain loop, one
replicate at a time (per task: draw the clusters, take the mean difference, flip signs; then
`core.aggregate` on the task values for the categories and the overall), timed on one pair
and `--naive-replicates` replicates and scaled to the whole job (pairs × replicates). The
ratio printed is extrapolated naive time / measured vectorised time (the naive set-up,
pairing the documents, is counted once per pair, not scaled by replicates).
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import pandas as pd

from reasoning_suite.analysis import paired as P
from reasoning_suite.analysis import stats as S
from reasoning_suite.core.aggregate import aggregate

CATS = ("General-MC", "General-OE", "Math-MC", "Math-OE")


def make_table(runs: int, tasks: int, docs: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for t in range(tasks):
        n = int(docs * (0.5 + t / max(1, tasks - 1)))  # 0.5x .. 1.5x: unequal tasks
        p = rng.uniform(0.1, 0.9, n)
        context = (np.arange(n) // 5) if t == 0 else np.full(n, P.NO_CONTEXT)
        for r in range(runs):
            parts.append(pd.DataFrame({
                "run": f"run{r:02d}", "task": f"task{t:02d}", "category": CATS[t % 4], "doc_id": np.arange(n),
                "context": context, "acc": (rng.random(n) < np.clip(p + 0.01 * r, 0, 1)).astype(float),
                "metric": "acc", "judge_acc": np.nan, "answer_tokens": rng.poisson(100 + 50 * r, n).astype(float),
                "inference_flops_arch": rng.uniform(1e9, 2e9, n)}))
    df = pd.concat(parts, ignore_index=True)
    for c in ("run", "task", "category", "metric"):
        df[c] = df[c].astype("category")
    return df


def naive(table: pd.DataFrame, run: str, against: str, replicates: int, seed: int = 0) -> tuple[float, float]:
    """One pair, one replicate at a time: the loop the vectorised code replaces. Returns the
    seconds of its set-up (pairing the documents, once per pair) and of its replicate loop."""
    rng = np.random.default_rng(seed)
    groups = S.grouping(table)
    t0 = time.perf_counter()
    per_task = {}
    for task, g in table.groupby("task", observed=True):
        a = g[g["run"] == run].set_index("doc_id")
        b = g[g["run"] == against].set_index("doc_id")
        shared = a.index.intersection(b.index)
        d = a.loc[shared, "acc"].to_numpy() - b.loc[shared, "acc"].to_numpy()
        ctx = a.loc[shared, "context"].to_numpy()
        clusters = [d[ctx == c] for c in np.unique(ctx)] if (ctx != P.NO_CONTEXT).any() else [d[i:i + 1] for i in range(len(d))]
        per_task[str(task)] = clusters
    setup = time.perf_counter() - t0
    boots, flips = [], []
    for _ in range(replicates):
        values, nulls = {}, {}
        for task, clusters in per_task.items():
            k = len(clusters)
            drawn = [clusters[j] for j in rng.integers(0, k, k)]
            values[task] = float(np.concatenate(drawn).mean())
            signs = rng.integers(0, 2, k) * 2 - 1
            nulls[task] = float(sum(s * c.sum() for s, c in zip(signs, clusters)) / sum(len(c) for c in clusters))
        agg, agg0 = aggregate(values, groups), aggregate(nulls, groups)
        boots.append([*agg.categories.values(), agg.overall])
        flips.append([*agg0.categories.values(), agg0.overall])
    np.quantile(np.array(boots), [0.025, 0.975], axis=0)
    return setup, time.perf_counter() - t0 - setup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--tasks", type=int, default=18)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--naive-replicates", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="3 runs x 6 tasks x 300 documents, 200 replicates")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.tasks, args.docs, args.replicates, args.naive_replicates = 3, 6, 300, 200, 10
    logging.getLogger("reasoning_suite.analysis").setLevel(logging.ERROR)
    table = make_table(args.runs, args.tasks, args.docs)
    labels = list(dict.fromkeys(table["run"].astype(str)))
    pairs = [P.Pair(r, labels[0], P.BASELINE) for r in labels[1:]]
    n_docs = table[table["run"] == labels[0]].shape[0]
    print(f"{args.runs} runs x {args.tasks} tasks ({n_docs:,} documents per run), {len(pairs)} pairs, "
          f"{args.replicates:,} replicates")
    t0 = time.perf_counter()
    comps = P.compare(table, pairs, scores=("rule",), n_boot=args.replicates)
    vec = time.perf_counter() - t0
    rows = len(comps.frame)
    setup, loop = naive(table, pairs[0].run, pairs[0].against, args.naive_replicates)
    scaled = len(pairs) * (setup + loop * args.replicates / args.naive_replicates)
    print(f"vectorised paired.compare: {vec:.2f} s ({rows} rows)")
    print(f"naive per-replicate loop:  set-up {setup:.2f} s + {loop:.2f} s for {args.naive_replicates} replicates "
          f"of 1 pair -> {scaled:.1f} s for the whole job (scaled: pairs x (set-up + loop x replicates))")
    print(f"ratio: {scaled / vec:.1f}x vs naive")


if __name__ == "__main__":
    main()
