"""Anki's field HTML back into deckgen's records, beside convert.py which writes them as sources.

The way back goes through Markdown: the HTML (as deckgen wrote it, or as Anki's editor left it)
is turned into Markdown by markdownify, and that Markdown is read by deckgen's own Markdown reader,
so a pulled answer is exactly what the same text in a Markdown source would give. What the
records cannot hold (colours, underline, images pasted into Anki, headings, tables) is taken out
first and named, so the caller can say what was not pulled.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from markdownify import MarkdownConverter

from deckgen.model import Block, Inline, Inlines, ListBlock, Paragraph, TableBlock
from deckgen.readers.inline import paragraph_block, text_runs

# Tags whose meaning the records keep (the tags deckgen writes, and what Anki's editor makes of them).
KEPT = {"p", "div", "br", "ul", "ol", "li", "strong", "b", "em", "i", "code", "pre", "a",
        "table", "thead", "tbody", "tr", "th", "td"}
# Tags whose text is kept but whose look is not, with the name a person knows them by.
LOOKS = {
    "span": "colour or styling", "font": "colour or styling", "u": "underline",
    "sup": "superscript", "sub": "subscript", "s": "strike-through", "strike": "strike-through",
    "del": "strike-through", "mark": "highlight", "small": "small text", "big": "big text",
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading",
    "h6": "heading", "blockquote": "quote", "hr": "horizontal rule", "img": "image",
}
BLOCKISH = {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr"}


@dataclass(frozen=True)
class FieldContent:
    """A field read back: its blocks, and what Anki held that they cannot."""

    blocks: tuple[Block, ...]
    lost: tuple[str, ...] = ()

    @property
    def inlines(self) -> Inlines:
        """The blocks as one run of inlines (a question is one line)."""
        runs: list[Inline] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                if runs:
                    runs.append(Inline("text", " "))
                runs.extend(block.inlines)
        return tuple(runs)


def read_field(html: str) -> FieldContent:
    """An Anki field's HTML as answer blocks."""
    from deckgen.readers.markdown import read_blocks

    markdown, lost = to_markdown(html)
    blocks, problems = read_blocks(markdown)
    return FieldContent(tuple(_special(b) for b in blocks), tuple(sorted(set(lost) | set(problems))))


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


def to_markdown(html: str) -> tuple[str, list[str]]:
    """Markdown for a field's HTML, and the names of what had to be left out."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    lost: list[str] = []
    for element in list(soup.find_all(True)):
        name = element.name
        if name == "span" and any(c.startswith("hl-") for c in element.get("class") or []):
            element.unwrap()  # deckgen's own code highlighting
            continue
        if name not in KEPT:
            lost.append(LOOKS.get(name, f"<{name}>"))
            if name in ("img", "hr"):
                element.decompose()
            elif name in BLOCKISH:
                element.name = "p"  # keep the text as its own paragraph
                element.attrs = {}
            else:
                element.unwrap()
            continue
        style = str(element.attrs.get("style", ""))
        if style and not (name in ("th", "td") and style.replace(" ", "").startswith("text-align:")
                          and ";" not in style.strip().rstrip(";")):
            lost.append("colour or styling")
        if name == "a" and not str(element.get("href", "")).lower().startswith(("http://", "https://", "mailto:")):
            lost.append("link that is not http, https or mailto")
            element.unwrap()
    for text in soup.find_all(string=True):
        if "\xa0" in text and text.find_parent("pre") is None:  # Anki's editor types &nbsp; for spaces
            text.replace_with(NavigableString(text.replace("\xa0", " ")))
    markdown = _Converter(heading_style="ATX", bullets="-", escape_misc=True, escape_asterisks=True,
                          escape_underscores=True, code_language_callback=_language).convert_soup(soup)
    return markdown.strip() + "\n", lost


def _language(element) -> str:
    code = element.find("code")
    for cls in (code.get("class") or []) if code is not None else []:
        if cls.startswith("language-"):
            return cls.removeprefix("language-")
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
