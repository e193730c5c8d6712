"""A plain-text document as blocks for the structure finder (readers/structure.py), and its cards.

Blocks are paragraphs (runs of non-blank lines), cut again where a line starts a marker: `Q12.`,
`Q:`/`Q.`/`Question:` labels and their answers, numbered lines (`12.`, `12)`, `1.2.`, `12<tab>`).
Help files (Vim's) add `*tags*` lines (chrome), an index of `|tag|` lines (a table of contents),
`SECTION ~` headings and `>` ... `<` example blocks. Short lines standing alone are headings the
finder may take as sections. The `Q12.`/`A12.` shape and the coaching shape keep their own readers
(readers/text.py, readers/pages.py): they carry meaning a block does not (an answer's own number,
an example answer apart from advice). The lines are cut into units by readers/textunits.py; this
module reads the finder's choice into a Deck: title, sections, cards and their answers, skipped text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deckgen.model import Block, Card, CodeBlock, Deck, Diagnostic, Section, Skipped, SourceSpan
from deckgen.readers.inline import split_choices, text_runs
from deckgen.readers.lines import AnswerBuilder
from deckgen.readers.structure import (
    Unit,
    counted_when_repeated,
    describe,
    find,
    reads_as_question,
    seen,
)
from deckgen.readers.text import normalise
from deckgen.readers.textunits import (  # noqa: F401 - names this module has always offered
    A_MARKER,
    HASH_HEADING,
    HELP_HEADING,
    INDEX,
    INLINE_ANSWER,
    LABEL_A,
    LABEL_Q,
    NUMBERED,
    OUTLINE,
    QA_MARKER,
    RULE,
    SENTENCE_END,
    TAGS,
    _inline_answer,
    _question_lines,
    units,
)


def read_structured(text: str, path: str, fallback_title: str, question: str = "auto") -> Deck:
    """Read a plain-text document through the structure finder."""
    return structured_reading(text, path, question).deck(fallback_title)


@dataclass(frozen=True)
class StructuredReading:
    """A plain-text document as the structure finder reads it, its cards not built yet: what
    the text reader needs to choose between it and a shape's own card builder (readers/__init__),
    without building the cards it would then throw away."""

    path: str
    question: str
    lines: list[str]
    blocks: list[Unit]
    chosen: Any  # the finder's chosen reading
    readings: list[Any]
    title: str
    skipped: tuple[Skipped, ...]
    stray: tuple[Skipped, ...]
    shape: str
    coverage: Any
    candidates: tuple[Any, ...]
    seen: Any

    @property
    def cards(self) -> int:
        return len(self.chosen.cards)

    def deck(self, fallback_title: str) -> Deck:
        sections = _sections(self.lines, self.blocks, self.chosen, self.path)
        built = tuple(Section(name, span, tuple(cards)) for name, span, cards in sections if cards)
        diagnostics = _mixed(self.readings, self.chosen, self.path) if self.question == "auto" else ()
        return Deck(title=self.title or fallback_title, source=self.path, sections=built, diagnostics=diagnostics,
                    shape=self.shape, skipped=self.skipped, stray=self.stray, coverage=self.coverage,
                    candidates=self.candidates, seen=self.seen)


def structured_reading(text: str, path: str, question: str = "auto") -> StructuredReading:
    """The finder's reading of a plain-text document: its title, what it skips, its shape."""
    lines = normalise(text)
    blocks = units(lines)
    chosen, readings = find(blocks, question)
    _first_line_as_title(chosen, blocks, lines)
    skipped, stray = _skipped(blocks, chosen, path)
    title, skipped = _title(chosen, blocks, skipped)  # the title's unit is no longer skipped
    return StructuredReading(path, question, lines, blocks, chosen, readings, title, tuple(skipped), tuple(stray),
                             _shape_name(chosen.family, lines, blocks, chosen), chosen.coverage(blocks),
                             tuple(describe(readings, chosen)), seen(blocks))


def _opening(blocks: list[Unit]) -> int | None:
    """The document's first unit that is not chrome, if any."""
    return next((k for k, u in enumerate(blocks) if not u.chrome), None)


def _first_line_as_title(chosen, blocks: list[Unit], lines: list[str]) -> None:
    """The document's first line, a section (a heading of level 3 or deeper) alone before the
    questions, is its title, not their section: the reading is changed so."""
    opening = _opening(blocks)
    if opening is None or chosen.roles[opening] != "section" or blocks[opening].level < 3:
        return
    if blocks[opening].line != next(k for k, x in enumerate(lines, 1) if x.strip()):
        return
    chosen.title = opening
    chosen.roles[opening] = "title"
    for planned in chosen.cards:
        if planned.section == opening:
            planned.section = None


def _sections(lines: list[str], blocks: list[Unit], chosen, path: str) -> list[tuple[str, SourceSpan | None, list[Card]]]:
    """The reading's cards, numbered in order, under their sections (the first, nameless, holds
    the cards before any section); a name used twice is counted."""
    sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
    where: dict[int | None, int] = {None: 0}
    for position, planned in enumerate(chosen.cards, start=1):
        if planned.section not in where:
            unit = blocks[planned.section]
            where[planned.section] = len(sections)
            sections.append((unit.text.strip().rstrip(":"), SourceSpan(path, unit.line, 1), []))
        index = where[planned.section]
        sections[index][2].append(_card(lines, blocks, planned, planned.family or chosen.family, position, sections[index][0], path))
    return counted_when_repeated(sections)


def _skipped(blocks: list[Unit], chosen, path: str) -> tuple[list[Skipped], list[Skipped]]:
    """The units no card holds, by their first line: chrome, introduction and closing skipped
    (with the reason), text between cards stray."""
    skipped, stray = [], []
    for unit, role, reason in zip(blocks, chosen.roles, chosen.reasons, strict=True):
        first = unit.text.strip().split("\n", 1)[0]
        if not first:
            continue
        if role == "chrome":
            skipped.append(Skipped(SourceSpan(path, unit.line, 1), first, reason))
        elif role in ("introduction", "closing"):
            skipped.append(Skipped(SourceSpan(path, unit.line, 1), first, role))
        elif role == "between":
            stray.append(Skipped(SourceSpan(path, unit.line, 1), first, "text between cards"))
    return skipped, stray


def _title(chosen, blocks: list[Unit], skipped: list[Skipped]) -> tuple[str, list[Skipped]]:
    """The document's title ("" when it has none) and the skipped units without it: the
    reading's title, else the first line standing alone before the first question (an
    introduction, a closing or a heading that is no section), one line of at most 120
    characters that does not end in punctuation; it is then no longer skipped."""
    if chosen.title is not None:
        return blocks[chosen.title].text.strip(), skipped
    opening = _opening(blocks)
    if opening is None:
        return "", skipped
    role = chosen.roles[opening]
    if role not in ("introduction", "closing") and not (blocks[opening].kind == "heading" and role != "section"):
        return "", skipped
    unit = blocks[opening]
    if "\n" in unit.text.strip() or len(unit.text) > 120 or unit.text.strip()[-1:] in ".:;,":
        return "", skipped
    chosen.roles[opening] = "title"
    return unit.text.strip(), [x for x in skipped if x.span.line != unit.line]


# The names the shapes of text documents have always had (the source-format setting's values)
SHAPE_NAMES = {"label": "qa-labels", "numbered": "numbered", "question-line": "headings", "qa-markers": "qa-markers"}
FAMILY_OF_SHAPE = {"qa-labels": "label", "numbered": "numbered", "numbered-inline": "numbered", "headings": "question-line"}


def _mixed(readings, chosen, path: str) -> tuple:
    """A warning when the document is almost as well read another way (DG014)."""

    if chosen.family not in SHAPE_NAMES:
        return ()
    if chosen.also:  # parts of the document read by another family
        parts = "; ".join(f"lines {a}-{b} as {SHAPE_NAMES.get(f, f)}" for f, a, b in chosen.also)
        return (Diagnostic("warning", "DG014", f"the document mixes shapes: read as {SHAPE_NAMES[chosen.family]}, "
                           f"{parts} (set source-format to choose one)", SourceSpan(path, 1)),)
    others = [r for r in readings if r is not chosen and len(r.cards) >= 2 and r.evidence.get("questions", 0) >= 0.8
              and r.family in SHAPE_NAMES]
    if not others:
        return ()
    names = ", ".join(SHAPE_NAMES[r.family] for r in others)
    return (Diagnostic("warning", "DG014", f"the document also looks like {names}; read as "
                       f"{SHAPE_NAMES[chosen.family]} (set source-format to choose)", SourceSpan(path, 1)),)


def _shape_name(family: str, lines: list[str], blocks: list[Unit], reading) -> str:
    """The name of the document's shape (the source-format setting's values): numbered-inline
    when every numbered question has its answer on its line."""
    if family == "numbered" and reading.cards and all(
            _inline_answer(lines, *blocks[c.question].payload) for c in reading.cards):
        return "numbered-inline"
    return SHAPE_NAMES.get(family, f"text:{family}")


def _card(lines: list[str], blocks: list[Unit], planned, family: str, position: int, section: str,
          path: str) -> Card:
    """The card of a planned question: its question (the marker's text), its answer (the rest
    of its block and the blocks the reading gives it), its number (the marker's own, else its
    position) and where question, answer and card are in the source."""
    unit = blocks[planned.question]
    start, end = unit.payload
    mark = unit.mark(family)
    taken = _taken(lines, start, end, family)
    question = mark.question if mark is not None else lines[start].strip()
    answer_lines = lines[start + taken:end]
    inline = _inline_answer(lines, start, end) if family == "numbered" else None
    if inline is not None:
        answer_lines = [inline[1], *lines[inline[2] + 1:end]]
    elif family == "numbered" and not planned.answer and not any(x.strip() for x in answer_lines) \
            and (said := _colon_answer(question)) is not None:
        question, answer_lines = said  # nothing under it: its answer is on its line
    answer_line = _add_answer_blocks(lines, blocks, planned, answer_lines, start + taken if answer_lines else None)
    blocks_out = _answer_blocks(answer_lines)
    given = mark.number[0] if mark is not None and mark.number and len(mark.number) == 1 else None
    number = position if given is None else given
    last = max([end, *(blocks[a].payload[1] for a in planned.answer)])
    choices, blocks_out = split_choices(blocks_out)
    return Card(number=number, question=text_runs(question), answer=blocks_out, section=section, choices=choices,
                span=SourceSpan(path, start + 1, 1),
                answer_span=SourceSpan(path, (answer_line if answer_line is not None else start) + 1, 1),
                answer_number=number, end=last, counted=given is None)


def _colon_answer(question: str) -> tuple[str, list[str]] | None:
    """`What is Java : Java is a high-level language…`: a numbered question whose line holds its
    answer, a whole sentence, after a spaced colon. The question and the answer's lines, else None."""
    asked, colon, said = question.partition(" : ")
    # a sentence that ends as one, not the rest of an unanswered question ("Comparez ces deux
    # types : int et Integer en Java", French spacing; "the enhanced for loop : for (String s : names)")
    if colon and len(asked.split()) >= 2 and len(said.split()) >= 6 and said.rstrip()[-1:] in ".!。":
        return asked.strip(), [said.strip()]
    return None


def _taken(lines: list[str], start: int, end: int, family: str) -> int:
    """How many of the block's lines are its question: a label's up to its `A:` line, a
    numbered question's up to its question mark, else the first."""
    if family == "label":
        return next((k for k in range(start + 1, end) if LABEL_A.match(lines[k])), end) - start
    if family == "numbered":
        return _question_lines(lines, start, end)
    return 1


def _add_answer_blocks(lines: list[str], blocks: list[Unit], planned, answer_lines: list[str],
                       answer_line: int | None) -> int | None:
    """Add the lines of the blocks the reading gives the answer (not chrome; a blank line before
    each) to answer_lines; the line the answer starts on: the given one, else the first block's
    with words."""
    for index in planned.answer:
        part = blocks[index]
        if part.chrome:
            continue
        a, b = part.payload
        if answer_line is None and part.words:
            answer_line = a
        answer_lines.extend(["", *lines[a:b]])
    return answer_line


def _answer_blocks(lines: list[str]) -> tuple[Block, ...]:
    """An answer's lines as blocks: its label taken off, paragraphs, lists, and help-file
    examples (a line ending in ` >` opens one, a line starting with `<` closes it)."""
    reader = _AnswerReader()
    for line in _answer_lines(lines):
        reader.add(line)
    return reader.done()


def _answer_lines(lines: list[str]) -> list[str]:
    """An answer's lines from its first with text, its `A12.`/`A:` label taken off, without the
    indent they all share."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    if lines:
        for pattern in (A_MARKER, LABEL_A):
            m = pattern.match(lines[0])
            if m:
                lines = [m["text"], *lines[1:]]
                break
    shared = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return [x[shared:] for x in lines]


class _AnswerReader:
    """An answer's blocks, line by line: text to the AnswerBuilder (paragraphs, lists), a help
    file's examples as code blocks, `*tag*` lines left out."""

    def __init__(self) -> None:
        self.builder = AnswerBuilder()
        self.out: list[Block] = []
        self.example: list[str] | None = None

    def add(self, line: str) -> None:
        """A line: in an example, its line or its end; a line ending in ` >` (or `>` alone)
        opens one (its text before the `>` is text); a `*tag*` line is left out."""
        if self.example is not None:
            self._in_example(line)
        elif line.rstrip().endswith(" >") or line.strip() == ">":
            self.builder.add(line.rstrip()[:-1])
            self.example = []
        elif not TAGS.match(line):
            self.builder.add(line)

    def _in_example(self, line: str) -> None:
        """A line within an example: a line starting with `<` (the rest is text) or a line of
        text that is not indented ends it, others are its lines."""
        if not (line.startswith("<") or (line.strip() and not line[:1].isspace())):
            self.example.append(line)
            return
        self.out.extend(self.builder.done())
        self.builder = AnswerBuilder()
        self.out.append(CodeBlock(_dedent(self.example)))
        self.example = None
        rest = line[1:] if line.startswith("<") else line
        if rest.strip():
            self.builder.add(rest)

    def done(self) -> tuple[Block, ...]:
        """The blocks, with the text and an example still open at the end."""
        self.out.extend(self.builder.done())
        if self.example:
            self.out.append(CodeBlock(_dedent(self.example)))
        return tuple(self.out)


def _dedent(lines: list[str]) -> str:
    """An example's lines as its code: trailing blank lines and their shared indent taken off."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    shared = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[shared:] for x in lines)


__all__ = ["read_structured", "units", "reads_as_question"]
