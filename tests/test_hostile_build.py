"""Hostile surroundings of a build (issue #23): file names that try to be GitHub workflow
commands, a layout cache shared with others and tampered with, builds killed or stopped, and
sources saved in UTF-16."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import project, run

BROKEN = "Q1. What?\nA1. That.\nQ3. Why?\nA4. Because.\n"


def workflow_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands the GitHub runner finds in `output`, as it parses them (a line that
    starts with `::` once leading white space is gone), unescaped: (command, properties, data)."""

    def unescape(text: str) -> str:
        for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, char)
        return text

    found = []
    for line in output.splitlines():
        line = line.lstrip()
        if not line.startswith("::"):
            continue
        head, _, data = line[2:].partition("::")
        command, _, rest = head.partition(" ")
        properties = dict(p.split("=", 1) for p in rest.split(",") if p)
        found.append((command, {k: unescape(v) for k, v in properties.items()}, unescape(data)))
    return found


NAME = "d\n::notice file=x.txt::pwned,line=9:1\r::add-mask::x.txt"


def test_a_file_name_cannot_inject_workflow_commands(tmp_path):
    root = project(tmp_path)
    (root / "source" / NAME).write_text(BROKEN, encoding="utf-8")
    result = run(["check", "--output-format", "github"], root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::warning file=source/d%0A%3A%3Anotice file=x.txt%3A%3Apwned%2Cline=9%3A1%0D%3A%3Aadd-mask%3A%3Ax.txt,"
        "line=3,col=1,title=DG008::Q3 follows Q1: Q2 missing",
        "::error file=source/d%0A%3A%3Anotice file=x.txt%3A%3Apwned%2Cline=9%3A1%0D%3A%3Aadd-mask%3A%3Ax.txt,"
        "line=4,col=1,title=DG004::answer A4 follows question Q3",
    ]
    # what the runner makes of it: two annotations on the file as it is named, nothing else
    assert workflow_commands(result.output) == [
        ("warning", {"file": f"source/{NAME}", "line": "3", "col": "1", "title": "DG008"}, "Q3 follows Q1: Q2 missing"),
        ("error", {"file": f"source/{NAME}", "line": "4", "col": "1", "title": "DG004"}, "answer A4 follows question Q3"),
    ]


def test_an_unreadable_source_is_an_escaped_annotation_too(tmp_path):
    root = project(tmp_path)
    name = "e\n::error file=x.txt::fake: error: a [DG001].txt"
    (root / "source" / name).write_bytes(b"  \n")
    result = run(["check", "--output-format", "github"], root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "::error::source/e%0A::error file=x.txt::fake: error: a [DG001].txt: the file is empty\n")
    assert workflow_commands(result.output) == [("error", {}, f"source/{name}: the file is empty")]


EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
CARDS_PDF = "rnn-interview-questions.cards.pdf"


def _cached_parts(cache: Path) -> list[Path]:
    return sorted((cache / "deckgen" / "parts").glob("*/*.pdf"))


@pytest.mark.parametrize("copied", ["the part's PDF", "the whole entry"])
def test_a_cached_part_copied_over_another_is_laid_out_again(tmp_path, copied):
    """A layout cache restored from CI is shared: one entry put in another's place (the flashcards'
    Q1-Q40 where Q41-Q80 belong) is found out and laid out again, and the build says so."""
    from tests.helpers import pdf_text

    env = {**EPOCH, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    clean = project(tmp_path / "clean", rnn=True)
    assert run(["build", "--format", "cards", "--no-cache"], clean, env=env).exit_code == 0
    expected = pdf_text(clean / "build" / CARDS_PDF)

    root = project(tmp_path / "deck", rnn=True)
    assert run(["build", "--format", "cards"], root, env=env).exit_code == 0
    parts = _cached_parts(tmp_path / "cache")
    assert len(parts) == 2  # 40 cards a part
    first, second = parts
    second.write_bytes(first.read_bytes())
    if copied == "the whole entry":
        second.with_suffix(".json").write_bytes(first.with_suffix(".json").read_bytes())
    shutil.rmtree(root / "build")
    again = run(["build", "--format", "cards"], root, env=env)
    assert again.exit_code == 0, again.output
    assert pdf_text(root / "build" / CARDS_PDF) == expected
    text = "\n".join(expected)
    assert all(f"{n}/80" in text for n in range(1, 81))
    cache_folder = tmp_path / "cache" / "deckgen" / "parts"
    notes = [line for line in again.stderr.splitlines() if "[DG" not in line]  # the deck's own warnings aside
    assert notes == [f"note: {cache_folder}: 1 cached PDF part was not what its entry says "
                     "(damaged, or copied from another); laid out again"]
    # the entry is right again: the next build takes both parts from the cache, quietly
    assert _cached_parts(tmp_path / "cache") == parts and second.read_bytes() != first.read_bytes()
    shutil.rmtree(root / "build")
    third = run(["build", "--format", "cards"], root, env=env)
    assert third.exit_code == 0 and [line for line in third.stderr.splitlines() if "[DG" not in line] == []
    assert pdf_text(root / "build" / CARDS_PDF) == expected
