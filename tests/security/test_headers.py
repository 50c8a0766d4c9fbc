"""Security headers: what a browser is told about framing, sniffing, referrers and scripts."""

import json
import re
from pathlib import Path

import pytest

from tests.factories import make_poll
from tests.processes import run_python

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def poll_page(client, db):
    poll = make_poll()
    return client.get(poll.get_absolute_url())


def test_pages_carry_an_enforced_content_security_policy(poll_page):
    assert poll_page.status_code == 200
    assert "Content-Security-Policy" in poll_page.headers
    assert "Content-Security-Policy-Report-Only" not in poll_page.headers


def test_csp_allows_no_inline_or_eval_script(poll_page):
    directives = csp_directives(poll_page.headers["Content-Security-Policy"])
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def test_csp_allows_no_inline_style_element(poll_page):
    directives = csp_directives(poll_page.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in directives["style-src"]


def test_csp_forbids_framing(poll_page):
    directives = csp_directives(poll_page.headers["Content-Security-Policy"])
    assert directives["frame-ancestors"] == ["'none'"]
    assert poll_page.headers["X-Frame-Options"] == "DENY"


def test_htmx_script_tag_carries_the_nonce_the_policy_allows(poll_page):
    directives = csp_directives(poll_page.headers["Content-Security-Policy"])
    nonces = {word for word in directives["script-src"] if word.startswith("'nonce-")}
    assert len(nonces) == 1
    nonce = nonces.pop()[len("'nonce-") : -1]
    html = poll_page.content.decode()
    htmx = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "htmx" in tag]
    assert len(htmx) == 1, "the page loads htmx once"
    assert f'nonce="{nonce}"' in htmx[0]


def test_every_script_on_the_page_is_external(poll_page):
    html = poll_page.content.decode()
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", html)
    assert inline == []
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler on the page"


def test_each_response_gets_a_fresh_nonce(client, db):
    poll = make_poll()
    first = client.get(poll.get_absolute_url()).headers["Content-Security-Policy"]
    second = client.get(poll.get_absolute_url()).headers["Content-Security-Policy"]
    assert first != second


def test_nosniff_and_referrer_policy_are_sent(poll_page):
    assert poll_page.headers["X-Content-Type-Options"] == "nosniff"
    assert poll_page.headers["Referrer-Policy"] == "same-origin"


def test_csrf_failure_page_is_friendly_and_carries_the_headers(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert "Content-Security-Policy" in response.headers


PRODUCTION_HEADERS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/health/")
secure = client.get("/health/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "secure_status": secure.status_code,
    "headers": dict(secure.headers),
}))
"""


@pytest.fixture(scope="module")
def production():
    """Headers of a process started with DJANGO_DEBUG=0, as an operator would run it."""
    result = run_python(
        PRODUCTION_HEADERS,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="p" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"].startswith("https://")


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    hsts = production["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_production_sends_the_same_strict_csp(production):
    headers = production["headers"]
    assert production["secure_status"] == 200
    directives = csp_directives(headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
