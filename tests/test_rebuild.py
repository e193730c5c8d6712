"""No-op rebuilds: nothing changed means nothing rendered or touched; any input or output that
changed means that output is rendered again. And how a build reports progress."""

from __future__ import annotations

import os

import pytest

from tests.helpers import project, run

GOOD = "Deck\n\nQ1. What?\nA1. That.\n\nQ2. Why?\nA2. Because.\n"
NAMES = ("d.apkg", "d.cheatsheet.pdf", "d.cards.pdf", "d.html", "index.html")  # index.html: the deck site


def stamps(root):
    return {name: os.stat(root / "build" / name).st_mtime_ns for name in NAMES}


@pytest.fixture
def built(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    assert run(["build"], root).exit_code == 0
    return root


@pytest.mark.slow
def test_nothing_changed_nothing_is_written(built):
    before = stamps(built)
    result = run(["build"], built)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"unchanged build/{name} ({(built / 'build' / name).stat().st_size:,} bytes, 2 cards)" for name in NAMES]
    assert stamps(built) == before


@pytest.mark.slow
def test_an_edited_or_deleted_output_is_rebuilt(built):
    (built / "build" / "d.html").write_text("edited by hand", encoding="utf-8")
    (built / "build" / "d.apkg").unlink()
    result = run(["build"], built)
    assert "wrote build/d.html" in result.stdout and "wrote build/d.apkg" in result.stdout
    assert "unchanged build/d.cheatsheet.pdf" in result.stdout
    assert "<!DOCTYPE html>" in (built / "build" / "d.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(("change", "rebuilt"), [
    ("source", NAMES[:4]),  # an answer: the site (questions, sizes in KB) reads the same
    ("template", ("d.html",)),
    ("settings", ("d.cheatsheet.pdf", "d.cards.pdf")),
    ("date", ("d.cheatsheet.pdf", "d.cards.pdf", "d.html", "index.html")),  # the site shows the date
])
def test_a_changed_input_rebuilds_what_it_shapes(built, change, rebuilt):
    args, env = ["build"], None
    if change == "source":
        (built / "source" / "d.txt").write_text(GOOD.replace("Because.", "Because so."), encoding="utf-8")
    elif change == "template":
        theme = built / "theme"
        theme.mkdir()
        (theme / "handout.html.j2").write_text("{% extends 'builtin/handout.html.j2' %}{% block footer %}x{% endblock %}",
                                               encoding="utf-8")
        args += ["--templates", "theme"]
    elif change == "settings":
        args += ["--paper", "letter"]
    else:
        env = {"SOURCE_DATE_EPOCH": "1767225600"}
    result = run(args, built, env=env)
    assert result.exit_code == 0, result.output
    wrote = sorted(line.split()[1].split("/")[-1] for line in result.stdout.splitlines() if line.startswith("wrote"))
    assert wrote == sorted(rebuilt)


def test_progress_on_a_terminal_and_only_summaries_elsewhere(monkeypatch, capsys):
    from deckgen.model import OutputResult, Progress
    from deckgen.terminal import progress as _progress

    done = OutputResult("build/d.html", "html", size=1234, cards=2, seconds=0.5)
    for tty, quiet, shown in ((True, False, True), (True, True, False), (False, False, False)):
        monkeypatch.setattr("sys.stderr.isatty", lambda tty=tty: tty)
        report = _progress(quiet)
        report("laying out 2 PDFs (80 cards) on 2 cores", None)
        clock = iter([100.0, 110.0, 110.0])
        monkeypatch.setattr("time.monotonic", lambda clock=clock: next(clock))
        report(Progress("laying out 3 part(s) of 2 PDF(s)", 0, 3), None)  # at 100 s
        report("build/d.html", done)
        report(Progress("laying out", 1, 3), None)  # at 110 s: a third done, 20 s left
        monkeypatch.undo()
        out, err = capsys.readouterr()
        assert out == "wrote build/d.html (1,234 bytes, 2 cards, 0.50 s)\n"
        assert ("... laying out 2 PDFs (80 cards) on 2 cores" in err) is shown
        assert ("... laying out 3 part(s) of 2 PDF(s)\n" in err) is shown
        assert ("] 1/3 parts, about 20 s left" in err) is shown  # timed from the start, not the first part
