"""The HTML handout writer: one self-contained page from the handout template."""

from __future__ import annotations

import base64
import hashlib
import re

from markupsafe import Markup

from deckgen.model import Rendered, StudyDeck
from deckgen.render import render
from deckgen.writers.apkg import anki_id


def handout(deck: StudyDeck, templates: str, media: dict[str, str], storage_key: str) -> bytes:
    places = {**places_of_cards(deck), **media}
    # the page's one script, rendered first: the Content-Security-Policy allows it by its hash
    # (and no other script: no inline event handlers, no javascript: URLs)
    context = {"deck": deck, "media": places, "storage_key": storage_key}
    script = render("handout.js.j2", templates, **context)
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    html = render("handout.html.j2", templates, **context, script=Markup(script), script_hash=script_hash)
    return html.encode("utf-8")


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower(), flags=re.UNICODE).replace(" ", "-")


def places_of_cards(deck: StudyDeck) -> dict[str, str]:
    """`#place` (as the source document links its questions) -> the card's anchor in the handout;
    a place two questions share (GitHub adds -1, -2) is left to the first."""
    places: dict[str, str] = {}
    for item in deck.cards:
        question = item.card.question_text
        names = [question] + ([f"{item.card.number}. {question}", f"{item.card.number} {question}"]
                              if item.card.number is not None else [])
        for name in names:
            places.setdefault("#" + github_slug(name), "#" + item.anchor)
    return places


def output(plan, settings) -> Rendered:
    """The handout of a build's plan (plan.Plan), as formats.FORMATS["html"] names it; its
    progress is kept under the Anki deck's id, so renaming the file keeps it."""
    key = f"deckgen:{anki_id('deck', plan.deck_name)}"
    return Rendered(handout(plan.deck, settings.templates, plan.media.inline, key))
