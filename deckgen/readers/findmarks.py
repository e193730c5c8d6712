"""The structure finder's vocabulary (readers/structure.py composes it): what a block offers and
what a line says, in any language. It depends on nothing else in deckgen.

Contract:
- `Unit` is a block of a document as every reader hands it to the finder; `Mark` is one question
  marker a unit offers, of one family (FAMILIES, in the order ties are broken).
- The predicates read one line and never look at its neighbours: `reads_as_question` (a question
  mark of any script, an interrogative or an instruction word), `ends_as_question`, `is_reveal`
  (an accordion summary that only hides an answer), `strip_number` (`12. What…` -> the text and
  (12,)), `count_words` (CJK characters two to a word).
- The patterns (QUESTION_END, NUMBER, FURNITURE_HEADING, CLOSING_HEADING, SIGN_OFF...) are shared
  with the readers, which import them from readers/structure.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The families, in the order ties are broken; the values the `question` setting names.
FAMILIES = ("h1", "h2", "h3", "h4", "h5", "h6", "list-heading", "list-item", "details", "dt", "label",
            "qa-markers", "bold", "numbered", "question-line")
HEADING_FAMILIES = ("h1", "h2", "h3", "h4", "h5", "h6")

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
    follow_ups: bool = False  # what the unit holds below its question asks more (follow-up questions)


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
    links: bool = False  # a list of links (addresses) and nothing else

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

