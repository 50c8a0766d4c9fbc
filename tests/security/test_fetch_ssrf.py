"""Server-side request forgery: a commenter's website is a URL a stranger typed. With
loopback fetches off (the default), every internal address is refused before any
connection is made, and literal addresses without even asking the resolver."""

import ipaddress
import socket
import ssl

import pytest

from comments.latest_post import FEED_TYPES, PAGE_TYPES, discover
from core.fetch import FetchRefused, address_allowed, fetch
from tests.feedserver import HTML, rss

ACCEPT = FEED_TYPES | PAGE_TYPES
PUBLIC = "93.184.216.34"


class Network:
    """Records every name resolution and connection the fetcher attempts. Names in
    ``names`` resolve as given; connections to PUBLIC go to ``route_public`` (a local
    server standing in for a public one) and any other connection fails the test."""

    def __init__(self, monkeypatch) -> None:
        self.resolved: list[str] = []  # names looked up
        self.lookups: list[str] = []  # every getaddrinfo call, numeric hosts too
        self.connected: list[tuple[str, int]] = []
        self.names: dict[str, list[str]] = {}
        self.route_public: tuple[str, int] | None = None
        real_create = socket.create_connection
        real_resolve = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            self.lookups.append(host)
            if host in self.names:
                self.resolved.append(host)
                answer = self.names[host]  # a list, or an iterator of lists (one per ask)
                addresses = next(answer) if hasattr(answer, "__next__") else answer
                return [_info(address, port) for address in addresses]
            try:
                ipaddress.ip_address(host)  # a numeric address: no lookup at all
            except ValueError:
                self.resolved.append(host)
            return real_resolve(host, port, *args, **kwargs)

        def create_connection(address, *args, **kwargs):
            self.connected.append(address)
            if address[0] == PUBLIC and self.route_public:
                return real_create(self.route_public, *args, **kwargs)
            raise AssertionError(f"connection attempted to {address}")

        real_connect = socket.socket.connect

        def connect(sock, address):
            if self.route_public and tuple(address[:2]) == self.route_public:
                return real_connect(sock, address)  # the stand-in public server
            raise AssertionError(f"socket.connect to {address}")

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", create_connection)
        monkeypatch.setattr(socket.socket, "connect", connect)


def _info(address: str, port: int):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return (family, socket.SOCK_STREAM, 6, "", (address, port))


@pytest.fixture
def network(monkeypatch, settings):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    return Network(monkeypatch)


LITERALS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8000/admin/",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://127.1/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[2002:7f00:1::1]/",  # 6to4 around 127.0.0.1
    "http://[2002:a00:1::1]/",  # 6to4 around 10.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 around 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo around 127.0.0.1
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://100.64.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://198.18.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "https://10.0.0.1:8443/",
]


@pytest.mark.parametrize("url", LITERALS)
def test_internal_addresses_are_refused_without_a_lookup_or_a_connection(network, url):
    with pytest.raises(FetchRefused) as refused:
        fetch(url, accept=ACCEPT)
    assert refused.value.code in {"private_address", "bad_host"}
    assert network.lookups == []
    assert network.connected == []


@pytest.mark.parametrize(
    "addresses",
    [["10.0.0.5"], ["127.0.0.1"], ["::1"], ["169.254.169.254"], [PUBLIC, "10.0.0.5"]],
    ids=["private", "loopback", "ipv6-loopback", "metadata", "one-of-two-private"],
)
def test_a_name_that_resolves_to_an_internal_address_is_refused(network, addresses):
    network.names["blog.test"] = addresses
    with pytest.raises(FetchRefused) as refused:
        fetch("http://blog.test/feed/", accept=ACCEPT)
    assert refused.value.code == "private_address"
    assert network.resolved == ["blog.test"]  # asked once
    assert network.connected == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://blog.test/feed",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "//blog.test/feed",
        "http://user:secret@blog.test/feed",
        "http:///feed",
        "http://blog.test:99999/",
        "http://blog.test/a b",
    ],
)
def test_other_schemes_and_odd_urls_are_refused_without_a_lookup(network, url):
    with pytest.raises(FetchRefused):
        fetch(url, accept=ACCEPT)
    assert network.lookups == []
    assert network.connected == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0x7f000001/",
        "http://internal.test/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused_without_a_connection(
    network, feed_server, settings, target
):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False  # the server stands in for a public one
    network.names["blog.test"] = [PUBLIC]
    network.names["internal.test"] = ["10.1.2.3"]
    network.route_public = ("127.0.0.1", feed_server.port)
    feed_server.redirect("/", target)
    with pytest.raises(FetchRefused) as refused:
        fetch(f"http://blog.test:{feed_server.port}/", accept=ACCEPT)
    assert refused.value.code in {"private_address", "bad_scheme"}
    assert network.connected == [(PUBLIC, feed_server.port)]  # the first hop only
    assert feed_server.paths() == ["/"]


def test_the_connection_goes_to_the_address_that_was_checked(network, feed_server, settings):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    # A resolver that would answer differently the second time (DNS rebinding) is asked once.
    network.names["blog.test"] = iter([[PUBLIC], ["127.0.0.1"]])
    network.route_public = ("127.0.0.1", feed_server.port)
    feed_server.add("/feed/", rss(("A post", f"http://blog.test:{feed_server.port}/a-post/")))
    fetched = fetch(f"http://blog.test:{feed_server.port}/feed/", accept=ACCEPT)
    assert b"A post" in fetched.body
    assert network.resolved == ["blog.test"]
    assert network.connected == [(PUBLIC, feed_server.port)]
    assert feed_server.requests == [("/feed/", f"blog.test:{feed_server.port}")]


def test_https_checks_the_certificate_for_the_host_name(
    network, feed_server, monkeypatch, settings
):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    network.names["blog.test"] = [PUBLIC]
    network.route_public = ("127.0.0.1", feed_server.port)
    names = []

    def wrap_socket(context, sock, *args, server_hostname=None, **kwargs):
        names.append((server_hostname, context.check_hostname, context.verify_mode))
        raise ssl.SSLCertVerificationError("test: stop here")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    with pytest.raises(FetchRefused):
        fetch(f"https://blog.test:{feed_server.port}/", accept=ACCEPT)
    assert names == [("blog.test", True, ssl.CERT_REQUIRED)]
    assert network.connected == [(PUBLIC, feed_server.port)]


def test_a_page_announcing_an_internal_feed_leads_nowhere(network, feed_server, settings):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    network.names["blog.test"] = [PUBLIC]
    network.route_public = ("127.0.0.1", feed_server.port)
    feed_server.add(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" '
        'href="http://169.254.169.254/feed"></head></html>',
        HTML,
    )
    with pytest.raises(FetchRefused) as refused:
        discover(f"http://blog.test:{feed_server.port}/")
    assert refused.value.code == "private_address"
    assert network.connected == [(PUBLIC, feed_server.port)]


@pytest.mark.parametrize("address", [PUBLIC, "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(settings, address):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    assert address_allowed(ipaddress.ip_address(address))


def test_the_loopback_setting_opens_loopback_only(settings):
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = True
    assert address_allowed(ipaddress.ip_address("127.0.0.1"))
    assert address_allowed(ipaddress.ip_address("::1"))
    assert not address_allowed(ipaddress.ip_address("10.0.0.1"))
    assert not address_allowed(ipaddress.ip_address("169.254.169.254"))


def test_loopback_fetches_are_off_by_default_and_check_deploy_warns_when_on(settings):
    from core.checks import check_fetch_loopback
    from core.conf import DEFAULTS

    assert DEFAULTS["SOCIALPOLL_FETCH_ALLOW_LOOPBACK"] is False
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = False
    assert check_fetch_loopback(None) == []
    settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK = True
    assert [warning.id for warning in check_fetch_loopback(None)] == ["socialpoll.W002"]


def test_an_international_name_is_looked_up_as_dns_spells_it_and_checked(network):
    network.names["xn--bcher-kva.example"] = ["10.0.0.1"]
    with pytest.raises(FetchRefused) as refused:
        fetch("http://bücher.example/flöte/", accept=ACCEPT)
    assert refused.value.code == "private_address"
    assert network.resolved == ["xn--bcher-kva.example"]
    assert network.connected == []
