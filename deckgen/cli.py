"""The command line: parse options, call one library function, print what it returns."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from deckgen import __version__
from deckgen.config import choices, load_settings
from deckgen.terminal import (
    github_data,
    github_property,
    print_diagnostics,
    print_pull,
    progress,
    report_build,
    summary_line,
    visible,
)

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _options(*options):
    """One decorator applying several click options, in the order listed (as they show in --help)."""
    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


# Options shared by commands, each written once (as sqlite-utils' output_options, MkDocs'
# common_config_options)
source_options = _options(
    click.option("--source-format", type=click.Choice(choices("source_format")), default=None,
                 help="The shape of the sources, when the guess is wrong (default: auto)."),
    click.option("--question", default=None, metavar="MARKER",
                 help="Which blocks are the questions: h2...h6, list-heading, bold, label, details, numbered, "
                      "or a regular expression a question's first line matches (default: found from the document)."),
)


def print_options(duplex_choices=None, duplex_help="How the flashcards are printed double-sided (none: side "
                  "by side; fold: fold each sheet).", back_offset_help="Move the back pages by X mm right and "
                  "Y mm down (read them off `deckgen calibrate`)."):
    """--paper, --card-size, --duplex and --back-offset: how the flashcards are printed."""
    return _options(
        click.option("--paper", type=click.Choice(choices("paper")), default=None, help="Paper size for the PDFs."),
        click.option("--card-size", type=click.Choice(choices("card_size")), default=None,
                     help="Flashcard size: 8 a sheet, 3x5 in index cards, business cards."),
        click.option("--duplex", type=click.Choice(duplex_choices or choices("duplex")), default=None, help=duplex_help),
        click.option("--back-offset", default=None, metavar="X,Y", help=back_offset_help),
    )


out_option = click.option("-o", "--out", default=None, help="Output folder (default: build/).")
templates_option = click.option("--templates", default=None, help="Folder of templates searched before the built-in ones.")
pull_options = _options(
    click.option("--add", is_flag=True, help="Also append notes added in Anki to their sections."),
    click.option("--ours", "resolve", flag_value="ours", default=None, help="On a conflict, keep the source's version."),
    click.option("--theirs", "resolve", flag_value="theirs", help="On a conflict, take Anki's version."),
)


def _settings(**overrides):
    return load_settings(Path.cwd(), overrides).settings


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="deckgen")
def main() -> None:
    """Turn question-and-answer documents into an Anki deck, PDFs and an HTML handout.

    \b
    Example:
        deckgen build                 # every source in source/ into build/
        deckgen check source/rnn.txt  # validate only
    """


@main.command("build")
@click.argument("paths", nargs=-1)
@out_option
@click.option("--format", "formats", multiple=True, type=click.Choice(choices("formats")),
              help="Output to build; repeat for several (default: all).")
@click.option("--orientation", type=click.Choice(choices("orientation")), default=None,
              help="Cheat-sheet page orientation.")
@click.option("--columns", type=click.IntRange(1, 4), default=None, help="Cheat-sheet columns.")
@print_options()
@click.option("--strict/--no-strict", default=None, help="Fail the build on warnings too.")
@click.option("--locked/--no-locked", default=None,
              help="Never write the ids file; fail if it is out of date (implied by CI=true).")
@templates_option
@source_options
@click.option("--cache/--no-cache", default=None,
              help="Reuse PDF parts laid out by earlier builds (default: on; ~/.cache/deckgen).")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False), default=None,
              help="Append a Markdown summary of the build to this file (e.g. $GITHUB_STEP_SUMMARY).")
@click.option("--shard", default=None, metavar="I/N",
              help="Build only shard I of N of the sources (CI's matrix); `deckgen site --from` assembles them.")
@click.option("-v", "--verbose", is_flag=True, help="Also say how each source was read and what was skipped.")
@click.option("-q", "--quiet", is_flag=True, help="No progress: only a summary line per output, and problems.")
def build_command(paths, out, formats, paper, orientation, columns, card_size, duplex, back_offset, strict, locked,
          templates, source_format, question, cache, summary_file, shard, verbose, quiet) -> None:
    """Build every source into the output folder.

    \b
    Example:
        deckgen build
        deckgen build source/rnn.txt -o dist --format apkg --format html --paper letter
    """
    from deckgen.build import build

    settings = _settings(sources=tuple(paths), out=out, formats=tuple(formats), paper=paper,
                         orientation=orientation, columns=columns, card_size=card_size,
                         duplex=duplex, back_offset=back_offset, strict=strict,
                         locked=locked, templates=templates, source_format=source_format, question=question,
                         cache=cache, shard=shard)
    if summary_file is None:
        report_build(build(settings, Path.cwd(), report=progress(quiet)), settings, verbose)
        return
    from deckgen import summary
    from deckgen.errors import DeckgenError, LockError

    result = None
    try:
        result = build(settings, Path.cwd(), report=progress(quiet))
        report_build(result, settings, verbose)
    except DeckgenError as err:  # the summary says why, then the error is shown as usual
        locked = err if isinstance(err, LockError) else None
        result = result or (locked.result if locked else None)
        summary.append(Path(summary_file), summary.markdown(result, err.message, locked.stale if locked else None))
        raise
    summary.append(Path(summary_file), summary.markdown(result, None))


@main.command("check")
@click.argument("paths", nargs=-1)
@click.option("--strict/--no-strict", default=None, help="Exit 1 on warnings too.")
@click.option("--output-format", type=click.Choice(["text", "json", "github"]), default="text",
              help="How to print diagnostics.")
@click.option("-v", "--verbose", is_flag=True, help="Also say what each reader skipped as page chrome.")
@source_options
def check_command(paths, strict, output_format, verbose, source_format, question) -> None:
    """Validate sources without building; exit 1 on errors.

    \b
    Example:
        deckgen check
        deckgen check source/ --strict --output-format github
    """
    from deckgen.errors import DeckgenError
    from deckgen.sources import check

    try:
        settings = _settings(sources=tuple(paths), strict=strict, source_format=source_format, question=question)
        result = check(settings, Path.cwd())
    except DeckgenError as err:
        if output_format != "github":
            raise
        # an annotation too, escaped: a file name is text from the pull request, and a line of it
        # starting with "::" would be a workflow command of its own
        click.echo(f"::error::{github_data(err.message)}", err=True)
        sys.exit(1)
    diagnostics = result.diagnostics
    if output_format == "json":
        click.echo(json.dumps([
            {"path": d.span.path, "line": d.span.line, "column": d.span.col,
             "severity": d.severity, "code": d.code, "message": d.message}
            for d in diagnostics], indent=2, ensure_ascii=False))
    elif output_format == "github":
        for d in diagnostics:
            level = "error" if d.severity == "error" else "warning"
            properties = {"file": d.span.path, "line": d.span.line, "col": d.span.col, "title": d.code}
            click.echo(f"::{level} " + ",".join(f"{key}={github_property(value)}" for key, value in properties.items())
                       + f"::{github_data(d.message)}")
    else:
        for job, deck in result.decks:
            n = len(deck.cards)
            shown = visible(job.display)
            click.echo(f"{shown}: {n} card(s) in {len(deck.sections)} section(s), read as {deck.shape}")
            if deck.coverage is not None:
                click.echo(f"{shown}: {n} cards {deck.coverage.line()}")
            if verbose:
                for line in deck.candidates:
                    click.echo(f"{shown}: {visible(line)}")
                for skipped in deck.skipped:
                    click.echo(visible(f"{skipped.span}: skipped {skipped.reason}: {skipped.text}"))
        print_diagnostics(diagnostics, stream_err=False)
        click.echo(result.summary())
    if result.failed(settings):
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


@main.command("convert")
@click.argument("source")
@click.option("-o", "--output", required=True, help="The Markdown file to write.")
def convert_command(source, output) -> None:
    """Write a source in the Markdown form (the format to edit by hand and keep in git).

    \b
    Example:
        deckgen convert source/rnn.txt -o source/rnn.md
    """
    from deckgen.convert import convert_file

    settings = _settings()
    written = convert_file(Path(source), Path(output), settings, Path.cwd())
    click.echo(f"wrote {output} ({written} cards)")


@main.command("pull")
@click.argument("package")
@click.argument("sources", nargs=-1)
@click.option("--write", is_flag=True, help="Apply the changes (every file or none); default: show the diff.")
@pull_options
def pull_command(package, sources, write, add, resolve) -> None:
    """Bring edits made in Anki back into the sources.

    PACKAGE is a deck exported from Anki (.apkg), a collection package (.colpkg) or a profile's
    collection.anki2 (close Anki first). Without --write, print the diff and change nothing.

    \b
    Example:
        deckgen pull ~/Downloads/rnn.apkg            # show what would change
        deckgen pull ~/Downloads/rnn.apkg --write    # apply it
    """
    from deckgen.pull import apply, pull

    settings = _settings(sources=tuple(sources))
    result = pull(Path(package), package, settings, Path.cwd(), dict(os.environ), resolve, add)
    print_pull(result, "nothing written" if write else "nothing would be written")
    if not result.changed:
        click.echo("nothing to pull", err=True)
    elif write:
        apply(result)
        click.echo(f"wrote {', '.join(display for _, _, _, display in result.writes)}", err=True)
    else:
        click.echo("dry run: nothing written (--write applies it)", err=True)


@main.command("sync")
@click.argument("sources", nargs=-1)
@click.option("--url", default=None, help="AnkiConnect's address (setting ankiconnect-url; default http://127.0.0.1:8765).")
@click.option("--api-key", envvar="ANKICONNECT_API_KEY", default=None,
              help="The key the add-on requires, if it has one (or ANKICONNECT_API_KEY).")
@click.option("--write", is_flag=True, help="Apply both directions; default: show what would change.")
@pull_options
@click.option("--delete", is_flag=True, help="Also delete the notes whose cards left the source.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="Seconds to wait for each answer (an import waits longer).")
def sync_command(sources, url, api_key, write, add, resolve, delete, timeout) -> None:
    """Sync the sources with a running Anki (desktop, with the AnkiConnect add-on), both ways.

    Without --write, print the diff that Anki-side edits would make to the sources and what would
    be pushed (add, update, unchanged), and change nothing. Anki must run on this machine: the
    deck is pushed by handing AnkiConnect the path of the built .apkg.

    \b
    Example:
        deckgen sync              # show both directions
        deckgen sync --write      # edits into the sources, the deck into Anki
    """
    from deckgen import sync
    from deckgen.ankiconnect import AnkiConnect

    settings = _settings(sources=tuple(sources), ankiconnect_url=url)
    client = AnkiConnect(settings.ankiconnect_url, api_key or None, timeout)
    cwd, env = Path.cwd(), dict(os.environ)
    result = sync.sync(client, settings, cwd, env, resolve, add)
    print_pull(result.pull, "nothing written or pushed" if write else "nothing would be written or pushed")
    for push in result.pushes:
        click.echo(push.line())
    for kept in result.kept:
        fate = "deleted" if delete else "kept in Anki"
        click.echo(f"{kept.display}: {fate} (its card left the source): “{kept.words}” (note {kept.note_id})"
                   + ("" if delete else "; --delete removes it"))
    if not write:
        click.echo("dry run: nothing written or pushed (--write applies both)", err=True)
        return
    sync.write(client, result, settings, cwd, env, delete)
    for line in result.done:
        click.echo(line, err=True)
    if not result.done:
        click.echo("nothing to sync", err=True)


@main.command("import")
@click.argument("source")
@click.option("-o", "--output", required=True, help="The Markdown source to write (NAME.md).")
@click.option("--force", is_flag=True, help="Replace the output (and images) if they exist.")
@click.option("--offline", is_flag=True, help="Refuse URLs: read saved pages only.")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=15.0, show_default=True,
              help="Seconds to wait for a page.")
def import_(source, output, force, offline, timeout) -> None:
    """Turn a saved web page or an http(s) URL into a Markdown source.

    \b
    Example:
        deckgen import ~/Downloads/rnn-questions.html -o source/rnn.md
        deckgen import https://example.com/k8s-faq -o source/k8s.md
    """
    from deckgen.importing import import_page

    done = import_page(source, Path(output), _settings(), Path.cwd(), force, offline, timeout)
    print_diagnostics(done.diagnostics, stream_err=True)
    images = f", {len(done.images)} image(s) copied" if done.images else ""
    click.echo(f"wrote {done.output} ({done.cards} cards, read as {done.shape}{images})")


@main.command()
@print_options(["long-edge", "short-edge"], "How the printer turns the sheet.", "The offset to check (mm).")
@click.option("-o", "--output", required=True, help="The PDF to write.")
def calibrate(paper, card_size, duplex, back_offset, output) -> None:
    """Write a two-page sheet that measures how far a printer's backs drift from its fronts.

    Print it double-sided at 100% ("actual size"), hold it to the light and read where each
    cross of the front falls on the rulers of the back: that is the --back-offset to use.

    \b
    Example:
        deckgen calibrate --duplex long-edge -o calibrate.pdf
        deckgen build --back-offset 1.5,-0.5
    """
    from deckgen.writers import write_atomic
    from deckgen.writers.calibration import calibration

    s = _settings(paper=paper, card_size=card_size, duplex=duplex, back_offset=back_offset)
    write_atomic(Path(output), calibration(s.paper, s.card_size, s.duplex, s.offset), output)
    click.echo(f"wrote {output}")


@main.command()
def config() -> None:
    """Print the effective settings and where each value comes from.

    \b
    Example:
        deckgen config
    """
    from deckgen.config import describe

    loaded = load_settings(Path.cwd())
    click.echo(f"# settings file: {loaded.config_file or 'none (built-in defaults)'}")
    for line in describe(loaded):
        click.echo(line)


@main.command()
@click.argument("folder", default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--pages", is_flag=True, help="The workflow also publishes the deck site to GitHub Pages.")
@click.option("--shards", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Build jobs in the workflow's matrix (with --pages: one more assembles the site).")
def init(folder, force, pages, shards) -> None:
    """Start a deck repository: an example source, settings, .gitignore, a GitHub Actions
    workflow and a pre-commit configuration.

    \b
    Example:
        deckgen init my-deck && cd my-deck && deckgen build
        deckgen init my-deck --pages --shards 3
    """
    from deckgen.scaffold import init as run_init

    for path in run_init(Path(folder), force, pages, shards):
        click.echo(f"wrote {path}")


@main.command("site")
@click.option("--from", "folders", multiple=True, required=True, type=click.Path(file_okay=False, exists=True),
              help="A shard's build folder (built with --shard I/N); repeat for every shard.")
@out_option
def site_command(folders, out) -> None:
    """Assemble the deck site and the package of every deck from the shards' build folders.

    \b
    Example:
        deckgen site --from shard-1 --from shard-2 --from shard-3
    """
    from deckgen.repository import assemble

    settings = _settings(out=out)
    for output in assemble(settings, Path.cwd(), dict(os.environ), [Path(f) for f in folders], progress(False)):
        if output.unchanged:
            click.echo(summary_line(output))


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(paths, as_json) -> None:
    """Cards per section, answer lengths (the longest first) and duplicates, per source.

    \b
    Example:
        deckgen stats
        deckgen stats source/rnn.txt --json
    """
    from deckgen.sources import check
    from deckgen.stats import deck_stats

    settings = _settings(sources=tuple(paths))
    found = deck_stats(check(settings, Path.cwd()))
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in found], indent=2, ensure_ascii=False))
        return
    for s in found:
        click.echo(f"{s.source}: {s.cards} cards, {s.words_total} answer words (median {s.words_median})")
        for title, n in s.sections:
            click.echo(f"  {n:5d}  {title or '(no section)'}")
        click.echo("  longest answers: " + ", ".join(f"{label} ({words} words, line {line})"
                                                    for label, line, words in s.longest))
        click.echo(f"  near-duplicate findings: {s.near_duplicates}, repeated questions: {s.exact_duplicates}")


@main.command("watch")
@click.argument("paths", nargs=-1)
@out_option
@templates_option
def watch_command(paths, out, templates) -> None:
    """Build, then build again whenever a source, the settings or a template changes.

    \b
    Example:
        deckgen watch
    """
    from deckgen.build import build
    from deckgen.watch import watch

    def once(workers) -> None:
        settings = _settings(sources=tuple(paths), out=out, templates=templates)
        try:
            report_build(build(settings, Path.cwd(), report=progress(False), workers=workers),
                          settings, verbose=False)
        except click.ClickException as err:
            err.show()
        click.echo("watching for changes (Ctrl-C to stop)", err=True)

    watch(_settings(sources=tuple(paths), out=out, templates=templates), Path.cwd(), once)
