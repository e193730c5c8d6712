"""PDF writers: the cheat sheet (and the flashcards) as HTML from templates, laid out by WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from deckgen.errors import OutputError
from deckgen.model import Diagnostic, StudyCard, StudyDeck
from deckgen.render import render

if TYPE_CHECKING:
    from deckgen.writers.pdfparts import Placement

# CSS font stacks (trusted text, so marked safe for the template's <style>): DejaVu for Latin,
# Greek and Cyrillic, Noto for Arabic, Hebrew and CJK, Symbola for emoji and symbols (outline
# glyphs that embed in a PDF). Debian: fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-symbola.
FONTS = {
    "sans": Markup(
        '"DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK SC", '
        '"Symbola", sans-serif'
    ),
    "mono": Markup('"DejaVu Sans Mono", "Noto Sans Mono", "Noto Sans Mono CJK SC", "Symbola", monospace'),
}


def restricted_fetcher(allowed: tuple[Path, ...]):
    """A WeasyPrint URL fetcher that serves data: URLs and files inside `allowed` folders and
    nothing else: no network, no file elsewhere on the machine."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    roots = tuple(p.resolve() for p in allowed)

    class Restricted(URLFetcher):
        def fetch(self, url: str, headers: Any = None):
            if url.startswith("file:"):
                target = Path(unquote(urlparse(url).path)).resolve()
                if not any(target.is_relative_to(root) for root in roots):
                    raise ValueError(f"deckgen does not read files outside its folders: {url[:80]}")
            elif not url.startswith("data:"):
                raise ValueError(f"deckgen does not fetch {url[:80]}")
            return super().fetch(url, headers)

    return Restricted(allowed_protocols=("data", "file"), timeout=1)


def layout(html: str, allowed: tuple[Path, ...]):
    """Lay out `html` with WeasyPrint (resources only from `allowed`); returns the Document."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        # presentational hints: the HTML attributes that browsers map to CSS, among them a numbered
        # list's <ol start> (an answer's list "3. 4." otherwise prints as 1., 2.); no cost measured
        return weasyprint.HTML(
            string=html, base_url=str(allowed[0]), url_fetcher=restricted_fetcher(allowed)
        ).render(presentational_hints=True)
    except Exception as err:  # WeasyPrint raises many kinds; the build reports which output failed
        raise OutputError(f"PDF layout failed: {err}") from err


def pdf_bytes(document, title: str) -> bytes:
    # a fixed identifier: WeasyPrint would otherwise derive one that differs between runs
    return document.write_pdf(pdf_identifier=b"deckgen-" + title.encode("utf-8")[:32])


# -- the cheat sheet ----------------------------------------------------------------------------

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}  # by the paper setting
PAPER_SIZES = {"a4": "A4", "letter": "letter"}  # the paper setting as CSS names it
PAPER_SHEET_MM = {PAPER_SIZES[name]: size for name, size in PAPER_MM.items()}  # by the CSS name
MARGIN_TOP, MARGIN_SIDE, COLUMN_GAP = 13.0, 10.0, 5.0  # mm, as print.css.j2 sets the sheet's margins
PART_CARDS = 150  # a deck with more cards is laid out in parts, at section boundaries, on all cores


@dataclass(frozen=True)
class SheetGeometry:
    width: float  # mm
    height: float
    columns: int

    @property
    def column(self) -> dict[str, float]:
        usable = self.width - 2 * MARGIN_SIDE - (self.columns - 1) * COLUMN_GAP
        return {"width": round(usable / self.columns, 3), "height": round(self.height - 2 * MARGIN_TOP, 3)}

    def column_x(self, index: int) -> float:
        return MARGIN_SIDE + index * (self.column["width"] + COLUMN_GAP)


def sheet_geometry(page: dict[str, Any]) -> SheetGeometry:
    width, height = PAPER_SHEET_MM[page["paper"]]
    if page["orientation"] == "landscape":
        width, height = height, width
    return SheetGeometry(width, height, int(page["columns"]))


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
    per_part = per_part or PART_CARDS
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


def cheatsheet_part(deck: StudyDeck, part: PrintPart, page: dict[str, Any], templates: str,
                    media: dict[str, str], allowed: tuple[Path, ...]) -> tuple[bytes, dict]:
    """One part laid out as column-sized pages; with the section headings each page starts."""
    geometry = sheet_geometry(page)
    html = render("cheatsheet.html.j2", templates, deck=deck, part=part, page=page, column=geometry.column,
                  fonts=FONTS, media=media)
    document = layout(html, allowed)
    headings = [[label for level, label, *_ in p.bookmarks if level == 1] for p in document.pages]
    return pdf_bytes(document, deck.title), {"pages": len(document.pages), "headings": headings}


def cheatsheet_frame(deck: StudyDeck, page: dict[str, Any], sheets: list[str], templates: str,
                     allowed: tuple[Path, ...]) -> bytes:
    """The sheets' header and footer, one page per sheet (`sheets`: each one's section)."""
    html = render("cheatsheet_frame.html.j2", templates, deck=deck, page=page, sheets=sheets, fonts=FONTS)
    return pdf_bytes(layout(html, allowed), deck.title)


# -- flashcards ------------------------------------------------------------------------------

INCH = 25.4


@dataclass(frozen=True)
class CardSize:
    name: str
    width: float  # mm
    height: float
    columns: int
    rows: int
    scale: float = 1.0  # type size relative to the eight-up card's

    def ladder(self, side: str) -> tuple[float, ...]:
        """The type sizes to try for a side, largest first, never under the 7 pt floor."""
        base = QUESTION_SIZES if side == "front" else ANSWER_SIZES
        sizes = {max(7.0, round(size * self.scale * 2) / 2) for size in base} | {7.0}
        return tuple(sorted(sizes, reverse=True))


CARD_SIZES = {
    "eight-up": CardSize("eight-up", 95.0, 64.0, 2, 4),  # 8 a sheet, A4 or Letter
    "index-3x5": CardSize("index-3x5", 5 * INCH, 3 * INCH, 1, 3, 1.25),  # 3 a Letter sheet
    "business": CardSize("business", 3.5 * INCH, 2 * INCH, 2, 5, 0.85),  # 10 a sheet
    # Label stock, placed where the stock's perforations are (the cards are centred on the sheet,
    # which is where Avery's published templates put them):
    # Avery 5388 "Index Cards, 3 x 5 in", 3 per 8.5 x 11 in sheet: 1.75 in side and 1 in top margins.
    "avery-5388": CardSize("avery-5388", 5 * INCH, 3 * INCH, 1, 3, 1.25),
    # Avery 5371 "Business Cards, 2 x 3.5 in", 10 per sheet: 0.75 in side and 0.5 in top margins.
    "avery-5371": CardSize("avery-5371", 3.5 * INCH, 2 * INCH, 2, 5, 0.85),
}
LETTER_ONLY = ("avery-5388", "avery-5371")  # stock sold in US Letter sheets
FOLDING = tuple(name for name, size in CARD_SIZES.items() if size.columns == 2)
DEFAULT_CARD_SIZE = {"a4": "eight-up", "letter": "eight-up"}
# the content box inside a card: padding for the meta line on top and the id line below
PAD_X, PAD_TOP, PAD_BOTTOM = 5.0, 8.0, 6.0
ANSWER_SIZES = (10.0, 9.0, 8.0, 7.5, 7.0)  # pt, largest first; 7 pt is the floor
QUESTION_SIZES = (13.0, 11.5, 10.0, 9.0, 8.0, 7.0)


@dataclass(frozen=True)
class Slot:
    x: float  # mm from the sheet's left edge
    y: float  # mm from the sheet's top edge


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


@dataclass(frozen=True)
class Geometry:
    paper: tuple[float, float]
    card: CardSize
    slots: tuple[Slot, ...]
    cut_x: tuple[float, ...]
    cut_y: tuple[float, ...]
    back_offset: tuple[float, float] = (0.0, 0.0)  # mm the back pages move, right and down
    fold: bool = False  # backs beside their fronts, to fold along the sheet's centre line

    @property
    def inner(self) -> tuple[float, float]:
        return (self.card.width - 2 * PAD_X, self.card.height - PAD_TOP - PAD_BOTTOM)

    @property
    def cut_marks(self) -> str:
        """The sheet's cut marks as an SVG data URI: 4 mm lines outside the cards, 1 mm away.
        One background image per page is far cheaper to lay out than a box per mark."""
        w, h = self.paper
        top, bottom, left, right = self.cut_y[0], self.cut_y[-1], self.cut_x[0], self.cut_x[-1]
        # when folding, the sheet is folded, not cut, along its centre line
        cuts = [x for x in self.cut_x if not (self.fold and abs(x - w / 2) < 0.01)]
        lines = [(x, top - 5, x, top - 1) for x in cuts] + [(x, bottom + 1, x, bottom + 5) for x in cuts]
        lines += [(left - 5, y, left - 1, y) for y in self.cut_y] + [(right + 1, y, right + 5, y) for y in self.cut_y]
        # one path for all the marks: WeasyPrint draws the image again on every page, node by node
        body = '<path fill="none" d="' + " ".join(f"M{a:g} {b:g}L{c:g} {d:g}" for a, b, c, d in lines) + '"/>'
        if self.fold:  # the fold line, dashed, in the margins above and below the cards
            middle = w / 2
            body += (f'<path fill="none" stroke-dasharray="2 1.5" d="M{middle:g} 2L{middle:g} {top - 1:g}'
                     f'M{middle:g} {bottom + 1:g}L{middle:g} {h - 2:g}"/>'
                     f'<text x="{middle + 1:g}" y="{max(top - 2, 4):g}" font-size="2.5" stroke="none" '
                     f'font-family="DejaVu Sans">fold</text>')
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}mm" height="{h:g}mm" viewBox="0 0 {w:g} {h:g}">'
               f'<g stroke="black" stroke-width="0.2">{body}</g></svg>')
        from urllib.parse import quote

        return "data:image/svg+xml," + quote(svg)


def check_print_settings(settings) -> None:
    """The flashcards' settings checked before a build writes anything."""
    check_print(settings.paper, settings.card_size, settings.duplex, settings.back_offset)


def check_print(paper: str, size_name: str, duplex: str, back_offset: str) -> None:
    """The flashcard settings fit together; a ConfigError saying what to change if not."""
    from deckgen.config import parse_offset
    from deckgen.errors import ConfigError

    if size_name in LETTER_ONLY and paper != "letter":
        raise ConfigError(f"card size {size_name} is label stock on US Letter sheets: use --paper letter")
    if duplex == "fold" and size_name != "auto" and size_name not in FOLDING:
        raise ConfigError(f"--duplex fold needs two columns of cards to fold one onto the other; "
                          f"card size {size_name} has one (folding sizes: {', '.join(FOLDING)})")
    if parse_offset(back_offset, "--back-offset") != (0.0, 0.0) and duplex not in ("long-edge", "short-edge"):
        raise ConfigError(f"--back-offset moves the back pages of duplex printing; with --duplex {duplex} "
                          f"the backs are on the front page (use long-edge or short-edge)")


def geometry(paper: str, size_name: str, duplex: str = "long-edge", back_offset: str = "0,0") -> Geometry:
    from deckgen.config import parse_offset

    width, height = PAPER_MM[paper]
    card = CARD_SIZES[DEFAULT_CARD_SIZE[paper] if size_name == "auto" else size_name]
    x0 = (width - card.columns * card.width) / 2
    y0 = (height - card.rows * card.height) / 2
    slots = tuple(
        Slot(round(x0 + c * card.width, 3), round(y0 + r * card.height, 3))
        for r in range(card.rows) for c in range(card.columns)
    )
    return Geometry(
        (width, height), card, slots,
        tuple(round(x0 + c * card.width, 3) for c in range(card.columns + 1)),
        tuple(round(y0 + r * card.height, 3) for r in range(card.rows + 1)),
        parse_offset(back_offset, "--back-offset"), duplex == "fold",
    )


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


def _boxes(box, tag: str, name: str) -> list:
    """The boxes in a laid-out box (a page's: `page._page_box`) whose element is a `tag` of class
    `name`, in document order. Faces are found this way rather than by an id each: WeasyPrint
    checks every id against the anchors it has seen, which grows quadratically."""
    return [child for child in box.descendants()
            if getattr(child, "element", None) is not None and child.element_tag == tag
            and name in child.element.get("class", "").split()]


def _face_heights(document, count: int) -> list[float]:
    """The height (mm) of each of `count` measured faces, in order, read from the layout tree. A
    face taller than the measuring page runs on over pages: its pieces' heights are added up."""
    heights = [0.0] * count
    boxes = [box for page in document.pages for box in _boxes(page._page_box, "div", "measure")]
    for order, box in enumerate(boxes):
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
        heights = _face_heights(layout(html, allowed), len(trial))
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
    document = layout(html, allowed)
    found: dict[tuple[str, str], list[int]] = {}
    for number, page in enumerate(document.pages):
        boxes = _boxes(page._page_box, "div", "piece")
        if boxes:  # one side a page: each starts on a new one
            card, side, _ = trial[int(boxes[0].element.get("data-face"))]
            found.setdefault((card.key, side), []).append(number)
    return document, {key: tuple(pages) for key, pages in found.items()}


def _placements(sheets: tuple[Sheet, ...], geo: Geometry) -> list[Placement]:
    """Where each continued piece goes: its page in the sheets' PDF and its card's content box."""
    from deckgen.writers.pdfparts import Placement

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


PX_TO_MM = 25.4 / 96


def _spilled(document, sheets: tuple[Sheet, ...], geo: Geometry) -> list[tuple[StudyCard, str]]:
    """Faces whose content runs past the bottom of their card, read from where the empty marker
    at the end of each face's content was laid out."""
    pages = [faces for sheet in sheets for faces in sheet.pages]
    found = []
    for page, faces in zip(document.pages, pages, strict=True):
        # each face's marker looked for in its own card: a marker far past the bottom of the
        # sheet is not laid out at all, and must not shift the others onto the wrong faces
        cards = [card for card in _boxes(page._page_box, "div", "card")
                 if "empty" not in card.element.get("class", "").split()]
        placed = [face for face in faces if face is not None]
        cards = (cards + [None] * len(placed))[:len(placed)]
        for face, card in zip(placed, cards, strict=True):
            marker = _boxes(card, "span", "end") if card is not None else []
            end = marker[0].position_y * PX_TO_MM if marker else float("inf")  # not laid out: spilled
            shift = geo.back_offset[1] if face.side == "back" and not geo.fold else 0.0
            bottom = face.slot.y + PAD_TOP + geo.inner[1] + shift
            if end > bottom + 0.2:  # below the card
                found.append((face.card, face.side))
    return found


CHUNK_SHEETS = 5  # flashcard sheets in a part (40 eight-up cards): an edit lays out one part, memory stays bounded, parts spread over the cores


def flashcards_a_part(paper: str, size_name: str, duplex: str) -> int:
    """How many flashcards CHUNK_SHEETS sheets hold."""
    return CHUNK_SHEETS * len(geometry(paper, size_name).slots) // (2 if duplex in ("none", "fold") else 1)


def flashcard_parts(deck: StudyDeck, paper: str, size_name: str, duplex: str) -> list[tuple[StudyCard, ...]]:
    """The flashcards in parts of CHUNK_SHEETS sheets (laid out apart: memory stays bounded and
    the parts go to all cores)."""
    per_chunk = flashcards_a_part(paper, size_name, duplex)
    cards = flashcard_items(deck)
    return [cards[start:start + per_chunk] for start in range(0, max(len(cards), 1), per_chunk)]


def flashcards_part(deck: StudyDeck, cards: tuple[StudyCard, ...], paper: str, size_name: str, duplex: str,
                    back_offset: str, templates: str, media: dict[str, str], allowed: tuple[Path, ...]
                    ) -> tuple[bytes, dict]:
    """One part's sheets: the cards at the largest type; sides that spill over their card are
    measured alone at smaller sizes and the sheets laid out again (only when some side spilled);
    a side far too long for any card goes on over several."""
    geo = geometry(paper, size_name, duplex, back_offset)
    data, pages, problems = _flashcards_part(deck, cards, geo, duplex, templates, media, allowed)
    return data, {"pages": pages, "problems": [[d.severity, d.code, d.message, d.span.path, d.span.line, d.span.col]
                                               for d in problems]}


def flashcard_items(deck: StudyDeck) -> tuple[StudyCard, ...]:
    """The printed flashcards: one per card, and one per cloze number for a cloze card."""
    import dataclasses

    return tuple(
        dataclasses.replace(card, cloze=number)
        for card in deck.cards
        for number in (card.card.cloze_numbers or (0,))
    )


def _flashcards_part(deck: StudyDeck, cards: tuple[StudyCard, ...], geo: Geometry, duplex: str,
                     templates: str, media: dict[str, str], allowed: tuple[Path, ...]
                     ) -> tuple[bytes, int, list[Diagnostic]]:
    sizes = {(c.key, side): geo.card.ladder(side)[0] for c in cards for side in ("front", "back")}

    def lay_out(sheets: tuple[Sheet, ...]):
        html = render("flashcards.html.j2", templates, mode="sheets", geo=geo, fonts=FONTS,
                      media=media, trial=(), sheets=sheets, deck=deck)
        return layout(html, allowed)

    sheets = _sheets(cards, geo, duplex, sizes)
    document = lay_out(sheets)
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
        again = iter(lay_out(tuple(resized[i] for i in sorted(redo))).pages if redo else ())
        per = len(sheets[0].pages)
        pages = []
        for i, sheet in enumerate(resized):
            pages += [next(again) for _ in sheet.pages] if i in redo else document.pages[i * per:(i + 1) * per]
        document = document.copy(pages)
        sheets = resized
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
    data = pdf_bytes(document, deck.title)
    if pieces:
        from deckgen.writers import pdfparts

        data = pdfparts.place(data, pdf_bytes(continued, deck.title), _placements(sheets, geo),
                              deck.title, deck.language)
    return data, len(document.pages), problems
