"""The tidy table is built by streaming the samples: the same values as the table built from
whole files (pinned by a reference written before streaming existed), and no texts held."""

from __future__ import annotations

import io
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


@pytest.fixture(scope="module")
def study(tmp_path_factory, tiny_model_dir):
    T.clear_cache()
    return write_study(tmp_path_factory.mktemp("stream"), Path(tiny_model_dir))


def test_streamed_table_equals_the_whole_file_reference(study):
    """Batches of 2 samples (a task spans several batches, repeats included) give the values
    the whole-file reader gave; so does one batch per task."""
    from reasoning_suite.analysis.runs import load_table

    ref = pd.read_csv(REFERENCE)
    for batch in (2, None):
        T.clear_cache()
        df, _ = load_table([study], batch=batch)
        got = pd.read_csv(io.StringIO(comparable(df).drop(columns=["closed_thinking", "context"]).to_csv(index=False)))
        assert list(got.columns) == list(ref.columns)
        assert list(got["run"]) == list(ref["run"]) and list(got["doc_id"]) == list(ref["doc_id"])
        for col in ref.columns:
            if ref[col].dtype.kind in "fiub":
                np.testing.assert_allclose(got[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float),
                                           rtol=1e-12, equal_nan=True, err_msg=col)
            else:
                assert list(got[col].fillna("").astype(str)) == list(ref[col].fillna("").astype(str)), col


def test_the_table_holds_no_texts_and_the_runs_no_samples(study):
    from reasoning_suite.analysis.runs import load_table

    df, runs = load_table([study], batch=4)
    text_like = [c for c in df.columns if df[c].dtype == object]
    assert text_like == [], f"object (text) columns in the table: {text_like}"
    longest = max(len(str(v)) for c in df.columns if df[c].dtype.name == "category" for v in df[c].cat.categories)
    assert longest < 200  # labels and paths, never a response or a prompt
    for run in runs:  # nothing read whole and kept on the run
        assert all(log._samples is None for log in run.logged.tasks.values())


def test_closed_thinking_follows_the_answer_rule(study):
    """`closed_thinking` is `core.answer.Split.closed_thinking` per response, averaged over repeats."""
    from reasoning_suite.analysis.runs import load_table
    from reasoning_suite.core.answer import split_response
    from reasoning_suite.core.logged_run import read_samples, responses

    df, runs = load_table([study])
    for run in runs:
        for task, log in run.logged.tasks.items():
            want = {s["doc_id"]: np.mean([split_response(t).closed_thinking for t in responses(s)])
                    for s in read_samples(log.samples_path)}
            got = df[(df["run"] == run.label) & (df["task"] == task)].set_index("doc_id")["closed_thinking"]
            assert got.to_dict() == pytest.approx(want)
    share = df.groupby("run", observed=True)["closed_thinking"].mean()
    assert share["s-ift"] == 0 and 0 < share["s-reason"] < 1  # truncated traces never close


def test_split_closed_thinking_cases():
    from reasoning_suite.core.answer import split_response

    assert split_response("<think>a</think> \\boxed{1}").closed_thinking
    assert split_response("<think>a</think>  ").closed_thinking  # closed, but no final answer
    assert not split_response("<think>a never closed").closed_thinking
    assert not split_response("<think>a</think> b <think>again").closed_thinking  # re-opened
    assert not split_response("plain answer 4").closed_thinking
    assert split_response("traced</think> 4", template_opened_thinking=True).closed_thinking
