"""Evaluation runs on disk -> one tidy table, one row per (run, task, sample).

Reads what lm-eval writes with ``--output_path OUT --log_samples`` (docs/DATAFLOW.md §2)
through `reasoning_suite.core.logged_run` (the one reader, shared with the judges); the judge
panel's ``judged/`` files next to them (§3) when present; and the training record
``reasoning_suite_run.json`` in the checkpoint directory named by ``pretrained=`` (§4).

A RUN argument is any directory holding lm-eval output (``OUT``, ``OUT/<model>`` or a tree of
several), or a results file. One run is one model in one evaluation setting: re-runs in the same
setting merge (newest per task), a zero-shot and a three-shot run stay two runs, and the table's
``setting`` column says which (e.g. "0-shot chat", "3-shot"). ``LABEL=PATH`` names the runs
found under PATH.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from reasoning_suite.core import flops as F
from reasoning_suite.analysis.paired import context_id
from reasoning_suite.analysis.tokens import APPROX_SOURCE, counter_for
from reasoning_suite.core.logged_run import (JUDGED_DIR, JUDGED_RESULTS, RUN_RECORD, LoggedRun, TaskLog,
                                             judged_samples_name, discover, gen_kwargs_of, prompt_of, read_json, responses)
from reasoning_suite.errors import UserError
from reasoning_suite.core.aggregate import OTHER
from reasoning_suite.core.answer import AnswerRule, check_thinking_mode, extraction_from_task_config, prompt_opens_thinking
from reasoning_suite.harness_tasks.registry import TASKS, logged_answer_rule, primary_metric
from reasoning_suite.jsonl import iter_jsonl

log = logging.getLogger("reasoning_suite.analysis")


# Columns of the tidy table, in order (docs/analysis.md describes each).
RUN_COLUMNS = [
    "run", "model", "base_model", "format", "reasoning_ratio", "order", "mode", "setting", "params",
    "train_flops_paper", "train_flops_arch", "token_source", "flops_source", "judged",
]
SAMPLE_COLUMNS = [
    "task", "category", "doc_id", "context", "n_repeats", "acc", "metric", "has_answer", "judge_acc",
    "prompt_tokens", "answer_tokens", "thinking_tokens", "final_tokens", "max_gen_toks",
    "truncated", "no_final_answer", "closed_thinking", "inference_flops_paper", "inference_flops_arch",
]


@dataclass
class Run:
    """One lm-eval run (one results file) and everything found about it."""

    label: str
    logged: LoggedRun
    results_path: Path
    results: dict[str, Any]
    sample_paths: dict[str, Path]
    model_args: dict[str, str]
    pretrained: str | None
    record: dict[str, Any] | None = None
    judged_dir: Path | None = None
    judged_results: dict[str, Any] | None = None
    arch: F.ArchSpec | None = None
    flops_source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def setting(self) -> str:
        """How it was evaluated (few-shot count, chat template, thinking, repeats): `EvalSetting.label`."""
        return self.logged.setting.label

    @property
    def mode(self) -> str:
        """base / IFT / reasoning / <order> <ratio>: how the paper's figures group runs."""
        rec = self.record
        if not rec:
            return "base"
        ratio = rec.get("reasoning_ratio")
        fmt = rec.get("format") or "reasoning"
        if ratio is None or float(ratio) >= 1:
            return {"reasoning": "reasoning", "ift": "IFT"}.get(fmt, fmt)
        if float(ratio) <= 0:
            return "IFT"
        return f"{rec.get('order') or 'sequential'} {float(ratio):g}"


# ----------------------------------------------------------------------------- discovery


def discover_runs(specs: Iterable[str | Path]) -> list[Run]:
    """Find every run under the given paths (`core.logged_run.discover`) with its results file."""
    runs: list[Run] = []
    for spec in specs:
        spec = str(spec)
        label = None
        if "=" in spec and not Path(spec).exists():
            label, spec = spec.split("=", 1)
        root = Path(spec)
        if not root.exists():
            raise UserError(f"{root}: no such run directory")
        found = discover([root])
        for i, logged in enumerate(found):
            runs.append(_open_run(logged, label if len(found) == 1 else (f"{label}:{i}" if label else None)))
    _unique_labels(runs)
    return runs


def _open_run(logged: LoggedRun, label: str | None) -> Run:
    path = logged.results_path
    if path is None or logged.results is None:
        raise UserError(
            f"{logged.directory}: samples without their results_<timestamp>.json; the analysis needs lm-eval's results file"
        )
    results = logged.results
    samples = {t: log.samples_path for t, log in logged.tasks.items()}
    configs = {t for r in logged.results_paths for log in logged.tasks.values() if log.results_path == r
               for t in ((log.results or {}).get("configs") or {})}
    missing = sorted(configs - set(samples))
    if missing:
        log.warning("%s: no logged samples for task(s) %s; they are left out", path, ", ".join(missing))
    for old in logged.ignored:
        log.warning("%s: an older or unmatched samples file; the newest samples of each task are used", old)
    run = Run(
        label=label or "",
        logged=logged,
        results_path=path,
        results=results,
        sample_paths=dict(sorted(samples.items())),
        model_args=logged.model_args,
        pretrained=logged.pretrained,
    )
    if not run.label:
        pretrained = run.pretrained
        base = Path(pretrained).name if pretrained else (results.get("model_name") or path.parent.name)
        run.label = base or path.parent.name
    _attach_record(run)
    _attach_judged(run)
    _attach_arch(run)
    return run


def _unique_labels(runs: list[Run]) -> None:
    """Runs sharing a label get their setting appended, then (same setting too) their timestamp."""
    for suffix in (lambda r: f" [{r.setting}]", lambda r: f"@{r.logged.timestamp}"):
        counts = Counter(r.label for r in runs)
        for lab, n in counts.items():
            members = [r for r in runs if r.label == lab]
            if n > 1 and len({suffix(r) for r in members}) > 1:
                for r in members:
                    r.label += suffix(r)


def _attach_record(run: Run) -> None:
    if not run.pretrained:
        return
    p = Path(run.pretrained) / RUN_RECORD
    if p.is_file():
        rec = read_json(p)
        if not isinstance(rec, dict):
            raise UserError(f"{p}: a training record must be a JSON object")
        ratio = rec.get("reasoning_ratio")
        if ratio is not None and not (isinstance(ratio, (int, float)) and 0 <= ratio <= 1):
            raise UserError(f"{p}: field 'reasoning_ratio' must be a number in [0, 1], got {ratio!r}")
        run.record = rec


def _attach_judged(run: Run) -> None:
    mine = {p.resolve() for p in run.logged.results_paths}
    for d in (run.results_path.parent / JUDGED_DIR, run.results_path.parent.parent / JUDGED_DIR):
        f = d / JUDGED_RESULTS
        if f.is_file():
            jr = read_json(f)
            src = jr.get("source") if isinstance(jr, dict) else None
            if src and Path(src).resolve() not in {run.results_path.parent.resolve(), run.results_path.parent.parent.resolve()}:
                continue  # judged results of another run directory
            src_results = jr.get("source_results") if isinstance(jr, dict) else None
            if src_results and Path(src_results).resolve() not in mine:
                continue  # judged another run (another setting) of the same directory
            run.judged_dir, run.judged_results = d, jr
            return


def _attach_arch(run: Run) -> None:
    if not run.pretrained:
        run.flops_source = "no model named in model_args"
        return
    try:
        p = Path(run.pretrained)
        if p.is_dir():
            run.arch = F.ArchSpec.from_config(p)
        else:
            from transformers import AutoConfig

            run.arch = F.ArchSpec.from_config(AutoConfig.from_pretrained(run.pretrained, local_files_only=True))
        run.flops_source = "config"
    except UserError as exc:
        run.flops_source = f"no FLOPs: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure to read a config means "no FLOPs", reported
        run.flops_source = f"no FLOPs: cannot load a config for {run.pretrained!r} offline ({type(exc).__name__})"
    if run.arch is None:
        log.warning("run %s: %s", run.label, run.flops_source)


# ----------------------------------------------------------------------------- categories


def task_category(task: str) -> str:
    """Category of a task from the task registry; tasks the suite does not define are "Other"."""
    info = TASKS.get(task)
    return info.category if info is not None else OTHER


# ----------------------------------------------------------------------------- samples


BATCH = 512  # samples whose texts are held at once (tokenised together, then dropped)


@dataclass
class _Batch:
    """The texts of up to BATCH samples, held only until their tokens are counted."""

    prompts: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)  # flattened over repeats
    final: list[str] = field(default_factory=list)
    answered: list[bool] = field(default_factory=list)  # the response has a final answer (`final_answer`)
    closed: list[bool] = field(default_factory=list)  # it closed its thinking block (`Split.closed_thinking`)
    n_rep: list[int] = field(default_factory=list)
    max_gen: list[float] = field(default_factory=list)


def _task_frame(run: Run, task: str, task_log: TaskLog, counter, cached_ffn: bool, batch: int | None = BATCH) -> pd.DataFrame:
    """One task's rows of the table, streaming its samples file: each sample's scores and
    numbers are kept, its texts only until the batch they are in is tokenised. ``batch=None``
    holds the whole task at once (the same values; tests and the benchmark's baseline)."""
    path = task_log.samples_path
    metric = primary_metric(task)
    # The thinking/answer split by the rule the run was scored with (its logged answer extraction);
    # prompts that open <think> unbeknown to the run are checked once the file is read.
    extraction = extraction_from_task_config(task_log.config)
    rule: AnswerRule = logged_answer_rule(task, task_log.config, (), where=str(path))
    opened: list[str] = []  # prompts ending in an open <think> (none in a well-told run)
    doc_ids: list[Any] = []
    contexts: list[int] = []  # `paired.context_id`: which documents are resampled together
    acc: list[float] = []
    has_answer: list[float] = []
    prompt_hashes: list[str | None] = []
    used_metric = ""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "n_repeats", "prompt_tokens", "answer_tokens", "thinking_tokens", "final_tokens", "max_gen_toks",
        "truncated", "no_final_answer", "closed_thinking", "inference_flops_paper", "inference_flops_arch")}

    def flush(b: _Batch) -> None:
        if not b.n_rep:
            return
        reps = np.asarray(b.n_rep, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(reps)[:-1]]).astype(np.int64)
        p_tok = counter.count(b.prompts).astype(np.float64)  # remembered: runs share their prompts
        th_tok = counter.count(b.thinking, remember=False).astype(np.float64)
        fi_tok = counter.count(b.final, remember=False).astype(np.float64)
        ans_tok = th_tok + fi_tok
        max_gen = np.asarray(b.max_gen, dtype=np.float64)
        rep_max_gen = np.repeat(max_gen, reps)
        truncated = (~np.isnan(rep_max_gen)) & (ans_tok >= rep_max_gen)
        if run.arch is not None:
            fl = F.inference_flops(run.arch, np.repeat(p_tok, reps), ans_tok, cached_ffn=cached_ffn)
            fp, fa = np.asarray(fl["paper"], dtype=np.float64), np.asarray(fl["arch"], dtype=np.float64)
        else:
            fp = fa = np.full(len(ans_tok), np.nan)

        def mean(x: np.ndarray) -> np.ndarray:  # over each sample's repeats (every sample has >= 1)
            return np.add.reduceat(np.asarray(x, dtype=np.float64), starts) / reps

        for k, v in (("n_repeats", reps), ("prompt_tokens", p_tok), ("answer_tokens", mean(ans_tok)),
                     ("thinking_tokens", mean(th_tok)), ("final_tokens", mean(fi_tok)), ("max_gen_toks", max_gen),
                     ("truncated", mean(truncated)), ("no_final_answer", mean(~np.asarray(b.answered))),
                     ("closed_thinking", mean(np.asarray(b.closed))),
                     ("inference_flops_paper", mean(fp)), ("inference_flops_arch", mean(fa))):
            parts[k].append(v)

    b = _Batch()
    for s in task_log.iter_samples():  # validated by core.logged_run: first filter, each doc_id once
        doc_id = s["doc_id"]
        score = s.get(metric)
        name = metric
        if score is None:
            names = [m for m in s.get("metrics") or [] if isinstance(s.get(m), (int, float))]
            if not names:
                raise UserError(f"{path} (doc_id {doc_id}): no per-sample metric ({metric!r} or any in 'metrics')")
            name = names[0]
            score = s[name]
        used_metric = used_metric or name
        prompt = prompt_of(s)
        if prompt_opens_thinking(prompt):
            opened.append(prompt)
        gen = gen_kwargs_of(s)
        texts = responses(s) or [""]
        doc_ids.append(doc_id)
        contexts.append(context_id(task, s.get("doc")))
        acc.append(float(score))
        ha = s.get("has_answer")
        has_answer.append(float(ha) if isinstance(ha, (int, float)) else math.nan)
        prompt_hashes.append(s.get("prompt_hash"))
        mg = gen.get("max_gen_toks") if isinstance(gen, dict) else None
        b.max_gen.append(float(mg) if isinstance(mg, (int, float)) else math.nan)
        b.prompts.append(prompt)
        b.n_rep.append(len(texts))
        for t in texts:
            sp = rule.split(t)
            th, rest = sp.thinking_split(t)
            b.thinking.append(th)
            b.final.append(rest or "")
            b.answered.append(rest is not None)
            b.closed.append(sp.closed_thinking)
        del s, texts  # the sample's texts live on only in the batch
        if batch is not None and len(b.n_rep) >= batch:
            flush(b)
            b = _Batch()
    flush(b)
    if opened:
        check_thinking_mode(extraction, opened, where=str(path))
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    return pd.DataFrame({
        "task": task,
        "category": task_category(task),
        "doc_id": doc_ids,
        "context": np.asarray(contexts, dtype=np.int64),
        "n_repeats": cols["n_repeats"],
        "acc": acc,
        "metric": used_metric,
        "has_answer": has_answer,
        "judge_acc": _read_judged(run, task, doc_ids, prompt_hashes),
        **{k: cols[k] for k in SAMPLE_COLUMNS if k in cols and k != "n_repeats"},
    })


def _read_judged(run: Run, task: str, doc_ids: list[int], prompt_hashes: list[str | None]) -> np.ndarray:
    out = np.full(len(doc_ids), np.nan)
    if run.judged_dir is None:
        return out
    p = run.judged_dir / judged_samples_name(task)
    if not p.is_file():
        return out
    index = {d: i for i, d in enumerate(doc_ids)}
    seen = 0
    for where, s in iter_jsonl(p):
        i = index.get(s.get("doc_id"))
        if i is None:
            raise UserError(
                f"{where}: doc_id {s.get('doc_id')!r} is not among the samples of {run.results_path.parent} "
                f"(judged results of another run?)"
            )
        ph = s.get("prompt_hash")
        if ph and prompt_hashes[i] and ph != prompt_hashes[i]:
            raise UserError(
                f"{where}: doc_id {s.get('doc_id')} was judged on a different prompt than the run's "
                f"(prompt_hash differs; judged results of another run?)"
            )
        ja = s.get("judge_acc")
        out[i] = float(ja) if isinstance(ja, (int, float)) else np.nan
        seen += 1
    if seen and seen < len(doc_ids):
        log.warning("run %s task %s: %d of %d samples judged", run.label, task, seen, len(doc_ids))
    return out


def _run_table(run: Run, cached_ffn: bool, batch: int | None = BATCH) -> pd.DataFrame:
    counter = counter_for(run.model_args.get("tokenizer") or run.pretrained)
    frames = [_task_frame(run, task, task_log, counter, cached_ffn, batch) for task, task_log in run.logged.tasks.items()]
    df = pd.concat(frames, ignore_index=True)
    rec = run.record or {}
    tf = rec.get("train_flops") or {}
    meta = {
        "run": run.label,
        "model": run.pretrained or "",
        "base_model": rec.get("base_model") or (run.pretrained or ""),
        "format": rec.get("format") or "base",
        "reasoning_ratio": float(rec["reasoning_ratio"]) if rec.get("reasoning_ratio") is not None else np.nan,
        "order": rec.get("order") or "",
        "mode": run.mode,
        "setting": run.setting,
        "params": float(run.arch.num_parameters) if run.arch else np.nan,
        "train_flops_paper": float(tf["paper"]) if isinstance(tf.get("paper"), (int, float)) else np.nan,
        "train_flops_arch": float(tf["arch"]) if isinstance(tf.get("arch"), (int, float)) else np.nan,
        "token_source": counter.source,
        "flops_source": run.flops_source,
        "judged": run.judged_dir is not None,
    }
    for k, v in meta.items():
        df[k] = v
    return df[RUN_COLUMNS + SAMPLE_COLUMNS]


def load_table(
    specs: Iterable[str | Path],
    *,
    cached_ffn: bool = True,
    progress: Callable[[str], None] | None = None,
    batch: int | None = BATCH,
) -> tuple[pd.DataFrame, list[Run]]:
    """Load runs into the tidy table (one row per run, task and sample) and the list of runs.

    The samples are streamed (`_task_frame`): memory grows with the number of samples, not
    with the length of their texts; ``batch`` samples' texts are held at a time."""
    runs = discover_runs(specs)
    frames = []
    for run in runs:
        if progress:
            progress(run.label)
        frames.append(_run_table(run, cached_ffn, batch))
    df = pd.concat(frames, ignore_index=True)
    for col in ("run", "model", "base_model", "format", "order", "mode", "setting", "task", "category", "metric",
                "token_source", "flops_source"):
        df[col] = df[col].astype("category")
    if (df["token_source"] == APPROX_SOURCE).any():
        approx = sorted(df.loc[df["token_source"] == APPROX_SOURCE, "run"].unique())
        log.warning("approximate token counts (%s) for runs: %s", APPROX_SOURCE, ", ".join(map(str, approx)))
    return df, runs


def runs_frame(runs: list[Run], table: pd.DataFrame) -> pd.DataFrame:
    """One row per run with its metadata (the run-level columns of the table)."""
    return table.drop_duplicates("run")[RUN_COLUMNS].reset_index(drop=True)
