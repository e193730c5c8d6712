"""deckgen's exceptions: each says, for a person, what went wrong and where."""

from __future__ import annotations

import re

import click

# A line that already says what it is: a diagnostic (`place: error: message [DG005]`), an error
# with its prefix, or an indented detail of the line above.
_SAYS_WHAT_IT_IS = re.compile(r"^(?:\S.*?: (?:error|warning|info): .*\[DG\d+\]|error: |\s|$)")


class DeckgenError(click.ClickException):
    """Base of every error deckgen raises on purpose; the CLI prints its message and exits 1."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: D401 - click's signature
        """Each line prefixed `error: ` once: a message may list the diagnostics that caused it
        (they carry their own severity) or several errors, one a line."""
        lines = self.format_message().split("\n")
        # a line starting with `::` (a file name holding a line break) would be a GitHub workflow
        # command in a CI log: every such line gets the prefix, so none starts with `::`
        click.echo("\n".join(line if _SAYS_WHAT_IT_IS.match(line) and not line.lstrip().startswith("::")
                             else f"error: {line}" for line in lines), err=True, file=file)


class ConfigError(DeckgenError):
    """Raised when a setting is unknown or has a bad value (names the key and the file)."""


class SourceError(DeckgenError):
    """Raised when a source cannot be read at all: missing, empty, binary, not UTF-8, unknown kind."""


class ValidationFailed(DeckgenError):
    """Raised when validation found errors (or warnings under --strict); the diagnostics are printed first."""


class TemplateError(DeckgenError):
    """Raised when a template is missing, has a syntax error or uses an undefined value."""


class OutputError(DeckgenError):
    """Raised when an output cannot be written, or one or more outputs failed to render."""


class LockError(DeckgenError):
    """Raised when the ids file is out of date under --locked, or cannot be read. `stale`: per
    ids file, what is out of date (for the build summary); `result`: the build as far as it got
    (a build.BuildResult), set by the build that raised it."""

    def __init__(self, message: str, stale: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.stale: dict[str, list[str]] = stale or {}
        self.result: object = None
