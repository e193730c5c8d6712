"""deckgen pull on hostile Anki files, and a --write that is interrupted (issue #23: 2, 6, 7, 8, 12).

Real packages come from the real Anki engine; hostile ones are crafted from them with sqlite3,
zipfile and zstandard. Bombs are small on disk; that memory and time stay bounded is shown by the
error that stops them (under an address-space and file-size limit in a subprocess), never by timing.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import anki_session, export, find_note, import_apkg, project, run
from tests.test_pull import MD

DECK = "Markdown Deck"
MEMORY = 512 << 20  # address space for a pull in a subprocess: a plain pull peaks near 55 MB
PULL_TEMP = ".deckgen-pull-"


@pytest.fixture(scope="module")
def studied(tmp_path_factory):
    """deck.md built an hour ago, imported into Anki, Q3's answer edited there, and exported in both
    package formats (the legacy one holds a plain SQLite collection to craft from)."""
    root = project(tmp_path_factory.mktemp("studied"), {"deck.md": MD})
    env = {"SOURCE_DATE_EPOCH": str(int(time.time()) - 3600)}
    assert run(["build", "--format", "apkg"], root, env=env).exit_code == 0
    collection = root / "user" / "collection.anki2"
    collection.parent.mkdir()
    import_apkg(root / "build" / "deck.apkg", collection)
    col = anki_session(collection)
    try:
        note = find_note(col, place=3)
        note["Answer"] = note["Answer"].replace("step size", "step length")
        col.update_note(note)
    finally:
        col.close()
    export(collection, root / "legacy.apkg", "legacy", DECK)
    export(collection, root / "modern.apkg", "apkg", DECK)
    return root


@pytest.fixture
def repo(studied, tmp_path):
    """A fresh copy of the studied repository, with an empty TMPDIR of its own."""
    root = tmp_path / "repo"
    shutil.copytree(studied, root)
    (root / "tmp").mkdir()
    return root


@pytest.fixture
def own_tmpdir(repo, monkeypatch):
    """In-process pulls make their private copies in repo/tmp, to check they are removed."""
    monkeypatch.setattr(tempfile, "tempdir", str(repo / "tmp"))
    return repo / "tmp"


def collection_db(root: Path) -> bytes:
    with zipfile.ZipFile(root / "legacy.apkg") as archive:
        return archive.read("collection.anki21")


def craft(root: Path, name: str, sql: str, member: str = "collection.anki21") -> Path:
    """The studied collection changed by `sql`, zipped as an .apkg."""
    db = root / f"{name}.sqlite"
    db.write_bytes(collection_db(root))
    conn = sqlite3.connect(db)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    package = root / f"{name}.apkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(db, member)
    db.unlink()
    return package


def settings(root: Path, text: str) -> None:
    (root / "deckgen.toml").write_text(text, encoding="utf-8")


def one_error(result, alone: bool = True) -> str:
    """The one error line a failed pull ends with (the only line it says when `alone`), exit 1."""
    stderr = result.stderr
    assert (result.returncode if hasattr(result, "returncode") else result.exit_code) == 1
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("error")] == lines[-1:], lines
    assert len(lines) == 1 or not alone, lines
    return lines[-1]


def limited_pull(root: Path, package: Path, memory: int = MEMORY, file_size: int | None = None,
                 timeout: float = 30) -> subprocess.CompletedProcess:
    """`deckgen pull PACKAGE` in a subprocess with at most `memory` bytes of address space (and
    `file_size` bytes per file written), TMPDIR in root/tmp."""
    script = (
        "import resource, signal, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
        + (f"signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
           f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size}, {file_size}))\n" if file_size else "")
        + "from deckgen.cli import main\nmain(sys.argv[1:], prog_name='deckgen')\n"
    )
    env = {**os.environ, "TMPDIR": str(root / "tmp"), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", script, "pull", str(package)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    return done


def leftovers(root: Path) -> list[str]:
    found = [p.name for p in (root / "tmp").iterdir()]
    found += [p.name for p in (root / "source").iterdir() if PULL_TEMP in p.name]
    return found


# -- 2. a package may not run code, nor grow without bound -------------------------------------
ENDLESS = """
ALTER TABLE notes RENAME TO stored_notes;
CREATE VIEW notes AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
  SELECT i AS id, 'g' || i AS guid, 0 AS mid, 0 AS mod, '' AS tags, '' AS flds FROM n;
"""
PADDED = """
ALTER TABLE notes RENAME TO stored_notes;
CREATE VIEW notes AS SELECT id, guid, mid, mod, tags, flds || printf('%.*c', 900000000, 'x') AS flds
  FROM stored_notes;
"""


@pytest.mark.slow
@pytest.mark.parametrize("name, sql", [("endless", ENDLESS), ("padded", PADDED)], ids=["endless", "padded"])
def test_a_view_in_place_of_notes_is_refused_before_it_runs(repo, name, sql):
    # before: the endless view ran until TMPDIR was full, deaf to Ctrl-C; the padded one took 3.1 GB
    package = craft(repo, name, sql)
    done = limited_pull(repo, package, file_size=256 << 20)
    assert one_error(done) == (
        f"error: {package}: collection.anki21: 'notes' is a view; deckgen reads only collections made of "
        f"plain tables, as Anki writes them (not read)")
    assert leftovers(repo) == []


@pytest.mark.slow
@pytest.mark.parametrize("name, sql, said", [
    ("trigger", "CREATE TRIGGER t AFTER UPDATE ON notes BEGIN SELECT 1; END;", "'t' is a trigger"),
    ("virtual", """ALTER TABLE notes RENAME TO stored_notes;
        CREATE VIRTUAL TABLE notes USING fts5(id, guid, mid, mod, tags, flds);
        INSERT INTO notes SELECT id, guid, mid, mod, tags, flds FROM stored_notes;""", "'notes' is a virtual table"),
    ("generated", """ALTER TABLE notes RENAME TO stored_notes;
        CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, mod integer, tags text, stored text,
          flds text GENERATED ALWAYS AS (replace(stored, 'step length', 'step ' || printf('%.*c', 2000000, 'x'))));
        INSERT INTO notes SELECT id, guid, mid, mod, tags, flds FROM stored_notes;""",
     "column 'flds' of 'notes' is computed, not stored"),
], ids=["trigger", "virtual", "generated"])
def test_collections_with_code_in_them_are_refused(repo, own_tmpdir, name, sql, said):
    package = craft(repo, name, sql)
    result = run(["pull", str(package)], repo)
    line = one_error(result)
    assert line.startswith(f"error: {package}: collection.anki21: {said}"), line
    assert "deckgen reads only collections made of plain tables, as Anki writes them (not read)" in line
    assert leftovers(repo) == []


def zstd_bomb(root: Path, size: int) -> Path:
    """An .apkg whose collection.anki21b is `size` zero bytes, zstd-compressed: a few KB on disk."""
    import zstandard

    compressor = zstandard.ZstdCompressor(level=3).compressobj()
    block = bytes(1 << 20)
    data = b"".join(compressor.compress(block) for _ in range(size >> 20)) + compressor.flush()
    package = root / "zstd-bomb.apkg"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("collection.anki21b", data)
    return package


@pytest.mark.slow
def test_a_zstd_bomb_stops_at_the_byte_budget_in_bounded_memory(repo):
    # before: 160 KB of zstd reached 4.1 GB of memory (read whole, then decompressed whole)
    package = zstd_bomb(repo, 3 << 30)
    assert package.stat().st_size < 200_000
    done = limited_pull(repo, package, file_size=2 << 30, timeout=120)
    assert one_error(done) == (f"error: {package}: collection.anki21b: more than 1,073,741,824 bytes once "
                               f"decompressed; not read (setting 'max-package-bytes')")
    assert leftovers(repo) == []


@pytest.mark.slow
def test_a_deflate_bomb_stops_at_the_byte_budget(repo):
    # before: a 4 MB deflate zip reached 8.2 GB of memory and wrote a 4 GiB temp file
    settings(repo, "max-package-bytes = 4_000_000\n")
    package = repo / "deflate-bomb.apkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("collection.anki21", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(1 << 20))
    assert package.stat().st_size < 100_000
    done = limited_pull(repo, package, memory=256 << 20, file_size=16 << 20)
    assert one_error(done) == (f"error: {package}: collection.anki21: more than 4,000,000 bytes once "
                               f"decompressed; not read (setting 'max-package-bytes')")
    assert leftovers(repo) == []


@pytest.mark.slow
def test_a_sparse_collection_file_is_refused_by_its_size(repo):
    # before: a 4 KB sparse collection.anki2 was copied whole (6 GB)
    sparse = repo / "collection.anki2"
    with open(sparse, "wb") as handle:
        handle.write(b"SQLite format 3\x00")
        handle.truncate(6 << 30)
    done = limited_pull(repo, sparse, file_size=64 << 20)
    assert one_error(done) == (f"error: {sparse}: more than 1,073,741,824 bytes to copy; not read "
                               f"(setting 'max-package-bytes')")
    assert leftovers(repo) == []


@pytest.mark.slow
def test_row_and_value_size_limits_are_settings(repo, own_tmpdir):
    package = craft(repo, "big-field", """
        UPDATE notes SET flds = replace(flds, 'step length', 'step ' || printf('%.*c', 100000, 'x'))
          WHERE flds LIKE '%step length%';""")
    settings(repo, "max-field-bytes = 65536\n")
    assert one_error(run(["pull", str(package)], repo)) == (
        f"error: {package}: collection.anki21: a value in 'notes' is longer than 65,536 bytes; not read "
        f"(setting 'max-field-bytes')")
    settings(repo, "max-package-rows = 5\n")
    line = one_error(run(["pull", str(repo / "legacy.apkg")], repo))
    assert line.endswith("rows in 'sqlite_master'; not read (setting 'max-package-rows')"), line
    assert leftovers(repo) == []


@pytest.mark.slow
def test_a_huge_field_in_a_note_of_another_type_is_never_loaded(repo, own_tmpdir):
    package = craft(repo, "other-type", """
        INSERT INTO notes SELECT id + 7, 'other', 42, mod, usn, tags, printf('%.*c', 200000, 'x'), sfld, csum, flags, data
          FROM notes WHERE flds LIKE '%step length%';""")
    settings(repo, "max-field-bytes = 65536\n")
    result = run(["pull", str(package)], repo)
    assert result.exit_code == 0, result.output
    assert "+The step length of gradient descent." in result.stdout
    assert "1 note(s) of other note types or decks ignored" in result.stderr


def test_queries_stop_at_the_deadline_and_at_ctrl_c():
    from deckgen.ankifiles import AnkiFileError, ReadLimits
    from deckgen.ankifiles.guard import QueryGuard

    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    conn = sqlite3.connect(":memory:")
    with pytest.raises(AnkiFileError, match=r"^x: reading the collection took longer than 0.2 s; stopped "
                                             r"\(setting 'max-pull-seconds'\)$"):
        with QueryGuard(conn, ReadLimits(seconds=0.2), "x") as guard:
            list(guard.rows(endless, "n"))
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            with QueryGuard(conn, ReadLimits(seconds=600), "x") as guard:
                list(guard.rows(endless, "n"))
    finally:
        timer.cancel()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow
def test_ctrl_c_stops_a_pull_and_leaves_no_temporary_files(repo):
    # the package is read under the guard's SIGINT handler: a pull that a query holds up still stops
    script = (
        "import sys, time\n"
        "from deckgen.ankifiles import guard\n"
        "rows = guard.QueryGuard.rows\n"
        "def slow(self, sql, table):\n"
        "    if table == 'notes':\n"
        "        sql = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n'\n"
        "        print('querying', flush=True)\n"
        "    return rows(self, sql, table)\n"
        "guard.QueryGuard.rows = slow\n"
        "from deckgen.cli import main\nmain(sys.argv[1:], prog_name='deckgen')\n"
    )
    env = {**os.environ, "TMPDIR": str(repo / "tmp")}
    child = subprocess.Popen([sys.executable, "-c", script, "pull", str(repo / "legacy.apkg")], cwd=repo, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "querying\n"
        time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 1 and stderr.strip() == "Aborted!", stderr
    assert leftovers(repo) == []


# -- 6. two notes, one GUID ------------------------------------------------------------------
@pytest.mark.slow
def test_two_notes_with_one_guid_are_both_named_and_neither_is_pulled(repo, own_tmpdir):
    # before: the later note won and Q3's real edit became Q1's text, under a misleading warning
    package = craft(repo, "twins", """
        INSERT INTO notes SELECT id + 9, (SELECT guid FROM notes WHERE flds LIKE '%step length%'), mid, mod + 100, usn,
          tags, flds, sfld, csum, flags, data FROM notes WHERE flds LIKE 'What is a <em>tensor%';
        UPDATE notes SET flds = replace(flds, 'partial derivatives', 'partial derivatives of f'), mod = mod + 100
          WHERE flds LIKE 'What is a gradient%';""")
    with zipfile.ZipFile(package) as archive:
        (repo / "twins.sqlite").write_bytes(archive.read("collection.anki21"))
    twins = sqlite3.connect(repo / "twins.sqlite").execute(
        "SELECT id, guid, flds FROM notes WHERE guid = (SELECT guid FROM notes WHERE flds LIKE '%step length%') "
        "ORDER BY id").fetchall()
    named = ", ".join(f"note {note_id} “{'What is a tensor?' if 'tensor' in fields else 'What is a learning rate?'}”"
                      for note_id, _, fields in twins)
    result = run(["pull", str(package)], repo)
    assert result.exit_code == 0, result.output
    assert (f"warning: source/deck.md: Q3: 2 notes in {package} have the id {twins[0][1]} ({named}); neither is pulled "
            f"(keep one in Anki, export again)") in result.stderr
    assert "+The vector of partial derivatives of f." in result.stdout  # the other edit is pulled
    assert "learning rate" not in result.stdout and "step length" not in result.stdout


# -- 7. what a field holds that is not text ----------------------------------------------------
@pytest.mark.slow
def test_script_and_style_bodies_are_not_pulled_as_answer_text(repo, own_tmpdir):
    collection = repo / "user" / "collection.anki2"
    col = anki_session(collection)
    try:
        note = find_note(col, place=2)
        note["Answer"] = note["Answer"].replace(
            "partial derivatives.", "partial derivatives.<script>alert('pwned')</script>"
            "<style>.card { color: red }</style> Of a function.")
        col.update_note(note)
    finally:
        col.close()
    package = export(collection, repo / "scripted.apkg", "apkg", DECK)
    result = run(["pull", str(package), "--write"], repo)
    assert result.exit_code == 0, result.output
    text = (repo / "source" / "deck.md").read_text(encoding="utf-8")
    assert "\nThe vector of partial derivatives. Of a function.\n" in text, text
    assert "alert" not in text and "color: red" not in text
    assert "Q2 (" in result.stderr and "not pulled, the source cannot hold it: <script>, <style>" in result.stderr


# -- 8. one line for a broken collection or a full disk ----------------------------------------
@pytest.mark.slow
def test_null_tags_are_one_line_naming_the_file(repo, own_tmpdir):
    package = craft(repo, "null-tags", """
        ALTER TABLE notes RENAME TO stored_notes;
        CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, mod integer, usn integer, tags text,
          flds text, sfld integer, csum integer, flags integer, data text);
        INSERT INTO notes SELECT * FROM stored_notes;
        DROP TABLE stored_notes;
        UPDATE notes SET tags = NULL WHERE flds LIKE '%step length%';""")
    line = one_error(run(["pull", str(package)], repo))
    assert line.startswith(f"error: {package}: collection.anki21: note ") and line.endswith(
        "'s tags is NULL, not text; not a collection Anki wrote"), line
    assert leftovers(repo) == []


@pytest.mark.slow
def test_a_full_tmpdir_is_one_line_naming_the_file(repo, own_tmpdir, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    package = repo / "modern.apkg"
    assert one_error(run(["pull", str(package)], repo)) == (
        f"error: {package}: cannot make a private copy of it in {own_tmpdir}: the disk is full")


@pytest.mark.slow
def test_a_tmpdir_that_fills_up_while_copying_is_one_line_and_leaves_nothing(repo):
    # a write failing half-way through the private copy (the file-size limit stands in for the disk)
    done = limited_pull(repo, repo / "modern.apkg", file_size=64 << 10)
    assert one_error(done) == (f"error: {repo / 'modern.apkg'}: cannot make a private copy of it in "
                               f"{repo / 'tmp'}: File too large")
    assert leftovers(repo) == []


# -- 12. --write: both files or neither, whatever happens --------------------------------------
def _consistent(repo: Path) -> None:
    """The source holds the pull and its ids file agrees: a locked build passes, nothing left over."""
    assert "The step length of gradient descent." in (repo / "source" / "deck.md").read_text(encoding="utf-8")
    locked = run(["build", "--format", "apkg", "--locked"], repo)
    assert locked.exit_code == 0, locked.output
    assert sorted(p.name for p in (repo / "source").iterdir()) == ["deck.ids.json", "deck.md"]


@pytest.mark.slow
def test_a_pull_killed_between_its_two_renames_is_finished_by_the_next_pull(repo):
    # before: the source was new, its ids file old, and a temporary file stayed in source/
    script = (
        "import os, signal, sys\n"
        "replace, calls = os.replace, []\n"
        "def dying(src, dst):\n"
        "    calls.append(dst)\n"
        "    if len(calls) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return replace(src, dst)\n"
        "os.replace = dying\n"
        "from deckgen.cli import main\nmain(sys.argv[1:], prog_name='deckgen')\n"
    )
    ids_before = (repo / "source" / "deck.ids.json").read_bytes()
    killed = subprocess.run([sys.executable, "-c", script, "pull", "legacy.apkg", "--write"], cwd=repo,
                            capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (repo / "source" / "deck.ids.json").read_bytes() == ids_before  # killed half-way
    assert (repo / "source" / ".deckgen-pull-journal.json").exists()

    again = run(["pull", "legacy.apkg"], repo)
    assert again.exit_code == 0, again.output
    assert ("source/.deckgen-pull-journal.json: finished an interrupted `deckgen pull --write`: "
            "source/deck.ids.json") in again.stderr
    assert "nothing to pull" in again.stderr
    _consistent(repo)


@pytest.mark.slow
def test_a_rename_failing_half_way_says_so_and_the_next_pull_finishes(repo, own_tmpdir, monkeypatch):
    replace, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        return replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    result = run(["pull", "legacy.apkg", "--write"], repo)
    assert one_error(result, alone=False) == (
        "error: source/deck.ids.json: cannot write: Input/output error; stopped after 1 of 2 file(s): the next "
        "`deckgen pull` finishes writing them (source/.deckgen-pull-journal.json)")
    monkeypatch.setattr(os, "replace", replace)
    again = run(["pull", "legacy.apkg"], repo)
    assert again.exit_code == 0 and "finished an interrupted `deckgen pull --write`" in again.stderr, again.output
    _consistent(repo)


@pytest.mark.slow
def test_a_file_changed_after_the_interruption_is_not_overwritten(repo, own_tmpdir, monkeypatch):
    replace = os.replace

    def failing(src, dst):
        if Path(dst).name == "deck.ids.json":
            raise OSError(errno.EIO, "Input/output error")
        return replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    one_error(run(["pull", "legacy.apkg", "--write"], repo), alone=False)
    monkeypatch.setattr(os, "replace", replace)
    ids = repo / "source" / "deck.ids.json"
    ids.write_text(ids.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # someone edits it meanwhile
    mine = ids.read_bytes()
    line = one_error(run(["pull", "legacy.apkg"], repo))
    assert line.startswith("error: source/deck.ids.json: changed since an interrupted `deckgen pull --write` "
                           "(source/.deckgen-pull-journal.json); compare it with source/.deck.ids.json.deckgen-pull-"), line
    assert ids.read_bytes() == mine and (repo / "source" / ".deckgen-pull-journal.json").exists()


@pytest.mark.slow
def test_a_full_disk_while_staging_writes_nothing_and_leaves_nothing(repo, own_tmpdir, monkeypatch):
    # before: the partial temporary file stayed beside the source although the message said nothing was written
    source, ids = repo / "source" / "deck.md", repo / "source" / "deck.ids.json"
    before = source.read_bytes(), ids.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = run(["pull", "legacy.apkg", "--write"], repo)
    assert one_error(result, alone=False) == "error: source/deck.md: cannot write: the disk is full; nothing written"
    assert (source.read_bytes(), ids.read_bytes()) == before
    assert sorted(p.name for p in source.parent.iterdir()) == ["deck.ids.json", "deck.md"]


@pytest.mark.slow
def test_temporary_files_of_a_pull_killed_before_its_journal_are_removed(repo):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = repo / "source" / f".deck.md{PULL_TEMP}{dead.pid}"
    left.write_text("half a file")
    result = run(["pull", "legacy.apkg"], repo)
    assert result.exit_code == 0, result.output
    assert f"source/{left.name}: removed (left by an interrupted pull)" in result.stderr
    assert not left.exists()


# -- the "added in Anki" listing stays short ---------------------------------------------------
@pytest.mark.slow
def test_notes_added_in_anki_are_listed_up_to_twenty(repo, own_tmpdir):
    package = craft(repo, "many", """
        WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 25)
        INSERT INTO notes SELECT id + n * 1000000, 'added' || n, mid, mod, usn, tags,
          replace(flds, 'tensor', 'tensor ' || n), sfld, csum, flags, data
          FROM notes, k WHERE flds LIKE 'What is a <em>tensor%';
        WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 25)
        INSERT INTO cards SELECT id + n * 1000000, nid + n * 1000000, did, ord, mod, usn, type, queue, due, ivl,
          factor, reps, lapses, left, odue, odid, flags, data
          FROM cards, k WHERE nid = (SELECT id FROM notes WHERE guid NOT LIKE 'added%' AND flds LIKE 'What is a <em>tensor%');""")
    result = run(["pull", str(package)], repo)
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stderr.splitlines() if "added in Anki: “" in line]
    assert len(listed) == 20 and "“What is a tensor 1?” (note added1)" in listed[0]
    assert "source/deck.md: and 5 more added in Anki; --add appends them" in result.stderr
