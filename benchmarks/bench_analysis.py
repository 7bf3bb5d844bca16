"""Benchmark: building the tidy table from samples of realistic length, streamed vs read whole.

Writes two synthetic runs in lm-eval's real format (lm-eval's own EvaluationTracker): an IFT
run with ~100-word answers and a reasoning run with ~3,000-word thinking traces, over 4 tasks,
as many documents as make the requested size of samples JSONL. Then, each in a fresh
subprocess (imports excluded from the time, included in the peak RSS, which is
`resource.getrusage(RUSAGE_SELF).ru_maxrss` of that subprocess):

  1. the table as `load_table` builds it: samples streamed, texts held per batch of 512;
  2. the baseline, the implementation before streaming, in the same run: every samples file
     read whole into dicts and held (`TaskLog.samples`), each task's texts tokenised at once.

It does this at two sizes (default 100 and 400 MB), deleting each size's files before the
next (disk use about one size at a time). Prints MB/s, peak RSS and the ratios.

Usage: python benchmarks/bench_analysis.py [--sizes-mb 100 400] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TASKS = ("rs_gsm8k", "rs_winogrande", "rs_squad", "rs_aqua_rat")
THINKING_WORDS = 3000  # a reasoning trace of the paper's students runs to thousands of tokens
ANSWER_WORDS = 100
BYTES_PER_DOC = 44_000  # both runs' lines for one document, measured on this generator (first guess only)

CHILD = """
import sys, time, json, resource
import logging
logging.disable(logging.WARNING)
from reasoning_suite.analysis import runs as R
import transformers.models.auto.tokenization_auto  # the import the loader pays on its first run
how, root = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if how == "stream":
    df, runs = R.load_table([root])
    rows = len(df)
else:  # the baseline: whole files in memory, each task's texts at once
    runs = R.discover_runs([root])
    for r in runs:
        for log in r.logged.tasks.values():
            log.samples  # read whole and held on the run, as before streaming
    rows = sum(len(R._run_table(r, True, batch=None)) for r in runs)
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "rows": rows,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(how: str, root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, how, str(root)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark child ({how}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _write(root: Path, tiny: Path, docs_per_task: int) -> float:
    from reasoning_suite.analysis.synthetic import SyntheticModel, make_checkpoint, write_run

    tasks = {t: docs_per_task for t in TASKS}
    for i, (fmt, ratio, thinking) in enumerate((("ift", 0.0, 0), ("reasoning", 1.0, THINKING_WORDS))):
        rec = {"base_model": "tiny", "format": fmt, "reasoning_ratio": ratio, "order": "sequential",
               "train_flops": {"paper": 1e15, "arch": 8e14}}
        m = SyntheticModel(f"bench-{fmt}", hidden_size=64, intermediate_size=128, record=rec, accuracy=0.4 + 0.2 * i,
                           thinking_words=thinking, answer_words=ANSWER_WORDS, truncate_rate=0.05 * i)
        ckpt = make_checkpoint(tiny, root / "ckpt" / m.name, m)
        write_run(root / "out", ckpt, m, tasks, seed=i, max_gen_toks=8192)
    return sum(p.stat().st_size for p in (root / "out").rglob("*.jsonl")) / 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes-mb", type=float, nargs="+", default=[100.0, 400.0])
    ap.add_argument("--keep", type=Path, help="write the runs under this directory and keep them")
    args = ap.parse_args()

    import logging

    from reasoning_suite.tiny_model import build_tiny_model

    logging.getLogger("lm_eval").setLevel(logging.WARNING)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench_analysis_"))
    base.mkdir(parents=True, exist_ok=True)
    tiny = build_tiny_model(base / "tiny")
    results = []
    for target in args.sizes_mb:
        root = base / f"{target:g}MB"
        t0 = time.perf_counter()
        docs = max(8, int(target * 1e6 / BYTES_PER_DOC / len(TASKS)))
        mb = _write(root, tiny, docs)
        print(f"{mb:.0f} MB of samples JSONL: 2 runs x {len(TASKS)} tasks x {docs:,} documents "
              f"(reasoning traces ~{THINKING_WORDS:,} words; written in {time.perf_counter() - t0:.0f} s)", flush=True)
        stream = _child("stream", root / "out")
        whole = _child("whole", root / "out")
        assert stream["rows"] == whole["rows"] == 2 * len(TASKS) * docs, (stream, whole)
        for name, r in (("streamed", stream), ("read whole (baseline)", whole)):
            print(f"  {name:22s} {r['seconds']:6.1f} s  {mb / r['seconds']:6.1f} MB/s  peak RSS {r['maxrss_mb']:6.0f} MB",
                  flush=True)
        print(f"  ratio: streamed is {whole['seconds'] / stream['seconds']:.2f}x the baseline's speed, "
              f"{stream['maxrss_mb'] / whole['maxrss_mb']:.2f}x its peak RSS", flush=True)
        results.append((mb, stream, whole))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if len(results) > 1:
        (mb0, s0, w0), (mb1, s1, w1) = results[0], results[-1]
        grow = lambda a, b: (b["maxrss_mb"] - a["maxrss_mb"]) / ((mb1 - mb0) / 1000)  # noqa: E731
        print(f"peak RSS growth per GB of samples: streamed {grow(s0, s1):.0f} MB/GB, baseline {grow(w0, w1):.0f} MB/GB")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
