"""`deckgen pull`: edits made in Anki come back into the sources.

A note is matched to a card by its GUID (the card's id). The ids file says what deckgen built for
each card (the hash of the card's record, what its note is made from) and when (the note's
modification time), so:

- a note newer than the last build whose fields differ from what was built was edited in Anki;
- a card whose content hash differs from the ids file was edited in the source;
- both at once is a conflict: shown, and resolved only by --ours or --theirs;
- a note of deckgen's note type that no card has was added in Anki (appended with --add);
- a card with no note in the package is listed and never removed.

Nothing is written unless asked, and then every changed file at once or none (patch.write_all; a
pull killed half-way is finished by the next one). Two notes claiming one GUID are both named and
neither is pulled: which one Anki would keep is not for deckgen to guess.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from deckgen import identity
from deckgen.ankifiles import AnkiFileError, AnkiNote, ReadLimits, read_notes
from deckgen.config import Settings
from deckgen.errors import DeckgenError, SourceError
from deckgen.fromanki import read_field
from deckgen.journal import PatchError, recover, write_all
from deckgen.model import Card, StudyCard
from deckgen.patch import SourceText
from deckgen.plan import Identity, identify
from deckgen.pullrules import (  # noqa: F401 - the per-card rules, importable from here as before
    CLOZE_CONTENT,
    CONTENT_FIELDS,
    DERIVED_FIELDS,
    Classified,
    Verdict,
    _content,
    _edited_in_anki,
    _from_note,
    _is_cloze,
    _same_records,
    classify,
    first_words,
    holds,
    is_deckgen_fields,
    is_deckgen_note,
)
from deckgen.readers import decode_source
from deckgen.sources import SourceJob, discover, read_deck, refuse_errors

MAX_LISTED = 20  # notes added in Anki named one by one; the rest are counted


class PullConflict(DeckgenError):
    """Raised by `apply` when conflicts are open: nothing is written until they are resolved."""


@dataclass
class Pulled:
    """A card whose note was changed (or added) in Anki, with what goes into the source."""

    note: AnkiNote
    card: Card  # the card as the source will hold it
    lost: list[str]
    old_id: str = ""  # "" for a note added in Anki


@dataclass
class SourcePull:
    job: SourceJob
    text: SourceText
    raw: bytes
    found: Identity
    pulled: list[Pulled] = field(default_factory=list)
    added: list[Pulled] = field(default_factory=list)
    missing: list[StudyCard] = field(default_factory=list)
    kept: list[AnkiNote] = field(default_factory=list)  # notes of cards that left the source
    new_text: str = ""
    new_ids: identity.IdsFile | None = None


@dataclass
class PullResult:
    """What a pull found and would write: diffs to show, messages to say, files to replace."""

    diffs: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    writes: list[tuple[Path, bytes, bytes | None, str]] = field(default_factory=list)
    # cards changed on both sides where the source won (--ours): card id -> the Anki note's time,
    # which the rebuilt note must be newer than to replace it on import
    ours: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.writes)


def pull(package: Path, display: str, settings: Settings, cwd: Path, env: dict[str, str],
         resolve: str | None = None, add: bool = False) -> PullResult:
    """Compare the notes in `package` with the sources; nothing is written here (except to
    finish a `--write` that was interrupted, which the messages say)."""
    result = PullResult()
    read = read_notes(package, display, ReadLimits.from_settings(settings), wanted=is_deckgen_fields)
    if not read.notes:
        raise AnkiFileError(
            f"{display}: no notes of deckgen's note type in it ({read.others} other note(s)); "
            f"export the deck that deckgen built, with its note type"
        )
    sources = load_sources(settings, cwd, env, result)
    compare(read.notes, read.others, display, sources, settings, env, resolve, add, result)
    for source in sources:
        for note in source.kept:
            result.messages.append(f"{source.job.display}: kept in Anki (its card left the source): "
                                   f"“{first_words(note)}” (note {note.guid})")
    return result


def load_sources(settings: Settings, cwd: Path, env: dict[str, str], result: PullResult) -> list[SourcePull]:
    """Every source as a pull reads it (its text, deck and identities), after finishing a
    `--write` that was interrupted (which `result`'s messages then say)."""
    result.messages += recover([cwd / raw for raw in settings.sources], cwd)  # where a --write left a journal
    return [_load(job, settings, env) for job in discover(settings.sources, cwd)]


def compare(ours: list[AnkiNote], others: int, display: str, sources: list[SourcePull], settings: Settings,
            env: dict[str, str], resolve: str | None, add: bool, result: PullResult) -> None:
    """Compare Anki's notes of deckgen's note types (`ours`, from `display`) with the sources:
    each source learns what was pulled, added and kept, and `result` what would be written."""
    by_guid, twins = _by_guid(ours)
    said = {guid: _twins(guid, notes, display) for guid, notes in twins.items()}
    claimed: set[str] = set()
    for source in sources:
        own = settings.for_source(source.job.display)
        claimed |= _compare_source(source, ours, by_guid, twins, said, own, env, resolve, add, result)
    ignored = others + len([n for n in ours if n.guid not in claimed])
    if ignored:
        result.messages.append(f"{display}: {ignored} note(s) of other note types or decks ignored")


def _by_guid(ours: list[AnkiNote]) -> tuple[dict[str, AnkiNote], dict[str, list[AnkiNote]]]:
    """Anki's notes by GUID: those alone with theirs, and those sharing one (twins, in order)."""
    by_guid: dict[str, AnkiNote] = {}
    twins: dict[str, list[AnkiNote]] = {}  # a GUID two or more notes claim
    for note in ours:
        if note.guid in by_guid or note.guid in twins:
            twins.setdefault(note.guid, [by_guid.pop(note.guid)] if note.guid in by_guid else []).append(note)
        else:
            by_guid[note.guid] = note
    return by_guid, twins


def _compare_source(source: SourcePull, ours: list[AnkiNote], by_guid: dict[str, AnkiNote],
                    twins: dict[str, list[AnkiNote]], said: dict[str, str], own: Settings,
                    env: dict[str, str], resolve: str | None, add: bool, result: PullResult) -> set[str]:
    """Compare one source with Anki's notes (if any is in its deck or has one of its ids): its
    cards, the notes kept from cards that left it and the notes added in Anki. The GUIDs it
    claims, which are not counted as ignored."""
    in_deck = [n for n in ours if _in_deck(n, source.found.deck_name)]
    known = {e.id for e in source.found.previous.entries} | set(source.found.assignment.ids)
    claimed = known & (set(by_guid) | set(twins))
    if not in_deck and not claimed:
        return claimed
    _compare(source, by_guid, said, resolve, result)
    source.kept = _kept(source, in_deck, known, twins)
    kept = {n.guid for n in source.kept}
    added = _added_in_anki(source, [n for n in in_deck if n.guid not in known and n.guid not in kept],
                           twins, said, add, own, result)
    _finish(source, own, env, result)
    return claimed | kept | added


def _added_in_anki(source: SourcePull, notes: list[AnkiNote], twins: dict[str, list[AnkiNote]],
                   said: dict[str, str], add: bool, own: Settings, result: PullResult) -> set[str]:
    """The notes added in Anki to the source's deck (`notes`: no card has or had their GUID): a
    GUID two notes claim is warned about, the others are listed, or appended with --add. Their
    GUIDs."""
    for guid in dict.fromkeys(n.guid for n in notes if n.guid in twins):
        result.warnings.append(f"{source.job.display}: {said[guid]}")
    _added(source, [n for n in notes if n.guid not in twins], add, own, result)
    return {n.guid for n in notes}


def _kept(source: SourcePull, in_deck: list[AnkiNote], known: set[str],
          twins: dict[str, list[AnkiNote]]) -> list[AnkiNote]:
    """The notes in the source's deck whose card left the source. A note deckgen built (its Id
    field holds its GUID) whose card is gone was kept, not added; a copy made in Anki has another
    GUID than its Id says."""
    current = set(source.found.assignment.ids)
    return [n for n in in_deck if n.guid not in current and n.guid not in twins
            and (n.guid in known or n.fields.get("Id", "").strip() == n.guid)]


def _twins(guid: str, notes: list[AnkiNote], display: str) -> str:
    named = ", ".join(f"note {n.note_id} “{first_words(n)}”" for n in notes)
    return (f"{len(notes)} notes in {display} have the id {guid} ({named}); neither is pulled "
            f"(keep one in Anki, export again)")


def _load(job: SourceJob, settings: Settings, env: dict[str, str]) -> SourcePull:
    own = settings.for_source(job.display)
    try:
        raw = job.path.read_bytes()
    except OSError as err:
        raise SourceError(f"{job.display}: cannot read: {err.strerror}") from err
    text = decode_source(raw, job.path, job.display)
    deck = read_deck(job, own, text)
    refuse_errors(deck, own, f"{job.display}: fix these errors before pulling into it")
    lines = SourceText.parse(text, job.display, deck, bom=raw.startswith(codecs.BOM_UTF8))
    return SourcePull(job, lines, raw, identify(job, deck, own, env))


def _in_deck(note: AnkiNote, deck_name: str) -> bool:
    return note.deck == deck_name or note.deck.startswith(deck_name + "::")


def _compare(source: SourcePull, by_guid: dict[str, AnkiNote], twins: dict[str, str],
             resolve: str | None, result: PullResult) -> None:
    """Act on each card's verdict: warn, list, count, show the conflict or pull the note."""
    found, display = source.found, source.job.display
    stale = 0
    for studied in found.studied.cards:
        classified = classify(found, studied, by_guid, twins, resolve)
        verdict, card, lost = classified.verdict, classified.card, classified.lost
        label = f"{display}: {studied.card.label} ({studied.id})"
        if verdict is Verdict.TWIN:
            result.warnings.append(f"{display}: {studied.card.label}: {twins[studied.id]}")
        elif verdict is Verdict.MISSING:
            source.missing.append(studied)
        elif verdict is Verdict.STALE:
            stale += 1
        elif verdict is Verdict.LOST_ONLY:
            result.warnings.append(f"{label}: Anki's edit only changed what a source cannot hold "
                                   f"({', '.join(sorted(set(lost)))}); nothing to pull")
        elif verdict is Verdict.OURS:
            result.messages.append(f"{label}: changed on both sides; the source wins (--ours)")
            result.ours[studied.id] = classified.note.modified
        elif verdict is Verdict.CONFLICT:
            result.conflicts.append(_conflict_diff(source, studied, card))
        elif verdict is Verdict.PULLED:
            if classified.ignored:
                result.warnings.append(f"{label}: edits to {', '.join(classified.ignored)} are not pulled "
                                       f"(deckgen derives these fields)")
            source.pulled.append(Pulled(classified.note, card, lost, studied.id))
    if stale:
        result.messages.append(
            f"{display}: {stale} note(s) differ but are not newer than the last build; not pulled "
            f"(this collection has not imported the latest build)")


def _conflict_diff(source: SourcePull, studied: StudyCard, theirs: Card) -> str:
    card = studied.card
    mine = source.text.card_lines(card)
    other = source.text.render_card(theirs, [])
    heading = f"conflict: {source.job.display}: {card.label} changed in the source and in Anki since the last build"
    diff = difflib.unified_diff(mine, other, f"{source.job.display}:{card.span.line} (source)",
                                f"Anki note {studied.id}", lineterm="")
    return heading + "\n" + "\n".join(diff)


def _added(source: SourcePull, notes: list[AnkiNote], add: bool, settings: Settings,
           result: PullResult) -> None:
    if not notes:
        return
    display = source.job.display
    if not add:
        for note in notes[:MAX_LISTED]:
            result.messages.append(f"{display}: added in Anki: “{first_words(note)}” (note {note.guid}); "
                                   f"--add appends it")
        if len(notes) > MAX_LISTED:
            result.messages.append(f"{display}: and {len(notes) - MAX_LISTED:,} more added in Anki; "
                                   f"--add appends them")
        return
    groups: dict[str, list[Pulled]] = {}
    for note in notes:
        section = note.fields.get("Section", "").strip() or note.deck.removeprefix(source.found.deck_name).lstrip(":")
        section = read_field(section).inlines
        title = "".join(r.text for r in section)
        base = Card(number=None, question=(), answer=(), section=title, span=source.text.deck.cards[0].span)
        card, lost = _from_note(note, base)
        pulled = Pulled(note, card, lost)
        source.added.append(pulled)
        groups.setdefault(title, []).append(pulled)
    for title, members in groups.items():
        lost: list[str] = []
        source.text.append([p.card for p in members], title, lost)
        members[0].lost.extend(lost)


def _finish(source: SourcePull, settings: Settings, env: dict[str, str], result: PullResult) -> None:
    """Patch the source, read it back, and work out its new ids file."""
    display = source.job.display
    for missing in source.missing:
        result.messages.append(f"{display}: {missing.card.label} ({missing.id}) is not in this package "
                               f"(deleted in Anki, or moved to another deck); left in the source")
    if not source.pulled and not source.added:
        return
    lost_by_card = _rewrite(source)
    deck = read_deck(source.job, settings, source.new_text)
    refuse_errors(deck, settings, f"{display}: the pulled source would not read back; nothing written")
    after = _identify_after(source, deck, settings, env)
    fresh, changed = _read_back(source, after, lost_by_card, result)
    source.new_ids = _new_ids(source.found.previous, after, fresh)
    _propose_writes(source, changed, result)


def _rewrite(source: SourcePull) -> dict[str, list[str]]:
    """Write each pulled card into the source's text (its new text, `source.new_text`; added
    notes were appended by `_added`). What each pulled card's note held that the source cannot,
    by the card's id."""
    text = source.text
    lost_by_card: dict[str, list[str]] = {}
    for pulled in source.pulled:
        old = next(c for c in source.found.studied.cards if c.id == pulled.old_id).card
        lost = list(pulled.lost)
        text.rewrite(old, pulled.card, pulled.card.question != old.question,
                     (pulled.card.answer, pulled.card.extra) != (old.answer, old.extra), lost)
        lost_by_card[pulled.old_id] = lost
    source.new_text = text.text()
    return lost_by_card


def _identify_after(source: SourcePull, deck, settings: Settings, env: dict[str, str]) -> Identity:
    """The identities of the source as read back (`deck`), from the ids file as it will be:
    pulled cards under their new question, added notes by GUID."""
    previous = source.found.previous
    questions = {p.old_id: p.card.question_text for p in source.pulled}
    entries = [dataclasses.replace(e, question=questions.get(e.id, e.question)) for e in previous.entries]
    entries += [identity.Entry(p.note.guid, p.card.question_text, "", 0, p.card.kind) for p in source.added]
    hinted = dataclasses.replace(previous, entries=tuple(entries))
    return identify(source.job, deck, settings, env, previous=hinted)


def _read_back(source: SourcePull, after: Identity, lost_by_card: dict[str, list[str]],
               result: PullResult) -> tuple[dict[str, identity.Entry], int]:
    """Each pulled and added note's card as the source reads back (`after`): its new ids entry
    (by GUID), and how many cards changed; a card that lost something, or reads back otherwise
    than Anki's note, is warned about."""
    display = source.job.display
    by_id_before = {c.id: c.card for c in source.found.studied.cards}
    by_id = {c.id: c for c in after.studied.cards}
    fresh: dict[str, identity.Entry] = {}
    changed = 0
    for pulled in [*source.pulled, *source.added]:
        guid = pulled.note.guid
        card = by_id.get(guid)
        if card is None:
            raise PatchError(f"{display}: the card pulled from note {guid} was not found on reading the "
                             f"source back; nothing written")
        # a note added in Anki lacks what deckgen derives (its Id, Section): one second newer, the
        # next import fills them in; a pulled note is as Anki holds it
        modified = pulled.note.modified + (not pulled.old_id)
        fresh[guid] = identity.Entry(guid, card.card.question_text, after.hashes[guid], modified, card.card.kind)
        before = by_id_before.get(pulled.old_id)
        changed += before is None or not _same_records(before, card.card)
        lost = sorted(set(lost_by_card.get(pulled.old_id, pulled.lost)))
        label = f"{display}: {card.card.label} ({guid})"
        if lost:
            result.warnings.append(f"{label}: not pulled, the source cannot hold it: {', '.join(lost)}")
        elif not _same_records(card.card, pulled.card):
            result.warnings.append(f"{label}: reads back from the source differently from Anki's note; "
                                   f"check it in the diff")
    return fresh, changed


def _propose_writes(source: SourcePull, changed: int, result: PullResult) -> None:
    """If the source's text changed: say how many cards, show the diff, and queue the source and
    its ids file to be written."""
    display, text = source.job.display, source.text
    original = "".join(text.lines)
    if source.new_text == original:
        return
    result.messages.append(
        f"{display}: {changed - len(source.added)} card(s) changed in Anki"
        + (f", {len(source.added)} added in Anki" if source.added else ""))
    diff = difflib.unified_diff(original.splitlines(keepends=True), source.new_text.splitlines(keepends=True),
                                f"a/{display}", f"b/{display}")
    result.diffs.append("".join(diff))
    data = ("\ufeff" if text.bom else "") + source.new_text
    result.writes.append((source.job.path, data.encode("utf-8"), source.raw, display))
    ids_bytes = identity.dump(source.new_ids).encode("utf-8")
    current_ids = source.found.ids_path.read_bytes() if source.found.ids_path.exists() else None
    result.writes.append((source.found.ids_path, ids_bytes, current_ids, source.found.ids_display))


def _new_ids(previous: identity.IdsFile, after: Identity, fresh: dict[str, identity.Entry]) -> identity.IdsFile:
    """The ids file with the pulled cards' entries replaced and added cards placed after the card
    before them; every other entry as it was (the next build deals with the source's own edits)."""
    entries = [fresh.get(e.id, e) for e in previous.entries]
    order = [c.id for c in after.studied.cards]
    for guid in order:
        if guid in fresh and guid not in {e.id for e in previous.entries}:
            before = order[: order.index(guid)]
            place = max((i + 1 for i, e in enumerate(entries) if e.id in before), default=len(entries))
            entries.insert(place, fresh[guid])
    return dataclasses.replace(previous, entries=tuple(entries))


def apply(result: PullResult) -> None:
    """Write every changed source and ids file, or none (patch.write_all)."""
    if result.conflicts:
        raise PullConflict(f"{len(result.conflicts)} conflict(s) open; nothing written "
                           f"(resolve with --ours or --theirs)")
    write_all(result.writes)
