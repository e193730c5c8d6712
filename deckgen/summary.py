"""`deckgen build --summary FILE`: a Markdown account of the build appended to FILE (what GitHub
Actions shows from `$GITHUB_STEP_SUMMARY`): per deck its cards and sections, the warnings by
rule, each output with its size and pages, and, when the ids file is out of date, the cards a
local build would add, change or remove. Written whether the build passed or failed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from markupsafe import escape


def _cell(text: object) -> str:
    """Text from a source as a Markdown table cell: HTML escaped, pipes and newlines made safe."""
    return str(escape(str(text))).replace("|", "\\|").replace("\n", " ")


def _size(n: int) -> str:
    return f"{n / 1024:,.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB"


def markdown(result, error: str | None, stale: dict[str, list[str]] | None = None) -> str:
    """The summary; `result` may be None when the build stopped before reading every source."""
    ok = error is None
    lines = ["## deckgen build", "", f"**{'Built' if ok else 'Failed'}**" + ("" if ok else f": {_cell(error.splitlines()[0])}"), ""]
    if result is not None and result.check.decks:
        lines += _decks(result)
        lines += _diagnostics(result)
    if result is not None and result.outputs:
        lines += _outputs(result)
    for ids_file, problems in (stale or {}).items():
        lines += _stale(ids_file, problems)
    return "\n".join(lines) + "\n"


def _decks(result) -> list[str]:
    """A table of the decks: title, source, cards and sections with cards."""
    lines = ["| Deck | Source | Cards | Sections |", "| --- | --- | ---: | ---: |"]
    for job, deck in result.check.decks:
        lines.append(f"| {_cell(deck.title)} | {_cell(job.display)} | {len(deck.cards)} | "
                     f"{len([s for s in deck.sections if s.cards])} |")
    lines.append("")
    return lines


def _diagnostics(result) -> list[str]:
    """The check's and the outputs' diagnostics counted by rule and severity (nothing if none)."""
    from deckgen.validate import RULES

    diagnostics = list(result.check.diagnostics) + [d for o in result.outputs for d in o.diagnostics]
    counts = Counter((d.code, d.severity) for d in diagnostics)
    if not counts:
        return []
    lines = ["### Diagnostics by rule", "", "| Rule | Severity | Count | What |", "| --- | --- | ---: | --- |"]
    for (code, severity), n in sorted(counts.items()):
        rule = RULES.get(code)
        lines.append(f"| {code} {rule.name if rule else ''} | {severity} | {n} | {_cell(rule.summary) if rule else ''} |")
    lines.append("")
    return lines


def _outputs(result) -> list[str]:
    """A table of the outputs: path, size, pages and whether each was written."""
    lines = ["### Outputs", "", "| Output | Size | Pages | |", "| --- | ---: | ---: | --- |"]
    for o in result.outputs:
        state = "unchanged" if o.unchanged else ("written" if o.ok else f"failed: {_cell(o.error)}")
        lines.append(f"| {_cell(o.path)} | {_size(o.size) if o.size else ''} | {o.pages or ''} | {state} |")
    lines.append("")
    return lines


def _stale(ids_file: str, problems: list[str]) -> list[str]:
    """An out-of-date ids file: what a local build would record, and the first 50 differences."""
    kinds = Counter(p.split(" card ")[0] for p in problems if " card " in p)
    lines = [f"### {_cell(ids_file)} is out of date", "",
             f"A local `deckgen build` would record {kinds.get('new', 0)} new, {kinds.get('changed', 0)} "
             f"changed and {kinds.get('removed', 0)} removed card(s); run it and commit the ids file.", ""]
    lines += [f"- {_cell(p)}" for p in problems[:50]]
    if len(problems) > 50:
        lines.append(f"- ... and {len(problems) - 50} more")
    lines.append("")
    return lines


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
