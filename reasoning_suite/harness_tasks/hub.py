"""The loaders of the tasks whose hub loading is at risk (their YAML's `custom_dataset`).

Above the registry (they look their task up in `registry.TASKS`), which names them by import
path (`TaskInfo.custom_dataset = "reasoning_suite.harness_tasks.hub.load_coqa"`), so the arrow
runs one way: hub -> registry -> data. lm-eval calls them with the task's `metadata` and its
`dataset_kwargs` (the YAML's, rendered from the registry); a failure of the hub copy is a
one-line UserError naming the task, the dataset and the fix (TaskInfo.dataset_fix).
"""

from __future__ import annotations

from typing import Any

from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.data import SCIBENCH_COLUMNS
from reasoning_suite.harness_tasks.registry import TASKS, TaskInfo

_LOAD_KWARGS = ("revision", "data_files", "data_dir")


def _hub_error(info: TaskInfo, exc: BaseException, what: str = "") -> UserError:
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    where = f"{info.dataset_path}{' ' + what if what else ''}"
    return UserError(f"{info.name}: the hub dataset {where} did not load ({type(exc).__name__}: {first}); "
                     f"fix: {info.dataset_fix or 'see docs/tasks.md'}")


def load_hub_dataset(task: str, **kwargs: Any):
    """`datasets.load_dataset` of a registered task with its revision and data_files (from the
    YAML's dataset_kwargs, else the registry), then the task's row selection."""
    import datasets

    info = TASKS[task]
    load = {k: kwargs[k] for k in _LOAD_KWARGS if k in kwargs} or info.load_kwargs()
    try:
        ds = datasets.load_dataset(info.dataset_path, info.dataset_name, **load)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the hub copy is the same one-line error
        raise _hub_error(info, exc) from None
    return info.select(ds, **kwargs)


def load_coqa(**kwargs: Any):
    return load_hub_dataset("rs_coqa", **kwargs)


def load_consumer_qa(**kwargs: Any):
    return load_hub_dataset("rs_consumer_qa", **kwargs)


def load_scibench(**kwargs: Any):
    """SciBench from the hub, one JSON file at a time.

    The hub copy's files do not share columns (`solution` is in the `*_sol` files and a few
    textbook files only), so `load_dataset` over all of them raises DatasetGenerationCastError.
    Each file is loaded alone and its rows put in one schema (every column, as strings): split
    `test` = the ten textbooks, `train` = their worked-solution problems (few-shot only)."""
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
            rows += [{c: "" if r.get(c) is None else str(r[c]) for c in SCIBENCH_COLUMNS} for r in part]
        splits[split] = datasets.Dataset.from_list(rows)
    return info.select(datasets.DatasetDict(splits), **kwargs)
