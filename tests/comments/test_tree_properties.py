"""Property: whatever is removed or deleted, and however, the thread stays whole.

Random trees get random removals through the service, the admin's single delete, the
admin's bulk delete and the admin's bulk "remove" action; then, on the real poll page,
every shown comment's ancestors are shown (in full or as tombstones), every tombstone has
a shown comment below it, and no approved comment that nobody removed went missing.
"""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from comments import moderation, posting
from comments.models import Comment
from tests.comments.helpers import add, elements
from tests.factories import make_poll

CHANGELIST = "/admin/comments/comment/"
METHODS = ["service", "admin_delete", "admin_bulk_delete", "admin_bulk_remove"]
STATUSES = [Comment.Status.APPROVED] * 3 + [Comment.Status.PENDING, Comment.Status.SPAM]


@st.composite
def trees_and_removals(draw):
    size = draw(st.integers(min_value=1, max_value=18))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, size)]
    statuses = [draw(st.sampled_from(STATUSES)) for _ in range(size)]
    removals = draw(
        st.lists(
            st.tuples(
                st.sampled_from(METHODS), st.lists(st.integers(0, size - 1), min_size=1, max_size=4)
            ),
            max_size=5,
        )
    )
    return parents, statuses, removals


def shown_articles(html: str) -> dict[int, dict]:
    articles = {}
    for element in elements(html):
        if element.tag == "article" and element.attrs.get("id", "").startswith("comment-"):
            articles[int(element.attrs["id"].removeprefix("comment-"))] = {
                "tombstone": "comment-tombstone" in element.attrs.get("class", ""),
                "ancestors": [
                    int(attrs["id"].removeprefix("comment-"))
                    for tag, attrs in element.ancestors
                    if tag == "article" and attrs.get("id", "").startswith("comment-")
                ],
            }
    return articles


@pytest.fixture
def admin_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.django_db
@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=trees_and_removals())
def test_removals_never_break_the_thread(admin_client, moderator, trainer, settings, case):
    settings.COMMENTS_PER_PAGE = 1000
    parents, statuses, removals = case
    poll = make_poll(author=trainer)
    comments: list[Comment] = []
    for parent_index, status in zip(parents, statuses, strict=True):
        parent = None
        if parent_index is not None:
            parent = posting.comment_reply_parent(target=comments[parent_index])
        comments.append(add(poll, parent=parent, status=status, name=f"Name{len(comments)}"))

    targeted: set[int] = set()
    for method, indexes in removals:
        pks = sorted({comments[i].pk for i in indexes})
        targeted.update(pks)
        existing = list(Comment.objects.filter(pk__in=pks))
        if method == "service":
            for comment in existing:
                moderation.comment_remove(comment=comment, actor=moderator)
        elif method == "admin_delete":
            for comment in existing:
                response = admin_client.post(f"{CHANGELIST}{comment.pk}/delete/", {"post": "yes"})
                assert response.status_code == 302
        else:
            action = "delete_selected" if method == "admin_bulk_delete" else "remove_selected"
            response = admin_client.post(
                CHANGELIST + "?status=all",
                {"action": action, "_selected_action": pks, "post": "yes"},
            )
            assert response.status_code == 302

    rows = {c.pk: c for c in Comment.objects.filter(poll=poll)}
    html = admin_client.get(poll.get_absolute_url()).content.decode()
    shown = shown_articles(html)

    # Nothing anybody did not remove went missing: every approved, untouched comment stays.
    for original, status in zip(comments, statuses, strict=True):
        if status == Comment.Status.APPROVED and original.pk not in targeted:
            assert rows[original.pk].status == Comment.Status.APPROVED
            assert original.pk in shown and not shown[original.pk]["tombstone"]
    # Shown in full exactly when approved.
    assert {pk for pk, a in shown.items() if not a["tombstone"]} == {
        pk for pk, row in rows.items() if row.status == Comment.Status.APPROVED
    }
    for pk, article in shown.items():
        # Every shown comment sits inside exactly its ancestors, each shown or a tombstone.
        chain, row = [], rows[pk]
        while row.parent_id is not None:
            chain.insert(0, row.parent_id)
            row = rows[row.parent_id]
        assert article["ancestors"] == chain
        assert all(ancestor in shown for ancestor in chain)
        # Every tombstone has a shown (not tombstoned) comment somewhere below it.
        if article["tombstone"]:
            assert any(
                pk in other["ancestors"] and not other["tombstone"] for other in shown.values()
            )
            assert (
                rows[pk].name not in html.split(f'id="comment-{pk}"', 1)[1].split("<article", 1)[0]
            )
