import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import moderation, notifications, posting
from comments.discussion import (
    comment_form,
    discussion_context,
    own_pending_ids,
    remember_own_comment,
)
from comments.forms import CommentForm
from comments.models import Comment, CommentReport
from comments.remember import commenter_remember
from comments.thread import page_of_comment
from core.ratelimit import client_ip, ratelimit_hit
from polls.models import Poll
from polls.voters import voter_for_request

AWAITING = "Your comment is awaiting moderation. It will appear once a moderator approves it."
POSTED = "Your comment has been posted."


def _shown_comment(pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("poll", "poll__author"), pk=pk, poll__status="published"
    )
    if comment.status != Comment.Status.APPROVED:
        raise Http404("No comment here.")
    return comment


def _comment_url(poll: Poll, comment: Comment, *, page: int | None) -> str:
    query = f"?cpage={page}" if page and page > 1 else ""
    return f"{poll.get_absolute_url()}{query}#comment-{comment.pk}"


def _form_page(
    request: HttpRequest, poll: Poll, form: CommentForm, *, reply_to: Comment | None, status: int
) -> HttpResponse:
    """The form again, with the person's text and what to fix (without JS: a page; with
    htmx: the form in place, wherever it is on the page)."""
    form.renew_expired_token()
    form.focus()
    context = {
        "poll": poll,
        "form": form,
        "reply_target": _target(reply_to),
        "reply_comment": reply_to,
    }
    if request.htmx:
        response = render(request, "comments/_form.html", context, status=status)
        response["HX-Retarget"] = "#reply-form" if form.is_reply else "#comment-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "comments/comment_form_page.html", context, status=status)


def _target(comment: Comment | None) -> dict | None:
    if comment is None:
        return None
    return {"pk": comment.pk, "name": comment.name, "permalink": comment.get_absolute_url()}


@require_POST
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a comment or a reply; the form comes back with the person's text on any error."""
    poll = get_object_or_404(Poll.objects.published().select_related("author"), slug=slug)
    is_reply = bool(request.POST.get("reply_to"))
    form = CommentForm(
        request.POST,
        poll=poll,
        voter=voter_for_request(request),
        user=request.user,
        auto_id="id_reply_%s" if is_reply else "id_%s",
    )
    limit = ratelimit_hit(
        scope="comment",
        key=client_ip(request),
        limit=settings.COMMENTS_RATE_LIMIT,
        window=settings.COMMENTS_RATE_WINDOW,
    )
    if not limit.allowed:
        return _rate_limited(request, poll, form, limit.retry_after)
    if form.is_bot:  # the honeypot: answer as if held, keep nothing
        messages.info(request, AWAITING)
        return redirect(f"{poll.get_absolute_url()}#discussion")
    if form.is_valid():
        try:
            comment = _post(request, poll, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_post(request, poll, comment, form)
    reply_to = form.cleaned_data.get("reply_to") if hasattr(form, "cleaned_data") else None
    if not isinstance(reply_to, Comment):
        reply_to = None
    # htmx swaps 2xx answers in place; without JavaScript the page says 400.
    return _form_page(request, poll, form, reply_to=reply_to, status=200 if request.htmx else 400)


def _rate_limited(
    request: HttpRequest, poll: Poll, form: CommentForm, retry_after: int
) -> HttpResponse:
    form.is_valid()
    form.add_error(
        None,
        f"Too many comments came from your network just now. Please wait {retry_after} "
        "seconds and send it again.",
    )
    response = _form_page(request, poll, form, reply_to=None, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _post(request: HttpRequest, poll: Poll, form: CommentForm) -> Comment:
    data = form.cleaned_data
    return posting.comment_post(
        poll=poll,
        author=posting.Author.of(request, data),
        body=data["body"],
        reply_to=data.get("reply_to"),
        notify=data.get("notify", False),
        form_nonce=data.get("form_nonce"),
        stance=data.get("stance"),
        show_latest_post=data.get("show_latest_post", False),
    )


def _after_post(
    request: HttpRequest, poll: Poll, comment: Comment, form: CommentForm
) -> HttpResponse:
    """Show people their comment where they land: approved, or held and marked so."""
    held = comment.status == Comment.Status.PENDING
    own = {comment.pk} if held else set()
    page = page_of_comment(comment=comment, own=own)
    anonymous = "remember" in form.fields
    remember = anonymous and form.cleaned_data.get("remember", False)
    details = {name: form.cleaned_data.get(name, "") for name in ("name", "email", "website")}
    if request.htmx:
        context = discussion_context(
            request,
            poll,
            page=page,
            just_posted=comment.pk,
            also_own=own,
            commenter=details if remember else ({} if anonymous else None),
        )
        response = HttpResponse(
            render_to_string("comments/_discussion.html", context, request=request)
        )
    else:
        if held:
            messages.info(request, AWAITING)
        else:
            messages.success(request, POSTED)
        response = redirect(_comment_url(poll, comment, page=page))
    if held:
        remember_own_comment(request, response, comment)
    if anonymous:
        commenter_remember(request, response, details=details, remember=remember)
    return response


@require_GET
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's stable address: the poll page it is on, scrolled to it."""
    comment = get_object_or_404(
        Comment.objects.select_related("poll"), pk=pk, poll__status="published"
    )
    page = page_of_comment(comment=comment, own=own_pending_ids(request, comment.poll))
    if page is None:
        raise Http404("No comment here.")
    return redirect(_comment_url(comment.poll, comment, page=page))


@require_GET
def comment_reply_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form for one comment: in place with htmx, else a page of its own."""
    comment = _shown_comment(pk)
    form = comment_form(
        request,
        comment.poll,
        initial={"reply_to": comment.pk},
        auto_id="id_reply_%s",
        shown_since=request.GET.get("served", ""),  # the page's form, sent by htmx
    )
    form.focus()
    context = {
        "poll": comment.poll,
        "form": form,
        "reply_target": _target(comment),
        "reply_comment": comment,
    }
    if request.htmx:
        return render(request, "comments/_form.html", context)
    return render(request, "comments/comment_form_page.html", context)


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask a reader to confirm, then record the report (one per reader per comment)."""
    comment = _shown_comment(pk)
    back = reverse("comments:permalink", kwargs={"pk": comment.pk})
    limit_chars = CommentReport._meta.get_field("reason").max_length
    context = {"comment": comment, "back": back, "reason_max": limit_chars}
    if request.method == "GET":
        return render(request, "comments/report.html", context)
    reason = request.POST.get("reason", "").strip()
    length = len(reason.replace("\r\n", "\n"))
    if length > limit_chars:  # said with the numbers and kept, never cut (as comments)
        context["reason"] = reason
        context["reason_error"] = (
            f"Your reason is {length:,} characters long; it can be at most {limit_chars:,}. "
            f"Please shorten it by {length - limit_chars:,} characters."
        )
        return render(request, "comments/report.html", context, status=400)
    limit = ratelimit_hit(
        scope="comment-report",
        key=client_ip(request),
        limit=settings.COMMENTS_RATE_LIMIT,
        window=settings.COMMENTS_RATE_WINDOW,
    )
    if not limit.allowed:
        response = render(request, "429.html", {"retry_after": limit.retry_after}, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response
    reporter = moderation.reporter_for(
        voter=voter_for_request(request), ip_address=client_ip(request)
    )
    with contextlib.suppress(ValidationError):  # just hidden: nothing left to report
        moderation.comment_report(comment=comment, reporter=reporter, reason=reason)
    messages.success(request, "Thank you. A moderator will take a look at this comment.")
    return redirect(f"{comment.poll.get_absolute_url()}#discussion")


@require_POST
@login_required
def comment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """The poll's trainer (or a moderator) puts back a comment that readers' reports held."""
    comment = get_object_or_404(Comment.objects.select_related("poll", "user"), pk=pk)
    try:
        moderation.comment_restore(comment=comment, actor=request.user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
        return redirect(f"{comment.poll.get_absolute_url()}#discussion")
    messages.success(request, "The comment is published again.")
    return redirect(comment.get_absolute_url())


@csrf_exempt  # the signed token is the authority; mail clients' one-click POST has no cookie
@require_http_methods(["GET", "HEAD", "POST"])
def comment_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a reply email: GET asks (mail scanners open links), POST stops the emails.

    A mail client's one-click unsubscribe (RFC 8058) is a POST to the same address."""
    comment = notifications.unsubscribe_comment(token)
    if comment is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method != "POST":
        return render(request, "comments/unsubscribe_confirm.html", {"poll": comment.poll})
    moderation.comment_unsubscribe(comment=comment)
    return render(request, "comments/unsubscribed.html", {"poll": comment.poll})
