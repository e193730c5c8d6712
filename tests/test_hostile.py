"""Hostile and broken input: content is data in every output, nothing reaches outside, nothing is
lost when a build fails, is killed, runs twice at once or meets a full disk."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from deckgen.readers import read_source
from tests.helpers import children, glyph_coverage, import_apkg, notes, outputs, pdf_text, project, run

HOSTILE = (
    "<script>alert(1)</script> Title {{ 7*7 }}\n\n"
    "</style><img src=x onerror=alert(2)> Section {% include '/etc/passwd' %}\n\n"
    "Q1. What does <script>alert(3)</script> do &amp; {{ 7*7 }}?\n"
    "A1. It shows <img src=x onerror=\"window.pwned=1\"> and </style> and "
    "{% include '/etc/passwd' %} and \\( \\text{<b>x</b>} + y^2 \\).\n\n"
    "Q2. مرحبا بالعالم — what is שלום?\n"
    "A2. 你好世界 and こんにちは and cafe\u0301 crème and emoji 🚀😀 ok.\n\n"
    "Q3. Zero\u200bwidth and bell\x07?\n"
    "A3. Right\u2067-to-left isolate removed, ZWJ family 👨\u200d👩\u200d👧 kept.\n"
)
LITERALS = ["<script>alert(3)</script>", "{{ 7*7 }}", "{% include '/etc/passwd' %}", "&amp;",
            "</style>", "<img src=x onerror=\"window.pwned=1\">"]
TEX = "\\text{<b>x</b>} + y^2"  # a formula: drawn in the handout and the PDFs, TeX for Anki


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("hostile"), {"h.txt": HOSTILE})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    assert "warning: invisible control characters removed: U+0007, U+200B [DG303]" in result.stderr
    return root


def record_text(root: Path, title: bool = True) -> str:
    """Every character the outputs must show (the flashcards show no deck title)."""
    deck = read_source(root / "source" / "h.txt", "h.txt", 10**6)
    return " ".join([deck.title if title else ""] + [s.title for s in deck.sections]
                    + [c.question_text + " " + c.answer_text for c in deck.cards])


@pytest.mark.slow
def test_control_characters_are_removed_consistently(hostile):
    text = record_text(hostile)
    assert "\u200b" not in text and "\x07" not in text and "\u2067" not in text
    assert "\u200d" in text  # joiners are part of scripts and emoji


@pytest.mark.slow
def test_handout_shows_everything_as_text_and_runs_nothing(hostile):
    from playwright.sync_api import sync_playwright

    from tests.test_handout import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((hostile / "build" / "h.html").as_uri())
        page.click("#reveal-all")
        page.fill("#search", "script")
        page.fill("#search", "")
        assert dialogs == []
        assert page.evaluate("window.pwned") is None
        # the pinned scheduler (study mode) and the page's own script; nothing from the source
        assert page.locator("script").count() == 2 and page.locator("img").count() == 0
        body = page.inner_text("body")
        for literal in LITERALS + ["<script>alert(1)</script> Title {{ 7*7 }}", "你好世界", "مرحبا"]:
            assert literal in body
        assert page.title() == "<script>alert(1)</script> Title {{ 7*7 }}"
        assert page.locator("article b").count() == 0  # the formula's text stays text (in a card, where it is)
        assert page.locator("math mtext").first.text_content() == "<b>x</b>"
        assert page.locator("math annotation").first.text_content() == TEX
        browser.close()


@pytest.mark.slow
def test_anki_fields_are_escaped_and_the_card_runs_nothing(hostile, tmp_path):
    from anki.collection import Collection
    from playwright.sync_api import sync_playwright

    from tests.test_handout import CHROMIUM

    import_apkg(hostile / "build" / "h.apkg", tmp_path / "c.anki2")
    found = {n["fields"]["Number"]: n for n in notes(tmp_path / "c.anki2")}
    assert found["1"]["fields"]["Question"] == "What does &lt;script&gt;alert(3)&lt;/script&gt; do &amp;amp; {{ 7*7 }}?"
    assert "&lt;img src=x onerror=\"window.pwned=1\"&gt;" in found["1"]["fields"]["Answer"]
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        card = col.get_note(col.find_notes("Number:1")[0]).cards()[0]
        html = card.answer()
    finally:
        col.close()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_content(f"<!doctype html><meta charset=utf-8><body class=card>{html}</body>")
        assert dialogs == [] and page.evaluate("window.pwned") is None
        shown = page.inner_text("body")
        for literal in LITERALS + [f"\\({TEX}\\)"]:
            assert literal in shown  # MathJax is Anki's to render; here it shows as written
        browser.close()


def words(text: str) -> set[str]:
    return set(unicodedata.normalize("NFKC", text).split())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["h.cheatsheet.pdf", "h.cards.pdf"])
def test_pdfs_show_the_text_with_real_glyphs(hostile, name):
    pdf = hostile / "build" / name
    extracted = words(" ".join(pdf_text(pdf)).replace("\n", " "))
    flat = " ".join(pdf_text(pdf))
    packed = "".join(flat.split())  # the layout wraps lines where it likes
    for literal in LITERALS + ["你好世界", "こんにちは", "🚀😀"]:
        assert "".join(literal.split()) in packed, literal
    for word in ("مرحبا", "שלום"):  # right-to-left: extraction may give either order
        assert word in extracted or word[::-1] in extracted or word in unicodedata.normalize("NFKC", flat)
    covered = glyph_coverage(pdf)
    text = record_text(hostile, title=name.endswith("cheatsheet.pdf")).replace(TEX, "")
    needed = {ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Mn", "Cc")}
    assert needed - covered == set()
    assert "\\text" not in flat and "<b>" not in flat  # the formula is drawn, not printed as TeX


@pytest.mark.slow
def test_fetcher_reaches_no_file_and_no_network(tmp_path):
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    root = project(tmp_path, {"d.txt": "Q1. What?\nA1. That.\n"})
    theme = root / "theme"
    theme.mkdir()
    (theme / "cheatsheet.css.j2").write_text(
        f'@import url("http://127.0.0.1:{port}/style.css");\n'
        f'body {{ background: url("http://127.0.0.1:{port}/bg.png"); }}\n'
        'h1::after { content: url("file:///etc/passwd"); }\n', encoding="utf-8")
    (theme / "cheatsheet.html.j2").write_text(
        f'<html><body><h1>x</h1><img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/i.png">'
        f'<iframe src="file:///etc/hostname"></iframe><style>{{% include "cheatsheet.css.j2" %}}</style>'
        '{% for c in deck.cards %}<p>{{ c.card.question_text }}</p>{% endfor %}</body></html>',
        encoding="utf-8")
    try:
        result = run(["build", "--format", "cheatsheet", "--templates", "theme"], root)
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert hits == []
    reader = PdfReader(str(root / "build" / "d.cheatsheet.pdf"))
    assert sum(len(p.images) for p in reader.pages) == 0
    assert "root:" not in " ".join(pdf_text(root / "build" / "d.cheatsheet.pdf"))


@pytest.mark.parametrize("name", ["con.txt", "a" * 180 + ".txt", "-rf.txt", "x..y.txt"])
def test_output_names_stay_inside_the_output_folder(tmp_path, name):
    root = project(tmp_path, {name: "../../x\n\nQ1. What?\nA1. That.\n"})
    result = run(["build", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    written = [p for p in root.rglob("*.html")]
    assert written == [root / "build" / (name[:-4] + ".html")]


def test_too_long_a_name_is_an_error(tmp_path):
    root = project(tmp_path, {"b" * 230 + ".txt": "Q1. What?\nA1. That.\n"})
    result = run(["build"], root)
    assert result.exit_code == 1
    assert "the file name is too long for its outputs (at most 200 characters" in result.stderr


def test_absolute_source_path_writes_into_the_output_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "abs.txt").write_text("Q1. What?\nA1. That.\n", encoding="utf-8")
    root = project(tmp_path / "repo")
    assert run(["build", str(elsewhere / "abs.txt"), "--format", "html"], root).exit_code == 0
    assert (root / "build" / "abs.html").exists() and not (elsewhere / "build").exists()


GOOD = "Deck\n\nQ1. What?\nA1. That.\n\nQ2. Why?\nA2. Because.\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_failing_output_does_not_stop_the_others(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    theme = root / "theme"
    theme.mkdir()
    (theme / "cheatsheet.html.j2").write_text("<html>\n<body>\n{{ deck.no_such_thing }}\n</body></html>\n", encoding="utf-8")
    result = run(["build", "--templates", "theme"], root)
    assert result.exit_code == 1
    assert ("error: build/d.cheatsheet.pdf: theme/cheatsheet.html.j2:3: 'deckgen.model.StudyDeck object' "
            "has no attribute 'no_such_thing'") in result.stderr
    assert "1 of 4 output(s) failed; the others were written" in result.stderr
    assert outputs(root / "build") == ["d.apkg", "d.cards.pdf", "d.html"]


def test_template_syntax_error_names_file_and_line(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    theme = root / "theme"
    theme.mkdir()
    (theme / "handout.html.j2").write_text("<p>\n{% for x in %}\n", encoding="utf-8")
    result = run(["build", "--templates", "theme", "--format", "html"], root)
    assert result.exit_code == 1
    assert "error: build/d.html: theme/handout.html.j2:2: template syntax error: Expected an expression" in result.stderr
    assert "Traceback" not in result.output


def test_output_folder_that_cannot_be_written(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD})
    (root / "blocked").write_text("a file, not a folder", encoding="utf-8")
    result = run(["build", "-o", "blocked/out", "--format", "html"], root)
    assert result.exit_code == 1
    assert "error: blocked/out/d.html: cannot write: Not a directory\n" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_disk_full_leaves_previous_outputs_and_no_temporary_file(tmp_path, monkeypatch):
    root = project(tmp_path, {"d.txt": GOOD})
    assert run(["build"], root).exit_code == 0
    before = snapshot(root)
    theme = root / "theme"
    theme.mkdir()  # a new handout template: new bytes to write, the ids file unchanged
    (theme / "handout.html.j2").write_text("<p>{{ deck.title }}</p>", encoding="utf-8")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("deckgen.writers.os.fsync", full)
    result = run(["build", "--format", "html", "--templates", "theme"], root)
    assert result.exit_code == 1
    assert "error: build/d.html: cannot write: the disk is full" in result.stderr
    assert {k: v for k, v in snapshot(root).items() if not k.startswith("theme")} == before
    # a changed source needs its ids file written first: that fails the same clear way
    (root / "source" / "d.txt").write_text(GOOD.replace("Because.", "Because of reasons."), encoding="utf-8")
    result = run(["build"], root)
    assert result.exit_code == 1
    assert result.stderr == "error: source/d.ids.json: cannot write: the disk is full\n"
    assert snapshot(root / "build") == {k[len("build/"):]: v for k, v in before.items() if k.startswith("build/")}


@pytest.mark.slow
def test_killed_build_leaves_previous_outputs_and_the_next_build_cleans_up(tmp_path):
    big = "Deck\n\n" + "".join(f"Q{n}. Question number {n} about topic {n % 17}?\nA{n}. Answer {n}: "
                               + "words " * 30 + "\n\n" for n in range(1, 301))
    root = project(tmp_path, {"d.txt": big})
    assert run(["build"], root).exit_code == 0
    before = snapshot(root / "build")
    (root / "source" / "d.txt").write_text(big.replace("words", "other words"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # a cold layout cache: the parts are laid out
    process = subprocess.Popen([sys.executable, "-m", "deckgen", "build"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it mid-render: the workers are forked as the build starts; once the handout is written
    # (while the PDFs' parts are laid out), they are at work on the PDFs
    handout = root / "build" / "d.html"
    deadline = time.monotonic() + 60
    while (handout.read_bytes() == before["d.html"] or not rendering(process.pid)) \
            and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it could be killed mid-render"
    workers = children(process.pid)
    assert workers
    process.send_signal(signal.SIGKILL)
    process.wait()
    # no process of the build survives it (each worker asked the kernel to die with deckgen)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if alive(pid)] == []
    after = snapshot(root / "build")
    for name, data in after.items():
        if ".deckgen-tmp-" in name:
            continue  # a leftover the next build removes
        if name.endswith((".apkg", ".html")) and data != before[name]:
            # written (atomically) before the PDFs were laid out: complete, not half-written
            assert valid(root / "build" / name), name
            continue
        assert data == before[name], f"{name} changed although the build was killed"
    assert set(before) <= set(after)
    leftover = root / "build" / ".d.html.deckgen-tmp-99999"
    leftover.write_bytes(b"half")
    assert run(["build", "--format", "html"], root).exit_code == 0
    assert not any(".deckgen-tmp-" in p.name for p in (root / "build").iterdir())


def alive(pid: str) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def rendering(pid: int) -> bool:
    """The build has workers that stay: a child forked for `git` is python for a moment too."""
    first = children(pid)
    if not first:
        return False
    time.sleep(0.05)
    return bool(set(first) & set(children(pid)))


def valid(path: Path) -> bool:
    if path.suffix == ".apkg":
        return zipfile.ZipFile(path).testzip() is None
    if path.suffix == ".pdf":
        return len(PdfReader(str(path)).pages) > 0
    return path.read_text(encoding="utf-8").rstrip().endswith("</html>")


@pytest.mark.slow
def test_two_builds_at_once_end_with_complete_outputs(tmp_path):
    root = project(tmp_path, {"d.txt": GOOD}, rnn=True)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    assert run(["build", "--format", "apkg"], root).exit_code == 0  # the ids files exist first
    runs = [subprocess.Popen([sys.executable, "-m", "deckgen", "build"], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    codes = [p.wait(timeout=120) for p in runs]
    assert codes == [0, 0]
    written = [root / "build" / name for name in outputs(root / "build")]
    assert len(written) == 10 and all(valid(p) for p in written)  # 2 decks x 4, all.apkg, index.html
    assert not any(".deckgen-tmp-" in p.name for p in (root / "build").iterdir())


@pytest.mark.parametrize(("text", "setting", "message"), [
    ("Q1. Huge?\nA1. " + "x" * 30_001 + "\n", "", "Q1's answer is 30,001 characters, over the limit of 20,000 (setting 'max-answer-chars') [DG012]"),
    ("".join(f"Q{n}. W{n}?\nA{n}. A{n}.\n" for n in range(1, 12)), "max-cards = 10\n", "11 cards, more than the limit of 10 (setting 'max-cards') [DG011]"),
])
def test_limits_stop_with_a_clear_error(tmp_path, text, setting, message):
    root = project(tmp_path, {"d.txt": text})
    (root / "deckgen.toml").write_text(setting, encoding="utf-8")
    result = run(["build"], root)
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (root / "build").exists()


def test_a_ten_megabyte_line_is_refused_quickly(tmp_path):
    root = project(tmp_path)
    (root / "source" / "d.txt").write_text("Q1. Long?\nA1. " + "word " * 2_000_000 + "\n", encoding="utf-8")
    started = time.monotonic()
    result = run(["check"], root)
    assert result.exit_code == 1 and "(setting 'max-answer-chars') [DG012]" in result.stdout
    assert time.monotonic() - started < 60  # bounded: it does not hang


FUZZ_EXAMPLES = int(os.environ.get("DECKGEN_FUZZ_EXAMPLES", "8"))
piece = st.sampled_from(["Q1.", "A1.", "Q2)", "A2:", "•", "- ", "1.", "Comments", "\n", "\n\n", " ",
                         "<b>", "{{ x }}", "\\(", "é", "漢", "🙂", "\u200b", "\t", "# ", "### ", "`"])
documents = st.lists(st.one_of(piece, st.text(max_size=8)), max_size=40).map("".join)


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=documents, suffix=st.sampled_from(["txt", "md"]))
def test_fuzz_the_whole_pipeline(tmp_path_factory, text, suffix):
    root = project(tmp_path_factory.mktemp("fuzz"), {f"f.{suffix}": text})
    result = run(["build"], root)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        written = outputs(root / "build")
        assert len(written) == 5 and all(valid(root / "build" / name) for name in written)  # and index.html
    else:
        assert result.stderr.startswith(("source/", "error: source/")) or "error:" in result.stderr


@pytest.mark.slow
def test_right_to_left_paragraphs_get_their_direction_everywhere(tmp_path):
    text = ("Q1. What is deep learning?\nA1. التعلم العميق هو فرع من التعلم الآلي.\n\n"
            "Q2. And in English?\nA2. A branch of machine learning.\n")
    root = project(tmp_path, {"d.txt": text})
    assert run(["build", "--format", "html", "--format", "apkg"], root).exit_code == 0
    html = (root / "build" / "d.html").read_text(encoding="utf-8")
    assert '<p dir="rtl">التعلم العميق' in html and "<p>A branch of machine learning.</p>" in html
    import_apkg(root / "build" / "d.apkg", tmp_path / "c.anki2")
    answers = sorted(n["fields"]["Answer"] for n in notes(tmp_path / "c.anki2"))
    assert answers == ["<p dir=\"rtl\">التعلم العميق هو فرع من التعلم الآلي.</p>", "<p>A branch of machine learning.</p>"]
