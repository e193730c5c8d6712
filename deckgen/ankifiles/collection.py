"""Notes out of an Anki file: find the collection inside a package, open a private copy of it,
and read every note with its note type's field names and its deck, in schema 11 or 18.

A package holds up to three collections. Anki 2.1.50+ writes the real one as
`collection.anki21b` (zstd-compressed, schema 18); "support older Anki versions" writes
`collection.anki21` (schema 11); both also carry a dummy `collection.anki2` with one note asking
to update Anki. Older packages hold only `collection.anki2`. They are read in that order.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import DeckgenError

PACKAGE_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")
SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_COLLECTION_BYTES = 4 << 30
KNOWN_SCHEMAS = (11, 18)


class AnkiFileError(DeckgenError):
    """Raised when a file given to `deckgen pull` is not an Anki package or collection that can be read."""


@dataclass(frozen=True)
class AnkiNote:
    """One note as the collection holds it: fields by name, its deck (`::` between levels)."""

    guid: str
    notetype: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    modified: int
    deck: str


def read_notes(path: Path, display: str) -> list[AnkiNote]:
    """Every note in an .apkg, .colpkg or collection file (a private copy is read)."""
    with _private_collection(path, display) as (db_path, member):
        return _query(db_path, f"{display}: {member}" if member else display)


@contextmanager
def _private_collection(path: Path, display: str):
    """A temporary SQLite file holding the collection, and the package member it came from."""
    if not path.is_file():
        raise AnkiFileError(f"{display}: no such file")
    with tempfile.TemporaryDirectory(prefix="deckgen-pull-") as tmp:
        copy = Path(tmp) / "collection.sqlite"
        head = path.open("rb").read(16)
        if head.startswith(SQLITE_MAGIC):
            shutil.copyfile(path, copy)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():  # Anki still open: take what it has not checkpointed yet
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            yield copy, ""
            return
        if not zipfile.is_zipfile(path):
            raise AnkiFileError(
                f"{display}: not an Anki package or collection (expected an .apkg or .colpkg "
                f"exported from Anki, or a profile's collection.anki2)"
            )
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                member = next((m for m in PACKAGE_MEMBERS if m in names), None)
                if member is None:
                    raise AnkiFileError(
                        f"{display}: a zip file without an Anki collection in it "
                        f"(no {', '.join(PACKAGE_MEMBERS)})"
                    )
                info = archive.getinfo(member)
                if info.file_size > MAX_COLLECTION_BYTES:
                    raise AnkiFileError(f"{display}: {member} is {info.file_size:,} bytes; too big to read")
                data = archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise AnkiFileError(f"{display}: the package is damaged: {err}") from err
        if data.startswith(ZSTD_MAGIC):
            data = _unzstd(data, f"{display}: {member}")
        copy.write_bytes(data)
        yield copy, member


def _unzstd(data: bytes, where: str) -> bytes:
    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(data) as reader:
            out = reader.read(MAX_COLLECTION_BYTES + 1)
    except zstandard.ZstdError as err:
        raise AnkiFileError(f"{where}: cannot be decompressed: {err}") from err
    if len(out) > MAX_COLLECTION_BYTES:
        raise AnkiFileError(f"{where}: too big to read")
    return out


def _unicase(a: str, b: str) -> int:
    """Anki's `unicase` collation (schema 18 declares it on deck and note type names)."""
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _query(db_path: Path, where: str) -> list[AnkiNote]:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise AnkiFileError(f"{where}: cannot open the collection: {err}") from err
    conn.create_collation("unicase", _unicase)
    try:
        row = conn.execute("SELECT ver FROM col").fetchone()
        if row is None:
            raise AnkiFileError(f"{where}: the collection has no header row (damaged?)")
        schema = int(row[0])
        if not KNOWN_SCHEMAS[0] <= schema <= KNOWN_SCHEMAS[-1]:
            raise AnkiFileError(
                f"{where}: collection schema {schema} is not one deckgen reads "
                f"(it reads {KNOWN_SCHEMAS[0]} to {KNOWN_SCHEMAS[-1]}); export from Anki again"
            )
        fields, decks = (_schema18 if schema >= 15 else _schema11)(conn)
        card_decks = dict(conn.execute("SELECT nid, did FROM cards ORDER BY ord DESC, id DESC"))
        notes = []
        for guid, mid, mod, tags, flds, nid in conn.execute(
            "SELECT guid, mid, mod, tags, flds, id FROM notes ORDER BY id"
        ):
            names, notetype = fields.get(mid, ((), ""))
            values = flds.split("\x1f")
            notes.append(AnkiNote(
                guid=guid, notetype=notetype,
                fields=dict(zip(names, values + [""] * (len(names) - len(values)), strict=False)),
                tags=tuple(tags.split()), modified=int(mod),
                deck=decks.get(card_decks.get(nid), ""),
            ))
        return notes
    except sqlite3.DatabaseError as err:
        raise AnkiFileError(f"{where}: the collection cannot be read (truncated or damaged?): {err}") from err
    except (ValueError, KeyError, TypeError) as err:
        raise AnkiFileError(f"{where}: the collection is not one Anki wrote: {err}") from err
    finally:
        conn.close()


def _schema11(conn: sqlite3.Connection):
    import json

    models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    models = json.loads(models_json or "{}")
    fields = {
        int(mid): (tuple(f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])), m["name"])
        for mid, m in models.items()
    }
    decks = {int(did): d["name"] for did, d in json.loads(decks_json or "{}").items()}
    return fields, decks


def _schema18(conn: sqlite3.Connection):
    names = dict(conn.execute("SELECT id, name FROM notetypes"))
    by_type: dict[int, list[tuple[int, str]]] = {}
    for ntid, ord_, name in conn.execute("SELECT ntid, ord, name FROM fields"):
        by_type.setdefault(ntid, []).append((ord_, name))
    fields = {
        ntid: (tuple(name for _, name in sorted(found)), names.get(ntid, ""))
        for ntid, found in by_type.items()
    }
    decks = {did: name.replace("\x1f", "::") for did, name in conn.execute("SELECT id, name FROM decks")}
    return fields, decks
