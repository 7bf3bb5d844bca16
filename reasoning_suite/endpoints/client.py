"""The async chat client: cache first, then bounded, retried calls through `openai`.

Retries are `tenacity`'s (`endpoints.retry.retrying`) rather than the `openai` client's, whose
backoff cannot be configured per endpoint and which does not retry a 200 that is not a chat
completion: it backs off exponentially with full jitter on 429, 5xx, timeouts, dropped
connections and malformed replies, honours Retry-After, and ends in an `EndpointError` that
names the endpoint and the last fault. Client errors (400, 401, 404, ...) fail at once:
retrying cannot fix them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI

from reasoning_suite.endpoints.cache import CallCache, merged_body, request_key
from reasoning_suite.endpoints.config import Endpoint, EndpointError
from reasoning_suite.endpoints.result import ChatResult
from reasoning_suite.endpoints.retry import Retryable, is_retryable_status, parse_retry_after, retrying


class _MalformedReply(Exception):
    """The server answered 200 with something that is not a chat completion."""


@dataclass
class ClientStats:
    """What this client did so far (cache hits cost nothing and are counted apart)."""

    answered: int = 0
    cache_hits: int = 0
    http_requests: int = 0
    retries: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ChatClient:
    """Calls one `Endpoint`; at most `endpoint.max_concurrency` requests are in flight.

    Identical concurrent requests (same cache key) are sent once and shared. Use one client per
    endpoint and close it (`await client.aclose()` or `async with`)."""

    def __init__(self, endpoint: Endpoint, cache: CallCache | None = None):
        self.endpoint = endpoint
        self.cache = cache
        self.base_url = endpoint.resolved_base_url()
        self._key = endpoint.api_key()
        self._client = AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._key,
            max_retries=0,
            timeout=endpoint.timeout_s,
            _strict_response_validation=True,
        )
        self._sem = asyncio.Semaphore(endpoint.max_concurrency)
        self._inflight: dict[str, asyncio.Future[ChatResult]] = {}
        self.stats = ClientStats()
        self._sleep = asyncio.sleep  # replaced in tests to observe backoff delays

    async def __aenter__(self) -> "ChatClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.close()

    async def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        temperature: float | None,
        top_p: float | None,
        max_tokens: int | None = None,
        extra_body: dict | None = None,
        cache_tag: str | None = None,
    ) -> ChatResult:
        """One chat completion. `cache_tag` separates calls that are otherwise identical but
        must be sampled independently (e.g. several teacher samples of one prompt)."""
        body = merged_body(self.endpoint, extra_body)
        key = request_key(self.endpoint, messages, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                          extra_body=extra_body, cache_tag=cache_tag)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats.cache_hits += 1
                return hit
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ChatResult] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            async with self._sem:
                result = await self._call_with_retries(messages, temperature, top_p, max_tokens, body)
            if self.cache is not None:
                self.cache.put(key, self.endpoint.model, result)
            self.stats.answered += 1
            self.stats.prompt_tokens += result.prompt_tokens
            self.stats.completion_tokens += result.completion_tokens
            future.set_result(result)
            return result
        except BaseException as exc:
            if isinstance(exc, EndpointError):
                self.stats.failures += 1
            if not future.done():
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                    future.exception()  # mark retrieved: waiters re-raise it, nobody else must
                else:
                    future.cancel()
            raise
        finally:
            self._inflight.pop(key, None)

    async def _call_with_retries(
        self,
        messages: list[dict[str, Any]],
        temperature: float | None,
        top_p: float | None,
        max_tokens: int | None,
        body: dict,
    ) -> ChatResult:
        ep = self.endpoint
        kwargs: dict[str, Any] = {"model": ep.model, "messages": messages}
        if temperature is not None:
            kwargs["temperature"] = temperature
        if top_p is not None:
            kwargs["top_p"] = top_p
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if body:
            kwargs["extra_body"] = body
        attempts = ep.max_retries + 1

        def count_retry(_state: object) -> None:
            self.stats.retries += 1

        try:
            return await retrying(max_retries=ep.max_retries, base_s=ep.backoff_base_s, max_s=ep.backoff_max_s,
                                  sleep=lambda s: self._sleep(s), on_retry=count_retry)(self._attempt, kwargs)
        except Retryable as exc:
            raise EndpointError(
                f"endpoint {ep.name!r} ({self.base_url}, model {ep.model}) failed after {attempts} attempts: {exc.reason}"
            ) from None

    async def _attempt(self, kwargs: dict[str, Any]) -> ChatResult:
        """One HTTP request: the result, a `Retryable` fault, or an `EndpointError` for good."""
        ep = self.endpoint
        self.stats.http_requests += 1
        try:
            response = await self._client.chat.completions.create(**kwargs)
            return _to_result(response)
        except openai.APITimeoutError:
            raise Retryable(f"timed out after {ep.timeout_s:g} s") from None
        except openai.APIConnectionError as exc:
            raise Retryable(f"connection failed ({self._redact(str(exc.__cause__ or exc))})") from None
        except openai.APIStatusError as exc:
            status = exc.status_code
            detail = self._redact(_short(exc.message))
            if not is_retryable_status(status):
                hint = ""
                if status in (401, 403):
                    hint = f" (check the key in ${ep.api_key_env})" if ep.api_key_env else " (set api_key_env)"
                elif status == 404:
                    hint = f" (is model {ep.model!r} served at {self.base_url}?)"
                raise EndpointError(
                    f"endpoint {ep.name!r} ({self.base_url}, model {ep.model}) rejected the request: "
                    f"HTTP {status}{hint}: {detail}"
                ) from None
            raise Retryable(f"HTTP {status}: {detail}", parse_retry_after(dict(exc.response.headers))) from None
        except (openai.APIResponseValidationError, _MalformedReply) as exc:
            raise Retryable(f"malformed reply ({self._redact(_short(str(exc)))})") from None

    def _redact(self, text: str) -> str:
        if self._key and self._key != "EMPTY" and len(self._key) >= 4:
            text = text.replace(self._key, "***")
        return text


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _to_result(response: Any) -> ChatResult:
    choices = getattr(response, "choices", None)
    if not choices:
        raise _MalformedReply("no choices in the reply")
    choice = choices[0]
    message = getattr(choice, "message", None)
    if message is None:
        raise _MalformedReply("no message in the first choice")
    reasoning = _as_text(getattr(message, "reasoning_content", None)) or _as_text(getattr(message, "reasoning", None))
    usage = getattr(response, "usage", None)
    return ChatResult(
        content=_as_text(getattr(message, "content", None)) or "",
        reasoning=reasoning,
        finish_reason=_as_text(getattr(choice, "finish_reason", None)),
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0) if usage is not None else 0,
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0) if usage is not None else 0,
        cached=False,
    )
