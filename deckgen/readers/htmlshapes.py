"""The shapes a web page's questions and answers take, read from its article's blocks (see
readers/html.py): accordions, definition lists, `Q12.`/`A12.` paragraphs, `Q:`/`A:` labels,
numbered lists with "Answer:", a heading per question; else the page's text through the text
shapes. Each returns sections of cards; headings that are not questions are sections."""

from __future__ import annotations

import re

from deckgen.htmlblocks import fragment_markdown, markdown_blocks
from deckgen.model import Block, Card, Diagnostic, Skipped, SourceSpan
from deckgen.readers import _text_reader
from deckgen.readers.html import PageBlock, _col, _copy, _line, _Page, _text
from deckgen.readers.inline import text_runs
from deckgen.readers.pages import INLINE_ANSWER, LABEL_A, LABEL_Q, QUESTION_WORDS, SKIP_HEADING
from deckgen.readers.text import ANSWER, QUESTION

# "Answer:" inside a list item converted to Markdown, perhaps in bold or italics
MARKDOWN_ANSWER = re.compile(r"\s(?:\*\*|__|\*|_)?(?:Answer|Ans\.?|A)\s*[:：]\s*(?:\*\*|__|\*|_)?\s*", re.IGNORECASE)


def _is_question(text: str) -> bool:
    return bool(text) and len(text) <= 250 and (text.rstrip().endswith("?") or bool(QUESTION_WORDS.match(text)))


def read_shapes(root, blocks: list[PageBlock], page: _Page, fallback_title: str):
    """Sections (title, span, cards) and the shape name, from the first shape that fits."""
    pairs = _classed_pairs(root)
    if len(pairs) >= 2:
        return _classed_cards(pairs, page), "question-answer-blocks"
    finders = (
        ("accordion", lambda b: sum(x.kind == "details" for x in b) >= 1, _accordion),
        ("definition-list", lambda b: any(x.kind == "dl" and x.element.find("dt") for x in b), _definitions),
        ("qa-markers", lambda b: any(x.kind == "p" and QUESTION.match(x.text) for x in b), _markers),
        ("qa-labels", lambda b: any(x.kind == "p" and LABEL_Q.match(x.text) for x in b), _labels),
        ("numbered-inline", lambda b: any(x.kind == "ol" and any(INLINE_ANSWER.search(" " + _text(li))
                                                                   for li in x.element.find_all("li", recursive=False))
                                          for x in b), _numbered_inline),
        ("question-list", _question_list_fits, _question_list),
        ("headings", lambda b: sum(x.kind == "heading" and x.level > 1 and _is_question(x.text) for x in b) >= 2,
         _question_headings),
    )
    for name, fits, read in finders:
        if fits(blocks):
            return read(blocks, page), name
    return _as_text(blocks, page, fallback_title)


class _Sections:
    """Cards grouped under the headings that are not questions."""

    def __init__(self, page: _Page):
        self.page = page
        self.items: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        self.skipping = False

    def heading(self, block: PageBlock) -> None:
        if block.level <= 1:
            return
        if SKIP_HEADING.match(block.text):
            self.skipping = True
            self.page.skipped.append(Skipped(self.page.span(block.line), block.text, "not content"))
            return
        self.skipping = False
        self.items.append((block.text.rstrip(":"), self.page.span(block.line), []))

    def add(self, question: str, answer: tuple[Block, ...], line: int, answer_line: int | None = None,
            extra: tuple[Block, ...] = (), number: int | None = None, col: int = 1) -> None:
        position = sum(len(c) for _, _, c in self.items) + 1
        self.items[-1][2].append(Card(
            number=number if number is not None else position,
            question=text_runs(question), answer=answer, section=self.items[-1][0],
            span=self.page.span(line, col), answer_span=self.page.span(answer_line or line, 1 if answer_line else col),
            answer_number=number if number is not None else position, extra=extra, counted=number is None,
        ))

    def skip(self, block: PageBlock, reason: str) -> None:
        if block.text:
            self.page.skipped.append(Skipped(self.page.span(block.line), block.text[:80], reason))


def _cards_in(kinds: str, read):
    """A shape whose cards sit inside blocks of some kinds (accordions, definition lists, lists of
    questions): headings make sections, `read(block, page, sections)` adds the cards of each such
    block, other blocks are skipped (and listed)."""
    def shape(blocks: list[PageBlock], page: _Page):
        sections = _Sections(page)
        for block in blocks:
            if block.kind == "heading":
                sections.heading(block)
            elif block.kind in kinds.split():
                read(block, page, sections)
            else:
                sections.skip(block, "not in a question")
        return sections.items

    return shape


def _details(block: PageBlock, page: _Page, sections: _Sections) -> None:
    summary = block.element.find("summary")
    if summary is None:
        return
    body = [c for c in block.element.children if c is not summary]
    sections.add(_text(summary), page.blocks(body, block.line, _col(block.element)), _line(summary) or block.line,
                 col=_col(summary))


def _definition_list(block: PageBlock, page: _Page, sections: _Sections) -> None:
    term, answer = None, []

    def finish() -> None:
        if term is not None:
            sections.add(_text(term), page.blocks(answer, _line(term), _col(term)), _line(term), col=_col(term))

    for child in block.element.find_all(["dt", "dd"], recursive=False):
        if child.name == "dt":
            finish()
            term, answer = child, []
        else:
            answer.extend(child.children)
    finish()


def _strip_marker(element, pattern: re.Pattern):
    """A copy of a paragraph without the marker its text starts with (`A12.`, `Answer:`)."""
    copy = _copy(element)
    for string in copy.find_all(string=True):
        value = str(string)
        if not value.strip():
            continue
        match = pattern.match(value)
        if match:
            string.replace_with(value[match.start("text"):])
        break
    return copy


def _answers_between(blocks: list[PageBlock], page: _Page, starts: list[tuple[int, str, int | None, object]],
                     answer_pattern: re.Pattern | None):
    """Cards from start blocks (index, question, number, answer-start index or None); each answer
    runs to the next start or heading."""
    sections = _Sections(page)
    by_index = {s[0]: s for s in starts}
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            sections.heading(block)
            i += 1
            continue
        if i not in by_index:
            if sections.items[-1][2] and not sections.skipping:
                i += 1
                continue  # part of the previous card (collected below)
            sections.skip(block, "introduction" if not any(c for _, _, c in sections.items) else "between cards")
            i += 1
            continue
        _, question, number, _ = by_index[i]
        j = i + 1
        body = []
        answer_line = None
        if answer_pattern is not None and j < len(blocks) and blocks[j].kind == "p" and answer_pattern.match(blocks[j].text):
            body.append(_strip_marker(blocks[j].element, answer_pattern))
            answer_line = blocks[j].line
            j += 1
        while j < len(blocks) and j not in by_index and blocks[j].kind != "heading":
            body.append(blocks[j].element)
            j += 1
        sections.add(question, page.blocks(body, answer_line or block.line), block.line, answer_line, number=number,
                     col=_col(block.element))
        i = j
    return sections.items


def _markers(blocks: list[PageBlock], page: _Page):
    starts = []
    for i, block in enumerate(blocks):
        match = QUESTION.match(block.text) if block.kind == "p" else None
        if match:
            starts.append((i, match["text"].strip(), int(match["num"]), None))
    return _answers_between(blocks, page, starts, ANSWER)


def _labels(blocks: list[PageBlock], page: _Page):
    starts = []
    for i, block in enumerate(blocks):
        match = LABEL_Q.match(block.text) if block.kind == "p" else None
        if match:
            starts.append((i, match["text"].strip(), None, None))
    return _answers_between(blocks, page, starts, LABEL_A)


def _question_headings(blocks: list[PageBlock], page: _Page):
    sections = _Sections(page)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading" and block.level > 1 and _is_question(block.text):
            j, body = i + 1, []
            while j < len(blocks) and not (blocks[j].kind == "heading" and blocks[j].level <= block.level):
                if blocks[j].kind == "heading" and _is_question(blocks[j].text):
                    break
                body.append(blocks[j].element)
                j += 1
            number = re.match(r"^\s*(\d{1,4})[.)]\s+", block.text)
            question = block.text[number.end():] if number else block.text
            sections.add(question, page.blocks(body, block.line, _col(block.element)), block.line,
                         col=_col(block.element))
            i = j
            continue
        if block.kind == "heading":
            sections.heading(block)
        else:
            sections.skip(block, "introduction" if not any(c for _, _, c in sections.items) else "between cards")
        i += 1
    return sections.items


def _answered_list(block: PageBlock, page: _Page, sections: _Sections) -> None:

    start = int(block.element.get("start") or 1)
    for offset, item in enumerate(block.element.find_all("li", recursive=False)):
        parts = MARKDOWN_ANSWER.split(" " + fragment_markdown(item), maxsplit=1)
        if len(parts) != 2:
            continue
        answer, problems, images = markdown_blocks(parts[1].strip(), page.folder)
        page.images.extend(i for i in images if i not in page.images)
        for problem in problems:
            page.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message,
                                               page.span(_line(item), _col(item))))
        sections.add(_text(_strip_after(item)), answer, _line(item), number=start + offset, col=_col(item))


_accordion = _cards_in("details", _details)
_definitions = _cards_in("dl", _definition_list)
_numbered_inline = _cards_in("ol", _answered_list)


def _strip_after(item):
    """The list item's text up to its "Answer:" label."""
    from bs4 import BeautifulSoup

    text = " " + _text(item)
    question = INLINE_ANSWER.split(text, maxsplit=1)[0]
    return BeautifulSoup(f"<p>{_escape(question)}</p>", "html.parser").p


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _as_text(blocks: list[PageBlock], page: _Page, fallback_title: str):
    """The page's text, laid out as lines the text readers read (one line per paragraph, list items
    with their markers), and the resulting cards placed back on the HTML's lines."""

    lines: list[str] = []
    origin: list[int] = []
    for block in blocks:
        if block.kind in ("ul", "ol"):
            start = int(block.element.get("start") or 1) if block.kind == "ol" else 1
            for n, item in enumerate(block.element.find_all("li", recursive=False), start=start):
                lines.append((f"{n}. " if block.kind == "ol" else "• ") + _text(item))
                origin.append(_line(item))
        elif block.kind == "pre":
            for text in block.element.get_text().splitlines() or [""]:
                lines.append("    " + text)
                origin.append(block.line)
        else:
            lines.append(block.text)
            origin.append(block.line)
        lines.append("")
        origin.append(block.line)
    deck = _text_reader("\n".join(lines), page.path, fallback_title, page.folder, "auto")

    def moved(span: SourceSpan | None) -> SourceSpan | None:
        if span is None or span.path != page.path:
            return span
        index = min(max(span.line - 1, 0), len(origin) - 1) if origin else 0
        return page.span(origin[index] if origin else 1)

    import dataclasses

    page.skipped.extend(dataclasses.replace(s, span=moved(s.span)) for s in (*deck.skipped, *deck.stray))
    page.diagnostics.extend(dataclasses.replace(d, span=moved(d.span)) for d in deck.diagnostics)
    items = []
    for section in deck.sections:
        cards = [dataclasses.replace(c, span=moved(c.span), answer_span=moved(c.answer_span), end=0)
                 for c in section.cards]
        items.append((section.title, moved(section.span), cards))
    return items, f"text:{deck.shape}"


# -- question and answer blocks marked by their class (DocBook's qandaset, FAQ plugins) ---------

QUESTION_CLASS = re.compile(r"^(?:[\w-]*[-_])?(?:question|faq-q)$", re.IGNORECASE)
ANSWER_CLASS = re.compile(r"^(?:[\w-]*[-_])?(?:answer|faq-a)$", re.IGNORECASE)
NUMBERING = re.compile(r"^\s*(?:Q\s*)?\d+(?:\.\d+)*[.):]?\s+")


def _classed(element, pattern: re.Pattern) -> bool:
    return any(pattern.match(c) for c in element.get("class") or [])


def _classed_pairs(root) -> list:
    """(question, answer) elements: each element whose class says question (`question`,
    `faq-question`, ...) with the first answer-classed element after it, before the next question."""
    questions = root.find_all(lambda t: _classed(t, QUESTION_CLASS))
    outer = [q for q in questions if not any(_classed(p, QUESTION_CLASS) for p in q.parents)]
    pairs = []
    for index, question in enumerate(outer):
        answer = question.find_next(lambda t: _classed(t, ANSWER_CLASS))
        following = outer[index + 1] if index + 1 < len(outer) else None
        if answer is not None and (following is None or _before(answer, following)):
            pairs.append((question, answer))
    return pairs


def _before(a, b) -> bool:
    return any(node is b for node in a.next_elements)


def _classed_cards(pairs: list, page: _Page):
    sections = _Sections(page)
    for question, answer in pairs:
        heading = question.find_previous(["h2", "h3", "h4"])
        title = _text(heading).rstrip(":") if heading is not None else ""
        if title and title != sections.items[-1][0] and not SKIP_HEADING.match(title):
            sections.items.append((title, page.span(_line(heading), _col(heading)), []))
        cells = answer.find_all(["td", "th"], recursive=False) if answer.name == "tr" else [answer]
        body = [child for cell in cells for child in cell.children]
        text = NUMBERING.sub("", _text(question))
        sections.add(text, page.blocks(body, _line(answer), _col(answer)), _line(question), col=_col(question))
    return sections.items


# -- a list whose items open with the question (in bold or italics), the answer after it ----------

ANSWER_BLOCKS = ("p", "ul", "ol", "pre", "div", "table", "dl", "blockquote")


def _lead(item):
    """The element an item opens with when it is a title in bold or italics (<em>, <strong>,
    <b>, <i>, or a paragraph of one of them) with the answer's paragraphs after it; else None."""
    from bs4 import NavigableString

    children = [c for c in item.children if not (isinstance(c, NavigableString) and not c.strip())]
    if len(children) < 2 or isinstance(children[0], NavigableString):
        return None
    lead = target = children[0]
    if lead.name == "p":
        inner = [c for c in lead.children if str(c).strip()]
        target = inner[0] if len(inner) == 1 else None
    if getattr(target, "name", None) not in ("em", "strong", "b", "i") or not _text(target):
        return None
    return lead if any(getattr(c, "name", None) in ANSWER_BLOCKS for c in children[1:]) else None


def _question_list_fits(blocks: list[PageBlock]) -> bool:
    """Lists whose items mostly open with a title and go on with its answer, one title a question."""
    items = [li for b in blocks if b.kind in ("ol", "ul") for li in b.element.find_all("li", recursive=False)]
    leads = [lead for li in items if (lead := _lead(li)) is not None]
    return len(leads) >= 2 and 2 * len(leads) >= len(items) and any(_is_question(_text(x)) for x in leads)


def _question_items(block: PageBlock, page: _Page, sections: _Sections) -> None:
    for item in block.element.find_all("li", recursive=False):
        lead = _lead(item)
        if lead is not None:
            body = [child for child in item.children if child is not lead]
            sections.add(_text(lead), page.blocks(body, _line(item), _col(item)), _line(item), col=_col(item))


_question_list = _cards_in("ol ul", _question_items)
