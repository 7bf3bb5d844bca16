"""The judge panel's configuration: who judges, how they are sampled, how votes combine.

A panel is a YAML file (or a preset name shipped in `reasoning_suite/judges/presets/`):

    judges:
      - name: llama
        base_url: ${JUDGE_LLAMA_URL}          # "${VAR}" is read from the environment
        model: meta-llama/Llama-3.3-70B-Instruct
        api_key_env: JUDGE_LLAMA_API_KEY      # optional; the key itself never appears here
        max_concurrency: 32
        temperature: 0.7                       # paper: 0.7 / 0.95
        top_p: 0.95
    vote: {rule: majority, tie: "no", min_verdicts: 2, too_few: "no", abstain_counts_as: "no"}
    answer_tail_chars: 2000                    # optional; PanelConfig's default is the only one

Every field is checked on load; a mistake is one line naming the file and the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reasoning_suite.config_parsing import default_of, option
from reasoning_suite.endpoints import Endpoint
from reasoning_suite.errors import UserError

OUTCOMES = ("yes", "no", "abstain")
PROMPT_KINDS = ("default", "ifeval")


@dataclass(frozen=True)
class VoteRule:
    """How the judges' verdicts become the panel's vote.

    rule: "majority" — yes when more judges said yes than no (abstentions are not counted).
    tie: what an equal number of yes and no gives ("no" by default: an answer the panel
      could not agree is equivalent is not counted correct).
    min_verdicts: fewer verdicts than this (too many abstentions) give `too_few` instead
      (default: a majority of the panel, n // 2 + 1; 2 of the paper's three judges).
    abstain_counts_as: how a panel abstention ("abstain" from tie/too_few) enters accuracy:
      "no" (counts as wrong) or "exclude" (left out of the mean).
    """

    rule: str = "majority"
    tie: str = "no"
    min_verdicts: int | None = None
    too_few: str = "no"
    abstain_counts_as: str = "no"


@dataclass(frozen=True)
class JudgeSpec:
    """One judge: an endpoint plus how it is sampled."""

    name: str
    base_url: str
    model: str
    api_key_env: str | None = None
    max_concurrency: int = default_of(Endpoint, "max_concurrency")
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int | None = None
    timeout_s: float = default_of(Endpoint, "timeout_s")
    max_retries: int = default_of(Endpoint, "max_retries")
    extra_body: dict | None = None
    price_per_mtok_in: float | None = None
    price_per_mtok_out: float | None = None
    backoff_base_s: float = default_of(Endpoint, "backoff_base_s")
    backoff_max_s: float = default_of(Endpoint, "backoff_max_s")
    system_prompt: str | None = None
    # Worked turns before the real one, each {"user": ..., "assistant": ...}: a small judge
    # (the demo's 135M) writes the boxed verdict the paper's rule requires only after seeing
    # it done; the paper's judges get none.
    example_turns: tuple[dict[str, str], ...] = ()

    def endpoint(self) -> Endpoint:
        """The judge's endpoint: every field the two share (sampling stays with the judge)."""
        shared = {f.name: getattr(self, f.name) for f in dataclasses.fields(Endpoint)}
        shared["extra_body"] = dict(self.extra_body) if self.extra_body else None
        return Endpoint(**shared)


@dataclass(frozen=True)
class PanelConfig:
    """A whole panel. `prompts` overrides the paper's templates by kind ("default",
    "ifeval"); `task_prompts` picks a kind per task (else the task registry's choice)."""

    judges: tuple[JudgeSpec, ...]
    vote: VoteRule = VoteRule()
    answer_tail_chars: int = 2000  # how much of the answer's ending a judge sees (the one default)
    prompts: dict[str, str] = field(default_factory=dict)
    task_prompts: dict[str, str] = field(default_factory=dict)
    name: str = "panel"
    source: str = ""

    def public_dict(self) -> dict[str, Any]:
        """The config as written into results: names of key variables, never keys; base URLs
        as written in the file (so `${VAR}` references stay references)."""
        data = dataclasses.asdict(self)
        data["judges"] = [dataclasses.asdict(j) for j in self.judges]
        return data


def _fail(where: str, msg: str) -> UserError:
    return UserError(f"{where}: {msg}")


def _check_keys(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _typed(value: Any, kind: type | tuple, where: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise _fail(where, f"expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    if not isinstance(value, kinds):
        raise _fail(where, f"expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    return value


def _parse_judge(raw: Any, where: str) -> JudgeSpec:
    if not isinstance(raw, dict):
        raise _fail(where, "each judge must be a mapping with name, base_url and model")
    fields = {f.name: f for f in dataclasses.fields(JudgeSpec)}
    _check_keys(raw, set(fields), where)
    for required in ("name", "base_url", "model"):
        if not raw.get(required) or not isinstance(raw.get(required), str):
            raise _fail(where, f"field {required!r} is required and must be a non-empty string")
    num = (int, float)
    checks: dict[str, tuple[Any, bool]] = {
        "api_key_env": (str, True),
        "max_concurrency": (int, False),
        "temperature": (num, False),
        "top_p": (num, False),
        "max_tokens": (int, True),
        "timeout_s": (num, False),
        "max_retries": (int, False),
        "extra_body": (dict, True),
        "price_per_mtok_in": (num, True),
        "price_per_mtok_out": (num, True),
        "backoff_base_s": (num, False),
        "backoff_max_s": (num, False),
        "system_prompt": (str, True),
        "example_turns": (list, True),
    }
    for key, (kind, optional) in checks.items():
        if key in raw:
            _typed(raw[key], kind, f"{where}.{key}", optional=optional)
    raw = {**raw, "example_turns": _example_turns(raw.get("example_turns"), f"{where}.example_turns")}
    spec = JudgeSpec(**raw)
    if spec.api_key_env and (spec.api_key_env.startswith("sk-") or len(spec.api_key_env) > 64):
        raise _fail(f"{where}.api_key_env", "looks like a key, not a variable name; put the key in the environment")
    if spec.api_key_env is not None and not spec.api_key_env.replace("_", "").isalnum():
        raise _fail(f"{where}.api_key_env", "must be the NAME of an environment variable (letters, digits, _)")
    if not 0 <= spec.temperature <= 2:
        raise _fail(f"{where}.temperature", f"must be in [0, 2], got {spec.temperature}")
    if not 0 < spec.top_p <= 1:
        raise _fail(f"{where}.top_p", f"must be in (0, 1], got {spec.top_p}")
    if spec.max_concurrency < 1:
        raise _fail(f"{where}.max_concurrency", f"must be >= 1, got {spec.max_concurrency}")
    if spec.max_tokens is not None and spec.max_tokens < 1:
        raise _fail(f"{where}.max_tokens", f"must be >= 1, got {spec.max_tokens}")
    if spec.max_retries < 0:
        raise _fail(f"{where}.max_retries", f"must be >= 0, got {spec.max_retries}")
    if spec.timeout_s <= 0:
        raise _fail(f"{where}.timeout_s", f"must be > 0, got {spec.timeout_s}")
    return spec


def _example_turns(raw: list | None, where: str) -> tuple[dict[str, str], ...]:
    turns = []
    for i, turn in enumerate(raw or []):
        if not isinstance(turn, dict) or set(turn) != {"user", "assistant"} or not all(
                isinstance(v, str) and v for v in turn.values()):
            raise _fail(f"{where}[{i}]", "each turn is a mapping of two non-empty strings, user and assistant")
        turns.append(dict(turn))
    return tuple(turns)


def _parse_vote(raw: Any, where: str) -> VoteRule:
    if raw is None:
        return VoteRule()
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping (rule, tie, min_verdicts, too_few, abstain_counts_as)")
    _check_keys(raw, {f.name for f in dataclasses.fields(VoteRule)}, where)
    # YAML 1.1 reads a bare no/yes as a boolean: accept it as the word the user meant.
    fixed = {k: ({True: "yes", False: "no"}[v] if isinstance(v, bool) and k != "min_verdicts" else v) for k, v in raw.items()}
    vote = VoteRule(**fixed)
    if vote.rule != "majority":
        raise _fail(f"{where}.rule", f"only 'majority' is supported, got {vote.rule!r}")
    for key in ("tie", "too_few"):
        if getattr(vote, key) not in OUTCOMES:
            raise _fail(f"{where}.{key}", f"must be one of {', '.join(OUTCOMES)}, got {getattr(vote, key)!r}")
    if vote.abstain_counts_as not in ("no", "exclude"):
        raise _fail(f"{where}.abstain_counts_as", f"must be 'no' or 'exclude', got {vote.abstain_counts_as!r}")
    _typed(vote.min_verdicts, int, f"{where}.min_verdicts", optional=True)
    if vote.min_verdicts is not None and vote.min_verdicts < 1:
        raise _fail(f"{where}.min_verdicts", f"must be >= 1, got {vote.min_verdicts}")
    return vote


def parse_panel(data: Any, *, source: str) -> PanelConfig:
    """Validate a loaded YAML mapping into a `PanelConfig`; `source` names it in errors."""
    if not isinstance(data, dict):
        raise _fail(source, "a panel config must be a mapping with a 'judges' list")
    _check_keys(data, {"name", "judges", "vote", "answer_tail_chars", "prompts", "task_prompts"}, source)
    judges_raw = data.get("judges")
    if not isinstance(judges_raw, list) or not judges_raw:
        raise _fail(f"{source}: judges", "must be a non-empty list")
    judges = tuple(_parse_judge(j, f"{source}: judges[{i}]") for i, j in enumerate(judges_raw))
    names = [j.name for j in judges]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _fail(f"{source}: judges", f"duplicate judge name(s) {', '.join(dupes)}")
    vote = _parse_vote(data.get("vote"), f"{source}: vote")
    if vote.min_verdicts is None:
        vote = dataclasses.replace(vote, min_verdicts=len(judges) // 2 + 1)
    if vote.min_verdicts > len(judges):
        raise _fail(f"{source}: vote.min_verdicts", f"is {vote.min_verdicts} but the panel has {len(judges)} judge(s)")
    tail = data.get("answer_tail_chars", default_of(PanelConfig, "answer_tail_chars"))
    _typed(tail, int, f"{source}: answer_tail_chars")
    if tail < 1:
        raise _fail(f"{source}: answer_tail_chars", f"must be >= 1, got {tail}")
    prompts = data.get("prompts") or {}
    if not isinstance(prompts, dict):
        raise _fail(f"{source}: prompts", "must be a mapping of kind (default, ifeval) to template text")
    for kind, text in prompts.items():
        if kind not in PROMPT_KINDS:
            raise _fail(f"{source}: prompts.{kind}", f"unknown prompt kind; known: {', '.join(PROMPT_KINDS)}")
        if not isinstance(text, str) or "{answer}" not in text:
            raise _fail(f"{source}: prompts.{kind}", "must be a template string containing {answer}")
        if kind == "default" and "{truth}" not in text:
            raise _fail(f"{source}: prompts.{kind}", "the default prompt must contain {truth}")
    task_prompts = data.get("task_prompts") or {}
    if not isinstance(task_prompts, dict):
        raise _fail(f"{source}: task_prompts", "must be a mapping of task name to prompt kind")
    for task, kind in task_prompts.items():
        if kind not in PROMPT_KINDS:
            raise _fail(f"{source}: task_prompts.{task}", f"must be one of {', '.join(PROMPT_KINDS)}, got {kind!r}")
    name = data.get("name") or Path(source).stem
    return PanelConfig(
        judges=judges,
        vote=vote,
        answer_tail_chars=tail,
        prompts=dict(prompts),
        task_prompts=dict(task_prompts),
        name=str(name),
        source=source,
    )


def preset_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("reasoning_suite.judges.presets").iterdir() if p.name.endswith(".yaml"))


def load_panel(panel: str | Path) -> PanelConfig:
    """Load a panel from a YAML path or a preset name (`paper`, `local-vllm`, ...)."""
    path = Path(panel)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise UserError(f"panel config {path} does not exist")
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        preset = resources.files("reasoning_suite.judges.presets") / f"{panel}.yaml"
        if not preset.is_file():
            raise UserError(f"--panel {panel!r} is neither a YAML file nor a preset; presets: {', '.join(preset_names())}")
        text = preset.read_text(encoding="utf-8")
        source = f"preset:{panel}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise UserError(f"{source}{line}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_panel(data, source=source)


@dataclass
class JudgeConfig:
    """`reasoning-suite judge`'s options."""

    samples: list[Path] = option(factory=list, help="an lm-eval run directory (OUT/<model>) or samples_<task>_<date>.jsonl files",
                                 metavar="PATH", required=True)
    panel: str = option("", "panel YAML file or preset name (see reasoning_suite/judges/presets)", required=True)
    out: Path | None = option(None, "output directory (default: <samples dir>/judged)")
    cache: Path | None = option(None, "call cache SQLite file (default: <out>/judge_calls.sqlite)")
    tasks: str | None = option(None, "comma-separated task names to judge (default: every task found)")
    limit: int | None = option(None, "judge only the first N samples of each task")
    dry_run: bool = option(False, "print the calls it would make and their estimated tokens, then stop")
