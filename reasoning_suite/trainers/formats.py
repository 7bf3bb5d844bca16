"""Training examples from pair records, in the four formats of the study.

- `ift`: the teacher's answer with thinking switched off.
- `reasoning`: thinking and answer, `<think>\\n{thinking}\\n</think>\\n\\n{answer}` (R_orig).
- `answer_only`: the reasoning answer with its thinking removed (A_reason, 2504.09639).
- `think_summary`: a summary of the thinking, then the reasoning answer (S_think ⊕ A_reason,
  2504.09639). The summary is rendered as a `<think>` block so the student's output has the
  same shape as the reasoning format and the suite's scorers read the answer after `</think>`.

Pure functions: the summaries are computed (and cached) by `summarize.py` and passed in.
"""

from __future__ import annotations

from typing import Any

from reasoning_suite.errors import UserError
from reasoning_suite.trainers.records import Answer, PairRecord
from reasoning_suite.trainers.thinking import render_reasoning

FORMATS = ("ift", "reasoning", "answer_only", "think_summary")
REASONING_FORMATS = ("reasoning", "answer_only", "think_summary")


def usable(answer: Answer | None, *, needs_thinking: bool, keep_truncated: bool = False) -> bool:
    """An answer can train a student: present, non-empty, finished, with thinking when the format
    needs it. `keep_truncated` keeps any non-empty answer (cut by max_tokens or without thinking)."""
    if answer is None or not answer.answer.strip():
        return False
    if keep_truncated:  # smoke tests with tiny teachers: keep what is there
        return True
    if needs_thinking and not (answer.thinking or "").strip():
        return False
    return answer.complete()


def assistant_text(record: PairRecord, fmt: str, summary: str | None = None) -> str:
    if fmt == "ift":
        if record.ift is None:
            raise UserError(f"record {record.id!r} has no IFT answer")
        return record.ift.answer.strip()
    if record.reasoning is None:
        raise UserError(f"record {record.id!r} has no reasoning answer")
    r = record.reasoning
    if fmt == "reasoning":
        return render_reasoning(r.thinking or "", r.answer)
    if fmt == "answer_only":
        return r.answer.strip()
    if fmt == "think_summary":
        if summary is None:
            raise UserError(f"record {record.id!r}: format think_summary needs a summary of its thinking")
        return render_reasoning(summary, r.answer)
    raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def build_example(record: PairRecord, fmt: str, *, phase: int = 0, summary: str | None = None,
                  system_prompt: str | None = None) -> dict[str, Any]:
    """One conversational training row (TRL's `messages` format) with provenance."""
    messages = [] if not system_prompt else [{"role": "system", "content": system_prompt}]
    messages += [
        {"role": "user", "content": record.prompt},
        {"role": "assistant", "content": assistant_text(record, fmt, summary)},
    ]
    return {"id": record.id, "format": fmt, "phase": phase, "domain": record.domain, "messages": messages}
