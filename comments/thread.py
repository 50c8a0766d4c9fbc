"""A poll's thread as readers see it: one query, then pages of whole subtrees.

A comment is shown in full when approved. One that is not approved (removed, spam, or
pending again after reports) but has a shown reply below it is shown as a tombstone, with
no author or text, so the replies keep their place. Anything else is not shown.
"""

from dataclasses import dataclass, field

from django.conf import settings

from comments.models import Comment
from polls.models import Poll


@dataclass
class ThreadNode:
    comment: Comment
    tombstone: bool
    number: int | None = None  # top-level comments are numbered, as in the seed
    opens_replies: bool = False  # the next node is this one's first reply
    closes: int = 0  # how many ancestors' articles end after this node
    can_have_replies: bool = True

    @property
    def closers(self) -> range:
        return range(self.closes)

    @property
    def tombstone_text(self) -> str:
        if self.comment.status == Comment.Status.PENDING:
            return "This comment is hidden while a moderator reviews it."
        return "This comment was removed."


@dataclass
class ThreadPage:
    nodes: list[ThreadNode]
    number: int
    num_pages: int
    shown: int  # approved comments in the whole thread
    pending: int  # awaiting a moderator, whole thread
    page_of: dict[int, int] = field(default_factory=dict)


def _shown_ids(rows: list[Comment]) -> set[int]:
    # Rows are in path order, so every reply comes after its parent: walking backwards,
    # a comment is shown if approved or if any reply under it is shown.
    shown: set[int] = set()
    for row in reversed(rows):
        if row.status == Comment.Status.APPROVED:
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


def thread_page(
    *, poll: Poll, page: int | None = None, comment_id: int | None = None
) -> ThreadPage:
    """The page `page` of the poll's thread (or the page holding `comment_id`)."""
    rows = list(Comment.objects.thread_rows(poll))
    shown = _shown_ids(rows)
    groups = _subtrees(rows, shown)
    per_page = max(1, settings.COMMENTS_PER_PAGE)
    num_pages = max(1, -(-len(groups) // per_page))
    page_of = {}
    for index, group in enumerate(groups):
        for row in group:
            page_of[row.pk] = index // per_page + 1
    if comment_id is not None and comment_id in page_of:
        number = page_of[comment_id]
    else:
        number = min(max(1, page or 1), num_pages)
    first = (number - 1) * per_page
    nodes: list[ThreadNode] = []
    max_depth = max(1, settings.COMMENTS_MAX_DEPTH)
    for offset, group in enumerate(groups[first : first + per_page]):
        for row in group:
            row.poll = poll  # every row belongs to this poll: no query for the author badge
            nodes.append(
                ThreadNode(
                    comment=row,
                    tombstone=row.status != Comment.Status.APPROVED,
                    number=first + offset + 1 if row.depth == 0 else None,
                    can_have_replies=row.depth + 1 < max_depth,
                )
            )
    for index, node in enumerate(nodes):
        depth = node.comment.depth
        next_depth = nodes[index + 1].comment.depth if index + 1 < len(nodes) else 0
        node.opens_replies = next_depth > depth
        node.closes = max(0, depth - next_depth)
    pending = sum(1 for row in rows if row.status == Comment.Status.PENDING)
    return ThreadPage(
        nodes=nodes,
        number=number,
        num_pages=num_pages,
        shown=sum(1 for row in rows if row.status == Comment.Status.APPROVED),
        pending=pending,
        page_of=page_of,
    )


def page_of_comment(*, comment: Comment) -> int | None:
    """The thread page a comment is shown on, or None when it is not shown."""
    page = thread_page(poll=comment.poll, comment_id=comment.pk)
    return page.page_of.get(comment.pk)
