"""`generate`: one IFT and one reasoning answer per prompt from a teacher endpoint.

Both requests go through the shared client layer (`reasoning_suite.endpoints`): bounded
concurrency, retries honouring Retry-After, and the SQLite call cache, which is what makes the
run resumable without paying twice. A prompt's record is appended to the pairs file only once
both answers are in, so the file never holds half a record; on restart the ids already in the
file are skipped, a line torn by a kill is cut off, and the answers of that torn record come
back from the cache. A prompt whose call fails after all retries is not written: it is
counted, reported, and retried by the next run.

Thinking switch (how the teacher is told which mode to use):
- `chat_template_kwargs` (default; vLLM/SGLang/`transformers serve` with Qwen3): sends
  `{"chat_template_kwargs": {"enable_thinking": true|false}}` in the request body;
- `soft_switch`: appends Qwen3's `/think` or `/no_think` to the user message;
- `none`: sends nothing (two endpoints or a teacher that decides itself).
Sampling per mode follows the paper: reasoning 0.6 / 0.95, IFT 0.7 / 0.8 (temperature / top-p).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reasoning_suite.errors import UserError
from reasoning_suite.trainers.config import SWITCHES, GenerateConfig
from reasoning_suite.trainers.prompts import DEFAULT_PROMPT_FIELD, DEFAULT_SPLIT, PRESETS, PromptItem, from_hf, from_jsonl
from reasoning_suite.trainers.records import Answer, PairRecord, iter_jsonl
from reasoning_suite.trainers.thinking import split_reply

MODES = ("ift", "reasoning")


@dataclass
class GenerateSummary:
    prompts: int
    already_done: int
    written: int
    failed: int
    cache_hits: int
    http_requests: int
    out: str
    first_error: str | None = None
    ift_with_thinking: int = 0  # IFT replies that still carried thinking: is the switch right?
    reasoning_without_thinking: int = 0


def hub_source(cfg: GenerateConfig) -> tuple[str, str | None, str, str, str | None, str | None]:
    """(dataset, config, split, prompt_field, id_field, domain) to stream: what the user gave,
    else the preset's value, else the defaults (pure)."""
    p = PRESETS.get(cfg.dataset or "")
    return (p.dataset if p else str(cfg.dataset),
            cfg.dataset_config or (p.config if p else None),
            cfg.split or (p.split if p else DEFAULT_SPLIT),
            cfg.prompt_field or (p.prompt_field if p else DEFAULT_PROMPT_FIELD),
            cfg.id_field or (p.id_field if p else None),
            cfg.domain or (p.domain if p else None))


def load_prompts(cfg: GenerateConfig) -> list[PromptItem]:
    if bool(cfg.prompts_jsonl) == bool(cfg.dataset):
        raise UserError("give exactly one prompt source: --prompts FILE.jsonl or --dataset NAME")
    if cfg.prompts_jsonl:
        return from_jsonl(cfg.prompts_jsonl, cfg.prompt_field or DEFAULT_PROMPT_FIELD, cfg.id_field, cfg.domain, cfg.limit)
    return from_hf(*hub_source(cfg), cfg.limit)


def request_for(mode: str, prompt: str, cfg: GenerateConfig) -> dict[str, Any]:
    """The chat request of one mode (pure; what the cache key is made of)."""
    if cfg.thinking_switch not in SWITCHES:
        raise UserError(f"--thinking-switch must be one of {', '.join(SWITCHES)}, got {cfg.thinking_switch!r}")
    think = mode == "reasoning"
    content = prompt
    extra: dict[str, Any] = {}
    if cfg.thinking_switch == "chat_template_kwargs":
        extra = {"chat_template_kwargs": {"enable_thinking": think}}
    elif cfg.thinking_switch == "soft_switch":
        content = f"{prompt} {'/think' if think else '/no_think'}"
    return {
        "messages": [{"role": "user", "content": content}],
        "temperature": cfg.reasoning_temperature if think else cfg.ift_temperature,
        "top_p": cfg.reasoning_top_p if think else cfg.ift_top_p,
        "max_tokens": cfg.max_tokens_reasoning if think else cfg.max_tokens_ift,
        "extra_body": extra or None,
    }


def to_answer(mode: str, result) -> Answer:
    thinking, answer = split_reply(result.content, result.reasoning)
    return Answer(
        answer=answer,
        finish_reason=result.finish_reason,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        thinking=(thinking or "") if mode == "reasoning" else None,
    )


def done_ids(out: Path) -> set[str]:
    """Ids already written; cuts a torn final line left by a killed run so appends stay valid."""
    if not out.exists():
        return set()
    data = out.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(out, "r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)
    return {obj["id"] for _, obj in iter_jsonl(out) if isinstance(obj, dict) and "id" in obj}


async def _run(cfg: GenerateConfig, items: list[PromptItem], out: Path) -> GenerateSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from reasoning_suite.endpoints import CallCache, ChatClient, EndpointError

    modes = list(cfg.modes)
    for m in modes:
        if m not in MODES:
            raise UserError(f"--modes: unknown mode {m!r} (choose from {', '.join(MODES)})")
    done = done_ids(out)
    todo = [it for it in items if it.id not in done]
    endpoint = cfg.endpoint()
    teacher = endpoint.name  # the record's teacher: --teacher, else --model
    cache = CallCache(cfg.cache or f"{out}.cache.sqlite")
    summary = GenerateSummary(len(items), len(items) - len(todo), 0, 0, 0, 0, str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    queue: asyncio.Queue[PromptItem] = asyncio.Queue()
    for it in todo:
        queue.put_nowait(it)
    progress = Progress(TextColumn("[bold]generate[/bold]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                        disable=not cfg.progress, transient=False)
    async with ChatClient(endpoint, cache=cache) as client:
        with open(out, "a", encoding="utf-8") as f, progress:
            task = progress.add_task("gen", total=len(items), completed=summary.already_done, status="")

            async def one(it: PromptItem) -> None:
                reqs = [request_for(m, it.prompt, cfg) for m in modes]
                results = await asyncio.gather(*(client.chat(**r) for r in reqs))
                answers = {m: to_answer(m, r) for m, r in zip(modes, results)}
                if "ift" in answers and (split_reply(results[modes.index("ift")].content,
                                                        results[modes.index("ift")].reasoning)[0] or "").strip():
                    summary.ift_with_thinking += 1
                if "reasoning" in answers and not (answers["reasoning"].thinking or "").strip():
                    summary.reasoning_without_thinking += 1
                rec = PairRecord(id=it.id, prompt=it.prompt, domain=it.domain, ift=answers.get("ift"),
                                 reasoning=answers.get("reasoning"), teacher=teacher, source=it.source)
                f.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
                f.flush()
                summary.written += 1

            async def worker() -> None:
                while True:
                    try:
                        it = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    try:
                        await one(it)
                    except EndpointError as exc:
                        summary.failed += 1
                        summary.first_error = summary.first_error or str(exc)
                    progress.update(task, advance=1, status=f"[red]{summary.failed} failed[/red]" if summary.failed else "")

            await asyncio.gather(*(worker() for _ in range(max(1, min(cfg.concurrency, len(todo))))))
            os.fsync(f.fileno())
        summary.cache_hits = client.stats.cache_hits
        summary.http_requests = client.stats.http_requests
    return summary


def generate(cfg: GenerateConfig) -> GenerateSummary:
    if not cfg.out:
        raise UserError("generate needs --out PAIRS.jsonl")
    if not cfg.base_url or not cfg.model:
        raise UserError("generate needs --base-url and --model of the teacher endpoint")
    items = load_prompts(cfg)
    if not items:
        raise UserError("no prompts to generate from")
    return asyncio.run(_run(cfg, items, Path(cfg.out)))
