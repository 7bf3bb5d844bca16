"""SFT on CPU with the tiny checkpoint: masking on a real collated batch, phase order, the
learning-rate trace of a real run, the run record, and a two-stage run."""

from __future__ import annotations

import json

import pytest

from reasoning_suite.trainers.build_data import build
from reasoning_suite.trainers.config import BuildDataConfig, StageConfig, TrainConfig
from reasoning_suite.trainers.schedule import wsd_for
from reasoning_suite.core.logged_run import RUN_RECORD
from reasoning_suite.trainers.sft import build_trainer, train

from trainers_fixtures import write_pairs


def _mixture(tmp_path, name="mix", n=12, **kw):
    pairs = write_pairs(tmp_path / f"{name}.pairs.jsonl", n)
    out = tmp_path / f"{name}.jsonl"
    build(BuildDataConfig(pairs=[str(pairs)], out=str(out), **kw))
    return out


def _cfg(model, out, *stages, **kw):
    base = dict(model=str(model), output_dir=str(out), stages=[StageConfig(str(s)) for s in stages],
                max_seq_length=256, global_batch_tokens=256, logging_steps=1, save_steps=10_000)
    base.update(kw)
    return TrainConfig(**base)


def _docs(batch):
    """Split a collated batch into (input_ids, labels) per document (padding-free or padded)."""
    ids, labels = batch["input_ids"], batch["labels"]
    docs = []
    if "position_ids" in batch:  # padding-free: one flat row, documents start at position 0
        pos = batch["position_ids"][0].tolist()
        starts = [i for i, p in enumerate(pos) if p == 0] + [len(pos)]
        for a, b in zip(starts, starts[1:]):
            docs.append((ids[0, a:b].tolist(), labels[0, a:b].tolist()))
    else:
        for row, lab, att in zip(ids, labels, batch["attention_mask"]):
            n = int(att.sum())
            docs.append((row[:n].tolist(), lab[:n].tolist()))
    return docs


@pytest.mark.parametrize("packing", [True, False])
def test_loss_masked_to_assistant_tokens(tmp_path, tiny_model_dir, packing):
    mix = tmp_path / "mix.jsonl"
    pairs = write_pairs(tmp_path / "pairs.jsonl", 6)
    build(BuildDataConfig(pairs=[str(pairs)], out=str(mix), ratio=0.5, system_prompt="You are a careful tutor."))
    examples = [json.loads(line) for line in mix.read_text().splitlines()]
    cfg = _cfg(tiny_model_dir, tmp_path / "out", mix, packing=packing, global_batch_tokens=256 * 4,
               per_device_batch_size=4)
    trainer, _, _ = build_trainer(cfg, cfg.stages[0], cfg.model, cfg.output_dir)
    tok = trainer.processing_class
    seen = 0
    for batch in trainer.get_train_dataloader():
        for ids, labels in _docs(batch):
            trained = [i for i, lab in enumerate(labels) if lab != -100]
            assert trained, "every document trains on its assistant turn"
            a, b = trained[0], trained[-1] + 1
            assert trained == list(range(a, b))  # one contiguous assistant span
            assert labels[a:b] == ids[a:b]  # labels equal input ids on assistant tokens
            assert all(lab == -100 for lab in labels[:a] + labels[b:])  # -100 on system/user/template tokens
            prefix, span = tok.decode(ids[:a]), tok.decode(ids[a:b])
            ex = next(e for e in examples if e["messages"][1]["content"] in prefix)
            assert "You are a careful tutor." in prefix and "<|im_start|>assistant" in prefix
            assert span == ex["messages"][2]["content"] + "<|im_end|>"  # the end-of-turn token is trained
            seen += 1
    assert seen == 6


def test_an_over_long_trace_is_dropped_whole_and_counted_never_cut(tmp_path, tiny_model_dir):
    """Cutting at max_seq_length kept the start, so the longest trace lost its `</think>` and answer."""
    from transformers import AutoTokenizer

    from reasoning_suite.trainers.sft_data import prepare, resolve_chat_template

    rows = [{"id": f"s{i}", "format": "reasoning", "phase": 0, "domain": "math", "messages": [
        {"role": "user", "content": f"What is {i}+1?"},
        {"role": "assistant", "content": f"<think>{i} plus one.</think> \\boxed{{{i + 1}}}"}]} for i in range(3)]
    rows.append({"id": "long", "format": "reasoning", "phase": 0, "domain": "math", "messages": [
        {"role": "user", "content": "What is 9+1?"},
        {"role": "assistant", "content": "<think>" + "counting on and on " * 60 + "</think> \\boxed{10}"}]})
    mix = tmp_path / "mix.jsonl"
    mix.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    _, template, _ = resolve_chat_template(tok, None, str(tiny_model_dir))
    data = prepare(str(mix), tok, template, max_length=128, packing=False, seed=0)
    assert data.dropped_too_long == 1 and data.num_examples == 3
    for row in data.dataset:
        trained = tok.decode([t for t in row["labels"] if t != -100])
        assert "</think>" in trained and "\\boxed{" in trained  # every kept row keeps its answer
    assert max(data.sequence_lengths) <= 128
    # generous enough: kept whole
    assert prepare(str(mix), tok, template, max_length=4096, packing=False, seed=0).dropped_too_long == 0


def test_the_student_trains_on_every_trace_the_teacher_may_write_by_default():
    from reasoning_suite.trainers.config import GenerateConfig

    assert TrainConfig().max_seq_length >= GenerateConfig().max_tokens_reasoning


def test_sequential_phases_keep_their_order_after_packing(tmp_path, tiny_model_dir):
    mix = _mixture(tmp_path, n=12, ratio=0.5, order="sequential")
    cfg = _cfg(tiny_model_dir, tmp_path / "out", mix, packing=True)
    trainer, data, _ = build_trainer(cfg, cfg.stages[0], cfg.model, cfg.output_dir)
    tok = trainer.processing_class
    kinds = []
    for batch in trainer.get_train_dataloader():
        for ids, _ in _docs(batch):
            kinds.append("reasoning" if "<think>" in tok.decode(ids) else "ift")
    assert kinds == ["ift"] * 6 + ["reasoning"] * 6
    assert data.phases == [0, 1]


def test_learning_rate_trace_of_a_training_run(tmp_path, tiny_model_dir):
    mix = _mixture(tmp_path, n=40, ratio=1.0)
    cfg = _cfg(tiny_model_dir, tmp_path / "out", mix, packing=False, warmup_steps=4, decay_steps=8,
               learning_rate=1e-3)
    trainer, _, _ = build_trainer(cfg, cfg.stages[0], cfg.model, cfg.output_dir)
    trainer.train()
    logged = [h["learning_rate"] for h in trainer.state.log_history if "learning_rate" in h]
    assert len(logged) == 40 == trainer.state.global_step
    schedule = wsd_for(40, 4, 8, 0.1)
    # lr logged at step s (1-based) is the one that step used: peak * factor(s - 1)
    assert logged == pytest.approx([1e-3 * schedule.factor(s) for s in range(40)])
    assert logged[3] == pytest.approx(1e-3) and logged[-1] == pytest.approx(1e-4)
    assert max(logged) == pytest.approx(1e-3) and logged[0] == pytest.approx(2.5e-4)


@pytest.mark.slow
def test_train_at_half_ratio_sequential_writes_record_and_loadable_checkpoint(tmp_path, tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from reasoning_suite.cli import main

    mix = _mixture(tmp_path, n=12, ratio=0.5, order="sequential")
    out = tmp_path / "student"
    rc = main(["train", "--model", str(tiny_model_dir), "--data", str(mix), "--output-dir", str(out),
               "--max-seq-length", "256", "--global-batch-tokens", "256"])
    assert rc == 0
    rec = json.loads((out / RUN_RECORD).read_text())
    for key in ("base_model", "format", "reasoning_ratio", "order", "stages", "data_sha256", "num_examples",
                "tokens_seen", "train_flops", "learning_rate", "wall_time_s", "config"):
        assert key in rec, key
    assert (rec["format"], rec["reasoning_ratio"], rec["order"], rec["num_examples"]) == ("reasoning", 0.5, "sequential", 12)
    assert rec["learning_rate"] == 2e-5  # paper Table 1, smallest row, reasoning column
    assert rec["teacher"] == "hand-written" and rec["stages"][0]["domains"] == ["math"]
    assert rec["tokens_seen"] > rec["stages"][0]["loss_tokens"] > 0
    assert rec["dropped_too_long"] == rec["stages"][0]["dropped_too_long"] == 0
    assert rec["train_flops"] is not None and rec["train_flops"]["paper"] > 0
    assert not list(out.glob("checkpoint-*"))
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert tok.chat_template and model.config.vocab_size == len(tok)


@pytest.mark.slow
def test_two_stage_run_general_then_math(tmp_path, tiny_model_dir):
    general = _mixture(tmp_path, "general", n=8, format="ift")
    math = _mixture(tmp_path, "math", n=8, ratio=1.0)
    cfg = _cfg(tiny_model_dir, tmp_path / "out", general, math)
    cfg.stages[0].name, cfg.stages[1].name = "general", "math"
    rec = train(cfg)
    first = tmp_path / "out" / "stage-1-general"
    assert json.loads((first / RUN_RECORD).read_text())["format"] == "ift"
    assert [s["name"] for s in rec["stages"]] == ["general", "math"]
    assert rec["stages"][1]["init_from"] == str(first)
    assert rec["stages"][0]["learning_rate"] == 1e-5 and rec["stages"][1]["learning_rate"] == 2e-5
    assert rec["tokens_seen"] == sum(s["tokens_seen"] for s in rec["stages"])
    assert rec["train_flops"]["paper"] == pytest.approx(sum(s["train_flops"]["paper"] for s in rec["stages"]))
    before = (tmp_path / "out" / "model.safetensors").stat().st_mtime_ns
    assert train(cfg) == rec  # a re-run finds both stages done and trains nothing
    assert (tmp_path / "out" / "model.safetensors").stat().st_mtime_ns == before


def test_student_from_a_base_tokenizer_stops_on_end_of_turn(tmp_path, tiny_model_dir):
    """A base checkpoint whose EOS is <|endoftext|> (like Qwen2.5 base) gets <|im_end|> as EOS."""
    import shutil

    from transformers import AutoTokenizer, GenerationConfig

    base = tmp_path / "base"
    shutil.copytree(tiny_model_dir, base)
    tok = AutoTokenizer.from_pretrained(base)
    tok.eos_token = "<|endoftext|>"
    tok.save_pretrained(base)
    mix = _mixture(tmp_path, n=4, ratio=1.0)
    train(_cfg(base, tmp_path / "out", mix))
    saved = AutoTokenizer.from_pretrained(tmp_path / "out")
    gen = GenerationConfig.from_pretrained(tmp_path / "out")
    assert saved.eos_token == "<|im_end|>"
    assert gen.eos_token_id[0] == saved.eos_token_id and saved.convert_tokens_to_ids("<|endoftext|>") in gen.eos_token_id


def test_chat_template_without_generation_markers(tiny_model_dir):
    """Qwen2.5's own template (no {% generation %}) is patched through TRL; an unknown one is a clear error."""
    from pathlib import Path

    import trl
    from transformers import AutoTokenizer

    from reasoning_suite.errors import UserError
    from reasoning_suite.trainers.sft_data import resolve_chat_template, tokenize_messages

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    qwen25 = (Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja").read_text()
    tok.chat_template = qwen25
    saved, training, _ = resolve_chat_template(tok, None, "Qwen/Qwen2.5-1.5B")
    assert saved == qwen25 and "generation" in training and training != qwen25
    msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}]
    ids, labels = tokenize_messages(tok, msgs, training)
    assert tok.decode([t for t in labels if t != -100]).strip() == "Hello there<|im_end|>"
    from reasoning_suite.trainers.sft_data import end_of_turn_id

    assert end_of_turn_id(tok, training) == tok.convert_tokens_to_ids("<|im_end|>")
    tok.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    with pytest.raises(UserError, match="--chat-template chatml"):
        resolve_chat_template(tok, None, "some/model")
    saved, training, how = resolve_chat_template(tok, "chatml", "some/model")
    assert "in place of the student's own" in how
    assert saved == training and "{% generation %}" in training


def test_interrupted_stage_resumes_from_its_checkpoint(tmp_path, tiny_model_dir):
    from transformers import TrainerCallback

    import reasoning_suite.trainers.sft as sft

    steps_run: list[int] = []

    class Watch(TrainerCallback):
        def __init__(self, stop_at):
            self.stop_at = stop_at

        def on_step_end(self, args, state, control, **kw):
            steps_run.append(state.global_step)
            if state.global_step == self.stop_at:
                raise KeyboardInterrupt  # as a Ctrl-C or a killed job would

    mix = _mixture(tmp_path, n=12, ratio=1.0)
    cfg = _cfg(tiny_model_dir, tmp_path / "out", mix, packing=False, save_steps=3)
    original = sft.build_trainer

    def watched(stop_at):
        def build(*a, **kw):
            trainer, data, info = original(*a, **kw)
            trainer.add_callback(Watch(stop_at))
            return trainer, data, info
        return build

    try:
        sft.build_trainer = watched(7)
        with pytest.raises(KeyboardInterrupt):
            train(cfg)
        assert (tmp_path / "out" / "checkpoint-6").is_dir() and not (tmp_path / "out" / RUN_RECORD).exists()
        steps_run.clear()
        sft.build_trainer = watched(-1)
        rec = train(cfg)
    finally:
        sft.build_trainer = original
    assert steps_run == list(range(7, 13))  # continued after checkpoint-6, did not start over
    assert rec["stages"][0]["optimizer_steps"] == 12
    assert not list((tmp_path / "out").glob("checkpoint-*"))


def test_packed_documents_do_not_attend_to_each_other(tmp_path, tiny_model_dir):
    """The trainer's loss on a packed row equals the token-weighted loss of its documents run alone
    (on CPU/sdpa transformers isolates documents from position_ids only without a KV cache)."""
    import torch

    mix = _mixture(tmp_path, n=12, ratio=0.5, order="mixed")
    cfg = _cfg(tiny_model_dir, tmp_path / "out", mix, packing=True)
    trainer, _, _ = build_trainer(cfg, cfg.stages[0], cfg.model, cfg.output_dir)
    batch = next(b for b in trainer.get_train_dataloader() if int((b["position_ids"][0] == 0).sum()) >= 3)
    model = trainer.model.eval()
    with torch.no_grad():
        packed_loss = float(trainer.compute_loss(model, dict(batch)))
        total = count = 0.0
        for ids, labels in _docs(batch):
            out = model(input_ids=torch.tensor([ids]), labels=torch.tensor([labels]), use_cache=False)
            n = sum(1 for label in labels[1:] if label != -100)
            total += float(out.loss) * n
            count += n
    assert packed_loss == pytest.approx(total / count, rel=1e-4)


def test_train_errors_are_one_line(tmp_path, tiny_model_dir, capsys, monkeypatch):
    from reasoning_suite.cli import main
    from reasoning_suite.trainers import sft

    mix = _mixture(tmp_path, n=4, ratio=1.0)
    assert main(["train", "--model", str(tiny_model_dir), "--data", str(tmp_path / "nope.jsonl"), "--output-dir", "o"]) == 2
    assert "nope.jsonl: no such mixture file" in capsys.readouterr().err
    import torch

    if not torch.cuda.is_available():  # a CPU without bf16 instructions (this one may have them)
        monkeypatch.setattr(sft, "cpu_bf16_fast", lambda: False)
        assert main(["train", "--model", str(tiny_model_dir), "--data", str(mix), "--output-dir", str(tmp_path / "o"),
                     "--precision", "bf16"]) == 2
        assert "--precision bf16 on a CPU needs bf16 instructions" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    assert main(["train", "--model", str(tiny_model_dir), "--data", str(bad), "--output-dir", str(tmp_path / "o")]) == 2
    assert "bad.jsonl:1: the conversation has no assistant message" in capsys.readouterr().err


@pytest.mark.parametrize("fast", [True, False])
def test_cpu_precision_bf16_only_where_the_cpu_has_bf16_instructions(monkeypatch, fast):
    import torch

    from reasoning_suite.errors import UserError
    from reasoning_suite.trainers import sft

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(sft, "cpu_bf16_fast", lambda: fast)
    cfg = dict(model="m", output_dir="o")
    assert sft._precision(TrainConfig(**cfg)) == (False, True)  # auto stays fp32 on a CPU
    assert sft._precision(TrainConfig(**cfg, precision="fp32")) == (False, True)
    if fast:
        assert sft._precision(TrainConfig(**cfg, precision="bf16")) == (True, True)
    else:
        with pytest.raises(UserError, match="bf16 instructions"):
            sft._precision(TrainConfig(**cfg, precision="bf16"))


def test_cpu_bf16_check_reads_the_processor():
    from pathlib import Path

    from reasoning_suite.devices import cpu_bf16_fast

    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        pytest.skip("no /proc/cpuinfo to read the processor's flags from")
    flags = {f for line in cpuinfo.read_text().splitlines() if line.startswith("flags") for f in line.split(":", 1)[1].split()}
    # the kernel's own list of the processor's instructions, not torch's probe
    assert cpu_bf16_fast() == bool(flags & {"avx512_bf16", "amx_bf16", "amx_tile"})
