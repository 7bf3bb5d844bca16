"""Deadlines, threads, environment and garbage: the scorers never hang and never raise."""

from __future__ import annotations

import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from reasoning_suite.core.answer import final_answer
from reasoning_suite.core.score import Status
from reasoning_suite.harness_tasks.scoring import (
    extract_boxed,
    math_equal,
    math_score,
    mc_correct,
    number_with_unit_equal,
    span_scores,
    summary_scores,
    winogrande_correct,
)
from reasoning_suite.harness_tasks.scoring import math_equiv

# sympy evaluates this tower inside one huge-integer computation: without a deadline the
# comparison runs for hours.
PATHOLOGICAL = "9^{9^{9^{9}}}"


def test_deadline_in_a_worker_thread_is_a_timeout_and_pool_recovers():
    out: list = []
    thread = threading.Thread(target=lambda: out.append(math_score(PATHOLOGICAL, "5", timeout_s=1.0)))
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "math_score did not return"
    assert [s.status for s in out] == [Status.TIMEOUT]  # cut off, not answered "wrong"
    assert out[0].value == 0.0 and "1.0 s" in out[0].detail
    assert math_equal("\\frac{1}{2}", "0.5") is True  # a fresh worker takes over


def test_deadline_in_the_main_thread():
    assert math_score(PATHOLOGICAL, "5", timeout_s=1.0).status is Status.TIMEOUT
    assert math_equal(PATHOLOGICAL, "5", timeout_s=1.0) is False
    assert not hasattr(math_equiv, "timeouts")  # no module counter: the status is the record


def test_many_threads_at_once_get_their_own_answers():
    pairs = [(f"\\frac{{{i}}}{{4}}", str(i / 4)) for i in range(40)]
    pairs += [(f"\\frac{{{i}}}{{4}}", str(i / 4 + 1)) for i in range(40)]
    expected = [True] * 40 + [False] * 40
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda pg: math_equal(*pg), pairs))
    assert got == expected


def test_summary_scores_sanity():
    same = summary_scores("returns the sum of two integers", "returns the sum of two integers")
    assert same == pytest.approx({"rougeL": 1.0, "bleu": 1.0})
    part = summary_scores("returns the sum of two numbers", "returns the sum of two integers")
    # ROUGE-L: LCS 5 of 6 tokens each side -> P = R = F = 5/6
    assert part["rougeL"] == pytest.approx(5 / 6)
    assert 0.0 < part["bleu"] < 1.0
    unrelated = summary_scores("opens a socket", "returns the sum of two integers")
    assert unrelated["rougeL"] == 0.0 and unrelated["bleu"] < part["bleu"]
    assert summary_scores(None, "x") == {"rougeL": 0.0, "bleu": 0.0}
    assert summary_scores("", "x") == {"rougeL": 0.0, "bleu": 0.0}


def _garbage(rng: random.Random) -> str:
    alphabet = string.printable + "{}\\$^_" * 5 + "éλ∞"
    pieces = ["\\boxed{", "\\fbox{", "}", "{", "<think>", "</think>", "\\frac", "\\text{", "$", "\\[", "(", ")"]
    out = []
    for _ in range(rng.randint(0, 30)):
        out.append(rng.choice(pieces) if rng.random() < 0.3 else rng.choice(alphabet))
    return "".join(out)


def test_garbage_never_raises():
    rng = random.Random(1234)
    for _ in range(300):
        text = _garbage(rng)
        boxed = extract_boxed(text)
        assert boxed is None or isinstance(boxed, str)
        assert final_answer(text) is None or isinstance(final_answer(text), str)
        assert isinstance(mc_correct(text, "A", ["x", "y", "z"]), bool)
        assert isinstance(winogrande_correct(text, "1", "x", "y"), bool)
        em, f1 = span_scores(text, ["gold answer"])
        assert 0.0 <= em <= 1.0 and 0.0 <= f1 <= 1.0
        assert isinstance(number_with_unit_equal(text, "1.5", "m"), bool)
    for _ in range(40):  # each goes to math-verify: fewer
        assert isinstance(math_equal(_garbage(rng), "\\frac{1}{2}"), bool)
    for weird in (None, 3, b"bytes", ["list"], {"a": 1}):
        assert math_equal(weird, "1") is False
        assert extract_boxed(weird) is None
        assert mc_correct(weird, "A", ["1"]) is False
        assert span_scores(weird, ["x"]) == (0.0, 0.0)


def test_a_forked_child_leaves_the_parents_workers_alone():
    import os

    assert math_equal("\\sqrt{8}", "2\\sqrt{2}") is True  # the pool has a live worker now
    parents = [w.proc for w in math_equiv._POOL._idle]
    assert parents and all(p.poll() is None for p in parents)
    parent_pids = {p.pid for p in parents}
    pid = os.fork()
    if pid == 0:  # child: its own workers (sharing the parent's pipes would mix up answers)
        ok = math_equal("\\sqrt{8}", "2\\sqrt{2}")
        own = {w.proc.pid for w in math_equiv._POOL._idle}
        math_equiv._POOL.close()
        os._exit(0 if ok and own and not own & parent_pids else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert all(p.poll() is None for p in parents)  # not killed by the child
    assert math_equal("\\sqrt{18}", "3\\sqrt{2}") is True


def test_without_a_worker_it_compares_in_process(monkeypatch, tmp_path):
    broken = tmp_path / "no_such_worker.py"
    monkeypatch.setattr(math_equiv, "_WORKER_PATH", str(broken))
    monkeypatch.setattr(math_equiv, "_POOL", math_equiv._Pool())
    assert math_equal("\\sqrt{8}", "2\\sqrt{2}") is True  # main thread: math-verify's own timeout
    assert math_equal("\\sqrt{8}", "3\\sqrt{2}") is False
    assert math_equiv._POOL.broken is True
