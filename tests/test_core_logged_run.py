"""The one reader of lm-eval output (core.logged_run): each file-name and tolerance rule pinned,
on files written by lm-eval's own EvaluationTracker where the layout matters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoning_suite.analysis.synthetic import sample_row, write_samples
from reasoning_suite.core.logged_run import EvalSetting, discover, find_one, read_samples, responses
from reasoning_suite.errors import UserError

GEN = {"until": [], "max_gen_toks": 16}
TS1, TS2 = "2026-01-01T00-00-00.000000", "2026-02-01T00-00-00.000000"


def _rows(n, prompt="p"):
    return [sample_row(i, {"q": i}, "1", prompt, GEN, ["\\boxed{1}"], 1.0) for i in range(n)]


def _write(d: Path, name: str, rows) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    p = d / name
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


def _results(d: Path, ts: str, tasks: dict[str, int], *, shots: int = 0, name: str | None = None, **top) -> Path:
    doc = {"results": {t: {"acc,none": 1.0} for t in tasks}, "configs": {t: {"repeats": 1} for t in tasks},
           "n-shot": {t: shots for t in tasks}, "n-samples": {t: {"effective": n} for t, n in tasks.items()},
           "config": {"model_args": "pretrained=/m"}, **top}
    p = d / (name or f"results_{ts}.json")
    p.write_text(json.dumps(doc))
    return p


def test_lm_eval_layout_results_samples_configs_and_mode(tmp_path):
    model_dir = write_samples(tmp_path / "out", "pretrained=/ckpt/m,dtype=float32",
                              {"rs_gsm8k": _rows(3), "rs_aime": _rows(1)}, num_fewshot=3)
    run = find_one([tmp_path / "out"])
    assert run.directory == model_dir and set(run.tasks) == {"rs_aime", "rs_gsm8k"}
    assert run.pretrained == "/ckpt/m" and run.model_args["dtype"] == "float32"
    log = run.tasks["rs_gsm8k"]
    assert log.results_path == run.results_path and log.result["acc,none"] == 1.0
    assert log.config["num_fewshot"] == 3 and log.n_samples["effective"] == 3 and log.n_answers == 3
    assert run.setting == EvalSetting(num_fewshot=3, chat_template=False, thinking=False, repeats=1) and run.setting.label == "3-shot"
    assert len(log.samples) == 3 and responses(log.samples[0]) == ["\\boxed{1}"]
    assert log.status_counts() == {}  # no status_<name> metrics: absent, not zero


def test_output_path_ending_in_json_is_found(tmp_path):
    write_samples(tmp_path / "o" / "x.json", "pretrained=/m", {"rs_gsm8k": _rows(2)})
    run = find_one([tmp_path / "o"])
    assert run.results_path.name.startswith("x_") and set(run.tasks) == {"rs_gsm8k"}
    assert find_one([run.results_path]).tasks["rs_gsm8k"].samples_path == run.tasks["rs_gsm8k"].samples_path


def test_newest_per_task_in_one_mode_other_modes_are_other_runs(tmp_path):
    d = tmp_path / "m"
    _write(d, f"samples_rs_gsm8k_{TS1}.jsonl", _rows(2))
    _write(d, f"samples_rs_aime_{TS1}.jsonl", _rows(1))
    _results(d, TS1, {"rs_gsm8k": 2, "rs_aime": 1})
    _write(d, f"samples_rs_gsm8k_{TS2}.jsonl", _rows(1))
    _results(d, TS2, {"rs_gsm8k": 1})
    run = find_one([d])
    assert run.tasks["rs_gsm8k"].timestamp == TS2 and run.tasks["rs_aime"].timestamp == TS1
    assert [p.name for p in run.ignored] == [f"samples_rs_gsm8k_{TS1}.jsonl"]
    assert run.results_path.name == f"results_{TS2}.json" and len(run.results_paths) == 2
    ts3 = "2026-03-01T00-00-00.000000"
    _write(d, f"samples_rs_gsm8k_{ts3}.jsonl", _rows(1))
    _results(d, ts3, {"rs_gsm8k": 1}, shots=3)
    runs = discover([d])
    assert sorted(r.setting.label for r in runs) == ["0-shot", "3-shot"]
    with pytest.raises(UserError, match="several runs found.*pass one run's directory or results file"):
        find_one([d])
    assert find_one([d / f"results_{ts3}.json"]).setting.num_fewshot == 3
    chat = tmp_path / "c"
    _write(chat, f"samples_rs_gsm8k_{TS1}.jsonl", _rows(1, prompt="<|im_start|>assistant\n<think>\n"))
    _results(chat, TS1, {"rs_gsm8k": 1}, chat_template="{{ messages }}")
    assert find_one([chat]).setting.label == "0-shot chat thinking"


def test_samples_without_results_file(tmp_path):
    d = tmp_path / "m"
    _write(d, f"samples_rs_gsm8k_{TS1}.jsonl", _rows(2))
    alone = find_one([d])
    assert alone.results is None and alone.results_path is None and alone.tasks["rs_gsm8k"].n_answers == 2
    _write(d, f"samples_rs_aime_{TS2}.jsonl", _rows(1))
    _results(d, TS2, {"rs_aime": 1})
    joined = find_one([d])  # the results file's run takes the orphan samples (one run they fit)
    assert set(joined.tasks) == {"rs_aime", "rs_gsm8k"} and joined.tasks["rs_gsm8k"].results_path is None


def test_judged_outputs_and_foreign_names_are_not_lm_eval_output(tmp_path):
    d = tmp_path / "m"
    _write(d, f"samples_rs_gsm8k_{TS1}.jsonl", _rows(1))
    _results(d, TS1, {"rs_gsm8k": 1})
    _write(d / "judged", f"samples_rs_gsm8k_{TS2}.jsonl", _rows(1))
    (d / "judged" / "results_judged.json").write_text("{}")
    (d / "notes.json").write_text("{}")
    run = find_one([tmp_path])
    assert run.tasks["rs_gsm8k"].timestamp == TS1 and run.directory == d
    with pytest.raises(UserError, match="not an lm-eval results_<ts>.json or samples_<task>_<ts>.jsonl"):
        discover([d / "notes.json"])
    with pytest.raises(UserError, match="no such file or directory"):
        discover([tmp_path / "nope"])


def test_bad_files_give_one_line_errors_naming_file_and_line(tmp_path):
    d = tmp_path / "m"
    p = _write(d, f"samples_rs_gsm8k_{TS1}.jsonl", _rows(2))
    res = _results(d, TS1, {"rs_gsm8k": 2})
    res.write_text('{"results": {},\n  oops}')
    with pytest.raises(UserError, match=rf"results_{TS1}\.json:2: not valid JSON"):
        discover([d])
    res.write_text('{"no": 1}')
    with pytest.raises(UserError, match="not an lm-eval results file"):
        discover([d])
    res.unlink()
    p.write_text(json.dumps(_rows(1)[0]) + "\n{broken\n")
    with pytest.raises(UserError, match=rf"samples_rs_gsm8k_{TS1}\.jsonl:2: not valid JSON"):
        read_samples(p)
    p.write_text('{"doc_id": 0}\n')
    with pytest.raises(UserError, match=":1: sample has no 'resps' field"):
        read_samples(p)
    p.write_text(json.dumps(_rows(1)[0]) + "\n" + json.dumps(_rows(1)[0]) + "\n")
    with pytest.raises(UserError, match=":2: doc_id 0 appears twice"):
        read_samples(p)


def test_tolerances_flat_resps_and_several_filters(tmp_path):
    """The most tolerant correct reading: a flat list of responses is the k responses; when a
    task logged several filters, the first filter's rows are the task's samples."""
    first = {**_rows(1)[0], "resps": ["a", "b"], "filter": "none"}
    other = {**_rows(1)[0], "resps": [["c"]], "filter": "strict"}
    p = _write(tmp_path, f"samples_rs_gsm8k_{TS1}.jsonl", [first, other])
    rows = read_samples(p)
    assert len(rows) == 1 and responses(rows[0]) == ["a", "b"]
    assert responses({"resps": [[{"x": 1}]]}) == ['{"x": 1}']


def test_setting_label_is_in_words_whatever_spelling_lm_eval_logged():
    """The setting column once printed a Python dict (`3-shot {'max_gen_toks': 96}`)."""
    from reasoning_suite.core.logged_run import EvalSetting, canonical_gen_kwargs

    for raw in ({"max_gen_toks": 96}, "{'max_gen_toks': 96}", "max_gen_toks=96"):
        mode = EvalSetting(num_fewshot=3, chat_template=False, gen_kwargs=canonical_gen_kwargs(raw))
        assert mode.label == "3-shot · 96 new tokens", raw
    assert EvalSetting(num_fewshot=0, chat_template=True).label == "0-shot chat"
    sampled = EvalSetting(num_fewshot=0, chat_template=True, thinking=True, repeats=4,
                       gen_kwargs=canonical_gen_kwargs("temperature=0.6,do_sample=True"))
    assert sampled.label == "0-shot chat thinking x4 · sampled · temperature 0.6"
    assert canonical_gen_kwargs({}) is None and canonical_gen_kwargs("") is None
    assert canonical_gen_kwargs({"b": 1, "a": 2}) == canonical_gen_kwargs("a=2,b=1")  # one mode, not two
