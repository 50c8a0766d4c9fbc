from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from comments.alternative_views import composer_context
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


@register.simple_tag(takes_context=True)
def definition_composer(context, poll) -> SafeString:
    """The write-in composer ("Your definition"), shown in the vote block to a reader who
    voted "something else": `{% definition_composer poll %}`."""
    request = context["request"]
    block = composer_context(request, poll)
    return render_to_string("comments/_definition_form.html", block, request=request)
