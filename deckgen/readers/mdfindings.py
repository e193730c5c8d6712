"""What reading a Markdown document finds besides its blocks: diagnostics, images, inner links.

Contract: one `Findings` per document (or fragment), shared by every part of the Markdown reader
that reads it, so that its diagnostics keep the order they were found in. Places are lines of
the source (`path`); a token without a map is placed on line 1. Images are the files beside the
source that the document embeds, each listed once, in the order first met.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it.token import Token

from deckgen.model import Diagnostic, SourceSpan


class Findings:
    def __init__(self, path: str, folder: Path | None):
        self.path, self.folder = path, folder
        self.diagnostics: list[Diagnostic] = []
        self.images: list[str] = []
        self.anchors, self.anchors_at = 0, 0  # links to places inside the document; the first one's line

    def span(self, token: Token) -> SourceSpan:
        line = token.map[0] + 1 if token.map else 1
        return SourceSpan(self.path, line, 1)

    def warn(self, code: str, message: str, token: Token) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, self.span(token)))

    def add_image(self, relative: str) -> None:
        if relative not in self.images:
            self.images.append(relative)

    def adopt(self, problems: list[Diagnostic], images: list[str], line: int) -> None:
        """What the HTML reader found in a block of raw HTML that starts at `line`."""
        for problem in problems:
            self.diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message,
                                               SourceSpan(self.path, line, 1)))
        self.images.extend(i for i in images if i not in self.images)

    def anchor(self, token: Token) -> None:
        """A link to a place inside the document, in the paragraph `token`."""
        self.anchors += 1
        self.anchors_at = self.anchors_at or self.span(token).line

    def report_anchors(self) -> None:
        """One note for every link to a place inside the document (DG301, info)."""
        if self.anchors:
            self.diagnostics.append(Diagnostic(
                "info", "DG301", f"{self.anchors} link(s) to places inside this document (first on line "
                f"{self.anchors_at}): in the handout each leads to the card it names, elsewhere it is plain text",
                SourceSpan(self.path, self.anchors_at, 1)))
