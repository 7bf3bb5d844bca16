"""The typed-config glue: every command's old flag spellings, one-line errors, the round trip."""

from __future__ import annotations

import re
import dataclasses
import subprocess
import sys
from typing import Literal

import pytest

from reasoning_suite.analysis.commands import AnalyzeConfig, LeaderboardConfig
from reasoning_suite.config_parsing import CommandParser, default_of, from_mapping, to_argv, to_mapping
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


@dataclasses.dataclass
class _Inner:
    host: str = dataclasses.field(metadata={"env_refs": True})
    port: int = 80


@dataclasses.dataclass
class _Outer:
    inner: _Inner = dataclasses.field(metadata={"flatten": True})
    items: list[_Inner] = dataclasses.field(default_factory=list)
    weights: dict[str, float] = dataclasses.field(default_factory=dict)
    kinds: dict[Literal["a", "b"], int] = dataclasses.field(default_factory=dict)
    extra: dict | None = None


def test_mappings_nest_flatten_and_name_the_whole_path():
    """The general machinery the judge panel is read with: nested dataclasses, lists of them,
    typed mappings, flattened fields and `${VAR}` references, every error one line with its path."""
    got = from_mapping(_Outer, {"host": "${H:-h}", "port": 8, "items": [{"host": "x"}], "weights": {"a": 1},
                                "kinds": {"b": 2}, "extra": {"k": None}}, "f.yaml:")
    assert got == _Outer(_Inner("${H:-h}", 8), [_Inner("x")], {"a": 1.0}, {"b": 2}, {"k": None})
    assert from_mapping(_Outer, {"inner": {"host": "y"}}, "f.yaml:") == _Outer(_Inner("y"))
    assert to_mapping(got) == {"host": "${H:-h}", "port": 8, "items": [{"host": "x", "port": 80}],
                               "weights": {"a": 1.0}, "kinds": {"b": 2}, "extra": {"k": None}}
    assert from_mapping(_Outer, to_mapping(got), "f.yaml:") == got
    for data, message in [
        ({}, "f.yaml: missing required field 'host'"),
        ({"host": "h", "port": "x"}, "f.yaml: port: expected int, got str 'x'"),
        ({"inner": {"host": "h", "port": "x"}}, "f.yaml: inner.port: expected int, got str 'x'"),
        ({"host": "h", "items": [{"host": "h"}, {"port": 1}]}, "f.yaml: items[1]: missing required field 'host'"),
        ({"host": "h", "weights": {"a": "heavy"}}, "f.yaml: weights.a: expected float, got str 'heavy'"),
        ({"host": "h", "weights": {1: 1.0}}, "f.yaml: weights[1]: expected str, got int 1"),
        ({"host": "h", "kinds": {"c": 1}}, "f.yaml: kinds.c: must be one of a, b, got 'c'"),
        ({"host": "h", "extra": [1]}, "f.yaml: extra: expected a mapping, got list [1]"),
        ({"host": "${H"}, "f.yaml: host: malformed environment reference '${H' (write ${NAME} or ${NAME:-default})"),
        ({"inner": {"host": "h"}, "port": 2}, "f.yaml: port: given both here and under 'inner'; write it once"),
        ({"host": "h", "prot": 2}, "f.yaml: prot: unknown field (allowed: extra, host, inner, items, kinds, port, weights)"),
    ]:
        with pytest.raises(UserError) as err:
            from_mapping(_Outer, data, "f.yaml:")
        assert str(err.value) == message


def test_env_refs_resolve_with_one_syntax(monkeypatch):
    from reasoning_suite.config_parsing import resolve_env_refs

    monkeypatch.setenv("RS_T_HOST", "h1")
    monkeypatch.delenv("RS_T_UNSET", raising=False)
    assert resolve_env_refs("http://${RS_T_HOST}:${RS_T_UNSET:-80}/v1", what="x") == "http://h1:80/v1"
    with pytest.raises(UserError, match="^x: environment variable RS_T_UNSET is not set$"):
        resolve_env_refs("${RS_T_UNSET}", what="x")


def _busier_endpoint() -> type:
    """`Endpoint` with every default of the knobs it owns changed: whoever copied one would
    keep the old value."""
    from reasoning_suite.endpoints import Endpoint

    @dataclasses.dataclass
    class Busier(Endpoint):
        max_concurrency: int = 3
        timeout_s: float = 7.0
        max_retries: int = 2
        backoff_base_s: float = 0.5
        backoff_max_s: float = 9.0

    return Busier


OWNED = ("max_concurrency", "timeout_s", "max_retries", "backoff_base_s", "backoff_max_s")


def test_a_judge_holds_an_endpoint_and_takes_its_defaults_from_it(monkeypatch):
    import reasoning_suite.judges.config as judges_config
    from reasoning_suite.endpoints import Endpoint

    assert not {f.name for f in dataclasses.fields(judges_config.JudgeSpec)} & {f.name for f in dataclasses.fields(Endpoint)}
    judge = {"name": "a", "base_url": "http://127.0.0.1:1/v1", "model": "m"}
    today = judges_config.parse_panel({"judges": [judge]}, source="p.yaml").judges[0].endpoint
    assert today == Endpoint(**judge)
    busier = _busier_endpoint()
    monkeypatch.setattr(judges_config, "Endpoint", busier)
    panel = judges_config.parse_panel({"judges": [judge]}, source="p.yaml")
    assert type(panel.judges[0].endpoint) is busier
    assert [getattr(panel.judges[0].endpoint, n) for n in OWNED] == [3, 7.0, 2, 0.5, 9.0]
    assert [panel.public_dict()["judges"][0][n] for n in OWNED] == [3, 7.0, 2, 0.5, 9.0]


def test_the_generator_takes_its_endpoint_defaults_from_endpoint(monkeypatch):
    """`GenerateConfig`'s concurrency/timeout/retries defaults are read from `Endpoint` when the
    module is defined: re-run its definition against a changed `Endpoint` and they follow."""
    import importlib.util

    import reasoning_suite.endpoints.config as endpoints_config
    import reasoning_suite.trainers.config as trainers_config
    from reasoning_suite.endpoints import Endpoint

    cfg = GenerateConfig(out="o", base_url="http://127.0.0.1:1/v1", model="m")
    assert cfg.endpoint() == Endpoint(name="m", base_url="http://127.0.0.1:1/v1", model="m")
    monkeypatch.setattr(endpoints_config, "Endpoint", _busier_endpoint())
    spec = importlib.util.spec_from_file_location("fresh_trainers_config", trainers_config.__file__)
    fresh = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, fresh)  # dataclasses look their module up; removed after
    spec.loader.exec_module(fresh)
    cfg = fresh.GenerateConfig(out="o", base_url="http://127.0.0.1:1/v1", model="m", teacher="t")
    assert (cfg.concurrency, cfg.timeout_s, cfg.max_retries) == (3, 7.0, 2)
    ep = cfg.endpoint()
    assert (ep.name, ep.max_concurrency, ep.timeout_s, ep.max_retries) == ("t", 3, 7.0, 2)


@pytest.mark.parametrize("argv, message", [
    (["study", "s.yaml", "--executor", "k"], "error: reasoning-suite study: argument --executor: invalid choice: 'k'"),
    (["study"], "error: reasoning-suite study: the following arguments are required: CONFIG"),
    (["tiny-model", "out", "--layers", "x"], "error: reasoning-suite tiny-model: argument --layers: invalid int value: 'x'"),
    (["real-model", "--name", "nope"], "error: reasoning-suite real-model: argument --name: invalid choice: 'nope'"),
])
def test_every_command_is_on_the_typed_parser(argv, message):
    """study, tiny-model and real-model parse through `CommandParser` like every other command:
    the same one-line errors, the same --help layout (defaults shown)."""

    bad = subprocess.run([sys.executable, "-m", "reasoning_suite", *argv], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines()[0].startswith(message), bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_single_positionals_round_trip():
    from reasoning_suite.study.commands import StudyCommand
    from reasoning_suite.tiny_model import TinyModelCommand

    cfg = CommandParser(StudyCommand, prog="s").parse(["my study.yaml", "--only", "a", "b", "--poll-seconds", "2"])
    assert (cfg.config, cfg.only, cfg.poll_seconds) == ("my study.yaml", ["a", "b"], 2.0)
    assert CommandParser(StudyCommand, prog="s").parse(to_argv(cfg)) == cfg
    tiny = CommandParser(TinyModelCommand, prog="t").parse(["out", "--hidden-size", "32"])
    assert to_argv(tiny) == ["out", "--hidden-size", "32"]


def test_demo_is_on_the_typed_parser_and_checks_teacher_once(tmp_path):
    from reasoning_suite.study.demo import DemoCommand, demo_main

    cfg = CommandParser(DemoCommand, prog="d").parse(["--tiny", "--eval-limit", "2", "--judge-tasks", "rs_gsm8k"])
    assert (cfg.tiny, cfg.eval_limit, cfg.judge_tasks, cfg.out) == (True, 2.0, "rs_gsm8k", "demo-output")
    for argv, message in [(["--out", str(tmp_path), "--teacher", "T"], "--teacher needs --teacher-url"),
                          (["--tiny", "--student", "s"], "give --tiny or --student, not both"),
                          (["--eval-limit", "x"], "argument --eval_limit/--eval-limit: invalid float value: 'x'")]:
        with pytest.raises(UserError, match=re.escape(message)):
            demo_main(argv)
    assert not (tmp_path / "steps").exists()
