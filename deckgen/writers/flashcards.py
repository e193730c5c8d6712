"""The printable flashcards: a card's question on the front of a sheet and its answer behind it
(or beside it, to fold or cut), laid out in parts of a few sheets each; a side that spills over
its card is set smaller, and one far too long for any card goes on over several. A PDF writer as
writers/pdf.py describes; layout.py schedules it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.model import Diagnostic, Rendered, StudyCard, StudyDeck
from deckgen.render import render
from deckgen.writers import pdf, pdfparts
from deckgen.writers.pdf import (
    FONTS,
    PAD_TOP,
    PAD_X,
    PX_TO_MM,
    FramePlan,
    Geometry,
    LaidPart,
    Slot,
    boxes,
    geometry,
    page_box,
    pdf_bytes,
)
from deckgen.writers.pdfparts import Placement

if TYPE_CHECKING:
    from deckgen.layout import PdfJob

# WeasyPrint is called as `pdf.layout`, looked up at each call: a test counts the layouts there.


def parts(job: PdfJob) -> list[tuple[StudyCard, ...]]:
    s = job.settings
    return flashcard_parts(job.deck, s.paper, s.card_size, s.duplex)


def lay_out(job: PdfJob, part: tuple[StudyCard, ...]) -> LaidPart:
    """One part's sheets: the cards at the largest type; sides that spill over their card are
    measured alone at smaller sizes and the sheets laid out again (only when some side spilled);
    a side far too long for any card goes on over several."""
    s = job.settings
    geo = geometry(s.paper, s.card_size, s.duplex, s.offset)
    data, pages, problems = _lay_out_sheets(job.deck, part, geo, s.duplex, s.templates, job.media, job.allowed)
    return LaidPart(data, pages, problems=tuple(problems))


def frame(job: PdfJob, laid: list[LaidPart]) -> None:
    """None: the flashcards' sheets are whole as laid out, with nothing to lay under them."""
    return None


def lay_out_frame(job: PdfJob, plan: FramePlan) -> bytes:
    raise NotImplementedError("the flashcards have no frame")


def assemble(job: PdfJob, laid: list[LaidPart], frame: bytes | None) -> Rendered:
    """The parts' sheets one after another; the sides that do not fit, in the source's order (a
    back page lists its faces mirrored)."""
    deck = job.deck
    problems = tuple(sorted((problem for part in laid for problem in part.problems),
                            key=lambda d: (d.span.path, d.span.line, d.span.col)))
    data = pdfparts.join([part.data for part in laid], deck.title, deck.language)
    return Rendered(data, sum(part.pages for part in laid), problems)


@dataclass(frozen=True)
class Face:
    card: StudyCard
    side: str  # "front" or "back"
    slot: Slot
    size: float  # pt
    # A card whose side is far too long for it goes on over several cards (`part` of `parts`).
    # `piece`: None, the side laid out in its card as usual; else the page of the continuation
    # layout drawn into the card's content box (-1: none, this side ended on an earlier card).
    piece: int | None = None
    part: int = 1
    parts: int = 1


@dataclass(frozen=True)
class Sheet:
    pages: tuple[tuple[Face | None, ...], ...]  # one page (duplex none) or front and back page


def back_slot(geo: Geometry, index: int, duplex: str) -> Slot:
    """Where the back of the card in slot `index` goes so that it lies behind its front:
    a long-edge flip mirrors the columns, a short-edge flip mirrors the rows."""
    columns, rows = geo.card.columns, geo.card.rows
    row, column = divmod(index, columns)
    if duplex == "long-edge":
        column = columns - 1 - column
    else:
        row = rows - 1 - row
    return geo.slots[row * columns + column]


MEASURE_PAGE_MM = 2000  # the measuring page's height: many faces a page (a taller one runs on)


def _face_heights(document, count: int) -> list[float]:
    """The height (mm) of each of `count` measured faces, in order, read from the layout tree. A
    face taller than the measuring page runs on over pages: its pieces' heights are added up."""
    heights = [0.0] * count
    measured = [box for page in document.pages for box in boxes(page_box(page), "div", "measure")]
    for order, box in enumerate(measured):
        # a template of the user's made before faces were numbered: one box a face, in order
        heights[int(box.element.get("data-face", order))] += box.height * PX_TO_MM
    return heights


def fit_sizes(pending: list[tuple[StudyCard, str]], geo: Geometry, templates: str, media: dict[str, str],
              allowed: tuple[Path, ...]) -> tuple[dict[tuple[str, str], float], list[tuple[StudyCard, str]]]:
    """The largest type size at which each of these card sides fits its card, and the sides that
    do not fit even at the floor. Each side is measured once at the size it spilled at; its height
    gives the size that fits (height grows with the square of the type size: lines get both
    taller and shorter), rounded down to the ladder; a second measurement checks the estimates,
    and a side still too tall steps down again (rarely needed). A side sure to be too tall even at
    the floor goes straight there, unmeasured (it overflows either way)."""
    sizes: dict[tuple[str, str], float] = {}
    ladders = {"front": geo.card.ladder("front"), "back": geo.card.ladder("back")}
    available = geo.inner[1] + 0.2  # as _spilled judges a face on the sheet
    trial = [(card, side, ladders[side][0]) for card, side in pending]
    overflowing: list[tuple[StudyCard, str]] = []
    for _ in range(4):
        if not trial:
            break
        html = render("flashcards.html.j2", templates, mode="measure", geo=geo, fonts=FONTS,
                      media=media, trial=trial, sheets=(), deck=None, measure_height=MEASURE_PAGE_MM)
        heights = _face_heights(pdf.layout(html, allowed), len(trial))
        again = []
        for (card, side, size), height in zip(trial, heights, strict=True):
            if height <= available:
                sizes[(card.key, side)] = size
                continue
            smaller = [s for s in ladders[side] if s < size]
            # the floor, and still too long; or sure to be too long at the floor (twice the card
            # even if the height fell with the square of the size), and not measured there
            if not smaller or height * (smaller[-1] / size) ** 2 > 2 * available:
                sizes[(card.key, side)] = smaller[-1] if smaller else size
                overflowing.append((card, side))
                continue
            wanted = size * (available / height) ** 0.5
            again.append((card, side, next((s for s in smaller if s <= wanted), smaller[-1])))
        trial = again
    for card, side, size in trial:  # not confirmed within the passes: the smallest tried
        sizes[(card.key, side)] = size
        overflowing.append((card, side))
    return sizes, overflowing


Pieces = dict[tuple[str, str], tuple[int, ...]]  # (card key, side) -> its pages in the continuation layout


def _sheets(cards: tuple[StudyCard, ...], geo: Geometry, duplex: str,
            sizes: dict[tuple[str, str], float], pieces: Pieces | None = None) -> tuple[Sheet, ...]:
    """The sheets' pages, each a tuple with one entry per slot in reading order (None: empty).
    A card with a continued side (`pieces`) takes a slot for each of its pieces, front and back
    alike, so every back still lies behind its front."""
    pieces = pieces or {}
    per_sheet = len(geo.slots)
    index = {slot: i for i, slot in enumerate(geo.slots)}

    def page(faces: list[Face]) -> tuple[Face | None, ...]:
        slots: list[Face | None] = [None] * per_sheet
        for face in faces:
            slots[index[face.slot]] = face
        return tuple(slots)

    # each printed flashcard: the card, which of its cards, of how many. A continued answer's
    # fronts repeat the question (marked 2/3 ...): cut from the sheet and shuffled, each card
    # still asks its question and is known as part of a run; a blank front would be a card
    # without a question, and its back a fragment nobody knows where to put
    printed = []
    for card in cards:
        parts = max(len(pieces.get((card.key, "front"), ())), len(pieces.get((card.key, "back"), ())), 1)
        printed += [(card, part, parts) for part in range(1, parts + 1)]

    def face(item: tuple[StudyCard, int, int], side: str, slot: Slot) -> Face:
        card, part, parts = item
        pages = pieces.get((card.key, side))
        piece = None if pages is None else pages[part - 1] if part <= len(pages) else -1
        return Face(card, side, slot, sizes[(card.key, side)], piece, part, parts)

    sheets = []
    if duplex in ("none", "fold"):  # each back beside its front (for fold: mirrored about the centre line)
        per_page = per_sheet // 2
        for start in range(0, len(printed), per_page):
            faces = []
            for offset, item in enumerate(printed[start:start + per_page]):
                faces.append(face(item, "front", geo.slots[2 * offset]))
                faces.append(face(item, "back", geo.slots[2 * offset + 1]))
            sheets.append(Sheet((page(faces),)))
    else:
        for start in range(0, len(printed), per_sheet):
            chunk = printed[start:start + per_sheet]
            fronts = [face(item, "front", geo.slots[i]) for i, item in enumerate(chunk)]
            backs = [face(item, "back", back_slot(geo, i, duplex)) for i, item in enumerate(chunk)]
            sheets.append(Sheet((page(fronts), page(backs))))
    return tuple(sheets)


def _continue(sides: list[tuple[StudyCard, str]], geo: Geometry, sizes: dict[tuple[str, str], float],
              templates: str, media: dict[str, str], allowed: tuple[Path, ...]):
    """These sides laid out on pages the size of a card's content box, each from a new page, at
    its size: WeasyPrint breaks them where a page may break (between lines, list items, table
    rows), so each page is one card's piece and nothing is lost. The Document, and each side's
    pages."""
    trial = [(card, side, sizes[(card.key, side)]) for card, side in sides]
    html = render("flashcards.html.j2", templates, mode="pieces", geo=geo, fonts=FONTS, media=media,
                  trial=trial, sheets=(), deck=None)
    document = pdf.layout(html, allowed)
    found: dict[tuple[str, str], list[int]] = {}
    for number, page in enumerate(document.pages):
        piece = boxes(page_box(page), "div", "piece")
        if piece:  # one side a page: each starts on a new one
            card, side, _ = trial[int(piece[0].element.get("data-face"))]
            found.setdefault((card.key, side), []).append(number)
    return document, {key: tuple(pages) for key, pages in found.items()}


def _placements(sheets: tuple[Sheet, ...], geo: Geometry) -> list[Placement]:
    """Where each continued piece goes: its page in the sheets' PDF and its card's content box."""
    found, number = [], 0
    for sheet in sheets:
        for side, faces in enumerate(sheet.pages):
            # the back pages move by --back-offset, as the template moves their cards
            dx, dy = geo.back_offset if side == 1 else (0.0, 0.0)
            for face in faces:
                if face is not None and face.piece is not None and face.piece >= 0:
                    found.append(Placement(number, face.piece, face.slot.x + PAD_X + dx, face.slot.y + PAD_TOP + dy))
            number += 1
    return found



def _spilled(document, sheets: tuple[Sheet, ...], geo: Geometry) -> list[tuple[StudyCard, str]]:
    """Faces whose content runs past the bottom of their card, read from where the empty marker
    at the end of each face's content was laid out."""
    pages = [faces for sheet in sheets for faces in sheet.pages]
    found = []
    for page, faces in zip(document.pages, pages, strict=True):
        # each face's marker looked for in its own card: a marker far past the bottom of the
        # sheet is not laid out at all, and must not shift the others onto the wrong faces
        cards = [card for card in boxes(page_box(page), "div", "card")
                 if "empty" not in card.element.get("class", "").split()]
        placed = [face for face in faces if face is not None]
        cards = (cards + [None] * len(placed))[:len(placed)]
        for face, card in zip(placed, cards, strict=True):
            marker = boxes(card, "span", "end") if card is not None else []
            end = marker[0].position_y * PX_TO_MM if marker else float("inf")  # not laid out: spilled
            shift = geo.back_offset[1] if face.side == "back" and not geo.fold else 0.0
            bottom = face.slot.y + PAD_TOP + geo.inner[1] + shift
            if end > bottom + 0.2:  # below the card
                found.append((face.card, face.side))
    return found



def flashcard_parts(deck: StudyDeck, paper: str, size_name: str, duplex: str) -> list[tuple[StudyCard, ...]]:
    """The flashcards in parts of CHUNK_SHEETS sheets (laid out apart: memory stays bounded and
    the parts go to all cores)."""
    per_chunk = pdf.flashcards_a_part(paper, size_name, duplex)
    cards = flashcard_items(deck)
    return [cards[start:start + per_chunk] for start in range(0, max(len(cards), 1), per_chunk)]


def flashcard_items(deck: StudyDeck) -> tuple[StudyCard, ...]:
    """The printed flashcards: one per card, and one per cloze number for a cloze card."""
    return tuple(
        dataclasses.replace(card, cloze=number)
        for card in deck.cards
        for number in (card.card.cloze_numbers or (0,))
    )


def _lay_out_sheets(deck: StudyDeck, cards: tuple[StudyCard, ...], geo: Geometry, duplex: str,
                    templates: str, media: dict[str, str], allowed: tuple[Path, ...]
                    ) -> tuple[bytes, int, list[Diagnostic]]:
    """One part's sheets: their PDF, its pages, and the sides that do not fit their cards."""
    sizes = {(c.key, side): geo.card.ladder(side)[0] for c in cards for side in ("front", "back")}

    def sheets_laid_out(sheets: tuple[Sheet, ...]):
        html = render("flashcards.html.j2", templates, mode="sheets", geo=geo, fonts=FONTS,
                      media=media, trial=(), sheets=sheets, deck=deck)
        return pdf.layout(html, allowed)

    sheets = _sheets(cards, geo, duplex, sizes)
    document = sheets_laid_out(sheets)
    overflowing: list[tuple[StudyCard, str]] = []
    pieces: Pieces = {}
    continued = None
    spilled = _spilled(document, sheets, geo)
    if spilled:
        smaller, overflowing = fit_sizes(spilled, geo, templates, media, allowed)
        sizes.update(smaller)
        if overflowing:
            # A side that does not fit its card even at the floor is cut off, as before (DG203),
            # while it would fit on a page of its cards: the author is told, and shortens it or
            # splits it into questions. One longer than a whole page of cards (a code listing, a
            # long table) continues on as many cards as it needs: cut off, its card would show a
            # small part of it.
            continued, found = _continue(overflowing, geo, sizes, templates, media, allowed)
            pieces = {key: pages for key, pages in found.items() if len(pages) > len(geo.slots)}
        # the sheets that changed (a side set smaller; all from a continued card on, moved along)
        # are laid out again; the others keep the first layout's pages
        resized = _sheets(cards, geo, duplex, sizes, pieces)
        redo = {i for i, sheet in enumerate(resized) if i >= len(sheets) or sheet != sheets[i]}
        again = iter(sheets_laid_out(tuple(resized[i] for i in sorted(redo))).pages if redo else ())
        per = len(sheets[0].pages)
        pages = []
        for i, sheet in enumerate(resized):
            pages += [next(again) for _ in sheet.pages] if i in redo else document.pages[i * per:(i + 1) * per]
        document = document.copy(pages)
        sheets = resized
    data = pdf_bytes(document, deck.title)
    if pieces:
        data = pdfparts.place(data, pdf_bytes(continued, deck.title), _placements(sheets, geo),
                              deck.title, deck.language)
    return data, len(document.pages), _overflowing(overflowing, pieces, sizes, geo)


def _overflowing(overflowing: list[tuple[StudyCard, str]], pieces: Pieces, sizes: dict[tuple[str, str], float],
                 geo: Geometry) -> list[Diagnostic]:
    """A warning (DG203) for each side that does not fit its card even at the floor."""
    problems = []
    for card, side in overflowing:
        taken = len(pieces.get((card.key, side), ()))
        parts = max(len(pieces.get((card.key, s), ())) for s in ("front", "back"))
        fate = (f"it continues on {taken} cards, marked (1/{parts}) to ({taken}/{parts})" if taken
                else "it is cut off on the card")
        problems.append(Diagnostic(
            "warning", "DG203",
            f"{card.card.label}'s {'question' if side == 'front' else 'answer'} does not fit a "
            f"{geo.card.name} card even at {sizes[(card.key, side)]:g} pt; {fate}",
            card.card.answer_span or card.card.span if side == "back" else card.card.span,
        ))
    return problems
