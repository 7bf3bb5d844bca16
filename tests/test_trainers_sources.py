"""Prompt sources in the real schemas of the paper's datasets, thinking summaries through a real
HTTP endpoint with the call cache, the accelerate configs, and a two-process DDP run on CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reasoning_suite.endpoints.scripted_server import Behaviour, ScriptedServer
from reasoning_suite.errors import UserError
from reasoning_suite.trainers import prompts as prompts_mod
from reasoning_suite.trainers.config import GenerateConfig
from reasoning_suite.trainers.generate import load_prompts, request_for
from reasoning_suite.trainers.records import PairRecord
from reasoning_suite.trainers.summarize import SUMMARY_PROMPT, summarize

from trainers_fixtures import pair, write_pairs

REPO = Path(__file__).resolve().parents[1]

# One row each in the published schemas (BAAI/Infinity-Instruct 7M_core; Llama-Nemotron SFT math).
INFINITY_ROW = {"id": 17, "conversations": [{"from": "human", "value": "Write a haiku about rain."},
                                            {"from": "gpt", "value": "Soft rain on the roof..."}],
                "label": {}, "langdetect": "en", "source": "Subjective"}
NEMOTRON_ROW = {"input": [{"role": "user", "content": "Solve 2x + 3 = 7."}], "output": "<think>...</think> x = 2",
                "category": "math", "license": "cc-by-4.0", "reasoning": "on", "generator": "DeepSeek-R1",
                "used_in_training": "Ultra, Super, Nano", "version": "v1.1", "system_prompt": "detailed thinking on"}


def test_presets_map_the_real_schemas(monkeypatch):
    calls = []

    def fake_load_dataset(name, config=None, split=None, streaming=False):
        calls.append((name, config, split, streaming))
        return [INFINITY_ROW] if "Infinity" in name else [NEMOTRON_ROW]

    import datasets

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    inf = load_prompts(GenerateConfig(dataset="infinity-instruct", limit=5))
    nem = load_prompts(GenerateConfig(dataset="nemotron-math", limit=5))
    assert calls == [("BAAI/Infinity-Instruct", "7M_core", "train", True),
                     ("nvidia/Llama-Nemotron-Post-Training-Dataset", "SFT", "math", True)]
    assert (inf[0].id, inf[0].prompt, inf[0].domain) == ("17", "Write a haiku about rain.", "general")
    assert (nem[0].prompt, nem[0].domain) == ("Solve 2x + 3 = 7.", "math") and len(nem[0].id) == 16


def test_an_explicit_split_or_field_is_honoured_even_when_it_equals_the_old_default(monkeypatch):
    """`--split train --dataset nemotron-math` used to load split `math` (the flag was compared
    with the default); an explicit value wins, the preset's only fills what was not given."""
    from reasoning_suite.config_parsing import CommandParser
    from reasoning_suite.trainers.generate import hub_source

    parse = CommandParser(GenerateConfig).parse
    base = ["--out", "o", "--base-url", "http://h/v1", "--model", "t", "--dataset", "nemotron-math"]
    assert hub_source(parse(base + ["--split", "train"]))[2] == "train"
    assert hub_source(parse(base + ["--prompt-field", "prompt"]))[3] == "prompt"
    assert hub_source(parse(base))[1:4] == ("SFT", "math", "input")  # the preset's when nothing was given
    assert hub_source(GenerateConfig(dataset="org/other"))[2:4] == ("train", "prompt")
    calls = []
    monkeypatch.setattr("datasets.load_dataset", lambda name, config=None, split=None, streaming=False:
                        calls.append(split) or [NEMOTRON_ROW])
    load_prompts(GenerateConfig(dataset="nemotron-math", split="train", limit=1))
    assert calls == ["train"]


def test_jsonl_prompts_field_mapping_and_errors(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"q": "A?"}) + "\n" + json.dumps({"q": "A?"}) + "\n" + json.dumps({"q": "B?"}) + "\n")
    items = prompts_mod.from_jsonl(str(f), prompt_field="q")
    assert [i.prompt for i in items] == ["A?", "B?"]  # a repeated prompt is generated once
    with pytest.raises(UserError, match=r"p.jsonl:1: no field 'prompt'"):
        prompts_mod.from_jsonl(str(f))
    with pytest.raises(UserError, match="no user/human turn"):
        prompts_mod.extract_prompt([{"from": "gpt", "value": "x"}], "row")
    with pytest.raises(UserError, match="exactly one prompt source"):
        load_prompts(GenerateConfig())


def test_request_per_mode():
    cfg = GenerateConfig(thinking_switch="none")
    r = request_for("reasoning", "Q", cfg)
    assert r["extra_body"] is None and r["messages"] == [{"role": "user", "content": "Q"}]
    with pytest.raises(UserError, match="--thinking-switch"):
        request_for("ift", "Q", GenerateConfig(thinking_switch="bogus"))


def test_summaries_are_cached(tmp_path):
    recs = [PairRecord.from_json(pair(i), "t") for i in range(3)]
    cache = str(tmp_path / "s.sqlite")
    with ScriptedServer({"sum": Behaviour(reply="text", text="I add the two numbers.")}) as server:
        first = summarize(recs, server.base_url, "sum", cache_path=cache)
        assert server.answered("sum") == 3
        again = summarize(recs, server.base_url, "sum", cache_path=cache)
        assert server.answered("sum") == 3  # nothing asked twice
    assert first == again == {r.id: "I add the two numbers." for r in recs}
    assert "{thinking}" in SUMMARY_PROMPT and "{question}" in SUMMARY_PROMPT


def test_build_data_cli_think_summary(tmp_path):
    from reasoning_suite.cli import main

    pairs = write_pairs(tmp_path / "pairs.jsonl", 4)
    out = tmp_path / "mix.jsonl"
    with ScriptedServer({"sum": Behaviour(reply="text", text="Short plan.")}) as server:
        rc = main(["build-data", "--pairs", str(pairs), "--out", str(out), "--format", "think_summary",
                   "--summarizer-url", server.base_url, "--summarizer-model", "sum"])
    assert rc == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(r["messages"][-1]["content"].startswith("<think>\nShort plan.\n</think>\n\n") for r in rows)
    assert main(["build-data", "--pairs", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2


def test_accelerate_configs_are_shipped_identically():
    import yaml

    from reasoning_suite.trainers.accelerate import NAMES, config_path
    from reasoning_suite.trainers.commands import accelerate_command

    for name in NAMES:
        shipped = Path(config_path(name))
        assert shipped.read_text() == (REPO / "configs" / "accelerate" / f"{name}.yaml").read_text()
        assert yaml.safe_load(shipped.read_text())["mixed_precision"] == "bf16"
    assert yaml.safe_load(Path(config_path("fsdp")).read_text())["fsdp_config"]["fsdp_state_dict_type"] == "FULL_STATE_DICT"
    assert yaml.safe_load(Path(config_path("deepspeed_zero3")).read_text())["deepspeed_config"]["zero3_save_16bit_model"]
    cmd = accelerate_command(["--model", "m", "--accelerate-config", "fsdp", "--num-processes", "4", "--data", "d.jsonl"],
                             "fsdp", 4)
    assert cmd[1:] == ["-m", "accelerate.commands.launch", "--config_file", config_path("fsdp"), "--num_processes", "4",
                       "-m", "reasoning_suite", "train", "--model", "m", "--data", "d.jsonl"]
    with pytest.raises(UserError, match="accelerate-config"):
        config_path("zero9")


@pytest.mark.slow
def test_two_process_ddp_run_on_cpu(tmp_path, tiny_model_dir):
    """torchrun with 2 CPU processes (gloo): world size enters the token batch, rank 0 writes, stages chain."""
    from reasoning_suite.trainers.build_data import build
    from reasoning_suite.trainers.config import BuildDataConfig

    pairs = write_pairs(tmp_path / "pairs.jsonl", 8)
    build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "g.jsonl"), format="ift"))
    build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "m.jsonl"), ratio=1.0))
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run([str(Path(sys.executable).with_name("torchrun")), "--nproc_per_node", "2", "--master_addr",
                          "127.0.0.1", "--master_port", str(port), "-m", "reasoning_suite", "train", "--model",
                          str(tiny_model_dir), "--data", "general=g.jsonl", "--data", "math=m.jsonl", "--output-dir",
                          "student", "--max-seq-length", "128", "--global-batch-tokens", "256"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    rec = json.loads((tmp_path / "student" / "reasoning_suite_run.json").read_text())
    assert [s["batch"]["world_size"] for s in rec["stages"]] == [2, 2]
    assert rec["stages"][0]["batch"]["grad_accum"] == 1  # 256 tokens = 1 x 1 x 2 processes x 128
    assert (tmp_path / "student" / "stage-1-general" / "reasoning_suite_run.json").exists()


def test_import_pairs_from_the_hub_name(monkeypatch, tmp_path):
    import datasets

    from reasoning_suite.trainers.import_pairs import import_pairs
    from reasoning_suite.trainers.records import read_pairs

    calls = []

    def fake_load_dataset(name, split=None, streaming=False):
        calls.append((name, split, streaming))
        return [{"prompt": f"Q{i}", "reasoning": f"<think>\nt{i}\n</think>\n\nA{i}", "ift": f"a{i}"} for i in range(5)]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    assert import_pairs(str(tmp_path / "p.jsonl"), dataset="math", limit=3) == 3
    assert calls == [("When-Does-Reasoning-Matter/math-reasoning-ift-pairs", "reasoning_ift_pairs", True)]
    recs = read_pairs(tmp_path / "p.jsonl")
    assert [(r.domain, r.reasoning.thinking, r.reasoning.answer, r.ift.answer) for r in recs][0] == ("math", "t0", "A0", "a0")
