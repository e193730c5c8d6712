"""Chrome in Markdown documents: the blocks around a README's questions that are not content.

Contract: each function looks at one block (markdown-it tokens, or a raw HTML block's soup) and
says why it is chrome, as the structure finder's `Unit.chrome` reason ("back-to-top link",
"badges and images", "table of contents"), or "" / False when it is content. They decide from
the block alone; a table of contents that doctoc's comments enclose is found by the unit reader,
which sees the comments, and so is a YAML front matter (`front_matter` reads the document's first
lines). None of them reports anything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.token import Token

if TYPE_CHECKING:
    from bs4 import BeautifulSoup  # loaded only when a document holds raw HTML

DOCTOC = re.compile(r"<!--\s*(?:START|END)\s+doctoc", re.IGNORECASE)
BACK_TO_TOP = re.compile(
    r"^\W*(?:back\s+to\s+(?:top|contents|index|the\s+top|table\s+of\s+contents)|top|go\s+to\s+top|"
    r"scroll\s+to\s+top|вгору|наверх|к\s+содержанию|до\s+змісту|返回顶部|回到顶部|返回目录|トップへ|"
    r"トップに戻る|先頭に戻る|先頭へ|ページの先頭へ|맨\s*위로|volver\s+(?:arriba|al?\s+(?:[íi]ndice|inicio))|voltar\s+ao\s+[íi]ndice|"
    r"(?:de\s+)?volta(?:r)?\s+(?:ao|para\s+o)\s+(?:topo|início)|retour\s+en\s+haut|nach\s+oben)\W*$",
    re.IGNORECASE,
)
# where the images of a README's badge row come from (a remote diagram in an answer is not one)
BADGE = re.compile(r"shields\.io|badge|travis-ci|circleci|codecov|coveralls|/workflows/|buymeacoffee|ko-fi|"
                   r"patreon|sponsor|gitter|discord|twitter\.com/|hits\.|visitor|star-history|app\.netlify",
                   re.IGNORECASE)
MARKDOWN_ANCHOR_LINK = re.compile(r"^\W*\[(?P<text>[^\]]{1,40})\]\(#[^)\s]*\)\W*$")


def paragraph_chrome(inline: Token, text: str) -> str:
    """Why a paragraph (its inline token, its words) is not content: a back-to-top link, badges; else ""."""
    children = inline.children or []
    if _back_to_top(children, " ".join(text.split())):
        return "back-to-top link"
    if _badge_row(children):
        return "badges and images"
    return ""


def _back_to_top(children: list[Token], words: str) -> bool:
    """A few words that say "back to top": in or around a link (six at most), or beside an arrow (four)."""
    if not BACK_TO_TOP.match(words):
        return False
    count = len(words.split())
    linked = any(c.type == "link_open" for c in children)
    return (linked and count <= 6) or (count <= 4 and ("↑" in words or "⬆" in words))


def _badge_row(children: list[Token]) -> bool:
    """Only images, every one from a badge service (no words around them)."""
    images = [c for c in children if c.type == "image" or (c.type == "html_inline" and c.content.lower().startswith("<img"))]
    if not images or "".join(c.content for c in children if c.type == "text").strip():
        return False
    return all(BADGE.search(str(c.attrs.get("src", "")) if c.type == "image" else c.content) for c in images)


def html_chrome(soup: BeautifulSoup, text: str) -> str:
    """Why a raw HTML block (its soup, its words) is not content: images without words, a back-to-top link; else ""."""
    if not text and soup.find("img") is not None:
        return "badges and images"
    links = soup.find_all("a", href=True)
    if links and BACK_TO_TOP.match(text) and all(str(a["href"]).startswith("#") for a in links):
        return "back-to-top link"
    return ""


def mostly_anchors(tokens: list[Token]) -> bool:
    """A list or table of links to places in the same document: a table of contents (most of
    its words are such links)."""
    inner = linked = total = 0
    for token in tokens:
        if token.type != "inline":
            continue
        anchor = False
        for child in token.children or []:
            if child.type == "link_open":
                anchor = str(child.attrs.get("href", "")).startswith("#")
                inner += anchor
            elif child.type == "link_close":
                anchor = False
            elif child.type in ("text", "code_inline"):
                words = len(child.content.split())
                total += words
                linked += words if anchor else 0
    return inner >= 3 and linked >= 0.5 * total


URL = re.compile(r"^(?:https?://|www\.)\S+$")


def only_links(tokens: list[Token]) -> bool:
    """A list whose every item is a link and nothing else (`- https://…`, `- [a post](https://…)`)."""
    items = 0
    for token in tokens:
        if token.type != "inline":
            continue
        items += 1
        inside = False
        for child in token.children or []:
            if child.type == "link_open":
                inside = True
            elif child.type == "link_close":
                inside = False
            elif child.type in ("softbreak", "hardbreak") or (child.type == "text" and not child.content.strip()):
                continue
            elif not inside and not (child.type == "text" and all(URL.match(w) for w in child.content.split())):
                return False
    return items > 0


def indented_link(code: str) -> bool:
    """An indented code block that is only a link to a place in the document (`**[⬆ Back to Top](#toc)**`
    indented by four spaces): a back-to-top link the author meant, not code."""
    lines = [x for x in code.splitlines() if x.strip()]
    match = MARKDOWN_ANCHOR_LINK.match(lines[0].strip()) if len(lines) == 1 else None
    return bool(match and BACK_TO_TOP.match(match["text"]))


def without_trailing_links(code: str) -> str:
    """A code block's text without a back-to-top link that an unclosed fence swallowed."""
    lines = code.rstrip("\n").split("\n")
    while lines and (not lines[-1].strip() or indented_link(lines[-1])):
        lines.pop()
    return "\n".join(lines) if lines else code.rstrip("\n")


# A static site's YAML front matter: `---` on the first line, `key: value` lines (and lists or
# indented values), `---` or `...` to close it; `title:` is the page's title
FRONT_MATTER_LINE = re.compile(r"^(?:[\w.-]+[ \t]*:(?:[ \t].*)?|[ \t]+\S.*|-[ \t].*|[ \t]*)$")
FRONT_MATTER_KEY = re.compile(r"^[\w.-]{2,}[ \t]*:(?:[ \t]|$)")  # `title: …`, not `Q: …`
FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*:[ \t]*(?P<title>.+?)[ \t]*$")


def front_matter(lines: list[str]) -> tuple[int, str]:
    """How many of the document's first lines are a YAML front matter (0: none), and its title."""
    if not lines or lines[0].rstrip() != "---" or len(lines) < 2 or not FRONT_MATTER_KEY.match(lines[1]):
        return 0, ""  # a front matter's keys start right under its rule: a blank line or `Q:` is a document's
    for end, line in enumerate(lines[1:101], start=1):
        if line.rstrip() in ("---", "..."):
            keys = [x for x in lines[1:end] if x.strip()]
            if not keys or not any(":" in x for x in keys):
                return 0, ""
            title = next((m["title"] for x in lines[1:end] if (m := FRONT_MATTER_TITLE.match(x))), "")
            return end + 1, title.strip("\"'")
        if not FRONT_MATTER_LINE.match(line):
            return 0, ""
    return 0, ""
