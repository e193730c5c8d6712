"""Saved web pages and URLs as sources: the cards on the page, nothing of its chrome, clear errors."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import time
from pathlib import Path

import pytest

from deckgen.readers import read_source
from tests.helpers import FIXTURES, project, run

PAGES = FIXTURES / "pages"


def read(name: str):
    path = PAGES / name
    return read_source(path, name, 10**7)


def cards(deck):
    return [(c.section, c.question_text) for c in deck.cards]


def test_blogger_post_reads_its_cards_and_leaves_the_blog_out():
    deck = read("blogger.html")
    assert deck.title == "RNN frequent Interview Questions"
    assert cards(deck) == [
        ("Basics of RNNs", "What is a Recurrent Neural Network (RNN)?"),
        ("Basics of RNNs", "How does an RNN differ from a feedforward neural network?"),
        ("Training", "What challenges arise when training RNNs?"),
        ("Training", "What is truncated BPTT?"),
    ]
    first, second, third, fourth = deck.cards
    assert [c.number for c in deck.cards] == [1, 2, 3, 4]
    assert first.answer_text.startswith("An RNN is a type of neural network designed for sequential data")
    assert [r.kind for r in first.answer[0].inlines][:2] == ["text", "em"]
    assert second.answer_text == "Unlike feedforward networks, RNNs have recurrent connections."  # after a <br>
    assert third.answer[0].kind == "list" and len(third.answer[0].items) == 2
    assert any(r.kind == "link" and r.href == "https://example.com/clip" for r in third.answer[0].items[1][0].inlines)
    assert [r.kind for r in fourth.answer[0].inlines] == ["text", "code", "text"]
    assert (first.span.line, third.span.line) == (21, 26)  # lines of the HTML file
    everything = " ".join(c.question_text + " " + c.answer_text for c in deck.cards)
    for chrome in ("Popular posts", "comments", "Great list", "Labels", "Share to Twitter", "cookies", "Powered by"):
        assert chrome not in everything
    reasons = " ".join(s.text for s in deck.skipped)
    for chrome in ("Popular posts from this blog", "2 comments", "Labels: RNN", "Share to Twitter", "cookies", "Powered by Blogger"):
        assert chrome in reasons


def test_check_lists_the_chrome_it_skipped(tmp_path):
    root = project(tmp_path)
    shutil.copy(PAGES / "blogger.html", root / "source")
    result = run(["check", "-v"], root)
    assert result.exit_code == 0, result.output
    assert "source/blogger.html: 4 card(s) in 2 section(s), read as qa-markers" in result.stdout
    assert "source/blogger.html:44:1: skipped page chrome (sidebar): Popular posts from this blog" in result.stdout
    assert "source/blogger.html:38:1: skipped page chrome (comments): 2 comments:" in result.stdout


def test_faq_json_ld_is_the_first_source_with_visible_sections():
    deck = read("wordpress-faq.html")
    assert deck.shape == "faq-jsonld" and deck.title == "Kubernetes FAQ"
    assert cards(deck) == [("Workloads", "What is a Pod?"), ("Workloads", "What is a Deployment?"),
                           ("Networking", "How does a Service find its Pods?")]
    deployment = deck.cards[1]
    assert [b.kind for b in deployment.answer] == ["paragraph", "list"]
    assert ("strong", "rolling updates") in [(r.kind, r.text) for r in deployment.answer[0].inlines]
    assert deck.diagnostics == ()  # the data and the page agree
    assert "Leave a Reply" not in " ".join(c.answer_text for c in deck.cards)


def test_faq_data_that_disagrees_with_the_page_is_used_and_warned_about(tmp_path):
    text = (PAGES / "wordpress-faq.html").read_text(encoding="utf-8")
    text = text.replace("<summary>What is a Deployment?</summary>", "<summary>What is a ReplicaSet?</summary>")
    page = tmp_path / "faq.html"
    page.write_text(text, encoding="utf-8")
    deck = read_source(page, "faq.html", 10**7)
    assert [c.question_text for c in deck.cards][1] == "What is a Deployment?"
    (warning,) = deck.diagnostics
    assert warning.code == "DG019" and warning.span.line == 6  # the line of the JSON-LD
    assert "differ at question 2: the data has “What is a Deployment?”, the page shows “What is a ReplicaSet?”" in warning.message


def test_faq_microdata_is_read_too(tmp_path):
    page = tmp_path / "micro.html"
    page.write_text(
        '<html><body><main itemscope itemtype="https://schema.org/FAQPage">'
        '<div itemscope itemprop="mainEntity" itemtype="https://schema.org/Question"><h3 itemprop="name">What is DNS?</h3>'
        '<div itemscope itemprop="acceptedAnswer" itemtype="https://schema.org/Answer"><div itemprop="text"><p>The phone book of the <em>internet</em>.</p></div></div></div>'
        '</main></body></html>', encoding="utf-8")
    deck = read_source(page, "micro.html", 10**7)
    assert cards(deck) == [("", "What is DNS?")] and deck.cards[0].answer_text == "The phone book of the internet."


def test_medium_article_keeps_code_tables_and_images():
    deck = read("medium.html")
    assert deck.shape == "headings" and deck.title == "10 Python Interview Questions, Answered"
    assert cards(deck) == [("The language", "What is the difference between a list and a tuple?"),
                           ("The language", "How do you reverse a string?"),
                           ("Performance", "When should you use a generator?")]
    tuple_card, string_card, generator = deck.cards
    code = next(b for b in tuple_card.answer if b.kind == "code")
    assert code.language == "python" and code.code == 'point = (1, 2)\nseen = {point: "origin-ish"}'
    assert deck.images == ("medium_files/tuple.png",)
    assert any(r.kind == "image" and r.href == "medium_files/tuple.png" for b in tuple_card.answer
               if b.kind == "paragraph" for r in b.inlines)
    assert ("code", "s[::-1]") in [(r.kind, r.text) for r in string_card.answer[0].inlines]
    table = next(b for b in generator.answer if b.kind == "table")
    assert [[r.text for r in cell] for cell in table.header] == [["Approach"], ["Memory"]]
    assert len(table.rows) == 2
    (remote,) = deck.diagnostics
    assert remote.code == "DG302" and "https://cdn-images.example.com/remote.png" in remote.message
    skipped = {s.text: s.reason for s in deck.skipped}
    assert skipped["Conclusion"] == "not content"
    assert skipped["Lee Kim · 6 min read · Mar 3, 2025"] == "page chrome (byline)"


def test_documentation_definition_list():
    deck = read("docs-glossary.html")
    assert deck.shape == "definition-list" and deck.title == "Glossary"
    assert [c.question_text for c in deck.cards] == ["Latency", "Throughput", "MTU"]
    assert [b.kind for b in deck.cards[1].answer] == ["paragraph", "list"]
    assert "Read the Docs" not in " ".join(c.answer_text for c in deck.cards)


@pytest.mark.parametrize(("body", "expected", "shape"), [
    ("<p><strong>Q:</strong> What is a mutex?</p><p><strong>A:</strong> A lock only one thread holds.</p>"
     "<p>Q: What is a semaphore?</p><p>A: A counter of permits.</p>",
     [("What is a mutex?", "A lock only one thread holds."), ("What is a semaphore?", "A counter of permits.")], "qa-labels"),
    ("<ol><li>What is a join? Answer: Rows of two tables combined on a key.</li>"
     "<li>What is an index? <b>Answer:</b> A structure that speeds up lookups.</li></ol>",
     [("What is a join?", "Rows of two tables combined on a key."), ("What is an index?", "A structure that speeds up lookups.")], "numbered-inline"),
    ("<p>1. Tell me about yourself.</p><p>Keep it short.</p><p>Example answer: \"I build data pipelines.\"</p>"
     "<p>2. Why this company?</p><p>Example answer: \"Your mission.\"</p>",
     [("Tell me about yourself.", "I build data pipelines."), ("Why this company?", "Your mission.")], "text:coaching"),
])
def test_other_page_shapes_in_html(tmp_path, body, expected, shape):
    page = tmp_path / "p.html"
    page.write_text(f"<!doctype html><html><body><article><h1>Prep</h1>{body}</article></body></html>", encoding="utf-8")
    deck = read_source(page, "p.html", 10**7)
    assert deck.shape == shape
    assert [(c.question_text, c.answer_text) for c in deck.cards] == expected


def test_a_folder_scan_skips_what_the_browser_saved_beside_a_page(tmp_path):
    root = project(tmp_path)
    shutil.copy(PAGES / "medium.html", root / "source")
    shutil.copytree(PAGES / "medium_files", root / "source" / "medium_files")
    assert (root / "source" / "medium_files" / "frame.html").exists()
    result = run(["check"], root)
    assert result.exit_code == 0, result.output
    assert "frame.html" not in result.output and "1 source(s) checked" in result.stdout


@pytest.mark.parametrize(("data", "message"), [
    (b"<html><body><p>Q1. What is X?</p><p>A1. X is", "source/bad.html:1: the page ends before </body> and </html>: it looks truncated"),
    (b'<html><head><meta charset="utf-8"></head><body><p>Q1. Caf\xe9?</p></body></html>',
     "source/bad.html:1:58: byte 0xe9 cannot be decoded (its <meta charset> says utf-8)"),
    (b"<html><head><title>x</title></head><body>  </body></html>", "source/bad.html: the page has no text content"),
    (b"<html><body><article><p>Just an essay about nothing in particular.</p></article></body></html>",
     "source/bad.html: no questions and answers found on this page"),
])
def test_bad_pages_fail_with_one_clear_line(tmp_path, data, message):
    root = project(tmp_path)
    (root / "source" / "bad.html").write_bytes(data)
    result = run(["build"], root)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert not (root / "build").exists()


def test_a_declared_legacy_charset_is_honoured(tmp_path):
    page = tmp_path / "l.html"
    page.write_bytes(b'<html><head><meta charset="iso-8859-1"></head><body><p>Q1. Caf\xe9?</p><p>A1. Cr\xe8me.</p></body></html>')
    deck = read_source(page, "l.html", 10**7)
    assert (deck.cards[0].question_text, deck.cards[0].answer_text) == ("Café?", "Crème.")


# -- deckgen import ----------------------------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    REDIRECTS = {"/redirect": "/medium.html", "/loop": "/loop", "/ftp": "ftp://example.com/x.html"}

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path in self.REDIRECTS:
            self.send_response(302)
            self.send_header("Location", self.REDIRECTS[self.path])
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(2)
            self._send(b"<html><body>late</body></html>", "text/html")
        elif self.path == "/huge":
            self._send(b"<html><body>" + b"<p>x</p>" * 200_000 + b"</body></html>", "text/html")
        elif self.path == "/json":
            self._send(b'{"a": 1}', "application/json")
        elif self.path == "/raw/README.md":  # as raw.githubusercontent.com serves a README
            self._send(ACCORDION_README.encode("utf-8"), "text/plain; charset=utf-8")
        else:
            super().do_GET()

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_Handler, directory=str(PAGES))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.slow
def test_import_a_saved_page_writes_markdown_and_copies_its_images(tmp_path):
    root = project(tmp_path)
    result = run(["import", str(PAGES / "medium.html"), "-o", "source/python.md"], root)
    assert result.exit_code == 0, result.output
    assert "wrote source/python.md (3 cards, read as headings, 1 image(s) copied)" in result.stdout
    assert (root / "source" / "medium_files" / "tuple.png").read_bytes() == (PAGES / "medium_files" / "tuple.png").read_bytes()
    imported = read_source(root / "source" / "python.md", "python.md", 10**7)
    page = read("medium.html")
    assert [(c.question, c.answer, c.section) for c in imported.cards] == [(c.question, c.answer, c.section) for c in page.cards]
    again = run(["import", str(PAGES / "medium.html"), "-o", "source/python.md"], root)
    assert again.exit_code == 1 and "source/python.md: already exists; --force replaces it" in again.stderr
    assert run(["import", str(PAGES / "medium.html"), "-o", "source/python.md", "--force"], root).exit_code == 0
    assert run(["build"], root).exit_code == 0


def test_import_a_url_through_a_redirect(tmp_path, server):
    root = project(tmp_path)
    result = run(["import", f"{server}/redirect", "-o", "source/faq.md"], root)
    assert result.exit_code == 0, result.output
    assert "3 cards" in result.stdout
    deck = read_source(root / "source" / "faq.md", "faq.md", 10**7)
    assert deck.cards[0].question_text == "What is the difference between a list and a tuple?"
    # a remote page's images are not fetched: the one beside it on the server is not copied
    assert not (root / "source" / "medium_files").exists()


@pytest.mark.parametrize(("path", "args", "message"), [
    ("/missing.html", [], "the server answered HTTP 404"),
    ("/slow", ["--timeout", "0.5"], "no answer within 0.5 s"),
    ("/json", [], "the server sent application/json, not an HTML page, Markdown or text"),
    ("/loop", [], "too many redirects"),
    ("/ftp", [], "which is not http or https"),
    ("/huge", [], "the page is over the limit of 100,000 bytes"),
    ("/medium.html", ["--offline"], "--offline refuses to fetch a URL"),
])
def test_import_failures_are_one_line(tmp_path, server, path, args, message):
    root = project(tmp_path)
    (root / "deckgen.toml").write_text("max-source-bytes = 100000\n")
    result = run(["import", f"{server}{path}", "-o", "source/x.md", *args], root)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert not (root / "source" / "x.md").exists()


def test_import_refuses_other_schemes_and_non_pages(tmp_path):
    root = project(tmp_path)
    assert "only http and https addresses are fetched" in run(["import", "file:///etc/passwd", "-o", "source/x.md"], root).stderr
    Path(root / "notes.pdf").write_text("%PDF-1.4")
    assert "import reads a document (.htm, .html, .markdown, .md, .text, .txt) or an http(s) URL" in \
        run(["import", "notes.pdf", "-o", "source/x.md"], root).stderr


ACCORDION_README = """# Cluster exercises

<details>
<summary>What is a Pod?</summary><br><b>

The smallest unit Kubernetes schedules: one or more containers sharing a network.
</b></details>

<details>
<summary>What is a Node?</summary><br><b>
</b></details>

<details>
<summary>What does a Service give a set of Pods?</summary><br><b>

One stable address in front of Pods that come and go.
</b></details>
"""


def test_import_reads_any_document_and_leaves_unanswered_questions_out(tmp_path, server):
    root = project(tmp_path / "a")
    Path(root / "faq.txt").write_text("Q: What is X?\nA: A letter.\n\nQ: What is Y?\nA: Another.\n")
    result = run(["import", "faq.txt", "-o", "source/faq.md"], root)
    assert result.exit_code == 0, result.output
    assert "wrote source/faq.md (2 cards" in result.stdout
    # a raw Markdown README by URL, with one accordion left empty: imported without it, said once
    other = project(tmp_path / "b")
    result = run(["import", f"{server}/raw/README.md", "-o", "source/k8s.md"], other)
    assert result.exit_code == 0, result.output
    assert "wrote source/k8s.md (2 cards, read as markdown:details" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "[DG007]" in line]
    assert len(warnings) == 1 and "1 question(s) without an answer left out: line 10: What is a Node?" in warnings[0]
    deck = read_source(other / "source" / "k8s.md", "k8s.md", 10**7)
    assert [c.question_text for c in deck.cards] == ["What is a Pod?", "What does a Service give a set of Pods?"]
    assert deck.cards[1].answer_text == "One stable address in front of Pods that come and go."
    # the same document in source/ stays strict: the empty answer is an error there
    (other / "source" / "raw.md").write_text(ACCORDION_README, encoding="utf-8")
    check = run(["check", "source/raw.md"], other)
    assert check.exit_code == 1 and "has an empty answer [DG007]" in check.stdout


# -- text that slipped through -----------------------------------------------------------------

def test_an_indented_numbered_list_copied_from_a_page_reads_as_cards(tmp_path):
    text = ("Top SQL Interview Questions\n\n"
            "  1. What is normalization? Answer: Organizing tables to reduce redundancy.\n"
            "     It splits data into related tables.\n"
            "  2. What is a primary key? Answer: A column that uniquely identifies rows.\n"
            "  3. What is an index? Answer: A structure that speeds up lookups:\n"
            "       - B-tree indexes\n"
            "       - hash indexes\n")
    root = project(tmp_path, {"sql.txt": text})
    deck = read_source(root / "source" / "sql.txt", "sql.txt", 10**7)
    assert [(c.number, c.question_text, c.answer_text) for c in deck.cards] == [
        (1, "What is normalization?", "Organizing tables to reduce redundancy. It splits data into related tables."),
        (2, "What is a primary key?", "A column that uniquely identifies rows."),
        (3, "What is an index?", "A structure that speeds up lookups:\nB-tree indexes\nhash indexes"),
    ]
    assert deck.cards[2].answer[1].kind == "list"  # the nested list still nests


@pytest.mark.parametrize("ending", ["Related: Database normalization explained", "Thanks for reading. Follow for more.",
                                    "If you enjoyed this, subscribe to the newsletter!"])
@pytest.mark.parametrize("shape", ["Q1. What is X?\nA1. X is a thing.\n\nQ2. What is Y?\nA2. Y is another.\n",
                                   "Q: What is X?\nA: X is a thing.\n\nQ: What is Y?\nA: Y is another.\n"])
def test_a_sign_off_after_the_last_card_is_chrome(tmp_path, ending, shape):
    root = project(tmp_path, {"d.txt": shape + "\n" + ending + "\n"})
    deck = read_source(root / "source" / "d.txt", "d.txt", 10**7)
    assert deck.cards[-1].answer_text == "Y is another."
    assert [s.text for s in deck.skipped][-1] == ending
    result = run(["check", "-v"], root)
    assert f"skipped page chrome after the last card: {ending}" in result.stdout


def test_a_title_like_closing_line_is_reported_not_kept(tmp_path):
    root = project(tmp_path, {"d.txt": "Q1. What is X?\nA1. X is a thing.\n\nQ2. What is Y?\nA2. Y is another.\n\n"
                                       "Database Normalization Explained\n"})
    result = run(["check"], root)
    assert "source/d.txt:7:1: warning:" in result.stdout and "[DG010]" in result.stdout
    deck = read_source(root / "source" / "d.txt", "d.txt", 10**7)
    assert deck.cards[-1].answer_text == "Y is another."


def test_cards_and_warnings_name_line_and_column(tmp_path):
    page = tmp_path / "one-line.html"
    page.write_text('<html><body><main><h1>T</h1><details><summary>What is X?</summary><p>X is '
                    '<img src="https://example.com/x.png" alt="x"> here.</p></details>'
                    '<details><summary>What is Y?</summary><p>Y.</p></details></main></body></html>\n',
                    encoding="utf-8")
    deck = read_source(page, "one-line.html", 10**7)
    first, second = deck.cards
    assert (first.span.line, first.span.col) == (1, 38)  # the first <summary> starts there
    assert second.span.col > first.span.col
    (warning,) = deck.diagnostics
    assert warning.code == "DG302" and (warning.span.line, warning.span.col) == (1, 29)  # its <details>


def test_docbook_question_and_answer_blocks():
    """A DocBook qandaset (Valgrind's, libxml's FAQs): rows classed question and answer, the table
    of contents left out, sections from its division titles."""
    deck = read("docbook-faq.html")
    assert deck.shape == "question-answer-blocks"
    assert cards(deck) == [("1. Basics", "Where does the name come from?"), ("1. Basics", "How do I run it?"),
                           ("2. Trouble", "It crashes at exit. Why?")]
    name, run_it, crash = deck.cards
    assert name.answer_text == "From a river in the north.\nSee running it and the manual."
    assert run_it.answer[0].kind == "code" and run_it.answer[0].code == "tool --check file"
    assert [d.code for d in deck.diagnostics] == ["DG301"]  # manual.html: relative, no address to follow
    assert "Prev" not in " ".join(c.answer_text for c in deck.cards)


def test_an_old_table_laid_out_page_with_a_list_of_titled_answers():
    """A page laid out with tables (a menu cell, a content cell), its FAQ an <ol> whose items open
    with an emphasised title; relative links follow the page's canonical address."""
    deck = read("old-list-faq.html")
    assert deck.shape == "question-list"
    assert [c.question_text for c in deck.cards] == [
        "Troubles linking programs with the library", "Is there a Python binding?", "Does it run on Windows?"]
    assert deck.cards[2].answer[1].kind == "list"
    links = [r for r in deck.cards[1].answer[0].inlines if r.kind == "link"]
    assert [r.href for r in links] == ["https://tool.example.org/doc/python.html"]
    assert deck.diagnostics == ()
    assert "Main Menu" not in " ".join(c.answer_text for c in deck.cards)


# -- documentation generators' headings ---------------------------------------------------------

SPHINX_CONTENTS = ('<p class="topic-title">Contents</p><ul><li><a class="reference internal" href="#general-information" '
                   'id="id1">General Information</a><ul><li><a class="reference internal" href="#what-is-python" '
                   'id="id2">What is Python?</a></li><li><a class="reference internal" href="#why-was-python-created" '
                   'id="id3">Why was Python created in the first place?</a></li></ul></li></ul>')


def _doc_heading(level: int, anchor: str, text: str, markup: str) -> str:
    """A heading as a documentation generator writes it, its permalink ¶ after its text."""
    link = f'<a class="headerlink" href="#{anchor}" title="Permalink to this heading">¶</a>'
    if markup == "mkdocs":
        return f'<h{level} id="{anchor}">{text}{link}</h{level}>'
    back = {"general-information": "id1", "what-is-python": "id2", "why-was-python-created": "id3"}.get(anchor)
    role = ' role="doc-backlink"' if markup == "sphinx-new-backref" else ""
    if back and markup in ("sphinx-backref", "sphinx-new-backref"):  # `.. contents::` with back-links
        text = f'<a class="toc-backref" href="#{back}"{role}>{text}</a>'
    return f"<h{level}>{text}{link}</h{level}>"


def _doc_page(markup: str) -> str:
    """A two-question FAQ page as Sphinx (docutils before 0.18: <div class="section">; after:
    <section>, the contents a <nav>) or MkDocs (Material) writes it."""
    def h(level: int, anchor: str, text: str) -> str:
        return _doc_heading(level, anchor, text, markup)

    answers = ("<p>Python is an interpreted, interactive, object-oriented programming language.</p>",
               "<p>Here is a very brief summary of what started it all, written by Guido van Rossum.</p>")
    if markup == "mkdocs":
        body = ('<div class="md-content"><article class="md-content__inner md-typeset">'
                f'{h(1, "general-python-faq", "General Python FAQ")}{h(2, "general-information", "General Information")}'
                f'{h(3, "what-is-python", "What is Python?")}{answers[0]}'
                f'{h(3, "why-was-python-created", "Why was Python created in the first place?")}{answers[1]}'
                '</article></div>')
    elif markup.startswith("sphinx-new"):
        body = ('<div class="body" role="main"><section id="general-python-faq">'
                f'{h(1, "general-python-faq", "General Python FAQ")}'
                f'<nav class="contents" id="contents" role="doc-toc">{SPHINX_CONTENTS}</nav>'
                f'<section id="general-information">{h(2, "general-information", "General Information")}'
                f'<section id="what-is-python">{h(3, "what-is-python", "What is Python?")}{answers[0]}</section>'
                f'<section id="why-was-python-created">'
                f'{h(3, "why-was-python-created", "Why was Python created in the first place?")}{answers[1]}'
                '</section></section></section></div>')
    else:
        body = ('<div class="body" role="main"><div class="section" id="general-python-faq">'
                f'{h(1, "general-python-faq", "General Python FAQ")}'
                f'<div class="contents topic" id="contents">{SPHINX_CONTENTS}</div>'
                f'<div class="section" id="general-information">{h(2, "general-information", "General Information")}'
                f'<div class="section" id="what-is-python">{h(3, "what-is-python", "What is Python?")}{answers[0]}</div>'
                f'<div class="section" id="why-was-python-created">'
                f'{h(3, "why-was-python-created", "Why was Python created in the first place?")}{answers[1]}'
                '</div></div></div></div>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>General Python FAQ</title></head>\n'
            f'<body>\n{body}\n</body></html>\n')


@pytest.mark.parametrize("markup", ["sphinx-backref", "sphinx-new-backref", "sphinx-new", "mkdocs"])
def test_documentation_headings_with_permalinks_and_links_back_to_the_contents(tmp_path, markup):
    """Sphinx and MkDocs FAQs (Python's own): a heading's permalink ¶ is furniture, but a link that
    is the heading's whole text (Sphinx's back-link to the contents) is the heading itself."""
    root = project(tmp_path, {"faq.html": _doc_page(markup)})
    deck = read_source(root / "source" / "faq.html", "faq.html", 10**7)
    assert deck.title == "General Python FAQ"
    assert cards(deck) == [("General Information", "What is Python?"),
                           ("General Information", "Why was Python created in the first place?")]
    assert [c.answer_text for c in deck.cards] == [
        "Python is an interpreted, interactive, object-oriented programming language.",
        "Here is a very brief summary of what started it all, written by Guido van Rossum."]
    assert "¶" not in " ".join(c.question_text + c.answer_text for c in deck.cards)
    result = run(["check"], root)
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stdout


def test_chrome_inside_a_heading_that_is_not_its_text_is_still_left_out(tmp_path):
    """Only a link that is a heading's whole text is the heading: a share link beside the
    question's words stays chrome."""
    page = tmp_path / "p.html"
    page.write_text('<html><body><article><h1>FAQ</h1><h2>What is a mutex?<a class="share" href="https://social.example/'
                    '?u=1">Share</a></h2><p>A lock only one thread holds.</p><h2>What is a semaphore?</h2>'
                    '<p>A counter of permits.</p></article></body></html>', encoding="utf-8")
    deck = read_source(page, "p.html", 10**7)
    assert [(c.question_text, c.answer_text) for c in deck.cards] == [
        ("What is a mutex?", "A lock only one thread holds."), ("What is a semaphore?", "A counter of permits.")]
    assert [(s.text, s.reason) for s in deck.skipped] == [("Share", "page chrome (share)")]
