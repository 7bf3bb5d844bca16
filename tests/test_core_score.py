"""The Score/Status contract that scorers, the judge report and the leaderboard share."""

from reasoning_suite.core.score import STATUS_METRICS, Score, Status, status_counts, status_metrics


def test_status_metrics_are_fractions_of_the_repeats():
    scores = [Score.correct(True), Score.correct(False), Score.timeout("12 s"), Score.error("no rouge_score")]
    m = status_metrics(scores)
    assert set(m) == set(STATUS_METRICS)
    assert m == {"status_correct": 0.25, "status_incorrect": 0.25, "status_no_answer": 0.0,
                 "status_timeout": 0.25, "status_error": 0.25}
    assert sum(m.values()) == 1.0


def test_failures_to_score_are_zero_but_not_incorrect():
    assert Score.timeout().value == 0.0 and Score.timeout().status is Status.TIMEOUT
    assert Score.error("x").status is Status.ERROR and Score.error("x").detail == "x"
    assert Score.correct(False, value=0.4) == Score(0.4, Status.INCORRECT)


def test_status_counts_read_lm_eval_results_keys():
    results = {"acc,none": 0.5, "status_timeout,none": 0.1, "status_timeout_stderr,none": 0.03,
               "status_error,none": 0.0, "status_correct,none": 0.5}
    assert status_counts(results, 30) == {"correct": 15, "timeout": 3, "error": 0}
    assert status_counts({"acc,none": 1.0}, 10) == {}
