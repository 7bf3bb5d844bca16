"""The wheel's metadata as an installer sees it: the licence is an SPDX expression (PEP 639) with
its text shipped, and building prints no setuptools deprecation (the table form `license =
{ text = ... }` did, on every install)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_metadata_has_an_spdx_licence_and_no_build_warning(tmp_path):
    # --no-build-isolation: the venv's setuptools, so no network is needed
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
                          "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    log = res.stdout + res.stderr
    assert "deprecated" not in log.lower(), [l for l in log.splitlines() if "deprecat" in l.lower()]
    (wheel,) = tmp_path.glob("reasoning_suite-*.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        names = z.namelist()
    assert "License-Expression: Apache-2.0" in meta.splitlines()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
