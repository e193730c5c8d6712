"""The structure finder: which blocks of a document are its questions, in any format.

Every reader turns its input into `Unit`s: blocks with positions, their plain text, and the
question markers each one offers (`Mark`: a heading of some level, a heading inside a list item,
a bold line, a `Q:` label, an accordion's summary, a numbered line...). Marks of one kind make a
*family*. `find` reads the document as each family would (`collect`), scores each reading on
evidence that holds in any language, and keeps the best:

- how many items the family has (more, finer-grained questions explain a document better);
- how many read as questions: they end in a question mark of any script (`?`, `？`, `؟`, `՞`,
  Greek `;`), or start with an interrogative or an instruction ("Explain…", "Опишіть…", "请…");
- how regular their numbering is (1, 2, 3… or 1.1, 1.2, 2.1…);
- how many have answer-like content before the next one;
- how much of the document's text the reading puts into cards.

Structure above the chosen family becomes sections; structure below it stays in the answers.
The choice is deterministic (ties go to the family listed first in FAMILIES). Every unit gets a
role, so a reader can say what it left out and why (`Reading.coverage`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# The families, in the order ties are broken; the values the `question` setting names.
FAMILIES = ("h1", "h2", "h3", "h4", "h5", "h6", "list-heading", "list-item", "details", "dt", "label",
            "qa-markers", "bold", "numbered", "question-line")
HEADING_FAMILIES = ("h1", "h2", "h3", "h4", "h5", "h6")
# What the setting accepts: a family, or a regular expression over a block's first line.
from deckgen.shapes import QUESTION_SETTING_NAMES  # noqa: E402,F401 (the question setting's markers)

QUESTION_END = re.compile(r"[?？؟՞⸮][\s\"'”’»)\]*_`:.。]*$")
GREEK_END = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff][^;]*;\s*$")
INTERROGATIVE = re.compile(
    r"^(?:¿|"
    # English
    r"(?:what|how|why|when|where|which|who|whom|whose|can|could|is|are|was|were|do|does|did|should|would|"
    r"will|shall|may|might|must|have|has|explain|describe|define|compare|contrast|name|list|tell|give|walk|"
    r"discuss|outline|write|implement|design|find|show|state|identify|differentiate|distinguish|"
    r"summari[sz]e|illustrate|elaborate|mention|suggest|create|build|solve|calculate|convert|"
    r"difference between|differences between|what's|how's)\b"
    # Spanish, Portuguese, French, Italian, German, Dutch, Turkish, Indonesian
    r"|(?:qué|que|cómo|como|cuál|cuáles|cual|por qué|porque|cuándo|dónde|quién|explique|explica|describa|"
    r"describe|defina|o que|qual|quais|quando|onde|quem|explique|descreva|qu'est|quel|quelle|quels|"
    r"quelles|comment|pourquoi|quand|où|expliquez|décrivez|cosa|come|perché|quale|quali|spiega|"
    r"was|wie|warum|welche|welcher|welches|wann|wo|wer|erklären|erkläre|beschreiben|beschreibe|nennen|"
    r"wat|hoe|waarom|welke|wanneer|nedir|neden|nasıl|hangi|apa|bagaimana|mengapa|jelaskan)\b"
    # Ukrainian, Russian, Bulgarian, Serbian
    r"|(?:що|як|чому|який|яка|яке|які|коли|де|хто|навіщо|опишіть|поясніть|назвіть|наведіть|"
    r"что|как|почему|какой|какая|какое|какие|когда|где|кто|зачем|чем|опишите|объясните|назовите|"
    r"расскажите|приведите|каков|какво|защо|кога|шта|како|зашто|объясни|опиши|назови|расскажи|сравни|приведи|"
    r"перечисли|расшифруй|поясни|напиши|реализуй|сравните|перечислите|напишите|поясни|назви|розкажи|порівняй|"
    r"наведи|перелічи|порівняйте|перелічіть|розкажіть|напишіть)(?![\w])"
    # Chinese, Japanese, Korean
    r"|什么|為什麼|为什么|如何|怎么|怎样|怎麼|請|请|简述|簡述|说说|說說|谈谈|談談|介绍|介紹|解释|解釋|描述|列举|哪些|"
    r"是否|何|なぜ|どう|どの|どんな|무엇|어떻게|왜|언제|어디|누가"
    r")",
    re.IGNORECASE,
)
TRAILING_REMARK = re.compile(r"\s*[(（\[][^()（）\[\]]*[)）\]][\s.。]*$")
CJK_QUESTION_END = re.compile(r"(?:吗|嗎|呢|么|麼|か|까|나요|가요|니까|인가|입니까)[\s。.]*$")
NUMBER = re.compile(r"^\s*(?:[QqВв]\s?)?(?P<num>\d{1,4}(?:\.\d{1,4})*)\s*(?:[.):：、]\s*[:：]?)\s*(?=[^\s\d])")
# Summaries of an accordion that only hides the answer of the question before it
REVEAL = re.compile(
    r"^\W*(?:show|hide|view|see|reveal|click|toggle|expand)?\s*(?:the\s+)?(?:answer|answers|solution|"
    r"solutions|explanation|hint|details|result|output|code|example|(?:here|to|for)\b.*)?\W*$|"
    r"^\W*(?:ответ|відповідь|відповіді|решение|рішення|答案|解答|参考答案|答え|解説|정답|해설|respuesta|"
    r"resposta|réponse|solución|solução|lösung|antwort|risposta|cevap)\b.*$",
    re.IGNORECASE,
)
# Headings of a document's furniture: never a question, never a section of cards
FURNITURE_HEADING = re.compile(
    r"^\W*(?:table of contents|contents|toc|index|목차|目录|目次|содержание|зміст|índice|sommaire|"
    r"inhaltsverzeichnis)\W*$",
    re.IGNORECASE,
)
# Headings of a document's closing (or of a page's aside): not a section of cards
CLOSING_HEADING = re.compile(
    r"^\W*(?:conclusion|final thoughts|summary|wrapping up|wrap-up|key takeaways|related (?:posts|articles|reading)|"
    r"recommended (?:posts|reading)|further reading|about the author|references|resources|license|licence|"
    r"contributing|contributors|acknowledg(?:e)?ments|credits|changelog|support|sponsors?|"
    r"висновки?|заключение|итоги|总结|結論|まとめ|결론|conclusión|conclusão|fazit|zusammenfassung)\W*$",
    re.IGNORECASE,
)
# A closing paragraph after the last answer: a sign-off, a cross-link, a call to follow
SIGN_OFF = re.compile(
    r"^\W*(?:(?:related|see also|read (?:more|next|also)|also read|further reading|up next|next up|"
    r"more from\b.*|you (?:may|might) also like)\b\s*:?.*"
    r"|thanks?(?: you)?(?: so much)?(?: a lot)? for (?:reading|visiting|stopping by|your time)\b.*"
    r"|.*\bfollow (?:me|us)\b.*|(?:please )?(?:subscribe|sign up)\b.*|.*\bgive (?:it|this) a (?:clap|star)\b.*"
    r"|happy (?:learning|coding|interviewing|studying|reading|hacking)\b.*|good luck\b.*|all the best\b.*"
    r"|(?:if you|hope you|did you) (?:enjoyed|liked|found|enjoy|like)\b.*|.*\bclaps?\b.*"
    r"|(?:please )?(?:share|star) (?:this|it|the repo)\b.*|leave a comment\b.*|let me know in the comments\b.*"
    r"|.*\bbuy me a coffee\b.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mark:
    """A question marker a unit offers: its family, the question's text, its number if any."""

    family: str
    question: str
    number: tuple[int, ...] | None = None
    answered: bool = False  # the unit holds its own answer too (a label pair, an accordion)


@dataclass
class Unit:
    """A block of a document, as the finder sees it. `payload` is the reader's own handle."""

    kind: str  # heading, paragraph, list, item, code, table, html, details, rule, meta, other
    line: int
    end: int
    text: str
    level: int = 0  # a heading's level
    marks: tuple[Mark, ...] = ()
    chrome: str = ""  # why it is not content (table of contents, back-to-top link...), if it is not
    opens: bool = False  # an accordion opened here and closed in a later unit
    closes: bool = False  # closes an accordion opened earlier
    payload: object = None
    words: int = -1

    def __post_init__(self) -> None:
        if self.words < 0:
            self.words = count_words(self.text)

    def mark(self, family: str) -> Mark | None:
        return next((m for m in self.marks if m.family == family), None)


CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def count_words(text: str) -> int:
    """Words in any script: CJK characters count two to a word, as readers of those scripts do."""
    cjk = len(CJK.findall(text))
    return len(CJK.sub(" ", text).split()) + (cjk + 1) // 2


def strip_number(text: str) -> tuple[str, tuple[int, ...] | None]:
    """`12. What is X?` -> ("What is X?", (12,)); `1.2. How?` -> ("How?", (1, 2))."""
    match = NUMBER.match(text)
    if not match:
        return text.strip(), None
    return text[match.end():].strip(), tuple(int(n) for n in match["num"].split("."))


def ends_as_question(text: str) -> bool:
    """True when a line ends in a question mark of any script, a remark in brackets after it
    allowed ("… in production? (optional)")."""
    text = text.strip().strip("*_`").strip()
    return bool(QUESTION_END.search(TRAILING_REMARK.sub("", text) or text) or GREEK_END.search(text))


def reads_as_question(text: str) -> bool:
    """True when a line reads as a question or an instruction, in any language."""
    text = text.strip().strip("*_`#").strip()
    if not text or len(text) > 400:
        return False
    text, _ = strip_number(text)
    text = re.sub(r"^[^\w¿]+", "", text)  # emoji and punctuation before the words
    text = TRAILING_REMARK.sub("", text) or text  # "What is X? (in production)"
    return bool(QUESTION_END.search(text) or GREEK_END.search(text) or CJK_QUESTION_END.search(text)
                or INTERROGATIVE.match(text))


def is_reveal(summary: str) -> bool:
    """An accordion summary that only hides an answer ("Show answer", "💡 Solution")."""
    return bool(REVEAL.match(summary.strip())) and not QUESTION_END.search(summary)


# -- reading a document as one family -------------------------------------------------------

@dataclass
class Planned:
    """A card as a family reads it: its question unit and its answer units."""

    question: int
    answer: list[int] = field(default_factory=list)
    section: int | None = None  # the unit of its section heading
    family: str = ""  # set where a part of the document is read by another family than the whole


@dataclass
class Reading:
    family: str
    roles: list[str]  # per unit: question, answer, section, title, chrome, introduction, between, closing
    reasons: list[str]  # per unit: the chrome's reason
    cards: list[Planned]
    title: int | None = None
    score: float = 0.0
    evidence: dict[str, float] = field(default_factory=dict)
    also: list[tuple[str, int, int]] = field(default_factory=list)  # stretches read by another family

    def words(self, units: Sequence[Unit], role: str) -> int:
        return sum(u.words for u, r in zip(units, self.roles, strict=True) if r == role)

    def coverage(self, units: Sequence[Unit]) -> Coverage:
        """The share of the text in cards, and what was left out, grouped in runs of lines."""
        total = sum(u.words for u in units) or 1
        in_cards = sum(u.words for u, r in zip(units, self.roles, strict=True)
                       if r in ("question", "answer", "section", "title"))
        left: list[tuple[str, int, int, int]] = []  # reason, first line, last line, words
        for unit, role, reason in zip(units, self.roles, self.reasons, strict=True):
            if role in ("question", "answer", "section", "title") or not unit.words:
                continue
            why = reason if role == "chrome" else role
            if left and left[-1][0] == why:
                left[-1] = (why, left[-1][1], unit.end, left[-1][3] + unit.words)
            else:
                left.append((why, unit.line, unit.end, unit.words))
        return Coverage(total, in_cards, tuple(left))


@dataclass(frozen=True)
class Coverage:
    total: int
    in_cards: int
    left_out: tuple[tuple[str, int, int, int], ...]  # reason, first line, last line, words

    @property
    def share(self) -> float:
        return self.in_cards / self.total if self.total else 1.0

    def unexplained(self) -> list[tuple[str, int, int, int]]:
        """What was left out without being recognised as chrome: text between cards, a closing,
        and an introduction longer than 30% of the document (a page's opening words are
        expected; half a document before the first question is a short read)."""
        intro = sum(w for reason, _, _, w in self.left_out if reason == "introduction")
        kinds = ("between", "closing", "introduction") if intro > 0.3 * self.total else ("between", "closing")
        return [run for run in self.left_out if run[0] in kinds]

    def line(self) -> str:
        """`341 cards hold 96% of the text; left out: table of contents (lines 40-390, 2,924 words)`."""
        grouped: dict[str, list[tuple[int, int, int]]] = {}
        for reason, first, last, words in self.left_out:
            grouped.setdefault(reason, []).append((first, last, words))
        parts = []
        for reason, runs in grouped.items():
            words = sum(w for _, _, w in runs)
            where = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b, _ in runs[:3])
            more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
            lines = "line" if len(runs) == 1 and runs[0][0] == runs[0][1] else "lines"
            parts.append(f"{reason} ({lines} {where}{more}, {words:,} words)")
        return f"hold {round(100 * self.share)}% of the text" + (f"; left out: {'; '.join(parts)}" if parts else "")


def _is_item(unit: Unit, family: str, pattern: re.Pattern | None) -> bool:
    if pattern is not None:
        return unit.kind not in ("code", "meta") and bool(pattern.search(unit.text.split("\n", 1)[0]))
    return unit.mark(family) is not None


def collect(units: Sequence[Unit], family: str, pattern: re.Pattern | None = None) -> Reading:
    """Read the units as `family` (or `pattern`) marks the questions: a role for every unit."""
    n = len(units)
    roles = ["" for _ in range(n)]
    reasons = ["" for _ in range(n)]
    level = int(family[1]) if family in HEADING_FAMILIES else None
    items = [i for i, u in enumerate(units) if not u.chrome and _is_item(u, family, pattern)]
    if pattern is None:
        _mark_mirrors(units, items, family)
        items = [i for i in items if not units[i].chrome]
        if family not in (*HEADING_FAMILIES, "list-heading"):  # a heading is a marker of its own
            items = _in_sequence(units, items, family)
    item_set = set(items)

    def next_content(i: int) -> int | None:
        for j in range(i + 1, n):
            if not units[j].chrome and units[j].kind != "meta":
                return j
        return None

    # Levels of the headings that stand right above a question: those are sections; deeper ones
    # inside an answer are the answer's own sub-headings.
    section_levels = set()
    for i, unit in enumerate(units):
        if unit.kind == "heading" and i not in item_set:
            j = next_content(i)
            while j is not None and units[j].kind == "heading" and j not in item_set:
                j = next_content(j)
            if j is not None and j in item_set:
                section_levels.add(unit.level)
    deepest_section = max(section_levels, default=6)

    def is_section(unit: Unit) -> bool:
        if unit.kind != "heading":
            return False
        if level is not None:
            return unit.level < level or (unit.level > level and unit.level <= deepest_section)
        return unit.level <= deepest_section

    cards: list[Planned] = []
    current: Planned | None = None
    section: int | None = None
    title: int | None = None
    depth = 0  # accordions opened inside the current answer
    first_item = items[0] if items else n
    for i, unit in enumerate(units):
        if unit.chrome:
            roles[i], reasons[i] = "chrome", unit.chrome
            continue
        if current is not None and depth:
            roles[i] = "answer"
            current.answer.append(i)
            depth += unit.opens - unit.closes
            continue
        if i in item_set:
            current = Planned(i, section=section)
            cards.append(current)
            roles[i] = "question"
            depth = 1 if unit.opens else 0
            continue
        if unit.kind == "heading" and unit.level == 1 and title is None and i < first_item and family != "h1":
            title, roles[i] = i, "title"
            continue
        if unit.kind == "heading" and FURNITURE_HEADING.match(unit.text):
            roles[i], reasons[i] = "chrome", "table of contents"
            current = None
            continue
        if is_section(unit) and not (current is not None and _sentence(unit.text) and next_content(i) not in item_set):
            current = None
            section = i
            roles[i] = "section"
            continue
        if current is not None:
            roles[i] = "answer"
            current.answer.append(i)
            depth = 1 if unit.opens else 0
            continue
        roles[i] = "introduction" if not cards else "between"

    # A question with nothing after it and that does not read as one is a section title
    # (`### Basics` right before `### What is X?`).
    kept: list[Planned] = []
    for index, card in enumerate(cards):
        unit = units[card.question]
        mark = unit.mark(family)
        answered = any(units[a].words or units[a].kind in ("code", "table") for a in card.answer) or \
            (mark is not None and mark.answered)
        following = cards[index + 1] if index + 1 < len(cards) else None
        numbered = mark is not None and mark.number is not None and family not in HEADING_FAMILIES
        if family in ("details", "dt", "label", "qa-markers"):  # these markers only ever ask
            kept.append(card)
            continue
        if not answered and not numbered and not reads_as_question(_question_text(unit, family)) \
                and following is not None:
            roles[card.question] = "section"
            following.section = card.question
            continue
        kept.append(card)
    cards = kept

    # After the last answer: a sign-off and everything after it is the document's closing.
    if cards:
        last = cards[-1]
        for k, a in enumerate(last.answer):
            own = units[last.question].mark(family)
            if units[a].kind in ("paragraph", "heading") and SIGN_OFF.match(units[a].text.strip().split("\n", 1)[0]) and \
                    (k or len(last.answer) > 1 or (own is not None and own.answered)):
                for b in last.answer[k:]:
                    roles[b] = "closing"
                roles[a], reasons[a] = "chrome", "page chrome after the last card"
                last.answer = last.answer[:k]
                break
        end = max([last.question, *last.answer])
        closing_section = ""  # "Conclusion", "References", "License": the document's own furniture
        for j in range(end + 1, n):
            if units[j].kind == "heading":
                closing_section = units[j].text.strip() if CLOSING_HEADING.match(units[j].text) else ""
            if closing_section and roles[j] != "chrome":
                roles[j], reasons[j] = "chrome", f"closing section ({closing_section})"
            elif roles[j] in ("section", "between"):
                roles[j] = "closing"
    # Sections that hold no card are not sections of the deck; their text was left out.
    used = {c.section for c in cards}
    for i, role in enumerate(roles):
        if role == "section" and i not in used:
            roles[i] = "introduction" if not cards or i < cards[0].question else \
                ("closing" if i > cards[-1].question else "between")
    return Reading(family if pattern is None else "pattern", roles, reasons, cards, title)


def _sentence(text: str) -> bool:
    """A heading that reads as a sentence (a code comment turned into `# heading` by a broken
    fence, a remark): inside an answer it stays in the answer, it does not start a section."""
    text = text.strip()
    return text[-1:] in (".", "。", "!", "！", ";", "；") or count_words(text) > 14


def _follows(a: tuple[int, ...], b: tuple[int, ...], new_section: bool) -> bool:
    """Whether number `b` can come after `a` in one document's numbering (gaps of a few allowed,
    a repeat not: an answer's own list; a restart at 1 only in a new section)."""
    if len(a) == len(b) and a[:-1] == b[:-1] and a[-1] < b[-1] <= a[-1] + 4:
        return True
    if len(b) > 1 and b[0] in (a[0] + 1, a[0] + 2) and all(x <= 1 for x in b[1:]):
        return True  # 1.9 -> 2.1 (or 2.0)
    return new_section and b[-1] in (0, 1)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _mark_mirrors(units: Sequence[Unit], items: list[int], family: str) -> None:
    """A run of three or more items with nothing under them whose questions come again later:
    a table of contents written as a list of the questions. (One unanswered question asked again
    in another section is still a question.)"""
    keys = [_key(_question_text(units[i], family)) for i in items]
    later: set[str] = set()
    mirrored = [False] * len(items)
    for k in range(len(items) - 1, -1, -1):
        i = items[k]
        mark = units[i].mark(family)
        following = next((j for j in range(i + 1, len(units)) if not units[j].chrome and units[j].kind != "meta"), None)
        bare = not (mark is not None and mark.answered) and (following is None or following in items[k + 1:k + 2])
        mirrored[k] = bare and bool(keys[k]) and keys[k] in later
        if not mirrored[k]:
            later.add(keys[k])
    k = 0
    while k < len(items):
        if not mirrored[k]:
            k += 1
            continue
        run = k
        while run < len(items) and mirrored[run]:
            run += 1
        if run - k >= 3:
            for index in items[k:run]:
                units[index].chrome = "table of contents"
        k = run


def _in_sequence(units: Sequence[Unit], items: list[int], family: str) -> list[int]:
    """Where a family's items are numbered in one regular sequence, a numbered item that breaks
    it is not a question of that family (a numbered list inside an answer: `1. Open the file`)."""
    numbers = [units[i].mark(family).number for i in items]
    numbered = [n for n in numbers if n]
    if len(numbered) < 3 or _regularity(numbered) < 0.6:
        return items
    kept: list[int] = []
    last: tuple[int, ...] | None = None
    since = -1  # the last heading's unit
    headings = [i for i, u in enumerate(units) if u.kind == "heading" and not u.chrome]
    h = 0
    for i, number in zip(items, numbers, strict=True):
        while h < len(headings) and headings[h] < i:
            since = headings[h]
            h += 1
        if number is None or last is None or _follows(last, number, kept and since > kept[-1]):
            kept.append(i)
            last = number or last
    return kept


def _question_text(unit: Unit, family: str) -> str:
    mark = unit.mark(family)
    return mark.question if mark is not None else unit.text.split("\n", 1)[0]


def score(units: Sequence[Unit], reading: Reading) -> Reading:
    """The reading with its score and the evidence behind it."""
    cards = reading.cards
    n = len(cards)
    if not n:
        reading.score, reading.evidence = 0.0, {"items": 0}
        return reading
    questions = [_question_text(units[c.question], reading.family) for c in cards]
    asked = sum(reads_as_question(q) for q in questions) / n
    answered = sum(
        1 for c in cards
        if any(units[a].words or units[a].kind in ("code", "table") for a in c.answer)
        or (m := units[c.question].mark(reading.family)) is not None and m.answered
    ) / n
    numbers = [m.number for c in cards if (m := units[c.question].mark(reading.family)) and m.number]
    regular = _regularity(numbers) if len(numbers) >= 2 else 0.0
    content = sum(u.words for u in units if not u.chrome) or 1
    covered = sum(u.words for u, r in zip(units, reading.roles, strict=True)
                  if r in ("question", "answer", "section", "title"))
    cover = covered / content
    # answers that hold headings of their own, each with text under it: a finer family explains
    # the document better (`## Section` over `### Question`)
    nested = sum(1 for c in cards if any(units[a].kind == "heading" for a in c.answer)) / n
    reading.score = cover * (0.25 + asked) * (0.25 + answered) * (1 + 0.5 * regular) * math.log2(1 + n) \
        * (1 - 0.5 * nested)
    reading.evidence = {"items": n, "questions": round(asked, 2), "answered": round(answered, 2),
                        "numbering": round(regular, 2), "coverage": round(cover, 2), "nested": round(nested, 2)}
    return reading


def _regularity(numbers: list[tuple[int, ...]]) -> float:
    """The share of consecutive numbers that follow each other (12 -> 13, 1.9 -> 2.1, 5 -> 1)."""
    good = 0
    for a, b in zip(numbers, numbers[1:], strict=False):
        if len(a) == len(b) and a[:-1] == b[:-1] and b[-1] == a[-1] + 1:
            good += 1
        elif len(b) >= 1 and b[-1] == 1 and (len(b) == 1 or b[0] == a[0] + 1):
            good += 1  # a new section starts over at 1
        elif len(a) == len(b) and a[0] + 1 == b[0]:
            good += 1
    return good / (len(numbers) - 1)


def counted_when_repeated(sections: list) -> list:
    """Sections (title, span, cards) with their cards numbered by their place when the numbers a
    document gave repeat (numbering that starts over in each section), as they are otherwise."""
    numbers = [c.number for _, _, cards in sections for c in cards]
    if len(set(numbers)) == len(numbers):
        return sections
    import dataclasses

    count = iter(range(1, len(numbers) + 1))
    return [(title, span, [dataclasses.replace(c, number=(n := next(count)), answer_number=n, counted=True) for c in cards])
            for title, span, cards in sections]


def families(units: Sequence[Unit]) -> list[str]:
    """The families the document's units offer, in FAMILIES' order."""
    seen = {m.family for u in units if not u.chrome for m in u.marks}
    return [f for f in FAMILIES if f in seen]


def find(units: Sequence[Unit], forced: str = "auto") -> tuple[Reading, list[Reading]]:
    """The best reading of the units, and every candidate reading (best first) for `check -v`.
    `forced` names a family, or is a regular expression a question's first line matches."""
    if forced and forced != "auto":
        if forced in FAMILIES:
            reading = score(units, collect(units, forced))
        else:
            reading = score(units, collect(units, "pattern", re.compile(forced)))
        return reading, [reading]
    readings = [score(units, collect(units, f)) for f in families(units)]
    # one item that does not read as a question (a document's title) is not a reading of Q&A
    readings = [r for r in readings if len(r.cards) > 1 or r.evidence.get("questions", 0) > 0
                or r.family in HEADING_FAMILIES[1:]]
    readings.sort(key=lambda r: (-r.score, FAMILIES.index(r.family)))
    if not readings:
        return Reading("none", ["introduction"] * len(units), [""] * len(units), []), []
    return _fill_gaps(units, readings[0]), readings


def _fill_gaps(units: Sequence[Unit], reading: Reading) -> Reading:
    """A long stretch the best family leaves out (a README's coding exercises after its questions,
    marked otherwise) is read by the finder on its own; its cards are kept when they clearly are
    questions with answers."""
    content = sum(u.words for u in units if not u.chrome) or 1
    left = ("introduction", "between", "closing")
    i, n = 0, len(units)
    while i < n:
        if reading.roles[i] not in left:
            i += 1
            continue
        j = i
        while j < n and (reading.roles[j] in left or reading.roles[j] == "chrome"):
            j += 1
        words = sum(u.words for u, r in zip(units[i:j], reading.roles[i:j], strict=True) if r in left)
        strong = any(m.family in STRONG for u in units[i:j] for m in u.marks)
        if words >= max(100, 0.05 * content) or strong:
            _adopt(units, reading, i, j, 1 if strong else 3)
        i = j
    return reading


# markers that only ever mark a question: a stretch holding one is read even when it is short
STRONG = ("qa-markers", "label", "details")


def _adopt(units: Sequence[Unit], reading: Reading, start: int, stop: int, least: int = 3) -> None:
    part = units[start:stop]
    found = [score(part, collect(part, f)) for f in families(part)]
    found = [r for r in found if len(r.cards) >= least and r.evidence.get("questions", 0) >= 0.6
             and r.evidence.get("answered", 0) >= 0.6 and (len(r.cards) >= 3 or r.family in STRONG)]
    if not found:
        return
    best = max(found, key=lambda r: (r.score, -FAMILIES.index(r.family)))
    before = max((i for i in range(start) if reading.roles[i] == "section"), default=None)
    for k, role in enumerate(best.roles):
        if role == "title":
            role = "section"
        if role != "chrome" or reading.roles[start + k] != "chrome":
            reading.roles[start + k] = role
            reading.reasons[start + k] = best.reasons[k]
    for card in best.cards:
        reading.cards.append(Planned(card.question + start, [a + start for a in card.answer],
                                     card.section + start if card.section is not None else before, best.family))
    reading.cards.sort(key=lambda c: c.question)
    reading.also.append((best.family, units[start].line, units[stop - 1].end))


def describe(readings: Sequence[Reading], chosen: Reading) -> list[str]:
    """Lines for `check -v`: each candidate, its score and evidence; why the winner won."""
    out = []
    for reading in readings:
        e = reading.evidence
        mark = "*" if reading is chosen else " "
        out.append(f"{mark} {reading.family}: score {reading.score:.2f} ({e.get('items', 0)} items, "
                   f"{round(100 * e.get('questions', 0))}% read as questions, "
                   f"{round(100 * e.get('answered', 0))}% answered, "
                   f"numbering {round(100 * e.get('numbering', 0))}%, "
                   f"{round(100 * e.get('coverage', 0))}% of the text in cards)")
    return out


def seen(units: Sequence[Unit]) -> str:
    """What the document offers, for a message: `166 bold lines ending in ?, 19 ## headings`."""
    names = {"list-heading": "headings in list items", "list-item": "list items with answers",
             "details": "accordions", "dt": "definition terms", "label": "Q:/A: labels",
             "qa-markers": "Q12./A12. markers", "bold": "bold lines", "numbered": "numbered lines",
             "question-line": "lines ending in ?"}
    counts: dict[str, list[int]] = {}
    for unit in units:
        for mark in unit.marks:
            pair = counts.setdefault(mark.family, [0, 0])
            pair[0] += 1
            pair[1] += reads_as_question(mark.question)
    parts = []
    for family in FAMILIES:
        if family in counts:
            total, asked = counts[family]
            name = f"{'#' * int(family[1])} headings" if family in HEADING_FAMILIES else names[family]
            parts.append(f"{total} {name} ({asked} reading as questions)")
    return ", ".join(parts) if parts else "no headings, bold lines, labels, accordions or numbered lines"
