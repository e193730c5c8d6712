"""A Markdown document's top-level blocks as the structure finder's Units.

Contract: `document_units(tokens, lines)` reads markdown-it's token stream of a whole document
(and its source lines) into Units, in order: headings, paragraphs, list items (or whole lists),
raw HTML (one unit per top-level accordion), code, rules, deckgen's comments, tables, quotes and
formulas. Each unit carries its source lines, words, marks (how it could ask a question), chrome
reason, whether it opens or closes an accordion that another unit closes or opened, and a payload
the card reader reads it back from: (first token, after last token) for most units; (list's
first token, item's first token, item's last token, item's number) for an item; ("details", the
accordion) or ("html", the soup) for raw HTML. Nothing is reported and no token is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from markdown_it.token import Token

from deckgen.readers.mdchrome import (
    DOCTOC,
    front_matter,
    html_chrome,
    indented_link,
    mostly_anchors,
    only_links,
    paragraph_chrome,
)
from deckgen.readers.mdmarks import (
    META,
    asking_item_marks,
    details_marks,
    follow_up_marks,
    heading_marks,
    item_marks,
    paragraph_marks,
)
from deckgen.readers.mdtokens import closing, html_soup, inline_html_tags, inline_words, item_ranges, plain
from deckgen.readers.structure import Unit

if TYPE_CHECKING:
    from bs4 import BeautifulSoup  # loaded only when a document holds raw HTML

CLOSE_LINE = re.compile(r"^\s*(?:</\w+>\s*)*</details>\s*$", re.IGNORECASE)
OPEN_DETAILS = re.compile(r"<details[\s>]", re.IGNORECASE)
TOC = "table of contents"


def document_units(tokens: list[Token], lines: list[str]) -> list[Unit]:
    """The document's units (see the module's contract)."""
    reader = _UnitReader(tokens, lines)
    units = reader.top_level_units()
    for unit in units:
        reader.mark_accordion_edges(unit)
    return units


class _UnitReader:
    def __init__(self, tokens: list[Token], lines: list[str]):
        self.tokens, self.lines = tokens, lines
        self.readers: dict[str, Callable[[int, int, int, int, str], list[Unit]]] = {
            "heading_open": self.heading_units,
            "paragraph_open": self.paragraph_units,
            "bullet_list_open": self.list_units,
            "ordered_list_open": self.list_units,
            "html_block": self.html_units,
            "fence": self.code_units,
            "code_block": self.code_units,
            "hr": self.rule_units,
        }

    def source(self, token_map) -> str:
        return "\n".join(self.lines[token_map[0]:token_map[1]]) if token_map else ""

    def top_level_units(self) -> list[Unit]:
        """Every top-level block's units; a block between doctoc's comments is a table of contents,
        one in the YAML front matter is chrome."""
        tokens, out = self.tokens, []
        i, doctoc = 0, False
        front, _ = front_matter(self.lines)
        while i < len(tokens):
            token = tokens[i]
            end = closing(tokens, i) if token.nesting == 1 else i
            first, last = (token.map[0] + 1, token.map[1]) if token.map else (1, 1)
            chrome = TOC if doctoc else "front matter" if first <= front else ""
            if token.type == "html_block" and DOCTOC.search(token.content):
                doctoc = "START" in token.content.upper()
                chrome = TOC
            out.extend(self.readers.get(token.type, self.other_units)(i, end, first, last, chrome))
            i = end + 1
        return out

    def mark_accordion_edges(self, unit: Unit) -> None:
        """A list, item, table or other block that opens an accordion it does not close, or closes
        one opened before it (an accordion's closing tag may end a list or a quote: a lazy line)."""
        if unit.kind not in ("list", "item", "other", "table"):
            return
        start, stop = (unit.payload[1], unit.payload[2] + 1) if unit.kind == "item" else unit.payload
        inside = self.tokens[start:stop]
        tags = [t.content.lower() for t in inside if t.type == "html_block"]
        tags += [tag for t in inside if t.type == "inline" for tag in inline_html_tags(t)]
        opened = sum(len(OPEN_DETAILS.findall(t)) for t in tags)
        # a closing tag alone on its line closes, even where an unclosed fence made it code
        raw = self.lines[unit.line - 1:unit.end]
        closed = max(sum(t.count("</details") for t in tags), sum(bool(CLOSE_LINE.match(line)) for line in raw))
        unit.opens, unit.closes = opened > closed, closed > opened

    # -- one reader per kind of top-level block: (first token, its closing token, first line,
    # last line, chrome reason so far) -> units
    def heading_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        level, text = int(self.tokens[i].tag[1]), plain(self.tokens[i + 1])
        return [Unit("heading", first, last, text, level=level, chrome=chrome,
                     marks=heading_marks(text, level), payload=(i, end + 1))]

    def paragraph_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        inline = self.tokens[i + 1]
        text = plain(inline)
        tags = inline_html_tags(inline)
        opens = sum(t.startswith("<details") for t in tags)
        closes = sum(t.startswith("</details") for t in tags)
        lines = self.source(self.tokens[i].map).split("\n")
        return [Unit("paragraph", first, last, text, marks=paragraph_marks(inline, lines, text),
                     chrome=chrome or paragraph_chrome(inline, text),
                     opens=opens > closes, closes=closes > opens, payload=(i, end + 1))]

    def list_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        """A list's items, when one of them asks a question; else the list as one unit (a table of
        contents when most of it links to places in the document)."""
        tokens = self.tokens[i:end + 1]
        text = inline_words(tokens)
        if chrome or mostly_anchors(tokens):
            return [Unit("list", first, last, text, chrome=chrome or TOC, payload=(i, end + 1))]
        ranges = item_ranges(self.tokens, i, end)
        items = [self.item_unit(i, a, b, k, (first, last)) for k, (a, b) in enumerate(ranges)]
        if not any(unit.marks for unit in items):
            return [Unit("list", first, last, text, payload=(i, end + 1), links=only_links(tokens))]
        # in a list of questions (most items ask), an item that asks without a question mark
        # ("Describe event bubbling.") is one too, not the answer of the question before it
        asking = [unit.marks or asking_item_marks(self.tokens, a, b) for unit, (a, b) in zip(items, ranges, strict=True)]
        if any(unit.mark("list-item") for unit in items) and 2 * sum(map(bool, asking)) > len(items):
            for unit, marks in zip(items, asking, strict=True):
                unit.marks = marks
            # a list of questions and nothing else, at least half of them alone: what the others hold
            # below their question are follow-up questions (part of it), never its answer. Where
            # most items hold questions below them, those are what the item asks for ("What should
            # you ask about the team?" / "How big is the team?"): its answer, as before.
            held = [(unit, follow_up_marks(self.tokens, a, b, unit.marks))
                    for unit, (a, b) in zip(items, ranges, strict=True) if unit.mark("list-item") and unit.mark("list-item").answered]
            if held and 2 * len(held) <= len(items) and all(marks is not None for _, marks in held):
                for unit, marks in held:
                    unit.marks = marks
        return items

    def item_unit(self, i: int, a: int, b: int, k: int, lines: tuple[int, int]) -> Unit:
        """The k-th item of the list at tokens[i] (tokens[a] opens it, tokens[b] closes it)."""
        opening = self.tokens[i]
        ordered = opening.type == "ordered_list_open"
        start = int(opening.attrs.get("start", 1)) if ordered else 1
        where = self.tokens[a].map or [lines[0] - 1, lines[1]]
        marks = item_marks(self.tokens, a, b, ordered, (start + k,) if ordered else None)
        return Unit("item", where[0] + 1, where[1], inline_words(self.tokens[a:b + 1]), marks=marks,
                    payload=(i, a, b, start + k))

    def html_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        """deckgen's comment, another comment, the accordions in a raw HTML block, or the block."""
        html = self.tokens[i].content
        stripped = html.strip()
        if META.match(stripped):
            return [Unit("meta", first, last, "", words=0, payload=(i, i + 1))]
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            return [Unit("html", first, last, "", chrome=chrome or "comment", words=0, payload=(i, i + 1))]
        soup = html_soup(html)
        opens, closes = html.count("<details"), html.count("</details>")
        if not chrome and (accordions := _accordion_units(soup, html, first, last, opens > closes)):
            return accordions
        text = " ".join(soup.get_text(" ").split())
        return [Unit("html", first, last, text, chrome=chrome or html_chrome(soup, text),
                     opens=opens > closes, closes=closes > opens, payload=("html", soup))]

    def code_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        token = self.tokens[i]
        if not chrome and token.type == "code_block" and indented_link(token.content):
            chrome = "back-to-top link"  # indented four spaces by mistake: a code block
        return [Unit("code", first, last, token.content, chrome=chrome, payload=(i, end + 1))]

    def rule_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        return [Unit("rule", first, last, "", chrome=chrome or "rule", payload=(i, end + 1))]

    def other_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        """Tables, quotes, formulas: one unit each."""
        tokens = self.tokens[i:end + 1]
        text = inline_words(tokens) or self.tokens[i].content
        kind = "table" if self.tokens[i].type == "table_open" else "other"
        if kind == "table" and mostly_anchors(tokens):
            chrome = chrome or TOC
        return [Unit(kind, first, last, text, chrome=chrome, payload=(i, end + 1))]


def _accordion_units(soup: BeautifulSoup, html: str, first: int, last: int, unclosed: bool) -> list[Unit]:
    """One unit per top-level accordion in a raw HTML block (accordions inside one are part of it),
    placed on its summary's line; an accordion opens one a later unit closes when the block has
    more opening tags than closing ones and none of the latter."""
    units: list[Unit] = []
    inner: set[int] = set()  # accordions inside one already read (found once, not by walking up)
    for details in soup.find_all("details"):
        if id(details) in inner:
            continue
        inner.update(id(d) for d in details.find_all("details"))
        summary = details.find("summary")
        question = " ".join(summary.get_text(" ").split()) if summary is not None else ""
        body = " ".join(details.get_text(" ").split())
        rest = body[len(" ".join(question.split())):].strip() if question else body
        where = getattr(summary, "sourceline", None) or getattr(details, "sourceline", None) or 1
        units.append(Unit("details", first + where - 1, last, body, marks=details_marks(question, rest),
                          opens="</details>" not in html and unclosed, payload=("details", details)))
    return units
