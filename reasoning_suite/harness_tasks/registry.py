"""The suite's tasks as data: one `TaskInfo` per lm-eval task (contract: docs/DATAFLOW.md §1).

The judges read `question(doc)` and `truth(doc)` from here for the rows lm-eval logged, the
`tasks` command prints this table, and the tests check the YAMLs against it, so a task's
dataset, category and gold answer are written down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reasoning_suite.harness_tasks import prompts as P

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

MMLU_MATH_SUBJECTS = (
    "abstract_algebra",
    "college_mathematics",
    "elementary_mathematics",
    "high_school_mathematics",
    "high_school_statistics",
)


@dataclass(frozen=True)
class TaskInfo:
    """One benchmark as the suite runs it.

    `question(doc)` is what the model was asked without the instruction line; `truth(doc)` is
    the gold answer readable on its own. Both take a row as lm-eval logs it (after
    `process_docs`, e.g. a flattened CoQA turn).
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
    truth: Callable[[dict], str]
    # Beyond the DATAFLOW contract: what the YAMLs and the `tasks` table need.
    instruction: str = ""
    kind: str = "mc"  # scorer family: mc, winogrande, math, span, ifeval, summary, scibench, yesno
    fewshot_split: str | None = None  # None: hand-written examples (ifeval); same as split: the doc itself is excluded
    subset: str = ""  # human-readable filter applied to the split (subject/category)
    notes: str = ""
    primary_metric: str = "acc"
    mmlu_pro_category: str | None = None  # MMLU-Pro tasks: the `category` value kept

    @property
    def category_group(self) -> str | None:
        for group, alias in CATEGORY_GROUPS.items():
            if alias == self.category:
                return group
        return None

    def prompt(self, doc: dict) -> str:
        """The zero-shot prompt text (before any chat template)."""
        return f"{self.instruction}\n\n{self.question(doc)}" if self.instruction else self.question(doc)


def _t(**kw) -> TaskInfo:
    return TaskInfo(**kw)


_TASK_LIST: list[TaskInfo] = [
    # ---------------------------------------------------------------- General-MC
    _t(name="rs_winogrande", category="General-MC", group=CORE_GROUP,
       dataset_path="allenai/winogrande", dataset_name="winogrande_xl", split="validation", size=1267,
       judge_prompt="default", question=P.question_winogrande, truth=P.truth_winogrande,
       instruction=P.WINOGRANDE, kind="winogrande", fewshot_split="train"),
    _t(name="rs_openbookqa", category="General-MC", group=CORE_GROUP,
       dataset_path="allenai/openbookqa", dataset_name="main", split="test", size=500,
       judge_prompt="default", question=P.question_openbookqa, truth=P.truth_openbookqa,
       instruction=P.OPENBOOKQA, kind="mc", fewshot_split="train"),
    _t(name="rs_mmlu_misc", category="General-MC", group=CORE_GROUP,
       dataset_path="cais/mmlu", dataset_name="miscellaneous", split="test", size=783,
       judge_prompt="default", question=P.question_mmlu, truth=P.truth_mmlu,
       instruction=P.MMLU_MISC, kind="mc", fewshot_split="dev"),
    # ---------------------------------------------------------------- General-OE
    _t(name="rs_squad", category="General-OE", group=CORE_GROUP,
       dataset_path="rajpurkar/squad", dataset_name=None, split="validation", size=10570,
       judge_prompt="default", question=P.question_squad, truth=P.truth_squad,
       instruction=P.SPAN, kind="span", fewshot_split="train", primary_metric="acc"),
    _t(name="rs_coqa", category="General-OE", group=CORE_GROUP,
       dataset_path="stanfordnlp/coqa", dataset_name=None, split="validation", size=7983,
       judge_prompt="default", question=P.question_coqa, truth=P.truth_coqa,
       instruction=P.SPAN, kind="span", fewshot_split="train",
       subset="one row per question, with the dialogue so far"),
    _t(name="rs_ifeval", category="General-OE", group=CORE_GROUP,
       dataset_path="google/IFEval", dataset_name=None, split="train", size=541,
       judge_prompt="ifeval", question=P.question_ifeval, truth=P.truth_ifeval,
       instruction=P.IFEVAL, kind="ifeval", fewshot_split=None,
       notes="no reference responses: few-shot examples are 3 hand-written instruction/response pairs"),
    # ---------------------------------------------------------------- Math-MC
    _t(name="rs_aqua_rat", category="Math-MC", group=CORE_GROUP,
       dataset_path="deepmind/aqua_rat", dataset_name="raw", split="test", size=254,
       judge_prompt="default", question=P.question_aqua, truth=P.truth_aqua,
       instruction=P.MATH, kind="mc", fewshot_split="train"),
    _t(name="rs_mmlu_math", category="Math-MC", group=CORE_GROUP,
       dataset_path="cais/mmlu", dataset_name="all", split="test", size=1064,
       judge_prompt="default", question=P.question_mmlu, truth=P.truth_mmlu,
       instruction=P.MATH, kind="mc", fewshot_split="dev",
       subset="subject in " + ", ".join(MMLU_MATH_SUBJECTS)),
    _t(name="rs_mmlu_pro_math", category="Math-MC", group=CORE_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1351,
       judge_prompt="default", question=P.question_mmlu_pro, truth=P.truth_mmlu_pro,
       instruction=P.MATH, kind="mc", fewshot_split="validation", subset="category == math",
       mmlu_pro_category="math"),
    # ---------------------------------------------------------------- Math-OE
    _t(name="rs_gsm8k", category="Math-OE", group=CORE_GROUP,
       dataset_path="openai/gsm8k", dataset_name="main", split="test", size=1319,
       judge_prompt="default", question=P.question_gsm8k, truth=P.gsm8k_answer,
       instruction=P.MATH, kind="math", fewshot_split="train"),
    _t(name="rs_math_500", category="Math-OE", group=CORE_GROUP,
       dataset_path="HuggingFaceH4/MATH-500", dataset_name=None, split="test", size=500,
       judge_prompt="default", question=P.question_math500, truth=lambda d: str(d["answer"]),
       instruction=P.MATH, kind="math", fewshot_split="test",
       notes="no train split: few-shot examples are other rows of the test split"),
    _t(name="rs_aime", category="Math-OE", group=CORE_GROUP,
       dataset_path="math-ai/aime25", dataset_name=None, split="test", size=30,
       judge_prompt="default", question=P.question_aime, truth=P.aime_answer,
       instruction=P.MATH, kind="math", fewshot_split="test",
       notes="AIME 2025; no train split: few-shot examples are other rows of the test split"),
    # ---------------------------------------------------------------- extended (appendix F.1)
    _t(name="rs_mmlu_pro_law", category="Law", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1101,
       judge_prompt="default", question=P.question_mmlu_pro, truth=P.truth_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation", subset="category == law",
       mmlu_pro_category="law"),
    _t(name="rs_consumer_qa", category="Law", group=EXTENDED_GROUP,
       dataset_path="nguha/legalbench", dataset_name="consumer_contracts_qa", split="test", size=396,
       judge_prompt="default", question=P.question_consumer_qa, truth=lambda d: str(d["answer"]).strip(),
       instruction=P.CONSUMER_QA, kind="yesno", fewshot_split="train"),
    _t(name="rs_mmlu_pro_code", category="Code", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=410,
       judge_prompt="default", question=P.question_mmlu_pro, truth=P.truth_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation",
       subset="category == computer science", mmlu_pro_category="computer science"),
    _t(name="rs_c_code_summarization", category="Code", group=EXTENDED_GROUP,
       dataset_path="env:REASONING_SUITE_C_CODE_DATASET", dataset_name=None, split="test", size=None,
       judge_prompt="default", question=P.question_code, truth=lambda d: str(d["summary"]).strip(),
       instruction=P.CODE_SUMMARY, kind="summary", fewshot_split="train", primary_metric="rougeL",
       notes="Liu et al. 2021 C code summarization; fields code, summary; path from the environment"),
    _t(name="rs_mmlu_pro_physics", category="Physics", group=EXTENDED_GROUP,
       dataset_path="TIGER-Lab/MMLU-Pro", dataset_name=None, split="test", size=1299,
       judge_prompt="default", question=P.question_mmlu_pro, truth=P.truth_mmlu_pro,
       instruction=P.MC_GENERIC, kind="mc", fewshot_split="validation", subset="category == physics",
       mmlu_pro_category="physics"),
    _t(name="rs_scibench", category="Physics", group=EXTENDED_GROUP,
       dataset_path="xw27/scibench", dataset_name=None, split="train", size=692,
       judge_prompt="default", question=P.question_scibench, truth=P.truth_scibench,
       instruction=P.MATH, kind="scibench", fewshot_split="train",
       notes="the only split is train: few-shot examples are other rows of it"),
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


def get_task(name: str) -> TaskInfo:
    """Look a task up by its lm-eval name, with or without the `rs_` prefix."""
    from reasoning_suite.errors import UserError

    key = name if name.startswith("rs_") else f"rs_{name}"
    if key not in TASKS:
        raise UserError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
    return TASKS[key]
