"""Formulas, code and cloze deletions as each output shows them.

- Anki: TeX between `\\(...\\)` / `\\[...\\]` for Anki's MathJax; clozes as `{{c1::...}}`.
- The handout: MathML (latex2mathml; Chromium renders MathML Core), the TeX kept as annotation.
- The PDFs: the formula drawn as SVG by ziamath (WeasyPrint has no MathML), sized in em and
  baseline-aligned so that it scales with the text around it.
- Code everywhere: Pygments tokens as `hl-*` classes; each output's CSS colours them.

TeX is data: it is escaped wherever it is shown, and the MathML is rebuilt through ElementTree
(latex2mathml's own string output does not escape `\\text{<...>}`). The MathML keeps only the
elements and attributes of an allow-list: links only to http, https and mailto (as in text),
no `\\style` or `\\class`. Highlighting is bounded: a very long line, or a block the lexer
cannot finish in time, is shown as plain code (Pygments' regular expressions can take minutes
on a few kilobytes of whitespace).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import re
import signal
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup, escape

from deckgen.config import Settings
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
    SourceSpan,
    TableBlock,
)

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


Output = Literal["anki", "handout", "print"]
CLASS_PREFIX = "hl-"


class FormulaError(ValueError):
    """Raised when a formula cannot be read as TeX."""


# What a formula's MathML may hold: MathML Core's presentation elements (and menclose), their
# presentation attributes, and `href` only to the schemes text links may use. Anything else is
# dropped: an element outside the list is replaced by an mrow holding its content, an attribute
# outside it is removed. latex2mathml passes `\\href{javascript:...}`, `\\style{CSS}` and
# `\\class{...}` straight into attributes; Firefox follows MathML links.
MATHML_ELEMENTS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts",
    "none", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mtable", "mtr", "mtd",
})
MATHML_ATTRIBUTES = frozenset({
    "xmlns", "display", "alttext", "encoding", "dir", "displaystyle", "scriptlevel", "mathvariant",
    "mathsize", "mathcolor", "mathbackground", "accent", "accentunder", "fence", "form", "largeop",
    "lspace", "rspace", "maxsize", "minsize", "movablelimits", "separator", "stretchy", "symmetric",
    "linethickness", "width", "height", "depth", "voffset", "notation", "columnalign",
    "columnlines", "columnspacing", "columnspan", "rowalign", "rowlines", "rowspacing", "rowspan",
    "href",
})
# values of the allowed attributes other than href and the annotation's: lengths, numbers,
# colour names and #hex, keywords (no parentheses, quotes, colons or semicolons: no url(), no CSS)
SAFE_VALUE = re.compile(r"[\w#.%+\- ]{0,100}")
SAFE_SCHEMES = ("http://", "https://", "mailto:")  # as deckgen.readers.markdown keeps for links
# what an attribute a formula cannot keep was written as, for the warning
STYLING = {"style": "\\style", "class": "\\class", "id": "\\cssId"}


@functools.lru_cache(maxsize=4096)
def _mathml(tex: str, display: bool, annotate: bool) -> tuple[str, tuple[str, ...]]:
    """The formula as a MathML string, and what the allow-list dropped from it."""
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
    dropped = _sanitise(element)
    if annotate:
        semantics = ET.Element("semantics")
        body = ET.SubElement(semantics, "mrow")
        for child in list(element):
            element.remove(child)
            body.append(child)
        ET.SubElement(semantics, "annotation", encoding="application/x-tex").text = tex
        element.append(semantics)
        element.set("alttext", tex)
    return ET.tostring(element, encoding="unicode"), tuple(dict.fromkeys(dropped))


def _sanitise(root: ET.Element) -> list[str]:
    """Keep only the allow-listed MathML in `root` (in place); what was dropped, as
    `href=VALUE`, `\\style`, `\\class`, `<tag>` or `name=VALUE` notes."""
    dropped: list[str] = []
    for node in root.iter():
        if node.tag not in MATHML_ELEMENTS:
            dropped.append(f"<{node.tag}>")
            node.tag = "mrow"  # its content stays, as text and the elements below it
        for name, value in list(node.attrib.items()):
            if name == "href":
                keep = value.lower().startswith(SAFE_SCHEMES)
            elif name in ("alttext", "encoding", "xmlns"):
                keep = node.tag in ("math", "annotation")
            else:
                keep = name in MATHML_ATTRIBUTES and bool(SAFE_VALUE.fullmatch(value))
            if not keep:
                del node.attrib[name]
                dropped.append(STYLING.get(name) or f"{name}={value}")
    return dropped


def mathml(tex: str, display: bool, annotate: bool = False) -> str:
    """The formula as a MathML element (a string of well-formed, escaped XML, holding only
    allow-listed elements and attributes); with `annotate`, the TeX rides along as its
    annotation (what assistive technology and copying can use)."""
    return _mathml(tex, display, annotate)[0]


def formula_problem(tex: str) -> str:
    """Why a formula cannot be shown, or "" when it can."""
    try:
        mathml(tex, False)
        return ""
    except FormulaError as err:
        return str(err) or "does not parse"


def formula_dropped(tex: str) -> tuple[str, ...]:
    """What the allow-list drops from a formula (see `_sanitise`); nothing for one that does not parse."""
    try:
        return _mathml(tex, False, False)[1]
    except FormulaError:
        return ()


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


# Bounds on highlighting. Some of Pygments' lexers take quadratic time on a run of whitespace
# (the C lexer: 1 s for 2,000 spaces, two minutes for 19,000), so a block is lexed in passes of
# whole lines of at most LEXER_PASS characters; a line longer than MAX_CODE_LINE cannot be split
# and leaves the block plain; and where a timer can interrupt the lexer (the main thread of a
# Unix process: the build and its PDF workers) a block not done in HIGHLIGHT_SECONDS is plain.
# Code of a usual size is one pass, highlighted as a whole, in milliseconds.
MAX_CODE_LINE = 1_000
LEXER_PASS = 2_000
HIGHLIGHT_SECONDS = 1.0


class _Late(Exception):
    """Raised inside the lexer when its time is up."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _Late in the block after `seconds`, where a timer can interrupt it (SIGALRM, the
    main thread, no other timer running); elsewhere the block runs unbounded."""
    if (not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0)):
        yield
        return

    def late(_signum, _frame):
        raise _Late

    previous = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _passes(code: str) -> Iterator[str]:
    """`code` in pieces of whole lines, each at most LEXER_PASS characters (lines no longer
    than MAX_CODE_LINE)."""
    piece: list[str] = []
    size = 0
    for line in code.splitlines(keepends=True):
        if piece and size + len(line) > LEXER_PASS:
            yield "".join(piece)
            piece, size = [], 0
        piece.append(line)
        size += len(line)
    if piece:
        yield "".join(piece)


@functools.lru_cache(maxsize=512)
def _highlighted(code: str, language: str) -> tuple[str | None, str]:
    """The code as highlighted HTML, or None and why it is shown plain ("" for no known language)."""
    if not language:
        return None, ""
    import io
    import itertools

    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None, ""
    longest = max((len(line) for line in code.splitlines()), default=0)
    if longest > MAX_CODE_LINE:
        return None, f"a line of {longest:,} characters (highlighting stops at {MAX_CODE_LINE:,})"
    formatter = HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)
    out = io.StringIO()
    try:
        with _deadline(HIGHLIGHT_SECONDS):
            formatter.format(itertools.chain.from_iterable(lexer.get_tokens(p) for p in _passes(code)), out)
    except _Late:
        return None, f"the {lexer.name} lexer took over {HIGHLIGHT_SECONDS:g} s"
    return out.getvalue().rstrip("\n"), ""


def highlight(code: str, language: str) -> Markup:
    """Code as Pygments tokens in `hl-` classes; plain (escaped) without a known language, or
    when highlighting it would take too long (see `code_problem`)."""
    done, _ = _highlighted(code, language)
    return Markup(done) if done is not None else Markup(escape(code))


def code_problem(code: str, language: str) -> str:
    """Why a code block in a known language is shown without highlighting, or "" when it is not."""
    return _highlighted(code, language)[1]


def long_line(code: str, language: str) -> str:
    """Why a code block is shown plain that validation can tell without running the lexer (a line
    over MAX_CODE_LINE characters), or "": `check` must stay fast on a large document, so a
    lexer that runs out of time is only found (and the block shown plain) when it is drawn."""
    if not language:
        return ""
    longest = max((len(line) for line in code.splitlines()), default=0)
    return f"a line of {longest:,} characters (highlighting stops at {MAX_CODE_LINE:,})" if longest > MAX_CODE_LINE else ""


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


# Per card: what validation reports about formulas and code, and the bound on formulas.


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _blocks_of(blocks: tuple[Block, ...]) -> Iterator[Block]:

    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _blocks_of(item)


def card_formulas(card: Card) -> list[str]:
    """Every formula of a card (TeX), in the order the card shows them: question, options, answer, extra."""
    return [tex for _, tex in _placed_formulas(card)]


def _placed_formulas(card: Card) -> list[tuple[SourceSpan, str]]:
    """Every formula of a card with the place a message about it names: the question's line for
    the question and its options, the answer's for the answer and the extra."""

    asked = [run.text for run in card.question if run.kind == "math"]
    asked += [run.text for choice in card.choices for run in choice.inlines if run.kind == "math"]
    answered: list[str] = []
    for blocks in (card.answer, card.extra):
        for block in _blocks_of(blocks):
            if isinstance(block, MathBlock):
                answered.append(block.tex)
            elif isinstance(block, Paragraph):
                answered += [run.text for run in block.inlines if run.kind == "math"]
            elif isinstance(block, TableBlock):
                answered += [run.text for row in (block.header, *block.rows) for cell in row
                             for run in cell if run.kind == "math"]
    answer_span = card.answer_span or card.span
    return [(card.span, tex) for tex in asked] + [(answer_span, tex) for tex in answered]


def limit_formulas(deck: Deck, limit: int) -> Deck:
    """The deck with each card's formulas after its `limit`-th (setting max-formulas-per-card)
    shown as their TeX, as code, and a warning (DG016) for each such card: drawing thousands of
    formulas on one card takes minutes and gigabytes in the PDFs. The build applies it to a deck
    as it is read, so that every output and the ids file see the same cards."""
    import dataclasses


    def runs(inlines, seen):
        kept = []
        for run in inlines:
            if run.kind == "math":
                seen[0] += 1
                if seen[0] > limit:
                    run = Inline("code", run.text)
            kept.append(run)
        return tuple(kept)

    def blocks(items, seen):
        kept = []
        for block in items:
            if isinstance(block, MathBlock):
                seen[0] += 1
                if seen[0] > limit:
                    block = CodeBlock(block.tex)
            elif isinstance(block, Paragraph):
                block = Paragraph(runs(block.inlines, seen))
            elif isinstance(block, ListBlock):
                block = dataclasses.replace(block, items=tuple(blocks(item, seen) for item in block.items))
            elif isinstance(block, TableBlock):
                block = dataclasses.replace(block, header=tuple(runs(c, seen) for c in block.header),
                                            rows=tuple(tuple(runs(c, seen) for c in row) for row in block.rows))
            kept.append(block)
        return tuple(kept)

    warnings: list[Diagnostic] = []

    def card_within(card: Card) -> Card:
        formulas = _placed_formulas(card)
        if len(formulas) <= limit:
            return card
        warnings.append(Diagnostic("warning", "DG307", (
            f"{card.label} has {len(formulas):,} formulas, more than max-formulas-per-card ({limit:,}); "
            f"the ones after that are shown as TeX"), formulas[limit][0]))
        seen = [0]  # in the order _placed_formulas counts them
        question = runs(card.question, seen)
        choices = tuple(dataclasses.replace(c, inlines=runs(c.inlines, seen)) for c in card.choices)
        return dataclasses.replace(card, question=question, choices=choices,
                                   answer=blocks(card.answer, seen), extra=blocks(card.extra, seen))

    sections = tuple(dataclasses.replace(s, cards=tuple(card_within(c) for c in s.cards)) for s in deck.sections)
    if not warnings:
        return deck
    return dataclasses.replace(deck, sections=sections, diagnostics=(*deck.diagnostics, *warnings))


def check_rich_content(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    """Validation: what a formula's MathML cannot keep (a link that is not http, https or mailto:
    DG301; styling: DG305), and code shown without highlighting because the lexer would take too
    long (DG306). Formulas past max-formulas-per-card are code by now (`limit_formulas`, DG307)."""
    for card in deck.cards:
        for span, tex in dict.fromkeys(_placed_formulas(card)):
            dropped = formula_dropped(tex)
            for link in (d.removeprefix("href=") for d in dropped if d.startswith("href=")):
                yield ("DG301", f"{card.label}'s formula links to '{_clip(link)}', not http, https or mailto; "
                                f"the link is dropped: {_clip(tex)}", span)
            styling = [d for d in dropped if not d.startswith("href=")]
            if styling:
                yield ("DG305", f"{card.label}'s formula uses {', '.join(styling)}, which formulas do not "
                                f"carry; dropped: {_clip(tex)}", span)
        for block in _blocks_of((*card.answer, *card.extra)):
            why = long_line(block.code, block.language) if block.kind == "code" else ""
            if why:
                yield ("DG306", f"{card.label}'s {block.language} code is shown without highlighting: {why}",
                       card.answer_span or card.span)
