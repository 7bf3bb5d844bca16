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

Each section IS a command's config, so every knob and its default is declared once, in the
command's dataclass: `train` is `TrainConfig` (`reasoning-suite train`), `pairs.generate` is
`GenerateConfig`, `data` and each student are `BuildDataConfig`, `eval` extends `EvalOptions`
(`reasoning-suite eval`'s own options) with the lm-eval arguments, `judges` extends
`JudgeConfig`. The fields the study fills in itself (paths, the model, the samples) are not
allowed in the file. Every field is checked on load; a mistake is one line naming the file and
the field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reasoning_suite.config_parsing import FieldError, build, from_mapping, option
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.commands import EvalOptions
from reasoning_suite.judges.config import JudgeConfig
from reasoning_suite.trainers.config import BuildDataConfig, GenerateConfig, TrainConfig

# Fields of each command's config the study fills in (giving them in the file is a mistake).
FILLED_BY_STUDY: dict[type, frozenset[str]] = {
    TrainConfig: frozenset({"model", "output_dir", "stages"}),
    GenerateConfig: frozenset({"out"}),
    BuildDataConfig: frozenset({"pairs", "out"}),
}


@dataclass(frozen=True)
class PairsSpec:
    """Where the IFT/reasoning pairs come from: exactly one of the three."""

    file: str | None = option(None, "published-schema JSONL/parquet (prompt, reasoning, ift)")
    import_: str | None = option(None, "'math' / 'general' / a hub id of the authors' pairs")
    generate: GenerateConfig | None = option(None, "`reasoning-suite generate`'s config (without out)")
    limit: int | None = option(None, "first N pairs (the generate section's own limit wins)")


@dataclass(frozen=True)
class StudentSpec:
    """One student: its mixture (build-data fields over the study's `data` section) and, if
    given, its own peak learning rate (else the train section's)."""

    name: str
    data: BuildDataConfig
    learning_rate: float | None = None

    ratio = property(lambda self: self.data.ratio)
    format = property(lambda self: self.data.format)
    order = property(lambda self: self.data.order)


@dataclass(frozen=True)
class EvalSpec(EvalOptions):
    """`reasoning-suite eval`'s own options plus the lm-eval arguments the study passes."""

    tasks: str = option("reasoning_suite", "lm-eval tasks or groups")
    model: str = option("hf", "lm-eval backend (hf, vllm, local-chat-completions, ...)")
    model_args: str = option("", "extra lm-eval model_args (pretrained= is the study's)")
    gen_kwargs: str | None = option(None, "lm-eval gen_kwargs, e.g. max_gen_toks=32768")
    limit: float | None = option(None, "lm-eval --limit (a count, or a fraction below 1)")
    batch_size: str = option("auto", "lm-eval --batch_size")
    apply_chat_template: bool = option(True, "students answer through their chat template")
    base_num_fewshot: int = option(3, "shots for the base model (paper: base three-shot, students zero-shot)")
    extra_args: tuple[str, ...] = option((), "more lm-eval arguments, passed as they are")


@dataclass
class JudgesSpec(JudgeConfig):
    """`reasoning-suite judge`'s options (samples and out are the study's), or a local panel."""

    serve_local: bool = option(False, "serve base_model with `transformers serve` as the panel (demo)")
    local_judges: int = option(3, "judges of the local panel (seeds of one served model)")
    local_max_tokens: int = option(
        12, "a verdict `\\boxed{yes}` fits; the served model decodes ~30 tokens/s on a CPU")
    local_examples: bool = option(
        True, "show each local judge two worked verdicts first (judges.prompts.verdict_example_turns): "
        "without them SmolLM2-135M rarely writes one (2 of 20 replies); false: the paper's prompt alone")

    def __post_init__(self) -> None:
        if self.panel and self.serve_local:
            raise FieldError("serve_local", "give either panel or serve_local, not both")


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
    train: TrainConfig = field(default_factory=TrainConfig)
    data: BuildDataConfig = field(default_factory=BuildDataConfig)
    eval: EvalSpec = field(default_factory=EvalSpec)
    judges: JudgesSpec = field(default_factory=JudgesSpec)
    evaluate_base: bool = True
    slurm: SlurmSpec = SlurmSpec()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _section(cls: type, **kw: Any):
    exclude = FILLED_BY_STUDY.get(cls, frozenset()) | set(kw.pop("exclude", ()))
    return lambda value, where: from_mapping(cls, value, where, exclude=exclude, **kw)


def _pairs(value: Any, where: str) -> PairsSpec:
    return from_mapping(PairsSpec, value, where, aliases={"import": "import_"},
                        convert={"generate": lambda v, w: None if v is None else _section(GenerateConfig)(v, w)})


def _students(value: Any, where: str, data: dict[str, Any]) -> tuple[StudentSpec, ...]:
    if not isinstance(value, list) or not value:
        raise UserError(f"{where}: expected a non-empty list of students")
    students = []
    for i, raw in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(raw, dict):
            raise UserError(f"{at}: expected a mapping, got {type(raw).__name__}")
        for key in ("name", "ratio"):
            if key not in raw:
                raise UserError(f"{at}: missing required field {key!r}")
        own = from_mapping(StudentSpec, {k: raw[k] for k in ("name", "learning_rate") if k in raw}, at,
                           exclude={"data"}, partial=True)
        mixture = {k: v for k, v in raw.items() if k not in own}
        checked = from_mapping(BuildDataConfig, mixture, at, exclude=FILLED_BY_STUDY[BuildDataConfig], partial=True)
        spec = StudentSpec(data=build(BuildDataConfig, {**data, **checked}, at), **own)
        if not spec.name.replace("-", "").replace("_", "").isalnum():
            raise UserError(f"{at}.name: letters, digits, '-' and '_' only, got {spec.name!r}")
        students.append(spec)
    names = [s.name for s in students]
    if len(set(names)) != len(names):
        raise UserError(f"{where}: student names must be unique, got {names}")
    return tuple(students)


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
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a mapping, got {type(data).__name__}")
    # the `data` section is every student's default mixture recipe: read it first
    shared = from_mapping(BuildDataConfig, data.get("data") or {}, f"{where}.data",
                          exclude=FILLED_BY_STUDY[BuildDataConfig], partial=True)
    convert = {
        "pairs": _pairs,
        "students": lambda v, w: _students(v, w, shared),
        "train": _section(TrainConfig),
        "data": _section(BuildDataConfig),
        "eval": _section(EvalSpec),
        "judges": _section(JudgesSpec, exclude={"samples", "out", "dry_run"}, not_required={"panel"}),
    }
    cfg: StudyConfig = from_mapping(StudyConfig, data, where, exclude={"source"}, convert=convert)
    chosen = [k for k in ("file", "import_", "generate") if getattr(cfg.pairs, k)]
    if len(chosen) != 1:
        raise UserError(f"{where}.pairs: give exactly one of file, import, generate (got {len(chosen)})")
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
