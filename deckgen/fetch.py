"""Fetching a web page for `deckgen import`: http and https only, a timeout, a size limit, a few
redirects that stay on http(s), a User-Agent that says who is asking, no cookies. Never used
while building: a build reads only local files."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

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


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise FetchError(f"{req.full_url}: redirected to {newurl[:80]}, which is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, timeout: float = 15.0, max_bytes: int = 10_000_000) -> Fetched:
    """The page at `url`; every failure is one FetchError line naming the URL."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https addresses are fetched")
    opener = urllib.request.build_opener(_Redirects())  # no cookie handler: no cookies kept or sent
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/markdown;q=0.9, text/plain;q=0.8"})
    except ValueError as err:  # a malformed address (an unclosed "[" of an IPv6 host...)
        raise FetchError(f"{url}: not a valid address ({err})") from err
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES and kind not in TEXT_TYPES:
                raise FetchError(f"{url}: the server sent {kind}, not an HTML page, Markdown or text")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"{url}: the page is over the limit of {max_bytes:,} bytes")
            return Fetched(response.geturl(), data, response.headers.get_content_charset() or "", kind)
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
    except (OSError, ValueError) as err:
        raise FetchError(f"{url}: cannot fetch: {err}") from err
