"""Teacher generation against real local HTTP servers: the scripted server (records, thinking
switch, sampling per mode, failures, resume after kill -9 and after a torn line) and
`transformers serve` with the tiny checkpoint."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reasoning_suite.endpoints.scripted_server import Behaviour, ScriptedServer
from reasoning_suite.trainers.config import GenerateConfig
from reasoning_suite.trainers.generate import generate
from reasoning_suite.trainers.records import read_pairs

PY = sys.executable


def _prompts(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"prompt": f"What is {i} + {i}?", "qid": f"q{i}"}) + "\n" for i in range(n)))
    return path


def _recording(server: ScriptedServer) -> list[dict]:
    bodies: list[dict] = []
    original = server.handle_chat

    def handle(body):
        bodies.append(body)
        return original(body)

    server.handle_chat = handle
    return bodies


def test_records_thinking_switch_and_sampling(tmp_path):
    behaviour = Behaviour(reply="text", text="The answer is \\boxed{4}.", reasoning="2 plus 2 is 4.")
    with ScriptedServer({"teacher": behaviour}) as server:
        bodies = _recording(server)
        cfg = GenerateConfig(out=str(tmp_path / "pairs.jsonl"), base_url=server.base_url, model="teacher",
                             prompts_jsonl=str(_prompts(tmp_path / "p.jsonl", 3)), id_field="qid", domain="math",
                             progress=False)
        s = generate(cfg)
    assert (s.written, s.failed, s.http_requests) == (3, 0, 6)
    assert (s.ift_with_thinking, s.reasoning_without_thinking) == (3, 0)  # this server ignores the switch
    recs = read_pairs(cfg.out)
    assert sorted(r.id for r in recs) == ["q0", "q1", "q2"]
    r = recs[0]
    assert r.reasoning.thinking == "2 plus 2 is 4." and r.reasoning.answer == "The answer is \\boxed{4}."
    assert r.ift.answer == "The answer is \\boxed{4}." and r.ift.thinking is None
    assert r.reasoning.finish_reason == "stop" and r.reasoning.completion_tokens > 0 and r.ift.prompt_tokens > 0
    assert (r.domain, r.teacher) == ("math", "teacher")
    modes = {b["chat_template_kwargs"]["enable_thinking"]: b for b in bodies}
    assert (modes[True]["temperature"], modes[True]["top_p"]) == (0.6, 0.95)
    assert (modes[False]["temperature"], modes[False]["top_p"]) == (0.7, 0.8)
    # the reasoning budget is the students' training length (a longer trace is never trained on)
    assert modes[True]["max_tokens"] == 16_384 and modes[False]["max_tokens"] == 8_192


def test_inline_think_tags_and_soft_switch(tmp_path):
    behaviour = Behaviour(reply="text", text="<think>\nfirst 2, then 4\n</think>\n\nIt is 4.")
    with ScriptedServer({"t": behaviour}) as server:
        bodies = _recording(server)
        cfg = GenerateConfig(out=str(tmp_path / "o.jsonl"), base_url=server.base_url, model="t", progress=False,
                             prompts_jsonl=str(_prompts(tmp_path / "p.jsonl", 1)), thinking_switch="soft_switch")
        generate(cfg)
    rec = read_pairs(cfg.out)[0]
    assert (rec.reasoning.thinking, rec.reasoning.answer) == ("first 2, then 4", "It is 4.")
    ends = sorted(b["messages"][0]["content"].rsplit(" ", 1)[1] for b in bodies)
    assert ends == ["/no_think", "/think"] and all("chat_template_kwargs" not in b for b in bodies)


def test_failed_prompts_are_not_written_and_retried_next_run(tmp_path):
    prompts = _prompts(tmp_path / "p.jsonl", 2)
    out = tmp_path / "o.jsonl"
    with ScriptedServer({"t": Behaviour(reply="text", text="x", fail_status=500, fail_times=-1)}) as server:
        cfg = GenerateConfig(out=str(out), base_url=server.base_url, model="t", prompts_jsonl=str(prompts),
                             max_retries=1, progress=False)
        s = generate(cfg)
    assert (s.written, s.failed) == (0, 2) and "HTTP 500" in s.first_error
    assert not out.exists() or out.read_text() == ""
    with ScriptedServer({"t": Behaviour(reply="text", text="x")}) as server:
        cfg.base_url = server.base_url
        s = generate(cfg)
    assert (s.written, s.failed) == (2, 0)


def test_torn_last_line_is_regenerated_from_the_cache(tmp_path):
    prompts = _prompts(tmp_path / "p.jsonl", 3)
    out = tmp_path / "o.jsonl"
    with ScriptedServer({"t": Behaviour(reply="echo", reasoning="think")}) as server:
        cfg = GenerateConfig(out=str(out), base_url=server.base_url, model="t", prompts_jsonl=str(prompts), progress=False)
        generate(cfg)
        full = out.read_text()
        out.write_text(full[: len(full) - 40])  # kill -9 in the middle of writing the last record
        s = generate(cfg)
        assert server.answered("t") == 6  # nothing was asked twice
    assert (s.written, s.already_done, s.http_requests, s.cache_hits) == (1, 2, 0, 2)
    assert out.read_text().splitlines() and sorted(out.read_text().splitlines()) == sorted(full.splitlines())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_resume_after_killed_run(tmp_path):
    """kill -9 a real `reasoning-suite generate` mid-run, run it again: every prompt once, none lost,
    and no request the first run got an answer to (and cached) is sent again."""
    n = 16
    prompts = _prompts(tmp_path / "p.jsonl", n)
    out = tmp_path / "pairs.jsonl"
    behaviour = Behaviour(reply="echo", reasoning="thinking", latency_s=0.15)
    with ScriptedServer({"t": behaviour}) as server:
        cmd = [PY, "-m", "reasoning_suite", "generate", "--prompts", str(prompts), "--out", str(out),
               "--base-url", server.base_url, "--model", "t", "--concurrency", "2", "--thinking-switch",
               "soft_switch", "--no-progress"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        written_before = out.read_text().count("\n")
        assert 3 <= written_before < n, "the kill must land mid-run"
        answered_before = server.answered("t")
        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        stats = server.stats()
    recs = read_pairs(out)
    assert len(recs) == n and len({r.id for r in recs}) == n
    assert {r.prompt for r in recs} == {json.loads(line)["prompt"] for line in prompts.read_text().splitlines()}
    # A request is sent again only if the first run was killed while it was in flight; the client
    # keeps at most --concurrency (2) requests in flight.
    assert stats["repeated_prompts"] <= 2
    assert server.answered("t") <= 2 * n + 2
    assert answered_before >= 2 * written_before


@pytest.mark.slow
def test_generate_against_transformers_serve(tmp_path, tiny_model_dir, served_tiny_model):
    cfg = GenerateConfig(out=str(tmp_path / "o.jsonl"), base_url=served_tiny_model.base_url,
                         model=served_tiny_model.model, prompts_jsonl=str(_prompts(tmp_path / "p.jsonl", 2)),
                         max_tokens_reasoning=16, max_tokens_ift=8, concurrency=2, progress=False)
    s = generate(cfg)
    assert (s.written, s.failed) == (2, 0)
    recs = read_pairs(cfg.out)
    for r in recs:
        assert r.ift.completion_tokens <= 8 and r.reasoning.completion_tokens <= 16
        assert r.reasoning.finish_reason in ("length", "stop") and r.reasoning.thinking is not None
        # enable_thinking=false reached the chat template: it closes an empty think block in the prompt
        assert r.ift.prompt_tokens > r.reasoning.prompt_tokens
