"""`reasoning-suite judge` end to end over real HTTP against the scripted server."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reasoning_suite.cli import main as cli
from reasoning_suite.endpoints.scripted_server import Behaviour, ScriptedServer
from reasoning_suite.judges.commands import judge_main
from reasoning_suite.errors import UserError
from reasoning_suite.judges.synthetic import write_synthetic_run

TASKS = ("rs_gsm8k", "rs_ifeval", "rs_openbookqa")


def write_panel(path: Path, server: ScriptedServer, judges: list[dict], vote: dict | None = None) -> Path:
    data = {"judges": [{"base_url": server.base_url, "backoff_base_s": 0.01, **j} for j in judges]}
    if vote:
        data["vote"] = vote
    path.write_text(json.dumps(data))  # JSON is YAML
    return path


def read_outputs(out: Path) -> dict:
    files = {p.name: p.read_text() for p in sorted(out.glob("samples_judged_*.jsonl"))}
    files["results_judged.json"] = (out / "results_judged.json").read_text()
    return files


@pytest.fixture()
def run_dir(tmp_path):
    return write_synthetic_run(tmp_path / "lm_eval_out", per_task=4, repeats=2)


def test_votes_abstentions_retries_and_outputs(tmp_path, run_dir):
    behaviours = {
        "yes": Behaviour(reply="yes"),
        "yes-reasoning-flaky": Behaviour(reply="yes", reasoning="thinking...", fail_status=500, fail_times=2),
        "garbage": Behaviour(reply="garbage", finish_reason="length"),
        "yes-rate-limited": Behaviour(reply="yes", fail_status=429, fail_times=1, retry_after=0.01),
    }
    with ScriptedServer(behaviours) as server:
        panel = write_panel(tmp_path / "panel.yaml", server, [{"name": m, "model": m} for m in behaviours])
        assert judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out")]) == 0
        assert server.requests("yes-reasoning-flaky") == 24 * 3  # 24 judgements, two 500s each first
        assert server.requests("yes-rate-limited") == 24 * 2
    out = tmp_path / "out"
    doc = json.loads((out / "results_judged.json").read_text())
    assert set(doc["results"]) == set(TASKS)
    for task in TASKS:
        r = doc["results"][task]
        assert r["judge_acc,none"] == 1.0  # yes + yes + yes + abstention: majority yes
        stats = doc["judge_stats"][task]
        assert stats["per_judge"]["garbage"]["abstentions"] == 8 and stats["per_judge"]["yes"]["acc"] == 1.0
        assert stats["per_judge"]["garbage"]["truncated"] == 8 and stats["per_judge"]["yes"]["truncated"] == 0
        assert stats["panel"]["decisions"] == {"majority": 8, "tie": 0, "too_few": 0}
        rows = [json.loads(line) for line in (out / f"samples_judged_{task}.jsonl").read_text().splitlines()]
        assert len(rows) == 4
        for row in rows:
            assert row["judge"]["votes"] == [True, True]
            assert row["judge"]["verdicts"] == {"yes": ["yes", "yes"], "yes-reasoning-flaky": ["yes", "yes"],
                                                "garbage": [None, None], "yes-rate-limited": ["yes", "yes"]}
            assert row["judge"]["raw"]["garbage"][0].startswith("As an AI")
            assert row["judge_acc"] == 1.0 and "resps" in row and "acc" in row
        rule = sum(row["acc"] for row in rows) / 4
        assert r["acc,none"] == pytest.approx(rule)
        assert stats["rule_vs_panel"]["panel_yes_rule_no"] == sum(1 for row in rows if row["acc"] < 1)
    assert doc["groups"]["reasoning_suite"]["judge_acc,none"] == 1.0
    assert doc["group_subtasks"]["rs_math_oe"] == ["rs_gsm8k"]
    assert doc["config"]["model_args"] == "pretrained=/models/tiny"
    assert doc["panel"]["judges"][0]["base_url"].startswith("http://127.0.0.1")


def test_tie_and_too_few_follow_the_rule(tmp_path, run_dir):
    with ScriptedServer({"yes": Behaviour(reply="yes"), "no": Behaviour(reply="no"), "garbage": Behaviour(reply="garbage")}) as server:
        judges = [{"name": m, "model": m} for m in ("yes", "no", "garbage")]
        panel = write_panel(tmp_path / "p1.yaml", server, judges)
        judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "o1"), "--tasks", "rs_gsm8k"])
        lenient = write_panel(tmp_path / "p2.yaml", server, judges, {"tie": "yes"})
        judge_main(["--samples", str(run_dir), "--panel", str(lenient), "--out", str(tmp_path / "o2"), "--tasks", "rs_gsm8k"])
        two_garbage = write_panel(tmp_path / "p3.yaml", server, [judges[0], judges[2], {"name": "g2", "model": "garbage"}],
                                  {"too_few": "abstain", "abstain_counts_as": "exclude"})
        judge_main(["--samples", str(run_dir), "--panel", str(two_garbage), "--out", str(tmp_path / "o3"), "--tasks", "rs_gsm8k"])
    r1 = json.loads((tmp_path / "o1" / "results_judged.json").read_text())
    r2 = json.loads((tmp_path / "o2" / "results_judged.json").read_text())
    r3 = json.loads((tmp_path / "o3" / "results_judged.json").read_text())
    assert r1["results"]["rs_gsm8k"]["judge_acc,none"] == 0.0  # 1 yes, 1 no: tie -> no
    assert r1["judge_stats"]["rs_gsm8k"]["panel"]["decisions"]["tie"] == 8
    assert r2["results"]["rs_gsm8k"]["judge_acc,none"] == 1.0  # tie -> yes
    assert r3["results"]["rs_gsm8k"]["judge_acc,none"] is None  # every vote abstained and was excluded
    assert r3["judge_stats"]["rs_gsm8k"]["panel"]["abstentions"] == 8


def test_rerun_makes_no_call_and_writes_identical_output(tmp_path, run_dir):
    with ScriptedServer({"a": Behaviour(reply="contains"), "b": Behaviour(reply="random", p_yes=0.5)}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a"}, {"name": "b", "model": "b", "max_concurrency": 3}])
        args = ["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out")]
        judge_main(args)
        first = read_outputs(tmp_path / "out")
        before = server.stats()["requests"]
        judge_main(args)
        assert server.stats()["requests"] == before
    assert read_outputs(tmp_path / "out") == first
    stats = json.loads(first["results_judged.json"])["judge_stats"]["rs_gsm8k"]
    assert stats["fleiss_kappa_items"] == 8 and set(stats["pairwise_agreement"]) == {"a|b"}
    assert stats["tokens"]["prompt"] > 0


def test_dead_endpoint_stops_with_clear_error_then_resumes(tmp_path, run_dir):
    behaviours = {"good": Behaviour(reply="yes"), "bad": Behaviour(reply="no", fail_status=503, fail_times=-1)}
    with ScriptedServer(behaviours) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "good", "model": "good"}, {"name": "bad", "model": "bad", "max_retries": 1}])
        args = ["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out")]
        with pytest.raises(UserError, match=r"judge 'bad' failed: .*failed after 2 attempts: HTTP 503.*run the same command again to resume"):
            judge_main(args)
        assert not (tmp_path / "out" / "results_judged.json").exists()  # an API error is never a verdict
        good_calls = server.requests("good")
        server.behaviours["bad"] = Behaviour(reply="no")  # the endpoint comes back
        assert judge_main(args) == 0
        assert server.requests("good") == 24  # calls answered before the failure were not repeated
        assert good_calls <= 24
    doc = json.loads((tmp_path / "out" / "results_judged.json").read_text())
    assert doc["judge_stats"]["rs_gsm8k"]["panel"]["decisions"]["tie"] == 8


def test_timeouts_are_retried(tmp_path, run_dir):
    with ScriptedServer({"slow": Behaviour(reply="yes", hang_s=1.0, hang_times=1)}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "slow", "model": "slow", "timeout_s": 0.2, "max_concurrency": 8}])
        judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out"), "--tasks", "rs_ifeval"])
        assert server.requests("slow") == 16  # 8 judgements, each timed out once
    doc = json.loads((tmp_path / "out" / "results_judged.json").read_text())
    assert doc["results"]["rs_ifeval"]["judge_acc,none"] == 1.0


def test_missing_key_fails_before_any_call(tmp_path, run_dir, monkeypatch, capsys):
    monkeypatch.delenv("RS_JUDGE_TEST_KEY", raising=False)
    with ScriptedServer({"a": Behaviour()}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a", "api_key_env": "RS_JUDGE_TEST_KEY"}])
        assert cli(["judge", "--samples", str(run_dir), "--panel", str(panel)]) == 2
        assert server.requests("a") == 0
    err = capsys.readouterr().err
    assert err.startswith("error: endpoint 'a': environment variable RS_JUDGE_TEST_KEY (its API key) is not set")
    assert "Traceback" not in err


def test_key_is_sent_but_never_written(tmp_path, run_dir, monkeypatch):
    secret = "sk-test-never-log-me-42"
    monkeypatch.setenv("RS_JUDGE_TEST_KEY", secret)
    with ScriptedServer({"a": Behaviour()}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a", "api_key_env": "RS_JUDGE_TEST_KEY"}])
        judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out"), "--limit", "1"])
    for path in (tmp_path / "out").iterdir():
        assert secret.encode() not in path.read_bytes(), path.name


def test_dry_run_counts_calls_and_cached(tmp_path, run_dir, capsys):
    with ScriptedServer({"a": Behaviour(), "b": Behaviour()}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a", "max_tokens": 100}, {"name": "b", "model": "b"}])
        args = ["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out")]
        assert judge_main(args + ["--dry-run"]) == 0
        assert server.requests("a") == 0 and not (tmp_path / "out").exists()
        first = capsys.readouterr().out
        judge_main(args + ["--tasks", "rs_gsm8k"])
        capsys.readouterr()
        judge_main(args + ["--dry-run"])
        second = capsys.readouterr().out
    assert "24 judgements x 2 judges" in first
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in second.splitlines() if line.startswith("│ a") or line.startswith("│ b")}
    assert rows["a"][:3] == ["24", "8", "16"] and rows["a"][4] == "1,600"
    assert rows["b"][:3] == ["24", "8", "16"]


def test_bad_inputs_are_one_line_errors(tmp_path, run_dir, capsys, monkeypatch):
    assert cli(["judge", "--samples", str(tmp_path / "nope"), "--panel", "paper"]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert cli(["judge", "--samples", str(run_dir), "--panel", "paper", "--tasks", "rs_aime"]) == 2
    assert "--tasks: no samples for rs_aime" in capsys.readouterr().err
    for var in ("JUDGE_LLAMA_URL", "JUDGE_NEMOTRON_URL", "JUDGE_GPTOSS_URL"):
        monkeypatch.delenv(var, raising=False)
    assert cli(["judge", "--samples", str(run_dir), "--panel", "paper"]) == 2
    assert "JUDGE_LLAMA_URL is not set" in capsys.readouterr().err


@pytest.mark.slow
def test_kill_9_then_resume_loses_nothing_and_repeats_nothing(tmp_path):
    run_dir = write_synthetic_run(tmp_path / "lm_eval_out", per_task=10, repeats=2)  # 60 judgements
    behaviours = {"a": Behaviour(reply="contains", latency_s=0.05), "b": Behaviour(reply="random", latency_s=0.05)}
    with ScriptedServer(behaviours) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a", "max_concurrency": 2}, {"name": "b", "model": "b", "max_concurrency": 2}])
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "reasoning_suite.cli", "judge", "--samples", str(run_dir), "--panel", str(panel), "--out", str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while server.answered("a") + server.answered("b") < 50 and time.time() < deadline:
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert not (out / "results_judged.json").exists()
        with sqlite3.connect(out / "judge_calls.sqlite") as conn:
            saved = conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        assert 0 < saved < 120
        before = server.stats()["requests"]
        assert subprocess.run(cmd, capture_output=True).returncode == 0
        after = server.stats()["requests"]
        # Exactly the calls missing from the cache were made: no answered call was repeated.
        assert (after["a"] - before["a"]) + (after["b"] - before["b"]) == 120 - saved
        resumed = read_outputs(out)
        # An uninterrupted run from scratch (fresh cache) writes the same files.
        assert judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "fresh")]) == 0
    assert read_outputs(tmp_path / "fresh") == resumed


@pytest.mark.slow
def test_ctrl_c_finishes_calls_in_flight_then_resumes(tmp_path):
    run_dir = write_synthetic_run(tmp_path / "lm_eval_out", per_task=5, repeats=2)  # 30 judgements
    with ScriptedServer({"a": Behaviour(reply="yes", latency_s=0.2)}) as server:
        panel = write_panel(tmp_path / "p.yaml", server, [{"name": "a", "model": "a", "max_concurrency": 4}])
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "reasoning_suite.cli", "judge", "--samples", str(run_dir), "--panel", str(panel), "--out", str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while server.answered("a") < 5 and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "run the same command again to resume" in err
        with sqlite3.connect(out / "judge_calls.sqlite") as conn:
            saved = conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        assert saved == server.requests("a") < 30  # every call that was sent got saved
        assert subprocess.run(cmd, capture_output=True).returncode == 0
        assert server.requests("a") == 30


def test_paper_preset_with_urls_and_keys_from_the_environment(tmp_path, run_dir, monkeypatch):
    with ScriptedServer({"*": Behaviour(reply="contains")}) as server:
        for judge in ("LLAMA", "NEMOTRON", "GPTOSS"):
            monkeypatch.setenv(f"JUDGE_{judge}_URL", server.base_url)
            monkeypatch.setenv(f"JUDGE_{judge}_API_KEY", "sk-local-placeholder")
        assert judge_main(["--samples", str(run_dir), "--panel", "paper", "--out", str(tmp_path / "out"), "--limit", "2"]) == 0
        assert server.stats()["requests"] == {
            "meta-llama/Llama-3.3-70B-Instruct": 12, "nvidia/Llama-3_1-Nemotron-Ultra-253B-v1": 12, "openai/gpt-oss-120b": 12}
    doc = json.loads((tmp_path / "out" / "results_judged.json").read_text())
    assert doc["panel"]["judges"][0]["base_url"] == "${JUDGE_LLAMA_URL}"  # the reference, not the host
    assert doc["judge_stats"]["rs_gsm8k"]["fleiss_kappa_items"] == 4


def test_system_prompt_is_sent_and_keys_the_cache(tmp_path, run_dir):
    with ScriptedServer({"echo-sys": Behaviour(reply="text", text="\\boxed{yes}")}) as server:
        plain = write_panel(tmp_path / "p1.yaml", server, [{"name": "j", "model": "echo-sys"}])
        system = write_panel(tmp_path / "p2.yaml", server, [{"name": "j", "model": "echo-sys", "system_prompt": "detailed thinking off"}])
        common = ["--samples", str(run_dir), "--tasks", "rs_gsm8k", "--limit", "1", "--cache", str(tmp_path / "shared.sqlite")]
        judge_main(common + ["--panel", str(plain), "--out", str(tmp_path / "o1")])
        judge_main(common + ["--panel", str(system), "--out", str(tmp_path / "o2")])
        assert server.last_messages["echo-sys"][0] == {"role": "system", "content": "detailed thinking off"}
        assert server.last_messages["echo-sys"][1]["role"] == "user"
        judge_main(common + ["--panel", str(system), "--out", str(tmp_path / "o3")])
        assert server.requests("echo-sys") == 4  # 2 repeats x 2 distinct configs; the third run is cached


def test_example_turns_come_before_the_prompt_and_key_the_cache(tmp_path, run_dir):
    from reasoning_suite.judges.prompts import verdict_example_turns

    turns = verdict_example_turns()
    assert [t["assistant"] for t in turns] == ["\\boxed{yes}", "\\boxed{no}"]
    assert "Ground Truth: Paris" in turns[1]["user"]
    with ScriptedServer({"echo-ex": Behaviour(reply="text", text="\\boxed{yes}")}) as server:
        plain = write_panel(tmp_path / "p1.yaml", server, [{"name": "j", "model": "echo-ex"}])
        shown = write_panel(tmp_path / "p2.yaml", server, [{"name": "j", "model": "echo-ex", "system_prompt": "s",
                                                             "example_turns": turns}])
        common = ["--samples", str(run_dir), "--tasks", "rs_gsm8k", "--limit", "1", "--cache", str(tmp_path / "c.sqlite")]
        judge_main(common + ["--panel", str(plain), "--out", str(tmp_path / "o1")])
        judge_main(common + ["--panel", str(shown), "--out", str(tmp_path / "o2")])
        sent = server.last_messages["echo-ex"]
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user", "assistant", "user"]
        assert sent[1]["content"] == turns[0]["user"] and sent[4]["content"] == "\\boxed{no}"
        assert sent[-1]["content"].startswith("You will be given") and sent[-1]["content"] not in {t["user"] for t in turns}
        assert server.requests("echo-ex") == 4  # the turns are part of the request: not the plain run's cache


@pytest.mark.parametrize("turns, field", [
    ([{"user": "q"}], "example_turns[0]"),
    (["q"], "example_turns[0]"),
    ([{"user": "q", "assistant": ""}], "example_turns[0]"),
    ("q", "example_turns"),
])
def test_bad_example_turns_name_the_field(tmp_path, turns, field):
    from reasoning_suite.judges.config import parse_panel

    data = {"judges": [{"name": "j", "base_url": "http://x/v1", "model": "m", "example_turns": turns}]}
    with pytest.raises(UserError, match=re.escape(field)):
        parse_panel(data, source="panel.yaml")


def test_status_counts_reach_the_report_absent_for_runs_without_them(tmp_path, run_dir, capsys, monkeypatch):
    """lm-eval's status_<name> fractions become counts per task (and a run total); a task whose
    results carry no statuses (a run made before them) has no `status`, not zeros."""
    monkeypatch.setenv("COLUMNS", "200")
    res_path = next(run_dir.glob("results_*.json"))
    res = json.loads(res_path.read_text())
    res["configs"] = {t: {"repeats": 2} for t in TASKS}
    res["n-samples"] = {t: {"original": 4, "effective": 4} for t in TASKS}
    res["results"]["rs_gsm8k"].update({"status_correct,none": 0.25, "status_incorrect,none": 0.25,
                                       "status_no_answer,none": 0.125, "status_timeout,none": 0.25,
                                       "status_error,none": 0.125, "status_error_stderr,none": 0.1})
    res_path.write_text(json.dumps(res))
    with ScriptedServer({"yes": Behaviour(reply="yes")}) as server:
        panel = write_panel(tmp_path / "panel.yaml", server, [{"name": "yes", "model": "yes"}])
        assert judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out")]) == 0
    doc = json.loads((tmp_path / "out" / "results_judged.json").read_text())
    assert doc["results"]["rs_gsm8k"]["status"] == {"correct": 2, "incorrect": 2, "no_answer": 1, "timeout": 2, "error": 1}
    assert "status" not in doc["results"]["rs_ifeval"]
    assert doc["status"] == doc["results"]["rs_gsm8k"]["status"]
    printed = capsys.readouterr()
    lines = (printed.out + printed.err).splitlines()
    assert any("timeout+error" in line for line in lines)
    gsm = next(line for line in lines if "rs_gsm8k" in line)
    ifeval = next(line for line in lines if "rs_ifeval" in line)
    assert gsm.rstrip(" │┃|").split()[-1] == "3" and ifeval.rstrip(" │┃|").split()[-1] == "-"


def test_the_key_never_reaches_the_outputs_only_its_variable_name(tmp_path, run_dir, monkeypatch, capsys):
    """A judge names the variable holding its key (`api_key_env`); the key itself, sent to the
    server, is in no file the run writes (results, samples, the call cache) nor in its output."""
    secret = "sk-never-written-7f3a9c"
    monkeypatch.setenv("RS_TEST_JUDGE_KEY", secret)
    with ScriptedServer({"yes": Behaviour(reply="yes")}) as server:
        panel = write_panel(tmp_path / "panel.yaml", server, [{"name": "j", "model": "yes", "api_key_env": "RS_TEST_JUDGE_KEY"}])
        assert judge_main(["--samples", str(run_dir), "--panel", str(panel), "--out", str(tmp_path / "out"), "--limit", "1"]) == 0
        assert server.requests("yes") > 0
    written = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert any(p.name.endswith(".sqlite") for p in written) and any(p.name.startswith("samples_judged_") for p in written)
    assert not [p for p, data in written.items() if secret.encode() in data]
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    doc = json.loads((tmp_path / "out" / "results_judged.json").read_text())
    assert doc["panel"]["judges"][0]["api_key_env"] == "RS_TEST_JUDGE_KEY"


def test_judged_outputs_land_where_analysis_reads_them(tmp_path, run_dir):
    """The judged layout has one owner (`core.logged_run`): judging with the default --out, the
    analysis table finds every judged sample of the run, none of another."""
    from reasoning_suite.analysis.runs import load_table
    from reasoning_suite.core.logged_run import JUDGED_DIR, JUDGED_RESULTS, judged_samples_name

    with ScriptedServer({"yes": Behaviour(reply="yes")}) as server:
        panel = write_panel(tmp_path / "panel.yaml", server, [{"name": "yes", "model": "yes"}])
        assert judge_main(["--samples", str(run_dir), "--panel", str(panel), "--tasks", "rs_gsm8k"]) == 0
    (judged,) = {p.parent for p in run_dir.rglob(JUDGED_RESULTS)}
    assert judged.name == JUDGED_DIR and (judged / judged_samples_name("rs_gsm8k")).is_file()
    table, runs = load_table([run_dir])
    assert runs[0].judged_dir == judged
    g = table[table["task"] == "rs_gsm8k"]
    assert len(g) == 4 and (g["judge_acc"] == 1.0).all()
    assert table[table["task"] != "rs_gsm8k"]["judge_acc"].isna().all()  # judged only one task
