"""What a score is: a value and a status, so that "wrong" never hides "could not score".

A scorer that times out, lacks a dependency or hits a bug must not report the answer as
wrong: the run's accuracy would silently drop with no trace of why. Each scored answer gets
one `Status`. lm-eval logs, per sample, the metric `unscored`: the statuses of the sample's k
answers (`sample_statuses`), which `agg_unscored` aggregates into the one number lm-eval's table
shows per task, the share of answers that could not be scored (timeout + error). The breakdown
stays in the logged samples, where `count_statuses` reads it back for the judge report and the
leaderboard. Runs made before `unscored` existed carried five mean-aggregated `status_<name>`
fractions in their results instead; `status_counts` still reads those.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Mapping


class Status(str, enum.Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"  # no final answer was found (unclosed thinking, no box, empty)
    TIMEOUT = "timeout"  # the equivalence check ran out of time
    ERROR = "error"  # the scorer could not run (missing dependency, a bug): never "wrong"

    @property
    def metric(self) -> str:
        """The lm-eval metric that carried this status' fraction in runs made before `unscored`."""
        return f"status_{self.value}"


STATUS_METRICS: tuple[str, ...] = tuple(s.metric for s in Status)
# Statuses whose value is a real verdict on the answer; the others are failures to score.
SCORED: frozenset[Status] = frozenset({Status.CORRECT, Status.INCORRECT, Status.NO_ANSWER})
# The one status metric of lm-eval's table: per sample the k statuses, per task their unscored share.
UNSCORED_METRIC = "unscored"


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


def sample_statuses(scores: Iterable[Score]) -> list[str]:
    """The per-sample value of `unscored`: the status of each of the sample's k answers, in order."""
    return [score.status.value for score in scores]


def agg_unscored(items: Iterable[Iterable[str]]) -> float:
    """lm-eval aggregation of `unscored`: the share of all answers (every sample's k statuses,
    flattened) that could not be scored, i.e. timed out or hit an error. A NO_ANSWER is a verdict
    (wrong), shown by `has_answer`, not here."""
    statuses = [Status(s) for sample in items for s in sample]
    return sum(1 for s in statuses if s not in SCORED) / len(statuses) if statuses else 0.0


def count_statuses(samples: Iterable[Mapping[str, object]]) -> dict[str, int]:
    """Answers per status from logged samples (each sample's `unscored` list); every status is
    present (zero included). Empty for samples without `unscored` (a run made before it): the
    samples of a task come from one run, so the first one decides and the rest is not read."""
    counts = {s.value: 0 for s in Status}
    seen = False
    for row in samples:
        statuses = row.get(UNSCORED_METRIC)
        if not isinstance(statuses, list):
            if not seen:
                return {}
            continue
        seen = True
        for s in statuses:
            counts[Status(s).value] += 1
    return counts if seen else {}


def status_counts(metrics: Mapping[str, object], n: int) -> dict[str, int]:
    """Counts of scored answers per status from the results of a run made before `unscored`
    (`status_<name>[,filter]` fractions, as lm-eval wrote them) and its number of scored answers
    `n`. Statuses the results do not carry (a run made before statuses existed, or a newer run,
    whose breakdown is in its samples: `count_statuses`) are absent, not zero."""
    out: dict[str, int] = {}
    for s in Status:
        for key, value in metrics.items():
            if key == s.metric or key.startswith(s.metric + ","):
                if "_stderr" in key:
                    continue
                out[s.value] = int(round(float(value) * n))
                break
    return out
