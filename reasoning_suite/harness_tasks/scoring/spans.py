"""Extractive QA (SQuAD, CoQA): exact match and token F1, SQuAD's official normalisation.

Written here because ``evaluate.load("squad")`` downloads its script from the hub. The
normalisation is the official one (lower case, drop punctuation, drop the articles a/an/the,
collapse whitespace); the score is the best over all gold answers.
"""

from __future__ import annotations

import re
import string
from collections import Counter

from reasoning_suite.core.score import Score

from ._latex import unwrap_text

_PUNCT = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)


def normalize_answer(s: str) -> str:
    """SQuAD v1.1/v2.0 ``normalize_answer``: lower, no punctuation, no articles, single spaces."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCT)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        # SQuAD v2: an empty answer matches only an empty gold ("no answer").
        return float(pred_tokens == gold_tokens)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def span_score(pred: str | None, golds: list[str]) -> tuple[Score, float]:
    """(exact match as a Score, token F1) of ``pred`` against the best of ``golds``.

    The Score is CORRECT on an exact match (value 1.0), INCORRECT otherwise (value 0.0; the
    partial credit is the F1), NO_ANSWER for None. A doc without a string gold is ERROR.
    """
    try:
        golds = [g for g in ([golds] if isinstance(golds, str) else golds) if isinstance(g, str)]
        if not golds:
            return Score.error("span task doc has no gold answer"), 0.0
        if not isinstance(pred, str):
            return Score.no_answer(), 0.0
        p = normalize_answer(unwrap_text(pred))
        p_tokens = p.split()
        em = f1 = 0.0
        for gold in golds:
            g = normalize_answer(gold)
            em = max(em, float(p == g))
            f1 = max(f1, _f1(p_tokens, g.split()))
        return Score.correct(em == 1.0), f1
    except Exception as exc:  # noqa: BLE001 - a bug is an ERROR, never "wrong"
        return Score.error(f"span_score: {type(exc).__name__}: {exc}"[:300]), 0.0


def span_scores(pred: str | None, golds: list[str]) -> tuple[float, float]:
    """(exact match, token F1) of ``pred`` against the best of ``golds``; (0, 0) for None."""
    score, f1 = span_score(pred, golds)
    return score.value, f1
