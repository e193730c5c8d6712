"""deckgen pull: edits made in the real Anki engine come back into the sources, and nothing else changes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import RNN, anki_session, export, find_note, import_apkg, notes, project, run

RNN_DECK = "RNN frequent Interview Questions"
NOW = int(time.time())

MD = """# Markdown Deck

## Basics

### What is a *tensor*?

An n-dimensional array.

- rank 0 is a scalar
- rank 1 is a vector

### What is a gradient?
<!-- deckgen: tags=calculus -->

The vector of partial derivatives.

<!-- deckgen: extra -->

Say "direction of steepest ascent".

## Training

### What is a learning rate?

The step size of gradient descent.
"""


def build(root, *args, epoch=None):
    env = {"SOURCE_DATE_EPOCH": str(epoch)} if epoch else None
    result = run(["build", "--format", "apkg", *args], root, env=env)
    assert result.exit_code == 0, result.output
    return root / "build"


def pull(root, *args):
    return run(["pull", *map(str, args)], root)


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The removed and added lines of a unified diff (without the file headers)."""
    lines = [line for line in diff.splitlines() if not line.startswith(("---", "+++"))]
    return [line[1:] for line in lines if line.startswith("-")], [line[1:] for line in lines if line.startswith("+")]


@pytest.fixture
def rnn_studied(tmp_path):
    """The RNN deck built, imported into a fresh collection, and edited there as a user would."""
    root = project(tmp_path, rnn=True)
    shutil.copy(RNN.with_name(RNN.stem + ".ids.json"), root / "source")
    build(root)
    collection = root / "user" / "collection.anki2"
    collection.parent.mkdir()
    assert len(import_apkg(root / "build" / (RNN.stem + ".apkg"), collection).log.new) == 80
    col = anki_session(collection)
    try:
        typo = find_note(col, Number="2")
        typo["Answer"] = typo["Answer"].replace("text generation", "text generation, music composition")
        col.update_note(typo)
        bullets = find_note(col, Number="39")
        bullets["Answer"] = bullets["Answer"].replace("</ul>", "<li>Local attention: a window of inputs.</li>\n</ul>")
        col.update_note(bullets)
        bold = find_note(col, Number="5")
        bold["Question"] = bold["Question"].replace("key", "<b>key</b>")
        col.update_note(bold)
        extra = find_note(col, Number="6")
        extra["Extra"] = "Draw the unrolled network."
        col.update_note(extra)
        subdeck = col.decks.id_for_name(f"{RNN_DECK}::Advanced Topics")
        added = col.new_note(col.models.by_name("deckgen Q&A"))
        added["Question"] = "What is an echo state network?"
        added["Answer"] = "An RNN whose recurrent weights are fixed and random; only the readout is trained."
        col.add_note(added, subdeck)
        deleted = find_note(col, Number="7")
        col.remove_notes([deleted.id])
        ids = {"added": added.guid, "deleted": deleted.guid}
    finally:
        col.close()
    return root, collection, ids


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["apkg", "legacy", "colpkg"])
def test_rnn_edits_come_back_as_exactly_those_lines(rnn_studied, kind):
    root, collection, ids = rnn_studied
    package = export(collection, root / f"export.{kind}", kind, RNN_DECK)
    source = root / "source" / RNN.name
    before = source.read_bytes()

    dry = pull(root, package)
    assert dry.exit_code == 0, dry.output
    removed, added = changed_lines(dry.stdout)
    assert removed == [
        "A2. RNNs are used in tasks like text generation, machine translation, speech recognition, "
        "time-series forecasting, and video analysis.",
    ]
    assert added == [
        "A2. RNNs are used in tasks like text generation, music composition, machine translation, "
        "speech recognition, time-series forecasting, and video analysis.",
        "  • Local attention: a window of inputs.",
    ]
    assert "Q5 (c0575a01fede): not pulled, the source cannot hold it: bold" in dry.stderr
    assert "Q6 (cadcd951ed08): not pulled, the source cannot hold it: Extra" in dry.stderr
    assert f"Q7 ({ids['deleted']}) is not in this package (deleted in Anki, or moved to another deck)" in dry.stderr
    assert f"added in Anki: “What is an echo state network?” (note {ids['added']}); --add appends it" in dry.stderr
    assert "dry run: nothing written" in dry.stderr
    assert source.read_bytes() == before

    with_add = pull(root, package, "--add")
    assert [line for line in changed_lines(with_add.stdout)[1] if line][-2:] == [
        "Q81. What is an echo state network?",
        "A81. An RNN whose recurrent weights are fixed and random; only the readout is trained.",
    ]
    written = pull(root, package, "--add", "--write")
    assert written.exit_code == 0, written.output
    after = source.read_text(encoding="utf-8")
    expected = before.decode("utf-8").replace(
        "text generation, machine", "text generation, music composition, machine").replace(
        "for optimization.\n", "for optimization.\n  • Local attention: a window of inputs.\n").replace(
        "synthetic data generation to ensure balanced learning.\n",
        "synthetic data generation to ensure balanced learning.\n\nQ81. What is an echo state network?\n"
        "A81. An RNN whose recurrent weights are fixed and random; only the readout is trained.\n")
    assert after == expected

    # the rebuilt deck updates nothing the user edited: only the card deleted in Anki (still in
    # the source, as the pull said) comes back, and the note added in Anki gets its Id in place
    build(root)
    log = import_apkg(root / "build" / (RNN.stem + ".apkg"), collection).log
    assert [n.id.guid if hasattr(n.id, "guid") else n.fields[0] for n in log.new] and len(log.new) == 1
    assert log.new[0].fields[0] == "What challenges arise when training RNNs?"
    assert [n.fields[0] for n in log.updated] == ["What is an echo state network?"] and not log.conflicting
    by_guid = {n["guid"]: n for n in notes(collection)}
    assert by_guid[ids["added"]]["fields"]["Question"] == "What is an echo state network?"
    assert by_guid[ids["added"]]["fields"]["Id"] == ids["added"]
    assert "<b>key</b>" in find_fields(by_guid, "5")["Question"]  # bold stays in Anki
    assert find_fields(by_guid, "6")["Extra"] == "Draw the unrolled network."

    again = pull(root, export(collection, root / f"again.{kind}", kind, RNN_DECK), "--add")
    assert again.exit_code == 0 and again.stdout == "", again.output


def find_fields(by_guid, number):
    return next(n["fields"] for n in by_guid.values() if n["fields"]["Number"] == number)


def studied(tmp_path, name: str, text: str):
    """A repository with one source, built an hour ago and imported into a fresh collection."""
    root = project(tmp_path, {name: text})
    build(root, epoch=NOW - 3600)
    collection = root / "user" / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(root / "build" / (Path(name).stem + ".apkg"), collection)
    return root, collection


@pytest.fixture
def md_repo(tmp_path):
    return studied(tmp_path, "deck.md", MD)


def edit_note(collection, number, **changes):
    col = anki_session(collection)
    try:
        note = find_note(col, place=number)
        for name, (old, new) in changes.items():
            assert old in note[name], (name, note[name])
            note[name] = note[name].replace(old, new, 1)
        col.update_note(note)
        return note.guid
    finally:
        col.close()


@pytest.mark.slow
def test_markdown_keeps_bold_extra_and_lists_and_rebuilds_to_the_same_notes(md_repo):
    root, collection = md_repo
    edit_note(collection, 1, Question=("What is a", "What is a <b>rank-n</b>"),
              Answer=("</ul>", "<li>rank 2 is a <i>matrix</i></li>\n</ul>"))
    edit_note(collection, 2, Extra=("steepest ascent", "steepest <b>ascent</b>; it points uphill"))
    edit_note(collection, 3, Answer=("step size", "step length"))
    package = export(collection, root / "deck.apkg", "apkg", "Markdown Deck")
    source = root / "source" / "deck.md"

    result = pull(root, package, "--write")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    text = source.read_text(encoding="utf-8")
    assert text == MD.replace("### What is a *tensor*?", "### What is a **rank-n** *tensor*?").replace(
        "- rank 1 is a vector\n", "- rank 1 is a vector\n- rank 2 is a *matrix*\n").replace(
        'Say "direction of steepest ascent".', 'Say "direction of steepest **ascent**; it points uphill".').replace(
        "step size", "step length")

    build(root)
    imported = import_apkg(root / "build" / "deck.apkg", collection)
    assert (len(imported.log.new), len(imported.log.updated)) == (0, 0)
    rebuilt = read_apkg_fields(root / "build" / "deck.apkg")
    for note in notes(collection):  # what Anki holds is what the source now builds
        held = tuple(same_tags(note["fields"][k]) for k in ("Question", "Answer", "Extra"))
        assert rebuilt[note["guid"]][:3] == held


def same_tags(html):
    """Anki's editor writes <b> and <i> where deckgen writes <strong> and <em>."""
    for old, new in (("b", "strong"), ("i", "em")):
        html = html.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return html


def read_apkg_fields(apkg):
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
    path = apkg.with_suffix(".sqlite")
    path.write_bytes(data)
    try:
        return {guid: tuple(flds.split("\x1f")) for guid, flds in sqlite3.connect(path).execute("SELECT guid, flds FROM notes")}
    finally:
        path.unlink()


@pytest.mark.slow
def test_derived_field_edits_are_ignored_with_a_warning(md_repo):
    root, collection = md_repo
    edit_note(collection, 3, Answer=("step size", "step length"), Section=("Training", "Optimisation"))
    result = pull(root, export(collection, root / "d.apkg", "apkg", "Markdown Deck"))
    assert result.exit_code == 0
    assert "edits to Section are not pulled (deckgen derives these fields)" in result.stderr
    assert changed_lines(result.stdout) == (["The step size of gradient descent."], ["The step length of gradient descent."])


@pytest.mark.slow
def test_a_card_changed_on_both_sides_is_a_conflict_until_resolved(md_repo):
    root, collection = md_repo
    edit_note(collection, 3, Answer=("step size", "step length in Anki"))
    package = export(collection, root / "d.apkg", "apkg", "Markdown Deck")
    source = root / "source" / "deck.md"
    source.write_text(MD.replace("step size", "step size in the source"), encoding="utf-8")
    mine = source.read_bytes()

    for args in ([], ["--write"]):
        result = pull(root, package, *args)
        assert result.exit_code == 1
        assert "conflict: source/deck.md: Q3 changed in the source and in Anki since the last build" in result.stdout
        assert "-The step size in the source of gradient descent." in result.stdout
        assert "+The step length in Anki of gradient descent." in result.stdout
        assert "1 conflict(s)" in result.stderr and source.read_bytes() == mine

    ours = pull(root, package, "--write", "--ours")
    assert ours.exit_code == 0 and "the source wins (--ours)" in ours.stderr
    assert source.read_bytes() == mine
    theirs = pull(root, package, "--write", "--theirs")
    assert theirs.exit_code == 0, theirs.output
    assert source.read_text(encoding="utf-8") == MD.replace("step size", "step length in Anki")


@pytest.mark.slow
def test_a_stale_collection_is_not_pulled(md_repo):
    root, collection = md_repo
    edit_note(collection, 3, Answer=("step size", "step length"))
    package = export(collection, root / "old.apkg", "apkg", "Markdown Deck")
    source = root / "source" / "deck.md"
    source.write_text(MD.replace("step size", "size of the step"), encoding="utf-8")
    build(root, epoch=NOW + 3600)  # a build after the Anki edit: the collection has not imported it
    result = pull(root, package)
    assert result.exit_code == 0 and result.stdout == ""
    assert "1 note(s) differ but are not newer than the last build; not pulled" in result.stderr


@pytest.mark.slow
def test_unchanged_collection_pulls_nothing_and_other_notes_are_counted(md_repo):
    root, collection = md_repo
    col = anki_session(collection)
    try:
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"], basic["Back"] = "front", "back"
        col.add_note(basic, col.decks.id_for_name("Default"))
        note = find_note(col, place=1)
        note.tags.append("marked")  # Anki's own tag: not an edit
        col.update_note(note)
    finally:
        col.close()
    result = pull(root, export(collection, root / "all.colpkg", "colpkg"))
    assert result.exit_code == 0 and result.stdout == ""
    assert "1 note(s) of other note types or decks ignored" in result.stderr
    assert "nothing to pull" in result.stderr


@pytest.mark.slow
def test_a_profile_collection_file_is_read_and_never_written(md_repo):
    root, collection = md_repo
    edit_note(collection, 3, Answer=("step size", "step length"))
    before = collection.read_bytes()
    result = pull(root, collection)
    assert result.exit_code == 0, result.output
    assert "+The step length of gradient descent." in result.stdout
    assert collection.read_bytes() == before


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.slow
def test_bad_packages_give_one_clear_line_and_leave_sources_alone(md_repo, tmp_path):
    root, collection = md_repo
    real = export(collection, root / "real.apkg", "legacy", "Markdown Deck")
    with zipfile.ZipFile(real) as archive:
        db = archive.read("collection.anki21")
    unknown = tmp_path / "unknown.anki2"
    unknown.write_bytes(db)
    conn = sqlite3.connect(unknown)
    conn.execute("UPDATE col SET ver = 99")
    conn.commit()
    conn.close()
    import genanki

    other = genanki.Deck(1234, "Other tool")
    other.add_note(genanki.Note(genanki.BASIC_MODEL, ["front", "back"]))
    genanki.Package(other).write_to_file(tmp_path / "other.apkg")
    cases = {
        _write(tmp_path / "notes.apkg", b"just some text\n"): "not an Anki package or collection",
        _zip(tmp_path / "empty.apkg", {"readme.txt": "hi"}): "a zip file without an Anki collection in it",
        _zip(tmp_path / "cut.apkg", {"collection.anki21": db[: len(db) // 3]}): "the collection cannot be read (truncated or damaged?)",
        _zip(tmp_path / "zstd.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd" + b"garbage" * 10}): "cannot be decompressed",
        _zip(tmp_path / "schema.apkg", {"collection.anki2": unknown.read_bytes()}): "collection schema 99 is not one deckgen reads",
        tmp_path / "other.apkg": "no notes of deckgen's note type in it (1 other note(s))",
        tmp_path / "missing.apkg": "no such file",
    }
    source = root / "source" / "deck.md"
    before = source.read_bytes()
    for package, message in cases.items():
        result = pull(root, package, "--write")
        assert result.exit_code == 1, (package, result.output)
        assert "Traceback" not in result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {package}") and message in lines[0], (package, lines)
        assert source.read_bytes() == before


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.slow
def test_write_is_all_or_nothing_when_a_source_changes_underneath(md_repo, monkeypatch):
    root, collection = md_repo
    edit_note(collection, 3, Answer=("step size", "step length"))
    package = export(collection, root / "d.apkg", "apkg", "Markdown Deck")
    from deckgen import pull as pull_module
    from deckgen.config import load_settings

    settings = load_settings(root, {}).settings
    os.chdir(root)
    result = pull_module.pull(package, "d.apkg", settings, root, {})
    source = root / "source" / "deck.md"
    ids = root / "source" / "deck.ids.json"
    ids_before = ids.read_bytes()
    source.write_text(MD + "\n", encoding="utf-8")  # a person saves the file meanwhile
    with pytest.raises(Exception, match="changed on disk while pulling; nothing written"):
        pull_module.apply(result)
    assert source.read_text(encoding="utf-8") == MD + "\n" and ids.read_bytes() == ids_before
    assert not [p for p in source.parent.iterdir() if "deckgen-pull" in p.name]


@pytest.mark.slow
def test_ids_file_records_the_pulled_hash_and_time(md_repo):
    root, collection = md_repo
    guid = edit_note(collection, 3, Answer=("step size", "step length"))
    package = export(collection, root / "d.apkg", "apkg", "Markdown Deck")
    assert pull(root, package, "--write").exit_code == 0
    entry = next(json.loads(line.rstrip(",")) for line in (root / "source" / "deck.ids.json").read_text().splitlines()
                 if guid in line)
    note = next(n for n in notes(collection) if n["guid"] == guid)
    assert entry["modified"] == note["mod"]
    locked = run(["build", "--format", "apkg", "--locked"], root)
    assert locked.exit_code == 0, locked.output  # the ids file already says what the build makes


# -- the way back keeps what deckgen writes ---------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from deckgen.model import Card, CodeBlock, Deck, Inline, ListBlock, Paragraph, Section, SourceSpan, StudyCard  # noqa: E402

words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S"), exclude_characters="\x7f"),
                min_size=1, max_size=8)
phrase = st.lists(words, min_size=1, max_size=4).map(" ".join)
runs = st.lists(st.one_of(
    phrase.map(lambda t: Inline("text", t)),
    phrase.map(lambda t: Inline("strong", t)),
    phrase.map(lambda t: Inline("em", t)),
    words.map(lambda t: Inline("code", t)),
    st.tuples(phrase, st.sampled_from(["https://example.com/a?b=1&c=2", "mailto:a@b.c"])).map(
        lambda p: Inline("link", p[0], p[1])),
), min_size=1, max_size=4).map(lambda r: tuple(x for i, x in enumerate(r) for x in ((Inline("text", " "), x) if i else (x,))))
paragraph = runs.map(Paragraph)
items = st.lists(paragraph.map(lambda p: (p,)), min_size=1, max_size=3).map(tuple)
block = st.one_of(
    paragraph,
    st.tuples(items, st.booleans(), st.integers(1, 9)).map(lambda t: ListBlock(t[0], t[1], t[2] if t[1] else 1)),
    st.tuples(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30),
              st.sampled_from(["", "python", "c++"])).map(lambda t: CodeBlock(t[0].strip() or "x", t[1])),
)
answers = st.lists(block, min_size=1, max_size=4).map(tuple)


@settings(max_examples=int(os.environ.get("DECKGEN_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(question=runs, answer=answers, extra=st.one_of(st.just(()), answers))
def test_anki_html_reads_back_into_markdown_and_rebuilds_to_the_same_fields(question, answer, extra):
    from deckgen.convert import to_markdown
    from deckgen.fromanki import read_field
    from deckgen.readers.markdown import read_markdown
    from deckgen.writers.apkg import note_fields

    def fields(card):
        return note_fields(StudyCard(card, "x1", 1), "deck.md", "", {})[:3]

    span = SourceSpan("deck.md", 1)
    written = Card(1, question, answer, "S", span, extra=extra)
    html = fields(written)
    pulled = [read_field(h) for h in html]
    assert not any(p.lost for p in pulled), [p.lost for p in pulled]
    card = Card(1, pulled[0].inlines, pulled[1].blocks, "S", span, extra=pulled[2].blocks)
    text = to_markdown(Deck("T", "deck.md", (Section("S", span, (card,)),)))
    (back,) = read_markdown(text, "deck.md", "T").cards
    assert fields(back) == html, text


CLOZE_MD = """# Capitals

## Europe

### The capital of France is {{c1::Paris}} and of Italy {{c2::Rome::city}}.

<!-- deckgen: extra -->

Both are old capitals.

### What is the capital of Spain?

Madrid.
"""


@pytest.mark.slow
def test_cloze_notes_come_back_too(tmp_path):
    root, collection = studied(tmp_path, "caps.md", CLOZE_MD)
    col = anki_session(collection)
    try:
        note = find_note(col, place=1)
        assert "{{c1::Paris}}" in note["Text"]
        note["Text"] = note["Text"].replace("{{c2::Rome::city}}", "{{c2::Rome::a city}} and of Germany {{c3::Berlin}}")
        col.update_note(note)
    finally:
        col.close()
    package = export(collection, root / "caps.apkg", "apkg", "Capitals")
    result = pull(root, package, "--write")
    assert result.exit_code == 0, result.output
    assert changed_lines(result.stdout) == (
        ["### The capital of France is {{c1::Paris}} and of Italy {{c2::Rome::city}}."],
        ["### The capital of France is {{c1::Paris}} and of Italy {{c2::Rome::a city}} and of Germany {{c3::Berlin}}."],
    )
    build(root)
    imported = import_apkg(root / "build" / "caps.apkg", collection)
    assert (len(imported.log.new), len(imported.log.updated)) == (0, 0)
    assert imported.cards == 4  # three clozes and the Q&A card


@pytest.mark.slow
def test_a_note_added_in_a_new_subdeck_starts_a_section(md_repo):
    root, collection = md_repo
    col = anki_session(collection)
    try:
        deck = col.decks.id(f"{'Markdown Deck'}::Extras", create=True)
        note = col.new_note(col.models.by_name("deckgen Q&A"))
        note["Question"], note["Answer"] = "What is <i>momentum</i>?", "<ul><li>a running average</li><li>of gradients</li></ul>"
        col.add_note(note, deck)
    finally:
        col.close()
    package = export(collection, root / "d.apkg", "apkg", "Markdown Deck")
    result = pull(root, package, "--add", "--write")
    assert result.exit_code == 0, result.output
    text = (root / "source" / "deck.md").read_text(encoding="utf-8")
    assert text == MD + "\n## Extras\n\n### What is *momentum*?\n\n- a running average\n- of gradients\n"
    build(root)
    imported = import_apkg(root / "build" / "deck.apkg", collection)
    assert (len(imported.log.new), len(imported.log.updated)) == (0, 1)  # its Id and Section filled in
    momentum = next(n for n in notes(collection) if "momentum" in n["fields"]["Question"])
    assert (momentum["fields"]["Id"], momentum["fields"]["Section"]) == (momentum["guid"], "Extras")


@pytest.mark.slow
def test_pulling_into_another_page_shape_is_refused_with_the_way_out(tmp_path):
    text = "Prep\n\n1. What is a mutex?\n\nA lock only one thread holds.\n\n2. What is a semaphore?\n\nA counter of permits.\n"
    root, collection = studied(tmp_path, "p.txt", text)
    edit_note(collection, 2, Answer=("permits", "permits, shared"))
    result = pull(root, export(collection, root / "p.apkg", "apkg", "Prep"), "--write")
    assert result.exit_code == 1
    assert ("source/p.txt: read as numbered; deckgen pull writes back into Markdown in deckgen's own form "
            "(a ### heading per question) and Q/A-marker text sources") in result.stderr
    assert "deckgen convert source/p.txt -o NAME.md" in result.stderr
    assert (root / "source" / "p.txt").read_text(encoding="utf-8") == text


@pytest.mark.slow
def test_a_web_page_in_another_charset_beside_the_sources_does_not_stop_a_pull(md_repo):
    root, collection = md_repo
    (root / "source" / "legacy.html").write_bytes(
        b'<html><head><meta charset="iso-8859-1"></head><body><p>Q1. Caf\xe9?</p><p>A1. Cr\xe8me.</p></body></html>')
    edit_note(collection, 3, Answer=("step size", "step length"))
    result = pull(root, export(collection, root / "d.apkg", "apkg", "Markdown Deck"))
    assert result.exit_code == 0, result.output
    assert "+The step length of gradient descent." in result.stdout


@pytest.mark.slow
def test_a_note_whose_card_left_the_source_is_kept_not_added(md_repo):
    root, collection = md_repo
    source = root / "source" / "deck.md"
    source.write_text(MD.replace("## Training\n\n### What is a learning rate?\n\nThe step size of gradient descent.\n", ""),
                      encoding="utf-8")
    for _ in range(2):  # before the build forgets the card, and after
        result = pull(root, export(collection, root / "d.apkg", "apkg", "Markdown Deck"))
        assert result.exit_code == 0, result.output
        assert "source/deck.md: kept in Anki (its card left the source): “What is a learning rate?”" in result.stderr
        assert "added in Anki" not in result.stderr
        build(root)
