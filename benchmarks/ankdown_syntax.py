"""Convert a deckgen Markdown source (`# Title`, `## Section`, one card per `### question`, the
answer the Markdown below it) into ankdown's input syntax: front, `%`, back, `%`, tags, `---`
between cards. The benchmark's yardstick: the same cards, for ankdown (PyPI) to make its .apkg.

    python benchmarks/ankdown_syntax.py source/deck.md cards/deck.md

The section becomes the card's tag (spaces made hyphens). deckgen's comments
(`<!-- deckgen: ... -->`) are dropped; everything else in the answer is passed through as it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_COMMENT = re.compile(r"^\s*<!--\s*deckgen:.*-->\s*$")


def convert(markdown: str) -> str:
    cards: list[tuple[str, list[str], str]] = []
    section = ""
    fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("## "):
            section = line[3:].strip()
            continue
        if not fence and line.startswith("### "):
            cards.append((line[4:].strip(), [], section))
            continue
        if not fence and line.startswith("# "):
            continue
        if cards and not _COMMENT.match(line):
            cards[-1][1].append(line)
    out = []
    for question, body, tag in cards:
        answer = "\n".join(body).strip("\n")
        # a lone "%" or "---" line would end ankdown's field or card: indent it out of the way
        answer = re.sub(r"(?m)^(%|---)\s*$", r" \1", answer)
        out.append(f"{question}\n\n%\n\n{answer}\n\n%\n\n{re.sub(r'[^A-Za-z0-9]+', '-', tag).strip('-')}\n")
    return "\n---\n\n".join(out)


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(convert(source.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
