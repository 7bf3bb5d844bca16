"""Paired comparisons of two runs on the documents both answered: the difference, its
interval and a test, per task, category and overall.

Two students evaluated on the same documents are not independent samples: a hard document is
hard for both. So the difference is taken per document first (repeats are already averaged
within a document in the tidy table), on the documents both runs answered, and everything is
resampled as pairs:

- Interval: 95 % percentile bootstrap, stratified by task (each task keeps its number of
  documents, or of contexts, in every replicate) and clustered where documents share a
  context (`SHARED_CONTEXT`: CoQA's turns of one story, SQuAD's questions on one
  paragraph, consumer_qa's questions on one contract are drawn together, as one unit; the
  tidy table's `context` column carries a hash of that doc field, `context_id`).
  The category and overall differences are `core.aggregate`'s rule applied to the task
  differences inside every replicate (`level_weights`, which reads the rule's weights from
  `core.aggregate.task_weights`).
- Test: paired sign-flip (permutation) test of "no difference": under the null the two runs'
  scores of a document (a context) are exchangeable, so each cluster's summed difference
  flips sign with probability 1/2. Exact (all 2^k sign vectors) when a level has at most
  `EXACT_MAX_CLUSTERS` non-zero clusters, Monte Carlo otherwise ((1 + hits) / (1 + draws),
  which never rejects more often than the level). Two-sided.
- Holm: across the categories and the overall of one pair and score (`holm`); task rows are
  uncorrected (they are read one at a time).
- Documents: the tidy table has one row per (run, task, doc_id), its score already the mean
  over the document's repeats (`runs._task_frame`); a document logged twice is averaged
  again here, so the unit is always the document.

Pure functions of arrays and frames; no I/O. Vectorised: one task of one pair is one draw
of a (replicates x clusters) count matrix and one matrix product for every value compared.
"""

from __future__ import annotations

import hashlib
import logging
import math
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sst

from reasoning_suite.analysis import stats as S
from reasoning_suite.core.aggregate import OTHER, OVERALL, Grouping, task_weights
from reasoning_suite.harness_tasks.registry import suite_grouping

log = logging.getLogger("reasoning_suite.analysis")

N_RESAMPLES = 1000  # bootstrap replicates and sign-flip draws
LEVEL = 0.95
ALPHA = 0.05
EXACT_MAX_CLUSTERS = 16  # at most 65,536 sign vectors: enumerate them all
COMPARISON_COLUMNS = ["run", "against", "score", "level", "name", "n_docs", "delta", "ci_low", "ci_high",
                      "p_value", "significant"]
LEVELS = ("task", "category", "overall")

# Why a pair is compared (the `why` of `Pair`), in the order rows are written.
BASELINE, REASONING_VS_IFT, STUDENT_VS_BASE, COMPUTE_EQUIVALENT = (
    "against --baseline", "reasoning vs IFT (same base, same size)", "student vs its base",
    "reasoning vs a larger IFT student of similar inference FLOPs")


# ----------------------------------------------------------------------------- contexts


# The doc field several logged rows of a task share: rows with the same value are not
# independent (a hard story is hard for all its questions), so they are resampled together.
# Read from the docs lm-eval logs (`doc`); the fields are the ones the tasks' prompts quote
# (harness_tasks.prompts.question_coqa / question_squad / question_consumer_qa).
SHARED_CONTEXT: dict[str, str] = {"rs_coqa": "story", "rs_squad": "context", "rs_consumer_qa": "contract"}
NO_CONTEXT = -1  # the `context` of a document that stands alone


def shared_context_field(task: str) -> str:
    """The doc field a task's documents share ("" when each document stands alone)."""
    return SHARED_CONTEXT.get(task, "")


def context_id(task: str, doc: Mapping | None) -> int:
    """The tidy table's `context` of a logged row: a 63-bit hash of its shared context (e.g. a
    CoQA story) when the task has one and the logged doc carries it, else NO_CONTEXT. The
    hash depends on the text alone, so two runs of the same documents agree on it."""
    name = shared_context_field(task)
    text = doc.get(name) if (name and isinstance(doc, Mapping)) else None
    if not isinstance(text, str):
        return NO_CONTEXT
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


# ----------------------------------------------------------------------------- the core


@dataclass(frozen=True)
class Clusters:
    """Which documents of one task are drawn together: `index[i]` is document i's cluster
    (0..k-1), `sizes[j]` the number of documents in cluster j."""

    index: np.ndarray
    sizes: np.ndarray

    @property
    def k(self) -> int:
        return len(self.sizes)

    @classmethod
    def of(cls, ids: Sequence | np.ndarray | None, n: int | None = None) -> "Clusters":
        """Clusters from per-document context ids (None: every document its own cluster)."""
        if ids is None:
            return cls(np.arange(n or 0), np.ones(n or 0, dtype=np.int64))
        _, index, sizes = np.unique(np.asarray(ids), return_inverse=True, return_counts=True)
        return cls(index.astype(np.int64), sizes.astype(np.int64))

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of `values` (V, n) -> (V, k)."""
        v = np.atleast_2d(np.asarray(values, dtype=np.float64))
        if self.k == v.shape[1] and np.array_equal(self.index, np.arange(self.k)):
            return v
        out = np.zeros((v.shape[0], self.k))
        for row, x in zip(out, v):
            row += np.bincount(self.index, weights=x, minlength=self.k)
        return out


@dataclass(frozen=True)
class TaskResamples:
    """One task of one pair: the point values, `n_boot` bootstrap replicates of each value's
    task mean, and sign-flip draws of the difference's task mean under the null.

    `point[v]` / `boot[v, b]`: the mean of value row v over the task's documents (row 0 is the
    per-document difference); `flips[b]`: the difference's mean with each cluster's sign
    flipped at random; `diff_sums[j]` the difference summed over cluster j; `doc_var` the
    per-document variance of the difference with the clusters' correlation included
    (n x the variance of the mean), which `docs_to_detect` scales."""

    n: int
    k: int
    point: np.ndarray
    boot: np.ndarray
    flips: np.ndarray
    diff_sums: np.ndarray
    doc_var: float


def resample_task(values: np.ndarray, clusters: Clusters, *, n_boot: int = N_RESAMPLES,
                  rng: np.random.Generator) -> TaskResamples:
    """Bootstrap and sign-flip one task (`values` (V, n): row 0 the per-document difference,
    further rows other per-document numbers resampled with the same draws, e.g. both runs'
    answer tokens).

    A replicate draws k clusters with replacement (k = the task's number of clusters) and
    takes each value's mean over the documents drawn (sum over drawn clusters / documents
    drawn): the counts matrix C (replicates x clusters) times the cluster sums is every
    value's replicate at once."""
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n, k = v.shape[1], clusters.k
    sums = clusters.sums(v)  # (V, k)
    sizes = clusters.sizes.astype(np.float64)
    point = v.mean(axis=1)
    counts = np.bincount((rng.integers(0, k, size=(n_boot, k)) + (np.arange(n_boot) * k)[:, None]).ravel(),
                         minlength=n_boot * k).reshape(n_boot, k).astype(np.float64)
    boot = (counts @ sums.T).T / (counts @ sizes)  # (V, B)
    d = sums[0]
    signs = rng.integers(0, 2, size=(n_boot, k), dtype=np.int8).astype(np.float64)
    flips = (2.0 * (signs @ d) - d.sum()) / n
    dbar = d.sum() / n
    resid = d - sizes * dbar
    doc_var = float(k / (k - 1) * (resid @ resid) / n) if k > 1 else math.nan
    return TaskResamples(n=n, k=k, point=point, boot=boot, flips=flips, diff_sums=d, doc_var=doc_var)


def level_weights(tasks: Sequence[str], grouping: Grouping, averaged: Iterable[str] | None = None
                  ) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The rows of a comparison and their weights on the task values: every task alone, then
    each category and the overall with `core.aggregate`'s weights (`task_weights`, the rule
    `aggregate` applies) over the tasks in `averaged` (default: all). Returns ([(level,
    name)], W) with W (levels x tasks): a level's value is W @ task values, in every
    bootstrap replicate and sign flip alike."""
    tasks = list(tasks)
    averaged = tasks if averaged is None else [t for t in tasks if t in set(averaged)]
    col = {t: i for i, t in enumerate(tasks)}
    rows: list[tuple[str, str]] = [("task", t) for t in tasks]
    mats: list[np.ndarray] = list(np.eye(len(tasks)))
    weights = task_weights(averaged, grouping)
    cats = [c for c in [*grouping.categories, OTHER] if c in weights]
    for level, name in [*(("category", c) for c in cats), *((("overall", OVERALL),) if OVERALL in weights else ())]:
        w = np.zeros(len(tasks))
        for t, x in weights[name].items():
            w[col[t]] = x
        rows.append((level, name))
        mats.append(w)
    return rows, np.array(mats).reshape(len(rows), len(tasks))


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted as a test).

    scipy.stats.false_discovery_control is Benjamini-Hochberg/Yekutieli (false discovery
    rate), not Holm's family-wise control, hence these few lines."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if not m:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(1.0, adj)
    return out


def signflip_p(contributions: np.ndarray, null: np.ndarray | None) -> tuple[float, bool]:
    """Two-sided p of the observed statistic sum(contributions) against sign flips of each
    contribution (one per cluster, already weighted): exact when at most EXACT_MAX_CLUSTERS
    are non-zero, else from the Monte Carlo `null` draws. Returns (p, exact)."""
    c = np.asarray(contributions, dtype=np.float64)
    c = c[c != 0]
    obs = abs(c.sum())
    tol = 1e-9 * (np.abs(c).sum() + 1e-300)
    if len(c) == 0:
        return 1.0, True
    if len(c) <= EXACT_MAX_CLUSTERS or null is None:
        if len(c) > 20:
            raise ValueError("signflip_p: too many clusters to enumerate; pass Monte Carlo draws")
        bits = (np.arange(2 ** len(c))[:, None] >> np.arange(len(c))) & 1
        stat = np.abs((1 - 2 * bits) @ c)
        return float(np.mean(stat >= obs - tol)), True
    return float((1 + np.sum(np.abs(null) >= obs - tol)) / (1 + len(null))), False


def docs_to_detect(weights: np.ndarray, doc_var: np.ndarray, *, effect: float = 0.05, power: float = 0.8,
                   alpha: float = ALPHA) -> float:
    """Documents per task that would detect a difference of `effect` (a fraction: 0.05 = 5
    points) with probability `power` in a two-sided test at `alpha`, for a level whose
    difference is sum(w_t * task difference_t) and whose tasks each had that many documents:
    n = (z_{1-alpha/2} + z_power)^2 * sum(w_t^2 var_t) / effect^2, var_t the observed
    per-document variance of the paired difference (clusters included)."""
    w = np.asarray(weights, dtype=np.float64)
    var = np.asarray(doc_var, dtype=np.float64)
    used = w != 0
    if not used.any() or not np.isfinite(var[used]).all():
        return math.nan
    z = sst.norm.ppf(1 - alpha / 2) + sst.norm.ppf(power)
    total = float(np.sum(w[used] ** 2 * var[used]))
    return math.nan if total <= 0 else float(math.ceil(z * z * total / effect ** 2))


@dataclass
class LevelResult:
    """The rows of one pair and score, before formatting: see `compare_arrays`."""

    rows: list[tuple[str, str]]
    n_docs: np.ndarray
    n_clusters: np.ndarray
    point: np.ndarray  # (levels, V): every value row's level mean
    boot: np.ndarray  # (levels, V, B)
    ci: np.ndarray  # (levels, 2) of the difference (fraction, not points)
    p: np.ndarray
    exact: np.ndarray
    docs_for_effect: np.ndarray


def compare_arrays(per_task: Mapping[str, tuple[np.ndarray, np.ndarray | None]], grouping: Grouping, *,
                   averaged: Iterable[str] | None = None, n_boot: int = N_RESAMPLES, level: float = LEVEL,
                   seed: int | Sequence[int] = 0, effect: float = 0.05, power: float = 0.8) -> LevelResult:
    """The paired comparison of one pair on one score, from arrays.

    `per_task[task] = (values, context_ids)`: values (V, n) with row 0 the per-document
    difference (run − against) on the task's shared documents, context ids (n,) or None.
    Task, category and overall rows (`level_weights`); intervals are undefined (NaN) on a
    level with a task of fewer than `stats.MIN_BOOTSTRAP_N` clusters, as `stats.bootstrap_macro`."""
    tasks = list(per_task)
    rows, W = level_weights(tasks, grouping, averaged)
    res: list[TaskResamples] = []
    for t in tasks:
        values, ids = per_task[t]
        values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        cl = Clusters.of(ids, values.shape[1])
        rng = np.random.default_rng([*np.atleast_1d(seed).tolist(), zlib.crc32(t.encode())])
        res.append(resample_task(values, cl, n_boot=n_boot, rng=rng))
    n = np.array([r.n for r in res], dtype=np.float64)
    k = np.array([r.k for r in res], dtype=np.float64)
    point = np.stack([r.point for r in res])  # (T, V)
    boot = np.stack([r.boot for r in res])  # (T, V, B)
    flips = np.stack([r.flips for r in res])  # (T, B)
    lp = W @ point
    lb = np.einsum("lt,tvb->lvb", W, boot)
    lf = W @ flips
    small = (k < S.MIN_BOOTSTRAP_N).astype(np.float64)
    q = [(1 - level) / 2, 1 - (1 - level) / 2]
    ci = np.quantile(lb[:, 0, :], q, axis=1).T
    ci[(W != 0) @ small > 0] = np.nan
    p = np.empty(len(rows))
    exact = np.empty(len(rows), dtype=bool)
    dvar = np.array([r.doc_var for r in res])
    dfe = np.empty(len(rows))
    for i, w in enumerate(W):
        contrib = np.concatenate([w[t] * res[t].diff_sums / res[t].n for t in np.flatnonzero(w)])
        p[i], exact[i] = signflip_p(contrib, lf[i])
        dfe[i] = docs_to_detect(w, dvar, effect=effect, power=power)
    used = W != 0
    return LevelResult(rows=rows, n_docs=(used @ n).astype(np.int64), n_clusters=(used @ k).astype(np.int64),
                       point=lp, boot=lb, ci=ci, p=p, exact=exact, docs_for_effect=dfe)


# ----------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    """`run` compared against `against`; `why`: its reasons (the constants above), "; "-joined."""

    run: str
    against: str
    why: str

    def has(self, reason: str) -> bool:
        return reason in self.why.split("; ")


def _same_model(a: str, b: str) -> bool:
    from pathlib import PurePath

    a, b = str(a), str(b)
    return bool(a) and bool(b) and (a == b or PurePath(a).name == PurePath(b).name)


def _same_size(a: float, b: float) -> bool:
    return (not np.isfinite(a) and not np.isfinite(b)) or (np.isfinite(a) and np.isfinite(b) and a == b)


def choose_pairs(runs: pd.DataFrame, *, baseline: str | None = None,
                 flops_per_answer: Mapping[str, float] | None = None) -> list[Pair]:
    """Which runs are compared, and why (`Pair.why`):

    - every run against `baseline` when one is given;
    - each reasoning student (mode "reasoning") against each IFT student of the same base
      model and size (the paper's comparison);
    - each student (a run with a training record) against each run of its base model (mode
      "base", model path or name equal to the record's `base_model`);
    - where IFT students of several sizes ran, each reasoning student against the larger IFT
      student whose inference FLOPs per answer (`flops_per_answer`, overall) are closest to
      its own on a log scale ("Scale or Reason?").

    `runs`: one row per run with run, model, base_model, mode, params (`runs.runs_frame`).
    A pair chosen for several reasons is kept once, with all of them (`Pair.why`); the two
    directions of a pair are two pairs (the delta of one is minus the other's)."""
    r = runs.assign(run=runs["run"].astype(str), mode=runs["mode"].astype(str),
                    params=runs["params"].astype(float))
    labels = list(r["run"])
    out: dict[tuple[str, str], list[str]] = {}

    def add(a: str, b: str, why: str) -> None:
        if a != b and why not in out.setdefault((a, b), []):
            out[(a, b)].append(why)

    if baseline is not None:
        for lab in labels:
            add(lab, baseline, BASELINE)
    rea, ift = r[r["mode"] == "reasoning"], r[r["mode"] == "IFT"]
    for _, x in rea.iterrows():
        for _, y in ift.iterrows():
            if _same_model(x["base_model"], y["base_model"]) and _same_size(x["params"], y["params"]):
                add(x["run"], y["run"], REASONING_VS_IFT)
    students = r[~r["mode"].isin(["base", "teacher"])]
    bases = r[r["mode"] == "base"]
    for _, x in students.iterrows():
        for _, y in bases.iterrows():
            if _same_model(x["base_model"], y["model"]) or _same_model(x["base_model"], y["run"]):
                add(x["run"], y["run"], STUDENT_VS_BASE)
    fl = {str(k): float(v) for k, v in (flops_per_answer or {}).items()}
    if ift["params"].nunique() > 1 or (len(set(rea["params"]) | set(ift["params"])) > 1):
        for _, x in rea.iterrows():
            fx = fl.get(x["run"], math.nan)
            bigger = [(abs(math.log(fl[y] / fx)), y) for y, p in zip(ift["run"], ift["params"])
                      if np.isfinite(p) and np.isfinite(x["params"]) and p > x["params"]
                      and np.isfinite(fl.get(y, math.nan)) and fl[y] > 0 and np.isfinite(fx) and fx > 0]
            if bigger:
                add(x["run"], min(bigger)[1], COMPUTE_EQUIVALENT)
    return [Pair(a, b, "; ".join(why)) for (a, b), why in out.items()]


# ----------------------------------------------------------------------------- tables


@dataclass
class Comparisons:
    """Every pair's rows: `frame` has COMPARISON_COLUMNS plus why, n_clusters, p_exact,
    docs_for_5pt and, for pairs with cost rows, token_factor (+ interval) and flops_ratio.
    `left_out[(run, against, task)]` counts documents present in only one of the two runs;
    `clustered[task]` = (documents, contexts, doc field) of tasks resampled by context."""

    frame: pd.DataFrame
    pairs: list[Pair]
    left_out: dict[tuple[str, str, str], int] = field(default_factory=dict)
    clustered: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The contract: `analysis/tables/comparisons.csv`."""
        return self.frame[COMPARISON_COLUMNS]


def _per_doc(table: pd.DataFrame, col: str, extra: Sequence[str]) -> dict[tuple[str, str], pd.DataFrame]:
    """Per (run, task): one row per document (doc_id ascending) with its score in `col` (the
    mean over any rows of the same document), `extra` numbers and its `context`; documents
    without a finite score are dropped (e.g. not judged)."""
    cols = ["run", "task", "doc_id", col, *extra] + (["context"] if "context" in table else [])
    t = table[cols]
    t = t[np.isfinite(t[col].to_numpy(dtype=np.float64))]
    if t.duplicated(["run", "task", "doc_id"]).any():
        agg = {c: "mean" for c in (col, *extra)} | ({"context": "first"} if "context" in t else {})
        t = t.groupby(["run", "task", "doc_id"], observed=True, sort=False, as_index=False).agg(agg)
    return {(str(run), str(task)): g.sort_values("doc_id")
            for (run, task), g in t.groupby(["run", "task"], observed=True, sort=False)}


def _contexts(ctx: np.ndarray | None) -> np.ndarray | None:
    """Cluster ids of one task's shared documents from their `context` (None: no clusters).
    A document with NO_CONTEXT in a clustered task is its own cluster."""
    if ctx is None:
        return None
    ctx = np.asarray(ctx, dtype=np.int64)
    alone = ctx == NO_CONTEXT
    if alone.all():
        return None
    out = ctx.copy()
    out[alone] = -2 - np.arange(int(alone.sum()))  # hashes are >= 0: no clash
    return out


def compare(table: pd.DataFrame, pairs: Sequence[Pair], *, scores: Sequence[str] = ("rule", "judge"),
            flops: str = "arch", n_boot: int = N_RESAMPLES, seed: int = 0, cost_pairs: Iterable[str] = (
                REASONING_VS_IFT, COMPUTE_EQUIVALENT)) -> Comparisons:
    """The paired comparisons of `pairs` on the tidy table, for each score that both runs of
    a pair have (judge: the documents judged in both runs).

    Per task: the documents both runs answered (by doc_id; the others are left out, counted
    in `left_out` and warned about), their difference run − against of the per-document
    score, resampled by context (`context` column). For pairs whose reason is in
    `cost_pairs` the same draws resample both runs' answer tokens and inference FLOPs per
    answer, giving the extra-token factor (run / against) with its interval and the FLOPs
    ratio; cost levels follow the same aggregation rule over every shared task."""
    groups_of = suite_grouping()
    fcol = f"inference_flops_{flops}"
    rows: list[dict] = []
    left_out: dict[tuple[str, str, str], int] = {}
    clustered: dict[str, tuple[int, int, str]] = {}
    cost_pairs = set(cost_pairs)
    docs = {(str(r), str(t)): g["doc_id"].to_numpy() for (r, t), g in
            table[["run", "task", "doc_id"]].groupby(["run", "task"], observed=True, sort=False)}
    for pair in pairs:  # documents in only one run: counted once per pair, whatever the score
        for (run, t), ids in docs.items():
            if run == pair.run and (pair.against, t) in docs:
                only = len(np.setxor1d(ids, docs[(pair.against, t)]))
                if only:
                    left_out[(pair.run, pair.against, t)] = only
    for score in scores:
        col = S.score_col(score)
        if not np.isfinite(table[col].to_numpy(dtype=np.float64)).any():
            continue
        usable = S.in_means(table, score)
        averaged = set(table.loc[usable, "task"].astype(str))
        parts = _per_doc(table, col, ("answer_tokens", fcol))
        for pair in pairs:
            tasks = [t for (run, t) in parts if run == pair.run and (pair.against, t) in parts]
            per_task: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
            with_cost = any(pair.has(c) for c in cost_pairs) and score == "rule"
            for t in tasks:
                a, b = parts[(pair.run, t)], parts[(pair.against, t)]
                ids, ia, ib = np.intersect1d(a["doc_id"].to_numpy(), b["doc_id"].to_numpy(), assume_unique=True,
                                             return_indices=True)
                if not len(ids):
                    continue
                vals = [a[col].to_numpy(dtype=np.float64)[ia] - b[col].to_numpy(dtype=np.float64)[ib]]
                if with_cost:
                    for c in ("answer_tokens", fcol):
                        vals += [a[c].to_numpy(dtype=np.float64)[ia], b[c].to_numpy(dtype=np.float64)[ib]]
                ctx = _contexts(a["context"].to_numpy()[ia] if "context" in a else None)
                if ctx is not None:
                    clustered[t] = (len(ids), len(np.unique(ctx)), shared_context_field(t))
                per_task[t] = (np.vstack(vals), ctx)
            if not per_task:
                if score == "rule":
                    log.warning("%s vs %s: no document both runs answered; not compared", pair.run, pair.against)
                continue
            seed_key = [seed, zlib.crc32(pair.run.encode()), zlib.crc32(pair.against.encode()),
                        zlib.crc32(score.encode())]
            res = compare_arrays(per_task, groups_of, averaged=averaged, n_boot=n_boot, seed=seed_key)
            cost = _cost_rows(res, list(per_task), groups_of) if with_cost else {}
            padj = res.p.copy()
            family = np.array([lv != "task" for lv, _ in res.rows])  # the categories and the overall
            padj[family] = holm(res.p[family])
            for i, (lv, name) in enumerate(res.rows):
                rows.append({
                    "run": pair.run, "against": pair.against, "score": score, "level": lv, "name": name,
                    "n_docs": int(res.n_docs[i]), "delta": 100 * res.point[i, 0],
                    "ci_low": 100 * res.ci[i, 0], "ci_high": 100 * res.ci[i, 1],
                    "p_value": padj[i], "significant": bool(np.isfinite(padj[i]) and padj[i] <= ALPHA),
                    "why": pair.why, "n_clusters": int(res.n_clusters[i]), "p_raw": res.p[i],
                    "p_exact": bool(res.exact[i]), "docs_for_5pt": res.docs_for_effect[i],
                    **cost.get((lv, name), {}),
                })
    by_pair: dict[tuple[str, str], list[str]] = {}
    for (run, against, t), n in left_out.items():
        by_pair.setdefault((run, against), []).append(f"{t} {n}")
    for (run, against), parts_ in by_pair.items():
        log.warning("%s vs %s: documents in only one of the two runs are left out (%s)", run, against,
                    ", ".join(parts_))
    cols = COMPARISON_COLUMNS + ["why", "n_clusters", "p_raw", "p_exact", "docs_for_5pt", "token_factor",
                                 "token_factor_low", "token_factor_high", "flops_ratio"]
    frame = pd.DataFrame(rows).reindex(columns=cols)
    frame["significant"] = frame["significant"].astype(bool)
    return Comparisons(frame=frame, pairs=list(pairs), left_out=left_out, clustered=clustered)


def _cost_rows(res: LevelResult, tasks: list[str], grouping: Grouping) -> dict[tuple[str, str], dict[str, float]]:
    """Extra-token factor (run / against answer tokens, percentile interval over the same
    draws) and inference-FLOPs ratio per level, cost levels weighted over every shared task
    (tokens are counted whatever the task's metric). `res.point`/`res.boot` value rows 1..4
    are run tokens, against tokens, run FLOPs, against FLOPs; their first len(tasks) level
    rows are the task means, re-weighted here with the rule's weights over every task."""
    rows, Wc = level_weights(tasks, grouping, None)
    T = len(tasks)
    # task-level means (point and replicates) of the cost values, recovered from the task rows
    tp, tb = res.point[:T], res.boot[:T]
    cp, cb = Wc @ tp, np.einsum("lt,tvb->lvb", Wc, tb)
    out = {}
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    for i, key in enumerate(rows):
        with np.errstate(divide="ignore", invalid="ignore"):
            tf = cp[i, 1] / cp[i, 2]
            reps = cb[i, 1] / cb[i, 2]
            fr = cp[i, 3] / cp[i, 4]
        lo, hi = np.quantile(reps, q) if np.isfinite(reps).all() else (math.nan, math.nan)
        out[key] = {"token_factor": float(tf), "token_factor_low": float(lo), "token_factor_high": float(hi),
                    "flops_ratio": float(fr)}
    return out


# ----------------------------------------------------------------------------- the study's comparisons


def cost_per_answer(table: pd.DataFrame, col: str) -> dict[str, float]:
    """Per run: the overall of a per-answer number (answer tokens, inference FLOPs) by
    `core.aggregate`'s rule over its task means (the leaderboard's cost columns' rule)."""
    from reasoning_suite.core.aggregate import aggregate

    groups_of = suite_grouping()
    out: dict[str, float] = {}
    for run, g in table.groupby("run", observed=True, sort=False):
        means = g.groupby("task", observed=True)[col].mean()
        ov = aggregate({str(t): float(v) for t, v in means.items()}, groups_of).overall
        out[str(run)] = math.nan if ov is None else float(ov)
    return out


def study_comparisons(table: pd.DataFrame, *, baseline: str | None = None, flops: str = "arch",
                      n_boot: int = N_RESAMPLES, seed: int = 0) -> Comparisons:
    """The pairs `choose_pairs` picks on the tidy table (runs metadata from its run columns),
    compared on every score the runs have: what `reasoning-suite analyze` writes."""
    from reasoning_suite.errors import UserError

    labels = list(dict.fromkeys(table["run"].astype(str)))
    if baseline is not None and baseline not in labels:
        raise UserError(f"--baseline {baseline!r} is not one of the runs: {', '.join(labels)}")
    runs = table.drop_duplicates("run")[["run", "model", "base_model", "mode", "params"]].reset_index(drop=True)
    pairs = choose_pairs(runs, baseline=baseline, flops_per_answer=cost_per_answer(table, f"inference_flops_{flops}"))
    return compare(table, pairs, flops=flops, n_boot=n_boot, seed=seed)
