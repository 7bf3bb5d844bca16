"""The paired comparison's statistics (`analysis.paired`) on simulated studies with known effects.

Every simulated study is unbalanced (tasks of 60, 400 and 120 documents), so a category that
pooled its documents instead of averaging its tasks (`core.aggregate`'s rule) would miss its
true difference and fail the coverage check; the runs are correlated (a document's two
answers share their noise 70 % of the time), as two students on the same documents are.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from reasoning_suite.analysis import paired as P
from reasoning_suite.core.aggregate import Grouping, aggregate

GROUPING = Grouping(categories={"A": ("a1", "a2"), "B": ("b1",)})
SIZES = {"a1": 60, "a2": 400, "b1": 120}
EFFECT = {"a1": 0.0, "a2": 0.2, "b1": 0.0}  # B has no effect: its rows measure the false-positive rate
TRUE = {("task", "a1"): 0.0, ("task", "a2"): 0.2, ("task", "b1"): 0.0,
        ("category", "A"): 0.1, ("category", "B"): 0.0, ("overall", "overall"): 0.05}
N_STUDIES = 1000


def simulate(rng: np.random.Generator, sizes=SIZES, effect=EFFECT, shared: float = 0.7):
    """One simulated pair: per task, both runs' per-document scores (0/1). Document i is
    answered right with probability p_i (run x) or p_i + effect (run y); the two answers use
    the same uniform draw with probability `shared`, so the runs are correlated, yet (x, y)
    are exchangeable where effect = 0."""
    out = {}
    for t, n in sizes.items():
        p = rng.uniform(0.2, 0.7, n)
        u = rng.random(n)
        v = np.where(rng.random(n) < shared, u, rng.random(n))
        out[t] = ((u < p).astype(float), (v < p + effect[t]).astype(float))
    return out


@pytest.fixture(scope="module")
def studies():
    """N_STUDIES simulated pairs compared with the defaults (1,000 replicates): covered and
    rejected per row."""
    rng = np.random.default_rng(2024)
    covered = {k: 0 for k in TRUE}
    rejected = {k: 0 for k in TRUE}
    for s in range(N_STUDIES):
        per = {t: (np.vstack([y - x]), None) for t, (x, y) in simulate(rng).items()}
        r = P.compare_arrays(per, GROUPING, seed=s)
        for i, row in enumerate(r.rows):
            covered[row] += r.ci[i, 0] <= TRUE[row] <= r.ci[i, 1]
            rejected[row] += r.p[i] <= 0.05
    return {k: v / N_STUDIES for k, v in covered.items()}, {k: v / N_STUDIES for k, v in rejected.items()}


def test_intervals_cover_the_true_difference(studies):
    covered, _ = studies
    for row, share in covered.items():
        assert 0.93 <= share <= 0.97, (row, share)


def test_false_positive_rate_under_no_effect(studies):
    _, rejected = studies
    mc = 2 * math.sqrt(0.05 * 0.95 / N_STUDIES)  # two Monte Carlo standard errors
    for row in (("task", "a1"), ("task", "b1"), ("category", "B")):
        assert rejected[row] <= 0.05 + mc, (row, rejected[row])
    assert rejected[("task", "a2")] > 0.99  # and it does detect a 20-point gain on 400 documents


def test_paired_interval_is_narrower_than_unpaired_on_correlated_runs():
    rng = np.random.default_rng(7)
    (x, y), = simulate(rng, {"a1": 300}, {"a1": 0.05}, shared=0.9).values()
    r = P.compare_arrays({"a1": (np.vstack([y - x]), None)}, Grouping(categories={"A": ("a1",)}))
    paired = r.ci[0, 1] - r.ci[0, 0]
    # unpaired: resample the two runs independently
    b = np.random.default_rng(0)
    reps = y[b.integers(0, 300, (2000, 300))].mean(1) - x[b.integers(0, 300, (2000, 300))].mean(1)
    unpaired = np.subtract(*np.quantile(reps, [0.975, 0.025]))
    assert paired < 0.6 * unpaired, (paired, unpaired)


def test_levels_follow_core_aggregate_on_unbalanced_tasks():
    """One owner: the category and overall differences are `core.aggregate`'s rule applied to
    the task differences, not a pooled mean over documents."""
    rng = np.random.default_rng(3)
    sims = simulate(rng)
    per = {t: (np.vstack([y - x]), None) for t, (x, y) in sims.items()}
    r = P.compare_arrays(per, GROUPING)
    agg = aggregate({t: float((y - x).mean()) for t, (x, y) in sims.items()}, GROUPING)
    got = dict(zip(r.rows, r.point[:, 0]))
    assert got[("category", "A")] == pytest.approx(agg.categories["A"])
    assert got[("overall", "overall")] == pytest.approx(agg.overall)
    pooled = np.concatenate([sims[t][1] - sims[t][0] for t in ("a1", "a2")]).mean()
    assert abs(got[("category", "A")] - pooled) > 0.01
    # every replicate follows the rule too: the category replicate is the mean of its task replicates
    idx = {row: i for i, row in enumerate(r.rows)}
    np.testing.assert_allclose(r.boot[idx[("category", "A")], 0],
                               (r.boot[idx[("task", "a1")], 0] + r.boot[idx[("task", "a2")], 0]) / 2)


def test_exact_signflip_by_hand():
    # 4 documents all +1: of the 16 sign vectors, 2 reach |sum| = 4 -> p = 1/8
    r = P.compare_arrays({"a1": (np.array([[1.0, 1, 1, 1]]), None)}, Grouping(categories={"A": ("a1",)}))
    assert r.p[0] == pytest.approx(0.125) and r.exact[0]
    # ties (0) do not count; 5 non-zero documents: 2 / 32
    r = P.compare_arrays({"a1": (np.array([[1.0, 1, 0, 1, 1, 1]]), None)}, Grouping(categories={"A": ("a1",)}))
    assert r.p[0] == pytest.approx(0.0625)
    # [2, 1] (cluster sums): sign vectors give |3|, |1|, |1|, |3| -> p = 1/2
    assert P.signflip_p(np.array([2.0, 1.0]), None) == (0.5, True)
    # many clusters: Monte Carlo, (1 + hits) / (1 + draws)
    p, exact = P.signflip_p(np.ones(40), np.zeros(999))
    assert not exact and p == pytest.approx(1 / 1000)


def test_holm_by_hand():
    np.testing.assert_allclose(P.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    out = P.holm([0.02, np.nan, 0.5])
    assert out[0] == pytest.approx(0.04) and np.isnan(out[1]) and out[2] == pytest.approx(0.5)


def test_docs_to_detect_formula():
    # one task, per-document variance 0.25: (z_.975 + z_.8)^2 * 0.25 / 0.05^2 = 784.9 -> 785
    assert P.docs_to_detect(np.array([1.0]), np.array([0.25])) == 785
    # a category of two tasks (weights 1/2): half the variance
    assert P.docs_to_detect(np.array([0.5, 0.5]), np.array([0.25, 0.25])) == 393


def test_clustered_resampling_draws_the_context():
    """Five turns of one story that always agree are one unit: resampling stories gives the
    interval and p-value of one document per story, not a five times narrower one."""
    rng = np.random.default_rng(11)
    story_diff = rng.choice([-1.0, 0.0, 1.0], size=30, p=[0.25, 0.35, 0.4])
    g = Grouping(categories={"A": ("a1",)})
    single = P.compare_arrays({"a1": (story_diff[None, :], None)}, g)
    turns = np.repeat(story_diff, 5)
    clustered = P.compare_arrays({"a1": (turns[None, :], np.repeat(np.arange(30) * 7 + 3, 5))}, g)
    naive = P.compare_arrays({"a1": (turns[None, :], None)}, g)
    np.testing.assert_allclose(clustered.ci[0], single.ci[0])
    assert clustered.p[0] == pytest.approx(single.p[0], abs=0.03)
    assert clustered.n_docs[0] == 150 and clustered.n_clusters[0] == 30
    assert (naive.ci[0, 1] - naive.ci[0, 0]) < 0.6 * (clustered.ci[0, 1] - clustered.ci[0, 0])


def test_context_id():
    a = P.context_id("rs_coqa", {"story": "Once upon a time", "turn": 1})
    assert a == P.context_id("rs_coqa", {"story": "Once upon a time", "turn": 2}) >= 0
    assert a != P.context_id("rs_coqa", {"story": "Another story"})
    assert P.context_id("rs_gsm8k", {"question": "Once upon a time"}) == P.NO_CONTEXT
    assert P.context_id("rs_coqa", None) == P.NO_CONTEXT


def _table(rows):
    return pd.DataFrame(rows).astype({"run": "category", "task": "category", "category": "category"})


def test_documents_in_one_run_only_are_dropped_counted_and_warned():
    rng = np.random.default_rng(5)
    rows = []
    for run, acc, docs in (("x", 0.4, range(50)), ("y", 0.6, range(8, 50))):
        for d in docs:
            rows.append({"run": run, "task": "rs_gsm8k", "category": "Math-OE", "doc_id": d, "context": -1,
                         "acc": float(rng.random() < acc), "metric": "acc", "judge_acc": np.nan,
                         "answer_tokens": 10.0, "inference_flops_arch": 1e6})
    table = _table(rows)
    seen: list[str] = []

    class H(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    log = logging.getLogger("reasoning_suite.analysis")
    h = H(logging.WARNING)
    log.addHandler(h)
    try:
        c = P.compare(table, [P.Pair("y", "x", P.BASELINE)], scores=("rule", "judge"))
    finally:
        log.removeHandler(h)
    assert c.left_out == {("y", "x", "rs_gsm8k"): 8}
    assert any("only one of the two runs" in m and "rs_gsm8k 8" in m for m in seen)
    t = c.table
    assert list(t.columns) == P.COMPARISON_COLUMNS
    assert set(t["score"]) == {"rule"}  # neither run is judged
    task = t[t["level"] == "task"].iloc[0]
    assert task["n_docs"] == 42
    shared = table[table["doc_id"] >= 8]
    want = 100 * (shared[shared["run"] == "y"]["acc"].mean() - shared[shared["run"] == "x"]["acc"].mean())
    assert task["delta"] == pytest.approx(want)


def test_holm_applies_to_categories_and_overall_not_tasks():
    rng = np.random.default_rng(9)
    rows = []
    tasks = {"rs_gsm8k": "Math-OE", "rs_math500": "Math-OE", "rs_aqua_rat": "Math-MC", "rs_winogrande": "General-MC"}
    for run, shift in (("x", 0.0), ("y", 0.12)):
        for t, cat in tasks.items():
            for d in range(80):
                p = 0.3 + 0.4 * ((d * 37) % 80) / 80
                rows.append({"run": run, "task": t, "category": cat, "doc_id": d, "context": -1,
                             "acc": float(rng.random() < p + shift), "metric": "acc", "judge_acc": np.nan,
                             "answer_tokens": 10.0, "inference_flops_arch": 1e6})
    c = P.compare(_table(rows), [P.Pair("y", "x", P.BASELINE)], scores=("rule",))
    f = c.frame
    fam = f[f["level"] != "task"]
    np.testing.assert_allclose(fam["p_value"], P.holm(fam["p_raw"]))
    tasks_ = f[f["level"] == "task"]
    np.testing.assert_allclose(tasks_["p_value"], tasks_["p_raw"])
    assert (f["significant"] == (f["p_value"] <= 0.05)).all()


# ----------------------------------------------------------------------------- which pairs


def _runs(*rows):
    return pd.DataFrame(rows, columns=["run", "model", "base_model", "mode", "params"])


def test_choose_pairs():
    runs = _runs(("base-s", "/m/small", "/m/small", "base", 1e8), ("ift-s", "/c/ift-s", "/m/small", "IFT", 1e8),
                 ("rea-s", "/c/rea-s", "/m/small", "reasoning", 1e8), ("ift-l", "/c/ift-l", "/m/large", "IFT", 1e9),
                 ("rea-l", "/c/rea-l", "/m/large", "reasoning", 1e9), ("ift-xl", "/c/ift-xl", "/m/xl", "IFT", 4e9))
    flops = {"base-s": 1, "ift-s": 1, "rea-s": 9, "ift-l": 10, "rea-l": 90, "ift-xl": 40}
    got = {(p.run, p.against): p.why for p in P.choose_pairs(runs, flops_per_answer=flops)}
    assert got[("rea-s", "ift-s")] == got[("rea-l", "ift-l")] == P.REASONING_VS_IFT
    assert ("rea-s", "ift-l") not in got or got[("rea-s", "ift-l")] == P.COMPUTE_EQUIVALENT
    assert got[("ift-s", "base-s")] == got[("rea-s", "base-s")] == P.STUDENT_VS_BASE
    # compute-equivalent: the larger IFT student closest in FLOPs per answer (log scale)
    assert got[("rea-s", "ift-l")] == P.COMPUTE_EQUIVALENT  # 9 vs 10 (ift-xl: 40)
    assert got[("rea-l", "ift-xl")] == P.COMPUTE_EQUIVALENT
    assert ("rea-s", "ift-l") in got and ("rea-l", "ift-s") not in got  # never a smaller one
    with_base = P.choose_pairs(runs, baseline="base-s", flops_per_answer=flops)
    assert [p.run for p in with_base if p.has(P.BASELINE)] == ["ift-s", "rea-s", "ift-l", "rea-l", "ift-xl"]
    assert len({(p.run, p.against) for p in with_base}) == len(with_base)  # each pair once
    both = {(p.run, p.against): p for p in P.choose_pairs(runs, baseline="ift-s", flops_per_answer=flops)}
    assert both[("rea-s", "ift-s")].has(P.BASELINE) and both[("rea-s", "ift-s")].has(P.REASONING_VS_IFT)


# ----------------------------------------------------------------------------- analyze writes the contract


@pytest.fixture(scope="module")
def synthetic_study(tmp_path_factory, tiny_model_dir):
    from pathlib import Path

    from reasoning_suite.analysis import tokens as T
    from reasoning_suite.analysis.synthetic import SyntheticModel, make_checkpoint, write_run

    T.clear_cache()
    root = tmp_path_factory.mktemp("paired")
    rec = {"base_model": "tiny-base", "order": "sequential"}
    models = [(SyntheticModel("tiny-base", accuracy=0.3), {"rs_gsm8k": 30, "rs_winogrande": 20, "rs_aqua_rat": 16}),
              (SyntheticModel("tiny-ift", record={**rec, "format": "ift", "reasoning_ratio": 0.0}, accuracy=0.4),
               {"rs_gsm8k": 30, "rs_winogrande": 20, "rs_aqua_rat": 16}),
              # 4 gsm8k documents the IFT student answered are missing here: left out, counted
              (SyntheticModel("tiny-reasoning", record={**rec, "format": "reasoning", "reasoning_ratio": 1.0},
                              accuracy=0.7, thinking_words=20), {"rs_gsm8k": 26, "rs_winogrande": 20, "rs_aqua_rat": 16})]
    for i, (m, tasks) in enumerate(models):
        ckpt = make_checkpoint(Path(tiny_model_dir), root / "ckpt" / m.name, m)
        write_run(root / "out", ckpt, m, tasks, seed=i, max_gen_toks=48)
    return root


def test_analyze_writes_comparisons_csv(synthetic_study, capsys):
    from reasoning_suite.analysis import stats as S
    from reasoning_suite.cli import main as cli

    out = synthetic_study / "analysis"
    assert cli(["analyze", str(synthetic_study / "out"), "--out", str(out), "--no-figures", "-q"]) == 0
    c = pd.read_csv(out / "tables" / "comparisons.csv")
    assert list(c.columns) == P.COMPARISON_COLUMNS
    assert set(c["score"]) == {"rule"} and set(c["level"]) == {"task", "category", "overall"}
    pairs = set(zip(c["run"], c["against"]))
    assert pairs == {("tiny-reasoning", "tiny-ift"), ("tiny-ift", "tiny-base"), ("tiny-reasoning", "tiny-base")}
    table = pd.read_parquet(out / "table.parquet")
    # all documents shared (IFT vs base): the overall delta is the difference of the overall scores
    acc = pd.read_csv(out / "tables" / "accuracy_by_overall.csv").set_index("run")["acc"]
    row = c[(c["run"] == "tiny-ift") & (c["against"] == "tiny-base") & (c["level"] == "overall")].iloc[0]
    assert row["delta"] == pytest.approx(100 * (acc["tiny-ift"] - acc["tiny-base"]))
    assert row["ci_low"] <= row["delta"] <= row["ci_high"] and row["n_docs"] == 66
    # 4 documents in one run only: the delta is that of the same tables on the shared documents
    shared = table[~((table["task"] == "rs_gsm8k") & (table["doc_id"] >= 26))]
    acc2 = S.accuracy(shared, by="overall").set_index("run")["acc"]
    row = c[(c["run"] == "tiny-reasoning") & (c["against"] == "tiny-ift") & (c["level"] == "overall")].iloc[0]
    assert row["delta"] == pytest.approx(100 * (acc2["tiny-reasoning"] - acc2["tiny-ift"]))
    assert row["n_docs"] == 62
    cats = c[(c["run"] == "tiny-reasoning") & (c["against"] == "tiny-ift") & (c["level"] == "category")]
    assert set(cats["name"]) == {"Math-OE", "General-MC", "Math-MC"}
    pc = S.per_run_category(shared).set_index(["run", "category"])["acc"]
    for _, r in cats.iterrows():
        assert r["delta"] == pytest.approx(100 * (pc[("tiny-reasoning", r["name"])] - pc[("tiny-ift", r["name"])]))
    detail = pd.read_csv(out / "tables" / "comparisons_detail.csv")
    cost = detail[(detail["why"].str.contains(P.REASONING_VS_IFT, regex=False)) & (detail["level"] == "overall")].iloc[0]
    assert cost["token_factor"] > 1 and cost["token_factor_low"] <= cost["token_factor"] <= cost["token_factor_high"]
    # --baseline adds pairs; an unknown one is a one-line user error
    assert cli(["analyze", str(synthetic_study / "out"), "--out", str(out), "--no-figures", "-q",
                "--baseline", "tiny-reasoning"]) == 0
    c = pd.read_csv(out / "tables" / "comparisons.csv")
    assert ("tiny-base", "tiny-reasoning") in set(zip(c["run"], c["against"]))
    assert ("tiny-reasoning", "tiny-ift") in set(zip(c["run"], c["against"]))  # both directions are kept
    capsys.readouterr()
    assert cli(["analyze", str(synthetic_study / "out"), "--out", str(out), "--no-figures", "-q",
                "--baseline", "nope"]) != 0
    assert "--baseline 'nope' is not one of the runs" in capsys.readouterr().err


def test_findings_are_the_tables_in_words(synthetic_study):
    import re

    from reasoning_suite.analysis import findings as FND
    from reasoning_suite.cli import main as cli

    out = synthetic_study / "analysis-findings"
    assert cli(["analyze", str(synthetic_study / "out"), "--out", str(out), "--no-figures", "-q"]) == 0
    text = (out / "findings.md").read_text()
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets and all(re.search(r"\d", b) for b in bullets)  # no sentence without a number
    detail = pd.read_csv(out / "tables" / "comparisons_detail.csv")
    rows = detail[detail["why"].str.contains(P.REASONING_VS_IFT, regex=False) & (detail["score"] == "rule")
                  & detail["level"].isin(["category", "overall"])]
    assert len(bullets) == len(rows)
    for _, r in rows.iterrows():
        name = "Overall" if r["level"] == "overall" else r["name"]
        line = next(b for b in bullets if b.startswith(f"- {name}:"))
        assert f"{r['delta']:+.1f}".replace("-", "−") in line and f"on {r['n_docs']} shared" in line
        assert FND.verdict(r) in line and f"{r['token_factor']:.2f}×" in line
    overall = rows[rows["level"] == "overall"].iloc[0]
    if overall["significant"]:
        assert ("pays off" if overall["delta"] > 0 else "costs accuracy") in text
    # the HTML leaderboard carries the same findings at its top
    page = synthetic_study / "board.html"
    assert cli(["leaderboard", str(synthetic_study / "out"), "--format", "html", "--no-figures",
                "--out", str(page), "-q"]) == 0
    h = page.read_text()
    assert h.index("</h1>") < h.index("<section class=findings>") < h.index("<table")
    assert f"on {overall['n_docs']} shared documents" in h


def test_verdicts():
    from reasoning_suite.analysis import findings as FND

    base = {"level": "category", "name": "Math-OE", "n_docs": 500, "ci_low": 1.0, "ci_high": 9.0, "p_value": 0.01,
            "docs_for_5pt": 400.0}
    assert FND.verdict({**base, "delta": 5.0, "significant": True}) == FND.PAYS_OFF
    assert FND.verdict({**base, "delta": -5.0, "significant": True}) == FND.COSTS
    s = FND._gain_sentence("Math-OE", {**base, "delta": 1.0, "significant": False}, "reasoning (r) vs IFT (i)")
    assert "no detectable difference at n = 500" in s and "about 400 documents per task" in s
    assert FND.size_label(1.35e8) == "135M" and FND.size_label(1.7e9) == "1.7B"


def test_findings_without_pairs_say_so():
    from reasoning_suite.analysis import findings as FND

    empty = pd.DataFrame(columns=[*P.COMPARISON_COLUMNS, "why"])
    pc = pd.DataFrame({"run": ["only"], "category": ["Math-OE"], "acc": [0.5], "params": [1e8],
                       "inference_flops_arch": [1e9]})
    f = FND.build(empty, pc, {"Math-OE": ["only"]})
    assert "None of the 1 runs" in f.markdown() and not f.sections
