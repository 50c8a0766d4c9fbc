"""The poll page's sharing block and its link-preview tags.

`{% load share_tags %}{% poll_share poll %}` and, in the page's head, `{% poll_meta poll %}`;
`{% poll_qr poll "css-class" %}` is the QR code alone (the presenter view's).
Both are the same for every reader of a poll, so they sit inside the cached page
(polls/pagecache.py) without making it anyone's own.
"""

from html import unescape

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from core.links import absolute_url
from polls.embed import embed_origins
from polls.models import Poll
from polls.qr import join_address, qr_drawing

register = template.Library()

DESCRIPTION_CHARS = 200  # what link previews show before cutting the text themselves


def intro_text(poll: Poll) -> str:
    """The intro as plain one-line text (from its sanitised HTML), for link previews."""
    text = " ".join(unescape(strip_tags(poll.intro_html)).split())
    return Truncator(text).chars(DESCRIPTION_CHARS)


@register.inclusion_tag("polls/_share.html")
def poll_share(poll: Poll) -> dict:
    address = join_address(poll)
    return {
        "poll": poll,
        "poll_url": absolute_url(poll.get_absolute_url()),
        "join_address": address,
        "qr": qr_drawing(address),
    }


@register.inclusion_tag("polls/qr.svg")
def poll_qr(poll: Poll, css_class: str = "") -> dict:
    """The QR code of the poll's join address as inline SVG: `{% poll_qr poll "big-qr" %}`."""
    return {"qr": qr_drawing(join_address(poll)), "qr_class": css_class}


@register.inclusion_tag("polls/_meta.html")
def poll_meta(poll: Poll) -> dict:
    return {
        "poll": poll,
        "poll_url": absolute_url(poll.get_absolute_url()),
        "description": intro_text(poll),
    }


@register.inclusion_tag("polls/_embed_snippet.html")
def poll_embed_snippet(poll: Poll) -> dict:
    """For the trainer: the <iframe> to paste into a blog post, and who may show it."""
    embed_url = absolute_url(reverse("polls:embed", kwargs={"slug": poll.slug}))
    context = {"embed_url": embed_url, "question": poll.question}
    return {
        "snippet": render_to_string("polls/embed_iframe.txt", context).strip(),
        "origins": embed_origins(),
    }
