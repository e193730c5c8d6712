"""How a Markdown block is marked as a question, an answer or a card's settings.

Contract: the `*_marks` functions give the structure finder's Marks for one block, one per family
the block could ask a question in (heading levels, `Q12.` / `A12.` markers, `Question:` labels, a
bold first line, a number, a question line, a list item, an accordion's summary); they read the
block's tokens and source lines and decide nothing about the rest of the document. The `strip_*`
functions and `question_lines` take those markers off again when a card's question and answer
are read. META and EXTRA are deckgen's own comments: a card's settings and the start of its Extra.
"""

from __future__ import annotations

import dataclasses
import re

from markdown_it.token import Token

from deckgen.model import Inline
from deckgen.readers.mdtokens import children, closing, is_line_break, item_ranges, plain, plain_text
from deckgen.readers.structure import (
    NUMBER,
    Mark,
    ends_as_question,
    is_reveal,
    reads_as_question,
    strip_number,
)

META = re.compile(r"^<!--\s*deckgen:(?P<body>.*?)-->$", re.DOTALL)
EXTRA = re.compile(r"^<!--\s*deckgen:\s*extra\s*-->$")

# Markers a paragraph's first line may start with (bold or not): `Q12.` / `A12.`, `Q:` / `A:`
_B = r"(?:\*\*|__)?"
QA_MARKER = re.compile(rf"^\s*{_B}\s*Q\s?(?P<num>\d{{1,5}})\s*{_B}\s*[.):]\s*{_B}\s*(?=\S)")
A_MARKER = re.compile(rf"^\s*{_B}\s*A\s?(?P<num>\d{{1,5}})\s*{_B}\s*[.):]\s*{_B}\s*")
Q_WORDS = r"Q|Question|Вопрос|Питання|Pregunta|Pergunta|Frage|Domanda|Soru|Câu hỏi|问|問|问题|問題|질문|質問"
A_WORDS = r"A|Answer|Ans|Ответ|Відповідь|Respuesta|Resposta|Réponse|Antwort|Risposta|Cevap|Trả lời|答|回答|答案|답|답변"
LABEL_Q = re.compile(rf"^\s*{_B}\s*(?:{Q_WORDS})\s*{_B}\s*(?:[:：]|\.(?=\s|\*\*|__))\s*{_B}\s*", re.IGNORECASE)
LABEL_A = re.compile(rf"^\s*{_B}\s*(?:{A_WORDS})\s*{_B}\s*(?:[:：]|\.(?=\s|\*\*|__))\s*{_B}\s*", re.IGNORECASE)
BOLD_NUMBER = re.compile(r"(?:Q\s?)?(\d{1,4})\s*[.):]?", re.IGNORECASE)
REVEAL_SUMMARY = re.compile(r"<summary[^>]*>(.*?)</summary>", re.IGNORECASE | re.DOTALL)


# -- marking blocks ----------------------------------------------------------------------------
def heading_marks(text: str, level: int) -> tuple[Mark, ...]:
    """A heading asks its words (label and number taken off); `### Answer:` under `### Question: ...`
    is the answer's heading, not a question."""
    question, number = strip_number(LABEL_Q.sub("", text, count=1))
    return () if LABEL_A.match(text) else (Mark(f"h{level}", question, number),)


def paragraph_marks(inline: Token, lines: list[str], text: str) -> tuple[Mark, ...]:
    """A paragraph (its inline token, source lines and words) marked by its first line: a `Q12.`
    marker, a `Question:` label, a bold line, a number, or a line that asks."""
    first, rest = lines[0], lines[1:]
    if (m := QA_MARKER.match(first)) is not None:
        return (Mark("qa-markers", plain_text(first[m.end():]), (int(m["num"]),),
                     answered=any(A_MARKER.match(x) for x in rest)),)
    if (m := LABEL_Q.match(first)) is not None:
        return (Mark("label", plain_text(first[m.end():]), None, answered=any(LABEL_A.match(x) for x in rest)),)
    if (head := bold_first_line(inline)) is not None:
        question, number = head
        return (Mark("bold", question, number, answered=bool(rest)),)
    question, number = strip_number(plain_text(first))
    if number is not None and len(number) > 1 and len(first) < 300:
        return (Mark("numbered", question, number, answered=bool(rest)),)
    if not rest and _question_line(text):
        return (Mark("question-line", question, number),)
    return ()


def _question_line(text: str) -> bool:
    """A paragraph of one short line that asks (at least three words, ending as a question)."""
    return len(text) <= 250 and reads_as_question(text) and ends_as_question(text.rstrip(" :")) \
        and len(text.split()) >= 3


def bold_first_line(inline: Token) -> tuple[str, tuple[int, ...] | None] | None:
    """A paragraph whose first line is all bold (`**What is X?**`), or a bold number and a
    question (`**12)** What is X?`): the question and its number; else None."""
    line = _first_line(inline.children or [])
    bold, rest = _bold_and_rest(line)
    if not bold:
        return None
    if not rest.strip(" :.?：？"):
        return strip_number(bold + rest)
    number = BOLD_NUMBER.fullmatch(bold)
    if number and _starts_bold(line):
        return rest, (int(number[1]),)
    return None


def _first_line(tokens: list[Token]) -> list[Token]:
    """An inline token's children up to its first line break."""
    line: list[Token] = []
    for child in tokens:
        if is_line_break(child):
            break
        line.append(child)
    return line


def _bold_and_rest(line: list[Token]) -> tuple[str, str]:
    """A line's bold words and its other words, each run together and stripped."""
    depth, inside, outside = 0, [], []
    for child in line:
        if child.type == "strong_open":
            depth += 1
        elif child.type == "strong_close":
            depth -= 1
        elif child.type in ("text", "code_inline", "link_open", "link_close", "em_open", "em_close"):
            (inside if depth else outside).append(child.content)
    return "".join(inside).strip(), "".join(outside).strip()


def _starts_bold(line: list[Token]) -> bool:
    """The line opens with its bold (nothing but spaces before it)."""
    if not line or line[0].type not in ("strong_open", "text"):
        return False
    return not "".join(c.content for c in line[:1] if c.type == "text").strip()


def item_marks(tokens: list[Token], a: int, b: int, ordered: bool, number: tuple[int, ...] | None) -> tuple[Mark, ...]:
    """A list item (tokens[a] opens it, tokens[b] closes it) marked by its first block: a heading
    (`- ### Question`), or a paragraph that asks, its answer the blocks below it, an accordion,
    the next number or the text below the list."""
    head = tokens[a + 1]
    if head.type == "heading_open":
        question, own = strip_number(plain(tokens[a + 2]))
        return (Mark("list-heading", question, own or number, answered=len(children(tokens, a, b)) > 1),)
    if head.type == "paragraph_open":
        return _paragraph_item_marks(tokens, a, b, ordered, number)
    return ()


def _paragraph_item_marks(tokens: list[Token], a: int, b: int, ordered: bool,
                          number: tuple[int, ...] | None) -> tuple[Mark, ...]:
    question = plain(tokens[a + 2])
    if len(question) > 300:
        return ()
    if _reveals_answer(tokens[a:b + 1]):  # `- Question` with a "Show answer" accordion under it
        return (Mark("list-item", strip_number(question)[0], number, answered=True),)
    if not reads_as_question(question):
        return ()
    if len(children(tokens, a, b)) > 1:
        return (Mark("list-item", strip_number(question)[0], number, answered=True),)
    if ordered:
        return (Mark("numbered", strip_number(question)[0], number),)
    if ends_as_question(question):  # `- What is X?`, its answer below the list
        return (Mark("list-item", question, None),)
    return ()


def asking_item_marks(tokens: list[Token], a: int, b: int) -> tuple[Mark, ...]:
    """An item of one line that asks without a question mark ("Explain event delegation.",
    "Describe event bubbling."), read in a list of questions: a question too, with no answer of
    its own (never the answer of the question before it)."""
    if tokens[a + 1].type != "paragraph_open" or len(children(tokens, a, b)) > 1:
        return ()
    question = plain(tokens[a + 2])
    if len(question) > 300 or "\n" in question or not reads_as_question(question):
        return ()
    return (Mark("list-item", strip_number(question)[0], None),)


def follow_up_marks(tokens: list[Token], a: int, b: int, marks: tuple[Mark, ...]) -> tuple[Mark, ...] | None:
    """An item whose blocks below its first line are only lists of one-line questions (`* What is
    the event loop?` / `  * What is the difference between call stack and task queue?`): its
    list-item mark, saying that those ask more and answer nothing; None for any other item."""
    mark = next((m for m in marks if m.family == "list-item"), None)
    below = children(tokens, a, b)[1:]
    if mark is None or not below or tokens[a + 1].type != "paragraph_open":
        return None
    for k in below:
        if tokens[k].type not in ("bullet_list_open", "ordered_list_open"):
            return None
        for x, y in item_ranges(tokens, k, closing(tokens, k)):
            inner = children(tokens, x, y)
            text = plain(tokens[inner[0] + 1]) if len(inner) == 1 and tokens[inner[0]].type == "paragraph_open" else ""
            if not text or "\n" in text or not ends_as_question(text):
                return None
    return (dataclasses.replace(mark, answered=False, follow_ups=True),)


def _reveals_answer(tokens: list[Token]) -> bool:
    """An accordion among the tokens whose summary says "Show answer"."""
    return any(t.type == "html_block" and (s := REVEAL_SUMMARY.search(t.content)) and is_reveal(s[1])
               for t in tokens)


def details_marks(question: str, rest: str) -> tuple[Mark, ...]:
    """An accordion asks its summary (unless the summary only says "Show answer")."""
    if not question or is_reveal(question):
        return ()
    return (Mark("details", strip_number(question)[0], strip_number(question)[1], answered=bool(rest)),)


# -- taking the marks off ------------------------------------------------------------------------
def strip_runs(runs: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A question's runs without its number or label (`12.`, `Q12.`, `Q:`)."""
    if not runs or runs[0].kind not in ("text", "strong", "em"):
        return runs
    first = runs[0]
    text = LABEL_Q.sub("", first.text, count=1)
    if text == first.text and NUMBER.match(text):
        text = text[NUMBER.match(text).end():]
    stripped = text.lstrip() if text != first.text else text
    if stripped == first.text:
        return runs
    if not stripped:
        rest = runs[1:]
        if rest and rest[0].kind == "text":
            rest = (Inline("text", rest[0].text.lstrip()), *rest[1:])
        return rest
    return (dataclasses.replace(first, text=stripped), *runs[1:])


def question_lines(lines: list[str], family: str) -> int:
    """How many of a paragraph's source lines are its question (the rest is its answer)."""
    if family in ("label", "qa-markers"):
        for k in range(1, len(lines)):
            if LABEL_A.match(lines[k]) or A_MARKER.match(lines[k]):
                return k
        return len(lines)
    return 1


def strip_question_label(text: str) -> str:
    """A question's source without its `Q12.` marker or `Question:` label."""
    for pattern in (QA_MARKER, LABEL_Q):
        match = pattern.match(text)
        if match:
            return text[match.end():]
    return text


def strip_answer_label(line: str) -> str:
    """An answer's first line without its `A12.` marker or `Answer:` label."""
    for pattern in (A_MARKER, LABEL_A):
        match = pattern.match(line)
        if match:
            return line[match.end():]
    return line
