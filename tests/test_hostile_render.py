"""Hostile formulas and code: a formula's MathML keeps only an allow-list (links to http, https and
mailto, no inline CSS), the handout runs only its own script (its CSP allows it by hash), and
highlighting and formulas are bounded per card. Read back in Chromium and, where Debian's
firefox-esr is installed, in Firefox (driven over Marionette: Playwright's Firefox cannot be
downloaded here and does not drive a stock build)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from deckgen import richtext as rich
from tests.helpers import project, run
from tests.test_handout import CHROMIUM

ATTACK = (
    "# Attack\n\n## Formulas\n\n"
    "### What does \\(\\href{javascript:alert(5)}{QLINK}\\) do?\n\n"
    "Click \\(\\href{javascript:alert(1)}{CLICKME}\\), \\(\\href{data:text/html,<script>alert(2)</script>}{DATA}\\), "
    "\\(\\href{JaVaScRiPt:alert(3)}{MIXED}\\), \\(\\style{position:fixed;inset:0;background:red}{STYLED}\\), "
    "\\(\\class{controls}{CLASSED}\\), \\(\\colorbox{url(javascript:alert(4))}{BOXED}\\) and "
    "\\(\\href{https://example.org/}{SAFE}\\).\n\n"
    "$$\\href{javascript:alert(6)}{DISPLAYED}$$\n"
)
LINKED = ["CLICKME", "DATA", "MIXED", "QLINK", "DISPLAYED"]
SCHEMES = ("http://", "https://", "mailto:")


@pytest.fixture(scope="module")
def attack(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("attack"), {"a.md": ATTACK})
    result = run(["build", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    return root, result


def test_formula_links_and_styling_are_dropped_with_a_warning_naming_the_card(attack):
    _, result = attack
    expected = [
        "source/a.md:7:1: warning: Q1's formula links to 'javascript:alert(1)', not http, https or mailto; "
        "the link is dropped: \\href{javascript:alert(1)}{CLICKME} [DG301]",
        "source/a.md:7:1: warning: Q1's formula links to 'data:text/html,<script>alert(2)</script>', not http, "
        "https or mailto; the link is dropped: \\href{data:text/html,<script>alert(2)</script>}{DATA} [DG301]",
        "source/a.md:7:1: warning: Q1's formula links to 'JaVaScRiPt:alert(3)', not http, https or mailto; "
        "the link is dropped: \\href{JaVaScRiPt:alert(3)}{MIXED} [DG301]",
        "source/a.md:5:1: warning: Q1's formula links to 'javascript:alert(5)', not http, https or mailto; "
        "the link is dropped: \\href{javascript:alert(5)}{QLINK} [DG301]",
        "source/a.md:7:1: warning: Q1's formula links to 'javascript:alert(6)', not http, https or mailto; "
        "the link is dropped: \\href{javascript:alert(6)}{DISPLAYED} [DG301]",
        "source/a.md:7:1: warning: Q1's formula uses \\style, which formulas do not carry; dropped: "
        "\\style{position:fixed;inset:0;background:red}{STYLED} [DG305]",
        "source/a.md:7:1: warning: Q1's formula uses \\class, which formulas do not carry; dropped: "
        "\\class{controls}{CLASSED} [DG305]",
        "source/a.md:7:1: warning: Q1's formula uses mathbackground=url(javascript:alert(4)), which formulas do "
        "not carry; dropped: \\colorbox{url(javascript:alert(4))}{BOXED} [DG305]",
    ]
    for line in expected:
        assert line in result.stderr, result.stderr
    assert "example.org" not in result.stderr  # a https link is fine


def _parsed(mathml: str) -> ET.Element:
    """A MathML string as elements, tags without their namespace."""
    element = ET.fromstring(mathml)
    for node in element.iter():
        node.tag = node.tag.rpartition("}")[2]
    return element


def _maths(page: str) -> list[ET.Element]:
    return [_parsed(m) for m in re.findall(r"<math\b.*?</math>", page, flags=re.DOTALL)]


def test_the_handout_mathml_holds_no_script_link_and_no_styling(attack):
    root, _ = attack
    page = (root / "build" / "a.html").read_text(encoding="utf-8")
    maths = _maths(page)
    assert len(maths) == 9
    hrefs = []
    for math in maths:
        for node in math.iter():
            assert node.tag in rich.MATHML_ELEMENTS
            assert not {"style", "class", "id"} & set(node.attrib), node.attrib
            assert not any(name.startswith("on") for name in node.attrib)
            if "href" in node.attrib:
                hrefs.append(node.attrib["href"])
            if "mathbackground" in node.attrib:
                assert "(" not in node.attrib["mathbackground"]
    assert hrefs == ["https://example.org/"]
    # anywhere in the page: every link is http, https or mailto, or a place in it
    for target in re.findall(r'\bhref="([^"]*)"', page):
        assert html.unescape(target).startswith((*SCHEMES, "#")), target
    text = " ".join("".join(m.itertext()) for m in maths)
    for word in [*LINKED, "STYLED", "CLASSED", "BOXED", "SAFE"]:
        assert word in text  # the content stays, only the markup goes


@pytest.mark.parametrize("tex", [
    "\\href{javascript:alert(1)}{x}", "\\href{ javascript:alert(1)}{x}", "\\href{vbscript:x}{x}",
    "\\href{data:image/svg+xml,<svg onload=alert(1)>}{x}", "\\href{file:///etc/passwd}{x}",
    "\\href{//evil.example/}{x}", "\\href{&#106;avascript:alert(1)}{x}", "\\style{color:red}{x}",
    "\\class{card}{x}", "\\color{expression(alert(1))}{x}", "\\fcolorbox{red;x:y}{blue}{x}",
])
def test_every_formula_output_is_allow_listed(tex):
    for display in (False, True):
        element = _parsed(rich.mathml(tex, display, annotate=True))
        for node in element.iter():
            assert node.tag in rich.MATHML_ELEMENTS
            for name, value in node.attrib.items():
                assert name in rich.MATHML_ATTRIBUTES
                if name == "href":
                    assert value.lower().startswith(SCHEMES)
                elif name not in ("alttext", "encoding"):
                    assert re.fullmatch(r"[\w#.%+\- ]*", value), (name, value)
        assert rich.formula_dropped(tex)


def test_ordinary_formulas_keep_their_markup():
    assert rich.formula_dropped("\\frac{a}{b} + \\sqrt[3]{x} + \\begin{matrix}a & b\\end{matrix}") == ()
    assert rich.formula_dropped("\\color{red}{x} + \\boxed{y} + \\hat{z} + \\mathbf{v}") == ()
    assert 'href="mailto:a@example.org"' in rich.mathml("\\href{mailto:a@example.org}{x}", False)


def _policy(page: str) -> dict[str, list[str]]:
    content = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)[1])
    return {part.split()[0]: part.split()[1:] for part in content.split(";") if part.strip()}


def _digest(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def test_the_policy_runs_the_page_script_by_hash_and_nothing_inline(attack):
    root, _ = attack
    page = (root / "build" / "a.html").read_text(encoding="utf-8")
    policy = _policy(page)
    # the pinned scheduler (study mode) and the page's own script, each allowed by its hash alone
    scheduler, script = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert "ts-fsrs" in scheduler[:300]
    assert policy["script-src"] == [_digest(scheduler), _digest(script)]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["default-src"] == ["'none'"] and policy["img-src"] == ["data:"]


def test_a_theme_script_is_allowed_by_its_own_hash(tmp_path):
    root = project(tmp_path, {"d.txt": "Q1. What?\nA1. That.\n"})
    theme = root / "theme"
    theme.mkdir()
    (theme / "handout.js.j2").write_text("window.deckTitle = {{ deck.title | tojson }};\n", encoding="utf-8")
    result = run(["build", "--format", "html", "--templates", "theme"], root)
    assert result.exit_code == 0, result.output
    page = (root / "build" / "d.html").read_text(encoding="utf-8")
    scheduler, script = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert script == 'window.deckTitle = "D";\n'
    assert _policy(page)["script-src"] == [_digest(scheduler), _digest(script)]


@pytest.mark.slow
def test_chromium_runs_the_page_script_and_no_formula_or_injected_script(attack):
    from playwright.sync_api import sync_playwright

    root, _ = attack
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        url = (root / "build" / "a.html").as_uri()
        page.goto(url)
        # the page's own script runs under the policy: the quiz, the search and the theme work
        assert page.locator("article.card .answer").is_hidden()
        page.click("#reveal-all")
        assert page.locator("article.card .answer").is_visible()
        page.fill("#search", "clickme")
        page.wait_for_function("document.getElementById('match-count').textContent === '1 of 1 cards'")
        page.fill("#search", "")
        page.click("#theme")
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") in ("dark", "light")
        assert errors == []
        for word in LINKED:
            page.get_by_text(word, exact=True).click()
        page.wait_for_timeout(300)
        assert dialogs == [] and page.url == url
        # a formula cannot cover the page with inline CSS
        assert page.evaluate("getComputedStyle(document.querySelector('math mrow mrow')).position") != "fixed"
        # markup that got in anyway would not run: no inline handlers, no javascript: URLs
        ran = page.evaluate("""() => {
            const b = document.createElement('button');
            b.setAttribute('onclick', 'window.inlineRan = 1');
            document.body.append(b); b.click();
            const a = document.createElement('a');
            a.href = 'javascript:window.urlRan = 1'; a.textContent = 'x';
            document.body.append(a); a.click();
            return [window.inlineRan, window.urlRan];
        }""")
        page.wait_for_timeout(300)
        assert ran == [None, None] and page.evaluate("window.urlRan") is None and dialogs == []
        browser.close()


class Marionette:
    """Firefox over its Marionette protocol (length-prefixed JSON over TCP): enough to open a page,
    click an element, run a script and ask whether an alert is open."""

    def __init__(self, binary: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="deckgen-firefox-")
        with open(os.path.join(self.profile, "user.js"), "w", encoding="utf-8") as prefs:
            prefs.write(f'user_pref("marionette.port", {port});\n')
        self.process = subprocess.Popen([binary, "--headless", "--marionette", "--no-remote", "--profile",
                                         self.profile], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise
                time.sleep(0.2)
        self.buffer, self.sent = b"", 0
        self._receive()  # the server's greeting
        self.command("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"unhandledPromptBehavior": "ignore"}}})

    def _receive(self):
        while b":" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        size, rest = self.buffer.split(b":", 1)
        while len(rest) < int(size):
            rest += self.sock.recv(65536)
        self.buffer = rest[int(size):]
        return json.loads(rest[:int(size)])

    def command(self, name: str, params: dict | None = None):
        self.sent += 1
        data = json.dumps([0, self.sent, name, params or {}]).encode("utf-8")
        self.sock.sendall(str(len(data)).encode("ascii") + b":" + data)
        while True:
            kind, number, error, result = self._receive()
            if kind == 1 and number == self.sent:
                if error:
                    raise RuntimeError(error.get("error", error))
                return result

    def element(self, css: str) -> str:
        found = self.command("WebDriver:FindElement", {"using": "css selector", "value": css})["value"]
        return next(iter(found.values()))

    def alert(self) -> str | None:
        try:
            return self.command("WebDriver:GetAlertText")["value"]
        except RuntimeError as err:
            if "no such alert" in str(err):
                return None
            raise

    def close(self) -> None:
        try:
            self.command("Marionette:Quit")
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")


@pytest.mark.slow
@pytest.mark.skipif(FIREFOX is None, reason="Firefox is not installed (Debian: apt-get install firefox-esr)")
def test_firefox_follows_no_formula_link_to_script(attack):
    root, _ = attack
    firefox = Marionette(FIREFOX)
    try:
        url = (root / "build" / "a.html").as_uri()
        firefox.command("WebDriver:Navigate", {"url": url})
        firefox.command("WebDriver:ElementClick", {"id": firefox.element("#reveal-all")})
        assert firefox.command("WebDriver:ExecuteScript", {
            "script": "return document.getElementById('reveal-all').getAttribute('aria-pressed')"})["value"] == "true"
        for word in LINKED:
            # latex2mathml draws a word as one <mi> a letter: click the first letter
            xpath = f"(//*[local-name()='mrow'][normalize-space(.)='{word}']//*[local-name()='mi'])[1]"
            found = firefox.command("WebDriver:FindElement", {"using": "xpath", "value": xpath})["value"]
            firefox.command("WebDriver:ElementClick", {"id": next(iter(found.values()))})
            time.sleep(0.3)
            assert firefox.alert() is None, word
        assert firefox.command("WebDriver:GetCurrentURL")["value"] == url
        # were a javascript: link to get into a formula, the policy would still stop it
        firefox.command("WebDriver:ExecuteScript", {"script": """
            const m = document.querySelector('math mrow');
            const link = document.createElementNS('http://www.w3.org/1998/Math/MathML', 'mtext');
            link.setAttribute('href', 'javascript:alert(7)'); link.id = 'injected'; link.textContent = 'INJECTED';
            m.append(link);"""})
        firefox.command("WebDriver:ElementClick", {"id": firefox.element("#injected")})
        time.sleep(0.3)
        assert firefox.alert() is None
    finally:
        firefox.close()


# Bounds: highlighting (a lexer that takes minutes on whitespace) and formulas per card.

PATHOLOGICAL_LINE = "a" + " " * 19_000  # the C lexer: about two minutes
PATHOLOGICAL_LINES = "a" + "\n" * 19_000  # the same over short lines: no line is long
NORMAL_C = "int main(void) {\n    /* a comment */\n    return 0;\n}\n"


def test_a_very_long_line_is_shown_plain_with_its_reason():
    shown = rich.highlight(PATHOLOGICAL_LINE, "c")
    assert str(shown) == PATHOLOGICAL_LINE and "<span" not in shown
    assert rich.code_problem(PATHOLOGICAL_LINE, "c") == "a line of 19,001 characters (highlighting stops at 1,000)"


def test_a_lexer_that_runs_out_of_time_leaves_the_block_plain(monkeypatch):
    rich._highlighted.cache_clear()
    monkeypatch.setattr(rich, "HIGHLIGHT_SECONDS", 0.2)  # unbounded, this block takes minutes
    try:
        shown = rich.highlight(PATHOLOGICAL_LINES, "c")
        assert str(shown) == PATHOLOGICAL_LINES and "<span" not in shown
        assert rich.code_problem(PATHOLOGICAL_LINES, "c") == "the C lexer took over 0.2 s"
    finally:
        rich._highlighted.cache_clear()


def test_code_of_any_usual_size_is_still_highlighted():
    assert '<span class="hl-kt">int</span>' in rich.highlight(NORMAL_C, "c")
    assert rich.code_problem(NORMAL_C, "c") == ""
    long_block = "".join(f"int f{i}(int x) {{ return x + {i}; }}  /* {i} */\n" for i in range(300))
    assert len(long_block) > 4 * rich.LEXER_PASS  # lexed in several passes
    shown = str(rich.highlight(long_block, "c"))
    assert shown.count('<span class="hl-kt">int</span>') == 600 and shown.count('class="hl-cm"') == 300
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == long_block.rstrip("\n")


def test_the_build_shows_pathological_code_plain_and_names_the_card(tmp_path):
    source = ("# Code\n\n## S\n\n### Normal?\n\n```c\n" + NORMAL_C + "```\n\n"
              "### Slow?\n\n```c\n" + PATHOLOGICAL_LINE + "\n```\n")
    root = project(tmp_path, {"c.md": source})
    result = run(["build", "--format", "html", "--format", "apkg"], root)
    assert result.exit_code == 0, result.output
    assert ("source/c.md:16:1: warning: Q2's c code is shown without highlighting: a line of 19,001 characters "
            "(highlighting stops at 1,000) [DG306]") in result.stderr
    page = (root / "build" / "c.html").read_text(encoding="utf-8")
    normal, slow = re.findall(r'<code class="language-c">(.*?)</code>', page, flags=re.DOTALL)
    assert '<span class="hl-kt">int</span>' in normal
    assert slow == PATHOLOGICAL_LINE


def _formulas(count: int) -> str:
    return "# F\n\n## S\n\n### Many?\n\n" + " ".join(f"\\(x_{{{i}}}\\)" for i in range(count)) + "\n"


def test_limit_formulas_keeps_the_first_and_shows_the_rest_as_tex():
    from deckgen.readers.markdown import read_markdown

    deck = read_markdown(_formulas(5) + "\n$$ y $$\n\n- \\(z\\)\n", "f.md", "F")
    limited = rich.limit_formulas(deck, 3)
    (card,) = limited.cards
    assert rich.card_formulas(card) == ["x_{0}", "x_{1}", "x_{2}"]
    kinds = [(r.kind, r.text) for r in card.answer[0].inlines if r.kind in ("math", "code")]
    assert kinds == [("math", "x_{0}"), ("math", "x_{1}"), ("math", "x_{2}"), ("code", "x_{3}"), ("code", "x_{4}")]
    assert (card.answer[1].kind, card.answer[1].code) == ("code", "y")
    assert [r.kind for r in card.answer[2].items[0][0].inlines] == ["code"]
    assert [d.format() for d in limited.diagnostics] == [
        "f.md:7:1: warning: Q1 has 7 formulas, more than max-formulas-per-card (3); the ones after that are "
        "shown as TeX [DG307]"]
    assert rich.limit_formulas(deck, 7) is deck


def test_max_formulas_per_card_is_a_setting(tmp_path):
    from deckgen.config import load_settings

    assert load_settings(tmp_path).settings.max_formulas_per_card == 200
    (tmp_path / "deckgen.toml").write_text("max-formulas-per-card = 50\n", encoding="utf-8")
    assert load_settings(tmp_path).settings.max_formulas_per_card == 50


def test_a_build_draws_at_most_the_limit_of_formulas_per_card_and_says_so(tmp_path):
    root = project(tmp_path, {"f.md": _formulas(250)})
    result = run(["build", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    assert ("source/f.md:7:1: warning: Q1 has 250 formulas, more than max-formulas-per-card (200); "
            "the ones after that are shown as TeX [DG307]") in result.stderr
    page = (root / "build" / "f.html").read_text(encoding="utf-8")
    assert page.count("<math") == 200 and "<code>x_{249}</code>" in page
    (root / "deckgen.toml").write_text("max-formulas-per-card = 250\n", encoding="utf-8")
    assert "max-formulas-per-card" not in run(["check"], root).stdout
