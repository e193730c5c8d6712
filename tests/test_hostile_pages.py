"""Hostile documents and pages (issue #23): image names with spaces and accents, lists and quotes
nested too deep, pages nested 10,000 deep, charsets that are no charset, servers that drip or
redirect out of the web. Every one reads, or fails in one line naming the file or URL."""

from __future__ import annotations

import functools
import http.server
import threading
import time

import pytest

from tests.helpers import FIXTURES, project, run

PNG = (FIXTURES / "pages" / "medium_files" / "tuple.png").read_bytes()


def one_line_error(result, *words: str) -> str:
    """The single line of an error: exit 1, no traceback, every word in it."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- 8, 9, 14: what a server sends ---------------------------------------------------------------

class _Server(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/drip":  # a page, one byte every half second for 30 s
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "60")
            self.end_headers()
            self._drip(b"<html><body><h2>What?</h2><p>That.</p>" + b" " * 21)
        elif self.path == "/drip-headers":  # even the status line comes a byte at a time
            self._drip(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n" + b"X-Slow: " + b"x" * 60 + b"\r\n\r\n")
            self._send(b"<html><body><h2>What?</h2><p>That.</p></body></html>", "text/html; charset=undefined")
            self._send(b"# T\n\n### What?\n\nThat.\n", "text/markdown; charset=base64")
        elif self.path.startswith("/to-"):
            self.send_response(302)
            self.send_header("Location", {"/to-file": "file:///etc/passwd", "/to-data": "data:text/html,<p>x</p>",
                                          "/to-javascript": "javascript:alert(1)"}[self.path])
            self.end_headers()
        else:
            self.send_error(404)

    def _drip(self, data: bytes) -> None:
        try:
            for k in range(len(data)):
                self.wfile.write(data[k:k + 1])
                self.wfile.flush()
                time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    handler = functools.partial(_Server, directory=str(tmp_path_factory.mktemp("www")))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(("path", "words"), [
    ("/drip", ["the page did not arrive within 1.5 s", "bytes came"]),
    ("/drip-headers", ["no answer within 1.5 s"]),
])
def test_timeout_is_a_deadline_for_the_whole_fetch(tmp_path, server, path, words):
    root = project(tmp_path)
    started = time.monotonic()
    result = run(["import", f"{server}{path}", "-o", "source/x.md", "--timeout", "1.5"], root)
    elapsed = time.monotonic() - started
    one_line_error(result, f"{server}{path}:", *words)
    assert elapsed < 4, elapsed
    assert not (root / "source" / "x.md").exists()


@pytest.mark.parametrize(("path", "words"), [
    ("/to-file", ["redirects to a file: address, which is not http or https"]),
    ("/to-data", ["redirects to a data: address, which is not http or https"]),
    ("/to-javascript", ["redirects to a javascript: address, which is not http or https"]),
])
def test_what_a_server_sends_is_one_line_when_it_cannot_be_read(tmp_path, server, path, words):
    root = project(tmp_path)
    result = run(["import", f"{server}{path}", "-o", "source/x.md"], root)
    one_line_error(result, f"{server}{path}:", *words)
    assert not (root / "source" / "x.md").exists()
