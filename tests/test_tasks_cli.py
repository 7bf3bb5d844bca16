"""`lm_eval` on the command line with `--model hf` on the tiny random checkpoint, offline samples.

Random weights give garbage answers, so these check plumbing, not scores: every task and every
category lands in the results JSON, samples are logged with the full responses, the chat
template and few-shot paths run, and `reasoning-suite eval` passes its arguments through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reasoning_suite.harness_tasks import offline_tasks_dir
from reasoning_suite.harness_tasks.prompts import ZERO_SHOT_STOP
from reasoning_suite.harness_tasks.registry import CATEGORY_GROUPS, CORE_TASKS, EXTENDED_TASKS, GROUPS

pytestmark = pytest.mark.slow

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
       "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "2"}


def _run(cmd: list[str], out: Path) -> dict:
    proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = list(out.glob("*/results_*.json"))
    assert len(results) == 1, list(out.rglob("*"))
    return json.loads(results[0].read_text())


def _hf_args(model_dir: Path, out: Path, max_toks: int = 12) -> list[str]:
    return ["--model", "hf", "--model_args", f"pretrained={model_dir},dtype=float32",
            "--gen_kwargs", f"max_gen_toks={max_toks}", "--batch_size", "16",
            "--output_path", str(out), "--log_samples", "--seed", "1"]


def _check_core(res: dict, out: Path) -> None:
    for task in CORE_TASKS:
        assert task in res["results"], task
        assert "acc,none" in res["results"][task] and "has_answer,none" in res["results"][task]
    for group in GROUPS["reasoning_suite"]:
        assert res["results"][group]["alias"] == CATEGORY_GROUPS[group]
        assert 0.0 <= res["results"][group]["acc,none"] <= 1.0
    assert "reasoning_suite" in res["groups"]
    assert res["group_subtasks"]["reasoning_suite"] == GROUPS["reasoning_suite"]
    samples = list(out.glob("*/samples_rs_gsm8k_*.jsonl"))
    assert samples
    line = json.loads(samples[0].read_text().splitlines()[0])
    assert isinstance(line["resps"][0][0], str)
    assert {"acc", "has_answer"} <= set(line)


def test_lm_eval_cli_core_group_plain(tiny_model_dir, tmp_path):
    out = tmp_path / "plain"
    cmd = [sys.executable, "-m", "lm_eval", "--include_path", offline_tasks_dir(),
           "--tasks", "reasoning_suite", *_hf_args(tiny_model_dir, out)]
    res = _run(cmd, out)
    _check_core(res, out)
    assert res["configs"]["rs_gsm8k"]["generation_kwargs"]["temperature"] == 1.0
    assert res["configs"]["rs_gsm8k"]["generation_kwargs"]["until"] == list(ZERO_SHOT_STOP)  # never empty
    assert res["configs"]["rs_gsm8k"]["generation_kwargs"]["max_gen_toks"] == 12


def test_reasoning_suite_eval_with_chat_template(tiny_model_dir, tmp_path):
    out = tmp_path / "chat"
    cmd = [sys.executable, "-m", "reasoning_suite", "eval", "--offline", "--thinking", "prompt-opened",
           "--tasks", "reasoning_suite", "--apply_chat_template", *_hf_args(tiny_model_dir, out)]
    res = _run(cmd, out)
    _check_core(res, out)
    line = json.loads(next(out.glob("*/samples_rs_squad_*.jsonl")).read_text().splitlines()[0])
    prompt = line["arguments"]["gen_args_0"]["arg_0"]
    assert prompt.startswith("<|im_start|>user\nRead the passage") and prompt.endswith("<|im_start|>assistant\n")
    # prompt-opened: a response without </think> has no answer, whatever else it contains
    for path in out.glob("*/samples_rs_*.jsonl"):
        for raw in path.read_text().splitlines():
            line = json.loads(raw)
            if "</think>" not in line["resps"][0][0]:
                assert line["has_answer"] == 0.0 and line["filtered_resps"][0] == [""], path.name


def test_extended_group(tiny_model_dir, tmp_path):
    out = tmp_path / "ext"
    cmd = [sys.executable, "-m", "reasoning_suite", "eval", "--offline",
           "--tasks", "reasoning_suite_extended", *_hf_args(tiny_model_dir, out)]
    res = _run(cmd, out)
    for task in EXTENDED_TASKS:
        assert task in res["results"], task
    assert "rougeL,none" in res["results"]["rs_c_code_summarization"]
    # the suite's acc is the mean of its categories (core.aggregate); lm-eval reports the categories'
    assert "has_answer,none" in res["results"]["reasoning_suite_extended"]
    assert "acc,none" not in res["results"]["reasoning_suite_extended"]
    for group in ("rs_law", "rs_code", "rs_physics"):
        assert "acc,none" in res["results"][group], group


def test_three_shot_with_repeats(tiny_model_dir, tmp_path):
    out = tmp_path / "fewshot"
    cmd = [sys.executable, "-m", "reasoning_suite", "eval", "--offline", "--repeats", "2",
           "--tasks", "rs_gsm8k,rs_mmlu_misc,rs_ifeval,rs_coqa", "--num_fewshot", "3",
           *_hf_args(tiny_model_dir, out, max_toks=8)]
    res = _run(cmd, out)
    assert res["n-shot"]["rs_gsm8k"] == 3
    assert res["configs"]["rs_gsm8k"]["repeats"] == 2
    line = json.loads(next(out.glob("*/samples_rs_gsm8k_*.jsonl")).read_text().splitlines()[0])
    assert line["arguments"]["gen_args_0"]["arg_0"].count("\nAnswer: \\boxed{") == 3
    assert len(line["resps"][0]) == 2 and len(line["filtered_resps"][0]) == 2


def test_local_chat_completions_against_a_real_server(served_tiny_model, tiny_model_dir, tmp_path):
    out = tmp_path / "api"
    cmd = [sys.executable, "-m", "reasoning_suite", "eval", "--offline",
           "--model", "local-chat-completions",
           "--model_args", f"model={tiny_model_dir},base_url={served_tiny_model.base_url}/chat/completions,"
           "num_concurrent=1,max_retries=1,eos_string=<|im_end|>",
           "--tasks", "rs_gsm8k,rs_ifeval", "--apply_chat_template", "--gen_kwargs", "max_gen_toks=8",
           "--output_path", str(out), "--log_samples"]
    res = _run(cmd, out)
    assert {"rs_gsm8k", "rs_ifeval"} <= set(res["results"])
    line = json.loads(next(out.glob("*/samples_rs_gsm8k_*.jsonl")).read_text().splitlines()[0])
    assert isinstance(line["resps"][0][0], str) and "acc" in line


def test_tasks_table_fits_80_columns():
    """`reasoning-suite tasks` in an 80-column terminal: no line wider than 80, every task name
    whole on its own line, every subset note printed."""
    import os
    import subprocess
    import sys

    from reasoning_suite.harness_tasks.registry import TASKS

    out = subprocess.run([sys.executable, "-m", "reasoning_suite", "tasks"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "80"}, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    firsts = {line.split()[0] for line in lines if line.strip()}
    assert set(TASKS) <= firsts
    assert "category == computer science" in out.stdout and "reasoning_suite_extended: rs_law" in out.stdout
