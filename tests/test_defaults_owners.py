"""Each endpoint default (concurrency, timeout) has one owner, `endpoints.config.Endpoint`: the
study's local judge panel and the trainers' summarizer take theirs from it, so changing the
owner changes every user (a copied literal would keep the old value)."""

from __future__ import annotations

import contextlib
import dataclasses
from types import SimpleNamespace

import yaml

from reasoning_suite.config_parsing import default_of
from reasoning_suite.endpoints.config import Endpoint
from reasoning_suite.judges.config import parse_panel
from reasoning_suite.study import runner
from reasoning_suite.study.config import study_from_dict
from reasoning_suite.study.plan import StudyLayout
from reasoning_suite.trainers.config import BuildDataConfig


def test_local_panel_judges_use_the_endpoint_defaults(tmp_path, monkeypatch):
    @contextlib.contextmanager
    def fake_serve(model, log, sample=False):  # the server itself is tested in test_real_tier.py
        yield SimpleNamespace(base_url="http://127.0.0.1:9/v1", model="m")

    monkeypatch.setattr("reasoning_suite.endpoints.local_server.serve_checkpoint", fake_serve)
    cfg = study_from_dict({"name": "s", "out_dir": str(tmp_path / "s"), "base_model": str(tmp_path / "base"),
                           "pairs": {"file": str(tmp_path / "p.jsonl")}, "students": [{"name": "ift", "ratio": 0.0}],
                           "judges": {"serve_local": True, "local_judges": 2}})
    lay = StudyLayout(cfg.out_dir)
    lay.root.mkdir(parents=True)
    with runner._local_panel(cfg, lay):
        data = yaml.safe_load(lay.panel.read_text())
    panel = parse_panel(data, source=str(lay.panel))
    ep = Endpoint(name="x", base_url="http://h/v1", model="m")
    for judge in panel.judges:
        assert judge.endpoint.max_concurrency == ep.max_concurrency
        assert judge.endpoint.timeout_s == ep.timeout_s
        assert judge.endpoint.max_retries == ep.max_retries
    assert all("max_concurrency" not in j and "timeout_s" not in j for j in data["judges"])


def test_summarizer_concurrency_is_the_endpoints():
    fields = {f.name: f for f in dataclasses.fields(Endpoint)}
    assert default_of(BuildDataConfig, "concurrency") == fields["max_concurrency"].default
