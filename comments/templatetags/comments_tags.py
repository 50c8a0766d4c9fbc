from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from comments.discussion import discussion_context

register = template.Library()


@register.simple_tag(takes_context=True)
def poll_discussion(context, poll) -> SafeString:
    """The poll's discussion: `{% load comments_tags %}{% poll_discussion poll %}`.

    The one place where the thread joins the poll page (polls never imports comments). The
    poll's version comes from the page's context when the view read it already.
    """
    request = context["request"]
    block = discussion_context(request, poll, version=context.get("version"))
    return render_to_string("comments/_discussion.html", block, request=request)
