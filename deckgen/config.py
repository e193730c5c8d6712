"""Settings: one frozen dataclass; defaults live here only. Loaded from deckgen.toml or
[tool.deckgen] in pyproject.toml in the working directory (paths in it are relative to that
directory), then overridden by what the user typed on the command line."""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from deckgen.cardsizes import CARD_SIZES
from deckgen.errors import ConfigError
from deckgen.formats import NAMES as FORMATS
from deckgen.shapes import QUESTION_SETTING_NAMES, SHAPES

PAPERS = ("a4", "letter")


def _choice(*values: str) -> dict[str, Any]:
    return {"choices": values}


@dataclass(frozen=True)
class Settings:
    """Every setting deckgen has, with its default. Keys in TOML use the same names with dashes."""

    sources: tuple[str, ...] = ("source",)
    out: str = "build"
    formats: tuple[str, ...] = field(default=FORMATS, metadata={"each": FORMATS})
    paper: str = field(default="a4", metadata=_choice(*PAPERS))
    orientation: str = field(default="portrait", metadata=_choice("portrait", "landscape"))
    columns: int = field(default=3, metadata={"range": (1, 4)})
    card_size: str = field(default="auto", metadata=_choice("auto", *CARD_SIZES))  # auto: the paper's default
    duplex: str = field(default="long-edge", metadata=_choice("long-edge", "short-edge", "none", "fold"))
    back_offset: str = field(default="0,0", metadata={"offset": True})  # mm: X right, Y down, backs only
    strict: bool = False
    locked: bool = False
    cache: bool = True  # reuse PDF parts laid out by earlier builds (the user's cache folder)
    templates: str = ""
    deck_name: str = ""
    note_type: str = "deckgen Q&A"
    reverse: bool = False
    disable: tuple[str, ...] = ()
    max_card_words: int = field(default=90, metadata={"range": (1, 100_000)})
    max_cheatsheet_words: int = field(default=120, metadata={"range": (1, 100_000)})
    near_duplicate_threshold: float = field(default=0.42, metadata={"range": (0.0, 1.0)})
    # formulas drawn per card; the ones after are shown as their TeX (drawing thousands takes minutes)
    max_formulas_per_card: int = field(default=200, metadata={"range": (0, 10**6)})
    max_source_bytes: int = field(default=20_000_000, metadata={"range": (1, 10**12)})
    max_cards: int = field(default=20_000, metadata={"range": (1, 10**7)})
    max_answer_chars: int = field(default=20_000, metadata={"range": (1, 10**9)})
    # What `deckgen pull` reads out of a package before it stops: bytes of the collection once
    # decompressed (and of a collection file copied), rows of any one table, bytes of any one
    # value, and seconds spent in the collection's queries
    max_package_bytes: int = field(default=1 << 30, metadata={"range": (1, 10**12)})
    max_package_rows: int = field(default=5_000_000, metadata={"range": (1, 10**10)})
    max_field_bytes: int = field(default=16 << 20, metadata={"range": (1, 1 << 30)})
    max_pull_seconds: int = field(default=120, metadata={"range": (1, 86_400)})
    # where `deckgen sync` finds AnkiConnect (the add-on's own address when Anki runs here)
    ankiconnect_url: str = "http://127.0.0.1:8765"
    # Anki deck names: the title alone, or the folder tree under the sources and the title
    # (ml::Sequence Models); the deck-name setting, where given, wins
    deck_tree: str = field(default="title", metadata=_choice("title", "folders"))
    # the deck site (build/index.html) and the repository's Anki package (build/all.apkg): their
    # title (default: the working folder's name) and the site's description
    site_title: str = ""
    site_description: str = ""
    # build only the sources of shard I of N ("I/N"; CI's matrix): each source by a hash of its path
    shard: str = field(default="", metadata={"shard": True})
    language: str = "en"
    # new cards the handout's study mode brings in per day (a UTC day), in source order
    study_new_per_day: int = field(default=20, metadata={"range": (0, 100_000)})
    source_format: str = field(default="auto", metadata=_choice(*SHAPES))
    # Which blocks are the questions: auto (the structure finder chooses), a marker (h2...h6,
    # list-heading, bold, label, details, numbered) or a regular expression a question's first line matches
    question: str = field(default="auto", metadata={"question": True})
    # [source."PATH"] tables: settings for one source, as ((path, ((name, value), ...)), ...)
    per_source: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    @functools.cached_property
    def offset(self) -> tuple[float, float]:
        """`back_offset` read (once): mm the back pages move, X right and Y down."""
        return parse_offset(self.back_offset, "--back-offset")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def for_source(self, path: str) -> Settings:
        """These settings with the overrides for the source at `path` (as shown, e.g. source/x.txt)."""
        for where, changes in self.per_source:
            if Path(where) == Path(path):
                return dataclasses.replace(self, **dict(changes))
        return self


# What a [source."PATH"] table may set: what shapes one source's outputs, not where things are.
PER_SOURCE = (
    "formats", "paper", "orientation", "columns", "card_size", "duplex", "back_offset", "strict", "deck_name",
    "note_type", "reverse", "disable", "max_card_words", "max_cheatsheet_words", "near_duplicate_threshold",
    "language", "source_format", "question",
)


DEFAULTS = Settings()


def choices(name: str) -> tuple[str, ...]:
    """The values a setting allows (the command line offers the same)."""
    spec = {f.name: f for f in fields(Settings)}[name]
    return tuple(spec.metadata.get("choices") or spec.metadata.get("each") or ())


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    config_file: Path | None
    origins: dict[str, str]


def _check_value(name: str, value: Any, where: str) -> Any:
    """Coerce a TOML or CLI value to the type of setting `name`, or raise naming key and file."""
    spec = {f.name: f for f in fields(Settings)}[name]
    default = getattr(DEFAULTS, name)
    where_key = f"{where}: setting '{name.replace('_', '-')}'"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where_key} must be true or false, not {value!r}")
        return value
    if isinstance(default, int | float):
        return _number(value, default, spec.metadata, where_key)
    if isinstance(default, tuple):
        return _strings(value, spec.metadata, where_key)
    if isinstance(default, str):
        return _text(value, spec.metadata, where_key)
    return value


def _number(value: Any, default: int | float, meta: Any, where_key: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where_key} must be a number, not {value!r}")
    if isinstance(default, int) and not float(value).is_integer():
        raise ConfigError(f"{where_key} must be a whole number, not {value!r}")
    value = type(default)(value)
    low, high = meta.get("range", (None, None))
    if low is not None and not low <= value <= high:
        raise ConfigError(f"{where_key} must be between {low} and {high}, not {value}")
    return value


def _strings(value: Any, meta: Any, where_key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where_key} must be a list of strings, not {value!r}")
    allowed = meta.get("each")
    for item in value:
        if allowed and item not in allowed:
            raise ConfigError(f"{where_key} has unknown value {item!r} (choose from {', '.join(allowed)})")
    return tuple(dict.fromkeys(value))


def _text(value: Any, meta: Any, where_key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where_key} must be a string, not {value!r}")
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{where_key} must be one of {', '.join(choices)}, not {value!r}")
    if meta.get("offset"):
        parse_offset(value, where_key)
    if meta.get("question"):
        check_question(value, where_key)
    if meta.get("shard") and value:
        parse_shard(value, where_key)
    return value


def parse_shard(shard: str, where: str) -> tuple[int, int]:
    """ "I/N" as (I, N), 1 <= I <= N: shard I of N."""
    index, _, count = shard.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise ConfigError(f"{where}: {shard!r} is not a shard: give I/N, shard I of N (1 <= I <= N), e.g. 2/3")
    return int(index), int(count)


def check_question(value: str, where: str) -> None:
    """A question marker is a known marker or a regular expression that compiles."""
    import re


    if value in QUESTION_SETTING_NAMES:
        return
    try:
        re.compile(value)
    except re.error as err:
        raise ConfigError(
            f"{where}: {value!r} is neither a marker ({', '.join(QUESTION_SETTING_NAMES)}) nor a regular "
            f"expression ({err})") from err


def parse_offset(value: str, where: str) -> tuple[float, float]:
    """`X,Y` in millimetres (each may be negative, at most 20 mm) as two floats."""
    try:
        x, y = (float(part) for part in value.replace(" ", "").split(","))
    except ValueError as err:
        raise ConfigError(f"{where} must be X,Y in millimetres (e.g. 1.5,-0.5), not {value!r}") from err
    if abs(x) > 20 or abs(y) > 20:
        raise ConfigError(f"{where} must move the backs by at most 20 mm each way, not {value!r}")
    return x, y


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from err


def find_config(cwd: Path) -> tuple[Path | None, dict[str, Any]]:
    """The config file in `cwd` and its deckgen table: deckgen.toml, else pyproject.toml's [tool.deckgen]."""
    own = cwd / "deckgen.toml"
    pyproject = cwd / "pyproject.toml"
    table: dict[str, Any] | None = None
    found: Path | None = None
    if own.is_file():
        found, table = own, _read_toml(own)
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {}).get("deckgen")
        if tool is not None:
            if found is not None:
                raise ConfigError(
                    f"{own} and {pyproject} [tool.deckgen] both hold deckgen settings; keep one"
                )
            found, table = pyproject, tool
    return found, table or {}


def load_settings(
    cwd: Path, overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> LoadedSettings:
    """Defaults, then the config file in `cwd`, then `overrides` (None values are ignored)."""
    env = os.environ if env is None else env
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    origins = {name: "default" for name in known}
    path, table = find_config(cwd)
    per_source: dict[str, dict[str, Any]] = {}
    for raw_key, value in table.items():
        name = raw_key.replace("-", "_")
        if name == "source" and isinstance(value, dict):
            per_source = _per_source(value, path)
            continue
        if name not in known or name == "per_source":
            raise ConfigError(f"{path}: unknown setting '{raw_key}'")
        value = _check_value(name, value, str(path))
        values[name] = value
        origins[name] = str(path)
    if env.get("CI", "").lower() in ("1", "true", "yes") and "locked" not in values:
        values["locked"] = True
        origins["locked"] = "environment (CI=true)"
    for name, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        values[name] = _check_value(name, value, "command line")
        origins[name] = "command line"
    # what the user typed wins over a source's own settings too
    values["per_source"] = tuple(
        (where, tuple((k, v) for k, v in changes.items() if origins[k] != "command line"))
        for where, changes in per_source.items()
    )
    for where, changes in per_source.items():
        for key in changes:
            if origins[key] != "command line":
                origins[f'source."{where}".{key}'] = str(path)
    return LoadedSettings(Settings(**values), path, origins)


def _per_source(tables: dict[str, Any], path: Path | None) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for where, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f'{path}: [source."{where}"] must be a table of settings')
        changes = {}
        for raw_key, value in table.items():
            name = raw_key.replace("-", "_")
            if name not in PER_SOURCE:
                raise ConfigError(f"{path}: setting '{raw_key}' cannot be set per source "
                                  f"(in [source.\"{where}\"])")
            changes[name] = _check_value(name, value, f'{path} [source."{where}"]')
        found[where] = changes
    return found


def describe(loaded: LoadedSettings) -> list[str]:
    """The effective settings as TOML lines, each with where its value came from."""
    lines = []
    for f in fields(Settings):
        if f.name == "per_source":
            continue
        value = getattr(loaded.settings, f.name)
        shown = list(value) if isinstance(value, tuple) else value
        lines.append(f"{f.name.replace('_', '-')} = {_toml(shown)}  # {loaded.origins[f.name]}")
    for where, changes in loaded.settings.per_source:
        lines.append("")
        lines.append(f'[source."{where}"]')
        for name, value in changes:
            shown = list(value) if isinstance(value, tuple) else value
            lines.append(f"{name.replace('_', '-')} = {_toml(shown)}  # {loaded.config_file}")
    return lines


def _toml(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
