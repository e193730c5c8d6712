"""The benchmark scripts still run against the code they measure (they reach into the build's
stages, which change). They print figures and fail nothing; only that they run is tested here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
def test_lines_lays_out_every_pdf_of_a_small_deck():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lines.py"), "--cards", "20"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    for what in ("floor", "cheatsheet", "cards"):
        assert int(rows[what][1]) > 20  # line boxes laid out: at least one a card
