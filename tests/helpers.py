"""Test helpers: read outputs back the way users meet them (Anki engine, pypdf)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from deckgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
RNN = ROOT / "source" / "rnn-interview-questions.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    """Run the CLI in `cwd` as a user would; returns click's Result (exit_code, stdout, stderr)."""
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def project(tmp_path: Path, files: dict[str, str] | None = None, rnn: bool = False) -> Path:
    """A deck repository in tmp_path: source/ with the given files (and the RNN document)."""
    source = tmp_path / "source"
    source.mkdir(parents=True, exist_ok=True)
    if rnn:
        shutil.copy(RNN, source / RNN.name)
    for name, text in (files or {}).items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    return tmp_path


@dataclass
class Imported:
    log: object
    notes: int
    cards: int
    decks: list[str]


def import_apkg(apkg: Path, collection: Path) -> Imported:
    """Import with the real Anki engine, updating only notes that are newer (Anki's default)."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    col = Collection(str(collection))
    try:
        options = ImportAnkiPackageOptions(
            merge_notetypes=False, with_scheduling=False, with_deck_configs=False,
            update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        )
        log = col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(apkg), options=options)
        ).log
        decks = sorted(d.name for d in col.decks.all_names_and_ids())
        return Imported(log, col.note_count(), col.card_count(), decks)
    finally:
        col.close()


def notes(collection: Path) -> list[dict]:
    """Every note in a collection: guid, tags, fields, deck of its card."""
    from anki.collection import Collection

    col = Collection(str(collection))
    try:
        found = []
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            card = note.cards()[0]
            found.append({
                "guid": note.guid, "tags": note.tags, "mod": note.mod,
                "fields": dict(zip(note.keys(), note.fields, strict=True)),
                "deck": col.decks.name(card.did),
            })
        return found
    finally:
        col.close()


def pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def squash(text: str) -> str:
    """Text with all white space folded, for comparing text that a layout wrapped
    (a line broken after a hyphen joins up again)."""
    return " ".join(text.replace("-\n", "-").split())


def text_positions(page) -> list[tuple[str, float, float]]:
    """Each text run on a pypdf page with where it starts, in mm from the page's top-left."""
    height = float(page.mediabox.height)
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            runs.append((text.strip(), x * 25.4 / 72, (height - y) * 25.4 / 72))

    page.extract_text(visitor_text=visit)
    return runs


def page_mm(page) -> tuple[float, float]:
    box = page.mediabox
    return round(float(box.width) * 25.4 / 72, 1), round(float(box.height) * 25.4 / 72, 1)


def pdf_fonts(reader) -> list:
    """Every font dictionary a PDF's pages use, those inside form XObjects (the cheat sheet's
    imposed columns) included."""
    found, seen = [], set()

    def visit(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                found.append(font)
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                seen.add(id(xobject))
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


def glyph_coverage(pdf: Path) -> set[str]:
    """Characters drawn with a real glyph (not .notdef, not empty) of a font embedded in `pdf`.

    A PDF reader "finding" text proves nothing (a missing glyph still extracts); this reads each
    embedded font with fontTools and keeps a character only when its glyph has an outline.
    """
    import io
    import re

    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    covered: set[str] = set()
    seen = set()
    for font in pdf_fonts(PdfReader(str(pdf))):
        if id(font) in seen or "/DescendantFonts" not in font:
            continue
        seen.add(id(font))
        cid_font = font["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"]
        stream = next(descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor)
        tt = TTFont(io.BytesIO(stream.get_object().get_data()))
        glyphs = tt.getGlyphSet()
        order = tt.getGlyphOrder()
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        pairs = re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", cmap)
        for cid_hex, uni_hex in pairs:
            gid = int(cid_hex, 16)
            if gid == 0 or gid >= len(order):
                continue
            pen = BoundsPen(glyphs)
            glyphs[order[gid]].draw(pen)
            if pen.bounds is None:
                continue
            text = bytes.fromhex(uni_hex).decode("utf-16-be", errors="ignore")
            covered.update(text)
    return covered


def outputs(folder: Path) -> list[str]:
    """The outputs in a build folder, without the build record (.deckgen-record.json)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def anki_session(collection: Path):
    """The user's collection opened with the real Anki engine (close it when done)."""
    from anki.collection import Collection

    return Collection(str(collection))


def places(root: Path) -> dict[str, int]:
    """Card id -> place (1-based) in the one source's ids file under root/source: how a test
    finds a Markdown card's note, as Anki's Number field holds only a number the source gave."""
    found = sorted((root / "source").glob("*.ids.json"))
    assert len(found) == 1, found
    return {card["id"]: n for n, card in enumerate(json.loads(found[0].read_text("utf-8"))["cards"], start=1)}


def find_note(col, place: int | None = None, **field_values):
    """The one note whose fields hold these exact values (e.g. Number="39"), or (`place`) the
    note of the card at that place, for a collection at ROOT/user/collection.anki2."""
    if place is not None:
        by_place = {n: card_id for card_id, n in places(Path(col.path).parents[1]).items()}
        field_values["Id"] = by_place[place]
    query = " ".join(f'"{name}:{value}"' for name, value in field_values.items())
    found = col.find_notes(query)
    assert len(found) == 1, (query, found)
    return col.get_note(found[0])


def export(collection: Path, out: Path, kind: str, deck: str | None = None) -> Path:
    """Export as Anki's File > Export does: kind is "apkg" (current format), "legacy" (the
    "support older Anki versions" package) or "colpkg" (the whole collection)."""
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    col = anki_session(collection)
    try:
        if kind == "colpkg":
            col.export_collection_package(out_path=str(out), include_media=True, legacy=False)
        else:
            did = col.decks.id_for_name(deck)
            options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False,
                                               with_media=True, legacy=kind == "legacy")
            col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(did))
    finally:
        col.close()
    return out


def poppler_boxes(pdf: Path, unit: str = "word") -> list[tuple[int, str, float, float]]:
    """(page index, text, x, y) of every word (or line) as poppler lays out the pages, in mm from
    the page's top-left. Poppler places text drawn inside form XObjects (the cheat sheet's
    imposed columns) where it appears on the page."""
    import html
    import re
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    mm = 25.4 / 72
    found = []
    for index, page in enumerate(out.split("<page ")[1:]):
        if unit == "word":
            for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page):
                found.append((index, html.unescape(word), float(x) * mm, float(y) * mm))
        else:
            for line in re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</line>', page, re.DOTALL):
                x, y, body = line
                words = [html.unescape(w) for w in re.findall(r">([^<]*)</word>", body)]
                found.append((index, " ".join(words), float(x) * mm, float(y) * mm))
    return found


def children(pid: int) -> list[str]:
    """The forked workers of a build (its child processes other than git), sorted."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(c for c in found if Path(f"/proc/{c}/comm").read_text().strip() != "git")
    except OSError:
        return []
