"""`deckgen import`: any document deckgen reads (a saved web page, Markdown, text) or a URL becomes
a Markdown source the user owns from then on (as `convert` writes it, Extra included), with the
document's local images copied beside it.

A published document is read leniently: questions it leaves unanswered are left out, with one
warning listing them. A source in source/ stays strict (an empty answer is an error there)."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from deckgen.config import Settings
from deckgen.convert import to_markdown
from deckgen.errors import DeckgenError, SourceError
from deckgen.fetch import TEXT_TYPES, fetch
from deckgen.model import Diagnostic, Inline, SourceSpan
from deckgen.readers import READERS, read_source
from deckgen.readers.html import charset_codec
from deckgen.sources import refuse_errors
from deckgen.writers import write_atomic


@dataclass(frozen=True)
class Imported:
    output: str
    cards: int
    images: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    shape: str


def is_url(source: str) -> bool:
    """An address with a scheme (http://, https://, ftp://...), not a file name."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def import_page(source: str, output: Path, settings: Settings, cwd: Path, force: bool = False,
                offline: bool = False, timeout: float = 15.0) -> Imported:
    """Read the page (fetched when `source` is a URL) and write its Markdown form to `output`."""

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
            if page.suffix.lower() not in READERS:
                raise SourceError(f"{source}: import reads a document ({', '.join(sorted(READERS))}) or an "
                                  f"http(s) URL")
            display, folder = source, page.parent
            page, legacy = as_utf8(page, Path(tmp), display)

        deck = read_source(page, display, settings.max_source_bytes, question=settings.question)
        deck, dropped = without_unanswered(deck)
        found = refuse_errors(deck, settings, f"{source}: not imported")
        found = list(legacy if not is_url(source) else ()) + list(dropped) + list(found)
        names = safe_names(deck.images)
        deck = with_images_renamed(deck, names)
        text = to_markdown(deck)
        copied = []
        for image in names:
            origin, destination = folder / image, target.parent / names[image]
            if not destination.resolve().is_relative_to(target.parent.resolve()):
                raise DeckgenError(f"{destination}: outside the output's folder; not copied")
            if destination.exists() and _same_file(origin, destination):
                continue  # imported beside the page it comes from: its images are in place already
            if destination.exists() and not force:
                raise DeckgenError(f"{destination}: already exists; --force replaces it")
            copied.append((origin, destination))
        for origin, destination in copied:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text.encode("utf-8"), str(output))
    return Imported(str(output), len(deck.cards), deck.images, tuple(found), deck.shape)


# What an image's name may hold where import writes it: letters and digits of any script, spaces and
# a few marks. Anything else (`<`, `>`, `\`, `&`, `%`, `#`, `?`, controls...) could end the
# Markdown destination, be read as an escape, an entity or a URL's query, or trouble a file system.
UNSAFE_IN_NAME = re.compile(r"[^\w .()+,=@~'-]")


def safe_names(images: tuple[str, ...]) -> dict[str, str]:
    """Each image (a relative POSIX path beside the document) and the name it is copied to: the
    same name where it is safe, else one with the unsafe characters replaced (never two alike)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for image in images:
        parts = [UNSAFE_IN_NAME.sub("_", part).strip() or "_" for part in image.split("/")]
        parts = [part if part not in (".", "..") else "_" for part in parts]
        name = "/".join(parts)
        stem, dot, suffix = name.rpartition(".")
        count = 1
        while name.casefold() in taken:
            count += 1
            name = f"{stem}-{count}.{suffix}" if dot else f"{suffix}-{count}"
        taken.add(name.casefold())
        names[image] = name
    return names


def with_images_renamed(deck, names: dict[str, str]):
    """The deck with its images referred to by their new names (every card's question, answer,
    choices and Extra)."""
    import dataclasses


    if all(old == new for old, new in names.items()):
        return deck

    def renamed(value):
        if isinstance(value, Inline):
            return dataclasses.replace(value, href=names.get(value.href, value.href)) if value.kind == "image" else value
        if isinstance(value, tuple):
            return tuple(renamed(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: renamed(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        return value

    sections = tuple(dataclasses.replace(s, cards=tuple(renamed(c) for c in s.cards)) for s in deck.sections)
    return dataclasses.replace(deck, sections=sections, images=tuple(names[i] for i in deck.images))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def as_utf8(page: Path, tmp: Path, display: str) -> tuple[Path, tuple[Diagnostic, ...]]:
    """A published text or Markdown document in a legacy encoding (an old Japanese FAQ in EUC-JP)
    as a UTF-8 copy, with a warning naming the encoding found; a source in source/ must be UTF-8."""
    if page.suffix.lower() in (".html", ".htm") or not page.is_file():
        return page, ()
    data = page.read_bytes()
    try:
        data.decode("utf-8")
        return page, ()
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes


    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        return page, ()  # the reader says where it is not UTF-8
    copy = tmp / f"document{page.suffix.lower()}"
    copy.write_text(str(best), encoding="utf-8")
    return copy, (Diagnostic("warning", "DG303", f"not UTF-8: read as {best.encoding}", SourceSpan(display, 1)),)


def without_unanswered(deck):
    """The deck without the questions a published document leaves unanswered, and one warning
    listing them (a Kubernetes page with 26 empty answers imports its 315 answered ones)."""
    import dataclasses


    empty = [c for c in deck.cards if not c.answered and not c.cloze_numbers and c.question]
    if not empty:
        return deck, ()
    gone = {id(c) for c in empty}
    sections = tuple(dataclasses.replace(s, cards=tuple(c for c in s.cards if id(c) not in gone))
                     for s in deck.sections)
    sections = tuple(s for s in sections if s.cards)
    listed = "; ".join(f"line {c.span.line}: {c.question_text[:50]}" for c in empty[:10])
    more = f"; and {len(empty) - 10} more" if len(empty) > 10 else ""
    warning = Diagnostic("warning", "DG007", f"{len(empty)} question(s) without an answer left out: {listed}{more}",
                         empty[0].span if empty else SourceSpan(deck.source, 1))
    return dataclasses.replace(deck, sections=sections), (warning,)


def _fetched(url: str, tmp: Path, timeout: float, settings: Settings) -> tuple[Path, str, Path]:
    """The fetched page saved in `tmp` (re-encoded as UTF-8 when the server named a charset)."""

    got = fetch(url, timeout=timeout, max_bytes=settings.max_source_bytes)
    data = got.data
    codec = charset_codec(got.charset) if got.charset else None
    if got.charset and codec is None:
        raise DeckgenError(f"{url}: the server says charset={got.charset[:40]}, which is not a character "
                           f"encoding for web pages")
    if codec:
        try:
            data = data.decode(codec).encode("utf-8")
            data = b'<meta charset="utf-8">' + data
        except UnicodeError:
            pass  # let the page's own <meta charset> decide, and say so if it is wrong

    suffix = TEXT_TYPES.get(got.kind, ".html")
    if suffix == ".txt" and got.url.lower().split("?")[0].endswith((".md", ".markdown")):
        suffix = ".md"  # a raw README served as text/plain
    if suffix != ".html":
        data = got.data.decode(codec or "utf-8", errors="replace").encode("utf-8")
    page = tmp / f"page{suffix}"
    page.write_bytes(data)
    return page, got.url, tmp
