"""Writers turn a StudyDeck into output bytes; `write_atomic` is the only way anything reaches disk."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from deckgen.errors import OutputError

TEMP_MARK = ".deckgen-tmp-"


def temp_name(path: Path) -> Path:
    """The temporary file beside `path`; the mark lets the next build find and remove leftovers."""
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")


def write_atomic(path: Path, data: bytes, display: str = "") -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, rename it into place.

    A reader sees the old file or the new one, never half of one; on failure the old file stays.
    """
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = "the disk is full" if err.errno == errno.ENOSPC else (err.strerror or str(err))
        raise OutputError(f"{display or path}: cannot write: {reason}") from err


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files a killed build left in `folder` (recursively); return them."""
    if not folder.is_dir():
        return []
    removed = []
    for leftover in folder.rglob(f".*{TEMP_MARK}*"):
        if _alive(leftover.name.rpartition(TEMP_MARK)[2]):
            continue  # another build at work in the same folder: its file, not a leftover
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _alive(pid_text: str) -> bool:
    """Whether the process a temporary file names (`.NAME.deckgen-tmp-PID`) is still running."""
    import os

    digits = "".join(c for c in pid_text.split(".")[0] if c.isdigit())
    if not digits or int(digits) == os.getpid():
        return False
    try:
        os.kill(int(digits), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user: leave its file
    except (OverflowError, ValueError):
        return False
    return True
