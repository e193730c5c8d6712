"""The Anki package writer: a fixed note type, one note per card, subdecks per section,
byte-identical output for the same input (fixed ids, per-note times from the ids file, fixed zip times)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

from deckgen import identity
from deckgen.model import Rendered, StudyCard, StudyDeck, all_inlines
from deckgen.render import environment, render

# Frozen: Anki updates existing notes only when the note type keeps the same fields.
# Extra and Source are spare fields for later use; never remove or reorder these.
NOTE_FIELDS = ("Question", "Answer", "Extra", "Section", "Number", "Source", "Id")
CLOZE_FIELDS = ("Text", "Extra", "Section", "Number", "Source", "Id")
# The note type of each kind of card: its name after the note-type setting, its fields, and its
# card templates (name, front template, back template).
KINDS = {
    "basic": ("", NOTE_FIELDS, (("Card 1", "anki_front", "anki_back"),)),
    "reversed": (" (and reversed)", NOTE_FIELDS, (("Card 1", "anki_front", "anki_back"),
                                                  ("Card 2", "anki_reverse_front", "anki_reverse_back"))),
    "cloze": (" Cloze", CLOZE_FIELDS, (("Cloze", "anki_cloze_front", "anki_cloze_back"),)),
}
# The templates the note fields are rendered with (note_fields), and the card's record fields that
# reach no note: where the card sits in its source, and what only validation reads.
FIELD_TEMPLATES = ("anki_question.html.j2", "anki_answer.html.j2", "anki_text.html.j2")
NOT_IN_NOTE = ("span", "answer_span", "answer_number", "explicit_id", "disabled_rules", "end", "counted")
# and, where deckgen counted it (the source numbers nothing), the card's place: a card inserted
# above must change no other note
PLACE = ("number",)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEXT_RUN = re.compile(r"(^|>)([^<]*)")


def anki_id(kind: str, name: str) -> int:
    """A deck or note type id derived from its name (Anki ids are positive 64-bit; stay well inside)."""
    digest = hashlib.sha256(f"deckgen {kind}\x1f{name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 40)


@dataclass(frozen=True)
class NoteType:
    kind: str
    name: str
    fields: tuple[str, ...]
    cards: tuple[tuple[str, str, str], ...]  # (name, front, back) per card template
    css: str

    @property
    def id(self) -> int:
        return anki_id("notetype", self.name)

    @property
    def hash(self) -> str:
        parts = (self.name, *self.fields, *(part for card in self.cards for part in card), self.css)
        if self.kind == "basic":  # as version 1 of the ids file hashed it
            parts = (self.name, *self.fields, self.cards[0][1], self.cards[0][2], self.css)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def note_type(name: str, templates: str, kind: str = "basic") -> NoteType:
    suffix, fields, cards = KINDS[kind]
    return NoteType(
        kind=kind,
        name=name + suffix,
        fields=fields,
        cards=tuple((card, render(f"{front}.html.j2", templates).strip(),
                     render(f"{back}.html.j2", templates).strip()) for card, front, back in cards),
        css=render("anki.css.j2", templates).strip(),
    )


def tag(text: str) -> str:
    return environment().filters["slug"](text)


def note_fields(
    card: StudyCard, source_name: str, templates: str, media: dict[str, str]
) -> tuple[str, ...]:
    """The note's field values, in the order of its note type's fields (NOTE_FIELDS, or
    CLOZE_FIELDS for a cloze card); all source text escaped as HTML."""
    c = card.card

    def field(template: str, **context) -> str:
        return _plain_quotes(render(template, templates, media=media, **context).strip())

    derived = (str(escape(c.section)), "" if c.number is None or c.counted else str(c.number),
               str(escape(source_name)), card.id)
    if c.kind == "cloze":
        text = field("anki_text.html.j2", runs=c.question, items=c.answer)
        return (text, field("anki_answer.html.j2", items=c.extra), *derived)
    return (
        field("anki_question.html.j2", runs=c.question, choices=c.choices),
        field("anki_answer.html.j2", items=c.answer, choices=c.choices),
        field("anki_answer.html.j2", items=c.extra) if c.extra else "",  # most cards have no Extra
        *derived,
    )


def note_source(card: StudyCard, source_name: str, media: dict[str, str],
                own_templates: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """What a note is made from, as data: the card's record (but NOT_IN_NOTE), its id, the
    source's name, the Anki media names of its images (they change with the image's bytes) and
    the user's own field templates (`own_field_templates`). The ids file hashes this, never the
    rendered fields: those change with Pygments, and a note must not."""
    c = card.card
    images = sorted({run.href for run in (*c.question, *all_inlines(c.answer), *all_inlines(c.extra))
                     if run.kind == "image"})
    leave_out = NOT_IN_NOTE + PLACE if c.counted else NOT_IN_NOTE
    return {"card": identity.record_fields(c, leave_out=leave_out), "id": card.id, "source": source_name,
            "media": {path: media.get(path, "") for path in images}, "templates": own_templates}


def own_field_templates(templates: str) -> tuple[tuple[str, str], ...]:
    """The user's own templates (from the templates folder) that the note fields are rendered
    with, FIELD_TEMPLATES and what they import, as (name, text). deckgen's built-in ones are not
    part of a note's source: a deckgen that draws fields otherwise reaches a note when the note
    next changes, as a new Pygments does."""
    if not templates:
        return ()
    import jinja2
    from jinja2 import meta

    folder = Path(templates).resolve()
    env = environment(str(folder))
    own, seen, todo = [], set(), list(FIELD_TEMPLATES)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            text, filename, _ = env.loader.get_source(env, name)
            todo += [n for n in meta.find_referenced_templates(env.parse(text)) if n]
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
            continue  # rendering the fields says so, naming the file and line
        if filename and Path(filename).resolve().is_relative_to(folder):
            own.append((name, text))
    return tuple(sorted(own))


def _plain_quotes(html: str) -> str:
    """Quotes in text need no escaping; Anki's editor and its search read them as typed.
    Only text between tags is touched, so attribute values stay escaped."""
    return TEXT_RUN.sub(lambda m: m[1] + m[2].replace("&#34;", '"').replace("&#39;", "'"), html)


def note_tags(card: StudyCard) -> list[str]:
    tags = [tag(card.card.section)] if card.card.section else []
    tags += [tag(t) for t in card.card.tags]
    return sorted(dict.fromkeys(tags))


@dataclass(frozen=True)
class PackedDeck:
    """One deck of a package: its cards (`deck`), its Anki name, its note types by card kind,
    and by card id its fields and modification times."""

    deck: StudyDeck
    name: str
    kinds: dict[str, NoteType]
    fields: dict[str, tuple[str, ...]]
    modified: dict[str, int]


def write_apkg(
    deck: StudyDeck,
    deck_name: str,
    kinds: dict[str, NoteType],
    notetype_modified: dict[str, int],
    fields: dict[str, tuple[str, ...]],
    modified: dict[str, int],
    media_files: dict[str, bytes],
) -> bytes:
    """The .apkg bytes of one deck. `kinds` and `notetype_modified` are keyed by card kind;
    `fields` and `modified` by card id; `media_files` by file name."""
    times = {kinds[kind].id: time for kind, time in notetype_modified.items() if kind in kinds}
    return write_decks([PackedDeck(deck, deck_name, kinds, fields, modified)], times, media_files)


def write_decks(decks: list[PackedDeck], notetype_modified: dict[int, int], media_files: dict[str, bytes]) -> bytes:
    """The .apkg bytes of several decks (`notetype_modified` by note type id)."""
    import genanki

    note_ids = stable_ids({card.id: d.modified[card.id] for d in decks for card in d.deck.cards})
    card_ids = stable_ids({(card.id, ord_): d.modified[card.id] for d in decks for card in d.deck.cards
                           for ord_ in _card_ords(card, d.kinds)})

    class TimedNote(genanki.Note):
        """A note that carries its own modification time (genanki stamps one time on all) and
        its own ids, which no other card's place changes (genanki counts them in order)."""

        def __init__(self, *args, mod_time: int, **kwargs):
            super().__init__(*args, **kwargs)
            self.mod_time = mod_time

        def write_to_db(self, cursor, timestamp, deck_id, id_gen):
            own = iter([note_ids[self.guid], *(card_ids[(self.guid, card.ord)] for card in self.cards)])
            super().write_to_db(cursor, self.mod_time, deck_id, own)

    types = {kind.id: kind for d in decks for kind in d.kinds.values()}
    models = {
        kind.id: genanki.Model(
            kind.id,
            kind.name,
            fields=[{"name": field} for field in kind.fields],
            templates=[{"name": card, "qfmt": front, "afmt": back} for card, front, back in kind.cards],
            css=kind.css,
            sort_field_index=0,
            model_type=genanki.Model.CLOZE if kind.kind == "cloze" else genanki.Model.FRONT_BACK,
        )
        for kind in types.values()
    }
    packed = []
    for d in decks:
        top = genanki.Deck(anki_id("deck", d.name), d.name)
        packed.append(top)
        for section in d.deck.sections:
            target = top
            if section.title:
                name = f"{d.name}::{section.title.replace('::', ':')}"
                target = genanki.Deck(anki_id("deck", name), name)
                packed.append(target)
            for card in section.cards:
                target.add_note(TimedNote(
                    model=models[d.kinds[card.card.kind].id],
                    fields=list(d.fields[card.id]),
                    guid=card.id,
                    tags=note_tags(card),
                    sort_field=card.card.question_text,
                    mod_time=d.modified[card.id],
                ))
    package = genanki.Package(packed)
    handle, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        conn = sqlite3.connect(db_path)
        # a file of our own, read once and removed: no journal to keep, no waiting for the disk
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA journal_mode=MEMORY")
        # a note type's time is its own (the newest of them stamps the collection)
        stamp = max(notetype_modified.values(), default=0)
        package.write_to_db(conn.cursor(), stamp, _ids_from(stamp))
        for model_id in types:
            _set_model_mod(conn, model_id, notetype_modified.get(model_id, stamp))
        conn.commit()
        conn.close()
        with open(db_path, "rb") as db:
            collection = db.read()
    finally:
        os.unlink(db_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = sorted(media_files)
        _add(archive, "collection.anki2", collection)
        _add(archive, "media", json.dumps({str(i): name for i, name in enumerate(names)}).encode())
        for i, name in enumerate(names):
            _add(archive, str(i), media_files[name])
    return buffer.getvalue()


def _set_model_mod(conn: sqlite3.Connection, model_id: int, mod: int) -> None:
    """genanki stamps every note type with one time; Anki updates a note type only when the
    incoming one is newer, so each keeps the time its own content last changed."""
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    if str(model_id) in models:
        models[str(model_id)]["mod"] = mod
        conn.execute("UPDATE col SET models = ?", (json.dumps(models),))


def _card_ords(card: StudyCard, kinds: dict[str, NoteType]) -> tuple[int, ...]:
    """The ords of the Anki cards a note may make: its cloze numbers less one for a cloze note,
    one per template otherwise."""
    if card.card.kind == "cloze":
        return tuple(n - 1 for n in card.card.cloze_numbers)
    return tuple(range(len(kinds[card.card.kind].cards)))


def stable_ids(times: dict) -> dict:
    """An Anki id for each key, in the millisecond of its second (`times`, by key) that a hash of
    the key picks, the next free one where two pick the same. Anki reads a note's id as the time
    it was added; no other key's place, and no key added later with a newer time, moves it."""
    wanted = sorted((times[key] * 1000 + int(hashlib.sha256(repr(key).encode()).hexdigest()[:8], 16) % 1000,
                     repr(key), key) for key in times)
    taken: set[int] = set()
    ids = {}
    for slot, _, key in wanted:
        while slot in taken:
            slot += 1
        taken.add(slot)
        ids[key] = slot
    return ids


def _ids_from(start: int) -> itertools.count:
    return itertools.count(start * 1000)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def output(plan, settings) -> Rendered:
    """The Anki deck of a build's plan (plan.Plan), as formats.FORMATS["apkg"] names it."""
    entries = {e.id: e.modified for e in plan.ids_file.entries}
    notetype_times = {kind: modified for kind, _, modified in plan.ids_file.notetypes}
    return Rendered(write_apkg(plan.deck, plan.deck_name, plan.note_types, notetype_times,
                              plan.anki_fields, entries, plan.media.files))


def output_all(repository, settings) -> Rendered:
    """Every deck of a build in one package (formats.FORMATS["all"]): each deck under the
    repository's title, with the same GUIDs as its own package, so importing both never
    duplicates a note."""
    decks, times, media = [], {}, {}
    for plan in repository.plans:
        modified = {e.id: e.modified for e in plan.ids_file.entries}
        decks.append(PackedDeck(plan.deck, f"{repository.title.replace('::', ':')}::{plan.deck_name}",
                                plan.note_types, plan.anki_fields, modified))
        for kind, _, time in plan.ids_file.notetypes:
            if kind in plan.note_types:
                model_id = plan.note_types[kind].id
                times[model_id] = max(times.get(model_id, 0), time)
        media.update(plan.media.files)
    return Rendered(write_decks(decks, times, media))
