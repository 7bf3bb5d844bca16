"""The shared OpenAI-compatible client against the scripted server over real HTTP."""

from __future__ import annotations

import asyncio
import socket

import pytest

from reasoning_suite.endpoints import CallCache, ChatClient, ChatResult, Endpoint, EndpointError, cache_key
from reasoning_suite.endpoints.retry import Retryable, parse_retry_after, wait_retry_after_or_full_jitter
from reasoning_suite.endpoints.scripted_server import Behaviour, ScriptedServer
from reasoning_suite.errors import UserError

MSG = [{"role": "user", "content": "Is 2+2 equal to 4?"}]


@pytest.fixture(scope="module")
def server():
    behaviours = {
        "yes": Behaviour(reply="yes"),
        "reasoner": Behaviour(reply="no", reasoning="Let me think about it."),
        "flaky": Behaviour(reply="yes", fail_status=500, fail_times=2),
        "limited": Behaviour(reply="yes", fail_status=429, fail_times=2, retry_after=0.05),
        "down": Behaviour(reply="yes", fail_status=503, fail_times=-1),
        "html": Behaviour(reply="nonjson"),
        "slow": Behaviour(reply="yes", latency_s=0.05),
        "hang": Behaviour(reply="yes", hang_s=1.5, hang_times=1),
    }
    with ScriptedServer(behaviours) as srv:
        yield srv


def ep(server, model, **kw):
    kw.setdefault("backoff_base_s", 0.01)
    kw.setdefault("max_retries", 3)
    return Endpoint(name=model, base_url=server.base_url, model=model, **kw)


def run(coro):
    return asyncio.run(coro)


async def one(endpoint, cache=None, messages=MSG, **kw):
    async with ChatClient(endpoint, cache=cache) as client:
        result = await client.chat(messages, temperature=0.7, top_p=0.95, **kw)
        return result, client.stats


def test_plain_reply_and_usage(server):
    result, stats = run(one(ep(server, "yes")))
    assert result.content.endswith("\\boxed{yes}")
    assert result.reasoning is None and result.finish_reason == "stop"
    assert result.prompt_tokens > 0 and result.completion_tokens > 0 and not result.cached
    assert stats.http_requests == 1 and stats.retries == 0


def test_reasoning_field_is_read(server):
    result, _ = run(one(ep(server, "reasoner")))
    assert result.reasoning == "Let me think about it."
    assert result.content.endswith("\\boxed{no}")


def test_500_is_retried_then_succeeds(server):
    before = server.requests("flaky")
    result, stats = run(one(ep(server, "flaky")))
    assert result.content.endswith("\\boxed{yes}")
    assert stats.retries == 2 and server.requests("flaky") - before == 3


def test_429_honours_retry_after(server):
    delays = []

    async def go():
        async with ChatClient(ep(server, "limited", backoff_base_s=0.001)) as client:
            async def fake_sleep(s):
                delays.append(s)
            client._sleep = fake_sleep
            return await client.chat(MSG, temperature=0.7, top_p=0.95)

    result = run(go())
    assert result.content.endswith("\\boxed{yes}")
    # Retry-After of 0.05 s beats the 0.001 s exponential backoff, plus at most base_s of jitter.
    assert len(delays) == 2 and all(0.05 <= d <= 0.051 for d in delays)


def test_persistent_5xx_ends_in_endpoint_error(server):
    with pytest.raises(EndpointError, match=r"'down'.*failed after 4 attempts: HTTP 503"):
        run(one(ep(server, "down")))


def test_non_json_body_is_retried_then_reported(server):
    with pytest.raises(EndpointError, match="malformed reply"):
        run(one(ep(server, "html", max_retries=1)))


def test_timeout_is_retried(server):
    result, stats = run(one(ep(server, "hang", timeout_s=0.3)))
    assert result.content.endswith("\\boxed{yes}") and stats.retries == 1


def test_unknown_model_fails_fast_with_hint(server):
    with pytest.raises(EndpointError, match=r"HTTP 404 \(is model 'nope' served"):
        run(one(ep(server, "nope")))


def test_unreachable_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = Endpoint(name="gone", base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=1, backoff_base_s=0.01)
    with pytest.raises(EndpointError, match=r"'gone'.*failed after 2 attempts: connection failed"):
        run(one(endpoint))


def test_missing_key_and_url_env(monkeypatch):
    monkeypatch.delenv("RS_TEST_KEY", raising=False)
    monkeypatch.delenv("RS_TEST_URL", raising=False)
    with pytest.raises(EndpointError, match="RS_TEST_KEY"):
        ChatClient(Endpoint(name="a", base_url="http://127.0.0.1:1/v1", model="m", api_key_env="RS_TEST_KEY"))
    with pytest.raises(EndpointError, match="RS_TEST_URL is not set"):
        ChatClient(Endpoint(name="a", base_url="${RS_TEST_URL}", model="m"))
    assert issubclass(EndpointError, UserError)


def test_env_url_and_key_are_used_and_key_is_redacted(monkeypatch, server):
    secret = "sk-very-secret-value-123"
    monkeypatch.setenv("RS_TEST_URL", server.base_url)
    monkeypatch.setenv("RS_TEST_KEY", secret)
    client = ChatClient(Endpoint(name="a", base_url="${RS_TEST_URL}", model="yes", api_key_env="RS_TEST_KEY"))
    assert client.base_url == server.base_url
    assert client._redact(f"bad key {secret}") == "bad key ***"
    assert secret not in repr(client.endpoint)
    run(client.aclose())


def test_cache_makes_rerun_free_and_survives_reopen(server, tmp_path):
    path = tmp_path / "calls.sqlite"
    before = server.requests("slow")
    first, _ = run(one(ep(server, "slow"), cache=CallCache(path)))
    second, stats = run(one(ep(server, "slow"), cache=CallCache(path)))
    assert server.requests("slow") - before == 1
    assert second.cached and stats.cache_hits == 1 and stats.http_requests == 0
    assert (second.content, second.prompt_tokens) == (first.content, first.prompt_tokens)
    # The key ignores the base URL but not sampling, extra_body or tags.
    third, _ = run(one(ep(server, "slow"), cache=CallCache(path), cache_tag="sample-2"))
    assert not third.cached and server.requests("slow") - before == 2


def test_errors_are_not_cached(server, tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    with pytest.raises(EndpointError):
        run(one(ep(server, "down", max_retries=0), cache=cache))
    assert len(cache) == 0


def test_concurrency_is_bounded_and_identical_calls_shared(server, tmp_path):
    endpoint = ep(server, "slow", max_concurrency=3)
    msgs = [[{"role": "user", "content": f"q{i}"}] for i in range(12)]
    before = server.requests("slow")

    async def go():
        async with ChatClient(endpoint, cache=CallCache(tmp_path / "c.sqlite")) as client:
            # every prompt twice at once: the duplicate must ride on the first request
            return await asyncio.gather(*(client.chat(m, temperature=0.7, top_p=0.95) for m in msgs + msgs))

    results = run(go())
    assert len(results) == 24 and all(isinstance(r, ChatResult) for r in results)
    assert server.requests("slow") - before == 12
    assert server.stats()["max_inflight"]["slow"] <= 3


def test_cache_key_contents():
    base = dict(model="m", messages=MSG, temperature=0.7, top_p=0.95, max_tokens=None, extra_body=None)
    key = cache_key(**base)
    assert key == cache_key(**{**base, "extra_body": {}})
    assert key != cache_key(**{**base, "temperature": 0.6})
    assert key != cache_key(**{**base, "model": "m2"})
    assert key != cache_key(**{**base, "extra_body": {"reasoning_effort": "high"}})


def test_retry_after_parsing_and_backoff():
    assert parse_retry_after({"Retry-After": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=0) > 1e9
    assert parse_retry_after({"Retry-After": "soon"}) is None and parse_retry_after({}) is None
    import tenacity

    def delay(attempt_number, exc):
        state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
        state.attempt_number = attempt_number
        state.set_exception((type(exc), exc, None))
        return wait_retry_after_or_full_jitter(base_s=1, max_s=8)(state)

    # full jitter: uniform in [0, min(max, base * 2**retry)] before retry number `retry` (0-based)
    for retry in range(10):
        waits = [delay(retry + 1, Retryable("HTTP 503")) for _ in range(50)]
        assert all(0 <= w <= min(8, 2**retry) for w in waits) and len(set(waits)) > 1
    assert 3 <= delay(1, Retryable("HTTP 429", retry_after_s=3)) <= 4  # Retry-After wins, plus jitter
    assert delay(1, Retryable("HTTP 429", retry_after_s=1e6)) <= 33    # capped at 4 * max_s (+1)


def test_the_dry_run_predicts_exactly_the_key_the_client_files_a_call_under(server, tmp_path):
    """One owner of the cache key (`request_key`): the client's calls are found by it."""
    from reasoning_suite.endpoints import request_key

    endpoint = ep(server, "yes", extra_body={"seed": 1, "chat_template_kwargs": {"enable_thinking": False}})
    cache = CallCache(tmp_path / "c.sqlite")
    run(one(endpoint, cache=cache, max_tokens=8, extra_body={"seed": 2}, cache_tag="t"))
    assert request_key(endpoint, MSG, temperature=0.7, top_p=0.95, max_tokens=8, extra_body={"seed": 2},
                       cache_tag="t") in cache
    assert request_key(endpoint, MSG, temperature=0.7, top_p=0.95, max_tokens=8, cache_tag="t") not in cache
    assert not hasattr(ChatClient, "key_for")
