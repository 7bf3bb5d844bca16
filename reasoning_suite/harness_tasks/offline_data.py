"""Loaders for the offline samples: a few rows per task in each dataset's real schema.

The offline YAMLs (`offline/rs_*.yaml`) include the real task YAML and swap its dataset for
`custom_dataset: !function reasoning_suite.harness_tasks.offline_data.load_<task>`, so the
prompt, filters and metrics are exactly those of the hub run. Files are found relative to the
package (lm-eval's `data_files` would resolve against the working directory):
`offline/data/<task>.<split>.jsonl`, one file per split the task uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reasoning_suite.harness_tasks.registry import TASKS

DATA_DIR = Path(__file__).resolve().parent / "offline" / "data"

# Tasks that share one sample file set (same dataset, filtered differently by process_docs).
SHARED = {
    "rs_mmlu_pro_math": "mmlu_pro",
    "rs_mmlu_pro_law": "mmlu_pro",
    "rs_mmlu_pro_code": "mmlu_pro",
    "rs_mmlu_pro_physics": "mmlu_pro",
}


def sample_files(task: str) -> dict[str, Path]:
    stem = SHARED.get(task, task)
    files = {p.name[len(stem) + 1 : -len(".jsonl")]: p for p in sorted(DATA_DIR.glob(f"{stem}.*.jsonl"))}
    if not files:
        raise FileNotFoundError(f"no offline samples for {task} in {DATA_DIR}")
    return files


def load_samples(task: str):
    """A DatasetDict of the task's sample files, one split per file."""
    import datasets

    files = sample_files(task)
    return datasets.DatasetDict(
        {split: datasets.Dataset.from_json(str(path)) for split, path in files.items()}
    )


def _loader(task: str):
    def load(**_: Any):
        return load_samples(task)

    load.__name__ = load.__qualname__ = f"load_{task}"
    return load


for _task in TASKS:
    globals()[f"load_{_task}"] = _loader(_task)


def load_rs_scibench(**kwargs: Any):
    """The SciBench samples, with the same textbook selection as the hub loader."""
    from reasoning_suite.harness_tasks.process import SCIBENCH_SOURCES_KEY, select_scibench

    return select_scibench(load_samples("rs_scibench"), kwargs.get(SCIBENCH_SOURCES_KEY))
