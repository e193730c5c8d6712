"""Queries on an untrusted collection, each bounded: a deadline, a row limit, a value-size limit,
and Ctrl-C, which SQLite would otherwise not hear until its query ended.

SQLite calls a progress handler every few thousand virtual-machine steps; it returns non-zero to
stop the query when the deadline has passed or Ctrl-C was pressed. Ctrl-C only sets a flag while
a query runs (Python cannot raise inside SQLite's C code) and is raised as KeyboardInterrupt as
soon as SQLite lets go.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

from deckgen.ankifiles.package import AnkiFileError, ReadLimits

STEPS = 1000  # virtual-machine instructions between two looks at the clock and the flag


class QueryGuard:
    """Bounds every query run through `rows` on `conn`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, limits: ReadLimits, where: str):
        self.conn, self.limits, self.where = conn, limits, where
        self.interrupted = False
        self.timed_out = False
        self.deadline = 0.0
        self._old_handler: Any = None

    def __enter__(self) -> QueryGuard:
        self.deadline = time.monotonic() + self.limits.seconds
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, self.limits.field_bytes)
        self.conn.set_progress_handler(self._tick, STEPS)
        if threading.current_thread() is threading.main_thread():
            self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.conn.set_progress_handler(None, 0)
        if self._old_handler is not None:
            signal.signal(signal.SIGINT, self._old_handler)
            self._old_handler = None
        if self.interrupted and kind is None:
            raise KeyboardInterrupt

    def _on_sigint(self, signum, frame) -> None:
        self.interrupted = True

    def _tick(self) -> int:
        if self.interrupted:
            return 1
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def check(self) -> None:
        """Between rows: Ctrl-C and the deadline hold for Python's share of the work too."""
        if self.interrupted:
            raise KeyboardInterrupt
        if time.monotonic() > self.deadline:
            raise self._late()

    def _late(self) -> AnkiFileError:
        return AnkiFileError(f"{self.where}: reading the collection took longer than {self.limits.seconds:g} s; "
                             f"stopped (setting 'max-pull-seconds')")

    def rows(self, sql: str, table: str) -> Iterator[tuple]:
        """The rows of one query on `table`, at most the row limit of them."""
        try:
            cursor = self.conn.execute(sql)
            count = 0
            while batch := cursor.fetchmany(256):
                count += len(batch)
                if count > self.limits.rows:
                    raise AnkiFileError(f"{self.where}: more than {self.limits.rows:,} rows in '{table}'; "
                                        f"not read (setting 'max-package-rows')")
                self.check()
                yield from batch
        except sqlite3.Error as err:
            raise self.translate(err, table) from err

    def one(self, sql: str, table: str) -> tuple | None:
        return next(iter(self.rows(sql, table)), None)

    def translate(self, err: sqlite3.Error, table: str) -> BaseException:
        """What a failed query means for the person: Ctrl-C, the deadline, a limit, or damage."""
        if self.interrupted:
            return KeyboardInterrupt()
        if self.timed_out:
            return self._late()
        if getattr(err, "sqlite_errorname", "") == "SQLITE_TOOBIG":
            return AnkiFileError(f"{self.where}: a value in '{table}' is longer than {self.limits.field_bytes:,} "
                                 f"bytes; not read (setting 'max-field-bytes')")
        return AnkiFileError(f"{self.where}: the collection cannot be read (truncated or damaged?): {err}")
