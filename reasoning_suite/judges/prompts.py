"""The paper's judge prompts (appendix D.3, Table 5, verbatim) and how a prompt is filled.

What the judge sees of an answer: the last `tail_chars` characters of the response's scored
region (`core.answer.final_answer`, applied by `prepare.build_prompts`: after the last closed
`</think>`, before an invented few-shot example), as the paper shows "only its ending". A
response without an answer (a trace that never closed) is shown as an empty answer, which the
prompt tells the judge to call no. When the answer was cut, "..." marks the cut.
"""

from __future__ import annotations

import re

DEFAULT_PROMPT = (
    "You will be given a Question, a User Answer (only its ending is shown due to length), and a Ground Truth.\n"
    "Your task is not to answer the question, but to say if the user answer is equivalent in meaning to the ground truth.\n"
    "First, extract the final result from both the User Answer and the Ground Truth Answer, based on the Question.\n"
    "Then, compare the two final results and determine whether they convey the same meaning.\n"
    "If they are equivalent, respond with \\boxed{yes}.\n"
    "If they are not equivalent, or if the User Answer does not contain a valid answer, respond with \\boxed{no}.\n"
    "Question: {question}\n"
    "User Answer: {answer}\n"
    "Ground Truth: {truth}"
)

IFEVAL_PROMPT = (
    "You will be given an Instruction and a User Answer (only its ending is shown due to length).\n"
    "Your task is not to answer the Instruction, but to determine whether the User Answer follows all the formal "
    "requirements stated in the Instruction. If the User Answer contains a thinking process, you should ignore it "
    "and only focus on the final answer.\n"
    "First, identify every explicit requirement in the Instruction (e.g., no commas, maximum word count, required "
    "word occurrences, formatting rules).\n"
    "Then, compare the User Answer against these requirements.\n"
    "If all requirements are satisfied, respond with \\boxed{yes}.\n"
    "If any requirement is violated, respond with \\boxed{no}.\n"
    "Question: {question}\n"
    "User Answer: {answer}"
)

PROMPTS = {"default": DEFAULT_PROMPT, "ifeval": IFEVAL_PROMPT}

_FIELD = re.compile(r"\{(question|answer|truth)\}")


def answer_ending(response: str | None, tail_chars: int) -> str:
    """The last `tail_chars` characters of the response, "..." in front when it was cut."""
    text = (response or "").strip()
    if len(text) <= tail_chars:
        return text
    return "..." + text[-tail_chars:].lstrip()


def fill_prompt(template: str, *, question: str, answer: str, truth: str = "") -> str:
    """Fill {question}, {answer}, {truth} in one pass.

    One pass, so an answer that happens to contain "{truth}" cannot pull the ground truth into
    the prompt, and LaTeX braces elsewhere need no escaping (unlike `str.format`)."""
    values = {"question": question, "answer": answer, "truth": truth}
    return _FIELD.sub(lambda m: values[m.group(1)], template)


# Two worked verdicts, one yes and one no, in the paper's own template: what a small judge
# needs to see before it answers in the boxed form (measured on SmolLM2-135M-Instruct: with
# the template alone 2 of 20 sampled replies had one, with these turns 20 of 20, at temperature 0.7).
_VERDICT_EXAMPLES = (
    ("What is 2 + 3?", "The sum is \\boxed{5}.", "5", "\\boxed{yes}"),
    ("What is the capital of France?", "\\boxed{Lyon}", "Paris", "\\boxed{no}"),
)


def verdict_example_turns() -> list[dict[str, str]]:
    """`JudgeSpec.example_turns` that teach the verdict format (used by the study's local panel)."""
    return [{"user": fill_prompt(DEFAULT_PROMPT, question=q, answer=a, truth=t), "assistant": v}
            for q, a, t, v in _VERDICT_EXAMPLES]
