"""The pipeline: find sources, read, validate, give cards their identity, render, write.
Everything is read and checked before anything is written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen import identity
from deckgen.config import Settings
from deckgen.errors import DeckgenError, LockError, OutputError, SourceError
from deckgen.model import (
    Deck,
    Diagnostic,
    OutputResult,
    Progress,
    Rendered,
    StudyCard,
    StudyDeck,
    StudySection,
)
from deckgen.readers import READERS, read_source
from deckgen.record import BuildRecord, input_key, layout_key
from deckgen.validate import has_failures, validate

if TYPE_CHECKING:
    from deckgen.layout import PdfLayout, Workers
    from deckgen.writers.apkg import NoteType

SUFFIXES = {"apkg": ".apkg", "cheatsheet": ".cheatsheet.pdf", "cards": ".cards.pdf", "html": ".html"}
MAX_NAME = 200  # a file name is at most 255 bytes; leave room for ".cheatsheet.pdf" and the temp mark


@dataclass(frozen=True)
class SourceJob:
    path: Path
    display: str
    stem: Path  # the output name inside the output folder, without suffix


@dataclass
class CheckResult:
    decks: list[tuple[SourceJob, Deck]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def failed(self, settings: Settings) -> bool:
        """Errors, or warnings where the settings (of the source they are about) are strict."""
        if has_failures(self.diagnostics, False):
            return True
        return any(d.severity == "warning" and settings.for_source(d.span.path).strict
                   for d in self.diagnostics)


@dataclass
class BuildResult:
    check: CheckResult
    outputs: list[OutputResult] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _saved_page_files(file: Path, top: Path) -> bool:
    """Whether `file` is inside the `NAME_files/` folder a browser saves beside `NAME.html`."""
    for folder in file.relative_to(top).parents:
        if folder.name.endswith("_files"):
            stem = folder.name.removesuffix("_files")
            beside = (top / folder).parent
            if any((beside / f"{stem}{suffix}").exists() for suffix in (".html", ".htm")):
                return True
    return False


def discover(paths: tuple[str, ...], cwd: Path) -> list[SourceJob]:
    """The source files named by `paths` (files or folders), with their output names."""
    jobs: list[SourceJob] = []
    for raw in paths:
        path = (cwd / raw) if not Path(raw).is_absolute() else Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith(".")
                and not _saved_page_files(p, path)
            )
            if not found:
                kinds = ", ".join(sorted(READERS))
                raise SourceError(f"{raw}: no sources in this folder (deckgen reads {kinds})")
            for file in found:
                jobs.append(SourceJob(file, _display(file, cwd), file.relative_to(path).with_suffix("")))
        elif path.exists():
            if path.suffix.lower() not in READERS:
                kinds = ", ".join(sorted(READERS))
                raise SourceError(f"{raw}: unknown kind of source '{path.suffix}' (deckgen reads {kinds})")
            jobs.append(SourceJob(path, _display(path, cwd), Path(path.stem)))
        else:
            raise SourceError(f"{raw}: no such file or folder")
    for job in jobs:
        if len(job.stem.name) > MAX_NAME:
            raise SourceError(f"{job.display}: the file name is too long for its outputs "
                              f"(at most {MAX_NAME} characters before the extension)")
    by_stem: dict[Path, SourceJob] = {}
    unique: list[SourceJob] = []
    for job in jobs:
        other = by_stem.get(job.stem)
        if other is not None and other.path.resolve() == job.path.resolve():
            continue
        if other is not None:
            raise SourceError(
                f"{other.display} and {job.display} would both write {job.stem}.*; rename one"
            )
        by_stem[job.stem] = job
        unique.append(job)
    return unique


def read_deck(job: SourceJob, settings: Settings, text: str | None = None) -> Deck:
    """One source read as its settings say (its text given, or read from its file)."""
    import dataclasses

    from deckgen.readers import read_text

    if text is None:
        deck = read_source(job.path, job.display, settings.max_source_bytes, settings.source_format,
                           settings.question)
    else:
        deck = read_text(text, job.path, job.display, settings.source_format, settings.question)
    if settings.reverse:  # every Q&A card also studied answer -> question
        deck = dataclasses.replace(deck, sections=tuple(
            dataclasses.replace(s, cards=tuple(c if c.cloze_numbers else dataclasses.replace(c, reverse=True)
                                               for c in s.cards))
            for s in deck.sections))
    from deckgen.rich import limit_formulas

    return limit_formulas(deck, settings.max_formulas_per_card)


def check(settings: Settings, cwd: Path) -> CheckResult:
    """Read and validate every source; collect every diagnostic. Raises only when a source
    cannot be read at all (reporting every such source at once)."""
    result = CheckResult()
    unreadable: list[str] = []
    for job in discover(settings.sources, cwd):
        own = settings.for_source(job.display)
        try:
            deck = read_deck(job, own)
        except SourceError as err:
            unreadable.append(err.message)
            continue
        result.decks.append((job, deck))
        result.diagnostics.extend(validate(deck, own))
    if unreadable:
        raise SourceError("\nerror: ".join(unreadable))
    return result


def refuse_errors(deck: Deck, settings: Settings, consequence: str) -> list[Diagnostic]:
    """The deck's diagnostics; when some are errors, a ValidationFailed listing them and then
    `consequence` (what the command does not do because of them)."""
    from deckgen.errors import ValidationFailed

    found = validate(deck, settings)
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise ValidationFailed("\n".join(d.format() for d in errors) + f"\n{consequence}")
    return found


def convert(source: Path, output: Path, settings: Settings, cwd: Path) -> int:
    """Read `source` and write its Markdown form to `output`; refuse when it has errors."""
    from deckgen.convert import to_markdown
    from deckgen.writers import write_atomic

    job = discover((str(source),), cwd)[0]
    deck = read_source(job.path, job.display, settings.max_source_bytes, settings.source_format,
                           settings.question)
    refuse_errors(deck, settings, f"{job.display}: not converted")
    target = output if output.is_absolute() else cwd / output
    write_atomic(target, to_markdown(deck).encode("utf-8"), str(output))
    return len(deck.cards)


@dataclass(frozen=True)
class Media:
    """A deck's images, as each output refers to them."""

    files: dict[str, bytes] = field(default_factory=dict)  # Anki media name -> bytes
    anki: dict[str, str] = field(default_factory=dict)  # image path -> Anki media name
    inline: dict[str, str] = field(default_factory=dict)  # image path -> data: URI


def load_media(job: SourceJob, deck: Deck) -> Media:
    import base64
    import hashlib
    import mimetypes

    media = Media()
    for relative in deck.images:
        data = (job.path.parent / relative).read_bytes()
        name = f"{hashlib.sha256(data).hexdigest()[:12]}-{Path(relative).name}"
        kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        media.files[name] = data
        media.anki[relative] = name
        media.inline[relative] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return media


def source_date_epoch(env: dict[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH as a number of seconds, or None when it is not set."""
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as err:
        raise DeckgenError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}") from err


def source_date(path: Path, env: dict[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH if set, else the last commit time of the source, else None."""
    epoch = source_date_epoch(env)
    if epoch is not None:
        return epoch
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", path.name],
            cwd=path.parent, capture_output=True, text=True, timeout=10, check=False,
        )
        return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def study_deck(deck: Deck, job: SourceJob, ids: tuple[str, ...], build_date: str,
               language: str) -> StudyDeck:
    sections = []
    position = 0
    for s_index, section in enumerate(deck.sections, start=1):
        cards = []
        for card in section.cards:
            cards.append(StudyCard(card, ids[position], position + 1))
            position += 1
        sections.append(StudySection(section.title, tuple(cards), s_index))
    return StudyDeck(
        title=deck.title, source=job.display, name=job.stem.name,
        sections=tuple(sections), build_date=build_date, language=language,
    )


def build(
    settings: Settings,
    cwd: Path,
    env: dict[str, str] | None = None,
    report: Callable[[str | Progress, OutputResult | None], None] = lambda _display, _done: None,
    workers: Workers | None = None,
) -> BuildResult:
    """Run the whole pipeline. Validation failures come back in `BuildResult.check` with nothing
    written; outputs that fail are listed with their error, the others are written. An output
    whose inputs and bytes are as the last build left them is not rendered again. `workers`:
    PDF workers that outlive this build (`deckgen watch`); else the build starts its own."""
    from deckgen.render import environment

    environment.cache_clear()  # the templates as they are now (`deckgen watch` builds many times)
    env = dict(os.environ) if env is None else env
    own = None
    if workers is None and wants_pdfs(settings):
        # PDF workers first: they load WeasyPrint while the sources are read, checked and identified
        from deckgen.layout import start_workers

        workers = own = start_workers(pdf_parts_at_most(settings, cwd))
    try:
        return _build(settings, cwd, env, report, workers)
    finally:
        if own is not None:
            own.close()


def wants_pdfs(settings: Settings) -> bool:
    return any(fmt in PDF_FORMATS for fmt in settings.formats)


def pdf_parts_at_most(settings: Settings, cwd: Path) -> int:
    """About how many PDF parts the sources make, judged by their size before they are read (150
    bytes a card, a short one): a build does not start more workers than that on a big machine."""
    from deckgen.writers.pdf import PART_CARDS, flashcards_a_part

    try:
        cards = sum(job.path.stat().st_size for job in discover(settings.sources, cwd)) // 150 + 1
    except (DeckgenError, OSError):
        return 1  # the build says what is wrong with the sources
    parts = -(-cards // PART_CARDS) if "cheatsheet" in settings.formats else 0
    if "cards" in settings.formats:
        parts += -(-cards // flashcards_a_part(settings.paper, settings.card_size, settings.duplex))
    return parts


def _build(settings: Settings, cwd: Path, env: dict[str, str],
           report: Callable[[str | Progress, OutputResult | None], None], workers: Workers | None) -> BuildResult:
    from deckgen.patch import recover
    from deckgen.writers import remove_leftovers

    finished = recover([cwd / place for place in settings.sources], cwd)  # an interrupted pull --write
    checked = check(settings, cwd)
    result = BuildResult(checked)
    result.messages.extend(finished)
    if checked.failed(settings):
        return result
    from deckgen.writers.pdf import check_print

    for job, _ in checked.decks:
        own = settings.for_source(job.display)
        if "cards" in own.formats:
            check_print(own.paper, own.card_size, own.duplex, own.back_offset)
    out_dir = cwd / settings.out
    remove_leftovers(out_dir)
    record = BuildRecord.load(out_dir)
    try:
        plans = [_plan(job, deck, settings.for_source(job.display), env, result) for job, deck in checked.decks]
    except LockError as err:
        err.result = result  # what was read and checked, for the summary of a failed build
        raise
    todo: list[_Output] = []
    for plan in plans:
        own = settings.for_source(plan.job.display)
        for fmt in own.formats:
            target = out_dir / (str(plan.job.stem) + SUFFIXES[fmt])
            output = _Output(fmt, target, _display(target, cwd), plan, own, input_key(fmt, plan, own))
            if record.unchanged(output.display, output.key, target):
                result.outputs.append(OutputResult(output.display, fmt, cards=len(plan.deck.cards),
                                                   size=target.stat().st_size, unchanged=True,
                                                   pages=record.pages(output.display)))
            else:
                todo.append(output)
    # the PDFs' parts go to the workers first; the deck and the handout are written while they
    # are laid out, then each PDF as it is put together
    quick = [o for o in todo if o.fmt not in PDF_FORMATS]
    pdfs = {o.display: o for o in todo if o.fmt in PDF_FORMATS}
    laying = _start_pdfs(list(pdfs.values()), settings, env, report, workers) if pdfs else None
    try:
        finished = [(o, None) for o in quick]
        if laying is not None:
            finished = itertools.chain(finished, ((pdfs[display], done) for display, done in laying.outputs()))
        for output, done in finished:
            started = time.perf_counter()
            if done is None:
                done = _render_safely(output.fmt, output.plan, output.settings)
            outcome = _write(output, done)
            outcome.seconds = time.perf_counter() - started + (done.seconds if isinstance(done, Rendered) else 0)
            if outcome.ok:
                record.remember(output.display, output.key, output.target, outcome.pages)
            result.outputs.append(outcome)
            report(output.display, outcome)
    finally:
        if laying is not None:
            laying.close()
    if laying is not None and laying.cache.bad:  # a shared or restored cache: said, never trusted
        n = len(laying.cache.bad)
        result.messages.append(
            f"note: {laying.cache.root}: {n} cached PDF part{' was' if n == 1 else 's were'} not what "
            f"{'its entry says' if n == 1 else 'their entries say'} (damaged, or copied from another); "
            "laid out again")
    try:
        record.save(out_dir)
    except OutputError as err:  # only a cache: the next build renders everything again
        result.messages.append(f"{err.message} (the build record; the next build redoes every output)")
    return result


PDF_FORMATS = ("cheatsheet", "cards")


@dataclass(frozen=True)
class _Output:
    """One output to bring up to date."""

    fmt: str
    target: Path
    display: str
    plan: _Plan
    settings: Settings
    key: str


def _start_pdfs(pdfs: list[_Output], settings: Settings, env: dict[str, str],
                report: Callable[[str, OutputResult | None], None], workers: Workers | None) -> PdfLayout:
    """The PDF outputs, their parts handed to the workers (those the layout cache lacks)."""
    from deckgen import layout
    from deckgen.cache import PartCache, folder
    from deckgen.render import builtin_templates

    jobs = []
    for o in pdfs:
        allowed = (builtin_templates(),) + ((Path(o.settings.templates),) if o.settings.templates else ())
        jobs.append(layout.PdfJob(o.display, o.fmt, o.plan.deck, o.settings, o.plan.media.inline, allowed,
                                  layout_key(o.fmt, o.plan, o.settings)))
    cache = PartCache(folder(env) if settings.cache else None)

    def progress(what: str, done: int, total: int) -> None:
        report(Progress(what, done, total), None)

    return layout.PdfLayout(jobs, cache, progress, workers)


def _render_safely(fmt: str, plan: _Plan, settings: Settings) -> Rendered | str:
    """The output's bytes, or the reason it failed as one line (this may run in a worker)."""
    import dataclasses

    started = time.perf_counter()
    try:
        rendered = _render(fmt, plan, settings)
        return dataclasses.replace(rendered, seconds=time.perf_counter() - started)
    except DeckgenError as err:
        return err.message
    except Exception as err:  # a library failing mid-render must not take the other outputs with it
        return f"{type(err).__name__}: {err}"


def _write(output: _Output, rendered: Rendered | str) -> OutputResult:
    from deckgen.writers import write_atomic

    outcome = OutputResult(output.display, output.fmt, cards=len(output.plan.deck.cards))
    if isinstance(rendered, str):
        outcome.ok, outcome.error = False, f"{output.display}: {rendered}"
        return outcome
    try:
        write_atomic(output.target, rendered.data, output.display)
    except OutputError as err:
        outcome.ok, outcome.error = False, err.message
        return outcome
    outcome.size, outcome.pages, outcome.diagnostics = len(rendered.data), rendered.pages, rendered.diagnostics
    return outcome


@dataclass
class _Plan:
    job: SourceJob
    deck: StudyDeck
    deck_name: str
    ids_file: identity.IdsFile
    anki_fields: dict[str, tuple[str, ...]]
    note_types: dict[str, NoteType]
    media: Media


@dataclass(frozen=True)
class Identity:
    """A deck with its cards' ids, their Anki fields and the ids file they give; nothing written."""

    deck_name: str
    ids_path: Path
    ids_display: str
    previous: identity.IdsFile
    assignment: identity.Assignment
    studied: StudyDeck
    note_types: dict[str, NoteType]  # by card kind, the kinds in use
    media: Media
    fields: dict[str, tuple[str, ...]]
    current: identity.IdsFile
    hashes: dict[str, str]  # by card id: the hash of what its note is made from (card_hash)
    own_templates: tuple[tuple[str, str], ...]  # the user's own templates of the note fields
    stored_version: int  # the ids file's format as read (older ones are rewritten)

    def card_hash(self, card: StudyCard) -> str:
        """The ids file's hash of a card: of its record and what else its note is made from."""
        return _card_hash(card, self.studied.source, self.media, self.own_templates)


def _card_hash(card: StudyCard, source_name: str, media: Media, own_templates: tuple[tuple[str, str], ...]) -> str:
    from deckgen.writers import apkg

    return identity.record_hash(apkg.note_source(card, source_name, media.anki, own_templates))


def _old_hash(card: StudyCard, version: int, source_name: str, templates: str, media: Media,
              own_templates: tuple[tuple[str, str], ...]) -> str:
    """A card's hash as an ids file of an older format holds it: before 4 a counted place was
    hashed like a number the source gave, before 3 the rendered fields were hashed."""
    from deckgen.writers import apkg

    card = dataclasses.replace(card, card=dataclasses.replace(card.card, counted=False))
    if version < 3:
        fields = apkg.note_fields(card, source_name, templates, media.anki)
        return identity.fields_hash(*fields, *apkg.note_tags(card))
    return _card_hash(card, source_name, media, own_templates)


def identify(job: SourceJob, deck: Deck, settings: Settings, env: dict[str, str],
             previous: identity.IdsFile | None = None) -> Identity:
    """Give every card its id (from the ids file, or `previous` in its place) and its Anki fields;
    compute the ids file that a build would write. Reads, never writes."""
    from deckgen.writers import apkg

    date = source_date(job.path, env)
    build_date = dt.datetime.fromtimestamp(date, dt.UTC).strftime("%Y-%m-%d") if date else ""
    # a title's "::" would make Anki nest decks; only the deck-name setting may ask for that
    deck_name = settings.deck_name or deck.title.replace("::", ":")
    ids_path = identity.ids_path(job.path)
    ids_display = str(Path(job.display).with_name(ids_path.name))
    if previous is None:
        previous = identity.load(ids_path, ids_display)
    assignment = identity.assign(deck.cards, previous, deck_name)
    studied = study_deck(deck, job, assignment.ids, build_date, settings.language)
    used = dict.fromkeys(card.kind for card in deck.cards)
    kinds = {kind: apkg.note_type(settings.note_type, settings.templates, kind) for kind in used}
    media = load_media(job, deck)
    fields = {
        card.id: apkg.note_fields(card, job.display, settings.templates, media.anki)
        for card in studied.cards
    }
    # hashed from the records, never from the fields (they change with Pygments)
    own_templates = apkg.own_field_templates(settings.templates)
    hashes = {c.id: _card_hash(c, job.display, media, own_templates) for c in studied.cards}
    stored_version = previous.version
    if stored_version < identity.FORMAT_VERSION:
        old_hashes = {c.id: _old_hash(c, stored_version, job.display, settings.templates, media, own_templates)
                      for c in studied.cards}
        previous, assignment = identity.migrate(previous, assignment, hashes, old_hashes)
    epoch = source_date_epoch(env)
    now = epoch if epoch is not None else int(time.time())
    current = identity.update(
        previous, assignment, tuple(c.card.question_text for c in studied.cards),
        tuple(hashes[c.id] for c in studied.cards),
        tuple(c.card.kind for c in studied.cards), {k: v.hash for k, v in kinds.items()}, now,
    )
    return Identity(deck_name, ids_path, ids_display, previous, assignment, studied, kinds, media,
                    fields, current, hashes, own_templates, stored_version)


def _plan(job: SourceJob, deck: Deck, settings: Settings, env: dict[str, str], result: BuildResult) -> _Plan:
    """Identity for every card, checked against (or written to) the ids file."""
    from deckgen.writers import write_atomic

    found = identify(job, deck, settings, env)
    previous, current = found.previous, found.current
    if found.assignment.removed:
        search = " OR ".join(f"Id:{e.id}" for e in found.assignment.removed)
        result.messages.append(
            f"{job.display}: {len(found.assignment.removed)} card(s) left the deck; Anki keeps their notes "
            f'(an import cannot delete). Find them in Anki\'s browser with: "deck:{found.deck_name}" ({search})'
        )
    if previous != current:
        problems = identity.stale(previous, current)
        if settings.locked:
            listed = "\n  ".join(problems[:20]) + ("\n  ..." if len(problems) > 20 else "")
            missing = "" if previous.entries else " (it is missing)"
            error = LockError(
                f"{found.ids_display}: the ids file is out of date{missing}; run `deckgen build` "
                f"without --locked and commit it:\n  {listed}"
            )
            error.stale = {found.ids_display: problems}
            raise error
        if problems:
            write_atomic(found.ids_path, identity.dump(current).encode("utf-8"), found.ids_display)
            result.messages.append(f"{found.ids_display}: updated ({len(problems)} change(s))")
    elif found.stored_version < identity.FORMAT_VERSION:
        # only its hashes are of the older kind, and every one still holds: the outputs are
        # the same either way, so --locked passes
        version = identity.FORMAT_VERSION
        if settings.locked:
            result.messages.append(f"{found.ids_display}: written by an older deckgen; `deckgen build` "
                                   f"brings it to format {version} (no card changed)")
        else:
            write_atomic(found.ids_path, identity.dump(current).encode("utf-8"), found.ids_display)
            result.messages.append(f"{found.ids_display}: now in format {version} (hashes of the source; "
                                   f"no card changed)")
    return _Plan(job, found.studied, found.deck_name, current, found.fields, found.note_types, found.media)


def _render(fmt: str, plan: _Plan, settings: Settings) -> Rendered:
    if fmt == "apkg":
        from deckgen.writers import apkg

        entries = {e.id: e.modified for e in plan.ids_file.entries}
        notetype_times = {kind: modified for kind, _, modified in plan.ids_file.notetypes}
        return Rendered(apkg.write_apkg(
            plan.deck, plan.deck_name, plan.note_types, notetype_times,
            plan.anki_fields, entries, plan.media.files,
        ))
    if fmt == "html":
        from deckgen.writers import apkg, html

        key = f"deckgen:{apkg.anki_id('deck', plan.deck_name)}"
        return Rendered(html.handout(plan.deck, settings.templates, plan.media.inline, key))
    raise OutputError(f"unknown format {fmt}")
