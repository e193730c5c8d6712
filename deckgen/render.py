"""The Jinja environment: where templates are looked up, how they escape, and their filters."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from deckgen import richtext as rich
from deckgen.errors import TemplateError


def builtin_templates() -> Path:
    """The folder of the default templates, inside the installed (or editable) package."""
    return Path(str(resources.files("deckgen.templates")))


def _direction(runs) -> str:
    """"rtl" when a paragraph's first strongly directional letter is right-to-left (Arabic,
    Hebrew...), else "" (left-to-right, the default): the paragraph's base direction."""
    import unicodedata

    for run in runs:
        for char in run.text:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return ""
    return ""


def _slug(text: str) -> str:
    """A tag or file-safe name: letters, digits, underscores."""
    return re.sub(r"[^\w]+", "_", text, flags=re.UNICODE).strip("_") or "untitled"


@functools.lru_cache(maxsize=8)
def environment(user_templates: str = "") -> jinja2.Environment:
    """One environment per template folder; templates compile once per process.

    A user's folder is searched before the built-in one, so overriding one template keeps the rest.
    """
    folders = [Path(user_templates)] if user_templates else []
    folders.append(builtin_templates())
    builtin = jinja2.FileSystemLoader(str(builtin_templates()))
    env = jinja2.Environment(
        # "builtin/NAME" always names the built-in template, so that a user's NAME can extend it
        loader=jinja2.ChoiceLoader([
            jinja2.PrefixLoader({"builtin": builtin}),
            jinja2.FileSystemLoader([str(f) for f in folders]),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # a template is read once per build (build, and each worker's job, clear this cache):
        # not looked at on disk again for every card's field
        auto_reload=False,
    )

    env.filters["slug"] = _slug
    env.filters["direction"] = _direction
    env.filters["math"] = rich.math
    env.filters["highlight"] = rich.highlight
    env.filters["cloze"] = rich.cloze
    env.globals["code_css"] = rich.code_css
    env.globals["searched"] = [str(f) for f in folders]
    return env


def render(template: str, user_templates: str = "", **context: Any) -> str:
    """Render one template; every Jinja failure becomes a TemplateError naming file and line."""
    # the folder is resolved so that one process building in several places never mixes them up
    env = environment(str(Path(user_templates).resolve()) if user_templates else "")
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as err:
        raise TemplateError(
            f"template '{err.name}' not found (searched: {', '.join(env.globals['searched'])})"
        ) from err
    except jinja2.TemplateSyntaxError as err:
        where = _shown(err.filename or err.name or template)
        raise TemplateError(f"{where}:{err.lineno}: template syntax error: {err.message}") from err
    except jinja2.UndefinedError as err:
        raise TemplateError(f"{_template_place(err, template)}: {err.message}") from err
    except jinja2.TemplateError as err:
        raise TemplateError(f"{_template_place(err, template)}: {err}") from err


def _template_place(err: Exception, template: str) -> str:
    """file:line of the template frame that failed, read from the traceback Jinja rewrote."""
    tb = err.__traceback__
    place = template
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "/templates/" in filename:
            place = f"{_shown(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return place


def _shown(filename: str) -> str:
    """A template's path as the user would type it: relative to where deckgen runs, if inside."""
    path = Path(filename)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return filename
