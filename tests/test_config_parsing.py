"""The typed-config glue: every command's old flag spellings, one-line errors, the round trip."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reasoning_suite.analysis.commands import AnalyzeConfig, LeaderboardConfig
from reasoning_suite.config_parsing import CommandParser, default_of, from_mapping, to_argv
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.commands import EvalOptions
from reasoning_suite.judges.config import JudgeConfig
from reasoning_suite.trainers.config import BuildDataConfig, GenerateConfig, ImportPairsConfig, TrainConfig

# Every flag each command took before it became a dataclass (argparse spellings), with a value.
OLD_FLAGS = {
    TrainConfig: ["--model", "m", "--data", "g=a.jsonl", "--data", "b.jsonl", "--output-dir", "o",
                  "--learning-rate", "1e-5", "--global-batch-tokens", "1024", "--max-seq-length", "512",
                  "--per-device-batch-size", "2", "--no-packing", "--warmup-steps", "1", "--decay-steps", "2",
                  "--min-lr-ratio", "0.2", "--weight-decay", "0.1", "--optim", "adamw_torch", "--precision", "fp32",
                  "--gradient-checkpointing", "--chat-template", "chatml", "--attn-implementation", "sdpa",
                  "--dataset-num-proc", "2", "--seed", "1", "--logging-steps", "5", "--save-steps", "50",
                  "--no-resume", "--report-to", "none", "--accelerate-config", "ddp", "--num-processes", "2"],
    GenerateConfig: ["--out", "p.jsonl", "--base-url", "http://h/v1", "--model", "t", "--api-key-env", "K",
                     "--teacher", "T", "--prompts", "q.jsonl", "--dataset-config", "c", "--split", "s",
                     "--prompt-field", "f", "--id-field", "i", "--domain", "math", "--limit", "3",
                     "--modes", "ift", "reasoning", "--thinking-switch", "soft_switch", "--reasoning-temperature",
                     "0.5", "--reasoning-top-p", "0.9", "--ift-temperature", "0.6", "--ift-top-p", "0.7",
                     "--max-tokens-reasoning", "64", "--max-tokens-ift", "32", "--concurrency", "2",
                     "--max-retries", "1", "--timeout-s", "5", "--cache", "c.sqlite", "--no-progress"],
    BuildDataConfig: ["--pairs", "a.jsonl", "b.jsonl", "--out", "m.jsonl", "--format", "answer_only", "--ratio", "0.5",
                      "--order", "mixed", "--seed", "2", "--keep-truncated", "--system-prompt", "S",
                      "--summarizer-url", "http://h/v1", "--summarizer-model", "s", "--summarizer-api-key-env", "K",
                      "--summary-cache", "c.sqlite", "--summary-max-tokens", "64", "--concurrency", "2"],
    ImportPairsConfig: ["--dataset", "math", "--file", "f.parquet", "--split", "s", "--domain", "math",
                        "--limit", "2", "--out", "p.jsonl"],
    JudgeConfig: ["--samples", "a", "b", "--panel", "paper", "--out", "o", "--cache", "c.sqlite", "--tasks", "rs_gsm8k",
                  "--limit", "2", "--dry-run"],
    AnalyzeConfig: ["a=r1", "b=r2", "--teacher", "a", "--flops", "paper", "--paper-cached-step", "-q", "--out", "o",
                    "--score", "judge", "--no-figures"],
    LeaderboardConfig: ["a=r1", "--teacher", "a", "--flops", "paper", "--paper-cached-step", "--format", "html", "--out", "x.html", "--baseline", "a", "--tasks", "--no-figures",
                        "--quiet"],
}


@pytest.mark.parametrize("cls", list(OLD_FLAGS), ids=lambda c: c.__name__)
def test_every_old_flag_spelling_still_parses_and_round_trips(cls):
    cfg = CommandParser(cls).parse(OLD_FLAGS[cls])
    changed = [name for name in vars(cfg) if getattr(cfg, name) != default_of(cls, name)]
    assert len(changed) >= len(vars(cfg)) - 2, changed  # (nearly) every field was set by a flag
    assert CommandParser(cls).parse(to_argv(cfg)) == cfg


def test_eval_takes_its_own_options_and_passes_the_rest_to_lm_eval():
    ours, rest = CommandParser(EvalOptions).parse(
        ["--model", "hf", "--offline", "--repeats", "2", "--thinking", "prompt-opened", "--output_path", "o"], known=True)
    assert (ours.offline, ours.repeats, ours.thinking, ours.fewshot) == (True, 2, "prompt-opened", False)
    assert rest == ["--model", "hf", "--output_path", "o"]


@pytest.mark.parametrize("argv, message", [
    (["--ratio", "x"], "argument --ratio: invalid float value: 'x'"),
    (["--ratio", "2"], "--ratio: must be in [0, 1], got 2.0"),
    (["--order", "random"], "argument --order: invalid choice: 'random'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    ([], "--pairs is required"),
])
def test_bad_values_are_one_line_user_errors_naming_the_flag(argv, message):
    full = (["--pairs", "p.jsonl", "--out", "m.jsonl"] if argv else []) + argv
    with pytest.raises(UserError) as err:
        CommandParser(BuildDataConfig, prog="reasoning-suite build-data").parse(full)
    assert message in str(err.value) and str(err.value).startswith("reasoning-suite build-data: ")
    assert "\n" not in str(err.value)


def test_a_bad_flag_on_the_real_command_is_one_line_without_traceback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "reasoning_suite", "train", "--model", "m", "--data", "d.jsonl",
                          "--output-dir", "o", "--max-seq-length", "zero"], capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        "error: reasoning-suite train: argument --max_seq_length/--max-seq-length: invalid int value: 'zero'"]


def test_mappings_are_checked_field_by_field():
    assert from_mapping(GenerateConfig, {"out": "o", "base_url": "u", "model": "m", "modes": ["ift"]}, "g.yaml:").modes == ["ift"]
    for data, message in [
        ({"out": "o", "base_url": "u"}, "g.yaml: missing required field 'model'"),
        ({"modes": ["ift", "cot"]}, "g.yaml: modes: must be one of ift, reasoning, got 'cot'"),
        ({"limit": True}, "g.yaml: limit: expected int, got a boolean"),
        ({"limit": "5"}, "g.yaml: limit: expected int, got str '5'"),
        ({"modse": []}, "g.yaml: modse: unknown field"),
    ]:
        with pytest.raises(UserError) as err:
            from_mapping(GenerateConfig, data, "g.yaml:")
        assert message in str(err.value)


def test_endpoint_defaults_are_read_not_restated():
    from reasoning_suite.endpoints import Endpoint
    from reasoning_suite.judges.config import JudgeSpec

    for name in ("max_retries", "timeout_s"):
        assert default_of(GenerateConfig, name) == default_of(Endpoint, name)
    for name in ("max_concurrency", "timeout_s", "max_retries", "backoff_base_s", "backoff_max_s"):
        assert default_of(JudgeSpec, name) == default_of(Endpoint, name)
