"""Helpers for the alternative-definition tests: a write-in poll, definitions, answers."""

from comments.models import Comment
from polls import choices as poll_choices
from polls.models import Choice
from tests.comments.helpers import add
from tests.factories import make_poll


def write_in_poll(author, **overrides):
    poll = make_poll(author=author, choices=("Learning with others", "Learning by watching"))
    poll.write_in = True
    for name, value in overrides.items():
        setattr(poll, name, value)
    poll.save()
    poll_choices.write_in_sync(poll=poll)
    return poll


def something_else(poll) -> Choice:
    return poll.choices.get(is_write_in=True)


def definition(poll, body="Learning in a reading circle", *, name="Dana", **kw) -> Comment:
    """An approved alternative definition, placed straight in the thread."""
    return add(poll, body=body, name=name, is_alternative=True, **kw)


def definition_url(poll) -> str:
    return f"/polls/{poll.slug}/definitions/"


def agree_url(comment) -> str:
    return f"/comments/{comment.pk}/agree/"


def promote_url(comment) -> str:
    return f"/comments/{comment.pk}/promote/"
