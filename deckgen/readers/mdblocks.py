"""markdown-it block tokens -> the card model's blocks (a card's answer, a list item's body).

Contract: `BlockReader.blocks(tokens)` reads a flat run of block tokens into Paragraphs, lists,
tables, code and formulas; a heading inside an answer becomes a bold paragraph, raw HTML is read
by the HTML reader (accordions' "Show answer" summaries dropped), comments and back-to-top links
are left out. `parse_blocks` and `inline_text` parse Markdown source that starts on a given line
of the document first. Everything left out or not kept is reported to the document's Findings,
placed on its line: lists and quotes nested too deep (DG022, once per run read), and what the
inline and HTML readers report.
"""

from __future__ import annotations

from markdown_it.token import Token

from deckgen.htmlblocks import html_blocks
from deckgen.model import Block, CodeBlock, Inline, ListBlock, MathBlock, Paragraph, TableBlock
from deckgen.readers.mdchrome import indented_link, paragraph_chrome, without_trailing_links
from deckgen.readers.mdfindings import Findings
from deckgen.readers.mdinline import InlineReader
from deckgen.readers.mdtokens import closing, html_soup, parser_for, plain
from deckgen.readers.structure import is_reveal

LIST_OPENINGS = ("bullet_list_open", "ordered_list_open")


class BlockReader:
    def __init__(self, findings: Findings):
        self.findings = findings
        self.inline = InlineReader(findings)
        self.depth = 0  # blocks() calls under way (lists inside lists)
        self.flattened: Token | None = None  # the first too-deep paragraph of the run being read

    def blocks(self, tokens: list[Token]) -> list[Block]:
        """Blocks from a flat token run (the body of a card or of a list item); lists and quotes
        nested too deep to keep their structure are warned about once per run (DG022)."""
        self.depth += 1
        try:
            out = self._blocks_of(tokens)
        finally:
            self.depth -= 1
        if not self.depth and self.flattened is not None:
            self.findings.warn("DG022", "lists nested more than 9 deep or quotes more than 19: from this line on "
                               "their text is read as plain paragraphs", self.flattened)
            self.flattened = None
        return out

    def _blocks_of(self, tokens: list[Token]) -> list[Block]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            made, i = self._blocks_at(tokens, i)
            out.extend(made)
        return out

    def _blocks_at(self, tokens: list[Token], i: int) -> tuple[list[Block], int]:
        """The blocks the tokens from tokens[i] make, and the index after the last token read."""
        token = tokens[i]
        if token.type == "heading_open" and i + 1 < len(tokens):
            return self._sub_heading(tokens[i + 1]), i + 3
        if token.type == "table_open" or token.type in LIST_OPENINGS:
            end = closing(tokens, i)
            read = self.table if token.type == "table_open" else self.list_block
            return [read(tokens[i:end + 1])], end + 1
        return self._leaf_blocks(token), i + 1

    def _sub_heading(self, inline: Token) -> list[Block]:
        """An answer's own sub-heading: a bold line of the answer."""
        runs = tuple(Inline("strong", r.text) if r.kind == "text" else r for r in self.inline.runs(inline))
        return [Paragraph(runs)] if runs else []

    def _leaf_blocks(self, token: Token) -> list[Block]:
        """A token that is a block of its own (or is not one: an opening or closing tag, a comment)."""
        if token.type == "inline":
            return self._paragraph(token)
        if token.type == "html_block" and not token.content.strip().startswith("<!--"):
            return self._raw_html(token)
        if token.type in ("fence", "code_block"):
            return self._code(token)
        if token.type in ("math_block", "math_block_eqno") and token.content.strip():
            return [MathBlock(token.content.strip())]
        return []

    def _paragraph(self, token: Token) -> list[Block]:
        if token.meta.get("flattened") and self.flattened is None:
            self.flattened = token
        if paragraph_chrome(token, plain(token)) == "back-to-top link":
            return []
        return [Paragraph(self.inline.runs(token))]

    def _raw_html(self, token: Token) -> list[Block]:
        soup = html_soup(token.content)
        for summary in soup.find_all("summary"):
            if is_reveal(summary.get_text(" ")):
                summary.decompose()
        made, problems, images = html_blocks(soup, self.findings.folder)
        self.findings.adopt(problems, images, self.findings.span(token).line)
        return list(made)

    def _code(self, token: Token) -> list[Block]:
        if token.type == "code_block" and indented_link(token.content):
            return []  # a back-to-top link indented four spaces by mistake
        language = token.info.strip().split(" ")[0] if token.info else ""
        return [CodeBlock(without_trailing_links(token.content), language)]

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
                cells.append(self.inline.runs(tokens[k + 1]))
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
                end = closing(tokens, i)
                items.append(tuple(self.blocks(tokens[i + 1 : end])))
                i = end
            i += 1
        return ListBlock(tuple(items), ordered=ordered, start=start)

    # -- Markdown source inside the document ------------------------------------------------
    def inline_text(self, text: str, line: int) -> tuple[Inline, ...]:
        """A line of Markdown source (on `line` of the document) as runs."""
        tokens = parser_for(self.findings.path).parse(text)
        for token in tokens:
            token.map = [line - 1, line] if token.map else None
        inline = next((t for t in tokens if t.type == "inline"), None)
        return self.inline.runs(inline) if inline is not None else ()

    def parse_blocks(self, text: str, line: int) -> list[Block]:
        """Markdown text that starts at `line` of the source, as blocks (diagnostics placed right)."""
        tokens = parser_for(self.findings.path).parse(text)
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + line - 1, token.map[1] + line - 1]
        return self.blocks(tokens)
