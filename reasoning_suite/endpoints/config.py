"""Where a model is served and how hard we may call it.

Secrets never live here: an `Endpoint` names the environment variable that holds its key,
and `base_url` may itself be a `${VAR}` reference so a shared config file names no hosts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from reasoning_suite.config_parsing import FieldError, resolve_env_refs as _resolve
from reasoning_suite.errors import UserError


class EndpointError(UserError):
    """An endpoint could not be used: unreachable after retries, a missing key, a bad URL.

    Messages name the endpoint and the environment variable, never the key's value."""


def resolve_env_refs(value: str, *, what: str) -> str:
    """Replace `${VAR}` (or `${VAR:-default}`) with the variable's value (the syntax is
    `config_parsing.ENV_REF`'s); an unset one is an `EndpointError` naming `what`, e.g.
    "endpoint 'llama' base_url"."""
    return _resolve(value, what=what, error=EndpointError)


class EndpointFieldError(FieldError, EndpointError):
    """A field an `Endpoint` rejects: a config reader names it by its path
    (`panel.yaml: judges[1].max_concurrency: ...`), code building one directly sees the endpoint."""

    def __init__(self, endpoint: str, field: str, reason: str):
        super().__init__(field, reason)
        self.args = (f"endpoint {endpoint!r}: {field}: {reason}",)


@dataclass
class Endpoint:
    """One OpenAI-compatible server and model.

    `extra_body` is merged into every request (e.g. `{"chat_template_kwargs":
    {"enable_thinking": true}}` for vLLM, `{"reasoning_effort": "high"}` for GPT-OSS); prices are
    in currency units per million tokens and only feed cost reports. One `ChatClient` per
    endpoint enforces `max_concurrency`. The defaults here are the only ones: a judge holds an
    `Endpoint`, `GenerateConfig` reads them with `config_parsing.default_of`."""

    name: str
    base_url: str = field(metadata={"env_refs": True})
    model: str
    api_key_env: str | None = None  # the NAME of the variable holding the key, never the key
    max_concurrency: int = 8
    timeout_s: float = 600.0
    max_retries: int = 6
    extra_body: dict | None = None
    price_per_mtok_in: float | None = None
    price_per_mtok_out: float | None = None
    # Backoff: attempt n sleeps uniform(0, min(backoff_max_s, backoff_base_s * 2**n)) unless
    # the server sent Retry-After, which wins (capped at backoff_max_s * 4).
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0

    def __post_init__(self) -> None:
        def fail(name: str, reason: str) -> EndpointFieldError:
            return EndpointFieldError(self.name, name, reason)

        for name in ("name", "base_url", "model"):
            if not getattr(self, name):
                raise fail(name, "must be a non-empty string")
        if self.api_key_env is not None:
            if self.api_key_env.startswith("sk-") or len(self.api_key_env) > 64:
                raise fail("api_key_env", "looks like a key, not a variable name; put the key in the environment")
            if not self.api_key_env.replace("_", "").isalnum():
                raise fail("api_key_env", "must be the NAME of an environment variable (letters, digits, _)")
        if self.max_concurrency < 1:
            raise fail("max_concurrency", f"must be >= 1, got {self.max_concurrency}")
        if self.max_retries < 0:
            raise fail("max_retries", f"must be >= 0, got {self.max_retries}")
        if self.timeout_s <= 0:
            raise fail("timeout_s", f"must be > 0, got {self.timeout_s}")

    def resolved_base_url(self) -> str:
        """The base URL with `${VAR}` references filled in; raises `EndpointError` if unset."""
        url = resolve_env_refs(self.base_url, what=f"endpoint {self.name!r} base_url").strip()
        if not re.match(r"^https?://", url):
            raise EndpointError(f"endpoint {self.name!r}: base_url must start with http:// or https://, got {url!r}")
        return url.rstrip("/")

    def api_key(self) -> str:
        """The key from `api_key_env`; local servers without auth get a placeholder."""
        if not self.api_key_env:
            return "EMPTY"
        key = os.environ.get(self.api_key_env)
        if not key:
            raise EndpointError(
                f"endpoint {self.name!r}: environment variable {self.api_key_env} (its API key) is not set"
            )
        return key

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Cost of that many tokens, or None when no price is configured."""
        if self.price_per_mtok_in is None and self.price_per_mtok_out is None:
            return None
        return (prompt_tokens * (self.price_per_mtok_in or 0.0) + completion_tokens * (self.price_per_mtok_out or 0.0)) / 1e6
