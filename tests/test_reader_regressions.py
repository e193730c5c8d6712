"""Shapes that the reader changes of session 6 misread at first, found by a review that tried
each change on inputs it did not think of: each test states what a user reads there."""

from __future__ import annotations

from pathlib import Path

from deckgen.readers import read_source


def read(tmp_path: Path, name: str, text: str):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return read_source(source, name, 1_000_000)


def questions(deck) -> list[str]:
    return [c.question_text for c in deck.cards]


def test_question_and_answer_pairs_between_rules_are_no_front_matter(tmp_path):
    deck = read(tmp_path, "git.md", '---\n\nQ: What is Git?\n\nA: Git is a version control system.\n\n---\n\nQ: What is a commit?\n\nA: A snapshot of the tree.\n\n---\n\nQ: What is a branch?\n\nA: A movable pointer.\n')
    assert questions(deck) == ["What is Git?", "What is a commit?", "What is a branch?"]
    assert deck.cards[0].answer_text == "Git is a version control system."


def test_a_list_of_questions_each_asking_for_questions_keeps_them_as_its_answers(tmp_path):
    deck = read(tmp_path, "ask.md", '# Interview prep\n\n- What should you ask about the team?\n  - How big is the team?\n  - Who would I report to?\n- What should you ask about the role?\n  - What does a typical day look like?\n  - How is success measured here?\n- Which questions reveal the on-call load?\n  - How often are people paged at night?\n')
    assert [c.question_text for c in deck.cards][:2] == ["What should you ask about the team?",
                                                      "What should you ask about the role?"]
    assert deck.cards[0].answer_text.splitlines() == ["How big is the team?", "Who would I report to?"]


def test_a_section_lettered_a_is_a_section_not_an_answer(tmp_path):
    deck = read(tmp_path, "java.txt", 'Java FAQ\n\nA. Basics\n\n1. What is Java?\nA programming language.\n\n2. What is the JVM?\nThe virtual machine that runs bytecode.\n\nB. Tools\n\n3. What is javac?\nThe compiler.\n\n4. What is a JAR?\nAn archive of classes.\n')
    assert [(s.title, len(s.cards)) for s in deck.sections if s.cards] == [("A. Basics", 2), ("B. Tools", 2)]


def test_an_unanswered_question_with_a_spaced_colon_stays_unanswered(tmp_path):
    """French puts a space before a colon: the rest of the question is no answer."""
    deck = read(tmp_path, "java.txt", 'Questions Java\n\n1. Qu est-ce que Java ?\nUn langage.\n\n2. Qu est-ce que la JVM ?\nUne machine virtuelle.\n\n3. Comparez ces deux types : int et Integer en Java\n\n4. Qu est-ce qu un JAR ?\nUne archive.\n')
    third = deck.cards[2]
    assert third.question_text == "Comparez ces deux types : int et Integer en Java"
    assert third.answer_text == ""


def test_a_numbered_question_that_starts_with_a_role_keeps_its_colon(tmp_path):
    deck = read(tmp_path, "faq.txt", 'Python FAQ\n\n1. :func:`open` or :func:`io.open`, which should I use?\nThey are the same function.\n\n2. How do I read a file?\nUse open and read.\n\n3. How do I write a file?\nOpen it with mode w.\n')
    assert questions(deck)[0] == ":func:`open` or :func:`io.open`, which should I use?"


def test_a_section_after_an_answer_that_ends_in_steps_is_a_section(tmp_path):
    deck = read(tmp_path, "x.txt", 'X FAQ\n\nGeneral\n\n1.1 What is X?\nX is a tool for converting files.\n\n1.2 How do I install X?\nFollow these steps:\n1. Download the archive\n2. Run the installer\n\nUsage\n\n2.1 How do I run X?\nType x followed by the file name.\n\n2.2 How do I stop X?\nPress Control-C in its window.\n')
    assert [(s.title, [c.question_text for c in s.cards]) for s in deck.sections if s.cards] == [
        ("General", ["What is X?", "How do I install X?"]), ("Usage", ["How do I run X?", "How do I stop X?"])]
    assert "Usage" not in deck.cards[1].answer_text


def test_braces_that_start_with_no_id_stay_in_a_heading(tmp_path):
    deck = read(tmp_path, "sets.md", '# Sets\n\n## How do I write the set {x=1}\n\nWith braces.\n\n## What does {-} mean\n\nA pandoc unnumbered marker.\n\n## What is the CSS selector .a {.b}\n\nNot valid.\n')
    assert questions(deck) == ["How do I write the set {x=1}", "What does {-} mean", "What is the CSS selector .a {.b}"]


def test_a_raw_html_heading_with_a_quoted_greater_than_sign_is_read_whole(tmp_path):
    deck = read(tmp_path, "faq.md", '# FAQ\n\n## What is X?\n\n<h4 data-name="z" title="a > b">Note</h4>\n\nX is a thing.\n\n## What is Y?\n\nY is another.\n')
    assert deck.cards[0].answer_text.splitlines()[0] == "Note"
