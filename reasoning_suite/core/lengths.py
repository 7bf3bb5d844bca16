"""The study's two token lengths, named apart (they were one constant, and the students then
trained at the generation length of an appendix experiment).

- `TRAIN_SEQ_LENGTH`: the longest training sequence, 16,384 tokens (paper appendix F.4: "compared
  to the 16,384-token length used during training"); with one sequence per GPU on 16 GPUs that is
  the paper's 262,144-token batch (1 x 1 x 16 x 16,384). A teacher's trace longer than this
  cannot be trained on, so it is also the teacher's default reasoning budget.
- `GENERATION_BUDGET`: the most new tokens an evaluated model may write, 16,384 (the paper's
  decoding); `LONG_GENERATION_BUDGET`, 32,768, is the budget of its Fig. 16 experiment
  (`--gen_kwargs max_gen_toks=32768`), which shows that some math tasks gain from it.
"""

from __future__ import annotations

TRAIN_SEQ_LENGTH = 16_384
GENERATION_BUDGET = 16_384
LONG_GENERATION_BUDGET = 32_768
