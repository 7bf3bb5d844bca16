"""The whole path: two small runs in lm-eval's real output format -> table, fits, figures, leaderboard."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reasoning_suite.analysis import tokens as T
from reasoning_suite.analysis.synthetic import SyntheticModel, make_checkpoint, write_run
from reasoning_suite.cli import main as cli

TASKS = {"rs_gsm8k": 12, "rs_winogrande": 10, "rs_squad": 8}


def _record(ratio: float) -> dict:
    return {"base_model": "tiny", "format": "reasoning" if ratio else "ift", "reasoning_ratio": ratio,
            "order": "sequential", "train_flops": {"paper": 1e12 * (1 + ratio), "arch": 8e11 * (1 + ratio)}}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, tiny_model_dir):
    T.clear_cache()
    root = tmp_path_factory.mktemp("runs")
    models = [SyntheticModel("tiny-ift", record=_record(0.0), accuracy=0.4),
              SyntheticModel("tiny-reasoning", record=_record(1.0), accuracy=0.7, thinking_words=30, truncate_rate=0.1)]
    for i, m in enumerate(models):
        ckpt = make_checkpoint(Path(tiny_model_dir), root / "ckpt" / m.name, m)
        write_run(root / "out", ckpt, m, TASKS, seed=i, max_gen_toks=64)
    return root


def test_analyze_writes_table_fits_and_figures(two_runs, capsys):
    out = two_runs / "analysis"
    assert cli(["analyze", str(two_runs / "out"), "--out", str(out), "-q"]) == 0
    table = pd.read_parquet(out / "table.parquet")
    assert len(table) == 2 * sum(TASKS.values())
    assert set(table["run"]) == {"tiny-ift", "tiny-reasoning"} and set(table["mode"]) == {"IFT", "reasoning"}
    assert (table["token_source"] == "tokenizer").all() and np.isfinite(table["inference_flops_arch"]).all()
    assert (table.loc[table["run"] == "tiny-ift", "thinking_tokens"] == 0).all()
    assert (table.loc[table["run"] == "tiny-reasoning", "thinking_tokens"] > 0).all()
    csv = pd.read_csv(out / "table.csv")
    assert len(csv) == len(table)
    fits = json.loads((out / "fits.json").read_text())
    # Token factor per task: reasoning tokens / IFT tokens, as computed from the table.
    tf = {r["task"]: r for r in fits["token_factor_gain"]}
    g = table[table["task"] == "rs_gsm8k"].groupby("run")
    assert tf["rs_gsm8k"]["token_factor"] == pytest.approx(
        g["answer_tokens"].mean()["tiny-reasoning"] / g["answer_tokens"].mean()["tiny-ift"])
    assert tf["rs_gsm8k"]["acc_gain"] == pytest.approx(100 * (g["acc"].mean()["tiny-reasoning"] - g["acc"].mean()["tiny-ift"]))
    # One run per mode: too few points for saturating fits or log-linear fits; said, not faked.
    sat = fits["saturating_accuracy_vs_inference_flops"]["Math-OE"]
    assert "at least 3 points" in sat["IFT"]["skipped"]
    assert "2 distinct" in fits["loglinear_inference_flops_vs_params"]["Math-OE"]["reasoning"]["skipped"]
    assert set(fits["pareto"]["training"]) == {"General-MC", "General-OE", "Math-OE"}
    # Figures: drawn where the inputs exist, skipped with a reason where they do not (one model size).
    drawn = {k for k, v in fits["figures"].items() if v}
    assert {"fig1", "fig2", "fig3", "fig6", "fig7", "fig8", "fig15"} <= drawn
    assert "fig17" not in drawn and "two model sizes" in fits["figures_skipped"]["fig17_inference_flops_vs_size"]
    for name in ("fig1_gain_vs_token_factor", "fig6_accuracy_vs_training_flops", "fig15_early_stopping"):
        assert (out / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert "<svg" in (out / "figures" / f"{name}.svg").read_text()[:2000]
    es = pd.read_csv(out / "tables" / "early_stopping.csv")
    assert sorted(es["percentile"].unique()) == [0, 25, 50, 75, 100]


def test_analyze_without_training_records_skips_training_figure(tmp_path, tiny_model_dir, capsys):
    m = SyntheticModel("base-only")
    ckpt = make_checkpoint(Path(tiny_model_dir), tmp_path / "ckpt", m)
    write_run(tmp_path / "out", ckpt, m, {"rs_gsm8k": 5})
    stale = tmp_path / "a" / "figures" / "fig6_accuracy_vs_training_flops.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier analysis")
    assert cli(["analyze", str(tmp_path / "out"), "--out", str(tmp_path / "a"), "-q"]) == 0
    fits = json.loads((tmp_path / "a" / "fits.json").read_text())
    assert "train_flops" in fits["figures_skipped"]["fig6_accuracy_vs_training_flops"]
    assert not (tmp_path / "a" / "figures" / "fig6_accuracy_vs_training_flops.png").exists()
    assert "skipped fig6" in capsys.readouterr().err


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert cli(["analyze", str(tmp_path / "missing"), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such run directory" in err and err.count("\n") == 1


def test_leaderboard_formats(two_runs, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # every column fits (narrow terminals: the next test)
    runs = str(two_runs / "out")
    assert cli(["leaderboard", runs, "-q", "--baseline", "tiny-ift"]) == 0
    text = capsys.readouterr().out
    assert "tiny-ift" in text and "tiny-reasoning" in text and "Gen-MC" in text
    assert cli(["leaderboard", runs, "-q", "--format", "csv", "--baseline", "tiny-ift"]) == 0
    lb = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")
    assert list(lb.index) == sorted(lb.index, key=lambda r: -lb.loc[r, "overall"])
    assert lb.loc["tiny-ift", "Δ overall"] == 0
    assert lb.loc["tiny-reasoning", "Δ overall"] == pytest.approx(lb.loc["tiny-reasoning", "overall"] - lb.loc["tiny-ift", "overall"])
    # overall = mean over tasks of task accuracy, in %
    tasks = list(TASKS)
    assert lb.loc["tiny-ift", "overall"] == pytest.approx(lb.loc["tiny-ift", tasks].mean())
    assert lb.loc["tiny-reasoning", "answer tokens"] > lb.loc["tiny-ift", "answer tokens"]
    assert lb.loc["tiny-reasoning", "inference FLOPs (arch)"] > lb.loc["tiny-ift", "inference FLOPs (arch)"]
    md = two_runs / "lb.md"
    assert cli(["leaderboard", runs, "-q", "--format", "markdown", "--out", str(md)]) == 0
    text = md.read_text()
    sections = text.split("\n## ")[1:]
    assert sections[0].startswith("Leaderboard") and len(sections) > 2  # several tables, main first
    for sec in sections:
        header = next(line for line in sec.splitlines() if line.startswith("| run"))
        assert header.count(" | ") + 1 <= 12  # readable on GitHub
        assert sum(line.startswith("| tiny-") for line in sec.splitlines()) == 2  # each run once per table
    main = sections[0]
    assert "| run | mode | setting | size | overall [95% CI] | General-MC | General-OE | Math-OE | answer tokens " \
        "| FLOPs / answer | Δ vs tiny-ift |" in main
    assert "| tiny-ift | IFT | 0-shot | " in main and "{" not in text  # the setting in words, never a dict
    assert "## Tasks: Math-OE" in text and "| rs_gsm8k |" in text
    # Markdown and HTML render the same tables (`leaderboard.views`): same titles, same headers.
    page = two_runs / "lb.html"
    assert cli(["leaderboard", runs, "-q", "--format", "html", "--no-figures", "--out", str(page)]) == 0
    import html as H
    import re

    doc = page.read_text()
    html_tables = [(H.unescape(title), [H.unescape(h) for h in re.findall(r"<th scope=col>(.*?)</th>", head)])
                   for title, head in re.findall(r"<h2>([^<]*)</h2><div class=wrap><table class=lb[^>]*><thead><tr>(.*?)</tr>", doc)]
    md_tables = [(sec.splitlines()[0], next(line for line in sec.splitlines() if line.startswith("| run"))[2:-2].split(" | "))
                 for sec in sections]
    assert html_tables == md_tables
    assert cli(["leaderboard", runs, "-q", "--baseline", "nobody"]) == 2
    assert "--baseline 'nobody' is not one of the runs" in capsys.readouterr().err


def test_what_each_run_writes_is_one_rule_in_leaderboard_and_demo_panel(two_runs, capsys):
    # The HTML/Markdown leaderboard's "What each run writes" and the demo's closing panel
    # (study.demo.learned_formats) print the same numbers: one rule, stats.per_run_overall.
    from reasoning_suite.study.demo import learned_formats

    out = two_runs / "analysis-formats"
    assert cli(["analyze", str(two_runs / "out"), "--out", str(out), "-q"]) == 0
    panel = learned_formats(pd.read_parquet(out / "table.parquet"))
    capsys.readouterr()
    assert cli(["leaderboard", str(two_runs / "out"), "-q", "--format", "csv", "--baseline", "tiny-ift"]) == 0
    lb = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")
    for run in ("tiny-ift", "tiny-reasoning"):
        assert lb.loc[run, "closed thinking %"] == pytest.approx(100 * panel.loc[run, "closed_thinking"])
        assert lb.loc[run, "final answer %"] == pytest.approx(100 * panel.loc[run, "has_answer"])
        assert lb.loc[run, "answer tokens"] == pytest.approx(panel.loc[run, "answer_tokens"])
    assert lb.loc["tiny-ift", "closed thinking %"] == 0
    assert 50 < lb.loc["tiny-reasoning", "closed thinking %"] < 100  # 10 % of its answers are cut inside <think>
    md = two_runs / "lb-formats.md"
    assert cli(["leaderboard", str(two_runs / "out"), "-q", "--format", "markdown", "--out", str(md)]) == 0
    section = md.read_text().split("\n## What each run writes")[1].split("\n## ")[0]
    assert "| run | closed thinking % | final answer % | answer tokens | thinking tokens | truncated % |" in section
    assert f"| tiny-reasoning | {lb.loc['tiny-reasoning', 'closed thinking %']:.1f} |" in section


def test_narrow_terminal_hides_columns_and_never_crops_a_number(two_runs, capsys, monkeypatch):
    """At 80 columns the table drops its least needed columns (and says which) rather than
    squeezing every cell into fragments or cropping a number to one that reads differently."""
    monkeypatch.setenv("COLUMNS", "80")
    assert cli(["leaderboard", str(two_runs / "out"), "-q", "--format", "csv"]) == 0
    lb = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")
    assert cli(["leaderboard", str(two_runs / "out"), "-q"]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "hidden at 80 columns: inference FLOPs (arch), overall CI" in " ".join(text.split())
    table = text.split("┡")[1].split("└")[0]
    for run in ("tiny-ift", "tiny-reasoning"):
        row = next(line for line in table.splitlines() if run in line)
        assert f"{lb.loc[run, 'overall']:.1f}" in row  # whole, on the run's own line
    monkeypatch.setenv("COLUMNS", "250")
    assert cli(["leaderboard", str(two_runs / "out"), "-q"]) == 0
    assert "hidden at" not in capsys.readouterr().out


def _terminal_header_words(text: str) -> list[str]:
    """The words of every table header a rich rendering shows (between ┏ and ┡)."""
    words, inside = [], False
    for line in text.splitlines():
        if line.startswith("┏"):
            inside = True
        elif line.startswith("┡"):
            inside = False
        elif inside:
            words += line.replace("┃", " ").split()
    return words


def _study_sized(frame: pd.DataFrame) -> pd.DataFrame:
    """Ten runs with long names and long settings, from a real leaderboard frame."""
    rows = []
    for i in range(10):
        r = frame.iloc[i % len(frame)].to_dict()
        r["run"] = f"SmolLM2-{135 * (i + 1)}M-Instruct-distilled-{'reasoning' if i % 2 else 'ift'}-r{i / 10:.1f}"
        r["setting"] = "0-shot chat thinking x4 · temperature 0.6 · 2048 new tokens" if i % 2 else "3-shot · 96 new tokens"
        r["overall CI"] = "[100.0, 100.0]"
        r["Δ overall"], r["Δ overall CI"] = -100.0, "[-100.0, +100.0]"
        rows.append(r)
    return pd.DataFrame(rows)


def test_terminal_never_breaks_a_header_inside_a_word(two_runs):
    """At 80 (and 60, 120) columns every header word is printed whole, in the main table and in
    the per-task tables, for the demo's runs and for ten runs with long names; columns that do
    not fit are hidden and named instead, and a long run name folds rather than hide every score."""
    from rich.console import Console

    from reasoning_suite.analysis import leaderboard as LB
    from reasoning_suite.analysis.commands import LeaderboardConfig, _load

    frame, info = LB.build(_load(LeaderboardConfig(runs=[str(two_runs / "out")], quiet=True), Console(quiet=True)),
                           n_boot=50)
    vocabulary = {w for h in [*frame.columns, *LB._TERMINAL_HEADERS.values(), "tasks:"] for w in h.split()}
    for fr in (frame, _study_sized(frame)):
        for width in (60, 80, 120):
            console = Console(width=width, record=True)
            LB.print_table(fr, info, tasks=True, console=console)
            text = console.export_text()
            words = _terminal_header_words(text)
            assert {"run", "mode", "overall", "rs_gsm8k", "rs_winogrande"} <= set(words), (width, words)
            broken = [w for w in words if w not in vocabulary]
            assert not broken, f"header words split at {width} columns: {broken}\n{text}"
            assert max(len(line) for line in text.splitlines()) <= width
            if fr is frame or width >= 120:
                assert all(run in text for run in fr["run"])  # whole where there is room
            else:  # a long run name folds, never a score: the rows still hold every part of it
                assert all(run[:20] in text for run in fr["run"])
    # The check can fail: a table squeezed by rich itself splits its headers.
    from rich.table import Table

    squeezed = Table()
    for h in ("overall", "General-MC", "answer tokens"):
        squeezed.add_column(h)
    squeezed.add_row("58.3", "50.0", "206")
    console = Console(width=16, record=True)
    console.print(squeezed)
    assert [w for w in _terminal_header_words(console.export_text()) if w not in vocabulary]


def test_leaderboard_delta_shows_the_paired_interval_from_comparisons_csv(two_runs, tmp_path, capsys, monkeypatch):
    """`--comparisons` reads the paired comparisons' contract (analysis/tables/comparisons.csv):
    the Δ cells show its delta and 95% interval; a file without its columns is a one-line error."""
    from reasoning_suite.analysis.leaderboard import COMPARISON_COLUMNS

    rows = [dict(run="tiny-reasoning", against="tiny-ift", score="rule", level=level, name=name, n_docs=30,
                 delta=delta, ci_low=delta - 9.5, ci_high=delta + 8.25, p_value=0.01, significant=True)
            for level, name, delta in (("overall", "overall", 21.5), ("category", "Math-OE", 12.0))]
    comp = tmp_path / "comparisons.csv"
    pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS)).to_csv(comp, index=False)
    runs = str(two_runs / "out")
    args = ["leaderboard", runs, "-q", "--baseline", "tiny-ift", "--comparisons", str(comp)]
    assert cli([*args, "--format", "csv"]) == 0
    lb = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")
    assert lb.loc["tiny-reasoning", "Δ overall"] == 21.5 and lb.loc["tiny-reasoning", "Δ overall CI"] == "[+12.0, +29.8]"
    assert lb.loc["tiny-reasoning", "Δ Math-OE CI"] == "[+2.5, +20.2]"
    assert cli([*args, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    main = md.split("\n## ")[1]
    assert "+21.5 [+12.0, +29.8] |" in main and "with its paired 95% interval" in main
    assert "+12.0 [+2.5, +20.2]" in md.split("## Δ vs tiny-ift per category")[1]
    bad = tmp_path / "bad.csv"
    bad.write_text("run,delta\nx,1\n")
    assert cli(["leaderboard", runs, "-q", "--comparisons", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv: not a comparisons table; missing column(s) against" in err and err.count("\n") == 1


def test_leaderboard_with_judged_runs_shows_both_scores(two_runs, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    model_dir = next(p for p in (two_runs / "out").iterdir() if p.name.endswith("tiny-ift"))
    judged = model_dir / "judged"
    judged.mkdir(exist_ok=True)
    (judged / "results_judged.json").write_text(json.dumps({"results": {}, "source": str(model_dir)}))
    (judged / "samples_judged_rs_gsm8k.jsonl").write_text(
        "".join(json.dumps({"doc_id": i, "judge_acc": 1.0}) + "\n" for i in range(TASKS["rs_gsm8k"])))
    try:
        assert cli(["leaderboard", str(two_runs / "out"), "-q", "--format", "csv"]) == 0
        lb = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("run")
        assert lb.loc["tiny-ift", "rs_gsm8k (judge)"] == 100.0
        assert cli(["leaderboard", str(two_runs / "out"), "-q"]) == 0
        terminal = capsys.readouterr().out
        assert "rule / judge" in terminal and f"{lb.loc['tiny-ift', 'Math-OE']:.1f} / 100.0" in terminal
        assert np.isnan(lb.loc["tiny-reasoning", "overall (judge)"])
        assert cli(["analyze", str(two_runs / "out"), "--out", str(two_runs / "aj"), "--score", "judge", "-q",
                    "--no-figures"]) == 0
    finally:
        shutil.rmtree(judged)


# ----------------------------------------------------------------------------- HTML in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_PRE = ("<script>window.__rsErrors=[];window.addEventListener('error',function(e){"
        "window.__rsErrors.push(String(e.message||e));});</script>")
_POST = """<script>window.addEventListener('load',function(){
var out={errors:window.__rsErrors};
var main=document.getElementById('main');
function order(){return Array.prototype.map.call(main.querySelectorAll('tbody tr'),
  function(r){return r.getAttribute('data-run');});}
function col(name){var th=null;main.querySelectorAll('thead th').forEach(function(h){
  if(h.textContent===name)th=h;});return th;}
out.initial=order();
out.headers=Array.prototype.map.call(main.querySelectorAll('thead th'),function(h){return h.textContent;});
out.tables=document.querySelectorAll('table.lb').length;
out.maxColumns=Math.max.apply(null,Array.prototype.map.call(document.querySelectorAll('table.lb thead tr'),
  function(r){return r.children.length;}));
var wrap=main.parentNode;
out.width={viewport:window.innerWidth,page:document.documentElement.scrollWidth,
  table:Math.ceil(main.getBoundingClientRect().right),wrapScroll:wrap.scrollWidth,wrapClient:wrap.clientWidth};
var th=col('answer tokens'); if(th){th.click(); out.asc=order(); out.ascSort=th.getAttribute('aria-sort');
th.click(); out.desc=order();}
col('run').click(); out.byName=order();
out.imgs=Array.prototype.map.call(document.images,function(i){return [i.alt,i.complete,i.naturalWidth];});
var pre=document.createElement('pre');pre.id='rs-test-result';pre.textContent=JSON.stringify(out);
document.body.appendChild(pre);});</script>"""


def _in_chromium(html: str, tmp_path: Path, width: int = 1280) -> dict:
    """Load the page in headless Chromium with a `width`-px window; what the probe script saw."""
    import html as H

    probe = tmp_path / f"probe{len(list(tmp_path.glob('probe*')))}.html"
    probe.write_text(html.replace("<head>", "<head>" + _PRE, 1).replace("</body>", _POST + "</body>"))
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--window-size={width},900",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    dom = proc.stdout
    start = dom.find('<pre id="rs-test-result">')
    assert start >= 0, f"probe did not run; chromium stderr:\n{proc.stderr[-2000:]}"
    assert "Uncaught" not in proc.stderr
    result = json.loads(H.unescape(dom[start + len('<pre id="rs-test-result">'): dom.find("</pre>", start)]))
    assert result["errors"] == []
    assert result["width"]["viewport"] == width, result["width"]  # the window really is that wide
    return result


def _fits(width: dict) -> bool:
    """The main table shows whole: no horizontal scroll on the page or in its own box."""
    return width["page"] <= width["viewport"] and width["table"] <= width["viewport"] \
        and width["wrapScroll"] <= width["wrapClient"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (`make system-deps` installs Debian's chromium)")
def test_html_leaderboard_in_headless_chromium(two_runs, tmp_path):
    page = tmp_path / "leaderboard.html"
    assert cli(["leaderboard", str(two_runs / "out"), "-q", "--format", "html", "--out", str(page)]) == 0
    html = page.read_text()
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # self-contained
    result = _in_chromium(html, tmp_path)
    assert sorted(result["initial"]) == ["tiny-ift", "tiny-reasoning"]  # every run shown
    assert result["asc"] == ["tiny-ift", "tiny-reasoning"] and result["ascSort"] == "ascending"  # fewer tokens first
    assert result["desc"] == ["tiny-reasoning", "tiny-ift"]
    assert result["byName"] == ["tiny-ift", "tiny-reasoning"]
    assert result["tables"] > 1 and result["maxColumns"] <= 12  # several readable tables, not one wide one
    assert _fits(result["width"]), result["width"]
    # The figures are embedded and decode.
    assert len(result["imgs"]) >= 6 and all(ok and w > 0 for _, ok, w in result["imgs"])


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (`make system-deps` installs Debian's chromium)")
def test_html_main_table_fits_1280px_with_long_names_and_paired_intervals(two_runs, tmp_path):
    """A study-sized main table (ten runs with long names, long settings, judged scores and paired
    Δ intervals) fits a 1,280 px window; the same page with its cells padded out does not, so the
    measurement can fail."""
    from reasoning_suite.analysis import leaderboard as LB
    from reasoning_suite.analysis.commands import LeaderboardConfig, _load

    from rich.console import Console

    args = LeaderboardConfig(runs=[str(two_runs / "out")], quiet=True)
    frame, info = LB.build(_load(args, Console(quiet=True)), n_boot=50)
    big = _study_sized(frame)
    html = LB.to_html(big, info)
    result = _in_chromium(html, tmp_path)
    assert len(result["initial"]) == 10 and len(result["headers"]) <= 12
    assert _fits(result["width"]), result["width"]
    too_wide = html.replace("</style>", "#main td{padding:0 60px}</style>", 1)
    assert not _fits(_in_chromium(too_wide, tmp_path)["width"])


def test_leaderboard_flags_approximate_tokens_and_missing_flops(tmp_path, capsys):
    from reasoning_suite.analysis.synthetic import sample_row, write_samples

    gen = {"until": [], "max_gen_toks": 8}
    write_samples(tmp_path / "o", "pretrained=nobody/api-model",
                  {"rs_gsm8k": [sample_row(i, {}, "1", "prompt", gen, ["\\boxed{1}"], float(i % 2)) for i in range(4)]})
    assert cli(["leaderboard", str(tmp_path / "o"), "-q", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "api-model: token counts approximate (approx:chars/4" in md and "api-model: no FLOPs" in md
    assert cli(["leaderboard", str(tmp_path / "o"), "-q"]) == 0
    assert "api-model*" in capsys.readouterr().out
