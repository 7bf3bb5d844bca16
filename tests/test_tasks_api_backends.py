"""The suite through lm-eval's OpenAI-compatible API backends against a real local server:
`transformers serve` on the real SmolLM2-135M-Instruct, as a user evaluates a model behind a
server. The server rejects `"stop": []` with HTTP 500 on every request, which is what the tasks'
stop list used to become (`prompts.ZERO_SHOT_STOP` is never empty)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reasoning_suite.harness_tasks import prompts as P
from reasoning_suite.harness_tasks.build_yaml import GENERATION_KWARGS

pytestmark = [pytest.mark.real, pytest.mark.slow]

TASKS = "rs_gsm8k,rs_winogrande"


def test_the_zero_shot_stop_list_is_never_empty():
    assert GENERATION_KWARGS["until"] == list(P.ZERO_SHOT_STOP) and all(P.ZERO_SHOT_STOP)


@pytest.fixture(scope="module")
def served_real(real_model_dir, tmp_path_factory):
    pytest.importorskip("fastapi")
    from reasoning_suite.endpoints.local_server import serve_checkpoint

    with serve_checkpoint(real_model_dir, tmp_path_factory.mktemp("serve") / "serve.log") as served:
        yield served


def _eval(out: Path, *args: str) -> dict:
    cmd = [sys.executable, "-m", "reasoning_suite", "eval", "--offline", "--tasks", TASKS, "--limit", "1",
           "--gen_kwargs", "max_gen_toks=16", "--output_path", str(out), "--log_samples", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = list(out.glob("*/results_*.json"))
    assert len(results) == 1
    return json.loads(results[0].read_text())


def _check(res: dict, out: Path) -> None:
    for task in TASKS.split(","):
        assert res["results"][task]["acc,none"] in (0.0, 1.0)
        sample = json.loads(next(out.glob(f"*/samples_{task}_*.jsonl")).read_text().splitlines()[0])
        assert isinstance(sample["resps"][0][0], str) and sample["resps"][0][0].strip()  # a real reply, not an error


@pytest.mark.xdist_group("served_real")
def test_local_chat_completions_against_transformers_serve(served_real, tmp_path):
    out = tmp_path / "chat"
    res = _eval(out, "--model", "local-chat-completions", "--apply_chat_template", "--model_args",
                f"model={served_real.model},base_url={served_real.base_url}/chat/completions,"
                "num_concurrent=1,max_retries=1,eos_string=<|im_end|>")
    _check(res, out)
    assert res["configs"]["rs_gsm8k"]["generation_kwargs"]["until"] == list(P.ZERO_SHOT_STOP)


@pytest.mark.xdist_group("served_real")
def test_local_completions_against_transformers_serve(served_real, real_model_dir, tmp_path):
    """Completions serve base models: the few-shot layout (its prompt ends in the answer cue; a raw
    zero-shot prompt without the chat template makes SmolLM2 end its turn at once)."""
    out = tmp_path / "completions"
    res = _eval(out, "--model", "local-completions", "--num_fewshot", "1", "--model_args",
                f"model={served_real.model},base_url={served_real.base_url}/completions,"
                f"num_concurrent=1,max_retries=1,tokenized_requests=False,tokenizer_backend=huggingface,"
                f"tokenizer={real_model_dir}")
    _check(res, out)
    stops = res["configs"]["rs_gsm8k"]["generation_kwargs"]["until"]
    assert stops and stops != list(P.ZERO_SHOT_STOP)  # the few-shot overlay's instruction lines
