"""From a judge's reply to a verdict, and from the judges' verdicts to the panel's vote.

Only the judge's final `\\boxed{...}` counts: a judge may quote "\\boxed{yes}" while reasoning
about the instructions and then decide no. Anything that is not a final boxed yes/no (no box, a
box with other content, a reasoning trace that never closed, an empty reply) is an abstention,
kept with its raw reply. An API error never reaches this module: it is not a reply.
"""

from __future__ import annotations

import re

from reasoning_suite.core.answer import final_answer
from reasoning_suite.harness_tasks.scoring.boxed import extract_boxed
from reasoning_suite.judges.config import VoteRule

_WRAPPERS = re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|texttt|emph)\s*\{([^{}]*)\}")


def parse_verdict(content: str | None) -> str | None:
    """"yes", "no", or None (abstention) from the `content` of a judge's reply.

    `content` is the answer field only (a reasoning field, if the server split one off, is not
    read). A `<think>` trace in the content is read by the suite's one answer rule
    (`core.answer.final_answer`): only the text after the last closed `</think>` counts, and a
    trace that never closed, or re-opened after its last close, is an abstention."""
    text = final_answer(content)
    if text is None:
        return None
    boxed = extract_boxed(text)
    if boxed is None:
        return None
    inner = boxed
    for _ in range(3):
        inner = _WRAPPERS.sub(r"\1", inner)
    word = inner.strip().strip(" .!*\"'`$").strip().lower()
    return word if word in ("yes", "no") else None


def panel_vote(verdicts: list[str | None], rule: VoteRule) -> bool | None:
    """The panel's vote from one verdict per judge: True (equivalent), False, or None (the
    panel abstains, only when the rule maps a tie or too few verdicts to "abstain")."""
    yes = sum(1 for v in verdicts if v == "yes")
    no = sum(1 for v in verdicts if v == "no")
    needed = rule.min_verdicts if rule.min_verdicts is not None else len(verdicts) // 2 + 1
    if yes + no < needed:
        outcome = rule.too_few
    elif yes > no:
        outcome = "yes"
    elif no > yes:
        outcome = "no"
    else:
        outcome = rule.tie
    return {"yes": True, "no": False, "abstain": None}[outcome]


def vote_score(votes: list[bool | None], rule: VoteRule) -> float | None:
    """Accuracy of one sample over its repeats: a panel abstention counts as wrong, or is left
    out (`abstain_counts_as: exclude`; None when every repeat was excluded)."""
    if rule.abstain_counts_as == "no":
        return sum(1.0 for v in votes if v) / len(votes) if votes else None
    kept = [v for v in votes if v is not None]
    return sum(1.0 for v in kept if v) / len(kept) if kept else None
