"""Tokenised, label-masked and packed training rows from a mixture file.

Why not let SFTTrainer prepare the data: TRL packs the whole dataset at once with
best-fit-decreasing, which reorders sequences by length and would put reasoning examples in
the IFT part of a sequential run. So each phase is prepared here with the same calls TRL makes
(`apply_chat_template(..., return_assistant_tokens_mask=True)` with TRL's training chat
template, then `trl.pack_dataset(..., "bfd")`), packed separately, shuffled within the phase,
and the phases concatenated in order; the trainer then reads rows sequentially and TRL's own
collator (padding-free when packed) builds the batches.

A conversation longer than `max_length` tokens is dropped whole and counted, never cut: cutting
keeps the start, so the longest reasoning traces would lose their `</think>` and the answer
and the student would learn to ramble without concluding.

Labels are the input ids on assistant tokens (the `{% generation %}` span, which includes the
end-of-turn token) and -100 everywhere else, so the loss is on the assistant's tokens only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reasoning_suite.errors import UserError


@dataclass
class PreparedData:
    dataset: Any  # datasets.Dataset with input_ids, labels[, seq_lengths]
    sequence_lengths: list[int]  # per kept example (for FLOPs and tokens seen)
    loss_tokens: int
    dropped_too_long: int  # conversations longer than max_length, left out whole
    num_examples: int
    phases: list[int]


_CONTENT_TERMS = ("message['content']", 'message["content"]', "message.content")
_PROBE_CONVERSATIONS = (
    [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "5"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
     {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye"},
     {"role": "assistant", "content": "<think>\nok\n</think>\n\nBye."}],
)


def _split_plus(expr: str) -> list[str]:
    """Top-level `+` terms of a Jinja expression (quotes and brackets respected)."""
    terms, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(expr):
        if quote:
            if ch == quote and expr[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "+" and depth == 0:
            terms.append(expr[start:i].strip())
            start = i + 1
    terms.append(expr[start:].strip())
    return terms


def add_generation_markers(template: str, end_of_turn: str) -> str | None:
    """A copy of a ChatML-style template with the assistant turn wrapped in `{% generation %}`.

    Handles the common layout where one `{{ ... }}` renders every message as
    `HEADER + message['content'] + END...` (SmolLM2, many Llama/Mistral fine-tunes): that
    expression becomes an `if message['role'] == 'assistant'` branch that renders exactly the
    same text with `message['content']` and the terms up to the one holding `end_of_turn`
    inside the markers, and the original expression for every other role. Returns None when
    the template has no such expression (then it cannot be patched here).
    """
    import re

    found = []
    for m in re.finditer(r"\{\{(-?)(.*?)(-?)\}\}", template, flags=re.S):
        terms = _split_plus(m.group(2))
        idx = [i for i, t in enumerate(terms) if t in _CONTENT_TERMS]
        if len(idx) == 1 and any(end_of_turn in t for t in terms[idx[0] + 1:]):
            found.append((m, terms, idx[0]))
    if len(found) != 1:
        return None
    m, terms, i = found[0]
    j = next(k for k in range(i + 1, len(terms)) if end_of_turn in terms[k])
    lead, trail = m.group(1), m.group(3)
    head, body, tail = terms[:i], terms[i:j + 1], terms[j + 1:]
    branch = ("{% if message['role'] == 'assistant' %}"
              + (f"{{{{{lead} " + " + ".join(head) + " }}" if head else "")
              + "{% generation %}{{ " + " + ".join(body) + " }}{% endgeneration %}"
              + ("{{ " + " + ".join(tail) + f" {trail}}}}}" if tail else "")
              + "{% else %}" + m.group(0) + "{% endif %}")
    return template[:m.start()] + branch + template[m.end():]


def _renders_alike(tokenizer, a: str, b: str) -> bool:
    for conv in _PROBE_CONVERSATIONS:
        for gen_prompt in (False, True):
            msgs = conv[:-1] if gen_prompt else conv
            ra = tokenizer.apply_chat_template(msgs, tokenize=False, chat_template=a, add_generation_prompt=gen_prompt)
            rb = tokenizer.apply_chat_template(msgs, tokenize=False, chat_template=b, add_generation_prompt=gen_prompt)
            if ra != rb:
                return False
    return True


def resolve_chat_template(tokenizer, override: str | None, model: str) -> tuple[str, str, str]:
    """Return (template to save with the checkpoint, template to train with, how it was chosen).

    The student keeps its own template unless `override` asks otherwise ('chatml' or a .jinja
    file, which then replaces it for training, saving and evaluation alike). The training
    template must mark assistant tokens with `{% generation %}`. A template that lacks them
    gets them on a copy: TRL's patch for the families it knows (Qwen2.5, Qwen3, Llama 3,
    Gemma, Phi, ...), else `add_generation_markers` for ChatML-style templates (SmolLM2, ...);
    the copy must render every probe conversation exactly as the original. Anything else is a
    one-line error suggesting `--chat-template chatml`.
    """
    from pathlib import Path

    from trl.chat_template_utils import get_training_chat_template, has_generation_markers

    how = "the student's own"
    if override == "chatml":
        from reasoning_suite.chat_template import CHATML_TEMPLATE

        tokenizer.chat_template = CHATML_TEMPLATE
        how = "ChatML (--chat-template chatml) in place of the student's own"
    elif override:
        path = Path(override)
        if not path.exists():
            raise UserError(f"--chat-template {override}: no such file (use 'chatml' or a .jinja path)")
        tokenizer.chat_template = path.read_text(encoding="utf-8")
        how = f"{override} (--chat-template) in place of the student's own"
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if not template:
        raise UserError(f"{model}: the tokenizer has no chat template; pass --chat-template chatml (or a .jinja file)")
    if has_generation_markers(template):
        return template, template, how
    try:
        patched = get_training_chat_template(tokenizer)
        if patched:
            return template, patched, how + ", with TRL's {% generation %} markers for training"
        return template, template, how
    except ValueError:
        pass
    eot = tokenizer.eos_token or ""
    marked = add_generation_markers(template, eot) if eot else None
    if marked is None and "<|im_end|>" in template:
        marked = add_generation_markers(template, "<|im_end|>")
    if marked is not None and has_generation_markers(marked) and _renders_alike(tokenizer, template, marked):
        return template, marked, how + ", with {% generation %} markers added to a copy for training"
    raise UserError(
        f"{model}: its chat template has no {{% generation %}} markers and neither TRL nor reasoning-suite can add "
        "them to this layout; pass --chat-template chatml (replaces the student's template) or a .jinja file "
        "whose assistant turn is wrapped in {% generation %}"
    )


def tokenize_messages(tokenizer, messages: list[dict[str, str]], chat_template: str) -> tuple[list[int], list[int]]:
    """(input_ids, labels) for one conversation; labels are -100 outside assistant tokens."""
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True, chat_template=chat_template
    )
    ids = list(out["input_ids"])
    mask = list(out["assistant_masks"])
    if 1 not in mask:
        raise UserError("a training conversation has no assistant tokens under the chat template")
    return ids, [t if m else -100 for t, m in zip(ids, mask)]


def _tokenize_row(ex: dict[str, Any], tokenizer, chat_template: str, max_length: int) -> dict[str, Any]:
    messages = [{"role": m["role"], "content": m["content"]} for m in ex["messages"]]
    ids, labels = tokenize_messages(tokenizer, messages, chat_template)
    return {"input_ids": ids, "labels": labels, "length": len(ids), "too_long": len(ids) > max_length,
            "loss_tokens": sum(1 for label in labels if label != -100), "phase": int(ex.get("phase") or 0)}


def prepare(mixture: str, tokenizer, chat_template: str, max_length: int, packing: bool, seed: int,
            num_proc: int | None = None) -> PreparedData:
    """Tokenise the mixture file (Arrow-backed, `num_proc` workers), then pack phase by phase."""
    from datasets import concatenate_datasets, load_dataset
    from trl import pack_dataset

    raw = load_dataset("json", data_files=str(mixture), split="train")
    ds = raw.map(_tokenize_row, fn_kwargs={"tokenizer": tokenizer, "chat_template": chat_template,
                                           "max_length": max_length},
                 remove_columns=raw.column_names, num_proc=num_proc, desc="Tokenizing")
    dropped = sum(ds["too_long"])
    ds = ds.filter(lambda too_long: not too_long, input_columns="too_long", num_proc=num_proc)
    if len(ds) == 0:
        raise UserError(f"{mixture}: no example fits in max_seq_length={max_length} tokens "
                        f"({dropped} longer ones dropped); raise --max-seq-length")
    phase_col = ds["phase"]
    bounds = [0] + [i for i in range(1, len(phase_col)) if phase_col[i] != phase_col[i - 1]] + [len(phase_col)]
    order = [phase_col[a] for a in bounds[:-1]]
    if order != sorted(set(order)):
        raise UserError(f"{mixture}: phases must be contiguous and increasing (IFT part, then reasoning part)")
    parts = []
    for a, b in zip(bounds, bounds[1:]):
        part = ds.select(range(a, b)).select_columns(["input_ids", "labels"])
        if packing:
            part = pack_dataset(part, max_length, "bfd").shuffle(seed=seed + phase_col[a])
        parts.append(part)
    dataset = concatenate_datasets(parts) if len(parts) > 1 else parts[0]
    return PreparedData(dataset, list(ds["length"]), sum(ds["loss_tokens"]), dropped, len(ds), order)


def end_of_turn_id(tokenizer, chat_template: str) -> int:
    """The token that ends an assistant turn under the training template (the last trained one).

    Base checkpoints often declare `<|endoftext|>` as EOS while their chat template ends turns
    with `<|im_end|>`; a student trained on the template emits the latter, so generation must
    stop on it (see sft.py)."""
    out = tokenizer.apply_chat_template(
        [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
        tokenize=True, return_dict=True, return_assistant_tokens_mask=True, chat_template=chat_template,
    )
    trained = [t for t, m in zip(out["input_ids"], out["assistant_masks"]) if m]
    special = set(tokenizer.all_special_ids)
    # Some training templates (TRL's Qwen2.5 one) also train the newline after the end-of-turn token.
    return int(next((t for t in reversed(trained) if t in special), trained[-1]))
