"""Pareto frontiers, bootstrap intervals, early stopping and the other statistics, on hand cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reasoning_suite.core import flops as F
from reasoning_suite.analysis import stats as S
from reasoning_suite.analysis.fits import fit_loglinear, fit_saturating, saturating
from reasoning_suite.core.aggregate import Grouping
from reasoning_suite.errors import UserError


# ----------------------------------------------------------------------------- Pareto

def test_pareto_hand_cases():
    #        cost  acc
    pts = [(1.0, 0.50),   # frontier: cheapest
           (2.0, 0.40),   # dominated by (1, .5)
           (2.0, 0.70),   # frontier
           (3.0, 0.70),   # dominated by (2, .7): same accuracy, more cost
           (5.0, 0.90),   # frontier
           (4.0, 0.60)]   # dominated by (2, .7)
    m = S.pareto_mask([p[0] for p in pts], [p[1] for p in pts])
    assert m.tolist() == [True, False, True, False, True, False]


def test_pareto_ties_nan_and_empty():
    # Exact duplicates do not dominate each other; NaN never on the frontier.
    assert S.pareto_mask([1, 1, 2], [0.5, 0.5, 0.4]).tolist() == [True, True, False]
    assert S.pareto_mask([1, np.nan, 2], [0.5, 0.9, 0.6]).tolist() == [True, False, True]
    assert S.pareto_mask([], []).tolist() == []
    # Same cost, different accuracy: only the better one.
    assert S.pareto_mask([1, 1], [0.2, 0.3]).tolist() == [False, True]


# ----------------------------------------------------------------------------- bootstrap / accuracy

def test_bootstrap_macro_point_and_interval():
    a = np.array([1.0] * 50 + [0.0] * 50)
    b = np.ones(10)
    point, lo, hi = S.bootstrap_macro([a, b], n_boot=2000, seed=1)
    assert point == pytest.approx(0.75)  # mean of task means, not of samples (0.545)
    assert lo < point < hi
    # b has no variance: the interval is half of a's (0.5 +- 1.96*0.05) shifted by 1/2.
    assert (hi - lo) == pytest.approx(0.5 * 2 * 1.96 * 0.05, rel=0.2)
    assert S.bootstrap_macro([np.ones(S.MIN_BOOTSTRAP_N)]) == (1.0, 1.0, 1.0)
    # one sample per task resamples to itself: the interval is undefined, not zero-width
    point, lo, hi = S.bootstrap_macro([np.array([1.0]), np.array([0.0] * 10)])
    assert point == 0.5 and np.isnan(lo) and np.isnan(hi)
    assert np.isnan(S.bootstrap_macro([np.array([np.nan])])[0])


def _frame(rows):
    base = {"mode": "IFT", "base_model": "m", "format": "ift", "reasoning_ratio": 0.0, "order": "sequential",
            "params": 1e6, "train_flops_paper": np.nan, "train_flops_arch": np.nan, "thinking_tokens": 0.0,
            "final_tokens": 0.0, "prompt_tokens": 10.0, "truncated": 0.0, "inference_flops_paper": np.nan,
            "inference_flops_arch": np.nan, "judge_acc": np.nan}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_accuracy_task_category_overall_are_macro_means():
    rows = [{"run": "r", "task": "t1", "category": "A", "acc": v, "answer_tokens": 1.0} for v in (1, 1, 1, 0)]
    rows += [{"run": "r", "task": "t2", "category": "A", "acc": 0.0, "answer_tokens": 1.0}]
    rows += [{"run": "r", "task": "t3", "category": "B", "acc": 1.0, "answer_tokens": 1.0}]
    df = _frame(rows)
    g = Grouping(categories={"A": ("t1", "t2"), "B": ("t3",)})  # the grouping is the caller's
    t = S.accuracy(df, by="task", n_boot=200).set_index("task")
    assert t.loc["t1", "acc"] == 0.75 and t.loc["t1", "n"] == 4
    c = S.accuracy(df, by="category", n_boot=200, grouping=g).set_index("category")
    assert c.loc["A", "acc"] == pytest.approx((0.75 + 0.0) / 2)
    o = S.accuracy(df, by="overall", n_boot=200, grouping=g)
    assert o["acc"].iloc[0] == pytest.approx(((0.75 + 0.0) / 2 + 1.0) / 2)  # mean of categories A and B
    with pytest.raises(UserError, match="score"):
        S.accuracy(df, score="vibes")


def test_early_stopping_hand_case():
    # Four answers of 10, 20, 30, 40 tokens; the two longest are right.
    rows = [{"run": "r", "task": "t", "category": "A", "acc": a, "answer_tokens": float(n)}
            for n, a in ((10, 0), (20, 0), (30, 1), (40, 1))]
    df = _frame(rows)
    arch = F.ArchSpec(vocab_size=10, hidden_size=4, intermediate_size=6, num_layers=2, num_heads=2,
                      num_kv_heads=1, head_dim=2)
    es = S.early_stopping(df, {"r": arch}).set_index("percentile")
    assert es.loc[0, "budget"] == 10 and es.loc[0, "acc"] == 0.0
    assert es.loc[50, "budget"] == 25 and es.loc[50, "acc"] == 0.0  # 30 and 40 were cut
    assert es.loc[75, "budget"] == pytest.approx(32.5) and es.loc[75, "acc"] == 0.25
    assert es.loc[100, "acc"] == 0.5 and es.loc[100, "answer_tokens"] == 25
    assert es.loc[50, "answer_tokens"] == pytest.approx((10 + 20 + 25 + 25) / 4)
    want = np.mean(F.arch_inference_flops(arch, np.full(4, 10.0), np.array([10, 20, 25, 25.0])))
    assert es.loc[50, "inference_flops_arch"] == pytest.approx(want)
    # No model config: FLOPs are missing, not invented.
    assert np.isnan(S.early_stopping(df, {"r": None})["inference_flops_arch"]).all()


def test_length_by_correctness_and_token_factor():
    rows = []
    for run, mode, toks, accs in (("i", "IFT", (10, 30), (1, 0)), ("r", "reasoning", (100, 300), (1, 1))):
        for n, a in zip(toks, accs):
            rows.append({"run": run, "mode": mode, "task": "t", "category": "A", "acc": float(a),
                         "answer_tokens": float(n), "reasoning_ratio": 0.0 if mode == "IFT" else 1.0})
    df = _frame(rows)
    lengths = S.length_by_correctness(df).set_index("run")
    assert lengths.loc["i", "tokens_correct"] == 10 and lengths.loc["i", "tokens_incorrect"] == 30
    assert np.isnan(lengths.loc["r", "tokens_incorrect"])
    tf = S.token_factor_gain(df)
    assert tf["token_factor"].iloc[0] == pytest.approx(200 / 20) and tf["acc_gain"].iloc[0] == pytest.approx(50)


# ----------------------------------------------------------------------------- fits

X = np.logspace(11, 16, 12)


def test_saturating_fit_recovers_known_parameters():
    true = dict(alpha=0.15, beta=0.6, gamma=2e-7, delta=0.5)
    fit = fit_saturating(X, saturating(X, **true), ceiling=0.9)
    assert fit.mae < 1e-6
    assert fit.alpha == pytest.approx(0.15, abs=1e-3) and fit.beta == pytest.approx(0.6, abs=1e-3)
    assert fit.delta == pytest.approx(0.5, abs=1e-3) and fit.gamma == pytest.approx(2e-7, rel=0.02)


def test_saturating_fit_with_noise_and_the_teacher_ceiling():
    rng = np.random.default_rng(3)
    true = dict(alpha=0.2, beta=0.5, gamma=1e-4, delta=0.3)
    y = saturating(X, **true) + rng.normal(0, 0.01, X.size)
    fit = fit_saturating(X, y, ceiling=0.95)
    assert abs(fit.alpha + fit.beta - 0.7) < 0.05 and fit.mae < 0.02
    # A teacher below the curve's top binds: alpha + beta never exceeds it, all constraints hold.
    capped = fit_saturating(X, y, ceiling=0.6)
    assert capped.alpha + capped.beta <= 0.6 + 1e-9
    assert capped.alpha > 0 and capped.beta > 0 and capped.gamma > 0 and 0 < capped.delta <= 1
    # Deterministic: the same points give the same curve.
    assert fit_saturating(X, y, ceiling=0.95) == fit


def test_fit_errors():
    with pytest.raises(UserError, match="at least 3"):
        fit_saturating([1, 2], [0.1, 0.2])
    with pytest.raises(UserError, match="positive"):
        fit_saturating([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(UserError, match="2 distinct"):
        fit_loglinear([5, 5], [1, 2])


def test_loglinear_fit_recovers_power_law():
    x = np.array([0.5e9, 1.5e9, 3e9, 7e9, 14e9])
    fit = fit_loglinear(x, 3.0 * x**0.8)
    assert fit.alpha == pytest.approx(3.0, rel=1e-6) and fit.beta == pytest.approx(0.8, rel=1e-9) and fit.r2 == pytest.approx(1)
    rng = np.random.default_rng(0)
    noisy = fit_loglinear(x, 3.0 * x**0.8 * np.exp(rng.normal(0, 0.05, x.size)))
    assert noisy.beta == pytest.approx(0.8, abs=0.05) and noisy.r2 > 0.95
