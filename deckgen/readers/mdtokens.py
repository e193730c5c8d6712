"""markdown-it for deckgen's Markdown reader: the parsers, and reading their token stream.

Contract: `parser_for(path)` is the parser a text is read with (a document, `path` set: raw HTML
on; a fragment such as an Anki field turned into Markdown: raw HTML off, `<` is text). Both read
CommonMark with tables and formulas, take a heading's trailing attribute block (`{#id .class}`)
off its text, read a raw HTML block that is a heading element (`<h3 name="x">Q?</h3>`, as GitHub
shows it) as a heading, and never nest deeper than FLAT_LEVEL: from there on, lists
and quotes are read as flat paragraphs whose inline token carries `meta["flattened"]` (the reader
warns about it, DG022). The helpers below only read tokens: where a container closes, a list's
items, a block's children, an inline token's words; none of them changes a token.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

if TYPE_CHECKING:
    from bs4 import BeautifulSoup  # loaded only when a document holds raw HTML


# A heading's trailing attribute block, as Pandoc, kramdown, Goldmark and Hugo write it
# (`### What is X? {#what-is-x .faq}`): ids, classes and key=value pairs only, after a space.
# Braces that hold anything else (`{#each items as item}`, `{1, 2}`), or that do not start with an
# #id (`{.b}`, `{x=1}`: a selector, a set), are the heading's words. A lone `{#word}` is taken as an
# id, as Pandoc takes it (Svelte's `{#if}` ending a heading is lost so).
_ATTRIBUTE = r"(?:#[^\s{}#.=\"']+|\.[^\s{}#.=\"']+|[A-Za-z_][\w.:-]*=(?:\"[^\"]*\"|'[^']*'|[^\s{}\"']+)|-)"
HEADING_ATTRIBUTES = re.compile(rf"[ \t]+\{{[ \t]*{_ATTRIBUTE}(?:[ \t]+{_ATTRIBUTE})*[ \t]*\}}[ \t]*$")


def _heading_attributes(state) -> None:
    """Take a trailing attribute block off each heading's text before its words are parsed; its
    `#id` becomes the heading's id."""
    tokens = state.tokens
    for k, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or tokens[k + 1].type != "inline":
            continue
        inline = tokens[k + 1]
        match = HEADING_ATTRIBUTES.search(inline.content)
        if match is None or not inline.content[:match.start()].strip() \
                or not re.search(r"\{[ \t]*#", match.group()):
            continue  # a block without an #id first (`{.b}`, `{x=1}`) is rather the heading's words
        inline.content = inline.content[:match.start()].rstrip()
        ident = re.search(r"(?:^|\s)#([^\s}]+)", match.group().strip()[1:-1])
        if ident:
            token.attrSet("id", ident[1])


# A raw HTML block that starts with a heading element: `<h3 name="config">`, its words on the
# same or the following lines, `</h3>`. GitHub shows it as a heading, and so is it read.
HTML_HEADING = re.compile(r"\A\s*<(h[1-6])(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?>(?P<inner>.*?)</\1\s*>",
                          re.IGNORECASE | re.DOTALL)  # an attribute's quoted value may hold `>`
HTML_TAG_OR_TEXT = re.compile(r"<[^>]*>|[^<]+|<")


def _heading_children(inner: str) -> list[Token]:
    """A heading element's inner HTML as an inline token's children: its tags as inline HTML
    (`<code>`, `<b>`, `<br>` keep their meaning), its text as text (not Markdown: GitHub does not
    read Markdown inside an HTML block)."""
    out = []
    for piece in HTML_TAG_OR_TEXT.findall(" ".join(inner.split())):
        if piece.startswith("<") and piece.endswith(">"):
            out.append(Token("html_inline", "", 0, content=piece))
        else:
            out.append(Token("text", "", 0, content=html.unescape(piece)))
    return out


def _html_headings(state) -> None:
    """Each raw HTML block that starts with a heading element with words becomes that heading
    (its `id` or `name` the heading's id); what follows it in the block stays raw HTML."""
    tokens = []
    for token in state.tokens:
        match = HTML_HEADING.match(token.content) if token.type == "html_block" else None
        inner = _heading_children(match["inner"].strip()) if match else []
        words = " ".join("".join(t.content for t in inner if t.type == "text").split())
        if match is None or not words:
            tokens.append(token)
            continue
        tag = match[1].lower()
        start, stop = token.map or (0, 0)
        last = start + token.content[:match.end()].count("\n")  # the heading's last line (0-based)
        opening = Token("heading_open", tag, 1, map=[start, last + 1], level=token.level, block=True)
        opening.markup = "#" * int(tag[1])
        ident = re.search(r"""\s(?:id|name)\s*=\s*["']?([^"'\s>]+)""", match[0][:match[0].index(">")])
        if ident:
            opening.attrSet("id", ident[1])
        inline = Token("inline", "", 0, map=[start, last + 1], level=token.level + 1, content=words, children=inner)
        closing_ = Token("heading_close", tag, -1, level=token.level, block=True, markup=opening.markup)
        tokens += [opening, inline, closing_]
        rest = token.content[match.end():]
        if rest.strip():
            after = last + rest.lstrip(" \t").startswith("\n")  # the line it starts on
            remainder = Token("html_block", "", 0, map=[after, max(stop, after + 1)], level=token.level,
                              block=True, content=rest.lstrip(" \t").removeprefix("\n"))
            tokens.append(remainder)
    state.tokens = tokens


def markdown_parser(html: bool) -> MarkdownIt:
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
    parser.core.ruler.before("inline", "heading_attributes", _heading_attributes)
    # after the inline rule: the children made here are not read as Markdown
    parser.core.ruler.after("inline", "html_headings", _html_headings)
    parser.validateLink = lambda url: True
    return parser


# Documents people write for GitHub hold raw HTML (accordions, line breaks, badges): a document is
# read with HTML on, and its HTML read by the HTML reader's parser. Fragments (Anki's fields, turned
# into Markdown) keep it off: there `<` is text.
FRAGMENT_PARSER = markdown_parser(html=False)
DOCUMENT_PARSER = markdown_parser(html=True)


def parser_for(path: str) -> MarkdownIt:
    """The parser for a document read from `path`; for a fragment (no path), the one without HTML."""
    return DOCUMENT_PARSER if path else FRAGMENT_PARSER


# Lists and quotes inside each other: markdown-it drops whatever lies deeper than its nesting limit
# (a list's tenth level and, worse, everything after it in the enclosing list; a quote's twentieth).
# From that depth on, the text is read as plain paragraphs instead (markers taken off, one
# paragraph per item or quote line) and the reader warns, naming the line (DG022).
FLAT_LEVEL = 20  # nine lists or nineteen quotes inside each other keep their structure
FLAT_MARKERS = re.compile(r"^(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+[ \t]*")


def _container_end(state, start: int, end: int) -> int:
    """The line after the last one the container at `start` holds (up to the enclosing list's next item)."""
    line, last = start, start + 1
    while line < end:
        if not state.isEmpty(line):
            if 0 <= state.sCount[line] < state.blkIndent:
                break  # the enclosing list's next item
            last = line + 1
        line += 1
    return last


def _flat_paragraphs(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """Lines of nested lists and quotes as (first line, words per line) paragraphs: markers taken
    off; a blank line (or a bare `>`) ends a paragraph and a list item starts one."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: tuple[int, list[str]] | None = None
    for offset, text in enumerate(lines):
        marker = FLAT_MARKERS.match(text)
        words = (text[marker.end():] if marker else text).strip()
        if not words:
            current = None
            continue
        if current is None or (marker and marker[0].strip(" \t>")):
            current = (start + offset, [])
            paragraphs.append(current)
        current[1].append(words)
    return paragraphs


def _flatten_deep(state, start: int, end: int, silent: bool) -> bool:
    """A block rule tried first: below FLAT_LEVEL it does nothing; at it, it takes the lines this
    container holds as flat paragraphs, so nothing deeper reaches markdown-it's nesting limit."""
    if silent or state.level < FLAT_LEVEL:
        return False
    last = _container_end(state, start, end)
    lines = state.getLines(start, last, state.blkIndent, False).split("\n")
    for first, words in _flat_paragraphs(lines, start):
        where = [first, first + len(words)]
        state.push("paragraph_open", "p", 1).map = where
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = "\n".join(words), where, []
        inline.meta = {"flattened": True}
        state.push("paragraph_close", "p", -1)
    state.line = last
    return True


for _md in (FRAGMENT_PARSER, DOCUMENT_PARSER):
    _md.options["maxNesting"] = FLAT_LEVEL + 1
    _md.block.ruler.before(_md.block.ruler.get_all_rules()[0], "flatten_deep", _flatten_deep)


# -- reading tokens ----------------------------------------------------------------------------
def closing(tokens: list[Token], start: int) -> int:
    """Index of the token that closes tokens[start] (same nesting level)."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def item_ranges(tokens: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) token indexes of a list's own items."""
    out, i = [], start + 1
    while i < end:
        if tokens[i].type == "list_item_open":
            close = closing(tokens, i)
            out.append((i, close))
            i = close
        i += 1
    return out


def children(tokens: list[Token], start: int, end: int) -> list[int]:
    """The indexes of the blocks directly inside tokens[start] (closed at `end`)."""
    out, i = [], start + 1
    while i < end:
        out.append(i)
        i = closing(tokens, i) + 1 if tokens[i].nesting == 1 else i + 1
    return out


def inline_words(tokens: list[Token]) -> str:
    """The words of every inline token in a run, one space between tokens."""
    return " ".join(plain(t) for t in tokens if t.type == "inline")


def is_line_break(child: Token) -> bool:
    """A soft or hard break, or an inline `<br>`."""
    return child.type in ("softbreak", "hardbreak") or (
        child.type == "html_inline" and child.content.lower().startswith("<br"))


_WORDS = ("text", "code_inline", "math_inline", "math_inline_double", "image")


def plain(inline: Token) -> str:
    """An inline token's words as plain text."""
    if inline.children is None:
        return inline.content
    parts = []
    for child in inline.children:
        if child.type in _WORDS:
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "html_inline" and child.content.lower().startswith("<br"):
            parts.append(" ")
    return "".join(parts).strip()


INLINE_MARKUP = re.compile(r"(?<!\\)(?:\*\*|__|\*|`)|<[^>]+>")


def plain_text(markdown: str) -> str:
    """A line of Markdown source as plain words (emphasis, code marks and tags taken out)."""
    return " ".join(INLINE_MARKUP.sub("", markdown).split())


def inline_html_tags(inline: Token) -> list[str]:
    """The raw HTML tags inside an inline token, lower-cased."""
    return [c.content.lower() for c in inline.children or [] if c.type == "html_inline"]


def html_soup(html: str) -> BeautifulSoup:
    """A raw HTML block parsed, without its scripts, styles and templates."""
    from bs4 import BeautifulSoup  # a heavy library, loaded only for a document with raw HTML

    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(["script", "style", "template"]):
        element.decompose()
    return soup
