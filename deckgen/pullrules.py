"""Pull's rules for one card: what Anki's note of a card holds, and what pull makes of it.

Contract: `classify(found, studied, by_guid, twins, resolve)` gives one card of a source (`studied`,
of the identified source `found`) its Verdict against Anki's notes (by GUID, the GUIDs two or more
notes claim, --ours/--theirs): missing, twin, kind mismatch, not built, unchanged, stale, source
ahead, as built, lost only, ours, conflict or pulled, with the note and the card as the note holds
it (`_from_note`: its content read back, and what of it a source cannot hold). `holds` says whether
a note holds what deckgen built for a card (sync uses it). The rules only read: they write no file,
add no message and keep no state; deckgen/pull.py acts on the verdicts. This module does not
import deckgen.pull (pull.py imports, and re-exports, these names).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field

from deckgen import identity
from deckgen.ankifiles import AnkiNote
from deckgen.fromanki import FieldContent, read_field
from deckgen.model import Card, StudyCard
from deckgen.plan import Identity
from deckgen.writers.apkg import CLOZE_FIELDS, NOTE_FIELDS

CONTENT_FIELDS = ("Question", "Answer", "Extra")
CLOZE_CONTENT = ("Text", "Extra")  # a cloze note's Text is the card's question, then its answer
DERIVED_FIELDS = ("Section", "Number", "Source", "Id")


def is_deckgen_note(note: AnkiNote) -> bool:
    """A note of one of deckgen's note types (Q&A, reversed, cloze), whatever its name now."""
    return is_deckgen_fields(tuple(note.fields))


def is_deckgen_fields(names: tuple[str, ...]) -> bool:
    """A note type with deckgen's fields (only its notes are read out of a package)."""
    return tuple(names) in (NOTE_FIELDS, CLOZE_FIELDS)


def _is_cloze(note: AnkiNote) -> bool:
    """A note of deckgen's cloze note type (its fields are Text, Extra and the derived ones)."""
    return tuple(note.fields) == CLOZE_FIELDS


def first_words(note: AnkiNote) -> str:
    """The start of a note's question as plain text, to name the note by."""
    question = read_field(_content(note)[0]).inlines
    return "".join(r.text for r in question)[:60]


def _content(note: AnkiNote) -> tuple[str, ...]:
    """The note's content fields (Question, Answer, Extra; a cloze's Text, Extra), as stored."""
    return tuple(note.fields.get(name, "") for name in (CLOZE_CONTENT if _is_cloze(note) else CONTENT_FIELDS))


class Verdict(enum.Enum):
    """What pull makes of one card of a source and Anki's note of it (`classify`)."""

    TWIN = "twin"  # two or more notes claim the card's id: neither is pulled (a warning)
    MISSING = "missing"  # no note has the card's id: listed, left in the source
    KIND_MISMATCH = "kind-mismatch"  # the note is of another kind (a kind change gives a new id)
    NOT_BUILT = "not-built"  # the ids file has no entry for the card: nothing built to compare with
    UNCHANGED = "unchanged"  # the note holds what was built, or reads back to the source's card
    STALE = "stale"  # differs, not newer than the last build: the collection lacks the last build
    SOURCE_AHEAD = "source-ahead"  # differs, not newer, the source changed: the next build updates it
    AS_BUILT = "as-built"  # the source changed and Anki holds what was built: the source wins
    LOST_ONLY = "lost-only"  # Anki's edit only changed what a source cannot hold: nothing to pull
    OURS = "ours"  # changed on both sides, --ours: the source wins
    CONFLICT = "conflict"  # changed on both sides: shown, resolved only by --ours or --theirs
    PULLED = "pulled"  # edited in Anki (with --theirs, also when the source changed): pulled


@dataclass
class Classified:
    """A card's verdict, with Anki's note and the card as that note holds it (where read)."""

    verdict: Verdict
    note: AnkiNote | None = None
    card: Card | None = None
    lost: list[str] = field(default_factory=list)  # what of the note the source cannot hold
    ignored: list[str] = field(default_factory=list)  # derived fields edited in Anki, not pulled


def classify(found: Identity, studied: StudyCard, by_guid: dict[str, AnkiNote], twins: dict[str, str],
             resolve: str | None) -> Classified:
    """Pull's rules for one card (`studied`, of the source `found`), given Anki's notes by GUID,
    the GUIDs two or more notes claim and --ours/--theirs (`resolve`)."""
    if studied.id in twins:
        return Classified(Verdict.TWIN)
    note = by_guid.get(studied.id)
    if note is None:
        return Classified(Verdict.MISSING)
    entry = found.assignment.matched.get(studied.id)
    built = found.fields[studied.id]
    if (studied.card.kind == "cloze") != _is_cloze(note):
        return Classified(Verdict.KIND_MISMATCH, note)
    if entry is None:
        return Classified(Verdict.NOT_BUILT, note)
    content = _content(note)
    if content == built[:len(content)]:
        return Classified(Verdict.UNCHANGED, note)
    if note.modified <= entry.modified:
        # not edited in Anki: the collection has not imported the last build, unless the
        # source changed since (then the next build updates the note)
        return Classified(Verdict.STALE if found.hashes[studied.id] == entry.hash else Verdict.SOURCE_AHEAD, note)
    return _edited_in_anki(found, studied, note, entry, built, resolve)


def _edited_in_anki(found: Identity, studied: StudyCard, note: AnkiNote, entry: identity.Entry,
                    built: tuple[str, ...], resolve: str | None) -> Classified:
    """`classify` for a note newer than the last build whose content differs from what was built."""
    source_changed = found.hashes[studied.id] != entry.hash
    card, lost = _from_note(note, studied.card)
    if source_changed and not lost and found.card_hash(dataclasses.replace(studied, card=card)) == entry.hash:
        return Classified(Verdict.AS_BUILT, note, card, lost)  # the source's edit wins on the next import
    names, anki = tuple(note.fields), tuple(note.fields.values())
    ignored = [name for name, mine, theirs in zip(names, built, anki, strict=True)
               if name in DERIVED_FIELDS and mine != theirs]
    if not source_changed and _same_records(card, studied.card):
        return Classified(Verdict.LOST_ONLY if lost else Verdict.UNCHANGED, note, card, lost)
    if source_changed and resolve != "theirs":
        return Classified(Verdict.OURS if resolve == "ours" else Verdict.CONFLICT, note, card, lost)
    return Classified(Verdict.PULLED, note, card, lost, [] if source_changed else ignored)


def _from_note(note: AnkiNote, base: Card) -> tuple[Card, list[str]]:
    """The card as Anki's note holds it, on the base card (its number, section, settings)."""
    if _is_cloze(note):  # the Text: the question's paragraph, then the answer's blocks
        text, extra = (read_field(note.fields.get(name, "")) for name in CLOZE_CONTENT)
        blocks = text.blocks
        first = blocks[0] if blocks and blocks[0].kind == "paragraph" else None
        question = FieldContent(blocks[:1] if first else (), text.lost)
        answer = FieldContent(blocks[1:] if first else blocks)
    else:
        question, answer, extra = (read_field(note.fields.get(name, "")) for name in CONTENT_FIELDS)
    lost = [*question.lost, *answer.lost, *extra.lost]
    if len([b for b in question.blocks]) > 1 or any(b.kind != "paragraph" for b in question.blocks):
        lost.append("paragraphs and lists in a question (joined into one line)")
    card = dataclasses.replace(base, question=question.inlines, answer=answer.blocks, extra=extra.blocks)
    return card, lost


def holds(note: AnkiNote, studied: StudyCard, built: tuple[str, ...]) -> bool:
    """Whether Anki's note holds what deckgen built for the card (`built`, its fields): the same
    content, or content that reads back to the same card (Anki's editor writes <b> where deckgen
    wrote <strong>), and the same derived fields but Number (a note imported before deckgen kept
    counted places out of it keeps its old one until its card changes)."""
    names = CLOZE_FIELDS if studied.card.kind == "cloze" else NOTE_FIELDS
    if tuple(note.fields) != names:
        return False
    wanted = dict(zip(names, built, strict=True))
    if any(note.fields[name] != wanted[name] for name in DERIVED_FIELDS if name != "Number"):
        return False
    content = _content(note)
    if content == tuple(wanted[name] for name in (CLOZE_CONTENT if _is_cloze(note) else CONTENT_FIELDS)):
        return True
    card, lost = _from_note(note, studied.card)
    return not lost and _same_records(card, studied.card)


def _same_records(a: Card, b: Card) -> bool:
    """Whether two cards hold the same question, answer and extra."""
    return (a.question, a.answer, a.extra) == (b.question, b.answer, b.extra)
