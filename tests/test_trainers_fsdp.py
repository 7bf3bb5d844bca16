"""The shipped sharded configs train on 2 CPU processes (gloo): FSDP2 always, DeepSpeed ZeRO-3
where `deepspeed` is installed. The model is really sharded, the saved student has a
single-process run's keys, shapes and dtypes, loads in transformers, and its weights match the
single-process student trained on the same token batches."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from trainers_fixtures import write_pairs


def _train(tmp_path: Path, tiny_model_dir: Path, out: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoning_suite", "train", "--model", str(tiny_model_dir),
                           "--data", "mix.jsonl", "--output-dir", out, "--max-seq-length", "128",
                           "--global-batch-tokens", "512", *extra],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for i, x in enumerate(v):
                out.update(_flat(x, f"{prefix}{k}[{i}]."))
        else:
            out[prefix + k] = v
    return out


@pytest.fixture(scope="module")
def single_run(tmp_path_factory, tiny_model_dir) -> Path:
    """The mixture and the single-process student every sharded run is compared with."""
    from reasoning_suite.trainers.build_data import build
    from reasoning_suite.trainers.config import BuildDataConfig

    root = tmp_path_factory.mktemp("sharded")
    build(BuildDataConfig(pairs=[str(write_pairs(root / "pairs.jsonl", 12))], out=str(root / "mix.jsonl"), ratio=0.5))
    single = _train(root, tiny_model_dir, "single")
    assert single.returncode == 0, single.stderr[-4000:]
    return root


@pytest.mark.slow
@pytest.mark.parametrize("config, how", [
    ("fsdp", "FSDP2"),
    pytest.param("deepspeed_zero3", "ZeRO-3", marks=pytest.mark.skipif(
        importlib.util.find_spec("deepspeed") is None,
        reason="deepspeed not installed (pip install 'reasoning-suite[deepspeed]'); ZeRO-3 is checked where it is")),
])
def test_sharded_training_on_two_cpu_processes_saves_the_single_process_student(single_run, tiny_model_dir, config, how):
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    tmp_path = single_run
    sharded = _train(tmp_path, tiny_model_dir, config, "--accelerate-config", config, "--num-processes", "2")
    assert sharded.returncode == 0, sharded.stderr[-4000:]
    if how == "FSDP2":
        assert "FSDP2 on 2 CPU processes (gloo)" in sharded.stderr
    assert f"{how}: rank 0 held 50.0% of the" in sharded.stderr  # sharded, not a DDP replica

    # the same run record, the global token batch split over 2 processes instead of accumulated
    rec_f = json.loads((tmp_path / config / "reasoning_suite_run.json").read_text())
    rec_s = json.loads((tmp_path / "single" / "reasoning_suite_run.json").read_text())
    flat_f, flat_s = _flat(rec_f), _flat(rec_s)
    assert set(flat_f) == set(flat_s)
    differ = {k for k in flat_f if flat_f[k] != flat_s[k]}
    assert differ <= {"stages[0].batch.grad_accum", "stages[0].batch.world_size", "stages[0].train_loss",
                      "stages[0].wall_time_s", "wall_time_s", "stages[0].output_dir", "config.output_dir"}, differ
    assert rec_f["precision"] == rec_s["precision"] == "fp32"
    bf, bs = rec_f["stages"][0]["batch"], rec_s["stages"][0]["batch"]
    assert (bf["world_size"], bf["grad_accum"], bs["world_size"], bs["grad_accum"]) == (2, 2, 1, 4)
    assert bf["tokens_per_step"] == bs["tokens_per_step"] == 512
    assert rec_f["stages"][0]["optimizer_steps"] == rec_s["stages"][0]["optimizer_steps"] > 1

    # the saved student: same keys, shapes, dtypes as the single-process one (the tied lm_head is not
    # written twice), loadable, and trained: it moved from the base as far as the single one did
    f, s = load_file(tmp_path / config / "model.safetensors"), load_file(tmp_path / "single" / "model.safetensors")
    base = load_file(Path(tiny_model_dir) / "model.safetensors")
    assert {k: (v.shape, v.dtype) for k, v in f.items()} == {k: (v.shape, v.dtype) for k, v in s.items()}
    keys = sorted(s)

    def vec(sd):
        return torch.cat([sd[k].flatten() for k in keys])

    update = (vec(s) - vec(base)).norm()
    assert update > 0 and (vec(f) - vec(base)).norm() > 0.5 * update
    gap = ((vec(f) - vec(s)).norm() / update).item()
    assert gap < 0.1, f"{how} and single-process students differ by {gap:.3f} of the update"
    model = AutoModelForCausalLM.from_pretrained(tmp_path / config)
    assert sum(p.numel() for p in model.parameters()) == rec_f["num_params"]
    for name in ("tokenizer.json", "chat_template.jinja", "generation_config.json"):
        assert (tmp_path / config / name).exists()
    print(f"{how} x2: {rec_f['wall_time_s']:.1f} s, single: {rec_s['wall_time_s']:.1f} s, "
          f"{bf['tokens_per_step']} tokens/step, {rec_f['stages'][0]['optimizer_steps']} steps, "
          f"gap {gap:.4f} of the update")


def test_the_launcher_runs_fp32_where_the_trainer_does():
    """A shipped config says bf16; on CPU the trainer runs fp32 and the launcher must agree
    (DeepSpeed refuses a bf16 config under fp32 training arguments)."""
    from reasoning_suite.trainers.commands import accelerate_command

    cmd = accelerate_command(["--model", "m", "--accelerate-config", "deepspeed_zero3"], "deepspeed_zero3", 2, "no")
    assert cmd[cmd.index("--mixed_precision") + 1] == "no" and cmd[-4:] == ["reasoning_suite", "train", "--model", "m"]
