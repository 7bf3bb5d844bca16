"""Hand-written cases for every scorer: one row = one input and the answer a careful human gives.

Expected values were decided by hand from the task's intent (e.g. ``[1,2)`` is not ``(1,2)``;
two letters are a hedge, not an answer), not copied from the implementation's output.
"""

from __future__ import annotations

import pytest

from reasoning_suite.harness_tasks.scoring import (
    extract_boxed,
    gsm8k_gold,
    math_equal,
    mc_correct,
    number_with_unit_equal,
    span_scores,
    winogrande_correct,
)

OPTS = ["12", "42", "7 apples", "None of these"]  # A B C D
LETTERY = ["B", "A", "D", "C"]  # option texts that are letters themselves

CASES = [
    # --- boxed extraction -------------------------------------------------------------
    ("box/simple", extract_boxed, ("so \\boxed{42}.",), "42"),
    ("box/last-wins", extract_boxed, ("\\boxed{1} no wait \\boxed{2}",), "2"),
    ("box/nested", extract_boxed, ("\\boxed{\\frac{1}{\\sqrt{2}}}",), "\\frac{1}{\\sqrt{2}}"),
    ("box/fbox", extract_boxed, ("\\fbox{7}",), "7"),
    ("box/mixed-last-fbox", extract_boxed, ("\\boxed{1} then \\fbox{9}",), "9"),
    ("box/space-form", extract_boxed, ("the answer is $\\boxed 5$",), "5"),
    ("box/space-form-period", extract_boxed, ("answer: \\boxed 12.",), "12"),
    ("box/in-display", extract_boxed, ("\\[ \\boxed{x = 3} \\]",), "x = 3"),
    ("box/in-dollars", extract_boxed, ("$\\boxed{\\dfrac{3}{4}}$",), "\\dfrac{3}{4}"),
    ("box/empty", extract_boxed, ("\\boxed{}",), None),
    ("box/blank", extract_boxed, ("\\boxed{   }",), None),
    ("box/unclosed", extract_boxed, ("\\boxed{\\frac{1}{2}",), None),
    ("box/unclosed-last-after-good", extract_boxed, ("\\boxed{1} and \\boxed{2",), None),
    ("box/none", extract_boxed, ("no box here",), None),
    ("box/text", extract_boxed, ("\\boxed{\\text{C}}",), "\\text{C}"),
    ("box/escaped-braces", extract_boxed, ("\\boxed{\\{1,2\\}}",), "\\{1,2\\}"),
    ("box/input-none", extract_boxed, (None,), None),
    ("box/space-before-brace", extract_boxed, ("\\boxed {5}",), "5"),
    ("box/latex-newline-inside", extract_boxed, ("\\boxed{a \\\\}",), "a \\\\"),
    ("box/in-text-wrapper", extract_boxed, ("**Answer:** $\\boxed{\\text{(B)}}$",), "\\text{(B)}"),
    ("box/not-boxedx", extract_boxed, ("\\boxedx{3}",), None),
    ("box/multiline", extract_boxed, ("\\boxed{\n\\begin{pmatrix}1\\\\2\\end{pmatrix}\n}",), "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
    # --- math equivalence -------------------------------------------------------------
    ("math/dfrac-frac", math_equal, ("\\dfrac{1}{2}", "\\frac12"), True),
    ("math/half-decimal", math_equal, ("0.5", "\\frac12"), True),
    ("math/tfrac", math_equal, ("\\tfrac{3}{4}", "0.75"), True),
    ("math/slash", math_equal, ("3/4", "\\frac{3}{4}"), True),
    ("math/latex-thousands", math_equal, ("1{,}000", "1000"), True),
    ("math/comma-thousands", math_equal, ("1,000", "1000"), True),
    ("math/gold-thousands", math_equal, ("12345", "12,345"), True),
    ("math/unit-text", math_equal, ("5 \\text{ cm}", "5"), True),
    ("math/unit-glued", math_equal, ("5cm", "5"), True),
    ("math/unit-mbox", math_equal, ("5 \\mbox{ cm}", "5"), True),
    ("math/dollar", math_equal, ("\\$5", "5"), True),
    ("math/dollar-decimal", math_equal, ("\\$5.00", "5"), True),
    ("math/percent", math_equal, ("50\\%", "50"), True),
    ("math/percent-vs-fraction", math_equal, ("0.5", "50\\%"), True),
    ("math/interval-halfopen-vs-open", math_equal, ("[1,2)", "(1,2)"), False),
    ("math/interval-same", math_equal, ("(1,2)", "(1,2)"), True),
    ("math/interval-closed-vs-open", math_equal, ("[1,2]", "(1,2)"), False),
    ("math/assignment", math_equal, ("x=3", "3"), True),
    ("math/gold-assignment", math_equal, ("3", "x=3"), True),
    ("math/text-choice", math_equal, ("\\text{(A)}", "A"), True),
    ("math/text-choice-gold", math_equal, ("(C)", "\\text{(C)}"), True),
    ("math/sqrt-shorthand", math_equal, ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt3}{2}"), True),
    ("math/degrees", math_equal, ("10^{\\circ}", "10"), True),
    ("math/expand", math_equal, ("x^2+2x+1", "(x+1)^2"), True),
    ("math/set-order", math_equal, ("\\{2,1\\}", "\\{1,2\\}"), True),
    ("math/wrong-number", math_equal, ("7", "8"), False),
    ("math/wrong-fraction", math_equal, ("\\frac{1}{3}", "\\frac12"), False),
    ("math/sign", math_equal, ("-\\infty", "\\infty"), False),
    ("math/pi-not-approx", math_equal, ("3.14", "\\pi"), False),
    ("math/trailing-zero", math_equal, ("3.0", "3"), True),
    ("math/boxed-inside", math_equal, ("\\boxed{12}", "12"), True),
    ("math/dollars-around", math_equal, ("$\\frac{1}{2}$", "\\frac{1}{2}"), True),
    ("math/none", math_equal, (None, "3"), False),
    ("math/empty", math_equal, ("", "3"), False),
    ("math/garbage", math_equal, ("}{\\frac{{{", "3"), False),
    ("math/sqrt-value", math_equal, ("2\\sqrt{2}", "\\sqrt{8}"), True),
    ("math/negative", math_equal, ("-5", "5"), False),
    ("math/tuple-order-matters", math_equal, ("(2,1)", "(1,2)"), False),
    ("math/tuple-same", math_equal, ("(1, 2)", "(1,2)"), True),
    ("math/matrix", math_equal, ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"), True),
    ("math/reduced-fraction", math_equal, ("\\frac{2}{8}", "\\frac{1}{4}"), True),
    ("math/different-fraction", math_equal, ("\\frac{9}{3}", "\\frac{8}{3}"), False),
    ("math/rounded-decimal", math_equal, ("0.333", "\\frac13"), False),
    ("math/different-variables", math_equal, ("y=3", "x=3"), False),
    ("math/huge-garbage", math_equal, ("9" * 6000, "9"), False),
    ("gsm8k/gold", gsm8k_gold, ("She pays 3 * 5 = 15.\n#### 1,234",), "1234"),
    ("gsm8k/gold-negative", gsm8k_gold, ("... #### -7",), "-7"),
    # --- multiple choice: letters in every dress ---------------------------------------
    ("mc/bare", mc_correct, ("B", "B", OPTS), True),
    ("mc/paren", mc_correct, ("(B)", "B", OPTS), True),
    ("mc/text-wrapper", mc_correct, ("\\text{B}", "B", OPTS), True),
    ("mc/textbf", mc_correct, ("\\textbf{B}", "B", OPTS), True),
    ("mc/text-paren", mc_correct, ("\\text{(B)}", "B", OPTS), True),
    ("mc/paren-with-text", mc_correct, ("B) 42", "B", OPTS), True),
    ("mc/dot-with-text", mc_correct, ("B. 42", "B", OPTS), True),
    ("mc/colon-with-text", mc_correct, ("B: 42", "B", OPTS), True),
    ("mc/lower", mc_correct, ("b", "B", OPTS), True),
    ("mc/option-word", mc_correct, ("Option B", "B", OPTS), True),
    ("mc/answer-prefix", mc_correct, ("Answer: B", "B", OPTS), True),
    ("mc/option-text", mc_correct, ("42", "B", OPTS), True),
    ("mc/option-text-case-space", mc_correct, ("  7   APPLES ", "C", OPTS), True),
    ("mc/option-text-in-dollars", mc_correct, ("$42$", "B", OPTS), True),
    ("mc/label-and-its-text", mc_correct, ("(C) 7 apples", "C", OPTS), True),
    ("mc/wrong-letter", mc_correct, ("A", "B", OPTS), False),
    ("mc/wrong-text", mc_correct, ("12", "B", OPTS), False),
    ("mc/two-letters-comma", mc_correct, ("A, B", "B", OPTS), False),
    ("mc/two-letters-and", mc_correct, ("B and C", "B", OPTS), False),
    ("mc/two-letters-parens", mc_correct, ("(B) (D)", "B", OPTS), False),
    ("mc/label-with-other-text", mc_correct, ("B) 12", "B", OPTS), False),
    ("mc/out-of-range-letter", mc_correct, ("E", "B", OPTS), False),
    ("mc/none", mc_correct, (None, "B", OPTS), False),
    ("mc/empty", mc_correct, ("", "B", OPTS), False),
    ("mc/unknown-text", mc_correct, ("43", "B", OPTS), False),
    ("mc/letter-options-label", mc_correct, ("A", "A", LETTERY), True),
    ("mc/letter-options-text-is-not-label", mc_correct, ("B", "A", LETTERY), False),
    ("mc/letter-options-label-with-text", mc_correct, ("(A) B", "A", LETTERY), True),
    ("mc/ten-options-j", mc_correct, ("J", "J", [str(i) for i in range(10)]), True),
    ("mc/custom-letters", mc_correct, ("2", "2", ["x", "y"], ["1", "2"]), True),
    ("mc/lower-gold", mc_correct, ("C", "c", OPTS), True),
    ("mc/correct-option-is", mc_correct, ("The correct option is C", "C", OPTS), True),
    ("mc/two-letters-or", mc_correct, ("C or D", "C", OPTS), False),
    ("mc/boxed-letter", mc_correct, ("\\boxed{C}", "C", OPTS), True),
    ("mc/option-text-starting-with-choice", mc_correct, ("Choice of law", "C", ["Venue", "Comity", "Choice of law"]), True),
    ("mc/label-paren-text", mc_correct, ("B (42)", "B", OPTS), True),
    ("mc/text-that-starts-like-a-label", mc_correct, ("A. Lincoln", "B", ["G. Washington", "A. Lincoln"]), True),
    ("mc/label-then-text-wrapped", mc_correct, ("\\textbf{B}\\text{ (42)}", "B", OPTS), True),
    # --- winogrande --------------------------------------------------------------------
    ("wg/label-1", winogrande_correct, ("1", "1", "Sarah", "Maria"), True),
    ("wg/option-1", winogrande_correct, ("Option 1", "1", "Sarah", "Maria"), True),
    ("wg/letter-a", winogrande_correct, ("A", "1", "Sarah", "Maria"), True),
    ("wg/letter-b", winogrande_correct, ("(B)", "2", "Sarah", "Maria"), True),
    ("wg/text", winogrande_correct, ("Maria", "2", "Sarah", "Maria"), True),
    ("wg/text-punct-case", winogrande_correct, ("sarah.", "1", "Sarah", "Maria"), True),
    ("wg/text-wrapped", winogrande_correct, ("\\text{Maria}", "2", "Sarah", "Maria"), True),
    ("wg/wrong-label", winogrande_correct, ("2", "1", "Sarah", "Maria"), False),
    ("wg/wrong-text", winogrande_correct, ("Maria", "1", "Sarah", "Maria"), False),
    ("wg/both", winogrande_correct, ("1 and 2", "1", "Sarah", "Maria"), False),
    ("wg/none", winogrande_correct, (None, "1", "Sarah", "Maria"), False),
    ("wg/label-with-text", winogrande_correct, ("2) Maria", "2", "Sarah", "Maria"), True),
    # --- spans: (EM, F1) by hand ---------------------------------------------------------
    ("span/exact", span_scores, ("Denver Broncos", ["Denver Broncos"]), (1.0, 1.0)),
    ("span/article-punct-case", span_scores, ("The Denver Broncos!", ["denver broncos"]), (1.0, 1.0)),
    # pred {denver}, gold {denver, broncos}: P=1, R=1/2, F1=2/3
    ("span/partial", span_scores, ("Denver", ["Denver Broncos"]), (0.0, 2 / 3)),
    # best of golds: second gold is exact
    ("span/best-gold", span_scores, ("Broncos", ["Denver Broncos", "the Broncos"]), (1.0, 1.0)),
    # pred {carolina, panthers, team} vs gold {carolina, panthers}: P=2/3, R=1 -> F1=0.8
    ("span/extra-token", span_scores, ("Carolina Panthers team", ["Carolina Panthers"]), (0.0, 0.8)),
    ("span/boxed-text", span_scores, ("\\text{Santa Clara}", ["Santa Clara, California", "Santa Clara"]), (1.0, 1.0)),
    ("span/none", span_scores, (None, ["x"]), (0.0, 0.0)),
    ("span/disjoint", span_scores, ("Paris", ["London"]), (0.0, 0.0)),
    # pred {1, 2, 1} vs gold {1, 2}: common 2 -> P=2/3, R=1 -> 0.8
    ("span/repeated-tokens", span_scores, ("1 2 1", ["1 2"]), (0.0, 0.8)),
    # --- SciBench numbers -----------------------------------------------------------------
    ("sci/within-5pct", number_with_unit_equal, ("3.1", "3.2", "$\\mathrm{~J}$"), True),
    ("sci/outside-5pct", number_with_unit_equal, ("3.5", "3.2", "$\\mathrm{~J}$"), False),
    ("sci/with-unit", number_with_unit_equal, ("3.15 \\mathrm{~J}", "3.2", "$\\mathrm{~J}$"), True),
    ("sci/times-ten", number_with_unit_equal, ("3.1 \\times 10^{-19} J", "3.2", "$10^{-19} \\mathrm{~J}$"), True),
    ("sci/in-scaled-unit", number_with_unit_equal, ("3.2", "3.2", "$10^{-19} \\mathrm{~J}$"), True),
    ("sci/wrong-exponent", number_with_unit_equal, ("3.2 \\times 10^{-18}", "3.2", "$10^{-19} \\mathrm{~J}$"), False),
    ("sci/e-notation", number_with_unit_equal, ("6.02e23", "6.022", "$10^{23}$"), True),
    ("sci/unit-times-prefix", number_with_unit_equal, ("1.52 \\times 10^{-3}", "1.5", "$\\times 10^{-3} \\mathrm{~mol}$"), True),
    ("sci/unit-pow-no-braces", number_with_unit_equal, ("1.0 \\times 10^5 Pa", "1.01", "$10^5 \\mathrm{~Pa}$"), True),
    ("sci/cdot", number_with_unit_equal, ("1.5 \\cdot 10^{3} m", "1500", "m"), True),
    ("sci/commas", number_with_unit_equal, ("1,520 m", "1500", "m"), True),
    ("sci/fraction-fallback", number_with_unit_equal, ("\\frac{1}{2}", "0.5", None), True),
    ("sci/negative", number_with_unit_equal, ("-2.0", "2.0", None), False),
    ("sci/zero", number_with_unit_equal, ("0", "0", None), True),
    ("sci/none", number_with_unit_equal, (None, "1.0", None), False),
    ("sci/garbage", number_with_unit_equal, ("no idea", "1.0", None), False),
]


@pytest.mark.parametrize("fn,args,expected", [pytest.param(f, a, e, id=i) for i, f, a, e in CASES])
def test_case(fn, args, expected):
    got = fn(*args)
    if isinstance(expected, tuple):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


def test_table_is_large_and_ids_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 100
    assert len(set(ids)) == len(ids)
