"""A small feed server on 127.0.0.1 for the "recently posted" tests: each path answers what
a test puts in ``routes`` (status, headers, body), or stalls until the test ends."""

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.servers import serve_in_thread

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
HTML = "text/html; charset=utf-8"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = RSS
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # send the headers, then nothing until the test ends
    declare_length: bool = True


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Host", "")))
                route = server.routes.get(self.path, Route(b"not here", "text/plain", 404))
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.declare_length and not route.stall:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.send_header("Connection", "close")
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.flush()
                if route.stall:
                    server.release.wait(30)
                    return
                # The client may stop reading (too big): what it should do.
                with contextlib.suppress(OSError):
                    self.wfile.write(route.body)
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: str | bytes, content_type: str = RSS, **options) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, **options)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = Route(b"", "text/plain", status, {"Location": to})
        return self.url(path)

    def paths(self) -> list[str]:
        return [path for path, _host in self.requests]


@pytest.fixture
def feed_server(settings) -> Iterator[FeedServer]:
    """The server, with loopback fetches allowed for this test only."""
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = True
    server = FeedServer()
    serve_in_thread(server.httpd)
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


def rss(*items: tuple[str, str], channel_link: str = "http://127.0.0.1/") -> str:
    """An RSS 2.0 feed of (title, link) items, newest first; titles and links as given
    (escape them yourself when they must be well-formed XML)."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link></item>" for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>A trainer's blog</title><link>{channel_link}</link>"
        f"<description>Notes</description>{entries}</channel></rss>"
    )


def atom(*items: tuple[str, str, str]) -> str:
    """An Atom feed of (title, link, updated) entries."""
    entries = "".join(
        f'<entry><title>{title}</title><link href="{link}"/><id>{link}</id>'
        f"<updated>{updated}</updated></entry>"
        for title, link, updated in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>A trainer's blog</title><id>urn:blog</id><updated>2026-01-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    )


def page_announcing(feed_href: str, kind: str = RSS) -> str:
    return (
        "<!doctype html><html><head><title>Blog</title>"
        f'<link rel="alternate" type="{kind}" title="Feed" href="{feed_href}">'
        "</head><body><h1>My blog</h1></body></html>"
    )
