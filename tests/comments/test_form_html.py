"""The blank comment form's markup is rendered once per kind of reader and reused."""

import re

import pytest
from django.core import signing
from django.template import Context, Template

from comments.forms import CommentForm


def _served(html: str) -> float:
    token = re.search(r'name="served" value="([^"]+)"', html).group(1)
    return signing.loads(token, salt="comments.form-served-at")


def test_each_reader_gets_the_time_their_form_was_served(client, poll, monkeypatch):
    monkeypatch.setattr("comments.forms.time.time", lambda: 1_000_000.0)
    first = client.get(poll.get_absolute_url()).content.decode()
    monkeypatch.setattr("comments.forms.time.time", lambda: 2_000_000.0)
    second = client.get(poll.get_absolute_url()).content.decode()
    assert (_served(first), _served(second)) == (1_000_000.0, 2_000_000.0)


@pytest.mark.parametrize("signed_in", [False, True])
def test_reused_markup_equals_crispys_own(poll, reader, signed_in):
    user = reader if signed_in else None
    crispy = Template("{% load crispy_forms_tags %}{% crispy form %}")
    ours = Template("{% load comments_tags %}{% comment_form_fields form %}")
    form = CommentForm(poll=poll, user=user)
    expected = crispy.render(Context({"form": form}))
    ours.render(Context({"form": CommentForm(poll=poll, user=user)}))  # fills the reuse
    assert ours.render(Context({"form": form})) == expected
