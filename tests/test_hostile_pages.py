"""Hostile documents and pages (issue #23): image names with spaces and accents, lists and quotes
nested too deep, pages nested 10,000 deep, charsets that are no charset, servers that drip or
redirect out of the web. Every one reads, or fails in one line naming the file or URL."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from deckgen.readers import read_source
from tests.helpers import FIXTURES, project, run

PNG = (FIXTURES / "pages" / "medium_files" / "tuple.png").read_bytes()


def one_line_error(result, *words: str) -> str:
    """The single line of an error: exit 1, no traceback, every word in it."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- 3. image names with spaces, accents and percent escapes ---------------------------------------

def test_markdown_images_named_with_spaces_accents_or_escapes_are_embedded(tmp_path):
    (tmp_path / "secret.png").write_bytes(PNG)
    folder = tmp_path / "doc"
    folder.mkdir()
    for name in ("my diagram.png", "café.png", "100%.png"):
        (folder / name).write_bytes(PNG)
    outside = str(tmp_path / "secret.png").replace("/", "%2F")
    (folder / "faq.md").write_text(
        "# Pictures\n\n### What do the pictures show?\n\n"
        "![spaced](<my diagram.png>) ![accented](café.png) ![escaped](my%20diagram.png) "
        "![percent](100%.png) ![query](caf%C3%A9.png?v=2) <img src=\"my diagram.png\" alt=\"raw\">\n\n"
        f"### What stays outside?\n\n![a](%2e%2e/secret.png) ![b](..%2Fsecret.png) ![c]({outside})\n",
        encoding="utf-8")
    deck = read_source(folder / "faq.md", "faq.md", 10**7)
    shown = [r.href for r in deck.cards[0].answer[0].inlines if r.kind == "image"]
    assert shown == ["my diagram.png", "café.png", "my diagram.png", "100%.png", "café.png", "my diagram.png"]
    assert deck.images == ("my diagram.png", "café.png", "100%.png")
    # still nothing outside the source's folder, however it is spelled
    refused = [d for d in deck.diagnostics if d.code == "DG302"]
    assert [d.span.line for d in refused] == [9, 9, 9], refused
    assert "image '../secret.png' is not an image file beside the source" in refused[0].message


SAVED = """<html><head><title>Pictures</title></head><body><article>
<h2>What is the first diagram?</h2>
<p>The first: <img src="Title%20With%20Spaces_files/my%20diagram.png" alt="first"></p>
<h2>What is the second diagram?</h2>
<p>The second: <img src="Title With Spaces_files/caf&#233; [v2].png" alt="second [v2]"></p>
<h2>What is the third diagram?</h2>
<p>The third: <img src="Title%20With%20Spaces_files/a%26b%3Cc%3E.png" alt="third"></p>
</article></body></html>
"""


def saved_page(folder: Path) -> Path:
    images = folder / "Title With Spaces_files"
    images.mkdir(parents=True)
    for name in ("my diagram.png", "café [v2].png", "a&b<c>.png"):
        (images / name).write_bytes(PNG)
    page = folder / "Title With Spaces.html"
    page.write_text(SAVED, encoding="utf-8")
    return page


def test_a_saved_page_keeps_the_images_in_its_folder_named_with_spaces(tmp_path):
    page = saved_page(tmp_path / "saved")
    deck = read_source(page, page.name, 10**7)
    assert deck.images == ("Title With Spaces_files/my diagram.png", "Title With Spaces_files/café [v2].png",
                           "Title With Spaces_files/a&b<c>.png")
    assert not [d for d in deck.diagnostics if d.code == "DG302"]


def test_import_copies_them_under_safe_names_and_writes_markdown_that_reads_them_back(tmp_path):
    page = saved_page(tmp_path / "saved")
    root = project(tmp_path / "deck")
    result = run(["import", str(page), "-o", "source/pictures.md"], root)
    assert result.exit_code == 0, result.output
    assert "wrote source/pictures.md (3 cards, read as headings, 3 image(s) copied)" in result.stdout
    written = (root / "source" / "pictures.md").read_text(encoding="utf-8")
    assert "![first](<Title With Spaces_files/my diagram.png>)" in written
    assert "![second &#91;v2&#93;](<Title With Spaces_files/café _v2_.png>)" in written
    assert "![third](<Title With Spaces_files/a_b_c_.png>)" in written
    copied = sorted(p.name for p in (root / "source" / "Title With Spaces_files").iterdir())
    assert copied == ["a_b_c_.png", "café _v2_.png", "my diagram.png"]
    assert all((root / "source" / "Title With Spaces_files" / n).read_bytes() == PNG for n in copied)
    deck = read_source(root / "source" / "pictures.md", "pictures.md", 10**7)
    assert [r.text for c in deck.cards for b in c.answer for r in b.inlines if r.kind == "image"] == \
        ["first", "second [v2]", "third"]
    assert len(deck.images) == 3 and not [d for d in deck.diagnostics if d.code == "DG302"]
    check = run(["check"], root)
    assert check.exit_code == 0 and "DG302" not in check.output, check.output


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_import_beside_the_page_itself_leaves_its_images_in_place(tmp_path, force):
    shutil.copy(FIXTURES / "pages" / "medium.html", tmp_path)
    shutil.copytree(FIXTURES / "pages" / "medium_files", tmp_path / "medium_files")
    result = run(["import", "medium.html", "-o", "medium.md", *force], tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "medium_files" / "tuple.png").read_bytes() == \
        (FIXTURES / "pages" / "medium_files" / "tuple.png").read_bytes()
    assert read_source(tmp_path / "medium.md", "medium.md", 10**7).images == ("medium_files/tuple.png",)


# -- 4. lists and quotes nested too deep --------------------------------------------------------------

DEEP_LIST = "\n".join("  " * i + f"- level {i + 1}" for i in range(12)) + "\n- level 1 again"
DEEP_QUOTE = "\n".join(">" * (i + 1) + f" quote {i + 1}\n" + ">" * (i + 1) for i in range(22))
DEEP = f"# Deep\n\n### What is a deep list?\n\n{DEEP_LIST}\n\n### What is a deep quote?\n\n{DEEP_QUOTE}\n\n" \
       "### What comes after?\n\nEverything else.\n"


def test_lists_and_quotes_nested_too_deep_keep_their_text_and_say_so(tmp_path):
    root = project(tmp_path, {"deep.md": DEEP})
    deck = read_source(root / "source" / "deep.md", "deep.md", 10**7)
    assert [c.question_text for c in deck.cards] == ["What is a deep list?", "What is a deep quote?",
                                                     "What comes after?"]
    listed, quoted, after = deck.cards
    assert listed.answer_text.split("\n") == [f"level {i}" for i in range(1, 13)] + ["level 1 again"]
    assert quoted.answer_text.split("\n") == [f"quote {i}" for i in range(1, 23)]
    assert after.answer_text == "Everything else."
    # nine lists keep their structure; the tenth and deeper are its item's paragraphs
    block, depth = listed.answer[0], 1
    while block.items[0][-1].kind == "list":
        block, depth = block.items[0][-1], depth + 1
    assert depth == 10 and [b.inlines[0].text for b in block.items[0]] == ["level 10", "level 11", "level 12"]
    check = run(["check"], root)
    warned = [line for line in check.output.splitlines() if "[DG022]" in line]
    assert warned == [
        "source/deep.md:14:1: warning: lists nested more than 9 deep or quotes more than 19: from this "
        "line on their text is read as plain paragraphs [DG022]",
        "source/deep.md:59:1: warning: lists nested more than 9 deep or quotes more than 19: from this "
        "line on their text is read as plain paragraphs [DG022]",
    ]
    assert DEEP.split("\n")[13].strip() == "- level 10" and DEEP.split("\n")[58] == ">" * 20 + " quote 20"


def test_a_field_of_200_nested_lists_is_read_flattened():
    from deckgen.htmlblocks import html_blocks

    soup = BeautifulSoup("<ul><li>item " * 200 + "</li></ul>" * 200, "html.parser")
    blocks, problems, _ = html_blocks(soup)
    assert [p.code for p in problems] == ["DG022"]
    words, stack = [], list(blocks)
    while stack:
        block = stack.pop()
        if block.kind == "list":
            stack.extend(b for item in block.items for b in item)
        else:
            words += [r.text for r in block.inlines]
    assert " ".join(words).count("item") == 200


# -- 8. charsets that are no charset, pages nested 10,000 deep ------------------------------------------

@pytest.mark.parametrize("charset", ["undefined", "punycode", "zlib", "rot13", "uu", "base64"])
def test_a_meta_charset_naming_no_text_encoding_is_one_error_for_that_page(tmp_path, charset):
    root = project(tmp_path, {"good.md": "# Good\n\n### What is X?\n\nA letter.\n"})
    (root / "source" / "bad.html").write_text(
        f'<html><head><meta charset="{charset}"></head><body><h2>What is Y?</h2><p>A letter.</p></body></html>')
    result = run(["build", "--format", "html"], root)
    one_line_error(result, "source/bad.html", f"charset '{charset}'", "not a character encoding")
    check = run(["check", "source/good.md"], root)
    assert check.exit_code == 0, check.output


QA = "<h2>What is X?</h2><p>A thing that is.</p><h2>What is Y?</h2><p>Another thing.</p>"
PATHOLOGICAL = {
    "divs": "<div>" * 10_000 + QA + "</div>" * 10_000,
    "tables": "<table><tr><td>" * 1_500 + QA + "</td></tr></table>" * 1_500,
    "unclosed": QA + "<b><i><span>" * 3_334 + "the end",
    "unclosed-lists": QA + "<ul><li>item" * 10_000,
    "breaks": QA + "<p>" + "<br>" * 10_000 + "</p>" * 10_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pages_nested_10000_deep_read_in_bounded_time(tmp_path, name):
    root = project(tmp_path)
    (root / "deckgen.toml").write_text("max-answer-chars = 100000\n")  # the lists' 10,000 items
    page = root / "source" / f"{name}.html"
    page.write_text(f"<html><body>\n{PATHOLOGICAL[name]}\n</body></html>\n")
    started = time.monotonic()
    # a process of its own: before the fix these ran for minutes or exhausted the stack
    done = subprocess.run([sys.executable, "-m", "deckgen", "check", f"source/{name}.html"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"source/{name}.html: 2 card(s)" in done.stdout, done.stdout
    if name != "breaks":  # <br>s are not nested: nothing flattened
        warned = [line for line in done.stdout.splitlines() if "[DG022]" in line]
        assert len(warned) == 1 and warned[0].startswith(f"source/{name}.html:2:"), done.stdout
    assert elapsed < 60, elapsed


# -- 8, 9, 14: what a server sends ---------------------------------------------------------------

class _Server(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/drip":  # a page, one byte every half second for 30 s
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "60")
            self.end_headers()
            self._drip(b"<html><body><h2>What?</h2><p>That.</p>" + b" " * 21)
        elif self.path == "/drip-headers":  # even the status line comes a byte at a time
            self._drip(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n" + b"X-Slow: " + b"x" * 60 + b"\r\n\r\n")
        elif self.path == "/undefined":
            self._send(b"<html><body><h2>What?</h2><p>That.</p></body></html>", "text/html; charset=undefined")
        elif self.path == "/base64":
            self._send(b"# T\n\n### What?\n\nThat.\n", "text/markdown; charset=base64")
        elif self.path.startswith("/to-"):
            self.send_response(302)
            self.send_header("Location", {"/to-file": "file:///etc/passwd", "/to-data": "data:text/html,<p>x</p>",
                                          "/to-javascript": "javascript:alert(1)"}[self.path])
            self.end_headers()
        else:
            self.send_error(404)

    def _drip(self, data: bytes) -> None:
        try:
            for k in range(len(data)):
                self.wfile.write(data[k:k + 1])
                self.wfile.flush()
                time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    handler = functools.partial(_Server, directory=str(tmp_path_factory.mktemp("www")))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(("path", "words"), [
    ("/drip", ["the page did not arrive within 1.5 s", "bytes came"]),
    ("/drip-headers", ["no answer within 1.5 s"]),
])
def test_timeout_is_a_deadline_for_the_whole_fetch(tmp_path, server, path, words):
    root = project(tmp_path)
    started = time.monotonic()
    result = run(["import", f"{server}{path}", "-o", "source/x.md", "--timeout", "1.5"], root)
    elapsed = time.monotonic() - started
    one_line_error(result, f"{server}{path}:", *words)
    assert elapsed < 4, elapsed
    assert not (root / "source" / "x.md").exists()


@pytest.mark.parametrize(("path", "words"), [
    ("/undefined", ["the server says charset=undefined, which is not a character encoding"]),
    ("/base64", ["the server says charset=base64, which is not a character encoding"]),
    ("/to-file", ["redirects to a file: address, which is not http or https"]),
    ("/to-data", ["redirects to a data: address, which is not http or https"]),
    ("/to-javascript", ["redirects to a javascript: address, which is not http or https"]),
])
def test_what_a_server_sends_is_one_line_when_it_cannot_be_read(tmp_path, server, path, words):
    root = project(tmp_path)
    result = run(["import", f"{server}{path}", "-o", "source/x.md"], root)
    one_line_error(result, f"{server}{path}:", *words)
    assert not (root / "source" / "x.md").exists()
