"""`reasoning-suite study CONFIG --executor slurm`: every step of the study one Slurm job.

Each job runs `reasoning-suite study CONFIG --only STEP` on its node, i.e. the local executor
for that one step: the same command, the same log (`<out_dir>/logs/<step>.log`), the same
done-marker. Jobs are submitted with plain `sbatch --parsable --dependency=afterok:...`
following the steps' `after` (reasoning_suite.study.plan.plan), so independent steps (all
students of a ratio sweep, the base model's evaluation) run at once. Resources come from the
study's `slurm:` section: steps that generate, train or evaluate get the `gpu` class, the rest
the `cpu` class.

Re-running the same command skips finished steps (marker + outputs), keeps jobs that are still
pending or running (`squeue`; their ids are kept in `<out_dir>/slurm/jobs.json`), cancels jobs
that can never start (a dependency failed) and submits the failed or missing steps again.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from rich.console import Console

from reasoning_suite.errors import UserError
from reasoning_suite.study.config import SlurmResources, SlurmSpec, StudyConfig
from reasoning_suite.study.plan import Step, StudyLayout, failure_line, plan, step_done

console = Console(stderr=True)

# What a job of each class asks for when the study's `slurm.gpu` / `slurm.cpu` leave a field unset.
CLASS_DEFAULTS = {"gpu": SlurmResources(gpus=1, cpus=8), "cpu": SlurmResources(gpus=0, cpus=2)}
# The package commands that need an accelerator; every other step is a CPU job.
GPU_COMMANDS = frozenset({"generate", "train", "eval"})


def resource_class(step: Step) -> str:
    """'gpu' for steps that generate pairs, train or evaluate; 'cpu' for the rest."""
    command = step.argv[1] if step.argv and step.argv[0] == "reasoning-suite" and len(step.argv) > 1 else ""
    return "gpu" if command in GPU_COMMANDS else "cpu"


@dataclass(frozen=True)
class JobResources:
    klass: str
    partition: str | None
    account: str | None
    gpus: int
    cpus: int
    mem: str | None
    time: str | None
    extra_args: tuple[str, ...]

    def sbatch_args(self) -> list[str]:
        args = [f"--cpus-per-task={self.cpus}"]
        if self.gpus:
            args.append(f"--gres=gpu:{self.gpus}")
        for flag, value in (("--partition", self.partition), ("--account", self.account),
                            ("--mem", self.mem), ("--time", self.time)):
            if value is not None:
                args.append(f"{flag}={value}")
        return args + list(self.extra_args)

    def describe(self) -> str:
        parts = [self.klass + ":"]
        if self.gpus:
            parts.append(f"{self.gpus} GPU")
        parts.append(f"{self.cpus} CPU")
        parts += [v for v in (self.mem, self.time) if v]
        if self.partition:
            parts.append(f"@{self.partition}")
        return " ".join(parts)


def job_resources(spec: SlurmSpec, step: Step) -> JobResources:
    """The step's class resources: its class's fields, else the class defaults, else the
    section's partition/time."""
    klass = resource_class(step)
    given: SlurmResources = getattr(spec, klass)
    default = CLASS_DEFAULTS[klass]

    def pick(name: str):
        value = getattr(given, name)
        return getattr(default, name) if value is None else value

    return JobResources(klass=klass, partition=given.partition or spec.partition, account=spec.account,
                        gpus=pick("gpus"), cpus=pick("cpus"), mem=given.mem, time=given.time or spec.time,
                        extra_args=tuple(spec.extra_args) + tuple(given.extra_args))


@dataclass(frozen=True)
class LiveJob:
    """A job Slurm still holds as pending or running (one `squeue` line)."""

    job_id: str
    name: str
    state: str
    reason: str
    dependency: str

    @property
    def blocked(self) -> bool:
        """Pending behind a dependency that failed: Slurm will never start it."""
        return self.state == "PENDING" and (self.reason == "DependencyNeverSatisfied" or "(failed)" in self.dependency)


SQUEUE_FORMAT = "%i|%j|%T|%r|%E"


def parse_squeue(text: str) -> dict[str, LiveJob]:
    """`squeue -h -o '%i|%j|%T|%r|%E'` output -> job id -> LiveJob."""
    jobs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        job_id, name, state, reason, dependency = (line.split("|", 4) + ["", "", "", ""])[:5]
        jobs[job_id.strip()] = LiveJob(job_id.strip(), name.strip(), state.strip(), reason.strip(), dependency.strip())
    return jobs


@dataclass
class Job:
    """One step in the job graph and what this run does with it.

    action: 'done' (finished earlier), 'keep' (its job is still pending/running), 'submit'
    (new job; `cancel` is a stale job of the step to cancel first) or 'skip' (not selected)."""

    step: Step
    action: str
    resources: JobResources
    job_id: str | None = None
    cancel: str | None = None
    waits_for: tuple[str, ...] = ()
    wave: int = 0


def job_graph(steps: list[Step], spec: SlurmSpec, done: set[str], live: Mapping[str, LiveJob], *,
              selected: set[str] | None = None, force: bool = False) -> list[Job]:
    """Pure: what to do with each step given which are finished and which have a live job.

    A step is submitted when it is selected, not finished (or forced) and has no live job that
    can still run, or when a step it waits for is submitted (its old job waits on a dead id).
    It waits (afterok) for the steps it needs that are kept or submitted; `wave` is its depth in
    that graph (jobs of one wave can run at once)."""
    jobs: dict[str, Job] = {}
    for step in steps:
        unknown = [a for a in step.after if a not in jobs]
        if unknown:
            raise ValueError(f"step {step.name} comes before the step it needs: {unknown[0]}")
        needs = [jobs[a] for a in step.after if jobs[a].action in ("keep", "submit")]
        lj = live.get(step.name)
        if selected is not None and step.name not in selected:
            action = "keep" if lj and not lj.blocked else "skip"
        elif step.name in done and not force:
            action = "done"
        elif lj and not lj.blocked and not force and not any(n.action == "submit" for n in needs):
            action = "keep"
        else:
            action = "submit"
        jobs[step.name] = Job(
            step, action, job_resources(spec, step),
            job_id=lj.job_id if action == "keep" else None,
            cancel=lj.job_id if action == "submit" and lj else None,
            waits_for=tuple(n.step.name for n in needs) if action in ("keep", "submit") else (),
            wave=1 + max((n.wave for n in needs), default=-1) if action in ("keep", "submit") else 0,
        )
    return list(jobs.values())


def job_name(cfg: StudyConfig, step: Step) -> str:
    return f"rs-{cfg.name}-{step.name}"


def job_script(cfg: StudyConfig, step: Step, *, force: bool, python: str, cwd: Path) -> str:
    """The batch script of one step: the local executor on that step, on the node."""
    command = [python, "-m", "reasoning_suite", "study", str(Path(cfg.source).resolve()), "--only", step.name]
    if force:
        command.append("--force")
    lines = ["#!/bin/bash",
             f"# reasoning-suite study {cfg.name}: step {step.name} (written by --executor slurm)",
             "set -eo pipefail",
             f"cd {shlex.quote(str(cwd))}",
             *cfg.slurm.setup,
             'export OMP_NUM_THREADS="${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}"',
             "exec " + shlex.join(command)]
    return "\n".join(lines) + "\n"


class SlurmCommands:
    """The three Slurm client commands the executor uses; each failure is one line."""

    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)

    @staticmethod
    def available() -> bool:
        return all(shutil.which(c) for c in ("sbatch", "squeue", "scancel"))

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess:
        if shutil.which(argv[0], path=self.env.get("PATH")) is None:
            raise UserError(f"--executor slurm: `{argv[0]}` not found on PATH (Slurm's client commands must be "
                            "installed where the study is submitted; or use --executor local)")
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, stdin=subprocess.DEVNULL)

    def live_jobs(self) -> dict[str, LiveJob]:
        proc = self._run(["squeue", "-h", "--me", "-o", SQUEUE_FORMAT])
        if proc.returncode != 0:
            raise UserError(f"slurm: squeue failed: {_last_line(proc.stderr or proc.stdout)}")
        return parse_squeue(proc.stdout)

    def submit(self, args: list[str], script: Path) -> str:
        proc = self._run(["sbatch", "--parsable", *args, str(script)])
        if proc.returncode != 0:
            raise UserError(_last_line(proc.stderr or proc.stdout))
        return proc.stdout.strip().split(";")[0]

    def cancel(self, job_ids: list[str]) -> None:
        if job_ids:
            self._run(["scancel", *job_ids])


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


class JobsFile:
    """`<out_dir>/slurm/jobs.json`: step -> the id and name of its latest job."""

    def __init__(self, lay: StudyLayout):
        self.path = lay.jobs_file

    def read(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except json.JSONDecodeError:
            raise UserError(f"{self.path}: not valid JSON (delete it to forget the study's Slurm jobs)") from None

    def write(self, jobs: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(jobs, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.path)


def live_steps(recorded: Mapping[str, dict], live: Mapping[str, LiveJob]) -> dict[str, LiveJob]:
    """Steps whose recorded job is still in the queue under the same name (ids can be reused)."""
    out = {}
    for step, rec in recorded.items():
        lj = live.get(str(rec.get("job_id")))
        if lj is not None and lj.name == rec.get("name"):
            out[step] = lj
    return out


def _state(job: Job, live: Mapping[str, LiveJob]) -> str:
    if job.action == "keep":
        lj = live.get(job.step.name)
        return f"{lj.state.lower()} {lj.job_id}" if lj else f"kept {job.job_id}"
    return {"submit": "submit", "done": "done", "skip": "not selected"}[job.action]


def print_graph(cfg: StudyConfig, jobs: list[Job], live: Mapping[str, LiveJob], note: str = "") -> None:
    active = [j for j in jobs if j.action in ("keep", "submit")]
    waves: dict[int, int] = {}
    for j in active:
        waves[j.wave] = waves.get(j.wave, 0) + 1
    print(f"slurm job graph of study {cfg.name}: {len(jobs)} steps, {sum(j.action == 'done' for j in jobs)} done, "
          f"{sum(j.action == 'keep' for j in jobs)} in the queue, {sum(j.action == 'submit' for j in jobs)} to submit; "
          f"{len(waves)} waves, up to {max(waves.values(), default=0)} jobs at once{note}")
    print(f"{'wave':<5} {'step':<18} {'state':<16} {'resources':<28} after (afterok)")
    for j in jobs:
        wave = str(j.wave) if j.action in ("keep", "submit") else "-"
        print(f"{wave:<5} {j.step.name:<18} {_state(j, live):<16} {j.resources.describe():<28} "
              f"{', '.join(j.waits_for) or '-'}")


def submit_study(cfg: StudyConfig, *, only: list[str] | None = None, force: bool = False, show_plan: bool = False,
                 wait: bool = False, poll_seconds: float = StudyLayout.poll_seconds,
                 commands: SlurmCommands | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> list[Job]:
    """Submit the unfinished steps as jobs (or only print the graph); with `wait`, block until
    the jobs have ended and raise a one-line UserError naming the first failed step."""
    if not cfg.source:
        raise UserError("--executor slurm needs the study as a file (the jobs re-read it): reasoning-suite study FILE")
    lay = StudyLayout(cfg.out_dir)
    steps = plan(cfg)
    if only:
        unknown = sorted(set(only) - {s.name for s in steps})
        if unknown:
            raise UserError(f"--only: unknown step {unknown[0]!r} (steps: {', '.join(s.name for s in steps)})")
    commands = commands or SlurmCommands()
    record = JobsFile(lay)
    recorded = record.read()
    note = ""
    if show_plan and not SlurmCommands.available():
        queued: dict[str, LiveJob] = {}
        note = " (Slurm commands not found: the queue is not shown)"
    else:
        queued = live_steps(recorded, commands.live_jobs())
    done = {s.name for s in steps if step_done(s, lay)}
    jobs = job_graph(steps, cfg.slurm, done, queued, selected=set(only) if only else None, force=force)
    if show_plan:
        print_graph(cfg, jobs, queued, note)
        return jobs

    lay.root.mkdir(parents=True, exist_ok=True)
    lay.logs_dir.mkdir(exist_ok=True)
    lay.slurm_dir.mkdir(exist_ok=True)
    python = cfg.slurm.python or sys.executable
    cwd = Path.cwd()
    stale = [j.cancel for j in jobs if j.cancel]
    commands.cancel(stale)
    ids: dict[str, str] = {j.step.name: j.job_id for j in jobs if j.action == "keep" and j.job_id}
    for j in jobs:
        if j.action != "submit":
            continue
        script = lay.slurm_script(j.step.name)
        script.write_text(job_script(cfg, j.step, force=force, python=python, cwd=cwd))
        name = job_name(cfg, j.step)
        args = [f"--job-name={name}", f"--output={lay.slurm_out(j.step.name)}",
                f"--chdir={cwd}", *j.resources.sbatch_args()]
        deps = [ids[n] for n in j.waits_for]
        if deps:
            args.append("--dependency=afterok:" + ":".join(deps))
        try:
            j.job_id = commands.submit(args, script)
        except UserError as exc:
            where = _field_hint(cfg, j, str(exc))
            raise UserError(f"slurm: sbatch refused step {j.step.name}{where}: {exc}") from None
        ids[j.step.name] = j.job_id
        recorded[j.step.name] = {"job_id": j.job_id, "name": name, "submitted": time.time()}
        record.write(recorded)
    submitted = [j for j in jobs if j.action == "submit"]
    kept = [j for j in jobs if j.action == "keep"]
    console.print(f"slurm: submitted {len(submitted)} jobs"
                  + (f" ({', '.join(f'{j.step.name}={j.job_id}' for j in submitted)})" if submitted else "")
                  + (f", {len(kept)} still queued" if kept else "")
                  + (f", cancelled {len(stale)} that could never start" if stale else "")
                  + f"; logs in {lay.logs_dir}", soft_wrap=True)
    if wait:
        wait_for(cfg, jobs, commands, poll_seconds=poll_seconds, sleep=sleep)
    return jobs


def _field_hint(cfg: StudyConfig, job: Job, message: str) -> str:
    """Name the config field a refusal points at (partition, account, time), when it does."""
    klass = getattr(cfg.slurm, job.resources.klass)
    low = message.lower()
    for word, name in (("partition", "partition"), ("account", "account"), ("time limit", "time")):
        if word in low:
            field = f"slurm.{job.resources.klass}.{name}" if getattr(klass, name, None) else f"slurm.{name}"
            return f" ({cfg.source}: {field} = {getattr(job.resources, name)!r})"
    return ""


def wait_for(cfg: StudyConfig, jobs: list[Job], commands: SlurmCommands, *, poll_seconds: float = StudyLayout.poll_seconds,
             sleep: Callable[[float], None] = time.sleep) -> None:
    """Poll the queue until none of the study's jobs is left (cancelling those a failed
    dependency blocks forever); report each step's end; raise for the first failed step."""
    lay = StudyLayout(cfg.out_dir)
    mine = {j.job_id: j for j in jobs if j.action in ("keep", "submit") and j.job_id}
    started = time.monotonic()
    seen: dict[str, str] = {}
    while True:
        live = {i: lj for i, lj in commands.live_jobs().items() if i in mine}
        for job_id, job in mine.items():
            state = live[job_id].state if job_id in live else "ENDED"
            if seen.get(job_id) != state:
                seen[job_id] = state
                if state == "RUNNING" or state == "ENDED":
                    verdict = "" if state == "RUNNING" else (" done" if step_done(job.step, lay) else " failed")
                    console.print(f"[{time.monotonic() - started:6.1f} s] job {job_id} {job.step.name}: "
                                  f"{state.lower()}{verdict}")
        blocked = [i for i, lj in live.items() if lj.blocked]
        if live and len(blocked) == len(live):
            commands.cancel(blocked)
            break
        if not live:
            break
        sleep(poll_seconds)
    failed = [j for j in mine.values() if not step_done(j.step, lay) and not live.get(j.job_id)]
    never = [mine[i] for i in live]
    if failed:
        first = failed[0]
        log = lay.log(first.step.name)
        slurm_out = lay.slurm_out(first.step.name, first.job_id)
        why = failure_line(log) or failure_line(slurm_out)
        cancelled = f"; {len(never)} steps that need it were cancelled" if never else ""
        raise UserError(f"slurm: step {first.step.name} failed (job {first.job_id}); log "
                        f"{log if log.exists() else slurm_out}: {why}{cancelled}; re-run the same command to resubmit")
    console.print(f"slurm: all {len(mine)} jobs finished in {time.monotonic() - started:.1f} s")

