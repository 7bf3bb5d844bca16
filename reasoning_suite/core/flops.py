"""FLOPs of training and inference: the paper's equations and an architecture-aware count.

This module is the one place FLOPs are computed (trainers call `training_flops`, the analysis
calls the rest), so that every number the package prints agrees with every other.

Two counts, always side by side:

* **paper** -- appendix C of arXiv 2509.22193 (after Hoffmann et al. 2022), to the letter:
  equations (1)-(6) with V, d, d_ff, h, N_l read from the config. Use it to compare with the
  paper's figures.
* **arch** -- what the model's matrix multiplications actually cost, from the same config:

  - grouped-query and multi-query attention: K and V projections are ``d -> h_kv * d_head``
    instead of ``d -> d`` (the paper counts full-width K/V), with ``h_kv`` read under each
    family's field names (Falcon: ``multi_query``, ``num_kv_heads``, ``new_decoder_architecture``);
  - sliding-window attention and its per-layer pattern (``sliding_window``, ``layer_types``,
    ``sliding_window_pattern``, ``use_sliding_window``/``max_window_layers``): a query of a
    sliding layer is scored against at most ``w`` keys, in prefill, training and cached decoding
    (see "Attention keys" below and docs/analysis.md);
  - ``h * d_head`` may differ from ``d`` (Gemma); attention scores and the weighted sum use
    ``h * d_head``;
  - gated MLP (SwiGLU/GeGLU: gate, up, down) costs ``6 l d d_ff``, not the paper's ``4 l d d_ff``;
  - the embedding lookup is a gather, not a matmul: 0 FLOPs (the paper counts ``2 l V d``);
  - tied input/output embeddings change the parameter count, never the FLOPs: the output
    projection is a ``d x V`` matmul either way;
  - the non-matmul work (softmax, norms, activations, residual adds, rotary) is left out,
    exactly as `torch.utils.flop_counter.FlopCounterMode` leaves it out. It is below 0.1% of
    the total for the paper's students at the paper's lengths; `arch_breakdown` reports the
    softmax term separately for those who want it.

  `arch_forward_flops` agrees with FlopCounterMode on real configurations (Qwen2.5-0.5B,
  Llama-3.2-1B, Gemma-3-1B, GPT-2, eager attention, meta device) and on small Falcon, Mistral,
  Gemma-2/3 and Qwen2 configs past their window within 1%; the tests check it. A config this
  count cannot read (MoE, encoder-decoder, unknown model_type or attention layer type) is
  refused with a `UserError`, never guessed. The
  backward pass of a matmul costs two forward passes, so a training step is ``3 x`` forward
  in both counts (FlopCounterMode measures exactly 3.00x on Qwen2.5-0.5B).

The cached decoding step (equation 5) as printed has no feed-forward term and no output
projection, only one ``2 d V`` term. A generated token does go through every MLP, so by
default we add ``4 d d_ff N_l`` (``cached_ffn=True``): without it a decoded token of
Qwen2.5-0.5B at 1,000 positions costs 0.51 GFLOP instead of 0.93 (the arch count says 1.07),
so generated tokens, the very cost the paper studies, would be undercounted by 45% against
prompt tokens (equation 4 does count the feed-forward). ``cached_ffn=False`` reproduces
equation (5) to the letter. The arch count of a cached step always includes MLP and output
projection (the real work), and no embedding matmul.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from reasoning_suite.errors import UserError

# model_type -> (gated MLP?, how its layers choose sliding-window attention, tie default). Only these
# families are counted: each was checked against FlopCounterMode (tests/test_analysis_flops.py)
# or reads exactly the fields a checked family reads. Anything else is refused, never guessed.
#   "none"   no sliding window in the model code (a `sliding_window` field is ignored, as the
#            model ignores it)
#   "all"    every layer slides when `sliding_window` is set (Mistral, Phi-3, Starcoder2)
#   "types"  per layer, from `layer_types` or, when a config.json predates it, the family's
#            rule below (`_default_layer_types`), exactly as transformers' config classes derive it
_FAMILIES: dict[str, tuple[bool, str, bool]] = {
    # model_type: (gated MLP, sliding rule, tie_word_embeddings when config.json omits it:
    # the default of transformers' config class)
    "qwen2": (True, "types", False), "qwen3": (True, "types", False), "llama": (True, "none", False),
    "mistral": (True, "all", False), "ministral": (True, "types", False), "gemma": (True, "none", True),
    "gemma2": (True, "types", True), "gemma3": (True, "types", True), "gemma3_text": (True, "types", True),
    "phi3": (True, "all", False), "olmo": (True, "none", False), "olmo2": (True, "none", False),
    "olmo3": (True, "types", False), "granite": (True, "none", False), "smollm3": (True, "types", True),
    "cohere": (True, "none", True), "cohere2": (True, "types", True), "internlm2": (True, "none", False),
    "gpt2": (False, "none", True), "gpt_neox": (False, "none", False), "opt": (False, "none", True),
    "falcon": (False, "none", True), "bloom": (False, "none", True), "gptj": (False, "none", False),
    "phi": (False, "none", False), "starcoder2": (False, "all", True), "gpt_bigcode": (False, "none", True),
}
# The window transformers' config class assumes when a config.json has no `sliding_window` key.
_DEFAULT_WINDOW = {"mistral": 4096, "gemma2": 4096, "gemma3": 4096, "gemma3_text": 4096,
                   "cohere2": 4096, "olmo3": 4096, "qwen2": 4096, "qwen3": 4096, "ministral": 4096}
_COUNTED_LAYER_TYPES = {"full_attention", "sliding_attention"}


@dataclass(frozen=True)
class ArchSpec:
    """The sizes that FLOPs depend on, read once from a Hugging Face config.

    ``num_kv_heads`` is the width of the K/V projections in heads (multi-query: 1; grouped:
    ``num_key_value_heads`` or Falcon's ``num_kv_heads``). ``sliding_window`` is the number of
    keys a query of a sliding layer attends to (itself included, as transformers' masks and
    caches do), and ``num_sliding_layers`` how many of the ``num_layers`` layers slide."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    gated_mlp: bool = True
    tie_word_embeddings: bool = False
    model_type: str = ""
    sliding_window: int | None = None
    num_sliding_layers: int = 0

    def __post_init__(self) -> None:
        if self.num_sliding_layers and not self.sliding_window:
            raise UserError(f"model_type {self.model_type!r}: sliding layers without a sliding_window")
        if not 0 <= self.num_sliding_layers <= self.num_layers:
            raise UserError(f"model_type {self.model_type!r}: {self.num_sliding_layers} sliding layers "
                            f"of {self.num_layers}")

    @classmethod
    def from_config(cls, hf_config: Any) -> "ArchSpec":
        """Accept a `PretrainedConfig`, a config dict, a config.json path or a checkpoint directory.

        Refuses (one-line `UserError`) what it cannot count: mixture of experts,
        encoder-decoder and bidirectional models, chunked/linear/other attention layer types, and
        any model_type outside the checked families."""
        cfg = _as_dict(hf_config)
        if isinstance(cfg.get("text_config"), Mapping) and "hidden_size" not in cfg:
            outer_tie = cfg.get("tie_word_embeddings")
            cfg = dict(cfg["text_config"])
            if outer_tie is not None and "tie_word_embeddings" not in cfg:
                cfg["tie_word_embeddings"] = outer_tie
        model_type = str(cfg.get("model_type", ""))
        cfg = _with_class_defaults(cfg, model_type)
        if cfg.get("num_experts") or cfg.get("num_local_experts") or cfg.get("n_routed_experts"):
            raise UserError(
                f"config of model_type {model_type!r} is a mixture of experts; "
                "FLOPs of MoE models are not supported (dense models only)"
            )
        if cfg.get("is_encoder_decoder"):
            raise UserError(f"config of model_type {model_type!r} is an encoder-decoder model; "
                            "FLOPs are counted for decoder-only models only")
        if model_type not in _FAMILIES:
            raise UserError(
                f"FLOPs: model_type {model_type!r} is not a family the count knows "
                f"({', '.join(sorted(_FAMILIES))}); add it to _FAMILIES in reasoning_suite/core/flops.py "
                "once checked against FlopCounterMode"
            )
        if cfg.get("use_bidirectional_attention"):
            raise UserError(f"config of model_type {model_type!r} uses bidirectional attention; "
                            "FLOPs are counted for causal decoders only")
        if cfg.get("attention_chunk_size"):
            raise UserError(f"config of model_type {model_type!r} uses chunked attention "
                            "(attention_chunk_size); its FLOPs are not supported")

        def get(*names: str, default: Any = None) -> Any:
            for n in names:
                if cfg.get(n) is not None:
                    return cfg[n]
            if default is not None:
                return default
            raise UserError(f"model config lacks {' / '.join(names)} (model_type {model_type!r})")

        d = int(get("hidden_size", "n_embd", "n_embed", "d_model"))
        h = int(get("num_attention_heads", "n_head"))
        head_dim = int(cfg.get("head_dim") or d // h)
        n_layers = int(get("num_hidden_layers", "n_layer", "num_layers"))
        gated, sliding_rule, tie_default = _FAMILIES[model_type]
        window, n_sliding = _sliding_layout(cfg, model_type, sliding_rule, n_layers)
        return cls(
            vocab_size=int(get("vocab_size")),
            hidden_size=d,
            intermediate_size=int(get("intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size",
                                      default=4 * d)),
            num_layers=n_layers,
            num_heads=h,
            num_kv_heads=_kv_heads(cfg, model_type, h),
            head_dim=head_dim,
            gated_mlp=gated,
            tie_word_embeddings=bool(cfg.get("tie_word_embeddings", tie_default)),
            model_type=model_type,
            sliding_window=window,
            num_sliding_layers=n_sliding,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def num_parameters(self) -> int:
        """Parameters of the matmul weights and embeddings (norms and biases excluded).

        Tied embeddings count once: this is the "model size" axis of the paper's figures."""
        d, hd = self.hidden_size, self.head_dim
        attn = d * self.num_heads * hd * 2 + d * self.num_kv_heads * hd * 2
        mlp = (3 if self.gated_mlp else 2) * d * self.intermediate_size
        emb = self.vocab_size * d * (1 if self.tie_word_embeddings else 2)
        return self.num_layers * (attn + mlp) + emb


def _with_class_defaults(cfg: dict[str, Any], model_type: str) -> dict[str, Any]:
    """A config.json as transformers' config class completes it (published files often omit
    fields: Gemma-3-4B's text_config has no vocab_size, heads or head_dim). The class is built
    from the file's own values, so derived defaults (Falcon's ffn_hidden_size = 4 d) follow
    them. Without transformers, or for a model_type it does not know, the file as it is."""
    if model_type not in _FAMILIES:
        return cfg
    try:
        from transformers import AutoConfig

        full = AutoConfig.for_model(model_type, **{k: v for k, v in cfg.items() if k != "model_type"}).to_dict()
    except Exception:  # noqa: BLE001 - no transformers, or a config it rejects: read the file as it is
        return cfg
    return {**full, **{k: v for k, v in cfg.items() if v is not None}}


def _kv_heads(cfg: Mapping[str, Any], model_type: str, h: int) -> int:
    """Heads of the K/V projections, under each family's field names."""
    if model_type == "falcon":
        # FalconAttention: the new (40B/180B) decoder reads num_kv_heads; the old one is
        # multi-query (one K/V head) unless multi_query is false, then full width.
        if cfg.get("new_decoder_architecture"):
            kv = cfg.get("num_kv_heads") or cfg.get("n_head_kv") or h
        elif cfg.get("multi_query", True):
            kv = 1
        else:
            kv = h
    elif model_type == "gpt_bigcode":
        kv = 1 if cfg.get("multi_query", True) else h
    else:
        kv = cfg.get("num_key_value_heads") or h
    kv = int(kv)
    if kv < 1 or h % kv:
        raise UserError(f"model_type {model_type!r}: {kv} key/value heads do not divide {h} attention heads")
    return kv


def _default_layer_types(cfg: Mapping[str, Any], model_type: str, n_layers: int, window: int | None) -> list[str]:
    """`layer_types` as transformers' config classes derive it when config.json has none."""
    if window is None:
        return ["full_attention"] * n_layers
    if model_type in ("qwen2", "qwen3"):
        first = int(cfg.get("max_window_layers", 28))
        return ["sliding_attention" if i >= first else "full_attention" for i in range(n_layers)]
    every = {"gemma2": 2, "gemma3": 6, "gemma3_text": 6, "cohere2": 4, "olmo3": 4}.get(model_type)
    if every is not None:
        every = int(cfg.get("sliding_window_pattern") or every)
        return ["sliding_attention" if (i + 1) % every else "full_attention" for i in range(n_layers)]
    raise UserError(f"model_type {model_type!r} sets sliding_window without layer_types; "
                    "FLOPs cannot tell which layers slide (add layer_types to config.json)")


def _sliding_layout(cfg: Mapping[str, Any], model_type: str, rule: str, n_layers: int) -> tuple[int | None, int]:
    """(window, number of sliding layers) as the model code applies them."""
    if rule == "none":
        return None, 0
    window = cfg.get("sliding_window", _DEFAULT_WINDOW.get(model_type))
    if model_type in ("qwen2", "qwen3", "smollm3") and not cfg.get("use_sliding_window", False):
        window = None  # their config classes drop the window unless use_sliding_window
    if window is not None:
        window = int(window)
        if window < 1:
            raise UserError(f"model_type {model_type!r}: sliding_window {window} is not positive")
    if rule == "all":
        return window, (n_layers if window is not None else 0)
    types = cfg.get("layer_types")
    if types is None:
        types = _default_layer_types(cfg, model_type, n_layers, window)
    types = list(types)
    other = sorted(set(types) - _COUNTED_LAYER_TYPES)
    if other:
        raise UserError(f"model_type {model_type!r} has layer_types {other}; FLOPs count only "
                        "full_attention and sliding_attention layers")
    if len(types) != n_layers:
        raise UserError(f"model_type {model_type!r}: {len(types)} layer_types for {n_layers} layers")
    n_sliding = types.count("sliding_attention")
    if n_sliding and window is None:
        raise UserError(f"model_type {model_type!r} has sliding_attention layers but no sliding_window")
    return (window if n_sliding else None), n_sliding


def _as_dict(hf_config: Any) -> dict[str, Any]:
    if isinstance(hf_config, Mapping):
        return dict(hf_config)
    if isinstance(hf_config, (str, Path)):
        p = Path(hf_config)
        if p.is_dir():
            p = p / "config.json"
        if not p.is_file():
            raise UserError(f"{p}: no model config found (expected a config.json)")
        try:
            return json.loads(p.read_text())
        except json.JSONDecodeError as exc:
            raise UserError(f"{p}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    to_dict = getattr(hf_config, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise UserError(f"cannot read a model config from a {type(hf_config).__name__}")


def _spec(arch: Any) -> ArchSpec:
    return arch if isinstance(arch, ArchSpec) else ArchSpec.from_config(arch)


# --------------------------------------------------------------------------- paper (appendix C)
# All functions accept scalars or numpy arrays of lengths (vectorised over samples); they
# compute in float64, which is exact for integers below 2**53 (~9e15) and within 1e-16
# relative beyond: FLOPs of 14B models over 16k tokens reach 1e15 per sample.


def _f(x: Any) -> Any:
    return np.asarray(x, dtype=np.float64) if not np.isscalar(x) else float(x)


def paper_forward_flops(arch: Any, l: Any) -> Any:
    """Equation (1): one forward pass over ``l`` tokens."""
    a = _spec(arch)
    l = _f(l)
    V, d, dff, h, N = a.vocab_size, a.hidden_size, a.intermediate_size, a.num_heads, a.num_layers
    embeddings = 2 * l * V * d
    attention = (6 * l * d**2 + 2 * l**2 * d + 3 * l**2 * h + 2 * l**2 * d + 2 * l * d**2) * N
    ffn = 4 * l * d * dff * N
    logits = 2 * l * d * V
    return embeddings + attention + ffn + logits


def paper_training_step_flops(arch: Any, l: Any) -> Any:
    """Equation (2): forward plus backward, three forward passes."""
    return 3 * paper_forward_flops(arch, l)


def paper_prompt_flops(arch: Any, l_prompt: Any) -> Any:
    """Equation (4): the prompt's forward pass, logits for the last position only."""
    a = _spec(arch)
    lp = _f(l_prompt)
    V, d, dff, h, N = a.vocab_size, a.hidden_size, a.intermediate_size, a.num_heads, a.num_layers
    return (
        2 * lp * d * V
        + (6 * lp * d**2 + 2 * lp**2 * d + 3 * lp**2 * h + 2 * lp**2 * d + 2 * lp * d**2) * N
        + 4 * lp * d * dff * N
        + 2 * d * V
    )


def paper_cached_step_flops(arch: Any, l: Any, *, cached_ffn: bool = True) -> Any:
    """Equation (5): one decoding step attending to ``l`` cached positions.

    ``cached_ffn=True`` (default) adds the feed-forward term ``4 d d_ff N_l`` that the
    printed equation omits; see the module docstring."""
    a = _spec(arch)
    l = _f(l)
    V, d, dff, h, N = a.vocab_size, a.hidden_size, a.intermediate_size, a.num_heads, a.num_layers
    out = 2 * d * V + (6 * d**2 + 2 * l * d + 3 * l * h + 2 * l * d + 2 * d**2) * N
    if cached_ffn:
        out = out + 4 * d * dff * N
    return out


def _sum_cached(per_step_const: float, per_pos: float, lp: Any, lg: Any) -> Any:
    """Closed form of sum_{i=1..lg} (per_step_const + per_pos * (lp + i))."""
    lp = _f(lp)
    lg = _f(lg)
    return lg * per_step_const + per_pos * (lg * lp + lg * (lg + 1) / 2)


def paper_inference_flops(arch: Any, l_prompt: Any, l_gen: Any, *, cached_ffn: bool = True) -> Any:
    """Equation (6): prompt pass plus ``l_gen`` cached steps at lengths ``l_p + 1 .. l_p + l_g``."""
    a = _spec(arch)
    V, d, dff, h, N = a.vocab_size, a.hidden_size, a.intermediate_size, a.num_heads, a.num_layers
    const = 2 * d * V + 8 * d**2 * N + (4 * d * dff * N if cached_ffn else 0)
    per_pos = (4 * d + 3 * h) * N
    return paper_prompt_flops(a, l_prompt) + _sum_cached(const, per_pos, l_prompt, l_gen)


# --------------------------------------------------------------------------- architecture-aware
# Attention keys. A full layer scores every query of a pass against every key of the pass
# (the dense l x l matrix that eager and sdpa attention compute and the paper's 2 l^2 d counts,
# masked future included); a sliding layer scores a query against at most `w` keys (what a
# window-aware kernel computes; eager computes the full l x l there too and masks it). A cached
# decoding step at position p attends to p keys on a full layer and min(p, w) on a sliding one
# (transformers' DynamicCache keeps w - 1 keys on a sliding layer): there the two agree.


def _prefill_pairs(a: ArchSpec, l: Any) -> Any:
    """Query-key pairs of one pass over ``l`` tokens, summed over layers."""
    n_full = a.num_layers - a.num_sliding_layers
    out = n_full * l**2
    if a.num_sliding_layers:
        out = out + a.num_sliding_layers * l * np.minimum(l, a.sliding_window)
    return out


def _keys_up_to(n: Any, w: int) -> Any:
    """sum_{t=1..n} min(t, w), closed form."""
    n = _f(n)
    head = np.minimum(n, w)
    return head * (head + 1) / 2 + np.maximum(n - w, 0) * w


def _decode_keys(a: ArchSpec, lp: Any, lg: Any) -> Any:
    """Keys attended over decoding steps at positions lp+1 .. lp+lg, summed over layers."""
    lp, lg = _f(lp), _f(lg)
    n_full = a.num_layers - a.num_sliding_layers
    out = n_full * (lg * lp + lg * (lg + 1) / 2)
    if a.num_sliding_layers:
        w = a.sliding_window
        out = out + a.num_sliding_layers * (_keys_up_to(lp + lg, w) - _keys_up_to(lp, w))
    return out


def arch_breakdown(arch: Any, l: Any) -> dict[str, Any]:
    """Matmul FLOPs of one forward pass over ``l`` tokens, by component, plus the softmax estimate.

    Keys: ``q_o_proj``, ``kv_proj``, ``attention`` (scores and weighted sum; a sliding layer
    scores each query against at most ``sliding_window`` keys), ``mlp``, ``lm_head``,
    ``embedding`` (0: a lookup), ``matmul`` (their sum) and, outside the sum, ``softmax``
    (the paper's ``3 h`` per query-key pair)."""
    a = _spec(arch)
    l = _f(l)
    d, hd, N = a.hidden_size, a.head_dim, a.num_layers
    q_width, kv_width = a.num_heads * hd, a.num_kv_heads * hd
    pairs = _prefill_pairs(a, l)
    parts = {
        "q_o_proj": N * 2 * l * d * q_width * 2,
        "kv_proj": N * 2 * l * d * kv_width * 2,
        "attention": 4 * pairs * q_width,
        "mlp": N * (6 if a.gated_mlp else 4) * l * d * a.intermediate_size,
        "lm_head": 2 * l * d * a.vocab_size,
        "embedding": 0.0 * l,
    }
    parts["matmul"] = sum(parts.values())
    parts["softmax"] = 3 * pairs * a.num_heads
    return parts


def arch_forward_flops(arch: Any, l: Any) -> Any:
    """Matmul FLOPs of one full forward pass over ``l`` tokens (logits at every position)."""
    return arch_breakdown(arch, l)["matmul"]


def arch_prompt_flops(arch: Any, l_prompt: Any) -> Any:
    """Prompt prefill: the full pass, with logits for the last position only (as `generate` does)."""
    a = _spec(arch)
    lp = _f(l_prompt)
    return arch_forward_flops(a, lp) - 2 * (lp - 1) * a.hidden_size * a.vocab_size


def arch_cached_step_flops(arch: Any, l: Any) -> Any:
    """One decoding step with a KV cache at position ``l`` (the new token included): it attends
    to ``l`` keys on a full layer and ``min(l, sliding_window)`` on a sliding one."""
    a = _spec(arch)
    l = _f(l)
    keys = (a.num_layers - a.num_sliding_layers) * l
    if a.num_sliding_layers:
        keys = keys + a.num_sliding_layers * np.minimum(l, a.sliding_window)
    return _arch_step_const(a) + 4 * a.num_heads * a.head_dim * keys


def _arch_step_const(a: ArchSpec) -> float:
    """A cached step's cost that does not depend on its position: projections, MLP, logits."""
    d, hd, N = a.hidden_size, a.head_dim, a.num_layers
    q_width, kv_width = a.num_heads * hd, a.num_kv_heads * hd
    return float(
        N * (4 * d * q_width + 4 * d * kv_width + (6 if a.gated_mlp else 4) * d * a.intermediate_size)
        + 2 * d * a.vocab_size
    )


def arch_inference_flops(arch: Any, l_prompt: Any, l_gen: Any) -> Any:
    """Prefill of ``l_prompt`` tokens, then ``l_gen`` cached steps (same shape as equation 6)."""
    a = _spec(arch)
    return (arch_prompt_flops(a, l_prompt) + _f(l_gen) * _arch_step_const(a)
            + 4 * a.num_heads * a.head_dim * _decode_keys(a, l_prompt, l_gen))


# --------------------------------------------------------------------------- public summaries


def training_flops(hf_config: Any, sequence_lengths: Iterable[int]) -> dict[str, float]:
    """Equations (2)-(3): sum over training samples of three forward passes, both counts.

    ``sequence_lengths`` are the tokenised lengths of the training examples (prompt and
    answer, as the model saw them). Returns ``{"paper": float, "arch": float}``."""
    a = _spec(hf_config)
    lengths = np.fromiter((int(x) for x in sequence_lengths), dtype=np.float64)
    if lengths.size and (lengths < 0).any():
        raise UserError("training_flops: a sequence length is negative")
    return {
        "paper": float(np.sum(paper_training_step_flops(a, lengths))),
        "arch": float(np.sum(3 * arch_forward_flops(a, lengths))),
    }


def inference_flops(
    hf_config: Any, prompt_tokens: Any, gen_tokens: Any, *, cached_ffn: bool = True
) -> dict[str, Any]:
    """Per-sample inference FLOPs (equation 6 and the arch count); arrays in, arrays out."""
    a = _spec(hf_config)
    return {
        "paper": paper_inference_flops(a, prompt_tokens, gen_tokens, cached_ffn=cached_ffn),
        "arch": arch_inference_flops(a, prompt_tokens, gen_tokens),
    }
