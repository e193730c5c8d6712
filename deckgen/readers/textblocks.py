"""A plain-text document as blocks for the structure finder (readers/structure.py), and its cards.

Blocks are paragraphs (runs of non-blank lines), cut again where a line starts a marker: `Q12.`,
`Q:`/`Q.`/`Question:` labels and their answers, numbered lines (`12.`, `12)`, `1.2.`, `12<tab>`).
Help files (Vim's) add `*tags*` lines (chrome), an index of `|tag|` lines (a table of contents),
`SECTION ~` headings and `>` ... `<` example blocks. Short lines standing alone are headings the
finder may take as sections. The `Q12.`/`A12.` shape and the coaching shape keep their own readers
(readers/text.py, readers/pages.py): they carry meaning a block does not (an answer's own number,
an example answer apart from advice).
"""

from __future__ import annotations

import re

from deckgen.model import Block, Card, CodeBlock, Deck, Diagnostic, Section, Skipped, SourceSpan
from deckgen.readers.inline import split_choices, text_runs
from deckgen.readers.lines import BULLET, AnswerBuilder
from deckgen.readers.pages import BYLINE
from deckgen.readers.structure import (
    CLOSING_HEADING,
    FURNITURE_HEADING,
    QUESTION_END,
    Mark,
    Unit,
    counted_when_repeated,
    describe,
    find,
    reads_as_question,
    seen,
    strip_number,
)
from deckgen.readers.text import CHROME, normalise

QA_MARKER = re.compile(r"^\s*Q\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")
A_MARKER = re.compile(r"^\s*A\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")
_B = r"(?:\*\*|__)?"  # a label may be in bold, as pasted from Markdown
LABEL_Q = re.compile(rf"^\s*{_B}(?:Q|Question|Вопрос|Питання|Pregunta|Pergunta|Frage|问|問|问题|問題|질문)\s*{_B}\s*[:：.]\s*{_B}"
                     rf"\s*(?P<text>.*)$", re.IGNORECASE)
LABEL_A = re.compile(rf"^\s*{_B}(?:A|Answer|Ans|Ответ|Відповідь|Respuesta|Resposta|Antwort|答|回答|答案|답변)\s*{_B}\s*[:：.]\s*"
                     rf"{_B}\s*(?P<text>.*)$", re.IGNORECASE)
NUMBERED = re.compile(r"^(?P<indent>\s{0,4})(?P<num>\d{1,4}(?:\.\d{1,4})*)(?:\s*[.):]\s*|\s+(?=[^\W\d_¿]))(?P<text>\S.*)$")
TAGS = re.compile(r"^\s*(?:\*[^\s*]+\*\s*)+$")
INDEX = re.compile(r"^\s*\|[^\s|]+\|")
RULE = re.compile(r"^\s*([=\-~*_#+])\1{4,}\s*$")
HELP_HEADING = re.compile(r"^(?P<text>\S.*?)\s+~\s*(?:\*[^\s*]+\*\s*)*$")
HASH_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
OUTLINE = re.compile(r"^(?P<marks>\*{1,6})\s+(?P<text>\S.*?)\s*$")  # an Emacs outline (org) heading


def _starts_unit(line: str, outline: bool = False) -> bool:
    return bool((outline and OUTLINE.match(line)) or HASH_HEADING.match(line) or QA_MARKER.match(line) or A_MARKER.match(line) or LABEL_Q.match(line) or LABEL_A.match(line)
                or (NUMBERED.match(line) is not None and len(line) - len(line.lstrip()) <= 2)
                or TAGS.match(line) or HELP_HEADING.match(line) or RULE.match(line))


SENTENCE_END = re.compile(r"\b(?:read|see|the|a|an|to|of|and|or|in|for|with|by|at|is|are)\s*$", re.IGNORECASE)


def units(lines: list[str]) -> list[Unit]:
    """The document's blocks with their line ranges (0-based start, end exclusive, in payload)."""
    out: list[Unit] = []
    i, n = 0, len(lines)
    # `* Section` / `** Q. question` outline headings, where the document has second-level ones
    # (a single `* ` alone is a bullet)
    outline = any(line.startswith("** ") for line in lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        j = i + 1
        while j < n and lines[j].strip() and not _starts_unit(lines[j], outline):
            j += 1
        if TAGS.match(lines[i]) or RULE.match(lines[i]) or HASH_HEADING.match(lines[i]) or \
                (outline and OUTLINE.match(lines[i])):
            j = i + 1
        out.append(_unit(lines, i, j, outline))
        i = j
    _mark_headings(out, lines)
    return out


def _unit(lines: list[str], i: int, j: int, outline: bool = False) -> Unit:
    first = lines[i]
    text = "\n".join(line.strip() for line in lines[i:j])
    unit = Unit("paragraph", i + 1, j, text, payload=(i, j))
    if TAGS.match(first):
        unit.chrome, unit.words = "help tags", 0
        return unit
    if RULE.match(first):
        unit.kind, unit.chrome, unit.words = "rule", "rule", 0
        return unit
    if j == i + 1 and (CHROME.match(first.strip()) or BYLINE.match(first.strip())):
        unit.chrome = "page chrome"  # a byline, "Share", "Comments", "5 min read"
        return unit
    if sum(bool(INDEX.match(x)) for x in lines[i:j]) >= max(2, (j - i) // 2):
        unit.chrome = "table of contents"
        return unit
    if (m := HELP_HEADING.match(first)) and j == i + 1:
        # `SECTION 1 - GENERAL ~` is a section; `Features to modernise Vi: ~` a sub-heading of an answer
        upper = m["text"].upper() == m["text"]
        unit.kind, unit.level, unit.text = "heading", 2 if upper else 4, m["text"].strip()
        return unit
    if ((m := HASH_HEADING.match(first)) or (outline and (m := OUTLINE.match(first)))) and j == i + 1:
        text = m["text"].strip()
        # an outline's `*` is a section under the document's title: one level below `#`
        level = len(m["marks"]) + (1 if first.startswith("*") else 0)
        unit.kind, unit.level, unit.text = "heading", min(level, 6), text
        question, number = strip_number(LABEL_Q.sub(r"\g<text>", text, count=1))
        if not LABEL_A.match(text):
            unit.marks = (Mark(f"h{min(level, 6)}", question, number),)
        return unit
    marks = []
    if (m := QA_MARKER.match(first)) is not None:
        marks.append(Mark("qa-markers", m["text"].strip(), (int(m["num"]),), answered=j > i + 1))
    elif (m := LABEL_Q.match(first)) is not None and not A_MARKER.match(first):
        k = next((k for k in range(i + 1, j) if LABEL_A.match(lines[k])), j)
        question = " ".join([m["text"].strip(), *(x.strip() for x in lines[i + 1:k])])
        marks.append(Mark("label", question.strip(), None, answered=k < j))
    elif (m := NUMBERED.match(first)) is not None:
        number = tuple(int(x) for x in m["num"].split("."))
        inline = _inline_answer(lines, i, j)
        if inline is not None:  # `1. What is X? Answer: X is ...`
            marks.append(Mark("numbered", NUMBERED.match(inline[0])["text"].strip(), number, answered=True))
        else:
            question = " ".join(x.strip() for x in lines[i:i + _question_lines(lines, i, j)])
            question = NUMBERED.match(question)["text"] if NUMBERED.match(question) else question
            marks.append(Mark("numbered", question.strip(), number, answered=j > i + _question_lines(lines, i, j)))
    elif QUESTION_END.search(first.strip()) and len(first.strip()) <= 250 and \
            all(x[:1].isspace() for x in lines[i + 1:j]) and not first[:1].isspace() and not BULLET.match(first):
        marks.append(Mark("question-line", first.strip(), None, answered=j > i + 1))
    unit.marks = tuple(marks)
    return unit


INLINE_ANSWER = re.compile(r"\s(?:Answer|Ans\.?|A)\s*[:：]\s*", re.IGNORECASE)


def _inline_answer(lines: list[str], i: int, j: int) -> tuple[str, str, int] | None:
    """A numbered question with its answer on the same line after `Answer:` (the question may wrap):
    the question, the answer's first text, and the line the label is on."""
    joined = ""
    for k in range(i, min(j, i + 4)):
        joined = (joined + " " + lines[k].strip()).strip()
        parts = INLINE_ANSWER.split(" " + joined, maxsplit=1)
        if len(parts) == 2:
            return parts[0].strip(), parts[1].strip(), k
    return None


def _question_lines(lines: list[str], i: int, j: int) -> int:
    """How many lines a numbered question takes: up to the line ending in a question mark (at
    most 4), else its first line."""
    for k in range(i, min(j, i + 4)):
        if QUESTION_END.search(lines[k].strip()):
            return k - i + 1
    return 1


def _mark_headings(units: list[Unit], lines: list[str]) -> None:
    """A short line alone in its paragraph, with no closing punctuation, right before a block
    that offers a question: a heading the finder may take as a section. A line underlined with
    `===` or `---` is one too."""
    for k, unit in enumerate(units):
        if unit.kind != "paragraph" or unit.marks or unit.chrome:
            continue
        start, end = unit.payload
        text = unit.text.strip()
        underlined = end == start + 1 and end < len(lines) and RULE.match(lines[end] or "")
        if end - start == 2 and RULE.match(lines[start + 1]):
            unit.kind, unit.level, unit.text = "heading", 1 if lines[start + 1].strip()[0] == "=" else 2, \
                lines[start].strip()
            continue
        following = next((u for u in units[k + 1:] if not u.chrome), None)
        short = end == start + 1 and len(text) <= 100 and text[-1:] not in ".,;!?" and len(text.split()) <= 8 \
            and "," not in text and not SENTENCE_END.search(text) and "://" not in text and "@" not in text
        if short and underlined:
            unit.kind, unit.level = "heading", 1 if lines[end].strip()[0] == "=" else 2
        elif short and (CLOSING_HEADING.match(text) or FURNITURE_HEADING.match(text)):
            unit.kind, unit.level = "heading", 3  # "Conclusion", "Table of contents": not an answer's text
        elif short and following is not None and (following.marks or following.kind == "heading"):
            if not CHROME.match(text) and not BULLET.match(lines[start]):
                unit.kind, unit.level = "heading", 3


def read_structured(text: str, path: str, fallback_title: str, question: str = "auto") -> Deck:
    """Read a plain-text document through the structure finder."""
    lines = normalise(text)
    blocks = units(lines)
    chosen, readings = find(blocks, question)
    opening = next((k for k, u in enumerate(blocks) if not u.chrome), None)
    if opening is not None and chosen.roles[opening] == "section" and blocks[opening].level >= 3 \
            and blocks[opening].line == next(k for k, x in enumerate(lines, 1) if x.strip()):
        # the document's first line, alone before the questions, is its title, not their section
        chosen.title = opening
        chosen.roles[opening] = "title"
        for planned in chosen.cards:
            if planned.section == opening:
                planned.section = None
    sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
    where: dict[int | None, int] = {None: 0}
    for position, planned in enumerate(chosen.cards, start=1):
        if planned.section not in where:
            unit = blocks[planned.section]
            where[planned.section] = len(sections)
            sections.append((unit.text.strip().rstrip(":"), SourceSpan(path, unit.line, 1), []))
        index = where[planned.section]
        sections[index][2].append(_card(lines, blocks, planned, planned.family or chosen.family, position, sections[index][0], path))
    sections = counted_when_repeated(sections)
    skipped, stray = [], []
    for unit, role, reason in zip(blocks, chosen.roles, chosen.reasons, strict=True):
        first = unit.text.strip().split("\n", 1)[0]
        if not first:
            continue
        if role == "chrome":
            skipped.append(Skipped(SourceSpan(path, unit.line, 1), first, reason))
        elif role in ("introduction", "closing"):
            skipped.append(Skipped(SourceSpan(path, unit.line, 1), first, role))
        elif role == "between":
            stray.append(Skipped(SourceSpan(path, unit.line, 1), first, "text between cards"))
    title = ""
    if chosen.title is not None:
        title = blocks[chosen.title].text.strip()
    else:
        # the document's first line, standing alone before the first question, is its title
        opening = next((k for k, u in enumerate(blocks) if not u.chrome), None)
        if opening is not None and chosen.roles[opening] in ("introduction", "closing") or \
                opening is not None and blocks[opening].kind == "heading" and chosen.roles[opening] != "section":
            unit = blocks[opening]
            if "\n" not in unit.text.strip() and len(unit.text) <= 120 and unit.text.strip()[-1:] not in ".:;,":
                title = unit.text.strip()
                chosen.roles[opening] = "title"
                skipped = [x for x in skipped if x.span.line != unit.line]
    built = tuple(Section(name, span, tuple(cards)) for name, span, cards in sections if cards)
    diagnostics = _mixed(readings, chosen, path) if question == "auto" else ()
    return Deck(title=title or fallback_title, source=path, sections=built, diagnostics=diagnostics, shape=_shape_name(chosen.family, lines, blocks, chosen),
                skipped=tuple(skipped), stray=tuple(stray), coverage=chosen.coverage(blocks),
                candidates=tuple(describe(readings, chosen)), seen=seen(blocks))


# The names the shapes of text documents have always had (the source-format setting's values)
SHAPE_NAMES = {"label": "qa-labels", "numbered": "numbered", "question-line": "headings", "qa-markers": "qa-markers"}
FAMILY_OF_SHAPE = {"qa-labels": "label", "numbered": "numbered", "numbered-inline": "numbered", "headings": "question-line"}


def _mixed(readings, chosen, path: str) -> tuple:
    """A warning when the document is almost as well read another way (DG014)."""

    if chosen.family not in SHAPE_NAMES:
        return ()
    if chosen.also:  # parts of the document read by another family
        parts = "; ".join(f"lines {a}-{b} as {SHAPE_NAMES.get(f, f)}" for f, a, b in chosen.also)
        return (Diagnostic("warning", "DG014", f"the document mixes shapes: read as {SHAPE_NAMES[chosen.family]}, "
                           f"{parts} (set source-format to choose one)", SourceSpan(path, 1)),)
    others = [r for r in readings if r is not chosen and len(r.cards) >= 2 and r.evidence.get("questions", 0) >= 0.8
              and r.family in SHAPE_NAMES]
    if not others:
        return ()
    names = ", ".join(SHAPE_NAMES[r.family] for r in others)
    return (Diagnostic("warning", "DG014", f"the document also looks like {names}; read as "
                       f"{SHAPE_NAMES[chosen.family]} (set source-format to choose)", SourceSpan(path, 1)),)


def _shape_name(family: str, lines: list[str], blocks: list[Unit], reading) -> str:
    if family == "numbered" and reading.cards and all(
            _inline_answer(lines, *blocks[c.question].payload) for c in reading.cards):
        return "numbered-inline"
    return SHAPE_NAMES.get(family, f"text:{family}")


def _card(lines: list[str], blocks: list[Unit], planned, family: str, position: int, section: str,
          path: str) -> Card:
    unit = blocks[planned.question]
    start, end = unit.payload
    mark = unit.mark(family)
    if family == "label":
        k = next((k for k in range(start + 1, end) if LABEL_A.match(lines[k])), end)
        taken = k - start
    elif family == "numbered":
        taken = _question_lines(lines, start, end)
    else:
        taken = 1
    question = mark.question if mark is not None else lines[start].strip()
    answer_lines = lines[start + taken:end]
    inline = _inline_answer(lines, start, end) if family == "numbered" else None
    if inline is not None:
        answer_lines = [inline[1], *lines[inline[2] + 1:end]]
    answer_line = start + taken if answer_lines else None
    for index in planned.answer:
        part = blocks[index]
        if part.chrome:
            continue
        a, b = part.payload
        if answer_line is None and part.words:
            answer_line = a
        answer_lines.extend(["", *lines[a:b]])
    blocks_out = _answer_blocks(answer_lines)
    given = mark.number[0] if mark is not None and mark.number and len(mark.number) == 1 else None
    number = position if given is None else given
    last = max([end, *(blocks[a].payload[1] for a in planned.answer)])
    choices, blocks_out = split_choices(blocks_out)
    return Card(number=number, question=text_runs(question), answer=blocks_out, section=section, choices=choices,
                span=SourceSpan(path, start + 1, 1),
                answer_span=SourceSpan(path, (answer_line if answer_line is not None else start) + 1, 1),
                answer_number=number, end=last, counted=given is None)


def _answer_blocks(lines: list[str]) -> tuple[Block, ...]:
    """An answer's lines as blocks: its label taken off, paragraphs, lists, and help-file
    examples (a line ending in ` >` opens one, a line starting with `<` closes it)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    if lines:
        for pattern in (A_MARKER, LABEL_A):
            m = pattern.match(lines[0])
            if m:
                lines = [m["text"], *lines[1:]]
                break
    shared = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    lines = [x[shared:] for x in lines]
    builder = AnswerBuilder()
    out: list[Block] = []
    example: list[str] | None = None
    for line in lines:
        if example is not None:
            if line.startswith("<") or (line.strip() and not line[:1].isspace()):
                out.extend(builder.done())
                builder = AnswerBuilder()
                out.append(CodeBlock(_dedent(example)))
                example = None
                rest = line[1:] if line.startswith("<") else line
                if rest.strip():
                    builder.add(rest)
                continue
            example.append(line)
            continue
        if line.rstrip().endswith(" >") or line.strip() == ">":
            builder.add(line.rstrip()[:-1])
            example = []
            continue
        if TAGS.match(line):
            continue
        builder.add(line)
    out.extend(builder.done())
    if example:
        out.append(CodeBlock(_dedent(example)))
    return tuple(out)


def _dedent(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    shared = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[shared:] for x in lines)


__all__ = ["read_structured", "units", "reads_as_question"]
