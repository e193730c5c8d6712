"""Building an answer's blocks from plain-text lines: paragraphs, bullet and numbered lists.
Shared by the plain-text readers (text.py, pages.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deckgen.model import Block, ListBlock, Paragraph
from deckgen.readers.inline import paragraph_block, text_runs

# a bullet (• - * – · ▪ ◦ ● ‣) or a number (1. or 1)) starting a list item
BULLET = re.compile(r"^(?P<indent>\s*)(?P<mark>[•\-*–·▪◦●‣]|(?P<num>\d{1,3})[.)])\s+(?P<text>\S.*)$")


@dataclass
class AnswerBuilder:
    """Answer blocks built from lines: paragraphs, bullet and numbered lists."""

    blocks: list[Block] = field(default_factory=list)
    paragraph: list[str] = field(default_factory=list)
    items: list[list[str]] = field(default_factory=list)
    ordered: bool = False

    start: int = 1

    def flush_paragraph(self) -> None:
        if self.paragraph:
            text = " ".join(self.paragraph)
            self.blocks.append(paragraph_block(text) or Paragraph(text_runs(text)))
            self.paragraph = []

    def flush(self) -> None:
        self.flush_paragraph()
        if self.items:
            items = tuple((Paragraph(text_runs(" ".join(item))),) for item in self.items)
            self.blocks.append(ListBlock(items, ordered=self.ordered, start=self.start))
            self.items = []

    def add(self, raw: str) -> None:
        line = raw.strip()
        if not line:
            self.flush_paragraph()  # a list goes on across blank lines (a loose list)
            return
        bullet = BULLET.match(raw)
        if bullet:
            ordered = bullet["num"] is not None
            if self.paragraph or (self.items and self.ordered != ordered):
                self.flush()
            if not self.items:
                self.ordered, self.start = ordered, int(bullet["num"]) if ordered else 1
            self.items.append([bullet["text"].strip()])
        elif self.items and raw[:1].isspace():
            self.items[-1].append(line)
        else:
            if self.items:
                self.flush()
            self.paragraph.append(line)

    def done(self) -> tuple[Block, ...]:
        self.flush()
        return tuple(self.blocks)


