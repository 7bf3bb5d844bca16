"""Where prompts come from: a Hugging Face dataset (with presets for the paper's two) or JSONL.

A field mapping says which column holds the prompt. A column that holds a conversation (a
list of `{role|from, content|value}` turns, as Infinity-Instruct and Llama-Nemotron store
them) gives its first user/human turn. Ids come from `id_field` when given, else from a hash
of the prompt text, so re-runs agree on them and duplicates collapse to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from reasoning_suite.errors import UserError
from reasoning_suite.trainers.records import iter_jsonl, prompt_id


@dataclass(frozen=True)
class Preset:
    dataset: str
    config: str | None
    split: str
    prompt_field: str
    id_field: str | None
    domain: str


PRESETS: dict[str, Preset] = {
    # General domain, paper §2.2: Infinity-Instruct 7M_core (about 1.3M prompts).
    "infinity-instruct": Preset("BAAI/Infinity-Instruct", "7M_core", "train", "conversations", "id", "general"),
    # Math domain: the math split of NVIDIA's Llama-Nemotron post-training data (SFT config).
    "nemotron-math": Preset("nvidia/Llama-Nemotron-Post-Training-Dataset", "SFT", "math", "input", None, "math"),
}

# What a prompt source is read with when neither the user nor a preset says otherwise.
DEFAULT_SPLIT = "train"
DEFAULT_PROMPT_FIELD = "prompt"

_USER_ROLES = {"user", "human"}


@dataclass(frozen=True)
class PromptItem:
    id: str
    prompt: str
    domain: str | None
    source: str


def extract_prompt(value: Any, where: str) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list):
        text = None
        for turn in value:
            if isinstance(turn, dict) and str(turn.get("role", turn.get("from", ""))).lower() in _USER_ROLES:
                text = turn.get("content", turn.get("value"))
                break
        if not isinstance(text, str):
            raise UserError(f"{where}: the conversation has no user/human turn with text")
    else:
        raise UserError(f"{where}: the prompt field must be a string or a list of turns, got {type(value).__name__}")
    if not text.strip():
        raise UserError(f"{where}: empty prompt")
    return text.strip()


def _items(rows: Iterable[tuple[str, Any]], prompt_field: str, id_field: str | None, domain: str | None,
           source: str, limit: int | None) -> list[PromptItem]:
    items: dict[str, PromptItem] = {}
    for where, row in rows:
        if limit is not None and len(items) >= limit:
            break
        if not isinstance(row, dict) or prompt_field not in row:
            raise UserError(f"{where}: no field {prompt_field!r} (set --prompt-field)")
        text = extract_prompt(row[prompt_field], f"{where}: field {prompt_field!r}")
        if id_field:
            if row.get(id_field) in (None, ""):
                raise UserError(f"{where}: no id in field {id_field!r}")
            pid = str(row[id_field])
        else:
            pid = prompt_id(text, source)
        row_domain = row.get("domain") if isinstance(row.get("domain"), str) else None
        items.setdefault(pid, PromptItem(pid, text, domain or row_domain, source))
    return list(items.values())


def from_jsonl(path: str, prompt_field: str = DEFAULT_PROMPT_FIELD, id_field: str | None = None, domain: str | None = None,
               limit: int | None = None) -> list[PromptItem]:
    return _items(iter_jsonl(path), prompt_field, id_field, domain, str(path), limit)


def from_hf(dataset: str, config: str | None, split: str, prompt_field: str, id_field: str | None,
            domain: str | None, limit: int | None = None) -> list[PromptItem]:
    """Stream the dataset (the presets are millions of rows) and take the first `limit` prompts."""
    import datasets

    try:
        ds = datasets.load_dataset(dataset, config, split=split, streaming=True)
    except Exception as exc:  # noqa: BLE001 - network, auth or a wrong name: all the user's to fix
        raise UserError(f"cannot load dataset {dataset!r} (config {config!r}, split {split!r}): "
                        f"{str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__}") from None
    source = f"{dataset}:{config or 'default'}:{split}"
    rows = ((f"{source} row {i}", row) for i, row in enumerate(ds))
    return _items(rows, prompt_field, id_field, domain, source, limit)
