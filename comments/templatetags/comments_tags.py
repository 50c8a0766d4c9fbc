from django import template
from django.utils.safestring import SafeString

from comments.discussion import discussion_html

register = template.Library()


@register.simple_tag(takes_context=True)
def poll_discussion(context, poll) -> SafeString:
    """The poll's discussion: `{% load comments_tags %}{% poll_discussion poll %}`."""
    request = context["request"]
    return discussion_html(request, poll, bound_form=getattr(request, "comments_bound_form", None))
