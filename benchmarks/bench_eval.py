"""Where an lm-eval run of the suite spends its time before and during generation, on a CPU.

    .venv/bin/python benchmarks/bench_eval.py [--quick]

1. Task index. lm-eval 0.4.13's CLI builds `TaskManager(include_path=ours)`, which indexes its
   own thousands of built-in YAMLs first (baseline); `reasoning-suite eval` runs lm-eval's CLI
   through `harness_tasks.lm_eval_cli`, which indexes our directory alone when only our tasks
   are asked for. Both load the same task configs afterwards.
2. Few-shot batching, on the real SmolLM2-135M-Instruct (`real_model.ensure_real_model`). The
   base-model three-shot layout stops generation at an invented next example. lm-eval batches
   requests only across equal gen_kwargs, so a stop list per task (baseline: each task's own
   instruction line) runs every task in a batch of its own; the suite-wide list
   (`prompts.fewshot_stop_sequences`) lets them share batches. Same prompts, same greedy
   decoding, `--batch_size 8`, one question per task.

Figures are ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def bench_index(repeats: int) -> None:
    from lm_eval.tasks import TaskManager

    from reasoning_suite.harness_tasks import offline_tasks_dir

    ours = offline_tasks_dir()
    full, alone = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        tm = TaskManager(include_path=ours)
        full.append(time.perf_counter() - t)
        n_full = len(tm.all_tasks)
        t = time.perf_counter()
        tm = TaskManager(include_path=ours, include_defaults=False)
        alone.append(time.perf_counter() - t)
        n_alone = len(tm.all_tasks)
    f, a = statistics.median(full), statistics.median(alone)
    print(f"task index: lm-eval's full index {f:.2f} s ({n_full} names) vs ours alone {a:.3f} s "
          f"({n_alone} names): {f / a:,.0f}x faster, {f - a:.1f} s saved per evaluation (median of {repeats})")


def _per_task_overlay(shared: Path, out: Path) -> Path:
    """A copy of the few-shot overlay whose stop list is each task's own instruction line."""
    from reasoning_suite.harness_tasks import prompts as P
    from reasoning_suite.harness_tasks.registry import TASKS

    out.mkdir(parents=True, exist_ok=True)
    for f in shared.glob("*.yaml"):
        text = f.read_text()
        info = TASKS.get(f.stem)
        if info is not None:
            own = json.dumps(list(P.fewshot_stop_sequences([info.instruction])))
            text = re.sub(r"^  until: .*$", lambda _: f"  until: {own}", text, flags=re.M)
        (out / f.name).write_text(text)
    return out


def bench_fewshot_batching(tasks: list[str], max_tokens: int) -> None:
    import logging

    import lm_eval

    logging.getLogger("lm_eval").setLevel(logging.ERROR)  # its per-task notes would bury the figures
    from lm_eval.tasks import TaskManager

    from reasoning_suite.harness_tasks import commands
    from reasoning_suite.real_model import SMOLLM2_135M, ensure_real_model

    model = ensure_real_model(SMOLLM2_135M.name)
    cmd = commands.build_eval_command(["--model", "hf", "--tasks", ",".join(tasks), "--num_fewshot", "3", "--offline"])
    shared = Path(cmd[cmd.index("--include_path") + 1])
    with tempfile.TemporaryDirectory() as tmp:
        per_task = _per_task_overlay(shared, Path(tmp) / "per-task")
        import lm_eval.models.huggingface as hf

        lm = hf.HFLM(pretrained=str(model), device="cpu", dtype="float32", batch_size=8)
        seconds, batches = {}, {}
        for name, include in (("per-task stops (baseline)", per_task), ("suite-wide stops", shared)):
            calls = []
            original = lm._model_generate

            def counted(*args, _orig=original, **kwargs):
                calls.append(1)
                return _orig(*args, **kwargs)

            lm._model_generate = counted
            t = time.perf_counter()
            lm_eval.simple_evaluate(model=lm, tasks=tasks, num_fewshot=3, limit=1,
                                    gen_kwargs=f"max_gen_toks={max_tokens},do_sample=False",
                                    task_manager=TaskManager(include_path=str(include), include_defaults=False))
            seconds[name], batches[name] = time.perf_counter() - t, len(calls)
            lm._model_generate = original
        shutil.rmtree(Path(tmp), ignore_errors=True)
    base, ours = seconds["per-task stops (baseline)"], seconds["suite-wide stops"]
    print(f"few-shot batching, {len(tasks)} tasks x 1 question, 3-shot, {max_tokens} new tokens, batch 8, "
          f"SmolLM2-135M-Instruct on CPU:")
    for name in seconds:
        print(f"  {name:<26} {seconds[name]:6.1f} s, {batches[name]} generate calls")
    print(f"  suite-wide stops: {base / ours:.2f}x faster")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="4 tasks, 16 new tokens, one index timing")
    args = ap.parse_args()
    from reasoning_suite.harness_tasks.registry import CORE_TASKS

    bench_index(1 if args.quick else 3)
    bench_fewshot_batching(CORE_TASKS[:4] if args.quick else list(CORE_TASKS), 16 if args.quick else 64)


if __name__ == "__main__":
    main()
