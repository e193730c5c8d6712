"""The outputs of the repository (formats with `scope="repository"`): made once from every
source's plan, after the sources' own outputs: the Anki package of every deck (all.apkg) and the
deck site (index.html), which links what was built before it."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.buildrecord import BuildRecord, input_key
from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.formats import FORMATS, file_name, of_repository
from deckgen.model import OutputResult, Progress
from deckgen.outputs import Output, render_safely, write
from deckgen.plan import Plan, plan_source
from deckgen.sources import check, display_path
from deckgen.writers import write_atomic


@dataclass
class RepositoryBuild:
    """What a format of the repository (formats.py) is made from: every source's plan, what the
    build checked and wrote, and the repository's title."""

    plans: list[Plan]
    diagnostics: list
    settings: Settings
    out_dir: Path
    title: str
    description: str
    files: dict[str, tuple[Path, int]] = field(default_factory=dict)  # repository format -> (path, size)

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def templates(self) -> str:
        return self.settings.templates

    def built(self, job) -> list[tuple[str, Path, int]]:
        """The files in the output folder for a source, per format: (format, path, size)."""
        found = []
        for fmt in (f for f in FORMATS if not of_repository(f)):
            target = self.out_dir / file_name(str(job.stem), fmt)
            if target.is_file():
                found.append((fmt, target.relative_to(self.out_dir), target.stat().st_size))
        return found


def repository_outputs(plans: list[Plan], diagnostics: list, settings: Settings, out_dir: Path, cwd: Path,
                       record: BuildRecord,
                       report: Callable[[str | Progress, OutputResult | None], None]) -> list[OutputResult]:
    """Bring the repository's own outputs up to date, in the registry's order (the site links what
    comes before it), and say what became of each. The site is cheap and made every time; it is
    written when its bytes change."""
    wanted = [f for f in FORMATS if of_repository(f) and f in settings.formats and len(plans) >= FORMATS[f].at_least]
    title = settings.site_title or cwd.resolve().name
    repository = RepositoryBuild(plans, diagnostics, settings, out_dir, title, settings.site_description)
    done: list[OutputResult] = []
    cards = sum(len(p.deck.cards) for p in plans)
    for fmt in wanted:
        target = out_dir / FORMATS[fmt].file
        display = display_path(target, cwd)
        key = _repository_key(fmt, plans, settings, title)
        if key and record.unchanged(display, key, target):
            outcome = OutputResult(display, fmt, cards=cards, size=target.stat().st_size, unchanged=True)
        else:
            started = time.perf_counter()
            outcome = write(Output(fmt, target, display, None, settings, key),
                            render_safely(fmt, repository, settings), cards, keep_same=True)
            outcome.seconds = time.perf_counter() - started
            if outcome.ok and not outcome.unchanged:
                record.remember(display, key, target, 0)
                report(display, outcome)
            elif not outcome.ok:
                report(display, outcome)
        done.append(outcome)
        if outcome.ok:
            repository.files[fmt] = (target.relative_to(out_dir), target.stat().st_size)
    return done


def _repository_key(fmt: str, plans: list[Plan], settings: Settings, title: str) -> str:
    """What shapes a repository output but the files it links: its title, its settings and every
    source's Anki deck (for all.apkg); the site is keyed by nothing and compared by its bytes."""
    if fmt == "site":
        return ""
    parts = [fmt, title, repr([getattr(settings, n) for n in FORMATS[fmt].settings])]
    for plan in plans:
        parts += [str(plan.job.stem), input_key("apkg", plan, settings.for_source(plan.job.display))]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()



MANIFEST = "deckgen-shard.json"  # not hidden: upload-artifact leaves hidden files out


def write_manifest(out_dir: Path, shard: str, jobs: list) -> None:
    """What a shard built (its sources, by output name), for `deckgen site --from` to check."""
    data = {"deckgen-shard": 1, "shard": shard, "sources": sorted(job.stem.as_posix() for job in jobs)}
    write_atomic(out_dir / MANIFEST, (json.dumps(data, indent=1) + "\n").encode("utf-8"), str(out_dir / MANIFEST))


def assemble(settings: Settings, cwd: Path, env: dict[str, str], folders: list[Path],
             report: Callable[[str | Progress, OutputResult | None], None]) -> list[OutputResult]:
    """`deckgen site --from DIR...`: the shards' build folders merged into the output folder, then
    the repository's outputs made from every source, as one unsharded build makes them. Refused
    when a source was built by no shard, or two shards wrote one file differently."""
    out_dir = cwd / settings.out
    whole = settings.replace(shard="")
    checked = check(whole, cwd)
    if checked.failed(whole):
        raise DeckgenError(checked.summary() + "; the site is not assembled")
    built: set[str] = set()
    files: dict[Path, bytes] = {}
    for folder in folders:
        manifest = folder / MANIFEST
        if not manifest.is_file():
            raise DeckgenError(f"{folder}: not a shard's build folder (no {MANIFEST}; build it with --shard I/N)")
        built |= set(json.loads(manifest.read_text(encoding="utf-8"))["sources"])
        for path in sorted(p for p in folder.rglob("*")
                           if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST):
            relative = path.relative_to(folder)
            data = path.read_bytes()
            if files.setdefault(relative, data) != data:
                raise DeckgenError(f"{relative}: two shards wrote it differently; the site is not assembled")
    missing = [job.display for job, _ in checked.decks if job.stem.as_posix() not in built]
    if missing:
        raise DeckgenError(f"built by no shard: {', '.join(missing)}; the site is not assembled")
    for relative, data in files.items():
        target = out_dir / relative
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data, str(relative))
    messages: list[str] = []
    plans = [plan_source(job, deck, whole.for_source(job.display), env, messages) for job, deck in checked.decks]
    record = BuildRecord.load(out_dir)
    done = repository_outputs(plans, checked.diagnostics, whole, out_dir, cwd, record, report)
    record.save(out_dir)
    return done
