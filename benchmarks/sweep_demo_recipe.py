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


def replies(model_dir: str, prompts: list[str], max_new_tokens: int) -> list[str]:
    """Greedy chat replies (what lm-eval's zero-shot layout asks a chat model)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
             for p in prompts]
    batch = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
    return [tok.decode(o[batch["input_ids"].shape[1]:], skip_special_tokens=True) for o in out]


def shares(texts: list[str], tokenizer_dir: str) -> dict[str, float]:
    from transformers import AutoTokenizer

    from reasoning_suite.core.answer import THINK_CLOSE, THINK_OPEN

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    n = len(texts)
    return {"think": sum(THINK_OPEN in t and THINK_CLOSE in t.split(THINK_OPEN, 1)[1] for t in texts) / n,
            "boxed": sum("\\boxed{" in t for t in texts) / n,
            "tokens": sum(len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts) / n}


def main() -> None:
    from reasoning_suite.real_model import ensure_real_model
    from reasoning_suite.study.demo_recipe import RECIPE
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
    s = shares(replies(base, held, RECIPE.max_gen_toks), base)
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
            s = shares(replies(str(model_dir), held, RECIPE.max_gen_toks), base)
            print(f"{fmt:<10} {lr:>7.0e} {train_s:>8.0f} {time.perf_counter() - t:>6.0f} {s['think']:>14.0%} "
                  f"{s['boxed']:>7.0%} {s['tokens']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
