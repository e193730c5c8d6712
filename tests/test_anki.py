"""Anki decks that update in place, each behaviour proved by importing with the real Anki engine."""

from __future__ import annotations

import json

import pytest

from tests.helpers import RNN, anki_session, import_apkg, notes, project, run

DECK = """Small Deck

Basics

Q1. What is a tensor?
A1. An n-dimensional array.

Q2. What is a gradient?
A2. The vector of partial derivatives.

Q3. What is a learning rate?
A3. The step size of gradient descent.

More

Q4. What is an epoch?
A4. One pass over the training data.
"""


class Repo:
    """A deck repository and one user's Anki collection, rebuilt and re-imported step by step."""

    def __init__(self, root, text=DECK, name="deck.txt"):
        self.root = project(root, {name: text})
        self.source = self.root / "source" / name
        self.apkg = self.root / "build" / (self.source.stem + ".apkg")
        self.collection = self.root / "user" / "collection.anki2"
        self.collection.parent.mkdir()

    def build(self, *args, env=None):
        result = run(["build", "--format", "apkg", *args], self.root, env=env)
        assert result.exit_code == 0, result.output
        return result

    def edit(self, old, new):
        text = self.source.read_text(encoding="utf-8")
        assert old in text
        self.source.write_text(text.replace(old, new, 1), encoding="utf-8")

    def import_(self):
        return import_apkg(self.apkg, self.collection)

    def notes(self):
        return {n["guid"]: n for n in notes(self.collection)}


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path)


@pytest.mark.slow
def test_first_import(repo):
    repo.build()
    imported = repo.import_()
    assert (imported.notes, imported.cards) == (4, 4)
    assert len(imported.log.new) == 4
    assert not (imported.log.conflicting or imported.log.duplicate or imported.log.updated)
    assert "Small Deck::Basics" in imported.decks and "Small Deck::More" in imported.decks
    found = repo.notes()
    epoch = next(n for n in found.values() if n["fields"]["Number"] == "4")
    assert epoch["deck"] == "Small Deck::More" and epoch["tags"] == ["More"]
    assert epoch["fields"]["Question"] == "What is an epoch?"
    assert epoch["fields"]["Answer"] == "<p>One pass over the training data.</p>"
    assert epoch["fields"]["Section"] == "More"
    assert epoch["fields"]["Id"] == epoch["guid"]


@pytest.mark.slow
def test_unchanged_rebuild_is_byte_identical_and_imports_as_nothing(repo):
    repo.build()
    repo.import_()
    first = repo.apkg.read_bytes()
    repo.build()
    assert repo.apkg.read_bytes() == first
    imported = repo.import_()
    assert imported.notes == 4
    assert not (imported.log.new or imported.log.updated or imported.log.conflicting)
    assert len(imported.log.duplicate) == 4  # Anki's word for "already there, not newer"


@pytest.mark.slow
def test_edited_answer_updates_exactly_that_note(repo):
    repo.build()
    repo.import_()
    repo.edit("The step size of gradient descent.", "How far each gradient step moves.")
    repo.build()
    imported = repo.import_()
    assert imported.notes == 4 and not imported.log.new
    assert [n.fields[0] for n in imported.log.updated] == ["What is a learning rate?"]
    rate = next(n for n in repo.notes().values() if n["fields"]["Number"] == "3")
    assert rate["fields"]["Answer"] == "<p>How far each gradient step moves.</p>"


@pytest.mark.slow
def test_fixed_typo_in_a_question_updates_the_note(tmp_path):
    repo = Repo(tmp_path, DECK.replace("What is a gradient?", "What is a gradiant?"))
    repo.build()
    repo.import_()
    guids = set(repo.notes())
    repo.edit("What is a gradiant?", "What is a gradient?")
    repo.build()
    imported = repo.import_()
    assert imported.notes == 4 and not imported.log.new
    assert [n.fields[0] for n in imported.log.updated] == ["What is a gradient?"]
    assert set(repo.notes()) == guids


@pytest.mark.slow
def test_inserted_question_adds_one_note_and_keeps_the_others(repo):
    repo.build()
    repo.import_()
    guids = set(repo.notes())
    text = repo.source.read_text(encoding="utf-8")
    text = text.replace("Q2. What is a gradient?\nA2.", "Q2. What is a loss?\nA2. A number to minimise.\n\n"
                        "Q3. What is a gradient?\nA3.")
    text = text.replace("Q3. What is a learning rate?\nA3.", "Q4. What is a learning rate?\nA4.")
    text = text.replace("Q4. What is an epoch?\nA4.", "Q5. What is an epoch?\nA5.")
    repo.source.write_text(text, encoding="utf-8")
    repo.build()
    imported = repo.import_()
    assert imported.notes == 5 and imported.cards == 5
    assert [n.fields[0] for n in imported.log.new] == ["What is a loss?"]
    assert guids < set(repo.notes())
    numbers = {n["fields"]["Question"]: n["fields"]["Number"] for n in repo.notes().values()}
    assert numbers["What is an epoch?"] == "5"  # the renumbered notes were updated in place


@pytest.mark.slow
def test_removed_question_is_reported_with_an_anki_search(repo):
    repo.build()
    repo.import_()
    gone = next(g for g, n in repo.notes().items() if n["fields"]["Number"] == "4")
    repo.edit("\nMore\n\nQ4. What is an epoch?\nA4. One pass over the training data.\n", "\n")
    result = repo.build()
    assert (f'source/deck.txt: 1 card(s) left the deck; Anki keeps their notes (an import cannot '
            f'delete). Find them in Anki\'s browser with: "deck:Small Deck" (Id:{gone})') in result.stderr
    from anki.collection import Collection

    col = Collection(str(repo.collection))
    try:
        assert len(col.find_notes(f'"deck:Small Deck" (Id:{gone})')) == 1
    finally:
        col.close()


@pytest.mark.slow
def test_an_edit_made_in_anki_survives_an_unchanged_rebuild(repo):
    from anki.collection import Collection

    repo.build()
    repo.import_()
    col = Collection(str(repo.collection))
    try:
        nid = col.find_notes("Number:1")[0]
        note = col.get_note(nid)
        note["Answer"] = "My own words."
        col.update_note(note)
    finally:
        col.close()
    repo.build()
    imported = repo.import_()
    assert not imported.log.updated
    assert next(n for n in repo.notes().values() if n["fields"]["Number"] == "1")["fields"]["Answer"] == "My own words."


@pytest.mark.slow
def test_a_changed_note_type_reaches_users(repo):
    repo.build()
    repo.import_()
    mine = repo.root / "theme"
    mine.mkdir()
    (mine / "anki.css.j2").write_text(".card { color: rebeccapurple; }\n", encoding="utf-8")
    repo.build("--templates", "theme")
    repo.import_()
    from anki.collection import Collection

    col = Collection(str(repo.collection))
    try:
        kinds = [m for m in col.models.all() if m["name"] == "deckgen Q&A"]
        assert len(kinds) == 1 and "rebeccapurple" in kinds[0]["css"]
    finally:
        col.close()


@pytest.mark.slow
def test_locked_build_fails_on_a_stale_ids_file_and_writes_nothing(repo):
    repo.build()
    ids = repo.source.with_name("deck.ids.json")
    before = ids.read_bytes()
    repo.edit("One pass over the training data.", "A full pass over the data.")
    for args, env in ((["--locked"], None), ([], {"CI": "true"})):
        result = run(["build", *args], repo.root, env=env)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "error: source/deck.ids.json: the ids file is out of date; run `deckgen build` without "
            "--locked and commit it:\n  changed card ")
        assert "What is an epoch?" in result.stderr
        assert ids.read_bytes() == before
    repo.build()  # a local build brings it up to date
    assert run(["build", "--locked"], repo.root).exit_code == 0


def test_ids_file_is_one_card_per_line(repo):
    repo.build()
    text = repo.source.with_name("deck.ids.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert [c["question"] for c in data["cards"]] == [
        "What is a tensor?", "What is a gradient?", "What is a learning rate?", "What is an epoch?"]
    assert sum(1 for line in text.splitlines() if line.strip().startswith('{"id"')) == 4


@pytest.mark.slow
def test_html_and_mathjax_in_answers(tmp_path):
    repo = Repo(tmp_path, "Q1. What does <b>bold</b> do?\nA1. It is <script>alert(1)</script> "
                          "and \\( x^2 \\) stays math.\n")
    repo.build()
    repo.import_()
    note = next(iter(repo.notes().values()))
    assert note["fields"]["Question"] == "What does &lt;b&gt;bold&lt;/b&gt; do?"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in note["fields"]["Answer"]
    assert "\\(x^2\\)" in note["fields"]["Answer"]
    from anki.collection import Collection

    col = Collection(str(repo.collection))
    try:
        assert col.db.scalar("select sfld from notes") == "What does <b>bold</b> do?"
    finally:
        col.close()


@pytest.mark.slow
def test_deck_and_note_type_names_are_configurable_and_ids_derive_from_them(tmp_path):
    repo = Repo(tmp_path)
    (repo.root / "deckgen.toml").write_text('deck-name = "ML::Basics deck"\nnote-type = "My Q&A"\n',
                                            encoding="utf-8")
    repo.build()
    imported = repo.import_()
    assert "ML::Basics deck::More" in imported.decks
    from deckgen.writers.apkg import anki_id

    assert anki_id("notetype", "My Q&A") == anki_id("notetype", "My Q&A") != anki_id("notetype", "deckgen Q&A")


@pytest.mark.slow
def test_rnn_deck_updates_in_place_after_an_edit(tmp_path):
    repo = Repo(tmp_path, RNN.read_text(encoding="utf-8"), name=RNN.name)
    repo.build()
    assert repo.import_().notes == 80
    repo.edit("Gradient clipping is commonly used", "Gradient clipping is the usual remedy,")
    repo.build()
    imported = repo.import_()
    assert imported.notes == 80 and len(imported.log.updated) == 1 and not imported.log.new


MD_DECK = """# Study Deck

## Basics

### What is a tensor?

An n-dimensional array.

### What is a gradient?

The vector of partial derivatives.

### What is a learning rate?

The step size of gradient descent.

## More

### What is an epoch?

One pass over the training data.

### What is a batch?

The examples behind one gradient step.
"""


def package_rows(apkg) -> dict[str, tuple]:
    """Each note of a package as its rows (the note's, then its cards'), by GUID."""
    import sqlite3
    import tempfile
    import zipfile
    from pathlib import Path

    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "c.anki2"
        db.write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            cards = {}
            for row in conn.execute("SELECT * FROM cards ORDER BY id"):
                cards.setdefault(row[1], []).append(row)
            return {row[1]: (row, *cards.get(row[0], [])) for row in conn.execute("SELECT * FROM notes")}
        finally:
            conn.close()


@pytest.mark.slow
def test_inserting_moving_and_removing_markdown_cards_changes_no_other_note(tmp_path):
    """Markdown numbers nothing: deckgen counts the places (the handout shows them), and no place
    reaches a note, so an edit made in Anki to a later card survives every one of these."""
    repo = Repo(tmp_path, MD_DECK, "deck.md")
    repo.build()
    assert len(repo.import_().log.new) == 5
    col = anki_session(repo.collection)
    try:
        batch = col.get_note(col.find_notes('"Question:What is a batch?"')[0])
        assert batch["Number"] == ""  # a place deckgen counted is not the source's number
        batch["Answer"] = "My own words."
        col.update_note(batch)
    finally:
        col.close()
    steps = [
        ("insert", "### What is a gradient?", "### What is a loss?\n\nA number to minimise.\n\n### What is a gradient?"),
        ("move", "### What is a tensor?\n\nAn n-dimensional array.\n\n### What is a loss?\n\nA number to minimise.\n",
         "### What is a loss?\n\nA number to minimise.\n\n### What is a tensor?\n\nAn n-dimensional array.\n"),
        ("remove", "### What is a gradient?\n\nThe vector of partial derivatives.\n\n", ""),
    ]
    for step, old, new in steps:
        before = package_rows(repo.apkg)
        repo.edit(old, new)
        repo.build()
        after = package_rows(repo.apkg)
        kept = set(before) & set(after)
        assert len(kept) == {"insert": 5, "move": 6, "remove": 5}[step], step
        assert {g: after[g] for g in kept} == {g: before[g] for g in kept}, step  # byte for byte
        imported = repo.import_()
        assert [n.fields[0] for n in imported.log.new] == (["What is a loss?"] if step == "insert" else []), step
        assert not imported.log.updated and not imported.log.conflicting, step
        answers = {n["fields"]["Question"]: n["fields"]["Answer"] for n in repo.notes().values()}
        assert answers["What is a batch?"] == "My own words.", step
    handout = repo.root / "build" / "deck.html"
    run(["build", "--format", "html"], repo.root)
    shown = handout.read_text(encoding="utf-8")
    assert shown.index("Q1</a> <span class=\"q-text\">What is a loss?") < shown.index("Q5</a> <span class=\"q-text\">What is a batch?")


@pytest.mark.slow
def test_an_ids_file_that_hashed_counted_places_is_taken_over_with_every_time_kept(tmp_path):
    """deck.md built by deckgen before ids file format 4 (its places in the Number field and in
    the hashes; tests/fixtures/md-v3): the first build after it changes no note in Anki."""
    from tests.helpers import FIXTURES

    repo = Repo(tmp_path, MD_DECK, "deck.md")
    old = json.loads((FIXTURES / "md-v3" / "deck.ids.json").read_text(encoding="utf-8"))
    assert old["deckgen-ids"] == 3
    (repo.source.with_name("deck.ids.json")).write_text(json.dumps(old), encoding="utf-8")
    assert len(import_apkg(FIXTURES / "md-v3" / "deck.apkg", repo.collection).log.new) == 5
    result = repo.build()
    assert "source/deck.ids.json: now in format 4 (hashes of the source; no card changed)" in result.stderr
    new = json.loads(repo.source.with_name("deck.ids.json").read_text(encoding="utf-8"))
    assert [(c["id"], c["modified"]) for c in new["cards"]] == [(c["id"], c["modified"]) for c in old["cards"]]
    imported = repo.import_()
    assert not (imported.log.new or imported.log.updated)
