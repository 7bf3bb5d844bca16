"""math-verify's comparison of one answer pair, and the worker process that runs it.

`compare` is the one call into math-verify (parse both, verify gold first, with the options
the suite uses). `math_equiv` runs it in worker processes: executed as a script, this file
reads JSON lines ``[pred, gold]`` on stdin and answers one line per pair on stdout: ``1``
(equal), ``0`` (not equal) or ``E <reason>`` (the comparison itself failed: a bug, not a
verdict). Running math-verify in a separate process is what makes the per-sample deadline
hard: sympy can spend minutes inside one C call (a huge integer power) where no signal or
thread can interrupt it, but the parent can always kill this process. Without a worker the
parent calls `compare` in-process with math-verify's own (main-thread only) timeout.
"""

from __future__ import annotations

import json
import os
import sys

# Options of math-verify the suite turns on (see docs/scoring.md, "Answer classes"):
# an interval gold equals the same set written as a relation (`x \in [-2,7]` vs
# `-2 \le x \le 7`), whichever side is the relation.
VERIFY_OPTIONS = {"allow_set_relation_comp": True}


def _imaginary_unit(expr):
    """math-verify parses ``i`` as a (non-real) symbol; an answer that is a complex number
    means the imaginary unit, so ``i`` becomes sympy's ``I`` (``i(2-i)`` = ``1+2i``)."""
    import sympy

    try:
        names = [s for s in getattr(expr, "free_symbols", ()) if s.name == "i"]
        return expr.subs({s: sympy.I for s in names}) if names else expr
    except Exception:  # noqa: BLE001 - leave math-verify's reading as it was
        return expr


def compare(pred: str, gold: str, seconds: int | None = None) -> bool:
    """Whether math-verify finds ``pred`` equal to ``gold`` (both already ``\\boxed{...}``).

    ``seconds`` is math-verify's own timeout (signal based: main thread only); ``None`` in the
    worker, whose deadline the parent enforces. Raises math-verify's ``TimeoutException``
    when its timeout fires; an answer it cannot parse is simply not equal.
    """
    from math_verify import parse, verify
    from math_verify.errors import TimeoutException

    raise_on = seconds is not None  # so that a timeout is told apart from "not equal"
    try:
        gold_parsed = parse(gold, parsing_timeout=seconds, raise_on_error=raise_on)
        pred_parsed = parse(pred, parsing_timeout=seconds, raise_on_error=raise_on)
    except TimeoutException:
        raise
    except Exception:  # noqa: BLE001 - unparsable model output: not equal
        return False
    if not gold_parsed or not pred_parsed:
        return False
    gold_parsed = [_imaginary_unit(g) for g in gold_parsed]
    pred_parsed = [_imaginary_unit(p) for p in pred_parsed]
    for g in gold_parsed:  # math-verify's own any() over pairs, with timeouts kept apart
        for p in pred_parsed:
            try:
                if verify(g, p, timeout_seconds=seconds, raise_on_error=raise_on, **VERIFY_OPTIONS):
                    return True
            except TimeoutException:
                raise
            except Exception:  # noqa: BLE001 - math-verify's own policy: a failed comparison is not equal
                continue
    return False


def main() -> None:
    # Executed as a script, this file's directory comes first on sys.path; our module names
    # must not shadow anything math-verify imports.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    import logging

    logging.disable(logging.CRITICAL)  # math-verify warns on every parse without a timeout
    import math_verify  # noqa: F401 - fail here, before "ready", if it is not installed

    # The first parse loads the LaTeX grammar and sympy's simplifiers (seconds on a loaded
    # machine); doing it before "ready" keeps that cost out of the first answer's deadline,
    # which would otherwise be a spurious TIMEOUT.
    compare("\\boxed{\\frac{1}{2}+x}", "\\boxed{0.5+x}")
    compare("\\boxed{(-2,2]}", "\\boxed{zz qq}")
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        try:
            pred, gold = json.loads(line)
            answer = "1" if compare(pred, gold) else "0"
        except Exception as exc:  # noqa: BLE001 - a bug in the comparison: say so, not "wrong"
            answer = "E " + f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300]
        out.write(answer + "\n")
        out.flush()


if __name__ == "__main__":
    main()
