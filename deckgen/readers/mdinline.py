"""markdown-it inline tokens -> the card model's inline runs.

Contract: `InlineReader.runs(token)` turns one `inline` token into runs of text, strong, em, code,
link, ref (a link to a place inside the document), math and image; adjacent runs of the same kind
and target are merged, the last run's trailing spaces cut, and cloze markers split out
(inline.clozes). Raw inline HTML counts as its Markdown equivalent (`<b>`, `<i>`, `<code>`, `<br>`,
`<img>`); other tags are dropped. What is not kept is reported to the document's Findings: a link
that is not http, https or mailto (DG301, its words kept as text), an image that is not a file
beside the source (DG302, its alt text kept in brackets); links to places inside the document are
counted there.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from deckgen.model import Inline
from deckgen.readers.inline import clozes
from deckgen.readers.mdfindings import Findings
from deckgen.readers.mdtokens import plain

SAFE_SCHEMES = ("http://", "https://", "mailto:")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
HTML_TAG = re.compile(r"^<(?P<close>/?)\s*(?P<name>[A-Za-z][A-Za-z0-9]*)")
HTML_ATTR = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
REMOTE_OR_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]")

# Markdown's own emphasis: the style counter each opening and closing token moves
EMPHASIS_STEPS = {"strong_open": ("strong", 1), "strong_close": ("strong", -1),
                  "em_open": ("em", 1), "em_close": ("em", -1)}
SPACES = ("softbreak", "hardbreak")
MATH = ("math_inline", "math_inline_double")


@dataclasses.dataclass
class _Style:
    """What the text at this point of an inline token is inside: emphasis, code, a link."""

    strong: int = 0
    em: int = 0
    code: bool = False
    link: str | None = None  # a safe link's target
    ref: str | None = None  # a link to a place inside the document: `#` and the place's name

    def run(self, text: str) -> Inline:
        """A run of text in this style (code before links before emphasis)."""
        if self.code:
            return Inline("code", text)
        if self.link is not None:
            return Inline("link", text, self.link)
        if self.ref is not None:
            return Inline("ref", text, self.ref)
        if self.strong:
            return Inline("strong", text)
        if self.em:
            return Inline("em", text)
        return Inline("text", text)


class InlineReader:
    def __init__(self, findings: Findings):
        self.findings = findings

    def runs(self, token: Token) -> tuple[Inline, ...]:
        """The runs of an inline token (see the module's contract)."""
        style = _Style()
        runs: list[Inline] = []
        for child in token.children or []:
            runs.extend(self._child_runs(child, token, style))
        return tuple(piece for run in merge(runs) for piece in clozes(run))

    def _child_runs(self, child: Token, token: Token, style: _Style) -> list[Inline]:
        """The runs one child token adds (none for one that only changes the style)."""
        kind = child.type
        if kind in EMPHASIS_STEPS:
            name, step = EMPHASIS_STEPS[kind]
            setattr(style, name, getattr(style, name) + step)
            return []
        if kind == "html_inline":
            return self._html_tag(child, token, style)
        if kind == "link_open":
            self._open_link(str(child.attrs.get("href", "")), token, style)
            return []
        if kind == "link_close":
            style.link = style.ref = None
            return []
        return self._leaf_runs(child, token, style)

    def _leaf_runs(self, child: Token, token: Token, style: _Style) -> list[Inline]:
        kind = child.type
        if kind == "code_inline":
            return [Inline("code", child.content)]
        if kind in MATH:
            return [Inline("math", child.content.strip())]
        if kind in SPACES:
            return [Inline("text", " ")]
        if kind == "image":
            return [self.image(child, token)]
        if kind == "text" and child.content:
            return [style.run(child.content)]
        return []

    def _html_tag(self, child: Token, token: Token, style: _Style) -> list[Inline]:
        """An inline HTML tag: the style it opens or closes, or the break or image it is."""
        tag = HTML_TAG.match(child.content)
        name = tag["name"].lower() if tag else ""
        closing = bool(tag) and tag["close"] == "/"
        step = -1 if closing else 1
        if name in ("b", "strong"):
            style.strong = max(0, style.strong + step)
        elif name in ("i", "em"):
            style.em = max(0, style.em + step)
        elif name in ("code", "kbd", "tt"):
            style.code = not closing
        elif name == "br":
            return [Inline("text", " ")]
        elif name == "img" and not closing:
            return [self.image(_image_token(child.content), token)]
        return []

    def _open_link(self, href: str, token: Token, style: _Style) -> None:
        """A link starts: a place inside the document (a ref), a safe target, or text (DG301)."""
        if href.startswith("#"):
            # a place inside the document: the handout links it to the card it names (when it
            # names one); elsewhere its words are plain text
            style.link, style.ref = None, href
            self.findings.anchor(token)
        elif href.lower().startswith(SAFE_SCHEMES):
            style.link = href
        else:
            style.link = None
            self.findings.warn("DG301", f"link to '{href[:60]}' is not http, https or mailto; shown as text", token)

    def image(self, child: Token, token: Token) -> Inline:
        """An image run for a file beside the source; else its alt text in brackets (DG302)."""
        src = str(child.attrs.get("src", ""))
        # the alt text as words (`![a &#91;b&#93;](x.png)` is "a [b]"); an <img>'s attribute as written
        alt = plain(child) if child.children else html.unescape(child.content or "")
        relative = local_image(self.findings.folder, src)
        if relative is not None:
            self.findings.add_image(relative)
            return Inline("image", alt, relative)
        self.findings.warn("DG302", f"image '{unquote(src)[:60]}' is not an image file beside the source; not shown",
                           token)
        return Inline("text", f"[{alt}]" if alt else "[image]")


def _image_token(tag: str) -> Token:
    """An `<img>` tag as the image token Markdown's `![alt](src)` would be."""
    src = HTML_ATTR.search(tag)
    alt = HTML_ALT.search(tag)
    return Token("image", "img", 0, attrs={"src": src[2] if src else ""}, content=alt[2] if alt else "")


def local_image(folder: Path | None, src: str) -> str | None:
    """The image file `src` names inside `folder`, as a relative POSIX path; else None.
    `src` is a URL path: percent-encoded (markdown-it encodes `<my diagram.png>` and `café.png`,
    saved pages write `Title%20With%20Spaces_files/`), perhaps with a query; a name that is
    only right as written (a file really called `100%.png`) is tried too. Nothing outside
    the folder, however spelled (`..`, `%2e%2e/`, an absolute path, a link out), is read."""
    if folder is None or not src or REMOTE_OR_ABSOLUTE.match(src):
        return None  # remote (http:, data:, file:...) or absolute
    folder = folder.resolve()
    path = re.split(r"[?#]", src, maxsplit=1)[0]
    for name in dict.fromkeys((unquote(path), unquote(src), src)):
        if name and "\x00" not in name and (found := _image_in(folder, name)) is not None:
            return found
    return None


def _image_in(folder: Path, name: str) -> str | None:
    """`name` as an image file inside the (resolved) folder, relative to it; else None."""
    try:
        target = (folder / name).resolve()
        if target.is_relative_to(folder) and target.suffix.lower() in IMAGE_SUFFIXES and target.is_file():
            return target.relative_to(folder).as_posix()
    except (OSError, ValueError):  # a name too long for the file system
        return None
    return None


def merge(runs: list[Inline]) -> tuple[Inline, ...]:
    """Adjacent runs of the same kind (and target) as one run; no trailing spaces at the end."""
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
