"""Typed configs of the trainers' commands (TRL's split: config here, work in the trainer).

One dataclass per command; each field is the knob's only declaration (its default and help).
`reasoning_suite.config_parsing` turns a dataclass into the command's flags (`HfArgumentParser`,
plus `--config FILE` of the same fields: flags given win over the file, the file over the
defaults), checks YAML sections of a study against it, and renders it back into a command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from reasoning_suite.config_parsing import FieldError, default_of, option
from reasoning_suite.core.lengths import TRAIN_SEQ_LENGTH
from reasoning_suite.endpoints.config import Endpoint
from reasoning_suite.trainers.batching import TokenBatch, token_batch
from reasoning_suite.trainers.formats import FORMATS
from reasoning_suite.trainers.mixtures import ORDERS, reasoning_count

# The students train on sequences of `core.lengths.TRAIN_SEQ_LENGTH` tokens (the paper's 16,384),
# and the teacher's reasoning budget defaults to the same length: a row longer than the student's
# max_seq_length is dropped whole (and counted), never cut (a cut trace loses its `</think>` and
# its answer), so a longer trace would be generated for nothing.

# How `generate` switches the teacher's thinking on and off.
SWITCHES = ("chat_template_kwargs", "soft_switch", "none")


@dataclass
class StageConfig:
    """One stage of a run: a mixture file trained for one epoch with its own schedule."""

    data: str = option(help="mixture JSONL of this stage", required=True)
    name: str = option("", "stage name (the output subdirectory of a multi-stage run)")
    learning_rate: float | None = option(None, "this stage's peak lr (default: the run's)")

    @classmethod
    def from_string(cls, text: str) -> "StageConfig":
        """`[NAME=]MIXTURE`, as given to `--data`."""
        name, _, data = text.rpartition("=") if "=" in text else ("", "", text)
        return cls(data=data, name=name)

    def to_string(self) -> str:
        if self.learning_rate is not None:
            raise FieldError("stages", "a stage's own learning_rate cannot be written as --data; use a --config file")
        return f"{self.name}={self.data}" if self.name else self.data


@dataclass
class TrainConfig:
    model: str = option("", "student: hub id or local checkpoint (a causal LM)", required=True)
    output_dir: str = option("", "where the student (and its reasoning_suite_run.json) is written", required=True)
    stages: list[StageConfig] = option(
        factory=list, help="a mixture file; repeat for multi-stage runs (e.g. general=g.jsonl then math=m.jsonl)",
        aliases=["--data"], append=True, metavar="[NAME=]MIXTURE", required=True)
    learning_rate: float | None = option(None, "peak lr (default: the paper's Table 1 by student size and format)")
    global_batch_tokens: int = option(262_144, "tokens per optimizer step (paper: 262,144)")
    max_seq_length: int = option(
        TRAIN_SEQ_LENGTH, "longest training row in tokens (paper: 16,384); a longer row is dropped whole (counted in "
        "the run record), never cut")
    per_device_batch_size: int = option(1, "rows per device per micro-batch")
    packing: bool = option(True, "pack examples (BFD, padding-free)")
    warmup_steps: int = option(150, "WSD schedule: linear warmup steps")
    decay_steps: int = option(300, "WSD schedule: linear decay steps at the end")
    min_lr_ratio: float = option(0.1, "WSD schedule: the lr decays to this fraction of the peak")
    weight_decay: float = option(0.0, "AdamW weight decay")
    max_grad_norm: float = option(1.0, "gradient clipping norm")
    optim: str = option("adamw_torch_fused", "optimizer (transformers' names)")
    precision: str = option("auto", "auto (bf16 where supported, fp32 on CPU), bf16 or fp32",
                            choices=("auto", "bf16", "fp32"))
    gradient_checkpointing: bool = option(False, "recompute activations to save memory")
    chat_template: str | None = option(None, "'chatml' or a .jinja file (for bases without a chat template)")
    attn_implementation: str | None = option(
        None, "e.g. flash_attention_2 on GPUs: packed rows then attend within each document only")
    dataset_num_proc: int | None = option(None, "tokenisation worker processes")
    seed: int = option(42, "random seed")
    logging_steps: int = option(10, "log every N optimizer steps")
    save_steps: int = option(500, "checkpoint every N optimizer steps (for resuming)")
    resume: bool = option(True, "continue an interrupted stage from its last checkpoint")
    report_to: str = option("none", "none, wandb, tensorboard, ...")
    accelerate_config: str | None = option(
        None, "re-launch this command under `accelerate launch` with a shipped (or your) config",
        metavar="ddp|fsdp|deepspeed_zero3|FILE")
    num_processes: int | None = option(None, "with --accelerate-config: processes (GPUs)")

    def __post_init__(self) -> None:
        self.stages = [StageConfig.from_string(s) if isinstance(s, str) else s for s in self.stages]
        for name in ("max_seq_length", "global_batch_tokens", "per_device_batch_size"):
            if getattr(self, name) < 1:
                raise FieldError(name, f"must be >= 1, got {getattr(self, name)}")
        if self.learning_rate is not None and self.learning_rate <= 0:
            raise FieldError("learning_rate", f"must be > 0, got {self.learning_rate}")

    def token_batch(self, world_size: int) -> TokenBatch:
        """The split of `global_batch_tokens` on `world_size` processes (per-device batch x
        accumulation x processes x max_seq_length): what the trainer steps with."""
        return token_batch(self.global_batch_tokens, self.max_seq_length, self.per_device_batch_size, world_size)


@dataclass
class BuildDataConfig:
    pairs: list[str] = option(factory=list, help="pairs JSONL file(s)", required=True)
    out: str = option("", "mixture JSONL to write (its recipe in OUT .meta.json beside it)", required=True)
    format: str = option("reasoning", "reasoning side: reasoning, answer_only, think_summary; or ift (= ratio 0)",
                         choices=FORMATS)
    ratio: float = option(1.0, "reasoning ratio rho in [0, 1]")
    order: str = option("sequential", "sequential (IFT part first) or mixed", choices=ORDERS)
    seed: int = option(0, "seed of the reasoning subset and the shuffles")
    keep_truncated: bool = option(
        False, "keep answers cut by max_tokens or without thinking (tiny-teacher smoke tests; default: drop those prompts)")
    system_prompt: str | None = option(None, "system turn added to every training conversation")
    summarizer_url: str | None = option(None, "endpoint for think_summary")
    summarizer_model: str | None = option(None, "model for think_summary")
    summarizer_api_key_env: str | None = option(None, "environment variable holding the summarizer's key")
    summary_cache: str | None = option(None, "SQLite cache of the summaries (default OUT.summaries.sqlite)")
    summary_max_tokens: int = option(1024, "longest thinking summary in tokens")
    concurrency: int = option(default_of(Endpoint, "max_concurrency"), "summaries in flight (the endpoint's max_concurrency)")

    def __post_init__(self) -> None:
        try:
            reasoning_count(self.ratio, 0)
        except Exception:  # noqa: BLE001 - the owner's range check, reported on the field
            raise FieldError("ratio", f"must be in [0, 1], got {self.ratio}") from None


@dataclass
class GenerateConfig:
    out: str = option("", "pairs JSONL to write (appended to; re-run to resume)", required=True)
    base_url: str = option("", "teacher's OpenAI-compatible URL, e.g. http://127.0.0.1:8000/v1", required=True)
    model: str = option("", "teacher model name as served", required=True)
    api_key_env: str | None = option(None, "environment variable holding the API key")
    teacher: str | None = option(None, "teacher name recorded in each record (default: --model)")
    prompts_jsonl: str | None = option(None, "JSONL file of prompts", aliases=["--prompts"])
    dataset: str | None = option(None, "hub dataset id, or a preset: infinity-instruct, nemotron-math")
    dataset_config: str | None = option(None, "dataset config (default: the preset's)")
    split: str | None = option(None, "dataset split (default: the preset's, else train)")
    prompt_field: str | None = option(None, "column with the prompt, a string or a list of turns "
                                            "(default: the preset's, else prompt)")
    id_field: str | None = option(None, "column with a stable id (default: the preset's, else a hash of the prompt)")
    domain: str | None = option(None, "domain label written in records (general, math, ...)")
    limit: int | None = option(None, "first N prompts only")
    modes: list[str] = option(factory=lambda: ["ift", "reasoning"], help="ift and/or reasoning",
                              choices=("ift", "reasoning"))
    thinking_switch: str = option("chat_template_kwargs", f"how the teacher's thinking is switched: {', '.join(SWITCHES)}",
                                  choices=SWITCHES)
    reasoning_temperature: float = option(0.6, "sampling of reasoning answers (paper: 0.6)")
    reasoning_top_p: float = option(0.95, "sampling of reasoning answers (paper: 0.95)")
    ift_temperature: float = option(0.7, "sampling of IFT answers (paper: 0.7)")
    ift_top_p: float = option(0.8, "sampling of IFT answers (paper: 0.8)")
    max_tokens_reasoning: int | None = option(TRAIN_SEQ_LENGTH, "longest reasoning answer (default: the students' "
                                                                "training length, 16,384; a longer trace is never trained on)")
    max_tokens_ift: int | None = option(8_192, "longest IFT answer")
    # The teacher's endpoint knobs: their defaults are `Endpoint`'s (read, never restated).
    concurrency: int = option(default_of(Endpoint, "max_concurrency"),
                              "prompts in flight (the endpoint's max_concurrency; raise it for a big server)")
    max_retries: int = option(default_of(Endpoint, "max_retries"), "retries of a failed call")
    timeout_s: float = option(default_of(Endpoint, "timeout_s"), "seconds before a call times out")
    cache: str | None = option(None, "SQLite call cache (default OUT.cache.sqlite)")
    progress: bool = option(True, "show a progress bar")

    def endpoint(self) -> Endpoint:
        """The teacher's `Endpoint`: the one mapping of this command's flags onto it."""
        return Endpoint(name=self.teacher or self.model, base_url=self.base_url, model=self.model,
                        api_key_env=self.api_key_env, max_concurrency=self.concurrency, timeout_s=self.timeout_s,
                        max_retries=self.max_retries)


@dataclass
class ImportPairsConfig:
    out: str = option("", "pairs JSONL to write", required=True)
    dataset: str | None = option(None, "hub id, or 'math' / 'general' for the paper's two datasets")
    file: str | None = option(None, "a local .jsonl or .parquet with columns prompt, reasoning, ift")
    split: str = option("reasoning_ift_pairs", "split of the published dataset")
    domain: str | None = option(None, "domain label written in records")
    limit: int | None = option(None, "first N pairs only")
    teacher: str | None = option(None, "teacher recorded in each record (default: Qwen/Qwen3-235B-A22B for the "
                                 "authors' datasets, unknown otherwise)")

