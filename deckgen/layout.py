"""Laying out the PDFs: each output is cut into parts (the cheat sheet at section boundaries, the
flashcards every few dozen sheets); a part comes from the layout cache when everything that shapes
it is unchanged, else it is laid out by WeasyPrint in a forked worker, on every core; then each
output is assembled from its parts (writers/pdfparts.py). An edit lays out only its part."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.cache import PartCache
from deckgen.model import Diagnostic, Rendered, SourceSpan


@dataclass(frozen=True)
class PdfJob:
    """One PDF output to lay out: what its parts need (all picklable, and inherited by fork)."""

    display: str
    fmt: str  # cheatsheet or cards
    deck: Any  # StudyDeck
    settings: Any  # Settings
    media: dict[str, str]
    allowed: tuple[Path, ...]
    key: str  # the output's input key: everything that shapes it but the records

    @property
    def page(self) -> dict[str, Any]:
        from deckgen.writers.pdf import PAPER_SIZES

        return {"paper": PAPER_SIZES[self.settings.paper], "orientation": self.settings.orientation,
                "columns": self.settings.columns}

    def parts(self) -> list:
        from deckgen.writers import pdf

        if self.fmt == "cheatsheet":
            return pdf.cheatsheet_parts(self.deck)
        s = self.settings
        return pdf.flashcard_parts(self.deck, s.paper, s.card_size, s.duplex)

    def part_key(self, part) -> str:
        d = self.deck
        facts = (self.fmt, self.key, d.title, d.language, d.build_date, len(d.cards), repr(part))
        return hashlib.sha256(repr(facts).encode("utf-8")).hexdigest()


def lay_out_part(job: PdfJob, index: int) -> tuple[bytes, dict]:
    from deckgen.writers import pdf

    part = job.parts()[index]
    s = job.settings
    if job.fmt == "cheatsheet":
        return pdf.cheatsheet_part(job.deck, part, job.page, s.templates, job.media, job.allowed)
    return pdf.flashcards_part(job.deck, part, s.paper, s.card_size, s.duplex, s.back_offset, s.templates,
                               job.media, job.allowed)


_JOBS: list[PdfJob] = []  # set before the workers fork: they read their jobs from here


def _work(job_index: int, part_index: int) -> tuple[bytes, dict] | str:
    try:
        return lay_out_part(_JOBS[job_index], part_index)
    except Exception as err:  # noqa: BLE001 - a library failing mid-layout fails this output only
        from deckgen.errors import DeckgenError

        return err.message if isinstance(err, DeckgenError) else f"{type(err).__name__}: {err}"


Progress = Callable[[str, int, int], None]  # (what, done, total)


def render_pdfs(jobs: list[PdfJob], cache: PartCache, progress: Progress) -> dict[str, Rendered | str]:
    """Every job's output (or why it failed), by display path. An output that cannot be put
    together from cached parts (a cache file damaged on disk) is laid out again without them."""
    results = _render_pdfs(jobs, cache, progress)
    broken = [j for j in jobs if isinstance(results[j.display], str) and results[j.display].startswith("assembly:")]
    if broken and cache.root is not None:
        results.update(_render_pdfs(broken, PartCache(None), progress))
    return {k: v.removeprefix("assembly: ") if isinstance(v, str) else v for k, v in results.items()}


def _render_pdfs(jobs: list[PdfJob], cache: PartCache, progress: Progress) -> dict[str, Rendered | str]:
    started = time.perf_counter()
    parts = {j.display: j.parts() for j in jobs}
    keys = {j.display: [j.part_key(p) for p in parts[j.display]] for j in jobs}
    done: dict[tuple[int, int], tuple[bytes, dict] | str] = {}
    todo = []
    for ji, job in enumerate(jobs):
        for pi, key in enumerate(keys[job.display]):
            hit = cache.get(key)
            if hit is not None:
                done[(ji, pi)] = hit
            else:
                todo.append((ji, pi))
    total = len(todo)
    if todo:
        progress(f"laying out {total} part(s) of {len(jobs)} PDF(s)", 0, total)
        for count, ((ji, pi), result) in enumerate(_run(jobs, todo), start=1):
            done[(ji, pi)] = result
            if not isinstance(result, str):
                cache.put(keys[jobs[ji].display][pi], *result)
            progress("laying out", count, total)
    results: dict[str, Rendered | str] = {}
    for ji, job in enumerate(jobs):
        laid = [done[(ji, pi)] for pi in range(len(parts[job.display]))]
        failed = next((r for r in laid if isinstance(r, str)), None)
        if failed is not None:
            results[job.display] = failed
            continue
        try:
            results[job.display] = _assemble(job, laid, cache)
        except Exception as err:  # noqa: BLE001 - reported as this output's failure
            results[job.display] = f"assembly: {type(err).__name__}: {err}"
    seconds = time.perf_counter() - started
    return {k: (v if isinstance(v, str) else _timed(v, seconds)) for k, v in results.items()}


def _timed(rendered: Rendered, seconds: float) -> Rendered:
    import dataclasses

    return dataclasses.replace(rendered, seconds=seconds)


def _run(jobs: list[PdfJob], todo: list[tuple[int, int]]):
    """(task, result) as each part is laid out: in forked workers on every core when there is
    more than one part and more than one core, else here."""
    cores = os.cpu_count() or 1
    _JOBS[:] = jobs
    if len(todo) < 2 or cores < 2:
        for ji, pi in todo:
            yield (ji, pi), _work(ji, pi)
        return
    import concurrent.futures
    import multiprocessing

    import weasyprint  # loaded once here, shared by the forked workers

    # and warmed up: fonts found and loaded once, not in every worker's first layout
    from deckgen.writers.pdf import FONTS

    weasyprint.HTML(string=f"<p style='font-family: {FONTS['sans']}'>a <b>b</b> <i>c</i></p>"
                           f"<pre style='font-family: {FONTS['mono']}'>d</pre>").render()

    context = multiprocessing.get_context("fork")
    # the biggest parts first, so that no core waits on one long part at the end
    order = sorted(todo, key=lambda t: -len(repr(jobs[t[0]].parts()[t[1]])))
    with concurrent.futures.ProcessPoolExecutor(min(cores, len(todo)), mp_context=context,
                                                initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(_work, ji, pi): (ji, pi) for ji, pi in order}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], future.result()


def die_with_parent(parent: int) -> None:
    """In a worker: end when deckgen ends, even when it is killed (SIGKILL runs no cleanup).
    Linux: the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG, set here, in the
    worker, since fork clears it); elsewhere a thread watches for the parent to go. Either way,
    a parent already gone before this ran is caught by comparing getppid()."""
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="deckgen-parent-watch").start()


def _assemble(job: PdfJob, laid: list[tuple[bytes, dict]], cache: PartCache) -> Rendered:
    from deckgen.writers import pdf, pdfparts

    deck = job.deck
    if job.fmt == "cards":
        problems = tuple(Diagnostic(p[0], p[1], p[2], SourceSpan(p[3], p[4], p[5]))
                         for _, facts in laid for p in facts["problems"])
        data = pdfparts.join([data for data, _ in laid], deck.title, deck.language)
        return Rendered(data, sum(facts["pages"] for _, facts in laid), problems)
    geometry = pdf.sheet_geometry(job.page)
    headings = [page for _, facts in laid for page in facts["headings"]]
    sheets = pdfparts.sheet_sections(headings, geometry.columns)
    frame_key = hashlib.sha256(repr(("frame", job.key, deck.title, deck.language, deck.build_date,
                                     sheets)).encode("utf-8")).hexdigest()
    hit = cache.get(frame_key)
    if hit is None:
        frame = pdf.cheatsheet_frame(deck, job.page, sheets, job.settings.templates, job.allowed)
        cache.put(frame_key, frame, {})
    else:
        frame = hit[0]
    data = pdfparts.impose([data for data, _ in laid], headings, frame, geometry, deck.title, deck.language)
    return Rendered(data, len(sheets))
