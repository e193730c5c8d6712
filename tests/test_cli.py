"""The command line as users meet it: exit codes, messages, nothing written on failure."""

from __future__ import annotations

import pytest

from deckgen import __version__
from tests.helpers import outputs, project, run

GOOD = "Deck\n\nPart one\n\nQ1. What?\nA1. That.\n\nQ2. Why?\nA2. Because.\n"


def test_version(tmp_path):
    result = run(["--version"], tmp_path)
    assert result.exit_code == 0
    assert result.output == f"deckgen, version {__version__}\n"


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["rules"]])
def test_every_command_has_help_with_an_example(command, tmp_path):
    result = run([*command, "--help"], tmp_path)
    assert result.exit_code == 0
    assert "Example" in result.output


def test_usage_error_exits_2(tmp_path):
    result = run(["build", "--paper", "a3"], tmp_path)
    assert result.exit_code == 2
    assert "'a3' is not one of" in result.output


@pytest.mark.slow
def test_build_writes_every_format(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    for name in ("deck.apkg", "deck.cheatsheet.pdf", "deck.html"):
        assert (root / "build" / name).stat().st_size > 0
    assert "wrote build/deck.apkg" in result.stdout


def test_format_and_out_options(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    result = run(["build", "-o", "dist", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    assert outputs(root / "dist") == ["deck.html"]


def test_invalid_source_fails_with_file_and_line_and_writes_nothing(tmp_path):
    root = project(tmp_path, {"deck.txt": "Q1. What?\n\nQ2. Why?\nA2. Because.\n"})
    result = run(["build"], root)
    assert result.exit_code == 1
    assert "source/deck.txt:1:1: error: Q1 has no answer [DG002]" in result.stderr
    assert "Traceback" not in result.output
    assert not (root / "build").exists()


@pytest.mark.slow
def test_a_failed_build_leaves_previous_outputs_intact(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    assert run(["build"], root).exit_code == 0
    before = {p.name: p.read_bytes() for p in (root / "build").iterdir()}
    (root / "source" / "deck.txt").write_text("Q1. What?\n", encoding="utf-8")
    assert run(["build"], root).exit_code == 1
    after = {p.name: p.read_bytes() for p in (root / "build").iterdir()}
    assert after == before


def test_strict_makes_warnings_fail(tmp_path):
    root = project(tmp_path, {"deck.txt": "Q1. A?\nA1. B.\nQ3. C?\nA3. D.\n"})
    assert run(["check"], root).exit_code == 0
    result = run(["check", "--strict"], root)
    assert result.exit_code == 1
    assert "source/deck.txt:3:1: warning: Q3 follows Q1: Q2 missing [DG008]" in result.stdout


def test_check_prints_diagnostics_and_a_summary(tmp_path):
    root = project(tmp_path, {"deck.txt": "Q1. A?\nA2. B.\n"})
    result = run(["check"], root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "source/deck.txt:2:1: error: answer A2 follows question Q1 [DG004]",
        "1 source(s) checked: 1 error(s), 0 warning(s)",
    ]


def test_missing_path(tmp_path):
    result = run(["build", "nowhere.txt"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == "error: nowhere.txt: no such file or folder\n"


def test_empty_source_folder(tmp_path):
    (tmp_path / "source").mkdir()
    result = run(["build"], tmp_path)
    assert result.exit_code == 1
    assert "error: source: no sources in this folder" in result.stderr


def test_two_sources_with_one_output_name(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD, "deck.md": "# D\n\n### Q?\n\nA.\n"})
    result = run(["build"], root)
    assert result.exit_code == 1
    assert "source/deck.md and source/deck.txt would both write deck.*" in result.stderr


def test_subfolders_are_mirrored_in_build(tmp_path):
    root = project(tmp_path, {"ml/rnn.txt": GOOD, "top.txt": GOOD})
    assert run(["build", "--format", "html"], root).exit_code == 0
    assert (root / "build" / "ml" / "rnn.html").exists()
    assert (root / "build" / "top.html").exists()


def test_settings_file_and_command_line_precedence(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    (root / "deckgen.toml").write_text('out = "site"\nformats = ["html"]\n', encoding="utf-8")
    assert run(["build"], root).exit_code == 0
    assert outputs(root / "site") == ["deck.html"]
    assert run(["build", "--format", "apkg"], root).exit_code == 0
    assert (root / "site" / "deck.apkg").exists()


def test_pyproject_tool_table_is_read(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    (root / "pyproject.toml").write_text('[tool.deckgen]\nformats = ["html"]\n', encoding="utf-8")
    assert run(["build"], root).exit_code == 0
    assert outputs(root / "build") == ["deck.html"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('colour = "red"\n', "deckgen.toml: unknown setting 'colour'"),
        ('paper = "a3"\n', "deckgen.toml: setting 'paper' must be one of a4, letter, not 'a3'"),
        ("strict = 3\n", "deckgen.toml: setting 'strict' must be true or false, not 3"),
        ('formats = ["pdf"]\n', "deckgen.toml: setting 'formats' has unknown value 'pdf'"),
        ("paper = \n", "deckgen.toml: not valid TOML"),
    ],
)
def test_bad_settings_name_key_and_file(tmp_path, toml, message):
    root = project(tmp_path, {"deck.txt": GOOD})
    (root / "deckgen.toml").write_text(toml, encoding="utf-8")
    result = run(["build"], root)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_user_templates_override_one_and_inherit_the_rest(tmp_path):
    root = project(tmp_path, {"deck.txt": GOOD})
    mine = root / "mytemplates"
    mine.mkdir()
    (mine / "handout.html.j2").write_text(
        "<!DOCTYPE html><title>{{ deck.title }}</title>{% for c in deck.cards %}"
        "<p class=mine>{{ c.card.question_text }}</p>{% endfor %}", encoding="utf-8")
    result = run(["build", "--templates", "mytemplates"], root)
    assert result.exit_code == 0, result.output
    html = (root / "build" / "deck.html").read_text(encoding="utf-8")
    assert html.count('<p class=mine>') == 2
    assert (root / "build" / "deck.cheatsheet.pdf").exists()  # built-in templates still used


@pytest.mark.slow
def test_python_m_deckgen_works(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "deckgen", "--version"], capture_output=True,
                         text=True, check=False, cwd=tmp_path)
    assert out.returncode == 0 and __version__ in out.stdout
