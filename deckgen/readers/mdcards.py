"""The structure finder's planned cards -> the deck's Cards, read back from a Markdown document.

Contract: `CardReader.card(units, planned, family, position, section)` builds one Card from the
units the finder chose for it: the question (its number and label taken off), the answer blocks
(the question unit's own, then each answer unit's; items of one list stay one list), the Extra
after a `<!-- deckgen: extra -->` comment, and the settings in a `<!-- deckgen: ... -->` comment
right under the question (id, tags, disable, number, reverse). A card numbered nowhere gets its
position (`counted`). What reading the blocks reports goes to the document's Findings.
`own_form` and `section_title` decide, over the whole document, how it is read (which headings
only label a question: the finder's `label_headings`).
"""

from __future__ import annotations

import copy
import dataclasses
import re

from markdown_it.token import Token

from deckgen.htmlblocks import html_blocks
from deckgen.model import Block, Card, Inline, ListBlock, Paragraph, SourceSpan
from deckgen.readers.inline import split_choices, text_runs
from deckgen.readers.mdblocks import BlockReader
from deckgen.readers.mdinline import merge
from deckgen.readers.mdmarks import (
    EXTRA,
    META,
    question_lines,
    strip_answer_label,
    strip_question_label,
    strip_runs,
)
from deckgen.readers.structure import Mark, Unit, strip_number, topics_over_asked_items

NUMBERED_TITLE = re.compile(r"^\s*\d{1,3}[.)]\s+\D")
NOT_OWN_FORM = ("details", "label", "qa-markers", "list-heading")

Question = tuple[tuple[Inline, ...], list[Block], int | None]  # runs, the answer blocks it holds, its number


# -- how the whole document is read ----------------------------------------------------------
def own_form(units: list[Unit]) -> bool:
    """deckgen's own Markdown form: an optional `# Title` first, `## Section`s, and `### Question`s
    with every other block under a question."""
    headings = [u for u in units if u.kind == "heading"]
    if not any(u.level == 3 for u in headings) or any(u.level > 3 for u in headings):
        return False
    if sum(u.level == 1 for u in headings) > 1 or any(u.level == 1 for u in headings[1:]):
        return False
    if any(m.family in NOT_OWN_FORM for u in units for m in u.marks):
        return False
    # a `###` topic over list items that ask and hold their answers: the finder chooses
    if topics_over_asked_items(units, 3):
        return False
    return _all_under_questions(units)


def _all_under_questions(units: list[Unit]) -> bool:
    """Every block but headings and deckgen's comments lies under a `### Question`."""
    under = False
    for unit in units:
        if unit.kind == "heading":
            under = unit.level == 3
        elif not under and unit.kind != "meta":
            return False
    return True


def section_title(unit: Unit) -> str:
    """A section's name: its heading's words without a number (`2. Basics:` -> "Basics")."""
    title, _ = strip_number(unit.text.strip()) if unit.kind == "heading" and NUMBERED_TITLE.match(unit.text) \
        else (unit.text.strip(), None)
    return title.rstrip(":").strip() or unit.text.strip()


def parse_meta(body: str) -> dict[str, str]:
    """A settings comment's `key=value` words (a bare key has the value "")."""
    return {
        key.strip().lower(): value.strip()
        for key, _, value in (part.partition("=") for part in body.split())
        if key.strip()
    }


# -- one card -------------------------------------------------------------------------------
class _Answer:
    """A card's answer as it is read: blocks, then (after deckgen's extra comment) the Extra."""

    def __init__(self, own: list[Block]):
        self.blocks: list[Block] = list(own)
        self.extra: list[Block] = []
        self.target = self.blocks
        self.meta: dict[str, str] = {}
        self.line: int | None = None  # the first line with words
        self.groups: dict[int, int | None] = {}  # the list the last item unit came from, per target

    def comment(self, text: str, first: bool) -> None:
        """deckgen's comment: the Extra starts, or (right under the question) the card's settings."""
        settings = META.match(text)
        if EXTRA.match(text):
            self.target = self.extra
        elif first and settings is not None:
            self.meta = parse_meta(settings["body"])

    def add(self, part: Unit, made: list[Block]) -> None:
        """An answer unit's blocks; an item of the list the previous item came from joins its list."""
        if self.line is None and part.words:
            self.line = part.line
        target = self.target
        group = part.payload[0] if part.kind == "item" else None
        if group is not None and group == self.groups.get(id(target)) and target and isinstance(target[-1], ListBlock):
            target[-1] = dataclasses.replace(target[-1], items=target[-1].items + made[0].items)
        else:
            target.extend(made)
        self.groups[id(target)] = group


class CardReader:
    def __init__(self, tokens: list[Token], lines: list[str], blocks: BlockReader, own: bool, labels: set[str]):
        self.tokens, self.lines = tokens, lines
        self.reader = blocks
        self.findings = blocks.findings
        self.own = own  # in deckgen's own form: read as written
        self.labels = labels  # heading texts that label every question rather than ask it

    def source(self, token_map) -> str:
        return "\n".join(self.lines[token_map[0]:token_map[1]]) if token_map else ""

    def card(self, units: list[Unit], planned, family: str, position: int, section: str) -> Card:
        unit = units[planned.question]
        question, own, number = self.question_of(unit, family)
        question, planned = self._asked_under_label(units, planned, unit, question, own)
        answer = self._answer(units, planned, own)
        counted = False
        if answer.meta.get("number", "").isdigit():
            number = int(answer.meta["number"])
        elif number is None:
            number, counted = position, True
        choices, body = split_choices(tuple(answer.blocks))
        meta = answer.meta
        return Card(
            number=number, question=question, answer=body, section=section, choices=choices,
            span=SourceSpan(self.findings.path, unit.line, 1),
            answer_span=SourceSpan(self.findings.path, answer.line or unit.line, 1), answer_number=number,
            tags=_listed(meta, "tags"), explicit_id=meta.get("id", ""), extra=tuple(answer.extra),
            disabled_rules=_listed(meta, "disable"), end=self._end(units, planned, unit),
            reverse="reverse" in meta and meta["reverse"].lower() not in ("false", "no", "0"), counted=counted,
        )

    def _asked_under_label(self, units: list[Unit], planned, unit: Unit, question: tuple[Inline, ...],
                           own: list[Block]):
        """Under a heading that labels every question (`### Question`), the paragraph below asks:
        its runs are the question, and it leaves the answer."""
        first = next((a for a in planned.answer if units[a].kind != "meta"), None)
        if not self.labels or self.own or unit.kind != "heading" or unit.text.strip() not in self.labels \
                or first is None or units[first].kind != "paragraph" or own:
            return question, planned
        asked = self.unit_blocks(units[first])
        if asked and isinstance(asked[0], Paragraph):
            return asked[0].inlines, dataclasses.replace(planned, answer=[a for a in planned.answer if a != first])
        return question, planned

    def _answer(self, units: list[Unit], planned, own: list[Block]) -> _Answer:
        answer = _Answer(own)
        for k, index in enumerate(planned.answer):
            part = units[index]
            if part.kind == "meta":
                answer.comment(self.tokens[part.payload[0]].content.strip(), first=k == 0)
            else:
                answer.add(part, self.unit_blocks(part))
        return answer

    def _end(self, units: list[Unit], planned, unit: Unit) -> int:
        """The card's last source line with words."""
        end = max([units[a].end for a in planned.answer] or [unit.end])
        while end > 1 and end <= len(self.lines) and not self.lines[end - 1].strip():
            end -= 1
        return end

    # -- the question -------------------------------------------------------------------------
    def question_of(self, unit: Unit, family: str) -> Question:
        """A question unit's question runs, the answer blocks it holds itself, its own number."""
        mark = unit.mark(family)
        number = mark.number[0] if mark is not None and mark.number and len(mark.number) == 1 else None
        if unit.kind == "heading":
            return self._heading_question(unit, number)
        if unit.kind == "item":
            _, a, b, _ = unit.payload
            runs, below = strip_runs(self.reader.inline.runs(self.tokens[a + 2])), self.reader.blocks(self.tokens[a + 4:b])
            if mark is not None and mark.follow_ups:  # the questions below ask more: part of the question
                runs = merge([*runs, *(run for block in below if isinstance(block, ListBlock) for item in block.items
                                       for paragraph in item if isinstance(paragraph, Paragraph)
                                       for run in (Inline("text", " "), *paragraph.inlines))])
                below = []
            return runs, below, number
        if unit.kind == "details":
            return self._details_question(unit, mark), self._html(unit), number
        if unit.kind == "paragraph":
            return self._paragraph_question(unit, family, number)
        return text_runs(unit.text.split("\n", 1)[0]), self.unit_blocks(unit), number

    def _heading_question(self, unit: Unit, number: int | None) -> Question:
        start, _ = unit.payload
        runs = self.reader.inline.runs(self.tokens[start + 1])
        if self.own:  # as written: deckgen wrote no number before the question
            return runs, [], None
        return strip_runs(runs), [], number

    def _details_question(self, unit: Unit, mark: Mark | None) -> tuple[Inline, ...]:
        return text_runs(mark.question if mark is not None else unit.text)

    def _paragraph_question(self, unit: Unit, family: str, number: int | None) -> Question:
        """A paragraph that asks on its first line (or, after a `Q:` label, on every line before
        the `A:` one); the lines after are its answer."""
        start, _ = unit.payload
        lines = self.source(self.tokens[start].map).split("\n")
        split = question_lines(lines, family)
        head = strip_question_label(" ".join(x.strip() for x in lines[:split]))
        runs = strip_runs(self.reader.inline_text(head, unit.line))
        rest = lines[split:]
        if not rest:
            return runs, [], number
        rest[0] = strip_answer_label(rest[0])
        return runs, self.reader.parse_blocks("\n".join(rest), unit.line + split), number

    # -- the answer ---------------------------------------------------------------------------
    def unit_blocks(self, unit: Unit) -> list[Block]:
        """An answer unit's blocks."""
        if unit.kind == "item":
            list_at, a, b, number = unit.payload
            ordered = self.tokens[list_at].type == "ordered_list_open"
            return [ListBlock((tuple(self.reader.blocks(self.tokens[a + 1:b])),), ordered=ordered,
                              start=number if ordered else 1)]
        if unit.kind in ("details", "html"):
            return self._html(unit)
        if unit.kind == "meta":
            return []
        start, stop = unit.payload
        if unit.kind == "paragraph" and (labelled := self._labelled_answer(start, unit.line)) is not None:
            return labelled
        return self.reader.blocks(self.tokens[start:stop])

    def _labelled_answer(self, start: int, line: int) -> list[Block] | None:
        """A paragraph that starts with an `A:` label, read without it; None for any other."""
        lines = self.source(self.tokens[start].map).split("\n")
        label = strip_answer_label(lines[0])
        if label == lines[0]:
            return None
        return self.reader.parse_blocks("\n".join([label, *lines[1:]]), line)

    def _html(self, unit: Unit) -> list[Block]:
        """A raw HTML unit's blocks (an accordion's without its summary: the question)."""
        element = _without_summary(unit.payload[1]) if unit.kind == "details" else unit.payload[1]
        blocks, problems, images = html_blocks(element, self.findings.folder)
        self.findings.adopt(problems, images, unit.line)
        return list(blocks)


def _listed(meta: dict[str, str], key: str) -> tuple[str, ...]:
    """A setting's comma-separated values."""
    return tuple(v for v in meta.get(key, "").split(",") if v)


def _without_summary(details):
    element = copy.copy(details)
    summary = element.find("summary")
    if summary is not None:
        summary.decompose()
    return element
