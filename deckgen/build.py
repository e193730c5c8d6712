"""The pipeline, in phases: read and check every source; plan each (identities, the ids file);
find the outputs that are out of date; hand the PDFs' parts to the workers; render and write
the rest while they lay out; put each PDF together as its parts come in; save the build record.
Everything is read and checked before anything is written. What an output format is lives in
formats.py; what a source is, in sources.py; a source's plan, in plan.py."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deckgen import layout
from deckgen.buildrecord import BuildRecord, input_key, layout_key
from deckgen.cache import PartCache, folder
from deckgen.config import Settings
from deckgen.errors import DeckgenError, LockError, OutputError, ValidationFailed
from deckgen.formats import FORMATS, file_name, is_pdf, of_repository
from deckgen.layout import PdfLayout, Workers, start_workers
from deckgen.model import OutputResult, Progress, Rendered
from deckgen.patch import recover
from deckgen.plan import Plan, plan_source
from deckgen.render import builtin_templates, environment
from deckgen.sources import CheckResult, check, discover, display_path
from deckgen.writers import pdf, remove_leftovers, write_atomic


@dataclass
class BuildResult:
    """What a build did: the sources as read and checked, each output, and what else it says."""

    check: CheckResult
    outputs: list[OutputResult] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def verdict(self, settings: Settings) -> DeckgenError | None:
        """Why the build failed under these settings (the error to raise), or None."""
        if self.check.failed(settings):
            return ValidationFailed(
                self.check.summary() + ("; warnings fail under --strict" if settings.strict else "")
                + "; nothing was written")
        failed = [o for o in self.outputs if not o.ok]
        if failed:
            return OutputError(f"{len(failed)} of {len(self.outputs)} output(s) failed; {self.the_others()}")
        rendered = self.rendered_warnings()
        if settings.strict and rendered:
            return ValidationFailed(f"{len(rendered)} warning(s) while rendering; they fail under --strict")
        return None

    def rendered_warnings(self) -> list:
        return [d for o in self.outputs for d in o.diagnostics]

    def the_others(self) -> str:
        """What became of the outputs that did not fail (a failed one leaves its previous file)."""
        written = sum(o.ok and not o.unchanged for o in self.outputs)
        unchanged = sum(o.ok and o.unchanged for o in self.outputs)
        if not written and not unchanged:
            return "none was written"
        if not unchanged:
            return "the others were written" if written > 1 else "the other was written"
        if not written:
            return "the others are unchanged" if unchanged > 1 else "the other is unchanged"
        return f"{written} written, {unchanged} unchanged"


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

    environment.cache_clear()  # the templates as they are now (`deckgen watch` builds many times)
    env = dict(os.environ) if env is None else env
    own = None
    if workers is None and wants_pdfs(settings):
        # PDF workers first: they load WeasyPrint while the sources are read, checked and identified

        workers = own = start_workers(pdf_parts_at_most(settings, cwd))
    try:
        return _build(settings, cwd, env, report, workers)
    finally:
        if own is not None:
            own.close()


def wants_pdfs(settings: Settings) -> bool:
    return any(is_pdf(fmt) for fmt in settings.formats)


def pdf_parts_at_most(settings: Settings, cwd: Path) -> int:
    """About how many PDF parts the sources make, judged by their size before they are read (150
    bytes a card, a short one): a build does not start more workers than that on a big machine."""

    try:
        cards = sum(job.path.stat().st_size for job in discover(settings.sources, cwd)) // 150 + 1
    except (DeckgenError, OSError):
        return 1  # the build says what is wrong with the sources
    # the part sizes read where the writers read them (a test that makes parts smaller sets them there)
    parts = -(-cards // pdf.PART_CARDS) if "cheatsheet" in settings.formats else 0
    if "cards" in settings.formats:
        parts += -(-cards // pdf.flashcards_a_part(settings.paper, settings.card_size, settings.duplex))
    return parts


def _build(settings: Settings, cwd: Path, env: dict[str, str],
           report: Callable[[str | Progress, OutputResult | None], None], workers: Workers | None) -> BuildResult:
    # 1. read and check every source (after finishing a pull --write that was interrupted)
    finished = recover([cwd / place for place in settings.sources], cwd)
    checked = check(settings, cwd)
    result = BuildResult(checked)
    result.messages.extend(finished)
    if checked.failed(settings):
        return result
    for job, _ in checked.decks:  # settings no output of a source can be made with
        own = settings.for_source(job.display)
        for fmt in own.formats:
            FORMATS[fmt].check_settings(own)
    # 2. plan each source: identities, the ids file
    out_dir = cwd / settings.out
    remove_leftovers(out_dir)
    record = BuildRecord.load(out_dir)
    try:
        plans = [plan_source(job, deck, settings.for_source(job.display), env, result.messages)
                 for job, deck in checked.decks]
    except LockError as err:
        err.result = result  # what was read and checked, for the summary of a failed build
        raise
    # 3. the outputs out of date: those whose inputs or bytes differ from the build record's
    todo = _outdated(plans, settings, out_dir, cwd, record, result)
    # 4. render and write them
    _bring_up_to_date(todo, settings, env, report, workers, record, result)
    # 5. what is made of every source at once (the Anki package of every deck, the deck site),
    # when every output of every source is there: a failed build changes nothing of the kind
    if all(o.ok for o in result.outputs):
        _repository_outputs(plans, settings, out_dir, cwd, record, result, report)
    # 6. the build record, for the next build to know what is up to date
    try:
        record.save(out_dir)
    except OutputError as err:  # only a cache: the next build renders everything again
        result.messages.append(f"{err.message} (the build record; the next build redoes every output)")
    return result


def _outdated(plans: list[Plan], settings: Settings, out_dir: Path, cwd: Path, record: BuildRecord,
              result: BuildResult) -> list[_Output]:
    """The outputs to render; those the build record says are up to date go into `result`."""
    todo: list[_Output] = []
    for plan in plans:
        own = settings.for_source(plan.job.display)
        for fmt in (f for f in own.formats if not of_repository(f)):
            target = out_dir / file_name(str(plan.job.stem), fmt)
            output = _Output(fmt, target, display_path(target, cwd), plan, own, input_key(fmt, plan, own))
            if record.unchanged(output.display, output.key, target):
                result.outputs.append(OutputResult(output.display, fmt, cards=len(plan.deck.cards),
                                                   size=target.stat().st_size, unchanged=True,
                                                   pages=record.pages(output.display)))
            else:
                todo.append(output)
    return todo


def _bring_up_to_date(todo: list[_Output], settings: Settings, env: dict[str, str],
                      report: Callable[[str | Progress, OutputResult | None], None], workers: Workers | None,
                      record: BuildRecord, result: BuildResult) -> None:
    """Render and write `todo`. The PDFs' parts go to the workers first; the deck and the handout
    are written while they are laid out, then each PDF as it is put together."""
    quick = [o for o in todo if not is_pdf(o.fmt)]
    pdfs = {o.display: o for o in todo if is_pdf(o.fmt)}
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


@dataclass
class RepositoryBuild:
    """What a format of the repository (formats.py) is made from: every source's plan, what the
    build checked and wrote, and the repository's title."""

    plans: list[Plan]
    diagnostics: list
    settings: Settings
    out_dir: Path
    title: str
    description: str
    files: dict[str, tuple[Path, int]] = field(default_factory=dict)  # repository format -> (path, size)

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def templates(self) -> str:
        return self.settings.templates

    def built(self, job) -> list[tuple[str, Path, int]]:
        """The files in the output folder for a source, per format: (format, path, size)."""
        found = []
        for fmt in (f for f in FORMATS if not of_repository(f)):
            target = self.out_dir / file_name(str(job.stem), fmt)
            if target.is_file():
                found.append((fmt, target.relative_to(self.out_dir), target.stat().st_size))
        return found


def _repository_outputs(plans: list[Plan], settings: Settings, out_dir: Path, cwd: Path, record: BuildRecord,
                        result: BuildResult, report: Callable[[str | Progress, OutputResult | None], None]) -> None:
    """Bring the repository's own outputs up to date, in the registry's order (the site links what
    comes before it). The site is cheap and made every time; it is written when its bytes change."""
    wanted = [f for f in FORMATS if of_repository(f) and f in settings.formats and len(plans) >= FORMATS[f].at_least]
    title = settings.site_title or cwd.resolve().name
    repository = RepositoryBuild(plans, result.check.diagnostics, settings, out_dir, title, settings.site_description)
    cards = sum(len(p.deck.cards) for p in plans)
    for fmt in wanted:
        target = out_dir / FORMATS[fmt].file
        display = display_path(target, cwd)
        key = _repository_key(fmt, plans, settings, title)
        if key and record.unchanged(display, key, target):
            outcome = OutputResult(display, fmt, cards=cards, size=target.stat().st_size, unchanged=True)
        else:
            started = time.perf_counter()
            outcome = _write(_Output(fmt, target, display, None, settings, key),
                             _render_safely(fmt, repository, settings), cards)
            outcome.seconds = time.perf_counter() - started
            if outcome.ok and not outcome.unchanged:
                record.remember(display, key, target, 0)
                report(display, outcome)
            elif not outcome.ok:
                report(display, outcome)
        result.outputs.append(outcome)
        if outcome.ok:
            repository.files[fmt] = (target.relative_to(out_dir), target.stat().st_size)


def _repository_key(fmt: str, plans: list[Plan], settings: Settings, title: str) -> str:
    """What shapes a repository output but the files it links: its title, its settings and every
    source's Anki deck (for all.apkg); the site is keyed by nothing and compared by its bytes."""
    if fmt == "site":
        return ""
    parts = [fmt, title, repr([getattr(settings, n) for n in FORMATS[fmt].settings])]
    for plan in plans:
        parts += [str(plan.job.stem), input_key("apkg", plan, settings.for_source(plan.job.display))]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Output:
    """One output to bring up to date."""

    fmt: str
    target: Path
    display: str
    plan: Plan | None  # None for an output of the repository
    settings: Settings
    key: str


def _start_pdfs(pdfs: list[_Output], settings: Settings, env: dict[str, str],
                report: Callable[[str, OutputResult | None], None], workers: Workers | None) -> PdfLayout:
    """The PDF outputs, their parts handed to the workers (those the layout cache lacks)."""

    jobs = []
    for o in pdfs:
        allowed = (builtin_templates(),) + ((Path(o.settings.templates),) if o.settings.templates else ())
        jobs.append(layout.PdfJob(o.display, o.fmt, o.plan.deck, o.settings, o.plan.media.inline, allowed,
                                  layout_key(o.fmt, o.plan, o.settings)))
    cache = PartCache(folder(env) if settings.cache else None)

    def progress(what: str, done: int, total: int) -> None:
        report(Progress(what, done, total), None)

    return layout.PdfLayout(jobs, cache, progress, workers)


def _render_safely(fmt: str, plan: Plan, settings: Settings) -> Rendered | str:
    """The output's bytes, or the reason it failed as one line."""
    started = time.perf_counter()
    try:
        rendered = FORMATS[fmt].render()(plan, settings)
        return dataclasses.replace(rendered, seconds=time.perf_counter() - started)
    except DeckgenError as err:
        return err.message
    except Exception as err:  # a library failing mid-render must not take the other outputs with it
        return f"{type(err).__name__}: {err}"


def _write(output: _Output, rendered: Rendered | str, cards: int | None = None) -> OutputResult:
    outcome = OutputResult(output.display, output.fmt, cards=len(output.plan.deck.cards) if cards is None else cards)
    if isinstance(rendered, str):
        outcome.ok, outcome.error = False, f"{output.display}: {rendered}"
        return outcome
    if cards is not None and output.target.is_file() and output.target.read_bytes() == rendered.data:
        outcome.unchanged, outcome.size = True, len(rendered.data)  # a repository output, as it was
        return outcome
    try:
        write_atomic(output.target, rendered.data, output.display)
    except OutputError as err:
        outcome.ok, outcome.error = False, err.message
        return outcome
    outcome.size, outcome.pages, outcome.diagnostics = len(rendered.data), rendered.pages, rendered.diagnostics
    return outcome
