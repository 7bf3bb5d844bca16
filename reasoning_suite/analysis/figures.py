"""The paper's figures (REFERENCE §7) from the analysis frames, as PNG and SVG.

One function per figure. Each takes a derived frame (see `stats`), writes ``<name>.png`` and
``<name>.svg`` into ``out_dir`` and returns the paths, or returns ``[]`` and logs why when its
inputs are absent (no training records -> no training-FLOPs figure): a figure is never drawn
from made-up numbers. Everything is readable in black and white: series differ by marker,
line style and hatch, never by colour alone. Runs in different settings (zero-/few-shot, chat
template, thinking, repeats) are separate series (`stats.series_labels`): a bar, point or fit
never mixes them. Category numbers come from `core.aggregate` through `stats`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from reasoning_suite.analysis.stats import category_order, pareto_mask, series_labels

log = logging.getLogger("reasoning_suite.analysis")

# mode -> (marker, linestyle, grey, hatch)
_STYLE = {
    "base": ("^", ":", "0.55", ".."),
    "IFT": ("o", "-", "0.0", ""),
    "reasoning": ("s", "--", "0.35", "//"),
    "teacher": ("*", "-.", "0.0", "xx"),
}
_EXTRA_MARKERS = ["D", "v", "P", "X", "<", ">", "h"]
_EXTRA_LINES = [(0, (3, 1, 1, 1)), (0, (5, 2)), (0, (1, 1)), "-.", ":"]
_CAT_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def _style(mode: str, i: int = 0) -> tuple[str, Any, str, str]:
    if mode in _STYLE:
        return _STYLE[mode]
    return (_EXTRA_MARKERS[i % len(_EXTRA_MARKERS)], _EXTRA_LINES[i % len(_EXTRA_LINES)], str(0.15 + 0.1 * (i % 5)), "\\\\")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.grid": True, "grid.color": "0.9",
                         "figure.dpi": 110, "svg.hashsalt": "reasoning-suite"})
    return plt


def _accuracy_axes_from_zero(fig) -> None:
    """Accuracy cannot be negative: an all-zero panel must not show a -0.04 % axis."""
    for ax in fig.get_axes():
        if ax.get_ylabel() == "accuracy (%)":
            top = max(ax.get_ylim()[1], 5.0)
            ax.set_ylim(-0.03 * top, top)  # a sliver below 0 keeps markers at 0 % whole


# The files each figure is written as; the HTML leaderboard embeds PNGs only and asks for those
# alone (`with formats("png")`), skipping the SVGs it would delete again.
_FORMATS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("figure_formats", default=("png", "svg"))


@contextlib.contextmanager
def formats(*exts: str) -> Iterator[None]:
    token = _FORMATS.set(tuple(exts))
    try:
        yield
    finally:
        _FORMATS.reset(token)


def _save(fig, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    _accuracy_axes_from_zero(fig)
    paths = []
    for ext in _FORMATS.get():
        p = out_dir / f"{name}.{ext}"
        fig.savefig(p, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        paths.append(p)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return paths


def _skip(name: str, why: str) -> list[Path]:
    log.warning("figure %s skipped: %s", name, why)
    return []


def size_label(params: float) -> str:
    if not np.isfinite(params):
        return "?"
    for unit, div in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if params >= div:
            return f"{params / div:.3g}{unit}"
    return f"{params:.0f}"


def _cats(values) -> list[str]:
    """Categories in the paper's order (`stats.category_order`: the registry's), unknown ones after."""
    return category_order(values)


def _grid(plt, n: int, w: float = 3.4, h: float = 2.8):
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows + 0.5), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _legend(fig, axes) -> None:
    """One legend for the whole figure, below the panels, each label once."""
    seen: dict[str, Any] = {}
    for ax in axes:
        for a in (ax, getattr(ax, "_rs_twin", None)):
            if a is None:
                continue
            for h, lab in zip(*a.get_legend_handles_labels()):
                if not lab.startswith("_") and lab not in seen:
                    seen[lab] = h
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncol=min(len(seen), 5),
                   fontsize=8, frameon=False)


def _logx(ax) -> None:
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())


def _pareto_panel(ax, category: str, x, acc, xlabel: str) -> None:
    """Finish an accuracy-against-FLOPs panel: the Pareto frontier, log x axis, labels."""
    _frontier(ax, np.asarray(x, dtype=float), 100 * np.asarray(acc, dtype=float))
    _logx(ax)
    ax.set_title(category)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (%)")


def _frontier(ax, x: np.ndarray, y: np.ndarray) -> None:
    m = pareto_mask(x, y)
    if m.sum() >= 1:
        o = np.argsort(x[m])
        ax.plot(x[m][o], y[m][o], color="black", linestyle=(0, (4, 2)), linewidth=1.2, zorder=1,
                label="Pareto frontier")


# ----------------------------------------------------------------------------- Fig. 1


def fig_token_factor(tf: pd.DataFrame, out_dir: Path, name: str = "fig1_gain_vs_token_factor") -> list[Path]:
    """Accuracy gain against extra-token factor when switching IFT -> reasoning (paper Fig. 1)."""
    if tf.empty:
        return _skip(name, "needs an IFT run (ratio 0) and a reasoning run (ratio 1) of the same base model")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for i, (cat, g) in enumerate(tf.groupby("category")):
        ax.scatter(g["token_factor"], g["acc_gain"], marker=_CAT_MARKERS[i % len(_CAT_MARKERS)],
                   facecolors="none" if i % 2 else "0.3", edgecolors="black", label=cat, s=36)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("extra-token factor (reasoning / IFT answer tokens)")
    ax.set_ylabel("accuracy gain (points)")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("Gain from reasoning vs its token cost")
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 2


def fig_accuracy_by_category(cat: pd.DataFrame, out_dir: Path, teacher: Mapping[str, float] | None = None,
                             name: str = "fig2_accuracy_by_category") -> list[Path]:
    """Accuracy per category and student size: base vs IFT vs reasoning, teacher as a line (Fig. 2)."""
    c = cat[cat["mode"].isin(["base", "IFT", "reasoning"])]
    if c.empty:
        return _skip(name, "no base, IFT (ratio 0) or reasoning (ratio 1) runs")
    c = c.assign(series=series_labels(c))
    plt = _plt()
    cats = _cats(c["category"])
    fig, axes = _grid(plt, len(cats))
    order = {"base": 0, "IFT": 1, "reasoning": 2}
    series = sorted(dict.fromkeys(zip(c["series"], c["mode"])), key=lambda sm: (order[sm[1]], sm[0]))
    for ax, category in zip(axes, cats):
        g = c[c["category"] == category]
        sizes = sorted(g["params"].dropna().unique()) or [np.nan]
        width = 0.8 / len(series)
        for j, (ser, mode) in enumerate(series):
            vals = [g[(g["series"] == ser) & ((g["params"] == s) | (g["params"].isna() & np.isnan(s)))]["acc"].mean()
                    for s in sizes]  # runs of unknown size form one "?" group
            k = sum(1 for sm in series[:j] if sm[1] == mode)  # the n-th setting of this mode
            _, _, grey, hatch = _style(mode) if k == 0 else _style(f"{mode}#{k}", k)
            ax.bar(np.arange(len(sizes)) + (j - (len(series) - 1) / 2) * width, 100 * np.asarray(vals), width,
                   color="white" if mode != "IFT" else "0.75", edgecolor="black", hatch=hatch, label=ser)
        if teacher and category in teacher:
            ax.axhline(100 * teacher[category], color="black", linestyle="-.", linewidth=1.2, label="teacher")
        ax.set_xticks(range(len(sizes)), [size_label(s) for s in sizes])
        ax.set_title(category)
        ax.set_ylabel("accuracy (%)")
    _legend(fig, axes)
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 3/4


def fig_ratio_sweep(sweep: pd.DataFrame, out_dir: Path, name: str = "fig3_ratio_sweep") -> list[Path]:
    """Accuracy gap to IFT (solid) and answer length (dashed) against reasoning ratio,
    sequential vs mixed, averaged over student sizes (Fig. 3; per-order curves are Fig. 4)."""
    if sweep.empty or sweep["reasoning_ratio"].nunique() < 2:
        return _skip(name, "needs training records with at least two reasoning ratios, one of them 0 (IFT)")
    plt = _plt()
    keys = ["setting"] if "setting" in sweep else []
    avg = sweep.groupby(["category", *keys, "order", "reasoning_ratio"], as_index=False).mean(numeric_only=True)
    several = bool(keys) and avg["setting"].nunique() > 1
    cats = _cats(avg["category"])
    fig, axes = _grid(plt, len(cats), w=3.8)
    for ax, category in zip(axes, cats):
        g = avg[avg["category"] == category]
        ax2 = ax.twinx()
        ax._rs_twin = ax2
        for setting, gs in (g.groupby("setting") if several else [("", g)]):
            tag = f" ({setting})" if several else ""
            for order, marker in (("sequential", "o"), ("mixed", "s")):
                o = gs[gs["order"] == order].sort_values("reasoning_ratio")
                if o.empty:
                    continue
                ax.plot(100 * o["reasoning_ratio"], o["acc_gap"], marker=marker, color="black", linestyle="-",
                        markerfacecolor="white" if order == "mixed" else "black", label=f"{order}{tag}: accuracy gap")
                ax2.plot(100 * o["reasoning_ratio"], o["answer_tokens"], marker=marker, color="0.45", linestyle="--",
                         markerfacecolor="white" if order == "mixed" else "0.45", label=f"{order}{tag}: answer tokens")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(category)
        ax.set_xlabel("reasoning ratio (%)")
        ax.set_ylabel("accuracy gap to IFT (points)")
        ax2.set_ylabel("answer tokens")
        ax2.grid(False)
    _legend(fig, axes)
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 6


def fig_training_flops(overall: pd.DataFrame, out_dir: Path, flops: str = "arch",
                       name: str = "fig6_accuracy_vs_training_flops") -> list[Path]:
    """Accuracy against training FLOPs, one point per trained run, Pareto frontier dashed (Fig. 6)."""
    col = f"train_flops_{flops}"
    d = overall[np.isfinite(overall[col].astype(float))] if col in overall else overall.iloc[0:0]
    if d.empty:
        return _skip(name, "no run has a training record with train_flops (reasoning_suite_run.json)")
    plt = _plt()
    cats = _cats(d["category"])
    fig, axes = _grid(plt, len(cats))
    for ax, category in zip(axes, cats):
        g = d[d["category"] == category]
        for i, (ratio, r) in enumerate(g.groupby("reasoning_ratio")):
            ax.scatter(r[col], 100 * r["acc"], marker=_CAT_MARKERS[i % len(_CAT_MARKERS)], edgecolors="black",
                       facecolors="none" if i % 2 else "0.4", s=34, label=f"{100 * ratio:.0f}% reasoning", zorder=3)
        _pareto_panel(ax, category, g[col], g["acc"], f"training FLOPs ({flops})")
    _legend(fig, axes)
    return _save(fig, out_dir, name)


def _category_panels(d: pd.DataFrame):
    """One panel per category (the study's order) of the per-run category rows `d`, each run
    labelled by its series: (figure, axes, [(ax, category, rows of that category)])."""
    plt = _plt()
    d = d.assign(series=series_labels(d))
    cats = _cats(d["category"])
    fig, axes = _grid(plt, len(cats))
    return fig, axes, [(ax, c, d[d["category"] == c]) for ax, c in zip(axes, cats)]


def _series(g: pd.DataFrame):
    """(series, mode, its rows, its style) in one panel: a series named after its mode gets the
    mode's style, any other series a style of its own."""
    for i, ((series, mode), r) in enumerate(g.groupby(["series", "mode"])):
        yield series, mode, r, (_style(mode) if series == mode else _style(series, i))


# ----------------------------------------------------------------------------- Fig. 7


def fig_inference_flops(cat: pd.DataFrame, fits: Mapping[str, Any], out_dir: Path, flops: str = "arch",
                        name: str = "fig7_accuracy_vs_inference_flops") -> list[Path]:
    """Accuracy against inference FLOPs per answer, IFT and reasoning, with the saturating fits (Fig. 7)."""
    col = f"inference_flops_{flops}"
    d = cat[cat["mode"].isin(["IFT", "reasoning", "base"]) & np.isfinite(cat[col].astype(float))]
    if d.empty:
        return _skip(name, "no run with inference FLOPs (needs the model config of each run)")
    fig, axes, panels = _category_panels(d)
    for ax, category, g in panels:
        for series, mode, r, (marker, ls, grey, _) in _series(g):
            ax.scatter(r[col], 100 * r["acc"], marker=marker, edgecolors="black",
                       facecolors=grey if mode != "reasoning" else "none", s=34, label=series, zorder=3)
            fit = (fits.get(category) or {}).get(series)
            if fit and "alpha" in fit:
                xs = np.logspace(np.log10(r[col].min()) - 0.5, np.log10(r[col].max()) + 0.5, 100)
                from reasoning_suite.analysis.fits import saturating

                ax.plot(xs, 100 * saturating(xs, fit["alpha"], fit["beta"], fit["gamma"], fit["delta"]),
                        color="black", linestyle=ls, linewidth=1, label=f"{series} fit")
        _pareto_panel(ax, category, g[col], g["acc"], f"inference FLOPs per answer ({flops})")
    _legend(fig, axes)
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 8


def fig_length_correctness(lengths: pd.DataFrame, out_dir: Path, name: str = "fig8_length_correct_vs_incorrect") -> list[Path]:
    """Mean answer length of correct vs incorrect answers per student size, accuracy as a line (Fig. 8).

    `lengths` is `stats.length_by_correctness`: per run and category by `core.aggregate`.

    The paper shows reasoning models; other runs are used only when there is no reasoning run."""
    d = lengths[lengths["mode"] == "reasoning"]
    if d.empty:
        d = lengths
    if d.empty:
        return _skip(name, "no samples")
    plt = _plt()
    keys = ["setting"] if "setting" in d and d["setting"].nunique() > 1 else []
    cats = _cats(d["category"])
    fig, axes = _grid(plt, len(cats))
    for ax, category in zip(axes, cats):
        g = d[d["category"] == category].groupby(["params", *keys], dropna=False).mean(numeric_only=True).reset_index()
        x = np.arange(len(g))
        ax.bar(x - 0.2, g["tokens_correct"], 0.4, color="white", edgecolor="black", hatch="//", label="correct")
        ax.bar(x + 0.2, g["tokens_incorrect"], 0.4, color="0.55", edgecolor="black", label="incorrect")
        ax.set_xticks(x, [size_label(p) + (f"\n{s}" if keys else "") for p, s in
                          zip(g["params"], g["setting"] if keys else g["params"])])
        ax.set_ylabel("answer tokens")
        ax.set_title(category)
        ax2 = ax.twinx()
        ax2.plot(x, 100 * g["acc"], color="black", marker="o", label="accuracy")
        ax2.set_ylabel("accuracy (%)")
        ax2.grid(False)
        ax._rs_twin = ax2
    _legend(fig, axes)
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 15


def fig_early_stopping(es_cat: pd.DataFrame, out_dir: Path, flops: str = "arch",
                       name: str = "fig15_early_stopping") -> list[Path]:
    """Accuracy against inference FLOPs with generation capped at length percentiles 0-100 (Fig. 15).

    `es_cat` is `stats.early_stopping_by_category`: each point is already the category's score
    by `core.aggregate` (plotted as is, never averaged again here)."""
    col = f"inference_flops_{flops}"
    if es_cat.empty or not np.isfinite(es_cat[col].astype(float)).any():
        return _skip(name, "no run with inference FLOPs (needs the model config of each run)")
    plt = _plt()
    agg = es_cat.rename(columns={col: "flops"})
    agg["series"] = series_labels(agg)
    cats = _cats(agg["category"])
    fig, axes = _grid(plt, len(cats))
    for ax, category in zip(axes, cats):
        g = agg[agg["category"] == category]
        labelled = set()
        for i, (run, r) in enumerate(g.groupby("run", sort=False)):
            r = r.sort_values("percentile")
            marker, ls, grey, _ = _style(r["mode"].iloc[0], i)
            ax.plot(r["flops"], 100 * r["acc"], marker=marker, linestyle=ls, color=grey, markersize=4,
                    label=r["series"].iloc[0] if r["series"].iloc[0] not in labelled else None)
            labelled.add(r["series"].iloc[0])
        _pareto_panel(ax, category, g["flops"], g["acc"], f"inference FLOPs per answer ({flops})")
    _legend(fig, axes)
    return _save(fig, out_dir, name)


# ----------------------------------------------------------------------------- Fig. 17


def fig_flops_vs_size(cat: pd.DataFrame, fits: Mapping[str, Any], out_dir: Path, flops: str = "arch",
                      name: str = "fig17_inference_flops_vs_size") -> list[Path]:
    """Inference FLOPs per answer against student size, IFT and reasoning, log-linear fits (Fig. 17)."""
    col = f"inference_flops_{flops}"
    d = cat[cat["mode"].isin(["IFT", "reasoning"]) & np.isfinite(cat[col].astype(float)) & np.isfinite(cat["params"])]
    if d.empty or d["params"].nunique() < 2:
        return _skip(name, "needs IFT or reasoning runs of at least two model sizes with inference FLOPs")
    fig, axes, panels = _category_panels(d)
    for ax, category, g in panels:
        for series, mode, r, (marker, ls, grey, _) in _series(g):
            ax.scatter(r["params"], r[col], marker=marker, edgecolors="black",
                       facecolors=grey if mode == "IFT" else "none", s=34, zorder=3)
            fit = (fits.get(category) or {}).get(series)
            label = series
            if fit and "beta" in fit:
                xs = np.logspace(np.log10(r["params"].min()), np.log10(r["params"].max()), 50)
                ax.plot(xs, fit["alpha"] * xs ** fit["beta"], color="black", linestyle=ls, linewidth=1)
                label = f"{series} (β={fit['beta']:.2f})"
            ax.scatter([], [], marker=marker, edgecolors="black", facecolors=grey if mode == "IFT" else "none", label=label)
        _logx(ax)
        ax.set_yscale("log")
        ax.set_title(category)
        ax.set_xlabel("parameters")
        ax.set_ylabel(f"inference FLOPs per answer ({flops})")
        ax.legend(fontsize=7, frameon=False)
    return _save(fig, out_dir, name)
