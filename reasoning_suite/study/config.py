"""A whole study in one YAML file: students, teacher, ratios, tasks, panel.

    name: qwen-math
    out_dir: runs/qwen-math
    base_model: Qwen/Qwen2.5-1.5B
    pairs: {import: math}                      # or {file: pairs.jsonl} or {generate: {...}}
    students:
      - {name: ift, ratio: 0.0}
      - {name: reasoning, ratio: 1.0}
      - {name: half-seq, ratio: 0.5, order: sequential}
    train: {global_batch_tokens: 262144, max_seq_length: 16384}
    eval: {tasks: reasoning_suite, model_args: "dtype=bfloat16", apply_chat_template: true}
    judges: {panel: paper}
    slurm: {partition: gpu, account: my-lab, gpu: {gpus: 8, time: "24:00:00"}}   # --executor slurm

Every field is checked on load; a mistake is one line naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reasoning_suite.errors import UserError


@dataclass(frozen=True)
class GenerateSpec:
    """Pairs made by a teacher behind an OpenAI-compatible endpoint (`reasoning-suite generate`)."""

    base_url: str
    model: str
    prompts_jsonl: str | None = None
    dataset: str | None = None
    dataset_config: str | None = None
    split: str | None = None
    prompt_field: str | None = None
    limit: int | None = None
    api_key_env: str | None = None
    max_tokens_reasoning: int | None = None
    max_tokens_ift: int | None = None
    concurrency: int | None = None


@dataclass(frozen=True)
class PairsSpec:
    """Where the IFT/reasoning pairs come from: exactly one of the three."""

    file: str | None = None          # published-schema JSONL/parquet (prompt, reasoning, ift)
    import_: str | None = None       # 'math' / 'general' / a hub id of the authors' pairs
    generate: GenerateSpec | None = None
    limit: int | None = None
    keep_truncated: bool = False     # tiny teachers never finish their thinking


@dataclass(frozen=True)
class StudentSpec:
    name: str
    ratio: float
    format: str = "reasoning"
    order: str = "sequential"
    learning_rate: float | None = None


@dataclass(frozen=True)
class TrainSpec:
    global_batch_tokens: int | None = None
    max_seq_length: int | None = None
    per_device_batch_size: int | None = None
    warmup_steps: int | None = None
    decay_steps: int | None = None
    extra_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvalSpec:
    tasks: str = "reasoning_suite"
    offline: bool = False
    model: str = "hf"
    model_args: str = ""
    gen_kwargs: str | None = None
    limit: float | None = None
    batch_size: str = "auto"
    apply_chat_template: bool = True
    base_num_fewshot: int = 3        # paper: base models three-shot, students zero-shot
    repeats: int = 1
    thinking: str = "auto"
    extra_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgesSpec:
    panel: str | None = None         # panel YAML or preset name; None = no judging
    serve_local: bool = False        # serve base_model with `transformers serve` as the panel (demo)
    local_judges: int = 3
    local_max_tokens: int = 12         # a verdict `\boxed{yes}` fits; the served model decodes ~30 tokens/s on a CPU
    limit: int | None = None


@dataclass(frozen=True)
class SlurmResources:
    """What one job of a resource class asks Slurm for (`sbatch` options). Unset fields take the
    class's defaults (reasoning_suite.study.slurm.CLASS_DEFAULTS: gpu 1 GPU + 8 CPUs, cpu 2 CPUs)."""

    partition: str | None = None     # overrides slurm.partition for this class
    gpus: int | None = None          # --gres=gpu:N
    cpus: int | None = None          # --cpus-per-task
    mem: str | None = None           # --mem, e.g. 64G
    time: str | None = None          # --time, e.g. 04:00:00 or 1-00:00:00; overrides slurm.time
    extra_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlurmSpec:
    """`--executor slurm`: every step one job. Steps that generate, train or evaluate get the
    `gpu` resources, the rest (pair import, mixtures, judging, analysis) the `cpu` ones."""

    partition: str | None = None     # None: the cluster's default partition
    account: str | None = None
    time: str | None = None          # default time limit of every job
    gpu: SlurmResources = SlurmResources()
    cpu: SlurmResources = SlurmResources()
    setup: tuple[str, ...] = ()      # shell lines run first in every job (module load, source .venv/bin/activate)
    python: str | None = None        # interpreter on the nodes; default: the one submitting
    extra_args: tuple[str, ...] = () # extra sbatch options for every job (e.g. --qos=high)


@dataclass(frozen=True)
class StudyConfig:
    name: str
    out_dir: str
    base_model: str
    pairs: PairsSpec
    students: tuple[StudentSpec, ...]
    train: TrainSpec = TrainSpec()
    eval: EvalSpec = EvalSpec()
    judges: JudgesSpec = JudgesSpec()
    evaluate_base: bool = True
    slurm: SlurmSpec = SlurmSpec()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELD_ALIASES = {"import": "import_"}


def _build(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = _FIELD_ALIASES.get(key, key)
        if name not in fields or name == "source":
            shown = {v: k for k, v in _FIELD_ALIASES.items()}
            allowed = ", ".join(sorted(shown.get(k, k) for k in fields if k != "source"))
            raise UserError(f"{where}.{key}: unknown field (allowed: {allowed})")
        kwargs[name] = _convert(fields[name].type, value, f"{where}.{key}")
    missing = [n for n, f in fields.items()
               if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise UserError(f"{where}: missing required field {missing[0]!r}")
    return cls(**kwargs)


_NESTED = {"GenerateSpec": GenerateSpec, "PairsSpec": PairsSpec, "TrainSpec": TrainSpec,
           "EvalSpec": EvalSpec, "JudgesSpec": JudgesSpec, "SlurmSpec": SlurmSpec, "SlurmResources": SlurmResources}


def _convert(type_str: Any, value: Any, where: str) -> Any:
    t = str(type_str)
    for name, cls in _NESTED.items():
        if t.startswith(name):
            return None if value is None and "None" in t else _build(cls, value, where)
    if t.startswith("tuple[StudentSpec"):
        if not isinstance(value, list) or not value:
            raise UserError(f"{where}: expected a non-empty list of students")
        students = tuple(_build(StudentSpec, v, f"{where}[{i}]") for i, v in enumerate(value))
        names = [s.name for s in students]
        if len(set(names)) != len(names):
            raise UserError(f"{where}: student names must be unique, got {names}")
        for i, s in enumerate(students):
            if not 0.0 <= float(s.ratio) <= 1.0:
                raise UserError(f"{where}[{i}].ratio: must be in [0, 1], got {s.ratio}")
            if s.order not in ("sequential", "mixed"):
                raise UserError(f"{where}[{i}].order: 'sequential' or 'mixed', got {s.order!r}")
            if not s.name.replace("-", "").replace("_", "").isalnum():
                raise UserError(f"{where}[{i}].name: letters, digits, '-' and '_' only, got {s.name!r}")
        return students
    if t.startswith("tuple[str"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UserError(f"{where}: expected a list of strings")
        return tuple(value)
    expected = [(k, py) for k, py in (("bool", bool), ("int", int), ("float", (int, float)), ("str", str)) if t.startswith(k)]
    if value is None:
        if "None" in t:
            return None
        raise UserError(f"{where}: must not be empty")
    if expected:
        name, py = expected[0]
        if isinstance(value, bool) and name != "bool":
            raise UserError(f"{where}: expected {name}, got a boolean")
        if not isinstance(value, py):
            raise UserError(f"{where}: expected {name}, got {type(value).__name__} {value!r}")
    return value


def load_study(path: str | Path) -> StudyConfig:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: study config not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise UserError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    cfg = study_from_dict(data, str(path))
    return dataclasses.replace(cfg, source=str(path))


def study_from_dict(data: Any, where: str = "study") -> StudyConfig:
    cfg: StudyConfig = _build(StudyConfig, data, where)
    chosen = [k for k in ("file", "import_", "generate") if getattr(cfg.pairs, k)]
    if len(chosen) != 1:
        raise UserError(f"{where}.pairs: give exactly one of file, import, generate (got {len(chosen)})")
    if cfg.judges.panel and cfg.judges.serve_local:
        raise UserError(f"{where}.judges: give either panel or serve_local, not both")
    if cfg.eval.thinking not in ("auto", "prompt-opened"):
        raise UserError(f"{where}.eval.thinking: 'auto' or 'prompt-opened', got {cfg.eval.thinking!r}")
    _check_slurm(cfg.slurm, f"{where}.slurm")
    return cfg


# Slurm's --time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
_SLURM_TIME = re.compile(r"^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$")
_SLURM_MEM = re.compile(r"^\d+[KMGT]?$")


def _check_slurm(spec: SlurmSpec, where: str) -> None:
    if spec.time is not None and not _SLURM_TIME.match(spec.time):
        raise UserError(f"{where}.time: a Slurm time limit like 04:00:00 or 1-12:00:00, got {spec.time!r}")
    for kind in ("gpu", "cpu"):
        res: SlurmResources = getattr(spec, kind)
        if (res.gpus is not None and res.gpus < 0) or (res.cpus is not None and res.cpus < 1):
            raise UserError(f"{where}.{kind}: gpus must be >= 0 and cpus >= 1, got gpus={res.gpus} cpus={res.cpus}")
        if res.time is not None and not _SLURM_TIME.match(res.time):
            raise UserError(f"{where}.{kind}.time: a Slurm time limit like 04:00:00 or 1-12:00:00, got {res.time!r}")
        if res.mem is not None and not _SLURM_MEM.match(res.mem):
            raise UserError(f"{where}.{kind}.mem: a Slurm memory size like 64G or 4000M, got {res.mem!r}")
