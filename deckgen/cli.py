"""The command line: parse options, call one library function, print what it returns."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from deckgen import __version__
from deckgen.config import FORMATS, PAPERS, load_settings
from deckgen.errors import ValidationFailed
from deckgen.readers import SHAPES

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _settings(**overrides):
    return load_settings(Path.cwd(), overrides).settings


def _print_diagnostics(diagnostics, stream_err: bool) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=stream_err)


def _summary(diagnostics, files: int) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    return f"{files} source(s) checked: {errors} error(s), {warnings} warning(s)"


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="deckgen")
def main() -> None:
    """Turn question-and-answer documents into an Anki deck, PDFs and an HTML handout.

    \b
    Example:
        deckgen build                 # every source in source/ into build/
        deckgen check source/rnn.txt  # validate only
    """


@main.command()
@click.argument("paths", nargs=-1)
@click.option("-o", "--out", default=None, help="Output folder (default: build/).")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Output to build; repeat for several (default: all).")
@click.option("--paper", type=click.Choice(PAPERS), default=None, help="Paper size for the PDFs.")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default=None,
              help="Cheat-sheet page orientation.")
@click.option("--columns", type=click.IntRange(1, 4), default=None, help="Cheat-sheet columns.")
@click.option("--card-size", type=click.Choice(["auto", "eight-up", "index-3x5", "business"]),
              default=None, help="Flashcard size: 8 a sheet, 3x5 in index cards, business cards.")
@click.option("--duplex", type=click.Choice(["long-edge", "short-edge", "none"]), default=None,
              help="How the flashcards are printed double-sided (none: side by side).")
@click.option("--strict/--no-strict", default=None, help="Fail the build on warnings too.")
@click.option("--locked/--no-locked", default=None,
              help="Never write the ids file; fail if it is out of date (implied by CI=true).")
@click.option("--templates", default=None, help="Folder of templates searched before the built-in ones.")
@click.option("--source-format", type=click.Choice(SHAPES), default=None,
              help="The shape of the sources, when the guess is wrong (default: auto).")
def build(paths, out, formats, paper, orientation, columns, card_size, duplex, strict, locked,
          templates, source_format) -> None:
    """Build every source into the output folder.

    \b
    Example:
        deckgen build
        deckgen build source/rnn.txt -o dist --format apkg --format html --paper letter
    """
    from deckgen.build import build as run_build

    settings = _settings(sources=tuple(paths), out=out, formats=tuple(formats), paper=paper,
                         orientation=orientation, columns=columns, card_size=card_size,
                         duplex=duplex, strict=strict,
                         locked=locked, templates=templates, source_format=source_format)
    result = run_build(settings, Path.cwd())
    _print_diagnostics(result.check.diagnostics, stream_err=True)
    if result.check.failed(settings.strict):
        raise ValidationFailed(
            _summary(result.check.diagnostics, len(result.check.decks))
            + ("; warnings fail under --strict" if settings.strict else "")
            + "; nothing was written"
        )
    for message in result.messages:
        click.echo(message, err=True)
    rendered_warnings = [d for o in result.outputs for d in o.diagnostics]
    _print_diagnostics(rendered_warnings, stream_err=True)
    for output in result.outputs:
        if output.ok:
            pages = f", {output.pages} pages" if output.pages else ""
            click.echo(f"wrote {output.path} ({output.size:,} bytes, {output.cards} cards{pages}, "
                       f"{output.seconds:.2f} s)")
        else:
            click.echo(f"error: {output.error}", err=True)
    failed = [o for o in result.outputs if not o.ok]
    if failed:
        from deckgen.errors import OutputError

        raise OutputError(f"{len(failed)} of {len(result.outputs)} output(s) failed; the others were written")
    if settings.strict and rendered_warnings:
        raise ValidationFailed(f"{len(rendered_warnings)} warning(s) while rendering; they fail under --strict")


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--strict/--no-strict", default=None, help="Exit 1 on warnings too.")
@click.option("--output-format", type=click.Choice(["text", "json", "github"]), default="text",
              help="How to print diagnostics.")
@click.option("-v", "--verbose", is_flag=True, help="Also say what each reader skipped as page chrome.")
@click.option("--source-format", type=click.Choice(SHAPES), default=None,
              help="The shape of the sources, when the guess is wrong (default: auto).")
def check(paths, strict, output_format, verbose, source_format) -> None:
    """Validate sources without building; exit 1 on errors.

    \b
    Example:
        deckgen check
        deckgen check source/ --strict --output-format github
    """
    from deckgen.build import check as run_check

    settings = _settings(sources=tuple(paths), strict=strict, source_format=source_format)
    result = run_check(settings, Path.cwd())
    diagnostics = result.diagnostics
    if output_format == "json":
        click.echo(json.dumps([
            {"path": d.span.path, "line": d.span.line, "column": d.span.col,
             "severity": d.severity, "code": d.code, "message": d.message}
            for d in diagnostics], indent=2, ensure_ascii=False))
    elif output_format == "github":
        for d in diagnostics:
            level = "error" if d.severity == "error" else "warning"
            message = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            click.echo(f"::{level} file={d.span.path},line={d.span.line},col={d.span.col},"
                       f"title={d.code}::{message}")
    else:
        for job, deck in result.decks:
            n = len(deck.cards)
            click.echo(f"{job.display}: {n} card(s) in {len(deck.sections)} section(s), "
                       f"read as {deck.shape}")
            if verbose:
                for skipped in deck.skipped:
                    click.echo(f"{skipped.span}: skipped {skipped.reason}: {skipped.text}")
        _print_diagnostics(diagnostics, stream_err=False)
        click.echo(_summary(diagnostics, len(result.decks)))
    if result.failed(settings.strict):
        sys.exit(1)


@main.command()
def rules() -> None:
    """List the validation rules: code, name, severity and what each catches.

    \b
    Example:
        deckgen rules
    """
    from deckgen.validate import RULES

    for rule in RULES.values():
        click.echo(f"{rule.code}  {rule.name:<26} {rule.severity:<8} {rule.summary}")


@main.command()
@click.argument("source")
@click.option("-o", "--output", required=True, help="The Markdown file to write.")
def convert(source, output) -> None:
    """Write a source in the Markdown form (the format to edit by hand and keep in git).

    \b
    Example:
        deckgen convert source/rnn.txt -o source/rnn.md
    """
    from deckgen.build import convert as run_convert

    settings = _settings()
    written = run_convert(Path(source), Path(output), settings, Path.cwd())
    click.echo(f"wrote {output} ({written} cards)")
