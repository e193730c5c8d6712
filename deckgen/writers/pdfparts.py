"""PDF work that is not layout, done with pikepdf (qpdf): placing the cheat sheet's column pages
side by side on its sheets (imposition) with their links, laying the header and footer under
them, the outline; placing the pieces of flashcard sides continued over several cards in their
cards; joining the flashcards' parts. Saved with deterministic ids, so the same parts give the
same bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass

from deckgen.writers.pdf import SheetGeometry

POINTS_PER_MM = 72 / 25.4


def _mm(value: float) -> float:
    return value * POINTS_PER_MM


def sheet_sections(headings: list[list[str]], columns: int) -> list[str]:
    """The section each sheet's header names: the first heading that starts on the sheet, else
    the one carried over from earlier sheets (CSS `string(section)`, as a single flow shows it)."""
    sheets, current = [], ""
    for start in range(0, max(len(headings), 1), columns):
        on_sheet = [h for page in headings[start:start + columns] for h in page]
        sheets.append(on_sheet[0] if on_sheet else current)
        if on_sheet:
            current = on_sheet[-1]
    return sheets


def _draw(out, sheet, page, x: float, y: float, name: str) -> bytes:
    """`page` (of another PDF) made a form XObject of `sheet` in `out`, its links copied onto the
    sheet where it goes; the content-stream operators that draw it with its lower-left corner at
    (x, y) points. The name is our own (pikepdf's placement helpers pick random ones: not
    reproducible)."""
    import pikepdf

    form = out.copy_foreign(page.as_form_xobject())
    name = sheet.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(name))
    for annotation in page.obj.get("/Annots", []):
        moved = out.copy_foreign(annotation)
        x1, y1, x2, y2 = (float(v) for v in moved.Rect)
        moved.Rect = pikepdf.Array([x1 + x, y1 + y, x2 + x, y2 + y])
        moved.P = sheet.obj
        if "/Annots" not in sheet.obj:
            sheet.obj.Annots = pikepdf.Array()
        sheet.obj.Annots.append(moved)
    return f"q 1 0 0 1 {x:.5f} {y:.5f} cm {name} Do Q\n".encode()


def impose(parts: list[bytes], headings: list[list[str]], frame: bytes, geometry: SheetGeometry,
           title: str, language: str) -> bytes:
    """The sheets: the frame's page for each (header and footer), with `columns` column pages of
    the parts, in order, laid over it; links kept where they were; an outline entry per section."""
    import pikepdf

    out = pikepdf.Pdf.open(io.BytesIO(frame))
    sources = [pikepdf.Pdf.open(io.BytesIO(data)) for data in parts]  # kept open while their pages are read
    columns = [page for source in sources for page in source.pages]
    height = _mm(geometry.column["height"])
    bottom = _mm(geometry.height) - _mm(13.0) - height
    placements: dict[int, list[bytes]] = {}
    for index, column in enumerate(columns):
        sheet = out.pages[index // geometry.columns]
        x = _mm(geometry.column_x(index % geometry.columns))
        # under the frame: in the content stream the columns come first, the header and footer
        # after them, as WeasyPrint writes a page (text extraction reads the body first)
        placements.setdefault(index // geometry.columns, []).append(
            _draw(out, sheet, column, x, bottom, f"/DeckgenColumn{index}"))
    for number, placed in placements.items():  # the columns in reading order, then the frame
        out.pages[number].contents_add(out.make_stream(b"".join(placed)), prepend=True)
    with out.open_outline() as outline:
        outline.root.clear()
        for index, found in enumerate(headings):
            for label in found:
                outline.root.append(pikepdf.OutlineItem(label, index // geometry.columns))
    return _save(out, title, language)


@dataclass(frozen=True)
class Placement:
    """A piece of a continued flashcard side: its page in the continuation layout, drawn on a
    page of the sheets with its top-left corner at (x, y) mm from the page's top-left."""

    page: int
    piece: int
    x: float
    y: float


def place(sheets: bytes, pieces: bytes, placements: list[Placement], title: str, language: str) -> bytes:
    """The sheets with the continued sides' pieces drawn in their cards' content boxes (each piece
    page is the size of the box, so the box clips it as the card's own content is clipped)."""
    import pikepdf

    out = pikepdf.Pdf.open(io.BytesIO(sheets))
    source = pikepdf.Pdf.open(io.BytesIO(pieces))  # kept open while its pages are read
    drawn: dict[int, list[bytes]] = {}
    for index, placement in enumerate(placements):
        sheet, piece = out.pages[placement.page], source.pages[placement.piece]
        top = float(sheet.mediabox[3]) - _mm(placement.y)
        bottom = top - (float(piece.mediabox[3]) - float(piece.mediabox[1]))
        drawn.setdefault(placement.page, []).append(
            _draw(out, sheet, piece, _mm(placement.x), bottom, f"/DeckgenPiece{index}"))
    for number, placed in drawn.items():
        # after the sheet's own content (the card's meta line reads first), which is wrapped in
        # q/Q: WeasyPrint leaves its page's coordinates flipped (y down) at the end of the stream
        page = out.pages[number]
        page.contents_add(out.make_stream(b"q\n"), prepend=True)
        page.contents_add(out.make_stream(b"Q\n" + b"".join(placed)))
    return _save(out, title, language)


def join(parts: list[bytes], title: str, language: str) -> bytes:
    """Parts' pages one after another, as one document."""
    import pikepdf

    if len(parts) == 1:
        return parts[0]
    out = pikepdf.new()
    sources = [pikepdf.Pdf.open(io.BytesIO(data)) for data in parts]
    for source in sources:
        out.pages.extend(source.pages)
    return _save(out, title, language)


def _save(pdf, title: str, language: str) -> bytes:
    import pikepdf

    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Creator"] = "deckgen"
    pdf.Root.Lang = pikepdf.String(language)
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
