"""A web page's article blocks (readers/html.py) as blocks for the structure finder, and the cards
the finder's reading gives: headings of every level, bold paragraphs, `Q:` labels, `Q12.` markers,
accordions and question lines are the markers a page offers."""

from __future__ import annotations

import re

from deckgen.model import Card, Skipped, SourceSpan
from deckgen.readers.html import PageBlock, _col, _line, _Page, _text
from deckgen.readers.htmlshapes import _strip_marker
from deckgen.readers.inline import text_runs
from deckgen.readers.structure import (
    QUESTION_END,
    Mark,
    Planned,
    Reading,
    Unit,
    counted_when_repeated,
    find,
    is_reveal,
    strip_number,
)

LABEL_Q = re.compile(r"^\s*(?:Q|Question)\s*[:：]\s*", re.IGNORECASE)
LABEL_A = re.compile(r"^\s*(?:A|Answer)\s*[:：]\s*", re.IGNORECASE)
QA_MARKER = re.compile(r"^\s*Q\s?(?P<num>\d{1,5})\s*[.):]\s*(?=\S)")
A_MARKER = re.compile(r"^\s*A\s?\d{1,5}\s*[.):]\s*")
# an answer's own label, taken off its paragraph
ANSWER_LABEL = re.compile(r"^\s*(?:A\s?\d{1,5}\s*[.):]|A|Answer)\s*[:：]?\s*(?P<text>.*)$", re.IGNORECASE | re.DOTALL)


def units(blocks: list[PageBlock]) -> list[Unit]:
    out = []
    for block in blocks:
        text = block.text
        marks: list[Mark] = []
        kind = {"heading": "heading", "p": "paragraph", "pre": "code", "table": "table"}.get(block.kind, "other")
        if block.kind == "heading":
            question, number = strip_number(LABEL_Q.sub("", text, count=1))
            if not LABEL_A.match(text):
                marks.append(Mark(f"h{block.level}", question, number))
        elif block.kind == "details":
            summary = block.element.find("summary")
            question = _text(summary) if summary is not None else ""
            if question and not is_reveal(question):
                marks.append(Mark("details", strip_number(question)[0], strip_number(question)[1], answered=True))
            kind = "details"
        elif block.kind == "p":
            if (m := QA_MARKER.match(text)) is not None:
                marks.append(Mark("qa-markers", text[m.end():], (int(m["num"]),)))
            elif LABEL_Q.match(text):
                marks.append(Mark("label", LABEL_Q.sub("", text, count=1)))
            elif _all_bold(block.element) and len(text) <= 300:
                question, number = strip_number(text)
                marks.append(Mark("bold", question, number))
            elif QUESTION_END.search(text) and len(text) <= 250 and len(text.split()) >= 3:
                marks.append(Mark("question-line", text))
        line = block.line
        out.append(Unit(kind, line, line, text, level=block.level, marks=tuple(marks), payload=block))
    return out


def _all_bold(element) -> bool:
    """A paragraph whose words are all in <strong>/<b>."""
    from bs4 import NavigableString

    bold = "".join(_text(b) for b in element.find_all(["strong", "b"]) if not b.find_parent(["strong", "b"]))
    loose = "".join(str(s) for s in element.find_all(string=True)
                    if isinstance(s, NavigableString) and not s.find_parent(["strong", "b"]))
    return bool(bold.strip()) and not loose.strip(" :?.")


def read_found(blocks: list[PageBlock], page: _Page, question: str = "auto"):
    """Sections (title, span, cards) as the structure finder reads the blocks, and the reading."""
    found = units(blocks)
    reading, readings = find(found, question)
    return _sections(found, reading, page), reading, readings, found


def _sections(found: list[Unit], reading: Reading, page: _Page):
    """The reading's cards in sections (title, span, cards); what it leaves out goes to the page's
    skipped text."""
    items: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
    where: dict[int | None, int] = {None: 0}
    for position, planned in enumerate(reading.cards, start=1):
        if planned.section not in where:
            unit = found[planned.section]
            where[planned.section] = len(items)
            items.append((unit.text.rstrip(":"), page.span(unit.line, _col(unit.payload.element)), []))
        title, _, cards = items[where[planned.section]]
        cards.append(_card(found, planned, planned.family or reading.family, position, title, page))
    for unit, role, reason in zip(found, reading.roles, reading.reasons, strict=True):
        if role in ("chrome", "introduction", "closing", "between") and unit.text:
            page.skipped.append(Skipped(page.span(unit.line), unit.text[:80], reason if role == "chrome" else role))
    items = counted_when_repeated(items)
    return items


def _card(found: list[Unit], planned: Planned, family: str, position: int, section: str, page: _Page) -> Card:
    """A planned card: the question its mark gives, numbered as the page numbers it (else by its
    place), the answer its answer blocks hold."""
    unit = found[planned.question]
    block: PageBlock = unit.payload
    mark = unit.mark(family)
    body = _opened(block) if block.kind == "details" else []
    for a in planned.answer:
        body.extend(_answer_part(found[a].payload))
    answer_line = found[planned.answer[0]].payload.line if planned.answer else None
    given = mark.number[0] if mark is not None and mark.number and len(mark.number) == 1 else None
    number = position if given is None else given
    question = mark.question if mark is not None else unit.text
    return Card(
        number=number, question=text_runs(question),
        answer=page.blocks(body, answer_line or unit.line), section=section,
        span=page.span(unit.line, _col(block.element)),
        answer_span=page.span(answer_line or unit.line), answer_number=number, counted=given is None,
    )


def _opened(block: PageBlock) -> list:
    """What an accordion holds besides its summary."""
    summary = block.element.find("summary")
    return [c for c in block.element.children if c is not summary]


def _answer_part(part: PageBlock) -> list:
    """An answer block's elements: an accordion that only reveals the answer opened, a paragraph
    without its `A:` / `A12.` label."""
    if part.kind == "details" and is_reveal(_text(part.element.find("summary") or part.element)):
        return _opened(part)
    if part.kind == "p" and (LABEL_A.match(part.text) or A_MARKER.match(part.text)):
        return [_strip_marker(part.element, ANSWER_LABEL)]
    return [part.element]


__all__ = ["read_found", "units", "_line"]
