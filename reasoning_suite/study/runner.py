"""`reasoning-suite study CONFIG`: run a whole study step by step, resumably.

Steps are the package's own commands run as subprocesses, each with its log under
`<out_dir>/logs/`. A step that finished writes `<out_dir>/steps/<step>.done` (its command and
duration); a re-run skips those and re-enters the first unfinished step, whose command is
itself resumable (pair generation, training and judging keep their partial work), so an
interruption costs at most the calls that were in flight; an interrupted evaluation step
starts again from its first request (lm-eval does not cache sampled requests).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from rich.console import Console

from reasoning_suite.analysis.commands import AnalyzeConfig, LeaderboardConfig
from reasoning_suite.config_parsing import project, to_argv
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.commands import EvalOptions
from reasoning_suite.judges.config import JudgeConfig
from reasoning_suite.study.config import StudyConfig, load_study
from reasoning_suite.trainers.config import ImportPairsConfig, StageConfig

console = Console(stderr=True)


@dataclass
class Step:
    """One command of the study. `kind` groups steps that share a resource (a served judge).
    `after` names the earlier steps whose outputs it needs (the Slurm executor's dependencies;
    the local executor runs the steps in order, which satisfies them)."""

    name: str
    argv: list[str]
    outputs: list[Path]
    kind: str = "plain"
    description: str = ""
    env: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()


class StudyLayout:
    """Where every artefact of a study lands, relative to its out_dir."""

    def __init__(self, out_dir: str | Path):
        self.root = Path(out_dir).resolve()

    pairs = property(lambda self: self.root / "pairs.jsonl")
    panel = property(lambda self: self.root / "panel.yaml")
    analysis = property(lambda self: self.root / "analysis")
    leaderboard_html = property(lambda self: self.root / "leaderboard.html")
    leaderboard_md = property(lambda self: self.root / "leaderboard.md")

    def mixture(self, student: str) -> Path:
        return self.root / "data" / f"{student}.jsonl"

    def model(self, student: str) -> Path:
        return self.root / "models" / student

    def eval_dir(self, model_label: str) -> Path:
        return self.root / "evals" / model_label

    def log(self, step: str) -> Path:
        return self.root / "logs" / f"{step}.log"

    def marker(self, step: str) -> Path:
        return self.root / "steps" / f"{step}.done"


def _rs(command: str, config: Any = None, *args: str) -> list[str]:
    """`reasoning-suite COMMAND` with `config` as its flags (`config_parsing.to_argv`: each field
    that differs from its default, in the flag spelling its dataclass declares) and `args`."""
    return ["reasoning-suite", command, *(to_argv(config) if config is not None else []), *args]


def plan(cfg: StudyConfig) -> list[Step]:
    """The study's steps in order; pure, so it can be printed and tested without running."""
    lay = StudyLayout(cfg.out_dir)
    steps: list[Step] = [_pairs_step(cfg, lay)]
    for s in cfg.students:
        mixture = dataclasses.replace(s.data, pairs=[str(lay.pairs)], out=str(lay.mixture(s.name)))
        steps.append(Step(f"data-{s.name}", _rs("build-data", mixture), [lay.mixture(s.name)], after=("pairs",),
                          description=f"mixture for {s.name}: ratio {s.ratio}, {s.order}, {s.format}"))
        train = dataclasses.replace(
            cfg.train, model=cfg.base_model, output_dir=str(lay.model(s.name)),
            stages=[StageConfig(str(lay.mixture(s.name)))],
            learning_rate=cfg.train.learning_rate if s.learning_rate is None else s.learning_rate)
        steps.append(Step(f"train-{s.name}", _rs("train", train), [lay.model(s.name) / "reasoning_suite_run.json"],
                          after=(f"data-{s.name}",), description=f"train student {s.name}"))
    models = ([("base", cfg.base_model, True)] if cfg.evaluate_base else []) + \
        [(s.name, str(lay.model(s.name)), False) for s in cfg.students]
    for label, path, is_base in models:
        step = _eval_step(cfg, lay, label, path, is_base)
        step.after = () if is_base else (f"train-{label}",)
        steps.append(step)
    judged: list[str] = []
    if cfg.judges.panel or cfg.judges.serve_local:
        for label, _, _ in models:
            judge = project(cfg.judges, JudgeConfig, samples=[lay.eval_dir(label)],
                            panel=str(lay.panel) if cfg.judges.serve_local else cfg.judges.panel)
            # a locally served panel is one panel.yaml (one server's URL): those judges take turns
            after = (f"eval-{label}",) + ((judged[-1],) if cfg.judges.serve_local and judged else ())
            steps.append(Step(f"judge-{label}", _rs("judge", judge), [], kind="judge", after=after,
                              description=f"judge panel on {label}"))
            judged.append(f"judge-{label}")
    runs = [f"{label}={lay.eval_dir(label)}" for label, _, _ in models]
    results = tuple(f"eval-{label}" for label, _, _ in models) + tuple(judged)
    steps.append(Step("analyze", _rs("analyze", AnalyzeConfig(runs=runs, out=lay.analysis)),
                      [lay.analysis], after=results, description="tables, FLOPs, fits, figures"))
    for name, fmt, out in (("leaderboard", "html", lay.leaderboard_html), ("leaderboard-md", "markdown", lay.leaderboard_md)):
        board = LeaderboardConfig(runs=runs, format=fmt, out=out, baseline=models[0][0])
        steps.append(Step(name, _rs("leaderboard", board), [out], after=results,
                          description=f"{'HTML' if fmt == 'html' else 'Markdown'} leaderboard"))
    return steps


def _pairs_step(cfg: StudyConfig, lay: StudyLayout) -> Step:
    p = cfg.pairs
    if p.generate is not None:
        g = dataclasses.replace(p.generate, out=str(lay.pairs), limit=p.generate.limit or p.limit)
        return Step("pairs", _rs("generate", g), [lay.pairs], description=f"pairs from teacher {g.model}")
    imported = ImportPairsConfig(out=str(lay.pairs), file=p.file, dataset=None if p.file else p.import_, limit=p.limit)
    return Step("pairs", _rs("import-pairs", imported), [lay.pairs], description=f"pairs from {p.file or p.import_}")


def _eval_step(cfg: StudyConfig, lay: StudyLayout, label: str, model_path: str, is_base: bool) -> Step:
    e = cfg.eval
    out = lay.eval_dir(label)
    argv = _rs("eval", project(e, EvalOptions))
    model_args = f"pretrained={model_path}" + (f",{e.model_args}" if e.model_args else "")
    argv += ["--model", e.model, "--model_args", model_args, "--tasks", e.tasks, "--batch_size", e.batch_size,
             "--output_path", str(out), "--log_samples", "--use_cache", str(out / "lm_cache" / "requests")]
    if is_base:
        argv += ["--num_fewshot", str(e.base_num_fewshot)] if e.base_num_fewshot else []
    elif e.apply_chat_template:
        argv.append("--apply_chat_template")
    if e.gen_kwargs:
        argv += ["--gen_kwargs", e.gen_kwargs]
    if e.limit is not None:
        argv += ["--limit", str(e.limit)]
    argv += list(e.extra_args)
    shots = f"{e.base_num_fewshot}-shot" if is_base and e.base_num_fewshot else "zero-shot"
    return Step(f"eval-{label}", argv, [out], description=f"suite on {label} ({shots})")


def _command(argv: list[str]) -> list[str]:
    if argv[0] == "reasoning-suite":
        return [sys.executable, "-m", "reasoning_suite", *argv[1:]]
    return argv


def _outputs_ok(step: Step) -> bool:
    return all(p.exists() for p in step.outputs)


def step_done(step: Step, lay: StudyLayout) -> bool:
    """A step is finished when its marker and its outputs exist (what a re-run skips)."""
    return lay.marker(step.name).exists() and _outputs_ok(step)


def failure_line(log: Path) -> str:
    """The line of a failed step's log that says why: its last `error:` line, else its last line."""
    if not log.exists():
        return ""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    return (errors or lines or [""])[-1].strip()[:300]


def _run_step(step: Step, lay: StudyLayout, env: dict[str, str]) -> float:
    log = lay.log(step.name)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with log.open("a") as fh:
        fh.write(f"\n$ {' '.join(step.argv)}\n")
        fh.flush()
        proc = subprocess.run(_command(step.argv), stdout=fh, stderr=subprocess.STDOUT, env={**env, **step.env},
                              stdin=subprocess.DEVNULL)
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise UserError(f"step {step.name} failed (exit {proc.returncode}); log {log}: {failure_line(log)}")
    marker = lay.marker(step.name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"argv": step.argv, "seconds": round(took, 2), "finished": time.time()}, indent=2) + "\n")
    return took


@contextlib.contextmanager
def _local_panel(cfg: StudyConfig, lay: StudyLayout) -> Iterator[None]:
    """Serve the base checkpoint over real HTTP and write a panel of N samplings of it (a copy
    whose generation_config samples: `transformers serve` ignores do_sample in requests)."""
    from reasoning_suite.endpoints.local_server import serve_checkpoint

    from reasoning_suite.judges.prompts import verdict_example_turns

    examples = {"example_turns": verdict_example_turns()} if cfg.judges.local_examples else {}
    with serve_checkpoint(cfg.base_model, lay.log("judge-server"), sample=True) as served:
        judges = [{"name": f"local-{i + 1}", "base_url": served.base_url, "model": served.model,
                   "max_concurrency": 8, "max_tokens": cfg.judges.local_max_tokens, "timeout_s": 120,
                   "extra_body": {"seed": i + 1}, **examples} for i in range(cfg.judges.local_judges)]
        panel = {"name": "local-served", "judges": judges,
                 "vote": {"rule": "majority", "tie": "no", "too_few": "no", "abstain_counts_as": "no"}}
        lay.panel.write_text("# written by `reasoning-suite study`: the base checkpoint served by "
                             "`transformers serve`, sampled with different seeds\n" + yaml.safe_dump(panel, sort_keys=False))
        yield


def run_study(cfg: StudyConfig, *, only: list[str] | None = None, force: bool = False) -> list[tuple[str, str, float]]:
    """Run every unfinished step; return (step, "ran"|"skipped", seconds) per step."""
    lay = StudyLayout(cfg.out_dir)
    lay.root.mkdir(parents=True, exist_ok=True)
    (lay.root / "study.resolved.json").write_text(json.dumps(cfg.to_dict(), indent=2, default=str) + "\n")
    steps = plan(cfg)
    if only:
        unknown = sorted(set(only) - {s.name for s in steps})
        if unknown:
            raise UserError(f"--only: unknown step {unknown[0]!r} (steps: {', '.join(s.name for s in steps)})")
        steps = [s for s in steps if s.name in only]
    env = dict(os.environ)
    report: list[tuple[str, str, float]] = []
    pending_judges = [s for s in steps if s.kind == "judge" and (force or not lay.marker(s.name).exists())]
    server = _local_panel(cfg, lay) if (cfg.judges.serve_local and pending_judges) else contextlib.nullcontext()
    server_entered = False
    with contextlib.ExitStack() as stack:
        for i, step in enumerate(steps, 1):
            head = f"[{i}/{len(steps)}] {step.name}"
            if not force and step_done(step, lay):
                console.print(f"[dim]{head}: done earlier, skipped[/dim]")
                report.append((step.name, "skipped", 0.0))
                continue
            if step.kind == "judge" and not server_entered:
                with console.status(f"{head}: starting the local judge server"):
                    stack.enter_context(server)
                server_entered = True
            with console.status(f"{head}: {step.description} (log {lay.log(step.name)})"):
                took = _run_step(step, lay, env)
            console.print(f"{head}: {step.description} [green]done[/green] in {took:.1f} s")
            report.append((step.name, "ran", took))
    return report


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
    parser.add_argument("--poll-seconds", type=float, default=10.0, help="slurm --wait: how often to ask squeue")
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
