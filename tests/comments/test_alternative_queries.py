"""The poll page of a write-in poll costs the same queries with 10 or 1,000 comments, many
of them alternative definitions with hundreds of agreements and a promoted one."""

import pytest

from comments.models import Agreement, Comment
from comments.promotion import alternative_promote
from tests.comments.alt_helpers import agree_url, write_in_poll
from tests.comments.helpers import build_thread
from tests.comments.test_queries import queries_for
from tests.factories import voter_client

pytestmark = pytest.mark.django_db


def _with_alternatives(poll, size: int, trainer) -> list[Comment]:
    build_thread(poll, size)
    top = Comment.objects.filter(poll=poll, depth=0)
    # One top-level comment in three is an alternative definition, whatever its status.
    ids = list(top.order_by("pk").values_list("pk", flat=True))[::3]
    ids.append(top.filter(status="approved").order_by("pk").values_list("pk", flat=True)[0])
    Comment.objects.filter(pk__in=ids).update(is_alternative=True)
    shown = list(Comment.objects.filter(pk__in=ids, status="approved").order_by("pk"))
    Agreement.objects.bulk_create(
        Agreement(comment=alt, voter_key=f"anon:{alt.pk}-{n}", agrees=n % 3 != 0)
        for alt in shown
        for n in range(size // 10)
    )
    alternative_promote(comment=shown[0], actor=trainer)
    return shown


@pytest.fixture
def polls(trainer):
    small, big = write_in_poll(trainer), write_in_poll(trainer)
    assert len(_with_alternatives(small, 10, trainer)) >= 1
    assert len(_with_alternatives(big, 1000, trainer)) > 20
    hidden = Comment.objects.filter(poll=big, is_alternative=True).exclude(status="approved")
    assert hidden.exists()  # held, spam and removed ones too: never listed
    return small, big


@pytest.mark.parametrize("reader_kind", ["anonymous", "answered", "trainer"])
def test_write_in_page_queries_are_the_same_for_10_and_1000_comments(
    client, trainer, polls, reader_kind
):
    small, big = polls
    if reader_kind == "trainer":
        client.force_login(trainer)
    if reader_kind == "answered":  # their answers marked: a page rendered for them
        client = voter_client("answered")
        for poll in polls:
            alt = Comment.objects.filter(poll=poll, is_alternative=True, status="approved")[0]
            client.post(agree_url(alt), {"answer": "agree"})
    queries_for(client, small)  # warm-up
    assert queries_for(client, big) == queries_for(client, small)


def test_hidden_alternatives_are_neither_listed_nor_counted(client, polls):
    _small, big = polls
    html = client.get(big.get_absolute_url()).content.decode()
    listed = html.count('class="alternative card')
    shown = Comment.objects.filter(poll=big, is_alternative=True, status="approved").count()
    assert listed == min(shown, 50)
    for hidden in Comment.objects.filter(poll=big, is_alternative=True).exclude(status="approved"):
        assert f'id="alternative-{hidden.pk}"' not in html
