"""`reasoning-suite judge`: judge lm-eval's logged samples with a panel of LLM judges.

    reasoning-suite judge --samples OUT/model_dir --panel paper [--out DIR] [--dry-run]

Every judge call goes through the call cache (default `<out>/judge_calls.sqlite`), so running the
same command again after Ctrl-C or `kill -9` resumes: answered calls are read back, only the
missing ones are made, and the outputs come out identical.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from reasoning_suite.config_parsing import CommandParser
from reasoning_suite.endpoints import CallCache, request_key
from reasoning_suite.errors import UserError
from reasoning_suite.judges.config import JudgeConfig, PanelConfig, load_panel, preset_names
from reasoning_suite.judges.prepare import ItemKey, build_prompts, task_view
from reasoning_suite.judges.report import judge_task, results_document
from reasoning_suite.judges.runner import messages_for, request_args, run_panel
from reasoning_suite.core.logged_run import JUDGED_DIR, JUDGED_RESULTS, LoggedRun, find_one, judged_samples_name


def _select(run: LoggedRun, tasks: str | None, limit: int | None) -> None:
    if tasks:
        wanted = [t.strip() for t in tasks.split(",") if t.strip()]
        missing = [t for t in wanted if t not in run.tasks]
        if missing:
            raise UserError(f"--tasks: no samples for {', '.join(missing)} in {run.directory}; found: {', '.join(run.tasks)}")
        run.tasks = {t: run.tasks[t] for t in wanted}
    if limit is not None:
        if limit < 1:
            raise UserError(f"--limit must be >= 1, got {limit}")
        for ts in run.tasks.values():
            ts.samples = ts.samples[:limit]


def _key(panel_judge: Any, prompt: str) -> str:
    return request_key(panel_judge.endpoint, messages_for(prompt, panel_judge), **request_args(panel_judge))


def _dry_run(panel: PanelConfig, prompts: dict[ItemKey, str], cache_path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    cache = CallCache(cache_path) if cache_path.exists() else None
    table = Table(title=f"dry run: {len(prompts)} judgements x {len(panel.judges)} judges")
    for col in ("judge", "calls", "cached", "to make", "in tok (est.)", "out tok (max)", "cost (est.)"):
        table.add_column(col, justify="right" if col != "judge" else "left")
    for judge in panel.judges:
        todo = [p for p in prompts.values() if cache is None or _key(judge, p) not in cache]
        prompt_tokens = sum(len(p) for p in todo) // 4  # ~4 characters per token for English text
        max_out = judge.max_tokens * len(todo) if judge.max_tokens else None
        ep = judge.endpoint
        cost = ep.cost(prompt_tokens, max_out or 0)
        table.add_row(
            judge.name,
            str(len(prompts)),
            str(len(prompts) - len(todo)),
            str(len(todo)),
            f"{prompt_tokens:,}",
            f"{max_out:,}" if max_out is not None else "no max_tokens",
            "n/a" if cost is None else f"{cost:.2f}" + ("" if max_out is not None else " + out"),
        )
    Console().print(table)
    print("input tokens are estimated at 4 characters per token; output is bounded only by max_tokens")
    if cache is not None:
        cache.close()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def judge_main(argv: list[str]) -> int:
    args: JudgeConfig = CommandParser(
        JudgeConfig, prog="reasoning-suite judge",
        description="Judge lm-eval --log_samples output with a panel of OpenAI-compatible LLM judges (majority vote); "
        f"presets: {', '.join(preset_names())}.").parse(argv)
    panel = load_panel(args.panel)
    run = find_one(args.samples)
    _select(run, args.tasks, args.limit)
    out = args.out or (run.directory / JUDGED_DIR)
    cache_path = args.cache or (out / "judge_calls.sqlite")

    from rich.console import Console

    console = Console(stderr=True)
    for path in run.ignored:
        console.print(f"[yellow]note:[/] ignoring older run {path.name} (a newer one of the same task is judged)")
    configs = (run.results or {}).get("configs") or {}
    views = {t: task_view(t, panel, configs.get(t)) for t in run.tasks}
    for t, v in views.items():
        if not v.registered:
            console.print(f"[yellow]note:[/] task {t} is not in the suite's registry; judging it on its logged prompt and target")
    prompts: dict[ItemKey, str] = {}
    shown: dict[str, dict[int, dict[str, str]]] = {}
    for t, ts in run.tasks.items():
        p, s = build_prompts(ts, views[t], panel)
        prompts.update(p)
        shown[t] = s
    if args.dry_run:
        _dry_run(panel, prompts, cache_path)
        return 0
    for judge in panel.judges:  # fail before any work on a missing key or URL variable
        ep = judge.endpoint
        ep.resolved_base_url()
        ep.api_key()
    out.mkdir(parents=True, exist_ok=True)
    cache = CallCache(cache_path)
    outcome = _run_with_progress(panel, prompts, cache, console)
    cache.close()

    task_results: dict[str, Any] = {}
    task_stats: dict[str, Any] = {}
    for t, ts in run.tasks.items():
        judged, result, stats = judge_task(ts, views[t], shown[t], outcome.results, panel)
        task_results[t] = result
        task_stats[t] = stats
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in judged)
        _write_atomic(out / judged_samples_name(t), lines)
    doc = results_document(run, task_results, task_stats, panel)
    _write_atomic(out / JUDGED_RESULTS, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    _summary(doc, outcome, out, console)
    return 0


def _run_with_progress(panel, prompts, cache, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("cached {task.fields[cached]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        bars = {j.name: progress.add_task(f"judge {j.name}", total=len(prompts), cached=0) for j in panel.judges}
        cached = {j.name: 0 for j in panel.judges}

        def on_done(judge: str, was_cached: bool) -> None:
            cached[judge] += was_cached
            progress.update(bars[judge], advance=1, cached=cached[judge])

        return asyncio.run(run_panel(panel, prompts, cache, on_done=on_done, graceful_interrupt=True))


def _fmt(x: Any, pct: bool = True) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}" if pct else f"{x:.3f}"


def _unscored(status: dict[str, int] | None) -> str:
    """Answers the rule scorer could not score (timeout + error); "-" when the run has no statuses."""
    if not status:
        return "-"
    return str(status.get("timeout", 0) + status.get("error", 0))


def _summary(doc: dict[str, Any], outcome: Any, out: Path, console: Any) -> None:
    from rich.table import Table

    from reasoning_suite.judges.stats import shown

    table = Table(title="judge panel (undefined: no verdicts to compute it from)")
    for col in ("task", "samples", "judge acc", "rule acc", "abstain", "disagree", "kappa", "MAE pts", "timeout+error"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task, r in doc["results"].items():
        s = doc["judge_stats"][task]
        rv = s["rule_vs_panel"]
        table.add_row(
            task,
            str(r["samples"]) + (f" x{r['judgements'] // r['samples']}" if r["samples"] and r["judgements"] != r["samples"] else ""),
            _fmt(r["judge_acc,none"]),
            _fmt(r.get(f"{r.get('rule_metric', 'acc')},none")) + (f" ({r['rule_metric']})" if "rule_metric" in r else ""),
            shown(None if s.get("abstention_rate") is None else 100 * s["abstention_rate"], "{:.0f}%"),
            "-" if rv.get("disagree_rate") is None else f"{100 * rv['disagree_rate']:.1f}%",
            shown(s["fleiss_kappa"], "{:.3f}"),
            shown(s["mae_points"]["mean"]),
            _unscored(r.get("status")),
        )
    for group, r in doc["groups"].items():
        table.add_row(f"[bold]{r['alias']}[/]", str(r["samples"]), _fmt(r["judge_acc,none"]), _fmt(r["acc,none"]), "", "", "", "", "")
    overall = doc.get("overall") or {}
    table.add_row("[bold]overall[/] (mean of categories)", "", _fmt(overall.get("judge_acc,none")), _fmt(overall.get("acc,none")),
                  "", "", "", "", _unscored(doc.get("status")))
    median = doc.get("judge_suite", {}).get("mae_points_median", {}).get("median")
    console.print(table)
    console.print(f"median MAE between judges over tasks: {shown(median)} points")
    made = sum(outcome.calls_made.values())
    hits = sum(outcome.cache_hits.values())
    console.print(f"calls made {made}, read from cache {hits}, retries {sum(outcome.retries.values())}; wrote {out / JUDGED_RESULTS}")
