"""The Score/Status contract that scorers, the judge report and the leaderboard share."""

import pytest

from reasoning_suite.core.score import (
    UNSCORED_METRIC,
    Score,
    Status,
    agg_unscored,
    count_statuses,
    sample_statuses,
    status_counts,
)


def test_a_sample_carries_its_answers_statuses_and_the_task_their_unscored_share():
    scores = [Score.correct(True), Score.correct(False), Score.timeout("12 s"), Score.error("no rouge_score")]
    per_sample = sample_statuses(scores)
    assert per_sample == ["correct", "incorrect", "timeout", "error"]
    # lm-eval's one number per task: timeout + error over all answers; no_answer is a verdict (has_answer)
    assert agg_unscored([per_sample, ["no_answer", "correct", "correct", "correct"]]) == pytest.approx(2 / 8)
    assert agg_unscored([]) == 0.0
    rows = [{UNSCORED_METRIC: per_sample}, {UNSCORED_METRIC: ["no_answer"] * 4}]
    assert count_statuses(rows) == {"correct": 1, "incorrect": 1, "no_answer": 4, "timeout": 1, "error": 1}


def test_count_statuses_is_empty_for_samples_without_them():
    assert count_statuses([{"acc": 1.0}, {UNSCORED_METRIC: ["correct"]}]) == {}  # the first sample decides
    assert count_statuses([]) == {}
    assert count_statuses([{UNSCORED_METRIC: []}]) == {s.value: 0 for s in Status}


def test_failures_to_score_are_zero_but_not_incorrect():
    assert Score.timeout().value == 0.0 and Score.timeout().status is Status.TIMEOUT
    assert Score.error("x").status is Status.ERROR and Score.error("x").detail == "x"
    assert Score.correct(False, value=0.4) == Score(0.4, Status.INCORRECT)


def test_status_counts_read_the_results_keys_of_runs_made_before_unscored():
    results = {"acc,none": 0.5, "status_timeout,none": 0.1, "status_timeout_stderr,none": 0.03,
               "status_error,none": 0.0, "status_correct,none": 0.5}
    assert status_counts(results, 30) == {"correct": 15, "timeout": 3, "error": 0}
    assert status_counts({"acc,none": 1.0}, 10) == {}
    assert status_counts({"acc,none": 1.0, "unscored,none": 0.0}, 10) == {}  # a new run: its samples say
