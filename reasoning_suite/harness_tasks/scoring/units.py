"""Numeric answers with units (SciBench): compare numbers with a relative tolerance.

SciBench checks ``math.isclose(pred, gold, rel_tol=0.05)``; its gold is a number plus a unit
string that may carry a power of ten (``10^{-19} \\mathrm{~J}``). A model may answer either
in that unit (``3.2``) or in plain form (``3.2 \\times 10^{-19} J``), so both readings of the
gold are accepted. Anything that is not a number falls back to `math_score`.
"""

from __future__ import annotations

import math
import re

from reasoning_suite.core.score import Score, Status

from ._latex import unwrap_text
from .math_equiv import math_score

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_SCI = re.compile(
    rf"(?P<mant>{_NUM})\s*(?:(?:x|\*|\\times|\\cdot|×|·)\s*10\s*\^\s*\{{?\s*(?P<exp>[-+]?\d+)\s*\}}?)?"
)
_NOT_PLAIN = re.compile(r"\\(?:d?frac|tfrac|sqrt|pi)|[\^/{]")
_NOT_PLAIN_AFTER = re.compile(r"\s*(?:[\^/]|\\pi|\\sqrt)")
_POW10 = re.compile(r"^\s*10\s*\^\s*\{?\s*([-+]?\d+)\s*\}?")


def _clean(s: str) -> str:
    s = unwrap_text(s)
    for a, b in (("−", "-"), ("\\!", ""), ("{,}", ""), ("\\,", " "), ("\\;", " "), ("~", " "),
                 ("$", " "), ("\\left", ""), ("\\right", "")):
        s = s.replace(a, b)
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", s)  # thousands separators


def parse_number(s: str | None) -> float | None:
    """The first number in ``s``, with its ``\\times 10^{k}`` factor; None if there is none."""
    if not isinstance(s, str):
        return None
    s = _clean(s)
    pow_only = _POW10.match(s)
    if pow_only:
        return 10.0 ** int(pow_only.group(1))
    m = _SCI.search(s)
    if m is None or _NOT_PLAIN.search(s[: m.start()]) or _NOT_PLAIN_AFTER.match(s[m.end():]):
        return None  # a fraction, root or power: leave it to math_equal
    try:
        value = float(m.group("mant"))
        if m.group("exp"):
            value *= 10.0 ** int(m.group("exp"))
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _unit_scale(unit: str | None) -> int | None:
    if not isinstance(unit, str):
        return None
    unit = re.sub(r"^\s*(?:\\times|\\cdot|x|×)\s*", "", _clean(unit))  # "\times 10^{-3}"
    m = _POW10.match(unit)
    return int(m.group(1)) if m else None


def number_with_unit_score(
    pred: str | None, gold_value: str, gold_unit: str | None = None, rel_tol: float = 0.05
) -> Score:
    """Whether ``pred`` is ``gold_value`` (in ``gold_unit``) within ``rel_tol`` relative error.

    NO_ANSWER for None/empty; a non-number falls back to `math_score` (so its TIMEOUT and
    ERROR come through); a bug is ERROR.
    """
    try:
        if not isinstance(pred, str) or not pred.strip():
            return Score.no_answer()
        gold = parse_number(str(gold_value))
        value = parse_number(pred)
        if gold is None or value is None:
            return math_score(pred, str(gold_value))
        candidates = [gold]
        scale = _unit_scale(gold_unit)
        if scale:
            candidates.append(gold * 10.0**scale)
        return Score.correct(any(math.isclose(value, g, rel_tol=rel_tol, abs_tol=1e-12 if g == 0 else 0.0)
                                 for g in candidates))
    except Exception as exc:  # noqa: BLE001 - a bug is an ERROR, never "wrong"
        return Score.error(f"number_with_unit_score: {type(exc).__name__}: {exc}"[:300])


def number_with_unit_equal(
    pred: str | None, gold_value: str, gold_unit: str | None = None, rel_tol: float = 0.05
) -> bool:
    """`number_with_unit_score` is CORRECT."""
    return number_with_unit_score(pred, gold_value, gold_unit, rel_tol).status is Status.CORRECT
