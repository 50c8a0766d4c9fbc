"""Demo discussion for `make run`: the seed's shape, in the project's own words."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from comments.posting import comment_place
from polls.models import Poll

APPROVED = Comment.Status.APPROVED

# (key, reply to key, name, website, body); None as name means the poll's author.
THREAD = [
    (
        "first",
        None,
        "Priya Nair",
        "",
        "A colleague has just started a reading circle on our internal chat about exactly "
        "this. If anyone wants to join, leave a reply and I will pass on the invitation. "
        "The conversations so far have been lively.",
    ),
    (
        "first-reply",
        "first",
        "Tomasz",
        "",
        "I'd like to join, thanks! Is it open to people outside your company?",
    ),
    (
        "first-reply-reply",
        "first-reply",
        "Priya Nair",
        "",
        "It is. Anyone curious is welcome; I'll send the link by email.",
    ),
    (
        "second",
        None,
        "Workshop Café",
        "https://example.org/workshop-cafe",
        "We run monthly lunchtime sessions along these lines: a blog post sets the topic and "
        "people sign up, and a small online group keeps the talk going between sessions.",
    ),
    (
        "third",
        None,
        "Jo",
        "",
        "I had never thought of learning as something that happens on social sites. Everyone "
        "advertises there now, but learning? I suspect the next few years will surprise us.",
    ),
    (
        "author-thanks",
        None,
        None,
        "",
        "Thank you all for joining in! I'm excited about where this could take our workshops, "
        "and I hope the discussion keeps going.",
    ),
    (
        "list",
        None,
        "Samira Haddad",
        "https://example.com/samira",
        "Good question. I wrote about this last year "
        "(https://example.com/blog/getting-social-at-work) and ended up with four rules of "
        "thumb:\n\n"
        "1. Start with a purpose, not a platform\n"
        "2. Earn the right attention\n"
        "3. Invite people to act, not only to read\n"
        "4. Listen more than you post",
    ),
    (
        "context",
        None,
        "Chris Allen",
        "",
        "For me it depends on context. Online, *social* means the networks; in a room, "
        "learning with and from others is what I would call **collaborative learning**. "
        "Perhaps we need both words.",
    ),
]


# "Recently posted" links, as the task would have stored them from the commenter's feed.
LATEST_POSTS = {
    "list": (
        "Getting social at work: four rules of thumb",
        "https://example.com/blog/getting-social-at-work",
    ),
}


def load_demo_comments(poll: Poll) -> int:
    """Add the demo thread under the poll once; running it again changes nothing."""
    if Comment.objects.filter(poll=poll).exists():
        return 0
    # The discussion starts a couple of hours after the poll was published.
    start = (poll.published_at or timezone.now() - timedelta(days=3)) + timedelta(hours=2)
    created: dict[str, Comment] = {}
    with transaction.atomic():
        for index, (key, reply_to, name, website, body) in enumerate(THREAD):
            parent = created.get(reply_to) if reply_to else None
            author = poll.author if name is None else None
            comment = comment_place(
                poll=poll,
                parent=parent,
                name=(author.get_full_name() or author.get_username()) if author else name,
                email=author.email if author else f"demo-{index}@example.com",
                website=website,
                body=body,
                user=author,
                status=APPROVED,
            )
            latest = LATEST_POSTS.get(key)
            shown = {"latest_post_title": latest[0], "latest_post_url": latest[1]} if latest else {}
            Comment.objects.filter(pk=comment.pk).update(
                created_at=start + timedelta(hours=5 * index),
                show_latest_post=bool(latest),
                **shown,
            )
            created[key] = comment
    return len(created)
