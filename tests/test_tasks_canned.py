"""The real task YAMLs, scored by lm-eval's own machinery, with a model that answers from a script.

Known answers go in (right, wrong, unclosed thinking, right in another dress), known metrics must
come out, for every task, through the offline include directory (the same task definitions as
the hub run with the dataset swapped).
"""

from __future__ import annotations

from collections import defaultdict

import pytest

lm_eval = pytest.importorskip("lm_eval")

from lm_eval.api.model import LM  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

from reasoning_suite.harness_tasks import offline_tasks_dir, prompts as P  # noqa: E402
from reasoning_suite.harness_tasks.build_yaml import RunOptions, write_overlay  # noqa: E402
from reasoning_suite.harness_tasks.registry import CORE_TASKS, EXTENDED_TASKS, TASKS  # noqa: E402

ALL_TASKS = CORE_TASKS + EXTENDED_TASKS

# The offline IFEval rows are the real dataset's first four (keys 1000, 1001, 1005, 1012): one
# response per row that keeps every instruction, one that breaks one.
_REPEAT_1012 = ("Write an email to my boss telling him that I am quitting. The email must contain a title wrapped "
                "in double angular brackets, i.e. <<title>>.")
IFEVAL_GOOD = {
    1000: "*Early life* " + " ".join(["Raymond ruled Tripoli well and fought hard for his lands"] * 12)
          + " *Regency* " + " ".join(["He served as regent for the young king of Jerusalem"] * 12)
          + " *Later years* " + " ".join(["He died soon after the great battle of Hattin"] * 12),
    1001: "Hark traveller! On the first day thou shalt walk the streets of Tokyo and on the second day thou shalt "
          "rest in Kyoto among the temples.",
    1005: "Name: [name]\nAddress: [address]\nPhone: [phone]\nEmail: [email]\nSchool: [school]\nYear: [year]\n"
          "Skill one: [skill 1]\nSkill two: [skill 2]\nClub: [club]\nAward: [award]\nReference: [reference]\n"
          "Start date: [date]",
    1012: _REPEAT_1012 + "\n<<Resignation>>\nDear boss I am writing to tell you that I am quitting.",
}
IFEVAL_BAD = {
    1000: "*Early life* Raymond III, Count of Tripoli, ruled well.",  # commas and far too short
    1001: "Day one, Tokyo. Day two, Kyoto.",
    1005: "Name: [name]\nAddress: [address]",
    1012: "<<Resignation>>\nDear boss, I quit.",  # the request is not repeated first
}


def gold_and_wrong(task: str, doc: dict) -> tuple[str, str, str]:
    """(gold answer in boxes, same gold in another dress, a wrong answer in boxes) for one doc."""
    info = TASKS[task]
    gold = info.target(doc)
    if info.kind == "ifeval":
        return IFEVAL_GOOD[doc["key"]], IFEVAL_GOOD[doc["key"]], IFEVAL_BAD[doc["key"]]
    if info.kind == "winogrande":
        label = str(doc["answer"])
        other = doc["option2"] if label == "1" else doc["option1"]
        return gold, P.boxed(label), P.boxed(other)
    if info.kind == "mc":
        view = info.mc_view(doc)
        wrong = next(c for c in view.letters if c != view.gold)
        return gold, P.boxed(view.gold_text), P.boxed(wrong)
    if info.kind == "yesno":
        wrong = "No" if doc["answer"] == "Yes" else "Yes"
        return gold, P.boxed(doc["answer"].lower() + "."), P.boxed(wrong)
    if task == "rs_gsm8k":
        return gold, P.boxed(P.gsm8k_answer(doc) + ".0"), P.boxed("99999")
    if task == "rs_scibench":
        return gold, P.boxed(f"{doc['answer_number']} {P._unit_plain(doc['unit'])}"), P.boxed("123456")
    return gold, gold, P.boxed("zzzz qqqq")


def scripted(task: str, i: int, doc: dict) -> tuple[str, float, float]:
    """(response, expected acc, expected has_answer) for eval doc number i."""
    gold, dressed, wrong = gold_and_wrong(task, doc)
    pattern = i % 4
    lead = "" if TASKS[task].kind == "ifeval" else "So the answer is "
    if pattern == 0:  # reasoning that ends, a wrong box inside the thinking must be ignored
        return f"<think>Maybe {wrong}? No.</think>\n\n{lead}{gold}", 1.0, 1.0
    if pattern == 1:
        return f"<think>Let me see.</think> {wrong}", 0.0, 1.0
    if pattern == 2:  # thinking never closes: no answer even though the gold is there
        return f"<think>I think it is {gold} but let me check", 0.0, 0.0
    return (dressed if not lead else f"Final answer: {dressed}"), 1.0, 1.0


class CannedLM(LM):
    """Answers each prompt from a script keyed by the question text it contains."""

    def __init__(self, script: dict[str, list[str]], default: str | None = None):
        super().__init__()
        self.script = script
        self.default = default
        self.calls: dict[str, int] = defaultdict(int)
        self.prompts: list[str] = []

    def generate_until(self, requests, disable_tqdm: bool = False):
        out = []
        for req in requests:
            context = req.args[0]
            self.prompts.append(context)
            keys = [k for k in self.script if k in context]
            if not keys and self.default is not None:
                out.append(self.default)
                continue
            assert keys, f"no scripted answer for prompt: {context[:200]!r}"
            key = max(keys, key=len)
            n = self.calls[key]
            self.calls[key] += 1
            responses = self.script[key]
            out.append(responses[n % len(responses)])
        return out

    def loglikelihood(self, requests, disable_tqdm: bool = False):  # pragma: no cover
        raise NotImplementedError

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):  # pragma: no cover
        raise NotImplementedError


@pytest.fixture(scope="module")
def offline_docs():
    tm = TaskManager(include_path=offline_tasks_dir(), include_defaults=False)
    tasks = tm.load(ALL_TASKS)["tasks"]
    return {name: list(task.eval_docs) for name, task in tasks.items()}


def _expectations(offline_docs):
    script: dict[str, list[str]] = {}
    expected: dict[str, dict[str, float]] = {}
    for task, docs in offline_docs.items():
        accs, hases = [], []
        for i, doc in enumerate(docs):
            response, acc, has = scripted(task, i, doc)
            key = TASKS[task].question(doc)
            assert key not in script, f"two docs share the question text {key[:60]!r}"
            script[key] = [response]
            accs.append(acc)
            hases.append(has)
        expected[task] = {"acc": sum(accs) / len(accs), "has_answer": sum(hases) / len(hases)}
    return script, expected


@pytest.fixture(scope="module")
def canned_run(offline_docs):
    script, expected = _expectations(offline_docs)
    model = CannedLM(script)
    results = lm_eval.simple_evaluate(
        model=model,
        tasks=["reasoning_suite", "reasoning_suite_extended"],
        task_manager=TaskManager(include_path=offline_tasks_dir(), include_defaults=False),
        log_samples=True,
    )
    return results, expected, model


def test_every_task_scores_the_scripted_answers(canned_run):
    results, expected, _ = canned_run
    for task in ALL_TASKS:
        res = results["results"][task]
        if TASKS[task].kind == "summary":
            assert "acc,none" not in res
            assert res["rougeL,none"] == pytest.approx(expected[task]["acc"]), task
            assert 0 < res["bleu,none"] <= res["rougeL,none"] + 1e-9, task
        else:
            assert res["acc,none"] == pytest.approx(expected[task]["acc"]), task
        assert res["has_answer,none"] == pytest.approx(expected[task]["has_answer"]), task
        if TASKS[task].kind == "span":
            assert res["f1,none"] == pytest.approx(expected[task]["acc"]), task


def test_ifeval_reports_lm_eval_metrics(canned_run):
    results, expected, _ = canned_run
    res = results["results"]["rs_ifeval"]
    for key in ("prompt_level_strict_acc", "inst_level_strict_acc", "prompt_level_loose_acc", "inst_level_loose_acc"):
        assert f"{key},none" in res
    assert res["prompt_level_strict_acc,none"] == pytest.approx(expected["rs_ifeval"]["acc"])  # 2 of 4 prompts
    # the instruction level counts instructions: 1000 (3, all kept), 1001 (1, broken), 1005 (1, no
    # final answer: thinking never closed), 1012 (2, kept): 5 of 7, not the prompt level's 2 of 4
    assert res["inst_level_strict_acc,none"] == pytest.approx(5 / 7)
    assert res["acc,none"] == res["prompt_level_strict_acc,none"]


def test_groups_are_plain_means_of_their_members(canned_run):
    """Every group lm-eval reports equals core.aggregate on the task scores: a category is the
    mean of its tasks, a suite the mean of its categories, whatever the tasks' sizes (squad's
    10,570 questions do not drown ifeval's 541); code summarization's rougeL never enters acc."""
    from reasoning_suite.core.aggregate import aggregate, metric_scores
    from reasoning_suite.harness_tasks.registry import suite_grouping
    from reasoning_suite.harness_tasks.registry import GROUPS

    results, expected, _ = canned_run
    res = results["results"]
    tasks = {t: r for t, r in res.items() if t in TASKS}
    checked = 0
    for metric in ("acc", "has_answer"):
        agg = aggregate(metric_scores(tasks, metric), suite_grouping())
        for group in GROUPS:
            if f"{metric},none" in res[group]:
                assert res[group][f"{metric},none"] == pytest.approx(agg.group(group)), (group, metric)
                checked += 1
    assert checked == 2 * len(GROUPS) - 1  # all but the extended suite's acc (see build_yaml.group_metrics)
    assert "acc,none" not in res["reasoning_suite_extended"]
    assert res["rs_code"]["acc,none"] == pytest.approx(expected["rs_mmlu_pro_code"]["acc"])
    assert len({len(results["samples"][t]) for t in CORE_TASKS}) > 1  # sizes differ, so weighting would show
    assert res["rs_math_oe"]["alias"] == "Math-OE"
    assert set(results["group_subtasks"]["reasoning_suite"]) == {"rs_general_mc", "rs_general_oe", "rs_math_mc", "rs_math_oe"}
    assert set(results["group_subtasks"]["reasoning_suite_extended"]) == {"rs_law", "rs_code", "rs_physics"}


def test_logged_samples_keep_the_full_response(canned_run):
    results, _, _ = canned_run
    sample = results["samples"]["rs_gsm8k"][2]  # pattern 2: unclosed thinking
    assert sample["resps"][0][0].startswith("<think>I think it is")
    assert sample["filtered_resps"][0] == [""]
    assert sample["acc"] == 0.0 and sample["has_answer"] == 0.0
    first = results["samples"]["rs_gsm8k"][0]
    assert "</think>" in first["resps"][0][0]
    assert first["filtered_resps"][0][0].strip().startswith("So the answer is")


def test_coqa_is_one_row_per_question_with_the_dialogue(canned_run):
    results, _, model = canned_run
    docs = [s["doc"] for s in results["samples"]["rs_coqa"]]
    assert [d["turn"] for d in docs] == [1, 2, 3, 1, 2]
    third = docs[2]
    assert third["history_questions"] == ["What color was Cotton?", "Where did she live?"]
    prompt = next(p for p in model.prompts if "Did she live alone?" in p)
    assert "Question: What color was Cotton?\nAnswer: white\n\nQuestion: Where did she live?\nAnswer: in a barn\n\nQuestion: Did she live alone?" in prompt


def test_mmlu_subsets_are_filtered(offline_docs):
    assert {d["subject"] for d in offline_docs["rs_mmlu_math"]} <= {
        "abstract_algebra", "college_mathematics", "elementary_mathematics",
        "high_school_mathematics", "high_school_statistics"}
    assert len(offline_docs["rs_mmlu_math"]) == 4  # the astronomy row is dropped
    for task, cat in (("rs_mmlu_pro_math", "math"), ("rs_mmlu_pro_law", "law"),
                      ("rs_mmlu_pro_code", "computer science"), ("rs_mmlu_pro_physics", "physics")):
        assert {d["category"] for d in offline_docs[task]} == {cat}


def _overlay(tmp_path, **options) -> TaskManager:
    return TaskManager(include_path=write_overlay(offline_tasks_dir(), RunOptions(**options), cache_root=tmp_path),
                       include_defaults=False)


def test_repeats_scores_every_response_and_averages(offline_docs, tmp_path):
    """repeats=2 through an overlay: right then wrong for each doc gives acc 0.5 per doc."""
    script = {}
    for task in ("rs_gsm8k", "rs_mmlu_misc", "rs_squad"):
        for doc in offline_docs[task]:
            gold, _, wrong = gold_and_wrong(task, doc)
            script[TASKS[task].question(doc)] = [f"<think>ok</think>{gold}", f"<think>ok</think>{wrong}"]
    model = CannedLM(script)
    results = lm_eval.simple_evaluate(
        model=model, tasks=["rs_gsm8k", "rs_mmlu_misc", "rs_squad"],
        task_manager=_overlay(tmp_path, repeats=2), log_samples=True,
    )
    for task in ("rs_gsm8k", "rs_mmlu_misc", "rs_squad"):
        assert results["configs"][task]["repeats"] == 2
        assert results["results"][task]["acc,none"] == pytest.approx(0.5), task
        sample = results["samples"][task][0]
        assert len(sample["resps"][0]) == 2
        assert sample["acc"] == pytest.approx(0.5)
    assert all(v == 2 for v in model.calls.values())


def test_prompt_opened_thinking_needs_a_closing_tag(offline_docs, tmp_path):
    """With `--thinking prompt-opened` (a filter argument of the overlay) a bare answer is no answer;
    the mode is logged in the task's config, where judges and analysis read it back."""
    from reasoning_suite.core.answer import extraction_from_task_config

    docs = offline_docs["rs_gsm8k"]
    script = {}
    for i, doc in enumerate(docs):
        gold = TASKS["rs_gsm8k"].target(doc)
        script[TASKS["rs_gsm8k"].question(doc)] = [gold if i % 2 else f"reasoning...</think>{gold}"]
    results = lm_eval.simple_evaluate(model=CannedLM(script), tasks=["rs_gsm8k"],
                                      task_manager=_overlay(tmp_path, thinking="prompt-opened"))
    assert results["results"]["rs_gsm8k"]["acc,none"] == pytest.approx(0.5)
    assert results["results"]["rs_gsm8k"]["has_answer,none"] == pytest.approx(0.5)
    mode = extraction_from_task_config(results["configs"]["rs_gsm8k"])
    assert mode.template_opened_thinking and mode.told and not mode.fewshot
    # the forgotten flag: the same responses under the default YAMLs count the bare answers
    results = lm_eval.simple_evaluate(model=CannedLM(script), tasks=["rs_gsm8k"],
                                      task_manager=TaskManager(include_path=offline_tasks_dir(), include_defaults=False))
    assert results["results"]["rs_gsm8k"]["acc,none"] == pytest.approx(1.0)
    assert not extraction_from_task_config(results["configs"]["rs_gsm8k"]).template_opened_thinking


def test_three_shot_runs_for_every_task(offline_docs, tmp_path):
    """--num_fewshot 3 on every task in the base few-shot layout: three worked examples, never the
    evaluated row itself, and the question ends with the examples' `Answer:` cue."""
    model = CannedLM({}, default=" \\boxed{1}")
    results = lm_eval.simple_evaluate(model=model, tasks=["reasoning_suite", "reasoning_suite_extended"],
                                      num_fewshot=3, log_samples=True, task_manager=_overlay(tmp_path, fewshot=True))
    for task in ALL_TASKS:
        assert results["n-shot"][task] == 3, task
        instruction = TASKS[task].instruction
        # every task stops at any instruction line of the suite (one list, so lm-eval can batch them)
        assert instruction in results["configs"][task]["generation_kwargs"]["until"], task
        assert results["configs"][task]["generation_kwargs"]["until"] == results["configs"]["rs_gsm8k"]["generation_kwargs"]["until"]
        for sample in results["samples"][task]:
            prompt = sample["arguments"][0][0]
            assert prompt.count(instruction) == 4, task
            examples, _, last = prompt.rpartition(instruction + "\n\n")
            assert last == TASKS[task].question(sample["doc"]) + "\nAnswer:", task
            assert TASKS[task].question(sample["doc"]) not in examples, task
            if task != "rs_ifeval":
                assert examples.count("\nAnswer: \\boxed{") == 3, task
            for shot in examples.split(instruction + "\n\n")[1:]:  # every example: question, cue, target
                assert "\nAnswer: " in shot and shot.endswith("\n\n"), task


def test_three_shot_prompts_use_train_split_and_exclude_the_doc(offline_docs, tmp_path):
    script = {}
    tasks = ["rs_gsm8k", "rs_math_500", "rs_ifeval", "rs_mmlu_pro_law"]
    for task in tasks:
        for doc in offline_docs[task]:
            script[TASKS[task].question(doc)] = ["<think></think>\\boxed{1}"]
    model = CannedLM(script)
    lm_eval.simple_evaluate(model=model, tasks=tasks, num_fewshot=3, task_manager=_overlay(tmp_path, fewshot=True))
    gsm = [p for p in model.prompts if p.endswith("make every day at the farmers' market?\nAnswer:")]
    assert len(gsm) == 1
    assert gsm[0].count("Solve the following math problem.") == 4
    assert gsm[0].count("\nAnswer: \\boxed{") == 3
    assert "Natalia sold clips" in gsm[0] or "Weng earns" in gsm[0]
    # MATH-500 has no train split: examples come from the test split, never the doc itself
    for p in model.prompts:
        if p.startswith("Solve the following math problem.") and "Simplify $\\frac{6}{8}$." in p.split("\n\n")[-1]:
            assert p.count("Simplify $\\frac{6}{8}$.") == 1
            assert p.count("\nAnswer: \\boxed{") == 3
    ife = [p for p in model.prompts if p.endswith("You are not allowed to use any commas in your response.\nAnswer:")]
    assert ife and "lighthouse" in ife[0] and ife[0].count("Answer the following instruction.") == 4
    law = [p for p in model.prompts if "forum non conveniens" in p]
    assert law and "Supreme Court" in law[0] and "7 * 8" not in law[0]  # same-category examples only


def test_base_model_rambling_is_cut_at_the_next_example(offline_docs, tmp_path):
    """A base model goes on after its answer: the next worked example it invents (instruction
    first, or only a question and its cue) is not its answer; nor is a copied `Answer:` cue
    (IFEval scores the response text itself)."""
    instr = TASKS["rs_gsm8k"].instruction
    script = {}
    for i, doc in enumerate(offline_docs["rs_gsm8k"]):
        gold, _, wrong = gold_and_wrong("rs_gsm8k", doc)
        script[TASKS["rs_gsm8k"].question(doc)] = [
            f" {gold}\n\n{instr}\n\nAnother question\nAnswer: {wrong}" if i % 2 == 0
            else f" {gold}\n\nAnother question?\nAnswer: {wrong}"]
    for doc in offline_docs["rs_ifeval"]:
        script[doc["prompt"]] = ["Answer: " + IFEVAL_GOOD[doc["key"]] + "\n\n" + P.IFEVAL + "\n\nWrite A Poem.\nAnswer: No"]
    tasks = ["rs_gsm8k", "rs_ifeval"]
    few = lm_eval.simple_evaluate(model=CannedLM(script), tasks=tasks, num_fewshot=3, log_samples=True,
                                  task_manager=_overlay(tmp_path, fewshot=True))
    assert few["results"]["rs_gsm8k"]["acc,none"] == 1.0
    assert few["results"]["rs_ifeval"]["acc,none"] == 1.0
    assert all(not s["filtered_resps"][0][0].startswith("Answer:") for s in few["samples"]["rs_ifeval"])
    # the same continuations scored without the few-shot layout: the invented example's box wins
    plain = lm_eval.simple_evaluate(model=CannedLM(script), tasks=tasks, num_fewshot=3,
                                    task_manager=TaskManager(include_path=offline_tasks_dir(), include_defaults=False))
    assert plain["results"]["rs_gsm8k"]["acc,none"] == 0.0
    assert plain["results"]["rs_ifeval"]["acc,none"] < 1.0
