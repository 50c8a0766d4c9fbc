"""Seeding socialpoll for the benchmarks: a poll with the seeded thread of threadspec.py."""

from datetime import timedelta

import threadspec


def seed_socialpoll(n: int, *, author, users, seed: int = 2026, max_depth: int = 3, slug: str = ""):
    """The thread inserted directly (bulk, level by level), with the derived columns the
    comments app computes itself: path, depth and the sanitised HTML."""
    from django.db import transaction
    from django.utils import timezone

    from polls.markup import render_markdown
    from polls.models import Choice, Poll

    spec = threadspec.build_thread(n, seed=seed, max_depth=max_depth)
    now = timezone.now()
    poll = Poll.objects.create(
        question="How would you define social learning?",
        slug=slug or f"bench-{n}",
        intro="Tell us what you think.\n\nThink it is something else? Say so below.",
        author=author,
        status=Poll.Status.PUBLISHED,
        published_at=now - timedelta(days=10),
        results_visibility=Poll.ResultsVisibility.ALWAYS,
        ballot_count=18,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=f"Definition {i + 1}", position=i, votes=i * 3) for i in range(4)
    )
    try:
        from comments.models import Comment, path_segment
    except ImportError:  # the comments app has not landed: the page without a thread
        return poll
    from django.db import connection

    if Comment._meta.db_table not in connection.introspection.table_names():
        return poll

    start = now - timedelta(days=10)
    objs: dict[int, Comment] = {}
    sibling_count: dict[int | None, int] = {}
    with transaction.atomic():
        for depth in range(max_depth):
            level = []
            for c in spec:
                if c.depth != depth:
                    continue
                position = sibling_count.get(c.parent, 0) + 1
                sibling_count[c.parent] = position
                parent = objs[c.parent] if c.parent is not None else None
                path = (parent.path if parent else "") + path_segment(position)
                obj = Comment(
                    poll=poll,
                    parent=parent,
                    in_reply_to=parent,
                    path=path,
                    depth=depth,
                    user=users[c.user] if c.user is not None else None,
                    name=c.name,
                    email=c.email,
                    website=c.url,
                    body=c.text,
                    body_html=render_markdown(c.text),
                    status=c.status,
                    ip_address="127.0.0.1",
                    approved_at=start + timedelta(minutes=c.minute)
                    if c.status != threadspec.PENDING
                    else None,
                )
                objs[c.index] = obj
                level.append(obj)
            Comment.objects.bulk_create(level)
        # created_at is auto_now_add; give the thread its posting times back.
        for c in spec:
            objs[c.index].created_at = start + timedelta(minutes=c.minute)
        Comment.objects.bulk_update(list(objs.values()), ["created_at"], batch_size=500)
    return poll
