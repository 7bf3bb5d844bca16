"""Reference-based scores for free-text summaries (code summarisation): ROUGE-L and BLEU."""

from __future__ import annotations

import functools

from reasoning_suite.core.score import Score


@functools.lru_cache(maxsize=1)
def _rouge():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)


def summary_score(pred: str | None, reference: str) -> tuple[Score, dict]:
    """(Score, ``{"rougeL": F-measure, "bleu": sentence BLEU / 100}``), both in [0, 1].

    The Score's value is ROUGE-L; it is CORRECT only for full credit (ROUGE-L 1.0) and
    INCORRECT otherwise (the value is the partial credit). None/empty ``pred``: NO_ANSWER and
    zeros. rouge-score or sacrebleu not importable, or either failing: ERROR with the reason
    and zeros, never a low score.
    """
    zero = {"rougeL": 0.0, "bleu": 0.0}
    if not isinstance(reference, str) or not reference.strip():
        return Score.error("summary task doc has no reference summary"), zero
    if not isinstance(pred, str) or not pred.strip():
        return Score.no_answer(), zero
    try:
        import sacrebleu

        rouge = _rouge().score(reference, pred)["rougeL"].fmeasure
        bleu = sacrebleu.sentence_bleu(pred, [reference]).score / 100.0
    except ImportError as exc:
        return Score.error(f"summary scorer dependency missing: {exc} (pip install rouge-score sacrebleu)"), zero
    except Exception as exc:  # noqa: BLE001 - a bug is an ERROR, never "wrong"
        return Score.error(f"summary_score: {type(exc).__name__}: {exc}"[:300]), zero
    out = {"rougeL": float(min(max(rouge, 0.0), 1.0)), "bleu": float(min(max(bleu, 0.0), 1.0))}
    return Score.correct(out["rougeL"] >= 1.0, out["rougeL"]), out


def summary_scores(pred: str | None, reference: str) -> dict:
    """``{"rougeL": ..., "bleu": ...}`` of `summary_score` (zeros for None and on ERROR)."""
    return summary_score(pred, reference)[1]
