"""Math, highlighted code, tables, cloze and reversed cards, read back from every output as users meet them."""

from __future__ import annotations

import re

import pytest

from tests.helpers import FIXTURES, RNN, import_apkg, pdf_text, places, project, run, squash
from tests.test_handout import AXE, Watched, browser  # noqa: F401  (the browser fixture)

RICH = FIXTURES / "rich-deck.md"


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("rich"), {"rich.md": RICH.read_text(encoding="utf-8")})
    result = run(["build"], root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def collection(rich, tmp_path_factory):
    path = tmp_path_factory.mktemp("anki") / "collection.anki2"
    imported = import_apkg(rich / "build" / "rich.apkg", path)
    assert (imported.notes, imported.cards) == (4, 6)  # c1 and c2 make two cards; reversed two
    return path


def _cards(collection):
    from anki.collection import Collection

    col = Collection(str(collection))
    try:
        found = []
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            note = card.note()
            found.append((note.note_type()["name"], card.ord, card.question(), card.answer(), note["Id"]))
        return found
    finally:
        col.close()


@pytest.mark.slow
def test_anki_note_types_and_cards(collection):
    cards = sorted((name, ord_) for name, ord_, *_ in _cards(collection))
    assert cards == [("deckgen Q&A", 0), ("deckgen Q&A", 0), ("deckgen Q&A (and reversed)", 0),
                     ("deckgen Q&A (and reversed)", 1), ("deckgen Q&A Cloze", 0), ("deckgen Q&A Cloze", 1)]
    from anki.collection import Collection

    col = Collection(str(collection))
    try:
        names = sorted(m["name"] for m in col.models.all() if m["name"].startswith("deckgen"))
        assert names == ["deckgen Q&A", "deckgen Q&A (and reversed)", "deckgen Q&A Cloze"]
        cloze_type = col.models.by_name("deckgen Q&A Cloze")
        assert [f["name"] for f in cloze_type["flds"]] == ["Text", "Extra", "Section", "Number", "Source", "Id"]
        assert cloze_type["type"] == 1  # Anki's cloze kind: one card per cloze number
        assert len(col.models.by_name("deckgen Q&A (and reversed)")["tmpls"]) == 2
    finally:
        col.close()


@pytest.mark.slow
def test_anki_renders_mathjax_delimiters_code_spans_and_clozes(rich, collection):
    rendered = {}
    place = places(rich)
    for name, ord_, question, answer, card_id in _cards(collection):
        rendered.setdefault(str(place[card_id]), []).append((name, ord_, question, answer))
    (_, _, question, answer), = rendered["1"]
    assert "\\(h_t\\)" in question
    assert "\\(h_t = \\tanh(W h_{t-1} + U x_t)\\)" in answer and "\\[y = \\mathrm{softmax}(W h)\\]" in answer
    assert "$5 and $10" in answer  # dollars that are money stay text
    (_, _, _, code), = rendered["2"]
    assert '<span class="hl-k">def</span>' in code and '<span class="hl-nf">clip</span>' in code
    assert "<table>" in code and "<th" in code
    clozes = sorted(rendered["3"], key=lambda r: r[1])
    assert [c[1] for c in clozes] == [0, 1]
    shown = re.sub(r"<style>.*?</style>|<[^>]+>", "", clozes[0][2], flags=re.DOTALL)  # what the card shows
    assert "[...]" in shown and "Rome" in shown and "Paris" not in shown
    assert "[city]" in clozes[1][2] and "Paris" in clozes[1][2]
    assert "Paris" in clozes[0][3] and "Both are capitals" in clozes[0][3]
    forward, backward = sorted(rendered["4"], key=lambda r: r[1])
    assert "What does GRU stand for?" in forward[2] and "Gated recurrent unit." not in forward[2]
    assert "Gated recurrent unit." in backward[2] and "What does GRU stand for?" not in backward[2]
    assert "What does GRU stand for?" in backward[3]


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        colour = colour.lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(("theme", "background"), [("light", "#f2f2f4"), ("light", "#eff0f2"), ("dark", "#2c2c31"),
                                                   ("dark", "#2a2a30"), ("dark", "#1e1e21"), ("print", "#f4f4f4")])
def test_code_colours_are_readable_on_their_background(theme, background):
    from deckgen.richtext import code_css

    colours = re.findall(r"\.hl-(\w+) \{ color: (#[0-9A-Fa-f]{3,6})", str(code_css(theme, "")))
    assert len(colours) > 10
    low = [(token, colour, round(_contrast(colour, background), 2)) for token, colour in colours
           if token not in ("w", "err") and _contrast(colour, background) < 4.5]  # WCAG AA
    assert low == []


def _colour_runs(pdf_path):
    """(text, fill colour) for every text run on the first page, read from the content stream."""
    from pypdf import PdfReader

    page = PdfReader(str(pdf_path)).pages[0]
    state = {"colour": (0.0, 0.0, 0.0)}
    runs = []

    def before(operator, operands, cm, tm):
        if operator == b"rg":
            state["colour"] = tuple(round(float(v), 3) for v in operands)
        elif operator == b"g":
            state["colour"] = (round(float(operands[0]), 3),) * 3

    def text(t, cm, tm, font, size):
        if t.strip():
            runs.append((t.strip(), state["colour"]))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs


@pytest.mark.slow
def test_cheatsheet_draws_math_colours_code_and_lays_out_tables(rich):
    pdf = rich / "build" / "rich.cheatsheet.pdf"
    text = " ".join(pdf_text(pdf))
    assert "\\tanh" not in text and "\\(" not in text and "$$" not in text and "mathrm" not in text
    assert "$5 and $10" in squash(text)
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(str(pdf))
    page = reader.pages[0]
    operators = [op for _, op in ContentStream(page.get_contents(), page.pdf).operations]
    for xobject in (page["/Resources"].get("/XObject") or {}).values():  # the imposed columns
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            operators += [op for _, op in ContentStream(xobject, reader).operations]
    # the formulas are drawn as glyph outlines: hundreds of curve segments (the rest of the
    # sheet has a few, for rounded corners)
    assert operators.count(b"c") > 300
    colours = {t: c for t, c in _colour_runs(pdf)}
    keyword = next(c for t, c in colours.items() if t.startswith("def"))
    assert keyword != (0.0, 0.0, 0.0) and len(set(keyword)) > 1  # coloured
    positions = word_boxes(pdf)
    gate, role, activation = positions["Gate"], positions["Role"], positions["Activa‐"]
    assert abs(gate[1] - role[1]) < 0.5 and abs(role[1] - activation[1]) < 0.5
    assert gate[0] < role[0] < activation[0]
    assert positions["input"][1] > gate[1] and abs(positions["input"][0] - gate[0]) < 0.5
    assert positions["forget"][1] > positions["input"][1]


def word_boxes(pdf) -> dict[str, tuple[float, float]]:
    """Each word on the first page (poppler's pdftotext -bbox) with where it starts, in points."""
    import html
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    found: dict[str, tuple[float, float]] = {}
    for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out):
        found.setdefault(html.unescape(word), (float(x), float(y)))
    return found


@pytest.mark.slow
def test_flashcards_one_card_per_cloze_number(rich):
    pages = pdf_text(rich / "build" / "rich.cards.pdf")
    front = squash(pages[0])
    assert "The capital of France is […] and of Italy Rome." in front
    assert "The capital of France is Paris and of Italy [city]." in front
    assert "cloze 1" in front and "cloze 2" in front
    back = squash(pages[1])
    assert back.count("The capital of France is Paris and of Italy Rome.") == 2


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_handout_mathml_code_colours_and_cloze_quiz(rich, browser, scheme):  # noqa: F811
    watched = Watched(browser, (rich / "build" / "rich.html").as_uri(), color_scheme=scheme, bypass_csp=True)
    page = watched.page
    card = page.locator("article.card", has_text="capital of France")
    assert card.locator(".cloze-blank").first.is_visible() and not card.locator(".cloze-text").first.is_visible()
    card.locator("button.reveal").click()
    assert card.locator(".cloze-text").first.is_visible() and not card.locator(".cloze-blank").first.is_visible()
    page.click("#reveal-all")
    math = page.locator("math").first
    box = math.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 5  # laid out by the browser
    assert page.locator("math[display=block]").count() == 1
    assert page.locator("math msub").count() >= 2
    keyword = page.locator(".hl-k").first.evaluate("e => getComputedStyle(e).color")
    body = page.evaluate("getComputedStyle(document.body).color")
    assert keyword != body
    cell = page.locator("table td", has_text="forget")
    assert cell.count() == 1
    assert page.locator("pre").first.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    assert watched.errors == []
    watched.context.close()


@pytest.mark.slow
def test_handout_code_colours_follow_the_theme(rich, browser):  # noqa: F811
    seen = {}
    for scheme in ("light", "dark"):
        watched = Watched(browser, (rich / "build" / "rich.html").as_uri(), color_scheme=scheme)
        watched.page.click("#reveal-all")
        seen[scheme] = watched.page.locator(".hl-k").first.evaluate("e => getComputedStyle(e).color")
        watched.context.close()
    assert seen["light"] != seen["dark"]


@pytest.mark.parametrize(("source", "message"), [
    ("### Q?\n\nThe {{c1::capital is Paris.\n", "source/d.md:3:1: error: Q1 has a malformed cloze at '{{c1::capital is Paris.' (write {{c1::text}} or {{c1::text::hint}}, numbered from 1) [DG017]"),
    ("### Q?\n\nThe {{c0::capital}} is Paris.\n", "source/d.md:3:1: error: Q1 has a malformed cloze at '{{c0::capital}} is Paris.' (write {{c1::text}} or {{c1::text::hint}}, numbered from 1) [DG017]"),
    ("### The capital is {{c1::Paris}}\n<!-- deckgen: reverse -->\n", "source/d.md:1:1: error: Q1 is a cloze card and cannot be reversed [DG018]"),
    ("### Q?\n\nBroken \\( \\frac{a}{ \\) formula.\n", "source/d.md:3:1: warning: Q1's formula does not parse (NoAvailableTokensError): \\frac{a}{ [DG016]"),
])
def test_bad_rich_content_is_reported_with_file_and_line(tmp_path, source, message):
    root = project(tmp_path, {"d.md": "# D\n\n" + source if False else source})
    result = run(["check"], root)
    assert message in result.stdout, result.output


@pytest.mark.slow
def test_a_formula_that_does_not_parse_is_shown_as_written(tmp_path):
    root = project(tmp_path, {"d.md": "### Q?\n\nBroken \\( \\frac{a}{ \\) formula.\n"})
    assert run(["build", "--format", "html", "--format", "cheatsheet"], root).exit_code == 0
    html = (root / "build" / "d.html").read_text(encoding="utf-8")
    assert '<code class="tex">\\frac{a}{</code>' in html
    assert "\\frac{a}{" in squash(" ".join(pdf_text(root / "build" / "d.cheatsheet.pdf")))


def test_text_sources_read_formulas_and_display_math_on_its_own_line(tmp_path):
    from deckgen.readers.text import read_text

    deck = read_text("Q1. What is \\( h_t \\)?\nA1. It is\n\n$$ h_t = f(h_{t-1}) $$\n\nand \\[ x \\] too.\n", "t.txt", "T")
    (card,) = deck.cards
    assert [r.kind for r in card.question] == ["text", "math", "text"]
    assert [b.kind for b in card.answer] == ["paragraph", "math", "paragraph"]
    assert card.answer[1].tex == "h_t = f(h_{t-1})"


def test_markdown_math_follows_pandoc_dollar_rule():
    from deckgen.readers.markdown import read_markdown

    deck = read_markdown("### Q?\n\nIt costs $5 and $10; $x$ and $ y $ and $a$1 and \\(z\\).\n", "m.md", "M")
    runs = deck.cards[0].answer[0].inlines
    assert [r.text for r in runs if r.kind == "math"] == ["x", "z"]
    assert "$5 and $10" in "".join(r.text for r in runs if r.kind == "text")


def test_convert_writes_tables_math_clozes_and_reads_them_back(tmp_path):
    from deckgen.convert import to_markdown
    from deckgen.readers.markdown import read_markdown

    deck = read_markdown(RICH.read_text(encoding="utf-8"), "r.md", "R")
    again = read_markdown(to_markdown(deck), "r.md", "R")
    assert [(c.question, c.answer, c.extra, c.reverse) for c in again.cards] == \
        [(c.question, c.answer, c.extra, c.reverse) for c in deck.cards]


def test_a_version_1_ids_file_stays_valid_under_locked(tmp_path):
    import json

    root = project(tmp_path, rnn=True)
    assert run(["build", "--format", "apkg"], root).exit_code == 0
    ids = root / "source" / (RNN.stem + ".ids.json")
    current = json.loads(ids.read_text())
    assert current["deckgen-ids"] == 4 and list(current["notetypes"]) == ["basic"]
    # the same identities as version 1 wrote them (one note type, no card types, hashes of the
    # rendered fields: taken from the version 2 file the RNN deck had before format 3)
    lines = (FIXTURES / "rnn-ids-v2.json").read_text().splitlines()
    old = json.loads("\n".join(lines))
    lines[1] = '  "deckgen-ids": 1,'
    lines[3] = '  "notetype": ' + json.dumps(old["notetypes"]["basic"]) + ","
    ids.write_text("\n".join(lines) + "\n")
    version_1 = ids.read_bytes()
    result = run(["build", "--format", "apkg", "--locked"], root)
    assert result.exit_code == 0, result.output
    assert ids.read_bytes() == version_1  # --locked never writes
    assert run(["build", "--format", "apkg"], root).exit_code == 0
    migrated = json.loads(ids.read_text())
    assert migrated["deckgen-ids"] == 4
    # taken over with every identity and time kept: Anki sees no note changed
    assert [(e["id"], e["modified"]) for e in migrated["cards"]] == [(e["id"], e["modified"]) for e in old["cards"]]


@pytest.mark.slow
def test_a_card_that_changes_kind_gets_a_new_note_and_the_old_is_reported(tmp_path):
    text = "# D\n\n### What does GRU stand for?\n\nGated recurrent unit.\n"
    root = project(tmp_path, {"d.md": text})
    assert run(["build", "--format", "apkg"], root).exit_code == 0
    collection = tmp_path / "c.anki2"
    first = import_apkg(root / "build" / "d.apkg", collection)
    old_guid = first.log.new[0].id  # noqa: F841  (the note id; its guid is read below)
    (root / "source" / "d.md").write_text(text.replace("for?\n", "for?\n<!-- deckgen: reverse -->\n"), encoding="utf-8")
    result = run(["build", "--format", "apkg"], root)
    assert result.exit_code == 0
    assert "1 card(s) left the deck" in result.stderr and '"deck:D" (Id:' in result.stderr
    second = import_apkg(root / "build" / "d.apkg", collection)
    assert len(second.log.new) == 1 and not second.log.conflicting and not second.log.updated
    assert (second.notes, second.cards) == (2, 3)
    ids = (root / "source" / "d.ids.json").read_text()
    assert '"deckgen-ids": 4' in ids and '"type": "reversed"' in ids
