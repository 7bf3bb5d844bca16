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
    max_seq_length: int = 512  # the teacher pairs are ~150 tokens; none is dropped
    global_batch_tokens: int = 512  # one epoch over the bundled pairs: 18 (IFT) and 26 (reasoning) optimizer steps
    warmup_steps: int = 1
    decay_steps: int = 3
    max_gen_toks: int = 128  # room for the teacher's short <think> block (~40 tokens) and the answer

    def train_section(self, *, cuda: bool = False, cpu_bf16: bool = False) -> dict:
        """The study's `train` section (TrainConfig fields) on this device."""
        out = {k: v for k, v in asdict(self).items() if k != "max_gen_toks"}
        out.update(device_choices(cuda, cpu_bf16).train)
        return out


@dataclass(frozen=True)
class DeviceChoices:
    train: dict
    eval_batch_size: str


def device_choices(cuda: bool, cpu_bf16: bool = False) -> DeviceChoices:
    """GPU: bf16 and lm-eval batches of 64. CPU: lm-eval batches of 24 (the demo's 18 requests in
    one batch: a CPU decoding step costs less per row in one wide batch), and training in bf16
    where the processor has bf16 instructions (`devices.cpu_bf16_fast`; measured with
    benchmarks/sweep_demo_recipe.py on a 2-core AMD EPYC: the IFT student 70 s against 104 s in
    fp32, the reasoning student 86 s against 128 s, the same learnt formats), fp32 elsewhere (bf16
    is emulated there, slower than fp32). The training batch stays the recipe's 512 tokens a
    step on every device: a larger step is another recipe (fewer steps over the same 80 pairs),
    not a faster run of this one."""
    if cuda:
        return DeviceChoices(train={"precision": "bf16"}, eval_batch_size="64")
    return DeviceChoices(train={"precision": "bf16" if cpu_bf16 else "fp32"}, eval_batch_size="24")


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def greedy_replies(model_dir: str, prompts: list[str], max_new_tokens: int) -> list[str]:
    """Greedy chat replies to `prompts` (the chat layout lm-eval's zero-shot runs use): the check
    that a student learnt the format, shared by benchmarks/sweep_demo_recipe.py and the real-model
    recipe test."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
             for p in prompts]
    batch = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
    return [tok.decode(o[batch["input_ids"].shape[1]:], skip_special_tokens=True) for o in out]


def reply_shares(texts: list[str], tokenizer_dir: str) -> dict[str, float]:
    """Shares of replies that open and close <think> and that contain \\boxed{}; mean reply tokens."""
    from transformers import AutoTokenizer

    from reasoning_suite.core.answer import THINK_CLOSE, THINK_OPEN

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    n = len(texts)
    return {"think": sum(THINK_OPEN in t and THINK_CLOSE in t.split(THINK_OPEN, 1)[1] for t in texts) / n,
            "boxed": sum("\\boxed{" in t for t in texts) / n,
            "tokens": sum(len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts) / n}


RECIPE = DemoRecipe()
