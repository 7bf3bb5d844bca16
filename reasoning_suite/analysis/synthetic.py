"""Synthetic evaluation runs in lm-eval's real on-disk format, for tests and benchmarks.

The files are written by lm-eval's own `EvaluationTracker` (the writer `lm_eval --output_path
--log_samples` uses), so the analysis is tested against the real layout, not our idea of it.
Responses are random text with a chosen accuracy and length; nothing here is a result.
"""

from __future__ import annotations

import json
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reasoning_suite.core.logged_run import RUN_RECORD

_COMMON = (
    "the answer is step first then compute so we get therefore check value number total "
    "option because sum half twice each left right more less"
).split()


def _vocabulary(n: int = 20000, seed: int = 1234) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo-words with Zipf-like frequencies, so that text has a realistic spread of distinct words."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = [w for w in _COMMON]
    while len(words) < n:
        words.append("".join(rng.choice(letters, int(rng.integers(2, 11)))))
    p = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    return np.array(words), p / p.sum()


_WORDS, _P = _vocabulary()
_CDF = np.cumsum(_P)


def _text(rng: np.random.Generator, k: int) -> str:
    idx = np.minimum(np.searchsorted(_CDF, rng.random(k)), len(_WORDS) - 1)
    return " ".join(_WORDS[idx])


@dataclass
class SyntheticModel:
    """One fake checkpoint: its config sizes, its training record and how it answers."""

    name: str
    hidden_size: int = 64
    num_layers: int = 2
    intermediate_size: int = 128
    record: dict[str, Any] | None = None  # reasoning_suite_run.json; None = a base model
    accuracy: float = 0.5
    thinking_words: int = 0  # mean words of thinking (0 = answers without thinking)
    answer_words: int = 8
    truncate_rate: float = 0.0  # share of responses cut inside an unclosed <think>


def make_checkpoint(tokenizer_dir: Path, out: Path, m: SyntheticModel) -> Path:
    """A checkpoint directory with the tokenizer of `tokenizer_dir`, a resized config, the record."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (tokenizer_dir / name).is_file():
            shutil.copy(tokenizer_dir / name, out / name)
    cfg = json.loads((tokenizer_dir / "config.json").read_text())
    heads = max(1, m.hidden_size // 16)
    cfg.update(hidden_size=m.hidden_size, num_hidden_layers=m.num_layers, intermediate_size=m.intermediate_size,
               num_attention_heads=heads, num_key_value_heads=max(1, heads // 2), head_dim=16)
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    if m.record is not None:
        (out / RUN_RECORD).write_text(json.dumps(m.record, indent=2))
    return out


def write_run(
    output_path: Path,
    pretrained: Path | str,
    m: SyntheticModel,
    tasks: dict[str, int],
    *,
    seed: int = 0,
    max_gen_toks: int = 256,
    repeats: int = 1,
) -> Path:
    """Write results + samples for `tasks` ({task: n_samples}) with lm-eval's writer; return the model dir."""
    rng = np.random.default_rng(seed)
    gen_kwargs = {"until": ["<|im_end|>"], "max_gen_toks": max_gen_toks, "do_sample": True, "temperature": 1.0}
    samples: dict[str, list[dict]] = {}
    for t_i, (task, n) in enumerate(tasks.items()):
        rows = []
        for doc_id in range(n):
            # The question depends on the task and doc only: every run sees the same prompts.
            doc_rng = np.random.default_rng([zlib.crc32(task.encode()), doc_id])
            doc = {"question": f"Question {doc_id} of {task}: " + _text(doc_rng, 40), "answer": str(doc_id % 7)}
            prompt = f"<|im_start|>user\nSolve the following problem.\n\n{doc['question']}<|im_end|>\n<|im_start|>assistant\n"
            resps, accs = [], []
            for _ in range(repeats):
                ok = bool(rng.random() < m.accuracy)
                # Wrong answers run longer, as the paper observes (Fig. 8).
                scale = 1.0 if ok else 1.6
                text = ""
                if m.thinking_words:
                    k = max(1, int(rng.poisson(m.thinking_words * scale)))
                    text = "<think> " + _text(rng, k)
                    if rng.random() < m.truncate_rate:
                        resps.append(text)
                        accs.append(0.0)
                        continue
                    text += " </think> "
                k = max(1, int(rng.poisson(m.answer_words * scale)))
                text += _text(rng, k) + f" \\boxed{{{doc['answer'] if ok else 'x'}}}"
                resps.append(text)
                accs.append(float(ok))
            rows.append(sample_row(doc_id, doc, doc["answer"], prompt, gen_kwargs, resps, float(np.mean(accs))))
        samples[task] = rows
    return write_samples(output_path, f"pretrained={pretrained},dtype=float32", samples)


def sample_row(doc_id: int, doc: dict, target: str, prompt: str, gen_kwargs: dict, resps: list[str],
               acc: float, **metrics: Any) -> dict[str, Any]:
    """One logged sample as lm-eval's evaluator builds it before writing (generate_until, one filter)."""
    from lm_eval.utils import hash_string

    return {
        "doc_id": doc_id,
        "doc": doc,
        "target": target,
        "arguments": [(prompt, gen_kwargs)],
        "resps": [resps],
        "filtered_resps": [resps[0]],
        "filter": "none",
        "metrics": ["acc", "has_answer", *metrics],
        "doc_hash": hash_string(json.dumps(doc, indent=2, default=str, ensure_ascii=False)),
        "prompt_hash": hash_string(prompt),
        "target_hash": hash_string(str(target)),
        "acc": acc,
        "has_answer": 1.0,
        **metrics,
    }


def write_samples(output_path: Path, model_args: str | dict, samples: dict[str, list[dict]],
                  task_configs: dict[str, dict] | None = None, *, num_fewshot: int = 0,
                  results_extra: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write results_<ts>.json and samples_<task>_<ts>.jsonl with lm-eval's EvaluationTracker.

    `task_configs[task]` adds keys to that task's logged config (e.g. its `filter_list`);
    `num_fewshot` is recorded as lm-eval records it (`n-shot`, `configs[task].num_fewshot`);
    `results_extra[task]` adds entries to a task's results (e.g. `status_<name>,none`)."""
    from lm_eval.loggers.evaluation_tracker import EvaluationTracker

    tracker = EvaluationTracker(output_path=str(output_path))
    tracker.general_config_tracker.log_experiment_args(
        model_source="hf", model_args=model_args, system_instruction=None, chat_template=None,
        fewshot_as_multiturn=False,
    )
    tasks = {t: len(rows) for t, rows in samples.items()}
    results: dict[str, Any] = {}
    for task, rows in samples.items():
        accs = np.array([r["acc"] for r in rows])
        results[task] = {
            "alias": task,
            "acc,none": float(accs.mean()),
            "acc_stderr,none": float(accs.std(ddof=1) / np.sqrt(len(accs))) if len(accs) > 1 else "N/A",
            "has_answer,none": 1.0,
            "has_answer_stderr,none": 0.0,
        }
        results[task].update((results_extra or {}).get(task, {}))
    agg = {
        "results": results,
        "group_subtasks": {t: [] for t in tasks},
        "configs": {t: {"task": t, "output_type": "generate_until",
                        "generation_kwargs": samples[t][0]["arguments"][0][1],
                        "repeats": len(samples[t][0]["resps"][0]), "num_fewshot": num_fewshot,
                        **(task_configs or {}).get(t, {})}
                    for t in tasks},
        "versions": {t: 1.0 for t in tasks},
        "n-shot": {t: num_fewshot for t in tasks},
        "higher_is_better": {t: {"acc": True, "has_answer": True} for t in tasks},
        "n-samples": {t: {"original": n, "effective": n} for t, n in tasks.items()},
        "config": {"model": "hf", "model_args": model_args, "model_num_parameters": 0, "batch_size": "1",
                   "limit": None, "bootstrap_iters": 0, "gen_kwargs": {}, "random_seed": 0},
        "git_hash": None,
        "date": 0.0,
    }
    tracker.save_results_aggregated(results=agg, samples=samples)
    for task in tasks:
        tracker.save_results_samples(task_name=task, samples=samples[task])
    return Path(output_path) / tracker.general_config_tracker.model_name_sanitized
