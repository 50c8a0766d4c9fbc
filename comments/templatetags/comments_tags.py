from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from comments import moderation
from comments.alternative_views import composer_context
from comments.debrief import markdown_escape
from comments.discussion import comment_stance_counts, discussion_context

register = template.Library()


@register.simple_tag(takes_context=True)
def poll_discussion(context, poll) -> SafeString:
    """The poll's discussion: `{% load comments_tags %}{% poll_discussion poll %}`.

    The one place where the thread joins the poll page (polls never imports comments). The
    poll's version comes from the page's context when the view read it already.
    """
    request = context["request"]
    block = discussion_context(
        request, poll, version=context.get("version"), choices=context.get("choices")
    )
    return render_to_string("comments/_discussion.html", block, request=request)


def review_queue_context(request, poll) -> dict:
    """What comments/_review_queue.html shows the poll's trainer or a moderator."""
    return {"poll": poll, "queue": moderation.review_queue(poll=poll), "request": request}


@register.simple_tag(takes_context=True)
def poll_review_queue(context, poll) -> SafeString:
    """The trainer's own queue on the poll page: `{% poll_review_queue poll %}`.

    Empty for everyone but the poll's trainer and moderators (who are signed in, so never
    served the page cached for first-time readers: polls/pagecache.py)."""
    request = context["request"]
    if not moderation.may_review(user=request.user, poll=poll):
        return SafeString("")
    return render_to_string(
        "comments/_review_queue.html", review_queue_context(request, poll), request=request
    )


@register.simple_tag
def with_comment_counts(polls) -> list:
    """These polls, each given ``comment_total`` (published comments) and ``comment_pending``
    (awaiting review), in one query: `{% with_comment_counts polls as polls %}`.

    How "My polls" and the home page show the discussion's size without polls importing
    comments (the way ``with_ballot_totals`` gives them the votes)."""
    return moderation.with_comment_counts(list(polls))


@register.simple_tag
def stance_counts(poll) -> dict[int, int]:
    """`{% stance_counts poll as support %}`: approved comments per choice they support.

    The hook the results block uses (polls never imports comments); counted once per
    version of the discussion and cached under it.
    """
    return comment_stance_counts(poll=poll)


@register.simple_tag
def support_of(support: dict[int, int], choice_id: int) -> int:
    """`{% support_of support row.choice_id as n %}`: one choice's count from the above."""
    return support.get(choice_id, 0)


@register.filter
def md(text) -> str:
    """Plain text made safe for Markdown (the debrief): `{{ value|md }}` under autoescape off."""
    return markdown_escape(text)


@register.simple_tag(takes_context=True)
def definition_composer(context, poll) -> SafeString:
    """The write-in composer ("Your definition"), shown in the vote block to a reader who
    voted "something else": `{% definition_composer poll %}`."""
    request = context["request"]
    block = composer_context(request, poll)
    return render_to_string("comments/_definition_form.html", block, request=request)
