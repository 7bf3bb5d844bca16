"""`reasoning-suite analyze` and `reasoning-suite leaderboard`."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reasoning_suite.config_parsing import CommandParser, option
from reasoning_suite.errors import UserError

_RUNS_HELP = (
    "lm-eval output directories (--output_path of lm_eval --log_samples), searched recursively "
    "for results_<timestamp>.json; write LABEL=PATH to name a run"
)


@dataclass
class RunsConfig:
    """What both `analyze` and `leaderboard` read."""

    runs: list[str] = option(factory=list, help=_RUNS_HELP, positional=True, metavar="RUN", required=True)
    teacher: str | None = option(None, "the run that is the teacher (fit ceiling, Fig. 2 line)", metavar="LABEL")
    flops: Literal["arch", "paper"] = option(
        "arch", "FLOPs count for figures and fits: architecture-aware or the paper's equations")
    paper_cached_step: bool = option(False, "equation (5) to the letter: no feed-forward term in a cached decoding step")
    quiet: bool = option(False, "no progress, warnings only", aliases=["-q"])


@dataclass
class AnalyzeConfig(RunsConfig):
    out: Path | None = option(None, "output directory", required=True)
    score: Literal["rule", "judge"] = option(
        "rule", "per-sample correctness: the task's rule-based metric or the judge panel's verdict")
    figures: bool = option(True, "draw the figures (--no-figures: tables and fits only)")
    baseline: str | None = option(
        None, "compare every run against this one too (tables/comparisons.csv)", metavar="LABEL")


@dataclass
class LeaderboardConfig(RunsConfig):
    format: Literal["table", "markdown", "csv", "html"] = option("table", "output format")
    out: Path | None = option(None, "output file (default: stdout; leaderboard.html for --format html)")
    baseline: str | None = option(None, "run the deltas are measured against (default: the first)", metavar="LABEL")
    tasks: bool = option(False, "terminal table: show per-task columns too")
    figures: bool = option(True, "HTML: embed the figures")
    comparisons: Path | None = option(
        None, "read the paired comparisons from this comparisons.csv (analyze's tables/) instead of computing them: Δ vs the baseline shows its paired "
        "95% interval", metavar="CSV")


def _setup_logging(quiet: bool):
    from rich.console import Console
    from rich.logging import RichHandler

    console = Console(stderr=True)
    log = logging.getLogger("reasoning_suite.analysis")
    if not any(isinstance(h, RichHandler) for h in log.handlers):
        h = RichHandler(console=console, show_time=False, show_path=False)
        h.setLevel(logging.WARNING if quiet else logging.INFO)
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False
    return console


def _load(args, console):
    from rich.progress import Progress

    from reasoning_suite.analysis.report import Analysis
    from reasoning_suite.analysis.runs import load_table

    with Progress(console=console, transient=True, disable=args.quiet or not console.is_terminal) as prog:
        task = prog.add_task("reading runs", total=None)
        table, runs = load_table(args.runs, cached_ffn=not args.paper_cached_step,
                                 progress=lambda label: prog.update(task, description=f"reading {label}"))
    return Analysis(table, runs, score=getattr(args, "score", "rule"), flops=args.flops, teacher=args.teacher,
                    cached_ffn=not args.paper_cached_step)


def analyze_main(argv: list[str]) -> int:
    args: AnalyzeConfig = CommandParser(
        AnalyzeConfig, prog="reasoning-suite analyze",
        description="Tokens, FLOPs, fits and the paper's figures from evaluation runs.").parse(argv)
    console = _setup_logging(args.quiet)
    from reasoning_suite.analysis.report import analyze

    t0 = time.perf_counter()
    a = _load(args, console)
    fits = analyze(a, args.out, figures=args.figures, baseline=args.baseline)
    n_fig = sum(1 for v in fits["figures"].values() if v)
    console.print(
        f"{len(a.runs)} runs, {len(a.table):,} samples -> {args.out}/table.parquet, fits.json, "
        f"{n_fig} figures ({len(fits['figures_skipped'])} skipped) in {time.perf_counter() - t0:.1f} s"
    )
    for name, why in fits["figures_skipped"].items():
        console.print(f"  skipped {name}: {why}")
    from reasoning_suite.analysis.findings import print_findings

    if not args.quiet:
        print_findings(args.out, console)
    return 0


def leaderboard_main(argv: list[str]) -> int:
    args: LeaderboardConfig = CommandParser(
        LeaderboardConfig, prog="reasoning-suite leaderboard",
        description="Compare runs per task, category and overall, with cost per answer.").parse(argv)
    console = _setup_logging(args.quiet)
    from reasoning_suite.analysis import leaderboard as LB

    a = _load(args, console)
    from reasoning_suite.analysis.paired import study_comparisons

    # the paired comparisons (every run against the baseline, and the study's own pairs):
    # Δ vs the baseline shows its paired interval, the HTML's findings are read from them
    baseline = LB.resolve_baseline(a, args.baseline)
    comps = study_comparisons(a.table, baseline=baseline, flops=a.flops)
    comparisons = LB.read_comparisons(args.comparisons) if args.comparisons else comps.table
    frame, info = LB.build(a, baseline=baseline, comparisons=comparisons)
    if args.format == "table":
        from rich.console import Console

        LB.print_table(frame, info, tasks=args.tasks, console=Console())
        if args.out:
            raise UserError("--out applies to --format markdown, csv or html")
        return 0
    if args.format == "markdown":
        text = LB.to_markdown(frame, info)
    elif args.format == "csv":
        text = frame.to_csv(index=False)
    else:
        figs: list[Path] = []
        with tempfile.TemporaryDirectory() as tmp:
            if args.figures:
                from reasoning_suite.analysis import figures
                from reasoning_suite.analysis.report import make_figures

                with figures.formats("png"):  # all the page embeds
                    made = make_figures(a, Path(tmp))
                figs = [p for v in made.values() for p in v]
            text = LB.to_html(frame, info, figs)
        from reasoning_suite.analysis.report import with_findings

        text = with_findings(text, a, comps)
        out = args.out or Path("leaderboard.html")
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out} ({len(frame)} runs)")
        return 0
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        console.print(f"wrote {args.out} ({len(frame)} runs)")
    else:
        sys.stdout.write(text)
    return 0
