"""Several files replaced all at once or not at all (a pull's sources and their ids files): each
new file is written to a temporary file beside it, then a journal naming them all is written (the
commit point), then each is renamed into place and the journal removed. A pull killed before the
journal is whole changed nothing, and the next pull removes its temporary files; one killed after
leaves the journal, and the next build or pull (`recover`) finishes the renames, so a source is
never left new beside an old ids file."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from pathlib import Path

from deckgen.errors import DeckgenError


class PatchError(DeckgenError):
    """Raised when a card cannot be written back into its source (a shape deckgen does not write), or
    the files of a pull cannot all be replaced."""


JOURNAL = ".deckgen-pull-journal.json"
PULL_TEMP = ".deckgen-pull-"  # .NAME.deckgen-pull-PID: a new file waiting to be renamed into place


def write_all(writes: list[tuple[Path, bytes, bytes | None, str]]) -> None:
    """Replace each (path, new bytes, bytes it must still hold or None, display) at once, or none.
    A failure before the journal is whole leaves nothing behind; one after it leaves the journal
    and the files still to rename, for the next pull to finish."""
    if not writes:
        return
    staged: list[tuple[Path, Path, str]] = []  # temp, target, display
    journal = writes[0][0].parent / JOURNAL
    journal_display = str(Path(writes[0][3]).with_name(JOURNAL))
    made_journal = committed = False
    display, done = writes[0][3], 0
    try:
        for path, _, expected, display in writes:
            if _read(path) != expected:
                raise PatchError(f"{display}: changed on disk while pulling; nothing written (run pull again)")
        for path, data, _, display in writes:
            temp = path.with_name(f".{path.name}{PULL_TEMP}{os.getpid()}")
            handle = open(temp, "xb")  # never another pull's file: only what this one made is removed
            staged.append((temp, path, display))
            with handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o777)
        display = journal_display
        record = {"pid": os.getpid(), "files": [
            {"path": os.path.relpath(path, journal.parent), "temp": os.path.relpath(temp, journal.parent),
             "display": shown, "old": _digest(expected), "new": _digest(data)}
            for (temp, path, shown), (_, data, expected, _) in zip(staged, writes, strict=True)]}
        try:
            handle = open(journal, "x", encoding="utf-8")
        except FileExistsError:
            raise PatchError(f"{journal_display}: another `deckgen pull --write` is writing here "
                             f"(or one was interrupted: run pull again); nothing written") from None
        made_journal = True
        with handle:
            handle.write(json.dumps(record, ensure_ascii=False, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        _sync_folder(journal.parent)
        committed = True
        for temp, path, shown in staged:
            display = shown
            os.replace(temp, path)
            done += 1
        for folder in {path.parent for _, path, _ in staged}:
            _sync_folder(folder)
        with contextlib.suppress(OSError):  # all renamed: a journal left over is removed by the next pull
            journal.unlink()
    except OSError as err:
        if committed:
            raise PatchError(f"{display}: cannot write: {_reason(err)}; stopped after {done} of {len(staged)} "
                             f"file(s): the next `deckgen pull` finishes writing them ({journal_display})") from err
        raise PatchError(f"{display}: cannot write: {_reason(err)}; nothing written") from err
    finally:
        if not committed:
            for temp, _, _ in staged:
                with contextlib.suppress(OSError):
                    temp.unlink()
            if made_journal:
                with contextlib.suppress(OSError):
                    journal.unlink()


def recover(places: list[Path], cwd: Path) -> list[str]:
    """Finish what an interrupted `write_all` left where the sources are (a folder of them and
    its subfolders, or a source file's own folder): a whole journal's renames are completed, a
    dead pull's temporary files without one are removed. Returns what was done."""
    found: set[Path] = set()
    for place in places:
        if place.is_dir():
            found.update(place.rglob(".*deckgen-pull-*"))  # temporary files and journals
        elif place.parent.is_dir():
            found.update(place.parent.glob(".*deckgen-pull-*"))
    messages: list[str] = []
    for journal in sorted(p for p in found if p.name == JOURNAL):
        messages += _finish(journal, os.path.relpath(journal, cwd), cwd)
    for temp in sorted(p for p in found if p.name != JOURNAL):
        pid = temp.name.rpartition(PULL_TEMP)[2]
        if temp.exists() and pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                temp.unlink()
                messages.append(f"{os.path.relpath(temp, cwd)}: removed (left by an interrupted pull)")
    return messages


def _finish(journal: Path, shown: str, cwd: Path) -> list[str]:
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pid = int(record["pid"])
        files = [(journal.parent / f["path"], journal.parent / f["temp"], str(f["display"]), f["old"], f["new"])
                 for f in record["files"]]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # written only in part: that pull died before renaming anything, and its files go below
        with contextlib.suppress(OSError):
            journal.unlink()
        return [f"{shown}: removed (an interrupted pull that had written nothing)"]
    except OSError as err:
        raise PatchError(f"{shown}: cannot read: {_reason(err)}") from err
    if _running(pid):
        raise PatchError(f"{shown}: another `deckgen pull --write` (process {pid}) is writing these files; "
                         f"try again when it has finished")
    todo = []
    for path, temp, display, old, new in files:
        now = _digest(_read(path))
        if now == new:
            continue
        if now != old or _digest(_read(temp)) != new:
            raise PatchError(f"{display}: changed since an interrupted `deckgen pull --write` ({shown}); "
                             f"compare it with {os.path.relpath(temp, cwd)} if it is there, then delete {shown}")
        todo.append((temp, path, display))
    try:
        for temp, path, _ in todo:
            os.replace(temp, path)
        for _, temp, _, _, _ in files:
            temp.unlink(missing_ok=True)
        _sync_folder(journal.parent)
        journal.unlink()
    except OSError as err:
        raise PatchError(f"{shown}: cannot finish an interrupted `deckgen pull --write`: {_reason(err)}") from err
    wrote = ", ".join(display for _, _, display in todo) or "nothing left to write"
    return [f"{shown}: finished an interrupted `deckgen pull --write`: {wrote}"]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _sync_folder(folder: Path) -> None:
    """Make renames and new names in `folder` durable (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _running(pid: int) -> bool:
    """Whether another process with this id is alive (this one is not writing while it recovers)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True


def _reason(err: OSError) -> str:
    return "the disk is full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else (err.strerror or str(err))

