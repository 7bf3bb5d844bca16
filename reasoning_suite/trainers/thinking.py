"""A teacher reply as training data: its thinking and its final answer, and the training text.

Teachers hand back thinking in one of two ways: vLLM's reasoning parser (or `transformers
serve`) puts it in a separate `reasoning_content` field, while a server without a parser
leaves `<think>...</think>` inline in the content. Both end up as (thinking, answer). Which part
is the answer is the suite's one rule (`core.answer.split_response`, the rule the scorers apply
to a student's output): the text after the last closed `</think>`; a reply whose trace never
closed, or re-opened after its last close, has no answer (`""`, which no format trains on).
"""

from __future__ import annotations

from reasoning_suite.core.answer import THINK_CLOSE, THINK_OPEN, split_response


def _inner(trace: str) -> str:
    """The trace between its first `<think>` (absent when the template opened it) and its last
    `</think>`."""
    trace = trace.rstrip()
    if trace.endswith(THINK_CLOSE):
        trace = trace[: -len(THINK_CLOSE)]
    start = trace.find(THINK_OPEN)
    return (trace[start + len(THINK_OPEN):] if start != -1 else trace).strip()


def split_reply(content: str | None, reasoning: str | None = None) -> tuple[str | None, str]:
    """Return (thinking, answer) of a teacher reply.

    `thinking` is the trace without its tags (the parser's field first, then any inline trace),
    None when the reply carries none at all; `answer` is `core.answer`'s final answer of the
    content, "" when it has none."""
    content = content or ""
    parts = split_response(content)
    answer = parts.answer or ""
    inline: str | None = None
    if THINK_OPEN in content or THINK_CLOSE in content:
        # no answer: the whole reply was thinking (a re-opened trace included)
        inline = _inner(parts.thinking if parts.answer is not None else content)
    if reasoning:
        return reasoning.strip() + (f"\n{inline}" if inline else ""), answer
    return inline, answer


def render_reasoning(thinking: str, answer: str) -> str:
    """The assistant text a reasoning student learns (Qwen3 style)."""
    return f"{THINK_OPEN}\n{thinking.strip()}\n{THINK_CLOSE}\n\n{answer.strip()}"
