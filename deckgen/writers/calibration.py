"""`deckgen calibrate`: a two-page sheet that measures how far a printer's backs drift from its
fronts, drawn for a paper, card size, duplex mode and back offset (the flashcards' geometry)."""

from __future__ import annotations

from pathlib import Path

from deckgen.config import parse_offset
from deckgen.errors import ConfigError
from deckgen.writers.pdf import Geometry, check_print, geometry, layout, pdf_bytes


def _mirror(geo: Geometry, x: float, y: float, duplex: str) -> tuple[float, float]:
    """Where a point of the front lies on the back page (as the back page is seen in the PDF)."""
    width, height = geo.paper
    return (width - x, y) if duplex == "long-edge" else (x, height - y)


def calibration(paper: str, size_name: str, duplex: str, back_offset: tuple[float, float] | str) -> bytes:
    """A two-page sheet to measure a printer's duplex drift: on the front a crosshair at every card
    corner; on the back, behind each one, a crosshair with millimetre rulers, placed as the duplex
    mode and the back offset say. Held against the light, the front's crosshair falls on the
    back's rulers at the numbers to give --back-offset (0,0 when the printer is true).
    `back_offset`: `Settings.offset`; a string is the setting as typed (X,Y), read as config reads it."""
    if duplex not in ("long-edge", "short-edge"):
        raise ConfigError(f"calibrate measures duplex printing: use --duplex long-edge or short-edge, not {duplex}")
    offset = parse_offset(back_offset, "--back-offset") if isinstance(back_offset, str) else back_offset
    check_print(paper, size_name, duplex, offset)
    geo = geometry(paper, size_name, duplex, offset)
    dx, dy = geo.back_offset
    corners = [(x, y) for x in geo.cut_x for y in geo.cut_y]
    width, height = geo.paper

    def page(marks: str) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}mm" height="{height:g}mm" '
                f'viewBox="0 0 {width:g} {height:g}"><g stroke="black" stroke-width="0.15" '
                f'font-family="DejaVu Sans" font-size="1.6">{marks}</g></svg>')

    front = "".join(
        f'<line x1="{x - 3:g}" y1="{y:g}" x2="{x + 3:g}" y2="{y:g}"/><line x1="{x:g}" y1="{y - 3:g}" x2="{x:g}" y2="{y + 3:g}"/>'
        f'<text x="{x + 0.6:.3f}" y="{y - 0.6:.3f}" stroke="none">F{n}</text>'
        for n, (x, y) in enumerate(corners, start=1))
    back = []
    for n, (x, y) in enumerate(corners, start=1):
        bx, by = _mirror(geo, x, y, duplex)
        bx, by = bx + dx, by + dy
        ticks = "".join(
            f'<line x1="{bx + d:g}" y1="{by - (1.2 if d % 5 == 0 else 0.6):g}" x2="{bx + d:g}" y2="{by:g}"/>'
            f'<line x1="{bx:g}" y1="{by + d:g}" x2="{bx + (1.2 if d % 5 == 0 else 0.6):g}" y2="{by + d:g}"/>'
            for d in range(-5, 6))
        labels = "".join(
            f'<text x="{bx + d - 0.5:g}" y="{by - 1.6:g}" stroke="none" font-size="1.2">{d:+d}</text>'
            f'<text x="{bx + 1.6:g}" y="{by + d + 0.4:g}" stroke="none" font-size="1.2">{d:+d}</text>'
            for d in (-5, 5))
        back.append(f'<line x1="{bx - 6:g}" y1="{by:g}" x2="{bx + 6:g}" y2="{by:g}"/>'
                    f'<line x1="{bx:g}" y1="{by - 6:g}" x2="{bx:g}" y2="{by + 6:g}"/>{ticks}{labels}'
                    f'<text x="{bx + 0.6:.3f}" y="{by + 2.6:.3f}" stroke="none">B{n}</text>')
    note = (f'<text x="10" y="{height - 8:g}" stroke="none" font-size="2.6">deckgen calibrate: {geo.card.name} '
            f'cards on {paper}, {duplex}, back offset {dx:g},{dy:g} mm. Print double-sided at 100% (actual size).</text>'
            f'<text x="10" y="{height - 4.5:g}" stroke="none" font-size="2.6">Hold the sheet to the light: where each '
            f'front cross falls on the back\'s rulers is the --back-offset X,Y to build with.</text>')
    from urllib.parse import quote

    pages = [page(front + note), page("".join(back))]
    html = ("<html><head><style>@page { size: " + f"{width:g}mm {height:g}mm" + "; margin: 0 }"
            " body { margin: 0 } img { display: block; width: 100%; height: 100%; break-after: page }"
            "</style></head><body>"
            + "".join(f'<img src="data:image/svg+xml,{quote(p)}" style="height:{height:g}mm">' for p in pages)
            + "</body></html>")
    document = layout(html, (Path("."),))
    return pdf_bytes(document, "deckgen calibration")
