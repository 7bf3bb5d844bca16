"""The shipped FSDP2 config trains on 2 CPU processes (gloo): the model is really sharded, the
saved student has a single-process run's keys, shapes and dtypes, loads in transformers, and its
weights match the single-process student trained on the same token batches."""

from __future__ import annotations

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


@pytest.mark.slow
def test_fsdp2_on_two_cpu_processes_saves_the_single_process_student(tmp_path, tiny_model_dir):
    import torch
    from reasoning_suite.trainers.build_data import build
    from reasoning_suite.trainers.config import BuildDataConfig
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    build(BuildDataConfig(pairs=[str(write_pairs(tmp_path / "pairs.jsonl", 12))], out=str(tmp_path / "mix.jsonl"),
                          ratio=0.5))
    sharded = _train(tmp_path, tiny_model_dir, "fsdp", "--accelerate-config", "fsdp", "--num-processes", "2")
    assert sharded.returncode == 0, sharded.stderr[-4000:]
    assert "FSDP2 on 2 CPU processes (gloo)" in sharded.stderr
    assert "FSDP2: rank 0 held 50.0% of the" in sharded.stderr  # sharded, not a DDP replica
    single = _train(tmp_path, tiny_model_dir, "single")
    assert single.returncode == 0, single.stderr[-4000:]

    # the same run record, the global token batch split over 2 processes instead of accumulated
    rec_f = json.loads((tmp_path / "fsdp" / "reasoning_suite_run.json").read_text())
    rec_s = json.loads((tmp_path / "single" / "reasoning_suite_run.json").read_text())
    flat_f, flat_s = _flat(rec_f), _flat(rec_s)
    assert set(flat_f) == set(flat_s)
    differ = {k for k in flat_f if flat_f[k] != flat_s[k]}
    assert differ <= {"stages[0].batch.grad_accum", "stages[0].batch.world_size", "stages[0].train_loss",
                      "stages[0].wall_time_s", "wall_time_s", "stages[0].output_dir", "config.output_dir"}, differ
    bf, bs = rec_f["stages"][0]["batch"], rec_s["stages"][0]["batch"]
    assert (bf["world_size"], bf["grad_accum"], bs["world_size"], bs["grad_accum"]) == (2, 2, 1, 4)
    assert bf["tokens_per_step"] == bs["tokens_per_step"] == 512
    assert rec_f["stages"][0]["optimizer_steps"] == rec_s["stages"][0]["optimizer_steps"] > 1

    # the saved student: same keys, shapes, dtypes as the single-process one (the tied lm_head is not
    # written twice), loadable, and trained: it moved from the base as far as the single one did
    f, s = load_file(tmp_path / "fsdp" / "model.safetensors"), load_file(tmp_path / "single" / "model.safetensors")
    base = load_file(Path(tiny_model_dir) / "model.safetensors")
    assert {k: (v.shape, v.dtype) for k, v in f.items()} == {k: (v.shape, v.dtype) for k, v in s.items()}
    keys = sorted(s)

    def vec(sd):
        return torch.cat([sd[k].flatten() for k in keys])

    update = (vec(s) - vec(base)).norm()
    assert update > 0 and (vec(f) - vec(base)).norm() > 0.5 * update
    gap = ((vec(f) - vec(s)).norm() / update).item()
    assert gap < 0.1, f"FSDP and single-process students differ by {gap:.3f} of the update"
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "fsdp")
    assert sum(p.numel() for p in model.parameters()) == rec_f["num_params"]
    for name in ("tokenizer.json", "chat_template.jinja", "generation_config.json"):
        assert (tmp_path / "fsdp" / name).exists()
    print(f"fsdp2 x2: {rec_f['wall_time_s']:.1f} s, single: {rec_s['wall_time_s']:.1f} s, "
          f"{bf['tokens_per_step']} tokens/step, {rec_f['stages'][0]['optimizer_steps']} steps, "
          f"gap {gap:.4f} of the update")
