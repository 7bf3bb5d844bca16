"""The demo's recipe pinned on the real model: one epoch over the demo's teacher pairs (the
reasoning side) with `demo_recipe.RECIPE` teaches SmolLM2-135M-Instruct the reasoning format on
prompts it never saw; the base model does not write it (the check can fail)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reasoning_suite.core.answer import split_response
from reasoning_suite.devices import cpu_bf16_fast
from reasoning_suite.study.demo_recipe import RECIPE, greedy_replies
from reasoning_suite.study.teacher_pairs import PAIRS_FILE, heldout_prompts

pytestmark = [pytest.mark.real, pytest.mark.slow]


def _rs(*args: str) -> None:
    out = subprocess.run([sys.executable, "-m", "reasoning_suite", *args], capture_output=True, text=True,
                         timeout=3600, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, (out.stdout[-2000:], out.stderr[-4000:])


def test_demo_recipe_teaches_the_reasoning_format_on_heldout_prompts(real_model_dir, tmp_path):
    held = [r["prompt"] for r in heldout_prompts(1) if r["category"] != "general-if"]  # 4 categories
    assert len(held) >= 3
    base = greedy_replies(str(real_model_dir), held, RECIPE.max_gen_toks)
    assert not any(split_response(t).closed_thinking for t in base)  # the base never writes the format

    _rs("import-pairs", "--file", str(PAIRS_FILE), "--out", str(tmp_path / "pairs.jsonl"))
    _rs("build-data", "--pairs", str(tmp_path / "pairs.jsonl"), "--out", str(tmp_path / "r.jsonl"), "--format", "reasoning")
    flags = [f"--{k}={v}" for k, v in RECIPE.train_section(cpu_bf16=cpu_bf16_fast()).items()]  # what the demo trains with here
    _rs("train", "--model", str(real_model_dir), "--output_dir", str(tmp_path / "student"), "--data",
        str(tmp_path / "r.jsonl"), "--save_steps", "100000", "--no-resume", *flags)
    replies = greedy_replies(str(tmp_path / "student"), held, RECIPE.max_gen_toks)
    for prompt, reply in zip(held, replies):
        parts = split_response(reply)
        assert reply.lstrip().startswith("<think>") and parts.closed_thinking, (prompt[-120:], reply)
        assert parts.answer and "\\boxed{" in parts.answer, (prompt[-120:], reply)
