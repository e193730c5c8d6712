"""A client of AnkiConnect, the add-on that lets programs talk to a running Anki desktop.

API version 6: every request is `POST {"action", "version": 6, "params", "key"?}` to one URL, and
every answer is `{"result": ..., "error": null | "message"}`. The key is sent only when one is
given: the add-on refuses a request that carries a key when it has none configured.

Every way the conversation can fail ends in one AnkiConnectError naming the URL and what to do;
nothing here retries or changes anything on its own.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from deckgen.errors import DeckgenError

API_VERSION = 6
TIMEOUT = 30.0  # seconds for one request; an import of a large deck gets IMPORT_TIMEOUT
IMPORT_TIMEOUT = 600.0
CHUNK = 500  # note ids per notesInfo request
START_ANKI = "start Anki with the AnkiConnect add-on (https://ankiweb.net/shared/info/2055492159)"


class AnkiConnectError(DeckgenError):
    """AnkiConnect could not be reached, refused, or answered with an error."""


@dataclass(frozen=True)
class InfoNote:
    """One note as notesInfo gives it: no GUID and no deck (the deck comes from its cards)."""

    note_id: int
    notetype: str
    fields: dict[str, str]  # in the note type's order
    tags: tuple[str, ...]
    modified: int
    cards: tuple[int, ...]


@dataclass(frozen=True)
class AnkiConnect:
    url: str  # the setting ankiconnect-url
    key: str | None = None
    timeout: float = TIMEOUT

    def call(self, action: str, timeout: float | None = None, **params: Any) -> Any:
        """The result of one action; an AnkiConnectError for anything else."""
        request: dict[str, Any] = {"action": action, "version": API_VERSION, "params": params}
        if self.key:
            request["key"] = self.key
        body = json.dumps(request).encode("utf-8")
        http = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        wait = self.timeout if timeout is None else timeout
        try:
            with urllib.request.urlopen(http, timeout=wait) as response:  # noqa: S310 (the user's URL)
                raw = response.read()
        except urllib.error.HTTPError as err:
            if err.code == 403:
                raise AnkiConnectError(
                    f"AnkiConnect at {self.url} denied permission (HTTP 403); allow deckgen in the add-on's "
                    f"settings (webCorsOriginList) or answer Anki's permission prompt") from None
            raise AnkiConnectError(f"AnkiConnect at {self.url} answered HTTP {err.code} to {action}") from None
        except TimeoutError:
            raise AnkiConnectError(f"AnkiConnect at {self.url} did not answer {action} within {wait:g} s "
                                   f"(is Anki busy, or showing a dialog?)") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise AnkiConnectError(f"AnkiConnect at {self.url} did not answer {action} within {wait:g} s "
                                       f"(is Anki busy, or showing a dialog?)") from None
            raise AnkiConnectError(f"cannot reach AnkiConnect at {self.url} ({_reason(err.reason)}): "
                                   f"{START_ANKI}") from None
        except (OSError, ValueError) as err:
            raise AnkiConnectError(f"cannot reach AnkiConnect at {self.url} ({_reason(err)}): {START_ANKI}") from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise AnkiConnectError(f"{self.url} does not answer as AnkiConnect does (not JSON); "
                                   f"is --url the add-on's address?") from None
        if not isinstance(answer, dict) or set(answer) != {"result", "error"}:
            raise AnkiConnectError(f"{self.url} does not answer as AnkiConnect API version {API_VERSION} does; "
                                   f"update the add-on")
        error = answer["error"]
        if error is not None:
            if str(error) == "unsupported action":
                raise AnkiConnectError(f"AnkiConnect at {self.url} does not know the action {action!r}; "
                                       f"update the add-on")
            if "api key" in str(error).lower():
                hint = ("give the add-on's key with --api-key or ANKICONNECT_API_KEY" if not self.key
                        else "check --api-key / ANKICONNECT_API_KEY (the add-on has no key, or another)")
                raise AnkiConnectError(f"AnkiConnect at {self.url}: {error} ({hint})")
            raise AnkiConnectError(f"AnkiConnect at {self.url}: {action}: {error}")
        return answer["result"]

    def connect(self) -> None:
        """Ask for permission and check the API version, as a program talking to it first does."""
        granted = self.call("requestPermission")
        if not isinstance(granted, dict) or granted.get("permission") != "granted":
            raise AnkiConnectError(f"AnkiConnect at {self.url} denied permission; allow deckgen in the "
                                   f"add-on's settings (webCorsOriginList) or answer Anki's prompt")
        if granted.get("requireApikey") and not self.key:
            raise AnkiConnectError(f"AnkiConnect at {self.url} requires an API key: give it with --api-key "
                                   f"or ANKICONNECT_API_KEY")
        version = self.call("version")
        if not isinstance(version, int) or version < API_VERSION:
            raise AnkiConnectError(f"AnkiConnect at {self.url} speaks API version {version}; deckgen needs "
                                   f"{API_VERSION} or later: update the add-on")

    def notes(self, query: str) -> list[InfoNote]:
        """Every note a search finds, with its fields, tags and modification time."""
        ids = self.call("findNotes", query=query)
        found: list[InfoNote] = []
        for chunk in _chunks([int(i) for i in ids], CHUNK):
            for info in self.call("notesInfo", notes=chunk):
                if not info:
                    continue  # deleted between the two requests
                fields = sorted(info["fields"].items(), key=lambda item: item[1]["order"])
                found.append(InfoNote(
                    int(info["noteId"]), str(info.get("modelName", "")),
                    {name: str(value["value"]) for name, value in fields},
                    tuple(info.get("tags", ())), int(info.get("mod", 0)), tuple(info.get("cards", ())),
                ))
        return found

    def decks_of(self, cards: list[int]) -> dict[int, str]:
        """Card id -> the name of its deck."""
        where: dict[int, str] = {}
        for chunk in _chunks(cards, CHUNK * 4):
            for name, members in self.call("getDecks", cards=chunk).items():
                where.update((int(card), name) for card in members)
        return where


def _quoted(name: str) -> str:
    return "".join("\\" + ch if ch in '\\"*_' else ch for ch in name)


def search_deck(name: str) -> str:
    """An Anki search for a deck and its subdecks, its name quoted ("*", "_" and quotes escaped)."""
    return f'"deck:{_quoted(name)}"'


def search_notetype(name: str) -> str:
    """An Anki search for the notes of one note type."""
    return f'"note:{_quoted(name)}"'


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
