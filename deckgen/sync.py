"""`deckgen sync`: both directions with the Anki a person has open, through AnkiConnect.

Anki to the sources: the notes of each source's deck are read with findNotes and notesInfo and
compared with the sources by the same rules as `deckgen pull` (pull.compare). notesInfo gives
neither a note's GUID nor its deck, so a note is matched by deckgen's own Id field (which holds
the GUID deckgen gave it) and its deck comes from its first card (getDecks).

The sources to Anki: the deck deckgen would build is compared with the notes: a card without a
note is added, a note that does not hold what was built and is older than the build is updated,
the rest are unchanged. A note of deckgen's note types whose card left the source is kept (and
listed every time) unless --delete is given.

Nothing is written or pushed without `write`. With it, sources first (all or nothing, as `pull
--write`), then the deck is rebuilt and pushed with importPackage (Anki's own importer, which
updates notes in place by GUID and keeps their reviews), then every note is read back: each must
hold what was built. The ids file then records each note's modification time, so the next sync
has nothing to do. A conflict stops everything unless --ours or --theirs chose.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from deckgen import identity
from deckgen.ankiconnect import (
    IMPORT_TIMEOUT,
    AnkiConnect,
    AnkiConnectError,
    InfoNote,
    search_deck,
    search_notetype,
)
from deckgen.ankifiles import AnkiNote, ReadLimits, read_notes
from deckgen.build import build
from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.formats import file_name
from deckgen.pull import (
    PullConflict,
    PullResult,
    SourcePull,
    apply,
    compare,
    first_words,
    holds,
    is_deckgen_fields,
    load_sources,
)
from deckgen.writers import write_atomic

NO_ID = "anki-note-"  # the GUID a note without deckgen's Id is known by until its real one is read


class SyncError(DeckgenError):
    """The deck could not be rebuilt or pushed, or Anki does not hold what was pushed."""


@dataclass
class Push:
    """What one source's deck sends to Anki."""

    display: str
    deck_name: str
    apkg: Path
    add: list[str] = field(default_factory=list)  # card ids
    update: list[str] = field(default_factory=list)
    unchanged: int = 0
    # cards in another deck than their card's (its section's subdeck): deck -> Anki card ids;
    # Anki's importer never moves a card, so they are moved with changeDeck
    move: dict[str, list[int]] = field(default_factory=dict)

    def line(self) -> str:
        moved = sum(len(cards) for cards in self.move.values())
        return (f"{self.display} -> Anki deck “{self.deck_name}”: add {len(self.add)}, "
                f"update {len(self.update)}, unchanged {self.unchanged}" + (f", move {moved}" if moved else ""))


@dataclass(frozen=True)
class Kept:
    """A note of deckgen's note types in a synced deck whose card left the source."""

    display: str
    note_id: int
    guid: str
    words: str


@dataclass
class SyncResult:
    pull: PullResult
    pushes: list[Push] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  # what --write did, one line each


def sync(client: AnkiConnect, settings: Settings, cwd: Path, env: dict[str, str],
         resolve: str | None = None, add: bool = False) -> SyncResult:
    """Compare Anki and the sources both ways; nothing is written or pushed here."""
    client.connect()
    pulled = PullResult()
    sources = load_sources(settings, cwd, env, pulled)
    notes, others, card_decks = _notes(client, sources, add)
    compare(notes, others, f"Anki ({client.url})", sources, settings, env, resolve, add, pulled)
    result = SyncResult(pulled)
    out = cwd / settings.out
    by_guid = {n.guid: n for n in notes}
    for source in sources:
        result.pushes.append(_push(source, by_guid, out, card_decks))
        result.kept += [Kept(source.job.display, n.note_id, n.guid, first_words(n)) for n in source.kept]
    return result


def write(client: AnkiConnect, result: SyncResult, settings: Settings, cwd: Path, env: dict[str, str],
          delete: bool = False) -> None:
    """Apply a sync: sources, rebuild, push, read back, record; `delete` also removes the notes
    whose cards left the source. A conflict left open raises before anything changes."""
    if result.pull.conflicts:
        raise PullConflict(f"{len(result.pull.conflicts)} conflict(s) open; nothing written or pushed "
                           f"(resolve with --ours or --theirs)")
    if result.pull.changed:
        apply(result.pull)
        result.done.append(f"wrote {', '.join(display for _, _, _, display in result.pull.writes)}")
    own = settings.replace(formats=("apkg",), locked=False)
    built = build(own, cwd, env)
    if _newer_than_anki(result.pull.ours, own, cwd, env):
        built = build(own, cwd, env)  # the notes the source won are now newer than Anki's
    if built.check.failed(own):
        raise SyncError("the sources do not build (run `deckgen check`); nothing pushed")
    failed = [o for o in built.outputs if not o.ok]
    if failed:
        raise SyncError(f"{failed[0].path}: {failed[0].error}; nothing pushed")
    again = sync(client, own, cwd, env)
    for push in again.pushes:
        if push.add or push.update:
            client.call("importPackage", timeout=IMPORT_TIMEOUT, path=str(push.apkg.resolve()))
            result.done.append(f"pushed {push.apkg.name}: {len(push.add)} added, {len(push.update)} updated")
        for deck, cards in push.move.items():
            client.call("changeDeck", cards=cards, deck=deck)
        if push.move:
            moved = sum(len(cards) for cards in push.move.values())
            result.done.append(f"moved {moved} card(s) of {push.display} to the decks the source names")
    if delete and result.kept:
        client.call("deleteNotes", notes=[k.note_id for k in result.kept])
        result.done.append(f"deleted {len(result.kept)} note(s) whose cards left the source")
    _record(client, own, cwd, env)


def _newer_than_anki(ours: dict[str, int], settings: Settings, cwd: Path, env: dict[str, str]) -> bool:
    """Give each card whose source won a conflict (--ours) a time newer than Anki's edit of its
    note, so that Anki's importer replaces the note (it takes only newer ones; an edit made in the
    same second as the build would otherwise stay). Whether an ids file changed."""
    changed = False
    for source in load_sources(settings, cwd, env, PullResult()):
        times = {e.id: ours[e.id] + 1 for e in source.found.current.entries if e.id in ours and e.modified <= ours[e.id]}
        changed |= _retime(source, times)
    return changed


def _retime(source: SourcePull, times: dict[str, int]) -> bool:
    """Write the source's ids file with these cards' times (by card id); whether it changed."""
    current = source.found.current
    entries = tuple(dataclasses.replace(e, modified=times.get(e.id, e.modified)) for e in current.entries)
    if entries == current.entries:
        return False
    data = identity.dump(dataclasses.replace(current, entries=entries)).encode("utf-8")
    write_atomic(source.found.ids_path, data, source.found.ids_display)
    return True


def _record(client: AnkiConnect, settings: Settings, cwd: Path, env: dict[str, str]) -> None:
    """Read every note back: it must hold what was built. Then the ids file takes each note's
    modification time, so that the next sync finds nothing newer on either side."""
    scratch = PullResult()
    sources = load_sources(settings, cwd, env, scratch)
    notes, _, _ = _notes(client, sources, False)
    by_guid = {n.guid: n for n in notes}
    for source in sources:
        found = source.found
        wrong = []
        times = {}
        for studied in found.studied.cards:
            note = by_guid.get(studied.id)
            entry = found.assignment.matched.get(studied.id)
            if note is None or not holds(note, studied, found.fields[studied.id]):
                if note is None or entry is None or note.modified <= entry.modified:
                    wrong.append(studied.card.label)
                continue
            times[studied.id] = note.modified
        if wrong:
            raise SyncError(f"{source.job.display}: after the push, Anki does not hold what was built for "
                            f"{', '.join(wrong[:10])}{' …' if len(wrong) > 10 else ''}")
        _retime(source, times)


def _notes(client: AnkiConnect, sources: list[SourcePull],
           add: bool) -> tuple[list[AnkiNote], int, dict[str, tuple[tuple[int, str], ...]]]:
    """The notes of deckgen's note types in the sources' decks (and of their note types anywhere),
    as a package would give them; how many other notes those decks hold; and by GUID each note's
    cards with their decks."""
    infos: dict[int, InfoNote] = {}
    # the sources' decks, and every note of their note types wherever it is (a card moved, or a
    # deck renamed by the deck-tree setting, is still its card's note)
    searches = [search_deck(name) for name in dict.fromkeys(s.found.deck_name for s in sources)]
    searches += [search_notetype(kind.name) for s in sources for kind in s.found.note_types.values()]
    for query in dict.fromkeys(searches):
        for info in client.notes(query):
            infos[info.note_id] = info
    ours = [i for i in infos.values() if is_deckgen_fields(tuple(i.fields))]
    decks = client.decks_of([card for i in ours for card in i.cards])
    guids = {i.note_id: i.fields.get("Id", "").strip() or f"{NO_ID}{i.note_id}" for i in ours}
    if add and any(g.startswith(NO_ID) for g in guids.values()):
        guids.update(_real_guids(client, sources, [i.note_id for i in ours if guids[i.note_id].startswith(NO_ID)]))
    notes = [AnkiNote(guids[i.note_id], i.notetype, dict(i.fields), i.tags, i.modified,
                      decks.get(i.cards[0], "") if i.cards else "", i.note_id) for i in ours]
    cards = {guids[i.note_id]: tuple((card, decks.get(card, "")) for card in i.cards) for i in ours}
    return notes, len(infos) - len(ours), cards


def _real_guids(client: AnkiConnect, sources: list[SourcePull], wanted: list[int]) -> dict[int, str]:
    """The GUIDs of notes added in Anki (AnkiConnect does not give them): the decks are exported
    with exportPackage to a folder on this machine and read back."""
    found: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="deckgen-sync-") as folder:
        for n, name in enumerate(dict.fromkeys(s.found.deck_name for s in sources)):
            path = Path(folder) / f"deck{n}.apkg"
            if not client.call("exportPackage", timeout=IMPORT_TIMEOUT, deck=name, path=str(path),
                               includeSched=False) or not path.exists():
                raise AnkiConnectError(f"AnkiConnect at {client.url} could not export the deck “{name}”, "
                                       f"which --add needs to learn the ids of notes added in Anki")
            read = read_notes(path, f"the export of “{name}”", ReadLimits(), wanted=is_deckgen_fields)
            found.update((n.note_id, n.guid) for n in read.notes if n.note_id in wanted)
    return found


def _push(source: SourcePull, by_guid: dict[str, AnkiNote], out: Path,
          card_decks: dict[str, tuple[tuple[int, str], ...]]) -> Push:
    found = source.found
    push = Push(source.job.display, found.deck_name, out / file_name(str(source.job.stem), "apkg"))
    times = {e.id: e.modified for e in found.current.entries}
    for section in found.studied.sections:
        deck = f"{found.deck_name}::{section.title.replace('::', ':')}" if section.title else found.deck_name
        for studied in section.cards:
            for card, where in card_decks.get(studied.id, ()):
                if studied.id in by_guid and where != deck:
                    push.move.setdefault(deck, []).append(card)
    for studied in found.studied.cards:
        note = by_guid.get(studied.id)
        if note is None:
            push.add.append(studied.id)
        elif not holds(note, studied, found.fields[studied.id]) and times[studied.id] > note.modified:
            push.update.append(studied.id)
        else:
            push.unchanged += 1
    return push
