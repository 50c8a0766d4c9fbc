"""Posting a comment: the moderation policy, the place in the tree, and the insert.

Views, commands and the demo loader all come through here, so the policy, the moderation
log, the tree rules and the notifications hold everywhere.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from comments import tasks
from comments.alternatives import DEFINITION_MAX_LENGTH
from comments.models import PATH_MAX_POSITION, PATH_STEP, Comment, ModerationEvent, path_segment
from core import versions
from core.dbretry import retried_when_locked
from core.models import website_of
from core.ratelimit import client_ip
from core.text import single_line
from polls.models import Choice, Poll
from polls.voters import voter_for_request

_LINK = re.compile(r"<a\s", re.I)


@dataclass(frozen=True)
class PolicyVerdict:
    status: str
    reasons: list[str] = field(default_factory=list)


def _word_hits(words: list[str], text: str) -> list[str]:
    hits = []
    for word in words:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I):
            hits.append(word)
    return hits


def comment_policy_check(
    *,
    poll: Poll,
    user,
    name: str,
    email: str,
    website: str,
    body_html: str,
    body: str,
    author_key: str = "",
) -> PolicyVerdict:
    """What the moderation policy says about a new comment: approved, pending or spam.

    Trust rests on what an impostor does not have: an account, or the browser (its signed,
    HttpOnly voter cookie, ``author_key``) that posted a comment a moderator approved. What
    people type (an email address, a name) never earns it, so the answer says nothing about
    whether an address has commented before.
    """
    text = "\n".join([name, email, website, body])
    disallowed = _word_hits(settings.COMMENTS_DISALLOWED_WORDS, text)
    if disallowed:
        return PolicyVerdict(
            Comment.Status.SPAM, [f"Contains a disallowed word: {', '.join(disallowed)}"]
        )
    trusted = user is not None and (user.is_staff or user.pk == poll.author_id)
    if trusted:
        return PolicyVerdict(Comment.Status.APPROVED)
    reasons = []
    hold_first = user is None and settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS
    if hold_first and not returning_commenter(author_key):
        reasons.append("First comment from this browser")
    if user is None and name_taken_by_site_people(poll=poll, name=name):
        reasons.append("The name of the poll's author or a moderator")
    links = len(_LINK.findall(body_html))
    if links > settings.COMMENTS_MAX_LINKS:
        reasons.append(f"{links} links (more than {settings.COMMENTS_MAX_LINKS})")
    moderation = _word_hits(settings.COMMENTS_MODERATION_WORDS, text)
    if moderation:
        reasons.append(f"Contains a moderation word: {', '.join(moderation)}")
    if reasons:
        return PolicyVerdict(Comment.Status.PENDING, reasons)
    return PolicyVerdict(Comment.Status.APPROVED)


def returning_commenter(author_key: str) -> bool:
    """Has this browser (its voter key) had a comment approved before?"""
    return bool(author_key) and Comment.objects.filter(author_key=author_key).visible().exists()


def _folded(text: str) -> str:
    """A name as compared: compatibility forms, case, spaces and punctuation set aside
    ("Morgan  REYES.", full-width letters and "morgan-reyes" are one name)."""
    return "".join(
        char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum()
    )


def name_taken_by_site_people(*, poll: Poll, name: str) -> bool:
    """Does an anonymous name claim to be the poll's author or a staff member? Their
    username or full name, or a name that contains their full name ("Morgan Reyes (author)")."""
    folded = _folded(name)
    if not folded:
        return False
    people = get_user_model().objects.filter(Q(pk=poll.author_id) | Q(is_staff=True))
    for username, first, last in people.values_list("username", "first_name", "last_name"):
        full = _folded(f"{first}{last}")
        if folded == _folded(username) or (full and (folded == full or full in folded)):
            return True
    return False


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _next_path(*, poll: Poll, parent: Comment | None) -> str:
    siblings = Comment.objects.filter(poll=poll, parent=parent)
    last = siblings.aggregate(last=Max("path"))["last"]
    position = int(last[-PATH_STEP:]) + 1 if last else 1
    if position > PATH_MAX_POSITION:
        raise ValidationError("This thread cannot take more replies.", code="thread_full")
    return (parent.path if parent else "") + path_segment(position)


def comment_insert(*, comment: Comment, reasons: list[str] | None = None) -> Comment:
    """Place a new comment in the tree (no policy, no email): the sibling position is taken
    under a lock on the parent (or the poll), and the unique path is the final guard."""
    poll, parent = comment.poll, comment.parent
    for attempt in range(5):
        try:
            with transaction.atomic():
                if parent is not None:
                    parent = Comment.objects.select_for_update().get(pk=parent.pk)
                else:
                    Poll.objects.select_for_update(no_key=True).filter(pk=poll.pk).first()
                comment.parent = parent
                comment.in_reply_to = comment.in_reply_to or parent
                comment.path = _next_path(poll=poll, parent=parent)
                comment.depth = len(comment.path) // PATH_STEP - 1
                comment.held_reasons = reasons or []
                if comment.status == Comment.Status.APPROVED:
                    comment.approved_at = timezone.now()
                comment.save()
                ModerationEvent.objects.create(
                    comment=comment, to_status=comment.status, note="; ".join(reasons or [])[:300]
                )
                versions.content_changed(poll_id=poll.pk)
        except IntegrityError:
            if (
                comment.form_nonce
                and Comment.objects.filter(form_nonce=comment.form_nonce).exists()
            ):
                raise
            comment.pk = None
            if attempt == 4:
                raise
            continue
        return comment
    raise AssertionError("unreachable")  # pragma: no cover


def comment_place(
    *,
    poll: Poll,
    name: str,
    body: str,
    status: str,
    parent: Comment | None = None,
    reasons: list[str] | None = None,
    **fields,
) -> Comment:
    """A comment put straight into the tree with the given status (the demo, imports)."""
    return comment_insert(
        comment=Comment(poll=poll, parent=parent, name=name, body=body, status=status, **fields),
        reasons=reasons,
    )


def comment_reply_parent(*, target: Comment) -> Comment:
    """Where a reply to `target` goes: under it, or beside it at the deepest level."""
    if target.depth + 1 >= settings.COMMENTS_MAX_DEPTH:
        return target.parent if target.parent_id else target
    return target


@dataclass(frozen=True)
class Author:
    """Who posts: an account, or a reader with the details they typed."""

    key: str = ""  # the voter key: "user:<id>" or "anon:<cookie id>"
    user: object | None = None
    name: str = ""
    email: str = ""
    website: str = ""
    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request, details: dict) -> "Author":
        """The author of a form posted in this request: the browser's voter identity (or
        account), what they typed, where they posted from."""
        return cls(
            key=voter_for_request(request).key,
            user=request.user,
            name=details.get("name", ""),
            email=details.get("email", ""),
            website=details.get("website", ""),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )


def _checked_text(author: Author, body: str) -> tuple[str, str, str]:
    if author.user is not None:
        name = author.user.get_full_name() or author.user.get_username()
        email = author.user.email or ""
    else:
        name, email = author.name, author.email
    name, body = (name or "").strip(), (body or "").strip()
    if not name:
        raise ValidationError("Please give your name.", code="name_required")
    single_line(name)
    return name, email, comment_body_check(body=body)


def comment_body_check(*, body: str, limit: int | None = None, what: str = "comment") -> str:
    """A comment's text as stored (stripped), if it is not empty and not too long (``limit``:
    COMMENTS_MAX_LENGTH unless told; ``what`` names it in the messages).

    Too long is said with the numbers, never cut: the form keeps the text so the person can
    shorten it (and the page's counter, static/js/comment-counter.js, warns before)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(f"Please write a {what}.", code="body_required")
    # A line break counts once, as the page's counter counts it (browsers send it as CRLF).
    limit = limit or settings.COMMENTS_MAX_LENGTH
    length = len(body.replace("\r\n", "\n"))
    if length > limit:
        raise ValidationError(
            f"Your {what} is {length:,} characters long; a {what} can be at most "
            f"{limit:,} characters. Please shorten it by {length - limit:,} characters.",
            code="too_long",
        )
    return body


@retried_when_locked
def comment_post(
    *,
    poll: Poll,
    author: Author,
    body: str,
    reply_to: Comment | None = None,
    notify: bool = False,
    form_nonce: str | None = None,
    stance: Choice | None = None,
    show_latest_post: bool = False,
    alternative: bool = False,
) -> Comment:
    """Post a comment (or a reply) under the policy; notify people once it is approved.

    ``stance``: the poll's choice the comment supports, if the commenter named one.

    ``alternative``: an alternative definition from the write-in composer (top level, as
    long as a choice may be: comments/alternatives.py), moderated like any comment.

    A form is accepted once (``form_nonce``): posting it again returns the comment it made,
    for its own author, instead of a second copy.
    """
    if not poll.is_published:
        raise ValidationError("Comments open when the poll is published.", code="not_published")
    if form_nonce:
        earlier = Comment.objects.filter(form_nonce=form_nonce).first()
        if earlier is not None:
            return _already_posted(earlier, author, (body or "").strip())
    comment = _new_comment(poll=poll, author=author, body=body, reply_to=reply_to)
    if stance is not None and stance.poll_id != poll.pk:
        raise ValidationError("That is not one of this poll's choices.", code="bad_stance")
    comment.stance = stance
    if alternative:
        _check_alternative(comment)
    comment.notify = notify and bool(comment.email)
    comment.show_latest_post = show_latest_post and bool(comment.website)
    comment.form_nonce = form_nonce or None
    verdict = _policy_verdict(poll, comment)
    comment.status = verdict.status
    try:
        comment_insert(comment=comment, reasons=verdict.reasons)
    except IntegrityError:
        earlier = Comment.objects.filter(form_nonce=form_nonce).first() if form_nonce else None
        if earlier is None:
            raise
        return _already_posted(earlier, author, comment.body)
    _tell_on_commit(comment)
    return comment


def _policy_verdict(poll: Poll, comment: Comment):
    """What the moderation policy says of this comment (its HTML rendered once: the insert
    keeps it)."""
    return comment_policy_check(
        poll=poll,
        user=comment.user,
        name=comment.name,
        email=comment.email,
        website=comment.website,
        body=comment.body,
        body_html=comment.render_body(),
        author_key=comment.author_key,
    )


def _tell_on_commit(comment: Comment) -> None:
    """Once the comment is stored: a published one is announced (and its author's latest
    post looked up); a held one is announced to the poll's trainer, if they asked."""
    if comment.status == Comment.Status.APPROVED:
        tasks.notify_on_commit(comment)
        tasks.latest_post_on_commit(comment)
    elif comment.status == Comment.Status.PENDING:
        tasks.review_on_commit(comment)


def _check_alternative(comment: Comment) -> None:
    if comment.parent_id is not None or comment.in_reply_to_id is not None:
        raise ValidationError("A definition is not a reply.", code="bad_parent")
    comment_body_check(body=comment.body, limit=DEFINITION_MAX_LENGTH, what="definition")
    comment.is_alternative = True


def _new_comment(*, poll: Poll, author: Author, body: str, reply_to: Comment | None) -> Comment:
    """The comment as posted, checked, not yet placed: its author, its text, its parent."""
    user = author.user if author.user is not None and author.user.is_authenticated else None
    name, email, body = _checked_text(Author(user=user, name=author.name, email=author.email), body)
    parent = None
    if reply_to is not None:
        if reply_to.poll_id != poll.pk or reply_to.status != Comment.Status.APPROVED:
            raise ValidationError("That comment cannot be replied to.", code="bad_parent")
        parent = comment_reply_parent(target=reply_to)
    return Comment(
        poll=poll,
        parent=parent,
        in_reply_to=reply_to,
        author_key=author.key[:64],
        name=name,
        email=email,
        website=author.website if user is None else website_of(user),
        body=body,
        user=user,
        ip_address=_valid_ip(author.ip_address),
        user_agent=author.user_agent[:300],
    )


def _already_posted(earlier: Comment, author: Author, body: str) -> Comment:
    """The same form sent again: the same words from the same person are a retry (the
    comment it made); anything else needs a new form, so one form makes one comment."""
    if author.key and earlier.author_key == author.key and earlier.body == body:
        return earlier
    raise ValidationError(
        "This form was used for a comment already. Your text is still here: please check "
        "it and post it again.",
        code="form_used",
    )
