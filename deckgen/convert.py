"""Write records in the source forms, so that reading them back gives the same records:
a whole Deck as Markdown, and single cards as Markdown or as plain Q/A text (for `deckgen pull`)."""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.config import Settings
from deckgen.model import (
    Block,
    Card,
    CodeBlock,
    Deck,
    Inline,
    ListBlock,
    MathBlock,
    Paragraph,
    TableBlock,
    blocks_text,
)
from deckgen.readers import read_source
from deckgen.sources import discover, refuse_errors
from deckgen.writers import write_atomic

# Characters CommonMark could read as markup inside a line of text, and at the start of one.
SPECIAL = re.compile(r"([\\`*_\[\]<>&!$])")
BLOCK_MARK = re.compile(r"^([#+\-=>|~])")
LIST_NUMBER = re.compile(r"^(\d+)([.)])")


# `\[` and `\]` would open and close a displayed formula: brackets are written as entities
ENTITIES = {"[": "&#91;", "]": "&#93;"}


def _escape(text: str, at_line_start: bool = False) -> str:
    text = SPECIAL.sub(lambda m: ENTITIES.get(m[1], "\\" + m[1]), text)
    if at_line_start:
        text = BLOCK_MARK.sub(r"\\\1", text)
        text = LIST_NUMBER.sub(r"\1\\\2", text)
    return text


def _code_span(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inlines(runs: tuple[Inline, ...]) -> str:
    out = []
    for i, run in enumerate(runs):
        start = i == 0
        if run.kind == "code":
            out.append(_code_span(run.text))
        elif run.kind == "strong":
            out.append(f"**{_escape(run.text)}**")
        elif run.kind == "em":
            out.append(f"*{_escape(run.text)}*")
        elif run.kind in ("link", "ref"):
            out.append(f"[{_escape(run.text)}](<{run.href}>)")
        elif run.kind == "image":
            out.append(f"![{_escape(run.text)}](<{run.href}>)")
        elif run.kind == "math":
            out.append(f"\\({run.text}\\)")
        elif run.kind == "cloze":
            hint = f"::{_escape(run.hint)}" if run.hint else ""
            out.append(f"{{{{c{run.number}::{_escape(run.text)}{hint}}}}}")
        else:
            out.append(_escape(run.text, at_line_start=start))
    return "".join(out)


def blocks(items: tuple[Block, ...], indent: str = "") -> list[str]:
    lines: list[str] = []
    previous_list = False
    for block in items:
        if lines:
            lines.append("")
        if isinstance(block, Paragraph):
            lines.append(indent + inlines(block.inlines))
        elif isinstance(block, CodeBlock):
            fence = "`" * max(3, max((len(m) for m in re.findall(r"`{3,}", block.code)), default=0) + 1)
            lines.append(f"{indent}{fence}{block.language}")
            lines += [indent + line if line else line for line in block.code.split("\n")]
            lines.append(indent + fence)
        elif isinstance(block, MathBlock):
            lines += [f"{indent}$$", *(indent + line for line in block.tex.split("\n")), f"{indent}$$"]
        elif isinstance(block, TableBlock):
            lines += [indent + line for line in table_lines(block)]
        elif isinstance(block, ListBlock):
            # two lists in a row merge in Markdown unless the second uses another marker
            bullet, delimiter = ("*", ")") if previous_list else ("-", ".")
            for n, item in enumerate(block.items, start=block.start):
                marker = f"{n}{delimiter} " if block.ordered else f"{bullet} "
                body = blocks(item, indent + " " * len(marker))
                first = body[0][len(indent) + len(marker):] if body else ""
                lines.append(indent + marker + first)
                lines += body[1:]
        previous_list = isinstance(block, ListBlock) and not previous_list
    return lines


def table_lines(table: TableBlock) -> list[str]:
    """A GFM table; a pipe inside a cell is escaped."""
    def row(cells) -> str:
        return "| " + " | ".join(inlines(cell).replace("|", "\\|") for cell in cells) + " |"

    rule = {"left": ":--", "center": ":-:", "right": "--:"}
    width = len(table.header)
    align = [*table.align, *[""] * width][:width]
    return [row(table.header), "| " + " | ".join(rule.get(a, "---") for a in align) + " |",
            *(row((*cells, *[()] * (width - len(cells)))[:width]) for cells in table.rows)]


def _heading(text: str) -> str:
    """A heading's text: a run of # at its end would be read as the heading's closing marks."""
    return re.sub(r"(^|\s)(#+)\s*$", lambda m: f"{m[1]}\\{m[2]}", text)


def title_heading(title: str) -> str:
    """A deck's or section's title as the text of its `#` or `##` heading."""
    return _heading(inlines((Inline("text", title),)))


def question_heading(runs: tuple[Inline, ...]) -> str:
    """A card's question as the text of its `###` heading."""
    return _heading(inlines(runs))


def card_markdown(card: Card, position: int) -> list[str]:
    lines = [f"### {question_heading(card.question)}"]
    meta = []
    if card.explicit_id:
        meta.append(f"id={card.explicit_id}")
    if card.number is not None and card.number != position:
        meta.append(f"number={card.number}")
    if card.tags:
        meta.append("tags=" + ",".join(card.tags))
    if card.disabled_rules:
        meta.append("disable=" + ",".join(card.disabled_rules))
    if card.reverse:
        meta.append("reverse")
    if meta:
        lines.append(f"<!-- deckgen: {' '.join(meta)} -->")
    lines.append("")
    lines += answer_markdown(card)
    return lines


EXTRA_MARK = "<!-- deckgen: extra -->"


def answer_markdown(card: Card) -> list[str]:
    """The lines under a card's question: its answer, then its Extra after the extra mark."""
    lines = [f"- [{'x' if choice.correct else ' '}] {inlines(choice.inlines)}" for choice in card.choices]
    if lines and card.answer:
        lines.append("")
    lines += blocks(card.answer)
    if card.extra:
        lines += ([""] if lines else []) + [EXTRA_MARK, ""] + blocks(card.extra)
    return lines


def to_markdown(deck: Deck) -> str:
    lines = [f"# {title_heading(deck.title)}", ""]
    position = 0
    for section in deck.sections:
        if section.title:
            lines += [f"## {title_heading(section.title)}", ""]
        for card in section.cards:
            position += 1
            lines += card_markdown(card, position)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# What plain text cannot show, by inline kind: written as their words alone.
TEXT_LOSES = {"strong": "bold", "em": "italic", "code": "inline code", "link": "link target",
              "image": "image"}


def _plain(run: Inline) -> str:
    if run.kind == "math":
        return f"\\({run.text}\\)"
    if run.kind == "cloze":
        return f"{{{{c{run.number}::{run.text}{'::' + run.hint if run.hint else ''}}}}}"
    return "" if run.kind == "image" else run.text


def text_inlines(runs: tuple[Inline, ...], lost: list[str]) -> str:
    """A paragraph as plain text; what plain text cannot show is named in `lost`."""
    for run in runs:
        if run.kind in TEXT_LOSES:
            lost.append(TEXT_LOSES[run.kind])
    return " ".join("".join(_plain(run) for run in runs).split())


def text_blocks(items: tuple[Block, ...], marker: str, bullet: str, lost: list[str]) -> list[str]:
    """An answer in the plain Q/A form: `marker` (e.g. "A12. ") starts the first line, paragraphs
    are separated by blank lines, list items start with `bullet` (e.g. "  • ") or a number."""
    lines: list[str] = []
    for block in items:
        if isinstance(block, Paragraph):
            text = text_inlines(block.inlines, lost)
        elif isinstance(block, CodeBlock):
            lost.append("code block")
            text = " ".join(block.code.split())
        elif isinstance(block, MathBlock):
            text = f"$${block.tex}$$"
        elif isinstance(block, TableBlock):
            lost.append("table")
            text = " ".join(blocks_text((block,)).split())
        else:
            indent = bullet[: len(bullet) - len(bullet.lstrip())]
            if not lines:
                lines += [marker.rstrip(), ""]
            else:
                lines.append("")
            for n, item in enumerate(block.items, start=block.start):
                parts = []
                for inner in item:
                    if isinstance(inner, ListBlock):
                        lost.append("nested list")
                    parts.append(text_inlines(inner.inlines, lost) if isinstance(inner, Paragraph)
                                 else " ".join(blocks_text((inner,)).split()))
                lines.append((f"{indent}{n}. " if block.ordered else bullet) + " ".join(parts))
            continue
        if not lines:
            lines.append(marker + text)
        else:
            lines += ["", text]
    return lines or [marker.rstrip()]


def convert_file(source: Path, output: Path, settings: Settings, cwd: Path) -> int:
    """Read `source` and write its Markdown form to `output`; refuse when it has errors."""
    job = discover((str(source),), cwd)[0]
    deck = read_source(job.path, job.display, settings.max_source_bytes, settings.source_format,
                           settings.question)
    refuse_errors(deck, settings, f"{job.display}: not converted")
    target = output if output.is_absolute() else cwd / output
    write_atomic(target, to_markdown(deck).encode("utf-8"), str(output))
    return len(deck.cards)
