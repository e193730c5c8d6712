"""Source readers: pick one by file extension, decode the bytes with care, return a Deck."""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from deckgen.errors import SourceError
from deckgen.model import Deck, Diagnostic, SourceSpan
from deckgen.shapes import PAGE_SHAPES, SHAPES  # noqa: F401 (the shapes of text documents: shapes.py)

QA_START = re.compile(r"^\s*[QA]\s?\d{1,6}\s*[.):]")
Reader = Callable[[str, str, str, Path, str, str], Deck]


def _module(name: str) -> ModuleType:
    """A reader module, loaded when a source of its kind is read (an Anki deck of a .txt never
    loads the HTML reader and BeautifulSoup). The reader modules use this package's helpers, so
    they are loaded by name here, as formats.py loads the writers."""
    return importlib.import_module(f"deckgen.readers.{name}")


def _text_reader(text: str, path: str, title: str, folder: Path, shape: str, question: str = "auto") -> Deck:
    """A plain-text document through the structure finder. Two shapes keep a card builder of their
    own, chosen when the finder's reading says the document is in that shape: `Q12.`/`A12.`
    markers (an answer carries its own number, checked against its question's) and coaching pages
    (advice apart from the example answer, which goes to Extra)."""
    textblocks = _module("textblocks")

    if shape == "markdown":
        return _markdown_reader(text, path, title, folder, "auto", question)
    if question == "auto" and shape in textblocks.FAMILY_OF_SHAPE:
        question = textblocks.FAMILY_OF_SHAPE[shape]  # a text shape named in the settings is a marker family
    if shape in ("qa-markers", "coaching"):
        return _shaped(text, path, title, shape, [])
    found = textblocks.structured_reading(text, path, question)
    if question != "auto":
        return found.deck(title)
    older, mixed = _module("pages").choose(found.lines, path)
    family = found.shape.removeprefix("text:")
    if (family == "qa-markers" or older == "coaching") and older in ("qa-markers", "coaching"):
        deck = _shaped(text, path, title, older, mixed)
        if len(deck.cards) >= found.cards:  # the finder's cards are then never built
            return dataclasses.replace(deck, candidates=found.candidates, seen=found.seen,
                                       coverage=found.coverage if len(deck.cards) == found.cards else None)
    return found.deck(title)


def _shaped(text: str, path: str, title: str, shape: str, mixed: list[Diagnostic]) -> Deck:
    if shape == "qa-markers":
        deck = _module("text").read_text(text, path, title)
    else:
        deck = _module("pages").read_page(text, path, title, shape)
    return dataclasses.replace(deck, diagnostics=tuple(mixed) + deck.diagnostics) if mixed else deck


def _markdown_reader(text: str, path: str, title: str, folder: Path, shape: str, question: str = "auto") -> Deck:
    """Markdown through the structure finder; with a text shape named (setting source-format),
    the document's lines read as that shape, as a .txt would be."""
    if shape not in ("auto", "markdown"):
        return _text_reader(text, path, title, folder, shape, question)
    return _module("markdown").read_markdown(text, path, title, folder, question)


def _html_reader(text: str, path: str, title: str, folder: Path, shape: str, question: str = "auto") -> Deck:
    if shape not in ("auto",):
        raise SourceError(f"{path}: a web page is read by its own structure, not as {shape} (setting 'source-format')")
    return _module("html").read_html(text, path, title, folder, question)


def _decode_html(data: bytes, display: str) -> str:
    return _module("html").decode_html(data, display)


READERS: dict[str, Reader] = {
    ".txt": _text_reader,
    ".text": _text_reader,
    ".md": _markdown_reader,
    ".markdown": _markdown_reader,
    ".html": _html_reader,
    ".htm": _html_reader,
}
# How a source's bytes become text: UTF-8, except web pages, which say their own charset.
DECODERS: dict[str, Callable[[bytes, str], str]] = {".html": _decode_html, ".htm": _decode_html}


def is_source(path: Path) -> bool:
    return path.suffix.lower() in READERS


def fallback_title(path: Path) -> str:
    """A title for a document that has none: its file name, made readable."""
    words = path.stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else path.stem


def byte_position(data: bytes, index: int) -> tuple[int, int]:
    """The 1-based line and column of a byte of a file."""
    before = data[:index]
    return before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1


def decode(data: bytes, display: str) -> str:
    """UTF-8 (with or without BOM), or UTF-16 or UTF-32 beginning with a byte order mark (what
    Windows editors save as "Unicode"); a clear error naming the line and column where it fails.
    UTF-16 without a byte order mark is refused by name, never called a binary file."""
    import codecs

    def marked(body: bytes, encoding: str) -> str:
        """The text after a byte order mark; where it is not in that encoding, the line and
        column of the first character that is not."""
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as err:
            before = body[:err.start].decode(encoding, errors="replace")
            line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
            raise SourceError(f"{display}:{line}:{col}: not {encoding} although it begins with its "
                              f"byte order mark: {err.reason} (save the file as UTF-8)") from err
        if not text.strip():
            raise SourceError(f"{display}: the file is empty")
        return text

    def unmarked_utf16(head: bytes) -> str:
        """"UTF-16LE" or "UTF-16BE" when bytes holding NULs are clearly text in it (the NULs are
        the high bytes of Latin letters, digits and line breaks), else "": a binary file read so
        gives control characters (NUL among them) or bytes that are no UTF-16 at all."""
        head = head[: len(head) // 2 * 2]
        best, most = "", 0
        for encoding in ("UTF-16LE", "UTF-16BE"):
            text = head.decode(encoding, errors="replace")
            if "\ufffd" in text[:-1] or re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
                continue  # (the last character may be half a pair, cut off)
            latin = sum(char < "\x80" for char in text)  # the other byte order reads Latin as CJK
            if latin > most:
                best, most = encoding, latin
        return best

    if not data.strip():
        raise SourceError(f"{display}: the file is empty")
    # UTF-32's marks first: the little-endian one begins with UTF-16's. A mark alone is no text.
    for mark, encoding in ((codecs.BOM_UTF32_LE, "UTF-32LE"), (codecs.BOM_UTF32_BE, "UTF-32BE"),
                           (codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE")):
        if data.startswith(mark) and len(data) > len(mark):
            return marked(data[len(mark):], encoding)
    if b"\x00" in data[:8192]:
        encoding = unmarked_utf16(data[:8192])
        if encoding:
            raise SourceError(f"{display}: this is {encoding} text without a byte order mark; "
                              f"save it as UTF-8")
        raise SourceError(f"{display}: this is a binary file, not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, col = byte_position(data, err.start)
        raise SourceError(
            f"{display}:{line}:{col}: not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded "
            f"as UTF-8 (save the file as UTF-8)"
        ) from err


def read_source(path: Path, display: str, max_bytes: int, shape: str = "auto", question: str = "auto") -> Deck:
    """Read one source file into a Deck; every failure is a SourceError naming the file."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise SourceError(f"{display}: unknown kind of source '{path.suffix}' (deckgen reads {known})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(
                f"{display}: the file is {size:,} bytes, over the limit of {max_bytes:,} "
                f"(setting 'max-source-bytes')"
            )
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise SourceError(f"{display}: no such file") from err
    except IsADirectoryError as err:
        raise SourceError(f"{display}: is a directory") from err
    except OSError as err:
        raise SourceError(f"{display}: cannot read: {err.strerror}") from err
    return read_text(decode_source(data, path, display), path, display, shape, question)


def decode_source(data: bytes, path: Path, display: str) -> str:
    """A source's bytes as text: UTF-8, or what a web page declares."""
    return DECODERS.get(path.suffix.lower(), decode)(data, display)


def read_text(text: str, path: Path, display: str, shape: str = "auto", question: str = "auto") -> Deck:
    """Read a source's text (already decoded) as the reader for `path`'s extension does."""
    reader = READERS[path.suffix.lower()]
    text, cleaned = remove_control_characters(text, display)
    deck = reader(text, display, fallback_title(path), path.parent, shape, question)
    if cleaned:
        deck = dataclasses.replace(deck, diagnostics=tuple(cleaned) + deck.diagnostics)
    return deck


# C0 and C1 controls other than tab and line endings, zero-width spaces, word joiners, BOMs
# inside the text, and bidi overrides/isolates (they can make text display as something else).
# Zero-width (non-)joiners and left/right marks stay: scripts and emoji need them.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)


def remove_control_characters(text: str, display: str) -> tuple[str, list[Diagnostic]]:
    """Text without invisible control characters, and a warning for each line that had some."""
    text = text.removeprefix("\ufeff")
    if not CONTROL.search(text):
        return text, []
    found = []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        match = CONTROL.search(line)
        if match:
            names = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(line)})
            found.append(Diagnostic(
                "warning", "DG303",
                f"invisible control characters removed: {', '.join(names)}",
                SourceSpan(display, number, match.start() + 1),
            ))
    return CONTROL.sub("", text), found
