"""PDF work that is not layout, done with pikepdf (qpdf): placing the cheat sheet's column pages
side by side on its sheets (imposition) with their links, laying the header and footer under
them, the outline; joining the flashcards' parts. Saved with deterministic ids, so the same parts
give the same bytes."""

from __future__ import annotations

import io

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
        form = out.copy_foreign(column.as_form_xobject())
        # a name of our own (pikepdf's placement helpers pick random ones: not reproducible), and
        # under the frame: in the content stream the columns come first, the header and footer
        # after them, as WeasyPrint writes a page (text extraction reads the body first)
        name = sheet.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(f"/DeckgenColumn{index}"))
        placements.setdefault(index // geometry.columns, []).append(
            f"q 1 0 0 1 {x:.5f} {bottom:.5f} cm {name} Do Q\n".encode())
        for annotation in column.obj.get("/Annots", []):
            moved = out.copy_foreign(annotation)
            x1, y1, x2, y2 = (float(v) for v in moved.Rect)
            moved.Rect = pikepdf.Array([x1 + x, y1 + bottom, x2 + x, y2 + bottom])
            moved.P = sheet.obj
            if "/Annots" not in sheet.obj:
                sheet.obj.Annots = pikepdf.Array()
            sheet.obj.Annots.append(moved)
    for number, placed in placements.items():  # the columns in reading order, then the frame
        out.pages[number].contents_add(out.make_stream(b"".join(placed)), prepend=True)
    with out.open_outline() as outline:
        outline.root.clear()
        for index, found in enumerate(headings):
            for label in found:
                outline.root.append(pikepdf.OutlineItem(label, index // geometry.columns))
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
