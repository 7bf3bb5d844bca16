"""The local executor of `reasoning-suite study`: every step of the plan here, one after another.

Steps (`study.plan`) are the package's own commands run as subprocesses, each with its log under
`<out_dir>/logs/`. A step that finished writes `<out_dir>/steps/<step>.done` (its command and
duration); a re-run skips those and re-enters the first unfinished step, whose command is
itself resumable (pair generation, training and judging keep their partial work), so an
interruption costs at most the calls that were in flight; an interrupted evaluation step
starts again from its first request (lm-eval does not cache sampled requests).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from typing import Iterator

import yaml
from rich.console import Console

from reasoning_suite.errors import UserError
from reasoning_suite.study.config import StudyConfig
from reasoning_suite.study.plan import Step, StudyLayout, failure_line, plan, step_done

console = Console(stderr=True)


def _command(argv: list[str]) -> list[str]:
    if argv[0] == "reasoning-suite":
        return [sys.executable, "-m", "reasoning_suite", *argv[1:]]
    return argv


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
    with serve_checkpoint(cfg.base_model, lay.judge_server_log, sample=True) as served:
        # concurrency, timeout and retries: the Endpoint's defaults (their one owner)
        judges = [{"name": f"local-{i + 1}", "base_url": served.base_url, "model": served.model,
                   "max_tokens": cfg.judges.local_max_tokens,
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
    lay.resolved_config.write_text(json.dumps(cfg.to_dict(), indent=2, default=str) + "\n")
    steps = plan(cfg)
    if only:
        unknown = sorted(set(only) - {s.name for s in steps})
        if unknown:
            raise UserError(f"--only: unknown step {unknown[0]!r} (steps: {', '.join(s.name for s in steps)})")
        steps = [s for s in steps if s.name in only]
    env = dict(os.environ)
    report: list[tuple[str, str, float]] = []
    pending_judges = [s for s in steps if s.judges and (force or not lay.marker(s.name).exists())]
    server = _local_panel(cfg, lay) if (cfg.judges.serve_local and pending_judges) else contextlib.nullcontext()
    server_entered = False
    with contextlib.ExitStack() as stack:
        for i, step in enumerate(steps, 1):
            head = f"[{i}/{len(steps)}] {step.name}"
            if not force and step_done(step, lay):
                console.print(f"[dim]{head}: done earlier, skipped[/dim]")
                report.append((step.name, "skipped", 0.0))
                continue
            if step.judges and not server_entered:
                with console.status(f"{head}: starting the local judge server"):
                    stack.enter_context(server)
                server_entered = True
            with console.status(f"{head}: {step.description} (log {lay.log(step.name)})"):
                took = _run_step(step, lay, env)
            console.print(f"{head}: {step.description} [green]done[/green] in {took:.1f} s")
            report.append((step.name, "ran", took))
    return report
