"""FLOPs: the paper's equations against hand computation, the arch count against FlopCounterMode."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reasoning_suite.core import flops as F
from reasoning_suite.errors import UserError

# Published config.json values (configs only; nothing is downloaded).
QWEN25_05B = dict(
    model_type="qwen2", vocab_size=151936, hidden_size=896, intermediate_size=4864,
    num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
    max_position_embeddings=32768, rope_theta=1000000.0, rms_norm_eps=1e-6,
    tie_word_embeddings=True, hidden_act="silu", use_sliding_window=False,
)
LLAMA32_1B = dict(
    model_type="llama", vocab_size=128256, hidden_size=2048, intermediate_size=8192,
    num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8, head_dim=64,
    max_position_embeddings=131072, rope_theta=500000.0, rms_norm_eps=1e-5,
    tie_word_embeddings=True, hidden_act="silu",
    rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                  "original_max_position_embeddings": 8192, "rope_type": "llama3"},
)
GEMMA3_1B = dict(
    model_type="gemma3_text", vocab_size=262144, hidden_size=1152, intermediate_size=6912,
    num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1, head_dim=256,
    max_position_embeddings=32768, query_pre_attn_scalar=256, sliding_window=512,
    rope_theta=1000000.0, rope_local_base_freq=10000.0, hidden_activation="gelu_pytorch_tanh",
    tie_word_embeddings=True,
)
GPT2 = dict(model_type="gpt2", vocab_size=50257, n_embd=768, n_layer=12, n_head=12, n_positions=1024)  # no gate, no GQA
TINY = dict(model_type="qwen2", vocab_size=10, hidden_size=4, intermediate_size=6,
            num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1)


def test_paper_forward_by_hand():
    # V=10, d=4, dff=6, h=2, N=2, l=3
    emb = 2 * 3 * 10 * 4  # 240
    attn = (6 * 3 * 16 + 2 * 9 * 4 + 3 * 9 * 2 + 2 * 9 * 4 + 2 * 3 * 16) * 2  # (288+72+54+72+96)*2 = 1164
    ffn = 4 * 3 * 4 * 6 * 2  # 576
    logits = 2 * 3 * 4 * 10  # 240
    assert emb + attn + ffn + logits == 2220
    assert F.paper_forward_flops(TINY, 3) == 2220
    assert F.paper_training_step_flops(TINY, 3) == 3 * 2220
    assert F.training_flops(TINY, [3, 3])["paper"] == 2 * 3 * 2220


def test_paper_inference_by_hand_both_cached_choices():
    lp, lg = 3, 2
    prompt = 2 * 3 * 4 * 10 + (6 * 3 * 16 + 2 * 9 * 4 + 3 * 9 * 2 + 2 * 9 * 4 + 2 * 3 * 16) * 2 + 4 * 3 * 4 * 6 * 2 + 2 * 4 * 10
    assert F.paper_prompt_flops(TINY, lp) == prompt == 2060

    def cached(l, ffn):  # equation (5), optionally with 4 d dff N
        return 2 * 4 * 10 + (6 * 16 + 2 * l * 4 + 3 * l * 2 + 2 * l * 4 + 2 * 16) * 2 + (4 * 4 * 6 * 2 if ffn else 0)

    assert F.paper_cached_step_flops(TINY, 4, cached_ffn=False) == cached(4, False) == 80 + (96 + 32 + 24 + 32 + 32) * 2
    want_letter = prompt + cached(4, False) + cached(5, False)
    want_ffn = prompt + cached(4, True) + cached(5, True)
    assert F.paper_inference_flops(TINY, lp, lg, cached_ffn=False) == want_letter
    assert F.paper_inference_flops(TINY, lp, lg) == want_ffn  # the default adds the FFN
    assert want_ffn - want_letter == 2 * 192
    # Vectorised over samples, and l_g = 0 is the prompt alone.
    got = F.paper_inference_flops(TINY, np.array([3, 3]), np.array([2, 0]), cached_ffn=False)
    assert got.tolist() == [want_letter, prompt]


def test_arch_by_hand():
    # GQA: kv width 1*2 = 2; q width 4; gated MLP.
    l = 3
    q_o = 2 * (2 * 3 * 4 * 4) * 2  # per layer q and o, times N=2
    kv = 2 * (2 * 3 * 4 * 2) * 2
    att = 2 * 4 * 9 * 4
    mlp = 2 * 6 * 3 * 4 * 6
    head = 2 * 3 * 4 * 10
    assert F.arch_forward_flops(TINY, l) == q_o + kv + att + mlp + head
    b = F.arch_breakdown(TINY, l)
    assert b["embedding"] == 0 and b["softmax"] == 2 * 3 * 9 * 2
    # Decoding: prefill keeps one logit row; each cached step at position t costs const + 16 t.
    prefill = q_o + kv + att + mlp + 2 * 1 * 4 * 10
    assert F.arch_prompt_flops(TINY, 3) == prefill
    step = lambda t: 2 * (4 * 4 * 4 + 4 * 4 * 2 + 6 * 4 * 6) + 2 * 4 * 10 + 2 * 4 * 4 * t  # noqa: E731
    assert F.arch_cached_step_flops(TINY, 4) == step(4)
    assert F.arch_inference_flops(TINY, 3, 2) == prefill + step(4) + step(5)
    assert F.training_flops(TINY, [3])["arch"] == 3 * (q_o + kv + att + mlp + head)


def test_arch_spec_reads_configs_and_rejects_bad_ones(tmp_path, monkeypatch):
    a = F.ArchSpec.from_config(QWEN25_05B)
    assert (a.head_dim, a.num_kv_heads, a.gated_mlp, a.tie_word_embeddings) == (64, 2, True, True)
    g = F.ArchSpec.from_config({"model_type": "gemma3", "text_config": GEMMA3_1B})
    assert g.head_dim == 256 and g.num_heads * g.head_dim != g.hidden_size
    # Qwen2.5-0.5B has 494M parameters with tied embeddings (norms and biases excluded here).
    assert abs(a.num_parameters - 494_032_768) / 494_032_768 < 0.001
    p = tmp_path / "config.json"
    p.write_text("{not json")
    with pytest.raises(UserError, match="config.json"):
        F.ArchSpec.from_config(tmp_path)
    with pytest.raises(UserError, match="no model config"):
        F.ArchSpec.from_config(tmp_path / "missing")
    # A field the file omits is the config class's default (as transformers reads the file) ...
    assert F.ArchSpec.from_config({"model_type": "llama", "vocab_size": 3}).hidden_size == 4096
    # ... and without transformers it is an error naming the field.
    monkeypatch.setattr(F, "_with_class_defaults", lambda cfg, model_type: cfg)
    with pytest.raises(UserError, match="hidden_size"):
        F.ArchSpec.from_config({"model_type": "llama", "vocab_size": 3})
    with pytest.raises(UserError, match="mixture of experts"):
        F.ArchSpec.from_config({**QWEN25_05B, "num_experts": 8})


def test_paper_overcount_qwen25_05b_at_512():
    """REFERENCE §5: the paper's formula overcounts the measured matmuls by ~12.6% at 512 tokens."""
    a = F.ArchSpec.from_config(QWEN25_05B)
    l = 512
    paper, arch = F.paper_forward_flops(a, l), F.arch_forward_flops(a, l)
    assert paper / arch - 1 == pytest.approx(0.126, abs=0.001)
    # The three named differences (in GFLOP): embedding +139, full-width K/V +34, two-matrix MLP -107.
    d, V, N, dff = 896, 151936, 24, 4864
    assert 2 * l * V * d / 1e9 == pytest.approx(139.4, abs=0.1)
    assert (4 * l * d * d - 4 * l * d * 128) * N / 1e9 == pytest.approx(33.8, abs=0.1)
    assert -2 * l * d * dff * N / 1e9 == pytest.approx(-107.1, abs=0.1)


def _windowed_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0,
                        sliding_window=None, **kwargs):
    """A window-aware attention kernel for the tests: on a sliding layer past its window each
    query is scored against its own ``sliding_window`` keys (as flash-attn's sliding kernel does),
    elsewhere the dense matrix (as eager does). Registered as attn_implementation="windowed"."""
    import torch

    b, h, lq, dh = query.shape
    rep = h // key.shape[1]
    key, value = key.repeat_interleave(rep, dim=1), value.repeat_interleave(rep, dim=1)
    if sliding_window is None or key.shape[2] <= sliding_window:
        out = torch.matmul(torch.matmul(query, key.transpose(2, 3)).softmax(-1), value)
    else:
        assert lq == key.shape[2], "windowed kernel: prefill only past the window"
        pad = torch.zeros((b, h, sliding_window - 1, dh), device=key.device, dtype=key.dtype)
        k = torch.cat([pad, key], 2).unfold(2, sliding_window, 1)  # (b, h, l, d, w)
        v = torch.cat([pad, value], 2).unfold(2, sliding_window, 1)
        scores = torch.einsum("bhqd,bhqdw->bhqw", query, k)
        out = torch.einsum("bhqw,bhqdw->bhqd", scores.softmax(-1), v)
    _windowed_attention.windows.append(sliding_window)
    return out.transpose(1, 2).contiguous(), None


_windowed_attention.windows = []


def _model(cfg: dict, attn: str = "eager"):
    torch = pytest.importorskip("torch")
    from transformers import AttentionInterface, AutoConfig, AutoModelForCausalLM
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register("windowed", _windowed_attention)
    AttentionMaskInterface.register("windowed", sdpa_mask)
    kw = {k: v for k, v in cfg.items() if k != "model_type"}
    config = AutoConfig.for_model(cfg["model_type"], **kw)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, attn_implementation=attn)
    return config, model


def _measured(cfg: dict, l: int, backward: bool = False, attn: str = "eager") -> float:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    _, model = _model(cfg, attn)
    ids = torch.zeros((1, l), dtype=torch.long, device="meta")
    counter = FlopCounterMode(display=False)
    with counter:
        out = model(input_ids=ids)
        if backward:
            out.logits.sum().backward()
    return float(counter.get_total_flops())


def _measured_decode(cfg: dict, lp: int, lg: int, attn: str = "eager") -> tuple[float, float]:
    """(prefill, decoding steps) FLOPs of a KV-cached generation, measured apart."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode
    from transformers import DynamicCache

    config, model = _model(cfg, attn)
    cache = DynamicCache(config=config)
    prefill, steps = FlopCounterMode(display=False), FlopCounterMode(display=False)
    with torch.no_grad():
        with prefill:
            model(input_ids=torch.zeros((1, lp), dtype=torch.long, device="meta"), past_key_values=cache,
                  use_cache=True, logits_to_keep=1)
        with steps:
            for i in range(1, lg + 1):
                model(input_ids=torch.zeros((1, 1), dtype=torch.long, device="meta"), past_key_values=cache,
                      use_cache=True, position_ids=torch.full((1, 1), lp + i - 1, device="meta"))
    return float(prefill.get_total_flops()), float(steps.get_total_flops())


@pytest.mark.parametrize("name,cfg", [("qwen2.5-0.5b", QWEN25_05B), ("llama-3.2-1b", LLAMA32_1B),
                                      ("gemma-3-1b", GEMMA3_1B), ("gpt2", GPT2)])
@pytest.mark.parametrize("l", [128, 1024])
def test_arch_count_matches_flop_counter(name, cfg, l):
    # Gemma-3-1B slides on 22 of 26 layers with a 512-key window: past it, measure with the
    # window-aware kernel (eager would score the masked keys too, see test_eager_past_the_window).
    measured = _measured(cfg, l, attn="windowed" if name == "gemma-3-1b" and l > 512 else "eager")
    ours = F.arch_forward_flops(cfg, l)
    assert abs(ours / measured - 1) < 0.01, (name, l, ours, measured)
    # The paper's formula is a different count; say how different, so that drift is noticed.
    assert F.paper_forward_flops(cfg, l) != pytest.approx(measured, rel=0.01)


def test_training_step_is_three_forward_passes_measured():
    measured = _measured(QWEN25_05B, 256, backward=True)
    assert F.training_flops(QWEN25_05B, [256])["arch"] == pytest.approx(measured, rel=0.01)


def test_cached_decoding_matches_flop_counter():
    """The arch count of prefill + cached steps against a real KV-cached decode on the meta device."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode
    from transformers import AutoConfig, AutoModelForCausalLM, DynamicCache

    kw = {k: v for k, v in QWEN25_05B.items() if k != "model_type"}
    config = AutoConfig.for_model("qwen2", **kw)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    lp, lg = 64, 3
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        cache = DynamicCache(config=config)
        model(input_ids=torch.zeros((1, lp), dtype=torch.long, device="meta"), past_key_values=cache,
              use_cache=True, logits_to_keep=1)
        for i in range(1, lg + 1):
            model(input_ids=torch.zeros((1, 1), dtype=torch.long, device="meta"), past_key_values=cache,
                  use_cache=True, position_ids=torch.full((1, 1), lp + i - 1, device="meta"))
    assert F.arch_inference_flops(QWEN25_05B, lp, lg) == pytest.approx(counter.get_total_flops(), rel=0.01)


def test_training_flops_api_shape_and_errors():
    out = F.training_flops(QWEN25_05B, iter([10, 20]))
    assert set(out) == {"paper", "arch"} and all(isinstance(v, float) for v in out.values())
    assert F.training_flops(QWEN25_05B, []) == {"paper": 0.0, "arch": 0.0}
    with pytest.raises(UserError):
        F.training_flops(QWEN25_05B, [5, -1])
    assert math.isclose(out["paper"], 3 * (F.paper_forward_flops(QWEN25_05B, 10) + F.paper_forward_flops(QWEN25_05B, 20)))


# ----------------------------------------------------------------- attention layouts (issue 11)
# Small random configs of each family, past the window where there is one. Falcon reads its own
# field names (multi_query, num_kv_heads, new_decoder_architecture, parallel_attn).
FALCON_7B_LIKE = dict(model_type="falcon", vocab_size=1000, hidden_size=256, num_attention_heads=8,
                      num_hidden_layers=2, multi_query=True, new_decoder_architecture=False, parallel_attn=True)
FALCON_40B_LIKE = dict(model_type="falcon", vocab_size=1000, hidden_size=256, num_attention_heads=8,
                       num_hidden_layers=2, num_kv_heads=2, new_decoder_architecture=True, ffn_hidden_size=640)
FALCON_RW_LIKE = dict(model_type="falcon", vocab_size=1000, hidden_size=256, num_attention_heads=8,
                      num_hidden_layers=2, multi_query=False, parallel_attn=False, num_kv_heads=8)
MISTRAL_W = dict(model_type="mistral", vocab_size=1000, hidden_size=128, intermediate_size=256,
                 num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, sliding_window=16)
GEMMA2_W = dict(model_type="gemma2", vocab_size=1000, hidden_size=128, intermediate_size=256,
                num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2, head_dim=48, sliding_window=16)
GEMMA3_W = dict(model_type="gemma3_text", vocab_size=1000, hidden_size=128, intermediate_size=256,
                num_hidden_layers=7, num_attention_heads=4, num_key_value_heads=1, head_dim=64, sliding_window=16)
GEMMA3_PATTERN = {**GEMMA3_W, "num_hidden_layers": 4, "sliding_window_pattern": 2}
GEMMA3_TYPES = {**GEMMA3_W, "num_hidden_layers": 3,
                "layer_types": ["full_attention", "sliding_attention", "full_attention"]}
QWEN2_W = dict(model_type="qwen2", vocab_size=1000, hidden_size=128, intermediate_size=256, num_hidden_layers=4,
               num_attention_heads=4, num_key_value_heads=2, use_sliding_window=True, sliding_window=16,
               max_window_layers=1)
FAMILIES = {"falcon-7b-like": FALCON_7B_LIKE, "falcon-40b-like": FALCON_40B_LIKE, "falcon-rw-like": FALCON_RW_LIKE,
            "mistral-window": MISTRAL_W, "gemma2-window": GEMMA2_W, "gemma3-window": GEMMA3_W,
            "gemma3-pattern": GEMMA3_PATTERN, "gemma3-layer_types": GEMMA3_TYPES, "qwen2-window": QWEN2_W}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_layout_read_as_transformers_reads_it(name):
    """K/V width, which layers slide and the window: as the model built from the config has them."""
    cfg = FAMILIES[name]
    config, model = _model(cfg)
    a = F.ArchSpec.from_config(cfg)
    assert F.ArchSpec.from_config(config) == a  # a PretrainedConfig reads the same as its dict
    window = getattr(config, "sliding_window", None)
    types = getattr(config, "layer_types", None) or (
        ["sliding_attention" if window else "full_attention"] * config.num_hidden_layers)
    assert a.num_sliding_layers == types.count("sliding_attention")
    assert a.sliding_window == (window if a.num_sliding_layers else None)
    # Parameters: every matrix and embedding of the model (norms and biases are 1-D), tied once.
    assert a.num_parameters == sum(p.numel() for p in model.parameters() if p.ndim == 2), name


EXPECTED_LAYOUT = {  # (K/V heads, sliding layers, window) by hand from each family's rule
    "falcon-7b-like": (1, 0, None), "falcon-40b-like": (2, 0, None), "falcon-rw-like": (8, 0, None),
    "mistral-window": (2, 2, 16), "gemma2-window": (2, 2, 16), "gemma3-window": (1, 6, 16),
    "gemma3-pattern": (1, 2, 16), "gemma3-layer_types": (1, 1, 16), "qwen2-window": (2, 3, 16),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_layout_by_hand(name):
    a = F.ArchSpec.from_config(FAMILIES[name])
    assert (a.num_kv_heads, a.num_sliding_layers, a.sliding_window) == EXPECTED_LAYOUT[name]


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_new_families_match_flop_counter_past_the_window(name):
    cfg = FAMILIES[name]
    l = 64  # four windows
    a = F.ArchSpec.from_config(cfg)
    attn = "windowed" if a.num_sliding_layers else "eager"
    _windowed_attention.windows.clear()
    measured = _measured(cfg, l, attn=attn)
    assert F.arch_forward_flops(cfg, l) == pytest.approx(measured, rel=1e-9), name
    if a.num_sliding_layers:  # the model did hand the window to the sliding layers only
        assert _windowed_attention.windows.count(16) == a.num_sliding_layers
        assert _windowed_attention.windows.count(None) == a.num_layers - a.num_sliding_layers


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_new_families_cached_decoding_past_the_window(name):
    """Prefill 40 (past a window of 16) then 5 cached steps: each step attends to min(p, 16) keys
    on a sliding layer, which a DynamicCache of window size makes the model compute for real."""
    cfg = FAMILIES[name]
    a = F.ArchSpec.from_config(cfg)
    lp, lg = 40, 5
    prefill, steps = _measured_decode(cfg, lp, lg, attn="windowed" if a.num_sliding_layers else "eager")
    ours_steps = sum(F.arch_cached_step_flops(cfg, lp + i) for i in range(1, lg + 1))
    assert ours_steps == pytest.approx(steps, rel=1e-9), name
    assert F.arch_prompt_flops(cfg, lp) == pytest.approx(prefill, rel=1e-9), name
    assert F.arch_inference_flops(cfg, lp, lg) == pytest.approx(prefill + steps, rel=1e-9), name
    if a.num_sliding_layers:  # the old count (every layer full) would be measurably off
        full = F.ArchSpec(**{**a.to_dict(), "sliding_window": None, "num_sliding_layers": 0})
        assert sum(F.arch_cached_step_flops(full, lp + i) for i in range(1, lg + 1)) > 1.015 * steps


def test_eager_past_the_window_scores_the_masked_keys():
    """What we do not count: eager attention computes the whole l x l matrix on a sliding layer
    and masks it. The difference from the eager measurement is exactly those masked pairs."""
    a = F.ArchSpec.from_config(GEMMA3_W)
    l, w = 64, 16
    eager = _measured(GEMMA3_W, l, attn="eager")
    masked_pairs = a.num_sliding_layers * l * (l - w)
    assert eager == pytest.approx(F.arch_forward_flops(a, l) + 4 * a.num_heads * a.head_dim * masked_pairs, rel=1e-9)


def test_sliding_window_by_hand():
    # 3 layers, 2 sliding with w = 4; q width 4*64 = 256.
    a = F.ArchSpec.from_config(GEMMA3_TYPES | {"layer_types": ["sliding_attention", "full_attention", "sliding_attention"],
                                               "sliding_window": 4})
    qw = 256
    l = 10
    assert F.arch_breakdown(a, l)["attention"] == 4 * qw * (1 * l * l + 2 * l * 4)
    assert F.arch_breakdown(a, 3)["attention"] == 4 * qw * 3 * 9  # inside the window: dense, like eager
    const = F.arch_cached_step_flops(a, 0)
    assert F.arch_cached_step_flops(a, 3) - const == 4 * qw * (3 + 2 * 3)
    assert F.arch_cached_step_flops(a, 9) - const == 4 * qw * (9 + 2 * 4)
    # Decoding from a 2-token prompt over positions 3..9: full keys 3+..+9 = 42, sliding 3+4*6 = 27 each.
    want = F.arch_prompt_flops(a, 2) + 7 * const + 4 * qw * (42 + 2 * 27)
    assert F.arch_inference_flops(a, 2, 7) == want
    got = F.arch_inference_flops(a, np.array([2, 2]), np.array([7, 0]))
    assert got.tolist() == [want, F.arch_prompt_flops(a, 2)]


GEMMA3_4B_TEXT = dict(model_type="gemma3_text", vocab_size=262208, hidden_size=2560, intermediate_size=10240,
                      num_hidden_layers=34, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                      sliding_window=1024, sliding_window_pattern=6)
FALCON_7B = dict(model_type="falcon", vocab_size=65024, hidden_size=4544, num_attention_heads=71,
                 num_hidden_layers=32, multi_query=True, new_decoder_architecture=False, parallel_attn=True)
FALCON_40B = dict(model_type="falcon", vocab_size=65024, hidden_size=8192, num_attention_heads=128,
                  num_hidden_layers=60, num_kv_heads=8, new_decoder_architecture=True, parallel_attn=True)


@pytest.mark.parametrize("cfg,p,over", [(GEMMA3_1B, 4096, 0.153), (GEMMA3_1B, 16384, 0.618),
                                        (GEMMA3_4B_TEXT, 4096, 0.089), (GEMMA3_4B_TEXT, 16384, 0.421)])
def test_paper_students_decode_overstatement_without_the_window(cfg, p, over):
    """Issue 11's figures: counting every Gemma-3 layer full overstates a decode step by this much."""
    a = F.ArchSpec.from_config(cfg)
    full = F.ArchSpec(**{**a.to_dict(), "sliding_window": None, "num_sliding_layers": 0})
    assert F.arch_cached_step_flops(full, p) / F.arch_cached_step_flops(a, p) - 1 == pytest.approx(over, abs=0.001)


@pytest.mark.parametrize("cfg,kv,params", [(FALCON_7B, 1, 6_921_420_800), (FALCON_40B, 8, 41_301_311_488)])
def test_falcon_real_sizes(cfg, kv, params):
    a = F.ArchSpec.from_config(cfg)
    assert a.num_kv_heads == kv and a.num_parameters == params
    full = F.ArchSpec(**{**a.to_dict(), "num_kv_heads": a.num_heads})  # the old, full-width count
    assert F.arch_forward_flops(full, 2048) / F.arch_forward_flops(a, 2048) > 1.17


@pytest.mark.parametrize("cfg,match", [
    ({**QWEN25_05B, "num_experts": 8}, "mixture of experts"),
    ({"model_type": "t5", "is_encoder_decoder": True, "vocab_size": 10, "d_model": 8}, "encoder-decoder"),
    ({"model_type": "mamba", "vocab_size": 10, "hidden_size": 8}, "not a family the count knows"),
    ({**LLAMA32_1B, "attention_chunk_size": 8192}, "chunked attention"),
    ({**QWEN25_05B, "model_type": "qwen3", "num_hidden_layers": 2,
      "layer_types": ["linear_attention", "full_attention"]}, "linear_attention"),
    ({**GEMMA3_1B, "use_bidirectional_attention": True}, "bidirectional"),
    ({**GEMMA3_1B, "layer_types": ["full_attention"] * 3}, "3 layer_types for 26 layers"),
    ({**FALCON_40B, "num_kv_heads": 7}, "do not divide"),
])
def test_architectures_we_cannot_count_are_refused(cfg, match):
    with pytest.raises(UserError, match=match) as exc:
        F.ArchSpec.from_config(cfg)
    assert "\n" not in str(exc.value)


def test_sparse_published_configs_are_completed_as_transformers_completes_them():
    """Gemma-3-4B's published config.json: the text_config omits vocab_size, heads, head_dim."""
    sparse = {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
              "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                              "num_hidden_layers": 34, "sliding_window": 1024,
                              "rope_scaling": {"factor": 8.0, "rope_type": "linear"}}}
    assert F.ArchSpec.from_config(sparse) == F.ArchSpec.from_config(
        {k: v for k, v in GEMMA3_4B_TEXT.items() if k != "sliding_window_pattern"})
    # Derived defaults follow the file's own values: Falcon's ffn_hidden_size is 4 d of *this* d.
    a = F.ArchSpec.from_config({"model_type": "falcon", "hidden_size": 512, "num_attention_heads": 8,
                                "num_hidden_layers": 2, "vocab_size": 100, "new_decoder_architecture": True,
                                "num_kv_heads": 2})
    assert a.intermediate_size == 2048 and a.num_kv_heads == 2
