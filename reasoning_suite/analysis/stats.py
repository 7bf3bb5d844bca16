"""Statistics over the tidy table: accuracies with bootstrap intervals, Pareto frontiers,
the IFT -> reasoning token factor, lengths of right and wrong answers, simulated early stopping.

Pure functions of data frames; no I/O. Accuracy is the mean of a per-sample score in [0, 1]:
``score="rule"`` reads the task's own metric (``acc``, the primary metric named in the table's
``metric`` column), ``score="judge"`` the judge panel's ``judge_acc``. Category and overall
scores follow `reasoning_suite.core.aggregate` (a category is the mean of its tasks that ran,
each once whatever its size; the overall is the mean of the categories that ran), one metric
at a time: a task whose primary metric is not ``acc`` (code summarization's rougeL) has its
own task score but enters no rule ``acc`` category or overall. Runs are never merged: every
per-run frame keeps the run's ``setting`` (zero-/few-shot, chat template, thinking, repeats).
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from reasoning_suite.core import flops as F
from reasoning_suite.core.aggregate import OTHER, Grouping, aggregate
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.registry import suite_grouping

SCORES = {"rule": "acc", "judge": "judge_acc"}
PERCENTILES = (0, 25, 50, 75, 100)


def score_col(score: str) -> str:
    if score not in SCORES:
        raise UserError(f"score must be one of {', '.join(SCORES)}, got {score!r}")
    return SCORES[score]


def _grouping(grouping: Grouping | None) -> Grouping:
    """The grouping a statistic aggregates with: the caller's, else the suite's
    (`registry.suite_grouping`); a task it does not know is "Other" in `core.aggregate`."""
    return suite_grouping() if grouping is None else grouping


def category_order(values: Iterable[object], grouping: Grouping | None = None) -> list[str]:
    """The categories among `values` in the grouping's order (the registry's: the paper's
    General-MC ... Physics), unknown ones after, by name. Figures and the leaderboard use it."""
    order = list(_grouping(grouping).categories)
    seen = list(dict.fromkeys(str(v) for v in values))
    return sorted(seen, key=lambda c: (order.index(c) if c in order else len(order), c))


def in_means(df: pd.DataFrame, score: str) -> pd.Series:
    """Rows whose score may be averaged across tasks: for the rule score, tasks whose primary
    metric is ``acc`` (a metric is never averaged with another); for the judge, every task."""
    if score == "rule" and "metric" in df:
        return df["metric"].astype(str) == "acc"
    return pd.Series(True, index=df.index)


# ----------------------------------------------------------------------------- bootstrap


MIN_BOOTSTRAP_N = 5  # samples per task below which an interval is undefined (NaN, shown "n/a")


def bootstrap_macro(groups: list[np.ndarray], *, n_boot: int = 1000, level: float = 0.95,
                    seed: int = 0, weights: list[float] | None = None) -> tuple[float, float, float]:
    """Weighted mean of group means (equal weights by default) and its percentile bootstrap
    interval, resampling within each group.

    Stratified: every task keeps its size in every replicate, so a category's interval
    reflects sampling noise of each task, not of which tasks were drawn. `weights` are the
    tasks' weights in the score (`core.aggregate`); a weighted group must have a finite value.
    With fewer than MIN_BOOTSTRAP_N samples in any task the interval is (NaN, NaN): one sample
    per task resamples to itself and would give a zero-width interval that looks like certainty."""
    groups = [np.asarray(g, dtype=np.float64) for g in groups]
    groups = [g[np.isfinite(g)] for g in groups]
    if weights is not None:
        if len(weights) != len(groups) or any(not len(g) for g in groups):
            raise ValueError("bootstrap_macro: one weight per group, and no weighted group may be empty")
        w = np.asarray(weights, dtype=np.float64)
    else:
        groups = [g for g in groups if len(g)]
        w = np.full(len(groups), 1.0 / len(groups)) if groups else np.zeros(0)
    if not groups:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    point = float(sum(wi * g.mean() for wi, g in zip(w, groups)))
    if min(len(g) for g in groups) < MIN_BOOTSTRAP_N:
        return point, float("nan"), float("nan")
    reps = np.zeros(n_boot)
    for wi, g in zip(w, groups):
        n = len(g)
        # Chunk so that a 10k-sample task never materialises n_boot x n indices at once.
        chunk = max(1, 2_000_000 // n)
        for s in range(0, n_boot, chunk):
            e = min(n_boot, s + chunk)
            reps[s:e] += wi * g[rng.integers(0, n, size=(e - s, n))].mean(axis=1)
    lo, hi = np.quantile(reps, [(1 - level) / 2, 1 - (1 - level) / 2])
    return point, float(lo), float(hi)


def accuracy(df: pd.DataFrame, *, score: str = "rule", by: str = "task", n_boot: int = 1000,
             seed: int = 0, grouping: Grouping | None = None) -> pd.DataFrame:
    """Accuracy per run and task / category / overall (``by``), with a 95% bootstrap interval.

    Rows: run, key (task or category name, or "overall"), acc, ci_lo, ci_hi, n (samples).
    Category and overall points and intervals use the task weights of `core.aggregate`."""
    col = score_col(score)
    if by not in ("task", "category", "overall"):
        raise UserError(f"by must be task, category or overall, got {by!r}")
    groups_of = _grouping(grouping)
    usable = in_means(df, score)
    out = []
    for run, g in df.groupby("run", observed=True, sort=False):
        per_task = {str(t): gg[col].to_numpy(dtype=np.float64) for t, gg in g.groupby("task", observed=True)}
        if by == "task":
            keys = [(t, {t: 1.0}) for t in per_task]
        else:
            averaged = set(g.loc[usable.loc[g.index], "task"].astype(str))
            means = {t: float(np.nanmean(x)) for t, x in per_task.items() if t in averaged and np.isfinite(x).any()}
            agg = aggregate(means, groups_of)
            if by == "category":
                keys = [(c, agg.weights[c]) for c in agg.categories]
            else:
                keys = [("overall", agg.weights["overall"])] if agg.overall is not None else []
        for key, weights in keys:
            tasks = [t for t in weights if np.isfinite(per_task[t]).any()]
            n = int(sum(np.isfinite(per_task[t]).sum() for t in tasks))
            if not tasks:
                point, lo, hi = np.nan, np.nan, np.nan
            else:
                point, lo, hi = bootstrap_macro([per_task[t] for t in tasks], n_boot=n_boot, seed=seed,
                                                weights=[weights[t] for t in tasks])
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


RUN_META = ["mode", "setting", "base_model", "format", "reasoning_ratio", "order", "params",
            "train_flops_paper", "train_flops_arch"]
CATEGORY_NUMBERS = ["acc", "answer_tokens", "thinking_tokens", "final_tokens", "inference_flops_paper",
                    "inference_flops_arch", "truncated"]


def _meta(df: pd.DataFrame) -> list[str]:
    return [m for m in RUN_META if m in df]


def per_run_task(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Per run and task: accuracy, mean tokens, inference FLOPs per answer, plus run metadata."""
    col = score_col(score)
    meta = _meta(df) + (["metric"] if "metric" in df else [])
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
        **{c: (c, "mean") for c in ("closed_thinking", "has_answer") if c in df},  # the table has them; older frames may not
        **{m: (m, "first") for m in meta},
    ).reset_index()
    for c in ("run", "task", "category", "mode", "setting", "base_model", "format", "order", "metric"):
        if c in out:
            out[c] = out[c].astype(str)
    return out


# What a run learned to write (issue 17): the share of its answers that close a thinking block,
# the share with a final answer, and the mean answer tokens (thinking + final).
FORMAT_NUMBERS = ["closed_thinking", "has_answer", "answer_tokens"]


def per_run_overall(df: pd.DataFrame, numbers: list[str], *, grouping: Grouping | None = None) -> pd.DataFrame:
    """Per run (the index), `core.aggregate`'s overall of each per-task mean in `numbers`: the
    mean of the categories' task means, each task once, the rule accuracy follows. The
    leaderboard's cost and format columns and the demo's closing panel read this one rule, so a
    share printed by the demo is the one its HTML leaderboard shows."""
    t = per_run_task(df)
    groups_of = _grouping(grouping)
    rows = {str(run): {c: aggregate(dict(zip(g["task"], g[c])), groups_of).overall for c in numbers}
            for run, g in t.groupby("run", sort=False, observed=True)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=numbers).astype(float)


def per_run_category(df: pd.DataFrame, *, score: str = "rule", grouping: Grouping | None = None) -> pd.DataFrame:
    """Per run and category: each number is `core.aggregate`'s category score of the per-task
    numbers (mean of the category's tasks that have it, each once); the rule accuracy only over
    tasks whose primary metric is acc."""
    t = per_run_task(df, score=score)
    return category_rows(t, CATEGORY_NUMBERS, score=score, grouping=grouping, keys=["run"], meta=_meta(t))


def series_labels(df: pd.DataFrame) -> pd.Series:
    """What a figure's legend calls each row: its mode, plus its setting when runs of that
    mode were evaluated in more than one setting ("base (0-shot)", "base (3-shot)"), so runs
    in different settings are never drawn, fitted or averaged as one."""
    mode = df["mode"].astype(str)
    if "setting" not in df or df.empty:
        return mode
    setting = df["setting"].astype(str)
    several = setting.groupby(mode).transform("nunique") > 1
    return mode.where(~several, mode + " (" + setting + ")")


def _setting_keys(df: pd.DataFrame) -> list[str]:
    """Extra grouping keys that keep runs of different evaluation settings apart."""
    return ["setting"] if "setting" in df else []


def token_factor_gain(df: pd.DataFrame, *, score: str = "rule", by: str = "task") -> pd.DataFrame:
    """Paper Fig. 1: for each base model with both an IFT and a reasoning run, per task (or
    category), the extra-token factor (mean answer tokens, reasoning / IFT) and the accuracy
    gain in points (reasoning − IFT)."""
    t = per_run_task(df, score=score) if by == "task" else per_run_category(df, score=score)
    rows = []
    keys = ["base_model", *_setting_keys(t)]
    for key, g in t.groupby(keys):
        base = key[0] if isinstance(key, tuple) else key
        ift, rea = g[g["mode"] == "IFT"], g[g["mode"] == "reasoning"]
        if ift.empty or rea.empty:
            continue
        i = ift.groupby(by)[["acc", "answer_tokens"]].mean()
        r = rea.groupby(by)[["acc", "answer_tokens", "params"]].mean()
        for key in i.index.intersection(r.index):
            rows.append({
                "base_model": base, **({"setting": g["setting"].iloc[0]} if "setting" in g else {}),
                by: key, "params": r.loc[key, "params"],
                "category": key if by == "category" else g.loc[g[by] == key, "category"].iloc[0],
                "token_factor": r.loc[key, "answer_tokens"] / i.loc[key, "answer_tokens"]
                if i.loc[key, "answer_tokens"] > 0 else np.nan,
                "acc_gain": 100 * (r.loc[key, "acc"] - i.loc[key, "acc"]),
            })
    cols = ["base_model", *_setting_keys(t), by] + (["category"] if by == "task" else []) + \
        ["params", "token_factor", "acc_gain"]
    return pd.DataFrame(rows, columns=cols)


def category_rows(per_task: pd.DataFrame, numbers: list[str], *, score: str, grouping: Grouping | None,
                  keys: list[str], scored_only: Iterable[str] = ("acc",), sums: tuple[str, ...] = (),
                  meta: list[str] | None = None) -> pd.DataFrame:
    """Per `keys` (run, ...) and category: each of `numbers` is `core.aggregate`'s category score
    of the per-task values (the mean of the category's tasks that have it, each once whatever its
    size). Numbers in `scored_only` (the accuracy, and what depends on it) use only the tasks
    whose score may be averaged (`in_means`: for the rule score, primary metric acc). `sums` are
    counts, added over those tasks. `meta` columns (default mode, params, setting) are the
    group's first row's."""
    groups_of = _grouping(grouping)
    usable = in_means(per_task, score)
    scored_only = set(scored_only)
    if meta is None:
        meta = [c for c in ("mode", "params", *_setting_keys(per_task)) if c in per_task and c not in keys]
    rows = []
    for key, g in per_task.groupby(keys, sort=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        scored = g[usable.loc[g.index]]
        cats: dict[str, dict[str, float]] = {}
        for c in numbers:
            part = scored if c in scored_only else g
            for cat, value in aggregate(dict(zip(part["task"], part[c])), groups_of).categories.items():
                cats.setdefault(cat, {})[c] = value
        first = g.iloc[0]
        for cat, values in cats.items():
            in_cat = scored["task"].map(lambda t: (groups_of.category_of(str(t)) or OTHER) == cat)
            rows.append({**dict(zip(keys, key)), "category": cat, **{c: values.get(c, np.nan) for c in numbers},
                         **{c: int(scored.loc[in_cat, c].sum()) for c in sums}, **{m: first[m] for m in meta}})
    return pd.DataFrame(rows, columns=[*keys, "category", *numbers, *sums, *meta])


def length_by_correctness(df: pd.DataFrame, *, score: str = "rule", grouping: Grouping | None = None) -> pd.DataFrame:
    """Paper Fig. 8: mean answer tokens of correct (score >= 0.5) and incorrect answers, per run
    and category, with the accuracy.

    Per task first (its correct answers' mean length, its incorrect answers', its accuracy), then
    the category by `core.aggregate` (mean of its tasks, each once: a task with more documents
    does not weigh more), so the accuracy is the category accuracy of every other table. With the
    rule score only tasks whose primary metric is acc take part (rougeL >= 0.5 is not "correct")."""
    col = score_col(score)
    d = df[np.isfinite(df[col])]
    rows = []
    for (run, task), g in d.groupby(["run", "task"], observed=True, sort=False):
        ok = g[col].to_numpy() >= 0.5
        tok = g["answer_tokens"].to_numpy()
        rows.append({
            "run": str(run), "task": str(task), "mode": str(g["mode"].iloc[0]), "params": g["params"].iloc[0],
            **{k: str(g[k].iloc[0]) for k in _setting_keys(g)},
            **({"metric": str(g["metric"].iloc[0])} if "metric" in g else {}),
            "tokens_correct": float(tok[ok].mean()) if ok.any() else np.nan,
            "tokens_incorrect": float(tok[~ok].mean()) if (~ok).any() else np.nan,
            "acc": float(g[col].mean()), "n_correct": int(ok.sum()), "n_incorrect": int((~ok).sum()),
        })
    per_task = pd.DataFrame(rows)
    if per_task.empty:
        return pd.DataFrame(columns=["run", "category", "tokens_correct", "tokens_incorrect", "acc", "n_correct",
                                     "n_incorrect", "mode", "params"])
    # lengths of right and wrong answers exist only where "right" does: the tasks of the accuracy
    numbers = ["tokens_correct", "tokens_incorrect", "acc"]
    return category_rows(per_task, numbers, score=score, grouping=grouping, keys=["run"], scored_only=numbers,
                         sums=("n_correct", "n_incorrect"))


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
                "mode": str(g["mode"].iloc[0]), **{k: str(g[k].iloc[0]) for k in _setting_keys(g)},
                **({"metric": str(g["metric"].iloc[0])} if "metric" in g else {}),
                "params": g["params"].iloc[0], "percentile": p,
                "budget": budget, "acc": float(np.mean(np.where(kept, sc, 0.0))),
                "answer_tokens": float(gen.mean()), "inference_flops_paper": fp, "inference_flops_arch": fa,
            })
    return pd.DataFrame(rows)


def early_stopping_by_category(es: pd.DataFrame, *, score: str = "rule", grouping: Grouping | None = None) -> pd.DataFrame:
    """Paper Fig. 15 per category: for each run and percentile cap, `core.aggregate`'s category
    score of the per-task rows of `early_stopping` (accuracy only over tasks whose primary
    metric is acc with the rule score; answer tokens and inference FLOPs over every task).

    Rows: run, percentile, category, acc, answer_tokens, inference_flops_paper,
    inference_flops_arch, mode, params, [setting]."""
    numbers = ["acc", "answer_tokens", "inference_flops_paper", "inference_flops_arch"]
    if es.empty:
        return pd.DataFrame(columns=["run", "percentile", "category", *numbers, "mode", "params"])
    return category_rows(es, numbers, score=score, grouping=grouping, keys=["run", "percentile"])


def ratio_sweep(df: pd.DataFrame, *, score: str = "rule") -> pd.DataFrame:
    """Paper Fig. 3/4: per base model, order (sequential / mixed), reasoning ratio and category,
    the accuracy gap to the same base model's IFT run (ratio 0) in points and the mean answer
    length. Runs without a training record are left out."""
    c = per_run_category(df, score=score)
    c = c[np.isfinite(c["reasoning_ratio"].astype(float))]
    rows = []
    sk = _setting_keys(c)
    for key, g in c.groupby(["base_model", "category", *sk]):
        base, cat = key[0], key[1]
        ift = g[g["reasoning_ratio"] == 0]
        if ift.empty:
            continue
        base_acc = ift["acc"].mean()
        for _, r in g.iterrows():
            orders = ["sequential", "mixed"] if r["reasoning_ratio"] in (0, 1) else [r["order"] or "sequential"]
            for order in orders:
                rows.append({"base_model": base, "category": cat, **{k: r[k] for k in sk}, "order": order, "params": r["params"],
                             "reasoning_ratio": r["reasoning_ratio"], "acc_gap": 100 * (r["acc"] - base_acc),
                             "answer_tokens": r["answer_tokens"]})
    out = pd.DataFrame(rows, columns=["base_model", "category", *sk, "order", "params", "reasoning_ratio", "acc_gap",
                                      "answer_tokens"])
    return out.groupby(["base_model", "category", *sk, "order", "reasoning_ratio"], as_index=False).mean(numeric_only=True) \
        if not out.empty else out
