"""lm-eval's own command line, indexing only this suite's task directory when every task asked
for is one of ours.

lm-eval 0.4.13's CLI always builds `TaskManager(include_path=...)`, which indexes its 14,710
built-in task and group names first: 14.8 s on 2 CPU cores before the first request, against
0.19 s for our directory alone (`benchmarks/bench_eval.py`). Its Python API takes
`include_defaults=False`; the CLI has no flag for it. `reasoning-suite eval` runs this module in
place of `python -m lm_eval`: the same arguments, outputs and logs. A task that is not ours
(`hellaswag`, a YAML path) keeps lm-eval's full index, so mixing suites works as before.
"""

from __future__ import annotations

import sys

from reasoning_suite.harness_tasks.commands import _option_value
from reasoning_suite.harness_tasks.registry import GROUPS, TASKS


def only_ours(tasks: str | None) -> bool:
    """Whether every name of an lm-eval `--tasks` value is a task or group of this suite."""
    names = [n.strip() for n in (tasks or "").split(",") if n.strip()]
    return bool(names) and all(n in TASKS or n in GROUPS for n in names)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if only_ours(_option_value(argv, "--tasks")):
        import lm_eval.tasks

        full_index = lm_eval.tasks.TaskManager

        class OursOnly(full_index):  # the CLI imports the name from lm_eval.tasks when it runs
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("include_defaults", False)
                super().__init__(*args, **kwargs)

        lm_eval.tasks.TaskManager = OursOnly
    from lm_eval.__main__ import cli_evaluate

    sys.argv = ["lm_eval", *argv]
    cli_evaluate()


if __name__ == "__main__":
    main()
