"""`deckgen check` output formats, the near-duplicate detector on the RNN document, `rules`."""

from __future__ import annotations

import itertools
import json
import random
import re

from deckgen.config import Settings
from deckgen.readers.text import read_text
from deckgen.similarity import near_duplicates
from deckgen.validate import RULES, validate
from tests.helpers import RNN, project, run

BROKEN = "Q1. What?\nA1. That.\nQ3. Why?\nA4. Because.\n"

# Pairs a careful editor reading all 80 cards calls the same question asked twice.
CLEAR_PAIRS = {(47, 76), (42, 66), (72, 78), (53, 79), (48, 65)}
# Pairs that are the same question too, but worded apart enough that the detector may miss them.
ALSO_SAME = {(34, 61), (38, 61), (34, 38), (10, 32), (9, 63)}
ALSO_SAME |= {(38, 54), (34, 54)}  # the four about hierarchical RNNs
# Related pairs an editor would accept being asked about (same topic, different question).
RELATED = {(9, 14), (21, 73), (24, 69), (54, 61), (1, 3), (10, 14), (15, 73), (26, 65),
           (26, 48), (34, 45), (38, 45), (45, 54), (45, 61)}  # text generation / characters; hierarchical attention
# What the detector reported, as groups of cards: session 1 (light stemmer, pairs only, 0.45)...
BEFORE = [(9, 14), (21, 73), (42, 66), (47, 76), (48, 65), (53, 79), (72, 78)]
# ...and now (Snowball stems, threshold 0.42, pairs gathered into groups by average linkage).
AFTER = [(1, 3), (9, 14), (21, 73), (24, 69), (26, 48, 65), (38, 45, 54, 61), (42, 66), (47, 76),
         (53, 79), (72, 78)]


def rnn_groups(**settings):
    deck = read_text(RNN.read_text(encoding="utf-8"), "rnn.txt", "R")
    found = [d for d in validate(deck, Settings(**settings)) if d.code == "DG102"]
    groups = []
    for d in found:
        numbers = sorted(int(n) for n in re.findall(r"\bQ(\d+)\b", d.message.split("similarity")[0]))
        groups.append(tuple(numbers))
    return sorted(groups), found


def test_near_duplicates_in_the_rnn_document():
    groups, found = rnn_groups()
    assert groups == AFTER
    pairs = {(a, b) for g in groups for a, b in itertools.combinations(g, 2)}
    assert CLEAR_PAIRS <= pairs  # every clear pair is still found
    assert pairs <= CLEAR_PAIRS | ALSO_SAME | RELATED  # and nothing an editor would call noise
    assert len(found) <= 15 and len(found) > len(BEFORE)
    assert all(d.severity == "warning" for d in found)
    assert "Q78 may repeat Q72 (line 277)" in " ".join(d.message for d in found)
    group = next(d for d in found if "Q61" in d.message)
    assert group.message.startswith("Q45 (line 169), Q54 (line 205), Q61 (line 233) may repeat Q38 (line 139): 4 cards alike")
    assert group.span.line == 139  # one finding, at the first of them


def test_exact_duplicate_questions():
    deck = read_text("Q1. What is X?\nA1. A.\nQ2. What is  x?\nA2. B.\n", "d.txt", "D")
    assert [d.format() for d in validate(deck, Settings())] == [
        "d.txt:3:1: warning: Q2 repeats the question of Q1 (line 1) [DG101]"
    ]


def test_detector_does_not_pair_unrelated_cards():
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(5000)]
    docs = [(" ".join(rng.sample(vocabulary, 8)), " ".join(rng.sample(vocabulary, 25)))
            for _ in range(2000)]
    docs.append(docs[10])
    assert [(i, j) for i, j, _ in near_duplicates(docs, 0.45)] == [(10, 2000)]


def test_long_answers_are_reported_for_flashcards_and_cheat_sheet():
    deck = read_text("Q1. Long?\nA1. " + "word " * 130 + "\n", "d.txt", "D")
    assert [d.code for d in validate(deck, Settings())] == ["DG201", "DG202"]
    assert [d.code for d in validate(deck, Settings(max_card_words=200, max_cheatsheet_words=200))] == []


def test_json_output(tmp_path):
    root = project(tmp_path, {"d.txt": BROKEN})
    result = run(["check", "--output-format", "json"], root)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"path": "source/d.txt", "line": 3, "column": 1, "severity": "warning", "code": "DG008",
         "message": "Q3 follows Q1: Q2 missing"},
        {"path": "source/d.txt", "line": 4, "column": 1, "severity": "error", "code": "DG004",
         "message": "answer A4 follows question Q3"},
    ]


def test_github_output(tmp_path):
    root = project(tmp_path, {"d.txt": BROKEN})
    result = run(["check", "--output-format", "github"], root)
    assert result.stdout.splitlines() == [
        "::warning file=source/d.txt,line=3,col=1,title=DG008::Q3 follows Q1: Q2 missing",
        "::error file=source/d.txt,line=4,col=1,title=DG004::answer A4 follows question Q3",
    ]


def test_check_on_the_rnn_document_reports_warnings_only(tmp_path):
    root = project(tmp_path, rnn=True)
    result = run(["check"], root)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "source/rnn-interview-questions.txt: 80 card(s) in 7 section(s), read as qa-markers"
    )
    assert result.stdout.splitlines()[-1].startswith("1 source(s) checked: 0 error(s), ")
    verbose = run(["check", "-v"], root)
    assert "source/rnn-interview-questions.txt:317:1: skipped page chrome after the last card: Popular posts from this blog" in verbose.stdout


def test_rules_lists_every_rule():
    result = run(["rules"], RNN.parent)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == len(RULES)
    assert "DG102  near-duplicate" in result.stdout


def test_a_card_can_disable_a_rule_in_markdown():
    from deckgen.readers.markdown import read_markdown

    text = ("# D\n\n### What is X?\n\nX is a thing.\n\n### What is X?\n"
            "<!-- deckgen: disable=DG101 -->\n\nX is a thing.\n")
    assert validate(read_markdown(text, "d.md", "D"), Settings()) == []


def test_explicit_ids_must_be_unique_and_plain():
    from deckgen.readers.markdown import read_markdown

    text = ("# D\n\n### One?\n<!-- deckgen: id=same -->\n\nA.\n\n### Two?\n<!-- deckgen: id=same -->\n\nB.\n\n"
            "### Three?\n<!-- deckgen: id=no<good> -->\n\nC.\n")
    assert [d.format() for d in validate(read_markdown(text, "d.md", "D"), Settings())] == [
        "d.md:8:1: error: Q2 uses the id 'same' of Q1 (line 3); ids must be unique [DG015]",
        "d.md:13:1: error: Q3's id 'no<good>' is not 1-64 letters, digits, '-', '_', '.' or ':' [DG015]",
    ]
