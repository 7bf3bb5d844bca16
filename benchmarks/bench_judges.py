"""Throughput of the judge panel against local scripted OpenAI-compatible servers.

    .venv/bin/python benchmarks/bench_judges.py [--quick]

Two servers run in their own processes (so they do not share the client's interpreter): one
answers instantly, one after 50 ms. A three-judge panel judges N synthetic judge prompts:

- baseline: the judges called one sample at a time (for each sample, each judge in turn, awaiting
  every reply) through the same client, as a naive loop would;
- panel at concurrency 1 (each judge's own worker, judges in parallel) and at concurrency 64.

A "judgement" is one sample judged by the whole panel (three calls). It also measures the
overhead of one call through ChatClient (cache lookup + openai + retry loop + cache write)
against a bare httpx POST to the same instant server, and the cost of a cache hit (a re-run).
Figures are ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from reasoning_suite.endpoints import CallCache, ChatClient
from reasoning_suite.judges.config import parse_panel
from reasoning_suite.judges.prepare import ItemKey
from reasoning_suite.judges.prompts import DEFAULT_PROMPT, fill_prompt
from reasoning_suite.judges.runner import messages_for, run_panel

JUDGES = ("judge-a", "judge-b", "judge-c")


def start_server(latency_s: float) -> tuple[subprocess.Popen, str]:
    spec = "reply:random" + (f",latency_s:{latency_s}" if latency_s else "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reasoning_suite.endpoints.scripted_server", "--port", "0", "--behaviour", f"*={spec}"],
        stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"scripted server did not start: {line!r}")
    return proc, line.strip().rsplit(" ", 1)[-1]


def make_prompts(n: int, salt: str) -> dict[ItemKey, str]:
    return {
        ItemKey("bench", i, 0): fill_prompt(
            DEFAULT_PROMPT,
            question=f"[{salt}] What is {i} + {i}? " + "Some context. " * 40,
            answer=f"... so the total is \\boxed{{{2 * i}}}",
            truth=str(2 * i),
        )
        for i in range(n)
    }


def panel_for(url: str, concurrency: int):
    return parse_panel(
        {"judges": [{"name": j, "base_url": url, "model": j, "max_concurrency": concurrency} for j in JUDGES]},
        source="bench",
    )


async def naive(url: str, prompts: dict[ItemKey, str], cache_path: Path) -> float:
    panel = panel_for(url, 1)
    cache = CallCache(cache_path)
    clients = [ChatClient(j.endpoint, cache=cache) for j in panel.judges]
    start = time.perf_counter()
    for prompt in prompts.values():
        for client in clients:
            await client.chat(messages_for(prompt), temperature=0.7, top_p=0.95)
    elapsed = time.perf_counter() - start
    for c in clients:
        await c.aclose()
    cache.close()
    return elapsed


def timed_panel(url: str, prompts: dict[ItemKey, str], concurrency: int, cache_path: Path) -> float:
    panel = panel_for(url, concurrency)
    cache = CallCache(cache_path)
    start = time.perf_counter()
    asyncio.run(run_panel(panel, prompts, cache))
    elapsed = time.perf_counter() - start
    cache.close()
    return elapsed


async def bare_httpx(url: str, n: int) -> float:
    async with httpx.AsyncClient(timeout=30) as client:
        body = {"model": "judge-a", "messages": messages_for("overhead probe " + "x" * 600), "temperature": 0.7, "top_p": 0.95}
        start = time.perf_counter()
        for i in range(n):
            body["messages"][0]["content"] = f"bare probe {i} " + "x" * 600
            r = await client.post(url + "/chat/completions", json=body)
            r.json()["choices"][0]["message"]["content"]
        return time.perf_counter() - start


async def client_calls(url: str, n: int, cache_path: Path) -> tuple[float, float]:
    cache = CallCache(cache_path)
    client = ChatClient(panel_for(url, 1).judges[0].endpoint, cache=cache)
    msgs = [messages_for(f"client probe {i} " + "x" * 600) for i in range(n)]
    start = time.perf_counter()
    for m in msgs:
        await client.chat(m, temperature=0.7, top_p=0.95)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    for m in msgs:
        await client.chat(m, temperature=0.7, top_p=0.95)
    hits = time.perf_counter() - start
    await client.aclose()
    cache.close()
    return fresh, hits


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (about 4x faster)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    scale = 4 if args.quick else 1
    sizes = {0.0: (240 // scale, 600 // scale), 0.05: (40 // scale, 600 // scale)}  # (naive & c=1, c=64)
    figures: dict = {"judges": len(JUDGES), "servers": {}}
    procs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            for latency in (0.0, 0.05):
                proc, url = start_server(latency)
                procs.append(proc)
                small, large = sizes[latency]
                label = "instant" if latency == 0 else "50 ms"
                t_naive = asyncio.run(naive(url, make_prompts(small, f"naive{latency}"), tmpdir / f"n{latency}.sqlite"))
                t_c1 = timed_panel(url, make_prompts(small, f"c1{latency}"), 1, tmpdir / f"c1{latency}.sqlite")
                t_c64 = timed_panel(url, make_prompts(large, f"c64{latency}"), 64, tmpdir / f"c64{latency}.sqlite")
                rate = {"naive": small / t_naive, "panel_c1": small / t_c1, "panel_c64": large / t_c64}
                figures["servers"][label] = {
                    "judgements_per_s": rate,
                    "speedup_vs_naive": {k: v / rate["naive"] for k, v in rate.items()},
                    "n": {"naive": small, "panel_c1": small, "panel_c64": large},
                }
                if latency == 0:
                    n = 200 // scale
                    t_bare = asyncio.run(bare_httpx(url, n))
                    t_client, t_hits = asyncio.run(client_calls(url, n, tmpdir / "overhead.sqlite"))
                    figures["per_call_ms"] = {
                        "bare_httpx": 1000 * t_bare / n,
                        "chat_client": 1000 * t_client / n,
                        "overhead": 1000 * (t_client - t_bare) / n,
                        "cache_hit": 1000 * t_hits / n,
                    }
                    # A re-run of a finished panel: every call is a cache hit.
                    rerun_prompts = make_prompts(large, f"c64{latency}")
                    t_rerun = timed_panel(url, rerun_prompts, 64, tmpdir / f"c64{latency}.sqlite")
                    figures["rerun_from_cache_judgements_per_s"] = large / t_rerun
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
    print(f"judge panel benchmark ({len(JUDGES)} judges; a judgement = one sample judged by the whole panel)")
    print(f"{'server':<8} {'mode':<10} {'n':>5} {'judgements/s':>13} {'vs naive':>9}")
    for label, entry in figures["servers"].items():
        for mode in ("naive", "panel_c1", "panel_c64"):
            print(f"{label:<8} {mode:<10} {entry['n'][mode]:>5} {entry['judgements_per_s'][mode]:>13.1f} {entry['speedup_vs_naive'][mode]:>8.1f}x")
    pc = figures["per_call_ms"]
    print(f"per call (instant server, sequential): bare httpx {pc['bare_httpx']:.2f} ms, ChatClient {pc['chat_client']:.2f} ms "
          f"-> overhead {pc['overhead']:.2f} ms; cache hit {pc['cache_hit']:.3f} ms")
    print(f"re-run from cache: {figures['rerun_from_cache_judgements_per_s']:.0f} judgements/s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
