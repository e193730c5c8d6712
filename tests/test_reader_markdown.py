"""The Markdown reader: structure, inline runs, links and images, per-card settings; and the
answer's structure surviving into every output."""

from __future__ import annotations

import shutil

import pytest

from deckgen.model import CodeBlock, Inline, ListBlock, Paragraph
from deckgen.readers import read_source
from tests.helpers import FIXTURES, import_apkg, notes, pdf_text, project, run, squash


@pytest.fixture
def deck():
    return read_source(FIXTURES / "markdown-deck.md", "deck.md", 10**7)


def test_title_sections_and_cards(deck):
    assert deck.title == "Markdown Deck"
    assert [s.title for s in deck.sections] == ["Basics", "Numbers"]
    assert [c.question_text for c in deck.cards] == ["What is X?", "Show the picture?", "Steps?"]
    assert [c.number for c in deck.cards] == [1, 2, 3]
    assert deck.shape == "markdown:h3"


def test_inline_runs_and_blocks(deck):
    first = deck.cards[0]
    assert first.question == (Inline("text", "What is "), Inline("em", "X"), Inline("text", "?"))
    paragraph, bullets, code = first.answer
    assert isinstance(paragraph, Paragraph) and isinstance(bullets, ListBlock) and isinstance(code, CodeBlock)
    kinds = [(r.kind, r.text, r.href) for r in paragraph.inlines]
    assert ("strong", "bold", "") in kinds and ("code", "code", "") in kinds
    assert ("link", "the docs", "https://example.com/x") in kinds
    assert ("link", "mail", "mailto:a@b.c") in kinds
    assert code.code == 'print("<b>hi</b>")' and code.language == "python"
    assert deck.cards[2].answer[0].ordered


def test_unsafe_links_become_text_with_a_warning(deck):
    runs = deck.cards[0].answer[0].inlines
    assert not any(r.kind == "link" and not r.href.startswith(("https:", "mailto:")) for r in runs)
    assert "a trap" in "".join(r.text for r in runs)
    found = [(d.code, d.span.line) for d in deck.diagnostics]
    assert found.count(("DG301", 8)) == 2


def test_only_images_beside_the_source_are_kept(deck):
    runs = deck.cards[1].answer[0].inlines
    assert [r for r in runs if r.kind == "image"] == [Inline("image", "a red dot", "dot.png")]
    assert deck.images == ("dot.png",)
    assert [d.code for d in deck.diagnostics].count("DG302") == 2


def test_per_card_id_tags_and_disabled_rules(deck):
    first = deck.cards[0]
    assert first.explicit_id == "what-is-x"
    assert first.tags == ("intro", "core")
    assert first.disabled_rules == ("DG102",)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("md"))
    shutil.copy(FIXTURES / "markdown-deck.md", root / "source" / "deck.md")
    shutil.copy(FIXTURES / "dot.png", root / "source" / "dot.png")
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.slow
def test_structure_survives_into_the_html(built):
    html = (built / "build" / "deck.html").read_text(encoding="utf-8")
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://example.com/x">the docs</a>' in html
    assert "javascript:" not in html and "file:///etc/passwd" not in html
    assert '<pre tabindex="0"><code class="language-python"><span class="hl-nb">print</span>' in html  # highlighted
    assert "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>hi" not in html
    assert '<img src="data:image/png;base64,' in html
    assert "<ol>" in html and "<em>X</em>" in html


@pytest.mark.slow
def test_structure_survives_into_anki(built, tmp_path):
    import_apkg(built / "build" / "deck.apkg", tmp_path / "c.anki2")
    found = {n["fields"]["Id"]: n for n in notes(tmp_path / "c.anki2")}
    first = found["what-is-x"]
    assert first["fields"]["Question"] == "What is <em>X</em>?"
    assert "<strong>bold</strong>" in first["fields"]["Answer"]
    assert '<a href="https://example.com/x">the docs</a>' in first["fields"]["Answer"]
    assert sorted(first["tags"]) == ["Basics", "core", "intro"]
    picture = next(n for n in found.values() if n["fields"]["Question"] == "Show the picture?")
    assert '<img src="' in picture["fields"]["Answer"]
    media = (tmp_path / "c.media")
    assert [p.name.endswith("-dot.png") for p in media.iterdir()] == [True]


@pytest.mark.slow
def test_structure_survives_into_the_pdf(built):
    from pypdf import PdfReader

    text = squash(" ".join(pdf_text(built / "build" / "deck.cheatsheet.pdf")))
    nospace = text.replace(" ", "")  # a long URL wraps where the layout likes
    assert "thedocs(https://example.com/x)" in nospace
    assert 'print("<b>hi</b>")' in text
    reader = PdfReader(str(built / "build" / "deck.cheatsheet.pdf"))
    assert sum(len(page.images) for page in reader.pages) == 1


HEADING_ATTRIBUTES = """---
title: "Frequently Asked Questions (FAQ)"
---

## Origins {#Origins}

### What is the purpose of the project? {#What_is_the_purpose_of_the_project}

To make programming productive again.

### What is the history of the project? {#history .faq data-x="a b"}

Sketching started on September 21, 2007; templates write `{#each}` and {#if x}.

## Svelte blocks {#each items as item}

### Can I convert a []T to an []interface{}? {#convert_slice}

Not directly.

### What does {#each} do?

It repeats a block.
"""


def test_a_headings_trailing_attribute_block_is_not_its_text(tmp_path):
    """`{#id}` / `{#id .class key=value}` after a heading (Pandoc, kramdown, Goldmark, Hugo) is
    dropped from questions and section names; braces that hold anything else stay."""
    path = tmp_path / "faq.md"
    path.write_text(HEADING_ATTRIBUTES, encoding="utf-8")
    deck = read_source(path, "faq.md", 10**7)
    assert [c.question_text for c in deck.cards] == [
        "What is the purpose of the project?", "What is the history of the project?",
        "Can I convert a []T to an []interface{}?", "What does {#each} do?"]
    assert [s.title for s in deck.sections] == ["Origins", "Svelte blocks {#each items as item}"]
    assert deck.cards[1].answer_text == "Sketching started on September 21, 2007; templates write {#each} and {#if x}."
    html = run(["build", "--format", "html"], project(tmp_path / "p", {"faq.md": HEADING_ATTRIBUTES}))
    assert html.exit_code == 0
    page = (tmp_path / "p" / "build" / "faq.html").read_text(encoding="utf-8")
    assert "{#history" not in page and "{#Origins}" not in page and "What is the history of the project?" in page


HTML_HEADINGS = """# FAQ

* [Does ripgrep support configuration files?](#config)
* [When is the next release?](#release)
* [How do I use `rg` with *globs*?](#globs)

<h2 id="basics">The <code>rg</code> basics</h2>

<h3 name="config">
Does ripgrep support configuration files?
</h3>

Yes. See the guide's section on configuration files.

<h3 name="release">
When is the next release?
</h3>

Releases are made on a best effort basis.

<h3 name="globs">How do I use <code>rg</code> with *globs* &amp; paths?</h3>
<p>Pass <code>-g</code> once per glob.</p>

```html
<h3>Not a question, an example</h3>
```
"""


def test_a_raw_html_heading_is_a_heading(tmp_path):
    """`<h3 name="config">` / words / `</h3>` (ripgrep's FAQ) is a heading as GitHub shows it:
    each is a question with the answer below it, not a block of the question before it."""
    path = tmp_path / "faq.md"
    path.write_text(HTML_HEADINGS, encoding="utf-8")
    deck = read_source(path, "faq.md", 10**7)
    assert deck.shape == "markdown:h3"
    assert [c.question_text for c in deck.cards] == [
        "Does ripgrep support configuration files?", "When is the next release?",
        "How do I use rg with *globs* & paths?"]
    assert [c.answer_text for c in deck.cards] == [
        "Yes. See the guide's section on configuration files.", "Releases are made on a best effort basis.",
        "Pass -g once per glob.\n<h3>Not a question, an example</h3>"]
    assert [c.span.line for c in deck.cards] == [9, 15, 21]
    assert [s.title for s in deck.sections] == ["The rg basics"]
    assert deck.cards[2].question[1] == Inline("code", "rg")
    assert not [d for d in deck.diagnostics if d.severity == "error"]
    checked = run(["check"], project(tmp_path / "p", {"faq.md": HTML_HEADINGS}))
    assert checked.exit_code == 0 and "0 error(s), 0 warning(s)" in checked.output


FRONT_MATTER = """---
title: "JavaScript Questions"
layout: layouts/page.njk
tags:
  - interview
---

## General

### What is a closure?

A function with the variables it was made with.
"""


def test_a_yaml_front_matter_is_the_pages_title_not_a_section(tmp_path):
    """Jekyll's, Eleventy's or Hugo's front matter (`---` / `key: value` / `---`) is left out as
    chrome, named by check -v, and its `title:` titles the deck when no `# Title` does; the
    closing `---` no longer makes its lines a `##` section named "title: ... layout: ..."."""
    path = tmp_path / "js.md"
    path.write_text(FRONT_MATTER, encoding="utf-8")
    deck = read_source(path, "js.md", 10**7)
    assert deck.title == "JavaScript Questions"
    assert [s.title for s in deck.sections] == ["General"]
    assert [(c.question_text, c.answer_text) for c in deck.cards] == [
        ("What is a closure?", "A function with the variables it was made with.")]
    assert {s.reason for s in deck.skipped} == {"front matter"}
    # a rule and a heading at the top are no front matter
    plain = tmp_path / "plain.md"
    plain.write_text("---\n\n# Questions\n\n---\n\n### What is a closure?\n\nA function.\n", encoding="utf-8")
    assert read_source(plain, "plain.md", 10**7).title == "Questions"
