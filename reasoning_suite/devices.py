"""What the machine's processor can do fast, for choices that depend on it (a leaf: imports torch only).

bf16 on a CPU is fast only where the processor has bf16 instructions (avx512_bf16, or AMX
tiles): oneDNN then runs bf16 matmuls natively. Measured on this project's 2-core AMD EPYC
(avx512_bf16), one thread, a 1024 x 576 @ 576 x 1536 matmul: fp32 51-64 GFLOP/s, bf16 157-181
GFLOP/s. Elsewhere bf16 is emulated and slower than fp32, so fp32 stays the CPU default.
"""

from __future__ import annotations


def cpu_bf16_fast() -> bool:
    """The CPU runs bf16 matmuls natively (avx512_bf16 or AMX)."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = [getattr(cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(bool(check()) for check in checks if callable(check))
