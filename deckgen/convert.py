"""Write a Deck in the Markdown source form, so that reading it back gives the same records."""

from __future__ import annotations

import re

from deckgen.model import Block, Card, CodeBlock, Deck, Inline, ListBlock, Paragraph

# Characters CommonMark could read as markup inside a line of text, and at the start of one.
SPECIAL = re.compile(r"([\\`*_\[\]<>&!])")
BLOCK_MARK = re.compile(r"^([#+\-=>|~])")
LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def _escape(text: str, at_line_start: bool = False) -> str:
    text = SPECIAL.sub(r"\\\1", text)
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
        elif run.kind == "link":
            out.append(f"[{_escape(run.text)}](<{run.href}>)")
        elif run.kind == "image":
            out.append(f"![{_escape(run.text)}](<{run.href}>)")
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


def card_markdown(card: Card, position: int) -> list[str]:
    lines = [f"### {inlines(card.question)}"]
    meta = []
    if card.explicit_id:
        meta.append(f"id={card.explicit_id}")
    if card.number is not None and card.number != position:
        meta.append(f"number={card.number}")
    if card.tags:
        meta.append("tags=" + ",".join(card.tags))
    if card.disabled_rules:
        meta.append("disable=" + ",".join(card.disabled_rules))
    if meta:
        lines.append(f"<!-- deckgen: {' '.join(meta)} -->")
    lines.append("")
    lines += blocks(card.answer)
    return lines


def to_markdown(deck: Deck) -> str:
    lines = [f"# {inlines((Inline('text', deck.title),))}", ""]
    position = 0
    for section in deck.sections:
        if section.title:
            lines += [f"## {inlines((Inline('text', section.title),))}", ""]
        for card in section.cards:
            position += 1
            lines += card_markdown(card, position)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
