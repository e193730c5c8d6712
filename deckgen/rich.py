"""Formulas, code and cloze deletions as each output shows them.

- Anki: TeX between `\\(...\\)` / `\\[...\\]` for Anki's MathJax; clozes as `{{c1::...}}`.
- The handout: MathML (latex2mathml; Chromium renders MathML Core), the TeX kept as annotation.
- The PDFs: the formula drawn as SVG by ziamath (WeasyPrint has no MathML), sized in em and
  baseline-aligned so that it scales with the text around it.
- Code everywhere: Pygments tokens as `hl-*` classes; each output's CSS colours them.

TeX is data: it is escaped wherever it is shown, and the MathML is rebuilt through ElementTree
(latex2mathml's own string output does not escape `\\text{<...>}`).
"""

from __future__ import annotations

import base64
import functools
import html
import re
from typing import Literal

from markupsafe import Markup, escape

Output = Literal["anki", "handout", "print"]
CLASS_PREFIX = "hl-"


class FormulaError(ValueError):
    """Raised when a formula cannot be read as TeX."""


@functools.lru_cache(maxsize=4096)
def mathml(tex: str, display: bool, annotate: bool = False) -> str:
    """The formula as a MathML element (a string of well-formed, escaped XML); with `annotate`,
    the TeX rides along as its annotation (what assistive technology and copying can use)."""
    import xml.etree.ElementTree as ET

    import latex2mathml.converter

    try:
        element = latex2mathml.converter.convert_to_element(tex, display="block" if display else "inline")
    except Exception as err:  # latex2mathml raises its own many kinds
        raise FormulaError(f"{type(err).__name__}") from err
    for node in element.iter():
        if node.text:
            if node.tag.endswith("mi") and node.text.startswith("\\") and len(node.text) > 1:
                raise FormulaError(f"unknown command {node.text}")
            node.text = html.unescape(node.text)  # latex2mathml leaves entities in the text
    if annotate:
        semantics = ET.Element("semantics")
        body = ET.SubElement(semantics, "mrow")
        for child in list(element):
            element.remove(child)
            body.append(child)
        ET.SubElement(semantics, "annotation", encoding="application/x-tex").text = tex
        element.append(semantics)
        element.set("alttext", tex)
    return ET.tostring(element, encoding="unicode")


def formula_problem(tex: str) -> str:
    """Why a formula cannot be shown, or "" when it can."""
    try:
        mathml(tex, False)
        return ""
    except FormulaError as err:
        return str(err) or "does not parse"


@functools.lru_cache(maxsize=4096)
def _svg(tex: str, display: bool) -> tuple[str, float, float, float]:
    """The formula drawn as SVG (data URI), its width, height and depth below the baseline in em."""
    import ziamath

    size = 10.0
    drawing = ziamath.Math(mathml(tex, display), size=size)
    svg = drawing.svg()
    # the viewBox is "x y width height" with the baseline at y = 0
    box = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg)[1].split()]
    width, height, top = box[2], box[3], box[1]
    depth = height + top
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return uri, width / size, height / size, depth / size


def math(tex: str, out: Output, display: bool = False) -> Markup:
    """A formula as the output shows it; one that does not parse is shown as written."""
    if out == "anki":
        left, right = ("\\[", "\\]") if display else ("\\(", "\\)")
        return Markup(f"{left}{escape(tex)}{right}")
    try:
        if out == "handout":
            return Markup(mathml(tex, display, annotate=True))
        uri, width, height, depth = _svg(tex, display)
    except Exception:  # noqa: BLE001 - validation warned about it (DG016); show the TeX as written
        return Markup(f'<code class="tex">{escape(tex)}</code>')
    style = f"width:{width:.3f}em;height:{height:.3f}em;vertical-align:{-depth:.3f}em"
    return Markup(f'<img class="math{" display" if display else ""}" src="{uri}" style="{style}" alt="{escape(tex)}">')


def highlight(code: str, language: str) -> Markup:
    """Code as Pygments tokens in `hl-` classes; plain (escaped) without a known language."""
    if not language:
        return Markup(escape(code))
    from pygments import highlight as pygmentize
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return Markup(escape(code))
    formatter = HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)
    return Markup(pygmentize(code, lexer, formatter).rstrip("\n"))


# Pygments style per theme, and the code background it must read against (the darkest light
# one, the lightest dark one, among the outputs). Colours short of WCAG AA contrast (4.5:1) on it
# are darkened (or lightened) until they reach it; in print, keywords are also bold and comments
# italic (the templates), so tokens stay apart in greyscale.
STYLES = {"light": ("default", "#eff0f2"), "dark": ("github-dark", "#2c2c31"), "print": ("default", "#f4f4f4")}
MIN_CONTRAST = 4.6


def _luminance(rgb: tuple[float, float, float]) -> float:
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def readable(colour: str, background: str) -> str:
    """`colour`, moved towards black (on a light background) or white until it reads on it."""
    rgb, back = _rgb(colour), _luminance(_rgb(background))
    target = 0.0 if back > 0.5 else 1.0
    for _ in range(40):
        lum = _luminance(rgb)
        ratio = (max(lum, back) + 0.05) / (min(lum, back) + 0.05)
        if ratio >= MIN_CONTRAST:
            break
        rgb = tuple(c + (target - c) * 0.08 for c in rgb)  # type: ignore[assignment]
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


@functools.lru_cache(maxsize=16)
def code_css(theme: str, scope: str) -> Markup:
    """CSS for the `hl-` classes in one theme, every rule under `scope` (e.g. ".nightMode")."""
    from pygments.formatters import HtmlFormatter

    style, background = STYLES[theme]
    formatter = HtmlFormatter(style=style, classprefix=CLASS_PREFIX, nobackground=True)
    lines = []
    for line in formatter.get_style_defs("").splitlines():
        line = line.strip()
        if line.startswith(f".{CLASS_PREFIX}") and "{" in line:
            selector, rule = line.split("{", 1)
            rule = re.sub(r"(?<![-\w])color: (#[0-9A-Fa-f]{3,6})", lambda m: f"color: {readable(m[1], background)}", rule)
            rule = re.sub(r"background-color: #[0-9A-Fa-f]{3,6};?", "", rule)
            lines.append(f"{scope} {selector.strip()} {{{rule}".strip())
    return Markup("\n".join(lines))


def cloze(run, out: Output, which: tuple[int, str] | None = None) -> Markup:
    """A cloze deletion: Anki's syntax for Anki; in the handout a blank the quiz reveals; on the
    cheat sheet the text emphasised; on a flashcard for cloze `which` = (number, side), a blank
    (or the hint) on the front and the text emphasised on the back, other clozes filled in."""
    text = escape(run.text)
    if out == "anki":
        hint = f"::{escape(run.hint)}" if run.hint else ""
        return Markup(f"{{{{c{run.number}::{text}{hint}}}}}")
    blank = f"[{escape(run.hint)}]" if run.hint else "[…]"
    if out == "handout":
        return Markup(f'<span class="cloze"><span class="cloze-blank" aria-hidden="true">{blank}</span>'
                      f'<span class="cloze-text">{text}</span></span>')
    if which is None or which[0] != run.number:
        return Markup(f'<strong class="cloze">{text}</strong>') if which is None else Markup(text)
    if which[1] == "front":
        return Markup(f'<span class="cloze-blank">{blank}</span>')
    return Markup(f'<strong class="cloze">{text}</strong>')
