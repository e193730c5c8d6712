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
        if not match or not (_alone(lines, i) or _listed(line, match, inline, expected)):
            continue
        number, text = int(match["num"]), match["text"].strip()
        if expected is not None and number != expected:
            continue
        if inline:
            start = _inline_start(lines, i, number, text, expected is not None, notes)
        else:
            start = _numbered_start(i, number, text, needs_question, expected is not None, notes)
        if start is not None:
            starts.append(start)
            expected = number + 1
    return starts


def _listed(line: str, match: re.Match, inline: bool, expected: int | None) -> bool:
    """A numbered line starts a question when it stands alone as a paragraph; items copied from a
    rendered list follow each other, so in the inline shape the next number at the paragraph's
    own indentation, with its "Answer:", starts one too."""
    return inline and not line[:1].isspace() and expected is not None and int(match["num"]) == expected \
        and INLINE_ANSWER.search(" " + match["text"]) is not None


def _inline_start(lines: list[str], i: int, number: int, text: str, counting: bool,
                  notes: list[tuple[int, str]]) -> Start | None:
    """`N. What is X? Answer: X is ...`: the question may wrap, so read on to the line with the
    answer label; without one the line is part of an answer (noted once the count has begun)."""
    j, joined = i, text
    while not INLINE_ANSWER.search(" " + joined) and j + 1 < len(lines) and lines[j + 1].strip() \
            and not NUMBERED.match(lines[j + 1]):
        j += 1
        joined += " " + lines[j].strip()
    parts = INLINE_ANSWER.split(" " + joined, maxsplit=1)
    if len(parts) != 2:
        if counting:
            notes.append((i, f"numbered line {number} has no 'Answer:'; read as part of an answer"))
        return None
    return Start(i, number, parts[0].strip(), parts[1].strip(), last=j)


def _numbered_start(i: int, number: int, text: str, needs_question: bool, counting: bool,
                    notes: list[tuple[int, str]]) -> Start | None:
    """`N. Question` alone on its line; in the numbered shape only when the text reads as a question
    (one that does not is a list item, noted once the count has begun)."""
    if needs_question and not (text.endswith("?") or QUESTION_WORDS.match(text)):
        if counting:
            notes.append((i, f"numbered line {number} does not read as a question; read as a list item"))
        return None
    return Start(i, number, text, "", last=i)


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
    page = _PageReader(lines, path, shape, FINDERS[shape](lines, notes))
    page.read()
    diagnostics = [Diagnostic("warning", "DG013", message, page.span(line_index)) for line_index, message in notes]
    built = tuple(Section(name, where, tuple(cards)) for name, where, cards in page.sections if cards or name)
    return Deck(
        title=page.title or fallback_title, source=path, sections=built, shape=shape,
        skipped=tuple(page.skipped), stray=tuple(page.stray), diagnostics=tuple(diagnostics),
    )


class _PageReader:
    """read_page's pass over the lines: a question's start opens a card; any other line goes to
    the first rule that takes it (`rules`), else to the open card's answer."""

    def __init__(self, lines: list[str], path: str, shape: str, starts: list[Start]) -> None:
        self.lines, self.path, self.shape = lines, path, shape
        self.start_at = {s.line: s for s in starts}
        self.first = starts[0].line if starts else len(lines)
        self.last = starts[-1].line if starts else len(lines)
        self.trailer_at = trailer_start(lines, starts[-1].last if starts else len(lines))
        self.unsure = unsure_ending(lines, self.trailer_at, starts[-1].last if starts else len(lines))
        self.skipped: list[Skipped] = []
        self.stray: list[Skipped] = []
        self.title = ""
        self.sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        self.current: tuple[Start, AnswerBuilder, AnswerBuilder] | None = None  # start, answer, advice (coaching)
        self.mode = "answer"  # coaching: "advice" until the example answer
        self.skipping = ""  # the reason while inside a block that is not content
        self.trailer = False
        self.rules = (self.blank, self.after_last, self.closing_line, self.furniture, self.skip_heading,
                      self.outside, self.section_heading, self.table_row)

    def span(self, i: int) -> SourceSpan:
        return SourceSpan(self.path, i + 1, 1)

    def read(self) -> None:
        i = 0
        while i < len(self.lines):
            if i in self.start_at:
                i = self.begin(self.start_at[i])
                continue
            raw, line = self.lines[i], self.lines[i].strip()
            for rule in self.rules:
                if rule(i, raw, line):
                    break
            else:
                self.content(raw)
            i += 1
        self.finish()

    def begin(self, start: Start) -> int:
        """Open the card of a question's start; the line after what the start takes (a wrapped
        question, an A: line)."""
        self.finish()
        self.skipping, self.mode = "", ("advice" if self.shape == "coaching" else "answer")
        self.current = (start, AnswerBuilder(), AnswerBuilder())
        if start.inline_answer:
            self.current[1].add(start.inline_answer)
        return start.last + 1

    def finish(self) -> None:
        if self.current is None:
            return
        start, answer, advice = self.current
        blocks = answer.done()
        extra = advice.done()
        if self.shape == "coaching" and not blocks:
            blocks, extra = extra, ()  # no example answer: the advice is the answer
        question = start.question
        number = start.number if start.number is not None else sum(len(c) for _, _, c in self.sections) + 1
        self.sections[-1][2].append(Card(
            number=number,
            question=text_runs(question) if question else (),
            answer=blocks, section=self.sections[-1][0], span=self.span(start.line),
            answer_span=self.span(start.answer_line if start.answer_line is not None else start.line),
            answer_number=number,
            extra=extra, counted=start.number is None,
        ))
        self.current = None

    def next_is_question(self, i: int) -> bool:
        j = i + 1
        while j < len(self.lines) and not self.lines[j].strip():
            j += 1
        return j in self.start_at

    # -- the rules, in the order they apply: each takes the line (True) or leaves it (False) --

    def blank(self, i: int, raw: str, line: str) -> bool:
        if line:
            return False
        if self.current is not None:
            self.current[1].flush_paragraph()
            self.current[2].flush_paragraph()
        return True

    def after_last(self, i: int, raw: str, line: str) -> bool:
        """Page chrome after the last card, from where the trailer starts."""
        if i > self.last and i >= self.trailer_at:
            self.finish()
            self.trailer = True
        if not self.trailer:
            return False
        self.skipped.append(Skipped(self.span(i), line, "page chrome after the last card"))
        return True

    def closing_line(self, i: int, raw: str, line: str) -> bool:
        if self.unsure is None or i < self.unsure:
            return False
        self.stray.append(Skipped(self.span(i), line, "a closing line after the last card, not read as answer"))
        return True

    def furniture(self, i: int, raw: str, line: str) -> bool:
        if not _furniture(raw):
            return False
        self.skipped.append(Skipped(self.span(i), line, "page chrome"))
        return True

    def skip_heading(self, i: int, raw: str, line: str) -> bool:
        """A heading of a block that is not content ("Table of contents", "Conclusion")."""
        if not (SKIP_HEADING.match(line) and _alone(self.lines, i)):
            return False
        self.finish()
        self.skipping = line.rstrip(":").lower()
        self.skipped.append(Skipped(self.span(i), line, f"not content ({self.skipping})"))
        return True

    def outside(self, i: int, raw: str, line: str) -> bool:
        """A line outside any card (or in a block that is not content): the title, a section
        heading right before a question, or text left out."""
        if self.current is not None and not self.skipping:
            return False
        heading_like = len(line) <= 100 and line[-1] not in ".,;!" and _standalone(self.lines, i)
        opening = not self.title and i < self.first and not any(earlier.strip() for earlier in self.lines[:i])
        if heading_like and self.next_is_question(i) and not opening:
            self.sections.append((line.rstrip(":"), self.span(i), []))
            self.skipping = ""
        elif opening:
            self.title = line
        else:
            self.left_out(i, line)
        return True

    def left_out(self, i: int, line: str) -> None:
        if self.skipping or i < self.first:
            reason = f"not content ({self.skipping})" if self.skipping else "introduction"
            self.skipped.append(Skipped(self.span(i), line, reason))
        else:  # neither a card, a heading nor known page furniture: reported (DG010)
            self.stray.append(Skipped(self.span(i), line, "text between cards"))

    def section_heading(self, i: int, raw: str, line: str) -> bool:
        """A section heading between cards: a short line alone right before a question."""
        if len(line) > 100 or line[-1] in ".,;!?\"”" or not _standalone(self.lines, i) \
                or not self.next_is_question(i) or BULLET.match(raw):
            return False
        self.finish()
        self.sections.append((line.rstrip(":"), self.span(i), []))
        return True

    def table_row(self, i: int, raw: str, line: str) -> bool:
        if line.count("|") < 2:
            return False
        self.skipped.append(Skipped(self.span(i), line, "table"))  # pasted as text (tips, comparisons)
        return True

    def content(self, raw: str) -> None:
        """A line of the open card: its answer (coaching: the advice, or the example answer)."""
        _, answer, advice = self.current
        if self.shape != "coaching":
            answer.add(raw)
            return
        how, example = HOW_TO.match(raw), EXAMPLE.match(raw)
        if example:
            self.mode = "example"
            answer.flush()
            if example["text"].strip():
                answer.add(_unquote(example["text"]))
        elif how:
            self.mode = "advice"
            advice.flush()
            advice.add("How to answer: " + how["text"].strip())
        else:
            (answer if self.mode == "example" else advice).add(raw)
