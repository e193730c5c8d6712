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

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

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
from deckgen.readers.inline import clozes

META = re.compile(r"^<!--\s*deckgen:(?P<body>.*?)-->$", re.DOTALL)
EXTRA = re.compile(r"^<!--\s*deckgen:\s*extra\s*-->$")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")

# Formulas: \(...\) and \[...\] (texmath), $...$ and $$...$$ (dollarmath) with pandoc's rule for
# single dollars (no space inside either dollar, no digit after the closing one: "$5 and $10" is text).
_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False)
    .use(texmath_plugin, delimiters="brackets")
)
# Let every link through the parser so that an unsafe one is reported (DG301) and shown as
# text, rather than silently left as literal brackets.
_parser.validateLink = lambda url: True


class _Reader:
    def __init__(self, text: str, path: str, fallback_title: str, folder: Path | None):
        self.path, self.folder = path, folder
        self.tokens = _parser.parse(text)
        self.lines = text.split("\n")
        self.title = ""
        self.sections: list[tuple[str, SourceSpan | None, list[Card]]] = [("", None, [])]
        self.stray: list[Skipped] = []
        self.diagnostics: list[Diagnostic] = []
        self.images: list[str] = []
        self.fallback_title = fallback_title

    def span(self, token: Token) -> SourceSpan:
        line = token.map[0] + 1 if token.map else 1
        return SourceSpan(self.path, line, 1)

    def warn(self, code: str, message: str, token: Token) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, self.span(token)))

    # -- inline runs ------------------------------------------------------------------
    def inlines(self, token: Token) -> tuple[Inline, ...]:
        runs: list[Inline] = []
        strong = em = 0
        link: str | None = None
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
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.lower().startswith(SAFE_SCHEMES):
                    link = href
                else:
                    link = None
                    self.warn("DG301", f"link to '{href[:60]}' is not http, https or mailto; shown as text", token)
            elif kind == "link_close":
                link = None
            elif kind == "code_inline":
                runs.append(Inline("code", child.content))
            elif kind in ("math_inline", "math_inline_double"):
                runs.append(Inline("math", child.content.strip()))
            elif kind in ("softbreak", "hardbreak"):
                runs.append(Inline("text", " "))
            elif kind == "image":
                runs.append(self.image(child, token))
            elif kind == "text" and child.content:
                if link is not None:
                    runs.append(Inline("link", child.content, link))
                elif strong:
                    runs.append(Inline("strong", child.content))
                elif em:
                    runs.append(Inline("em", child.content))
                else:
                    runs.append(Inline("text", child.content))
        return tuple(piece for run in _merge(runs) for piece in clozes(run))

    def image(self, child: Token, token: Token) -> Inline:
        src = str(child.attrs.get("src", ""))
        alt = child.content or ""
        if self.folder is not None and "://" not in src and not src.startswith(("/", "data:")):
            target = (self.folder / src).resolve()
            inside = target.is_relative_to(self.folder.resolve())
            if inside and target.is_file() and target.suffix.lower() in IMAGE_SUFFIXES:
                relative = target.relative_to(self.folder.resolve()).as_posix()
                if relative not in self.images:
                    self.images.append(relative)
                return Inline("image", alt, relative)
        self.warn("DG302", f"image '{src[:60]}' is not an image file beside the source; not shown", token)
        return Inline("text", f"[{alt}]" if alt else "[image]")

    # -- blocks -------------------------------------------------------------------------
    def blocks(self, tokens: list[Token]) -> list[Block]:
        """Blocks from a flat token run (the body of a card or of a list item)."""
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "inline":
                out.append(Paragraph(self.inlines(token)))
            elif token.type in ("fence", "code_block"):
                language = token.info.strip().split(" ")[0] if token.info else ""
                out.append(CodeBlock(token.content.rstrip("\n"), language))
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

    # -- document -------------------------------------------------------------------------
    def read(self) -> Deck:
        tokens = self.tokens
        i = 0
        card_start: tuple[Token, Token] | None = None  # heading_open, inline
        body: list[Token] = []

        def finish() -> None:
            if card_start is not None:
                self.sections[-1][2].append(self.card(card_start, body))

        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open" and token.tag in ("h1", "h2", "h3"):
                inline = tokens[i + 1]
                if token.tag == "h3":
                    finish()
                    card_start, body = (token, inline), []
                else:
                    finish()
                    card_start, body = None, []
                    text = "".join(r.text for r in self.inlines(inline)).strip()
                    if token.tag == "h1" and not self.title:
                        self.title = text
                    elif token.tag == "h1":
                        self.stray.append(Skipped(self.span(token), text, "a second title"))
                    else:
                        self.sections.append((text, self.span(token), []))
                i += 3
                continue
            if card_start is not None:
                body.append(token)
            elif token.type == "inline" or token.type in ("fence", "code_block"):
                text = token.content.strip().splitlines()[0] if token.content.strip() else ""
                self.stray.append(Skipped(self.span(token), text, "text outside any card"))
            i += 1
        finish()
        sections = tuple(
            Section(name, where, tuple(cards)) for name, where, cards in self.sections if cards or name
        )
        return Deck(
            title=self.title or self.fallback_title, source=self.path, sections=sections,
            shape="markdown", stray=tuple(self.stray), images=tuple(self.images),
            diagnostics=tuple(self.diagnostics),
        )

    def card(self, start: tuple[Token, Token], body: list[Token]) -> Card:
        heading, inline = start
        meta: dict[str, str] = {}
        end = max((t.map[1] for t in body if t.map), default=heading.map[1] if heading.map else 0)
        while end > 1 and end <= len(self.lines) and not self.lines[end - 1].strip():
            end -= 1  # a list's range takes in the blank lines after it
        first = body[1].content.strip() if len(body) >= 3 and body[0].type == "paragraph_open" else ""
        if META.match(first) and not EXTRA.match(first):
            meta = _parse_meta(META.match(first)["body"])
            body = body[3:]
        extra_at = next((k for k in range(len(body) - 2) if body[k].type == "paragraph_open"
                         and body[k].level == 0 and EXTRA.match(body[k + 1].content.strip())), None)
        extra_tokens = body[extra_at + 3:] if extra_at is not None else []
        body = body[:extra_at] if extra_at is not None else body
        # a card is numbered by its place in the document unless it says otherwise
        number = sum(len(cards) for _, _, cards in self.sections) + 1
        if meta.get("number", "").isdigit():
            number = int(meta["number"])
        blocks = self.blocks(body)
        extra = self.blocks(extra_tokens)
        return Card(
            number=number,
            question=self.inlines(inline),
            answer=tuple(blocks),
            section=self.sections[-1][0],
            span=self.span(heading),
            answer_span=self.span(body[0]) if body else self.span(heading),
            answer_number=number,
            tags=tuple(t for t in meta.get("tags", "").split(",") if t),
            explicit_id=meta.get("id", ""),
            extra=tuple(extra),
            disabled_rules=tuple(c for c in meta.get("disable", "").split(",") if c),
            end=end,
            reverse="reverse" in meta and meta["reverse"].lower() not in ("false", "no", "0"),
        )


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


def read_markdown(text: str, path: str, fallback_title: str, folder: Path | None = None) -> Deck:
    return _Reader(text, path, fallback_title, folder).read()
