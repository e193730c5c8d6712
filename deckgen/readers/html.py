"""Reader for saved web pages (.html, .htm): the article's questions and answers, with the
structure that copying a page as text destroys (lists, code, links, tables, images) kept.

1. Decode: a byte-order mark, else the `<meta charset>`, else UTF-8; bytes that do not decode
   as declared are an error naming the line and column.
2. Parse with an HTML5 parser (BeautifulSoup, html.parser); drop what is never content (scripts,
   styles, forms, iframes) and page chrome (navigation, sidebars, comments, share and subscribe
   blocks, related and popular posts, footers, cookie banners): each listed by `check -v`.
3. Take the article body (article, main, articleBody, the blog engines' post bodies; else the
   element holding the most paragraph text) and read its cards from the first shape that fits:
   schema.org FAQPage data (JSON-LD or microdata) first; then <details>/<summary> accordions;
   <dl> definition lists; `Q12.`/`A12.` paragraphs; `Q:`/`A:` labels; numbered <ol> items with an
   inline "Answer:"; a heading per question; and otherwise the page's text, read by the text
   readers' shapes (coaching, numbered, ...). Headings that are not questions are sections.
Every card, section and diagnostic names the line of the HTML file its element starts on.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.errors import SourceError
from deckgen.htmlblocks import NESTED_TOO_DEEP, html_blocks, parse_html
from deckgen.model import Block, Deck, Diagnostic, Section, Skipped, SourceSpan
from deckgen.readers import byte_position
from deckgen.readers.structure import describe, reads_as_question, seen

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
NEVER_CONTENT = ("script", "style", "noscript", "template", "iframe", "form", "button", "input", "select",
                 "textarea", "svg", "canvas", "object", "embed", "link", "meta")
CHROME_TAGS = ("nav", "aside", "footer")
CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|sidebar|side-bar|widget|comments?|comment-list|respond|share|sharing|"
    r"social|related|popular|recent-posts|subscribe|newsletter|signup|cookie|consent|banner|advert|ads?|responses?|"
    r"promo|sponsor|breadcrumbs?|archive|labels?|tags|tag-cloud|author-box|byline|post-footer|footer|"
    r"header-nav|masthead|search|pagination|jump-link|skip-link|toc|table-of-contents)(?:$|[\s_-])",
    re.IGNORECASE,
)
CONTENT_SELECTORS = ("[itemprop=articleBody]", ".post-body", ".entry-content", ".post-content",
                     ".article-body", ".article-content", "article", "main", "[role=main]", "#content")
BLOCK_TAGS = {"p", "ul", "ol", "pre", "table", "dl", "details", "blockquote", "figure", "img",
              "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
LAYOUT_CONTENT = ["ol", "ul", "dl", "pre", "h1", "h2", "h3", "h4", "table", "div"]
CONTAINERS = {"div", "section", "article", "main", "header", "span", "center", "body", "font"}


@dataclass
class PageBlock:
    """A top-level block of the article, in reading order."""

    kind: str  # heading, p, ul, ol, pre, table, dl, details, quote, figure, text
    element: object
    text: str
    line: int
    level: int = 0  # heading level


@dataclass
class _Page:
    path: str
    folder: Path | None
    base: str = ""  # the page's own address, when it says (or was fetched from) one
    skipped: list[Skipped] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def span(self, line: int, col: int = 1) -> SourceSpan:
        return SourceSpan(self.path, max(line, 1), max(col, 1))

    def blocks(self, elements: list, line: int, col: int = 1) -> tuple[Block, ...]:
        """Elements as answer blocks; what the Markdown reader warns about gets this line."""
        from bs4 import BeautifulSoup


        holder = BeautifulSoup("<div></div>", "html.parser")
        wrapper = holder.div
        for element in elements:
            wrapper.append(_copy(element))
        self._links(wrapper)
        blocks, problems, images = html_blocks(wrapper, self.folder)
        for problem in problems:
            self.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message, self.span(line, col)))
        for image in images:
            if image not in self.images:
                self.images.append(image)
        return blocks


    def _links(self, tree) -> None:
        """Links as a reader of the card can follow them: a link within the page (#...) is just
        its text; a relative one points where the page's own address says (when it says)."""
        from urllib.parse import urljoin

        for link in tree.find_all("a", href=True):
            href = str(link["href"]).strip()
            if href.startswith("#") or not href:
                link.unwrap()
            elif self.base and "://" not in href and not href.lower().startswith("mailto:"):
                link["href"] = urljoin(self.base, href)


def _base_url(soup, path: str) -> str:
    """The page's address: <base href>, its canonical link or og:url, or where it was fetched from."""
    candidates = [
        (soup.find("base", href=True) or {}).get("href", ""),
        (soup.find("link", rel="canonical", href=True) or {}).get("href", ""),
        (soup.find("meta", attrs={"property": "og:url"}) or {}).get("content", ""),
        path,
    ]
    return next((str(c) for c in candidates if str(c).lower().startswith(("http://", "https://"))), "")


# Codecs Python has that no web page is written in: not text encodings at all (base64, zlib,
# rot13, uu, hex...), or text codecs that are not charsets (`undefined` always fails, punycode
# and idna encode host names, the escape codecs read backslashes; browsers refuse UTF-7).
NOT_CHARSETS = {"undefined", "punycode", "idna", "unicode-escape", "raw-unicode-escape", "escape", "utf-7",
                "mbcs", "oem"}


def charset_codec(name: str) -> str | None:
    """The Python codec for a charset a page or a server names; None when Python knows no such
    codec or it is not a charset (see NOT_CHARSETS)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in NOT_CHARSETS:
        return None
    return info.name


def decode_html(data: bytes, display: str) -> str:
    """The page's text, decoded as its byte-order mark or `<meta charset>` says (UTF-8 otherwise)."""
    if not data.strip():
        raise SourceError(f"{display}: the file is empty")
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name).removeprefix("\ufeff")
            except UnicodeDecodeError as err:
                raise SourceError(f"{display}: the page starts with a {name.upper()} byte-order mark but "
                                  f"does not decode as {name.upper()} (byte {err.start:,})") from err
    declared = META_CHARSET.search(data[:4096])
    charset = declared[1].decode("ascii").lower() if declared else "utf-8"
    codec = charset_codec(charset)
    if codec is None:
        try:
            codecs.lookup(charset)
        except (LookupError, ValueError):
            raise SourceError(f"{display}: the page declares an unknown charset '{charset}'") from None
        raise SourceError(f"{display}: the page declares charset '{charset}', which is not a character "
                          f"encoding for web pages; save the page again, as UTF-8")
    if codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        codec = "utf-8"  # a <meta> readable as ASCII is not UTF-16: browsers read such a page as UTF-8
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:

        line, col = byte_position(data, err.start)
        said = f"its <meta charset> says {charset}" if declared else "no <meta charset>, so UTF-8"
        raise SourceError(
            f"{display}:{line}:{col}: byte 0x{data[err.start]:02x} cannot be decoded ({said}); "
            f"save the page again, as UTF-8"
        ) from err
    except UnicodeError as err:  # a codec that fails without saying where
        raise SourceError(f"{display}: the page does not decode as its charset '{charset}' says ({err}); "
                          f"save the page again, as UTF-8") from err


def read_html(text: str, path: str, fallback_title: str, folder: Path | None = None, question: str = "auto") -> Deck:
    """Read a saved web page into a Deck."""

    _check_complete(text, path)
    soup = parse_html(text)
    page = _Page(path, folder, _base_url(soup, path))
    if soup.flattened:
        page.diagnostics.append(Diagnostic(
            "warning", "DG022", f"{NESTED_TOO_DEEP}: from this line on the page is read flattened (its "
            f"deepest lists, tables and blocks as plain text)", page.span(soup.flattened)))

    # the ways of reading a page; each reads a _Page from this module, hence imported here
    from deckgen.readers.faq import faq_data, with_faq
    from deckgen.readers.htmlshapes import read_shapes
    from deckgen.readers.htmlunits import read_found

    _remove_permalinks(soup)  # before the title is read: "General Python FAQ", not "... FAQ ¶"
    faq = faq_data(soup, page)
    title = _title(soup)
    for element in soup.find_all(NEVER_CONTENT):
        element.decompose()
    _remove_chrome(soup, page)
    root = _content_root(soup)
    blocks = _flatten(root)
    if not blocks and not faq:
        raise SourceError(f"{path}: the page has no text content")

    found_page = _Page(path, folder, page.base, list(page.skipped), list(page.diagnostics), list(page.images))
    sections, shape = read_shapes(root, blocks, page, fallback_title)
    found, reading, readings, units = read_found(blocks, found_page, question)
    count = sum(len(c) for _, _, c in sections)
    if not faq and (question != "auto" or sum(len(c) for _, _, c in found) > 1.02 * count):
        # the structure finder explains more of the page than the page shapes
        sections, shape, page = found, f"html:{reading.family}", found_page
    if faq:
        sections, shape = with_faq(faq, sections, page), "faq-jsonld"
    if not any(s[2] for s in sections):
        raise SourceError(
            f"{path}: no questions and answers found on this page (looked for FAQ data, question and "
            f"answer blocks, accordions, definition lists, Q/A markers, lists of questions, numbered "
            f"questions and question headings)")
    built = tuple(Section(name, where, tuple(cards)) for name, where, cards in sections if cards or name)

    return Deck(title=title or fallback_title, source=path, sections=built, shape=shape,
                skipped=tuple(page.skipped), images=tuple(page.images), diagnostics=tuple(page.diagnostics),
                coverage=reading.coverage(units) if shape.startswith("html:") else None,
                candidates=tuple(describe(readings, reading)), seen=seen(units))


def _check_complete(text: str, path: str) -> None:
    lowered = text.lower()
    opened = "<html" in lowered or "<body" in lowered
    if opened and "</html>" not in lowered and "</body>" not in lowered:
        line = text.count("\n") + 1
        raise SourceError(f"{path}:{line}: the page ends before </body> and </html>: it looks truncated "
                          f"(save it again)")


def _copy(element):
    import copy

    return copy.copy(element)


def _text(element) -> str:
    return " ".join(element.get_text(" ").split())


def _line(element) -> int:
    return getattr(element, "sourceline", None) or 1


def _col(element) -> int:
    """The 1-based column the parser saw the element's start tag at (1 where it does not say)."""
    return (getattr(element, "sourcepos", None) or 0) + 1


def _title(soup) -> str:
    """The page's own title: og:title, its only <h1>, its <title>; the first <h1> only when the
    page has no <title> (a page whose first heading is "DESCRIPTION" is not titled so)."""
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta and meta.get("content", "").strip():
        return meta["content"].strip()
    headings = [h for h in soup.find_all("h1") if _text(h)]
    if len(headings) == 1:
        return _text(headings[0])
    if soup.title and _text(soup.title):
        return _text(soup.title)
    return _text(headings[0]) if headings else ""


def _content_root(soup):
    candidates = []
    for selector in CONTENT_SELECTORS:
        candidates = soup.select(selector)
        if candidates:
            break
    if candidates:
        return max(candidates, key=lambda e: len(_text(e)))
    body = soup.body or soup
    best, best_score = body, 0
    for element in body.find_all(["div", "section", "td"]):  # old pages lay out with tables
        score = sum(len(_text(b)) for b in element.find_all(["p", "ol", "ul", "dl", "pre"], recursive=False))
        if score > best_score:
            best, best_score = element, score
    return best if best_score > 200 else body


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
PERMALINK_TEXT = {"¶", "#", "§", "🔗", "link", "permalink", "anchor"}


def _remove_permalinks(soup) -> None:
    """A heading's permalink (Sphinx's ¶, MkDocs' #, GitHub's 🔗): page furniture, not its words."""
    for link in soup.find_all("a", href=True):
        classes = " ".join(link.get("class") or [])
        if str(link["href"]).startswith("#") and (
                "headerlink" in classes or "anchor" in classes or "permalink" in classes
                or _text(link).lower() in PERMALINK_TEXT) and link.find_parent([*HEADINGS, "dt"]):
            link.decompose()


def _chrome_reason(element) -> str:

    name = element.name
    # an id or class is evidence, not a verdict: a question stays a question even when its id
    # says "search", and so does a block holding several questions
    if name in (*HEADINGS, "summary", "dt") and reads_as_question(_text(element)):
        return ""
    reason = _chrome_kind(element)
    if not reason or name in CHROME_TAGS:
        return reason
    heading = element.find_parent(HEADINGS)
    if heading is not None and _text(element) == _text(heading):
        return ""  # the heading's whole text, linked back to the contents (Sphinx's toc-backref): the heading
    first = element.find(["h2", "h3", "h4", "h5", "h6"])  # searched only here: it reads the whole element
    if first is not None and reads_as_question(_text(first)) and \
            not CHROME_NAMES.search(" ".join([first.get("id") or "", *(first.get("class") or [])])):
        return ""  # a section of the article whose id happens to hold a chrome word ("response")
    return reason


def _chrome_kind(element) -> str:
    """What kind of page chrome the element's tag, id, class or role says it is, else ""."""
    name = element.name
    if name in CHROME_TAGS:
        return f"page chrome (<{name}>)"
    names = " ".join([element.get("id") or "", *(element.get("class") or []), element.get("role") or ""])
    if names.strip() and CHROME_NAMES.search(names):
        return f"page chrome ({CHROME_NAMES.search(names)[0].strip(' _-')})"
    if name == "header" and element.find(["nav", "form"]):
        return "page chrome (<header>)"
    return ""


def _remove_chrome(root, page: _Page) -> None:
    for element in list(root.find_all(True)):
        # bs4's `decomposed` searches the element for a tag named '_decomposed': read its flag
        if element.__dict__.get("_decomposed") or element.name in ("html", "body"):
            continue
        reason = _chrome_reason(element)
        if reason and not element.find(["h1"]) and len(element.find_all("p")) < 40:
            text = _text(element)
            if text:
                page.skipped.append(Skipped(page.span(_line(element)), text[:80], reason))
            element.decompose()


def _flatten(root) -> list[PageBlock]:
    """The article's blocks in reading order (containers opened, inline runs kept together)."""
    from bs4 import NavigableString, Tag

    blocks: list[PageBlock] = []
    loose: list = []

    def flush() -> None:
        text = " ".join(" ".join(str(x) if isinstance(x, NavigableString) else x.get_text(" ")
                                 for x in loose).split())
        if text:
            first = next((x for x in loose if isinstance(x, Tag)), None)
            line = _line(first) if first is not None else (_line(loose[0].parent) if loose[0].parent else 1)
            holder = _wrap(loose)
            blocks.append(PageBlock("p", holder, text, line))
        loose.clear()

    def visit(node) -> None:
        for child in list(node.children):
            one(child)
        flush()

    def cells(node) -> None:
        """A layout table's cells one by one; what stands outside any cell (a browser shows it
        before the table) is read too."""
        for child in list(node.children):
            if isinstance(child, Tag) and child.name in ("td", "th"):
                visit(child)
            elif isinstance(child, Tag) and child.name in ("tr", "tbody", "thead", "tfoot"):
                cells(child)
            else:
                one(child)
        flush()

    def one(child) -> None:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ not in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                loose.append(child)
            return
        if not isinstance(child, Tag):
            return
        name = child.name
        if name == "br":
            if loose and any(str(x).strip() for x in loose if isinstance(x, NavigableString)):
                flush()
            return
        if name == "table" and _lays_out(child):
            flush()  # a table that lays out the page, not a table of data: read its cells
            cells(child)
            return
        if name in BLOCK_TAGS:
            flush()
            if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                blocks.append(PageBlock("heading", child, _text(child), _line(child), int(name[1])))
            elif name == "hr":
                return
            elif name in ("img", "figure"):
                blocks.append(PageBlock("figure", child, _text(child), _line(child)))
            elif name == "blockquote":
                blocks.append(PageBlock("quote", child, _text(child), _line(child)))
            elif name == "p" and child.find("br"):
                for part in _split_at_breaks(child):
                    blocks.append(PageBlock("p", part, _text(part), _line(child)))
            elif _text(child) or name == "table" or child.find("img"):
                blocks.append(PageBlock(name, child, _text(child), _line(child)))
        elif name in CONTAINERS and child.find(list(BLOCK_TAGS)) is not None:
            flush()
            visit(child)
            flush()
        else:
            loose.append(child)

    visit(root)
    return blocks


def _lays_out(table) -> bool:
    """A table that lays out a page (cells holding lists, headings, other tables, paragraphs of
    prose), not a table of data (whose cells hold a word, a number, a line)."""
    if table.find(LAYOUT_CONTENT) is not None:
        return True
    return any(len(cell.find_all("p", recursive=False)) >= 2 for cell in table.find_all(["td", "th"]))


def _split_at_breaks(paragraph) -> list:
    """A paragraph cut at its line breaks (`<b>Q2. ...</b><br>A2. ...` is a question and an
    answer; elsewhere deckgen reads a line break as a new paragraph anyway)."""
    parts, current = [], []
    for node in paragraph.children:
        if getattr(node, "name", None) == "br":
            parts.append(current)
            current = []
        else:
            current.append(node)
    parts.append(current)
    return [_wrap(part) for part in parts if " ".join("".join(str(n.get_text(" ") if hasattr(n, "get_text") else n)
                                                          for n in part).split())]


def _wrap(nodes):
    from bs4 import BeautifulSoup

    holder = BeautifulSoup("<p></p>", "html.parser").p
    for node in nodes:
        holder.append(_copy(node))
    return holder
