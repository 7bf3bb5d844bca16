"""`train`: distil a mixture into a student with TRL's SFTTrainer, one stage after another.

One epoch per stage, the paper's WSD schedule (schedule.py) built over the stage's real step
count, fused AdamW (plain AdamW with a logged note where the fused kernel is unavailable), a
global batch given in tokens (batching.py), the peak learning rate from the paper's table
unless given (peak_lr.py), bf16 where supported and fp32 on CPU. Multi-stage runs (general
then math) train stage k from stage k−1's checkpoint, each stage with its own schedule; the
last stage writes to OUTPUT_DIR, earlier ones to OUTPUT_DIR/stage-<k>-<name>.

Each stage directory gets `reasoning_suite_run.json` (docs/DATAFLOW.md §4); the final one
sums tokens and FLOPs over all stages, since that is what the checkpoint cost. A stage whose
record exists with the same data hash is skipped on a re-run; an interrupted stage resumes
from its last `checkpoint-*`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reasoning_suite.core.logged_run import RUN_RECORD
from reasoning_suite.devices import cpu_bf16_fast
from reasoning_suite.errors import UserError
from reasoning_suite.trainers.batching import TokenBatch
from reasoning_suite.trainers.build_data import check_mixture
from reasoning_suite.trainers.config import StageConfig, TrainConfig
from reasoning_suite.trainers.peak_lr import peak_learning_rate
from reasoning_suite.trainers.records import file_sha256
from reasoning_suite.trainers.schedule import WSD, lambda_lr, wsd_for
from reasoning_suite.trainers.sft_data import PreparedData, end_of_turn_id, prepare, resolve_chat_template



def _log(msg: str) -> None:
    from rich.console import Console

    if int(os.environ.get("RANK", "0")) == 0:
        Console(stderr=True, soft_wrap=True).print(f"[bold]train[/bold] {msg}", highlight=False)


def _precision(cfg: TrainConfig) -> tuple[bool, bool]:
    """(bf16, use_cpu)."""
    import torch

    cuda = torch.cuda.is_available()
    if cfg.precision not in ("auto", "bf16", "fp32"):
        raise UserError(f"--precision must be auto, bf16 or fp32, got {cfg.precision!r}")
    if cuda:
        bf16_ok = torch.cuda.is_bf16_supported()
        if cfg.precision == "bf16" and not bf16_ok:
            raise UserError("--precision bf16 needs a GPU with bf16 support; use auto or fp32 here")
        return cfg.precision != "fp32" and bf16_ok, False
    # CPU: auto stays fp32; bf16 (autocast, fp32 master weights) only where the processor has
    # bf16 instructions, where it is the faster choice (reasoning_suite.devices)
    if cfg.precision == "bf16" and not cpu_bf16_fast():
        raise UserError("--precision bf16 on a CPU needs bf16 instructions (avx512_bf16 or AMX), which this "
                        "one lacks; use auto or fp32 here")
    return cfg.precision == "bf16", True


def _optimizer_name(cfg: TrainConfig, use_cpu: bool) -> str:
    if cfg.optim != "adamw_torch_fused":
        return cfg.optim
    import torch

    try:
        p = torch.nn.Parameter(torch.zeros(2, device="cpu" if use_cpu else "cuda"))
        opt = torch.optim.AdamW([p], fused=True)
        p.grad = torch.zeros_like(p)
        opt.step()
        return cfg.optim
    except Exception as exc:  # noqa: BLE001 - any failure of the probe means: not available here
        _log(f"fused AdamW unavailable on this device ({exc.__class__.__name__}); using adamw_torch")
        return "adamw_torch"


def _trainer_class():
    from trl import SFTTrainer

    class WSDSFTTrainer(SFTTrainer):
        """SFTTrainer whose scheduler is the paper's WSD, sized to the real number of steps."""

        wsd_shape: tuple[int, int, float] = (150, 300, 0.1)
        wsd: WSD | None = None

        def create_accelerator_and_postprocess(self) -> None:
            super().create_accelerator_and_postprocess()
            _fsdp_on_cpu(self)

        def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
            if state_dict and self.is_fsdp_enabled:
                state_dict = _retie(self.accelerator.unwrap_model(self.model), state_dict)
            super()._save(output_dir, state_dict=state_dict)

        def create_scheduler(self, num_training_steps: int, optimizer=None):
            if self.lr_scheduler is None:
                warmup, decay, floor = self.wsd_shape
                self.wsd = wsd_for(num_training_steps, warmup, decay, floor)
                self.lr_scheduler = lambda_lr(optimizer or self.optimizer, self.wsd)
                self._created_lr_scheduler = True
                w = self.wsd
                scaled = "" if (w.warmup_steps, w.decay_steps) == (warmup, decay) else \
                    f" (scaled down from {warmup}/{decay}: the run has {w.total_steps} steps)"
                _log(f"schedule: {w.warmup_steps} warmup, {w.stable_steps} stable, {w.decay_steps} decay steps "
                     f"to {w.min_ratio:g} x peak{scaled}")
            return self.lr_scheduler

    return WSDSFTTrainer


def _fsdp_on_cpu(trainer) -> None:
    """Shard on CPU processes too. `accelerate launch` with an FSDP config exports
    ACCELERATE_USE_FSDP, but accelerate enables its FSDP plugin only on accelerator devices: on CPU
    processes (gloo) it silently trains plain DDP, every rank holding the whole model. torch's
    FSDP2 (`fully_shard`) runs on a CPU mesh with gloo, so turn the plugin on there as well."""
    from accelerate.state import PartialState
    from accelerate.utils import DistributedType, FullyShardedDataParallelPlugin

    state = trainer.accelerator.state
    if os.environ.get("ACCELERATE_USE_FSDP", "false").lower() != "true" or state.distributed_type != DistributedType.MULTI_CPU:
        return
    plugin = FullyShardedDataParallelPlugin()  # read from the FSDP_* variables the launcher exported
    state.distributed_type = DistributedType.FSDP
    PartialState._shared_state["distributed_type"] = DistributedType.FSDP
    state.fsdp_plugin = plugin
    trainer.is_fsdp_enabled = True
    _log(f"FSDP{plugin.fsdp_version} on {state.num_processes} CPU processes (gloo)")


def _retie(model, state_dict: dict) -> dict:
    """The full state dict FSDP gathers holds a tied weight twice, as two copies (the embedding and
    lm_head), so transformers' save (which drops aliases by storage) would write both and the
    student would not match a single-process one. Point every alias of a tied parameter at one
    tensor again; `save_pretrained` then keeps the name the model expects, as on one process."""
    first: dict[int, str] = {}
    tied = dict(state_dict)
    for name, param in model.named_parameters(remove_duplicate=False):
        owner = first.setdefault(id(param), name)
        if owner != name and owner in tied and name in tied:
            tied[name] = tied[owner]
    return tied


def _sharded_share(model) -> tuple[str, float] | None:
    """(how, share of the parameters this rank holds) when they are sharded: FSDP2 DTensors or
    ZeRO-3 partitions (1/world each); None for a whole model (one process, DDP)."""
    from torch.distributed.tensor import DTensor

    local = full = 0
    kinds = set()
    for p in model.parameters():
        if hasattr(p, "ds_tensor"):  # DeepSpeed ZeRO-3 keeps this rank's partition in ds_tensor
            kinds.add("ZeRO-3")
            local, full = local + p.ds_tensor.numel(), full + p.ds_numel
        elif isinstance(p, DTensor):
            kinds.add("FSDP2")
            local, full = local + p.to_local().numel(), full + p.numel()
        else:
            return None
    return (kinds.pop(), local / full) if full and len(kinds) == 1 else None


def _num_params(model) -> int:
    # under ZeRO-3 parameters are partitioned at load time; ds_numel keeps the full size
    return sum(getattr(p, "ds_numel", p.numel()) for p in model.parameters())


def build_trainer(cfg: TrainConfig, stage: StageConfig, model_path: str, out_dir: str | Path,
                  world_size: int | None = None) -> tuple[Any, PreparedData, dict[str, Any]]:
    """Everything up to `trainer.train()`: data, model, batch, lr, schedule. Returns (trainer, data, info)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig

    _, meta, any_reasoning = check_mixture(stage.data)
    world = world_size or int(os.environ.get("WORLD_SIZE", "1"))
    batch = cfg.token_batch(world)
    bf16, use_cpu = _precision(cfg)
    optim = _optimizer_name(cfg, use_cpu)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_path)
    except OSError as exc:
        raise UserError(f"{model_path}: cannot load a tokenizer ({str(exc).splitlines()[0]})") from None
    save_template, train_template, how = resolve_chat_template(tokenizer, cfg.chat_template, model_path)
    tokenizer.chat_template = save_template
    _log(f"chat template: {how}")
    args = SFTConfig(
        output_dir=str(out_dir),
        num_train_epochs=1,
        per_device_train_batch_size=batch.per_device_batch,
        gradient_accumulation_steps=batch.grad_accum,
        learning_rate=1.0,  # replaced below, once the student's size is known
        lr_scheduler_type="constant",  # replaced by WSD in create_scheduler
        optim=optim,
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        bf16=bf16,
        use_cpu=use_cpu,
        activation_checkpointing=cfg.gradient_checkpointing,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=1,
        seed=cfg.seed,
        report_to=cfg.report_to,
        max_length=cfg.max_seq_length,
        packing=cfg.packing,
        padding_free=cfg.packing,
        assistant_only_loss=False,  # the labels built in sft_data already mask non-assistant tokens
        dataset_kwargs={"skip_prepare_dataset": True},
        train_sampling_strategy="sequential",  # order is fixed by the mixture and sft_data
        disable_tqdm=False,
    )
    # Rank 0 tokenises first and fills the datasets cache; the other ranks then read it.
    with args.main_process_first(desc="tokenising and packing the mixture"):
        data = prepare(stage.data, tokenizer, train_template, cfg.max_seq_length, cfg.packing, cfg.seed,
                       cfg.dataset_num_proc)
    if data.dropped_too_long:
        _log(f"[yellow]{data.dropped_too_long} example(s) longer than max_seq_length={cfg.max_seq_length} tokens were "
             "dropped (never cut: a cut trace loses its answer); raise --max-seq-length to keep them[/yellow]")
    # Load after SFTConfig so DeepSpeed ZeRO-3 can partition the weights while loading.
    try:
        kwargs = {"attn_implementation": cfg.attn_implementation} if cfg.attn_implementation else {}
        model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32, **kwargs)
    except OSError as exc:
        raise UserError(f"{model_path}: cannot load a causal LM ({str(exc).splitlines()[0]})") from None
    n_params = _num_params(model)
    reasoning = meta.get("reasoning_ratio", 1.0) > 0 if meta else any_reasoning
    lr, lr_row = stage.learning_rate or cfg.learning_rate, None
    if lr is None:
        lr, lr_row = peak_learning_rate(n_params, reasoning)
    args.learning_rate = lr
    trainer_cls = _trainer_class()
    trainer = trainer_cls(model=model, args=args, train_dataset=data.dataset, processing_class=tokenizer)
    trainer.wsd_shape = (cfg.warmup_steps, cfg.decay_steps, cfg.min_lr_ratio)
    info = {"eot_id": end_of_turn_id(tokenizer, train_template), "meta": meta, "batch": batch,
            "learning_rate": lr, "lr_table_row": lr_row, "num_params": n_params, "optim": optim,
            "precision": "bf16" if bf16 else "fp32", "world_size": world}
    return trainer, data, info


def _stop_on_end_of_turn(trainer, eot_id: int, out_dir: Path) -> None:
    """Make the saved student stop where its turns end: tokenizer EOS = the template's end-of-turn
    token (lm_eval's hf backend stops on the tokenizer's EOS) and both ids in generation_config."""
    tok = trainer.processing_class
    if tok.eos_token_id == eot_id:
        return
    old = tok.eos_token_id
    tok.eos_token = tok.convert_ids_to_tokens(eot_id)
    gen = trainer.model.generation_config
    ids = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]
    gen.eos_token_id = list(dict.fromkeys([eot_id, *[i for i in ids + [old] if i is not None]]))
    gen.save_pretrained(str(out_dir))
    trainer.model.config.eos_token_id = eot_id
    trainer.model.config.save_pretrained(str(out_dir))
    _log(f"end-of-turn token {tok.eos_token!r} is now the EOS of the saved tokenizer (was id {old})")


def _training_flops(model_config, lengths: list[int]) -> tuple[dict[str, float] | None, str | None]:
    from reasoning_suite.core.flops import training_flops  # core, below the trainers

    out = training_flops(model_config, lengths)
    return {"paper": float(out["paper"]), "arch": float(out["arch"])}, None


def _stage_dirs(cfg: TrainConfig) -> list[Path]:
    out = Path(cfg.output_dir)
    n = len(cfg.stages)
    return [out if k == n - 1 else out / f"stage-{k + 1}-{(s.name or 'stage').replace('/', '_')}"
            for k, s in enumerate(cfg.stages)]


def _latest_checkpoint(d: Path) -> str | None:
    cks = sorted(d.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]) if p.name.split("-")[-1].isdigit() else -1)
    return str(cks[-1]) if cks else None


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run every stage; return the final run record."""
    if not cfg.model:
        raise UserError("train needs --model (a hub id or a local checkpoint)")
    if not cfg.output_dir:
        raise UserError("train needs --output-dir")
    if not cfg.stages:
        raise UserError("train needs --data MIXTURE (or stages in --config)")
    for s in cfg.stages:
        if not Path(s.data).exists():
            raise UserError(f"{s.data}: no such mixture file")
    model_path, done, record = cfg.model, [], {}
    shas = [file_sha256(s.data) for s in cfg.stages]
    for k, (stage, out_dir) in enumerate(zip(cfg.stages, _stage_dirs(cfg))):
        stage_sha = shas[k]
        rec_path = out_dir / RUN_RECORD
        if rec_path.exists():
            old = json.loads(rec_path.read_text())
            same_base = old.get("base_model") in (cfg.model, str(Path(cfg.model).resolve()))
            # skip only if this stage and every stage before it trained on the same data
            if [s.get("data_sha256") for s in old.get("stages", [])] == shas[: k + 1] and same_base:
                _log(f"stage {k + 1} already trained in {out_dir}; skipping")
                done, record, model_path = old["stages"], old, str(out_dir)
                continue
        record = _train_stage(cfg, k, stage, stage_sha, model_path, out_dir, done)
        done = record["stages"]
        model_path = str(out_dir)
    return record


def _train_stage(cfg: TrainConfig, k: int, stage: StageConfig, stage_sha: str, model_path: str,
                 out_dir: Path, previous: list[dict[str, Any]]) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    trainer, data, info = build_trainer(cfg, stage, model_path, out_dir)
    batch: TokenBatch = info["batch"]
    _log(f"stage {k + 1}/{len(cfg.stages)}{' ' + stage.name if stage.name else ''} on {stage.data}: {data.num_examples} examples, "
         f"{len(data.dataset)} rows ({'packed' if cfg.packing else 'padded'}), {batch.describe()}")
    _log(f"peak lr {info['learning_rate']:g}" + (f" (paper Table 1 row {info['lr_table_row']})" if info["lr_table_row"] else " (given)")
         + f", {info['precision']}, {info['optim']}")
    resume = _latest_checkpoint(out_dir) if cfg.resume else None
    if resume:
        _log(f"resuming from {resume}")
    result = trainer.train(resume_from_checkpoint=resume)
    sharded = _sharded_share(trainer.model)
    if sharded is not None:
        _log(f"{sharded[0]}: rank 0 held {sharded[1]:.1%} of the {info['num_params']:,} parameters while training")
    wsd = trainer.wsd
    trainer.save_model(str(out_dir))
    flops, flops_note = _training_flops(trainer.model.config, data.sequence_lengths)
    meta = info["meta"] or {}
    stage_rec = {
        "name": stage.name or f"stage-{k + 1}",
        "data": str(stage.data),
        "data_sha256": stage_sha,
        "format": meta.get("format"),
        "reasoning_ratio": meta.get("reasoning_ratio"),
        "order": meta.get("order"),
        "teachers": meta.get("teachers"),
        "domains": meta.get("domains"),
        "num_examples": data.num_examples,
        "dropped_too_long": data.dropped_too_long,
        "tokens_seen": sum(data.sequence_lengths),
        "loss_tokens": data.loss_tokens,
        "train_flops": flops,
        "learning_rate": info["learning_rate"],
        "lr_table_row": info["lr_table_row"],
        "optimizer_steps": result.global_step,
        "schedule": {"warmup_steps": wsd.warmup_steps, "stable_steps": wsd.stable_steps,
                     "decay_steps": wsd.decay_steps, "min_lr_ratio": wsd.min_ratio} if wsd else None,
        "batch": {"tokens_per_step": batch.tokens_per_step, "per_device": batch.per_device_batch,
                  "grad_accum": batch.grad_accum, "world_size": batch.world_size,
                  "max_seq_length": batch.max_seq_length, "target_tokens": batch.target_tokens},
        "train_loss": result.training_loss,
        "wall_time_s": round(time.time() - t0, 3),
        "init_from": model_path,
        "output_dir": str(out_dir),
    }
    stages = previous + [stage_rec]
    flops_total = None
    if all(s["train_flops"] for s in stages):
        flops_total = {key: sum(s["train_flops"][key] for s in stages) for key in ("paper", "arch")}
    record = {
        "base_model": str(Path(cfg.model).resolve()) if Path(cfg.model).exists() else cfg.model,
        "format": stage_rec["format"],
        "reasoning_ratio": stage_rec["reasoning_ratio"],
        "order": stage_rec["order"],
        "teacher": ", ".join(sorted({t for st in stages for t in (st.get("teachers") or [])})) or None,
        "stages": stages,
        "data_sha256": stage_sha if len(stages) == 1 else hashlib.sha256(
            "".join(s["data_sha256"] for s in stages).encode()).hexdigest(),
        "num_examples": sum(s["num_examples"] for s in stages),
        "dropped_too_long": sum(s.get("dropped_too_long", 0) for s in stages),
        "tokens_seen": sum(s["tokens_seen"] for s in stages),
        "train_flops": flops_total,
        "learning_rate": info["learning_rate"],
        "wall_time_s": round(sum(s["wall_time_s"] for s in stages), 3),
        "num_params": info["num_params"],
        "precision": info["precision"],
        "optimizer": info["optim"],
        "packing": cfg.packing,
        "notes": [flops_note] if flops_note else [],
        "config": asdict(cfg),
    }
    if trainer.is_world_process_zero():
        _stop_on_end_of_turn(trainer, info["eot_id"], out_dir)
        trainer.processing_class.save_pretrained(str(out_dir))
        for ck in out_dir.glob("checkpoint-*"):
            shutil.rmtree(ck, ignore_errors=True)
        (out_dir / RUN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    trainer.accelerator.wait_for_everyone()  # the next stage loads this directory on every rank
    _log(f"saved {out_dir} ({stage_rec['tokens_seen']:,} tokens, {stage_rec['optimizer_steps']} steps, "
         f"{stage_rec['wall_time_s']:.1f} s)")
    return record
