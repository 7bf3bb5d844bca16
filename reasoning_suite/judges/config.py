"""The judge panel's configuration: who judges, how they are sampled, how votes combine.

A panel is a YAML file (or a preset name shipped in `reasoning_suite/judges/presets/`):

    judges:
      - name: llama
        base_url: ${JUDGE_LLAMA_URL}          # "${VAR}" is read from the environment
        model: meta-llama/Llama-3.3-70B-Instruct
        api_key_env: JUDGE_LLAMA_API_KEY      # optional; the key itself never appears here
        max_concurrency: 32                    # name .. max_concurrency: the judge's Endpoint
        temperature: 0.7                       # paper: 0.7 / 0.95
        top_p: 0.95
    vote: {rule: majority, tie: "no", min_verdicts: 2, too_few: "no", abstain_counts_as: "no"}
    answer_tail_chars: 2000                    # optional; PanelConfig's default is the only one

A judge's endpoint keys (`Endpoint`'s fields) may also be nested as `endpoint: {...}`. The
file is read by `config_parsing.from_mapping` against these dataclasses, so every field is
checked on load and a mistake is one line naming the file and the field's path
(`panel.yaml: judges[1].max_concurrency: expected int, got str 'x'`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from reasoning_suite.config_parsing import FieldError, from_mapping, load_config_file, option, to_mapping
from reasoning_suite.endpoints import Endpoint
from reasoning_suite.errors import UserError

Outcome = Literal["yes", "no", "abstain"]
PromptKind = Literal["default", "ifeval"]


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

    rule: Literal["majority"] = "majority"
    tie: Outcome = "no"
    min_verdicts: int | None = None
    too_few: Outcome = "no"
    abstain_counts_as: Literal["no", "exclude"] = "no"

    def __post_init__(self) -> None:
        if self.min_verdicts is not None and self.min_verdicts < 1:
            raise FieldError("min_verdicts", f"must be >= 1, got {self.min_verdicts}")


@dataclass(frozen=True)
class ExampleTurn:
    """A worked exchange shown to a judge before the real prompt."""

    user: str
    assistant: str

    def __post_init__(self) -> None:
        for name in ("user", "assistant"):
            if not getattr(self, name):
                raise FieldError(name, "must be a non-empty string")


@dataclass(frozen=True)
class JudgeSpec:
    """One judge: the `Endpoint` it is served at (written flat in the YAML, beside the
    sampling keys, or as an `endpoint:` mapping) plus how it is sampled and prompted.

    The endpoint's fields and defaults (concurrency, timeout, retries, backoff) are
    `Endpoint`'s alone; the judge adds only what a request to it carries."""

    endpoint: Endpoint = field(metadata={"flatten": True})
    temperature: float = 0.7  # paper: 0.7 / 0.95
    top_p: float = 0.95
    max_tokens: int | None = None
    system_prompt: str | None = None
    # Worked turns before the real one: a small judge (the demo's 135M) writes the boxed
    # verdict the paper's rule requires only after seeing it done; the paper's judges get none.
    example_turns: tuple[ExampleTurn, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.temperature <= 2:
            raise FieldError("temperature", f"must be in [0, 2], got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise FieldError("top_p", f"must be in (0, 1], got {self.top_p}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise FieldError("max_tokens", f"must be >= 1, got {self.max_tokens}")

    @property
    def name(self) -> str:
        """The judge's name is its endpoint's (one client per judge)."""
        return self.endpoint.name


@dataclass(frozen=True)
class PanelConfig:
    """A whole panel. `prompts` overrides the paper's templates by kind ("default",
    "ifeval"); `task_prompts` picks a kind per task (else the task registry's choice)."""

    judges: tuple[JudgeSpec, ...]
    vote: VoteRule = VoteRule()
    answer_tail_chars: int = 2000  # how much of the answer's ending a judge sees (the one default)
    prompts: dict[PromptKind, str] = field(default_factory=dict)
    task_prompts: dict[str, PromptKind] = field(default_factory=dict)
    name: str = "panel"
    source: str = ""

    def __post_init__(self) -> None:
        if not self.judges:
            raise FieldError("judges", "must be a non-empty list")
        names = [j.name for j in self.judges]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FieldError("judges", f"duplicate judge name(s) {', '.join(dupes)}")
        if self.vote.min_verdicts is None:  # a majority of this panel: derived, so set here
            object.__setattr__(self, "vote", dataclasses.replace(self.vote, min_verdicts=len(self.judges) // 2 + 1))
        if self.vote.min_verdicts > len(self.judges):
            raise FieldError("vote.min_verdicts", f"is {self.vote.min_verdicts} but the panel has {len(self.judges)} judge(s)")
        if self.answer_tail_chars < 1:
            raise FieldError("answer_tail_chars", f"must be >= 1, got {self.answer_tail_chars}")
        for kind, text in self.prompts.items():
            if "{answer}" not in text:
                raise FieldError(f"prompts.{kind}", "must be a template string containing {answer}")
            if kind == "default" and "{truth}" not in text:
                raise FieldError(f"prompts.{kind}", "the default prompt must contain {truth}")

    def public_dict(self) -> dict[str, Any]:
        """The config as written into results, in the YAML's own shape (`to_mapping`): names of
        key variables, never keys; base URLs as written (`${VAR}` references stay references)."""
        return to_mapping(self)


def parse_panel(data: Any, *, source: str) -> PanelConfig:
    """Check a loaded YAML mapping against `PanelConfig` (`config_parsing.from_mapping`, the
    machinery of every config file); `source` names it in errors and is the default name."""
    if isinstance(data, dict) and "name" not in data:
        data = {**data, "name": Path(source).stem}
    panel = from_mapping(PanelConfig, data, f"{source}:", exclude={"source"})
    return dataclasses.replace(panel, source=source)


def preset_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("reasoning_suite.judges.presets").iterdir() if p.name.endswith(".yaml"))


def load_panel(panel: str | Path) -> PanelConfig:
    """Load a panel from a YAML path or a preset name (`paper`, `local-vllm`, ...); the file is
    read by `config_parsing.load_config_file`, like every config file."""
    path = Path(panel)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise UserError(f"panel config {path} does not exist")
        return parse_panel(load_config_file(path), source=str(path))
    preset = resources.files("reasoning_suite.judges.presets") / f"{panel}.yaml"
    if not preset.is_file():
        raise UserError(f"--panel {panel!r} is neither a YAML file nor a preset; presets: {', '.join(preset_names())}")
    with resources.as_file(preset) as preset_path:
        return parse_panel(load_config_file(preset_path), source=f"preset:{panel}")


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
