"""`deckgen watch`: rebuild when a source, the settings or a template changes (watchfiles)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deckgen.build import wants_pdfs
from deckgen.config import Settings
from deckgen.layout import parts_at_most
from deckgen.render import builtin_templates
from deckgen.workers import Workers, start_workers
from deckgen.writers import TEMP_MARK


def watched_paths(settings: Settings, cwd: Path) -> list[Path]:
    paths = [cwd / s for s in settings.sources]
    paths += [cwd / name for name in ("deckgen.toml", "pyproject.toml")]
    if settings.templates:
        paths.append(cwd / settings.templates)
    paths.append(builtin_templates())
    return [p for p in paths if p.exists()]


def relevant(change: tuple[object, str]) -> bool:
    """Changes the build cares about: not its own ids files and temporary files."""
    path = change[1]
    return not path.endswith(".ids.json") and TEMP_MARK not in path


def watch(settings: Settings, cwd: Path, rebuild: Callable[[Workers | None], None]) -> None:
    """Call `rebuild` now and after every relevant change, until Ctrl-C. The PDF workers stay
    between builds (a rebuild does not wait for them to load WeasyPrint) and are stopped here."""
    from watchfiles import watch as changes

    workers = start_workers(parts_at_most(settings, cwd)) if wants_pdfs(settings) else None
    try:
        rebuild(workers)
        for batch in changes(*watched_paths(settings, cwd), watch_filter=lambda c, p: relevant((c, p))):
            if batch:
                rebuild(workers)
    except KeyboardInterrupt:
        pass
    finally:
        if workers is not None:
            workers.close()
