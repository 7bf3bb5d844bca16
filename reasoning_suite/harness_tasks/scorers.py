"""The scorer kinds: one declared object per kind owns how a task's answers are scored and reported.

A task names its kind in the registry (`TaskInfo.kind`); everything else follows from the
kind's `ScorerKind`, in the spirit of inspect_ai's `@scorer(metrics=[...])`, so understanding
how a task is scored means reading its registry entry and its kind here:
- `score(info, doc, answer)`: the metrics of one final answer and its `core.score.Score`
  (what `process.process_results_for` calls for each of a doc's k answers);
- `metrics`: every metric a sample of the kind carries, each with its lm-eval aggregation and
  direction; the generated YAMLs' `metric_list` is written from it (`build_yaml`), so lm-eval
  aggregates exactly what the scorer returns and nothing else;
- `primary`: the metric the task's rule score is reported under (`TaskInfo.primary_metric`,
  read by the judge report, the analysis and the `tasks` table; `rougeL` for summaries, so a
  summary's score is never averaged into `acc`).
Every kind ends its metrics with the common ones (`COMMON_METRICS`: `has_answer`, a final
answer was found, read by the analysis and averaged by the groups; and `unscored`, `core.score`:
per sample the k answers' statuses, per task the share that timed out or failed to score). Adding a kind is one entry of
`SCORERS`; tests/test_tasks_registry.py checks the YAMLs and the primary metric follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from reasoning_suite.core.score import UNSCORED_METRIC, Score, agg_unscored
from reasoning_suite.harness_tasks import scoring as S

# A kind's functions receive the task's `registry.TaskInfo` (its gold, its mc_view); the name is
# not imported (not even for type checking): the registry imports this module, and the layer
# contracts (tests/test_import_contracts.py) forbid a cycle between siblings.
TaskInfo = Any


def agg_inst_level_acc(items: list) -> float:
    """IFEval instruction-level accuracy: lm-eval's own aggregation (flatten, then mean)."""
    from lm_eval.tasks.ifeval.utils import agg_inst_level_acc as _agg

    return _agg(items)


@dataclass(frozen=True)
class Metric:
    """One lm-eval metric of a scorer kind. `aggregation` is an lm-eval aggregation name
    ("mean") or a module-level function (written into the YAML as `!function`)."""

    name: str
    aggregation: str | Callable[[list], float] = "mean"
    higher_is_better: bool = True


HAS_ANSWER = Metric("has_answer")
# lm-eval prints every metric of a task as a row of its table, so the scoring statuses are ONE
# metric: per sample the k answers' statuses (the breakdown the reports read back from the logged
# samples, `core.score.count_statuses`), per task the share that could not be scored.
UNSCORED = Metric(UNSCORED_METRIC, agg_unscored, higher_is_better=False)
COMMON_METRICS: tuple[Metric, ...] = (HAS_ANSWER, UNSCORED)

# What a kind's function returns for one answer: its own metrics (the kind's `own`) and the Score.
ScoreFn = Callable[[TaskInfo, dict, "str | None"], "tuple[dict[str, Any], Score]"]


@dataclass(frozen=True)
class ScorerKind:
    """A scorer kind: its scoring function, its metrics and its primary metric.

    `boxed`: the answer scored is the final answer's last `\\boxed{}` (every kind but ifeval,
    whose checkers read the whole final answer); `has_answer` is whether that is present.
    `multiple_choice`: the task reads options off an `mc_view` (the registry checks it)."""

    name: str
    fn: ScoreFn
    own: tuple[Metric, ...]
    primary: str = "acc"
    boxed: bool = True
    multiple_choice: bool = False

    def __post_init__(self) -> None:
        if self.primary not in {m.name for m in self.own}:
            raise ValueError(f"scorer kind {self.name}: primary metric {self.primary!r} is not one of its metrics")

    @property
    def metrics(self) -> tuple[Metric, ...]:
        """Every metric a sample of this kind carries, in the order of the YAML's metric_list."""
        return self.own + COMMON_METRICS

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def score(self, info: TaskInfo, doc: dict, answer: str | None) -> tuple[dict[str, Any], Score]:
        """(the kind's own metrics of one final answer plus `has_answer`, its Score); "" (the
        filter's "no final answer") and blank answers count as no answer."""
        answer = answer if answer and answer.strip() else None
        pred = S.extract_boxed(answer) if self.boxed else answer
        out, score = self.fn(info, doc, pred)
        return {**out, HAS_ANSWER.name: float(pred is not None)}, score


# --------------------------------------------------------------------------- the kinds' functions

def _acc(score: Score) -> tuple[dict[str, Any], Score]:
    return {"acc": float(score.value)}, score


def _mc(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    view = info.mc_view(doc)
    return _acc(S.mc_score(pred, view.gold, list(view.options), letters=view.letters))


def _winogrande(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    view = info.mc_view(doc)
    return _acc(S.winogrande_score(pred, view.gold, view.options[0], view.options[1]))


def _math(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    return _acc(S.math_score(pred, info.gold(doc)))


def _scibench(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    gold = info.gold(doc)
    return _acc(S.number_with_unit_score(pred, gold.number, gold.unit))


def _yesno(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    return _acc(S.yes_no_score(pred, info.gold(doc)))


def _span(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    score, f1 = S.span_score(pred, info.gold(doc))
    return {"acc": float(score.value), "f1": float(f1)}, score


def _summary(info: TaskInfo, doc: dict, pred: str | None) -> tuple[dict[str, Any], Score]:
    score, m = S.summary_score(pred, info.gold(doc))
    return {"rougeL": float(m["rougeL"]), "bleu": float(m["bleu"])}, score


def _ifeval(info: TaskInfo, doc: dict, answer: str | None) -> tuple[dict[str, Any], Score]:
    score, metrics = S.ifeval_score(answer, doc)
    return {"acc": float(bool(metrics["prompt_level_strict_acc"])), **metrics}, score


ACC = Metric("acc")

SCORERS: dict[str, ScorerKind] = {k.name: k for k in (
    ScorerKind("mc", _mc, (ACC,), multiple_choice=True),
    ScorerKind("winogrande", _winogrande, (ACC,), multiple_choice=True),
    ScorerKind("math", _math, (ACC,)),
    ScorerKind("scibench", _scibench, (ACC,)),
    ScorerKind("yesno", _yesno, (ACC,)),
    ScorerKind("span", _span, (ACC, Metric("f1"))),
    ScorerKind("summary", _summary, (Metric("rougeL"), Metric("bleu")), primary="rougeL"),
    ScorerKind("ifeval", _ifeval, (
        ACC,  # prompt-level strict, the task's score
        Metric("prompt_level_strict_acc"), Metric("inst_level_strict_acc", agg_inst_level_acc),
        Metric("prompt_level_loose_acc"), Metric("inst_level_loose_acc", agg_inst_level_acc),
    ), boxed=False),
)}


def scorer(kind: str) -> ScorerKind:
    """The scorer kind named `kind` (a ValueError for a name `SCORERS` does not declare)."""
    try:
        return SCORERS[kind]
    except KeyError:
        raise ValueError(f"unknown scorer kind {kind!r}; known: {', '.join(SCORERS)}") from None
