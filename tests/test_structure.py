"""The structure finder (readers/structure.py): documents in the shapes people bring, written here
in the project's own words, read into exactly their cards, with nothing lost in silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.readers import read_source
from deckgen.readers.structure import reads_as_question
from tests.helpers import import_apkg, notes, project, run


def read(tmp_path: Path, name: str, text: str, question: str = "auto"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_source(path, name, 10**7, question=question)


def questions(deck) -> list[str]:
    return [c.question_text for c in deck.cards]


LIST_HEADINGS = """# Frontend Questions

[![build](https://img.shields.io/badge/build-passing-green.svg)](https://example.org)

### Table of Contents

| No. | Questions |
| --- | --------- |
| 1 | [What is a closure?](#what-is-a-closure) |
| 2 | [Why use a bundler?](#why-use-a-bundler) |
| 3 | [How does the event loop work?](#how-does-the-event-loop-work) |

## Core

1. ### What is a closure?

    A function that keeps the variables of the scope it was made in.

    ### Example
    A counter made by a factory function.

    **[⬆ Back to Top](#table-of-contents)**

2. ### Why use a bundler?

    It joins modules into files a browser loads fast; see [closures](#what-is-a-closure).

    **[⬆ Back to Top](#table-of-contents)**

## Runtime

3. ### How does the event loop work?

    It takes the next task from the queue when the stack is empty.

    **[⬆ Back to Top](#table-of-contents)**

Thanks for reading! Follow me for more.
"""


def test_questions_as_headings_inside_list_items(tmp_path):
    deck = read(tmp_path, "front.md", LIST_HEADINGS)
    assert questions(deck) == ["What is a closure?", "Why use a bundler?", "How does the event loop work?"]
    assert [(s.title, len(s.cards)) for s in deck.sections] == [("Core", 2), ("Runtime", 1)]
    assert [c.number for c in deck.cards] == [1, 2, 3]
    first, second, third = deck.cards
    # the answer's own sub-heading stays in the answer; the back-to-top links and sign-off do not
    assert first.answer_text.splitlines() == ["A function that keeps the variables of the scope it was made in.",
                                              "Example", "A counter made by a factory function."]
    assert "Back to Top" not in " ".join(c.answer_text for c in deck.cards)
    assert third.answer_text == "It takes the next task from the queue when the stack is empty."
    assert second.answer_text.endswith("see closures.")  # an in-page link: its words, as text
    reasons = {s.reason for s in deck.skipped}
    assert {"table of contents", "badges and images", "page chrome after the last card"} <= reasons
    # one warning for every in-page link, not one per link
    assert [d.code for d in deck.diagnostics].count("DG301") == 1


BOLD = """# Interview notes

## Databases

**What is an index?**

A structure that finds rows without reading the whole table.

**Explain a deadlock.**

Two transactions each wait for a lock the other holds.

## Networks

**What does TCP add to IP?**

Ordering, retransmission and flow control.
"""


def test_bold_lines_as_questions_under_heading_sections(tmp_path):
    deck = read(tmp_path, "bold.md", BOLD)
    assert deck.shape == "markdown:bold"
    assert questions(deck) == ["What is an index?", "Explain a deadlock.", "What does TCP add to IP?"]
    assert [s.title for s in deck.sections] == ["Databases", "Networks"]
    assert deck.cards[1].answer_text == "Two transactions each wait for a lock the other holds."


ACCORDIONS = """# Ops exercises

### Linux

<details>
<summary>What does the sticky bit do?</summary><br><b>

Only a file's owner may delete it from a shared folder.

* common on /tmp
</b></details>

<details>
<summary>How do you see open ports?</summary><br><b>
</b></details>

<details><summary>What is an inode?</summary>The record that holds a file's metadata.</details>
"""


def test_accordions_whose_answers_run_over_blank_lines(tmp_path):
    deck = read(tmp_path, "ops.md", ACCORDIONS)
    assert deck.shape == "markdown:details"
    assert questions(deck) == ["What does the sticky bit do?", "How do you see open ports?", "What is an inode?"]
    sticky, ports, inode = deck.cards
    assert sticky.answer_text == "Only a file's owner may delete it from a shared folder.\ncommon on /tmp"
    assert ports.answer == ()  # an empty answer stays empty (and is reported by validation)
    assert inode.answer_text == "The record that holds a file's metadata."
    assert "summary" not in " ".join(c.answer_text for c in deck.cards)


SHOW_ANSWER = """# Вопросы

- Что такое замыкание?

<details><summary>Ответ</summary>

Функция, которая помнит переменные своей области видимости.

</details>

- Как всплывают события?

<details><summary>💡 Show answer</summary>

Событие идёт от элемента к его предкам.

</details>
"""


def test_show_answer_accordions_hold_the_answer_of_the_question_before(tmp_path):
    deck = read(tmp_path, "ru.md", SHOW_ANSWER)
    assert questions(deck) == ["Что такое замыкание?", "Как всплывают события?"]
    assert deck.cards[0].answer_text == "Функция, которая помнит переменные своей области видимости."
    assert deck.cards[1].answer_text == "Событие идёт от элемента к его предкам."
    assert not any("Ответ" in c.answer_text or "Show" in c.answer_text for c in deck.cards)


CHINESE = """# 前端笔记

### 什么是闭包？

闭包是能够读取其他函数内部变量的函数。

### 浏览器如何渲染页面？

解析 HTML，构建 DOM 树，然后布局和绘制。

### 请说明事件委托

把事件处理放在父元素上。
"""


def test_full_width_question_marks_and_imperatives_in_other_scripts(tmp_path):
    deck = read(tmp_path, "zh.md", CHINESE)
    assert len(deck.cards) == 3 and deck.cards[0].question_text == "什么是闭包？"
    assert deck.cards[1].answer_text == "解析 HTML，构建 DOM 树，然后布局和绘制。"
    for text in ("什么是闭包？", "Опишіть життєвий цикл компонента", "ما هو الفرق؟", "Τι είναι;", "Explain X",
                 "¿Qué es un índice?", "Write a query that counts rows"):
        assert reads_as_question(text), text
    assert not reads_as_question("Introduction") and not reads_as_question("Conclusion")


LABELS = """# Quiz

**Q:** What is a race condition?<br>
**A:** Two threads touch shared data and the result depends on timing.

**Q:** How do you avoid one?<br>
**A:** Guard the shared data with a lock.
"""


def test_bold_labels_with_line_breaks(tmp_path):
    deck = read(tmp_path, "labels.md", LABELS)
    assert questions(deck) == ["What is a race condition?", "How do you avoid one?"]
    assert deck.cards[1].answer_text == "Guard the shared data with a lock."


HELP_FILE = """*notes.txt*  Frequently asked questions

==============================================================================
                                                          *notes-general*
SECTION 1 - GENERAL ~

                                                                 *notes-1.1*
1.1. What is this editor?

A small editor for notes.

                                                                 *notes-1.2*
1.2. How do I save a file?

Use the write command: >
    :write
<
That is all.

SECTION 2 - SEARCHING ~

                                                                 *notes-2.1*
2.1. How do I search backwards?

Type a question mark and the pattern.
"""


def test_a_help_file_with_dotted_numbers_tags_and_examples(tmp_path):
    deck = read(tmp_path, "notes.txt", HELP_FILE)
    assert questions(deck) == ["What is this editor?", "How do I save a file?", "How do I search backwards?"]
    assert [s.title for s in deck.sections] == ["SECTION 1 - GENERAL", "SECTION 2 - SEARCHING"]
    save = deck.cards[1]
    assert [b.kind for b in save.answer] == ["paragraph", "code", "paragraph"]
    assert save.answer[1].code == ":write"
    assert "*notes" not in " ".join(c.answer_text for c in deck.cards)  # help tags are chrome


def test_check_prints_a_coverage_line_and_the_candidates(tmp_path):
    root = project(tmp_path, {"front.md": LIST_HEADINGS})
    result = run(["check", "-v"], root)
    assert "source/front.md: 3 cards hold" in result.stdout
    assert "left out: badges and images (line 3" in result.stdout and "table of contents (lines" in result.stdout
    assert "* list-heading: score" in result.stdout  # the winner, then the others with their evidence
    assert "% read as questions" in result.stdout


SHORT = "# Notes\n\n" + "\n\n".join(f"Paragraph {i} of prose about nothing in particular, with several words." for i in range(30)) + \
    "\n\n## Questions\n\n### What is X?\n\nX.\n"


def test_a_reading_that_leaves_most_of_the_document_out_is_an_error(tmp_path):
    root = project(tmp_path, {"short.md": SHORT})
    result = run(["check"], root)
    assert result.exit_code == 1
    assert "[DG021]" in result.stdout and "setting 'question'" in result.stdout


def test_no_cards_names_what_was_seen_and_the_setting(tmp_path):
    root = project(tmp_path, {"n.md": "# Title\n\nInstall it with pip.\n\nRun it on a folder.\n"})
    result = run(["check"], root)
    assert result.exit_code == 1
    assert "no question-and-answer cards found (seen: 1 # headings (0 reading as questions))" in result.stdout
    assert "setting 'question'" in result.stdout


def test_the_question_marker_can_be_named(tmp_path):
    text = "# Glossary\n\n## Closure\n\nA function with its scope.\n\n## Hoisting\n\nDeclarations move up.\n"
    deck = read(tmp_path, "g.md", text, question="h2")
    assert questions(deck) == ["Closure", "Hoisting"]
    pattern = read(tmp_path, "p.md", "# T\n\nTERM: closure\n\nA function.\n\nTERM: scope\n\nWhere names live.\n",
                   question=r"^TERM:")
    assert len(pattern.cards) == 2
    root = project(tmp_path / "cli", {"g.md": text})
    result = run(["check", "--question", "h2"], root)
    assert "2 card(s)" in result.stdout
    bad = run(["check", "--question", "(unclosed"], root)
    assert bad.exit_code != 0 and "neither a marker" in bad.output


def test_a_text_shape_can_be_forced_on_markdown(tmp_path):
    root = project(tmp_path, {"m.md": "Q1. What is X?\nA1. X.\n\nQ2. What is Y?\nA2. Y.\n"})
    result = run(["check", "--source-format", "qa-markers"], root)
    assert result.exit_code == 0, result.output
    assert "2 card(s)" in result.stdout


@pytest.mark.parametrize("count", [400])
def test_a_large_document_is_read_in_linear_time(tmp_path, count):
    import time

    body = "\n\n".join(f"{i}. ### What is item {i}?\n\n    Answer {i} with `code` and a [link](#x).\n\n"
                       f"    **[⬆ Back to Top](#toc)**" for i in range(1, count + 1))
    small = read(tmp_path, "s.md", "# T\n\n" + body)
    started = time.perf_counter()
    big = read(tmp_path, "b.md", "# T\n\n" + "\n\n".join([body] * 10).replace("1. ###", "1. ###"))
    elapsed = time.perf_counter() - started
    assert len(small.cards) == count
    assert len(big.cards) >= count  # numbering starts over: read, and counted
    assert elapsed < 30  # a bound, not a benchmark: quadratic reading of 4,000 items took minutes


@pytest.mark.slow
def test_a_link_to_a_question_in_the_document_leads_to_its_card_in_the_handout_only(tmp_path):
    root = project(tmp_path, {"front.md": LIST_HEADINGS})
    result = run(["build", "--format", "html", "--format", "apkg"], root)
    assert result.exit_code == 0, result.output
    html = (root / "build" / "front.html").read_text(encoding="utf-8")
    first = html.split('id="card-', 1)[1].split('"', 1)[0]  # Q1's anchor
    assert f'see <a href="#card-{first}">closures</a>.' in html
    assert 'href="#what-is-a-closure"' not in html and 'href="#table-of-contents"' not in html
    imported = import_apkg(root / "build" / "front.apkg", tmp_path / "c.anki2")
    assert len(imported.log.new) == 3
    answers = [n["fields"]["Answer"] for n in notes(tmp_path / "c.anki2")]
    assert any("see closures." in a for a in answers) and not any("href=\"#" in a for a in answers)


def test_bold_labels_after_plain_labels_in_a_text_file_are_cards_of_their_own(tmp_path):
    text = ("Q: What is X?\nA: X is a letter.\n\nQ: What is Z?\nA: Another.\n\n"
            "**Q:** What is Y?\n**A:** Y is too.\n\n**Q:** What is W?\n**A:** W also.\n")
    deck = read(tmp_path, "mixed.txt", text)
    assert questions(deck) == ["What is X?", "What is Z?", "What is Y?", "What is W?"]
    assert [c.answer_text for c in deck.cards] == ["X is a letter.", "Another.", "Y is too.", "W also."]


def test_every_diagnostic_names_the_line_of_what_it_is_about(tmp_path):
    filler = "".join(f"{i}. ### What is item {i}?\n\n      Item {i} is a thing.\n\n" for i in range(1, 1301))
    late = ("1301. ### What does the picture show?\n\n      ![chart](missing.png) and [a trap](javascript:x)\n\n"
            "<details>\n<summary>What is hidden here?</summary>\n\n![remote](https://example.com/x.png)\n\n</details>\n")
    text = "# Big\n\n" + filler + late
    deck = read(tmp_path, "big.md", text)
    lines = text.split("\n")
    picture = next(i for i, x in enumerate(lines, 1) if "missing.png" in x)
    remote = next(i for i, x in enumerate(lines, 1) if "example.com/x.png" in x)
    found = {(d.code, d.span.line) for d in deck.diagnostics if d.code in ("DG301", "DG302")}
    assert ("DG302", picture) in found and ("DG301", picture) in found
    assert ("DG302", remote) in found  # a remote image inside an accordion: its own line
    assert all(d.span.line > 5000 for d in deck.diagnostics if d.code == "DG302")


def test_unanswered_accordions_asked_again_in_another_section_stay_questions(tmp_path):
    block = "<details>\n<summary>{}</summary><br><b>\n</b></details>\n\n"
    text = ("# Exercises\n\n## Network\n\n" + block.format("What is a router?") + block.format("TCP vs UDP")
            + "## Devices\n\n" + block.format("What is a router?") + block.format("Explain NAT")
            + "<details>\n<summary>What is DNS?</summary><br><b>\n\nNames to addresses.\n</b></details>\n")
    deck = read(tmp_path, "ex.md", text)
    assert questions(deck) == ["What is a router?", "TCP vs UDP", "What is a router?", "Explain NAT", "What is DNS?"]
    assert [s.title for s in deck.sections] == ["Network", "Devices"]


def test_a_question_with_a_remark_after_its_question_mark(tmp_path):
    text = "# Reverse interview\n\n- 온보딩은 어떻게 이루어지나요?\n- 팀의 구성은 어떻게 되나요? (시니어 / 주니어)\n- What is on-call like? (if any)\n"
    deck = read(tmp_path, "ko.md", text)
    assert len(deck.cards) == 3 and deck.cards[1].question_text.endswith("(시니어 / 주니어)")


OUTLINE_FAQ = """        エディタ FAQ

* 一般

** Q. このエディタは何ですか?

   小さなテキストエディタです．

** Q. どこで動きますか?

   Linux と macOS で動きます．

* トラブル

** Q. 保存できません．

   ディスクの空きを確認してください．
"""


def test_an_outline_faq_and_a_legacy_encoding_through_import(tmp_path):
    deck = read(tmp_path, "faq.txt", OUTLINE_FAQ)
    assert questions(deck) == ["このエディタは何ですか?", "どこで動きますか?", "保存できません．"]
    assert [s.title for s in deck.sections] == ["一般", "トラブル"]
    # the same document in EUC-JP: a source must be UTF-8 (one line naming where), import decodes it
    root = project(tmp_path / "p")
    (root / "faq.txt").write_bytes(OUTLINE_FAQ.encode("euc-jp"))
    (root / "source" / "faq.txt").write_bytes(OUTLINE_FAQ.encode("euc-jp"))
    check = run(["check"], root)
    assert check.exit_code == 1 and "source/faq.txt:1:9: not UTF-8" in check.output
    (root / "source" / "faq.txt").unlink()
    result = run(["import", "faq.txt", "-o", "source/faq.md"], root)
    assert result.exit_code == 0, result.output
    assert "faq.txt:1:1: warning: not UTF-8: read as euc_j" in result.stderr  # euc_jp or euc_jis_2004
    again = read_source(root / "source" / "faq.md", "faq.md", 10**7)
    assert [c.question_text for c in again.cards] == questions(deck)


def test_a_page_is_titled_by_its_title_not_its_first_heading(tmp_path):
    page = ("<html><head><title>Cron FAQ</title></head><body><main><h2>DESCRIPTION</h2><p>Answers about cron.</p>"
            "<h3>How do I list my jobs</h3><p>Run crontab -l.</p><h3>Where are the logs</h3><p>In syslog.</p>"
            "<div id='search-results'><h3>Why does my job not run</h3><p>Check its PATH.</p></div>"
            "</main></body></html>")
    deck = read(tmp_path, "cron.html", page)
    assert deck.title == "Cron FAQ"
    # headings that do not end in '?' are questions here, and an id saying 'search' hides none
    assert questions(deck) == ["How do I list my jobs", "Where are the logs", "Why does my job not run"]


def test_a_heading_over_every_question_is_a_label_and_the_paragraph_under_it_asks(tmp_path):
    # (not in deckgen's own form, which is read as written: the introduction says so)
    text = "# Quiz\n\nFour rules, a question each.\n\n" + "".join(
        f"## Item {i}\n\n### Question\n\nWhat does rule {i} say?\n\nRule {i} says {i}.\n\n" for i in range(1, 5))
    deck = read(tmp_path, "quiz.md", text)
    assert questions(deck) == [f"What does rule {i} say?" for i in range(1, 5)]
    assert [c.answer_text for c in deck.cards] == [f"Rule {i} says {i}." for i in range(1, 5)]
    assert not any(d.code == "DG101" for d in deck.diagnostics)


# -- headings below the questions' level stay in the answer ----------------------------------
SUBSECTIONS_ONLY = """## What is the default access modifier?

Public.

## Which collections does TypeScript support?

### Arrays

Typed arrays.

### Tuples

Fixed-length arrays.

## Does TypeScript support abstract classes?

Yes, since 2015.
"""


def test_an_answer_made_only_of_sub_sections_is_the_answer(tmp_path):
    deck = read(tmp_path, "ts.md", SUBSECTIONS_ONLY)
    assert questions(deck) == ["What is the default access modifier?", "Which collections does TypeScript support?",
                               "Does TypeScript support abstract classes?"]
    assert deck.cards[1].answer_text.splitlines() == ["Arrays", "Typed arrays.", "Tuples", "Fixed-length arrays."]
    assert [s.title for s in deck.sections] == [""]  # no section named after a sub-heading ("Tuples")
    assert deck.coverage.share == 1.0 and not deck.stray
    check = run(["check"], project(tmp_path / "p", {"ts.md": SUBSECTIONS_ONLY}))
    assert check.exit_code == 0 and "[DG007]" not in check.stdout and "[DG010]" not in check.stdout


SUBHEADINGS = """# Go Questions
{intro}
## 1. What is _Go_ and why was it created?

**Go** is a programming language developed at Google.

### Key Objectives

- **Simplicity**: a small language.

### Key Features

- **Open Source**: Go is open source.

## 2. Explain the workspace architecture in _Go_.

A simplified workspace.

### Workspace Layout

Three directories: src, pkg and bin.
"""


@pytest.mark.parametrize("intro", ["", "\nSome introduction before the questions.\n"])
def test_an_introduction_line_does_not_cut_answers_at_their_sub_headings(tmp_path, intro):
    text = SUBHEADINGS.format(intro=intro)
    deck = read(tmp_path, "go.md", text)
    assert questions(deck) == ["What is Go and why was it created?", "Explain the workspace architecture in Go."]
    first, second = deck.cards
    assert first.answer_text.splitlines() == ["Go is a programming language developed at Google.", "Key Objectives",
                                              "Simplicity: a small language.", "Key Features", "Open Source: Go is open source."]
    assert second.answer_text.endswith("Workspace Layout\nThree directories: src, pkg and bin.")
    assert [s.title for s in deck.sections] == [""] and not deck.stray
    check = run(["check"], project(tmp_path / "p", {"go.md": text}))
    assert check.exit_code == 0 and "[DG010]" not in check.stdout and "[DG020]" not in check.stdout


REFERENCES = """# CSS Questions

Answers to the front-end questions. Pull requests welcome!

### What is CSS selector specificity?

How browsers decide which property values apply.

###### References

- https://example.org/css-specificity

[[↑] Back to top](#css-questions)

### What's the difference between resetting and normalizing CSS?

Resetting strips every default style; normalizing keeps the useful ones.

###### References

- https://example.org/normalize

[[↑] 先頭に戻る](#css-questions)

### How does `z-index` work?

It orders positioned elements on the z-axis.

[[↑] De volta ao topo](#css-questions)
"""


def test_a_references_heading_under_each_answer_stays_in_it(tmp_path):
    deck = read(tmp_path, "css.md", REFERENCES)
    assert questions(deck) == ["What is CSS selector specificity?",
                               "What's the difference between resetting and normalizing CSS?", "How does z-index work?"]
    assert deck.cards[0].answer_text.splitlines() == ["How browsers decide which property values apply.", "References",
                                                      "https://example.org/css-specificity"]
    assert deck.cards[1].answer_text.endswith("References\nhttps://example.org/normalize")
    # "back to top" in Japanese and Portuguese is chrome too, in no answer
    assert deck.cards[2].answer_text == "It orders positioned elements on the z-axis."
    assert [s.title for s in deck.sections] == [""] and not deck.stray
    assert [s.reason for s in deck.skipped].count("back-to-top link") == 3


TOPICS_AND_SUBHEADINGS = """# Interview

## Databases

### What is an index?

A structure that finds rows fast.

#### Example

`CREATE INDEX ON users (email)`

### What is a deadlock?

Two transactions waiting on each other.

## Networks

### What does TCP add to IP?

Ordering and retransmission.
"""


def test_topics_above_the_questions_are_sections_and_headings_below_stay_in_answers(tmp_path):
    deck = read(tmp_path, "topics.md", TOPICS_AND_SUBHEADINGS)
    assert questions(deck) == ["What is an index?", "What is a deadlock?", "What does TCP add to IP?"]
    assert [(s.title, len(s.cards)) for s in deck.sections] == [("Databases", 2), ("Networks", 1)]
    assert deck.cards[0].answer_text.splitlines() == ["A structure that finds rows fast.", "Example",
                                                      "CREATE INDEX ON users (email)"]


LABELLED_QUIZ = """# Chapter 46: PostCSS

**Difficulty:** easy x2 | hard x1

---

## Item 1 🟢

**Type:** single choice

### 题目

What is PostCSS?

- A. a preprocessor
- B. a tool that transforms CSS with plugins

<details>
<summary>查看答案</summary>

### ✅ 正确答案：B

It runs JavaScript plugins over the CSS.

</details>

---

## Item 2 🟢

**Type:** single choice

### 题目

CSS Modules scope class names to their component.

- A. true
- B. false

<details>
<summary>查看答案</summary>

### ✅ 正确答案：A

Each class name is made unique at build time.

</details>

---

## Item 3 🔴

**Type:** multiple choice

### 题目

Which plugins are common?

- A. autoprefixer
- B. cssnano

<details>
<summary>查看答案</summary>

### ✅ 正确答案：A, B

Both.

</details>
"""


def test_a_label_heading_under_each_item_heading_reads_the_paragraph_below_it_as_the_question(tmp_path):
    # the `## Item N` headings hold every answer, but the questions are asked under `### 题目`
    # (a statement to judge true or false among them)
    deck = read(tmp_path, "quiz.md", LABELLED_QUIZ)
    assert questions(deck) == ["What is PostCSS?", "CSS Modules scope class names to their component.",
                               "Which plugins are common?"]
    assert [s.title for s in deck.sections] == ["Item 1 🟢", "Item 2 🟢", "Item 3 🔴"]
    assert deck.cards[1].answer_text.splitlines() == ["A. true", "B. false", "✅ 正确答案：A",
                                                      "Each class name is made unique at build time."]


def test_a_last_heading_holding_only_links_is_the_closing_not_a_card(tmp_path):
    text = REFERENCES + "\n### Other Answers\n\n- https://example.org/answers\n- [Another list](https://example.org/more)\n"
    deck = read(tmp_path, "css.md", text)
    assert questions(deck) == ["What is CSS selector specificity?",
                               "What's the difference between resetting and normalizing CSS?", "How does z-index work?"]
    assert deck.cards[-1].answer_text == "It orders positioned elements on the z-axis."
    assert {s.reason for s in deck.skipped if s.span.line >= 31} == {"links after the last card (Other Answers)"}
    # a last question that asks keeps its links as its answer
    asks = read(tmp_path, "asks.md", text.replace("### Other Answers", "### Where can I read other answers?"))
    assert questions(asks)[-1] == "Where can I read other answers?"
    assert asks.cards[-1].answer_text == "https://example.org/answers\nAnother list"


TOPICS_OVER_LIST_QUESTIONS = """### basic interview questions
- What is a jsonb type in psql? how is it different from json
    - jsonb stores data in byte format and json stores in text format.
    - jsonb also supports indexing on individual keys.
- How can you query json data in psql?
    - with the `->` operator, for example
    ```sql
    select taskdata->'id' from dailytasks
    ```
- How do you upsert in psql?
    - with `insert ... on conflict ... do update`.

### advanced questions
- Why would you denormalize a table?
    - to read a record without joins, when reads outnumber writes.
- When is a partial index useful?
    - when queries only ever ask for a small part of the rows.
"""


def test_list_items_that_ask_under_a_topic_heading_are_the_questions(tmp_path):
    """`### basic interview questions` asks nothing; the list items under it ask and hold their
    answers: each item is a card, not the heading one card holding them all."""
    deck = read(tmp_path, "postgres.md", TOPICS_OVER_LIST_QUESTIONS)
    assert deck.shape == "markdown:list-item"
    assert questions(deck) == [
        "What is a jsonb type in psql? how is it different from json", "How can you query json data in psql?",
        "How do you upsert in psql?", "Why would you denormalize a table?", "When is a partial index useful?"]
    assert [s.title for s in deck.sections] == ["basic interview questions", "advanced questions"]
    assert [c.answer_text for c in deck.cards] == [
        "jsonb stores data in byte format and json stores in text format.\n"
        "jsonb also supports indexing on individual keys.",
        "with the -> operator, for example\nselect taskdata->'id' from dailytasks",
        "with insert ... on conflict ... do update.",
        "to read a record without joins, when reads outnumber writes.",
        "when queries only ever ask for a small part of the rows."]
    assert not [d for d in deck.diagnostics if d.severity == "error"]
    checked = run(["check"], project(tmp_path / "p", {"postgres.md": TOPICS_OVER_LIST_QUESTIONS}))
    assert checked.exit_code == 0 and "0 error(s), 0 warning(s)" in checked.output
    # a `###` question that asks keeps such a list as its answer (deckgen's own form)
    asked = read(tmp_path, "asked.md", TOPICS_OVER_LIST_QUESTIONS.replace(
        "### basic interview questions", "### What do interviewers ask about psql?").replace(
        "### advanced questions", "### What do they ask next?"))
    assert questions(asked) == ["What do interviewers ask about psql?", "What do they ask next?"]
    assert asked.cards[1].answer_text.startswith("Why would you denormalize a table?\n")


QUESTIONS_ONLY = """## JavaScript questions

* Explain event delegation.
* Explain how `this` works in JavaScript.
* What is a closure, and how/why would you use one?
* Describe event bubbling.
* Describe event capturing.
* What is the difference between `==` and `===`?
"""


def test_a_list_of_questions_without_answers_never_answers_one_with_another(tmp_path):
    """In a list of questions and nothing else (h5bp's interview questions), an item that asks
    without a question mark ("Describe event bubbling.") is a question too, not the answer of the
    one before it: every question is a card, each flagged for its empty answer."""
    deck = read(tmp_path, "js.md", QUESTIONS_ONLY)
    assert questions(deck) == [
        "Explain event delegation.", "Explain how this works in JavaScript.",
        "What is a closure, and how/why would you use one?", "Describe event bubbling.",
        "Describe event capturing.", "What is the difference between == and ===?"]
    assert [c.answer_text for c in deck.cards] == [""] * 6
    assert not deck.skipped and not deck.stray
    checked = run(["check"], project(tmp_path / "p", {"js.md": QUESTIONS_ONLY}))
    assert checked.exit_code == 1
    assert checked.output.count("has an empty answer [DG007]") == 6
    # a list mostly of items that do not ask keeps them as the answer of the question above it
    steps = read(tmp_path, "steps.md", "## Setup\n\n* How do I reset the settings?\n* Close the app.\n"
                 "* Delete the file.\n* Explain it to the admin.\n\nDone.\n")
    assert questions(steps) == ["How do I reset the settings?"]
    assert steps.cards[0].answer_text == "Close the app.\nDelete the file.\nExplain it to the admin.\nDone."


FOLLOW_UPS = """## JavaScript questions

* Explain how `this` works in JavaScript.
  * Can you give an example of one of the ways that working with `this` has changed in ES6?
* What is a closure, and how/why would you use one?
* Explain the difference between mutable and immutable objects.
  * What is an example of an immutable object in JavaScript?
  * What are the pros and cons of immutability?
* Describe event bubbling.
"""


def test_follow_up_questions_in_a_list_of_questions_are_part_of_the_question(tmp_path):
    """In a list of questions and nothing else, the questions nested under one ask more: they
    are part of its question, never its answer."""
    deck = read(tmp_path, "js.md", FOLLOW_UPS)
    assert questions(deck) == [
        "Explain how this works in JavaScript. Can you give an example of one of the ways that working with "
        "this has changed in ES6?",
        "What is a closure, and how/why would you use one?",
        "Explain the difference between mutable and immutable objects. What is an example of an immutable "
        "object in JavaScript? What are the pros and cons of immutability?",
        "Describe event bubbling."]
    assert [c.answer_text for c in deck.cards] == [""] * 4
    # where an item holds an answer, questions nested under another stay that one's answer
    answered = read(tmp_path, "answered.md", FOLLOW_UPS.replace(
        "* Describe event bubbling.\n", "* Describe event bubbling.\n  * Events rise from the target to the root.\n"))
    assert answered.cards[0].answer_text.startswith("Can you give an example")
    assert answered.cards[3].answer_text == "Events rise from the target to the root."


def test_links_back_to_the_index_in_spanish_are_chrome(tmp_path):
    """midudev's React questions end every answer with `**[⬆ Volver a índice](#índice)**`: 137
    answers held it."""
    deck = read(tmp_path, "react.md", "# Preguntas de React\n\n"
                "#### ¿Qué es React?\n\nUna biblioteca para interfaces.\n\n**[⬆ Volver a índice](#índice)**\n\n"
                "#### ¿Qué es JSX?\n\nUna extensión de la sintaxis de JavaScript.\n\n**[⬆ Volver a índice](#índice)**\n\n"
                "#### ¿Qué es un componente?\n\nUna función que devuelve elementos.\n\n[Volver al inicio](#top)\n")
    assert [c.answer_text for c in deck.cards] == ["Una biblioteca para interfaces.",
                                                   "Una extensión de la sintaxis de JavaScript.",
                                                   "Una función que devuelve elementos."]
    assert [s.reason for s in deck.skipped].count("back-to-top link") == 3
