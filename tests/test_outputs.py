"""The RNN document's outputs read back as users meet them: Anki, a PDF reader, the HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import deckgen
from deckgen.readers.text import read_text
from tests.helpers import RNN, import_apkg, notes, pdf_text, run, squash

NAME = "rnn-interview-questions"
QUESTIONS = [c.question_text for c in read_text(RNN.read_text(encoding="utf-8"), "r", "R").cards]


def test_the_real_questions_are_80():
    assert len(QUESTIONS) == 80  # the list the checks below look for


@pytest.mark.slow
def test_anki_imports_80_notes_in_a_subdeck_per_section(rnn_build, tmp_path):
    imported = import_apkg(rnn_build / "build" / f"{NAME}.apkg", tmp_path / "c.anki2")
    assert imported.notes == 80 and imported.cards == 80
    assert len(imported.log.new) == 80 and not imported.log.conflicting
    title = "RNN frequent Interview Questions"
    subdecks = [d for d in imported.decks if d.startswith(title + "::")]
    assert len(subdecks) == 7
    found = notes(tmp_path / "c.anki2")
    assert sorted(n["fields"]["Question"] for n in found) == sorted(QUESTIONS)
    q39 = next(n for n in found if n["fields"]["Number"] == "39")
    assert q39["fields"]["Answer"].count("<li>") == 2
    assert q39["deck"] == f"{title}::Advanced Topics"
    assert q39["tags"] == ["Advanced_Topics"]
    q60 = next(n for n in found if n["fields"]["Number"] == "60")
    assert "&lt;UNK&gt;" in q60["fields"]["Answer"]


@pytest.mark.slow
def test_cheatsheet_has_every_question(rnn_build):
    pages = pdf_text(rnn_build / "build" / f"{NAME}.cheatsheet.pdf")
    text = squash(" ".join(pages))
    missing = [q for q in QUESTIONS if squash(q) not in text]
    assert missing == []
    assert squash(pages[0]).endswith(f"page 1 of {len(pages)}")


@pytest.mark.slow
def test_cheatsheet_is_a4_by_default(rnn_build):
    from pypdf import PdfReader

    box = PdfReader(str(rnn_build / "build" / f"{NAME}.cheatsheet.pdf")).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


@pytest.mark.slow
def test_letter_paper(tmp_path):
    from pypdf import PdfReader

    from tests.helpers import project

    root = project(tmp_path, {"d.txt": "Q1. A?\nA1. B.\n"})
    assert run(["build", "--format", "cheatsheet", "--paper", "letter"], root).exit_code == 0
    box = PdfReader(str(root / "build" / "d.cheatsheet.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external, self.cards = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "card" in (a.get("class") or ""):
            self.cards += 1
        for key in ("src", "srcset", "data"):
            if a.get(key) and not a[key].startswith("data:"):
                self.external.append((tag, a[key]))
        if tag == "link" and a.get("href"):
            self.external.append((tag, a["href"]))


@pytest.mark.slow
def test_html_holds_80_cards_and_loads_nothing_from_outside(rnn_build):
    html = (rnn_build / "build" / f"{NAME}.html").read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(html)
    assert parser.cards == 80
    assert parser.external == []
    # no address anywhere but in the comments of the pinned scheduler (ts-fsrs, study mode), which
    # cite its issues; the browser tests check that nothing is requested
    scheduler = (Path(deckgen.__file__).parent / "assets" / "ts-fsrs.js").read_text(encoding="utf-8")
    assert html.count(scheduler.strip()[:200]) == 1
    assert not re.search(r"url\(|@import|https?://", html.replace(scheduler.strip(), ""))
    assert html.count('<nav class="toc"') == 1


@pytest.mark.slow
def test_blog_chrome_appears_in_no_output(rnn_build):
    build = rnn_build / "build"
    texts = [
        (build / f"{NAME}.html").read_text(encoding="utf-8"),
        " ".join(pdf_text(build / f"{NAME}.cheatsheet.pdf")),
        " ".join(str(n["fields"]) for n in notes_of(build / f"{NAME}.apkg")),
    ]
    for text in texts:
        assert "Popular posts" not in text and "LINEAR REGRESSION" not in text


def notes_of(apkg):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    import_apkg(apkg, folder / "c.anki2")
    return notes(folder / "c.anki2")


@pytest.mark.slow
def test_rebuild_gives_identical_bytes(rnn_build):
    build = rnn_build / "build"
    before = {p.name: p.read_bytes() for p in build.iterdir()}
    assert run(["build"], rnn_build).exit_code == 0
    assert {p.name: p.read_bytes() for p in build.iterdir()} == before
