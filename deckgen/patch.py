"""Line patches to a source file: a card's question or answer rewritten in the source's own form,
a card appended to a section. Every other line, and the file's line endings, stay as they were.

Two forms are written: Markdown (`### question`, the answer below, Extra after the extra mark) and
plain Q/A text (`Q12.` / `A12.` markers, bullet lists in the source's own bullet style). Text in
the other page shapes is refused: convert it to Markdown first.

Patched sources and their ids files reach the disk together (`write_all`): each new file is
written to a temporary file beside it, then a journal naming them all is written (the commit
point), then each is renamed into place and the journal removed. A pull killed before the journal
is whole changed nothing, and the next pull removes its temporary files; one killed after leaves
the journal, and the next pull (`recover`) finishes the renames, so a source is never left new
beside an old ids file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from deckgen import convert
from deckgen.errors import DeckgenError
from deckgen.model import Card, Deck
from deckgen.readers.lines import BULLET
from deckgen.readers.markdown import EXTRA
from deckgen.readers.text import ANSWER, QUESTION

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
HEADING = re.compile(r"^(?P<mark> {0,3}#{1,6}[ \t]+)")
WRITABLE = ("markdown:h3", "qa-markers")
JOURNAL = ".deckgen-pull-journal.json"
PULL_TEMP = ".deckgen-pull-"  # .NAME.deckgen-pull-PID: a new file waiting to be renamed into place  # deckgen's own Markdown form (a card per ### heading) and Q12./A12. text


class PatchError(DeckgenError):
    """Raised when a card cannot be written back into its source (a shape deckgen does not write)."""


@dataclass
class SourceText:
    """A source's text as lines that keep their own endings, and the edits to make to it."""

    display: str
    deck: Deck
    bom: bool
    lines: list[str]
    edits: list[tuple[int, int, list[str]]] = field(default_factory=list)  # first, last (1-based), new

    @classmethod
    def parse(cls, text: str, display: str, deck: Deck, bom: bool = False) -> SourceText:
        """`text` as decoded (without its BOM: `bom` says whether the file had one)."""
        lines = [m.group(0) for m in LINE.finditer(text) if m.group(0)]
        return cls(display, deck, bom, lines)

    @property
    def markdown(self) -> bool:
        return self.deck.shape.startswith("markdown")

    @property
    def newline(self) -> str:
        for line in self.lines:
            if line.endswith(("\r\n", "\n", "\r")):
                return "\r\n" if line.endswith("\r\n") else line[-1]
        return "\n"

    def line(self, number: int) -> str:
        return self.lines[number - 1].rstrip("\r\n") if 0 < number <= len(self.lines) else ""

    def check_writable(self) -> None:
        if self.deck.shape not in WRITABLE:
            raise PatchError(
                f"{self.display}: read as {self.deck.shape}; deckgen pull writes back into Markdown in deckgen's "
                f"own form (a ### heading per question) and Q/A-marker text sources (convert this one first: "
                f"deckgen convert {self.display} -o NAME.md)"
            )

    def text(self) -> str:
        """The source with every edit made (without the BOM)."""
        lines = list(self.lines)
        newline = self.newline
        for first, last, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            if last >= first and last == len(lines) and not lines[-1].endswith(("\n", "\r")):
                ending = ""  # the file had no final newline; neither does its new last line
            else:
                ending = newline
            replacement = [line + newline for line in new]
            if replacement and not ending:
                replacement[-1] = replacement[-1].removesuffix(newline)
            if last < first and first > len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += newline  # appending after a last line that had no newline
            lines[first - 1: last] = replacement
        return "".join(lines)

    # -- a card's lines -------------------------------------------------------------------
    def card_lines(self, card: Card) -> list[str]:
        return [self.line(n) for n in range(card.span.line, card.end + 1)]

    def rewrite(self, card: Card, new: Card, question: bool, answer: bool, lost: list[str]) -> None:
        """Replace the card's question and/or answer (with its Extra) by the new card's."""
        self.check_writable()
        if self.markdown:
            self._rewrite_markdown(card, new, question, answer)
        else:
            self._rewrite_text(card, new, question, answer, lost)

    def render_card(self, card: Card, lost: list[str], number: int | None = None) -> list[str]:
        """A whole card in this source's form (a new card, or a conflict's other side)."""
        if self.markdown:
            return [f"### {convert.question_heading(card.question)}", "", *convert.answer_markdown(card)]
        n = card.number if number is None else number
        return [f"Q{n}. {convert.text_inlines(card.question, lost)}",
                *convert.text_blocks(card.answer, f"A{n}. ", self.bullet(None), lost)]

    def _rewrite_markdown(self, card: Card, new: Card, question: bool, answer: bool) -> None:
        if question:
            mark = HEADING.match(self.line(card.span.line))
            prefix = mark["mark"] if mark else "### "
            self.edits.append((card.span.line, card.span.line, [prefix + convert.question_heading(new.question)]))
        if answer:
            start = self._markdown_body_start(card)
            body = convert.answer_markdown(new)
            if start > card.end:  # no answer written yet: put it under the heading
                self.edits.append((start, start - 1, ["", *body]))
            else:
                self.edits.append((start, card.end, body))

    def _markdown_body_start(self, card: Card) -> int:
        """The first line of the answer: after the heading and the card's settings comment."""
        n = card.span.line + 1
        while n <= card.end and not self.line(n).strip():
            n += 1
        settings = self.line(n).strip()
        if n <= card.end and settings.startswith("<!-- deckgen:") and not EXTRA.match(settings):
            while n <= card.end and "-->" not in self.line(n):
                n += 1
            n += 1
            while n <= card.end and not self.line(n).strip():
                n += 1
        return n if n <= card.end else card.end + 1

    def _rewrite_text(self, card: Card, new: Card, question: bool, answer: bool, lost: list[str]) -> None:
        if new.extra:
            lost.append("Extra (a Q/A text source has no place for it; convert it to Markdown to keep it)")
        if question:
            first = self.line(card.span.line)
            marker = QUESTION.match(first)
            prefix = first[: marker.start("text")] if marker else f"Q{card.number}. "
            last = (card.answer_span.line - 1) if card.answer_span else card.end
            while last > card.span.line and not self.line(last).strip():
                last -= 1
            self.edits.append((card.span.line, last, [_spaced(prefix) + convert.text_inlines(new.question, lost)]))
        if answer and card.answer_span is not None:
            first = self.line(card.answer_span.line)
            marker = ANSWER.match(first)
            prefix = first[: marker.start("text")] if marker else f"A{card.number}. "
            lines = convert.text_blocks(new.answer, _spaced(prefix), self.bullet(card), lost)
            self.edits.append((card.answer_span.line, card.end, lines))

    def bullet(self, card: Card | None) -> str:
        """The bullet this source writes (indent, mark, space): the card's own, else the file's."""
        ranges = [range(card.answer_span.line, card.end + 1)] if card and card.answer_span else []
        ranges.append(range(1, len(self.lines) + 1))
        for numbers in ranges:
            for n in numbers:
                found = BULLET.match(self.line(n))
                if found and found["num"] is None:
                    return f"{found['indent']}{found['mark']} "
        return "• "

    # -- new cards ------------------------------------------------------------------------
    def append(self, cards: list[Card], section: str, lost: list[str]) -> None:
        """Add cards (read from Anki notes) at the end of `section`, or in a new section at the
        end of the document when there is no such section."""
        self.check_writable()
        deck = self.deck
        target = next((s for s in deck.sections if s.title == section), None) or \
            next((s for s in deck.sections if s.title.casefold() == section.casefold()), None)
        numbers = [c.number for c in deck.cards if c.number is not None]
        next_number = max(numbers, default=0) + 1
        block: list[str] = []
        if target is None or (not target.cards and target.span is None):
            after = max((c.end for c in deck.cards), default=len(self.lines))
            if section:
                block += ["", f"## {convert.title_heading(section)}" if self.markdown else section]
        elif target.cards:
            after = target.cards[-1].end
        else:
            after = target.span.line
        for card in cards:
            number = None if self.markdown else next_number
            block += ["", *self.render_card(card, lost, number)]
            next_number += 1
        self.edits.append((after + 1, after, block))


def _spaced(prefix: str) -> str:
    return prefix if prefix.endswith((" ", "\t")) else prefix + " "


# -- writing: all of them or none, and a journal to finish what a kill interrupted -------------
def write_all(writes: list[tuple[Path, bytes, bytes | None, str]]) -> None:
    """Replace each (path, new bytes, bytes it must still hold or None, display) at once, or none.
    A failure before the journal is whole leaves nothing behind; one after it leaves the journal
    and the files still to rename, for the next pull to finish."""
    if not writes:
        return
    staged: list[tuple[Path, Path, str]] = []  # temp, target, display
    journal = writes[0][0].parent / JOURNAL
    journal_display = str(Path(writes[0][3]).with_name(JOURNAL))
    made_journal = committed = False
    display, done = writes[0][3], 0
    try:
        for path, _, expected, display in writes:
            if _read(path) != expected:
                raise PatchError(f"{display}: changed on disk while pulling; nothing written (run pull again)")
        for path, data, _, display in writes:
            temp = path.with_name(f".{path.name}{PULL_TEMP}{os.getpid()}")
            handle = open(temp, "xb")  # never another pull's file: only what this one made is removed
            staged.append((temp, path, display))
            with handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o777)
        display = journal_display
        record = {"pid": os.getpid(), "files": [
            {"path": os.path.relpath(path, journal.parent), "temp": os.path.relpath(temp, journal.parent),
             "display": shown, "old": _digest(expected), "new": _digest(data)}
            for (temp, path, shown), (_, data, expected, _) in zip(staged, writes, strict=True)]}
        try:
            handle = open(journal, "x", encoding="utf-8")
        except FileExistsError:
            raise PatchError(f"{journal_display}: another `deckgen pull --write` is writing here "
                             f"(or one was interrupted: run pull again); nothing written") from None
        made_journal = True
        with handle:
            handle.write(json.dumps(record, ensure_ascii=False, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        _sync_folder(journal.parent)
        committed = True
        for temp, path, shown in staged:
            display = shown
            os.replace(temp, path)
            done += 1
        for folder in {path.parent for _, path, _ in staged}:
            _sync_folder(folder)
        with contextlib.suppress(OSError):  # all renamed: a journal left over is removed by the next pull
            journal.unlink()
    except OSError as err:
        if committed:
            raise PatchError(f"{display}: cannot write: {_reason(err)}; stopped after {done} of {len(staged)} "
                             f"file(s): the next `deckgen pull` finishes writing them ({journal_display})") from err
        raise PatchError(f"{display}: cannot write: {_reason(err)}; nothing written") from err
    finally:
        if not committed:
            for temp, _, _ in staged:
                with contextlib.suppress(OSError):
                    temp.unlink()
            if made_journal:
                with contextlib.suppress(OSError):
                    journal.unlink()


def recover(places: list[Path], cwd: Path) -> list[str]:
    """Finish what an interrupted `write_all` left where the sources are (a folder of them and
    its subfolders, or a source file's own folder): a whole journal's renames are completed, a
    dead pull's temporary files without one are removed. Returns what was done."""
    found: set[Path] = set()
    for place in places:
        if place.is_dir():
            found.update(place.rglob(".*deckgen-pull-*"))  # temporary files and journals
        elif place.parent.is_dir():
            found.update(place.parent.glob(".*deckgen-pull-*"))
    messages: list[str] = []
    for journal in sorted(p for p in found if p.name == JOURNAL):
        messages += _finish(journal, os.path.relpath(journal, cwd), cwd)
    for temp in sorted(p for p in found if p.name != JOURNAL):
        pid = temp.name.rpartition(PULL_TEMP)[2]
        if temp.exists() and pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                temp.unlink()
                messages.append(f"{os.path.relpath(temp, cwd)}: removed (left by an interrupted pull)")
    return messages


def _finish(journal: Path, shown: str, cwd: Path) -> list[str]:
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pid = int(record["pid"])
        files = [(journal.parent / f["path"], journal.parent / f["temp"], str(f["display"]), f["old"], f["new"])
                 for f in record["files"]]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # written only in part: that pull died before renaming anything, and its files go below
        with contextlib.suppress(OSError):
            journal.unlink()
        return [f"{shown}: removed (an interrupted pull that had written nothing)"]
    except OSError as err:
        raise PatchError(f"{shown}: cannot read: {_reason(err)}") from err
    if _running(pid):
        raise PatchError(f"{shown}: another `deckgen pull --write` (process {pid}) is writing these files; "
                         f"try again when it has finished")
    todo = []
    for path, temp, display, old, new in files:
        now = _digest(_read(path))
        if now == new:
            continue
        if now != old or _digest(_read(temp)) != new:
            raise PatchError(f"{display}: changed since an interrupted `deckgen pull --write` ({shown}); "
                             f"compare it with {os.path.relpath(temp, cwd)} if it is there, then delete {shown}")
        todo.append((temp, path, display))
    try:
        for temp, path, _ in todo:
            os.replace(temp, path)
        for _, temp, _, _, _ in files:
            temp.unlink(missing_ok=True)
        _sync_folder(journal.parent)
        journal.unlink()
    except OSError as err:
        raise PatchError(f"{shown}: cannot finish an interrupted `deckgen pull --write`: {_reason(err)}") from err
    wrote = ", ".join(display for _, _, display in todo) or "nothing left to write"
    return [f"{shown}: finished an interrupted `deckgen pull --write`: {wrote}"]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _sync_folder(folder: Path) -> None:
    """Make renames and new names in `folder` durable (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _running(pid: int) -> bool:
    """Whether another process with this id is alive (this one is not writing while it recovers)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True


def _reason(err: OSError) -> str:
    return "the disk is full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else (err.strerror or str(err))
