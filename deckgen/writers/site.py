"""The deck site (formats.FORMATS["site"]): build/index.html, every deck of the build on one page,
grouped by folder, with its counts, date, warnings and links to the files built for it, and a
search across every deck's questions that leads into the handouts.

Self-contained like the handout: CSS and the one script inline (allowed by its hash), no request
leaves the page, every link relative (it works from file:// and from a sub-path such as
https://user.github.io/repo/). The same build gives the same bytes."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from deckgen.formats import FORMATS
from deckgen.model import Rendered
from deckgen.render import render


@dataclass(frozen=True)
class SiteDeck:
    title: str
    folder: str  # the folder under the sources ("" at the top)
    cards: int
    sections: int
    date: str  # when its source last changed (YYYY-MM-DD), "" when unknown
    warnings: int
    handout: str  # relative link to its handout, "" when none was built
    files: tuple[tuple[str, str, str], ...]  # (label, relative link, size)


def output(repository, settings) -> Rendered:
    """The index of a build (build.RepositoryBuild)."""
    decks, entries = [], []
    for plan in repository.plans:
        built = repository.built(plan.job)
        links = {fmt: (href(path), size) for fmt, path, size in built}
        handout = links.get("html", ("", 0))[0]
        files = tuple((FORMATS[fmt].label or fmt, link, human(size))
                      for fmt, (link, size) in links.items())
        warnings = sum(d.severity == "warning" and d.span.path == plan.job.display for d in repository.diagnostics)
        decks.append(SiteDeck(plan.deck.title, plan.job.stem.parent.as_posix().removeprefix("."), len(plan.deck.cards),
                              len(plan.deck.sections), plan.deck.build_date, warnings, handout, files))
        if handout:
            entries += [[len(decks) - 1, item.card.question_text, f"{handout}#{item.anchor}"]
                        for item in plan.deck.cards]
    groups: dict[str, list[SiteDeck]] = {}
    for deck in sorted(decks, key=lambda d: (d.folder, d.title.casefold())):
        groups.setdefault(deck.folder, []).append(deck)
    every = [repository.files.get("all")] if repository.files.get("all") else []
    cards = sum(d.cards for d in decks)
    description = repository.description or (
        f"{len(decks)} deck{'' if len(decks) == 1 else 's'} of questions and answers ({cards:,} in all): "
        f"a handout to read and quiz yourself in the browser, Anki decks and printable PDFs.")
    context = {
        "title": repository.title, "description": description, "language": repository.language,
        "groups": groups, "cards": cards, "decks": len(decks),
        "all": [(href(path), human(size)) for path, size in every],
        "index": [[d.title for d in decks], entries],
    }
    script = render("site.js.j2", repository.templates, **context)
    digest = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    html = render("site.html.j2", repository.templates, **context, script=Markup(script), script_hash=digest)
    return Rendered(html.encode("utf-8"))


def href(path: Path) -> str:
    """A relative link to a file under the output folder, each part quoted."""
    return "/".join(quote(part) for part in path.parts)


def human(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"

