"""The hub task YAMLs (not the offline overlay) load the datasets the registry names.

`datasets.load_dataset` is replaced by a stub that checks the path and config lm-eval asks for
and returns our sample rows, so the real YAMLs (splits, process_docs, few-shot sources) are
built exactly as on a machine with hub access.
"""

from __future__ import annotations

import pytest

pytest.importorskip("lm_eval")

import lm_eval.api.task as lm_task  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

from reasoning_suite.harness_tasks import offline_data, offline_tasks_dir, tasks_dir  # noqa: E402
from reasoning_suite.harness_tasks.registry import GROUPS, TASKS  # noqa: E402


def test_both_include_dirs_index_every_task_and_group():
    # lm-eval skips a YAML it cannot parse with only a debug log: check nothing was skipped.
    for directory in (tasks_dir(), offline_tasks_dir()):
        tm = TaskManager(include_path=directory, include_defaults=False)
        assert set(TASKS) <= set(tm.all_tasks), directory
        assert set(GROUPS) <= set(tm.all_groups), directory


def test_hub_yamls_request_the_registered_datasets(monkeypatch, tmp_path):
    calls: list[tuple[str, str | None]] = []
    by_source = {}
    for info in TASKS.values():
        by_source.setdefault((info.dataset_path, info.dataset_name), info.name)

    real_load_dataset = lm_task.datasets.load_dataset

    def fake_load_dataset(path=None, name=None, **kwargs):
        if path in ("json", "csv", "parquet"):  # the C code loader reading local files
            return real_load_dataset(path, name, **kwargs)
        calls.append((path, name))
        assert (path, name) in by_source, f"unexpected dataset {path!r} ({name!r})"
        task = by_source[(path, name)]
        if task == "rs_scibench":  # one JSON file at a time: <source>.json or <source>_sol.json
            stem = kwargs["data_files"][: -len(".json")]
            split = "train" if stem.endswith("_sol") else "test"
            source = stem.removesuffix("_sol")
            assert kwargs.get("split") == "train" and source in SCIBENCH_SOURCES, kwargs
            rows = [r for r in offline_data.load_samples(task)[split].to_list() if r["source"] == source]
            return datasets.Dataset.from_list(rows or [{"source": source}])
        # the revision and data_files the registry names reach load_dataset
        assert kwargs == TASKS[task].load_kwargs(), (task, kwargs)
        return offline_data.load_samples(task)

    monkeypatch.setattr(lm_task.datasets, "load_dataset", fake_load_dataset)
    (tmp_path / "test.jsonl").write_text(offline_data.sample_files("rs_c_code_summarization")["test"].read_text())
    (tmp_path / "train.jsonl").write_text(offline_data.sample_files("rs_c_code_summarization")["train"].read_text())
    monkeypatch.setenv("REASONING_SUITE_C_CODE_DATASET", str(tmp_path))

    tm = TaskManager(include_path=tasks_dir(), include_defaults=False)
    loaded = tm.load(["reasoning_suite", "reasoning_suite_extended"])
    assert set(loaded["tasks"]) == set(TASKS)
    for name, task in loaded["tasks"].items():
        info = TASKS[name]
        assert task.config.test_split == info.split, name
        docs = list(task.eval_docs)
        assert docs, name
        assert task.doc_to_text(docs[0]) == info.prompt(docs[0]), name
        if info.fewshot_split:
            assert task.config.fewshot_split == info.fewshot_split, name
            assert len(list(task.fewshot_docs())) >= 3, name
    assert ("cais/mmlu", "all") in calls and ("TIGER-Lab/MMLU-Pro", None) in calls
    assert ("nguha/legalbench", "consumer_contracts_qa") in calls and ("EleutherAI/coqa", None) in calls
    assert {TASKS[n].category for n in loaded["tasks"]} == {
        "General-MC", "General-OE", "Math-MC", "Math-OE", "Law", "Code", "Physics"}
    # mmlu_math keeps only the five math subjects, MMLU-Pro tasks only their category
    assert all(d["subject"] != "astronomy" for d in loaded["tasks"]["rs_mmlu_math"].eval_docs)
    assert {d["category"] for d in loaded["tasks"]["rs_mmlu_pro_physics"].eval_docs} == {"physics"}


# ----------------------------------------------------------------- datasets at risk (issue 11)
import importlib  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import datasets  # noqa: E402

from reasoning_suite.errors import UserError  # noqa: E402
from reasoning_suite.harness_tasks import data as D  # noqa: E402
from reasoning_suite.harness_tasks import hub as H  # noqa: E402
from reasoning_suite.harness_tasks.registry import SCIBENCH_PHYSICS, SCIBENCH_SOURCES  # noqa: E402


def test_at_risk_tasks_name_revision_and_files_in_their_yamls():
    text = {n: (Path(tasks_dir()) / f"{n}.yaml").read_text() for n in ("rs_scibench", "rs_consumer_qa", "rs_coqa")}
    assert 'revision: "refs/convert/parquet"' in text["rs_consumer_qa"]
    assert 'test: "consumer_contracts_qa/test/0000.parquet"' in text["rs_consumer_qa"]
    assert '"thermo_sol.json"' in text["rs_scibench"] and "test_split: test" in text["rs_scibench"]
    assert 'validation: "coqa_validation.parquet"' in text["rs_coqa"] and "dataset_path: EleutherAI/coqa" in text["rs_coqa"]
    for name, t in text.items():
        assert f"custom_dataset: !function reasoning_suite.harness_tasks.hub.load_{name[3:]}" in t
    # A loader named by import path (the hub loaders, above the registry) is a module-level function.
    for info in TASKS.values():
        if isinstance(info.custom_dataset, str):
            module, _, name = info.custom_dataset.rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), info.custom_dataset
    # Tasks whose loading is not at risk keep lm-eval's own loading.
    assert "custom_dataset" not in (Path(tasks_dir()) / "rs_gsm8k.yaml").read_text()


def _scibench_replica(tmp_path, extra_rows: int = 0):
    """The hub copy's 20 JSON files (JSON arrays), rows from the offline samples: textbook files
    without `solution` except `class.json` (some rows), every `*_sol.json` with it."""
    rows = {"test": offline_data.load_samples("rs_scibench")["test"].to_list(),
            "train": offline_data.load_samples("rs_scibench")["train"].to_list()}
    for src in SCIBENCH_SOURCES:
        book = [{k: v for k, v in r.items() if v is not None} for r in rows["test"] if r["source"] == src]
        book += [dict(problemid=f" {src}.{i} ", problem_text=f"{src} problem {i}?", answer_latex=" $1$",
                      answer_number="1", unit=" ", source=src, comment="") for i in range(extra_rows)]
        sol = [r for r in rows["train"] if r["source"] == src] or [dict(
            problemid=" 0.1 ", problem_text=f"{src} worked example?", answer_latex=" $2$", answer_number="2",
            unit=" ", source=src, comment="", solution="Two.")]
        (tmp_path / f"{src}.json").write_text(json.dumps(book))
        (tmp_path / f"{src}_sol.json").write_text(json.dumps(sol))
    return rows


def test_scibench_hub_files_do_not_share_columns_and_the_loader_copes(monkeypatch, tmp_path):
    rows = _scibench_replica(tmp_path, extra_rows=2)
    real = datasets.load_dataset
    # The failure the explicit files avoid: every file in one split, as a default load does.
    with pytest.raises(datasets.exceptions.DatasetGenerationError) as exc:
        real("json", data_files=sorted(str(p) for p in tmp_path.glob("*.json")), cache_dir=str(tmp_path / "c0"))
    chain, e = [], exc.value
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    cast = [e for e in chain if isinstance(e, datasets.exceptions.DatasetGenerationCastError)]
    assert cast and "new columns ({'solution'})" in str(cast[0])

    asked = []

    def hub(path=None, name=None, *, data_files=None, split=None, **kw):
        assert path == "xw27/scibench" and split == "train" and isinstance(data_files, str), (path, data_files)
        asked.append(data_files)
        return real("json", data_files=str(tmp_path / data_files), split="train", cache_dir=str(tmp_path / "c"))

    monkeypatch.setattr(datasets, "load_dataset", hub)
    ds = H.load_scibench(version=1.0)  # lm-eval passes metadata (version) too
    assert sorted(asked) == sorted([f"{s}.json" for s in SCIBENCH_SOURCES] + [f"{s}_sol.json" for s in SCIBENCH_SOURCES])
    assert set(ds["test"]["source"]) == set(SCIBENCH_PHYSICS) and set(ds["train"]["source"]) == set(SCIBENCH_PHYSICS)
    assert len(ds["test"]) == 5 + 3 * 2
    # Worked-solution problems are few-shot only, never scored.
    assert not set(ds["test"]["problem_text"]) & set(ds["train"]["problem_text"])
    assert all(s for s in ds["train"]["solution"])
    every = H.load_scibench(scibench_sources="all")
    assert len(every["test"]) == len(rows["test"]) + 10 * 2 and len(every["train"]) == 10
    assert len(H.load_scibench(scibench_sources="atkins,stat")["test"]) == 2 + 2 * 2
    with pytest.raises(UserError, match="scibench_sources='biology'"):
        H.load_scibench(scibench_sources="biology")


def test_scibench_through_lm_eval_is_scored_on_textbook_problems(monkeypatch, tmp_path):
    _scibench_replica(tmp_path, extra_rows=1)
    real = datasets.load_dataset
    monkeypatch.setattr(datasets, "load_dataset", lambda path=None, name=None, *, data_files=None, split=None, **kw:
                        real("json", data_files=str(tmp_path / data_files), split="train", cache_dir=str(tmp_path / "c")))
    physics = TaskManager(include_path=tasks_dir(), include_defaults=False).load(["rs_scibench"])["tasks"]["rs_scibench"]
    docs = list(physics.eval_docs)
    assert {d["source"] for d in docs} == set(SCIBENCH_PHYSICS) and len(docs) == 5 + 3
    assert {d["source"] for d in physics.fewshot_docs()} == set(SCIBENCH_PHYSICS)
    tm_all = TaskManager(include_path=tasks_dir(), include_defaults=False, metadata={"scibench_sources": "all"})
    every = tm_all.load(["rs_scibench"])["tasks"]["rs_scibench"]
    assert len(list(every.eval_docs)) == 8 + 10 and len(list(every.fewshot_docs())) == 10


def test_a_hub_copy_that_fails_is_one_line_naming_task_and_fix(monkeypatch):
    def broken(path=None, name=None, **kw):
        raise RuntimeError("Dataset scripts are no longer supported, but found legalbench.py\nTraceback ...")

    monkeypatch.setattr(datasets, "load_dataset", broken)
    for task, loader in (("rs_consumer_qa", H.load_consumer_qa), ("rs_coqa", H.load_coqa),
                         ("rs_scibench", H.load_scibench)):
        with pytest.raises(UserError) as exc:
            loader()
        msg = str(exc.value)
        assert "\n" not in msg and msg.startswith(f"{task}: the hub dataset {TASKS[task].dataset_path}")
        assert "RuntimeError: Dataset scripts are no longer supported" in msg and "fix: " in msg
    with pytest.raises(UserError, match="rs_consumer_qa: .*refs%2Fconvert%2Fparquet"):
        TaskManager(include_path=tasks_dir(), include_defaults=False).load(["rs_consumer_qa"])


def test_coqa_rows_carry_every_reference_answer():
    ds = offline_data.load_samples("rs_coqa")
    val = D.flatten_coqa(ds["validation"])
    assert val[0]["answers"] == ["white", "white", "white", "a little white"]
    assert val[2]["answers"] == ["no", "no", "No, she lived with her mother and sisters", "no"]
    # Additional answers are matched by turn_id: the third annotator skipped turn 2 of story 2.
    assert val[4]["question"] == "Where is it located?" and val[4]["answers"] == ["Vatican City", "in Vatican City", "Vatican City"]
    assert val[4]["history_answers"] == ["1475"]  # the dialogue so far uses the main answer
    # The train split's placeholders (empty additional answers) leave the one reference.
    assert [r["answers"] for r in D.flatten_coqa(ds["train"])] == [["red"], ["to the lake"], ["his sister Ann"]]
    assert TASKS["rs_coqa"].truth(val[0]).count("white") >= 2
    # A stanfordnlp/coqa row (one reference, plain question list) still flattens.
    plain = datasets.Dataset.from_list([{"source": "mctest", "story": "Sky is blue.", "questions": ["Colour?"],
                                         "answers": {"input_text": ["blue"], "answer_start": [7], "answer_end": [11]}}])
    assert D.flatten_coqa(plain)[0]["answers"] == ["blue"]


def test_mmlu_pro_samples_have_the_real_ten_option_schema():
    keys = {"question_id", "question", "options", "answer", "answer_index", "cot_content", "category", "src"}
    for split, d in offline_data.load_samples("rs_mmlu_pro_math").items():
        rows = d.to_list()
        assert all(set(r) == keys for r in rows), split
        assert all(r["answer"] == "ABCDEFGHIJ"[r["answer_index"]] and len(r["options"]) <= 10 for r in rows), split
        assert sum(len(r["options"]) == 10 for r in rows) >= len(rows) * 2 // 3, split
        assert {r["answer"] for r in rows} & set("FGHIJ"), split  # letters past D are exercised
    assert all(r["cot_content"].startswith("A: Let's think step by step.") for r in
               offline_data.load_samples("rs_mmlu_pro_math")["validation"])
