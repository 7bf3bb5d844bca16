"""Loading lm-eval runs (written by lm-eval's own EvaluationTracker) into the tidy table."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from reasoning_suite.core import flops as F
from reasoning_suite.analysis import tokens as T
from reasoning_suite.analysis.runs import discover_runs, load_table
from reasoning_suite.analysis.synthetic import SyntheticModel, make_checkpoint, sample_row, write_samples
from reasoning_suite.errors import UserError

GEN = {"until": ["<|im_end|>"], "max_gen_toks": 12, "do_sample": False}
RESPONSES = [
    "<think> first compute 12 * 4 = 48 </think> The answer is \\boxed{48}.",  # thinking + answer
    "The answer is \\boxed{7}.",                                              # no thinking
    "<think> Let me think step by step. First compute 12 * 4 = 48, then 48 / 2 = 24 and more",  # never closed
]
RECORD = {"base_model": "tiny", "format": "reasoning", "reasoning_ratio": 1.0, "order": "sequential",
          "train_flops": {"paper": 3e12, "arch": 2.5e12}, "tokens_seen": 1000}


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    T.clear_cache()
    yield
    T.clear_cache()


@pytest.fixture()
def run_dir(tmp_path, tiny_model_dir):
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "ckpt" / "student", SyntheticModel("student", record=RECORD))
    samples = {
        "rs_gsm8k": [sample_row(i, {"q": i}, "48", f"<|im_start|>user\nQuestion {i}<|im_end|>\n", GEN, [r], acc)
                     for i, (r, acc) in enumerate(zip(RESPONSES, (1.0, 0.0, 0.0)))],
        "rs_winogrande": [sample_row(0, {"q": "w"}, "1", "Sentence _ blank", GEN, ["\\boxed{1}", "\\boxed{2}"], 0.5)],
    }
    model_dir = write_samples(tmp_path / "out", f"pretrained={ckpt},dtype=float32", samples)
    return tmp_path / "out", model_dir, ckpt


def _filter_config(thinking: str) -> dict:
    return {"filter_list": [{"name": "none", "filter": [
        {"function": "rs_final_answer", "task": "rs_gsm8k", "thinking": thinking, "fewshot": False}]}]}


@pytest.mark.parametrize("told", ["prompt-opened", None])
def test_token_split_follows_the_mode_the_run_was_scored_with(tmp_path, tiny_model_dir, caplog, told):
    """The template opened <think> in every prompt. Told (`--thinking prompt-opened`), a bare
    answer is no answer, for the scorer (acc 0 logged) and for the split; forgotten, the scorer
    counted it, so does the analysis, and it warns. The mixed case is no answer either way."""
    opened = "<|im_start|>assistant\n<think>\n"
    resps = ["step</think> \\boxed{48}", "bare \\boxed{48}", "<think>a</think> \\boxed{48} <think>wait"]
    accs = (1.0, 0.0 if told else 1.0, 0.0)
    configs = {"rs_gsm8k": _filter_config(told)} if told else None
    write_samples(tmp_path / "o", f"pretrained={tiny_model_dir}",
                  {"rs_gsm8k": [sample_row(i, {"q": i}, "48", opened, GEN, [r], a)
                                for i, (r, a) in enumerate(zip(resps, accs))]}, configs)
    with caplog.at_level(logging.WARNING, logger="reasoning_suite.core.answer"):
        df, _ = load_table([tmp_path / "o"])
    g = df.set_index("doc_id")
    assert g["no_final_answer"].tolist() == ([0.0, 1.0, 1.0] if told else [0.0, 0.0, 1.0])
    assert ((g["no_final_answer"] == 0) == (g["acc"] == 1)).all()  # split and scorer agree
    assert g.loc[2, "final_tokens"] == 0 and g.loc[2, "thinking_tokens"] == g.loc[2, "answer_tokens"]
    assert ("--thinking prompt-opened" in caplog.text) == (told is None)


def test_table_from_lm_eval_output(run_dir, tiny_model_dir):
    out, model_dir, ckpt = run_dir
    df, runs = load_table([out])
    assert len(runs) == 1 and runs[0].label == "student" and runs[0].record["format"] == "reasoning"
    assert len(df) == 4 and set(df["task"]) == {"rs_gsm8k", "rs_winogrande"}
    g = df[df["task"] == "rs_gsm8k"].set_index("doc_id")
    assert (g["category"] == "Math-OE").all() and (df[df["task"] == "rs_winogrande"]["category"] == "General-MC").all()
    assert (df["mode"] == "reasoning").all() and (df["token_source"] == "tokenizer").all()
    assert df["train_flops_arch"].iloc[0] == 2.5e12 and df["reasoning_ratio"].iloc[0] == 1.0

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    n = lambda s: len(tok(s, add_special_tokens=False)["input_ids"])  # noqa: E731
    think, final = "<think> first compute 12 * 4 = 48 </think>", " The answer is \\boxed{48}."
    assert g.loc[0, "thinking_tokens"] == n(think) and g.loc[0, "final_tokens"] == n(final)
    assert g.loc[0, "answer_tokens"] == n(think) + n(final)
    assert g.loc[0, "prompt_tokens"] == n("<|im_start|>user\nQuestion 0<|im_end|>\n")
    assert g.loc[1, "thinking_tokens"] == 0 and g.loc[1, "final_tokens"] == n(RESPONSES[1])
    # The unclosed trace: all thinking, no final answer, and it hit max_gen_toks (12).
    assert g.loc[2, "final_tokens"] == 0 and g.loc[2, "no_final_answer"] == 1.0
    assert g.loc[2, "truncated"] == 1.0 and g.loc[1, "truncated"] == 0.0
    # Inference FLOPs per answer from the checkpoint's config and these counts.
    arch = F.ArchSpec.from_config(ckpt)
    want = F.inference_flops(arch, g.loc[0, "prompt_tokens"], g.loc[0, "answer_tokens"])
    assert g.loc[0, "inference_flops_arch"] == pytest.approx(want["arch"])
    assert g.loc[0, "inference_flops_paper"] == pytest.approx(want["paper"])
    # Repeats: tokens and FLOPs are means over the repeats, acc as lm-eval logged it.
    w = df[df["task"] == "rs_winogrande"].iloc[0]
    assert w["n_repeats"] == 2 and w["acc"] == 0.5
    assert w["answer_tokens"] == (n("\\boxed{1}") + n("\\boxed{2}")) / 2
    assert np.isnan(df["judge_acc"]).all() and not df["judged"].any()


def test_judged_samples_are_joined_and_checked(run_dir):
    out, model_dir, _ = run_dir
    judged = model_dir / "judged"
    judged.mkdir()
    (judged / "results_judged.json").write_text(json.dumps({"results": {}, "source": str(model_dir)}))
    lines = [{"doc_id": i, "judge_acc": v, "judge": {"votes": [bool(v)]}} for i, v in ((0, 1.0), (1, 1.0), (2, 0.0))]
    (judged / "samples_judged_rs_gsm8k.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    df, _ = load_table([out])
    g = df[df["task"] == "rs_gsm8k"].set_index("doc_id")
    assert g["judge_acc"].tolist() == [1.0, 1.0, 0.0] and df["judged"].all()
    assert np.isnan(df[df["task"] == "rs_winogrande"]["judge_acc"]).all()  # that task was not judged
    bad = [dict(lines[0], prompt_hash="0" * 64), *lines[1:]]
    (judged / "samples_judged_rs_gsm8k.jsonl").write_text("\n".join(json.dumps(x) for x in bad) + "\n")
    with pytest.raises(UserError, match=r"samples_judged_rs_gsm8k.jsonl:1: doc_id 0 was judged on a different prompt"):
        load_table([out])
    lines.append({"doc_id": 99, "judge_acc": 1.0})
    (judged / "samples_judged_rs_gsm8k.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    with pytest.raises(UserError, match=r"samples_judged_rs_gsm8k.jsonl:4: doc_id 99"):
        load_table([out])


def test_label_and_model_args_dict(tmp_path, tiny_model_dir):
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "base", SyntheticModel("base"))
    write_samples(tmp_path / "o", {"pretrained": str(ckpt)},
                  {"rs_aime": [sample_row(0, {}, "1", "p", GEN, ["\\boxed{1}"], 1.0)]})
    df, runs = load_table([f"mine={tmp_path / 'o'}"])
    assert runs[0].label == "mine" and runs[0].mode == "base" and (df["mode"] == "base").all()
    assert (df["format"] == "base").all() and np.isnan(df["train_flops_arch"]).all()


def test_missing_tokenizer_and_config_are_flagged_not_hidden(tmp_path, caplog):
    write_samples(tmp_path / "o", "pretrained=nobody/does-not-exist-0B",
                  {"rs_gsm8k": [sample_row(0, {}, "1", "abcdefgh", GEN, ["123456789"], 1.0)]})
    with caplog.at_level(logging.WARNING, logger="reasoning_suite.analysis"):
        df, runs = load_table([tmp_path / "o"])
    assert (df["token_source"] == T.APPROX_SOURCE).all()
    assert df["prompt_tokens"].iloc[0] == 2 and df["answer_tokens"].iloc[0] == 3  # ceil(chars / 4)
    assert np.isnan(df["inference_flops_arch"]).all() and "no FLOPs" in str(df["flops_source"].iloc[0])
    assert "approximate" in caplog.text


def test_several_runs_share_prompt_counts_and_get_unique_labels(tmp_path, tiny_model_dir):
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "m", SyntheticModel("m"))
    rows = lambda: {"rs_gsm8k": [sample_row(0, {}, "1", "same prompt", GEN, ["x"], 1.0)]}  # noqa: E731
    write_samples(tmp_path / "a", f"pretrained={ckpt}", rows())
    write_samples(tmp_path / "b", f"pretrained={ckpt}", rows())
    df, runs = load_table([tmp_path / "a", tmp_path / "b"])
    labels = [r.label for r in runs]
    assert len(set(labels)) == 2 and all(lab.startswith("m@") for lab in labels)


def test_bad_inputs_give_one_line_errors(tmp_path, run_dir):
    with pytest.raises(UserError, match="no such run directory"):
        load_table([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no lm-eval output"):
        load_table([tmp_path / "empty"])
    out, model_dir, _ = run_dir
    sample_file = next(model_dir.glob("samples_rs_gsm8k_*.jsonl"))
    text = sample_file.read_text().splitlines()
    sample_file.write_text("\n".join([text[0], "{broken", *text[2:]]) + "\n")
    with pytest.raises(UserError, match=r"samples_rs_gsm8k_.*\.jsonl:2: not valid JSON"):
        load_table([out])
    sample_file.write_text("\n".join([text[0], text[0]]) + "\n")
    with pytest.raises(UserError, match=r":2: doc_id 0 appears twice"):
        load_table([out])
    for p in model_dir.glob("samples_*.jsonl"):
        p.unlink()
    with pytest.raises(UserError, match="needs lm_eval --log_samples"):
        discover_runs([out])
    res = next(model_dir.glob("results_*.json"))
    res.write_text("{\"no\": 1}")
    with pytest.raises(UserError, match="not an lm-eval results file"):
        discover_runs([out])


def test_bad_training_record(tmp_path, tiny_model_dir):
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "m", SyntheticModel("m", record={**RECORD, "reasoning_ratio": 7}))
    write_samples(tmp_path / "o", f"pretrained={ckpt}", {"rs_gsm8k": [sample_row(0, {}, "1", "p", GEN, ["x"], 1.0)]})
    with pytest.raises(UserError, match=r"reasoning_suite_run.json: field 'reasoning_ratio'"):
        load_table([tmp_path / "o"])


def test_output_path_ending_in_json(tmp_path, tiny_model_dir):
    """`lm_eval --output_path out/x.json` writes x_<ts>.json with the samples beside it."""
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "m", SyntheticModel("m"))
    write_samples(tmp_path / "out" / "x.json", f"pretrained={ckpt}",
                  {"rs_gsm8k": [sample_row(0, {}, "1", "p", GEN, ["x"], 1.0)]})
    assert [p.name.startswith("x_") for p in (tmp_path / "out").glob("*.json")] == [True]
    df, runs = load_table([tmp_path / "out"])
    assert len(df) == 1 and runs[0].label == "m"
