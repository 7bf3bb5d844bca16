"""CLI entry points: `generate`, `import-pairs`, `build-data`, `train`.

Each command's flags are its typed config (`reasoning_suite.trainers.config`) parsed by
`reasoning_suite.config_parsing.CommandParser` (transformers' `HfArgumentParser`); the configs
that take `--config FILE` read the same fields from YAML/JSON, and flags given win over it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from reasoning_suite.config_parsing import CommandParser
from reasoning_suite.trainers.config import BuildDataConfig, GenerateConfig, ImportPairsConfig, TrainConfig

_LAUNCHED_ENV = "REASONING_SUITE_LAUNCHED"  # set in the processes `accelerate launch` starts for us


def generate_main(argv: list[str]) -> int:
    cfg: GenerateConfig = CommandParser(
        GenerateConfig, config_file=True, prog="reasoning-suite generate",
        description="Generate paired IFT/reasoning answers from a teacher (resumable).").parse(argv)
    from reasoning_suite.trainers.generate import generate

    s = generate(cfg)
    print(f"{s.out}: {s.written} written, {s.already_done} already there, {s.failed} failed "
          f"({s.http_requests} HTTP requests, {s.cache_hits} answers from the cache)")
    if s.ift_with_thinking:
        print(f"warning: {s.ift_with_thinking} IFT answer(s) came with thinking; does this teacher take "
              f"--thinking-switch {cfg.thinking_switch}? (the thinking was dropped from the IFT answers)", file=sys.stderr)
    if s.reasoning_without_thinking:
        print(f"warning: {s.reasoning_without_thinking} reasoning answer(s) have no thinking; build-data drops them "
              "unless --keep-truncated", file=sys.stderr)
    if s.failed:
        print(f"error: {s.failed} prompt(s) failed, first: {s.first_error}; run the same command again to retry them",
              file=sys.stderr)
        return 1
    return 0


def import_pairs_main(argv: list[str]) -> int:
    cfg: ImportPairsConfig = CommandParser(
        ImportPairsConfig, prog="reasoning-suite import-pairs",
        description="Import the authors' published IFT/reasoning pairs into the pairs format.").parse(argv)
    from reasoning_suite.trainers.import_pairs import import_pairs

    n = import_pairs(cfg.out, dataset=cfg.dataset, local=cfg.file, split=cfg.split, domain=cfg.domain, limit=cfg.limit,
                     teacher=cfg.teacher)
    print(f"{cfg.out}: {n} pair records")
    return 0


def build_data_main(argv: list[str]) -> int:
    cfg: BuildDataConfig = CommandParser(
        BuildDataConfig, config_file=True, prog="reasoning-suite build-data",
        description="Build a training mixture from pairs: format, reasoning ratio, order.").parse(argv)
    from reasoning_suite.trainers.build_data import build, load_pairs, meta_path

    summaries = None
    if cfg.format == "think_summary" and cfg.ratio > 0:
        from reasoning_suite.trainers.summarize import summarize

        summaries = summarize(load_pairs(cfg.pairs), cfg.summarizer_url or "", cfg.summarizer_model or "",
                              cfg.summarizer_api_key_env, cfg.summary_cache or f"{cfg.out}.summaries.sqlite",
                              cfg.concurrency, cfg.summary_max_tokens)
    meta = build(cfg, summaries)
    print(f"{cfg.out}: {meta['num_examples']} examples ({meta['num_ift']} IFT, {meta['num_reasoning']} "
          f"{meta['format'] if meta['num_reasoning'] else 'reasoning'}, {meta['order']}; "
          f"{meta['dropped_unusable']} prompts dropped as unusable); recipe in {meta_path(cfg.out)}")
    return 0


def train_main(argv: list[str]) -> int:
    cfg: TrainConfig = CommandParser(
        TrainConfig, config_file=True, prog="reasoning-suite train",
        description="Distil a mixture into a student with TRL SFT (paper's recipe).").parse(argv)
    if cfg.accelerate_config and not os.environ.get(_LAUNCHED_ENV):
        from reasoning_suite.trainers.sft import _precision

        bf16, _ = _precision(cfg)
        # the launcher's precision follows the trainer's: a shipped config's bf16 would make
        # DeepSpeed refuse an fp32 (CPU) run
        return _relaunch(argv, cfg.accelerate_config, cfg.num_processes, None if bf16 else "no")
    from reasoning_suite.core.logged_run import RUN_RECORD
    from reasoning_suite.trainers.sft import train

    record = train(cfg)
    if record and os.environ.get("RANK", "0") == "0":
        summary = {k: record[k] for k in ("base_model", "format", "reasoning_ratio", "order", "num_examples",
                                          "tokens_seen", "train_flops", "learning_rate", "wall_time_s")}
        print(json.dumps(summary))
        print(f"checkpoint: {cfg.output_dir} (record: {Path(cfg.output_dir) / RUN_RECORD})")
    return 0


def accelerate_command(argv: list[str], config: str, num_processes: int | None,
                       mixed_precision: str | None = None) -> list[str]:
    """`accelerate launch --config_file CONFIG [--num_processes N] -m reasoning_suite train ARGV'`."""
    from reasoning_suite.trainers.accelerate import config_path

    rest, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--accelerate-config", "--num-processes"):
            skip = True
            continue
        if a.startswith(("--accelerate-config=", "--num-processes=")):
            continue
        rest.append(a)
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", config_path(config)]
    if num_processes:
        cmd += ["--num_processes", str(num_processes)]
    if mixed_precision:
        cmd += ["--mixed_precision", mixed_precision]
    return cmd + ["-m", "reasoning_suite", "train", *rest]


def _relaunch(argv: list[str], config: str, num_processes: int | None, mixed_precision: str | None) -> int:
    import subprocess

    cmd = accelerate_command(argv, config, num_processes, mixed_precision)
    print("launching: " + " ".join(cmd[1:]), file=sys.stderr)
    return subprocess.call(cmd, env={**os.environ, _LAUNCHED_ENV: "1"})
