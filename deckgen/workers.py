"""The PDF workers: processes that lay out PDF parts, one per core, forked when a build starts,
loading WeasyPrint while deckgen reads the sources. Every process deckgen starts ends with it:
joined on close, on Ctrl-C and on SIGTERM, killed by the kernel when deckgen is killed, and the
folder a killed build leaves is removed by the next one. What the workers lay out is layout.py's."""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import json
import multiprocessing
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from deckgen.writers.pdf import FONTS


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

