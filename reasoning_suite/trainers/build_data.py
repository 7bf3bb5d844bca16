"""`build-data`: pairs files → one training mixture (format, reasoning ratio, order).

Writes `OUT` (JSONL, one conversational example per line, in training order) and beside it
`OUT` with `.meta.json` in place of `.jsonl`: the recipe (format, ratio, order, seed), the
exact counts and the sha256 of each pairs file, which `train` copies into its run record.

Prompts are kept only when both answers can train a student (present, non-empty, finished
with `stop` unless --keep-truncated; the reasoning one with non-empty thinking), whatever the
ratio, so that every ratio (ρ = 0 included) draws from the same prompts; the dropped count is
reported and recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reasoning_suite.errors import UserError
from reasoning_suite.trainers.config import BuildDataConfig
from reasoning_suite.trainers.formats import FORMATS, build_example, usable
from reasoning_suite.trainers.mixtures import assign, reasoning_count
from reasoning_suite.trainers.records import PairRecord, file_sha256, iter_jsonl, read_pairs


def meta_path(mixture: str | Path) -> Path:
    p = Path(mixture)
    return p.with_name(p.name[: -len(".jsonl")] + ".meta.json") if p.name.endswith(".jsonl") else p.with_name(p.name + ".meta.json")


def published_schema_hint(path: str | Path) -> str | None:
    """A one-line hint when `path` holds published-schema rows (prompt, reasoning, ift as strings)
    rather than pair records: those go through `import-pairs --file` first."""
    for where, obj in iter_jsonl(path):
        if isinstance(obj, dict) and "id" not in obj and any(isinstance(obj.get(k), str) for k in ("ift", "reasoning")):
            return (f"{where}: this is a published-schema file (prompt, reasoning, ift as strings), not a pairs file; "
                    f"convert it first: reasoning-suite import-pairs --file {path} --out PAIRS.jsonl, then build-data --pairs PAIRS.jsonl")
        return None
    return None


def load_pairs(paths: list[str]) -> list[PairRecord]:
    records: dict[str, PairRecord] = {}
    for path in paths:
        hint = published_schema_hint(path) if Path(path).is_file() else None
        if hint:
            raise UserError(hint)
        for rec in read_pairs(path):
            if rec.id in records:
                raise UserError(f"{path}: id {rec.id!r} also appears in an earlier pairs file")
            records[rec.id] = rec
    return list(records.values())


def build(cfg: BuildDataConfig, summaries: dict[str, str] | None = None) -> dict[str, Any]:
    """Write the mixture and its meta; return the meta. `summaries` maps id -> thinking summary."""
    if not cfg.pairs:
        raise UserError("build-data needs at least one --pairs file")
    if not cfg.out:
        raise UserError("build-data needs --out")
    fmt, ratio = cfg.format, cfg.ratio
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "ift":
        ratio = 0.0  # pure IFT is the ρ = 0 mixture
    records = load_pairs(cfg.pairs)
    # Both sides are required whenever the files have them, whatever the ratio, so that every
    # ratio draws from the same prompts; a side absent from every record (generate --modes)
    # is required only if the ratio uses it, and then it is an error.
    needs_ift = ratio < 1 or any(r.ift is not None for r in records)
    needs_reasoning = ratio > 0 or any(r.reasoning is not None for r in records)
    thinking = fmt in ("reasoning", "think_summary") or (fmt == "ift" and any(
        r.reasoning is not None and r.reasoning.thinking for r in records))
    kept = [
        r for r in records
        if (not needs_ift or usable(r.ift, needs_thinking=False, keep_truncated=cfg.keep_truncated))
        and (not needs_reasoning or usable(r.reasoning, needs_thinking=thinking, keep_truncated=cfg.keep_truncated))
    ]
    if not kept:
        raise UserError(f"{', '.join(cfg.pairs)}: no prompt has usable answers for this mixture")
    by_id = {r.id: r for r in kept}
    plan = assign(list(by_id), ratio, cfg.order, cfg.seed)
    if fmt == "think_summary":
        missing = [a.id for a in plan if a.side == "reasoning" and a.id not in (summaries or {})]
        if missing:
            raise UserError(f"format think_summary: {len(missing)} reasoning examples have no summary (first id {missing[0]!r})")
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    reasoning_format = "reasoning" if fmt == "ift" else fmt
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for a in plan:
            row_format = "ift" if a.side == "ift" else reasoning_format
            ex = build_example(by_id[a.id], row_format, phase=a.phase, summary=(summaries or {}).get(a.id),
                               system_prompt=cfg.system_prompt)
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    tmp.replace(out)
    n_reasoning = reasoning_count(ratio, len(kept))
    meta = {
        "format": "ift" if ratio == 0 else fmt,
        "reasoning_ratio": ratio,
        "order": cfg.order,
        "seed": cfg.seed,
        "num_examples": len(plan),
        "num_reasoning": n_reasoning,
        "num_ift": len(plan) - n_reasoning,
        "dropped_unusable": len(records) - len(kept),
        "teachers": sorted({r.teacher for r in kept if r.teacher}),
        "domains": sorted({r.domain for r in kept if r.domain}),
        "pairs": [{"path": str(p), "sha256": file_sha256(p)} for p in cfg.pairs],
        "system_prompt": cfg.system_prompt,
    }
    meta_path(out).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def read_mixture(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Examples in training order and the recipe (None for a hand-made file without meta)."""
    examples = []
    for where, obj in iter_jsonl(path):
        msgs = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(msgs, list) or not all(isinstance(m, dict) and "role" in m and "content" in m for m in msgs):
            raise UserError(f"{where}: a training example needs 'messages', a list of {{role, content}}")
        if not any(m["role"] == "assistant" for m in msgs):
            raise UserError(f"{where}: the conversation has no assistant message")
        examples.append(obj)
    if not examples:
        raise UserError(f"{path}: no training examples")
    mp = meta_path(path)
    meta = json.loads(mp.read_text()) if mp.exists() else None
    return examples, meta


def check_mixture(path: str | Path) -> tuple[int, dict[str, Any] | None, bool]:
    """Validate every line without keeping it (mixtures can be tens of GB).

    Returns (examples, recipe or None, whether any example is reasoning-side)."""
    n, reasoning = 0, False
    for where, obj in iter_jsonl(path):
        msgs = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(msgs, list) or not all(
                isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str) for m in msgs):
            raise UserError(f"{where}: a training example needs 'messages', a list of {{role, content}} strings")
        if not any(m["role"] == "assistant" for m in msgs):
            raise UserError(f"{where}: the conversation has no assistant message")
        phase = obj.get("phase", 0)
        if not isinstance(phase, int):
            raise UserError(f"{where}: 'phase' must be an integer")
        reasoning = reasoning or obj.get("format", obj.get("kind", "ift")) != "ift"  # "kind": mixtures before 0.1
        n += 1
    if not n:
        raise UserError(f"{path}: no training examples")
    mp = meta_path(path)
    return n, (json.loads(mp.read_text()) if mp.exists() else None), reasoning
