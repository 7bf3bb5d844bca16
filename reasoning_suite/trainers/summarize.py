"""Summaries of teacher thinking for the `think_summary` format (2504.09639), cached.

Each summary is one call to an OpenAI-compatible endpoint through the shared client, with the
SQLite call cache, so re-building a mixture never pays twice. The prompt (below, verbatim) asks
for a short, faithful summary of the reasoning steps, without the final answer restated as a
new claim, in the first person as the model's own plan. Sampling: temperature 0.0 (a summary
is not a sample to diversify), max_tokens from the config.
"""

from __future__ import annotations

import asyncio

from reasoning_suite.config_parsing import default_of
from reasoning_suite.core.answer import final_answer
from reasoning_suite.errors import UserError
from reasoning_suite.trainers.config import BuildDataConfig
from reasoning_suite.trainers.records import PairRecord

SUMMARY_PROMPT = """Below is the step-by-step thinking a model wrote before answering a question.
Summarize this thinking in a few sentences: keep the key steps, facts and intermediate results that lead to the answer, drop repetitions, dead ends and self-corrections.
Write the summary in the first person, as the model's own concise reasoning. Output only the summary.

Question:
{question}

Thinking:
{thinking}"""


def summary_messages(record: PairRecord) -> list[dict[str, str]]:
    thinking = record.reasoning.thinking if record.reasoning else ""
    return [{"role": "user", "content": SUMMARY_PROMPT.format(question=record.prompt, thinking=thinking or "")}]


def summarize(records: list[PairRecord], base_url: str, model: str, api_key_env: str | None = None,
              cache_path: str = "summaries.cache.sqlite", concurrency: int = default_of(BuildDataConfig, "concurrency"),
              max_tokens: int = default_of(BuildDataConfig, "summary_max_tokens"),
              show_progress: bool = True) -> dict[str, str]:
    """Return id -> summary for every record with thinking."""
    from reasoning_suite.endpoints import CallCache, ChatClient, Endpoint

    if not base_url or not model:
        raise UserError("format think_summary needs --summarizer-url and --summarizer-model")
    todo = [r for r in records if r.reasoning and (r.reasoning.thinking or "").strip()]

    async def run() -> dict[str, str]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        ep = Endpoint(name=f"summarizer:{model}", base_url=base_url, model=model, api_key_env=api_key_env,
                      max_concurrency=concurrency)
        out: dict[str, str] = {}
        queue: asyncio.Queue[PairRecord] = asyncio.Queue()
        for r in todo:
            queue.put_nowait(r)
        progress = Progress(TextColumn("[bold]summaries[/bold]"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), disable=not show_progress)
        async with ChatClient(ep, cache=CallCache(cache_path)) as client:
            with progress:
                task = progress.add_task("sum", total=len(todo))

                async def worker() -> None:
                    while not queue.empty():
                        r = queue.get_nowait()
                        res = await client.chat(summary_messages(r), temperature=0.0, top_p=1.0, max_tokens=max_tokens)
                        text = final_answer(res.content)  # a thinking summarizer: its answer only
                        if not text:
                            raise UserError(f"summarizer {model} returned no summary for record {r.id!r} "
                                            "(empty, or its thinking never closed)")
                        out[r.id] = text
                        progress.advance(task)

                # a failure ends the run; answered calls are in the cache, so a re-run resumes
                await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(todo))))))
        return out

    return asyncio.run(run())
