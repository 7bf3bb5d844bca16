"""Sweep of the demo's recipe (reasoning_suite.study.demo_recipe) on SmolLM2-135M-Instruct.

For each learning rate: train the IFT and the reasoning student on the demo's teacher pairs with
the package's own commands (import-pairs, build-data, train), then decode greedily on held-out
prompts (teacher_pairs.heldout_prompts: same templates, another seed) and print train time, the
share of replies that open and close <think>, that contain \\boxed{}, and the mean reply tokens.
The base model is the baseline row, measured in the same run.

    python benchmarks/sweep_demo_recipe.py --lrs 1e-4 2e-4 5e-4 --out /tmp/sweep
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path


def _rs(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "reasoning_suite", *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    from reasoning_suite.real_model import ensure_real_model
    from reasoning_suite.study.demo_recipe import RECIPE, greedy_replies, reply_shares
    from reasoning_suite.study.teacher_pairs import PAIRS_FILE, heldout_prompts

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lrs", type=float, nargs="+", default=[1e-4, RECIPE.learning_rate, 5e-4])
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
    rows = []
    t0 = time.perf_counter()
    s = reply_shares(greedy_replies(base, held, RECIPE.max_gen_toks), base)
    rows.append(("base", "-", "-", time.perf_counter() - t0, s))
    print(f"{'student':<10} {'lr':>7} {'train s':>8} {'gen s':>6} {'<think> closed':>14} {'boxed':>7} {'tokens':>7}", flush=True)
    print(f"{'base':<10} {'-':>7} {'-':>8} {rows[0][3]:>6.0f} {s['think']:>14.0%} {s['boxed']:>7.0%} {s['tokens']:>7.1f}", flush=True)
    for lr in args.lrs:
        for fmt in ("ift", "reasoning"):
            model_dir = out / f"{fmt}-lr{lr:g}"
            train = dataclasses.replace(RECIPE, learning_rate=lr).train_section()
            flags = [f"--{k}={v}" for k, v in train.items()]
            t = time.perf_counter()
            _rs("train", "--model", base, "--output_dir", str(model_dir), "--data", str(out / f"{fmt}.jsonl"),
                "--save_steps", "100000", "--no-resume", *flags)
            train_s = time.perf_counter() - t
            t = time.perf_counter()
            s = reply_shares(greedy_replies(str(model_dir), held, RECIPE.max_gen_toks), base)
            print(f"{fmt:<10} {lr:>7.0e} {train_s:>8.0f} {time.perf_counter() - t:>6.0f} {s['think']:>14.0%} "
                  f"{s['boxed']:>7.0%} {s['tokens']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
