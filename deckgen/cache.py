"""The layout cache: PDF parts laid out by earlier builds, in the user's cache folder
(`$XDG_CACHE_HOME/deckgen`, by default `~/.cache/deckgen`; never inside the output folder, which
CI uploads). A part is stored under the hash of everything that shapes it, so a hit is always
right; the folder is bounded (oldest parts pruned first) and safe to delete at any time."""

from __future__ import annotations

import json
import os
from pathlib import Path

MAX_BYTES = 512 * 1024 * 1024


def folder(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deckgen" / "parts"


class PartCache:
    """get/put of (pdf bytes, facts) by key; every failure is a miss, never an error."""

    def __init__(self, root: Path | None, max_bytes: int = MAX_BYTES):
        self.root, self.max_bytes = root, max_bytes
        self.hits = self.misses = 0

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
            os.utime(pdf)  # recently used: pruned last
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return data, meta

    def put(self, key: str, data: bytes, facts: dict) -> None:
        if self.root is None:
            return
        pdf, meta = self._paths(key)
        try:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            for path, content in ((meta, json.dumps(facts).encode()), (pdf, data)):
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
