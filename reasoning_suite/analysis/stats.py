"""Statistics over the tidy table: accuracies with bootstrap intervals, Pareto frontiers,
the IFT -> reasoning token factor, lengths of right and wrong answers, simulated early stopping.

Pure functions of data frames; no I/O. Accuracy is the mean of a per-sample score in [0, 1]:
``score="rule"`` reads the task's own metric (``acc``), ``score="judge"`` the judge panel's
``judge_acc``. A category's accuracy is the mean of its tasks' accuracies (each task counts
once, whatever its size), and so is the overall accuracy, as in the paper's tables.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from reasoning_suite.analysis import flops as F
from reasoning_suite.errors import UserError

SCORES = {"rule": "acc", "judge": "judge_acc"}
PERCENTILES = (0, 25, 50, 75, 100)


def score_col(score: str) -> str:
    if score not in SCORES:
        raise UserError(f"score must be one of {', '.join(SCORES)}, got {score!r}")
    return SCORES[score]


# ----------------------------------------------------------------------------- bootstrap


MIN_BOOTSTRAP_N = 5  # samples per task below which an interval is undefined (NaN, shown "n/a")


def bootstrap_macro(groups: list[np.ndarray], *, n_boot: int = 1000, level: float = 0.95,
                    seed: int = 0) -> tuple[float, float, float]:
    """Mean of group means and its percentile bootstrap interval, resampling within each group.

    Stratified: every task keeps its size in every replicate, so a category's interval
    reflects sampling noise of each task, not of which tasks were drawn. With fewer than
    MIN_BOOTSTRAP_N samples in any task the interval is (NaN, NaN): one sample per task
    resamples to itself and would give a zero-width interval that looks like certainty."""
    groups = [np.asarray(g, dtype=np.float64) for g in groups]
    groups = [g[np.isfinite(g)] for g in groups]
    groups = [g for g in groups if len(g)]
    if not groups:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    point = float(np.mean([g.mean() for g in groups]))
    if min(len(g) for g in groups) < MIN_BOOTSTRAP_N:
        return point, float("nan"), float("nan")
    reps = np.zeros(n_boot)
    for g in groups:
        n = len(g)
        # Chunk so that a 10k-sample task never materialises n_boot x n indices at once.
        chunk = max(1, 2_000_000 // n)
        for s in range(0, n_boot, chunk):
            e = min(n_boot, s + chunk)
            reps[s:e] += g[rng.integers(0, n, size=(e - s, n))].mean(axis=1)
    reps /= len(groups)
    lo, hi = np.quantile(reps, [(1 - level) / 2, 1 - (1 - level) / 2])
    return point, float(lo), float(hi)


def accuracy(df: pd.DataFrame, *, score: str = "rule", by: str = "task", n_boot: int = 1000,
             seed: int = 0) -> pd.DataFrame:
    """Accuracy per run and task / category / overall (``by``), with a 95% bootstrap interval.

    Rows: run, key (task or category name, or "overall"), acc, ci_lo, ci_hi, n (samples)."""
    col = score_col(score)
    out = []
    for run, g in df.groupby("run", observed=True, sort=False):
        if by == "task":
            keys = [(t, [gg[col].to_numpy()]) for t, gg in g.groupby("task", observed=True)]
        elif by == "category":
            keys = [(c, [t[col].to_numpy() for _, t in gg.groupby("task", observed=True)])
                    for c, gg in g.groupby("category", observed=True)]
        elif by == "overall":
            keys = [("overall", [t[col].to_numpy() for _, t in g.groupby("task", observed=True)])]
        else:
            raise UserError(f"by must be task, category or overall, got {by!r}")
        for key, groups in keys:
            n = int(sum(np.isfinite(x).sum() for x in groups))
            point, lo, hi = bootstrap_macro(groups, n_boot=n_boot, seed=seed)
            out.append({"run": run, by: key, "acc": point, "ci_lo": lo, "ci_hi": hi, "n": n})
    return pd.DataFrame(out, columns=["run", by, "acc", "ci_lo", "ci_hi", "n"])


# ----------------------------------------------------------------------------- Pareto


def pareto_mask(cost: Iterable[float], value: Iterable[float]) -> np.ndarray:
    """True for points no other point dominates (cost no higher, value no lower, one strictly).

    Points with a missing cost or value are never on the frontier. Equal points do not
    dominate each other, so duplicates on the frontier are all kept."""
    c = np.asarray(list(cost), dtype=np.float64)
    v = np.asarray(list(value), dtype=np.float64)
    ok = np.isfinite(c) & np.isfinite(v)
    mask = np.zeros(len(c), dtype=bool)
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((-v[idx], c[idx]))]  # cost ascending, value descending
    best_v, best_c = -np.inf, np.nan
    for i in order:
        if v[i] > best_v:
            mask[i] = True
            best_v, best_c = v[i], c[i]
        elif v[i] == best_v and c[i] == best_c:
            mask[i] = True  # an exact duplicate of a frontier point
    return mask


# ----------------------------------------------------------------------------- summaries


def per_run_task(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Per run and task: accuracy, mean tokens, inference FLOPs per answer, plus run metadata."""
    col = score_col(score)
    meta = ["mode", "base_model", "format", "reasoning_ratio", "order", "params",
            "train_flops_paper", "train_flops_arch"]
    g = df.groupby(["run", "task"], observed=True, sort=False)
    out = g.agg(
        category=("category", "first"),
        acc=(col, "mean"),
        answer_tokens=("answer_tokens", "mean"),
        thinking_tokens=("thinking_tokens", "mean"),
        final_tokens=("final_tokens", "mean"),
        prompt_tokens=("prompt_tokens", "mean"),
        truncated=("truncated", "mean"),
        inference_flops_paper=("inference_flops_paper", "mean"),
        inference_flops_arch=("inference_flops_arch", "mean"),
        n=(col, "count"),
        **{m: (m, "first") for m in meta},
    ).reset_index()
    for c in ("run", "task", "category", "mode", "base_model", "format", "order"):
        out[c] = out[c].astype(str)
    return out


def per_run_category(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Per run and category: means over the category's tasks (each task once)."""
    t = per_run_task(df, score=score)
    num = ["acc", "answer_tokens", "thinking_tokens", "final_tokens", "inference_flops_paper",
           "inference_flops_arch", "truncated"]
    meta = ["mode", "base_model", "format", "reasoning_ratio", "order", "params",
            "train_flops_paper", "train_flops_arch"]
    return (t.groupby(["run", "category"], sort=False)
             .agg(**{c: (c, "mean") for c in num}, **{m: (m, "first") for m in meta})
             .reset_index())


def token_factor_gain(df: pd.DataFrame, *, score: str = "rule", by: str = "task") -> pd.DataFrame:
    """Paper Fig. 1: for each base model with both an IFT and a reasoning run, per task (or
    category), the extra-token factor (mean answer tokens, reasoning / IFT) and the accuracy
    gain in points (reasoning − IFT)."""
    t = per_run_task(df, score=score) if by == "task" else per_run_category(df, score=score)
    rows = []
    for base, g in t.groupby("base_model"):
        ift, rea = g[g["mode"] == "IFT"], g[g["mode"] == "reasoning"]
        if ift.empty or rea.empty:
            continue
        i = ift.groupby(by)[["acc", "answer_tokens"]].mean()
        r = rea.groupby(by)[["acc", "answer_tokens", "params"]].mean()
        for key in i.index.intersection(r.index):
            rows.append({
                "base_model": base, by: key, "params": r.loc[key, "params"],
                "category": key if by == "category" else g.loc[g[by] == key, "category"].iloc[0],
                "token_factor": r.loc[key, "answer_tokens"] / i.loc[key, "answer_tokens"]
                if i.loc[key, "answer_tokens"] > 0 else np.nan,
                "acc_gain": 100 * (r.loc[key, "acc"] - i.loc[key, "acc"]),
            })
    return pd.DataFrame(rows, columns=["base_model", by, "category", "params", "token_factor", "acc_gain"]
                        if by == "task" else ["base_model", by, "params", "token_factor", "acc_gain"])


def length_by_correctness(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Paper Fig. 8: mean answer tokens of correct (score >= 0.5) and incorrect answers, per run
    and category, with the accuracy."""
    col = score_col(score)
    d = df[np.isfinite(df[col])]
    rows = []
    for (run, cat), g in d.groupby(["run", "category"], observed=True, sort=False):
        ok = g[col].to_numpy() >= 0.5
        tok = g["answer_tokens"].to_numpy()
        rows.append({
            "run": str(run), "category": str(cat), "mode": str(g["mode"].iloc[0]), "params": g["params"].iloc[0],
            "tokens_correct": float(tok[ok].mean()) if ok.any() else np.nan,
            "tokens_incorrect": float(tok[~ok].mean()) if (~ok).any() else np.nan,
            "acc": float(g[col].mean()), "n_correct": int(ok.sum()), "n_incorrect": int((~ok).sum()),
        })
    return pd.DataFrame(rows)


def early_stopping(df: pd.DataFrame, archs: Mapping[str, F.ArchSpec | None], *, score: str = "rule",
                   percentiles: Iterable[float] = PERCENTILES, cached_ffn: bool = True) -> pd.DataFrame:
    """Paper Fig. 15, simulated from the logged samples: per run and task, cap generation at the
    p-th percentile of that run's answer lengths on the task. An answer longer than the cap is
    stopped before its end and counts as wrong; one within the cap keeps its score. Cost is the
    inference FLOPs of ``min(length, cap)`` generated tokens.

    Rows: run, task, category, mode, params, percentile, budget, acc, answer_tokens,
    inference_flops_paper, inference_flops_arch."""
    col = score_col(score)
    rows = []
    df = df[np.isfinite(df[col])]  # unscored samples (e.g. tasks not judged) take no part
    for (run, task), g in df.groupby(["run", "task"], observed=True, sort=False):
        tok = g["answer_tokens"].to_numpy(dtype=np.float64)
        sc = g[col].to_numpy(dtype=np.float64)
        lp = g["prompt_tokens"].to_numpy(dtype=np.float64)
        arch = archs.get(str(run))
        for p in percentiles:
            budget = float(np.percentile(tok, p))
            kept = tok <= budget
            gen = np.minimum(tok, budget)
            if arch is not None:
                fl = F.inference_flops(arch, lp, gen, cached_ffn=cached_ffn)
                fp, fa = float(np.mean(fl["paper"])), float(np.mean(fl["arch"]))
            else:
                fp = fa = np.nan
            rows.append({
                "run": str(run), "task": str(task), "category": str(g["category"].iloc[0]),
                "mode": str(g["mode"].iloc[0]), "params": g["params"].iloc[0], "percentile": p,
                "budget": budget, "acc": float(np.mean(np.where(kept, sc, 0.0))),
                "answer_tokens": float(gen.mean()), "inference_flops_paper": fp, "inference_flops_arch": fa,
            })
    return pd.DataFrame(rows)


def ratio_sweep(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Paper Fig. 3/4: per base model, order (sequential / mixed), reasoning ratio and category,
    the accuracy gap to the same base model's IFT run (ratio 0) in points and the mean answer
    length. Runs without a training record are left out."""
    c = per_run_category(df, score=score)
    c = c[np.isfinite(c["reasoning_ratio"])]
    rows = []
    for (base, cat), g in c.groupby(["base_model", "category"]):
        ift = g[g["reasoning_ratio"] == 0]
        if ift.empty:
            continue
        base_acc = ift["acc"].mean()
        for _, r in g.iterrows():
            orders = ["sequential", "mixed"] if r["reasoning_ratio"] in (0, 1) else [r["order"] or "sequential"]
            for order in orders:
                rows.append({"base_model": base, "category": cat, "order": order, "params": r["params"],
                             "reasoning_ratio": r["reasoning_ratio"], "acc_gap": 100 * (r["acc"] - base_acc),
                             "answer_tokens": r["answer_tokens"]})
    out = pd.DataFrame(rows, columns=["base_model", "category", "order", "params", "reasoning_ratio", "acc_gap",
                                      "answer_tokens"])
    return out.groupby(["base_model", "category", "order", "reasoning_ratio"], as_index=False).mean(numeric_only=True) \
        if not out.empty else out
