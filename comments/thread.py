"""A poll's thread as readers see it: one query, then pages of whole subtrees.

A comment is shown in full when approved, and to its own author while it awaits moderation.
One that is not shown (removed, spam, or pending again after reports) but has a shown reply
below it is shown as a tombstone, with no author or text, so the replies keep their place.
Anything else is not shown.

Each node carries what comments/_thread.html prints, worked out here once per thread (URLs
from one reverse() per shape, dates formatted for the current time zone), so the template
does no lookups of its own and renders a thousand comments quickly.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

from comments.models import Comment, Promotion
from polls.models import Poll


@dataclass(slots=True)
class ThreadNode:
    pk: int
    depth: int
    tombstone: bool
    tombstone_text: str = ""
    number: int | None = None  # top-level comments are numbered, as in the seed
    name: str = ""
    website: str = ""
    by_author: bool = False
    stance: str = ""  # the text of the choice the comment supports
    awaiting: bool = False  # the reader's own comment, not yet approved
    iso: str = ""
    when: str = ""
    body: SafeString | str = ""
    permalink: str = ""
    reply_url: str = ""
    report_url: str = ""
    latest_post_title: str = ""  # "NAME recently posted: TITLE" (comments/latest_post.py)
    latest_post_url: str = ""
    can_have_replies: bool = True
    alternative: bool = False  # an alternative definition (the write-in composer's)
    added: bool = False  # ... that the trainer added to the poll as a choice
    opens_replies: bool = False  # the next node is this one's first reply
    closers: range = range(0)  # ancestors' articles that end after this node

    def __getitem__(self, name: str):
        # Django's templates look a name up as a key first and as an attribute only after
        # that fails; answering the first try spares an exception per lookup, which is
        # most of the time a thousand-comment thread takes to render.
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass
class ThreadPage:
    nodes: list[ThreadNode]
    number: int
    num_pages: int
    shown: int  # approved comments in the whole thread
    page_of: dict[int, int] = field(default_factory=dict)


def _date_formatter() -> Callable:
    """|date:"Y-m-d\\TH:i:sO" and |date:"j F Y, H:i" in the current time zone, spelled out:
    Django's general formatter was most of the time of a 1,000-comment thread."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    months = {number: str(name) for number, name in MONTHS.items()}

    def dates(created) -> tuple[str, str]:
        local = created.astimezone(zone) if zone and timezone.is_aware(created) else created
        shown = f"{local.day} {months[local.month]} {local.year:04d}, {local:%H:%M}"
        return local.strftime("%Y-%m-%dT%H:%M:%S%z"), shown

    return dates


def _url_maker(name: str) -> Callable[[int], str]:
    """The URL of `name` for any comment pk, from one reverse()."""
    marker = 987654321987
    before, _, after = reverse(name, kwargs={"pk": marker}).partition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _shown_ids(rows: list[Comment], own: Collection[int]) -> set[int]:
    # Rows are in path order, so every reply comes after its parent: walking backwards,
    # a comment is shown if approved (or the reader's own) or if any reply under it is.
    shown: set[int] = set()
    for row in reversed(rows):
        if row.status == Comment.Status.APPROVED or (
            row.pk in own and row.status == Comment.Status.PENDING
        ):
            shown.add(row.pk)
        if row.pk in shown and row.parent_id is not None:
            shown.add(row.parent_id)
    return shown


def _subtrees(rows: list[Comment], shown: set[int]) -> list[list[Comment]]:
    groups: list[list[Comment]] = []
    for row in rows:
        if row.pk not in shown:
            continue
        if row.depth == 0 or not groups:
            groups.append([])
        groups[-1].append(row)
    return groups


class _NodeMaker:
    def __init__(self, poll: Poll, own: Collection[int], added: Collection[int] = ()) -> None:
        self.poll = poll
        self.own = own
        self.added = added
        self.dates = _date_formatter()
        self.permalink = _url_maker("comments:permalink")
        self.reply = _url_maker("comments:reply_form")
        self.report = _url_maker("comments:report")
        self.max_depth = max(1, settings.COMMENTS_MAX_DEPTH)

    def __call__(self, row: Comment, number: int | None) -> ThreadNode:
        awaiting = row.status == Comment.Status.PENDING and row.pk in self.own
        if row.status != Comment.Status.APPROVED and not awaiting:
            text = (
                "This comment is hidden while a moderator reviews it."
                if row.status == Comment.Status.PENDING
                else "This comment was removed."
            )
            return ThreadNode(
                pk=row.pk, depth=row.depth, tombstone=True, tombstone_text=text, number=number
            )
        iso, when = self.dates(row.created_at)
        shows_post = row.latest_post_shown
        return ThreadNode(
            pk=row.pk,
            depth=row.depth,
            tombstone=False,
            number=number,
            name=row.name,
            website=row.website,
            by_author=row.user_id is not None and row.user_id == self.poll.author_id,
            stance=row.stance.text if row.stance_id is not None else "",
            awaiting=awaiting,
            iso=iso,
            when=when,
            body=row.body_safe,
            permalink=self.permalink(row.pk),
            reply_url=self.reply(row.pk),
            report_url=self.report(row.pk),
            latest_post_title=row.latest_post_title if shows_post else "",
            latest_post_url=row.latest_post_url if shows_post else "",
            can_have_replies=row.depth + 1 < self.max_depth,
            alternative=row.is_alternative,
            added=row.pk in self.added,
        )


def thread_page(
    *,
    poll: Poll,
    page: int | None = None,
    comment_id: int | None = None,
    own: Collection[int] = (),
    stance: int | None = None,
) -> ThreadPage:
    """The page `page` of the poll's thread (or the page holding `comment_id`); `own` are
    the reader's own comments, shown to them while they await moderation. With `stance`
    (a choice's id): only the approved comments supporting that choice, as a flat list."""
    rows = list(Comment.objects.thread_rows(poll))
    if stance is not None:
        rows = [row for row in rows if row.stance_id == stance and row.is_approved]
        for row in rows:
            row.depth = 0  # shown side by side, out of their places in the tree
    shown = _shown_ids(rows, own)
    groups = _subtrees(rows, shown)
    per_page = max(1, settings.COMMENTS_PER_PAGE)
    num_pages = max(1, -(-len(groups) // per_page))
    page_of = {row.pk: index // per_page + 1 for index, group in enumerate(groups) for row in group}
    if comment_id is not None and comment_id in page_of:
        number = page_of[comment_id]
    else:
        number = min(max(1, page or 1), num_pages)
    first = (number - 1) * per_page
    make = _NodeMaker(poll, own, _promoted_ids(poll, rows))
    numbered = stance is None  # a filtered list would show other numbers than the thread
    nodes = [
        make(row, first + offset + 1 if row.depth == 0 and numbered else None)
        for offset, group in enumerate(groups[first : first + per_page])
        for row in group
    ]
    for index, node in enumerate(nodes):
        next_depth = nodes[index + 1].depth if index + 1 < len(nodes) else 0
        node.opens_replies = next_depth > node.depth
        node.closers = range(max(0, node.depth - next_depth))
    return ThreadPage(
        nodes=nodes,
        number=number,
        num_pages=num_pages,
        shown=sum(1 for row in rows if row.status == Comment.Status.APPROVED),
        page_of=page_of,
    )


def _promoted_ids(poll: Poll, rows: list[Comment]) -> set[int]:
    """Alternative definitions of this thread that are now choices (a query only when the
    thread has alternatives)."""
    if not any(row.is_alternative for row in rows):
        return set()
    promotions = Promotion.objects.filter(poll=poll, undone_at__isnull=True)
    return set(promotions.values_list("comment_id", flat=True))


def page_of_comment(*, comment: Comment, own: Collection[int] = ()) -> int | None:
    """The thread page a comment is shown on, or None when it is not shown."""
    page = thread_page(poll=comment.poll, comment_id=comment.pk, own=own)
    return page.page_of.get(comment.pk)
