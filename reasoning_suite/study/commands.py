"""`reasoning-suite study CONFIG`: run a whole study step by step, resumably.

The command: it reads the config and hands the plan (`study.plan`) to one of the two
executors, local (`study.runner.run_study`) or Slurm (`study.slurm.submit_study`), which
import the plan and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reasoning_suite.config_parsing import CommandParser, option
from reasoning_suite.errors import UserError
from reasoning_suite.study.config import load_study
from reasoning_suite.study.plan import StudyLayout, plan
from reasoning_suite.study.runner import run_study


@dataclass
class StudyCommand:
    """`reasoning-suite study`'s options (the study itself is the config file's)."""

    config: str = option(help="study YAML (see docs/study.md)", positional=True, metavar="CONFIG")
    plan: bool = option(False, "print the steps and their commands, run nothing")
    only: list[str] | None = option(None, "run just these steps", metavar="STEP")
    force: bool = option(False, "re-run steps even if they finished")
    executor: Literal["local", "slurm"] = option(
        "local", "local: every step here, one after another; slurm: every step a job (the config's slurm: "
        "section; see docs/study.md)")
    wait: bool = option(False, "slurm: block until the jobs have ended")
    poll_seconds: float = option(StudyLayout.poll_seconds, "slurm --wait: how often to ask squeue")


def study_main(argv: list[str]) -> int:
    args: StudyCommand = CommandParser(StudyCommand, prog="reasoning-suite study",
                                       description=__doc__.split("\n\n")[0]).parse(argv)
    cfg = load_study(args.config)
    if args.executor == "slurm":
        from reasoning_suite.study.slurm import submit_study

        submit_study(cfg, only=args.only, force=args.force, show_plan=args.plan, wait=args.wait,
                     poll_seconds=args.poll_seconds)
        return 0
    if args.wait:
        raise UserError("--wait is for --executor slurm (the local executor always waits)")
    if args.plan:
        lay = StudyLayout(cfg.out_dir)
        for step in plan(cfg):
            state = "done" if lay.marker(step.name).exists() else "todo"
            print(f"{step.name:<18} {state:<5} {' '.join(step.argv)}")
        return 0
    run_study(cfg, only=args.only, force=args.force)
    print(f"study {cfg.name}: finished; outputs in {StudyLayout(cfg.out_dir).root}")
    return 0
