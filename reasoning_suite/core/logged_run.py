"""The one reader of what lm-eval wrote (docs/DATAFLOW.md §2), for judges and analysis alike.

`lm_eval --output_path OUT --log_samples` writes `OUT/<model_sanitized>/results_<ts>.json` and
`samples_<task>_<ts>.jsonl`; `--output_path x.json` writes `x_<ts>.json` with the samples in
x's directory. `<ts>` is `datetime.now().isoformat()` with ":" replaced by "-", and a results
file and its samples share it. The rules, each pinned in tests/test_core_logged_run.py:

- A directory may hold several invocations. Results files of the same model arguments and the
  same evaluation mode (few-shot count, chat template, thinking opened by the template,
  repeats, generation kwargs) are one run: for each task the newest timestamp wins and the
  older files are listed in `ignored`. Invocations in different modes are different runs
  (a zero-shot and a three-shot run of one model are never merged).
- Sample files whose timestamp has no results file join the one run of their directory that
  matches what the samples show (thinking, repeats), newest per task; with no results file in
  the directory they are a run of their own (judges need no results file; the analysis does).
  One that could belong to several runs is ignored.
- Files under a `judged/` directory are the judge's outputs, never lm-eval's.
- A bad JSON line is a one-line `UserError` naming `file:line`; so is a results file that is
  not valid JSON, or a sample without `doc_id`/`resps`. When a task logged several filters,
  the first filter's rows are the task's samples; a doc_id twice within it is an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from reasoning_suite.errors import UserError
from reasoning_suite.jsonl import iter_jsonl

TS = r"\d{4}-\d{2}-\d{2}T[0-9.\-]+"
SAMPLES_NAME = re.compile(rf"^samples_(?P<task>.+)_(?P<ts>{TS})\.jsonl$")
RESULTS_NAME = re.compile(rf"^results_(?P<ts>{TS})\.json$")
NAMED_RESULTS_NAME = re.compile(rf"^(?P<stem>.+)_(?P<ts>{TS})\.json$")  # --output_path x.json
# Our own output layout, one owner each (the judge writes, analysis reads, the demo points at it):
JUDGED_DIR = "judged"  # the panel's outputs, beside (or one level above) lm-eval's results file
JUDGED_RESULTS = "results_judged.json"
RUN_RECORD = "reasoning_suite_run.json"  # a student's training record, in its checkpoint directory


def judged_samples_name(task: str) -> str:
    """The judged samples of one task, in the `JUDGED_DIR`."""
    return f"samples_judged_{task}.jsonl"


def parse_model_args(raw: Any) -> dict[str, str]:
    """lm-eval stores ``model_args`` as ``"k=v,k=v"`` or, from the Python API, as a dict."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out: dict[str, str] = {}
    for part in str(raw).split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def read_json(path: Path) -> Any:
    """A JSON file, or a one-line UserError naming file:line."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def responses(sample: dict[str, Any]) -> list[str]:
    """The k generated responses of one sample (k = repeats).

    A generation task logs one request per doc, so `resps` is `[[r_1, ..., r_k]]`; a flat list
    of strings is read as the k responses. Non-strings are shown as JSON."""
    resps = sample.get("resps") or []
    first = resps[0] if resps and isinstance(resps[0], list) else resps
    return [r if isinstance(r, str) else json.dumps(r) for r in first]


def prompt_of(sample: dict[str, Any]) -> str:
    """The prompt lm-eval sent (`arguments.gen_args_0.arg_0`, or the list form of the Python API)."""
    args = sample.get("arguments") or {}
    if isinstance(args, dict):
        first = args.get("gen_args_0")
        if isinstance(first, dict) and isinstance(first.get("arg_0"), str):
            return first["arg_0"]
    if isinstance(args, list) and args and isinstance(args[0], list) and args[0]:
        return str(args[0][0])
    return ""


def gen_kwargs_of(sample: dict[str, Any]) -> dict[str, Any]:
    args = sample.get("arguments") or {}
    first = args.get("gen_args_0") if isinstance(args, dict) else None
    gen = first.get("arg_1") if isinstance(first, dict) else None
    return gen if isinstance(gen, dict) else {}


@dataclass(frozen=True)
class EvalSetting:
    """How a run was evaluated; runs that differ in any field are never merged or averaged."""

    num_fewshot: int | None = None  # None: unknown (no results file) or differing across tasks
    chat_template: bool | None = None
    thinking: bool = False  # the chat template opened <think> in the prompt (the run was told so)
    repeats: int | None = None
    gen_kwargs: str | None = None  # lm-eval's --gen_kwargs (`canonical_gen_kwargs`)

    @property
    def label(self) -> str:
        """Short text for tables and legends, in words: "0-shot chat", "3-shot · 96 new tokens",
        "0-shot chat thinking x4 · temperature 0.6". The one label every reader shows."""
        parts = []
        if self.num_fewshot is not None:
            parts.append(f"{self.num_fewshot}-shot")
        if self.chat_template:
            parts.append("chat")
        if self.thinking:
            parts.append("thinking")
        if self.repeats and self.repeats > 1:
            parts.append(f"x{self.repeats}")
        words = [" ".join(parts)] if parts else []
        words += [_gen_kwarg_words(k, v) for k, v in _parse_gen_kwargs(self.gen_kwargs).items()]
        return " · ".join(words) or "default"


def _parse_gen_kwargs(raw: Any) -> dict[str, Any]:
    """lm-eval's `--gen_kwargs` as logged: a dict, its `str()`, or "k=v,k=v"; {} when empty."""
    if raw is None or raw == "" or raw == {}:
        return {}
    if isinstance(raw, dict):
        return {str(k): v for k, v in raw.items()}
    text = str(raw).strip()
    if text.startswith("{"):
        import ast

        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    for part in text.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
        elif part.strip():
            out[part.strip()] = True
    return out


def canonical_gen_kwargs(raw: Any) -> str | None:
    """`--gen_kwargs` in one spelling ("k=v,k=v", sorted), so that the same kwargs written as a
    dict or a string are one evaluation mode; None when there are none."""
    kv = _parse_gen_kwargs(raw)
    return ",".join(f"{k}={v}" for k, v in sorted(kv.items())) or None


_GEN_WORDS = {"max_gen_toks": "{} new tokens", "max_new_tokens": "{} new tokens", "temperature": "temperature {}",
              "top_p": "top-p {}", "top_k": "top-k {}"}


def _gen_kwarg_words(key: str, value: Any) -> str:
    if key == "do_sample":
        return "sampled" if str(value).lower() in ("true", "1") else "greedy"
    if key in _GEN_WORDS:
        return _GEN_WORDS[key].format(value)
    return f"{key} {value}"


@dataclass
class TaskLog:
    """One task of a run: its samples file and the results file written with it."""

    task: str
    samples_path: Path
    timestamp: str
    results_path: Path | None = None
    results: dict[str, Any] | None = field(default=None, repr=False)  # the whole results file
    _samples: list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def result(self) -> dict[str, Any] | None:
        """The task's entry in `results` (lm-eval's `results[task]`: `acc,none`, ...)."""
        r = (self.results or {}).get("results") or {}
        entry = r.get(self.task)
        return entry if isinstance(entry, dict) else None

    @property
    def config(self) -> dict[str, Any] | None:
        """The task's config as lm-eval ran it (`configs[task]`: num_fewshot, repeats, ...)."""
        entry = ((self.results or {}).get("configs") or {}).get(self.task)
        return entry if isinstance(entry, dict) else None

    @property
    def n_samples(self) -> dict[str, Any] | None:
        entry = ((self.results or {}).get("n-samples") or {}).get(self.task)
        return entry if isinstance(entry, dict) else None

    @property
    def n_answers(self) -> int:
        """Scored answers of the task in lm-eval's run: effective samples x repeats."""
        eff = (self.n_samples or {}).get("effective")
        repeats = (self.config or {}).get("repeats")
        if isinstance(eff, int) and isinstance(repeats, int) and repeats > 0:
            return eff * repeats
        return sum(len(responses(s)) for s in self.iter_samples())

    def status_counts(self) -> dict[str, int]:
        """Answers per scoring status over the whole run: from the logged samples' `unscored`
        lists (`core.score.count_statuses`; streamed from the file, so never cut by `judge
        --limit`), or for a run made before them from its results' `status_<name>` fractions
        (`core.score.status_counts`); empty for a run made before statuses existed."""
        from reasoning_suite.core.score import count_statuses, status_counts

        result = self.result
        old = status_counts(result, self.n_answers) if result else {}
        return old or count_statuses(iter_samples(self.samples_path))

    @property
    def num_fewshot(self) -> int | None:
        shots = ((self.results or {}).get("n-shot") or {}).get(self.task)
        if shots is None and self.config:
            shots = self.config.get("num_fewshot")
        return int(shots) if isinstance(shots, (int, float)) and not isinstance(shots, bool) else (0 if self.results else None)

    @property
    def samples(self) -> list[dict[str, Any]]:
        """The task's logged samples, in file order (read once, validated)."""
        if self._samples is None:
            self._samples = read_samples(self.samples_path)
        return self._samples

    @samples.setter
    def samples(self, rows: list[dict[str, Any]]) -> None:  # e.g. `judge --limit N`
        self._samples = rows

    def iter_samples(self) -> Iterator[dict[str, Any]]:
        """The samples one at a time (`iter_samples`), or those already set or read."""
        if self._samples is not None:
            return iter(self._samples)
        return iter_samples(self.samples_path)

    def first_sample(self) -> dict[str, Any] | None:
        for _, row in iter_jsonl(self.samples_path):
            return row if isinstance(row, dict) else None
        return None


def iter_samples(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of one lm-eval samples file, one line at a time: the first filter's, each doc_id once.

    Streaming, so that a reader keeps what it needs of each row (the analysis: counts and
    scores) and never the whole file; `read_samples` is this, listed."""
    first_filter: Any = None
    seen: set = set()
    for n, (where, row) in enumerate(iter_jsonl(path)):
        if not isinstance(row, dict):
            raise UserError(f"{where}: a sample must be a JSON object")
        for key in ("doc_id", "resps"):
            if key not in row:
                raise UserError(f"{where}: sample has no {key!r} field (is this an lm-eval --log_samples file?)")
        if not isinstance(row["resps"], list):
            raise UserError(f"{where}: 'resps' must be a list (of lists) of strings")
        filt = row.get("filter")
        if n == 0:
            first_filter = filt
        elif filt != first_filter:
            continue  # several filters: the first one logged is the task's answer
        doc_id = row["doc_id"]
        try:
            hash(doc_id)
        except TypeError:
            raise UserError(f"{where}: doc_id must be a number or a string") from None
        if doc_id in seen:
            raise UserError(f"{where}: doc_id {doc_id} appears twice for filter {filt!r}")
        seen.add(doc_id)
        yield row
    if not seen:
        raise UserError(f"{path}: no samples in the file")


def read_samples(path: Path) -> list[dict[str, Any]]:
    """Rows of one lm-eval samples file (`iter_samples`), all in memory."""
    return list(iter_samples(path))


@dataclass
class LoggedRun:
    """One run: one model, one evaluation setting, the newest samples of each task."""

    directory: Path
    tasks: dict[str, TaskLog]
    setting: EvalSetting
    ignored: list[Path] = field(default_factory=list)

    @property
    def results_paths(self) -> list[Path]:
        """The results files the run's tasks come from, newest first."""
        paths = {t.results_path: t.timestamp for t in self.tasks.values() if t.results_path is not None}
        return sorted(paths, key=lambda p: paths[p], reverse=True)

    @property
    def results_path(self) -> Path | None:
        """The newest results file of the run (None: samples without a results file)."""
        paths = self.results_paths
        return paths[0] if paths else None

    @property
    def results(self) -> dict[str, Any] | None:
        """The newest results file's content (its `config`, `model_name`, `date`, ...)."""
        newest = self.results_path
        for t in self.tasks.values():
            if t.results_path == newest:
                return t.results
        return None

    @property
    def timestamp(self) -> str:
        return max(t.timestamp for t in self.tasks.values())

    @property
    def config(self) -> dict[str, Any]:
        cfg = (self.results or {}).get("config")
        return cfg if isinstance(cfg, dict) else {}

    @property
    def model_args(self) -> dict[str, str]:
        return parse_model_args(self.config.get("model_args"))

    @property
    def pretrained(self) -> str | None:
        args = self.model_args
        return args.get("pretrained") or args.get("model") or None

    def describe(self) -> str:
        where = self.results_path or self.directory
        return f"{where} ({self.setting.label}; tasks {', '.join(self.tasks)})"


# ----------------------------------------------------------------------------- discovery


def _is_judged(path: Path, root: Path) -> bool:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = path
    return JUDGED_DIR in rel.parts[:-1]


def _results_ts(path: Path) -> str | None:
    """The timestamp of an lm-eval results file, or None when the file is not one."""
    m = RESULTS_NAME.match(path.name)
    if m:
        return m.group("ts")
    m = NAMED_RESULTS_NAME.match(path.name)
    if m and any(path.parent.glob(f"samples_*_{m.group('ts')}.jsonl")):
        return m.group("ts")
    return None


def _setting(results: dict[str, Any] | None, tasks: list[TaskLog]) -> EvalSetting:
    """A run's evaluation setting: from its results file (few-shot count, chat template, repeats, gen kwargs,
    and the thinking mode its filter was told, `core.answer.extraction_from_task_config`); samples
    without a results file show only their repeats and whether the prompt opened <think>."""
    from reasoning_suite.core.answer import extraction_from_task_config, prompt_opens_thinking

    first = next((t.first_sample() for t in tasks), None) or {}
    k = len(responses(first)) or None
    if results is None:
        return EvalSetting(thinking=prompt_opens_thinking(prompt_of(first)), repeats=k)
    shots = {t.num_fewshot for t in tasks}
    repeats = {(t.config or {}).get("repeats", k) for t in tasks}
    told = {extraction_from_task_config(t.config) for t in tasks}
    thinking = any(m.template_opened_thinking for m in told) if any(m.told for m in told) \
        else prompt_opens_thinking(prompt_of(first))
    gen = (results.get("config") or {}).get("gen_kwargs")
    return EvalSetting(
        num_fewshot=shots.pop() if len(shots) == 1 else None,
        chat_template=bool(results.get("chat_template")) or bool(results.get("chat_template_sha")),
        thinking=thinking,
        repeats=repeats.pop() if len(repeats) == 1 else None,
        gen_kwargs=canonical_gen_kwargs(gen),
    )


def _runs_in_directory(directory: Path, results_files: dict[str, Path], samples: dict[tuple[str, str], Path]) -> list[LoggedRun]:
    groups: dict[tuple[str, EvalSetting], list[tuple[str, Path, dict[str, Any], list[TaskLog]]]] = {}
    for ts, path in sorted(results_files.items()):
        results = read_json(path)
        if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
            raise UserError(f"{path}: not an lm-eval results file (no 'results' field)")
        logs = [TaskLog(task, p, ts, path, results) for (task, t), p in sorted(samples.items()) if t == ts]
        if not logs:
            raise UserError(f"{path}: no samples_<task>_{ts}.jsonl next to it; needs lm_eval --log_samples")
        key = (json.dumps((results.get("config") or {}).get("model_args"), sort_keys=True, default=str), _setting(results, logs))
        groups.setdefault(key, []).append((ts, path, results, logs))
    runs: list[LoggedRun] = []
    for (_, setting), members in groups.items():
        newest: dict[str, TaskLog] = {}
        ignored: list[Path] = []
        for ts, path, _results, logs in members:  # oldest first
            for log in logs:
                if log.task in newest:
                    ignored.append(newest[log.task].samples_path)
                newest[log.task] = log
        runs.append(LoggedRun(directory=directory, tasks=dict(sorted(newest.items())), setting=setting, ignored=ignored))
    orphans = sorted(((task, ts), p) for (task, ts), p in samples.items() if ts not in results_files)
    if not orphans:
        return runs
    own: dict[str, TaskLog] = {}
    ignored_own: list[Path] = []
    for (task, ts), p in sorted(orphans, key=lambda kv: kv[0][1]):  # oldest first
        log = TaskLog(task, p, ts)
        seen = _setting(None, [log])
        # A samples file whose results file is gone joins the one run it can belong to
        # (same thinking and repeats); the newest file of each task still wins.
        fits = [r for r in runs if r.setting.thinking == seen.thinking and r.setting.repeats in (None, seen.repeats)]
        if len(fits) == 1:
            target = fits[0].tasks
            if task in target and target[task].timestamp > ts:
                fits[0].ignored.append(p)
                continue
            if task in target:
                fits[0].ignored.append(target[task].samples_path)
            target[task] = log
        elif not runs:
            if task in own:
                ignored_own.append(own[task].samples_path)
            own[task] = log
        else:
            runs[0].ignored.append(p)  # cannot tell which run it belongs to
    if own:
        runs.append(LoggedRun(directory=directory, tasks=dict(sorted(own.items())),
                              setting=_setting(None, list(own.values())), ignored=ignored_own))
    for r in runs:
        r.tasks = dict(sorted(r.tasks.items()))
    return runs


def discover(paths: Iterable[str | Path]) -> list[LoggedRun]:
    """Every run under `paths`: directories (searched recursively), results files (that run
    only) or samples files (their run). Raises UserError when nothing is found."""
    by_dir: dict[Path, tuple[dict[str, Path], dict[tuple[str, str], Path]]] = {}
    only: dict[Path, set[str]] = {}  # directory -> timestamps named explicitly
    roots = []
    for raw in paths:
        p = Path(raw)
        roots.append(p)
        if p.is_dir():
            for f in sorted(p.rglob("*.json*")):
                if _is_judged(f, p) or not f.is_file():
                    continue
                m = SAMPLES_NAME.match(f.name)
                if m:
                    by_dir.setdefault(f.parent, ({}, {}))[1][(m.group("task"), m.group("ts"))] = f
                elif f.suffix == ".json" and (ts := _results_ts(f)):
                    by_dir.setdefault(f.parent, ({}, {}))[0][ts] = f
        elif p.is_file():
            m = SAMPLES_NAME.match(p.name)
            ts = m.group("ts") if m else (_results_ts(p) if p.suffix == ".json" else None)
            if ts is None:
                raise UserError(f"{p}: not an lm-eval results_<ts>.json or samples_<task>_<ts>.jsonl file")
            results, samples = by_dir.setdefault(p.parent, ({}, {}))
            if m:
                samples[(m.group("task"), ts)] = p
                res = [f for f in p.parent.glob(f"*_{ts}.json") if _results_ts(f) == ts]
                if res:
                    results[ts] = res[0]
            else:
                results[ts] = p
                for f in p.parent.glob(f"samples_*_{ts}.jsonl"):
                    if (sm := SAMPLES_NAME.match(f.name)) and sm.group("ts") == ts:
                        samples[(sm.group("task"), ts)] = f
            only.setdefault(p.parent, set()).add(ts)
        else:
            raise UserError(f"{p}: no such file or directory")
    runs: list[LoggedRun] = []
    for directory, (results, samples) in sorted(by_dir.items()):
        if directory in only and not any(r.is_dir() and (directory == r or r in directory.parents) for r in roots):
            results = {ts: f for ts, f in results.items() if ts in only[directory]}
            samples = {k: f for k, f in samples.items() if k[1] in only[directory]}
        runs.extend(_runs_in_directory(directory, results, samples))
    if not runs:
        listed = ", ".join(map(str, roots))
        raise UserError(
            f"no lm-eval output (results_<ts>.json with samples_<task>_<ts>.jsonl) under {listed}; "
            "run lm_eval with --output_path and --log_samples"
        )
    return runs


def find_one(paths: Iterable[str | Path]) -> LoggedRun:
    """The single run under `paths` (what `judge` reads); several runs are an error naming them."""
    runs = discover(paths)
    if len(runs) > 1:
        listed = "; ".join(r.describe() for r in runs[:4]) + (" ..." if len(runs) > 4 else "")
        raise UserError(f"samples of several runs found ({listed}); pass one run's directory or results file")
    return runs[0]
