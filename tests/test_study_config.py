"""The study config: validation with one-line errors, and the plan it turns into."""

from __future__ import annotations

import subprocess
import sys

import pytest
from reasoning_suite.errors import UserError
from reasoning_suite.study.config import load_study, study_from_dict
from reasoning_suite.study.plan import StudyLayout, plan
from reasoning_suite.study.runner import run_study

BASE = {
    "name": "s", "out_dir": "OUT", "base_model": "Qwen/Qwen2.5-0.5B",
    "pairs": {"import": "math"},
    "students": [{"name": "ift", "ratio": 0.0}, {"name": "half", "ratio": 0.5, "order": "mixed"}],
}


def _cfg(**over):
    data = {**BASE, **over}
    return study_from_dict(data)


@pytest.mark.parametrize("change, message", [
    ({"students": []}, "study.students: expected a non-empty list"),
    ({"students": [{"name": "a", "ratio": 1.5}]}, "study.students[0].ratio: must be in [0, 1]"),
    ({"students": [{"name": "a", "ratio": "x"}]}, "study.students[0].ratio: expected float"),
    ({"students": [{"name": "a", "ratio": 0.1, "order": "random"}]}, "study.students[0].order"),
    ({"students": [{"name": "a", "ratio": 0}, {"name": "a", "ratio": 1}]}, "student names must be unique"),
    ({"pairs": {"import": "math", "file": "p.jsonl"}}, "give exactly one of file, import, generate"),
    ({"pairs": {"imprt": "math"}}, "study.pairs.imprt: unknown field (allowed: file, generate, import,"),
    ({"eval": {"limt": 3}}, "study.eval.limt: unknown field"),
    ({"eval": {"thinking": "always"}}, "study.eval.thinking"),
    ({"judges": {"panel": "paper", "serve_local": True}}, "either panel or serve_local"),
    ({"base_model": None}, "study.base_model: must not be empty"),
])
def test_bad_configs_name_the_field(change, message):
    with pytest.raises(UserError, match=None) as err:
        _cfg(**change)
    assert message in str(err.value)


def test_missing_field_and_bad_yaml_are_one_line_errors(tmp_path):
    bad = tmp_path / "study.yaml"
    bad.write_text("name: x\nout_dir: o\n")
    with pytest.raises(UserError, match="missing required field 'base_model'"):
        load_study(bad)
    bad.write_text("name: [x\n")
    with pytest.raises(UserError, match=r"study.yaml line \d+: not valid YAML"):
        load_study(bad)
    out = subprocess.run([sys.executable, "-m", "reasoning_suite", "study", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr


def test_plan_follows_the_paper_protocol():
    cfg = _cfg(judges={"panel": "paper"}, eval={"gen_kwargs": "max_gen_toks=64", "repeats": 4})
    steps = {s.name: s for s in plan(cfg)}
    assert list(steps) == ["pairs", "data-ift", "train-ift", "data-half", "train-half", "eval-base", "eval-ift",
                           "eval-half", "judge-base", "judge-ift", "judge-half", "analyze", "leaderboard", "leaderboard-md"]
    assert steps["pairs"].argv[:2] == ["reasoning-suite", "import-pairs"] and "math" in steps["pairs"].argv
    data_half = steps["data-half"].argv
    assert data_half[data_half.index("--ratio") + 1] == "0.5" and data_half[data_half.index("--order") + 1] == "mixed"
    base, student = steps["eval-base"].argv, steps["eval-ift"].argv
    # base models three-shot without a chat template; students zero-shot with theirs
    assert base[base.index("--num_fewshot") + 1] == "3" and "--apply_chat_template" not in base
    assert "--num_fewshot" not in student and "--apply_chat_template" in student
    assert student[student.index("--repeats") + 1] == "4" and "--log_samples" in student
    assert any(a.startswith("pretrained=") and a.endswith("models/ift") for a in student)
    assert steps["judge-half"].argv[steps["judge-half"].argv.index("--panel") + 1] == "paper"
    assert "base=" in " ".join(steps["leaderboard"].argv)


def test_plan_without_judges_or_base_and_with_a_teacher():
    cfg = _cfg(evaluate_base=False, pairs={"generate": {"base_url": "http://127.0.0.1:9/v1", "model": "t",
                                                         "prompts_jsonl": "p.jsonl", "limit": 5}})
    names = [s.name for s in plan(cfg)]
    assert not any(n.startswith("judge-") for n in names) and "eval-base" not in names
    gen = plan(cfg)[0].argv
    assert gen[:2] == ["reasoning-suite", "generate"] and gen[gen.index("--limit") + 1] == "5"


def test_finished_steps_are_skipped_and_a_failing_step_is_one_line(tmp_path):
    cfg = _cfg(out_dir=str(tmp_path / "out"), pairs={"file": str(tmp_path / "missing.jsonl")})
    lay = StudyLayout(cfg.out_dir)
    with pytest.raises(UserError) as err:
        run_study(cfg, only=["pairs"])
    assert "step pairs failed" in str(err.value) and str(lay.log("pairs")) in str(err.value)
    assert "missing.jsonl" in str(err.value)
    assert not lay.marker("pairs").exists()
    # A finished step (marker + outputs) is not run again.
    lay.pairs.write_text("")
    lay.marker("pairs").parent.mkdir(parents=True, exist_ok=True)
    lay.marker("pairs").write_text("{}")
    assert run_study(cfg, only=["pairs"]) == [("pairs", "skipped", 0.0)]
    with pytest.raises(UserError, match="--only: unknown step 'nope'"):
        run_study(cfg, only=["nope"])


def test_demo_config_is_a_valid_study(tmp_path):
    from reasoning_suite.study.demo import demo_main

    # --teacher without its URL is a one-line mistake, caught before anything runs
    with pytest.raises(UserError, match="--teacher needs --teacher-url"):
        demo_main(["--out", str(tmp_path), "--teacher", "Qwen/Qwen3-8B"])
    assert not (tmp_path / "steps").exists()


def test_each_section_is_the_commands_own_config_and_its_steps_parse_back_to_it():
    """No hand mapping per flag: a section is the command's dataclass, the step's argv is
    `to_argv` of it, and the command's own parser reads that argv back to the same config."""
    from reasoning_suite.config_parsing import CommandParser
    from reasoning_suite.judges.config import JudgeConfig
    from reasoning_suite.trainers.config import BuildDataConfig, GenerateConfig, StageConfig, TrainConfig

    cfg = _cfg(
        train={"warmup_steps": 7, "packing": False, "accelerate_config": "fsdp", "num_processes": 8,
               "learning_rate": 1.0e-5},
        data={"keep_truncated": True, "seed": 3},
        students=[{"name": "ift", "ratio": 0.0}, {"name": "half", "ratio": 0.5, "order": "mixed", "learning_rate": 2.0e-6}],
        pairs={"generate": {"base_url": "http://127.0.0.1:9/v1", "model": "t", "dataset": "nemotron-math",
                            "split": "train", "max_tokens_reasoning": 4096}},
        judges={"panel": "paper", "limit": 2, "tasks": "rs_gsm8k"},
        eval={"thinking": "prompt-opened", "offline": True})
    assert type(cfg.train) is TrainConfig and type(cfg.pairs.generate) is GenerateConfig
    steps = {s.name: s for s in plan(cfg)}
    lay = StudyLayout("OUT")

    train = CommandParser(TrainConfig).parse(steps["train-half"].argv[2:])
    assert train == TrainConfig(model="Qwen/Qwen2.5-0.5B", output_dir=str(lay.model("half")),
                                stages=[StageConfig(str(lay.mixture("half")))], warmup_steps=7, packing=False,
                                accelerate_config="fsdp", num_processes=8, learning_rate=2e-6)
    assert CommandParser(TrainConfig).parse(steps["train-ift"].argv[2:]).learning_rate == 1e-5  # the section's
    data = CommandParser(BuildDataConfig).parse(steps["data-half"].argv[2:])
    assert (data.ratio, data.order, data.keep_truncated, data.seed) == (0.5, "mixed", True, 3)
    gen = CommandParser(GenerateConfig).parse(steps["pairs"].argv[2:])
    assert (gen.split, gen.max_tokens_reasoning, gen.out) == ("train", 4096, str(lay.pairs))
    judge = CommandParser(JudgeConfig).parse(steps["judge-half"].argv[2:])
    assert (judge.panel, judge.limit, judge.tasks) == ("paper", 2, "rs_gsm8k")
    ev = steps["eval-half"].argv
    assert ev[ev.index("--thinking") + 1] == "prompt-opened" and "--offline" in ev


def test_a_knob_left_out_keeps_the_commands_default():
    """The study declares no default of its own: an empty train section adds no flag."""
    steps = {s.name: s for s in plan(_cfg())}
    assert steps["train-ift"].argv[2:] == ["--model", "Qwen/Qwen2.5-0.5B", "--output-dir", str(StudyLayout("OUT").model("ift")),
                                           "--data", str(StudyLayout("OUT").mixture("ift"))]


@pytest.mark.parametrize("change, message", [
    ({"train": {"modle": "x"}}, "study.train.modle: unknown field"),
    ({"train": {"model": "x"}}, "study.train.model: unknown field"),  # the study fills it in
    ({"train": {"max_seq_length": 0}}, "study.train.max_seq_length: must be >= 1, got 0"),
    ({"train": {"precision": "fp16"}}, "study.train.precision: must be one of auto, bf16, fp32"),
    ({"pairs": {"generate": {"model": "t"}}}, "study.pairs.generate: missing required field 'base_url'"),
    ({"judges": {"samples": ["x"]}}, "study.judges.samples: unknown field"),
    ({"data": {"ratio": 2}}, "study.data.ratio: must be in [0, 1], got 2"),
])
def test_section_mistakes_name_the_field(change, message):
    with pytest.raises(UserError) as err:
        _cfg(**change)
    assert message in str(err.value)


def test_the_poll_interval_and_the_paths_have_one_owner():
    """Both executors wait with StudyLayout's poll interval (10 s in one and 5 s in the other
    before); the Slurm files live where the layout says."""
    import inspect

    from reasoning_suite.study import slurm
    from reasoning_suite.study.plan import POLL_SECONDS

    assert StudyLayout.poll_seconds == POLL_SECONDS == 10.0
    for fn in (slurm.submit_study, slurm.wait_for):
        assert inspect.signature(fn).parameters["poll_seconds"].default == StudyLayout.poll_seconds, fn
    lay = StudyLayout("/tmp/x")
    assert slurm.JobsFile(lay).path == lay.jobs_file == lay.slurm_dir / "jobs.json"
    assert lay.slurm_out("pairs", "42") == lay.logs_dir / "pairs.slurm-42.out"
    assert lay.lm_cache("base").parent.parent == lay.eval_dir("base")
