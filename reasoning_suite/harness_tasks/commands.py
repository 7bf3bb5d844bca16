"""`reasoning-suite tasks-dir | tasks | eval`: the suite's tasks on lm-eval's command line.

`eval` is `lm_eval` with our include path added and our options consumed: `--offline` (bundled
samples instead of the hub), `--thinking` (whether the chat template opens the thinking block
inside the prompt), `--repeats K` (k samples per question, averaged) and `--fewshot` (the
base-model few-shot layout; implied by `--num_fewshot N` without `--apply_chat_template`). The
mode is written into an overlay of the task YAMLs (the answer filter's arguments, logged by
lm-eval), never into the environment. Everything else goes to `lm_eval` untouched, so its
documentation applies as is.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from dataclasses import dataclass

from reasoning_suite.config_parsing import CommandParser, option
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.build_yaml import RunOptions, include_dir

CPU_BATCH_SIZE = "8"  # what `--batch_size auto` becomes for local models without a GPU


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def cpu_safe_batch_size(args: list[str], cuda: bool | None = None) -> list[str]:
    """lm-eval's `--batch_size auto` for a local model (hf) without a GPU becomes an explicit
    size: on a CPU the probe starts at 64 x 8,192 tokens (18.6 GB RSS, 9+ minutes)."""
    size = _option_value(args, "--batch_size")
    model = _option_value(args, "--model") or "hf"
    if size is None or not size.startswith("auto") or model not in ("hf", "hf-auto", "huggingface"):
        return args
    if cuda is None:
        cuda = _cuda_available()
    if cuda:
        return args
    print(f"note: --batch_size {size} without a GPU would probe batches of 64 x 8,192 tokens; using --batch_size "
          f"{CPU_BATCH_SIZE}", file=sys.stderr)
    out = list(args)
    for i, a in enumerate(out):
        if a == "--batch_size":
            out[i + 1] = CPU_BATCH_SIZE
        elif a.startswith("--batch_size="):
            out[i] = f"--batch_size={CPU_BATCH_SIZE}"
    return out


@dataclass(frozen=True)
class EvalOptions(RunOptions):
    """The options `reasoning-suite eval` (and `tasks-dir`) consume: the run's mode (RunOptions'
    fields, declared there once) and where the data comes from. Everything else goes to lm_eval."""

    offline: bool = option(False, "use the bundled sample files instead of the Hugging Face hub datasets")

    def run_options(self, *, fewshot: bool | None = None) -> RunOptions:
        """The plain mode (what the overlay is written from)."""
        mode = {f.name: getattr(self, f.name) for f in dataclasses.fields(RunOptions)}
        return RunOptions(**{**mode, **({} if fewshot is None else {"fewshot": fewshot})})


@dataclass
class TasksOptions:
    as_json: bool = option(False, "print the table as JSON", aliases=["--json"])


def tasks_dir_main(argv: list[str]) -> int:
    args: EvalOptions = CommandParser(
        EvalOptions, prog="reasoning-suite tasks-dir",
        description="Print the task directory for `lm_eval --include_path`.").parse(argv)
    print(include_dir(args.offline, args.run_options()))
    return 0


def _eval_parser() -> CommandParser:
    parser = CommandParser(
        EvalOptions,
        prog="reasoning-suite eval",
        description="Run lm_eval with the suite's tasks; every other argument is passed to lm_eval.",
        epilog="Example: reasoning-suite eval --model hf --model_args pretrained=ORG/MODEL --tasks reasoning_suite "
        "--apply_chat_template --log_samples --output_path runs/   (lm_eval's own options: lm_eval run --help)",
        add_help=False,
    )
    parser.add_argument("--rs-help", action="store_true", help="show this help and exit")
    return parser


def _split_eval_args(argv: list[str]) -> tuple[EvalOptions, list[str]]:
    parser = _eval_parser()
    ours, extra, rest = parser.parse(argv, known=True)
    if extra.rs_help:
        parser.print_help()
        raise SystemExit(0)
    return ours, rest


def build_eval_command(argv: list[str]) -> list[str]:
    """The lm_eval command line `reasoning-suite eval ARGV` runs."""
    ours, rest = _split_eval_args(argv)
    if any(a == "--include_path" or a.startswith("--include_path=") for a in rest):
        raise UserError(
            "reasoning-suite eval sets --include_path itself; to combine task directories run "
            "lm_eval directly with --include_path \"$(reasoning-suite tasks-dir)\""
        )
    tasks = (_option_value(rest, "--tasks") or "").split(",")
    check_task_names(tasks)
    check_local_checkpoints(_option_value(rest, "--model_args"))
    if not ours.offline and {"reasoning_suite_extended", "rs_c_code_summarization"} & set(tasks):
        from reasoning_suite.harness_tasks.data import C_CODE_ENV

        if not os.environ.get(C_CODE_ENV, "").strip():
            raise UserError(
                f"rs_c_code_summarization has no canonical hub dataset: set {C_CODE_ENV} to a directory of "
                "train/test JSONL files or a dataset id with fields `code` and `summary` (see docs/tasks.md)"
            )
    rest = cpu_safe_batch_size(rest)
    if (ours.repeats or 1) > 1 and _is_api_model(rest):
        rest = _unseeded_api_requests(rest)
    if any("think_end_token" in a for a in rest):
        print("warning: think_end_token makes lm-eval drop the thinking from the logged responses; "
              "reasoning-suite strips it itself (and tells an unclosed trace from an answer) without it",
              file=sys.stderr)
    # lm-eval's CLI, indexing only our tasks when no other is asked for (lm_eval_cli: 14.7 s saved)
    return [sys.executable, "-m", "reasoning_suite.harness_tasks.lm_eval_cli", *rest, "--include_path",
            include_dir(ours.offline, ours.run_options(fewshot=ours.fewshot or _base_fewshot(rest)))]


# Names in our namespace: a name that starts with one of these and is not ours is a typo, which
# lm-eval would only report after loading its index, as a traceback.
_OUR_PREFIXES = ("rs_", "reasoning_suite")
# A hub id: `name` or `org/name` (letters, digits, `-`, `_`, `.`; not starting with a dot).
_HUB_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)?$")
# --model_args keys whose value is a model or adapter (a hub id or a local directory).
_CHECKPOINT_KEYS = ("pretrained", "peft", "delta")


def check_task_names(tasks: list[str]) -> None:
    """Every `rs_...` / `reasoning_suite...` name of `--tasks` is one of our tasks or groups; a
    one-line UserError (with the closest names) before lm-eval starts, not its traceback. Other
    names, globs and YAML paths are lm-eval's to check."""
    import difflib

    from reasoning_suite.harness_tasks.registry import GROUPS, TASKS

    known = [*GROUPS, *TASKS]
    for name in (t.strip() for t in tasks):
        if not name.startswith(_OUR_PREFIXES) or name in known or any(c in name for c in "*?[/") \
                or name.endswith((".yaml", ".yml")):
            continue
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise UserError(f"--tasks: unknown task or group {name!r}; {hint}`reasoning-suite tasks` lists the suite's")


def check_local_checkpoints(model_args: str | None) -> None:
    """A `pretrained=` (or `peft=`) value of `--model_args` that is not a hub id (`name`,
    `org/name`) is a local path; one that does not exist is a one-line UserError before lm-eval
    starts (it would load its index, then fail inside transformers with a traceback)."""
    from pathlib import Path

    from reasoning_suite.core.logged_run import parse_model_args

    if not model_args or model_args.lstrip().startswith("{"):
        return  # none, or lm-eval's JSON form (its own checks)
    for key, value in parse_model_args(model_args).items():
        if key not in _CHECKPOINT_KEYS or not value or _HUB_ID.match(value):
            continue
        path = Path(value).expanduser()
        if not path.exists():
            raise UserError(f"--model_args {key}={value}: no such local checkpoint ({path.resolve()} does not exist; "
                            "a hub model is named ORG/NAME)")


def _base_fewshot(args: list[str]) -> bool:
    """`--num_fewshot N` (N > 0) without a chat template: the base-model few-shot layout."""
    shots = _option_value(args, "--num_fewshot")
    try:
        n = int(shots) if shots is not None else 0
    except ValueError:
        return False  # lm_eval reports its own argument error
    chat = any(a == "--apply_chat_template" or a.startswith("--apply_chat_template=") for a in args)
    return n > 0 and not chat


def _option_value(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def _is_api_model(args: list[str]) -> bool:
    model = _option_value(args, "--model") or ""
    return model.startswith(("local-", "openai-")) or model in {"openai", "anthropic-chat-completions"}


def _unseeded_api_requests(args: list[str]) -> list[str]:
    """lm-eval's API backends send the same `seed` with every request, so a server that honours
    it returns k identical samples for the k repeats of a question; `seed=None` sends null."""
    gen = _option_value(args, "--gen_kwargs")
    if gen is not None and "seed=" in gen:
        return args
    out = list(args)
    if gen is None:
        return out + ["--gen_kwargs", "seed=None"]
    for i, a in enumerate(out):
        if a == "--gen_kwargs":
            out[i + 1] = f"{gen},seed=None"
            break
        if a.startswith("--gen_kwargs="):
            out[i] = f"--gen_kwargs={gen},seed=None"
            break
    return out


def eval_main(argv: list[str]) -> int:
    if argv in ([], ["-h"], ["--help"]):
        _split_eval_args(["--rs-help"])
    return subprocess.call(build_eval_command(argv))


def tasks_main(argv: list[str]) -> int:
    args: TasksOptions = CommandParser(
        TasksOptions, prog="reasoning-suite tasks",
        description="List the suite's groups, tasks, categories, datasets and sizes.").parse(argv)

    from reasoning_suite.harness_tasks.registry import CATEGORY_GROUPS, TASKS

    rows = []
    for info in TASKS.values():
        dataset = info.dataset_path + (f" ({info.dataset_name})" if info.dataset_name else "")
        if info.dataset_path.startswith("env:"):
            dataset = f"${info.dataset_path[4:]}"
        rows.append({
            "group": info.category_group or info.group,
            "category": info.category,
            "task": info.name,
            "dataset": dataset,
            "split": info.split + (f" [{info.subset}]" if info.subset else ""),
            "size": info.size,
            "few-shot": info.fewshot_split or "hand-written",
            "metric": info.primary_metric,
        })
    if args.as_json:
        import json

        print(json.dumps(rows, indent=2))
        return 0

    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Fits 80 columns: the dataset sits under its task, subsets are numbered notes below the
    # table, and each group is a heading row.
    table = Table(title="reasoning-suite tasks (lm-eval names)", box=box.SIMPLE_HEAD, padding=(0, 1),
                  title_justify="left")
    table.add_column("task / dataset", ratio=1, overflow="fold")
    table.add_column("split", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("few-shot", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    notes: list[str] = []
    members: dict[str, list[str]] = {}
    previous = None
    for row, info in zip(rows, TASKS.values()):
        heading = (row["group"], row["category"])
        if heading != previous:
            if previous is not None:
                table.add_section()
            table.add_row(f"[bold]{escape(row['category'])}[/bold] [dim]{escape(row['group'])}[/dim]", "", "", "", "")
            members.setdefault(info.group, []).append(row["group"])
            previous = heading
        split = info.split
        if info.subset:
            notes.append(info.subset)
            split += f" [{len(notes)}]"
        table.add_row(f"{row['task']}\n[dim]{escape(row['dataset'])}[/dim]", escape(split),
                      "?" if row["size"] is None else f"{row['size']:,}", row["few-shot"], row["metric"])
    console = Console()
    console.print(table)
    for i, note in enumerate(notes, 1):
        console.print(f"[{i}] {escape(note)}", highlight=False)
    for parent, groups in members.items():
        console.print(f"{parent}: {', '.join(dict.fromkeys(groups))}", highlight=False)
    console.print("`reasoning-suite tasks --json` gives every field", highlight=False)
    return 0
