"""Validation rules on small fixtures, with the exact messages users see."""

from __future__ import annotations

from deckgen.config import Settings
from deckgen.readers.text import read_text
from deckgen.validate import validate
from tests.helpers import RNN


def diagnostics(text: str, **settings) -> list[str]:
    deck = read_text(text, "d.txt", "D")
    return [d.format() for d in validate(deck, Settings(**settings))]


def test_a_clean_document_has_no_diagnostics():
    assert diagnostics("T\n\nQ1. A?\nA1. B.\n\nQ2. C?\nA2. D.\n") == []


def test_question_without_answer():
    assert diagnostics("Q1. A?\n\nQ2. C?\nA2. D.\n") == [
        "d.txt:1:1: error: Q1 has no answer [DG002]"
    ]


def test_answer_without_question():
    assert diagnostics("Q1. A?\nA1. B.\nA2. D.\n") == [
        "d.txt:3:1: error: A2 has no question before it [DG003]"
    ]


def test_numbers_that_differ():
    assert diagnostics("Q1. A?\nA2. B.\n") == [
        "d.txt:2:1: error: answer A2 follows question Q1 [DG004]"
    ]


def test_duplicate_numbers():
    found = diagnostics("Q1. A?\nA1. B.\nQ1. C?\nA1. D.\n")
    assert "d.txt:3:1: error: Q1 is numbered again (first at line 1) [DG005]" in found


def test_empty_question_and_empty_answer():
    assert diagnostics("Q1.\nA1. B.\nQ2. C?\nA2.\n") == [
        "d.txt:1:1: error: Q1 has no question text [DG006]",
        "d.txt:4:1: error: Q2 has an empty answer [DG007]",
    ]


def test_no_cards():
    assert diagnostics("Just a title\n\nand some text.\n") == [
        "d.txt:1:1: error: no question-and-answer cards found; name the question marker with the setting "
        "'question' (--question h2, bold, label, details, numbered, or a regular expression) [DG001]",
        "d.txt:3:1: warning: text outside any card, left out: 'and some text.' [DG010]",
    ]


def test_gap_in_numbering():
    assert diagnostics("Q1. A?\nA1. B.\nQ3. C?\nA3. D.\n") == [
        "d.txt:3:1: warning: Q3 follows Q1: Q2 missing [DG008]"
    ]


def test_a_disabled_rule_is_not_reported():
    assert diagnostics("Q1. A?\nA1. B.\nQ3. C?\nA3. D.\n", disable=("DG008",)) == []


def test_rnn_document_has_no_errors():
    deck = read_text(RNN.read_text(encoding="utf-8"), "rnn.txt", "R")
    found = validate(deck, Settings())
    assert [d for d in found if d.severity == "error"] == []
