"""An AnkiConnect-compatible server over the real Anki engine, for the tests (the add-on itself
cannot be installed from the package index).

It follows the add-on's request and reply shapes (API version 6, FooSoft/anki-connect's
plugin/__init__.py and web.py): `{"action", "version", "params", "key"}` in, `{"result",
"error"}` out; a key that differs from the configured one (including a key sent to an add-on with
none) is refused with "valid api key must be provided"; an action it does not have is
"unsupported action"; a denied origin gets `{"permission": "denied"}` from requestPermission and
HTTP 403 for everything else. importPackage runs the importer the add-on runs
(`anki.importing.AnkiPackageImporter`, Anki's legacy package importer).

The collection is opened for each request and closed after it, so a test can open it between
requests with the engine as a user's Anki would show it.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class FakeAnki:
    collection: Path
    api_key: str | None = None
    version: int = 6
    permission: bool = True
    delay: float = 0.0  # seconds before every answer (a busy Anki)
    missing: tuple[str, ...] = ()  # actions this add-on version does not have
    fail: dict[str, str] = field(default_factory=dict)  # action -> the error it answers with
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: dict) -> dict:
        self.requests.append(request)
        name = request.get("action", "")
        params = request.get("params", {}) or {}
        try:
            if request.get("key") != self.api_key and name != "requestPermission":
                raise Exception("valid api key must be provided")
            method = getattr(self, f"action_{name}", None)
            if method is None or name in self.missing:
                raise Exception("unsupported action")
            if name in self.fail:
                raise Exception(self.fail[name])
            return {"result": method(**params), "error": None}
        except Exception as err:  # the add-on answers every failure this way
            return {"result": None, "error": str(err)}

    def col(self):
        from anki.collection import Collection

        return Collection(str(self.collection))

    # -- actions --------------------------------------------------------------------------
    def action_requestPermission(self, origin: str = "", allowed: bool = True):
        if not self.permission:
            return {"permission": "denied"}
        return {"permission": "granted", "requireApikey": bool(self.api_key), "version": self.version}

    def action_version(self):
        return self.version

    def action_findNotes(self, query=None):
        if query is None:
            return []
        col = self.col()
        try:
            return [int(n) for n in col.find_notes(query)]
        finally:
            col.close()

    def action_notesInfo(self, notes=None, query=None):
        col = self.col()
        try:
            ids = notes if notes is not None else col.find_notes(query)
            result = []
            for nid in ids:
                try:
                    note = col.get_note(nid)
                except Exception:
                    result.append({})
                    continue
                model = note.note_type()
                result.append({
                    "noteId": note.id, "profile": "User 1", "tags": note.tags,
                    "fields": {f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]} for f in model["flds"]},
                    "modelName": model["name"], "mod": note.mod,
                    "cards": [c.id for c in sorted(note.cards(), key=lambda c: c.ord)],
                })
            return result
        finally:
            col.close()

    def action_getDecks(self, cards):
        col = self.col()
        try:
            decks: dict[str, list[int]] = {}
            for cid in cards:
                decks.setdefault(col.decks.name(col.get_card(cid).did), []).append(cid)
            return decks
        finally:
            col.close()

    def action_importPackage(self, path):
        col = self.col()
        try:
            with warnings.catch_warnings():  # the add-on's own import, deprecated by Anki
                warnings.simplefilter("ignore", DeprecationWarning)
                from anki.importing import AnkiPackageImporter

                AnkiPackageImporter(col, path).run()
            return True
        finally:
            col.close()

    def action_exportPackage(self, deck, path, includeSched=False):
        from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

        col = self.col()
        try:
            did = col.decks.id_for_name(deck)
            if not did:
                return False
            options = ExportAnkiPackageOptions(with_scheduling=includeSched, with_deck_configs=False,
                                               with_media=True, legacy=True)
            col.export_anki_package(out_path=path, options=options, limit=DeckIdLimit(did))
            return True
        finally:
            col.close()

    def action_changeDeck(self, cards, deck):
        col = self.col()
        try:
            col.set_deck(cards, col.decks.id(deck))  # the deck is made when it does not exist, as the add-on does
        finally:
            col.close()

    def action_deleteNotes(self, notes):
        col = self.col()
        try:
            col.remove_notes(notes)
        finally:
            col.close()


class _Handler(BaseHTTPRequestHandler):
    anki: FakeAnki

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        anki = self.server.anki  # type: ignore[attr-defined]
        if anki.delay:
            time.sleep(anki.delay)
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError as err:
            self._send(200, {"result": None, "error": str(err)})
            return
        if not anki.permission and request.get("action") != "requestPermission":
            self._send(403, None)
            return
        with anki.lock:
            reply = anki.handle(request)
        self._send(200, reply)

    def _send(self, status: int, reply) -> None:
        data = b"" if reply is None else json.dumps(reply).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, *args):  # quiet
        pass


class Server:
    """A FakeAnki served on 127.0.0.1 in a thread; `url` is its address. Use as a context manager."""

    def __init__(self, anki: FakeAnki):
        self.anki = anki
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.anki = anki  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
