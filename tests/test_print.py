"""Print: the cheat sheet and the duplex flashcards, read back with pypdf."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from deckgen.readers.text import read_text
from tests.helpers import (
    RNN,
    page_mm,
    pdf_fonts,
    pdf_text,
    poppler_boxes,
    project,
    run,
    squash,
    text_positions,
)

NAME = "rnn-interview-questions"
CARDS = read_text(RNN.read_text(encoding="utf-8"), "r", "R").cards


def build(tmp_path, *args, files=None, env=None):
    root = project(tmp_path, files, rnn=files is None)
    result = run(["build", *args], root, env=env)
    assert result.exit_code == 0, result.output
    return root, result


def last_words(card, n=4):
    return squash(" ".join(card.answer_text.split()[-n:]))


@pytest.mark.slow
def test_cheatsheet_keeps_every_card_on_one_page(rnn_build):
    pages = [squash(t) for t in pdf_text(rnn_build / "build" / f"{NAME}.cheatsheet.pdf")]
    assert len(pages) >= 2  # the test means something only if there are page breaks
    for card in CARDS:
        holding = [i for i, text in enumerate(pages) if squash(card.question_text) in text]
        assert len(holding) == 1, card.question_text
        assert last_words(card) in pages[holding[0]], f"Q{card.number} is split across pages"


@pytest.mark.slow
def test_cheatsheet_outline_metadata_and_fonts(rnn_build):
    reader = PdfReader(str(rnn_build / "build" / f"{NAME}.cheatsheet.pdf"))
    assert [o["/Title"] for o in reader.outline] == [
        "Basics of RNNs", "Training RNNs", "Variants of RNNs", "Architecture and Design",
        "Optimization and Regularization", "Practical Applications", "Advanced Topics"]
    assert reader.metadata.title == "RNN frequent Interview Questions"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    fonts = []
    for font in pdf_fonts(reader):  # the sheet's own and those of the columns laid on it
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
        fonts.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert len(fonts) >= 2 and all(fonts)


@pytest.mark.slow
def test_cheatsheet_header_and_footer(rnn_build):
    reader = PdfReader(str(rnn_build / "build" / f"{NAME}.cheatsheet.pdf"))
    sections = {"Basics of RNNs", "Advanced Topics"}
    for number, page in enumerate(reader.pages, start=1):
        runs = text_positions(page)
        header = [text for text, _, y in runs if y < 12]
        footer = [text for text, _, y in runs if y > 285]
        assert "RNN frequent Interview Questions" in header
        assert sections & set(header)  # the current section, on the right
        assert f"page {number} of {len(reader.pages)}" in footer


@pytest.mark.slow
def test_cheatsheet_date_comes_from_source_date_epoch(tmp_path):
    root, _ = build(tmp_path, "--format", "cheatsheet", env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert "2026-01-01" in pdf_text(root / "build" / f"{NAME}.cheatsheet.pdf")[0]
    plain, _ = build(tmp_path / "plain", "--format", "cheatsheet")  # no git, no epoch: no date
    assert not re.search(r"\d{4}-\d\d-\d\d", " ".join(pdf_text(plain / "build" / f"{NAME}.cheatsheet.pdf")))


@pytest.mark.slow
@pytest.mark.parametrize(("args", "size"), [
    ((), (210.0, 297.0)), (("--paper", "letter"), (215.9, 279.4)),
    (("--orientation", "landscape"), (297.0, 210.0)),
])
def test_cheatsheet_paper(tmp_path, args, size):
    root, _ = build(tmp_path, "--format", "cheatsheet", *args)
    reader = PdfReader(str(root / "build" / f"{NAME}.cheatsheet.pdf"))
    assert {page_mm(p) for p in reader.pages} == {size}


@pytest.mark.slow
def test_cheatsheet_columns(tmp_path):
    two, _ = build(tmp_path / "two", "--format", "cheatsheet", "--columns", "2")
    three, _ = build(tmp_path / "three", "--format", "cheatsheet", "--columns", "3")
    def starts(root):
        words = poppler_boxes(root / "build" / f"{NAME}.cheatsheet.pdf")
        return {round(x) for page, text, x, _ in words if page == 0 and re.match(r"Q\d+$", text)}
    assert len(starts(two)) == 2 and len(starts(three)) == 3


def faces(reader):
    """Per page: card label (Q12) -> (x, y) of its meta line, the card's top-left plus padding."""
    found = []
    for page in reader.pages:
        where = {}
        for text, x, y in text_positions(page):
            match = re.match(r"(Q\d+) ·", text)
            if match:
                where[match[1]] = (x, y)
        found.append(where)
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "size", "card", "per_sheet"), [
    ("a4", "auto", (95.0, 64.0), 8), ("letter", "auto", (95.0, 64.0), 8),
    ("letter", "index-3x5", (127.0, 76.2), 3), ("a4", "business", (88.9, 50.8), 10),
])
def test_flashcards_long_edge_backs_lie_behind_fronts(tmp_path, paper, size, card, per_sheet):
    root, _ = build(tmp_path, "--format", "cards", "--paper", paper, "--card-size", size)
    reader = PdfReader(str(root / "build" / f"{NAME}.cards.pdf"))
    width, height = page_mm(reader.pages[0])
    assert {page_mm(p) for p in reader.pages} == {(width, height)}
    assert len(reader.pages) == 2 * -(-80 // per_sheet)  # whole sheets, the last one padded
    pages = faces(reader)
    seen = set()
    for sheet in range(0, len(pages), 2):
        front, back = pages[sheet], pages[sheet + 1]
        assert set(front) == set(back) and 0 < len(front) <= per_sheet
        for label, (fx, fy) in front.items():
            bx, by = back[label]
            # flipped around the long (vertical) edge: the back's left edge is W - front's right edge
            assert abs((bx - 5) - (width - (fx - 5) - card[0])) < 0.3, label
            assert abs(by - fy) < 0.3, label
            seen.add(label)
    assert len(seen) == 80
    text = squash(" ".join(pdf_text(root / "build" / f"{NAME}.cards.pdf")))
    assert all(squash(c.question_text) in text and last_words(c) in text for c in CARDS)


@pytest.mark.slow
def test_flashcards_short_edge_mirrors_rows(tmp_path):
    root, _ = build(tmp_path, "--format", "cards", "--duplex", "short-edge")
    reader = PdfReader(str(root / "build" / f"{NAME}.cards.pdf"))
    width, height = page_mm(reader.pages[0])
    pages = faces(reader)
    # flipped around the short (top) edge: same column, the row mirrored, so front y + back y
    # is the same for every card (height - card height + twice the text's offset in the card)
    sums = {round(pages[1][label][1] + fy, 1) for label, (_, fy) in pages[0].items()}
    assert len(pages[0]) == 8 and max(sums) - min(sums) < 0.3
    for label, (fx, _) in pages[0].items():
        assert abs(pages[1][label][0] - fx) < 0.3
    assert pages[1]["Q1"][1] > height / 2 > pages[0]["Q1"][1]  # top row's backs at the bottom


@pytest.mark.slow
def test_flashcards_side_by_side_for_single_sided_printers(tmp_path):
    root, _ = build(tmp_path, "--format", "cards", "--duplex", "none")
    reader = PdfReader(str(root / "build" / f"{NAME}.cards.pdf"))
    assert len(reader.pages) == 20  # four cards a page, front and back side by side
    first = squash(pdf_text(root / "build" / f"{NAME}.cards.pdf")[0])
    for card in CARDS[:4]:
        assert squash(card.question_text) in first and last_words(card) in first
    positions = {t: (x, y) for t, x, y in text_positions(reader.pages[0])}
    assert positions["Q1 · Basics of RNNs"][1] == pytest.approx(positions["Q1 · Basics of RNNs · answer"][1])


@pytest.mark.slow
def test_long_answer_gets_smaller_type_then_a_warning(tmp_path):
    medium = " ".join(["A sentence of moderate length about recurrent networks."] * 9)
    huge = " ".join(["word"] * 700)
    text = f"Q1. Medium?\nA1. {medium}\n\nQ2. Huge?\nA2. {huge}\n"
    root, result = build(tmp_path, "--format", "cards", files={"d.txt": text})
    assert ("source/d.txt:5:1: warning: Q2's answer does not fit a eight-up card even at 7 pt; "
            "it is cut off on the card [DG203]") in result.stderr
    assert "Q1's answer" not in result.stderr
    reader = PdfReader(str(root / "build" / "d.cards.pdf"))
    sizes = {}

    def visit(text, cm, tm, font, size):
        if "moderate" in text:
            sizes["medium"] = size * cm[0] * tm[0]
    reader.pages[1].extract_text(visitor_text=visit)
    assert 7 <= sizes["medium"] < 10  # shrunk from the 10 pt default, not below the floor
    strict = run(["build", "--format", "cards", "--strict"], root)
    assert strict.exit_code == 1


@pytest.mark.slow
def test_only_the_sheet_with_a_spilled_face_is_laid_out_again(tmp_path, monkeypatch):
    """A long answer on the second of three sheets: that sheet comes back at the smaller type,
    in its place; the other sheets keep the first layout's pages (and their full-size type)."""
    from deckgen.writers import pdf as pdf_writer

    laid_out = []
    real_layout = pdf_writer.layout

    def counting(html, allowed):
        document = real_layout(html, allowed)
        laid_out.append((html.count('class="sheet'), len(document.pages)))
        return document
    monkeypatch.setattr(pdf_writer, "layout", counting)
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # laid out in this process, where it is counted
    long = " ".join(["A sentence of moderate length about recurrent networks."] * 9) + " Closingword."
    text = "".join(f"Q{n}. Question {n}?\nA{n}. {long if n == 12 else f'Short answer {n}.'}\n\n"
                   for n in range(1, 25))
    root, _ = build(tmp_path, "--format", "cards", "--no-cache", files={"d.txt": text})
    assert laid_out[0] == (6, 6) and laid_out[-1] == (2, 2)  # all three sheets, then the second only
    reader = PdfReader(str(root / "build" / "d.cards.pdf"))
    labels = [sorted(int(m[1]) for text, _, _ in text_positions(page) if (m := re.fullmatch(r"Q(\d+)( · answer)?", text)))
              for page in reader.pages]
    assert labels == [list(range(1, 9))] * 2 + [list(range(9, 17))] * 2 + [list(range(17, 25))] * 2
    sizes = {}

    def visit(text, cm, tm, font, size, page):
        for word in ("Closingword", "Short answer"):
            if word in text:
                sizes.setdefault((page, word), size * cm[0] * tm[0])
    for number, page in enumerate(reader.pages):
        page.extract_text(visitor_text=lambda *a, n=number: visit(*a, n))
    assert 7 <= sizes[(3, "Closingword")] < 10  # Q12's answer, whole, smaller, on the second back
    assert sizes[(3, "Short answer")] == pytest.approx(10, abs=0.01) == sizes[(1, "Short answer")]


@pytest.mark.slow
def test_an_answer_far_past_its_sheet_does_not_shift_the_others(tmp_path):
    """An answer of many blocks runs so far past the sheet that WeasyPrint never lays out its end;
    the faces after it on the page are still judged by their own ends: the long one is warned
    about and set small, the short one beside it keeps its full size."""
    huge = "\n\n".join(" ".join(["word"] * 30) + "." for _ in range(80))
    text = f"# Deck\n\n## Part\n\n### Short?\n\nShort answer.\n\n### Huge?\n\n{huge}\n"
    root, result = build(tmp_path, "--format", "cards", "--no-cache", files={"d.md": text})
    assert "Q2's answer does not fit a eight-up card even at 7 pt" in result.stderr
    assert "Q1's answer" not in result.stderr
    reader = PdfReader(str(root / "build" / "d.cards.pdf"))
    sizes = {}

    def visit(text, cm, tm, font, size):
        for word in ("Short answer", "word"):
            if word in text:
                sizes.setdefault(word, size * cm[0] * tm[0])
    reader.pages[1].extract_text(visitor_text=visit)  # the backs: the huge one first
    assert sizes["Short answer"] == pytest.approx(10, abs=0.01) and sizes["word"] == pytest.approx(7, abs=0.01)


@pytest.mark.slow
def test_cheatsheet_never_splits_a_card_across_columns_or_strands_a_heading(rnn_build):
    pdf = rnn_build / "build" / f"{NAME}.cheatsheet.pdf"
    runs = poppler_boxes(pdf) + [(p, text, x, y) for p, text, x, y in poppler_boxes(pdf, "line")
                                 if text in ("Basics of RNNs", "Training RNNs", "Advanced Topics")]

    def where(predicate):
        return [(p, x, y) for p, text, x, y in runs if predicate(text)]

    for card in CARDS:
        start = where(lambda t, n=card.number: t == f"Q{n}")
        last = card.answer_text.split()[-1]
        tail = where(lambda t, w=last: t.endswith(w))
        assert len(start) == 1, card.number
        page, x, y = start[0]
        assert any(p == page and x - 1 < tx < x + 60 and ty > y for p, tx, ty in tail), f"Q{card.number} split"  # same column, below
    firsts = {"Basics of RNNs": 1, "Training RNNs": 6, "Advanced Topics": 31}
    for heading, number in firsts.items():
        (hp, hx, hy), = [w for w in where(lambda t, h=heading: t == h) if w[2] > 12]  # not the header
        (qp, qx, qy), = where(lambda t, n=number: t == f"Q{n}")
        assert hp == qp and abs(hx - qx) < 4 and 0 < qy - hy < 10, heading


@pytest.mark.slow
def test_big_decks_are_laid_out_in_parts_and_joined(tmp_path, monkeypatch):
    monkeypatch.setattr("deckgen.writers.pdf.CHUNK_SHEETS", 3)  # 24 cards a part: 4 parts for 80
    root, _ = build(tmp_path, "--format", "cards", env={"SOURCE_DATE_EPOCH": "1767225600"})
    pdf = root / "build" / f"{NAME}.cards.pdf"
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 20 and reader.metadata.title == "RNN frequent Interview Questions"
    pages = faces(reader)
    assert sum(len(p) for p in pages[::2]) == 80
    for front, back in zip(pages[::2], pages[1::2], strict=True):
        for label, (fx, fy) in front.items():
            assert abs((back[label][0] - 5) - (210 - (fx - 5) - 95)) < 0.3 and abs(back[label][1] - fy) < 0.3
    first = pdf.read_bytes()
    (root / "build" / ".deckgen-record.json").unlink()
    assert run(["build", "--format", "cards"], root, env={"SOURCE_DATE_EPOCH": "1767225600"}).exit_code == 0
    assert pdf.read_bytes() == first


@pytest.mark.slow
def test_type_scales_with_the_card_size(tmp_path):
    def answer_size(card_size):
        root, _ = build(tmp_path / card_size, "--format", "cards", "--paper", "letter", "--card-size", card_size)
        sizes = []

        def visit(text, cm, tm, font, size):
            if text.startswith("An RNN is a type"):
                sizes.append(round(size * cm[0] * tm[0], 1))
        PdfReader(str(root / "build" / f"{NAME}.cards.pdf")).pages[1].extract_text(visitor_text=visit)
        return sizes[0]

    assert answer_size("business") < answer_size("eight-up") < answer_size("index-3x5")


@pytest.mark.slow
def test_back_offset_moves_the_backs_only_and_by_exactly_that(tmp_path):
    plain, _ = build(tmp_path / "plain", "--format", "cards")
    moved, _ = build(tmp_path / "moved", "--format", "cards", "--back-offset", "1.5,-0.5")
    before = faces(PdfReader(str(plain / "build" / f"{NAME}.cards.pdf")))
    after = faces(PdfReader(str(moved / "build" / f"{NAME}.cards.pdf")))
    for page, (old, new) in enumerate(zip(before, after, strict=True)):
        assert old.keys() == new.keys()
        for label, (x, y) in old.items():
            dx, dy = (1.5, -0.5) if page % 2 else (0.0, 0.0)  # odd pages are the backs
            assert abs(new[label][0] - x - dx) < 0.05 and abs(new[label][1] - y - dy) < 0.05, (page, label)


@pytest.mark.slow
def test_back_offset_decides_whether_the_cards_are_up_to_date(tmp_path):
    root, _ = build(tmp_path, "--format", "cards")
    again = run(["build", "--format", "cards", "--back-offset", "2,0"], root)
    assert again.exit_code == 0 and "wrote build/" in again.stdout and "unchanged" not in again.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("size", "first", "width", "height"), [
    ("avery-5388", (44.45, 25.4), 127.0, 76.2),   # Avery 5388: 1.75 in side, 1 in top margin
    ("avery-5371", (19.05, 12.7), 88.9, 50.8),    # Avery 5371: 0.75 in side, 0.5 in top margin
])
def test_label_stock_presets_sit_on_the_templates(tmp_path, size, first, width, height):
    root, _ = build(tmp_path, "--format", "cards", "--paper", "letter", "--card-size", size)
    reader = PdfReader(str(root / "build" / f"{NAME}.cards.pdf"))
    assert {page_mm(p) for p in reader.pages} == {(215.9, 279.4)}
    front = faces(reader)[0]
    xs = sorted({round(x - 5, 2) for x, _ in front.values()})
    ys = sorted({y for _, y in front.values()})
    assert abs(xs[0] - first[0]) < 0.5
    assert all(abs((b - a) - width) < 0.5 for a, b in zip(xs, xs[1:], strict=False))
    assert all(abs((b - a) - height) < 0.5 for a, b in zip(ys, ys[1:], strict=False))
    eight, _ = build(tmp_path / "eight", "--format", "cards", "--paper", "letter")
    top_eight = min(y for _, y in faces(PdfReader(str(eight / "build" / f"{NAME}.cards.pdf")))[0].values())
    assert abs((ys[0] - top_eight) - (first[1] - (279.4 - 4 * 64.0) / 2)) < 0.5


@pytest.mark.slow
def test_fold_puts_each_back_beside_its_front_mirrored(tmp_path):
    root, _ = build(tmp_path, "--format", "cards", "--duplex", "fold")
    reader = PdfReader(str(root / "build" / f"{NAME}.cards.pdf"))
    assert len(reader.pages) == 20  # four cards a sheet
    width = 210.0
    for page in reader.pages:
        runs = text_positions(page)
        fronts = {m[1]: (x, y) for text, x, y in runs if (m := re.match(r"(Q\d+) ·(?!.*answer)", text))}
        backs = {m[1]: (x, y) for text, x, y in runs if (m := re.match(r"(Q\d+) · .*answer", text))}
        assert fronts.keys() == backs.keys() and len(fronts) <= 4
        for label, (fx, fy) in fronts.items():
            bx, by = backs[label]
            assert abs((bx - 5) - (width - (fx - 5) - 95.0)) < 0.3 and abs(by - fy) < 0.3
    assert "fold" in pdf_text(root / "build" / f"{NAME}.cards.pdf")[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--card-size", "avery-5388"], "card size avery-5388 is label stock on US Letter sheets: use --paper letter"),
    (["--duplex", "fold", "--card-size", "index-3x5", "--paper", "letter"], "--duplex fold needs two columns"),
    (["--duplex", "none", "--back-offset", "1,1"], "--back-offset moves the back pages of duplex printing"),
    (["--back-offset", "1;1"], "must be X,Y in millimetres"),
])
def test_print_settings_that_do_not_fit_together(tmp_path, args, message):
    root = project(tmp_path, rnn=True)
    result = run(["build", "--format", "cards", *args], root)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_calibration_sheet_geometry(tmp_path):
    pdf = tmp_path / "cal.pdf"
    result = run(["calibrate", "--duplex", "long-edge", "--back-offset", "1.5,-0.5", "-o", str(pdf)], tmp_path)
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(pdf))
    assert [page_mm(p) for p in reader.pages] == [(210.0, 297.0)] * 2
    words = poppler_boxes(pdf)
    fronts = {t: (x, y) for p, t, x, y in words if p == 0 and re.fullmatch(r"F\d+", t)}
    backs = {t: (x, y) for p, t, x, y in words if p == 1 and re.fullmatch(r"B\d+", t)}
    assert len(fronts) == len(backs) == 15  # every corner of the eight-up grid
    for label, (fx, fy) in fronts.items():
        bx, by = backs["B" + label[1:]]
        # the back's cross sits behind the front's (mirrored left-right), moved by the offset
        assert abs((bx - 0.6) - (210.0 - (fx - 0.6) + 1.5)) < 0.3, label
        assert abs((by - 2.6) - ((fy + 0.6) - 0.5)) < 0.3, label
    wrong = run(["calibrate", "--duplex", "none", "-o", str(pdf)], tmp_path)
    assert wrong.exit_code == 2  # not a choice: calibrate measures duplex printing
