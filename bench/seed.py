"""Seeding socialpoll for the benchmarks: a poll with the seeded thread of threadspec.py.

Nothing here writes vote totals: a seeded poll gets its votes as real ballots, cast through
the vote view (cast_seed_votes), so the seeding holds whether the app stores counters
next to the ballots or derives the counts from them.
"""

from collections.abc import Callable
from datetime import timedelta

import threadspec

# Ballots per choice that cast_seed_votes() casts in a seeded poll: 18 in all.
SEED_VOTES = (0, 3, 6, 9)


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
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=f"Definition {i + 1}", position=i) for i in range(len(SEED_VOTES))
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


def seed_vote_plan(poll) -> list[int]:
    """The choice ids of the ballots cast_seed_votes() casts, one per ballot."""
    from polls.models import Choice

    choice_ids = Choice.objects.filter(poll=poll).order_by("position", "pk")
    choice_ids = list(choice_ids.values_list("pk", flat=True))
    return [pk for pk, count in zip(choice_ids, SEED_VOTES, strict=True) for _ in range(count)]


def cast_seed_votes(poll, post: Callable[[str, dict], int]) -> int:
    """Vote in a seeded poll through its vote view, each ballot from a new anonymous voter:
    ``post(path, form data)`` sends one vote POST (with whatever CSRF the caller needs)
    and returns the status. Stops the benchmark unless every vote is a stored ballot."""
    from polls.models import Ballot

    plan = seed_vote_plan(poll)
    path = f"/polls/{poll.slug}/vote/"
    before = Ballot.objects.filter(poll=poll).count()
    statuses = [post(path, {"choice": str(choice_id)}) for choice_id in plan]
    stored = Ballot.objects.filter(poll=poll).count() - before
    if any(not 200 <= status < 400 for status in statuses) or stored != len(plan):
        raise SystemExit(
            f"seeding {poll.slug}: {len(plan)} votes answered {sorted(set(statuses))}, "
            f"{stored} ballots stored"
        )
    return stored
