"""lm-eval glue: the functions the task YAMLs name with `!function`.

Everything a YAML needs per task (`doc_to_text`, `doc_to_target`, `process_results`,
`process_docs`, dataset loaders) is here, generated per task from the registry so the 18 YAMLs
stay a few lines each. Scoring itself is in `scoring/` (pure functions); this module only
adapts lm-eval's calling conventions to it:

- the `rs_final_answer` filter keeps *all* k responses of a doc (lm-eval's default `take_first`
  would drop all but one when `repeats > 1`) and reduces each to the text after the last
  `</think>` (None when the thinking never closed);
- `process_results` scores each of the k answers and returns the mean, so `acc` is a number in
  [0, 1] per doc, and lm-eval's `mean` aggregation gives the task score. Next to the metrics it
  returns `status_<name>` (`reasoning_suite.core.score`): the fraction of the k answers in each
  status, so a task's results carry how many answers timed out or could not be scored.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable

import lm_eval.api.metrics  # noqa: F401  (lm-eval wants its metrics imported before registering)
from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter

from reasoning_suite.core.score import SCORED, Score, status_metrics
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks import prompts as P
from reasoning_suite.harness_tasks.registry import (
    MMLU_MATH_SUBJECTS,
    SCIBENCH_PHYSICS,
    SCIBENCH_SOURCES,
    TASKS,
    TaskInfo,
)

FINAL_ANSWER_FILTER = "rs_final_answer"
logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- filter

def final_answer(response: str | None, prompt_opened: bool = False, cut_at: str | None = None) -> str | None:
    """The scorable part of one response: after the last `</think>`, before a next few-shot example.

    `cut_at` is the task's instruction line: a base model prompted with few-shot examples (and no
    stop string, as the paper decodes) goes on to write the next example itself, which starts with
    that line; everything from there on is not its answer.
    """
    from reasoning_suite.harness_tasks.scoring import strip_thinking

    if response is None:
        return None
    answer = strip_thinking(response, prompt_opened=prompt_opened)
    if answer is None:
        return None
    if cut_at:
        pos = answer.find(cut_at)
        if pos > 0:
            answer = answer[:pos]
    return answer


@register_filter(FINAL_ANSWER_FILTER)
class FinalAnswerFilter(Filter):
    """Reduce every one of a doc's k responses to its final answer (keeping all k)."""

    def __init__(self, cut_at: str | None = None, **kwargs) -> None:
        self.cut_at = cut_at or None

    def apply(self, resps: Iterable[list[str]], docs: list[dict]) -> list[list[str]]:
        """"" stands for "no final answer": lm-eval logs filtered responses through str(), which
        would turn None into the string "None"; an empty final text is no answer either."""
        from reasoning_suite.harness_tasks.scoring import thinking_mode_from_env

        prompt_opened = thinking_mode_from_env()
        return [[final_answer(r, prompt_opened, self.cut_at) or "" for r in group] for group in resps]


# --------------------------------------------------------------------------- scoring per kind

def _answers(results: list) -> list[str | None]:
    """lm-eval passes `[filtered_resps]`; ours is the list of k final answers."""
    first = results[0] if results else []
    if isinstance(first, (list, tuple)):
        return list(first)
    return [first]  # a YAML run with lm-eval's take_first: one answer


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def _score_answer(info: TaskInfo, doc: dict, answer: str | None) -> tuple[dict[str, Any], Score]:
    """(metrics of one final answer, its Score); the metrics' keys as in DATAFLOW §1."""
    from reasoning_suite.harness_tasks import scoring as S

    kind = info.kind
    answer = answer if answer and answer.strip() else None  # "" from the filter: no final answer
    if kind == "ifeval":
        score, metrics = S.ifeval_score(answer, doc)
        out = dict(metrics)
        out["acc"] = float(bool(out["prompt_level_strict_acc"]))
        out["has_answer"] = float(answer is not None)
        return out, score

    pred = S.extract_boxed(answer)
    has = float(pred is not None)
    if kind == "summary":
        score, m = S.summary_score(pred, str(doc["summary"]))
        return {"rougeL": float(m["rougeL"]), "bleu": float(m["bleu"]), "has_answer": has}, score
    if kind == "span":
        golds = P.squad_golds(doc) if info.name == "rs_squad" else P.coqa_golds(doc)
        score, f1 = S.span_score(pred, golds)
        return {"acc": float(score.value), "f1": float(f1), "has_answer": has}, score
    if kind == "winogrande":
        score = S.winogrande_score(pred, str(doc["answer"]).strip(), doc["option1"], doc["option2"])
    elif kind == "mc":
        letters, options, gold = _mc_view(info, doc)
        score = S.mc_score(pred, gold, options, letters=letters)
    elif kind == "math":
        score = S.math_score(pred, _math_gold(info, doc))
    elif kind == "scibench":
        score = S.number_with_unit_score(pred, doc["answer_number"], P.scibench_unit(doc))
    elif kind == "yesno":
        score = S.yes_no_score(pred, str(doc["answer"]))
    else:  # pragma: no cover - registry and this function are edited together
        raise ValueError(f"unknown scorer kind {kind!r} for {info.name}")
    return {"acc": float(score.value), "has_answer": has}, score


def score_one(info: TaskInfo, doc: dict, answer: str | None) -> dict[str, Any]:
    """Score one final answer (already think-stripped) against a doc; keys as in DATAFLOW §1,
    plus `status_<name>` (1.0 for this answer's status, 0.0 for the others)."""
    out, score = _score_answer(info, doc, answer)
    out.update(status_metrics([score]))
    return out


class _FailureLog:
    """Answers that could not be scored (TIMEOUT, ERROR), counted per task for the run's log.

    The results JSON carries them as `status_timeout` / `status_error`; this only makes them
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
                           task, score.status.value, n, score.detail or "no detail", score.status.metric)

    def summary(self) -> list[str]:
        with self._lock:
            items = sorted((t, dict(c)) for t, c in self.counts.items() if c)
        return [f"{task}: " + ", ".join(f"{n} answer(s) {s.value}" for s, n in sorted(c.items(), key=lambda x: x[0].value))
                + " (not scored; see status_timeout / status_error in the results)" for task, c in items]

    def report(self) -> None:
        for line in self.summary():
            logger.warning(line)


FAILURES = _FailureLog()
atexit.register(FAILURES.report)


def _mc_view(info: TaskInfo, doc: dict) -> tuple[str, list[str], str]:
    """(letters, option texts, gold letter) for the multiple-choice datasets."""
    if info.name == "rs_openbookqa":
        options, letters = P.openbookqa_options(doc)
        return letters, options, doc["answerKey"].strip()
    if info.name == "rs_aqua_rat":
        options = P.aqua_options(doc)
        return P.LETTERS[: len(options)], options, doc["correct"].strip()
    if info.name.startswith("rs_mmlu_pro"):
        options = list(doc["options"])
        return P.LETTERS[: len(options)], options, P.mmlu_pro_letter(doc)
    options = list(doc["choices"])  # cais/mmlu
    return P.LETTERS[: len(options)], options, P.mmlu_letter(doc)


def _math_gold(info: TaskInfo, doc: dict) -> str:
    if info.name == "rs_gsm8k":
        return P.gsm8k_answer(doc)
    if info.name == "rs_aime":
        return P.aime_answer(doc)
    return str(doc["answer"])


def process_results_for(task: str, doc: dict, results: list) -> dict[str, Any]:
    """Score the k answers of one doc and average them (lists are concatenated: ifeval
    inst-level); `status_<name>` is the fraction of the k answers in each status."""
    info = TASKS[task]
    scored = [_score_answer(info, doc, a) for a in _answers(results)]
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
    out.update(status_metrics(scores))
    return out


# --------------------------------------------------------------------------- docs

def coqa_references(row: dict, i: int) -> list[str]:
    """Every reference answer of turn ``i`` (0-based) of a CoQA story row, as official CoQA
    scores it: the answer, then the dev set's three `additional_answers`, matched by `turn_id`
    (EleutherAI/coqa schema). Empty ones (the train split's placeholders) are dropped;
    duplicates are kept, as the official script keeps them. A `stanfordnlp/coqa` row (plain
    list of questions, no additional answers) gives the one answer it has."""
    answers = row["answers"]
    texts = list(answers["input_text"])
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
    """One row per CoQA question, carrying the passage, the dialogue before it and every
    reference answer (`coqa_references`)."""

    def explode(batch: dict[str, list]) -> dict[str, list]:
        out: dict[str, list] = {k: [] for k in (
            "source", "story", "turn", "question", "answers", "history_questions", "history_answers")}
        n = len(batch["story"])
        for j in range(n):
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


def filter_mmlu_math(dataset):
    subjects = set(MMLU_MATH_SUBJECTS)
    return dataset.filter(lambda d: d["subject"] in subjects)


def _mmlu_pro_filter(task: str, category: str):
    def process(dataset):
        return dataset.filter(lambda d: str(d["category"]).strip().lower() == category)

    process.__name__ = process.__qualname__ = f"filter_{task}"
    return process


# One filter per MMLU-Pro task, from the registry's `mmlu_pro_category` (YAML: filter_<task>).
for _info in TASKS.values():
    if _info.mmlu_pro_category:
        globals()[f"filter_{_info.name}"] = _mmlu_pro_filter(_info.name, _info.mmlu_pro_category)


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


# --------------------------------------------------------------------------- hub loaders
# Tasks whose hub loading is at risk (TaskInfo.dataset_revision / dataset_kwargs) are loaded by
# `load_<task>` (YAML `custom_dataset`), which lm-eval calls with the task's `metadata` and its
# `dataset_kwargs` (the YAML's, rendered from the registry). A failure is a one-line UserError
# naming the task, the dataset and the fix.

_LOAD_KWARGS = ("revision", "data_files", "data_dir")


def _hub_error(info: TaskInfo, exc: BaseException, what: str = "") -> UserError:
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    where = f"{info.dataset_path}{' ' + what if what else ''}"
    return UserError(f"{info.name}: the hub dataset {where} did not load ({type(exc).__name__}: {first}); "
                     f"fix: {info.dataset_fix or 'see docs/tasks.md'}")


def load_hub_dataset(task: str, **kwargs: Any):
    """`datasets.load_dataset` of a registered task with its revision and data_files."""
    import datasets

    info = TASKS[task]
    load = {k: kwargs[k] for k in _LOAD_KWARGS if k in kwargs} or info.load_kwargs()
    try:
        return datasets.load_dataset(info.dataset_path, info.dataset_name, **load)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the hub copy is the same one-line error
        raise _hub_error(info, exc) from None


def load_rs_coqa(**kwargs: Any):
    return load_hub_dataset("rs_coqa", **kwargs)


def load_rs_consumer_qa(**kwargs: Any):
    return load_hub_dataset("rs_consumer_qa", **kwargs)


SCIBENCH_COLUMNS = ("problemid", "problem_text", "answer_latex", "answer_number", "unit", "source",
                    "comment", "solution")
SCIBENCH_SOURCES_KEY = "scibench_sources"


def scibench_sources(value: Any = None) -> tuple[str, ...]:
    """The textbooks a SciBench run keeps: "physics" (default), "all", or a list / comma list."""
    if value is None or value == "physics":
        return SCIBENCH_PHYSICS
    if value == "all":
        return SCIBENCH_SOURCES
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if str(v).strip()]
    unknown = sorted(set(names) - set(SCIBENCH_SOURCES))
    if unknown or not names:
        raise UserError(f"rs_scibench: metadata {SCIBENCH_SOURCES_KEY}={value!r} is not physics, all or a list of "
                        f"{', '.join(SCIBENCH_SOURCES)}")
    return tuple(names)


def select_scibench(dataset, sources: Any = None):
    """Keep the rows of the chosen textbooks in every split (DatasetDict in, DatasetDict out)."""
    keep = set(scibench_sources(sources))
    return type(dataset)({split: d.filter(lambda r: str(r["source"]).strip() in keep) for split, d in dataset.items()})


def _scibench_rows(d) -> list[dict]:
    """Rows in SciBench's schema: every column present (a `*_sol` file has `solution`, most
    textbook files do not), as strings."""
    return [{c: "" if r.get(c) is None else str(r[c]) for c in SCIBENCH_COLUMNS} for r in d]


def load_rs_scibench(**kwargs: Any):
    """SciBench from the hub, one JSON file at a time.

    The hub copy's files do not share columns (`solution` exists in the `*_sol` files and in
    a few textbook files only), so `load_dataset` over all of them raises
    DatasetGenerationCastError. Each file is loaded alone and the rows are put in one schema:
    split `test` = the ten textbooks, `train` = their worked-solution problems (few-shot only).
    The metadata key `scibench_sources` picks the textbooks (default: physics)."""
    import datasets

    info = TASKS["rs_scibench"]
    defaults = info.load_kwargs()
    data_files = kwargs.get("data_files") or defaults["data_files"]
    revision = kwargs.get("revision", defaults.get("revision"))
    splits = {}
    for split, files in data_files.items():
        rows: list[dict] = []
        for name in [files] if isinstance(files, str) else list(files):
            try:
                part = datasets.load_dataset(info.dataset_path, data_files=name, split="train",
                                             **({"revision": revision} if revision else {}))
            except UserError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _hub_error(info, exc, f"({name})") from None
            rows += _scibench_rows(part)
        splits[split] = datasets.Dataset.from_list(rows)
    return select_scibench(datasets.DatasetDict(splits), kwargs.get(SCIBENCH_SOURCES_KEY))


# --------------------------------------------------------------------------- per-task functions
# The YAMLs reference `rs_<task>_text`, `rs_<task>_target` and `rs_<task>_results` by name.

def _make(task: str) -> None:
    info = TASKS[task]

    def doc_to_text(doc: dict) -> str:
        return info.prompt(doc)

    def doc_to_target(doc: dict) -> str:
        return P.fewshot_answer(task, doc)

    def process_results(doc: dict, results: list) -> dict[str, Any]:
        return process_results_for(task, doc, results)

    for fn, suffix in ((doc_to_text, "text"), (doc_to_target, "target"), (process_results, "results")):
        fn.__name__ = fn.__qualname__ = f"{task}_{suffix}"
        fn.__module__ = __name__
        globals()[fn.__name__] = fn


for _task in TASKS:
    _make(_task)

# Every task the registry marks as at-risk names a loader that exists (YAML custom_dataset).
_missing = [i.hub_loader for i in TASKS.values() if i.hub_loader and not callable(globals().get(i.hub_loader))]
if _missing:
    raise RuntimeError(f"process.py lacks the hub loader(s) {', '.join(_missing)} the registry asks for")


def agg_inst_level_acc(items: list) -> float:
    """IFEval instruction-level accuracy: lm-eval's own aggregation (flatten, then mean)."""
    from lm_eval.tasks.ifeval.utils import agg_inst_level_acc as _agg

    return _agg(items)
