"""The plan of a build for one source: every card's identity (from the ids file), its Anki
fields, the ids file the build would write, and the deck ready to render."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from deckgen import identity
from deckgen.config import Settings
from deckgen.errors import LockError
from deckgen.model import Deck, StudyCard, StudyDeck, StudySection
from deckgen.sources import Media, SourceJob, load_media, source_date, source_date_epoch
from deckgen.writers import apkg, write_atomic


def study_deck(deck: Deck, job: SourceJob, ids: tuple[str, ...], build_date: str,
               language: str) -> StudyDeck:
    sections = []
    position = 0
    for s_index, section in enumerate(deck.sections, start=1):
        cards = []
        for card in section.cards:
            cards.append(StudyCard(card, ids[position], position + 1))
            position += 1
        sections.append(StudySection(section.title, tuple(cards), s_index))
    return StudyDeck(
        title=deck.title, source=job.display, name=job.stem.name,
        sections=tuple(sections), build_date=build_date, language=language,
    )


@dataclass
class Plan:
    """What a build renders for one source: the deck with its ids, the ids file, the Anki fields."""

    job: SourceJob
    deck: StudyDeck
    deck_name: str
    ids_file: identity.IdsFile
    anki_fields: NoteFields
    note_types: dict[str, apkg.NoteType]
    media: Media


class NoteFields(Mapping[str, tuple[str, ...]]):
    """Every card's Anki fields by card id, each rendered the first time it is asked for: only the
    Anki deck and `pull` read them, so a build of the handout or the PDFs renders none."""

    def __init__(self, cards: tuple[StudyCard, ...], source_name: str, templates: str, media: dict[str, str]):
        self._cards = {card.id: card for card in cards}
        self._source, self._templates, self._media = source_name, templates, media
        self._done: dict[str, tuple[str, ...]] = {}

    def __getitem__(self, card_id: str) -> tuple[str, ...]:
        if card_id not in self._done:
            self._done[card_id] = apkg.note_fields(self._cards[card_id], self._source, self._templates, self._media)
        return self._done[card_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cards)

    def __len__(self) -> int:
        return len(self._cards)


@dataclass(frozen=True)
class Identity:
    """A deck with its cards' ids, their Anki fields and the ids file they give; nothing written."""

    deck_name: str
    ids_path: Path
    ids_display: str
    previous: identity.IdsFile
    assignment: identity.Assignment
    studied: StudyDeck
    note_types: dict[str, apkg.NoteType]  # by card kind, the kinds in use
    media: Media
    fields: NoteFields
    current: identity.IdsFile
    hashes: dict[str, str]  # by card id: the hash of what its note is made from (card_hash)
    own_templates: tuple[tuple[str, str], ...]  # the user's own templates of the note fields
    stored_version: int  # the ids file's format as read (older ones are rewritten)

    def card_hash(self, card: StudyCard) -> str:
        """The ids file's hash of a card: of its record and what else its note is made from."""
        return _card_hash(card, self.studied.source, self.media, self.own_templates)


def _card_hash(card: StudyCard, source_name: str, media: Media, own_templates: tuple[tuple[str, str], ...]) -> str:
    return identity.record_hash(apkg.note_source(card, source_name, media.anki, own_templates))


def _old_hash(card: StudyCard, version: int, source_name: str, templates: str, media: Media,
              own_templates: tuple[tuple[str, str], ...]) -> str:
    """A card's hash as an ids file of an older format holds it: before 4 a counted place was
    hashed like a number the source gave, before 3 the rendered fields were hashed."""
    card = dataclasses.replace(card, card=dataclasses.replace(card.card, counted=False))
    if version < 3:
        fields = apkg.note_fields(card, source_name, templates, media.anki)
        return identity.fields_hash(*fields, *apkg.note_tags(card))
    return _card_hash(card, source_name, media, own_templates)


def anki_deck_name(job: SourceJob, title: str, tree: str) -> str:
    """The Anki deck of a source: its title, or (deck-tree = folders) the folders it sits in
    under the sources, then its title (`ml::Sequence Models`). A title's "::" would make Anki
    nest decks; only the deck-name setting may ask for that."""
    name = title.replace("::", ":")
    if tree == "folders":
        return "::".join([*(part.replace("::", ":") for part in job.stem.parent.parts), name])
    return name


def identify(job: SourceJob, deck: Deck, settings: Settings, env: dict[str, str],
             previous: identity.IdsFile | None = None) -> Identity:
    """Give every card its id (from the ids file, or `previous` in its place) and its Anki fields;
    compute the ids file that a build would write. Reads, never writes."""
    date = source_date(job.path, env)
    build_date = dt.datetime.fromtimestamp(date, dt.UTC).strftime("%Y-%m-%d") if date else ""
    deck_name = settings.deck_name or anki_deck_name(job, deck.title, settings.deck_tree)
    ids_path = identity.ids_path(job.path)
    ids_display = str(Path(job.display).with_name(ids_path.name))
    if previous is None:
        previous = identity.load(ids_path, ids_display)
    assignment = identity.assign(deck.cards, previous, deck_name)
    studied = study_deck(deck, job, assignment.ids, build_date, settings.language)
    used = dict.fromkeys(card.kind for card in deck.cards)
    kinds = {kind: apkg.note_type(settings.note_type, settings.templates, kind) for kind in used}
    media = load_media(job, deck)
    fields = NoteFields(studied.cards, job.display, settings.templates, media.anki)
    # hashed from the records, never from the fields (they change with Pygments)
    own_templates = apkg.own_field_templates(settings.templates)
    hashes = {c.id: _card_hash(c, job.display, media, own_templates) for c in studied.cards}
    stored_version = previous.version
    if stored_version < identity.FORMAT_VERSION:
        old_hashes = {c.id: _old_hash(c, stored_version, job.display, settings.templates, media, own_templates)
                      for c in studied.cards}
        previous, assignment = identity.migrate(previous, assignment, hashes, old_hashes)
    epoch = source_date_epoch(env)
    now = epoch if epoch is not None else int(time.time())
    current = identity.update(
        previous, assignment, tuple(c.card.question_text for c in studied.cards),
        tuple(hashes[c.id] for c in studied.cards),
        tuple(c.card.kind for c in studied.cards), {k: v.hash for k, v in kinds.items()}, now,
    )
    return Identity(deck_name, ids_path, ids_display, previous, assignment, studied, kinds, media,
                    fields, current, hashes, own_templates, stored_version)


def plan_source(job: SourceJob, deck: Deck, settings: Settings, env: dict[str, str], messages: list[str]) -> Plan:
    """Identity for every card, checked against (or written to) the ids file; what it did is
    added to `messages`."""
    found = identify(job, deck, settings, env)
    previous, current = found.previous, found.current
    if found.assignment.removed:
        search = " OR ".join(f"Id:{e.id}" for e in found.assignment.removed)
        messages.append(
            f"{job.display}: {len(found.assignment.removed)} card(s) left the deck; Anki keeps their notes "
            f'(an import cannot delete). Find them in Anki\'s browser with: "deck:{found.deck_name}" ({search})'
        )
    if previous != current:
        problems = identity.stale(previous, current)
        if settings.locked:
            listed = "\n  ".join(problems[:20]) + ("\n  ..." if len(problems) > 20 else "")
            missing = "" if previous.entries else " (it is missing)"
            raise LockError(f"{found.ids_display}: the ids file is out of date{missing}; run `deckgen build` "
                            f"without --locked and commit it:\n  {listed}", stale={found.ids_display: problems})
        if problems:
            write_atomic(found.ids_path, identity.dump(current).encode("utf-8"), found.ids_display)
            messages.append(f"{found.ids_display}: updated ({len(problems)} change(s))")
    elif found.stored_version < identity.FORMAT_VERSION:
        # only its hashes are of the older kind, and every one still holds: the outputs are
        # the same either way, so --locked passes
        version = identity.FORMAT_VERSION
        if settings.locked:
            messages.append(f"{found.ids_display}: written by an older deckgen; `deckgen build` "
                                   f"brings it to format {version} (no card changed)")
        else:
            write_atomic(found.ids_path, identity.dump(current).encode("utf-8"), found.ids_display)
            messages.append(f"{found.ids_display}: now in format {version} (hashes of the source; "
                                   f"no card changed)")
    return Plan(job, found.studied, found.deck_name, current, found.fields, found.note_types, found.media)

