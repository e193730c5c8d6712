"""The record of what the last build wrote: the keys that decide
whether an output (or a PDF part) is up to date. `build/.deckgen-record.json` keeps, per output,
the key of its inputs, the hash of its bytes and its pages."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen import __version__
from deckgen.config import Settings
from deckgen.formats import FORMATS
from deckgen.render import builtin_templates
from deckgen.writers import write_atomic


def _versions() -> str:
    from importlib import metadata


    names = ("weasyprint", "genanki", "jinja2", "markdown-it-py", "pydyf", "pikepdf", "ziamath",
             "latex2mathml", "Pygments")
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return f"deckgen={__version__};" + ";".join(found)


def _templates_digest(settings: Settings, prefixes: tuple[str, ...]) -> str:
    import hashlib


    digest = hashlib.sha256()
    for rank, folder in enumerate((Path(settings.templates) if settings.templates else None, builtin_templates())):
        if folder is None:
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name.startswith(prefixes):
                digest.update(f"{rank}:{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _fonts_digest() -> str:
    """Which font files this machine has (a part laid out with other fonts is another part)."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    import hashlib

    return hashlib.sha256("\n".join(sorted(out.splitlines())).encode()).hexdigest()


def layout_key(fmt: str, plan: Any, settings: Settings) -> str:
    """Everything that shapes a PDF's parts but the records: the writers' versions, the output's
    settings and templates, the fonts, the media."""
    import hashlib

    names, prefixes = FORMATS[fmt].settings, FORMATS[fmt].templates
    digest = hashlib.sha256()
    for part in (fmt, _versions(), repr([getattr(settings, n) for n in names]),
                 _templates_digest(settings, prefixes), _fonts_digest()):
        digest.update(part.encode("utf-8") + b"\0")
    for name in sorted(plan.media.files):
        digest.update(name.encode() + hashlib.sha256(plan.media.files[name]).digest())
    return digest.hexdigest()


def input_key(fmt: str, plan: Any, settings: Settings) -> str:
    """Everything that shapes an output's bytes: the records with their ids (and, but for the
    deck, the build date), the ids file's times, the media, the output's settings and templates,
    and the versions of the writers."""
    import dataclasses
    import hashlib

    names, prefixes = FORMATS[fmt].settings, FORMATS[fmt].templates
    deck = dataclasses.replace(plan.deck, build_date="") if fmt == "apkg" else plan.deck
    digest = hashlib.sha256()
    for part in (fmt, _versions(), repr([getattr(settings, n) for n in names]),
                 _templates_digest(settings, prefixes), repr(deck),
                 repr(plan.ids_file), plan.deck_name):
        digest.update(part.encode("utf-8") + b"\0")
    for name in sorted(plan.media.files):
        digest.update(name.encode() + hashlib.sha256(plan.media.files[name]).digest())
    return digest.hexdigest()


@dataclass
class BuildRecord:
    """`build/.deckgen-record.json`: per output, the key of its inputs and the hash of its bytes
    when the last build wrote it. A later build skips an output whose key and file both match."""

    entries: dict[str, dict] = field(default_factory=dict)

    NAME = ".deckgen-record.json"

    @classmethod
    def load(cls, folder: Path) -> BuildRecord:
        import json

        try:
            data = json.loads((folder / cls.NAME).read_text(encoding="utf-8"))
            return cls({k: v for k, v in data.get("outputs", {}).items() if isinstance(v, dict)})
        except (OSError, ValueError, AttributeError):
            return cls()

    @staticmethod
    def _sha(path: Path) -> str:
        import hashlib

        return hashlib.sha256(path.read_bytes()).hexdigest()

    def unchanged(self, display: str, key: str, target: Path) -> bool:
        entry = self.entries.get(display)
        return bool(entry and entry.get("key") == key and target.is_file() and entry.get("sha256") == self._sha(target))

    def remember(self, display: str, key: str, target: Path, pages: int = 0) -> None:
        self.entries[display] = {"key": key, "sha256": self._sha(target), "pages": pages}

    def pages(self, display: str) -> int:
        return int(self.entries.get(display, {}).get("pages", 0) or 0)

    def save(self, folder: Path) -> None:
        import json


        if folder.is_dir():
            text = json.dumps({"deckgen-record": 1, "outputs": dict(sorted(self.entries.items()))}, indent=1)
            write_atomic(folder / self.NAME, text.encode("utf-8"))
