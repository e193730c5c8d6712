"""Validation rules: each looks at a Deck and collects Diagnostics. Never raises, never prints."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from deckgen.config import Settings
from deckgen.model import Card, Deck, Diagnostic, ListBlock, MathBlock, Severity, SourceSpan, all_inlines
from deckgen.similarity import near_duplicate_groups


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("DG001", "no-cards", "error", "The source holds no question-and-answer card at all."),
        Rule("DG002", "question-without-answer", "error", "A question has no answer after it."),
        Rule("DG003", "answer-without-question", "error", "An answer has no question before it."),
        Rule("DG004", "number-mismatch", "error", "An answer's number differs from its question's (Q7 ... A8)."),
        Rule("DG005", "duplicate-number", "error", "Two questions carry the same number."),
        Rule("DG006", "empty-question", "error", "A question marker with no question text."),
        Rule("DG007", "empty-answer", "error", "An answer marker with no answer text."),
        Rule("DG008", "numbering-gap", "warning", "Question numbers skip or go backwards (Q4 then Q6)."),
        Rule("DG009", "empty-section", "warning", "A section heading with no cards under it."),
        Rule("DG010", "stray-text", "warning", "Text that is neither a card, a heading nor known page chrome; it is left out."),
        Rule("DG011", "too-many-cards", "error", "More cards than the max-cards limit; raise it in the settings if you mean it."),
        Rule("DG012", "answer-too-large", "error", "An answer longer than max-answer-chars characters; no output could lay it out sensibly."),
        Rule("DG013", "ambiguous-numbered-line", "warning", "A numbered line with the next question's number that was read as part of an answer."),
        Rule("DG014", "mixed-shapes", "warning", "The document looks like more than one shape; the reader says which it chose."),
        Rule("DG015", "bad-card-id", "error", "A card's explicit id is used twice, or is not 1-64 letters, digits, '-', '_', '.' or ':'."),
        Rule("DG016", "bad-formula", "warning", "A formula (TeX) that does not parse; it is shown as written."),
        Rule("DG017", "bad-cloze", "error", "A cloze deletion that is not {{c1::text}} or {{c1::text::hint}} (unclosed, or numbered 0)."),
        Rule("DG018", "reversed-cloze", "error", "A cloze card marked reverse; a cloze note has no reverse side."),
        Rule("DG020", "text-left-out", "warning", "More than 5% of a document's words were left out in blocks that are not recognised page chrome (text between cards, a closing, an introduction over 30% of the document)."),
        Rule("DG021", "read-short", "error", "The reading leaves out more than half of the document: the questions are probably marked some other way (setting 'question')."),
        Rule("DG019", "faq-data-mismatch", "warning", "A web page's FAQ data (schema.org JSON-LD) and its visible questions differ, or the data does not parse."),
        Rule("DG022", "nested-too-deep", "warning", "Lists, quotes or elements nested deeper than deckgen keeps; the text is kept, flattened."),
        Rule("DG101", "duplicate-question", "warning", "The same question text appears twice."),
        Rule("DG102", "near-duplicate", "warning", "Two cards ask the same thing in other words (judged on question and answer)."),
        Rule("DG201", "long-for-flashcard", "warning", "An answer has more words than fit a printed flashcard (max-card-words)."),
        Rule("DG202", "long-for-cheatsheet", "warning", "An answer has more words than a cheat-sheet entry should (max-cheatsheet-words)."),
        Rule("DG203", "too-long-for-card", "warning", "A side of a printed flashcard does not fit its card even at the smallest type; it is cut off."),
        Rule("DG301", "unsafe-link", "warning", "A link whose scheme is not http, https or mailto; it is shown as text."),
        Rule("DG302", "image-not-embedded", "warning", "An image that is not a file beside the source; it is not fetched or shown."),
        Rule("DG303", "control-characters", "warning", "Invisible control or zero-width characters; they are removed."),
        Rule("DG305", "formula-styling", "warning", "A formula's \\style, \\class or inline CSS; it is dropped (the formula stays)."),
        Rule("DG306", "code-unhighlighted", "warning", "Code shown without highlighting: a line over 1,000 characters, or a lexer that would take too long."),
        Rule("DG307", "too-many-formulas", "warning", "More formulas in a card than max-formulas-per-card; the rest are shown as their TeX."),
        Rule("DG304", "unknown-rule", "warning", "A card disables a rule code that does not exist."),
    )
}

VALID_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
Check = Callable[[Deck, Settings], Iterator[tuple[str, str, SourceSpan]]]
CHECKS: list[Check] = []


def rule(fn: Check) -> Check:
    """Register a validation rule: it yields (code, message, span) for what it finds."""
    CHECKS.append(fn)
    return fn


def _answer_span(card: Card) -> SourceSpan:
    return card.answer_span or card.span


@rule
def structure(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    cards = deck.cards
    if not cards:
        yield _no_cards(deck)
    yield from _coverage(deck, cards)
    numbering = _Numbering()
    for card in cards:
        if not card.question and card.answer_number is not None and card.number is None:
            yield "DG003", f"A{card.answer_number} has no question before it", card.span
            continue
        yield from _sides(card)
        yield from numbering.follow(card)
    yield from _explicit_ids(cards)
    for section in deck.sections:
        if not section.cards and section.span is not None:
            yield "DG009", f"section '{section.title}' has no cards", section.span
    for stray in deck.stray:
        yield "DG010", f"{stray.reason}, left out: '{_clip(stray.text)}'", stray.span


def _no_cards(deck: Deck) -> tuple[str, str, SourceSpan]:
    """DG001: no card at all, with what the reader saw and how to name the question marker."""
    seen = f" (seen: {deck.seen})" if deck.seen else ""
    return "DG001", (f"no question-and-answer cards found{seen}; name the question marker with the "
                     f"setting 'question' (--question h2, bold, label, details, numbered, or a regular "
                     f"expression)"), SourceSpan(deck.source, 1)


def _sides(card: Card) -> Iterator[tuple[str, str, SourceSpan]]:
    """A card's own sides: no question text (DG006), no or an empty answer (DG002, DG007; a cloze
    card's answer is optional), an answer numbered other than its question (DG004)."""
    if not card.question:
        yield "DG006", f"{card.label} has no question text", card.span
    if card.cloze_numbers:
        pass  # a cloze card is its text: the answer is optional
    elif card.answer_span is None:
        yield "DG002", f"{card.label} has no answer", card.span
    elif not card.answered:
        yield "DG007", f"{card.label} has an empty answer", card.answer_span
    if (
        card.number is not None
        and card.answer_number is not None
        and card.number != card.answer_number
    ):
        yield (
            "DG004",
            f"answer A{card.answer_number} follows question Q{card.number}",
            _answer_span(card),
        )


class _Numbering:
    """Question numbers in the order the cards come: a number given again (DG005), numbers that
    skip or go backwards (DG008)."""

    def __init__(self) -> None:
        self.seen: dict[int, Card] = {}
        self.previous: int | None = None

    def follow(self, card: Card) -> Iterator[tuple[str, str, SourceSpan]]:
        number = card.number
        if number is None:
            return
        if number in self.seen:
            first = self.seen[number].span
            yield "DG005", f"Q{number} is numbered again (first at line {first.line})", card.span
        else:
            self.seen[number] = card
        if self.previous is not None:
            yield from self._step(card, number, self.previous)
        self.previous = number

    def _step(self, card: Card, number: int, previous: int) -> Iterator[tuple[str, str, SourceSpan]]:
        """DG008 where the number is neither the one before nor the next one: the numbers missing
        in between, or a step back (said at a number's first card only)."""
        if number == previous + 1 or number == previous:
            return
        if number > previous + 1:
            missing = f"Q{previous + 1}" if number == previous + 2 else f"Q{previous + 1}-Q{number - 1}"
            yield "DG008", f"Q{number} follows Q{previous}: {missing} missing", card.span
        elif number not in self.seen or self.seen[number] is card:
            yield "DG008", f"Q{number} follows Q{previous}: numbers go backwards", card.span


def _explicit_ids(cards: tuple[Card, ...]) -> Iterator[tuple[str, str, SourceSpan]]:
    """DG015: an explicit id that is not 1-64 letters, digits, '-', '_', '.' or ':', or that an
    earlier card has."""
    ids: dict[str, Card] = {}
    for card in cards:
        if not card.explicit_id:
            continue
        if not VALID_ID.match(card.explicit_id):
            yield "DG015", f"{card.label}'s id '{_clip(card.explicit_id, 40)}' is not 1-64 letters, digits, '-', '_', '.' or ':'", card.span
        elif card.explicit_id in ids:
            first = ids[card.explicit_id]
            yield "DG015", f"{card.label} uses the id '{card.explicit_id}' of {first.label} (line {first.span.line}); ids must be unique", card.span
        else:
            ids[card.explicit_id] = card


def _coverage(deck: Deck, cards) -> Iterator[tuple[str, str, SourceSpan]]:
    """A reading that leaves much of the document out says so: never a short read in silence."""
    coverage = deck.coverage
    if coverage is None or not cards:
        return
    chrome = sum(w for reason, _, _, w in coverage.left_out
                 if reason not in ("introduction", "between", "closing"))
    content = max(coverage.total - chrome, 1)
    unexplained = coverage.unexplained()
    words = sum(w for *_, w in unexplained)
    where = ", ".join(f"{r} (lines {a}-{b}, {w:,} words)" for r, a, b, w in unexplained[:4])
    more = f" and {len(unexplained) - 4} more" if len(unexplained) > 4 else ""
    first = SourceSpan(deck.source, unexplained[0][1]) if unexplained else SourceSpan(deck.source, 1)
    if coverage.in_cards < 0.5 * content:
        yield "DG021", (f"{len(cards)} cards hold only {round(100 * coverage.in_cards / content)}% of the "
                        f"text, read as {deck.shape.split(':')[-1]}; seen: {deck.seen}; name the question "
                        f"marker with the setting 'question' (--question)"), first
    elif words > 0.05 * content:
        yield "DG020", f"{round(100 * words / content)}% of the words were left out: {where}{more}", first


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _normal_question(card: Card) -> str:
    return re.sub(r"\W+", " ", card.question_text.casefold()).strip()


@rule
def duplicates(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    cards = [card for card in deck.cards if card.question and card.answer]
    if len(cards) > settings.max_cards:
        return  # DG011 stops the build; comparing that many cards would only waste time
    by_text: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        by_text[_normal_question(card)].append(card)
    exact: set[tuple[int, int]] = set()
    for group in by_text.values():
        for later in group[1:]:
            first = group[0]
            exact.add((id(first), id(later)))
            yield (
                "DG101",
                f"{later.label} repeats the question of {first.label} (line {first.span.line})",
                later.span,
            )
    documents = [(card.question_text, card.answer_text) for card in cards]
    for members, score in near_duplicate_groups(documents, settings.near_duplicate_threshold):
        group = [cards[k] for k in members]
        if len(group) == 2:
            first, later = group
            if (id(first), id(later)) in exact:
                continue
            yield (
                "DG102",
                f"{later.label} may repeat {first.label} (line {first.span.line}); "
                f"similarity {score:.2f}: '{_clip(later.question_text, 50)}' / "
                f"'{_clip(first.question_text, 50)}'",
                later.span,
            )
            continue
        # three or more cards asking the same thing: one finding, at the first, naming them all
        places = ", ".join(f"{card.label} (line {card.span.line})" for card in group[1:])
        yield (
            "DG102",
            f"{places} may repeat {group[0].label} (line {group[0].span.line}): {len(group)} cards "
            f"alike, average similarity {score:.2f}: '{_clip(group[0].question_text, 50)}'",
            group[0].span,
        )


@rule
def limits(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    cards = deck.cards
    if len(cards) > settings.max_cards:
        yield (
            "DG011",
            f"{len(cards):,} cards, more than the limit of {settings.max_cards:,} (setting 'max-cards')",
            SourceSpan(deck.source, 1),
        )
    for card in cards:
        size = len(card.answer_text)
        if size > settings.max_answer_chars:
            yield (
                "DG012",
                f"{card.label}'s answer is {size:,} characters, over the limit of "
                f"{settings.max_answer_chars:,} (setting 'max-answer-chars')",
                _answer_span(card),
            )


@rule
def rich(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    from deckgen.readers.inline import CLOZE_START
    from deckgen.richtext import check_rich_content, formula_problem

    yield from check_rich_content(deck, settings)

    for card in deck.cards:
        for where, runs, blocks in (("question", card.question, ()), ("answer", (), card.answer),
                                    ("extra", (), card.extra)):
            span = card.span if where == "question" else _answer_span(card)
            formulas = [r.text for r in (*runs, *all_inlines(blocks)) if r.kind == "math"]
            formulas += [b.tex for b in _all_blocks(blocks) if isinstance(b, MathBlock)]
            for tex in formulas:
                problem = formula_problem(tex)
                if problem:
                    yield "DG016", f"{card.label}'s formula does not parse ({problem}): {_clip(tex, 60)}", span
            for run in (*runs, *all_inlines(blocks)):
                if run.kind == "text" and (found := CLOZE_START.search(run.text)):
                    yield "DG017", (f"{card.label} has a malformed cloze at '{_clip(run.text[found.start():], 30)}' "
                                    f"(write {{{{c1::text}}}} or {{{{c1::text::hint}}}}, numbered from 1)"), span
        if card.reverse and card.cloze_numbers:
            yield "DG018", f"{card.label} is a cloze card and cannot be reversed", card.span


def _all_blocks(blocks):
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _all_blocks(item)


@rule
def fit(deck: Deck, settings: Settings) -> Iterator[tuple[str, str, SourceSpan]]:
    for card in deck.cards:
        words = len(card.answer_text.split())
        if words > settings.max_card_words:
            yield (
                "DG201",
                f"{card.label}'s answer has {words} words, more than a flashcard holds "
                f"(max-card-words = {settings.max_card_words})",
                _answer_span(card),
            )
        if words > settings.max_cheatsheet_words:
            yield (
                "DG202",
                f"{card.label}'s answer has {words} words, long for a cheat-sheet entry "
                f"(max-cheatsheet-words = {settings.max_cheatsheet_words})",
                _answer_span(card),
            )


def validate(deck: Deck, settings: Settings, extra: tuple[Diagnostic, ...] = ()) -> list[Diagnostic]:
    """Every diagnostic for `deck`, sorted by place, minus the rules the settings or a card turn off."""
    disabled_per_card: dict[tuple[str, int], set[str]] = {}
    unknown: list[Diagnostic] = []
    for card in deck.cards:
        if card.disabled_rules:
            disabled_per_card[(card.span.path, card.span.line)] = set(card.disabled_rules)
            for code in card.disabled_rules:
                if code not in RULES:
                    unknown.append(Diagnostic("warning", "DG304", f"unknown rule code '{code}'", card.span))
    found = list(extra) + list(deck.diagnostics) + unknown
    for fn in CHECKS:
        for code, message, span in fn(deck, settings):
            found.append(Diagnostic(RULES[code].severity, code, message, span))
    kept = [
        d
        for d in found
        if d.code not in settings.disable
        and d.code not in disabled_per_card.get((d.span.path, d.span.line), ())
    ]
    return sorted(kept, key=lambda d: (d.span, d.code))


def has_failures(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.severity == "error" or (strict and d.severity == "warning") for d in diagnostics)
