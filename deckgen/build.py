"""The pipeline, in phases: read and check every source; plan each (identities, the ids file);
find the outputs that are out of date; hand the PDFs' parts to the workers; render and write
the rest while they lay out; put each PDF together as its parts come in; save the build record.
Everything is read and checked before anything is written. What an output format is lives in
formats.py; what a source is, in sources.py; a source's plan, in plan.py."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.buildrecord import BuildRecord, input_key
from deckgen.config import Settings
from deckgen.errors import DeckgenError, LockError, OutputError, ValidationFailed
from deckgen.formats import FORMATS, file_name, is_pdf, of_repository
from deckgen.journal import recover
from deckgen.model import OutputResult, Progress, Rendered
from deckgen.outputs import Output, render_safely, write
from deckgen.plan import Plan, plan_source
from deckgen.render import environment
from deckgen.repository import repository_outputs, write_manifest
from deckgen.sources import CheckResult, check, display_path
from deckgen.writers import remove_leftovers

if TYPE_CHECKING:
    from deckgen.workers import Workers


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
        # PDF workers first: they load WeasyPrint while the sources are read, checked and
        # identified. The PDF stage is loaded only when a PDF is made: an .apkg build never loads it.
        from deckgen import layout

        workers = own = layout.start_workers(layout.parts_at_most(settings, cwd))
    try:
        return _build(settings, cwd, env, report, workers)
    finally:
        if own is not None:
            own.close()


def wants_pdfs(settings: Settings) -> bool:
    return any(is_pdf(fmt) for fmt in settings.formats)


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
    # when every output of every source is there: a failed build changes nothing of the kind. A
    # shard leaves them to `deckgen site --from`, and says what it built.
    if settings.shard:
        write_manifest(out_dir, settings.shard, [job for job, _ in checked.decks])
    elif all(o.ok for o in result.outputs):
        result.outputs += repository_outputs(plans, checked.diagnostics, settings, out_dir, cwd, record, report)
    # 6. the build record, for the next build to know what is up to date
    try:
        record.save(out_dir)
    except OutputError as err:  # only a cache: the next build renders everything again
        result.messages.append(f"{err.message} (the build record; the next build redoes every output)")
    return result


def _outdated(plans: list[Plan], settings: Settings, out_dir: Path, cwd: Path, record: BuildRecord,
              result: BuildResult) -> list[Output]:
    """The outputs to render; those the build record says are up to date go into `result`."""
    todo: list[Output] = []
    for plan in plans:
        own = settings.for_source(plan.job.display)
        for fmt in (f for f in own.formats if not of_repository(f)):
            target = out_dir / file_name(str(plan.job.stem), fmt)
            output = Output(fmt, target, display_path(target, cwd), plan, own, input_key(fmt, plan, own))
            if record.unchanged(output.display, output.key, target):
                result.outputs.append(OutputResult(output.display, fmt, cards=len(plan.deck.cards),
                                                   size=target.stat().st_size, unchanged=True,
                                                   pages=record.pages(output.display)))
            else:
                todo.append(output)
    return todo


def _bring_up_to_date(todo: list[Output], settings: Settings, env: dict[str, str],
                      report: Callable[[str | Progress, OutputResult | None], None], workers: Workers | None,
                      record: BuildRecord, result: BuildResult) -> None:
    """Render and write `todo`. The PDFs' parts go to the workers first; the deck and the handout
    are written while they are laid out, then each PDF as it is put together."""
    quick = [o for o in todo if not is_pdf(o.fmt)]
    pdfs = {o.display: o for o in todo if is_pdf(o.fmt)}
    laying = None
    if pdfs:
        from deckgen import layout  # the PDF stage (see build)

        laying = layout.start(list(pdfs.values()), settings, env, report, workers)
    try:
        finished = [(o, None) for o in quick]
        if laying is not None:
            finished = itertools.chain(finished, ((pdfs[display], done) for display, done in laying.outputs()))
        for output, done in finished:
            started = time.perf_counter()
            if done is None:
                done = render_safely(output.fmt, output.plan, output.settings)
            outcome = write(output, done)
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
