"""Dataset-specific functions the registry names: `process_docs`, loaders, hand-written examples
(the hub loaders, which read the registry, are in `hub.py`: this module imports no registry).

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

def coqa_references(row: dict, i: int) -> list[str]:
    """Every reference answer of turn ``i`` (0-based) of a CoQA story row, as official CoQA
    scores it: the answer, then the dev set's three `additional_answers`, matched by `turn_id`
    (EleutherAI/coqa schema; an annotator may skip a turn). Empty ones (the train split's
    placeholders) are dropped; duplicates are kept, as the official script keeps them. A
    `stanfordnlp/coqa` row (plain list of questions, no additional answers) gives its one answer."""
    texts = list(row["answers"]["input_text"])
    refs = [texts[i]] if i < len(texts) else []
    turn = i + 1
    questions = row["questions"]
    if isinstance(questions, dict) and questions.get("turn_id"):
        turn = int(list(questions["turn_id"])[i])
    for key in sorted((row.get("additional_answers") or {}), key=str):
        extra = row["additional_answers"][key] or {}
        for text, tid in zip(extra.get("input_text") or [], extra.get("turn_id") or []):
            if int(tid) == turn:
                refs.append(text)
                break
    return [r for r in refs if str(r).strip()]


def flatten_coqa(dataset):
    """One row per CoQA question, carrying the passage, the dialogue before it (first answers)
    and every reference answer (`coqa_references`)."""

    def explode(batch: dict[str, list]) -> dict[str, list]:
        out: dict[str, list] = {k: [] for k in (
            "source", "story", "turn", "question", "answers", "history_questions", "history_answers")}
        for j in range(len(batch["story"])):
            row = {k: batch[k][j] for k in batch}
            questions = row["questions"]
            qs = list(questions["input_text"]) if isinstance(questions, dict) else list(questions)
            texts = list(row["answers"]["input_text"])
            for i, q in enumerate(qs):
                out["source"].append(row["source"])
                out["story"].append(row["story"])
                out["turn"].append(i + 1)
                out["question"].append(q)
                out["answers"].append(coqa_references(row, i))
                out["history_questions"].append(qs[:i])
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


# SciBench's ten textbooks (the `source` field and the file stems of the hub copy) and the
# three that are physics (SciBench paper, Table 1: Fundamentals of Physics, Statistical
# Thermodynamics, Classical Dynamics of Particles and Systems); the others are chemistry
# (atkins, chemmc, matter, quan) and mathematics (calculus, diff, stat).
SCIBENCH_SOURCES = ("atkins", "calculus", "chemmc", "class", "diff", "fund", "matter", "quan", "stat", "thermo")
SCIBENCH_PHYSICS = ("class", "fund", "thermo")
SCIBENCH_COLUMNS = ("problemid", "problem_text", "answer_latex", "answer_number", "unit", "source",
                    "comment", "solution")
SCIBENCH_SOURCES_KEY = "scibench_sources"  # lm-eval --metadata key


def scibench_sources(value: Any = None) -> tuple[str, ...]:
    """The textbooks a SciBench run keeps: "physics" (default), "all", or a list / comma list."""
    if value is None or value == "physics":
        return SCIBENCH_PHYSICS
    if value == "all":
        return SCIBENCH_SOURCES
    names = [str(v).strip() for v in (value.split(",") if isinstance(value, str) else value) if str(v).strip()]
    unknown = sorted(set(names) - set(SCIBENCH_SOURCES))
    if unknown or not names:
        raise UserError(f"rs_scibench: metadata {SCIBENCH_SOURCES_KEY}={value!r} is not physics, all or a list of "
                        f"{', '.join(SCIBENCH_SOURCES)}")
    return tuple(names)


def select_scibench(dataset, **metadata: Any):
    """Keep the rows of the chosen textbooks (`--metadata scibench_sources`) in every split."""
    keep = set(scibench_sources(metadata.get(SCIBENCH_SOURCES_KEY)))
    return type(dataset)({split: d.filter(lambda r: str(r["source"]).strip() in keep) for split, d in dataset.items()})
