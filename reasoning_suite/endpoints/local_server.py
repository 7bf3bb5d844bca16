"""Serve a local checkpoint over real OpenAI-compatible HTTP with `transformers serve`.

The demo, the tests and anyone trying the package without a GPU need a real endpoint that
speaks the OpenAI schema; `transformers serve` (extra `transformers[serving]`) is one that
runs on a CPU. This starts it on loopback, waits until it answers, and always stops it.

`transformers serve` applies a request's temperature, top_p and seed but not `do_sample`: it
samples only if the checkpoint's `generation_config.json` says `do_sample: true`, so a panel of
"judges" differing by seed would otherwise be one greedy judge counted N times. With
`sample=True` the server runs on `sampling_copy` of the checkpoint (every file symlinked but a
generation_config.json with `do_sample: true`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from reasoning_suite.errors import UserError


@dataclass(frozen=True)
class ServedModel:
    """Where a served checkpoint answers: `base_url` (…/v1) and the `model` name to request."""

    base_url: str
    model: str
    log_path: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _transformers_cli() -> Path:
    exe = Path(sys.executable).parent / "transformers"
    if not exe.exists():
        raise UserError(f"`transformers serve` is not installed next to {sys.executable}: pip install 'reasoning-suite[serving]'")
    return exe


def samples_by_default(checkpoint: str | Path) -> bool:
    """Whether `transformers serve` samples on this local checkpoint (its generation config says so)."""
    path = Path(checkpoint) / "generation_config.json"
    return path.is_file() and json.loads(path.read_text()).get("do_sample") is True


def sampling_copy(checkpoint: str | Path, out_dir: str | Path) -> Path:
    """`out_dir` as a copy of the local `checkpoint` that samples when served: every file a
    symlink to the original except generation_config.json, which gets `do_sample: true`."""
    src, out = Path(checkpoint).resolve(), Path(out_dir)
    if not (src / "config.json").is_file():
        raise UserError(f"{checkpoint}: not a local checkpoint directory (no config.json); a hub model cannot be copied here")
    out.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.name != "generation_config.json":
            link = out / f.name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(f)
    gen_path = src / "generation_config.json"
    gen = json.loads(gen_path.read_text()) if gen_path.is_file() else {}
    gen["do_sample"] = True
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n")
    return out


@contextlib.contextmanager
def serve_checkpoint(
    checkpoint: str | Path,
    log_path: str | Path,
    *,
    port: int | None = None,
    ready_timeout_s: float = 600.0,
    sample: bool = False,
) -> Iterator[ServedModel]:
    """Run `transformers serve` on 127.0.0.1 for `checkpoint` until the block exits; with
    `sample`, on a copy that samples (beside the log, `<log stem>-sampling/`)."""
    port = port or free_port()
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if sample and not samples_by_default(checkpoint):
        checkpoint = sampling_copy(checkpoint, log_path.with_name(log_path.stem + "-sampling"))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "HF_HUB_OFFLINE": "1"}
    cmd = [str(_transformers_cli()), "serve", str(checkpoint), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + ready_timeout_s
            while True:
                if proc.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-500:].strip().splitlines()
                    raise UserError(f"transformers serve exited with status {proc.returncode} (log {log_path}): {tail[-1] if tail else ''}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise UserError(f"transformers serve did not answer within {ready_timeout_s:.0f} s (log {log_path})")
                time.sleep(0.3)
            yield ServedModel(base_url=f"http://127.0.0.1:{port}/v1", model=str(checkpoint), log_path=log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
