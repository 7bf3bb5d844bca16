"""Write a small lm-eval `--log_samples` run in lm-eval 0.4's real file layout and sample shape.

Tests, the benchmark and offline demos judge it against the scripted server: no model and no
dataset download is needed to exercise the whole judge path. The rows follow the datasets'
real schemas (gsm8k, openbookqa, IFEval), and each sample's `acc` is what a rule scorer would
give its response, so rule/panel disagreement statistics have something real to find.
"""

from __future__ import annotations

import json
from pathlib import Path

from reasoning_suite.core.answer import final_answer

DATE = "2026-01-01T00-00-00.000000"


def _gsm8k(i: int) -> tuple[dict, str, float]:
    a, b = 3 + i, 4 + 2 * i
    doc = {"question": f"Tom has {a} apples and buys {b} more. How many apples does he have?",
           "answer": f"He has {a} + {b} = <<{a}+{b}={a + b}>>{a + b} apples.\n#### {a + b}"}
    if i % 4 == 0:
        resp = f"He has {a} + {b} = {a + b - 1}.\n\\boxed{{{a + b - 1}}}"  # wrong
        acc = 0.0
    elif i % 4 == 1:
        resp = f"<think>Let me add {a} and {b}. That is {a + b}."  # trace never closed
        acc = 0.0
    elif i % 4 == 2:
        resp = f"The total is {a + b} apples."  # right but not boxed: rule says no, a judge may say yes
        acc = 0.0
    else:
        resp = f"<think>{a}+{b}={a + b}</think>\nHe has \\boxed{{{a + b}}} apples."
        acc = 1.0
    return doc, resp, acc


def _openbookqa(i: int) -> tuple[dict, str, float]:
    doc = {"id": f"obqa-{i}", "question_stem": f"Which of these conducts electricity best (item {i})?",
           "choices": {"text": ["wood", "copper wire", "rubber", "glass"], "label": ["A", "B", "C", "D"]},
           "answerKey": "B"}
    resp, acc = ("Metals conduct. \\boxed{B}", 1.0) if i % 3 else ("\\boxed{C}", 0.0)
    return doc, resp, acc


def _ifeval(i: int) -> tuple[dict, str, float]:
    doc = {"key": 1000 + i, "prompt": f"Write a sentence about the sea without using any commas (item {i}).",
           "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
    resp, acc = ("The sea is wide and deep.", 1.0) if i % 2 else ("The sea, wide and deep, is blue.", 0.0)
    return doc, resp, acc


_TASKS = {"rs_gsm8k": _gsm8k, "rs_openbookqa": _openbookqa, "rs_ifeval": _ifeval}


def write_synthetic_run(out_dir: str | Path, *, per_task: int = 4, repeats: int = 1, model: str = "tiny") -> Path:
    """Write `out_dir/<model>/samples_<task>_<date>.jsonl` + `results_<date>.json`; return the run dir."""
    run = Path(out_dir) / model
    run.mkdir(parents=True, exist_ok=True)
    results: dict = {"results": {}, "groups": {}, "group_subtasks": {},
                     "config": {"model": "hf", "model_args": f"pretrained=/models/{model}"}, "n-samples": {}}
    for task, make in _TASKS.items():
        rows = []
        accs = []
        for i in range(per_task):
            doc, resp, acc = make(i)
            # repeats: vary the response a little so each is a distinct judge prompt. A judge is
            # shown the scored answer only, which a trace that never closed does not have, so its
            # variants close the trace before the (still unboxed, still wrong) variation.
            closer = "</think>" if final_answer(resp) is None and "<think>" in resp else ""
            resps = [resp] + [f"{resp}{closer}\n(sample {r + 1})" for r in range(1, repeats)]
            rows.append({
                "doc_id": i,
                "doc": doc,
                "target": " ",
                "arguments": {"gen_args_0": {"arg_0": f"<|im_start|>user\n{json.dumps(doc)[:80]}<|im_end|>\n<|im_start|>assistant\n",
                                             "arg_1": {"until": [], "max_gen_toks": 64, "do_sample": True, "temperature": 1.0}}},
                "resps": [resps],
                "filtered_resps": [resps[0]],
                "filter": "none",
                "metrics": ["acc", "has_answer"],
                "doc_hash": f"hash{i}",
                "prompt_hash": f"phash{i}",
                "target_hash": "thash",
                "acc": acc,
                "has_answer": 1.0 if "boxed" in resp else 0.0,
            })
            accs.append(acc)
        (run / f"samples_{task}_{DATE}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        results["results"][task] = {"alias": task, "acc,none": sum(accs) / len(accs), "acc_stderr,none": "N/A"}
        results["n-samples"][task] = {"original": per_task, "effective": per_task}
    (run / f"results_{DATE}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return run
