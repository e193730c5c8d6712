"""The PDF cheat sheet: the deck's cards in columns, laid out in parts at section boundaries
(each part a run of column-sized pages), then set side by side on the sheets over a frame that
carries the running header and footer (writers/pdfparts.py). A PDF writer as writers/pdf.py
describes; layout.py schedules it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deckgen.model import Rendered, StudyCard, StudyDeck
from deckgen.render import render
from deckgen.writers import pdf, pdfparts
from deckgen.writers.pdf import FONTS, PAPER_SIZES, FramePlan, LaidPart, pdf_bytes, sheet_geometry

if TYPE_CHECKING:
    from deckgen.config import Settings
    from deckgen.layout import PdfJob


@dataclass(frozen=True)
class PrintSection:
    title: str
    heading: bool  # the section starts in this part (its heading is printed here)
    cards: tuple[StudyCard, ...]


@dataclass(frozen=True)
class PrintPart:
    first: bool  # the part that opens the deck (its title)
    sections: tuple[PrintSection, ...]


def cheatsheet_parts(deck: StudyDeck, per_part: int | None = None) -> list[PrintPart]:
    """The deck cut into parts of about `per_part` cards, at section boundaries (a section over
    twice that size is cut between its cards); one part for a deck that small."""
    per_part = per_part or pdf.PART_CARDS
    parts: list[PrintPart] = []
    current: list[PrintSection] = []
    count = 0

    def close() -> None:
        nonlocal current, count
        if current:
            parts.append(PrintPart(not parts, tuple(current)))
        current, count = [], 0

    for section in deck.sections:
        cards = section.cards
        pieces = [cards] if len(cards) <= 2 * per_part else [cards[i:i + per_part] for i in range(0, len(cards), per_part)]
        for n, piece in enumerate(pieces):
            if count and count + len(piece) > per_part:
                close()
            current.append(PrintSection(section.title, n == 0, piece))
            count += len(piece)
    close()
    return parts or [PrintPart(True, ())]


def page(settings: Settings) -> dict[str, Any]:
    """The sheet as the templates take it (`page.paper` is the CSS name of the paper)."""
    return {"paper": PAPER_SIZES[settings.paper], "orientation": settings.orientation,
            "columns": settings.columns}


def parts(job: PdfJob) -> list[PrintPart]:
    return cheatsheet_parts(job.deck)


def lay_out(job: PdfJob, part: PrintPart) -> LaidPart:
    """One part laid out as column-sized pages; with the section headings each page starts."""
    sheet = page(job.settings)
    html = render("cheatsheet.html.j2", job.settings.templates, deck=job.deck, part=part, page=sheet,
                  column=sheet_geometry(sheet).column, fonts=FONTS, media=job.media)
    document = pdf.layout(html, job.allowed)
    headings = tuple(tuple(label for level, label, *_ in p.bookmarks if level == 1) for p in document.pages)
    return LaidPart(pdf_bytes(document, job.deck.title), len(document.pages), headings=headings)


def frame(job: PdfJob, laid: list[LaidPart]) -> FramePlan:
    """The sheets' header and footer: the section each sheet's header names, and its cache key."""
    headings = [list(p) for part in laid for p in part.headings]
    sheets = pdfparts.sheet_sections(headings, sheet_geometry(page(job.settings)).columns)
    d = job.deck
    key = hashlib.sha256(repr(("frame", job.key, d.title, d.language, d.build_date, sheets)).encode("utf-8")).hexdigest()
    return FramePlan(key, tuple(sheets))


def lay_out_frame(job: PdfJob, plan: FramePlan) -> bytes:
    """The sheets' header and footer, one page per sheet (laid out where the parts were: there
    WeasyPrint is warm)."""
    html = render("cheatsheet_frame.html.j2", job.settings.templates, deck=job.deck, page=page(job.settings),
                  sheets=list(plan.sheets), fonts=FONTS)
    return pdf_bytes(pdf.layout(html, job.allowed), job.deck.title)


def assemble(job: PdfJob, laid: list[LaidPart], frame: bytes | None) -> Rendered:
    """The column pages set side by side on the sheets, over the frame; an outline entry per
    section."""
    if frame is None:
        raise ValueError("the cheat sheet is put together over its frame")
    deck = job.deck
    geometry = sheet_geometry(page(job.settings))
    headings = [list(p) for part in laid for p in part.headings]
    data = pdfparts.impose([part.data for part in laid], headings, frame, geometry, deck.title, deck.language)
    return Rendered(data, len(pdfparts.sheet_sections(headings, geometry.columns)))
