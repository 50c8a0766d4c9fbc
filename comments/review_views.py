"""The trainer's own queue: approve, mark as spam or remove a comment awaiting review, from
the poll page (htmx swaps the queue in place; without JavaScript, a redirect back)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comments import moderation
from comments.models import Comment
from comments.templatetags.comments_tags import review_queue_context

DONE = {
    "approve": "Approved: the comment is in the discussion now.",
    "spam": "Marked as spam: the comment stays hidden.",
    "remove": "Removed: the comment stays hidden.",
}


@require_POST
@login_required
def comment_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve / Spam / Remove one comment awaiting review (the poll's trainer or a
    moderator; anyone else gets a 403, here and again in the service)."""
    comment = get_object_or_404(Comment.objects.select_related("poll", "poll__author"), pk=pk)
    if not moderation.may_review(user=request.user, poll=comment.poll):
        raise PermissionDenied("Only the poll's trainer and moderators can review its comments.")
    action = request.POST.get("action", "")
    try:
        moderation.comment_review(comment=comment, action=action, actor=request.user)
    except ValidationError as error:
        note, level = error.messages[0], messages.INFO
    else:
        note, level = DONE[action], messages.SUCCESS
    if request.htmx:
        context = review_queue_context(request, comment.poll)
        context["note"] = note
        return render(request, "comments/_review_queue.html", context)
    messages.add_message(request, level, note)
    return redirect(f"{comment.poll.get_absolute_url()}#review-queue")
