"""The structure finder: which blocks of a document are its questions, in any format.

Every reader turns its input into `Unit`s: blocks with positions, their plain text, and the
question markers each one offers (`Mark`: a heading of some level, a heading inside a list item,
a bold line, a `Q:` label, an accordion's summary, a numbered line...). Marks of one kind make a
*family*. `find` reads the document as each family would (`collect`), scores each reading on
evidence that holds in any language, and keeps the best:

- how many items the family has (more, finer-grained questions explain a document better);
- how many read as questions: they end in a question mark of any script (`?`, `？`, `؟`, `՞`,
  Greek `;`), or start with an interrogative or an instruction ("Explain…", "Опишіть…", "请…");
- how regular their numbering is (1, 2, 3… or 1.1, 1.2, 2.1…);
- how many have answer-like content before the next one;
- how much of the document's text the reading puts into cards.

Structure above the chosen family becomes sections; structure below it stays in the answers.
The choice is deterministic (ties go to the family listed first in FAMILIES). Every unit gets a
role, so a reader can say what it left out and why (`Reading.coverage`).

The finder's vocabulary (Unit, Mark, the patterns and line predicates) is readers/findmarks.py,
reading the units as one family (`collect`, Reading, Coverage) readers/findcollect.py; the readers
import all of it from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from deckgen.readers.findcollect import (  # noqa: F401 (the finder's names, imported by the readers from here)
    Coverage,
    Planned,
    Reading,
    _follows,
    _in_sequence,
    _is_item,
    _key,
    _mark_mirrors,
    _question_text,
    _regularity,
    _sentence,
    asked_text,
    collect,
    has_answer,
    label_headings,
)
from deckgen.readers.findmarks import (  # noqa: F401 (the finder's names, imported by the readers from here)
    CJK,
    CJK_QUESTION_END,
    CLOSING_HEADING,
    FAMILIES,
    FURNITURE_HEADING,
    GREEK_END,
    HEADING_FAMILIES,
    INTERROGATIVE,
    NUMBER,
    QUESTION_END,
    REVEAL,
    SIGN_OFF,
    TRAILING_REMARK,
    Mark,
    Unit,
    count_words,
    ends_as_question,
    is_reveal,
    reads_as_question,
    strip_number,
)
from deckgen.shapes import QUESTION_SETTING_NAMES  # noqa: F401 (the question setting's markers)


def score(units: Sequence[Unit], reading: Reading) -> Reading:
    """The reading with its score and the evidence behind it."""
    cards = reading.cards
    n = len(cards)
    if not n:
        reading.score, reading.evidence = 0.0, {"items": 0}
        return reading
    family = reading.family
    labels = label_headings(units, cards)
    asked = sum(reads_as_question(asked_text(units, c, family, labels)) for c in cards) / n
    answered = sum(1 for c in cards if has_answer(units, c, family)) / n
    regular = _numbering(units, cards, family)
    cover = _cover(units, reading.roles)
    # answers that hold headings of their own, each with text under it: a finer family explains
    # the document better (`## Section` over `### Question`)
    nested = sum(1 for c in cards if any(units[a].kind == "heading" for a in c.answer)) / n
    reading.score = cover * (0.25 + asked) * (0.25 + answered) * (1 + 0.5 * regular) * math.log2(1 + n) \
        * (1 - 0.5 * nested)
    reading.evidence = {"items": n, "questions": round(asked, 2), "answered": round(answered, 2),
                        "numbering": round(regular, 2), "coverage": round(cover, 2), "nested": round(nested, 2)}
    return reading


def _numbering(units: Sequence[Unit], cards: list[Planned], family: str) -> float:
    """How regular the numbers the questions give are (0 with fewer than two)."""
    numbers = [m.number for c in cards if (m := units[c.question].mark(family)) and m.number]
    return _regularity(numbers) if len(numbers) >= 2 else 0.0


def _cover(units: Sequence[Unit], roles: list[str]) -> float:
    """The share of the content's words (chrome aside) a reading puts into cards."""
    content = sum(u.words for u in units if not u.chrome) or 1
    covered = sum(u.words for u, r in zip(units, roles, strict=True)
                  if r in ("question", "answer", "section", "title"))
    return covered / content


def counted_when_repeated(sections: list) -> list:
    """Sections (title, span, cards) with their cards numbered by their place when the numbers a
    document gave repeat (numbering that starts over in each section), as they are otherwise."""
    numbers = [c.number for _, _, cards in sections for c in cards]
    if len(set(numbers)) == len(numbers):
        return sections
    import dataclasses

    count = iter(range(1, len(numbers) + 1))
    return [(title, span, [dataclasses.replace(c, number=(n := next(count)), answer_number=n, counted=True) for c in cards])
            for title, span, cards in sections]


def families(units: Sequence[Unit]) -> list[str]:
    """The families the document's units offer, in FAMILIES' order."""
    seen = {m.family for u in units if not u.chrome for m in u.marks}
    return [f for f in FAMILIES if f in seen]


def find(units: Sequence[Unit], forced: str = "auto") -> tuple[Reading, list[Reading]]:
    """The best reading of the units, and every candidate reading (best first) for `check -v`.
    `forced` names a family, or is a regular expression a question's first line matches."""
    if forced and forced != "auto":
        if forced in FAMILIES:
            reading = score(units, collect(units, forced))
        else:
            reading = score(units, collect(units, "pattern", re.compile(forced)))
        return reading, [reading]
    readings = [score(units, collect(units, f)) for f in families(units)]
    # one item that does not read as a question (a document's title) is not a reading of Q&A
    readings = [r for r in readings if len(r.cards) > 1 or r.evidence.get("questions", 0) > 0
                or r.family in HEADING_FAMILIES[1:]]
    readings.sort(key=lambda r: (-r.score, FAMILIES.index(r.family)))
    if not readings:
        return Reading("none", ["introduction"] * len(units), [""] * len(units), []), []
    return _fill_gaps(units, readings[0]), readings


def topics_over_asked_items(units: Sequence[Unit], level: int) -> bool:
    """A heading of `level` that asks nothing holds two or more list items that ask and hold their
    answers (`### basic interview questions` / `- What is a jsonb type?` / `    - jsonb stores…`):
    the items are the questions and the heading their topic, however well the headings alone
    would explain the document (deckgen's own form, one `###` per question, is not this)."""
    topic, asked = None, 0
    for unit in units:
        if unit.kind == "heading" and unit.level <= level:
            if topic is not None and asked >= 2:
                return True
            topic = unit if unit.level == level and not reads_as_question(unit.text) else None
            asked = 0
        elif topic is not None and (mark := unit.mark("list-item")) is not None and mark.answered:
            asked += 1
    return topic is not None and asked >= 2


def _fill_gaps(units: Sequence[Unit], reading: Reading) -> Reading:
    """A long stretch the best family leaves out (a README's coding exercises after its questions,
    marked otherwise) is read by the finder on its own; its cards are kept when they clearly are
    questions with answers."""
    content = sum(u.words for u in units if not u.chrome) or 1
    left = ("introduction", "between", "closing")
    i, n = 0, len(units)
    while i < n:
        if reading.roles[i] not in left:
            i += 1
            continue
        j = i
        while j < n and (reading.roles[j] in left or reading.roles[j] == "chrome"):
            j += 1
        words = sum(u.words for u, r in zip(units[i:j], reading.roles[i:j], strict=True) if r in left)
        strong = any(m.family in STRONG for u in units[i:j] for m in u.marks)
        if words >= max(100, 0.05 * content) or strong:
            _adopt(units, reading, i, j, 1 if strong else 3)
        i = j
    return reading


# markers that only ever mark a question: a stretch holding one is read even when it is short
STRONG = ("qa-markers", "label", "details")


def _adopt(units: Sequence[Unit], reading: Reading, start: int, stop: int, least: int = 3) -> None:
    part = units[start:stop]
    found = [score(part, collect(part, f)) for f in families(part)]
    found = [r for r in found if len(r.cards) >= least and r.evidence.get("questions", 0) >= 0.6
             and r.evidence.get("answered", 0) >= 0.6 and (len(r.cards) >= 3 or r.family in STRONG)]
    if not found:
        return
    best = max(found, key=lambda r: (r.score, -FAMILIES.index(r.family)))
    before = max((i for i in range(start) if reading.roles[i] == "section"), default=None)
    for k, role in enumerate(best.roles):
        if role == "title":
            role = "section"
        if role != "chrome" or reading.roles[start + k] != "chrome":
            reading.roles[start + k] = role
            reading.reasons[start + k] = best.reasons[k]
    for card in best.cards:
        reading.cards.append(Planned(card.question + start, [a + start for a in card.answer],
                                     card.section + start if card.section is not None else before, best.family))
    reading.cards.sort(key=lambda c: c.question)
    reading.also.append((best.family, units[start].line, units[stop - 1].end))


def describe(readings: Sequence[Reading], chosen: Reading) -> list[str]:
    """Lines for `check -v`: each candidate, its score and evidence; why the winner won."""
    out = []
    for reading in readings:
        e = reading.evidence
        mark = "*" if reading is chosen else " "
        out.append(f"{mark} {reading.family}: score {reading.score:.2f} ({e.get('items', 0)} items, "
                   f"{round(100 * e.get('questions', 0))}% read as questions, "
                   f"{round(100 * e.get('answered', 0))}% answered, "
                   f"numbering {round(100 * e.get('numbering', 0))}%, "
                   f"{round(100 * e.get('coverage', 0))}% of the text in cards)")
    return out


def seen(units: Sequence[Unit]) -> str:
    """What the document offers, for a message: `166 bold lines ending in ?, 19 ## headings`."""
    names = {"list-heading": "headings in list items", "list-item": "list items with answers",
             "details": "accordions", "dt": "definition terms", "label": "Q:/A: labels",
             "qa-markers": "Q12./A12. markers", "bold": "bold lines", "numbered": "numbered lines",
             "question-line": "lines ending in ?"}
    counts: dict[str, list[int]] = {}
    for unit in units:
        for mark in unit.marks:
            pair = counts.setdefault(mark.family, [0, 0])
            pair[0] += 1
            pair[1] += reads_as_question(mark.question)
    parts = []
    for family in FAMILIES:
        if family in counts:
            total, asked = counts[family]
            name = f"{'#' * int(family[1])} headings" if family in HEADING_FAMILIES else names[family]
            parts.append(f"{total} {name} ({asked} reading as questions)")
    return ", ".join(parts) if parts else "no headings, bold lines, labels, accordions or numbered lines"
