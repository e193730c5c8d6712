"""Reader for saved web pages (.html, .htm): the article's questions and answers, with the
structure that copying a page as text destroys (lists, code, links, tables, images) kept.

1. Decode: a byte-order mark, else the `<meta charset>`, else UTF-8; bytes that do not decode
   as declared are an error naming the line and column.
2. Parse with an HTML5 parser (BeautifulSoup, html.parser); drop what is never content (scripts,
   styles, forms, iframes) and page chrome (navigation, sidebars, comments, share and subscribe
   blocks, related and popular posts, footers, cookie banners): each listed by `check -v`.
3. Take the article body (article, main, articleBody, the blog engines' post bodies; else the
   element holding the most paragraph text) and read its cards from the first shape that fits:
   schema.org FAQPage data (JSON-LD or microdata) first; then <details>/<summary> accordions;
   <dl> definition lists; `Q12.`/`A12.` paragraphs; `Q:`/`A:` labels; numbered <ol> items with an
   inline "Answer:"; a heading per question; and otherwise the page's text, read by the text
   readers' shapes (coaching, numbered, ...). Headings that are not questions are sections.
Every card, section and diagnostic names the line of the HTML file its element starts on.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.errors import SourceError
from deckgen.model import Block, Card, Deck, Diagnostic, Section, Skipped, SourceSpan
from deckgen.readers.inline import text_runs
from deckgen.readers.pages import INLINE_ANSWER, LABEL_A, LABEL_Q, QUESTION_WORDS, SKIP_HEADING
from deckgen.readers.text import ANSWER, QUESTION

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
NEVER_CONTENT = ("script", "style", "noscript", "template", "iframe", "form", "button", "input", "select",
                 "textarea", "svg", "canvas", "object", "embed", "link", "meta")
CHROME_TAGS = ("nav", "aside", "footer")
CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|sidebar|side-bar|widget|comments?|comment-list|respond|share|sharing|"
    r"social|related|popular|recent-posts|subscribe|newsletter|signup|cookie|consent|banner|advert|ads?|responses?|"
    r"promo|sponsor|breadcrumbs?|archive|labels?|tags|tag-cloud|author-box|byline|post-footer|footer|"
    r"header-nav|masthead|search|pagination|jump-link|skip-link)(?:$|[\s_-])",
    re.IGNORECASE,
)
CONTENT_SELECTORS = ("[itemprop=articleBody]", ".post-body", ".entry-content", ".post-content",
                     ".article-body", ".article-content", "article", "main", "[role=main]", "#content")
# "Answer:" inside a list item converted to Markdown, perhaps in bold or italics
MARKDOWN_ANSWER = re.compile(r"\s(?:\*\*|__|\*|_)?(?:Answer|Ans\.?|A)\s*[:：]\s*(?:\*\*|__|\*|_)?\s*", re.IGNORECASE)
BLOCK_TAGS = {"p", "ul", "ol", "pre", "table", "dl", "details", "blockquote", "figure", "img",
              "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
CONTAINERS = {"div", "section", "article", "main", "header", "span", "center", "body", "font"}


@dataclass
class PageBlock:
    """A top-level block of the article, in reading order."""

    kind: str  # heading, p, ul, ol, pre, table, dl, details, quote, figure, text
    element: object
    text: str
    line: int
    level: int = 0  # heading level


@dataclass
class _Page:
    path: str
    folder: Path | None
    skipped: list[Skipped] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def span(self, line: int, col: int = 1) -> SourceSpan:
        return SourceSpan(self.path, max(line, 1), max(col, 1))

    def blocks(self, elements: list, line: int, col: int = 1) -> tuple[Block, ...]:
        """Elements as answer blocks; what the Markdown reader warns about gets this line."""
        from bs4 import BeautifulSoup

        from deckgen.htmlblocks import html_blocks

        holder = BeautifulSoup("<div></div>", "html.parser")
        wrapper = holder.div
        for element in elements:
            wrapper.append(_copy(element))
        blocks, problems, images = html_blocks(wrapper, self.folder)
        for problem in problems:
            self.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message, self.span(line, col)))
        for image in images:
            if image not in self.images:
                self.images.append(image)
        return blocks


def decode_html(data: bytes, display: str) -> str:
    """The page's text, decoded as its byte-order mark or `<meta charset>` says (UTF-8 otherwise)."""
    if not data.strip():
        raise SourceError(f"{display}: the file is empty")
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name).removeprefix("\ufeff")
    declared = META_CHARSET.search(data[:4096])
    charset = declared[1].decode("ascii").lower() if declared else "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError as err:
        raise SourceError(f"{display}: the page declares an unknown charset '{charset}'") from err
    try:
        return data.decode(charset)
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        said = f"its <meta charset> says {charset}" if declared else "no <meta charset>, so UTF-8"
        raise SourceError(
            f"{display}:{line}:{col}: byte 0x{data[err.start]:02x} cannot be decoded ({said}); "
            f"save the page again, as UTF-8"
        ) from err


def read_html(text: str, path: str, fallback_title: str, folder: Path | None = None) -> Deck:
    """Read a saved web page into a Deck."""
    from bs4 import BeautifulSoup

    _check_complete(text, path)
    soup = BeautifulSoup(text, "html.parser")
    page = _Page(path, folder)
    faq = _faq_data(soup, page)
    title = _title(soup)
    for element in soup.find_all(NEVER_CONTENT):
        element.decompose()
    _remove_chrome(soup, page)
    root = _content_root(soup)
    blocks = _flatten(root)
    if not blocks and not faq:
        raise SourceError(f"{path}: the page has no text content")
    sections, shape = _read_shapes(blocks, page, fallback_title)
    if faq:
        sections, shape = _with_faq(faq, sections, page), "faq-jsonld"
    if not any(s[2] for s in sections):
        raise SourceError(
            f"{path}: no questions and answers found on this page (looked for FAQ data, accordions, "
            f"definition lists, Q/A markers, numbered questions and question headings)")
    built = tuple(Section(name, where, tuple(cards)) for name, where, cards in sections if cards or name)
    return Deck(title=title or fallback_title, source=path, sections=built, shape=shape,
                skipped=tuple(page.skipped), images=tuple(page.images), diagnostics=tuple(page.diagnostics))


def _check_complete(text: str, path: str) -> None:
    lowered = text.lower()
    opened = "<html" in lowered or "<body" in lowered
    if opened and "</html>" not in lowered and "</body>" not in lowered:
        line = text.count("\n") + 1
        raise SourceError(f"{path}:{line}: the page ends before </body> and </html>: it looks truncated "
                          f"(save it again)")


def _copy(element):
    import copy

    return copy.copy(element)


def _text(element) -> str:
    return " ".join(element.get_text(" ").split())


def _line(element) -> int:
    return getattr(element, "sourceline", None) or 1


def _col(element) -> int:
    """The 1-based column the parser saw the element's start tag at (1 where it does not say)."""
    return (getattr(element, "sourcepos", None) or 0) + 1


def _title(soup) -> str:
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta and meta.get("content", "").strip():
        return meta["content"].strip()
    heading = soup.find("h1")
    if heading and _text(heading):
        return _text(heading)
    return _text(soup.title) if soup.title else ""


def _content_root(soup):
    candidates = []
    for selector in CONTENT_SELECTORS:
        candidates = soup.select(selector)
        if candidates:
            break
    if candidates:
        return max(candidates, key=lambda e: len(_text(e)))
    body = soup.body or soup
    best, best_score = body, 0
    for element in body.find_all(["div", "section"]):
        score = sum(len(_text(p)) for p in element.find_all("p", recursive=False))
        if score > best_score:
            best, best_score = element, score
    return best if best_score > 200 else body


def _chrome_reason(element) -> str:
    name = element.name
    if name in CHROME_TAGS:
        return f"page chrome (<{name}>)"
    names = " ".join([element.get("id") or "", *(element.get("class") or []), element.get("role") or ""])
    if names.strip() and CHROME_NAMES.search(names):
        return f"page chrome ({CHROME_NAMES.search(names)[0].strip(' _-')})"
    if name == "header" and element.find(["nav", "form"]):
        return "page chrome (<header>)"
    return ""


def _remove_chrome(root, page: _Page) -> None:
    for element in list(root.find_all(True)):
        if element.decomposed or element.name in ("html", "body"):
            continue
        reason = _chrome_reason(element)
        if reason and not element.find(["h1"]) and len(element.find_all("p")) < 40:
            text = _text(element)
            if text:
                page.skipped.append(Skipped(page.span(_line(element)), text[:80], reason))
            element.decompose()


def _flatten(root) -> list[PageBlock]:
    """The article's blocks in reading order (containers opened, inline runs kept together)."""
    from bs4 import NavigableString, Tag

    blocks: list[PageBlock] = []
    loose: list = []

    def flush() -> None:
        text = " ".join(" ".join(str(x) if isinstance(x, NavigableString) else x.get_text(" ")
                                 for x in loose).split())
        if text:
            first = next((x for x in loose if isinstance(x, Tag)), None)
            line = _line(first) if first is not None else (_line(loose[0].parent) if loose[0].parent else 1)
            holder = _wrap(loose)
            blocks.append(PageBlock("p", holder, text, line))
        loose.clear()

    def visit(node) -> None:
        for child in list(node.children):
            if isinstance(child, NavigableString):
                if child.__class__.__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                loose.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                if loose and any(str(x).strip() for x in loose if isinstance(x, NavigableString)):
                    flush()
                continue
            if name in BLOCK_TAGS:
                flush()
                if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    blocks.append(PageBlock("heading", child, _text(child), _line(child), int(name[1])))
                elif name == "hr":
                    continue
                elif name in ("img", "figure"):
                    blocks.append(PageBlock("figure", child, _text(child), _line(child)))
                elif name == "blockquote":
                    blocks.append(PageBlock("quote", child, _text(child), _line(child)))
                elif name == "p" and child.find("br"):
                    for part in _split_at_breaks(child):
                        blocks.append(PageBlock("p", part, _text(part), _line(child)))
                elif _text(child) or name == "table" or child.find("img"):
                    blocks.append(PageBlock(name, child, _text(child), _line(child)))
            elif name in CONTAINERS and child.find(list(BLOCK_TAGS)) is not None:
                flush()
                visit(child)
                flush()
            else:
                loose.append(child)
        flush()

    visit(root)
    return blocks


def _split_at_breaks(paragraph) -> list:
    """A paragraph cut at its line breaks (`<b>Q2. ...</b><br>A2. ...` is a question and an
    answer; elsewhere deckgen reads a line break as a new paragraph anyway)."""
    parts, current = [], []
    for node in paragraph.children:
        if getattr(node, "name", None) == "br":
            parts.append(current)
            current = []
        else:
            current.append(node)
    parts.append(current)
    return [_wrap(part) for part in parts if " ".join("".join(str(n.get_text(" ") if hasattr(n, "get_text") else n)
                                                          for n in part).split())]


def _wrap(nodes):
    from bs4 import BeautifulSoup

    holder = BeautifulSoup("<p></p>", "html.parser").p
    for node in nodes:
        holder.append(_copy(node))
    return holder


# -- shapes ------------------------------------------------------------------------------------

def _is_question(text: str) -> bool:
    return bool(text) and len(text) <= 250 and (text.rstrip().endswith("?") or bool(QUESTION_WORDS.match(text)))


def _read_shapes(blocks: list[PageBlock], page: _Page, fallback_title: str):
    """Sections (title, span, cards) and the shape name, from the first shape that fits."""
    finders = (
        ("accordion", lambda b: sum(x.kind == "details" for x in b) >= 1, _accordion),
        ("definition-list", lambda b: any(x.kind == "dl" and x.element.find("dt") for x in b), _definitions),
        ("qa-markers", lambda b: any(x.kind == "p" and QUESTION.match(x.text) for x in b), _markers),
        ("qa-labels", lambda b: any(x.kind == "p" and LABEL_Q.match(x.text) for x in b), _labels),
        ("numbered-inline", lambda b: any(x.kind == "ol" and any(INLINE_ANSWER.search(" " + _text(li))
                                                                   for li in x.element.find_all("li", recursive=False))
                                          for x in b), _numbered_inline),
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
            answer_number=number if number is not None else position, extra=extra,
        ))

    def skip(self, block: PageBlock, reason: str) -> None:
        if block.text:
            self.page.skipped.append(Skipped(self.page.span(block.line), block.text[:80], reason))


def _accordion(blocks: list[PageBlock], page: _Page):
    sections = _Sections(page)
    for block in blocks:
        if block.kind == "heading":
            sections.heading(block)
        elif block.kind == "details":
            summary = block.element.find("summary")
            question = _text(summary) if summary else ""
            body = [c for c in block.element.children if c is not summary]
            if summary is not None:
                sections.add(question, page.blocks(body, block.line, _col(block.element)), _line(summary) or block.line,
                             col=_col(summary))
        else:
            sections.skip(block, "not in a question")
    return sections.items


def _definitions(blocks: list[PageBlock], page: _Page):
    sections = _Sections(page)
    for block in blocks:
        if block.kind == "heading":
            sections.heading(block)
        elif block.kind == "dl":
            term, answer = None, []
            for child in block.element.find_all(["dt", "dd"], recursive=False):
                if child.name == "dt":
                    if term is not None:
                        sections.add(_text(term), page.blocks(answer, _line(term), _col(term)), _line(term),
                                     col=_col(term))
                    term, answer = child, []
                else:
                    answer.extend(child.children)
            if term is not None:
                sections.add(_text(term), page.blocks(answer, _line(term), _col(term)), _line(term), col=_col(term))
        else:
            sections.skip(block, "not in a question")
    return sections.items


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


def _numbered_inline(blocks: list[PageBlock], page: _Page):
    from deckgen.htmlblocks import fragment_markdown, markdown_blocks

    sections = _Sections(page)
    for block in blocks:
        if block.kind == "heading":
            sections.heading(block)
            continue
        if block.kind != "ol":
            sections.skip(block, "not in a question")
            continue
        start = int(block.element.get("start") or 1)
        for offset, item in enumerate(block.element.find_all("li", recursive=False)):
            markdown = fragment_markdown(item)
            parts = MARKDOWN_ANSWER.split(" " + markdown, maxsplit=1)
            if len(parts) != 2:
                continue
            answer, problems, images = markdown_blocks(parts[1].strip(), page.folder)
            page.images.extend(i for i in images if i not in page.images)
            for problem in problems:
                page.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message, page.span(_line(item))))
            question = _text(_strip_after(item))
            sections.add(question, answer, _line(item), number=start + offset, col=_col(item))
    return sections.items


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
    from deckgen.readers import _text_reader

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


# -- schema.org FAQPage ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Faq:
    question: str
    answer_html: str
    line: int


def _faq_data(soup, page: _Page) -> list[_Faq]:
    """The questions and answers of a schema.org FAQPage (JSON-LD, else microdata), in order."""
    found: list[_Faq] = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"application/ld\+json", re.I)}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError) as err:
            page.diagnostics.append(Diagnostic("warning", "DG019", f"JSON-LD that does not parse is ignored: {err}",
                                               page.span(_line(script))))
            continue
        for node in _nodes(data):
            if _is_type(node, "FAQPage"):
                entities = node.get("mainEntity") or []
                for entity in entities if isinstance(entities, list) else [entities]:
                    if not isinstance(entity, dict):
                        continue
                    answer = entity.get("acceptedAnswer") or {}
                    if isinstance(answer, list):
                        answer = answer[0] if answer else {}
                    question = str(entity.get("name") or "").strip()
                    text = str(answer.get("text") or "") if isinstance(answer, dict) else ""
                    if question:
                        found.append(_Faq(_plain(question), text, _line(script)))
    if found:
        return found
    for scope in soup.find_all(attrs={"itemtype": re.compile(r"schema\.org/FAQPage", re.I)}):
        for entity in scope.find_all(attrs={"itemtype": re.compile(r"schema\.org/Question", re.I)}):
            name = entity.find(attrs={"itemprop": "name"})
            answer = entity.find(attrs={"itemprop": "acceptedAnswer"})
            text = answer.find(attrs={"itemprop": "text"}) if answer else None
            if name is not None:
                found.append(_Faq(_text(name), text.decode_contents() if text else "", _line(entity)))
    return found


def _nodes(data):
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph",):
            if key in data:
                yield from _nodes(data[key])


def _is_type(node: dict, name: str) -> bool:
    kind = node.get("@type")
    return name in kind if isinstance(kind, list) else kind == name


def _plain(html_text: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html_text, "html.parser").get_text(" ").split())


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _with_faq(faq: list[_Faq], visible: list, page: _Page):
    """The FAQ data's cards, in its order, filed under the visible section whose card asks the
    same question; a warning at the first place where the data and the page disagree."""
    from bs4 import BeautifulSoup

    seen = {_normal(c.question_text): (title, c) for title, _, cards in visible for c in cards}
    order = [_normal(c.question_text) for _, _, cards in visible for c in cards]
    sections = _Sections(page)
    titles = {title: span for title, span, _ in visible}
    for number, item in enumerate(faq, start=1):
        title, card = seen.get(_normal(item.question), (None, None))
        if title is not None and title != sections.items[-1][0]:
            sections.items.append((title, titles.get(title), []))
        answer = page.blocks(list(BeautifulSoup(f"<div>{item.answer_html}</div>", "html.parser").div.children),
                             item.line)
        line = card.span.line if card is not None else item.line
        sections.add(item.question, answer, line, number=number)
    mine = [_normal(f.question) for f in faq]
    if order and order != mine:
        difference = next((i for i, (a, b) in enumerate(zip(mine, order, strict=False)) if a != b), min(len(mine), len(order)))
        said = faq[difference].question if difference < len(faq) else "(nothing)"
        shown = next((c.question_text for _, _, cards in visible for c in cards
                      if _normal(c.question_text) == order[difference]), "(nothing)") if difference < len(order) else "(nothing)"
        page.diagnostics.append(Diagnostic(
            "warning", "DG019",
            f"the page's FAQ data and its visible text differ at question {difference + 1}: the data has "
            f"“{said[:60]}”, the page shows “{shown[:60]}”; the FAQ data is used",
            page.span(faq[min(difference, len(faq) - 1)].line)))
    return sections.items

