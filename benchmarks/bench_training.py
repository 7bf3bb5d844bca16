"""Training throughput: our packed SFT (BFD packing, padding-free) against TRL's padded default.

A realistic synthetic mix like the study's ρ = 0.5 data: half short IFT answers, half long
reasoning answers with a skewed (log-normal) length distribution, on a small random-init Qwen2
model built here. Both runs train one epoch on the same examples with the same model, batch
token budget and optimizer; the baseline is TRL's default path (SFTTrainer prepares the
conversational dataset itself, `packing=False`, assistant-only loss, rows padded to the
longest in the batch). Reported: real (non-pad) tokens per second for each, their ratio, and
the share of processed positions that were padding in the baseline (all removed by packing).

    python benchmarks/bench_training.py [--examples 48] [--max-len 1024] [--hidden 256] [--layers 2]

Runs in about 2 minutes on two CPU cores (each run twice, ABBA order, best time kept). Numbers are from this machine in this run. CPU attention
(sdpa with a block-diagonal mask) still computes the masked-out cross-document blocks of a
packed row; flash-attention's varlen kernels on GPUs skip them, so GPUs gain more from packing.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the of and to a in is that for it as with was on be by this are or from at which an we can "
         "number sum step first then so total answer let check compute value equal result").split()


def _text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def synthetic_mix(n: int, seed: int = 0) -> list[dict]:
    """Half IFT (short answers), half reasoning (long, log-normal thinking), as conversations."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        prompt = _text(rng, rng.randint(15, 60))
        if i % 2 == 0:
            answer = _text(rng, max(5, int(rng.lognormvariate(math.log(50), 0.6))))
        else:
            thinking = _text(rng, min(900, max(40, int(rng.lognormvariate(math.log(220), 0.8)))))
            answer = f"<think>\n{thinking}\n</think>\n\n{_text(rng, rng.randint(10, 40))}"
        rows.append({"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
                     "format": "ift" if i % 2 == 0 else "reasoning", "phase": 0, "id": f"b{i}"})
    rng.shuffle(rows)
    return rows


def _count_padding(trainer) -> tuple[int, int]:
    """(real tokens, padded positions) over one epoch of the trainer's batches."""
    real = total = 0
    for batch in trainer.get_train_dataloader():
        if "attention_mask" in batch:
            real += int(batch["attention_mask"].sum())
            total += batch["attention_mask"].numel()
        else:
            real += batch["input_ids"].numel()
            total += batch["input_ids"].numel()
    return real, total


def _timed_train(trainer) -> float:
    t0 = time.perf_counter()
    trainer.train()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=48)
    ap.add_argument("--max-len", type=int, default=1024)
    ap.add_argument("--padded-batch", type=int, default=8, help="TRL's default per-device batch (tokens per step = this x max-len)")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging
    from trl import SFTConfig, SFTTrainer

    from reasoning_suite.tiny_model import TinyModelConfig, build_tiny_model
    from reasoning_suite.trainers.config import StageConfig, TrainConfig
    from reasoning_suite.trainers.sft import build_trainer

    hf_logging.set_verbosity_error()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    work = Path(tempfile.mkdtemp(prefix="bench_training_"))
    model_dir = build_tiny_model(work / "model", TinyModelConfig(hidden_size=args.hidden, intermediate_size=4 * args.hidden,
                                                                 num_hidden_layers=args.layers, num_attention_heads=4,
                                                                 num_key_value_heads=2))
    rows = synthetic_mix(args.examples)
    mix = work / "mix.jsonl"
    mix.write_text("".join(json.dumps(r) + "\n" for r in rows))
    budget = args.padded_batch * args.max_len  # tokens per optimizer step for both runs

    # Packed: our path (BFD packs of max_len tokens, padding-free), one packed row per forward pass
    # (as in the paper's setting: one 16k-token row per GPU) and accumulation up to the same budget.
    cfg = TrainConfig(model=str(model_dir), output_dir=str(work / "packed"), stages=[StageConfig(str(mix))],
                      max_seq_length=args.max_len, global_batch_tokens=budget, per_device_batch_size=1,
                      learning_rate=1e-4, logging_steps=10_000, save_steps=10_000, packing=True)

    def make_packed():
        trainer, data, _ = build_trainer(cfg, cfg.stages[0], cfg.model, cfg.output_dir)
        trainer.args.disable_tqdm = True
        return trainer, data

    def make_padded(tokenizer):
        # Baseline: TRL's default preparation and padding (no packing), same model, same batch.
        base_args = SFTConfig(output_dir=str(work / "padded"), num_train_epochs=1,
                              per_device_train_batch_size=args.padded_batch, learning_rate=1e-4,
                              optim=packed.args.optim, use_cpu=not torch.cuda.is_available(), bf16=False,
                              max_length=args.max_len, packing=False, assistant_only_loss=True, report_to="none",
                              save_strategy="no", logging_steps=10_000, disable_tqdm=True, seed=42)
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
        return SFTTrainer(model=model, args=base_args, processing_class=tokenizer,
                          train_dataset=Dataset.from_list([{"messages": r["messages"]} for r in rows]))

    packed, data = make_packed()
    real_tokens = sum(data.sequence_lengths)
    packed_real, packed_total = _count_padding(packed)
    padded = make_padded(packed.processing_class)
    padded_real, padded_total = _count_padding(padded)

    # Same machine, same process, fresh trainers, ABBA order, best of two: the machine's load drifts.
    times = {"padded": [], "packed": []}
    for name in ("padded", "packed", "packed", "padded"):
        if times[name]:
            trainer = make_padded(packed.processing_class) if name == "padded" else make_packed()[0]
        else:
            trainer = padded if name == "padded" else packed
        times[name].append(_timed_train(trainer))
    t_pad, t_pack = min(times["padded"]), min(times["packed"])
    figures = {
        "examples": args.examples,
        "real_tokens": real_tokens,
        "padded_positions_baseline": padded_total,
        "padding_share_baseline": round(1 - padded_real / padded_total, 4),
        "padding_share_packed": round(1 - packed_real / packed_total, 4),
        "padded_tokens_per_s": round(padded_real / t_pad, 1),
        "packed_tokens_per_s": round(packed_real / t_pack, 1),
        "speedup_packed_over_padded": round((packed_real / t_pack) / (padded_real / t_pad), 2),
        "optimizer_steps": {"padded": padded.state.global_step, "packed": packed.state.global_step},
        "seconds": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "model": {"hidden": args.hidden, "layers": args.layers}, "max_len": args.max_len,
    }
    print(f"mix: {args.examples} examples (half IFT, half reasoning), {real_tokens:,} real tokens, max_len {args.max_len}")
    print(f"TRL padded default : {figures['padded_tokens_per_s']:>9,.0f} tokens/s  ({figures['padding_share_baseline']:.1%} of positions are padding)")
    print(f"packed (BFD, padding-free): {figures['packed_tokens_per_s']:>9,.0f} tokens/s  ({figures['padding_share_packed']:.1%} padding)")
    print(f"ratio packed/padded: {figures['speedup_packed_over_padded']:.2f}x; padding removed: "
          f"{figures['padding_share_baseline']:.1%} of the baseline's positions "
          f"(positions processed: {1 / (1 - figures['padding_share_baseline']):.2f}x fewer)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
