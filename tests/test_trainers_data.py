"""Records, formats, mixtures, schedule, batch and lr rules, import: pure parts of the trainers."""

from __future__ import annotations

import json

import pytest

from reasoning_suite.errors import UserError
from reasoning_suite.trainers.batching import token_batch
from reasoning_suite.trainers.build_data import build, meta_path, read_mixture
from reasoning_suite.config_parsing import CommandParser
from reasoning_suite.trainers.config import BuildDataConfig, TrainConfig
from reasoning_suite.trainers.formats import build_example
from reasoning_suite.trainers.import_pairs import import_pairs
from reasoning_suite.trainers.mixtures import assign, reasoning_count
from reasoning_suite.trainers.peak_lr import peak_learning_rate
from reasoning_suite.trainers.records import PairRecord, read_pairs
from reasoning_suite.trainers.schedule import wsd_for
from reasoning_suite.trainers.thinking import split_reply

from trainers_fixtures import pair, write_pairs


# -- thinking split ---------------------------------------------------------------------------

@pytest.mark.parametrize("content,reasoning,expected", [
    ("<think>\nstep 1\n</think>\n\nAnswer 4", None, ("step 1", "Answer 4")),
    ("step 1\n</think>\nAnswer 4", None, ("step 1", "Answer 4")),  # template opened <think> in the prompt
    ("<think>never closed", None, ("never closed", "")),  # no final answer
    ("plain answer", None, (None, "plain answer")),
    ("Answer 4", "step 1", ("step 1", "Answer 4")),  # vLLM reasoning parser
    ("<think>a</think>b</think>final", None, ("a</think>b", "final")),  # last </think> wins
    ("<think>\n\n</think>\n\nIFT answer", None, ("", "IFT answer")),
    # re-opened after the last close: the box was tentative, the reply has no answer
    ("<think>a</think> \\boxed{yes} <think>wait", None, ("a</think> \\boxed{yes} <think>wait", "")),
    ("\\boxed{yes} <think>wait", "a", ("a\nwait", "")),  # parser split the first block off
    ("<think>x</think>", None, ("x", "")),
])
def test_split_reply(content, reasoning, expected):
    assert split_reply(content, reasoning) == expected


def test_a_reopened_trace_is_never_trained_as_the_answer(tmp_path):
    """The mixed case through import and the formats: the trainer must not learn `<think>wait`."""
    src = tmp_path / "pairs.jsonl"
    src.write_text(json.dumps({"prompt": "Is it?", "ift": "yes", "reasoning": "<think>a</think> \\boxed{yes} <think>wait"}) + "\n")
    from reasoning_suite.trainers.formats import usable
    from reasoning_suite.trainers.import_pairs import convert_row

    rec = convert_row(json.loads(src.read_text()), "pairs.jsonl:1", "local", None)
    assert rec.reasoning.answer == "" and "<think>wait" not in rec.reasoning.answer
    assert not usable(rec.reasoning, needs_thinking=True)
    assert not usable(rec.reasoning, needs_thinking=False, keep_truncated=True)


# -- records ----------------------------------------------------------------------------------

def test_pairs_roundtrip_and_errors(tmp_path):
    p = write_pairs(tmp_path / "pairs.jsonl", 3)
    recs = read_pairs(p)
    assert [r.id for r in recs] == ["p00", "p01", "p02"]
    assert recs[0].to_json() == pair(0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(pair(0)) + "\n" + json.dumps({"id": "x"}) + "\n")
    with pytest.raises(UserError, match=r"bad.jsonl:2: field 'prompt'"):
        read_pairs(bad)
    dup = tmp_path / "dup.jsonl"
    dup.write_text(json.dumps(pair(0)) + "\n" + json.dumps(pair(0)) + "\n")
    with pytest.raises(UserError, match=r"dup.jsonl:2: duplicate id"):
        read_pairs(dup)
    torn = tmp_path / "torn.jsonl"
    torn.write_text(json.dumps(pair(0)) + "\n" + json.dumps(pair(1))[:40])
    assert [r.id for r in read_pairs(torn)] == ["p00"]  # a killed writer's torn line is skipped


# -- formats ----------------------------------------------------------------------------------

def test_each_format_renders_the_right_assistant_text():
    rec = PairRecord.from_json(pair(1), "t")
    text = {k: build_example(rec, k, summary="I add them.")["messages"][-1]["content"]
            for k in ("ift", "reasoning", "answer_only", "think_summary")}
    assert text["ift"] == "The answer is \\boxed{16}."
    assert text["reasoning"] == "<think>\nAdd 4 and 12 to get 16.\n</think>\n\nSo the sum is \\boxed{16}."
    assert text["answer_only"] == "So the sum is \\boxed{16}."
    assert "<think>" not in text["answer_only"]
    assert text["think_summary"] == "<think>\nI add them.\n</think>\n\nSo the sum is \\boxed{16}."
    ex = build_example(rec, "ift", system_prompt="Be brief.")
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant"]
    with pytest.raises(UserError, match="needs a summary"):
        build_example(rec, "think_summary")


# -- mixtures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ratio,n,expected", [(0.5, 12, 6), (0.25, 10, 3), (0.75, 10, 8), (0.0, 7, 0), (1.0, 7, 7), (0.5, 5, 3)])
def test_exact_ratio_counts(ratio, n, expected):
    ids = [f"id{i}" for i in range(n)]
    plan = assign(ids, ratio, "mixed", seed=1)
    assert reasoning_count(ratio, n) == expected
    assert sum(a.side == "reasoning" for a in plan) == expected
    assert sorted(a.id for a in plan) == sorted(ids)  # each prompt exactly once


def test_mixture_is_reproducible_and_order_independent():
    ids = [f"id{i}" for i in range(40)]
    a = assign(ids, 0.5, "sequential", seed=3)
    b = assign(list(reversed(ids)), 0.5, "sequential", seed=3)
    assert a == b
    c = assign(ids, 0.5, "sequential", seed=4)
    assert {x.id for x in a if x.side == "reasoning"} != {x.id for x in c if x.side == "reasoning"}


def test_sequential_puts_ift_first_mixed_interleaves():
    ids = [f"id{i}" for i in range(40)]
    seq = assign(ids, 0.5, "sequential", seed=0)
    kinds = [a.side for a in seq]
    assert kinds == ["ift"] * 20 + ["reasoning"] * 20
    assert [a.phase for a in seq] == [0] * 20 + [1] * 20
    mixed = assign(ids, 0.5, "mixed", seed=0)
    assert {a.phase for a in mixed} == {0}
    assert [a.side for a in mixed] != kinds  # shuffled together
    with pytest.raises(UserError, match="--ratio"):
        assign(ids, 1.5)


def test_build_data_writes_mixture_and_recipe(tmp_path):
    pairs = write_pairs(tmp_path / "pairs.jsonl", 12)
    out = tmp_path / "mix.jsonl"
    meta = build(BuildDataConfig(pairs=[str(pairs)], out=str(out), ratio=0.5, order="sequential", seed=7))
    examples, meta2 = read_mixture(out)
    assert meta == meta2 and meta_path(out).exists()
    assert (meta["num_ift"], meta["num_reasoning"]) == (6, 6)
    assert [e["format"] for e in examples] == ["ift"] * 6 + ["reasoning"] * 6
    again = tmp_path / "again.jsonl"
    build(BuildDataConfig(pairs=[str(pairs)], out=str(again), ratio=0.5, order="sequential", seed=7))
    assert again.read_text() == out.read_text()
    ao = build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "ao.jsonl"), format="answer_only", ratio=1.0))
    assert ao["format"] == "answer_only"
    ift = build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "ift.jsonl"), format="ift"))
    assert (ift["reasoning_ratio"], ift["num_reasoning"], ift["format"]) == (0.0, 0, "ift")


def test_build_data_drops_truncated_reasoning(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [pair(i, finish="length" if i < 2 else "stop") for i in range(6)]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "m.jsonl"), ratio=1.0))
    assert (meta["num_examples"], meta["dropped_unusable"]) == (4, 2)
    kept = build(BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "k.jsonl"), ratio=1.0, keep_truncated=True))
    assert kept["num_examples"] == 6


def test_think_summary_needs_summaries(tmp_path):
    pairs = write_pairs(tmp_path / "pairs.jsonl", 4)
    cfg = BuildDataConfig(pairs=[str(pairs)], out=str(tmp_path / "s.jsonl"), format="think_summary", ratio=1.0)
    with pytest.raises(UserError, match="have no summary"):
        build(cfg)
    meta = build(cfg, {f"p{i:02d}": f"summary {i}" for i in range(4)})
    examples, _ = read_mixture(cfg.out)
    assert meta["format"] == "think_summary"
    assert all(e["messages"][-1]["content"].startswith("<think>\nsummary ") for e in examples)


# -- schedule, batch, lr ----------------------------------------------------------------------

def test_wsd_shape_paper_length():
    s = wsd_for(1000)
    lr = [s.factor(i) for i in range(1000)]
    assert (s.warmup_steps, s.decay_steps, s.stable_steps) == (150, 300, 550)
    assert lr[0] == pytest.approx(1 / 150) and lr[149] == 1.0
    assert all(b > a for a, b in zip(lr[:149], lr[1:150]))  # linear warmup
    assert set(lr[150:700]) == {1.0}  # plateau
    assert lr[-1] == pytest.approx(0.1) and all(b < a for a, b in zip(lr[700:], lr[701:]))
    assert lr[850] == pytest.approx(1 - 0.9 * 151 / 300)  # linear decay


def test_wsd_short_run_scales_in_proportion():
    s = wsd_for(30)
    assert (s.warmup_steps, s.decay_steps, s.stable_steps) == (10, 20, 0)
    assert s.factor(29) == pytest.approx(0.1)
    assert wsd_for(450).stable_steps == 0 and wsd_for(451).stable_steps == 1
    assert wsd_for(1).factor(0) == 1.0


def test_lr_trace_through_a_real_optimizer():
    """The trainer's scheduler (LambdaLR over a torch optimizer) follows the WSD factor."""
    import torch

    from reasoning_suite.trainers.schedule import lambda_lr

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=2e-5, fused=False)
    sched = lambda_lr(opt, wsd_for(600))
    trace = []
    for _ in range(600):
        trace.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert trace[0] == pytest.approx(2e-5 / 150)
    assert trace[149] == pytest.approx(2e-5) and trace[299] == pytest.approx(2e-5)
    assert trace[-1] == pytest.approx(2e-6)


def test_the_trainers_default_batch_on_16_processes_is_the_papers():
    """262,144 tokens on 16 processes: 1 per device x 1 accumulation x 16 x 16,384 (the paper's
    training length, appendix F.4). The generation length of Fig. 16, 32,768, once the default,
    made the step 1 x 1 x 16 x 32,768 = 524,288 tokens, twice the paper's batch."""
    from reasoning_suite.core.lengths import GENERATION_BUDGET, LONG_GENERATION_BUDGET, TRAIN_SEQ_LENGTH
    from reasoning_suite.harness_tasks.build_yaml import GENERATION_KWARGS
    from reasoning_suite.config_parsing import default_of
    from reasoning_suite.trainers.config import GenerateConfig, TrainConfig

    cfg = TrainConfig(model="m", output_dir="o", stages=["mix.jsonl"])
    assert cfg.max_seq_length == TRAIN_SEQ_LENGTH == 16_384
    b = cfg.token_batch(16)
    assert (b.per_device_batch, b.grad_accum, b.world_size, b.max_seq_length) == (1, 1, 16, 16_384)
    assert b.tokens_per_step == cfg.global_batch_tokens == 262_144
    assert "1 per device × 1 accumulation × 16 processes × 16384 tokens" in b.describe()
    # the other length: what an evaluated model may write (16,384; Fig. 16 runs 32,768)
    assert GENERATION_KWARGS["max_gen_toks"] == GENERATION_BUDGET == 16_384 and LONG_GENERATION_BUDGET == 32_768
    # the teacher's reasoning budget: no longer than a trace the student can train on
    assert default_of(GenerateConfig, "max_tokens_reasoning") == TRAIN_SEQ_LENGTH


def test_token_batch():
    b = token_batch(262_144, 16_384, per_device_batch=1, world_size=16)
    assert (b.grad_accum, b.tokens_per_step) == (1, 262_144)
    b = token_batch(262_144, 4096, per_device_batch=2, world_size=3)
    assert b.grad_accum == 11 and b.tokens_per_step >= 262_144  # ceil: never below the target
    assert token_batch(1000, 512).grad_accum == 2


@pytest.mark.parametrize("params,reasoning,lr,row", [
    (494_000_000, True, 2e-5, "Qwen2.5-0.5B"), (494_000_000, False, 1e-5, "Qwen2.5-0.5B"),
    (1_000_000_000, True, 1e-5, "Qwen2.5-1.5B"), (7_600_000_000, False, 3e-6, "Qwen2.5-7B"),
    (100_000, True, 2e-5, "Qwen2.5-0.5B"), (70_000_000_000, True, 3e-6, "Qwen2.5-14B"),
])
def test_peak_lr_table(params, reasoning, lr, row):
    assert peak_learning_rate(params, reasoning) == (lr, row)


def test_config_file_and_flags(tmp_path):
    f = tmp_path / "train.yaml"
    f.write_text("model: m\noutput_dir: o\nlearning_rate: 1.0e-5\nstages:\n  - {name: general, data: g.jsonl}\n  - math=m.jsonl\n")
    parser = CommandParser(TrainConfig, config_file=True, prog="train")
    cfg = parser.parse(["--config", str(f), "--learning-rate", "3e-6"])
    assert cfg.learning_rate == 3e-6 and cfg.packing is True  # the flag wins over the file, the file over defaults
    assert [(s.name, s.data) for s in cfg.stages] == [("general", "g.jsonl"), ("math", "m.jsonl")]
    # a --data flag replaces the file's stages instead of adding to them
    assert [s.data for s in parser.parse(["--config", str(f), "--data", "x.jsonl"]).stages] == ["x.jsonl"]
    (tmp_path / "bad.yaml").write_text("modle: m\n")
    with pytest.raises(UserError, match="bad.yaml: modle: unknown field"):
        parser.parse(["--config", str(tmp_path / "bad.yaml")])
    (tmp_path / "bad.yaml").write_text("model: m\nmax_seq_length: long\n")
    with pytest.raises(UserError, match="bad.yaml: max_seq_length: expected int"):
        parser.parse(["--config", str(tmp_path / "bad.yaml")])
    with pytest.raises(UserError, match=r"^train: --output-dir is required"):
        parser.parse(["--model", "m", "--data", "d.jsonl"])
    with pytest.raises(UserError, match=r"^train: --max-seq-length: must be >= 1, got 0$"):
        parser.parse(["--model", "m", "--data", "d.jsonl", "--output-dir", "o", "--max-seq-length", "0"])


def test_every_trainer_command_round_trips_through_its_command_line():
    from reasoning_suite.config_parsing import to_argv
    from reasoning_suite.trainers.config import GenerateConfig, ImportPairsConfig, StageConfig

    configs = [
        TrainConfig(model="m", output_dir="o", stages=[StageConfig("g.jsonl", "general"), StageConfig("m.jsonl")],
                    packing=False, learning_rate=1e-5, accelerate_config="fsdp", num_processes=4),
        BuildDataConfig(pairs=["a.jsonl", "b.jsonl"], out="mix.jsonl", ratio=0.25, order="mixed", keep_truncated=True),
        GenerateConfig(out="p.jsonl", base_url="http://h/v1", model="t", prompts_jsonl="q.jsonl", split="math",
                       modes=["reasoning"], progress=False, max_tokens_reasoning=64),
        ImportPairsConfig(out="p.jsonl", dataset="math", limit=3),
    ]
    for cfg in configs:
        argv = to_argv(cfg)
        assert CommandParser(type(cfg)).parse(argv) == cfg, argv
    assert to_argv(configs[0])[:6] == ["--model", "m", "--output-dir", "o", "--data", "general=g.jsonl"]
    assert "--prompts" in to_argv(configs[2]) and to_argv(BuildDataConfig()) == []


# -- import of the authors' pairs ---------------------------------------------------------------

def test_import_published_pairs_schema(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"prompt": "What is 2+2?", "reasoning": "<think>\n2 plus 2 is 4.\n</think>\n\nThe answer is 4.", "ift": "4"},
        {"prompt": "Name a prime.", "reasoning": "<think>\n2 is prime.\n</think>\n\n2", "ift": "<think>\n\n</think>\n\n2"},
        {"prompt": "What is 2+2?", "reasoning": "dup", "ift": "dup"},
    ]
    src = tmp_path / "reasoning_ift_pairs.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    out = tmp_path / "pairs.jsonl"
    assert import_pairs(str(out), local=str(src), domain="math") == 2
    recs = read_pairs(out)
    assert recs[0].reasoning.thinking == "2 plus 2 is 4." and recs[0].reasoning.answer == "The answer is 4."
    assert recs[1].ift.answer == "2"
    assert {r.teacher for r in recs} == {None}  # a local file's teacher is unknown unless given
    assert import_pairs(str(out), local=str(src), teacher="me/my-teacher") == 2
    assert {r.teacher for r in read_pairs(out)} == {"me/my-teacher"}
    from reasoning_suite.trainers.import_pairs import default_teacher

    assert default_teacher("math", None) == "Qwen/Qwen3-235B-A22B"  # the authors' datasets
    assert default_teacher("Scale-or-Reason/general-reasoning-ift-pairs", None) == "Qwen/Qwen3-235B-A22B"
    assert default_teacher("someone/pairs", None) is None
    # build-data on a published-schema file says to import it first
    from reasoning_suite.trainers.build_data import load_pairs

    raw = tmp_path / "raw.jsonl"
    raw.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]))
    with pytest.raises(UserError, match=r"raw.jsonl:1: this is a published-schema file.*import-pairs --file"):
        load_pairs([str(raw)])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "x", "reasoning": 1, "ift": "y"}) + "\n")
    with pytest.raises(UserError, match="field 'reasoning' must be a string"):
        import_pairs(str(tmp_path / "o.jsonl"), local=str(bad))


def test_every_ratio_draws_from_the_same_prompts(tmp_path):
    rows = [pair(i, finish="length" if i == 0 else "stop") for i in range(6)]
    rows[1]["ift"] = None  # a prompt whose IFT answer is missing
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ids = {}
    for ratio in (0.0, 0.5, 1.0):
        out = tmp_path / f"m{ratio}.jsonl"
        meta = build(BuildDataConfig(pairs=[str(pairs)], out=str(out), ratio=ratio))
        ids[ratio] = sorted(e["id"] for e in read_mixture(out)[0])
        assert meta["dropped_unusable"] == 2
    assert ids[0.0] == ids[0.5] == ids[1.0] == ["p02", "p03", "p04", "p05"]
    only_reasoning = tmp_path / "r.jsonl"
    only_reasoning.write_text("".join(json.dumps({**pair(i), "ift": None}) + "\n" for i in range(4)))
    assert build(BuildDataConfig(pairs=[str(only_reasoning)], out=str(tmp_path / "r1.jsonl"), ratio=1.0))["num_examples"] == 4
    with pytest.raises(UserError, match="no prompt has usable answers"):
        build(BuildDataConfig(pairs=[str(only_reasoning)], out=str(tmp_path / "r0.jsonl"), ratio=0.5))
