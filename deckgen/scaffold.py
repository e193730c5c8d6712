"""`deckgen init`: a new deck repository from the templates in templates/init/."""

from __future__ import annotations

from pathlib import Path

from deckgen import __version__
from deckgen.errors import OutputError
from deckgen.render import render

FILES = {
    "source/example.md": "init/example.md.j2",
    "deckgen.toml": "init/deckgen.toml.j2",
    ".gitignore": "init/gitignore.j2",
    ".github/workflows/deckgen.yml": "init/workflow.yml.j2",
    ".pre-commit-config.yaml": "init/pre-commit-config.yaml.j2",
}


def init(folder: Path, force: bool = False) -> list[Path]:
    """Write the scaffold into `folder`; refuses to overwrite a file unless `force`."""
    from deckgen.writers import write_atomic

    existing = [folder / name for name in FILES if (folder / name).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise OutputError(f"{names}: already exists; nothing was written (use --force to overwrite)")
    written = []
    for name, template in FILES.items():
        text = render(template, "", install=f"deckgen=={__version__}")
        write_atomic(folder / name, text.encode("utf-8"), str(folder / name))
        written.append(folder / name)
    return written
