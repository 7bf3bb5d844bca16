"""CLI entry points: `generate`, `import-pairs`, `build-data`, `train`.

Each parses flags (all defaulting to None so that a `--config` file's values are only
overridden by flags actually given), merges them into the typed config and calls the module
that does the work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from reasoning_suite.trainers.config import (
    BuildDataConfig,
    GenerateConfig,
    TrainConfig,
    load_config_file,
    merge,
)


def _bool_flag(parser: argparse.ArgumentParser, name: str, help_: str) -> None:
    parser.add_argument(f"--{name}", dest=name.replace("-", "_"), action=argparse.BooleanOptionalAction,
                        default=None, help=help_)


def _merged(cls, args: argparse.Namespace):
    file_values = load_config_file(args.config) if args.config else {}
    cli = {k: v for k, v in vars(args).items() if k != "config"}
    return merge(cls, file_values, cli, source=args.config or "command line")


def generate_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="reasoning-suite generate",
                                description="Generate paired IFT/reasoning answers from a teacher (resumable).")
    p.add_argument("--config", help="YAML/JSON file with GenerateConfig fields")
    p.add_argument("--out", help="pairs JSONL to write (appended to; re-run to resume)")
    p.add_argument("--base-url", dest="base_url", help="teacher's OpenAI-compatible URL, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--model", help="teacher model name as served")
    p.add_argument("--api-key-env", dest="api_key_env", help="environment variable holding the API key")
    p.add_argument("--teacher", help="teacher name recorded in each record (default: --model)")
    p.add_argument("--prompts", dest="prompts_jsonl", help="JSONL file of prompts")
    p.add_argument("--dataset", help="hub dataset id, or a preset: infinity-instruct, nemotron-math")
    p.add_argument("--dataset-config", dest="dataset_config")
    p.add_argument("--split")
    p.add_argument("--prompt-field", dest="prompt_field", help="column with the prompt (string or list of turns)")
    p.add_argument("--id-field", dest="id_field", help="column with a stable id (default: hash of the prompt)")
    p.add_argument("--domain", help="domain label written in records (general, math, ...)")
    p.add_argument("--limit", type=int, help="first N prompts only")
    p.add_argument("--modes", nargs="+", help="ift and/or reasoning (default both)")
    p.add_argument("--thinking-switch", dest="thinking_switch", help="chat_template_kwargs (default), soft_switch or none")
    p.add_argument("--reasoning-temperature", dest="reasoning_temperature", type=float)
    p.add_argument("--reasoning-top-p", dest="reasoning_top_p", type=float)
    p.add_argument("--ift-temperature", dest="ift_temperature", type=float)
    p.add_argument("--ift-top-p", dest="ift_top_p", type=float)
    p.add_argument("--max-tokens-reasoning", dest="max_tokens_reasoning", type=int)
    p.add_argument("--max-tokens-ift", dest="max_tokens_ift", type=int)
    p.add_argument("--concurrency", type=int, help="prompts in flight (and the endpoint's request limit)")
    p.add_argument("--max-retries", dest="max_retries", type=int)
    p.add_argument("--timeout-s", dest="timeout_s", type=float)
    p.add_argument("--cache", help="SQLite call cache (default OUT.cache.sqlite)")
    _bool_flag(p, "progress", "show a progress bar (default on)")
    cfg = _merged(GenerateConfig, p.parse_args(argv))
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
    p = argparse.ArgumentParser(prog="reasoning-suite import-pairs",
                                description="Import the authors' published IFT/reasoning pairs into the pairs format.")
    p.add_argument("--dataset", help="hub id, or 'math' / 'general' for the paper's two datasets")
    p.add_argument("--file", help="a local .jsonl or .parquet with columns prompt, reasoning, ift")
    p.add_argument("--split", default="reasoning_ift_pairs")
    p.add_argument("--domain")
    p.add_argument("--limit", type=int)
    p.add_argument("--teacher", help="teacher recorded in each record (default: Qwen/Qwen3-235B-A22B for the authors' "
                   "datasets, unknown otherwise)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    from reasoning_suite.trainers.import_pairs import import_pairs

    n = import_pairs(a.out, dataset=a.dataset, local=a.file, split=a.split, domain=a.domain, limit=a.limit,
                     teacher=a.teacher)
    print(f"{a.out}: {n} pair records")
    return 0


def build_data_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="reasoning-suite build-data",
                                description="Build a training mixture from pairs: format, reasoning ratio, order.")
    p.add_argument("--config", help="YAML/JSON file with BuildDataConfig fields")
    p.add_argument("--pairs", nargs="+", help="pairs JSONL file(s)")
    p.add_argument("--out", help="mixture JSONL to write (recipe in OUT .meta.json beside it)")
    p.add_argument("--format", help="reasoning side: reasoning (default), answer_only, think_summary; or ift (= ratio 0)")
    p.add_argument("--ratio", type=float, help="reasoning ratio rho in [0, 1] (default 1)")
    p.add_argument("--order", help="sequential (IFT part first, default) or mixed")
    p.add_argument("--seed", type=int)
    _bool_flag(p, "keep-truncated", "keep answers cut by max_tokens or without thinking (tiny-teacher smoke tests; default: drop those prompts)")
    p.add_argument("--system-prompt", dest="system_prompt")
    p.add_argument("--summarizer-url", dest="summarizer_url", help="endpoint for think_summary")
    p.add_argument("--summarizer-model", dest="summarizer_model")
    p.add_argument("--summarizer-api-key-env", dest="summarizer_api_key_env")
    p.add_argument("--summary-cache", dest="summary_cache", help="SQLite cache (default OUT.summaries.sqlite)")
    p.add_argument("--summary-max-tokens", dest="summary_max_tokens", type=int)
    p.add_argument("--concurrency", type=int)
    cfg = _merged(BuildDataConfig, p.parse_args(argv))
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
    p = argparse.ArgumentParser(prog="reasoning-suite train",
                                description="Distil a mixture into a student with TRL SFT (paper's recipe).")
    p.add_argument("--config", help="YAML/JSON file with TrainConfig fields (stages: [{data, name, learning_rate}])")
    p.add_argument("--model", help="student: hub id or local checkpoint")
    p.add_argument("--data", action="append", dest="stages", metavar="[NAME=]MIXTURE",
                   help="a mixture file; repeat for multi-stage runs (e.g. general=g.jsonl then math=m.jsonl)")
    p.add_argument("--output-dir", dest="output_dir")
    p.add_argument("--learning-rate", dest="learning_rate", type=float, help="peak lr (default: paper's Table 1)")
    p.add_argument("--global-batch-tokens", dest="global_batch_tokens", type=int, help="default 262144")
    p.add_argument("--max-seq-length", dest="max_seq_length", type=int, help="default 16384")
    p.add_argument("--per-device-batch-size", dest="per_device_batch_size", type=int)
    _bool_flag(p, "packing", "pack examples (BFD, padding-free; default on)")
    p.add_argument("--warmup-steps", dest="warmup_steps", type=int)
    p.add_argument("--decay-steps", dest="decay_steps", type=int)
    p.add_argument("--min-lr-ratio", dest="min_lr_ratio", type=float)
    p.add_argument("--weight-decay", dest="weight_decay", type=float)
    p.add_argument("--optim", help="default adamw_torch_fused")
    p.add_argument("--precision", help="auto (bf16 where supported, fp32 on CPU), bf16 or fp32")
    _bool_flag(p, "gradient-checkpointing", "recompute activations to save memory")
    p.add_argument("--chat-template", dest="chat_template", help="'chatml' or a .jinja file (for bases without one)")
    p.add_argument("--attn-implementation", dest="attn_implementation",
                   help="e.g. flash_attention_2 on GPUs: packed rows then attend within each document only")
    p.add_argument("--dataset-num-proc", dest="dataset_num_proc", type=int, help="tokenisation worker processes")
    p.add_argument("--seed", type=int)
    p.add_argument("--logging-steps", dest="logging_steps", type=int)
    p.add_argument("--save-steps", dest="save_steps", type=int)
    _bool_flag(p, "resume", "continue an interrupted stage from its last checkpoint (default on)")
    p.add_argument("--report-to", dest="report_to", help="none (default), wandb, tensorboard, ...")
    p.add_argument("--accelerate-config", dest="accelerate_config", metavar="ddp|fsdp|deepspeed_zero3|FILE",
                   help="re-launch this command under `accelerate launch` with a shipped (or your) config")
    p.add_argument("--num-processes", dest="num_processes", type=int, help="with --accelerate-config: processes (GPUs)")
    args = p.parse_args(argv)
    if args.accelerate_config:
        return _relaunch(argv, args.accelerate_config, args.num_processes)
    del args.accelerate_config, args.num_processes
    cfg = _merged(TrainConfig, args)
    from reasoning_suite.trainers.sft import RUN_RECORD, train

    record = train(cfg)
    if record and os.environ.get("RANK", "0") == "0":
        summary = {k: record[k] for k in ("base_model", "format", "reasoning_ratio", "order", "num_examples",
                                          "tokens_seen", "train_flops", "learning_rate", "wall_time_s")}
        print(json.dumps(summary))
        print(f"checkpoint: {cfg.output_dir} (record: {Path(cfg.output_dir) / RUN_RECORD})")
    return 0


def accelerate_command(argv: list[str], config: str, num_processes: int | None) -> list[str]:
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
    return cmd + ["-m", "reasoning_suite", "train", *rest]


def _relaunch(argv: list[str], config: str, num_processes: int | None) -> int:
    import subprocess

    cmd = accelerate_command(argv, config, num_processes)
    print("launching: " + " ".join(cmd[1:]), file=sys.stderr)
    return subprocess.call(cmd)
