"""One OpenAI-compatible client layer for everything that calls a model over HTTP.

The judge panel and the trainers' teacher generation both go through `ChatClient`, so
retries, concurrency limits, key handling and the call cache behave the same everywhere:

    from reasoning_suite.endpoints import Endpoint, ChatClient, CallCache

    ep = Endpoint(name="llama", base_url="${LLAMA_URL}", model="meta-llama/Llama-3.3-70B-Instruct",
                  api_key_env="LLAMA_API_KEY", max_concurrency=16)
    async with ChatClient(ep, cache=CallCache("calls.sqlite")) as client:
        result = await client.chat(messages, temperature=0.7, top_p=0.95)
"""

from reasoning_suite.endpoints.cache import CallCache, cache_key, request_key
from reasoning_suite.endpoints.client import ChatClient
from reasoning_suite.endpoints.config import Endpoint, EndpointError, resolve_env_refs
from reasoning_suite.endpoints.result import ChatResult

__all__ = [
    "CallCache",
    "ChatClient",
    "ChatResult",
    "Endpoint",
    "EndpointError",
    "cache_key",
    "request_key",
    "resolve_env_refs",
]
