"""`deckgen stats`: what a deck holds, for an editor: cards per section, answer lengths, near-duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.sources import CheckResult


@dataclass(frozen=True)
class DeckStats:
    source: str
    cards: int
    sections: list[tuple[str, int]]
    words_total: int
    words_median: int
    longest: list[tuple[str, int, int]]  # label, line, words
    near_duplicates: int
    exact_duplicates: int

    def as_dict(self) -> dict:
        return {
            "source": self.source, "cards": self.cards,
            "sections": [{"title": t, "cards": n} for t, n in self.sections],
            "answer_words": {"total": self.words_total, "median": self.words_median},
            "longest_answers": [{"card": c, "line": line, "words": w} for c, line, w in self.longest],
            "near_duplicates": self.near_duplicates, "exact_duplicates": self.exact_duplicates,
        }


def deck_stats(result: CheckResult, longest: int = 5) -> list[DeckStats]:
    found = []
    for job, deck in result.decks:
        counts = sorted(((len(c.answer_text.split()), c) for c in deck.cards), key=lambda t: (-t[0], t[1].span.line))
        words = sorted(n for n, _ in counts)
        codes = [d.code for d in result.diagnostics if d.span.path == job.display]
        found.append(DeckStats(
            source=job.display, cards=len(deck.cards),
            sections=[(s.title, len(s.cards)) for s in deck.sections],
            words_total=sum(words), words_median=words[len(words) // 2] if words else 0,
            longest=[(c.label, c.span.line, n) for n, c in counts[:longest]],
            near_duplicates=codes.count("DG102"), exact_duplicates=codes.count("DG101"),
        ))
    return found
