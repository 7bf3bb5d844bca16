"""The leaderboard: one row per run, accuracy per task, per category and overall, cost per answer.

Category and overall numbers are `core.aggregate`'s (category = mean of its tasks that ran,
overall = mean of the categories that ran), the same as the judge report and lm-eval's groups.
One row per run: runs of one model in different settings (zero-/few-shot, chat template,
thinking, repeats) are separate rows. "unscored" counts the answers the rule scorer could not
score (timeout + error, from the logged samples' `unscored` statuses); "–" for runs made before
statuses existed, never 0.

Rendered four ways from one frame: a rich terminal table, Markdown, CSV and a single
self-contained HTML file (inline CSS and JavaScript, figures embedded as data URIs, sortable
columns) that can be mailed or attached to a paper's supplement as is.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reasoning_suite.analysis import stats as S
from reasoning_suite.analysis.report import Analysis
from reasoning_suite.core.aggregate import aggregate
from reasoning_suite.core.score import Status
from reasoning_suite.errors import UserError

SCORE_NOTE = ("accuracy in %: category = mean of its tasks that ran, overall = mean of the categories that ran "
              "(each task once; rougeL is never averaged into acc); CI = 95% stratified bootstrap, "
              f"n/a with fewer than {S.MIN_BOOTSTRAP_N} samples in a task")
UNSCORED = (Status.TIMEOUT.value, Status.ERROR.value)


def build(a: Analysis, *, baseline: str | None = None, n_boot: int = 1000) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The leaderboard frame (one row per run) and its column metadata.

    Columns: run, mode, params; overall (rule), its 95% interval, overall (judge) when judged;
    one per category and one per task (rule, and judge when judged); mean answer tokens and
    inference FLOPs per answer; Δ against the baseline (points) overall and per category."""
    t = a.table
    labels = list(dict.fromkeys(t["run"].astype(str)))
    baseline = baseline or labels[0]
    if baseline not in labels:
        raise UserError(f"--baseline {baseline!r} is not one of the runs: {', '.join(labels)}")
    judged = bool(np.isfinite(t["judge_acc"]).any())
    scores = ["rule", "judge"] if judged else ["rule"]
    rows = {lab: {"run": lab} for lab in labels}
    meta = t.drop_duplicates("run").set_index(t.drop_duplicates("run")["run"].astype(str))
    for lab in labels:
        rows[lab]["mode"] = str(meta.loc[lab, "mode"])
        rows[lab]["setting"] = str(meta.loc[lab, "setting"]) if "setting" in meta else ""
        rows[lab]["params"] = float(meta.loc[lab, "params"])
        rows[lab]["tokens"] = "approx" if str(meta.loc[lab, "token_source"]) != "tokenizer" else "exact"
    from reasoning_suite.analysis.figures import _cats

    cats = _cats(t["category"].astype(str))
    tasks = sorted(dict.fromkeys(t["task"].astype(str)), key=lambda x: (cats.index(_cat_of(t, x)), x))
    columns: dict[str, list[str]] = {"overall": [], "category": [], "task": [], "cost": [], "delta": []}
    for score in scores:
        suffix = "" if score == "rule" else " (judge)"
        if score == "judge":
            d = t[np.isfinite(t["judge_acc"])]
        else:
            d = t
        ov = S.accuracy(d, score=score, by="overall", n_boot=n_boot)
        for _, r in ov.iterrows():
            rows[str(r["run"])][f"overall{suffix}"] = 100 * r["acc"]
            rows[str(r["run"])][f"overall{suffix} CI"] = (
                "n/a" if not np.isfinite(r["ci_lo"])
                else f"[{100 * r['ci_lo']:.1f}, {100 * r['ci_hi']:.1f}]")
        columns["overall"] += [f"overall{suffix}", f"overall{suffix} CI"]
        pc = S.per_run_category(d, score=score)
        for _, r in pc.iterrows():
            rows[str(r["run"])][f"{r['category']}{suffix}"] = 100 * r["acc"]
        columns["category"] += [f"{c}{suffix}" for c in cats]
        pt = S.per_run_task(d, score=score)
        for _, r in pt.iterrows():
            rows[str(r["run"])][f"{r['task']}{suffix}"] = 100 * r["acc"]
        columns["task"] += [f"{x}{suffix}" for x in tasks]
    # Cost per answer: overall by the same rule as accuracy (mean of the categories' task means).
    pt = S.per_run_task(t, score="rule")
    groups_of = S.grouping(t)
    cost_cols = {"answer tokens": ("answer_tokens", 1), "thinking tokens": ("thinking_tokens", 1),
                 "truncated %": ("truncated", 100), "inference FLOPs (arch)": ("inference_flops_arch", 1),
                 "inference FLOPs (paper)": ("inference_flops_paper", 1)}
    for lab, g in pt.groupby("run", sort=False):
        for name, (col, scale) in cost_cols.items():
            ov = aggregate(dict(zip(g["task"], g[col])), groups_of).overall
            rows[str(lab)][name] = np.nan if ov is None else scale * ov
    columns["cost"] = list(cost_cols)
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
    frame = pd.DataFrame([rows[lab] for lab in labels])
    order = ["run", "mode", "setting", "params", "tokens"] + columns["overall"] + columns["delta"][:len(scores)] + \
        columns["category"] + columns["delta"][len(scores):] + columns["cost"] + columns["status"] + columns["task"]
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
            "status": status}
    return frame, info


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


def to_markdown(frame: pd.DataFrame, info: dict[str, Any]) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" if c in ("run", "mode", "setting") else "---:" for c in cols) + "|"]
    for _, r in frame.iterrows():
        lines.append("| " + " | ".join(_fmt(c, r[c]).replace("|", "\\|") for c in cols) + " |")
    lines.append("")
    lines.append(f"Δ: points against `{info['baseline']}`. {info['score_note']}.")
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


# Columns a narrow terminal drops first, in this order, until the rest fit at their natural
# width (rich would otherwise squeeze every cell into a tall column of fragments).
_DROP_FIRST = ("inference FLOPs (arch)", "overall CI", "unscored", "params", "setting", "truncated %", "Δ overall")


def _fit_width(cols: list[str], rows: list[dict[str, str]], width: int) -> tuple[list[str], list[str]]:
    """(the columns shown, the ones hidden) for a terminal `width` characters wide; a column
    needs its widest cell or its header's longest word, plus 3 for borders and padding."""
    def need(col: str) -> int:
        return max([len(w) for w in col.split()] + [len(r[col]) for r in rows]) + 3

    shown, hidden = list(cols), []
    for col in _DROP_FIRST:
        if sum(need(c) for c in shown) + 1 <= width:
            break
        if col in shown:
            shown.remove(col)
            hidden.append(col)
    return shown, hidden


def print_table(frame: pd.DataFrame, info: dict[str, Any], *, tasks: bool = False, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    c = info["columns"]
    judged = info["judged"]
    # Rule and judge scores share a cell ("rule / judge") so a judged leaderboard is no wider.
    paired = ["overall", "Δ overall"] + [k for k in c["category"] if not k.endswith(" (judge)")]
    # The terminal is narrow: the setting only when runs differ in it, unscored only when known.
    setting = ["setting"] if frame["setting"].nunique() > 1 else []
    unscored = ["unscored"] if info.get("status") else []
    cols = ["run", "mode", *setting, "params", "overall", "overall CI", "Δ overall"] + paired[2:] + \
        ["answer tokens", "truncated %", "inference FLOPs (arch)", *unscored] + \
        ([t for t in c["task"] if not t.endswith(" (judge)")] if tasks else [])
    rows_text = []
    for _, r in frame.iterrows():
        cells = {}
        for col in cols:
            text = _fmt(col, r[col])
            jcol = col.replace("Δ overall", "Δ overall (judge)") if col.startswith("Δ") else f"{col} (judge)"
            if judged and (col in paired or (tasks and col in c["task"])) and jcol in frame.columns:
                text += " / " + _fmt(col, r[jcol])
            cells[col] = text
        if r["tokens"] == "approx":
            cells["run"] += "*"
        rows_text.append(cells)
    cols, hidden = _fit_width(cols, rows_text, console.width)
    approx = any(frame["tokens"] == "approx")
    table = Table(title="reasoning-suite leaderboard",
                  caption=f"accuracy %{' as rule / judge' if judged else ''}; Δ vs {info['baseline']} (points); "
                  f"{info['score_note']}" + ("; * approximate token counts (no tokenizer)" if approx else ""))
    for col in cols:  # numbers fold, never crop: a cropped "0.0 / 75" would read as another number
        table.add_column(col, justify="left" if col in ("run", "mode", "setting") else "right",
                         no_wrap=col in ("run", "mode"), overflow="fold")
    for cells in rows_text:
        table.add_row(*[cells[col] for col in cols])
    console.print(table)
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
th,td{border:1px solid #bbb;padding:3px 7px;white-space:nowrap}
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


def to_html(frame: pd.DataFrame, info: dict[str, Any], figures: list[Path] = (), *, title: str = "reasoning-suite leaderboard") -> str:
    cols = list(frame.columns)
    head = "".join(f"<th scope=col>{html.escape(c)}</th>" for c in cols)
    body = []
    for _, r in frame.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            text = html.escape(_fmt(c, v))
            if isinstance(v, (int, float, np.floating)) and not isinstance(v, bool):
                dv = "" if not math.isfinite(float(v)) else repr(float(v))
                cells.append(f'<td class=num data-v="{dv}">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        body.append(f"<tr data-run=\"{html.escape(str(r['run']))}\">" + "".join(cells) + "</tr>")
    figs = "".join(
        f'<figure><img alt="{html.escape(stem)}" src="{uri}"><figcaption>{html.escape(stem)}</figcaption></figure>'
        for stem, uri in _figure_data_uris(list(figures))
    )
    meta = html.escape(json.dumps({"baseline": info["baseline"], "judged": info["judged"]}))
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class=note>Click a column header to sort. Δ: points against <b>{html.escape(info['baseline'])}</b>. "
        f"{html.escape(info['score_note'])}. FLOPs are per answer (prompt and generation).</p>"
        f"<div class=wrap><table class=lb data-meta=\"{meta}\"><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        + "".join(f"<p class=note>{html.escape(n)}</p>" for n in info["notes"])
        + _status_html(info)
        + (f"<h2>Figures</h2>{figs}" if figs else "")
        + f"<script>{_JS}</script></body></html>"
    )
