"""The moderation queue's size, for the navigation and the admin index of those who work it.

Lazy: the count query runs only when a template shows it, and only for staff who may
moderate (one indexed COUNT); everyone else, and so the poll page cached for anonymous
readers, costs nothing.
"""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from comments import moderation


def moderation_queue(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"moderation_pending": 0}
    return {
        "moderation_pending": SimpleLazyObject(
            lambda: moderation.pending_count() if moderation.can_moderate(user) else 0
        )
    }
