"""Fetching a URL that a stranger typed, without letting them aim the server at itself.

Server-side request forgery is the risk: a commenter gives "http://169.254.169.254/" or a
name that resolves to 10.0.0.5 as their website, and the server reads its cloud metadata or
an internal admin page for them. So a fetch here:

* takes only ``http`` and ``https`` URLs without a user name or password;
* resolves the host once (``socket.getaddrinfo``), or reads a literal address in any of the
  forms a C library accepts (``0x7f000001``, ``2130706433``, ``127.1``, ``0177.0.0.1``)
  without asking the resolver, and refuses unless every address is public: no loopback,
  private, shared, link-local, multicast, reserved or unspecified address, IPv4 or IPv6,
  including IPv4 addresses carried inside IPv6 ones (mapped, 6to4, Teredo, NAT64);
* connects to the address it checked (the socket is opened to that IP; the Host header and,
  for https, the TLS server name and certificate check use the host name), so a DNS answer
  that changes between the check and the connection changes nothing;
* follows at most ``FETCH_MAX_REDIRECTS`` redirects, each checked as a new URL;
* gives the server ``FETCH_TIMEOUT`` seconds to connect and as long again for the whole
  answer, reads at most ``FETCH_MAX_BYTES`` (streamed, stopping there) and accepts only
  the content types the caller names.

``SOCIALPOLL_FETCH_ALLOW_LOOPBACK`` lets loopback addresses through (tests and local
development only); nothing else opens the private ranges.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "socialpoll-recently-posted/1.0 (+https://github.com/socialpoll)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Digits, dots and hex: what inet_aton would read as an IPv4 address ("127.1", "0x7f.1").
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


class FetchRefused(Exception):
    """The URL was not fetched, or its answer not accepted; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str  # "text/html", without parameters
    body: bytes


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries, if any (mapped, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_loopback(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return inner.is_loopback
    return address.is_loopback


def address_allowed(address: Address) -> bool:
    """Is this an address a stranger's URL may make us connect to?"""
    if _is_loopback(address):
        return bool(settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK)
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not address_allowed(inner):
            return False
    return not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or not address.is_global
    )


def literal_address(host: str) -> Address | None:
    """The address a host names literally ("[::1]", "10.0.0.1", "0x7f000001", "127.1"),
    read as the C library would, or None for a host name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare.rstrip(".")))
        except OSError:
            raise FetchRefused("bad_host", host) from None
    return None


def resolve(host: str, port: int) -> Address:
    """The one address this host is connected to, checked; the resolver is asked once and
    every address it gives must be allowed (a name with one private address is refused)."""
    literal = literal_address(host)
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise FetchRefused("unresolvable", host) from error
        found = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not found:
        raise FetchRefused("unresolvable", host)
    for address in found:
        if not address_allowed(address):
            raise FetchRefused("private_address", f"{host} is {address}")
    return found[0]


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL we may fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchRefused("bad_url", url[:200]) from error
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("bad_scheme", parts.scheme)
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise FetchRefused("bad_url", url[:200])
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise FetchRefused("bad_url", "control characters or spaces")
    try:  # an international name as DNS and the Host header spell it ("xn--...")
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise FetchRefused("bad_host", parts.hostname[:200]) from error
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    path = quote(path, safe="/?&=;:@!$'()*+,~%-._")  # an IRI's letters, percent-encoded
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name would resolve to now."""

    def __init__(self, host: str, port: int, *, address: Address, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.raw_sockets: list[socket.socket] = []
        self._create_connection = _pinned(address, self.raw_sockets)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, over TLS: the certificate is checked against the host name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: Address, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.raw_sockets: list[socket.socket] = []
        self._create_connection = _pinned(address, self.raw_sockets)


def _pinned(address: Address, opened: list):
    def create(destination, timeout, source_address=None):
        sock = socket.create_connection((str(address), destination[1]), timeout, source_address)
        opened.append(sock)
        return sock

    return create


class _Deadline:
    """The whole answer must arrive within the time: at the end the socket is shut, so a
    server that sends a byte every few seconds cannot hold a worker for long."""

    def __init__(self, seconds: float, sockets: list[socket.socket]) -> None:
        self.expired = threading.Event()
        self._sockets = sockets
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_body(response: http.client.HTTPResponse, limit: int) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise FetchRefused("too_big", f"{declared} bytes")
    chunks, size = [], 0
    while chunk := response.read1(min(65536, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise FetchRefused("too_big", f"over {limit} bytes")
    return b"".join(chunks)


def _content_type(response: http.client.HTTPResponse, accept: frozenset[str]) -> str:
    content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in accept:
        raise FetchRefused("bad_content_type", content_type or "none")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise FetchRefused("bad_encoding", encoding)
    return content_type


def _answer(connection, url: str, path: str, accept: frozenset[str]):
    """Send the request and read the answer: (next URL, None) or (None, Fetched)."""
    connection.request(
        "GET",
        path,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": ", ".join(sorted(accept)),
            "Accept-Encoding": "identity",
        },
    )
    response = connection.getresponse()
    if response.status in REDIRECTS:
        location = response.getheader("Location")
        if not location:
            raise FetchRefused("bad_redirect", "no Location")
        return urljoin(url, location.strip()), None
    if response.status != 200:
        raise FetchRefused("bad_status", str(response.status))
    content_type = _content_type(response, accept)
    body = _read_body(response, settings.SOCIALPOLL_FETCH_MAX_BYTES)
    return None, Fetched(url=url, content_type=content_type, body=body)


def _request_once(url: str, accept: frozenset[str]) -> tuple[str | None, Fetched | None]:
    """One request: (the next URL, None) for a redirect, (None, answer) otherwise."""
    scheme, host, port, path = _target(url)
    address = resolve(host, port)
    timeout = float(settings.SOCIALPOLL_FETCH_TIMEOUT)
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, port, address=address, timeout=timeout)
    deadline = None
    try:
        connection.connect()  # within `timeout`; then as long again for the whole answer
        deadline = _Deadline(timeout, connection.raw_sockets)
        result = _answer(connection, url, path, accept)
        if deadline.expired.is_set():
            raise FetchRefused("too_slow")
        return result
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError) or (deadline and deadline.expired.is_set()):
            raise FetchRefused("too_slow", str(error)[:200]) from error
        raise FetchRefused("connection_failed", str(error)[:200]) from error
    finally:
        if deadline is not None:
            deadline.cancel()
        connection.close()


def fetch(url: str, *, accept: frozenset[str]) -> Fetched:
    """GET a stranger's URL under the rules above; raises FetchRefused otherwise."""
    for _hop in range(settings.SOCIALPOLL_FETCH_MAX_REDIRECTS + 1):
        next_url, fetched = _request_once(url, accept)
        if fetched is not None:
            return fetched
        url = next_url or ""
    raise FetchRefused("too_many_redirects")
