"""Reader for plain-text Q&A documents: `Q12.` / `A12.` markers, headings, bullet lists, page chrome.

The format, as pasted from blogs and notes:

    Title line (optional)

    Section heading (optional; a short line right before a question)

    Q1. What is X?
    A1. X is ... (on this line or the next; more paragraphs may follow)

    Q2) How ...?            markers may be written Q2. Q2) Q2: and Q 2.
    A2:
      • a bullet            bullets: • - * – or 1. 2. (a numbered list)
      • another

Questions that follow the last heading belong to that heading's section: nothing in the
text starts a new one, and inventing a section name would be inventing content.
Blog chrome (Comments, Popular posts, Share, Subscribe, Labels...) is recognised and left out;
everything after it, once no question follows, is chrome too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deckgen.model import Card, Deck, Section, Skipped, SourceSpan
from deckgen.readers.inline import text_runs
from deckgen.readers.lines import BULLET, AnswerBuilder
from deckgen.readers.structure import SIGN_OFF

QUESTION = re.compile(r"^(?P<indent>\s*)Q\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")
ANSWER = re.compile(r"^(?P<indent>\s*)A\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")

CHROME = re.compile(
    r"^(?:"
    r"\d*\s*comments?|post a comment|leave a (?:comment|reply)|popular posts(?: from this blog)?"
    r"|related posts?|recent posts?|you (?:may|might) also like.*|read more|see also:?"
    r"|share(?: this(?: post| article)?)?(?: on \w+)?:?|share to \w+|get link|email this|blogthis!"
    r"|facebook|twitter|x|linkedin|pinterest|whatsapp|email|other apps|reddit|print"
    r"|subscribe.*|sign up for .*newsletter.*|labels?:.*|tags?:.*|newer posts?|older posts?|home"
    r"|posted by .*|\d+ min read|copyright .*|©.*|all rights reserved\.?"
    r")$",
    re.IGNORECASE,
)
TRAILER_START = re.compile(
    r"^(?:\d*\s*comments?|post a comment|leave a (?:comment|reply)|popular posts(?: from this blog)?"
    r"|related posts?|recent posts?|you (?:may|might) also like.*|newer posts?|older posts?)$",
    re.IGNORECASE,
)
# A closing paragraph after the last answer (a sign-off, a cross-link, a call to follow or
# subscribe) is page chrome, and everything after it too: SIGN_OFF, shared with the structure finder.


def trailer_start(lines: list[str], last_start: int) -> int:
    """Where the chrome after the last card begins: a known trailer heading ("Comments",
    "Popular posts") or a sign-off paragraph standing alone after the last question."""
    for i in range(last_start + 1, len(lines)):
        line = lines[i].strip()
        if TRAILER_START.match(line):
            return i
        if line and not lines[i - 1].strip() and SIGN_OFF.match(line):
            return i
    return len(lines)


def unsure_ending(lines: list[str], trailer: int, last_start: int) -> int | None:
    """The start of a last paragraph that reads like a title or a link, not an answer (a short
    line with no closing punctuation, alone after the last card): reported, not kept as answer."""
    end = trailer
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end - 1
    if start <= last_start + 1 or lines[start - 1].strip() or not lines[start].strip():
        return None
    line = lines[start].strip()
    words = line.split()
    capitalised = sum(w[:1].isupper() for w in words if len(w) > 3)
    title_like = ":" in line or " | " in line or capitalised >= max(2, len([w for w in words if len(w) > 3]) - 1)
    if len(words) <= 8 and line[-1] not in ".!?;)\"”'" and title_like and not BULLET.match(lines[start]):
        return start
    return None


def dedent_blocks(lines: list[str]) -> list[str]:
    """Each paragraph (a run of non-blank lines) without the indentation all its lines share:
    a list copied from a rendered page keeps the browser's indent; nested lines keep theirs."""
    out = list(lines)
    i = 0
    while i < len(out):
        if not out[i].strip():
            i += 1
            continue
        j = i
        while j < len(out) and out[j].strip():
            j += 1
        shared = min(len(line) - len(line.lstrip()) for line in out[i:j])
        if shared:
            out[i:j] = [line[shared:] for line in out[i:j]]
        i = j
    return out


# spaces that paste in from web pages: non-breaking, thin, em/en, ideographic, narrow
UNICODE_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")


def normalise(text: str) -> list[str]:
    """Lines of `text` with any line ending, a BOM and web-page spaces made plain."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [UNICODE_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]


def is_heading(lines: list[str], i: int) -> bool:
    """A short line, alone in its paragraph, right before a question: a section heading."""
    line = lines[i].strip()
    if not line or len(line) > 100 or line[-1] in ".?!;,":
        return False
    if QUESTION.match(line) or ANSWER.match(line) or BULLET.match(lines[i]) or CHROME.match(line):
        return False
    if i > 0 and lines[i - 1].strip():
        return False
    j = i + 1
    if j < len(lines) and lines[j].strip():
        return False  # a heading stands alone
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j < len(lines) and bool(QUESTION.match(lines[j]))


def _heading_text(line: str) -> str:
    return line.strip().rstrip(":").strip()


@dataclass
class _Pending:
    """The card being read: its question lines, then its answer as the lines come."""

    number: int | None
    span: SourceSpan
    section: str
    question: list[str] = field(default_factory=list)
    answer_number: int | None = None
    answer_span: SourceSpan | None = None
    answer: AnswerBuilder = field(default_factory=AnswerBuilder)
    in_answer: bool = False
    end: int = 0

    def card(self) -> Card:
        question = " ".join(self.question).strip()
        return Card(
            number=self.number,
            question=text_runs(question) if question else (),
            answer=self.answer.done(),
            section=self.section,
            span=self.span,
            answer_span=self.answer_span,
            answer_number=self.answer_number,
            end=self.end,
        )


def read_text(text: str, path: str, fallback_title: str) -> Deck:
    """Read a plain-text Q&A document into a Deck. Never raises on odd content: what it cannot
    place is kept in `Deck.stray` for validation to report."""
    lines = normalise(text)
    reader = _TextReader(lines, path)
    for i, raw in enumerate(lines):
        reader.step(i, raw)
    reader.finish()

    built = tuple(
        Section(name, where, tuple(cards)) for name, where, cards in reader.sections if cards or name
    )
    return Deck(
        title=reader.title or fallback_title,
        source=path,
        sections=built,
        shape="qa-markers",
        skipped=tuple(reader.skipped),
        stray=tuple(reader.stray),
    )


class _TextReader:
    """read_text's pass over the lines: each line goes to the first rule that takes it (`rules`),
    else to the answer of the card being read."""

    def __init__(self, lines: list[str], path: str) -> None:
        self.lines, self.path = lines, path
        question_rows = [i for i, line in enumerate(lines) if QUESTION.match(line)]
        marker_rows = [i for i, line in enumerate(lines) if QUESTION.match(line) or ANSWER.match(line)]
        last_marker = marker_rows[-1] if marker_rows else -1
        self.first_question = question_rows[0] if question_rows else len(lines)
        self.trailer = trailer_start(lines, last_marker)
        self.unsure = unsure_ending(lines, self.trailer, last_marker)
        self.title = ""
        self.sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        self.skipped: list[Skipped] = []
        self.stray: list[Skipped] = []
        self.pending: _Pending | None = None
        self.rules = (self.after_trailer, self.closing_line, self.blank, self.question_marker, self.answer_marker,
                      self.heading, self.chrome, self.outside_card, self.question_line)

    def span(self, i: int, indent: str = "") -> SourceSpan:
        return SourceSpan(self.path, i + 1, len(indent) + 1)

    def finish(self) -> None:
        if self.pending is not None:
            self.sections[-1][2].append(self.pending.card())
            self.pending = None

    def step(self, i: int, raw: str) -> None:
        line = raw.strip()
        for rule in self.rules:
            if rule(i, raw, line):
                return
        self.pending.answer.add(raw)
        self.pending.end = i + 1

    # -- the rules, in the order they apply: each takes the line (True) or leaves it (False) --

    def after_trailer(self, i: int, raw: str, line: str) -> bool:
        if i < self.trailer:
            return False
        if line:
            self.skipped.append(Skipped(self.span(i), line, "page chrome after the last card"))
        return True

    def closing_line(self, i: int, raw: str, line: str) -> bool:
        if self.unsure is None or i < self.unsure:
            return False
        if line:
            self.stray.append(Skipped(self.span(i), line, "a closing line after the last card, not read as answer"))
        return True

    def blank(self, i: int, raw: str, line: str) -> bool:
        if line:
            return False
        if self.pending is not None:
            self.pending.answer.flush_paragraph()
            if not self.pending.in_answer and self.pending.question:
                self.pending.question.append("")  # a blank line ends the question's own text
        return True

    def question_marker(self, i: int, raw: str, line: str) -> bool:
        if (q := QUESTION.match(raw)) is None:
            return False
        self.finish()
        self.pending = _Pending(int(q["num"]), self.span(i, q["indent"]), self.sections[-1][0], end=i + 1)
        self.pending.question.append(q["text"].strip())
        return True

    def answer_marker(self, i: int, raw: str, line: str) -> bool:
        """`A12.`: the answer of the card being read, or of a card of its own when that one has its
        answer already (or there is none)."""
        if (a := ANSWER.match(raw)) is None:
            return False
        if self.pending is None or self.pending.in_answer:
            self.finish()
            self.pending = _Pending(None, self.span(i, a["indent"]), self.sections[-1][0])
        pending = self.pending
        pending.in_answer = True
        pending.end = i + 1
        pending.answer_number = int(a["num"])
        pending.answer_span = self.span(i, a["indent"])
        if a["text"].strip():
            pending.answer.add(a["text"].strip())
        return True

    def heading(self, i: int, raw: str, line: str) -> bool:
        """A section heading, or the document's title when it opens the document."""
        if not is_heading(self.lines, i):
            return False
        self.finish()
        if not self.title and i < self.first_question and not self.sections[-1][2] and _is_title(self.lines, i):
            self.title = _heading_text(line)
        else:
            self.sections.append((_heading_text(line), self.span(i), []))
        return True

    def chrome(self, i: int, raw: str, line: str) -> bool:
        if not (CHROME.match(line) and _alone(self.lines, i)):
            return False
        self.skipped.append(Skipped(self.span(i), line, "page chrome"))
        return True

    def outside_card(self, i: int, raw: str, line: str) -> bool:
        """Text before any card: the title before the first question, else text outside any card."""
        if self.pending is not None:
            return False
        if not self.title and i < self.first_question:
            self.title = line
        else:
            self.stray.append(Skipped(self.span(i), line, "text outside any card"))
        return True

    def question_line(self, i: int, raw: str, line: str) -> bool:
        """A line of the question, before its answer marker; a paragraph after the question but
        before any answer marker is reported."""
        pending = self.pending
        if pending.in_answer:
            return False
        if pending.question and pending.question[-1] == "":
            self.stray.append(Skipped(self.span(i), line, "text between a question and its answer"))
        else:
            pending.question.append(line)
            pending.end = i + 1
        return True


def _alone(lines: list[str], i: int) -> bool:
    before = i == 0 or not lines[i - 1].strip()
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return before and after


def _is_title(lines: list[str], i: int) -> bool:
    """The first paragraph of the document is its title when another heading follows it
    before the first question; right before a question it is a section heading."""
    return not any(line.strip() for line in lines[:i])
