"""One output brought up to date: rendered by its format's writer (a failure becomes its reason,
never the end of the other outputs) and written atomically."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from deckgen.config import Settings
from deckgen.errors import DeckgenError, OutputError
from deckgen.formats import FORMATS
from deckgen.model import OutputResult, Rendered
from deckgen.plan import Plan
from deckgen.writers import write_atomic


@dataclass(frozen=True)
class Output:
    """One output to bring up to date."""

    fmt: str
    target: Path
    display: str
    plan: Plan | None  # None for an output of the repository
    settings: Settings
    key: str


def render_safely(fmt: str, plan: Plan, settings: Settings) -> Rendered | str:
    """The output's bytes, or the reason it failed as one line."""
    started = time.perf_counter()
    try:
        rendered = FORMATS[fmt].render()(plan, settings)
        return dataclasses.replace(rendered, seconds=time.perf_counter() - started)
    except DeckgenError as err:
        return err.message
    except Exception as err:  # a library failing mid-render must not take the other outputs with it
        return f"{type(err).__name__}: {err}"


def write(output: Output, rendered: Rendered | str, cards: int | None = None, keep_same: bool = False) -> OutputResult:
    """Write what was rendered (or say why it failed); `cards` where the output has no one plan;
    `keep_same`: a file already holding these bytes is left as it is, and said to be unchanged."""
    outcome = OutputResult(output.display, output.fmt, cards=len(output.plan.deck.cards) if cards is None else cards)
    if isinstance(rendered, str):
        outcome.ok, outcome.error = False, f"{output.display}: {rendered}"
        return outcome
    if keep_same and output.target.is_file() and output.target.read_bytes() == rendered.data:
        outcome.unchanged, outcome.size = True, len(rendered.data)
        return outcome
    try:
        write_atomic(output.target, rendered.data, output.display)
    except OutputError as err:
        outcome.ok, outcome.error = False, err.message
        return outcome
    outcome.size, outcome.pages, outcome.diagnostics = len(rendered.data), rendered.pages, rendered.diagnostics
    return outcome

