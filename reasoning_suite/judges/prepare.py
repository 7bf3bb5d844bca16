"""Turn logged samples into judge prompts: one prompt per (task, sample, repeat).

The question and the ground truth come from the task registry (`TASKS[task].question(doc)`,
`.truth(doc)`), so the judge sees what the model was asked, options and passage included, and a
truth readable on its own. A task that is not in the registry (a user's own lm-eval task) falls
back to the logged prompt (`arguments.gen_args_0.arg_0`) and `target`, with a warning.

The answer shown is the scored region of each response, by the rule the run was scored with
(`core.answer` in the mode its logged task config states, `registry.logged_answer_rule`): the
text after the last closed `</think>`, cut before a few-shot example a base model invented;
empty when the response has no answer. The judge never sees a thinking trace or a continuation
the rule scorer did not score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.registry import logged_answer_rule
from reasoning_suite.judges.config import PanelConfig
from reasoning_suite.judges.prompts import PROMPTS, answer_ending, fill_prompt
from reasoning_suite.core.logged_run import TaskLog, prompt_of, responses


@dataclass(frozen=True)
class TaskView:
    """How one task's samples are shown to the judges."""

    name: str
    prompt_kind: str
    category: str | None
    question: Callable[[dict], str]
    truth: Callable[[dict], str]
    registered: bool
    task_config: dict[str, Any] | None = None  # lm-eval's logged config of the task (its answer mode)


@dataclass(frozen=True)
class ItemKey:
    task: str
    index: int  # position of the sample in its file
    repeat: int


def task_view(task: str, panel: PanelConfig, task_config: dict[str, Any] | None = None) -> TaskView:
    from reasoning_suite.harness_tasks.registry import TASKS

    info = TASKS.get(task)
    if info is not None:
        kind = panel.task_prompts.get(task, info.judge_prompt)
        return TaskView(task, kind, info.category, info.question, info.truth, True, task_config)
    kind = panel.task_prompts.get(task, "default")
    return TaskView(
        task,
        kind,
        None,
        question=lambda doc: "",  # replaced per sample by the logged prompt
        truth=lambda doc: "",
        registered=False,
        task_config=task_config,
    )


def build_prompts(
    task_samples: TaskLog, view: TaskView, panel: PanelConfig
) -> tuple[dict[ItemKey, str], dict[int, dict[str, str]]]:
    """Prompts per (sample, repeat), and per sample the question and truth used (for reports)."""
    template = panel.prompts.get(view.prompt_kind) or PROMPTS[view.prompt_kind]
    prompts: dict[ItemKey, str] = {}
    shown: dict[int, dict[str, str]] = {}
    rule = logged_answer_rule(view.name, view.task_config, (prompt_of(s) for s in task_samples.samples),
                              where=str(task_samples.samples_path))
    for index, sample in enumerate(task_samples.samples):
        where = f"{task_samples.samples_path} (doc_id {sample.get('doc_id')})"
        doc = sample.get("doc")
        if view.registered:
            if not isinstance(doc, dict):
                raise UserError(f"{where}: sample has no 'doc' object; the judge needs the dataset row (lm-eval --log_samples logs it)")
            try:
                question = view.question(doc)
                truth = view.truth(doc)
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise UserError(f"{where}: cannot build the judge's question/truth for task {view.name} ({type(exc).__name__}: {exc}); does the doc match the task's schema?") from None
        else:
            question = prompt_of(sample)
            target = sample.get("target")
            truth = target if isinstance(target, str) else str(target)
        shown[index] = {"question": question, "truth": truth}
        for repeat, response in enumerate(responses(sample)):
            answer = answer_ending(rule.final_answer(response) or "", panel.answer_tail_chars)
            prompts[ItemKey(task_samples.task, index, repeat)] = fill_prompt(
                template, question=question, answer=answer, truth=truth
            )
    return prompts, shown
