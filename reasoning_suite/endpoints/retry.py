"""When and how long to retry a call: `tenacity` does the loop, these say what to retry and how
long to wait (Retry-After first, else full-jitter exponential backoff)."""

from __future__ import annotations

import email.utils
import random
import time
from typing import Awaitable, Callable, Mapping

import tenacity

RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


def is_retryable_status(status: int) -> bool:
    """429 (rate limit), 5xx (server trouble) and the few 4xx that mean "try again"."""
    return status in RETRYABLE_STATUS or status >= 500


def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after` as seconds or an
    HTTP date), or None if it did not say or said something unreadable."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    raw_ms = lower.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = lower.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    return max(0.0, when - (time.time() if now is None else now))


class Retryable(Exception):
    """One failed attempt worth another: a 429/5xx, a timeout, a dropped connection or a reply
    that is not a chat completion. `retry_after_s` is what the server asked us to wait."""

    def __init__(self, reason: str, retry_after_s: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class wait_retry_after_or_full_jitter(tenacity.wait.wait_base):
    """tenacity's full-jitter exponential backoff (`wait_random_exponential`: uniform in
    [0, min(max_s, base_s * 2**n)] before retry n), so many clients hitting one overloaded
    server spread out. A server's Retry-After wins, but never beyond 4 * max_s, so a
    misconfigured header cannot park a run for a day; up to min(1, base_s) of jitter is added
    on top so that a burst of 429s does not come back in lockstep."""

    def __init__(self, *, base_s: float, max_s: float):
        self.base_s, self.max_s = base_s, max_s
        self._jitter = tenacity.wait_random_exponential(multiplier=base_s, max=max_s)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        after = getattr(exc, "retry_after_s", None)
        if after is not None:
            return min(after, 4.0 * self.max_s) + random.uniform(0.0, min(1.0, self.base_s))
        return self._jitter(retry_state)


def retrying(*, max_retries: int, base_s: float, max_s: float,
             sleep: Callable[[float], Awaitable[None]],
             on_retry: Callable[[tenacity.RetryCallState], None]) -> tenacity.AsyncRetrying:
    """Up to `max_retries` retries of `Retryable` failures (anything else propagates at once);
    the last `Retryable` is re-raised when they run out."""
    return tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(max_retries + 1),
        wait=wait_retry_after_or_full_jitter(base_s=base_s, max_s=max_s),
        retry=tenacity.retry_if_exception_type(Retryable),
        sleep=sleep,
        before_sleep=on_retry,
        reraise=True,
    )
