"""Multiple-choice answers: which option did the model pick?

Models dress a letter in many ways (``C``, ``(C)``, ``\\text{C}``, ``C) 42``, ``Option C``,
``c``) or write the option's text instead. A response is correct only when it picks exactly
one option and that option is the gold one: naming two letters (``A, C``), or a letter
whose attached text is another option's, is wrong. A bare letter is always read as a label,
so an option whose text is itself a letter cannot be mistaken for one.
"""

from __future__ import annotations

import re
import string

from reasoning_suite.core.score import Score, Status

from ._latex import unwrap_text

_PREFIX = re.compile(
    r"^(?:(?:the\s+)?(?:final\s+)?(?:correct\s+)?(?:answer|option|choice)(?:\s+is)?\s*[:\-]?\s*)+",
    re.IGNORECASE,
)
_STRIP = string.whitespace + ".,;:!?\"'*`"
_MULTI_SEP = re.compile(r"\s*(?:,|;|/|&|\band\b|\bor\b|\s)\s*", re.IGNORECASE)


def _norm(s: str) -> str:
    """Lower case, single spaces, no surrounding punctuation, no LaTeX wrappers."""
    s = unwrap_text(s)
    s = " ".join(s.split()).lower()
    return s.strip(_STRIP)


def _label_forms(label: str) -> set[str]:
    lab = label.lower()
    return {lab, f"({lab})", f"[{lab}]", f"{lab})", f"{lab}."}


def _split_label(s: str, labels: list[str]) -> tuple[str, str] | None:
    """``(C) text`` / ``C) text`` / ``C. text`` / ``C: text`` / ``C - text`` / ``C (text)`` -> (label, text)."""
    m = re.match(r"^\(?\[?([A-Za-z0-9]{1,2})\s*[\)\]\.:\-]\s*(.*)$", s, re.DOTALL)
    m = m or re.match(r"^([A-Za-z0-9]{1,2})\s+\((.*)\)$", s, re.DOTALL)  # "B (42)"
    if not m:
        return None
    label = m.group(1).lower()
    if label not in labels:
        return None
    return label, m.group(2).strip()


def choose(pred: str | None, options: list[str], labels: list[list[str]]) -> set[int]:
    """Indices of the options ``pred`` names; ``labels[i]`` are the accepted labels of option i.

    An empty set means no option was recognised; more than one means the answer hedged.
    """
    if not isinstance(pred, str):
        return set()
    text = _norm(pred)
    if not text:
        return set()
    norm_labels = [[lab.lower() for lab in labs] for labs in labels]
    opt_norm = [_norm(o) if isinstance(o, str) else "" for o in options]
    picked = _choose_norm(text, opt_norm, norm_labels)
    stripped = _PREFIX.sub("", text).strip(_STRIP)  # "Answer: C", "The correct option is C"
    if not picked and stripped and stripped != text:
        picked = _choose_norm(stripped, opt_norm, norm_labels)
    return picked


def _choose_norm(text: str, opt_norm: list[str], norm_labels: list[list[str]]) -> set[int]:
    label_to_idx = {lab: i for i, labs in enumerate(norm_labels) for lab in labs}
    # 1. the whole answer is one label in some dress
    for i, labs in enumerate(norm_labels):
        if any(text in _label_forms(lab) for lab in labs):
            return {i}
    # 2. the exact option text (before 3, so an option text such as "A. Lincoln" is not a label)
    matches = {i for i, o in enumerate(opt_norm) if o and o == text}
    if matches:
        return matches
    # 3. "C) text" and friends: the label decides, unless the text is another option's
    split = _split_label(text, list(label_to_idx))
    if split is not None:
        label, rest = split
        idx = label_to_idx[label]
        rest = rest.strip(_STRIP)
        if not rest or rest == opt_norm[idx]:
            return {idx}
        others = {j for j, o in enumerate(opt_norm) if o and o == rest}
        if others:  # "B) 12" where 12 is option A: contradicts itself
            return {idx} | others
        more = _labels_in(rest, label_to_idx)
        if more:  # "(B) (D)", "B) and D)"
            return {idx} | more
        return {idx}  # the label with a paraphrase of its text
    # 4. several labels: "A, C", "A and C", "(A) (C)"
    several = _labels_in(text, label_to_idx)
    if len(several) >= 2:
        return several
    return set()


def _labels_in(s: str, label_to_idx: dict[str, int]) -> set[int]:
    """Indices named when ``s`` is nothing but labels ("A, C", "(A) and (C)"), else empty."""
    parts = [p.strip("()[].:") for p in _MULTI_SEP.split(s) if p.strip("()[].:")]
    if parts and all(p in label_to_idx for p in parts):
        return {label_to_idx[p] for p in parts}
    return set()


def _default_letters(n: int) -> list[str]:
    return [string.ascii_uppercase[i] for i in range(min(n, 26))]


def _picked_score(pred: str | None, picked: set[int], gold_idx: int) -> Score:
    if not isinstance(pred, str) or not pred.strip():
        return Score.no_answer()
    return Score.correct(picked == {gold_idx})


def mc_score(
    pred: str | None, gold_letter: str, options: list[str], letters: list[str] | None = None
) -> Score:
    """Whether ``pred`` picks exactly the option labelled ``gold_letter``.

    ``letters`` defaults to A, B, C, ... for ``len(options)``. NO_ANSWER for a None/empty
    ``pred``; a gold letter that is not one of ``letters`` (a dataset problem) or a bug is
    ERROR, never "wrong".
    """
    try:
        letters = list(letters) if letters is not None else _default_letters(len(options))
        gold = str(gold_letter).strip().lower()
        lowered = [str(x).strip().lower() for x in letters]
        if gold not in lowered:
            return Score.error(f"gold letter {gold_letter!r} is not one of the options' labels {letters}")
        return _picked_score(pred, choose(pred, list(options), [[x] for x in lowered]), lowered.index(gold))
    except Exception as exc:  # noqa: BLE001 - never crash on model output; a bug is an ERROR
        return Score.error(f"mc_score: {type(exc).__name__}: {exc}"[:300])


def mc_correct(
    pred: str | None, gold_letter: str, options: list[str], letters: list[str] | None = None
) -> bool:
    """`mc_score` is CORRECT (a plain yes/no for tools and tests)."""
    return mc_score(pred, gold_letter, options, letters).status is Status.CORRECT


def winogrande_score(pred: str | None, gold: str, option1: str, option2: str) -> Score:
    """Whether ``pred`` picks the gold Winogrande option (``gold`` is "1" or "2").

    Accepted: the label (``1``/``2``, ``Option 1``, and ``A``/``B`` for first/second) or the
    option's text. A gold that is not "1"/"2" is ERROR.
    """
    try:
        gold_idx = {"1": 0, "2": 1}.get(str(gold).strip())
        if gold_idx is None:
            return Score.error(f"winogrande gold {gold!r} is not '1' or '2'")
        return _picked_score(pred, choose(pred, [option1, option2], [["1", "a"], ["2", "b"]]), gold_idx)
    except Exception as exc:  # noqa: BLE001
        return Score.error(f"winogrande_score: {type(exc).__name__}: {exc}"[:300])


def winogrande_correct(pred: str | None, gold: str, option1: str, option2: str) -> bool:
    """`winogrande_score` is CORRECT."""
    return winogrande_score(pred, gold, option1, option2).status is Status.CORRECT


def _yes_no(text: str | None) -> str | None:
    if text is None:
        return None
    t = unwrap_text(text)
    t = re.sub(r"[^a-z]", "", t.lower())
    return t or None


def yes_no_score(pred: str | None, gold: str) -> Score:
    """Yes/No answers (consumer QA): ``\\text{Yes}``, ``yes.``, ``YES`` are all "yes"."""
    try:
        want = _yes_no(str(gold))
        if want is None:
            return Score.error(f"yes/no gold {gold!r} has no letters")
        if not isinstance(pred, str) or not pred.strip():
            return Score.no_answer()
        return Score.correct(_yes_no(pred) == want)
    except Exception as exc:  # noqa: BLE001
        return Score.error(f"yes_no_score: {type(exc).__name__}: {exc}"[:300])
