"""Shared fixtures: a clean environment for the whole run, and one build of the RNN document."""

from __future__ import annotations

import os

import pytest

from tests.helpers import project, run


def pytest_configure(config):
    # CI=true turns on --locked and SOURCE_DATE_EPOCH fixes dates: tests that want either pass
    # them explicitly. Cleared once for the session, so module- and session-scoped fixtures
    # (which run before any function-scoped fixture) see the same clean environment.
    for name in ("CI", "SOURCE_DATE_EPOCH", "NO_COLOR"):
        os.environ.pop(name, None)
    # the layout cache of this run only: never the user's, never one an earlier run filled
    # (a test that needs parts laid out would find them cached)
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="deckgen-test-cache-")


@pytest.fixture(scope="session")
def rnn_build(tmp_path_factory):
    """The RNN document built once, with every format, as `deckgen build` in a fresh repo."""
    root = project(tmp_path_factory.mktemp("rnn"), rnn=True)
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    return root


def pytest_unconfigure(config):
    import shutil

    cache = os.environ.get("XDG_CACHE_HOME", "")
    if "deckgen-test-cache-" in cache:
        shutil.rmtree(cache, ignore_errors=True)
