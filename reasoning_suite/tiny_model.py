"""A tiny random-init causal LM with a locally trained tokenizer.

Models cannot be downloaded here or in CI, yet every path of the package (lm-eval's `hf`
backend, TRL training, `transformers serve`, FLOPs from a config) must run on a real
Hugging Face checkpoint. This builds one in about a second: a byte-level BPE tokenizer
trained by `tokenizers` on a small built-in corpus, a Qwen2 config (grouped-query attention,
gated MLP, like the paper's students) and the package's ChatML chat template
(`chat_template.CHATML_TEMPLATE`: `{% generation %}` markers for TRL's assistant-only loss,
Qwen3's `enable_thinking` switch).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from reasoning_suite.chat_template import CHATML_TEMPLATE
from reasoning_suite.config_parsing import CommandParser, default_of, option

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]

_CORPUS = [
    "Solve the following math problem. Make sure to put the answer (and only answer) inside \\boxed{}.",
    "Read the passage and answer the question by selecting the text span from the passage that best answers it.",
    "Answer the following multiple-choice question by selecting the option that best fits the correct knowledge.",
    "Given a sentence with a blank and two possible options, choose the option that correctly fills the blank.",
    "Select the option that best completes the scenario based on everyday reasoning about cause and effect.",
    "Answer the following instruction. Write a short poem about the sea without using any commas.",
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
    "<think> Let me think step by step. First compute 12 * 4 = 48, then 48 / 2 = 24. </think> The answer is \\boxed{72}.",
    "The quick brown fox jumps over the lazy dog. A) 1 B) 2 C) 3 D) 4 E) 5 Options: (A) (B) (C) (D)",
    "\\frac{1}{2} \\dfrac{3}{4} \\sqrt{2} x^2 + y^2 = z^2 \\pi \\left( \\right) [ ] { } $ 0123456789 , . ; : ? !",
    "Question: What is the capital of France? Answer: Paris. Passage: The Normans were a people in France.",
    "int main(void) { return 0; } /* returns the sum of two integers */ for (i = 0; i < n; i++) sum += a[i];",
]


@dataclass(frozen=True)
class TinyModelConfig:
    """Sizes of the tiny model; the defaults train and generate in milliseconds on a CPU."""

    vocab_size: int = 512
    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 4096
    seed: int = 0


def build_tokenizer(vocab_size: int = 512):
    """Train a byte-level BPE on the built-in corpus and wrap it for transformers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        unk_token=None,
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


def build_tiny_model(out_dir: str | Path, config: TinyModelConfig = TinyModelConfig()) -> Path:
    """Write a tokenizer, config and random weights to `out_dir`; return its path."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(config.vocab_size)
    torch.manual_seed(config.seed)
    model_config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_hidden_layers,
        num_attention_heads=config.num_attention_heads,
        num_key_value_heads=config.num_key_value_heads,
        max_position_embeddings=config.max_position_embeddings,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    model = Qwen2ForCausalLM(model_config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, do_sample=True
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "tiny_model.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    return out


@dataclass
class TinyModelCommand:
    """`reasoning-suite tiny-model`'s options (the sizes' defaults are `TinyModelConfig`'s)."""

    out_dir: str = option(help="directory to write the checkpoint to", positional=True, metavar="OUT_DIR")
    hidden_size: int = option(default_of(TinyModelConfig, "hidden_size"), "hidden size (the feed-forward is twice it)")
    layers: int = option(default_of(TinyModelConfig, "num_hidden_layers"), "decoder layers")
    seed: int = option(default_of(TinyModelConfig, "seed"), "initialisation seed")


def main(argv: list[str] | None = None) -> int:
    args: TinyModelCommand = CommandParser(TinyModelCommand, prog="reasoning-suite tiny-model",
                                           description=__doc__.split("\n\n")[0]).parse(list(argv or []))
    cfg = TinyModelConfig(hidden_size=args.hidden_size, intermediate_size=2 * args.hidden_size,
                          num_hidden_layers=args.layers, seed=args.seed)
    print(build_tiny_model(args.out_dir, cfg))
    return 0
