"""The other shapes of interview pages: each fixture (written for these tests) read into exact
records, with nothing from the page chrome; the numbered-line rule; forcing a shape."""

from __future__ import annotations

import pytest

from deckgen.config import Settings
from deckgen.convert import to_markdown
from deckgen.model import ListBlock, Paragraph
from deckgen.readers import read_source
from deckgen.readers.markdown import read_markdown
from deckgen.readers.pages import read_page
from deckgen.validate import validate
from tests.helpers import FIXTURES, project, run

SHAPES = FIXTURES / "shapes"


def read(name: str):
    return read_source(SHAPES / name, name, 10**6)


def summary(deck):
    return [(c.number, c.question_text, [b.kind for b in c.answer], c.answer_text) for c in deck.cards]


def chrome_free(deck, *chrome):
    text = " ".join(c.question_text + " " + c.answer_text + " " + "".join(b.kind for b in c.extra) for c in deck.cards)
    return not any(piece in text for piece in chrome)


def test_numbered_questions_with_answers_below():
    deck = read("numbered.txt")
    assert deck.shape == "numbered"
    assert deck.title == "Backend Interview Questions You Should Prepare"
    assert summary(deck) == [
        (1, "What is an index?", ["paragraph", "paragraph"],
         "An index is a data structure that lets the database find rows without scanning the whole table.\n"
         "It costs extra writes and storage."),
        (2, "What is a deadlock?", ["paragraph", "list"],
         "Two transactions each wait for a lock the other holds. Common fixes:\n"
         "acquire locks in a fixed order\nkeep transactions short"),
        (3, "Explain eventual consistency.", ["paragraph"],
         "Replicas may disagree for a while but converge when writes stop."),
    ]
    assert deck.cards[1].answer[1].ordered
    assert chrome_free(deck, "Posted by", "min read", "Table of contents", "Practise", "Share", "Subscribe")
    reasons = {s.text: s.reason for s in deck.skipped}
    assert reasons["Posted by Dana Whitfield · 6 min read"] == "page chrome"
    assert reasons["1. What is an index?"] == "table of contents"
    assert reasons["Practise these out loud before the interview."] == "closing section (Conclusion)"
    assert reasons["Preparing for a backend interview? Below are the questions we hear most often, with short answers."] == "introduction"
    assert validate(deck, Settings()) == []


def test_numbered_questions_with_inline_answers():
    deck = read("inline.txt")
    assert deck.shape == "numbered-inline"
    assert summary(deck) == [
        (1, "What does DNS do?", ["paragraph"], "It translates host names into IP addresses."),
        (2, "What is the difference between TCP and UDP?", ["paragraph"],
         "TCP is connection-oriented and reliable; UDP sends datagrams without delivery guarantees."),
        (3, "What port does HTTPS use by default?", ["paragraph"], "443."),
    ]
    assert chrome_free(deck, "Related posts", "Linux commands")


def test_question_and_answer_labels():
    deck = read("labels.txt")
    assert deck.shape == "qa-labels"
    assert summary(deck) == [
        (1, "What is a p-value?", ["paragraph"],
         "The probability of results at least as extreme as those observed, assuming the null hypothesis is true."),
        (2, "What does a confidence interval say?", ["paragraph"],
         "A range of values that would contain the true parameter in a stated share of repeated samples."),
        (3, "Name two measures of spread.", ["list"], "variance\ninterquartile range"),
    ]
    assert chrome_free(deck, "study group", "Follow us")
    assert validate(deck, Settings()) == []


def test_coaching_blocks_keep_the_example_as_answer_and_the_advice_as_extra():
    deck = read("coaching.txt")
    assert deck.shape == "coaching"
    first, second = deck.cards
    assert first.question_text == "Tell me about yourself."
    assert first.answer == (Paragraph(first.answer[0].inlines),)
    assert first.answer_text == ("I'm a data analyst with four years in retail forecasting. I moved from "
                                 "spreadsheets to Python and now lead our demand model.")
    from deckgen.model import blocks_text

    assert blocks_text(first.extra) == (
        "The interviewer wants a short summary that connects your background to this role.\n"
        "How to answer: Give a two-minute story: where you are now, what you did before, why this job.")
    assert second.question_text == "Describe a time you disagreed with a colleague."
    assert second.answer_text.startswith("A teammate wanted to ship without tests.")
    assert chrome_free(deck, "Morgan Ellis", "Prepare three or four stories", "starting point")


def test_a_question_per_heading():
    deck = read("headings.txt")
    assert deck.shape == "headings"
    assert summary(deck) == [
        (1, "What is a Pod?", ["paragraph"],
         "The smallest deployable unit: one or more containers that share network and storage."),
        (2, "What does a Service do?", ["paragraph"],
         "It gives a stable address to a changing set of Pods and balances traffic between them."),
        (3, "How do liveness and readiness probes differ?", ["paragraph", "paragraph"],
         "A failing liveness probe restarts the container.\n"
         "A failing readiness probe only removes the Pod from Service endpoints."),
    ]
    assert chrome_free(deck, "Tip |", "kubectl basics", "Related articles", "Podman", "8 min read")


@pytest.mark.parametrize("name", ["numbered.txt", "inline.txt", "labels.txt", "coaching.txt", "headings.txt"])
def test_every_shape_converts_to_markdown_and_back(name):
    deck = read(name)
    again = read_markdown(to_markdown(deck), "x.md", "X")
    assert [(c.question, c.answer) for c in again.cards] == [(c.question, c.answer) for c in deck.cards]


def test_check_names_the_shape_and_lists_what_it_skipped(tmp_path):
    root = project(tmp_path)
    (root / "source" / "coaching.txt").write_bytes((SHAPES / "coaching.txt").read_bytes())
    result = run(["check", "-v"], root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "source/coaching.txt: 2 card(s) in 1 section(s), read as coaching"
    assert "source/coaching.txt:3:1: skipped page chrome: By Morgan Ellis · Updated March 2025" in lines


NUMBER_RULE = """Guide

1. What is a queue?

A first-in, first-out structure. Steps to use one:

2. push items at the back

3. pop them from the front

2. What is a stack?

Last in, first out.
"""


def test_the_numbered_line_rule():
    deck = read_page(NUMBER_RULE, "g.txt", "G", "numbered")
    assert [c.question_text for c in deck.cards] == ["What is a queue?", "What is a stack?"]
    assert "push items at the back" in deck.cards[0].answer_text
    assert isinstance(deck.cards[0].answer[1], ListBlock)
    found = [d.format() for d in deck.diagnostics]
    assert found == ["g.txt:7:1: warning: numbered line 2 does not read as a question; read as a list item [DG013]"]


def test_the_shape_can_be_forced(tmp_path):
    # a page of question headings, one of whose answers is a numbered list of questions
    text = ("Title\n\nWhat is a Pod?\n\nThe smallest unit.\n\nWhat should you ask at the end?\n\n"
            "1. What does a typical day look like?\n\n2. How is success measured?\n")
    root = project(tmp_path, {"k.txt": text})
    # the structure finder reads the question headings (the numbered questions have no answers)
    auto = run(["check"], root)
    assert "source/k.txt: 2 card(s) in 1 section(s), read as headings" in auto.stdout
    assert ("source/k.txt:1:1: warning: the document also looks like numbered; read as headings "
            "(set source-format to choose) [DG014]") in auto.stdout
    forced = run(["check", "--source-format", "numbered"], root)
    assert "source/k.txt: 2 card(s) in 1 section(s), read as numbered" in forced.stdout
    forced = run(["check", "--source-format", "headings"], root)
    assert "source/k.txt: 2 card(s) in 1 section(s), read as headings" in forced.stdout
    deck = read_page(text, "k.txt", "K", "headings")
    assert [c.question_text for c in deck.cards] == ["What is a Pod?", "What should you ask at the end?"]
    assert deck.cards[1].answer[0].ordered and len(deck.cards[1].answer[0].items) == 2
    (root / "deckgen.toml").write_text('source-format = "headings"\n', encoding="utf-8")
    assert "read as headings" in run(["check"], root).stdout


def test_a_mixed_document_gets_a_diagnostic(tmp_path):
    text = "Mixed\n\nQ1. What is A?\nA1. A.\n\nQuestion: What is B?\nAnswer: B.\n\nQuestion: What is C?\nAnswer: C.\n"
    root = project(tmp_path, {"m.txt": text})
    deck = read_source(root / "source" / "m.txt", "m.txt", 10**6)
    # every question is read, each in its own shape, and the mix is said
    assert [c.question_text for c in deck.cards] == ["What is A?", "What is B?", "What is C?"]
    assert [d.format() for d in deck.diagnostics] == [
        "m.txt:1:1: warning: the document mixes shapes: read as qa-labels, lines 3-4 as qa-markers "
        "(set source-format to choose one) [DG014]"]
