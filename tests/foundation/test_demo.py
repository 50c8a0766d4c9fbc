from django.core.management import call_command

from comments.models import Comment
from polls.demo import DEMO_SLUG
from polls.models import Ballot, Choice, Poll
from polls.results import count_results


def counts():
    return (
        Poll.objects.count(),
        Choice.objects.count(),
        Ballot.objects.count(),
        Comment.objects.count(),
    )


def test_demo_loader_creates_the_social_learning_poll(db):
    call_command("load_demo", force=True)
    poll = Poll.objects.get(slug=DEMO_SLUG)
    assert poll.question == "How would you define social learning?"
    assert poll.is_open
    assert poll.choices.count() == 4
    assert poll.choices.filter(text__startswith="Something else").exists()
    assert count_results(poll).total == Ballot.objects.filter(poll=poll).count() > 0
    assert poll.author.groups.filter(name="Trainers").exists()


def test_demo_loader_is_idempotent(db):
    call_command("load_demo", force=True)
    first = counts()
    call_command("load_demo", force=True)
    assert counts() == first


def test_demo_loader_refuses_known_passwords_in_production(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("load_demo")
    assert counts() == (0, 0, 0, 0)


def test_demo_discussion_has_the_seed_shape(client, db):
    call_command("load_demo", force=True)
    poll = Poll.objects.get(slug=DEMO_SLUG)
    comments = Comment.objects.filter(poll=poll, status=Comment.Status.APPROVED)
    top_level = comments.filter(parent=None)
    assert top_level.count() >= 5
    assert comments.filter(user=poll.author).exists()  # the poll's author answers
    assert comments.filter(depth=2).exists()  # a reply to a reply
    html = client.get(poll.get_absolute_url()).content.decode()
    assert '<span class="comment-number">1.</span>' in html
    assert ">Author</span>" in html
    assert "<ol>" in html and 'rel="nofollow ugc noopener"' in html  # a list and a link


def test_demo_discussion_comes_after_its_poll_was_published(db):
    call_command("load_demo", force=True)
    poll = Poll.objects.get(slug=DEMO_SLUG)
    first = Comment.objects.filter(poll=poll).order_by("created_at").first()
    assert poll.published_at < first.created_at


def test_demo_loader_prints_the_username_and_the_password_apart(db):
    from io import StringIO

    from polls.demo import TRAINER_PASSWORD, TRAINER_USERNAME

    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert f"user {TRAINER_USERNAME}, password {TRAINER_PASSWORD}" in out.getvalue()
