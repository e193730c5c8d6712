"""The HTML handout in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from deckgen.readers.text import read_text
from tests.helpers import RNN, ROOT, project, run

pytestmark = pytest.mark.slow

NAME = "rnn-interview-questions"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CARDS = read_text(RNN.read_text(encoding="utf-8"), "r", "R").cards


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


# Every search highlight as (card id, text): ranges the browser paints (CSS Custom Highlight
# API), or <mark> elements where a browser lacks the API.
HIGHLIGHTED = """() => {
  const painted = window.CSS && CSS.highlights && CSS.highlights.get('deckgen-search');
  const ranges = painted ? [...painted].map(r => [r.startContainer.parentElement.closest('article.card').id,
                                                 r.startContainer.nodeValue.slice(r.startOffset, r.endOffset)]) : [];
  return ranges.concat([...document.querySelectorAll('mark')].map(m => [m.closest('article.card').id, m.textContent]));
}"""
# A browser without the Custom Highlight API: the handout falls back to <mark> elements.
NO_HIGHLIGHT_API = "delete window.Highlight;"


class Watched:
    """A page with every console error and every request recorded; `marks`: as in a browser
    without the Custom Highlight API."""

    def __init__(self, browser, url, marks=False, **context):
        self.context = browser.new_context(**context)
        if marks:
            self.context.add_init_script(NO_HIGHLIGHT_API)
        self.page = self.context.new_page()
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = url
        self.page.goto(url)

    def visible_cards(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "article.card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.id)")

    def highlighted(self) -> list[list[str]]:
        return self.page.evaluate(HIGHLIGHTED)


@pytest.fixture
def handout(rnn_build, browser):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url)
    yield watched
    watched.context.close()


def test_no_console_errors_and_no_requests_leave_the_page(handout):
    handout.page.click("#reveal-all")
    handout.page.fill("#search", "lstm")
    _settle(handout.page)
    assert handout.errors == []
    assert handout.requests == [handout.url]


def test_served_over_http_it_works_too(rnn_build, browser):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(rnn_build / "build"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{NAME}.html"
        watched = Watched(browser, url)
        watched.page.fill("#search", "gradient")
        _settle(watched.page)
        assert watched.errors == [] and watched.requests == [url]
        assert 0 < len(watched.visible_cards()) < 80
        watched.context.close()
    finally:
        server.shutdown()


@pytest.mark.parametrize("marks", [False, True], ids=["painted", "marks"])
def test_search_shows_exactly_the_cards_containing_the_term(rnn_build, browser, marks):
    handout = Watched(browser, (rnn_build / "build" / f"{NAME}.html").as_uri(), marks=marks)
    text = "() => [...document.querySelectorAll('article.card')].map(c => [c.textContent, c.querySelectorAll('*').length])"
    before = handout.page.evaluate(text)
    for term in ("masking", "GRU", "teacher forcing"):
        handout.page.fill("#search", term)
        _highlighted(handout.page, term.lower())
        expected = sum(term.lower() in (c.question_text + " " + c.answer_text).lower() for c in CARDS)
        assert expected > 0
        visible = handout.visible_cards()
        assert len(visible) == expected, term
        assert handout.page.inner_text("#match-count") == f"{expected} of 80 cards"
        highlighted = handout.highlighted()
        assert highlighted and {text.lower() for _, text in highlighted} == {term.lower()}
        assert {card for card, _ in highlighted} <= set(visible)
        assert (handout.page.locator("mark").count() > 0) == marks  # the API's ranges change no element
    handout.page.fill("#search", "")
    _highlighted(handout.page, "")
    assert len(handout.visible_cards()) == 80
    assert handout.highlighted() == []
    assert handout.page.evaluate(text) == before  # the same text in the same elements
    assert handout.errors == []
    handout.context.close()


def test_search_highlights_are_painted_in_the_mark_colour(handout):
    """The ranges the script hands the browser are drawn: the card shows the highlight's colour
    (--mark, #ffe27a in the light theme) after a search, and not before."""
    from io import BytesIO

    from PIL import Image

    def yellow(card) -> int:
        pixels = Image.open(BytesIO(card.screenshot())).convert("RGB").tobytes()
        return sum(1 for k in range(0, len(pixels), 3)
                   if pixels[k] > 240 and 215 < pixels[k + 1] < 235 and 105 < pixels[k + 2] < 140)

    page = handout.page
    page.fill("#search", "masking")
    _highlighted(page, "masking")
    card = page.locator("article.card:not([hidden])").first
    assert yellow(card) > 50
    page.fill("#search", "")
    _highlighted(page, "")
    assert yellow(card) == 0


def test_answers_hidden_until_revealed_and_known_cards_survive_a_reload(handout):
    page = handout.page
    first = page.locator("article.card").first
    answer = first.locator(".answer")
    assert not answer.is_visible()
    first.get_by_role("button", name="Show answer").click()
    assert answer.is_visible()
    first.get_by_role("checkbox", name="Known").check()
    assert page.inner_text("#progress") == "1 of 80 known"
    page.reload()
    first = page.locator("article.card").first
    assert first.get_by_role("checkbox", name="Known").is_checked()
    assert page.inner_text("#progress") == "1 of 80 known"
    page.get_by_label("Only cards not yet known").check()
    assert len(handout.visible_cards()) == 79
    page.click("#reveal-all")
    assert page.locator("article.card:not([hidden]) .answer:visible").count() == 79


def test_without_javascript_every_answer_is_visible(rnn_build, browser):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url, java_script_enabled=False)
    assert watched.page.locator(".answer:visible").count() == 80
    assert watched.page.locator("#search:visible, button:visible").count() == 0
    watched.context.close()


def test_print_shows_every_answer_and_no_controls(handout):
    handout.page.emulate_media(media="print")
    assert handout.page.locator(".answer:visible").count() == 80
    assert handout.page.locator("button:visible, input:visible").count() == 0


def test_theme_follows_the_system_and_the_toggle_is_remembered(rnn_build, browser):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url, color_scheme="dark")
    page = watched.page
    background = "getComputedStyle(document.documentElement).backgroundColor"
    dark = page.evaluate(background)
    page.click("#theme")
    light = page.evaluate(background)
    assert dark != light and page.get_attribute("html", "data-theme") == "light"
    page.reload()
    assert page.evaluate(background) == light
    watched.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_has_no_horizontal_scrolling(rnn_build, browser, scheme, tmp_path):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url, viewport={"width": 375, "height": 800}, color_scheme=scheme)
    watched.page.click("#reveal-all")
    assert watched.page.evaluate("document.documentElement.scrollWidth") <= 375
    watched.page.screenshot(path=str(tmp_path / f"phone-{scheme}.png"))
    watched.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_axe_finds_nothing_serious(rnn_build, browser, scheme):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url, color_scheme=scheme, bypass_csp=True)
    page = watched.page
    page.click("#reveal-all")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.locator("main, nav, header, footer").count() == 4
    watched.context.close()


def test_keyboard_reaches_the_controls_with_visible_focus(handout):
    page = handout.page
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("beam")
    assert 0 < len(handout.visible_cards()) < 80


def test_anchors_key_on_stable_identity_and_math_is_mathml(tmp_path, browser):
    text = "Q1. What is x?\nA1. It is \\( x^2 \\) here.\n\nQ2. What is y?\nA2. Y.\n"
    root = project(tmp_path, {"d.txt": text})
    assert run(["build", "--format", "html"], root).exit_code == 0
    html = root / "build" / "d.html"
    watched = Watched(browser, html.as_uri(), java_script_enabled=False)
    before = dict(zip(watched.page.eval_on_selector_all("article.card", "cs => cs.map(c => c.querySelector('.q-text').textContent)"),
                      watched.visible_cards(), strict=True))
    card = watched.page.locator("article.card >> nth=0")
    assert card.locator("math msup").count() == 1  # drawn by the browser, not shown as TeX
    assert card.locator("math annotation").text_content() == "x^2"
    assert "\\(" not in card.inner_text()
    watched.context.close()
    (root / "source" / "d.txt").write_text("Q1. What is new?\nA1. New.\n\n" + text.replace("Q2", "Q3").replace("A2", "A3").replace("Q1.", "Q2.").replace("A1.", "A2."), encoding="utf-8")
    assert run(["build", "--format", "html"], root).exit_code == 0
    watched = Watched(browser, html.as_uri(), java_script_enabled=False)
    after = dict(zip(watched.page.eval_on_selector_all("article.card", "cs => cs.map(c => c.querySelector('.q-text').textContent)"),
                     watched.visible_cards(), strict=True))
    assert after["What is x?"] == before["What is x?"] and after["What is y?"] == before["What is y?"]
    assert len(set(after.values())) == 3
    watched.context.close()


def test_a_link_to_a_card_opens_it_revealed(rnn_build, browser):
    url = (rnn_build / "build" / f"{NAME}.html").as_uri()
    watched = Watched(browser, url)
    anchor = watched.page.get_attribute("article.card >> nth=5", "id")
    watched.page.goto(f"{url}#{anchor}")
    watched.page.reload()
    assert watched.page.locator(f"#{anchor} .answer").is_visible()
    watched.context.close()


def test_the_search_bar_stays_in_view_while_reading(handout):
    page = handout.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    box = page.locator(".toolbar").bounding_box()
    assert box is not None and abs(box["y"]) < 1  # stuck to the top of the window
    page.fill("#search", "gru")
    _settle(page)
    assert 0 < len(handout.visible_cards()) < 80


@pytest.fixture(scope="module")
def big_handout(tmp_path_factory):
    """A 600-card handout: every third answer mentions zebras, every ninth says zebrafish."""
    lines = ["Big Deck", ""]
    for n in range(1, 601):
        extra = " zebrafish" if n % 9 == 0 else (" zebra" if n % 3 == 0 else "")
        lines += [f"Q{n}. What is item {n} about?", f"A{n}. Item {n} is about topic {n % 13}{extra} and more words.", ""]
    root = project(tmp_path_factory.mktemp("big"), {"big.txt": "\n".join(lines)})
    result = run(["build", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    return root / "build" / "big.html"


def _state(page):
    state = page.evaluate("""() => {
      const cards = [...document.querySelectorAll('article.card')];
      return {
        shown: cards.filter(c => !c.hidden).map(c => c.id),
        count: document.getElementById('match-count').textContent,
      };
    }""")
    highlighted = page.evaluate(HIGHLIGHTED)
    marked = {card for card, _ in highlighted}
    return state | {"marked": [c for c in page.eval_on_selector_all("article.card", "cs => cs.map(c => c.id)") if c in marked],
                    "marks": [text.lower() for _, text in highlighted]}


def _settle(page):
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _highlighted(page, term: str) -> dict:
    """The state once the highlights are the term's (none for an empty term): the cards and the
    count are painted in the frame after a keystroke, the highlights right after that frame, so
    a busy machine may take a frame or two more."""
    for _ in range(50):
        _settle(page)
        state = _state(page)
        if set(state["marks"]) == ({term} if term else set()) and (state["marked"] or not term):
            break
    return state


@pytest.mark.parametrize("marks", [False, True], ids=["painted", "marks"])
def test_search_at_scale_marks_and_hides_the_right_cards(big_handout, browser, marks):
    watched = Watched(browser, big_handout.as_uri(), marks=marks)
    page = watched.page
    ids = page.eval_on_selector_all("article.card", "cards => cards.map(c => c.id)")
    zebra = {ids[n - 1] for n in range(1, 601) if n % 3 == 0}
    fish = {ids[n - 1] for n in range(1, 601) if n % 9 == 0}
    for typed, expected in (("zeb", zebra), ("zebrafish", fish)):  # a term, then extended
        page.fill("#search", typed)
        state = _highlighted(page, typed)
        assert set(state["shown"]) == expected and state["count"] == f"{len(expected)} of 600 cards"
        assert state["marked"] and set(state["marked"]) <= expected
        # Which cards are highlighted first is the browser's: those it renders (content-visibility),
        # which after the other cards hide may be most of them, more or fewer with the machine's
        # load; only that they are shown cards is certain, and that a card scrolled to gets its own.
        assert set(state["marks"]) == {typed}
    # a card scrolled into view after the search gets its highlights too
    last = sorted(fish, key=ids.index)[-1]
    page.locator(f"#{last}").scroll_into_view_if_needed()
    for _ in range(100):  # the observer reports it within a frame or two
        _settle(page)
        if last in _state(page)["marked"]:
            break
    assert last in _state(page)["marked"]
    page.fill("#search", "")  # cleared: everything back, no highlight left anywhere
    state = _highlighted(page, "")
    assert len(state["shown"]) == 600 and state["marked"] == [] and state["count"] == ""
    assert watched.errors == []
    watched.context.close()


def test_search_reads_questions_and_answers_not_the_controls_labels(big_handout, browser):
    """Every card says "Show answer" and "Known" on its controls: no search finds them there."""
    watched = Watched(browser, big_handout.as_uri())
    page = watched.page
    plain = sum(1 for n in range(1, 601) if n % 13 == 4 and n % 3)  # "topic 4" not followed by " zebra"
    for typed, shown in (("show answer", 0), ("known", 0), ("item 60 about", 1), ("topic 4 and", plain)):
        page.fill("#search", typed)
        state = _highlighted(page, typed if shown else "")
        assert state["count"] == f"{shown} of 600 cards", typed
    assert watched.errors == []
    watched.context.close()


def test_search_and_the_known_filter_narrow_and_widen_together(big_handout, browser):
    """Each step shows exactly the cards that pass both filters, whichever way it moved (a longer
    term, a shorter one, the known filter on or off, the box cleared)."""
    watched = Watched(browser, big_handout.as_uri())
    page = watched.page
    ids = page.eval_on_selector_all("article.card", "cards => cards.map(c => c.id)")
    zebra = {ids[n - 1] for n in range(1, 601) if n % 3 == 0}
    fish = {ids[n - 1] for n in range(1, 601) if n % 9 == 0}
    known = {ids[2], ids[8]}  # Q3 (zebra) and Q9 (zebrafish)
    for card in known:
        page.locator(f"#{card} input.known").check()
    unknown = page.get_by_label("Only cards not yet known")
    steps = (("fill", "zebra", zebra), ("check", None, zebra - known), ("fill", "zebrafish", fish - known),
             ("uncheck", None, fish), ("fill", "zeb", zebra), ("check", None, zebra - known),
             ("fill", "", set(ids) - known), ("uncheck", None, set(ids)))
    term = ""
    for action, typed, expected in steps:
        if action == "fill":
            page.fill("#search", typed)
            term = typed
        else:
            getattr(unknown, action)()
        state = _highlighted(page, term)
        assert set(state["shown"]) == expected, (action, typed)
        assert state["count"] == ("" if len(expected) == 600 else f"{len(expected)} of 600 cards")
        assert set(state["marks"]) == ({term} if term else set())
    assert watched.errors == []
    watched.context.close()


def test_typing_fast_updates_once_per_frame(big_handout, browser):
    watched = Watched(browser, big_handout.as_uri())
    page = watched.page
    result = page.evaluate("""async () => {
      const box = document.getElementById('search'), counter = document.getElementById('match-count');
      let updates = 0;
      new MutationObserver(records => { updates += records.length; }).observe(counter, {childList: true, characterData: true, subtree: true});
      for (const ch of 'zebrafish') { box.value += ch; box.dispatchEvent(new Event('input')); }
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      return [counter.textContent, updates];
    }""")
    # nine keystrokes within one frame: one update, for the whole word (no work queued behind them)
    assert result == ["66 of 600 cards", 1]
    watched.context.close()


def test_print_shows_every_card_of_a_big_deck(big_handout, browser):
    watched = Watched(browser, big_handout.as_uri())
    page = watched.page
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => [...document.querySelectorAll('article.card')]
        .filter(c => getComputedStyle(c).contentVisibility !== 'visible').length""")
    assert hidden == 0
    watched.context.close()


@pytest.mark.parametrize("marks", [False, True], ids=["painted", "marks"])
def test_a_search_past_a_letter_that_lengthens_when_lower_cased_breaks_nothing(tmp_path, browser, marks):
    """'İ' lower-cases to two code units, so a match found in the lower-cased text may lie past
    the node's own end; a <mark> split there threw, and the search stopped highlighting."""
    root = project(tmp_path, {"tr.txt": "Turkish\n\nQ1. What is İİİİ zebra?\nA1. A zebra in İstanbul.\n\n"
                                        "Q2. What is a horse?\nA2. A zebra without stripes.\n"})
    assert run(["build", "--format", "html"], root).exit_code == 0
    watched = Watched(browser, (root / "build" / "tr.html").as_uri(), marks=marks)
    watched.page.fill("#search", "zebra")
    state = _highlighted(watched.page, "zebra")
    assert len(state["shown"]) == 2 and state["marked"]
    assert watched.errors == []
    watched.context.close()
