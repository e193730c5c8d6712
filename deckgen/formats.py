"""The output formats: one record each, the only place that knows what a format is.

A format has a name (what `--format` and the `formats` setting take), the suffix of its file
beside the others in the output folder, the settings and templates that shape its bytes (the
build record compares them), and its writer. A writer is named "module:function" and imported
only when a build makes that format, so a build of the deck alone never imports WeasyPrint.

Two kinds of writer:
- `output(plan, settings) -> Rendered`: the whole output in one call (the Anki deck, the handout);
- `pdf`: a module offering `parts`, `lay_out`, `frame`, `lay_out_frame` and `assemble`
  (writers/cheatsheet.py, writers/flashcards.py; the PdfWriter protocol in writers/pdf.py), laid
  out part by part by the PDF workers (layout.py) and cached.

Most formats are made per source (NAME.apkg beside NAME.html). A format of the repository
(`scope="repository"`: the deck site, build/index.html, and build/all.apkg) is made once from
every source's plan and the outputs written before it, by `output(repository, settings)` (a build.RepositoryBuild).

A new format is one entry here and its writer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    settings: tuple[str, ...]  # the settings that shape its bytes
    templates: tuple[str, ...]  # name prefixes of the templates that shape it
    writer: str  # "module:function" rendering (plan, settings) -> Rendered; "" for a PDF
    pdf: str = ""  # the module laying it out in parts (parts, lay_out, assemble); "" for none
    checks: str = ""  # "module:function" refusing settings it cannot be made with (before any writing)
    help: str = ""
    label: str = ""  # how the deck site names the file
    scope: str = "source"  # or "repository": one file for every source (`file`)
    file: str = ""  # a repository format's file name in the output folder
    at_least: int = 1  # a repository format is made when the build has this many sources

    def render(self) -> Callable[[Any, Any], Any]:
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)

    def pdf_writer(self) -> Any:
        return importlib.import_module(self.pdf)

    def check_settings(self, settings: Any) -> None:
        if self.checks:
            module, _, function = self.checks.partition(":")
            getattr(importlib.import_module(module), function)(settings)


FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("apkg", ".apkg", ("deck_name", "note_type"), ("anki", "_blocks"),
                 "deckgen.writers.apkg:output", help="the Anki deck",
                 label="Anki deck"),
    OutputFormat("cheatsheet", ".cheatsheet.pdf", ("paper", "orientation", "columns", "language"),
                 ("cheatsheet", "print", "_blocks"), "", pdf="deckgen.writers.cheatsheet",
                 help="the PDF cheat sheet", label="Cheat sheet (PDF)"),
    OutputFormat("cards", ".cards.pdf", ("paper", "card_size", "duplex", "back_offset", "language"),
                 ("flashcards", "_blocks"), "", pdf="deckgen.writers.flashcards",
                 checks="deckgen.writers.pdf:check_print_settings",
                 help="the printable flashcards", label="Flashcards (PDF)"),
    OutputFormat("html", ".html", ("language",), ("handout", "_blocks"), "deckgen.writers.html:output",
                 help="the HTML handout", label="Handout"),
    OutputFormat("all", "", ("site_title", "deck_name", "note_type"), ("anki", "_blocks"),
                 "deckgen.writers.apkg:output_all", help="every deck in one Anki package",
                 scope="repository", file="all.apkg", at_least=2),
    OutputFormat("site", "", ("site_title", "site_description", "language"), ("site",),
                 "deckgen.writers.site:output", help="the deck site: every deck on one page",
                 scope="repository", file="index.html"),
)}
NAMES = tuple(FORMATS)


def is_pdf(name: str) -> bool:
    return bool(FORMATS[name].pdf)


def of_repository(name: str) -> bool:
    return FORMATS[name].scope == "repository"


def file_name(stem: str, name: str) -> str:
    """The output's file name in the output folder: NAME.apkg, NAME.cheatsheet.pdf..."""
    return stem + FORMATS[name].suffix
