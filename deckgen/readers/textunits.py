"""A plain-text document's lines as the structure finder's units (readers/structure.py), for
readers/textblocks.py.

Contract: `units(lines)` cuts the normalised lines into blocks (runs of non-blank lines, cut again
where a line starts a marker) and returns one Unit per block, in order, with its line range in
`payload` (0-based start, end exclusive). Each unit is decided by the unit rules (_UNIT_RULES,
first that applies): help tags, rules, page chrome, a help file's table of contents, help and
`#`/outline headings; else it is a paragraph holding the question marker its first line offers
(_MARK_RULES: `Q12.`, `Q:` labels, numbered lines, a line ending in `?`). Then what the numbering
says: a contents list of numbered lines that come again below is chrome (_mark_contents), a
numbered line right above its own sub-numbers (`1. Philosophy` / `1.1 ...`) a section heading
(_mark_numbered_sections). Last, short lines standing alone are marked as headings
(_mark_headings), except where the numbering leaves no room for one. Nothing here reads answers
or builds cards.
"""

from __future__ import annotations

import bisect
import re

from deckgen.readers.lines import BULLET
from deckgen.readers.pages import BYLINE
from deckgen.readers.structure import (
    CLOSING_HEADING,
    FURNITURE_HEADING,
    QUESTION_END,
    Mark,
    Unit,
    _key,
    reads_as_question,
    strip_number,
)
from deckgen.readers.text import CHROME

QA_MARKER = re.compile(r"^\s*Q\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")
A_MARKER = re.compile(r"^\s*A\s?(?P<num>\d{1,6})\s*[.):]\s*(?P<text>.*)$")
_B = r"(?:\*\*|__)?"  # a label may be in bold, as pasted from Markdown
LABEL_Q = re.compile(rf"^\s*{_B}(?:Q|Question|Вопрос|Питання|Pregunta|Pergunta|Frage|问|問|问题|問題|질문)\s*{_B}\s*[:：.]\s*{_B}"
                     rf"\s*(?P<text>.*)$", re.IGNORECASE)
LABEL_A = re.compile(rf"^\s*{_B}(?:A|Answer|Ans|Ответ|Відповідь|Respuesta|Resposta|Antwort|答|回答|答案|답변)\s*{_B}\s*[:：.]\s*"
                     rf"{_B}\s*(?P<text>.*)$", re.IGNORECASE)
NUMBERED = re.compile(r"^(?P<indent>\s{0,4})(?P<num>\d{1,4}(?:\.\d{1,4})*)(?:\s*(?:[.)]:|[.):])\s*|\s+(?=[^\W\d_¿]))(?P<text>\S.*)$")
TAGS = re.compile(r"^\s*(?:\*[^\s*]+\*\s*)+$")
INDEX = re.compile(r"^\s*\|[^\s|]+\|")
RULE = re.compile(r"^\s*([=\-~*_#+])\1{4,}\s*$")
HELP_HEADING = re.compile(r"^(?P<text>\S.*?)\s+~\s*(?:\*[^\s*]+\*\s*)*$")
HASH_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
OUTLINE = re.compile(r"^(?P<marks>\*{1,6})\s+(?P<text>\S.*?)\s*$")  # an Emacs outline (org) heading


def _starts_unit(line: str, outline: bool = False) -> bool:
    """Whether the line starts a block of its own: a heading, a question or answer marker, a
    numbered line (indented at most 2), help tags or heading, a rule."""
    return bool((outline and OUTLINE.match(line)) or HASH_HEADING.match(line) or QA_MARKER.match(line) or A_MARKER.match(line) or LABEL_Q.match(line) or LABEL_A.match(line)
                or (NUMBERED.match(line) is not None and len(line) - len(line.lstrip()) <= 2)
                or TAGS.match(line) or HELP_HEADING.match(line) or RULE.match(line))


def _wraps_on(lines: list[str], j: int) -> bool:
    """Whether the indented numbered line j goes on with the sentence of the line before it, which
    ends without a full stop (`...from Solaris` / `  2.6.2 through 6.5.2.`): the same paragraph,
    at its indent, or a question wrapped under its numbered first line, indented deeper and not
    a sub-number of it (`3.4 Why ... for 64 bit HP-UX` / `  11 when lsof is compiled with gcc?`)."""
    line, before = lines[j], lines[j - 1]
    m = NUMBERED.match(line)
    if m is None or not line[:1].isspace() or before.rstrip()[-1:] in (".", "?", "!", ":", ";", "？", "。"):
        return False
    indent, indent_before = len(line) - len(line.lstrip()), len(before) - len(before.lstrip())
    opened = NUMBERED.match(before)
    if opened is None:
        return indent == indent_before
    number, first = m["num"].split("."), opened["num"].split(".")
    return indent > indent_before and number[:len(first)] != first


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
        while j < n and lines[j].strip() and (not _starts_unit(lines[j], outline) or _wraps_on(lines, j)):
            j += 1
        if TAGS.match(lines[i]) or RULE.match(lines[i]) or HASH_HEADING.match(lines[i]) or \
                (outline and OUTLINE.match(lines[i])):
            j = i + 1
        out.append(_unit(lines, i, j, outline))
        i = j
    _mark_contents(out, lines)
    numbered_sections = _mark_numbered_sections(out)
    _mark_headings(out, lines, numbered_sections)
    return out


def _unit(lines: list[str], i: int, j: int, outline: bool = False) -> Unit:
    """Lines i..j as one unit: chrome, a rule or a heading when a unit rule says so (the first
    that does), else a paragraph with the question marker its first line offers, if any."""
    text = "\n".join(line.strip() for line in lines[i:j])
    unit = Unit("paragraph", i + 1, j, text, payload=(i, j))
    if any(rule(unit, lines, i, j, outline) for rule in _UNIT_RULES):
        return unit
    unit.marks = tuple(mark for mark in (_question_mark(lines, i, j),) if mark is not None)
    return unit


def _help_tags(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A block that opens with a `*tag*` line is help-file chrome with no words."""
    if not TAGS.match(lines[i]):
        return False
    unit.chrome, unit.words = "help tags", 0
    return True


def _rule(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A block that opens with a `=====` (or `-----`...) line is a rule, chrome with no words."""
    if not RULE.match(lines[i]):
        return False
    unit.kind, unit.chrome, unit.words = "rule", "rule", 0
    return True


def _page_chrome(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A line alone that is a byline, "Share", "Comments", "5 min read": page chrome."""
    if j != i + 1 or not (CHROME.match(lines[i].strip()) or BYLINE.match(lines[i].strip())):
        return False
    unit.chrome = "page chrome"
    return True


def _table_of_contents(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A block that is mostly `|tag|` lines (at least two) is a help file's table of contents."""
    if sum(bool(INDEX.match(x)) for x in lines[i:j]) < max(2, (j - i) // 2):
        return False
    unit.chrome = "table of contents"
    return True


def _help_heading(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A line alone ending in ` ~` is a help file's heading: `SECTION 1 - GENERAL ~` (upper
    case) a section, `Features to modernise Vi: ~` a sub-heading of an answer."""
    m = HELP_HEADING.match(lines[i])
    if not m or j != i + 1:
        return False
    upper = m["text"].upper() == m["text"]
    unit.kind, unit.level, unit.text = "heading", 2 if upper else 4, m["text"].strip()
    return True


def _hash_heading(unit: Unit, lines: list[str], i: int, j: int, outline: bool) -> bool:
    """A line alone that is a `#` heading, or an outline's `*` heading (one level below `#`, as
    a section under the document's title), is a heading; it marks a question unless it is an
    answer's label."""
    first = lines[i]
    m = HASH_HEADING.match(first) or (outline and OUTLINE.match(first))
    if not m or j != i + 1:
        return False
    text = m["text"].strip()
    level = len(m["marks"]) + (1 if first.startswith("*") else 0)
    unit.kind, unit.level, unit.text = "heading", min(level, 6), text
    question, number = strip_number(LABEL_Q.sub(r"\g<text>", text, count=1))
    if not LABEL_A.match(text):
        unit.marks = (Mark(f"h{min(level, 6)}", question, number),)
    return True


# The rules that decide a unit is not a plain paragraph, in the order they are tried
_UNIT_RULES = (_help_tags, _rule, _page_chrome, _table_of_contents, _help_heading, _hash_heading)


def _question_mark(lines: list[str], i: int, j: int) -> Mark | None:
    """The question marker the block's first line offers: the first mark rule that finds one."""
    return next((mark for rule in _MARK_RULES if (mark := rule(lines, i, j)) is not None), None)


def _qa_marker(lines: list[str], i: int, j: int) -> Mark | None:
    """`Q12. question`: a qa-markers question, answered when lines follow it in the block."""
    m = QA_MARKER.match(lines[i])
    if m is None:
        return None
    return Mark("qa-markers", m["text"].strip(), (int(m["num"]),), answered=j > i + 1)


def _label(lines: list[str], i: int, j: int) -> Mark | None:
    """`Q: question` (not an `A12.` answer): a label question running to its `A:` line, if the
    block has one (then it is answered)."""
    m = LABEL_Q.match(lines[i])
    if m is None or A_MARKER.match(lines[i]):
        return None
    k = next((k for k in range(i + 1, j) if LABEL_A.match(lines[k])), j)
    question = " ".join([m["text"].strip(), *(x.strip() for x in lines[i + 1:k])])
    return Mark("label", question.strip(), None, answered=k < j)


def _numbered(lines: list[str], i: int, j: int) -> Mark | None:
    """`12. question`: a numbered question, with its answer on the same line after `Answer:`,
    or in the lines after the question (which may wrap up to its question mark)."""
    m = NUMBERED.match(lines[i])
    if m is None:
        return None
    number = tuple(int(x) for x in m["num"].split("."))
    inline = _inline_answer(lines, i, j)
    if inline is not None:  # `1. What is X? Answer: X is ...`
        return Mark("numbered", NUMBERED.match(inline[0])["text"].strip(), number, answered=True)
    taken = _question_lines(lines, i, j)
    question = " ".join(x.strip() for x in lines[i:i + taken])
    question = NUMBERED.match(question)["text"] if NUMBERED.match(question) else question
    return Mark("numbered", question.strip(), number, answered=j > i + taken)


def _question_line(lines: list[str], i: int, j: int) -> Mark | None:
    """A line ending in a question mark (at most 250 characters, not indented, not a bullet)
    with only indented lines under it: a question-line question."""
    first = lines[i]
    if not (QUESTION_END.search(first.strip()) and len(first.strip()) <= 250):
        return None
    if not all(x[:1].isspace() for x in lines[i + 1:j]) or first[:1].isspace() or BULLET.match(first):
        return None
    return Mark("question-line", first.strip(), None, answered=j > i + 1)


# The rules that find a paragraph's question marker, in the order they are tried
_MARK_RULES = (_qa_marker, _label, _numbered, _question_line)


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


def _numbered(unit: Unit) -> Mark | None:
    """The unit's numbered-line marker, when it has one with a number and is not chrome."""
    mark = unit.mark("numbered")
    return mark if mark is not None and mark.number and not unit.chrome else None


def _label_line(unit: Unit) -> bool:
    """A short line alone between a contents list's groups (`CHANGING STRINGS`)."""
    return unit.kind == "paragraph" and not unit.marks and not unit.chrome and unit.line == unit.end \
        and unit.words <= 8 and unit.text.strip()[-1:] not in ".,;!?"


def _mark_contents(units: list[Unit], lines: list[str]) -> None:
    """A document's contents list written as its numbered lines (`1.1 What is curl?`, one to a
    line, short group labels between them): a run of at least three, most of whose numbers come
    again later in the same order, most with the same words, is chrome (the list ends where a
    number comes again). The lines that come again are the questions; the list's lines are not."""
    later: dict[tuple[int, ...], list[int]] = {}  # a number's units, in order
    for k, unit in enumerate(units):
        if (mark := _numbered(unit)) is not None:
            later.setdefault(mark.number, []).append(k)
    k = 0
    while k < len(units):
        if not _entry(units[k], lines, set()):
            k += 1
            continue
        run, numbers = k, set()
        while run < len(units) and (_label_line(units[run]) or _entry(units[run], lines, numbers)):
            numbers.add(mark.number if (mark := _numbered(units[run])) is not None else ())
            run += 1
        entries = [j for j in range(k, run) if _numbered(units[j]) is not None]
        last = _mirrored_until(units, entries, later, run)
        if last is not None:
            for j in range(k, last + 1):
                units[j].chrome = "table of contents"
            if k and FURNITURE_HEADING.match(units[k - 1].text.strip()) and units[k - 1].line == units[k - 1].end:
                units[k - 1].chrome = "table of contents"  # "Table of Contents:" above it
        k = run


def _entry(unit: Unit, lines: list[str], numbers: set[tuple[int, ...]]) -> bool:
    """A contents list's entry: a numbered line with no answer of its own, its number not in the
    list yet (a number again: the list has ended, the document starts). Under its question's
    lines (a question wraps up to its `?`) only its own numbered sub-entries, or one line indented
    deeper that ends a title with no `?` (`5.4. My RE isn't matching... (Or, "Greedy vs.` /
    `     stingy pattern matching")`) or asks a second question (`7.4 Why...? / For example, why...?`):
    not an answer (`1. What is X?` / `   X is Y.`)."""
    mark = _numbered(unit)
    if mark is None or mark.number in numbers:
        return False
    start, end = unit.payload
    if _inline_answer(lines, start, end) is not None:
        return False
    rest = lines[start + _question_lines(lines, start, end):end]
    if all(NUMBERED.match(line.strip()) for line in rest):
        return True
    if len(rest) != 1 or len(rest[0]) - len(rest[0].lstrip()) <= len(lines[start]) - len(lines[start].lstrip()):
        return False
    return not QUESTION_END.search(lines[start]) or bool(QUESTION_END.search(rest[0]))  # or a second question


def _mirrored_until(units: list[Unit], entries: list[int], later: dict[tuple[int, ...], list[int]],
                    run_end: int) -> int | None:
    """The last entry of a contents list that the document's numbered lines after the run
    mirror, or None when these entries are not a contents list."""
    if len(entries) < 3:
        return None
    found = []  # (entry, the first numbered line after the run with its number)
    for j in entries:
        places = later.get(_numbered(units[j]).number, [])
        first = bisect.bisect_left(places, run_end)
        if first < len(places):
            found.append((j, places[first]))
    same = sum(_key(_numbered(units[j]).question) == _key(_numbered(units[x]).question) for j, x in found)
    in_order = sum(a[1] < b[1] for a, b in zip(found, found[1:], strict=False))
    if len(found) < 0.8 * len(entries) or same < 0.6 * len(entries) or in_order < 0.8 * (len(found) - 1):
        return None
    return found[-1][0]


def _mark_numbered_sections(units: list[Unit]) -> set[int]:
    """A numbered line with nothing under it, that is no question, right before the numbered
    lines its number is the start of (`1. Philosophy` before `1.1`, `3.1 Configuration Problems`
    before `3.1.1`, `2.0 Ports` before `2.1`): a section heading, not a question. Their units."""
    found = set()
    for k, unit in enumerate(units):
        mark = _numbered(unit)
        if mark is None or mark.answered or reads_as_question(mark.question):
            continue
        following = next((j for j in range(k + 1, len(units)) if not units[j].chrome), None)
        after = _numbered(units[following]) if following is not None else None
        prefix = mark.number
        while len(prefix) > 1 and prefix[-1] == 0:
            prefix = prefix[:-1]  # `2.0 Ports` heads 2.1, 2.2...
        if after is None or len(after.number) <= len(prefix) or after.number[:len(prefix)] != prefix:
            continue
        unit.kind, unit.level, unit.text, unit.marks = "heading", 2, mark.question, ()
        found.add(k)
    return found


def _mark_headings(units: list[Unit], lines: list[str], numbered_sections: set[int] = frozenset()) -> None:
    """A short line alone in its paragraph, with no closing punctuation, right before a block
    that offers a question: a heading the finder may take as a section. A line underlined with
    `===` or `---` is one too. Plain paragraphs only (no marker, not chrome), in order."""
    before: tuple[int, ...] | None = None  # the number of the last numbered line
    for k, unit in enumerate(units):
        if unit.kind == "paragraph" and not unit.marks and not unit.chrome:
            _mark_heading(units, k, lines, before, numbered_sections)
        if (mark := _numbered(unit)) is not None:
            before = mark.number


def _mark_heading(units: list[Unit], k: int, lines: list[str], before: tuple[int, ...] | None = None,
                  numbered_sections: set[int] = frozenset()) -> None:
    """Whether the plain paragraph units[k] is a heading, and at which level: two lines, the
    second a rule (its first line is the heading's text), or a short line a heading rule takes."""
    unit = units[k]
    start, end = unit.payload
    if end - start == 2 and RULE.match(lines[start + 1]):
        unit.kind, unit.level, unit.text = "heading", _rule_level(lines[start + 1]), lines[start].strip()
        return
    if not _short_line(unit.text.strip(), start, end) or _inside_numbering(units, k, before, numbered_sections):
        return
    if (LABEL_A.match(lines[start]) or A_MARKER.match(lines[start])) and k and units[k - 1].kind == "paragraph" \
            and (LABEL_Q.match(lines[units[k - 1].payload[0]]) or QA_MARKER.match(lines[units[k - 1].payload[0]])):
        return  # a short answer (`A:  xz -dc foo.tar.xz | tar xf -`) right after its question, never a heading
    level = _short_heading_level(units, k, lines)
    if level is not None:
        unit.kind, unit.level = "heading", level


WORDS_ONLY = re.compile(r"^[^\W\d_][^$=/\\<>{}()\[\]|`~#*]*$")  # a title, not a command or a path


def _inside_numbering(units: list[Unit], k: int, before: tuple[int, ...] | None, numbered_sections: set[int]) -> bool:
    """Whether the short line units[k], after numbered line `before`, stands where the document's
    numbering leaves no room for a heading: before its own numbered section heading, before the
    next question of the same group (1.2 -> 1.3), or before a list numbered otherwise than the
    questions (`Here's a rough step-by-step:` / `1. copy...` after question 1.15). It is then the
    end of an answer or an answer's lead-in."""
    if before is None:
        return False
    following = next((j for j in range(k + 1, len(units)) if not units[j].chrome), None)
    if following is None:
        return False
    if following in numbered_sections:
        return True
    mark = _numbered(units[following])
    if mark is None:
        return False
    # steps numbered otherwise than the question before them (1.15, then 1. 2.) are its own list;
    # but after an answer's steps (2., then 2.1) a line of words may head the next questions
    if len(mark.number) > len(before) and WORDS_ONLY.match(units[k].text.strip()):
        return False
    return len(mark.number) != len(before) or (len(before) >= 2 and mark.number[:-1] == before[:-1])


def _rule_level(line: str) -> int:
    """The level of a heading underlined by this rule: 1 under `===`, else 2."""
    return 1 if line.strip()[0] == "=" else 2


def _short_line(text: str, start: int, end: int) -> bool:
    """A line alone, at most 100 characters and 8 words, not ending in punctuation or in a word
    that leads on (`see`, `the`), with no comma, address or e-mail: it may be a heading."""
    return end == start + 1 and len(text) <= 100 and text[-1:] not in ".,;!?" and len(text.split()) <= 8 \
        and "," not in text and not SENTENCE_END.search(text) and "://" not in text and "@" not in text


def _short_heading_level(units: list[Unit], k: int, lines: list[str]) -> int | None:
    """The heading level of the short line units[k], or None when it is not one: 1 or 2 when
    the next line is a rule; 3 for "Conclusion", "Table of contents" (not an answer's text);
    3 right before a unit that offers a question or is a heading (unless chrome or a bullet)."""
    unit = units[k]
    start, end = unit.payload
    text = unit.text.strip()
    if end < len(lines) and RULE.match(lines[end]):
        return _rule_level(lines[end])
    if CLOSING_HEADING.match(text) or FURNITURE_HEADING.match(text):
        return 3
    following = next((u for u in units[k + 1:] if not u.chrome), None)
    if following is None or not (following.marks or following.kind == "heading"):
        return None
    if CHROME.match(text) or BULLET.match(lines[start]):
        return None
    return 3
