"""`deckgen convert`: the Markdown form reads back into the same records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen.convert import to_markdown
from deckgen.model import Card, CodeBlock, Deck, Inline, ListBlock, Paragraph, Section, SourceSpan
from deckgen.readers.markdown import read_markdown
from deckgen.readers.text import read_text
from tests.helpers import RNN, project, run


def records(deck: Deck):
    return deck.title, [(s.title, [(c.number, c.question, c.answer, c.tags, c.explicit_id)
                                   for c in s.cards]) for s in deck.sections]


def test_rnn_document_round_trips():
    deck = read_text(RNN.read_text(encoding="utf-8"), "rnn.txt", "R")
    again = read_markdown(to_markdown(deck), "rnn.md", "R")
    assert records(again) == records(deck)


def test_convert_command_writes_markdown_that_builds(tmp_path):
    root = project(tmp_path, rnn=True)
    result = run(["convert", "source/rnn-interview-questions.txt", "-o", "md/rnn.md"], root)
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote md/rnn.md (80 cards)\n"
    text = (root / "md" / "rnn.md").read_text(encoding="utf-8")
    assert text.startswith("# RNN frequent Interview Questions\n\n## Basics of RNNs\n")
    assert "- Soft Attention: Computes a weighted sum" in text
    assert run(["build", "md/rnn.md", "--format", "html"], root).exit_code == 0


def test_convert_refuses_a_source_with_errors(tmp_path):
    root = project(tmp_path, {"bad.txt": "Q1. What?\n"})
    result = run(["convert", "source/bad.txt", "-o", "bad.md"], root)
    assert result.exit_code == 1
    assert "source/bad.txt:1:1: error: Q1 has no answer [DG002]" in result.stderr
    assert not (root / "bad.md").exists()


# Text as the readers produce it: no leading/trailing or doubled spaces, no line breaks.
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs", "Cf", "Co", "Cn")),
    min_size=1, max_size=12,
)
line = st.lists(words, min_size=1, max_size=6).map(" ".join)
plain = line.map(lambda text: (Inline("text", text),))
styled = st.tuples(line, st.sampled_from(["strong", "em", "code"]), line).map(
    lambda t: (Inline("text", t[0] + " "), Inline(t[1], t[2]), Inline("text", " " + t[0]))
)
paragraph = st.one_of(plain, styled).map(Paragraph)
bullets = st.lists(plain.map(lambda runs: (Paragraph(runs),)), min_size=1, max_size=3).map(
    lambda items: ListBlock(tuple(items))
)
code = st.lists(line, min_size=1, max_size=3).map(lambda lines: CodeBlock("\n".join(lines), "py"))
answer = st.lists(st.one_of(paragraph, bullets, code), min_size=1, max_size=3).map(tuple)


@st.composite
def decks(draw):
    sections = []
    number = 0
    for title in draw(st.lists(line, min_size=1, max_size=3, unique=True)):
        cards = []
        for _ in range(draw(st.integers(1, 3))):
            number += 1
            cards.append(Card(number, draw(plain), draw(answer), title, SourceSpan("x", 1)))
        sections.append(Section(title, None, tuple(cards)))
    return Deck(draw(line), "x", tuple(sections))


@settings(max_examples=150, deadline=None)
@given(decks())
def test_any_deck_round_trips_through_markdown(deck):
    again = read_markdown(to_markdown(deck), "x.md", "X")
    assert records(again) == records(deck)
