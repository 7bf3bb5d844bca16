"""The study as data: its steps, where their outputs land, which need which, when one is done.

Pure (no subprocess, no Slurm): both executors, the local one (`study.runner`) and Slurm
(`study.slurm`), import this module and not each other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reasoning_suite.analysis.commands import AnalyzeConfig, LeaderboardConfig
from reasoning_suite.config_parsing import project, to_argv
from reasoning_suite.harness_tasks.commands import EvalOptions
from reasoning_suite.judges.config import JudgeConfig
from reasoning_suite.study.config import StudyConfig
from reasoning_suite.trainers.config import ImportPairsConfig, StageConfig


@dataclass
class Step:
    """One command of the study. `kind` groups steps that share a resource (a served judge).
    `after` names the earlier steps whose outputs it needs (the Slurm executor's dependencies;
    the local executor runs the steps in order, which satisfies them)."""

    name: str
    argv: list[str]
    outputs: list[Path]
    judges: bool = False  # a judge step: the local executor serves the local panel for it
    description: str = ""
    env: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()


# How often a waiting executor looks at its jobs (`study --executor slurm --wait` asks squeue).
POLL_SECONDS = 10.0


class StudyLayout:
    """Where every artefact of a study lands, relative to its out_dir: the one owner of a
    study's paths (both executors, the demo and the tests build them here), and of how often a
    waiting executor polls (`poll_seconds`)."""

    poll_seconds = POLL_SECONDS

    def __init__(self, out_dir: str | Path):
        self.root = Path(out_dir).resolve()

    pairs = property(lambda self: self.root / "pairs.jsonl")
    panel = property(lambda self: self.root / "panel.yaml")
    analysis = property(lambda self: self.root / "analysis")
    leaderboard_html = property(lambda self: self.root / "leaderboard.html")
    leaderboard_md = property(lambda self: self.root / "leaderboard.md")
    resolved_config = property(lambda self: self.root / "study.resolved.json")  # the config as run
    study_config = property(lambda self: self.root / "study.yaml")  # the demo's config, to re-run it
    data_dir = property(lambda self: self.root / "data")
    models_dir = property(lambda self: self.root / "models")
    evals_dir = property(lambda self: self.root / "evals")
    logs_dir = property(lambda self: self.root / "logs")
    steps_dir = property(lambda self: self.root / "steps")
    slurm_dir = property(lambda self: self.root / "slurm")
    jobs_file = property(lambda self: self.slurm_dir / "jobs.json")  # step -> its latest Slurm job
    judge_server_log = property(lambda self: self.log("judge-server"))

    def mixture(self, student: str) -> Path:
        return self.data_dir / f"{student}.jsonl"

    def model(self, student: str) -> Path:
        return self.models_dir / student

    def eval_dir(self, model_label: str) -> Path:
        return self.evals_dir / model_label

    def lm_cache(self, model_label: str) -> Path:
        """lm-eval's `--use_cache` prefix of a model's evaluation."""
        return self.eval_dir(model_label) / "lm_cache" / "requests"

    def log(self, step: str) -> Path:
        return self.logs_dir / f"{step}.log"

    def marker(self, step: str) -> Path:
        return self.steps_dir / f"{step}.done"

    def slurm_script(self, step: str) -> Path:
        return self.slurm_dir / f"{step}.sh"

    def slurm_out(self, step: str, job_id: str = "%j") -> Path:
        """A job's Slurm output file (`%j`, Slurm's job-id pattern, for sbatch --output)."""
        return self.logs_dir / f"{step}.slurm-{job_id}.out"


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
            steps.append(Step(f"judge-{label}", _rs("judge", judge), [], judges=True, after=after,
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
             "--output_path", str(out), "--log_samples", "--use_cache", str(lay.lm_cache(label))]
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
