"""Notes out of an Anki file: a private copy of its collection (package.py), checked to be made of
plain tables, then every note read with its note type's field names and its deck, in schema 11
or 18, each query bounded (guard.py).

A collection is untrusted input: `notes` could be a view that never ends or pads a field to
gigabytes, a column could be computed, a row could hold NULL where Anki never writes one. Only
plain tables are read (no views, triggers, virtual tables or generated columns), and every value
is checked to be of the type Anki writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deckgen.ankifiles.guard import QueryGuard
from deckgen.ankifiles.package import AnkiFileError, ReadLimits, private_collection

KNOWN_SCHEMAS = (11, 18)
# the tables read, by schema: a crafted file could make any of them something else
TABLES = {11: ("col", "notes", "cards"), 18: ("col", "notes", "cards", "notetypes", "fields", "decks")}


@dataclass(frozen=True)
class AnkiNote:
    """One note as the collection holds it: fields by name, its deck (`::` between levels)."""

    guid: str
    notetype: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    modified: int
    deck: str
    note_id: int = 0  # the note's id in this collection (two notes may claim one GUID)


@dataclass(frozen=True)
class NotesRead:
    """The notes asked for, and how many others the collection holds (not read)."""

    notes: list[AnkiNote]
    others: int = 0


def read_notes(path: Path, display: str, limits: ReadLimits | None = None,
               wanted: Callable[[tuple[str, ...]], bool] | None = None) -> NotesRead:
    """The notes in an .apkg, .colpkg or collection file whose note type's field names `wanted`
    accepts (every note without it); a private copy is read, never the file itself."""
    limits = limits or ReadLimits()
    with private_collection(path, display, limits) as (db_path, member):
        return _query(db_path, f"{display}: {member}" if member else display, limits, wanted)


def _unicase(a: str, b: str) -> int:
    """Anki's `unicase` collation (schema 18 declares it on deck and note type names)."""
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _query(db_path: Path, where: str, limits: ReadLimits,
           wanted: Callable[[tuple[str, ...]], bool] | None) -> NotesRead:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise AnkiFileError(f"{where}: cannot open the collection: {err}") from err
    try:
        conn.create_collation("unicase", _unicase)
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")  # nothing of SQLite's own in TMPDIR
        with QueryGuard(conn, limits, where) as guard:
            return _read(guard, where, wanted)
    except sqlite3.Error as err:  # outside a guarded query: opening, pragmas
        raise AnkiFileError(f"{where}: the collection cannot be read (truncated or damaged?): {err}") from err
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as err:
        raise AnkiFileError(f"{where}: the collection is not one Anki wrote: {err}") from err
    finally:
        conn.close()


def _read(guard: QueryGuard, where: str, wanted: Callable[[tuple[str, ...]], bool] | None) -> NotesRead:
    schema_rows = list(guard.rows("SELECT type, name, rootpage FROM sqlite_master", "sqlite_master"))
    _plain_tables_only(schema_rows, where)
    row = guard.one("SELECT ver FROM col", "col")
    if row is None:
        raise AnkiFileError(f"{where}: the collection has no header row (damaged?)")
    schema = _integer(row[0], where, "the collection's schema version")
    if not KNOWN_SCHEMAS[0] <= schema <= KNOWN_SCHEMAS[-1]:
        raise AnkiFileError(
            f"{where}: collection schema {schema} is not one deckgen reads "
            f"(it reads {KNOWN_SCHEMAS[0]} to {KNOWN_SCHEMAS[-1]}); export from Anki again"
        )
    modern = schema >= 15
    _no_computed_columns(guard, TABLES[18 if modern else 11], where)
    fields, decks = (_schema18 if modern else _schema11)(guard, where)
    kept = {mid for mid, (names, _) in fields.items() if wanted is None or wanted(names)}
    # only the notes asked for have their fields read: a huge field elsewhere is never loaded
    chosen = f"mid IN ({', '.join(str(int(mid)) for mid in kept)})" if kept else "0"
    notes: list[tuple] = []
    others = 0
    for nid, guid, mid, mod, tags, flds in guard.rows(
        f"SELECT id, guid, mid, mod, CASE WHEN {chosen} THEN tags END, CASE WHEN {chosen} THEN flds END "
        f"FROM notes", "notes"  # no ORDER BY: SQLite would hold every row to sort them
    ):
        if mid not in kept:
            others += 1
            continue
        notes.append((_integer(nid, where, "a note's id"), guid, mid, mod, tags, flds))
    notes.sort(key=lambda row: row[0])
    ids = {row[0] for row in notes}
    card_decks: dict[int, tuple[int, int, int]] = {}  # note id -> (ord, card id, deck id) of its first card
    for nid, did, ord_, cid in guard.rows("SELECT nid, did, ord, id FROM cards", "cards"):
        if nid in ids and isinstance(ord_, int) and isinstance(cid, int):
            first = card_decks.get(nid)
            if first is None or (ord_, cid) < first[:2]:
                card_decks[nid] = (ord_, cid, did)
    read = []
    for nid, guid, mid, mod, tags, flds in notes:
        guard.check()
        note = f"note {nid}"
        names, notetype = fields[mid]
        values = _text(flds, where, f"{note}'s fields").split("\x1f")
        read.append(AnkiNote(
            guid=_text(guid, where, f"{note}'s guid"), notetype=notetype,
            fields=dict(zip(names, values + [""] * (len(names) - len(values)), strict=False)),
            tags=tuple(_text(tags, where, f"{note}'s tags").split()),
            modified=_integer(mod, where, f"{note}'s modification time"),
            deck=decks.get(card_decks.get(nid, (0, 0, None))[2], ""), note_id=nid,
        ))
    return NotesRead(read, others)


def _plain_tables_only(schema_rows: list[tuple], where: str) -> None:
    """Anki writes tables and indexes; anything that runs code when read is refused before any
    query touches it (a view named `notes` can recurse forever or make gigabytes of text)."""
    for kind, name, rootpage in schema_rows:
        virtual = kind == "table" and not rootpage  # a virtual table has no pages of its own
        if kind not in ("table", "index") or virtual:
            what = "a virtual table" if virtual else f"a {kind}"
            raise AnkiFileError(f"{where}: '{name}' is {what}; deckgen reads only collections made of plain "
                                f"tables, as Anki writes them (not read)")


def _no_computed_columns(guard: QueryGuard, tables: tuple[str, ...], where: str) -> None:
    for table in tables:
        # table_xinfo's `hidden`: 2 and 3 are generated columns, computed on every read
        for _cid, name, *_rest, hidden in guard.rows(f"PRAGMA table_xinfo('{table}')", table):
            if hidden in (2, 3):
                raise AnkiFileError(f"{where}: column '{name}' of '{table}' is computed, not stored; deckgen "
                                    f"reads only collections made of plain tables, as Anki writes them (not read)")


def _text(value: object, where: str, what: str) -> str:
    if not isinstance(value, str):
        shown = "NULL" if value is None else type(value).__name__
        raise AnkiFileError(f"{where}: {what} is {shown}, not text; not a collection Anki wrote")
    return value


def _integer(value: object, where: str, what: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if not isinstance(value, int):
        shown = "NULL" if value is None else type(value).__name__
        raise AnkiFileError(f"{where}: {what} is {shown}, not a whole number; not a collection Anki wrote")
    return value


def _schema11(guard: QueryGuard, where: str):
    import json

    row = guard.one("SELECT models, decks FROM col", "col")
    models_json, decks_json = row or ("{}", "{}")
    models, deck_table = json.loads(models_json or "{}"), json.loads(decks_json or "{}")
    if not isinstance(models, dict) or not isinstance(deck_table, dict):
        raise AnkiFileError(f"{where}: the note types or decks are not a JSON object; not a collection Anki wrote")
    fields = {
        int(mid): (tuple(f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])), m["name"])
        for mid, m in models.items()
    }
    decks = {int(did): _text(d["name"], where, f"deck {did}'s name") for did, d in deck_table.items()}
    for mid, (names, name) in fields.items():
        for text in (*names, name):
            _text(text, where, f"a name in note type {mid}")
    return fields, decks


def _schema18(guard: QueryGuard, where: str):
    names = {ntid: _text(name, where, f"note type {ntid}'s name")
             for ntid, name in guard.rows("SELECT id, name FROM notetypes", "notetypes")}
    by_type: dict[int, list[tuple[int, str]]] = {}
    for ntid, ord_, name in guard.rows("SELECT ntid, ord, name FROM fields", "fields"):
        by_type.setdefault(ntid, []).append((_integer(ord_, where, "a field's position"),
                                             _text(name, where, f"a field name of note type {ntid}")))
    fields = {
        ntid: (tuple(name for _, name in sorted(found)), names.get(ntid, ""))
        for ntid, found in by_type.items()
    }
    decks = {did: _text(name, where, f"deck {did}'s name").replace("\x1f", "::")
             for did, name in guard.rows("SELECT id, name FROM decks", "decks")}
    return fields, decks
