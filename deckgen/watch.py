"""`deckgen watch`: rebuild when a source, the settings or a template changes (watchfiles)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deckgen.config import Settings
from deckgen.render import builtin_templates
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


def watch(settings: Settings, cwd: Path, rebuild: Callable[[], None]) -> None:
    from watchfiles import watch as changes

    rebuild()
    try:
        for batch in changes(*watched_paths(settings, cwd), watch_filter=lambda c, p: relevant((c, p))):
            if batch:
                rebuild()
    except KeyboardInterrupt:
        pass
