"""The HTML handout writer: one self-contained page from the handout template."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import resources

from markupsafe import Markup

from deckgen.model import Rendered, StudyCard, StudyDeck, all_inlines
from deckgen.render import render
from deckgen.writers.apkg import anki_id


def handout(deck: StudyDeck, templates: str, media: dict[str, str], storage_key: str,
            new_per_day: int = 20) -> bytes:
    places = {**places_of_cards(deck), **media}
    # the page's two scripts (the scheduler, ts-fsrs, and the page's own), rendered first: the
    # Content-Security-Policy allows them by their hashes (and nothing else: no inline event
    # handlers, no javascript: URLs)
    context = {"deck": deck, "media": places, "storage_key": storage_key, "new_per_day": new_per_day,
               "cloze_order": {item.key: cloze_order(item) for item in deck.cards if item.card.kind == "cloze"}}
    script = render("handout.js.j2", templates, **context)
    scheduler = ts_fsrs()
    html = render("handout.html.j2", templates, **context, script=Markup(script), script_hash=_csp_hash(script),
                  scheduler=Markup(scheduler), scheduler_hash=_csp_hash(scheduler))
    return html.encode("utf-8")


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def ts_fsrs() -> str:
    """The study mode's scheduler: ts-fsrs's browser build, bundled in deckgen/assets (pinned, with
    its licence; update-ts-fsrs.py there updates it). It defines window.FSRS."""
    return (resources.files("deckgen") / "assets" / "ts-fsrs.js").read_text(encoding="utf-8")


def cloze_order(item: StudyCard) -> str:
    """The cloze numbers of a cloze card in the order the handout draws its deletions (question,
    answer, extra), e.g. "1 2 1": study mode asks one number at a time and needs to know which
    deletion is which."""
    runs = (*item.card.question, *all_inlines(item.card.answer), *all_inlines(item.card.extra))
    return " ".join(str(run.number) for run in runs if run.kind == "cloze")


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
    return Rendered(handout(plan.deck, settings.templates, plan.media.inline, key, settings.study_new_per_day))
