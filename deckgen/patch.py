"""Line patches to a source file: a card's question or answer rewritten in the source's own form,
a card appended to a section. Every other line, and the file's line endings, stay as they were.

Two forms are written: Markdown (`### question`, the answer below, Extra after the extra mark) and
plain Q/A text (`Q12.` / `A12.` markers, bullet lists in the source's own bullet style). Text in
the other page shapes is refused: convert it to Markdown first.

Patched sources and their ids files reach the disk together (`write_all`): each new file is
written to a temporary file beside it, then a journal naming them all is written (the commit
point), then each is renamed into place and the journal removed. A pull killed before the journal
is whole changed nothing, and the next pull removes its temporary files; one killed after leaves
the journal, and the next pull (`recover`) finishes the renames, so a source is never left new
beside an old ids file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deckgen import convert
from deckgen.journal import PatchError
from deckgen.model import Card, Deck
from deckgen.readers.lines import BULLET
from deckgen.readers.markdown import EXTRA
from deckgen.readers.text import ANSWER, QUESTION

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
HEADING = re.compile(r"^(?P<mark> {0,3}#{1,6}[ \t]+)")
WRITABLE = ("markdown:h3", "qa-markers")


@dataclass
class SourceText:
    """A source's text as lines that keep their own endings, and the edits to make to it."""

    display: str
    deck: Deck
    bom: bool
    lines: list[str]
    edits: list[tuple[int, int, list[str]]] = field(default_factory=list)  # first, last (1-based), new

    @classmethod
    def parse(cls, text: str, display: str, deck: Deck, bom: bool = False) -> SourceText:
        """`text` as decoded (without its BOM: `bom` says whether the file had one)."""
        lines = [m.group(0) for m in LINE.finditer(text) if m.group(0)]
        return cls(display, deck, bom, lines)

    @property
    def markdown(self) -> bool:
        return self.deck.shape.startswith("markdown")

    @property
    def newline(self) -> str:
        for line in self.lines:
            if line.endswith(("\r\n", "\n", "\r")):
                return "\r\n" if line.endswith("\r\n") else line[-1]
        return "\n"

    def line(self, number: int) -> str:
        return self.lines[number - 1].rstrip("\r\n") if 0 < number <= len(self.lines) else ""

    def check_writable(self) -> None:
        if self.deck.shape not in WRITABLE:
            raise PatchError(
                f"{self.display}: read as {self.deck.shape}; deckgen pull writes back into Markdown in deckgen's "
                f"own form (a ### heading per question) and Q/A-marker text sources (convert this one first: "
                f"deckgen convert {self.display} -o NAME.md)"
            )

    def text(self) -> str:
        """The source with every edit made (without the BOM)."""
        lines = list(self.lines)
        newline = self.newline
        for first, last, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            if last >= first and last == len(lines) and not lines[-1].endswith(("\n", "\r")):
                ending = ""  # the file had no final newline; neither does its new last line
            else:
                ending = newline
            replacement = [line + newline for line in new]
            if replacement and not ending:
                replacement[-1] = replacement[-1].removesuffix(newline)
            if last < first and first > len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += newline  # appending after a last line that had no newline
            lines[first - 1: last] = replacement
        return "".join(lines)

    # -- a card's lines -------------------------------------------------------------------
    def card_lines(self, card: Card) -> list[str]:
        return [self.line(n) for n in range(card.span.line, card.end + 1)]

    def rewrite(self, card: Card, new: Card, question: bool, answer: bool, lost: list[str]) -> None:
        """Replace the card's question and/or answer (with its Extra) by the new card's."""
        self.check_writable()
        if self.markdown:
            self._rewrite_markdown(card, new, question, answer)
        else:
            self._rewrite_text(card, new, question, answer, lost)

    def render_card(self, card: Card, lost: list[str], number: int | None = None) -> list[str]:
        """A whole card in this source's form (a new card, or a conflict's other side)."""
        if self.markdown:
            return [f"### {convert.question_heading(card.question)}", "", *convert.answer_markdown(card)]
        n = card.number if number is None else number
        return [f"Q{n}. {convert.text_inlines(card.question, lost)}",
                *convert.text_blocks(card.answer, f"A{n}. ", self.bullet(None), lost)]

    def _rewrite_markdown(self, card: Card, new: Card, question: bool, answer: bool) -> None:
        if question:
            mark = HEADING.match(self.line(card.span.line))
            prefix = mark["mark"] if mark else "### "
            self.edits.append((card.span.line, card.span.line, [prefix + convert.question_heading(new.question)]))
        if answer:
            start = self._markdown_body_start(card)
            body = convert.answer_markdown(new)
            if start > card.end:  # no answer written yet: put it under the heading
                self.edits.append((start, start - 1, ["", *body]))
            else:
                self.edits.append((start, card.end, body))

    def _markdown_body_start(self, card: Card) -> int:
        """The first line of the answer: after the heading and the card's settings comment."""
        n = card.span.line + 1
        while n <= card.end and not self.line(n).strip():
            n += 1
        settings = self.line(n).strip()
        if n <= card.end and settings.startswith("<!-- deckgen:") and not EXTRA.match(settings):
            while n <= card.end and "-->" not in self.line(n):
                n += 1
            n += 1
            while n <= card.end and not self.line(n).strip():
                n += 1
        return n if n <= card.end else card.end + 1

    def _rewrite_text(self, card: Card, new: Card, question: bool, answer: bool, lost: list[str]) -> None:
        if new.extra:
            lost.append("Extra (a Q/A text source has no place for it; convert it to Markdown to keep it)")
        if question:
            first = self.line(card.span.line)
            marker = QUESTION.match(first)
            prefix = first[: marker.start("text")] if marker else f"Q{card.number}. "
            last = (card.answer_span.line - 1) if card.answer_span else card.end
            while last > card.span.line and not self.line(last).strip():
                last -= 1
            self.edits.append((card.span.line, last, [_spaced(prefix) + convert.text_inlines(new.question, lost)]))
        if answer and card.answer_span is not None:
            first = self.line(card.answer_span.line)
            marker = ANSWER.match(first)
            prefix = first[: marker.start("text")] if marker else f"A{card.number}. "
            lines = convert.text_blocks(new.answer, _spaced(prefix), self.bullet(card), lost)
            self.edits.append((card.answer_span.line, card.end, lines))

    def bullet(self, card: Card | None) -> str:
        """The bullet this source writes (indent, mark, space): the card's own, else the file's."""
        ranges = [range(card.answer_span.line, card.end + 1)] if card and card.answer_span else []
        ranges.append(range(1, len(self.lines) + 1))
        for numbers in ranges:
            for n in numbers:
                found = BULLET.match(self.line(n))
                if found and found["num"] is None:
                    return f"{found['indent']}{found['mark']} "
        return "• "

    # -- new cards ------------------------------------------------------------------------
    def append(self, cards: list[Card], section: str, lost: list[str]) -> None:
        """Add cards (read from Anki notes) at the end of `section`, or in a new section at the
        end of the document when there is no such section."""
        self.check_writable()
        deck = self.deck
        target = next((s for s in deck.sections if s.title == section), None) or \
            next((s for s in deck.sections if s.title.casefold() == section.casefold()), None)
        numbers = [c.number for c in deck.cards if c.number is not None]
        next_number = max(numbers, default=0) + 1
        block: list[str] = []
        if target is None or (not target.cards and target.span is None):
            after = max((c.end for c in deck.cards), default=len(self.lines))
            if section:
                block += ["", f"## {convert.title_heading(section)}" if self.markdown else section]
        elif target.cards:
            after = target.cards[-1].end
        else:
            after = target.span.line
        for card in cards:
            number = None if self.markdown else next_number
            block += ["", *self.render_card(card, lost, number)]
            next_number += 1
        self.edits.append((after + 1, after, block))


def _spaced(prefix: str) -> str:
    return prefix if prefix.endswith((" ", "\t")) else prefix + " "


# -- writing: all of them or none, and a journal to finish what a kill interrupted -------------


