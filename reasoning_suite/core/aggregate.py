"""How task scores roll up into category, suite and overall scores: the paper's rule, once.

- A category's score is the plain mean of its tasks that ran (each task counts once,
  whatever its size).
- A suite's score (`reasoning_suite`, `reasoning_suite_extended`) is the plain mean of its
  categories that ran, and the overall score is the plain mean of all categories that ran.
- One metric at a time: a task counts towards a metric's category score only if it reports
  that metric (code summarization reports `rougeL`, so it never enters an `acc` mean).

"Ran" means the task has a finite score for the metric. Tasks outside the grouping (a user's
own lm-eval task) make the category "Other", which is reported but enters no suite and not
the overall: the overall is the study's. The judge report, the leaderboard, the
tidy table's summaries, every figure and the lm-eval group YAMLs use this module; the group
YAMLs (harness_tasks/build_yaml.py) are written so that lm-eval's own group means equal it.

The grouping is always the caller's argument: core sits below the task registry and imports
nothing above it; the suite's grouping is `harness_tasks.registry.suite_grouping()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

OVERALL = "overall"
OTHER = "Other"  # the category of tasks the grouping does not know


@dataclass(frozen=True)
class Grouping:
    """Which tasks make each category and which categories make each suite.

    `categories`: category name (e.g. "Math-OE") -> its tasks; `suites`: suite group name ->
    its categories; `category_groups`: lm-eval group name of a category (e.g. "rs_math_oe")
    -> the category name."""

    categories: Mapping[str, tuple[str, ...]]
    suites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    category_groups: Mapping[str, str] = field(default_factory=dict)

    def category_of(self, task: str) -> str | None:
        for cat, tasks in self.categories.items():
            if task in tasks:
                return cat
        return None


@dataclass(frozen=True)
class Aggregate:
    """Scores of one metric: per task that ran, per category, per suite and overall.

    `weights[name]` gives, for a category, a suite or "overall", the weight of each task in
    that score (the weights of one score sum to 1): `score == sum(w * task_score)`. A
    bootstrap or an error bar uses the same weights, so it describes the same number."""

    tasks: dict[str, float]
    categories: dict[str, float]
    suites: dict[str, float]
    overall: float | None
    weights: dict[str, dict[str, float]]
    grouping: Grouping

    def group(self, name: str) -> float | None:
        """The score of an lm-eval group (a category group, a suite) or a category name, in
        the grouping this aggregate was made with."""
        if name in self.suites:
            return self.suites[name]
        return self.categories.get(self.grouping.category_groups.get(name, name))


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def task_weights(tasks: Iterable[str], grouping: Grouping) -> dict[str, dict[str, float]]:
    """For each category, suite and "overall" that has a task among `tasks` (the tasks that
    ran): the weight of each of those tasks in its score. This is the rule; `aggregate`
    applies it."""
    ran = list(dict.fromkeys(tasks))
    out: dict[str, dict[str, float]] = {}
    for cat, members in grouping.categories.items():
        present = [t for t in members if t in ran]
        if present:
            out[cat] = {t: 1.0 / len(present) for t in present}
    known = {t for members in grouping.categories.values() for t in members}
    others = [t for t in ran if t not in known]

    def mean_of(categories: Iterable[str]) -> dict[str, float]:
        cats = [c for c in categories if c in out]
        w: dict[str, float] = {}
        for c in cats:
            for t, x in out[c].items():
                w[t] = w.get(t, 0.0) + x / len(cats)
        return w

    suites = {s: mean_of(cats) for s, cats in grouping.suites.items()}
    cats_ran = list(out)
    for s, w in suites.items():
        if w:
            out[s] = w
    if cats_ran:
        out[OVERALL] = mean_of(cats_ran)
    if others:
        out[OTHER] = {t: 1.0 / len(others) for t in others}
    return out


def aggregate(task_scores: Mapping[str, Any], grouping: Grouping) -> Aggregate:
    """Category, suite and overall scores of one metric from `{task: score}`.

    A task whose score is None or not finite did not run for this metric. Names in
    `grouping.categories` and `grouping.suites` must not be "overall" or "Other"."""
    clash = {OVERALL, OTHER} & (set(grouping.categories) | set(grouping.suites))
    if clash:
        raise ValueError(f"a grouping may not name a category or suite {sorted(clash)}")
    scores = {t: float(v) for t, v in task_scores.items() if _finite(v)}
    weights = task_weights(scores, grouping)

    def score(name: str) -> float:
        return sum(w * scores[t] for t, w in weights[name].items())

    return Aggregate(
        tasks=scores,
        categories={c: score(c) for c in [*grouping.categories, OTHER] if c in weights},
        suites={s: score(s) for s in grouping.suites if s in weights},
        overall=score(OVERALL) if OVERALL in weights else None,
        weights=weights,
        grouping=grouping,
    )


def metric_scores(results: Mapping[str, Mapping[str, Any]], metric: str, filter_name: str = "none") -> dict[str, float]:
    """`{task: value}` of one metric from lm-eval-shaped results (`results[task]["acc,none"]`);
    tasks that do not report the metric are left out."""
    key = f"{metric},{filter_name}"
    return {t: float(r[key]) for t, r in results.items() if isinstance(r, Mapping) and _finite(r.get(key))}


def combined_stderr(weights: Mapping[str, float], stderrs: Mapping[str, Any]) -> float | None:
    """Standard error of `sum(w * score)` over independent task scores: sqrt(sum (w se)^2).

    None when any weighted task has no numeric stderr."""
    total = 0.0
    for t, w in weights.items():
        se = stderrs.get(t)
        if not _finite(se):
            return None
        total += (w * float(se)) ** 2
    return math.sqrt(total)
