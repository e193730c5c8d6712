"""Reader for Markdown decks: `# Title`, `## Section`, a question per `### heading`, the answer
as the Markdown body below it. Parsed with markdown-it-py (CommonMark, raw HTML off).

Per-card settings go in a comment right under the question (invisible on GitHub):

    ### What is a GRU?
    <!-- deckgen: id=gru tags=variants,gates disable=DG102 number=12 reverse -->

A card's Extra (notes, advice: shown under the answer in Anki, the PDFs and the handout) follows
the answer after a comment of its own:

    A gated recurrent unit ...

    <!-- deckgen: extra -->

    Interviewers like a comparison with the LSTM.

Links keep http, https and mailto targets; other schemes are shown as text (DG301). Images must
be files beside the source (DG302 otherwise); they are embedded in every output.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from deckgen.htmlblocks import html_blocks
from deckgen.model import (
    Block,
    Card,
    CodeBlock,
    Deck,
    Diagnostic,
    Inline,
    ListBlock,
    MathBlock,
    Paragraph,
    Section,
    Skipped,
    SourceSpan,
    TableBlock,
)
from deckgen.readers.inline import clozes, split_choices, text_runs
from deckgen.readers.structure import (
    NUMBER,
    Mark,
    Unit,
    counted_when_repeated,
    describe,
    ends_as_question,
    find,
    is_reveal,
    reads_as_question,
    seen,
    strip_number,
)
from deckgen.readers.textblocks import read_structured

META = re.compile(r"^<!--\s*deckgen:(?P<body>.*?)-->$", re.DOTALL)
EXTRA = re.compile(r"^<!--\s*deckgen:\s*extra\s*-->$")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")

def _markdown_parser(html: bool) -> MarkdownIt:
    """CommonMark with tables and formulas: `\\(...\\)` and `\\[...\\]` (texmath), `$...$` and `$$...$$`
    (dollarmath) with pandoc's rule for single dollars (no space inside either dollar, no digit
    after the closing one: "$5 and $10" is text). Every link gets through the parser, so that an
    unsafe one is reported (DG301) and shown as text rather than left as literal brackets."""
    parser = (
        MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
        .enable("table")
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False)
        .use(texmath_plugin, delimiters="brackets")
    )
    parser.validateLink = lambda url: True
    return parser


# Documents people write for GitHub hold raw HTML (accordions, line breaks, badges): a document is
# read with HTML on, and its HTML read by the HTML reader's parser. Fragments (Anki's fields, turned
# into Markdown) keep it off: there `<` is text.
_parser = _markdown_parser(html=False)
_doc_parser = _markdown_parser(html=True)

# Lists and quotes inside each other: markdown-it drops whatever lies deeper than its nesting limit
# (a list's tenth level and, worse, everything after it in the enclosing list; a quote's twentieth).
# From that depth on, the text is read as plain paragraphs instead (markers taken off, one
# paragraph per item or quote line) and the reader warns, naming the line (DG022).
FLAT_LEVEL = 20  # nine lists or nineteen quotes inside each other keep their structure
FLAT_MARKERS = re.compile(r"^(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+[ \t]*")


def _flatten_deep(state, start: int, end: int, silent: bool) -> bool:
    """A block rule tried first: below FLAT_LEVEL it does nothing; at it, it takes the lines this
    container holds as flat paragraphs, so nothing deeper reaches markdown-it's nesting limit."""
    if silent or state.level < FLAT_LEVEL:
        return False
    line, last = start, start + 1
    while line < end:
        if not state.isEmpty(line):
            if 0 <= state.sCount[line] < state.blkIndent:
                break  # the enclosing list's next item
            last = line + 1
        line += 1
    paragraphs: list[tuple[int, list[str]]] = []  # (first line, its lines)
    current: tuple[int, list[str]] | None = None
    for offset, text in enumerate(state.getLines(start, last, state.blkIndent, False).split("\n")):
        marker = FLAT_MARKERS.match(text)
        words = (text[marker.end():] if marker else text).strip()
        if not words:  # a blank line (or a bare `>`) ends a paragraph
            current = None
            continue
        if current is None or (marker and marker[0].strip(" \t>")):  # a list item starts one
            current = (start + offset, [])
            paragraphs.append(current)
        current[1].append(words)
    for first, lines in paragraphs:
        where = [first, first + len(lines)]
        state.push("paragraph_open", "p", 1).map = where
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = "\n".join(lines), where, []
        inline.meta = {"flattened": True}
        state.push("paragraph_close", "p", -1)
    state.line = last
    return True


for _md in (_parser, _doc_parser):
    _md.options["maxNesting"] = FLAT_LEVEL + 1
    _md.block.ruler.before(_md.block.ruler.get_all_rules()[0], "flatten_deep", _flatten_deep)

# Markers a paragraph's first line may start with (bold or not): `Q12.` / `A12.`, `Q:` / `A:`
_B = r"(?:\*\*|__)?"
QA_MARKER = re.compile(rf"^\s*{_B}\s*Q\s?(?P<num>\d{{1,5}})\s*{_B}\s*[.):]\s*{_B}\s*(?=\S)")
A_MARKER = re.compile(rf"^\s*{_B}\s*A\s?(?P<num>\d{{1,5}})\s*{_B}\s*[.):]\s*{_B}\s*")
Q_WORDS = r"Q|Question|Вопрос|Питання|Pregunta|Pergunta|Frage|Domanda|Soru|Câu hỏi|问|問|问题|問題|질문|質問"
A_WORDS = r"A|Answer|Ans|Ответ|Відповідь|Respuesta|Resposta|Réponse|Antwort|Risposta|Cevap|Trả lời|答|回答|答案|답|답변"
LABEL_Q = re.compile(rf"^\s*{_B}\s*(?:{Q_WORDS})\s*{_B}\s*(?:[:：]|\.(?=\s|\*\*|__))\s*{_B}\s*", re.IGNORECASE)
LABEL_A = re.compile(rf"^\s*{_B}\s*(?:{A_WORDS})\s*{_B}\s*(?:[:：]|\.(?=\s|\*\*|__))\s*{_B}\s*", re.IGNORECASE)
DOCTOC = re.compile(r"<!--\s*(?:START|END)\s+doctoc", re.IGNORECASE)
BACK_TO_TOP = re.compile(
    r"^\W*(?:back\s+to\s+(?:top|contents|index|the\s+top|table\s+of\s+contents)|top|go\s+to\s+top|"
    r"scroll\s+to\s+top|вгору|наверх|к\s+содержанию|до\s+змісту|返回顶部|回到顶部|返回目录|トップへ|"
    r"맨\s*위로|volver\s+arriba|voltar\s+ao\s+topo|retour\s+en\s+haut|nach\s+oben)\W*$",
    re.IGNORECASE,
)


class _Reader:
    def __init__(self, text: str, path: str, fallback_title: str, folder: Path | None):
        self.path, self.folder = path, folder
        self.tokens = (_doc_parser if path else _parser).parse(text)
        self.lines = text.split("\n")
        self.title = ""
        self.stray: list[Skipped] = []
        self.skipped: list[Skipped] = []
        self.anchors, self.anchors_at = 0, 0  # links to places inside the document
        self.own = False  # in deckgen's own form (read as written)
        self.labels: set[str] = set()  # heading texts that label every question rather than ask it
        self.diagnostics: list[Diagnostic] = []
        self.images: list[str] = []
        self.fallback_title = fallback_title
        self.depth = 0  # blocks() calls under way (lists inside lists)
        self.flattened: Token | None = None  # the first too-deep paragraph of the run being read

    def span(self, token: Token) -> SourceSpan:
        line = token.map[0] + 1 if token.map else 1
        return SourceSpan(self.path, line, 1)

    def warn(self, code: str, message: str, token: Token) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, self.span(token)))

    # -- inline runs ------------------------------------------------------------------
    def inlines(self, token: Token) -> tuple[Inline, ...]:
        runs: list[Inline] = []
        strong = em = 0
        code = False
        link: str | None = None
        ref: str | None = None
        for child in token.children or []:
            kind = child.type
            if kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "em_open":
                em += 1
            elif kind == "em_close":
                em -= 1
            elif kind == "html_inline":
                tag = HTML_TAG.match(child.content)
                name = tag["name"].lower() if tag else ""
                closing = bool(tag) and tag["close"] == "/"
                if name in ("b", "strong"):
                    strong = max(0, strong + (-1 if closing else 1))
                elif name in ("i", "em"):
                    em = max(0, em + (-1 if closing else 1))
                elif name in ("code", "kbd", "tt"):
                    code = not closing
                elif name == "br":
                    runs.append(Inline("text", " "))
                elif name == "img" and not closing:
                    src = HTML_ATTR.search(child.content)
                    alt = HTML_ALT.search(child.content)
                    fake = Token("image", "img", 0, attrs={"src": src[2] if src else ""},
                                 content=alt[2] if alt else "")
                    runs.append(self.image(fake, token))
            elif kind == "link_open" and str(child.attrs.get("href", "")).startswith("#"):
                # a place inside the document: the handout links it to the card it names (when it
                # names one); elsewhere its words are plain text
                link, ref = None, str(child.attrs.get("href", ""))
                self.anchors += 1
                self.anchors_at = self.anchors_at or self.span(token).line
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.lower().startswith(SAFE_SCHEMES):
                    link = href
                else:
                    link = None
                    self.warn("DG301", f"link to '{href[:60]}' is not http, https or mailto; shown as text", token)
            elif kind == "link_close":
                link = ref = None
            elif kind == "code_inline":
                runs.append(Inline("code", child.content))
            elif kind in ("math_inline", "math_inline_double"):
                runs.append(Inline("math", child.content.strip()))
            elif kind in ("softbreak", "hardbreak"):
                runs.append(Inline("text", " "))
            elif kind == "image":
                runs.append(self.image(child, token))
            elif kind == "text" and child.content:
                if code:
                    runs.append(Inline("code", child.content))
                elif link is not None:
                    runs.append(Inline("link", child.content, link))
                elif ref is not None:
                    runs.append(Inline("ref", child.content, ref))
                elif strong:
                    runs.append(Inline("strong", child.content))
                elif em:
                    runs.append(Inline("em", child.content))
                else:
                    runs.append(Inline("text", child.content))
        return tuple(piece for run in _merge(runs) for piece in clozes(run))

    def image(self, child: Token, token: Token) -> Inline:
        import html

        src = str(child.attrs.get("src", ""))
        # the alt text as words (`![a &#91;b&#93;](x.png)` is "a [b]"); an <img>'s attribute as written
        alt = _plain(child) if child.children else html.unescape(child.content or "")
        relative = self.local_image(src)
        if relative is not None:
            if relative not in self.images:
                self.images.append(relative)
            return Inline("image", alt, relative)
        from urllib.parse import unquote

        self.warn("DG302", f"image '{unquote(src)[:60]}' is not an image file beside the source; not shown", token)
        return Inline("text", f"[{alt}]" if alt else "[image]")

    def local_image(self, src: str) -> str | None:
        """The image file `src` names inside the source's folder, as a relative POSIX path; else None.
        `src` is a URL path: percent-encoded (markdown-it encodes `<my diagram.png>` and `café.png`,
        saved pages write `Title%20With%20Spaces_files/`), perhaps with a query; a name that is
        only right as written (a file really called `100%.png`) is tried too. Nothing outside
        the folder, however spelled (`..`, `%2e%2e/`, an absolute path, a link out), is read."""
        from urllib.parse import unquote

        if self.folder is None or not src or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]", src):
            return None  # remote (http:, data:, file:...) or absolute
        folder = self.folder.resolve()
        path = re.split(r"[?#]", src, maxsplit=1)[0]
        for name in dict.fromkeys((unquote(path), unquote(src), src)):
            if not name or "\x00" in name:
                continue
            try:
                target = (folder / name).resolve()
                if target.is_relative_to(folder) and target.suffix.lower() in IMAGE_SUFFIXES and target.is_file():
                    return target.relative_to(folder).as_posix()
            except (OSError, ValueError):  # a name too long for the file system
                continue
        return None

    # -- blocks -------------------------------------------------------------------------
    def blocks(self, tokens: list[Token]) -> list[Block]:
        """Blocks from a flat token run (the body of a card or of a list item); lists and quotes
        nested too deep to keep their structure are warned about once per run (DG022)."""
        self.depth += 1
        try:
            out = self.blocks_of(tokens)
        finally:
            self.depth -= 1
        if not self.depth and self.flattened is not None:
            self.warn("DG022", "lists nested more than 9 deep or quotes more than 19: from this line on "
                      "their text is read as plain paragraphs", self.flattened)
            self.flattened = None
        return out

    def blocks_of(self, tokens: list[Token]) -> list[Block]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open" and i + 1 < len(tokens):
                # an answer's own sub-heading: a bold line of the answer
                runs = tuple(Inline("strong", r.text) if r.kind == "text" else r for r in self.inlines(tokens[i + 1]))
                if runs:
                    out.append(Paragraph(runs))
                i += 3
                continue
            if token.type == "inline":
                if token.meta.get("flattened") and self.flattened is None:
                    self.flattened = token
                if _paragraph_chrome(token, _plain(token)) != "back-to-top link":
                    out.append(Paragraph(self.inlines(token)))
            elif token.type == "html_block" and not token.content.strip().startswith("<!--"):
                from bs4 import BeautifulSoup

                soup = BeautifulSoup(token.content, "html.parser")
                for element in soup.find_all(["script", "style", "template"]):
                    element.decompose()
                for summary in soup.find_all("summary"):
                    if is_reveal(summary.get_text(" ")):
                        summary.decompose()
                made, problems, images = html_blocks(soup, self.folder)
                self.adopt(problems, images, self.span(token).line)
                out.extend(made)
            elif token.type in ("fence", "code_block"):
                if not (token.type == "code_block" and _indented_link(token.content)):
                    language = token.info.strip().split(" ")[0] if token.info else ""
                    out.append(CodeBlock(_without_trailing_links(token.content), language))
            elif token.type in ("math_block", "math_block_eqno") and token.content.strip():
                out.append(MathBlock(token.content.strip()))
            elif token.type == "table_open":
                end = _closing(tokens, i)
                out.append(self.table(tokens[i : end + 1]))
                i = end
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                end = _closing(tokens, i)
                out.append(self.list_block(tokens[i : end + 1]))
                i = end
            i += 1
        return out

    def table(self, tokens: list[Token]) -> TableBlock:
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        align: list[str] = []
        cells: list[tuple[Inline, ...]] = []
        for k, token in enumerate(tokens):
            if token.type == "tr_open":
                cells = []
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrs.get("style", ""))
                if not rows:
                    align.append(style.removeprefix("text-align:").strip())
                cells.append(self.inlines(tokens[k + 1]))
            elif token.type == "tr_close":
                rows.append(tuple(cells))
        header, body = (rows[0], tuple(rows[1:])) if rows else ((), ())
        return TableBlock(header, body, tuple(align))

    def list_block(self, tokens: list[Token]) -> ListBlock:
        opening = tokens[0]
        ordered = opening.type == "ordered_list_open"
        start = int(opening.attrs.get("start", 1)) if ordered else 1
        items = []
        i = 1
        while i < len(tokens) - 1:
            if tokens[i].type == "list_item_open":
                end = _closing(tokens, i)
                items.append(tuple(self.blocks(tokens[i + 1 : end])))
                i = end
            i += 1
        return ListBlock(tuple(items), ordered=ordered, start=start)

    # -- the document's blocks, as the structure finder sees them ---------------------------------
    def source(self, token_map) -> str:
        return "\n".join(self.lines[token_map[0]:token_map[1]]) if token_map else ""

    def units(self) -> list[Unit]:
        tokens, out = self.tokens, []
        i, doctoc = 0, False
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i) if token.nesting == 1 else i
            first, last = (token.map[0] + 1, token.map[1]) if token.map else (1, 1)
            raw = self.source(token.map)
            chrome = "table of contents" if doctoc else ""
            if token.type == "html_block" and DOCTOC.search(token.content):
                doctoc = "START" in token.content.upper()
                chrome = "table of contents"
            if token.type == "heading_open":
                level, text = int(token.tag[1]), _plain(tokens[i + 1])
                question, number = strip_number(LABEL_Q.sub("", text, count=1))
                # `### Answer:` under `### Question: ...` is the answer's heading, not a question
                marks = () if LABEL_A.match(text) else (Mark(f"h{level}", question, number),)
                out.append(Unit("heading", first, last, text, level=level, chrome=chrome,
                                marks=marks, payload=(i, end + 1)))
            elif token.type == "paragraph_open":
                out.append(self.paragraph_unit(i, end, first, last, raw, chrome))
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                out.extend(self.list_units(i, end, first, last, chrome))
            elif token.type == "html_block":
                out.extend(self.html_units(i, first, last, token.content, chrome))
            elif token.type in ("fence", "code_block"):
                if not chrome and token.type == "code_block" and _indented_link(token.content):
                    chrome = "back-to-top link"  # indented four spaces by mistake: a code block
                out.append(Unit("code", first, last, token.content, chrome=chrome, payload=(i, end + 1)))
            elif token.type == "hr":
                out.append(Unit("rule", first, last, "", chrome=chrome or "rule", payload=(i, end + 1)))
            else:  # tables, quotes, formulas
                text = " ".join(_plain(t) for t in tokens[i:end + 1] if t.type == "inline") or token.content
                kind = "table" if token.type == "table_open" else "other"
                if kind == "table" and _mostly_anchors(tokens[i:end + 1]):
                    chrome = chrome or "table of contents"
                out.append(Unit(kind, first, last, text, chrome=chrome, payload=(i, end + 1)))
            i = end + 1
        for unit in out:  # an accordion's closing tag may end a list or a quote (a lazy line)
            if unit.kind in ("list", "item", "other", "table"):
                start, stop = (unit.payload[1], unit.payload[2] + 1) if unit.kind == "item" else unit.payload
                tags = [t.content.lower() for t in self.tokens[start:stop] if t.type == "html_block"]
                tags += [c.content.lower() for t in self.tokens[start:stop] if t.type == "inline"
                         for c in t.children or [] if c.type == "html_inline"]
                opened = sum(len(OPEN_DETAILS.findall(t)) for t in tags)
                # a closing tag alone on its line closes, even where an unclosed fence made it code
                raw = self.lines[unit.line - 1:unit.end]
                closed = max(sum(t.count("</details") for t in tags),
                             sum(bool(CLOSE_LINE.match(line)) for line in raw))
                unit.opens, unit.closes = opened > closed, closed > opened
        return out

    def paragraph_unit(self, i: int, end: int, first: int, last: int, raw: str, chrome: str) -> Unit:
        inline = self.tokens[i + 1]
        text = _plain(inline)
        tags = [c.content.lower() for c in inline.children or [] if c.type == "html_inline"]
        opens = sum(t.startswith("<details") for t in tags)
        closes = sum(t.startswith("</details") for t in tags)
        marks: list[Mark] = []
        lines = raw.split("\n")
        head = _first_line(inline)
        if not chrome:
            chrome = _paragraph_chrome(inline, text)
        if (m := QA_MARKER.match(lines[0])) is not None:
            rest = lines[0][m.end():]
            marks.append(Mark("qa-markers", _plain_text(rest), (int(m["num"]),),
                              answered=any(A_MARKER.match(x) for x in lines[1:])))
        elif (m := LABEL_Q.match(lines[0])) is not None:
            marks.append(Mark("label", _plain_text(lines[0][m.end():]), None,
                              answered=any(LABEL_A.match(x) for x in lines[1:])))
        elif head is not None:
            question, number = head
            marks.append(Mark("bold", question, number, answered=len(lines) > 1))
        else:
            question, number = strip_number(_plain_text(lines[0]))
            if number is not None and len(number) > 1 and len(lines[0]) < 300:
                marks.append(Mark("numbered", question, number, answered=len(lines) > 1))
            elif len(lines) == 1 and len(text) <= 250 and reads_as_question(text) and \
                    ends_as_question(text.rstrip(" :")) and len(text.split()) >= 3:
                marks.append(Mark("question-line", question, number))
        return Unit("paragraph", first, last, text, marks=tuple(marks), chrome=chrome,
                    opens=opens > closes, closes=closes > opens, payload=(i, end + 1))

    def list_units(self, i: int, end: int, first: int, last: int, chrome: str) -> list[Unit]:
        tokens = self.tokens[i:end + 1]
        text = " ".join(_plain(t) for t in tokens if t.type == "inline")
        if chrome or _mostly_anchors(tokens):
            return [Unit("list", first, last, text, chrome=chrome or "table of contents", payload=(i, end + 1))]
        ordered = tokens[0].type == "ordered_list_open"
        start = int(tokens[0].attrs.get("start", 1)) if ordered else 1
        items = _item_ranges(self.tokens, i, end)
        units: list[Unit] = []
        marked = False
        for k, (a, b) in enumerate(items):
            item_tokens = self.tokens[a:b + 1]
            item_text = " ".join(_plain(t) for t in item_tokens if t.type == "inline")
            where = self.tokens[a].map or [first - 1, last]
            number = (start + k,) if ordered else None
            marks: list[Mark] = []
            head = self.tokens[a + 1]
            children = _children(self.tokens, a, b)
            if head.type == "heading_open":
                question, own = strip_number(_plain(self.tokens[a + 2]))
                marks.append(Mark("list-heading", question, own or number, answered=len(children) > 1))
            elif head.type == "paragraph_open":
                question = _plain(self.tokens[a + 2])
                revealed = any(t.type == "html_block" and (s := REVEAL_SUMMARY.search(t.content)) and is_reveal(s[1])
                               for t in item_tokens)
                if revealed and len(question) <= 300:  # `- Question` with a "Show answer" accordion under it
                    marks.append(Mark("list-item", strip_number(question)[0], number, answered=True))
                elif reads_as_question(question) and len(question) <= 300:
                    if len(children) > 1:
                        marks.append(Mark("list-item", strip_number(question)[0], number, answered=True))
                    elif ordered:
                        marks.append(Mark("numbered", strip_number(question)[0], number))
                    elif ends_as_question(question):  # `- What is X?`, its answer below the list
                        marks.append(Mark("list-item", question, None))
            marked = marked or bool(marks)
            units.append(Unit("item", where[0] + 1, where[1], item_text, marks=tuple(marks),
                              payload=(i, a, b, start + k)))
        if not marked:
            return [Unit("list", first, last, text, payload=(i, end + 1))]
        return units

    def html_units(self, i: int, first: int, last: int, html: str, chrome: str) -> list[Unit]:
        stripped = html.strip()
        if META.match(stripped):
            return [Unit("meta", first, last, "", words=0, payload=(i, i + 1))]
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            return [Unit("html", first, last, "", chrome=chrome or "comment", words=0, payload=(i, i + 1))]
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "html.parser")
        for element in soup.find_all(["script", "style", "template"]):
            element.decompose()
        opens, closes = html.count("<details"), html.count("</details>")
        units: list[Unit] = []
        accordions = soup.find_all("details")
        if accordions and not chrome:
            inner: set[int] = set()  # accordions inside one already read (found once, not by walking up)
            for details in accordions:
                if id(details) in inner:
                    continue
                inner.update(id(d) for d in details.find_all("details"))
                summary = details.find("summary")
                question = " ".join(summary.get_text(" ").split()) if summary is not None else ""
                body = " ".join(details.get_text(" ").split())
                complete = "</details>" in html
                rest = body[len(" ".join(question.split())):].strip() if question else body
                marks = () if not question or is_reveal(question) else (
                    Mark("details", strip_number(question)[0], strip_number(question)[1], answered=bool(rest)),)
                where = getattr(summary, "sourceline", None) or getattr(details, "sourceline", None) or 1
                line = first + where - 1  # the question's own line
                units.append(Unit("details", line, last, body, marks=marks,
                                  opens=not complete and opens > closes, payload=("details", details)))
            if units:
                return units
        text = " ".join(soup.get_text(" ").split())
        if not chrome and not text and soup.find("img") is not None:
            chrome = "badges and images"
        links = soup.find_all("a", href=True)
        if not chrome and links and BACK_TO_TOP.match(text) and all(str(a["href"]).startswith("#") for a in links):
            chrome = "back-to-top link"
        return [Unit("html", first, last, text, chrome=chrome, opens=opens > closes, closes=closes > opens,
                     payload=("html", soup))]

    # -- cards -----------------------------------------------------------------------------
    def read(self, forced: str = "auto", lenient: bool = False) -> Deck:
        units = self.units()
        self.own = forced == "auto" and _own_form(units)
        if self.own:
            forced = "h3"  # deckgen's own form, as convert and pull write it: read it as written
        chosen, readings = find(units, forced)
        self.reading, self.readings, self.unit_list = chosen, readings, units
        sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        where: dict[int | None, int] = {None: 0}
        texts = [units[c.question].text.strip() for c in chosen.cards if units[c.question].kind == "heading"]
        self.labels = {t for t in set(texts) if texts.count(t) >= 3 and texts.count(t) >= len(chosen.cards) / 2}
        for position, planned in enumerate(chosen.cards, start=1):
            if planned.section not in where:
                unit = units[planned.section]
                where[planned.section] = len(sections)
                sections.append((unit.text.strip() if self.own else _section_title(unit, self.tokens), SourceSpan(self.path, unit.line, 1), []))
            index = where[planned.section]
            sections[index][2].append(self.card(units, planned, planned.family or chosen.family, position, sections[index][0]))
        for unit, role, reason in zip(units, chosen.roles, chosen.reasons, strict=True):
            text = unit.text.strip().split("\n", 1)[0][:80]
            if role == "chrome" and text:
                self.skipped.append(Skipped(SourceSpan(self.path, unit.line, 1), text, reason))
            elif role in ("introduction", "closing") and text:
                self.skipped.append(Skipped(SourceSpan(self.path, unit.line, 1), text, role))
            elif role == "between" and text:
                self.stray.append(Skipped(SourceSpan(self.path, unit.line, 1), text, "text between cards"))
        if self.anchors:
            self.diagnostics.append(Diagnostic(
                "info", "DG301", f"{self.anchors} link(s) to places inside this document (first on line "
                f"{self.anchors_at}): in the handout each leads to the card it names, elsewhere it is plain text",
                SourceSpan(self.path, self.anchors_at, 1)))
        title = ""
        if chosen.title is not None:
            title = units[chosen.title].text.strip()
        sections = counted_when_repeated(sections)
        built = tuple(Section(name, span, tuple(cards)) for name, span, cards in sections if cards)
        return Deck(
            title=title or self.fallback_title, source=self.path, sections=built,
            shape=f"markdown:{chosen.family}", skipped=tuple(self.skipped), stray=tuple(self.stray),
            images=tuple(self.images), diagnostics=tuple(self.diagnostics),
            coverage=chosen.coverage(units), candidates=tuple(describe(readings, chosen)),
            seen=seen(units),
        )

    def card(self, units: list[Unit], planned, family: str, position: int, section: str) -> Card:
        unit = units[planned.question]
        question, own, number = self.question_of(unit, family)
        first = next((a for a in planned.answer if units[a].kind != "meta"), None)
        if self.labels and not self.own and unit.kind == "heading" and unit.text.strip() in self.labels and first is not None \
                and units[first].kind == "paragraph" and not own:
            # `### Question` over every question (a label, not the question): the paragraph under it asks
            asked = self.unit_blocks(units[first])
            if asked and isinstance(asked[0], Paragraph):
                question = asked[0].inlines
                planned = dataclasses.replace(planned, answer=[a for a in planned.answer if a != first])
        meta: dict[str, str] = {}
        blocks: list[Block] = list(own)
        extra: list[Block] = []
        target = blocks
        answer_line = None
        groups: dict[int, int | None] = {}  # the list the last item unit came from, per target
        for k, index in enumerate(planned.answer):
            part = units[index]
            if part.kind == "meta":
                body = META.match(self.tokens[part.payload[0]].content.strip())
                if EXTRA.match(self.tokens[part.payload[0]].content.strip()):
                    target = extra
                elif k == 0 and body is not None:
                    meta = _parse_meta(body["body"])
                continue
            if answer_line is None and part.words:
                answer_line = part.line
            made = self.unit_blocks(part)
            group = part.payload[0] if part.kind == "item" else None
            if group is not None and group == groups.get(id(target)) and target and isinstance(target[-1], ListBlock):
                target[-1] = dataclasses.replace(target[-1], items=target[-1].items + made[0].items)
            else:
                target.extend(made)
            groups[id(target)] = group
        ends = [units[a].end for a in planned.answer] or [unit.end]
        end = max(ends)
        while end > 1 and end <= len(self.lines) and not self.lines[end - 1].strip():
            end -= 1
        counted = False
        if meta.get("number", "").isdigit():
            number = int(meta["number"])
        elif number is None:
            number, counted = position, True
        choices, answer = split_choices(tuple(blocks))
        return Card(
            number=number, question=question, answer=answer, section=section, choices=choices,
            span=SourceSpan(self.path, unit.line, 1),
            answer_span=SourceSpan(self.path, answer_line or unit.line, 1), answer_number=number,
            tags=tuple(t for t in meta.get("tags", "").split(",") if t), explicit_id=meta.get("id", ""),
            extra=tuple(extra), disabled_rules=tuple(c for c in meta.get("disable", "").split(",") if c),
            end=end, reverse="reverse" in meta and meta["reverse"].lower() not in ("false", "no", "0"),
            counted=counted,
        )

    def question_of(self, unit: Unit, family: str) -> tuple[tuple[Inline, ...], list[Block], int | None]:
        """A question unit's question runs, the answer blocks it holds itself, its own number."""
        mark = unit.mark(family)
        number = mark.number[0] if mark is not None and mark.number and len(mark.number) == 1 else None
        if unit.kind == "heading":
            start, _ = unit.payload
            runs = self.inlines(self.tokens[start + 1])
            if self.own:  # as written: deckgen wrote no number before the question
                return runs, [], None
            return _strip_runs(runs), [], number
        if unit.kind == "item":
            _, a, b, _ = unit.payload
            inline = self.tokens[a + 2]
            return _strip_runs(self.inlines(inline)), self.blocks(self.tokens[a + 4:b]), number
        if unit.kind == "details":
            details = _copy_without_summary(unit.payload[1])
            blocks, problems, images = html_blocks(details, self.folder)
            self.adopt(problems, images, unit.line)
            question = text_runs(mark.question if mark is not None else unit.text)
            return question, list(blocks), number
        if unit.kind == "paragraph":
            start, _ = unit.payload
            lines = self.source(self.tokens[start].map).split("\n")
            split = _question_lines(lines, family)
            head = " ".join(x.strip() for x in lines[:split])
            head = _strip_label(head, family)
            runs = _strip_runs(self.inline_text(head, unit.line))
            rest = lines[split:]
            if rest:
                rest[0] = _strip_answer_label(rest[0])
            return runs, self.parse_blocks("\n".join(rest), unit.line + split) if rest else [], number
        return text_runs(unit.text.split("\n", 1)[0]), self.unit_blocks(unit), number

    def unit_blocks(self, unit: Unit) -> list[Block]:
        """An answer unit's blocks."""
        payload = unit.payload
        if unit.kind == "item":
            list_at, a, b, number = payload
            ordered = self.tokens[list_at].type == "ordered_list_open"
            return [ListBlock((tuple(self.blocks(self.tokens[a + 1:b])),), ordered=ordered,
                              start=number if ordered else 1)]
        if unit.kind in ("details", "html"):
            element = _copy_without_summary(payload[1]) if unit.kind == "details" else payload[1]
            blocks, problems, images = html_blocks(element, self.folder)
            self.adopt(problems, images, unit.line)
            return list(blocks)
        if unit.kind == "meta":
            return []
        start, stop = payload
        if unit.kind == "paragraph":
            lines = self.source(self.tokens[start].map).split("\n")
            label = _strip_answer_label(lines[0])
            if label != lines[0]:
                return self.parse_blocks("\n".join([label, *lines[1:]]), unit.line)
        return self.blocks(self.tokens[start:stop])

    def adopt(self, problems: list[Diagnostic], images: list[str], line: int) -> None:
        for problem in problems:
            self.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message,
                                               SourceSpan(self.path, line, 1)))
        self.images.extend(i for i in images if i not in self.images)

    def inline_text(self, text: str, line: int) -> tuple[Inline, ...]:
        tokens = (_doc_parser if self.path else _parser).parse(text)
        for token in tokens:
            token.map = [line - 1, line] if token.map else None
        inline = next((t for t in tokens if t.type == "inline"), None)
        return self.inlines(inline) if inline is not None else ()

    def parse_blocks(self, text: str, line: int) -> list[Block]:
        """Markdown text that starts at `line` of the source, as blocks (diagnostics placed right)."""
        tokens = (_doc_parser if self.path else _parser).parse(text)
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + line - 1, token.map[1] + line - 1]
        return self.blocks(tokens)


MARKDOWN_ANCHOR_LINK = re.compile(r"^\W*\[(?P<text>[^\]]{1,40})\]\(#[^)\s]*\)\W*$")


def _indented_link(code: str) -> bool:
    """An indented code block that is only a link to a place in the document (`**[⬆ Back to Top](#toc)**`
    indented by four spaces): a back-to-top link the author meant, not code."""
    lines = [x for x in code.splitlines() if x.strip()]
    match = MARKDOWN_ANCHOR_LINK.match(lines[0].strip()) if len(lines) == 1 else None
    return bool(match and BACK_TO_TOP.match(match["text"]))


def _without_trailing_links(code: str) -> str:
    """A code block's text without a back-to-top link that an unclosed fence swallowed."""
    lines = code.rstrip("\n").split("\n")
    while lines and (not lines[-1].strip() or _indented_link(lines[-1])):
        lines.pop()
    return "\n".join(lines) if lines else code.rstrip("\n")


REVEAL_SUMMARY = re.compile(r"<summary[^>]*>(.*?)</summary>", re.IGNORECASE | re.DOTALL)
CLOSE_LINE = re.compile(r"^\s*(?:</\w+>\s*)*</details>\s*$", re.IGNORECASE)
OPEN_DETAILS = re.compile(r"<details[\s>]", re.IGNORECASE)


def _own_form(units: list[Unit]) -> bool:
    """deckgen's own Markdown form: an optional `# Title` first, `## Section`s, and `### Question`s
    with every other block under a question."""
    headings = [u for u in units if u.kind == "heading"]
    if not any(u.level == 3 for u in headings) or any(u.level > 3 for u in headings):
        return False
    if sum(u.level == 1 for u in headings) > 1 or any(u.level == 1 for u in headings[1:]):
        return False
    if any(m.family in ("details", "label", "qa-markers", "list-heading") for u in units for m in u.marks):
        return False
    under = False
    for unit in units:
        if unit.kind == "heading":
            under = unit.level == 3
        elif not under and unit.kind != "meta":
            return False
    return True


def _section_title(unit: Unit, tokens: list[Token]) -> str:
    title, _ = strip_number(unit.text.strip()) if unit.kind == "heading" and NUMBERED_TITLE.match(unit.text) \
        else (unit.text.strip(), None)
    return title.rstrip(":").strip() or unit.text.strip()


NUMBERED_TITLE = re.compile(r"^\s*\d{1,3}[.)]\s+\D")


def _parse_meta(body: str) -> dict[str, str]:
    return {
        key.strip().lower(): value.strip()
        for key, _, value in (part.partition("=") for part in body.split())
        if key.strip()
    }


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the token that closes tokens[start] (same nesting level)."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _merge(runs: list[Inline]) -> tuple[Inline, ...]:
    """Adjacent runs of the same kind (and target) as one run."""
    merged: list[Inline] = []
    for run in runs:
        if merged and merged[-1].kind == run.kind and merged[-1].href == run.href and run.kind not in ("image", "math", "cloze"):
            merged[-1] = Inline(run.kind, merged[-1].text + run.text, run.href)
        else:
            merged.append(run)
    if merged and merged[-1].kind == "text":
        merged[-1] = Inline("text", merged[-1].text.rstrip())
        if not merged[-1].text:
            merged.pop()
    return tuple(merged)


def read_blocks(text: str, folder: Path | None = None) -> tuple[list[Block], list[Diagnostic], list[str]]:
    """The blocks of a card body written in Markdown (no headings), what was not kept (as
    diagnostics without a place), and the images it embeds (files in `folder`)."""
    reader = _Reader(text, "", "", folder)
    blocks = reader.blocks(reader.tokens)
    return blocks, reader.diagnostics, reader.images


def read_markdown(text: str, path: str, fallback_title: str, folder: Path | None = None,
                  question: str = "auto") -> Deck:
    deck = _Reader(text, path, fallback_title, folder).read(question)
    if question == "auto" and (not deck.cards or deck.coverage.share < 0.5):
        # Markdown is text too: a document pasted without Markdown's structure (`1):What is X`
        # lines in one paragraph) may read better line by line

        plain = read_structured(text, path, fallback_title)
        if len(plain.cards) > len(deck.cards) and plain.coverage.share > deck.coverage.share:
            return plain
    return deck


HTML_TAG = re.compile(r"^<(?P<close>/?)\s*(?P<name>[A-Za-z][A-Za-z0-9]*)")
HTML_ATTR = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
INLINE_MARKUP = re.compile(r"(?<!\\)(?:\*\*|__|\*|`)|<[^>]+>")


def _plain(inline: Token) -> str:
    """An inline token's words as plain text."""
    if inline.children is None:
        return inline.content
    parts = []
    for child in inline.children:
        if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "html_inline" and child.content.lower().startswith("<br"):
            parts.append(" ")
    return "".join(parts).strip()


def _plain_text(markdown: str) -> str:
    """A line of Markdown source as plain words (emphasis, code marks and tags taken out)."""
    return " ".join(INLINE_MARKUP.sub("", markdown).split())


def _first_line(inline: Token) -> tuple[str, tuple[int, ...] | None] | None:
    """A paragraph whose first line is all bold (`**What is X?**`), or a bold number and a
    question (`**12)** What is X?`): the question and its number; else None."""
    children = inline.children or []
    line: list[Token] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak") or (child.type == "html_inline" and child.content.lower().startswith("<br")):
            break
        line.append(child)
    depth, inside, outside = 0, [], []
    for child in line:
        if child.type == "strong_open":
            depth += 1
        elif child.type == "strong_close":
            depth -= 1
        elif child.type in ("text", "code_inline", "link_open", "link_close", "em_open", "em_close"):
            (inside if depth else outside).append(child.content)
    bold, rest = "".join(inside).strip(), "".join(outside).strip()
    if not bold:
        return None
    if not rest.strip(" :.?：？"):
        question, number = strip_number(bold + rest)
        return question, number
    number = re.fullmatch(r"(?:Q\s?)?(\d{1,4})\s*[.):]?", bold, re.IGNORECASE)
    if number and line and line[0].type in ("strong_open", "text") and not "".join(
            c.content for c in line[:1] if c.type == "text").strip():
        return rest, (int(number[1]),)
    return None


def _paragraph_chrome(inline: Token, text: str) -> str:
    """Why a paragraph is not content: a back-to-top link, badges; else ""."""
    children = inline.children or []
    links = [c for c in children if c.type == "link_open"]
    images = [c for c in children if c.type == "image" or (c.type == "html_inline" and c.content.lower().startswith("<img"))]
    words = " ".join(text.split())
    if links and len(words.split()) <= 6 and (BACK_TO_TOP.match(words) or (
            len(links) == 1 and str(links[0].attrs.get("href", "")).startswith("#") and BACK_TO_TOP.match(words))):
        return "back-to-top link"
    if words and BACK_TO_TOP.match(words) and len(words.split()) <= 4 and (links or "↑" in words or "⬆" in words):
        return "back-to-top link"
    if images and not "".join(c.content for c in children if c.type == "text").strip() and all(
            BADGE.search(str(c.attrs.get("src", "")) if c.type == "image" else c.content) for c in images):
        return "badges and images"
    return ""


# where the images of a README's badge row come from (a remote diagram in an answer is not one)
BADGE = re.compile(r"shields\.io|badge|travis-ci|circleci|codecov|coveralls|/workflows/|buymeacoffee|ko-fi|"
                   r"patreon|sponsor|gitter|discord|twitter\.com/|hits\.|visitor|star-history|app\.netlify",
                   re.IGNORECASE)


def _mostly_anchors(tokens: list[Token]) -> bool:
    """A list or table of links to places in the same document: a table of contents (most of
    its words are such links)."""
    inner = linked = total = 0
    for token in tokens:
        if token.type != "inline":
            continue
        anchor = False
        for child in token.children or []:
            if child.type == "link_open":
                anchor = str(child.attrs.get("href", "")).startswith("#")
                inner += anchor
            elif child.type == "link_close":
                anchor = False
            elif child.type in ("text", "code_inline"):
                words = len(child.content.split())
                total += words
                linked += words if anchor else 0
    return inner >= 3 and linked >= 0.5 * total


def _item_ranges(tokens: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) token indexes of a list's own items."""
    out, i = [], start + 1
    while i < end:
        if tokens[i].type == "list_item_open":
            close = _closing(tokens, i)
            out.append((i, close))
            i = close
        i += 1
    return out


def _children(tokens: list[Token], start: int, end: int) -> list[int]:
    """The indexes of the blocks directly inside tokens[start] (closed at `end`)."""
    out, i = [], start + 1
    while i < end:
        out.append(i)
        i = _closing(tokens, i) + 1 if tokens[i].nesting == 1 else i + 1
    return out


def _strip_runs(runs: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A question's runs without its number or label (`12.`, `Q12.`, `Q:`)."""
    if not runs or runs[0].kind not in ("text", "strong", "em"):
        return runs
    first = runs[0]
    text = LABEL_Q.sub("", first.text, count=1)
    if text == first.text and NUMBER.match(text):
        text = text[NUMBER.match(text).end():]
    stripped = text.lstrip() if text != first.text else text
    if stripped == first.text:
        return runs
    if not stripped:
        rest = runs[1:]
        if rest and rest[0].kind == "text":
            rest = (Inline("text", rest[0].text.lstrip()), *rest[1:])
        return rest
    return (dataclasses.replace(first, text=stripped), *runs[1:])


def _question_lines(lines: list[str], family: str) -> int:
    """How many of a paragraph's source lines are its question (the rest is its answer)."""
    if family in ("label", "qa-markers"):
        for k in range(1, len(lines)):
            if LABEL_A.match(lines[k]) or A_MARKER.match(lines[k]):
                return k
        return len(lines)
    return 1


def _strip_label(text: str, family: str) -> str:
    for pattern in (QA_MARKER, LABEL_Q):
        match = pattern.match(text)
        if match:
            return text[match.end():]
    return text


def _strip_answer_label(line: str) -> str:
    for pattern in (A_MARKER, LABEL_A):
        match = pattern.match(line)
        if match:
            return line[match.end():]
    return line


def _copy_without_summary(details):
    import copy

    element = copy.copy(details)
    summary = element.find("summary")
    if summary is not None:
        summary.decompose()
    return element
