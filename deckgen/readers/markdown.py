"""Reader for Markdown decks: `# Title`, `## Section`, a question per `### heading`, the answer
as the Markdown body below it. Parsed with markdown-it-py (CommonMark, raw HTML off).

Per-card settings go in a comment right under the question (invisible on GitHub):

    ### What is a GRU?
    <!-- deckgen: id=gru tags=variants,gates disable=DG102 number=12 reverse -->

A card's Extra (notes, advice: shown under the answer in Anki, the PDFs and the handout) follows
the answer after a comment of its own:

    A gated recurrent unit ...

    <!-- deckgen: extra -->

    Interviewers like a comparison with the LSTM.

Links keep http, https and mailto targets; other schemes are shown as text (DG301). Images must
be files beside the source (DG302 otherwise); they are embedded in every output.

The reader in parts, each module with its contract:
  mdtokens    markdown-it's parsers and reading their tokens
  mdinline    inline tokens -> runs (links, images, emphasis, formulas)
  mdblocks    block tokens -> blocks (an answer's paragraphs, lists, tables, code)
  mdchrome    blocks that are not content (back-to-top links, badges, tables of contents)
  mdmarks     how a block is marked as a question, an answer or a card's settings
  mdunits     the document's top-level blocks -> the structure finder's units
  mdcards     the finder's planned cards -> Cards
This module reads a whole document into a Deck (read_markdown) or a card body into blocks
(read_blocks); the names other modules imported from it before the split stay importable here.
"""

from __future__ import annotations

from pathlib import Path

from deckgen.model import Block, Card, Deck, Diagnostic, Section, Skipped, SourceSpan
from deckgen.readers import _module
from deckgen.readers.mdblocks import BlockReader
from deckgen.readers.mdcards import CardReader, own_form, section_title
from deckgen.readers.mdchrome import BACK_TO_TOP, BADGE, DOCTOC, front_matter
from deckgen.readers.mdfindings import Findings
from deckgen.readers.mdinline import IMAGE_SUFFIXES, SAFE_SCHEMES
from deckgen.readers.mdmarks import A_MARKER, EXTRA, LABEL_A, LABEL_Q, META, QA_MARKER
from deckgen.readers.mdtokens import DOCUMENT_PARSER, FLAT_LEVEL, FRAGMENT_PARSER, markdown_parser, parser_for
from deckgen.readers.mdunits import document_units
from deckgen.readers.structure import Unit, counted_when_repeated, describe, find, label_headings, seen

# the names this module held before it was split, for code that imports them from here
_markdown_parser, _parser, _doc_parser = markdown_parser, FRAGMENT_PARSER, DOCUMENT_PARSER
__all__ = [
    "A_MARKER", "BACK_TO_TOP", "BADGE", "DOCTOC", "EXTRA", "FLAT_LEVEL", "IMAGE_SUFFIXES", "LABEL_A", "LABEL_Q",
    "META", "QA_MARKER", "SAFE_SCHEMES", "_doc_parser", "_markdown_parser", "_parser", "read_blocks",
    "read_markdown",
]

# a unit's role in the chosen reading -> why it is listed as skipped (None: its role's name)
SKIPPED_ROLES = {"chrome": None, "introduction": "introduction", "closing": "closing"}


class _Reader:
    def __init__(self, text: str, path: str, fallback_title: str, folder: Path | None):
        self.path, self.fallback_title = path, fallback_title
        self.tokens = parser_for(path).parse(text)
        self.lines = text.split("\n")
        self.findings = Findings(path, folder)
        self.blocks = BlockReader(self.findings)

    def read(self, forced: str = "auto") -> Deck:
        """The document as a deck, its cards found by the structure finder (or in `forced`'s family)."""
        units = document_units(self.tokens, self.lines)
        own = forced == "auto" and own_form(units)
        # deckgen's own form, as convert and pull write it: read it as written
        chosen, readings = find(units, "h3" if own else forced)
        cards = CardReader(self.tokens, self.lines, self.blocks, own, label_headings(units, chosen.cards))
        sections = counted_when_repeated(self._sections(units, chosen, cards, own))
        skipped, stray = self._left_out(units, chosen)
        self.findings.report_anchors()
        # the `# Title`; else the front matter's `title:` (as the site built from it shows it)
        title = units[chosen.title].text.strip() if chosen.title is not None else front_matter(self.lines)[1]
        return Deck(
            title=title or self.fallback_title, source=self.path,
            sections=tuple(Section(name, span, tuple(cards)) for name, span, cards in sections if cards),
            shape=f"markdown:{chosen.family}", skipped=tuple(skipped), stray=tuple(stray),
            images=tuple(self.findings.images), diagnostics=tuple(self.findings.diagnostics),
            coverage=chosen.coverage(units), candidates=tuple(describe(readings, chosen)),
            seen=seen(units),
        )

    def _sections(self, units: list[Unit], chosen, cards: CardReader, own: bool) -> list:
        """(name, place, cards) per section, in the order first met; the first for cards before any."""
        sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        where: dict[int | None, int] = {None: 0}
        for position, planned in enumerate(chosen.cards, start=1):
            if planned.section not in where:
                unit = units[planned.section]
                where[planned.section] = len(sections)
                name = unit.text.strip() if own else section_title(unit)
                sections.append((name, SourceSpan(self.path, unit.line, 1), []))
            name, _, section = sections[where[planned.section]]
            section.append(cards.card(units, planned, planned.family or chosen.family, position, name))
        return sections

    def _left_out(self, units: list[Unit], chosen) -> tuple[list[Skipped], list[Skipped]]:
        """The blocks no card holds: skipped (chrome, introduction, closing) and stray (text between cards)."""
        skipped: list[Skipped] = []
        stray: list[Skipped] = []
        for unit, role, reason in zip(units, chosen.roles, chosen.reasons, strict=True):
            text = unit.text.strip().split("\n", 1)[0][:80]
            if not text:
                continue
            place = SourceSpan(self.path, unit.line, 1)
            if role in SKIPPED_ROLES:
                skipped.append(Skipped(place, text, SKIPPED_ROLES[role] or reason))
            elif role == "between":
                stray.append(Skipped(place, text, "text between cards"))
        return skipped, stray


def read_blocks(text: str, folder: Path | None = None) -> tuple[list[Block], list[Diagnostic], list[str]]:
    """The blocks of a card body written in Markdown (no headings), what was not kept (as
    diagnostics without a place), and the images it embeds (files in `folder`)."""
    reader = _Reader(text, "", "", folder)
    blocks = reader.blocks.blocks(reader.tokens)
    return blocks, reader.findings.diagnostics, reader.findings.images


def read_markdown(text: str, path: str, fallback_title: str, folder: Path | None = None,
                  question: str = "auto") -> Deck:
    deck = _Reader(text, path, fallback_title, folder).read(question)
    if question == "auto" and (not deck.cards or deck.coverage.share < 0.5):
        # Markdown is text too: a document pasted without Markdown's structure (`1):What is X`
        # lines in one paragraph) may read better line by line
        # (the plain-text reader loaded only then, by name as readers/__init__ loads readers)
        plain = _module("textblocks").read_structured(text, path, fallback_title)
        if len(plain.cards) > len(deck.cards) and plain.coverage.share > deck.coverage.share:
            return plain
    return deck
