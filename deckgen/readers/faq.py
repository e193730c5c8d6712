"""schema.org FAQPage data in a web page (JSON-LD, else microdata): the page's questions and
answers exactly as its author listed them. When a page has it, it is the first source; its cards
are filed under the visible sections whose cards ask the same question, and a page whose data and
visible text disagree gets a warning (DG019) naming the first difference."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from deckgen.model import Diagnostic
from deckgen.readers.html import _line, _Page, _text
from deckgen.readers.htmlshapes import _Sections


@dataclass(frozen=True)
class _Faq:
    question: str
    answer_html: str
    line: int


def faq_data(soup, page: _Page) -> list[_Faq]:
    """The questions and answers of a schema.org FAQPage (JSON-LD, else microdata), in order."""
    found: list[_Faq] = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"application/ld\+json", re.I)}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError) as err:
            page.diagnostics.append(Diagnostic("warning", "DG019", f"JSON-LD that does not parse is ignored: {err}",
                                               page.span(_line(script))))
            continue
        for node in _nodes(data):
            if _is_type(node, "FAQPage"):
                found.extend(_json_ld_faq(node, _line(script)))
    return found or _microdata_faq(soup)


def _json_ld_faq(node: dict, line: int) -> list[_Faq]:
    """The questions of one JSON-LD FAQPage node (its mainEntity), those that have a name."""
    entities = node.get("mainEntity") or []
    found = []
    for entity in entities if isinstance(entities, list) else [entities]:
        if not isinstance(entity, dict):
            continue
        answer = entity.get("acceptedAnswer") or {}
        if isinstance(answer, list):
            answer = answer[0] if answer else {}
        question = str(entity.get("name") or "").strip()
        text = str(answer.get("text") or "") if isinstance(answer, dict) else ""
        if question:
            found.append(_Faq(_plain(question), text, line))
    return found


def _microdata_faq(soup) -> list[_Faq]:
    """The questions of a FAQPage in microdata (itemtype, itemprop), in order."""
    found = []
    for scope in soup.find_all(attrs={"itemtype": re.compile(r"schema\.org/FAQPage", re.I)}):
        for entity in scope.find_all(attrs={"itemtype": re.compile(r"schema\.org/Question", re.I)}):
            name = entity.find(attrs={"itemprop": "name"})
            answer = entity.find(attrs={"itemprop": "acceptedAnswer"})
            text = answer.find(attrs={"itemprop": "text"}) if answer else None
            if name is not None:
                found.append(_Faq(_text(name), text.decode_contents() if text else "", _line(entity)))
    return found


def _nodes(data):
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph",):
            if key in data:
                yield from _nodes(data[key])


def _is_type(node: dict, name: str) -> bool:
    kind = node.get("@type")
    return name in kind if isinstance(kind, list) else kind == name


def _plain(html_text: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html_text, "html.parser").get_text(" ").split())


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def with_faq(faq: list[_Faq], visible: list, page: _Page):
    """The FAQ data's cards, in its order, filed under the visible section whose card asks the
    same question; a warning at the first place where the data and the page disagree."""
    from bs4 import BeautifulSoup

    seen = {_normal(c.question_text): (title, c) for title, _, cards in visible for c in cards}
    order = [_normal(c.question_text) for _, _, cards in visible for c in cards]
    sections = _Sections(page)
    titles = {title: span for title, span, _ in visible}
    for item in faq:
        title, card = seen.get(_normal(item.question), (None, None))
        if title is not None and title != sections.items[-1][0]:
            sections.items.append((title, titles.get(title), []))
        answer = page.blocks(list(BeautifulSoup(f"<div>{item.answer_html}</div>", "html.parser").div.children),
                             item.line)
        line = card.span.line if card is not None else item.line
        sections.add(item.question, answer, line)
    _warn_difference(faq, visible, order, page)
    return sections.items


def _warn_difference(faq: list[_Faq], visible: list, order: list[str], page: _Page) -> None:
    """A warning (DG019) at the first question where the FAQ data and the page's visible cards
    (their questions, normalised, in `order`) differ."""
    mine = [_normal(f.question) for f in faq]
    if order and order != mine:
        difference = next((i for i, (a, b) in enumerate(zip(mine, order, strict=False)) if a != b), min(len(mine), len(order)))
        said = faq[difference].question if difference < len(faq) else "(nothing)"
        shown = next((c.question_text for _, _, cards in visible for c in cards
                      if _normal(c.question_text) == order[difference]), "(nothing)") if difference < len(order) else "(nothing)"
        page.diagnostics.append(Diagnostic(
            "warning", "DG019",
            f"the page's FAQ data and its visible text differ at question {difference + 1}: the data has "
            f"“{said[:60]}”, the page shows “{shown[:60]}”; the FAQ data is used",
            page.span(faq[min(difference, len(faq) - 1)].line)))
