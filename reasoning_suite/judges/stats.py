"""Agreement statistics for a judge panel: pure functions over verdict lists.

Conventions (documented in docs/judges.md):
- A judge's accuracy is yes / judged items, abstentions counted as not-yes (what that judge
  alone would have scored); `acc_of_verdicts` leaves its abstentions out.
- Pairwise agreement is over the items both judges gave a verdict on.
- Fleiss' kappa is over the items every judge gave a verdict on (categories yes/no); it is
  None when fewer than two judges or two items, or when all verdicts fall in one category
  (chance agreement is then 1 and kappa is undefined).
- Mean absolute error between judges (the paper's agreement figure) is |acc_a - acc_b| in
  accuracy points (0-100) for each pair, and their mean. A judge that gave no verdict at all
  (every reply an abstention) has no accuracy to compare (`agreement_accuracy` is None): its
  pairs are left out, and with no pair left the error is None ("undefined"), never 0.0.
- Every statistic over zero items is None, shown as "undefined" (`shown`).
"""

from __future__ import annotations

import math
from itertools import combinations
from statistics import median
from typing import Sequence


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def mean_stderr(values: Sequence[float]) -> float | None:
    """Standard error of the mean (sample std, ddof=1, over sqrt(n)), as lm-eval's `mean_stderr`."""
    n = len(values)
    if n < 2:
        return None
    mu = sum(values) / n
    var = sum((v - mu) ** 2 for v in values) / (n - 1)
    return math.sqrt(var / n)


def judge_accuracy(verdicts: Sequence[str | None]) -> dict[str, float | int | None]:
    yes = sum(1 for v in verdicts if v == "yes")
    no = sum(1 for v in verdicts if v == "no")
    n = len(verdicts)
    return {
        "n": n,
        "yes": yes,
        "no": no,
        "abstentions": n - yes - no,
        "acc": yes / n if n else None,
        "acc_of_verdicts": yes / (yes + no) if yes + no else None,
    }


def agreement_accuracy(entry: dict[str, float | int | None]) -> float | None:
    """A judge's accuracy for agreement statistics: `acc` of a `judge_accuracy` entry, or None
    when the judge gave no verdict (all abstentions: nothing it agreed or disagreed on)."""
    return entry["acc"] if (entry["yes"] or 0) + (entry["no"] or 0) > 0 else None


def abstention_rate(entries: Sequence[dict[str, float | int | None]]) -> float | None:
    """Abstentions over all judges' replies (None with no replies)."""
    n = sum(int(e["n"] or 0) for e in entries)
    return sum(int(e["abstentions"] or 0) for e in entries) / n if n else None


def shown(value: float | None, fmt: str = "{:.1f}") -> str:
    """How a statistic is printed: None is "undefined" (no verdicts to compute it from)."""
    return "undefined" if value is None else fmt.format(value)


def pairwise_agreement(a: Sequence[str | None], b: Sequence[str | None]) -> dict[str, float | int | None]:
    both = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    agree = sum(1 for x, y in both if x == y)
    return {"n": len(both), "agreement": agree / len(both) if both else None}


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from an items x categories table of rater counts (same raters per item)."""
    rows = [list(r) for r in table if sum(r) > 0]
    if len(rows) < 2:
        return None
    raters = sum(rows[0])
    if raters < 2 or any(sum(r) != raters for r in rows):
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of ratings for every item")
    n_items = len(rows)
    k = len(rows[0])
    p_items = [(sum(c * c for c in r) - raters) / (raters * (raters - 1)) for r in rows]
    p_bar = sum(p_items) / n_items
    p_cat = [sum(r[j] for r in rows) / (n_items * raters) for j in range(k)]
    p_e = sum(p * p for p in p_cat)
    if math.isclose(p_e, 1.0):
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def panel_kappa(by_judge: dict[str, Sequence[str | None]]) -> dict[str, float | int | None]:
    """Fleiss' kappa of the panel over the items every judge answered."""
    names = list(by_judge)
    if len(names) < 2:
        return {"fleiss_kappa": None, "n": 0}
    n = len(by_judge[names[0]])
    table = []
    for i in range(n):
        verdicts = [by_judge[j][i] for j in names]
        if any(v is None for v in verdicts):
            continue
        table.append([sum(1 for v in verdicts if v == "yes"), sum(1 for v in verdicts if v == "no")])
    return {"fleiss_kappa": fleiss_kappa(table) if table else None, "n": len(table)}


def accuracy_mae(accs: dict[str, float | None]) -> dict[str, object]:
    """|acc_a - acc_b| in points for every pair of judges, and their mean."""
    pairs = {}
    for a, b in combinations(accs, 2):
        if accs[a] is not None and accs[b] is not None:
            pairs[f"{a}|{b}"] = abs(accs[a] - accs[b]) * 100.0
    return {"pairs": pairs, "mean": mean(list(pairs.values()))}


def median_mae_across_tasks(per_task: list[dict[str, object]]) -> dict[str, object]:
    """The paper's summary: per pair, the median over tasks of that pair's error; and the median
    over tasks of the per-task mean error."""
    by_pair: dict[str, list[float]] = {}
    means = []
    for entry in per_task:
        for pair, value in (entry.get("pairs") or {}).items():  # type: ignore[union-attr]
            by_pair.setdefault(pair, []).append(float(value))
        if entry.get("mean") is not None:
            means.append(float(entry["mean"]))  # type: ignore[arg-type]
    return {"pairs": {p: median(v) for p, v in by_pair.items()}, "median": median(means) if means else None}
