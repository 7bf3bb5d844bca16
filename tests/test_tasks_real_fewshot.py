"""Base-model three-shot on the real SmolLM2-135M-Instruct (no chat template), through lm_eval.

The few-shot layout `reasoning-suite eval` picks for `--num_fewshot 3` without a chat template:
the question ends with the examples' `Answer:` cue, generation stops at the instruction line an
invented example starts with, and the scored answer is the model's own (core.answer's few-shot
cut, no copied `Answer:` in front of an IFEval response). The second test pins continuations
this model wrote (tests/fixtures/smollm2_three_shot.json: lm_eval `--model hf`, 3-shot, greedy,
on the bundled samples) under the old layout, where the question lacked the cue and the model
wrote `\nAnswer:` itself, which lm-eval then scored as part of the answer, and under the
few-shot layout; it checks the rule on them without running the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("lm_eval")

from reasoning_suite.core.answer import final_answer, extraction_from_task_config  # noqa: E402
from reasoning_suite.harness_tasks import commands  # noqa: E402
from reasoning_suite.harness_tasks.registry import TASKS  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "smollm2_three_shot.json"
TASKS_RUN = ["rs_gsm8k", "rs_ifeval"]


def _scored(sample: dict) -> str:
    filtered = sample["filtered_resps"][0]
    return filtered[0] if isinstance(filtered, list) else filtered


@pytest.mark.real
def test_base_three_shot_scores_the_real_models_own_answer(real_model_dir, tmp_path, monkeypatch):
    import lm_eval
    from lm_eval.tasks import TaskManager

    from reasoning_suite.harness_tasks.process import process_results_for

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cmd = commands.build_eval_command(["--model", "hf", "--tasks", ",".join(TASKS_RUN), "--num_fewshot", "3", "--offline"])
    include = cmd[cmd.index("--include_path") + 1]
    res = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={real_model_dir},dtype=float32,device=cpu", tasks=TASKS_RUN,
        num_fewshot=3, limit=1, gen_kwargs="max_gen_toks=32,do_sample=False", batch_size=1, log_samples=True,
        task_manager=TaskManager(include_path=include, include_defaults=False))
    for task in TASKS_RUN:
        info = TASKS[task]
        assert extraction_from_task_config(res["configs"][task]).fewshot, task
        rule = info.answer_rule(fewshot=True)
        for sample in res["samples"][task]:
            prompt, raw, scored = sample["arguments"][0][0], sample["resps"][0][0], _scored(sample)
            assert prompt.count(info.instruction) == 4, task  # three examples and the question
            assert prompt.endswith(info.question(sample["doc"]) + "\nAnswer:"), task  # the examples' cue
            assert info.instruction not in raw, task  # the stop sequence: no invented example
            assert scored == (rule.final_answer(raw) or ""), task
            assert "\nAnswer:" not in scored and not scored.startswith("Answer:"), task
            assert sample["acc"] == process_results_for(task, sample["doc"], [[scored]])["acc"], task


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def test_recorded_real_continuations_are_cut_to_the_models_own_answer():
    data = _fixture()
    assert data["model"] == "SmolLM2-135M-Instruct"
    layouts = {row["layout"] for row in data["samples"]}
    assert layouts == {"old", "few-shot"}
    for row in data["samples"]:
        info = TASKS[row["task"]]
        cut = final_answer(row["resp"], fewshot=info.fewshot_cut())
        assert cut == row["expected_scored"], row["resp"]
        assert info.instruction not in cut and "\nAnswer:" not in cut and not cut.startswith("Answer:")
        if row["layout"] == "old":
            # the finding: without the cue the model wrote it, and the old rule scored it
            assert row["resp"].startswith("\nAnswer:") and row["lm_eval_filtered"].startswith("Answer:")
        else:
            assert row["prompt_end"].endswith("\nAnswer:") and not row["resp"].lstrip().startswith("Answer:")
            assert row["lm_eval_filtered"] == cut  # what the run itself scored
    # the same question answered in both layouts gets the same scored answer
    by_key: dict = {}
    for row in data["samples"]:
        by_key.setdefault((row["task"], row["doc_key"]), set()).add(row["expected_scored"])
    assert all(len(v) == 1 for v in by_key.values())
