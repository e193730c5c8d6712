"""The HTML handout writer: one self-contained page from the handout template."""

from __future__ import annotations

from deckgen.model import StudyDeck
from deckgen.render import render


def handout(deck: StudyDeck, templates: str, media: dict[str, str], storage_key: str) -> bytes:
    html = render("handout.html.j2", templates, deck=deck, media=media, storage_key=storage_key)
    return html.encode("utf-8")
