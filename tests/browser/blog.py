"""A blog on another origin for the embed tests: a tiny http.server whose every page is a
post framing the address given in its path. Reached as 127.0.0.1 it is another site than
the live server (localhost); as localhost with its own port, the same site."""

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.servers import serve_in_thread


class BlogPage(BaseHTTPRequestHandler):
    """Answers every GET with a blog post holding an <iframe> of the address in the path."""

    def do_GET(self) -> None:
        src = self.path.lstrip("/")
        body = (
            '<!doctype html><html lang="en"><title>A blog post</title><h1>My blog</h1>'
            f'<iframe src="{src}" title="Poll" width="600" height="600"></iframe></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(name="blog")
def blog_server() -> Iterator[int]:
    """The port of a blog server reachable as 127.0.0.1 (cross-site) and localhost (same site)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BlogPage)
    serve_in_thread(server)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def blog_post(blog: int, host: str, framed: str) -> str:
    """The address of a blog post on ``host`` that frames ``framed``."""
    return f"http://{host}:{blog}/{framed}"
