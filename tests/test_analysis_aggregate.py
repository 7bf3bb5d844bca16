"""The analysis side of the one aggregation rule: leaderboard, tidy table, figures and the
judge report give the same category and overall numbers, and runs in different settings of
one model stay apart (lm-eval's real output format, written by lm-eval's own tracker)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reasoning_suite.analysis import figures as FIG
from reasoning_suite.analysis import stats as S
from reasoning_suite.analysis import tokens as T
from reasoning_suite.core import flops as F
from reasoning_suite.analysis.runs import load_table
from reasoning_suite.analysis.synthetic import sample_row, write_samples
from reasoning_suite.cli import main as cli

GEN = {"until": [], "max_gen_toks": 16}


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    T.clear_cache()
    yield
    T.clear_cache()


def _rows(scores, **metrics):
    return [sample_row(i, {"q": i}, "1", f"prompt {i}", GEN, ["\\boxed{1}"], float(a), **metrics)
            for i, a in enumerate(scores)]


def _csv(capsys, *args) -> pd.DataFrame:
    assert cli(["leaderboard", *map(str, args), "-q", "--format", "csv"]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")


def test_leaderboard_overall_is_the_mean_of_categories_on_a_subset_run(tmp_path, capsys):
    """Task scores 1.0, 0.0 (General-MC) and 1.0 (Math-OE): 75 overall, as the judge report
    and lm-eval's reasoning_suite group say (the mean of the tasks, 66.7, was the old number)."""
    write_samples(tmp_path / "o", "pretrained=nobody/m", {
        "rs_winogrande": _rows([1, 1]), "rs_openbookqa": _rows([0, 0, 0]), "rs_gsm8k": _rows([1])})
    lb = _csv(capsys, tmp_path / "o")
    assert lb.loc["m", "overall"] == pytest.approx(75.0)
    assert lb.loc["m", "General-MC"] == pytest.approx(50.0) and lb.loc["m", "Math-OE"] == pytest.approx(100.0)
    from reasoning_suite.core.aggregate import aggregate
    from reasoning_suite.harness_tasks.registry import suite_grouping

    assert aggregate({"rs_winogrande": 1.0, "rs_openbookqa": 0.0, "rs_gsm8k": 1.0}, suite_grouping()).overall * 100 == lb.loc["m", "overall"]
    df, _ = load_table([tmp_path / "o"])
    o = S.accuracy(df, by="overall", n_boot=50)
    assert o["acc"].iloc[0] == pytest.approx(0.75)
    big = S.bootstrap_macro([np.ones(6), np.zeros(6), np.ones(6)], weights=[0.25, 0.25, 0.5], n_boot=50)
    assert big == (pytest.approx(0.75), pytest.approx(0.75), pytest.approx(0.75))  # no noise: the point


def test_rougeL_is_a_task_score_never_part_of_acc(tmp_path, capsys):
    """Code: mmlu_pro_code acc 0.5, code summarization rougeL 0.1: Code acc 50, not 30."""
    write_samples(tmp_path / "o", "pretrained=nobody/m", {
        "rs_mmlu_pro_code": _rows([1, 0]),
        "rs_c_code_summarization": [dict(r, rougeL=0.1) for r in _rows([0, 0])]})
    df, _ = load_table([tmp_path / "o"])
    assert set(df.loc[df["task"] == "rs_c_code_summarization", "metric"]) == {"rougeL"}
    assert df.loc[df["task"] == "rs_c_code_summarization", "acc"].tolist() == [0.1, 0.1]
    lb = _csv(capsys, tmp_path / "o")
    assert lb.loc["m", "Code"] == pytest.approx(50.0) and lb.loc["m", "overall"] == pytest.approx(50.0)
    assert lb.loc["m", "rs_c_code_summarization"] == pytest.approx(10.0)
    cat = S.per_run_category(df)
    assert cat.set_index("category").loc["Code", "acc"] == pytest.approx(0.5)


def test_zero_and_three_shot_runs_of_one_model_stay_two_runs(tmp_path, capsys, monkeypatch):
    """Two lm-eval invocations into the same directory: 0-shot scores 1.0, 3-shot 0.0. Two
    leaderboard rows, two table keys, two bars in figure 2 (no bar at 0.5, which neither scored)."""
    write_samples(tmp_path / "o", "pretrained=nobody/m", {"rs_gsm8k": _rows([1, 1])}, num_fewshot=0)
    write_samples(tmp_path / "o", "pretrained=nobody/m", {"rs_gsm8k": _rows([0, 0])}, num_fewshot=3)
    df, runs = load_table([tmp_path / "o"])
    assert sorted(r.label for r in runs) == ["m [0-shot]", "m [3-shot]"]
    assert sorted(df["setting"].astype(str).unique()) == ["0-shot", "3-shot"]
    lb = _csv(capsys, tmp_path / "o")
    assert lb.loc["m [0-shot]", "overall"] == 100.0 and lb.loc["m [3-shot]", "overall"] == 0.0
    assert set(lb["setting"]) == {"0-shot", "3-shot"}
    cat = S.per_run_category(df)
    assert sorted(S.series_labels(cat)) == ["base (0-shot)", "base (3-shot)"]
    drawn = {}

    def capture(fig, out_dir, name):
        drawn[name] = fig
        return []

    monkeypatch.setattr(FIG, "_save", capture)
    FIG.fig_accuracy_by_category(cat, tmp_path / "figs")
    ax = drawn["fig2_accuracy_by_category"].axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.0, 100.0]
    assert sorted(ax.get_legend_handles_labels()[1]) == ["base (0-shot)", "base (3-shot)"]


def test_rerun_in_the_same_setting_replaces_the_older_task(tmp_path):
    write_samples(tmp_path / "o", "pretrained=nobody/m", {"rs_gsm8k": _rows([0, 0]), "rs_aime": _rows([1])})
    write_samples(tmp_path / "o", "pretrained=nobody/m", {"rs_gsm8k": _rows([1, 1])})
    df, runs = load_table([tmp_path / "o"])
    assert len(runs) == 1 and runs[0].label == "m"
    assert df.groupby("task")["acc"].mean().to_dict() == {"rs_aime": 1.0, "rs_gsm8k": 1.0}
    assert len(runs[0].logged.ignored) == 1


def test_leaderboard_status_counts_per_run_and_task_absent_for_old_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    status = {"status_correct,none": 0.5, "status_incorrect,none": 0.0, "status_no_answer,none": 0.0,
              "status_timeout,none": 0.25, "status_error,none": 0.25}
    write_samples(tmp_path / "new", "pretrained=nobody/new", {"rs_gsm8k": _rows([1, 1, 0, 0]), "rs_aime": _rows([1])},
                  results_extra={"rs_gsm8k": status, "rs_aime": {**status, "status_timeout,none": 0.0,
                                                                   "status_error,none": 0.0, "status_correct,none": 1.0}})
    write_samples(tmp_path / "old", "pretrained=nobody/old", {"rs_gsm8k": _rows([1])})
    lb = _csv(capsys, tmp_path / "new", tmp_path / "old")
    assert lb.loc["new", "unscored"] == 2 and np.isnan(lb.loc["old", "unscored"])
    assert cli(["leaderboard", str(tmp_path / "new"), str(tmp_path / "old"), "-q"]) == 0
    text = capsys.readouterr().out
    assert "could not score" in text
    row = next(line for line in text.splitlines() if "rs_gsm8k" in line and "new" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == ["new", "rs_gsm8k", "2", "0", "0", "1", "1"]
    assert "old: no scoring statuses" in text
    md = tmp_path / "lb.md"
    assert cli(["leaderboard", str(tmp_path / "new"), "-q", "--format", "markdown", "--out", str(md)]) == 0
    assert "| new | rs_gsm8k | 2 | 0 | 0 | 1 | 1 |" in md.read_text()
    assert "rs_aime |" not in md.read_text().split("could not score")[1]


def _answers(scores, lengths, **metrics):
    """Samples with their own answer lengths (a longer reply for each wrong answer)."""
    return [sample_row(i, {"q": i}, "1", f"prompt {i}", GEN, [" ".join(["word"] * n) + " \\boxed{1}"], float(a),
                       **metrics) for i, (a, n) in enumerate(zip(scores, lengths))]


def test_fig8_and_fig15_category_accuracy_is_aggregates_on_an_unbalanced_subset(tmp_path, monkeypatch):
    """General-MC: winogrande 4 documents (3 right), openbookqa 1 (wrong). The category is the mean
    of its tasks, 0.375, as `aggregate` says; pooling the 5 answers gave 0.6 in Fig. 8 and its CSV.
    Lengths of right and wrong answers are per task first, then the mean of the tasks."""
    write_samples(tmp_path / "o", "pretrained=nobody/m", {
        "rs_winogrande": _answers([1, 1, 1, 0], [2, 2, 2, 40]),
        "rs_openbookqa": _answers([0], [10]),
        "rs_gsm8k": _answers([1, 0], [5, 30])})
    df, _ = load_table([tmp_path / "o"])
    from reasoning_suite.core.aggregate import aggregate
    from reasoning_suite.harness_tasks.registry import suite_grouping

    task_acc = df.groupby("task", observed=True)["acc"].mean().to_dict()
    want = aggregate(task_acc, suite_grouping()).categories
    assert want["General-MC"] == pytest.approx(0.375)
    lengths = S.length_by_correctness(df).set_index("category")
    assert lengths.loc["General-MC", "acc"] == pytest.approx(want["General-MC"])  # not the pooled 0.6
    assert lengths.loc["Math-OE", "acc"] == pytest.approx(want["Math-OE"])
    assert dict(S.per_run_category(df).set_index("category")["acc"]) == pytest.approx(
        dict(lengths["acc"]))  # Fig. 8 and every other category table agree
    wrong = df[df["acc"] < 0.5].groupby("task", observed=True)["answer_tokens"].mean()
    assert lengths.loc["General-MC", "tokens_incorrect"] == pytest.approx(
        (wrong["rs_winogrande"] + wrong["rs_openbookqa"]) / 2)
    assert (lengths.loc["General-MC", "n_correct"], lengths.loc["General-MC", "n_incorrect"]) == (3, 2)

    drawn = {}
    monkeypatch.setattr(FIG, "_save", lambda fig, out_dir, name: drawn.setdefault(name, fig) and [])
    FIG.fig_length_correctness(S.length_by_correctness(df), tmp_path / "f")
    ax = drawn["fig8_length_correct_vs_incorrect"].axes[0]
    assert ax.get_title() == "General-MC"
    assert ax._rs_twin.lines[0].get_ydata()[0] == pytest.approx(100 * want["General-MC"])

    arch = F.ArchSpec(vocab_size=10, hidden_size=4, intermediate_size=6, num_layers=2, num_heads=2,
                      num_kv_heads=1, head_dim=2)
    es = S.early_stopping(df, {"m": arch})
    cat = S.early_stopping_by_category(es).set_index(["category", "percentile"])
    assert cat.loc[("General-MC", 100), "acc"] == pytest.approx(want["General-MC"])  # uncapped: the accuracy
    per_task = es.set_index(["task", "percentile"])
    for p in (0, 50, 100):
        assert cat.loc[("General-MC", p), "acc"] == pytest.approx(
            (per_task.loc[("rs_winogrande", p), "acc"] + per_task.loc[("rs_openbookqa", p), "acc"]) / 2)
    FIG.fig_early_stopping(S.early_stopping_by_category(es), tmp_path / "f")
    ax = drawn["fig15_early_stopping"].axes[0]
    assert ax.get_title() == "General-MC"
    assert 100 * want["General-MC"] == pytest.approx(max(ax.lines[0].get_ydata()))


def test_the_extended_code_category_never_mixes_rougeL_into_acc_in_fig8_and_fig15(tmp_path):
    """Code: mmlu_pro_code acc 0.5 (2 documents), code summarization rougeL 0.1 (3): Code's acc is
    0.5 in Fig. 8 and at every cap of Fig. 15 (averaging rougeL in gave 0.3, pooling 0.26);
    Fig. 15's cost (tokens, FLOPs) is over both tasks."""
    write_samples(tmp_path / "o", "pretrained=nobody/m", {
        "rs_mmlu_pro_code": _answers([1, 0], [3, 9]),
        "rs_c_code_summarization": [dict(r, rougeL=0.1) for r in _answers([0, 0, 0], [20, 20, 20])]})
    df, _ = load_table([tmp_path / "o"])
    lengths = S.length_by_correctness(df).set_index("category")
    assert lengths.loc["Code", "acc"] == pytest.approx(0.5)
    assert lengths.loc["Code", "n_correct"] + lengths.loc["Code", "n_incorrect"] == 2
    es = S.early_stopping(df, {})
    code = es[es["task"] == "rs_mmlu_pro_code"].set_index("percentile")
    cat = S.early_stopping_by_category(es).set_index(["category", "percentile"])
    for p in S.PERCENTILES:
        assert cat.loc[("Code", p), "acc"] == pytest.approx(code.loc[p, "acc"]), p
        both = es[es["percentile"] == p].set_index("task")["answer_tokens"]
        assert cat.loc[("Code", p), "answer_tokens"] == pytest.approx(both.mean()), p
    assert cat.loc[("Code", 100), "acc"] == pytest.approx(0.5)
