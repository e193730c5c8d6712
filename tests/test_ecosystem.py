"""A deck repository's daily life: init, config, per-source settings, themes, stats, watch,
terminal manners, pre-commit and the generated workflow."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import RNN, ROOT, children, import_apkg, outputs, pdf_text, project, run

GOOD = "Deck\n\nPart\n\nQ1. What?\nA1. That.\n\nQ3. Why?\nA3. Because.\n"


@pytest.mark.slow
def test_init_makes_a_repository_that_builds_right_away(tmp_path):
    result = run(["init", "deck"], tmp_path)
    assert result.exit_code == 0, result.output
    root = tmp_path / "deck"
    for name in ("source/example.md", "deckgen.toml", ".gitignore", ".github/workflows/deckgen.yml",
                 ".pre-commit-config.yaml"):
        assert (root / name).is_file(), name
    assert "build/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    built = run(["build"], root)
    assert built.exit_code == 0, built.output
    assert import_apkg(root / "build" / "example.apkg", tmp_path / "c.anki2").notes == 3
    assert run(["build", "--locked"], root).exit_code == 0  # the ids file it wrote is current


def test_init_refuses_to_overwrite(tmp_path):
    assert run(["init"], tmp_path).exit_code == 0
    again = run(["init"], tmp_path)
    assert again.exit_code == 1
    assert "already exists; nothing was written (use --force to overwrite)" in again.stderr
    assert run(["init", "--force"], tmp_path).exit_code == 0


@pytest.mark.slow
def test_generated_workflow_is_a_valid_github_workflow(tmp_path):
    assert run(["init"], tmp_path).exit_code == 0
    workflow = tmp_path / ".github" / "workflows" / "deckgen.yml"
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                              "vendor.github-workflows", str(workflow)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = workflow.read_text(encoding="utf-8")
    from deckgen import __version__

    assert f"uses: deckgen-qa/deckgen@v{__version__}" in text  # this action, pinned to this version
    assert "fetch-depth: 0" in text and "pip install" not in text  # never a bare `deckgen` from the index
    ids = tmp_path / "source" / "example.ids.json"
    assert ids.is_file()  # the first CI run builds --locked: the ids file is there
    assert run(["build", "--locked"], tmp_path).exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(("path", "schema"), [
    ("action.yml", "vendor.github-actions"),
    (".github/workflows/release.yml", "vendor.github-workflows"),
])
def test_action_and_workflows_are_valid(path, schema):
    from tests.helpers import ROOT

    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                              str(ROOT / path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_action_installs_itself_never_a_bare_name_and_summarises():
    from tests.helpers import ROOT

    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert 'python -m pip install "$GITHUB_ACTION_PATH"' in text
    assert 'python -m pip install "deckgen-qa==$DECKGEN_VERSION"' in text
    assert "pip install deckgen\n" not in text and '"deckgen==' not in text
    assert 'deckgen check --output-format github' in text
    assert '--locked --summary "$GITHUB_STEP_SUMMARY"' in text
    assert "if: always()" in text  # build/ and the summary also when the build fails


def test_config_prints_every_setting_and_its_origin(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    (root / "deckgen.toml").write_text('paper = "letter"\n[source."source/d.txt"]\ndeck-name = "Mine"\n',
                                       encoding="utf-8")
    result = run(["config"], root, env={"CI": "true"})
    lines = result.stdout.splitlines()
    assert f'paper = "letter"  # {root / "deckgen.toml"}' in lines
    assert "columns = 3  # default" in lines
    assert "locked = true  # environment (CI=true)" in lines
    assert '[source."source/d.txt"]' in lines
    assert f'deck-name = "Mine"  # {root / "deckgen.toml"}' in lines


@pytest.mark.slow
def test_per_source_settings(tmp_path):
    root = project(tmp_path, {"a.txt": GOOD, "b.txt": GOOD})
    (root / "deckgen.toml").write_text(
        'formats = ["html"]\n[source."source/b.txt"]\nformats = ["apkg"]\ndeck-name = "Bee"\ndisable = ["DG008"]\n',
        encoding="utf-8")
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    assert outputs(root / "build") == ["a.html", "b.apkg"]
    assert "source/a.txt:8:1: warning: Q3 follows Q1: Q2 missing [DG008]" in result.stderr
    assert "source/b.txt:8:1" not in result.stderr
    assert "Bee::Part" in import_apkg(root / "build" / "b.apkg", tmp_path / "c.anki2").decks
    # the command line wins over a source's own settings
    assert run(["build", "--format", "html"], root).exit_code == 0
    assert (root / "build" / "b.html").exists()


def test_a_setting_that_cannot_be_per_source(tmp_path):
    root = project(tmp_path, {"a.txt": GOOD})
    (root / "deckgen.toml").write_text('[source."source/a.txt"]\nout = "x"\n', encoding="utf-8")
    result = run(["build"], root)
    assert result.exit_code == 1
    assert "setting 'out' cannot be set per source (in [source.\"source/a.txt\"])" in result.stderr


def test_example_theme_overrides_a_block_and_keeps_the_rest(tmp_path):
    root = project(tmp_path, rnn=True)
    theme = ROOT / "examples" / "themes" / "sepia"
    result = run(["build", "--format", "html", "--templates", str(theme)], root)
    assert result.exit_code == 0, result.output
    html = (root / "build" / "rnn-interview-questions.html").read_text(encoding="utf-8")
    assert "--bg: #f6efe0" in html and html.count('<article class="card"') == 80
    assert '<p class="sepia-footer">RNN frequent Interview Questions: 80 cards, sepia theme.</p>' in html
    assert 'id="search"' in html  # the rest of the built-in handout


def test_stats(tmp_path):
    root = project(tmp_path, rnn=True)
    result = run(["stats", "--json"], root)
    assert result.exit_code == 0
    (found,) = json.loads(result.stdout)
    assert found["cards"] == 80
    assert found["sections"][0] == {"title": "Basics of RNNs", "cards": 5}
    assert found["sections"][-1] == {"title": "Advanced Topics", "cards": 50}
    longest = found["longest_answers"][0]
    assert longest["words"] == max(len(c.split()) for c in _answers())
    assert found["near_duplicates"] == 10 and found["exact_duplicates"] == 0
    text = run(["stats"], root).stdout
    assert text.startswith("source/rnn-interview-questions.txt: 80 cards, ")
    assert "near-duplicate findings: 10, repeated questions: 0" in text


def _answers():
    from deckgen.readers.text import read_text

    return [c.answer_text for c in read_text(RNN.read_text(encoding="utf-8"), "r", "R").cards]


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    from click.testing import CliRunner

    from deckgen.cli import main

    root = project(tmp_path, {"d.txt": GOOD})
    os.chdir(root)
    try:
        plain = CliRunner().invoke(main, ["check"])
        tty = CliRunner().invoke(main, ["check"], color=True)
        no_color = CliRunner().invoke(main, ["check"], color=True, env={"NO_COLOR": "1"})
    finally:
        os.chdir(ROOT)
    assert "\x1b[" not in plain.output
    assert "\x1b[33m\x1b[1mwarning\x1b[0m" in tty.output
    assert "\x1b[" not in no_color.output


def test_verbose_build_says_how_it_read_each_source(tmp_path):
    root = project(tmp_path, rnn=True)
    result = run(["build", "-v", "--format", "html"], root)
    assert "source/rnn-interview-questions.txt: 80 card(s), read as qa-markers" in result.stderr
    assert "source/rnn-interview-questions.txt:315:1: skipped page chrome after the last card: Comments" in result.stderr


@pytest.mark.slow
def test_watch_rebuilds_when_a_source_changes(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    (root / "theme").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    log = tmp_path / "watch.log"
    html = root / "build" / "d.html"

    def wait_for(condition, seconds=60):
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)
        return condition()

    with open(log, "w", encoding="utf-8") as stream:
        process = subprocess.Popen([sys.executable, "-m", "deckgen", "watch", "--templates", "theme"],
                                   cwd=root, env=env, stdout=stream, stderr=stream, text=True)
        try:
            assert wait_for(lambda: "watching for changes" in log.read_text(encoding="utf-8"))
            workers = children(process.pid)
            cores = os.cpu_count() or 1
            assert len(workers) == (cores if cores > 1 else 0)  # the PDF workers, kept between builds
            (root / "source" / "d.txt").write_text(GOOD.replace("Because.", "Because it changed."), encoding="utf-8")
            assert wait_for(lambda: html.exists() and "Because it changed." in html.read_text(encoding="utf-8"))
            assert wait_for(lambda: log.read_text(encoding="utf-8").count("watching for changes") == 2)
            # the PDFs were laid out again, by the same workers: no wait for WeasyPrint to load
            assert "Because it changed." in "\n".join(pdf_text(root / "build" / "d.cheatsheet.pdf"))
            assert children(process.pid) == workers
            # a template added to the theme since the workers started is used at once
            builtin = (ROOT / "templates" / "cheatsheet.html.j2").read_text(encoding="utf-8")
            (root / "theme" / "cheatsheet.html.j2").write_text(
                builtin.replace("<body>", "<body>\n<p>Themed since the watch began</p>", 1), encoding="utf-8")
            assert wait_for(lambda: log.read_text(encoding="utf-8").count("watching for changes") == 3)
            assert "Themed since the watch began" in "\n".join(pdf_text(root / "build" / "d.cheatsheet.pdf"))
            (root / "source" / "d.txt").write_text("Q1. Broken?\n", encoding="utf-8")
            # diagnostics each time, and the broken edit writes nothing
            assert wait_for(lambda: "source/d.txt:1:1: error: Q1 has no answer [DG002]" in log.read_text(encoding="utf-8"))
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    assert "Because it changed." in html.read_text(encoding="utf-8")
    # Ctrl-C: the workers end with watch, quietly
    assert "Traceback" not in log.read_text(encoding="utf-8")
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


@pytest.mark.slow
def test_pre_commit_hook_runs_from_this_checkout(tmp_path):
    repo = tmp_path / "decks"
    project(repo, {"good.txt": GOOD, "bad.txt": "Q1. What?\n"})
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)

    def hook(*files):
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "deckgen-check",
                               "--files", *files], cwd=repo, env=env, capture_output=True, text=True)

    good = hook("source/good.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = hook("source/bad.txt")
    assert bad.returncode == 1
    assert "source/bad.txt:1:1: error: Q1 has no answer [DG002]" in bad.stdout


@pytest.mark.slow
def test_shell_completion_script(tmp_path):
    env = {**os.environ, "_DECKGEN_COMPLETE": "bash_source"}
    out = subprocess.run([shutil.which("deckgen") or "deckgen"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "_deckgen_completion" in out.stdout


@pytest.mark.slow
def test_build_summary_for_the_job_page(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    first = run(["build", "--summary", str(summary)], root, env={"CI": ""})
    assert first.exit_code == 0, first.output
    again = run(["build", "--summary", str(summary)], root, env={"CI": ""})  # everything unchanged
    assert again.exit_code == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## deckgen build")  # appended, as $GITHUB_STEP_SUMMARY wants
    last = text.split("## deckgen build")[-1]
    assert "**Built**" in last
    assert "| Deck | source/d.txt | 2 | 1 |" in last
    assert "| DG008 numbering-gap | warning | 1 |" in last
    assert re.search(r"\| build/d\.cheatsheet\.pdf \| [\d.]+ KiB \| 1 \| unchanged \|", last)
    assert re.search(r"\| build/d\.cards\.pdf \| [\d.]+ KiB \| 2 \| unchanged \|", last)


def test_build_summary_when_it_fails(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    assert run(["build", "--format", "apkg"], root, env={"CI": ""}).exit_code == 0
    (root / "source" / "d.txt").write_text(GOOD.replace("Q3. Why?\nA3. Because.\n", "Q2. How?\nA2. So.\n"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    stale = run(["build", "--locked", "--summary", str(summary)], root)
    assert stale.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert "**Failed**: source/d.ids.json: the ids file is out of date" in text
    assert "| Deck | source/d.txt | 2 | 1 |" in text  # what was read, though nothing was built
    assert "### source/d.ids.json is out of date" in text
    assert "would record 1 new, 0 changed and 1 removed card(s)" in text
    assert "- new card " in text and "How?" in text and "- removed card " in text and "Why?" in text
    (root / "source" / "d.txt").write_text("Q1. What?\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    assert run(["build", "--summary", str(bad)], root).exit_code == 1
    assert "**Failed**: 1 source(s) checked: 1 error(s)" in bad.read_text(encoding="utf-8")
    assert "| DG002 question-without-answer | error | 1 |" in bad.read_text(encoding="utf-8")
