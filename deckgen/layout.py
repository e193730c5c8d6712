"""Laying out the PDFs: each output is cut into parts (the cheat sheet at section boundaries, the
flashcards every five sheets); a part comes from the layout cache when everything that shapes it
is unchanged, else it is laid out by WeasyPrint in a worker process, one per core, forked when the
build starts; each output is assembled from its parts as soon as they are in. An edit lays out
only its parts. What a part is, how it is laid out and how the output is put together is its
writer's (the `pdf` module of its format in formats.py; the contract is in writers/pdf.py): this
module only schedules them."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.cache import PartCache
from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.formats import FORMATS
from deckgen.model import Rendered, StudyDeck
from deckgen.render import environment
from deckgen.writers.pdf import FONTS, FramePlan, LaidPart, PartFailure, PdfWriter


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


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, `timeout`, `kill`) while deckgen has workers: raised where
    Ctrl-C raises KeyboardInterrupt, so that the same cleanup runs and deckgen ends as it does
    on Ctrl-C."""


class _Sigterm:
    """SIGTERM handled while a process has workers (their folder holds a copy of the deck, and
    they are to be joined); the handler it had before comes back when the last of them is closed.
    Closing them is not interrupted: a SIGTERM meanwhile is raised once they are gone."""

    def __init__(self) -> None:
        self.owner = 0  # the process whose workers these are (a worker inherits the handler)
        self.live = self.closing = 0
        self.pending = self.installed = False
        self.previous: Any = None

    def handle(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.owner:  # a worker, forked before it set its own handler
            _end_worker(signum, frame)
        if self.closing:
            self.pending = True
            return
        raise Terminated()

    def opened(self) -> None:
        if self.live == 0 and threading.current_thread() is threading.main_thread():
            self.owner, self.pending = os.getpid(), False
            self.previous = signal.signal(signal.SIGTERM, self.handle)
            self.installed = True
        self.live += 1

    @contextlib.contextmanager
    def closing_one(self) -> Iterator[None]:
        self.closing += 1
        try:
            yield
        finally:
            self.closing -= 1
            self.live -= 1
            if self.live == 0 and self.installed:
                signal.signal(signal.SIGTERM, self.previous)
                self.installed = False
            if self.pending and not self.closing:
                self.pending = False
                raise Terminated()


_SIGTERM = _Sigterm()
OWNER_FILE = "owner.json"  # in a workers' folder: whose it is (see remove_stale_folders)


def _started(pid: int) -> str | None:
    """When process `pid` started (Linux: clock ticks after boot), which tells it apart from a
    later one given the same number; "" where the system does not say. None: there is no such
    process, or it has ended (a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        if Path("/proc/self/stat").exists():  # Linux, and no such process
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except OSError:  # it exists, another user's
            pass
        return ""
    return None if fields[0] in ("Z", "X") else fields[19]


def _this_process() -> dict[str, str]:
    """What a workers' folder records of the process it is for: its pid and start, and where
    that pid means that process: its pid namespace and the boot ("" where not known)."""

    def read(how: Callable[[], str]) -> str:
        try:
            return how().strip()
        except OSError:
            return ""
    return {"pid": str(os.getpid()), "started": _started(os.getpid()) or "",
            "namespace": read(lambda: os.readlink("/proc/self/ns/pid")),
            "boot": read(lambda: Path("/proc/sys/kernel/random/boot_id").read_text())}


def _owner_gone(owner: dict[str, str], here: dict[str, str]) -> bool:
    """Whether the process a workers' folder records has ended. Judged only where this process
    (`here`) sees the same processes, the same boot and pid namespace: a folder of another
    container or machine sharing the temporary folder is left alone."""
    if any(owner.get(what) != here[what] for what in ("boot", "namespace")):
        return False
    try:
        now = _started(int(owner["pid"]))
    except (KeyError, ValueError, TypeError):
        return False
    return now is None or bool(owner.get("started") and now and owner["started"] != now)


def remove_stale_folders(where: str | None = None) -> list[str]:
    """Remove the workers' folders that builds killed with SIGKILL (no cleanup runs) left in the
    temporary folder, each with a copy of its deck: only this user's, and only those whose
    process is gone. A folder of an older deckgen (no owner recorded) is left alone. The folders
    removed."""
    here = _this_process()
    removed = []
    for folder in Path(where or tempfile.gettempdir()).glob("deckgen-workers-*"):
        try:
            owner_file = folder / OWNER_FILE
            found, recorded = folder.lstat(), owner_file.lstat()
            if not (stat.S_ISDIR(found.st_mode) and stat.S_ISREG(recorded.st_mode)
                    and found.st_uid == recorded.st_uid == os.getuid()):
                continue  # not a folder deckgen made for this user (a link, someone else's)
            owner = json.loads(owner_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(owner, dict) and _owner_gone(owner, here):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


class Workers:
    """Processes that lay out PDF parts, one per core. They are forked when a build starts and
    load WeasyPrint and its fonts while deckgen reads, checks and identifies the cards; they are
    handed their jobs later, in a file. They end with the build (with `deckgen watch`, when it
    stops), joined, with whatever they started; on SIGTERM as on Ctrl-C; and when deckgen is
    killed (then the next one removes their folder)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.temp, self.pool, self.closed = "", None, False
        remove_stale_folders()
        _SIGTERM.opened()
        try:
            # the workers' temporary files (their jobs, and whatever a library leaves behind when
            # a worker is stopped mid-way) go in a folder of their own, removed when they are
            # closed; it records whose it is, for a later build to know when it is stale
            self.temp = tempfile.mkdtemp(prefix="deckgen-workers-")
            Path(self.temp, OWNER_FILE).write_text(json.dumps(_this_process()), encoding="utf-8")
            self._fork()
        except BaseException:
            self.close()
            raise

    def _fork(self) -> None:
        self.pool = concurrent.futures.ProcessPoolExecutor(
            self.count, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
            initargs=(os.getpid(), self.temp))
        self.pool.submit(int)  # forks them all now (a fork-context pool starts them on first use)

    def submit(self, function: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        try:
            return self.pool.submit(function, *args)
        except concurrent.futures.BrokenExecutor:  # a worker died (killed, out of memory): new ones
            self._stop()
            self._fork()
            return self.pool.submit(function, *args)

    def _stop(self) -> None:
        """Stop the workers, busy or not (a build that ends early does not wait for them), and
        join them: a worker still loading WeasyPrint first waits for the gcc or ldconfig it runs
        (see _end_worker), so nothing of the build is left running when deckgen exits."""
        if self.pool is None:
            return
        processes = _pool_processes(self.pool)
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(JOIN_SECONDS)
            if process.is_alive():  # stuck in a library: no more waiting
                process.kill()
                process.join()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with _SIGTERM.closing_one():  # a SIGTERM now is raised once the workers and their folder are gone
            self._stop()
            for _ in range(3):  # a compiler a stopped worker ran may still write there for a moment
                if not self.temp:
                    break
                shutil.rmtree(self.temp, ignore_errors=True)
                if not os.path.exists(self.temp):
                    break
                time.sleep(0.05)


JOIN_SECONDS = 10  # how long a worker told to stop may take to end


def _pool_processes(pool: concurrent.futures.ProcessPoolExecutor) -> list:
    """The pool's worker processes. ProcessPoolExecutor has no public way to reach them, and its
    shutdown() neither stops a busy worker nor waits for the gcc or ldconfig a starting one runs,
    so Workers._stop terminates and joins them itself: it reads the pool's private `_processes`
    (pid -> multiprocessing.Process; None once the pool has shut down) here, and only here.
    Version pin: CPython 3.11 to 3.13 (pyproject: requires-python >=3.11); when a release changes
    it, tests/test_layout.py::test_workers_that_serve_several_builds_replace_one_that_died fails
    (AttributeError when a worker dies and the pool is replaced)."""
    return list((pool._processes or {}).values())


def start_workers(parts: int | None = None) -> Workers | None:
    """Workers on every core, or as many as `parts` can keep busy; none on a single core or
    where processes cannot fork (there the parts are laid out in this process)."""
    cores = os.cpu_count() or 1
    if cores < 2 or "fork" not in multiprocessing.get_all_start_methods():  # Windows: no fork
        return None
    try:
        return Workers(max(1, min(cores, parts or cores)))
    except OSError:  # no temporary folder to be had (the disk is full): laid out here
        return None


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


def _start_worker(parent: int, temp: str) -> None:
    """A worker's first steps: its own temporary folder, Ctrl-C left to deckgen, death with
    deckgen, a lower priority; then WeasyPrint and its fonts, loaded once (in every worker at
    once, while deckgen reads, checks and identifies the cards)."""
    # importing WeasyPrint runs gcc and ldconfig to find its libraries (ctypes.util.find_library):
    # stopped meanwhile, a worker waits for them rather than leave them running
    signal.signal(signal.SIGTERM, _end_worker)
    # for this process and what it runs: gcc works on a temporary file, left behind if stopped
    os.environ["TMPDIR"] = tempfile.tempdir = temp
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is deckgen's to handle: it closes the workers
    die_with_parent(parent)
    os.nice(10)  # deckgen itself first: it reads, checks and writes while the workers wait for parts
    import weasyprint

    weasyprint.HTML(string=f"<p style='font-family: {FONTS['sans']}'>a <b>b</b> <i>c</i></p>"
                           f"<pre style='font-family: {FONTS['mono']}'>d</pre>").render()

    gc.freeze()  # what the worker inherited and loaded: never collected, so never scanned again
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # from now on it starts nothing: stopped at once


def _end_worker(signum: int | None = None, frame: Any = None) -> None:
    """A worker told to stop while it may be running a program: that program is waited for (gcc
    waits for its own linker), then the worker ends, its children reaped: nothing it started
    outlives it."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    os._exit(0)


def die_with_parent(parent: int) -> None:
    """In a worker: end when deckgen ends, even when it is killed (SIGKILL runs no cleanup).
    Linux: the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG, set here, in the
    worker, since fork clears it); elsewhere a thread watches for the parent to go. Either way,
    a parent already gone before this ran is caught by comparing getppid()."""
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
