"""The ids file hashes what a card's source says, never what a library rendered from it: a new
Pygments changes no hash and no time, an edit changes its own card only, and an ids file hashed
the old way (rendered fields) is taken over with every note's time kept. Each outcome is read
back with the real Anki engine. Also: `deckgen import` says each error once."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

from tests.helpers import anki_session, export, find_note, import_apkg, notes, project, run

T0 = 1_700_000_000  # the first build
T1 = T0 + 86_400  # a day later

DECK = """# Code Deck

## Python

### What does a list comprehension look like?

```python
squares = [x * x for x in range(10)]  # 'squares' of "numbers"
```

### How do you select a row?

```sql
SELECT name FROM users WHERE id = 'x';
```

### What is a tuple?

An immutable sequence.
"""


def build(root, *args, epoch=T0):
    return run(["build", "--format", "apkg", *args], root, env={"SOURCE_DATE_EPOCH": str(epoch)})


def entries(root, name: str = "code") -> dict[str, dict]:
    """The ids file's cards by id."""
    data = json.loads((root / "source" / f"{name}.ids.json").read_text(encoding="utf-8"))
    return {card["id"]: card for card in data["cards"]}


def anki_notes(root, name: str) -> dict[str, dict]:
    """The package as a fresh collection holds it after importing, by GUID."""
    collection = root / name / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(root / "build" / "code.apkg", collection)
    return {n["guid"]: n for n in notes(collection)}


@pytest.fixture
def repo(tmp_path):
    root = project(tmp_path, {"code.md": DECK})
    result = build(root)
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.slow
def test_a_new_pygments_changes_no_hash_and_no_time(repo, monkeypatch):
    ids = repo / "source" / "code.ids.json"
    before = ids.read_bytes()
    first = anki_notes(repo, "first")
    user = repo / "user" / "collection.anki2"
    user.parent.mkdir()
    import_apkg(repo / "build" / "code.apkg", user)

    import io

    from pygments.formatters import HtmlFormatter

    from deckgen import richtext as rich

    real = HtmlFormatter.format

    def newer(self, tokens, outfile):  # another release wraps its tokens otherwise
        written = io.StringIO()
        real(self, tokens, written)
        outfile.write(written.getvalue().replace('<span class="hl-', '<span data-pygments="next" class="hl-'))

    monkeypatch.setattr(HtmlFormatter, "format", newer)
    from deckgen import buildrecord

    versions = buildrecord._versions()  # and it says so: Pygments is among the writers' versions
    monkeypatch.setattr(buildrecord, "_versions", lambda: versions.replace("Pygments=", "Pygments=next-"))
    rich._highlighted.cache_clear()  # code highlighted by the first build, in this process
    locked = build(repo, "--locked", epoch=T1)
    assert locked.exit_code == 0, locked.output
    assert build(repo, epoch=T1).exit_code == 0
    assert ids.read_bytes() == before

    second = anki_notes(repo, "second")
    code_cards = [g for g, n in first.items() if "<pre>" in n["fields"]["Answer"]]
    assert len(code_cards) == 2
    for guid in code_cards:  # the fields did change: the patched Pygments was used
        assert 'data-pygments="next"' in second[guid]["fields"]["Answer"]
        assert first[guid]["fields"]["Answer"] != second[guid]["fields"]["Answer"]
    assert {g: n["mod"] for g, n in second.items()} == {g: T0 for g in first}
    again = import_apkg(repo / "build" / "code.apkg", user)
    assert (len(again.log.new), len(again.log.updated)) == (0, 0)


@pytest.mark.parametrize(("old", "new", "question"), [
    ("An immutable sequence.", "An immutable, ordered sequence.", "What is a tuple?"),  # words
    ("id = 'x'", "id = 'y'", "How do you select a row?"),  # a code block's text
    ("```sql", "```mysql", "How do you select a row?"),  # a code block's language
])
def test_an_edit_changes_that_cards_hash_and_time_only(repo, old, new, question):
    before = entries(repo)
    source = repo / "source" / "code.md"
    source.write_text(DECK.replace(old, new), encoding="utf-8")
    assert build(repo, epoch=T1).exit_code == 0
    after = entries(repo)
    changed = {i for i in before if before[i] != after[i]}
    assert len(changed) == 1 and set(after) == set(before)
    (card,) = changed
    assert after[card]["question"] == question
    assert after[card]["hash"] != before[card]["hash"] and after[card]["modified"] == T1


def test_moving_cards_in_the_source_changes_no_hash(repo):
    before = (repo / "source" / "code.ids.json").read_bytes()
    source = repo / "source" / "code.md"
    source.write_text(DECK.replace("## Python\n", "## Python\n\n\n\n"), encoding="utf-8")  # every line moves
    assert build(repo, "--locked", epoch=T1).exit_code == 0
    assert (repo / "source" / "code.ids.json").read_bytes() == before


@pytest.mark.slow
def test_hashes_are_the_same_under_any_hash_seed(tmp_path):
    written = []
    for seed in ("1", "2"):
        root = project(tmp_path / seed, {"code.md": DECK})
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": str(T0)}
        subprocess.run([sys.executable, "-m", "deckgen", "build", "--format", "apkg"], cwd=root, env=env,
                       check=True, capture_output=True)
        written.append((root / "source" / "code.ids.json").read_bytes())
    assert written[0] == written[1]


@pytest.mark.slow
def test_the_users_own_field_templates_reach_the_notes_and_other_templates_do_not(repo):
    user = repo / "user" / "collection.anki2"
    user.parent.mkdir()
    import_apkg(repo / "build" / "code.apkg", user)
    before = entries(repo)
    theme = repo / "theme"
    theme.mkdir()
    (theme / "handout.css.j2").write_text("body { color: teal; }\n", encoding="utf-8")
    assert build(repo, "--templates", "theme", "--locked", epoch=T1).exit_code == 0
    (theme / "anki_answer.html.j2").write_text(
        '<div class="mine">{% include "builtin/anki_answer.html.j2" %}</div>', encoding="utf-8")
    assert build(repo, "--templates", "theme", epoch=T1).exit_code == 0
    after = entries(repo)
    assert {i: e["modified"] for i, e in after.items()} == {i: T1 for i in before}
    imported = import_apkg(repo / "build" / "code.apkg", user)
    assert len(imported.log.updated) == 3
    assert all(n["fields"]["Answer"].startswith('<div class="mine">') for n in notes(user))


def old_hash(note: dict, place: int) -> str:
    """What deckgen before ids file version 3 stored: a hash of the note's fields and tags (the
    Number field held a Markdown card's place then)."""
    digest = hashlib.sha256()
    fields = dict(note["fields"], Number=note["fields"]["Number"] or str(place))
    for part in (*fields.values(), *sorted(note["tags"])):
        digest.update(part.encode("utf-8") + b"\x1f")
    return digest.hexdigest()[:16]


def make_old(root, collection, name: str = "code") -> dict:
    """Rewrite the ids file as deckgen wrote it before version 3 (hashes of the fields Anki holds);
    the ids file as it was is returned."""
    ids = root / "source" / f"{name}.ids.json"
    data = json.loads(ids.read_text(encoding="utf-8"))
    held = {n["guid"]: n for n in notes(collection)}
    old = {
        "deckgen-ids": 2,
        "about": data["about"],
        "notetypes": data["notetypes"],
        "cards": [dict(card, hash=old_hash(held[card["id"]], n)) for n, card in enumerate(data["cards"], start=1)],
    }
    ids.write_text(json.dumps(old, indent=1), encoding="utf-8")
    return data


@pytest.fixture
def old_repo(repo):
    """The deck built at T0 and imported, its ids file in the format before version 3."""
    collection = repo / "user" / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(repo / "build" / "code.apkg", collection)
    new_format = make_old(repo, collection)
    return repo, collection, new_format


@pytest.mark.slow
def test_an_old_ids_file_is_taken_over_with_every_time_kept(old_repo):
    root, collection, new_format = old_repo
    ids = root / "source" / "code.ids.json"
    old_text = ids.read_bytes()
    locked = build(root, "--locked", epoch=T1)  # nothing changed: CI passes, and writes nothing
    assert locked.exit_code == 0, locked.output
    assert ("source/code.ids.json: written by an older deckgen; `deckgen build` brings it to "
            "format 4 (no card changed)") in locked.stderr
    assert ids.read_bytes() == old_text

    result = build(root, epoch=T1)
    assert result.exit_code == 0, result.output
    assert "source/code.ids.json: now in format 4 (hashes of the source; no card changed)" in result.stderr
    data = json.loads(ids.read_text(encoding="utf-8"))
    assert data["deckgen-ids"] == 4
    assert data == new_format  # the same ids, times and hashes as a build in the new format
    assert {c["modified"] for c in data["cards"]} == {T0}
    imported = import_apkg(root / "build" / "code.apkg", collection)
    assert (len(imported.log.new), len(imported.log.updated)) == (0, 0)
    assert build(root, "--locked", epoch=T1).exit_code == 0


@pytest.mark.slow
def test_an_old_ids_file_and_an_edit_give_that_card_alone_a_new_time(old_repo):
    root, collection, new_format = old_repo
    source = root / "source" / "code.md"
    source.write_text(DECK.replace("An immutable sequence.", "An immutable, ordered sequence."), encoding="utf-8")
    locked = build(root, "--locked", epoch=T1)
    assert locked.exit_code == 1
    assert locked.stderr.count("changed card") == 1 and "changed card" in locked.stderr.splitlines()[1]
    assert "What is a tuple?" in locked.stderr.splitlines()[1]

    assert build(root, epoch=T1).exit_code == 0
    data = json.loads((root / "source" / "code.ids.json").read_text(encoding="utf-8"))
    times = {c["question"]: c["modified"] for c in data["cards"]}
    assert times == {"What does a list comprehension look like?": T0, "How do you select a row?": T0,
                     "What is a tuple?": T1}
    imported = import_apkg(root / "build" / "code.apkg", collection)
    assert (len(imported.log.new), len(imported.log.updated)) == (0, 1)


TEXT_DECK = """Text Deck

Q1. What is a tensor?
A1. An n-dimensional array.

Q2. What is a tuple?
A2. An immutable sequence.
"""


@pytest.mark.slow
def test_pull_reads_an_old_ids_file(tmp_path):
    root = project(tmp_path, {"text.txt": TEXT_DECK})
    assert build(root).exit_code == 0
    collection = root / "user" / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(root / "build" / "text.apkg", collection)
    new_format = make_old(root, collection, "text")
    col = anki_session(collection)
    try:
        note = find_note(col, Number="2")
        note["Answer"] = note["Answer"].replace("immutable", "unchangeable")
        col.update_note(note)
    finally:
        col.close()
    package = export(collection, root / "d.apkg", "apkg", "Text Deck")
    result = run(["pull", str(package), "--write"], root)
    assert result.exit_code == 0, result.output
    assert "conflict" not in result.output
    assert (root / "source" / "text.txt").read_text(encoding="utf-8") == TEXT_DECK.replace("immutable", "unchangeable")
    data = json.loads((root / "source" / "text.ids.json").read_text(encoding="utf-8"))
    assert data["deckgen-ids"] == 4
    assert data["cards"][0] == new_format["cards"][0]  # the card not pulled: taken over, time kept
    assert data["cards"][1]["modified"] > T0
    assert build(root, "--locked", epoch=T1).exit_code == 0  # the pull wrote what the build makes


@pytest.mark.slow
def test_pull_knows_a_note_that_holds_what_was_built_from_a_source_edit(tmp_path):
    root = project(tmp_path, {"text.txt": TEXT_DECK})
    assert build(root).exit_code == 0
    collection = root / "user" / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(root / "build" / "text.apkg", collection)
    col = anki_session(collection)
    try:
        note = find_note(col, Number="2")
        note.tags.append("reviewed")  # newer than the build, its fields as built
        col.update_note(note)
    finally:
        col.close()
    edited = TEXT_DECK.replace("An immutable sequence.", "An immutable, ordered sequence.")
    (root / "source" / "text.txt").write_text(edited, encoding="utf-8")
    result = run(["pull", str(export(collection, root / "d.apkg", "apkg", "Text Deck"))], root)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "conflict" not in result.stderr  # the source's edit wins


# -- deckgen import: one prefix a message --------------------------------------------------------

DUPLICATE = (b"<html><body><p>Q1. What is X?</p><p>A1. X is x.</p>"
             b"<p>Q1. What is Y?</p><p>A1. Y is y.</p></body></html>")


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        data, kind = (DUPLICATE, "text/html") if self.path == "/dup.html" else (b"{}", "application/json")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Pages))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_import_of_a_page_with_errors_says_error_once_a_line(tmp_path, server):
    root = project(tmp_path)
    (root / "dup.html").write_bytes(DUPLICATE)
    for source in ("dup.html", f"{server}/dup.html"):
        result = run(["import", source, "-o", "source/x.md"], root)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{source}:1:52: error: Q1 is numbered again (first at line 1) [DG005]",
            f"error: {source}: not imported",
        ]
        assert not (root / "source" / "x.md").exists()


@pytest.mark.parametrize(("source", "line"), [
    ("missing.html", "error: missing.html: no such file"),
    ("notes.pdf", "error: notes.pdf: import reads a document (.htm, .html, .markdown, .md, .text, .txt) or an http(s) URL"),
    ("ftp://example.com/x.html", "error: ftp://example.com/x.html: only http and https addresses are fetched"),
    ("http://[bad/x.html", "error: http://[bad/x.html: not a valid address (Invalid IPv6 URL)"),
    ("{server}/data.json", "error: {server}/data.json: the server sent application/json, not an HTML page, Markdown or text"),
])
def test_import_failures_are_one_line_with_one_prefix(tmp_path, server, source, line):
    root = project(tmp_path)
    result = run(["import", source.format(server=server), "-o", "source/x.md"], root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [line.format(server=server)]
