"""Benchmark our math scorer against lm-eval's built-in ``minerva_math`` and ``aime`` scorers.

    .venv/bin/python benchmarks/bench_scoring.py [--n 10000] [--seed 0] [--examples 3]

Generates N synthetic model responses (seeded) against gold answers -- boxed answers right
and wrong, equivalent rewrites (``\\dfrac``, decimals, ``x = ``, units, ``\\$``, thousands
separators), thinking traces with a superseded box, traces that never close, unboxed
answers and Minerva-style "Final Answer: The final answer is X. I hope it is correct." --
scores each response with every scorer, and prints samples/s, the speed ratio against
lm-eval measured in the same run, agreement between scorers, the rate each scorer marks
correct per kind of response, our statuses (math-verify deadline hits, errors) and example
disagreements. A second table scores the answer-class rows of the scorer case table
(tests/test_scoring_cases.py: units, bare-word golds, mixed numbers, clock times, degrees in
trig, sets as relations, the imaginary unit, lists vs grouped numbers) with every scorer,
each answer boxed at the end of a short response, against the hand-written labels.

Scorers:
- ours: ``final_answer`` -> ``extract_boxed`` -> ``math_score`` (math-verify, hard deadline)
- lm-eval ``minerva_math`` ``process_results`` -> its ``exact_match`` and ``math_verify``
- lm-eval ``aime`` ``process_results`` -> ``exact_match``

lm-eval 0.4.13's minerva_math module asserts antlr4 4.11 at import and its ``is_equiv`` calls
sympy's ``parse_latex``, which refuses any antlr4 but 4.11; math-verify (which lm-eval's same
module also calls) needs 4.13. We import it with the version check answered "4.11" and let
``is_equiv`` return False when sympy raises that ImportError, so its ``exact_match`` is
normalised string equality here; its ``math_verify`` metric is unaffected.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reasoning_suite.core.answer import final_answer
from reasoning_suite.core.score import Status
from reasoning_suite.harness_tasks.scoring import extract_boxed, math_equal, math_score

CLASS_PREFIXES = ("unit/", "mixed/", "clock/", "trig/", "set/", "complex/", "list/", "group/")

FILLER = [
    "First we set up the equation from the problem statement.",
    "Substituting the known values gives a simpler expression.",
    "We can factor the numerator and cancel the common term.",
    "Checking the boundary cases confirms the result.",
    "Let $a = 3$ and $b = 4$, then $a^2 + b^2 = 25$.",
    "Multiplying both sides by the denominator, we get $2x + 6 = 14$.",
    "The total is therefore the sum of the two parts.",
    "Note that $\\frac{a}{b}$ must be in lowest terms.",
]


@dataclass
class Sample:
    kind: str
    response: str
    gold: str
    intended: bool | None  # is the response's final (boxed) answer right? None: no box by design


def _gold_and_forms(rng: random.Random) -> tuple[str, list[str], str]:
    """A gold answer, equivalent rewrites of it, and a wrong answer."""
    kind = rng.random()
    if kind < 0.45:  # integers, like GSM8K/AIME
        n = rng.choice([rng.randint(0, 999), rng.randint(1000, 99999)])
        alts = [f"{n}.0", f"x = {n}", f"{n} \\text{{ cm}}", f"\\${n}", f"{n}"]
        if n >= 1000:
            alts += [f"{n:,}".replace(",", "{,}"), f"{n:,}"]
        return str(n), alts, str(n + rng.choice([-10, -1, 1, 2, 7]))
    if kind < 0.75:  # fractions
        while True:
            a, b = rng.randint(1, 40), rng.randint(2, 40)
            f = Fraction(a, b)
            if f.denominator > 1:
                break
        a, b = f.numerator, f.denominator
        alts = [f"\\dfrac{{{a}}}{{{b}}}", f"{a}/{b}", f"\\frac{{{2 * a}}}{{{2 * b}}}"]
        if all(p in (2, 5) for p in _prime_factors(b)):
            alts.append(str(float(f)))
        return f"\\frac{{{a}}}{{{b}}}", alts, f"\\frac{{{a + 1}}}{{{b}}}"
    if kind < 0.9:  # surds
        k, m = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7])
        return f"{k}\\sqrt{{{m}}}", [f"\\sqrt{{{k * k * m}}}", f"{k} \\sqrt{m}"], f"{k + 1}\\sqrt{{{m}}}"
    a = rng.randint(-5, 3)
    b = a + rng.randint(1, 6)
    return f"({a},{b}]", [f"\\left({a}, {b}\\right]"], f"[{a},{b}]"


def _prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


def _filler(rng: random.Random, k: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(k))


def make_samples(n: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    kinds = ["boxed_same", "boxed_equiv", "boxed_wrong", "think_then_box", "think_unclosed",
             "unboxed", "minerva", "minerva_boxed", "last_box_wrong"]
    weights = [20, 20, 15, 12, 5, 8, 8, 7, 5]
    samples = []
    for _ in range(n):
        gold, alts, wrong = _gold_and_forms(rng)
        kind = rng.choices(kinds, weights)[0]
        body = _filler(rng, rng.randint(2, 8))
        alt = rng.choice(alts)
        if kind == "boxed_same":
            resp, ok = f"{body}\nTherefore the answer is $\\boxed{{{gold}}}$.", True
        elif kind == "boxed_equiv":
            resp, ok = f"{body}\nSo we get $\\boxed{{{alt}}}$.", True
        elif kind == "boxed_wrong":
            resp, ok = f"{body}\nThe answer is $\\boxed{{{wrong}}}$.", False
        elif kind == "think_then_box":
            trace = _filler(rng, rng.randint(10, 40))
            resp = f"<think>{trace} Maybe it is $\\boxed{{{wrong}}}$? {trace[:200]} No.</think>\n{body}\n$\\boxed{{{alt}}}$"
            ok = True
        elif kind == "think_unclosed":
            resp, ok = f"<think>{_filler(rng, rng.randint(10, 40))} so $\\boxed{{{gold}}}$ but let me check", False
        elif kind == "unboxed":
            resp, ok = f"{body}\nThe answer is ${gold}$.", None
        elif kind == "minerva":
            resp, ok = f"{body}\nFinal Answer: The final answer is ${gold}$. I hope it is correct.", None
        elif kind == "minerva_boxed":
            resp = f"{body} Hence $\\boxed{{{gold}}}$.\nFinal Answer: The final answer is ${gold}$. I hope it is correct."
            ok = True
        else:  # last_box_wrong
            resp, ok = f"{body} $\\boxed{{{gold}}}$. Wait, recheck: $\\boxed{{{wrong}}}$.", False
        samples.append(Sample(kind, resp, gold, ok))
    return samples


def load_lm_eval_scorers():
    """lm-eval's minerva_math and aime ``process_results`` (see module doc for the shim)."""
    real_version = importlib.metadata.version
    importlib.metadata.version = lambda name: "4.11.0" if name == "antlr4-python3-runtime" else real_version(name)
    try:
        import lm_eval.tasks.minerva_math.utils as minerva
    finally:
        importlib.metadata.version = real_version
    from lm_eval.tasks.aime import utils as aime

    original_is_equiv = minerva.is_equiv

    def is_equiv(x1, x2):
        try:
            return original_is_equiv(x1, x2)
        except ImportError:  # sympy's parse_latex wants antlr4 4.11
            return False

    minerva.is_equiv = is_equiv
    return minerva, aime


STATUSES: Counter = Counter()


def ours(s: Sample) -> bool:
    score = math_score(extract_boxed(final_answer(s.response)), s.gold)
    STATUSES[score.status] += 1
    return score.status is Status.CORRECT


def class_cases() -> list[tuple[str, str, str, bool]]:
    """(id, pred, gold, expected) of the answer-class rows of the scorer case table."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_scoring_cases import CASES

    return [(i, args[0], args[1], want) for i, fn, args, want in CASES
            if fn is math_equal and i.startswith(CLASS_PREFIXES)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="number of synthetic responses")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--examples", type=int, default=4, help="disagreement examples per pair")
    args = ap.parse_args(argv)
    console = Console(width=max(Console().width, 120))

    samples = make_samples(args.n, args.seed)
    minerva, aime = load_lm_eval_scorers()
    minerva_docs = {}
    for s in samples:
        if s.gold not in minerva_docs:
            minerva_docs[s.gold] = {
                "answer": minerva.normalize_final_answer(s.gold),
                "solution": f"We find the answer $\\boxed{{{s.gold}}}$.",
            }

    def minerva_both(s: Sample) -> dict:
        return minerva.process_results(minerva_docs[s.gold], [s.response])

    def aime_em(s: Sample) -> bool:
        return bool(aime.process_results({"answer": s.gold}, [s.response])["exact_match"])

    runners = {"ours": ours, "lm-eval minerva_math": minerva_both, "lm-eval aime": aime_em}
    logging.disable(logging.CRITICAL)  # lm-eval logs sympy's antlr complaint on every call
    for fn in runners.values():  # warm-up: imports, caches, our worker process
        with contextlib.redirect_stdout(io.StringIO()):
            for s in samples[:20]:
                fn(s)

    STATUSES.clear()  # count the timed pass only
    results: dict[str, list[bool]] = {}
    speed: dict[str, float] = {}
    for name, fn in runners.items():
        with console.status(f"scoring {len(samples)} responses with {name}"):
            sink = io.StringIO()  # the antlr runtime prints a version warning per parse
            with contextlib.redirect_stdout(sink):
                start = time.perf_counter()
                out = [fn(s) for s in samples]
                elapsed = time.perf_counter() - start
        speed[name] = len(samples) / elapsed
        if name == "lm-eval minerva_math":
            results["lm-eval minerva exact_match"] = [bool(o["exact_match"]) for o in out]
            results["lm-eval minerva math_verify"] = [bool(o["math_verify"]) for o in out]
        else:
            results[name] = out

    t = Table(title=f"Throughput, {len(samples)} responses (seed {args.seed}), one process")
    t.add_column("scorer")
    t.add_column("samples/s", justify="right")
    t.add_column("ours vs it", justify="right")
    for name, sps in speed.items():
        t.add_row(name, f"{sps:,.0f}", "-" if name == "ours" else f"{speed['ours'] / sps:.2f}x")
    console.print(t)

    names = list(results)
    t = Table(title="Agreement between scorers (share of responses scored the same)")
    t.add_column("")
    for n in names:
        t.add_column(n.replace("lm-eval ", ""), justify="right")
    for a in names:
        t.add_row(a, *[f"{sum(x == y for x, y in zip(results[a], results[b])) / len(samples):.3f}" for b in names])
    console.print(t)

    kinds = sorted({s.kind for s in samples})
    t = Table(title="Share marked correct, per kind of response (intended: is the boxed final answer right)")
    t.add_column("kind")
    t.add_column("n", justify="right")
    t.add_column("intended", justify="right")
    for n in names:
        t.add_column(n.replace("lm-eval ", ""), justify="right")
    for kind in kinds:
        idx = [i for i, s in enumerate(samples) if s.kind == kind]
        intended = samples[idx[0]].intended
        t.add_row(kind, str(len(idx)), "-" if intended is None else str(intended).lower(),
                  *[f"{sum(results[n][i] for i in idx) / len(idx):.3f}" for n in names])
    labelled = [i for i, s in enumerate(samples) if s.intended is not None]
    t.add_row("[b]match intended[/b]", str(len(labelled)), "",
              *[f"{sum(results[n][i] == samples[i].intended for i in labelled) / len(labelled):.3f}" for n in names])
    console.print(t)

    n_ours = sum(STATUSES.values())
    console.print(f"ours, statuses over the timed pass ({n_ours} responses): "
                  + ", ".join(f"{st.value} {STATUSES[st]}" for st in Status)
                  + f"  (math-verify deadline hits: {STATUSES[Status.TIMEOUT]}, errors: {STATUSES[Status.ERROR]})")

    cases = class_cases()
    t = Table(title=f"Answer classes: share of the {len(cases)} hand-labelled class rows of the scorer table scored as labelled")
    t.add_column("class")
    t.add_column("n", justify="right")
    for n in names:
        t.add_column(n.replace("lm-eval ", ""), justify="right")
    with contextlib.redirect_stdout(io.StringIO()):
        verdicts = {n: [] for n in names}
        for _, pred, gold, _ in cases:
            sample = Sample("class", f"We compute it step by step.\nThe answer is $\\boxed{{{pred}}}$.", gold, None)
            verdicts["ours"].append(ours(sample))
            docs = {"answer": minerva.normalize_final_answer(gold), "solution": f"So $\\boxed{{{gold}}}$."}
            both = minerva.process_results(docs, [sample.response])
            verdicts["lm-eval minerva exact_match"].append(bool(both["exact_match"]))
            verdicts["lm-eval minerva math_verify"].append(bool(both["math_verify"]))
            verdicts["lm-eval aime"].append(bool(aime.process_results({"answer": gold}, [sample.response])["exact_match"]))
    for prefix in CLASS_PREFIXES + ("",):
        idx = [k for k, c in enumerate(cases) if c[0].startswith(prefix)]
        label = prefix.rstrip("/") or "[b]all[/b]"
        t.add_row(label, str(len(idx)), *[f"{sum(verdicts[n][k] == cases[k][3] for k in idx) / len(idx):.3f}" for n in names])
    console.print(t)
    for other in names[1:]:
        wrong = [cases[k][0] for k in range(len(cases)) if verdicts[other][k] != cases[k][3]]
        console.print(f"  {other} mis-scores {len(wrong)}: {', '.join(wrong[:12])}{' ...' if len(wrong) > 12 else ''}",
                      markup=False, highlight=False)

    console.print("[b]Example disagreements (ours vs each lm-eval scorer), one per kind of response[/b]")
    for other in names[1:]:
        diffs = [i for i in range(len(samples)) if results["ours"][i] != results[other][i]]
        console.print(f"ours vs {other}: {len(diffs)} disagreements")
        shown: set[str] = set()
        for i in diffs:
            s = samples[i]
            if s.kind in shown or len(shown) >= args.examples:
                continue
            shown.add(s.kind)
            tail = s.response[-100:].replace("\n", " ")
            console.print(f"  [{s.kind}] gold={s.gold!r} ours={results['ours'][i]} {other.split()[-1]}={results[other][i]} ...{tail!r}",
                          markup=False, highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
