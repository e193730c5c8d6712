"""Laying out the PDFs: each output is cut into parts (the cheat sheet at section boundaries, the
flashcards every five sheets); a part comes from the layout cache when everything that shapes it
is unchanged, else it is laid out by WeasyPrint in a worker process, one per core, forked when the
build starts; each output is assembled from its parts as soon as they are in. An edit lays out
only its parts. What a part is, how it is laid out and how the output is put together is its
writer's (the `pdf` module of its format in formats.py; the contract is in writers/pdf.py): this
module only schedules them."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.buildrecord import layout_key
from deckgen.cache import PartCache, folder
from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.formats import FORMATS
from deckgen.model import OutputResult, Rendered, StudyDeck
from deckgen.model import Progress as Shown  # a progress report as the terminal shows it
from deckgen.render import builtin_templates, environment
from deckgen.sources import discover
from deckgen.workers import Workers, start_workers
from deckgen.writers import pdf
from deckgen.writers.pdf import FramePlan, LaidPart, PartFailure, PdfWriter

if TYPE_CHECKING:
    from deckgen.outputs import Output


@dataclass(frozen=True)
class PdfJob:
    """One PDF output to lay out: what its parts need (all picklable, and inherited by fork)."""

    display: str
    fmt: str  # a PDF format (formats.py): its writer lays it out
    deck: StudyDeck
    settings: Settings
    media: dict[str, str]
    allowed: tuple[Path, ...]
    key: str  # the output's input key: everything that shapes it but the records

    @property
    def writer(self) -> PdfWriter:
        return FORMATS[self.fmt].pdf_writer()

    def parts(self) -> list:
        return list(self.writer.parts(self))

    def part_key(self, part) -> str:
        d = self.deck
        facts = (self.fmt, self.key, d.title, d.language, d.build_date, len(d.cards), repr(part))
        return hashlib.sha256(repr(facts).encode("utf-8")).hexdigest()


def lay_out_part(job: PdfJob, part) -> LaidPart:
    return job.writer.lay_out(job, part)


# The jobs a worker was handed, by the file they came in ("" for the jobs laid out in this
# process), and their parts: read once per worker, not once per part.
_JOBS: dict[str, list[PdfJob]] = {}
_PARTS: dict[tuple[str, int], list] = {}


def _job(source: str, index: int) -> tuple[PdfJob, list]:
    if source not in _JOBS:
        if source:  # a new build's jobs (workers that serve several builds keep only the latest)

            for old in [key for key in _JOBS if key]:
                del _JOBS[old]
            for old in [key for key in _PARTS if key[0]]:
                del _PARTS[old]
            environment.cache_clear()  # templates as they are now (one added since is found too)
        with open(source, "rb") as file:
            _JOBS[source] = pickle.load(file)
    if (source, index) not in _PARTS:
        _PARTS[(source, index)] = _JOBS[source][index].parts()
    return _JOBS[source][index], _PARTS[(source, index)]


def _work(source: str, job_index: int, part_index: int) -> LaidPart | PartFailure:
    try:
        job, parts = _job(source, job_index)
        return lay_out_part(job, parts[part_index])
    except Exception as err:  # noqa: BLE001 - a library failing mid-layout fails this output only
        return _failure(err)


def _frame(source: str, job_index: int, plan: FramePlan) -> bytes | PartFailure:
    """An output's frame (the cheat sheet's header and footer), laid out where the parts were:
    there WeasyPrint is warm."""
    try:
        job, _ = _job(source, job_index)
        return job.writer.lay_out_frame(job, plan)
    except Exception as err:  # noqa: BLE001
        return _failure(err)


def _failure(err: Exception) -> PartFailure:
    return PartFailure(err.message if isinstance(err, DeckgenError) else f"{type(err).__name__}: {err}")


Progress = Callable[[str, int, int], None]  # (what, done, total)


class PdfLayout:
    """The PDF outputs being laid out. Starting it hands the workers (the build's, else its own)
    every part the cache lacks; the caller does other work (the deck, the handout) while they
    run, then reads the outputs: each is put together as soon as its parts are in."""

    def __init__(self, jobs: list[PdfJob], cache: PartCache, progress: Progress,
                 workers: Workers | None = None) -> None:
        self.jobs, self.cache, self.progress, self.shared = jobs, cache, progress, workers
        self.started = time.perf_counter()
        self.parts = [j.parts() for j in jobs]
        self.keys = [[j.part_key(p) for p in parts] for j, parts in zip(jobs, self.parts, strict=True)]
        self.done: dict[tuple[int, int], LaidPart | PartFailure] = {}
        todo = []
        for ji, keys in enumerate(self.keys):
            for pi, key in enumerate(keys):
                hit = self._cached(key)
                if hit is None:
                    todo.append((ji, pi))
                else:
                    self.done[(ji, pi)] = hit
        self.total = len(todo)
        self.futures: dict = {}
        self.todo = todo
        self.source = ""  # where the workers read the jobs from; "": laid out here
        self.workers = None
        if todo:
            progress(f"laying out {len(todo)} part(s) of {len(jobs)} PDF(s)", 0, len(todo))
            self.workers = workers or start_workers()
        if self.workers is not None:
            self.source = _hand_out(jobs, self.workers.temp)
            if not self.source:  # the temporary folder is full or gone: laid out here instead
                self.close()
        if self.workers is not None:
            # the biggest parts first, so that no core waits on one long part at the end
            for ji, pi in sorted(todo, key=lambda t: -len(repr(self.parts[t[0]][t[1]]))):
                self.futures[self.workers.submit(_work, self.source, ji, pi)] = ("part", ji, pi)
        else:
            _JOBS[""] = jobs
            _PARTS.clear()

    def outputs(self) -> Iterator[tuple[str, Rendered | str]]:
        """(display, Rendered or why it failed), in the jobs' order; each output is assembled as
        soon as its parts (and its frame, if it has one) are laid out. An output that cannot be
        put together from cached parts (a cache file damaged on disk) is laid out again without
        the cache."""
        try:
            results = self._run()
        finally:
            self.close()
        for ji, job in enumerate(self.jobs):
            result = results[ji]
            if isinstance(result, PartFailure) and result.assembly and self.cache.root is not None:
                yield next(PdfLayout([job], PartCache(None), self.progress, self.shared).outputs())
                continue
            yield job.display, (result.message if isinstance(result, PartFailure) else result)

    def close(self) -> None:
        if self.workers is not None and self.workers is not self.shared:  # its own: stopped
            self.workers.close()
        self.workers = None
        if self.source:
            Path(self.source).unlink(missing_ok=True)
            self.source = ""

    def _cached(self, key: str) -> LaidPart | None:
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:
            return LaidPart.from_facts(*hit)
        except ValueError:  # facts this deckgen does not read: laid out again
            return None

    def _run(self) -> dict[int, Rendered | PartFailure]:
        results: dict[int, Rendered | PartFailure] = {}
        frames: dict[int, bytes | PartFailure | None] = {}  # None: the output has no frame
        count = 0

        def settle(ji: int) -> None:  # assemble a job whose parts (and frame) are all in
            if ji in results:
                return
            laid = [self.done.get((ji, pi)) for pi in range(len(self.parts[ji]))]
            if any(r is None for r in laid):
                return
            failed = next((r for r in laid if isinstance(r, PartFailure)), None)
            if failed is not None:
                results[ji] = failed
                return
            if ji not in frames and not self._take_frame(ji, laid, frames):
                return  # its frame is being laid out
            frame = frames[ji]
            if isinstance(frame, PartFailure):
                results[ji] = frame
                return
            job = self.jobs[ji]
            try:
                results[ji] = _timed(job.writer.assemble(job, laid, frame), time.perf_counter() - self.started)
            except Exception as err:  # noqa: BLE001 - reported as this output's failure
                results[ji] = PartFailure(f"{type(err).__name__}: {err}", assembly=True)

        for ji in range(len(self.jobs)):
            settle(ji)
        if self.workers is None:  # one core: laid out here
            for ji, pi in self.todo:
                self._part_done(ji, pi, _work("", ji, pi))
                count += 1
                self.progress("laying out", count, self.total)
                settle(ji)
        else:
            while self.futures:
                finished, _ = concurrent.futures.wait(self.futures, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    kind, ji, detail = self.futures.pop(future)
                    try:
                        value = future.result()
                    except Exception as err:  # noqa: BLE001 - a worker that died fails its output
                        value = _failure(err)
                    if kind == "frame":
                        frames[ji] = self._put_frame(detail, value)
                    else:
                        self._part_done(ji, detail, value)
                        count += 1
                        self.progress("laying out", count, self.total)
                    settle(ji)
        return results

    def _take_frame(self, ji: int, laid: list[LaidPart], frames: dict[int, bytes | PartFailure | None]) -> bool:
        """The output's frame into `frames` (None when it has none), from the cache or laid out
        here; False when it has been handed to a worker instead."""
        job = self.jobs[ji]
        plan = job.writer.frame(job, laid)
        if plan is None:
            frames[ji] = None
            return True
        hit = self.cache.get(plan.key)
        if hit is not None:
            frames[ji] = hit[0]
        elif self.workers is not None:
            self.futures[self.workers.submit(_frame, self.source, ji, plan)] = ("frame", ji, plan.key)
            return False
        else:
            frames[ji] = self._put_frame(plan.key, _frame(self.source, ji, plan))
        return True

    def _part_done(self, ji: int, pi: int, result: LaidPart | PartFailure) -> None:
        self.done[(ji, pi)] = result
        if isinstance(result, LaidPart):
            self.cache.put(self.keys[ji][pi], result.data, result.facts())

    def _put_frame(self, key: str, frame: bytes | PartFailure) -> bytes | PartFailure:
        if not isinstance(frame, PartFailure):
            self.cache.put(key, frame, {})
        return frame


def _hand_out(jobs: list[PdfJob], folder: str) -> str:
    """The file the workers read the jobs from ("" when it cannot be written)."""
    try:
        with tempfile.NamedTemporaryFile(prefix="deckgen-jobs-", dir=folder, delete=False) as file:
            try:
                pickle.dump(jobs, file, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:
                Path(file.name).unlink(missing_ok=True)
                raise
        return file.name
    except OSError:
        return ""


def _timed(rendered: Rendered, seconds: float) -> Rendered:

    return dataclasses.replace(rendered, seconds=seconds)


def parts_at_most(settings: Settings, cwd: Path) -> int:
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


def start(pdfs: list[Output], settings: Settings, env: dict[str, str],
          report: Callable[[str | Shown, OutputResult | None], None], workers: Workers | None) -> PdfLayout:
    """The PDF outputs, their parts handed to the workers (those the layout cache lacks)."""

    jobs = []
    for o in pdfs:
        allowed = (builtin_templates(),) + ((Path(o.settings.templates),) if o.settings.templates else ())
        jobs.append(PdfJob(o.display, o.fmt, o.plan.deck, o.settings, o.plan.media.inline, allowed,
                           layout_key(o.fmt, o.plan, o.settings)))
    cache = PartCache(folder(env) if settings.cache else None)

    def progress(what: str, done: int, total: int) -> None:
        report(Shown(what, done, total), None)

    return PdfLayout(jobs, cache, progress, workers)
