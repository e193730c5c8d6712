"""HTML fragments as Markdown that deckgen's Markdown reader reads back into records: the shared
way from HTML (Anki's fields, saved web pages) to cards. markdownify does the conversion, with the
escapes deckgen's reader needs (`$` for formulas, brackets as entities) and a line break read as
a paragraph break (deckgen has no line breaks inside a paragraph)."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

from deckgen.model import Block, Diagnostic, Inlines, ListBlock, Paragraph, SourceSpan, TableBlock
from deckgen.readers.inline import paragraph_block, text_runs

# Elements inside each other: a page (or a field) may nest MAX_DEPTH deep and is read as it is;
# from there on its containers (div, table, list...) are left out and only headings, paragraphs
# and inline markup are kept (a few levels more); lists and quotes keep at most MAX_INDENT levels
# (each level indents every line below it once more). So a page of 10,000 nested <div>s, tables,
# lists or unclosed tags reads in linear time without exhausting Python's stack, and every word of
# it is kept.
MAX_DEPTH = 64
MAX_KEPT_DEPTH = MAX_DEPTH + 8
DEEP_KEPT = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "pre", "code", "dt", "summary", "a", "b", "strong", "i", "em"}
# Markdown keeps nine lists or nineteen quotes inside each other (readers/markdown.py FLAT_LEVEL):
# a list counts twice, a quote once
MAX_INDENT = 19
NESTED_TOO_DEEP = f"HTML nested more than {MAX_DEPTH} elements, 9 lists or 19 quotes deep"
INDENTING = {"li": 2, "dd": 2, "blockquote": 1}
INLINE = {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
          "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var"}


def parse_html(markup: str) -> BeautifulSoup:
    """`markup` parsed by html.parser, nested no deeper than MAX_KEPT_DEPTH; the soup's
    `flattened` is the source line of the first element left out for its depth (else 0)."""
    classes = _soup_classes()
    return classes.Shallow(markup, builder=classes.Builder())


class _Closed(Counter):
    """The void elements html.parser has closed (bs4 keeps a list, searched at every end tag:
    10,000 <br>s and 10,000 </p>s took minutes), as counts."""

    def append(self, name: str) -> None:
        self[name] += 1

    def remove(self, name: str) -> None:
        self[name] -= 1
        if self[name] <= 0:
            del self[name]


@functools.lru_cache(maxsize=1)
def _soup_classes() -> SimpleNamespace:
    """BeautifulSoup and markdownify with deckgen's subclasses, loaded when HTML is first read: a
    Markdown source without raw HTML (and a deck built from text) never loads them."""
    from bs4 import BeautifulSoup
    from bs4.builder import HTMLParserTreeBuilder
    from bs4.builder._htmlparser import BeautifulSoupHTMLParser
    from markdownify import MarkdownConverter

    class _Shallow(BeautifulSoup):
        """BeautifulSoup that leaves out start and end tags nested too deep (never their text)."""

        def reset(self) -> None:
            super().reset()
            self.flattened = 0
            self.left_out: dict[str, int] = {}  # tags left out and not closed yet, by name

        def handle_starttag(self, name, namespace, nsprefix, attrs, sourceline=None, sourcepos=None, namespaces=None):
            level = len(self.tagStack)
            if not self.builder.can_be_empty_element(name) and (
                    (level > MAX_DEPTH and (level > MAX_KEPT_DEPTH or name not in DEEP_KEPT))
                    or (name in INDENTING and INDENTING[name] + sum(
                        self.open_tag_counter[n] * weight for n, weight in INDENTING.items()) > MAX_INDENT)):
                self.flattened = self.flattened or sourceline or 1
                self.left_out[name] = self.left_out.get(name, 0) + 1
                if name not in INLINE:
                    self.handle_data("\n")  # a block's words do not run into the next block's
                return None
            return super().handle_starttag(name, namespace, nsprefix, attrs, sourceline, sourcepos, namespaces)

        def handle_endtag(self, name, nsprefix=None) -> None:
            if self.left_out.get(name):
                self.left_out[name] -= 1
                if name not in INLINE:
                    self.handle_data("\n")
                return
            super().handle_endtag(name, nsprefix)

    class _Parser(BeautifulSoupHTMLParser):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.already_closed_empty_element = _Closed()

    class _Builder(HTMLParserTreeBuilder):
        def feed(self, markup, _parser_class=_Parser) -> None:
            super().feed(markup, _parser_class)

    class _Converter(MarkdownConverter):
        """markdownify, with a line break read as a paragraph break: deckgen has no line breaks inside
        a paragraph, and pressing Enter in Anki's editor is how people start a new one."""

        def escape(self, text, parent_tags):
            """markdownify's escapes, and those of the syntax deckgen's reader adds: `$` (formulas)
            and brackets as entities (`\\[` would open a displayed formula)."""
            text = super().escape(text, parent_tags)
            if not text or "_inline" in parent_tags or "pre" in parent_tags or "code" in parent_tags:
                return text
            text = text.replace("$", "\\$")
            return re.sub(r"\\([\[\]])", lambda m: "&#91;" if m[1] == "[" else "&#93;", text)

        def convert_img(self, el, text, parent_tags):
            """markdownify's image, its address written so that any name survives: a saved page's
            `src="my diagram.png"` (a raw space) made `![](my diagram.png)`, which is no image."""
            out = super().convert_img(el, text, parent_tags)
            if not out.startswith("!["):
                return out  # an image inside a heading: its alt text
            alt = str(el.attrs.get("alt", None) or "")
            title = str(el.attrs.get("title", None) or "")
            quoted = " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"')
            title_part = f' "{quoted}"' if title else ""
            return f"![{_label(alt)}]({destination(str(el.attrs.get('src', None) or ''))}{title_part})"

        def convert_a(self, el, text, parent_tags):
            """markdownify's link, its address written as convert_img writes an image's."""
            out = super().convert_a(el, text, parent_tags)
            href = el.get("href")
            if href and destination(href) != href:
                out = out.replace(f"]({href}", f"]({destination(href)}", 1)
            return out

        def convert_br(self, el, text, parent_tags):
            if "pre" in parent_tags:
                return "\n"
            return "\n\n"

        def convert_li(self, el, text, parent_tags):
            """Two lists in a row would merge into one in Markdown unless the second one uses
            another marker (as convert.py writes them)."""
            out = super().convert_li(el, text, parent_tags)
            parent = el.parent
            run = 0  # lists of the same kind right before this one
            before = parent.find_previous_sibling(True) if parent is not None else None
            while before is not None and before.name == parent.name:
                run += 1
                before = before.find_previous_sibling(True)
            if run % 2 == 0 or not out.strip():
                return out
            if parent.name == "ul":
                return out.replace("- ", "* ", 1)
            number, dot, rest = out.partition(". ")
            return f"{number}) {rest}" if dot and number.isdigit() else out

    return SimpleNamespace(Shallow=_Shallow, Builder=_Builder, Converter=_Converter)


def depth(tree) -> int:
    """How many elements deep `tree` goes (counted without recursion)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in getattr(node, "contents", ()) if hasattr(child, "contents"))
    return deepest


def html_blocks(soup, folder: Path | None = None) -> tuple[tuple[Block, ...], list[Diagnostic], list[str]]:
    """A BeautifulSoup tree or tag as answer blocks, with what was not kept (diagnostics without
    a place yet) and the images it embeds (files in `folder`). A tree nested deeper than
    MAX_DEPTH is read flattened, with a warning (DG022)."""
    flattened: list[Diagnostic] = []
    if depth(soup) > MAX_KEPT_DEPTH:
        soup = parse_html(str(soup))

        flattened.append(Diagnostic("warning", "DG022", f"{NESTED_TOO_DEEP}: read flattened (the deepest "
                                    f"lists, tables and blocks as plain text)", SourceSpan("", 1)))
    blocks, problems, images = markdown_blocks(fragment_markdown(soup), folder)
    return blocks, flattened + problems, images


def markdown_blocks(markdown: str, folder: Path | None = None) -> tuple[tuple[Block, ...], list[Diagnostic], list[str]]:
    """Markdown converted from HTML, read by deckgen's reader; TeX delimiters and clozes that
    the HTML held as text become formulas and clozes."""
    from deckgen.readers.markdown import read_blocks  # a cycle: the Markdown reader reads raw HTML here

    blocks, problems, images = read_blocks(markdown, folder)
    return tuple(_special(b) for b in blocks), problems, images


def fragment_markdown(soup) -> str:
    """Markdown for a BeautifulSoup tree or tag (it is not changed)."""
    converter = _soup_classes().Converter(heading_style="ATX", bullets="-", escape_misc=True, escape_asterisks=True,
                           escape_underscores=True, code_language_callback=_language)
    return converter.convert_soup(soup).strip() + "\n"


def _language(element) -> str:
    """A code block's language from `class="language-x"` (or `lang-x`) on its <code> or <pre>."""
    code = element.find("code")
    for tag in (code, element):
        for cls in (tag.get("class") or []) if tag is not None else []:
            for prefix in ("language-", "lang-"):
                if cls.startswith(prefix) and len(cls) > len(prefix):
                    return cls.removeprefix(prefix)
    return ""


def destination(url: str) -> str:
    """A link's or image's address as a Markdown destination: as it is when it can be, else in
    angle brackets (spaces, parentheses) with `<`, `>` and backslashes escaped; the line breaks
    and tabs an HTML attribute may hold are dropped, as browsers drop them."""
    url = re.sub(r"[\t\r\n]", "", url).strip()
    if url and not re.search(r"[\s<>()\\]|^$", url):
        return url
    return "<" + re.sub(r"([<>\\])", r"\\\1", url) + ">"


def _label(text: str) -> str:
    """Alt text as an image's label: brackets as entities (`\\[` would open a displayed formula)."""
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("[", "&#91;").replace("]", "&#93;")


def _special(block: Block) -> Block:
    """Formulas (`\\(...\\)`, `\\[...\\]`) and clozes in Anki's text as the records hold them."""
    if isinstance(block, Paragraph):
        if len(block.inlines) == 1 and block.inlines[0].kind == "text":
            alone = paragraph_block(block.inlines[0].text)
            if alone is not None:
                return alone
        return Paragraph(_runs(block.inlines))
    if isinstance(block, ListBlock):
        return dataclasses.replace(block, items=tuple(tuple(_special(b) for b in item) for item in block.items))
    if isinstance(block, TableBlock):
        return dataclasses.replace(block, header=tuple(_runs(c) for c in block.header),
                                   rows=tuple(tuple(_runs(c) for c in row) for row in block.rows))
    return block


def _runs(runs: Inlines) -> Inlines:
    return tuple(piece for run in runs for piece in (text_runs(run.text) if run.kind == "text" else (run,)))
