import contextlib

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import services
from comments.discussion import discussion_html, reply_form_html
from comments.forms import CommentForm
from comments.models import Comment
from comments.thread import page_of_comment
from polls.models import Poll
from polls.voters import remember_voter, voter_for_request
from socialpoll.ratelimit import client_ip, ratelimit_hit

AWAITING = "Your comment is awaiting moderation. It will appear once a moderator approves it."
POSTED = "Your comment has been posted."
_UNSUBSCRIBE_SALT = "comments.unsubscribe"


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _shown_comment(pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("poll", "poll__author"), pk=pk, poll__status="published"
    )
    if comment.status != Comment.Status.APPROVED:
        raise Http404("No comment here.")
    return comment


def _poll_page_url(poll: Poll, *, page: int | None, anchor: str) -> str:
    query = f"?cpage={page}" if page and page > 1 else ""
    return f"{poll.get_absolute_url()}{query}#{anchor}"


@require_POST
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a comment or a reply; the form comes back with the person's text on any error."""
    poll = get_object_or_404(Poll.objects.published().select_related("author"), slug=slug)
    limit = ratelimit_hit(
        scope="comment",
        key=client_ip(request),
        limit=settings.COMMENTS_RATE_LIMIT,
        window=settings.COMMENTS_RATE_WINDOW,
    )
    is_reply = bool(request.POST.get("reply_to"))
    form = CommentForm(
        request.POST,
        poll=poll,
        user=request.user,
        auto_id="id_reply_%s" if is_reply else "id_%s",
    )
    if not limit.allowed:
        if not request.htmx:
            return _too_many(request, limit.retry_after)
        # In place, with the person's text kept and the reason shown (see socialpoll.js).
        form.add_error(
            None,
            f"Too many comments came from your network just now. Please wait "
            f"{limit.retry_after} seconds and send it again.",
        )
        form.renew_expired_token()
        form.focus()
        response = HttpResponse(discussion_html(request, poll, bound_form=form), status=429)
        response["Retry-After"] = str(limit.retry_after)
        response["HX-Reswap"] = "outerHTML"
        return response
    if form.is_bot:  # the honeypot: answer as if held, keep nothing
        return _after_post(request, poll, comment=None, form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_post(
                poll=poll,
                user=request.user,
                name=data.get("name", ""),
                email=data.get("email", ""),
                website=data.get("website", ""),
                body=data["body"],
                reply_to=data.get("reply_to"),
                notify=data.get("notify", False),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_post(request, poll, comment=comment, form=form)

    form.renew_expired_token()
    form.focus()
    page = None
    target = form.cleaned_data.get("reply_to") if hasattr(form, "cleaned_data") else None
    if isinstance(target, Comment):
        page = page_of_comment(comment=target)
    if request.htmx:
        return HttpResponse(discussion_html(request, poll, bound_form=form, page=page))
    # Without JavaScript: the thread and the form, with the person's text and the errors.
    request.comments_bound_form = form
    if page:
        request.GET = request.GET.copy()
        request.GET["cpage"] = str(page)
    return render(request, "comments/comment_error_page.html", {"poll": poll}, status=400)


def _after_post(
    request: HttpRequest, poll: Poll, *, comment: Comment | None, form: CommentForm
) -> HttpResponse:
    approved = comment is not None and comment.status == Comment.Status.APPROVED
    text = POSTED if approved else AWAITING
    reply_target = form.cleaned_data.get("reply_to") if hasattr(form, "cleaned_data") else None
    if request.htmx:
        page = page_of_comment(comment=comment) if approved else None
        if page is None and isinstance(reply_target, Comment):
            page = page_of_comment(comment=reply_target)
        notice_for = reply_target.pk if isinstance(reply_target, Comment) else None
        return HttpResponse(
            discussion_html(
                request,
                poll,
                notice=text,
                notice_level="success" if approved else "info",
                notice_for=notice_for,
                page=page,
            )
        )
    if approved:
        messages.success(request, text)
        return redirect(
            _poll_page_url(
                poll, page=page_of_comment(comment=comment), anchor=f"comment-{comment.pk}"
            )
        )
    messages.info(request, text)
    if isinstance(reply_target, Comment):
        page = page_of_comment(comment=reply_target)
        return redirect(_poll_page_url(poll, page=page, anchor=f"comment-{reply_target.pk}"))
    return redirect(_poll_page_url(poll, page=None, anchor="discussion"))


@require_GET
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's stable address: the poll page it is on, scrolled to it."""
    comment = get_object_or_404(
        Comment.objects.select_related("poll"), pk=pk, poll__status="published"
    )
    page = page_of_comment(comment=comment)
    if page is None:
        raise Http404("No comment here.")
    return redirect(_poll_page_url(comment.poll, page=page, anchor=f"comment-{comment.pk}"))


@require_GET
def comment_reply_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form for one comment (htmx puts it under the comment in place)."""
    comment = _shown_comment(pk)
    page = page_of_comment(comment=comment) or 1
    if not request.htmx:
        query = f"?cpage={page}&reply_to={pk}" if page > 1 else f"?reply_to={pk}"
        return redirect(f"{comment.poll.get_absolute_url()}{query}#reply-form")
    return HttpResponse(reply_form_html(request, comment, page=page))


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask a reader to confirm, then record the report (one per reader per comment)."""
    comment = _shown_comment(pk)
    back = reverse("comments:permalink", kwargs={"pk": comment.pk})
    if request.method == "GET":
        return render(request, "comments/report.html", {"comment": comment, "back": back})
    limit = ratelimit_hit(
        scope="comment-report",
        key=client_ip(request),
        limit=settings.COMMENTS_RATE_LIMIT,
        window=settings.COMMENTS_RATE_WINDOW,
    )
    if not limit.allowed:
        return _too_many(request, limit.retry_after)
    voter = voter_for_request(request)
    with contextlib.suppress(ValidationError):  # just hidden: nothing left to report
        services.comment_report(
            comment=comment, reporter_key=voter.key, reason=request.POST.get("reason", "")
        )
    messages.success(request, "Thank you. A moderator will take a look at this comment.")
    response = redirect(_poll_page_url(comment.poll, page=None, anchor="discussion"))
    return remember_voter(response, voter)


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(comment: Comment) -> str:
    return reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)})


@csrf_exempt  # the signed token is the authority; mail clients' one-click POST has no cookie
@require_http_methods(["GET", "POST"])
def comment_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from a reply email: no more reply emails to this address."""
    try:
        pk = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("This unsubscribe link is not valid.") from None
    comment = Comment.objects.filter(pk=pk).select_related("poll").first()
    if comment is None:
        raise Http404("This unsubscribe link is not valid.")
    services.comment_unsubscribe(comment=comment)
    return render(request, "comments/unsubscribed.html", {"poll": comment.poll})
