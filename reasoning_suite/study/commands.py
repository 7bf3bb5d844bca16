"""`reasoning-suite study CONFIG`: run a whole study step by step, resumably.

The command: it reads the config and hands the plan (`study.plan`) to one of the two
executors, local (`study.runner.run_study`) or Slurm (`study.slurm.submit_study`), which
import the plan and not each other.
"""

from __future__ import annotations

import argparse

from reasoning_suite.errors import UserError
from reasoning_suite.study.config import load_study
from reasoning_suite.study.plan import StudyLayout, plan
from reasoning_suite.study.runner import run_study


def study_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="reasoning-suite study", description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="study YAML (see docs/study.md)")
    parser.add_argument("--plan", action="store_true", help="print the steps and their commands, run nothing")
    parser.add_argument("--only", nargs="+", metavar="STEP", help="run just these steps")
    parser.add_argument("--force", action="store_true", help="re-run steps even if they finished")
    parser.add_argument("--executor", choices=("local", "slurm"), default="local",
                        help="local: every step here, one after another (default); slurm: every step a job "
                             "(the config's slurm: section; see docs/study.md)")
    parser.add_argument("--wait", action="store_true", help="slurm: block until the jobs have ended")
    parser.add_argument("--poll-seconds", type=float, default=StudyLayout.poll_seconds,
                        help=f"slurm --wait: how often to ask squeue (default {StudyLayout.poll_seconds:g})")
    args = parser.parse_args(argv)
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
