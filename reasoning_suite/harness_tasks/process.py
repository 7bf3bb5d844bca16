"""lm-eval glue: the filter and the scoring adapter the task YAMLs use.

The YAMLs name their per-task functions in `task_functions.py` (generated from the registry by
build_yaml: `rs_<task>_text`, `rs_<task>_target`, `rs_<task>_results`, `rs_<task>_offline`),
which call the generic functions here with the task's name; dataset-specific functions
(`process_docs`, loaders, hand-written few-shot examples) are in `data.py`. Scoring itself is in
`scoring/` (pure functions); this module only adapts lm-eval's calling conventions to it:

- the `rs_final_answer` filter keeps *all* k responses of a doc (lm-eval's default `take_first`
  would drop all but one when `repeats > 1`) and reduces each to its final answer by the one
  rule, `core.answer.final_answer`, under the run's answer extraction (its `thinking` and `fewshot` arguments);
- `process_results` scores each of the k answers with the task's scorer kind (`scorers.SCORERS`,
  which also declares the metrics and their aggregation) and returns the mean, so `acc` is a
  number in [0, 1] per doc, and lm-eval's `mean` aggregation gives the task score. Next to the metrics it
  returns `unscored` (`reasoning_suite.core.score`): the k answers' statuses, which lm-eval's
  table shows as the share of answers that timed out or could not be scored.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter, defaultdict
from typing import Any, Iterable

import lm_eval.api.metrics  # noqa: F401  (lm-eval wants its metrics imported before registering)
from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter

from reasoning_suite.core.answer import FINAL_ANSWER_FILTER, THINKING_MODES, AnswerExtraction
from reasoning_suite.core.score import SCORED, UNSCORED_METRIC, Score, sample_statuses
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.registry import TASKS, TaskInfo, answer_rule

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- filter

@register_filter(FINAL_ANSWER_FILTER)
class FinalAnswerFilter(Filter):
    """Reduce every one of a doc's k responses to its final answer (keeping all k).

    YAML arguments: `task` (whose few-shot layout to cut at), `thinking` (auto | prompt-opened:
    the chat template opened `<think>` in the prompt) and `fewshot` (the base-model few-shot
    layout: cut at an invented next example, drop a copied `Answer:` cue)."""

    def __init__(self, task: str | None = None, thinking: str = "auto", fewshot: bool = False, **kwargs) -> None:
        if thinking not in THINKING_MODES:
            raise UserError(f"{task or 'task'}: filter {FINAL_ANSWER_FILTER} argument thinking={thinking!r} "
                            f"is not one of: {', '.join(THINKING_MODES)}")
        self.rule = answer_rule(task, AnswerExtraction(thinking=thinking, fewshot=bool(fewshot), told=True))

    def apply(self, resps: Iterable[list[str]], docs: list[dict]) -> list[list[str]]:
        """"" stands for "no final answer": lm-eval logs filtered responses through str(), which
        would turn None into the string "None"."""
        return [[self.rule.final_answer(r) or "" for r in group] for group in resps]


# --------------------------------------------------------------------------- the YAML functions, generic

def task_prompt(task: str, doc: dict) -> str:
    """lm-eval `doc_to_text` of a task."""
    return TASKS[task].prompt(doc)


def task_target(task: str, doc: dict) -> str:
    """lm-eval `doc_to_target` of a task: what a worked few-shot example shows after `Answer:`."""
    return TASKS[task].target(doc)


# --------------------------------------------------------------------------- scoring

def _answers(results: list) -> list[str | None]:
    """lm-eval passes `[filtered_resps]`; ours is the list of k final answers."""
    first = results[0] if results else []
    if isinstance(first, (list, tuple)):
        return list(first)
    return [first]  # a YAML run with lm-eval's take_first: one answer


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def score_one(info: TaskInfo, doc: dict, answer: str | None) -> dict[str, Any]:
    """Score one final answer (already think-stripped) against a doc; keys as in DATAFLOW §1,
    plus `unscored` (this answer's status, in a list of one)."""
    out, score = info.scorer.score(info, doc, answer)
    out[UNSCORED_METRIC] = sample_statuses([score])
    return out


class _FailureLog:
    """Answers that could not be scored (TIMEOUT, ERROR), counted per task for the run's log.

    The results JSON carries their share as `unscored` (each answer's status is in the logged
    samples); this only makes them
    impossible to miss: a warning for the first few per task, and a summary line per task
    when the process exits (after lm-eval has printed its table)."""

    FIRST = 3

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def note(self, task: str, score: Score) -> None:
        if score.status in SCORED:
            return
        with self._lock:
            self.counts[task][score.status] += 1
            n = self.counts[task][score.status]
        if n <= self.FIRST:
            logger.warning("%s: answer %s #%d in this task (%s); counted in %s, not as wrong",
                           task, score.status.value, n, score.detail or "no detail", UNSCORED_METRIC)

    def summary(self) -> list[str]:
        with self._lock:
            items = sorted((t, dict(c)) for t, c in self.counts.items() if c)
        return [f"{task}: " + ", ".join(f"{n} answer(s) {s.value}" for s, n in sorted(c.items(), key=lambda x: x[0].value))
                + f" (not scored; counted in `{UNSCORED_METRIC}`, each answer's status in the logged samples)"
                for task, c in items]

    def report(self) -> None:
        for line in self.summary():
            logger.warning(line)


FAILURES = _FailureLog()
atexit.register(FAILURES.report)


def process_results_for(task: str, doc: dict, results: list) -> dict[str, Any]:
    """Score the k answers of one doc and average them (lists are concatenated: ifeval
    inst-level) with the task's scorer kind; `unscored` is the list of the k answers' statuses."""
    info = TASKS[task]
    scored = [info.scorer.score(info, doc, a) for a in _answers(results)]
    out: dict[str, Any] = {}
    for key in scored[0][0]:
        values = [m[key] for m, _ in scored]
        if isinstance(values[0], list):
            out[key] = [v for sub in values for v in sub]
        else:
            out[key] = _mean([float(v) for v in values])
    scores = [score for _, score in scored]
    for score in scores:
        FAILURES.note(task, score)
    out[UNSCORED_METRIC] = sample_statuses(scores)
    return out

