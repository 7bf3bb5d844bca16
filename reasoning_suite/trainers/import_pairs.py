"""`import-pairs`: the authors' published pairs into our pairs-file format.

The paper's pairs are on the hub as `When-Does-Reasoning-Matter/math-reasoning-ift-pairs` and
`.../general-reasoning-ift-pairs` (the organisation was later renamed `Scale-or-Reason`; both
names are accepted by the hub). Split `reasoning_ift_pairs` has one row per prompt with string
columns `prompt`, `reasoning` (the teacher's thinking-mode reply, `<think>...</think>` then the
answer) and `ift`. Finish reasons and token counts were not published: they are null, and
null finish reasons count as finished.

The records name the paper's teacher (Qwen3-235B-A22B) only when the rows are the authors'
datasets; a local file or another hub dataset has an unknown teacher (null) unless
`--teacher` names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from reasoning_suite.config_parsing import default_of
from reasoning_suite.errors import UserError
from reasoning_suite.trainers.config import ImportPairsConfig
from reasoning_suite.trainers.records import Answer, PairRecord, iter_jsonl, prompt_id
from reasoning_suite.trainers.thinking import split_reply

TEACHER = "Qwen/Qwen3-235B-A22B"
DATASETS = {
    "math": "When-Does-Reasoning-Matter/math-reasoning-ift-pairs",
    "general": "When-Does-Reasoning-Matter/general-reasoning-ift-pairs",
}
AUTHORS_ORGS = ("When-Does-Reasoning-Matter/", "Scale-or-Reason/")


def default_teacher(dataset: str | None, teacher: str | None) -> str | None:
    """The teacher recorded in imported pairs: the one given, else the paper's for the authors'
    datasets, else unknown (None)."""
    if teacher:
        return teacher
    if dataset and (dataset in DATASETS or dataset.startswith(AUTHORS_ORGS)):
        return TEACHER
    return None


def convert_row(row: Any, where: str, source: str, domain: str | None, teacher: str | None = None) -> PairRecord:
    if not isinstance(row, dict):
        raise UserError(f"{where}: a row must be an object")
    for key in ("prompt", "reasoning", "ift"):
        if not isinstance(row.get(key), str):
            raise UserError(f"{where}: field {key!r} must be a string (published schema: prompt, reasoning, ift)")
    thinking, answer = split_reply(row["reasoning"])
    _, ift_answer = split_reply(row["ift"])  # an empty think block may precede an IFT answer
    return PairRecord(
        id=str(row["id"]) if row.get("id") not in (None, "") else prompt_id(row["prompt"], source),
        prompt=row["prompt"],
        domain=domain,
        ift=Answer(answer=ift_answer),
        reasoning=Answer(answer=answer, thinking=thinking or ""),
        teacher=teacher,
        source=source,
    )


def _rows(dataset: str | None, local: str | None, split: str, limit: int | None) -> tuple[Iterable, str]:
    if local:
        path = Path(local)
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            return ((f"{path} row {i}", r) for i, r in enumerate(table.to_pylist())), str(path)
        return iter_jsonl(path), str(path)
    import datasets

    try:
        ds = datasets.load_dataset(dataset, split=split, streaming=True)
    except Exception as exc:  # noqa: BLE001
        raise UserError(f"cannot load dataset {dataset!r} split {split!r}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    return ((f"{dataset}:{split} row {i}", r) for i, r in enumerate(ds)), f"{dataset}:{split}"


def import_pairs(out: str, dataset: str | None = None, local: str | None = None,
                 split: str = default_of(ImportPairsConfig, "split"),
                 domain: str | None = None, limit: int | None = None, teacher: str | None = None) -> int:
    """Write the pairs file; return how many records were written (duplicates of an id collapse)."""
    if bool(dataset) == bool(local):
        raise UserError("give exactly one of --dataset (hub id, or 'math'/'general') and --file (local .jsonl/.parquet)")
    teacher = default_teacher(dataset, teacher)
    if dataset in DATASETS:
        domain = domain or dataset
        dataset = DATASETS[dataset]
    if domain is None and dataset:
        domain = "math" if "math" in dataset else "general" if "general" in dataset else None
    rows, source = _rows(dataset, local, split, limit)
    seen: set[str] = set()
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for where, row in rows:
            if limit is not None and len(seen) >= limit:
                break
            rec = convert_row(row, where, source, domain, teacher)
            if rec.id in seen:
                continue
            seen.add(rec.id)
            f.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(out_path)
    return len(seen)
