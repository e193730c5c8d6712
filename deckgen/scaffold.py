"""`deckgen init`: a new deck repository from the templates in templates/init/."""

from __future__ import annotations

from pathlib import Path

from deckgen import __version__, identity
from deckgen.config import load_settings
from deckgen.errors import OutputError
from deckgen.plan import identify
from deckgen.render import render
from deckgen.sources import discover, read_deck
from deckgen.writers import write_atomic

FILES = {
    "source/example.md": "init/example.md.j2",
    "deckgen.toml": "init/deckgen.toml.j2",
    ".gitignore": "init/gitignore.j2",
    ".github/workflows/deckgen.yml": "init/workflow.yml.j2",
    ".pre-commit-config.yaml": "init/pre-commit-config.yaml.j2",
}


def action_reference() -> str:
    """`owner/name@vVERSION`: this version of deckgen's GitHub Action, from the package's metadata."""
    from importlib import metadata

    try:
        urls = metadata.metadata("deckgen-qa").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    repository = next((u.split(",", 1)[1].strip() for u in urls if u.lower().startswith("repository")),
                      "https://github.com/deckgen-qa/deckgen")
    return f"{repository.removeprefix('https://github.com/').rstrip('/')}@v{__version__}"


def init(folder: Path, force: bool = False, pages: bool = False, shards: int = 1) -> list[Path]:
    """Write the scaffold into `folder`, and the example's ids file (so that the first CI run, which
    builds --locked, passes); refuses to overwrite a file unless `force`."""

    existing = [folder / name for name in FILES if (folder / name).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise OutputError(f"{names}: already exists; nothing was written (use --force to overwrite)")
    written = []
    for name, template in FILES.items():
        text = render(template, "", action=action_reference(), pages=pages, shards=shards)
        write_atomic(folder / name, text.encode("utf-8"), str(folder / name))
        written.append(folder / name)
    written.append(_write_ids(folder))
    return written


def _write_ids(folder: Path) -> Path:
    """The example's ids file, as a first local build would write it."""
    import os


    settings = load_settings(folder).settings
    (job,) = discover(("source/example.md",), folder)
    found = identify(job, read_deck(job, settings), settings, dict(os.environ))
    write_atomic(found.ids_path, identity.dump(found.current).encode("utf-8"), found.ids_display)
    return found.ids_path
