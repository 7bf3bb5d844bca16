"""What a failed score is: a scorer that cannot run says ERROR or TIMEOUT, never "wrong".

Each test breaks the scorer's environment for real (a dependency made unimportable, a worker
that dies or answers garbage, a checker that raises, a comparison past its deadline) and
checks the status, down to the `unscored` share of an lm-eval results JSON and the breakdown in
its logged samples.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap

import pytest

from reasoning_suite.core.score import Score, Status, status_counts
from reasoning_suite.harness_tasks.scoring import (
    ifeval_score,
    math_score,
    mc_score,
    number_with_unit_score,
    span_score,
    summary_score,
    winogrande_score,
    yes_no_score,
)
from reasoning_suite.harness_tasks.scoring import math_equiv, summaries

PATHOLOGICAL = "9^{9^{9^{9}}}"  # sympy computes this tower inside one C call: hours


def test_identical_summaries_without_rouge_score_are_an_error_not_zero(monkeypatch):
    same = "returns the sum of two integers"
    assert summary_score(same, same)[0] == Score(1.0, Status.CORRECT)
    summaries._rouge.cache_clear()
    monkeypatch.setitem(sys.modules, "rouge_score", None)  # `import rouge_score` raises ImportError
    try:
        score, metrics = summary_score(same, same)
    finally:
        summaries._rouge.cache_clear()
    assert score.status is Status.ERROR and "rouge" in score.detail
    assert metrics == {"rougeL": 0.0, "bleu": 0.0}  # no score, and the status says why


def test_summary_task_reports_the_error_in_its_status_metrics(monkeypatch):
    from reasoning_suite.harness_tasks import process
    from reasoning_suite.harness_tasks.process import process_results_for

    monkeypatch.setattr(process, "FAILURES", process._FailureLog())
    doc = {"code": "int add(int a, int b) { return a + b; }", "summary": "returns the sum of two integers"}
    summaries._rouge.cache_clear()
    monkeypatch.setitem(sys.modules, "rouge_score", None)
    try:
        out = process_results_for("rs_c_code_summarization", doc, [["\\boxed{returns the sum of two integers}"]])
    finally:
        summaries._rouge.cache_clear()
    assert out["unscored"] == ["error"]
    assert out["rougeL"] == 0.0 and out["has_answer"] == 1.0


def test_math_verify_missing_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setattr(math_equiv, "_WORKER_PATH", str(tmp_path / "no_worker.py"))
    monkeypatch.setattr(math_equiv, "_POOL", math_equiv._Pool())
    monkeypatch.setitem(sys.modules, "math_verify", None)
    monkeypatch.setitem(sys.modules, "math_verify.errors", None)
    score = math_score("\\sqrt{8}", "2\\sqrt{2}")
    assert score.status is Status.ERROR and "math-verify is not importable" in score.detail
    # settled without math-verify: still a verdict
    assert math_score("7", "8").status is Status.INCORRECT


def _fake_worker(tmp_path, body: str) -> str:
    path = tmp_path / "fake_worker.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_a_worker_that_dies_is_an_error_and_a_garbled_one_too(monkeypatch, tmp_path):
    dies = _fake_worker(tmp_path, """
        import sys
        print("ready", flush=True)
        sys.stdin.readline()
        sys.exit(3)
    """)
    monkeypatch.setattr(math_equiv, "_WORKER_PATH", dies)
    monkeypatch.setattr(math_equiv, "_POOL", math_equiv._Pool())
    score = math_score("\\sqrt{8}", "2\\sqrt{2}", timeout_s=30)
    assert score.status is Status.ERROR and "died" in score.detail
    says_error = _fake_worker(tmp_path, """
        import sys
        print("ready", flush=True)
        for line in sys.stdin:
            print("E KeyError: 'boom'", flush=True)
    """)
    monkeypatch.setattr(math_equiv, "_WORKER_PATH", says_error)
    monkeypatch.setattr(math_equiv, "_POOL", math_equiv._Pool())
    score = math_score("\\sqrt{8}", "2\\sqrt{2}", timeout_s=30)
    assert score.status is Status.ERROR and "boom" in score.detail
    math_equiv._POOL.close()


def test_timeout_is_a_status_with_its_reason():
    score = math_score(PATHOLOGICAL, "5", timeout_s=1.0)
    assert score == Score(0.0, Status.TIMEOUT, score.detail) and "within 1.0 s" in score.detail


def test_no_answer_and_garbage_are_verdicts_not_errors():
    assert math_score(None, "3").status is Status.NO_ANSWER
    assert math_score("  ", "3").status is Status.NO_ANSWER
    assert math_score("}{\\frac{{{", "3").status is Status.INCORRECT
    assert math_score("9" * 4500, "5").status is Status.INCORRECT  # Python refuses to int() it: still a verdict
    assert math_score("1 " + "1" * 4000 + "/3", "5").status is Status.INCORRECT
    assert mc_score(None, "B", ["1", "2"]).status is Status.NO_ANSWER
    assert mc_score("zebra", "B", ["1", "2"]).status is Status.INCORRECT
    assert winogrande_score("", "1", "a", "b").status is Status.NO_ANSWER
    assert span_score(None, ["x"])[0].status is Status.NO_ANSWER
    assert span_score("Denver", ["Denver Broncos"]) == (Score(0.0, Status.INCORRECT), pytest.approx(2 / 3))
    assert number_with_unit_score(None, "1.0").status is Status.NO_ANSWER
    assert yes_no_score("\\text{Yes.}", "Yes").status is Status.CORRECT
    assert yes_no_score("42", "Yes").status is Status.INCORRECT
    assert yes_no_score(None, "Yes").status is Status.NO_ANSWER


def test_a_broken_dataset_row_is_an_error_not_a_wrong_answer():
    assert mc_score("A", "E", ["1", "2", "3", "4"]).status is Status.ERROR  # gold letter out of range
    assert winogrande_score("1", "3", "a", "b").status is Status.ERROR
    assert span_score("x", [])[0].status is Status.ERROR
    assert math_score("3", "").status is Status.ERROR
    assert yes_no_score("yes", "").status is Status.ERROR


def test_scibench_fallback_passes_a_timeout_through(monkeypatch):
    monkeypatch.setattr(math_equiv, "DEFAULT_TIMEOUT_S", 1.0)
    assert number_with_unit_score(PATHOLOGICAL, "5", "m").status is Status.TIMEOUT  # not a plain number: math_score
    assert number_with_unit_score("5.1", "5", "m").status is Status.CORRECT


def test_a_crashing_ifeval_checker_is_an_error(monkeypatch):
    from lm_eval.tasks.ifeval import instructions

    doc = {"key": 1, "prompt": "Write without commas.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
    assert ifeval_score("no commas here", doc)[0].status is Status.CORRECT
    assert ifeval_score("a, b", doc)[0].status is Status.INCORRECT

    def boom(self, value):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(instructions.CommaChecker, "check_following", boom)
    score, metrics = ifeval_score("no commas here", doc)
    assert score.status is Status.ERROR and "checker bug" in score.detail
    assert metrics["inst_level_strict_acc"] == [False]  # the instruction is failed, the status says why


# --------------------------------------------------------------------------- through lm-eval


def test_a_forced_timeout_reaches_the_lm_eval_results_json(monkeypatch, tmp_path, caplog):
    lm_eval = pytest.importorskip("lm_eval")
    from lm_eval.loggers.evaluation_tracker import EvaluationTracker
    from lm_eval.tasks import TaskManager

    from reasoning_suite.harness_tasks import offline_tasks_dir
    from reasoning_suite.harness_tasks import process
    from reasoning_suite.harness_tasks.registry import TASKS
    from test_tasks_canned import CannedLM

    tm = TaskManager(include_path=offline_tasks_dir(), include_defaults=False)
    docs = list(tm.load(["rs_math_500"])["tasks"]["rs_math_500"].eval_docs)
    assert len(docs) >= 3
    script = {TASKS["rs_math_500"].question(d): [f"<think>ok</think>\\boxed{{{d['answer']}}}"] for d in docs}
    script[TASKS["rs_math_500"].question(docs[0])] = [f"\\boxed{{{PATHOLOGICAL}}}"]  # past any deadline
    script[TASKS["rs_math_500"].question(docs[1])] = ["<think>never closes"]
    monkeypatch.setattr(math_equiv, "DEFAULT_TIMEOUT_S", 1.0)
    monkeypatch.setattr(process, "FAILURES", process._FailureLog())
    with caplog.at_level(logging.WARNING):
        results = lm_eval.simple_evaluate(model=CannedLM(script), tasks=["rs_math_500"], task_manager=tm, log_samples=True)
    tracker = EvaluationTracker(output_path=str(tmp_path))
    tracker.save_results_aggregated(results=results, samples=results["samples"])
    tracker.save_results_samples(task_name="rs_math_500", samples=results["samples"]["rs_math_500"])
    [path] = list(tmp_path.rglob("results_*.json"))
    res = json.loads(path.read_text())["results"]["rs_math_500"]
    n = len(docs)
    # lm-eval's table: one status row (the unscored share), no status_<name> rows
    assert res["unscored,none"] == pytest.approx(1 / n)
    assert not [k for k in res if k.startswith("status_")]
    assert status_counts(res, n) == {}
    # the breakdown: in the logged samples, read back by the reports' one reader
    from reasoning_suite.core.logged_run import discover

    [run] = discover([tmp_path])
    assert run.tasks["rs_math_500"].status_counts() == {
        "correct": n - 2, "incorrect": 0, "no_answer": 1, "timeout": 1, "error": 0}
    assert res["acc,none"] == pytest.approx((n - 2) / n)
    assert res["has_answer,none"] == pytest.approx((n - 1) / n)
    assert any("rs_math_500: answer timeout #1" in r.getMessage() for r in caplog.records)
    assert process.FAILURES.summary() == [
        "rs_math_500: 1 answer(s) timeout (not scored; counted in `unscored`, each answer's status in the logged samples)"]
