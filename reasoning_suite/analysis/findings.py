"""The study's answer in sentences: does reasoning pay off, by how much, at what cost, how sure.

Built from the tables only (`paired.Comparisons.frame`, `stats.per_run_category`, the
inference-FLOPs Pareto frontier of `report.Analysis.pareto`): every sentence is one table
row put in words, and carries that row's numbers. Per model size, per category, the
reasoning student against the IFT student of the same base model and size:

- the gain in points with its 95 % paired interval and a verdict (`verdict`): "pays off" /
  "costs accuracy" when the Holm-corrected paired test rejects at 0.05, else "no detectable
  difference at n = …" with the documents per task that would detect a 5-point gain at 80 %
  power (`paired.docs_to_detect`);
- the extra-token factor (reasoning / IFT mean answer tokens, same bootstrap draws) and the
  inference-FLOPs ratio per answer;
- whether the reasoning student is on the accuracy vs inference-FLOPs frontier, and if not,
  which run dominates it, with both points.

Where several sizes ran, the compute-equivalent question ("Scale or Reason?"): each reasoning
student against the larger IFT student closest in inference FLOPs per answer
(`paired.COMPUTE_EQUIVALENT` pairs), per category, paired on the shared documents.

Written as `analysis/findings.md` by `reasoning-suite analyze` (and shown as a panel at its
end and the demo's), and as the "Findings" section at the top of the HTML leaderboard.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from reasoning_suite.analysis import paired as P

FILENAME = "findings.md"
PAYS_OFF, COSTS, NO_DIFFERENCE = "pays off", "costs accuracy", "no detectable difference"


@dataclass
class Findings:
    """Sections of sentences: `sections[i] = (heading, [sentence, ...])`."""

    title: str = "Findings"
    intro: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        out += [*self.intro, ""] if self.intro else []
        for heading, lines in self.sections:
            out += [f"## {heading}", "", *(f"- {s}" for s in lines), ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        """A self-contained <section> (escaped text) for the top of the HTML leaderboard."""
        parts = [f"<section class=findings><h2>{html.escape(self.title)}</h2>"]
        parts += [f"<p class=note>{html.escape(s)}</p>" for s in self.intro]
        for heading, lines in self.sections:
            parts.append(f"<h3>{html.escape(heading)}</h3><ul>")
            parts += [f"<li>{html.escape(s)}</li>" for s in lines]
            parts.append("</ul>")
        return "".join(parts) + "</section>"


def panel(markdown_text: str, *, max_lines: int = 40):
    """A rich Panel of findings.md (cut after `max_lines` lines, with where the rest is)."""
    from rich.markdown import Markdown
    from rich.panel import Panel

    lines = markdown_text.splitlines()
    body = "\n".join(lines[1:max_lines])  # the title goes in the panel's border
    if len(lines) > max_lines:
        body += f"\n\n… {len(lines) - max_lines} more lines in {FILENAME}"
    return Panel(Markdown(body), title="Findings", border_style="green")


def print_findings(analysis_dir: Path, console=None) -> bool:
    """Show `analysis_dir/findings.md` as a panel (the demo's last word); False if absent."""
    from rich.console import Console

    p = Path(analysis_dir) / FILENAME
    if not p.is_file():
        return False
    (console or Console()).print(panel(p.read_text(encoding="utf-8")))
    return True


# ----------------------------------------------------------------------------- words for numbers


def size_label(params: float) -> str:
    if not (isinstance(params, (int, float)) and math.isfinite(params) and params > 0):
        return "size unknown"
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if params >= div:
            return f"{params / div:.3g}{unit}"
    return f"{params:.0f}"


def _pts(x: float) -> str:
    return f"{x:+.1f}".replace("-", "−")


def _ci(lo: float, hi: float) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "interval n/a (fewer than 5 documents in a task)"
    return f"95 % CI [{_pts(lo)}, {_pts(hi)}]"


def _p(p: float) -> str:
    return "p n/a" if not math.isfinite(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")


def verdict(row: Mapping) -> str:
    """pays off / costs accuracy where the (Holm-corrected) paired test rejects at 0.05, else
    no detectable difference."""
    if bool(row["significant"]):
        return PAYS_OFF if row["delta"] > 0 else COSTS
    return NO_DIFFERENCE


def _gain_sentence(name: str, row: Mapping, who: str) -> str:
    v = verdict(row)
    holm = " Holm-corrected" if row["level"] != "task" else ""
    head = (f"{name}: {who}: {_pts(row['delta'])} points, {_ci(row['ci_low'], row['ci_high'])}, "
            f"on {int(row['n_docs'])} shared documents ({_p(row['p_value'])},{holm} paired sign-flip test)")
    if v == NO_DIFFERENCE:
        need = row.get("docs_for_5pt", math.nan)
        more = (f"; about {int(need):,} documents per task would detect a 5-point gain at 80 % power"
                if isinstance(need, (int, float)) and math.isfinite(need) else "")
        return f"{head}: no detectable difference at n = {int(row['n_docs'])}{more}."
    return f"{head}: reasoning {v}." if "reasoning" in who else f"{head}: {v}."


def _cost_sentence(row: Mapping) -> str | None:
    tf, fr = row.get("token_factor", math.nan), row.get("flops_ratio", math.nan)
    if not (isinstance(tf, (int, float)) and math.isfinite(tf)):
        return None
    lo, hi = row.get("token_factor_low", math.nan), row.get("token_factor_high", math.nan)
    ci = f" [95 % CI {lo:.2f}, {hi:.2f}]" if math.isfinite(lo) and math.isfinite(hi) else ""
    flops = (f" and {fr:.2f}× the inference FLOPs per answer" if isinstance(fr, (int, float)) and math.isfinite(fr)
             else " (inference FLOPs unknown: no model config)")
    return f"its answers are {tf:.2f}× as many tokens{ci}{flops}."


def _pareto_sentence(run: str, cat: str, per_category: pd.DataFrame, frontier: Mapping[str, list[str]],
                     fcol: str) -> str | None:
    g = per_category[per_category["category"] == cat]
    me = g[g["run"] == run]
    if me.empty or not np.isfinite(float(me[fcol].iloc[0])):
        return None
    acc, cost = 100 * float(me["acc"].iloc[0]), float(me[fcol].iloc[0])
    where = f"({acc:.1f} % at {cost:.3g} inference FLOPs per answer, among {len(g)} runs)"
    if run in frontier.get(cat, []):
        return f"{run} is on the accuracy vs inference-FLOPs Pareto frontier of {cat} {where}."
    dom = g[(g[fcol] <= cost) & (g["acc"] >= float(me["acc"].iloc[0])) & (g["run"] != run)]
    if dom.empty:
        return None
    d = dom.sort_values(fcol).iloc[0]
    return (f"{run} is not on the accuracy vs inference-FLOPs Pareto frontier of {cat} {where}: "
            f"{d['run']} does {100 * float(d['acc']):.1f} % at {float(d[fcol]):.3g}.")


# ----------------------------------------------------------------------------- the findings


def build(comparisons: pd.DataFrame, per_category: pd.DataFrame, frontier: Mapping[str, list[str]], *,
          flops: str = "arch", score: str = "rule") -> Findings:
    """The findings from the tables: `comparisons` is `paired.Comparisons.frame` (rows with
    why, docs_for_5pt and the cost columns), `per_category` `stats.per_run_category` with
    run, category, acc, params and the FLOPs column, `frontier` {category: runs on the
    accuracy vs inference-FLOPs frontier} (`Analysis.pareto()["inference"]`)."""
    fcol = f"inference_flops_{flops}"
    f = Findings()
    c = comparisons.copy()
    c["why"] = c["why"].fillna("").astype(str)
    runs = per_category.drop_duplicates("run").set_index("run")
    n_runs = int(per_category["run"].nunique())
    has = lambda reason: c["why"].map(lambda w: reason in w.split("; ")).astype(bool)  # noqa: E731
    rvi = c[has(P.REASONING_VS_IFT)]
    f.intro.append(
        f"Every sentence below is a row of tables/comparisons_detail.csv (paired on the documents both runs "
        f"answered, {P.N_RESAMPLES:,} stratified bootstrap replicates, categories and overall Holm-corrected "
        f"at {P.ALPHA}) or of tables/per_run_category.csv ({score} score); {n_runs} runs.")
    if rvi.empty:
        f.intro.append(f"None of the {n_runs} runs is a reasoning student with an IFT student of the same base model "
                       "and size, so reasoning vs IFT is not compared.")
    sizes: dict[float, list[tuple[str, str]]] = {}
    for run, against in dict.fromkeys(zip(rvi["run"], rvi["against"])):
        p = float(runs.loc[run, "params"]) if run in runs.index else math.nan
        sizes.setdefault(p, []).append((run, against))
    for params in sorted(sizes, key=lambda x: (not math.isfinite(x), x)):
        for run, against in sizes[params]:
            lines: list[str] = []
            rows = rvi[(rvi["run"] == run) & (rvi["against"] == against)]
            for sc in ("rule", "judge"):
                part = rows[(rows["score"] == sc) & (rows["level"].isin(["category", "overall"]))]
                for _, r in part.iterrows():
                    name = "Overall" if r["level"] == "overall" else str(r["name"])
                    label = "" if sc == "rule" else " (judge score)"
                    s = _gain_sentence(f"{name}{label}", r, f"reasoning ({run}) vs IFT ({against})")
                    if sc == "rule":
                        cost = _cost_sentence(r)
                        s = s if cost is None else f"{s} At that, {cost}"
                        if r["level"] == "category":
                            par = _pareto_sentence(run, str(r["name"]), per_category, frontier, fcol)
                            s = s if par is None else f"{s} {par}"
                    lines.append(s)
            f.sections.append((f"{size_label(params)}: reasoning vs IFT ({run} vs {against})", lines))
    ce = c[has(P.COMPUTE_EQUIVALENT) & (c["score"] == "rule") & c["level"].isin(["category", "overall"])]
    for (run, against), rows in ce.groupby(["run", "against"], sort=False):
        lines = []
        for _, r in rows.iterrows():
            name = "Overall" if r["level"] == "overall" else str(r["name"])
            fr = r.get("flops_ratio", math.nan)
            v = verdict(r)
            who = f"{run} more accurate" if v == PAYS_OFF else f"{against} more accurate" if v == COSTS else None
            s = _gain_sentence(name, r, f"{run} vs {against}")
            if who:
                s = s.rsplit(":", 1)[0] + f": {who}."
            if isinstance(fr, (int, float)) and math.isfinite(fr):
                s += f" {run} spends {fr:.2f}× the inference FLOPs per answer of {against}."
            lines.append(s)
        p_run = float(runs.loc[run, "params"]) if run in runs.index else math.nan
        p_ag = float(runs.loc[against, "params"]) if against in runs.index else math.nan
        f.sections.append((f"Scale or reason: {run} ({size_label(p_run)} reasoning) vs {against} "
                           f"({size_label(p_ag)} IFT, closest in inference FLOPs per answer)", lines))
    return f


def from_analysis(a, comparisons: P.Comparisons) -> Findings:
    """The findings of an `report.Analysis` and its comparisons."""
    return build(comparisons.frame, a.per_category, a.pareto()["inference"], flops=a.flops, score=a.score)
