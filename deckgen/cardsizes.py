"""The flashcard sizes, the only place they are named (the card-size setting offers these and
"auto"), with the type sizes a side may shrink through. No PDF library is imported here: the
settings read the names."""

from __future__ import annotations

from dataclasses import dataclass

INCH = 25.4
# the content box inside a card: padding for the meta line on top and the id line below
PAD_X, PAD_TOP, PAD_BOTTOM = 5.0, 8.0, 6.0
ANSWER_SIZES = (10.0, 9.0, 8.0, 7.5, 7.0)  # pt, largest first; 7 pt is the floor
QUESTION_SIZES = (13.0, 11.5, 10.0, 9.0, 8.0, 7.0)


@dataclass(frozen=True)
class CardSize:
    name: str
    width: float  # mm
    height: float
    columns: int
    rows: int
    scale: float = 1.0  # type size relative to the eight-up card's
    letter_only: bool = False  # label stock sold in US Letter sheets

    def ladder(self, side: str) -> tuple[float, ...]:
        """The type sizes to try for a side, largest first, never under the 7 pt floor."""
        base = QUESTION_SIZES if side == "front" else ANSWER_SIZES
        sizes = {max(7.0, round(size * self.scale * 2) / 2) for size in base} | {7.0}
        return tuple(sorted(sizes, reverse=True))


# The card sizes, the only place they are named (the card-size setting offers these and "auto")
CARD_SIZES = {size.name: size for size in (
    CardSize("eight-up", 95.0, 64.0, 2, 4),  # 8 a sheet, A4 or Letter
    CardSize("index-3x5", 5 * INCH, 3 * INCH, 1, 3, 1.25),  # 3 a Letter sheet
    CardSize("business", 3.5 * INCH, 2 * INCH, 2, 5, 0.85),  # 10 a sheet
    # Label stock, placed where the stock's perforations are (the cards are centred on the sheet,
    # which is where Avery's published templates put them):
    # Avery 5388 "Index Cards, 3 x 5 in", 3 per 8.5 x 11 in sheet: 1.75 in side and 1 in top margins.
    CardSize("avery-5388", 5 * INCH, 3 * INCH, 1, 3, 1.25, letter_only=True),
    # Avery 5371 "Business Cards, 2 x 3.5 in", 10 per sheet: 0.75 in side and 0.5 in top margins.
    CardSize("avery-5371", 3.5 * INCH, 2 * INCH, 2, 5, 0.85, letter_only=True),
)}
LETTER_ONLY = tuple(name for name, size in CARD_SIZES.items() if size.letter_only)
FOLDING = tuple(name for name, size in CARD_SIZES.items() if size.columns == 2)
DEFAULT_CARD_SIZE = {"a4": "eight-up", "letter": "eight-up"}  # card size "auto", by paper
