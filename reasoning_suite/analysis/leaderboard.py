"""The leaderboard: one row per run, accuracy per task, per category and overall, cost per answer.

Category and overall numbers are `core.aggregate`'s (category = mean of its tasks that ran,
overall = mean of the categories that ran), the same as the judge report and lm-eval's groups.
One row per run: runs of one model in different settings (zero-/few-shot, chat template,
thinking, repeats) are separate rows. "unscored" counts the answers the rule scorer could not
score (timeout + error, from the logged samples' `unscored` statuses); "–" for runs made before
statuses existed, never 0.

Rendered four ways from one frame: a rich terminal table, Markdown, CSV and a single
self-contained HTML file (inline CSS and JavaScript, figures embedded as data URIs, sortable
columns) that can be mailed or attached to a paper's supplement as is. Markdown and HTML show
the frame as `views`: a main table and several smaller ones, each at most `MAX_COLUMNS` wide,
so they read on GitHub and the HTML main table fits 1,280 px; the terminal gives each column
the width of its longest header word and hides (and names) what does not fit.
"""

from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reasoning_suite.analysis import stats as S
from reasoning_suite.analysis.report import Analysis
from reasoning_suite.core.score import Status
from reasoning_suite.errors import UserError
from reasoning_suite.harness_tasks.registry import suite_grouping
from reasoning_suite.analysis.paired import COMPARISON_COLUMNS

SCORE_NOTE = ("accuracy in %: category = mean of its tasks that ran, overall = mean of the categories that ran "
              "(each task once; rougeL is never averaged into acc); CI = 95% stratified bootstrap, "
              f"n/a with fewer than {S.MIN_BOOTSTRAP_N} samples in a task")
UNSCORED = (Status.TIMEOUT.value, Status.ERROR.value)


def resolve_baseline(a: Analysis, baseline: str | None) -> str:
    """The run every Δ is measured against: the one named, else the first run given."""
    labels = list(dict.fromkeys(a.table["run"].astype(str)))
    baseline = baseline or labels[0]
    if baseline not in labels:
        raise UserError(f"--baseline {baseline!r} is not one of the runs: {', '.join(labels)}")
    return baseline


def build(a: Analysis, *, baseline: str | None = None, n_boot: int = 1000,
          comparisons: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The leaderboard frame (one row per run, every column: what CSV writes) and its metadata.

    Columns: run, mode, setting, params; overall (rule), its 95% interval, overall (judge) when
    judged; one per category and one per task (rule, and judge when judged); mean answer tokens
    and inference FLOPs per answer; Δ against the baseline (points) overall and per category;

    ``comparisons`` (optional) is a frame in the contract of ``analysis/tables/comparisons.csv``
    (run, against, score, level, name, delta, ci_low, ci_high, ...): where it has the row of a
    run against the baseline, the Δ cell shows that paired interval ("Δ overall CI")."""
    t = a.table
    baseline = resolve_baseline(a, baseline)
    labels = list(dict.fromkeys(t["run"].astype(str)))
    judged = bool(np.isfinite(t["judge_acc"]).any())
    scores = ["rule", "judge"] if judged else ["rule"]
    rows = {lab: {"run": lab} for lab in labels}
    meta = t.drop_duplicates("run").set_index(t.drop_duplicates("run")["run"].astype(str))
    for lab in labels:
        rows[lab]["mode"] = str(meta.loc[lab, "mode"])
        rows[lab]["setting"] = str(meta.loc[lab, "setting"]) if "setting" in meta else ""
        rows[lab]["params"] = float(meta.loc[lab, "params"])
        rows[lab]["tokens"] = "approx" if str(meta.loc[lab, "token_source"]) != "tokenizer" else "exact"
    grouping = suite_grouping()
    cats = S.category_order(t["category"].astype(str), grouping)
    tasks = sorted(dict.fromkeys(t["task"].astype(str)), key=lambda x: (cats.index(_cat_of(t, x)), x))
    columns: dict[str, list[str]] = {"overall": [], "category": [], "task": [], "cost": [], "delta": []}
    for score in scores:
        suffix = "" if score == "rule" else " (judge)"
        if score == "judge":
            d = t[np.isfinite(t["judge_acc"])]
        else:
            d = t
        ov = S.accuracy(d, score=score, by="overall", n_boot=n_boot, grouping=grouping)
        for _, r in ov.iterrows():
            rows[str(r["run"])][f"overall{suffix}"] = 100 * r["acc"]
            rows[str(r["run"])][f"overall{suffix} CI"] = (
                "n/a" if not np.isfinite(r["ci_lo"])
                else f"[{100 * r['ci_lo']:.1f}, {100 * r['ci_hi']:.1f}]")
        columns["overall"] += [f"overall{suffix}", f"overall{suffix} CI"]
        pc = S.per_run_category(d, score=score, grouping=grouping)
        for _, r in pc.iterrows():
            rows[str(r["run"])][f"{r['category']}{suffix}"] = 100 * r["acc"]
        columns["category"] += [f"{c}{suffix}" for c in cats]
        pt = S.per_run_task(d, score=score)
        for _, r in pt.iterrows():
            rows[str(r["run"])][f"{r['task']}{suffix}"] = 100 * r["acc"]
        columns["task"] += [f"{x}{suffix}" for x in tasks]
    # Cost per answer: overall by the same rule as accuracy (mean of the categories' task means).
    # What each run learned to write (closed thinking, a final answer) by the same rule.
    cost_cols = {"answer tokens": ("answer_tokens", 1), "thinking tokens": ("thinking_tokens", 1),
                 "truncated %": ("truncated", 100), "inference FLOPs (arch)": ("inference_flops_arch", 1),
                 "inference FLOPs (paper)": ("inference_flops_paper", 1)}
    format_cols = {"closed thinking %": ("closed_thinking", 100), "final answer %": ("has_answer", 100)}
    overall = S.per_run_overall(t, [col for col, _ in (cost_cols | format_cols).values()], grouping=grouping)
    for lab, r in overall.iterrows():
        for name, (col, scale) in (cost_cols | format_cols).items():
            rows[str(lab)][name] = scale * r[col]
    columns["cost"] = list(cost_cols)
    columns["formats"] = list(format_cols)
    status = status_breakdown(a)
    for lab in labels:
        per_task = status.get(lab) or {}
        rows[lab]["unscored"] = float(sum(c.get(k, 0) for c in per_task.values() for k in UNSCORED)) if per_task else np.nan
    columns["status"] = ["unscored"]
    for col in columns["overall"][::2] + columns["category"]:
        dcol = f"Δ {col}"
        base = rows[baseline].get(col, np.nan)
        for lab in labels:
            rows[lab][dcol] = rows[lab].get(col, np.nan) - base
        columns["delta"].append(dcol)
    # Δ with its paired interval where a comparisons table (the contract of
    # analysis/tables/comparisons.csv) has the run against the baseline: then the paired delta
    # on the shared documents replaces the plain subtraction, so the cell and its interval agree.
    columns["delta_ci"] = []
    for score in scores:
        suffix = "" if score == "rule" else " (judge)"
        for level, name, col in [("overall", "overall", f"overall{suffix}")] + [("category", c, f"{c}{suffix}") for c in cats]:
            paired = paired_deltas(comparisons, baseline, score, level, name)
            if not paired:
                continue
            for lab in labels:
                if lab in paired:
                    d, lo, hi = paired[lab]
                    rows[lab][f"Δ {col}"] = d
                    rows[lab][f"Δ {col} CI"] = f"[{lo:+.1f}, {hi:+.1f}]"
                else:
                    rows[lab][f"Δ {col} CI"] = ""
            columns["delta_ci"].append(f"Δ {col} CI")
    frame = pd.DataFrame([rows[lab] for lab in labels])
    order = ["run", "mode", "setting", "params", "tokens"] + columns["overall"] + columns["delta"][:len(scores)] + \
        columns["delta_ci"] + columns["category"] + columns["delta"][len(scores):] + columns["cost"] + \
        columns["formats"] + columns["status"] + columns["task"]
    frame = frame.reindex(columns=order)
    frame = frame.sort_values("overall", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    notes = []
    for lab in labels:
        if str(meta.loc[lab, "token_source"]) != "tokenizer":
            notes.append(f"{lab}: token counts approximate ({meta.loc[lab, 'token_source']}; no tokenizer could be loaded)")
        if str(meta.loc[lab, "flops_source"]) != "config":
            notes.append(f"{lab}: {meta.loc[lab, 'flops_source']}")
    for lab in labels:
        if not status.get(lab):
            notes.append(f"{lab}: no scoring statuses in its results (a run made before they existed): unscored answers unknown")
    info = {"baseline": baseline, "judged": judged, "columns": columns, "notes": notes, "score_note": SCORE_NOTE,
            "status": status, "categories": cats, "tasks_by_category": {c: [x for x in tasks if _cat_of(t, x) == c] for c in cats}}
    return frame, info




def paired_deltas(comparisons: pd.DataFrame | None, baseline: str, score: str, level: str,
                  name: str) -> dict[str, tuple[float, float, float]]:
    """{run: (delta, ci_low, ci_high)} in points for each run against `baseline` at (score,
    level, name), read from a frame in the comparisons.csv contract; {} when it has none.

    The leaderboard only shows these numbers; it computes no paired statistic of its own (the
    paired comparisons' module owns them)."""
    if comparisons is None or not len(comparisons):
        return {}
    c = comparisons
    sel = c[(c["against"].astype(str) == baseline) & (c["score"].astype(str) == score)
            & (c["level"].astype(str) == level) & (c["name"].astype(str) == name)]
    return {str(r["run"]): (float(r["delta"]), float(r["ci_low"]), float(r["ci_high"])) for _, r in sel.iterrows()
            if all(math.isfinite(float(r[k])) for k in ("delta", "ci_low", "ci_high"))}


def read_comparisons(path: Path) -> pd.DataFrame:
    """comparisons.csv as written by the paired comparisons (columns `COMPARISON_COLUMNS`)."""
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise UserError(f"{path}: cannot read the comparisons table ({e})") from None
    missing = [c for c in COMPARISON_COLUMNS if c not in frame.columns]
    if missing:
        raise UserError(f"{path}: not a comparisons table; missing column(s) {', '.join(missing)}")
    return frame


def status_breakdown(a: Analysis) -> dict[str, dict[str, dict[str, int]]]:
    """Per run and task: answers per scoring status (`core.score.status_counts`); a run or task
    whose results carry no statuses is absent."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for run in a.runs:
        per_task = {t: c for t, log in run.logged.tasks.items() if (c := log.status_counts())}
        if per_task:
            out[run.label] = per_task
    return out


def status_rows(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-task breakdown shown under the leaderboard: tasks with timeout or error answers."""
    rows = []
    for run, per_task in (info.get("status") or {}).items():
        for task, counts in per_task.items():
            if any(counts.get(k, 0) for k in UNSCORED):
                rows.append({"run": run, "task": task, **{s.value: counts.get(s.value) for s in Status}})
    return rows


def _cat_of(t: pd.DataFrame, task: str) -> str:
    return str(t.loc[t["task"] == task, "category"].iloc[0])


# ----------------------------------------------------------------------------- formatting


def _fmt(col: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, str):
        return v
    if col == "params":
        from reasoning_suite.analysis.figures import size_label

        return size_label(v)
    if "FLOPs" in col:
        return f"{v:.3g}"
    if col.startswith("Δ"):
        return f"{v:+.1f}"
    if "tokens" in col or col == "unscored":
        return f"{v:.0f}"
    return f"{v:.1f}"


# The paper's four categories lead the main table; any other category that ran is shown in the
# categories table below it.
MAIN_CATEGORIES = ("General-MC", "General-OE", "Math-MC", "Math-OE")
MAX_COLUMNS = 12  # a Markdown table wider than this does not read on GitHub


@dataclass
class View:
    """One table of the leaderboard: a title, its columns (frame column -> header) and its cells."""

    key: str
    title: str
    headers: dict[str, str]  # cell key -> header text (may hold "\n": a two-line header in the terminal)
    cells: list[dict[str, str]]  # one per run: the text of each cell
    values: list[dict[str, float | None]]  # the number each cell sorts by (HTML)
    runs: list[str]
    note: str = ""


def _num(v: Any) -> float | None:
    if isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) and math.isfinite(float(v)):
        return float(v)
    return None


def _with_ci(point: str, ci: Any) -> str:
    """A score and its interval in one cell: "58.3 [41.4, 72.6]", "58.3 [n/a]" (too few samples)."""
    if not isinstance(ci, str) or not ci or point == "–":
        return point
    return f"{point} [n/a]" if ci == "n/a" else f"{point} {ci}"


def views(frame: pd.DataFrame, info: dict[str, Any]) -> list[View]:
    """The leaderboard as readable tables: main, other categories, Δ per category, judge, cost,
    and one per-task table per category. Each has at most MAX_COLUMNS columns."""
    c = info["columns"]
    cats = info.get("categories") or [k for k in c["category"] if not k.endswith(" (judge)")]
    main_cats = [k for k in MAIN_CATEGORIES if k in cats]
    other_cats = [k for k in cats if k not in main_cats]
    runs = [str(r) for r in frame["run"]]
    recs = frame.to_dict(orient="records")

    def cell(r: dict, col: str) -> str:
        return _fmt(col, r.get(col))

    def view(key: str, title: str, spec: list[tuple[str, str, Any]], note: str = "") -> View:
        cells, values = [], []
        for r in recs:
            cells.append({k: (f(r) if callable(f) else cell(r, f)) for k, _, f in spec})
            values.append({k: (_num(r.get(f)) if isinstance(f, str) else _num(r.get(k))) for k, _, f in spec})
        return View(key, title, {k: h for k, h, _ in spec}, cells, values, runs, note)

    base = [("run", "run", "run"), ("mode", "mode", "mode"), ("setting", "setting", "setting"),
            ("params", "size", "params")]
    out = []
    main = base + [("overall", "overall [95% CI]", lambda r: _with_ci(cell(r, "overall"), r.get("overall CI")))]
    main += [(k, k, k) for k in main_cats]
    main += [("answer tokens", "answer tokens", "answer tokens"),
             ("inference FLOPs (arch)", "FLOPs / answer", "inference FLOPs (arch)"),
             ("Δ overall", f"Δ vs {info['baseline']}", lambda r: _with_ci(cell(r, "Δ overall"), r.get("Δ overall CI")))]
    out.append(view("main", "Leaderboard", main,
                    f"accuracy in %; Δ: points against {info['baseline']}"
                    + (" with its paired 95% interval" if "Δ overall CI" in frame.columns else "")
                    + "; answer tokens and inference FLOPs (architecture-aware) per answer, overall as accuracy is"))
    run_only = [("run", "run", "run")]
    if "closed thinking %" in frame.columns:  # frames written before the format columns lack them
        out.append(view("formats", "What each run writes", run_only + [
            ("closed thinking %", "closed thinking %", "closed thinking %"),
            ("final answer %", "final answer %", "final answer %"),
            ("answer tokens", "answer tokens", "answer tokens"), ("thinking tokens", "thinking tokens", "thinking tokens"),
            ("truncated %", "truncated %", "truncated %")],
            "share of answers that close a thinking block and that give a final answer, mean answer tokens "
            "(thinking + final); overall by the rule accuracy follows (mean of the categories' task means)"))
    for i in range(0, len(other_cats), MAX_COLUMNS - 1):
        chunk = other_cats[i:i + MAX_COLUMNS - 1]
        out.append(view(f"categories{i}", "Other categories", run_only + [(k, k, k) for k in chunk], "accuracy in %"))
    deltas = [k for k in cats if f"Δ {k}" in frame.columns]
    for i in range(0, len(deltas), MAX_COLUMNS - 1):
        chunk = deltas[i:i + MAX_COLUMNS - 1]
        out.append(view(f"delta{i}", f"Δ vs {info['baseline']} per category", run_only + [
            (f"Δ {k}", k, (lambda kk: lambda r: _with_ci(cell(r, f"Δ {kk}"), r.get(f"Δ {kk} CI")))(k)) for k in chunk],
            "points"))
    if info["judged"]:
        jcats = [k for k in cats if f"{k} (judge)" in frame.columns]
        out.append(view("judge", "Judge panel's score", run_only + [
            ("overall (judge)", "overall [95% CI]", lambda r: _with_ci(cell(r, "overall (judge)"), r.get("overall (judge) CI"))),
            ("Δ overall (judge)", f"Δ vs {info['baseline']}",
             lambda r: _with_ci(cell(r, "Δ overall (judge)"), r.get("Δ overall (judge) CI")))]
            + [(f"{k} (judge)", k, f"{k} (judge)") for k in jcats[:MAX_COLUMNS - 3]],
            "accuracy in % by the judge panel's verdict, on the samples it judged"))
        for i in range(MAX_COLUMNS - 3, len(jcats), MAX_COLUMNS - 1):  # more categories than one table holds
            out.append(view(f"judge{i}", "Judge panel's score, more categories",
                            run_only + [(f"{k} (judge)", k, f"{k} (judge)") for k in jcats[i:i + MAX_COLUMNS - 1]],
                            "accuracy in % by the judge panel's verdict"))
    out.append(view("cost", "Cost per answer", run_only + [(k, k, k) for k in c["cost"]]
                    + ([("unscored", "unscored", "unscored")] if info.get("status") else []),
                    "overall by the rule accuracy follows (mean of the categories' task means)"))
    for cat, tasks in (info.get("tasks_by_category") or {}).items():
        for i in range(0, len(tasks), MAX_COLUMNS - 1):
            chunk = tasks[i:i + MAX_COLUMNS - 1]
            spec = run_only + [(x, x, (lambda xx: lambda r: cell(r, xx) + (
                f" / {cell(r, xx + ' (judge)')}" if info["judged"] and f"{xx} (judge)" in r else ""))(x)) for x in chunk]
            out.append(view(f"tasks-{cat}-{i}", f"Tasks: {cat}", spec,
                            "accuracy in %" + (" as rule / judge" if info["judged"] else "")))
    return out


def _md_table(v: View) -> list[str]:
    keys = list(v.headers)
    lines = [f"## {v.title}", "", "| " + " | ".join(v.headers[k].replace("\n", " ") for k in keys) + " |",
             "|" + "|".join("---" if k in ("run", "mode", "setting") else "---:" for k in keys) + "|"]
    for cells in v.cells:
        lines.append("| " + " | ".join(cells[k].replace("|", "\\|") for k in keys) + " |")
    if v.note:
        lines += ["", v.note + "."]
    return lines + [""]


def to_markdown(frame: pd.DataFrame, info: dict[str, Any], *, findings: str | None = None) -> str:
    """Markdown: the tables of `views`, each at most MAX_COLUMNS wide. ``findings`` (Markdown,
    e.g. `analysis.findings`'s) goes at the top, before the tables."""
    lines = ["# reasoning-suite leaderboard", ""]
    if findings:
        lines += [findings.strip(), ""]
    for v in views(frame, info):
        lines += _md_table(v)
    lines.append(f"{info['score_note']}.")
    lines += [f"- {n}" for n in info["notes"]]
    lines += ["", *_status_markdown(info)]
    return "\n".join(lines) + "\n"


def _status_markdown(info: dict[str, Any]) -> list[str]:
    rows = status_rows(info)
    if not info.get("status"):
        return []
    if not rows:
        return ["Scoring statuses: no answer timed out or failed to score."]
    cols = ["run", "task", *[s.value for s in Status]]
    out = ["Answers the rule scorer could not score (timeout, error), per task:", "",
           "| " + " | ".join(cols) + " |", "|---|---|" + "---:|" * len(Status)]
    for r in rows:
        out.append("| " + " | ".join("–" if r[c] is None else str(r[c]) for c in cols) + " |")
    return out


# Terminal headers: short, or two lines split between words, never inside one.
_TERMINAL_HEADERS = {"overall": "overall", "overall CI": "95% CI", "General-MC": "Gen-MC", "General-OE": "Gen-OE",
                     "answer tokens": "answer\ntokens", "inference FLOPs (arch)": "FLOPs/\nanswer",
                     "truncated %": "trunc.\n%", "unscored": "un-\nscored", "params": "size", "Δ overall": "Δ"}
# Columns a narrow terminal drops first, in this order, until the rest fit at their natural
# width (rich would otherwise squeeze every cell into a tall column of fragments).
_DROP_FIRST = ("inference FLOPs (arch)", "overall CI", "unscored", "truncated %", "params", "setting", "answer tokens",
               "Δ overall")


def _need(header: str, cells: list[str]) -> int:
    """Width a column needs: its longest header word and its widest cell, plus 3 (borders, padding)."""
    return max([len(w) for w in header.split()] + [len(x) for x in cells]) + 3


RUN_WIDTH = 24  # a narrow terminal folds a run name to this width rather than hide its scores
_KEEP = ("run", "mode", "overall")  # never hidden: a row must still say whose score it is


def _fit_width(cols: list[str], rows: list[dict[str, str]], width: int,
               headers: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(the columns shown, the ones hidden) for a terminal `width` characters wide: `_DROP_FIRST`
    in its order, then from the right, until every shown column gets the width it needs (so no
    header word and no number is ever broken)."""
    headers = headers or {}

    def need(col: str) -> int:
        n = _need(headers.get(col, col), [r[col] for r in rows])
        return min(n, RUN_WIDTH + 3) if col == "run" else n  # a long run name folds rather than hide the scores

    shown, hidden = list(cols), []
    order = [c for c in _DROP_FIRST if c in shown] + [c for c in reversed(cols) if c not in _DROP_FIRST and c not in _KEEP]
    for col in order:
        if sum(need(c) for c in shown) + 1 <= width:
            break
        shown.remove(col)
        hidden.append(col)
    return shown, hidden


def _rich_table(title: str, cols: list[str], headers: dict[str, str], rows_text: list[dict[str, str]],
                width: int, caption: str | None = None):
    """A rich Table of `cols` that fits `width`: (table, hidden columns). Every column is given the
    width of its longest header word and widest cell (`min_width`), so rich never splits either."""
    from rich.table import Table

    cols, hidden = _fit_width(cols, rows_text, width, headers)
    table = Table(title=title, caption=caption)
    for col in cols:  # numbers fold, never crop: a cropped "0.0 / 75" would read as another number
        need = _need(headers.get(col, col), [r[col] for r in rows_text]) - 3
        if col == "run":  # the room the other columns leave, at most its name's length
            need = min(need, max(RUN_WIDTH, width - 1 - sum(
                _need(headers.get(c, c), [r[c] for r in rows_text]) for c in cols if c != "run") - 3))
        table.add_column(headers.get(col, col), justify="left" if col in ("run", "mode", "setting") else "right",
                         no_wrap=col == "mode", overflow="fold", min_width=need, max_width=need if col == "run" else None)
    for cells in rows_text:
        table.add_row(*[cells[col] for col in cols])
    return table, hidden


def print_table(frame: pd.DataFrame, info: dict[str, Any], *, tasks: bool = False, console=None) -> None:
    """The terminal leaderboard: the main table (columns a narrow terminal cannot show are hidden
    and named), then with ``tasks`` one per-task table per category, then the scoring statuses."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    c = info["columns"]
    judged = info["judged"]
    cats = info.get("categories") or [k for k in c["category"] if not k.endswith(" (judge)")]
    # Rule and judge scores share a cell ("rule / judge") so a judged leaderboard is no wider.
    paired = ["overall", "Δ overall"] + cats + [t for t in c["task"] if not t.endswith(" (judge)")]
    # The terminal is narrow: the setting only when runs differ in it, unscored only when known.
    setting = ["setting"] if frame["setting"].nunique() > 1 else []
    unscored = ["unscored"] if info.get("status") else []
    cols = ["run", "mode", *setting, "params", "overall", "overall CI", "Δ overall"] + cats + \
        ["answer tokens", "truncated %", "inference FLOPs (arch)", *unscored]
    task_cols = [t for t in c["task"] if not t.endswith(" (judge)")] if tasks else []
    rows_text = []
    for _, r in frame.iterrows():
        cells = {}
        for col in cols + task_cols:
            text = _fmt(col, r[col])
            jcol = col.replace("Δ overall", "Δ overall (judge)") if col.startswith("Δ") else f"{col} (judge)"
            if judged and col in paired and jcol in frame.columns:
                text += " / " + _fmt(col, r[jcol])
            cells[col] = text
        if r["tokens"] == "approx":
            cells["run"] += "*"
        rows_text.append(cells)
    headers = {col: _TERMINAL_HEADERS.get(col, col) for col in cols + task_cols}
    approx = any(frame["tokens"] == "approx")
    caption = (f"accuracy %{' as rule / judge' if judged else ''}; Δ vs {info['baseline']} (points); "
               "FLOPs per answer (architecture-aware); "
               f"{info['score_note']}" + ("; * approximate token counts (no tokenizer)" if approx else "")
               + ("; Gen- = General-" if any(k.startswith("General-") for k in cats) else ""))
    table, hidden = _rich_table("reasoning-suite leaderboard", cols, headers, rows_text, console.width, caption)
    console.print(table)
    for cat, names in (info.get("tasks_by_category") or {}).items() if tasks else ():
        t_table, t_hidden = _rich_table(f"tasks: {cat}", ["run", *names], headers, rows_text, console.width)
        console.print(t_table)
        hidden += t_hidden
    if hidden:
        console.print(f"hidden at {console.width} columns: {', '.join(hidden)} (a wider terminal, "
                      "--format markdown or html show them)")
    rows = status_rows(info)
    if rows:
        st = Table(title="answers the rule scorer could not score, per task")
        for col in ("run", "task", *[s.value for s in Status]):
            st.add_column(col, justify="left" if col in ("run", "task") else "right")
        for r in rows:
            st.add_row(r["run"], r["task"], *["–" if r[s.value] is None else str(r[s.value]) for s in Status])
        console.print(st)
    elif info.get("status"):
        console.print("scoring statuses: no answer timed out or failed to score")
    for n in info["notes"]:
        console.print(f"[yellow]note:[/yellow] {n}")


def _figure_data_uris(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for p in paths:
        if p.suffix == ".png" and p.is_file():
            out.append((p.stem, "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode()))
    return out


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#111}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #bbb;padding:3px 6px;white-space:nowrap}
th{white-space:normal;max-width:7.5em;vertical-align:bottom}
td.run{white-space:normal;max-width:14em;overflow-wrap:anywhere}
td.txt{white-space:normal;max-width:9em}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eee;cursor:pointer;user-select:none;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
tr:nth-child(even) td{background:#f7f7f7}
.wrap{overflow-x:auto}
figure{display:inline-block;margin:1rem;max-width:46%}
figure img{max-width:100%}
.note{color:#444;font-size:12px}
"""

# Sort by the data-v attribute (numbers) or text; missing values always sort last.
_JS = """
(function(){
  function key(td){var v=td.getAttribute('data-v');return v===null?td.textContent:v===''?null:parseFloat(v);}
  function sortBy(th){
    var table=th.closest('table'),tbody=table.tBodies[0],idx=Array.prototype.indexOf.call(th.parentNode.children,th);
    var asc=th.getAttribute('aria-sort')!=='ascending';
    Array.prototype.forEach.call(th.parentNode.children,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    var rows=Array.prototype.slice.call(tbody.rows);
    rows.sort(function(a,b){
      var x=key(a.cells[idx]),y=key(b.cells[idx]);
      if(x===null&&y===null)return 0; if(x===null)return 1; if(y===null)return -1;
      var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));
      return asc?c:-c;});
    rows.forEach(function(r){tbody.appendChild(r);});
  }
  window.rsSortBy=sortBy;
  document.querySelectorAll('table.lb th').forEach(function(th){th.addEventListener('click',function(){sortBy(th);});});
})();
"""


def _status_html(info: dict[str, Any]) -> str:
    rows = status_rows(info)
    if not rows:
        return "<p class=note>Scoring statuses: no answer timed out or failed to score.</p>" if info.get("status") else ""
    cols = ["run", "task", *[s.value for s in Status]]
    head = "".join(f"<th scope=col>{c}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('–' if r[c] is None else str(r[c]))}</td>" for c in cols) + "</tr>"
                   for r in rows)
    return (f"<h2>Answers the rule scorer could not score</h2><table class=status><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _html_table(v: View) -> str:
    keys = list(v.headers)
    head = "".join(f"<th scope=col>{html.escape(v.headers[k].replace(chr(10), ' '))}</th>" for k in keys)
    body = []
    for run, cells, values in zip(v.runs, v.cells, v.values):
        tds = []
        for k in keys:
            text = html.escape(cells[k])
            if k in ("run", "mode", "setting"):
                tds.append(f"<td class={'txt' if k != 'run' else 'run'}>{text}</td>")
            else:
                dv = "" if values[k] is None else repr(values[k])
                tds.append(f'<td class=num data-v="{dv}">{text}</td>')
        body.append(f"<tr data-run=\"{html.escape(run)}\">" + "".join(tds) + "</tr>")
    note = f"<p class=note>{html.escape(v.note)}.</p>" if v.note else ""
    return (f"<h2>{html.escape(v.title)}</h2><div class=wrap><table class=lb id=\"{html.escape(v.key)}\">"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}")


def to_html(frame: pd.DataFrame, info: dict[str, Any], figures: list[Path] = (), *,
            title: str = "reasoning-suite leaderboard", findings_html: str | None = None) -> str:
    """One self-contained page: the tables of `views` (the main one fits 1,280 px), the notes,
    the scoring statuses and the figures. ``findings_html`` (an HTML fragment, e.g. the Findings
    section of `analysis.findings`) goes at the top, before the tables."""
    figs = "".join(
        f'<figure><img alt="{html.escape(stem)}" src="{uri}"><figcaption>{html.escape(stem)}</figcaption></figure>'
        for stem, uri in _figure_data_uris(list(figures))
    )
    meta = html.escape(json.dumps({"baseline": info["baseline"], "judged": info["judged"]}))
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        + (f"<section id=findings>{findings_html}</section>" if findings_html else "")
        + f"<div id=leaderboard data-meta=\"{meta}\">"
        f"<p class=note>Click a column header to sort. {html.escape(info['score_note'])}.</p>"
        + "".join(_html_table(v) for v in views(frame, info))
        + "</div>"
        + "".join(f"<p class=note>{html.escape(n)}</p>" for n in info["notes"])
        + _status_html(info)
        + (f"<h2>Figures</h2>{figs}" if figs else "")
        + f"<script>{_JS}</script></body></html>"
    )
