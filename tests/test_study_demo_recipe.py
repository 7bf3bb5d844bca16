"""The demo's recipe and device choices have one owner each, and the closing panel's numbers."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from reasoning_suite.study import demo
from reasoning_suite.study.config import study_from_dict
from reasoning_suite.study.demo_recipe import RECIPE, device_choices


def _args(tmp_path, **kw) -> demo.DemoCommand:
    return demo.DemoCommand(**{"out": str(tmp_path / "d"), **kw})


def test_device_choice_cpu_and_gpu():
    cpu, cpu_bf16, gpu = device_choices(False), device_choices(False, cpu_bf16=True), device_choices(True)
    assert cpu.train["precision"] == "fp32" and cpu_bf16.train["precision"] == "bf16" and gpu.train["precision"] == "bf16"
    assert int(gpu.eval_batch_size) > int(cpu.eval_batch_size) == int(cpu_bf16.eval_batch_size)


@pytest.mark.parametrize("cuda,cpu_bf16", [(False, False), (False, True), (True, False)])
def test_demo_config_takes_recipe_and_device_from_their_owners(tmp_path, monkeypatch, cuda, cpu_bf16):
    monkeypatch.setattr(demo, "cuda_available", lambda: cuda)
    monkeypatch.setattr(demo, "cpu_bf16_fast", lambda: cpu_bf16)
    data = demo.demo_config(_args(tmp_path), real_base=str(tmp_path / "base"))
    assert data["train"] == RECIPE.train_section(cuda=cuda, cpu_bf16=cpu_bf16)
    assert data["train"]["learning_rate"] == RECIPE.learning_rate
    assert data["train"]["precision"] == ("bf16" if cuda or cpu_bf16 else "fp32")
    assert data["eval"]["batch_size"] == device_choices(cuda, cpu_bf16).eval_batch_size
    assert data["eval"]["gen_kwargs"] == f"max_gen_toks={RECIPE.max_gen_toks}"
    assert data["eval"]["limit"] == demo.REAL_DOCS > 1
    assert data["pairs"]["file"].endswith("teacher_pairs.jsonl") and data["eval"]["tasks"] == demo.REAL_TASKS
    cfg = study_from_dict(data, "demo")  # every recipe field is a TrainConfig field
    assert cfg.train.learning_rate == RECIPE.learning_rate and cfg.train.warmup_steps == RECIPE.warmup_steps


def test_learned_formats_per_run_on_unbalanced_runs():
    # run a: 4 answers, run b: 1; shares per run, not pooled over runs; accuracy per category by
    # core.aggregate's rule: Math-OE of a = mean(gsm8k 1.0, math_500 0.0) = 0.5, not pooled 2/3
    table = pd.DataFrame({
        "run": ["a", "a", "a", "a", "b"],
        "task": ["rs_gsm8k", "rs_gsm8k", "rs_math_500", "rs_winogrande", "rs_gsm8k"],
        "category": ["Math-OE", "Math-OE", "Math-OE", "General-MC", "Math-OE"],
        "metric": "acc", "closed_thinking": [True, True, False, False, False],
        "has_answer": [1.0, 1.0, 0.0, 1.0, 1.0], "answer_tokens": [10, 20, 30, 20, 4],
        "acc": [1.0, 1.0, 0.0, 1.0, 0.0]})
    for c in ("thinking_tokens", "final_tokens", "prompt_tokens", "truncated", "inference_flops_paper",
              "inference_flops_arch"):
        table[c] = 0.0
    out = demo.learned_formats(table)
    # the shares by the same rule: Math-OE mean(gsm8k 1.0, math_500 0.0) = 0.5, General-MC 0.0,
    # overall 0.25 (pooled over answers would say 2/4); tokens: mean(mean(15, 30), 20) = 21.25
    assert out.loc["a", "closed_thinking"] == pytest.approx(0.25) and out.loc["b", "closed_thinking"] == 0
    assert out.loc["a", "has_answer"] == pytest.approx(0.75) and out.loc["a", "answer_tokens"] == pytest.approx(21.25)
    assert out.loc["a", "acc Math-OE"] == pytest.approx(0.5) and out.loc["a", "acc General-MC"] == 1.0
    assert np.isnan(out.loc["b", "acc General-MC"])
