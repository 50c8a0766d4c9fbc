"""Servers the tests run in a thread of their own process (a feed server, a blog that frames
the embed, an SMTP server)."""

import socketserver
import threading

# shutdown() returns once serve_forever() notices it; serve_forever's default is to look
# every 0.5 s, which added half a second to every test that started a server (57 of them).
POLL_INTERVAL = 0.01


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Start serving in a daemon thread; stop with server.shutdown() and server_close()."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
    )
    thread.start()
    return thread
