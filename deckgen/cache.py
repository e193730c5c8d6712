"""The layout cache: PDF parts laid out by earlier builds, in the user's cache folder
(`$XDG_CACHE_HOME/deckgen`, by default `~/.cache/deckgen`; never inside the output folder, which
CI uploads). A part is stored under the hash of everything that shapes it, with a digest of that
key, its bytes and its facts beside it: a cache is a folder anyone may share or restore (a CI
cache), so an entry is used only when it is what its name says, never trusted blindly. The folder
is bounded (oldest parts pruned first) and safe to delete at any time."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MAX_BYTES = 512 * 1024 * 1024
FORMAT = 2  # entries of another format (an older deckgen's, with no digest) are misses


def digest(key: str, data: bytes, facts: dict) -> str:
    """What an entry must match: its key, its PDF's bytes and its facts (each length-prefixed, so
    that no two different entries run together into the same bytes)."""
    found = hashlib.sha256()
    for piece in (key.encode("utf-8"), data, _canonical(facts)):
        found.update(len(piece).to_bytes(8, "big"))
        found.update(piece)
    return found.hexdigest()


def _canonical(facts: dict) -> bytes:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def folder(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deckgen" / "parts"


class PartCache:
    """get/put of (pdf bytes, facts) by key; every failure is a miss, never an error. `bad` lists
    the entries found not to be what they say (damaged, or copied over another): misses too,
    removed, and for the build to mention."""

    def __init__(self, root: Path | None, max_bytes: int = MAX_BYTES):
        self.root, self.max_bytes = root, max_bytes
        self.hits = self.misses = 0
        self.bad: list[Path] = []

    def _paths(self, key: str) -> tuple[Path, Path]:
        assert self.root is not None
        where = self.root / key[:2]
        return where / f"{key}.pdf", where / f"{key}.json"

    def get(self, key: str) -> tuple[bytes, dict] | None:
        if self.root is None:
            return None
        pdf, facts = self._paths(key)
        try:
            data, meta = pdf.read_bytes(), json.loads(facts.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:  # an older deckgen's entry
            self.misses += 1
            return None
        found = meta.get("facts")
        if (meta.get("key") != key or not isinstance(found, dict)
                or meta.get("digest") != digest(key, data, found)):
            self.misses += 1
            self.bad.append(pdf)
            for path in (pdf, facts):  # laid out again and put back right; gone if that fails
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
            return None
        try:
            os.utime(pdf)  # recently used: pruned last
        except OSError:
            pass
        self.hits += 1
        return data, found

    def put(self, key: str, data: bytes, facts: dict) -> None:
        if self.root is None:
            return
        pdf, meta = self._paths(key)
        try:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            entry = {"format": FORMAT, "key": key, "digest": digest(key, data, facts), "facts": facts}
            for path, content in ((meta, json.dumps(entry).encode()), (pdf, data)):
                temp = path.with_name(f".{path.name}.{os.getpid()}")
                temp.write_bytes(content)
                os.replace(temp, path)
            self.prune()
        except OSError:
            pass  # a cache that cannot be written is only slower

    def prune(self) -> None:
        if self.root is None or not self.root.exists():
            return
        files = sorted(self.root.glob("*/*.pdf"), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        for path in files:
            if total <= self.max_bytes:
                break
            total -= path.stat().st_size
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)
