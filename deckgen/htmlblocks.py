"""HTML fragments as Markdown that deckgen's Markdown reader reads back into records: the shared
way from HTML (Anki's fields, saved web pages) to cards. markdownify does the conversion, with the
escapes deckgen's reader needs (`$` for formulas, brackets as entities) and a line break read as
a paragraph break (deckgen has no line breaks inside a paragraph)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from markdownify import MarkdownConverter

from deckgen.model import Block, Diagnostic, Inlines, ListBlock, Paragraph, TableBlock
from deckgen.readers.inline import paragraph_block, text_runs


def html_blocks(soup, folder: Path | None = None) -> tuple[tuple[Block, ...], list[Diagnostic], list[str]]:
    """A BeautifulSoup tree or tag as answer blocks, with what was not kept (diagnostics without
    a place yet) and the images it embeds (files in `folder`)."""
    return markdown_blocks(fragment_markdown(soup), folder)


def markdown_blocks(markdown: str, folder: Path | None = None) -> tuple[tuple[Block, ...], list[Diagnostic], list[str]]:
    """Markdown converted from HTML, read by deckgen's reader; TeX delimiters and clozes that
    the HTML held as text become formulas and clozes."""
    from deckgen.readers.markdown import read_blocks

    blocks, problems, images = read_blocks(markdown, folder)
    return tuple(_special(b) for b in blocks), problems, images


def fragment_markdown(soup) -> str:
    """Markdown for a BeautifulSoup tree or tag (it is not changed)."""
    converter = _Converter(heading_style="ATX", bullets="-", escape_misc=True, escape_asterisks=True,
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
