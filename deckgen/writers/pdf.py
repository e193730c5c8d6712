"""What the PDF writers share: WeasyPrint with deckgen's fonts and a fetcher that reads nothing
but deckgen's folders; the papers, the cheat sheet's sheet, the flashcards' card sizes and their
sheet's geometry (calibration.py draws the same); how big a part is; and the contract between the
scheduler that lays the PDFs out in parts (layout.py) and their writers (writers/cheatsheet.py,
writers/flashcards.py), named by the `pdf` field of their entry in formats.py:

- `parts(job) -> list`: the output cut into parts, each picklable (a worker lays it out; the layout
  cache files it under its repr);
- `lay_out(job, part) -> LaidPart`: one part laid out, in a worker;
- `frame(job, laid) -> FramePlan | None`: what is laid out under the parts once they are all in
  (the cheat sheet's running header and footer), or None;
- `lay_out_frame(job, plan) -> bytes`: that frame laid out, in a worker (only for a writer whose
  `frame` is ever not None);
- `assemble(job, laid, frame) -> Rendered`: the output put together from its parts.

A writer raises when it fails; the scheduler turns that into a PartFailure, this output's alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from deckgen.cardsizes import (  # noqa: F401 (the writers' names for them)
    ANSWER_SIZES,
    CARD_SIZES,
    DEFAULT_CARD_SIZE,
    FOLDING,
    INCH,
    LETTER_ONLY,
    PAD_BOTTOM,
    PAD_TOP,
    PAD_X,
    QUESTION_SIZES,
    CardSize,
)
from deckgen.errors import ConfigError, OutputError
from deckgen.model import Diagnostic, Rendered, SourceSpan

if TYPE_CHECKING:
    from deckgen.config import Settings
    from deckgen.layout import PdfJob

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

# How big a part is (tests make parts smaller by setting these here: the writers read them here,
# when they cut an output, and build.py to judge how many workers the parts keep busy)
PART_CARDS = 150  # a deck with more cards is laid out in parts, at section boundaries, on all cores
CHUNK_SHEETS = 5  # flashcard sheets in a part (40 eight-up cards): an edit lays out one part, memory stays bounded, parts spread over the cores


# -- the contract between layout.py and the writers ------------------------------------------------

@dataclass(frozen=True)
class LaidPart:
    """One part of a PDF, laid out (in a worker, or read from the layout cache): its bytes and
    what putting the output together needs to know of it."""

    data: bytes
    pages: int
    headings: tuple[tuple[str, ...], ...] = ()  # the cheat sheet: the section headings each page starts
    problems: tuple[Diagnostic, ...] = ()  # the flashcards: sides that do not fit their card

    def facts(self) -> dict[str, Any]:
        """Everything but the bytes, as the layout cache keeps it (JSON; a diagnostic as
        [severity, code, message, path, line, col])."""
        return {"pages": self.pages, "headings": [list(page) for page in self.headings],
                "problems": [[d.severity, d.code, d.message, d.span.path, d.span.line, d.span.col]
                             for d in self.problems]}

    @classmethod
    def from_facts(cls, data: bytes, facts: dict[str, Any]) -> LaidPart:
        """A part as the layout cache kept it (an older deckgen's entry holds only the facts of
        its own output); ValueError if the facts are not what `facts` writes."""
        try:
            problems = tuple(Diagnostic(severity, code, message, SourceSpan(path, line, col))
                             for severity, code, message, path, line, col in facts.get("problems", ()))
            headings = tuple(tuple(str(label) for label in page) for page in facts.get("headings", ()))
            return cls(data, int(facts["pages"]), headings, problems)
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not the facts of a laid-out part: {err}") from err


@dataclass(frozen=True)
class PartFailure:
    """Why a part, a frame or a whole output could not be made, in one line; it fails that
    output only."""

    message: str
    assembly: bool = False  # putting the output together failed: its parts (a damaged cache?) may be at fault


@dataclass(frozen=True)
class FramePlan:
    """What an output lays out under its parts once they are all in: one page a sheet, each with
    what its header names; filed in the layout cache under `key`."""

    key: str
    sheets: tuple[str, ...]


class PdfWriter(Protocol):
    """A PDF writer module (see the module's docstring)."""

    def parts(self, job: PdfJob) -> Sequence[Any]: ...

    def lay_out(self, job: PdfJob, part: Any) -> LaidPart: ...

    def frame(self, job: PdfJob, laid: list[LaidPart]) -> FramePlan | None: ...

    def lay_out_frame(self, job: PdfJob, plan: FramePlan) -> bytes: ...

    def assemble(self, job: PdfJob, laid: list[LaidPart], frame: bytes | None) -> Rendered: ...


# -- WeasyPrint ------------------------------------------------------------------------------

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


def page_box(page):
    """The root of a laid-out page's box tree. WeasyPrint has no public API for where on a page
    an element was laid out, and the flashcards must know (which sides spill over their card, how
    tall a measured side is, which page a continued side's piece is on): they read the page's
    private `_page_box` here, and only here, and its boxes' `descendants()`, `element`,
    `element_tag`, `position_y` and `height` in `boxes` and the flashcards writer.
    Version pin: written against WeasyPrint 62 to 70 (pyproject asks for >=62; tested on 70.0);
    tests/test_layout.py::test_weasyprint_still_shows_where_it_laid_out_an_element fails at once
    when a WeasyPrint release changes any of this."""
    return page._page_box


PX_TO_MM = 25.4 / 96  # the layout tree measures in CSS px


def boxes(box, tag: str, name: str) -> list:
    """The boxes in a laid-out box (a page's: `page_box(page)`) whose element is a `tag` of class
    `name`, in document order. Faces are found this way rather than by an id each: WeasyPrint
    checks every id against the anchors it has seen, which grows quadratically."""
    return [child for child in box.descendants()
            if getattr(child, "element", None) is not None and child.element_tag == tag
            and name in child.element.get("class", "").split()]


# -- the cheat sheet's sheet -----------------------------------------------------------------

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}  # by the paper setting
PAPER_SIZES = {"a4": "A4", "letter": "letter"}  # the paper setting as CSS names it
PAPER_SHEET_MM = {PAPER_SIZES[name]: size for name, size in PAPER_MM.items()}  # by the CSS name
MARGIN_TOP, MARGIN_SIDE, COLUMN_GAP = 13.0, 10.0, 5.0  # mm, as print.css.j2 sets the sheet's margins


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


# -- the flashcards' cards and sheets ----------------------------------------------------------



@dataclass(frozen=True)
class Slot:
    x: float  # mm from the sheet's left edge
    y: float  # mm from the sheet's top edge


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


def check_print_settings(settings: Settings) -> None:
    """The flashcards' settings checked before a build writes anything."""
    check_print(settings.paper, settings.card_size, settings.duplex, settings.offset)


def check_print(paper: str, size_name: str, duplex: str, back_offset: tuple[float, float]) -> None:
    """The flashcard settings fit together; a ConfigError saying what to change if not."""
    if size_name in LETTER_ONLY and paper != "letter":
        raise ConfigError(f"card size {size_name} is label stock on US Letter sheets: use --paper letter")
    if duplex == "fold" and size_name != "auto" and size_name not in FOLDING:
        raise ConfigError(f"--duplex fold needs two columns of cards to fold one onto the other; "
                          f"card size {size_name} has one (folding sizes: {', '.join(FOLDING)})")
    if back_offset != (0.0, 0.0) and duplex not in ("long-edge", "short-edge"):
        raise ConfigError(f"--back-offset moves the back pages of duplex printing; with --duplex {duplex} "
                          f"the backs are on the front page (use long-edge or short-edge)")


def geometry(paper: str, size_name: str, duplex: str = "long-edge",
             back_offset: tuple[float, float] = (0.0, 0.0)) -> Geometry:
    """The flashcards' sheet: the card size (`auto`: the paper's default) centred on the paper."""
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
        back_offset, duplex == "fold",
    )


def flashcards_a_part(paper: str, size_name: str, duplex: str) -> int:
    """How many flashcards CHUNK_SHEETS sheets hold."""
    return CHUNK_SHEETS * len(geometry(paper, size_name).slots) // (2 if duplex in ("none", "fold") else 1)

