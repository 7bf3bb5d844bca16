"""Pure scoring functions for every task of the suite.

One module per job (the final answer vs the trace is `reasoning_suite.core.answer`): `boxed` (the last ``\\boxed{}``),
`math_equiv` (math-verify with a hard deadline), `choices` (multiple choice, Winogrande),
`spans` (SQuAD EM/F1), `ifeval` (lm-eval's checkers, offline), `summaries` (ROUGE-L, BLEU),
`units` (SciBench numbers). All take model output as it comes and never raise on it: garbage
in gives False / None / 0.
"""

from .boxed import extract_boxed
from .choices import mc_correct, winogrande_correct
from .ifeval import ifeval_scores
from .math_equiv import gsm8k_gold, math_equal
from .nltk_data import ensure_punkt_tab
from .spans import normalize_answer, span_scores
from .summaries import summary_scores
from .units import number_with_unit_equal, parse_number

__all__ = [
    "ensure_punkt_tab",
    "extract_boxed",
    "gsm8k_gold",
    "ifeval_scores",
    "math_equal",
    "mc_correct",
    "normalize_answer",
    "number_with_unit_equal",
    "parse_number",
    "span_scores",
    "summary_scores",
    "winogrande_correct",
]
