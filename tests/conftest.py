from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt"
DATA = ROOT / "tests" / "data"
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point in a subprocess."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=input,
                          capture_output=True, cwd=cwd or ROOT, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-out")
    res = run_cli("run", str(SAMPLE), "-o", str(out))
    assert res.returncode == 0, res.stderr.decode()
    return out
