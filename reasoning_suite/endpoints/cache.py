"""A SQLite record of every answered call, so a re-run never pays for the same call twice.

Key: sha256 of the canonical JSON of model + messages + sampling (temperature, top_p,
max_tokens) + the merged extra_body (+ an optional caller tag). The base URL and the key are
deliberately *not* part of it: the same model answers the same request the same way whether
it is served by a local vLLM or a provider, and moving a panel to another host must not
re-buy every judgement. Use a different `model` string (or a `tag`) when two servers of one
model name must not share answers.

Every answered call is committed on its own (WAL journal), so `kill -9` loses at most the
calls still in flight. Errors are never cached: only replies the server actually produced.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from reasoning_suite.endpoints.config import Endpoint
from reasoning_suite.endpoints.result import ChatResult
from reasoning_suite.errors import UserError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def cache_key(
    *,
    model: str,
    messages: list[dict[str, Any]],
    temperature: float | None,
    top_p: float | None,
    max_tokens: int | None,
    extra_body: dict | None,
    tag: str | None = None,
) -> str:
    """The cache key of one request (see the module docstring for what is in it and why)."""
    payload = {
        "model": model,
        "messages": messages,
        "temperature": temperature,
        "top_p": top_p,
        "max_tokens": max_tokens,
        "extra_body": extra_body or {},
    }
    if tag is not None:
        payload["tag"] = tag
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def request_key(
    endpoint: Endpoint,
    messages: list[dict[str, Any]],
    *,
    temperature: float | None,
    top_p: float | None,
    max_tokens: int | None = None,
    extra_body: dict | None = None,
    cache_tag: str | None = None,
) -> str:
    """The key `ChatClient.chat` files this request under: the endpoint's model and its
    `extra_body` merged with the call's (the call's wins). Anything that predicts cache hits
    (`judge --dry-run`) must call this, never rebuild the key."""
    body = merged_body(endpoint, extra_body)
    return cache_key(model=endpoint.model, messages=messages, temperature=temperature, top_p=top_p,
                     max_tokens=max_tokens, extra_body=body, tag=cache_tag)


def merged_body(endpoint: Endpoint, extra_body: dict | None) -> dict:
    """The request body extras actually sent: the endpoint's, overridden by the call's."""
    merged = dict(endpoint.extra_body or {})
    merged.update(extra_body or {})
    return merged


class CallCache:
    """SQLite call cache; safe to share between asyncio tasks and threads of one process and
    between processes (WAL + busy timeout)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), timeout=30.0, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process (only an OS crash can drop the tail).
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise UserError(f"call cache {self.path}: cannot open ({exc})") from exc
        self._lock = threading.Lock()

    def get(self, key: str) -> ChatResult | None:
        with self._lock:
            row = self._conn.execute("SELECT result FROM calls WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return ChatResult.from_dict(json.loads(row[0]), cached=True)

    def put(self, key: str, model: str, result: ChatResult) -> None:
        data = result.to_dict()
        data.pop("cached", None)
        blob = json.dumps(data, ensure_ascii=False)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO calls (key, model, result, created) VALUES (?, ?, ?, ?)",
                (key, model, blob, time.time()),
            )

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM calls WHERE key = ?", (key,)).fetchone() is not None

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "CallCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
