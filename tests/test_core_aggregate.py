"""The one rule for category, suite and overall scores (core.aggregate), and lm-eval's own
group means checked against it on real runs of the task YAMLs."""

from __future__ import annotations

import math

import pytest

from reasoning_suite.core.aggregate import (
    Grouping,
    aggregate,
    combined_stderr,
    metric_scores,
    task_weights,
)
from reasoning_suite.harness_tasks.build_yaml import group_metrics, task_metrics
from reasoning_suite.harness_tasks.registry import CATEGORY_GROUPS, GROUPS, TASKS, suite_grouping


def test_subset_run_category_mean_then_mean_of_categories():
    """1.0 and 0.0 in General-MC, 1.0 in Math-OE: categories 0.5 and 1.0, overall 0.75 (the mean
    of the tasks, 0.667, is not the rule)."""
    a = aggregate({"rs_winogrande": 1.0, "rs_openbookqa": 0.0, "rs_gsm8k": 1.0}, suite_grouping())
    assert a.categories == {"General-MC": 0.5, "Math-OE": 1.0}
    assert a.overall == pytest.approx(0.75)
    assert a.suites == {"reasoning_suite": pytest.approx(0.75)}
    assert a.group("rs_general_mc") == 0.5 and a.group("reasoning_suite") == pytest.approx(0.75)
    assert a.group("rs_math_mc") is None


def test_tasks_that_did_not_run_and_unknown_tasks_count_nowhere():
    a = aggregate({"rs_gsm8k": 0.2, "rs_math_500": None, "rs_aime": math.nan, "my_task": 1.0, "rs_mmlu_pro_law": 0.6}, suite_grouping())
    assert a.categories == {"Math-OE": 0.2, "Law": 0.6, "Other": 1.0}
    assert a.suites == {"reasoning_suite": 0.2, "reasoning_suite_extended": 0.6}
    assert a.overall == pytest.approx(0.4)  # mean of the two suite categories that ran
    assert "my_task" not in a.weights["overall"]
    only = aggregate({"my_task": 1.0, "yours": 0.0}, suite_grouping())
    assert only.overall is None and only.categories == {"Other": 0.5}
    with pytest.raises(ValueError, match="Other"):
        aggregate({}, Grouping(categories={"Other": ("x",)}))


def test_weights_reproduce_every_score_and_sum_to_one():
    scores = {"rs_winogrande": 0.9, "rs_openbookqa": 0.1, "rs_mmlu_misc": 0.4, "rs_aime": 0.0,
              "rs_consumer_qa": 0.7, "rs_scibench": 0.3, "rs_mmlu_pro_physics": 0.5}
    a = aggregate(scores, suite_grouping())
    for name, w in a.weights.items():
        assert sum(w.values()) == pytest.approx(1.0), name
        value = a.overall if name == "overall" else (a.categories.get(name, a.suites.get(name)))
        assert value == pytest.approx(sum(x * scores[t] for t, x in w.items())), name
    assert a.weights["overall"]["rs_aime"] == pytest.approx(1 / 4)  # 4 categories ran; Math-OE is aime alone
    assert task_weights(scores, suite_grouping()) == a.weights


def test_a_metric_is_never_averaged_with_another():
    """The extended Code category: mmlu_pro_code reports acc 0.5, code summarization rougeL 0.1.
    Code's acc is 0.5 (not 0.30); rougeL is a category of its own metric."""
    results = {"rs_mmlu_pro_code": {"acc,none": 0.5, "has_answer,none": 1.0},
               "rs_c_code_summarization": {"rougeL,none": 0.1, "has_answer,none": 0.5}}
    acc = aggregate(metric_scores(results, "acc"), suite_grouping())
    assert acc.categories == {"Code": 0.5} and acc.suites["reasoning_suite_extended"] == 0.5
    assert aggregate(metric_scores(results, "has_answer"), suite_grouping()).categories["Code"] == pytest.approx(0.75)
    assert aggregate(metric_scores(results, "rougeL"), suite_grouping()).categories == {"Code": 0.1}


def test_combined_stderr_follows_the_weights():
    w = {"a": 0.5, "b": 0.25, "c": 0.25}
    assert combined_stderr(w, {"a": 0.2, "b": 0.4, "c": 0.4}) == pytest.approx(math.sqrt(0.01 + 0.01 + 0.01))
    assert combined_stderr(w, {"a": 0.2, "b": "N/A", "c": 0.4}) is None


def test_custom_grouping():
    g = Grouping(categories={"A": ("x", "y"), "B": ("z",)}, suites={"s": ("A", "B")})
    a = aggregate({"x": 1.0, "y": 0.0, "z": 0.0}, g)
    assert a.categories == {"A": 0.5, "B": 0.0} and a.suites == {"s": 0.25} and a.overall == 0.25


def test_suite_grouping_matches_the_registry():
    g = suite_grouping()
    assert g.suites["reasoning_suite"] == ("General-MC", "General-OE", "Math-MC", "Math-OE")
    assert g.suites["reasoning_suite_extended"] == ("Law", "Code", "Physics")
    for group, alias in CATEGORY_GROUPS.items():
        assert set(g.categories[alias]) == set(GROUPS[group])
        assert all(TASKS[t].category == alias for t in GROUPS[group])
    # the one category order (figures, leaderboard: analysis.stats.category_order) is the paper's
    assert list(g.categories) == ["General-MC", "General-OE", "Math-MC", "Math-OE", "Law", "Code", "Physics"]
    from reasoning_suite.analysis.stats import category_order

    assert category_order(["Zeta", "Code", "Other", "General-MC"]) == ["General-MC", "Code", "Other", "Zeta"]
    assert category_order(["B", "A"], Grouping(categories={"B": ("x",), "A": ("y",)})) == ["B", "A"]


def test_an_aggregate_answers_for_groups_in_its_own_grouping():
    g = Grouping(categories={"A": ("x",)}, suites={"s": ("A",)}, category_groups={"grp_a": "A"})
    a = aggregate({"x": 0.25}, g)
    assert a.group("grp_a") == 0.25 and a.group("s") == 0.25 and a.grouping is g


def test_suite_yamls_aggregate_only_metrics_lm_eval_averages_by_the_rule():
    """lm-eval averages a suite's metric over its leaf tasks: that is the mean of the categories
    only when each category has equally many tasks reporting it. Extended acc is not (Code has
    one task with acc), so the extended suite YAML leaves acc to the rule's reports."""
    for suite in ("reasoning_suite", "reasoning_suite_extended"):
        kept, dropped = group_metrics(suite)
        for metric in kept:
            counts = {sum(metric in task_metrics(TASKS[t]) for t in GROUPS[c]) for c in GROUPS[suite]}
            assert len(counts) == 1 and 0 not in counts, (suite, metric)
    assert group_metrics("reasoning_suite") == (["acc", "has_answer"], [])
    assert group_metrics("reasoning_suite_extended") == (["has_answer"], ["acc"])
    assert group_metrics("rs_code") == (["acc", "has_answer"], [])
    assert "acc" not in task_metrics(TASKS["rs_c_code_summarization"])


lm_eval = pytest.importorskip("lm_eval")


def test_lm_eval_groups_equal_the_rule_on_a_subset_run():
    """A real lm-eval run of a subset (two categories, two lone tasks), scripted answers with
    unequal task scores; every group lm-eval reports equals core.aggregate on its task scores,
    including Code where only one of the two tasks reports acc."""
    from lm_eval.tasks import TaskManager

    from reasoning_suite.harness_tasks import offline_tasks_dir
    from test_tasks_canned import CannedLM, gold_and_wrong

    tm = TaskManager(include_path=offline_tasks_dir(), include_defaults=False)
    names = ["rs_code", "rs_math_oe", "rs_winogrande", "rs_squad"]
    leaves = GROUPS["rs_code"] + GROUPS["rs_math_oe"] + ["rs_winogrande", "rs_squad"]
    docs = {n: list(t.eval_docs) for n, t in tm.load(leaves)["tasks"].items()}
    script = {}
    for j, (task, rows) in enumerate(sorted(docs.items())):
        for i, doc in enumerate(rows):
            gold, _, wrong = gold_and_wrong(task, doc)
            # the first j % n + 1 answers right: task scores differ inside each category;
            # every third answer has no closed thinking, so has_answer differs too
            answer = gold if i <= j % len(rows) else wrong
            script[TASKS[task].question(doc)] = [f"<think>x</think>{answer}" if (i + j) % 3 else f"<think>{answer}"]
    results = lm_eval.simple_evaluate(model=CannedLM(script), tasks=names, task_manager=tm)
    res = results["results"]
    tasks = {t: r for t, r in res.items() if t in TASKS}
    assert set(tasks) == set(leaves)
    groups = {g for g in res if g in GROUPS}
    assert groups == {"rs_code", "rs_math_oe"}
    math_oe = [tasks[t]["acc,none"] for t in GROUPS["rs_math_oe"]]
    assert len(set(math_oe)) > 1  # unequal, so a wrong rule would show
    for metric in ("acc", "has_answer"):
        agg = aggregate(metric_scores(tasks, metric), suite_grouping())
        for g in groups:
            assert res[g][f"{metric},none"] == pytest.approx(agg.group(g)), (g, metric)
    assert res["rs_code"]["acc,none"] == pytest.approx(tasks["rs_mmlu_pro_code"]["acc,none"])
