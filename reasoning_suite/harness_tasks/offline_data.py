"""Loaders for the offline samples: a few rows per task in each dataset's real schema.

The offline YAMLs (`offline/rs_*.yaml`) include the real task YAML and swap its dataset for
`custom_dataset: !function reasoning_suite.harness_tasks.task_functions.<task>_offline`, so the
prompt, filters and metrics are exactly those of the hub run. Files are found relative to the
package (lm-eval's `data_files` would resolve against the working directory):
`offline/data/<samples>.<split>.jsonl`, one file per split the task uses, where `<samples>` is
the registry's `TaskInfo.samples` (the task name, or a stem shared by tasks of one dataset).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reasoning_suite.harness_tasks.registry import TASKS

DATA_DIR = Path(__file__).resolve().parent / "offline" / "data"


def sample_files(task: str) -> dict[str, Path]:
    stem = TASKS[task].samples if task in TASKS else task
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


def load_offline(task: str, **metadata: Any):
    """The samples as the offline YAMLs load them: with the task's row selection (e.g.
    SciBench's textbooks from `--metadata scibench_sources`), exactly as the hub loader."""
    return TASKS[task].select(load_samples(task), **metadata)
