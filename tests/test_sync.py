"""deckgen sync: both directions with a running Anki, through an AnkiConnect-compatible server
(tests/ankiconnect_server.py) over the real Anki engine."""

from __future__ import annotations

import socket
import time

import pytest

from tests.ankiconnect_server import FakeAnki, Server
from tests.helpers import RNN, anki_session, project, run

pytestmark = pytest.mark.slow

DECK = "RNN frequent Interview Questions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Setup:
    """The RNN deck as a Markdown source (its numbers are places deckgen counts), a user's Anki
    collection, and an AnkiConnect server over it."""

    def __init__(self, root, **server):
        self.root = project(root, rnn=True)
        converted = run(["convert", f"source/{RNN.name}", "-o", "rnn.md"], self.root)
        assert converted.exit_code == 0, converted.output
        (self.root / "source" / RNN.name).unlink()
        (self.root / "rnn.md").rename(self.root / "source" / "rnn.md")
        self.source = self.root / "source" / "rnn.md"
        self.collection = self.root / "anki" / "collection.anki2"
        self.collection.parent.mkdir()
        anki_session(self.collection).close()
        self.anki = FakeAnki(self.collection, **server)
        self.server = Server(self.anki).__enter__()

    def sync(self, *args, env=None):
        return run(["sync", "--url", self.server.url, *args], self.root, env=env)

    def edit(self, old, new):
        text = self.source.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.source.write_text(text.replace(old, new), encoding="utf-8")

    def notes(self) -> dict[str, dict]:
        """Question -> {id, fields, deck, mod} of every note in the collection."""
        col = anki_session(self.collection)
        try:
            found = {}
            for nid in col.find_notes(""):
                note = col.get_note(nid)
                found[note["Question"]] = {"id": nid, "fields": dict(note.items()), "mod": note.mod,
                                           "deck": col.decks.name(note.cards()[0].did), "guid": note.guid}
            return found
        finally:
            col.close()

    def edit_in_anki(self, question, old, new, field="Answer"):
        col = anki_session(self.collection)
        try:
            note = col.get_note(col.find_notes(f'"Question:{question}"')[0])
            assert old in note[field]
            note[field] = note[field].replace(old, new)
            col.update_note(note)
        finally:
            col.close()

    def close(self):
        self.server.__exit__(None, None, None)


@pytest.fixture
def setup(tmp_path):
    made = Setup(tmp_path)
    yield made
    made.close()


@pytest.fixture
def synced(setup):
    """The deck synced an hour ago (Anki stamps edits in whole seconds: a later edit is newer)."""
    result = setup.sync("--write", env={"SOURCE_DATE_EPOCH": str(int(time.time()) - 3600)})
    assert result.exit_code == 0, result.output
    return setup


Q2 = "What are some common applications of RNNs?"
Q5 = "What are the key components of an RNN?"


def test_first_sync_pushes_the_deck_and_the_second_has_nothing_to_do(setup):
    dry = setup.sync()
    assert dry.exit_code == 0, dry.output
    assert "source/rnn.md -> Anki deck “RNN frequent Interview Questions”: add 80, update 0, unchanged 0" in dry.stdout
    assert "dry run" in dry.stderr and setup.notes() == {}  # nothing pushed
    done = setup.sync("--write")
    assert done.exit_code == 0, done.output
    held = setup.notes()
    assert len(held) == 80
    assert {n["deck"] for n in held.values()} >= {DECK + "::Advanced Topics"}
    assert all(n["deck"].startswith(DECK) for n in held.values())
    again = setup.sync()
    assert again.exit_code == 0, again.output
    assert "@@" not in again.stdout  # no diff
    assert "add 0, update 0, unchanged 80" in again.stdout


def test_an_anki_edit_and_a_source_edit_cross_in_one_sync(synced):
    col = anki_session(synced.collection)
    try:  # study the card the source will change: its review history must survive the update
        card = col.get_note(col.find_notes(f'"Question:{Q5}"')[0]).cards()[0]
        card.start_timer()
        col.sched.answerCard(card, 3)
        reviews = col.db.scalar("select count() from revlog where cid = ?", card.id)
        assert reviews == 1
    finally:
        col.close()
    synced.edit_in_anki(Q2, "text generation", "text generation, music composition")
    synced.edit("Input layer, hidden layer", "Input layer, recurrent hidden layer")
    before = synced.source.read_bytes()
    dry = synced.sync()
    assert dry.exit_code == 0, dry.output
    assert "+" in dry.stdout and "music composition" in dry.stdout  # the Anki edit, as a diff
    assert "add 0, update 1, unchanged 79" in dry.stdout  # the source edit, to be pushed
    assert "not newer than the last build" not in dry.stderr  # a source edit is not a stale collection
    assert synced.source.read_bytes() == before
    assert "recurrent hidden layer" not in synced.notes()[Q5]["fields"]["Answer"]

    done = synced.sync("--write")
    assert done.exit_code == 0, done.output
    assert "music composition" in synced.source.read_text(encoding="utf-8")
    held = synced.notes()
    assert "recurrent hidden layer" in held[Q5]["fields"]["Answer"]
    assert "music composition" in held[Q2]["fields"]["Answer"]
    col = anki_session(synced.collection)
    try:
        card = col.get_note(held[Q5]["id"]).cards()[0]
        assert col.db.scalar("select count() from revlog where cid = ?", card.id) == 1
        assert card.reps == 1
    finally:
        col.close()
    again = synced.sync()
    assert again.exit_code == 0 and "@@" not in again.stdout, again.output
    assert "add 0, update 0, unchanged 80" in again.stdout


def test_a_card_removed_from_the_source_is_kept_until_delete(synced):
    text = synced.source.read_text(encoding="utf-8")
    start = text.index(f"### {Q2}")
    end = text.index("### ", start + 4)
    synced.source.write_text(text[:start] + text[end:], encoding="utf-8")
    for _ in range(2):  # every sync lists it as kept, never as added in Anki
        done = synced.sync("--write")
        assert done.exit_code == 0, done.output
        assert f"kept in Anki (its card left the source): “{Q2}”" in done.stdout
        assert "added in Anki" not in done.output
        assert Q2 in synced.notes()
    deleted = synced.sync("--write", "--delete")
    assert deleted.exit_code == 0, deleted.output
    assert Q2 not in synced.notes() and len(synced.notes()) == 79
    assert "kept in Anki" not in synced.sync().stdout


def test_a_conflict_stops_both_sides_until_a_side_is_chosen(synced):
    synced.edit_in_anki(Q2, "text generation", "text generation in Anki")
    synced.edit("text generation, machine", "text generation in the source, machine")
    source = synced.source.read_bytes()
    notes = synced.notes()
    dry = synced.sync()
    assert dry.exit_code == 1 and "conflict" in dry.output
    refused = synced.sync("--write")
    assert refused.exit_code == 1 and "conflict" in refused.stderr and "Traceback" not in refused.output
    assert synced.source.read_bytes() == source and synced.notes() == notes  # neither side changed

    ours = synced.sync("--write", "--ours")
    assert ours.exit_code == 0, ours.output
    assert "in the source" in synced.notes()[Q2]["fields"]["Answer"]
    assert "in Anki" not in synced.source.read_text(encoding="utf-8")


def test_theirs_takes_the_anki_side(synced):
    synced.edit_in_anki(Q2, "text generation", "text generation in Anki")
    synced.edit("text generation, machine", "text generation in the source, machine")
    theirs = synced.sync("--write", "--theirs")
    assert theirs.exit_code == 0, theirs.output
    assert "text generation in Anki" in synced.source.read_text(encoding="utf-8")
    assert "in Anki" in synced.notes()[Q2]["fields"]["Answer"]
    assert "@@" not in synced.sync().stdout


def test_a_note_added_in_anki_comes_back_with_add_and_is_not_duplicated(synced):
    col = anki_session(synced.collection)
    try:
        note = col.new_note(col.models.by_name("deckgen Q&A"))
        note["Question"], note["Answer"] = "What is an echo state network?", "An RNN with fixed random weights."
        col.add_note(note, col.decks.id_for_name(DECK + "::Advanced Topics"))
        added = note.id
    finally:
        col.close()
    listed = synced.sync()
    assert "added in Anki: “What is an echo state network?”" in listed.stderr
    done = synced.sync("--write", "--add")
    assert done.exit_code == 0, done.output
    assert "### What is an echo state network?" in synced.source.read_text(encoding="utf-8")
    held = synced.notes()
    assert len(held) == 81 and held["What is an echo state network?"]["id"] == added
    assert "add 0, update 0, unchanged 81" in synced.sync().stdout


@pytest.mark.parametrize("server, args, env, expected", [
    (None, (), None, "cannot reach AnkiConnect at {url} (connection refused): start Anki with the AnkiConnect add-on"),
    ({"fail": {"findNotes": "collection is not available"}}, (), None,
     "AnkiConnect at {url}: findNotes: collection is not available"),
    ({"version": 5}, (), None, "AnkiConnect at {url} speaks API version 5; deckgen needs 6 or later"),
    ({"permission": False}, (), None, "AnkiConnect at {url} denied permission"),
    ({"delay": 2.0}, ("--timeout", "0.5"), None, "AnkiConnect at {url} did not answer requestPermission within 0.5 s"),
    ({"missing": ("getDecks",)}, (), None, "AnkiConnect at {url} does not know the action 'getDecks'"),
    ({"api_key": "secret"}, (), None, "AnkiConnect at {url} requires an API key"),
    ({}, ("--api-key", "secret"), None, "AnkiConnect at {url}: valid api key must be provided"),
    ({"api_key": "secret"}, (), {"ANKICONNECT_API_KEY": "wrong"}, "AnkiConnect at {url}: valid api key must be provided"),
])
def test_every_failure_is_one_line_and_changes_nothing(synced, server, args, env, expected):
    synced.edit_in_anki(Q2, "text generation", "text generation in Anki")
    synced.edit("Input layer, hidden layer", "Input layer, recurrent hidden layer")
    source, notes = synced.source.read_bytes(), synced.notes()
    if server is None:
        url = f"http://127.0.0.1:{free_port()}"
        result = run(["sync", "--url", url, "--write", *args], synced.root, env=env)
    else:
        other = Server(FakeAnki(synced.collection, **server)).__enter__()
        try:
            url = other.url
            result = run(["sync", "--url", url, "--write", *args], synced.root, env=env)
        finally:
            other.__exit__(None, None, None)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: " + expected.format(url=url)), result.stderr
    assert synced.source.read_bytes() == source and synced.notes() == notes


def test_the_key_is_sent_only_when_given(synced):
    synced.anki.requests.clear()
    assert synced.sync().exit_code == 0
    assert synced.anki.requests and all("key" not in r for r in synced.anki.requests)
    synced.anki.api_key = "secret"
    assert synced.sync("--api-key", "secret").exit_code == 0
    assert synced.anki.requests[-1]["key"] == "secret" and synced.anki.requests[-1]["version"] == 6


def test_a_deck_renamed_by_deck_tree_is_moved_not_duplicated(tmp_path):
    """Anki's importer never moves a card it has; sync moves them with changeDeck."""
    text = "# Sequence Models\n\n## Basics\n\n### What is an RNN?\n\nA loop.\n\n### What is an LSTM?\n\nGates.\n\n" \
           "## Formulas\n\n### What is the GRU update?\n\nA mix.\n"
    root = project(tmp_path, {"ml/sequence.md": text})
    collection = tmp_path / "anki" / "collection.anki2"
    collection.parent.mkdir()
    anki_session(collection).close()
    with Server(FakeAnki(collection)) as server:
        def sync(*args):
            return run(["sync", "--url", server.url, *args], root, env={"SOURCE_DATE_EPOCH": "1790000000"})

        assert sync("--write").exit_code == 0
        (root / "deckgen.toml").write_text('deck-tree = "folders"\n', encoding="utf-8")
        dry = sync()
        assert "add 0, update 0, unchanged 3, move 3" in dry.stdout, dry.output
        done = sync("--write")
        assert done.exit_code == 0, done.output
        assert "moved 3 card(s) of source/ml/sequence.md" in done.stderr
        col = anki_session(collection)
        try:
            decks = sorted(col.decks.name(col.get_card(c).did) for c in col.find_cards(""))
            assert len(col.find_notes("")) == 3
        finally:
            col.close()
        assert decks == ["ml::Sequence Models::Basics", "ml::Sequence Models::Basics", "ml::Sequence Models::Formulas"]
        again = sync()
        assert "add 0, update 0, unchanged 3\n" in again.stdout, again.output
