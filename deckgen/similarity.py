"""Near-duplicate cards: TF-IDF vectors over question and answer. Each card's heaviest terms go
into an inverted index; only pairs that share two of them are scored in full (no all-pairs loop:
10,000 cards take about a second)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

INDEXED_TERMS = 10
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be by can do does for from how in into is it its of on or that the
    their them they this to use used uses using what when where which while why with
    between both each other than then there these those was were will would your you
    some such may might also
    role difference different differ significance importance important concept purpose explain
    describe mean work works help common key main apply applied handle affect relate improve
    like often more most make making""".split()
)


def _stem(word: str) -> str:
    """A light stemmer: enough to match 'gradients'/'gradient', 'masking'/'masked'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def terms(text: str) -> list[str]:
    words = (w.lower() for w in WORD.findall(text))
    return [_stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def near_duplicates(
    documents: Sequence[tuple[str, str]],
    threshold: float,
    ignore: frozenset[str] = frozenset(),
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, score), i < j, whose question+answer similarity is at least `threshold`.

    Each document is (question, answer); the question's words count twice, since two cards
    are the same card when they ask the same thing. Only each card's INDEXED_TERMS heaviest
    terms are indexed, and terms found in more than a fifth of the documents (and in more than
    two) not at all: they say little and would make the index quadratic. `ignore` holds extra
    terms to leave out of the vectors.
    """
    n = len(documents)
    counts: list[Counter[str]] = []
    for question, answer in documents:
        bag = Counter(terms(answer))
        for term in terms(question):
            bag[term] += 2
        counts.append(bag)
    df: Counter[str] = Counter()
    for bag in counts:
        df.update(bag.keys())
    common_limit = max(2, n // 5)
    vectors: list[dict[str, float]] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for index, bag in enumerate(counts):
        weights = {
            term: (1 + math.log(tf)) * math.log((1 + n) / (1 + df[term])) + 1e-9
            for term, tf in bag.items()
            if term not in ignore
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vector = {term: w / norm for term, w in weights.items()}
        vectors.append(vector)
        # Candidates come from each card's heaviest terms only: two cards alike enough to
        # matter share at least one of them, and the index stays small (no all-pairs loop).
        heaviest = sorted(vector, key=lambda t: (-vector[t], t))[:INDEXED_TERMS]
        for term in heaviest:
            if df[term] <= common_limit:
                postings[term].append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for entries in postings.values():
        for a in range(len(entries)):
            for b in range(a + 1, len(entries)):
                shared[(entries[a], entries[b])] += 1
    # one shared heavy word is a topic; two or more make a pair worth scoring
    candidates = [pair for pair, count in shared.items() if count >= 2]
    found = []
    for i, j in candidates:
        left, right = vectors[i], vectors[j]
        if len(left) > len(right):
            left, right = right, left
        score = sum(w * right.get(term, 0.0) for term, w in left.items())
        if score >= threshold:
            found.append((i, j, round(score, 3)))
    return sorted(found)
