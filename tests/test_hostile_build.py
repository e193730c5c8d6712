"""Hostile surroundings of a build (issue #23): file names that try to be GitHub workflow
commands, a layout cache shared with others and tampered with, builds killed or stopped, and
sources saved in UTF-16."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import project, run

BROKEN = "Q1. What?\nA1. That.\nQ3. Why?\nA4. Because.\n"


def workflow_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands the GitHub runner finds in `output`, as it parses them (a line that
    starts with `::` once leading white space is gone), unescaped: (command, properties, data)."""

    def unescape(text: str) -> str:
        for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, char)
        return text

    found = []
    for line in output.splitlines():
        line = line.lstrip()
        if not line.startswith("::"):
            continue
        head, _, data = line[2:].partition("::")
        command, _, rest = head.partition(" ")
        properties = dict(p.split("=", 1) for p in rest.split(",") if p)
        found.append((command, {k: unescape(v) for k, v in properties.items()}, unescape(data)))
    return found


NAME = "d\n::notice file=x.txt::pwned,line=9:1\r::add-mask::x.txt"


def test_a_file_name_cannot_inject_workflow_commands(tmp_path):
    root = project(tmp_path)
    (root / "source" / NAME).write_text(BROKEN, encoding="utf-8")
    result = run(["check", "--output-format", "github"], root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::warning file=source/d%0A%3A%3Anotice file=x.txt%3A%3Apwned%2Cline=9%3A1%0D%3A%3Aadd-mask%3A%3Ax.txt,"
        "line=3,col=1,title=DG008::Q3 follows Q1: Q2 missing",
        "::error file=source/d%0A%3A%3Anotice file=x.txt%3A%3Apwned%2Cline=9%3A1%0D%3A%3Aadd-mask%3A%3Ax.txt,"
        "line=4,col=1,title=DG004::answer A4 follows question Q3",
    ]
    # what the runner makes of it: two annotations on the file as it is named, nothing else
    assert workflow_commands(result.output) == [
        ("warning", {"file": f"source/{NAME}", "line": "3", "col": "1", "title": "DG008"}, "Q3 follows Q1: Q2 missing"),
        ("error", {"file": f"source/{NAME}", "line": "4", "col": "1", "title": "DG004"}, "answer A4 follows question Q3"),
    ]


@pytest.mark.parametrize("command", [["build", "--format", "html", "--format", "apkg"], ["check", "-v"]])
def test_plain_output_shows_a_file_name_on_one_line(tmp_path, command):
    """The Action's build step prints plain text on pull requests too: a name's line break is
    shown as an escape, so no line of it starts a workflow command (or drives the terminal)."""
    root = project(tmp_path)
    (root / "source" / NAME).write_text(BROKEN.replace("A4.", "A3."), encoding="utf-8")
    result = run(command, root)
    assert result.exit_code == 0, result.output
    assert workflow_commands(result.output) == []
    shown = "source/d\\n::notice file=x.txt::pwned,line=9:1\\r::add-mask::x.txt"
    assert f"{shown}:3:1: warning: Q3 follows Q1: Q2 missing [DG008]" in result.output.splitlines()
    if command[0] == "build":
        built = shown.replace("source/", "build/").removesuffix(".txt")
        assert any(line.startswith(f"wrote {built}.html (") for line in result.stdout.splitlines())


def test_an_unreadable_source_is_an_escaped_annotation_too(tmp_path):
    root = project(tmp_path)
    name = "e\n::error file=x.txt::fake: error: a [DG001].txt"
    (root / "source" / name).write_bytes(b"  \n")
    result = run(["check", "--output-format", "github"], root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "::error::source/e%0A::error file=x.txt::fake: error: a [DG001].txt: the file is empty\n")
    assert workflow_commands(result.output) == [("error", {}, f"source/{name}: the file is empty")]


EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
CARDS_PDF = "rnn-interview-questions.cards.pdf"


def _cached_parts(cache: Path) -> list[Path]:
    return sorted((cache / "deckgen" / "parts").glob("*/*.pdf"))


@pytest.mark.slow
@pytest.mark.parametrize("copied", ["the part's PDF", "the whole entry"])
def test_a_cached_part_copied_over_another_is_laid_out_again(tmp_path, copied):
    """A layout cache restored from CI is shared: one entry put in another's place (the flashcards'
    Q1-Q40 where Q41-Q80 belong) is found out and laid out again, and the build says so."""
    from tests.helpers import pdf_text

    env = {**EPOCH, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    clean = project(tmp_path / "clean", rnn=True)
    assert run(["build", "--format", "cards", "--no-cache"], clean, env=env).exit_code == 0
    expected = pdf_text(clean / "build" / CARDS_PDF)

    root = project(tmp_path / "deck", rnn=True)
    assert run(["build", "--format", "cards"], root, env=env).exit_code == 0
    parts = _cached_parts(tmp_path / "cache")
    assert len(parts) == 2  # 40 cards a part
    first, second = parts
    second.write_bytes(first.read_bytes())
    if copied == "the whole entry":
        second.with_suffix(".json").write_bytes(first.with_suffix(".json").read_bytes())
    shutil.rmtree(root / "build")
    again = run(["build", "--format", "cards"], root, env=env)
    assert again.exit_code == 0, again.output
    assert pdf_text(root / "build" / CARDS_PDF) == expected
    text = "\n".join(expected)
    assert all(f"{n}/80" in text for n in range(1, 81))
    cache_folder = tmp_path / "cache" / "deckgen" / "parts"
    notes = [line for line in again.stderr.splitlines() if "[DG" not in line]  # the deck's own warnings aside
    assert notes == [f"note: {cache_folder}: 1 cached PDF part was not what its entry says "
                     "(damaged, or copied from another); laid out again"]
    # the entry is right again: the next build takes both parts from the cache, quietly
    assert _cached_parts(tmp_path / "cache") == parts and second.read_bytes() != first.read_bytes()
    shutil.rmtree(root / "build")
    third = run(["build", "--format", "cards"], root, env=env)
    assert third.exit_code == 0 and [line for line in third.stderr.splitlines() if "[DG" not in line] == []
    assert pdf_text(root / "build" / CARDS_PDF) == expected


# Runs `deckgen build ARGS` as a subreaper (PR_SET_CHILD_SUBREAPER: whatever the build leaves
# running, or leaves to exit on its own, becomes a child of this script, zombies included); with a
# signal name first, sends it once the workers hold the build's jobs (mid-layout). Prints the exit
# code, the names of the processes the build left behind and its stderr, as JSON.
HARNESS = r"""
import ctypes, glob, json, os, signal, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
how, *args = sys.argv[1:]
process = subprocess.Popen([sys.executable, "-m", "deckgen", "build", *args], stderr=subprocess.PIPE, text=True)
if how != "wait":
    jobs = os.path.join(os.environ["TMPDIR"], "deckgen-workers-*", "deckgen-jobs-*")
    deadline = time.monotonic() + 60
    while not glob.glob(jobs) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert process.poll() is None, "the build ended before it could be stopped mid-layout"
    process.send_signal(getattr(signal, how))
_, stderr = process.communicate(timeout=120)
me = os.getpid()
left = [open(f"/proc/{pid}/comm").read().strip()
        for pid in open(f"/proc/{me}/task/{me}/children").read().split()]
print(json.dumps({"code": process.returncode, "left": left, "stderr": stderr}))
"""


def harness(root: Path, temp: Path, how: str, *args: str, path: str | None = None) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(root / "cache"), **EPOCH}
    env.pop("CI", None)
    if path is not None:
        env["PATH"] = path
    done = subprocess.run([sys.executable, "-c", HARNESS, how, *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_stopped_build_cleans_up_after_itself(tmp_path, signal_name):
    """SIGTERM (a CI job cancelled, `timeout`, `kill`) stops a build as Ctrl-C does: the workers
    end, the folder holding their copy of the deck is removed, one line and exit 1."""
    root = project(tmp_path / "deck", rnn=True)
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = harness(root, temp, signal_name, "--no-cache", "--format", "cheatsheet", "--format", "cards")
    assert done["code"] == 1
    assert done["stderr"].strip().splitlines()[-1] == "Aborted!"
    assert "Traceback" not in done["stderr"]
    assert list(temp.iterdir()) == []
    assert done["left"] == []


def _folder(temp: Path, name: str, owner: dict | None) -> Path:
    import json

    folder = temp / name
    folder.mkdir()
    (folder / "deckgen-jobs-x").write_bytes(b"a deck")
    if owner is not None:
        (folder / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    """SIGKILL runs no cleanup: the workers' folder (with the pickled deck) stays; the next build
    removes it, and only folders whose process is gone: a running build's folder stays."""
    import subprocess

    from deckgen.workers import _this_process

    root = project(tmp_path / "deck", rnn=True)
    temp = tmp_path / "tmp"
    temp.mkdir()
    killed = harness(root, temp, "SIGKILL", "--no-cache", "--format", "cheatsheet")
    assert killed["code"] == -9
    left = list(temp.glob("deckgen-workers-*"))
    assert len(left) == 1 and list(left[0].glob("deckgen-jobs-*"))
    here = _this_process()  # this process stands in for a build that is running
    ended = subprocess.Popen(["true"])  # and this one for a build that has ended
    ended.wait()
    gone = {**here, "pid": str(ended.pid)}
    kept = [
        _folder(temp, "deckgen-workers-running", here),
        _folder(temp, "deckgen-workers-older", None),  # an older deckgen's: whose is not known
        _folder(temp, "deckgen-workers-elsewhere", {**gone, "namespace": "pid:[1]"}),  # another container's
        _folder(temp, "deckgen-workers-other-boot", {**gone, "boot": "another machine"}),
    ]
    removed = [
        _folder(temp, "deckgen-workers-gone", gone),
        _folder(temp, "deckgen-workers-reused", {**here, "started": "1"}),  # its pid is another's now
    ]
    again = harness(root, temp, "wait", "--no-cache", "--format", "cheatsheet")
    assert again["code"] == 0, again["stderr"]
    assert sorted(temp.iterdir()) == sorted(kept)
    assert not [folder for folder in removed if folder.exists()]


# Starts workers as a build does and stops them as soon as one is running gcc (WeasyPrint's
# import runs it to look for libraries; here a slow one, that says when it starts), as a build
# that ends early does; prints the names of the processes left behind (as a subreaper: zombies too).
JOIN = r"""
import ctypes, json, os, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
from deckgen.workers import Workers
workers = Workers(2)
deadline = time.monotonic() + 60
while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
    time.sleep(0.005)
started = os.path.exists(sys.argv[1])
workers.close()
me = os.getpid()
left = [open(f"/proc/{pid}/comm").read().strip() for pid in open(f"/proc/{me}/task/{me}/children").read().split()]
print(json.dumps({"started": started, "left": left, "folder": os.path.exists(workers.temp)}))
"""


@pytest.mark.slow
def test_workers_stopped_early_are_joined_with_what_they_started(tmp_path):
    """A build that ends while its workers still load WeasyPrint (nothing to lay out) stops them:
    each is joined, and so is the gcc it was running, before deckgen goes on to exit: nothing of
    the build is left running in its process group."""
    import json
    import os
    import subprocess
    import sys

    tools = tmp_path / "bin"
    tools.mkdir()
    mark = tmp_path / "gcc-started"
    (tools / "gcc").write_text(f"#!/bin/sh\ntouch '{mark}'\nsleep 0.5\nexit 1\n", encoding="utf-8")
    (tools / "gcc").chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", JOIN, str(mark)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout) == {"started": True, "left": [], "folder": False}


GOOD = "Deck\n\nQ1. What?\nA1. That.\n\nQ2. Why?\nA2. Because.\n"
OUTPUTS = ("d.apkg", "d.cheatsheet.pdf", "d.cards.pdf", "d.html")


@pytest.mark.slow
def test_when_every_output_fails_none_is_said_to_be_written(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    for name in OUTPUTS:  # a folder where each output goes: none can be written
        (root / "build" / name).mkdir(parents=True)
    result = run(["build", "--no-cache"], root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == "error: 4 of 4 output(s) failed; none was written"


@pytest.mark.slow
def test_outputs_left_unchanged_are_not_said_to_be_written(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    assert run(["build", "--no-cache"], root).exit_code == 0
    (root / "build" / "d.html").unlink()
    (root / "build" / "d.html").mkdir()
    result = run(["build", "--no-cache"], root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: 1 of 4 output(s) failed; the others are unchanged"
    (root / "build" / "d.html").rmdir()
    (root / "source" / "d.txt").write_text(GOOD.replace("Because.", "Because so."), encoding="utf-8")
    (root / "build" / "d.apkg").unlink()
    (root / "build" / "d.apkg").mkdir()
    result = run(["build", "--no-cache", "--format", "apkg", "--format", "html", "--format", "cards"], root)
    assert result.stderr.splitlines()[-1] == "error: 1 of 3 output(s) failed; the others were written"
    (root / "build" / "d.cheatsheet.pdf").unlink()
    (root / "build" / "d.cheatsheet.pdf").mkdir()
    result = run(["build", "--no-cache", "--paper", "letter"], root)  # the PDFs change, the handout does not
    assert result.stderr.splitlines()[-1] == "error: 2 of 4 output(s) failed; 1 written, 1 unchanged"
    assert "wrote build/d.cards.pdf" in result.stdout and "unchanged build/d.html" in result.stdout


UNICODE = "Deck\r\n\r\nQ1. Was ist ein Café?\r\nA1. Ein Ort für Kaffee ☕ und 🍰.\r\n\r\nQ2. Why?\r\nA2. Because.\r\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_source_saved_as_utf16_with_a_byte_order_mark_is_read(tmp_path, encoding):
    """Windows editors save "Unicode" as UTF-16 with a byte order mark: read as such, the same
    cards as the UTF-8 file (once called a binary file)."""
    import codecs

    marks = {"utf-16": b"", "utf-16-be": codecs.BOM_UTF16_BE, "utf-32": b""}
    utf8 = project(tmp_path / "utf8", {"d.txt": UNICODE})
    root = project(tmp_path / "utf16")
    (root / "source" / "d.txt").write_bytes(marks[encoding] + UNICODE.encode(encoding))
    assert (root / "source" / "d.txt").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    result = run(["check", "--output-format", "json"], root)
    assert result.exit_code == 0, result.output
    assert result.stdout == run(["check", "--output-format", "json"], utf8).stdout
    built = run(["build", "--format", "html"], root)
    assert built.exit_code == 0, built.output
    html = (root / "build" / "d.html").read_text(encoding="utf-8")
    assert "Ein Ort für Kaffee ☕ und 🍰." in html and "Was ist ein Café?" in html


def test_utf16_without_a_byte_order_mark_is_named_not_called_binary(tmp_path):
    for encoding, name in (("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")):
        root = project(tmp_path / encoding)
        (root / "source" / "d.txt").write_bytes(UNICODE.encode(encoding))
        result = run(["build"], root)
        assert result.exit_code == 1
        assert result.stderr == f"error: source/d.txt: this is {name} text without a byte order mark; save it as UTF-8\n"
    root = project(tmp_path / "png")  # still a binary file
    (root / "source" / "d.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert run(["build"], root).stderr == "error: source/d.txt: this is a binary file, not a text document\n"


def test_utf16_that_breaks_off_names_where(tmp_path):
    root = project(tmp_path)
    (root / "source" / "d.txt").write_bytes("Q1. What?\nA1. Th".encode("utf-16") + b"\x00")
    result = run(["build"], root)
    assert result.exit_code == 1
    assert result.stderr == ("error: source/d.txt:2:7: not UTF-16LE although it begins with its byte order mark: "
                             "truncated data (save the file as UTF-8)\n")


def test_an_error_naming_a_hostile_file_prints_no_workflow_command(tmp_path):
    from click.testing import CliRunner

    from deckgen.errors import DeckgenError

    err = DeckgenError("source/x\n::warning file=a::pwned: error: boom [DG001]\n ::set-output name=x::y")
    runner = CliRunner()
    import click

    @click.command()
    def raise_it():
        raise err

    result = runner.invoke(raise_it)
    assert result.exit_code == 1
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines())


def test_a_build_removes_only_the_temporary_files_of_builds_that_are_gone(tmp_path):
    import subprocess
    import sys

    from deckgen.writers import remove_leftovers

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        running = tmp_path / f".d.apkg.deckgen-tmp-{other.pid}"
        gone = tmp_path / f".d.html.deckgen-tmp-{dead.stdout.strip()}"
        for path in (running, gone):
            path.write_bytes(b"partial")
        assert remove_leftovers(tmp_path) == [gone]  # another build at work in the folder keeps its file
        assert running.exists() and not gone.exists()
    finally:
        other.kill()
        other.wait()
