"""The demo's bundled teacher pairs: every category, right format, not the evaluated documents."""

from __future__ import annotations

import json

from reasoning_suite.core.answer import split_response
from reasoning_suite.harness_tasks.offline_data import load_samples
from reasoning_suite.harness_tasks.process import task_prompt
from reasoning_suite.harness_tasks.registry import TASKS
from reasoning_suite.study import teacher_pairs as T
from reasoning_suite.trainers.import_pairs import convert_row


def _bundled() -> list[dict]:
    return [json.loads(line) for line in T.PAIRS_FILE.read_text().splitlines()]


def test_file_is_what_the_generator_writes():
    # one owner: the file is the generator's output, never edited by hand
    assert _bundled() == T.generate_pairs()


def test_every_category_and_enough_prompts():
    rows = _bundled()
    assert len({r["prompt"] for r in rows}) >= 64
    cats = {r["category"] for r in rows}
    assert cats == {"general-mc", "math-mc", "general-oe", "general-if", "math-oe"}
    assert {r["task_schema"] for r in rows} == {"rs_mmlu_misc", "rs_aqua_rat", "rs_winogrande", "rs_squad", "rs_ifeval",
                                                 "rs_gsm8k"}  # the demo's six tasks, each taught its format
    for r in rows:
        convert_row(r, "row", "test", None)  # the published schema the demo imports
        parts = split_response(r["reasoning"])
        assert r["reasoning"].startswith("<think>\n")
        assert parts.answer is not None and parts.answer.strip()
        assert "<think>" not in r["ift"]
        if r["category"] != "general-if":
            assert r["ift"].startswith("\\boxed{") and r["ift"].endswith("}")
            assert parts.answer.rstrip().endswith(r["ift"])
        if r["task_schema"] == "rs_winogrande":  # the option's text, as the task's worked examples box it
            doc = {"option1": r["prompt"].split("Option 1: ")[1].split("\n")[0],
                   "option2": r["prompt"].split("Option 2: ")[1].split("\n")[0]}
            assert r["ift"][len("\\boxed{"):-1] in doc.values()
        elif r["category"].endswith("-mc"):
            assert r["ift"][len("\\boxed{")] in "ABCDE" and len(r["ift"]) == len("\\boxed{A}")


def test_prompts_are_not_the_evaluated_documents():
    evaluated = set()
    for name in TASKS:
        try:
            ds = load_samples(name)
        except FileNotFoundError:
            continue
        for split in ds.values():
            docs = TASKS[name].process_docs(split) if TASKS[name].process_docs else split
            for doc in docs:
                evaluated.add(task_prompt(name, doc))
                evaluated.update(str(v) for v in doc.values() if isinstance(v, str))
    gen = {r["prompt"] for r in _bundled()}
    assert evaluated and not gen & evaluated
    bodies = {r["prompt"].split("\n\n", 1)[1] for r in _bundled()}
    assert not bodies & evaluated


def test_heldout_prompts_are_unseen_and_cover_every_category():
    held = T.heldout_prompts(2)
    assert {r["category"] for r in held} == {r["category"] for r in _bundled()}
    assert not {r["prompt"] for r in held} & {r["prompt"] for r in _bundled()}
