"""The plain-text reader on the real RNN document and on the variations pasted documents have."""

from __future__ import annotations

import pytest

from deckgen.model import ListBlock, Paragraph
from deckgen.readers import read_source
from deckgen.readers.text import read_text
from tests.helpers import RNN, project, run


@pytest.fixture(scope="module")
def rnn():
    return read_text(RNN.read_text(encoding="utf-8"), "source/rnn.txt", "Rnn")


def test_rnn_document_has_title_sections_and_80_cards(rnn):
    assert rnn.title == "RNN frequent Interview Questions"
    assert len(rnn.cards) == 80
    assert [c.number for c in rnn.cards] == list(range(1, 81))
    assert [s.title for s in rnn.sections] == [
        "Basics of RNNs", "Training RNNs", "Variants of RNNs", "Architecture and Design",
        "Optimization and Regularization", "Practical Applications", "Advanced Topics",
    ]


def test_questions_after_the_last_heading_stay_in_its_section(rnn):
    by_number = {c.number: c for c in rnn.cards}
    assert by_number[36].section == "Advanced Topics"
    assert by_number[80].section == "Advanced Topics"
    assert len(rnn.sections[-1].cards) == 50


def test_q39_answer_is_a_list_of_two_items(rnn):
    card = next(c for c in rnn.cards if c.number == 39)
    assert len(card.answer) == 1 and isinstance(card.answer[0], ListBlock)
    items = card.answer[0].items
    assert len(items) == 2
    assert items[0][0].inlines[0].text.startswith("Soft Attention: Computes a weighted sum")
    assert items[1][0].inlines[0].text.startswith("Hard Attention: Selects a single input")


def test_blog_chrome_is_not_content(rnn):
    everything = " ".join(c.question_text + " " + c.answer_text for c in rnn.cards)
    for chrome in ("Comments", "Popular posts", "Resume Work", "LINEAR REGRESSION", "MMM basics"):
        assert chrome not in everything
    assert [s.text for s in rnn.skipped][:2] == ["Comments", "Popular posts from this blog"]
    assert rnn.cards[-1].answer_text.endswith("ensure balanced learning.")
    assert rnn.stray == ()


def test_spans_point_at_the_question_and_answer_lines(rnn):
    lines = RNN.read_text(encoding="utf-8").splitlines()
    for card in rnn.cards:
        assert lines[card.span.line - 1].startswith(f"Q{card.number}.")
        assert lines[card.answer_span.line - 1].startswith(f"A{card.number}.")


def test_answer_with_html_like_text_stays_text(rnn):
    card = next(c for c in rnn.cards if c.number == 60)
    assert "<UNK>" in card.answer_text


def read(text: str):
    return read_text(text, "x.txt", "X")


def test_crlf_cr_bom_tabs_and_nbsp_are_layout():
    text = "\ufeffTitle\r\n\r\nQ1.\tWhat?\r\nA1. It\u00a0is.  \r\n\u00a0\r\nQ2. Why?\rA2. Because.\r"
    deck = read(text)
    assert deck.title == "Title"
    assert [(c.question_text, c.answer_text) for c in deck.cards] == [
        ("What?", "It is."), ("Why?", "Because."),
    ]


@pytest.mark.parametrize("mark", ["Q1.", "Q1)", "Q1:", "Q 1."])
def test_question_marker_variants(mark):
    deck = read(f"{mark} What is it?\n{mark.replace('Q', 'A')} A thing.\n")
    assert deck.cards[0].number == 1
    assert deck.cards[0].question_text == "What is it?"
    assert deck.cards[0].answer_text == "A thing."


def test_answer_on_the_next_line_and_several_paragraphs():
    deck = read("Q1. What?\nA1.\nFirst paragraph\nwraps here.\n\nSecond paragraph.\n\nQ2. Next?\nA2. Yes.\n")
    first = deck.cards[0]
    assert [type(b) for b in first.answer] == [Paragraph, Paragraph]
    assert first.answer_text == "First paragraph wraps here.\nSecond paragraph."


@pytest.mark.parametrize("bullet", ["•", "-", "*", "–"])
def test_bullets(bullet):
    deck = read(f"Q1. List?\nA1. Two things:\n{bullet} one\n{bullet} two\n")
    answer = deck.cards[0].answer
    assert isinstance(answer[0], Paragraph) and isinstance(answer[1], ListBlock)
    assert not answer[1].ordered
    assert [item[0].inlines[0].text for item in answer[1].items] == ["one", "two"]


def test_numbered_list_in_an_answer():
    deck = read("Q1. Steps?\nA1.\n1. first\n2. second\n")
    block = deck.cards[0].answer[0]
    assert isinstance(block, ListBlock) and block.ordered and len(block.items) == 2


def test_no_title_no_headings():
    deck = read("Q1. What?\nA1. That.\n")
    assert deck.title == "X"
    assert len(deck.sections) == 1 and deck.sections[0].title == ""


def test_text_outside_cards_is_kept_as_stray_not_dropped():
    deck = read("Title\n\nQ1. What?\n\nsome stray note\n\nA1. That.\n")
    assert [s.text for s in deck.stray] == ["some stray note"]


# -- numbered FAQs: a contents list, group headings, an answer's own steps -----------------------

INDENTED_FAQ = """\
Tool FAQ

 1. Basics
  1.1 What is tool?
  1.2 How do I port tool to my OS?

 2. Install Problems
  2.1 Does tool work/build with other SSL libraries?
  2.2 configure fails when using static libraries

==============================================================================

1. Basics

  1.1 What is tool?

  tool is a command line program for transfers.

  1.2 How do I port tool to my OS?

  Here's a rough step-by-step:

  1. copy a suitable config file as a start

  2. compile the sources into a library

2. Install Problems

  2.1 Does tool work with other SSL libraries?

  Yes, with several of them.

  2.2 configure fails when using static libraries

  Set LIBS to the right libraries.
"""

TABBED_FAQ = """\
\t\tFrequently Asked Questions about tool

Table of Contents:

1.0\tGeneral Concepts
1.1\tTool -- what is it?
1.2\tConfiguration Problems
1.2.1\tWhy can't Configure determine the
\tdialect version?
1.2.2\tWhy does the compiler complain?

2.0\tPorts
2.1\tWhat ports exist?
2.2\tWhat about a new port?
2.3\tWhy isn't there an SGI IRIX port?

1.0\tGeneral Concepts

1.1\tTool -- what is it?

\tTool lists the files processes have open.

1.2\tConfiguration Problems

1.2.1\tWhy can't Configure determine the
\tdialect version?

\tIts test program failed.  Two cautions apply:

\t1.  Do not run an executable built elsewhere.

\t2.  Rebuild it on this machine.

1.2.2\tWhy does the compiler complain?

\tA header file is missing.

2.0\tPorts

2.1\tWhat ports exist?

\tAIX, FreeBSD, Linux and Solaris.

2.2\tWhat about a new port?

\tWrite to the author first.

2.3\tWhy isn't there an SGI IRIX port?

\tNo one has the hardware.
"""


@pytest.mark.parametrize(("text", "expected"), [
    (INDENTED_FAQ, [("Basics", "What is tool?"), ("Basics", "How do I port tool to my OS?"),
                    ("Install Problems", "Does tool work with other SSL libraries?"),
                    ("Install Problems", "configure fails when using static libraries")]),
    (TABBED_FAQ, [("General Concepts", "Tool -- what is it?"),
                  ("Configuration Problems", "Why can't Configure determine the dialect version?"),
                  ("Configuration Problems", "Why does the compiler complain?"),
                  ("Ports", "What ports exist?"), ("Ports", "What about a new port?"),
                  ("Ports", "Why isn't there an SGI IRIX port?")]),
], ids=["indented", "tabbed"])
def test_a_numbered_faq_with_its_contents_group_headings_and_steps(tmp_path, text, expected):
    """Project FAQs in plain text (curl's, lsof's): the contents list at the top is not read as
    questions, `1. Basics` or `1.2 Configuration Problems` right above `1.1`/`1.2.1` are sections,
    and an answer's own `1.`/`2.` steps stay in it."""
    root = project(tmp_path, {"faq.txt": text})
    deck = read_source(root / "source" / "faq.txt", "faq.txt", 10**7)
    assert [(c.section, c.question_text) for c in deck.cards] == expected
    assert all(c.answer_text for c in deck.cards)
    steps = next(c for c in deck.cards if "Two cautions" in c.answer_text or "step-by-step" in c.answer_text)
    assert isinstance(steps.answer[-1], ListBlock) and steps.answer[-1].ordered and len(steps.answer[-1].items) == 2
    result = run(["check"], root)
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stdout


def test_the_last_short_line_of_an_answer_is_not_a_section_in_a_numbered_group(tmp_path):
    """A short last line of an answer (a command, a help tag) right before the next question of
    the same group (1.1 -> 1.2) stays in the answer: the numbering leaves no room for a section."""
    text = ("Editor FAQ\n\n1. Options\n\n1.1 How do I display the ruler?\n\nSet the ruler option:\n\n"
            "    :set ruler\n\n|'ruler'|\n\n1.2 How do I display the mode?\n\nSet the showmode option:\n\n"
            "    :set showmode\n\n|'showmode'|\n\n1.3 How do I show partial commands?\n\n"
            "Set the showcmd option.\n\n2. Files\n\n2.1 How do I open a file?\n\nUse :edit.\n")
    root = project(tmp_path, {"faq.txt": text})
    deck = read_source(root / "source" / "faq.txt", "faq.txt", 10**7)
    assert [s.title for s in deck.sections] == ["Options", "Files"]
    assert [c.question_text for c in deck.cards] == ["How do I display the ruler?", "How do I display the mode?",
                                                     "How do I show partial commands?", "How do I open a file?"]
    assert deck.cards[0].answer_text.endswith("|'ruler'|")
    assert deck.cards[1].answer_text.endswith("|'showmode'|")
    assert deck.stray == ()


def test_questions_answered_in_place_and_asked_again_later_are_not_a_contents_list(tmp_path):
    """Only a list whose lines have no answer of their own is a contents list: questions with their
    answer under them, asked again in a revision list at the end, stay the cards."""
    answered = "".join(f"{n}. What is item {n}?\n   Item {n} is thing {n}.\n\n" for n in range(1, 5))
    again = "".join(f"{n}. What is item {n}?\n" for n in range(1, 5))
    root = project(tmp_path, {"quiz.txt": f"Quiz\n\n{answered}Revision\n\n{again}"})
    deck = read_source(root / "source" / "quiz.txt", "quiz.txt", 10**7)
    assert [(c.question_text, c.answer_text) for c in deck.cards][:4] == [
        (f"What is item {n}?", f"Item {n} is thing {n}.") for n in range(1, 5)]


def test_a_short_answer_after_its_label_is_the_answer_not_a_section(tmp_path):
    """`A:  xz -dc foo.tar.xz | tar xf -` is short and ends in no punctuation, like a heading; an
    answer label makes it its question's answer (xz's FAQ: the answer was empty and the line
    named the section of every later question)."""
    source = tmp_path / "faq.txt"
    source.write_text(
        "XZ Utils FAQ\n============\n\n"
        "Q:  Is xz fast?\n\nA:  Decompression is fast; compression is slow at high levels.\n\n\n"
        "Q:  My tar does not recognize .tar.xz files.\n    How can I extract .tar.xz files?\n\n"
        "A:  xz -dc foo.tar.xz | tar xf -\n\n\n"
        "Q:  Can I recover parts of a broken .xz file?\n\nA:  It may be possible if the file has many blocks.\n",
        encoding="utf-8")
    deck = read_source(source, "faq.txt", 1_000_000)
    assert [c.answer_text for c in deck.cards] == [
        "Decompression is fast; compression is slow at high levels.",
        "xz -dc foo.tar.xz | tar xf -",
        "It may be possible if the file has many blocks.",
    ]
    assert all(not section.title.startswith("A:") and "xz -dc" not in section.title for section in deck.sections)


CURL_LIKE_FAQ = "Updated: Jan 1 2020\n\n                                  FAQ\n\n 1. Philosophy\n  1.1 What is cURL?\n  1.2 What is libcurl?\n\n 2. Install Related Problems\n  2.1 Where can I get the sources?\n  2.2 How do I build it?\n\n 4. Running Problems\n  4.2 Why do I get problems when I use & or % in the URL?\n  4.3 How can I use {, }, [ or ] to specify multiple URLs?\n\n==============================================================================\n\n1. Philosophy\n\n  1.1 What is cURL?\n\n  cURL is the name of the project. The name is a play on 'Client for URLs'.\n\n  1.2 What is libcurl?\n\n  libcurl is a reliable and portable library for transfers.\n\n2. Install Related Problems\n\n  2.1 Where can I get the sources?\n\n  From the web site, or from your distribution's packages.\n\n  2.2 How do I build it?\n\n  Run configure, then make. The steps:\n\n  1. Unpack the archive.\n  2. Run the configure script.\n\n4. Running Problems\n\n  4.2 Why do I get problems when I use & or % in the URL?\n\n  The shell reads them: quote the URL.\n\n  4.3 How can I use {, }, [ or ] to specify multiple URLs?\n\n  Switch off globbing with -g.\n"


def test_a_numbered_faq_whose_section_starts_past_its_first_number_keeps_its_questions(tmp_path):
    """curl's plain-text FAQ has no 4.1 (removed over the years): section 4 starts at 4.2. Its
    questions were left out as text between cards, the numbering judged broken at 2.2 -> 4.2."""
    source = tmp_path / "FAQ.txt"
    source.write_text(CURL_LIKE_FAQ, encoding="utf-8")
    deck = read_source(source, "FAQ.txt", 1_000_000)
    assert [c.question_text for c in deck.cards] == [
        "What is cURL?", "What is libcurl?", "Where can I get the sources?", "How do I build it?",
        "Why do I get problems when I use & or % in the URL?",
        "How can I use {, }, [ or ] to specify multiple URLs?",
    ]
    assert deck.cards[-1].answer_text == "Switch off globbing with -g."
    assert "Unpack the archive." in deck.cards[3].answer_text  # its steps stay in its answer
    assert [s.title for s in deck.sections] == ["Philosophy", "Install Related Problems", "Running Problems"]


def test_numbered_questions_marked_with_a_colon_and_an_answer_after_a_spaced_colon(tmp_path):
    """` 1):What is Java : Java is …`: the marker `1):` is taken off whole (every question began
    with ':'), and a question with nothing under it has its answer after ' : ' on its line (it
    was an empty answer, an error)."""
    source = tmp_path / "java.txt"
    source.write_text(
        " 1):What is Java : Java is a high-level, object-oriented programming language.\n"
        " 2):What are the main features of Java:\n"
        "    a:Object-Oriented: everything is an object.\n"
        "    b:Platform independence through the JVM.\n"
        "3):What is the JVM?\n"
        "The virtual machine that runs Java bytecode.\n"
        "4):What is garbage collection?\n"
        "Memory reclaimed automatically.\n", encoding="utf-8")
    deck = read_source(source, "java.txt", 1_000_000)
    assert [c.question_text for c in deck.cards] == [
        "What is Java", "What are the main features of Java:", "What is the JVM?", "What is garbage collection?"]
    assert deck.cards[0].answer_text == "Java is a high-level, object-oriented programming language."
    assert "Platform independence" in deck.cards[1].answer_text
    assert all(c.answer_text for c in deck.cards)


def test_a_wrapped_line_that_starts_with_a_number_goes_on_with_its_sentence(tmp_path):
    """lsof's FAQ wraps questions before a number (`…for 64 bit HP-UX` / `	11 when lsof is compiled
    with gcc?`) and curl's wraps answers so (`…explained in FAQ entry` / `  4.12 and the …`): such a
    line goes on with the sentence above it, neither a question nor the end of an answer."""
    source = tmp_path / "FAQ.txt"
    source.write_text(
        "lsof FAQ\n\n"
        "1.0\tGeneral Concepts\n\n"
        "1.1\tWhere do I get lsof?\n\n"
        "\tFrom the distribution's packages; see also FAQ entry\n"
        "\t1.3 for the sources.\n\n"
        "1.2\tWhy hasn't the test suite been qualified for 64 bit HP-UX\n"
        "\t11 when lsof is compiled with gcc?\n\n"
        "\tThe LTsock test failed with gcc 3.0.\n\n"
        "1.3\tWhere are the sources?\n\n"
        "\tIn the project's repository.\n", encoding="utf-8")
    deck = read_source(source, "FAQ.txt", 1_000_000)
    assert [c.question_text for c in deck.cards] == [
        "Where do I get lsof?",
        "Why hasn't the test suite been qualified for 64 bit HP-UX 11 when lsof is compiled with gcc?",
        "Where are the sources?"]
    assert deck.cards[0].answer_text == "From the distribution's packages; see also FAQ entry 1.3 for the sources."
    assert deck.cards[1].answer_text == "The LTsock test failed with gcc 3.0."
