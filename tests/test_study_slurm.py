"""The study's Slurm executor: the job graph (pure), and a small study through a real
single-node Slurm (slurmctld + slurmd + munged started here) with a failed step that the
re-run resubmits, alone."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from reasoning_suite.errors import UserError
from reasoning_suite.study.config import study_from_dict
from reasoning_suite.study.plan import plan
from reasoning_suite.study.slurm import (LiveJob, SlurmCommands, job_graph, job_resources, job_script,
                                         parse_squeue, resource_class, submit_study)

SAMPLE_PAIRS = str(Path(__file__).resolve().parent.parent / "reasoning_suite" / "study" / "data" / "sample_pairs.jsonl")
BASE = {
    "name": "sweep", "out_dir": "OUT", "base_model": "Qwen/Qwen2.5-0.5B", "pairs": {"import": "math"},
    "students": [{"name": "r0", "ratio": 0.0}, {"name": "r50", "ratio": 0.5}, {"name": "r100", "ratio": 1.0}],
    "judges": {"panel": "paper"},
}


def _cfg(**over):
    return study_from_dict({**BASE, **over})


def _live(job_id, name, state="PENDING", reason="Dependency", dependency="afterok:1(unfulfilled)"):
    return LiveJob(job_id, name, state, reason, dependency)


# ---------------------------------------------------------------- the graph, without Slurm

def test_a_ratio_sweep_trains_its_students_at_once():
    cfg = _cfg()
    jobs = {j.step.name: j for j in job_graph(plan(cfg), cfg.slurm, done=set(), live={})}
    assert all(j.action == "submit" for j in jobs.values())
    # every student's chain is independent of the others: same wave, its own dependency
    assert {jobs[f"train-{s}"].wave for s in ("r0", "r50", "r100")} == {2}
    assert jobs["train-r50"].waits_for == ("data-r50",)
    assert jobs["eval-base"].wave == 0 and jobs["eval-base"].waits_for == ()
    assert jobs["eval-r100"].waits_for == ("train-r100",)
    assert jobs["judge-r0"].waits_for == ("eval-r0",)  # a remote panel: judges run at once
    assert set(jobs["analyze"].waits_for) == {"eval-base", "eval-r0", "eval-r50", "eval-r100",
                                              "judge-base", "judge-r0", "judge-r50", "judge-r100"}
    # resources by kind: generate/train/eval get the gpu class, the rest the cpu class
    assert [resource_class(jobs[n].step) for n in ("pairs", "data-r0", "train-r0", "eval-r0", "judge-r0", "analyze")] == \
        ["cpu", "cpu", "gpu", "gpu", "cpu", "cpu"]


def test_a_locally_served_panel_judges_one_model_at_a_time():
    cfg = _cfg(judges={"serve_local": True})
    jobs = {j.step.name: j for j in job_graph(plan(cfg), cfg.slurm, done=set(), live={})}
    assert jobs["judge-base"].waits_for == ("eval-base",)
    assert jobs["judge-r0"].waits_for == ("eval-r0", "judge-base")  # one panel.yaml, one server URL


def test_rerun_keeps_live_jobs_resubmits_failed_ones_and_whatever_waited_on_them():
    cfg = _cfg(judges={})
    steps = plan(cfg)
    done = {"pairs", "data-r0", "data-r50", "data-r100", "train-r0", "eval-base"}
    live = {
        "train-r50": _live("21", "rs-sweep-train-r50", "RUNNING", "None", "(null)"),
        "eval-r50": _live("22", "rs-sweep-eval-r50", dependency="afterok:21(unfulfilled)"),
        # train-r100 failed (gone from the queue, no marker): its eval waits forever
        "eval-r100": _live("24", "rs-sweep-eval-r100", reason="DependencyNeverSatisfied", dependency="afterok:23(failed)"),
        "analyze": _live("25", "rs-sweep-analyze", dependency="afterok:22(unfulfilled),afterok:24(failed)"),
    }
    jobs = {j.step.name: j for j in job_graph(steps, cfg.slurm, done, live)}
    assert {n for n, j in jobs.items() if j.action == "done"} == done
    assert (jobs["train-r50"].action, jobs["train-r50"].job_id) == ("keep", "21")
    assert (jobs["eval-r50"].action, jobs["eval-r50"].job_id) == ("keep", "22")
    assert jobs["train-r100"].action == "submit" and jobs["train-r100"].cancel is None
    assert (jobs["eval-r100"].action, jobs["eval-r100"].cancel) == ("submit", "24")
    # eval-r0's train is done, it never ran: submitted with nothing to wait for
    assert jobs["eval-r0"].action == "submit" and jobs["eval-r0"].waits_for == () and jobs["eval-r0"].wave == 0
    # analyze still pends, but on a job that failed: cancelled and resubmitted on the new ids
    assert (jobs["analyze"].action, jobs["analyze"].cancel) == ("submit", "25")
    assert set(jobs["analyze"].waits_for) == {"eval-r0", "eval-r50", "eval-r100"}
    assert jobs["train-r100"].wave == 0 and jobs["eval-r100"].wave == 1 and jobs["analyze"].wave == 2


def test_a_pending_job_whose_dependency_is_resubmitted_is_resubmitted_too():
    cfg = _cfg(judges={}, students=[{"name": "a", "ratio": 0.0}])
    live = {"eval-a": _live("9", "rs-sweep-eval-a", dependency="afterok:8(unfulfilled)")}  # Slurm has not noticed yet
    jobs = {j.step.name: j for j in job_graph(plan(cfg), cfg.slurm, {"pairs", "data-a"}, live)}
    assert jobs["train-a"].action == "submit"
    assert (jobs["eval-a"].action, jobs["eval-a"].cancel, jobs["eval-a"].waits_for) == ("submit", "9", ("train-a",))


def test_only_and_force():
    cfg = _cfg(judges={})
    steps = plan(cfg)
    live = {"pairs": _live("3", "rs-sweep-pairs", "RUNNING")}
    jobs = {j.step.name: j for j in job_graph(steps, cfg.slurm, set(), live, selected={"data-r0", "train-r0"})}
    assert jobs["pairs"].action == "keep" and jobs["data-r0"].waits_for == ("pairs",)
    assert jobs["data-r50"].action == "skip" and jobs["train-r0"].waits_for == ("data-r0",)
    forced = {j.step.name: j for j in job_graph(steps, cfg.slurm, {"pairs"}, live, force=True)}
    assert (forced["pairs"].action, forced["pairs"].cancel) == ("submit", "3")


def test_resources_come_from_the_config_with_class_defaults():
    cfg = _cfg(slurm={"partition": "batch", "account": "lab", "time": "02:00:00",
                      "gpu": {"gpus": 4, "mem": "64G", "time": "1-00:00:00", "partition": "gpu"},
                      "cpu": {"extra_args": ["--qos=low"]}, "extra_args": ["--requeue"]})
    steps = {s.name: s for s in plan(cfg)}
    train = job_resources(cfg.slurm, steps["train-r0"])
    assert train.sbatch_args() == ["--cpus-per-task=8", "--gres=gpu:4", "--partition=gpu", "--account=lab",
                                   "--mem=64G", "--time=1-00:00:00", "--requeue"]
    judge = job_resources(cfg.slurm, steps["judge-r0"])
    assert judge.sbatch_args() == ["--cpus-per-task=2", "--partition=batch", "--account=lab", "--time=02:00:00",
                                   "--requeue", "--qos=low"]
    defaults = job_resources(_cfg().slurm, steps["eval-r0"])
    assert (defaults.gpus, defaults.cpus, defaults.partition, defaults.time) == (1, 8, None, None)


@pytest.mark.parametrize("slurm, message", [
    ({"time": "4h"}, "study.slurm.time: a Slurm time limit"),
    ({"gpu": {"time": "90 min"}}, "study.slurm.gpu.time: a Slurm time limit"),
    ({"cpu": {"cpus": 0}}, "study.slurm.cpu: gpus must be >= 0 and cpus >= 1"),
    ({"gpu": {"mem": "lots"}}, "study.slurm.gpu.mem: a Slurm memory size"),
    ({"gpus": 8}, "study.slurm.gpus: unknown field"),
    ({"gpu": {"gpus": "eight"}}, "study.slurm.gpu.gpus: expected int"),
])
def test_bad_slurm_sections_name_the_field(slurm, message):
    with pytest.raises(UserError, match=re.escape(message)):
        _cfg(slurm=slurm)


def test_job_script_runs_the_local_executor_on_one_step(tmp_path):
    cfg = _cfg(slurm={"setup": ["module load cuda/12", "source /opt/venv/bin/activate"]})
    cfg = dataclasses.replace(cfg, source=str(tmp_path / "study.yaml"))
    step = next(s for s in plan(cfg) if s.name == "train-r50")
    script = job_script(cfg, step, force=False, python="/opt/venv/bin/python", cwd=tmp_path)
    lines = script.splitlines()
    assert lines[0] == "#!/bin/bash" and "module load cuda/12" in lines and "source /opt/venv/bin/activate" in lines
    assert lines[-1] == f"exec /opt/venv/bin/python -m reasoning_suite study {tmp_path / 'study.yaml'} --only train-r50"


def test_parse_squeue():
    out = "12|rs-s-train-a|RUNNING|None|(null)\n13|rs-s-eval-a|PENDING|DependencyNeverSatisfied|afterok:12(failed)\n"
    jobs = parse_squeue(out)
    assert jobs["12"] == LiveJob("12", "rs-s-train-a", "RUNNING", "None", "(null)") and not jobs["12"].blocked
    assert jobs["13"].blocked


def test_missing_sbatch_is_one_line(tmp_path):
    cfg = _cfg(out_dir=str(tmp_path / "out"))
    cfg = dataclasses.replace(cfg, source=str(tmp_path / "study.yaml"))
    with pytest.raises(UserError, match=r"--executor slurm: `squeue` not found on PATH"):
        submit_study(cfg, commands=SlurmCommands(env={"PATH": str(tmp_path)}))
    # --plan works without Slurm (on a laptop): the queue is just not shown
    proc = subprocess.run([sys.executable, "-m", "reasoning_suite", "study", _write(tmp_path, {**BASE, "out_dir": str(tmp_path / "o")}),
                           "--executor", "slurm", "--plan"], capture_output=True, text=True,
                          env={**os.environ, "PATH": os.path.dirname(sys.executable)})
    assert proc.returncode == 0, proc.stderr
    assert "(Slurm commands not found: the queue is not shown)" in proc.stdout
    assert re.search(r"^2 +train-r50 +submit +gpu: 1 GPU 8 CPU +data-r50$", proc.stdout, re.M)


def _write(tmp_path: Path, data: dict, name: str = "study.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


# ---------------------------------------------------------------- a real single-node Slurm

@dataclass
class Cluster:
    env: dict[str, str]
    partition: str
    root: Path

    def run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(list(argv), capture_output=True, text=True, env=self.env, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLURM_BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "scontrol")


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """munged + slurmctld + slurmd on this machine, one node with 2 CPUs, partition `debug`,
    no accounting (jobs are followed with squeue / scontrol). Stopped at the end of the session."""
    missing = [b for b in SLURM_BINARIES if shutil.which(b) is None]
    if missing:
        pytest.skip(f"Slurm not installed ({', '.join(missing)} missing): `make system-deps` installs slurm-wlm and munge as root")
    if os.geteuid() != 0:
        pytest.skip("the Slurm fixture runs munged, slurmctld and slurmd as root (slurmd starts jobs as their user)")
    root = tmp_path_factory.mktemp("slurm")
    root.chmod(0o755)  # munged wants its socket's directory reachable
    for d in ("state", "spool"):
        (root / d).mkdir()
    key = root / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    node = socket.gethostname().split(".")[0]
    conf = root / "slurm.conf"
    conf.write_text("\n".join([
        "ClusterName=rstest", f"SlurmctldHost={node}(127.0.0.1)", "SlurmUser=root", "SlurmdUser=root",
        f"SlurmctldPort={_free_port()}", f"SlurmdPort={_free_port()}",
        "AuthType=auth/munge", "CredType=cred/munge", f"AuthInfo=socket={root / 'munge.sock'}",
        f"StateSaveLocation={root / 'state'}", f"SlurmdSpoolDir={root / 'spool'}",
        f"SlurmctldPidFile={root / 'slurmctld.pid'}", f"SlurmdPidFile={root / 'slurmd.pid'}",
        f"SlurmctldLogFile={root / 'slurmctld.log'}", f"SlurmdLogFile={root / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none",
        "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
        "AccountingStorageType=accounting_storage/none", "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none", "MpiDefault=none", "ReturnToService=2", "MinJobAge=600",
        "SchedulerType=sched/backfill",
        f"NodeName={node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN",
        "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""]))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    daemons: list[subprocess.Popen] = []

    def start(*argv: str, log: str) -> None:
        daemons.append(subprocess.Popen(list(argv), stdout=(root / log).open("w"), stderr=subprocess.STDOUT,
                                        env=env, stdin=subprocess.DEVNULL, start_new_session=True))

    cluster = Cluster(env, "debug", root)
    try:
        start("munged", "--foreground", "--force", f"--key-file={key}", f"--socket={root / 'munge.sock'}",
              f"--pid-file={root / 'munged.pid'}", f"--log-file={root / 'munged.log'}",
              f"--seed-file={root / 'munged.seed'}", log="munged.out")
        _wait_until(lambda: (root / "munge.sock").exists(), 30, "munged did not create its socket", root)
        start("slurmctld", "-D", "-f", str(conf), log="slurmctld.out")
        start("slurmd", "-D", "-N", node, "-f", str(conf), log="slurmd.out")
        _wait_until(lambda: cluster.run("sinfo", "-h", "-o", "%T").stdout.strip() == "idle", 60,
                    "the node did not become idle", root)
        yield cluster
    finally:
        if daemons and shutil.which("scancel"):
            subprocess.run(["scancel", "--me"], env=env, capture_output=True, timeout=30)
            _wait_until(lambda: not cluster.run("squeue", "-h").stdout.strip(), 30, None, root)
        for proc in reversed(daemons):
            proc.terminate()
        for proc in reversed(daemons):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until(cond, timeout: float, message: str | None, root: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except subprocess.SubprocessError:
            pass
        time.sleep(0.5)
    if message:
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in sorted(root.glob("*.out")))
        raise RuntimeError(f"{message} within {timeout:.0f} s\n{logs}")


def _study(cluster: Cluster, config: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return cluster.run(sys.executable, "-m", "reasoning_suite", "study", config, "--executor", "slurm", *args,
                       timeout=timeout)


def _job_times(cluster: Cluster, job_id: str) -> tuple[datetime, datetime]:
    show = cluster.run("scontrol", "show", "job", job_id).stdout
    start = re.search(r"StartTime=(\S+)", show).group(1)
    end = re.search(r"EndTime=(\S+)", show).group(1)
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


@pytest.mark.xdist_group("slurm_cluster")  # one cluster (fixed ports) per machine: one worker
def test_bad_partition_is_one_line(slurm_cluster, tmp_path):
    config = _write(tmp_path, {**BASE, "out_dir": str(tmp_path / "out"), "slurm": {"partition": "nope"}})
    proc = _study(slurm_cluster, config, "--only", "pairs")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "sbatch refused step pairs" in proc.stderr and "slurm.partition = 'nope'" in proc.stderr
    assert "Invalid partition name specified" in proc.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("slurm_cluster")
def test_a_study_through_slurm_with_a_failed_step_resubmitted(slurm_cluster, tiny_model_dir, tmp_path):
    """Pairs, two mixtures and two students as 5 jobs on a real Slurm: the mixtures run at once,
    then both students train at once; student b's output dir is taken by a file, so its training
    fails. After the file is removed, the same command submits train-b alone; a third call while
    it runs submits nothing and waits for it."""
    out = tmp_path / "study"
    config = _write(tmp_path, {
        "name": "slurmtest", "out_dir": str(out), "base_model": str(tiny_model_dir),
        "pairs": {"file": SAMPLE_PAIRS},
        "students": [{"name": "a", "ratio": 0.0}, {"name": "b", "ratio": 1.0, "order": "mixed"}],
        "train": {"max_seq_length": 512, "global_batch_tokens": 2048},
        "eval": {"tasks": "rs_gsm8k", "offline": True, "limit": 2},
        "slurm": {"partition": slurm_cluster.partition, "time": "00:20:00", "gpu": {"gpus": 0, "cpus": 1},
                  "cpu": {"cpus": 1}},
    })
    only = ["--only", "pairs", "data-a", "data-b", "train-a", "train-b"]
    began = time.monotonic()

    graph = _study(slurm_cluster, config, *only, "--plan")
    assert graph.returncode == 0, graph.stderr
    assert "5 to submit; 3 waves, up to 2 jobs at once" in graph.stdout
    assert re.search(r"^2 +train-b +submit +gpu: 1 CPU 00:20:00 @debug +data-b$", graph.stdout, re.M)

    (out / "models").mkdir(parents=True)
    (out / "models" / "b").write_text("in the way\n")  # train-b cannot create its output dir
    first = _study(slurm_cluster, config, *only, "--wait", "--poll-seconds", "1")
    assert first.returncode == 2, first.stderr[-3000:]
    error = [ln for ln in first.stderr.splitlines() if ln.startswith("error:")]
    assert len(error) == 1 and "slurm: step train-b failed" in error[0] and "re-run the same command" in error[0], first.stderr
    submitted_first = json.loads((out / "slurm" / "jobs.json").read_text())
    assert set(submitted_first) == {"pairs", "data-a", "data-b", "train-a", "train-b"}
    assert sorted(p.name for p in (out / "steps").glob("*.done")) == ["data-a.done", "data-b.done", "pairs.done", "train-a.done"]
    ids = {step: rec["job_id"] for step, rec in submitted_first.items()}
    # independent steps ran at once on the two CPUs (Slurm's own start/end times)
    for x, y in (("data-a", "data-b"), ("train-a", "train-b")):
        (sx, ex), (sy, ey) = _job_times(slurm_cluster, ids[x]), _job_times(slurm_cluster, ids[y])
        assert sx <= ey and sy <= ex, f"{x} {sx}-{ex} and {y} {sy}-{ey} did not overlap"
    # the dependency order held: training started after its mixture ended
    assert _job_times(slurm_cluster, ids["train-b"])[0] >= _job_times(slurm_cluster, ids["data-b"])[1]
    # logs land where the local executor puts them, plus Slurm's own output per job
    assert (out / "logs" / "train-b.log").exists() and (out / "logs" / f"train-b.slurm-{ids['train-b']}.out").exists()

    (out / "models" / "b").unlink()
    second = _study(slurm_cluster, config, *only)
    assert second.returncode == 0, second.stderr
    assert "submitted 1 jobs (train-b=" in second.stderr
    new_id = json.loads((out / "slurm" / "jobs.json").read_text())["train-b"]["job_id"]
    assert new_id != ids["train-b"]

    third = _study(slurm_cluster, config, *only, "--wait", "--poll-seconds", "1")
    assert third.returncode == 0, third.stderr[-3000:]
    assert "submitted 0 jobs, 1 still queued" in third.stderr  # nothing submitted twice
    assert json.loads((out / "slurm" / "jobs.json").read_text())["train-b"]["job_id"] == new_id
    wall = time.monotonic() - began

    for student, ratio in (("a", 0.0), ("b", 1.0)):
        record = json.loads((out / "models" / student / "reasoning_suite_run.json").read_text())
        assert record["reasoning_ratio"] == ratio
    assert (out / "steps" / "train-b.done").exists()
    assert (out / "logs" / "train-b.log").read_text().count("$ reasoning-suite train") == 2  # both attempts, one log
    final = _study(slurm_cluster, config, *only, "--plan")
    assert "5 done, 0 in the queue, 0 to submit" in final.stdout
    print(f"slurm study: {len(ids) + 1} jobs submitted in all, {wall:.0f} s wall")
