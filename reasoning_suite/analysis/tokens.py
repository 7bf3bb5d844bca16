"""Token counts with the model's own tokenizer, fast, and honest when the tokenizer is missing.

Answer length is the paper's cost axis, so it must be counted with the tokenizer of the model
that wrote the answer. The counter loads it from the run's ``pretrained=`` (a local directory
or a hub id already in the local cache; never a download), counts whole batches in Rust with
the fast tokenizer, and counts each distinct text once (ten runs over the same tasks share
their prompts). When no tokenizer can be loaded it falls back to ``ceil(characters / 4)`` and
says so: every row it counted carries ``token_source = "approx:chars/4"``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

log = logging.getLogger("reasoning_suite.analysis")

APPROX_SOURCE = "approx:chars/4"
PROBE_TRUSTED = 64  # texts checked against the full encoder before it is trusted with fewer probes


class TokenCounter:
    """Counts tokens of texts for one tokenizer; ``source`` says how (``tokenizer`` or the approximation)."""

    def __init__(self, name_or_path: str | None, *, tokenizer=None):
        self.name = name_or_path or "<unknown>"
        self._backend = None
        self.reason = ""
        if tokenizer is None and name_or_path:
            tokenizer, self.reason = _load_tokenizer(name_or_path)
        elif tokenizer is None:
            self.reason = "the run names no model (no pretrained= in model_args)"
        if tokenizer is not None:
            self._backend = getattr(tokenizer, "backend_tokenizer", None) or getattr(tokenizer, "_tokenizer", None)
            self._slow = tokenizer if self._backend is None else None
        self.source = "tokenizer" if tokenizer is not None else APPROX_SOURCE
        self._memo: dict[str, int] = {}
        self._pieces: dict[str, int] = {}
        self._split = _piece_splitter(self._backend) if self._backend is not None else None
        self.verified = 0  # texts checked against the full encoder
        if tokenizer is None:
            log.warning("token counts for %s are approximate (%s): %s", self.name, APPROX_SOURCE, self.reason)

    @functools.cached_property
    def key(self) -> str:
        """Identity for sharing counts between runs whose tokenizers are the same file."""
        if self._backend is not None:
            return "tok:" + hashlib.sha1(self._backend.to_str().encode()).hexdigest()
        return self.source if self.source == APPROX_SOURCE else "slow:" + self.name

    def count(self, texts: Sequence[str], batch_size: int = 4096, *, remember: bool = True) -> np.ndarray:
        """Token count of each text (no special tokens added); each distinct text is encoded once.

        ``remember=False`` keeps the counts of these texts out of the long-lived memo (answers
        are rarely shared between runs, prompts are): memory stays flat over many runs."""
        memo = self._memo
        todo = [t for t in dict.fromkeys(texts) if t not in memo]
        fresh: dict[str, int] = dict(zip(todo, self._count_unique(todo, batch_size))) if todo else {}
        if remember:
            memo.update(fresh)
            fresh = memo
        elif not fresh:
            fresh = memo
        else:
            fresh.update((t, memo[t]) for t in dict.fromkeys(texts) if t in memo)
        return np.fromiter((fresh[t] for t in texts), dtype=np.int64, count=len(texts))

    def _count_unique(self, todo: list[str], batch_size: int) -> list[int]:
        if self.source == APPROX_SOURCE:
            return [math.ceil(len(t) / 4) for t in todo]
        if self._backend is None:  # a slow (Python) tokenizer: correct, just slower
            return [len(self._slow.encode(t, add_special_tokens=False)) for t in todo]
        return self._count_backend(todo, batch_size)

    def _encode_counts(self, texts: list[str], batch_size: int = 4096) -> list[int]:
        encode = getattr(self._backend, "encode_batch_fast", None) or self._backend.encode_batch
        out: list[int] = []
        for i in range(0, len(texts), batch_size):
            out.extend(len(e.ids) for e in encode(texts[i : i + batch_size], add_special_tokens=False))
        return out

    def _count_backend(self, todo: list[str], batch_size: int) -> list[int]:
        out: list[int | None] = [None] * len(todo)
        fast = [i for i, t in enumerate(todo) if t.isascii()] if self._split is not None else []
        if fast:
            texts = [todo[i] for i in fast]
            counts = self._count_pieces(texts, batch_size)
            # Check a spread of texts (the longest included) against the full encoder; once
            # PROBE_TRUSTED texts agreed, two per call (a streamed table calls once per batch,
            # and encoding the longest trace of every batch in full would cost more than counting).
            if self.verified < PROBE_TRUSTED:
                step = max(1, len(texts) // 32)
                probe = sorted(set(range(0, len(texts), step)) | {max(range(len(texts)), key=lambda i: len(texts[i]))})
            else:
                probe = sorted({0, len(texts) // 2})
            truth = self._encode_counts([texts[i] for i in probe])
            self.verified += len(probe)
            if any(counts[i] != c for i, c in zip(probe, truth)):
                log.warning("tokenizer %s: piece-wise counts differ from the full encoder; using the full encoder", self.name)
                self._split = None
            else:
                for i, c in zip(fast, counts):
                    out[i] = c
        slow = [i for i, c in enumerate(out) if c is None]
        if slow:
            for i, c in zip(slow, self._encode_counts([todo[i] for i in slow], batch_size)):
                out[i] = c
        return out  # type: ignore[return-value]

    def _count_pieces(self, texts: list[str], batch_size: int, chunk: int = 64) -> list[int]:
        """Sum of the pieces' counts, `chunk` texts at a time: a 3,000-word trace is ~3,000 piece
        strings, so the pieces of a whole batch of long traces would be the largest thing held."""
        split, pieces = self._split, self._pieces
        out: list[int] = []
        for i in range(0, len(texts), chunk):
            per_text = [split(t) for t in texts[i : i + chunk]]
            try:  # once the pieces of a run's vocabulary are known, looking them up is all
                out.extend([sum(map(pieces.__getitem__, ps)) for ps in per_text])
                continue
            except KeyError:
                pass
            unknown = list(set().union(*per_text) - pieces.keys())
            pieces.update(zip(unknown, self._encode_counts(unknown, batch_size)))
            out.extend(sum(map(pieces.__getitem__, ps)) for ps in per_text)
        return out


def _piece_splitter(backend) -> Callable[[str], list[str]] | None:
    """A function text -> pre-tokenised pieces that reproduces the tokenizer's own split, or None.

    Only for the shapes whose count is additive over pieces and whose split we can reproduce
    exactly on ASCII: added tokens without strip/single-word rules, an NFC or no normaliser,
    a regex `Split` (isolated) then a byte-level step without its own regex, or a byte-level
    pre-tokenizer with GPT-2's regex, and a BPE model without dropout."""
    try:
        import regex
    except ImportError:  # pragma: no cover - regex ships with transformers
        return None
    try:
        spec = json.loads(backend.to_str())
    except Exception:  # noqa: BLE001
        return None
    model = spec.get("model") or {}
    if model.get("type") != "BPE" or model.get("dropout"):
        return None
    norm = spec.get("normalizer")
    if norm is not None and norm.get("type") != "NFC":
        return None
    added = spec.get("added_tokens") or []
    if any(t.get("lstrip") or t.get("rstrip") or t.get("single_word") for t in added):
        return None
    pre = spec.get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers") if pre.get("type") == "Sequence" else [pre]
    pattern = None
    if (len(steps) == 2 and steps[0].get("type") == "Split" and steps[0].get("behavior") == "Isolated"
            and not steps[0].get("invert") and "Regex" in (steps[0].get("pattern") or {})
            and steps[1].get("type") == "ByteLevel" and not steps[1].get("use_regex", True)
            and not steps[1].get("add_prefix_space")):
        pattern = steps[0]["pattern"]["Regex"]
    elif len(steps) == 1 and steps[0].get("type") == "ByteLevel" and steps[0].get("use_regex", True) \
            and not steps[0].get("add_prefix_space"):
        pattern = _GPT2_PATTERN
    if pattern is None:
        return None
    findall = _ascii_findall(pattern)
    if findall is None:
        try:
            findall = regex.compile(pattern).findall
        except regex.error:
            return None
    contents = sorted({t["content"] for t in added if t.get("content")}, key=len, reverse=True)
    if not contents:
        return findall
    added_re = regex.compile("(" + "|".join(regex.escape(c) for c in contents) + ")")
    added_set = set(contents)

    def split(text: str) -> list[str]:
        if not any(c in text for c in added_set):
            return findall(text)
        out: list[str] = []
        for seg in added_re.split(text):
            if seg in added_set:
                out.append(seg)
            elif seg:
                out.extend(findall(seg))
        return out

    return split


_WS = "\\t\\n\\x0b\\x0c\\r "  # Unicode White_Space restricted to ASCII (not \\x1c-\\x1f)
_ASCII_CLASS = {"p{L}": "A-Za-z", "p{N}": "0-9", "s": _WS}


def _ascii_findall(pattern: str):
    """The pattern rewritten for ASCII-only text in the standard `re` module (3x faster than
    `regex` with Unicode properties), or None when it uses anything we do not rewrite.

    On ASCII, ``\\p{L}`` is ``A-Za-z``, ``\\p{N}`` is ``0-9`` and ``\\s`` is the ASCII part of
    Unicode White_Space; ``\\S`` outside a class is its complement."""
    import re

    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if pattern.startswith("p{L}", i + 1) or pattern.startswith("p{N}", i + 1):
                body = _ASCII_CLASS[pattern[i + 1 : i + 5]]
                out.append(body if in_class else f"[{body}]")
                i += 5
                continue
            if nxt == "s":
                out.append(_WS if in_class else f"[{_WS}]")
                i += 2
                continue
            if nxt == "S" and not in_class:
                out.append(f"[^{_WS}]")
                i += 2
                continue
            if nxt in "pPS":
                return None
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    try:
        return re.compile("".join(out)).findall
    except re.error:
        return None


_GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _load_tokenizer(name_or_path: str):
    try:
        from transformers import AutoTokenizer

        local = Path(name_or_path).is_dir()
        tok = AutoTokenizer.from_pretrained(name_or_path, local_files_only=True)
        return tok, "" if local else "loaded from the local Hugging Face cache"
    except Exception as exc:  # noqa: BLE001 - any failure means "no tokenizer": reported, not hidden
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"cannot load a tokenizer from {name_or_path!r} offline ({first[:160]})"


_COUNTERS: dict[str, TokenCounter] = {}


def counter_for(name_or_path: str | None) -> TokenCounter:
    """One counter per model path per process, sharing memo tables between identical tokenizers."""
    key = str(name_or_path)
    if key not in _COUNTERS:
        c = TokenCounter(name_or_path)
        for other in _COUNTERS.values():
            if other.key == c.key:  # same tokenizer: share counts (texts and pieces) and the splitter
                c._memo, c._pieces, c._split = other._memo, other._pieces, other._split
                break
        _COUNTERS[key] = c
    return _COUNTERS[key]


def clear_cache() -> None:
    _COUNTERS.clear()
