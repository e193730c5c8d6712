"""What the command line prints: build and check results, diagnostics (plain, coloured, or as
GitHub annotations), progress on a terminal, a pull's diffs. Every line shows text from a
source escaped (`visible`): a file name is text from whoever wrote the source."""

from __future__ import annotations

import os
import re
import sys
import time
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the records are not loaded for `deckgen --help`
    from deckgen.model import Progress

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: object) -> str:
    """One line of output, whatever a file name holds: line breaks and other control characters
    shown as escapes. A name is text from whoever wrote the source (a pull request in CI), and a
    line of it starting with `::` would be a GitHub workflow command; an escape sequence would
    drive the terminal."""
    return CONTROL_CHARACTERS.sub(lambda found: repr(found.group())[1:-1], str(text))


def summary_line(output) -> str:
    if output.unchanged:
        return f"unchanged {visible(output.path)} ({output.size:,} bytes, {output.cards} cards)"
    pages = f", {output.pages} pages" if output.pages else ""
    return f"wrote {visible(output.path)} ({output.size:,} bytes, {output.cards} cards{pages}, {output.seconds:.2f} s)"


def progress(quiet: bool):
    """What the build reports as it goes: on a terminal, what it is doing and a progress bar of
    the PDF parts being laid out (with an estimate of the time left); everywhere, a summary line
    per output as it is written (stdout); with --quiet, without a terminal or with TERM=dumb, only
    those."""
    live = not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    started: list[float] = []

    def bar(done: int, total: int) -> None:
        elapsed = time.monotonic() - (started[0] if started else time.monotonic())
        left = elapsed / done * (total - done) if done else 0.0
        width = 30
        filled = width * done // max(total, 1)
        line = f"\r  laying out PDFs [{'#' * filled}{'-' * (width - filled)}] {done}/{total} parts"
        line += f", about {left:.0f} s left" if done and done < total else ""
        click.echo(line.ljust(80) + ("\n" if done >= total else ""), err=True, nl=False)

    def report(message: str | Progress, output) -> None:
        if output is None:
            if not live:
                return
            if isinstance(message, str):
                click.echo(f"... {message}", err=True)
            elif message.done == 0:  # the work starts: the clock too
                started[:] = [time.monotonic()]
                click.echo(f"... {message.what}", err=True)
            else:
                bar(message.done, message.total)
        elif output.ok:
            click.echo(summary_line(output))
        else:
            click.echo(f"error: {visible(output.error)}", err=True)

    return report


def report_build(result, settings, verbose: bool) -> None:
    """Print a build's diagnostics and outcome; raise when it failed (exit 1). The per-output
    summary lines were printed as the outputs were written."""
    print_diagnostics(result.check.diagnostics, stream_err=True)
    if verbose:
        for job, deck in result.check.decks:
            click.echo(f"{visible(job.display)}: {len(deck.cards)} card(s), read as {deck.shape}", err=True)
            for skipped in deck.skipped:
                click.echo(visible(f"{skipped.span}: skipped {skipped.reason}: {skipped.text}"), err=True)
    if result.check.failed(settings):
        raise result.verdict(settings)
    for message in result.messages:
        click.echo(visible(message), err=True)
    print_diagnostics(result.rendered_warnings(), stream_err=True)
    for output in result.outputs:
        if output.unchanged:
            click.echo(summary_line(output))
    error = result.verdict(settings)
    if error is not None:
        raise error


SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def colour() -> bool | None:
    """Colour only on a terminal (click decides) and never when NO_COLOR is set."""
    return False if os.environ.get("NO_COLOR") else None


def print_diagnostics(diagnostics, stream_err: bool) -> None:
    for d in diagnostics:
        severity = click.style(d.severity, fg=SEVERITY_COLOURS[d.severity], bold=True)
        click.echo(f"{visible(d.span)}: {severity}: {visible(d.message)} [{d.code}]", err=stream_err,
                   color=colour())


def github_data(text: object) -> str:
    """Text as a workflow command's data (its message), escaped as GitHub documents: a line break
    in it can start no command of its own."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: object) -> str:
    """Text as a workflow command's property value (file=, title=): escaped as data, and `:` and
    `,` too, which would end the value (a file name holding `::` would start the message early)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def print_pull(result, nothing: str) -> None:
    """A pull's diffs and conflicts on stdout, its messages and warnings on stderr; exit 1 (after
    saying `nothing` happened) when a conflict is open."""
    for diff in result.diffs:
        click.echo(diff, nl=False)
    for conflict in result.conflicts:
        click.echo(conflict)
    for message in result.messages:
        click.echo(message, err=True)
    for warning in result.warnings:
        click.echo(f"{click.style('warning', fg='yellow', bold=True)}: {warning}", err=True, color=colour())
    if result.conflicts:
        click.echo(f"error: {len(result.conflicts)} conflict(s): the card changed in the source and in "
                   f"Anki; {nothing} (choose with --ours or --theirs)", err=True)
        sys.exit(1)

