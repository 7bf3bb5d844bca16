"""Dataset-specific functions the registry names: `process_docs`, loaders, hand-written examples.

The YAMLs call them by their module-level names (build_yaml writes `!function
reasoning_suite.harness_tasks.data.<name>`); this module stays light (no lm-eval import) so the
registry, which the judges and the analysis import, stays light too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reasoning_suite.errors import UserError

# --------------------------------------------------------------------------- process_docs

def flatten_coqa(dataset):
    """One row per CoQA question, carrying the passage and the dialogue before it."""

    def explode(batch: dict[str, list]) -> dict[str, list]:
        out: dict[str, list] = {k: [] for k in (
            "source", "story", "turn", "question", "answers", "history_questions", "history_answers")}
        for source, story, questions, answers in zip(
            batch["source"], batch["story"], batch["questions"], batch["answers"]
        ):
            texts = list(answers["input_text"])
            for i, q in enumerate(questions):
                out["source"].append(source)
                out["story"].append(story)
                out["turn"].append(i + 1)
                out["question"].append(q)
                out["answers"].append([texts[i]] if i < len(texts) else [])
                out["history_questions"].append(list(questions[:i]))
                out["history_answers"].append(texts[:i])
        return out

    return dataset.map(explode, batched=True, remove_columns=dataset.column_names)


MMLU_MATH_SUBJECTS = (
    "abstract_algebra",
    "college_mathematics",
    "elementary_mathematics",
    "high_school_mathematics",
    "high_school_statistics",
)


def filter_mmlu_math(dataset):
    subjects = set(MMLU_MATH_SUBJECTS)
    return dataset.filter(lambda d: d["subject"] in subjects)


def _mmlu_pro_category(dataset, category: str):
    return dataset.filter(lambda d: str(d["category"]).strip().lower() == category)


def filter_mmlu_pro_math(dataset):
    return _mmlu_pro_category(dataset, "math")


def filter_mmlu_pro_law(dataset):
    return _mmlu_pro_category(dataset, "law")


def filter_mmlu_pro_code(dataset):
    return _mmlu_pro_category(dataset, "computer science")


def filter_mmlu_pro_physics(dataset):
    return _mmlu_pro_category(dataset, "physics")


# Few-shot fallback for IFEval, which has no split with reference responses: three hand-written
# instruction/response pairs, each response satisfying its instructions.
IFEVAL_FEWSHOT: list[dict] = [
    {
        "key": -1,
        "prompt": "Write a two-sentence description of a lighthouse. Do not use any commas in your response.",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
        "response": "A lighthouse is a tall tower with a bright lamp at its top. It warns ships at night "
        "that rocks and shallow water lie near the shore.",
    },
    {
        "key": -2,
        "prompt": "List three uses of copper. Your entire response should be in lowercase letters, no capitals.",
        "instruction_id_list": ["change_case:english_lowercase"],
        "kwargs": [{}],
        "response": "copper carries electricity in wires, it moves heat in cookware, and it is alloyed "
        "with tin to make bronze.",
    },
    {
        "key": -3,
        "prompt": "Explain what a leap year is. Wrap your entire response with double quotation marks.",
        "instruction_id_list": ["startend:quotation"],
        "kwargs": [{}],
        "response": "\"A leap year has 366 days instead of 365. The extra day, February 29, keeps the "
        "calendar in step with the time the Earth takes to orbit the Sun.\"",
    },
]


def ifeval_fewshot_samples() -> list[dict]:
    return [dict(d) for d in IFEVAL_FEWSHOT]


# --------------------------------------------------------------------------- dataset loaders

C_CODE_ENV = "REASONING_SUITE_C_CODE_DATASET"


def load_c_code_summarization(**_: Any):
    """Load the C code summarization benchmark (Liu et al. 2021) from a configurable place.

    `$REASONING_SUITE_C_CODE_DATASET` is either a local directory of `train.jsonl` /
    `test.jsonl` (or .json/.csv/.parquet) files or a Hugging Face dataset id; rows need the
    fields `code` (the C function) and `summary` (the reference summary).
    """
    import datasets

    source = os.environ.get(C_CODE_ENV, "").strip()
    if not source:
        raise UserError(
            f"rs_c_code_summarization: set {C_CODE_ENV} to a directory of train/test JSONL files "
            "or a Hugging Face dataset id with fields `code` and `summary`"
        )
    path = Path(source).expanduser()
    if path.is_dir():
        files: dict[str, str] = {}
        for split in ("train", "validation", "test"):
            for ext, builder in (("jsonl", "json"), ("json", "json"), ("csv", "csv"), ("parquet", "parquet")):
                f = path / f"{split}.{ext}"
                if f.exists():
                    files[split] = str(f)
                    fmt = builder
                    break
        if "test" not in files:
            raise UserError(f"{C_CODE_ENV}={source}: no test.jsonl/json/csv/parquet in that directory")
        ds = datasets.load_dataset(fmt, data_files=files)
    else:
        ds = datasets.load_dataset(source)
    for split, d in ds.items():
        missing = {"code", "summary"} - set(d.column_names)
        if missing:
            raise UserError(f"{C_CODE_ENV}={source}: split {split} lacks field(s) {', '.join(sorted(missing))}")
    return ds
