"""The suite's tasks as data: one `TaskInfo` per lm-eval task (contract: docs/DATAFLOW.md §1).

The judges read `question(doc)` and `truth(doc)` from here for the rows lm-eval logged, the
`tasks` command prints this table, and the tests check the YAMLs against it, so a task's
dataset, category and gold answer are written down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from reasoning_suite.core.aggregate import Grouping
from reasoning_suite.core.answer import AnswerRule, FewshotCut, AnswerExtraction, check_thinking_mode, extraction_from_task_config
from reasoning_suite.harness_tasks import prompts as P
from reasoning_suite.harness_tasks import data as D
from reasoning_suite.harness_tasks.scorers import ScorerKind, scorer

CORE_GROUP = "reasoning_suite"
EXTENDED_GROUP = "reasoning_suite_extended"

# Category subgroups of the two suites: lm-eval group name -> alias shown in tables. The first
# four make `reasoning_suite`, the last three `reasoning_suite_extended` (paper appendix F.1).
CATEGORY_GROUPS: dict[str, str] = {
    "rs_general_mc": "General-MC",
    "rs_general_oe": "General-OE",
    "rs_math_mc": "Math-MC",
    "rs_math_oe": "Math-OE",
    "rs_law": "Law",
    "rs_code": "Code",
    "rs_physics": "Physics",
}

# The hub loaders' module (above this one: it reads TASKS), named by import path, not imported.
HUB = "reasoning_suite.harness_tasks.hub."

MMLU_MATH_SUBJECTS = D.MMLU_MATH_SUBJECTS
SCIBENCH_SOURCES = D.SCIBENCH_SOURCES
SCIBENCH_PHYSICS = D.SCIBENCH_PHYSICS


@dataclass(frozen=True)
class TaskInfo:
    """One benchmark as the suite runs it: the one place a task's data, gold and layout live.

    Pure functions of a row as lm-eval logs it (after `process_docs`, e.g. a flattened CoQA
    turn):
    - `question(doc)`: what the model was asked, without the instruction line;
    - `gold(doc)`: the gold as the rule scorer checks it: the gold label for multiple choice,
      a list of accepted spans (`span`), a `NumberWithUnit` (`scibench`), the instruction ids
      (`ifeval`), otherwise a string;
    - `mc_view(doc)`: multiple-choice tasks (`mc`, `winogrande`) only: labels, option texts and
      gold label (`prompts.MCView`);
    - `truth(doc)`: the gold readable on its own (judges), e.g. "C) 42";
    - `target(doc)`: lm-eval's `doc_to_target`, what a worked few-shot example shows after
      `Answer:`: by default the (first) gold in a box.
    The YAMLs call these through the generated, named functions of `task_functions.py`.
    """

    name: str
    category: str
    group: str
    dataset_path: str
    dataset_name: str | None
    split: str
    size: int | None
    judge_prompt: str
    question: Callable[[dict], str]
    gold: Callable[[dict], Any] | None = None  # None: read off `mc_view`
    mc_view: Callable[[dict], P.MCView] | None = None
    truth: Callable[[dict], str] | None = None  # None: derived from mc_view / gold
    target: Callable[[dict], str] | None = None  # None: the (first) gold boxed
    # Beyond the DATAFLOW contract: what the YAMLs and the `tasks` table need.
    instruction: str = ""
    kind: str = "mc"  # scorer kind (scorers.SCORERS): its scoring function, metrics and primary metric
    fewshot_split: str | None = None  # None: `fewshot_samples` (ifeval); same as split: the doc itself is excluded
    fewshot_samples: Callable[[], list[dict]] | None = None  # hand-written examples (module-level function)
    process_docs: Callable[[Any], Any] | None = None  # lm-eval `process_docs` (module-level function)
    # lm-eval `custom_dataset`: a module-level function, or the import path of one in a module
    # above the registry (the hub loaders of `hub.py` look their task up here: `HUB + "load_coqa"`).
    custom_dataset: Callable[..., Any] | str | None = None
    samples: str = ""  # stem of the bundled offline sample files (default: the task name)
    # Where loading from the hub is at risk: a pinned revision (e.g. "refs/convert/parquet", a
    # commit) and `datasets.load_dataset` keyword arguments (lm-eval `dataset_kwargs`, e.g.
    # `data_files`), written into the YAML; such a task names a `custom_dataset` loader of
    # hub.py that turns a failed hub load into one line naming the task and `dataset_fix`.
    dataset_revision: str | None = None
    dataset_kwargs: Mapping[str, Any] = field(default_factory=dict, hash=False)
    dataset_fix: str = ""
    # Rows a run keeps after loading, from lm-eval `--metadata` (hub and offline loaders alike):
    # `select_rows(dataset_dict, **metadata) -> dataset_dict` (module-level function).
    select_rows: Callable[..., Any] | None = None
    subset: str = ""  # human-readable filter applied to the split (subject/category)
    notes: str = ""

    def __post_init__(self) -> None:
        mc_view = self.mc_view
        if self.scorer.multiple_choice != (mc_view is not None):
            raise ValueError(f"{self.name}: kind {self.kind!r} and mc_view disagree")
        if self.gold is None:
            if mc_view is None:
                raise ValueError(f"{self.name}: a task needs gold or mc_view")
            object.__setattr__(self, "gold", lambda doc: mc_view(doc).gold)
        gold = self.gold
        if self.truth is None:
            if mc_view is not None:
                object.__setattr__(self, "truth", lambda doc: mc_view(doc).readable())
            else:
                object.__setattr__(self, "truth", lambda doc: _readable(gold(doc)))
        if self.target is None:
            object.__setattr__(self, "target", lambda doc: P.boxed(_first(gold(doc))))
        if not self.samples:
            object.__setattr__(self, "samples", self.name)

    @property
    def scorer(self) -> ScorerKind:
        """The task's scorer kind (scorers.SCORERS): how its answers are scored and reported."""
        return scorer(self.kind)

    @property
    def primary_metric(self) -> str:
        """The metric the task's rule score is reported under: its scorer kind's."""
        return self.scorer.primary

    def load_kwargs(self) -> dict[str, Any]:
        """The lm-eval `dataset_kwargs` of the task: its dataset kwargs plus the revision."""
        out = dict(self.dataset_kwargs)
        if self.dataset_revision:
            out["revision"] = self.dataset_revision
        return out

    def select(self, dataset: Any, **metadata: Any) -> Any:
        """The rows a run keeps (`select_rows` with the run's metadata); all rows by default."""
        return self.select_rows(dataset, **metadata) if self.select_rows is not None else dataset

    @property
    def category_group(self) -> str | None:
        for group, alias in CATEGORY_GROUPS.items():
            if alias == self.category:
                return group
        return None

    def prompt(self, doc: dict) -> str:
        """The zero-shot prompt text (before any chat template)."""
        return f"{self.instruction}\n\n{self.question(doc)}" if self.instruction else self.question(doc)

    def fewshot_cut(self) -> FewshotCut:
        """Where, in a base model's few-shot continuation, an invented next example starts."""
        return FewshotCut(starts=P.next_example_starts(self.instruction), cue=P.ANSWER_CUE)

    def answer_rule(self, *, template_opened_thinking: bool = False, fewshot: bool = False) -> AnswerRule:
        """The scored region's rule for this task under a run's answer extraction (core.answer.final_answer)."""
        return AnswerRule(template_opened_thinking=template_opened_thinking,
                          fewshot=self.fewshot_cut() if fewshot else None)


def _first(gold: Any) -> str:
    return str(gold[0]) if isinstance(gold, (list, tuple)) and gold else str(gold)


def _readable(gold: Any) -> str:
    if isinstance(gold, P.NumberWithUnit):
        return f"{gold.number} {gold.unit}".strip()
    if isinstance(gold, (list, tuple)):
        return P.join_golds([str(g) for g in gold])
    return str(gold)


def _t(**kw) -> TaskInfo:
    return TaskInfo(**kw)


_TASK_LIST: list[TaskInfo] = [
    # ---------------------------------------------------------------- General-MC
    _t(name="rs_winogrande", category="General-MC", group=CORE_GROUP,
       dataset_path="allenai/winogrande", dataset_name="winogrande_xl", split="validation", size=1267,
       judge_prompt="default", question=P.question_winogrande, mc_view=P.mc_view_winogrande,
       truth=P.truth_winogrande, target=P.target_winogrande,
       instruction=P.WINOGRANDE, kind="winogrande", fewshot_split="train"),
    _t(name="rs_openbookqa", category="General-MC", group=CORE_GROUP,
       dataset_path="allenai/openbookqa", dataset_name="main", split="test", size=500,
       judge_prompt="default", question=P.question_openbookqa, mc_view=P.mc_view_openbookqa,
       instruction=P.OPENBOOKQA, kind="mc", fewshot_split="train"),
    _t(name="rs_mmlu_misc", category="General-MC", group=CORE_GROUP,
       dataset_path="cais/mmlu", dataset_name="miscellaneous", split="test", size=783,
       judge_prompt="default", question=P.question_mmlu, mc_view=P.mc_view_mmlu,
       instruction=P.MMLU_MISC, kind="mc", fewshot_split="dev"),
    # ---------------------------------------------------------------- General-OE
    _t(name="rs_squad", category="General-OE", group=CORE_GROUP,
       dataset_path="rajpurkar/squad", dataset_name=None, split="validation", size=10570,
       judge_prompt="default", question=P.question_squad, gold=P.squad_golds,
       instruction=P.SPAN, kind="span", fewshot_split="train"),
    _t(name="rs_coqa", category="General-OE", group=CORE_GROUP,
       dataset_path="EleutherAI/coqa", dataset_name=None, split="validation", size=7983,
       judge_prompt="default", question=P.question_coqa, gold=P.coqa_golds,
       instruction=P.SPAN, kind="span", fewshot_split="train", process_docs=D.flatten_coqa,
       subset="one row per question, with the dialogue so far; every reference answer",
       notes="EleutherAI/coqa (lm-eval's own copy) carries the three additional_answers of the "
             "official dev set: each question is scored against all four references",
       custom_dataset=HUB + "load_coqa",
       dataset_kwargs={"data_files": {"train": "coqa_train.parquet", "validation": "coqa_validation.parquet"}},
       dataset_fix="check the parquet file names in registry.py (dataset_kwargs) against "
                   "huggingface.co/datasets/EleutherAI/coqa, then rerun python -m reasoning_suite.harness_tasks.build_yaml"),
    _t(name="rs_ifeval", category="General-OE", group=CORE_GROUP,
       dataset_path="google/IFEval", dataset_name=None, split="train", size=541,
       judge_prompt="ifeval", question=P.question_ifeval, gold=P.gold_ifeval, truth=P.truth_ifeval,
       target=P.target_ifeval, instruction=P.IFEVAL, kind="ifeval",
       fewshot_split=None, fewshot_samples=D.ifeval_fewshot_samples,
       notes="no reference responses: few-shot examples are 3 hand-written instruction/response pairs"),
    # ---------------------------------------------------------------- Math-MC
    _t(name="rs_aqua_rat", category="Math-MC", group=CORE_GROUP,
       dataset_path="deepmind/aqua_rat", dataset_name="raw", split="test", size=254,
       judge_prompt="default", question=P.question_aqua, mc_view=P.mc_view_aqua,
       instruction=P.MATH, kind="mc", fewshot_split="train"),
    _t(name="rs_mmlu_math", category="Math-MC", group=CORE_GROUP,
       dataset_path="cais/mmlu", dataset_name="all", split="test", size=1064,
       judge_prompt="default", question=P.question_mmlu, mc_view=P.mc_view_mmlu,
       instruction=P.MATH, kind="mc", fewshot_split="dev", process_docs=D.filter_mmlu_math,
       subset="subject in " + ", ".join(D.MMLU_MATH_SUBJECTS)),
    _t(name="rs_mmlu_pro_math", category="Math-MC", group=CORE_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1351,
       judge_prompt="default", question=P.question_mmlu_pro, mc_view=P.mc_view_mmlu_pro,
       instruction=P.MATH, kind="mc", fewshot_split="validation", subset="category == math",
       process_docs=D.filter_mmlu_pro_math, samples="mmlu_pro"),
    # ---------------------------------------------------------------- Math-OE
    _t(name="rs_gsm8k", category="Math-OE", group=CORE_GROUP,
       dataset_path="openai/gsm8k", dataset_name="main", split="test", size=1319,
       judge_prompt="default", question=P.question_gsm8k, gold=P.gsm8k_answer,
       instruction=P.MATH, kind="math", fewshot_split="train"),
    _t(name="rs_math_500", category="Math-OE", group=CORE_GROUP,
       dataset_path="HuggingFaceH4/MATH-500", dataset_name=None, split="test", size=500,
       judge_prompt="default", question=P.question_math500, gold=P.math500_answer,
       instruction=P.MATH, kind="math", fewshot_split="test",
       notes="no train split: few-shot examples are other rows of the test split"),
    _t(name="rs_aime", category="Math-OE", group=CORE_GROUP,
       dataset_path="math-ai/aime25", dataset_name=None, split="test", size=30,
       judge_prompt="default", question=P.question_aime, gold=P.aime_answer,
       instruction=P.MATH, kind="math", fewshot_split="test",
       notes="AIME 2025; no train split: few-shot examples are other rows of the test split"),
    # ---------------------------------------------------------------- extended (appendix F.1)
    _t(name="rs_mmlu_pro_law", category="Law", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1101,
       judge_prompt="default", question=P.question_mmlu_pro, mc_view=P.mc_view_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation", subset="category == law",
       process_docs=D.filter_mmlu_pro_law, samples="mmlu_pro"),
    _t(name="rs_consumer_qa", category="Law", group=EXTENDED_GROUP,
       dataset_path="nguha/legalbench", dataset_name="consumer_contracts_qa", split="test", size=396,
       judge_prompt="default", question=P.question_consumer_qa, gold=P.gold_consumer_qa,
       instruction=P.CONSUMER_QA, kind="yesno", fewshot_split="train",
       notes="nguha/legalbench main is a loading script, which datasets 4+ refuses: read the hub's "
             "parquet conversion instead",
       custom_dataset=HUB + "load_consumer_qa", dataset_revision="refs/convert/parquet",
       dataset_kwargs={"data_files": {"train": "consumer_contracts_qa/train/0000.parquet",
                                      "test": "consumer_contracts_qa/test/0000.parquet"}},
       dataset_fix="the parquet conversion (revision refs/convert/parquet) may have moved: check "
                   "huggingface.co/datasets/nguha/legalbench/tree/refs%2Fconvert%2Fparquet/consumer_contracts_qa and "
                   "dataset_kwargs in registry.py, then rerun python -m reasoning_suite.harness_tasks.build_yaml"),
    _t(name="rs_mmlu_pro_code", category="Code", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=410,
       judge_prompt="default", question=P.question_mmlu_pro, mc_view=P.mc_view_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation",
       subset="category == computer science", process_docs=D.filter_mmlu_pro_code, samples="mmlu_pro"),
    _t(name="rs_c_code_summarization", category="Code", group=EXTENDED_GROUP,
       dataset_path="env:" + D.C_CODE_ENV, dataset_name=None, split="test", size=None,
       judge_prompt="default", question=P.question_code, gold=P.gold_code_summary,
       instruction=P.CODE_SUMMARY, kind="summary", fewshot_split="train",
       custom_dataset=D.load_c_code_summarization,
       notes="Liu et al. 2021 C code summarization; fields code, summary; path from the environment"),
    _t(name="rs_mmlu_pro_physics", category="Physics", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1299,
       judge_prompt="default", question=P.question_mmlu_pro, mc_view=P.mc_view_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation", subset="category == physics",
       process_docs=D.filter_mmlu_pro_physics, samples="mmlu_pro"),
    _t(name="rs_scibench", category="Physics", group=EXTENDED_GROUP,
       dataset_path="xw27/scibench", dataset_name=None, split="test", size=193,
       judge_prompt="default", question=P.question_scibench, gold=P.gold_scibench,
       truth=P.truth_scibench, target=P.target_scibench,
       instruction=P.MATH, kind="scibench", fewshot_split="train",
       subset="the physics textbooks' problems (source " + ", ".join(D.SCIBENCH_PHYSICS) + "); "
              "--metadata '{\"scibench_sources\": \"all\"}' selects all ten textbooks (580)",
       notes="as SciBench scores it: the textbook problems, never the 112 worked-solution problems "
             "(*_sol.json), which are the few-shot examples",
       custom_dataset=HUB + "load_scibench", select_rows=D.select_scibench,
       dataset_kwargs={"data_files": {
           "test": [f"{s}.json" for s in D.SCIBENCH_SOURCES],
           "train": [f"{s}_sol.json" for s in D.SCIBENCH_SOURCES],
       }},
       dataset_fix="the JSON file names may have changed: check huggingface.co/datasets/xw27/scibench against "
                   "dataset_kwargs in registry.py (or read dataset/original/ of github.com/mandyyyyii/scibench), "
                   "then rerun python -m reasoning_suite.harness_tasks.build_yaml"),
]

TASKS: dict[str, TaskInfo] = {t.name: t for t in _TASK_LIST}

CORE_TASKS: list[str] = [t.name for t in _TASK_LIST if t.group == CORE_GROUP]
EXTENDED_TASKS: list[str] = [t.name for t in _TASK_LIST if t.group == EXTENDED_GROUP]
# Each suite is the group of its category groups; each category group the group of its tasks.
GROUPS: dict[str, list[str]] = {
    **{
        suite: [g for g, alias in CATEGORY_GROUPS.items() if any(t.category == alias and t.group == suite for t in _TASK_LIST)]
        for suite in (CORE_GROUP, EXTENDED_GROUP)
    },
    **{g: [t.name for t in _TASK_LIST if t.category == alias] for g, alias in CATEGORY_GROUPS.items()},
}


def suite_grouping() -> Grouping:
    """The suite's grouping for `core.aggregate` (its categories in the registry's order, the
    suites' categories, the category groups' aliases): every caller of `aggregate` passes it."""
    categories: dict[str, tuple[str, ...]] = {}
    for info in _TASK_LIST:
        categories[info.category] = categories.get(info.category, ()) + (info.name,)
    suites = {
        g: tuple(CATEGORY_GROUPS[m] for m in members if m in CATEGORY_GROUPS)
        for g, members in GROUPS.items()
        if g not in CATEGORY_GROUPS
    }
    return Grouping(categories=categories, suites=suites, category_groups=dict(CATEGORY_GROUPS))


def get_task(name: str) -> TaskInfo:
    """Look a task up by its lm-eval name, with or without the `rs_` prefix."""
    from reasoning_suite.errors import UserError

    key = name if name.startswith("rs_") else f"rs_{name}"
    if key not in TASKS:
        raise UserError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
    return TASKS[key]


def answer_rule(task: str | None, extraction: AnswerExtraction = AnswerExtraction()) -> AnswerRule:
    """The answer rule of `task` under a run's answer extraction (a task the suite does not define: no few-shot
    cut). The scorer's filter, the judges and the analysis all build their rule here."""
    info = TASKS.get(task or "")
    if info is None:
        return AnswerRule(template_opened_thinking=extraction.template_opened_thinking)
    return info.answer_rule(template_opened_thinking=extraction.template_opened_thinking, fewshot=extraction.fewshot)


def logged_answer_rule(task: str, task_config: dict | None, prompts: Iterable[str | None] = (), *,
                       where: str = "") -> AnswerRule:
    """The rule a logged run was scored with, for readers of its samples (judges, analysis).

    The extraction is what the run's YAML told its filter (lm-eval logs it in `configs[task]`), so a
    reader always agrees with the run's own scores; a logged prompt that ends in an open `<think>`
    the run was not told about gets a warning (core.answer.check_thinking_mode)."""
    extraction = extraction_from_task_config(task_config)
    check_thinking_mode(extraction, prompts, where=where or task)
    return answer_rule(task, extraction)


def primary_metric(task: str) -> str:
    """The metric a task's rule score is reported under (its scorer kind's primary metric,
    `TaskInfo.primary_metric`; `acc` for a task the suite does not define). Judge report and
    analysis read it from here."""
    info = TASKS.get(task)
    return info.primary_metric if info is not None else "acc"
