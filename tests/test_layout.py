"""PDFs laid out in parts: the cheat sheet split at section boundaries reads as one, the layout
cache gives the same bytes as a clean build, and an edit lays out only its part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from deckgen.build import build
from deckgen.config import load_settings
from deckgen.model import Progress
from deckgen.readers.text import read_text
from tests.helpers import RNN, pdf_text, poppler_boxes, project, run, squash

NAME = "rnn-interview-questions"
CARDS = read_text(RNN.read_text(encoding="utf-8"), "r", "R").cards
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def building(root: Path, env: dict[str, str], *formats: str) -> list[str]:
    """Build in-process (so a patched part size reaches the forked workers); the progress messages."""
    messages: list[str] = []
    overrides = {"formats": formats} if formats else {}
    settings = load_settings(root, overrides).settings
    def report(message, done) -> None:
        if done is None and not (isinstance(message, Progress) and message.done):
            messages.append(message.what if isinstance(message, Progress) else str(message))
    result = build(settings, root, env={**env, **EPOCH}, report=report)
    assert not [o for o in result.outputs if not o.ok], result.outputs
    return messages


@pytest.fixture
def cache_env(tmp_path):
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}


@pytest.mark.slow
def test_a_cheatsheet_in_parts_reads_as_one(tmp_path, monkeypatch, cache_env):
    monkeypatch.setattr("deckgen.writers.pdf.PART_CARDS", 25)  # the RNN deck in several parts
    from deckgen.writers.cheatsheet import cheatsheet_parts

    root = project(tmp_path / "parts", rnn=True)
    monkeypatch.chdir(root)
    building(root, cache_env, "cheatsheet")
    pdf = root / "build" / f"{NAME}.cheatsheet.pdf"
    reader = PdfReader(str(pdf))
    pages = [squash(t) for t in pdf_text(pdf)]
    for card in CARDS:  # every card once, whole, on one sheet
        holding = [i for i, text in enumerate(pages) if squash(card.question_text) in text]
        assert len(holding) == 1, card.number
        assert squash(card.answer_text.split()[-1]) in pages[holding[0]]
    assert [o["/Title"] for o in reader.outline] == [
        "Basics of RNNs", "Training RNNs", "Variants of RNNs", "Architecture and Design",
        "Optimization and Regularization", "Practical Applications", "Advanced Topics"]
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text and "2026-01-01" in text
    words = poppler_boxes(pdf)
    columns = {round(x) for page, text, x, _ in words if page == 0 and re.match(r"Q\d+$", text)}
    assert len(columns) == 3
    # a part boundary wastes at most the rest of a column: as many sheets as in one flow, or one more
    single = project(tmp_path / "single", rnn=True)
    assert run(["build", "--format", "cheatsheet", "--no-cache"], single, env=EPOCH).exit_code == 0
    one_flow = len(PdfReader(str(single / "build" / f"{NAME}.cheatsheet.pdf")).pages)
    assert one_flow <= len(reader.pages) <= one_flow + 1
    monkeypatch.undo()
    assert len(cheatsheet_parts_of(root)) == 1  # the RNN deck stays one flow by default
    del cheatsheet_parts


def cheatsheet_parts_of(root: Path):
    from deckgen.plan import study_deck
    from deckgen.sources import check
    from deckgen.writers.cheatsheet import cheatsheet_parts

    checked = check(load_settings(root).settings, root)
    job, deck = checked.decks[0]
    return cheatsheet_parts(study_deck(deck, job, tuple(str(i) for i in range(len(deck.cards))), "", "en"))


@pytest.mark.slow
def test_warm_cache_gives_the_bytes_of_a_clean_build_and_an_edit_lays_out_one_part(tmp_path, monkeypatch, cache_env):
    monkeypatch.setattr("deckgen.writers.pdf.PART_CARDS", 25)
    monkeypatch.setattr("deckgen.writers.pdf.CHUNK_SHEETS", 3)
    root = project(tmp_path / "warm", rnn=True)
    monkeypatch.chdir(root)
    first = building(root, cache_env, "cheatsheet", "cards")
    assert any(re.match(r"laying out \d+ part\(s\) of 2 PDF\(s\)", m) for m in first)
    outputs = {p.name: p.read_bytes() for p in (root / "build").glob("*.pdf")}
    (root / "build" / ".deckgen-record.json").unlink()
    again = building(root, cache_env, "cheatsheet", "cards")  # every part from the cache
    assert not any(m.startswith("laying out") for m in again)
    assert {p.name: p.read_bytes() for p in (root / "build").glob("*.pdf")} == outputs

    source = root / "source" / RNN.name
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Gradient clipping scales down gradients", "Gradient clipping rescales gradients"), encoding="utf-8")
    edited = building(root, cache_env, "cheatsheet", "cards")
    assert "laying out 2 part(s) of 2 PDF(s)" in edited  # one part of each PDF
    warm = {p.name: p.read_bytes() for p in (root / "build").glob("*.pdf")}
    clean = project(tmp_path / "clean", rnn=True)
    (clean / "source" / RNN.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(clean)
    building(clean, {"XDG_CACHE_HOME": str(tmp_path / "other-cache"), "HOME": str(tmp_path)}, "cheatsheet", "cards")
    assert {p.name: p.read_bytes() for p in (clean / "build").glob("*.pdf")} == warm
    assert "rescales gradients" in squash(" ".join(pdf_text(root / "build" / f"{NAME}.cheatsheet.pdf")))


@pytest.mark.slow
def test_no_cache_writes_nothing_to_the_cache_and_the_cache_stays_out_of_build(tmp_path, cache_env):
    root = project(tmp_path, rnn=True)
    assert run(["build", "--no-cache"], root, env=cache_env).exit_code == 0
    assert not (tmp_path / "cache").exists()
    assert run(["build", "--format", "cheatsheet"], root, env={**cache_env, "SOURCE_DATE_EPOCH": "1"}).exit_code == 0
    assert list((tmp_path / "cache" / "deckgen" / "parts").glob("*/*.pdf"))
    assert not [p for p in (root / "build").rglob("*") if "cache" in p.name]


def test_the_cache_is_bounded_oldest_first(tmp_path):
    import os

    from deckgen.cache import PartCache

    cache = PartCache(tmp_path / "parts", max_bytes=2500)
    for n in range(5):
        cache.put(f"{n:02d}" + "ab" * 31, bytes(1000), {"n": n})
        os.utime(next((tmp_path / "parts").glob(f"*/{n:02d}*.pdf")), (n, n))
    cache.prune()
    kept = sorted(p.name[:2] for p in (tmp_path / "parts").glob("*/*.pdf"))
    assert kept == ["03", "04"]
    assert cache.get("00" + "ab" * 31) is None and cache.get("04" + "ab" * 31)[1] == {"n": 4}


def _on_a_terminal(root: Path, args: list[str], env: dict[str, str]) -> str:
    """What `deckgen build` shows on a terminal (a pseudo-terminal as its stdout and stderr)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "deckgen", "build", *args], cwd=root,
                               stdout=follower, stderr=follower, env={**os.environ, **env})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    os.close(leader)
    return shown.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize(("args", "env", "bar"), [
    ([], {}, True), (["--quiet"], {}, False), ([], {"TERM": "dumb"}, False),
])
def test_a_progress_bar_only_on_a_real_terminal(tmp_path, args, env, bar):
    root = project(tmp_path, rnn=True)
    shown = _on_a_terminal(root, ["--format", "cheatsheet", "--format", "cards", "--no-cache", *args],
                           {"TERM": "xterm", **env, "CI": ""})
    assert "wrote build/rnn-interview-questions.cheatsheet.pdf" in shown
    assert ("laying out PDFs [" in shown and "3/3 parts" in shown) == bar  # 1 cheat sheet part, 2 of flashcards


@pytest.mark.slow
def test_links_survive_the_imposition(tmp_path):
    text = ("# Links\n\n## One\n\n### Where is the paper?\n\nRead [the paper](https://example.com/rnn.pdf) "
            "or write to [us](mailto:a@example.com).\n")
    root = project(tmp_path, {"l.md": text})
    assert run(["build", "--format", "cheatsheet", "--no-cache"], root).exit_code == 0
    reader = PdfReader(str(root / "build" / "l.cheatsheet.pdf"))
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    rects: dict[str, list[list[float]]] = {}
    for link in links:
        if "/A" in link:
            rects.setdefault(str(link["/A"]["/URI"]), []).append([float(v) for v in link["/Rect"]])
    assert set(rects) == {"https://example.com/rnn.pdf", "mailto:a@example.com"}
    # each where its words are on the sheet (poppler's position of the word, in the link's rectangle)
    words = {t: (x, y) for p, t, x, y in poppler_boxes(root / "build" / "l.cheatsheet.pdf") if p == 0}
    height = float(reader.pages[0].mediabox.height)
    to_mm = 25.4 / 72

    def inside(word: str, uri: str) -> bool:
        x, y = words[word]
        for x1, y1, x2, y2 in rects[uri]:
            left, right = sorted((x1 * to_mm, x2 * to_mm))
            top, bottom = sorted(((height - y1) * to_mm, (height - y2) * to_mm))
            if left - 0.5 <= x <= right and top - 0.5 <= y <= bottom:
                return True
        return False

    assert inside("paper", "https://example.com/rnn.pdf") and inside("us", "mailto:a@example.com")


@pytest.mark.slow
def test_a_damaged_cache_file_is_laid_out_again(tmp_path, cache_env):
    root = project(tmp_path, rnn=True)
    assert run(["build", "--format", "cheatsheet"], root, env={**cache_env, **EPOCH}).exit_code == 0
    good = (root / "build" / f"{NAME}.cheatsheet.pdf").read_bytes()
    for part in (tmp_path / "cache" / "deckgen" / "parts").glob("*/*.pdf"):
        part.write_bytes(part.read_bytes()[:200])  # a disk that lost the end of every cached part
    (root / "build" / ".deckgen-record.json").unlink()
    (root / "build" / f"{NAME}.cheatsheet.pdf").unlink()
    again = run(["build", "--format", "cheatsheet"], root, env={**cache_env, **EPOCH})
    assert again.exit_code == 0, again.output
    assert (root / "build" / f"{NAME}.cheatsheet.pdf").read_bytes() == good


SUBREAPER = r"""
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans of the build come here
code = subprocess.run([sys.executable, "-m", "deckgen", "build", *sys.argv[1:]]).returncode
time.sleep(0.3)
left = [pid for pid in open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
        if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]  # zombies are gone
print(code, len(left))
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", ["ok", "noop", "bad source"])
def test_the_early_workers_end_with_every_build(tmp_path, case):
    """The PDF workers are forked as a build starts (they load WeasyPrint meanwhile); whether the
    build lays out PDFs, has nothing to do or stops on a bad source, none outlives it, and the
    file their jobs came in is gone."""
    import subprocess
    import sys

    root = project(tmp_path, {"d.txt": "Q1. One?\nA1. Uno.\n\nQ2. Two?\nA2. Dos.\n"})
    if case == "noop":
        assert run(["build"], root).exit_code == 0
    if case == "bad source":
        (root / "source" / "d.txt").write_bytes(b"Q1. One?\nA1. \xff\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**__import__("os").environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CI", None)
    done = subprocess.run([sys.executable, "-c", SUBREAPER, "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    code, left = done.stdout.splitlines()[-1].split()
    assert (code, left) == ("1" if case == "bad source" else "0", "0"), done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr  # stopped quietly
    assert list(temp.iterdir()) == []


def test_workers_that_serve_several_builds_replace_one_that_died(tmp_path):
    """`deckgen watch` keeps its workers between builds: when one dies (killed, out of memory),
    the next part handed out gets new workers instead of a broken pool."""
    import os
    from concurrent.futures.process import BrokenProcessPool

    from deckgen.workers import Workers

    workers = Workers(2)
    try:
        with pytest.raises(BrokenProcessPool):
            workers.submit(os._exit, 1).result(timeout=60)  # a worker dies mid-part
        assert workers.submit(os.getpid).result(timeout=60) not in (os.getpid(), None)
    finally:
        workers.close()
    assert not Path(workers.temp).exists()


class _NoParts:
    def parts(self) -> list:
        return []


def test_a_worker_reads_the_templates_anew_for_each_build(tmp_path):
    """Workers that serve several builds (`deckgen watch`) compile the templates again when a new
    build's jobs arrive: a template added to a theme folder since they started is found."""
    import pickle

    from deckgen import layout
    from deckgen.render import environment

    first, second = tmp_path / "first", tmp_path / "second"
    for path in (first, second):
        path.write_bytes(pickle.dumps([_NoParts()]))
    layout._job(str(first), 0)
    compiled = environment("")
    layout._job(str(first), 0)  # more parts of the same build: the same templates
    assert environment("") is compiled
    layout._job(str(second), 0)  # the next build's
    assert environment("") is not compiled
    assert [key for key in layout._JOBS if key] == [str(second)]  # the last build's jobs only


@pytest.mark.slow
def test_a_big_machine_starts_only_the_workers_the_sources_can_keep_busy(tmp_path, monkeypatch):
    """Workers are forked before the sources are read: their number comes from the sources'
    size, not only the cores (the RNN document makes 3 parts; 64 workers would each load
    WeasyPrint for nothing)."""
    from deckgen import workers as layout

    started = []
    real = layout.Workers.__init__

    def counting(self, count):
        started.append(count)
        real(self, count)
    monkeypatch.setattr(layout.Workers, "__init__", counting)
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    root = project(tmp_path, rnn=True)
    result = run(["build", "--no-cache", "--format", "cheatsheet", "--format", "cards"], root)
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and 3 <= started[0] <= 6


@pytest.mark.slow
@pytest.mark.parametrize("fails", ["folder", "jobs file"])
def test_a_full_temporary_folder_lays_the_pdfs_out_here(tmp_path, monkeypatch, fails):
    """No room in the temporary folder for the workers (a full /tmp on a CI runner): the PDFs are
    laid out in deckgen's own process instead, and the build succeeds."""
    import errno
    import tempfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(tempfile, "mkdtemp" if fails == "folder" else "NamedTemporaryFile", full)
    root = project(tmp_path, {"d.txt": "Q1. One?\nA1. Uno.\n\nQ2. Two?\nA2. Dos.\n"})
    result = run(["build", "--no-cache", "--format", "cheatsheet", "--format", "cards"], root)
    assert result.exit_code == 0, result.output
    assert "2 cards, 1 pages" in result.stdout and "2 cards, 2 pages" in result.stdout
    assert pdf_text(root / "build" / "d.cheatsheet.pdf")[0].count("Uno.") == 1


def test_weasyprint_still_shows_where_it_laid_out_an_element(tmp_path):
    """The flashcards read WeasyPrint's layout tree, which is not its public API (writers/pdf.py:
    page_box and boxes; the boxes' element, element_tag, height and position_y): a WeasyPrint
    release that changes it fails here, by name, instead of leaving flashcards whose long sides
    are no longer found and set smaller."""
    from deckgen.writers.pdf import PX_TO_MM, boxes, layout, page_box

    document = layout(
        '<html><head><style>@page { size: 100mm 100mm; margin: 0 } body { margin: 0 }</style></head><body>'
        '<div class="measure" data-face="3" style="height: 20mm"><div class="card front">'
        '<div style="height: 5mm"></div><span class="end" style="display: block; height: 0"></span>'
        '</div></div></body></html>', (tmp_path,))
    page = page_box(document.pages[0])
    [measure] = boxes(page, "div", "measure")
    [card] = boxes(page, "div", "card")
    [end] = boxes(card, "span", "end")
    assert (measure.element_tag, measure.element.get("data-face")) == ("div", "3")
    assert measure.height * PX_TO_MM == pytest.approx(20, abs=0.01)
    assert end.position_y * PX_TO_MM == pytest.approx(5, abs=0.01)
