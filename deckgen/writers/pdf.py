"""PDF writers: the cheat sheet (and the flashcards) as HTML from templates, laid out by WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from deckgen.errors import OutputError
from deckgen.model import StudyDeck
from deckgen.render import render

# CSS font stacks (trusted text, so marked safe for the template's <style>): DejaVu for Latin,
# Greek and Cyrillic, Noto for the scripts DejaVu lacks. Debian: fonts-dejavu-core, fonts-noto-core,
# fonts-noto-cjk.
FONTS = {
    "sans": Markup(
        '"DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", '
        '"Noto Sans Hebrew", sans-serif'
    ),
    "mono": Markup('"DejaVu Sans Mono", "Noto Sans Mono", monospace'),
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


def html_to_pdf(html: str, base: Path, allowed: tuple[Path, ...], title: str) -> tuple[bytes, int]:
    """Lay out `html` and return the PDF bytes and the page count."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(
            string=html, base_url=str(base), url_fetcher=restricted_fetcher(allowed)
        ).render()
        data = document.write_pdf(pdf_identifier=b"deckgen-" + title.encode("utf-8")[:32])
    except Exception as err:  # WeasyPrint raises many kinds; the build reports which output failed
        raise OutputError(f"PDF layout failed: {err}") from err
    return data, len(document.pages)


def cheatsheet(deck: StudyDeck, page: dict[str, Any], templates: str, media: dict[str, str],
               allowed: tuple[Path, ...]) -> tuple[bytes, int]:
    html = render("cheatsheet.html.j2", templates, deck=deck, page=page, fonts=FONTS, media=media)
    return html_to_pdf(html, allowed[0], allowed, deck.title)
