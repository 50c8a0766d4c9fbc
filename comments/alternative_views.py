"""The write-in composer, Agree / Disagree, and "Add as a choice": thin views over
comments/alternatives.py and comments/promotion.py. Each works without JavaScript (a POST,
then a redirect or a page) and, with htmx, answers with the block it changed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from comments import alternatives, posting, promotion
from comments.discussion import ANSWERED_COOKIE, remember_own_comment
from comments.forms import DefinitionForm
from comments.models import Comment, Promotion
from core.ratelimit import client_ip, ratelimit_hit
from polls.models import Poll
from polls.voters import voter_for_request

DEFINITION_HELD = (
    "Your definition is awaiting moderation. It will appear once a moderator approves it."
)
DEFINITION_POSTED = "Your definition has been posted."


def composer_context(
    request: HttpRequest,
    poll: Poll,
    *,
    form: DefinitionForm | None = None,
    similar: list[Comment] | None = None,
    note: str = "",
) -> dict:
    """What comments/_definition_form.html shows this reader."""
    voter = voter_for_request(request)
    return {
        "poll": poll,
        "form": form or DefinitionForm(poll=poll, voter=voter, user=request.user),
        "own": None if form is not None else alternatives.own_alternative(poll=poll, voter=voter),
        "similar": similar or [],
        "note": note,
        "vote_waits": alternatives.write_in_vote_waiting(poll=poll, voter=voter),
    }


def _composer(request: HttpRequest, poll: Poll, status: int = 200, **kwargs) -> HttpResponse:
    context = composer_context(request, poll, **kwargs)
    if request.htmx:
        return render(request, "comments/_definition_form.html", context, status=status)
    return render(request, "comments/definition_page.html", context, status=status)


def _limited(request: HttpRequest, scope: str, limit: int, window: int):
    return ratelimit_hit(scope=scope, key=client_ip(request), limit=limit, window=window)


@require_POST
def definition_post(request: HttpRequest, slug: str) -> HttpResponse:
    """Post "Your definition"; first offer the similar ones already here, if any."""
    poll = get_object_or_404(Poll.objects.published(), slug=slug, write_in=True)
    voter = voter_for_request(request)
    form = DefinitionForm(request.POST, poll=poll, voter=voter, user=request.user)
    limit = _limited(
        request, "comment", settings.COMMENTS_RATE_LIMIT, settings.COMMENTS_RATE_WINDOW
    )
    if not limit.allowed:
        form.is_valid()
        form.add_error(None, f"Too many posts from your network. Wait {limit.retry_after} s.")
        return _composer(request, poll, form=form, status=429)
    if form.is_bot:
        messages.info(request, DEFINITION_HELD)
        return redirect(poll)
    if request.POST.get("use_own"):  # a definition posted before: count the vote with it
        return _answer(request, poll, None, *_cast_waiting_vote(request, poll, ""))
    if not form.is_valid():
        form.renew_expired_token()
        return _composer(request, poll, form=form, status=200 if request.htmx else 400)
    data = form.cleaned_data
    if not request.POST.get("post_anyway"):
        similar = alternatives.similar_alternatives(poll=poll, text=data["body"])
        if similar:
            return _composer(request, poll, form=form, similar=similar)
    try:
        comment = _post(request, poll, data)
    except ValidationError as error:
        form.add_error(None, error)
        form.renew_expired_token()
        return _composer(request, poll, form=form, status=200 if request.htmx else 400)
    held = comment.status == Comment.Status.PENDING
    note = DEFINITION_HELD if held else DEFINITION_POSTED
    voted = False
    if request.POST.get("cast_vote"):
        note, voted = _cast_waiting_vote(request, poll, note)
    return _answer(request, poll, comment, note, voted)


def _cast_waiting_vote(request: HttpRequest, poll: Poll, note: str) -> tuple[str, bool]:
    """The vote for "something else" that waited for the definition (Poll.
    write_in_needs_definition): the note to show, and whether the vote counted."""
    try:
        alternatives.write_in_vote_cast(poll=poll, voter=voter_for_request(request))
    except ValidationError as error:
        return f"{note} {error.messages[0]}".strip(), False
    return f"Thanks for voting! {note}".strip(), True


def _answer(request: HttpRequest, poll: Poll, comment: Comment | None, note: str, voted: bool):
    """After a definition (or a vote that waited for one): the composer with htmx, else the
    page. A vote just counted changes the vote block too, so htmx reloads the page."""
    if request.htmx and not voted:
        response = _composer(request, poll, note=note)
    else:
        messages.success(request, note)
        anchor = f"#comment-{comment.pk}" if comment is not None and not voted else ""
        response = redirect(f"{poll.get_absolute_url()}{anchor}")
        if request.htmx:
            response = HttpResponse(status=204, headers={"HX-Refresh": "true"})
    if comment is not None and comment.status == Comment.Status.PENDING:
        remember_own_comment(request, response, comment)
    return response


def _post(request: HttpRequest, poll: Poll, data: dict) -> Comment:
    return posting.comment_post(
        poll=poll,
        author=posting.Author.of(request, data),
        body=data["body"],
        form_nonce=data.get("form_nonce"),
        alternative=True,
    )


def _alternative(pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("poll"),
        pk=pk,
        is_alternative=True,
        status=Comment.Status.APPROVED,
        poll__status=Poll.Status.PUBLISHED,
    )
    return comment


@require_http_methods(["GET", "HEAD", "POST"])
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree or Disagree with an alternative definition (a GET lands on it in the list)."""
    comment = _alternative(pk)
    back = f"{comment.poll.get_absolute_url()}#alternative-{comment.pk}"
    if request.method != "POST":
        return redirect(back)
    answer = request.POST.get("answer")
    if answer not in {"agree", "disagree"}:  # a tampered form: the buttons send one of these
        return HttpResponseBadRequest("Choose Agree or Disagree.", content_type="text/plain")
    limit = _limited(
        request, "agreement", settings.POLLS_VOTE_RATE_LIMIT, settings.POLLS_VOTE_RATE_WINDOW
    )
    if not limit.allowed:
        return _too_many_answers(request, comment, limit.retry_after)
    voter = voter_for_request(request)
    try:
        alternatives.agreement_set(comment=comment, voter=voter, agrees=answer == "agree")
    except ValidationError as error:
        messages.info(request, error.messages[0])
        return redirect(comment.poll)
    said = "You agree with this definition." if answer == "agree" else "You disagree with it."
    if request.htmx:
        response = _answered_in_place(request, comment, said, answer == "agree")
    else:
        messages.success(request, said)
        response = redirect(back)
    response.set_cookie(
        ANSWERED_COOKIE,
        "1",
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _answered_in_place(
    request: HttpRequest, comment: Comment, said: str, answer: bool | None, status: int = 200
) -> HttpResponse:
    """The htmx answer: the composer that offered this definition, or its row in the list,
    saying ``said``."""
    if request.POST.get("from") == "composer":
        return _composer(request, comment.poll, note=said, status=status)
    row = alternatives.alternatives(comment.poll).get(pk=comment.pk)
    row.answer = answer
    context = {
        "alt": row,
        "poll": comment.poll,
        "said": said,
        "can_promote": comment.poll.is_managed_by(request.user),
    }
    return render(request, "comments/_alternative.html", context, status=status)


def _too_many_answers(request: HttpRequest, comment: Comment, retry_after: int) -> HttpResponse:
    """A room behind one address is slowed, never banned; with htmx the reason shows in
    place (the page's script swaps a 4xx that carries HX-Reswap), else the 429 page."""
    if request.htmx:
        said = f"Too many answers from your network just now. Try again in {retry_after} seconds."
        response = _answered_in_place(request, comment, said, None, status=429)
        response["HX-Reswap"] = "outerHTML"
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_POST
@login_required
def promote(request: HttpRequest, pk: int) -> HttpResponse:
    """The poll's trainer adds an alternative definition to the poll as a choice."""
    comment = get_object_or_404(Comment.objects.select_related("poll"), pk=pk)
    if not comment.poll.is_managed_by(request.user):
        raise PermissionDenied("Only the poll's trainer can change its choices.")
    try:
        done = promotion.alternative_promote(comment=comment, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(f"{comment.poll.get_absolute_url()}#alternative-{comment.pk}")
    messages.success(request, f"“{done.choice_text}” is now a choice of the poll.")
    return redirect(f"{comment.poll.get_absolute_url()}#poll-vote")


@require_POST
@login_required
def promotion_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a promoted definition back out of the poll (while it has no votes)."""
    comment = get_object_or_404(Comment.objects.select_related("poll"), pk=pk)
    if not comment.poll.is_managed_by(request.user):
        raise PermissionDenied("Only the poll's trainer can change its choices.")
    live = Promotion.objects.filter(comment=comment, undone_at__isnull=True).first()
    if live is None:
        messages.info(request, "This definition is not a choice of the poll.")
    else:
        try:
            promotion.promotion_undo(promotion=live, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{live.choice_text}” is no longer a choice.")
    return redirect(f"{comment.poll.get_absolute_url()}#alternative-{comment.pk}")
