"""Reading a document as one family of question markers (readers/structure.py scores the readings
and keeps the best): `collect(units, family)` gives every unit a role.

Contract:
- In: the units of a document (findmarks.Unit) and a family (or a compiled pattern a question's
  first line matches, read as the family "pattern"). Units of a table of contents written as a
  list of the questions get their `chrome` set here (`_mark_mirrors`), which later readings see.
- Out: a `Reading`: one role per unit (question, answer, section, title, chrome, introduction,
  between, closing), the reason of each chrome unit, and the planned cards (a question unit, its
  answer units, the unit of its section heading). Nothing is scored here.
- The rules, in the order they apply to a unit: chrome; inside an accordion the answer opened;
  the family's question; the document's `#` title before the first question; a table of
  contents heading; a section heading; the current card's answer; else text left out. Then: a
  question with nothing under it that does not read as one is a section title; after the last
  answer a sign-off and a closing section ("Conclusion", "References") are not cards; a section
  that holds no card is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from deckgen.readers.findmarks import (
    CLOSING_HEADING,
    FURNITURE_HEADING,
    HEADING_FAMILIES,
    SIGN_OFF,
    Unit,
    count_words,
    reads_as_question,
)


@dataclass
class Planned:
    """A card as a family reads it: its question unit and its answer units."""

    question: int
    answer: list[int] = field(default_factory=list)
    section: int | None = None  # the unit of its section heading
    family: str = ""  # set where a part of the document is read by another family than the whole


@dataclass
class Reading:
    family: str
    roles: list[str]  # per unit: question, answer, section, title, chrome, introduction, between, closing
    reasons: list[str]  # per unit: the chrome's reason
    cards: list[Planned]
    title: int | None = None
    score: float = 0.0
    evidence: dict[str, float] = field(default_factory=dict)
    also: list[tuple[str, int, int]] = field(default_factory=list)  # stretches read by another family

    def words(self, units: Sequence[Unit], role: str) -> int:
        return sum(u.words for u, r in zip(units, self.roles, strict=True) if r == role)

    def coverage(self, units: Sequence[Unit]) -> Coverage:
        """The share of the text in cards, and what was left out, grouped in runs of lines."""
        total = sum(u.words for u in units) or 1
        in_cards = sum(u.words for u, r in zip(units, self.roles, strict=True)
                       if r in ("question", "answer", "section", "title"))
        left: list[tuple[str, int, int, int]] = []  # reason, first line, last line, words
        for unit, role, reason in zip(units, self.roles, self.reasons, strict=True):
            if role in ("question", "answer", "section", "title") or not unit.words:
                continue
            why = reason if role == "chrome" else role
            if left and left[-1][0] == why:
                left[-1] = (why, left[-1][1], unit.end, left[-1][3] + unit.words)
            else:
                left.append((why, unit.line, unit.end, unit.words))
        return Coverage(total, in_cards, tuple(left))


@dataclass(frozen=True)
class Coverage:
    total: int
    in_cards: int
    left_out: tuple[tuple[str, int, int, int], ...]  # reason, first line, last line, words

    @property
    def share(self) -> float:
        return self.in_cards / self.total if self.total else 1.0

    def unexplained(self) -> list[tuple[str, int, int, int]]:
        """What was left out without being recognised as chrome: text between cards, a closing,
        and an introduction longer than 30% of the document (a page's opening words are
        expected; half a document before the first question is a short read)."""
        intro = sum(w for reason, _, _, w in self.left_out if reason == "introduction")
        kinds = ("between", "closing", "introduction") if intro > 0.3 * self.total else ("between", "closing")
        return [run for run in self.left_out if run[0] in kinds]

    def line(self) -> str:
        """`341 cards hold 96% of the text; left out: table of contents (lines 40-390, 2,924 words)`."""
        grouped: dict[str, list[tuple[int, int, int]]] = {}
        for reason, first, last, words in self.left_out:
            grouped.setdefault(reason, []).append((first, last, words))
        parts = []
        for reason, runs in grouped.items():
            words = sum(w for _, _, w in runs)
            where = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b, _ in runs[:3])
            more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
            lines = "line" if len(runs) == 1 and runs[0][0] == runs[0][1] else "lines"
            parts.append(f"{reason} ({lines} {where}{more}, {words:,} words)")
        return f"hold {round(100 * self.share)}% of the text" + (f"; left out: {'; '.join(parts)}" if parts else "")



# markers that only ever ask: an item of theirs is never a section title
ONLY_ASK = ("details", "dt", "label", "qa-markers")


def _is_item(unit: Unit, family: str, pattern: re.Pattern | None) -> bool:
    if pattern is not None:
        return unit.kind not in ("code", "meta") and bool(pattern.search(unit.text.split("\n", 1)[0]))
    return unit.mark(family) is not None


def collect(units: Sequence[Unit], family: str, pattern: re.Pattern | None = None) -> Reading:
    """Read the units as `family` (or `pattern`) marks the questions: a role for every unit."""
    walk = _Walk(units, family, _items(units, family, pattern))
    for i, unit in enumerate(units):
        walk.step(i, unit)
    cards = _titles_as_sections(units, family, walk.cards, walk.roles)
    cards = _closing_links(units, family, cards, walk.roles, walk.reasons)
    if cards:
        _closing(units, family, cards[-1], walk.roles, walk.reasons)
    _unused_sections(cards, walk.roles)
    return Reading(family if pattern is None else "pattern", walk.roles, walk.reasons, cards, walk.title)


def _items(units: Sequence[Unit], family: str, pattern: re.Pattern | None) -> list[int]:
    """The units that are the family's questions: not a table of contents of them, and for a
    family that is no heading, in its own numbering."""
    items = [i for i, u in enumerate(units) if not u.chrome and _is_item(u, family, pattern)]
    if pattern is not None:
        return items
    _mark_mirrors(units, items, family)
    items = [i for i in items if not units[i].chrome]
    if family in (*HEADING_FAMILIES, "list-heading"):  # a heading is a marker of its own
        return items
    return _in_sequence(units, items, family)


def _next_content(units: Sequence[Unit], i: int) -> int | None:
    """The next unit after `i` that is content (not chrome, not a comment of the source)."""
    for j in range(i + 1, len(units)):
        if not units[j].chrome and units[j].kind != "meta":
            return j
    return None


def _heads_a_question(units: Sequence[Unit], i: int, items: set[int]) -> bool:
    """A heading with only headings between it and the next question stands right above it."""
    j = _next_content(units, i)
    while j is not None and units[j].kind == "heading" and j not in items:
        j = _next_content(units, j)
    return j is not None and j in items


def _deepest_section(units: Sequence[Unit], items: set[int], level: int | None) -> int:
    """The deepest level of the headings that stand right above a question: those are sections;
    deeper ones inside an answer are the answer's own sub-headings. Where no heading stands right
    above a question, a heading deeper than the questions' own level (`### Arrays` under
    `## Which collections…?`) is never a section; for questions that are not headings every
    heading is one."""
    levels = {unit.level for i, unit in enumerate(units)
              if unit.kind == "heading" and i not in items and _heads_a_question(units, i, items)}
    return max(levels, default=6 if level is None else level)


class _Walk:
    """collect's pass in document order: each unit's role by the first rule that takes it."""

    def __init__(self, units: Sequence[Unit], family: str, items: list[int]) -> None:
        self.units, self.family, self.items = units, family, set(items)
        self.first_item = items[0] if items else len(units)
        self.level = int(family[1]) if family in HEADING_FAMILIES else None
        self.deepest = _deepest_section(units, self.items, self.level)
        self.roles = ["" for _ in units]
        self.reasons = ["" for _ in units]
        self.cards: list[Planned] = []
        self.current: Planned | None = None
        self.section: int | None = None
        self.title: int | None = None
        self.depth = 0  # accordions opened inside the current answer
        self.rules = (self.chrome, self.in_accordion, self.question, self.document_title, self.furniture,
                      self.section_heading, self.answer)

    def step(self, i: int, unit: Unit) -> None:
        for rule in self.rules:
            if rule(i, unit):
                return
        self.roles[i] = "introduction" if not self.cards else "between"

    def chrome(self, i: int, unit: Unit) -> bool:
        if not unit.chrome:
            return False
        self.roles[i], self.reasons[i] = "chrome", unit.chrome
        return True

    def in_accordion(self, i: int, unit: Unit) -> bool:
        """Everything inside an accordion the answer opened is the answer."""
        if self.current is None or not self.depth:
            return False
        self.roles[i] = "answer"
        self.current.answer.append(i)
        self.depth += unit.opens - unit.closes
        return True

    def question(self, i: int, unit: Unit) -> bool:
        if i not in self.items:
            return False
        self.current = Planned(i, section=self.section)
        self.cards.append(self.current)
        self.roles[i] = "question"
        self.depth = 1 if unit.opens else 0
        return True

    def document_title(self, i: int, unit: Unit) -> bool:
        """The first `#` heading before the first question (unless `#` headings are the questions)."""
        if unit.kind != "heading" or unit.level != 1 or self.title is not None or i >= self.first_item \
                or self.family == "h1":
            return False
        self.title, self.roles[i] = i, "title"
        return True

    def furniture(self, i: int, unit: Unit) -> bool:
        if unit.kind != "heading" or not FURNITURE_HEADING.match(unit.text):
            return False
        self.roles[i], self.reasons[i] = "chrome", "table of contents"
        self.current = None
        return True

    def section_heading(self, i: int, unit: Unit) -> bool:
        """A section heading; one that reads as a sentence inside an answer stays in the answer."""
        if not self.is_section(unit):
            return False
        if self.current is not None and _sentence(unit.text) and _next_content(self.units, i) not in self.items:
            return False
        self.current = None
        self.section = i
        self.roles[i] = "section"
        return True

    def is_section(self, unit: Unit) -> bool:
        if unit.kind != "heading":
            return False
        if self.level is not None:
            return unit.level < self.level or (unit.level > self.level and unit.level <= self.deepest)
        return unit.level <= self.deepest

    def answer(self, i: int, unit: Unit) -> bool:
        if self.current is None:
            return False
        self.roles[i] = "answer"
        self.current.answer.append(i)
        self.depth = 1 if unit.opens else 0
        return True


def has_answer(units: Sequence[Unit], card: Planned, family: str) -> bool:
    """Whether a card has answer-like content: text, code or a table under it, or its own."""
    mark = units[card.question].mark(family)
    return any(units[a].words or units[a].kind in ("code", "table") for a in card.answer) or \
        (mark is not None and mark.answered)


def _titles_as_sections(units: Sequence[Unit], family: str, cards: list[Planned], roles: list[str]) -> list[Planned]:
    """A question with nothing after it and that does not read as one is a section title
    (`### Basics` right before `### What is X?`)."""
    if family in ONLY_ASK:
        return cards
    kept: list[Planned] = []
    for index, card in enumerate(cards):
        following = cards[index + 1] if index + 1 < len(cards) else None
        if following is not None and _bare_title(units, card, family):
            roles[card.question] = "section"
            following.section = card.question
            continue
        kept.append(card)
    return kept


def _bare_title(units: Sequence[Unit], card: Planned, family: str) -> bool:
    unit = units[card.question]
    mark = unit.mark(family)
    numbered = mark is not None and mark.number is not None and family not in HEADING_FAMILIES
    return not has_answer(units, card, family) and not numbered and not reads_as_question(_question_text(unit, family))


def _closing_links(units: Sequence[Unit], family: str, cards: list[Planned], roles: list[str],
                   reasons: list[str]) -> list[Planned]:
    """A last heading that asks nothing and holds only a list of links, after questions that
    mostly ask (`### Other Answers` and the addresses of other people's answers), is the
    document's closing: not a card."""
    if len(cards) < 3:
        return cards
    last = cards[-1]
    unit = units[last.question]
    answer = [a for a in last.answer if units[a].kind != "meta" and not units[a].chrome]
    asked = sum(reads_as_question(_question_text(units[c.question], family)) for c in cards[:-1])
    if unit.kind != "heading" or reads_as_question(_question_text(unit, family)) or not answer \
            or not all(units[a].links for a in answer) or asked < len(cards[:-1]) / 2:
        return cards
    for index in (last.question, *last.answer):
        if roles[index] != "chrome":
            roles[index], reasons[index] = "chrome", f"links after the last card ({unit.text.strip()})"
    return cards[:-1]


def _closing(units: Sequence[Unit], family: str, last: Planned, roles: list[str], reasons: list[str]) -> None:
    """After the last answer: a sign-off and everything after it is the document's closing, and
    so is a closing section ("Conclusion", "References", "License": the document's own furniture)."""
    _sign_off(units, family, last, roles, reasons)
    closing_section = ""
    for j in range(max([last.question, *last.answer]) + 1, len(units)):
        if units[j].kind == "heading":
            closing_section = units[j].text.strip() if CLOSING_HEADING.match(units[j].text) else ""
        if closing_section and roles[j] != "chrome":
            roles[j], reasons[j] = "chrome", f"closing section ({closing_section})"
        elif roles[j] in ("section", "between"):
            roles[j] = "closing"


def _sign_off(units: Sequence[Unit], family: str, last: Planned, roles: list[str], reasons: list[str]) -> None:
    """A sign-off paragraph in the last answer (not its only block, unless the question holds its
    own answer) ends the answer: it is page chrome, and what follows it the closing."""
    own = units[last.question].mark(family)
    for k, a in enumerate(last.answer):
        if _signs_off(units[a]) and (k or len(last.answer) > 1 or (own is not None and own.answered)):
            for b in last.answer[k:]:
                roles[b] = "closing"
            roles[a], reasons[a] = "chrome", "page chrome after the last card"
            last.answer = last.answer[:k]
            return


def _signs_off(unit: Unit) -> bool:
    return unit.kind in ("paragraph", "heading") and bool(SIGN_OFF.match(unit.text.strip().split("\n", 1)[0]))


def _unused_sections(cards: list[Planned], roles: list[str]) -> None:
    """Sections that hold no card are not sections of the deck; their text was left out."""
    used = {c.section for c in cards}
    for i, role in enumerate(roles):
        if role == "section" and i not in used:
            roles[i] = "introduction" if not cards or i < cards[0].question else \
                ("closing" if i > cards[-1].question else "between")


def _sentence(text: str) -> bool:
    """A heading that reads as a sentence (a code comment turned into `# heading` by a broken
    fence, a remark): inside an answer it stays in the answer, it does not start a section."""
    text = text.strip()
    return text[-1:] in (".", "。", "!", "！", ";", "；") or count_words(text) > 14


def _follows(a: tuple[int, ...], b: tuple[int, ...], new_section: bool) -> bool:
    """Whether number `b` can come after `a` in one document's numbering (gaps of a few allowed,
    a repeat not: an answer's own list; a restart at 1 only in a new section)."""
    if len(a) == len(b) and a[:-1] == b[:-1] and a[-1] < b[-1] <= a[-1] + 4:
        return True
    if len(b) > len(a) and b[:len(a)] == a and all(x <= 1 for x in b[len(a):]):
        return True  # 1.2 -> 1.2.1: down to its first sub-number
    if len(b) > 1:  # on at a higher level: 1.2.5 -> 1.3, 9.1.4 -> 9.2.1, 3.22 -> 4.2 (4.1 gone)
        for k in range(min(len(a), len(b))):
            if b[:k] == a[:k] and a[k] < b[k] <= a[k] + 4 and all(x <= 1 for x in b[k + 1:-1]) \
                    and (k == len(b) - 1 or b[-1] <= 4):
                return True
    if len(b) > 1 and b[0] in (a[0] + 1, a[0] + 2) and all(x <= 1 for x in b[1:]):
        return True  # 1.9 -> 2.1 (or 2.0)
    return new_section and b[-1] in (0, 1)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _mark_mirrors(units: Sequence[Unit], items: list[int], family: str) -> None:
    """A run of three or more items with nothing under them whose questions come again later:
    a table of contents written as a list of the questions. (One unanswered question asked again
    in another section is still a question.)"""
    keys = [_key(_question_text(units[i], family)) for i in items]
    later: set[str] = set()
    mirrored = [False] * len(items)
    for k in range(len(items) - 1, -1, -1):
        i = items[k]
        mark = units[i].mark(family)
        following = _next_content(units, i)
        bare = not (mark is not None and mark.answered) and (following is None or following in items[k + 1:k + 2])
        mirrored[k] = bare and bool(keys[k]) and keys[k] in later
        if not mirrored[k]:
            later.add(keys[k])
    k = 0
    while k < len(items):
        if not mirrored[k]:
            k += 1
            continue
        run = k
        while run < len(items) and mirrored[run]:
            run += 1
        if run - k >= 3:
            for index in items[k:run]:
                units[index].chrome = "table of contents"
        k = run


def _in_sequence(units: Sequence[Unit], items: list[int], family: str) -> list[int]:
    """Where a family's items are numbered in one regular sequence, a numbered item that breaks
    it is not a question of that family (a numbered list inside an answer: `1. Open the file`)."""
    numbers = [units[i].mark(family).number for i in items]
    numbered = [n for n in numbers if n]
    if len(numbered) < 3 or _regularity(numbered) < 0.6:
        return items
    kept: list[int] = []
    last: tuple[int, ...] | None = None
    since = -1  # the last heading's unit
    headings = [i for i, u in enumerate(units) if u.kind == "heading" and not u.chrome]
    h = 0
    for i, number in zip(items, numbers, strict=True):
        while h < len(headings) and headings[h] < i:
            since = headings[h]
            h += 1
        if number is None or last is None or _follows(last, number, kept and since > kept[-1]):
            kept.append(i)
            last = number or last
    return kept


def _question_text(unit: Unit, family: str) -> str:
    mark = unit.mark(family)
    return mark.question if mark is not None else unit.text.split("\n", 1)[0]


def label_headings(units: Sequence[Unit], cards: list[Planned]) -> set[str]:
    """Question headings that label (nearly) every question rather than ask it (`### Question`,
    `### 题目`, three times at least and over half of the cards): the paragraph under each asks."""
    texts = [units[c.question].text.strip() for c in cards if units[c.question].kind == "heading"]
    return {t for t in set(texts) if texts.count(t) >= 3 and texts.count(t) >= len(cards) / 2}


def asked_text(units: Sequence[Unit], card: Planned, family: str, labels: set[str]) -> str:
    """What a card asks: its question's text, or under a heading that only labels the question,
    the first line of the paragraph below it."""
    unit = units[card.question]
    if unit.kind == "heading" and unit.text.strip() in labels:
        first = next((units[a] for a in card.answer if units[a].kind != "meta"), None)
        if first is not None and first.kind == "paragraph":
            return first.text.split("\n", 1)[0]
    return _question_text(unit, family)



def _regularity(numbers: list[tuple[int, ...]]) -> float:
    """The share of consecutive numbers that follow each other (12 -> 13, 1.9 -> 2.1, 5 -> 1)."""
    good = 0
    for a, b in zip(numbers, numbers[1:], strict=False):
        if len(a) == len(b) and a[:-1] == b[:-1] and b[-1] == a[-1] + 1:
            good += 1
        elif len(b) >= 1 and b[-1] == 1 and (len(b) == 1 or b[0] == a[0] + 1):
            good += 1  # a new section starts over at 1
        elif len(a) == len(b) and a[0] + 1 == b[0]:
            good += 1
    return good / (len(numbers) - 1)

