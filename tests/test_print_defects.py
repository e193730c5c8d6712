"""Print defects, read back as users meet them: a numbered list keeps its first number in every
output."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.helpers import import_apkg, notes, project, run

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
def lists_build(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("lists"), {"lists.md": LISTS})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    return root


def pdftotext(pdf, *args) -> list[str]:
    """Each page's text as poppler reads it (text inside form XObjects included)."""
    out = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


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
