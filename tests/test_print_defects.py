"""Print defects, read back as users meet them: a flashcard face far too long for any card goes
on over as many cards as it needs (nothing lost, each card marked, fronts and backs still
aligned for duplex), and a numbered list keeps its first number in every output."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.helpers import import_apkg, notes, project, run

pytestmark = pytest.mark.slow

CODE = [f"value_{n:03d} = compute({n:03d}) + 1" for n in range(1, 551)]
LONG = """# Long Code Deck

## Basics

### What is a list?

A list holds items in order.

### What is a tuple?

An immutable sequence.

### Show the whole program?

```python
{code}
```

### What is a set?

Unordered, without duplicates.

## More

### What is a dict?

A mapping of keys to values.
""".replace("{code}", "\n".join(CODE))
LISTS = """# Lists

## Steps

### Which steps come next?

3. foo
4. bar

### And from the start?

1. alpha
2. beta
"""


@pytest.fixture(scope="module")
def long_build(tmp_path_factory):
    """A 550-line code block as one answer, among short cards: flashcards and cheat sheet."""
    root = project(tmp_path_factory.mktemp("long"), {"long.md": LONG})
    return root, run(["build", "--format", "cards", "--format", "cheatsheet"], root)


@pytest.fixture(scope="module")
def lists_build(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("lists"), {"lists.md": LISTS})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    return root


def pdftotext(pdf, *args) -> list[str]:
    """Each page's text as poppler reads it (text inside form XObjects included)."""
    out = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def card_texts(pdf, page: int) -> list[str]:
    """The text of each card on a page of eight-up flashcards on A4 (2 x 4 cards of 95 x 64 mm,
    centred), in reading order: poppler reads each card's area alone."""
    points = 72 / 25.4
    texts = []
    for row in range(4):
        for column in range(2):
            x, y = 10 + 95 * column, 20.5 + 64 * row
            area = [str(round(v * points)) for v in (x + 1, y + 1, 93, 62)]
            texts += pdftotext(pdf, "-f", str(page + 1), "-l", str(page + 1),
                               *(a for pair in zip(("-x", "-y", "-W", "-H"), area, strict=True) for a in pair))
    return texts


def label(text: str) -> str:
    """A card's label: Q3, or Q3 (2/9) on one of the cards a long card continues on."""
    match = re.match(r"(Q\d+(?: \(\d+/\d+\))?) ·", text.strip())
    return match[1] if match else ""


def test_a_face_taller_than_the_measuring_page_continues_on_more_cards(long_build):
    root, result = long_build
    assert result.exit_code == 0, result.output  # a warning, as the other DG203 ones
    match = re.search(r"source/long\.md:(\d+):1: warning: Q3's answer does not fit a eight-up card even at "
                      r"7 pt; it continues on (\d+) cards, marked \(1/\2\) to \(\2/\2\) \[DG203\]", result.stderr)
    assert match, result.stderr
    assert LONG.splitlines()[int(match[1]) - 1] == "```python"  # the answer's first line
    count = int(match[2])
    assert count > 10  # 550 lines at 7 pt, about 15 to a card
    assert "Q1's" not in result.stderr and "Q5's" not in result.stderr

    pdf = root / "build" / "long.cards.pdf"
    pages = len(PdfReader(str(pdf)).pages)
    assert pages == 2 * -(-(4 + count) // 8)  # the other four cards and `count` for the long one, 8 a sheet

    # sheet by sheet: every back behind its front (long-edge: the columns mirrored), each card of
    # the long one marked on both sides, its question on each front, its answer's pieces behind
    labels, pieces = [], []
    for sheet in range(0, pages, 2):
        fronts, backs = card_texts(pdf, sheet), card_texts(pdf, sheet + 1)
        for slot, front in enumerate(fronts):
            row, column = divmod(slot, 2)
            back = backs[2 * row + 1 - column]
            assert label(front) == label(back), (sheet, slot)
            if label(front):
                labels.append(label(front))
            if label(front).startswith("Q3"):
                assert "Show the whole program?" in front
                assert back.startswith(f"{label(front)} · Basics · answer")
                pieces.append(back)
    assert labels == ["Q1", "Q2", *(f"Q3 ({k}/{count})" for k in range(1, count + 1)), "Q4", "Q5"]
    # every line of the code once, in order, card after card: nothing lost, nothing cut
    assert re.findall(r"value_\d{3} = compute\(\d{3}\) \+ 1", "\n".join(pieces)) == CODE
    assert all(len(re.findall("value_", piece)) >= 10 for piece in pieces[:-1])  # cards filled


def test_the_same_long_answer_on_the_cheat_sheet_loses_nothing(long_build):
    root, result = long_build
    assert "wrote build/long.cheatsheet.pdf" in result.output and "long.cheatsheet.pdf: " not in result.output
    text = "\n".join(pdftotext(root / "build" / "long.cheatsheet.pdf"))
    assert re.findall(r"value_\d{3} = compute\(\d{3}\) \+ 1", text) == CODE
    for question in ("What is a list?", "What is a set?", "What is a dict?"):
        assert question in text


@pytest.mark.parametrize("name", ["lists.cheatsheet.pdf", "lists.cards.pdf"])
def test_a_numbered_list_keeps_its_first_number_in_the_pdfs(lists_build, name):
    text = "\n".join(pdftotext(lists_build / "build" / name))
    assert re.search(r"3\.\s+foo\s+4\.\s+bar", text), text
    assert re.search(r"1\.\s+alpha\s+2\.\s+beta", text), text


def test_a_numbered_list_keeps_its_first_number_in_the_handout_and_anki(lists_build, tmp_path):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((lists_build / "build" / "lists.html").read_text(encoding="utf-8"), "html.parser")
    lists = {ol.li.get_text(strip=True): ol.get("start") for ol in page.select(".answer ol")}
    assert lists == {"foo": "3", "alpha": None}  # a list from 1 needs no start

    import_apkg(lists_build / "build" / "lists.apkg", tmp_path / "collection.anki2")
    fields = {n["fields"]["Question"]: n["fields"] for n in notes(tmp_path / "collection.anki2")}
    answer = BeautifulSoup(fields["Which steps come next?"]["Answer"], "html.parser")
    assert answer.ol["start"] == "3" and [li.get_text() for li in answer.ol("li")] == ["foo", "bar"]
