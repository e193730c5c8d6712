"""What a command loads: a path pays only for the libraries it uses (issue 26). `deckgen --help`
loads no template engine and no records; an Anki deck never loads WeasyPrint, pikepdf or the PDF
stage; a Markdown deck never loads the plain-text reader it does not fall back to. Each command
runs in a fresh interpreter, as a user starts it, and reports the modules loaded when it ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import RNN, project

# runs deckgen's CLI, then prints the names of every module loaded, whatever the exit code
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stdout__.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
from deckgen.cli import main
main(sys.argv[1:], prog_name="deckgen")
"""

PDF_STAGE = {"weasyprint", "pikepdf", "deckgen.layout", "deckgen.workers", "deckgen.writers.pdf"}


def loaded(args: list[str], cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def test_help_loads_neither_templates_nor_records(tmp_path):
    modules = loaded(["--help"], tmp_path)
    assert "deckgen.cli" in modules  # the probe ran the command
    assert not modules & {"jinja2", "deckgen.model", "deckgen.build", "markdown_it", *PDF_STAGE}


def test_an_anki_deck_of_a_text_document_loads_no_pdf_library_and_no_markdown(tmp_path):
    folder = project(tmp_path, rnn=True)
    modules = loaded(["build", "--format", "apkg", "--quiet"], folder)
    assert (folder / "build" / f"{RNN.stem}.apkg").is_file()
    assert "genanki" in modules
    assert not modules & (PDF_STAGE | {"markdown_it", "bs4", "deckgen.readers.html"})


def test_an_anki_deck_of_markdown_loads_no_pdf_library_and_no_text_reader(tmp_path):
    folder = project(tmp_path, {"deck.md": "# Deck\n\n## What is a gate?\n\nA valve for the state.\n\n"
                                           "## What is a cell?\n\nThe memory of an LSTM.\n"})
    modules = loaded(["build", "--format", "apkg", "--quiet"], folder)
    assert (folder / "build" / "deck.apkg").is_file()
    assert "markdown_it" in modules
    assert not modules & (PDF_STAGE | {"bs4", "deckgen.readers.html", "deckgen.readers.textblocks"})


def test_a_pdf_build_loads_the_pdf_stage(tmp_path):
    """The other side of the tests above: the probe sees what a build loads."""
    folder = project(tmp_path, rnn=True)
    modules = loaded(["build", "--format", "cheatsheet", "--quiet", "--no-cache"], folder)
    assert {"deckgen.layout", "deckgen.writers.pdf"} <= modules
