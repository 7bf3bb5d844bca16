"""Registry, prompt layouts, generated YAMLs, offline samples and the `reasoning-suite` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks import offline_tasks_dir, tasks_dir
from reasoning_suite.harness_tasks import build_yaml, commands, offline_data, prompts as P
from reasoning_suite.harness_tasks.registry import (
    CATEGORY_GROUPS,
    CORE_TASKS,
    EXTENDED_TASKS,
    GROUPS,
    TASKS,
    get_task,
)

DATAFLOW_CORE = ("rs_winogrande rs_openbookqa rs_mmlu_misc rs_squad rs_coqa rs_ifeval rs_aqua_rat "
                 "rs_mmlu_math rs_mmlu_pro_math rs_gsm8k rs_math_500 rs_aime").split()
DATAFLOW_EXT = ("rs_mmlu_pro_law rs_consumer_qa rs_mmlu_pro_code rs_c_code_summarization "
                "rs_mmlu_pro_physics rs_scibench").split()


def _rows(task: str, split: str | None = None) -> list[dict]:
    files = offline_data.sample_files(task)
    path = files[split or TASKS[task].split]
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_task_names_and_groups_follow_the_contract():
    assert CORE_TASKS == DATAFLOW_CORE
    assert EXTENDED_TASKS == DATAFLOW_EXT
    assert GROUPS["reasoning_suite"] == ["rs_general_mc", "rs_general_oe", "rs_math_mc", "rs_math_oe"]
    assert GROUPS["reasoning_suite_extended"] == ["rs_law", "rs_code", "rs_physics"]
    assert list(CATEGORY_GROUPS.values()) == ["General-MC", "General-OE", "Math-MC", "Math-OE", "Law", "Code", "Physics"]
    for group, alias in CATEGORY_GROUPS.items():
        size = 3 if group in GROUPS["reasoning_suite"] else 2
        assert len(GROUPS[group]) == size and all(TASKS[t].category == alias for t in GROUPS[group])
    assert {TASKS[t].category for t in EXTENDED_TASKS} == {"Law", "Code", "Physics"}
    assert TASKS["rs_ifeval"].judge_prompt == "ifeval"
    assert all(TASKS[t].judge_prompt == "default" for t in TASKS if t != "rs_ifeval")
    assert get_task("gsm8k") is TASKS["rs_gsm8k"]
    with pytest.raises(UserError, match="unknown task"):
        get_task("hellaswag")


def test_generated_yamls_are_committed_and_current():
    for directory, files in ((tasks_dir(), build_yaml.render_tasks_dir()),
                             (offline_tasks_dir(), build_yaml.render_offline_dir())):
        on_disk = {p.name for p in Path(directory).iterdir() if p.is_file()}
        assert set(files) <= on_disk
        for name, text in files.items():
            assert (Path(directory) / name).read_text() == text, f"{name} is stale: run python -m reasoning_suite.harness_tasks.build_yaml"
    # lm-eval scans include dirs recursively: the offline dir must not sit inside the tasks dir
    assert not Path(offline_tasks_dir()).is_relative_to(Path(tasks_dir()))


def test_paper_instructions_verbatim():
    assert P.MATH == "Solve the following math problem. Make sure to put the answer (and only answer) inside \\boxed{}."
    assert P.IFEVAL == "Answer the following instruction."
    assert P.WINOGRANDE.startswith("Given a sentence with a blank (...) and two possible options, choose the option")
    for task in TASKS.values():
        if task.name != "rs_ifeval":
            assert task.instruction.endswith("Make sure to put the answer (and only answer) inside \\boxed{}.")


def test_every_task_has_offline_samples_in_its_real_schema():
    schema = {
        "rs_winogrande": {"sentence", "option1", "option2", "answer"},
        "rs_openbookqa": {"id", "question_stem", "choices", "answerKey"},
        "rs_mmlu_misc": {"question", "subject", "choices", "answer"},
        "rs_mmlu_math": {"question", "subject", "choices", "answer"},
        "rs_squad": {"id", "title", "context", "question", "answers"},
        "rs_coqa": {"id", "source", "story", "questions", "answers", "additional_answers"},  # EleutherAI/coqa
        "rs_ifeval": {"key", "prompt", "instruction_id_list", "kwargs"},
        "rs_aqua_rat": {"question", "options", "rationale", "correct"},
        "rs_mmlu_pro_math": {"question_id", "question", "options", "answer", "answer_index", "cot_content", "category", "src"},
        "rs_gsm8k": {"question", "answer"},
        "rs_math_500": {"problem", "solution", "answer", "subject", "level", "unique_id"},
        "rs_aime": {"problem", "answer", "id"},
        "rs_consumer_qa": {"answer", "contract", "index", "question"},
        "rs_c_code_summarization": {"code", "summary"},
        "rs_scibench": {"problemid", "problem_text", "answer_latex", "answer_number", "unit", "source", "comment"},
    }
    for task, info in TASKS.items():
        rows = _rows(task)
        assert rows, task
        assert set(rows[0]) >= schema.get(task, schema["rs_mmlu_pro_math"]), task
        if info.fewshot_split and info.fewshot_split != info.split:
            shots = _rows(task, info.fewshot_split)
            n = sum(len(r["questions"]["input_text"]) for r in shots) if task == "rs_coqa" else len(shots)
            assert n >= 3, task
        elif info.fewshot_split == info.split:
            assert len(rows) >= 4, task
    assert {r["answer"] for r in _rows("rs_winogrande")} <= {"1", "2"}
    assert all(o[1] == ")" for r in _rows("rs_aqua_rat") for o in r["options"])
    assert all("####" in r["answer"] for r in _rows("rs_gsm8k"))


def test_prompt_layouts():
    gsm = _rows("rs_gsm8k")[0]
    assert TASKS["rs_gsm8k"].prompt(gsm) == (
        "Solve the following math problem. Make sure to put the answer (and only answer) inside \\boxed{}.\n\n"
        "Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her "
        "friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. "
        "How much in dollars does she make every day at the farmers' market?"
    )
    aqua = _rows("rs_aqua_rat")[0]
    assert TASKS["rs_aqua_rat"].question(aqua).endswith(
        "\n\nA) 5(\u221a3 + 1)\nB) 6(\u221a3 + \u221a2)\nC) 7(\u221a3 \u2013 1)\nD) 8(\u221a3 \u2013 2)\nE) None of these")
    assert TASKS["rs_aqua_rat"].truth(aqua) == "A) 5(\u221a3 + 1)"
    wino = _rows("rs_winogrande")[0]
    assert TASKS["rs_winogrande"].question(wino).endswith("\n\nOption 1: Sarah\nOption 2: Maria")
    assert TASKS["rs_winogrande"].truth(wino) == "Option 2: Maria"
    squad = _rows("rs_squad")[0]
    assert TASKS["rs_squad"].question(squad).startswith("Passage: Super Bowl 50 was an American football game")
    assert "\n\nQuestion: Which NFL team represented the AFC at Super Bowl 50?" in TASKS["rs_squad"].question(squad)
    assert TASKS["rs_squad"].truth(squad) == "Denver Broncos"  # three annotators, one answer: shown once
    assert TASKS["rs_squad"].truth(_rows("rs_squad")[2]) == (
        "Santa Clara, California (also accepted: Levi's Stadium; "
        "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California.)")
    obqa = _rows("rs_openbookqa")[0]
    assert TASKS["rs_openbookqa"].truth(obqa) == "B) turn pale and weak"
    mmlu = _rows("rs_mmlu_misc")[0]
    assert TASKS["rs_mmlu_misc"].truth(mmlu) == "C) Dun & Bradstreet, Inc."
    assert TASKS["rs_gsm8k"].truth(_rows("rs_gsm8k")[2]) == "70000"
    assert TASKS["rs_gsm8k"].truth({"question": "q", "answer": "x\n#### 3,600"}) == "3600"  # a comma in the gold
    sci = _rows("rs_scibench")[0]
    assert TASKS["rs_scibench"].question(sci).endswith("The unit of the answer is $\\mathrm{~m} / \\mathrm{s}^2$.")
    assert TASKS["rs_scibench"].truth(sci) == "4 m / s^2"
    ife = _rows("rs_ifeval")[0]
    assert TASKS["rs_ifeval"].prompt(ife).startswith("Answer the following instruction.\n\nWrite a 300+ word summary")
    code = _rows("rs_c_code_summarization")[0]
    assert TASKS["rs_c_code_summarization"].question(code).startswith("```c\nint add(int a, int b)")


def test_process_results_averages_repeats_and_concatenates_inst_lists():
    from reasoning_suite.harness_tasks.process import process_results_for

    doc = _rows("rs_gsm8k")[0]
    out = process_results_for("rs_gsm8k", doc, [["\\boxed{18}", "\\boxed{17}", None, "18"]])
    assert out == {"acc": 0.25, "has_answer": 0.5, "unscored": ["correct", "incorrect", "no_answer", "no_answer"]}
    ife = _rows("rs_ifeval")[1]  # key 1001: one instruction (no commas)
    out = process_results_for("rs_ifeval", ife, [["no commas here", "a, b", None]])
    assert out["inst_level_strict_acc"] == [True, False, False]
    assert out["acc"] == pytest.approx(1 / 3)
    assert out["has_answer"] == pytest.approx(2 / 3)
    # a plain take_first result (a YAML edited by a user) still scores
    assert process_results_for("rs_gsm8k", doc, ["\\boxed{18}"])["acc"] == 1.0


def test_filter_keeps_all_responses_and_takes_the_mode_from_its_arguments(monkeypatch):
    from reasoning_suite.harness_tasks.process import FinalAnswerFilter

    resps = [["<think>a</think> \\boxed{1}", "plain \\boxed{2}", "<think>open", "<think>a</think> \\boxed{3} <think>wait"]]
    monkeypatch.setenv("REASONING_SUITE_THINKING", "prompt-opened")  # gone: the environment is not read
    assert FinalAnswerFilter(task="rs_gsm8k").apply(resps, [{}]) == [["\\boxed{1}", "plain \\boxed{2}", "", ""]]
    assert FinalAnswerFilter(task="rs_gsm8k", thinking="prompt-opened").apply(resps, [{}]) == [["\\boxed{1}", "", "", ""]]
    rambling = [[" \\boxed{4}\n\n" + P.MATH + "\n\nQ\nAnswer: \\boxed{5}"]]
    assert FinalAnswerFilter(task="rs_gsm8k", fewshot=True).apply(rambling, [{}]) == [["\\boxed{4}"]]
    assert FinalAnswerFilter(task="rs_gsm8k").apply(rambling, [{}])[0][0].endswith("\\boxed{5}")
    with pytest.raises(UserError, match="thinking='yes'"):
        FinalAnswerFilter(task="rs_gsm8k", thinking="yes")


def test_every_yaml_names_a_real_module_level_function():
    """The YAMLs call named functions (no globals() injection): each `!function` resolves by import."""
    import importlib
    import re

    for directory in (tasks_dir(), offline_tasks_dir()):
        for path in (p for p in Path(directory).iterdir() if p.is_file()):
            for ref in re.findall(r"!function ([\w.]+)", path.read_text()):
                module, _, name = ref.rpartition(".")
                fn = getattr(importlib.import_module(module), name)
                assert fn.__name__ == name and fn.__module__ == module, ref
    source = (Path(build_yaml.__file__).parent / "task_functions.py").read_text()
    assert "globals()" not in source and "def rs_gsm8k_results(doc: dict, results: list)" in source


def test_taskinfo_owns_gold_target_and_mc_view():
    wino = _rows("rs_winogrande")[0]
    view = TASKS["rs_winogrande"].mc_view(wino)
    assert (view.letters, view.gold, view.gold_text) == ("12", "2", "Maria")
    assert TASKS["rs_winogrande"].target(wino) == "\\boxed{Maria}"
    aqua = _rows("rs_aqua_rat")[0]
    assert TASKS["rs_aqua_rat"].mc_view(aqua).options[:2] == ("5(\u221a3 + 1)", "6(\u221a3 + \u221a2)")
    assert TASKS["rs_aqua_rat"].gold(aqua) == "A" and TASKS["rs_aqua_rat"].target(aqua) == "\\boxed{A}"
    squad = _rows("rs_squad")[2]
    assert TASKS["rs_squad"].gold(squad) == ["Santa Clara, California", "Levi's Stadium",
                                             "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California."]
    assert TASKS["rs_squad"].target(squad) == "\\boxed{Santa Clara, California}"
    assert TASKS["rs_gsm8k"].gold(_rows("rs_gsm8k")[2]) == "70000"
    assert TASKS["rs_gsm8k"].gold({"question": "q", "answer": "x\n#### 3,600"}) == "3600"
    sci = TASKS["rs_scibench"].gold(_rows("rs_scibench")[0])
    assert (sci.number, sci.unit) == ("4", "$\\mathrm{~m} / \\mathrm{s}^2$")
    assert TASKS["rs_scibench"].target(_rows("rs_scibench")[0]) == "\\boxed{4}"
    for info in TASKS.values():  # every task answers all five questions on its own samples
        row = _rows(info.name)[0]
        if info.process_docs is not None or info.fewshot_samples is not None:
            continue  # raw rows (CoQA before flattening, IFEval without a response): see the canned tests
        assert info.gold(row) is not None and info.truth(row) and info.target(row).startswith("\\boxed{"), info.name
        assert (info.mc_view is not None) == (info.kind in ("mc", "winogrande")), info.name


def test_c_code_dataset_path_is_configurable(monkeypatch, tmp_path):
    from reasoning_suite.harness_tasks.data import C_CODE_ENV, load_c_code_summarization

    monkeypatch.delenv(C_CODE_ENV, raising=False)
    with pytest.raises(UserError, match=C_CODE_ENV):
        load_c_code_summarization()
    (tmp_path / "test.jsonl").write_text(json.dumps({"code": "int f(void){return 0;}", "summary": "returns zero"}) + "\n")
    monkeypatch.setenv(C_CODE_ENV, str(tmp_path))
    ds = load_c_code_summarization()
    assert ds["test"][0]["summary"] == "returns zero"
    (tmp_path / "test.jsonl").write_text(json.dumps({"function": "x", "summary": "y"}) + "\n")
    with pytest.raises(UserError, match="lacks field"):
        load_c_code_summarization()


def test_tasks_dir_command(capsys, tmp_path, monkeypatch):
    assert commands.tasks_dir_main([]) == 0
    assert capsys.readouterr().out.strip() == tasks_dir()
    assert commands.tasks_dir_main(["--offline"]) == 0
    assert capsys.readouterr().out.strip() == offline_tasks_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert commands.tasks_dir_main(["--offline", "--repeats", "4"]) == 0
    overlay = Path(capsys.readouterr().out.strip())
    assert overlay.is_relative_to(tmp_path)
    text = (overlay / "rs_gsm8k.yaml").read_text()
    assert "repeats: 4" in text and f"include: {offline_tasks_dir()}/rs_gsm8k.yaml" in text
    with pytest.raises(UserError, match="positive"):
        commands.tasks_dir_main(["--repeats", "0"])


def test_entry_point_function():
    from importlib.metadata import entry_points

    from reasoning_suite.harness_tasks import tasks_dir as fn

    eps = [ep for ep in entry_points(group="lm_eval.tasks") if ep.name == "reasoning_suite"]
    assert eps and eps[0].load() is fn
    assert Path(fn()).is_absolute() and (Path(fn()) / "rs_gsm8k.yaml").exists()


def test_eval_command_passes_arguments_through(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cmd = commands.build_eval_command(
        ["--model", "hf", "--model_args", "pretrained=X", "--tasks", "reasoning_suite", "--offline", "--limit", "2"])
    assert cmd[1:3] == ["-m", "reasoning_suite.harness_tasks.lm_eval_cli"]
    assert cmd[3:] == ["--model", "hf", "--model_args", "pretrained=X", "--tasks", "reasoning_suite",
                       "--limit", "2", "--include_path", offline_tasks_dir()]
    cmd = commands.build_eval_command(["--thinking=prompt-opened", "--tasks", "rs_gsm8k", "--output_path", "o"])
    assert "--thinking=prompt-opened" not in cmd
    overlay = Path(cmd[-1])
    assert cmd[-2] == "--include_path" and overlay.is_relative_to(tmp_path)
    assert "thinking: prompt-opened" in (overlay / "rs_gsm8k.yaml").read_text()
    with pytest.raises(UserError, match="include_path"):
        commands.build_eval_command(["--include_path", "/x", "--tasks", "a"])


def test_eval_command_picks_the_base_fewshot_layout(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    base = commands.build_eval_command(["--model", "hf", "--tasks", "rs_gsm8k", "--num_fewshot", "3", "--offline"])
    text = (Path(base[-1]) / "rs_gsm8k.yaml").read_text()
    assert "fewshot: true" in text and 'gen_prefix: "Answer:"' in text and 'target_delimiter: "\\n"' in text
    stops = P.fewshot_stop_sequences(i.instruction for i in TASKS.values())
    assert P.MATH in stops and len(stops) == len({i.instruction for i in TASKS.values()})
    assert f'until: {json.dumps(list(stops))}' in text
    # one stop list for every task: lm-eval batches generation requests only across equal
    # gen_kwargs, so a per-task list would run every task in a batch of its own
    mc = (Path(base[-1]) / "rs_mmlu_pro_law.yaml").read_text()
    assert f'until: {json.dumps(list(stops))}' in mc
    # students (chat template) and zero-shot runs keep the package's own YAMLs
    chat = commands.build_eval_command(["--model", "hf", "--tasks", "rs_gsm8k", "--num_fewshot", "3",
                                        "--apply_chat_template", "--offline"])
    assert chat[-1] == offline_tasks_dir()
    assert commands.build_eval_command(["--model", "hf", "--tasks", "x", "--num_fewshot=0", "--offline"])[-1] == offline_tasks_dir()
    # plain lm_eval users get the same directory from tasks-dir
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        commands.tasks_dir_main(["--offline", "--fewshot"])
    assert out.getvalue().strip() == base[-1]


def test_eval_needs_the_c_code_dataset_for_the_extended_group(monkeypatch):
    monkeypatch.delenv("REASONING_SUITE_C_CODE_DATASET", raising=False)
    with pytest.raises(UserError, match="REASONING_SUITE_C_CODE_DATASET"):
        commands.build_eval_command(["--model", "hf", "--tasks", "reasoning_suite,reasoning_suite_extended"])
    commands.build_eval_command(["--offline", "--model", "hf", "--tasks", "reasoning_suite_extended"])
    monkeypatch.setenv("REASONING_SUITE_C_CODE_DATASET", "/data/ccsd")
    commands.build_eval_command(["--model", "hf", "--tasks", "reasoning_suite_extended"])


def test_eval_repeats_on_api_backends_unseed_requests(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cmd = commands.build_eval_command(["--repeats", "3", "--model", "local-chat-completions", "--tasks", "x",
                                          "--gen_kwargs", "max_gen_toks=64"])
    assert cmd[cmd.index("--gen_kwargs") + 1] == "max_gen_toks=64,seed=None"
    assert cmd[-1].startswith(str(tmp_path))  # the repeats overlay
    cmd = commands.build_eval_command(["--repeats", "3", "--model=local-completions", "--tasks", "x"])
    assert cmd[cmd.index("--gen_kwargs") + 1] == "seed=None"
    cmd = commands.build_eval_command(["--repeats", "3", "--model", "hf", "--tasks", "x"])
    assert "--gen_kwargs" not in cmd  # local sampling draws fresh randomness per request
    cmd = commands.build_eval_command(["--model", "local-completions", "--tasks", "x"])
    assert "--gen_kwargs" not in cmd


def test_tasks_command(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert commands.tasks_main(["--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["task"] for r in rows] == CORE_TASKS + EXTENDED_TASKS
    assert {r["category"] for r in rows} == {"General-MC", "General-OE", "Math-MC", "Math-OE", "Law", "Code", "Physics"}
    assert commands.tasks_main([]) == 0
    table = capsys.readouterr().out
    assert "rs_mmlu_pro_physics" in table and "TIGER-Lab/MMLU-Pro" in table and "General-MC" in table


def test_lm_eval_cli_skips_the_builtin_index_only_for_our_tasks(monkeypatch):
    """`reasoning-suite eval` runs lm-eval's own CLI; with only our tasks asked for, its
    TaskManager indexes our directory alone (lm-eval's built-in tasks cannot be found), with
    any other task it keeps the full index."""
    import lm_eval.__main__
    import lm_eval.tasks

    from reasoning_suite.harness_tasks import lm_eval_cli

    assert lm_eval_cli.only_ours("reasoning_suite") and lm_eval_cli.only_ours("rs_gsm8k, rs_math_oe")
    assert not lm_eval_cli.only_ours("reasoning_suite,hellaswag") and not lm_eval_cli.only_ours("")
    assert not lm_eval_cli.only_ours("/path/to/task.yaml")
    made = []

    def fake_cli():
        cls = lm_eval.tasks.TaskManager
        made.append(cls)
        if cls is not original:  # only ours asked for: the index holds our directory alone
            names = set(cls(include_path=offline_tasks_dir()).all_tasks)
            assert "rs_gsm8k" in names and "reasoning_suite" in names and "hellaswag" not in names

    original = lm_eval.tasks.TaskManager
    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", fake_cli)
    monkeypatch.setattr(lm_eval.tasks, "TaskManager", original)
    lm_eval_cli.main(["--model", "hf", "--tasks=rs_gsm8k,reasoning_suite"])
    assert made[-1] is not original and issubclass(made[-1], original)
    monkeypatch.setattr(lm_eval.tasks, "TaskManager", original)
    lm_eval_cli.main(["--model", "hf", "--tasks", "rs_gsm8k,hellaswag"])
    assert made[-1] is original  # lm-eval's own full index, untouched


def test_a_tasks_scorer_kind_is_the_one_owner_of_its_metrics_and_primary_metric():
    """The generated YAML's metric_list, what process_results returns and the primary metric
    the reports read all come from the task's `ScorerKind`: a second list would disagree here."""
    from reasoning_suite.harness_tasks.process import process_results_for
    from reasoning_suite.harness_tasks.registry import primary_metric
    from reasoning_suite.harness_tasks.scorers import SCORERS

    assert {info.kind for info in TASKS.values()} == set(SCORERS)  # every kind is used, none undeclared
    for name, info in TASKS.items():
        kind = SCORERS[info.kind]
        text = (Path(tasks_dir()) / f"{name}.yaml").read_text()
        assert build_yaml.yaml_metrics(text) == kind.metric_names, name
        assert build_yaml.task_metrics(info) == kind.metric_names, name
        assert info.primary_metric == kind.primary == primary_metric(name), name
        assert info.primary_metric in kind.metric_names, name
        doc = _rows(name)[0]
        out = process_results_for(name, doc, [["\\boxed{x}", None]])
        assert set(out) == set(kind.metric_names), name  # lm-eval aggregates exactly what is scored
        assert out["has_answer"] == 0.5, name
    # the template carries no metric_list: a task's own replaces it, so a second one would only drift
    assert "metric_list" not in (Path(tasks_dir()) / build_yaml.TEMPLATE).read_text()
    assert "metric:" not in (Path(tasks_dir()) / build_yaml.TEMPLATE).read_text()


def test_the_code_summary_task_reports_rougeL_never_acc():
    """The extended suite's Code category: rougeL is the summary's score, so `acc` of Code is
    rs_mmlu_pro_code's alone and the suite's `acc` is not lm-eval's group mean."""
    from reasoning_suite.harness_tasks.process import process_results_for

    info = TASKS["rs_c_code_summarization"]
    assert info.primary_metric == "rougeL"
    assert "acc" not in info.scorer.metric_names
    out = process_results_for(info.name, _rows(info.name)[0], [["\\boxed{returns the sum}"]])
    assert "acc" not in out and 0.0 <= out["rougeL"] <= 1.0
    kept, dropped = build_yaml.group_metrics("reasoning_suite_extended")
    assert "acc" in dropped and "acc" not in kept


def test_an_unknown_scorer_kind_is_refused_where_the_task_is_declared():
    from reasoning_suite.harness_tasks.registry import TaskInfo

    with pytest.raises(ValueError, match="unknown scorer kind 'essay'"):
        TaskInfo(name="rs_x", category="Math-OE", group="reasoning_suite", dataset_path="x", dataset_name=None,
                 split="test", size=1, judge_prompt="default", question=str, gold=str, kind="essay")


def _rs_eval(*args: str, cwd: Path) -> "subprocess.CompletedProcess[str]":
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "reasoning_suite", "eval", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("tasks, expected", [
    ("rs_gsm8", "unknown task or group 'rs_gsm8'; did you mean rs_gsm8k"),
    ("rs_gsm8k,reasoning_suite_extnded", "unknown task or group 'reasoning_suite_extnded'; did you mean reasoning_suite_extended"),
    ("rs_math_oe,rs_nothing_like_it", "unknown task or group 'rs_nothing_like_it'; `reasoning-suite tasks`"),
])
def test_eval_refuses_an_unknown_suite_task_in_one_line_before_lm_eval(tmp_path, tasks, expected):
    """The real entry point: one line on stderr, no traceback, lm-eval never started."""
    proc = _rs_eval("--offline", "--model", "hf", "--model_args", "pretrained=gpt2", "--tasks", tasks, cwd=tmp_path)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("path", ["./no_such_ckpt", "{tmp}/missing/final", "runs/a/b", "~/no-such-reasoning-suite-ckpt"])
def test_eval_refuses_a_missing_local_checkpoint_in_one_line_before_lm_eval(tmp_path, path):
    path = path.format(tmp=tmp_path)
    proc = _rs_eval("--offline", "--model", "hf", "--model_args", f"pretrained={path},dtype=float32",
                    "--tasks", "rs_gsm8k", cwd=tmp_path)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--model_args pretrained={path}: no such local checkpoint" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_eval_checks_leave_hub_ids_existing_paths_and_other_names_to_lm_eval(tmp_path):
    (tmp_path / "ckpt").mkdir()
    commands.check_local_checkpoints(f"pretrained={tmp_path / 'ckpt'},dtype=float32")
    commands.check_local_checkpoints("pretrained=./ckpt".replace("./", str(tmp_path) + "/"))
    commands.check_local_checkpoints("pretrained=HuggingFaceTB/SmolLM2-135M-Instruct,peft=org/adapter")
    commands.check_local_checkpoints("model=gpt-4o,base_url=http://localhost:8000/v1/completions")
    commands.check_local_checkpoints('{"pretrained": "./x"}')  # lm-eval's JSON form: its own checks
    commands.check_local_checkpoints(None)
    commands.check_task_names(["rs_gsm8k", "reasoning_suite", "rs_math_oe", "gsm8k", "rs_*", "my/rs_task.yaml", ""])
    with pytest.raises(UserError, match="peft=/nope/adapter"):
        commands.check_local_checkpoints("pretrained=gpt2,peft=/nope/adapter")
