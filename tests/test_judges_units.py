"""Pure parts of the judge panel: config validation, prompts, verdicts, votes, statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoning_suite.errors import UserError
from reasoning_suite.judges.config import VoteRule, load_panel, parse_panel, preset_names
from reasoning_suite.judges.prompts import DEFAULT_PROMPT, IFEVAL_PROMPT, answer_ending, fill_prompt
from reasoning_suite.core.logged_run import find_one as find_run
from reasoning_suite.judges.stats import accuracy_mae, fleiss_kappa, judge_accuracy, mean_stderr, median_mae_across_tasks, pairwise_agreement, panel_kappa
from reasoning_suite.judges.verdicts import panel_vote, parse_verdict, vote_score

J = {"name": "a", "base_url": "http://127.0.0.1:1/v1", "model": "m"}


# ----------------------------------------------------------------------------- config

def test_presets_load():
    assert {"paper", "local-vllm"} <= set(preset_names())
    paper = load_panel("paper")
    assert [j.endpoint.model for j in paper.judges] == [
        "meta-llama/Llama-3.3-70B-Instruct", "nvidia/Llama-3_1-Nemotron-Ultra-253B-v1", "openai/gpt-oss-120b"]
    assert all((j.temperature, j.top_p) == (0.7, 0.95) for j in paper.judges)
    assert all(j.endpoint.base_url.startswith("${") for j in paper.judges)
    assert paper.vote == VoteRule(rule="majority", tie="no", min_verdicts=2, too_few="no", abstain_counts_as="no")
    assert load_panel("local-vllm").vote.min_verdicts == 1


def test_answer_tail_chars_has_one_default_the_panel_configs():
    """It had four (the dataclass, the loader, each preset file); a preset that restates it
    would silently keep 2000 if the default moved."""
    import dataclasses
    from importlib import resources

    import yaml

    from reasoning_suite.judges.config import PanelConfig, preset_names

    default = {f.name: f.default for f in dataclasses.fields(PanelConfig)}["answer_tail_chars"]
    for name in preset_names():
        raw = yaml.safe_load((resources.files("reasoning_suite.judges.presets") / f"{name}.yaml").read_text())
        assert "answer_tail_chars" not in raw, name
        assert load_panel(name).answer_tail_chars == default
    assert parse_panel({"judges": [J]}, source="x.yaml").answer_tail_chars == default
    assert parse_panel({"judges": [J], "answer_tail_chars": 50}, source="x.yaml").answer_tail_chars == 50


def test_defaults_are_the_papers():
    panel = parse_panel({"judges": [J]}, source="x.yaml")
    assert (panel.judges[0].temperature, panel.judges[0].top_p) == (0.7, 0.95)
    assert panel.answer_tail_chars == 2000
    assert panel.vote.min_verdicts == 1
    three = parse_panel({"judges": [J, {**J, "name": "b"}, {**J, "name": "c"}]}, source="x.yaml")
    assert three.vote.min_verdicts == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "missing required field 'judges'"),
        ({"judges": []}, "judges: must be a non-empty list"),
        ({"judges": ["x"]}, "judges[0]: expected a mapping, got str"),
        ({"judges": [{"name": "a", "model": "m"}]}, "judges[0]: missing required field 'base_url'"),
        ({"judges": [{**J, "name": ""}]}, "judges[0].name: must be a non-empty string"),
        ({"judges": [{**J, "temprature": 0.7}]}, "judges[0].temprature: unknown field (allowed: api_key_env, "
         "backoff_base_s, backoff_max_s, base_url, endpoint, example_turns, extra_body, max_concurrency, max_retries, "
         "max_tokens, model, name, price_per_mtok_in, price_per_mtok_out, system_prompt, temperature, timeout_s, top_p)"),
        ({"judges": [{**J, "temperature": "hot"}]}, "judges[0].temperature: expected float, got str 'hot'"),
        ({"judges": [{**J, "temperature": 3}]}, "judges[0].temperature: must be in [0, 2], got 3.0"),
        ({"judges": [{**J, "top_p": 1.5}]}, "judges[0].top_p: must be in (0, 1], got 1.5"),
        ({"judges": [{**J, "max_tokens": 0}]}, "judges[0].max_tokens: must be >= 1, got 0"),
        ({"judges": [J, {**J, "name": "b", "max_concurrency": 0}]}, "judges[1].max_concurrency: must be >= 1, got 0"),
        ({"judges": [J, {**J, "name": "b", "max_concurrency": "x"}]}, "judges[1].max_concurrency: expected int, got str 'x'"),
        ({"judges": [{**J, "max_concurrency": True}]}, "judges[0].max_concurrency: expected int, got a boolean"),
        ({"judges": [{**J, "max_retries": -1}]}, "judges[0].max_retries: must be >= 0, got -1"),
        ({"judges": [{**J, "timeout_s": 0}]}, "judges[0].timeout_s: must be > 0, got 0.0"),
        ({"judges": [{**J, "extra_body": [1]}]}, "judges[0].extra_body: expected a mapping, got list [1]"),
        ({"judges": [{**J, "api_key_env": "sk-abcdef"}]},
         "judges[0].api_key_env: looks like a key, not a variable name; put the key in the environment"),
        ({"judges": [{**J, "api_key_env": "MY-KEY"}]},
         "judges[0].api_key_env: must be the NAME of an environment variable (letters, digits, _)"),
        ({"judges": [{**J, "base_url": "${JUDGE_URL"}]},
         "judges[0].base_url: malformed environment reference '${JUDGE_URL' (write ${NAME} or ${NAME:-default})"),
        ({"judges": [{**J, "example_turns": [{"user": "q"}]}]}, "judges[0].example_turns[0]: missing required field 'assistant'"),
        ({"judges": [J, J]}, "judges: duplicate judge name(s) a"),
        ({"judges": [J], "vote": "majority"}, "vote: expected a mapping, got str"),
        ({"judges": [J], "vote": {"tie": "maybe"}}, "vote.tie: must be one of yes, no, abstain, got 'maybe'"),
        ({"judges": [J], "vote": {"rule": "unanimous"}}, "vote.rule: must be one of majority, got 'unanimous'"),
        ({"judges": [J], "vote": {"abstain_counts_as": "yes"}}, "vote.abstain_counts_as: must be one of no, exclude, got 'yes'"),
        ({"judges": [J], "vote": {"min_verdicts": 2}}, "vote.min_verdicts: is 2 but the panel has 1 judge(s)"),
        ({"judges": [J], "vote": {"min_verdicts": 0}}, "vote.min_verdicts: must be >= 1, got 0"),
        ({"judges": [J], "vote": {"min_verdicts": True}}, "vote.min_verdicts: expected int, got a boolean"),
        ({"judges": [J], "answer_tail_chars": 0}, "answer_tail_chars: must be >= 1, got 0"),
        ({"judges": [J], "prompts": {"default": "no placeholders"}}, "prompts.default: must be a template string containing {answer}"),
        ({"judges": [J], "prompts": {"default": "{answer} only"}}, "prompts.default: the default prompt must contain {truth}"),
        ({"judges": [J], "prompts": {"fancy": "{answer}"}}, "prompts.fancy: must be one of default, ifeval, got 'fancy'"),
        ({"judges": [J], "task_prompts": {"rs_x": "fancy"}}, "task_prompts.rs_x: must be one of default, ifeval, got 'fancy'"),
        ({"judges": [J], "colour": 1},
         "colour: unknown field (allowed: answer_tail_chars, judges, name, prompts, task_prompts, vote)"),
        ({"judges": [J], "source": "x"},  # filled in by the loader, never taken from the file
         "source: unknown field (allowed: answer_tail_chars, judges, name, prompts, task_prompts, vote)"),
    ],
)
def test_config_errors_are_one_line_naming_the_field(data, message):
    """Every check of the panel, through `from_mapping`: the whole message, one line."""
    with pytest.raises(UserError) as err:
        parse_panel(data, source="panel.yaml")
    assert str(err.value) == f"panel.yaml: {message}"


def test_a_judges_endpoint_may_be_nested_and_names_its_path():
    nested = parse_panel({"judges": [{"endpoint": J, "temperature": 0.5}]}, source="p.yaml")
    assert nested.judges[0] == parse_panel({"judges": [{**J, "temperature": 0.5}]}, source="p.yaml").judges[0]
    bad = {"judges": [J, {"endpoint": {**J, "name": "b", "max_concurrency": "x"}}]}
    with pytest.raises(UserError) as err:
        parse_panel(bad, source="panel.yaml")
    assert str(err.value) == "panel.yaml: judges[1].endpoint.max_concurrency: expected int, got str 'x'"
    with pytest.raises(UserError) as err:  # one value, one place: not both flat and nested
        parse_panel({"judges": [{"endpoint": J, "model": "m2"}]}, source="panel.yaml")
    assert str(err.value) == "panel.yaml: judges[0].model: given both here and under 'endpoint'; write it once"


def test_the_written_panel_reads_back_as_the_same_panel():
    """`public_dict` is the YAML's own shape (endpoint keys flat): feeding it back gives the panel."""
    for name in preset_names():
        panel = load_panel(name)
        written = panel.public_dict()
        assert "endpoint" not in written["judges"][0] and written["judges"][0]["base_url"].startswith("${")
        again = parse_panel({k: v for k, v in json.loads(json.dumps(written)).items() if k != "source"}, source=panel.source)
        assert again == panel


def test_yaml_bare_no_is_read_as_the_word(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("judges:\n  - {name: a, base_url: 'http://127.0.0.1:1/v1', model: m}\nvote: {tie: no, min_verdicts: 1}\n")
    assert load_panel(path).vote.tie == "no"


def test_bad_yaml_and_unknown_panel(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("judges: [\n")
    with pytest.raises(UserError, match=r"p.yaml line \d+: cannot parse config \(ParserError: "):
        load_panel(path)
    with pytest.raises(UserError, match="neither a YAML file nor a preset"):
        load_panel("no-such-panel")


def test_public_dict_has_no_secrets(monkeypatch):
    monkeypatch.setenv("JUDGE_LLAMA_API_KEY", "sk-secret-123456")
    text = json.dumps(load_panel("paper").public_dict())
    assert "sk-secret" not in text and "JUDGE_LLAMA_API_KEY" in text


# ----------------------------------------------------------------------------- prompts

def test_prompts_are_the_papers():
    assert DEFAULT_PROMPT.startswith("You will be given a Question, a User Answer (only its ending is shown due to length), and a Ground Truth.\n")
    assert DEFAULT_PROMPT.endswith("Question: {question}\nUser Answer: {answer}\nGround Truth: {truth}")
    assert "If the User Answer contains a thinking process, you should ignore it" in IFEVAL_PROMPT
    assert IFEVAL_PROMPT.endswith("Question: {question}\nUser Answer: {answer}") and "{truth}" not in IFEVAL_PROMPT


def test_fill_is_single_pass_and_brace_safe():
    out = fill_prompt(DEFAULT_PROMPT, question="Solve $\\frac{1}{2}$", answer="I say {truth}", truth="C) 42")
    assert "User Answer: I say {truth}\nGround Truth: C) 42" in out
    assert "Question: Solve $\\frac{1}{2}$" in out


def test_answer_ending():
    assert answer_ending("short", 10) == "short"
    assert answer_ending("x" * 5 + "tail!", 5) == "...tail!"
    assert answer_ending(None, 5) == ""


# ----------------------------------------------------------------------------- verdicts

@pytest.mark.parametrize(
    "reply, verdict",
    [
        ("Equivalent.\n\\boxed{yes}", "yes"),
        ("\\boxed{No}", "no"),
        ("\\boxed{\\text{yes}}", "yes"),
        ("$\\boxed{\\textbf{no}}$.", "no"),
        ("I first thought \\boxed{yes} but in fact \\boxed{no}", "no"),
        ("The instruction says respond with \\boxed{yes}. Final: \\boxed{no}", "no"),
        ("\\boxed{yes} ... and the answer is \\boxed{42}", None),  # last box is not a verdict
        ("yes", None),
        ("Yes, equivalent.", None),
        ("", None),
        (None, None),
        ("\\boxed{yes", None),  # unclosed
        ("<think>maybe \\boxed{yes}</think>\nNot equivalent. \\boxed{no}", "no"),
        ("<think>it could be \\boxed{yes}", None),  # trace never closed
        ("<think>a</think> \\boxed{yes} <think>wait", None),  # re-opened: the box was tentative
        ("<think>a</think> \\boxed{yes} <think>wait</think> \\boxed{no}", "no"),
        ("\\boxed{ yes. }", "yes"),
        ("\\boxed{maybe}", None),
    ],
)
def test_parse_verdict(reply, verdict):
    assert parse_verdict(reply) == verdict


def test_majority_vote_rules():
    rule = VoteRule(min_verdicts=2)
    assert panel_vote(["yes", "yes", "no"], rule) is True
    assert panel_vote(["no", "no", "yes"], rule) is False
    assert panel_vote(["yes", None, "yes"], rule) is True
    assert panel_vote(["yes", "no", None], rule) is False  # tie -> no
    assert panel_vote(["yes", None, None], rule) is False  # too few -> no
    lenient = VoteRule(min_verdicts=2, tie="yes", too_few="abstain", abstain_counts_as="exclude")
    assert panel_vote(["yes", "no", None], lenient) is True
    assert panel_vote(["yes", None, None], lenient) is None
    assert panel_vote(["yes"], VoteRule(min_verdicts=1)) is True


def test_vote_score():
    assert vote_score([True, False, None, True], VoteRule()) == 0.5
    assert vote_score([True, False, None], VoteRule(abstain_counts_as="exclude")) == 0.5
    assert vote_score([None], VoteRule(abstain_counts_as="exclude")) is None


# ----------------------------------------------------------------------------- statistics

def test_fleiss_kappa_textbook_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories -> 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_kappa_edges():
    assert fleiss_kappa([[3, 0], [0, 3], [3, 0]]) == pytest.approx(1.0)
    assert fleiss_kappa([[3, 0], [3, 0]]) is None  # one category only: undefined
    assert fleiss_kappa([[3, 0]]) is None
    with pytest.raises(ValueError):
        fleiss_kappa([[3, 0], [1, 1]])


def test_panel_stats():
    by = {"a": ["yes", "yes", "no", None], "b": ["yes", "no", "no", "no"], "c": ["yes", "yes", "no", "yes"]}
    k = panel_kappa(by)
    assert k["n"] == 3  # the item with an abstention is left out
    assert pairwise_agreement(by["a"], by["b"]) == {"n": 3, "agreement": pytest.approx(2 / 3)}
    acc = judge_accuracy(by["a"])
    assert (acc["yes"], acc["no"], acc["abstentions"], acc["acc"], acc["acc_of_verdicts"]) == (2, 1, 1, 0.5, pytest.approx(2 / 3))
    mae = accuracy_mae({"a": 0.5, "b": 0.25, "c": 0.75})
    assert mae["pairs"] == {"a|b": 25.0, "a|c": 25.0, "b|c": 50.0} and mae["mean"] == pytest.approx(100 / 3)
    med = median_mae_across_tasks([mae, {"pairs": {"a|b": 5.0}, "mean": 5.0}, {"pairs": {"a|b": 1.0}, "mean": 1.0}])
    assert med["pairs"]["a|b"] == 5.0 and med["median"] == 5.0
    assert mean_stderr([1.0]) is None and mean_stderr([0.0, 1.0]) == pytest.approx(0.5)


# ----------------------------------------------------------------------------- samples reader

def _judge_prompts(tmp_path, task: str, responses: list[str], filter_args: dict | None, prompt: str = "Q"):
    """The judge prompts `build_prompts` makes for one logged sample of `task` with these responses."""
    from reasoning_suite.judges.prepare import build_prompts, task_view
    from reasoning_suite.core.logged_run import TaskLog

    doc = {"question": "Tom has 3 boxes?", "answer": "#### 31"}
    sample = {"doc_id": 0, "doc": doc, "resps": [responses], "arguments": {"gen_args_0": {"arg_0": prompt}}}
    config = None if filter_args is None else {"filter_list": [{"name": "none", "filter": [
        {"function": "rs_final_answer", "task": task, **filter_args}]}]}
    panel = load_panel("paper")
    view = task_view(task, panel, config)
    ts = TaskLog(task=task, samples_path=tmp_path / f"samples_{task}.jsonl", timestamp="d")
    ts.samples = [sample]
    prompts, _ = build_prompts(ts, view, panel)
    return [p.split("User Answer: ", 1)[1].split("\nGround Truth:", 1)[0] for p in prompts.values()]


def test_judge_is_shown_the_scored_answer_not_the_raw_continuation(tmp_path):
    from reasoning_suite.harness_tasks import prompts as P

    rambling = " \\boxed{31}\n\n" + P.MATH + "\n\nAnother question\nAnswer: \\boxed{7}"
    mixed = "<think>a</think> \\boxed{31} <think>wait"
    shown = _judge_prompts(tmp_path, "rs_gsm8k", [rambling, mixed, "<think>x</think> \\boxed{31}"],
                           {"thinking": "auto", "fewshot": True})
    assert shown == ["\\boxed{31}", "", "\\boxed{31}"]
    # a zero-shot run (no few-shot mode): nothing is cut, the thinking still is
    assert _judge_prompts(tmp_path, "rs_gsm8k", [rambling], {"thinking": "auto", "fewshot": False})[0].endswith("\\boxed{7}")


def test_judge_follows_the_runs_thinking_mode_and_warns_when_it_was_forgotten(tmp_path, caplog):
    import logging

    opened = "<|im_start|>assistant\n<think>\n"
    told = _judge_prompts(tmp_path, "rs_gsm8k", ["bare \\boxed{31}"], {"thinking": "prompt-opened", "fewshot": False}, opened)
    assert told == [""]
    with caplog.at_level(logging.WARNING, logger="reasoning_suite.core.answer"):
        forgotten = _judge_prompts(tmp_path, "rs_gsm8k", ["bare \\boxed{31}"], {"thinking": "auto", "fewshot": False}, opened)
    assert forgotten == ["bare \\boxed{31}"]  # what the rule scorer scored, so judge and rule agree
    assert "--thinking prompt-opened" in caplog.text


def test_samples_reader_errors(tmp_path):
    with pytest.raises(UserError, match="no lm-eval output"):
        find_run([tmp_path])
    bad = tmp_path / "samples_rs_gsm8k_2026-01-01T00-00-00.000000.jsonl"
    bad.write_text('{"doc_id": 0, "doc": {}, "resps": [["x"]]}\nnot json\n')
    with pytest.raises(UserError, match=r"samples_rs_gsm8k_.*\.jsonl:2: not valid JSON"):
        find_run([tmp_path]).tasks["rs_gsm8k"].samples
    bad.write_text('{"doc_id": 0, "doc": {}}\n')
    with pytest.raises(UserError, match=r":1: sample has no 'resps' field"):
        find_run([tmp_path]).tasks["rs_gsm8k"].samples


def test_samples_reader_takes_newest_run_and_refuses_mixed_models(tmp_path):
    from reasoning_suite.judges.synthetic import write_synthetic_run

    run = write_synthetic_run(tmp_path, per_task=2)
    newer = run / "samples_rs_gsm8k_2026-02-01T00-00-00.000000.jsonl"
    newer.write_text((run / "samples_rs_gsm8k_2026-01-01T00-00-00.000000.jsonl").read_text().splitlines()[0] + "\n")
    found = find_run([run])
    assert found.tasks["rs_gsm8k"].samples_path == newer and len(found.tasks["rs_gsm8k"].samples) == 1
    assert [p.name for p in found.ignored] == ["samples_rs_gsm8k_2026-01-01T00-00-00.000000.jsonl"]
    assert found.results is not None and "config" in found.results
    write_synthetic_run(tmp_path, per_task=1, model="other")
    with pytest.raises(UserError, match="samples of several runs found"):
        find_run([tmp_path])


def test_groups_are_plain_means_of_members_like_the_suites_lm_eval_groups():
    from reasoning_suite.harness_tasks.registry import suite_grouping
    from reasoning_suite.judges.report import group_results

    def entry(n, acc, se=0.1):
        return {"samples": n, "judge_acc,none": acc, "judge_acc_stderr,none": se, "acc,none": acc, "acc_stderr,none": se}

    groups, subtasks, categories = group_results({"rs_gsm8k": entry(2, 1.0), "rs_math_500": entry(6, 0.0), "rs_openbookqa": entry(4, 0.5)},
                                              suite_grouping())
    assert groups["rs_math_oe"]["judge_acc,none"] == pytest.approx(0.5)  # mean of 1.0 and 0.0, whatever their sizes
    assert groups["reasoning_suite"]["judge_acc,none"] == pytest.approx(0.5)  # mean of Math-OE 0.5 and General-MC 0.5
    assert groups["reasoning_suite"]["samples"] == 12
    assert subtasks["rs_math_oe"] == ["rs_gsm8k", "rs_math_500"] and subtasks["reasoning_suite"] == ["rs_general_mc", "rs_math_oe"]
    assert groups["rs_math_oe"]["judge_acc_stderr,none"] == pytest.approx((0.1 ** 2 + 0.1 ** 2) ** 0.5 / 2)
    assert "reasoning_suite_extended" not in groups and categories["Math-OE"]["samples"] == 8


def test_subset_run_overall_is_the_mean_of_the_categories_that_ran():
    """Task scores 1.0, 0.0 (General-MC) and 1.0 (Math-OE): 0.75 overall, the leaderboard's number."""
    from reasoning_suite.harness_tasks.registry import suite_grouping
    from reasoning_suite.judges.report import group_results, overall_result

    def entry(acc):
        return {"samples": 4, "judge_acc,none": acc, "judge_acc_stderr,none": None, "acc,none": acc, "acc_stderr,none": None}

    tasks = {"rs_winogrande": entry(1.0), "rs_openbookqa": entry(0.0), "rs_gsm8k": entry(1.0)}
    groups, _, categories = group_results(tasks, suite_grouping())
    assert groups["reasoning_suite"]["acc,none"] == pytest.approx(0.75)
    assert overall_result(tasks, suite_grouping())["judge_acc,none"] == pytest.approx(0.75)
    assert categories["General-MC"]["acc,none"] == 0.5 and groups["rs_general_mc"]["judge_acc_stderr,none"] is None


def test_rougeL_is_never_averaged_into_acc():
    """Code: mmlu_pro_code acc 0.5 and code summarization rougeL 0.1 give Code and the extended
    suite acc 0.5 (averaging rougeL in gave 0.30); the judge's judge_acc covers both tasks."""
    from reasoning_suite.harness_tasks.registry import suite_grouping
    from reasoning_suite.judges.report import group_results

    tasks = {
        "rs_mmlu_pro_code": {"samples": 2, "judge_acc,none": 1.0, "acc,none": 0.5},
        "rs_c_code_summarization": {"samples": 2, "judge_acc,none": 0.0, "rougeL,none": 0.1, "rule_metric": "rougeL"},
    }
    groups, subtasks, categories = group_results(tasks, suite_grouping())
    assert groups["reasoning_suite_extended"]["acc,none"] == pytest.approx(0.5)
    assert categories["Code"]["acc,none"] == pytest.approx(0.5)
    assert groups["rs_code"]["judge_acc,none"] == pytest.approx(0.5)
    assert subtasks["reasoning_suite_extended"] == ["rs_code"] and "reasoning_suite" not in groups


def test_judged_task_keeps_its_rule_score_under_its_primary_metric():
    from reasoning_suite.endpoints import ChatResult
    from reasoning_suite.judges.config import load_panel
    from reasoning_suite.judges.prepare import ItemKey, task_view
    from reasoning_suite.judges.report import judge_task
    from reasoning_suite.core.logged_run import TaskLog

    panel = load_panel("paper")
    samples = [{"doc_id": i, "doc": {"code": "int f();", "summary": "s"}, "resps": [["x"]], "rougeL": r}
               for i, r in enumerate((0.1, 0.3))]
    ts = TaskLog("rs_c_code_summarization", Path("samples_rs_c_code_summarization_x.jsonl"), "x")
    ts.samples = samples
    replies = {(ItemKey(ts.task, i, 0), j.name): ChatResult("yes", None, "stop", 1, 1, False)
               for i in range(2) for j in panel.judges}
    shown = {i: {"question": "q", "truth": "s"} for i in range(2)}
    _, result, stats = judge_task(ts, task_view(ts.task, panel), shown, replies, panel)
    assert result["rougeL,none"] == pytest.approx(0.2) and "acc,none" not in result
    assert result["rule_metric"] == "rougeL" and stats["rule_vs_panel"]["metric"] == "rougeL"
