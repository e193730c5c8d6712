"""A private copy of the collection inside an Anki file, made within a byte budget.

The collection is streamed, never read whole: out of the zip member, through zstd when it is
compressed, into a temporary folder, counting bytes as they come (a zip header's sizes and a zstd
frame's can lie). A profile's collection file is copied the same way, with its WAL. The folder is
removed on every way out: an error, Ctrl-C, a full disk.

A package holds up to three collections. Anki 2.1.50+ writes the real one as
`collection.anki21b` (zstd-compressed, schema 18); "support older Anki versions" writes
`collection.anki21` (schema 11); both also carry a dummy `collection.anki2` with one note asking
to update Anki. Older packages hold only `collection.anki2`. They are read in that order.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from deckgen.errors import DeckgenError

if TYPE_CHECKING:
    from deckgen.config import Settings

PACKAGE_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")
SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CHUNK = 1 << 20
MAX_ZSTD_WINDOW = 1 << 27  # zstd's own default limit, said out loud: a frame may not ask for more


class AnkiFileError(DeckgenError):
    """Raised when a file given to `deckgen pull` is not an Anki package or collection that can be read
    within its limits (each message names the setting that would let it through)."""


@dataclass(frozen=True)
class ReadLimits:
    """How much of an untrusted Anki file is read before stopping (settings `max-package-bytes`,
    `max-package-rows`, `max-field-bytes`, `max-pull-seconds`)."""

    package_bytes: int = 1 << 30
    rows: int = 5_000_000
    field_bytes: int = 16 << 20
    seconds: float = 120

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(settings.max_package_bytes, settings.max_package_rows, settings.max_field_bytes,
                   settings.max_pull_seconds)


def _too_big(where: str, limits: ReadLimits, decompressed: bool) -> AnkiFileError:
    what = "once decompressed" if decompressed else "to copy"
    return AnkiFileError(f"{where}: more than {limits.package_bytes:,} bytes {what}; not read "
                         f"(setting 'max-package-bytes')")


def _reason(err: OSError) -> str:
    return "the disk is full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else (err.strerror or str(err))


class _NoRoom(Exception):
    """The private copy could not be written (a full disk, a quota): said as such, not as a damaged file."""

    def __init__(self, err: OSError):
        super().__init__(str(err))
        self.err = err


class _Sink:
    """The private copy being written: counts what goes in against the budget."""

    def __init__(self, handle: BinaryIO, budget: int, too_big):
        self.handle, self.left, self.too_big = handle, budget, too_big

    def pour(self, source: BinaryIO) -> None:
        while chunk := source.read(CHUNK):
            self.left -= len(chunk)
            if self.left < 0:
                raise self.too_big()
            view = memoryview(chunk)
            try:
                while view:
                    view = view[self.handle.write(view):]
            except OSError as err:
                raise _NoRoom(err) from err


def _create(dest: Path) -> BinaryIO:
    try:
        return open(dest, "xb", buffering=0)  # unbuffered: a full disk shows in write(), not at close
    except OSError as err:
        raise _NoRoom(err) from err


@contextmanager
def private_collection(path: Path, display: str, limits: ReadLimits) -> Iterator[tuple[Path, str]]:
    """A temporary SQLite file holding the collection, and the package member it came from
    ("" for a collection file). Nothing is left behind however this ends."""
    if not path.is_file():
        raise AnkiFileError(f"{display}: no such file")
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as err:
        raise AnkiFileError(f"{display}: cannot read: {err.strerror or err}") from err
    is_zip = not head.startswith(SQLITE_MAGIC) and zipfile.is_zipfile(path)
    if not head.startswith(SQLITE_MAGIC) and not is_zip:
        raise AnkiFileError(
            f"{display}: not an Anki package or collection (expected an .apkg or .colpkg "
            f"exported from Anki, or a profile's collection.anki2)"
        )
    where = tempfile.gettempdir()
    try:
        folder = Path(tempfile.mkdtemp(prefix="deckgen-pull-"))
    except OSError as err:
        raise AnkiFileError(f"{display}: cannot make a private copy of it in {where}: {_reason(err)}") from err
    try:
        copy = folder / "collection.sqlite"
        try:
            if is_zip:
                member = _unpack(path, display, copy, limits)
            else:
                _copy_collection(path, display, copy, limits)
                member = ""
        except _NoRoom as err:
            raise AnkiFileError(f"{display}: cannot make a private copy of it in {where}: "
                                f"{_reason(err.err)}") from err.err
        yield copy, member
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_collection(path: Path, display: str, copy: Path, limits: ReadLimits) -> None:
    """A profile's collection file, and its WAL when Anki is still open (what it has not
    checkpointed yet), within the budget together. A sparse file is refused by its size."""
    wal = path.with_name(path.name + "-wal")
    files = [(path, copy)] + ([(wal, copy.with_name(copy.name + "-wal"))] if wal.is_file() else [])
    try:
        if sum(src.stat().st_size for src, _ in files) > limits.package_bytes:
            raise _too_big(display, limits, decompressed=False)
        budget = limits.package_bytes
        for src, dest in files:
            with src.open("rb") as reader, _create(dest) as writer:
                sink = _Sink(writer, budget, lambda: _too_big(display, limits, decompressed=False))
                sink.pour(reader)
                budget = sink.left
    except OSError as err:
        raise AnkiFileError(f"{display}: cannot read: {err.strerror or err}") from err


def _unpack(path: Path, display: str, copy: Path, limits: ReadLimits) -> str:
    """The package's collection member, streamed (and decompressed) into `copy`; its name."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = next((m for m in PACKAGE_MEMBERS if m in names), None)
            if member is None:
                raise AnkiFileError(
                    f"{display}: a zip file without an Anki collection in it "
                    f"(no {', '.join(PACKAGE_MEMBERS)})"
                )
            where = f"{display}: {member}"
            info = archive.getinfo(member)
            if info.file_size > limits.package_bytes:
                raise _too_big(where, limits, decompressed=True)
            with archive.open(info) as head_reader:
                zstd = head_reader.read(4) == ZSTD_MAGIC
            with archive.open(info) as reader, _create(copy) as writer:
                sink = _Sink(writer, limits.package_bytes, lambda: _too_big(where, limits, decompressed=True))
                if zstd:
                    _unzstd(reader, sink, where)
                else:
                    sink.pour(reader)
            return member
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError, NotImplementedError) as err:
        raise AnkiFileError(f"{display}: the package is damaged: {err}") from err
    except OSError as err:
        raise AnkiFileError(f"{display}: the package is damaged: {err.strerror or err}") from err


def _unzstd(reader: BinaryIO, sink: _Sink, where: str) -> None:
    import zstandard

    try:
        decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW)
        with decompressor.stream_reader(reader, read_size=CHUNK, closefd=False) as stream:
            sink.pour(stream)
    except zstandard.ZstdError as err:
        raise AnkiFileError(f"{where}: cannot be decompressed: {err}") from err
