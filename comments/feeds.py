"""RSS and Atom feeds of a poll's approved comments (escaped; never an email address)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from comments.models import Comment
from polls.models import Poll

FEED_LENGTH = 50


class PollCommentsRssFeed(Feed):
    def get_object(self, request, slug: str) -> Poll:
        return get_object_or_404(Poll.objects.published(), slug=slug)

    def title(self, poll: Poll) -> str:
        return f"Comments on “{poll.question}” · {settings.SITE_NAME}"

    def link(self, poll: Poll) -> str:
        return poll.get_absolute_url() + "#discussion"

    def description(self, poll: Poll) -> str:
        return f"The latest approved comments on “{poll.question}”."

    def items(self, poll: Poll):
        return (
            Comment.objects.for_poll(poll)
            .visible()
            .select_related("poll")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Comment) -> str:
        # Many RSS readers render titles as HTML: angle brackets must not reach them as tags.
        title = f"{item.name} on “{item.poll.question}”"
        return title.replace("<", "&lt;").replace(">", "&gt;")

    def item_description(self, item: Comment) -> str:
        # Sanitised HTML; the feed writer escapes it once more as XML text.
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.name

    def item_pubdate(self, item: Comment):
        return item.created_at


class PollCommentsAtomFeed(PollCommentsRssFeed):
    """Atom says what is text and what is HTML, so titles go as the plain text they are."""

    feed_type = Atom1Feed
    subtitle = PollCommentsRssFeed.description

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on “{item.poll.question}”"
