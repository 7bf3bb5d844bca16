"""Sweep of the demo's recipe (reasoning_suite.study.demo_recipe) on SmolLM2-135M-Instruct.

For each point (peak learning rate : tokens per optimizer step): train the IFT and the reasoning
student on the demo's teacher pairs with the package's own commands (import-pairs, build-data,
train), then decode greedily on held-out prompts (teacher_pairs.heldout_prompts: same templates,
another seed; plus the real offline documents of the demo's tasks the demo does not evaluate) and print train time, optimizer steps, the share of replies that open and close
<think>, that contain \\boxed{}, and the mean reply tokens. The base model is the baseline row,
measured in the same run. Halving the tokens per step doubles the steps over the same one epoch
at about the same compute (a step's cost is its tokens).

    python benchmarks/sweep_demo_recipe.py --points 1e-4:1024 2e-4:1024 5e-4:1024 2e-4:512 2e-4:1024:bf16 --out /tmp/sweep

A point is LR:TOKENS_PER_STEP[:PRECISION][:loraR] (precision bf16 needs a GPU or a CPU with bf16
instructions). `loraR` trains a rank-R LoRA adapter (peft, every linear layer of the blocks, alpha
2R) through the package's own trainer (`trainers.sft.build_trainer`, the same data, batch, WSD and
precision) instead of the full weights, and merges it for decoding: the comparison issue 17 asked
for before adopting LoRA (`pip install '.[lora]'`: peft is not a dependency of the package itself):

    python benchmarks/sweep_demo_recipe.py --points 2e-4:512:bf16 2e-4:512:bf16:lora16 1e-3:512:bf16:lora16
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _rs(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "reasoning_suite", *args], check=True, stdout=subprocess.DEVNULL)


def _train_lora(base: str, data: Path, out_dir: Path, train: dict, rank: int) -> int:
    """Train a LoRA adapter with the package's trainer, merge it, save a plain checkpoint; return steps."""
    from peft import LoraConfig, get_peft_model

    from reasoning_suite.trainers import sft
    from reasoning_suite.trainers.config import StageConfig, TrainConfig

    cfg = TrainConfig(model=base, output_dir=str(out_dir), stages=[StageConfig(data=str(data))],
                      save_steps=100_000, resume=False, **train)
    trainer, _, info = sft.build_trainer(cfg, cfg.stages[0], base, out_dir)
    lora = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    trainer.model = trainer.model_wrapped = get_peft_model(trainer.model, lora)
    result = trainer.train()
    trainer.model = trainer.model.merge_and_unload()
    sft._stop_on_end_of_turn(trainer, info["eot_id"], out_dir)
    trainer.model.save_pretrained(str(out_dir))
    trainer.processing_class.save_pretrained(str(out_dir))
    return result.global_step


def main() -> None:
    from reasoning_suite.core.logged_run import RUN_RECORD
    from reasoning_suite.real_model import ensure_real_model
    from reasoning_suite.study.demo_recipe import RECIPE, greedy_replies, reply_shares
    from reasoning_suite.harness_tasks.offline_data import load_samples
    from reasoning_suite.harness_tasks.process import task_prompt
    from reasoning_suite.harness_tasks.registry import TASKS
    from reasoning_suite.study.demo import REAL_DOCS, REAL_TASKS
    from reasoning_suite.study.teacher_pairs import PAIRS_FILE, heldout_prompts

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--points", nargs="+", default=[f"1e-4:{RECIPE.global_batch_tokens}",
                                                    f"{RECIPE.learning_rate:g}:{RECIPE.global_batch_tokens}",
                                                    f"5e-4:{RECIPE.global_batch_tokens}"],
                   help="LR:TOKENS_PER_STEP[:PRECISION] points (default: three lrs at the recipe's step size)")
    p.add_argument("--heldout-per-category", type=int, default=2)
    p.add_argument("--out", default="/tmp/sweep-demo-recipe")
    args = p.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    base = str(ensure_real_model())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pairs = out / "pairs.jsonl"
    if not pairs.exists():
        _rs("import-pairs", "--file", str(PAIRS_FILE), "--out", str(pairs))
    for fmt in ("ift", "reasoning"):
        if not (out / f"{fmt}.jsonl").exists():
            _rs("build-data", "--pairs", str(pairs), "--out", str(out / f"{fmt}.jsonl"), "--format", fmt)
    held = [r["prompt"] for r in heldout_prompts(args.heldout_per_category)]
    # ... and the real documents of the demo's tasks that the demo does not evaluate (it takes the
    # first REAL_DOCS of each offline file): real prompts, never the demo's own documents
    for task in REAL_TASKS.split(","):
        rows = load_samples(task)[TASKS[task].split]
        held += [task_prompt(task, rows[i]) for i in range(REAL_DOCS, len(rows))]
    rows = []
    t0 = time.perf_counter()
    s = reply_shares(greedy_replies(base, held, RECIPE.max_gen_toks), base)
    rows.append(("base", "-", "-", time.perf_counter() - t0, s))
    print(f"{'student':<18} {'lr':>7} {'tok/step':>8} {'prec':>5} {'steps':>5} {'train s':>8} {'gen s':>6} {'<think> closed':>14} "
          f"{'boxed':>7} {'tokens':>7}", flush=True)
    print(f"{'base':<18} {'-':>7} {'-':>8} {'-':>5} {'-':>5} {'-':>8} {rows[0][3]:>6.0f} {s['think']:>14.0%} {s['boxed']:>7.0%} "
          f"{s['tokens']:>7.1f}", flush=True)
    for point in args.points:
        lr_text, tok_text, precision, lora = (point.split(":") + ["", "", ""])[:4]
        rank = int(lora.removeprefix("lora")) if lora else 0
        lr, tokens = float(lr_text), int(tok_text or RECIPE.global_batch_tokens)
        for fmt in ("ift", "reasoning"):
            model_dir = out / f"{fmt}-lr{lr:g}-t{tokens}{precision}{lora}"
            # a step holds at least one packed row of max_seq_length tokens: a smaller step shortens the rows
            # (the teacher pairs are ~150 tokens each, so 512 loses none)
            train = dataclasses.replace(RECIPE, learning_rate=lr, global_batch_tokens=tokens,
                                        max_seq_length=min(tokens, RECIPE.max_seq_length)).train_section()
            if precision:  # e.g. bf16 on a CPU with bf16 instructions (reasoning_suite.devices)
                train["precision"] = precision
            flags = [f"--{k}={v}" for k, v in train.items()]
            t = time.perf_counter()
            if rank:  # in this process: no interpreter start-up, so the full-weight rows' times include ~5-8 s more
                steps = _train_lora(base, out / f"{fmt}.jsonl", model_dir, train, rank)
                train_s = time.perf_counter() - t
            else:
                _rs("train", "--model", base, "--output_dir", str(model_dir), "--data", str(out / f"{fmt}.jsonl"),
                    "--save_steps", "100000", "--no-resume", *flags)
                train_s = time.perf_counter() - t
                steps = sum(st.get("optimizer_steps", 0) for st in json.loads((model_dir / RUN_RECORD).read_text())["stages"])
            t = time.perf_counter()
            s = reply_shares(greedy_replies(str(model_dir), held, RECIPE.max_gen_toks), base)
            print(f"{fmt + (f'+{lora}' if lora else ''):<18} {lr:>7.0e} {tokens:>8} {train['precision']:>5} {steps!s:>5} {train_s:>8.0f} {time.perf_counter() - t:>6.0f} "
                  f"{s['think']:>14.0%} {s['boxed']:>7.0%} {s['tokens']:>7.1f}", flush=True)

if __name__ == "__main__":
    main()
