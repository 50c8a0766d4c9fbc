from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from comments.discussion import discussion_html

register = template.Library()


@register.simple_tag(takes_context=True)
def poll_discussion(context, poll) -> SafeString:
    """The poll's discussion: `{% load comments_tags %}{% poll_discussion poll %}`."""
    request = context["request"]
    return discussion_html(request, poll, bound_form=getattr(request, "comments_bound_form", None))


# A blank comment form's markup is the same for every reader of one kind (anonymous or
# signed in), yet crispy takes longer to render it than the rest of the poll page. Each
# worker renders it once per kind; only the per-request timestamp token is put in.
# Process-local on purpose: nothing is shared between servers or outlives a deploy.
_BLANK_FORM_HTML: dict[tuple, str] = {}
_SERVED_MARK = "__comments_served_token__"


def _crispy(context, form) -> SafeString:
    """Exactly what `{% crispy form %}` renders in this context."""
    with context.push(form=form):
        return CrispyFormNode("form", None).render(context)


@register.simple_tag(takes_context=True)
def comment_form_fields(context, form) -> SafeString:
    """`{% crispy form %}` for the comment form, reusing a blank form's markup."""
    served = None if form.is_bound else form.initial.get("served")
    if not served or form.initial.get("reply_to"):
        return _crispy(context, form)
    key = (form.user is None, form.auto_id, settings.COMMENTS_MAX_LENGTH)
    html = _BLANK_FORM_HTML.get(key)
    if html is None:
        form.initial["served"] = _SERVED_MARK
        try:
            html = _BLANK_FORM_HTML[key] = _crispy(context, form)
        finally:
            form.initial["served"] = served
    return mark_safe(html.replace(_SERVED_MARK, served))  # noqa: S308 - crispy's own markup
