"""`deckgen import`: a saved web page or a URL becomes a Markdown source the user owns from then
on (as `convert` writes it, Extra included), with the page's local images copied beside it."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from deckgen.config import Settings
from deckgen.errors import DeckgenError, SourceError
from deckgen.model import Diagnostic


@dataclass(frozen=True)
class Imported:
    output: str
    cards: int
    images: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    shape: str


def is_url(source: str) -> bool:
    """An address with a scheme (http://, https://, ftp://...), not a file name."""
    import re

    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def import_page(source: str, output: Path, settings: Settings, cwd: Path, force: bool = False,
                offline: bool = False, timeout: float = 15.0) -> Imported:
    """Read the page (fetched when `source` is a URL) and write its Markdown form to `output`."""
    from deckgen.build import refuse_errors
    from deckgen.convert import to_markdown
    from deckgen.writers import write_atomic

    target = output if output.is_absolute() else cwd / output
    if target.suffix.lower() not in (".md", ".markdown"):
        raise DeckgenError(f"{output}: import writes Markdown; name the output NAME.md")
    if target.exists() and not force:
        raise DeckgenError(f"{output}: already exists; --force replaces it")
    with tempfile.TemporaryDirectory(prefix="deckgen-import-") as tmp:
        if is_url(source):
            if offline:
                raise DeckgenError(f"{source}: --offline refuses to fetch a URL")
            page, display, folder = _fetched(source, Path(tmp), timeout, settings)
        else:
            page = (cwd / source) if not Path(source).is_absolute() else Path(source)
            if page.suffix.lower() not in (".html", ".htm"):
                raise SourceError(f"{source}: import reads a saved web page (.html, .htm) or an http(s) URL")
            display, folder = source, page.parent
        from deckgen.readers import read_source

        deck = read_source(page, display, settings.max_source_bytes)
        found = refuse_errors(deck, settings, f"{source}: not imported")
        text = to_markdown(deck)
        copied = []
        for image in deck.images:
            destination = target.parent / image
            if destination.exists() and not force:
                raise DeckgenError(f"{destination}: already exists; --force replaces it")
            copied.append((folder / image, destination))
        for origin, destination in copied:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text.encode("utf-8"), str(output))
    return Imported(str(output), len(deck.cards), deck.images, tuple(found), deck.shape)


def _fetched(url: str, tmp: Path, timeout: float, settings: Settings) -> tuple[Path, str, Path]:
    """The fetched page saved in `tmp` (re-encoded as UTF-8 when the server named a charset)."""
    from deckgen.fetch import fetch

    got = fetch(url, timeout=timeout, max_bytes=settings.max_source_bytes)
    data = got.data
    if got.charset:
        try:
            data = data.decode(got.charset).encode("utf-8")
            data = b'<meta charset="utf-8">' + data
        except (LookupError, UnicodeDecodeError):
            pass  # let the page's own <meta charset> decide, and say so if it is wrong
    page = tmp / "page.html"
    page.write_bytes(data)
    return page, got.url, tmp
