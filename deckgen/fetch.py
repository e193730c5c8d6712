"""Fetching a web page for `deckgen import`: http and https only, a timeout, a size limit, a few
redirects that stay on http(s), a User-Agent that says who is asking, no cookies. Never used
while building: a build reads only local files."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from deckgen import __version__
from deckgen.errors import DeckgenError

USER_AGENT = f"deckgen/{__version__} (question-and-answer importer)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
# documents deckgen reads besides pages, by the type a server gives them (a raw README, a FAQ.txt)
TEXT_TYPES = {"text/markdown": ".md", "text/x-markdown": ".md", "text/plain": ".txt"}


class FetchError(DeckgenError):
    """Raised when a page cannot be fetched: refused scheme, HTTP error, timeout, too big, not HTML."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    charset: str  # from the Content-Type header, or ""
    kind: str = "text/html"  # the Content-Type's media type


class _Refused(Exception):
    """A redirect to an address that is not http or https (file:, data:, ftp:...)."""

    def __init__(self, scheme: str):
        super().__init__(scheme)
        self.scheme = scheme


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def http_error_302(self, req, fp, code, msg, headers):
        # urllib refuses a file: or data: target itself, as an HTTPError that reads like any other
        # redirect ("too many redirects"): say what it is
        from urllib.parse import urljoin, urlsplit

        location = headers.get("location") or headers.get("uri")
        if location:
            scheme = urlsplit(urljoin(req.full_url, location.strip())).scheme.lower()
            if scheme not in ("http", "https"):
                raise _Refused(scheme or "?")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch(url: str, timeout: float = 15.0, max_bytes: int = 10_000_000) -> Fetched:
    """The page at `url`; every failure is one FetchError line naming the URL. `timeout` bounds
    the whole fetch (finding the host, connecting, redirects, every byte of the page), not each
    read: a server that sends a byte every half second is given up on too."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https addresses are fetched")
    opener = urllib.request.build_opener(_Redirects())  # no cookie handler: no cookies kept or sent
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/markdown;q=0.9, text/plain;q=0.8"})
    except ValueError as err:  # a malformed address (an unclosed "[" of an IPv6 host...)
        raise FetchError(f"{url}: not a valid address ({err})") from err
    # the fetch runs in a thread the caller stops waiting for at the deadline; told to stop, it
    # closes the connection after its current read (each read waits at most `timeout` too)
    outcome: list[Fetched | BaseException] = []
    progress = _Progress()

    def work() -> None:
        try:
            outcome.append(_get(opener, request, url, timeout, max_bytes, progress))
        except BaseException as err:  # noqa: BLE001 - handed to the caller, raised there
            outcome.append(err)

    worker = threading.Thread(target=work, name=f"deckgen fetch {url[:60]}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        progress.stop.set()
        if progress.answered:
            raise FetchError(f"{url}: the page did not arrive within {timeout:g} s "
                             f"({progress.received:,} bytes came)")
        raise FetchError(f"{url}: no answer within {timeout:g} s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


@dataclass
class _Progress:
    answered: bool = False  # the server sent its headers
    received: int = 0  # bytes of the page so far
    stop: threading.Event = field(default_factory=threading.Event)


def _get(opener, request, url: str, timeout: float, max_bytes: int, progress: _Progress) -> Fetched:
    try:
        with opener.open(request, timeout=timeout) as response:
            progress.answered = True
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES and kind not in TEXT_TYPES:
                raise FetchError(f"{url}: the server sent {kind}, not an HTML page, Markdown or text")
            chunks: list[bytes] = []
            while not progress.stop.is_set():
                chunk = response.read1(65536)  # what has come, not a whole buffer's worth
                if not chunk:
                    break
                progress.received += len(chunk)
                if progress.received > max_bytes:
                    raise FetchError(f"{url}: the page is over the limit of {max_bytes:,} bytes")
                chunks.append(chunk)
            return Fetched(response.geturl(), b"".join(chunks), response.headers.get_content_charset() or "", kind)
    except _Refused as err:
        raise FetchError(f"{url}: redirects to a {err.scheme}: address, which is not http or https") from None
    except urllib.error.HTTPError as err:
        if err.code in (301, 302, 303, 307, 308):
            raise FetchError(f"{url}: too many redirects") from err
        raise FetchError(f"{url}: the server answered HTTP {err.code} {err.reason}") from err
    except TimeoutError as err:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from err
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"{url}: no answer within {timeout:g} s") from err
        raise FetchError(f"{url}: cannot connect: {reason}") from err
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise FetchError(f"{url}: cannot fetch: {err}") from err
