"""The records every stage passes along: decks, sections, cards, answer blocks, diagnostics. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

Severity = Literal["error", "warning", "info"]
PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, order=True)
class SourceSpan:
    """A place in a source file: path as given, 1-based line and column."""

    path: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Inline:
    """A run of text inside a paragraph or list item.

    kind is one of: text, em, strong, code, link, ref, image, math, cloze. For link, `href` is the
    target; for ref (a link to a place in the same document), `href` is `#` and the place's name; for image, `href` is the path of the image file (already checked by the reader) and
    `text` its alt text; for math, `text` is the TeX; for cloze, `text` is the hidden text,
    `number` its cloze number (c1 -> 1) and `hint` the hint shown in its place, if any.
    """

    kind: str
    text: str
    href: str = ""
    number: int = 0
    hint: str = ""


Inlines = tuple[Inline, ...]


def plain_text(inlines: Inlines) -> str:
    """The inlines as plain text, as a reader would say them."""
    return "".join(run.text for run in inlines)


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    inlines: Inlines


@dataclass(frozen=True)
class ListBlock:
    """A bullet list (ordered=False) or numbered list; each item is a tuple of blocks."""

    kind: ClassVar[str] = "list"
    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True)
class CodeBlock:
    kind: ClassVar[str] = "code"
    code: str
    language: str = ""


@dataclass(frozen=True)
class MathBlock:
    """A displayed formula (TeX), on a line of its own."""

    kind: ClassVar[str] = "math"
    tex: str


@dataclass(frozen=True)
class TableBlock:
    """A table: a header row and body rows of cells (inline runs); `align` per column is
    "", "left", "center" or "right"."""

    kind: ClassVar[str] = "table"
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    align: tuple[str, ...] = ()


Block = Paragraph | ListBlock | CodeBlock | MathBlock | TableBlock


def blocks_text(blocks: tuple[Block, ...]) -> str:
    """All the words of some blocks as plain text, one line per paragraph or item."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append(plain_text(block.inlines))
        elif isinstance(block, ListBlock):
            for item in block.items:
                lines.append(blocks_text(item))
        elif isinstance(block, MathBlock):
            lines.append(block.tex)
        elif isinstance(block, TableBlock):
            for row in (block.header, *block.rows):
                lines.append(" ".join(plain_text(cell) for cell in row))
        else:
            lines.append(block.code)
    return "\n".join(lines)


def all_inlines(blocks: tuple[Block, ...]):
    """Every inline run in some blocks, list items and table cells included."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from block.inlines
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from all_inlines(item)
        elif isinstance(block, TableBlock):
            for row in (block.header, *block.rows):
                for cell in row:
                    yield from cell


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice question (`- [ ] a` / `- [x] b`), and whether it is right."""

    inlines: Inlines
    correct: bool = False


@dataclass(frozen=True)
class Card:
    """One question and its answer, as read from a source.

    `number` is the number the source gave the question (None where it has none);
    `answer_number` the one its answer carried (both are its place, and `counted`, where the
    source numbers nothing). A card the reader could only half read
    (a question without an answer, an answer without a question) keeps an empty side,
    so that validation can report it.
    """

    number: int | None
    question: Inlines
    answer: tuple[Block, ...]
    section: str
    span: SourceSpan
    answer_span: SourceSpan | None = None
    answer_number: int | None = None
    tags: tuple[str, ...] = ()
    explicit_id: str = ""
    extra: tuple[Block, ...] = ()
    disabled_rules: tuple[str, ...] = ()
    end: int = 0  # the card's last line in its source (0 where the reader does not say)
    reverse: bool = False  # also studied answer -> question (a second Anki card)
    choices: tuple[Choice, ...] = ()  # a multiple-choice question's options, shown with the question
    # the number is the card's place, counted by deckgen (the source gave none): the handout and
    # the PDFs show it; an Anki note never holds it, so inserting a card changes no other note
    counted: bool = False

    @property
    def answered(self) -> bool:
        """The card has something to show as its answer: blocks, or a right option marked."""
        return bool(self.answer) or any(choice.correct for choice in self.choices)

    @property
    def cloze_numbers(self) -> tuple[int, ...]:
        """The cloze numbers in the card ({{c1::...}} -> 1), in order; empty for a Q&A card."""
        runs = (*self.question, *all_inlines(self.answer))
        return tuple(sorted({run.number for run in runs if run.kind == "cloze"}))

    @property
    def kind(self) -> str:
        """Which note type the card is: "cloze", "reversed" or "basic"."""
        if self.cloze_numbers:
            return "cloze"
        return "reversed" if self.reverse else "basic"

    @property
    def question_text(self) -> str:
        return plain_text(self.question)

    @property
    def answer_text(self) -> str:
        return blocks_text(self.answer)

    @property
    def label(self) -> str:
        """How messages and outputs name the card: Q12, or the start of its question."""
        if self.number is not None:
            return f"Q{self.number}"
        text = self.question_text
        return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


@dataclass(frozen=True)
class Section:
    title: str
    span: SourceSpan | None
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Skipped:
    """Lines a reader recognised as not content (blog chrome, bylines) and left out."""

    span: SourceSpan
    text: str
    reason: str


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    span: SourceSpan

    def format(self) -> str:
        return f"{self.span}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Deck:
    """Everything read from one source document."""

    title: str
    source: str
    sections: tuple[Section, ...]
    shape: str = ""
    skipped: tuple[Skipped, ...] = ()
    stray: tuple[Skipped, ...] = ()
    images: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    coverage: object = None  # readers.structure.Coverage: how much of the text the cards hold
    candidates: tuple[str, ...] = ()  # the question markers the structure finder weighed, for check -v
    seen: str = ""  # what the document offers as question markers, for messages

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for section in self.sections for card in section.cards)


@dataclass(frozen=True)
class StudyCard:
    """A card ready to render: the read card with its stable identity attached."""

    card: Card
    id: str
    index: int
    cloze: int = 0  # on a printed flashcard: the cloze number it asks for (one flashcard each)

    @property
    def key(self) -> str:
        """The id where it is plain (letters, digits, '-', '_'), else a name derived from it:
        a note added in Anki keeps Anki's GUID as its id, which may hold any printable character.
        A flashcard for one cloze number adds it."""
        if PLAIN_ID.fullmatch(self.id):
            key = self.id
        else:
            import hashlib

            key = "g" + hashlib.sha256(self.id.encode()).hexdigest()[:12]
        return f"{key}-c{self.cloze}" if self.cloze else key

    @property
    def anchor(self) -> str:
        return f"card-{self.key}"


@dataclass(frozen=True)
class StudySection:
    title: str
    cards: tuple[StudyCard, ...]
    index: int

    @property
    def anchor(self) -> str:
        return f"section-{self.index}"


@dataclass(frozen=True)
class StudyDeck:
    """What the templates receive: the deck with identities, and build facts."""

    title: str
    source: str
    name: str
    sections: tuple[StudySection, ...]
    build_date: str = ""
    language: str = "en"

    @property
    def cards(self) -> tuple[StudyCard, ...]:
        return tuple(card for section in self.sections for card in section.cards)


@dataclass(frozen=True)
class Rendered:
    """An output's bytes, ready to write, and what rendering it found."""

    data: bytes
    pages: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0  # how long rendering took


@dataclass(frozen=True)
class Progress:
    """How far a long step has come (`done` of `total` parts), for a progress bar."""

    what: str
    done: int
    total: int

    def __str__(self) -> str:
        return f"{self.what}: {self.done}/{self.total}"


@dataclass
class OutputResult:
    """What a writer produced, or why it failed."""

    path: str
    format: str
    ok: bool = True
    error: str = ""
    size: int = 0
    seconds: float = 0.0
    cards: int = 0
    pages: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    unchanged: bool = False  # left as the last build wrote it
