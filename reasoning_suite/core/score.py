"""What a score is: a value and a status, so that "wrong" never hides "could not score".

A scorer that times out, lacks a dependency or hits a bug must not report the answer as
wrong: the run's accuracy would silently drop with no trace of why. Each scored answer gets
one `Status`; lm-eval logs, per sample, the fraction of its k repeats in each status as the
metrics `status_<name>` (mean-aggregated, so a task's results carry the fractions) and the
judge report and the leaderboard read them back through `status_counts`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Mapping


class Status(str, enum.Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"  # no final answer was found (unclosed thinking, no box, empty)
    TIMEOUT = "timeout"  # the equivalence check ran out of time
    ERROR = "error"  # the scorer could not run (missing dependency, a bug): never "wrong"

    @property
    def metric(self) -> str:
        """The per-sample lm-eval metric that carries this status' fraction."""
        return f"status_{self.value}"


STATUS_METRICS: tuple[str, ...] = tuple(s.metric for s in Status)
# Statuses whose value is a real verdict on the answer; the others are failures to score.
SCORED: frozenset[Status] = frozenset({Status.CORRECT, Status.INCORRECT, Status.NO_ANSWER})


@dataclass(frozen=True)
class Score:
    """One answer's score. `value` is in [0, 1] (partial credit for F1/ROUGE-style metrics);
    it is 0.0 for every status but CORRECT (and partial-credit INCORRECT). `detail` says why
    for TIMEOUT/ERROR (the exception, the missing package)."""

    value: float
    status: Status
    detail: str = ""

    @classmethod
    def correct(cls, ok: bool, value: float | None = None) -> "Score":
        """A verdict: CORRECT when `ok`, else INCORRECT; `value` defaults to 1.0 / 0.0."""
        return cls(float(ok) if value is None else float(value), Status.CORRECT if ok else Status.INCORRECT)

    @classmethod
    def no_answer(cls) -> "Score":
        return cls(0.0, Status.NO_ANSWER)

    @classmethod
    def timeout(cls, detail: str = "") -> "Score":
        return cls(0.0, Status.TIMEOUT, detail)

    @classmethod
    def error(cls, detail: str) -> "Score":
        return cls(0.0, Status.ERROR, detail)


def status_metrics(scores: list[Score]) -> dict[str, float]:
    """Per-sample metrics: the fraction of the k scored repeats in each status."""
    n = len(scores) or 1
    return {s.metric: sum(1 for x in scores if x.status is s) / n for s in Status}


def status_counts(metrics: Mapping[str, object], n: int) -> dict[str, int]:
    """Counts of scored answers per status from a task's results (`status_<name>[,filter]`
    fractions, as lm-eval writes them) and its number of scored answers `n`. Statuses the
    results do not carry (a run made before statuses existed) are absent, not zero."""
    out: dict[str, int] = {}
    for s in Status:
        for key, value in metrics.items():
            if key == s.metric or key.startswith(s.metric + ","):
                if "_stderr" in key:
                    continue
                out[s.value] = int(round(float(value) * n))
                break
    return out
