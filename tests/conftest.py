"""Shared fixtures: a clean environment for every test, and one build of the RNN document."""

from __future__ import annotations

import pytest

from tests.helpers import project, run


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    # CI=true turns on --locked; tests say so when they want it. SOURCE_DATE_EPOCH likewise.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def rnn_build(tmp_path_factory):
    """The RNN document built once, with every format, as `deckgen build` in a fresh repo."""
    import os

    saved = {k: os.environ.pop(k) for k in ("CI", "SOURCE_DATE_EPOCH") if k in os.environ}
    try:
        root = project(tmp_path_factory.mktemp("rnn"), rnn=True)
        result = run(["build"], root)
        assert result.exit_code == 0, result.output
        return root
    finally:
        os.environ.update(saved)
