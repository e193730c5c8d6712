"""What a run of plain text can hold besides words: formulas (`\\(...\\)`, `\\[...\\]`) and cloze
deletions (`{{c1::text}}`, `{{c1::text::hint}}`). Shared by every reader."""

from __future__ import annotations

import re

from deckgen.model import Block, Choice, Inline, ListBlock, MathBlock, Paragraph

CLOZE = re.compile(r"\{\{c([1-9]\d{0,2})::(.+?)(?:::([^{}]*?))?\}\}", re.DOTALL)
CLOZE_START = re.compile(r"\{\{c\d*::")  # what is left of a cloze that did not parse
INLINE_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
DISPLAY_MATH = re.compile(r"^(?:\$\$(.+?)\$\$|\\\[(.+?)\\\])$", re.DOTALL)


def clozes(run: Inline) -> list[Inline]:
    """A text run with its cloze deletions as cloze runs."""
    if run.kind != "text" or "{{c" not in run.text:
        return [run]
    out: list[Inline] = []
    last = 0
    for match in CLOZE.finditer(run.text):
        if match.start() > last:
            out.append(Inline("text", run.text[last:match.start()]))
        out.append(Inline("cloze", match[2], number=int(match[1]), hint=(match[3] or "").strip()))
        last = match.end()
    if last < len(run.text):
        out.append(Inline("text", run.text[last:]))
    return out


def text_runs(text: str) -> tuple[Inline, ...]:
    """Plain text as runs: formulas and cloze deletions taken out of the words."""
    runs: list[Inline] = []
    last = 0
    for match in INLINE_MATH.finditer(text):
        if match.start() > last:
            runs.extend(clozes(Inline("text", text[last:match.start()])))
        runs.append(Inline("math", (match[1] or match[2]).strip()))
        last = match.end()
    if last < len(text):
        runs.extend(clozes(Inline("text", text[last:])))
    return tuple(runs)


def paragraph_block(text: str) -> Block | None:
    """A formula standing alone as a paragraph (`$$...$$` or `\\[...\\]`), as a displayed block."""
    match = DISPLAY_MATH.match(text.strip())
    if match and (match[1] or match[2] or "").strip():
        return MathBlock((match[1] or match[2]).strip())
    return None


CHECKBOX = re.compile(r"^\s*\[(?P<mark>[ xX×✓✔])\]\s*")


def split_choices(blocks: tuple[Block, ...]) -> tuple[tuple, tuple[Block, ...]]:
    """A multiple-choice answer: its first list whose items are all `[ ] option` / `[x] option`
    becomes the card's choices (x marks a right one); the other blocks stay its answer."""

    for index, block in enumerate(blocks):
        if not isinstance(block, ListBlock) or len(block.items) < 2:
            continue
        options = []
        for item in block.items:
            first = item[0] if len(item) == 1 and isinstance(item[0], Paragraph) else None
            runs = first.inlines if first is not None else ()
            match = CHECKBOX.match(runs[0].text) if runs and runs[0].kind == "text" else None
            if match is None:
                break
            rest = runs[0].text[match.end():]
            inlines = ((Inline("text", rest),) if rest else ()) + tuple(runs[1:])
            options.append(Choice(inlines, match["mark"] != " "))
        else:
            return tuple(options), blocks[:index] + blocks[index + 1:]
    return (), blocks
