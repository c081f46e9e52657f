"""The floors of the engine hold: the layering contract of setup.cfg (import-linter), and
importing a stage or the ground floor never runs the pipeline or the audit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("lint-imports") is None and not (Path(sys.executable).parent / "lint-imports").exists(),
                    reason="import-linter is not installed (it is in the test extra)")
def test_the_layering_contract_is_kept():
    command = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([command], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def test_importing_the_stages_loads_no_wiring():
    code = ("import sys, blocking, scoring, resolve, linkage.io, linkage.prepare; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'linkage'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = eval(done.stdout)
    for wiring in ("linkage.pipeline", "linkage.audit", "linkage.cli", "linkage.profile", "linkage.generic"):
        assert wiring not in loaded


def test_the_local_engine_runs_without_pyspark():
    code = ("import sys, linkage, linkage.cli, linkage.pipeline; from tests.conftest import tiny_register; "
            "linkage.dedupe(tiny_register()); print('pyspark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
