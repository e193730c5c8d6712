"""Near-duplicate cards: TF-IDF vectors over question and answer, words reduced to their stems
by the Snowball stemmer ("hierarchical" and "hierarchy", "clipping" and "clipped" meet). Each
card's heaviest terms go into an inverted index; only pairs that share two of them are scored
in full (no all-pairs loop: 10,000 cards take about a second). Pairs then gather into groups
(average linkage: a card joins a group only when it is like the group as a whole, not like one
member of it), so that three cards asking the same thing are one finding, not three."""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)  # a deck's vocabulary is far smaller than its words (PyStemmer: in C)


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
        score = _cosine(vectors[i], vectors[j])
        if score >= threshold:
            found.append((i, j, round(score, 3)))
    _VECTORS.clear()
    _VECTORS.extend(vectors)
    return sorted(found)


_VECTORS: list[dict[str, float]] = []  # the last call's vectors, for grouping its pairs


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(w * right.get(term, 0.0) for term, w in left.items())


GROUP_LINKAGE = 0.85  # a group's average similarity must stay above this share of the threshold


def near_duplicate_groups(
    documents: Sequence[tuple[str, str]],
    threshold: float,
    ignore: frozenset[str] = frozenset(),
) -> list[tuple[tuple[int, ...], float]]:
    """Groups of cards (indexes, ascending) that ask the same thing, each with its average
    similarity: the near-duplicate pairs, merged strongest first while the merged group's
    average pairwise similarity stays at least GROUP_LINKAGE * threshold."""
    pairs = near_duplicates(documents, threshold, ignore)
    vectors = list(_VECTORS)
    group_of: dict[int, frozenset[int]] = {}
    for i, j, _ in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        left, right = group_of.get(i, frozenset((i,))), group_of.get(j, frozenset((j,)))
        if left == right:
            continue
        merged = left | right
        if len(merged) > 2 and _average(merged, vectors) < GROUP_LINKAGE * threshold:
            continue
        for member in merged:
            group_of[member] = merged
    groups = {group for group in group_of.values()}
    return sorted((tuple(sorted(g)), round(_average(g, vectors), 3)) for g in groups)


def _average(group: frozenset[int], vectors: list[dict[str, float]]) -> float:
    members = sorted(group)
    scores = [_cosine(vectors[a], vectors[b]) for k, a in enumerate(members) for b in members[k + 1:]]
    return sum(scores) / len(scores)
