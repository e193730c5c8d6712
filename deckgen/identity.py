"""Stable card identity: the ids file kept beside each source, like a lock file.

`source/NAME.txt` gets `source/NAME.ids.json`: per card its id (which is also its Anki GUID and
its anchor in the handout), the question it was last seen with, a hash of the note's content and
the time that content last changed; likewise for the note type. Anki updates a note only when the
incoming modification time is newer, so an unchanged card keeps its time (the .apkg keeps its
bytes, and edits a user made inside Anki win) and a changed one gets a newer time.

A card's hash is of what its source says (its record: words, blocks, code and its language,
tags, kind; see `apkg.note_source`), never of what a library rendered from it, so a new Pygments
changes no hash and no time. Ids files before version 3 hashed the rendered fields; such a file is
taken over (`migrate`) where its hashes still hold, every time kept.

Cards are matched to entries by explicit id (Markdown), then by the same question, then by a
close question (a fixed typo, a reworded phrase), only ever to an entry of the card's kind; what
is left is new and gets an id derived from the deck and the question, so two people building the
same new card get the same id.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.errors import LockError
from deckgen.model import Card

# 2: each card's note type (kind); a note type per kind. 3: a card's hash is of its record, not
# of its rendered fields. 4: a place that deckgen counted (the source numbers nothing) is in no
# hash, so inserting a card changes no other. 1-3 are still read, and taken over by `migrate`.
FORMAT_VERSION = 4
READ_VERSIONS = (1, 2, 3, 4)
CLOSE_QUESTION = 0.75  # difflib ratio above which a question counts as the same one reworded
CLOSE_PAIRS = 250_000  # at most this many cards x free entries compared for reworded questions


@dataclass(frozen=True)
class Entry:
    id: str
    question: str
    hash: str
    modified: int
    kind: str = "basic"  # the card's note type: basic, reversed or cloze


@dataclass(frozen=True)
class IdsFile:
    notetypes: tuple[tuple[str, str, int], ...] = ()  # (kind, hash, modified), kinds in use
    entries: tuple[Entry, ...] = ()
    version: int = FORMAT_VERSION  # the format it was read in; it is always written in the newest

    def notetype(self, kind: str) -> tuple[str, int]:
        """The hash and time of a kind's note type ("", 0 when it was never built)."""
        return next(((h, m) for k, h, m in self.notetypes if k == kind), ("", 0))


@dataclass(frozen=True)
class Assignment:
    """The outcome of matching a deck against its ids file."""

    ids: tuple[str, ...]
    matched: dict[str, Entry]
    removed: tuple[Entry, ...]


def ids_path(source: Path) -> Path:
    return source.with_name(source.stem + ".ids.json")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip()


def record_hash(record: Any) -> str:
    """The hash of a record (dataclasses, tuples, dicts, text, numbers), from its canonical JSON:
    the same under any Python version and hash seed. A dataclass field at its default is left
    out, so a field added later (with a default) changes no existing hash."""
    text = json.dumps(_canonical(record), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_fields(record: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass's fields by name, but those at their default and those in `leave_out`."""
    out = {}
    for name, default in _fields_of(type(record))[0]:
        value = getattr(record, name)
        if name not in leave_out and (default is dataclasses.MISSING or value != default):
            out[name] = value
    return out


@functools.cache
def _fields_of(cls: type) -> tuple[tuple[tuple[str, Any], ...], str | None]:
    """A dataclass's fields with their defaults (MISSING: none), and its kind when that is a class
    constant rather than a field (a block's kind), worked out once per class."""
    fields = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        fields.append((f.name, default))
    kind = getattr(cls, "kind", None)
    constant = isinstance(kind, str) and not any(name == "kind" for name, _ in fields)
    return tuple(fields), kind if constant else None


def _canonical(value: Any) -> Any:
    if isinstance(value, str | int | float) or value is None:
        return value
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = _canonical(record_fields(value))
        kind = _fields_of(type(value))[1]
        if kind is not None:
            out["kind"] = kind  # a block's kind is a class constant, not a field
        return out
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    raise TypeError(f"cannot hash a {type(value).__name__} as a record")


def fields_hash(*parts: str) -> str:
    """A card's hash before ids file version 3: of its note's rendered fields and tags (which
    change with Pygments). Only to take over an older ids file."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:16]


def new_id(deck_key: str, question: str, occurrence: int) -> str:
    return hashlib.sha256(f"{deck_key}\x1f{_normal(question)}\x1f{occurrence}".encode()).hexdigest()[:12]


def load(path: Path, display: str) -> IdsFile:
    if not path.exists():
        return IdsFile()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data.get("deckgen-ids")
        if version not in READ_VERSIONS:
            raise ValueError(f"unsupported version {version!r}")
        if version == 1:
            notetype = data.get("notetype", {})
            notetypes = {"basic": notetype} if notetype.get("hash") else {}
        else:
            notetypes = data.get("notetypes", {})
        entries = tuple(
            Entry(str(e["id"]), str(e["question"]), str(e["hash"]), int(e["modified"]), str(e.get("type", "basic")))
            for e in data.get("cards", [])
        )
        kinds = tuple((str(k), str(v["hash"]), int(v["modified"])) for k, v in notetypes.items())
        return IdsFile(kinds, entries, version)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise LockError(
            f"{display}: cannot read the ids file: {err} (restore it from git, or delete it to "
            f"give every card a new identity)"
        ) from err


def dump(ids: IdsFile) -> str:
    """The ids file's text: one card per line, so diffs and merges stay readable."""
    lines = [
        "{",
        f'  "deckgen-ids": {FORMAT_VERSION},',
        '  "about": "Card identities for Anki updates; commit this file with the source.",',
        f'  "notetypes": {json.dumps({k: {"hash": h, "modified": m} for k, h, m in ids.notetypes})},',
        '  "cards": [',
    ]
    rows = [
        "    "
        + json.dumps(
            {"id": e.id, "modified": e.modified, "hash": e.hash, "question": e.question}
            | ({"type": e.kind} if e.kind != "basic" else {}),
            ensure_ascii=False,
        )
        for e in ids.entries
    ]
    lines.append(",\n".join(rows))
    lines += ["  ]", "}", ""]
    return "\n".join(line for line in lines if line != "")  + "\n"


def assign(cards: tuple[Card, ...], previous: IdsFile, deck_key: str) -> Assignment:
    """Give every card an id, reusing the ids file's entries wherever the card is the same one:
    four passes, each matching only the cards the ones before left without an id."""
    matching = _Matching(cards, [None] * len(cards), {}, {e.id: e for e in previous.entries})
    _match_explicit_ids(matching)
    _match_same_question(matching, previous.entries)
    _match_close_question(matching)
    _give_new_ids(matching, deck_key)
    removed = tuple(e for e in previous.entries if e.id in matching.free)
    return Assignment(tuple(i for i in matching.ids if i is not None), matching.matched, removed)


@dataclass
class _Matching:
    """Cards being matched to an ids file's entries: each card's id so far (None: none yet), the
    entries matched (by id) and those still free (by id, in the file's order)."""

    cards: tuple[Card, ...]
    ids: list[str | None]
    matched: dict[str, Entry]
    free: dict[str, Entry]

    def take(self, index: int, entry: Entry) -> None:
        self.ids[index] = entry.id
        self.matched[entry.id] = entry
        self.free.pop(entry.id, None)

    def fits(self, index: int, entry: Entry) -> bool:
        # Anki cannot move a note to another note type on import: a card that changed kind
        # is a new note, and the old one is reported as removed
        return entry.kind == self.cards[index].kind

    def unmatched(self) -> list[int]:
        return [i for i, card_id in enumerate(self.ids) if card_id is None]


def _match_explicit_ids(matching: _Matching) -> None:
    """Pass 1, explicit ids (Markdown), in the cards' order: a card naming an id that a free entry
    has takes that entry when it is of the card's kind (an entry of another kind leaves the card
    to the later passes); an id no free entry has is the card's as it is, matching nothing."""
    for i, card in enumerate(matching.cards):
        if not card.explicit_id:
            continue
        entry = matching.free.get(card.explicit_id)
        if entry is None:
            matching.ids[i] = card.explicit_id
        elif matching.fits(i, entry):
            matching.take(i, entry)


def _match_same_question(matching: _Matching, entries: tuple[Entry, ...]) -> None:
    """Pass 2, the same question: a card still without an id takes the first free entry of its
    kind (in the ids file's order) whose question is the card's, ignoring case and spacing."""
    by_question: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_question[_normal(entry.question)].append(entry)
    for i in matching.unmatched():
        for entry in by_question.get(_normal(matching.cards[i].question_text), []):
            if entry.id in matching.free and matching.fits(i, entry):
                matching.take(i, entry)
                break


def _match_close_question(matching: _Matching) -> None:
    """Pass 3, a reworded question (a fixed typo, a reworded phrase): each card still without an
    id and each free entry of its kind whose questions are alike (difflib ratio at least
    CLOSE_QUESTION, ignoring case and spacing) are a pair; pairs are taken best first (on a tie,
    the earlier card, then the lower id) while both are unmatched. Skipped when that would take
    more than CLOSE_PAIRS comparisons."""
    left = matching.unmatched()
    if not left or not matching.free or len(left) * len(matching.free) > CLOSE_PAIRS:
        return
    pairs = []
    for i in left:
        question = _normal(matching.cards[i].question_text)
        for entry in matching.free.values():
            ratio = _close_ratio(question, entry.question) if matching.fits(i, entry) else None
            if ratio is not None:
                pairs.append((-ratio, i, entry.id))
    for _, i, entry_id in sorted(pairs):
        if matching.ids[i] is None and entry_id in matching.free:
            matching.take(i, matching.free[entry_id])


def _close_ratio(question: str, other: str) -> float | None:
    """How alike a (normalised) question is to another question, or None below CLOSE_QUESTION."""
    matcher = difflib.SequenceMatcher(None, question, _normal(other))
    if matcher.quick_ratio() < CLOSE_QUESTION:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= CLOSE_QUESTION else None


def _give_new_ids(matching: _Matching, deck_key: str) -> None:
    """Pass 4, new cards: every card still without an id gets one derived from the deck and the
    card (`_new_key`), counting the cards of the same key in order and passing over any id in use
    or still free, so that two people building the same new card get the same id."""
    seen: dict[str, int] = defaultdict(int)
    taken = {i for i in matching.ids if i}
    for i in matching.unmatched():
        key = _new_key(matching.cards[i])
        while True:
            candidate = new_id(deck_key, key, seen[key])
            seen[key] += 1
            if candidate not in taken and candidate not in matching.free:
                break
        matching.ids[i] = candidate
        taken.add(candidate)


def _new_key(card: Card) -> str:
    """What a new card's id is derived from: its question (ignoring case and spacing), its kind
    unless basic, and the explicit id it asked for (taken by a note of another kind: the id moves
    on)."""
    key = _normal(card.question_text)
    if card.kind != "basic":
        key = f"{key}\x1f{card.kind}"
    if card.explicit_id:
        key = f"{key}\x1f{card.explicit_id}"
    return key


def migrate(
    previous: IdsFile, assignment: Assignment, hashes: dict[str, str], old_hashes: dict[str, str]
) -> tuple[IdsFile, Assignment]:
    """An ids file of an older format as the newest would hold it. An entry whose hash is what
    the old format gives for its card now (`old_hashes`, by card id) did not change: it takes the
    card's new hash (`hashes`) and keeps its time. Any other entry keeps its old hash, which no
    card has, so its card counts as changed and gets a new time. The assignment's matched entries
    are taken over likewise."""
    if previous.version >= FORMAT_VERSION:
        return previous, assignment
    taken = {
        e.id: dataclasses.replace(e, hash=hashes[e.id])
        for e in previous.entries
        if e.id in hashes and old_hashes.get(e.id) == e.hash
    }
    entries = tuple(taken.get(e.id, e) for e in previous.entries)
    matched = {key: taken.get(key, entry) for key, entry in assignment.matched.items()}
    return (dataclasses.replace(previous, entries=entries, version=FORMAT_VERSION),
            dataclasses.replace(assignment, matched=matched))


def update(
    previous: IdsFile,
    assignment: Assignment,
    questions: tuple[str, ...],
    hashes: tuple[str, ...],
    kinds: tuple[str, ...],
    notetype_hashes: dict[str, str],
    now: int,
) -> IdsFile:
    """The new ids file: unchanged notes keep their time, changed and new ones get `now`
    (or one second past their last time, so that it is always newer); likewise each note type
    in use (`notetype_hashes`, by kind)."""
    entries = []
    for card_id, question, digest, kind in zip(assignment.ids, questions, hashes, kinds, strict=True):
        old = assignment.matched.get(card_id)
        if old is not None and old.hash == digest:
            modified = old.modified
        else:
            modified = max(now, old.modified + 1) if old is not None else now
        entries.append(Entry(card_id, question, digest, modified, kind))
    notetypes = []
    for kind, digest in notetype_hashes.items():
        old_hash, old_modified = previous.notetype(kind)
        notetypes.append((kind, digest, old_modified if old_hash == digest else max(now, old_modified + 1)))
    return IdsFile(tuple(notetypes), tuple(entries))


def stale(previous: IdsFile, current: IdsFile) -> list[str]:
    """What differs between the committed ids file and the one this build needs."""
    problems = _card_changes(previous, current)
    problems += [f"the {kind} note type (fields, templates or CSS) changed"
                 for kind, digest, _ in current.notetypes if previous.notetype(kind)[0] != digest]
    if [e.id for e in previous.entries] != [e.id for e in current.entries] and not problems:
        problems.append("the cards are in another order")
    return problems


def _card_changes(previous: IdsFile, current: IdsFile) -> list[str]:
    """The cards that are new, changed (hash, question or kind) or removed, in that order."""
    old = {e.id: e for e in previous.entries}
    new = {e.id: e for e in current.entries}
    problems = [f"new card {e.id}: {e.question}" for e in current.entries if e.id not in old]
    problems += [
        f"changed card {e.id}: {e.question}"
        for e in current.entries
        if e.id in old and (old[e.id].hash, old[e.id].question, old[e.id].kind) != (e.hash, e.question, e.kind)
    ]
    problems += [f"removed card {e.id}: {e.question}" for e in previous.entries if e.id not in new]
    return problems
