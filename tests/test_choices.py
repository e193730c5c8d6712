"""Multiple-choice questions (`- [ ]` / `- [x]` options, as quiz READMEs write them): the options go
with the question and the right ones are marked on the answer side, in every output."""

from __future__ import annotations

import pytest

from deckgen.readers import read_source
from tests.helpers import import_apkg, notes, pdf_text, project, run, squash

QUIZ = """# Python quiz

#### Q1. What does `len([1, 2, 3])` return?

- [ ] 2
- [x] 3
- [ ] an error

A list's length counts its items.

#### Q2. Which of these are mutable?

- [x] list
- [ ] tuple
- [x] dict

#### Q3. What keyword defines a function?

- [ ] func
- [ ] lambda
"""


def test_options_are_read_as_choices_with_the_right_ones_marked(tmp_path):
    path = tmp_path / "quiz.md"
    path.write_text(QUIZ, encoding="utf-8")
    deck = read_source(path, "quiz.md", 10**7)
    first, second, third = deck.cards
    assert [("".join(r.text for r in c.inlines), c.correct) for c in first.choices] == \
        [("2", False), ("3", True), ("an error", False)]
    assert first.answer_text == "A list's length counts its items."
    assert [c.correct for c in second.choices] == [True, False, True] and second.answer == ()
    assert not third.answered  # no option marked: nothing to show as the answer


@pytest.mark.slow
def test_every_output_shows_the_options_and_marks_the_right_ones(tmp_path):
    root = project(tmp_path, {"quiz.md": QUIZ.replace("- [ ] lambda", "- [x] def")})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    build = root / "build"
    # Anki, read back by its own engine: options with the question, the right ones on the back
    imported = import_apkg(build / "quiz.apkg", tmp_path / "c.anki2")
    assert len(imported.log.new) == 3
    by_number = {n["fields"]["Number"]: n["fields"] for n in notes(tmp_path / "c.anki2")}
    assert by_number["1"]["Question"].endswith('<ol class="choices" type="A">\n<li>2</li>\n<li>3</li>\n<li>an error</li>\n</ol>')
    assert '<li><span class="tick">✓ B.</span> 3</li>' in by_number["1"]["Answer"]
    assert "an error" not in by_number["1"]["Answer"]
    assert "✓ A.</span> list" in by_number["2"]["Answer"] and "✓ C.</span> dict" in by_number["2"]["Answer"]
    # the cheat sheet shows the right option, not the wrong ones
    sheet = squash(" ".join(pdf_text(build / "quiz.cheatsheet.pdf")))
    assert "✓ B. 3" in sheet and "an error" not in sheet and "tuple" not in sheet
    # flashcards: every option on the front, the right ones ticked on the back
    fronts, backs = (squash(text) for text in pdf_text(build / "quiz.cards.pdf"))
    assert "A. 2 B. 3 C. an error" in fronts and "A. list B. tuple C. dict" in fronts
    assert "✓ B. 3" in backs and "✓ A. list" in backs and "✓ C. dict" in backs and "tuple" not in backs
    # the handout: options under the question, the right ones inside the answer that is revealed
    html = (build / "quiz.html").read_text(encoding="utf-8")
    assert '<ol class="choices" type="A">\n<li>2</li>' in html
    answer = html.split('<div class="answer"', 1)[1].split("</div>", 1)[0]
    assert "✓ B.</span> 3" in answer and "an error" not in answer


def test_a_question_with_no_right_option_is_an_empty_answer_and_convert_keeps_the_options(tmp_path):
    root = project(tmp_path, {"quiz.md": QUIZ})
    check = run(["check"], root)
    assert check.exit_code == 1 and "source/quiz.md:19:1: error: Q3 has an empty answer [DG007]" in check.stdout
    fixed = project(tmp_path / "ok", {"quiz.md": QUIZ.replace("- [ ] lambda", "- [x] def")})
    assert run(["convert", "source/quiz.md", "-o", "again.md"], fixed).exit_code == 0
    text = (fixed / "again.md").read_text(encoding="utf-8")
    assert "- [ ] 2\n- [x] 3\n- [ ] an error\n\nA list's length counts its items." in text
    again = read_source(fixed / "again.md", "again.md", 10**7)
    original = read_source(fixed / "source" / "quiz.md", "quiz.md", 10**7)
    assert [(c.question, c.choices, c.answer) for c in again.cards] == \
        [(c.question, c.choices, c.answer) for c in original.cards]


def test_the_options_drawn_into_anki_fields_are_not_pulled_back_as_text():
    from deckgen.fromanki import read_field, to_markdown

    question = 'What is 2 + 1?<ol class="choices" type="A">\n<li>2</li>\n<li>3</li>\n</ol>'
    answer = '<ul class="right-choices">\n<li><span class="tick">✓ B.</span> 3</li>\n</ul>\n<p>Count them.</p>'
    assert to_markdown(question) == ("What is 2 \\+ 1?\n", [])
    content = read_field(answer)
    assert [b.kind for b in content.blocks] == ["paragraph"] and not content.lost
