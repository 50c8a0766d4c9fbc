"""Absolute addresses of the site's pages, for what leaves the browser: emails, QR codes,
link previews. Built from SITE_URL (not from the request's Host header, which a client sets)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """The address of ``path`` (as ``reverse`` gives it) on this site, scheme and host included."""
    return f"{settings.SITE_URL}{path}"
