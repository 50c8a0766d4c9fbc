"""The discussion block under a poll, as one reader sees it.

The thread itself is the same for every reader and is cached by the template
(comments/_discussion.html) under the poll's version; what is the reader's own stays out of
that copy: the comment form, and their own comments awaiting moderation, which they see in
place (a signed cookie lists them; such a reader gets the thread rendered for them).
"""

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from comments import alternatives, moderation
from comments.forms import CommentForm
from comments.models import Comment
from comments.remember import remembered_commenter
from comments.thread import thread_page
from core import versions
from core.cache import cache
from core.versions import PollVersion
from polls.models import Choice, Poll
from polls.voters import voter_for_request

OWN_COOKIE = "socialpoll_own_comments"
# Set once a reader has answered an alternative definition: their page shows their answers.
ANSWERED_COOKIE = "socialpoll_answered"
_OWN_SALT = "comments.own"
_OWN_KEEP = 20  # the most recent comments a browser remembers as its own
_OWN_MAX_AGE = 60 * 60 * 24 * 30


def _own_cookie_ids(request: HttpRequest) -> list[int]:
    try:
        value = request.get_signed_cookie(OWN_COOKIE, default="", salt=_OWN_SALT)
    except signing.BadSignature:
        return []
    return [int(part) for part in value.split(",") if part.isdigit() and len(part) < 19]


def remember_own_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    """Let this browser see its comment while it awaits moderation."""
    ids = [pk for pk in _own_cookie_ids(request) if pk != comment.pk][-(_OWN_KEEP - 1) :]
    response.set_signed_cookie(
        OWN_COOKIE,
        ",".join(map(str, [*ids, comment.pk])),
        salt=_OWN_SALT,
        max_age=_OWN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def own_pending_ids(request: HttpRequest, poll: Poll) -> set[int]:
    """The reader's own comments in this poll that still await moderation (a query only
    for browsers that have posted a held comment)."""
    ids = _own_cookie_ids(request)
    if not ids:
        return set()
    return set(
        Comment.objects.filter(
            pk__in=ids,
            poll=poll,
            status=Comment.Status.PENDING,
            author_key=voter_for_request(request).key,
        ).values_list("pk", flat=True)
    )


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("cpage", "1"))
    except ValueError:
        return 1
    return number if 0 < number < 10**6 else 1


def comment_stance_counts(*, poll: Poll) -> dict[int, int]:
    """Approved comments per choice they support, cached under the discussion's version
    (every post and moderation changes it)."""
    version = versions.read(poll.pk)
    key = f"comments:stances:{poll.pk}:{version.content}"
    counts = cache.get(key)
    if counts is None:
        counts = Comment.objects.stance_counts(poll)
        cache.set(key, counts, settings.COMMENTS_CACHE_TIMEOUT)
    return counts


def stance_filter(request: HttpRequest, poll: Poll) -> Choice | None:
    """The choice named by ``?stance=<id>`` when it is one of this poll's (anything else
    shows the whole thread): one query, only when the parameter is there."""
    raw = request.GET.get("stance", "")
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) < 19):
        return None
    return Choice.objects.filter(poll=poll, pk=int(raw)).only("pk", "text").first()


def _waiting(poll: Poll, *, can_restore: bool) -> dict[str, int]:
    """One query for those who may act on what waits: how much, and whether any of it was
    published before (held after reports) and could be restored from the page."""
    if not can_restore:
        return {"pending": 0, "held": 0}
    return (
        Comment.objects.for_poll(poll)
        .pending()
        .aggregate(pending=Count("pk"), held=Count("pk", filter=Q(approved_at__isnull=False)))
    )


def discussion_context(
    request: HttpRequest,
    poll: Poll,
    *,
    version: PollVersion | None = None,
    page: int | None = None,
    just_posted: int | None = None,
    also_own: set[int] = frozenset(),
    commenter: dict[str, str] | None = None,
    choices: list | None = None,
) -> dict:
    """What comments/_discussion.html needs to show this reader the discussion
    (``also_own``: their comments that their browser does not list yet, just posted;
    ``commenter``: the details to fill in, when the request's cookie is out of date;
    ``choices``: the poll's choices, when the page has read them)."""
    if version is None:
        version = versions.read(poll.pk)
    page = page or _page_number(request)
    stance = stance_filter(request, poll)
    stance_id = stance.pk if stance is not None else None
    own = own_pending_ids(request, poll) | set(also_own)
    user = request.user
    can_moderate = moderation.can_moderate(user)
    can_restore = moderation.may_review(user=user, poll=poll)
    waiting = _waiting(poll, can_restore=can_restore)
    return {
        "poll": poll,
        "version": version,
        "page": page,
        "thread": SimpleLazyObject(
            lambda: thread_page(poll=poll, page=page, own=own, stance=stance_id)
        ),
        "stance": stance,
        "personal": bool(own) or just_posted is not None,
        "just_posted": just_posted,
        "form": comment_form(request, poll, commenter=commenter, choices=choices),
        "can_moderate": can_moderate,
        "pending": waiting["pending"] if can_moderate else 0,
        "held_by_reports": moderation.held_by_reports(poll=poll) if waiting["held"] else [],
        "thread_timeout": settings.COMMENTS_CACHE_TIMEOUT,
        "per_page": settings.COMMENTS_PER_PAGE,
        "max_depth": settings.COMMENTS_MAX_DEPTH,
        "zone": timezone.get_current_timezone_name(),
        **alternatives_context(request, poll, can_promote=poll.is_managed_by(user)),
    }


def alternatives_context(request: HttpRequest, poll: Poll, *, can_promote: bool) -> dict:
    """The "Alternative definitions" list of a write-in poll: counts, sort, this reader's
    answers (two queries at most, however many there are)."""
    if not poll.write_in:
        return {"alternatives": []}
    sort = request.GET.get("alts", "newest")
    sort = sort if sort in alternatives.SORTS else "newest"
    rows = list(alternatives.alternatives_sorted(poll, sort=sort)[: alternatives.SHOWN])
    answers = alternatives.answers_of(
        voter=voter_for_request(request), comment_ids=[row.pk for row in rows]
    )
    for row in rows:
        row.answer = answers.get(row.pk)
    return {
        "alternatives": rows,
        "alt_sort": sort,
        "alt_sorts": alternatives.SORTS,
        "can_promote": can_promote,
    }


def comment_form(
    request: HttpRequest, poll: Poll, *, commenter: dict[str, str] | None = None, **kwargs
) -> CommentForm:
    """An empty comment form for this reader, filled in with the details their browser
    remembers ("Remember me", comments/remember.py)."""
    if commenter is None:
        commenter = remembered_commenter(request)
    initial = {**kwargs.pop("initial", {}), **commenter, "remember": bool(commenter)}
    return CommentForm(
        poll=poll, voter=voter_for_request(request), user=request.user, initial=initial, **kwargs
    )
