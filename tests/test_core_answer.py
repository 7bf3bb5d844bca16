"""The one rule for the scored region (core.answer), on cases a careful reader decides by hand."""

from __future__ import annotations

import logging

import pytest

from reasoning_suite.core.answer import (
    AnswerRule,
    FewshotCut,
    AnswerExtraction,
    check_thinking_mode,
    final_answer,
    extraction_from_task_config,
    prompt_opens_thinking,
    split_response,
    split_thinking,
)
from reasoning_suite.harness_tasks import prompts as P
from reasoning_suite.harness_tasks.registry import TASKS

MIXED = "<think>a</think> \\boxed{yes} <think>wait"

CASES = [
    ("no-tags", "The answer is 4.", {}, "The answer is 4."),
    ("closed", "<think>maybe 3</think>\n\nThe answer is 4.", {}, "The answer is 4."),
    ("last-close-wins", "<think>a</think>b</think> final", {}, "final"),
    ("unclosed", "<think>let me think... \\boxed{3}", {}, None),
    ("prompt-opened-no-close", "so the answer is \\boxed{3}", {"template_opened_thinking": True}, None),
    ("prompt-opened-closed", "reasoning</think>\\boxed{3}", {"template_opened_thinking": True}, "\\boxed{3}"),
    ("none", None, {}, None),
    ("empty-answer", "<think>x</think>  ", {}, None),  # a closed trace and nothing after it
    ("reopened-unclosed", "<think>a</think>4 <think>wait, maybe", {}, None),
    ("mixed", MIXED, {}, None),
    ("reopened-and-closed", "<think>a</think> 3 <think>no</think> 4", {}, "4"),
    ("close-without-open", "trace without opening</think> 4", {}, "4"),
]


@pytest.mark.parametrize("name,text,kw,expected", CASES, ids=[c[0] for c in CASES])
def test_final_answer_cases(name, text, kw, expected):
    assert final_answer(text, **kw) == expected


GSM = TASKS["rs_gsm8k"]
CUT = GSM.fewshot_cut()


def test_fewshot_cut_is_derived_from_the_layout():
    assert CUT == FewshotCut(starts=(P.MATH, "\nAnswer:"), cue="Answer:")
    assert TASKS["rs_ifeval"].fewshot_cut().starts == (P.IFEVAL, "\nAnswer:")


FEWSHOT = [
    # the model answers, then invents the next worked example (instruction first)
    ("invented-example", " \\boxed{31}\n\n" + P.MATH + "\n\nA farmer has 4 cows.\nAnswer: \\boxed{7}", "\\boxed{31}"),
    # ... or skips the instruction and writes only a question and its cue
    ("invented-question", " \\boxed{31}\n\nA farmer has 4 cows. How many legs?\nAnswer: \\boxed{16}",
     "\\boxed{31}\n\nA farmer has 4 cows. How many legs?"),
    # a copy of the cue in front is not the answer (IFEval: lowercase / quotes / starts-with)
    ("copied-cue", "Answer: \"all lowercase here\"", "\"all lowercase here\""),
    ("copied-cue-after-space", "  Answer: \\boxed{5}\nAnswer: \\boxed{6}", "\\boxed{5}"),
    # starts a new example at once: no answer of its own
    ("example-first", P.MATH + "\n\nWhat is 2+2?\nAnswer: \\boxed{4}", None),
    ("plain", " 12 apples, so \\boxed{31}", "12 apples, so \\boxed{31}"),
    ("thinking-then-example", "<think>x</think> \\boxed{2}\n\n" + P.MATH + " \\boxed{9}", "\\boxed{2}"),
]


@pytest.mark.parametrize("name,text,expected", FEWSHOT, ids=[c[0] for c in FEWSHOT])
def test_fewshot_cut_cases(name, text, expected):
    assert final_answer(text, fewshot=CUT) == expected


def test_without_the_fewshot_mode_nothing_is_cut():
    text = " \\boxed{31}\n\n" + P.MATH + "\n\nQ\nAnswer: \\boxed{7}"
    assert final_answer(text).endswith("\\boxed{7}")
    # a chat model's own "Answer:" line is its answer, not a next example
    assert final_answer("Reasoning.\nAnswer: \\boxed{4}") == "Reasoning.\nAnswer: \\boxed{4}"


@pytest.mark.parametrize("text", [c[1] for c in CASES if c[1] is not None] + [c[1] for c in FEWSHOT])
@pytest.mark.parametrize("kw", [{}, {"template_opened_thinking": True}, {"fewshot": CUT}])
def test_the_regions_cover_the_response_and_agree_with_final_answer(text, kw):
    s = split_response(text, **kw)
    if s.answer is not None:
        assert s.thinking + s.answer_text + s.after == text
    assert s.answer == final_answer(text, **kw)
    thinking, rest = split_thinking(text, **kw)
    if s.answer is None:
        assert (thinking, rest) == (text, None)
    else:
        assert thinking + rest == text and s.answer in rest


def test_split_thinking_token_regions():
    assert split_thinking("<think>a</think> b") == ("<think>a</think>", " b")
    assert split_thinking("<think> never closed") == ("<think> never closed", None)
    assert split_thinking("plain") == ("", "plain")
    assert split_thinking(MIXED) == (MIXED, None)
    assert split_thinking("done </think> 42", template_opened_thinking=True) == ("done </think>", " 42")
    # the invented example is generated text after the answer, not thinking
    text = " \\boxed{3}\n\n" + P.MATH + " more"
    assert split_thinking(text, fewshot=CUT) == ("", text)


def test_answer_rule_object_is_the_same_rule():
    rule = GSM.answer_rule(template_opened_thinking=True, fewshot=True)
    assert rule == AnswerRule(True, CUT)
    assert rule.final_answer("x</think> Answer: \\boxed{1}\n" + P.MATH) == "\\boxed{1}"
    assert rule.final_answer("no close") is None


def _config(**filter_args) -> dict:
    return {"filter_list": [{"name": "none", "filter": [{"function": "rs_final_answer", **filter_args}]}]}


def test_mode_from_logged_task_config():
    assert extraction_from_task_config(_config(task="rs_gsm8k", thinking="prompt-opened", fewshot=True)) == AnswerExtraction(
        "prompt-opened", True, told=True)
    assert extraction_from_task_config(_config(task="rs_gsm8k", thinking="auto", fewshot=False)) == AnswerExtraction(told=True)
    assert extraction_from_task_config({"filter_list": [{"name": "x", "filter": [{"function": "take_first"}]}]}) == AnswerExtraction()
    assert extraction_from_task_config(None) == AnswerExtraction()


def test_forgotten_thinking_flag_warns_and_keeps_the_told_mode(caplog):
    prompts = ["<|im_start|>assistant\n<think>\n", "<|im_start|>assistant\n<think>\n"]
    with caplog.at_level(logging.WARNING, logger="reasoning_suite.core.answer"):
        assert check_thinking_mode(AnswerExtraction(), prompts, where="run/rs_gsm8k") == 2
    assert "--thinking prompt-opened" in caplog.text and "run/rs_gsm8k" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="reasoning_suite.core.answer"):
        check_thinking_mode(AnswerExtraction("prompt-opened", told=True), prompts, where="x")
        check_thinking_mode(AnswerExtraction(), ["plain prompt"], where="y")
    assert caplog.text == ""
    assert prompt_opens_thinking("<|im_start|>assistant\n<think>\n") is True
    assert prompt_opens_thinking("<|im_start|>assistant\n<think>\n\n</think>\n\n") is False
    assert prompt_opens_thinking(None) is False
