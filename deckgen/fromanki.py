"""Anki's field HTML back into deckgen's records, beside convert.py which writes them as sources.

The way back goes through Markdown: the HTML (as deckgen wrote it, or as Anki's editor left it)
is turned into Markdown (htmlblocks.py), and that Markdown is read by deckgen's own Markdown reader,
so a pulled answer is exactly what the same text in a Markdown source would give. What the
records cannot hold (colours, underline, images pasted into Anki, headings, tables) is taken out
first and named, so the caller can say what was not pulled.
"""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.htmlblocks import fragment_markdown, markdown_blocks
from deckgen.model import Block, Inline, Inlines, Paragraph

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
# Tags whose content is code or markup, never text a person reads: dropped with what they hold.
DROPPED = {"script", "style", "template"}


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
    markdown, lost = to_markdown(html)
    blocks, problems, _ = markdown_blocks(markdown)
    lost += [d.message for d in problems]
    return FieldContent(blocks, tuple(sorted(set(lost))))


def to_markdown(html: str) -> tuple[str, list[str]]:
    """Markdown for a field's HTML, and the names of what had to be left out."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    lost: list[str] = []
    for element in soup.find_all(DROPPED):
        if not element.decomposed:  # one inside another is gone with it
            lost.append(f"<{element.name}>")
            element.decompose()
    for element in soup.find_all(["ol", "ul"], class_=["choices", "right-choices"]):
        element.decompose()  # a multiple-choice question's options: deckgen draws them from the source's
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
    return fragment_markdown(soup), lost
