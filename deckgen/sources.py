"""Sources: finding them, reading them as their settings say, validating them, and what else a
source brings (its images, its date). What every command that reads sources shares: build, check,
pull, sync, stats, init."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import mimetypes
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.config import Settings, parse_shard
from deckgen.errors import DeckgenError, SourceError, ValidationFailed
from deckgen.model import Deck, Diagnostic
from deckgen.readers import READERS, read_source, read_text
from deckgen.richtext import limit_formulas
from deckgen.validate import has_failures, validate

MAX_NAME = 200  # a file name is at most 255 bytes; leave room for ".cheatsheet.pdf" and the temp mark


@dataclass(frozen=True)
class SourceJob:
    path: Path
    display: str
    stem: Path  # the output name inside the output folder, without suffix


@dataclass
class CheckResult:
    decks: list[tuple[SourceJob, Deck]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def failed(self, settings: Settings) -> bool:
        """Errors, or warnings where the settings (of the source they are about) are strict."""
        if has_failures(self.diagnostics, False):
            return True
        return any(d.severity == "warning" and settings.for_source(d.span.path).strict
                   for d in self.diagnostics)

    def summary(self) -> str:
        errors = sum(d.severity == "error" for d in self.diagnostics)
        warnings = sum(d.severity == "warning" for d in self.diagnostics)
        return f"{len(self.decks)} source(s) checked: {errors} error(s), {warnings} warning(s)"


def display_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _saved_page_files(file: Path, top: Path) -> bool:
    """Whether `file` is inside the `NAME_files/` folder a browser saves beside `NAME.html`."""
    for folder in file.relative_to(top).parents:
        if folder.name.endswith("_files"):
            stem = folder.name.removesuffix("_files")
            beside = (top / folder).parent
            if any((beside / f"{stem}{suffix}").exists() for suffix in (".html", ".htm")):
                return True
    return False


def discover(paths: tuple[str, ...], cwd: Path) -> list[SourceJob]:
    """The source files named by `paths` (files or folders), with their output names."""
    jobs: list[SourceJob] = []
    for raw in paths:
        path = (cwd / raw) if not Path(raw).is_absolute() else Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith(".")
                and not _saved_page_files(p, path)
            )
            if not found:
                kinds = ", ".join(sorted(READERS))
                raise SourceError(f"{raw}: no sources in this folder (deckgen reads {kinds})")
            for file in found:
                jobs.append(SourceJob(file, display_path(file, cwd), file.relative_to(path).with_suffix("")))
        elif path.exists():
            if path.suffix.lower() not in READERS:
                kinds = ", ".join(sorted(READERS))
                raise SourceError(f"{raw}: unknown kind of source '{path.suffix}' (deckgen reads {kinds})")
            jobs.append(SourceJob(path, display_path(path, cwd), Path(path.stem)))
        else:
            raise SourceError(f"{raw}: no such file or folder")
    for job in jobs:
        if len(job.stem.name) > MAX_NAME:
            raise SourceError(f"{job.display}: the file name is too long for its outputs "
                              f"(at most {MAX_NAME} characters before the extension)")
    by_stem: dict[Path, SourceJob] = {}
    unique: list[SourceJob] = []
    for job in jobs:
        other = by_stem.get(job.stem)
        if other is not None and other.path.resolve() == job.path.resolve():
            continue
        if other is not None:
            raise SourceError(
                f"{other.display} and {job.display} would both write {job.stem}.*; rename one"
            )
        by_stem[job.stem] = job
        unique.append(job)
    return unique


def read_deck(job: SourceJob, settings: Settings, text: str | None = None) -> Deck:
    """One source read as its settings say (its text given, or read from its file)."""
    if text is None:
        deck = read_source(job.path, job.display, settings.max_source_bytes, settings.source_format,
                           settings.question)
    else:
        deck = read_text(text, job.path, job.display, settings.source_format, settings.question)
    if settings.reverse:  # every Q&A card also studied answer -> question
        deck = dataclasses.replace(deck, sections=tuple(
            dataclasses.replace(s, cards=tuple(c if c.cloze_numbers else dataclasses.replace(c, reverse=True)
                                               for c in s.cards))
            for s in deck.sections))
    return limit_formulas(deck, settings.max_formulas_per_card)


def check(settings: Settings, cwd: Path) -> CheckResult:
    """Read and validate every source; collect every diagnostic. Raises only when a source
    cannot be read at all (reporting every such source at once)."""
    result = CheckResult()
    unreadable: list[str] = []
    for job in in_shard(discover(settings.sources, cwd), settings.shard):
        own = settings.for_source(job.display)
        try:
            deck = read_deck(job, own)
        except SourceError as err:
            unreadable.append(err.message)
            continue
        result.decks.append((job, deck))
        result.diagnostics.extend(validate(deck, own))
    if unreadable:
        raise SourceError("\nerror: ".join(unreadable))
    return result


def in_shard(jobs: list[SourceJob], shard: str) -> list[SourceJob]:
    """The sources of shard "I/N" (all of them for ""): a source belongs to the shard its path's
    hash names, so adding a source never moves another to another shard."""
    if not shard:
        return jobs
    index, count = parse_shard(shard, "--shard")
    return [job for job in jobs
            if int(hashlib.sha256(job.stem.as_posix().encode("utf-8")).hexdigest(), 16) % count == index - 1]


def refuse_errors(deck: Deck, settings: Settings, consequence: str) -> list[Diagnostic]:
    """The deck's diagnostics; when some are errors, a ValidationFailed listing them and then
    `consequence` (what the command does not do because of them)."""

    found = validate(deck, settings)
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise ValidationFailed("\n".join(d.format() for d in errors) + f"\n{consequence}")
    return found


@dataclass(frozen=True)
class Media:
    """A deck's images, as each output refers to them."""


    files: dict[str, bytes] = field(default_factory=dict)  # Anki media name -> bytes
    anki: dict[str, str] = field(default_factory=dict)  # image path -> Anki media name
    inline: dict[str, str] = field(default_factory=dict)  # image path -> data: URI


def load_media(job: SourceJob, deck: Deck) -> Media:

    media = Media()
    for relative in deck.images:
        data = (job.path.parent / relative).read_bytes()
        name = f"{hashlib.sha256(data).hexdigest()[:12]}-{Path(relative).name}"
        kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        media.files[name] = data
        media.anki[relative] = name
        media.inline[relative] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return media


def source_date_epoch(env: dict[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH as a number of seconds, or None when it is not set."""
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as err:
        raise DeckgenError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}") from err


def source_date(path: Path, env: dict[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH if set, else the last commit time of the source, else None."""
    epoch = source_date_epoch(env)
    if epoch is not None:
        return epoch
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", path.name],
            cwd=path.parent, capture_output=True, text=True, timeout=10, check=False,
        )
        return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None

