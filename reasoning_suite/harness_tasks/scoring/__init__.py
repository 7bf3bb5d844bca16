"""Pure scoring functions for every task of the suite.

One module per job (the final answer vs the trace is `reasoning_suite.core.answer`): `boxed` (the last ``\\boxed{}``),
`math_equiv` (math-verify with a hard deadline), `choices` (multiple choice, Winogrande),
`spans` (SQuAD EM/F1), `ifeval` (lm-eval's checkers, offline), `summaries` (ROUGE-L, BLEU),
`units` (SciBench numbers). All take model output as it comes and never raise on it: garbage
in gives an INCORRECT or NO_ANSWER `reasoning_suite.core.score.Score`; a scorer that cannot
run (missing dependency, timeout, bug) gives TIMEOUT or ERROR, never "wrong". The `*_score`
functions return Scores (the tasks use them); `math_equal`, `mc_correct`, ... are their
yes/no shorthands ("is it CORRECT") for tools and tests.
"""

from .boxed import extract_boxed
from .choices import mc_correct, mc_score, winogrande_correct, winogrande_score, yes_no_score
from .ifeval import ifeval_score, ifeval_scores
from .math_equiv import gsm8k_gold, math_equal, math_score
from .nltk_data import ensure_punkt_tab
from .spans import normalize_answer, span_score, span_scores
from .summaries import summary_score, summary_scores
from .units import number_with_unit_equal, number_with_unit_score, parse_number

__all__ = [
    "ensure_punkt_tab",
    "extract_boxed",
    "gsm8k_gold",
    "ifeval_score",
    "ifeval_scores",
    "math_equal",
    "math_score",
    "mc_correct",
    "mc_score",
    "normalize_answer",
    "number_with_unit_equal",
    "number_with_unit_score",
    "parse_number",
    "span_score",
    "span_scores",
    "summary_score",
    "summary_scores",
    "winogrande_correct",
    "winogrande_score",
    "yes_no_score",
]
