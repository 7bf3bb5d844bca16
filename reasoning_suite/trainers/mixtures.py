"""Reasoning-ratio mixtures: which prompts get their reasoning answer, and in what order.

For a ratio ρ over N usable prompts exactly round(ρ·N) (half up) prompts get their reasoning
answer and the rest their IFT answer; each prompt appears once. The subset is drawn with a
seeded RNG from the ids sorted, so it depends only on the set of prompts and the seed, never on
file order. `sequential` puts the IFT part first, then the reasoning part (each shuffled with
the seed), and marks them as phases 0 and 1 so packing never mixes them; `mixed` shuffles both
together into one phase.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from reasoning_suite.errors import UserError

ORDERS = ("sequential", "mixed")


@dataclass(frozen=True)
class Assignment:
    id: str
    side: str  # "ift" or "reasoning": which side of the pair (the reasoning side, rendered in the chosen format later)
    phase: int


def reasoning_count(ratio: float, n: int) -> int:
    if not 0.0 <= ratio <= 1.0:
        raise UserError(f"--ratio must be within [0, 1], got {ratio}")
    return int(math.floor(ratio * n + 0.5))


def assign(ids: list[str], ratio: float, order: str = "sequential", seed: int = 0) -> list[Assignment]:
    """Return the training order as assignments (pure; reproducible from ids, ratio, order, seed)."""
    if order not in ORDERS:
        raise UserError(f"--order must be one of {', '.join(ORDERS)}, got {order!r}")
    if len(set(ids)) != len(ids):
        raise UserError("duplicate prompt ids in the pairs file")
    pool = sorted(ids)
    rng = random.Random(seed)
    k = reasoning_count(ratio, len(pool))
    chosen = set(rng.sample(pool, k))
    reasoning = [i for i in pool if i in chosen]
    ift = [i for i in pool if i not in chosen]
    rng.shuffle(ift)
    rng.shuffle(reasoning)
    if order == "sequential":
        return [Assignment(i, "ift", 0) for i in ift] + [Assignment(i, "reasoning", 1) for i in reasoning]
    both = [Assignment(i, "ift", 0) for i in ift] + [Assignment(i, "reasoning", 0) for i in reasoning]
    rng.shuffle(both)
    return both
