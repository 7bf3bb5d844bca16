"""The demo's recipe: the demo's own training and decoding choices, NOT the paper's.

The paper's learning rates and one epoch are for 262,144-token batches over millions of rows;
on the demo's 80 bundled teacher pairs that trains 2-3 steps and the students stay the base
model (issue 17). These values were chosen by a measured sweep on SmolLM2-135M-Instruct
(`benchmarks/sweep_demo_recipe.py`, table in docs/study.md). Every part of the demo (its study
config, the sweep's default point, the real-model recipe test) reads them from here.

The device-dependent choices (bf16 and larger batches on a GPU) have one owner too:
`device_choices`, a pure function of the device flag so it is tested without a GPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class DemoRecipe:
    """The demo's recipe, not the paper's (chosen by benchmarks/sweep_demo_recipe.py)."""

    learning_rate: float = 2e-4  # one peak lr for both students (the paper's Table 1 differs per format)
    max_seq_length: int = 1024
    global_batch_tokens: int = 1024  # one epoch over the bundled pairs: ~10-15 optimizer steps
    warmup_steps: int = 1
    decay_steps: int = 3
    max_gen_toks: int = 160  # room for a short <think> block and the boxed answer

    def train_section(self, *, cuda: bool = False) -> dict:
        """The study's `train` section (TrainConfig fields) on this device."""
        out = {k: v for k, v in asdict(self).items() if k != "max_gen_toks"}
        out.update(device_choices(cuda).train)
        return out


@dataclass(frozen=True)
class DeviceChoices:
    train: dict
    eval_batch_size: str


def device_choices(cuda: bool) -> DeviceChoices:
    """CPU: fp32 (bf16 matmuls are slow on most CPUs) and lm-eval batches of 16 (the suite's
    requests of one decoding length in one batch). GPU: bf16 and lm-eval batches of 64. The
    training batch stays the recipe's 1,024 tokens a step on both: a larger step is another
    recipe (fewer steps over the same 80 pairs), not a faster run of this one."""
    if cuda:
        return DeviceChoices(train={"precision": "bf16"}, eval_batch_size="64")
    return DeviceChoices(train={"precision": "fp32"}, eval_batch_size="16")


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


RECIPE = DemoRecipe()
