"""Reader for the other shapes of interview pages people paste (the `Q12.`/`A12.` shape is
readers/text.py). Each shape finds where questions start; everything else is shared: answers are
built from the lines up to the next question, page chrome is recognised and reported as skipped.

Shapes, and how `auto` recognises them (the first that fits, in this order):

- qa-labels: `Q:` / `Question:` lines, each followed by `A:` / `Answer:`.
- coaching: `N. Question`, advice, `How to answer: ...`, `Example answer: "..."`; the card's
  answer is the example answer, the advice goes to the card's Extra field.
- numbered-inline: `N. What is X? Answer: X is ...`, the answer possibly wrapped over lines.
- numbered: `N. What is X?` alone on a line, the answer in the paragraphs below.
- headings: a short line ending in `?` alone on a line, the answer in the paragraphs below.

The numbered-line rule: a line `N. text` starts a question only when it stands alone as a
paragraph (a blank line or the page's start before it), N is the next question number (the
first one, or one more than the last question's), and, in the numbered shape, the text reads as a
question (ends with `?` or starts with a question or instruction word). Any other numbered line is
a list item inside the current answer; one that had the right number but not the rest gets a
warning (DG013), so a misread is never silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from deckgen.model import (
    Card,
    Deck,
    Diagnostic,
    Section,
    Skipped,
    SourceSpan,
)
from deckgen.readers import PAGE_SHAPES
from deckgen.readers.inline import text_runs
from deckgen.readers.lines import AnswerBuilder
from deckgen.readers.text import (
    BULLET,
    CHROME,
    QUESTION,
    dedent_blocks,
    normalise,
    trailer_start,
    unsure_ending,
)

NUMBERED = re.compile(r"^\s*(?P<num>\d{1,4})[.)]\s+(?P<text>\S.*)$")
LABEL_Q = re.compile(r"^\s*(?:Q|Question)\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
LABEL_A = re.compile(r"^\s*(?:A|Answer)\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
INLINE_ANSWER = re.compile(r"\s(?:Answer|Ans\.?|A)\s*[:：]\s*", re.IGNORECASE)
HOW_TO = re.compile(r"^\s*how to answer\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
EXAMPLE = re.compile(r"^\s*(?:example|sample)(?: answer| response)?\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
QUESTION_WORDS = re.compile(
    r"^(?:what|how|why|when|where|which|who|whom|whose|can|could|is|are|do|does|did|should|would|"
    r"will|have|has|explain|describe|define|compare|name|list|tell|give|walk|discuss|outline)\b",
    re.IGNORECASE,
)
# page furniture beyond the Q&A page chrome the text reader knows
BYLINE = re.compile(
    r"^(?:(?:posted|written|published|updated)\s+(?:by|on)\b.*|by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)*(?:\s*[·|•-].*)?"
    r"|.*\b\d+\s+min(?:ute)?s?\s+read\b.*|last updated:?.*|follow us.*|share (?:this|on).*|subscribe.*)$",
    re.IGNORECASE,
)
SKIP_HEADING = re.compile(
    r"^(?:table of contents|contents|in this article|conclusion|final thoughts|summary|wrapping up|"
    r"key takeaways|related (?:posts|articles|reading)|recommended (?:posts|reading)|further reading|"
    r"about the author|tips(?: for .*)?|frequently asked questions about .*|introduction)\s*:?$",
    re.IGNORECASE,
)



@dataclass(frozen=True)
class Start:
    """Where a question starts: its line, number, text, and any answer text on the same line."""

    line: int
    number: int | None
    question: str
    inline_answer: str = ""
    answer_line: int | None = None  # for qa-labels: the A: line
    last: int = -1  # the last line the start itself takes (a wrapped question, an A: line)


def _alone(lines: list[str], i: int) -> bool:
    return i == 0 or not lines[i - 1].strip()


def _standalone(lines: list[str], i: int) -> bool:
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return _alone(lines, i) and after


def _furniture(line: str) -> bool:
    text = line.strip()
    return bool(CHROME.match(text) or BYLINE.match(text))


def _numbered_starts(lines: list[str], needs_question: bool, inline: bool,
                     notes: list[tuple[int, str]]) -> list[Start]:
    starts: list[Start] = []
    expected: int | None = None
    for i, line in enumerate(lines):
        match = NUMBERED.match(line)
        # a numbered line starts a question when it stands alone as a paragraph; items copied
        # from a rendered list follow each other, so in the inline shape the next number at the
        # paragraph's own indentation, with its "Answer:", starts one too
        listed = inline and match is not None and not line[:1].isspace() and expected is not None \
            and int(match["num"]) == expected and INLINE_ANSWER.search(" " + match["text"]) is not None
        if not match or not (_alone(lines, i) or listed):
            continue
        number, text = int(match["num"]), match["text"].strip()
        if expected is not None and number != expected:
            continue
        answer = ""
        if inline:
            # the question may wrap: read on to the line with the answer label
            j, joined = i, text
            while not INLINE_ANSWER.search(" " + joined) and j + 1 < len(lines) and lines[j + 1].strip() \
                    and not NUMBERED.match(lines[j + 1]):
                j += 1
                joined += " " + lines[j].strip()
            parts = INLINE_ANSWER.split(" " + joined, maxsplit=1)
            if len(parts) != 2:
                if expected is not None:
                    notes.append((i, f"numbered line {number} has no 'Answer:'; read as part of an answer"))
                continue
            text, answer = parts[0].strip(), parts[1].strip()
            starts.append(Start(i, number, text, answer, last=j))
            expected = number + 1
            continue
        elif needs_question and not (text.endswith("?") or QUESTION_WORDS.match(text)):
            if expected is not None:
                notes.append((i, f"numbered line {number} does not read as a question; read as a list item"))
            continue
        starts.append(Start(i, number, text, answer, last=i))
        expected = number + 1
    return starts


def _label_starts(lines: list[str], notes: list[tuple[int, str]]) -> list[Start]:
    starts = []
    for i, line in enumerate(lines):
        match = LABEL_Q.match(line)
        if not match:
            continue
        question = [match["text"].strip()]
        j = i + 1
        while j < len(lines) and lines[j].strip() and not LABEL_A.match(lines[j]):
            question.append(lines[j].strip())
            j += 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        answer_line = j if j < len(lines) and LABEL_A.match(lines[j]) else None
        inline = LABEL_A.match(lines[answer_line])["text"].strip() if answer_line is not None else ""
        last = answer_line if answer_line is not None else j - 1
        starts.append(Start(i, None, " ".join(q for q in question if q), inline, answer_line, last))
    return starts


def _heading_starts(lines: list[str], notes: list[tuple[int, str]]) -> list[Start]:
    return [
        Start(i, None, line.strip(), last=i)
        for i, line in enumerate(lines)
        if line.strip().endswith("?") and len(line.strip()) <= 200 and _standalone(lines, i)
        and not NUMBERED.match(line) and not BULLET.match(line)
    ]


FINDERS: dict[str, Callable[[list[str], list[tuple[int, str]]], list[Start]]] = {
    "qa-labels": _label_starts,
    "coaching": lambda lines, notes: _numbered_starts(lines, False, False, notes),
    "numbered-inline": lambda lines, notes: _numbered_starts(lines, False, True, notes),
    "numbered": lambda lines, notes: _numbered_starts(lines, True, False, notes),
    "headings": _heading_starts,
}


def detect(lines: list[str]) -> tuple[str, list[str]]:
    """The shape a document has, and the other shapes it also looks like (for a warning)."""
    lines = dedent_blocks(lines)
    counts = {
        "qa-markers": sum(1 for line in lines if QUESTION.match(line)),
        "qa-labels": sum(1 for line in lines if LABEL_Q.match(line)),
        "coaching": sum(1 for line in lines if EXAMPLE.match(line) or HOW_TO.match(line)),
        "numbered-inline": len(_numbered_starts(lines, False, True, [])),
        "numbered": len(_numbered_starts(lines, True, False, [])),
        "headings": len(_heading_starts(lines, [])),
    }
    order = ["qa-markers", *PAGE_SHAPES]
    fitting = [shape for shape in order if counts[shape] >= 1]
    if not fitting:
        return "qa-markers", []
    chosen = fitting[0]
    # shapes that contain each other are not a mix: coaching and inline answers are numbered too
    implied = {"coaching": {"numbered", "numbered-inline"}, "numbered-inline": {"numbered"}}
    others = [s for s in fitting[1:] if s not in implied.get(chosen, set()) and counts[s] >= 2]
    return chosen, others


def _unquote(text: str) -> str:
    text = text.strip()
    for left, right in (('"', '"'), ("“", "”"), ("'", "'")):
        if len(text) > 1 and text.startswith(left) and text.endswith(right):
            return text[1:-1].strip()
    return text


def choose(lines: list[str], path: str) -> tuple[str, list[Diagnostic]]:
    """The shape to read a document as, with a warning when it also looks like another."""
    shape, others = detect(lines)
    if not others:
        return shape, []
    return shape, [Diagnostic(
        "warning", "DG014",
        f"the document also looks like {', '.join(others)}; read as {shape} (set source-format to choose)",
        SourceSpan(path, 1))]


def read_page(text: str, path: str, fallback_title: str, shape: str) -> Deck:
    """Read a document of one of PAGE_SHAPES (readers/__init__ chooses the shape)."""
    lines = dedent_blocks(normalise(text))
    notes: list[tuple[int, str]] = []
    diagnostics: list[Diagnostic] = []
    starts = FINDERS[shape](lines, notes)
    start_at = {s.line: s for s in starts}
    first = starts[0].line if starts else len(lines)
    last = starts[-1].line if starts else len(lines)
    trailer_at = trailer_start(lines, starts[-1].last if starts else len(lines))
    unsure = unsure_ending(lines, trailer_at, starts[-1].last if starts else len(lines))

    skipped: list[Skipped] = []
    stray: list[Skipped] = []
    title = ""
    sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
    current: tuple[Start, AnswerBuilder, AnswerBuilder] | None = None  # start, answer, advice (coaching)
    mode = "answer"  # coaching: "advice" until the example answer
    skipping = ""  # the reason while inside a block that is not content
    trailer = False

    def span(i: int) -> SourceSpan:
        return SourceSpan(path, i + 1, 1)

    def finish() -> None:
        nonlocal current
        if current is None:
            return
        start, answer, advice = current
        blocks = answer.done()
        extra = advice.done()
        if shape == "coaching" and not blocks:
            blocks, extra = extra, ()  # no example answer: the advice is the answer
        question = start.question
        sections[-1][2].append(Card(
            number=start.number if start.number is not None else sum(len(c) for _, _, c in sections) + 1,
            question=text_runs(question) if question else (),
            answer=blocks, section=sections[-1][0], span=span(start.line),
            answer_span=span(start.answer_line if start.answer_line is not None else start.line),
            answer_number=start.number if start.number is not None else sum(len(c) for _, _, c in sections) + 1,
            extra=extra, counted=start.number is None,
        ))
        current = None

    def next_is_question(i: int) -> bool:
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        return j in start_at

    i = 0
    while i < len(lines):
        raw, line = lines[i], lines[i].strip()
        if i in start_at:
            finish()
            skipping, mode = "", ("advice" if shape == "coaching" else "answer")
            start = start_at[i]
            current = (start, AnswerBuilder(), AnswerBuilder())
            if start.inline_answer:
                current[1].add(start.inline_answer)
            i = start.last + 1  # past a wrapped question or an A: line the start took
            continue
        if not line:
            if current is not None:
                current[1].flush_paragraph()
                current[2].flush_paragraph()
            i += 1
            continue
        if i > last and i >= trailer_at:
            finish()
            trailer = True
        if trailer:
            skipped.append(Skipped(span(i), line, "page chrome after the last card"))
            i += 1
            continue
        if unsure is not None and i >= unsure:
            stray.append(Skipped(span(i), line, "a closing line after the last card, not read as answer"))
            i += 1
            continue
        if _furniture(raw):
            skipped.append(Skipped(span(i), line, "page chrome"))
            i += 1
            continue
        if SKIP_HEADING.match(line) and _alone(lines, i):
            finish()
            skipping = line.rstrip(":").lower()
            skipped.append(Skipped(span(i), line, f"not content ({skipping})"))
            i += 1
            continue
        if current is None or skipping:
            heading_like = len(line) <= 100 and line[-1] not in ".,;!" and _standalone(lines, i)
            if heading_like and next_is_question(i):
                if not title and i < first and not any(earlier.strip() for earlier in lines[:i]):
                    title = line
                else:
                    sections.append((line.rstrip(":"), span(i), []))
                    skipping = ""
            elif not title and i < first and not any(earlier.strip() for earlier in lines[:i]):
                title = line
            elif skipping or i < first:
                reason = f"not content ({skipping})" if skipping else "introduction"
                skipped.append(Skipped(span(i), line, reason))
            else:  # neither a card, a heading nor known page furniture: reported (DG010)
                stray.append(Skipped(span(i), line, "text between cards"))
            i += 1
            continue
        if len(line) <= 100 and line[-1] not in ".,;!?\"”" and _standalone(lines, i) and next_is_question(i) \
                and not BULLET.match(raw):
            finish()  # a section heading between cards
            sections.append((line.rstrip(":"), span(i), []))
            i += 1
            continue
        if line.count("|") >= 2:  # a table row pasted as text (tips, comparisons)
            skipped.append(Skipped(span(i), line, "table"))
            i += 1
            continue
        start, answer, advice = current
        if shape == "coaching":
            how, example = HOW_TO.match(raw), EXAMPLE.match(raw)
            if example:
                mode = "example"
                answer.flush()
                if example["text"].strip():
                    answer.add(_unquote(example["text"]))
                i += 1
                continue
            if how:
                mode = "advice"
                advice.flush()
                advice.add("How to answer: " + how["text"].strip())
                i += 1
                continue
            (answer if mode == "example" else advice).add(raw)
        else:
            answer.add(raw)
        i += 1
    finish()

    for line_index, message in notes:
        diagnostics.append(Diagnostic("warning", "DG013", message, span(line_index)))
    built = tuple(Section(name, where, tuple(cards)) for name, where, cards in sections if cards or name)
    return Deck(
        title=title or fallback_title, source=path, sections=built, shape=shape,
        skipped=tuple(skipped), stray=tuple(stray), diagnostics=tuple(diagnostics),
    )
