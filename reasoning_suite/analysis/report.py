"""The whole analysis of a set of runs: derived tables, fits and figures, written to one directory.

``analyze`` is what ``reasoning-suite analyze`` runs; the leaderboard reuses `Analysis` for its
numbers and figures so that both commands always agree.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reasoning_suite.analysis import figures as FIG
from reasoning_suite.analysis import stats as S
from reasoning_suite.analysis.fits import fit_loglinear, fit_saturating
from reasoning_suite.analysis.runs import Run
from reasoning_suite.errors import UserError

log = logging.getLogger("reasoning_suite.analysis")


@dataclass
class Analysis:
    """The tidy table plus everything derived from it, for one choice of score and FLOPs count."""

    table: pd.DataFrame
    runs: list[Run]
    score: str = "rule"
    flops: str = "arch"
    teacher: str | None = None
    cached_ffn: bool = True
    per_task: pd.DataFrame = field(init=False)
    per_category: pd.DataFrame = field(init=False)
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.flops not in ("arch", "paper"):
            raise UserError(f"--flops must be arch or paper, got {self.flops!r}")
        S.score_col(self.score)
        if self.score == "judge" and not np.isfinite(self.table["judge_acc"]).any():
            raise UserError("--score judge: none of the runs has judged samples (run `reasoning-suite judge` first)")
        labels = [r.label for r in self.runs]
        if self.teacher is not None:
            if self.teacher not in labels:
                raise UserError(f"--teacher {self.teacher!r} is not one of the runs: {', '.join(labels)}")
            t = self.table
            t["mode"] = t["mode"].cat.add_categories(["teacher"]) if "teacher" not in t["mode"].cat.categories else t["mode"]
            t.loc[t["run"] == self.teacher, "mode"] = "teacher"
        self.per_task = S.per_run_task(self.table, score=self.score)
        self.per_category = S.per_run_category(self.table, score=self.score)

    # ------------------------------------------------------------------ pieces

    @property
    def fcol(self) -> str:
        return f"inference_flops_{self.flops}"

    def teacher_accuracy(self) -> dict[str, float]:
        if self.teacher is None:
            return {}
        c = self.per_category[self.per_category["run"] == self.teacher]
        return dict(zip(c["category"], c["acc"]))

    def archs(self) -> dict[str, Any]:
        return {r.label: r.arch for r in self.runs}

    def saturating_fits(self) -> dict[str, dict[str, Any]]:
        """Per category and mode (IFT, reasoning): accuracy against inference FLOPs per answer."""
        ceil = self.teacher_accuracy()
        out: dict[str, dict[str, Any]] = {}
        pc = self.per_category.assign(series=S.series_labels(self.per_category))
        for (cat, mode, series), g in pc.groupby(["category", "mode", "series"]):
            if mode not in ("IFT", "reasoning"):
                continue
            g = g[np.isfinite(g[self.fcol].astype(float))]
            try:
                fit = fit_saturating(g[self.fcol], g["acc"], ceiling=ceil.get(cat, 1.0))
                out.setdefault(cat, {})[series] = {**fit.to_dict(), "runs": list(g["run"])}
            except UserError as exc:
                out.setdefault(cat, {})[series] = {"skipped": str(exc), "runs": list(g["run"])}
        return out

    def loglinear_fits(self) -> dict[str, dict[str, Any]]:
        """Per category and series (mode, and setting when a mode has several): inference FLOPs
        per answer against parameters, y = α x^β."""
        out: dict[str, dict[str, Any]] = {}
        pc = self.per_category.assign(series=S.series_labels(self.per_category))
        for (cat, mode, series), g in pc.groupby(["category", "mode", "series"]):
            if mode not in ("IFT", "reasoning"):
                continue
            try:
                fit = fit_loglinear(g["params"], g[self.fcol])
                out.setdefault(cat, {})[series] = {**fit.to_dict(), "runs": list(g["run"])}
            except UserError as exc:
                out.setdefault(cat, {})[series] = {"skipped": str(exc), "runs": list(g["run"])}
        return out

    def pareto(self) -> dict[str, dict[str, list[str]]]:
        """Runs on the Pareto frontier per category, against training and inference FLOPs."""
        out: dict[str, dict[str, list[str]]] = {"inference": {}, "training": {}}
        tcol = f"train_flops_{self.flops}"
        for cat, g in self.per_category.groupby("category"):
            out["inference"][cat] = list(g["run"][S.pareto_mask(g[self.fcol], g["acc"])])
            if np.isfinite(g[tcol].astype(float)).any():
                out["training"][cat] = list(g["run"][S.pareto_mask(g[tcol], g["acc"])])
        return out


def _clean(obj: Any) -> Any:
    """JSON without NaN (null instead), numpy scalars as Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def make_figures(a: Analysis, out_dir: Path, sat: dict | None = None, loglin: dict | None = None) -> dict[str, list[Path]]:
    """All eight figures; a figure whose inputs are missing is skipped and its reason kept in `a.skipped`."""
    sat = a.saturating_fits() if sat is None else sat
    loglin = a.loglinear_fits() if loglin is None else loglin
    figs: dict[str, list[Path]] = {}
    if out_dir.is_dir():  # a figure skipped this time must not survive from an earlier analysis
        for old in list(out_dir.glob("fig*.png")) + list(out_dir.glob("fig*.svg")):
            old.unlink()
    handler = _SkipCollector(a.skipped)
    log.addHandler(handler)
    try:
        figs["fig1"] = FIG.fig_token_factor(S.token_factor_gain(a.table, score=a.score), out_dir)
        figs["fig2"] = FIG.fig_accuracy_by_category(a.per_category, out_dir, teacher=a.teacher_accuracy())
        figs["fig3"] = FIG.fig_ratio_sweep(S.ratio_sweep(a.table, score=a.score), out_dir)
        figs["fig6"] = FIG.fig_training_flops(a.per_category, out_dir, flops=a.flops)
        figs["fig7"] = FIG.fig_inference_flops(a.per_category, sat, out_dir, flops=a.flops)
        figs["fig8"] = FIG.fig_length_correctness(S.length_by_correctness(a.table, score=a.score), out_dir)
        es = S.early_stopping(a.table, a.archs(), score=a.score, cached_ffn=a.cached_ffn)
        figs["fig15"] = FIG.fig_early_stopping(S.early_stopping_by_category(es, score=a.score), out_dir, flops=a.flops)
        figs["fig17"] = FIG.fig_flops_vs_size(a.per_category, loglin, out_dir, flops=a.flops)
    finally:
        log.removeHandler(handler)
    return figs


class _SkipCollector(logging.Handler):
    def __init__(self, sink: dict[str, str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("figure ") and record.args:
            self.sink[str(record.args[0])] = str(record.args[1])


def analyze(a: Analysis, out: Path, *, figures: bool = True, baseline: str | None = None) -> dict[str, Any]:
    """Write table.parquet/.csv, the derived tables (CSV), fits.json and the figures into ``out``.

    `baseline`: a run every other run is compared against (tables/comparisons.csv), besides
    the pairs `paired.choose_pairs` picks by itself."""
    out.mkdir(parents=True, exist_ok=True)
    a.table.to_parquet(out / "table.parquet", index=False)
    a.table.to_csv(out / "table.csv", index=False)
    tables = out / "tables"
    tables.mkdir(exist_ok=True)
    acc = {by: S.accuracy(a.table, score=a.score, by=by) for by in ("task", "category", "overall")}
    for by, df in acc.items():
        df.to_csv(tables / f"accuracy_by_{by}.csv", index=False)
    a.per_task.to_csv(tables / "per_run_task.csv", index=False)
    a.per_category.to_csv(tables / "per_run_category.csv", index=False)
    tf = S.token_factor_gain(a.table, score=a.score)
    tf.to_csv(tables / "token_factor_gain.csv", index=False)
    lengths = S.length_by_correctness(a.table, score=a.score)
    lengths.to_csv(tables / "length_by_correctness.csv", index=False)
    es = S.early_stopping(a.table, a.archs(), score=a.score, cached_ffn=a.cached_ffn)
    es.to_csv(tables / "early_stopping.csv", index=False)
    S.early_stopping_by_category(es, score=a.score).to_csv(tables / "early_stopping_by_category.csv", index=False)
    S.ratio_sweep(a.table, score=a.score).to_csv(tables / "ratio_sweep.csv", index=False)
    from reasoning_suite.analysis.paired import study_comparisons

    comps = study_comparisons(a.table, baseline=baseline, flops=a.flops)
    comps.table.to_csv(tables / "comparisons.csv", index=False)  # the contract (docs/analysis.md)
    comps.frame.to_csv(tables / "comparisons_detail.csv", index=False)  # + why, raw p, docs for 5 points, cost
    from reasoning_suite.analysis import findings as FND

    (out / FND.FILENAME).write_text(FND.from_analysis(a, comps).markdown(), encoding="utf-8")
    sat, loglin = a.saturating_fits(), a.loglinear_fits()
    figs = make_figures(a, out / "figures", sat, loglin) if figures else {}
    fits = {
        "score": a.score,
        "flops": a.flops,
        "cached_ffn": a.cached_ffn,
        "teacher": a.teacher,
        "saturating_accuracy_vs_inference_flops": sat,
        "loglinear_inference_flops_vs_params": loglin,
        "pareto": a.pareto(),
        "token_factor_gain": tf.to_dict(orient="records"),
        "figures": {k: [p.name for p in v] for k, v in figs.items()},
        "figures_skipped": a.skipped,
        "runs": [{"run": r.label, "results": str(r.results_path), "model": r.pretrained,
                  "record": r.record is not None, "judged": r.judged_dir is not None,
                  "flops_source": r.flops_source} for r in a.runs],
    }
    (out / "fits.json").write_text(json.dumps(_clean(fits), indent=2, allow_nan=False))
    return fits


# ----------------------------------------------------------------------------- findings in the HTML leaderboard
# (one separated insertion: the leaderboard's layout is leaderboard.py's; this only adds the section)


def with_findings(page: str, a: Analysis, comparisons) -> str:
    """The HTML leaderboard `page` with the "Findings" section (`findings.Findings.html`) at
    its top, right after the page title."""
    from reasoning_suite.analysis import findings as FND
    section = FND.from_analysis(a, comparisons).html()
    head, sep, rest = page.partition("</h1>")
    return f"{head}{sep}{section}{rest}" if sep else page.replace("<body>", f"<body>{section}", 1)
