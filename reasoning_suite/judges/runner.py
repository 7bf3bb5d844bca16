"""Run every judge on every prompt concurrently, cache first, with a progress bar.

Each judge gets a queue and as many workers as its `max_concurrency`, so a slow judge never
holds back a fast one and cached calls flow through at once. The first call that fails for
good (an `EndpointError`) stops new calls; calls already in flight are allowed to finish so
their answers land in the cache, and the run ends with one error that says how to resume.
Ctrl-C does the same (a second Ctrl-C abandons the calls in flight): a paid call that was
already sent is not thrown away just to be bought again on resume.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

from reasoning_suite.endpoints import CallCache, ChatClient, ChatResult, EndpointError
from reasoning_suite.errors import UserError
from reasoning_suite.judges.config import JudgeSpec, PanelConfig
from reasoning_suite.judges.prepare import ItemKey


@dataclass
class RunOutcome:
    results: dict[tuple[ItemKey, str], ChatResult]
    calls_made: dict[str, int] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)


def messages_for(prompt: str, judge: JudgeSpec | None = None) -> list[dict[str, str]]:
    """The paper gives the judge one user turn holding the whole filled prompt; a judge may add
    a system turn (e.g. Nemotron's "detailed thinking on|off" switch) and worked example turns
    before it (JudgeSpec.example_turns). Without a judge: the paper's single turn."""
    if judge is None:
        return [{"role": "user", "content": prompt}]
    messages = [{"role": "system", "content": judge.system_prompt}] if judge.system_prompt else []
    for turn in judge.example_turns:
        messages += [{"role": "user", "content": turn.user}, {"role": "assistant", "content": turn.assistant}]
    return messages + [{"role": "user", "content": prompt}]


def request_args(judge: JudgeSpec) -> dict:
    return {"temperature": judge.temperature, "top_p": judge.top_p, "max_tokens": judge.max_tokens}


async def run_panel(
    panel: PanelConfig,
    prompts: dict[ItemKey, str],
    cache: CallCache,
    *,
    on_done: Callable[[str, bool], None] | None = None,
    graceful_interrupt: bool = False,
) -> RunOutcome:
    """Judge every prompt with every judge; returns every reply or raises `UserError`
    (`KeyboardInterrupt` after Ctrl-C when `graceful_interrupt`)."""
    clients = {j.name: ChatClient(j.endpoint, cache=cache) for j in panel.judges}
    results: dict[tuple[ItemKey, str], ChatResult] = {}
    failures: list[tuple[str, EndpointError]] = []
    stop = asyncio.Event()

    async def worker(judge: JudgeSpec, queue: asyncio.Queue[ItemKey]) -> None:
        client = clients[judge.name]
        args = request_args(judge)
        while not stop.is_set():
            try:
                key = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                result = await client.chat(messages_for(prompts[key], judge), **args)
            except EndpointError as exc:
                failures.append((judge.name, exc))
                stop.set()
                return
            results[(key, judge.name)] = result
            if on_done is not None:
                on_done(judge.name, result.cached)

    interrupts = 0
    workers: list[asyncio.Task] = []

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        stop.set()
        if interrupts == 1:
            print("\ninterrupt: finishing the calls in flight so they are saved (Ctrl-C again to abandon them)", file=sys.stderr)
        else:
            for task in workers:
                task.cancel()

    loop = asyncio.get_running_loop()
    handle_sigint = graceful_interrupt and threading.current_thread() is threading.main_thread()
    if handle_sigint:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        for judge in panel.judges:
            queue: asyncio.Queue[ItemKey] = asyncio.Queue()
            for key in prompts:
                queue.put_nowait(key)
            workers += [asyncio.create_task(worker(judge, queue)) for _ in range(min(judge.endpoint.max_concurrency, max(1, len(prompts))))]
        await asyncio.gather(*workers, return_exceptions=True)
        for task in workers:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        if handle_sigint:
            loop.remove_signal_handler(signal.SIGINT)
        for client in clients.values():
            await client.aclose()
    if interrupts:
        raise KeyboardInterrupt
    outcome = RunOutcome(
        results=results,
        calls_made={n: c.stats.answered for n, c in clients.items()},
        cache_hits={n: c.stats.cache_hits for n, c in clients.items()},
        retries={n: c.stats.retries for n, c in clients.items()},
    )
    if failures:
        judge, first = failures[0]
        missing = len(prompts) * len(panel.judges) - len(results)
        raise UserError(
            f"judge {judge!r} failed: {first}. {len(results)} of {len(prompts) * len(panel.judges)} judgements are "
            f"saved in {cache.path} ({missing} missing); fix the endpoint and run the same command again to resume"
        )
    return outcome
