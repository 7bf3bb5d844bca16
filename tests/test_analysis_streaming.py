"""The tidy table is built by streaming the samples: the same values as the table built from
whole files (pinned by a reference written before streaming existed), and no texts held."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reasoning_suite.analysis import tokens as T
from reasoning_suite.analysis.synthetic import SyntheticModel, make_checkpoint, write_run

REFERENCE = Path(__file__).parent / "fixtures" / "analysis_table_reference.csv"
TASKS = {"rs_gsm8k": 9, "rs_winogrande": 7, "rs_squad": 5}
# Columns whose value is a path of this machine, not a measurement.
PATH_COLUMNS = ["model", "base_model"]


def write_study(root: Path, tiny: Path) -> Path:
    """Three runs: IFT, reasoning with truncated traces, reasoning with 3 repeats per document."""
    models = [
        (SyntheticModel("s-ift", record={"base_model": "tiny", "format": "ift", "reasoning_ratio": 0.0}, accuracy=0.4), 1),
        (SyntheticModel("s-reason", record={"base_model": "tiny", "format": "reasoning", "reasoning_ratio": 1.0},
                        accuracy=0.6, thinking_words=40, truncate_rate=0.2), 1),
        (SyntheticModel("s-repeat", record={"base_model": "tiny", "format": "reasoning", "reasoning_ratio": 1.0},
                        accuracy=0.5, thinking_words=25, truncate_rate=0.1), 3),
    ]
    for i, (m, repeats) in enumerate(models):
        ckpt = make_checkpoint(tiny, root / "ckpt" / m.name, m)
        write_run(root / "out", ckpt, m, TASKS, seed=10 + i, max_gen_toks=48, repeats=repeats)
    return root / "out"


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c not in PATH_COLUMNS]
    out = df[cols].copy()
    for c in out.columns:
        if out[c].dtype.name == "category" or out[c].dtype == object:
            out[c] = out[c].astype(str)
    return out.sort_values(["run", "task", "doc_id"]).reset_index(drop=True)
